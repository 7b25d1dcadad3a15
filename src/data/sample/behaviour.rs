//! How each planted customer type shops: when, how often, how much and in which categories.

use chrono::{Datelike, NaiveDate, Weekday};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Poisson};

use super::catalog::{CATEGORIES, N_CATEGORIES};
use super::people::N_REGIONS;
use super::pick_weighted;

/// First day of the transaction history.
pub(super) const FIRST_DAY: (i32, u32, u32) = (2023, 1, 1);
/// Number of days in the history (2023-01-01 through 2024-12-31).
pub(super) const DAYS: usize = 731;
/// Index of the last day.
pub(super) const LAST: i64 = DAYS as i64 - 1;
/// The year ages are measured in.
pub(super) const REFERENCE_YEAR: i32 = 2024;

/// The customer types planted in the sample, which segmentation should find again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CustomerType {
    /// Frequent, large baskets in premium categories, buying until the end.
    Loyal,
    /// Many small cheap baskets in clearance and value categories.
    Bargain,
    /// Bought in 2023 and stopped (the churners).
    Lapsed,
    /// Signed up in the last few months.
    New,
    /// A few purchases a year.
    Occasional,
}

impl CustomerType {
    /// All types, in the order of [`TYPE_SHARES`].
    pub const ALL: [CustomerType; 5] = [
        CustomerType::Loyal,
        CustomerType::Bargain,
        CustomerType::Lapsed,
        CustomerType::New,
        CustomerType::Occasional,
    ];

    /// Name written to the `--types` file.
    pub fn name(self) -> &'static str {
        super::CUSTOMER_TYPES
            .get(self.index())
            .copied()
            .unwrap_or("occasional")
    }

    fn index(self) -> usize {
        match self {
            CustomerType::Loyal => 0,
            CustomerType::Bargain => 1,
            CustomerType::Lapsed => 2,
            CustomerType::New => 3,
            CustomerType::Occasional => 4,
        }
    }
}

/// Share of customers of each type.
pub(super) const TYPE_SHARES: [f64; 5] = [0.14, 0.19, 0.22, 0.15, 0.30];

/// Day weights and date strings for the two years.
pub(super) struct Calendar {
    /// `YYYY-MM-DD` per day.
    pub dates: Vec<String>,
    /// Month (1–12) per day.
    pub months: Vec<u32>,
    /// Cumulative day weights: `cum[d]` is the weight of days before `d` (len DAYS + 1).
    cum: Vec<f64>,
}

const MONTH_WEIGHT: [f64; 12] = [
    0.80, 0.80, 0.90, 0.95, 1.00, 1.00, 1.05, 1.00, 0.95, 1.00, 1.35, 1.90,
];

const HOUR_WEIGHT: [f64; 24] = [
    0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.6, 1.0, 1.3, 1.5, 1.7, 2.0, 2.0, 1.7, 1.5, 1.5, 1.6,
    1.9, 2.3, 2.4, 2.0, 1.3, 0.6,
];

fn weekday_weight(w: Weekday) -> f64 {
    match w {
        Weekday::Mon | Weekday::Tue => 0.85,
        Weekday::Wed => 0.9,
        Weekday::Thu => 0.95,
        Weekday::Fri => 1.05,
        Weekday::Sat => 1.55,
        Weekday::Sun => 1.4,
    }
}

/// The date `offset` days after the first day (negative: before it).
pub(super) fn date_at(offset: i64) -> String {
    let (y, m, d) = FIRST_DAY;
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|first| first.checked_add_signed(chrono::TimeDelta::days(offset)))
        .map_or_else(
            || "2023-01-01".to_string(),
            |x| x.format("%Y-%m-%d").to_string(),
        )
}

