//! The error banner (wrapped, with Dismiss) and the read-only notice.

use egui::RichText;

use crate::app::Command;
use crate::app::theme::Palette;

/// The frame of a banner with the given background.
pub fn frame(fill: egui::Color32) -> egui::Frame {
    egui::Frame::new()
        .fill(fill)
        .inner_margin(egui::Margin::symmetric(10, 6))
}

/// The error in full, with a button that dismisses it.
pub fn error_ui(ui: &mut egui::Ui, error: &str, palette: &Palette, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        if ui.button("Dismiss").clicked() {
            commands.push(Command::DismissError);
        }
        // Wrapped, not cut: the end of the message says what to do and where.
        ui.add(egui::Label::new(RichText::new(error).color(palette.error_text)).wrap());
    });
}

/// "Opened read-only (reason): runs will not be saved".
pub fn read_only_ui(ui: &mut egui::Ui, reason: &str, palette: &Palette) {
    ui.label(
        RichText::new(format!(
            "Opened read-only ({reason}): runs will not be saved"
        ))
        .color(palette.notice_text),
    );
}
