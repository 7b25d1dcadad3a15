//! The one export dialog and the one export outcome, used by every "Export…" in the window: the
//! dialog says what is written (the panel's sentence), takes the typed path (with Browse…) and the
//! privacy switches (personal data, customers without consent); the outcome says what was
//! written and what the privacy guard left out.

use egui::RichText;

use crate::app::export::{ExportDialog, ExportFlow, written};
use crate::app::theme::Palette;
use crate::app::widgets::path::{DialogAnswer, SaveDialog};
use crate::data::{Role, TableKind};
use crate::export::audience::{ExportOptions, consent_column};
use crate::jobs::Exported;
use crate::workspace::data::DbInfo;
use crate::workspace::export::{ExportRequest, ExportSpec};

/// What the privacy switches can do for the open database.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Privacy {
    /// The customers table's personal-data columns.
    pub pii: Vec<String>,
    /// Its consent column, if it has one.
    pub consent: Option<String>,
}

impl Privacy {
    /// The personal-data and consent columns of `info`'s customers table.
    pub fn of(info: &DbInfo) -> Privacy {
        let columns: Vec<_> = info
            .tables
            .iter()
            .filter(|t| t.kind == TableKind::Customers)
            .flat_map(|t| t.columns.iter())
            .collect();
        let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
        Privacy {
            pii: columns
                .iter()
                .filter(|c| c.role == Role::Pii)
                .map(|c| c.name.clone())
                .collect(),
            consent: consent_column(&names),
        }
    }
}

/// Draws the export dialog of `flow` when it is open: `title`, the panel's sentence on what is
/// written (`describe`, given what is exported and the switches), the file and the privacy
/// switches of `info`'s database. Returns the export to run when confirmed; a path that would
/// overwrite the database is refused in the dialog; Cancel closes it.
pub fn export_dialog_ui(
    ctx: &egui::Context,
    flow: &mut ExportFlow,
    title: &str,
    info: &DbInfo,
    describe: impl FnOnce(&mut egui::Ui, &ExportSpec, &ExportOptions),
) -> Option<ExportRequest> {
    let privacy = Privacy::of(info);
    let palette = crate::app::theme::palette(ctx);
    let ExportFlow { dialog, picker, .. } = flow;
    let ExportDialog {
        spec,
        path,
        extension,
        options,
        refusal,
    } = dialog.as_mut()?;
    let mut save = SaveDialog::new(title).browse(picker);
    if let Some(e) = extension {
        save = save.extension(e);
    }
    let answer = save.show(ctx, path, |ui| {
        describe(ui, spec, options);
        ui.add_space(6.0);
        switches_ui(ui, &privacy, options);
        if let Some(why) = refusal.as_deref() {
            ui.add(egui::Label::new(RichText::new(why).color(palette.error_text)).wrap());
        }
    });
    match answer {
        DialogAnswer::Confirmed(path) => {
            if let Err(e) = crate::files::check_output("The file", &path, Some(&info.path), &[]) {
                if let Some(d) = dialog.as_mut() {
                    d.refusal = Some(e.to_string());
                }
                return None;
            }
            let request = dialog
                .as_ref()
                .map(|d| d.request(path, !privacy.pii.is_empty()));
            *dialog = None;
            request
        }
        DialogAnswer::Cancelled => {
            *dialog = None;
            None
        }
        DialogAnswer::Open => None,
    }
}

/// The privacy switches and what the guard always does.
fn switches_ui(ui: &mut egui::Ui, privacy: &Privacy, options: &mut ExportOptions) {
    let pii_text = if privacy.pii.is_empty() {
        "Include personal data (this database has no personal-data columns)".to_string()
    } else {
        format!(
            "Include personal data (adds {} columns)",
            privacy.pii.join(", ")
        )
    };
    ui.add_enabled(
        !privacy.pii.is_empty(),
        egui::Checkbox::new(&mut options.include_pii, pii_text),
    );
    match &privacy.consent {
        Some(column) => {
            ui.checkbox(
                &mut options.include_no_consent,
                format!("Include customers without consent (by {column})"),
            );
        }
        None => {
            ui.label("No consent column: no one is left out for consent.");
        }
    }
    ui.add(
        egui::Label::new(
            RichText::new(
                "Small groups of customers are flagged (k-anonymity) and the export is recorded \
                 in the database's export log.",
            )
            .small(),
        )
        .wrap(),
    );
}

/// The headline of an export: what was written, and where.
pub fn headline(exported: &Exported) -> String {
    format!("Wrote {} to {}", written(exported), exported.summary.file)
}

/// Draws what an export wrote and every note of the privacy guard (customers left out for
/// consent, personal data left out, k-anonymity), warnings in the warning colour.
pub fn export_outcome_ui(ui: &mut egui::Ui, exported: &Exported, palette: &Palette) {
    ui.add(egui::Label::new(headline(exported)).wrap());
    for note in &exported.summary.notes {
        let colour = if note.starts_with("Warning") {
            palette.severity_warning
        } else {
            palette.muted_text
        };
        ui.add(egui::Label::new(RichText::new(note).color(colour)).wrap());
    }
}
