//! Churn and lifetime value on the worker: run either model on the cached [`Dataset`], store the
//! run, and precompute what the Churn & value panel draws (chart points, a threshold table that
//! answers the slider in O(log n), the target list sorted by value at risk).
//!
//! The worker keeps the latest churn and CLV views in a [`ChurnCache`] so that whichever runs
//! second can join the other into the target list; the cache is dropped with the dataset.

use std::path::Path;
use std::sync::Arc;

use crate::data::dataset::Dataset;
use crate::data::db::Database;
use crate::error::{Error, Result};
use crate::export::audience::{Audience, Cell, ExportOptions, ExportSummary, export_audience};
use crate::models::churn::evaluate::{Confusion, LeakageFlag, OfferInputs, OfferOutcome};
use crate::models::churn::features::{Imputed, LeftOut};
use crate::models::churn::label::LabelInfo;
use crate::models::churn::run::{ChurnParams, ChurnResult, FoldMetrics, Metrics};
use crate::models::clv::run::{ClvParams, ClvResult};
use crate::progress::Progress;

/// Bars in the panel's feature-importance chart.
pub const IMPORTANCE_BARS: usize = 12;

/// Probabilities sorted from high to low with the running count of churners, so the confusion
/// matrix at any threshold is a binary search.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ThresholdTable {
    /// Calibrated probabilities, highest first.
    pub sorted: Vec<f64>,
    /// `churners_above[i]`: churners among the first `i` customers of `sorted`.
    pub churners_above: Vec<u32>,
}

impl ThresholdTable {
    /// Builds the table from probabilities and labels (1 churned).
    pub fn new(p: &[f64], y: &[u8]) -> ThresholdTable {
        let mut pairs: Vec<(f64, u8)> = p.iter().copied().zip(y.iter().copied()).collect();
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut churners_above = Vec::with_capacity(pairs.len() + 1);
        let mut running = 0u32;
        churners_above.push(0);
        for (_, label) in &pairs {
            running += u32::from(*label == 1);
            churners_above.push(running);
        }
        ThresholdTable {
            sorted: pairs.into_iter().map(|(p, _)| p).collect(),
            churners_above,
        }
    }

    /// Customers with probability ≥ `threshold`.
    pub fn targeted(&self, threshold: f64) -> usize {
        self.sorted.partition_point(|p| *p >= threshold)
    }

    /// The same as [`crate::models::churn::evaluate::offer_outcome`], in O(log n).
    pub fn outcome(&self, threshold: f64, inputs: &OfferInputs) -> OfferOutcome {
        let targeted = self.targeted(threshold);
        let churners = self.churners_above.last().copied().unwrap_or(0) as usize;
        let tp = self.churners_above.get(targeted).copied().unwrap_or(0) as usize;
        let fp = targeted - tp;
        let fn_ = churners - tp;
        let tn = self.sorted.len() - targeted - fn_;
        let confusion = Confusion {
            true_positives: tp,
            false_positives: fp,
            true_negatives: tn,
            false_negatives: fn_,
        };
        let cost = targeted as f64 * inputs.offer_cost;
        let benefit = tp as f64 * inputs.acceptance_rate * inputs.value_saved;
        OfferOutcome {
            threshold,
            confusion,
            targeted,
            cost,
            benefit,
            net: benefit - cost,
            precision: if targeted > 0 {
                tp as f64 / targeted as f64
            } else {
                0.0
            },
            recall: if churners > 0 {
                tp as f64 / churners as f64
            } else {
                0.0
            },
        }
    }
}

