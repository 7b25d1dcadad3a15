//! The Overview, the first screen: what is in the database as large cards, revenue and active
//! customers month by month, a data-health line, and the path through Tailor with each step's
//! latest result in one sentence (or "Not run yet" and a button to run or open it).

use egui::RichText;
use egui_plot::{Bar, BarChart, Line, PlotPoints};

use crate::app::data::{DataView, Health};
use crate::app::theme::{self, Palette};
use crate::app::widgets::cards::{CardStyle, card};
use crate::app::widgets::path::{DialogAnswer, SaveDialog, path_in};
use crate::app::widgets::plot::fixed_plot;
use crate::app::widgets::preamble::{Needs, PanelCx, spinner_label};
use crate::app::{Command, Panel};
use crate::data::quality::Severity;
use crate::format::{count, percent, thousands};
use crate::jobs::DataJob;
use crate::models::churn::run::ChurnParams;
use crate::models::segment::run::SegmentParams;
use crate::money::Money;
use crate::workspace::overview::{ACTIVE_DAYS, Overview, Step, StepStatus};

const NEEDS: Needs = Needs::database("Overview");

/// The Overview's cards: large, several to a row.
const CARD: CardStyle = CardStyle {
    margin: 10,
    min_width: 150.0,
    value_size: theme::HEADLINE_TEXT_SIZE,
    title_muted: true,
    note_small: true,
    note_muted: true,
};

/// Height of each month-by-month chart.
const CHART_HEIGHT: f32 = 190.0;

/// What the Overview draws under its charts: the data health line and the path through Tailor.
const ROOM_BELOW_CHARTS: f32 = 300.0;

/// Draws the panel.
pub fn overview_ui(ui: &mut egui::Ui, view: &mut DataView, cx: &mut PanelCx<'_>) {
    let Some(info) = cx.open(ui, &NEEDS) else {
        return;
    };
    if !view.overview_asked {
        view.overview_asked = true;
        cx.commands.push(Command::RunData(DataJob::Overview));
    }
    let palette = theme::palette(ui.ctx());
    ui.horizontal(|ui| {
        ui.heading("Overview");
        ui.label(
            RichText::new(crate::workspace::data::file_name(&info.path)).color(palette.muted_text),
        );
        if ui
            .add_enabled(!cx.busy, egui::Button::new("Export report…"))
            .on_hover_text(
                "One HTML file with the overview and every step's latest result, without \
                 personal data, to leave behind after a demo",
            )
            .clicked()
        {
            let stem = info
                .path
                .file_stem()
                .map_or("tailor".to_string(), |s| s.to_string_lossy().into_owned());
            view.report_dialog = Some(path_in(cx.export_folder, &format!("{stem}-report.html")));
        }
    });
    report_dialog_ui(ui.ctx(), view, cx.commands);
    let Some(overview) = view.overview.as_deref() else {
        spinner_label(ui, "Reading the database…");
        return;
    };
    egui::ScrollArea::vertical().show(ui, |ui| {
        cards_ui(ui, overview, info.currency.money, &palette);
        ui.add_space(theme::SECTION_SPACING);
        charts_ui(ui, overview, info.currency.money, &palette);
        ui.add_space(theme::SECTION_SPACING);
        health_ui(
            ui,
            view.health,
            view.quality.as_ref(),
            &palette,
            cx.commands,
        );
        ui.add_space(theme::SECTION_SPACING);
        path_ui(ui, &overview.steps, cx.busy, &palette, cx.commands);
    });
}

/// The Export report… dialog: the typed path with Browse…; the report is written on the worker.
fn report_dialog_ui(ctx: &egui::Context, view: &mut DataView, commands: &mut Vec<Command>) {
    let Some(text) = view.report_dialog.as_mut() else {
        return;
    };
    let answer = SaveDialog::new("Export report")
        .browse_for(&mut view.report_picker, &[("Web page", &["html"])])
        .extension("html")
        .show(ctx, text, |ui| {
            ui.label(
                "One HTML file to open in any browser: the overview, segments, recommendations, \
                 churn, lifetime value, the fairness audit and the latest campaign audience, \
                 from the latest stored results. It holds no personal data.",
            );
        });
    match answer {
        DialogAnswer::Confirmed(path) => {
            view.report_dialog = None;
            commands.push(Command::RunData(DataJob::Report(path)));
        }
        DialogAnswer::Cancelled => view.report_dialog = None,
        DialogAnswer::Open => {}
    }
}

