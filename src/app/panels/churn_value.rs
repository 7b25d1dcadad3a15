//! Churn & value: who is about to leave and why (cross-validated churn model, its charts, a
//! threshold with the offer's cost and benefit), what each customer is worth (BG/NBD +
//! Gamma-Gamma), one customer's drill-down and the target list to export.

use egui::{Align, Color32, Layout, RichText};
use egui_extras::{Column, TableBuilder};
use egui_plot::{Legend, Line, Plot, PlotPoints, Points};

use crate::app::churn::{ChurnCommand, ChurnPanelView, FOLD_RANGE, command};
use crate::app::file_picker::{PickKind, table_save_dialog};
use crate::app::panels::dialogs::typed_path;
use crate::app::theme::{self, Palette};
use crate::app::{Command, DbView};
use crate::data::{Role, TableKind};
use crate::format::{percent, thousands};
use crate::models::churn::run::ModelKind;
use crate::models::clv::summary::TimeUnit;
use crate::workspace::churn::{ChurnView, ClvView, TargetList, TargetRow, threshold_percent};

/// Shown when the data has no transactions (Telco-like tables).
pub const NO_CLV: &str = "Lifetime value needs a transactions table with purchase dates and \
     amounts; this database has none, so only churn risk is shown.";

/// Height of each chart.
const CHART_HEIGHT: f32 = 210.0;
/// Height of the target list.
const TARGET_LIST_HEIGHT: f32 = 300.0;
/// Width of the drill-down column beside the target list.
const DRILL_WIDTH: f32 = 340.0;

/// Draws the panel.
pub fn churn_value_ui(
    ui: &mut egui::Ui,
    db: &DbView,
    view: &mut ChurnPanelView,
    busy: bool,
    commands: &mut Vec<Command>,
) {
    let palette = theme::palette(ui.ctx());
    let info = match db {
        DbView::Starting => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Opening the database…");
            });
            return;
        }
        DbView::Empty => {
            ui.heading("Churn & value");
            ui.add_space(theme::SECTION_SPACING);
            ui.label("Open or import a database first: use Open… or Import… at the top.");
            return;
        }
        DbView::Open(info) => info,
    };
    let has_transactions = info
        .tables
        .iter()
        .any(|t| t.kind == TableKind::Transactions && t.rows > 0);
    let label_column = info
        .tables
        .iter()
        .filter(|t| t.kind == TableKind::Customers)
        .flat_map(|t| t.columns.iter())
        .find(|c| c.role == Role::Label || c.name.eq_ignore_ascii_case("churned"))
        .map(|c| c.name.clone());
    if view.label_text.is_empty() {
        view.label_text = label_column
            .clone()
            .unwrap_or_else(|| "inactive:90".to_string());
    }

    ui.horizontal_wrapped(|ui| {
        ui.heading("Churn & value");
        ui.add_space(theme::SECTION_SPACING);
        controls_ui(ui, view, busy, &palette, commands);
    });
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("churn_scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            match view.churn.clone() {
                None => {
                    ui.label(if view.churn_job.is_some() {
                        "Fitting the churn model with cross-validation…"
                    } else {
                        "Press Run to predict who is about to leave. The label is a churned \
                         column, or inactive:DAYS (no purchase in the last DAYS days)."
                    });
                }
                Some(churn) => {
                    metrics_ui(ui, &churn, &palette);
                    ui.add_space(theme::SECTION_SPACING);
                    charts_ui(ui, &churn);
                    ui.add_space(theme::SECTION_SPACING);
                    threshold_ui(ui, view, &churn);
                }
            }
            ui.add_space(theme::SECTION_SPACING);
            ui.separator();
            clv_ui(ui, view, has_transactions, &palette, commands);
            if view.targets.as_ref().is_some_and(|t| !t.rows.is_empty()) {
                ui.add_space(theme::SECTION_SPACING);
                ui.separator();
                targets_ui(ui, view, info.path.parent(), has_transactions, &palette);
            }
        });
    export_dialog_ui(ui.ctx(), view, commands);
}

fn controls_ui(
    ui: &mut egui::Ui,
    view: &mut ChurnPanelView,
    busy: bool,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    ui.label("Label");
    ui.add(
        egui::TextEdit::singleline(&mut view.label_text)
            .hint_text("churned or inactive:90")
            .desired_width(120.0),
    )
    .on_hover_text("A churned column, or inactive:DAYS: no purchase in the DAYS after a cutoff");
    ui.label("Model");
    egui::ComboBox::from_id_salt("churn_model")
        .selected_text(model_label(view.model))
        .show_ui(ui, |ui| {
            for m in [ModelKind::Logistic, ModelKind::Forest] {
                ui.selectable_value(&mut view.model, m, model_label(m));
            }
        });
    ui.label("Folds");
    ui.add(egui::DragValue::new(&mut view.folds).range(FOLD_RANGE));
    ui.label("Seed");
    ui.add(egui::DragValue::new(&mut view.seed));
    let running = view.churn_job.is_some();
    let params = view.params();
    let run = ui.add_enabled(!running && params.is_ok(), egui::Button::new("Run"));
    if run.clicked()
        && let Ok(p) = params.clone()
    {
        commands.push(command(ChurnCommand::Run(p)));
    }
    if running {
        ui.spinner();
    } else if busy && view.churn.is_none() {
        ui.label(RichText::new("Another job is running").color(palette.muted_text));
    }
    if let Err(why) = params {
        ui.label(RichText::new(why).color(palette.error_text));
    }
}

