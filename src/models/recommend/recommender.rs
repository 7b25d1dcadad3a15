//! [`Recommender`]: the fitted [`Models`] on all interactions plus what the reasons need (who
//! bought what, the ALS explanation); it returns [`Recommendations`], items with their
//! reasons, for one customer or many, and a customer's history.

use crate::data::dataset::Dataset;
use crate::error::{Error, Result};
use crate::format::count;
use crate::models::recommend::als_explain::AlsExplainer;
use crate::models::recommend::co_buyers::CoBuyers;
use crate::models::recommend::interactions::Interactions;
use crate::models::recommend::methods::{Blend, HybridWeights, RecMethod, WeightsSource};
use crate::models::recommend::models::{Models, RecOptions, Who, own_pairs};
use crate::models::recommend::reasons::{
    Evidence, MAX_REASONS, Reason, ReasonKind, Subject, iso, merge_same_evidence, product_id,
    product_name, reasons_for,
};
use crate::progress::Progress;

/// What to recommend.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecRequest {
    /// The method.
    pub method: RecMethod,
    /// How many items.
    pub top: usize,
    /// Include products the customer already has.
    pub repeat: bool,
    /// Hybrid weights (used by `hybrid` only); `None`: the recommender's own blend (tuned on
    /// this database, unless tuning was turned off).
    pub weights: Option<HybridWeights>,
}

impl Default for RecRequest {
    fn default() -> Self {
        Self {
            method: RecMethod::Hybrid,
            top: 10,
            repeat: false,
            weights: None,
        }
    }
}

/// One method's share of a hybrid item's score.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Contribution {
    /// The method.
    pub method: RecMethod,
    /// Its share (0–1).
    pub share: f64,
}

/// One recommended product.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RecItem {
    /// Product index.
    #[serde(skip)]
    pub product: u32,
    /// Product id.
    pub product_id: String,
    /// Product name, where known.
    pub name: Option<String>,
    /// The method's score (hybrid: the blended 0–1 score).
    pub score: f64,
    /// The reasons, strongest first.
    pub reasons: Vec<Reason>,
    /// Each method's share of the score (one entry for a single method).
    pub contributions: Vec<Contribution>,
}

/// A customer's recommendations.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Recommendations {
    /// The customer.
    pub customer_id: String,
    /// The method.
    pub method: RecMethod,
    /// The items, best first.
    pub items: Vec<RecItem>,
    /// The customer has no purchases.
    pub cold_start: bool,
    /// Methods left out of the blend, and why.
    pub notes: Vec<String>,
    /// The hybrid's weights and where they came from (`None` for a single method).
    pub blend: Option<Blend>,
}

/// One product in a customer's history.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HistoryItem {
    /// Product id.
    pub product_id: String,
    /// Product name, where known.
    pub name: Option<String>,
    /// Transaction rows.
    pub rows: u32,
    /// Date of the latest, `YYYY-MM-DD`.
    pub last: String,
}

/// Fitted models on all interactions, with what reasons need.
#[derive(Debug, Clone)]
pub struct Recommender {
    /// The fitted methods.
    pub models: Models,
    /// All interactions.
    pub interactions: Interactions,
    /// Customers who have both of two products.
    co: CoBuyers,
    explainer: AlsExplainer,
    /// The options the models were fitted with.
    options: RecOptions,
    /// The hybrid's weights when a request names none.
    blend: Blend,
}

impl Recommender {
    /// Fits every method on all of `data`'s interactions.
    pub fn fit(data: &Dataset, options: &RecOptions, progress: &dyn Progress) -> Result<Self> {
        progress.report(0.0, "Counting purchases");
        let interactions = Interactions::from_dataset(data);
        if interactions.pairs.is_empty() {
            return Err(Error::Invalid(
                "no purchases to learn from: the transactions table has no rows with a known customer and product".into(),
            ));
        }
        let models = Models::fit(data, &interactions, options, &RecMethod::ALL, progress)?;
        let co = CoBuyers::new(&interactions);
        let explainer = AlsExplainer::new(&models.als, models.als_params.regularization);
        progress.report(1.0, "Models ready");
        Ok(Recommender {
            models,
            interactions,
            co,
            explainer,
            options: *options,
            blend: Blend::default(),
        })
    }

    /// The options the models were fitted with.
    pub fn options(&self) -> &RecOptions {
        &self.options
    }

    /// The hybrid's weights when a request names none.
    pub fn blend(&self) -> Blend {
        self.blend
    }

