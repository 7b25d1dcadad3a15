//! The audience: its size and expected value, the export buttons, members by segment, its
//! fairness by each protected column, and a preview with each customer's offer.

use egui::RichText;
use egui_extras::Column;
use egui_plot::{AxisHints, Bar, BarChart};

use super::retry_ui;
use crate::app::campaigns::CampaignView;
use crate::app::theme::{self, Palette};
use crate::app::widgets::cards::{CardStyle, card};
use crate::app::widgets::export::export_outcome_ui;
use crate::app::widgets::path::path_in;
use crate::app::widgets::plot::{category_axis, fixed_plot};
use crate::app::widgets::preamble::spinner_label;
use crate::app::widgets::rate_chart::{NOT_COMPARED_NOTE, rates_chart_ui};
use crate::app::widgets::story;
use crate::app::widgets::table::{clipped_cell, each_row, table, text_cell, titled};
use crate::format::{count, percent, thousands};
use crate::workspace::campaigns::{AudienceResult, CampaignChoices, PREVIEW_ROWS};
use crate::workspace::data::DbInfo;
use crate::workspace::export::ExportSpec;

pub(super) fn audience_ui(
    ui: &mut egui::Ui,
    view: &mut CampaignView,
    info: &DbInfo,
    folder: Option<&std::path::Path>,
    choices: &CampaignChoices,
    busy: bool,
    palette: &Palette,
) {
    if let Some((_, e)) = view.build_error.clone() {
        retry_ui(ui, view, &e, palette);
    }
    let Some(result) = view.result.clone() else {
        if view.build_error.is_none() {
            spinner_label(ui, "Building the audience…");
        }
        return;
    };
    // The audience on screen is not the filters' (being built, or its build failed).
    let behind = view.requested.as_ref() != Some(&result.filters);
    let stale = view.build_job.is_some() || behind;
    let building = view.build_job.is_some() || (behind && view.build_error.is_none());
    story::headline(ui, &result.headline(info.currency.money));
    ui.horizontal_wrapped(|ui| {
        let style = &CardStyle::HEADLINE;
        let of = format!(
            "of {} ({})",
            count(result.customers as u64, "customer", "customers"),
            percent(result.size as f64 / result.customers.max(1) as f64)
        );
        let size = RichText::new(thousands(result.size as u64));
        card(ui, style, "Audience", size, &of, palette);
        let money = info.currency.money;
        let value = RichText::new(money.whole(result.value));
        let source = result.value_source.label();
        let title = match result.value_source {
            crate::workspace::campaigns::ValueSource::MonthlyColumn => "Value per month",
            crate::workspace::campaigns::ValueSource::RevenueColumn => "Revenue to date",
            _ => "Expected value",
        };
        card(ui, style, title, value, source, palette);
        if building {
            ui.spinner();
        }
    });
    for note in &result.notes {
        ui.label(RichText::new(note).color(palette.notice_text));
    }
    ui.add_space(6.0);
    ui.horizontal_wrapped(|ui| {
        let can = result.size > 0 && !busy && !view.export.running() && !stale;
        for (label, format) in [("Export CSV…", "csv"), ("Export XLSX…", "xlsx")] {
            if ui.add_enabled(can, egui::Button::new(label)).clicked() {
                let file = format!("campaign-audience.{format}");
                let spec = ExportSpec::Campaign(view.request(result.filters.clone()));
                let path = path_in(folder, &file);
                view.export.open_as(spec, path, format);
            }
        }
        if view.export.running() {
            ui.spinner();
            ui.label("Exporting…");
        }
    });
    if let Some(done) = &view.export.exported {
        export_outcome_ui(ui, done, palette);
    }
    ui.add_space(6.0);
    ui.strong(if result.size > PREVIEW_ROWS {
        format!(
            "Preview: the first {} of {}",
            PREVIEW_ROWS,
            thousands(result.size as u64)
        )
    } else {
        "Preview".to_string()
    });
    if !choices.has_offers {
        ui.label(
            RichText::new("No transactions: no offers can be attached.").color(palette.muted_text),
        );
    }
    // With nothing drawn below, the preview fills the panel's height.
    let alone = result.by_segment.is_empty() && result.fairness.is_empty();
    preview_table_ui(ui, &result, info.currency.money, alone);
    ui.add_space(6.0);
    if !result.by_segment.is_empty() {
        view.chart_png.controls(ui, palette, || {
            path_in(folder, "campaign-audience-by-segment.png")
        });
        // The whole chart, its title, axes and labels included.
        view.chart_png.capture(ui, |ui| {
            ui.strong("Audience by segment");
            segment_chart_ui(ui, &result)
        });
    }
    if !result.fairness.is_empty() {
        ui.add_space(6.0);
        audience_fairness_ui(ui, view, &result, folder, palette);
    }
}

