//! One export flow for every "Export…" in the window (a segment's members, a segment's
//! recommendations, the churn target list, a campaign audience): the dialog's state with the
//! privacy switches, the running export and its outcome. A panel holds one [`ExportFlow`]; the
//! dialog is [`crate::app::widgets::export::export_dialog_ui`] and the outcome
//! [`crate::app::widgets::export::export_outcome_ui`].

use std::path::PathBuf;
use std::sync::Arc;

use crate::app::desk::Desk;
use crate::export::audience::ExportOptions;
use crate::format::count;
use crate::jobs::{Exported, Job, JobId};
use crate::workspace::data::file_name;
use crate::workspace::export::{ExportRequest, ExportSpec};

/// An open export dialog: what it exports, the typed path and the privacy switches.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportDialog {
    /// What is exported (fixed when the dialog opens).
    pub spec: ExportSpec,
    /// The typed path.
    pub path: String,
    /// The file always gets this extension (`csv` or `xlsx`); `None`: CSV or XLSX by the typed
    /// extension.
    pub extension: Option<&'static str>,
    /// The privacy switches (personal data, customers without consent), off when it opens.
    pub options: ExportOptions,
    /// Why the path confirmed last was refused (it is the database), shown until another is.
    pub refusal: Option<String>,
}

/// A panel's exports: the dialog when open, the running export and the last outcome.
#[derive(Debug, Default)]
pub struct ExportFlow {
    /// The dialog, when open.
    pub dialog: Option<ExportDialog>,
    /// The dialog's Browse… (the system file dialog, on its own thread).
    pub picker: crate::app::file_picker::FilePicker,
    /// The running export.
    pub job: Option<JobId>,
    /// The last export's outcome: what was written and left out.
    pub exported: Option<Arc<Exported>>,
}

impl ExportFlow {
    /// Opens the dialog for `spec` at `path`; the privacy switches start off every time.
    pub fn open(&mut self, spec: ExportSpec, path: String) {
        self.dialog = Some(ExportDialog {
            spec,
            path,
            extension: None,
            options: ExportOptions::default(),
            refusal: None,
        });
    }

    /// Opens the dialog for a file that always gets `extension`.
    pub fn open_as(&mut self, spec: ExportSpec, path: String, extension: &'static str) {
        self.open(spec, path);
        if let Some(d) = &mut self.dialog {
            d.extension = Some(extension);
        }
    }

    /// Whether an export is running.
    pub fn running(&self) -> bool {
        self.job.is_some()
    }

    /// The last outcome, when it exported `spec`.
    pub fn outcome_of(&self, spec: &ExportSpec) -> Option<&Exported> {
        self.exported.as_deref().filter(|e| e.spec == *spec)
    }

    /// Forgets the last outcome (what it exported is no longer on screen).
    pub fn forget_outcome(&mut self) {
        self.exported = None;
    }

    /// Starts the export the dialog confirmed.
    pub fn submit(&mut self, request: ExportRequest, desk: &mut Desk) {
        self.dialog = None;
        self.exported = None;
        desk.error = None;
        desk.notice = Some(format!("Exporting to {}…", file_name(&request.path)));
        self.job = desk.submit(Job::Export(request));
    }

    /// The export finished.
    pub fn done(&mut self, exported: Arc<Exported>, desk: &mut Desk) {
        self.job = None;
        desk.notice = Some(format!(
            "Exported {} to {}",
            written(&exported),
            exported.path.display()
        ));
        self.exported = Some(exported);
    }

    /// The export failed or was cancelled (the banner says why).
    pub fn ended(&mut self) {
        self.job = None;
    }

    /// Forgets an export the desk no longer awaits.
    pub fn forget_lost_job(&mut self, desk: &Desk) {
        if self.job.is_some_and(|id| !desk.is_pending(id)) {
            self.job = None;
        }
    }
}

/// What an export wrote: customers, or rows for customers when a customer has several rows.
pub fn written(exported: &Exported) -> String {
    let s = &exported.summary;
    if s.rows == s.customers {
        count(s.rows, "customer", "customers")
    } else {
        format!(
            "{} for {}",
            count(s.rows, "row", "rows"),
            count(s.customers, "customer", "customers")
        )
    }
}

impl ExportDialog {
    /// The request the dialog makes for `path`, with its switches (personal data only when the
    /// database has personal-data columns to add).
    pub fn request(&self, path: PathBuf, has_pii: bool) -> ExportRequest {
        ExportRequest {
            spec: self.spec.clone(),
            path,
            options: ExportOptions {
                include_pii: self.options.include_pii && has_pii,
                ..self.options
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::audience::ExportSummary;

    #[test]
    fn the_switches_start_off_every_time_and_the_outcome_belongs_to_its_spec() {
        let mut flow = ExportFlow::default();
        let spec = ExportSpec::Segment { segment: 2 };
        flow.open(spec.clone(), "a.csv".to_string());
        let d = flow.dialog.as_mut().unwrap();
        d.options.include_pii = true;
        d.options.include_no_consent = true;
        let r = d.request(PathBuf::from("a.csv"), false);
        assert!(!r.options.include_pii && r.options.include_no_consent);
        flow.dialog = None;
        flow.open_as(spec.clone(), "a.xlsx".to_string(), "xlsx");
        let d = flow.dialog.as_ref().unwrap();
        assert!(!d.options.include_pii && !d.options.include_no_consent);
        assert_eq!(d.extension, Some("xlsx"));

        let summary = ExportSummary {
            file: "a.csv".to_string(),
            rows: 4,
            columns: Vec::new(),
            included_pii: false,
            pii_left_out: Vec::new(),
            consent_column: None,
            left_out_no_consent: 0,
            k_anonymity: None,
            recorded: true,
            notes: Vec::new(),
            customers: 2,
            unknown_ids: 0,
        };
        flow.exported = Some(Arc::new(Exported {
            spec: spec.clone(),
            path: PathBuf::from("a.csv"),
            summary,
        }));
        let outcome = flow.outcome_of(&spec).unwrap();
        assert_eq!(written(outcome), "4 rows for 2 customers");
        assert!(
            flow.outcome_of(&ExportSpec::Segment { segment: 3 })
                .is_none()
        );
        flow.ended();
        assert!(!flow.running());
    }
}
