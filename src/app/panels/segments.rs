//! Segments: controls, headline numbers, the PCA scatter, k-selection charts, segment cards with
//! profiles and renaming, and the selected segment's customers (sortable, exportable).

use egui::{Align, Layout, RichText};
use egui_extras::{Column, TableBuilder};
use egui_plot::{AxisHints, Bar, BarChart, HoverPosition, Line, Plot, PlotPoints, Points, VLine};

use crate::app::file_picker::{PickKind, table_save_dialog};
use crate::app::panels::dialogs::typed_path;
use crate::app::panels::export_outcome::export_outcome_ui;
use crate::app::segments::{ExportDialog, SegmentCommand, SegmentsView, Shown, command};
use crate::app::theme::{self, Palette};
use crate::app::{Command, DbView};
use crate::data::TableKind;
use crate::format::{percent, thousands};
use crate::models::segment::profile::SegmentProfile;
use crate::models::segment::run::SegmentMethod;
use crate::workspace::segments::SegmentResult;
use crate::workspace::segments::number;

/// Features shown in a card's profile chart (those that differ most from the average).
const PROFILE_FEATURES: usize = 6;

/// The message shown for RFM on a database without transactions.
pub const NO_TRANSACTIONS: &str =
    "No transactions table: import a transactions file to see RFM segments";

/// Draws the panel.
pub fn segments_ui(
    ui: &mut egui::Ui,
    db: &DbView,
    view: &mut SegmentsView,
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
            ui.heading("Segments");
            ui.add_space(theme::SECTION_SPACING);
            ui.label("Open or import a database first: use Open… or Import… at the top.");
            return;
        }
        DbView::Open(info) => info,
    };
    if !info
        .tables
        .iter()
        .any(|t| matches!(t.kind, TableKind::Customers | TableKind::Transactions) && t.rows > 0)
    {
        ui.heading("Segments");
        ui.add_space(theme::SECTION_SPACING);
        ui.label("No customers yet: import a customers or transactions file to segment them.");
        if ui.button("Import…").clicked() {
            commands.push(Command::ShowImportDialog);
        }
        return;
    }
    if !view.requested_last {
        view.requested_last = true;
        commands.push(command(SegmentCommand::ShowLast));
    }
    let has_transactions = info
        .tables
        .iter()
        .any(|t| t.kind == TableKind::Transactions && t.rows > 0);
    let rfm_impossible = view.controls.method == SegmentMethod::Rfm && !has_transactions;

    controls_ui(ui, view, rfm_impossible, busy, commands);
    if rfm_impossible {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.label(RichText::new(NO_TRANSACTIONS).color(palette.notice_text));
            if ui.button("Import…").clicked() {
                commands.push(Command::ShowImportDialog);
            }
        });
    }
    ui.separator();

    let Some(shown) = view.shown.clone() else {
        ui.add_space(theme::SECTION_SPACING);
        if view.running {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Segmenting customers…");
            });
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
    headline_ui(ui, &shown.result, view.running, &palette);
    ui.separator();

    egui::Panel::left("segment_cards")
        .resizable(true)
        .default_size(theme::SEGMENT_CARDS_WIDTH)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("segment_cards_scroll")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    cards_ui(ui, &shown, view, info.path.parent(), &palette, commands);
                });
        });

    let height = ui.available_height();
    let charts_height = (height * theme::SCATTER_HEIGHT_SHARE).max(180.0);
    ui.horizontal(|ui| {
        ui.set_height(charts_height);
        let has_k_charts = shown.result.run.k_scores.len() > 1;
        let scatter_width = if has_k_charts {
            (ui.available_width() - theme::K_CHART_WIDTH - 8.0).max(200.0)
        } else {
            ui.available_width()
        };
        ui.vertical(|ui| {
            ui.set_width(scatter_width);
            let folder = info.path.parent().map(std::path::Path::to_path_buf);
            ui.horizontal(|ui| {
                view.scatter_png.button(ui, || {
                    let file = "segments-scatter.png";
                    folder.map_or_else(|| file.to_string(), |d| d.join(file).display().to_string())
                });
                view.scatter_png.status_ui(ui, &palette);
            });
            // The whole chart, axes and labels included.
            let rect = ui
                .vertical(|ui| scatter_ui(ui, &shown, charts_height - 30.0, &palette))
                .response
                .rect;
            view.scatter_png.set_rect(rect);
        });
        if has_k_charts {
            ui.vertical(|ui| {
                let folder = info.path.parent().map(std::path::Path::to_path_buf);
                ui.horizontal(|ui| {
                    view.k_png.button(ui, || {
                        let file = "segments-k-selection.png";
                        folder.map_or_else(
                            || file.to_string(),
                            |d| d.join(file).display().to_string(),
                        )
                    });
                    view.k_png.status_ui(ui, &palette);
                });
                // Both charts with their titles, as one image.
                let rect = ui
                    .vertical(|ui| k_charts_ui(ui, &shown.result, charts_height - 30.0))
                    .response
                    .rect;
                view.k_png.set_rect(rect);
            });
        }
    });
    ui.separator();
    customers_ui(ui, &shown, view, info.path.parent(), &palette);
    export_dialog_ui(ui.ctx(), view, commands);
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

