//! Summary cards: a framed title, one large value and a note under it, side by side in a row.

use egui::RichText;

use crate::app::theme::{self, Palette};

/// How a panel's cards look: each panel keeps its own sizes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CardStyle {
    /// Space inside the frame, in points.
    pub margin: i8,
    /// Least width of a card, in points.
    pub min_width: f32,
    /// Size of the value's text, in points.
    pub value_size: f32,
    /// The title in the muted colour (else the text colour).
    pub title_muted: bool,
    /// The note in small text.
    pub note_small: bool,
    /// The note in the muted colour.
    pub note_muted: bool,
}

impl CardStyle {
    /// Churn & value's model metrics: compact, several to a row.
    pub const METRIC: CardStyle = CardStyle {
        margin: 8,
        min_width: 130.0,
        value_size: 22.0,
        title_muted: true,
        note_small: true,
        note_muted: true,
    };
    /// The Campaigns panel's audience size and value.
    pub const HEADLINE: CardStyle = CardStyle {
        margin: 10,
        min_width: theme::CAMPAIGN_CARD_WIDTH,
        value_size: theme::HEADLINE_TEXT_SIZE,
        title_muted: true,
        note_small: false,
        note_muted: true,
    };
    /// The Fairness panel's audit measures (the value may be coloured by its verdict).
    pub const AUDIT: CardStyle = CardStyle {
        margin: 8,
        min_width: 200.0,
        value_size: theme::HEADLINE_TEXT_SIZE * 0.8,
        title_muted: false,
        note_small: true,
        note_muted: false,
    };
}

/// One card: `title`, `value` large and strong, `note` under it (left out when empty).
pub fn card(
    ui: &mut egui::Ui,
    style: &CardStyle,
    title: &str,
    value: RichText,
    note: &str,
    palette: &Palette,
) {
    let muted = |text: RichText, on: bool| {
        if on {
            text.color(palette.muted_text)
        } else {
            text
        }
    };
    egui::Frame::group(ui.style())
        .inner_margin(egui::Margin::same(style.margin))
        .show(ui, |ui| {
            ui.set_min_width(style.min_width);
            ui.vertical(|ui| {
                ui.label(muted(RichText::new(title), style.title_muted));
                ui.label(value.size(style.value_size).strong());
                if !note.is_empty() {
                    let text = muted(RichText::new(note), style.note_muted);
                    ui.label(if style.note_small { text.small() } else { text });
                }
            });
        });
}
