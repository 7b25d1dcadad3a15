//! Campaigns: a filter builder (segments ∩ churn risk ∩ consent ∩ an attribute), the audience's
//! size and expected value, members by segment, a preview with each customer's offer, and the
//! export to CSV or XLSX with the privacy guard.

use egui::{Align, Layout, RichText};
use egui_extras::{Column, TableBuilder};
use egui_plot::{AxisHints, Bar, BarChart, Plot};

use crate::app::campaigns::{CampaignCommand, CampaignView, ExportDialog, command};
use crate::app::panels::dialogs::typed_path;
use crate::app::theme::{self, Palette};
use crate::app::{Command, DbView};
use crate::data::{Role, TableKind};
use crate::export::audience::ExportOptions;
use crate::format::{count, percent, thousands};
use crate::workspace::campaigns::{
    AttributeChoice, AttributeFilter, AudienceResult, CampaignChoices, PREVIEW_ROWS,
};
use crate::workspace::data::DbInfo;

/// The button shown when reading the choices or building the audience failed or was cancelled.
pub const RETRY_BUTTON: &str = "Retry";

/// Draws the panel.
pub fn campaigns_ui(
    ui: &mut egui::Ui,
    db: &DbView,
    view: &mut CampaignView,
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
            ui.heading("Campaigns");
            ui.add_space(theme::SECTION_SPACING);
            ui.label("Open or import a database first: use Open… or Import… at the top.");
            return;
        }
        DbView::Open(info) => info,
    };
    if !info
        .tables
        .iter()
        .any(|t| t.kind == TableKind::Customers && t.rows > 0)
    {
        ui.heading("Campaigns");
        ui.add_space(theme::SECTION_SPACING);
        ui.label("No customers table: import a customers file to build a campaign audience.");
        if ui.button("Import…").clicked() {
            commands.push(Command::ShowImportDialog);
        }
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
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Reading the stored segments and runs…");
            });
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
                .show(ui, |ui| filters_ui(ui, view, &choices, &palette, commands));
        });
    egui::CentralPanel::default().show(ui, |ui| {
        audience_ui(ui, view, info, &choices, busy, &palette);
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
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(message).color(palette.error_text));
        if ui.button(RETRY_BUTTON).clicked() {
            view.retry();
        }
    });
}

fn section(ui: &mut egui::Ui, title: &str) {
    ui.add_space(theme::SECTION_SPACING);
    ui.strong(title);
    ui.add_space(2.0);
}

