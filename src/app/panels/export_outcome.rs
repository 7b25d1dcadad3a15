//! What an export wrote and left out, shown where the export was started: "Wrote N customers to
//! FILE" and the privacy guard's notes (customers left out for consent, personal data left out,
//! k-anonymity), warnings in the warning colour.

use egui::RichText;

use crate::app::theme::Palette;
use crate::export::audience::ExportSummary;
use crate::format::count;

/// The headline of an export: rows and customers written, and where.
pub fn headline(summary: &ExportSummary) -> String {
    if summary.rows == summary.customers {
        format!(
            "Wrote {} to {}",
            count(summary.rows, "customer", "customers"),
            summary.file
        )
    } else {
        format!(
            "Wrote {} for {} to {}",
            count(summary.rows, "row", "rows"),
            count(summary.customers, "customer", "customers"),
            summary.file
        )
    }
}

/// Draws the headline and every note of `summary`.
pub fn export_outcome_ui(ui: &mut egui::Ui, summary: &ExportSummary, palette: &Palette) {
    ui.add(egui::Label::new(headline(summary)).wrap());
    for note in &summary.notes {
        let colour = if note.starts_with("Warning") {
            palette.severity_warning
        } else {
            palette.muted_text
        };
        ui.add(egui::Label::new(RichText::new(note).color(colour)).wrap());
    }
}