fn headline_ui(ui: &mut egui::Ui, result: &SegmentResult, running: bool, palette: &Palette) {
    let run = &result.run;
    ui.horizontal(|ui| {
        let big = |ui: &mut egui::Ui, value: String, caption: &str, hint: &str| {
            ui.vertical(|ui| {
                ui.label(
                    RichText::new(value)
                        .size(theme::HEADLINE_TEXT_SIZE)
                        .strong(),
                );
                ui.label(RichText::new(caption).color(palette.muted_text))
                    .on_hover_text(hint);
            });
            ui.add_space(theme::SECTION_SPACING * 2.0);
        };
        big(
            ui,
            run.segments.len().to_string(),
            "segments",
            "Non-empty segments in this run",
        );
        big(
            ui,
            thousands(run.labels.len() as u64),
            "customers",
            "Every customer belongs to exactly one segment",
        );
        big(
            ui,
            run.silhouette
                .map_or("–".to_string(), |s| format!("{s:.2}")),
            "silhouette",
            "How well separated the segments are, from −1 to 1 (higher is better; above 0.25 \
             is a usable structure). Measured on a seeded sample.",
        );
        ui.vertical(|ui| {
            let mut what = format!("{}, seed {}", run.params.method.label(), run.params.seed);
            if run.params.method == SegmentMethod::Kmeans {
                what.push_str(&format!(", {} restarts", run.params.restarts));
            }
            if let Some(id) = result.run_id {
                what.push_str(&format!(", stored as run {id}"));
            } else {
                what.push_str(", not stored");
            }
            ui.label(RichText::new(what).color(palette.muted_text));
            if running {
                ui.label(RichText::new("A new run is in progress…").color(palette.muted_text));
            }
        });
    });
    let (used, left_out) = run.columns();
    ui.horizontal_wrapped(|ui| {
        ui.strong("Columns used");
        ui.label(if used.is_empty() {
            "none (purchase behaviour only)".to_string()
        } else {
            used.join(", ")
        });
        if !left_out.is_empty() {
            ui.add_space(theme::SECTION_SPACING);
            ui.strong("Left out (reason)");
            let parts: Vec<String> = left_out
                .iter()
                .map(|l| format!("{} ({})", l.column, l.reason))
                .collect();
            ui.label(parts.join(", "));
        }
    });
}

