//! The Recommendations panel's state, its commands and the worker events it takes.
//!
//! Every model call is a worker job: the models are fitted once per open database (the worker
//! keeps them), one customer's recommendations come back at once, the evaluation and the
//! segment table take seconds and show in the status bar.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::app::{Command, Pending, TailorApp};
use crate::jobs::recommend::{CustomerRecs, ModelsInfo, SegmentList, SegmentRecs};
use crate::jobs::{Event, Job, JobId, file_name};
use crate::models::recommend::engine::RecRequest;
use crate::models::recommend::evaluate::Report;
use crate::models::recommend::methods::{HybridWeights, RecMethod};

/// Fewest and most items in the Customer tab's list.
pub const TOP_RANGE: std::ops::RangeInclusive<usize> = 5..=50;
/// Fewest and most items per customer in the Segment tab.
pub const PER_CUSTOMER_RANGE: std::ops::RangeInclusive<usize> = 1..=20;

/// What the Recommendations panel asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum RecCommand {
    /// Fit the models for the open database.
    Fit,
    /// List the latest stored segmentation's segments.
    ListSegments,
    /// Recommend for one customer.
    Recommend {
        /// The id.
        customer_id: String,
        /// The request.
        request: RecRequest,
    },
    /// Evaluate every method.
    Evaluate,
    /// Recommend for every customer of a segment.
    RecommendSegment {
        /// The segment id.
        segment: usize,
        /// The request.
        request: RecRequest,
    },
    /// Write the segment table to a CSV file.
    Export {
        /// The file.
        path: PathBuf,
    },
}

/// The panel's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecTab {
    /// One customer's recommendations.
    #[default]
    Customer,
    /// Every method's offline evaluation.
    Evaluation,
    /// Recommendations for a whole segment.
    Segment,
}

impl RecTab {
    /// Every tab, in order.
    pub const ALL: [RecTab; 3] = [RecTab::Customer, RecTab::Evaluation, RecTab::Segment];

    /// The tab's title.
    pub fn label(self) -> &'static str {
        match self {
            RecTab::Customer => "Customer",
            RecTab::Evaluation => "Evaluation",
            RecTab::Segment => "Segment",
        }
    }
}

/// Where the models are.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ModelsState {
    /// Not asked for yet (or the data changed).
    #[default]
    NotFitted,
    /// Being fitted.
    Fitting(JobId),
    /// Fitted.
    Ready(ModelsInfo),
    /// Fitting failed or was cancelled; the message says which.
    Stopped(String),
}

/// The Customer tab's controls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecControls {
    /// The method.
    pub method: RecMethod,
    /// How many items.
    pub top: usize,
    /// Include products they already have.
    pub repeat: bool,
    /// Hybrid weights.
    pub weights: HybridWeights,
}

impl Default for RecControls {
    fn default() -> Self {
        let r = RecRequest::default();
        RecControls {
            method: r.method,
            top: r.top,
            repeat: r.repeat,
            weights: r.weights,
        }
    }
}

impl RecControls {
    /// The request these controls make.
    pub fn request(&self) -> RecRequest {
        RecRequest {
            method: self.method,
            top: self.top.clamp(*TOP_RANGE.start(), *TOP_RANGE.end()),
            repeat: self.repeat,
            weights: self.weights,
        }
    }
}

/// The Segment tab's state.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentTab {
    /// The segment chosen.
    pub segment: Option<usize>,
    /// The method.
    pub method: RecMethod,
    /// Items per customer.
    pub per_customer: usize,
    /// The running job.
    pub job: Option<JobId>,
    /// The table on screen.
    pub recs: Option<Arc<SegmentRecs>>,
    /// The export dialog's typed path, when open.
    pub export: Option<String>,
    /// The last export of the table on screen: what was written and left out.
    pub exported: Option<Arc<crate::export::audience::ExportSummary>>,
}

impl Default for SegmentTab {
    fn default() -> Self {
        SegmentTab {
            segment: None,
            method: RecMethod::Hybrid,
            per_customer: 3,
            job: None,
            recs: None,
            export: None,
            exported: None,
        }
    }
}

