//! The Open, Import and New sample dialogs, and the import summary.
//!
//! Every file field has a "Browse…" button (the system file dialog, which may be unavailable)
//! and can be typed into, so the dialogs work without a file picker.

use std::path::PathBuf;

use egui::RichText;

use crate::app::Command;
use crate::app::file_picker::{FilePicker, PickKind};
use crate::app::theme::{self, Palette};
use crate::app::widgets::path::{DialogAnswer, confirm_row, dialog_window, path_field, typed_path};
use crate::data::TableKind;
use crate::data::import::ImportOptions;
use crate::data::sample::SampleOptions;
use crate::workspace::data::file_name;

/// Customers in a new sample unless the user says otherwise.
pub const DEFAULT_SAMPLE_CUSTOMERS: usize = 5_000;
/// Seed of a new sample unless the user says otherwise.
pub const DEFAULT_SAMPLE_SEED: u64 = 42;

/// Which dialogs are open and what is typed in them.
#[derive(Debug, Default)]
pub struct Dialogs {
    /// The Open dialog.
    pub open: Option<OpenDialog>,
    /// The Import dialog.
    pub import: Option<ImportDialog>,
    /// The New sample dialog.
    pub sample: Option<SampleDialog>,
    /// The summary of the last import, until closed.
    pub import_result: Option<String>,
    data_dir: Option<PathBuf>,
    /// The Open dialog's Browse… (a system dialog on its own thread).
    open_picker: FilePicker,
    /// The Import dialog's Browse….
    import_picker: FilePicker,
}

/// The Open dialog's fields.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct OpenDialog {
    /// The typed path.
    pub path: String,
}

/// Where an import goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportTarget {
    /// Into the database that is open.
    #[default]
    OpenDatabase,
    /// Into a new (or other) database file, which is then opened.
    NewDatabase,
}

/// The Import dialog's fields.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ImportDialog {
    /// File paths, one a line.
    pub files: String,
    /// Target table; `None` guesses it.
    pub table: Option<TableKind>,
    /// `target=Source` lines.
    pub mappings: String,
    /// Delimiter: empty sniffs it; one character, or `tab`.
    pub delimiter: String,
    /// The first line is data.
    pub no_header: bool,
    /// Customers and products already there take the file's non-blank values.
    pub update: bool,
    /// chrono date format for ambiguous dates; empty decides from the values.
    pub date_format: String,
    /// Where the rows go.
    pub target: ImportTarget,
    /// The database file when importing into a new one.
    pub new_db: String,
    /// Why the last "Import" press was refused.
    pub problem: Option<String>,
}

/// The New sample dialog's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleDialog {
    /// Where to write it.
    pub out: String,
    /// Number of customers.
    pub customers: usize,
    /// Random seed.
    pub seed: u64,
    /// Why the last "Generate" press was refused.
    pub problem: Option<String>,
}

impl Dialogs {
    /// No dialog open; new files are suggested in `data_dir`.
    pub fn new(data_dir: Option<PathBuf>) -> Dialogs {
        Dialogs {
            data_dir,
            ..Dialogs::default()
        }
    }

    /// Shows the Open dialog.
    pub fn show_open(&mut self) {
        self.open.get_or_insert_with(OpenDialog::default);
    }

    /// Shows the Import dialog.
    pub fn show_import(&mut self) {
        let suggested = self.suggest("imported.sqlite");
        self.import.get_or_insert_with(|| ImportDialog {
            new_db: suggested,
            ..ImportDialog::default()
        });
    }

    /// Shows the New sample dialog.
    pub fn show_sample(&mut self) {
        let out = self.suggest("sample.sqlite");
        self.sample.get_or_insert(SampleDialog {
            out,
            customers: DEFAULT_SAMPLE_CUSTOMERS,
            seed: DEFAULT_SAMPLE_SEED,
            problem: None,
        });
    }

    fn suggest(&self, name: &str) -> String {
        self.data_dir
            .as_ref()
            .map(|d| d.join(name))
            .unwrap_or_else(|| PathBuf::from(name))
            .display()
            .to_string()
    }