/// What the panel draws of a churn run.
#[derive(Debug, Clone, PartialEq)]
pub struct ChurnView {
    /// The parameters run.
    pub params: ChurnParams,
    /// The label used.
    pub label: LabelInfo,
    /// Pooled metrics.
    pub metrics: Metrics,
    /// Per fold.
    pub folds: Vec<FoldMetrics>,
    /// Columns that alone predict the label (possible leakage).
    pub leakage: Vec<LeakageFlag>,
    /// Model columns.
    pub n_features: usize,
    /// ROC points (false positive rate, true positive rate).
    pub roc: Vec<[f64; 2]>,
    /// Precision-recall points (recall, precision).
    pub pr: Vec<[f64; 2]>,
    /// Reliability before calibration (mean predicted, observed share).
    pub reliability: Vec<[f64; 2]>,
    /// Reliability after calibration.
    pub reliability_calibrated: Vec<[f64; 2]>,
    /// Cumulative gains (share targeted, share of churners).
    pub gains: Vec<[f64; 2]>,
    /// Share of churners among the riskiest 10%.
    pub top_decile_share: f64,
    /// The strongest columns, largest first: signed standardized coefficients (logistic;
    /// above 0 raises the risk) or impurity importance (forest).
    pub importance: Vec<(String, f64)>,
    /// Blanks filled, per column that had any.
    pub imputed: Vec<Imputed>,
    /// Columns left out of the model, and why.
    pub left_out: Vec<LeftOut>,
    /// For the threshold slider.
    pub thresholds: ThresholdTable,
    /// The stored run's id (`None`: read-only database).
    pub run_id: Option<i64>,
}

/// What the panel shows of a CLV run.
#[derive(Debug, Clone, PartialEq)]
pub struct ClvView {
    /// The fits, holdout and P(alive) grid (per-customer rows live in the target list).
    pub result: ClvResult,
    /// Holdout actual purchases per customer by calibration frequency (frequency, mean).
    pub holdout_actual: Vec<[f64; 2]>,
    /// Holdout predicted purchases by calibration frequency.
    pub holdout_predicted: Vec<[f64; 2]>,
    /// The stored run's id (`None`: read-only database).
    pub run_id: Option<i64>,
    /// Customers with per-customer values (they live in the target list, not in `result`).
    pub valued_customers: usize,
}

/// One customer of the target list.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRow {
    /// The customer.
    pub customer_id: String,
    /// Calibrated churn probability.
    pub probability: f64,
    /// Observed label (1 churned).
    pub label: u8,
    /// Reasons, strongest first.
    pub reasons: Vec<String>,
    /// The push of the first reason on the risk (above 0 raises it); a low-risk customer's
    /// only reason may lower it.
    pub top_weight: f64,
    /// P(alive) from BG/NBD, when CLV ran.
    pub p_alive: Option<f64>,
    /// Expected purchases over the horizon, when CLV ran.
    pub expected_purchases: Option<f64>,
    /// Expected spend per purchase (Gamma-Gamma), when CLV ran and it is defined.
    pub expected_spend: Option<f64>,
    /// Lifetime value, when CLV ran and the customer has a spend estimate.
    pub clv: Option<f64>,
    /// Probability × CLV.
    pub value_at_risk: Option<f64>,
}

/// Every scored customer, sorted by value at risk (then probability, then id).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TargetList {
    /// The rows in target order.
    pub rows: Vec<TargetRow>,
    /// Row indices in customer id order, for look-ups by id.
    pub by_id: Vec<u32>,
    /// Whether lifetime values were joined in.
    pub has_clv: bool,
}

impl TargetList {
    /// The row of a customer id (trimmed), if scored.
    pub fn find(&self, customer_id: &str) -> Option<&TargetRow> {
        let id = customer_id.trim();
        let pos = self
            .by_id
            .binary_search_by(|&i| {
                self.rows
                    .get(i as usize)
                    .map_or("", |r| r.customer_id.as_str())
                    .cmp(id)
            })
            .ok()?;
        self.rows.get(*self.by_id.get(pos)? as usize)
    }

    /// Indices of the rows with probability ≥ `threshold`, in target order.
    pub fn above(&self, threshold: f64) -> Vec<u32> {
        (0..self.rows.len() as u32)
            .filter(|&i| {
                self.rows
                    .get(i as usize)
                    .is_some_and(|r| r.probability >= threshold)
            })
            .collect()
    }
}

/// One customer's lifetime values, as of the last purchase day.
#[derive(Debug, Clone, PartialEq)]
struct ClvValue {
    customer_id: String,
    p_alive: f64,
    expected_purchases: f64,
    expected_spend: Option<f64>,
    clv: Option<f64>,
}

