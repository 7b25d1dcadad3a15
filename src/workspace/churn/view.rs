//! What the Churn & value panel draws, computed once per run: chart points, a threshold table
//! that answers the slider in O(log n), and the target list sorted by value at risk (and its
//! export as an audience).

use crate::export::audience::{Audience, Cell};
use crate::models::churn::backtest::Backtest;
use crate::models::churn::evaluate::{Confusion, LeakageFlag, OfferInputs, OfferOutcome};
use crate::models::churn::features::{Imputed, LeftOut};
use crate::models::churn::label::LabelInfo;
use crate::models::churn::run::{ChurnParams, ChurnResult, FoldMetrics, Metrics};
use crate::models::clv::run::ClvResult;
use crate::models::clv::run::CustomerValue;
use crate::workspace::churn::agree::RiskPeriod;

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
    /// The date the target list's scores are as of (inactivity label), else `None`: the
    /// scores are out-of-fold.
    pub as_of: Option<String>,
    /// Customers in the target list.
    pub scored: usize,
    /// The out-of-time backtest.
    pub backtest: Option<Backtest>,
    /// Whether the backtest chose the model.
    pub model_chosen_by_backtest: bool,
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
    /// Observed label (1 churned), when the outcome is known (a label column).
    pub label: Option<u8>,
    /// Reasons, strongest first.
    pub reasons: Vec<String>,
    /// The push of the first reason on the risk (above 0 raises it); a low-risk customer's
    /// only reason may lower it.
    pub top_weight: f64,
    /// Lifetime values (`clv` and `expected_spend` finite or `None`), when CLV ran and valued
    /// the customer.
    pub value: Option<CustomerValue>,
    /// Probability × CLV.
    pub value_at_risk: Option<f64>,
}

impl TargetRow {
    /// One of the lifetime values, when there is one and it is a finite number.
    pub fn valued(&self, f: impl Fn(&CustomerValue) -> Option<f64>) -> Option<f64> {
        self.value.as_ref().and_then(f).filter(|v| v.is_finite())
    }
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
    /// Days in the lifetime values' time unit.
    pub unit_days: f64,
    /// What the risk covers.
    pub period: RiskPeriod,
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

/// One customer's lifetime values, by id.
pub(super) type ClvValue = (String, CustomerValue);

pub(super) fn points<T>(items: &[T], f: impl Fn(&T) -> [f64; 2]) -> Vec<[f64; 2]> {
    items.iter().map(f).collect()
}

/// What the panel draws of `result` (stored as `run_id`).
pub fn churn_view(result: &ChurnResult, run_id: Option<i64>) -> ChurnView {
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
        as_of: result.as_of.clone(),
        scored: result.scored().len(),
        backtest: result.backtest.clone(),
        model_chosen_by_backtest: result.model_chosen_by_backtest,
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

/// Joins lifetime values into the churn rows by customer id and sorts them by value at risk
/// (then probability, then id). Values that are not finite numbers become `None`.
pub(super) fn join_targets(
    mut rows: Vec<TargetRow>,
    values: Option<(&[ClvValue], f64)>,
    period: RiskPeriod,
) -> TargetList {
    let unit_days = values.map_or(1.0, |v| v.1);
    let values = values.map(|v| v.0);
    let has_clv = values.is_some();
    if let Some(values) = values {
        let mut sorted: Vec<&ClvValue> = values.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        for r in &mut rows {
            if let Ok(i) = sorted.binary_search_by(|v| v.0.as_str().cmp(&r.customer_id))
                && let Some((_, v)) = sorted.get(i)
            {
                let mut v = *v;
                v.clv = v.clv.filter(|c| c.is_finite());
                v.expected_spend = v.expected_spend.filter(|c| c.is_finite());
                r.value_at_risk = v.clv.map(|c| c * r.probability).filter(|x| x.is_finite());
                r.value = Some(v);
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
        unit_days,
        period,
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
            rows.iter()
                .map(|r| Cell::probability(Some(r.probability)))
                .collect(),
        ),
        ("reason_1".to_string(), reason(0)),
        ("reason_2".to_string(), reason(1)),
        ("reason_3".to_string(), reason(2)),
    ];
    if targets.has_clv {
        extra.push((
            "p_alive".to_string(),
            rows.iter()
                .map(|r| Cell::probability(r.valued(|v| Some(v.p_alive))))
                .collect(),
        ));
        extra.push((
            "clv".to_string(),
            rows.iter()
                .map(|r| Cell::money(r.valued(|v| v.clv)))
                .collect(),
        ));
        extra.push((
            "value_at_risk".to_string(),
            rows.iter().map(|r| Cell::money(r.value_at_risk)).collect(),
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
