//! Churn prediction: who is about to leave, how sure we are, and why.
//!
//! - [`label`]: the target, from a `churned`-like column or from inactivity after a cutoff;
//! - [`features`]: the model inputs (attribute columns one-hot / imputed, behaviour from
//!   transactions before the cutoff only);
//! - [`logistic`]: L2-regularized logistic regression (Newton's method, parallel passes);
//! - [`forest`]: a random forest with probability outputs, path contributions and importance;
//! - [`evaluate`]: stratified folds, ROC / PR AUC, Brier, log loss, calibration, curves and the
//!   cost/benefit of a retention offer;
//! - [`reasons`]: per-customer reason codes in a marketer's words;
//! - [`run`]: the whole cross-validated run, as the CLI and the panel call it;
//! - [`today`]: every customer's risk as of the last day in the data;
//! - [`backtest`]: the same pipeline one horizon earlier, against what then happened.

pub mod backtest;
pub mod evaluate;
pub mod features;
pub mod forest;
pub mod label;
pub mod logistic;
pub mod reasons;
pub mod run;
pub mod today;

/// Seconds in a day.
pub(crate) const DAY_SECS: i64 = 86_400;
