//! Lifetime value: the BG/NBD and Gamma-Gamma controls and fit, the holdout chart and the
//! P(alive) heat map.

use egui::{Color32, RichText};
use egui_plot::{Legend, Line, PlotPoints};

use super::charts::chart_box;
use super::{CHART_HEIGHT, NO_CLV};
use crate::app::Command;
use crate::app::churn::{ChurnCommand, ChurnPanelView, command};
use crate::app::theme::Palette;
use crate::app::widgets::plot::fixed_plot;
use crate::app::widgets::story;
use crate::format::{percent, thousands};
use crate::models::clv::summary::TimeUnit;
use crate::money::Money;
use crate::workspace::churn::ClvView;

pub(super) fn clv_ui(
    ui: &mut egui::Ui,
    view: &mut ChurnPanelView,
    has_transactions: bool,
    money: Money,
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
            "Lifetime value predicts how often each customer will buy, whether they are still \
             active and what they will spend. Run it to see each customer's expected value.",
        );
        return;
    };
    clv_result_ui(ui, &clv, money, palette);
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

fn clv_result_ui(ui: &mut egui::Ui, clv: &ClvView, money: Money, palette: &Palette) {
    let r = &clv.result;
    let unit = match r.params.time_unit {
        TimeUnit::Week => "weeks",
        TimeUnit::Day => "days",
    };
    story::headline(ui, &clv.headline(money));
    ui.label(
        RichText::new(format!(
            "As of {}, for {} customers with purchases from {} to {}.",
            r.values_as_of,
            thousands(clv.valued_customers as u64),
            r.first_purchase,
            r.last_purchase
        ))
        .color(palette.muted_text),
    );
    let b = r.bgnbd.params;
    let converged = if r.bgnbd.converged {
        String::new()
    } else {
        " (not converged)".to_string()
    };
    let mut figures = vec![
        (
            "Purchase model (BG/NBD)",
            format!(
                "r = {:.3}, alpha = {:.3}, a = {:.3}, b = {:.3}{converged}",
                b.r, b.alpha, b.a, b.b
            ),
            "How often customers buy (r, alpha) and how likely they are to stop after a \
             purchase (a, b), fitted on the calibration period",
        ),
        (
            "Log-likelihood",
            format!("{:.1}", r.bgnbd.log_likelihood),
            "How well the purchase model fits the calibration period (higher is better)",
        ),
        (
            "Calibration",
            format!("{} to {}", r.first_purchase, r.calibration_end),
            "The purchases the models learn from; after it, the holdout checks them",
        ),
        (
            "Horizon",
            format!("{} {unit}", r.params.horizon),
            "How far ahead purchases and value are predicted",
        ),
    ];
    match &r.gamma_gamma {
        Some(g) => figures.push((
            "Spend model (Gamma-Gamma)",
            format!(
                "p = {:.3}, q = {:.3}, v = {:.3} on {} repeat customers",
                g.params.p,
                g.params.q,
                g.params.v,
                thousands(g.customers as u64)
            ),
            "How much a customer spends per purchase, learned from repeat customers",
        )),
        None => figures.push((
            "Spend model (Gamma-Gamma)",
            "not fitted".to_string(),
            "Too few repeat customers with amounts: no lifetime value, only purchases",
        )),
    }
    if let Some(v) = &r.values_fit {
        figures.push((
            "Refitted for today",
            format!(
                "r = {:.3}, alpha = {:.3}, a = {:.3}, b = {:.3}",
                v.bgnbd.params.r, v.bgnbd.params.alpha, v.bgnbd.params.a, v.bgnbd.params.b
            ),
            "Each customer's values use the same models refitted on every purchase",
        ));
    }
    story::model_details(ui, "clv_details", &figures, palette, |_| {});
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
                    fixed_plot("clv_holdout")
                        .width(width)
                        .height(CHART_HEIGHT)
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
        chart_box(
            ui,
            "Chance still active, by purchases and the last one",
            width,
            |ui| {
                heatmap_ui(ui, clv, width, unit);
            },
        );
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
    let font = egui::TextStyle::Small.resolve(ui.style());
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
        "repeat\npurchases",
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
        format!("{unit} from first to last purchase"),
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
                "{f} repeat purchases, the last {rec:.0} {unit} after the first: {} likely still \
                 active",
                percent(p)
            ));
        }
    }
    // Legend.
    ui.horizontal(|ui| {
        ui.label(RichText::new("Still active 0%").small());
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
        ui.label(RichText::new("100%").small());
        ui.label(
            RichText::new(format!("customers who first bought {:.0} {unit} ago", g.t))
                .small()
                .color(ui.visuals().weak_text_color()),
        );
    });
}