fn model_label(m: ModelKind) -> &'static str {
    match m {
        ModelKind::Logistic => "Logistic regression",
        ModelKind::Forest => "Random forest",
    }
}

fn card(ui: &mut egui::Ui, title: &str, value: &str, note: &str, palette: &Palette) {
    egui::Frame::group(ui.style())
        .inner_margin(8.0)
        .show(ui, |ui| {
            ui.set_min_width(130.0);
            ui.vertical(|ui| {
                ui.label(RichText::new(title).color(palette.muted_text));
                ui.label(RichText::new(value).size(22.0).strong());
                if !note.is_empty() {
                    ui.label(RichText::new(note).small().color(palette.muted_text));
                }
            });
        });
}

fn metrics_ui(ui: &mut egui::Ui, churn: &ChurnView, palette: &Palette) {
    if !churn.leakage.is_empty() {
        egui::Frame::new()
            .fill(palette.error_fill)
            .inner_margin(8.0)
            .corner_radius(4.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(
                    RichText::new("Possible leakage")
                        .strong()
                        .color(palette.error_text),
                );
                for f in &churn.leakage {
                    ui.label(
                        RichText::new(format!(
                            "{} alone predicts the label with AUC {:.3}: it may be recorded \
                             after the customer left. Consider setting its role to ignore.",
                            f.feature, f.auc
                        ))
                        .color(palette.error_text),
                    );
                }
            });
        ui.add_space(6.0);
    }
    let m = &churn.metrics;
    let label = &churn.label;
    let label_text = match (&label.column, label.days) {
        (Some(c), _) => format!("label: column {c}"),
        (None, Some(d)) => format!(
            "label: no purchase in {d} days after {}",
            label.cutoff.as_deref().unwrap_or("the cutoff")
        ),
        _ => format!("label: {}", label.kind),
    };
    ui.label(
        RichText::new(format!(
            "{} · {} folds · {} customers, {} churned ({}) · {} model columns · {}",
            model_label(churn.params.model),
            churn.params.folds,
            thousands(label.customers as u64),
            thousands(label.churned as u64),
            percent(m.base_rate),
            churn.n_features,
            label_text
        ))
        .color(palette.muted_text),
    );
    ui.horizontal_wrapped(|ui| {
        card(
            ui,
            "ROC AUC",
            &format!("{:.3} ± {:.3}", m.auc, m.auc_std),
            "mean ± sd over folds",
            palette,
        );
        card(
            ui,
            "PR AUC",
            &format!("{:.3}", m.pr_auc),
            &format!("base rate {}", percent(m.base_rate)),
            palette,
        );
        card(
            ui,
            "Brier score",
            &format!("{:.3} to {:.3}", m.brier, m.brier_calibrated),
            "before to after calibration",
            palette,
        );
        card(
            ui,
            "Log loss",
            &format!("{:.3} to {:.3}", m.log_loss, m.log_loss_calibrated),
            "before to after calibration",
            palette,
        );
        card(
            ui,
            "Leakage flags",
            &churn.leakage.len().to_string(),
            "columns that alone predict the label",
            palette,
        );
    });
    inputs_ui(ui, churn, palette);
    folds_ui(ui, churn);
}

/// What happened to the inputs: blanks filled and columns left out, one line each.
fn inputs_ui(ui: &mut egui::Ui, churn: &ChurnView, palette: &Palette) {
    if !churn.imputed.is_empty() {
        let parts: Vec<String> = churn
            .imputed
            .iter()
            .map(|i| {
                format!(
                    "{} {} ({})",
                    i.column,
                    thousands(i.blanks as u64),
                    if i.value.is_some() {
                        "median"
                    } else {
                        "own blank category"
                    }
                )
            })
            .collect();
        ui.label(
            RichText::new(format!("Blanks filled {}", parts.join(", "))).color(palette.muted_text),
        )
        .on_hover_text(
            "Blank numbers get the column's median and a blank indicator column; blank \
             categories get a category of their own.",
        );
    }
    if !churn.left_out.is_empty() {
        let parts: Vec<String> = churn
            .left_out
            .iter()
            .map(|l| format!("{} ({})", l.column, l.reason))
            .collect();
        ui.label(
            RichText::new(format!("Columns left out {}", parts.join(", ")))
                .color(palette.muted_text),
        );
    }
}

