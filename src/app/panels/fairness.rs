//! Fairness: pick a decision, a column and a threshold; see each group's selection rate with
//! its 95% interval against the four-fifths band, the error rates, the flags in words, the
//! features that give the column away, and what leaving one out of the churn model changes.

use egui::{Color32, RichText};
use egui_plot::{AxisHints, Bar, BarChart, HLine, Line, Plot, PlotPoints, Polygon};

use crate::app::fairness::{DecisionKind, FairCommand, FairnessView, command};
use crate::app::theme::{self, Palette};
use crate::app::{Command, DbView, Panel};
use crate::format::{percent, thousands};
use crate::models::fairness::audit::{FOUR_FIFTHS, GroupRates};
use crate::models::fairness::proxy::PROXY_V;
use crate::models::fairness::report::AuditReport;
use crate::workspace::fairness::{FairnessChoices, WhatIf};

/// The button next to each proxy.
pub const WHAT_IF_BUTTON: &str = "What if we leave it out?";
/// The button offered when no churn run is stored.
pub const RUN_CHURN_BUTTON: &str = "Run churn model";
/// The button offered when reading the choices failed or was cancelled.
pub const RETRY_BUTTON: &str = "Retry";
/// Said under the headline when small groups are left out of the comparison.
pub const NOT_COMPARED_NOTE: &str = "groups under 30 customers not compared";

/// Draws the panel.
pub fn fairness_ui(
    ui: &mut egui::Ui,
    db: &DbView,
    view: &mut FairnessView,
    busy: bool,
    commands: &mut Vec<Command>,
) {
    let palette = theme::palette(ui.ctx());
    let folder = match db {
        DbView::Open(info) => info.path.parent().map(std::path::Path::to_path_buf),
        _ => None,
    };
    match db {
        DbView::Starting => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Opening the database…");
            });
            return;
        }
        DbView::Empty => {
            ui.heading("Fairness");
            ui.add_space(theme::SECTION_SPACING);
            ui.label("Open or import a database first: use Open… or Import… at the top.");
            return;
        }
        DbView::Open(_) => {}
    }
    // Shown again after another panel: the stored runs may have changed.
    let frame = ui.ctx().cumulative_frame_nr();
    if frame > view.last_frame + 1 {
        view.choices_requested = false;
    }
    view.last_frame = frame;
    if !view.choices_requested {
        view.choices_requested = true;
        commands.push(command(FairCommand::ListChoices));
    }
    if let Some((attribute, decision)) = view.wanted() {
        commands.push(command(FairCommand::Audit {
            attribute,
            decision,
        }));
    }

    ui.horizontal_wrapped(|ui| {
        ui.heading("Fairness");
        ui.add_space(theme::SECTION_SPACING);
        if view.is_stale() && view.available() {
            ui.spinner();
            ui.label(RichText::new("Auditing…").color(palette.muted_text));
        }
    });
    ui.separator();
    if let Some(e) = view.choices_error.clone() {
        // One line and a way out, instead of a spinner that never ends.
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(e).color(palette.error_text));
            if ui.button(RETRY_BUTTON).clicked() {
                commands.push(command(FairCommand::ListChoices));
            }
        });
    }
    let Some(choices) = view.choices.clone() else {
        if view.choices_error.is_none() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Reading what can be audited…");
            });
        }
        return;
    };
    controls_ui(ui, view, &choices);
    ui.add_space(6.0);
    if !missing_ui(ui, view, &choices, busy, &palette, commands) {
        return;
    }
    if let Some(e) = &view.audit_error {
        ui.label(RichText::new(format!("The audit failed: {e}")).color(palette.error_text));
    }
    let Some(report) = view.shown.clone() else {
        return;
    };
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            report_ui(ui, view, &report, folder.as_deref(), &palette, commands);
        });
    // The outcome is shown next to the button.
    let _ = view.rates_png.ui(ui.ctx(), "Save chart as PNG");
}

fn attribute_text(c: &FairnessChoices, name: &str) -> String {
    match c.attributes.iter().find(|a| a.name == name) {
        Some(a) if a.protected => format!("{name} (protected)"),
        _ => name.to_string(),
    }
}

