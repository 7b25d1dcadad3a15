//! Stored runs: `tailor_runs`, `tailor_segments` and the user's segment names.
//!
//! A run row keeps its kind, seed, parameters (JSON), summary (JSON) and time; segment
//! memberships go to `tailor_segments`. Only Tailor's own tables are written, in a transaction.

use rusqlite::{OptionalExtension, params};

use crate::data::db::Database;
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

/// Stores a segmentation run: the run row plus one membership row per customer.
/// Returns the new run id.
pub fn save_segment_run(
    db: &mut Database,
    seed: u64,
    params_json: &str,
    summary_json: &str,
    memberships: &[(&str, usize)],
) -> Result<i64> {
    let path = db.path().to_path_buf();
    let sq = |e| Error::sqlite(&path)(e);
    let conn = db.conn_mut()?;
    let tx = conn.transaction().map_err(sq)?;
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    tx.execute(
        "INSERT INTO tailor_runs (kind, seed, params_json, summary_json, created_at)
         VALUES ('segment', ?1, ?2, ?3, ?4)",
        params![
            i64::try_from(seed).unwrap_or(i64::MAX),
            params_json,
            summary_json,
            now
        ],
    )
    .map_err(sq)?;
    let run_id = tx.last_insert_rowid();
    {
        let mut stmt = tx
            .prepare_cached(
                "INSERT INTO tailor_segments (run_id, customer_id, segment_id) VALUES (?1, ?2, ?3)",
            )
            .map_err(sq)?;
        for (customer, segment) in memberships {
            stmt.execute(params![run_id, customer, *segment as i64])
                .map_err(sq)?;
        }
    }
    tx.commit().map_err(sq)?;
    Ok(run_id)
}

/// One customer's stored churn score.
#[derive(Debug, Clone, PartialEq)]
pub struct ChurnScoreRow<'a> {
    /// Customer id.
    pub customer_id: &'a str,
    /// Churn probability.
    pub probability: f64,
    /// Observed label, if any.
    pub label: Option<u8>,
    /// Up to three reasons.
    pub reasons: [Option<&'a str>; 3],
}

/// Stores a churn run: the run row (kind `churn`) plus one `tailor_churn_scores` row per
/// customer. Returns the new run id.
pub fn save_churn_run(
    db: &mut Database,
    seed: u64,
    params_json: &str,
    summary_json: &str,
    scores: &[ChurnScoreRow<'_>],
) -> Result<i64> {
    let path = db.path().to_path_buf();
    let sq = |e| Error::sqlite(&path)(e);
    let conn = db.conn_mut()?;
    let tx = conn.transaction().map_err(sq)?;
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    tx.execute(
        "INSERT INTO tailor_runs (kind, seed, params_json, summary_json, created_at)
         VALUES ('churn', ?1, ?2, ?3, ?4)",
        params![
            i64::try_from(seed).unwrap_or(i64::MAX),
            params_json,
            summary_json,
            now
        ],
    )
    .map_err(sq)?;
    let run_id = tx.last_insert_rowid();
    {
        let mut stmt = tx
            .prepare_cached(
                "INSERT INTO tailor_churn_scores
                 (run_id, customer_id, probability, label, reason_1, reason_2, reason_3)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(sq)?;
        for s in scores {
            stmt.execute(params![
                run_id,
                s.customer_id,
                s.probability,
                s.label.map(i64::from),
                s.reasons[0],
                s.reasons[1],
                s.reasons[2]
            ])
            .map_err(sq)?;
        }
    }
    tx.commit().map_err(sq)?;
    Ok(run_id)
}

/// The scores of a stored churn run, as (customer id, probability), by customer id.
pub fn churn_scores(db: &Database, run_id: i64) -> Result<Vec<(String, f64)>> {
    let sq = |e| Error::sqlite(db.path())(e);
    let mut stmt = db
        .conn()
        .prepare(
            "SELECT customer_id, probability FROM tailor_churn_scores WHERE run_id = ?1
             ORDER BY customer_id",
        )
        .map_err(sq)?;
    let rows = stmt
        .query_map([run_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?))
        })
        .map_err(sq)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sq)
}

