//! The left navigation rail.

use crate::app::{Command, Panel};

/// One selectable label per panel.
pub fn rail_ui(ui: &mut egui::Ui, current: Panel, commands: &mut Vec<Command>) {
    ui.add_space(8.0);
    for panel in Panel::ALL {
        let label = egui::RichText::new(panel.label())
            .size(ui.text_style_height(&egui::TextStyle::Button) + 2.0);
        let response = ui.add_sized(
            [ui.available_width(), 0.0],
            egui::Button::selectable(panel == current, label),
        );
        if response.clicked() && panel != current {
            commands.push(Command::ShowPanel(panel));
        }
    }
}