/// The metrics of each cross-validation fold.
fn folds_ui(ui: &mut egui::Ui, churn: &ChurnView) {
    if churn.folds.is_empty() {
        return;
    }
    egui::CollapsingHeader::new("Metrics per fold")
        .id_salt("churn_folds")
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("churn_fold_table")
                .striped(true)
                .num_columns(7)
                .spacing([18.0, 2.0])
                .show(ui, |ui| {
                    for h in [
                        "Fold",
                        "Customers",
                        "Churned",
                        "ROC AUC",
                        "PR AUC",
                        "Brier",
                        "Log loss",
                    ] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for f in &churn.folds {
                        ui.label((f.fold + 1).to_string());
                        ui.label(thousands(f.customers as u64));
                        ui.label(thousands(f.churned as u64));
                        ui.label(format!("{:.3}", f.auc));
                        ui.label(format!("{:.3}", f.pr_auc));
                        ui.label(format!("{:.3}", f.brier));
                        ui.label(format!("{:.3}", f.log_loss));
                        ui.end_row();
                    }
                });
        });
}

fn small_plot(id: &str, width: f32) -> Plot<'static> {
    Plot::new(id.to_string())
        .width(width)
        .height(CHART_HEIGHT)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
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

fn chart_box(ui: &mut egui::Ui, title: &str, width: f32, add: impl FnOnce(&mut egui::Ui)) {
    ui.vertical(|ui| {
        ui.set_width(width);
        ui.strong(title);
        add(ui);
    });
}

fn charts_ui(ui: &mut egui::Ui, churn: &ChurnView) {
    let gap = ui.spacing().item_spacing.x;
    let width = ((ui.available_width() - 2.0 * gap - 4.0) / 3.0).max(200.0);
    ui.horizontal_top(|ui| {
        chart_box(ui, "ROC curve", width, |ui| {
            small_plot("churn_roc", width)
                .x_axis_label("False positive rate")
                .y_axis_label("True positive rate")
                .show(ui, |p| {
                    p.line(diagonal());
                    p.line(Line::new("ROC", PlotPoints::from(churn.roc.clone())));
                });
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
                .x_axis_label("Predicted probability")
                .y_axis_label("Observed churn")
                .show(ui, |p| {
                    p.line(diagonal());
                    p.line(Line::new(
                        "before",
                        PlotPoints::from(churn.reliability.clone()),
                    ));
                    p.points(
                        Points::new("before", PlotPoints::from(churn.reliability.clone()))
                            .radius(3.0),
                    );
                    p.line(Line::new(
                        "after",
                        PlotPoints::from(churn.reliability_calibrated.clone()),
                    ));
                    p.points(
                        Points::new(
                            "after",
                            PlotPoints::from(churn.reliability_calibrated.clone()),
                        )
                        .radius(3.0),
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
                .show(ui, |p| {
                    p.line(diagonal());
                    p.line(Line::new("gains", PlotPoints::from(churn.gains.clone())));
                });
        });
        let wide = 2.0 * width + gap;
        chart_box(ui, "Feature importance", wide, |ui| {
            importance_ui(ui, churn, wide);
        });
    });
}

fn importance_ui(ui: &mut egui::Ui, churn: &ChurnView, width: f32) {
    let max = churn
        .importance
        .iter()
        .map(|(_, w)| w.abs())
        .fold(0.0_f64, f64::max)
        .max(1e-12);
    let name_width = 200.0;
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
            for (name, w) in &churn.importance {
                let pretty = crate::models::churn::reasons::pretty_name(name);
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
            ui.label(RichText::new("bar length is the |standardized coefficient|").small());
        });
    } else {
        ui.label(
            RichText::new("impurity importance (a forest's importance has no direction)").small(),
        );
    }
}

fn swatch(ui: &mut egui::Ui, colour: Color32) {
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(theme::LEGEND_SWATCH, theme::LEGEND_SWATCH),
        egui::Sense::hover(),
    );
    ui.painter().rect_filled(rect, 2.0, colour);
}

