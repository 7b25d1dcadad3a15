//! Stored runs: every `tailor_runs` row and what each kind keeps beside it, read and written
//! here only.
//!
//! A run row keeps its kind, seed, parameters (JSON), summary (JSON) and time; the per-customer
//! results go to one table per kind: segment memberships to `tailor_segments` ([`segment`],
//! with the user's segment names), churn scores to `tailor_churn_scores` ([`churn`]),
//! lifetime values to `tailor_clv_values` ([`clv`]). Only Tailor's own tables are written, a
//! run and its rows in one transaction.

mod churn;
mod clv;
mod segment;

use rusqlite::{CachedStatement, OptionalExtension, Params, Row, params};

pub use churn::{ChurnScoreRow, ChurnScores, churn_scores, latest_churn_scores, save_churn_run};
pub use clv::{ClvValueRow, clv_values, save_clv_run};
pub use segment::{
    StoredSegment, StoredSegmentation, latest_segmentation, latest_segments, rename_segment,
    save_segment_run, segment_memberships, segment_names,
};

use crate::data::db::{Database, table_exists};
use crate::error::{Error, Result};

/// A stored run's identity and parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRun {
    /// `tailor_runs.run_id`.
    pub run_id: i64,
    /// The run's kind (`segment`, …).
    pub kind: String,
    /// Its seed.
    pub seed: Option<i64>,
    /// Parameters as JSON.
    pub params_json: String,
    /// Summary as JSON.
    pub summary_json: Option<String>,
    /// When it ran (UTC, ISO-8601).
    pub created_at: String,
}

/// The latest run of a kind, if any.
pub fn latest_run(db: &Database, kind: &str) -> Result<Option<StoredRun>> {
    let sq = |e| Error::sqlite(db.path())(e);
    if !has_table(db, "tailor_runs")? {
        return Ok(None);
    }
    db.conn()
        .query_row(
            "SELECT run_id, kind, seed, params_json, summary_json, created_at FROM tailor_runs
             WHERE kind = ?1 ORDER BY run_id DESC LIMIT 1",
            [kind],
            |r| {
                Ok(StoredRun {
                    run_id: r.get(0)?,
                    kind: r.get(1)?,
                    seed: r.get(2)?,
                    params_json: r.get(3)?,
                    summary_json: r.get(4)?,
                    created_at: r.get(5)?,
                })
            },
        )
        .optional()
        .map_err(sq)
}

/// Whether the database has the table `name`.
fn has_table(db: &Database, name: &str) -> Result<bool> {
    table_exists(db.conn(), name).map_err(Error::sqlite(db.path()))
}

/// What a new run row holds.
struct NewRun<'a> {
    /// Its kind.
    kind: &'a str,
    /// Its seed, where it has one.
    seed: Option<i64>,
    /// Parameters as JSON.
    params_json: &'a str,
    /// Summary as JSON.
    summary_json: &'a str,
}

impl<'a> NewRun<'a> {
    /// A run of `kind` with a seed (stored as the largest `i64` when it does not fit).
    fn seeded(kind: &'a str, seed: u64, params_json: &'a str, summary_json: &'a str) -> Self {
        NewRun {
            kind,
            seed: Some(i64::try_from(seed).unwrap_or(i64::MAX)),
            params_json,
            summary_json,
        }
    }
}

/// Stores a run row and, in the same transaction, one row per item through `insert_sql`
/// (`write` binds the run id and an item to the statement). Returns the new run id.
fn save_run<T>(
    db: &mut Database,
    run: NewRun<'_>,
    insert_sql: &str,
    items: &[T],
    mut write: impl FnMut(&mut CachedStatement<'_>, i64, &T) -> rusqlite::Result<usize>,
) -> Result<i64> {
    let path = db.path().to_path_buf();
    let sq = |e| Error::sqlite(&path)(e);
    let conn = db.conn_mut()?;
    let tx = conn.transaction().map_err(sq)?;
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    tx.execute(
        "INSERT INTO tailor_runs (kind, seed, params_json, summary_json, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![run.kind, run.seed, run.params_json, run.summary_json, now],
    )
    .map_err(sq)?;
    let run_id = tx.last_insert_rowid();
    {
        let mut stmt = tx.prepare_cached(insert_sql).map_err(sq)?;
        for item in items {
            write(&mut stmt, run_id, item).map_err(sq)?;
        }
    }
    crate::files::pause_for_tests(crate::files::Moment::BeforeCommit);
    tx.commit().map_err(sq)?;
    Ok(run_id)
}

/// Every row `sql` selects with `params`, each read by `read`.
fn query_rows<T>(
    db: &Database,
    sql: &str,
    params: impl Params,
    read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let sq = |e| Error::sqlite(db.path())(e);
    let mut stmt = db.conn().prepare(sql).map_err(sq)?;
    let rows = stmt.query_map(params, read).map_err(sq)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sq)
}

/// The summary of the latest run of `kind` whose parameters are exactly `params_json`: a run
/// kept for data it was made on (the recommenders' tuning), found again by its parameters.
pub fn summary_for(db: &Database, kind: &str, params_json: &str) -> Result<Option<String>> {
    if !has_table(db, "tailor_runs")? {
        return Ok(None);
    }
    let rows = query_rows(
        db,
        "SELECT summary_json FROM tailor_runs WHERE kind = ?1 AND params_json = ?2
         ORDER BY run_id DESC LIMIT 1",
        params![kind, params_json],
        |r| r.get::<_, Option<String>>(0),
    )?;
    Ok(rows.into_iter().next().flatten())
}

/// Stores a run that has no per-customer rows; returns its id.
pub fn save_summary_run(
    db: &mut Database,
    kind: &str,
    seed: u64,
    params_json: &str,
    summary_json: &str,
) -> Result<i64> {
    let run = NewRun::seeded(kind, seed, params_json, summary_json);
    save_run::<()>(db, run, "SELECT 1", &[], |_, _, _| Ok(0))
}

/// The latest export: (rows, file name, when), or `None` when nothing was exported.
pub fn latest_export(db: &Database) -> Result<Option<(u64, String, String)>> {
    if !has_table(db, "tailor_exports")? {
        return Ok(None);
    }
    let rows = query_rows(
        db,
        "SELECT rows, file, created_at FROM tailor_exports ORDER BY export_id DESC LIMIT 1",
        [],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        },
    )?;
    Ok(rows.into_iter().next().map(|(n, file, when)| {
        let name = std::path::Path::new(&file)
            .file_name()
            .map_or(file.clone(), |f| f.to_string_lossy().into_owned());
        (n.max(0).unsigned_abs(), name, when)
    }))
}
