//! What a panel draws before its own content: a spinner while the first database opens, "Open or
//! import a database first" when none is open, and an Import… offer when the tables the panel
//! needs are empty; also the small waiting and retry lines the panels share.

use egui::{RichText, WidgetText};

use crate::app::theme::{self, Palette};
use crate::app::{Command, DbView};
use crate::data::TableKind;
use crate::workspace::data::DbInfo;

/// Said while the first database is being opened.
pub const OPENING: &str = "Opening the database…";
/// Said by a panel when no database is open.
pub const OPEN_FIRST: &str = "Open or import a database first: use Open… or Import… at the top.";
/// The button beside a failed or cancelled read.
pub const RETRY: &str = "Retry";

/// A spinner with a line of text beside it.
pub fn spinner_label(ui: &mut egui::Ui, text: impl Into<WidgetText>) {
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label(text);
    });
}

/// The open database; `None` after saying why there is none: a spinner while the first one
/// opens, the panel's `heading` and [`OPEN_FIRST`] when none is open.
pub fn open_database<'a>(ui: &mut egui::Ui, db: &'a DbView, heading: &str) -> Option<&'a DbInfo> {
    match db {
        DbView::Starting => {
            spinner_label(ui, OPENING);
            None
        }
        DbView::Empty => {
            ui.heading(heading);
            ui.add_space(theme::SECTION_SPACING);
            ui.label(OPEN_FIRST);
            None
        }
        DbView::Open(info) => Some(info),
    }
}

/// What every panel is drawn with: the open database, whether a job runs (its buttons wait), and
/// the commands it returns.
pub struct PanelCx<'a> {
    /// The open database, or why there is none.
    pub db: &'a DbView,
    /// Whether a job the status bar shows is running.
    pub busy: bool,
    /// What the panel asks the app to do, applied at the end of the frame.
    pub commands: &'a mut Vec<Command>,
    /// Where exports are suggested: the folder last exported to, else Documents or home.
    pub export_folder: Option<&'a std::path::Path>,
}

/// What a panel needs before it draws its own content.
#[derive(Debug, Clone, Copy)]
pub struct Needs {
    /// The panel's heading, shown with the reason it cannot draw.
    pub heading: &'static str,
    /// One of these tables must have rows (empty: none is needed).
    pub tables: &'static [TableKind],
    /// Why, when none has rows (an Import… button follows).
    pub why: &'static str,
}

impl Needs {
    /// An open database, whatever it holds.
    pub const fn database(heading: &'static str) -> Needs {
        Needs {
            heading,
            tables: &[],
            why: "",
        }
    }

    /// An open database where one of `tables` has rows; else `why` and Import….
    pub const fn rows(
        heading: &'static str,
        tables: &'static [TableKind],
        why: &'static str,
    ) -> Needs {
        Needs {
            heading,
            tables,
            why,
        }
    }
}

impl<'a> PanelCx<'a> {
    /// The open database when the panel can draw; otherwise draws why not ([`open_database`],
    /// then [`needs_rows`]) and returns `None`.
    pub fn open(&mut self, ui: &mut egui::Ui, needs: &Needs) -> Option<&'a DbInfo> {
        let db: &'a DbView = self.db;
        let info = open_database(ui, db, needs.heading)?;
        if needs.tables.is_empty()
            || needs_rows(
                ui,
                info,
                needs.tables,
                needs.heading,
                needs.why,
                self.commands,
            )
        {
            Some(info)
        } else {
            None
        }
    }
}

/// Whether a table of one of `kinds` has rows.
pub fn has_rows(info: &DbInfo, kinds: &[TableKind]) -> bool {
    info.tables
        .iter()
        .any(|t| kinds.contains(&t.kind) && t.rows > 0)
}

/// Whether a table of one of `kinds` has rows; when none has, draws the panel's `heading`, `why`
/// and an Import… button instead.
pub fn needs_rows(
    ui: &mut egui::Ui,
    info: &DbInfo,
    kinds: &[TableKind],
    heading: &str,
    why: &str,
    commands: &mut Vec<Command>,
) -> bool {
    if has_rows(info, kinds) {
        return true;
    }
    ui.heading(heading);
    ui.add_space(theme::SECTION_SPACING);
    ui.label(why);
    if ui.button("Import…").clicked() {
        commands.push(Command::ShowImportDialog);
    }
    false
}

/// A failed or cancelled read in one line with [`RETRY`] beside it (never a spinner that waits
/// for ever); true when Retry is pressed.
pub fn retry_ui(ui: &mut egui::Ui, message: &str, palette: &Palette) -> bool {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(message).color(palette.error_text));
        ui.button(RETRY).clicked()
    })
    .inner
}
