//! One lifetime-value run end to end: summaries, BG/NBD, Gamma-Gamma, per-customer values, the
//! holdout comparison and the P(alive) grid.

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Serialize, Serializer};

use crate::data::dataset::Dataset;
use crate::error::{Error, Result};
use crate::models::clv::bgnbd::{self, BgNbd, BgNbdFit, RfData};
use crate::models::clv::gamma_gamma::{self, GammaGamma, GammaGammaFit};
use crate::models::clv::summary::{self, TimeUnit};
use crate::progress::Progress;

/// Days in the month used for discounting.
pub const DAYS_PER_MONTH: f64 = 30.0;

/// Parameters of a lifetime-value run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClvParams {
    /// Last day of the calibration period (inclusive); `None`: the last purchase day, so no
    /// holdout.
    #[serde(serialize_with = "serialize_date")]
    pub calibration_end: Option<NaiveDate>,
    /// Unit of recency, T and the horizon.
    pub time_unit: TimeUnit,
    /// Horizon of expected purchases and CLV, in the time unit.
    pub horizon: f64,
    /// Monthly discount rate of the CLV (0.01 = 1% a month; months of 30 days). With 0, CLV is
    /// simply expected purchases over the horizon × expected spend per purchase; otherwise the
    /// expected purchases of each month are discounted by (1 + rate)^month, as `lifetimes`'
    /// `customer_lifetime_value` does.
    pub discount_monthly: f64,
}

impl ClvParams {
    /// Defaults for a unit: calibration to the last purchase, a one-year horizon (52 weeks or
    /// 365 days), no discounting.
    pub fn new(time_unit: TimeUnit) -> ClvParams {
        ClvParams {
            calibration_end: None,
            time_unit,
            horizon: match time_unit {
                TimeUnit::Day => 365.0,
                TimeUnit::Week => 52.0,
            },
            discount_monthly: 0.0,
        }
    }
}

fn serialize_date<S: Serializer>(
    d: &Option<NaiveDate>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.format("%Y-%m-%d").to_string()),
        None => s.serialize_none(),
    }
}

/// One customer's values, as of the last purchase day of the data (see [`ClvResult::customers`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CustomerValue {
    /// Customer index in the `Dataset` (`dataset.customer_ids[customer]`).
    pub customer: u32,
    /// Repeat purchase days up to the last purchase day of the data.
    pub frequency: u32,
    /// Last − first purchase, in the time unit.
    pub recency: f64,
    /// Last purchase day of the data − first purchase, in the time unit.
    pub t: f64,
    /// Mean spend over the repeat purchase days (0 without repeat purchases).
    pub monetary: f64,
    /// Probability that the customer is still active on the last purchase day of the data.
    pub p_alive: f64,
    /// Expected purchases over the horizon.
    pub expected_purchases: f64,
    /// Expected spend per purchase (Gamma-Gamma); `None` without a Gamma-Gamma fit.
    pub expected_spend: Option<f64>,
    /// Lifetime value over the horizon; `None` without a Gamma-Gamma fit or when not finite.
    pub clv: Option<f64>,
    /// Purchase days after the calibration end (0 without a holdout).
    pub holdout_purchases: u32,
}

/// The fits the per-customer values come from when a calibration end leaves a holdout: the
/// same models refitted on every purchase up to the last day of the data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValuesFit {
    /// BG/NBD on the whole period.
    pub bgnbd: BgNbdFit,
    /// Gamma-Gamma on the whole period; `None` without repeat customers.
    pub gamma_gamma: Option<GammaGammaFit>,
}

/// Actual against predicted holdout purchases for customers with one calibration frequency.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HoldoutBin {
    /// Calibration frequency; the last bin holds this many or more (`7` is "7+").
    pub frequency: u32,
    /// Customers in the bin.
    pub customers: usize,
    /// Mean purchases in the holdout period.
    pub actual: f64,
    /// Mean of the BG/NBD conditional expectation over the holdout period.
    pub predicted: f64,
}

