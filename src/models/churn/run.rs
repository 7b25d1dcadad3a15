//! A cross-validated churn run: label, features, k stratified folds, out-of-fold probabilities
//! (calibrated within each fold), metrics, curves, importance and per-customer reasons.
//!
//! For each fold the model is fitted on the other folds and scores the fold's customers; those
//! out-of-fold scores are what is reported, stored and exported, so no customer is scored by a
//! model that saw their label. Calibration is fitted inside the fold too: on the training
//! rows' out-of-bag scores (forest) or on scores from an inner 3-fold split of the training
//! rows (logistic), never on the fold being scored. Reasons come from the fold's model.
//! Coefficients (logistic) are those of one final fit on every customer; forest importance is
//! the mean over the fold models.
//!
//! With an inactivity label the out-of-fold scores are where customers stood at the cutoff,
//! whose outcome is already known; what a marketer acts on is [`ChurnResult::today`]: a model
//! fitted on every labelled customer (calibrated on the pooled out-of-fold scores) scores every
//! customer as of the last day in the data. The [`backtest`](crate::models::churn::backtest)
//! checks that pipeline one horizon earlier against what then happened, and picks the model
//! when none is asked for.

use crate::data::dataset::Dataset;
use crate::error::{Error, Result};
use crate::models::churn::backtest::{self, Backtest, Split};
use crate::models::churn::evaluate::{
    self, Calibration, Calibrator, GainsPoint, LeakageFlag, OfferInputs, OfferOutcome, PrPoint,
    ReliabilityBin, RocPoint,
};
use crate::models::churn::features::{self, FeatureMatrix, FeatureOptions};
use crate::models::churn::forest::{Forest, ForestParams};
use crate::models::churn::label::{self, Label, LabelInfo};
use crate::models::churn::logistic::{Logistic, LogisticParams};
use crate::models::churn::reasons::{self, Reason};
use crate::models::churn::today::{self, CHECK_EVERY, Fitted, TodayScore};
use crate::progress::Progress;

/// Reasons kept per customer.
pub const REASONS: usize = 3;
/// Features listed in [`ChurnSummary::top_features`].
pub const TOP_FEATURES: usize = 10;
const INNER_FOLDS: usize = 3;

/// The model family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// The model that wins the backtest (logistic when there is none: a label column).
    #[default]
    Auto,
    /// L2-regularized logistic regression.
    Logistic,
    /// Random forest.
    Forest,
}

impl ModelKind {
    /// Parses `auto`, `logistic` or `forest`.
    pub fn parse(s: &str) -> Option<ModelKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" | "best" => Some(ModelKind::Auto),
            "logistic" | "logit" => Some(ModelKind::Logistic),
            "forest" | "rf" | "random-forest" => Some(ModelKind::Forest),
            _ => None,
        }
    }

    /// The name used in flags and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Auto => "auto",
            ModelKind::Logistic => "logistic",
            ModelKind::Forest => "forest",
        }
    }
}

/// What to run.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChurnParams {
    /// Where the label comes from.
    pub label: Label,
    /// The model.
    pub model: ModelKind,
    /// Cross-validation folds (≥ 2).
    pub folds: usize,
    /// Seed for folds and the forest.
    pub seed: u64,
    /// Calibration fitted within folds.
    pub calibration: Calibration,
    /// Which columns go in.
    pub features: FeatureOptions,
    /// Logistic regression options.
    pub logistic: LogisticParams,
    /// Forest options (its seed is derived from `seed` and the fold).
    pub forest: ForestParams,
}

impl Default for ChurnParams {
    fn default() -> Self {
        Self {
            label: Label::Auto,
            model: ModelKind::Auto,
            folds: 5,
            seed: 42,
            calibration: Calibration::Platt,
            features: FeatureOptions::default(),
            logistic: LogisticParams::default(),
            forest: ForestParams::default(),
        }
    }
}

/// Metrics of one fold.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FoldMetrics {
    /// Fold number, from 0.
    pub fold: usize,
    /// Customers scored in it.
    pub customers: usize,
    /// Of those, churned.
    pub churned: usize,
    /// ROC AUC.
    pub auc: f64,
    /// Average precision.
    pub pr_auc: f64,
    /// Brier score of the raw probabilities.
    pub brier: f64,
    /// Brier score after calibration.
    pub brier_calibrated: f64,
    /// Log loss of the raw probabilities.
    pub log_loss: f64,
}

