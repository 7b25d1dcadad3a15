//! What happens without drawing: worker events in, commands out.

use std::time::{Duration, Instant};

use crate::app::rows::PAGE_ROWS;
use crate::app::{Command, DbView, Pending, Running, TailorApp};
use crate::data::TableKind;
use crate::jobs::{DbInfo, Event, Job, JobId, file_name};

/// Longest time spent draining events in one frame.
const DRAIN_BUDGET: Duration = Duration::from_millis(4);

impl TailorApp {
    /// Applies the worker's events, within a time budget; results of superseded jobs are dropped.
    pub(super) fn drain_events(&mut self) {
        let started = Instant::now();
        while started.elapsed() < DRAIN_BUDGET {
            let Some(event) = self.worker.as_ref().and_then(|w| w.try_recv()) else {
                return;
            };
            self.handle_event(event);
        }
        // More may be waiting: come back next frame.
        self.ctx.request_repaint();
    }

    fn handle_event(&mut self, event: Event) {
        let id = event.job_id();
        let Some(pending) = self.pending.get(&id).copied() else {
            return; // superseded
        };
        if event.is_final() {
            self.pending.remove(&id);
            if self.running.as_ref().is_some_and(|r| r.id == id) {
                self.running = None;
            }
        }
        match event {
            Event::Progress {
                fraction, message, ..
            } => {
                if let Some(r) = self.running.as_mut().filter(|r| r.id == id) {
                    r.fraction = fraction;
                    r.message = message;
                }
            }
            Event::Opened { info, .. } => {
                self.notice = Some(format!("Opened {}", file_name(&info.path)));
                self.error = None;
                self.set_database(info, false);
            }
            Event::NoDatabase { .. } => self.db = DbView::Empty,
            Event::Rows {
                table,
                offset,
                page,
                ..
            } => {
                self.data.rows.accept(id, table, offset, page.rows);
            }
            Event::Imported { summary, info, .. } => {
                self.notice = Some("Import finished".to_string());
                self.dialogs.import_result = Some(summary);
                self.set_database(info, true);
            }
            Event::SampleCreated { summary, .. } => self.notice = Some(summary),
            Event::Checked { report, .. } => {
                self.notice = Some("Data quality checked".to_string());
                self.data.quality = Some(report);
            }
            Event::RoleSet { info, .. } => {
                self.notice = Some("Role saved".to_string());
                self.db = DbView::Open(info);
                // The worker dropped its models: they are fitted again on the new roles.
                self.recs.reset();
                self.fairness.reset();
                self.churn.reset();
                self.campaigns.data_changed();
            }
            Event::Segmented { .. }
            | Event::SegmentRenamed { .. }
            | Event::SegmentExported { .. } => {
                if matches!(event, Event::Segmented { .. }) {
                    // A new stored run: the Recommendations panel lists its segments again.
                    self.recs.segments_requested = false;
                    self.fairness.choices_requested = false;
                    self.campaigns.data_changed();
                }
                self.handle_segment_event(event);
            }
            Event::RecModelsReady { .. }
            | Event::Recommended { .. }
            | Event::RecsEvaluated { .. }
            | Event::RecSegmentsListed { .. }
            | Event::SegmentRecommended { .. }
            | Event::RecsExported { .. } => self.handle_rec_event(event),
            Event::FairnessChoicesListed { .. }
            | Event::Audited { .. }
            | Event::WhatIfDone { .. } => self.handle_fair_event(event),
            Event::ChurnReady { .. }
            | Event::ClvReady { .. }
            | Event::ChurnTargetsExported { .. }
            | Event::ClvSpanRead { .. } => self.handle_churn_event(event),
            Event::CampaignChoicesRead { .. }
            | Event::AudienceBuilt { .. }
            | Event::CampaignExported { .. } => self.handle_campaign_event(event),
            Event::Failed { message, .. } => {
                if pending == Pending::Rows {
                    self.data.rows.request_ended(id, true);
                }
                if pending == Pending::Segment {
                    self.segments.running = false;
                }
                self.rec_job_ended(pending, Some(&message));
                if pending == Pending::RecFit {
                    return; // shown in the Recommendations panel, with Fit models to retry
                }
                if self.fair_job_ended(pending, Some(&message)) {
                    return; // shown in the Fairness panel
                }
                self.churn_job_ended(pending, Some(&message));
                if self.campaign_job_ended(pending, Some(&message)) {
                    return; // shown in the Campaigns panel
                }
                let what = match pending {
                    Pending::Open => "Could not open the database",
                    Pending::Import => "Import failed",
                    Pending::Check => "The quality check failed",
                    Pending::Rows => "Rows could not be read",
                    Pending::SetRole => "The role was not saved",
                    Pending::Sample => "The sample was not generated",
                    Pending::Segment => "Segmentation failed",
                    Pending::RenameSegment => "The name was not saved",
                    Pending::ExportSegment | Pending::ExportRecs => "The export failed",
                    Pending::RecFit => "The recommendation models could not be fitted",
                    Pending::Recommend => "Recommending failed",
                    Pending::RecEvaluate => "The evaluation failed",
                    Pending::RecSegments => "The stored segments could not be read",
                    Pending::RecommendSegment => "Recommending for the segment failed",
                    Pending::FairChoices => "The audit choices could not be read",
                    Pending::Audit => "The audit failed",
                    Pending::WhatIf => "The what-if failed",
                    Pending::FairChurn => "The churn model failed",
                    Pending::Churn => "The churn model failed",
                    Pending::Clv => "Lifetime value failed",
                    Pending::ClvSpan => "The purchase dates could not be read",
                    Pending::ExportChurn => "The export failed",
                    Pending::CampaignChoices => "The campaign filters could not be read",
                    Pending::BuildAudience => "The audience could not be built",
                    Pending::ExportCampaign => "The export failed",
                };
                let message = message.replace(['\n', '\r'], " ");
                self.error = Some(format!("{what}: {message}"));
                if pending == Pending::Open && self.db == DbView::Starting {
                    self.db = DbView::Empty;
                }
            }
            Event::Cancelled { .. } => {
                if pending == Pending::Rows {
                    self.data.rows.request_ended(id, false);
                } else {
                    if pending == Pending::Segment {
                        self.segments.running = false;
                    }
                    self.rec_job_ended(pending, None);
                    self.fair_job_ended(pending, None);
                    self.churn_job_ended(pending, None);
                    self.campaign_job_ended(pending, None);
                    self.notice = Some("Cancelled".to_string());
                    if self.db == DbView::Starting {
                        self.db = DbView::Empty;
                    }
                }
            }
        }
    }