/// The calibration/holdout comparison (the paper's Figure 4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Holdout {
    /// Length of the holdout period, in the time unit.
    pub length: f64,
    /// Bins by calibration frequency 0..7+.
    pub bins: Vec<HoldoutBin>,
    /// Total purchases in the holdout.
    pub actual_total: f64,
    /// Total predicted purchases in the holdout.
    pub predicted_total: f64,
}

/// P(alive) over frequency × recency for customers of age `t` (the window's heatmap).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AliveGrid {
    /// The age of the grid's customers: the largest T, in the time unit.
    pub t: f64,
    /// Row values: frequencies 0..=max.
    pub frequencies: Vec<u32>,
    /// Column values: recencies from 0 to `t`.
    pub recencies: Vec<f64>,
    /// `p_alive[row][column]`.
    pub p_alive: Vec<Vec<f64>>,
}

/// The result of a lifetime-value run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClvResult {
    /// The parameters.
    pub params: ClvParams,
    /// The calibration end used (ISO date).
    pub calibration_end: String,
    /// First purchase day of the data (ISO date).
    pub first_purchase: String,
    /// Last purchase day of the data (ISO date).
    pub last_purchase: String,
    /// The BG/NBD fit on the calibration period (the reported parameters).
    pub bgnbd: BgNbdFit,
    /// The Gamma-Gamma fit on the calibration period; `None` without repeat customers.
    pub gamma_gamma: Option<GammaGammaFit>,
    /// The refit on the whole period the per-customer values come from; `None` when the
    /// calibration ends on the last purchase day (the calibration fits are the whole period).
    pub values_fit: Option<ValuesFit>,
    /// The day the per-customer values are as of: the last purchase day (ISO date).
    pub values_as_of: String,
    /// One row per customer with a purchase, by customer index, as of the last purchase day
    /// (so customers who first bought after the calibration end get a value too).
    pub customers: Vec<CustomerValue>,
    /// Customers in the calibration fit (a purchase on or before the calibration end).
    pub calibration_customers: usize,
    /// Customers whose first purchase comes after the calibration end (left out of the
    /// calibration fit; valued by the whole-period refit).
    pub left_out: usize,
    /// Customers with no purchase at all (returns or cancellations only, or no rows).
    pub without_purchases: usize,
    /// Transaction rows left out: cancelled, or a negative amount.
    pub excluded_rows: usize,
    /// The holdout comparison; `None` when the calibration ends on the last purchase day.
    pub holdout: Option<Holdout>,
    /// The P(alive) grid, from the model the per-customer values come from.
    pub alive_grid: AliveGrid,
}

fn iso(day: i64) -> String {
    date_of_day(day)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The date of a day number (days since 1970-01-01).
pub fn date_of_day(day: i64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.checked_add_signed(chrono::Duration::days(day)))
}

/// Share of the purchase history the suggested calibration end leaves for the holdout.
pub const SUGGESTED_HOLDOUT_SHARE: f64 = 1.0 / 3.0;
/// Fewest days of purchase history for which a calibration end is suggested.
pub const MIN_SPAN_FOR_HOLDOUT: i64 = 21;

/// A calibration end that leaves about the last third of the purchase history as a holdout:
/// the last purchase day minus a third of the span (first to last purchase day), rounded to a
/// whole day. `None` when the history is shorter than [`MIN_SPAN_FOR_HOLDOUT`] days.
pub fn suggested_calibration_end(first: NaiveDate, last: NaiveDate) -> Option<NaiveDate> {
    let span = (last - first).num_days();
    if span < MIN_SPAN_FOR_HOLDOUT {
        return None;
    }
    let holdout = (span as f64 * SUGGESTED_HOLDOUT_SHARE).round() as i64;
    last.checked_sub_signed(chrono::Duration::days(holdout))
}

fn day_number(d: NaiveDate) -> i64 {
    NaiveDate::from_ymd_opt(1970, 1, 1).map_or(0, |e| (d - e).num_days())
}

/// The longest horizon, in days (100 years).
const MAX_HORIZON_DAYS: f64 = 36_525.0;