fn controls_ui(ui: &mut egui::Ui, view: &mut FairnessView, c: &FairnessChoices) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Decision");
        egui::ComboBox::from_id_salt("fair_decision")
            .selected_text(view.kind.label())
            .width(220.0)
            .show_ui(ui, |ui| {
                for k in DecisionKind::ALL {
                    ui.selectable_value(&mut view.kind, k, k.label());
                }
            });
        match view.kind {
            DecisionKind::ChurnTop => {
                ui.add(
                    egui::Slider::new(&mut view.fraction, 0.01..=1.0)
                        .step_by(0.01)
                        .custom_formatter(|x, _| format!("{:.0}%", x * 100.0))
                        .custom_parser(|s| {
                            s.trim()
                                .trim_end_matches('%')
                                .parse::<f64>()
                                .ok()
                                .map(|x| x / 100.0)
                        })
                        .text("highest scores"),
                );
            }
            DecisionKind::ChurnAbove => {
                ui.add(
                    egui::Slider::new(&mut view.threshold, 0.01..=0.99)
                        .step_by(0.01)
                        .text("churn probability or more"),
                );
            }
            DecisionKind::Segment => {
                let name = |id: usize| {
                    c.segments
                        .iter()
                        .find(|s| s.id == id)
                        .map_or_else(|| format!("Segment {id}"), |s| s.name.clone())
                };
                egui::ComboBox::from_id_salt("fair_segment")
                    .selected_text(view.segment.map(name).unwrap_or_default())
                    .width(200.0)
                    .show_ui(ui, |ui| {
                        for s in &c.segments {
                            ui.selectable_value(
                                &mut view.segment,
                                Some(s.id),
                                format!("{} ({})", s.name, thousands(s.size as u64)),
                            );
                        }
                    });
            }
            DecisionKind::Recs => {
                egui::ComboBox::from_id_salt("fair_category")
                    .selected_text(view.category.clone().unwrap_or_default())
                    .width(200.0)
                    .show_ui(ui, |ui| {
                        for cat in &c.categories {
                            ui.selectable_value(&mut view.category, Some(cat.clone()), cat);
                        }
                    });
                ui.label(format!(
                    "among each customer's top {}",
                    crate::workspace::fairness::RECS_SHOWN
                ));
            }
        }
        ui.add_space(theme::SECTION_SPACING);
        ui.label("by");
        egui::ComboBox::from_id_salt("fair_attribute")
            .selected_text(
                view.attribute
                    .as_deref()
                    .map(|a| attribute_text(c, a))
                    .unwrap_or_default(),
            )
            .width(200.0)
            .show_ui(ui, |ui| {
                for a in &c.attributes {
                    ui.selectable_value(
                        &mut view.attribute,
                        Some(a.name.clone()),
                        attribute_text(c, &a.name),
                    );
                }
            });
    });
}

/// Explains what is missing for the chosen decision; returns whether it can be audited.
fn missing_ui(
    ui: &mut egui::Ui,
    view: &FairnessView,
    c: &FairnessChoices,
    busy: bool,
    palette: &Palette,
    commands: &mut Vec<Command>,
) -> bool {
    if c.attributes.is_empty() {
        ui.label("The customers table has no column to group by.");
        return false;
    }
    match view.kind {
        DecisionKind::ChurnTop | DecisionKind::ChurnAbove if c.churn_run.is_none() => {
            ui.label(
                RichText::new("No churn model has been run on this database yet: churn decisions audit the stored churn scores.")
                    .color(palette.notice_text),
            );
            ui.horizontal(|ui| {
                if view.churn_job.is_some() {
                    ui.spinner();
                    ui.label("Running the churn model…");
                } else if ui
                    .add_enabled(!busy, egui::Button::new(RUN_CHURN_BUTTON))
                    .on_hover_text(
                        "Runs the churn model with the default settings and stores its scores",
                    )
                    .clicked()
                {
                    commands.push(command(FairCommand::RunChurn));
                }
                if ui.button("Open Churn & value").clicked() {
                    commands.push(Command::ShowPanel(Panel::ChurnValue));
                }
            });
            false
        }
        DecisionKind::Segment if c.segments.is_empty() => {
            ui.label(
                RichText::new("No segmentation is stored: segment the customers first.")
                    .color(palette.notice_text),
            );
            if ui.button("Open Segments").clicked() {
                commands.push(Command::ShowPanel(Panel::Segments));
            }
            false
        }
        DecisionKind::Recs if c.categories.is_empty() => {
            ui.label(
                RichText::new(
                    "Products have no categories: a recommendation audit needs a category column.",
                )
                .color(palette.notice_text),
            );
            false
        }
        _ => true,
    }
}

