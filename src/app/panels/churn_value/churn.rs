//! The churn model's results: the headline metrics, what happened to the inputs, the metrics per
//! fold, and the retention offer's threshold with its cost and benefit.

use egui::RichText;

use super::model_label;
use crate::app::churn::ChurnPanelView;
use crate::app::theme::{self, Palette};
use crate::app::widgets::numbers::{percent_drag, percent_slider};
use crate::app::widgets::story;
use crate::app::widgets::table::{TextColumn, grid_titles, text_grid};
use crate::format::{count, percent, thousands};
use crate::models::churn::run::FoldMetrics;
use crate::money::Money;
use crate::workspace::churn::{ChurnView, TargetList};

pub(super) fn metrics_ui(
    ui: &mut egui::Ui,
    churn: &ChurnView,
    targets: Option<&TargetList>,
    threshold: f64,
    palette: &Palette,
) {
    story::headline(ui, &churn.headline(targets, threshold));
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
                            "{} alone predicts who churned (AUC {:.3}): it may be recorded \
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
        (Some(c), _) => format!("the column {c}"),
        (None, Some(d)) => format!(
            "no purchase in {d} days after {}",
            label.cutoff.as_deref().unwrap_or("the cutoff")
        ),
        _ => label.kind.clone(),
    };
    let figures = [
        (
            "ROC AUC",
            format!("{:.3} ± {:.3}", m.auc, m.auc_std),
            "How often a customer who churned ranks above one who stayed (0.5 is chance, 1 \
             is perfect); mean ± sd over the folds",
        ),
        (
            "PR AUC",
            format!("{:.3} (base rate {})", m.pr_auc, percent(m.base_rate)),
            "How well the riskiest customers are the ones who churn; chance is the base rate",
        ),
        (
            "Brier score",
            format!("{:.3}, then {:.3}", m.brier, m.brier_calibrated),
            "The average squared gap between a risk and what happened; lower is better \
             (before, then after calibration)",
        ),
        (
            "Log loss",
            format!("{:.3}, then {:.3}", m.log_loss, m.log_loss_calibrated),
            "How surprised the risks are by what happened; lower is better (before, then after \
             calibration)",
        ),
        (
            "Model",
            format!(
                "{}, {} folds, {} model columns",
                model_label(churn.params.model),
                churn.params.folds,
                churn.n_features
            ),
            "Cross-validation: each customer is scored by a model that never saw them",
        ),
        (
            "Churned means",
            label_text,
            "Who counts as churned when the model learns",
        ),
        (
            "Customers",
            format!(
                "{}, {} churned ({})",
                thousands(label.customers as u64),
                thousands(label.churned as u64),
                percent(m.base_rate)
            ),
            "The customers the model learned from and was checked on",
        ),
        (
            "Leakage flags",
            churn.leakage.len().to_string(),
            "Columns that alone predict who churned: they may be recorded after the fact",
        ),
    ];
    story::model_details(ui, "churn_details", &figures, palette, |ui| {
        backtest_ui(ui, churn, palette);
        inputs_ui(ui, churn, palette);
        folds_ui(ui, churn);
    });
}

/// What the target list's scores are as of, and how the same pipeline did one horizon earlier.
fn backtest_ui(ui: &mut egui::Ui, churn: &ChurnView, palette: &Palette) {
    let Some(as_of) = &churn.as_of else {
        return;
    };
    let days = churn.label.days.unwrap_or_default();
    ui.add(
        egui::Label::new(RichText::new(format!(
            "The target list scores {} as of {as_of}: the risk of no purchase in the next {days} \
             days. The model learned from where customers stood before {}, whose next {days} days \
             are known; the figures below check it on them.",
            count(churn.scored as u64, "customer", "customers"),
            churn.label.cutoff.as_deref().unwrap_or("the cutoff"),
        )))
        .wrap(),
    );
    match &churn.backtest {
        Some(b) => {
            let verdict = b.verdict();
            for (k, line) in b
                .story(churn.model_chosen_by_backtest)
                .into_iter()
                .enumerate()
            {
                let warn = line == verdict && !b.beats_recency();
                let text = RichText::new(line);
                let text = match k {
                    0 => text.strong(),
                    _ if warn => text.color(palette.notice_text),
                    _ => text,
                };
                ui.add(egui::Label::new(text).wrap());
            }
        }
        None => {
            ui.label(
                RichText::new("Backtest: the history is too short to test one horizon earlier.")
                    .color(palette.muted_text),
            );
        }
    }
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
            text_grid(
                ui,
                "churn_fold_table",
                [18.0, 2.0],
                &FOLD_COLUMNS,
                &churn.folds,
            );
        });
}

/// The columns of the metrics per fold.
const FOLD_COLUMNS: [TextColumn<FoldMetrics>; 7] = [
    ("Fold", |f| (f.fold + 1).to_string()),
    ("Customers", |f| thousands(f.customers as u64)),
    ("Churned", |f| thousands(f.churned as u64)),
    ("ROC AUC", |f| format!("{:.3}", f.auc)),
    ("PR AUC", |f| format!("{:.3}", f.pr_auc)),
    ("Brier", |f| format!("{:.3}", f.brier)),
    ("Log loss", |f| format!("{:.3}", f.log_loss)),
];

pub(super) fn threshold_ui(
    ui: &mut egui::Ui,
    view: &mut ChurnPanelView,
    churn: &ChurnView,
    money: Money,
) {
    ui.strong("Retention offer");
    ui.horizontal_wrapped(|ui| {
        ui.label("Risk threshold");
        ui.add(percent_slider(&mut view.threshold, 0.0..=1.0))
            .on_hover_text("Customers at or above this risk get the offer");
        ui.add_space(theme::SECTION_SPACING);
        ui.label(money.titled("Offer cost"));
        ui.add(
            egui::DragValue::new(&mut view.offer.offer_cost)
                .range(0.0..=1e9)
                .speed(0.5),
        );
        ui.label("Accept share");
        ui.add(percent_drag(&mut view.offer.acceptance_rate))
            .on_hover_text("The share of customers offered who accept it");
        ui.label(money.titled("Value saved"));
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
                grid_titles(ui, &["", "Churned", "Stayed"]);
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
                "{} offers at a risk of {} or more: precision {}, recall {}",
                thousands(o.targeted as u64),
                crate::workspace::churn::threshold_percent(view.threshold),
                percent(o.precision),
                percent(o.recall)
            ));
            ui.label(format!(
                "Expected cost {} · expected benefit {} · net {}",
                money.whole(o.cost),
                money.whole(o.benefit),
                money.whole(o.net)
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
