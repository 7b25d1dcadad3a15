//! The out-of-time backtest: the same pipeline run one horizon earlier, scored against what then
//! happened, beside two baselines a marketer understands (recency alone, BG/NBD's P(alive)).
//!
//! With an inactivity label of `h` days and cutoff `c`, the backtest labels customers by
//! inactivity in `[c − h, c)`, fits the model on behaviour before `c − h`, then scores the run's
//! own population with behaviour before `c` — as the model would have scored them on the day
//! before `c` — and compares with who bought nothing in `[c, c + h)`. Nothing it fits sees a
//! transaction on or after `c`.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::data::dataset::Dataset;
use crate::error::Result;
use crate::models::churn::DAY_SECS;
use crate::models::churn::evaluate::roc_auc;
use crate::models::churn::features::{self, FeatureMatrix, FeatureOptions};
use crate::models::churn::label::{self, Label, Labelled, date_text};
use crate::models::churn::run::{ChurnParams, ModelKind};
use crate::models::churn::today::Fitted;
use crate::models::clv::bgnbd;
use crate::models::clv::summary::{TimeUnit, summarize};
use crate::progress::Progress;

/// Customers at most in each of the backtest's populations; larger ones are subsampled (seeded).
pub const MAX_CUSTOMERS: usize = 100_000;
/// Each class needs at least this many customers in the earlier split for a backtest.
const MIN_CLASS: usize = 10;

/// The AUCs of the two baselines on the backtest's customers.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Baselines {
    /// Recency alone: the longer since the last purchase, the riskier.
    pub recency: f64,
    /// 1 − P(alive) of BG/NBD fitted on the same history; `None` when it cannot be fitted.
    pub p_alive: Option<f64>,
}

/// One model's backtest.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ModelBacktest {
    /// `logistic` or `forest`.
    pub model: ModelKind,
    /// ROC AUC on what happened next.
    pub auc: f64,
    /// Share of the riskiest 10 % who bought nothing in the next `horizon_days`.
    pub top_decile_rate: f64,
}

/// The backtest of the chosen model, with the others tried.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Backtest {
    /// The day the backtest scores as of (`YYYY-MM-DD`): the day before the run's cutoff.
    pub as_of: String,
    /// The window after `as_of`.
    pub horizon_days: u32,
    /// ROC AUC of the chosen model on what happened next.
    pub auc: f64,
    /// Share of its riskiest 10 % who bought nothing in the window.
    pub top_decile_rate: f64,
    /// Share of everyone scored who bought nothing in the window.
    pub base_rate: f64,
    /// The baselines' AUCs on the same customers.
    pub baselines: Baselines,
    /// Customers scored.
    pub customers: usize,
    /// Customers the model learned from (as of one horizon earlier).
    pub trained_on: usize,
    /// Whether the populations were subsampled to [`MAX_CUSTOMERS`] (seeded).
    pub subsampled: bool,
    /// Every model tried, best first.
    pub models: Vec<ModelBacktest>,
}

impl Backtest {
    /// Whether the chosen model ranks better than recency alone.
    pub fn beats_recency(&self) -> bool {
        self.auc > self.baselines.recency
    }
}

/// At most [`MAX_CUSTOMERS`] of `rows` (with their labels), seeded; the order is kept.
fn subsample(rows: &[usize], y: &[u8], seed: u64) -> (Vec<usize>, Vec<u8>) {
    if rows.len() <= MAX_CUSTOMERS {
        return (rows.to_vec(), y.to_vec());
    }
    let mut pick: Vec<usize> = (0..rows.len()).collect();
    pick.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    pick.truncate(MAX_CUSTOMERS);
    pick.sort_unstable();
    (
        pick.iter().filter_map(|&k| rows.get(k).copied()).collect(),
        pick.iter().filter_map(|&k| y.get(k).copied()).collect(),
    )
}

