//! The selected segment's customers: a sortable table and its export.

use egui::RichText;
use egui_extras::Column;

use crate::app::Command;
use crate::app::panels::export_outcome::export_outcome_ui;
use crate::app::segments::{ExportDialog, SegmentCommand, SegmentsView, Shown, command};
use crate::app::theme::{self, Palette};
use crate::app::widgets::numbers::slug;
use crate::app::widgets::path::{DialogAnswer, SaveDialog, path_in};
use crate::app::widgets::plot::dot;
use crate::app::widgets::table::{clipped_cell, each_row, table};
use crate::format::count;

pub(super) fn customers_ui(
    ui: &mut egui::Ui,
    view: &mut SegmentsView,
    shown: &Shown,
    db_folder: Option<&std::path::Path>,
    palette: &Palette,
) {
    let result = &shown.result;
    let Some(segment) = view.selected.and_then(|id| result.run.segment(id)) else {
        ui.label("Choose a segment on the left to list its customers.");
        return;
    };
    ui.horizontal(|ui| {
        dot(ui, theme::segment_colour(segment.id));
        ui.strong(format!("Customers in {}", segment.name));
        ui.label(
            RichText::new(count(view.rows.len() as u64, "customer", "customers"))
                .color(palette.muted_text),
        );
        if ui.button("Export segment…").clicked() {
            let file = format!("{}.csv", slug("segment-", &segment.name));
            view.export = Some(ExportDialog {
                path: path_in(db_folder, &file),
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
    table(ui, "segment_customers")
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
            each_row(body, row_height, rows, |mut row, &customer| {
                for c in columns {
                    let text = result.text(customer as usize, c.source);
                    clipped_cell(&mut row, &text, None);
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

pub(super) fn export_dialog_ui(
    ctx: &egui::Context,
    view: &mut SegmentsView,
    commands: &mut Vec<Command>,
) {
    let picker = &mut view.export_picker;
    let Some(dialog) = view.export.as_mut() else {
        return;
    };
    let name = view
        .shown
        .as_ref()
        .and_then(|s| s.result.run.segment(dialog.segment))
        .map(|s| (s.name.clone(), s.size))
        .unwrap_or_default();
    let answer =
        SaveDialog::new("Export segment")
            .browse(picker)
            .show(ctx, &mut dialog.path, |ui| {
                ui.label(format!(
                    "Writes the {} in {} as CSV or XLSX (by the file's extension): customer_id, \
                 their non-personal columns, segment_id, segment_name. Customers without \
                 consent are left out and the file is recorded in the database's export log.",
                    count(name.1 as u64, "customer", "customers"),
                    name.0
                ));
            });
    match answer {
        DialogAnswer::Confirmed(path) => commands.push(command(SegmentCommand::Export {
            path,
            segment: dialog.segment,
        })),
        DialogAnswer::Cancelled => view.export = None,
        DialogAnswer::Open => {}
    }
}
