//! Churn runs: one `tailor_churn_scores` row per customer (probability, label, reasons).

use rusqlite::params;

use super::{NewRun, has_table, latest_run, query_rows, save_run};
use crate::data::dataset::Dataset;
use crate::data::db::Database;
use crate::error::Result;

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
    save_run(
        db,
        NewRun::seeded("churn", seed, params_json, summary_json),
        "INSERT INTO tailor_churn_scores
         (run_id, customer_id, probability, label, reason_1, reason_2, reason_3)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        scores,
        |stmt, run_id, s| {
            stmt.execute(params![
                run_id,
                s.customer_id,
                s.probability,
                s.label.map(i64::from),
                s.reasons[0],
                s.reasons[1],
                s.reasons[2]
            ])
        },
    )
}

/// The scores of a stored churn run, as (customer id, probability), by customer id.
pub fn churn_scores(db: &Database, run_id: i64) -> Result<Vec<(String, f64)>> {
    query_rows(
        db,
        "SELECT customer_id, probability FROM tailor_churn_scores WHERE run_id = ?1
         ORDER BY customer_id",
        [run_id],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)),
    )
}

/// The latest churn run's scores, by customer index.
#[derive(Debug, Clone, PartialEq)]
pub struct ChurnScores {
    /// `tailor_runs.run_id`.
    pub run_id: i64,
    /// Churn probability, where scored.
    pub probability: Vec<Option<f64>>,
    /// The label the run learned from, where known.
    pub label: Vec<Option<bool>>,
    /// The three reasons, where scored.
    pub reasons: Vec<Vec<String>>,
}

/// The latest stored churn run aligned with `data`'s customer order (what a fairness audit or
/// a campaign reads), or `None` when there is none.
pub fn latest_churn_scores(db: &Database, data: &Dataset) -> Result<Option<ChurnScores>> {
    if !has_table(db, "tailor_churn_scores")? {
        return Ok(None);
    }
    let Some(run) = latest_run(db, "churn")? else {
        return Ok(None);
    };
    let n = data.n_customers();
    let mut out = ChurnScores {
        run_id: run.run_id,
        probability: vec![None; n],
        label: vec![None; n],
        reasons: vec![Vec::new(); n],
    };
    let rows = query_rows(
        db,
        "SELECT customer_id, probability, label, reason_1, reason_2, reason_3
         FROM tailor_churn_scores WHERE run_id = ?1",
        [run.run_id],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, f64>(1)?,
                r.get::<_, Option<i64>>(2)?,
                [
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ],
            ))
        },
    )?;
    for (id, p, label, reasons) in rows {
        if let Some(i) = data.customer_index(&id) {
            if let Some(x) = out.probability.get_mut(i) {
                *x = Some(p);
            }
            if let Some(x) = out.label.get_mut(i) {
                *x = label.map(|l| l != 0);
            }
            if let Some(x) = out.reasons.get_mut(i) {
                *x = reasons.into_iter().flatten().collect();
            }
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

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
