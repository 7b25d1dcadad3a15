//! The Customer tab: find a customer (or pick one from a segment), choose the method and its
//! settings, and see the top products with their reasons, the purchase history and each
//! method's or reason's share of the score.

use egui::{Align, Layout, RichText};
use egui_extras::{Column, TableBuilder};
use egui_plot::{Bar, BarChart};

use super::{
    ALL_WEIGHTS_ZERO, READING_SEGMENTS, method_combo, method_index, score_text, segment_combo,
    short_label, unavailable_list, why_unavailable,
};
use crate::app::recommend::{RecommendView, SegmentsState, TOP_RANGE};
use crate::app::theme::{self, Palette};
use crate::app::widgets::layout;
use crate::app::widgets::plot::{category_rows_plot, names_width, swatch};
use crate::app::widgets::preamble::spinner_label;
use crate::app::widgets::table::{clipped_cell, each_row, text_cell, titled};
use crate::format::{percent, thousands};
use crate::models::recommend::methods::{RecMethod, WeightsSource};
use crate::models::recommend::{ReasonKind, RecItem, Recommendations};
use crate::workspace::recommend::CustomerRecs;

/// How the tuned weights were chosen, in a tooltip.
const TUNED_HELP: &str = "Chosen for this database: each customer's second-to-last purchase was \
    hidden and the blend that found it most often kept. Move a slider to use your own.";