/// Runs BG/NBD and Gamma-Gamma on the dataset's transactions.
pub fn run(data: &Dataset, params: &ClvParams, progress: &dyn Progress) -> Result<ClvResult> {
    // A lifetime value looks at most a century ahead; beyond, the figures are meaningless.
    let max_horizon = MAX_HORIZON_DAYS / params.time_unit.days();
    if !(params.horizon > 0.0 && params.horizon <= max_horizon) {
        return Err(Error::Invalid(format!(
            "the horizon must be a positive number of {} up to {max_horizon} (100 years), not {}",
            params.time_unit.plural(),
            params.horizon
        )));
    }
    if !(params.discount_monthly >= 0.0 && params.discount_monthly < 1.0) {
        return Err(Error::Invalid(format!(
            "the monthly discount rate must be in [0, 1), not {}",
            params.discount_monthly
        )));
    }
    let tx = &data.transactions;
    if tx.is_empty() {
        return Err(Error::Invalid(
            "no transactions: lifetime value needs purchase history".into(),
        ));
    }
    let Some((first, last)) = summary::purchase_span(tx) else {
        return Err(Error::Invalid(
            "no purchases: every transaction is cancelled or a return".into(),
        ));
    };
    let end = params.calibration_end.map_or(last, day_number);
    if end > last {
        return Err(Error::Invalid(format!(
            "the calibration end {} is after the last purchase ({}): the holdout would be empty",
            iso(end),
            iso(last)
        )));
    }
    if end < first {
        return Err(Error::Invalid(format!(
            "the calibration end {} is before the first purchase ({})",
            iso(end),
            iso(first)
        )));
    }
    progress.report(0.05, "Summarizing purchases");
    let Some(s) = summary::summarize(tx, end, params.time_unit) else {
        return Err(Error::Invalid("no purchases to summarize".into()));
    };
    progress.check()?;
    let refit = end < last;
    let span = if refit { 0.45 } else { 0.9 };
    let (fit, gg, d) = fit_models(&s, progress, 0.05, span)?;
    progress.report(0.05 + span, "Computing customer values");
    let holdout = (s.holdout_length > 0.0).then(|| holdout(&fit.params, &s.rows, s.holdout_length));
    let mut values_fit = None;
    let mut whole_period = None;
    if refit {
        let Some(w) = summary::summarize(tx, last, params.time_unit) else {
            return Err(Error::Invalid("no purchases to summarize".into()));
        };
        progress.check()?;
        let (bg, spend, wd) = fit_models(&w, progress, 0.5, 0.4)?;
        values_fit = Some(ValuesFit {
            bgnbd: bg,
            gamma_gamma: spend,
        });
        whole_period = Some((w, wd));
    }
    let (whole, model_data) = whole_period.as_ref().map_or((&s, &d), |(w, wd)| (w, wd));
    progress.report(0.92, "Computing customer values");
    let model = values_fit.as_ref().map_or(fit.params, |v| v.bgnbd.params);
    let spend_model: Option<GammaGamma> = match &values_fit {
        Some(v) => v.gamma_gamma.as_ref().map(|g| g.params),
        None => gg.as_ref().map(|g| g.params),
    };
    let customers: Vec<CustomerValue> = whole
        .rows
        .par_iter()
        .map(|r| {
            // Purchases after the calibration end, from the calibration summary (by index).
            let holdout_purchases = s
                .rows
                .binary_search_by_key(&r.customer, |c| c.customer)
                .ok()
                .and_then(|i| s.rows.get(i))
                .map_or(0, |c| c.holdout_purchases);
            customer_value(&model, spend_model.as_ref(), params, r, holdout_purchases)
        })
        .collect();
    progress.check()?;
    let alive_grid = alive_grid(&model, model_data);
    progress.report(1.0, "Done");
    Ok(ClvResult {
        params: *params,
        calibration_end: iso(end),
        first_purchase: iso(first),
        last_purchase: iso(last),
        bgnbd: fit,
        gamma_gamma: gg,
        values_fit,
        values_as_of: iso(last),
        without_purchases: data.n_customers().saturating_sub(customers.len()),
        customers,
        calibration_customers: s.rows.len(),
        left_out: s.left_out,
        excluded_rows: s.excluded_rows,
        holdout,
        alive_grid,
    })
}

