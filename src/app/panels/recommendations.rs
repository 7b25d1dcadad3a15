//! Recommendations: one customer's top products with their reasons and each method's share,
//! every method's offline evaluation, and a whole segment's recommendations as a table to export.

use egui::{Align, Layout, RichText};
use egui_extras::{Column, TableBuilder};
use egui_plot::{AxisHints, Bar, BarChart, Plot};

use crate::app::file_picker::{PickKind, table_save_dialog};
use crate::app::panels::dialogs::typed_path;
use crate::app::recommend::{
    ModelsState, PER_CUSTOMER_RANGE, RecCommand, RecTab, RecommendView, SegmentsState, TOP_RANGE,
    command,
};
use crate::app::theme::{self, Palette};
use crate::app::{Command, DbView};
use crate::data::TableKind;
use crate::format::{percent, thousands};
use crate::models::recommend::engine::{ReasonKind, RecItem, Recommendations};
use crate::models::recommend::evaluate::{MethodMetrics, Metrics, Report};
use crate::models::recommend::methods::RecMethod;
use crate::workspace::recommend::{CustomerRecs, SegmentList};

/// The message shown when the database has no purchases to learn from.
pub const NO_TRANSACTIONS: &str =
    "No transactions table: import a transactions file to get recommendations";
/// The checkbox that lets the demographic method use protected columns.
pub const USE_PROTECTED: &str = "Use protected columns (age, gender)";
/// Shown under the hybrid sliders when every weight is 0.
pub const ALL_WEIGHTS_ZERO: &str = "All weights are zero: showing popular items";
/// Shown while the stored segments are being read.
pub const READING_SEGMENTS: &str = "Reading segments…";