/// Metrics over all out-of-fold predictions.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Metrics {
    /// Mean of the folds' ROC AUC.
    pub auc: f64,
    /// Standard deviation of the folds' ROC AUC (population, as NumPy's `std`).
    pub auc_std: f64,
    /// ROC AUC of all out-of-fold scores pooled.
    pub auc_pooled: f64,
    /// Average precision, pooled.
    pub pr_auc: f64,
    /// Brier score of the raw probabilities, pooled.
    pub brier: f64,
    /// Brier score after calibration, pooled.
    pub brier_calibrated: f64,
    /// Log loss of the raw probabilities, pooled.
    pub log_loss: f64,
    /// Log loss after calibration, pooled.
    pub log_loss_calibrated: f64,
    /// Share of customers who churned.
    pub base_rate: f64,
}

/// A feature and its weight (standardized coefficient, or importance).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FeatureWeight {
    /// Model column name.
    pub name: String,
    /// Weight: signed standardized coefficient (logistic) or impurity importance (forest).
    pub weight: f64,
}

/// A logistic coefficient.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Coefficient {
    /// Model column name.
    pub name: String,
    /// Per standard deviation of the input.
    pub standardized: f64,
    /// Per unit of the input as the model saw it (log-scaled columns: per unit of
    /// `sign(x)·ln(1+|x|)`).
    pub original: f64,
}

/// The final logistic fit on every customer.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LogisticSummary {
    /// Intercept for standardized inputs.
    pub intercept: f64,
    /// Intercept for inputs in original units.
    pub intercept_original: f64,
    /// One per model column.
    pub coefficients: Vec<Coefficient>,
    /// Newton steps.
    pub iterations: usize,
    /// Whether the tolerance was reached.
    pub converged: bool,
}

/// The charts' points (out-of-fold, pooled).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Curves {
    /// ROC curve (≤ 200 points).
    pub roc: Vec<RocPoint>,
    /// Precision-recall curve (≤ 200 points).
    pub pr: Vec<PrPoint>,
    /// Reliability of the raw probabilities.
    pub reliability: Vec<ReliabilityBin>,
    /// Reliability after calibration.
    pub reliability_calibrated: Vec<ReliabilityBin>,
    /// Cumulative gains, 0 %..100 % targeted.
    pub gains: Vec<GainsPoint>,
}

/// One customer's out-of-fold score (where they stood at the cutoff, for the evaluation).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CustomerScore {
    /// Customer id.
    pub customer_id: String,
    /// Calibrated churn probability (what is stored and exported).
    pub probability: f64,
    /// The model's raw probability.
    pub raw_probability: f64,
    /// Observed label (1 churned).
    pub label: u8,
    /// The fold that scored them.
    pub fold: usize,
    /// Top reasons (at least one).
    pub reasons: Vec<Reason>,
}

/// A score a marketer acts on: as of today, or out-of-fold for a label column.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored<'a> {
    /// Customer id.
    pub customer_id: &'a str,
    /// Calibrated churn probability.
    pub probability: f64,
    /// The observed label, when the outcome is known (a label column).
    pub label: Option<u8>,
    /// Top reasons.
    pub reasons: &'a [Reason],
}

/// Everything the churn panel and the CLI show.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChurnResult {
    /// The parameters, with the model that ran (never `auto`).
    pub params: ChurnParams,
    /// Whether the backtest chose the model (none was asked for).
    pub model_chosen_by_backtest: bool,
    /// The label used.
    pub label: LabelInfo,
    /// The inputs' description (columns, groups, left out, imputed).
    pub features: FeatureMatrix,
    /// Pooled metrics.
    pub metrics: Metrics,
    /// Per fold.
    pub folds: Vec<FoldMetrics>,
    /// Chart points.
    pub curves: Curves,
    /// Every model column by |weight|, largest first.
    pub importance: Vec<FeatureWeight>,
    /// The logistic fit, for the logistic model.
    pub logistic: Option<LogisticSummary>,
    /// Columns that alone predict the label with AUC > 0.95.
    pub leakage: Vec<LeakageFlag>,
    /// Out-of-fold scores of the labelled population, in customer order.
    pub customers: Vec<CustomerScore>,
    /// With an inactivity label: the last transaction's date (`YYYY-MM-DD`), which
    /// [`ChurnResult::today`] is as of.
    pub as_of: Option<String>,
    /// With an inactivity label: every customer's risk of no purchase in the label's window
    /// after `as_of`, in customer order (empty otherwise).
    pub today: Vec<TodayScore>,
    /// With an inactivity label and enough history: the out-of-time backtest.
    pub backtest: Option<Backtest>,
}

