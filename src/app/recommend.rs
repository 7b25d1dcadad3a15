//! The Recommendations panel's state, its commands and the worker events it takes.
//!
//! Every model call is a worker job: the models are fitted once per open database and choice of
//! protected columns (the worker keeps them), one customer's recommendations come back at once
//! (a request superseded by a newer one is cancelled, so the worker skips it), the evaluation
//! and the segment table take seconds and show in the status bar.

use std::sync::Arc;

use crate::app::desk::{Change, Desk, FeatureState};
use crate::app::export::ExportFlow;
use crate::app::{Command, TailorApp};
use crate::jobs::{Job, JobHandle, JobId, RecDone, RecJob};
use crate::models::recommend::evaluate::Report;
use crate::models::recommend::methods::{HybridWeights, RecMethod};
use crate::models::recommend::{RecOptions, RecRequest};
use crate::workspace::recommend::{CustomerRecs, ModelsInfo, SegmentList, SegmentRecs};

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
    /// Hybrid weights on the sliders: the tuned ones until the user moves one.
    pub weights: HybridWeights,
    /// The user moved a weight: requests carry `weights`; otherwise they ask for the tuned
    /// blend.
    pub own_weights: bool,
}

impl Default for RecControls {
    fn default() -> Self {
        let r = RecRequest::default();
        RecControls {
            method: r.method,
            top: r.top,
            repeat: r.repeat,
            weights: HybridWeights::default(),
            own_weights: false,
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
            weights: self.given_weights(),
        }
    }

    /// The weights a request names: the user's, or `None` for the tuned blend.
    pub fn given_weights(&self) -> Option<HybridWeights> {
        self.own_weights.then_some(self.weights)
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
            weights: self.given_weights(),
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
}

impl Default for SegmentTab {
    fn default() -> Self {
        SegmentTab {
            segment: None,
            method: RecMethod::Hybrid,
            per_customer: 3,
            job: None,
            recs: None,
        }
    }
}

/// The Recommendations panel's state.
#[derive(Debug, Default)]
pub struct RecommendView {
    /// The segment table's Export…: the dialog, the running export, the last outcome.
    pub export: ExportFlow,
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
        // Weights are tuned per database: another database starts from its own.
        let controls = RecControls {
            own_weights: false,
            ..self.controls
        };
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
}

impl FeatureState<RecCommand, RecJob, RecDone> for RecommendView {
    fn apply(&mut self, command: RecCommand, desk: &mut Desk) {
        match command {
            RecCommand::Fit => {
                if let Some(id) = desk.submit(Job::Recs(RecJob::Fit(self.options()))) {
                    self.models = ModelsState::Fitting(id);
                }
            }
            RecCommand::ListSegments => {
                self.segments_requested = true;
                self.segments_read = false;
                desk.submit(Job::Recs(RecJob::ListSegments));
            }
            RecCommand::Recommend {
                customer_id,
                request,
            } => {
                // Only the latest answer is shown: an older request is cancelled (the worker
                // skips it if it has not started) and its answer dropped. Not a status-bar job,
                // so submitted quietly to keep its cancel token.
                let Some(handle) = desk.submit_quietly(Job::Recs(RecJob::Customer {
                    customer_id: customer_id.clone(),
                    request,
                    options: self.options(),
                })) else {
                    return;
                };
                if let Some(old) = self.supersede(handle, customer_id, request) {
                    desk.forget(old);
                }
            }
            RecCommand::Evaluate => {
                desk.error = None;
                let job = RecJob::Evaluate {
                    options: self.options(),
                    weights: self.controls.given_weights(),
                };
                self.evaluation_job = desk.submit(Job::Recs(job));
            }
            RecCommand::SetUseProtected(on) => {
                if self.use_protected == on {
                    return;
                }
                self.use_protected = on;
                // A fit or an evaluation with the old choice is stopped; the panel asks for a
                // new fit.
                let fitting = match self.models {
                    ModelsState::Fitting(id) => Some(id),
                    _ => None,
                };
                for id in [fitting, self.evaluation_job.take()].into_iter().flatten() {
                    desk.forget(id);
                }
                self.models = ModelsState::NotFitted;
                // The customer is asked again once the models are ready; the evaluation on
                // screen was made with the old choice.
                if let Some((old, _, _)) = self.requested.take() {
                    old.token.cancel();
                    desk.forget(old.id);
                }
                self.report = None;
            }
            RecCommand::RecommendSegment { segment, request } => {
                desk.error = None;
                self.segment_tab.job = desk.submit(Job::Recs(RecJob::Segment {
                    segment,
                    request,
                    options: self.options(),
                }));
            }
        }
    }

