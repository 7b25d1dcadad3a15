//! The data use cases: open a database (or the bundled sample), import files, generate a
//! sample, check quality, read pages of rows and change a column's role.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::data::browse::{self, PageStart, RowPage, RowidRange};
use crate::data::db::Database;
use crate::data::import::{ImportOptions, ImportSummary};
use crate::data::quality::{self, QualityReport};
use crate::data::roles::Role;
use crate::data::sample::{self, SampleOptions, SampleSummary};
use crate::data::{TableKind, TableSummary};
use crate::error::Result;
use crate::format::thousands;
use crate::progress::Progress;
use crate::workspace::Workspace;

/// What the window shows about the open database.
#[derive(Debug, Clone, PartialEq)]
pub struct DbInfo {
    /// The database file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size_bytes: u64,
    /// Why it is read-only, when it is.
    pub read_only_reason: Option<String>,
    /// The customer tables present, with row counts and column roles.
    pub tables: Vec<TableSummary>,
    /// Its settings (`tailor_settings`), key → JSON text.
    pub settings: std::collections::BTreeMap<String, String>,
    /// The currency amounts are written in.
    pub currency: super::settings::CurrencyInfo,
}

/// An import's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// What happened, file by file.
    pub summary: ImportSummary,
    /// The database imported into, after the import.
    pub info: DbInfo,
}

/// Rowid ranges and page anchors per table, so any page of rows is read directly.
#[derive(Debug, Default)]
pub struct RowIndex {
    /// Rowid range per table.
    ranges: HashMap<TableKind, RowidRange>,
    /// For tables with gaps in their rowids: row position → rowid of the row before it.
    anchors: HashMap<(TableKind, u64), i64>,
}

/// A file's name for labels ("demo.sqlite"), or the whole path when it has none.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

impl Workspace {
    /// What the window shows about the open database.
    pub fn info(&self) -> Result<DbInfo> {
        let db = self.db()?;
        let settings = self.settings()?;
        Ok(DbInfo {
            path: db.path().to_path_buf(),
            size_bytes: db.file_size(),
            read_only_reason: db.read_only_reason().map(str::to_string),
            tables: db.summaries()?,
            currency: self.currency(&settings)?,
            settings,
        })
    }

    /// Opens the database at `path` in place of the open one.
    pub fn open_path(&mut self, path: &Path) -> Result<DbInfo> {
        let db = Database::open(path)?;
        self.replace_db(db);
        self.info()
    }

    /// Opens the working copy of the bundled sample, copying it there first if needed; `None`
    /// when there is neither a working copy nor a bundled sample.
    pub fn open_default(&mut self, bundled: &Path, working_copy: &Path) -> Result<Option<DbInfo>> {
        if !working_copy.exists() {
            if !bundled.exists() {
                return Ok(None);
            }
            crate::files::copy_atomically(bundled, working_copy)?;
        }
        self.open_path(working_copy).map(Some)
    }

    /// Imports `files` into the open database, or into the database at `into` (created when
    /// missing, under a temporary name until complete), which is then opened.
    pub fn import(
        &mut self,
        files: &[PathBuf],
        options: &ImportOptions,
        into: Option<&Path>,
        progress: &dyn Progress,
    ) -> Result<Imported> {
        let summary = match into {
            Some(path) => {
                if self.db.as_ref().is_some_and(|db| db.path() == path) {
                    // The open database is imported into: let go of it first.
                    self.db = None;
                }
                self.invalidate();
                let summary = crate::data::import::import_to_path(path, files, options, progress)?;
                self.replace_db(Database::open(path)?);
                summary
            }
            None => {
                self.invalidate();
                let db = self.db_mut()?;
                crate::data::import::import_files(db, files, options, progress)?
            }
        };
        Ok(Imported {
            summary,
            info: self.info()?,
        })
    }

    /// Generates a sample database at `out` (replacing only a sample made there before) and opens it.
    pub fn new_sample(
        &mut self,
        out: &Path,
        options: &SampleOptions,
        types: Option<&Path>,
        progress: &dyn Progress,
    ) -> Result<SampleSummary> {
        if self.db.as_ref().is_some_and(|db| db.path() == out) {
            // The file is about to be replaced: let go of it first.
            self.db = None;
            self.invalidate();
        }
        let summary = sample::generate(out, options, types, progress)?;
        self.replace_db(Database::open(out)?);
        Ok(summary)
    }

    /// The data-quality report.
    pub fn check(&self, progress: &dyn Progress) -> Result<QualityReport> {
        quality::check(self.db()?, progress)
    }

    /// Stores a column's role; everything derived from the data is dropped.
    pub fn set_role(&mut self, table: TableKind, column: &str, role: Role) -> Result<DbInfo> {
        self.invalidate();
        self.db_mut()?.set_role(table, column, role)?;
        self.info()
    }

    /// Rows `offset..offset + limit` of a table, in rowid order.
    pub fn rows(
        &mut self,
        table: TableKind,
        offset: u64,
        limit: usize,
        progress: &dyn Progress,
    ) -> Result<RowPage> {
        let db = self.db.as_ref().ok_or_else(super::no_database)?;
        let index = &mut self.rows;
        let range = match index.ranges.get(&table) {
            Some(r) => *r,
            None => {
                let r = browse::rowid_range(db, table.name())?;
                index.ranges.insert(table, r);
                r
            }
        };
        let start = match range.start_of(offset) {
            PageStart::Offset(o) => match index.anchors.get(&(table, o)) {
                Some(rowid) => PageStart::AfterRowid(*rowid),
                None if o == 0 => PageStart::AfterRowid(i64::MIN),
                None => PageStart::Offset(o),
            },
            keyset => keyset,
        };
        let page = browse::read_page(db, table.name(), start, limit, progress)?;
        if !range.is_dense()
            && let Some(last) = page.rowids.last()
        {
            index
                .anchors
                .insert((table, offset + page.rowids.len() as u64), *last);
        }
        Ok(page)
    }
}

/// "customers.csv into customers: 7,043 rows read, 7,043 kept" and a line per skip reason.
pub fn import_summary_text(summary: &ImportSummary) -> String {
    let mut lines = Vec::new();
    for f in &summary.files {
        let guessed = if f.table_guessed { " (guessed)" } else { "" };
        lines.push(format!(
            "{} into {}{guessed}: {} rows read, {} kept",
            file_name(&f.file),
            f.table.name(),
            thousands(f.rows_read),
            thousands(f.rows_kept)
        ));
        for s in &f.skipped {
            lines.push(format!(
                "  {} skipped: {} (line {}: {})",
                thousands(s.count),
                s.reason,
                thousands(s.example_line),
                s.example
            ));
        }
        for note in &f.notes {
            lines.push(format!("  {note}"));
        }
    }
    if lines.is_empty() {
        lines.push("Nothing was imported".to_string());
    }
    lines.join("\n")
}

/// "Generated 1,000 customers, 50 products, 12,345 transactions and 800 reviews".
pub fn sample_summary_text(summary: &SampleSummary) -> String {
    format!(
        "Generated {} customers, {} products, {} transactions and {} reviews",
        thousands(summary.customers),
        thousands(summary.products),
        thousands(summary.transactions),
        thousands(summary.feedback)
    )
}
