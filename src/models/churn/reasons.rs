//! Reason codes: the features that push a customer's churn risk up most, in a marketer's words.
//!
//! Contributions come per model column (logistic: coefficient × standardized value; forest:
//! path contributions) and are summed per source column, so the one-hot columns of `Contract`
//! speak as one: "Contract: Month-to-month". Numbers read with the column's name and value,
//! with "low"/"high" against the median where that helps ("Monthly charges 95.70 (high)"),
//! and with the unit where the name tells it ("Tenure 2 months (low)": a column named
//! `tenure`, as in the Telco data, or with a word `months`, `days`, `weeks` or `years`);
//! behaviour reads as a sentence, measured at the reference time ("Last purchase 120 days
//! before the cutoff" with an inactivity label, "… days ago" otherwise). The top
//! three columns with a positive push are kept; a customer with none (a low-risk customer)
//! gets the single column that pushes the risk up most (lowers it least), so every customer
//! has at least one reason.

use crate::models::churn::features::{FeatureKind, FeatureMatrix, GroupKind};

/// One reason.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reason {
    /// The source column or behaviour measure.
    pub column: String,
    /// The phrase shown to the marketer.
    pub text: String,
    /// Its push on the risk (log-odds for logistic, probability for the forest), summed over
    /// the column's family.
    pub weight: f64,
    /// Where the customer stands: −1 below the median, +1 above it or holding the level, 0 at
    /// the median.
    pub side: i8,
    /// The speaking model column's correlation with the label over the training customers.
    pub association: Option<f64>,
    /// The push goes against how the column goes with churn over all customers (said so).
    pub unlike_most: bool,
}