    fn take(&mut self, id: JobId, done: RecDone, desk: &mut Desk) {
        match done {
            RecDone::ModelsReady(info) if info.options.use_protected != self.use_protected => {
                // Fitted with a choice of protected columns since changed: fit again.
                self.models = ModelsState::NotFitted;
            }
            RecDone::ModelsReady(info) => {
                desk.notice = Some(format!(
                    "Recommendation models ready: {} customers, {} products",
                    crate::format::thousands(info.customers as u64),
                    crate::format::thousands(info.products as u64)
                ));
                if !self.controls.own_weights {
                    self.controls.weights = info.blend.weights;
                }
                self.models = ModelsState::Ready(info);
                if self.unavailable(self.controls.method).is_some() {
                    self.controls.method = RecMethod::Hybrid;
                }
            }
            RecDone::Customer(result) => {
                if self.requested.as_ref().is_some_and(|(h, _, _)| h.id == id) {
                    self.shown = Some(result);
                }
            }
            RecDone::Evaluated(report) => {
                self.evaluation_job = None;
                desk.notice = Some(format!(
                    "Evaluated {} methods on {} customers",
                    report.methods.len(),
                    crate::format::thousands(report.users as u64)
                ));
                self.report = Some(report);
            }
            RecDone::Segments(list) => {
                let keep = |s: Option<usize>| {
                    s.filter(|id| {
                        list.as_ref()
                            .is_some_and(|l| l.segments.iter().any(|e| e.id == *id))
                    })
                };
                self.pick_segment = keep(self.pick_segment);
                self.segment_tab.segment = keep(self.segment_tab.segment)
                    .or_else(|| list.as_ref().and_then(|l| l.segments.first()).map(|s| s.id));
                self.segments = list;
                self.segments_read = true;
            }
            RecDone::SegmentRecs(recs) => {
                self.segment_tab.job = None;
                desk.notice = Some(format!(
                    "Recommended for {} in {}: {} rows",
                    crate::format::count(recs.customers as u64, "customer", "customers"),
                    recs.segment_name,
                    crate::format::thousands(recs.rows.len() as u64)
                ));
                self.segment_tab.recs = Some(recs);
                self.export.forget_outcome();
            }
        }
    }

    fn ended(&mut self, _id: JobId, job: &RecJob, failure: Option<&str>) -> bool {
        match job {
            RecJob::Fit(_) => {
                self.models = ModelsState::Stopped(match failure {
                    Some(m) => format!("The models could not be fitted: {m}"),
                    None => "Fitting was cancelled.".to_string(),
                });
                // Shown in the panel, with Fit models to retry.
                return true;
            }
            RecJob::Evaluate { .. } => self.evaluation_job = None,
            RecJob::Segment { .. } => self.segment_tab.job = None,
            RecJob::ListSegments => self.segments_read = true,
            RecJob::Customer { .. } => {
                // Not asked again until the user does.
                self.requested = None;
                self.active = None;
            }
        }
        false
    }

    fn changed(&mut self, change: Change) {
        match change {
            // The models are fitted again on the new data or roles.
            Change::Opened | Change::Data => self.reset(),
            // A new stored run: list its segments again.
            Change::SegmentsStored => self.segments_requested = false,
        }
    }

    fn forget_lost_jobs(&mut self, desk: &Desk) {
        if let ModelsState::Fitting(id) = self.models
            && !desk.is_pending(id)
        {
            self.models = ModelsState::NotFitted;
        }
        if self.evaluation_job.is_some_and(|id| !desk.is_pending(id)) {
            self.evaluation_job = None;
        }
        if self.segment_tab.job.is_some_and(|id| !desk.is_pending(id)) {
            self.segment_tab.job = None;
        }
    }
}

impl TailorApp {
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

    fn handle(id: JobId) -> JobHandle {
        JobHandle::new(id)
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
        view.controls.own_weights = true;
        view.holding = true;
        assert_eq!(view.wanted(), None, "still dragging");
        view.holding = false;
        let (_, request) = view.wanted().unwrap();
        assert_eq!(request.weights.unwrap().als, 0.9, "asked once let go");
    }

    #[test]
    fn the_segment_request_takes_the_weights_and_repeats() {
        let mut controls = RecControls {
            repeat: true,
            ..RecControls::default()
        };
        controls.weights.content = 0.8;
        controls.own_weights = true;
        let tab = SegmentTab {
            per_customer: 4,
            method: RecMethod::Hybrid,
            ..SegmentTab::default()
        };
        let r = controls.segment_request(&tab);
        assert_eq!(r.method, RecMethod::Hybrid);
        assert_eq!(r.top, 4);
        assert!(r.repeat);
        assert_eq!(r.weights, Some(controls.weights));
        controls.own_weights = false;
        assert_eq!(
            controls.segment_request(&tab).weights,
            None,
            "the tuned blend"
        );
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