/// Who is in the audience by each protected column: per column, the share of each group
/// selected as bars with 95% whiskers against the four-fifths band (drawn as the Fairness panel
/// draws its rates), the disparate-impact ratio and the flags in words, each chart with Save as
/// PNG.
fn audience_fairness_ui(
    ui: &mut egui::Ui,
    view: &mut CampaignView,
    result: &AudienceResult,
    folder: Option<&std::path::Path>,
    palette: &Palette,
) {
    use crate::models::fairness::audit::FOUR_FIFTHS;
    ui.strong("Fairness of this audience");
    let count = result.fairness.len().max(1) as f32;
    let spacing = ui.spacing().item_spacing.x;
    let width = ((ui.available_width() - spacing * (count - 1.0)) / count)
        .min(theme::CAMPAIGN_FAIRNESS_CHART_WIDTH);
    view.fairness_png
        .retain(|k, saver| saver.is_waiting() || result.fairness.iter().any(|a| a.attribute == *k));
    ui.horizontal_top(|ui| {
        for a in &result.fairness {
            let r = &a.rates;
            let saver = view.fairness_png.entry(a.attribute.clone()).or_default();
            ui.vertical(|ui| {
                ui.set_width(width);
                let colour = if r.compared_disparate_impact < FOUR_FIFTHS {
                    palette.severity_error
                } else {
                    palette.muted_text
                };
                ui.horizontal_wrapped(|ui| {
                    let column = crate::models::churn::reasons::pretty_name(&a.attribute);
                    let mut chars = column.chars();
                    let column: String = chars
                        .next()
                        .map(|c| c.to_lowercase().chain(chars).collect())
                        .unwrap_or_default();
                    ui.label(RichText::new(format!("By {column}")).strong());
                    ui.label(
                        RichText::new(format!(
                            "lowest rate ÷ highest {:.2}",
                            r.compared_disparate_impact
                        ))
                        .color(colour),
                    );
                });
                ui.horizontal_wrapped(|ui| {
                    saver.controls(ui, palette, || {
                        path_in(
                            folder,
                            &format!("campaign-audience-fairness-{}.png", a.attribute),
                        )
                    });
                });
                // The whole chart, axes, labels and the band's caption included.
                saver.capture(ui, |ui| {
                    rates_chart_ui(
                        ui,
                        &format!("campaign_fairness_{}", a.attribute),
                        &r.groups,
                        &r.not_compared,
                        [width, theme::CAMPAIGN_FAIRNESS_CHART_HEIGHT],
                        palette,
                    );
                });
                if !r.not_compared.is_empty() {
                    ui.add(
                        egui::Label::new(
                            RichText::new(format!(
                                "{} ({})",
                                NOT_COMPARED_NOTE,
                                r.not_compared.join(", ")
                            ))
                            .color(palette.muted_text),
                        )
                        .wrap(),
                    );
                }
                for f in &a.flags {
                    ui.add(
                        egui::Label::new(
                            RichText::new(format!("• {f}")).color(palette.notice_text),
                        )
                        .wrap(),
                    );
                }
            });
        }
    });
    ui.label(
        RichText::new(format!(
            "Bars: the share of each group in the audience; guideline {FOUR_FIFTHS} or more. The Fairness panel audits churn targeting, segments and recommendations in depth."
        ))
        .color(palette.muted_text),
    );
}

