//! A panel's story: its headline, one sentence a stakeholder understands, in heading size; and
//! the technical figures, under a closed "Model details", each with a line in plain words.

use egui::RichText;

use crate::app::theme::Palette;

/// A technical figure: its name, its value and what it means in plain words.
pub type Figure<'a> = (&'a str, String, &'a str);

/// The panel's headline sentence (wraps; grows with presentation mode).
pub fn headline(ui: &mut egui::Ui, text: &str) {
    ui.add(egui::Label::new(RichText::new(text).heading()).wrap());
}

/// "Model details", closed until opened: the figures, then whatever `more` draws.
pub fn model_details(
    ui: &mut egui::Ui,
    id: &str,
    figures: &[Figure<'_>],
    palette: &Palette,
    more: impl FnOnce(&mut egui::Ui),
) {
    egui::CollapsingHeader::new("Model details")
        .id_salt(id)
        .default_open(false)
        .show(ui, |ui| {
            egui::Grid::new((id, "figures"))
                .num_columns(3)
                .spacing([16.0, 4.0])
                .show(ui, |ui| {
                    for (name, value, meaning) in figures {
                        ui.label(*name).on_hover_text(*meaning);
                        ui.strong(value).on_hover_text(*meaning);
                        ui.label(RichText::new(*meaning).color(palette.muted_text));
                        ui.end_row();
                    }
                });
            more(ui);
        });
}