/// A feature name for people: `recency_days` → "Recency (days)".
pub fn feature_label(name: &str) -> String {
    match name {
        "recency_days" => return "Recency (days)".to_string(),
        "frequency" => return "Frequency".to_string(),
        "monetary" => return "Monetary".to_string(),
        "tenure_days" => return "Tenure (days)".to_string(),
        "avg_basket" => return "Average basket".to_string(),
        _ => {}
    }
    if let Some(category) = name.strip_prefix("share_") {
        return format!("Share spent on {category}");
    }
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn cards_ui(
    ui: &mut egui::Ui,
    shown: &Shown,
    view: &mut SegmentsView,
    folder: Option<&std::path::Path>,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    let result = &shown.result;
    let mut segments: Vec<&SegmentProfile> = result.run.segments.iter().collect();
    segments.sort_by(|a, b| b.size.cmp(&a.size).then(a.id.cmp(&b.id)));
    for s in segments {
        let selected = view.selected == Some(s.id);
        let colour = theme::segment_colour(s.id);
        let stroke = if selected {
            egui::Stroke::new(2.0, colour)
        } else {
            ui.visuals().widgets.noninteractive.bg_stroke
        };
        let frame = egui::Frame::group(ui.style())
            .stroke(stroke)
            .inner_margin(egui::Margin::same(8));
        frame.show(ui, |ui| {
            ui.set_width(ui.available_width());
            card_ui(ui, s, result, view, folder, palette, commands);
        });
        ui.add_space(6.0);
    }
}

fn card_ui(
    ui: &mut egui::Ui,
    s: &SegmentProfile,
    result: &SegmentResult,
    view: &mut SegmentsView,
    folder: Option<&std::path::Path>,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    let colour = theme::segment_colour(s.id);
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
        ui.painter().circle_filled(rect.center(), 6.0, colour);
        match &mut view.renaming {
            Some((id, text)) if *id == s.id => {
                let mut output = egui::TextEdit::singleline(text)
                    .desired_width(ui.available_width() - 120.0)
                    .hint_text(s.auto_name.as_str())
                    .show(ui);
                if std::mem::take(&mut view.rename_focus) {
                    // Start with the whole name selected, so typing replaces it.
                    output.response.request_focus();
                    let all = egui::text::CCursorRange::two(
                        egui::text::CCursor::new(0),
                        egui::text::CCursor::new(text.chars().count()),
                    );
                    output.state.cursor.set_char_range(Some(all));
                    output.state.store(ui.ctx(), output.response.id);
                }
                let edit = output.response;
                let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if ui.button("Save").clicked() || enter {
                    commands.push(command(SegmentCommand::Rename {
                        auto_name: s.auto_name.clone(),
                        name: text.trim().to_string(),
                    }));
                }
                if ui.button("Cancel").clicked() {
                    view.renaming = None;
                }
            }
            _ => {
                if ui
                    .selectable_label(view.selected == Some(s.id), RichText::new(&s.name).strong())
                    .on_hover_text("Show this segment's customers")
                    .clicked()
                {
                    view.select(s.id);
                }
                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                    if ui
                        .small_button("Rename…")
                        .on_hover_text(format!(
                            "Give this segment your own name (the rule calls it {})",
                            s.auto_name
                        ))
                        .clicked()
                    {
                        view.renaming = Some((s.id, s.name.clone()));
                        view.rename_focus = true;
                    }
                });
            }
        }
    });
    if s.name != s.auto_name {
        ui.label(
            RichText::new(format!("Automatic name {}", s.auto_name)).color(palette.muted_text),
        );
    }
    ui.label(format!(
        "{} · {} of customers · {} of revenue",
        crate::format::count(s.size as u64, "customer", "customers"),
        percent(s.customer_share),
        percent(s.revenue_share)
    ));
    if !s.top_categories.is_empty() {
        let parts: Vec<String> = s
            .top_categories
            .iter()
            .take(3)
            .map(|(c, share)| format!("{c} {}", percent(*share)))
            .collect();
        ui.label(format!("Top categories {}", parts.join(", ")));
    }
    if let Some(churn) = s.churn_share {
        ui.label(format!("Churned {}", percent(churn)));
    }
    let saver = view.profile_png.entry(s.id).or_default();
    ui.horizontal_wrapped(|ui| {
        saver.button(ui, || {
            let file = format!("segment-{}-profile.png", s.id);
            folder.map_or_else(|| file.clone(), |d| d.join(&file).display().to_string())
        });
        saver.status_ui(ui, palette);
    });
    // The whole chart, axes and labels included.
    let rect = ui
        .vertical(|ui| profile_chart_ui(ui, s, result))
        .response
        .rect;
    saver.set_rect(rect);
}