/// The members per segment as horizontal bars; returns the chart's rectangle.
fn segment_chart_ui(ui: &mut egui::Ui, result: &AudienceResult) -> egui::Rect {
    let n = result.by_segment.len();
    let names: Vec<String> = result.by_segment.iter().map(|s| s.0.clone()).collect();
    let bars: Vec<Bar> = result
        .by_segment
        .iter()
        .enumerate()
        .map(|(i, (name, id, size))| {
            Bar::new((n - 1 - i) as f64, *size as f64)
                .name(name)
                .fill(theme::segment_colour(*id))
                .width(0.7)
        })
        .collect();
    let height =
        (theme::CAMPAIGN_BAR_HEIGHT * n as f32 + 50.0).min(theme::CAMPAIGN_CHART_MAX_HEIGHT);
    fixed_plot("campaign_by_segment")
        .height(height)
        .show_grid([true, false])
        .custom_y_axes(vec![
            category_axis(AxisHints::new_y(), names, true)
                .min_thickness(theme::CAMPAIGN_AXIS_WIDTH),
        ])
        .x_axis_label("Customers in the audience")
        .y_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 1.0, 1.0]))
        .include_x(0.0)
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new("Customers", bars).horizontal());
        })
        .response
        .rect
}

/// Preview rows shown before the table scrolls.
const PREVIEW_VISIBLE_ROWS: f32 = 12.0;

fn preview_table_ui(
    ui: &mut egui::Ui,
    result: &AudienceResult,
    money: crate::money::Money,
    fill: bool,
) {
    let row_height = theme::grid_row_height(ui);
    let mut height = row_height * PREVIEW_VISIBLE_ROWS;
    if fill {
        // What is left of the visible panel (it scrolls, so its own height is unbounded),
        // less the header row and a margin.
        let visible = ui.clip_rect().bottom() - ui.cursor().top();
        height = height.max(visible - 2.0 * row_height);
    }
    let value = match result.value_source {
        crate::workspace::campaigns::ValueSource::Clv => "Lifetime value",
        crate::workspace::campaigns::ValueSource::PastSpend => "Past spend",
        crate::workspace::campaigns::ValueSource::RevenueColumn => "Revenue",
        crate::workspace::campaigns::ValueSource::MonthlyColumn => "Per month",
    };
    // Offer and Why only where offers can be made (a database with transactions).
    let offers = result.preview.iter().any(|r| r.offer.is_some());
    let mut columns = vec![
        (
            "Customer id",
            Column::initial(100.0).at_least(60.0).clip(true),
        ),
        ("Segment", Column::initial(120.0).at_least(60.0).clip(true)),
        ("Churn risk", Column::initial(80.0).at_least(50.0)),
        (value, Column::initial(90.0).at_least(50.0)),
    ];
    if offers {
        columns.push(("Offer", Column::initial(150.0).at_least(80.0).clip(true)));
        columns.push(("Why", Column::remainder().at_least(60.0).clip(true)));
    }
    // Twelve rows on screen when charts follow below it, else as many as fit; it scrolls for
    // the rest.
    let builder = table(ui, "campaign_preview")
        .auto_shrink([false, true])
        .max_scroll_height(height);
    titled(builder, row_height, &columns).body(|body| {
        each_row(body, row_height, &result.preview, |mut row, r| {
            text_cell(&mut row, &r.customer_id);
            let segment = r.segment.as_deref().unwrap_or("—");
            clipped_cell(&mut row, segment, Some("— : no stored segmentation"));
            let risk = r.churn_risk.map(crate::format::percent);
            text_cell(&mut row, risk.unwrap_or_else(|| "—".to_string()));
            text_cell(
                &mut row,
                r.value.map(|v| money.whole(v)).unwrap_or_default(),
            );
            if offers {
                clipped_cell(&mut row, r.offer.as_deref().unwrap_or(""), None);
                let reason = r.reason.as_deref().unwrap_or("");
                clipped_cell(&mut row, reason, Some(reason));
            }
        });
    });
}
