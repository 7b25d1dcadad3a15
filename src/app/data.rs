//! The Data panel's state: the open database as the window knows it, the table shown, its rows
//! (paged in from the worker), the quality report; its commands and the jobs it runs.

use std::path::PathBuf;

use crate::app::desk::{Change, Desk, FeatureState};
use crate::app::rows::{PAGE_ROWS, RowCache};
use crate::data::TableKind;
use crate::data::quality::QualityReport;
use crate::jobs::{DataDone, DataJob, Job, JobId};
use crate::workspace::data::{DbInfo, file_name};
use crate::workspace::merchandise::MerchandiseList;
use crate::workspace::overview::Overview;

/// Where the Overview's data-health check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Health {
    /// Not asked for this database yet.
    #[default]
    NotAsked,
    /// Running as this job.
    Checking(JobId),
    /// Its report is the Data panel's latest (`DataView::quality`).
    Checked,
    /// It stopped before it finished (its time ran out, or it was cancelled).
    Stopped,
}

/// What is known about the open database.
#[derive(Debug, Clone, PartialEq)]
pub enum DbView {
    /// The first database is being opened.
    Starting,
    /// No database is open: the empty state tells what to do.
    Empty,
    /// A database is open.
    Open(DbInfo),
}

/// The parts of the Data panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataTab {
    /// The rows, in a virtualized grid.
    #[default]
    Rows,
    /// Columns and their roles.
    Columns,
    /// The data-quality report.
    Quality,
    /// Which products are merchandise (the products table only).
    Merchandise,
}

impl DataTab {
    /// The tab's title.
    pub fn label(self) -> &'static str {
        match self {
            DataTab::Rows => "Rows",
            DataTab::Columns => "Columns and roles",
            DataTab::Quality => "Data quality",
            DataTab::Merchandise => "Merchandise",
        }
    }
}

/// What the Data panel draws.
#[derive(Debug, Default)]
pub struct DataView {
    /// The Export report… dialog's typed path, when open.
    pub report_dialog: Option<String>,
    /// Its Browse….
    pub report_picker: crate::app::file_picker::FilePicker,
    /// The report written last (the app remembers its folder for the next export).
    pub report_written: Option<std::path::PathBuf>,
    /// Whether personal-data columns are shown in the grid (for this database, this session;
    /// masked until the user reveals them, and always in presentation mode).
    pub reveal_personal: bool,
    /// The table shown.
    pub table: Option<TableKind>,
    /// Which part of the table is shown.
    pub tab: DataTab,
    /// Rows fetched so far.
    pub rows: RowCache,
    /// The latest quality report.
    pub quality: Option<QualityReport>,
    /// A row to scroll to on the next frame.
    pub scroll_to: Option<u64>,
    /// Postage, fees and adjustments, and the products the user marked (`None`: not read yet).
    pub merchandise: Option<MerchandiseList>,
    /// The Merchandise tab's product id field.
    pub mark_text: String,
    /// Whether the merchandise list was asked for since it was last dropped.
    pub merchandise_asked: bool,
    /// The Overview (`None`: not read yet).
    pub overview: Option<Box<Overview>>,
    /// Whether the Overview was asked for since it was last shown fresh.
    pub overview_asked: bool,
    /// The Overview's data-health check.
    pub health: Health,
}

/// What the Data panel, the top bar and the dialogs ask for.
#[derive(Debug, Clone, PartialEq)]
pub enum DataCommand {
    /// Run a data job (open, import, sample, roles, quality).
    Run(DataJob),
    /// Show a table.
    SelectTable(TableKind),
}

/// The Data panel's state.
#[derive(Debug)]
pub struct DataState {
    /// The open database.
    pub db: DbView,
    /// What the panel draws.
    pub view: DataView,
    /// An import's summary to show in its dialog.
    pub import_result: Option<String>,
    /// A database just opened, for the recent files.
    pub opened: Option<PathBuf>,
}

impl Default for DataState {
    fn default() -> Self {
        DataState {
            db: DbView::Starting,
            view: DataView::default(),
            import_result: None,
            opened: None,
        }
    }
}

impl DataState {
    /// Shows a newly opened (or refreshed) database; keeps the selected table when refreshing.
    fn set_database(&mut self, info: DbInfo, refresh: bool) {
        self.opened = Some(info.path.clone());
        let keep = self
            .view
            .table
            .filter(|t| refresh && info.tables.iter().any(|s| s.kind == *t));
        let table = keep.or_else(|| info.tables.first().map(|s| s.kind));
        self.db = DbView::Open(info);
        if !refresh {
            self.view.quality = None;
        }
        self.view.merchandise = None;
        self.view.merchandise_asked = false;
        self.view.overview_asked = false;
        if !refresh {
            self.view.overview = None;
            self.view.health = Health::NotAsked;
            self.view.reveal_personal = false;
        }
        self.select_table(table, true);
    }