/// Share of the top 10 % by score (ties by order) with label 1.
fn top_decile_rate(scores: &[f64], y: &[u8]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let top = scores.len().div_ceil(10).max(1);
    let hits = order
        .iter()
        .take(top)
        .filter(|&&i| y.get(i) == Some(&1))
        .count();
    hits as f64 / top.min(scores.len()).max(1) as f64
}

/// 1 − P(alive) as of the day before `cutoff`, from BG/NBD fitted on purchases before it, for
/// `rows`; `None` when it cannot be fitted.
fn p_alive_risk(
    data: &Dataset,
    rows: &[usize],
    cutoff: i64,
    progress: &dyn Progress,
) -> Option<Vec<f64>> {
    let s = summarize(
        &data.transactions,
        cutoff.div_euclid(DAY_SECS) - 1,
        TimeUnit::Week,
    )?;
    let d = bgnbd::RfData {
        x: s.rows.iter().map(|r| r.frequency).collect(),
        t_x: s.rows.iter().map(|r| r.recency).collect(),
        t: s.rows.iter().map(|r| r.t).collect(),
    };
    let fit = bgnbd::fit_until(&d, &|| progress.is_cancelled());
    if !fit.log_likelihood.is_finite() {
        return None;
    }
    Some(
        rows.iter()
            .map(|&i| {
                s.rows
                    .binary_search_by_key(&(i as u32), |r| r.customer)
                    .ok()
                    .and_then(|k| s.rows.get(k))
                    .map_or(0.5, |r| {
                        1.0 - fit.params.p_alive(r.frequency, r.recency, r.t)
                    })
            })
            .collect(),
    )
}

/// What the backtest needs from the run: its population at the cutoff and the options.
pub(crate) struct Split<'a> {
    /// The run's labelled population (inactivity label).
    pub labelled: &'a Labelled,
    /// The run's inputs for that population (for recency).
    pub fm: &'a FeatureMatrix,
    /// Feature options.
    pub options: &'a FeatureOptions,
}

/// Runs the backtest for each of `models`, best first; `None` when the history is too short
/// (each class needs [`MIN_CLASS`] customers one horizon before the cutoff).
pub(crate) fn backtest(
    data: &Dataset,
    split: &Split<'_>,
    params: &ChurnParams,
    models: &[ModelKind],
    progress: &dyn Progress,
) -> Result<Option<Backtest>> {
    let (Some(cutoff), Some(days)) = (split.labelled.cutoff, split.labelled.info.days) else {
        return Ok(None);
    };
    let earlier = cutoff - i64::from(days) * DAY_SECS;
    let past = label::resolve(
        data,
        &Label::Inactive {
            days,
            cutoff: Some(earlier),
        },
    )?;
    let (train_rows, train_y) = subsample(&past.rows, &past.y, params.seed);
    let churned = train_y.iter().filter(|v| **v == 1).count();
    if churned < MIN_CLASS || train_y.len() - churned < MIN_CLASS {
        return Ok(None);
    }
    progress.check()?;
    let (rows, y) = subsample(&split.labelled.rows, &split.labelled.y, params.seed ^ 1);
    let train = features::build(data, &train_rows, past.cutoff, None, split.options);
    let scored = features::build_like(&train, data, &rows, cutoff);
    let mut tried = Vec::with_capacity(models.len());
    for &model in models {
        progress.check()?;
        let fitted = match model {
            ModelKind::Logistic | ModelKind::Auto => {
                Fitted::logistic(&train, &train_y, &params.logistic)?
            }
            ModelKind::Forest => Fitted::forest(&train, &train_y, &params.forest, progress)?,
        };
        let scores = fitted.score_all(&scored, progress)?;
        tried.push(ModelBacktest {
            model,
            auc: roc_auc(&scores, &y).unwrap_or(0.5),
            top_decile_rate: top_decile_rate(&scores, &y),
        });
    }
    tried.sort_by(|a, b| b.auc.total_cmp(&a.auc));
    let Some(best) = tried.first().cloned() else {
        return Ok(None);
    };
    // Recency as the run measured it at the cutoff (the same customers, before subsampling).
    let recency_col = split.fm.names().iter().position(|n| n == "recency_days");
    let position: std::collections::HashMap<usize, usize> = split
        .labelled
        .rows
        .iter()
        .enumerate()
        .map(|(k, &i)| (i, k))
        .collect();
    let recency: Vec<f64> = rows
        .iter()
        .map(|i| {
            let k = position.get(i).copied().unwrap_or(0);
            recency_col.map_or(0.0, |j| split.fm.row(k).get(j).copied().unwrap_or(0.0))
        })
        .collect();
    progress.check()?;
    let p_alive = p_alive_risk(data, &rows, cutoff, progress).and_then(|r| roc_auc(&r, &y));
    progress.check()?;
    Ok(Some(Backtest {
        as_of: date_text(cutoff - DAY_SECS),
        horizon_days: days,
        auc: best.auc,
        top_decile_rate: best.top_decile_rate,
        base_rate: y.iter().filter(|v| **v == 1).count() as f64 / y.len().max(1) as f64,
        baselines: Baselines {
            recency: roc_auc(&recency, &y).unwrap_or(0.5),
            p_alive,
        },
        customers: rows.len(),
        trained_on: train_rows.len(),
        subsampled: rows.len() < split.labelled.rows.len() || train_rows.len() < past.rows.len(),
        models: tried,
    }))
}

