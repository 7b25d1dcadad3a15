//! Import of CSV, CSV.gz and XLSX files into a Tailor database.
//!
//! (Interface fixed here; implementation in progress.)

use std::path::PathBuf;

use crate::data::db::Database;
use crate::data::roles::Role;
use crate::data::schema::TableKind;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// What the user told the import (the CLI flags or the import dialog's fields).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportOptions {
    /// `--table`: the target table; guessed from the columns when `None`.
    pub table: Option<TableKind>,
    /// `--map target=Source`: schema column ← source column.
    pub mappings: Vec<(String, String)>,
    /// `--role Column=ROLE`.
    pub roles: Vec<(String, Role)>,
    /// `--delimiter`: sniffed when `None`.
    pub delimiter: Option<u8>,
    /// `--no-header`: the first line is data; columns are `col1..colN`.
    pub no_header: bool,
    /// `--date-format` (chrono `strftime` syntax), for ambiguous day/month dates.
    pub date_format: Option<String>,
}

/// Why rows were skipped, how many, and the first example.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SkipReason {
    /// Plain-language reason ("no customer id").
    pub reason: String,
    /// Rows skipped for it.
    pub count: u64,
    /// 1-based line (or spreadsheet row) number of the first example.
    pub example_line: u64,
    /// The first example's raw text.
    pub example: String,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FileSummary {
    /// The file.
    pub file: PathBuf,
    /// The table it went into.
    pub table: TableKind,
    /// Whether the table was guessed (not given with `--table`).
    pub table_guessed: bool,
    /// Schema or attribute column ← source column, in source order.
    pub mapping: Vec<(String, String)>,
    /// Data rows read (header excluded).
    pub rows_read: u64,
    /// Rows written.
    pub rows_kept: u64,
    /// Rows skipped, by reason.
    pub skipped: Vec<SkipReason>,
    /// Further facts worth telling ("9,288 cancellation rows flagged").
    pub notes: Vec<String>,
}

/// What an import did, file by file.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ImportSummary {
    /// One entry per file, in the order given.
    pub files: Vec<FileSummary>,
}

/// Imports files into `db`, adding to what is there.
pub fn import_files(
    db: &mut Database,
    files: &[PathBuf],
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportSummary> {
    let _ = (db, files, options, progress);
    Err(Error::Invalid("import is not built yet".into()))
}