fn threshold_ui(ui: &mut egui::Ui, view: &mut ChurnPanelView, churn: &ChurnView) {
    ui.strong("Retention offer");
    ui.horizontal_wrapped(|ui| {
        ui.label("Risk threshold");
        ui.add(
            egui::Slider::new(&mut view.threshold, 0.0..=1.0)
                .step_by(0.01)
                .fixed_decimals(2),
        );
        ui.add_space(theme::SECTION_SPACING);
        ui.label("Offer cost");
        ui.add(
            egui::DragValue::new(&mut view.offer.offer_cost)
                .range(0.0..=1e9)
                .speed(0.5),
        );
        ui.label("Accept share");
        ui.add(
            egui::DragValue::new(&mut view.offer.acceptance_rate)
                .range(0.0..=1.0)
                .speed(0.01)
                .fixed_decimals(2),
        );
        ui.label("Value saved");
        ui.add(
            egui::DragValue::new(&mut view.offer.value_saved)
                .range(0.0..=1e12)
                .speed(1.0),
        );
    });
    let o = churn.thresholds.outcome(view.threshold, &view.offer);
    let c = o.confusion;
    ui.horizontal_top(|ui| {
        egui::Grid::new("churn_confusion")
            .striped(true)
            .num_columns(3)
            .spacing([18.0, 4.0])
            .show(ui, |ui| {
                ui.label("");
                ui.strong("Churned");
                ui.strong("Stayed");
                ui.end_row();
                ui.strong("Offered");
                ui.label(format!("{} caught", thousands(c.true_positives as u64)));
                ui.label(format!("{} wasted", thousands(c.false_positives as u64)));
                ui.end_row();
                ui.strong("Not offered");
                ui.label(format!("{} missed", thousands(c.false_negatives as u64)));
                ui.label(format!("{} left alone", thousands(c.true_negatives as u64)));
                ui.end_row();
            });
        ui.add_space(30.0);
        ui.vertical(|ui| {
            ui.label(format!(
                "{} offers at threshold {:.2}: precision {}, recall {}",
                thousands(o.targeted as u64),
                view.threshold,
                percent(o.precision),
                percent(o.recall)
            ));
            ui.label(format!(
                "Expected cost {} · expected benefit {} · net {}",
                money(o.cost),
                money(o.benefit),
                money(o.net)
            ));
            ui.label(
                RichText::new(
                    "Benefit = churners offered × accept share × value saved; cost = offers × \
                     offer cost.",
                )
                .small(),
            );
        });
    });
}

/// `1234.5` → `1,234.50`.
fn money_cents(v: f64) -> String {
    let sign = if v < 0.0 { "-" } else { "" };
    let cents = (v.abs() * 100.0).round() as u64;
    format!("{sign}{}.{:02}", thousands(cents / 100), cents % 100)
}

fn money(v: f64) -> String {
    let sign = if v < 0.0 { "-" } else { "" };
    format!("{sign}{}", thousands(v.abs().round() as u64))
}

fn clv_ui(
    ui: &mut egui::Ui,
    view: &mut ChurnPanelView,
    has_transactions: bool,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    ui.heading("Lifetime value");
    if !has_transactions {
        ui.label(NO_CLV);
        return;
    }
    if !view.span_requested {
        commands.push(command(ChurnCommand::ReadSpan));
        view.span_requested = true;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label("Time unit");
        for u in [TimeUnit::Week, TimeUnit::Day] {
            let name = if u == TimeUnit::Week { "weeks" } else { "days" };
            if ui.selectable_label(view.time_unit == u, name).clicked() && view.time_unit != u {
                view.horizon = view.horizon * view.time_unit.days() / u.days();
                view.time_unit = u;
            }
        }
        ui.label("Horizon");
        ui.add(
            egui::DragValue::new(&mut view.horizon)
                .range(1.0..=10_000.0)
                .speed(1.0),
        );
        ui.label("Calibration end");
        ui.add(
            egui::TextEdit::singleline(&mut view.calibration_end)
                .hint_text("last purchase")
                .desired_width(110.0),
        );
        let params = view.clv_params();
        let running = view.clv_job.is_some();
        if ui
            .add_enabled(
                !running && params.is_ok(),
                egui::Button::new("Run lifetime value"),
            )
            .clicked()
            && let Ok(p) = params.clone()
        {
            commands.push(command(ChurnCommand::RunClv(p)));
        }
        if running {
            ui.spinner();
        }
        if let Err(why) = params {
            ui.label(RichText::new(why).color(palette.error_text));
        }
    });
    calibration_note_ui(ui, view, palette);
    if let Some(why) = &view.clv_error {
        ui.label(RichText::new(why).color(palette.error_text));
    }
    let Some(clv) = view.clv.clone() else {
        ui.label(
            "BG/NBD models how often each customer buys and whether they are still active; \
             Gamma-Gamma models how much they spend. Run it to see P(alive) and lifetime value.",
        );
        return;
    };
    clv_result_ui(ui, &clv, palette);
}