/// The worker's latest churn and CLV results (dropped with the dataset).
#[derive(Debug, Default)]
pub struct ChurnCache {
    churn: Option<(Arc<ChurnView>, Vec<TargetRow>)>,
    clv: Option<(Arc<ClvView>, Vec<ClvValue>)>,
}

fn no_database() -> Error {
    Error::Invalid("no database is open: open or import one first".to_string())
}

fn points<T>(items: &[T], f: impl Fn(&T) -> [f64; 2]) -> Vec<[f64; 2]> {
    items.iter().map(f).collect()
}

fn churn_view(result: &ChurnResult, run_id: Option<i64>) -> ChurnView {
    let c = &result.curves;
    let gains = points(&c.gains, |g| [g.targeted, g.churners]);
    ChurnView {
        params: result.params.clone(),
        label: result.label.clone(),
        metrics: result.metrics.clone(),
        folds: result.folds.clone(),
        leakage: result.leakage.clone(),
        n_features: result.features.p(),
        roc: points(&c.roc, |p| [p.fpr, p.tpr]),
        pr: points(&c.pr, |p| [p.recall, p.precision]),
        reliability: points(&c.reliability, |b| [b.predicted, b.observed]),
        reliability_calibrated: points(&c.reliability_calibrated, |b| [b.predicted, b.observed]),
        top_decile_share: share_at(&gains, 0.1),
        gains,
        importance: result
            .importance
            .iter()
            .take(IMPORTANCE_BARS)
            .map(|w| (w.name.clone(), w.weight))
            .collect(),
        imputed: result.features.imputed.clone(),
        left_out: result.features.left_out.clone(),
        thresholds: ThresholdTable::new(&result.probabilities(), &result.labels()),
        run_id,
    }
}

/// The gains curve's churner share at `x` targeted (linear between points).
pub fn share_at(gains: &[[f64; 2]], x: f64) -> f64 {
    let mut prev = [0.0, 0.0];
    for p in gains {
        if p[0] >= x {
            let span = p[0] - prev[0];
            if span <= 0.0 {
                return p[1];
            }
            return prev[1] + (p[1] - prev[1]) * (x - prev[0]) / span;
        }
        prev = *p;
    }
    prev[1]
}

fn load_cached<'c>(
    db: &Database,
    cache: &'c mut Option<Dataset>,
    progress: &dyn Progress,
) -> Result<&'c Dataset> {
    if cache.is_none() {
        *cache = Some(Dataset::load(db, progress)?);
    }
    cache.as_ref().ok_or_else(no_database)
}

/// Runs churn on the cached dataset, stores it, and returns the view and the target list.
pub fn run_churn(
    db: Option<&mut Database>,
    data: &mut Option<Dataset>,
    cache: &mut ChurnCache,
    params: &ChurnParams,
    progress: &dyn Progress,
) -> Result<(Arc<ChurnView>, Arc<TargetList>)> {
    let db = db.ok_or_else(no_database)?;
    let data = load_cached(db, data, progress)?;
    let (result, run_id) = crate::pipeline::churn_loaded(db, data, params, true, progress)?;
    progress.report(0.99, "Preparing the charts");
    let view = Arc::new(churn_view(&result, run_id));
    let rows = result
        .customers
        .into_iter()
        .map(|c| TargetRow {
            customer_id: c.customer_id,
            probability: c.probability,
            label: c.label,
            top_weight: c.reasons.first().map_or(0.0, |r| r.weight),
            reasons: c.reasons.into_iter().map(|r| r.text).collect(),
            p_alive: None,
            expected_purchases: None,
            expected_spend: None,
            clv: None,
            value_at_risk: None,
        })
        .collect();
    cache.churn = Some((Arc::clone(&view), rows));
    Ok((view, Arc::new(cache.targets())))
}

/// The purchase history's dates, for the lifetime-value controls.
#[derive(Debug, Clone, PartialEq)]
pub struct PurchaseSpan {
    /// First purchase day (ISO date).
    pub first: String,
    /// Last purchase day (ISO date).
    pub last: String,
    /// Days from the first to the last purchase day.
    pub days: i64,
    /// The suggested calibration end (ISO date): the last purchase day minus a third of the
    /// span, so the last third checks the predictions; `None` for a short history.
    pub suggested: Option<String>,
}