pub(super) fn customer_tab_ui(ui: &mut egui::Ui, view: &mut RecommendView, palette: &Palette) {
    let ready = view.ready().is_some();
    let hint = view
        .ready()
        .and_then(|info| info.example_id.clone())
        .map(|id| format!("for example {id}"))
        .unwrap_or_else(|| "a customer id".to_string());
    // Find a customer.
    ui.horizontal_wrapped(|ui| {
        ui.label("Customer id");
        let edit = ui.add(
            egui::TextEdit::singleline(&mut view.id_text)
                .hint_text(hint)
                .desired_width(160.0),
        );
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let find = ui.add_enabled(!view.id_text.trim().is_empty(), egui::Button::new("Find"));
        if (find.clicked() || enter) && !view.id_text.trim().is_empty() {
            view.active = Some(view.id_text.trim().to_string());
            // Find again asks again (the data may have the same answer; it is instant).
            view.requested = None;
        }
        ui.add_space(theme::SECTION_SPACING);
        pick_from_segment_ui(ui, view, palette);
    });
    // The method and its settings.
    let unavailable = unavailable_list(view);
    let mut controls = view.controls;
    // A slider being dragged holds the request back until it is let go.
    let mut dragging = false;
    ui.horizontal_wrapped(|ui| {
        ui.label("Method");
        method_combo(ui, "rec_method", &mut controls.method, &unavailable);
        ui.add_space(8.0);
        ui.label("Top");
        let r = ui.add(egui::Slider::new(&mut controls.top, TOP_RANGE));
        dragging |= r.dragged() && !r.drag_stopped();
        ui.add_space(8.0);
        ui.checkbox(&mut controls.repeat, "Include products they already have")
            .on_hover_text(
                "Repeat purchases: products the customer has bought may be suggested again",
            );
    });
    if controls.method == RecMethod::Hybrid {
        let mut moved = false;
        let tuned = view
            .ready()
            .map(|info| info.blend)
            .filter(|b| b.source == WeightsSource::Tuned);
        ui.horizontal(|ui| {
            ui.label(RichText::new("Hybrid weights").strong())
                .on_hover_text("Each method's scores are scaled to 0–1, then blended with these weights (they need not sum to 1)");
            ui.add_space(6.0);
            egui::Grid::new("rec_weights")
                .num_columns(6)
                .spacing([8.0, 4.0])
                .show(ui, |ui| {
                    ui.spacing_mut().slider_width = theme::WEIGHT_SLIDER_WIDTH;
                    for (i, m) in RecMethod::BLENDED.into_iter().enumerate() {
                        let why = why_unavailable(&unavailable, m);
                        let Some(w) = controls.weights.get_mut(m) else {
                            continue;
                        };
                        ui.add_enabled(why.is_none(), egui::Label::new(short_label(m)));
                        let r = ui.add_enabled(
                            why.is_none(),
                            egui::Slider::new(w, 0.0..=1.0)
                                .fixed_decimals(2)
                                .step_by(0.05),
                        );
                        dragging |= r.dragged() && !r.drag_stopped();
                        moved |= r.changed();
                        match why {
                            Some(why) => {
                                r.on_disabled_hover_text(format!("Not available: {why}"));
                            }
                            None => {
                                r.on_hover_text(m.label());
                            }
                        }
                        if i % 3 == 2 {
                            ui.end_row();
                        }
                    }
                });
        });
        ui.horizontal_wrapped(|ui| {
            if controls.own_weights {
                ui.label(RichText::new("Your weights.").color(palette.muted_text));
                if let Some(tuned) = tuned
                    && ui
                        .button("Use tuned weights")
                        .on_hover_text("Back to the weights tuned on this database")
                        .clicked()
                {
                    controls.weights = tuned.weights;
                    controls.own_weights = false;
                }
            } else if tuned.is_some() {
                ui.label(
                    RichText::new(
                        "Weights tuned on this database — move a slider to use your own.",
                    )
                    .color(palette.muted_text),
                )
                .on_hover_text(TUNED_HELP);
            } else if !ready {
                ui.label(
                    RichText::new(
                        "The weights tuned on this database appear once the models are ready.",
                    )
                    .color(palette.muted_text),
                );
            }
        });
        if moved {
            controls.own_weights = true;
        }
        if controls.all_weights_zero(|m| why_unavailable(&unavailable, m).is_some()) {
            ui.label(RichText::new(ALL_WEIGHTS_ZERO).color(palette.notice_text));
        }
    }
    view.controls = controls;
    view.holding = dragging;
    ui.separator();

    if !ready {
        ui.add_space(theme::SECTION_SPACING);
        ui.label(
            RichText::new("Find a customer once the models are ready.").color(palette.muted_text),
        );
        return;
    }
    let Some(shown) = view.shown.clone() else {
        ui.add_space(theme::SECTION_SPACING);
        if view.is_recommending() {
            spinner_label(ui, "Recommending…");
        } else {
            ui.label("Type a customer id and press Find, or pick a customer from a segment.");
            ui.label(
                RichText::new(
                    "Every suggestion comes with its reasons: what the customer bought that it \
                     goes with, how many customers bought both, or what is popular near them.",
                )
                .color(palette.muted_text),
            );
        }
        return;
    };
    let Some(recs) = &shown.recommendations else {
        ui.label(
            RichText::new(format!(
                "No customer with id “{}” in this database.",
                shown.customer_id
            ))
            .color(palette.notice_text),
        );
        return;
    };
    customer_result_ui(ui, &shown, recs, view.is_recommending(), palette);
}

fn pick_from_segment_ui(ui: &mut egui::Ui, view: &mut RecommendView, palette: &Palette) {
    let list = match view.segments_state() {
        SegmentsState::Listed(list) => list,
        SegmentsState::Reading => {
            ui.label(RichText::new(READING_SEGMENTS).color(palette.muted_text));
            return;
        }
        SegmentsState::None => {
            ui.label(
                RichText::new("Run a segmentation to pick customers by segment")
                    .color(palette.muted_text),
            );
            return;
        }
    };
    ui.label("Pick from segment");
    segment_combo(ui, "rec_pick_segment", &list, &mut view.pick_segment);
    let Some(segment) = view
        .pick_segment
        .and_then(|id| list.segments.iter().find(|s| s.id == id))
    else {
        return;
    };
    let current = view.active.clone().unwrap_or_default();
    egui::ComboBox::from_id_salt("rec_pick_customer")
        .selected_text(if segment.first_customers.contains(&current) {
            current.clone()
        } else {
            "Customer…".to_string()
        })
        .width(140.0)
        .show_ui(ui, |ui| {
            for c in &segment.first_customers {
                if ui.selectable_label(*c == current, c).clicked() {
                    view.id_text = c.clone();
                    view.active = Some(c.clone());
                }
            }
        });
}

