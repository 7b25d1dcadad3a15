//! Campaigns (coming).

use crate::app::DbView;

/// Draws the panel.
pub fn campaigns_ui(ui: &mut egui::Ui, db: &DbView) {
    super::coming::coming_ui(
        ui,
        db,
        "Campaigns",
        "Builds a campaign audience from segments, risk and recommendations, and exports it as a \
         CSV or Excel list with a privacy guard (personal data left out unless you ask for it).",
        "Needs a customers table; consent_email, when present, is respected.",
    );
}