fn rate(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), percent)
}

fn report_ui(
    ui: &mut egui::Ui,
    view: &mut FairnessView,
    r: &AuditReport,
    folder: Option<&std::path::Path>,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    ui.label(
        RichText::new(format!(
            "{} of {} customers selected ({}) · grouped by {}{}",
            thousands(r.selected),
            thousands(r.customers),
            r.decision,
            r.attribute,
            r.label
                .as_ref()
                .map(|l| format!(" · outcome from {l}"))
                .unwrap_or_default()
        ))
        .color(palette.muted_text),
    );
    ui.add_space(6.0);
    cards_ui(ui, r, palette);
    ui.add_space(theme::SECTION_SPACING);
    ui.horizontal_top(|ui| {
        let width = (ui.available_width() * 0.45).clamp(280.0, 520.0);
        ui.vertical(|ui| {
            ui.set_width(width);
            ui.horizontal_wrapped(|ui| {
                ui.strong("Selection rate by group, with 95% intervals");
                view.rates_png.button(ui, || {
                    let file = format!("fairness-{}-selection-rates.png", r.attribute);
                    folder.map_or_else(|| file.clone(), |d| d.join(&file).display().to_string())
                });
                view.rates_png.status_ui(ui, palette);
            });
            // The whole chart, axes, labels and the band's caption included.
            let rect = ui
                .vertical(|ui| {
                    rates_chart_ui(
                        ui,
                        "fair_rates",
                        &r.groups,
                        &r.not_compared,
                        [width, theme::FAIR_CHART_HEIGHT],
                        palette,
                    );
                })
                .response
                .rect;
            view.rates_png.set_rect(rect);
        });
        ui.add_space(theme::SECTION_SPACING);
        ui.vertical(|ui| {
            ui.strong("Per group");
            groups_table_ui(ui, r);
            ui.add_space(theme::SECTION_SPACING);
            flags_ui(ui, r, palette);
        });
    });
    ui.add_space(theme::SECTION_SPACING);
    proxies_ui(ui, view, r, palette, commands);
    if let Some(e) = &view.what_if_error {
        ui.label(RichText::new(e).color(palette.error_text));
    }
    if let Some(w) = &view.what_if {
        ui.add_space(theme::SECTION_SPACING);
        what_if_ui(ui, w, palette);
    }
    if !r.exposure.is_empty() {
        ui.add_space(theme::SECTION_SPACING);
        exposure_ui(ui, r);
    }
}

fn card(ui: &mut egui::Ui, title: &str, value: String, note: String, colour: Option<Color32>) {
    egui::Frame::group(ui.style())
        .inner_margin(egui::Margin::same(8))
        .show(ui, |ui| {
            ui.set_min_width(200.0);
            ui.vertical(|ui| {
                ui.label(title);
                let mut text = RichText::new(value)
                    .size(theme::HEADLINE_TEXT_SIZE * 0.8)
                    .strong();
                if let Some(c) = colour {
                    text = text.color(c);
                }
                ui.label(text);
                ui.small(note);
            });
        });
}

fn cards_ui(ui: &mut egui::Ui, r: &AuditReport, palette: &Palette) {
    ui.horizontal_wrapped(|ui| {
        // The headline compares the groups the flags judge, so a red card always has a flag.
        let (lo, hi) = r.compared_disparate_impact_ci;
        let di_colour = if r.compared_disparate_impact < FOUR_FIFTHS {
            palette.severity_error
        } else if lo.is_finite() && lo < FOUR_FIFTHS {
            palette.severity_warning
        } else {
            palette.severity_info
        };
        card(
            ui,
            "Disparate impact",
            format!("{:.2}", r.compared_disparate_impact),
            {
                let mut note = if lo.is_finite() {
                    format!("95% interval {lo:.2}–{hi:.2} · guideline ≥ {FOUR_FIFTHS}")
                } else {
                    format!("guideline ≥ {FOUR_FIFTHS}")
                };
                if !r.not_compared.is_empty() {
                    note.push_str(&format!(
                        "\n{NOT_COMPARED_NOTE} ({}); {:.2} over every group",
                        r.not_compared.join(", "),
                        r.disparate_impact
                    ));
                }
                note
            },
            Some(di_colour),
        );
        card(
            ui,
            "Demographic-parity difference",
            format!("{:.3}", r.demographic_parity_difference),
            "highest minus lowest selection rate".to_string(),
            None,
        );
        card(
            ui,
            "Equalized-odds difference",
            r.equalized_odds_difference
                .map_or_else(|| "—".to_string(), |x| format!("{x:.3}")),
            if r.equalized_odds_difference.is_some() {
                "largest gap in TPR or FPR".to_string()
            } else {
                "needs a known outcome".to_string()
            },
            None,
        );
    });
}