    /// Sets the hybrid's weights for requests that name none (the tuned blend).
    pub fn set_blend(&mut self, blend: Blend) {
        self.blend = blend;
    }

    /// The blend a request asks for.
    pub fn blend_for(&self, request: &RecRequest) -> Blend {
        match request.weights {
            Some(weights) => Blend {
                weights,
                source: WeightsSource::Given,
            },
            None => self.blend,
        }
    }

    /// Customers who have both products.
    pub fn co_buyers(&self, a: u32, b: u32) -> u32 {
        self.co.count(&self.interactions, a, b)
    }

    /// A customer's products, most recent first, at most `limit`.
    pub fn history(&self, data: &Dataset, customer: usize, limit: usize) -> Vec<HistoryItem> {
        let mut own = self.interactions.of(customer).to_vec();
        own.sort_by_key(|p| std::cmp::Reverse((p.last_ts, p.last_row)));
        own.into_iter()
            .take(limit)
            .map(|p| HistoryItem {
                product_id: product_id(data, p.product),
                name: product_name(data, p.product),
                rows: p.count,
                last: iso(p.last_ts).get(..10).unwrap_or_default().to_string(),
            })
            .collect()
    }

    /// Recommendations for the customer with this id.
    pub fn recommend_id(
        &self,
        data: &Dataset,
        customer_id: &str,
        request: &RecRequest,
    ) -> Result<Recommendations> {
        let c = data.customer_index(customer_id).ok_or_else(|| {
            Error::Invalid(format!("customer {customer_id} is not in the database"))
        })?;
        Ok(self.recommend(data, c, request))
    }

    /// Recommendations for many customers, in the order of `customers`.
    pub fn recommend_many(
        &self,
        data: &Dataset,
        customers: &[usize],
        request: &RecRequest,
        progress: &dyn Progress,
    ) -> Result<Vec<Recommendations>> {
        self.recommend_each(data, customers, request, progress, |r| r)
    }

    /// Each customer's recommendations passed through `keep` as soon as they are made, in the
    /// order of `customers`: what a campaign keeps of a million customers' lists (the top
    /// item's name and reason) is all that stays in memory. Customers are scored in blocks
    /// ([`Models::each_customer`]) and reasons are built only for the items kept.
    pub fn recommend_each<T: Send>(
        &self,
        data: &Dataset,
        customers: &[usize],
        request: &RecRequest,
        progress: &dyn Progress,
        keep: impl Fn(Recommendations) -> T + Sync,
    ) -> Result<Vec<T>> {
        self.each(customers, request, progress, |who, plan| {
            keep(self.recommend_one(data, who, plan))
        })
    }

    /// Each customer's top products with their scores, without reasons (what an audit of who
    /// is shown a category needs), in the order of `customers`.
    pub fn rank_many(
        &self,
        customers: &[usize],
        request: &RecRequest,
        progress: &dyn Progress,
    ) -> Result<Vec<Vec<(u32, f32)>>> {
        self.each(customers, request, progress, |who, plan| {
            self.models.rank(
                who,
                plan.method,
                &plan.blend.weights,
                request.top,
                request.repeat,
            )
        })
    }

