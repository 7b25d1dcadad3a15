//! Typed paths: every file field can be typed into (the system file dialog may be unavailable),
//! with "Browse…" beside it where a picker is given, and the dialog that writes a file.

use std::path::{Path, PathBuf};

use crate::app::file_picker::{FilePicker, PickKind, table_save_dialog};
use crate::app::theme;

/// Expands a leading `~/` and trims the typed path.
pub fn typed_path(text: &str) -> Option<PathBuf> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Some(rest) = text.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return Some(Path::new(&home).join(rest));
    }
    Some(PathBuf::from(text))
}

/// The path a save dialog starts with: `file` in `folder` (the open database's), or `file` alone.
pub fn path_in(folder: Option<&Path>, file: &str) -> String {
    folder.map_or_else(|| file.to_string(), |d| d.join(file).display().to_string())
}

/// A dialog window as the window opens all of them: titled, fixed, near the top in the middle.
pub fn dialog_window(title: &str) -> egui::Window<'_> {
    egui::Window::new(title)
        .collapsible(false)
        .resizable(false)
        .default_width(theme::DIALOG_WIDTH)
        .anchor(egui::Align2::CENTER_TOP, [0.0, 60.0])
}

/// Whether Enter was pressed to leave `field`.
fn entered(ui: &egui::Ui, field: &egui::Response) -> bool {
    field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

/// A typed path with "Browse…" beside it. The system dialog (`dialog`, given the typed path,
/// asking for `kind`) runs on `picker`'s thread; the file it picks replaces the text. Returns
/// the typed path when Enter is pressed in the field.
pub fn path_field(
    ui: &mut egui::Ui,
    text: &mut String,
    hint: Option<&str>,
    picker: &mut FilePicker,
    kind: PickKind,
    dialog: impl FnOnce(Option<&Path>) -> rfd::FileDialog,
) -> Option<PathBuf> {
    ui.horizontal(|ui| {
        let mut edit = egui::TextEdit::singleline(text).desired_width(theme::DIALOG_WIDTH - 110.0);
        if let Some(hint) = hint {
            edit = edit.hint_text(hint);
        }
        let edit = ui.add(edit);
        let typed = if entered(ui, &edit) {
            typed_path(text)
        } else {
            None
        };
        if let Some(path) = picker.poll_one() {
            *text = path.display().to_string();
        }
        if picker.browse_button(ui) {
            // Without a desktop portal this answers at once with nothing: the typed path
            // remains.
            let current = typed_path(text);
            picker.open(ui.ctx(), dialog(current.as_deref()), kind);
        }
        typed
    })
    .inner
}

/// What the user did in a [`SaveDialog`] this frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogAnswer {
    /// Nothing yet: the dialog stays open.
    Open,
    /// Write to this path (the button, or Enter in the field).
    Confirmed(PathBuf),
    /// Cancel was pressed.
    Cancelled,
}

/// `confirm`, enabled when there is a `path`, and Cancel side by side; which was pressed (Esc
/// counts as Cancel; Enter in the path field confirms, see [`path_field`]).
pub fn confirm_row(ui: &mut egui::Ui, confirm: &str, path: Option<PathBuf>) -> DialogAnswer {
    ui.horizontal(|ui| {
        let mut answer = DialogAnswer::Open;
        if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            return DialogAnswer::Cancelled;
        }
        if ui
            .add_enabled(path.is_some(), egui::Button::new(confirm))
            .clicked()
            && let Some(path) = path
        {
            answer = DialogAnswer::Confirmed(path);
        }
        if ui.button("Cancel").clicked() && answer == DialogAnswer::Open {
            answer = DialogAnswer::Cancelled;
        }
        answer
    })
    .inner
}

/// A dialog that writes a file: what it writes (drawn by the caller), "File" with the typed
/// path, then the confirm button and Cancel.
#[derive(Debug)]
pub struct SaveDialog<'a> {
    title: &'a str,
    confirm: &'a str,
    picker: Option<&'a mut FilePicker>,
    extension: Option<&'a str>,
    /// The file types Browse… offers: (name, extensions); empty: CSV and XLSX.
    types: &'a [(&'a str, &'a [&'a str])],
}

impl<'a> SaveDialog<'a> {
    /// A dialog titled `title` whose button says Export.
    pub fn new(title: &'a str) -> SaveDialog<'a> {
        SaveDialog {
            title,
            confirm: "Export",
            picker: None,
            extension: None,
            types: &[],
        }
    }

    /// "Browse…" beside the field for files of these types (name, extensions), on `picker`.
    pub fn browse_for(
        mut self,
        picker: &'a mut FilePicker,
        types: &'a [(&'a str, &'a [&'a str])],
    ) -> Self {
        self.picker = Some(picker);
        self.types = types;
        self
    }

    /// The button's text instead of Export.
    pub fn confirm(mut self, label: &'a str) -> Self {
        self.confirm = label;
        self
    }

    /// "Browse…" beside the field: a save dialog for a CSV or XLSX file on `picker`.
    pub fn browse(mut self, picker: &'a mut FilePicker) -> Self {
        self.picker = Some(picker);
        self
    }

    /// The file always gets this extension (replacing another one).
    pub fn extension(mut self, extension: &'a str) -> Self {
        self.extension = Some(extension);
        self
    }

    /// Draws the dialog with `path_text` in its field; `describe` draws what is written.
    pub fn show(
        self,
        ctx: &egui::Context,
        path_text: &mut String,
        describe: impl FnOnce(&mut egui::Ui),
    ) -> DialogAnswer {
        let SaveDialog {
            title,
            confirm,
            picker,
            extension,
            types,
        } = self;
        let fix = |p: PathBuf| match extension {
            Some(e) if !p.extension().is_some_and(|x| x.eq_ignore_ascii_case(e)) => {
                p.with_extension(e)
            }
            _ => p,
        };
        let mut answer = DialogAnswer::Open;
        dialog_window(title).show(ctx, |ui| {
            describe(ui);
            ui.add_space(6.0);
            ui.label("File");
            let typed = match picker {
                Some(picker) => {
                    path_field(ui, path_text, None, picker, PickKind::SaveFile, |current| {
                        if types.is_empty() {
                            table_save_dialog(current)
                        } else {
                            crate::app::file_picker::save_dialog(current, types)
                        }
                    })
                }
                None => {
                    let edit = ui.add(
                        egui::TextEdit::singleline(path_text)
                            .desired_width(theme::DIALOG_WIDTH - 40.0),
                    );
                    entered(ui, &edit).then(|| typed_path(path_text)).flatten()
                }
            };
            ui.add_space(theme::SECTION_SPACING);
            answer = confirm_row(ui, confirm, typed_path(path_text).map(fix));
            if let Some(path) = typed {
                answer = DialogAnswer::Confirmed(fix(path));
            }
        });
        answer
    }
}
