//! Recommendations: fit the models once per open database, answer one customer at once,
//! evaluate every method, recommend for every customer of a stored segment or for everyone.
//!
//! The workspace keeps the loaded [`Dataset`] and the fitted [`Recommender`] between calls; both
//! are dropped together whenever the database, its data or a column's role changes. Every call
//! names the [`RecOptions`] it wants (the panel's "Use protected columns"); models fitted with
//! other options are fitted again.

use std::sync::Arc;

use crate::data::dataset::Dataset;
use crate::data::db::Database;
use crate::data::{TableKind, runs};
use crate::error::{Error, Result};
use crate::models::recommend::evaluate::{Report, evaluate_methods};
use crate::models::recommend::interactions::Interactions;
use crate::models::recommend::methods::{Blend, HybridWeights, RecMethod, WeightsSource};
use crate::models::recommend::tune::Tuning;
use crate::models::recommend::{HistoryItem, RecOptions, RecRequest, Recommendations, Recommender};
use crate::progress::Progress;
use crate::workspace::{Workspace, no_database};

/// Products listed in a customer's recent history.
pub const HISTORY_LIMIT: usize = 20;
/// The evaluation's cut-off.
pub const EVALUATION_K: usize = 10;
/// Customers of each segment offered in the panel's "Pick from segment" list.
pub const SEGMENT_PICK_LIMIT: usize = 30;

/// What the panel needs to know about the fitted models.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelsInfo {
    /// Customers in the data.
    pub customers: usize,
    /// Products someone has bought.
    pub products: usize,
    /// Customer–product pairs learned from.
    pub pairs: usize,
    /// Methods that cannot be used on this data, with the reason.
    pub unavailable: Vec<(RecMethod, String)>,
    /// A customer with purchases, to show as an example id.
    pub example_id: Option<String>,
    /// The options the models were fitted with (ALS's settings as fitted: tuned, unless tuning
    /// was turned off).
    pub options: RecOptions,
    /// The hybrid's weights when a request names none.
    pub blend: Blend,
    /// What tuning chose and on what (`None` when tuning was turned off).
    pub tuning: Option<Box<Tuning>>,
}

impl ModelsInfo {
    /// The recommendations in a sentence: what each customer gets and, once tuned, how often
    /// the blend found a purchase hidden from it.
    pub fn headline(&self) -> String {
        use crate::format::{percent, thousands};
        let mut text = format!(
            "Every customer gets suggestions of products they have not bought, with the \
             reasons why, learned from {} purchases of {} products.",
            thousands(self.pairs as u64),
            thousands(self.products as u64)
        );
        if let Some(t) = &self.tuning
            && let Some(blend) = t.inner_hit_rate(RecMethod::Hybrid)
        {
            text.push_str(&format!(
                " With one past purchase hidden from {}{} customers, the top {} held it for {} \
                 of them.",
                if t.subsampled { "a sample of " } else { "" },
                thousands(t.evaluated as u64),
                crate::models::recommend::tune::TUNE_K,
                percent(blend)
            ));
        }
        text
    }
}

/// One customer's answer: recommendations and recent history, or that the id is unknown.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerRecs {
    /// The id asked for (trimmed).
    pub customer_id: String,
    /// The request it answers.
    pub request: RecRequest,
    /// The recommendations; `None` when the customer is not in the database.
    pub recommendations: Option<Recommendations>,
    /// The customer's most recent products (at most [`HISTORY_LIMIT`]).
    pub history: Vec<HistoryItem>,
}

/// One segment of the latest stored segmentation run.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentEntry {
    /// Segment id.
    pub id: usize,
    /// Its name (the user's name when renamed).
    pub name: String,
    /// Customers in it.
    pub size: usize,
    /// Its first customers (by id), to pick from.
    pub first_customers: Vec<String>,
}

/// The latest stored segmentation run's segments.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentList {
    /// The run's id.
    pub run_id: i64,
    /// When it ran.
    pub created_at: String,
    /// Its segments, largest first.
    pub segments: Vec<SegmentEntry>,
}

