//! The top bar: the database's name and size, Open…, Import…, New sample…, presentation mode.

use crate::app::{Command, DbView};
use crate::format;
use crate::workspace::data::file_name;

/// Draws the bar.
pub fn top_bar_ui(
    ui: &mut egui::Ui,
    db: &DbView,
    presentation: bool,
    busy: bool,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        ui.heading("Tailor");
        ui.separator();
        match db {
            DbView::Open(info) => {
                ui.strong(file_name(&info.path))
                    .on_hover_text(info.path.display().to_string());
                ui.label(format::bytes(info.size_bytes));
            }
            DbView::Starting => {
                ui.label("Opening…");
            }
            DbView::Empty => {
                ui.label("No database open");
            }
        }
        ui.separator();
        if ui.button("Open…").clicked() {
            commands.push(Command::ShowOpenDialog);
        }
        if ui.button("Import…").clicked() {
            commands.push(Command::ShowImportDialog);
        }
        if ui
            .add_enabled(!busy, egui::Button::new("New sample…"))
            .clicked()
        {
            commands.push(Command::ShowSampleDialog);
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let mut on = presentation;
            if ui
                .checkbox(&mut on, "Presentation mode")
                .on_hover_text("Larger text; personal data is masked")
                .changed()
            {
                commands.push(Command::SetPresentation(on));
            }
        });
    });
}
