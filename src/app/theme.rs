//! Colours and sizes, in one place. Panels ask the theme; none hard-code a colour or a size.
//!
//! The window follows the system's light or dark preference (egui's default), so colours come
//! in pairs and are picked by the context's current theme.

use egui::{Color32, Context, TextStyle};

/// Width of the left navigation rail, in points.
pub const RAIL_WIDTH: f32 = 232.0;
/// Width of the Data panel's table list, in points.
pub const TABLE_LIST_WIDTH: f32 = 180.0;
/// Width of a role box in the Columns and roles table, in points.
pub const ROLE_BOX_WIDTH: f32 = 150.0;
/// Default width of a column in the row grid, in points.
pub const GRID_COLUMN_WIDTH: f32 = 140.0;
/// Narrowest a grid column can be dragged, in points.
pub const GRID_COLUMN_MIN_WIDTH: f32 = 40.0;
/// Extra height of a grid row above the body text height, in points.
pub const GRID_ROW_PADDING: f32 = 4.0;
/// Width of the status bar's progress bar, in points.
pub const PROGRESS_WIDTH: f32 = 220.0;
/// Space between sections of a panel, in points.
pub const SECTION_SPACING: f32 = 12.0;
/// Text size factor in presentation mode.
pub const PRESENTATION_TEXT_SCALE: f32 = 1.3;
/// Width of dialogs, in points.
pub const DIALOG_WIDTH: f32 = 520.0;
/// Size of the window when it opens, in points.
pub const WINDOW_SIZE: [f32; 2] = [1280.0, 800.0];
/// Size of the Segments panel's headline numbers, in points.
pub const HEADLINE_TEXT_SIZE: f32 = 30.0;
/// Default width of the Segments panel's list of segment cards, in points.
pub const SEGMENT_CARDS_WIDTH: f32 = 380.0;
/// Width of the Segments panel's two k-selection charts, in points.
pub const K_CHART_WIDTH: f32 = 260.0;
/// Height of a bar in a segment card's profile chart, in points.
pub const PROFILE_BAR_HEIGHT: f32 = 18.0;
/// Radius of a customer's point in the segment scatter, in points.
pub const SCATTER_POINT_RADIUS: f32 = 1.6;
/// Share of the Segments panel's height given to the scatter (the table gets the rest).
pub const SCATTER_HEIGHT_SHARE: f32 = 0.55;
/// Width of the Segments panel's number fields (seed, restarts), in points.
pub const SEGMENT_FIELD_WIDTH: f32 = 60.0;

/// Default width of the Recommendations panel's purchase history, in points.
pub const REC_HISTORY_WIDTH: f32 = 300.0;
/// Width of a hybrid weight slider, in points.
pub const WEIGHT_SLIDER_WIDTH: f32 = 140.0;
/// Default width of the Recommendations panel's contributions chart, in points.
pub const REC_CHART_WIDTH: f32 = 380.0;

/// Default width of the Campaigns panel's filter builder, in points.
pub const CAMPAIGN_FILTERS_WIDTH: f32 = 300.0;
/// Most height of the Campaigns panel's list of attribute values, in points.
pub const CAMPAIGN_LEVELS_HEIGHT: f32 = 180.0;
/// Least width of a Campaigns panel headline card, in points.
pub const CAMPAIGN_CARD_WIDTH: f32 = 200.0;
/// Height per bar of the audience-by-segment chart, in points.
pub const CAMPAIGN_BAR_HEIGHT: f32 = 26.0;
/// Most height of the audience-by-segment chart, in points.
pub const CAMPAIGN_CHART_MAX_HEIGHT: f32 = 240.0;
/// Width of the audience-by-segment chart's segment-name axis, in points.
pub const CAMPAIGN_AXIS_WIDTH: f32 = 140.0;
/// Most width of one of the audience's fairness charts (one per protected column), in points.
pub const CAMPAIGN_FAIRNESS_CHART_WIDTH: f32 = 300.0;
/// Height of the audience's fairness charts, in points.
pub const CAMPAIGN_FAIRNESS_CHART_HEIGHT: f32 = 170.0;
/// Height of the Fairness panel's selection-rate chart, in points.
pub const FAIR_CHART_HEIGHT: f32 = 260.0;

/// Churn feature-importance bars of a column that raises the risk (a logistic coefficient
/// above 0). The same in light and dark mode.
pub const RAISES_RISK_COLOUR: Color32 = Color32::from_rgb(0xD6, 0x27, 0x28);
/// Churn feature-importance bars of a column that lowers the risk (a coefficient below 0).
pub const LOWERS_RISK_COLOUR: Color32 = Color32::from_rgb(0x1F, 0x77, 0xB4);
/// Side of the colour swatch in a chart legend, in points.
pub const LEGEND_SWATCH: f32 = 10.0;

/// Segment colours, by segment id (RFM has 11 segments; ids beyond wrap around). The same in
/// light and dark mode; used by the scatter, the cards and the profile charts.
pub const SEGMENT_COLOURS: [Color32; 12] = hex_colours([
    0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD, 0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22,
    0x17BECF, 0x393B79, 0xAD494A,
]);

