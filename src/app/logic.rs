//! What happens without drawing: worker events in, commands out. Each event goes to the panel
//! whose job it answers; changes every panel must hear of are broadcast.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::app::data::DataCommand;
use crate::app::desk::{Change, Desk, FeatureState};
use crate::app::export::ExportFlow;
use crate::app::{Command, TailorApp};
use crate::jobs::{DataDone, DataJob, Done, Event, Exported, Job, JobId, SegmentDone};
use crate::workspace::export::ExportSpec;

/// Longest time spent draining events in one frame.
const DRAIN_BUDGET: Duration = Duration::from_millis(4);

impl TailorApp {
    /// Applies the worker's events, within a time budget; results of superseded jobs are dropped.
    pub(super) fn drain_events(&mut self) {
        let started = Instant::now();
        while started.elapsed() < DRAIN_BUDGET {
            let Some(event) = self.desk.try_recv() else {
                return;
            };
            self.handle_event(event);
        }
        // More may be waiting: come back next frame.
        self.ctx.request_repaint();
    }

    fn handle_event(&mut self, event: Event) {
        let id = event.job_id();
        let Some(job) = self.desk.job_of(id, event.is_final()) else {
            return; // superseded
        };
        match event {
            Event::Progress {
                fraction, message, ..
            } => {
                if let Some(r) = self.desk.running.as_mut().filter(|r| r.id == id) {
                    r.fraction = fraction;
                    r.message = message;
                }
            }
            Event::Done { done, .. } => self.take(id, done),
            Event::Failed { message, .. } => {
                let message = message.replace(['\n', '\r'], " ");
                if !self.ended(id, &job, Some(&message)) {
                    self.desk.error = Some(format!("{}: {message}", job.failure()));
                }
            }
            Event::Cancelled { .. } => {
                self.ended(id, &job, None);
                let quiet = matches!(
                    job,
                    Job::Data(DataJob::LoadRows { .. } | DataJob::HealthCheck)
                );
                if !quiet {
                    self.desk.notice = Some("Cancelled".to_string());
                }
            }
        }
    }

    /// Gives a result to its panel, then tells every panel what changed.
    fn take(&mut self, id: JobId, done: Done) {
        let change = match &done {
            Done::Data(DataDone::Opened { .. } | DataDone::Imported { .. }) => Some(Change::Opened),
            Done::Data(DataDone::RoleSet(_) | DataDone::Marked(_)) => Some(Change::Data),
            Done::Segments(SegmentDone::Segmented(_)) => Some(Change::SegmentsStored),
            _ => None,
        };
        let desk = &mut self.desk;
        match done {
            Done::Data(d) => {
                self.data.take(id, d, desk);
                if let Some(summary) = self.data.import_result.take() {
                    self.dialogs.import_result = Some(summary);
                }
                if let Some(folder) = self
                    .data
                    .view
                    .report_written
                    .take()
                    .and_then(|p| p.parent().map(std::path::Path::to_path_buf))
                    .filter(|d| !d.as_os_str().is_empty())
                {
                    self.export_folder = Some(folder);
                }
                if let Some(path) = self.data.opened.take() {
                    self.settings.remember(&path);
                    self.save_settings();
                }
            }
            Done::Segments(d) => self.segments.take(id, d, desk),
            Done::Recs(d) => self.recs.take(id, d, desk),
            Done::Churn(d) => self.churn.take(id, d, desk),
            Done::Fairness(d) => self.fairness.take(id, d, desk),
            Done::Campaigns(d) => self.campaigns.take(id, d, desk),
            Done::Exported(e) => self.exported(e),
        }
        if let Some(change) = change {
            self.broadcast(change);
        }
    }

    /// The export flow of the panel an export comes from (`None`: `tailor export`'s own kinds,
    /// which no panel starts), and the desk, borrowed apart.
    fn export_flow(&mut self, spec: &ExportSpec) -> (Option<&mut ExportFlow>, &mut Desk) {
        let flow = match spec {
            ExportSpec::Segment { .. } => Some(&mut self.segments.export),
            ExportSpec::SegmentRecs => Some(&mut self.recs.export),
            ExportSpec::ChurnTargets { .. } => Some(&mut self.churn.export),
            ExportSpec::Campaign(_) => Some(&mut self.campaigns.export),
            ExportSpec::AudienceFile(_) => None,
        };
        (flow, &mut self.desk)
    }

