//! Recommendations: one customer's top products with their reasons and each method's share,
//! every method's offline evaluation, and a whole segment's recommendations as a table to export.
//! This file draws the panel's frame, the models' status and the tab switch; each tab has its
//! own file.

mod customer;
mod evaluation;
mod segment;

use egui::RichText;

use crate::app::Command;
use crate::app::recommend::{ModelsState, RecCommand, RecTab, RecommendView, command};
use crate::app::theme::{self, Palette};
use crate::app::widgets::numbers::sized;
use crate::app::widgets::preamble::{Needs, PanelCx};
use crate::app::widgets::story;
use crate::data::TableKind;
use crate::format::thousands;
use crate::models::recommend::methods::RecMethod;
use crate::workspace::recommend::{SegmentEntry, SegmentList};

/// The message shown when the database has no purchases to learn from.
pub const NO_TRANSACTIONS: &str =
    "No transactions table: import a transactions file to get recommendations";
/// The checkbox that lets the demographic method use protected columns.
pub const USE_PROTECTED: &str = "Use protected columns (age, gender)";
/// Shown under the hybrid sliders when every weight is 0.
pub const ALL_WEIGHTS_ZERO: &str = "All weights are zero: showing popular items";
/// Shown while the stored segments are being read.
pub const READING_SEGMENTS: &str = "Reading segments…";
/// The panel's title.
const HEADING: &str = "Recommendations";

/// Transactions to learn from.
const NEEDS: Needs = Needs::rows(HEADING, &[TableKind::Transactions], NO_TRANSACTIONS);

/// Draws the panel.
pub fn recommendations_ui(ui: &mut egui::Ui, view: &mut RecommendView, cx: &mut PanelCx<'_>) {
    let Some(info) = cx.open(ui, &NEEDS) else {
        return;
    };
    let palette = theme::palette(ui.ctx());
    // Fit once per database; wait for a job the status bar shows rather than cancel it.
    if view.models == ModelsState::NotFitted && !cx.busy {
        cx.commands.push(command(RecCommand::Fit));
    }
    if !view.segments_requested {
        view.segments_requested = true;
        cx.commands.push(command(RecCommand::ListSegments));
    }

    ui.horizontal_wrapped(|ui| {
        ui.heading(HEADING);
        ui.add_space(theme::SECTION_SPACING);
        for tab in RecTab::ALL {
            if ui
                .selectable_label(view.tab == tab, RichText::new(tab.label()).strong())
                .clicked()
            {
                view.tab = tab;
            }
        }
        ui.add_space(theme::SECTION_SPACING);
        models_status_ui(ui, view, cx.busy, &palette, cx.commands);
    });
    let headline = match (&view.report, view.ready()) {
        (Some(report), _) => report.headline(),
        (None, Some(models)) => Some(models.headline()),
        _ => None,
    };
    if let Some(text) = headline {
        story::headline(ui, &text);
    }
    protected_ui(ui, view, &palette, cx.commands);
    ui.separator();
    match view.tab {
        RecTab::Customer => customer::customer_tab_ui(ui, view, &palette),
        RecTab::Evaluation => evaluation::evaluation_tab_ui(ui, view, &palette, cx.commands),
        RecTab::Segment => {
            segment::segment_tab_ui(ui, view, info, cx.export_folder, &palette, cx.commands);
        }
    }
    // After the controls are drawn, so a slider let go this frame is asked for at once.
    if view.ready().is_some()
        && let Some((customer_id, request)) = view.wanted()
    {
        cx.commands.push(command(RecCommand::Recommend {
            customer_id,
            request,
        }));
    }
}

/// "Use protected columns (age, gender)", with what it changes; the models are fitted again.
fn protected_ui(
    ui: &mut egui::Ui,
    view: &RecommendView,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    ui.horizontal_wrapped(|ui| {
        let mut on = view.use_protected;
        let r = ui.checkbox(&mut on, USE_PROTECTED).on_hover_text(
            "Changing it fits the models again; the evaluation and recommendations follow it",
        );
        if r.changed() {
            commands.push(command(RecCommand::SetUseProtected(on)));
        }
        ui.label(
            RichText::new(
                "Lets the demographic method group customers by age band and gender as well as \
                 region. Off by default: suggestions then never depend on them.",
            )
            .color(palette.muted_text),
        );
    });
}

