//! Churn risk as of today: the model fitted on the cutoff split scores every customer with
//! behaviour measured up to the last day in the data, "risk of no purchase in the next DAYS
//! days". The out-of-fold scores stay the evaluation; these are what a marketer acts on.

use crate::data::dataset::Dataset;
use crate::error::Result;
use crate::models::churn::DAY_SECS;
use crate::models::churn::evaluate::Calibrator;
use crate::models::churn::features::{self, FeatureMatrix};
use crate::models::churn::forest::{Forest, ForestParams};
use crate::models::churn::label::date_text;
use crate::models::churn::logistic::{Logistic, LogisticParams};
use crate::models::churn::reasons::{self, Reason};
use crate::progress::Progress;

/// Customers scored between cancellation checks.
pub(crate) const CHECK_EVERY: usize = 256;

/// A model fitted on one feature layout.
pub(crate) enum Fitted {
    /// Logistic regression on the log-scaled inputs.
    Logistic(Logistic),
    /// Random forest on the raw inputs.
    Forest(Forest),
}

impl Fitted {
    /// Fits a logistic regression on every row of `fm`.
    pub(crate) fn logistic(
        fm: &FeatureMatrix,
        y: &[u8],
        params: &LogisticParams,
    ) -> Result<Fitted> {
        Ok(Fitted::Logistic(Logistic::fit(
            &fm.logistic_input(),
            fm.p(),
            y,
            params,
        )?))
    }

    /// Fits a forest on every row of `fm`.
    pub(crate) fn forest(
        fm: &FeatureMatrix,
        y: &[u8],
        params: &ForestParams,
        progress: &dyn Progress,
    ) -> Result<Fitted> {
        let rows: Vec<usize> = (0..fm.n).collect();
        Ok(Fitted::Forest(Forest::fit(
            &fm.x,
            fm.p(),
            &rows,
            y,
            params,
            progress,
        )?))
    }

    /// The raw probability of row `k` of `fm` (same layout as the fit) and, when asked, each
    /// model column's contribution to it.
    pub(crate) fn score(&self, fm: &FeatureMatrix, k: usize, explain: bool) -> (f64, Vec<f64>) {
        let row = fm.row(k);
        match self {
            Fitted::Logistic(m) => {
                let logs: Vec<f64> = row
                    .iter()
                    .zip(&fm.features)
                    .map(|(&v, f)| {
                        if f.log_scale {
                            v.signum() * v.abs().ln_1p()
                        } else {
                            v
                        }
                    })
                    .collect();
                let contrib = if explain {
                    m.contributions(&logs)
                } else {
                    Vec::new()
                };
                (m.predict(&logs), contrib)
            }
            Fitted::Forest(f) if explain => {
                let (bias, contrib) = f.contributions(row);
                (bias + contrib.iter().sum::<f64>(), contrib)
            }
            Fitted::Forest(f) => (f.predict(row), Vec::new()),
        }
    }

    /// Raw probabilities of every row of `fm`, asking about cancellation now and then.
    pub(crate) fn score_all(
        &self,
        fm: &FeatureMatrix,
        progress: &dyn Progress,
    ) -> Result<Vec<f64>> {
        let mut out = Vec::with_capacity(fm.n);
        for k in 0..fm.n {
            if k % CHECK_EVERY == 0 {
                progress.check()?;
            }
            out.push(self.score(fm, k, false).0);
        }
        Ok(out)
    }
}

/// One customer's risk as of today.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TodayScore {
    /// Customer id.
    pub customer_id: String,
    /// Calibrated probability of no purchase in the next `horizon_days` days.
    pub probability: f64,
    /// Top reasons (at least one).
    pub reasons: Vec<Reason>,
}

/// The start of the day after the last transaction (what "today" means), if there is one.
pub fn reference(data: &Dataset) -> Option<i64> {
    let last = data.transactions.ts.iter().copied().max()?;
    Some((last.div_euclid(DAY_SECS) + 1) * DAY_SECS)
}

/// Dataset indices of the customers with a transaction before `reference`.
pub fn population(data: &Dataset, reference: i64) -> Vec<usize> {
    let t = &data.transactions;
    let mut seen = vec![false; data.n_customers()];
    for (c, ts) in t.customer.iter().zip(&t.ts) {
        if *ts < reference
            && let Some(s) = seen.get_mut(*c as usize)
        {
            *s = true;
        }
    }
    (0..seen.len()).filter(|&i| seen[i]).collect()
}

/// Scores every customer with a transaction as of today (in customer order) with `model`
/// (fitted on `template`'s layout) and `calibrator`, with reasons; returns the last
/// transaction's date (`YYYY-MM-DD`: behaviour is measured up to its end) and the scores.
pub(crate) fn score_today(
    data: &Dataset,
    template: &FeatureMatrix,
    model: &Fitted,
    calibrator: &Calibrator,
    progress: &dyn Progress,
) -> Result<Option<(String, Vec<TodayScore>)>> {
    let Some(reference) = reference(data) else {
        return Ok(None);
    };
    let rows = population(data, reference);
    let fm = features::build_like(template, data, &rows, reference);
    let mut customers = Vec::with_capacity(rows.len());
    for (k, &i) in rows.iter().enumerate() {
        if k % CHECK_EVERY == 0 {
            progress.check()?;
        }
        let (raw, contrib) = model.score(&fm, k, true);
        customers.push(TodayScore {
            customer_id: data.customer_ids.get(i).cloned().unwrap_or_default(),
            probability: calibrator.apply(raw),
            reasons: reasons::top_reasons(&fm, k, &contrib, crate::models::churn::run::REASONS),
        });
    }
    Ok(Some((date_text(reference - DAY_SECS), customers)))
}
