//! Glue between the database and the models, shared by the CLI and the worker thread:
//! load what a model needs, run it, store the run.

use crate::data::dataset::Dataset;
use crate::data::db::Database;
use crate::data::runs;
use crate::error::Result;
use crate::models::churn::run::{ChurnParams, ChurnResult};
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

/// Runs the cross-validated churn model on a loaded dataset and, with `store`, stores the run
/// (kind `churn`, out-of-fold probabilities and reasons in `tailor_churn_scores`) unless the
/// database is read-only. Returns the result and the stored run's id.
pub fn churn_loaded(
    db: &mut Database,
    dataset: &Dataset,
    params: &ChurnParams,
    store: bool,
    progress: &dyn Progress,
) -> Result<(ChurnResult, Option<i64>)> {
    let result = crate::models::churn::run::run(dataset, params, progress)?;
    progress.check()?;
    let run_id = if db.is_read_only() || !store {
        None
    } else {
        let params_json = serde_json::to_string(params)
            .map_err(|e| crate::Error::Invalid(format!("parameters: {e}")))?;
        let summary_json = serde_json::to_string(&result.summary())
            .map_err(|e| crate::Error::Invalid(format!("summary: {e}")))?;
        let rows: Vec<runs::ChurnScoreRow<'_>> = result
            .customers
            .iter()
            .map(|c| {
                let reason = |k: usize| c.reasons.get(k).map(|r| r.text.as_str());
                runs::ChurnScoreRow {
                    customer_id: &c.customer_id,
                    probability: c.probability,
                    label: Some(c.label),
                    reasons: [reason(0), reason(1), reason(2)],
                }
            })
            .collect();
        Some(runs::save_churn_run(
            db,
            params.seed,
            &params_json,
            &summary_json,
            &rows,
        )?)
    };
    Ok((result, run_id))
}
