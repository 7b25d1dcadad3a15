//! Reading a page of a table's rows as display strings, keyset-paginated by rowid.
//!
//! The Data panel shows any customer table in a virtualized grid; the worker reads the rows
//! that come into view a page at a time. Pages are found by rowid where possible (`WHERE rowid
//! > ?`), which stays fast at the end of a million-row table; an `OFFSET` is used only when no
//! > rowid anchor is known.

use rusqlite::types::ValueRef;

use crate::data::db::Database;
use crate::data::schema::quote_ident;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Longest cell text kept; longer values are cut and end with "…".
pub const MAX_CELL_CHARS: usize = 200;

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStart {
    /// The first row whose rowid is greater than this one (keyset pagination).
    AfterRowid(i64),
    /// The row at this 0-based position in rowid order (slower far into a large table).
    Offset(u64),
}

/// A page of rows, each cell already a display string.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowPage {
    /// Column names, in table order.
    pub columns: Vec<String>,
    /// The rowid of each row.
    pub rowids: Vec<i64>,
    /// The cells, one `Vec` per row, in column order.
    pub rows: Vec<Vec<String>>,
}

/// The smallest and largest rowid and the row count of a table, to tell whether its rowids are
/// dense (`max - min + 1 == count`), in which case row `i` has rowid `min + i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowidRange {
    /// Smallest rowid (0 for an empty table).
    pub min: i64,
    /// Largest rowid (0 for an empty table).
    pub max: i64,
    /// Number of rows.
    pub count: u64,
}

impl RowidRange {
    /// True when row `i` (in rowid order) has rowid `min + i`.
    pub fn is_dense(&self) -> bool {
        self.count == 0
            || self
                .max
                .checked_sub(self.min)
                .and_then(|d| d.checked_add(1))
                .is_some_and(|span| u64::try_from(span).ok() == Some(self.count))
    }

    /// The page start for row `offset`: a rowid anchor when the rowids are dense.
    pub fn start_of(&self, offset: u64) -> PageStart {
        if self.is_dense()
            && let Some(anchor) = i64::try_from(offset)
                .ok()
                .and_then(|o| self.min.checked_add(o))
                .and_then(|r| r.checked_sub(1))
        {
            return PageStart::AfterRowid(anchor);
        }
        PageStart::Offset(offset)
    }
}

/// The rowid range and row count of `table`.
pub fn rowid_range(db: &Database, table: &str) -> Result<RowidRange> {
    let sql = format!(
        "SELECT COALESCE(MIN(rowid), 0), COALESCE(MAX(rowid), 0), COUNT(*) FROM {}",
        quote_ident(table)
    );
    let (min, max, count): (i64, i64, i64) = db
        .conn()
        .query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(Error::sqlite(db.path()))?;
    Ok(RowidRange {
        min,
        max,
        count: u64::try_from(count).unwrap_or(0),
    })
}

/// Reads up to `limit` rows of `table` from `start`, in rowid order, as display strings.
///
/// Checks `progress` for cancellation every thousand rows.
pub fn read_page(
    db: &Database,
    table: &str,
    start: PageStart,
    limit: usize,
    progress: &dyn Progress,
) -> Result<RowPage> {
    let columns: Vec<String> = db
        .raw_columns(table)?
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    if columns.is_empty() {
        return Err(Error::Invalid(format!(
            "no table {table}: {}",
            db.path().display()
        )));
    }
    let limit_sql = i64::try_from(limit).unwrap_or(i64::MAX);
    let (sql, anchor) = match start {
        PageStart::AfterRowid(after) => (
            format!(
                "SELECT rowid, * FROM {} WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
                quote_ident(table)
            ),
            after,
        ),
        PageStart::Offset(offset) => (
            format!(
                "SELECT rowid, * FROM {} ORDER BY rowid LIMIT ?2 OFFSET ?1",
                quote_ident(table)
            ),
            i64::try_from(offset).unwrap_or(i64::MAX),
        ),
    };
    let path = db.path();
    let mut stmt = db
        .conn()
        .prepare_cached(&sql)
        .map_err(Error::sqlite(path))?;
    let mut query = stmt
        .query(rusqlite::params![anchor, limit_sql])
        .map_err(Error::sqlite(path))?;
    let mut page = RowPage {
        rowids: Vec::with_capacity(limit.min(10_000)),
        rows: Vec::with_capacity(limit.min(10_000)),
        columns,
    };
    while let Some(row) = query.next().map_err(Error::sqlite(path))? {
        if page.rows.len() % 1000 == 999 {
            progress.check()?;
        }
        let rowid: i64 = row.get(0).map_err(Error::sqlite(path))?;
        let mut cells = Vec::with_capacity(page.columns.len());
        for i in 0..page.columns.len() {
            let value = row.get_ref(i + 1).map_err(Error::sqlite(path))?;
            cells.push(cell_text(value));
        }
        page.rowids.push(rowid);
        page.rows.push(cells);
    }
    Ok(page)
}