/// `MonthlyCharges` → `Monthly charges`, `days_since_visit` → `Days since visit`; a one-hot
/// column `region = South East` keeps its value as stored (`Region = South East`).
pub fn pretty_name(column: &str) -> String {
    if let Some((name, value)) = column.split_once(" = ") {
        return format!("{} = {value}", pretty_name(name));
    }
    let mut words = String::new();
    let mut prev_lower = false;
    for c in column.chars() {
        if c == '_' || c == '-' {
            words.push(' ');
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            words.push(' ');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        words.push(c);
    }
    // Lower-case each word but acronyms (`TV`, `ID`); capitalize the first.
    let text: Vec<String> = words
        .split_whitespace()
        .map(|w| {
            if w.chars().count() >= 2 && w.chars().all(|c| c.is_uppercase()) {
                w.to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect();
    let text = text.join(" ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn plural(v: f64, one: &str, many: &str) -> String {
    format!("{v:.0} {}", if v.round() == 1.0 { one } else { many })
}

/// The unit of a numeric column when its name tells it: a word `month(s)`, `day(s)`,
/// `week(s)` or `year(s)`, or the Telco convention `tenure` (months). (`MonthlyCharges` is not
/// in months: whole words only.)
pub fn unit_of(column: &str) -> Option<(&'static str, &'static str)> {
    let name = pretty_name(column).to_lowercase();
    if name == "tenure" {
        return Some(("month", "months"));
    }
    name.split_whitespace().find_map(|w| match w {
        "month" | "months" => Some(("month", "months")),
        "day" | "days" => Some(("day", "days")),
        "week" | "weeks" => Some(("week", "weeks")),
        "year" | "years" => Some(("year", "years")),
        _ => None,
    })
}

/// `2` → `2 months`, `1` → `1 month`, `2.5` → `2.50 months`.
fn with_unit(v: f64, one: &str, many: &str) -> String {
    format!("{} {}", number(v), if v == 1.0 { one } else { many })
}

/// The phrase for group `g` of row `k`.
pub fn describe(fm: &FeatureMatrix, k: usize, g: usize) -> String {
    let Some(group) = fm.groups.get(g) else {
        return String::new();
    };
    let row = fm.row(k);
    let name = pretty_name(&group.column);
    match &group.kind {
        GroupKind::Categorical => {
            let hot = group
                .features
                .iter()
                .find(|&&j| row.get(j).is_some_and(|v| *v == 1.0))
                .and_then(|&j| fm.features.get(j));
            match hot.map(|f| &f.kind) {
                Some(FeatureKind::Level(l)) => format!("{name}: {l}"),
                Some(FeatureKind::Other) => format!("{name}: a less common value"),
                Some(FeatureKind::Blank) | None => format!("{name}: blank"),
                Some(FeatureKind::Value) => name,
            }
        }
        GroupKind::Numeric { median, binary } => {
            if fm.is_blank(k, g) {
                return format!("{name}: blank");
            }
            let v = group
                .features
                .first()
                .and_then(|&j| row.get(j))
                .copied()
                .unwrap_or(0.0);
            let level = if v < *median {
                " (low)"
            } else if v > *median {
                " (high)"
            } else {
                ""
            };
            let days = v.round();
            // Behaviour is measured at the reference time: the cutoff, or the end of the data.
            let ago = if fm.reference_is_cutoff {
                "before the cutoff"
            } else {
                "ago"
            };
            match group.column.as_str() {
                "recency_days" => format!("Last purchase {} {ago}", plural(days, "day", "days")),
                "tenure_days" => format!("Customer for {}", plural(days, "day", "days")),
                "frequency" if v == 0.0 => "No orders, only returns".to_string(),
                "distinct_products" if v == 0.0 => "No products bought, only returns".to_string(),
                "orders_last_90_days" if v == 0.0 => "No orders in the last 90 days".to_string(),
                "frequency" => format!("{}{level}", plural(v, "order", "orders")),
                // Returns beyond purchases are said as such, never as a negative spend.
                "monetary" | "avg_basket" if v < 0.0 => {
                    format!(
                        "Returned more than bought (net refund {})",
                        fm.money.cents(-v)
                    )
                }
                "monetary" => format!("Spend {}{level}", fm.money.cents(v)),
                "avg_basket" => format!("Average basket {}{level}", fm.money.cents(v)),
                "distinct_products" => {
                    format!(
                        "{}{level}",
                        plural(v, "product bought", "different products bought")
                    )
                }
                "days_between_orders" => {
                    format!("{} between orders{level}", plural(days, "day", "days"))
                }
                "orders_last_90_days" => format!(
                    "{} in the last 90 days{level}",
                    plural(v, "order", "orders")
                ),
                "returns_share" => format!("Returned {:.0}% of items{level}", v * 100.0),
                c if c.ends_with("_days_ago") => format!(
                    "{} {} {ago}",
                    pretty_name(c.trim_end_matches("_days_ago")),
                    plural(days, "day", "days")
                ),
                _ if *binary => format!("{name}: {}", if v == 1.0 { "yes" } else { "no" }),
                c if let Some((one, many)) = unit_of(c) => {
                    format!("{name} {}{level}", with_unit(v, one, many))
                }
                _ => format!("{name} {}{level}", number(v)),
            }
        }
    }
}

/// Sums per-column contributions into per-group contributions.
pub fn group_contributions(fm: &FeatureMatrix, contrib: &[f64]) -> Vec<f64> {
    fm.groups
        .iter()
        .map(|g| g.features.iter().filter_map(|&j| contrib.get(j)).sum())
        .collect()
}

/// Where the customer stands on group `g` and how that goes with churn over the training
/// customers: `(side, association)`, side −1 below the median, +1 above it or holding the
/// level (or the blank), 0 at the median; association the correlation with the label of the
/// model column that speaks (`None` before [`FeatureMatrix::learn_association`]).
fn stance(fm: &FeatureMatrix, k: usize, g: usize) -> (i8, Option<f64>) {
    let Some(group) = fm.groups.get(g) else {
        return (0, None);
    };
    let row = fm.row(k);
    let hot = |j: &&usize| row.get(**j).is_some_and(|v| *v == 1.0);
    let assoc = |j: usize| fm.association.get(j).copied();
    match group.kind {
        GroupKind::Numeric { median, binary } => {
            let value = group.features.first().copied();
            if fm.is_blank(k, g) {
                return (1, group.features.get(1).and_then(|&j| assoc(j)));
            }
            let v = value.and_then(|j| row.get(j)).copied().unwrap_or(0.0);
            let side = if binary {
                if v == 1.0 { 1 } else { -1 }
            } else if v < median {
                -1
            } else if v > median {
                1
            } else {
                0
            };
            (side, value.and_then(assoc))
        }
        GroupKind::Categorical => (1, group.features.iter().find(hot).and_then(|&j| assoc(j))),
    }
}

/// How a measure compares with other customers below and above the median.
pub fn comparatives(column: &str) -> (&'static str, &'static str) {
    match column {
        "recency_days" => ("more recently than", "longer ago than"),
        "tenure_days" => ("newer than", "longer than"),
        "frequency" | "orders_last_90_days" | "distinct_products" => ("fewer than", "more than"),
        "monetary" | "avg_basket" | "returns_share" => ("less than", "more than"),
        "days_between_orders" => ("shorter gaps than", "longer gaps than"),
        c if unit_of(c).is_some() => ("shorter than", "longer than"),
        _ => ("lower than", "higher than"),
    }
}

/// The phrase for group `g` of row `k`, in the direction of `side`, with where the customer
/// stands among the training customers when that is known.
fn phrase(fm: &FeatureMatrix, k: usize, g: usize, side: i8) -> String {
    let text = describe(fm, k, g);
    let Some(group) = fm.groups.get(g) else {
        return text;
    };
    let GroupKind::Numeric { binary: false, .. } = group.kind else {
        return text;
    };
    let v = group
        .features
        .first()
        .and_then(|&j| fm.row(k).get(j))
        .copied();
    // A net refund is said as such, never placed among other customers' spend.
    let refund = matches!(group.column.as_str(), "monetary" | "avg_basket") && v < Some(0.0);
    let shares = v
        .filter(|_| !refund && !text.ends_with("only returns"))
        .and_then(|v| fm.shares_around(g, v));
    // "Than 100% of customers" would count the customer too: at most 99%.
    let share = |x: f64| (x * 100.0).floor().min(99.0);
    match (shares, side) {
        (Some((_, above)), -1) if !fm.is_blank(k, g) => {
            let base = text.trim_end_matches(" (low)");
            let only = v > Some(0.0)
                && matches!(
                    group.column.as_str(),
                    "frequency" | "orders_last_90_days" | "distinct_products"
                );
            format!(
                "{}{base} — {} {:.0}% of customers",
                if only { "Only " } else { "" },
                comparatives(&group.column).0,
                share(above)
            )
        }
        (Some((below, _)), 1) if !fm.is_blank(k, g) => format!(
            "{} — {} {:.0}% of customers",
            text.trim_end_matches(" (high)"),
            comparatives(&group.column).1,
            share(below)
        ),
        _ => text,
    }
    .replacen("Only 1 ", "Only one ", 1)
}

/// The top `max` reasons of row `k` given its per-column contributions (at least one).
///
/// Groups of one family give one reason, with the family's summed push; it is phrased by the
/// member that pushes most in the direction that matches how that measure goes with churn over
/// all customers ("only 2 orders in the last 90 days — fewer than 80% of customers" for a
/// measure whose low values go with churn). A family whose members all push against their
/// overall association is cited only when nothing else raises the risk, and then says
/// "unlike most customers".
pub fn top_reasons(fm: &FeatureMatrix, k: usize, contrib: &[f64], max: usize) -> Vec<Reason> {
    let by_group = group_contributions(fm, contrib);
    let family = |g: usize| fm.family.get(g).copied().unwrap_or(g);
    let mut sums = vec![0.0; by_group.len()];
    for (g, c) in by_group.iter().enumerate() {
        if let Some(s) = sums.get_mut(family(g)) {
            *s += c;
        }
    }
    let mut families: Vec<usize> = (0..sums.len()).filter(|&f| sums[f] > 0.0).collect();
    families.sort_by(|&a, &b| sums[b].total_cmp(&sums[a]).then(a.cmp(&b)));
    let (mut agreeing, mut against) = (Vec::new(), Vec::new());
    for f in families {
        let mut members: Vec<usize> = (0..by_group.len())
            .filter(|&g| family(g) == f && by_group[g] > 0.0)
            .collect();
        members.sort_by(|&a, &b| by_group[b].total_cmp(&by_group[a]).then(a.cmp(&b)));
        let agrees = |g: &&usize| match stance(fm, k, **g) {
            (side, Some(a)) => f64::from(side) * a > 0.0,
            (_, None) => true,
        };
        match members.iter().find(agrees) {
            Some(&g) => agreeing.push(reason(fm, k, g, sums[f], false)),
            None => {
                if let Some(&g) = members.first() {
                    against.push(reason(fm, k, g, sums[f], true));
                }
            }
        }
    }
    agreeing.truncate(max);
    if agreeing.is_empty() {
        agreeing = against.into_iter().take(1).collect();
    }
    if agreeing.is_empty() {
        // A low-risk customer: the one group that lowers the risk least, as it stands.
        let mut order: Vec<usize> = (0..by_group.len()).collect();
        order.sort_by(|&a, &b| by_group[b].total_cmp(&by_group[a]).then(a.cmp(&b)));
        if let Some(&g) = order.first() {
            agreeing.push(Reason {
                text: describe(fm, k, g),
                ..reason(fm, k, g, by_group[g], false)
            });
        }
    }
    agreeing
}

fn reason(fm: &FeatureMatrix, k: usize, g: usize, weight: f64, unlike_most: bool) -> Reason {
    let (side, association) = stance(fm, k, g);
    let text = phrase(fm, k, g, side);
    Reason {
        column: fm
            .groups
            .get(g)
            .map(|g| g.column.clone())
            .unwrap_or_default(),
        text: if unlike_most {
            format!("{text} (unlike most customers, this adds to the risk here)")
        } else {
            text
        },
        weight,
        side,
        association,
        unlike_most,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::churn::features::{Feature, Group, Source};

    #[test]
    fn names_read_like_words() {
        assert_eq!(pretty_name("MonthlyCharges"), "Monthly charges");
        assert_eq!(pretty_name("tenure"), "Tenure");
        assert_eq!(pretty_name("signup_date"), "Signup date");
        assert_eq!(pretty_name("PaymentMethod"), "Payment method");
        assert_eq!(pretty_name("StreamingTV"), "Streaming TV");
        assert_eq!(pretty_name("region = South East"), "Region = South East");
    }

    fn matrix() -> FeatureMatrix {
        let f = |name: &str, group, kind| Feature {
            name: name.into(),
            group,
            kind,
            log_scale: false,
        };
        FeatureMatrix {
            features: vec![
                f("tenure", 0, FeatureKind::Value),
                f(
                    "Contract = Month-to-month",
                    1,
                    FeatureKind::Level("Month-to-month".into()),
                ),
                f(
                    "Contract = Two year",
                    1,
                    FeatureKind::Level("Two year".into()),
                ),
                f("recency_days", 2, FeatureKind::Value),
            ],
            groups: vec![
                Group {
                    column: "tenure".into(),
                    source: Source::Attribute,
                    kind: GroupKind::Numeric {
                        median: 29.0,
                        binary: false,
                    },
                    features: vec![0],
                },
                Group {
                    column: "Contract".into(),
                    source: Source::Attribute,
                    kind: GroupKind::Categorical,
                    features: vec![1, 2],
                },
                Group {
                    column: "recency_days".into(),
                    source: Source::Behaviour,
                    kind: GroupKind::Numeric {
                        median: 30.0,
                        binary: false,
                    },
                    features: vec![3],
                },
            ],
            n: 2,
            x: vec![2.0, 1.0, 0.0, 120.0, 60.0, 0.0, 1.0, 3.0],
            blank: vec![false; 6],
            used_columns: vec![],
            left_out: vec![],
            imputed: vec![],
            reference_ts: None,
            reference_is_cutoff: false,
            quantiles: vec![],
            family: vec![],
            association: vec![],
            money: crate::money::Money::default(),
        }
    }

    #[test]
    fn reasons_are_phrased_and_never_empty() {
        let fm = matrix();
        let r = top_reasons(&fm, 0, &[0.8, 0.5, 0.1, 0.3], 3);
        let texts: Vec<&str> = r.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Tenure 2 months (low)",
                "Contract: Month-to-month",
                "Last purchase 120 days ago"
            ]
        );
        // Nothing pushes up: the least negative still gives a reason.
        let r = top_reasons(&fm, 1, &[-0.8, 0.0, -0.4, -0.1], 3);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].text, "Last purchase 3 days ago");
        assert_eq!(describe(&fm, 1, 1), "Contract: Two year");
        // With an inactivity label behaviour is measured at the cutoff.
        let cut = FeatureMatrix {
            reference_is_cutoff: true,
            ..matrix()
        };
        assert_eq!(
            describe(&cut, 0, 2),
            "Last purchase 120 days before the cutoff"
        );
        assert_eq!(describe(&cut, 1, 0), "Tenure 60 months (high)");
        // Returns beyond purchases are not a negative spend.
        let mut fm = matrix();
        fm.groups[0].column = "monetary".into();
        fm.x[0] = -1192.2;
        assert_eq!(
            describe(&fm, 0, 0),
            "Returned more than bought (net refund 1,192.20)"
        );
        assert_eq!(describe(&fm, 1, 0), "Spend 60.00 (high)");
        // In the database's currency when it has one.
        fm.money = crate::money::Money {
            currency: crate::money::Currency::from_code("GBP"),
        };
        fm.x[0] = 1234.5;
        assert_eq!(describe(&fm, 0, 0), "Spend £1,234.50 (high)");
    }

    #[test]
    fn a_family_speaks_once_and_a_push_against_the_data_is_said_or_dropped() {
        let mut fm = matrix();
        // Tenure and recency are one family; low tenure and long recency go with churn.
        fm.family = vec![0, 1, 0];
        fm.association = vec![-0.4, 0.2, -0.3, 0.3];
        let push = [0.8, 0.5, 0.1, 0.3];
        let r = top_reasons(&fm, 0, &push, 3);
        let texts: Vec<&str> = r.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["Tenure 2 months (low)", "Contract: Month-to-month"]);
        assert!(
            (r[0].weight - 1.1).abs() < 1e-12,
            "the family's summed push"
        );
        assert_eq!((r[0].side, r[0].association), (-1, Some(-0.4)));
        // Month-to-month going with staying: its push against the data is not cited.
        fm.association[1] = -0.2;
        let r = top_reasons(&fm, 0, &push, 3);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].text, "Tenure 2 months (low)");
        // Nothing agrees: the strongest is cited once, and says so.
        fm.association[0] = 0.4;
        fm.association[3] = -0.3;
        let r = top_reasons(&fm, 0, &push, 3);
        assert_eq!(r.len(), 1);
        assert!(r[0].unlike_most);
        assert_eq!(
            r[0].text,
            "Tenure 2 months (low) (unlike most customers, this adds to the risk here)"
        );
        // Where the customer stands among others, in the direction of the side.
        fm.quantiles = vec![(0..100).map(f64::from).collect(), vec![], vec![]];
        fm.association[0] = -0.4;
        let r = top_reasons(&fm, 0, &push, 3);
        assert_eq!(r[0].text, "Tenure 2 months — shorter than 97% of customers");
    }

    #[test]
    fn units_come_from_whole_words_of_the_name() {
        assert_eq!(unit_of("tenure"), Some(("month", "months")));
        assert_eq!(unit_of("Tenure"), Some(("month", "months")));
        assert_eq!(unit_of("tenure_months"), Some(("month", "months")));
        assert_eq!(unit_of("days_since_visit"), Some(("day", "days")));
        assert_eq!(unit_of("YearsActive"), Some(("year", "years")));
        assert_eq!(unit_of("MonthlyCharges"), None);
        assert_eq!(unit_of("TotalCharges"), None);
        assert_eq!(unit_of("tenure_score"), None);
        assert_eq!(with_unit(1.0, "month", "months"), "1 month");
        assert_eq!(with_unit(2.5, "month", "months"), "2.50 months");
    }
}