    fn select_table(&mut self, table: Option<TableKind>, force: bool) {
        if !force && table == self.view.table {
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
        self.view.table = table;
        self.view.rows.reset(table, total);
        self.view.scroll_to = Some(0);
    }

    /// Submits a job that replaces the open database; pending reads of the old one are dropped.
    fn submit_open(&mut self, job: DataJob, desk: &mut Desk) {
        self.view.rows.reset(None, 0);
        desk.forget_where(|_, j| {
            matches!(
                j,
                Job::Data(
                    DataJob::LoadRows { .. }
                        | DataJob::Check
                        | DataJob::HealthCheck
                        | DataJob::Overview
                        | DataJob::Merchandise
                        | DataJob::Open(_)
                )
            )
        });
        desk.submit(Job::Data(job));
    }

    /// Asks the worker for the pages of rows that came into view.
    pub fn request_rows(&mut self, desk: &mut Desk) {
        let Some(table) = self.view.rows.table() else {
            return;
        };
        self.view.rows.forget_far();
        for page in self.view.rows.wanted_pages() {
            let Some(handle) = desk.submit_quietly(Job::Data(DataJob::LoadRows {
                table,
                offset: page * PAGE_ROWS,
                limit: PAGE_ROWS as usize,
            })) else {
                return;
            };
            self.view.rows.requested(page, handle);
        }
        // Cancelled requests answer with `Cancelled`; forget ones that are no longer tracked.
        let rows = &self.view.rows;
        desk.forget_where(|id, j| {
            matches!(j, Job::Data(DataJob::LoadRows { .. })) && !rows.is_request(id)
        });
    }
}

impl FeatureState<DataCommand, DataJob, DataDone> for DataState {
    fn apply(&mut self, command: DataCommand, desk: &mut Desk) {
        let job = match command {
            DataCommand::SelectTable(table) => return self.select_table(Some(table), false),
            DataCommand::Run(job) => job,
        };
        match job {
            _ if job.replaces_database() => {
                desk.error = None;
                self.submit_open(job, desk);
            }
            DataJob::Import { .. } => {
                desk.error = None;
                desk.submit(Job::Data(job));
            }
            _ => {
                desk.submit(Job::Data(job));
            }
        }
    }

    fn take(&mut self, id: JobId, done: DataDone, desk: &mut Desk) {
        match done {
            DataDone::Opened { info, note } => {
                let opened = format!("Opened {}", file_name(&info.path));
                desk.notice = Some(match note {
                    Some(note) => format!("{note}. {opened}"),
                    None => opened,
                });
                desk.error = None;
                self.set_database(info, false);
                if let Some(id) = desk.submit(Job::Data(DataJob::HealthCheck)) {
                    self.view.health = Health::Checking(id);
                }
            }
            DataDone::NoDatabase => self.db = DbView::Empty,
            DataDone::Rows {
                table,
                offset,
                page,
            } => {
                self.view.rows.accept(id, table, offset, page.rows);
            }
            DataDone::Imported { summary, info, .. } => {
                desk.notice = Some("Import finished".to_string());
                self.import_result = Some(summary);
                self.set_database(info, true);
            }
            DataDone::Checked(report) => {
                if self.view.health == Health::Checking(id) {
                    // The Overview's own check: its line says it, quietly.
                    self.view.health = Health::Checked;
                } else {
                    desk.notice = Some("Data quality checked".to_string());
                }
                self.view.quality = Some(report);
            }
            DataDone::Overview(overview) => self.view.overview = Some(overview),
            DataDone::RoleSet(info) => {
                desk.notice = Some("Role saved".to_string());
                self.db = DbView::Open(info);
                // A role can make the products table's merchandise column count or not.
                self.view.merchandise = None;
                self.view.merchandise_asked = false;
            }
            DataDone::Merchandise(list) => self.view.merchandise = Some(list),
            DataDone::Marked(list) => {
                desk.notice = Some("Saved: the models are fitted again with this choice".into());
                self.view.mark_text.clear();
                self.view.merchandise = Some(list);
                // Its non-merchandise finding no longer holds.
                self.view.quality = None;
            }
            DataDone::CurrencySet(info) => {
                desk.notice = Some(info.currency.note.clone());
                self.db = DbView::Open(info);
            }
            DataDone::SettingStored => {}
            DataDone::ReportWritten(path) => {
                desk.notice = Some(format!("Report written to {}", path.display()));
                self.view.report_written = Some(path);
            }
        }
    }

    fn ended(&mut self, id: JobId, job: &DataJob, failure: Option<&str>) -> bool {
        if self.view.health == Health::Checking(id) {
            self.view.health = Health::Stopped;
            return false;
        }
        if let DataJob::LoadRows { .. } = job {
            self.view.rows.request_ended(id, failure.is_some());
            return false;
        }
        // The first database could not be opened (or anything was cancelled meanwhile).
        let opening = matches!(job, DataJob::Open(_) | DataJob::OpenDefault { .. });
        if self.db == DbView::Starting && (opening || failure.is_none()) {
            self.db = DbView::Empty;
        }
        false
    }

    fn changed(&mut self, _change: Change) {
        // Another result is stored, or the data changed: the Overview reads it again.
        self.view.overview_asked = false;
    }
}
