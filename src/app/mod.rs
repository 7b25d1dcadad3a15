//! The window: eframe app state, panels and theme.
//!
//! [`TailorApp`] owns a [`Worker`] and never runs SQL itself: `logic` drains the worker's events
//! each frame, `ui` draws the panels, which return [`Command`]s that are applied at the end of
//! the frame (usually by submitting a job).

pub mod campaigns;
pub mod chart_png;
pub mod churn;
mod command;
pub mod data;
pub mod db_settings;
pub mod desk;
pub mod export;
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

use std::path::PathBuf;
use std::sync::Arc;

pub use command::Command;
pub use data::DbView;
pub use state::{AppConfig, Panel, Settings};

use crate::jobs::Worker;
use desk::Desk;
use panels::dialogs::Dialogs;

/// The Tailor window.
pub struct TailorApp {
    ctx: egui::Context,
    config: AppConfig,
    settings: Settings,
    applied_presentation: Option<bool>,
    desk: Desk,
    panel: Panel,
    data: data::DataState,
    segments: segments::SegmentsView,
    recs: recommend::RecommendView,
    fairness: fairness::FairnessView,
    churn: churn::ChurnPanelView,
    campaigns: campaigns::CampaignView,
    dialogs: Dialogs,
    commands: Vec<Command>,
    /// The folder last exported to (stored with the database).
    export_folder: Option<PathBuf>,
    /// The window's choices stored with the open database.
    choices: db_settings::ChoicesKeeper,
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
            desk: Desk::new(worker, error),
            panel: Panel::Overview,
            data: data::DataState::default(),
            segments: segments::SegmentsView::default(),
            recs: recommend::RecommendView::default(),
            fairness: fairness::FairnessView::default(),
            churn: churn::ChurnPanelView::default(),
            campaigns: campaigns::CampaignView::default(),
            commands: Vec::new(),
            export_folder: None,
            choices: db_settings::ChoicesKeeper::default(),
        };
        let first = match (db, app.config.default_db.clone()) {
            (Some(path), _) => Some(crate::jobs::DataJob::Open(path)),
            (None, Some((bundled, working_copy))) => Some(crate::jobs::DataJob::OpenDefault {
                bundled,
                working_copy,
            }),
            (None, None) => None,
        };
        match first {
            Some(job) => {
                let command = data::DataCommand::Run(job);
                desk::FeatureState::apply(&mut app.data, command, &mut app.desk);
            }
            None => app.data.db = DbView::Empty,
        }
        app
    }

    /// The open database, if any.
    pub fn db(&self) -> &DbView {
        &self.data.db
    }

    /// The error banner's text, if shown.
    pub fn error(&self) -> Option<&str> {
        self.desk.error.as_deref()
    }

    /// The status bar's last notice.
    pub fn notice(&self) -> Option<&str> {
        self.desk.notice.as_deref()
    }

    /// Whether a job is shown as running in the status bar.
    pub fn is_busy(&self) -> bool {
        self.desk.is_busy()
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
        self.data.view.scroll_to = Some(row);
    }

    /// How many pages of rows the Data panel holds in memory.
    pub fn loaded_row_pages(&self) -> usize {
        self.data.view.rows.loaded_pages()
    }

    /// Whether row `row` of the shown table is loaded.
    pub fn is_row_loaded(&self, row: u64) -> bool {
        self.data.view.rows.is_loaded(row)
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
        self.data.request_rows(&mut self.desk);
        self.apply_commands();
        self.keep_choices(false);
    }
}

/// Opens the window on `db` (default: a working copy of the bundled sample database).
pub fn run_window(db: Option<PathBuf>) -> anyhow::Result<()> {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Tailor")
        .with_app_id("tailor")
        .with_inner_size(theme::WINDOW_SIZE);
    if let Some(icon) = window_icon() {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    eframe::run_native(
        "Tailor",
        options,
        Box::new(move |cc| Ok(Box::new(TailorApp::new(&cc.egui_ctx, db)))),
    )
    .map_err(|e| anyhow::anyhow!("the window could not open: {e}"))
}

/// The window's icon, `assets/tailor.png` built into the binary; none if it cannot be decoded.
fn window_icon() -> Option<egui::IconData> {
    eframe::icon_data::from_png_bytes(include_bytes!("../../assets/tailor.png")).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_window_icon_decodes() {
        let icon = super::window_icon().unwrap();
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
    }
}