/// How the calibration end was chosen, under the controls.
fn calibration_note_ui(ui: &mut egui::Ui, view: &ChurnPanelView, palette: &Palette) {
    let Some(span) = &view.span else {
        return;
    };
    let typed = view.calibration_end.trim();
    let text = if typed.is_empty() {
        format!(
            "Purchases run from {} to {}. Without a calibration end the models use every \
             purchase and there is no holdout to check them against.",
            span.first, span.last
        )
    } else if view.calibration_suggested.as_deref() == Some(typed) {
        format!(
            "Calibration end suggested: the last purchase ({}) minus a third of the {}-day \
             history, so the last third checks the predictions. Values per customer are still \
             as of {}. Clear it to fit on every purchase.",
            span.last,
            thousands(span.days.max(0) as u64),
            span.last
        )
    } else {
        format!(
            "Purchases run from {} to {}; values per customer are as of {}.",
            span.first, span.last, span.last
        )
    };
    ui.label(RichText::new(text).small().color(palette.muted_text));
}

fn clv_result_ui(ui: &mut egui::Ui, clv: &ClvView, palette: &Palette) {
    let r = &clv.result;
    let unit = match r.params.time_unit {
        TimeUnit::Week => "weeks",
        TimeUnit::Day => "days",
    };
    let b = r.bgnbd.params;
    ui.label(format!(
        "BG/NBD: r = {:.3}, alpha = {:.3}, a = {:.3}, b = {:.3}, log-likelihood {:.1}{}",
        b.r,
        b.alpha,
        b.a,
        b.b,
        r.bgnbd.log_likelihood,
        if r.bgnbd.converged {
            ""
        } else {
            " (not converged)"
        }
    ));
    match &r.gamma_gamma {
        Some(g) => ui.label(format!(
            "Gamma-Gamma: p = {:.3}, q = {:.3}, v = {:.3} on {} repeat customers",
            g.params.p,
            g.params.q,
            g.params.v,
            thousands(g.customers as u64)
        )),
        None => ui.label(
            RichText::new("Gamma-Gamma not fitted: too few repeat customers with amounts")
                .color(palette.notice_text),
        ),
    };
    ui.label(
        RichText::new(format!(
            "Purchases {} to {}, calibration to {}; horizon {} {unit}",
            r.first_purchase, r.last_purchase, r.calibration_end, r.params.horizon
        ))
        .color(palette.muted_text),
    );
    let values = match &r.values_fit {
        Some(v) => format!(
            "Values per customer (P(alive), expected purchases, lifetime value) are as of {} \
             for {} customers: the same models refitted on every purchase (BG/NBD r = {:.3}, \
             alpha = {:.3}, a = {:.3}, b = {:.3}). The parameters above and the holdout chart \
             come from the calibration period.",
            r.values_as_of,
            thousands(clv.valued_customers as u64),
            v.bgnbd.params.r,
            v.bgnbd.params.alpha,
            v.bgnbd.params.a,
            v.bgnbd.params.b
        ),
        None => format!(
            "Values per customer are as of {} for {} customers.",
            r.values_as_of,
            thousands(clv.valued_customers as u64)
        ),
    };
    ui.label(RichText::new(values).color(palette.muted_text));
    let gap = ui.spacing().item_spacing.x;
    let width = ((ui.available_width() - gap - 4.0) / 2.0).max(260.0);
    ui.horizontal_top(|ui| {
        chart_box(
            ui,
            "Holdout: actual vs predicted purchases",
            width,
            |ui| match &r.holdout {
                Some(h) => {
                    ui.label(format!(
                        "Over {:.0} {unit} after calibration: actual {}, predicted {}",
                        h.length,
                        thousands(h.actual_total.round().max(0.0) as u64),
                        thousands(h.predicted_total.round().max(0.0) as u64)
                    ));
                    Plot::new("clv_holdout")
                        .width(width)
                        .height(CHART_HEIGHT)
                        .allow_zoom(false)
                        .allow_drag(false)
                        .allow_scroll(false)
                        .allow_boxed_zoom(false)
                        .legend(Legend::default().position(egui_plot::Corner::LeftTop))
                        .include_x(0.0)
                        .include_y(0.0)
                        .x_axis_label("Repeat purchases in calibration")
                        .y_axis_label("Mean holdout purchases")
                        .show(ui, |p| {
                            p.line(Line::new(
                                "actual",
                                PlotPoints::from(clv.holdout_actual.clone()),
                            ));
                            p.line(
                                Line::new(
                                    "predicted",
                                    PlotPoints::from(clv.holdout_predicted.clone()),
                                )
                                .style(egui_plot::LineStyle::dashed_dense()),
                            );
                        });
                }
                None => {
                    ui.label(
                        "No holdout: set a calibration end before the last purchase to compare \
                         predicted and actual purchases.",
                    );
                }
            },
        );
        chart_box(ui, "P(alive) by frequency and recency", width, |ui| {
            heatmap_ui(ui, clv, width, unit);
        });
    });
}

