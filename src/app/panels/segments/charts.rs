//! The customers in two dimensions (the PCA scatter) and the k-selection charts.

use egui::RichText;
use egui_plot::{HoverPosition, Plot, PlotPoints, Points, VLine};

use super::feature_label;
use crate::app::segments::Shown;
use crate::app::theme::{self, Palette};
use crate::app::widgets::plot::{dotted_line, fixed_plot};
use crate::format::{percent, thousands};
use crate::workspace::segments::SegmentResult;
use crate::workspace::segments::number;

pub(super) fn scatter_ui(
    ui: &mut egui::Ui,
    shown: &Shown,
    height: f32,
    palette: &Palette,
) -> egui::Rect {
    let result = &shown.result;
    let run = &result.run;
    let n = run.labels.len();
    let p = &run.projection;
    // Wrapped, so a long note never widens the column and pushes the k charts off screen.
    ui.horizontal_wrapped(|ui| {
        ui.strong("Customers in two dimensions");
        let shown: f64 = p.explained.iter().take(2).sum();
        ui.label(
            RichText::new(format!(
                "colours as on the segment cards; the two axes hold {} of the differences",
                percent(shown)
            ))
            .color(palette.muted_text),
        );
        if result.scatter_points < n {
            ui.label(
                RichText::new(format!(
                    "a sample of {} of {}",
                    thousands(result.scatter_points as u64),
                    thousands(n as u64)
                ))
                .color(palette.muted_text),
            );
        }
    });
    let axis = |i: usize| {
        let explained = p.explained.get(i).copied().unwrap_or(0.0);
        let top = p.top_loading.get(i).map_or("", String::as_str);
        format!(
            "Axis {}: mostly {} ({})",
            i + 1,
            feature_label(top).to_lowercase(),
            percent(explained)
        )
    };
    let series = &shown.series;
    let hover = move |pos: &HoverPosition<'_>| -> Option<String> {
        let HoverPosition::NearDataPoint {
            plot_name, index, ..
        } = pos
        else {
            return None;
        };
        let s = series
            .iter()
            .find(|s| run.segment(s.segment).is_some_and(|p| p.name == *plot_name))?;
        let customer = *s.customers.get(*index)? as usize;
        let mut text = format!("{}\n{}", result.customer_ids.get(customer)?, plot_name);
        let raw = run.features.raw_row(customer);
        let parts: Vec<String> = result
            .rfm_features
            .iter()
            .zip(["Last purchase", "Purchases", "Spend"])
            .filter_map(|(j, label)| {
                let v = raw.get((*j)?)?;
                Some(match label {
                    "Last purchase" => format!("{label} {} days ago", number(v.round())),
                    _ => format!("{label} {}", number(*v)),
                })
            })
            .collect();
        if !parts.is_empty() {
            text.push('\n');
            text.push_str(&parts.join(" · "));
        }
        Some(text)
    };
    Plot::new("segment_scatter")
        .height((height - 30.0).max(120.0))
        .x_axis_label(RichText::new(axis(0)).small())
        .y_axis_label(RichText::new(axis(1)).small())
        .label_formatter(hover)
        .show(ui, |plot| {
            for s in series.iter() {
                let name = run.segment(s.segment).map_or("", |p| p.name.as_str());
                plot.points(
                    Points::new(name, PlotPoints::Borrowed(&s.points))
                        .color(theme::segment_colour(s.segment))
                        .radius(theme::SCATTER_POINT_RADIUS)
                        .filled(true),
                );
            }
        })
        .response
        .rect
}

pub(super) fn k_charts_ui(ui: &mut egui::Ui, result: &SegmentResult, height: f32) {
    let scores = &result.run.k_scores;
    let chosen = result.run.k as f64;
    let each = ((height - 50.0) / 2.0).max(60.0);
    let chart = |ui: &mut egui::Ui, id: &str, title: &str, y: &str, values: Vec<[f64; 2]>| {
        ui.strong(title);
        fixed_plot(id)
            .width(theme::K_CHART_WIDTH)
            .height(each)
            .x_axis_label("Number of segments (k)")
            .y_axis_label(y)
            .show(ui, |plot| {
                plot.vline(VLine::new("chosen k", chosen).color(egui::Color32::GRAY));
                dotted_line(plot, title, &values, theme::segment_colour(0));
            });
    };
    let silhouettes: Vec<[f64; 2]> = scores.iter().map(|s| [s.k as f64, s.silhouette]).collect();
    let inertias: Vec<[f64; 2]> = scores.iter().map(|s| [s.k as f64, s.inertia]).collect();
    chart(
        ui,
        "k_silhouette",
        "Silhouette by k",
        "Silhouette",
        silhouettes,
    );
    chart(ui, "k_inertia", "Inertia by k (elbow)", "Inertia", inertias);
}
