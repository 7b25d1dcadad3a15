//! The Fairness panel's state, its commands and the worker events it takes.
//!
//! The audit itself runs on the worker. The panel asks again whenever the decision, the column
//! or the threshold changes, but keeps at most one audit in flight: while it runs the last
//! answer stays on screen, and when it lands the newest settings are asked for. Dragging the
//! slider therefore never queues more than one audit.

use std::sync::Arc;

use crate::app::chart_png::PngSaver;
use crate::app::desk::{Change, Desk, FeatureState};
use crate::app::{Command, TailorApp};
use crate::jobs::{FairDone, FairJob, Job, JobId};
use crate::models::fairness::decision::Decision;
use crate::models::fairness::report::AuditReport;
use crate::workspace::fairness::{FairnessChoices, WhatIf};

/// What the Fairness panel asks for: its jobs, as they are.
pub use crate::jobs::FairJob as FairCommand;

/// The kinds of decision the panel offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum DecisionKind {
    /// The top fraction of churn scores.
    #[default]
    ChurnTop,
    /// Churn score at or above a threshold.
    ChurnAbove,
    /// Member of a segment.
    Segment,
    /// Shown a product of a category.
    Recs,
}

impl DecisionKind {
    /// Every kind, in the picker's order.
    pub const ALL: [DecisionKind; 4] = [
        DecisionKind::ChurnTop,
        DecisionKind::ChurnAbove,
        DecisionKind::Segment,
        DecisionKind::Recs,
    ];

    /// The picker's label.
    pub fn label(self) -> &'static str {
        match self {
            DecisionKind::ChurnTop => "Churn risk: top fraction",
            DecisionKind::ChurnAbove => "Churn risk: above a threshold",
            DecisionKind::Segment => "Member of a segment",
            DecisionKind::Recs => "Recommended a category",
        }
    }

    /// Whether it reads the stored churn run.
    pub fn is_churn(self) -> bool {
        matches!(self, DecisionKind::ChurnTop | DecisionKind::ChurnAbove)
    }
}

/// The Fairness panel's state.
#[derive(Debug)]
pub struct FairnessView {
    /// Whether the choices were asked for (asked again when the panel is shown again).
    pub choices_requested: bool,
    /// Why reading the choices failed or stopped (shown with Retry; not asked again until then).
    pub choices_error: Option<String>,
    /// The frame the panel was last drawn in (to notice it being shown again).
    pub last_frame: u64,
    /// What can be audited.
    pub choices: Option<Arc<FairnessChoices>>,
    /// The decision's kind.
    pub kind: DecisionKind,
    /// Top fraction, 0..1.
    pub fraction: f64,
    /// Score threshold, 0..1.
    pub threshold: f64,
    /// The segment.
    pub segment: Option<usize>,
    /// The category.
    pub category: Option<String>,
    /// The column.
    pub attribute: Option<String>,
    /// The audit in flight and what it asked.
    pub in_flight: Option<(JobId, String, Decision)>,
    /// The last settings asked for (answered or failed), so they are not asked again.
    pub asked: Option<(String, Decision)>,
    /// The audit on screen.
    pub shown: Option<Arc<AuditReport>>,
    /// Why the last audit failed, shown in the panel.
    pub audit_error: Option<String>,
    /// The what-if running, and its feature.
    pub what_if_job: Option<(JobId, String)>,
    /// The what-if on screen.
    pub what_if: Option<Arc<WhatIf>>,
    /// Why the last what-if failed, shown in the panel.
    pub what_if_error: Option<String>,
    /// The churn run being made.
    pub churn_job: Option<JobId>,
    /// The rate chart's "Save as PNG…".
    pub rates_png: PngSaver,
}

impl Default for FairnessView {
    fn default() -> Self {
        FairnessView {
            choices_requested: false,
            choices_error: None,
            last_frame: 0,
            choices: None,
            kind: DecisionKind::ChurnTop,
            fraction: 0.2,
            threshold: 0.5,
            segment: None,
            category: None,
            attribute: None,
            in_flight: None,
            asked: None,
            shown: None,
            audit_error: None,
            what_if_job: None,
            what_if: None,
            what_if_error: None,
            churn_job: None,
            rates_png: PngSaver::default(),
        }
    }
}

impl FairnessView {
    /// Forgets everything read from the database; the decision's kind and numbers stay.
    pub fn reset(&mut self) {
        *self = FairnessView {
            kind: self.kind,
            fraction: self.fraction,
            threshold: self.threshold,
            ..FairnessView::default()
        };
    }

    /// The decision the controls describe, when it is complete.
    pub fn decision(&self) -> Option<Decision> {
        match self.kind {
            DecisionKind::ChurnTop => Some(Decision::ChurnTop(self.fraction.clamp(0.01, 1.0))),
            DecisionKind::ChurnAbove => Some(Decision::ChurnAbove(self.threshold.clamp(0.01, 1.0))),
            DecisionKind::Segment => self.segment.map(Decision::Segment),
            DecisionKind::Recs => self.category.clone().map(Decision::RecsCategory),
        }
    }

    /// Whether the controls' decision can be audited in this database.
    pub fn available(&self) -> bool {
        let Some(c) = &self.choices else {
            return false;
        };
        match self.kind {
            DecisionKind::ChurnTop | DecisionKind::ChurnAbove => c.churn_run.is_some(),
            DecisionKind::Segment => !c.segments.is_empty(),
            DecisionKind::Recs => !c.categories.is_empty(),
        }
    }

