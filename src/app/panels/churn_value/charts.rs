//! The churn model's charts: ROC, precision-recall, calibration, cumulative gains and feature
//! importance.

use egui::{Color32, RichText};
use egui_plot::{Legend, Line, Plot, PlotPoints, PlotUi};

use super::CHART_HEIGHT;
use crate::app::theme;
use crate::app::widgets::plot::{dotted_line, fixed_plot, swatch};
use crate::format::percent;
use crate::models::churn::run::ModelKind;
use crate::workspace::churn::ChurnView;

fn small_plot(id: &str, width: f32) -> Plot<'static> {
    fixed_plot(id.to_string())
        .width(width)
        .height(CHART_HEIGHT)
        .include_x(0.0)
        .include_x(1.0)
        .include_y(0.0)
        .include_y(1.0)
}

fn diagonal() -> Line<'static> {
    Line::new("chance", PlotPoints::from(vec![[0.0, 0.0], [1.0, 1.0]]))
        .color(Color32::GRAY)
        .style(egui_plot::LineStyle::dashed_loose())
}

/// A curve named `name` through `points`, against the diagonal (chance).
fn curve(p: &mut PlotUi<'_>, name: &str, points: &[[f64; 2]]) {
    p.line(diagonal());
    p.line(Line::new(name, PlotPoints::from(points.to_vec())));
}

pub(super) fn chart_box(
    ui: &mut egui::Ui,
    title: &str,
    width: f32,
    add: impl FnOnce(&mut egui::Ui),
) {
    ui.vertical(|ui| {
        ui.set_width(width);
        ui.strong(title);
        add(ui);
    });
}

pub(super) fn charts_ui(ui: &mut egui::Ui, churn: &ChurnView) {
    let gap = ui.spacing().item_spacing.x;
    let width = ((ui.available_width() - 2.0 * gap - 4.0) / 3.0).max(200.0);
    ui.horizontal_top(|ui| {
        chart_box(ui, "ROC curve", width, |ui| {
            small_plot("churn_roc", width)
                .x_axis_label("False positive rate")
                .y_axis_label("True positive rate")
                .show(ui, |p| curve(p, "ROC", &churn.roc));
        });
        chart_box(ui, "Precision-recall", width, |ui| {
            small_plot("churn_pr", width)
                .x_axis_label("Recall")
                .y_axis_label("Precision")
                .show(ui, |p| {
                    p.line(
                        Line::new(
                            "base rate",
                            PlotPoints::from(vec![
                                [0.0, churn.metrics.base_rate],
                                [1.0, churn.metrics.base_rate],
                            ]),
                        )
                        .color(Color32::GRAY)
                        .style(egui_plot::LineStyle::dashed_loose()),
                    );
                    p.line(Line::new("PR", PlotPoints::from(churn.pr.clone())));
                });
        });
        chart_box(ui, "Calibration (reliability)", width, |ui| {
            small_plot("churn_reliability", width)
                .legend(Legend::default().position(egui_plot::Corner::LeftTop))
                .x_axis_label("Predicted risk")
                .y_axis_label("Share that churned")
                .show(ui, |p| {
                    p.line(diagonal().name("Perfectly calibrated"));
                    dotted_line(
                        p,
                        "Before calibration",
                        &churn.reliability,
                        theme::BASELINE_COLOUR,
                    );
                    dotted_line(
                        p,
                        "After calibration",
                        &churn.reliability_calibrated,
                        theme::RAISES_RISK_COLOUR,
                    );
                });
        });
    });
    ui.add_space(theme::SECTION_SPACING);
    ui.horizontal_top(|ui| {
        chart_box(ui, "Cumulative gains", width, |ui| {
            ui.label(format!(
                "The riskiest 10% hold {} of churners.",
                percent(churn.top_decile_share)
            ));
            small_plot("churn_gains", width)
                .x_axis_label("Share of customers targeted")
                .y_axis_label("Share of churners")
                .show(ui, |p| curve(p, "gains", &churn.gains));
        });
        let wide = 2.0 * width + gap;
        chart_box(ui, "Feature importance", wide, |ui| {
            importance_ui(ui, churn, wide);
        });
    });
}

/// A model column's name for people; behaviour measures read as in the Segments panel ("Days
/// since last purchase").
fn importance_name(name: &str) -> String {
    crate::app::panels::segments::behaviour_label(name)
        .unwrap_or_else(|| crate::models::churn::reasons::pretty_name(name))
}

fn importance_ui(ui: &mut egui::Ui, churn: &ChurnView, width: f32) {
    let max = churn
        .importance
        .iter()
        .map(|(_, w)| w.abs())
        .fold(0.0_f64, f64::max)
        .max(1e-12);
    let names: Vec<String> = churn
        .importance
        .iter()
        .map(|(n, _)| importance_name(n))
        .collect();
    let name_width = crate::app::widgets::plot::names_width(ui, &names, width * 0.45);
    let bar_space = (width - name_width - 70.0).max(60.0);
    let signed = churn.params.model == ModelKind::Logistic;
    let neutral = ui.visuals().selection.bg_fill;
    let colour = |w: f64| match (signed, w > 0.0) {
        (false, _) => neutral,
        (true, true) => theme::RAISES_RISK_COLOUR,
        (true, false) => theme::LOWERS_RISK_COLOUR,
    };
    egui::Grid::new("churn_importance")
        .num_columns(3)
        .spacing([8.0, 3.0])
        .show(ui, |ui| {
            for ((name, w), pretty) in churn.importance.iter().zip(names) {
                ui.add_sized(
                    [name_width, ui.spacing().interact_size.y],
                    egui::Label::new(pretty).truncate(),
                )
                .on_hover_text(name);
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(bar_space, 12.0), egui::Sense::hover());
                let len = (w.abs() / max) as f32 * rect.width();
                ui.painter().rect_filled(
                    egui::Rect::from_min_size(rect.min, egui::vec2(len.max(1.0), rect.height())),
                    2.0,
                    colour(*w),
                );
                let value = if signed {
                    format!("{w:+.3}")
                } else {
                    format!("{:.3}", w.abs())
                };
                ui.label(RichText::new(value).small());
                ui.end_row();
            }
        });
    if signed {
        ui.horizontal(|ui| {
            swatch(ui, theme::RAISES_RISK_COLOUR);
            ui.label(RichText::new("raises churn risk").small());
            ui.add_space(8.0);
            swatch(ui, theme::LOWERS_RISK_COLOUR);
            ui.label(RichText::new("lowers churn risk").small());
            ui.add_space(8.0);
            ui.label(
                RichText::new(
                    "bar length: how strongly it moves the risk (standardized coefficient)",
                )
                .small(),
            );
        });
    } else {
        ui.label(
            RichText::new("impurity importance (a forest's importance has no direction)").small(),
        );
    }
}