/// The CLI's `--json` object (and the stored run's summary).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChurnSummary {
    /// `logistic` or `forest`.
    pub model: String,
    /// Folds.
    pub folds: usize,
    /// Mean fold ROC AUC.
    pub auc: f64,
    /// Its standard deviation over folds.
    pub auc_std: f64,
    /// Pooled average precision.
    pub pr_auc: f64,
    /// Pooled Brier score (raw probabilities).
    pub brier: f64,
    /// Per-fold ROC AUC.
    pub fold_auc: Vec<f64>,
    /// The most influential columns.
    pub top_features: Vec<FeatureWeight>,
    /// Pooled log loss (raw).
    pub log_loss: f64,
    /// Pooled Brier score after calibration.
    pub brier_calibrated: f64,
    /// Calibration method.
    pub calibration: Calibration,
    /// Seed.
    pub seed: u64,
    /// The label.
    pub label: LabelInfo,
    /// Model columns.
    pub n_features: usize,
    /// Leakage flags.
    pub leakage: Vec<LeakageFlag>,
    /// Per-fold metrics (the key `folds` is the number of folds).
    pub fold_metrics: Vec<FoldMetrics>,
    /// Whether the backtest chose the model.
    pub model_chosen_by_backtest: bool,
    /// The date the stored scores are as of (`YYYY-MM-DD`, inactivity label), else `None`.
    pub as_of: Option<String>,
    /// The scores are the risk of no purchase in this many days after `as_of`.
    pub horizon_days: Option<u32>,
    /// Customers with a stored score.
    pub scored_customers: usize,
    /// The out-of-time backtest.
    pub backtest: Option<Backtest>,
}

impl ChurnResult {
    /// The JSON summary.
    pub fn summary(&self) -> ChurnSummary {
        ChurnSummary {
            model: self.params.model.as_str().into(),
            folds: self.params.folds,
            auc: self.metrics.auc,
            auc_std: self.metrics.auc_std,
            pr_auc: self.metrics.pr_auc,
            brier: self.metrics.brier,
            fold_auc: self.folds.iter().map(|f| f.auc).collect(),
            top_features: self.importance.iter().take(TOP_FEATURES).cloned().collect(),
            log_loss: self.metrics.log_loss,
            brier_calibrated: self.metrics.brier_calibrated,
            calibration: self.params.calibration,
            seed: self.params.seed,
            label: self.label.clone(),
            n_features: self.features.p(),
            leakage: self.leakage.clone(),
            fold_metrics: self.folds.clone(),
            model_chosen_by_backtest: self.model_chosen_by_backtest,
            as_of: self.as_of.clone(),
            horizon_days: self.as_of.as_ref().and(self.label.days),
            scored_customers: self.scored().len(),
            backtest: self.backtest.clone(),
        }
    }

    /// The scores a marketer acts on (stored, exported, listed, audited): as of today with an
    /// inactivity label, else the out-of-fold ones.
    pub fn scored(&self) -> Vec<Scored<'_>> {
        match &self.as_of {
            Some(_) => self
                .today
                .iter()
                .map(|c| Scored {
                    customer_id: &c.customer_id,
                    probability: c.probability,
                    label: None,
                    reasons: &c.reasons,
                })
                .collect(),
            None => self
                .customers
                .iter()
                .map(|c| Scored {
                    customer_id: &c.customer_id,
                    probability: c.probability,
                    label: Some(c.label),
                    reasons: &c.reasons,
                })
                .collect(),
        }
    }

    /// Out-of-fold calibrated probabilities, in customer order (the evaluation).
    pub fn probabilities(&self) -> Vec<f64> {
        self.customers.iter().map(|c| c.probability).collect()
    }

    /// Observed labels of the out-of-fold scores, in customer order.
    pub fn labels(&self) -> Vec<u8> {
        self.customers.iter().map(|c| c.label).collect()
    }

    /// Cost and benefit of offering to customers with calibrated probability ≥ `threshold`.
    pub fn offer_outcome(&self, threshold: f64, inputs: &OfferInputs) -> OfferOutcome {
        evaluate::offer_outcome(&self.probabilities(), &self.labels(), threshold, inputs)
    }
}

