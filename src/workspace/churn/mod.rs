//! Churn and lifetime value: run either model on the loaded data and store the run; the latest
//! of each is kept so that whichever runs second joins the other into the target list.

mod agree;
pub mod story;
mod view;

use std::sync::Arc;

use crate::data::TableKind;
use crate::data::runs::{self, ChurnScoreRow};
use crate::data::runs::{ClvValueRow, save_clv_run};
use crate::error::Result;
use crate::models::churn::run::{ChurnParams, ChurnResult};
use crate::models::clv::run::{ClvParams, ClvResult};
use crate::progress::Progress;
use crate::workspace::{Workspace, to_json};
pub use agree::{DISAGREE, RiskPeriod, disagreement};
pub use view::{
    ChurnView, ClvView, IMPORTANCE_BARS, TARGET_COLUMNS, TargetList, TargetRow, ThresholdTable,
    churn_view, share_at, target_audience, threshold_percent,
};
use view::{ClvValue, join_targets, points};

/// The latest churn and CLV results (dropped with the dataset).
#[derive(Debug, Default)]
pub struct ChurnCache {
    /// The latest churn run's customers, unsorted and without values, and what they cover.
    churn: Option<(Vec<TargetRow>, RiskPeriod)>,
    /// The latest lifetime values.
    clv: Option<(Vec<ClvValue>, f64)>,
}

/// A churn run and where it was stored.
#[derive(Debug, Clone)]
pub struct ChurnOutcome {
    /// The run.
    pub result: ChurnResult,
    /// The stored run's id, or `None` when the database is read-only.
    pub run_id: Option<i64>,
}

/// A lifetime-value run and where it was stored.
#[derive(Debug, Clone)]
pub struct ClvOutcome {
    /// The run (`result.customers[..].customer` indexes the dataset's `customer_ids`).
    pub result: ClvResult,
    /// The stored run's id, or `None` when the database is read-only.
    pub run_id: Option<i64>,
}

impl ClvOutcome {
    /// What the panel shows of the run (the per-customer rows go to the target list).
    pub fn view(mut self) -> ClvView {
        let valued_customers = std::mem::take(&mut self.result.customers).len();
        let (holdout_actual, holdout_predicted) = self.result.holdout.as_ref().map_or_else(
            || (Vec::new(), Vec::new()),
            |h| {
                (
                    points(&h.bins, |b| [f64::from(b.frequency), b.actual]),
                    points(&h.bins, |b| [f64::from(b.frequency), b.predicted]),
                )
            },
        );
        ClvView {
            result: self.result,
            holdout_actual,
            holdout_predicted,
            run_id: self.run_id,
            valued_customers,
        }
    }
}

/// The purchase history's dates, for the lifetime-value controls.
#[derive(Debug, Clone, PartialEq)]
pub struct PurchaseSpan {
    /// First purchase day (ISO date).
    pub first: String,
    /// Last purchase day (ISO date).
    pub last: String,
    /// Days from the first to the last purchase day.
    pub days: i64,
    /// The suggested calibration end (ISO date): the last purchase day minus a third of the
    /// span, so the last third checks the predictions; `None` for a short history.
    pub suggested: Option<String>,
}

impl Workspace {
    /// Runs the cross-validated churn model and stores the run (kind `churn`; in
    /// `tailor_churn_scores` the scores a marketer acts on: as of today with an inactivity
    /// label, out-of-fold with a label column) unless the database is read-only. The scores are
    /// kept for the target list.
    pub fn churn(&mut self, params: &ChurnParams, progress: &dyn Progress) -> Result<ChurnOutcome> {
        let outcome = self.store_churn_run(params, progress)?;
        progress.report(0.99, "Preparing the charts");
        let rows = outcome
            .result
            .scored()
            .into_iter()
            .map(|c| TargetRow {
                customer_id: c.customer_id.to_string(),
                probability: c.probability,
                label: c.label,
                top_weight: c.reasons.first().map_or(0.0, |r| r.weight),
                reasons: c.reasons.iter().map(|r| r.text.clone()).collect(),
                value: None,
                value_at_risk: None,
            })
            .collect();
        let r = &outcome.result;
        let period = match (&r.as_of, r.label.days, &r.label.column) {
            (Some(as_of), Some(days), _) => RiskPeriod::AsOf {
                as_of: as_of.clone(),
                days,
            },
            (_, _, Some(column)) => RiskPeriod::Label(column.clone()),
            _ => RiskPeriod::Unknown,
        };
        self.churn.churn = Some((rows, period));
        Ok(outcome)
    }