/// One row of a segment's recommendation table.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentRecRow {
    /// The customer.
    pub customer_id: String,
    /// 1-based rank of the item for that customer.
    pub rank: usize,
    /// The product.
    pub product_id: String,
    /// Its name, where known.
    pub name: String,
    /// The method's score.
    pub score: f64,
    /// The strongest reason's text.
    pub reason: String,
}

/// Recommendations for every customer of a segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentRecs {
    /// The segment id.
    pub segment: usize,
    /// The segment's name.
    pub segment_name: String,
    /// The request used.
    pub request: RecRequest,
    /// Customers recommended for.
    pub customers: usize,
    /// Members of the stored run no longer in the data (skipped).
    pub missing: usize,
    /// The table, customer by customer, best item first.
    pub rows: Vec<SegmentRecRow>,
}

/// What an evaluation runs: which methods, the cut-off, the models' options, the hybrid's
/// weights.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluateParams {
    /// The methods, in report order.
    pub methods: Vec<RecMethod>,
    /// The cut-off.
    pub k: usize,
    /// Whether protected columns may be used, whether to tune, and the model settings.
    pub options: RecOptions,
    /// The hybrid's weights; `None`: the tuned ones (the library's defaults when tuning is off).
    pub weights: Option<HybridWeights>,
}

impl Default for EvaluateParams {
    fn default() -> Self {
        EvaluateParams {
            methods: RecMethod::ALL.to_vec(),
            k: EVALUATION_K,
            options: RecOptions::default(),
            weights: None,
        }
    }
}

impl Workspace {
    /// Loads the data (if not loaded) and fits the models (if not fitted with `options`, ALS
    /// tuned unless `options` turns tuning off).
    pub(super) fn fitted(
        &mut self,
        options: &RecOptions,
        progress: &dyn Progress,
    ) -> Result<(&Dataset, &Recommender)> {
        self.db()?
            .require(TableKind::Transactions, "recommendations")?;
        self.loaded(progress)?;
        let (resolved, blend, _) = self.resolve(options, progress)?;
        let data = self.dataset.as_ref().ok_or_else(no_database)?;
        if self
            .recommender
            .as_ref()
            .is_some_and(|m| m.options() != &resolved)
        {
            // Fitted with other options (protected columns allowed or not): fit again.
            self.recommender = None;
        }
        if self.recommender.is_none() {
            let mut rec = Recommender::fit(data, &resolved, progress)?;
            rec.set_blend(blend);
            self.recommender = Some(rec);
        }
        let rec = self.recommender.as_ref().ok_or_else(no_database)?;
        Ok((data, rec))
    }

    /// Fits the models for the open database with `options` (once: later calls with the same
    /// options return at once).
    pub fn fit_recommender(
        &mut self,
        options: &RecOptions,
        progress: &dyn Progress,
    ) -> Result<ModelsInfo> {
        let tuning = match options.tuned {
            true => Some(Box::new(self.rec_tuning(options, progress)?)),
            false => None,
        };
        let (data, rec) = self.fitted(options, progress)?;
        let products = rec.models.buyers.iter().filter(|b| **b > 0).count();
        Ok(ModelsInfo {
            customers: data.n_customers(),
            products,
            pairs: rec.interactions.pairs.len(),
            unavailable: RecMethod::ALL
                .iter()
                .filter_map(|&m| rec.models.unavailable(m).map(|why| (m, why.to_string())))
                .collect(),
            example_id: (0..data.n_customers())
                .find(|&c| !rec.interactions.of(c).is_empty())
                .and_then(|c| data.customer_ids.get(c).cloned()),
            options: *rec.options(),
            blend: rec.blend(),
            tuning,
        })
    }