/// A value as the grid shows it: NULL as an empty cell, reals without trailing zeros.
pub fn cell_text(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Null => String::new(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => {
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{f:.0}")
            } else {
                let s = format!("{f:.6}");
                let s = s.trim_end_matches('0');
                s.trim_end_matches('.').to_string()
            }
        }
        ValueRef::Text(t) => {
            let s = String::from_utf8_lossy(t);
            shorten(&s)
        }
        ValueRef::Blob(b) => format!("{} bytes of binary data", b.len()),
    }
}

fn shorten(s: &str) -> String {
    let one_line = s.contains(['\n', '\r']);
    if s.chars().count() <= MAX_CELL_CHARS && !one_line {
        return s.to_string();
    }
    let mut out: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .take(MAX_CELL_CHARS)
        .collect();
    if s.chars().count() > MAX_CELL_CHARS {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::{CancelToken, NoProgress};

    fn db_with_rows(n: usize, gap: bool) -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.sqlite");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, age INTEGER, spend REAL, note TEXT);",
        )
        .unwrap();
        let tx = conn.unchecked_transaction().unwrap();
        for i in 0..n {
            tx.execute(
                "INSERT INTO customers VALUES (?1, ?2, ?3, NULL)",
                rusqlite::params![format!("C{i:04}"), 20 + (i % 50) as i64, i as f64 * 1.5],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        if gap {
            conn.execute("DELETE FROM customers WHERE customer_id = 'C0002'", [])
                .unwrap();
        }
        drop(conn);
        let db = Database::open(&path).unwrap();
        (dir, db)
    }

    #[test]
    fn pages_by_rowid_and_offset_agree() {
        let (_d, db) = db_with_rows(50, false);
        let range = rowid_range(&db, "customers").unwrap();
        assert!(range.is_dense());
        assert_eq!(range.count, 50);
        let a = read_page(&db, "customers", range.start_of(10), 5, &NoProgress).unwrap();
        let b = read_page(&db, "customers", PageStart::Offset(10), 5, &NoProgress).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.rows.len(), 5);
        assert_eq!(a.rows[0], vec!["C0010", "30", "15", ""]);
        assert_eq!(a.rows[1][2], "16.5");
        assert_eq!(a.columns, vec!["customer_id", "age", "spend", "note"]);
        let next = read_page(
            &db,
            "customers",
            PageStart::AfterRowid(*a.rowids.last().unwrap()),
            5,
            &NoProgress,
        )
        .unwrap();
        assert_eq!(next.rows[0][0], "C0015");
    }

    #[test]
    fn gaps_fall_back_to_offset() {
        let (_d, db) = db_with_rows(20, true);
        let range = rowid_range(&db, "customers").unwrap();
        assert!(!range.is_dense());
        assert_eq!(range.start_of(3), PageStart::Offset(3));
        let p = read_page(&db, "customers", range.start_of(2), 2, &NoProgress).unwrap();
        assert_eq!(p.rows[0][0], "C0003");
    }

    #[test]
    fn cancelled_reads_stop() {
        let (_d, db) = db_with_rows(3000, false);
        let token = CancelToken::new();
        token.cancel();
        struct P(CancelToken);
        impl Progress for P {
            fn report(&self, _: f32, _: &str) {}
            fn is_cancelled(&self) -> bool {
                self.0.is_cancelled()
            }
        }
        let err = read_page(&db, "customers", PageStart::Offset(0), 3000, &P(token)).unwrap_err();
        assert!(matches!(err, Error::Cancelled));
    }

    #[test]
    fn long_text_is_cut() {
        let long = "x".repeat(500);
        let s = cell_text(ValueRef::Text(long.as_bytes()));
        assert_eq!(s.chars().count(), MAX_CELL_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(cell_text(ValueRef::Text(b"a\nb")), "a b");
    }
}