/// Blue (low) to orange (high).
fn heat_colour(p: f64) -> Color32 {
    let t = p.clamp(0.0, 1.0) as f32;
    let lerp = |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * t).round() as u8;
    Color32::from_rgb(lerp(0x1E, 0xF5), lerp(0x3A, 0x9E), lerp(0x8A, 0x0B))
}

fn heatmap_ui(ui: &mut egui::Ui, clv: &ClvView, width: f32, unit: &str) {
    let g = &clv.result.alive_grid;
    let rows = g.frequencies.len();
    let cols = g.recencies.len();
    if rows == 0 || cols == 0 {
        ui.label("No grid.");
        return;
    }
    let axis = 40.0;
    let (rect, response) =
        ui.allocate_exact_size(egui::vec2(width, CHART_HEIGHT), egui::Sense::hover());
    let plot = egui::Rect::from_min_max(
        rect.min + egui::vec2(axis, 4.0),
        rect.max - egui::vec2(4.0, 22.0),
    );
    let painter = ui.painter_at(rect);
    let cw = plot.width() / cols as f32;
    let ch = plot.height() / rows as f32;
    for (i, row) in g.p_alive.iter().enumerate() {
        for (j, p) in row.iter().enumerate() {
            // Frequency grows upwards.
            let min = egui::pos2(
                plot.left() + j as f32 * cw,
                plot.bottom() - (i + 1) as f32 * ch,
            );
            let cell = egui::Rect::from_min_size(min, egui::vec2(cw + 0.5, ch + 0.5));
            painter.rect_filled(cell, 0.0, heat_colour(*p));
        }
    }
    let text = ui.visuals().text_color();
    let font = egui::FontId::proportional(11.0);
    let max_f = g.frequencies.last().copied().unwrap_or(0);
    painter.text(
        egui::pos2(plot.left() - 4.0, plot.top()),
        egui::Align2::RIGHT_TOP,
        max_f.to_string(),
        font.clone(),
        text,
    );
    painter.text(
        egui::pos2(plot.left() - 4.0, plot.bottom()),
        egui::Align2::RIGHT_BOTTOM,
        "0",
        font.clone(),
        text,
    );
    painter.text(
        egui::pos2(rect.left(), plot.center().y),
        egui::Align2::LEFT_CENTER,
        "freq.",
        font.clone(),
        text,
    );
    painter.text(
        egui::pos2(plot.left(), plot.bottom() + 3.0),
        egui::Align2::LEFT_TOP,
        "0",
        font.clone(),
        text,
    );
    painter.text(
        egui::pos2(plot.center().x, plot.bottom() + 3.0),
        egui::Align2::CENTER_TOP,
        format!("recency ({unit})"),
        font.clone(),
        text,
    );
    painter.text(
        egui::pos2(plot.right(), plot.bottom() + 3.0),
        egui::Align2::RIGHT_TOP,
        format!("{:.0}", g.t),
        font,
        text,
    );
    if let Some(pos) = response.hover_pos()
        && plot.contains(pos)
    {
        let j = (((pos.x - plot.left()) / cw) as usize).min(cols - 1);
        let i = (((plot.bottom() - pos.y) / ch) as usize).min(rows - 1);
        let p = g.p_alive.get(i).and_then(|r| r.get(j)).copied();
        if let (Some(f), Some(rec), Some(p)) = (g.frequencies.get(i), g.recencies.get(j), p) {
            response.on_hover_text(format!(
                "{f} repeat purchases, last at {rec:.0} {unit}: P(alive) {}",
                percent(p)
            ));
        }
    }
    // Legend.
    ui.horizontal(|ui| {
        ui.label(RichText::new("P(alive) 0").small());
        let (bar, _) = ui.allocate_exact_size(egui::vec2(160.0, 10.0), egui::Sense::hover());
        let steps = 20;
        for k in 0..steps {
            let x0 = bar.left() + bar.width() * k as f32 / steps as f32;
            let r = egui::Rect::from_min_size(
                egui::pos2(x0, bar.top()),
                egui::vec2(bar.width() / steps as f32 + 0.5, bar.height()),
            );
            ui.painter()
                .rect_filled(r, 0.0, heat_colour(f64::from(k) / f64::from(steps - 1)));
        }
        ui.label(RichText::new("1").small());
        ui.label(
            RichText::new(format!("customers of age {:.0} {unit}", g.t))
                .small()
                .color(ui.visuals().weak_text_color()),
        );
    });
}