fn profile_chart_ui(ui: &mut egui::Ui, s: &SegmentProfile, result: &SegmentResult) {
    let names = &result.run.features.names;
    let mut top: Vec<(usize, f64)> =
        s.z.iter()
            .copied()
            .enumerate()
            .filter(|(_, z)| z.is_finite())
            .collect();
    top.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    top.truncate(PROFILE_FEATURES);
    if top.is_empty() {
        return;
    }
    let labels: Vec<String> = top
        .iter()
        .map(|(j, _)| feature_label(names.get(*j).map_or("", String::as_str)))
        .collect();
    let m = top.len();
    let colour = theme::segment_colour(s.id);
    // The largest difference on top.
    let bars: Vec<Bar> = top
        .iter()
        .enumerate()
        .map(|(rank, (_, z))| {
            Bar::new((m - 1 - rank) as f64, *z)
                .name(labels.get(rank).cloned().unwrap_or_default())
                .fill(colour)
                .width(0.7)
                .base_offset(0.0)
                .horizontal()
                .stroke(egui::Stroke::NONE)
        })
        .collect();
    let max = top.iter().map(|(_, z)| z.abs()).fold(0.5, f64::max) * 1.1;
    let chart = BarChart::new("profile", bars)
        .horizontal()
        .color(colour)
        .element_formatter(Box::new(|bar, _| {
            format!("{}: {:+.2} standard deviations", bar.name, bar.value)
        }));
    let label_of = move |y: f64| -> String {
        let r = y.round();
        if (y - r).abs() > 1e-6 || r < 0.0 {
            return String::new();
        }
        let rank = m.saturating_sub(1 + r as usize);
        labels.get(rank).cloned().unwrap_or_default()
    };
    Plot::new(("profile_chart", s.id))
        .height(theme::PROFILE_BAR_HEIGHT * m as f32 + 36.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_grid([true, false])
        .include_x(-max)
        .include_x(max)
        .include_y(-0.6)
        .include_y(m as f64 - 0.4)
        .y_grid_spacer(move |_| {
            (0..m)
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
                .min_thickness(130.0),
        ])
        .x_axis_label(RichText::new("Standard deviations from the average").small())
        .show(ui, |plot| plot.bar_chart(chart));
}

fn scatter_ui(ui: &mut egui::Ui, shown: &Shown, height: f32, palette: &Palette) -> egui::Rect {
    let result = &shown.result;
    let run = &result.run;
    let n = run.labels.len();
    let p = &run.projection;
    // Wrapped, so a long note never widens the column and pushes the k charts off screen.
    ui.horizontal_wrapped(|ui| {
        ui.strong("Customers in two dimensions");
        ui.label(RichText::new("colours as on the segment cards").color(palette.muted_text));
        if result.scatter_points < n {
            ui.label(
                RichText::new(format!(
                    "a sample of {} of {}",
                    thousands(result.scatter_points as u64),
                    thousands(n as u64)
                ))
                .color(palette.muted_text),
            );
        }
    });
    let axis = |i: usize| {
        let explained = p.explained.get(i).copied().unwrap_or(0.0);
        let top = p.top_loading.get(i).map_or("", String::as_str);
        format!(
            "Component {} ({} of variance, mostly {})",
            i + 1,
            percent(explained),
            feature_label(top).to_lowercase()
        )
    };
    let series = &shown.series;
    let hover = move |pos: &HoverPosition<'_>| -> Option<String> {
        let HoverPosition::NearDataPoint {
            plot_name, index, ..
        } = pos
        else {
            return None;
        };
        let s = series
            .iter()
            .find(|s| run.segment(s.segment).is_some_and(|p| p.name == *plot_name))?;
        let customer = *s.customers.get(*index)? as usize;
        let mut text = format!("{}\n{}", result.customer_ids.get(customer)?, plot_name);
        let raw = run.features.raw_row(customer);
        let parts: Vec<String> = result
            .rfm_features
            .iter()
            .zip(["Recency", "Frequency", "Monetary"])
            .filter_map(|(j, label)| {
                let v = raw.get((*j)?)?;
                Some(match label {
                    "Recency" => format!("{label} {} days", number(v.round())),
                    _ => format!("{label} {}", number(*v)),
                })
            })
            .collect();
        if !parts.is_empty() {
            text.push('\n');
            text.push_str(&parts.join(" · "));
        }
        Some(text)
    };
    Plot::new("segment_scatter")
        .height((height - 30.0).max(120.0))
        .x_axis_label(RichText::new(axis(0)).small())
        .y_axis_label(RichText::new(axis(1)).small())
        .label_formatter(hover)
        .show(ui, |plot| {
            for s in series.iter() {
                let name = run.segment(s.segment).map_or("", |p| p.name.as_str());
                plot.points(
                    Points::new(name, PlotPoints::Borrowed(&s.points))
                        .color(theme::segment_colour(s.segment))
                        .radius(theme::SCATTER_POINT_RADIUS)
                        .filled(true),
                );
            }
        })
        .response
        .rect
}