/// The first and last purchase days of the cached dataset and the suggested calibration end;
/// `None` without purchases (or without a transactions table).
pub fn purchase_span(
    db: Option<&Database>,
    data: &mut Option<Dataset>,
    progress: &dyn Progress,
) -> Result<Option<PurchaseSpan>> {
    let db = db.ok_or_else(no_database)?;
    if !db.has_table(crate::data::TableKind::Transactions) {
        return Ok(None);
    }
    let data = load_cached(db, data, progress)?;
    let Some((first, last)) = crate::models::clv::summary::purchase_span(&data.transactions) else {
        return Ok(None);
    };
    let (Some(first), Some(last)) = (
        crate::models::clv::run::date_of_day(first),
        crate::models::clv::run::date_of_day(last),
    ) else {
        return Ok(None);
    };
    let iso = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    Ok(Some(PurchaseSpan {
        first: iso(first),
        last: iso(last),
        days: (last - first).num_days(),
        suggested: crate::models::clv::run::suggested_calibration_end(first, last).map(iso),
    }))
}

/// Runs lifetime value on the cached dataset, stores it, and returns the view and, when churn
/// has run, the target list with the values joined in.
pub fn run_clv(
    db: Option<&mut Database>,
    data: &mut Option<Dataset>,
    cache: &mut ChurnCache,
    params: &ClvParams,
    progress: &dyn Progress,
) -> Result<(Arc<ClvView>, Option<Arc<TargetList>>)> {
    let db = db.ok_or_else(no_database)?;
    db.require(crate::data::TableKind::Transactions, "lifetime value")?;
    let data = load_cached(db, data, progress)?;
    let (mut result, run_id) = crate::pipeline::clv_loaded(db, data, params, true, progress)?;
    let values: Vec<ClvValue> = std::mem::take(&mut result.customers)
        .into_iter()
        .filter_map(|c| {
            let id = data.customer_ids.get(c.customer as usize)?.clone();
            Some(ClvValue {
                customer_id: id,
                p_alive: c.p_alive,
                expected_purchases: c.expected_purchases,
                expected_spend: c.expected_spend.filter(|v| v.is_finite()),
                clv: c.clv.filter(|v| v.is_finite()),
            })
        })
        .collect();
    let (holdout_actual, holdout_predicted) = result.holdout.as_ref().map_or_else(
        || (Vec::new(), Vec::new()),
        |h| {
            (
                points(&h.bins, |b| [f64::from(b.frequency), b.actual]),
                points(&h.bins, |b| [f64::from(b.frequency), b.predicted]),
            )
        },
    );
    let view = Arc::new(ClvView {
        result,
        holdout_actual,
        holdout_predicted,
        run_id,
        valued_customers: values.len(),
    });
    cache.clv = Some((Arc::clone(&view), values));
    let targets = cache.churn.is_some().then(|| Arc::new(cache.targets()));
    Ok((view, targets))
}

impl ChurnCache {
    /// The target list from the latest churn run, joined with the latest CLV run.
    pub fn targets(&self) -> TargetList {
        let Some((_, rows)) = &self.churn else {
            return TargetList::default();
        };
        join_targets(rows.clone(), self.clv.as_ref().map(|(_, v)| v.as_slice()))
    }
}

