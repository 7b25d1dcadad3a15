//! The shared layout of panels that are not built yet: what they will do, plainly.

use crate::app::DbView;

/// A panel that says what it will show and what it needs; no numbers.
pub fn coming_ui(ui: &mut egui::Ui, db: &DbView, title: &str, will_do: &str, needs: &str) {
    ui.heading(title);
    ui.add_space(crate::app::theme::SECTION_SPACING);
    ui.label(will_do);
    ui.add_space(crate::app::theme::SECTION_SPACING);
    ui.label(needs);
    ui.add_space(crate::app::theme::SECTION_SPACING);
    ui.strong("This panel is coming: it is not in this build yet.");
    if matches!(db, DbView::Empty) {
        ui.label("Open or import a database first: use Open… or Import… at the top.");
    }
}