fn k_charts_ui(ui: &mut egui::Ui, result: &SegmentResult, height: f32) {
    let scores = &result.run.k_scores;
    let chosen = result.run.k as f64;
    let each = ((height - 50.0) / 2.0).max(60.0);
    let chart = |ui: &mut egui::Ui, id: &str, title: &str, y: &str, values: Vec<[f64; 2]>| {
        ui.strong(title);
        Plot::new(id)
            .width(theme::K_CHART_WIDTH)
            .height(each)
            .allow_zoom(false)
            .allow_drag(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .x_axis_label("Number of segments (k)")
            .y_axis_label(y)
            .show(ui, |plot| {
                plot.vline(VLine::new("chosen k", chosen).color(egui::Color32::GRAY));
                plot.line(Line::new(title, values.clone()));
                plot.points(Points::new(title, values).radius(3.0));
            });
    };
    let silhouettes: Vec<[f64; 2]> = scores.iter().map(|s| [s.k as f64, s.silhouette]).collect();
    let inertias: Vec<[f64; 2]> = scores.iter().map(|s| [s.k as f64, s.inertia]).collect();
    chart(
        ui,
        "k_silhouette",
        "Silhouette by k",
        "Silhouette",
        silhouettes,
    );
    chart(ui, "k_inertia", "Inertia by k (elbow)", "Inertia", inertias);
}

fn customers_ui(
    ui: &mut egui::Ui,
    shown: &Shown,
    view: &mut SegmentsView,
    db_folder: Option<&std::path::Path>,
    palette: &Palette,
) {
    let result = &shown.result;
    let Some(segment) = view.selected.and_then(|id| result.run.segment(id)) else {
        ui.label("Choose a segment on the left to list its customers.");
        return;
    };
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
        ui.painter()
            .circle_filled(rect.center(), 6.0, theme::segment_colour(segment.id));
        ui.strong(format!("Customers in {}", segment.name));
        ui.label(
            RichText::new(crate::format::count(
                view.rows.len() as u64,
                "customer",
                "customers",
            ))
            .color(palette.muted_text),
        );
        if ui.button("Export segment…").clicked() {
            let file = format!("{}.csv", slug(&segment.name));
            let path =
                db_folder.map_or_else(|| file.clone(), |d| d.join(&file).display().to_string());
            view.export = Some(ExportDialog {
                path,
                segment: segment.id,
            });
        }
    });
    if let Some((exported, summary)) = &view.exported
        && *exported == segment.id
    {
        export_outcome_ui(ui, summary, palette);
    }
    let row_height = theme::grid_row_height(ui);
    let columns = &result.columns;
    let (sort_column, descending) = view.sort;
    let mut clicked_sort = None;
    let rows = &view.rows;
    TableBuilder::new(ui)
        .id_salt("segment_customers")
        .striped(true)
        .resizable(true)
        .animate_scrolling(false)
        .auto_shrink([false, false])
        .cell_layout(Layout::left_to_right(Align::Center))
        .columns(
            Column::initial(theme::GRID_COLUMN_WIDTH)
                .at_least(theme::GRID_COLUMN_MIN_WIDTH)
                .clip(true),
            columns.len(),
        )
        .header(row_height, |mut header| {
            for (i, c) in columns.iter().enumerate() {
                header.col(|ui| {
                    if ui
                        .add(egui::Button::new(RichText::new(&c.title).strong()).frame(false))
                        .on_hover_text("Sort by this column (again to reverse)")
                        .clicked()
                    {
                        clicked_sort = Some(i);
                    }
                    if i == sort_column {
                        sort_arrow(ui, descending);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(row_height, rows.len(), |mut row| {
                let Some(&customer) = rows.get(row.index()) else {
                    return;
                };
                for c in columns {
                    row.col(|ui| {
                        let text = result.text(customer as usize, c.source);
                        ui.add(egui::Label::new(text).truncate());
                    });
                }
            });
        });
    if let Some(i) = clicked_sort {
        view.sort_by(i);
    }
}

/// A small triangle after the sorted column's title: up when ascending, down when descending
/// (painted, so it needs no glyph from the font).
fn sort_arrow(ui: &mut egui::Ui, descending: bool) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    let c = rect.center();
    let (tip, base) = if descending { (4.0, -4.0) } else { (-4.0, 4.0) };
    let points = vec![
        egui::pos2(c.x, c.y + tip),
        egui::pos2(c.x - 4.0, c.y + base),
        egui::pos2(c.x + 4.0, c.y + base),
    ];
    let colour = ui.visuals().strong_text_color();
    ui.painter().add(egui::Shape::convex_polygon(
        points,
        colour,
        egui::Stroke::NONE,
    ));
}

/// A file name from a segment name: "High-value loyal" → "high-value-loyal".
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
        format!("segment-{s}")
    }
}

