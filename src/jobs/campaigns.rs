//! The Campaigns panel's jobs (its export is an [`ExportSpec::Campaign`](crate::workspace::export::ExportSpec)).

use std::sync::Arc;

use crate::error::Result;
use crate::progress::Progress;
use crate::workspace::Workspace;
use crate::workspace::campaigns::{AudienceRequest, AudienceResult, CampaignChoices};

/// A campaign job.
#[derive(Debug, Clone, PartialEq)]
pub enum CampaignJob {
    /// Reads what the filter builder can offer.
    Choices,
    /// Builds a campaign audience (size, value, preview with offers).
    Build(AudienceRequest),
}

/// A campaign job's result.
#[derive(Debug, Clone, PartialEq)]
pub enum CampaignDone {
    /// What the panel can filter on.
    Choices(Arc<CampaignChoices>),
    /// A campaign audience.
    Built(Arc<AudienceResult>),
}

impl CampaignJob {
    /// A short label for the status bar.
    pub fn label(&self) -> String {
        match self {
            CampaignJob::Choices => "Reading the campaign filters".to_string(),
            CampaignJob::Build(_) => "Building the audience".to_string(),
        }
    }

    /// What the banner says when it fails.
    pub fn failure(&self) -> &'static str {
        match self {
            CampaignJob::Choices => "The campaign filters could not be read",
            CampaignJob::Build(_) => "The audience could not be built",
        }
    }

    /// Runs the job on the workspace.
    pub fn run(self, ws: &mut Workspace, progress: &dyn Progress) -> Result<CampaignDone> {
        Ok(match self {
            CampaignJob::Choices => CampaignDone::Choices(Arc::new(ws.campaign_choices(progress)?)),
            CampaignJob::Build(request) => {
                CampaignDone::Built(Arc::new(ws.build_audience(&request, progress)?))
            }
        })
    }
}
