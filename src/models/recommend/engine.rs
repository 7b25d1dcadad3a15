//! Every recommendation method behind one interface, the hybrid blend, and the reasons.
//!
//! [`Models`] holds the fitted methods for a set of interactions (all of them for the window
//! and the CLI, the training part for the offline evaluation) and ranks candidates for a
//! customer with any method. [`Recommender`] adds what the reasons need (who bought what, the
//! ALS explanation) and returns [`Recommendations`]: items with their reasons, each reason with
//! a weight and the number it cites ([`Evidence`]), which tests recompute by SQL.
//!
//! Candidates are the products someone has bought; a customer's own products are left out
//! unless repeat purchases are asked for. Ties (and products a method has no score for) go in
//! popularity order, so every method returns a full list.

use rayon::prelude::*;

use crate::data::dataset::Dataset;
use crate::error::{Error, Result};
use crate::format::{count, thousands};
use crate::models::recommend::als::{Als, AlsParams};
use crate::models::recommend::als_explain::AlsExplainer;
use crate::models::recommend::content::Content;
use crate::models::recommend::demographic::Demographic;
use crate::models::recommend::interactions::Interactions;
use crate::models::recommend::item_cf::{DEFAULT_NEIGHBOURS, ItemKnn};
use crate::models::recommend::methods::{HybridWeights, RECENT_DAYS, RecMethod};
use crate::progress::Progress;

/// How to fit the models.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecOptions {
    /// Let the demographic method use protected columns (age band, gender).
    pub use_protected: bool,
    /// ALS settings.
    pub als: AlsParams,
    /// Item-CF neighbours per product.
    pub neighbours: usize,
}

impl Default for RecOptions {
    fn default() -> Self {
        Self {
            use_protected: false,
            als: AlsParams::default(),
            neighbours: DEFAULT_NEIGHBOURS,
        }
    }
}

/// What to recommend.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecRequest {
    /// The method.
    pub method: RecMethod,
    /// How many items.
    pub top: usize,
    /// Include products the customer already has.
    pub repeat: bool,
    /// Hybrid weights (used by `hybrid` only).
    pub weights: HybridWeights,
}

impl Default for RecRequest {
    fn default() -> Self {
        Self {
            method: RecMethod::Hybrid,
            top: 10,
            repeat: false,
            weights: HybridWeights::default(),
        }
    }
}

/// The fitted methods for one set of interactions.
#[derive(Debug, Clone)]
pub struct Models {
    n_products: usize,
    /// Distinct customers who have each product.
    pub buyers: Vec<u32>,
    /// Each product's position in popularity order (`u32::MAX` for products no one has).
    pop_rank: Vec<u32>,
    /// Distinct customers who bought each product after `recent_after`.
    pub recent_buyers: Vec<u32>,
    /// Start of the recent window (exclusive), seconds since 1970.
    pub recent_after: i64,
    knn: ItemKnn,
    als: Als,
    als_params: AlsParams,
    content: Option<Content>,
    demographic: Option<Demographic>,
    /// Whether protected columns were allowed (for the demographic method).
    use_protected: bool,
}

/// One customer's (product, rows) pairs.
fn own_pairs(inter: &Interactions, customer: usize) -> Vec<(u32, f32)> {
    inter
        .of(customer)
        .iter()
        .map(|p| (p.product, p.count as f32))
        .collect()
}

