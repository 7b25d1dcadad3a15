//! Campaigns: a filter builder (segments ∩ churn risk ∩ consent ∩ an attribute), the audience's
//! size and expected value, members by segment, a preview with each customer's offer, and the
//! export to CSV or XLSX with the privacy guard. This file draws the panel's frame and the
//! export dialog; the filters and the audience have their own files.

mod audience;
mod filters;

use egui::RichText;

use crate::app::Command;
use crate::app::campaigns::{CampaignCommand, CampaignView, command};
use crate::app::theme::{self, Palette};
use crate::app::widgets::export::export_dialog_ui;
use crate::app::widgets::layout;
use crate::app::widgets::preamble::{self, Needs, PanelCx, spinner_label};
use crate::data::TableKind;
use crate::format::{count, thousands};
use crate::workspace::data::DbInfo;

/// The button shown when reading the choices or building the audience failed or was cancelled.
pub const RETRY_BUTTON: &str = preamble::RETRY;

/// A customers table with rows.
const NEEDS: Needs = Needs::rows(
    "Campaigns",
    &[TableKind::Customers],
    "No customers table: import a customers file to build a campaign audience.",
);

/// Draws the panel.
pub fn campaigns_ui(ui: &mut egui::Ui, view: &mut CampaignView, cx: &mut PanelCx<'_>) {
    let Some(info) = cx.open(ui, &NEEDS) else {
        return;
    };
    let palette = theme::palette(ui.ctx());
    if view.wants_choices() {
        view.choices_requested = true;
        cx.commands.push(command(CampaignCommand::ReadChoices));
    }
    if !cx.busy
        && let Some(filters) = view.wanted()
    {
        cx.commands.push(command(CampaignCommand::Build(filters)));
    }

    ui.horizontal_wrapped(|ui| {
        ui.heading("Campaigns");
        ui.add_space(theme::SECTION_SPACING);
        ui.label(
            RichText::new("Build an audience, check its size and value, export it.")
                .color(palette.muted_text),
        );
        if ui
            .add_enabled(!cx.busy, egui::Button::new("Read stored runs again"))
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
    let width = theme::CAMPAIGN_FILTERS_WIDTH;
    // The filters' short lines need no more room in presentation mode; the preview does.
    layout::left_panel(ui, "campaign_filters", width, false, |ui| {
        filters::filters_ui(ui, view, &choices, &palette, cx.commands);
    });
    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical()
            .id_salt("campaign_audience_scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                audience::audience_ui(
                    ui,
                    view,
                    info,
                    cx.export_folder,
                    &choices,
                    cx.busy,
                    &palette,
                );
            });
    });
    audience_export_ui(ui.ctx(), view, info, cx.commands);
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

/// The audience's export dialog: who is written and who the consent rule leaves out.
fn audience_export_ui(
    ctx: &egui::Context,
    view: &mut CampaignView,
    info: &DbInfo,
    commands: &mut Vec<Command>,
) {
    let size = view.result.as_ref().map_or(0, |r| r.size);
    let without_consent = view.result.as_ref().and_then(|r| r.without_consent.clone());
    let request = export_dialog_ui(
        ctx,
        &mut view.export,
        "Export the audience",
        info,
        |ui, _, options| {
            // Where a consent column exists, those without consent are left out unless asked.
            let (written, consent_text) = match &without_consent {
                Some((column, n)) if options.include_no_consent => (
                    size,
                    format!(
                        " Customers without consent ({column}) are kept, as asked: {}.",
                        thousands(*n as u64)
                    ),
                ),
                Some((column, n)) if *n > 0 => (
                    size.saturating_sub(*n),
                    format!(
                        " Customers without consent ({column}) will be left out: {} of the {}.",
                        thousands(*n as u64),
                        thousands(size as u64)
                    ),
                ),
                Some((column, _)) => (
                    size,
                    format!(
                        " Customers without consent ({column}) will be left out: none are in it."
                    ),
                ),
                None => (size, String::new()),
            };
            ui.add(
                egui::Label::new(format!(
                    "Writes {} with their customer columns and segment, churn risk, value and \
                     offer columns.{consent_text}",
                    count(written as u64, "customer", "customers"),
                ))
                .wrap(),
            );
        },
    );
    if let Some(request) = request {
        commands.push(Command::Export(request));
    }
}
