//! Import of CSV, CSV.gz and XLSX files into a Tailor database.
//!
//! Each file is read as a stream of rows ([`source`]), its columns are mapped to the schema
//! ([`mapping`]), values are parsed ([`crate::data::values`]) and rows are written inside one
//! SQLite transaction for all files, so a failed import leaves the database as it was.
//! Customers and products named by a transactions file are created (or updated) from it.

pub mod mapping;
pub mod source;
mod write;

use std::path::{Path, PathBuf};

use crate::data::db::Database;
use crate::data::roles::Role;
use crate::data::schema::TableKind;
use crate::error::{Error, Result};
use crate::format::thousands;
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
    /// `--delimiter`: sniffed when `None`. `b' '` means runs of whitespace.
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
    /// Schema or attribute column ← source column, in source order. Columns that go to
    /// another table than [`FileSummary::table`] are written `table.column`.
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

impl FileSummary {
    /// Rows skipped for all reasons.
    pub fn rows_skipped(&self) -> u64 {
        self.skipped.iter().map(|s| s.count).sum()
    }
}

impl std::fmt::Display for FileSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = self
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.file.display().to_string());
        let how = if self.table_guessed {
            "guessed from its columns"
        } else {
            "as asked"
        };
        writeln!(f, "{name} → {} ({how})", self.table)?;
        writeln!(f, "  Columns")?;
        for (target, source) in &self.mapping {
            writeln!(f, "    {target} ← {source}")?;
        }
        writeln!(
            f,
            "  Rows read {}, kept {}, skipped {}",
            thousands(self.rows_read),
            thousands(self.rows_kept),
            thousands(self.rows_skipped())
        )?;
        for s in &self.skipped {
            writeln!(
                f,
                "    {} skipped: {} (first at line {}: {})",
                thousands(s.count),
                s.reason,
                s.example_line,
                s.example
            )?;
        }
        if !self.notes.is_empty() {
            writeln!(f, "  Notes")?;
            for n in &self.notes {
                writeln!(f, "    {n}")?;
            }
        }
        Ok(())
    }
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, file) in self.files.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{file}")?;
        }
        Ok(())
    }
}

impl ImportSummary {
    /// The summary as human text (the same as `Display`), for the CLI and the import dialog.
    pub fn to_text(&self) -> String {
        self.to_string()
    }
}

/// Imports files into `db`, adding to what is there.
///
/// All files are written in one transaction: on any error nothing is changed. A customer or
/// product already in the database is updated, not duplicated.
pub fn import_files(
    db: &mut Database,
    files: &[PathBuf],
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportSummary> {
    if let Some(fmt) = &options.date_format {
        if fmt.trim().is_empty() || !fmt.contains('%') {
            return Err(Error::Invalid(format!(
                "--date-format {fmt:?} has no % field (for example %d/%m/%Y)"
            )));
        }
    }
    let db_path = db.path().to_path_buf();
    let conn = db.conn_mut()?;
    let tx = conn.transaction().map_err(Error::sqlite(&db_path))?;
    let mut summary = ImportSummary::default();
    let mut columns_seen: Vec<write::ColumnSeen> = Vec::new();
    for (i, file) in files.iter().enumerate() {
        progress.check()?;
        let (fs, seen) = write::import_one(
            &tx,
            &db_path,
            file,
            options,
            progress,
            (i, files.len()),
        )?;
        summary.files.push(fs);
        columns_seen.extend(seen);
    }
    for (column, role) in &options.roles {
        let want = column.trim();
        let found = columns_seen
            .iter()
            .find(|c| c.source == want || c.column == want)
            .or_else(|| {
                columns_seen.iter().find(|c| {
                    c.source.eq_ignore_ascii_case(want) || c.column.eq_ignore_ascii_case(want)
                })
            });
        let Some(found) = found else {
            let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
            return Err(Error::Invalid(format!(
                "column {want} in --role {want}={role} is not in the imported file(s): {}",
                files.join(", ")
            )));
        };
        tx.execute(
            "INSERT INTO tailor_columns (table_name, column_name, role) VALUES (?1, ?2, ?3)
             ON CONFLICT (table_name, column_name) DO UPDATE SET role = excluded.role",
            [found.table.name(), found.column.as_str(), role.as_str()],
        )
        .map_err(Error::sqlite(&db_path))?;
    }
    tx.commit().map_err(Error::sqlite(&db_path))?;
    progress.report(1.0, "Import finished");
    Ok(summary)
}

/// Imports files into the database at `db_path`. A new database is written to a temporary file
/// in the same folder and renamed at the end, so a failed import leaves no file; an existing one
/// is changed in one transaction, so a failed import leaves it as it was.
pub fn import_to_path(
    db_path: &Path,
    files: &[PathBuf],
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportSummary> {
    if db_path.exists() {
        let mut db = Database::open_or_create(db_path)?;
        return import_files(&mut db, files, options, progress);
    }
    let name = db_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Invalid(format!("not a file name: {}", db_path.display())))?;
    let tmp = db_path.with_file_name(format!(".{name}.import-tmp"));
    let remove_tmp = || {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let mut p = tmp.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    };
    remove_tmp();
    let result = (|| {
        let mut db = Database::open_or_create(&tmp)?;
        // Safe to skip durability: the file only becomes the database once it is complete.
        db.conn()
            .execute_batch("PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;")
            .map_err(Error::sqlite(&tmp))?;
        let summary = import_files(&mut db, files, options, progress)?;
        drop(db);
        std::fs::rename(&tmp, db_path).map_err(Error::io(db_path))?;
        Ok(summary)
    })();
    if result.is_err() {
        remove_tmp();
    }
    result
}
