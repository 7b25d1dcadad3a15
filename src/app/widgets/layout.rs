//! Layout presets the panels share: a resizable side panel whose content scrolls, and a vertical
//! scroll area that fills its space.

/// A vertical scroll area that fills its space (does not shrink to its content).
pub fn scroll(id: &str) -> egui::ScrollArea {
    egui::ScrollArea::vertical()
        .id_salt(id)
        .auto_shrink([false, false])
}

/// A resizable panel on the left, `width` wide at first (as much wider as the text is when
/// `grows`: cards whose charts need the room), whose content scrolls.
pub fn left_panel(
    ui: &mut egui::Ui,
    id: &str,
    width: f32,
    grows: bool,
    content: impl FnOnce(&mut egui::Ui),
) {
    // Up to 45% of the room; each text size keeps its own panel, so the user's resize of one
    // is kept.
    let scale = if grows {
        crate::app::theme::text_scale(ui)
    } else {
        1.0
    };
    let width = (width * scale)
        .min(ui.available_width() * 0.45)
        .max(width.min(ui.available_width()));
    egui::Panel::left(format!("{id}_{:.0}", scale * 100.0))
        .resizable(true)
        .default_size(width)
        .show(ui, |ui| {
            scroll(&format!("{id}_scroll")).show(ui, content);
        });
}
