//! The Campaigns panel's state, its commands and the worker events it takes.
//!
//! The filter builder's choices (segments, churn and CLV runs, consent column, attributes) are
//! read once per open database; the audience is rebuilt on the worker whenever the filters
//! change; the export builds the whole audience with offers and writes it with the privacy guard.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::app::chart_png::PngSaver;
use crate::app::{Command, Pending, TailorApp};
use crate::export::audience::ExportOptions;
use crate::jobs::campaigns::{AudienceFilters, AudienceResult, CampaignChoices, CampaignExported};
use crate::jobs::{Event, Job, JobId, file_name};

/// What the Campaigns panel asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum CampaignCommand {
    /// Read what can be filtered on.
    ReadChoices,
    /// Build the audience for these filters.
    Build(AudienceFilters),
    /// Export the audience for these filters.
    Export {
        /// The file (`.csv` or `.xlsx`).
        path: PathBuf,
        /// Who.
        filters: AudienceFilters,
        /// The privacy switches.
        options: ExportOptions,
    },
}

/// The export dialog's state.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportDialog {
    /// The typed path.
    pub path: String,
    /// `"csv"` or `"xlsx"`.
    pub format: &'static str,
}

/// The Campaigns panel's state.
#[derive(Debug, Default)]
pub struct CampaignView {
    /// Whether the choices were asked for, for the open database.
    pub choices_requested: bool,
    /// What can be filtered on.
    pub choices: Option<Arc<CampaignChoices>>,
    /// The filters being edited.
    pub filters: AudienceFilters,
    /// The filters of the last build submitted.
    pub requested: Option<AudienceFilters>,
    /// The running build.
    pub build_job: Option<JobId>,
    /// The audience on screen.
    pub result: Option<Arc<AudienceResult>>,
    /// Write name, email, phone columns too.
    pub include_pii: bool,
    /// Keep customers without consent in the export.
    pub include_no_consent: bool,
    /// The export dialog, when open.
    pub export: Option<ExportDialog>,
    /// The running export.
    pub export_job: Option<JobId>,
    /// The last export's outcome.
    pub exported: Option<Arc<CampaignExported>>,
    /// The audience-by-segment chart's "Save as PNG…".
    pub chart_png: PngSaver,
}

impl CampaignView {
    /// Forgets everything read or built: another database was opened.
    pub fn reset(&mut self) {
        *self = CampaignView::default();
    }

    /// The stored runs or roles changed: read the choices and build the audience again.
    pub fn data_changed(&mut self) {
        self.choices_requested = false;
        self.requested = None;
    }

    /// The filters to build for now, if they changed since the last build.
    pub fn wanted(&self) -> Option<AudienceFilters> {
        self.choices.as_ref()?;
        if self.build_job.is_some() || self.requested.as_ref() == Some(&self.filters) {
            return None;
        }
        Some(self.filters.clone())
    }

    fn forget_lost_jobs(&mut self, pending: &HashMap<JobId, Pending>) {
        if self.build_job.is_some_and(|id| !pending.contains_key(&id)) {
            self.build_job = None;
            self.requested = None;
        }
        if self.export_job.is_some_and(|id| !pending.contains_key(&id)) {
            self.export_job = None;
        }
    }
}

impl TailorApp {
    /// Applies a Campaigns panel command.
    pub(super) fn apply_campaign_command(&mut self, command: CampaignCommand) {
        match command {
            CampaignCommand::ReadChoices => {
                self.campaigns.choices_requested = true;
                self.submit(Job::CampaignChoices, Pending::CampaignChoices);
            }
            CampaignCommand::Build(filters) => {
                self.campaigns.requested = Some(filters.clone());
                self.campaigns.build_job =
                    self.submit(Job::BuildAudience(filters), Pending::BuildAudience);
            }
            CampaignCommand::Export {
                path,
                filters,
                options,
            } => {
                self.campaigns.export = None;
                self.campaigns.exported = None;
                self.error = None;
                self.notice = Some(format!("Exporting to {}…", file_name(&path)));
                self.campaigns.export_job = self.submit(
                    Job::ExportCampaign {
                        path,
                        filters,
                        options,
                    },
                    Pending::ExportCampaign,
                );
            }
        }
    }

    /// Keeps the panel's job ids in step with the jobs still awaited.
    pub(super) fn sync_campaign_jobs(&mut self) {
        self.campaigns.forget_lost_jobs(&self.pending);
    }

    /// Takes a campaign event.
    pub(super) fn handle_campaign_event(&mut self, event: Event) {
        let view = &mut self.campaigns;
        match event {
            Event::CampaignChoicesRead { choices, .. } => {
                if view.choices.is_none() && choices.consent_column.is_some() {
                    // Only customers who gave consent, by default.
                    view.filters.consent_only = true;
                }
                // Segments no longer in the latest run are dropped from the filter.
                let ids: Vec<usize> = choices.segments.iter().flatten().map(|s| s.id).collect();
                view.filters.segments.retain(|s| ids.contains(s));
                if choices.churn_run.is_none() {
                    view.filters.risk = None;
                }
                view.choices = Some(choices);
                view.requested = None;
            }
            Event::AudienceBuilt { job_id, result } => {
                if view.build_job == Some(job_id) {
                    view.build_job = None;
                }
                view.result = Some(result);
            }
            Event::CampaignExported { exported, .. } => {
                view.export_job = None;
                self.notice = Some(format!(
                    "Exported {} to {}",
                    crate::format::count(exported.summary.rows, "customer", "customers"),
                    exported.path.display()
                ));
                view.exported = Some(exported);
            }
            _ => {}
        }
    }

    /// A campaign job failed or was cancelled: the panel stops waiting for it.
    pub(super) fn campaign_job_ended(&mut self, pending: Pending) {
        match pending {
            // The same filters are not asked again until they change.
            Pending::BuildAudience => self.campaigns.build_job = None,
            Pending::ExportCampaign => self.campaigns.export_job = None,
            _ => {}
        }
    }

    /// The Campaigns panel's state (tests).
    pub fn campaigns(&self) -> &CampaignView {
        &self.campaigns
    }

    /// The Campaigns panel's state, to change filters (tests, scripting).
    pub fn campaigns_mut(&mut self) -> &mut CampaignView {
        &mut self.campaigns
    }
}

/// A command for the Campaigns panel.
pub fn command(c: CampaignCommand) -> Command {
    Command::Campaigns(c)
}
