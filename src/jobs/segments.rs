//! The Segments panel's jobs.

use std::sync::Arc;

use crate::error::Result;
use crate::models::segment::run::SegmentParams;
use crate::progress::Progress;
use crate::workspace::Workspace;
use crate::workspace::segments::SegmentResult;

/// A segmentation job.
#[derive(Debug, Clone, PartialEq)]
pub enum SegmentJob {
    /// Segments the customers and stores the run.
    Run(SegmentParams),
    /// Reruns the last stored segmentation (same seed, same segments) to show it again.
    ShowLatest,
    /// Keeps the user's name for the segment the naming rule calls `auto_name`.
    Rename {
        /// The automatic name.
        auto_name: String,
        /// The user's name (empty: back to the automatic one).
        name: String,
    },
}

/// A segmentation job's result.
#[derive(Debug, Clone, PartialEq)]
pub enum SegmentDone {
    /// A segmentation; `None` when the database has no stored run to show again.
    Segmented(Option<Arc<SegmentResult>>),
    /// A segment's name was stored.
    Renamed {
        /// The automatic name.
        auto_name: String,
        /// The user's name (empty: back to the automatic one).
        name: String,
    },
}

impl SegmentJob {
    /// A short label for the status bar.
    pub fn label(&self) -> String {
        match self {
            SegmentJob::Run(params) => format!("Segmenting customers ({})", params.method.label()),
            SegmentJob::ShowLatest => "Showing the last segmentation".to_string(),
            SegmentJob::Rename { .. } => "Renaming a segment".to_string(),
        }
    }

    /// What the banner says when it fails.
    pub fn failure(&self) -> &'static str {
        match self {
            SegmentJob::Rename { .. } => "The name was not saved",
            _ => "Segmentation failed",
        }
    }

    /// Runs the job on the workspace.
    pub fn run(self, ws: &mut Workspace, progress: &dyn Progress) -> Result<SegmentDone> {
        Ok(match self {
            SegmentJob::Run(params) => SegmentDone::Segmented(Some(ws.segment(&params, progress)?)),
            SegmentJob::ShowLatest => {
                SegmentDone::Segmented(ws.rerun_latest_segmentation(progress)?)
            }
            SegmentJob::Rename { auto_name, name } => {
                let name = ws.rename_segment(&auto_name, &name)?;
                SegmentDone::Renamed { auto_name, name }
            }
        })
    }
}