fn models_status_ui(
    ui: &mut egui::Ui,
    view: &RecommendView,
    busy: bool,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    match &view.models {
        ModelsState::NotFitted => {
            if busy {
                ui.label(
                    RichText::new("Models are fitted when the running job ends")
                        .color(palette.muted_text),
                );
            }
        }
        ModelsState::Fitting(_) => {
            ui.spinner();
            ui.label("Fitting the models…");
        }
        ModelsState::Ready(info) => {
            ui.label(
                RichText::new(format!(
                    "Models ready: learned from {} purchases of {} products by {} customers",
                    thousands(info.pairs as u64),
                    thousands(info.products as u64),
                    thousands(info.customers as u64)
                ))
                .color(palette.muted_text),
            );
        }
        ModelsState::Stopped(why) => {
            ui.label(RichText::new(why).color(palette.notice_text));
            if ui.button("Fit models").clicked() {
                commands.push(command(RecCommand::Fit));
            }
        }
    }
}

/// A method picker: every method by its label, unavailable ones disabled with the reason.
fn method_combo(
    ui: &mut egui::Ui,
    id: &str,
    method: &mut RecMethod,
    unavailable: &[(RecMethod, String)],
) {
    egui::ComboBox::from_id_salt(id)
        .selected_text(method.label())
        .width(230.0)
        .show_ui(ui, |ui| {
            for m in RecMethod::ALL {
                let why = why_unavailable(unavailable, m);
                let r = ui.add_enabled(
                    why.is_none(),
                    egui::Button::selectable(*method == m, m.label()),
                );
                let r = match &why {
                    Some(why) => r.on_disabled_hover_text(format!("Not available: {why}")),
                    None => r,
                };
                if r.clicked() {
                    *method = m;
                }
            }
        });
}

/// Why a method can't be used, from the models' list.
fn why_unavailable(list: &[(RecMethod, String)], m: RecMethod) -> Option<&str> {
    list.iter()
        .find(|(x, _)| *x == m)
        .map(|(_, why)| why.as_str())
}

/// The methods the fitted models can't use, with the reason.
fn unavailable_list(view: &RecommendView) -> Vec<(RecMethod, String)> {
    view.ready()
        .map(|info| info.unavailable.clone())
        .unwrap_or_default()
}

/// A segment picker over the stored segmentation's segments.
fn segment_combo(ui: &mut egui::Ui, id: &str, list: &SegmentList, segment: &mut Option<usize>) {
    let text = |s: &SegmentEntry| sized(&s.name, s.size);
    let selected = segment
        .and_then(|id| list.segments.iter().find(|s| s.id == id))
        .map_or_else(|| "Choose a segment".to_string(), text);
    egui::ComboBox::from_id_salt(id)
        .selected_text(selected)
        .width(220.0)
        .show_ui(ui, |ui| {
            for s in &list.segments {
                if ui
                    .selectable_label(*segment == Some(s.id), text(s))
                    .clicked()
                {
                    *segment = Some(s.id);
                }
            }
        });
}

/// A method's name on a slider (the label without its parenthesis).
fn short_label(m: RecMethod) -> &'static str {
    match m {
        RecMethod::Popular => "Popular",
        RecMethod::PopularRecent => "Recent",
        RecMethod::ItemCf => "Item-CF",
        RecMethod::Als => "ALS",
        RecMethod::Content => "Content",
        RecMethod::Demographic => "Demographic",
        RecMethod::Hybrid => "Hybrid",
    }
}

fn method_index(m: RecMethod) -> usize {
    RecMethod::ALL.iter().position(|x| *x == m).unwrap_or(0)
}

/// A score for people: three decimals below 10, thousands separators above.
fn score_text(score: f64) -> String {
    if score.abs() >= 10.0 {
        crate::workspace::segments::number(score)
    } else {
        format!("{score:.3}")
    }
}
