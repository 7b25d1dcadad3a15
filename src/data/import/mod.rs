//! Import of CSV, CSV.gz and XLSX files into a Tailor database.
//!
//! Each file is read as a stream of rows ([`source`]), its columns are mapped to the schema
//! ([`mapping`]), values are parsed ([`crate::data::values`]) and rows are written inside one
//! SQLite transaction for all files, so a failed import leaves the database as it was.
//! Customers and products named by a transactions file are created (or updated) from it.

mod guard;
pub mod mapping;
mod plan;
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
    /// `--update`: a customer or product already in the database takes the file's non-blank
    /// values (blanks never erase); without it, it is left as it was.
    pub update: bool,
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
        writeln!(f, "{name} into {} ({how})", self.table)?;
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
    if let Some(fmt) = &options.date_format
        && (fmt.trim().is_empty() || !fmt.contains('%'))
    {
        return Err(Error::Invalid(format!(
            "--date-format {fmt:?} has no % field (for example %d/%m/%Y)"
        )));
    }
    let db_path = db.path().to_path_buf();
    let conn = db.conn_mut()?;
    let tx = conn.transaction().map_err(Error::sqlite(&db_path))?;
    let mut summary = ImportSummary::default();
    let mut columns_seen: Vec<write::ColumnSeen> = Vec::new();
    for (i, file) in files.iter().enumerate() {
        progress.check()?;
        let (fs, seen) =
            write::import_one(&tx, &db_path, file, options, progress, (i, files.len()))?;
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
    crate::files::pause_for_tests(crate::files::Moment::BeforeCommit);
    tx.commit().map_err(Error::sqlite(&db_path))?;
    progress.report(1.0, "Import finished");
    Ok(summary)
}