/// One customer's values from the models; values that are not finite numbers are `None`
/// (spend, CLV) or 0 (P(alive), expected purchases).
fn customer_value(
    model: &BgNbd,
    spend_model: Option<&GammaGamma>,
    params: &ClvParams,
    r: &summary::CustomerSummary,
    holdout_purchases: u32,
) -> CustomerValue {
    let step = DAYS_PER_MONTH / params.time_unit.days();
    let expected = finite(model.expected_purchases(params.horizon, r.frequency, r.recency, r.t));
    let spend = spend_model.and_then(|g| g.expected_spend(r.frequency, r.monetary));
    let clv = spend.and_then(|spend| {
        let v = spend
            * discounted_purchases(model, params, step, r.frequency, r.recency, r.t, expected);
        v.is_finite().then_some(v)
    });
    CustomerValue {
        customer: r.customer,
        frequency: r.frequency,
        recency: r.recency,
        t: r.t,
        monetary: r.monetary,
        p_alive: finite(model.p_alive(r.frequency, r.recency, r.t)),
        expected_purchases: expected,
        expected_spend: spend,
        clv,
        holdout_purchases,
    }
}

/// A model output that is not a finite number counts as 0 (it never is in practice: the
/// guards in `bgnbd` keep it finite).
fn finite(v: f64) -> f64 {
    if v.is_finite() { v } else { 0.0 }
}

/// Fits BG/NBD and Gamma-Gamma on a summary; progress from `from` over `span`.
fn fit_models(
    s: &summary::Summary,
    progress: &dyn Progress,
    from: f32,
    span: f32,
) -> Result<(BgNbdFit, Option<GammaGammaFit>, RfData)> {
    let d = RfData {
        x: s.rows.iter().map(|r| r.frequency).collect(),
        t_x: s.rows.iter().map(|r| r.recency).collect(),
        t: s.rows.iter().map(|r| r.t).collect(),
    };
    progress.report(from + 0.1 * span, "Fitting BG/NBD");
    let stop = || progress.is_cancelled();
    let fit = bgnbd::fit_until(&d, &stop);
    progress.check()?;
    progress.report(from + 0.8 * span, "Fitting Gamma-Gamma");
    let pairs: Vec<(u32, f64)> = s.rows.iter().map(|r| (r.frequency, r.monetary)).collect();
    let gg = gamma_gamma::fit_until(&pairs, &stop);
    progress.check()?;
    Ok((fit, gg, d))
}

/// Expected purchases over the horizon, each month's discounted by (1 + rate)^month.
fn discounted_purchases(
    model: &BgNbd,
    params: &ClvParams,
    month: f64,
    x: u32,
    t_x: f64,
    t: f64,
    undiscounted: f64,
) -> f64 {
    if params.discount_monthly <= 0.0 {
        return undiscounted;
    }
    let mut total = 0.0;
    let mut prev = 0.0;
    let mut k = 1;
    loop {
        let end = (f64::from(k) * month).min(params.horizon);
        let e = model.expected_purchases(end, x, t_x, t);
        total += (e - prev) / (1.0 + params.discount_monthly).powi(k);
        prev = e;
        if end >= params.horizon || k >= 100_000 {
            break;
        }
        k += 1;
    }
    total
}

/// Calibration frequencies 0..=6 get a bin each; 7 and more share the last.
const HOLDOUT_BINS: u32 = 8;

