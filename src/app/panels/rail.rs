//! The left navigation rail.

use crate::app::{Command, Panel};

/// One selectable entry per panel, left-aligned, full width.
pub fn rail_ui(ui: &mut egui::Ui, current: Panel, commands: &mut Vec<Command>) {
    ui.add_space(8.0);
    ui.with_layout(egui::Layout::top_down_justified(egui::Align::LEFT), |ui| {
        for panel in Panel::ALL {
            let text = egui::RichText::new(panel.label()).text_style(egui::TextStyle::Heading);
            let response = ui.add(egui::Button::selectable(panel == current, text).truncate());
            if response.clicked() && panel != current {
                commands.push(Command::ShowPanel(panel));
            }
        }
    });
}