/// The latest run of a kind, if any.
pub fn latest_run(db: &Database, kind: &str) -> Result<Option<StoredRun>> {
    let sq = |e| Error::sqlite(db.path())(e);
    if !crate::data::db::table_exists(db.conn(), "tailor_runs").map_err(sq)? {
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

/// The memberships of a stored segmentation run, as (customer id, segment id).
pub fn segment_memberships(db: &Database, run_id: i64) -> Result<Vec<(String, usize)>> {
    let sq = |e| Error::sqlite(db.path())(e);
    let mut stmt = db
        .conn()
        .prepare(
            "SELECT customer_id, segment_id FROM tailor_segments WHERE run_id = ?1
             ORDER BY customer_id",
        )
        .map_err(sq)?;
    let rows = stmt
        .query_map([run_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })
        .map_err(sq)?;
    let mut out = Vec::new();
    for row in rows {
        let (c, s) = row.map_err(sq)?;
        out.push((c, usize::try_from(s).unwrap_or(0)));
    }
    Ok(out)
}

/// The user's names for segments, as (automatic name, user's name).
pub fn segment_names(db: &Database) -> Result<Vec<(String, String)>> {
    let sq = |e| Error::sqlite(db.path())(e);
    if !crate::data::db::table_exists(db.conn(), "tailor_segment_names").map_err(sq)? {
        return Ok(Vec::new());
    }
    let mut stmt = db
        .conn()
        .prepare("SELECT auto_name, name FROM tailor_segment_names ORDER BY auto_name")
        .map_err(sq)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(sq)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sq)
}

/// Keeps the user's name for the segment the rule calls `auto_name` (an empty name removes it).
pub fn rename_segment(db: &mut Database, auto_name: &str, name: &str) -> Result<()> {
    let path = db.path().to_path_buf();
    let conn = db.conn_mut()?;
    let name = name.trim();
    let result = if name.is_empty() || name == auto_name {
        conn.execute(
            "DELETE FROM tailor_segment_names WHERE auto_name = ?1",
            [auto_name],
        )
    } else {
        conn.execute(
            "INSERT INTO tailor_segment_names (auto_name, name) VALUES (?1, ?2)
             ON CONFLICT (auto_name) DO UPDATE SET name = excluded.name",
            [auto_name, name],
        )
    };
    result.map(|_| ()).map_err(Error::sqlite(&path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_and_names_round_trip() {
        let mut db = Database::in_memory().unwrap();
        assert!(latest_run(&db, "segment").unwrap().is_none());
        let a = save_segment_run(&mut db, 7, "{\"k\":2}", "{}", &[("b", 1), ("a", 0)]).unwrap();
        let b = save_segment_run(&mut db, 8, "{\"k\":3}", "{}", &[("a", 2)]).unwrap();
        assert!(b > a);
        let last = latest_run(&db, "segment").unwrap().unwrap();
        assert_eq!((last.run_id, last.seed), (b, Some(8)));
        assert_eq!(
            segment_memberships(&db, a).unwrap(),
            vec![("a".to_string(), 0), ("b".to_string(), 1)]
        );
        rename_segment(&mut db, "High-value loyal", "VIPs").unwrap();
        rename_segment(&mut db, "Lapsed loyal", "Win back").unwrap();
        rename_segment(&mut db, "Lapsed loyal", "").unwrap();
        assert_eq!(
            segment_names(&db).unwrap(),
            vec![("High-value loyal".to_string(), "VIPs".to_string())]
        );
    }

    #[test]
    fn churn_runs_round_trip() {
        let mut db = Database::in_memory().unwrap();
        let rows = [
            ChurnScoreRow {
                customer_id: "b",
                probability: 0.25,
                label: Some(0),
                reasons: [Some("Tenure 2 (low)"), None, None],
            },
            ChurnScoreRow {
                customer_id: "a",
                probability: 0.75,
                label: None,
                reasons: [Some("Contract: Month-to-month"), Some("x"), Some("y")],
            },
        ];
        let id = save_churn_run(&mut db, 3, "{}", "{}", &rows).unwrap();
        assert_eq!(latest_run(&db, "churn").unwrap().unwrap().run_id, id);
        assert_eq!(
            churn_scores(&db, id).unwrap(),
            vec![("a".to_string(), 0.75), ("b".to_string(), 0.25)]
        );
    }
}