/// Joins lifetime values into the churn rows by customer id and sorts them by value at risk
/// (then probability, then id). Values that are not finite numbers become `None`.
fn join_targets(mut rows: Vec<TargetRow>, values: Option<&[ClvValue]>) -> TargetList {
    let has_clv = values.is_some();
    if let Some(values) = values {
        let mut sorted: Vec<&ClvValue> = values.iter().collect();
        sorted.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
        let finite = |v: f64| v.is_finite().then_some(v);
        for r in &mut rows {
            if let Ok(i) = sorted.binary_search_by(|v| v.customer_id.as_str().cmp(&r.customer_id))
                && let Some(v) = sorted.get(i)
            {
                r.p_alive = finite(v.p_alive);
                r.expected_purchases = finite(v.expected_purchases);
                r.expected_spend = v.expected_spend.and_then(finite);
                r.clv = v.clv.and_then(finite);
                r.value_at_risk = r.clv.and_then(|v| finite(v * r.probability));
            }
        }
    }
    // Missing (or non-finite) values at risk sort last, never first.
    let key = |v: Option<f64>| v.filter(|v| v.is_finite()).unwrap_or(f64::NEG_INFINITY);
    rows.sort_by(|a, b| {
        key(b.value_at_risk)
            .total_cmp(&key(a.value_at_risk))
            .then(b.probability.total_cmp(&a.probability))
            .then(a.customer_id.cmp(&b.customer_id))
    });
    let mut by_id: Vec<u32> = (0..rows.len() as u32).collect();
    by_id.sort_by(|&a, &b| {
        let id = |i: u32| rows.get(i as usize).map_or("", |r| r.customer_id.as_str());
        id(a).cmp(id(b))
    });
    TargetList {
        rows,
        by_id,
        has_clv,
    }
}

/// The extra columns of the target-list export, after the customers table's own columns;
/// the last three only when lifetime value ran.
pub const TARGET_COLUMNS: [&str; 7] = [
    "churn_probability",
    "reason_1",
    "reason_2",
    "reason_3",
    "p_alive",
    "clv",
    "value_at_risk",
];

/// The customers with probability ≥ `threshold`, in target order, as an audience with the
/// [`TARGET_COLUMNS`].
pub fn target_audience(targets: &TargetList, threshold: f64) -> Audience {
    let rows: Vec<&TargetRow> = targets
        .rows
        .iter()
        .filter(|r| r.probability >= threshold)
        .collect();
    let num = |v: Option<f64>| {
        v.filter(|v| v.is_finite())
            .map_or(Cell::Empty, Cell::Number)
    };
    let reason = |k: usize| {
        rows.iter()
            .map(|r| {
                r.reasons
                    .get(k)
                    .map_or(Cell::Empty, |t| Cell::Text(t.clone()))
            })
            .collect::<Vec<Cell>>()
    };
    let mut extra = vec![
        (
            "churn_probability".to_string(),
            rows.iter().map(|r| num(Some(r.probability))).collect(),
        ),
        ("reason_1".to_string(), reason(0)),
        ("reason_2".to_string(), reason(1)),
        ("reason_3".to_string(), reason(2)),
    ];
    if targets.has_clv {
        extra.push((
            "p_alive".to_string(),
            rows.iter().map(|r| num(r.p_alive)).collect(),
        ));
        extra.push(("clv".to_string(), rows.iter().map(|r| num(r.clv)).collect()));
        extra.push((
            "value_at_risk".to_string(),
            rows.iter().map(|r| num(r.value_at_risk)).collect(),
        ));
    }
    Audience {
        customer_ids: rows.iter().map(|r| r.customer_id.clone()).collect(),
        extra,
        filters: format!(
            "churn risk at or above {}, by {}",
            threshold_percent(threshold),
            if targets.has_clv {
                "value at risk"
            } else {
                "churn risk"
            }
        ),
        not_personal: Vec::new(),
    }
}

/// A risk threshold as a whole percentage (the slider moves in steps of 1%): `0.85` → `85%`.
pub fn threshold_percent(threshold: f64) -> String {
    format!("{:.0}%", threshold * 100.0)
}