    /// `each` of `customers` under the request's plan, in blocks ([`Models::each_customer`]).
    fn each<T: Send>(
        &self,
        customers: &[usize],
        request: &RecRequest,
        progress: &dyn Progress,
        each: impl Fn(Who<'_>, &Plan) -> T + Sync,
    ) -> Result<Vec<T>> {
        let plan = self.plan(request);
        self.models.each_customer(
            &self.interactions,
            customers,
            plan.method.uses_als(),
            progress,
            |who| each(who, &plan),
        )
    }

    /// Recommendations for customer index `customer`.
    pub fn recommend(
        &self,
        data: &Dataset,
        customer: usize,
        request: &RecRequest,
    ) -> Recommendations {
        let plan = self.plan(request);
        self.recommend_one(data, Who::new(&self.interactions, customer), &plan)
    }

    /// What a request resolves to, the same for every customer: the method (popular when the
    /// one asked for cannot be used), the blend and the notes saying what was left out.
    fn plan(&self, request: &RecRequest) -> Plan {
        let models = &self.models;
        let blend = self.blend_for(request);
        let mut notes = Vec::new();
        let method = match models.unavailable(request.method) {
            Some(why) => {
                notes.push(format!(
                    "{} is not available ({why}); showing popular instead",
                    request.method.as_str()
                ));
                RecMethod::Popular
            }
            None => request.method,
        };
        if method == RecMethod::Hybrid {
            for m in RecMethod::BLENDED {
                if let Some(why) = models.unavailable(m)
                    && blend.weights.get(m) > 0.0
                {
                    notes.push(format!("{} left out of the blend: {why}", m.as_str()));
                }
            }
        }
        Plan {
            request: *request,
            method,
            blend,
            notes,
        }
    }

    /// One customer's list: the top items and, for those only, their reasons.
    fn recommend_one(&self, data: &Dataset, who: Who<'_>, plan: &Plan) -> Recommendations {
        let (inter, customer) = (&self.interactions, who.customer);
        let models = &self.models;
        let method = plan.method;
        let request = &plan.request;
        let cold_start = inter.of(customer).is_empty();
        let scored = models.score(who, method, &plan.blend.weights, request.repeat);
        let kept = models.best(&scored, request.top);
        // Reasons never cite postage, fees and the like.
        let own: Vec<(u32, f32)> = own_pairs(inter, customer)
            .into_iter()
            .filter(|(p, _)| data.products.is_merchandise(*p))
            .collect();
        let targets: Vec<u32> = kept
            .iter()
            .filter_map(|&i| scored.candidates.get(i).copied())
            .collect();
        let needs_als = method.uses_als() && !cold_start;
        let als_parts = if needs_als {
            let alpha = models.als_params.alpha;
            let confident: Vec<(u32, f32)> = own.iter().map(|&(p, n)| (p, n * alpha)).collect();
            self.explainer
                .contributions(&models.als, &confident, &targets)
        } else {
            vec![Vec::new(); targets.len()]
        };
        let items = kept
            .iter()
            .zip(&targets)
            .enumerate()
            .map(|(t, (&i, &product))| {
                let score = scored.scores.get(i).copied().unwrap_or(0.0);
                let total = f64::from(score);
                // Each method's share of the blended score (the hybrid's parts).
                let mut contributions: Vec<(RecMethod, f64)> = if scored.parts.is_empty() {
                    vec![(method, 1.0)]
                } else {
                    RecMethod::BLENDED
                        .iter()
                        .zip(&scored.parts)
                        .filter_map(|(&m, part)| {
                            let x = f64::from(part.get(i).copied().unwrap_or(0.0));
                            (x > 0.0 && total > 0.0).then_some((m, x / total))
                        })
                        .collect()
                };
                if contributions.is_empty() {
                    // Nothing scored it: it is there by popularity order.
                    contributions.push((RecMethod::Popular, 1.0));
                }
                let subject = Subject {
                    rec: self,
                    data,
                    customer,
                    product,
                    own: &own,
                    als_parts: als_parts.get(t).map(Vec::as_slice).unwrap_or(&[]),
                    cold: cold_start,
                };
                let mut reasons: Vec<Reason> = Vec::new();
                for &(m, share) in &contributions {
                    for mut r in reasons_for(&subject, m) {
                        r.weight *= share;
                        reasons.push(r);
                    }
                }
                if let Ok(i) = own.binary_search_by_key(&product, |x| x.0) {
                    let rows = own.get(i).map_or(0, |x| x.1 as u32);
                    reasons.push(Reason {
                        kind: ReasonKind::BoughtBefore,
                        text: format!(
                            "They bought it before ({})",
                            count(u64::from(rows), "row", "rows")
                        ),
                        weight: 0.0,
                        method,
                        evidence: Evidence::OwnRows { rows },
                    });
                }
                let mut reasons = merge_same_evidence(reasons);
                reasons.sort_by(|a, b| b.weight.total_cmp(&a.weight));
                reasons.truncate(MAX_REASONS);
                RecItem {
                    product,
                    product_id: product_id(data, product),
                    name: product_name(data, product),
                    score: total,
                    reasons,
                    contributions: contributions
                        .into_iter()
                        .map(|(method, share)| Contribution { method, share })
                        .collect(),
                }
            })
            .collect();
        Recommendations {
            customer_id: data.customer_ids.get(customer).cloned().unwrap_or_default(),
            method,
            items,
            cold_start,
            notes: plan.notes.clone(),
            blend: (method == RecMethod::Hybrid).then_some(plan.blend),
        }
    }
}

/// A request resolved once for every customer it is asked for.
struct Plan {
    request: RecRequest,
    method: RecMethod,
    blend: Blend,
    notes: Vec<String>,
}

#[cfg(test)]
mod tests;
