//! The Churn & value panel's state, its commands and the worker events it takes.
//!
//! Churn and lifetime value run as worker jobs; the threshold slider's confusion matrix and
//! cost/benefit come from the precomputed [`ThresholdTable`](crate::workspace::churn::ThresholdTable)
//! (a binary search, so the UI thread can answer as the slider moves).

use std::sync::Arc;

use crate::app::desk::{Change, Desk, FeatureState};
use crate::app::export::ExportFlow;
use crate::app::{Command, TailorApp};
use crate::jobs::{ChurnDone, ChurnJob, Job, JobId};
use crate::models::churn::evaluate::OfferInputs;
use crate::models::churn::label::{DEFAULT_INACTIVE_DAYS, Label};
use crate::models::churn::run::{ChurnParams, ModelKind};
use crate::models::clv::run::ClvParams;
use crate::models::clv::summary::TimeUnit;
use crate::workspace::churn::{ChurnView, ClvView, PurchaseSpan, TargetList};

/// Fewest and most folds offered.
pub const FOLD_RANGE: std::ops::RangeInclusive<usize> = 2..=10;

/// What the Churn & value panel asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum ChurnCommand {
    /// Run the churn model.
    Run(ChurnParams),
    /// Fit lifetime value.
    RunClv(ClvParams),
    /// Read the purchase dates (to suggest a calibration end).
    ReadSpan,
}

/// Who counts as churned, as the window offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelChoice {
    /// A customers column that says who churned.
    Column(String),
    /// No purchase in the panel's number of days.
    Inactive,
}

/// The Churn & value panel's state.
#[derive(Debug)]
pub struct ChurnPanelView {
    /// Who counts as churned (`None`: not chosen for this database yet; the panel picks what
    /// `--label auto` would: a label column, else inactivity).
    pub label: Option<LabelChoice>,
    /// Days without a purchase that count as churned (with [`LabelChoice::Inactive`]).
    pub inactive_days: u32,
    /// The model.
    pub model: ModelKind,
    /// Cross-validation folds.
    pub folds: usize,
    /// The seed.
    pub seed: u64,
    /// CLV time unit.
    pub time_unit: TimeUnit,
    /// CLV horizon in the time unit.
    pub horizon: f64,
    /// CLV calibration end as typed (empty: the last purchase, so no holdout). Pre-filled
    /// with the suggested date once the purchase dates are read.
    pub calibration_end: String,
    /// The calibration end the panel suggested (so a reset can tell it from a typed one).
    pub calibration_suggested: Option<String>,
    /// Whether the purchase dates were asked for.
    pub span_requested: bool,
    /// The purchase dates and the suggested calibration end, once read.
    pub span: Option<Arc<PurchaseSpan>>,
    /// The running churn job.
    pub churn_job: Option<JobId>,
    /// The running CLV job.
    pub clv_job: Option<JobId>,
    /// The churn run on screen.
    pub churn: Option<Arc<ChurnView>>,
    /// The CLV run on screen.
    pub clv: Option<Arc<ClvView>>,
    /// Why CLV failed, when it did.
    pub clv_error: Option<String>,
    /// Every scored customer by value at risk.
    pub targets: Option<Arc<TargetList>>,
    /// The risk threshold.
    pub threshold: f64,
    /// Offer cost, acceptance share and value saved.
    pub offer: OfferInputs,
    /// Rows of `targets` above the threshold, and the threshold they were filtered at.
    pub above: Option<(f64, Vec<u32>)>,
    /// The drill-down id field.
    pub id_text: String,
    /// The customer drilled into.
    pub selected: Option<String>,
    /// The target list's Export…: the dialog, the running export, the last outcome.
    pub export: ExportFlow,
}

impl Default for ChurnPanelView {
    fn default() -> Self {
        ChurnPanelView {
            label: None,
            inactive_days: DEFAULT_INACTIVE_DAYS,
            model: ModelKind::Auto,
            folds: 5,
            seed: 42,
            time_unit: TimeUnit::Week,
            horizon: 52.0,
            calibration_end: String::new(),
            calibration_suggested: None,
            span_requested: false,
            span: None,
            churn_job: None,
            clv_job: None,
            churn: None,
            clv: None,
            clv_error: None,
            targets: None,
            threshold: 0.5,
            offer: OfferInputs {
                offer_cost: 10.0,
                acceptance_rate: 0.3,
                value_saved: 200.0,
            },
            above: None,
            id_text: String::new(),
            selected: None,
            export: ExportFlow::default(),
        }
    }
}

impl ChurnPanelView {
    /// Forgets results (another database, or its data or roles changed); controls stay.
    pub fn reset(&mut self) {
        // A suggested calibration end belongs to the old data; a typed one stays.
        if self.calibration_suggested.as_deref() == Some(self.calibration_end.trim()) {
            self.calibration_end.clear();
        }
        // The label is chosen again from the new data: a column of one database means nothing
        // in another.
        let keep = ChurnPanelView {
            inactive_days: self.inactive_days,
            model: self.model,
            folds: self.folds,
            seed: self.seed,
            time_unit: self.time_unit,
            horizon: self.horizon,
            calibration_end: std::mem::take(&mut self.calibration_end),
            threshold: self.threshold,
            offer: self.offer,
            ..ChurnPanelView::default()
        };
        *self = keep;
    }

    /// The churn parameters from the controls, or why they are not valid.
    pub fn params(&self) -> std::result::Result<ChurnParams, String> {
        let label = match &self.label {
            None => Label::Auto,
            Some(LabelChoice::Column(name)) => Label::Column(name.clone()),
            Some(LabelChoice::Inactive) => Label::Inactive {
                days: self.inactive_days.max(1),
                cutoff: None,
            },
        };
        Ok(ChurnParams {
            label,
            model: self.model,
            folds: self.folds.clamp(*FOLD_RANGE.start(), *FOLD_RANGE.end()),
            seed: self.seed,
            ..ChurnParams::default()
        })
    }