fn targets_ui(
    ui: &mut egui::Ui,
    view: &mut ChurnPanelView,
    db_folder: Option<&std::path::Path>,
    has_transactions: bool,
    palette: &Palette,
) {
    let Some(targets) = view.targets.clone() else {
        return;
    };
    let threshold = view.threshold;
    let above: Vec<u32> = view.rows_above().to_vec();
    ui.horizontal_wrapped(|ui| {
        ui.heading("Target list");
        ui.label(format!(
            "{} at risk >= {:.2}, by {}",
            crate::format::count(above.len() as u64, "customer", "customers"),
            threshold,
            if targets.has_clv {
                "value at risk (probability × lifetime value)"
            } else if has_transactions {
                "probability (run lifetime value to rank by value at risk)"
            } else {
                "probability (no purchases to value: CLV needs a transactions table)"
            }
        ));
        if ui
            .add_enabled(!above.is_empty(), egui::Button::new("Export target list…"))
            .clicked()
        {
            let file = "churn-targets.csv";
            view.export = Some(
                db_folder.map_or_else(|| file.to_string(), |d| d.join(file).display().to_string()),
            );
        }
    });
    if let Some((headline, notes)) = &view.exported {
        ui.label(RichText::new(headline).color(palette.muted_text));
        for note in notes {
            ui.label(RichText::new(note).small().color(palette.muted_text));
        }
    }
    ui.horizontal_top(|ui| {
        let list_width = (ui.available_width() - DRILL_WIDTH - 16.0).max(360.0);
        // Top-down inside the row, or the table's body lands beside its header.
        ui.allocate_ui_with_layout(
            egui::vec2(list_width, TARGET_LIST_HEIGHT),
            Layout::top_down(Align::Min),
            |ui| {
                ui.set_width(list_width);
                if above.is_empty() {
                    ui.label(
                        RichText::new(format!(
                            "No customer at or above {} risk: lower the threshold",
                            threshold_percent(threshold)
                        ))
                        .color(palette.notice_text),
                    );
                } else if let Some(id) = target_table_ui(ui, &targets, &above) {
                    view.id_text = id.clone();
                    view.selected = Some(id);
                }
            },
        );
        ui.separator();
        ui.vertical(|ui| {
            ui.set_width(DRILL_WIDTH);
            drill_ui(ui, view, &targets, palette);
        });
    });
}

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "-".to_string(), f)
}

/// Draws the table; returns the customer clicked.
fn target_table_ui(ui: &mut egui::Ui, targets: &TargetList, above: &[u32]) -> Option<String> {
    let row_height = theme::grid_row_height(ui);
    let has_clv = targets.has_clv;
    let mut clicked = None;
    // The value columns appear once lifetime value has run (a customers-only database never
    // has them): no column of dashes.
    let mut table = TableBuilder::new(ui)
        .id_salt(if has_clv {
            "churn_targets_valued"
        } else {
            "churn_targets"
        })
        .striped(true)
        .resizable(true)
        .animate_scrolling(false)
        .auto_shrink([false, false])
        .max_scroll_height(TARGET_LIST_HEIGHT)
        .sense(egui::Sense::click())
        .cell_layout(Layout::left_to_right(Align::Center))
        .column(Column::initial(110.0).at_least(60.0).clip(true))
        .column(Column::initial(60.0).at_least(50.0));
    if has_clv {
        table = table
            .column(Column::initial(80.0).at_least(50.0))
            .column(Column::initial(90.0).at_least(50.0));
    }
    let headers: &[&str] = if has_clv {
        &["Customer id", "Risk", "CLV", "Value at risk", "Top reason"]
    } else {
        &["Customer id", "Risk", "Top reason"]
    };
    table
        .column(Column::remainder().at_least(120.0).clip(true))
        .header(row_height, |mut header| {
            for h in headers {
                header.col(|ui| {
                    ui.strong(*h);
                });
            }
        })
        .body(|body| {
            body.rows(row_height, above.len(), |mut row| {
                let Some(r) = above
                    .get(row.index())
                    .and_then(|&i| targets.rows.get(i as usize))
                else {
                    return;
                };
                // Labels that don't select text, so a click selects the row.
                let cell = |ui: &mut egui::Ui, text: String| {
                    ui.add(egui::Label::new(text).selectable(false).truncate())
                };
                row.col(|ui| {
                    cell(ui, r.customer_id.clone());
                });
                row.col(|ui| {
                    cell(ui, percent(r.probability));
                });
                if has_clv {
                    row.col(|ui| {
                        cell(ui, opt(r.clv, money));
                    });
                    row.col(|ui| {
                        cell(ui, opt(r.value_at_risk, money));
                    });
                }
                row.col(|ui| {
                    let reason = r.reasons.first().map_or("", String::as_str);
                    cell(ui, reason.to_string()).on_hover_text(reason);
                });
                if row.response().clicked() {
                    clicked = Some(r.customer_id.clone());
                }
            });
        });
    clicked
}

