//! Segments (coming).

use crate::app::DbView;

/// Draws the panel.
pub fn segments_ui(ui: &mut egui::Ui, db: &DbView) {
    super::coming::coming_ui(
        ui,
        db,
        "Segments",
        "Groups your customers by how recently, how often and how much they buy (RFM), and by \
         their attributes (k-means and Gaussian mixture), each group with a profile and a plain name.",
        "RFM segments need a transactions table; attribute segments need a customers table.",
    );
}
