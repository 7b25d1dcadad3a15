//! What panels ask the app to do. Panels draw and return commands; the app applies them once,
//! at the end of the frame.

use std::path::PathBuf;

use crate::app::state::Panel;
use crate::data::import::ImportOptions;
use crate::data::sample::SampleOptions;
use crate::data::{Role, TableKind};

/// An intent from the UI, applied at the end of the frame.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum Command {
    /// Switch the central panel.
    ShowPanel(Panel),
    /// Show the Open dialog.
    ShowOpenDialog,
    /// Show the Import dialog.
    ShowImportDialog,
    /// Show the New sample dialog.
    ShowSampleDialog,
    /// Open a database file.
    Open(PathBuf),
    /// Import files (into the open database, or into `into`).
    Import {
        /// The files.
        files: Vec<PathBuf>,
        /// The options from the dialog.
        options: ImportOptions,
        /// A database to import into instead of the open one.
        into: Option<PathBuf>,
    },
    /// Generate a sample database and open it.
    NewSample {
        /// Where to write it.
        out: PathBuf,
        /// Customers and seed.
        options: SampleOptions,
    },
    /// Show a table in the Data panel.
    SelectTable(TableKind),
    /// Store a column's role.
    SetRole {
        /// The table.
        table: TableKind,
        /// The column.
        column: String,
        /// The role.
        role: Role,
    },
    /// Run the data-quality checks.
    RunCheck,
    /// Run another Data panel job (the merchandise list, a product's mark).
    RunData(crate::jobs::DataJob),
    /// Cancel the job shown in the status bar.
    CancelJob,
    /// Hide the error banner.
    DismissError,
    /// Turn presentation mode on or off.
    SetPresentation(bool),
    /// A Segments panel command.
    Segments(crate::app::segments::SegmentCommand),
    /// A Recommendations panel command.
    Recs(crate::app::recommend::RecCommand),
    /// A Fairness panel command.
    Fairness(crate::app::fairness::FairCommand),
    /// A Churn & value panel command.
    Churn(crate::app::churn::ChurnCommand),
    /// A Campaigns panel command.
    Campaigns(crate::app::campaigns::CampaignCommand),
    /// Export a panel's result (from its export dialog) with the privacy guard.
    Export(crate::workspace::export::ExportRequest),
}

impl Command {
    /// Whether the command replaces the open database (Open, an import into another file, a
    /// new sample).
    pub fn replaces_database(&self) -> bool {
        match self {
            Command::Open(_) | Command::NewSample { .. } => true,
            Command::Import { into, .. } => into.is_some(),
            Command::RunData(job) => job.replaces_database(),
            _ => false,
        }
    }

    /// Whether the command is a panel's request for work on the open database.
    pub fn is_panel_work(&self) -> bool {
        matches!(
            self,
            Command::Segments(_)
                | Command::Recs(_)
                | Command::Fairness(_)
                | Command::Churn(_)
                | Command::Campaigns(_)
                | Command::Export(_)
        )
    }
}