    /// The audit to ask for now: the settings changed and no audit is in flight.
    pub fn wanted(&self) -> Option<(String, Decision)> {
        if self.in_flight.is_some() || !self.available() {
            return None;
        }
        let want = (self.attribute.clone()?, self.decision()?);
        (self.asked.as_ref() != Some(&want)).then_some(want)
    }

    /// Whether the audit on screen is behind the controls.
    pub fn is_stale(&self) -> bool {
        self.in_flight.is_some() || self.wanted().is_some()
    }

    /// Picks defaults that exist: the first protected column, the largest segment, the first
    /// category.
    fn fill_defaults(&mut self) {
        let Some(c) = self.choices.clone() else {
            return;
        };
        if self
            .attribute
            .as_ref()
            .is_none_or(|a| !c.attributes.iter().any(|x| &x.name == a))
        {
            let gender = c
                .attributes
                .iter()
                .find(|a| a.protected && a.name.eq_ignore_ascii_case("gender"));
            self.attribute = gender
                .or_else(|| c.attributes.first())
                .map(|a| a.name.clone());
        }
        if self
            .segment
            .is_none_or(|s| !c.segments.iter().any(|x| x.id == s))
        {
            self.segment = c.segments.first().map(|s| s.id);
        }
        if self
            .category
            .as_ref()
            .is_none_or(|x| !c.categories.contains(x))
        {
            self.category = c.categories.first().cloned();
        }
    }
}

impl FeatureState<FairCommand, FairJob, FairDone> for FairnessView {
    fn apply(&mut self, command: FairCommand, desk: &mut Desk) {
        match &command {
            FairCommand::ListChoices => {
                self.choices_requested = true;
                self.choices_error = None;
            }
            FairCommand::WhatIf { .. } => {
                desk.error = None;
                self.what_if = None;
                self.what_if_error = None;
            }
            FairCommand::RunChurn => desk.error = None,
            FairCommand::Audit { .. } => {}
        }
        let id = desk.submit(Job::Fairness(command.clone()));
        match command {
            FairCommand::Audit {
                attribute,
                decision,
            } => {
                if let Some(id) = id {
                    self.asked = Some((attribute.clone(), decision.clone()));
                    self.in_flight = Some((id, attribute, decision));
                }
            }
            FairCommand::WhatIf { feature, .. } => {
                self.what_if_job = id.map(|id| (id, feature));
            }
            FairCommand::RunChurn => self.churn_job = id,
            FairCommand::ListChoices => {}
        }
    }

    fn take(&mut self, id: JobId, done: FairDone, desk: &mut Desk) {
        match done {
            FairDone::Choices {
                choices,
                stored_churn_run,
            } => {
                if let Some(run) = stored_churn_run {
                    self.churn_job = None;
                    desk.notice = Some(format!("Churn model stored (run {run})"));
                }
                self.choices = Some(choices);
                self.choices_error = None;
                self.fill_defaults();
                // The stored runs may have changed: audit again.
                self.asked = None;
            }
            FairDone::Audited(report) => {
                if self.in_flight.as_ref().is_some_and(|(j, _, _)| *j == id) {
                    self.in_flight = None;
                }
                self.audit_error = None;
                self.shown = Some(report);
            }
            FairDone::WhatIf(result) => {
                self.what_if_job = None;
                desk.notice = Some(format!(
                    "Retrained without {}: AUC {:.3}, was {:.3}",
                    result.feature, result.auc_after, result.auc_before
                ));
                self.what_if = Some(result);
            }
        }
    }

    fn ended(&mut self, _id: JobId, job: &FairJob, failure: Option<&str>) -> bool {
        match job {
            FairJob::Audit { .. } => {
                self.in_flight = None;
                self.audit_error = failure.map(str::to_string);
                failure.is_some()
            }
            FairJob::ListChoices => {
                self.choices_error = Some(failure.map_or_else(
                    || "Reading what can be audited was cancelled".to_string(),
                    |m| format!("What can be audited could not be read: {m}"),
                ));
                failure.is_some()
            }
            FairJob::WhatIf { .. } => {
                self.what_if_job = None;
                self.what_if_error = failure.map(|m| format!("The what-if failed: {m}"));
                failure.is_some()
            }
            FairJob::RunChurn => {
                self.churn_job = None;
                false
            }
        }
    }

    fn changed(&mut self, change: Change) {
        match change {
            // Another database: nothing of this one's carries over.
            Change::Opened => *self = FairnessView::default(),
            Change::Data => self.reset(),
            // A new stored run: read the choices again.
            Change::SegmentsStored => self.choices_requested = false,
        }
    }

    fn forget_lost_jobs(&mut self, desk: &Desk) {
        if self
            .in_flight
            .as_ref()
            .is_some_and(|(id, _, _)| !desk.is_pending(*id))
        {
            self.in_flight = None;
        }
        if self
            .what_if_job
            .as_ref()
            .is_some_and(|(id, _)| !desk.is_pending(*id))
        {
            self.what_if_job = None;
        }
        if self.churn_job.is_some_and(|id| !desk.is_pending(id)) {
            self.churn_job = None;
        }
    }
}

impl TailorApp {
    /// The Fairness panel's state (tests).
    pub fn fairness(&self) -> &FairnessView {
        &self.fairness
    }

    /// The Fairness panel's state, to set controls (tests).
    pub fn fairness_mut(&mut self) -> &mut FairnessView {
        &mut self.fairness
    }
}

/// A command for the Fairness panel.
pub fn command(c: FairCommand) -> Command {
    Command::Fairness(c)
}
