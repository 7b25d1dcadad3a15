//! Segments: controls, headline numbers, the PCA scatter, k-selection charts, segment cards with
//! profiles and renaming, and the selected segment's customers (sortable, exportable). This file
//! draws the panel's frame, the controls and the headline; the rest have their own files.

mod cards;
mod charts;
mod customers;

use egui::RichText;

use crate::app::Command;
use crate::app::segments::{SegmentCommand, SegmentsView, command};
use crate::app::theme::{self, Palette};
use crate::app::widgets::layout;
use crate::app::widgets::path::path_in;
use crate::app::widgets::preamble::{Needs, PanelCx, has_rows, spinner_label};
use crate::app::widgets::story;
use crate::data::TableKind;
use crate::models::segment::run::SegmentMethod;
use crate::workspace::segments::SegmentResult;

/// The message shown for RFM on a database without transactions.
pub const NO_TRANSACTIONS: &str =
    "No transactions table: import a transactions file to see RFM segments";

/// Customers, from a customers or a transactions table.
/// Height of the k-selection charts under "Model details".
const K_CHARTS_HEIGHT: f32 = 220.0;

const NEEDS: Needs = Needs::rows(
    "Segments",
    &[TableKind::Customers, TableKind::Transactions],
    "No customers yet: import a customers or transactions file to segment them.",
);

/// Draws the panel.
pub fn segments_ui(ui: &mut egui::Ui, view: &mut SegmentsView, cx: &mut PanelCx<'_>) {
    let Some(info) = cx.open(ui, &NEEDS) else {
        return;
    };
    let palette = theme::palette(ui.ctx());
    if !view.requested_last {
        view.requested_last = true;
        cx.commands.push(command(SegmentCommand::ShowLast));
    }
    let has_transactions = has_rows(info, &[TableKind::Transactions]);
    let rfm_impossible = view.controls.method == SegmentMethod::Rfm && !has_transactions;

    controls_ui(ui, view, rfm_impossible, cx.busy, cx.commands);
    if rfm_impossible {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.label(RichText::new(NO_TRANSACTIONS).color(palette.notice_text));
            if ui.button("Import…").clicked() {
                cx.commands.push(Command::ShowImportDialog);
            }
        });
    }
    ui.separator();

    let Some(shown) = view.shown.clone() else {
        ui.add_space(theme::SECTION_SPACING);
        if view.running {
            spinner_label(ui, "Segmenting customers…");
        } else {
            ui.label("No segments yet. Choose a method and press Run segmentation.");
            ui.label(
                RichText::new(
                    "RFM groups customers by how recently, how often and how much they buy; \
                     k-means and Gaussian mixture group them by their behaviour and attributes.",
                )
                .color(palette.muted_text),
            );
        }
        return;
    };
    let folder = cx.export_folder;
    headline_ui(ui, view, &shown.result, folder, &palette);
    ui.separator();

    layout::left_panel(
        ui,
        "segment_cards",
        theme::SEGMENT_CARDS_WIDTH,
        true,
        |ui| {
            cards::cards_ui(ui, &shown, view, folder, &palette, cx.commands);
        },
    );

    let height = ui.available_height();
    let charts_height = (height * theme::SCATTER_HEIGHT_SHARE).max(180.0);
    ui.vertical(|ui| {
        ui.set_height(charts_height);
        ui.horizontal(|ui| {
            let png = &mut view.scatter_png;
            png.controls(ui, &palette, || path_in(folder, "segments-scatter.png"));
        });
        // The whole chart, axes and labels included.
        view.scatter_png.capture(ui, |ui| {
            charts::scatter_ui(ui, &shown, charts_height - 30.0, &palette)
        });
    });
    ui.separator();
    customers::customers_ui(ui, view, &shown, folder, info.currency.money, &palette);
    customers::export_dialog_ui(ui.ctx(), view, info, cx.commands);
    // The outcome is shown next to the button.
    let _ = view.scatter_png.ui(ui.ctx(), "Save chart as PNG");
    let _ = view
        .k_png
        .ui(ui.ctx(), "Save the k-selection charts as PNG");
    for saver in view.profile_png.values_mut() {
        let _ = saver.ui(ui.ctx(), "Save the profile chart as PNG");
    }
}

