//! Churn & value: who is about to leave and why (cross-validated churn model, its charts, a
//! threshold with the offer's cost and benefit), what each customer is worth (BG/NBD +
//! Gamma-Gamma), one customer's drill-down and the target list to export. This file draws the
//! panel's frame and the churn model's controls; each part has its own file.

mod charts;
mod churn;
mod clv;
mod targets;

use egui::RichText;

use crate::app::Command;
use crate::app::churn::{ChurnCommand, ChurnPanelView, FOLD_RANGE, LabelChoice, command};
use crate::app::theme;
use crate::app::widgets::layout;
use crate::app::widgets::preamble::{Needs, PanelCx, has_rows};
use crate::data::{Role, TableKind};
use crate::models::churn::run::ModelKind;

/// Shown when the data has no transactions (Telco-like tables).
pub const NO_CLV: &str = "Lifetime value needs a transactions table with purchase dates and \
     amounts; this database has none, so only churn risk is shown.";

/// The panel's title.
const HEADING: &str = "Churn & value";
/// Height of each chart.
const CHART_HEIGHT: f32 = 210.0;

/// Draws the panel.
pub fn churn_value_ui(ui: &mut egui::Ui, view: &mut ChurnPanelView, cx: &mut PanelCx<'_>) {
    let Some(info) = cx.open(ui, &Needs::database(HEADING)) else {
        return;
    };
    let palette = theme::palette(ui.ctx());
    let has_transactions = has_rows(info, &[TableKind::Transactions]);
    // The customers columns that say who churned: role label, or named churned.
    let label_columns: Vec<String> = info
        .tables
        .iter()
        .filter(|t| t.kind == TableKind::Customers)
        .flat_map(|t| t.columns.iter())
        .filter(|c| c.role == Role::Label || c.name.eq_ignore_ascii_case("churned"))
        .map(|c| c.name.clone())
        .collect();
    // What `--label auto` picks: a label column, else inactivity.
    if view.label.is_none() {
        view.label = Some(match label_columns.first() {
            Some(name) => LabelChoice::Column(name.clone()),
            None => LabelChoice::Inactive,
        });
    }

    ui.horizontal_wrapped(|ui| {
        ui.heading(HEADING);
        ui.add_space(theme::SECTION_SPACING);
        controls_ui(
            ui,
            view,
            &label_columns,
            has_transactions,
            cx.busy,
            cx.commands,
        );
    });
    ui.separator();
    layout::scroll("churn_scroll").show(ui, |ui| {
        match view.churn.clone() {
            None => {
                ui.label(if view.churn_job.is_some() {
                    "Fitting the churn model with cross-validation…"
                } else {
                    "Press Run to predict who is about to leave. \"Churned\" is what a column \
                     says, or no purchase in a number of days."
                });
            }
            Some(churn) => {
                let targets = view.targets.clone();
                churn::metrics_ui(ui, &churn, targets.as_deref(), view.threshold, &palette);
                ui.add_space(theme::SECTION_SPACING);
                charts::charts_ui(ui, &churn);
                ui.add_space(theme::SECTION_SPACING);
                churn::threshold_ui(ui, view, &churn, info.currency.money);
            }
        }
        ui.add_space(theme::SECTION_SPACING);
        ui.separator();
        clv::clv_ui(
            ui,
            view,
            has_transactions,
            info.currency.money,
            &palette,
            cx.commands,
        );
        if view.targets.as_ref().is_some_and(|t| !t.rows.is_empty()) {
            ui.add_space(theme::SECTION_SPACING);
            ui.separator();
            targets::targets_ui(
                ui,
                view,
                cx.export_folder,
                has_transactions,
                info.currency.money,
                &palette,
            );
        }
    });
    targets::export_dialog_ui(ui.ctx(), view, info, cx.commands);
}

fn controls_ui(
    ui: &mut egui::Ui,
    view: &mut ChurnPanelView,
    label_columns: &[String],
    has_transactions: bool,
    busy: bool,
    commands: &mut Vec<Command>,
) {
    let palette = theme::palette(ui.ctx());
    ui.label("Churned means");
    let shown = match &view.label {
        Some(LabelChoice::Column(name)) => format!("what {name} says"),
        _ => "no purchase in".to_string(),
    };
    egui::ComboBox::from_id_salt("churn_label")
        .selected_text(shown)
        .show_ui(ui, |ui| {
            for name in label_columns {
                let choice = Some(LabelChoice::Column(name.clone()));
                ui.selectable_value(&mut view.label, choice, format!("what {name} says"));
            }
            if has_transactions {
                let choice = Some(LabelChoice::Inactive);
                ui.selectable_value(&mut view.label, choice, "no purchase in a number of days");
            }
        })
        .response
        .on_hover_text(
            "Who counts as churned: a customers column that says so, or no purchase in the \
             days after a cutoff",
        );
    if view.label == Some(LabelChoice::Inactive) {
        ui.add(egui::DragValue::new(&mut view.inactive_days).range(1..=3650));
        ui.label("days");
    }
    ui.label("Model");
    egui::ComboBox::from_id_salt("churn_model")
        .selected_text(model_label(view.model))
        .show_ui(ui, |ui| {
            for m in [ModelKind::Auto, ModelKind::Logistic, ModelKind::Forest] {
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
        ModelKind::Auto => "Best in backtest",
        ModelKind::Logistic => "Logistic regression",
        ModelKind::Forest => "Random forest",
    }
}
