//! The Data panel: tables with row counts, columns and roles, the rows, and data quality.

use egui::{Align, Layout, RichText};
use egui_extras::{Column, TableBuilder};

use crate::app::theme::{self, Palette};
use crate::app::widgets::preamble::{OPENING, spinner_label};
use crate::app::widgets::table::{clipped_cell, each_row, grid_titles, table, text_cell, titled};
use crate::app::{Command, DbView};
use crate::data::quality::{QualityReport, Severity};
use crate::data::{Role, TableKind, TableSummary};
use crate::format::thousands;
use crate::jobs::DataJob;
use crate::workspace::data::DbInfo;

pub use crate::app::data::{DataTab, DataView};

/// "1 row", "7,043 rows".
pub fn rows_label(n: u64) -> String {
    if n == 1 {
        "1 row".to_string()
    } else {
        format!("{} rows", thousands(n))
    }
}

/// Draws the panel.
pub fn data_ui(
    ui: &mut egui::Ui,
    db: &DbView,
    view: &mut DataView,
    presentation: bool,
    busy: bool,
    commands: &mut Vec<Command>,
) {
    let palette = theme::palette(ui.ctx());
    let info = match db {
        DbView::Starting => {
            spinner_label(ui, OPENING);
            return;
        }
        DbView::Empty => {
            empty_state_ui(
                ui,
                "No database open",
                "Open a Tailor database (a .sqlite file), import CSV or Excel files into a new \
                 one, or generate a sample to explore.",
                true,
                commands,
            );
            return;
        }
        DbView::Open(info) => info,
    };
    if info.tables.is_empty() {
        empty_state_ui(
            ui,
            "No customer tables yet",
            "Import a customers, products or transactions file (CSV or Excel) into this database.",
            false,
            commands,
        );
        return;
    }

    egui::Panel::left("data_tables")
        .resizable(false)
        .exact_size(theme::TABLE_LIST_WIDTH)
        .show(ui, |ui| {
            table_list_ui(ui, info, view.table, &palette, commands)
        });

    let Some(summary) = view
        .table
        .and_then(|t| info.tables.iter().find(|s| s.kind == t))
    else {
        ui.label("Choose a table on the left.");
        return;
    };

    crate::app::widgets::story::headline(ui, &holdings(info));
    currency_ui(ui, info, &palette, commands);
    ui.add_space(4.0);
    let mut tabs = vec![DataTab::Rows, DataTab::Columns, DataTab::Quality];
    if summary.kind == TableKind::Products {
        tabs.push(DataTab::Merchandise);
    } else if view.tab == DataTab::Merchandise {
        view.tab = DataTab::Rows;
    }
    ui.horizontal(|ui| {
        for tab in tabs {
            if ui.selectable_label(view.tab == tab, tab.label()).clicked() {
                view.tab = tab;
            }
        }
    });
    ui.separator();
    match view.tab {
        DataTab::Rows => {
            personal_ui(ui, summary, view, presentation, &palette);
            rows_ui(ui, summary, view, presentation);
        }
        DataTab::Columns => {
            let read_only = info.read_only_reason.is_some();
            columns_ui(ui, summary, read_only, commands);
        }
        DataTab::Quality => quality_ui(
            ui,
            view.quality.as_ref(),
            busy,
            presentation,
            &palette,
            commands,
        ),
        DataTab::Merchandise => {
            let read_only = info.read_only_reason.is_some();
            let money = info.currency.money;
            super::merchandise::merchandise_ui(ui, view, read_only, money, commands);
        }
    }
}

/// What the database holds, in a sentence: "5,000 customers, 500 products and 90,165
/// transaction lines."
pub fn holdings(info: &DbInfo) -> String {
    let parts: Vec<String> = info
        .tables
        .iter()
        .map(|t| {
            let (one, many) = match t.kind {
                TableKind::Customers => ("customer", "customers"),
                TableKind::Products => ("product", "products"),
                TableKind::Transactions => ("transaction line", "transaction lines"),
                TableKind::Feedback => ("review", "reviews"),
            };
            crate::format::count(t.rows, one, many)
        })
        .collect();
    let text = match parts.as_slice() {
        [] => "No customer tables yet".to_string(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    format!("{text}.")
}

/// The currency amounts are written in, as a picker, and where it comes from.
fn currency_ui(ui: &mut egui::Ui, info: &DbInfo, palette: &Palette, commands: &mut Vec<Command>) {
    const PLAIN: &str = "Plain numbers (no currency)";
    let current = info.currency.money.currency;
    ui.horizontal_wrapped(|ui| {
        ui.label("Amounts in");
        let shown = current.map_or_else(|| PLAIN.to_string(), |c| c.label());
        egui::ComboBox::from_id_salt("currency")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                let mut choice = current;
                ui.selectable_value(&mut choice, None, PLAIN);
                for c in &crate::money::CURRENCIES {
                    ui.selectable_value(&mut choice, Some(c), c.label());
                }
                if choice != current {
                    commands.push(Command::RunData(DataJob::SetCurrency(choice)));
                }
            });
        ui.label(RichText::new(&info.currency.note).color(palette.muted_text));
    });
}

