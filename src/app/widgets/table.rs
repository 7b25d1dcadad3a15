//! The panels' tables and grids: one table preset, columns declared with their titles, one body
//! row per item, and a grid's title row.

use egui::{Align, Layout, WidgetText};
use egui_extras::{Column, Table, TableBody, TableBuilder, TableRow};

/// A table as the panels draw theirs: striped, resizable columns, no scroll animation, filling
/// its space, cells centred vertically. Add the columns ([`titled`]), then the body.
pub fn table(ui: &mut egui::Ui, id: impl egui::AsIdSalt) -> TableBuilder<'_> {
    TableBuilder::new(ui)
        .id_salt(id)
        .striped(true)
        .resizable(true)
        .animate_scrolling(false)
        .auto_shrink([false, false])
        .cell_layout(Layout::left_to_right(Align::Center))
}

/// `builder` with `columns`, each with its title, and a header row of the titles in bold.
pub fn titled<'a>(
    mut builder: TableBuilder<'a>,
    row_height: f32,
    columns: &[(&str, Column)],
) -> Table<'a> {
    for (_, column) in columns {
        builder = builder.column(*column);
    }
    builder.header(row_height, |mut header| {
        for (title, _) in columns {
            header.col(|ui| {
                ui.strong(*title);
            });
        }
    })
}

/// A column's width for its bold `title` on at most two lines (broken at the space that gives
/// the narrowest column), with `extra` points beside it (a sort arrow); never narrower than ten
/// digits, so amounts fit. Also whether the title needs its second line.
pub fn title_width(ui: &egui::Ui, title: &str, extra: f32) -> (f32, bool) {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let width = |s: &str| {
        ui.painter()
            .layout_no_wrap(s.to_string(), font.clone(), egui::Color32::WHITE)
            .size()
            .x
    };
    let one_line = width(title);
    let two_lines = title
        .match_indices(' ')
        .map(|(i, _)| width(&title[..i]).max(width(&title[i + 1..])))
        .fold(one_line, f32::min);
    let padding = 2.0 * ui.spacing().item_spacing.x + 4.0;
    let column = (two_lines + extra + padding).max(width("0000000000"));
    (column, one_line + extra + padding > column + 0.5)
}

/// One body row per item of `items`, drawn by `add_row` (only the visible ones are asked for).
pub fn each_row<T>(
    body: TableBody<'_>,
    row_height: f32,
    items: &[T],
    mut add_row: impl FnMut(TableRow<'_, '_>, &T),
) {
    body.rows(row_height, items.len(), |row| {
        if let Some(item) = items.get(row.index()) {
            add_row(row, item);
        }
    });
}

/// A cell holding one label.
pub fn text_cell(row: &mut TableRow<'_, '_>, text: impl Into<WidgetText>) {
    row.col(|ui| {
        ui.label(text);
    });
}

/// A cell holding a label cut to the column's width, with `hover` (when given) on hover.
pub fn clipped_cell(row: &mut TableRow<'_, '_>, text: &str, hover: Option<&str>) {
    row.col(|ui| {
        let label = ui.add(egui::Label::new(text).truncate());
        if let Some(hover) = hover {
            label.on_hover_text(hover);
        }
    });
}

/// A grid's first row: bold `titles`, then the end of the row.
pub fn grid_titles(ui: &mut egui::Ui, titles: &[&str]) {
    for title in titles {
        ui.strong(*title);
    }
    ui.end_row();
}

/// A column of a [`text_grid`]: its title and each item's text.
pub type TextColumn<T> = (&'static str, fn(&T) -> String);

/// A striped grid of text: bold titles, then one row per item with each column's text.
pub fn text_grid<T>(
    ui: &mut egui::Ui,
    id: &str,
    spacing: [f32; 2],
    columns: &[TextColumn<T>],
    items: &[T],
) {
    egui::Grid::new(id)
        .striped(true)
        .num_columns(columns.len())
        .spacing(spacing)
        .show(ui, |ui| {
            for (title, _) in columns {
                ui.strong(*title);
            }
            ui.end_row();
            for item in items {
                for (_, text) in columns {
                    ui.label(text(item));
                }
                ui.end_row();
            }
        });
}