fn holdout(model: &BgNbd, customers: &[summary::CustomerSummary], length: f64) -> Holdout {
    let predicted: Vec<f64> = customers
        .par_iter()
        .map(|c| model.expected_purchases(length, c.frequency, c.recency, c.t))
        .collect();
    let mut sums = vec![(0usize, 0.0f64, 0.0f64); HOLDOUT_BINS as usize];
    for (c, p) in customers.iter().zip(&predicted) {
        let bin = c.frequency.min(HOLDOUT_BINS - 1) as usize;
        if let Some(s) = sums.get_mut(bin) {
            s.0 += 1;
            s.1 += f64::from(c.holdout_purchases);
            s.2 += p;
        }
    }
    let actual_total = sums.iter().map(|s| s.1).sum();
    let predicted_total = sums.iter().map(|s| s.2).sum();
    let bins = sums
        .into_iter()
        .enumerate()
        .map(|(f, (n, a, p))| HoldoutBin {
            frequency: f as u32,
            customers: n,
            actual: if n > 0 { a / n as f64 } else { 0.0 },
            predicted: if n > 0 { p / n as f64 } else { 0.0 },
        })
        .collect();
    Holdout {
        length,
        bins,
        actual_total,
        predicted_total,
    }
}

/// Columns of the P(alive) grid.
const GRID_COLUMNS: usize = 41;
/// The most rows (frequencies) of the P(alive) grid.
const GRID_MAX_FREQUENCY: u32 = 60;

fn alive_grid(model: &BgNbd, d: &RfData) -> AliveGrid {
    let t = d.t.iter().copied().fold(0.0, f64::max);
    let max_x =
        d.x.iter()
            .copied()
            .max()
            .unwrap_or(0)
            .min(GRID_MAX_FREQUENCY);
    let frequencies: Vec<u32> = (0..=max_x).collect();
    let recencies: Vec<f64> = (0..GRID_COLUMNS)
        .map(|i| t * i as f64 / (GRID_COLUMNS - 1) as f64)
        .collect();
    let p_alive = frequencies
        .iter()
        .map(|&x| recencies.iter().map(|&r| model.p_alive(x, r, t)).collect())
        .collect();
    AliveGrid {
        t,
        frequencies,
        recencies,
        p_alive,
    }
}

impl ClvResult {
    /// The JSON summary printed by `tailor clv --json` and stored with the run: parameters,
    /// fits and totals, without the per-customer rows.
    pub fn summary(&self) -> serde_json::Value {
        let bg = &self.bgnbd;
        let total_clv: Option<f64> = self
            .values_gamma_gamma()
            .map(|_| self.customers.iter().filter_map(|c| c.clv).sum());
        let values_bg = self.values_bgnbd();
        serde_json::json!({
            "bgnbd": bgnbd_json(bg),
            "gamma_gamma": self.gamma_gamma.as_ref().map(gamma_gamma_json),
            "customers": self.customers.len(),
            "calibration_customers": self.calibration_customers,
            "left_out": self.left_out,
            "without_purchases": self.without_purchases,
            "excluded_rows": self.excluded_rows,
            "time_unit": self.params.time_unit,
            "horizon": self.params.horizon,
            "discount_monthly": self.params.discount_monthly,
            "calibration_end": self.calibration_end,
            "first_purchase": self.first_purchase,
            "last_purchase": self.last_purchase,
            "values_as_of": self.values_as_of,
            "values_refit": self.values_fit.is_some(),
            "values_bgnbd": bgnbd_json(values_bg),
            "values_gamma_gamma": self.values_gamma_gamma().map(gamma_gamma_json),
            "expected_purchases": self.customers.iter().map(|c| c.expected_purchases).sum::<f64>(),
            "total_clv": total_clv,
            "holdout": self.holdout,
        })
    }

    /// The BG/NBD fit the per-customer values come from.
    pub fn values_bgnbd(&self) -> &BgNbdFit {
        self.values_fit.as_ref().map_or(&self.bgnbd, |v| &v.bgnbd)
    }

    /// The Gamma-Gamma fit the per-customer values come from.
    pub fn values_gamma_gamma(&self) -> Option<&GammaGammaFit> {
        match &self.values_fit {
            Some(v) => v.gamma_gamma.as_ref(),
            None => self.gamma_gamma.as_ref(),
        }
    }
}