fn empty_state_ui(
    ui: &mut egui::Ui,
    title: &str,
    what_next: &str,
    offer_open: bool,
    commands: &mut Vec<Command>,
) {
    ui.add_space(theme::SECTION_SPACING * 2.0);
    ui.heading(title);
    ui.add_space(theme::SECTION_SPACING);
    ui.label(what_next);
    ui.add_space(theme::SECTION_SPACING);
    ui.horizontal(|ui| {
        if offer_open && ui.button("Open…").clicked() {
            commands.push(Command::ShowOpenDialog);
        }
        if ui.button("Import…").clicked() {
            commands.push(Command::ShowImportDialog);
        }
        if offer_open && ui.button("New sample…").clicked() {
            commands.push(Command::ShowSampleDialog);
        }
    });
}

fn table_list_ui(
    ui: &mut egui::Ui,
    info: &DbInfo,
    selected: Option<TableKind>,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    ui.strong("Tables");
    ui.add_space(4.0);
    for summary in &info.tables {
        let chosen = selected == Some(summary.kind);
        if ui.selectable_label(chosen, summary.kind.name()).clicked() && !chosen {
            commands.push(Command::SelectTable(summary.kind));
        }
        ui.label(RichText::new(rows_label(summary.rows)).color(palette.muted_text));
        ui.add_space(4.0);
    }
}

/// Whether personal data is hidden, and the switch that shows it for this session.
fn personal_ui(
    ui: &mut egui::Ui,
    summary: &TableSummary,
    view: &mut DataView,
    presentation: bool,
    palette: &Palette,
) {
    let personal: Vec<&str> = summary
        .columns
        .iter()
        .filter(|c| c.role == Role::Pii)
        .map(|c| c.name.as_str())
        .collect();
    if personal.is_empty() {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        let names = personal.join(", ");
        if presentation {
            let text = format!("Personal data ({names}) is hidden in presentation mode.");
            ui.label(RichText::new(text).color(palette.muted_text));
        } else if view.reveal_personal {
            ui.label(
                RichText::new(format!("Personal data ({names}) is shown."))
                    .color(palette.notice_text),
            );
            if ui.button("Hide personal data").clicked() {
                view.reveal_personal = false;
            }
        } else {
            let text = format!("Personal data ({names}) is hidden.");
            ui.label(RichText::new(text).color(palette.muted_text));
            if ui
                .button("Show personal data")
                .on_hover_text("Shows it until Tailor closes or another database opens")
                .clicked()
            {
                view.reveal_personal = true;
            }
        }
    });
}

fn rows_ui(ui: &mut egui::Ui, summary: &TableSummary, view: &mut DataView, presentation: bool) {
    let columns = &summary.columns;
    let hidden = presentation || !view.reveal_personal;
    let masked: Vec<bool> = columns
        .iter()
        .map(|c| hidden && c.role == Role::Pii)
        .collect();
    let row_height = theme::grid_row_height(ui);
    let total = usize::try_from(view.rows.total()).unwrap_or(usize::MAX);
    if total == 0 {
        ui.label("This table has no rows.");
        return;
    }
    let rows = &mut view.rows;
    rows.begin_frame();
    let scroll_to = view.scroll_to.take();
    egui::ScrollArea::horizontal()
        .id_salt(("grid_h", summary.kind))
        .show(ui, |ui| {
            let mut builder = table(ui, ("grid", summary.kind)).columns(
                Column::initial(theme::GRID_COLUMN_WIDTH)
                    .at_least(theme::GRID_COLUMN_MIN_WIDTH)
                    .clip(true),
                columns.len(),
            );
            if let Some(row) = scroll_to {
                builder =
                    builder.scroll_to_row(usize::try_from(row).unwrap_or(0), Some(Align::TOP));
            }
            builder
                .header(row_height, |mut header| {
                    for c in columns {
                        header.col(|ui| {
                            ui.strong(&c.name);
                        });
                    }
                })
                .body(|body| {
                    body.rows(row_height, total, |mut row| {
                        let index = row.index() as u64;
                        rows.note_visible(index);
                        let loaded = rows.is_loaded(index);
                        for (i, mask) in masked.iter().enumerate() {
                            row.col(|ui| {
                                let text = if !loaded {
                                    theme::NOT_LOADED
                                } else if *mask {
                                    theme::MASK
                                } else {
                                    rows.cell(index, i).unwrap_or("")
                                };
                                ui.add(egui::Label::new(text).truncate());
                            });
                        }
                    });
                });
        });
}