/// Per-fold output for the test rows.
struct FoldOut {
    raw: Vec<f64>,
    calibrated: Vec<f64>,
    reasons: Vec<Vec<Reason>>,
    importance: Option<Vec<f64>>,
}

fn gather(x: &[f64], p: usize, rows: &[usize]) -> Vec<f64> {
    let mut out = Vec::with_capacity(rows.len() * p);
    for &r in rows {
        out.extend_from_slice(x.get(r * p..(r + 1) * p).unwrap_or(&[]));
    }
    out
}

fn fold_seed(seed: u64, fold: usize) -> u64 {
    seed ^ (fold as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Logistic on one fold.
fn logistic_fold(
    fm: &FeatureMatrix,
    xl: &[f64],
    y: &[u8],
    train: &[usize],
    test: &[usize],
    params: &ChurnParams,
    fold: usize,
) -> Result<FoldOut> {
    let p = fm.p();
    let y_train: Vec<u8> = train.iter().map(|&r| y[r]).collect();
    let model = Logistic::fit(&gather(xl, p, train), p, &y_train, &params.logistic)?;
    let calibrator = if params.calibration == Calibration::None {
        Calibrator::Identity
    } else {
        // Scores for the training rows from an inner split, never from the fold scored.
        let inner = evaluate::stratified_folds(&y_train, INNER_FOLDS, fold_seed(params.seed, fold));
        let mut inner_scores = vec![0.0; train.len()];
        for f in 0..INNER_FOLDS {
            let fit_rows: Vec<usize> = (0..train.len()).filter(|&i| inner[i] != f).collect();
            let fit_y: Vec<u8> = fit_rows.iter().map(|&i| y_train[i]).collect();
            let fit_x: Vec<usize> = fit_rows.iter().map(|&i| train[i]).collect();
            let m = Logistic::fit(&gather(xl, p, &fit_x), p, &fit_y, &params.logistic)?;
            for i in (0..train.len()).filter(|&i| inner[i] == f) {
                let r = train[i];
                inner_scores[i] = m.predict(xl.get(r * p..(r + 1) * p).unwrap_or(&[]));
            }
        }
        Calibrator::fit(params.calibration, &inner_scores, &y_train)
    };
    let mut out = FoldOut {
        raw: Vec::with_capacity(test.len()),
        calibrated: Vec::with_capacity(test.len()),
        reasons: Vec::with_capacity(test.len()),
        importance: None,
    };
    for &r in test {
        let row = xl.get(r * p..(r + 1) * p).unwrap_or(&[]);
        let s = model.predict(row);
        out.raw.push(s);
        out.calibrated.push(calibrator.apply(s));
        out.reasons.push(reasons::top_reasons(
            fm,
            r,
            &model.contributions(row),
            REASONS,
        ));
    }
    Ok(out)
}

/// Forest on one fold.
fn forest_fold(
    fm: &FeatureMatrix,
    y: &[u8],
    train: &[usize],
    test: &[usize],
    params: &ChurnParams,
    fold: usize,
    progress: &dyn Progress,
) -> Result<FoldOut> {
    let p = fm.p();
    let y_train: Vec<u8> = train.iter().map(|&r| y[r]).collect();
    let fp = ForestParams {
        seed: fold_seed(params.seed, fold),
        ..params.forest
    };
    let forest = Forest::fit(&fm.x, p, train, &y_train, &fp, progress)?;
    let calibrator = {
        let (s, l): (Vec<f64>, Vec<u8>) = forest
            .oob
            .iter()
            .zip(&y_train)
            .filter_map(|(o, y)| o.map(|o| (o, *y)))
            .unzip();
        Calibrator::fit(params.calibration, &s, &l)
    };
    let mut out = FoldOut {
        raw: Vec::with_capacity(test.len()),
        calibrated: Vec::with_capacity(test.len()),
        reasons: Vec::with_capacity(test.len()),
        importance: Some(forest.importance.clone()),
    };
    for (i, &r) in test.iter().enumerate() {
        if i % CHECK_EVERY == 0 {
            progress.check()?;
        }
        let row = fm.row(r);
        let (bias, contrib) = forest.contributions(row);
        let s = bias + contrib.iter().sum::<f64>();
        out.raw.push(s);
        out.calibrated.push(calibrator.apply(s));
        out.reasons
            .push(reasons::top_reasons(fm, r, &contrib, REASONS));
    }
    Ok(out)
}

/// Runs the cross-validated churn model on a dataset.
pub fn run(data: &Dataset, params: &ChurnParams, progress: &dyn Progress) -> Result<ChurnResult> {
    if params.folds < 2 {
        return Err(Error::Invalid(format!(
            "--folds must be at least 2, not {}",
            params.folds
        )));
    }
    progress.report(0.0, "Labelling customers");
    let labelled = label::resolve(data, &params.label)?;
    let y = &labelled.y;
    let churned = y.iter().filter(|v| **v == 1).count();
    let stayed = y.len() - churned;
    if churned < params.folds || stayed < params.folds {
        return Err(Error::Invalid(format!(
            "{churned} churned and {stayed} staying customers: each class needs at least as many \
             customers as folds ({})",
            params.folds
        )));
    }
    progress.check()?;
    progress.report(0.05, "Building features");
    let mut fm = features::build(
        data,
        &labelled.rows,
        labelled.cutoff,
        labelled.column.as_deref(),
        &params.features,
    );
    fm.learn_association(y);
    let p = fm.p();
    if p == 0 {
        return Err(Error::Invalid(
            "no model inputs: the customers table has no feature columns and there are no \
             transactions"
                .into(),
        ));
    }
    progress.report(0.08, "Backtesting one horizon earlier");
    let tried = match params.model {
        ModelKind::Auto => vec![ModelKind::Logistic, ModelKind::Forest],
        m => vec![m],
    };
    let split = Split {
        labelled: &labelled,
        fm: &fm,
        options: &params.features,
    };
    let backtest = backtest::backtest(data, &split, params, &tried, progress)?;
    let chosen = match (params.model, &backtest) {
        (ModelKind::Auto, Some(b)) => b.models.first().map_or(ModelKind::Logistic, |m| m.model),
        (ModelKind::Auto, None) => ModelKind::Logistic,
        (m, _) => m,
    };
    let model_chosen_by_backtest = params.model == ModelKind::Auto && backtest.is_some();
    let params = &ChurnParams {
        model: chosen,
        ..params.clone()
    };
    let xl = fm.logistic_input();
    let n = fm.n;
    let fold_of = evaluate::stratified_folds(y, params.folds, params.seed);
    let mut raw = vec![0.0; n];
    let mut calibrated = vec![0.0; n];
    let mut reasons_of: Vec<Vec<Reason>> = vec![Vec::new(); n];
    let mut folds = Vec::with_capacity(params.folds);
    let mut importance_sum = vec![0.0; p];
    for k in 0..params.folds {
        progress.check()?;
        progress.report(
            0.25 + 0.55 * k as f32 / params.folds as f32,
            &format!("Fold {} of {}", k + 1, params.folds),
        );
        let train: Vec<usize> = (0..n).filter(|&i| fold_of[i] != k).collect();
        let test: Vec<usize> = (0..n).filter(|&i| fold_of[i] == k).collect();
        let out = match params.model {
            ModelKind::Logistic | ModelKind::Auto => {
                logistic_fold(&fm, &xl, y, &train, &test, params, k)?
            }
            ModelKind::Forest => forest_fold(&fm, y, &train, &test, params, k, progress)?,
        };
        if let Some(imp) = &out.importance {
            for (a, b) in importance_sum.iter_mut().zip(imp) {
                *a += b / params.folds as f64;
            }
        }
        let y_test: Vec<u8> = test.iter().map(|&r| y[r]).collect();
        folds.push(FoldMetrics {
            fold: k,
            customers: test.len(),
            churned: y_test.iter().filter(|v| **v == 1).count(),
            auc: evaluate::roc_auc(&out.raw, &y_test).unwrap_or(0.5),
            pr_auc: evaluate::average_precision(&out.raw, &y_test).unwrap_or(0.0),
            brier: evaluate::brier(&out.raw, &y_test),
            brier_calibrated: evaluate::brier(&out.calibrated, &y_test),
            log_loss: evaluate::log_loss(&out.raw, &y_test),
        });
        for (j, &r) in test.iter().enumerate() {
            raw[r] = out.raw.get(j).copied().unwrap_or(0.0);
            calibrated[r] = out.calibrated.get(j).copied().unwrap_or(0.0);
            reasons_of[r] = out.reasons.get(j).cloned().unwrap_or_default();
        }
    }
    progress.report(0.8, "Summarizing");
    let names = fm.names();
    let mut final_fit = None;
    let (logistic, mut importance) = match params.model {
        ModelKind::Logistic | ModelKind::Auto => {
            let m = Logistic::fit(&xl, p, y, &params.logistic)?;
            let (b0, orig) = m.original_units();
            let coefficients: Vec<Coefficient> = names
                .iter()
                .zip(&m.coef)
                .zip(&orig)
                .map(|((name, c), o)| Coefficient {
                    name: name.clone(),
                    standardized: *c,
                    original: *o,
                })
                .collect();
            let weights = coefficients
                .iter()
                .map(|c| FeatureWeight {
                    name: c.name.clone(),
                    weight: c.standardized,
                })
                .collect();
            let summary = LogisticSummary {
                intercept: m.intercept,
                intercept_original: b0,
                coefficients,
                iterations: m.iterations,
                converged: m.converged,
            };
            final_fit = Some(Fitted::Logistic(m));
            (Some(summary), weights)
        }
        ModelKind::Forest => (
            None,
            names
                .iter()
                .zip(&importance_sum)
                .map(|(name, w)| FeatureWeight {
                    name: name.clone(),
                    weight: *w,
                })
                .collect::<Vec<_>>(),
        ),
    };
    importance.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
    let aucs: Vec<f64> = folds.iter().map(|f| f.auc).collect();
    let mean_auc = aucs.iter().sum::<f64>() / aucs.len().max(1) as f64;
    let auc_std = (aucs.iter().map(|a| (a - mean_auc).powi(2)).sum::<f64>()
        / aucs.len().max(1) as f64)
        .sqrt();
    let metrics = Metrics {
        auc: mean_auc,
        auc_std,
        auc_pooled: evaluate::roc_auc(&raw, y).unwrap_or(0.5),
        pr_auc: evaluate::average_precision(&raw, y).unwrap_or(0.0),
        brier: evaluate::brier(&raw, y),
        brier_calibrated: evaluate::brier(&calibrated, y),
        log_loss: evaluate::log_loss(&raw, y),
        log_loss_calibrated: evaluate::log_loss(&calibrated, y),
        base_rate: churned as f64 / n.max(1) as f64,
    };
    let curves = Curves {
        roc: evaluate::roc_curve(&raw, y),
        pr: evaluate::pr_curve(&raw, y),
        reliability: evaluate::reliability(&raw, y),
        reliability_calibrated: evaluate::reliability(&calibrated, y),
        gains: evaluate::gains(&calibrated, y),
    };
    let leakage = evaluate::leakage(&fm.x, p, y, &names);
    let today = match labelled.cutoff {
        Some(_) => {
            progress.check()?;
            progress.report(0.85, "Scoring every customer as of today");
            let model = match final_fit {
                Some(m) => m,
                None => Fitted::forest(
                    &fm,
                    y,
                    &ForestParams {
                        seed: fold_seed(params.seed, params.folds),
                        ..params.forest
                    },
                    progress,
                )?,
            };
            let calibrator = Calibrator::fit(params.calibration, &raw, y);
            today::score_today(data, &fm, &model, &calibrator, progress)?
        }
        None => None,
    };
    let customers = labelled
        .rows
        .iter()
        .enumerate()
        .map(|(k, &i)| CustomerScore {
            customer_id: data.customer_ids.get(i).cloned().unwrap_or_default(),
            probability: calibrated[k],
            raw_probability: raw[k],
            label: y[k],
            fold: fold_of[k],
            reasons: std::mem::take(&mut reasons_of[k]),
        })
        .collect();
    progress.report(1.0, "Done");
    Ok(ChurnResult {
        params: params.clone(),
        model_chosen_by_backtest,
        label: labelled.info,
        features: fm,
        metrics,
        folds,
        curves,
        importance,
        logistic,
        leakage,
        customers,
        as_of: today.as_ref().map(|t| t.0.clone()),
        today: today.map(|t| t.1).unwrap_or_default(),
        backtest,
    })
}