impl Models {
    /// Fits the `needed` methods (all of them for `hybrid`) on `inter`, built from `data`; the
    /// others score nothing.
    pub fn fit(
        data: &Dataset,
        inter: &Interactions,
        options: &RecOptions,
        needed: &[RecMethod],
        progress: &dyn Progress,
    ) -> Result<Models> {
        let needs = |m: RecMethod| needed.contains(&m) || needed.contains(&RecMethod::Hybrid);
        let n_products = inter.n_products;
        let mut buyers = vec![0u32; n_products];
        for p in &inter.pairs {
            if let Some(b) = buyers.get_mut(p.product as usize) {
                *b += 1;
            }
        }
        let mut order: Vec<u32> = (0..n_products as u32)
            .filter(|p| buyers.get(*p as usize).is_some_and(|b| *b > 0))
            .collect();
        order.sort_by(|&a, &b| buyers[b as usize].cmp(&buyers[a as usize]).then(a.cmp(&b)));
        let mut pop_rank = vec![u32::MAX; n_products];
        for (r, p) in order.iter().enumerate() {
            if let Some(x) = pop_rank.get_mut(*p as usize) {
                *x = r as u32;
            }
        }
        let latest = inter.pairs.iter().map(|p| p.last_ts).max().unwrap_or(0);
        let recent_after = latest - RECENT_DAYS * 86_400;
        let mut recent_buyers = vec![0u32; n_products];
        for p in inter.pairs.iter().filter(|p| p.last_ts > recent_after) {
            if let Some(b) = recent_buyers.get_mut(p.product as usize) {
                *b += 1;
            }
        }
        progress.check()?;
        progress.report(0.05, "Finding products bought together");
        let knn = if needs(RecMethod::ItemCf) {
            ItemKnn::fit(inter, options.neighbours)
        } else {
            ItemKnn {
                neighbours: vec![Vec::new(); n_products],
            }
        };
        progress.check()?;
        progress.report(0.2, "Fitting ALS");
        let als = if needs(RecMethod::Als) {
            Als::fit(inter, &options.als, progress)?
        } else {
            Als {
                factors: 1,
                users: Vec::new(),
                items: Vec::new(),
            }
        };
        progress.report(0.9, "Reading product names and customer groups");
        let content = Content::fit(&data.products);
        let demographic = Demographic::fit(data, inter, options.use_protected);
        Ok(Models {
            n_products,
            buyers,
            pop_rank,
            recent_buyers,
            recent_after,
            knn,
            als,
            als_params: options.als,
            content,
            demographic,
            use_protected: options.use_protected,
        })
    }

    /// Why a method can't be used on this data, or `None` when it can.
    pub fn unavailable(&self, method: RecMethod) -> Option<&'static str> {
        match method {
            RecMethod::Content if self.content.is_none() => Some("no product names or categories"),
            RecMethod::Demographic if self.demographic.is_none() => Some(if self.use_protected {
                "no region, age or gender column"
            } else {
                "no region column (age and gender only with protected columns allowed)"
            }),
            _ => None,
        }
    }

    /// The demographic groups, if any.
    pub fn demographic(&self) -> Option<&Demographic> {
        self.demographic.as_ref()
    }

    /// The content vectors, if any.
    pub fn content(&self) -> Option<&Content> {
        self.content.as_ref()
    }

    /// A method's raw scores for every product (0 where it has none; ALS may be negative).
    /// `hybrid` is not a raw method: use [`Models::blend`].
    pub fn raw_scores(&self, inter: &Interactions, customer: usize, method: RecMethod) -> Vec<f32> {
        let n = self.n_products;
        match method {
            RecMethod::Popular => self.buyers.iter().map(|&b| b as f32).collect(),
            RecMethod::PopularRecent => self.recent_buyers.iter().map(|&b| b as f32).collect(),
            RecMethod::ItemCf => self.knn.scores(&own_pairs(inter, customer), n),
            RecMethod::Als => {
                let s = self.als.scores(customer);
                if inter.of(customer).is_empty() || s.len() != n {
                    vec![0.0; n]
                } else {
                    s
                }
            }
            RecMethod::Content => self
                .content
                .as_ref()
                .map(|c| c.scores(&own_pairs(inter, customer), n))
                .unwrap_or_else(|| vec![0.0; n]),
            RecMethod::Demographic => self
                .demographic
                .as_ref()
                .map(|d| d.scores(customer))
                .unwrap_or_else(|| vec![0.0; n]),
            RecMethod::Hybrid => vec![0.0; n],
        }
    }

    /// The candidates for a customer: products someone has, less their own unless `repeat`.
    pub fn candidates(&self, inter: &Interactions, customer: usize, repeat: bool) -> Vec<u32> {
        let own = inter.of(customer);
        (0..self.n_products as u32)
            .filter(|&p| {
                self.pop_rank
                    .get(p as usize)
                    .is_some_and(|r| *r != u32::MAX)
            })
            .filter(|p| repeat || own.binary_search_by_key(p, |x| x.product).is_err())
            .collect()
    }

    /// The hybrid blend over `candidates`: the blended score and, per blended method (in
    /// [`RecMethod::BLENDED`] order), its weighted, normalized part of each candidate's score.
    /// Each method's scores are scaled to 0–1 by their maximum over the candidates (negative
    /// scores count as 0); the weights are divided by their sum over the methods available.
    pub fn blend(
        &self,
        inter: &Interactions,
        customer: usize,
        candidates: &[u32],
        weights: &HybridWeights,
    ) -> (Vec<f32>, Vec<Vec<f32>>) {
        let active: Vec<(RecMethod, f32)> = RecMethod::BLENDED
            .iter()
            .map(|&m| {
                let w = if self.unavailable(m).is_some() {
                    0.0
                } else {
                    weights.get(m).max(0.0)
                };
                (m, w)
            })
            .collect();
        let total: f32 = active.iter().map(|(_, w)| w).sum();
        let mut blended = vec![0f32; candidates.len()];
        let mut parts = Vec::with_capacity(active.len());
        for (m, w) in active {
            if w <= 0.0 || total <= 0.0 {
                parts.push(vec![0.0; candidates.len()]);
                continue;
            }
            let raw = self.raw_scores(inter, customer, m);
            let at = |p: u32| raw.get(p as usize).copied().unwrap_or(0.0).max(0.0);
            let max = candidates.iter().map(|&p| at(p)).fold(0f32, f32::max);
            let part: Vec<f32> = candidates
                .iter()
                .map(|&p| {
                    if max > 0.0 {
                        w / total * at(p) / max
                    } else {
                        0.0
                    }
                })
                .collect();
            for (b, x) in blended.iter_mut().zip(&part) {
                *b += x;
            }
            parts.push(part);
        }
        (blended, parts)
    }

    /// The top `k` candidates for a customer with a method, best first, with their scores.
    pub fn rank(
        &self,
        inter: &Interactions,
        customer: usize,
        method: RecMethod,
        weights: &HybridWeights,
        k: usize,
        repeat: bool,
    ) -> Vec<(u32, f32)> {
        let candidates = self.candidates(inter, customer, repeat);
        let scores: Vec<f32> = if method == RecMethod::Hybrid {
            self.blend(inter, customer, &candidates, weights).0
        } else {
            let raw = self.raw_scores(inter, customer, method);
            candidates
                .iter()
                .map(|&p| raw.get(p as usize).copied().unwrap_or(0.0))
                .collect()
        };
        let mut order: Vec<usize> = (0..candidates.len()).collect();
        let cmp = |a: &usize, b: &usize| {
            scores[*b].total_cmp(&scores[*a]).then(
                self.pop_rank[candidates[*a] as usize].cmp(&self.pop_rank[candidates[*b] as usize]),
            )
        };
        if k < order.len() {
            order.select_nth_unstable_by(k, cmp);
            order.truncate(k);
        }
        order.sort_by(cmp);
        order
            .into_iter()
            .map(|i| (candidates[i], scores[i]))
            .collect()
    }
}

