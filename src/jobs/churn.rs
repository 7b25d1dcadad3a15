//! The Churn & value panel's jobs.

use std::sync::Arc;

use crate::error::Result;
use crate::models::churn::run::ChurnParams;
use crate::models::clv::run::ClvParams;
use crate::progress::Progress;
use crate::workspace::Workspace;
use crate::workspace::churn::{ChurnView, ClvView, PurchaseSpan, TargetList, churn_view};

/// A churn or lifetime-value job.
#[derive(Debug, Clone, PartialEq)]
pub enum ChurnJob {
    /// Runs the churn model and stores the run.
    Run(ChurnParams),
    /// Fits lifetime value (BG/NBD + Gamma-Gamma) and stores the run.
    Clv(ClvParams),
    /// Reads the first and last purchase days, for the suggested calibration end.
    Span,
}

/// A churn or lifetime-value job's result.
#[derive(Debug, Clone, PartialEq)]
pub enum ChurnDone {
    /// A churn run finished.
    Churn {
        /// What the panel draws.
        churn: Arc<ChurnView>,
        /// Every scored customer by value at risk.
        targets: Arc<TargetList>,
    },
    /// A lifetime-value run finished.
    Clv {
        /// What the panel draws.
        clv: Arc<ClvView>,
        /// The target list with values joined in (when churn has run).
        targets: Option<Arc<TargetList>>,
    },
    /// The purchase history's dates (`None`: no purchases).
    Span(Option<Arc<PurchaseSpan>>),
}

impl ChurnJob {
    /// A short label for the status bar.
    pub fn label(&self) -> String {
        match self {
            ChurnJob::Run(params) => format!("Predicting churn ({})", params.model.as_str()),
            ChurnJob::Clv(_) => "Fitting lifetime value".to_string(),
            ChurnJob::Span => "Reading the purchase dates".to_string(),
        }
    }

    /// What the banner says when it fails.
    pub fn failure(&self) -> &'static str {
        match self {
            ChurnJob::Run(_) => "The churn model failed",
            ChurnJob::Clv(_) => "Lifetime value failed",
            ChurnJob::Span => "The purchase dates could not be read",
        }
    }

    /// Runs the job on the workspace.
    pub fn run(self, ws: &mut Workspace, progress: &dyn Progress) -> Result<ChurnDone> {
        Ok(match self {
            ChurnJob::Run(params) => {
                let outcome = ws.churn(&params, progress)?;
                ChurnDone::Churn {
                    churn: Arc::new(churn_view(&outcome.result, outcome.run_id)),
                    targets: ws.churn_targets().unwrap_or_default(),
                }
            }
            ChurnJob::Clv(params) => ChurnDone::Clv {
                clv: Arc::new(ws.clv(&params, progress)?.view()),
                targets: ws.churn_targets(),
            },
            ChurnJob::Span => ChurnDone::Span(ws.purchase_span(progress)?.map(Arc::new)),
        })
    }
}