fn controls_ui(
    ui: &mut egui::Ui,
    view: &mut SegmentsView,
    rfm_impossible: bool,
    busy: bool,
    commands: &mut Vec<Command>,
) {
    let c = &mut view.controls;
    ui.horizontal_wrapped(|ui| {
        ui.heading("Segments");
        ui.add_space(theme::SECTION_SPACING);
        ui.label("Method");
        egui::ComboBox::from_id_salt("segment_method")
            .selected_text(c.method.label())
            .show_ui(ui, |ui| {
                for m in SegmentMethod::ALL {
                    ui.selectable_value(&mut c.method, m, m.label());
                }
            });
        let clustering = c.method != SegmentMethod::Rfm;
        ui.add_space(8.0);
        ui.add_enabled_ui(clustering, |ui| {
            ui.label("Segments");
            ui.checkbox(&mut c.k_auto, "Auto")
                .on_hover_text("Try 2 to 10 segments and keep the best separated (silhouette)");
            ui.add_enabled(!c.k_auto, egui::Slider::new(&mut c.k, 2..=10));
        });
        ui.add_space(8.0);
        ui.add_enabled_ui(c.method == SegmentMethod::Kmeans, |ui| {
            ui.label("Restarts");
            ui.add(
                egui::DragValue::new(&mut c.restarts)
                    .range(1..=100)
                    .speed(0.2),
            )
            .on_hover_text("k-means runs this many times from different starts and keeps the best");
        });
        ui.add_space(8.0);
        ui.label("Seed");
        ui.add_sized(
            [theme::SEGMENT_FIELD_WIDTH, ui.spacing().interact_size.y],
            egui::DragValue::new(&mut c.seed),
        )
        .on_hover_text("The same seed gives the same segments");
        ui.add_space(8.0);
        ui.add_enabled_ui(clustering, |ui| {
            ui.checkbox(&mut c.include_protected, "Use protected columns")
                .on_hover_text(
                    "Gender, age and other protected columns are left out unless you tick this",
                );
        });
        ui.add_space(8.0);
        let run = ui
            .add_enabled(!rfm_impossible, egui::Button::new("Run segmentation"))
            .on_disabled_hover_text(NO_TRANSACTIONS);
        if run.clicked() {
            commands.push(command(SegmentCommand::Run(c.params())));
        }
        if view.running || busy {
            ui.spinner();
        }
    });
}

/// The run in a sentence; the technical figures and the choice of k under "Model details".
fn headline_ui(
    ui: &mut egui::Ui,
    view: &mut SegmentsView,
    result: &SegmentResult,
    folder: Option<&std::path::Path>,
    palette: &Palette,
) {
    let run = &result.run;
    story::headline(ui, &run.headline());
    if view.running {
        ui.label(RichText::new("A new run is in progress…").color(palette.muted_text));
    }
    let mut method = format!("{}, seed {}", run.params.method.label(), run.params.seed);
    if run.params.method == SegmentMethod::Kmeans {
        method.push_str(&format!(", {} restarts", run.params.restarts));
    }
    let stored = result
        .run_id
        .map_or_else(|| "not stored".to_string(), |id| format!("run {id}"));
    let (used, left_out) = run.columns();
    let used = if used.is_empty() {
        "none (purchase behaviour only)".to_string()
    } else {
        used.join(", ")
    };
    let left_out: Vec<String> = left_out
        .iter()
        .map(|l| format!("{} ({})", l.column, l.reason))
        .collect();
    let mut figures = vec![
        (
            "Silhouette",
            run.silhouette
                .map_or("–".to_string(), |s| format!("{s:.2}")),
            "How well separated the segments are, from −1 to 1; above 0.25 is a usable \
             structure (measured on a seeded sample)",
        ),
        (
            "Inertia",
            run.inertia.map_or("–".to_string(), |x| format!("{x:.0}")),
            "How far customers sit from their segment's centre; lower is tighter (compare \
             runs on the same data only)",
        ),
        (
            "Method",
            method,
            "How the segments were made; the same seed makes the same segments",
        ),
        (
            "Stored as",
            stored,
            "Campaigns and the fairness audit use the latest stored run",
        ),
        (
            "Columns used",
            used,
            "What the segments are built from, besides purchases",
        ),
    ];
    if !left_out.is_empty() {
        figures.push((
            "Left out",
            left_out.join(", "),
            "Columns not used, and why (personal data and protected columns never are)",
        ));
    }
    let has_k_charts = run.k_scores.len() > 1;
    story::model_details(ui, "segments_details", &figures, palette, |ui| {
        if !has_k_charts {
            return;
        }
        ui.add_space(6.0);
        ui.label("How the number of segments was chosen: the best separated of 2 to 10.");
        ui.horizontal(|ui| {
            let png = &mut view.k_png;
            png.controls(ui, palette, || path_in(folder, "segments-k-selection.png"));
        });
        // Both charts with their titles, as one image.
        view.k_png
            .capture(ui, |ui| charts::k_charts_ui(ui, result, K_CHARTS_HEIGHT));
    });
}

pub use crate::workspace::segments::{behaviour_label, feature_label};