/// A reason kind's name in the chart's legend.
fn reason_label(kind: ReasonKind) -> &'static str {
    match kind {
        ReasonKind::BoughtTogether => "Bought together",
        ReasonKind::AlsoBought => "Also bought",
        ReasonKind::SimilarCustomers => "Similar customers",
        ReasonKind::Popular => "Popular",
        ReasonKind::Trending => "Trending",
        ReasonKind::Demographic => "Popular near them",
        ReasonKind::SameCategory => "Same category",
        ReasonKind::SimilarName => "Similar name",
        ReasonKind::ColdStart => "No history yet",
        ReasonKind::BoughtBefore => "Bought before",
    }
}

/// Every reason kind, in legend order.
const REASON_KINDS: [ReasonKind; 10] = [
    ReasonKind::BoughtTogether,
    ReasonKind::AlsoBought,
    ReasonKind::SimilarCustomers,
    ReasonKind::SameCategory,
    ReasonKind::SimilarName,
    ReasonKind::Demographic,
    ReasonKind::Popular,
    ReasonKind::Trending,
    ReasonKind::ColdStart,
    ReasonKind::BoughtBefore,
];

fn customer_result_ui(
    ui: &mut egui::Ui,
    shown: &CustomerRecs,
    recs: &Recommendations,
    updating: bool,
    palette: &Palette,
) {
    ui.horizontal_wrapped(|ui| {
        ui.strong(format!(
            "Top {} for customer {} by {}",
            recs.items.len(),
            recs.customer_id,
            recs.method.label()
        ));
        if updating {
            ui.spinner();
        }
    });
    let mut notes: Vec<String> = Vec::new();
    if recs.cold_start {
        notes.push("No purchases yet: suggestions come from what others buy.".to_string());
    }
    notes.extend(recs.notes.iter().cloned());
    if !notes.is_empty() {
        ui.label(RichText::new(notes.join(" · ")).color(palette.notice_text));
    }
    ui.add_space(4.0);

    egui::Panel::left("rec_history")
        .resizable(true)
        .default_size(theme::REC_HISTORY_WIDTH)
        .show(ui, |ui| history_ui(ui, shown, palette));
    egui::Panel::right("rec_chart")
        .resizable(true)
        .default_size(theme::REC_CHART_WIDTH)
        .show(ui, |ui| contributions_chart_ui(ui, recs));
    egui::CentralPanel::default().show(ui, |ui| {
        layout::scroll("rec_items").show(ui, |ui| {
            for (i, item) in recs.items.iter().enumerate() {
                item_ui(ui, i, item, palette);
            }
        });
    });
}

fn history_ui(ui: &mut egui::Ui, shown: &CustomerRecs, palette: &Palette) {
    ui.strong("Recent purchases");
    if shown.history.is_empty() {
        ui.label(RichText::new("None yet.").color(palette.muted_text));
        return;
    }
    let row_height = theme::grid_row_height(ui);
    let builder = TableBuilder::new(ui)
        .id_salt("rec_history_table")
        .striped(true)
        .auto_shrink([false, false])
        .cell_layout(Layout::left_to_right(Align::Center));
    let columns = [
        ("Product", Column::remainder().at_least(100.0).clip(true)),
        ("Rows", Column::auto().at_least(40.0)),
        ("Last", Column::auto().at_least(80.0)),
    ];
    titled(builder, row_height, &columns).body(|body| {
        each_row(body, row_height, &shown.history, |mut row, h| {
            let name = h.name.as_deref().unwrap_or(&h.product_id);
            let full = format!("{name} ({})", h.product_id);
            clipped_cell(&mut row, name, Some(&full));
            text_cell(&mut row, thousands(u64::from(h.rows)));
            text_cell(&mut row, &h.last);
        });
    });
}