/// The Recommendations panel's state.
#[derive(Debug, Default)]
pub struct RecommendView {
    /// The tab shown.
    pub tab: RecTab,
    /// The models.
    pub models: ModelsState,
    /// The id field's text.
    pub id_text: String,
    /// The customer whose recommendations are wanted (set by Find or a pick).
    pub active: Option<String>,
    /// The Customer tab's controls.
    pub controls: RecControls,
    /// The latest customer request submitted, and what it asked.
    pub requested: Option<(JobId, String, RecRequest)>,
    /// The customer's answer on screen.
    pub shown: Option<Arc<CustomerRecs>>,
    /// Whether the segment list was asked for, for the open database.
    pub segments_requested: bool,
    /// The latest stored segmentation's segments (`None`: none stored or not read yet).
    pub segments: Option<Arc<SegmentList>>,
    /// The segment chosen in "Pick from segment".
    pub pick_segment: Option<usize>,
    /// The running evaluation.
    pub evaluation_job: Option<JobId>,
    /// The evaluation on screen.
    pub report: Option<Report>,
    /// The Segment tab.
    pub segment_tab: SegmentTab,
    /// "Save as PNG…" for the evaluation charts.
    pub evaluation_png: crate::app::chart_png::PngSaver,
}

impl RecommendView {
    /// Forgets everything fitted or computed: another database was opened (or its data or roles
    /// changed). The tab and the controls stay.
    pub fn reset(&mut self) {
        let tab = self.tab;
        let controls = self.controls;
        let id_text = std::mem::take(&mut self.id_text);
        let method = self.segment_tab.method;
        let per_customer = self.segment_tab.per_customer;
        *self = RecommendView {
            tab,
            controls,
            id_text,
            ..RecommendView::default()
        };
        self.segment_tab.method = method;
        self.segment_tab.per_customer = per_customer;
    }

    /// Whether the models are fitted.
    pub fn ready(&self) -> Option<&ModelsInfo> {
        match &self.models {
            ModelsState::Ready(info) => Some(info),
            _ => None,
        }
    }

    /// Why a method can't be used, when the models say so.
    pub fn unavailable(&self, method: RecMethod) -> Option<&str> {
        self.ready().and_then(|info| {
            info.unavailable
                .iter()
                .find(|(m, _)| *m == method)
                .map(|(_, why)| why.as_str())
        })
    }

    /// The request to submit now, if the active customer or the controls changed since the last
    /// one.
    pub fn wanted(&self) -> Option<(String, RecRequest)> {
        let id = self.active.as_ref()?;
        let request = self.controls.request();
        match &self.requested {
            Some((_, last_id, last)) if last_id == id && *last == request => None,
            _ => Some((id.clone(), request)),
        }
    }

    /// Whether a customer's answer is awaited.
    pub fn is_recommending(&self) -> bool {
        self.requested.as_ref().is_some_and(|(_, id, r)| {
            self.shown
                .as_ref()
                .is_none_or(|s| s.customer_id != id.trim() || s.request != *r)
        })
    }

    /// Forgets jobs the app no longer waits for (superseded by another job shown in the status
    /// bar), so the panel can ask again.
    fn forget_lost_jobs(&mut self, pending: &HashMap<JobId, Pending>) {
        if let ModelsState::Fitting(id) = self.models
            && !pending.contains_key(&id)
        {
            self.models = ModelsState::NotFitted;
        }
        if self
            .evaluation_job
            .is_some_and(|id| !pending.contains_key(&id))
        {
            self.evaluation_job = None;
        }
        if self
            .segment_tab
            .job
            .is_some_and(|id| !pending.contains_key(&id))
        {
            self.segment_tab.job = None;
        }
    }
}

impl TailorApp {
    /// Applies a Recommendations panel command.
    pub(super) fn apply_rec_command(&mut self, command: RecCommand) {
        match command {
            RecCommand::Fit => {
                if let Some(id) = self.submit(Job::FitRecommender, Pending::RecFit) {
                    self.recs.models = ModelsState::Fitting(id);
                }
            }
            RecCommand::ListSegments => {
                self.recs.segments_requested = true;
                self.submit(Job::RecSegments, Pending::RecSegments);
            }
            RecCommand::Recommend {
                customer_id,
                request,
            } => {
                // Only the latest answer is shown: an older request still queued is dropped.
                if let Some((old, _, _)) = &self.recs.requested {
                    self.pending.remove(old);
                }
                if let Some(id) = self.submit(
                    Job::Recommend {
                        customer_id: customer_id.clone(),
                        request,
                    },
                    Pending::Recommend,
                ) {
                    self.recs.requested = Some((id, customer_id, request));
                }
            }
            RecCommand::Evaluate => {
                self.error = None;
                self.recs.evaluation_job = self.submit(Job::EvaluateRecs, Pending::RecEvaluate);
            }
            RecCommand::RecommendSegment { segment, request } => {
                self.error = None;
                self.recs.segment_tab.job = self.submit(
                    Job::RecommendSegment { segment, request },
                    Pending::RecommendSegment,
                );
            }
            RecCommand::Export { path } => {
                let Some(recs) = self.recs.segment_tab.recs.clone() else {
                    return;
                };
                self.recs.segment_tab.export = None;
                self.notice = Some(format!("Exporting to {}…", file_name(&path)));
                self.submit(Job::ExportRecs { path, recs }, Pending::ExportRecs);
            }
        }
    }