impl Backtest {
    /// The backtest in a marketer's words, one sentence per line: what the flagged tenth did,
    /// how the ranking compares with the baselines, and which model it chose.
    pub fn story(&self, chosen_by_backtest: bool) -> Vec<String> {
        let pct = |v: f64| crate::format::percent(v);
        let mut out = vec![format!(
            "Backtest: of the 10% we would have flagged on {}, {} bought nothing in the next {} \
             days, against {} of everyone{}.",
            self.as_of,
            pct(self.top_decile_rate),
            self.horizon_days,
            pct(self.base_rate),
            if self.subsampled {
                format!(
                    " (a seeded sample of {} customers)",
                    crate::format::thousands(self.customers as u64)
                )
            } else {
                String::new()
            }
        )];
        let model = self
            .models
            .first()
            .map_or("the model", |m| m.model.as_str());
        let p_alive = self
            .baselines
            .p_alive
            .map(|a| format!(", P(alive) {a:.3}"))
            .unwrap_or_default();
        out.push(format!(
            "Ranking on what happened next (AUC): {model} {:.3}, recency alone {:.3}{p_alive}.",
            self.auc, self.baselines.recency
        ));
        if self.baselines.p_alive.is_some_and(|a| a < 0.5) {
            out.push(
                "P(alive) ranks worse than chance here: BG/NBD counts a one-time buyer as a \
                 customer, and one-time buyers are the likeliest to buy nothing."
                    .to_string(),
            );
        }
        out.push(self.verdict());
        if chosen_by_backtest && let Some(other) = self.models.get(1) {
            out.push(format!(
                "Model: {model}, the better of the two in the backtest ({} {:.3}).",
                other.model.as_str(),
                other.auc
            ));
        }
        out
    }

    /// Whether the model ranks better than recency alone, in a sentence.
    pub fn verdict(&self) -> String {
        let model = self
            .models
            .first()
            .map_or("the model", |m| m.model.as_str());
        if self.beats_recency() {
            format!(
                "The {model} model ranks better than recency alone (+{:.3} AUC).",
                self.auc - self.baselines.recency
            )
        } else if self.models.len() > 1 {
            "Neither model ranks better than recency alone here: sorting by days since the \
             last purchase does as well."
                .to_string()
        } else {
            format!(
                "The {model} model does not rank better than recency alone here: sorting by \
                 days since the last purchase does as well."
            )
        }
    }
}