fn item_ui(ui: &mut egui::Ui, index: usize, item: &RecItem, palette: &Palette) {
    ui.horizontal_wrapped(|ui| {
        ui.strong(format!(
            "{}. {}",
            index + 1,
            item.name.as_deref().unwrap_or(&item.product_id)
        ));
        ui.label(RichText::new(&item.product_id).color(palette.muted_text));
        ui.label(
            RichText::new(format!("score {}", score_text(item.score))).color(palette.muted_text),
        );
    });
    for r in &item.reasons {
        ui.horizontal_top(|ui| {
            ui.add_space(16.0);
            let weight = if r.weight > 0.0 {
                percent(r.weight)
            } else {
                "·".to_string()
            };
            ui.label(
                RichText::new(format!("{weight:>6}"))
                    .monospace()
                    .color(palette.muted_text),
            )
            .on_hover_text(format!("Share of the score, from {}", r.method.label()));
            ui.add(egui::Label::new(&r.text).wrap());
        });
    }
    ui.add_space(6.0);
}

/// Horizontal stacked bars: each item's score split by method (hybrid) or by reason.
fn contributions_chart_ui(ui: &mut egui::Ui, recs: &Recommendations) {
    let n = recs.items.len();
    if n == 0 {
        return;
    }
    let hybrid = recs.method == RecMethod::Hybrid;
    ui.strong(if hybrid {
        "What each method adds to the score"
    } else {
        "Share of the score by reason"
    });
    // (series name, colour, value per item); the first item on top.
    let mut series: Vec<(String, egui::Color32, Vec<f64>)> = Vec::new();
    if hybrid {
        for m in RecMethod::BLENDED {
            let values: Vec<f64> = recs
                .items
                .iter()
                .map(|it| {
                    it.contributions
                        .iter()
                        .filter(|c| c.method == m)
                        .map(|c| c.share * it.score)
                        .sum()
                })
                .collect();
            if values.iter().any(|v| *v > 0.0) {
                series.push((
                    short_label(m).to_string(),
                    theme::method_colour(method_index(m)),
                    values,
                ));
            }
        }
    } else {
        for (k, kind) in REASON_KINDS.iter().enumerate() {
            let values: Vec<f64> = recs
                .items
                .iter()
                .map(|it| {
                    it.reasons
                        .iter()
                        .filter(|r| r.kind == *kind)
                        .map(|r| r.weight)
                        .sum()
                })
                .collect();
            if values.iter().any(|v| *v > 0.0) {
                series.push((
                    reason_label(*kind).to_string(),
                    theme::method_colour(k),
                    values,
                ));
            }
        }
    }
    let labels: Vec<String> = recs
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let name = it.name.as_deref().unwrap_or(&it.product_id);
            let short: String = name.chars().take(22).collect();
            if short.len() < name.len() {
                format!("{}. {short}…", i + 1)
            } else {
                format!("{}. {short}", i + 1)
            }
        })
        .collect();
    ui.horizontal_wrapped(|ui| {
        for (name, colour, _) in &series {
            swatch(ui, *colour);
            ui.label(RichText::new(name).small());
            ui.add_space(4.0);
        }
    });
    let mut charts: Vec<BarChart> = Vec::new();
    for (name, colour, values) in series {
        let bars: Vec<Bar> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                Bar::new((n - 1 - i) as f64, *v)
                    .name(labels.get(i).cloned().unwrap_or_default())
                    .width(0.7)
                    .fill(colour)
                    .stroke(egui::Stroke::NONE)
            })
            .collect();
        let refs: Vec<&BarChart> = charts.iter().collect();
        let series_name = name.clone();
        let chart = BarChart::new(name, bars)
            .horizontal()
            .color(colour)
            .element_formatter(Box::new(move |bar, _| {
                format!("{}\n{series_name}: {:.3}", bar.name, bar.value)
            }))
            .stack_on(&refs);
        charts.push(chart);
    }
    let height = (ui.available_height() - 8.0).max(160.0);
    let axis = names_width(ui, &labels, ui.available_width() * 0.5);
    category_rows_plot("rec_contributions", labels, axis)
        .height(height)
        .include_x(0.0)
        .x_axis_label(
            RichText::new(if hybrid {
                "Blended score"
            } else {
                "Share of the score"
            })
            .small(),
        )
        .show(ui, |plot| {
            for c in charts {
                plot.bar_chart(c);
            }
        });
}