/// What is in the database, as large cards sharing the width equally.
fn cards_ui(ui: &mut egui::Ui, o: &Overview, money: Money, palette: &Palette) {
    let mut cards: Vec<(&str, String, String)> =
        vec![("Customers", thousands(o.customers), String::new())];
    if let Some(active) = o.active_customers {
        let share = percent(active as f64 / o.customers.max(1) as f64);
        let note = format!("{share} bought in the last {ACTIVE_DAYS} days");
        cards.push(("Active customers", thousands(active), note));
    }
    if let Some(orders) = o.orders {
        cards.push(("Orders", thousands(orders), String::new()));
    }
    if let Some((revenue, what)) = &o.revenue {
        cards.push(("Revenue", money.compact(*revenue), what.clone()));
    }
    if let Some((first, last)) = &o.period {
        let months = count(o.months.len() as u64, "month", "months");
        cards.push(("Period", months, format!("{first} to {last}")));
    }
    if o.products > 0 {
        cards.push(("Products", thousands(o.products), String::new()));
    }
    ui.columns(cards.len(), |columns| {
        for (ui, (title, value, note)) in columns.iter_mut().zip(&cards) {
            let style = CardStyle {
                min_width: ui.available_width() - 2.0 * f32::from(CARD.margin) - 4.0,
                ..CARD
            };
            card(ui, &style, title, RichText::new(value), note, palette);
        }
    });
}

/// Revenue (bars) and active customers (a line), month by month, side by side.
fn charts_ui(ui: &mut egui::Ui, o: &Overview, money: Money, palette: &Palette) {
    if o.months.is_empty() {
        ui.label(
            RichText::new("No transactions: the month-by-month charts need a transactions table.")
                .color(palette.muted_text),
        );
        return;
    }
    let names: Vec<String> = o.months.iter().map(|m| m.month.clone()).collect();
    let label = move |i: f64| -> String {
        let k = i.round();
        if (i - k).abs() > 0.01 || k < 0.0 {
            return String::new();
        }
        names.get(k as usize).cloned().unwrap_or_default()
    };
    let width = (ui.available_width() - 16.0) / 2.0;
    // Taller on a large screen, leaving room for the data health line and the path below.
    let height =
        (ui.available_height() - ROOM_BELOW_CHARTS).clamp(CHART_HEIGHT, 2.0 * CHART_HEIGHT);
    ui.horizontal(|ui| {
        ui.vertical(|ui| {
            ui.strong(money.titled("Revenue by month"));
            let bars: Vec<Bar> = o
                .months
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    Bar::new(i as f64, m.revenue)
                        .width(0.8)
                        .name(&m.month)
                        .fill(theme::method_colour(0))
                })
                .collect();
            let chart =
                BarChart::new("Revenue", bars).element_formatter(Box::new(move |bar, _| {
                    format!("{}: {}", bar.name, money.whole(bar.value))
                }));
            let label = label.clone();
            fixed_plot("overview_revenue")
                .width(width)
                .height(height)
                .include_y(0.0)
                .x_axis_formatter(move |mark, _| label(mark.value))
                .y_axis_formatter(move |mark, _| money.whole(mark.value))
                .show(ui, |plot| plot.bar_chart(chart));
        });
        ui.vertical(|ui| {
            ui.strong("Active customers by month");
            let points: Vec<[f64; 2]> = o
                .months
                .iter()
                .enumerate()
                .map(|(i, m)| [i as f64, m.active as f64])
                .collect();
            fixed_plot("overview_active")
                .width(width)
                .height(height)
                .include_y(0.0)
                .x_axis_formatter(move |mark, _| label(mark.value))
                .y_axis_formatter(|mark, _| crate::format::thousands_i(mark.value.round() as i64))
                .show_x(false)
                .show_y(false)
                .show(ui, |plot| {
                    plot.line(
                        Line::new("Active customers", PlotPoints::from(points))
                            .color(theme::method_colour(2))
                            .width(2.0),
                    )
                });
        });
    });
}