/// A kind of reason, as named in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonKind {
    /// Bought together with one of the customer's products (item-CF).
    BoughtTogether,
    /// Customers who bought one of the customer's products also bought it (ALS).
    AlsoBought,
    /// Customers with similar baskets buy it (ALS, no single product explains it).
    SimilarCustomers,
    /// Bought by many customers.
    Popular,
    /// Bought by many customers recently.
    Trending,
    /// Popular in the customer's group (region…).
    Demographic,
    /// Same category as one of the customer's products.
    SameCategory,
    /// Its name shares words with one of the customer's products.
    SimilarName,
    /// The customer has no history; chosen from what others buy.
    ColdStart,
    /// The customer has bought it before (repeat purchases).
    BoughtBefore,
}

/// The fact a reason cites; every number in its text is here, for tests to recompute.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Evidence {
    /// `customers` customers have both `product_id` and the recommended product.
    CoBuyers {
        /// The customer's product it is linked to.
        product_id: String,
        /// Customers who have both.
        customers: u32,
    },
    /// `customers` customers have the product.
    Buyers {
        /// Distinct customers.
        customers: u32,
    },
    /// `customers` customers bought it after `after` (the last `days` days of the data).
    RecentBuyers {
        /// Distinct customers.
        customers: u32,
        /// Start of the window (exclusive), `YYYY-MM-DDTHH:MM:SS`.
        after: String,
        /// Window length.
        days: i64,
    },
    /// `customers` of the `group_size` customers sharing these column values have it.
    GroupBuyers {
        /// (column, value) pairs.
        group: Vec<(String, String)>,
        /// Customers of the group who have it.
        customers: u32,
        /// Customers in the group.
        group_size: u32,
    },
    /// The product is in `category`, as is the customer's `product_id`.
    SameCategory {
        /// The customer's product.
        product_id: String,
        /// The shared category.
        category: String,
    },
    /// The product's name shares `words` with the customer's `product_id`.
    SharedWords {
        /// The customer's product.
        product_id: String,
        /// The shared words.
        words: Vec<String>,
    },
    /// The customer has `rows` transaction rows for it.
    OwnRows {
        /// Rows.
        rows: u32,
    },
}