    /// Runs the churn model and stores the run, leaving the target list as it is.
    pub(super) fn store_churn_run(
        &mut self,
        params: &ChurnParams,
        progress: &dyn Progress,
    ) -> Result<ChurnOutcome> {
        let mut params = params.clone();
        params.features.money = self.money()?;
        let params = &params;
        let (db, data) = self.loaded(progress)?;
        let result = crate::models::churn::run::run(data, params, progress)?;
        progress.check()?;
        let run_id = if db.is_read_only() {
            None
        } else {
            let rows: Vec<ChurnScoreRow<'_>> = result
                .scored()
                .into_iter()
                .map(|c| {
                    let reason = |k: usize| c.reasons.get(k).map(|r| r.text.as_str());
                    ChurnScoreRow {
                        customer_id: c.customer_id,
                        probability: c.probability,
                        label: c.label,
                        reasons: [reason(0), reason(1), reason(2)],
                    }
                })
                .collect();
            Some(runs::save_churn_run(
                db,
                params.seed,
                // The model that ran (the backtest's choice, never `auto`), so that a
                // what-if retrains the same model.
                &to_json("parameters", &result.params)?,
                &to_json("summary", &result.summary())?,
                &rows,
            )?)
        };
        Ok(ChurnOutcome { result, run_id })
    }

    /// Fits BG/NBD and Gamma-Gamma and stores the run (kind `clv`, per-customer values in
    /// `tailor_clv_values`) unless the database is read-only. The values are kept for the
    /// target list.
    pub fn clv(&mut self, params: &ClvParams, progress: &dyn Progress) -> Result<ClvOutcome> {
        self.db()?
            .require(TableKind::Transactions, "lifetime value")?;
        let (db, data) = self.loaded(progress)?;
        let result = crate::models::clv::run::run(data, params, progress)?;
        progress.check()?;
        let id = |c: u32| data.customer_ids.get(c as usize);
        let run_id = if db.is_read_only() {
            None
        } else {
            let rows: Vec<ClvValueRow> = result
                .customers
                .iter()
                .filter_map(|c| {
                    Some(ClvValueRow {
                        customer_id: id(c.customer)?.clone(),
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
            Some(save_clv_run(
                db,
                &to_json("parameters", params)?,
                &to_json("summary", &result.summary())?,
                &rows,
            )?)
        };
        let values: Vec<ClvValue> = result
            .customers
            .iter()
            .filter_map(|c| Some((id(c.customer)?.clone(), *c)))
            .collect();
        self.churn.clv = Some((values, params.time_unit.days()));
        Ok(ClvOutcome { result, run_id })
    }

    /// The target list: the latest churn run's customers joined with the latest lifetime
    /// values, by value at risk; `None` before churn has run.
    pub fn churn_targets(&self) -> Option<Arc<TargetList>> {
        let (rows, period) = self.churn.churn.as_ref()?;
        Some(Arc::new(join_targets(
            rows.clone(),
            self.churn
                .clv
                .as_ref()
                .map(|(v, days)| (v.as_slice(), *days)),
            period.clone(),
        )))
    }

    /// The first and last purchase days and the suggested calibration end; `None` without
    /// purchases (or without a transactions table).
    pub fn purchase_span(&mut self, progress: &dyn Progress) -> Result<Option<PurchaseSpan>> {
        if !self.db()?.has_table(TableKind::Transactions) {
            return Ok(None);
        }
        let data = self.dataset(progress)?;
        let Some((first, last)) = crate::models::clv::summary::purchase_span(&data.transactions)
        else {
            return Ok(None);
        };
        let (Some(first), Some(last)) = (
            crate::models::clv::run::date_of_day(first),
            crate::models::clv::run::date_of_day(last),
        ) else {
            return Ok(None);
        };
        let iso = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
        Ok(Some(PurchaseSpan {
            first: iso(first),
            last: iso(last),
            days: (last - first).num_days(),
            suggested: crate::models::clv::run::suggested_calibration_end(first, last).map(iso),
        }))
    }
}

#[cfg(test)]
mod tests;
