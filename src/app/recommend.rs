//! The Recommendations panel's state, its commands and the worker events it takes.
//!
//! Every model call is a worker job: the models are fitted once per open database and choice of
//! protected columns (the worker keeps them), one customer's recommendations come back at once
//! (a request superseded by a newer one is cancelled, so the worker skips it), the evaluation
//! and the segment table take seconds and show in the status bar.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::app::{Command, Pending, TailorApp};
use crate::jobs::recommend::{CustomerRecs, ModelsInfo, SegmentList, SegmentRecs};
use crate::jobs::{Event, Job, JobHandle, JobId, file_name};
use crate::models::recommend::engine::{RecOptions, RecRequest};
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
    /// Evaluate every method (the hybrid with the Customer tab's weights).
    Evaluate,
    /// Allow or forbid protected columns (age, gender): the models are fitted again.
    SetUseProtected(bool),
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

    /// The Segment tab's request: its method and items per customer, with these controls'
    /// hybrid weights and repeat-purchase choice.
    pub fn segment_request(&self, tab: &SegmentTab) -> RecRequest {
        RecRequest {
            method: tab.method,
            top: tab
                .per_customer
                .clamp(*PER_CUSTOMER_RANGE.start(), *PER_CUSTOMER_RANGE.end()),
            repeat: self.repeat,
            weights: self.weights,
        }
    }

    /// Whether the hybrid would blend nothing: every weight of a method that can be used is 0
    /// (`unavailable` says which cannot).
    pub fn all_weights_zero(&self, unavailable: impl Fn(RecMethod) -> bool) -> bool {
        RecMethod::BLENDED
            .into_iter()
            .filter(|m| !unavailable(*m))
            .all(|m| self.weights.get(m) <= 0.0)
    }
}