    /// Keeps the panel's job ids in step with the jobs still awaited.
    pub(super) fn sync_rec_jobs(&mut self) {
        self.recs.forget_lost_jobs(&self.pending);
    }

    /// Takes a recommendation event.
    pub(super) fn handle_rec_event(&mut self, event: Event) {
        let view = &mut self.recs;
        match event {
            Event::RecModelsReady { info, .. } => {
                self.notice = Some(format!(
                    "Recommendation models ready: {} customers, {} products",
                    crate::format::thousands(info.customers as u64),
                    crate::format::thousands(info.products as u64)
                ));
                view.models = ModelsState::Ready(info);
                if view.unavailable(view.controls.method).is_some() {
                    view.controls.method = RecMethod::Hybrid;
                }
            }
            Event::Recommended { job_id, result }
                if view
                    .requested
                    .as_ref()
                    .is_some_and(|(id, _, _)| *id == job_id) =>
            {
                view.shown = Some(result);
            }
            Event::RecsEvaluated { report, .. } => {
                view.evaluation_job = None;
                self.notice = Some(format!(
                    "Evaluated {} methods on {} customers",
                    report.methods.len(),
                    crate::format::thousands(report.users as u64)
                ));
                view.report = Some(report);
            }
            Event::RecSegmentsListed { list, .. } => {
                let keep = |s: Option<usize>| {
                    s.filter(|id| {
                        list.as_ref()
                            .is_some_and(|l| l.segments.iter().any(|e| e.id == *id))
                    })
                };
                view.pick_segment = keep(view.pick_segment);
                view.segment_tab.segment = keep(view.segment_tab.segment)
                    .or_else(|| list.as_ref().and_then(|l| l.segments.first()).map(|s| s.id));
                view.segments = list;
            }
            Event::SegmentRecommended { recs, .. } => {
                view.segment_tab.job = None;
                self.notice = Some(format!(
                    "Recommended for {} in {}: {} rows",
                    crate::format::count(recs.customers as u64, "customer", "customers"),
                    recs.segment_name,
                    crate::format::thousands(recs.rows.len() as u64)
                ));
                view.segment_tab.recs = Some(recs);
                view.segment_tab.exported = None;
            }
            Event::RecsExported {
                path,
                rows,
                summary,
                ..
            } => {
                self.notice = Some(format!(
                    "Exported {} to {}",
                    crate::format::count(rows as u64, "row", "rows"),
                    path.display()
                ));
                view.segment_tab.exported = Some(summary);
            }
            _ => {}
        }
    }

    /// A recommendation job failed or was cancelled: the panel stops waiting for it.
    pub(super) fn rec_job_ended(&mut self, pending: Pending, message: Option<&str>) {
        let view = &mut self.recs;
        match pending {
            Pending::RecFit => {
                view.models = ModelsState::Stopped(match message {
                    Some(m) => format!("The models could not be fitted: {m}"),
                    None => "Fitting was cancelled.".to_string(),
                });
            }
            Pending::RecEvaluate => view.evaluation_job = None,
            Pending::RecommendSegment => view.segment_tab.job = None,
            Pending::Recommend => {
                // Not asked again until the user does.
                view.requested = None;
                view.active = None;
            }
            _ => {}
        }
    }

    /// The Recommendations panel's state (tests).
    pub fn recommendations(&self) -> &RecommendView {
        &self.recs
    }
}

/// A command for the Recommendations panel.
pub fn command(c: RecCommand) -> Command {
    Command::Recs(c)
}
