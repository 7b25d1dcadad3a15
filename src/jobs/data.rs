//! The Data panel's jobs: open, import, generate a sample, check quality, read rows, set roles.

use std::path::PathBuf;

use crate::data::TableKind;
use crate::data::browse::RowPage;
use crate::data::import::ImportOptions;
use crate::data::quality::QualityReport;
use crate::data::roles::Role;
use crate::data::sample::SampleOptions;
use crate::error::Result;
use crate::progress::Progress;
use crate::workspace::Workspace;
use crate::workspace::data::{DbInfo, file_name, import_summary_text, sample_summary_text};
use crate::workspace::merchandise::MerchandiseList;
use crate::workspace::overview::Overview;

/// How long the Overview's health check may take before it stops (the Data panel's check has
/// no limit).
pub const HEALTH_CHECK_SECONDS: u64 = 10;

/// A data job.
#[derive(Debug, Clone, PartialEq)]
pub enum DataJob {
    /// Opens a database file, replacing the open one.
    Open(PathBuf),
    /// Opens the working copy of the bundled sample database, copying it there first if needed.
    OpenDefault {
        /// The bundled (tracked) sample database, never modified.
        bundled: PathBuf,
        /// Where the working copy lives.
        working_copy: PathBuf,
    },
    /// Imports files into the open database, or into `into` (created if absent), then opened.
    Import {
        /// The files to import.
        files: Vec<PathBuf>,
        /// Table, mappings, delimiter and so on.
        options: ImportOptions,
        /// A database to import into instead of the open one.
        into: Option<PathBuf>,
    },
    /// Runs the data-quality checks.
    Check,
    /// Runs the data-quality checks for the Overview's health line, stopping after
    /// [`HEALTH_CHECK_SECONDS`].
    HealthCheck,
    /// Reads the Overview.
    Overview,
    /// Reads rows `offset..offset + limit` of a table (in rowid order).
    LoadRows {
        /// The table.
        table: TableKind,
        /// 0-based position of the first row.
        offset: u64,
        /// How many rows at most.
        limit: usize,
    },
    /// Stores a column's role.
    SetRole {
        /// The table.
        table: TableKind,
        /// The column.
        column: String,
        /// Its new role.
        role: Role,
    },
    /// Lists the products that are not merchandise and those the user marked.
    Merchandise,
    /// Marks a product (`Some(true)`: not merchandise) or forgets the user's mark (`None`).
    MarkProduct {
        /// The product.
        product_id: String,
        /// The mark.
        non_merchandise: Option<bool>,
    },
    /// Chooses the currency amounts are written in (`None`: plain numbers).
    SetCurrency(Option<&'static crate::money::Currency>),
    /// Stores a setting (JSON text) with the open database, or removes it (`None`).
    StoreSetting {
        /// The setting.
        key: String,
        /// Its value.
        value: Option<String>,
    },
    /// Writes the report (one HTML file) to the path.
    Report(PathBuf),
    /// Generates a sample database at `out` and opens it.
    NewSample {
        /// Where to write it.
        out: PathBuf,
        /// How many customers, which seed.
        options: SampleOptions,
    },
}

/// A data job's result.
#[derive(Debug, Clone, PartialEq)]
pub enum DataDone {
    /// A database was opened (by Open, OpenDefault or NewSample); `note` says what was made.
    Opened {
        /// The database.
        info: DbInfo,
        /// What a new sample holds, for the status bar.
        note: Option<String>,
    },
    /// There is no bundled sample to open: the window shows its empty state.
    NoDatabase,
    /// Rows of a table.
    Rows {
        /// The table.
        table: TableKind,
        /// Position of the first row.
        offset: u64,
        /// The rows.
        page: RowPage,
    },
    /// An import finished.
    Imported {
        /// What happened, file by file, as text for people.
        summary: String,
        /// The database imported into, after the import.
        info: DbInfo,
        /// Whether it is another database than the one open before.
        opened: bool,
    },
    /// The quality report.
    Checked(QualityReport),
    /// A role was stored; the tables' columns are refreshed.
    RoleSet(DbInfo),
    /// The merchandise list.
    Merchandise(MerchandiseList),
    /// The Overview.
    Overview(Box<Overview>),
    /// A product's mark was stored (the data changed); the new list.
    Marked(MerchandiseList),
    /// The currency was chosen; the database as it is now.
    CurrencySet(DbInfo),
    /// A setting was stored.
    SettingStored,
    /// The report was written to this file.
    ReportWritten(PathBuf),
}

impl DataJob {
    /// Whether the job replaces the open database with another (or a new) one.
    pub fn replaces_database(&self) -> bool {
        matches!(
            self,
            DataJob::Open(_)
                | DataJob::OpenDefault { .. }
                | DataJob::NewSample { .. }
                | DataJob::Import { into: Some(_), .. }
        )
    }