/// The data-health line.
fn health_ui(
    ui: &mut egui::Ui,
    health: Health,
    report: Option<&crate::data::quality::QualityReport>,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.strong("Data health:");
        match (health, report) {
            (Health::Checking(_), _) => {
                ui.spinner();
                ui.label("checking…");
            }
            (Health::Stopped, None) => {
                ui.label(
                    RichText::new("the check stopped before it finished; run it from Data.")
                        .color(palette.notice_text),
                );
            }
            (_, Some(report)) => {
                let errors = report
                    .findings
                    .iter()
                    .filter(|f| f.severity == Severity::Error)
                    .count();
                let warnings = report
                    .findings
                    .iter()
                    .filter(|f| f.severity == Severity::Warning)
                    .count();
                let parts: Vec<String> = [
                    (errors, "error", "errors"),
                    (warnings, "warning", "warnings"),
                ]
                .into_iter()
                .filter(|(n, _, _)| *n > 0)
                .map(|(n, one, many)| count(n as u64, one, many))
                .collect();
                let text = if parts.is_empty() {
                    "no problems found.".to_string()
                } else {
                    format!("{} to look at.", parts.join(" and "))
                };
                let colour = if errors > 0 {
                    palette.severity_error
                } else {
                    ui.visuals().text_color()
                };
                ui.label(RichText::new(text).color(colour));
            }
            _ => {
                ui.label("not checked yet.");
            }
        }
        if ui.link("Data quality…").clicked() {
            commands.push(Command::ShowPanel(Panel::Data));
        }
    });
}

/// Each step of the path with its latest result, or "Not run yet" and a button.
fn path_ui(
    ui: &mut egui::Ui,
    steps: &[StepStatus],
    busy: bool,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    ui.strong("The path through Tailor");
    ui.add_space(4.0);
    egui::Grid::new("overview_path")
        .num_columns(3)
        .spacing([16.0, 8.0])
        .show(ui, |ui| {
            for (i, s) in steps.iter().enumerate() {
                let panel = panel_of(s.step);
                ui.label(RichText::new(format!("{}. {}", i + 1, panel.label())).strong());
                match &s.latest {
                    Some(sentence) => {
                        ui.label(sentence);
                        if ui.button("Open").clicked() {
                            commands.push(Command::ShowPanel(panel));
                        }
                    }
                    None => {
                        ui.label(RichText::new("Not run yet").color(palette.muted_text));
                        let run = run_command(s.step);
                        let text = if run.is_some() { "Run" } else { "Open" };
                        if ui
                            .add_enabled(!busy || run.is_none(), egui::Button::new(text))
                            .clicked()
                        {
                            commands.push(Command::ShowPanel(panel));
                            commands.extend(run);
                        }
                    }
                }
                ui.end_row();
            }
        });
}

/// The panel of a step.
fn panel_of(step: Step) -> Panel {
    match step {
        Step::Segments => Panel::Segments,
        Step::Recommendations => Panel::Recommendations,
        Step::Churn => Panel::ChurnValue,
        Step::Fairness => Panel::Fairness,
        Step::Campaigns => Panel::Campaigns,
    }
}

/// What "Run" does for a step that runs with its defaults (the others open their panel).
fn run_command(step: Step) -> Option<Command> {
    match step {
        Step::Segments => Some(Command::Segments(
            crate::app::segments::SegmentCommand::Run(SegmentParams::default()),
        )),
        Step::Churn => Some(Command::Churn(crate::app::churn::ChurnCommand::Run(
            ChurnParams::default(),
        ))),
        _ => None,
    }
}