    /// Shows a newly opened (or refreshed) database; keeps the selected table when refreshing.
    fn set_database(&mut self, info: DbInfo, refresh: bool) {
        self.settings.remember(&info.path);
        self.save_settings();
        let keep = self
            .data
            .table
            .filter(|t| refresh && info.tables.iter().any(|s| s.kind == *t));
        let table = keep.or_else(|| info.tables.first().map(|s| s.kind));
        self.db = DbView::Open(info);
        self.segments.reset();
        self.recs.reset();
        self.fairness.reset();
        self.churn.reset();
        self.campaigns.reset();
        if !refresh {
            self.data.quality = None;
        }
        self.select_table(table, true);
    }

    fn select_table(&mut self, table: Option<TableKind>, force: bool) {
        if !force && table == self.data.table {
            return;
        }
        let total = match (&self.db, table) {
            (DbView::Open(info), Some(t)) => info
                .tables
                .iter()
                .find(|s| s.kind == t)
                .map_or(0, |s| s.rows),
            _ => 0,
        };
        self.data.table = table;
        self.data.rows.reset(table, total);
        self.data.scroll_to = Some(0);
    }

    fn save_settings(&mut self) {
        if let Some(path) = &self.config.settings_file
            && let Err(e) = self.settings.save(path)
        {
            self.notice = Some(format!("Settings were not saved: {e}"));
        }
    }

