//! The fitted methods behind one interface: [`Models`] ranks the candidates for a customer with
//! any method, the hybrid through [`Models::blend`].
//!
//! Candidates are the products someone has bought; a customer's own products are left out
//! unless repeat purchases are asked for. Ties (and products a method has no score for) go in
//! popularity order, so every method returns a full list.

use crate::data::dataset::Dataset;
use crate::error::Result;
use crate::models::recommend::als::{Als, AlsParams};
use crate::models::recommend::content::Content;
use crate::models::recommend::demographic::Demographic;
use crate::models::recommend::interactions::Interactions;
use crate::models::recommend::item_cf::{DEFAULT_NEIGHBOURS, ItemKnn};
use crate::models::recommend::methods::{HybridWeights, RECENT_DAYS, RecMethod};
use crate::progress::Progress;
use rayon::prelude::*;

/// How to fit the models.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecOptions {
    /// Let the demographic method use protected columns (age band, gender).
    pub use_protected: bool,
    /// ALS settings.
    pub als: AlsParams,
    /// Item-CF neighbours per product.
    pub neighbours: usize,
    /// Take ALS's settings and the hybrid's weights from the tuning made for this database
    /// (the workspace then replaces `als` with the tuned settings); fitting itself ignores it.
    pub tuned: bool,
}

impl Default for RecOptions {
    fn default() -> Self {
        Self {
            use_protected: false,
            als: AlsParams::default(),
            neighbours: DEFAULT_NEIGHBOURS,
            tuned: true,
        }
    }
}

/// The fitted methods for one set of interactions.
#[derive(Debug, Clone)]
pub struct Models {
    n_products: usize,
    /// Distinct customers who have each product.
    pub buyers: Vec<u32>,
    /// Each product's position in popularity order (`u32::MAX` for products no one has and
    /// for non-merchandise: never recommended).
    pop_rank: Vec<u32>,
    /// Distinct customers who bought each product after `recent_after`.
    pub recent_buyers: Vec<u32>,
    /// Start of the recent window (exclusive), seconds since 1970.
    pub recent_after: i64,
    /// Item-CF neighbours.
    pub(super) knn: ItemKnn,
    /// ALS factors.
    pub(super) als: Als,
    /// The ALS settings they were fitted with.
    pub(super) als_params: AlsParams,
    content: Option<Content>,
    demographic: Option<Demographic>,
    /// Whether protected columns were allowed (for the demographic method).
    use_protected: bool,
}