    /// Draws whichever dialogs are open.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        recent: &[PathBuf],
        db_open: bool,
        palette: &Palette,
        commands: &mut Vec<Command>,
    ) {
        if let Some(dialog) = &mut self.open
            && !open_ui(ctx, dialog, &mut self.open_picker, recent, commands)
        {
            self.open = None;
        }
        if let Some(dialog) = &mut self.import
            && !import_ui(
                ctx,
                dialog,
                &mut self.import_picker,
                db_open,
                palette,
                commands,
            )
        {
            self.import = None;
        }
        if let Some(dialog) = &mut self.sample
            && !sample_ui(ctx, dialog, palette, commands)
        {
            self.sample = None;
        }
        if let Some(summary) = &self.import_result {
            let mut keep = true;
            egui::Window::new("Import finished")
                .collapsible(false)
                .default_width(theme::DIALOG_WIDTH)
                .show(ctx, |ui| {
                    egui::ScrollArea::vertical()
                        .max_height(300.0)
                        .show(ui, |ui| {
                            ui.monospace(summary);
                        });
                    let keys = ui.input(|i| {
                        i.key_pressed(egui::Key::Escape) || i.key_pressed(egui::Key::Enter)
                    });
                    if ui.button("Close").clicked() || keys {
                        keep = false;
                    }
                });
            if !keep {
                self.import_result = None;
            }
        }
    }
}

/// Returns false when the dialog should close.
fn open_ui(
    ctx: &egui::Context,
    dialog: &mut OpenDialog,
    picker: &mut FilePicker,
    recent: &[PathBuf],
    commands: &mut Vec<Command>,
) -> bool {
    let mut keep = true;
    dialog_window("Open a database").show(ctx, |ui| {
        ui.label("Database file");
        let hint = Some("/path/to/customers.sqlite");
        let entered = path_field(
            ui,
            &mut dialog.path,
            hint,
            picker,
            PickKind::OpenFile,
            |_| rfd::FileDialog::new().add_filter("SQLite database", &["sqlite", "sqlite3", "db"]),
        );
        if let Some(path) = entered {
            commands.push(Command::Open(path));
        }
        if !recent.is_empty() {
            ui.add_space(theme::SECTION_SPACING);
            ui.label("Recent files");
            for path in recent {
                if ui
                    .link(file_name(path))
                    .on_hover_text(path.display().to_string())
                    .clicked()
                {
                    commands.push(Command::Open(path.clone()));
                }
            }
        }
        ui.add_space(theme::SECTION_SPACING);
        match confirm_row(ui, "Open", typed_path(&dialog.path)) {
            DialogAnswer::Confirmed(path) => commands.push(Command::Open(path)),
            DialogAnswer::Cancelled => keep = false,
            DialogAnswer::Open => {}
        }
    });
    keep
}

/// Parses the Import dialog's fields; the error says which field is wrong.
pub fn parse_import(
    dialog: &ImportDialog,
    db_open: bool,
) -> Result<(Vec<PathBuf>, ImportOptions, Option<PathBuf>), String> {
    let files: Vec<PathBuf> = dialog.files.lines().filter_map(typed_path).collect();
    if files.is_empty() {
        return Err("Add at least one file to import".to_string());
    }
    let mut mappings = Vec::new();
    for line in dialog
        .mappings
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let Some((target, source)) = line.split_once('=') else {
            return Err(format!("Mapping \"{line}\" should read target=Source"));
        };
        let (target, source) = (target.trim(), source.trim());
        if target.is_empty() || source.is_empty() {
            return Err(format!("Mapping \"{line}\" should read target=Source"));
        }
        mappings.push((target.to_string(), source.to_string()));
    }
    let delimiter = match dialog.delimiter.trim_matches(|c| c == '\n' || c == '\r') {
        "" => None,
        "\\t" | "tab" | "Tab" | "\t" => Some(b'\t'),
        d => match d.as_bytes() {
            [b] if b.is_ascii() => Some(*b),
            _ => return Err("The delimiter should be one character, or tab".to_string()),
        },
    };
    let date_format = Some(dialog.date_format.trim().to_string()).filter(|s| !s.is_empty());
    let into = match dialog.target {
        ImportTarget::OpenDatabase if db_open => None,
        ImportTarget::OpenDatabase => {
            return Err("No database is open: choose a new database file".to_string());
        }
        ImportTarget::NewDatabase => match typed_path(&dialog.new_db) {
            Some(p) => Some(p),
            None => return Err("Name the new database file".to_string()),
        },
    };
    let options = ImportOptions {
        table: dialog.table,
        mappings,
        roles: Vec::new(),
        delimiter,
        no_header: dialog.no_header,
        date_format,
        update: dialog.update,
    };
    Ok((files, options, into))
}

