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

/// Audits a decision by a protected column on a loaded dataset: reads the latest stored churn or
/// segmentation run as the decision needs, or fits the recommender for `recs:` decisions (every
/// customer's top 5 hybrid recommendations).
pub fn audit_loaded(
    db: &Database,
    data: &Dataset,
    attribute: &str,
    decision: crate::models::fairness::decision::Decision,
    options: &crate::models::fairness::audit::AuditOptions,
    progress: &dyn Progress,
) -> Result<crate::models::fairness::report::AuditReport> {
    use crate::data::decisions::{latest_churn_scores, latest_segments};
    use crate::error::Error;
    use crate::models::fairness::decision::{Decision, label_column, top_fraction};
    use crate::models::fairness::groups::groups_named;
    use crate::models::fairness::report::{build, exposure};
    use crate::models::recommend::engine::{RecOptions, RecRequest, Recommender};
    let groups = groups_named(data, attribute)?;
    let n = data.n_customers();
    let column_label = label_column(data);
    let column = column_label
        .as_ref()
        .map(|(name, values)| (name.as_str(), values.as_slice()));
    match &decision {
        Decision::ChurnTop(_) | Decision::ChurnAbove(_) => {
            let scores = latest_churn_scores(db, data)?.ok_or_else(|| {
                Error::Invalid(format!(
                    "no churn run is stored in {}: run `tailor churn` (or Churn & value in the window) first",
                    db.path().display()
                ))
            })?;
            let selected = match decision {
                Decision::ChurnTop(f) => top_fraction(&scores.probability, &data.customer_ids, f),
                Decision::ChurnAbove(t) => scores
                    .probability
                    .iter()
                    .map(|p| p.is_some_and(|p| p >= t))
                    .collect(),
                _ => vec![false; n],
            };
            let in_scope: Vec<bool> = scores.probability.iter().map(Option::is_some).collect();
            let label = format!("churn run {}", scores.run_id);
            Ok(build(
                data,
                &groups,
                decision,
                &selected,
                &in_scope,
                Some((label.as_str(), &scores.label)),
                options,
            ))
        }
        Decision::Segment(s) => {
            let (run_id, of) = latest_segments(db, data)?.ok_or_else(|| {
                Error::Invalid(format!(
                    "no segmentation is stored in {}: run `tailor segment` (or Segments in the window) first",
                    db.path().display()
                ))
            })?;
            if !of.contains(&Some(*s)) {
                let mut ids: Vec<usize> = of.iter().flatten().copied().collect();
                ids.sort_unstable();
                ids.dedup();
                return Err(Error::Invalid(format!(
                    "segmentation run {run_id} has no segment {s} (segments: {})",
                    ids.iter()
                        .map(usize::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            let selected: Vec<bool> = of.iter().map(|x| *x == Some(*s)).collect();
            let in_scope: Vec<bool> = of.iter().map(Option::is_some).collect();
            Ok(build(
                data, &groups, decision, &selected, &in_scope, column, options,
            ))
        }
        Decision::RecsCategory(name) => {
            let cats = &data.products.categories;
            let Some(cat) = cats.iter().position(|c| c.eq_ignore_ascii_case(name)) else {
                return Err(Error::Invalid(if cats.is_empty() {
                    "products have no categories: a recs: decision needs a category column"
                        .to_string()
                } else {
                    format!(
                        "no product category {name} (categories: {})",
                        cats.join(", ")
                    )
                }));
            };
            let rec = Recommender::fit(data, &RecOptions::default(), progress)?;
            let request = RecRequest {
                top: 5,
                ..RecRequest::default()
            };
            let everyone: Vec<usize> = (0..n).collect();
            let recs = rec.recommend_many(data, &everyone, &request, progress)?;
            let shown: Vec<Vec<u32>> = recs
                .iter()
                .map(|r| r.items.iter().map(|i| i.product).collect())
                .collect();
            let selected: Vec<bool> = shown
                .iter()
                .map(|items| {
                    items.iter().any(|p| {
                        data.products.category.get(*p as usize).copied().flatten()
                            == Some(cat as u32)
                    })
                })
                .collect();
            let in_scope = vec![true; n];
            let mut report = build(
                data, &groups, decision, &selected, &in_scope, column, options,
            );
            report.exposure = exposure(data, &groups, &shown, &rec.interactions);
            Ok(report)
        }
    }
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