/// One customer's (product, rows) pairs.
pub(super) fn own_pairs(inter: &Interactions, customer: usize) -> Vec<(u32, f32)> {
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
        // Postage, fees and the like are never candidates: they keep no popularity rank.
        order.retain(|p| data.products.is_merchandise(*p));
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

    /// A product's position in popularity order (`u32::MAX`: never recommended).
    pub fn pop_rank_of(&self, product: u32) -> u32 {
        self.pop_rank
            .get(product as usize)
            .copied()
            .unwrap_or(u32::MAX)
    }

    /// The ALS factors (empty when ALS was not fitted).
    pub fn als(&self) -> &Als {
        &self.als
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
    pub fn raw_scores(&self, who: Who<'_>, method: RecMethod) -> Vec<f32> {
        let n = self.n_products;
        let (inter, customer) = (who.inter, who.customer);
        match method {
            RecMethod::Popular => self.buyers.iter().map(|&b| b as f32).collect(),
            RecMethod::PopularRecent => self.recent_buyers.iter().map(|&b| b as f32).collect(),
            RecMethod::ItemCf => self.knn.scores(&own_pairs(inter, customer), n),
            RecMethod::Als => {
                if inter.of(customer).is_empty() {
                    return vec![0.0; n];
                }
                let s = match who.als {
                    Some(s) => s.to_vec(),
                    None => self.als.scores(customer),
                };
                if s.len() == n { s } else { vec![0.0; n] }
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

    /// `each` of `customers` of `inter`, in their order, in parallel blocks; with `als`, each
    /// block's ALS scores come from one matrix product (the pace that makes a million
    /// customers' lists a matter of seconds). Cancel is asked per block.
    pub fn each_customer<T: Send>(
        &self,
        inter: &Interactions,
        customers: &[usize],
        als: bool,
        progress: &dyn Progress,
        each: impl Fn(Who<'_>) -> T + Sync,
    ) -> Result<Vec<T>> {
        let n = self.n_products;
        // A block's scores (rows × products floats) stay near 2 MB, in the cache, and a block is
        // big enough for the matrix product to pay.
        let block = (512 * 1024 / n.max(1)).clamp(8, 256);
        // Blocks between two progress reports: a few per thread, so the last one is not alone.
        let step = block * rayon::current_num_threads().max(1) * 4;
        let mut out = Vec::with_capacity(customers.len());
        for (i, part) in customers.chunks(step).enumerate() {
            progress.check()?;
            progress.report(
                (i * step) as f32 / customers.len().max(1) as f32,
                "Recommending",
            );
            let blocks: Vec<Vec<T>> = part
                .par_chunks(block)
                .map(|b| {
                    progress.check()?;
                    let scores = if als {
                        self.als.scores_block(b)
                    } else {
                        Vec::new()
                    };
                    Ok(b.iter()
                        .enumerate()
                        .map(|(i, &customer)| {
                            each(Who {
                                inter,
                                customer,
                                als: scores.get(i * n..(i + 1) * n),
                            })
                        })
                        .collect())
                })
                .collect::<Result<_>>()?;
            out.extend(blocks.into_iter().flatten());
        }
        Ok(out)
    }

    /// The candidates for a customer: products someone has, less their own unless `repeat`.
    pub fn candidates(&self, who: Who<'_>, repeat: bool) -> Vec<u32> {
        let own = who.inter.of(who.customer);
        (0..self.n_products as u32)
            .filter(|&p| {
                self.pop_rank
                    .get(p as usize)
                    .is_some_and(|r| *r != u32::MAX)
            })
            .filter(|p| repeat || own.binary_search_by_key(p, |x| x.product).is_err())
            .collect()
    }

    /// Each blended method's scores over `candidates` (in [`RecMethod::BLENDED`] order), scaled
    /// to 0–1 by their maximum over the candidates (negative scores count as 0); all zeros for a
    /// method that cannot be used or that `wanted` leaves out.
    pub fn normalized(
        &self,
        who: Who<'_>,
        candidates: &[u32],
        wanted: impl Fn(RecMethod) -> bool,
    ) -> Vec<Vec<f32>> {
        RecMethod::BLENDED
            .iter()
            .map(|&m| {
                if self.unavailable(m).is_some() || !wanted(m) {
                    return vec![0.0; candidates.len()];
                }
                let raw = self.raw_scores(who, m);
                let at = |p: u32| raw.get(p as usize).copied().unwrap_or(0.0).max(0.0);
                let max = candidates.iter().map(|&p| at(p)).fold(0f32, f32::max);
                candidates
                    .iter()
                    .map(|&p| if max > 0.0 { at(p) / max } else { 0.0 })
                    .collect()
            })
            .collect()
    }

    /// The hybrid blend over `candidates`: the blended score and, per blended method (in
    /// [`RecMethod::BLENDED`] order), its weighted, normalized part of each candidate's score.
    /// Each method's scores are scaled as [`Models::normalized`] does; the weights are divided
    /// by their sum over the methods available.
    pub fn blend(
        &self,
        who: Who<'_>,
        candidates: &[u32],
        weights: &HybridWeights,
    ) -> (Vec<f32>, Vec<Vec<f32>>) {
        let weight = |m: RecMethod| {
            if self.unavailable(m).is_some() {
                0.0
            } else {
                weights.get(m).max(0.0)
            }
        };
        let total: f32 = RecMethod::BLENDED.iter().map(|&m| weight(m)).sum();
        let mut parts = self.normalized(who, candidates, |m| weight(m) > 0.0);
        let mut blended = vec![0f32; candidates.len()];
        for (&m, part) in RecMethod::BLENDED.iter().zip(parts.iter_mut()) {
            let share = if total > 0.0 { weight(m) / total } else { 0.0 };
            for (b, x) in blended.iter_mut().zip(part.iter_mut()) {
                *x *= share;
                *b += *x;
            }
        }
        (blended, parts)
    }

    /// A customer's candidates scored with a method (the hybrid: blended, with its parts).
    pub fn score(
        &self,
        who: Who<'_>,
        method: RecMethod,
        weights: &HybridWeights,
        repeat: bool,
    ) -> Scored {
        let candidates = self.candidates(who, repeat);
        let (scores, parts) = if method == RecMethod::Hybrid {
            self.blend(who, &candidates, weights)
        } else {
            let raw = self.raw_scores(who, method);
            let scores = candidates
                .iter()
                .map(|&p| raw.get(p as usize).copied().unwrap_or(0.0))
                .collect();
            (scores, Vec::new())
        };
        Scored {
            candidates,
            scores,
            parts,
        }
    }

    /// The `k` best of the scored candidates, best first, as positions in `scored` (ties in
    /// popularity order).
    pub fn best(&self, scored: &Scored, k: usize) -> Vec<usize> {
        let (candidates, scores) = (&scored.candidates, &scored.scores);
        let pop = |i: usize| candidates.get(i).map_or(u32::MAX, |&p| self.pop_rank_of(p));
        let at = |i: usize| scores.get(i).copied().unwrap_or(f32::NEG_INFINITY);
        let cmp = |a: &usize, b: &usize| at(*b).total_cmp(&at(*a)).then(pop(*a).cmp(&pop(*b)));
        let mut order: Vec<usize> = (0..candidates.len()).collect();
        if k < order.len() {
            order.select_nth_unstable_by(k, cmp);
            order.truncate(k);
        }
        order.sort_by(cmp);
        order
    }

    /// The top `k` candidates for a customer with a method, best first, with their scores.
    pub fn rank(
        &self,
        who: Who<'_>,
        method: RecMethod,
        weights: &HybridWeights,
        k: usize,
        repeat: bool,
    ) -> Vec<(u32, f32)> {
        let scored = self.score(who, method, weights, repeat);
        self.best(&scored, k)
            .into_iter()
            .filter_map(|i| Some((*scored.candidates.get(i)?, *scored.scores.get(i)?)))
            .collect()
    }
}

/// A customer as the methods see them: whose purchases, and (when scored in a batch) their ALS
/// scores from the batch's matrix product.
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    /// The interactions the customer's purchases are read from.
    pub inter: &'a Interactions,
    /// Customer index.
    pub customer: usize,
    /// Their ALS score for every product, computed for a batch; `None`: computed when needed.
    pub als: Option<&'a [f32]>,
}

impl<'a> Who<'a> {
    /// Customer `customer` of `inter`.
    pub fn new(inter: &'a Interactions, customer: usize) -> Who<'a> {
        Who {
            inter,
            customer,
            als: None,
        }
    }
}

/// A customer's candidates with one method's scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// The candidates, by product index.
    pub candidates: Vec<u32>,
    /// Each candidate's score (the hybrid: the blended 0–1 score).
    pub scores: Vec<f32>,
    /// The hybrid only: each blended method's weighted part of each candidate's score (in
    /// [`RecMethod::BLENDED`] order); empty for a single method.
    pub parts: Vec<Vec<f32>>,
}
