//! The stored results a fairness audit or a campaign reads, aligned with a [`Dataset`]'s
//! customer order: the latest churn run's scores and labels, the latest segmentation's
//! memberships.

use crate::data::dataset::Dataset;
use crate::data::db::{Database, table_exists};
use crate::data::runs::{latest_run, segment_memberships};
use crate::error::{Error, Result};

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

/// The latest stored churn run, or `None` when there is none.
pub fn latest_churn_scores(db: &Database, data: &Dataset) -> Result<Option<ChurnScores>> {
    let sq = |e| Error::sqlite(db.path())(e);
    if !table_exists(db.conn(), "tailor_churn_scores").map_err(sq)? {
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
    let mut stmt = db
        .conn()
        .prepare(
            "SELECT customer_id, probability, label, reason_1, reason_2, reason_3
             FROM tailor_churn_scores WHERE run_id = ?1",
        )
        .map_err(sq)?;
    let rows = stmt
        .query_map([run.run_id], |r| {
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
        })
        .map_err(sq)?;
    for row in rows {
        let (id, p, label, reasons) = row.map_err(sq)?;
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

/// The latest segmentation's segment per customer index, with its run id; `None` without one.
pub fn latest_segments(db: &Database, data: &Dataset) -> Result<Option<(i64, Vec<Option<usize>>)>> {
    let Some(run) = latest_run(db, "segment")? else {
        return Ok(None);
    };
    let mut of = vec![None; data.n_customers()];
    for (id, s) in segment_memberships(db, run.run_id)? {
        if let Some(slot) = data.customer_index(&id).and_then(|i| of.get_mut(i)) {
            *slot = Some(s);
        }
    }
    Ok(Some((run.run_id, of)))
}