/// One reason for a recommended item.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reason {
    /// Its kind.
    pub kind: ReasonKind,
    /// The sentence for a marketer.
    pub text: String,
    /// Its share of the item's score (0–1; 0 for context that does not drive the score).
    pub weight: f64,
    /// The method it comes from.
    pub method: RecMethod,
    /// The cited fact.
    pub evidence: Evidence,
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
}

fn iso(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string())
        .unwrap_or_default()
}

fn quoted(s: &str) -> String {
    format!("“{s}”")
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
        })
    }

    /// The options the models were fitted with.
    pub fn options(&self) -> &RecOptions {
        &self.options
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
                .map(|&c| self.recommend(data, c, request))
                .collect();
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
                    && request.weights.get(m) > 0.0
                {
                    notes.push(format!("{} left out of the blend: {why}", m.as_str()));
                }
            }
        }
        let top = models.rank(
            inter,
            customer,
            method,
            &request.weights,
            request.top,
            request.repeat,
        );
        let own = own_pairs(inter, customer);
        let targets: Vec<u32> = top.iter().map(|(p, _)| *p).collect();
        let needs_als = matches!(method, RecMethod::Als | RecMethod::Hybrid) && !cold_start;
        let als_parts = if needs_als {
            self.explainer.contributions(
                &models.als,
                models.als_params.regularization,
                &own,
                &targets,
            )
        } else {
            vec![Vec::new(); targets.len()]
        };
        let shares: Vec<Vec<(RecMethod, f64)>> = if method == RecMethod::Hybrid {
            // The same normalization as the ranking: over every candidate (sorted by index).
            let candidates = models.candidates(inter, customer, request.repeat);
            let (blended, parts) = models.blend(inter, customer, &candidates, &request.weights);
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
                let mut reasons: Vec<Reason> = Vec::new();
                for &(m, share) in &contributions {
                    let parts = als_parts.get(t).map(Vec::as_slice).unwrap_or(&[]);
                    for mut r in
                        self.reasons_for(data, customer, product, m, &own, parts, cold_start)
                    {
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
        }
    }

    /// The reasons one method gives for `product`, weights summing to at most 1. For a customer
    /// with no purchases (`cold`), every reason says so.
    #[allow(clippy::too_many_arguments)]
    fn reasons_for(
        &self,
        data: &Dataset,
        customer: usize,
        product: u32,
        method: RecMethod,
        own: &[(u32, f32)],
        als_parts: &[f64],
        cold: bool,
    ) -> Vec<Reason> {
        let models = &self.models;
        let display = |p: u32| {
            product_name(data, p)
                .map(|n| n.trim().to_string())
                .unwrap_or_else(|| product_id(data, p))
        };
        let popular = |m: RecMethod| {
            let n = models.buyers.get(product as usize).copied().unwrap_or(0);
            let customers = count(u64::from(n), "customer", "customers");
            let (kind, text) = if cold {
                (
                    ReasonKind::ColdStart,
                    format!("{COLD_START}, so a popular pick: bought by {customers}"),
                )
            } else {
                (
                    ReasonKind::Popular,
                    format!("Popular: bought by {customers}"),
                )
            };
            Reason {
                kind,
                text,
                weight: 1.0,
                method: m,
                evidence: Evidence::Buyers { customers: n },
            }
        };
        // Anchors: (own product, contribution), positive, largest first, linked by co-buyers.
        let linked = |contribs: Vec<(u32, f64)>| -> Vec<(u32, f64, u32, f64)> {
            let total: f64 = contribs.iter().map(|c| c.1).filter(|x| *x > 0.0).sum();
            let mut v: Vec<(u32, f64)> = contribs.into_iter().filter(|c| c.1 > 0.0).collect();
            v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            v.into_iter()
                .filter_map(|(j, x)| {
                    let n = self.co_buyers(j, product);
                    (n > 0).then_some((j, x, n, x / total))
                })
                .take(2)
                .collect()
        };
        match method {
            RecMethod::Popular | RecMethod::Hybrid => vec![popular(method)],
            RecMethod::PopularRecent => {
                let n = models
                    .recent_buyers
                    .get(product as usize)
                    .copied()
                    .unwrap_or(0);
                if n == 0 {
                    return vec![popular(method)];
                }
                let customers = count(u64::from(n), "customer", "customers");
                let text = if cold {
                    format!(
                        "{COLD_START}, so a recent favourite: bought by {customers} in the last \
                         {RECENT_DAYS} days"
                    )
                } else {
                    format!("Trending in the last {RECENT_DAYS} days: bought by {customers}")
                };
                vec![Reason {
                    kind: ReasonKind::Trending,
                    text,
                    weight: 1.0,
                    method,
                    evidence: Evidence::RecentBuyers {
                        customers: n,
                        after: iso(models.recent_after),
                        days: RECENT_DAYS,
                    },
                }]
            }
            RecMethod::ItemCf => {
                let contribs: Vec<(u32, f64)> = own
                    .iter()
                    .filter_map(|&(j, count)| {
                        let sim = models
                            .knn
                            .neighbours
                            .get(j as usize)?
                            .iter()
                            .find(|(x, _)| *x == product)?
                            .1;
                        Some((j, f64::from(count * sim)))
                    })
                    .collect();
                let anchors = linked(contribs);
                if anchors.is_empty() {
                    return vec![popular(method)];
                }
                anchors
                    .into_iter()
                    .map(|(j, _, n, share)| Reason {
                        kind: ReasonKind::BoughtTogether,
                        text: format!(
                            "Bought together with {} by {}",
                            display(j),
                            count(u64::from(n), "customer", "customers")
                        ),
                        weight: share,
                        method,
                        evidence: Evidence::CoBuyers {
                            product_id: product_id(data, j),
                            customers: n,
                        },
                    })
                    .collect()
            }
            RecMethod::Als => {
                if cold {
                    // No basket to explain from: ALS scores nothing, the list is by popularity.
                    return vec![popular(method)];
                }
                let contribs: Vec<(u32, f64)> = own
                    .iter()
                    .zip(als_parts)
                    .map(|(&(j, _), &x)| (j, x))
                    .collect();
                let anchors = linked(contribs);
                if anchors.is_empty() {
                    let n = models.buyers.get(product as usize).copied().unwrap_or(0);
                    return vec![Reason {
                        kind: ReasonKind::SimilarCustomers,
                        text: format!(
                            "Similar baskets point to it: bought by {} in all",
                            count(u64::from(n), "customer", "customers")
                        ),
                        weight: 1.0,
                        method,
                        evidence: Evidence::Buyers { customers: n },
                    }];
                }
                anchors
                    .into_iter()
                    .map(|(j, _, n, share)| Reason {
                        kind: ReasonKind::AlsoBought,
                        text: format!(
                            "Customers who bought {} also bought this ({} bought both)",
                            display(j),
                            count(u64::from(n), "customer", "customers")
                        ),
                        weight: share,
                        method,
                        evidence: Evidence::CoBuyers {
                            product_id: product_id(data, j),
                            customers: n,
                        },
                    })
                    .collect()
            }
            RecMethod::Content => {
                let Some(content) = models.content.as_ref() else {
                    return vec![popular(method)];
                };
                let best = own
                    .iter()
                    .map(|&(j, count)| {
                        (
                            j,
                            f64::from((1.0 + count).ln() * content.similarity(j, product)),
                        )
                    })
                    .filter(|(_, x)| *x > 0.0)
                    .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
                let Some((j, _)) = best else {
                    return vec![popular(method)];
                };
                let mut out = Vec::new();
                let cat = |p: u32| data.products.category.get(p as usize).copied().flatten();
                if let (Some(a), Some(b)) = (cat(j), cat(product))
                    && a == b
                {
                    let category = data
                        .products
                        .categories
                        .get(a as usize)
                        .cloned()
                        .unwrap_or_default();
                    out.push(Reason {
                        kind: ReasonKind::SameCategory,
                        text: format!("Same category as {} they bought ({category})", display(j)),
                        weight: 1.0,
                        method,
                        evidence: Evidence::SameCategory {
                            product_id: product_id(data, j),
                            category,
                        },
                    });
                }
                let words = content.shared_words(j, product);
                if !words.is_empty() {
                    let list: Vec<String> = words.iter().take(3).map(|w| quoted(w)).collect();
                    out.push(Reason {
                        kind: ReasonKind::SimilarName,
                        text: format!(
                            "Like {} they bought: both are {}",
                            display(j),
                            list.join(", ")
                        ),
                        weight: 1.0,
                        method,
                        evidence: Evidence::SharedWords {
                            product_id: product_id(data, j),
                            words,
                        },
                    });
                }
                let n = out.len().max(1) as f64;
                for r in &mut out {
                    r.weight /= n;
                }
                if out.is_empty() {
                    out.push(popular(method));
                }
                out
            }
            RecMethod::Demographic => {
                let Some(demo) = models.demographic.as_ref() else {
                    return vec![popular(method)];
                };
                let Some(group) = demo.group(customer) else {
                    return vec![popular(method)];
                };
                let n = demo.count(customer, product);
                if n == 0 {
                    return vec![popular(method)];
                }
                let who = match group.labels.as_slice() {
                    [(col, value)] => {
                        format!(
                            "in their {} ({value})",
                            col.to_lowercase().replace('_', " ")
                        )
                    }
                    many => format!(
                        "like them ({})",
                        many.iter()
                            .map(|(c, v)| format!("{} {v}", c.to_lowercase().replace('_', " ")))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                let lead = if cold {
                    format!("{COLD_START}, so popular")
                } else {
                    "Popular".to_string()
                };
                vec![Reason {
                    kind: ReasonKind::Demographic,
                    text: format!(
                        "{lead} with customers {who}: bought by {} of {}",
                        thousands(u64::from(n)),
                        thousands(u64::from(group.size))
                    ),
                    weight: 1.0,
                    method,
                    evidence: Evidence::GroupBuyers {
                        group: group.labels.clone(),
                        customers: n,
                        group_size: group.size,
                    },
                }]
            }
        }
    }
}

/// How every reason for a customer with no purchases begins.
pub const COLD_START: &str = "No purchases yet";

/// Reasons shown per item at most.
pub const MAX_REASONS: usize = 5;

/// Folds reasons citing the same fact (item-CF and ALS both naming the same product bought
/// together) into the first, summing their weights.
fn merge_same_evidence(reasons: Vec<Reason>) -> Vec<Reason> {
    let mut out: Vec<Reason> = Vec::with_capacity(reasons.len());
    for r in reasons {
        match out.iter_mut().find(|o| o.evidence == r.evidence) {
            Some(o) => o.weight += r.weight,
            None => out.push(r),
        }
    }
    out
}

fn product_id(data: &Dataset, p: u32) -> String {
    data.products
        .ids
        .get(p as usize)
        .cloned()
        .unwrap_or_default()
}

fn product_name(data: &Dataset, p: u32) -> Option<String> {
    data.products.names.get(p as usize).cloned().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::db::Database;
    use crate::progress::NoProgress;

    /// Six customers, five products; `extra` adds SQL (customers, names, categories).
    fn data(extra: &str) -> Dataset {
        let db = Database::in_memory().unwrap();
        db.conn()
            .execute_batch(&format!(
                "CREATE TABLE transactions (customer_id TEXT, ts TEXT, order_id TEXT,
                     product_id TEXT, quantity REAL);
                 INSERT INTO transactions VALUES
                     ('1', '2020-01-01', 'o1', 'a', 1), ('1', '2020-01-01', 'o1', 'b', 1),
                     ('2', '2020-01-02', 'o2', 'a', 1), ('2', '2020-01-02', 'o2', 'b', 1),
                     ('2', '2020-01-03', 'o3', 'c', 1),
                     ('3', '2020-01-04', 'o4', 'a', 1), ('3', '2020-01-04', 'o4', 'c', 1),
                     ('4', '2020-03-01', 'o5', 'd', 1), ('4', '2020-03-01', 'o5', 'e', 1),
                     ('5', '2020-03-02', 'o6', 'a', 1), ('5', '2020-03-02', 'o6', 'd', 1);
                 {extra}"
            ))
            .unwrap();
        Dataset::load(&db, &NoProgress).unwrap()
    }

    fn small() -> RecOptions {
        RecOptions {
            als: AlsParams {
                factors: 4,
                ..AlsParams::default()
            },
            ..RecOptions::default()
        }
    }

    fn request(method: RecMethod) -> RecRequest {
        RecRequest {
            method,
            top: 3,
            ..RecRequest::default()
        }
    }

    #[test]
    fn interactions_only_data_still_gets_full_lists_with_reasons() {
        let d = data("");
        let r = Recommender::fit(&d, &small(), &NoProgress).unwrap();
        assert!(r.models.unavailable(RecMethod::Content).is_some());
        assert!(r.models.unavailable(RecMethod::Demographic).is_some());
        for m in RecMethod::ALL {
            let out = r.recommend_id(&d, "1", &request(m)).unwrap();
            // Customer 1 has a and b: c, d and e remain.
            assert_eq!(out.items.len(), 3, "{m:?}");
            assert!(out.items.iter().all(|i| !i.reasons.is_empty()), "{m:?}");
            assert!(
                out.items
                    .iter()
                    .all(|i| i.product_id != "a" && i.product_id != "b")
            );
        }
        let content = r
            .recommend_id(&d, "1", &request(RecMethod::Content))
            .unwrap();
        assert_eq!(content.method, RecMethod::Popular);
        assert!(content.notes[0].contains("content is not available"));
        let hybrid = r
            .recommend_id(&d, "1", &request(RecMethod::Hybrid))
            .unwrap();
        assert!(hybrid.notes.iter().any(|n| n.contains("content left out")));
    }

    #[test]
    fn item_cf_cites_customers_who_bought_both() {
        let d = data("");
        let r = Recommender::fit(&d, &small(), &NoProgress).unwrap();
        // Customer 1 (a, b): c was bought with a by customers 2 and 3, with b by customer 2.
        let out = r
            .recommend_id(&d, "1", &request(RecMethod::ItemCf))
            .unwrap();
        let c = out.items.iter().find(|i| i.product_id == "c").unwrap();
        assert_eq!(out.items[0].product_id, "c");
        let texts: Vec<&str> = c.reasons.iter().map(|x| x.text.as_str()).collect();
        assert!(
            texts.contains(&"Bought together with a by 2 customers"),
            "{texts:?}"
        );
        assert!(
            texts.contains(&"Bought together with b by 1 customer"),
            "{texts:?}"
        );
        let total: f64 = c.reasons.iter().map(|x| x.weight).sum();
        assert!((total - 1.0).abs() < 1e-9);
        assert_eq!(r.co_buyers(0, 2), 2);
    }

    #[test]
    fn cold_start_and_repeat_purchases() {
        let d = data(
            "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, region TEXT);
             INSERT INTO customers VALUES ('1', 'N'), ('2', 'N'), ('3', 'S'), ('4', 'S'),
                 ('5', 'S'), ('9', 'S');",
        );
        let r = Recommender::fit(&d, &small(), &NoProgress).unwrap();
        for m in RecMethod::ALL {
            let out = r.recommend_id(&d, "9", &request(m)).unwrap();
            assert!(out.cold_start);
            assert_eq!(out.items.len(), 3);
            let first = if m == RecMethod::PopularRecent {
                "d"
            } else {
                "a"
            };
            assert_eq!(out.items[0].product_id, first, "{m:?}");
        }
        let hybrid = r
            .recommend_id(&d, "9", &request(RecMethod::Hybrid))
            .unwrap();
        let kinds: Vec<ReasonKind> = hybrid.items[0].reasons.iter().map(|x| x.kind).collect();
        assert!(kinds.contains(&ReasonKind::ColdStart), "{kinds:?}");
        assert!(kinds.contains(&ReasonKind::Demographic), "{kinds:?}");
        assert!(hybrid.items[0].reasons[0].text.len() > 10);
        let again = r
            .recommend_id(
                &d,
                "1",
                &RecRequest {
                    repeat: true,
                    top: 5,
                    method: RecMethod::Popular,
                    ..RecRequest::default()
                },
            )
            .unwrap();
        let a = &again.items[0];
        assert_eq!(a.product_id, "a");
        assert!(a.reasons.iter().any(|x| x.kind == ReasonKind::BoughtBefore));
        assert!(
            r.recommend_id(&d, "nobody", &request(RecMethod::Popular))
                .is_err()
        );
        // Region S: customers 3, 4, 5, 9; a and d have 2 buyers each there.
        let demo = r
            .recommend_id(&d, "4", &request(RecMethod::Demographic))
            .unwrap();
        assert_eq!(
            demo.items[0].reasons[0].text,
            "Popular with customers in their region (S): bought by 2 of 4"
        );
    }

    #[test]
    fn every_method_says_a_customer_without_purchases_has_none() {
        let d = data(
            "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, region TEXT);
             INSERT INTO customers VALUES ('1', 'N'), ('2', 'N'), ('3', 'S'), ('4', 'S'),
                 ('5', 'S'), ('9', 'S');
             CREATE TABLE products (product_id TEXT PRIMARY KEY, name TEXT, category TEXT);
             INSERT INTO products VALUES ('a', 'Red Candle', 'Home'), ('b', 'Blue Candle', 'Home'),
                 ('c', 'Red Mug', 'Home'), ('d', 'Garden Hose', 'Garden'), ('e', 'Hose Reel', 'Garden');",
        );
        let r = Recommender::fit(&d, &small(), &NoProgress).unwrap();
        assert!(r.models.unavailable(RecMethod::Content).is_none());
        assert!(r.models.unavailable(RecMethod::Demographic).is_none());
        let no_popular = HybridWeights {
            popular: 0.0,
            ..HybridWeights::default()
        };
        let only_group = HybridWeights {
            popular: 0.0,
            popular_recent: 0.0,
            item_cf: 0.0,
            als: 0.0,
            content: 0.0,
            demographic: 1.0,
        };
        let mut requests: Vec<RecRequest> = RecMethod::ALL.into_iter().map(request).collect();
        for weights in [no_popular, only_group] {
            requests.push(RecRequest {
                weights,
                ..request(RecMethod::Hybrid)
            });
        }
        for req in &requests {
            let out = r.recommend_id(&d, "9", req).unwrap();
            assert!(out.cold_start);
            assert_eq!(out.items.len(), 3, "{req:?}");
            for item in &out.items {
                assert!(
                    item.reasons.iter().any(|x| x.text.starts_with(COLD_START)),
                    "{:?} {}: {:?}",
                    req.method,
                    item.product_id,
                    item.reasons
                );
                assert!(
                    item.reasons
                        .iter()
                        .all(|x| x.kind != ReasonKind::SimilarCustomers),
                    "no basket to compare: {:?}",
                    item.reasons
                );
            }
        }
        let popular = r
            .recommend_id(&d, "9", &request(RecMethod::Popular))
            .unwrap();
        assert_eq!(
            popular.items[0].reasons[0].text,
            "No purchases yet, so a popular pick: bought by 4 customers"
        );
        assert_eq!(popular.items[0].reasons[0].kind, ReasonKind::ColdStart);
        let demo = r
            .recommend_id(&d, "9", &request(RecMethod::Demographic))
            .unwrap();
        assert_eq!(
            demo.items[0].reasons[0].text,
            "No purchases yet, so popular with customers in their region (S): bought by 2 of 4"
        );
        // A customer with purchases is not told they have none.
        let known = r
            .recommend_id(&d, "1", &request(RecMethod::Hybrid))
            .unwrap();
        assert!(known.items.iter().all(|i| {
            i.reasons
                .iter()
                .all(|x| !x.text.starts_with(COLD_START) && x.kind != ReasonKind::ColdStart)
        }));
    }

    #[test]
    fn counts_read_singular_and_plural() {
        let d = data("");
        let r = Recommender::fit(&d, &small(), &NoProgress).unwrap();
        let out = r
            .recommend_id(
                &d,
                "1",
                &RecRequest {
                    top: 3,
                    method: RecMethod::Popular,
                    ..RecRequest::default()
                },
            )
            .unwrap();
        let texts: Vec<&str> = out
            .items
            .iter()
            .map(|i| i.reasons[0].text.as_str())
            .collect();
        // c: customers 2 and 3; d: 4 and 5; e: 4 only.
        assert_eq!(
            texts,
            [
                "Popular: bought by 2 customers",
                "Popular: bought by 2 customers",
                "Popular: bought by 1 customer"
            ]
        );
    }

    #[test]
    fn hybrid_shares_sum_to_one_and_follow_the_weights() {
        let d = data(
            "CREATE TABLE products (product_id TEXT PRIMARY KEY, name TEXT, category TEXT);
             INSERT INTO products VALUES ('a', 'Red Candle', 'Home'), ('b', 'Blue Candle', 'Home'),
                 ('c', 'Red Mug', 'Home'), ('d', 'Garden Hose', 'Garden'), ('e', 'Hose Reel', 'Garden');",
        );
        let r = Recommender::fit(&d, &small(), &NoProgress).unwrap();
        let out = r
            .recommend_id(&d, "1", &request(RecMethod::Hybrid))
            .unwrap();
        for item in &out.items {
            let s: f64 = item.contributions.iter().map(|c| c.share).sum();
            assert!((s - 1.0).abs() < 1e-6, "{s}");
        }
        let mut only_content = request(RecMethod::Hybrid);
        only_content.weights = HybridWeights {
            popular: 0.0,
            popular_recent: 0.0,
            item_cf: 0.0,
            als: 0.0,
            content: 1.0,
            demographic: 0.0,
        };
        let out = r.recommend_id(&d, "1", &only_content).unwrap();
        assert_eq!(
            out.items[0].product_id, "c",
            "Red Mug: same category, shares “red”"
        );
        assert_eq!(out.items[0].contributions.len(), 1);
        assert_eq!(out.items[0].contributions[0].method, RecMethod::Content);
        let kinds: Vec<ReasonKind> = out.items[0].reasons.iter().map(|x| x.kind).collect();
        assert_eq!(kinds, [ReasonKind::SameCategory, ReasonKind::SimilarName]);
    }
}
