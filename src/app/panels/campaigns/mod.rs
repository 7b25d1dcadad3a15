//! Campaigns: a filter builder (segments ∩ churn risk ∩ consent ∩ an attribute), the audience's
//! size and expected value, members by segment, a preview with each customer's offer, and the
//! export to CSV or XLSX with the privacy guard. This file draws the panel's frame and the
//! export dialog; the filters and the audience have their own files.

mod audience;
mod filters;

use egui::RichText;

use crate::app::campaigns::{CampaignCommand, CampaignView, command};
use crate::app::theme::{self, Palette};
use crate::app::widgets::path::{DialogAnswer, SaveDialog};
use crate::app::widgets::preamble::{self, needs_rows, open_database, spinner_label};
use crate::app::{Command, DbView};
use crate::data::{Role, TableKind};
use crate::export::audience::ExportOptions;
use crate::format::{count, thousands};
use crate::workspace::campaigns::CampaignChoices;
use crate::workspace::data::DbInfo;

/// The button shown when reading the choices or building the audience failed or was cancelled.
pub const RETRY_BUTTON: &str = preamble::RETRY;

/// Draws the panel.
pub fn campaigns_ui(
    ui: &mut egui::Ui,
    db: &DbView,
    view: &mut CampaignView,
    busy: bool,
    commands: &mut Vec<Command>,
) {
    let palette = theme::palette(ui.ctx());
    let Some(info) = open_database(ui, db, "Campaigns") else {
        return;
    };
    if !needs_rows(
        ui,
        info,
        &[TableKind::Customers],
        "Campaigns",
        "No customers table: import a customers file to build a campaign audience.",
        commands,
    ) {
        return;
    }
    if view.wants_choices() {
        view.choices_requested = true;
        commands.push(command(CampaignCommand::ReadChoices));
    }
    if !busy && let Some(filters) = view.wanted() {
        commands.push(command(CampaignCommand::Build(filters)));
    }

    ui.horizontal_wrapped(|ui| {
        ui.heading("Campaigns");
        ui.add_space(theme::SECTION_SPACING);
        ui.label(
            RichText::new("Build an audience, check its size and value, export it.")
                .color(palette.muted_text),
        );
        if ui
            .add_enabled(!busy, egui::Button::new("Read stored runs again"))
            .on_hover_text("After a new segmentation, churn or lifetime-value run")
            .clicked()
        {
            view.data_changed();
        }
    });
    ui.separator();
    if let Some(e) = view.choices_error.clone() {
        retry_ui(ui, view, &e, &palette);
    }
    let Some(choices) = view.choices.clone() else {
        if view.choices_error.is_none() {
            spinner_label(ui, "Reading the stored segments and runs…");
        }
        return;
    };
    egui::Panel::left("campaign_filters")
        .resizable(true)
        .default_size(theme::CAMPAIGN_FILTERS_WIDTH)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("campaign_filters_scroll")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    filters::filters_ui(ui, view, &choices, &palette, commands);
                });
        });
    egui::CentralPanel::default().show(ui, |ui| {
        audience::audience_ui(ui, view, info, &choices, busy, &palette);
    });
    export_dialog_ui(ui.ctx(), view, info, &choices, commands);
    // The outcome is shown next to the button.
    let _ = view.chart_png.ui(ui.ctx(), "Save chart as PNG");
    for saver in view.fairness_png.values_mut() {
        let _ = saver.ui(ui.ctx(), "Save the fairness chart as PNG");
    }
}

/// A failed or cancelled read or build in one line, with Retry (never a spinner that waits for
/// ever).
fn retry_ui(ui: &mut egui::Ui, view: &mut CampaignView, message: &str, palette: &Palette) {
    if preamble::retry_ui(ui, message, palette) {
        view.retry();
    }
}

/// The customers table's personal-data columns.
fn pii_columns(info: &DbInfo) -> Vec<String> {
    info.tables
        .iter()
        .filter(|t| t.kind == TableKind::Customers)
        .flat_map(|t| t.columns.iter())
        .filter(|c| c.role == Role::Pii)
        .map(|c| c.name.clone())
        .collect()
}

fn export_dialog_ui(
    ctx: &egui::Context,
    view: &mut CampaignView,
    info: &DbInfo,
    choices: &CampaignChoices,
    commands: &mut Vec<Command>,
) {
    let Some(dialog) = view.export.as_mut() else {
        return;
    };
    let size = view.result.as_ref().map_or(0, |r| r.size);
    let without_consent = view.result.as_ref().and_then(|r| r.without_consent.clone());
    // Where a consent column exists, those without consent are left out unless asked.
    let (written, consent_text) = match &without_consent {
        Some((column, n)) if view.include_no_consent => (
            size,
            format!(
                " Customers without consent ({column}) are kept, as asked: {}.",
                thousands(*n as u64)
            ),
        ),
        Some((column, n)) => (
            size.saturating_sub(*n),
            if *n > 0 {
                format!(
                    " Customers without consent ({column}) will be left out: {} of the {}.",
                    thousands(*n as u64),
                    thousands(size as u64)
                )
            } else {
                format!(" Customers without consent ({column}) will be left out: none are in it.")
            },
        ),
        None => (size, String::new()),
    };
    let pii = pii_columns(info);
    let format = dialog.format;
    let answer = SaveDialog::new("Export the audience")
        .extension(format)
        .show(ctx, &mut dialog.path, |ui| {
            ui.add(
                egui::Label::new(format!(
                    "Writes {} as {} with their customer columns and segment, churn risk, value \
                     and offer columns.{} The file is recorded in the database's export log.",
                    count(written as u64, "customer", "customers"),
                    format.to_uppercase(),
                    consent_text
                ))
                .wrap(),
            );
            ui.add_space(6.0);
            let pii_text = if pii.is_empty() {
                "Include personal data (this database has no personal-data columns)".to_string()
            } else {
                format!("Include personal data (adds {} columns)", pii.join(", "))
            };
            ui.add_enabled(
                !pii.is_empty(),
                egui::Checkbox::new(&mut view.include_pii, pii_text),
            );
            match &choices.consent_column {
                Some(column) => {
                    ui.checkbox(
                        &mut view.include_no_consent,
                        format!("Include customers without consent (by {column})"),
                    );
                }
                None => {
                    ui.label("No consent column: no one is left out for consent.");
                }
            }
        });
    match answer {
        DialogAnswer::Confirmed(path) => {
            if let Some(result) = &view.result {
                commands.push(command(CampaignCommand::Export {
                    path,
                    filters: result.filters.clone(),
                    options: ExportOptions {
                        include_pii: view.include_pii && !pii.is_empty(),
                        include_no_consent: view.include_no_consent,
                        ..ExportOptions::default()
                    },
                }));
            }
        }
        DialogAnswer::Cancelled => view.export = None,
        DialogAnswer::Open => {}
    }
}