fn columns_ui(
    ui: &mut egui::Ui,
    summary: &TableSummary,
    read_only: bool,
    commands: &mut Vec<Command>,
) {
    let palette = theme::palette(ui.ctx());
    if read_only {
        ui.label(
            RichText::new("Roles cannot be changed: the database is read-only.")
                .color(palette.notice_text),
        );
    } else {
        ui.label("Roles decide how each column is used: personal data is masked and left out of \
                  exports, protected columns are left out of models and used by the fairness audit.");
    }
    ui.add_space(theme::SECTION_SPACING);
    egui::ScrollArea::vertical().show(ui, |ui| {
        egui::Grid::new(("roles", summary.kind))
            .striped(true)
            .num_columns(4)
            .show(ui, |ui| {
                grid_titles(ui, &["Column", "Type", "Role", "Source"]);
                for c in &summary.columns {
                    ui.label(&c.name);
                    ui.label(if c.sql_type.is_empty() {
                        "any"
                    } else {
                        &c.sql_type
                    });
                    // A column whose values are personal data stays personal data.
                    ui.add_enabled_ui(!read_only && c.personal.is_none(), |ui| {
                        let mut role = c.role;
                        egui::ComboBox::from_id_salt(("role", summary.kind, &c.name))
                            .selected_text(role.label())
                            .width(theme::ROLE_BOX_WIDTH)
                            .show_ui(ui, |ui| {
                                for r in Role::ALL {
                                    ui.selectable_value(&mut role, r, r.label());
                                }
                            });
                        if role != c.role {
                            commands.push(Command::SetRole {
                                table: summary.kind,
                                column: c.name.clone(),
                                role,
                            });
                        }
                    });
                    let source = match c.personal {
                        Some(kind) => format!("Its values are {}", kind.describe()),
                        None if c.role_stored => "Set by you".to_string(),
                        None => "Guessed from the name".to_string(),
                    };
                    ui.label(RichText::new(source).color(palette.muted_text));
                    ui.end_row();
                }
            });
    });
}

fn quality_ui(
    ui: &mut egui::Ui,
    report: Option<&QualityReport>,
    busy: bool,
    presentation: bool,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!busy, egui::Button::new("Run check"))
            .clicked()
        {
            commands.push(Command::RunCheck);
        }
        ui.label(
            "Looks for missing values, duplicate ids, dates in the future and other problems \
                  in every table.",
        );
    });
    ui.add_space(theme::SECTION_SPACING);
    let Some(report) = report else {
        ui.label("No check has run yet: press Run check.");
        return;
    };
    if report.findings.is_empty() {
        if report.tables.is_empty() {
            ui.label("The check found nothing to report.");
        } else {
            ui.label(format!(
                "No problems found in {} tables.",
                thousands(report.tables.len() as u64)
            ));
        }
        return;
    }
    let row_height = theme::grid_row_height(ui);
    let builder = TableBuilder::new(ui)
        .id_salt("quality")
        .striped(true)
        .resizable(true)
        .auto_shrink([false, true])
        .cell_layout(Layout::left_to_right(Align::Center));
    let columns = [
        ("Severity", Column::auto().at_least(70.0)),
        ("Table", Column::auto().at_least(90.0)),
        ("Column", Column::auto().at_least(90.0)),
        ("Message", Column::initial(320.0).clip(true)),
        ("Count", Column::auto().at_least(60.0)),
        ("Example", Column::remainder().clip(true)),
    ];
    titled(builder, row_height, &columns).body(|body| {
        each_row(body, row_height, &report.findings, |mut row, f| {
            let (word, colour) = match f.severity {
                Severity::Error => ("Error", palette.severity_error),
                Severity::Warning => ("Warning", palette.severity_warning),
                Severity::Info => ("Info", palette.severity_info),
            };
            text_cell(&mut row, RichText::new(word).color(colour));
            text_cell(&mut row, &f.table);
            text_cell(&mut row, f.column.as_deref().unwrap_or(""));
            clipped_cell(&mut row, &f.message, Some(&f.message));
            text_cell(&mut row, thousands(f.count));
            // Examples are raw values, which may be personal data.
            let example = match f.example.as_deref() {
                Some(_) if presentation => theme::MASK,
                Some(e) => e,
                None => "",
            };
            clipped_cell(&mut row, example, None);
        });
    });
}
