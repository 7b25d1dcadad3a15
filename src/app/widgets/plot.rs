//! Chart presets: plots that stay as drawn, category axes, percent axes and legend swatches.

use egui::Color32;
use egui_plot::{AxisHints, GridInput, GridMark, Line, Plot, PlotPoints, PlotUi, Points};

use crate::app::theme;

/// A plot that stays as drawn: no zoom, drag, scroll or double-click reset.
pub fn fixed_plot<'a>(id: impl egui::AsIdSalt) -> Plot<'a> {
    Plot::new(id)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
}

/// Grid marks at 0, 1, … `n` − 1: one a category.
pub fn category_marks(n: usize) -> impl Fn(GridInput) -> Vec<GridMark> {
    move |_| {
        (0..n)
            .map(|i| GridMark {
                value: i as f64,
                step_size: 1.0,
            })
            .collect()
    }
}

/// `axis` naming the category at each whole position: `names[i]` at `i`, or at the other end
/// when `reversed` (so the first is on top of a horizontal chart); nothing elsewhere.
pub fn category_axis<'a>(axis: AxisHints<'a>, names: Vec<String>, reversed: bool) -> AxisHints<'a> {
    let n = names.len();
    axis.formatter(move |mark, _| {
        let r = mark.value.round();
        if (mark.value - r).abs() > 1e-6 || r < 0.0 || r as usize >= n {
            return String::new();
        }
        let i = if reversed {
            n - 1 - r as usize
        } else {
            r as usize
        };
        names.get(i).cloned().unwrap_or_default()
    })
}

/// A y axis in whole percent: 0.25 → "25%".
pub fn percent_axis<'a>() -> AxisHints<'a> {
    AxisHints::new_y().formatter(|mark, _| format!("{:.0}%", mark.value * 100.0))
}

/// A legend's colour square.
pub fn swatch(ui: &mut egui::Ui, colour: Color32) {
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(theme::LEGEND_SWATCH, theme::LEGEND_SWATCH),
        egui::Sense::hover(),
    );
    ui.painter().rect_filled(rect, 2.0, colour);
}

/// A segment's colour dot before its name.
pub fn dot(ui: &mut egui::Ui, colour: Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), 6.0, colour);
}

/// A plot for horizontal bars, one row per category in `names` (the first on top), the names on
/// the y axis in at least `axis_width` points, grid lines along the values only.
pub fn category_rows_plot<'a>(
    id: impl egui::AsIdSalt,
    names: Vec<String>,
    axis_width: f32,
) -> Plot<'a> {
    let n = names.len();
    fixed_plot(id)
        .show_grid([true, false])
        .include_y(-0.6)
        .include_y(n as f64 - 0.4)
        .y_grid_spacer(category_marks(n))
        .custom_y_axes(vec![
            category_axis(AxisHints::new_y(), names, true)
                .label_spacing(8.0..=10.0)
                .min_thickness(axis_width),
        ])
}

/// The width a category axis needs for `names` in the body text (which grows with presentation
/// mode), at most `max`: so its labels are never hidden for want of room.
pub fn names_width(ui: &egui::Ui, names: &[String], max: f32) -> f32 {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let widest = names
        .iter()
        .map(|n| {
            ui.painter()
                .layout_no_wrap(n.clone(), font.clone(), Color32::WHITE)
                .size()
                .x
        })
        .fold(0.0_f32, f32::max);
    (widest + 12.0).min(max)
}

/// A line through `points` with a dot on each, both named `name` and drawn in `colour`.
pub fn dotted_line(plot: &mut PlotUi<'_>, name: &str, points: &[[f64; 2]], colour: Color32) {
    plot.line(Line::new(name, PlotPoints::from(points.to_vec())).color(colour));
    plot.points(
        Points::new(name, PlotPoints::from(points.to_vec()))
            .radius(3.0)
            .color(colour),
    );
}