/// Colours from `0xRRGGBB` numbers.
const fn hex_colours<const N: usize>(hex: [u32; N]) -> [Color32; N] {
    let mut out = [Color32::BLACK; N];
    let mut i = 0;
    while i < N {
        let [_, r, g, b] = hex[i].to_be_bytes();
        out[i] = Color32::from_rgb(r, g, b);
        i += 1;
    }
    out
}

/// The colour of segment `id`, the same everywhere it is drawn.
pub fn segment_colour(id: usize) -> Color32 {
    SEGMENT_COLOURS
        .get(id % SEGMENT_COLOURS.len())
        .copied()
        .unwrap_or(Color32::GRAY)
}

/// The colour of recommendation method (or reason kind) number `index`, the same in every chart.
pub fn method_colour(index: usize) -> Color32 {
    segment_colour(index)
}

/// The colour of the baseline (popularity) in the recommendation evaluation charts.
pub const BASELINE_COLOUR: Color32 = Color32::GRAY;

/// Text shown instead of a personal-data value in presentation mode.
pub const MASK: &str = "•••";
/// Text shown in a grid cell whose row is not loaded yet.
pub const NOT_LOADED: &str = "…";

/// The colours of the current theme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    /// Error banner background.
    pub error_fill: Color32,
    /// Error banner text.
    pub error_text: Color32,
    /// Read-only and other notices, background.
    pub notice_fill: Color32,
    /// Notice text.
    pub notice_text: Color32,
    /// Secondary text (row counts, hints).
    pub muted_text: Color32,
    /// Severity "error" in the quality report.
    pub severity_error: Color32,
    /// Severity "warning".
    pub severity_warning: Color32,
    /// Severity "info".
    pub severity_info: Color32,
}

const LIGHT: Palette = Palette {
    error_fill: Color32::from_rgb(0xFD, 0xE7, 0xE7),
    error_text: Color32::from_rgb(0x9B, 0x1C, 0x1C),
    notice_fill: Color32::from_rgb(0xFF, 0xF4, 0xD6),
    notice_text: Color32::from_rgb(0x6B, 0x4E, 0x00),
    muted_text: Color32::from_rgb(0x6B, 0x72, 0x80),
    severity_error: Color32::from_rgb(0xC0, 0x26, 0x26),
    severity_warning: Color32::from_rgb(0xB4, 0x6A, 0x00),
    severity_info: Color32::from_rgb(0x25, 0x63, 0xEB),
};

const DARK: Palette = Palette {
    error_fill: Color32::from_rgb(0x4A, 0x16, 0x16),
    error_text: Color32::from_rgb(0xFC, 0xA5, 0xA5),
    notice_fill: Color32::from_rgb(0x42, 0x36, 0x10),
    notice_text: Color32::from_rgb(0xFD, 0xE6, 0x8A),
    muted_text: Color32::from_rgb(0x9C, 0xA3, 0xAF),
    severity_error: Color32::from_rgb(0xF8, 0x71, 0x71),
    severity_warning: Color32::from_rgb(0xFB, 0xBF, 0x24),
    severity_info: Color32::from_rgb(0x60, 0xA5, 0xFA),
};

/// The palette for the context's current (system-following) theme.
pub fn palette(ctx: &Context) -> Palette {
    match ctx.theme() {
        egui::Theme::Dark => DARK,
        egui::Theme::Light => LIGHT,
    }
}

/// Sets text sizes for normal or presentation mode, in both light and dark styles.
pub fn apply_text_scale(ctx: &Context, presentation: bool) {
    let scale = if presentation {
        PRESENTATION_TEXT_SCALE
    } else {
        1.0
    };
    let base = egui::Style::default().text_styles;
    ctx.all_styles_mut(|style| {
        for (text_style, font) in style.text_styles.iter_mut() {
            if let Some(b) = base.get(text_style) {
                font.size = b.size * scale;
            }
        }
    });
}

/// How much larger the text is than egui's default (presentation mode: 1.3).
pub fn text_scale(ui: &egui::Ui) -> f32 {
    let base = egui::Style::default()
        .text_styles
        .get(&TextStyle::Body)
        .map_or(1.0, |f| f.size);
    TextStyle::Body.resolve(ui.style()).size / base
}

/// Height of a row in the data grid for the current text size.
pub fn grid_row_height(ui: &egui::Ui) -> f32 {
    ui.text_style_height(&TextStyle::Body) + GRID_ROW_PADDING
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_colours_read_from_hex() {
        assert_eq!(segment_colour(0), Color32::from_rgb(0x1F, 0x77, 0xB4));
        assert_eq!(segment_colour(3), Color32::from_rgb(0xD6, 0x27, 0x28));
        assert_eq!(segment_colour(11), Color32::from_rgb(0xAD, 0x49, 0x4A));
        assert_eq!(segment_colour(12), segment_colour(0));
    }
}
