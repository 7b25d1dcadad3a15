//! The Campaigns panel's state, its commands and the worker events it takes.
//!
//! The filter builder's choices (segments, churn and CLV runs, consent column, attributes) are
//! read once per open database; the audience is rebuilt on the worker whenever the filters
//! change; the export builds the whole audience with offers and writes it with the privacy guard.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::app::chart_png::PngSaver;
use crate::app::desk::{Change, Desk, FeatureState};
use crate::app::export::ExportFlow;
use crate::app::{Command, TailorApp};
use crate::jobs::{CampaignDone, CampaignJob, Job, JobId};
use crate::workspace::campaigns::{
    AudienceFilters, AudienceRequest, AudienceResult, CampaignChoices,
};

/// What the Campaigns panel asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum CampaignCommand {
    /// Read what can be filtered on.
    ReadChoices,
    /// Build the audience for these filters.
    Build(AudienceFilters),
}

/// The Campaigns panel's state.
#[derive(Debug, Default)]
pub struct CampaignView {
    /// Whether the choices were asked for, for the open database.
    pub choices_requested: bool,
    /// Why reading the choices failed or stopped (shown with Retry; not asked again until then).
    pub choices_error: Option<String>,
    /// What can be filtered on.
    pub choices: Option<Arc<CampaignChoices>>,
    /// The filters being edited.
    pub filters: AudienceFilters,
    /// Whether `filters` were stored with the database (then no default is filled in).
    pub filters_restored: bool,
    /// The filters of the last build submitted.
    pub requested: Option<AudienceFilters>,
    /// The running build.
    pub build_job: Option<JobId>,
    /// The filters of a build that failed or was cancelled, and why (shown with Retry; those
    /// filters are not built again until then).
    pub build_error: Option<(AudienceFilters, String)>,
    /// The audience on screen.
    pub result: Option<Arc<AudienceResult>>,
    /// Export CSV… / Export XLSX…: the dialog, the running export, the last outcome.
    pub export: ExportFlow,
    /// The audience-by-segment chart's "Save as PNG…".
    pub chart_png: PngSaver,
    /// The audience's fairness charts' "Save as PNG…", by protected column.
    pub fairness_png: BTreeMap<String, PngSaver>,
}

impl CampaignView {
    /// Forgets everything read or built: another database was opened.
    pub fn reset(&mut self) {
        *self = CampaignView::default();
    }

    /// Sets the filters stored with the database (`None`: the defaults).
    pub fn restore_filters(&mut self, filters: Option<AudienceFilters>) {
        self.filters_restored = filters.is_some();
        self.filters = filters.unwrap_or_default();
    }

    /// The stored runs or roles changed: read the choices and build the audience again.
    pub fn data_changed(&mut self) {
        self.choices_requested = false;
        self.choices_error = None;
        self.requested = None;
        self.build_error = None;
    }

    /// The filters to build for now, if they changed since the last build (a failed build's
    /// filters wait for Retry).
    pub fn wanted(&self) -> Option<AudienceFilters> {
        self.choices.as_ref()?;
        if self.build_job.is_some()
            || self.requested.as_ref() == Some(&self.filters)
            || self
                .build_error
                .as_ref()
                .is_some_and(|(f, _)| *f == self.filters)
        {
            return None;
        }
        Some(self.filters.clone())
    }

    /// Whether the choices should be asked for now.
    pub fn wants_choices(&self) -> bool {
        !self.choices_requested && self.choices_error.is_none()
    }

    /// The build for `requested` failed (`message`) or was cancelled: the request is cleared and
    /// the panel says so with Retry instead of waiting for it forever.
    pub fn build_ended(&mut self, message: Option<&str>) {
        self.build_job = None;
        if let Some(filters) = self.requested.take() {
            let why = message.map_or_else(
                || "Building the audience was cancelled".to_string(),
                |m| format!("The audience could not be built: {}", one_line(m)),
            );
            self.build_error = Some((filters, why));
        }
    }

    /// Reading the choices failed (`message`) or was cancelled.
    pub fn choices_ended(&mut self, message: Option<&str>) {
        self.choices_requested = false;
        self.choices_error = Some(message.map_or_else(
            || "Reading the stored segments and runs was cancelled".to_string(),
            |m| {
                format!(
                    "The stored segments and runs could not be read: {}",
                    one_line(m)
                )
            },
        ));
    }

    /// Retry after a failed or cancelled read or build.
    pub fn retry(&mut self) {
        self.choices_error = None;
        self.build_error = None;
    }