fn bgnbd_json(bg: &BgNbdFit) -> serde_json::Value {
    serde_json::json!({
        "r": bg.params.r,
        "alpha": bg.params.alpha,
        "a": bg.params.a,
        "b": bg.params.b,
        "log_likelihood": bg.log_likelihood,
        "converged": bg.converged,
    })
}

fn gamma_gamma_json(g: &GammaGammaFit) -> serde_json::Value {
    serde_json::json!({
        "p": g.params.p,
        "q": g.params.q,
        "v": g.params.v,
        "log_likelihood": g.log_likelihood,
        "repeat_customers": g.customers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::dataset::{NONE, Transactions};
    use crate::progress::NoProgress;

    /// 60 customers buying every `1 + i % 5` weeks from day `i` to a day depending on `i`.
    fn dataset() -> Dataset {
        let mut t = Transactions::default();
        let base = 10_000i64; // days since 1970
        for c in 0..60u32 {
            let gap = 7 * (1 + i64::from(c) % 5);
            let stop = 100 + 3 * i64::from(c);
            let mut day = i64::from(c);
            while day < stop {
                t.customer.push(c);
                t.product.push(NONE);
                t.ts.push((base + day) * 86_400);
                t.order.push(NONE);
                t.quantity.push(1.0);
                t.amount.push(10.0 + f64::from(c % 7) + (day % 3) as f64);
                t.cancelled.push(false);
                t.rating.push(f32::NAN);
                day += gap;
            }
        }
        Dataset {
            customer_ids: (0..60).map(|i| format!("c{i:02}")).collect(),
            transactions: t,
            has_transactions: true,
            ..Dataset::default()
        }
    }

    #[test]
    fn discounting_lowers_clv_and_holdout_needs_a_calibration_end() {
        let data = dataset();
        let mut params = ClvParams::new(TimeUnit::Week);
        let plain = run(&data, &params, &NoProgress).unwrap();
        assert!(plain.holdout.is_none());
        assert_eq!(plain.customers.len(), 60);
        assert!(plain.gamma_gamma.is_some());
        params.discount_monthly = 0.02;
        let discounted = run(&data, &params, &NoProgress).unwrap();
        for (a, b) in plain.customers.iter().zip(&discounted.customers) {
            let (a, b) = (a.clv.unwrap(), b.clv.unwrap());
            assert!(b < a && b > 0.8 * a, "{b} vs {a}");
        }
        params.calibration_end = NaiveDate::from_ymd_opt(1997, 8, 1);
        let split = run(&data, &params, &NoProgress).unwrap();
        assert_eq!(split.calibration_end, "1997-08-01");
        assert_eq!(split.calibration_customers + split.left_out, 60);
        assert_eq!(split.customers.len(), 60);
        let h = split.holdout.unwrap();
        assert_eq!(h.bins.len(), 8);
        assert!(h.actual_total > 0.0 && h.predicted_total > 0.0);
        assert_eq!(
            split.alive_grid.p_alive.len(),
            split.alive_grid.frequencies.len()
        );
        params.calibration_end = NaiveDate::from_ymd_opt(1990, 1, 1);
        assert!(matches!(
            run(&data, &params, &NoProgress),
            Err(Error::Invalid(m)) if m.contains("before the first purchase")
        ));
        params.calibration_end = None;
        params.horizon = 0.0;
        assert!(run(&data, &params, &NoProgress).is_err());
        assert!(
            run(
                &Dataset::default(),
                &ClvParams::new(TimeUnit::Day),
                &NoProgress
            )
            .is_err()
        );
    }

    #[test]
    fn values_are_as_of_the_last_day_for_every_customer() {
        let data = dataset();
        let mut params = ClvParams::new(TimeUnit::Week);
        let whole = run(&data, &params, &NoProgress).unwrap();
        assert!(whole.values_fit.is_none());
        assert_eq!(whole.values_as_of, whole.last_purchase);
        // Customers c00..c59 first buy on days 0..59 after the base: a calibration end on day
        // 30 leaves 29 of them out of the calibration fit.
        params.calibration_end = NaiveDate::from_ymd_opt(1997, 6, 18); // base + 30 days
        let split = run(&data, &params, &NoProgress).unwrap();
        assert_eq!(split.calibration_end, "1997-06-18");
        assert_eq!((split.calibration_customers, split.left_out), (31, 29));
        assert!(split.holdout.is_some());
        let refit = split.values_fit.as_ref().unwrap();
        assert_ne!(refit.bgnbd.params, split.bgnbd.params);
        // Every customer is valued, as of the last purchase day, by the whole-period refit:
        // the same values as a run without a calibration end.
        assert_eq!(split.customers.len(), 60);
        assert_eq!(split.values_as_of, whole.last_purchase);
        assert_eq!(refit.bgnbd.params, whole.bgnbd.params);
        for (a, b) in split.customers.iter().zip(&whole.customers) {
            assert_eq!((a.customer, a.frequency), (b.customer, b.frequency));
            assert_eq!((a.t, a.p_alive, a.clv), (b.t, b.p_alive, b.clv));
            assert!(a.clv.is_some_and(f64::is_finite), "{a:?}");
            assert!(a.expected_spend.is_some_and(|s| s > 0.0), "{a:?}");
        }
        // Customers who first bought after the calibration end have values too.
        let late = &split.customers[59];
        assert!(
            late.p_alive > 0.0 && late.expected_purchases > 0.0,
            "{late:?}"
        );
        // Purchases after the calibration end are carried from the calibration summary.
        assert!(split.customers[0].holdout_purchases > 0);
        assert_eq!(late.holdout_purchases, 0);
        let json = split.summary();
        assert_eq!(json["customers"], 60);
        assert_eq!(json["calibration_customers"], 31);
        assert_eq!(json["values_refit"], true);
        assert_eq!(json["values_as_of"], whole.last_purchase.as_str());
        assert_eq!(json["bgnbd"]["r"], split.bgnbd.params.r);
        assert_eq!(json["values_bgnbd"]["r"], refit.bgnbd.params.r);
    }

    #[test]
    fn a_spend_model_without_a_population_mean_gives_no_clv_rather_than_nan() {
        // Gamma-Gamma with q ≤ 1 has no population mean: a customer without repeat purchases
        // gets no spend estimate and no CLV (None, never NaN); a repeat customer still does.
        let g = GammaGamma {
            p: 1.5,
            q: 0.9,
            v: 4.0,
        };
        let model = BgNbd {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        };
        let params = ClvParams::new(TimeUnit::Week);
        let row = |frequency, monetary| summary::CustomerSummary {
            customer: 0,
            frequency,
            recency: if frequency > 0 { 20.0 } else { 0.0 },
            t: 30.0,
            monetary,
            holdout_purchases: 0,
        };
        let one_off = customer_value(&model, Some(&g), &params, &row(0, 0.0), 0);
        assert_eq!((one_off.expected_spend, one_off.clv), (None, None));
        assert!(one_off.p_alive.is_finite() && one_off.expected_purchases > 0.0);
        let repeat = customer_value(&model, Some(&g), &params, &row(3, 20.0), 0);
        assert!(
            repeat.clv.is_some_and(|v| v.is_finite() && v > 0.0),
            "{repeat:?}"
        );
        let none = customer_value(&model, None, &params, &row(3, 20.0), 0);
        assert_eq!(none.clv, None);
    }

    #[test]
    fn the_suggested_calibration_end_holds_out_the_last_third() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        // CDNOW: 1997-01-01 to 1998-06-30, 545 days; a third is 182 (181.67 rounded).
        assert_eq!(
            suggested_calibration_end(d(1997, 1, 1), d(1998, 6, 30)),
            Some(d(1997, 12, 30))
        );
        assert_eq!(
            suggested_calibration_end(d(2024, 1, 1), d(2024, 1, 31)),
            Some(d(2024, 1, 21))
        );
        assert_eq!(
            suggested_calibration_end(d(2024, 1, 1), d(2024, 1, 10)),
            None
        );
        assert_eq!(date_of_day(0), Some(d(1970, 1, 1)));
    }
}