/// Writes the customers with probability ≥ `threshold`, in target order, to a CSV or XLSX
/// file through the privacy guard ([`export_audience`] with the default options: consent,
/// personal data left out, k-anonymity, a `tailor_exports` row).
pub fn export_targets(
    db: Option<&mut Database>,
    path: &Path,
    targets: &TargetList,
    threshold: f64,
) -> Result<ExportSummary> {
    let db = db.ok_or_else(no_database)?;
    let audience = target_audience(targets, threshold);
    export_audience(db, &audience, path, &ExportOptions::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::sample::{SampleOptions, generate};
    use crate::models::churn::evaluate::offer_outcome;
    use crate::models::churn::label::Label;
    use crate::models::clv::summary::TimeUnit;
    use crate::progress::NoProgress;

    fn sample_db(dir: &Path) -> Database {
        let path = dir.join("s.sqlite");
        generate(
            &path,
            &SampleOptions {
                customers: 400,
                seed: 7,
            },
            None,
            &NoProgress,
        )
        .unwrap();
        Database::open(&path).unwrap()
    }

    #[test]
    fn threshold_table_matches_offer_outcome() {
        let p = [0.9, 0.1, 0.5, 0.5, 0.7, 0.2, 0.05, 0.95];
        let y = [1, 0, 1, 0, 0, 1, 0, 1];
        let table = ThresholdTable::new(&p, &y);
        let inputs = OfferInputs {
            offer_cost: 3.0,
            acceptance_rate: 0.4,
            value_saved: 50.0,
        };
        for t in [0.0, 0.05, 0.1, 0.3, 0.5, 0.51, 0.9, 0.96, 1.0] {
            assert_eq!(
                table.outcome(t, &inputs),
                offer_outcome(&p, &y, t, &inputs),
                "{t}"
            );
        }
    }

    #[test]
    fn gains_share_interpolates() {
        let g = [[0.0, 0.0], [0.2, 0.5], [1.0, 1.0]];
        assert!((share_at(&g, 0.1) - 0.25).abs() < 1e-12);
        assert!((share_at(&g, 0.2) - 0.5).abs() < 1e-12);
        assert!((share_at(&g, 2.0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn churn_then_clv_joins_value_at_risk_and_exports() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = sample_db(dir.path());
        let (mut data, mut cache) = (None, ChurnCache::default());
        let params = ChurnParams {
            label: Label::Inactive {
                days: 90,
                cutoff: None,
            },
            folds: 3,
            ..ChurnParams::default()
        };
        let (view, targets) =
            run_churn(Some(&mut db), &mut data, &mut cache, &params, &NoProgress).unwrap();
        assert!(view.run_id.is_some());
        assert!(view.metrics.auc > 0.5, "{:?}", view.metrics);
        assert!(!view.roc.is_empty() && !view.gains.is_empty());
        assert!(view.importance.len() <= IMPORTANCE_BARS);
        assert!(view.top_decile_share >= 0.1 - 1e-9);
        assert_eq!(view.thresholds.sorted.len(), targets.rows.len());
        assert!(!targets.has_clv);
        assert!(
            targets
                .rows
                .windows(2)
                .all(|w| w[0].probability >= w[1].probability)
        );
        assert!(targets.rows.iter().all(|r| !r.reasons.is_empty()));
        let first = &targets.rows[5];
        assert_eq!(
            targets.find(&format!(" {} ", first.customer_id)),
            Some(first)
        );
        assert_eq!(targets.find("NOPE"), None);

        let (clv, joined) = run_clv(
            Some(&mut db),
            &mut data,
            &mut cache,
            &ClvParams::new(TimeUnit::Week),
            &NoProgress,
        )
        .unwrap();
        assert!(clv.run_id.is_some() && clv.result.bgnbd.params.r > 0.0);
        let joined = joined.unwrap();
        assert!(joined.has_clv);
        assert_eq!(joined.rows.len(), targets.rows.len());
        let var: Vec<f64> = joined.rows.iter().map_while(|r| r.value_at_risk).collect();
        assert!(var.len() > joined.rows.len() / 2);
        assert!(var.windows(2).all(|w| w[0] >= w[1]));
        let r = &joined.rows[0];
        assert!((r.value_at_risk.unwrap() - r.probability * r.clv.unwrap()).abs() < 1e-9);

        assert!(joined.rows.iter().any(|r| r.expected_spend.is_some()));

        // The export goes through the privacy guard, in the list's order.
        let path = dir.path().join("targets.csv");
        let above = joined.above(0.5);
        let summary = export_targets(Some(&mut db), &path, &joined, 0.5).unwrap();
        assert!(summary.recorded, "{summary:?}");
        assert_eq!(
            summary.rows + summary.left_out_no_consent,
            above.len() as u64,
            "{summary:?}"
        );
        assert!(summary.columns.ends_with(&TARGET_COLUMNS.map(String::from)));
        assert!(!summary.included_pii && !summary.notes.is_empty());
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), summary.columns.join(","));
        let ids: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
        assert_eq!(ids.len() as u64, summary.rows);
        let order: Vec<&str> = above
            .iter()
            .map(|&i| joined.rows[i as usize].customer_id.as_str())
            .filter(|id| ids.contains(id))
            .collect();
        assert_eq!(ids, order, "the list's order");
        let exports: i64 = db
            .conn()
            .query_row("SELECT COUNT(*) FROM tailor_exports", [], |r| r.get(0))
            .unwrap();
        assert_eq!(exports, 1);
        assert!(export_targets(None, &path, &joined, 0.5).is_err());
    }

    fn row(id: &str, probability: f64) -> TargetRow {
        TargetRow {
            customer_id: id.into(),
            probability,
            label: 0,
            reasons: vec!["Tenure 2 months (low)".into()],
            top_weight: 0.4,
            p_alive: None,
            expected_purchases: None,
            expected_spend: None,
            clv: None,
            value_at_risk: None,
        }
    }

    #[test]
    fn non_finite_values_are_none_and_sort_last() {
        let value = |id: &str, clv: Option<f64>, spend: Option<f64>| ClvValue {
            customer_id: id.into(),
            p_alive: 0.5,
            expected_purchases: 2.0,
            expected_spend: spend,
            clv,
        };
        let values = [
            value("a", Some(f64::NAN), Some(f64::NAN)),
            value("b", Some(100.0), Some(50.0)),
            value("c", Some(f64::INFINITY), None),
            value("d", None, None),
        ];
        let rows = vec![row("a", 0.9), row("b", 0.6), row("c", 0.8), row("d", 0.7)];
        let t = join_targets(rows, Some(&values));
        let ids: Vec<&str> = t.rows.iter().map(|r| r.customer_id.as_str()).collect();
        assert_eq!(
            ids,
            ["b", "a", "c", "d"],
            "valued first, then by probability"
        );
        let a = t.find("a").unwrap();
        assert_eq!(
            (a.clv, a.value_at_risk, a.expected_spend),
            (None, None, None)
        );
        assert_eq!(t.find("c").unwrap().clv, None);
        assert_eq!(t.find("b").unwrap().value_at_risk, Some(60.0));
        // The export's cells: blank where there is no value, numbers elsewhere.
        let audience = target_audience(&t, 0.0);
        assert_eq!(audience.customer_ids, ["b", "a", "c", "d"]);
        let column = |name: &str| &audience.extra.iter().find(|(n, _)| n == name).unwrap().1;
        assert_eq!(column("clv")[0], Cell::Number(100.0));
        assert_eq!(column("clv")[1], Cell::Empty);
        assert_eq!(column("value_at_risk")[2], Cell::Empty);
        assert_eq!(column("churn_probability")[1], Cell::Number(0.9));
        assert_eq!(
            column("reason_1")[0],
            Cell::Text("Tenure 2 months (low)".into())
        );
        assert_eq!(column("reason_2")[0], Cell::Empty);
        // Without lifetime value the value columns are left out.
        let plain = join_targets(vec![row("x", 0.3)], None);
        let plain_audience = target_audience(&plain, 0.0);
        let names: Vec<&str> = plain_audience
            .extra
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(
            names,
            ["churn_probability", "reason_1", "reason_2", "reason_3"]
        );
        assert!(target_audience(&plain, 0.5).customer_ids.is_empty());
        assert_eq!(threshold_percent(0.85), "85%");
    }

    #[test]
    fn clv_without_transactions_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, tenure INTEGER, churned INTEGER);
             INSERT INTO customers VALUES ('a', 1, 1), ('b', 2, 0);",
        )
        .unwrap();
        drop(conn);
        let mut db = Database::open(&path).unwrap();
        let (mut data, mut cache) = (None, ChurnCache::default());
        let err = run_clv(
            Some(&mut db),
            &mut data,
            &mut cache,
            &ClvParams::new(TimeUnit::Week),
            &NoProgress,
        )
        .unwrap_err();
        assert!(err.to_string().contains("transactions"), "{err}");
        assert!(
            run_churn(
                None,
                &mut data,
                &mut cache,
                &ChurnParams::default(),
                &NoProgress
            )
            .is_err()
        );
    }
}
