//! Per-customer frequency / recency / T / monetary summaries for the lifetime-value models,
//! with the convention of the published CDNOW figures (Fader, Hardie & Lee 2005):
//!
//! - only purchases count: cancelled rows and rows with a negative amount (returns) are left
//!   out. Rows with a zero amount stay: the published figures count them (8 CDNOW customers
//!   have a single purchase of 0.00; leaving them out moves the log-likelihood by 4), and data
//!   without amounts still gets purchase counts;
//! - a purchase is a purchase *day*: several rows on one day are one purchase, their amounts
//!   summed;
//! - frequency = the number of distinct purchase days after the first, up to and including the
//!   calibration end;
//! - recency = the last such purchase day − the first purchase day, T = the calibration end −
//!   the first purchase day, both in days or in weeks (days / 7, with fractions);
//! - monetary = the mean spend over the repeat purchase days (the first day left out), 0 for
//!   customers without repeat purchases;
//! - holdout purchases = the distinct purchase days after the calibration end.
//!
//! Customers whose first purchase comes after the calibration end have no calibration history
//! and are left out (counted).

use serde::Serialize;

use crate::data::dataset::Transactions;

/// Seconds in a day.
const DAY: i64 = 86_400;

/// The unit of recency, T and horizons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// Days.
    Day,
    /// Weeks of seven days, with fractions (the published figures' unit).
    Week,
}

impl TimeUnit {
    /// Parses `day` or `week` (also `days`, `weeks`).
    pub fn parse(s: &str) -> Option<TimeUnit> {
        match s.trim().to_ascii_lowercase().as_str() {
            "day" | "days" => Some(TimeUnit::Day),
            "week" | "weeks" => Some(TimeUnit::Week),
            _ => None,
        }
    }
    /// Days in one unit.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Day => 1.0,
            TimeUnit::Week => 7.0,
        }
    }
    /// The unit's name, plural (`days`, `weeks`).
    pub fn plural(self) -> &'static str {
        match self {
            TimeUnit::Day => "days",
            TimeUnit::Week => "weeks",
        }
    }
}

/// One customer's calibration summary.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CustomerSummary {
    /// Customer index in the `Dataset`.
    pub customer: u32,
    /// Repeat purchases: distinct purchase days after the first, in the calibration period.
    pub frequency: u32,
    /// Last calibration purchase day − first purchase day, in the time unit.
    pub recency: f64,
    /// Calibration end − first purchase day, in the time unit.
    pub t: f64,
    /// Mean spend over the repeat purchase days; 0 without repeat purchases.
    pub monetary: f64,
    /// Distinct purchase days after the calibration end.
    pub holdout_purchases: u32,
}

/// The summaries of all customers with calibration history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// One row per customer with a purchase on or before the calibration end, by customer index.
    pub rows: Vec<CustomerSummary>,
    /// Customers whose first purchase comes after the calibration end (left out).
    pub left_out: usize,
    /// Purchase rows used (cancelled rows and returns excluded).
    pub purchase_rows: usize,
    /// Rows left out as cancelled or with a negative amount.
    pub excluded_rows: usize,
    /// First purchase day, days since 1970-01-01.
    pub first_day: i64,
    /// Last purchase day, days since 1970-01-01.
    pub last_day: i64,
    /// Calibration end (inclusive), days since 1970-01-01.
    pub calibration_end: i64,
    /// Length of the holdout period (calibration end to the last purchase day), in the unit.
    pub holdout_length: f64,
    /// The time unit.
    pub unit: TimeUnit,
}

/// The day (since 1970-01-01) of a timestamp in seconds.
pub fn day_of(ts: i64) -> i64 {
    ts.div_euclid(DAY)
}

/// The first and last purchase days (valid purchases only), or `None` when there are none.
pub fn purchase_span(tx: &Transactions) -> Option<(i64, i64)> {
    let mut span: Option<(i64, i64)> = None;
    for r in 0..tx.len() {
        if let Some((_, ts, _)) = purchase(tx, r) {
            let d = day_of(ts);
            span = Some(span.map_or((d, d), |(lo, hi)| (lo.min(d), hi.max(d))));
        }
    }
    span
}

/// Row `r` as (customer, ts, amount) when it is a purchase.
fn purchase(tx: &Transactions, r: usize) -> Option<(u32, i64, f64)> {
    let cancelled = tx.cancelled.get(r).copied().unwrap_or(true);
    let amount = tx.amount.get(r).copied().unwrap_or(0.0);
    if cancelled || amount.is_nan() || amount < 0.0 {
        return None;
    }
    Some((*tx.customer.get(r)?, *tx.ts.get(r)?, amount))
}

