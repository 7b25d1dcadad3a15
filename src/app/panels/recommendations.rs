//! Recommendations (coming).

use crate::app::DbView;

/// Draws the panel.
pub fn recommendations_ui(ui: &mut egui::Ui, db: &DbView) {
    super::coming::coming_ui(
        ui,
        db,
        "Recommendations",
        "Suggests what to offer each customer (collaborative, content-based, demographic and \
         hybrid), every suggestion with the reasons behind it.",
        "Needs a transactions table (purchases or ratings); a products table adds content-based reasons.",
    );
}