impl Calendar {
    /// The two-year calendar with weekly and yearly seasonality.
    pub fn new() -> Calendar {
        let (y, m, d) = FIRST_DAY;
        let first = NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        let mut dates = Vec::with_capacity(DAYS);
        let mut months = Vec::with_capacity(DAYS);
        let mut cum = Vec::with_capacity(DAYS + 1);
        cum.push(0.0);
        let mut total = 0.0;
        for (i, day) in first.iter_days().take(DAYS).enumerate() {
            let month = day.month();
            let mut w = weekday_weight(day.weekday())
                * MONTH_WEIGHT.get(month as usize - 1).copied().unwrap_or(1.0);
            if month == 12 && day.day() >= 25 {
                // Christmas Day and the days after are quiet.
                w *= if day.day() == 25 { 0.3 } else { 0.7 };
            }
            // Slow growth over the two years.
            w *= 1.0 + 0.1 * i as f64 / DAYS as f64;
            total += w;
            cum.push(total);
            dates.push(day.format("%Y-%m-%d").to_string());
            months.push(month);
        }
        Calendar { dates, months, cum }
    }

    /// A day in `from..=to` (clamped to the history), drawn with the seasonal weights.
    pub fn day_in(&self, rng: &mut ChaCha8Rng, from: i64, to: i64) -> i64 {
        let a = from.clamp(0, LAST) as usize;
        let b = to.clamp(0, LAST) as usize;
        let (a, b) = (a.min(b), a.max(b));
        let lo = self.cum.get(a).copied().unwrap_or(0.0);
        let hi = self.cum.get(b + 1).copied().unwrap_or(lo);
        let u = lo + rng.r#gen::<f64>() * (hi - lo);
        let idx = self.cum.partition_point(|&c| c <= u).saturating_sub(1);
        idx.clamp(a, b) as i64
    }

    /// A time of day as (hour, minute, second), busiest at lunchtime and in the evening.
    pub fn time(&self, rng: &mut ChaCha8Rng) -> (usize, u32, u32) {
        (
            pick_weighted(rng, &HOUR_WEIGHT),
            rng.gen_range(0..60),
            rng.gen_range(0..60),
        )
    }
}

/// Category preference multipliers by type, age band and region.
pub(super) struct Preferences {
    by_type: [[f64; N_CATEGORIES]; 5],
    by_age: [[f64; N_CATEGORIES]; 3],
    by_region: [[f64; N_CATEGORIES]; N_REGIONS],
}

fn multipliers(list: &[(&str, f64)]) -> [f64; N_CATEGORIES] {
    std::array::from_fn(|i| {
        let name = CATEGORIES.get(i).map_or("", |c| c.name);
        list.iter()
            .find(|(n, _)| *n == name)
            .map_or(1.0, |(_, m)| *m)
    })
}