    pub(super) fn submit(&mut self, job: Job, pending: Pending) -> Option<JobId> {
        let Some(worker) = self.worker.as_mut() else {
            self.error = Some("the worker thread is not running: restart Tailor".to_string());
            return None;
        };
        let shown = job.is_shown();
        let label = job.label();
        let handle = worker.submit(job);
        self.pending.insert(handle.id, pending);
        if shown {
            if let Some(old) = self.running.take() {
                // A new job supersedes the one shown: stop it and drop its results.
                old.token.cancel();
                self.pending.remove(&old.id);
            }
            self.running = Some(Running {
                id: handle.id,
                label,
                fraction: -1.0,
                message: String::new(),
                token: handle.token.clone(),
            });
        }
        Some(handle.id)
    }

    /// Submits a job that replaces the open database; pending reads of the old one are dropped.
    pub(super) fn submit_open(&mut self, job: Job) {
        let pending = match job {
            Job::NewSample { .. } => Pending::Sample,
            Job::Import { .. } => Pending::Import,
            _ => Pending::Open,
        };
        self.data.rows.reset(None, 0);
        self.pending
            .retain(|_, p| !matches!(p, Pending::Rows | Pending::Check | Pending::Open));
        self.submit(job, pending);
    }

    /// Asks the worker for the pages of rows that came into view.
    pub(super) fn request_rows(&mut self) {
        let Some(table) = self.data.rows.table() else {
            return;
        };
        self.data.rows.forget_far();
        for page in self.data.rows.wanted_pages() {
            let Some(worker) = self.worker.as_mut() else {
                return;
            };
            let handle = worker.submit(Job::LoadRows {
                table,
                offset: page * PAGE_ROWS,
                limit: PAGE_ROWS as usize,
            });
            self.pending.insert(handle.id, Pending::Rows);
            self.data.rows.requested(page, handle);
        }
        // Cancelled requests answer with `Cancelled`; forget ones that are no longer tracked.
        let rows = &self.data.rows;
        self.pending
            .retain(|id, p| *p != Pending::Rows || rows.is_request(*id));
    }

    /// Applies the commands the panels returned this frame.
    pub(super) fn apply_commands(&mut self) {
        for command in std::mem::take(&mut self.commands) {
            self.apply(command);
        }
    }

    fn apply(&mut self, command: Command) {
        match command {
            Command::ShowPanel(panel) => self.panel = panel,
            Command::ShowOpenDialog => self.dialogs.show_open(),
            Command::ShowImportDialog => self.dialogs.show_import(),
            Command::ShowSampleDialog => self.dialogs.show_sample(),
            Command::Open(path) => {
                self.dialogs.open = None;
                self.error = None;
                self.submit_open(Job::Open(path));
            }
            Command::Import {
                files,
                options,
                into,
            } => {
                self.dialogs.import = None;
                self.error = None;
                if into.is_some() {
                    self.submit_open(Job::Import {
                        files,
                        options,
                        into,
                    });
                } else {
                    self.submit(
                        Job::Import {
                            files,
                            options,
                            into,
                        },
                        Pending::Import,
                    );
                }
            }
            Command::NewSample { out, options } => {
                self.dialogs.sample = None;
                self.error = None;
                self.submit_open(Job::NewSample { out, options });
            }
            Command::SelectTable(table) => self.select_table(Some(table), false),
            Command::SetRole {
                table,
                column,
                role,
            } => {
                self.submit(
                    Job::SetRole {
                        table,
                        column,
                        role,
                    },
                    Pending::SetRole,
                );
            }
            Command::RunCheck => {
                self.submit(Job::Check, Pending::Check);
            }
            Command::CancelJob => {
                if let Some(r) = &self.running {
                    r.token.cancel();
                    self.notice = Some("Cancelling…".to_string());
                }
            }
            Command::DismissError => self.error = None,
            Command::SetPresentation(on) => {
                self.settings.presentation = on;
                self.save_settings();
            }
            Command::Segments(command) => self.apply_segment_command(command),
            Command::Recs(command) => self.apply_rec_command(command),
            Command::Fairness(command) => self.apply_fair_command(command),
            Command::Churn(command) => self.apply_churn_command(command),
            Command::Campaigns(command) => self.apply_campaign_command(command),
        }
    }
}
