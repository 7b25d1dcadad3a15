//! The system file dialog without freezing the window.
//!
//! `rfd`'s blocking dialogs wait on the desktop portal; called from the UI thread they would stop
//! the window from repainting for as long as the dialog is open. A [`FilePicker`] runs the dialog
//! on a named thread instead and hands the answer back through a channel, which the panel polls
//! each frame. Without an xdg-desktop-portal the dialog answers `None` at once, which is a cancel:
//! every field that uses a picker can also be typed into.

use std::path::{Path, PathBuf};

use crossbeam_channel::{Receiver, TryRecvError};

/// What the dialog asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickKind {
    /// One existing file.
    OpenFile,
    /// Several existing files.
    OpenFiles,
    /// A file to write.
    SaveFile,
}

/// One file dialog at a time, run off the UI thread.
#[derive(Debug, Default)]
pub struct FilePicker {
    waiting: Option<Receiver<Vec<PathBuf>>>,
    /// Why the last dialog could not be shown, if it could not.
    pub problem: Option<String>,
}

impl FilePicker {
    /// Whether a dialog is open (its answer has not arrived yet).
    pub fn is_open(&self) -> bool {
        self.waiting.is_some()
    }

    /// Opens `dialog` on its own thread; the answer arrives through [`FilePicker::poll`]. A
    /// dialog that is already open is left alone.
    pub fn open(&mut self, ctx: &egui::Context, dialog: rfd::FileDialog, kind: PickKind) {
        if self.waiting.is_some() {
            return;
        }
        let (tx, rx) = crossbeam_channel::bounded(1);
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("tailor-file-dialog".into())
            .spawn(move || {
                let paths = match kind {
                    PickKind::OpenFile => dialog.pick_file().into_iter().collect(),
                    PickKind::OpenFiles => dialog.pick_files().unwrap_or_default(),
                    PickKind::SaveFile => dialog.save_file().into_iter().collect(),
                };
                let _ = tx.send(paths);
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => {
                self.problem = None;
                self.waiting = Some(rx);
            }
            Err(e) => {
                self.problem = Some(format!(
                    "The file dialog could not be opened ({e}): type the path instead"
                ));
            }
        }
    }

    /// The files chosen, once the dialog has closed: `Some(paths)` exactly once per dialog
    /// (empty when it was cancelled or no dialog is available), `None` while it is open or when
    /// none was opened.
    pub fn poll(&mut self) -> Option<Vec<PathBuf>> {
        let rx = self.waiting.as_ref()?;
        match rx.try_recv() {
            Ok(paths) => {
                self.waiting = None;
                Some(paths)
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                self.waiting = None;
                Some(Vec::new())
            }
        }
    }

    /// The one file chosen, once the dialog has closed with a choice.
    pub fn poll_one(&mut self) -> Option<PathBuf> {
        self.poll().and_then(|paths| paths.into_iter().next())
    }

    /// "Browse…", disabled while this picker's dialog is open; true when clicked.
    pub fn browse_button(&self, ui: &mut egui::Ui) -> bool {
        ui.add_enabled(!self.is_open(), egui::Button::new("Browse…"))
            .on_disabled_hover_text("The file dialog is open")
            .clicked()
    }
}

/// A save dialog for a CSV or XLSX file that starts where `current` (the typed path) points.
pub fn table_save_dialog(current: Option<&Path>) -> rfd::FileDialog {
    save_dialog(
        current,
        &[("CSV file", &["csv"]), ("Excel workbook", &["xlsx"])],
    )
}

/// A save dialog offering `filters` (name, extensions) that starts where `current` (the typed
/// path) points.
pub fn save_dialog(current: Option<&Path>, filters: &[(&str, &[&str])]) -> rfd::FileDialog {
    let mut dialog = rfd::FileDialog::new();
    for (name, extensions) in filters {
        dialog = dialog.add_filter(*name, extensions);
    }
    if let Some(p) = current {
        if let Some(dir) = p.parent().filter(|d| d.is_dir()) {
            dialog = dialog.set_directory(dir);
        }
        if let Some(file) = p.file_name() {
            dialog = dialog.set_file_name(file.to_string_lossy());
        }
    }
    dialog
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_delivered_once() {
        let mut picker = FilePicker::default();
        assert!(picker.poll().is_none());
        let (tx, rx) = crossbeam_channel::bounded(1);
        picker.waiting = Some(rx);
        assert!(picker.is_open());
        assert!(picker.poll().is_none());
        tx.send(vec![PathBuf::from("/tmp/a.csv")]).unwrap();
        assert_eq!(picker.poll_one(), Some(PathBuf::from("/tmp/a.csv")));
        assert!(!picker.is_open());
        assert!(picker.poll().is_none());
    }

    #[test]
    fn a_dropped_dialog_counts_as_cancel() {
        let mut picker = FilePicker::default();
        let (tx, rx) = crossbeam_channel::bounded::<Vec<PathBuf>>(1);
        picker.waiting = Some(rx);
        drop(tx);
        assert_eq!(picker.poll(), Some(Vec::new()));
        assert!(!picker.is_open());
    }
}