/// Returns false when the dialog should close.
fn import_ui(
    ctx: &egui::Context,
    dialog: &mut ImportDialog,
    picker: &mut FilePicker,
    db_open: bool,
    palette: &Palette,
    commands: &mut Vec<Command>,
) -> bool {
    let mut keep = true;
    if !db_open {
        dialog.target = ImportTarget::NewDatabase;
    }
    dialog_window("Import files").show(ctx, |ui| {
        ui.label("Files (CSV, CSV.gz or Excel), one a line");
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::multiline(&mut dialog.files)
                    .desired_rows(2)
                    .hint_text("/path/to/customers.csv")
                    .desired_width(theme::DIALOG_WIDTH - 110.0),
            );
            if picker.browse_button(ui) {
                let files = rfd::FileDialog::new()
                    .add_filter("Data files", &["csv", "gz", "xlsx", "xls", "txt", "tsv"]);
                picker.open(ctx, files, PickKind::OpenFiles);
            }
            if let Some(paths) = picker.poll() {
                for p in paths {
                    if !dialog.files.is_empty() && !dialog.files.ends_with('\n') {
                        dialog.files.push('\n');
                    }
                    dialog.files.push_str(&p.display().to_string());
                }
            }
        });
        egui::Grid::new("import_options")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                ui.label("Table");
                egui::ComboBox::from_id_salt("import_table")
                    .selected_text(dialog.table.map_or("Guess from the columns", |t| t.name()))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut dialog.table, None, "Guess from the columns");
                        for t in TableKind::ALL {
                            ui.selectable_value(&mut dialog.table, Some(t), t.name());
                        }
                    });
                ui.end_row();
                ui.label("Column mappings");
                ui.add(
                    egui::TextEdit::multiline(&mut dialog.mappings)
                        .desired_rows(2)
                        .hint_text("customer_id=customerID\nchurned=Churn"),
                );
                ui.end_row();
                ui.label("Delimiter");
                ui.add(
                    egui::TextEdit::singleline(&mut dialog.delimiter)
                        .hint_text("detected")
                        .desired_width(80.0),
                );
                ui.end_row();
                ui.label("First line");
                ui.checkbox(&mut dialog.no_header, "is data, not column names");
                ui.end_row();
                ui.label("Already there");
                ui.checkbox(
                    &mut dialog.update,
                    "update customers and products (blanks never erase)",
                )
                .on_hover_text(
                    "Off: customers and products already in the database are left as they were",
                );
                ui.end_row();
                ui.label("Date format");
                ui.add(
                    egui::TextEdit::singleline(&mut dialog.date_format)
                        .hint_text("detected, e.g. %d/%m/%Y")
                        .desired_width(160.0),
                );
                ui.end_row();
                ui.label("Into");
                ui.vertical(|ui| {
                    ui.add_enabled_ui(db_open, |ui| {
                        ui.radio_value(
                            &mut dialog.target,
                            ImportTarget::OpenDatabase,
                            "The open database",
                        );
                    });
                    ui.radio_value(
                        &mut dialog.target,
                        ImportTarget::NewDatabase,
                        "A new database file",
                    );
                    if dialog.target == ImportTarget::NewDatabase {
                        ui.add(
                            egui::TextEdit::singleline(&mut dialog.new_db)
                                .desired_width(theme::DIALOG_WIDTH - 160.0),
                        );
                    }
                });
                ui.end_row();
            });
        let (import, cancel) = buttons_ui(ui, dialog.problem.as_deref(), "Import", palette);
        if import {
            match parse_import(dialog, db_open) {
                Ok((files, options, into)) => {
                    dialog.problem = None;
                    commands.push(Command::Import {
                        files,
                        options,
                        into,
                    });
                }
                Err(problem) => dialog.problem = Some(problem),
            }
        }
        keep = !cancel;
    });
    keep
}

