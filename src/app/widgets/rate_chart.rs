//! The selection-rate chart the Fairness and Campaigns panels share: each group's rate as a bar
//! with its 95% whisker, against the four-fifths band.

use egui::RichText;
use egui_plot::{Bar, BarChart, HLine, Line, PlotPoints, PlotTransform, Polygon};

use crate::app::theme::{self, Palette};
use crate::app::widgets::plot::{category_marks, fixed_plot, percent_axis};
use crate::format::percent;
use crate::models::fairness::audit::{FOUR_FIFTHS, GroupRates, chart_groups};

/// Groups drawn as bars: the largest seven, the rest pooled as "Other".
const CHART_GROUPS: usize = 7;

/// Said where small groups are left out of the comparison.
pub const NOT_COMPARED_NOTE: &str = "groups under 30 customers not compared";

/// Each group's selection rate as a bar with its 95% whisker, against the four-fifths band (from
/// 0.8 × the highest compared rate up to it). Bars below the band are red; groups in
/// `not_compared` (too small to judge) are grey and do not set the band. Shared by the Fairness
/// panel and the Campaigns panel's audience fairness; `id` keeps plots apart, `size` is
/// [width, height] in points.
pub fn rates_chart_ui(
    ui: &mut egui::Ui,
    id: &str,
    groups: &[GroupRates],
    not_compared: &[String],
    size: [f32; 2],
    palette: &Palette,
) {
    let [width, height] = size;
    let all = groups;
    let groups = &chart_groups(all, CHART_GROUPS)[..];
    let n = groups.len();
    let is_compared = |g: &GroupRates| !not_compared.contains(&g.group);
    // "Other" pools the groups not drawn: it is judged only when every one of them is.
    let drawn = |g: &GroupRates| {
        groups[..n.min(CHART_GROUPS)]
            .iter()
            .any(|d| d.group == g.group)
    };
    let other_compared = all.iter().filter(|g| !drawn(g)).all(is_compared);
    let compared = |g: &GroupRates| {
        if n < all.len() && std::ptr::eq(g, &groups[n - 1]) {
            other_compared
        } else {
            is_compared(g)
        }
    };
    // The band is set by the groups the headline compares, as there.
    let max = all
        .iter()
        .filter(|g| is_compared(g))
        .map(|g| g.selection_rate)
        .fold(0.0, f64::max);
    let band = FOUR_FIFTHS * max;
    let bar_colour = theme::segment_colour(0);
    let bars: Vec<Bar> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let fill = if !compared(g) {
                palette.muted_text.gamma_multiply(0.6)
            } else if g.selection_rate < band {
                palette.severity_error.gamma_multiply(0.8)
            } else {
                bar_colour
            };
            Bar::new(i as f64, g.selection_rate)
                .width(0.6)
                .name(&g.group)
                .fill(fill)
                .stroke(egui::Stroke::NONE)
        })
        .collect();
    let names: Vec<String> = groups.iter().map(|g| g.group.clone()).collect();
    let intervals: Vec<(f64, f64)> = groups.iter().map(|g| (g.ci_low, g.ci_high)).collect();
    let top_rate = groups.iter().map(|g| g.selection_rate).fold(max, f64::max);
    let chart = BarChart::new("Selection rate", bars).element_formatter(Box::new(move |bar, _| {
        format!("{}\nselection rate {}", bar.name, percent(bar.value))
    }));
    let whisker_colour = ui.visuals().strong_text_color();
    let top = intervals
        .iter()
        .map(|(_, h)| *h)
        .filter(|h| h.is_finite())
        .fold(top_rate, f64::max);
    let response = fixed_plot(id)
        .width(width)
        .height(height)
        .include_y(0.0)
        .include_y(top * 1.1 + 1e-3)
        .include_x(-0.6)
        .include_x(n as f64 - 0.4)
        .show_grid([false, true])
        .x_grid_spacer(category_marks(n))
        // The bars' names are written under the plot (see `names_under_bars`).
        .custom_x_axes(Vec::new())
        .custom_y_axes(vec![percent_axis()])
        .show(ui, |plot| {
            if max > 0.0 {
                let x0 = -0.6;
                let x1 = n as f64 - 0.4;
                plot.polygon(
                    Polygon::new(
                        "Four-fifths band",
                        PlotPoints::from(vec![[x0, band], [x1, band], [x1, max], [x0, max]]),
                    )
                    .fill_color(palette.severity_info.gamma_multiply(0.3))
                    .stroke(egui::Stroke::NONE),
                );
            }
            plot.bar_chart(chart);
            if max > 0.0 {
                plot.hline(
                    HLine::new(format!("{FOUR_FIFTHS} × highest rate"), band)
                        .color(palette.severity_error)
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
            for (i, (lo, hi)) in intervals.iter().enumerate() {
                if !(lo.is_finite() && hi.is_finite()) {
                    continue;
                }
                let x = i as f64;
                for seg in [
                    vec![[x, *lo], [x, *hi]],
                    vec![[x - 0.1, *lo], [x + 0.1, *lo]],
                    vec![[x - 0.1, *hi], [x + 0.1, *hi]],
                ] {
                    plot.line(
                        Line::new("95% interval", PlotPoints::from(seg))
                            .color(whisker_colour)
                            .width(1.5),
                    );
                }
            }
        });
    names_under_bars(ui, &response.transform, &names, width);
    let mut caption = format!(
        "Shaded: from {FOUR_FIFTHS} × the highest rate up to it; dashed line: the four-fifths guideline. Red bars fall below it."
    );
    if !not_compared.is_empty() {
        caption.push_str(" Grey bars: groups under 30 customers, not compared.");
    }
    ui.add(egui::Label::new(RichText::new(caption).small()).wrap());
}

/// Each bar's name centred under it, shortened to its slot ("65 and over" to "65+", then cut
/// with "…") so neighbours never overlap. egui_plot's own axis leaves out labels it finds too
/// close together, which left most of eight bars unnamed; hovering a bar names it in full.
fn names_under_bars(ui: &mut egui::Ui, transform: &PlotTransform, names: &[String], width: f32) {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let colour = ui.visuals().text_color();
    let (rect, _) =
        ui.allocate_exact_size(egui::vec2(width, font.size * 1.4), egui::Sense::hover());
    let slot =
        (transform.position_from_point_x(1.0) - transform.position_from_point_x(0.0)).abs() - 12.0;
    let painter = ui.painter();
    for (i, name) in names.iter().enumerate() {
        let mut chars = name.chars().count();
        let galley = loop {
            let galley = painter.layout_no_wrap(axis_label(name, chars), font.clone(), colour);
            if galley.size().x <= slot || chars <= 2 {
                break galley;
            }
            chars -= 1;
        };
        let x = transform.position_from_point_x(i as f64) - galley.size().x / 2.0;
        painter.galley(egui::pos2(x, rect.top()), galley, colour);
    }
}

/// A bar's axis label in at most `max_chars` characters: bands written compactly
/// ("under 25" → "<25", "65 and over" → "65+"), then cut with "…".
fn axis_label(name: &str, max_chars: usize) -> String {
    if name.chars().count() <= max_chars {
        return name.to_string();
    }
    let short = if let Some(rest) = name.strip_suffix(" and over") {
        format!("{rest}+")
    } else if let Some(rest) = name.strip_prefix("under ") {
        format!("<{rest}")
    } else if let Some(rest) = name.strip_prefix("up to ") {
        format!("≤{rest}")
    } else if let Some(rest) = name.strip_prefix("over ") {
        format!(">{rest}")
    } else {
        name.to_string()
    };
    if short.chars().count() <= max_chars {
        return short;
    }
    let mut cut: String = short.chars().take(max_chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    #[test]
    fn axis_labels_fit_their_slot() {
        assert_eq!(super::axis_label("F", 4), "F");
        assert_eq!(super::axis_label("65 and over", 5), "65+");
        assert_eq!(super::axis_label("under 25", 5), "<25");
        assert_eq!(super::axis_label("Month-to-month", 6), "Month…");
    }
}
