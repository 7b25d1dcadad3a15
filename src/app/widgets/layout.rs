//! Layout presets the panels share: a resizable side panel whose content scrolls, and a vertical
//! scroll area that fills its space.

/// A vertical scroll area that fills its space (does not shrink to its content).
pub fn scroll(id: &str) -> egui::ScrollArea {
    egui::ScrollArea::vertical()
        .id_salt(id)
        .auto_shrink([false, false])
}

/// A resizable panel on the left, `width` wide at first, whose content scrolls.
pub fn left_panel(ui: &mut egui::Ui, id: &str, width: f32, content: impl FnOnce(&mut egui::Ui)) {
    egui::Panel::left(id.to_string())
        .resizable(true)
        .default_size(width)
        .show(ui, |ui| {
            scroll(&format!("{id}_scroll")).show(ui, content);
        });
}