fn filters_ui(
    ui: &mut egui::Ui,
    view: &mut CampaignView,
    choices: &CampaignChoices,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    let muted = |ui: &mut egui::Ui, text: &str| {
        ui.add(egui::Label::new(RichText::new(text).color(palette.muted_text)).wrap());
    };
    let filters = &mut view.filters;
    ui.strong("Who is in the audience");
    muted(ui, "Customers who match every filter below.");

    section(ui, "Segments");
    match &choices.segments {
        None => {
            muted(ui, "No stored segmentation: run one in the Segments panel.");
            if ui.button("Go to Segments").clicked() {
                commands.push(Command::ShowPanel(crate::app::Panel::Segments));
            }
        }
        Some(list) => {
            muted(
                ui,
                if filters.segments.is_empty() {
                    "None ticked: every segment."
                } else {
                    "Only the ticked segments."
                },
            );
            for s in list {
                let mut on = filters.segments.contains(&s.id);
                let text = format!("{} ({})", s.name, thousands(s.size as u64));
                if ui.checkbox(&mut on, text).changed() {
                    if on {
                        filters.segments.push(s.id);
                        filters.segments.sort_unstable();
                    } else {
                        filters.segments.retain(|x| *x != s.id);
                    }
                }
            }
        }
    }

    section(ui, "Churn risk");
    if choices.churn_run.is_none() {
        muted(
            ui,
            "No churn run stored: run one in Churn & value to filter by risk.",
        );
    } else {
        let mut on = filters.risk.is_some();
        if ui.checkbox(&mut on, "Limit by churn probability").changed() {
            filters.risk = on.then_some((0.5, 1.0));
        }
        if let Some((lo, hi)) = filters.risk.as_mut() {
            ui.add(
                egui::Slider::new(lo, 0.0..=1.0)
                    .text("from")
                    .fixed_decimals(2),
            );
            ui.add(
                egui::Slider::new(hi, 0.0..=1.0)
                    .text("to")
                    .fixed_decimals(2),
            );
            if *lo > *hi {
                std::mem::swap(lo, hi);
            }
        }
    }

    section(ui, "Consent");
    match &choices.consent_column {
        Some(column) => {
            ui.checkbox(&mut filters.consent_only, "Only customers who gave consent");
            muted(ui, &format!("Read from the {column} column."));
        }
        None => muted(
            ui,
            "The customers table has no consent column: no one is left out for consent.",
        ),
    }

    section(ui, "Attribute");
    let current = filters.attribute.as_ref().map(|a| match a {
        AttributeFilter::Values { column, .. } | AttributeFilter::Range { column, .. } => {
            column.clone()
        }
    });
    egui::ComboBox::from_id_salt("campaign_attribute")
        .selected_text(
            current
                .clone()
                .unwrap_or_else(|| "No attribute filter".into()),
        )
        .width(theme::CAMPAIGN_FILTERS_WIDTH - 40.0)
        .show_ui(ui, |ui| {
            if ui
                .selectable_label(current.is_none(), "No attribute filter")
                .clicked()
            {
                filters.attribute = None;
            }
            for a in &choices.attributes {
                let selected = current.as_deref() == Some(a.column());
                if ui.selectable_label(selected, a.column()).clicked() && !selected {
                    filters.attribute = Some(match a {
                        AttributeChoice::Values { column, .. } => AttributeFilter::Values {
                            column: column.clone(),
                            values: Vec::new(),
                        },
                        AttributeChoice::Range { column, min, max } => AttributeFilter::Range {
                            column: column.clone(),
                            min: *min,
                            max: *max,
                        },
                    });
                }
            }
        });
    let choice = current
        .as_deref()
        .and_then(|c| choices.attributes.iter().find(|a| a.column() == c));
    match (filters.attribute.as_mut(), choice) {
        (
            Some(AttributeFilter::Values { values, .. }),
            Some(AttributeChoice::Values { levels, .. }),
        ) => {
            muted(
                ui,
                if values.is_empty() {
                    "None ticked: any value."
                } else {
                    "Only the ticked values."
                },
            );
            egui::ScrollArea::vertical()
                .id_salt("campaign_levels")
                .max_height(theme::CAMPAIGN_LEVELS_HEIGHT)
                .show(ui, |ui| {
                    for level in levels {
                        let mut on = values.contains(level);
                        if ui.checkbox(&mut on, level).changed() {
                            if on {
                                values.push(level.clone());
                                values.sort();
                            } else {
                                values.retain(|v| v != level);
                            }
                        }
                    }
                });
        }
        (
            Some(AttributeFilter::Range { min, max, .. }),
            Some(AttributeChoice::Range {
                min: lowest,
                max: highest,
                ..
            }),
        ) => {
            let speed = ((highest - lowest) / 200.0).max(0.01);
            ui.horizontal(|ui| {
                ui.label("from");
                ui.add(
                    egui::DragValue::new(min)
                        .range(*lowest..=*highest)
                        .speed(speed),
                );
                ui.label("to");
                ui.add(
                    egui::DragValue::new(max)
                        .range(*lowest..=*highest)
                        .speed(speed),
                );
            });
            if *min > *max {
                std::mem::swap(min, max);
            }
        }
        _ => {}
    }
}

fn card(ui: &mut egui::Ui, title: &str, value: &str, detail: &str, palette: &Palette) {
    egui::Frame::group(ui.style())
        .inner_margin(egui::Margin::same(10))
        .show(ui, |ui| {
            ui.set_min_width(theme::CAMPAIGN_CARD_WIDTH);
            ui.vertical(|ui| {
                ui.label(RichText::new(title).color(palette.muted_text));
                ui.label(
                    RichText::new(value)
                        .size(theme::HEADLINE_TEXT_SIZE)
                        .strong(),
                );
                ui.label(RichText::new(detail).color(palette.muted_text));
            });
        });
}

fn money(x: f64) -> String {
    let whole = x.round();
    if whole.abs() < 1e15 {
        crate::format::thousands_i(whole as i64)
    } else {
        format!("{x:.3e}")
    }
}