    /// One customer's recommendations and recent history (fits the models first if needed);
    /// `recommendations` is `None` when the id is not in the database.
    pub fn recommend_customer(
        &mut self,
        customer_id: &str,
        request: &RecRequest,
        options: &RecOptions,
        progress: &dyn Progress,
    ) -> Result<CustomerRecs> {
        let customer_id = customer_id.trim().to_string();
        self.db()?
            .require(TableKind::Transactions, "recommendations")?;
        let unknown = self
            .dataset(progress)?
            .customer_index(&customer_id)
            .is_none();
        if unknown {
            return Ok(CustomerRecs {
                customer_id,
                request: *request,
                recommendations: None,
                history: Vec::new(),
            });
        }
        let (data, rec) = self.fitted(options, progress)?;
        // Superseded while the models were fitted: skip it.
        progress.check()?;
        let c = data.customer_index(&customer_id).ok_or_else(no_database)?;
        Ok(CustomerRecs {
            request: *request,
            recommendations: Some(rec.recommend(data, c, request)),
            history: rec.history(data, c, HISTORY_LIMIT),
            customer_id,
        })
    }

    /// Every customer's recommendations, in customer order (models fitted with `options`).
    pub fn recommend_everyone(
        &mut self,
        request: &RecRequest,
        options: &RecOptions,
        progress: &dyn Progress,
    ) -> Result<Vec<Recommendations>> {
        let (data, rec) = self.fitted(options, progress)?;
        let everyone: Vec<usize> = (0..data.n_customers()).collect();
        rec.recommend_many(data, &everyone, request, progress)
    }

    /// Every customer's top products (no reasons), in customer order: what an audit of who is
    /// shown a category reads.
    pub fn top_products_everyone(
        &mut self,
        request: &RecRequest,
        options: &RecOptions,
        progress: &dyn Progress,
    ) -> Result<Vec<Vec<u32>>> {
        let (data, rec) = self.fitted(options, progress)?;
        let everyone: Vec<usize> = (0..data.n_customers()).collect();
        let ranked = rec.rank_many(&everyone, request, progress)?;
        Ok(ranked
            .into_iter()
            .map(|top| top.into_iter().map(|(p, _)| p).collect())
            .collect())
    }

    /// Evaluates the methods leave-last-out (the interactions of fitted models are reused).
    pub fn evaluate_recommenders(
        &mut self,
        params: &EvaluateParams,
        progress: &dyn Progress,
    ) -> Result<Report> {
        self.db()?
            .require(TableKind::Transactions, "recommendations")?;
        self.loaded(progress)?;
        let (options, tuned, tuning) = self.resolve(&params.options, progress)?;
        let blend = match params.weights {
            Some(weights) => Blend {
                weights,
                source: WeightsSource::Given,
            },
            None => tuned,
        };
        let data = self.dataset.as_ref().ok_or_else(no_database)?;
        let built;
        let all = match &self.recommender {
            Some(rec) => &rec.interactions,
            None => {
                built = Interactions::from_dataset(data);
                &built
            }
        };
        let mut report = evaluate_methods(
            data,
            all,
            &params.methods,
            params.k,
            &options,
            &blend,
            progress,
        )?;
        report.tuning = tuning;
        Ok(report)
    }

    /// The latest stored segmentation run's segments with their first customers; `None` when
    /// the database has no stored run.
    pub fn stored_segments(&self) -> Result<Option<SegmentList>> {
        segment_list(self.db()?)
    }

    /// Recommends `request.top` items for every customer of segment `segment` of the latest
    /// stored segmentation run, one row per (customer, item); the table is kept for export.
    pub fn recommend_segment(
        &mut self,
        segment: usize,
        request: &RecRequest,
        options: &RecOptions,
        progress: &dyn Progress,
    ) -> Result<Arc<SegmentRecs>> {
        let list = self.stored_segments()?.ok_or_else(|| {
            Error::Invalid(
                "no stored segmentation: run one in the Segments panel first".to_string(),
            )
        })?;
        let entry = list
            .segments
            .iter()
            .find(|s| s.id == segment)
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "segment {segment} is not in the latest segmentation (run {})",
                    list.run_id
                ))
            })?;
        let segment_name = entry.name.clone();
        let members = runs::segment_memberships(self.db()?, list.run_id)?;
        let (data, rec) = self.fitted(options, progress)?;
        let mut customers = Vec::new();
        let mut missing = 0;
        for (id, seg) in &members {
            if *seg != segment {
                continue;
            }
            match data.customer_index(id) {
                Some(c) => customers.push(c),
                None => missing += 1,
            }
        }
        let all = rec.recommend_many(data, &customers, request, progress)?;
        progress.report(0.98, "Building the table");
        let mut rows = Vec::with_capacity(all.len() * request.top);
        for r in all {
            for (i, item) in r.items.into_iter().enumerate() {
                let reason = item
                    .reasons
                    .first()
                    .map(|x| x.text.clone())
                    .unwrap_or_default();
                rows.push(SegmentRecRow {
                    customer_id: r.customer_id.clone(),
                    rank: i + 1,
                    product_id: item.product_id,
                    name: item.name.unwrap_or_default(),
                    score: item.score,
                    reason,
                });
            }
        }
        let recs = Arc::new(SegmentRecs {
            segment,
            segment_name,
            request: *request,
            customers: customers.len(),
            missing,
            rows,
        });
        self.segment_recs = Some(Arc::clone(&recs));
        Ok(recs)
    }
}