/// Why the last press was refused (when it was), then `confirm` and Cancel; which was pressed.
fn buttons_ui(
    ui: &mut egui::Ui,
    problem: Option<&str>,
    confirm: &str,
    palette: &Palette,
) -> (bool, bool) {
    if let Some(problem) = problem {
        ui.label(RichText::new(problem).color(palette.error_text));
    }
    ui.add_space(theme::SECTION_SPACING);
    ui.horizontal(|ui| (ui.button(confirm).clicked(), ui.button("Cancel").clicked()))
        .inner
}

/// Returns false when the dialog should close.
fn sample_ui(
    ctx: &egui::Context,
    dialog: &mut SampleDialog,
    palette: &Palette,
    commands: &mut Vec<Command>,
) -> bool {
    let mut keep = true;
    dialog_window("New sample database").show(ctx, |ui| {
        ui.label(
            "A synthetic shop with customers, products, purchases and reviews, to explore \
                  Tailor without your own data.",
        );
        egui::Grid::new("sample_options")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                ui.label("File");
                ui.add(
                    egui::TextEdit::singleline(&mut dialog.out)
                        .desired_width(theme::DIALOG_WIDTH - 140.0),
                );
                ui.end_row();
                ui.label("Customers");
                ui.add(
                    egui::DragValue::new(&mut dialog.customers)
                        .range(10..=5_000_000)
                        .speed(100.0)
                        .custom_formatter(|n, _| crate::format::thousands(n as u64)),
                );
                ui.end_row();
                ui.label("Seed");
                ui.add(egui::DragValue::new(&mut dialog.seed));
                ui.end_row();
            });
        let (generate, cancel) = buttons_ui(ui, dialog.problem.as_deref(), "Generate", palette);
        if generate {
            match typed_path(&dialog.out) {
                Some(out) => commands.push(Command::NewSample {
                    out,
                    options: SampleOptions {
                        customers: dialog.customers,
                        seed: dialog.seed,
                    },
                }),
                None => dialog.problem = Some("Name the file to write".to_string()),
            }
        }
        keep = !cancel;
    });
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_fields_are_parsed_or_refused_with_a_reason() {
        let mut d = ImportDialog {
            files: "/a.csv\n\n /b.csv \n".into(),
            mappings: "customer_id=customerID\n churned = Churn".into(),
            delimiter: "tab".into(),
            ..ImportDialog::default()
        };
        let (files, options, into) = parse_import(&d, true).unwrap();
        assert_eq!(
            files,
            vec![PathBuf::from("/a.csv"), PathBuf::from("/b.csv")]
        );
        assert_eq!(options.mappings[1], ("churned".into(), "Churn".into()));
        assert_eq!(options.delimiter, Some(b'\t'));
        assert_eq!(into, None);
        d.delimiter = ";".into();
        assert_eq!(parse_import(&d, true).unwrap().1.delimiter, Some(b';'));
        d.delimiter = ";;".into();
        assert!(parse_import(&d, true).unwrap_err().contains("delimiter"));
        d.delimiter.clear();
        d.mappings = "nonsense".into();
        assert!(
            parse_import(&d, true)
                .unwrap_err()
                .contains("target=Source")
        );
        d.mappings.clear();
        assert!(parse_import(&d, false).is_err());
        d.target = ImportTarget::NewDatabase;
        d.new_db = "/tmp/x.sqlite".into();
        assert_eq!(
            parse_import(&d, false).unwrap().2,
            Some(PathBuf::from("/tmp/x.sqlite"))
        );
    }
}
