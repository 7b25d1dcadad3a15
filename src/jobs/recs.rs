//! The Recommendations panel's jobs.

use std::sync::Arc;

use crate::error::Result;
use crate::models::recommend::evaluate::Report;
use crate::models::recommend::methods::HybridWeights;
use crate::models::recommend::{RecOptions, RecRequest};
use crate::progress::Progress;
use crate::workspace::Workspace;
use crate::workspace::recommend::{
    CustomerRecs, EvaluateParams, ModelsInfo, SegmentList, SegmentRecs,
};

/// A recommendation job; each carries the models' options (fitted again when they differ).
#[derive(Debug, Clone, PartialEq)]
pub enum RecJob {
    /// Fits the models (once; kept until the data or the options change).
    Fit(RecOptions),
    /// Recommends for one customer and reads their recent history.
    Customer {
        /// The customer id as typed.
        customer_id: String,
        /// Method, top N, repeats, hybrid weights.
        request: RecRequest,
        /// The models' options.
        options: RecOptions,
    },
    /// Evaluates every method (leave-last-out).
    Evaluate {
        /// The models' options.
        options: RecOptions,
        /// The hybrid's weights (`None`: the tuned ones).
        weights: Option<HybridWeights>,
    },
    /// Lists the latest stored segmentation's segments.
    ListSegments,
    /// Recommends for every customer of a segment of the latest stored segmentation.
    Segment {
        /// The segment id.
        segment: usize,
        /// Method, items per customer, repeats, hybrid weights.
        request: RecRequest,
        /// The models' options.
        options: RecOptions,
    },
}

/// A recommendation job's result.
#[derive(Debug, Clone, PartialEq)]
pub enum RecDone {
    /// The models are fitted.
    ModelsReady(ModelsInfo),
    /// One customer's recommendations (or that the id is unknown).
    Customer(Arc<CustomerRecs>),
    /// Every method's evaluation.
    Evaluated(Report),
    /// The latest stored segmentation's segments (`None`: no stored run).
    Segments(Option<Arc<SegmentList>>),
    /// A segment's recommendations.
    SegmentRecs(Arc<SegmentRecs>),
}

impl RecJob {
    /// A short label for the status bar.
    pub fn label(&self) -> String {
        match self {
            RecJob::Fit(_) => "Fitting the recommendation models".to_string(),
            RecJob::Customer { customer_id, .. } => format!("Recommending for {customer_id}"),
            RecJob::Evaluate { .. } => "Evaluating the recommendation methods".to_string(),
            RecJob::ListSegments => "Reading the stored segments".to_string(),
            RecJob::Segment { request, .. } => {
                format!("Recommending for a segment ({})", request.method.label())
            }
        }
    }

    /// Whether the status bar shows it (one customer is instant once the models are fitted).
    pub fn is_shown(&self) -> bool {
        !matches!(self, RecJob::Customer { .. } | RecJob::ListSegments)
    }

    /// What the banner says when it fails.
    pub fn failure(&self) -> &'static str {
        match self {
            RecJob::Fit(_) => "The recommendation models could not be fitted",
            RecJob::Customer { .. } => "Recommending failed",
            RecJob::Evaluate { .. } => "The evaluation failed",
            RecJob::ListSegments => "The stored segments could not be read",
            RecJob::Segment { .. } => "Recommending for the segment failed",
        }
    }

    /// Runs the job on the workspace.
    pub fn run(self, ws: &mut Workspace, progress: &dyn Progress) -> Result<RecDone> {
        Ok(match self {
            RecJob::Fit(options) => RecDone::ModelsReady(ws.fit_recommender(&options, progress)?),
            RecJob::Customer {
                customer_id,
                request,
                options,
            } => RecDone::Customer(Arc::new(ws.recommend_customer(
                &customer_id,
                &request,
                &options,
                progress,
            )?)),
            RecJob::Evaluate { options, weights } => {
                let params = EvaluateParams {
                    options,
                    weights,
                    ..EvaluateParams::default()
                };
                RecDone::Evaluated(ws.evaluate_recommenders(&params, progress)?)
            }
            RecJob::ListSegments => RecDone::Segments(ws.stored_segments()?.map(Arc::new)),
            RecJob::Segment {
                segment,
                request,
                options,
            } => RecDone::SegmentRecs(ws.recommend_segment(segment, &request, &options, progress)?),
        })
    }
}