/// Each group's selection rate as a bar with its 95% whisker, against the four-fifths band (from
/// 0.8 × the highest compared rate up to it). Bars below the band are red; groups in
/// `not_compared` (too small to judge) are grey and do not set the band. Shared by the Fairness
/// panel and the Campaigns panel's audience fairness; `id` keeps plots apart, `size` is
/// [width, height] in points.
pub fn rates_chart_ui(
    ui: &mut egui::Ui,
    id: &str,
    groups: &[GroupRates],
    not_compared: &[String],
    size: [f32; 2],
    palette: &Palette,
) {
    let [width, height] = size;
    let n = groups.len();
    let compared = |g: &GroupRates| !not_compared.contains(&g.group);
    let max = groups
        .iter()
        .filter(|g| compared(g))
        .map(|g| g.selection_rate)
        .fold(0.0, f64::max);
    let band = FOUR_FIFTHS * max;
    let bar_colour = theme::segment_colour(0);
    let bars: Vec<Bar> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let fill = if !compared(g) {
                palette.muted_text.gamma_multiply(0.6)
            } else if g.selection_rate < band {
                palette.severity_error.gamma_multiply(0.8)
            } else {
                bar_colour
            };
            Bar::new(i as f64, g.selection_rate)
                .width(0.6)
                .name(&g.group)
                .fill(fill)
                .stroke(egui::Stroke::NONE)
        })
        .collect();
    // Each bar's slot is about width / n points wide: a label longer than that is shortened
    // ("65 and over" → "65+") and then cut, so neighbours never overlap; hover names it in full.
    let slot_chars =
        ((width - theme::AXIS_LABEL_MARGIN) / (n.max(1) as f32 + 0.2) / theme::AXIS_CHAR_WIDTH)
            .floor()
            .max(3.0) as usize;
    let names: Vec<String> = groups
        .iter()
        .map(|g| axis_label(&g.group, slot_chars))
        .collect();
    let intervals: Vec<(f64, f64)> = groups.iter().map(|g| (g.ci_low, g.ci_high)).collect();
    let top_rate = groups.iter().map(|g| g.selection_rate).fold(max, f64::max);
    let chart = BarChart::new("Selection rate", bars).element_formatter(Box::new(move |bar, _| {
        format!("{}\nselection rate {}", bar.name, percent(bar.value))
    }));
    let whisker_colour = ui.visuals().strong_text_color();
    let label_of = move |x: f64| -> String {
        let k = x.round();
        if (x - k).abs() > 1e-6 || k < 0.0 {
            return String::new();
        }
        names.get(k as usize).cloned().unwrap_or_default()
    };
    let top = intervals
        .iter()
        .map(|(_, h)| *h)
        .filter(|h| h.is_finite())
        .fold(top_rate, f64::max);
    Plot::new(id)
        .width(width)
        .height(height)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .include_y(0.0)
        .include_y(top * 1.1 + 1e-3)
        .include_x(-0.6)
        .include_x(n as f64 - 0.4)
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
            // One label a bar: egui_plot hides x labels closer than 60 points by default,
            // which left age bands unnamed in narrow charts.
            AxisHints::new_x()
                .formatter(move |mark, _| label_of(mark.value))
                .label_spacing(theme::BAR_LABEL_SPACING..=theme::BAR_LABEL_SPACING + 1.0),
        ])
        .custom_y_axes(vec![
            AxisHints::new_y().formatter(|mark, _| format!("{:.0}%", mark.value * 100.0)),
        ])
        .show(ui, |plot| {
            if max > 0.0 {
                let x0 = -0.6;
                let x1 = n as f64 - 0.4;
                plot.polygon(
                    Polygon::new(
                        "Four-fifths band",
                        PlotPoints::from(vec![[x0, band], [x1, band], [x1, max], [x0, max]]),
                    )
                    .fill_color(palette.severity_info.gamma_multiply(0.3))
                    .stroke(egui::Stroke::NONE),
                );
            }
            plot.bar_chart(chart);
            if max > 0.0 {
                plot.hline(
                    HLine::new(format!("{FOUR_FIFTHS} × highest rate"), band)
                        .color(palette.severity_error)
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
            for (i, (lo, hi)) in intervals.iter().enumerate() {
                if !(lo.is_finite() && hi.is_finite()) {
                    continue;
                }
                let x = i as f64;
                for seg in [
                    vec![[x, *lo], [x, *hi]],
                    vec![[x - 0.1, *lo], [x + 0.1, *lo]],
                    vec![[x - 0.1, *hi], [x + 0.1, *hi]],
                ] {
                    plot.line(
                        Line::new("95% interval", PlotPoints::from(seg))
                            .color(whisker_colour)
                            .width(1.5),
                    );
                }
            }
        });
    let mut caption = format!(
        "Shaded: from {FOUR_FIFTHS} × the highest rate up to it; dashed line: the four-fifths guideline. Red bars fall below it."
    );
    if !not_compared.is_empty() {
        caption.push_str(" Grey bars: groups under 30 customers, not compared.");
    }
    ui.add(egui::Label::new(RichText::new(caption).small()).wrap());
}

fn groups_table_ui(ui: &mut egui::Ui, r: &AuditReport) {
    egui::Grid::new("fair_groups")
        .striped(true)
        .num_columns(7)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for h in [
                "Group",
                "Customers",
                "Selected",
                "95% interval",
                "TPR",
                "FPR",
                "Precision",
            ] {
                ui.strong(h);
            }
            ui.end_row();
            for g in &r.groups {
                ui.label(&g.group);
                ui.label(thousands(g.n));
                ui.label(percent(g.selection_rate));
                ui.label(if g.ci_low.is_finite() {
                    format!("{}–{}", percent(g.ci_low), percent(g.ci_high))
                } else {
                    "—".to_string()
                });
                ui.label(rate(g.tpr));
                ui.label(rate(g.fpr));
                ui.label(rate(g.precision));
                ui.end_row();
            }
        });
}

