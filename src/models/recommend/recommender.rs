//! [`Recommender`]: the fitted [`Models`] on all interactions plus what the reasons need (who
//! bought what, the ALS explanation); it returns [`Recommendations`], items with their
//! reasons, for one customer or many, and a customer's history.

use rayon::prelude::*;

use crate::data::dataset::Dataset;
use crate::error::{Error, Result};
use crate::format::count;
use crate::models::recommend::als_explain::AlsExplainer;
use crate::models::recommend::interactions::Interactions;
use crate::models::recommend::methods::{Blend, HybridWeights, RecMethod, WeightsSource};
use crate::models::recommend::models::{Models, RecOptions, own_pairs};
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
    /// Product → sorted customers who have it.
    item_indptr: Vec<usize>,
    item_customers: Vec<u32>,
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
        let n_products = interactions.n_products;
        let mut item_indptr = vec![0usize; n_products + 1];
        for p in &interactions.pairs {
            if let Some(x) = item_indptr.get_mut(p.product as usize + 1) {
                *x += 1;
            }
        }
        for i in 0..n_products {
            item_indptr[i + 1] += item_indptr[i];
        }
        let mut fill = item_indptr.clone();
        let mut item_customers = vec![0u32; interactions.pairs.len()];
        for c in 0..interactions.n_customers() {
            for p in interactions.of(c) {
                if let Some(slot) = fill.get_mut(p.product as usize)
                    && let Some(x) = item_customers.get_mut(*slot)
                {
                    *x = c as u32;
                    *slot += 1;
                }
            }
        }
        let explainer = AlsExplainer::new(&models.als);
        progress.report(1.0, "Models ready");
        Ok(Recommender {
            models,
            interactions,
            item_indptr,
            item_customers,
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

    fn customers_of(&self, product: u32) -> &[u32] {
        let p = product as usize;
        match (self.item_indptr.get(p), self.item_indptr.get(p + 1)) {
            (Some(&a), Some(&b)) => self.item_customers.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Customers who have both products.
    pub fn co_buyers(&self, a: u32, b: u32) -> u32 {
        let (x, y) = (self.customers_of(a), self.customers_of(b));
        let (mut i, mut j, mut n) = (0, 0, 0);
        while let (Some(u), Some(v)) = (x.get(i), y.get(j)) {
            match u.cmp(v) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    n += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        n
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

    /// Recommendations for many customers, in parallel.
    pub fn recommend_many(
        &self,
        data: &Dataset,
        customers: &[usize],
        request: &RecRequest,
        progress: &dyn Progress,
    ) -> Result<Vec<Recommendations>> {
        let mut out = Vec::with_capacity(customers.len());
        for (i, chunk) in customers.chunks(2_000).enumerate() {
            progress.check()?;
            progress.report(
                (i * 2_000) as f32 / customers.len().max(1) as f32,
                "Recommending",
            );
            let part: Vec<Recommendations> = chunk
                .par_iter()
                .map(|&c| {
                    progress.check()?;
                    Ok(self.recommend(data, c, request))
                })
                .collect::<Result<_>>()?;
            out.extend(part);
        }
        Ok(out)
    }

    /// Recommendations for customer index `customer`.
    pub fn recommend(
        &self,
        data: &Dataset,
        customer: usize,
        request: &RecRequest,
    ) -> Recommendations {
        let inter = &self.interactions;
        let models = &self.models;
        let cold_start = inter.of(customer).is_empty();
        let blend = self.blend_for(request);
        let weights = blend.weights;
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
                    && weights.get(m) > 0.0
                {
                    notes.push(format!("{} left out of the blend: {why}", m.as_str()));
                }
            }
        }
        let top = models.rank(
            inter,
            customer,
            method,
            &weights,
            request.top,
            request.repeat,
        );
        // Reasons never cite postage, fees and the like.
        let own: Vec<(u32, f32)> = own_pairs(inter, customer)
            .into_iter()
            .filter(|(p, _)| data.products.is_merchandise(*p))
            .collect();
        let targets: Vec<u32> = top.iter().map(|(p, _)| *p).collect();
        let needs_als = matches!(method, RecMethod::Als | RecMethod::Hybrid) && !cold_start;
        let als_parts = if needs_als {
            let alpha = models.als_params.alpha;
            let confident: Vec<(u32, f32)> = own.iter().map(|&(p, n)| (p, n * alpha)).collect();
            self.explainer.contributions(
                &models.als,
                models.als_params.regularization,
                &confident,
                &targets,
            )
        } else {
            vec![Vec::new(); targets.len()]
        };
        let shares: Vec<Vec<(RecMethod, f64)>> = if method == RecMethod::Hybrid {
            // The same normalization as the ranking: over every candidate (sorted by index).
            let candidates = models.candidates(inter, customer, request.repeat);
            let (blended, parts) = models.blend(inter, customer, &candidates, &weights);
            targets
                .iter()
                .map(|p| {
                    let Ok(t) = candidates.binary_search(p) else {
                        return Vec::new();
                    };
                    let total = f64::from(blended.get(t).copied().unwrap_or(0.0));
                    RecMethod::BLENDED
                        .iter()
                        .zip(&parts)
                        .filter_map(|(&m, part)| {
                            let x = f64::from(part.get(t).copied().unwrap_or(0.0));
                            (x > 0.0 && total > 0.0).then_some((m, x / total))
                        })
                        .collect()
                })
                .collect()
        } else {
            vec![vec![(method, 1.0)]; targets.len()]
        };
        let items = top
            .iter()
            .enumerate()
            .map(|(t, &(product, score))| {
                let mut contributions: Vec<(RecMethod, f64)> =
                    shares.get(t).cloned().unwrap_or_default();
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
                    score: f64::from(score),
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
            notes,
            blend: (method == RecMethod::Hybrid).then_some(blend),
        }
    }
}

#[cfg(test)]
mod tests;