fn drill_ui(ui: &mut egui::Ui, view: &mut ChurnPanelView, targets: &TargetList, palette: &Palette) {
    ui.strong("Customer");
    ui.horizontal(|ui| {
        let edit = ui.add(
            egui::TextEdit::singleline(&mut view.id_text)
                .hint_text("customer id, or click a row")
                .desired_width(180.0),
        );
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Show").clicked() || enter) && !view.id_text.trim().is_empty() {
            view.selected = Some(view.id_text.trim().to_string());
        }
    });
    let Some(id) = view.selected.clone() else {
        ui.label(
            RichText::new("Pick a customer to see their risk and value.").color(palette.muted_text),
        );
        return;
    };
    let Some(row) = targets.find(&id) else {
        ui.label(
            RichText::new(format!("{id} was not scored (unknown id, or no label)"))
                .color(palette.notice_text),
        );
        return;
    };
    customer_ui(ui, row, targets.has_clv);
}

fn customer_ui(ui: &mut egui::Ui, r: &TargetRow, has_clv: bool) {
    ui.label(RichText::new(&r.customer_id).strong());
    egui::Grid::new("churn_drill")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            ui.label("Churn risk");
            ui.strong(percent(r.probability));
            ui.end_row();
            ui.label("Label");
            ui.label(if r.label == 1 { "churned" } else { "stayed" });
            ui.end_row();
            if has_clv {
                ui.label("P(alive)");
                ui.label(opt(r.p_alive, percent));
                ui.end_row();
                ui.label("Expected purchases");
                ui.label(opt(r.expected_purchases, |v| format!("{v:.2}")));
                ui.end_row();
                ui.label("Expected spend per purchase");
                ui.label(opt(r.expected_spend, money_cents)).on_hover_text(
                    "Gamma-Gamma: the customer's own mean spend pulled toward the \
                                    mean of all customers, more so with fewer purchases",
                );
                ui.end_row();
                ui.label("Lifetime value");
                ui.label(opt(r.clv, money));
                ui.end_row();
                ui.label("Value at risk");
                ui.label(opt(r.value_at_risk, money));
                ui.end_row();
            }
        });
    ui.add_space(4.0);
    // A low-risk customer's only reason may lower the risk: then it is no reason for risk.
    ui.label(if r.top_weight > 0.0 {
        "Why at risk"
    } else {
        "Main factors"
    });
    for (k, reason) in r.reasons.iter().enumerate() {
        ui.label(format!("{}. {reason}", k + 1));
    }
}

fn export_dialog_ui(ctx: &egui::Context, view: &mut ChurnPanelView, commands: &mut Vec<Command>) {
    let threshold = view.threshold;
    let rows = view.rows_above().len();
    let picker = &mut view.export_picker;
    let Some(path_text) = view.export.as_mut() else {
        return;
    };
    let mut keep = true;
    egui::Window::new("Export target list")
        .collapsible(false)
        .resizable(false)
        .default_width(theme::DIALOG_WIDTH)
        .anchor(egui::Align2::CENTER_TOP, [0.0, 60.0])
        .show(ctx, |ui| {
            ui.label(format!(
                "Writes {} with risk at or above {} in the list's order, as CSV or XLSX by the \
                 file's extension: customer_id, the customers table's columns, churn_probability, \
                 reason_1..3 and, when lifetime value ran, p_alive, clv, value_at_risk.",
                crate::format::count(rows as u64, "customer", "customers"),
                threshold_percent(threshold)
            ));
            ui.label(
                RichText::new(
                    "Personal data is left out, customers without consent are left out (where \
                     there is a consent column), small groups are flagged (k-anonymity) and the \
                     export is recorded.",
                )
                .small(),
            );
            ui.add_space(6.0);
            ui.label("File");
            ui.horizontal(|ui| {
                let edit = ui.add(
                    egui::TextEdit::singleline(path_text)
                        .desired_width(theme::DIALOG_WIDTH - 110.0),
                );
                if edit.lost_focus()
                    && ui.input(|i| i.key_pressed(egui::Key::Enter))
                    && let Some(path) = typed_path(path_text)
                {
                    commands.push(command(ChurnCommand::Export { path, threshold }));
                }
                if let Some(path) = picker.poll_one() {
                    *path_text = path.display().to_string();
                }
                if picker.browse_button(ui) {
                    // Without a desktop portal this answers at once with nothing: the typed path
                    // remains.
                    let current = typed_path(path_text);
                    picker.open(
                        ctx,
                        table_save_dialog(current.as_deref()),
                        PickKind::SaveFile,
                    );
                }
            });
            ui.add_space(theme::SECTION_SPACING);
            ui.horizontal(|ui| {
                let path = typed_path(path_text);
                if ui
                    .add_enabled(path.is_some(), egui::Button::new("Export"))
                    .clicked()
                    && let Some(path) = path
                {
                    commands.push(command(ChurnCommand::Export { path, threshold }));
                }
                if ui.button("Cancel").clicked() {
                    keep = false;
                }
            });
        });
    if !keep {
        view.export = None;
    }
}
