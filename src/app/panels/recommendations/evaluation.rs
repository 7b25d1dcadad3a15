//! The Evaluation tab: every method's hit rate, precision, recall, NDCG and catalogue coverage
//! on each customer's hidden last product, as a table and two grouped bar charts against
//! popularity, the baseline.

use egui::RichText;
use egui_plot::{AxisHints, Bar, BarChart};

use super::method_index;
use crate::app::Command;
use crate::app::recommend::{RecCommand, RecommendView, command};
use crate::app::theme::{self, Palette};
use crate::app::widgets::plot::{category_axis, category_marks, fixed_plot, percent_axis, swatch};
use crate::app::widgets::table::grid_titles;
use crate::format::{percent, thousands};
use crate::models::recommend::evaluate::{MethodMetrics, Metrics, Report};
use crate::models::recommend::methods::RecMethod;

pub(super) fn evaluation_tab_ui(
    ui: &mut egui::Ui,
    view: &mut RecommendView,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    let running = view.evaluation_job.is_some();
    ui.horizontal_wrapped(|ui| {
        if ui
            .add_enabled(!running, egui::Button::new("Run evaluation"))
            .clicked()
        {
            commands.push(command(RecCommand::Evaluate));
        }
        if running {
            ui.spinner();
            ui.label("Evaluating every method…");
        }
    });
    ui.label(
        RichText::new(format!(
            "Each customer's last product is hidden; every method learns from the rest and \
             suggests {} products; a hit is when the hidden one is among them. Popular is the \
             baseline to beat.",
            crate::workspace::recommend::EVALUATION_K
        ))
        .color(palette.muted_text),
    );
    ui.separator();
    let Some(report) = view.report.clone() else {
        if !running {
            ui.label("Press Run evaluation to compare the methods (it takes a few seconds).");
        }
        return;
    };
    let report = &report;
    if let Some(headline) = report.headline() {
        ui.label(RichText::new(headline).strong());
    }
    ui.label(format!(
        "At k = {} on {} customers with at least two products",
        report.k,
        thousands(report.users as u64)
    ));
    if let Some(tuning) = &report.tuning {
        ui.label(RichText::new(tuning.describe()).color(palette.muted_text));
    }
    ui.add_space(4.0);
    egui::Grid::new("rec_eval_table")
        .striped(true)
        .num_columns(6)
        .spacing([24.0, 4.0])
        .show(ui, |ui| {
            let titles = [
                "Method",
                "Hit rate",
                "Precision",
                "Recall",
                "NDCG",
                "Catalogue coverage",
            ];
            grid_titles(ui, &titles);
            for m in &report.methods {
                let name = ui.label(method_name(report, m));
                if let Some(note) = &m.note
                    && m.available
                {
                    name.on_hover_text(note);
                }
                if !m.available {
                    // Its figures are popularity's: not shown as its own.
                    ui.label(
                        RichText::new(m.note.as_deref().unwrap_or("not available"))
                            .color(palette.muted_text),
                    );
                    ui.end_row();
                    continue;
                }
                let x = &m.metrics;
                ui.label(percent(x.hit_rate));
                ui.label(percent(x.precision));
                ui.label(percent(x.recall));
                ui.label(format!("{:.3}", x.ndcg));
                ui.label(percent(x.coverage));
                ui.end_row();
            }
        });
    ui.add_space(theme::SECTION_SPACING);
    ui.horizontal(|ui| {
        ui.strong("Every method against popularity");
        view.evaluation_png
            .controls(ui, palette, || "recommendation-evaluation.png".to_string());
    });
    let left_out: Vec<&str> = report
        .methods
        .iter()
        .filter(|m| !m.available)
        .map(|m| m.method.label())
        .collect();
    if !left_out.is_empty() {
        ui.label(
            RichText::new(format!(
                "Not charted (not available on this data): {}",
                left_out.join(", ")
            ))
            .color(palette.muted_text),
        );
    }
    // The legend and both charts, as one image.
    view.evaluation_png
        .capture(ui, |ui| evaluation_chart_ui(ui, report));
    let _ = view.evaluation_png.ui(ui.ctx(), "Save chart as PNG");
}