fn flag_colour(flag: &str, palette: &Palette) -> Color32 {
    if flag.contains("below the") {
        palette.severity_error
    } else if flag.contains("could be chance") || flag.contains("too few") {
        palette.severity_info
    } else {
        palette.severity_warning
    }
}

fn flags_ui(ui: &mut egui::Ui, r: &AuditReport, palette: &Palette) {
    ui.strong("Findings");
    if r.flags.is_empty() {
        ui.label(
            RichText::new("No flags: every group is selected within the four-fifths guideline.")
                .color(palette.severity_info),
        );
    }
    for f in &r.flags {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("•").color(flag_colour(f, palette)));
            ui.label(RichText::new(f).color(flag_colour(f, palette)));
        });
    }
}

fn proxies_ui(
    ui: &mut egui::Ui,
    view: &FairnessView,
    r: &AuditReport,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    ui.strong(format!(
        "Features that give {} away (Cramér's V, strongest first)",
        r.attribute
    ));
    if r.proxies.is_empty() {
        ui.label(RichText::new("No model feature to compare.").color(palette.muted_text));
        return;
    }
    let churn = view.kind.is_churn();
    let running = view.what_if_job.as_ref().map(|(_, f)| f.as_str());
    egui::Grid::new("fair_proxies")
        .striped(true)
        .num_columns(3)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for p in &r.proxies {
                let strong = p.score >= PROXY_V;
                let mut name = RichText::new(&p.feature);
                let mut score = RichText::new(format!("{:.2}", p.score));
                if strong {
                    name = name.color(palette.severity_warning).strong();
                    score = score.color(palette.severity_warning).strong();
                }
                ui.label(name);
                ui.label(score);
                if running == Some(p.feature.as_str()) {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Retraining…");
                    });
                } else {
                    let button = ui
                        .add_enabled(churn && running.is_none(), egui::Button::new(WHAT_IF_BUTTON))
                        .on_hover_text("Retrains the churn model without this feature and compares AUC and disparate impact")
                        .on_disabled_hover_text(if churn {
                            "Another what-if is running"
                        } else {
                            "The what-if retrains the churn model: pick a churn decision"
                        });
                    if button.clicked()
                        && let (Some(attribute), Some(decision)) =
                            (view.attribute.clone(), view.decision())
                    {
                        commands.push(command(FairCommand::WhatIf {
                            attribute,
                            decision,
                            feature: p.feature.clone(),
                        }));
                    }
                }
                ui.end_row();
            }
        });
    ui.small(format!(
        "Highlighted: V ≥ {PROXY_V}, strong enough that the model can learn {} through it.",
        r.attribute
    ));
}

