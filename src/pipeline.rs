//! Glue between the database and the models, shared by the CLI and the worker thread:
//! load what a model needs, run it, store the run.

use crate::data::dataset::Dataset;
use crate::data::db::Database;
use crate::data::runs;
use crate::error::Result;
use crate::models::segment::run::{SegmentParams, SegmentRun, run};
use crate::progress::Progress;

/// A segmentation run and where it was stored.
#[derive(Debug, Clone)]
pub struct SegmentOutcome {
    /// The run.
    pub run: SegmentRun,
    /// The data it ran on (customer ids in label order).
    pub dataset: Dataset,
    /// The stored run's id, or `None` when the database is read-only.
    pub run_id: Option<i64>,
}

/// Loads the database, segments it and stores the run (unless the database is read-only).
pub fn segment(
    db: &mut Database,
    params: &SegmentParams,
    progress: &dyn Progress,
) -> Result<SegmentOutcome> {
    let dataset = Dataset::load(db, progress)?;
    segment_dataset(db, dataset, params, progress)
}

/// Segments an already loaded dataset and stores the run (unless the database is read-only).
pub fn segment_dataset(
    db: &mut Database,
    dataset: Dataset,
    params: &SegmentParams,
    progress: &dyn Progress,
) -> Result<SegmentOutcome> {
    let (run, run_id) = segment_loaded(db, &dataset, params, true, progress)?;
    Ok(SegmentOutcome {
        run,
        dataset,
        run_id,
    })
}

/// Segments a borrowed dataset (the worker keeps it loaded between runs). With `store`, the run
/// is stored unless the database is read-only; the stored run's id is returned.
pub fn segment_loaded(
    db: &mut Database,
    dataset: &Dataset,
    params: &SegmentParams,
    store: bool,
    progress: &dyn Progress,
) -> Result<(SegmentRun, Option<i64>)> {
    let renamed = runs::segment_names(db)?;
    let run = run(dataset, params, &renamed, progress)?;
    progress.check()?;
    let run_id = if db.is_read_only() || !store {
        None
    } else {
        let params_json = serde_json::to_string(params)
            .map_err(|e| crate::Error::Invalid(format!("parameters: {e}")))?;
        let summary_json = serde_json::to_string(&run.summary())
            .map_err(|e| crate::Error::Invalid(format!("summary: {e}")))?;
        let memberships: Vec<(&str, usize)> = dataset
            .customer_ids
            .iter()
            .map(String::as_str)
            .zip(run.labels.iter().copied())
            .collect();
        Some(runs::save_segment_run(
            db,
            params.seed,
            &params_json,
            &summary_json,
            &memberships,
        )?)
    };
    Ok((run, run_id))
}

/// The parameters of the latest stored segmentation run, if any (to show it again on reopen:
/// the same parameters and seed give the same segments).
pub fn latest_segment_params(db: &Database) -> Result<Option<SegmentParams>> {
    Ok(runs::latest_run(db, "segment")?
        .and_then(|r| serde_json::from_str::<SegmentParams>(&r.params_json).ok()))
}

/// A lifetime-value run and where it was stored.
#[derive(Debug, Clone)]
pub struct ClvOutcome {
    /// The run.
    pub result: crate::models::clv::run::ClvResult,
    /// The data it ran on (`customer_ids[row.customer]`).
    pub dataset: Dataset,
    /// The stored run's id, or `None` when the database is read-only.
    pub run_id: Option<i64>,
}

/// Loads the database, fits BG/NBD and Gamma-Gamma, and stores the run (kind `clv`) with its
/// per-customer values unless the database is read-only.
pub fn clv(
    db: &mut Database,
    params: &crate::models::clv::run::ClvParams,
    progress: &dyn Progress,
) -> Result<ClvOutcome> {
    let dataset = Dataset::load(db, progress)?;
    let (result, run_id) = clv_loaded(db, &dataset, params, true, progress)?;
    Ok(ClvOutcome {
        result,
        dataset,
        run_id,
    })
}

/// Runs lifetime value on a borrowed dataset; with `store`, stores it unless the database is
/// read-only, returning the stored run's id.
pub fn clv_loaded(
    db: &mut Database,
    dataset: &Dataset,
    params: &crate::models::clv::run::ClvParams,
    store: bool,
    progress: &dyn Progress,
) -> Result<(crate::models::clv::run::ClvResult, Option<i64>)> {
    let result = crate::models::clv::run::run(dataset, params, progress)?;
    progress.check()?;
    if db.is_read_only() || !store {
        return Ok((result, None));
    }
    let params_json = serde_json::to_string(params)
        .map_err(|e| crate::Error::Invalid(format!("parameters: {e}")))?;
    let summary_json = serde_json::to_string(&result.summary())
        .map_err(|e| crate::Error::Invalid(format!("summary: {e}")))?;
    let rows: Vec<crate::data::clv_runs::ClvValueRow> = result
        .customers
        .iter()
        .filter_map(|c| {
            Some(crate::data::clv_runs::ClvValueRow {
                customer_id: dataset.customer_ids.get(c.customer as usize)?.clone(),
                frequency: f64::from(c.frequency),
                recency: c.recency,
                t: c.t,
                monetary: (c.frequency > 0).then_some(c.monetary),
                p_alive: c.p_alive,
                expected_purchases: c.expected_purchases,
                clv: c.clv,
            })
        })
        .collect();
    let run_id = crate::data::clv_runs::save_clv_run(db, &params_json, &summary_json, &rows)?;
    Ok((result, Some(run_id)))
}
