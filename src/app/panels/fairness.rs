//! Fairness: pick a decision, a column and a threshold; see each group's selection rate with
//! its 95% interval against the four-fifths band, the error rates, the flags in words, the
//! features that give the column away, and what leaving one out of the churn model changes.

use egui::{Color32, RichText};

use crate::app::fairness::{DecisionKind, FairCommand, FairnessView, command};
use crate::app::theme::{self, Palette};
use crate::app::widgets::cards::{CardStyle, card};
use crate::app::widgets::numbers::{percent_slider, sized};
use crate::app::widgets::path::path_in;
use crate::app::widgets::preamble::{self, Needs, PanelCx, retry_ui, spinner_label};
use crate::app::widgets::rate_chart::rates_chart_ui;
use crate::app::widgets::story;
use crate::app::widgets::table::{TextColumn, grid_titles, text_grid};
use crate::app::{Command, Panel};
use crate::format::{percent, thousands};
use crate::models::fairness::audit::{FOUR_FIFTHS, GroupRates};
use crate::models::fairness::proxy::PROXY_V;
use crate::models::fairness::report::{AuditReport, Exposure};
use crate::workspace::fairness::{FairnessChoices, WhatIf};

/// The button next to each proxy.
pub const WHAT_IF_BUTTON: &str = "What if we leave it out?";

/// A feature's strength under which it has next to no link to the column: not listed.
const NO_LINK: f64 = 0.05;

/// The strongest features listed whatever their strength.
const PROXIES_ALWAYS_LISTED: usize = 3;
/// The button offered when no churn run is stored.
pub const RUN_CHURN_BUTTON: &str = "Run churn model";
/// The button offered when reading the choices failed or was cancelled.
pub const RETRY_BUTTON: &str = preamble::RETRY;
/// Said under the headline when small groups are left out of the comparison.
pub use crate::app::widgets::rate_chart::NOT_COMPARED_NOTE;