/// Imports files into the database at `db_path`. A new database is written to a unique temporary
/// file in the same folder and renamed at the end, so a failed import leaves no file; an existing
/// one is changed in one transaction, so a failed import leaves it as it was. When another import
/// made the database meanwhile, this one waits for it and appends: a database is never renamed
/// over another. The database cannot be one of the files read.
pub fn import_to_path(
    db_path: &Path,
    files: &[PathBuf],
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportSummary> {
    let inputs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    crate::files::check_output("the database", db_path, None, &inputs)?;
    if db_path.exists() {
        let mut db = Database::open_or_create(db_path)?;
        return import_files(&mut db, files, options, progress);
    }
    if db_path.file_name().is_none() {
        return Err(Error::Invalid(format!(
            "not a file name: {}",
            db_path.display()
        )));
    }
    crate::files::remove_stale_temporaries(db_path.parent().unwrap_or(Path::new(".")));
    let tmp = crate::files::temp_path_for(db_path);
    let remove_tmp = || {
        for file in crate::files::database_files(&tmp) {
            let _ = std::fs::remove_file(file);
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
        Ok((summary, crate::files::rename_new(&tmp, db_path)?))
    })();
    remove_tmp();
    match result? {
        (summary, true) => Ok(summary),
        // Another import made the database first: append to it.
        (_, false) => {
            let mut db = Database::open_or_create(db_path)?;
            import_files(&mut db, files, options, progress)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn run(db: &mut Database, files: &[PathBuf], options: &ImportOptions) -> Result<ImportSummary> {
        import_files(db, files, options, &NoProgress)
    }

    fn count(db: &Database, sql: &str) -> i64 {
        db.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    const RETAIL: &str =
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536366,71053,LANTERN,6,2010-12-01 08:28:00,3.39,,United Kingdom
C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,France
536380,85123A,WHITE HEART,2,2010-12-01 09:45:00,2.65,17850.0,United Kingdom
536381,71053,LANTERN,1,not a date,3.39,17850.0,United Kingdom
";

    #[test]
    fn transactions_file_fills_three_tables() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(&dir, "retail.csv", RETAIL);
        let mut db = Database::in_memory().unwrap();
        let s = run(&mut db, &[f], &ImportOptions::default()).unwrap();
        let fs = &s.files[0];
        assert_eq!(fs.table, TableKind::Transactions);
        assert!(fs.table_guessed);
        assert_eq!((fs.rows_read, fs.rows_kept), (5, 3));
        assert_eq!(fs.skipped.len(), 2);
        assert_eq!(fs.skipped[0].reason, "no customer id");
        assert_eq!(fs.skipped[0].example_line, 3);
        assert!(fs.skipped[0].example.starts_with("536366,71053"));
        assert_eq!(
            fs.skipped[1].reason,
            "date in column InvoiceDate does not parse"
        );
        assert_eq!(fs.skipped[1].example_line, 6);
        assert!(
            fs.mapping
                .contains(&("customers.country".into(), "Country".into()))
        );
        assert!(
            fs.notes.iter().any(|n| n.contains("5 distinct orders")),
            "{:?}",
            fs.notes
        );
        // Source order, ISO dates, ids without ".0", cancellations flagged.
        let rows: Vec<(String, String, String, i64)> = db
            .conn()
            .prepare("SELECT customer_id, ts, order_id, cancelled FROM transactions ORDER BY rowid")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(
            rows[0],
            (
                "17850".into(),
                "2010-12-01T08:26:00".into(),
                "536365".into(),
                0
            )
        );
        assert_eq!(rows[1].2, "C536379");
        assert_eq!(rows[1].3, 1);
        assert_eq!(rows[2].2, "536380");
        // A customer whose only row is a cancellation is still a customer.
        assert_eq!(count(&db, "SELECT COUNT(*) FROM customers"), 2);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM customers WHERE customer_id = '14527' AND country = 'France'"
            ),
            1
        );
        let (name, price): (String, f64) = db
            .conn()
            .query_row(
                "SELECT name, price FROM products WHERE product_id = '85123A'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((name.as_str(), price), ("WHITE HEART", 2.65));
        let text = s.to_text();
        assert!(text.contains("customer_id ← CustomerID"), "{text}");
        assert!(
            text.contains("1 skipped: no customer id (first at line 3"),
            "{text}"
        );
    }

    #[test]
    fn customers_are_upserted_and_columns_added() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(
            &dir,
            "a.csv",
            "customerID,gender,Churn,TotalCharges\n1,F,Yes,10.5\n2,M,no, \n",
        );
        let b = write(
            &dir,
            "b.csv",
            "client;Churn;Tier\n2;TRUE;gold\n3;N;silver\n",
        );
        let mut db = Database::in_memory().unwrap();
        let s = run(&mut db, &[a], &ImportOptions::default()).unwrap();
        assert!(
            s.files[0]
                .notes
                .iter()
                .any(|n| n == "TotalCharges: 1 blank values stored as missing")
        );
        // Appending: customer 2 is already there and stays as it was; 3 is added.
        let s = run(&mut db, std::slice::from_ref(&b), &ImportOptions::default()).unwrap();
        assert!(
            s.files[0].notes.iter().any(|n| n.starts_with(
                "1 customers added, 1 already there left as they were (--update changes them"
            )),
            "{:?}",
            s.files[0].notes
        );
        assert_eq!(count(&db, "SELECT COUNT(*) FROM customers"), 3);
        assert_eq!(count(&db, "SELECT SUM(churned) FROM customers"), 1);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM customers WHERE customer_id = '2' AND Tier IS NULL"
            ),
            1
        );
        // With --update it takes the file's values; a blank never erases.
        let update = ImportOptions {
            update: true,
            ..ImportOptions::default()
        };
        let s = run(&mut db, &[b], &update).unwrap();
        assert!(
            s.files[0]
                .notes
                .iter()
                .any(|n| n
                    .contains("2 already there updated (churned 1, Tier 1; blanks never erase)")),
            "{:?}",
            s.files[0].notes
        );
        assert_eq!(count(&db, "SELECT SUM(churned) FROM customers"), 2);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM customers WHERE customer_id = '2' AND gender = 'M' AND Tier = 'gold'"
            ),
            1
        );
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM customers WHERE TotalCharges IS NULL"
            ),
            2
        );
    }

    #[test]
    fn mapping_overrides_and_missing_source_column() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(
            &dir,
            "x.csv",
            "who,when,what\nA,2011-01-02,p1\nB,2011-01-03,p2\n",
        );
        let mut db = Database::in_memory().unwrap();
        let options = ImportOptions {
            mappings: vec![
                ("customer_id".into(), "who".into()),
                ("ts".into(), "when".into()),
                ("product_id".into(), "WHAT".into()),
            ],
            ..ImportOptions::default()
        };
        let s = run(&mut db, std::slice::from_ref(&f), &options).unwrap();
        assert_eq!(s.files[0].table, TableKind::Transactions);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM products"), 2);
        let bad = ImportOptions {
            mappings: vec![("customer_id".into(), "nobody".into())],
            ..ImportOptions::default()
        };
        let e = run(&mut db, std::slice::from_ref(&f), &bad)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("column nobody") && e.ends_with(&f.display().to_string()),
            "{e}"
        );
    }

    #[test]
    fn typed_header_and_epoch_seconds() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(
            &dir,
            "inter.tsv",
            "user_id:token\titem_id:token\trating:float\ttimestamp:float\n196\t242\t3\t881250949\n186\t302\t3\t891717742\n",
        );
        let mut db = Database::in_memory().unwrap();
        let s = run(&mut db, &[f], &ImportOptions::default()).unwrap();
        assert_eq!(s.files[0].table, TableKind::Transactions);
        let ts: String = db
            .conn()
            .query_row(
                "SELECT ts FROM transactions WHERE customer_id = '196'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(ts, "1997-12-04T15:55:49");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM products"), 2);
    }

    #[test]
    fn day_month_order_comes_from_the_values() {
        let dir = tempfile::tempdir().unwrap();
        let us = write(
            &dir,
            "us.csv",
            "customer,date\na,03/04/2011\nb,12/31/2011\n",
        );
        let eu = write(
            &dir,
            "eu.csv",
            "customer,date\nc,03/04/2011\nd,31/12/2011\n",
        );
        let mut db = Database::in_memory().unwrap();
        run(&mut db, &[us, eu.clone()], &ImportOptions::default()).unwrap();
        let ts = |c: &str| -> String {
            db.conn()
                .query_row(
                    "SELECT ts FROM transactions WHERE customer_id = ?1",
                    [c],
                    |r| r.get(0),
                )
                .unwrap()
        };
        assert_eq!(ts("a"), "2011-03-04");
        assert_eq!(ts("c"), "2011-04-03");
        // An explicit format wins.
        let mut db = Database::in_memory().unwrap();
        let fmt = ImportOptions {
            date_format: Some("%m/%d/%Y".into()),
            ..ImportOptions::default()
        };
        let s = run(&mut db, &[eu], &fmt).unwrap();
        assert_eq!(s.files[0].rows_kept, 1);
        assert_eq!(
            s.files[0].skipped[0].reason,
            "date in column date does not parse"
        );
    }

    #[test]
    fn unreadable_date_column_is_an_error_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let good = write(&dir, "good.csv", "customer,date\na,2011-01-01\n");
        let bad = write(&dir, "bad.csv", "customer,date\na,soon\nb,later\n");
        let db_path = dir.path().join("t.sqlite");
        import_to_path(
            &db_path,
            std::slice::from_ref(&good),
            &ImportOptions::default(),
            &NoProgress,
        )
        .unwrap();
        let e = import_to_path(
            &db_path,
            &[good, bad.clone()],
            &ImportOptions::default(),
            &NoProgress,
        )
        .err()
        .unwrap()
        .to_string();
        assert!(
            e.contains("column date")
                && e.contains("line 2")
                && e.ends_with(&bad.display().to_string()),
            "{e}"
        );
        let db = Database::open(&db_path).unwrap();
        assert_eq!(count(&db, "SELECT COUNT(*) FROM transactions"), 1);
        // A failed import into a new database leaves no file.
        let new_path = dir.path().join("new.sqlite");
        assert!(import_to_path(&new_path, &[bad], &ImportOptions::default(), &NoProgress).is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
    }

    #[test]
    fn roles_are_stored() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(&dir, "c.csv", "id,Segment,income\n1,a,10\n2,b,20\n");
        let mut db = Database::in_memory().unwrap();
        let options = ImportOptions {
            table: Some(TableKind::Customers),
            mappings: vec![("customer_id".into(), "id".into())],
            roles: vec![("income".into(), Role::Protected)],
            ..ImportOptions::default()
        };
        run(&mut db, std::slice::from_ref(&f), &options).unwrap();
        let role: String = db
            .conn()
            .query_row(
                "SELECT role FROM tailor_columns WHERE table_name = 'customers' AND column_name = 'income'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(role, "protected");
        let bad = ImportOptions {
            roles: vec![("nope".into(), Role::Pii)],
            ..options
        };
        let e = run(&mut db, &[f], &bad).err().unwrap().to_string();
        assert!(e.contains("column nope"), "{e}");
    }

    #[test]
    fn headerless_transactions_are_guessed() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(
            &dir,
            "cd.txt",
            " 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n 00005 0002 19970102  1   9.50\r\n",
        );
        let mut db = Database::in_memory().unwrap();
        let s = run(&mut db, &[f], &ImportOptions::default()).unwrap();
        assert_eq!(s.files[0].table, TableKind::Transactions);
        assert_eq!(
            count(&db, "SELECT COUNT(DISTINCT customer_id) FROM transactions"),
            2
        );
        let (c, ts, amount): (String, String, f64) = db
            .conn()
            .query_row(
                "SELECT customer_id, ts, amount FROM transactions ORDER BY rowid LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            (c.as_str(), ts.as_str(), amount),
            ("00004", "1997-01-01", 29.33)
        );
    }
}