/// The latest stored segmentation run's segments with their first customers; `None` when the
/// database has no stored run.
pub(crate) fn segment_list(db: &Database) -> Result<Option<SegmentList>> {
    let Some(stored) = runs::latest_segmentation(db)? else {
        return Ok(None);
    };
    let mut segments: Vec<SegmentEntry> = stored
        .segments
        .into_iter()
        .map(|s| SegmentEntry {
            id: s.id,
            name: s.name,
            size: s.size,
            first_customers: Vec::new(),
        })
        .collect();
    for (customer, seg) in stored.members {
        if let Some(e) = segments.iter_mut().find(|s| s.id == seg)
            && e.first_customers.len() < SEGMENT_PICK_LIMIT
        {
            e.first_customers.push(customer);
        }
    }
    Ok(Some(SegmentList {
        run_id: stored.run_id,
        created_at: stored.created_at,
        segments,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::segment::run::{KChoice, SegmentMethod, SegmentParams};
    use crate::progress::NoProgress;

    /// Progress that is already cancelled.
    struct Cancelled;

    impl Progress for Cancelled {
        fn report(&self, _fraction: f32, _message: &str) {}
        fn is_cancelled(&self) -> bool {
            true
        }
    }

    fn plain() -> RecOptions {
        RecOptions::default()
    }

    fn sample_ws(dir: &std::path::Path) -> Workspace {
        crate::workspace::sample_workspace(dir, 400, 7)
    }

    #[test]
    fn everyone_scored_in_blocks_gets_what_each_gets_alone() {
        use crate::models::recommend::models::Who;
        let dir = tempfile::tempdir().unwrap();
        let mut ws = crate::workspace::sample_workspace(dir.path(), 1200, 7);
        for method in [RecMethod::Hybrid, RecMethod::Als, RecMethod::ItemCf] {
            let request = RecRequest {
                method,
                top: 5,
                ..RecRequest::default()
            };
            let all = ws
                .recommend_everyone(&request, &plain(), &NoProgress)
                .unwrap();
            let (data, rec) = ws.fitted(&plain(), &NoProgress).unwrap();
            assert_eq!(all.len(), data.n_customers());
            assert!(
                all.len() > 2 * 256,
                "more than one block of customers: {}",
                all.len()
            );
            for (c, recs) in all.iter().enumerate() {
                assert_eq!(recs, &rec.recommend(data, c, &request), "{method:?} {c}");
                // The batch's matrix product ranks as one customer's own scores do.
                let alone = rec.models.rank(
                    Who::new(&rec.interactions, c),
                    method,
                    &rec.blend().weights,
                    5,
                    false,
                );
                let products: Vec<u32> = recs.items.iter().map(|i| i.product).collect();
                let expected: Vec<u32> = alone.iter().map(|x| x.0).collect();
                assert_eq!(products, expected, "{method:?} {c}");
            }
        }
    }

    #[test]
    fn fits_once_and_answers_known_and_unknown_customers() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = sample_ws(dir.path());
        let info = ws.fit_recommender(&plain(), &NoProgress).unwrap();
        assert!(info.customers >= 400, "{info:?}");
        assert!(info.products > 10 && info.pairs > 100, "{info:?}");
        assert!(ws.recommender.is_some() && ws.dataset.is_some());
        let id = ws.dataset.as_ref().unwrap().customer_ids[3].clone();
        let request = RecRequest {
            top: 7,
            ..RecRequest::default()
        };
        let out = ws
            .recommend_customer(&format!("  {id} "), &request, &plain(), &NoProgress)
            .unwrap();
        assert_eq!(out.customer_id, id);
        let recs = out.recommendations.unwrap();
        assert_eq!(recs.items.len(), 7);
        assert!(recs.items.iter().all(|i| !i.reasons.is_empty()));
        assert!(out.history.len() <= HISTORY_LIMIT);
        let unknown = ws
            .recommend_customer("NOPE", &request, &plain(), &NoProgress)
            .unwrap();
        assert!(unknown.recommendations.is_none() && unknown.history.is_empty());
        assert!(
            Workspace::new()
                .fit_recommender(&plain(), &NoProgress)
                .is_err()
        );
    }

    #[test]
    fn other_options_fit_again_and_protected_columns_group_by_age_and_gender() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = sample_ws(dir.path());
        let info = ws.fit_recommender(&plain(), &NoProgress).unwrap();
        assert!(!info.options.use_protected);
        let plain_columns = ws
            .recommender
            .as_ref()
            .unwrap()
            .models
            .demographic()
            .unwrap()
            .columns
            .clone();
        let protected = RecOptions {
            use_protected: true,
            ..RecOptions::default()
        };
        let id = ws.dataset.as_ref().unwrap().customer_ids[5].clone();
        let request = RecRequest {
            method: RecMethod::Demographic,
            top: 5,
            ..RecRequest::default()
        };
        let out = ws
            .recommend_customer(&id, &request, &protected, &NoProgress)
            .unwrap();
        let rec = ws.recommender.as_ref().unwrap();
        assert!(
            rec.options().use_protected,
            "fitted again with the new options"
        );
        let columns = rec.models.demographic().unwrap().columns.clone();
        assert!(columns.len() > plain_columns.len(), "{columns:?}");
        assert!(out.recommendations.is_some());
        // Back to the defaults: fitted again without them.
        let info = ws.fit_recommender(&plain(), &NoProgress).unwrap();
        assert!(!info.options.use_protected);
        assert_eq!(
            ws.recommender
                .as_ref()
                .unwrap()
                .models
                .demographic()
                .unwrap()
                .columns,
            plain_columns
        );
    }

    #[test]
    fn cancelled_fit_stores_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = sample_ws(dir.path());
        let r = ws.fit_recommender(&plain(), &Cancelled);
        assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
        assert!(ws.recommender.is_none());
    }

    #[test]
    fn evaluates_every_method_with_the_tuned_blend_unless_weights_are_given() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = sample_ws(dir.path());
        let report = ws
            .evaluate_recommenders(&EvaluateParams::default(), &NoProgress)
            .unwrap();
        assert_eq!(report.k, EVALUATION_K);
        assert_eq!(report.methods.len(), RecMethod::ALL.len());
        assert!(report.users > 0);
        // The sample has names, categories and regions: every method is available.
        assert!(report.methods.iter().all(|m| m.available), "{report:?}");
        let hybrid = report.methods.last().unwrap();
        assert_eq!(hybrid.method, RecMethod::Hybrid);
        assert_eq!(report.weights_source, WeightsSource::Tuned);
        let tuning = report.tuning.clone().unwrap();
        assert_eq!(report.hybrid_weights, tuning.weights);
        assert_eq!(
            report.als, tuning.als,
            "ALS evaluated with the tuned settings"
        );
        assert!(
            hybrid
                .note
                .as_deref()
                .unwrap()
                .starts_with("weights tuned on this database: "),
            "{hybrid:?}"
        );
        // On the tuning split the blend does at least as well as any one method: each one
        // alone is where the climb may start.
        let blend = tuning.inner_hit_rate(RecMethod::Hybrid).unwrap();
        for m in RecMethod::BLENDED {
            assert!(blend >= tuning.inner_hit_rate(m).unwrap(), "{tuning:?}");
        }
        let sum: f32 = RecMethod::BLENDED
            .iter()
            .map(|m| tuning.weights.get(*m))
            .sum();
        assert!((sum - 1.0).abs() < 1e-5, "{tuning:?}");
        assert_eq!(
            crate::workspace::tuning::tests::tuning_runs(&ws),
            1,
            "stored with the database"
        );

        // The hybrid takes the weights asked for: all on popular, it is popular.
        let only_popular = HybridWeights {
            popular: 1.0,
            ..HybridWeights::ZERO
        };
        let params = EvaluateParams {
            weights: Some(only_popular),
            ..EvaluateParams::default()
        };
        let report = ws.evaluate_recommenders(&params, &NoProgress).unwrap();
        assert_eq!(report.hybrid_weights, only_popular);
        assert_eq!(report.weights_source, WeightsSource::Given);
        let hybrid = report.methods.last().unwrap();
        assert_eq!(hybrid.metrics, report.methods[0].metrics);
        assert_eq!(hybrid.note.as_deref(), Some("weights given: popular 1.00"));
        // Tuning off: the library's defaults.
        let params = EvaluateParams {
            options: RecOptions {
                tuned: false,
                ..RecOptions::default()
            },
            ..EvaluateParams::default()
        };
        let report = ws.evaluate_recommenders(&params, &NoProgress).unwrap();
        assert_eq!(report.weights_source, WeightsSource::Default);
        assert_eq!(report.hybrid_weights, HybridWeights::default());
        assert_eq!(report.tuning, None);
        assert_eq!(
            crate::workspace::tuning::tests::tuning_runs(&ws),
            1,
            "nothing tuned again"
        );
    }

    #[test]
    fn segment_list_and_recommendations_for_a_segment() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = sample_ws(dir.path());
        assert_eq!(ws.stored_segments().unwrap(), None);
        let params = SegmentParams {
            method: SegmentMethod::Kmeans,
            k: KChoice::Fixed(3),
            ..SegmentParams::default()
        };
        let outcome = ws.segment(&params, &NoProgress).unwrap();
        let list = ws.stored_segments().unwrap().unwrap();
        assert_eq!(Some(list.run_id), outcome.run_id);
        assert_eq!(list.segments.len(), 3);
        let total: usize = list.segments.iter().map(|s| s.size).sum();
        assert_eq!(total, outcome.customer_ids.len());
        assert!(list.segments.windows(2).all(|w| w[0].size >= w[1].size));
        let seg = &list.segments[1];
        assert!(!seg.first_customers.is_empty());
        assert!(seg.first_customers.len() <= SEGMENT_PICK_LIMIT);

        let request = RecRequest {
            top: 3,
            ..RecRequest::default()
        };
        let out = ws
            .recommend_segment(seg.id, &request, &plain(), &NoProgress)
            .unwrap();
        assert_eq!(out.customers, seg.size);
        assert_eq!(out.missing, 0);
        assert_eq!(out.rows.len(), seg.size * 3);
        assert_eq!(out.segment_name, seg.name);
        assert_eq!(out.rows[0].rank, 1);
        assert_eq!(out.rows[2].rank, 3);
        assert!(out.rows.iter().all(|r| !r.reason.is_empty()));

        let path = dir.path().join("recs.csv");
        let options = crate::export::audience::ExportOptions {
            include_no_consent: true,
            ..Default::default()
        };
        let request_export = crate::workspace::export::ExportRequest {
            spec: crate::workspace::export::ExportSpec::SegmentRecs,
            path: path.clone(),
            options,
        };
        let summary = ws.export(&request_export, &NoProgress).unwrap();
        assert_eq!(summary.rows, out.rows.len() as u64);
        assert_eq!(summary.customers, seg.size as u64);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines = text.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .ends_with(",rank,product_id,name,score,top_reason")
        );
        assert_eq!(lines.count(), out.rows.len());

        assert!(
            ws.recommend_segment(99, &request, &plain(), &NoProgress)
                .is_err()
        );
    }
}