    /// Gives a finished export to the panel it came from.
    fn exported(&mut self, e: Arc<Exported>) {
        if let Some(folder) = e.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            self.export_folder = Some(folder.to_path_buf());
        }
        if let (Some(flow), desk) = self.export_flow(&e.spec) {
            flow.done(e, desk);
        }
    }

    /// A job failed or was cancelled: its panel stops waiting. Returns whether the panel shows
    /// the failure itself.
    fn ended(&mut self, id: JobId, job: &Job, failure: Option<&str>) -> bool {
        match job {
            Job::Data(j) => self.data.ended(id, j, failure),
            Job::Segments(j) => self.segments.ended(id, j, failure),
            Job::Recs(j) => self.recs.ended(id, j, failure),
            Job::Churn(j) => self.churn.ended(id, j, failure),
            Job::Fairness(j) => self.fairness.ended(id, j, failure),
            Job::Campaigns(j) => self.campaigns.ended(id, j, failure),
            Job::Export(r) => {
                if let (Some(flow), _) = self.export_flow(&r.spec) {
                    flow.ended();
                }
                false
            }
        }
    }

    /// Tells every panel what changed; each decides what to read or compute again. The choices
    /// stay: another database brings its own, the same one keeps the window's.
    fn broadcast(&mut self, change: Change) {
        let choices = match change {
            Change::Opened => self.stored_choices(),
            Change::Data | Change::SegmentsStored => {
                self.choices.is_kept().then(|| self.choices_now())
            }
        };
        self.data.changed(change);
        self.segments.changed(change);
        self.recs.changed(change);
        self.fairness.changed(change);
        self.churn.changed(change);
        self.campaigns.changed(change);
        self.apply_choices(choices);
    }

    /// Lets every panel forget the jobs the desk no longer awaits.
    pub(super) fn forget_lost_jobs(&mut self) {
        let desk = &self.desk;
        self.segments.forget_lost_jobs(desk);
        self.recs.forget_lost_jobs(desk);
        self.fairness.forget_lost_jobs(desk);
        self.churn.forget_lost_jobs(desk);
        self.campaigns.forget_lost_jobs(desk);
        for flow in [
            &mut self.segments.export,
            &mut self.recs.export,
            &mut self.churn.export,
            &mut self.campaigns.export,
        ] {
            flow.forget_lost_job(desk);
        }
    }

    fn save_settings(&mut self) {
        if let Some(path) = &self.config.settings_file
            && let Err(e) = self.settings.save(path)
        {
            self.desk.notice = Some(format!("Settings were not saved: {e}"));
        }
    }

    /// Applies the commands the panels returned this frame.
    pub(super) fn apply_commands(&mut self) {
        let mut commands = std::mem::take(&mut self.commands);
        // Work a panel asked for in the frame another database is opened was meant for the one
        // being replaced, and would supersede the open in the status bar: it is dropped.
        if commands.iter().any(Command::replaces_database) {
            commands.retain(|c| !c.is_panel_work());
        }
        for command in commands {
            self.apply(command);
        }
    }

    fn apply(&mut self, command: Command) {
        let desk = &mut self.desk;
        match command {
            Command::Segments(c) => self.segments.apply(c, desk),
            Command::Recs(c) => self.recs.apply(c, desk),
            Command::Fairness(c) => self.fairness.apply(c, desk),
            Command::Churn(c) => self.churn.apply(c, desk),
            Command::Campaigns(c) => self.campaigns.apply(c, desk),
            Command::Export(request) => {
                if let (Some(flow), desk) = self.export_flow(&request.spec) {
                    flow.submit(request, desk);
                }
            }
            other => {
                if let Some(c) = self.apply_shell(other) {
                    self.data.apply(c, &mut self.desk);
                }
            }
        }
    }

    /// Applies a command of the window's frame (panels, dialogs, the banner, the status bar);
    /// returns what the Data panel's state is to run.
    fn apply_shell(&mut self, command: Command) -> Option<DataCommand> {
        let desk = &mut self.desk;
        match command {
            Command::ShowPanel(panel) => {
                self.panel = panel;
                // The Overview reads the latest results again each time it is shown.
                self.data.view.overview_asked = false;
                None
            }
            Command::ShowOpenDialog => {
                self.dialogs.show_open();
                None
            }
            Command::ShowImportDialog => {
                self.dialogs.show_import();
                None
            }
            Command::ShowSampleDialog => {
                self.dialogs.show_sample();
                None
            }
            Command::Open(path) => {
                self.keep_choices(true);
                self.dialogs.open = None;
                Some(DataCommand::Run(DataJob::Open(path)))
            }
            Command::Import {
                files,
                options,
                into,
            } => {
                self.keep_choices(true);
                self.dialogs.import = None;
                Some(DataCommand::Run(DataJob::Import {
                    files,
                    options,
                    into,
                }))
            }
            Command::NewSample { out, options } => {
                self.keep_choices(true);
                self.dialogs.sample = None;
                Some(DataCommand::Run(DataJob::NewSample { out, options }))
            }
            Command::SelectTable(table) => Some(DataCommand::SelectTable(table)),
            Command::SetRole {
                table,
                column,
                role,
            } => Some(DataCommand::Run(DataJob::SetRole {
                table,
                column,
                role,
            })),
            Command::RunCheck => Some(DataCommand::Run(DataJob::Check)),
            Command::RunData(job) => Some(DataCommand::Run(job)),
            Command::CancelJob => {
                desk.cancel_running();
                None
            }
            Command::DismissError => {
                desk.error = None;
                None
            }
            Command::SetPresentation(on) => {
                self.settings.presentation = on;
                self.save_settings();
                None
            }
            Command::Segments(_)
            | Command::Recs(_)
            | Command::Fairness(_)
            | Command::Churn(_)
            | Command::Campaigns(_)
            | Command::Export(_) => None,
        }
    }
}