    /// The CLV parameters from the controls, or why they are not valid.
    pub fn clv_params(&self) -> std::result::Result<ClvParams, String> {
        let mut p = ClvParams::new(self.time_unit);
        if self.horizon.is_nan() || self.horizon <= 0.0 {
            return Err("horizon: more than 0".to_string());
        }
        p.horizon = self.horizon;
        let end = self.calibration_end.trim();
        if !end.is_empty() {
            p.calibration_end = Some(
                chrono::NaiveDate::parse_from_str(end, "%Y-%m-%d")
                    .map_err(|_| format!("calibration end: a date like 2024-06-30, not {end}"))?,
            );
        }
        Ok(p)
    }

    /// Rows above the threshold, refiltered when the threshold or the list changed.
    pub fn rows_above(&mut self) -> &[u32] {
        let Some(targets) = &self.targets else {
            return &[];
        };
        if self
            .above
            .as_ref()
            .is_none_or(|(t, _)| *t != self.threshold)
        {
            self.above = Some((self.threshold, targets.above(self.threshold)));
        }
        self.above.as_ref().map_or(&[], |(_, v)| v.as_slice())
    }
}

impl FeatureState<ChurnCommand, ChurnJob, ChurnDone> for ChurnPanelView {
    fn apply(&mut self, command: ChurnCommand, desk: &mut Desk) {
        match command {
            ChurnCommand::Run(params) => {
                desk.error = None;
                self.churn_job = desk.submit(Job::Churn(ChurnJob::Run(params)));
            }
            ChurnCommand::RunClv(params) => {
                desk.error = None;
                self.clv_error = None;
                self.clv_job = desk.submit(Job::Churn(ChurnJob::Clv(params)));
            }
            ChurnCommand::ReadSpan => {
                self.span_requested = true;
                desk.submit(Job::Churn(ChurnJob::Span));
            }
        }
    }

    fn take(&mut self, _id: JobId, done: ChurnDone, desk: &mut Desk) {
        match done {
            ChurnDone::Churn { churn, targets } => {
                self.churn_job = None;
                desk.notice = Some(format!(
                    "Churn model ready: {} scored",
                    crate::format::count(churn.scored as u64, "customer", "customers")
                ));
                self.churn = Some(churn);
                self.targets = Some(targets);
                self.above = None;
            }
            ChurnDone::Clv { clv, targets } => {
                self.clv_job = None;
                desk.notice = Some(format!(
                    "Lifetime value fitted (calibration to {})",
                    clv.result.calibration_end
                ));
                self.clv = Some(clv);
                if let Some(t) = targets {
                    self.targets = Some(t);
                    self.above = None;
                }
            }
            ChurnDone::Span(span) => {
                // Fill an empty field, or replace an earlier suggestion (never a typed date).
                let typed = self.calibration_end.trim();
                let replaceable =
                    typed.is_empty() || self.calibration_suggested.as_deref() == Some(typed);
                if let Some(suggested) = span.as_ref().and_then(|s| s.suggested.clone())
                    && replaceable
                {
                    self.calibration_end = suggested.clone();
                    self.calibration_suggested = Some(suggested);
                }
                self.span = span;
            }
        }
    }

    fn ended(&mut self, _id: JobId, job: &ChurnJob, failure: Option<&str>) -> bool {
        match job {
            ChurnJob::Run(_) => self.churn_job = None,
            ChurnJob::Clv(_) => {
                self.clv_job = None;
                self.clv_error = failure.map(str::to_string);
            }
            ChurnJob::Span => {}
        }
        false
    }

    fn changed(&mut self, change: Change) {
        match change {
            // Another database: nothing of this one's carries over.
            Change::Opened => *self = ChurnPanelView::default(),
            Change::Data => self.reset(),
            Change::SegmentsStored => {}
        }
    }

    fn forget_lost_jobs(&mut self, desk: &Desk) {
        if self.churn_job.is_some_and(|id| !desk.is_pending(id)) {
            self.churn_job = None;
        }
        if self.clv_job.is_some_and(|id| !desk.is_pending(id)) {
            self.clv_job = None;
        }
    }
}

impl TailorApp {
    /// The Churn & value panel's state (tests).
    pub fn churn_panel(&self) -> &ChurnPanelView {
        &self.churn
    }

    /// The Churn & value panel's state, to change (tests).
    pub fn churn_panel_mut(&mut self) -> &mut ChurnPanelView {
        &mut self.churn
    }
}

/// A command for the Churn & value panel.
pub fn command(c: ChurnCommand) -> Command {
    Command::Churn(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_forgets_a_suggested_calibration_end_but_keeps_a_typed_one() {
        let mut view = ChurnPanelView {
            calibration_end: "1997-12-30".into(),
            calibration_suggested: Some("1997-12-30".into()),
            span_requested: true,
            ..ChurnPanelView::default()
        };
        view.reset();
        assert_eq!(view.calibration_end, "");
        assert!(!view.span_requested && view.calibration_suggested.is_none());
        view.calibration_end = "1997-09-30".into();
        view.calibration_suggested = Some("1997-12-30".into());
        view.reset();
        assert_eq!(view.calibration_end, "1997-09-30");
        assert_eq!(
            view.clv_params().unwrap().calibration_end,
            chrono::NaiveDate::from_ymd_opt(1997, 9, 30)
        );
    }
}