fn audience_ui(
    ui: &mut egui::Ui,
    view: &mut CampaignView,
    info: &DbInfo,
    choices: &CampaignChoices,
    busy: bool,
    palette: &Palette,
) {
    if let Some((_, e)) = view.build_error.clone() {
        retry_ui(ui, view, &e, palette);
    }
    let Some(result) = view.result.clone() else {
        if view.build_error.is_none() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Building the audience…");
            });
        }
        return;
    };
    // The audience on screen is not the filters' (being built, or its build failed).
    let behind = view.requested.as_ref() != Some(&result.filters);
    let stale = view.build_job.is_some() || behind;
    let building = view.build_job.is_some() || (behind && view.build_error.is_none());
    ui.horizontal_wrapped(|ui| {
        card(
            ui,
            "Audience",
            &thousands(result.size as u64),
            &format!(
                "of {} ({})",
                count(result.customers as u64, "customer", "customers"),
                percent(result.size as f64 / result.customers.max(1) as f64)
            ),
            palette,
        );
        card(
            ui,
            "Expected value",
            &money(result.value),
            result.value_source.label(),
            palette,
        );
        if building {
            ui.spinner();
        }
    });
    for note in &result.notes {
        ui.label(RichText::new(note).color(palette.notice_text));
    }
    ui.add_space(6.0);
    ui.horizontal_wrapped(|ui| {
        let can = result.size > 0 && !busy && view.export_job.is_none() && !stale;
        for (label, format) in [("Export CSV…", "csv"), ("Export XLSX…", "xlsx")] {
            if ui.add_enabled(can, egui::Button::new(label)).clicked() {
                let file = format!("campaign-audience.{format}");
                view.open_export(ExportDialog {
                    path: info
                        .path
                        .parent()
                        .map_or_else(|| file.clone(), |d| d.join(&file).display().to_string()),
                    format,
                });
            }
        }
        if view.export_job.is_some() {
            ui.spinner();
            ui.label("Exporting…");
        }
    });
    if let Some(done) = &view.exported {
        ui.label(RichText::new(format!(
            "Wrote {} to {}",
            count(done.summary.rows, "customer", "customers"),
            done.path.display()
        )));
        for note in &done.summary.notes {
            ui.add(egui::Label::new(RichText::new(note).color(palette.muted_text)).wrap());
        }
    }
    ui.add_space(6.0);
    if !result.by_segment.is_empty() {
        ui.horizontal(|ui| {
            ui.strong("Audience by segment");
            let folder = info.path.parent().map(std::path::Path::to_path_buf);
            view.chart_png.button(ui, || {
                let file = "campaign-audience-by-segment.png";
                folder.map_or_else(|| file.to_string(), |d| d.join(file).display().to_string())
            });
            view.chart_png.status_ui(ui, palette);
        });
        // The whole chart, axes and labels included.
        let rect = ui
            .vertical(|ui| segment_chart_ui(ui, &result))
            .response
            .rect;
        view.chart_png.set_rect(rect);
    }
    if !result.fairness.is_empty() {
        ui.add_space(6.0);
        audience_fairness_ui(ui, view, &result, info, palette);
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
    preview_table_ui(ui, &result);
}