    /// The audience for `filters`, with offers when the database can make them.
    pub fn request(&self, filters: AudienceFilters) -> AudienceRequest {
        AudienceRequest {
            filters,
            offers: self.choices.as_ref().is_some_and(|c| c.has_offers),
        }
    }
}

impl FeatureState<CampaignCommand, CampaignJob, CampaignDone> for CampaignView {
    fn apply(&mut self, command: CampaignCommand, desk: &mut Desk) {
        match command {
            CampaignCommand::ReadChoices => {
                self.choices_requested = true;
                self.choices_error = None;
                desk.submit(Job::Campaigns(CampaignJob::Choices));
            }
            CampaignCommand::Build(filters) => {
                self.build_error = None;
                self.requested = Some(filters.clone());
                let request = self.request(filters);
                self.build_job = desk.submit(Job::Campaigns(CampaignJob::Build(request)));
            }
        }
    }

    fn take(&mut self, id: JobId, done: CampaignDone, _desk: &mut Desk) {
        match done {
            CampaignDone::Choices(choices) => {
                if self.choices.is_none()
                    && !self.filters_restored
                    && choices.consent_column.is_some()
                {
                    // Only customers who gave consent, by default.
                    self.filters.consent_only = true;
                }
                // Segments no longer in the latest run are dropped from the filter.
                let ids: Vec<usize> = choices.segments.iter().flatten().map(|s| s.id).collect();
                self.filters.segments.retain(|s| ids.contains(s));
                if choices.churn_run.is_none() {
                    self.filters.risk = None;
                }
                self.choices = Some(choices);
                self.choices_error = None;
                self.requested = None;
            }
            CampaignDone::Built(result) => {
                if self.build_job == Some(id) {
                    self.build_job = None;
                }
                self.result = Some(result);
            }
        }
    }

    fn ended(&mut self, _id: JobId, job: &CampaignJob, failure: Option<&str>) -> bool {
        // The same filters are not asked again until Retry or they change.
        match job {
            CampaignJob::Build(_) => self.build_ended(failure),
            CampaignJob::Choices => self.choices_ended(failure),
        }
        failure.is_some()
    }

    fn changed(&mut self, change: Change) {
        match change {
            Change::Opened => self.reset(),
            Change::Data | Change::SegmentsStored => self.data_changed(),
        }
    }

    fn forget_lost_jobs(&mut self, desk: &Desk) {
        if self.build_job.is_some_and(|id| !desk.is_pending(id)) {
            self.build_job = None;
            self.requested = None;
        }
    }
}

impl TailorApp {
    /// The Campaigns panel's state (tests).
    pub fn campaigns(&self) -> &CampaignView {
        &self.campaigns
    }

    /// The Campaigns panel's state, to change filters (tests, scripting).
    pub fn campaigns_mut(&mut self) -> &mut CampaignView {
        &mut self.campaigns
    }
}

fn one_line(message: &str) -> String {
    message.replace(['\n', '\r'], " ")
}

/// A command for the Campaigns panel.
pub fn command(c: CampaignCommand) -> Command {
    Command::Campaigns(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_or_cancelled_build_is_said_and_retried_on_demand() {
        let mut view = CampaignView {
            choices: Some(Arc::new(CampaignChoices::default())),
            ..CampaignView::default()
        };
        let filters = view.wanted().unwrap();
        // What apply_campaign_command does with a Build.
        view.requested = Some(filters.clone());
        view.build_job = Some(7);
        assert_eq!(view.wanted(), None);
        view.build_ended(Some("disk I/O error\nat line 2"));
        assert_eq!(view.requested, None);
        let (failed, why) = view.build_error.clone().unwrap();
        assert_eq!(failed, filters);
        assert_eq!(
            why,
            "The audience could not be built: disk I/O error at line 2"
        );
        // Not built again on its own (no loop on a lasting error)…
        assert_eq!(view.wanted(), None);
        // …but on Retry, or when the filters change.
        view.retry();
        assert_eq!(view.wanted(), Some(filters.clone()));
        view.requested = Some(filters.clone());
        view.build_ended(None);
        assert!(view.build_error.as_ref().unwrap().1.contains("cancelled"));
        view.filters.consent_only = !view.filters.consent_only;
        assert!(view.wanted().is_some());

        // The choices: not asked again until Retry.
        let mut view = CampaignView::default();
        assert!(view.wants_choices());
        view.choices_requested = true;
        view.choices_ended(None);
        assert!(!view.wants_choices());
        assert!(view.choices_error.as_ref().unwrap().contains("cancelled"));
        view.retry();
        assert!(view.wants_choices());
    }
}
