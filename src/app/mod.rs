//! The window: eframe app state, panels and theme.
//!
//! [`TailorApp`] owns a [`Worker`] and never runs SQL itself: `logic` drains the worker's events
//! each frame, `ui` draws the panels, which return [`Command`]s that are applied at the end of
//! the frame (usually by submitting a job).

pub mod campaigns;
pub mod chart_png;
pub mod churn;
mod command;
pub mod fairness;
pub mod file_picker;
mod logic;
pub mod panels;
pub mod recommend;
pub mod rows;
pub mod segments;
pub mod state;
pub mod theme;
mod ui;
pub mod widgets;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

pub use command::Command;
pub use state::{AppConfig, Panel, Settings};

use crate::jobs::{DbInfo, JobId, Worker};
use crate::progress::CancelToken;
use panels::data::DataView;
use panels::dialogs::Dialogs;

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

/// What a submitted job is for, so its result lands in the right place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Open,
    Import,
    Check,
    Rows,
    SetRole,
    Sample,
    Segment,
    RenameSegment,
    ExportSegment,
    RecFit,
    Recommend,
    RecEvaluate,
    RecSegments,
    RecommendSegment,
    ExportRecs,
    FairChoices,
    Audit,
    WhatIf,
    FairChurn,
    Churn,
    Clv,
    ClvSpan,
    ExportChurn,
    CampaignChoices,
    BuildAudience,
    ExportCampaign,
}

/// The job shown in the status bar.
#[derive(Debug, Clone)]
struct Running {
    id: JobId,
    label: String,
    fraction: f32,
    message: String,
    token: CancelToken,
}

/// The Tailor window.
pub struct TailorApp {
    ctx: egui::Context,
    config: AppConfig,
    settings: Settings,
    applied_presentation: Option<bool>,
    worker: Option<Worker>,
    pending: HashMap<JobId, Pending>,
    running: Option<Running>,
    db: DbView,
    panel: Panel,
    data: DataView,
    segments: segments::SegmentsView,
    recs: recommend::RecommendView,
    fairness: fairness::FairnessView,
    churn: churn::ChurnPanelView,
    campaigns: campaigns::CampaignView,
    dialogs: Dialogs,
    error: Option<String>,
    notice: Option<String>,
    commands: Vec<Command>,
}

impl TailorApp {
    /// The app on `db` (default: a working copy of the bundled sample database), with settings
    /// and data in the user's XDG folders.
    pub fn new(ctx: &egui::Context, db: Option<PathBuf>) -> TailorApp {
        TailorApp::with_config(ctx, db, AppConfig::from_environment())
    }

    /// The app on `db` with the given folders ([`AppConfig::ephemeral`] in tests).
    pub fn with_config(ctx: &egui::Context, db: Option<PathBuf>, config: AppConfig) -> TailorApp {
        let settings = config
            .settings_file
            .as_deref()
            .map(Settings::load)
            .unwrap_or_default();
        let repaint_ctx = ctx.clone();
        let worker = Worker::spawn(Arc::new(move || repaint_ctx.request_repaint()));
        let (worker, error) = match worker {
            Ok(w) => (Some(w), None),
            Err(e) => (
                None,
                Some(format!("the worker thread could not start: {e}")),
            ),
        };
        let mut app = TailorApp {
            ctx: ctx.clone(),
            dialogs: Dialogs::new(config.data_dir.clone()),
            config,
            settings,
            applied_presentation: None,
            worker,
            pending: HashMap::new(),
            running: None,
            db: DbView::Starting,
            panel: Panel::Data,
            data: DataView::default(),
            segments: segments::SegmentsView::default(),
            recs: recommend::RecommendView::default(),
            fairness: fairness::FairnessView::default(),
            churn: churn::ChurnPanelView::default(),
            campaigns: campaigns::CampaignView::default(),
            error,
            notice: None,
            commands: Vec::new(),
        };
        match (db, app.config.default_db.clone()) {
            (Some(path), _) => app.submit_open(crate::jobs::Job::Open(path)),
            (None, Some((bundled, working_copy))) => {
                app.submit_open(crate::jobs::Job::OpenDefault {
                    bundled,
                    working_copy,
                })
            }
            (None, None) => app.db = DbView::Empty,
        }
        app
    }

    /// The open database, if any.
    pub fn db(&self) -> &DbView {
        &self.db
    }

    /// The error banner's text, if shown.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The status bar's last notice.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Whether a job is shown as running in the status bar.
    pub fn is_busy(&self) -> bool {
        self.running.is_some()
    }

    /// Queues a command as if a panel had returned it (tests, benchmark, scripting).
    pub fn command(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// The Segments panel's state (tests).
    pub fn segments(&self) -> &segments::SegmentsView {
        &self.segments
    }

    /// Scrolls the Data panel's row grid so that `row` is at the top.
    pub fn scroll_rows_to(&mut self, row: u64) {
        self.data.scroll_to = Some(row);
    }

    /// How many pages of rows the Data panel holds in memory.
    pub fn loaded_row_pages(&self) -> usize {
        self.data.rows.loaded_pages()
    }

    /// Whether row `row` of the shown table is loaded.
    pub fn is_row_loaded(&self, row: u64) -> bool {
        self.data.rows.is_loaded(row)
    }
}

impl eframe::App for TailorApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        if self.applied_presentation != Some(self.settings.presentation) {
            theme::apply_text_scale(ctx, self.settings.presentation);
            self.applied_presentation = Some(self.settings.presentation);
        }
        self.drain_events();
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
        self.request_rows();
        self.apply_commands();
    }
}

/// Opens the window on `db` (default: a working copy of the bundled sample database).
pub fn run_window(db: Option<PathBuf>) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Tailor")
            .with_inner_size(theme::WINDOW_SIZE),
        ..Default::default()
    };
    eframe::run_native(
        "Tailor",
        options,
        Box::new(move |cc| Ok(Box::new(TailorApp::new(&cc.egui_ctx, db)))),
    )
    .map_err(|e| anyhow::anyhow!("the window could not open: {e}"))
}
