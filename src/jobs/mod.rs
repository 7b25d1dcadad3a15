//! The worker thread and its protocol: a [`Job`] names a use case of the
//! [`Workspace`](crate::workspace::Workspace), the worker calls its method, and one
//! [`Event::Done`] carries the result.
//!
//! Jobs and results are nested per feature (`DataJob`/`DataDone`, `SegmentJob`/`SegmentDone`…),
//! each with its label, its failure text and the call it makes. Every job carries an id and a
//! [`CancelToken`](crate::progress::CancelToken); every job ends with exactly one final event
//! (done, [`Event::Failed`] or [`Event::Cancelled`]). The worker calls the repaint callback
//! after every send so the window wakes up and drains the events with [`Worker::try_recv`].

pub mod campaigns;
pub mod churn;
pub mod data;
pub mod fairness;
mod progress;
pub mod recs;
pub mod segments;
mod worker;

use std::path::PathBuf;
use std::sync::Arc;

use crate::error::Result;
use crate::export::audience::ExportSummary;
use crate::progress::Progress;
use crate::workspace::Workspace;
use crate::workspace::export::{ExportRequest, ExportSpec};

pub use campaigns::{CampaignDone, CampaignJob};
pub use churn::{ChurnDone, ChurnJob};
pub use data::{DataDone, DataJob};
pub use fairness::{FairDone, FairJob};
pub use progress::JobProgress;
pub use recs::{RecDone, RecJob};
pub use segments::{SegmentDone, SegmentJob};
pub use worker::{JobHandle, Worker};

/// Identifies a submitted job; ids increase with each submission.
pub type JobId = u64;

/// Work for the worker thread: one use case of the workspace.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    /// Open, import, sample, quality, rows, roles.
    Data(DataJob),
    /// Segmentation.
    Segments(SegmentJob),
    /// Recommendations.
    Recs(RecJob),
    /// Churn and lifetime value.
    Churn(ChurnJob),
    /// Fairness audits.
    Fairness(FairJob),
    /// Campaign audiences.
    Campaigns(CampaignJob),
    /// Any export, through the privacy guard.
    Export(ExportRequest),
}

/// A finished export: what, where, and what the guard wrote and left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    /// What was exported.
    pub spec: ExportSpec,
    /// The file written.
    pub path: PathBuf,
    /// What was written and left out (consent, personal data, k-anonymity).
    pub summary: ExportSummary,
}

/// A job's result.
#[derive(Debug, Clone, PartialEq)]
pub enum Done {
    /// Of a [`DataJob`].
    Data(DataDone),
    /// Of a [`SegmentJob`].
    Segments(SegmentDone),
    /// Of a [`RecJob`].
    Recs(RecDone),
    /// Of a [`ChurnJob`].
    Churn(ChurnDone),
    /// Of a [`FairJob`].
    Fairness(FairDone),
    /// Of a [`CampaignJob`].
    Campaigns(CampaignDone),
    /// Of an export.
    Exported(Arc<Exported>),
}

impl Job {
    /// A short label for the status bar, in sentence case.
    pub fn label(&self) -> String {
        match self {
            Job::Data(j) => j.label(),
            Job::Segments(j) => j.label(),
            Job::Recs(j) => j.label(),
            Job::Churn(j) => j.label(),
            Job::Fairness(j) => j.label(),
            Job::Campaigns(j) => j.label(),
            Job::Export(r) => format!(
                "Exporting to {}",
                crate::workspace::data::file_name(&r.path)
            ),
        }
    }

    /// Whether the status bar shows this job: quick reads, renames and exports are not shown
    /// (and so never supersede a running job).
    pub fn is_shown(&self) -> bool {
        match self {
            Job::Data(j) => !matches!(
                j,
                DataJob::LoadRows { .. }
                    | DataJob::HealthCheck
                    | DataJob::Overview
                    | DataJob::StoreSetting { .. }
            ),
            Job::Segments(j) => !matches!(j, SegmentJob::Rename { .. }),
            Job::Recs(j) => j.is_shown(),
            Job::Churn(j) => !matches!(j, ChurnJob::Span),
            Job::Fairness(j) => j.is_shown(),
            Job::Campaigns(j) => !matches!(j, CampaignJob::Choices),
            Job::Export(r) => matches!(r.spec, ExportSpec::Campaign(_)),
        }
    }

    /// What the banner says when the job fails ("Import failed: …").
    pub fn failure(&self) -> &'static str {
        match self {
            Job::Data(j) => j.failure(),
            Job::Segments(j) => j.failure(),
            Job::Recs(j) => j.failure(),
            Job::Churn(j) => j.failure(),
            Job::Fairness(j) => j.failure(),
            Job::Campaigns(j) => j.failure(),
            Job::Export(_) => "The export failed",
        }
    }

    /// Runs the job on the workspace: one method call.
    pub fn run(self, ws: &mut Workspace, progress: &dyn Progress) -> Result<Done> {
        Ok(match self {
            Job::Data(j) => Done::Data(j.run(ws, progress)?),
            Job::Segments(j) => Done::Segments(j.run(ws, progress)?),
            Job::Recs(j) => Done::Recs(j.run(ws, progress)?),
            Job::Churn(j) => Done::Churn(j.run(ws, progress)?),
            Job::Fairness(j) => Done::Fairness(j.run(ws, progress)?),
            Job::Campaigns(j) => Done::Campaigns(j.run(ws, progress)?),
            Job::Export(request) => {
                let summary = ws.export(&request, progress)?;
                Done::Exported(Arc::new(Exported {
                    spec: request.spec,
                    path: request.path,
                    summary,
                }))
            }
        })
    }
}

/// What the worker tells the window.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Progress of a running job.
    Progress {
        /// The job.
        job_id: JobId,
        /// 0..=1, or negative when unknown.
        fraction: f32,
        /// What it is doing.
        message: String,
    },
    /// The job finished with this result.
    Done {
        /// The job.
        job_id: JobId,
        /// The result.
        done: Done,
    },
    /// The job failed; the message is one line for people.
    Failed {
        /// The job.
        job_id: JobId,
        /// What went wrong.
        message: String,
    },
    /// The job stopped because it was cancelled.
    Cancelled {
        /// The job.
        job_id: JobId,
    },
}

impl Event {
    /// The job this event is about.
    pub fn job_id(&self) -> JobId {
        match self {
            Event::Progress { job_id, .. }
            | Event::Done { job_id, .. }
            | Event::Failed { job_id, .. }
            | Event::Cancelled { job_id } => *job_id,
        }
    }

    /// Whether this is the job's last event.
    pub fn is_final(&self) -> bool {
        !matches!(self, Event::Progress { .. })
    }
}
