//! Lifetime-value runs: one `tailor_clv_values` row per customer.

use rusqlite::params;

use super::{NewRun, query_rows, save_run};
use crate::data::db::Database;
use crate::error::Result;

/// One customer's stored values.
#[derive(Debug, Clone, PartialEq)]
pub struct ClvValueRow {
    /// The customer id.
    pub customer_id: String,
    /// Repeat purchase days in the calibration period.
    pub frequency: f64,
    /// Last − first purchase, in the run's time unit.
    pub recency: f64,
    /// Calibration end − first purchase, in the run's time unit.
    pub t: f64,
    /// Mean spend over the repeat purchase days, where there are any.
    pub monetary: Option<f64>,
    /// Probability that the customer is still active.
    pub p_alive: f64,
    /// Expected purchases over the run's horizon.
    pub expected_purchases: f64,
    /// Lifetime value over the horizon, when spend was modelled.
    pub clv: Option<f64>,
}

/// Stores a lifetime-value run (kind `clv`) and its per-customer values; returns the run id.
pub fn save_clv_run(
    db: &mut Database,
    params_json: &str,
    summary_json: &str,
    rows: &[ClvValueRow],
) -> Result<i64> {
    let run = NewRun {
        kind: "clv",
        seed: None,
        params_json,
        summary_json,
    };
    save_run(
        db,
        run,
        "INSERT INTO tailor_clv_values (run_id, customer_id, frequency, recency, t,
         monetary, p_alive, expected_purchases, clv)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        rows,
        |stmt, run_id, r| {
            stmt.execute(params![
                run_id,
                r.customer_id,
                r.frequency,
                r.recency,
                r.t,
                r.monetary,
                r.p_alive,
                r.expected_purchases,
                r.clv
            ])
        },
    )
}

/// The stored values of a lifetime-value run, by customer id.
pub fn clv_values(db: &Database, run_id: i64) -> Result<Vec<ClvValueRow>> {
    query_rows(
        db,
        "SELECT customer_id, frequency, recency, t, monetary, p_alive, expected_purchases, clv
         FROM tailor_clv_values WHERE run_id = ?1 ORDER BY customer_id",
        [run_id],
        |r| {
            Ok(ClvValueRow {
                customer_id: r.get(0)?,
                frequency: r.get(1)?,
                recency: r.get(2)?,
                t: r.get(3)?,
                monetary: r.get(4)?,
                p_alive: r.get(5)?,
                expected_purchases: r.get(6)?,
                clv: r.get(7)?,
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::runs::latest_run;

    #[test]
    fn clv_runs_round_trip() {
        let mut db = Database::in_memory().unwrap();
        let row = |id: &str, clv: Option<f64>| ClvValueRow {
            customer_id: id.to_string(),
            frequency: 2.0,
            recency: 3.5,
            t: 10.0,
            monetary: Some(12.0),
            p_alive: 0.8,
            expected_purchases: 1.25,
            clv,
        };
        let id = save_clv_run(&mut db, "{}", "{}", &[row("b", None), row("a", Some(9.5))]).unwrap();
        let last = latest_run(&db, "clv").unwrap().unwrap();
        assert_eq!(last.run_id, id);
        assert_eq!(
            clv_values(&db, id).unwrap(),
            vec![row("a", Some(9.5)), row("b", None)]
        );
    }
}