/// Who is in the audience by each protected column: per column, the share of each group
/// selected as bars with 95% whiskers against the four-fifths band (drawn as the Fairness panel
/// draws its rates), the disparate-impact ratio and the flags in words, each chart with Save as
/// PNG.
fn audience_fairness_ui(
    ui: &mut egui::Ui,
    view: &mut CampaignView,
    result: &AudienceResult,
    info: &DbInfo,
    palette: &Palette,
) {
    use crate::models::fairness::audit::FOUR_FIFTHS;
    ui.strong("Fairness of this audience");
    let folder = info.path.parent().map(std::path::Path::to_path_buf);
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
                    ui.label(RichText::new(format!("By {}", a.attribute)).strong());
                    ui.label(
                        RichText::new(format!(
                            "disparate impact {:.2}",
                            r.compared_disparate_impact
                        ))
                        .color(colour),
                    );
                });
                ui.horizontal_wrapped(|ui| {
                    saver.button(ui, || {
                        let file = format!("campaign-audience-fairness-{}.png", a.attribute);
                        folder
                            .as_ref()
                            .map_or_else(|| file.clone(), |d| d.join(&file).display().to_string())
                    });
                    saver.status_ui(ui, palette);
                });
                // The whole chart, axes, labels and the band's caption included.
                let rect = ui
                    .vertical(|ui| {
                        crate::app::panels::fairness::rates_chart_ui(
                            ui,
                            &format!("campaign_fairness_{}", a.attribute),
                            &r.groups,
                            &r.not_compared,
                            [width, theme::CAMPAIGN_FAIRNESS_CHART_HEIGHT],
                            palette,
                        );
                    })
                    .response
                    .rect;
                saver.set_rect(rect);
                if !r.not_compared.is_empty() {
                    ui.add(
                        egui::Label::new(
                            RichText::new(format!(
                                "{} ({})",
                                crate::app::panels::fairness::NOT_COMPARED_NOTE,
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
    let label_of = move |v: f64| -> String {
        let r = v.round();
        if (v - r).abs() > 0.01 || r < 0.0 {
            return String::new();
        }
        let i = r as usize;
        if i >= n {
            return String::new();
        }
        names.get(n - 1 - i).cloned().unwrap_or_default()
    };
    let height =
        (theme::CAMPAIGN_BAR_HEIGHT * n as f32 + 50.0).min(theme::CAMPAIGN_CHART_MAX_HEIGHT);
    Plot::new("campaign_by_segment")
        .height(height)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .show_grid([true, false])
        .custom_y_axes(vec![
            AxisHints::new_y()
                .formatter(move |mark, _| label_of(mark.value))
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

fn optional_number(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(String::new, |v| format!("{v:.digits$}"))
}

fn preview_table_ui(ui: &mut egui::Ui, result: &AudienceResult) {
    let row_height = theme::grid_row_height(ui);
    TableBuilder::new(ui)
        .id_salt("campaign_preview")
        .striped(true)
        .resizable(true)
        .animate_scrolling(false)
        .auto_shrink([false, false])
        .cell_layout(Layout::left_to_right(Align::Center))
        .column(Column::initial(80.0).at_least(60.0).clip(true))
        .column(Column::initial(150.0).at_least(60.0).clip(true))
        .column(Column::initial(75.0).at_least(50.0))
        .column(Column::initial(80.0).at_least(50.0))
        .column(Column::initial(170.0).at_least(80.0).clip(true))
        .column(Column::remainder().at_least(120.0).clip(true))
        .header(row_height, |mut header| {
            let value = match result.value_source {
                crate::workspace::campaigns::ValueSource::Clv => "CLV",
                crate::workspace::campaigns::ValueSource::PastSpend => "Past spend",
            };
            for h in [
                "Customer id",
                "Segment",
                "Churn risk",
                value,
                "Offer",
                "Why",
            ] {
                header.col(|ui| {
                    ui.strong(h);
                });
            }
        })
        .body(|body| {
            body.rows(row_height, result.preview.len(), |mut row| {
                let Some(r) = result.preview.get(row.index()) else {
                    return;
                };
                row.col(|ui| {
                    ui.label(&r.customer_id);
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(r.segment.as_deref().unwrap_or("—")).truncate())
                        .on_hover_text("— : no stored segmentation");
                });
                row.col(|ui| {
                    match r.churn_risk {
                        Some(_) => ui.label(optional_number(r.churn_risk, 2)),
                        None => ui.label("—"),
                    };
                });
                row.col(|ui| {
                    ui.label(r.value.map(money).unwrap_or_default());
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(r.offer.as_deref().unwrap_or("")).truncate());
                });
                row.col(|ui| {
                    let reason = r.reason.as_deref().unwrap_or("");
                    ui.add(egui::Label::new(reason).truncate())
                        .on_hover_text(reason);
                });
            });
        });
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
    let mut keep = true;
    let mut go = None;
    egui::Window::new("Export the audience")
        .collapsible(false)
        .resizable(false)
        .default_width(theme::DIALOG_WIDTH)
        .anchor(egui::Align2::CENTER_TOP, [0.0, 60.0])
        .show(ctx, |ui| {
            ui.add(
                egui::Label::new(format!(
                    "Writes {} as {} with their customer columns and segment, churn risk, value \
                     and offer columns.{} The file is recorded in the database's export log.",
                    count(written as u64, "customer", "customers"),
                    dialog.format.to_uppercase(),
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
            ui.add_space(6.0);
            ui.label("File");
            let edit = ui.add(
                egui::TextEdit::singleline(&mut dialog.path)
                    .desired_width(theme::DIALOG_WIDTH - 40.0),
            );
            let path = typed_path(&dialog.path).map(|p| {
                if p.extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case(dialog.format))
                {
                    p
                } else {
                    p.with_extension(dialog.format)
                }
            });
            if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                go = path.clone();
            }
            ui.add_space(theme::SECTION_SPACING);
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(path.is_some(), egui::Button::new("Export"))
                    .clicked()
                {
                    go = path.clone();
                }
                if ui.button("Cancel").clicked() {
                    keep = false;
                }
            });
        });
    if let Some(path) = go
        && let Some(result) = &view.result
    {
        commands.push(command(CampaignCommand::Export {
            path,
            filters: result.filters.clone(),
            options: ExportOptions {
                include_pii: view.include_pii && !pii.is_empty(),
                include_no_consent: view.include_no_consent,
                ..ExportOptions::default()
            },
        }));
    } else if !keep {
        view.export = None;
    }
}
