//! Fairness (coming).

use crate::app::DbView;

/// Draws the panel.
pub fn fairness_ui(ui: &mut egui::Ui, db: &DbView) {
    super::coming::coming_ui(
        ui,
        db,
        "Fairness",
        "Audits every model output for bias across protected groups (gender, age, senior \
         citizens and other columns whose role is Protected).",
        "Needs a customers table with at least one protected column; set roles in the Data panel.",
    );
}