/// Draws the panel.
pub fn fairness_ui(ui: &mut egui::Ui, view: &mut FairnessView, cx: &mut PanelCx<'_>) {
    let Some(_) = cx.open(ui, &Needs::database("Fairness")) else {
        return;
    };
    let palette = theme::palette(ui.ctx());
    let folder = cx.export_folder;
    // Shown again after another panel: the stored runs may have changed.
    let frame = ui.ctx().cumulative_frame_nr();
    if frame > view.last_frame + 1 {
        view.choices_requested = false;
    }
    view.last_frame = frame;
    if !view.choices_requested {
        view.choices_requested = true;
        cx.commands.push(command(FairCommand::ListChoices));
    }
    if let Some((attribute, decision)) = view.wanted() {
        cx.commands.push(command(FairCommand::Audit {
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
    // One line and a way out, instead of a spinner that never ends.
    if let Some(e) = view.choices_error.clone()
        && retry_ui(ui, &e, &palette)
    {
        cx.commands.push(command(FairCommand::ListChoices));
    }
    let Some(choices) = view.choices.clone() else {
        if view.choices_error.is_none() {
            spinner_label(ui, "Reading what can be audited…");
        }
        return;
    };
    controls_ui(ui, view, &choices);
    ui.add_space(6.0);
    if !missing_ui(ui, view, &choices, cx.busy, &palette, cx.commands) {
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
            report_ui(ui, view, &report, folder, &palette, cx.commands);
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
                ui.add(percent_slider(&mut view.fraction, 0.01..=1.0).text("highest scores"));
            }
            DecisionKind::ChurnAbove => {
                ui.add(percent_slider(&mut view.threshold, 0.01..=0.99).text("churn risk or more"));
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
                                sized(&s.name, s.size),
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
    rate_with(x, percent)
}

/// `x` as `show` writes it, or "—" when there is none.
fn rate_with(x: Option<f64>, show: impl Fn(f64) -> String) -> String {
    x.map_or_else(|| "—".to_string(), show)
}

fn report_ui(
    ui: &mut egui::Ui,
    view: &mut FairnessView,
    r: &AuditReport,
    folder: Option<&std::path::Path>,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    story::headline(ui, &r.headline());
    let selection = r.decision.selection();
    ui.label(
        RichText::new(format!(
            "{} of {} customers {} ({}) · grouped by {}{}. {}",
            thousands(r.selected),
            thousands(r.customers),
            selection.phrase,
            r.decision.describe(),
            r.attribute,
            r.label
                .as_ref()
                .map(|l| format!(" · outcome from {l}"))
                .unwrap_or_default(),
            selection.favour_note()
        ))
        .color(palette.muted_text),
    );
    if let Some(note) = r.outcome_note() {
        ui.add(egui::Label::new(RichText::new(note).color(palette.muted_text)).wrap());
    }
    ui.add_space(6.0);
    cards_ui(ui, r, palette);
    ui.add_space(theme::SECTION_SPACING);
    ui.horizontal_top(|ui| {
        let width = (ui.available_width() * 0.45).clamp(280.0, 520.0);
        ui.vertical(|ui| {
            ui.set_width(width);
            let title = format!("Selection rate by {}, with 95% intervals", r.display);
            ui.horizontal_wrapped(|ui| {
                view.rates_png.controls(ui, palette, || {
                    path_in(
                        folder,
                        &format!("fairness-{}-selection-rates.png", r.attribute),
                    )
                });
            });
            // The whole chart, axes, labels and the band's caption included.
            view.rates_png.capture(ui, |ui| {
                ui.strong(&title);
                rates_chart_ui(
                    ui,
                    "fair_rates",
                    &r.groups,
                    &r.not_compared,
                    [width, theme::FAIR_CHART_HEIGHT],
                    palette,
                );
            });
        });
        ui.add_space(theme::SECTION_SPACING);
        ui.vertical(|ui| {
            ui.strong(format!("Per group ({})", r.groups.len()));
            // Every group, scrolling down (and sideways where the window is narrow).
            egui::ScrollArea::both()
                .id_salt("fair_groups_scroll")
                .max_height(theme::FAIR_CHART_HEIGHT)
                .show(ui, |ui| {
                    // Error rates only where an outcome is known.
                    let rates = r
                        .groups
                        .iter()
                        .any(|g| g.tpr.is_some() || g.precision.is_some());
                    let columns = if rates {
                        &GROUP_COLUMNS[..]
                    } else {
                        &GROUP_COLUMNS[..4]
                    };
                    text_grid(ui, "fair_groups", [12.0, 4.0], columns, &r.groups);
                });
            ui.add_space(theme::SECTION_SPACING);
            flags_ui(ui, r, palette);
        });
    });
    ui.add_space(theme::SECTION_SPACING);
    proxies_ui(ui, view, r, palette, commands);
    if let Some(e) = &view.what_if_error {
        ui.label(RichText::new(e).color(palette.error_text));
    }
    // A what-if answers one decision by one column: another audit's is not shown.
    if let Some(w) = view
        .what_if
        .as_ref()
        .filter(|w| w.attribute == r.attribute && w.decision == r.decision)
    {
        ui.add_space(theme::SECTION_SPACING);
        what_if_ui(ui, w, palette);
    }
    if !r.exposure.is_empty() {
        ui.add_space(theme::SECTION_SPACING);
        exposure_ui(ui, r);
    }
}

fn cards_ui(ui: &mut egui::Ui, r: &AuditReport, palette: &Palette) {
    let style = &CardStyle::AUDIT;
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
        let mut note = if lo.is_finite() {
            format!("95% interval {lo:.2}–{hi:.2} · guideline ≥ {FOUR_FIFTHS}")
        } else {
            format!("guideline ≥ {FOUR_FIFTHS}")
        };
        if !r.not_compared.is_empty() {
            let names = match r.not_compared.len() {
                n if n > 5 => format!("{}, and {} more", r.not_compared[..4].join(", "), n - 4),
                _ => r.not_compared.join(", "),
            };
            note.push_str(&format!(
                "\n{NOT_COMPARED_NOTE} ({names}); over every group: {:.2}",
                r.disparate_impact
            ));
        }
        let value = RichText::new(format!("{:.2}", r.compared_disparate_impact));
        card(
            ui,
            style,
            "Lowest rate ÷ highest",
            value.color(di_colour),
            &note,
            palette,
        );
    });
    let figures = [
        (
            "Disparate impact",
            format!("{:.3}", r.compared_disparate_impact),
            "The lowest group's selection rate divided by the highest's; below 0.8 fails the \
             four-fifths guideline",
        ),
        (
            "Demographic-parity difference",
            format!("{:.3}", r.demographic_parity_difference),
            "The highest group's selection rate minus the lowest's",
        ),
        (
            "Equalized-odds difference",
            rate_with(r.equalized_odds_difference, |x| format!("{x:.3}")),
            "The largest gap between groups in how often those who churned, or stayed, are \
             selected (needs a known outcome)",
        ),
    ];
    story::model_details(ui, "fair_details", &figures, palette, |_| {});
}

/// The columns of the per-group table.
const GROUP_COLUMNS: [TextColumn<GroupRates>; 7] = [
    ("Group", |g| g.group.clone()),
    ("Customers", |g| thousands(g.n)),
    ("Selected", |g| percent(g.selection_rate)),
    ("95% interval", |g| {
        if g.ci_low.is_finite() {
            format!("{}–{}", percent(g.ci_low), percent(g.ci_high))
        } else {
            "—".to_string()
        }
    }),
    ("TPR", |g| rate(g.tpr)),
    ("FPR", |g| rate(g.fpr)),
    ("Precision", |g| rate(g.precision)),
];

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
        "Features that give {} away (strength from 0 to 1, strongest first)",
        r.display
    ))
    .on_hover_text(
        "Cramér's V between each model feature and the column: 0 is no link, 1 gives it away",
    );
    if r.proxies.is_empty() {
        ui.label(RichText::new("No model feature to compare.").color(palette.muted_text));
        return;
    }
    let churn = view.kind.is_churn();
    let running = view.what_if_job.as_ref().map(|(_, f)| f.as_str());
    // Features with next to no link are summed up in a line rather than listed (the strongest
    // few always are).
    let listed = r
        .proxies
        .iter()
        .position(|p| p.score < NO_LINK)
        .unwrap_or(r.proxies.len())
        .max(PROXIES_ALWAYS_LISTED.min(r.proxies.len()));
    let (shown, rest) = r.proxies.split_at(listed);
    egui::Grid::new("fair_proxies")
        .striped(true)
        .num_columns(3)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for p in shown {
                let strong = p.score >= PROXY_V;
                let mut name = RichText::new(crate::models::churn::reasons::pretty_name(&p.feature));
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
    if !rest.is_empty() {
        ui.label(
            RichText::new(format!(
                "{} more {} with strength under {NO_LINK}: next to no link to {}.",
                rest.len(),
                if rest.len() == 1 {
                    "feature"
                } else {
                    "features"
                },
                r.display
            ))
            .color(palette.muted_text),
        );
    }
    ui.small(format!(
        "Highlighted: strength {PROXY_V} or more, enough that the model can learn {} through it.",
        r.display
    ));
}

fn what_if_ui(ui: &mut egui::Ui, w: &WhatIf, palette: &Palette) {
    egui::Frame::group(ui.style())
        .inner_margin(egui::Margin::same(8))
        .show(ui, |ui| {
            ui.strong(format!(
                "What if the churn model leaves out {}? ({} by {})",
                crate::models::churn::reasons::pretty_name(&w.feature),
                w.decision,
                w.attribute
            ));
            egui::Grid::new("fair_what_if")
                .num_columns(3)
                .spacing([24.0, 4.0])
                .show(ui, |ui| {
                    grid_titles(ui, &["", "Before", "After"]);
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
    text_grid(
        ui,
        "fair_exposure",
        [16.0, 4.0],
        &EXPOSURE_COLUMNS,
        &r.exposure,
    );
}

/// The columns of the exposure table.
const EXPOSURE_COLUMNS: [TextColumn<Exposure>; 5] = [
    ("Group", |e| e.group.clone()),
    ("Category", |e| e.category.clone()),
    ("Shown", |e| percent(e.shown_share)),
    ("Bought", |e| percent(e.purchase_share)),
    ("Difference", |e| {
        format!("{:+.1} points", (e.shown_share - e.purchase_share) * 100.0)
    }),
];
