//! Churn & value (coming).

use crate::app::DbView;

/// Draws the panel.
pub fn churn_value_ui(ui: &mut egui::Ui, db: &DbView) {
    super::coming::coming_ui(
        ui,
        db,
        "Churn & value",
        "Shows who is about to leave, with the reasons for each risk score, and what each \
         customer is likely to be worth (lifetime value).",
        "Churn risk needs a customers table with a churned column or a transactions history; \
         lifetime value needs transactions with amounts.",
    );
}