/// A metric's name and how to read it from the metrics.
type MetricColumn = (&'static str, fn(&Metrics) -> f64);

/// The accuracy metrics, charted together.
const ACCURACY: [MetricColumn; 4] = [
    ("Hit rate", |m| m.hit_rate),
    ("Precision", |m| m.precision),
    ("Recall", |m| m.recall),
    ("NDCG", |m| m.ndcg),
];

/// Catalogue coverage, charted apart (it is on another scale).
const COVERAGE: [MetricColumn; 1] = [("Catalogue coverage", |m| m.coverage)];

/// A method's name in the evaluation table and charts: popularity is the baseline, the hybrid
/// says whose weights it blends (tuned, or the Customer tab's).
fn method_name(report: &Report, m: &MethodMetrics) -> String {
    match m.method {
        RecMethod::Popular => format!("{} (baseline)", m.method.label()),
        RecMethod::Hybrid => report.hybrid_name(),
        other => other.label().to_string(),
    }
}

/// The methods charted: those the data supports (the others would copy popularity's bars).
fn charted(report: &Report) -> Vec<&MethodMetrics> {
    report.methods.iter().filter(|m| m.available).collect()
}

/// Two grouped bar charts (accuracy, coverage): one group per metric, one bar per available
/// method, popularity in grey as the baseline.
fn evaluation_chart_ui(ui: &mut egui::Ui, report: &Report) {
    ui.horizontal_wrapped(|ui| {
        for mm in charted(report) {
            let (colour, label) = method_style(report, mm);
            swatch(ui, colour);
            ui.label(label);
            ui.add_space(8.0);
        }
    });
    let height = (ui.available_height() - 8.0).max(180.0);
    let width = ui.available_width();
    ui.horizontal(|ui| {
        grouped_chart_ui(
            ui,
            "rec_eval_accuracy",
            report,
            &ACCURACY,
            width * 0.68,
            height,
        );
        grouped_chart_ui(
            ui,
            "rec_eval_coverage",
            report,
            &COVERAGE,
            width * 0.3,
            height,
        );
    });
}

/// A method's colour and name in the evaluation charts (popularity grey, the baseline).
fn method_style(report: &Report, m: &MethodMetrics) -> (egui::Color32, String) {
    let colour = if m.method == RecMethod::Popular {
        theme::BASELINE_COLOUR
    } else {
        theme::method_colour(method_index(m.method))
    };
    (colour, method_name(report, m))
}

fn grouped_chart_ui(
    ui: &mut egui::Ui,
    id: &str,
    report: &Report,
    metrics: &'static [MetricColumn],
    width: f32,
    height: f32,
) {
    let shown = charted(report);
    let m = shown.len().max(1);
    let bar_width = 0.8 / m as f64;
    let mut charts = Vec::new();
    for (j, mm) in shown.into_iter().enumerate() {
        let (colour, label) = method_style(report, mm);
        let bars: Vec<Bar> = metrics
            .iter()
            .enumerate()
            .map(|(g, (name, value))| {
                Bar::new(
                    g as f64 - 0.4 + bar_width * (j as f64 + 0.5),
                    value(&mm.metrics),
                )
                .width(bar_width * 0.9)
                .name(*name)
                .fill(colour)
                .stroke(egui::Stroke::NONE)
            })
            .collect();
        let method = label.clone();
        charts.push(
            BarChart::new(label, bars)
                .color(colour)
                .element_formatter(Box::new(move |bar, _| {
                    let value = if bar.name == "NDCG" {
                        format!("{:.3}", bar.value)
                    } else {
                        percent(bar.value)
                    };
                    format!("{method}\n{}: {value}", bar.name)
                })),
        );
    }
    let n = metrics.len();
    let names = metrics.iter().map(|(name, _)| name.to_string()).collect();
    fixed_plot(id)
        .width(width)
        .height(height)
        .include_y(0.0)
        .include_x(-0.5)
        .include_x(n as f64 - 0.5)
        .show_grid([false, true])
        .x_grid_spacer(category_marks(n))
        .custom_x_axes(vec![category_axis(AxisHints::new_x(), names, false)])
        .custom_y_axes(vec![percent_axis()])
        .show(ui, |plot| {
            for c in charts {
                plot.bar_chart(c);
            }
        });
}
