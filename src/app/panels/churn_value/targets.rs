//! The target list: customers at or above the risk threshold, ranked by value at risk when
//! lifetime value has run, one customer's drill-down, and the export.

use egui::{Align, Layout, RichText};
use egui_extras::Column;

use crate::app::Command;
use crate::app::churn::ChurnPanelView;
use crate::app::theme::{self, Palette};
use crate::app::widgets;
use crate::app::widgets::export::export_outcome_ui;
use crate::app::widgets::path::path_in;
use crate::app::widgets::table::{each_row, table, titled};
use crate::format::{count, percent};
use crate::money::Money;
use crate::workspace::churn::{TargetList, TargetRow, disagreement, threshold_percent};
use crate::workspace::data::DbInfo;
use crate::workspace::export::ExportSpec;

/// Height of the target list.
const TARGET_LIST_HEIGHT: f32 = 300.0;
/// Width of the drill-down column beside the target list.
const DRILL_WIDTH: f32 = 340.0;

pub(super) fn targets_ui(
    ui: &mut egui::Ui,
    view: &mut ChurnPanelView,
    db_folder: Option<&std::path::Path>,
    has_transactions: bool,
    money: Money,
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
            "{} at a risk of {} or more, by {}",
            count(above.len() as u64, "customer", "customers"),
            crate::workspace::churn::threshold_percent(threshold),
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
            let spec = ExportSpec::ChurnTargets { threshold };
            view.export
                .open(spec, path_in(db_folder, "churn-targets.csv"));
        }
    });
    if let Some(done) = &view.export.exported {
        export_outcome_ui(ui, done, palette);
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
                } else if let Some(id) = target_table_ui(ui, &targets, &above, money) {
                    view.id_text = id.clone();
                    view.selected = Some(id);
                }
            },
        );
        ui.separator();
        ui.vertical(|ui| {
            ui.set_width(DRILL_WIDTH);
            drill_ui(ui, view, &targets, money, palette);
        });
    });
}

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "-".to_string(), f)
}

/// Draws the table; returns the customer clicked.
fn target_table_ui(
    ui: &mut egui::Ui,
    targets: &TargetList,
    above: &[u32],
    money: Money,
) -> Option<String> {
    let row_height = theme::grid_row_height(ui);
    let has_clv = targets.has_clv;
    let mut clicked = None;
    // The value columns appear once lifetime value has run (a customers-only database never
    // has them): no column of dashes.
    let id = if has_clv {
        "churn_targets_valued"
    } else {
        "churn_targets"
    };
    let mut columns = vec![
        (
            "Customer id",
            Column::initial(110.0).at_least(60.0).clip(true),
        ),
        ("Risk", Column::initial(60.0).at_least(50.0)),
    ];
    if has_clv {
        columns.push(("Lifetime value", Column::initial(90.0).at_least(50.0)));
        columns.push(("Value at risk", Column::initial(90.0).at_least(50.0)));
    }
    columns.push(("Top reason", Column::remainder().at_least(120.0).clip(true)));
    let rows: Vec<&TargetRow> = above
        .iter()
        .filter_map(|&i| targets.rows.get(i as usize))
        .collect();
    let builder = table(ui, id)
        .max_scroll_height(TARGET_LIST_HEIGHT)
        .sense(egui::Sense::click());
    titled(builder, row_height, &columns).body(|body| {
        each_row(body, row_height, &rows, |mut row, r| {
            let reason = r.reasons.first().map_or("", String::as_str);
            let mut texts = vec![r.customer_id.clone(), percent(r.probability)];
            if has_clv {
                texts.push(opt(r.valued(|v| v.clv), |v| money.whole(v)));
                texts.push(opt(r.value_at_risk, |v| money.whole(v)));
            }
            texts.push(reason.to_string());
            let last = texts.len() - 1;
            for (i, text) in texts.into_iter().enumerate() {
                row.col(|ui| {
                    // Labels that don't select text, so a click selects the row.
                    let label = ui.add(egui::Label::new(text).selectable(false).truncate());
                    if i == last {
                        label.on_hover_text(reason);
                    }
                });
            }
            if row.response().clicked() {
                clicked = Some(r.customer_id.clone());
            }
        });
    });
    clicked
}