/// Draws the panel.
pub fn recommendations_ui(
    ui: &mut egui::Ui,
    db: &DbView,
    view: &mut RecommendView,
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
            ui.heading("Recommendations");
            ui.add_space(theme::SECTION_SPACING);
            ui.label("Open or import a database first: use Open… or Import… at the top.");
            return;
        }
        DbView::Open(info) => info,
    };
    if !info
        .tables
        .iter()
        .any(|t| t.kind == TableKind::Transactions && t.rows > 0)
    {
        ui.heading("Recommendations");
        ui.add_space(theme::SECTION_SPACING);
        ui.label(NO_TRANSACTIONS);
        if ui.button("Import…").clicked() {
            commands.push(Command::ShowImportDialog);
        }
        return;
    }
    // Fit once per database; wait for a job the status bar shows rather than cancel it.
    if view.models == ModelsState::NotFitted && !busy {
        commands.push(command(RecCommand::Fit));
    }
    if !view.segments_requested {
        view.segments_requested = true;
        commands.push(command(RecCommand::ListSegments));
    }

    ui.horizontal_wrapped(|ui| {
        ui.heading("Recommendations");
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
        models_status_ui(ui, view, busy, &palette, commands);
    });
    protected_ui(ui, view, &palette, commands);
    ui.separator();
    match view.tab {
        RecTab::Customer => customer_tab_ui(ui, view, &palette),
        RecTab::Evaluation => evaluation_tab_ui(ui, view, &palette, commands),
        RecTab::Segment => segment_tab_ui(ui, view, info.path.parent(), &palette, commands),
    }
    // After the controls are drawn, so a slider let go this frame is asked for at once.
    if view.ready().is_some()
        && let Some((customer_id, request)) = view.wanted()
    {
        commands.push(command(RecCommand::Recommend {
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

fn customer_tab_ui(ui: &mut egui::Ui, view: &mut RecommendView, palette: &Palette) {
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
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Recommending…");
            });
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
    let selected = view
        .pick_segment
        .and_then(|id| list.segments.iter().find(|s| s.id == id))
        .map_or_else(|| "Choose a segment".to_string(), segment_text);
    egui::ComboBox::from_id_salt("rec_pick_segment")
        .selected_text(selected)
        .width(220.0)
        .show_ui(ui, |ui| {
            for s in &list.segments {
                if ui
                    .selectable_label(view.pick_segment == Some(s.id), segment_text(s))
                    .clicked()
                {
                    view.pick_segment = Some(s.id);
                }
            }
        });
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

fn segment_text(s: &crate::workspace::recommend::SegmentEntry) -> String {
    format!("{} ({})", s.name, thousands(s.size as u64))
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
        egui::ScrollArea::vertical()
            .id_salt("rec_items")
            .auto_shrink([false, false])
            .show(ui, |ui| {
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
    TableBuilder::new(ui)
        .id_salt("rec_history_table")
        .striped(true)
        .auto_shrink([false, false])
        .cell_layout(Layout::left_to_right(Align::Center))
        .column(Column::remainder().at_least(100.0).clip(true))
        .column(Column::auto().at_least(40.0))
        .column(Column::auto().at_least(80.0))
        .header(row_height, |mut header| {
            header.col(|ui| {
                ui.strong("Product");
            });
            header.col(|ui| {
                ui.strong("Rows");
            });
            header.col(|ui| {
                ui.strong("Last");
            });
        })
        .body(|body| {
            body.rows(row_height, shown.history.len(), |mut row| {
                let Some(h) = shown.history.get(row.index()) else {
                    return;
                };
                row.col(|ui| {
                    let name = h.name.as_deref().unwrap_or(&h.product_id);
                    ui.add(egui::Label::new(name).truncate())
                        .on_hover_text(format!("{name} ({})", h.product_id));
                });
                row.col(|ui| {
                    ui.label(thousands(u64::from(h.rows)));
                });
                row.col(|ui| {
                    ui.label(&h.last);
                });
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
            let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 2.0, *colour);
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
    let label_of = move |y: f64| -> String {
        let r = y.round();
        if (y - r).abs() > 1e-6 || r < 0.0 {
            return String::new();
        }
        let i = n.saturating_sub(1 + r as usize);
        labels.get(i).cloned().unwrap_or_default()
    };
    let height = (ui.available_height() - 8.0).max(160.0);
    Plot::new("rec_contributions")
        .height(height)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_grid([true, false])
        .include_x(0.0)
        .include_y(-0.6)
        .include_y(n as f64 - 0.4)
        .y_grid_spacer(move |_| {
            (0..n)
                .map(|i| egui_plot::GridMark {
                    value: i as f64,
                    step_size: 1.0,
                })
                .collect()
        })
        .custom_y_axes(vec![
            AxisHints::new_y()
                .formatter(move |mark, _| label_of(mark.value))
                .label_spacing(8.0..=10.0)
                .min_thickness(150.0),
        ])
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

fn evaluation_tab_ui(
    ui: &mut egui::Ui,
    view: &mut RecommendView,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    let running = view.evaluation_job.is_some();
    ui.horizontal_wrapped(|ui| {
        if ui
            .add_enabled(!running, egui::Button::new("Run evaluation"))
            .clicked()
        {
            commands.push(command(RecCommand::Evaluate));
        }
        if running {
            ui.spinner();
            ui.label("Evaluating every method…");
        }
    });
    ui.label(
        RichText::new(format!(
            "Each customer's last product is hidden; every method learns from the rest and \
             suggests {} products; a hit is when the hidden one is among them. Popular is the \
             baseline to beat.",
            crate::workspace::recommend::EVALUATION_K
        ))
        .color(palette.muted_text),
    );
    ui.separator();
    let Some(report) = view.report.clone() else {
        if !running {
            ui.label("Press Run evaluation to compare the methods (it takes a few seconds).");
        }
        return;
    };
    let report = &report;
    ui.strong(format!(
        "At k = {} on {} customers with at least two products",
        report.k,
        thousands(report.users as u64)
    ));
    ui.add_space(4.0);
    egui::Grid::new("rec_eval_table")
        .striped(true)
        .num_columns(6)
        .spacing([24.0, 4.0])
        .show(ui, |ui| {
            for h in [
                "Method",
                "Hit rate",
                "Precision",
                "Recall",
                "NDCG",
                "Catalogue coverage",
            ] {
                ui.strong(h);
            }
            ui.end_row();
            for m in &report.methods {
                let name = ui.label(method_name(m));
                if let Some(note) = &m.note
                    && m.available
                {
                    name.on_hover_text(note);
                }
                if !m.available {
                    // Its figures are popularity's: not shown as its own.
                    ui.label(
                        RichText::new(m.note.as_deref().unwrap_or("not available"))
                            .color(palette.muted_text),
                    );
                    ui.end_row();
                    continue;
                }
                let x = &m.metrics;
                ui.label(percent(x.hit_rate));
                ui.label(percent(x.precision));
                ui.label(percent(x.recall));
                ui.label(format!("{:.3}", x.ndcg));
                ui.label(percent(x.coverage));
                ui.end_row();
            }
        });
    ui.add_space(theme::SECTION_SPACING);
    ui.horizontal(|ui| {
        ui.strong("Every method against popularity");
        view.evaluation_png
            .button(ui, || "recommendation-evaluation.png".to_string());
        view.evaluation_png.status_ui(ui, palette);
    });
    let left_out: Vec<&str> = report
        .methods
        .iter()
        .filter(|m| !m.available)
        .map(|m| m.method.label())
        .collect();
    if !left_out.is_empty() {
        ui.label(
            RichText::new(format!(
                "Not charted (not available on this data): {}",
                left_out.join(", ")
            ))
            .color(palette.muted_text),
        );
    }
    // The legend and both charts, as one image.
    let rect = ui
        .vertical(|ui| evaluation_chart_ui(ui, report))
        .response
        .rect;
    view.evaluation_png.set_rect(rect);
    let _ = view.evaluation_png.ui(ui.ctx(), "Save chart as PNG");
}

/// A metric's name and how to read it from the metrics.
type MetricColumn = (&'static str, fn(&Metrics) -> f64);

/// The accuracy metrics, charted together.
const ACCURACY: [MetricColumn; 4] = [
    ("Hit rate", |m| m.hit_rate),
    ("Precision", |m| m.precision),
    ("Recall", |m| m.recall),
    ("NDCG", |m| m.ndcg),
];

/// Catalogue coverage, charted apart (it is on another scale).
const COVERAGE: [MetricColumn; 1] = [("Catalogue coverage", |m| m.coverage)];

/// A method's name in the evaluation table and charts: popularity is the baseline, the hybrid
/// blends the Customer tab's weights.
fn method_name(m: &MethodMetrics) -> String {
    match m.method {
        RecMethod::Popular => format!("{} (baseline)", m.method.label()),
        RecMethod::Hybrid => format!("{} (your weights)", m.method.label()),
        other => other.label().to_string(),
    }
}

/// The methods charted: those the data supports (the others would copy popularity's bars).
fn charted(report: &Report) -> Vec<&MethodMetrics> {
    report.methods.iter().filter(|m| m.available).collect()
}

/// Two grouped bar charts (accuracy, coverage): one group per metric, one bar per available
/// method, popularity in grey as the baseline.
fn evaluation_chart_ui(ui: &mut egui::Ui, report: &Report) {
    ui.horizontal_wrapped(|ui| {
        for mm in charted(report) {
            let (colour, label) = method_style(mm);
            let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 2.0, colour);
            ui.label(label);
            ui.add_space(8.0);
        }
    });
    let height = (ui.available_height() - 8.0).max(180.0);
    let width = ui.available_width();
    ui.horizontal(|ui| {
        grouped_chart_ui(
            ui,
            "rec_eval_accuracy",
            report,
            &ACCURACY,
            width * 0.68,
            height,
        );
        grouped_chart_ui(
            ui,
            "rec_eval_coverage",
            report,
            &COVERAGE,
            width * 0.3,
            height,
        );
    });
}

/// A method's colour and name in the evaluation charts (popularity grey, the baseline).
fn method_style(m: &MethodMetrics) -> (egui::Color32, String) {
    let colour = if m.method == RecMethod::Popular {
        theme::BASELINE_COLOUR
    } else {
        theme::method_colour(method_index(m.method))
    };
    (colour, method_name(m))
}

fn grouped_chart_ui(
    ui: &mut egui::Ui,
    id: &str,
    report: &Report,
    metrics: &'static [MetricColumn],
    width: f32,
    height: f32,
) {
    let shown = charted(report);
    let m = shown.len().max(1);
    let bar_width = 0.8 / m as f64;
    let mut charts = Vec::new();
    for (j, mm) in shown.into_iter().enumerate() {
        let (colour, label) = method_style(mm);
        let bars: Vec<Bar> = metrics
            .iter()
            .enumerate()
            .map(|(g, (name, value))| {
                Bar::new(
                    g as f64 - 0.4 + bar_width * (j as f64 + 0.5),
                    value(&mm.metrics),
                )
                .width(bar_width * 0.9)
                .name(*name)
                .fill(colour)
                .stroke(egui::Stroke::NONE)
            })
            .collect();
        let method = label.clone();
        charts.push(
            BarChart::new(label, bars)
                .color(colour)
                .element_formatter(Box::new(move |bar, _| {
                    let value = if bar.name == "NDCG" {
                        format!("{:.3}", bar.value)
                    } else {
                        percent(bar.value)
                    };
                    format!("{method}\n{}: {value}", bar.name)
                })),
        );
    }
    let n = metrics.len();
    let label_of = move |x: f64| -> String {
        let r = x.round();
        if (x - r).abs() > 1e-6 || r < 0.0 {
            return String::new();
        }
        metrics
            .get(r as usize)
            .map(|(name, _)| name.to_string())
            .unwrap_or_default()
    };
    Plot::new(id)
        .width(width)
        .height(height)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .include_y(0.0)
        .include_x(-0.5)
        .include_x(n as f64 - 0.5)
        .show_grid([false, true])
        .x_grid_spacer(move |_| {
            (0..n)
                .map(|i| egui_plot::GridMark {
                    value: i as f64,
                    step_size: 1.0,
                })
                .collect()
        })
        .custom_x_axes(vec![
            AxisHints::new_x().formatter(move |mark, _| label_of(mark.value)),
        ])
        .custom_y_axes(vec![
            AxisHints::new_y().formatter(|mark, _| format!("{:.0}%", mark.value * 100.0)),
        ])
        .show(ui, |plot| {
            for c in charts {
                plot.bar_chart(c);
            }
        });
}

fn segment_tab_ui(
    ui: &mut egui::Ui,
    view: &mut RecommendView,
    db_folder: Option<&std::path::Path>,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    let list = match view.segments_state() {
        SegmentsState::Listed(list) => list,
        SegmentsState::Reading => {
            ui.add_space(theme::SECTION_SPACING);
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(READING_SEGMENTS);
            });
            return;
        }
        SegmentsState::None => {
            ui.add_space(theme::SECTION_SPACING);
            ui.label("No stored segmentation: run one in the Segments panel first.");
            if ui.button("Go to Segments").clicked() {
                commands.push(Command::ShowPanel(crate::app::Panel::Segments));
            }
            return;
        }
    };
    let unavailable = unavailable_list(view);
    let controls = view.controls;
    let tab = &mut view.segment_tab;
    let running = tab.job.is_some();
    ui.horizontal_wrapped(|ui| {
        ui.label("Segment");
        segment_combo(ui, &list, &mut tab.segment);
        ui.add_space(8.0);
        ui.label("Method");
        method_combo(ui, "rec_segment_method", &mut tab.method, &unavailable);
        ui.add_space(8.0);
        ui.label("Items per customer");
        ui.add(egui::Slider::new(&mut tab.per_customer, PER_CUSTOMER_RANGE));
        ui.add_space(8.0);
        let go = ui.add_enabled(
            tab.segment.is_some() && !running,
            egui::Button::new("Recommend for segment"),
        );
        if go.clicked()
            && let Some(segment) = tab.segment
        {
            // The Customer tab's hybrid weights and repeat-purchase choice apply here too.
            commands.push(command(RecCommand::RecommendSegment {
                segment,
                request: controls.segment_request(tab),
            }));
        }
        if running {
            ui.spinner();
        }
    });
    ui.label(
        RichText::new(format!(
            "Segments of the segmentation stored on {} (run {}). The hybrid weights and \
             \"Include products they already have\" come from the Customer tab.",
            list.created_at.replace('T', " ").trim_end_matches('Z'),
            list.run_id
        ))
        .color(palette.muted_text),
    );
    ui.separator();
    let Some(recs) = tab.recs.clone() else {
        if !running {
            ui.label(
                "Choose a segment and press Recommend for segment to list everyone's top products.",
            );
        }
        return;
    };
    ui.horizontal_wrapped(|ui| {
        ui.strong(format!(
            "{} by {}: {} for {}",
            recs.segment_name,
            recs.request.method.label(),
            crate::format::count(recs.rows.len() as u64, "row", "rows"),
            crate::format::count(recs.customers as u64, "customer", "customers"),
        ));
        if recs.missing > 0 {
            ui.label(
                RichText::new(format!(
                    "{} of the stored run are no longer in the data",
                    crate::format::count(recs.missing as u64, "customer", "customers")
                ))
                .color(palette.notice_text),
            );
        }
        if ui.button("Export CSV…").clicked() {
            let file = format!("recommendations-{}.csv", slug(&recs.segment_name));
            tab.export = Some(
                db_folder.map_or_else(|| file.clone(), |d| d.join(&file).display().to_string()),
            );
        }
    });
    if let Some(summary) = &view.segment_tab.exported {
        crate::app::panels::export_outcome::export_outcome_ui(ui, summary, palette);
    }
    segment_table_ui(ui, &recs);
    export_dialog_ui(ui.ctx(), view, commands);
}

fn segment_combo(ui: &mut egui::Ui, list: &SegmentList, segment: &mut Option<usize>) {
    let selected = segment
        .and_then(|id| list.segments.iter().find(|s| s.id == id))
        .map_or_else(|| "Choose a segment".to_string(), segment_text);
    egui::ComboBox::from_id_salt("rec_segment")
        .selected_text(selected)
        .width(220.0)
        .show_ui(ui, |ui| {
            for s in &list.segments {
                if ui
                    .selectable_label(*segment == Some(s.id), segment_text(s))
                    .clicked()
                {
                    *segment = Some(s.id);
                }
            }
        });
}

fn segment_table_ui(ui: &mut egui::Ui, recs: &crate::workspace::recommend::SegmentRecs) {
    let row_height = theme::grid_row_height(ui);
    TableBuilder::new(ui)
        .id_salt("rec_segment_table")
        .striped(true)
        .resizable(true)
        .animate_scrolling(false)
        .auto_shrink([false, false])
        .cell_layout(Layout::left_to_right(Align::Center))
        .column(Column::initial(110.0).at_least(60.0).clip(true))
        .column(Column::initial(50.0).at_least(40.0))
        .column(Column::initial(100.0).at_least(60.0).clip(true))
        .column(Column::initial(240.0).at_least(80.0).clip(true))
        .column(Column::initial(70.0).at_least(50.0))
        .column(Column::remainder().at_least(120.0).clip(true))
        .header(row_height, |mut header| {
            for h in [
                "Customer id",
                "Rank",
                "Product id",
                "Name",
                "Score",
                "Top reason",
            ] {
                header.col(|ui| {
                    ui.strong(h);
                });
            }
        })
        .body(|body| {
            body.rows(row_height, recs.rows.len(), |mut row| {
                let Some(r) = recs.rows.get(row.index()) else {
                    return;
                };
                row.col(|ui| {
                    ui.label(&r.customer_id);
                });
                row.col(|ui| {
                    ui.label(r.rank.to_string());
                });
                row.col(|ui| {
                    ui.label(&r.product_id);
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(&r.name).truncate());
                });
                row.col(|ui| {
                    ui.label(score_text(r.score));
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(&r.reason).truncate())
                        .on_hover_text(&r.reason);
                });
            });
        });
}

/// A file name part from a segment name: "High-value loyal" → "high-value-loyal".
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if s.is_empty() {
        "segment".to_string()
    } else {
        s
    }
}

fn export_dialog_ui(ctx: &egui::Context, view: &mut RecommendView, commands: &mut Vec<Command>) {
    let picker = &mut view.export_picker;
    let tab = &mut view.segment_tab;
    let Some(path_text) = tab.export.as_mut() else {
        return;
    };
    let rows = tab.recs.as_ref().map_or(0, |r| r.rows.len());
    let mut keep = true;
    egui::Window::new("Export recommendations")
        .collapsible(false)
        .resizable(false)
        .default_width(theme::DIALOG_WIDTH)
        .anchor(egui::Align2::CENTER_TOP, [0.0, 60.0])
        .show(ctx, |ui| {
            ui.label(format!(
                "Writes {} as CSV or XLSX (by the file's extension): customer_id, the \
                 customer's non-personal columns, rank, product_id, name, score, top_reason. \
                 Customers without consent are left out and the file is recorded in the \
                 database's export log.",
                crate::format::count(rows as u64, "row", "rows")
            ));
            ui.add_space(6.0);
            ui.label("File");
            ui.horizontal(|ui| {
                let edit = ui.add(
                    egui::TextEdit::singleline(path_text)
                        .desired_width(theme::DIALOG_WIDTH - 110.0),
                );
                if edit.lost_focus()
                    && ui.input(|i| i.key_pressed(egui::Key::Enter))
                    && let Some(path) = typed_path(path_text)
                {
                    commands.push(command(RecCommand::Export { path }));
                }
                if let Some(path) = picker.poll_one() {
                    *path_text = path.display().to_string();
                }
                if picker.browse_button(ui) {
                    // Without a desktop portal this answers at once with nothing: the typed path
                    // remains.
                    let current = typed_path(path_text);
                    picker.open(
                        ctx,
                        table_save_dialog(current.as_deref()),
                        PickKind::SaveFile,
                    );
                }
            });
            ui.add_space(theme::SECTION_SPACING);
            ui.horizontal(|ui| {
                let path = typed_path(path_text);
                if ui
                    .add_enabled(path.is_some(), egui::Button::new("Export"))
                    .clicked()
                    && let Some(path) = path
                {
                    commands.push(command(RecCommand::Export { path }));
                }
                if ui.button("Cancel").clicked() {
                    keep = false;
                }
            });
        });
    if !keep {
        tab.export = None;
    }
}