/// Summarizes the transactions with calibration end `calibration_end` (a day since 1970-01-01,
/// inclusive). Returns `None` when there are no purchases.
pub fn summarize(tx: &Transactions, calibration_end: i64, unit: TimeUnit) -> Option<Summary> {
    // (customer, day, amount) of every purchase, then one entry per customer-day.
    let mut rows: Vec<(u32, i64, f64)> = (0..tx.len())
        .filter_map(|r| purchase(tx, r))
        .map(|(c, ts, a)| (c, day_of(ts), a))
        .collect();
    let purchase_rows = rows.len();
    let excluded_rows = tx.len() - purchase_rows;
    rows.sort_unstable_by_key(|x| (x.0, x.1));
    let mut days: Vec<(u32, i64, f64)> = Vec::with_capacity(rows.len());
    for (c, d, a) in rows {
        match days.last_mut() {
            Some(last) if last.0 == c && last.1 == d => last.2 += a,
            _ => days.push((c, d, a)),
        }
    }
    let first_day = days.iter().map(|d| d.1).min()?;
    let last_day = days.iter().map(|d| d.1).max()?;
    let per = unit.days();
    let mut out = Vec::new();
    let mut left_out = 0;
    for group in days.chunk_by(|x, y| x.0 == y.0) {
        let Some(&(customer, first, _)) = group.first() else {
            continue;
        };
        if first > calibration_end {
            left_out += 1;
            continue;
        }
        let mut frequency = 0u32;
        let mut last = first;
        let mut spend = 0.0;
        let mut holdout = 0u32;
        for &(_, d, a) in group.iter().skip(1) {
            if d <= calibration_end {
                frequency += 1;
                last = d;
                spend += a;
            } else {
                holdout += 1;
            }
        }
        out.push(CustomerSummary {
            customer,
            frequency,
            recency: (last - first) as f64 / per,
            t: (calibration_end - first) as f64 / per,
            monetary: if frequency > 0 {
                spend / f64::from(frequency)
            } else {
                0.0
            },
            holdout_purchases: holdout,
        });
    }
    Some(Summary {
        rows: out,
        left_out,
        purchase_rows,
        excluded_rows,
        first_day,
        last_day,
        calibration_end,
        holdout_length: (last_day - calibration_end).max(0) as f64 / per,
        unit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(rows: &[(u32, i64, f64, bool)]) -> Transactions {
        let mut t = Transactions::default();
        for &(c, day, amount, cancelled) in rows {
            t.customer.push(c);
            t.product.push(crate::data::dataset::NONE);
            t.ts.push(day * DAY + 3600);
            t.order.push(crate::data::dataset::NONE);
            t.quantity.push(1.0);
            t.amount.push(amount);
            t.cancelled.push(cancelled);
            t.rating.push(f32::NAN);
        }
        t
    }

    #[test]
    fn counts_purchase_days_and_splits_calibration_from_holdout() {
        let t = tx(&[
            (0, 100, 10.0, false),
            (0, 100, 5.0, false), // same day: one purchase
            (0, 107, 20.0, false),
            (0, 107, 4.0, false),
            (0, 114, -3.0, false), // a return: left out
            (0, 121, 30.0, true),  // cancelled: left out
            (0, 128, 6.0, false),
            (0, 140, 8.0, false), // holdout
            (0, 141, 8.0, false), // holdout
            (1, 110, 7.0, false), // one purchase only
            (2, 135, 9.0, false), // first purchase after the calibration end
        ]);
        let s = summarize(&t, 135 - 1, TimeUnit::Week).unwrap();
        assert_eq!(s.left_out, 1);
        assert_eq!((s.purchase_rows, s.excluded_rows), (9, 2));
        assert_eq!((s.first_day, s.last_day), (100, 141));
        assert_eq!(s.rows.len(), 2);
        let a = s.rows[0];
        assert_eq!((a.customer, a.frequency, a.holdout_purchases), (0, 2, 2));
        assert!((a.recency - 4.0).abs() < 1e-12);
        assert!((a.t - 34.0 / 7.0).abs() < 1e-12);
        assert!((a.monetary - 15.0).abs() < 1e-12); // (24 + 6) / 2
        let b = s.rows[1];
        assert_eq!((b.frequency, b.recency, b.monetary), (0, 0.0, 0.0));
        assert!((s.holdout_length - 1.0).abs() < 1e-12);
        let days = summarize(&t, 134, TimeUnit::Day).unwrap();
        assert!((days.rows[0].t - 34.0).abs() < 1e-12);
        assert!(summarize(&tx(&[(0, 1, -1.0, false)]), 5, TimeUnit::Day).is_none());
        // A zero amount is a purchase (with no spend).
        let zero = summarize(
            &tx(&[(0, 1, 0.0, false), (0, 3, 0.0, false)]),
            5,
            TimeUnit::Day,
        );
        assert_eq!(zero.unwrap().rows[0].frequency, 1);
    }
}