fn drill_ui(
    ui: &mut egui::Ui,
    view: &mut ChurnPanelView,
    targets: &TargetList,
    money: Money,
    palette: &Palette,
) {
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
    customer_ui(ui, row, targets, money, palette);
}

fn customer_ui(
    ui: &mut egui::Ui,
    r: &TargetRow,
    targets: &TargetList,
    money: Money,
    palette: &Palette,
) {
    let has_clv = targets.has_clv;
    ui.label(RichText::new(&r.customer_id).strong());
    egui::Grid::new("churn_drill")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            ui.label("Churn risk");
            ui.strong(percent(r.probability));
            ui.end_row();
            if let Some(label) = r.label {
                ui.label("Label");
                ui.label(if label == 1 { "churned" } else { "stayed" });
                ui.end_row();
            }
            if has_clv {
                ui.label("P(alive)");
                ui.label(opt(r.valued(|v| Some(v.p_alive)), percent));
                ui.end_row();
                ui.label("Expected purchases");
                ui.label(opt(r.valued(|v| Some(v.expected_purchases)), |v| {
                    format!("{v:.2}")
                }));
                ui.end_row();
                ui.label("Expected spend per purchase");
                ui.label(opt(r.valued(|v| v.expected_spend), |v| money.cents(v)))
                    .on_hover_text(
                        "Gamma-Gamma: the customer's own mean spend pulled toward the \
                                    mean of all customers, more so with fewer purchases",
                    );
                ui.end_row();
                ui.label("Lifetime value");
                ui.label(opt(r.valued(|v| v.clv), |v| money.whole(v)));
                ui.end_row();
                ui.label("Value at risk");
                ui.label(opt(r.value_at_risk, |v| money.whole(v)));
                ui.end_row();
            }
        });
    let small = |ui: &mut egui::Ui, text: String| {
        ui.add(egui::Label::new(RichText::new(text).small().color(palette.muted_text)).wrap());
    };
    small(ui, targets.period.risk_line());
    if has_clv {
        small(ui, targets.period.p_alive_line());
    }
    if let Some(why) = disagreement(r, &targets.period, targets.unit_days) {
        ui.add(
            egui::Label::new(
                RichText::new(format!("Risk and P(alive) disagree. {why}"))
                    .color(palette.notice_text),
            )
            .wrap(),
        );
    }
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

/// The Export target list dialog.
pub(super) fn export_dialog_ui(
    ctx: &egui::Context,
    view: &mut ChurnPanelView,
    info: &DbInfo,
    commands: &mut Vec<Command>,
) {
    // The list's count at the threshold on screen (kept), else counted again.
    let (current, cached) = (view.threshold, view.rows_above().len());
    let request = {
        let ChurnPanelView {
            export, targets, ..
        } = view;
        let targets = targets.as_deref();
        widgets::export::export_dialog_ui(ctx, export, "Export target list", info, |ui, spec, _| {
            let ExportSpec::ChurnTargets { threshold } = spec else {
                return;
            };
            let rows = if *threshold == current {
                cached
            } else {
                targets.map_or(0, |t| t.above(*threshold).len())
            };
            ui.add(
                egui::Label::new(format!(
                    "Writes {} with risk at or above {} in the list's order, as CSV or XLSX \
                         by the file's extension: customer_id, the customers table's columns, \
                         churn_probability, reason_1..3 and, when lifetime value ran, p_alive, \
                         clv, value_at_risk.",
                    count(rows as u64, "customer", "customers"),
                    threshold_percent(*threshold)
                ))
                .wrap(),
            );
        })
    };
    if let Some(request) = request {
        commands.push(Command::Export(request));
    }
}
