//! The filter builder: segments, churn risk, consent and one attribute; the audience is every
//! customer who matches all of them.

use egui::RichText;

use crate::app::Command;
use crate::app::campaigns::CampaignView;
use crate::app::theme::{self, Palette};
use crate::app::widgets::numbers::sized;
use crate::workspace::campaigns::{AttributeChoice, AttributeFilter, CampaignChoices};

fn section(ui: &mut egui::Ui, title: &str) {
    ui.add_space(theme::SECTION_SPACING);
    ui.strong(title);
    ui.add_space(2.0);
}

pub(super) fn filters_ui(
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
                if ui.checkbox(&mut on, sized(&s.name, s.size)).changed() {
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