fn export_dialog_ui(ctx: &egui::Context, view: &mut SegmentsView, commands: &mut Vec<Command>) {
    let picker = &mut view.export_picker;
    let Some(dialog) = view.export.as_mut() else {
        return;
    };
    let mut keep = true;
    let name = view
        .shown
        .as_ref()
        .and_then(|s| s.result.run.segment(dialog.segment))
        .map(|s| (s.name.clone(), s.size))
        .unwrap_or_default();
    egui::Window::new("Export segment")
        .collapsible(false)
        .resizable(false)
        .default_width(theme::DIALOG_WIDTH)
        .anchor(egui::Align2::CENTER_TOP, [0.0, 60.0])
        .show(ctx, |ui| {
            ui.label(format!(
                "Writes the {} in {} as CSV or XLSX (by the file's extension): customer_id, \
                 their non-personal columns, segment_id, segment_name. Customers without \
                 consent are left out and the file is recorded in the database's export log.",
                crate::format::count(name.1 as u64, "customer", "customers"),
                name.0
            ));
            ui.add_space(6.0);
            ui.label("File");
            ui.horizontal(|ui| {
                let edit = ui.add(
                    egui::TextEdit::singleline(&mut dialog.path)
                        .desired_width(theme::DIALOG_WIDTH - 110.0),
                );
                if edit.lost_focus()
                    && ui.input(|i| i.key_pressed(egui::Key::Enter))
                    && let Some(path) = typed_path(&dialog.path)
                {
                    commands.push(command(SegmentCommand::Export {
                        path,
                        segment: dialog.segment,
                    }));
                }
                if let Some(path) = picker.poll_one() {
                    dialog.path = path.display().to_string();
                }
                if picker.browse_button(ui) {
                    // Without a desktop portal this answers at once with nothing: the typed path
                    // remains.
                    let current = typed_path(&dialog.path);
                    picker.open(
                        ctx,
                        table_save_dialog(current.as_deref()),
                        PickKind::SaveFile,
                    );
                }
            });
            ui.add_space(theme::SECTION_SPACING);
            ui.horizontal(|ui| {
                let path = typed_path(&dialog.path);
                if ui
                    .add_enabled(path.is_some(), egui::Button::new("Export"))
                    .clicked()
                    && let Some(path) = path
                {
                    commands.push(command(SegmentCommand::Export {
                        path,
                        segment: dialog.segment,
                    }));
                }
                if ui.button("Cancel").clicked() {
                    keep = false;
                }
            });
        });
    if !keep {
        view.export = None;
    }
}