fn what_if_ui(ui: &mut egui::Ui, w: &WhatIf, palette: &Palette) {
    egui::Frame::group(ui.style())
        .inner_margin(egui::Margin::same(8))
        .show(ui, |ui| {
            ui.strong(format!(
                "What if the churn model leaves out {}? ({} by {})",
                w.feature, w.decision, w.attribute
            ));
            egui::Grid::new("fair_what_if")
                .num_columns(3)
                .spacing([24.0, 4.0])
                .show(ui, |ui| {
                    ui.label("");
                    ui.strong("Before");
                    ui.strong("After");
                    ui.end_row();
                    ui.label("AUC");
                    ui.label(format!("{:.4}", w.auc_before));
                    ui.label(format!("{:.4}", w.auc_after));
                    ui.end_row();
                    let di = |x: f64| {
                        let t = RichText::new(format!("{x:.2}"));
                        if x < FOUR_FIFTHS {
                            t.color(palette.severity_error)
                        } else {
                            t
                        }
                    };
                    ui.label("Disparate impact");
                    ui.label(di(w.di_before));
                    ui.label(di(w.di_after));
                    ui.end_row();
                    for (g, before, after) in &w.groups {
                        ui.label(format!("Selected: {g}"));
                        ui.label(percent(*before));
                        ui.label(if after.is_finite() {
                            percent(*after)
                        } else {
                            "—".to_string()
                        });
                        ui.end_row();
                    }
                });
            let auc_change = w.auc_after - w.auc_before;
            ui.small(format!(
                "The model {} {:.4} AUC; disparate impact moves from {:.2} to {:.2}.",
                if auc_change < 0.0 { "loses" } else { "gains" },
                auc_change.abs(),
                w.di_before,
                w.di_after
            ));
        });
}

fn exposure_ui(ui: &mut egui::Ui, r: &AuditReport) {
    ui.strong("Exposure: each category's share of what a group is shown, against its share of what the group bought");
    egui::Grid::new("fair_exposure")
        .striped(true)
        .num_columns(5)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for h in ["Group", "Category", "Shown", "Bought", "Difference"] {
                ui.strong(h);
            }
            ui.end_row();
            for e in &r.exposure {
                ui.label(&e.group);
                ui.label(&e.category);
                ui.label(percent(e.shown_share));
                ui.label(percent(e.purchase_share));
                ui.label(format!(
                    "{:+.1} points",
                    (e.shown_share - e.purchase_share) * 100.0
                ));
                ui.end_row();
            }
        });
}

/// A bar's axis label in at most `max_chars` characters: bands written compactly
/// ("under 25" → "<25", "65 and over" → "65+"), then cut with "…".
fn axis_label(name: &str, max_chars: usize) -> String {
    if name.chars().count() <= max_chars {
        return name.to_string();
    }
    let short = if let Some(rest) = name.strip_suffix(" and over") {
        format!("{rest}+")
    } else if let Some(rest) = name.strip_prefix("under ") {
        format!("<{rest}")
    } else if let Some(rest) = name.strip_prefix("up to ") {
        format!("≤{rest}")
    } else if let Some(rest) = name.strip_prefix("over ") {
        format!(">{rest}")
    } else {
        name.to_string()
    };
    if short.chars().count() <= max_chars {
        return short;
    }
    let mut cut: String = short.chars().take(max_chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    #[test]
    fn axis_labels_fit_their_slot() {
        assert_eq!(super::axis_label("F", 4), "F");
        assert_eq!(super::axis_label("65 and over", 5), "65+");
        assert_eq!(super::axis_label("under 25", 5), "<25");
        assert_eq!(super::axis_label("Month-to-month", 6), "Month…");
    }
}