impl Preferences {
    /// The fixed preference tables.
    pub fn new() -> Preferences {
        let home = [
            "Home & Kitchen",
            "Garden",
            "Books",
            "Toys & Games",
            "Crafts",
        ];
        let outdoor = ["Sports & Outdoors", "Men's Fashion", "Women's Fashion"];
        let young = ["Beauty", "Women's Fashion", "Men's Fashion", "Music & Film"];
        let by_type = std::array::from_fn(|t| {
            std::array::from_fn(|i| {
                let Some(c) = CATEGORIES.get(i) else {
                    return 1.0;
                };
                let kind = CustomerType::ALL
                    .get(t)
                    .copied()
                    .unwrap_or(CustomerType::Occasional);
                match kind {
                    CustomerType::Loyal if c.premium => 3.0,
                    CustomerType::Loyal if c.discount => 0.1,
                    CustomerType::Loyal => 0.8,
                    CustomerType::Bargain if c.discount => 9.0,
                    CustomerType::Bargain if c.premium => 0.1,
                    CustomerType::Bargain if c.median_price < 10.0 => 2.0,
                    CustomerType::Bargain => 0.4,
                    CustomerType::New if young.contains(&c.name) => 2.0,
                    CustomerType::New if c.discount => 0.5,
                    CustomerType::New => 1.0,
                    CustomerType::Lapsed if outdoor.contains(&c.name) => 3.0,
                    CustomerType::Lapsed if c.discount => 0.5,
                    CustomerType::Lapsed => 0.6,
                    CustomerType::Occasional if home.contains(&c.name) => 3.0,
                    CustomerType::Occasional if c.premium => 0.4,
                    CustomerType::Occasional if c.discount => 0.5,
                    CustomerType::Occasional => 0.8,
                }
            })
        });
        let young_taste = multipliers(&[
            ("Electronics", 1.8),
            ("Women's Fashion", 1.5),
            ("Men's Fashion", 1.5),
            ("Beauty", 1.7),
            ("Music & Film", 1.7),
            ("Sports & Outdoors", 1.5),
            ("Garden", 0.3),
            ("Health", 0.6),
            ("Books", 0.8),
            ("Crafts", 0.6),
        ]);
        let middle = multipliers(&[
            ("Baby", 2.5),
            ("Toys & Games", 2.5),
            ("Home & Kitchen", 1.3),
            ("Pet Supplies", 1.3),
            ("Sports & Outdoors", 1.2),
        ]);
        let older = multipliers(&[
            ("Garden", 2.5),
            ("Books", 1.8),
            ("Health", 1.8),
            ("Crafts", 1.8),
            ("Home & Kitchen", 1.2),
            ("Electronics", 0.6),
            ("Music & Film", 0.8),
            ("Beauty", 0.8),
            ("Baby", 0.3),
        ]);
        let region_lists: [&[(&str, f64)]; N_REGIONS] = [
            &[
                ("Women's Fashion", 1.6),
                ("Men's Fashion", 1.6),
                ("Electronics", 1.3),
                ("Garden", 0.4),
                ("Pet Supplies", 0.7),
            ],
            &[("Jewellery", 1.5), ("Garden", 1.3), ("Home & Kitchen", 1.2)],
            &[("Garden", 1.8), ("Crafts", 1.5), ("Sports & Outdoors", 1.3)],
            &[
                ("Home & Kitchen", 1.4),
                ("Pet Supplies", 1.3),
                ("Toys & Games", 1.3),
            ],
            &[("Music & Film", 1.6), ("Men's Fashion", 1.3)],
            &[
                ("Value Essentials", 1.3),
                ("Sports & Outdoors", 1.2),
                ("Pet Supplies", 1.4),
            ],
            &[
                ("Sports & Outdoors", 1.8),
                ("Music & Film", 1.3),
                ("Grocery", 1.3),
            ],
            &[("Crafts", 1.5), ("Books", 1.4), ("Garden", 1.3)],
        ];
        let by_region =
            std::array::from_fn(|r| multipliers(region_lists.get(r).copied().unwrap_or(&[])));
        Preferences {
            by_type,
            by_age: [young_taste, middle, older],
            by_region,
        }
    }

    /// A customer's category weights: the fixed tables times a personal taste.
    pub fn weights(
        &self,
        rng: &mut ChaCha8Rng,
        kind: CustomerType,
        birth_year: i32,
        region: usize,
    ) -> [f64; N_CATEGORIES] {
        let age = REFERENCE_YEAR - birth_year;
        let band = if age < 30 {
            0
        } else if age < 50 {
            1
        } else {
            2
        };
        let t = self.by_type.get(kind.index());
        let a = self.by_age.get(band);
        let r = self.by_region.get(region);
        std::array::from_fn(|i| {
            let base = CATEGORIES.get(i).map_or(1.0, |c| c.base_weight);
            let get = |row: Option<&[f64; N_CATEGORIES]>| {
                row.and_then(|x| x.get(i)).copied().unwrap_or(1.0)
            };
            // Personal taste: a factor between 0.5 and 1.5.
            let taste = 0.5 + rng.r#gen::<f64>();
            base * get(t) * get(a) * get(r) * taste
        })
    }
}

/// What a customer of a type does: sign-up, age and order days.
pub(super) struct Plan {
    /// Sign-up day relative to the first day of the history (negative: before).
    pub signup_day: i64,
    /// Birth year.
    pub birth_year: i32,
    /// Order days, ascending.
    pub order_days: Vec<i64>,
    /// Lines per order, inclusive range.
    pub lines: (usize, usize),
    /// Weights of quantity 1, 2, 3.
    pub quantity: [f64; 3],
    /// Chance that a line is bought on promotion.
    pub promo: f64,
    /// Chance that an order gets a review.
    pub review: f64,
    /// Chance that an order line is cancelled or returned.
    pub cancel: f64,
    /// Whether the customer picks cheap products within a category.
    pub cheap: bool,
}

fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> usize {
    Poisson::new(mean).map_or(mean as usize, |d| d.sample(rng) as usize)
}

fn age(rng: &mut ChaCha8Rng, mean: f64, sd: f64) -> i32 {
    let a = Normal::new(mean, sd).map_or(mean, |d| d.sample(rng));
    REFERENCE_YEAR - (a.round() as i32).clamp(18, 90)
}

/// Draws `n` (at least two) order days: the first in `first`, the last in `last`, the others
/// between them; sorted.
fn days(
    cal: &Calendar,
    rng: &mut ChaCha8Rng,
    n: usize,
    first: (i64, i64),
    last: (i64, i64),
) -> Vec<i64> {
    let a = cal.day_in(rng, first.0, first.1);
    let b = cal.day_in(rng, last.0, last.1);
    let mut out: Vec<i64> = (2..n.max(2)).map(|_| cal.day_in(rng, a, b)).collect();
    out.push(a);
    out.push(b);
    out.sort_unstable();
    out
}

impl Plan {
    /// Draws the plan of one customer of type `kind`.
    pub fn draw(cal: &Calendar, rng: &mut ChaCha8Rng, kind: CustomerType) -> Plan {
        match kind {
            CustomerType::Loyal => {
                let n = poisson(rng, 13.0).max(8);
                Plan {
                    signup_day: -rng.gen_range(400..1500),
                    birth_year: age(rng, 52.0, 11.0),
                    order_days: days(cal, rng, n, (0, 60), (LAST - 30, LAST)),
                    lines: (2, 4),
                    quantity: [0.55, 0.3, 0.15],
                    promo: 0.03,
                    review: 0.15,
                    cancel: 0.02,
                    cheap: false,
                }
            }
            CustomerType::Bargain => {
                let n = poisson(rng, 14.0).max(8);
                Plan {
                    signup_day: -rng.gen_range(30..1000),
                    birth_year: age(rng, 38.0, 12.0),
                    order_days: days(cal, rng, n, (0, 60), (LAST - 40, LAST)),
                    lines: (1, 2),
                    quantity: [0.5, 0.3, 0.2],
                    promo: 0.35,
                    review: 0.06,
                    cancel: 0.04,
                    cheap: true,
                }
            }
            CustomerType::Lapsed => {
                let n = 2 + poisson(rng, 0.8).min(2);
                Plan {
                    signup_day: -rng.gen_range(60..1200),
                    birth_year: age(rng, 45.0, 14.0),
                    order_days: days(cal, rng, n, (0, 120), (120, 300)),
                    lines: (2, 4),
                    quantity: [0.7, 0.3, 0.0],
                    promo: 0.05,
                    review: 0.12,
                    cancel: 0.05,
                    cheap: false,
                }
            }
            CustomerType::New => {
                let signup = rng.gen_range(LAST - 120..=LAST - 15);
                let first = cal.day_in(rng, signup, signup + 10);
                let n = 1 + poisson(rng, 1.2).min(4);
                let mut order_days: Vec<i64> =
                    (1..n).map(|_| cal.day_in(rng, first, LAST)).collect();
                order_days.push(first);
                order_days.sort_unstable();
                Plan {
                    signup_day: signup,
                    birth_year: age(rng, 30.0, 9.0),
                    order_days,
                    lines: (2, 4),
                    quantity: [0.7, 0.25, 0.05],
                    promo: 0.1,
                    review: 0.1,
                    cancel: 0.02,
                    cheap: false,
                }
            }
            CustomerType::Occasional => {
                let n = poisson(rng, 6.0).max(4);
                Plan {
                    signup_day: -rng.gen_range(0..1000),
                    birth_year: age(rng, 44.0, 14.0),
                    order_days: days(cal, rng, n, (0, 150), (LAST - 150, LAST - 30)),
                    lines: (2, 4),
                    quantity: [0.7, 0.3, 0.0],
                    promo: 0.05,
                    review: 0.1,
                    cancel: 0.02,
                    cheap: false,
                }
            }
        }
    }
}
