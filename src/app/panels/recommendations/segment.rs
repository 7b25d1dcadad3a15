//! The Segment tab: everyone's top products in a stored segment, as a table to export.

use egui::RichText;
use egui_extras::Column;

use super::{READING_SEGMENTS, method_combo, score_text, segment_combo, unavailable_list};
use crate::app::Command;
use crate::app::recommend::{
    PER_CUSTOMER_RANGE, RecCommand, RecommendView, SegmentsState, command,
};
use crate::app::theme::{self, Palette};
use crate::app::widgets;
use crate::app::widgets::export::export_outcome_ui;
use crate::app::widgets::numbers::slug;
use crate::app::widgets::path::path_in;
use crate::app::widgets::preamble::spinner_label;
use crate::app::widgets::table::{clipped_cell, each_row, table, text_cell, titled};
use crate::format::count;
use crate::workspace::data::DbInfo;
use crate::workspace::export::ExportSpec;
use crate::workspace::recommend::SegmentRecs;

pub(super) fn segment_tab_ui(
    ui: &mut egui::Ui,
    view: &mut RecommendView,
    info: &DbInfo,
    folder: Option<&std::path::Path>,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    let list = match view.segments_state() {
        SegmentsState::Listed(list) => list,
        SegmentsState::Reading => {
            ui.add_space(theme::SECTION_SPACING);
            spinner_label(ui, READING_SEGMENTS);
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
        segment_combo(ui, "rec_segment", &list, &mut tab.segment);
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
            count(recs.rows.len() as u64, "row", "rows"),
            count(recs.customers as u64, "customer", "customers"),
        ));
        if recs.missing > 0 {
            ui.label(
                RichText::new(format!(
                    "{} of the stored run are no longer in the data",
                    count(recs.missing as u64, "customer", "customers")
                ))
                .color(palette.notice_text),
            );
        }
        if ui.button("Export CSV…").clicked() {
            let file = format!("recommendations-{}.csv", slug("", &recs.segment_name));
            let path = path_in(folder, &file);
            view.export.open(ExportSpec::SegmentRecs, path);
        }
    });
    if let Some(done) = &view.export.exported {
        export_outcome_ui(ui, done, palette);
    }
    segment_table_ui(ui, &recs);
    export_dialog_ui(ui.ctx(), view, info, commands);
}

fn segment_table_ui(ui: &mut egui::Ui, recs: &SegmentRecs) {
    let row_height = theme::grid_row_height(ui);
    let columns = [
        (
            "Customer id",
            Column::initial(110.0).at_least(60.0).clip(true),
        ),
        ("Rank", Column::initial(50.0).at_least(40.0)),
        (
            "Product id",
            Column::initial(100.0).at_least(60.0).clip(true),
        ),
        ("Name", Column::initial(240.0).at_least(80.0).clip(true)),
        ("Score", Column::initial(70.0).at_least(50.0)),
        ("Top reason", Column::remainder().at_least(120.0).clip(true)),
    ];
    titled(table(ui, "rec_segment_table"), row_height, &columns).body(|body| {
        each_row(body, row_height, &recs.rows, |mut row, r| {
            text_cell(&mut row, &r.customer_id);
            text_cell(&mut row, r.rank.to_string());
            text_cell(&mut row, &r.product_id);
            clipped_cell(&mut row, &r.name, None);
            text_cell(&mut row, score_text(r.score));
            clipped_cell(&mut row, &r.reason, Some(&r.reason));
        });
    });
}

/// The Export recommendations dialog.
fn export_dialog_ui(
    ctx: &egui::Context,
    view: &mut RecommendView,
    info: &DbInfo,
    commands: &mut Vec<Command>,
) {
    let rows = view.segment_tab.recs.as_ref().map_or(0, |r| r.rows.len());
    let request = widgets::export::export_dialog_ui(
        ctx,
        &mut view.export,
        "Export recommendations",
        info,
        |ui, _, _| {
            ui.add(
                egui::Label::new(format!(
                    "Writes {} as CSV or XLSX (by the file's extension): customer_id, the \
                     customer's columns, rank, product_id, name, score, top_reason.",
                    count(rows as u64, "row", "rows")
                ))
                .wrap(),
            );
        },
    );
    if let Some(request) = request {
        commands.push(Command::Export(request));
    }
}