    /// A short label for the status bar.
    pub fn label(&self) -> String {
        match self {
            DataJob::Open(path) => format!("Opening {}", file_name(path)),
            DataJob::OpenDefault { .. } => "Opening the sample database".to_string(),
            DataJob::Import { files, .. } => match files.as_slice() {
                [one] => format!("Importing {}", file_name(one)),
                many => format!("Importing {} files", many.len()),
            },
            DataJob::Check | DataJob::HealthCheck => "Checking data quality".to_string(),
            DataJob::Overview => "Reading the overview".to_string(),
            DataJob::LoadRows { table, .. } => format!("Reading {}", table.name()),
            DataJob::SetRole { column, .. } => format!("Saving the role of {column}"),
            DataJob::Merchandise => "Listing postage, fees and adjustments".to_string(),
            DataJob::MarkProduct { product_id, .. } => format!("Marking product {product_id}"),
            DataJob::SetCurrency(_) => "Saving the currency".to_string(),
            DataJob::StoreSetting { .. } => "Saving the settings".to_string(),
            DataJob::Report(path) => format!("Writing the report to {}", file_name(path)),
            DataJob::NewSample { options, .. } => format!(
                "Generating a sample of {} customers",
                crate::format::thousands(options.customers as u64)
            ),
        }
    }

    /// What the banner says when it fails.
    pub fn failure(&self) -> &'static str {
        match self {
            DataJob::Open(_) | DataJob::OpenDefault { .. } => "Could not open the database",
            DataJob::Import { .. } => "Import failed",
            DataJob::Check | DataJob::HealthCheck => "The quality check failed",
            DataJob::Overview => "The overview could not be read",
            DataJob::LoadRows { .. } => "Rows could not be read",
            DataJob::SetRole { .. } => "The role was not saved",
            DataJob::Merchandise => "The products could not be listed",
            DataJob::MarkProduct { .. } => "The product was not marked",
            DataJob::SetCurrency(_) => "The currency was not saved",
            DataJob::StoreSetting { .. } => "The settings were not saved",
            DataJob::Report(_) => "The report was not written",
            DataJob::NewSample { .. } => "The sample was not generated",
        }
    }

    /// Runs the job on the workspace.
    pub fn run(self, ws: &mut Workspace, progress: &dyn Progress) -> Result<DataDone> {
        Ok(match self {
            DataJob::Open(path) => DataDone::Opened {
                info: ws.open_path(&path)?,
                note: None,
            },
            DataJob::OpenDefault {
                bundled,
                working_copy,
            } => match ws.open_default(&bundled, &working_copy)? {
                Some(info) => DataDone::Opened { info, note: None },
                None => DataDone::NoDatabase,
            },
            DataJob::Import {
                files,
                options,
                into,
            } => {
                let imported = ws.import(&files, &options, into.as_deref(), progress)?;
                DataDone::Imported {
                    summary: import_summary_text(&imported.summary),
                    info: imported.info,
                    opened: into.is_some(),
                }
            }
            DataJob::Check => DataDone::Checked(ws.check(progress)?),
            DataJob::HealthCheck => {
                let limit = std::time::Duration::from_secs(HEALTH_CHECK_SECONDS);
                DataDone::Checked(ws.check(&crate::progress::Deadline::new(progress, limit))?)
            }
            DataJob::Overview => DataDone::Overview(Box::new(ws.overview(progress)?)),
            DataJob::LoadRows {
                table,
                offset,
                limit,
            } => DataDone::Rows {
                table,
                offset,
                page: ws.rows(table, offset, limit, progress)?,
            },
            DataJob::SetRole {
                table,
                column,
                role,
            } => DataDone::RoleSet(ws.set_role(table, &column, role)?),
            DataJob::Merchandise => DataDone::Merchandise(ws.merchandise(progress)?),
            DataJob::MarkProduct {
                product_id,
                non_merchandise,
            } => DataDone::Marked(ws.mark_product(&product_id, non_merchandise, progress)?),
            DataJob::SetCurrency(currency) => DataDone::CurrencySet(ws.set_currency(currency)?),
            DataJob::Report(path) => {
                ws.write_report(&path, progress)?;
                DataDone::ReportWritten(path)
            }
            DataJob::StoreSetting { key, value } => {
                ws.store_setting(&key, value.as_deref())?;
                DataDone::SettingStored
            }
            DataJob::NewSample { out, options } => {
                let summary = ws.new_sample(&out, &options, None, progress)?;
                DataDone::Opened {
                    info: ws.info()?,
                    note: Some(sample_summary_text(&summary)),
                }
            }
        })
    }
}
