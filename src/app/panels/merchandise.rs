//! The products table's Merchandise tab: postage, fees and adjustments (guessed, from a products
//! column, or marked by the user), each with its lines and money, a tick to count it as
//! merchandise or not, and a field to mark another product.

use egui::RichText;

use crate::app::Command;
use crate::app::data::DataView;
use crate::app::theme;
use crate::app::widgets::preamble::spinner_label;
use crate::app::widgets::table::grid_titles;
use crate::data::merchandise::MarkSource;
use crate::format::thousands;
use crate::jobs::DataJob;

/// What the tab says first.
const INTRO: &str = "Postage, fees and adjustments are not merchandise: they are never \
    recommended or given as a reason, and the data-quality check reports them apart from sales. \
    Tailor guesses them from names and ids; untick one to count it as merchandise, or mark \
    another product. Your marks are kept in Tailor's own table, not in your products table.";

pub(super) fn merchandise_ui(
    ui: &mut egui::Ui,
    view: &mut DataView,
    read_only: bool,
    money: crate::money::Money,
    commands: &mut Vec<Command>,
) {
    let palette = theme::palette(ui.ctx());
    let mark = |product_id: String, non_merchandise: Option<bool>| {
        Command::RunData(DataJob::MarkProduct {
            product_id,
            non_merchandise,
        })
    };
    ui.label(INTRO);
    if read_only {
        ui.label(
            RichText::new("Marks cannot be changed: the database is read-only.")
                .color(palette.notice_text),
        );
    }
    ui.add_space(theme::SECTION_SPACING);
    ui.add_enabled_ui(!read_only, |ui| {
        ui.horizontal(|ui| {
            ui.label("Product id");
            let edit = ui.add(
                egui::TextEdit::singleline(&mut view.mark_text)
                    .hint_text("for example POST")
                    .desired_width(160.0),
            );
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let typed = !view.mark_text.trim().is_empty();
            let button = ui.add_enabled(typed, egui::Button::new("Mark as not merchandise"));
            if typed && (button.clicked() || enter) {
                commands.push(mark(view.mark_text.trim().to_string(), Some(true)));
            }
        });
    });
    ui.add_space(theme::SECTION_SPACING);
    let Some(list) = &view.merchandise else {
        if !view.merchandise_asked {
            view.merchandise_asked = true;
            commands.push(Command::RunData(DataJob::Merchandise));
        }
        spinner_label(ui, "Listing postage, fees and adjustments…");
        return;
    };
    if list.rows.is_empty() {
        ui.label(format!(
            "No product of the {} in this catalogue looks like postage, a fee or an adjustment.",
            thousands(list.products as u64)
        ));
        return;
    }
    egui::ScrollArea::vertical().show(ui, |ui| {
        egui::Grid::new("merchandise")
            .striped(true)
            .num_columns(6)
            .spacing([16.0, 4.0])
            .show(ui, |ui| {
                grid_titles(
                    ui,
                    &[
                        "Not merchandise",
                        "Product",
                        "Name",
                        "Lines",
                        "Money",
                        "Decided by",
                    ],
                );
                for row in &list.rows {
                    let mut non = row.non_merchandise;
                    let tick = ui.add_enabled(!read_only, egui::Checkbox::without_text(&mut non));
                    if tick.changed() {
                        commands.push(mark(row.product_id.clone(), Some(non)));
                    }
                    ui.label(&row.product_id);
                    ui.label(row.name.as_deref().unwrap_or(""));
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        ui.label(thousands(row.lines))
                    });
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        ui.label(money.cents(row.money))
                    });
                    ui.horizontal(|ui| {
                        ui.label(RichText::new(row.by.describe()).color(palette.muted_text));
                        if row.by == MarkSource::You
                            && ui
                                .add_enabled(!read_only, egui::Button::new("Forget my mark"))
                                .on_hover_text("Back to the products column or Tailor's guess")
                                .clicked()
                        {
                            commands.push(mark(row.product_id.clone(), None));
                        }
                    });
                    ui.end_row();
                }
            });
    });
}
