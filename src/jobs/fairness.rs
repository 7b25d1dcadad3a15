//! The Fairness panel's jobs.

use std::sync::Arc;

use crate::error::Result;
use crate::models::fairness::audit::AuditOptions;
use crate::models::fairness::decision::Decision;
use crate::models::fairness::report::AuditReport;
use crate::progress::Progress;
use crate::workspace::Workspace;
use crate::workspace::fairness::{AuditParams, FairnessChoices, WhatIf};

/// A fairness job.
#[derive(Debug, Clone, PartialEq)]
pub enum FairJob {
    /// Lists what can be audited.
    ListChoices,
    /// Audits a decision by a column (fast once cached: asked on every threshold move).
    Audit {
        /// The column.
        attribute: String,
        /// The decision.
        decision: Decision,
    },
    /// Retrains the churn model without `feature` and audits before and after.
    WhatIf {
        /// The column.
        attribute: String,
        /// A churn decision.
        decision: Decision,
        /// The feature left out.
        feature: String,
    },
    /// Runs the churn model with the defaults and stores the run (then lists the choices).
    RunChurn,
}

/// A fairness job's result.
#[derive(Debug, Clone, PartialEq)]
pub enum FairDone {
    /// What can be audited.
    Choices {
        /// The choices.
        choices: Arc<FairnessChoices>,
        /// The churn run just stored, for [`FairJob::RunChurn`].
        stored_churn_run: Option<i64>,
    },
    /// An audit.
    Audited(Arc<AuditReport>),
    /// The what-if's before and after.
    WhatIf(Arc<WhatIf>),
}

impl FairJob {
    /// A short label for the status bar.
    pub fn label(&self) -> String {
        match self {
            FairJob::ListChoices => "Reading what can be audited".to_string(),
            FairJob::Audit { attribute, .. } => format!("Auditing by {attribute}"),
            FairJob::WhatIf { feature, .. } => {
                format!("Retraining the churn model without {feature}")
            }
            FairJob::RunChurn => "Running the churn model".to_string(),
        }
    }

    /// Whether the status bar shows it (audits answer a slider: not shown).
    pub fn is_shown(&self) -> bool {
        matches!(self, FairJob::WhatIf { .. } | FairJob::RunChurn)
    }

    /// What the banner says when it fails.
    pub fn failure(&self) -> &'static str {
        match self {
            FairJob::ListChoices => "The audit choices could not be read",
            FairJob::Audit { .. } => "The audit failed",
            FairJob::WhatIf { .. } => "The what-if failed",
            FairJob::RunChurn => "The churn model failed",
        }
    }

    /// Runs the job on the workspace.
    pub fn run(self, ws: &mut Workspace, progress: &dyn Progress) -> Result<FairDone> {
        Ok(match self {
            FairJob::ListChoices | FairJob::RunChurn => {
                let stored_churn_run = match self {
                    FairJob::RunChurn => Some(ws.churn_with_defaults(progress)?),
                    _ => None,
                };
                FairDone::Choices {
                    choices: Arc::new(ws.fairness_choices(progress)?),
                    stored_churn_run,
                }
            }
            FairJob::Audit {
                attribute,
                decision,
            } => {
                let params = AuditParams {
                    attribute,
                    decision,
                    options: AuditOptions::default(),
                };
                FairDone::Audited(Arc::new(ws.audit(&params, progress)?))
            }
            FairJob::WhatIf {
                attribute,
                decision,
                feature,
            } => FairDone::WhatIf(Arc::new(
                ws.what_if(&attribute, &decision, &feature, progress)?,
            )),
        })
    }
}