/// Where the latest stored segmentation's segments are.
#[derive(Debug, Clone, PartialEq)]
pub enum SegmentsState {
    /// Asked for; the answer has not come yet.
    Reading,
    /// The database has no stored segmentation (or it could not be read).
    None,
    /// The segments.
    Listed(Arc<SegmentList>),
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
    /// The segment export dialog's Browse… (the system file dialog, on its own thread).
    pub export_picker: crate::app::file_picker::FilePicker,
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
    /// The latest customer request submitted (its job, to cancel when superseded), and what it
    /// asked.
    pub requested: Option<(JobHandle, String, RecRequest)>,
    /// A Customer tab slider is being dragged: the request waits until it is let go.
    pub holding: bool,
    /// Let the demographic method use protected columns (age band, gender).
    pub use_protected: bool,
    /// The customer's answer on screen.
    pub shown: Option<Arc<CustomerRecs>>,
    /// Whether the segment list was asked for, for the open database.
    pub segments_requested: bool,
    /// Whether the answer to the latest segment-list request came (or it failed).
    pub segments_read: bool,
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
        let use_protected = self.use_protected;
        let id_text = std::mem::take(&mut self.id_text);
        let method = self.segment_tab.method;
        let per_customer = self.segment_tab.per_customer;
        if let Some((old, _, _)) = &self.requested {
            old.token.cancel();
        }
        *self = RecommendView {
            tab,
            controls,
            use_protected,
            id_text,
            ..RecommendView::default()
        };
        self.segment_tab.method = method;
        self.segment_tab.per_customer = per_customer;
    }

    /// The options the models are fitted with.
    pub fn options(&self) -> RecOptions {
        RecOptions {
            use_protected: self.use_protected,
            ..RecOptions::default()
        }
    }

    /// Where the segment list is.
    pub fn segments_state(&self) -> SegmentsState {
        match &self.segments {
            Some(list) => SegmentsState::Listed(Arc::clone(list)),
            None if self.segments_requested && !self.segments_read => SegmentsState::Reading,
            None => SegmentsState::None,
        }
    }

    /// Records a newly submitted customer request; the one it supersedes is cancelled (the
    /// worker skips it if it has not started) and its id returned, no longer to be awaited.
    pub fn supersede(
        &mut self,
        handle: JobHandle,
        customer_id: String,
        request: RecRequest,
    ) -> Option<JobId> {
        let old = self.requested.replace((handle, customer_id, request));
        old.map(|(h, _, _)| {
            h.token.cancel();
            h.id
        })
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
    /// one (not while a slider is being dragged).
    pub fn wanted(&self) -> Option<(String, RecRequest)> {
        if self.holding {
            return None;
        }
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
                let options = self.recs.options();
                if let Some(id) = self.submit(Job::FitRecommender { options }, Pending::RecFit) {
                    self.recs.models = ModelsState::Fitting(id);
                }
            }
            RecCommand::ListSegments => {
                self.recs.segments_requested = true;
                self.recs.segments_read = false;
                self.submit(Job::RecSegments, Pending::RecSegments);
            }
            RecCommand::Recommend {
                customer_id,
                request,
            } => {
                // Only the latest answer is shown: an older request is cancelled (the worker
                // skips it if it has not started) and its answer dropped. Not a status-bar job,
                // so submitted here to keep its cancel token.
                let options = self.recs.options();
                let Some(worker) = self.worker.as_mut() else {
                    self.error =
                        Some("the worker thread is not running: restart Tailor".to_string());
                    return;
                };
                let handle = worker.submit(Job::Recommend {
                    customer_id: customer_id.clone(),
                    request,
                    options,
                });
                self.pending.insert(handle.id, Pending::Recommend);
                if let Some(old) = self.recs.supersede(handle, customer_id, request) {
                    self.pending.remove(&old);
                }
            }
            RecCommand::Evaluate => {
                self.error = None;
                let job = Job::EvaluateRecs {
                    options: self.recs.options(),
                    weights: self.recs.controls.weights,
                };
                self.recs.evaluation_job = self.submit(job, Pending::RecEvaluate);
            }
            RecCommand::SetUseProtected(on) => {
                let view = &mut self.recs;
                if view.use_protected == on {
                    return;
                }
                view.use_protected = on;
                // A fit or an evaluation with the old choice is stopped; the panel asks for a
                // new fit.
                let fitting = match view.models {
                    ModelsState::Fitting(id) => Some(id),
                    _ => None,
                };
                for id in [fitting, view.evaluation_job.take()].into_iter().flatten() {
                    if let Some(running) = self.running.take_if(|r| r.id == id) {
                        running.token.cancel();
                    }
                    self.pending.remove(&id);
                }
                view.models = ModelsState::NotFitted;
                // The customer is asked again once the models are ready; the evaluation on
                // screen was made with the old choice.
                if let Some((old, _, _)) = view.requested.take() {
                    old.token.cancel();
                    self.pending.remove(&old.id);
                }
                view.report = None;
            }
            RecCommand::RecommendSegment { segment, request } => {
                self.error = None;
                let options = self.recs.options();
                self.recs.segment_tab.job = self.submit(
                    Job::RecommendSegment {
                        segment,
                        request,
                        options,
                    },
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
            Event::RecModelsReady { info, .. } if info.options != view.options() => {
                // Fitted with a choice of protected columns since changed: fit again.
                view.models = ModelsState::NotFitted;
            }
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
                    .is_some_and(|(h, _, _)| h.id == job_id) =>
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
                view.segments_read = true;
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
            Pending::RecSegments => view.segments_read = true,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::CancelToken;

    fn handle(id: JobId) -> JobHandle {
        JobHandle {
            id,
            token: CancelToken::new(),
        }
    }

    #[test]
    fn a_newer_customer_request_cancels_the_older_one() {
        let mut view = RecommendView::default();
        let first = handle(1);
        assert_eq!(
            view.supersede(first.clone(), "a".into(), RecRequest::default()),
            None
        );
        let second = handle(2);
        assert_eq!(
            view.supersede(second.clone(), "b".into(), RecRequest::default()),
            Some(1)
        );
        assert!(first.token.is_cancelled(), "the worker skips it");
        assert!(!second.token.is_cancelled());
        assert_eq!(view.requested.as_ref().map(|r| r.0.id), Some(2));
        // Another database: the one in flight is cancelled too.
        view.reset();
        assert!(second.token.is_cancelled());
        assert!(view.requested.is_none());
    }

    #[test]
    fn nothing_is_asked_while_a_slider_is_dragged() {
        let mut view = RecommendView {
            active: Some("42".into()),
            ..RecommendView::default()
        };
        let (id, request) = view.wanted().unwrap();
        view.supersede(handle(1), id, request);
        assert_eq!(view.wanted(), None, "already asked");
        view.controls.weights.als = 0.9;
        view.holding = true;
        assert_eq!(view.wanted(), None, "still dragging");
        view.holding = false;
        let (_, request) = view.wanted().unwrap();
        assert_eq!(request.weights.als, 0.9, "asked once let go");
    }

    #[test]
    fn the_segment_request_takes_the_weights_and_repeats() {
        let mut controls = RecControls {
            repeat: true,
            ..RecControls::default()
        };
        controls.weights.content = 0.8;
        let tab = SegmentTab {
            per_customer: 4,
            method: RecMethod::Hybrid,
            ..SegmentTab::default()
        };
        let r = controls.segment_request(&tab);
        assert_eq!(r.method, RecMethod::Hybrid);
        assert_eq!(r.top, 4);
        assert!(r.repeat);
        assert_eq!(r.weights, controls.weights);
    }

    #[test]
    fn all_weights_zero_ignores_methods_that_cannot_be_used() {
        let mut controls = RecControls::default();
        assert!(!controls.all_weights_zero(|_| false));
        for m in RecMethod::BLENDED {
            if let Some(w) = controls.weights.get_mut(m) {
                *w = 0.0;
            }
        }
        assert!(controls.all_weights_zero(|_| false));
        controls.weights.content = 0.5;
        assert!(!controls.all_weights_zero(|_| false));
        assert!(controls.all_weights_zero(|m| m == RecMethod::Content));
    }

    #[test]
    fn segments_read_while_asked_then_listed_or_none() {
        let mut view = RecommendView::default();
        assert_eq!(view.segments_state(), SegmentsState::None);
        view.segments_requested = true;
        assert_eq!(view.segments_state(), SegmentsState::Reading);
        view.segments_read = true;
        assert_eq!(view.segments_state(), SegmentsState::None);
        let list = Arc::new(SegmentList {
            run_id: 1,
            created_at: String::new(),
            segments: Vec::new(),
        });
        view.segments = Some(Arc::clone(&list));
        assert_eq!(view.segments_state(), SegmentsState::Listed(list));
    }

    #[test]
    fn the_options_follow_the_checkbox() {
        let mut view = RecommendView::default();
        assert!(!view.options().use_protected);
        view.use_protected = true;
        assert!(view.options().use_protected);
        view.reset();
        assert!(view.use_protected, "kept, like the other controls");
    }
}
