//! The segment cards: each segment's name (renamable), size, shares and profile chart.

use egui::{Align, Layout, RichText};
use egui_plot::{Bar, BarChart};

use super::feature_label;
use crate::app::Command;
use crate::app::segments::{SegmentCommand, SegmentsView, Shown, command};
use crate::app::theme::{self, Palette};
use crate::app::widgets::path::path_in;
use crate::app::widgets::plot::{category_rows_plot, dot, names_width};
use crate::format::percent;
use crate::models::segment::profile::SegmentProfile;
use crate::workspace::segments::SegmentResult;

/// Features shown in a card's profile chart (those that differ most from the average).
const PROFILE_FEATURES: usize = 6;

pub(super) fn cards_ui(
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
    ui.horizontal(|ui| {
        dot(ui, theme::segment_colour(s.id));
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
                // Rename first, at the right; the name takes what is left, cut with "…" (its
                // hover says it in full).
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
                    ui.with_layout(Layout::left_to_right(Align::Center), |ui| {
                        let name = egui::Button::selectable(
                            view.selected == Some(s.id),
                            RichText::new(&s.name).strong(),
                        )
                        .truncate();
                        if ui
                            .add(name)
                            .on_hover_text(format!("{}: show its customers", s.name))
                            .clicked()
                        {
                            view.select(s.id);
                        }
                    });
                });
            }
        }
    });
    if s.name != s.auto_name {
        ui.label(
            RichText::new(format!("Automatic name {}", s.auto_name)).color(palette.muted_text),
        );
    }
    let revenue = match result.run.features.revenue_of.share_of() {
        None => String::new(),
        Some(_) if s.revenue_share < 0.0 => " · returns exceed purchases".to_string(),
        Some(of) => format!(" · {} {of}", percent(s.revenue_share)),
    };
    ui.label(format!(
        "{} · {} of customers{revenue}",
        crate::format::count(s.size as u64, "customer", "customers"),
        percent(s.customer_share),
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
        saver.controls(ui, palette, || {
            path_in(folder, &format!("segment-{}-profile.png", s.id))
        });
    });
    // The whole chart, axes and labels included.
    saver.capture(ui, |ui| {
        ui.strong(format!("{}: how it differs from the average", s.name));
        profile_chart_ui(ui, s, result)
    });
}

/// A profile bar's row: room for its label in the body text, which grows with presentation
/// mode (the plot leaves out a label taller than its row).
fn profile_row_height(ui: &egui::Ui) -> f32 {
    theme::PROFILE_BAR_HEIGHT.max(ui.text_style_height(&egui::TextStyle::Body) + 6.0)
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
    let axis = names_width(ui, &labels, ui.available_width() * 0.6);
    category_rows_plot(("profile_chart", s.id), labels, axis)
        .height(
            profile_row_height(ui) * m as f32
                + 2.0 * ui.text_style_height(&egui::TextStyle::Small)
                + 24.0,
        )
        .include_x(-max)
        .include_x(max)
        .x_axis_label(RichText::new("sd from the average").small())
        .show(ui, |plot| plot.bar_chart(chart));
}
