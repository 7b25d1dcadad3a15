//! The selected segment's customers: a sortable table and its export.

use egui::RichText;
use egui_extras::Column;

use crate::app::Command;
use crate::app::segments::{SegmentsView, Shown};
use crate::app::theme::{self, Palette};
use crate::app::widgets;
use crate::app::widgets::export::export_outcome_ui;
use crate::app::widgets::numbers::slug;
use crate::app::widgets::path::path_in;
use crate::app::widgets::plot::dot;
use crate::app::widgets::table::{clipped_cell, each_row, table, title_width};

/// The room the sort arrow takes beside a column's title.
const SORT_ARROW_WIDTH: f32 = 14.0;
use crate::format::count;
use crate::workspace::data::DbInfo;
use crate::workspace::export::ExportSpec;

pub(super) fn customers_ui(
    ui: &mut egui::Ui,
    view: &mut SegmentsView,
    shown: &Shown,
    db_folder: Option<&std::path::Path>,
    money: crate::money::Money,
    palette: &Palette,
) {
    let result = &shown.result;
    let Some(segment) = view.selected.and_then(|id| result.run.segment(id)) else {
        ui.label("Choose a segment on the left to list its customers.");
        return;
    };
    // Wrapped, so the export button moves under a long name rather than off the panel.
    ui.horizontal_wrapped(|ui| {
        dot(ui, theme::segment_colour(segment.id));
        // A name that already says "customers" ("Customers with high tenure") stands alone.
        let title = if segment.name.to_lowercase().contains("customers") {
            segment.name.clone()
        } else {
            format!("Customers in {}", segment.name)
        };
        ui.strong(title);
        ui.label(
            RichText::new(count(view.rows.len() as u64, "customer", "customers"))
                .color(palette.muted_text),
        );
        if ui.button("Export segment…").clicked() {
            let file = format!("{}.csv", slug("segment-", &segment.name));
            let spec = ExportSpec::Segment {
                segment: segment.id,
            };
            view.export.open(spec, path_in(db_folder, &file));
        }
    });
    if let Some(done) = view.export.outcome_of(&ExportSpec::Segment {
        segment: segment.id,
    }) {
        export_outcome_ui(ui, done, palette);
    }
    let row_height = theme::grid_row_height(ui);
    let columns = &result.columns;
    let (sort_column, descending) = view.sort;
    let mut clicked_sort = None;
    let rows = &view.rows;
    // Each column as wide as its title on two lines (and the sort arrow); the table scrolls
    // sideways when they do not all fit.
    egui::ScrollArea::horizontal()
        .id_salt("segment_customers_sideways")
        .show(ui, |ui| {
            let widths: Vec<(f32, bool)> = columns
                .iter()
                .map(|c| title_width(ui, &c.title, SORT_ARROW_WIDTH))
                .collect();
            let two_lines = widths.iter().any(|(_, wraps)| *wraps);
            let mut builder = table(ui, "segment_customers");
            for (width, _) in widths {
                builder = builder.column(
                    Column::initial(width)
                        .at_least(theme::GRID_COLUMN_MIN_WIDTH)
                        .clip(true),
                );
            }
            let header_height = if two_lines {
                2.0 * row_height
            } else {
                row_height
            };
            builder
                .header(header_height, |mut header| {
                    for (i, c) in columns.iter().enumerate() {
                        header.col(|ui| {
                            if ui
                                .add(
                                    egui::Button::new(RichText::new(&c.title).strong())
                                        .frame(false)
                                        .wrap(),
                                )
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
                    each_row(body, row_height, rows, |mut row, &customer| {
                        for c in columns {
                            let text = result.text(customer as usize, c.source, money);
                            clipped_cell(&mut row, &text, None);
                        }
                    });
                });
        });
    if let Some(i) = clicked_sort {
        view.sort_by(i);
    }
}

/// A small triangle after the sorted column's title: up when ascending, down when descending
/// (painted, so it needs no glyph from the font).
fn sort_arrow(ui: &mut egui::Ui, descending: bool) {
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(SORT_ARROW_WIDTH - 4.0, 10.0),
        egui::Sense::hover(),
    );
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

/// The Export segment dialog.
pub(super) fn export_dialog_ui(
    ctx: &egui::Context,
    view: &mut SegmentsView,
    info: &DbInfo,
    commands: &mut Vec<Command>,
) {
    let shown = view.shown.as_ref();
    let request = widgets::export::export_dialog_ui(
        ctx,
        &mut view.export,
        "Export segment",
        info,
        |ui, spec, _| {
            let ExportSpec::Segment { segment } = spec else {
                return;
            };
            let (name, size) = shown
                .and_then(|s| s.result.run.segment(*segment))
                .map(|s| (s.name.clone(), s.size))
                .unwrap_or_default();
            ui.add(
                egui::Label::new(format!(
                    "Writes the {} in {name} as CSV or XLSX (by the file's extension): \
                     customer_id, their customer columns, segment_id, segment_name.",
                    count(size as u64, "customer", "customers"),
                ))
                .wrap(),
            );
        },
    );
    if let Some(request) = request {
        commands.push(Command::Export(request));
    }
}
