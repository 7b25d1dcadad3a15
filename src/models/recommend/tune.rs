//! Tuning per database: ALS's factors, regularization and confidence scale, then the hybrid's
//! weights, chosen on an inner leave-last-out split.
//!
//! - The reported evaluation hides each customer's last purchase ([`split`]); tuning works on
//!   what is left, so it never sees a held-out purchase: it hides each customer's
//!   second-to-last purchase instead and scores HR@10 on it.
//! - Above [`TUNE_CUSTOMERS`] customers, tuning fits on a seeded subsample of them; at most
//!   [`TUNE_EVALUATED`] customers (seeded) are scored.
//! - ALS: a coordinate search from the library defaults, one setting at a time (confidence
//!   scale, then regularization, then factors); a setting is kept only when it scores strictly
//!   better, and more factors (slower on every later fit) only when they find
//!   [`MORE_FACTORS_GAIN`] more.
//! - Weights: in steps of 1/[`UNITS`], from the best of every single method, the default blend
//!   and an even blend, a hill climb moving weight from one method to another while the inner
//!   hit rate (then NDCG) improves. A single method is one of the starts, so the tuned blend does
//!   no worse than the best single method on the inner split.
//!
//! Everything is seeded and ties are broken in a fixed order, so the same data gives the same
//! tuning.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::data::dataset::Dataset;
use crate::error::Result;
use crate::models::recommend::als::{Als, AlsParams};
use crate::models::recommend::evaluate::split;
use crate::models::recommend::interactions::Interactions;
use crate::models::recommend::item_cf::ItemKnn;
use crate::models::recommend::methods::{HybridWeights, RecMethod};
use crate::models::recommend::models::{Models, RecOptions};
use crate::progress::{Progress, Silent, Step};

/// Most customers tuning fits on (a seeded subsample above it).
pub const TUNE_CUSTOMERS: usize = 50_000;
/// How much better (relatively, in hits) more ALS factors must do to be kept: they cost time
/// on every later fit.
const MORE_FACTORS_GAIN: f64 = 0.02;
/// Most customers whose second-to-last purchase is scored.
pub const TUNE_EVALUATED: usize = 20_000;
/// The weights move in steps of 1/UNITS.
pub const UNITS: u32 = 20;
/// The cut-off tuned for.
pub const TUNE_K: usize = 10;
/// Candidates kept per method and customer when tuning the weights.
const SHORTLIST: usize = 25;

/// What tuning chose, and on what.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tuning {
    /// The hybrid's weights (summing to 1).
    pub weights: HybridWeights,
    /// ALS's settings.
    pub als: AlsParams,
    /// Customers whose purchases tuning fitted on.
    pub customers: usize,
    /// Customers whose second-to-last purchase was scored.
    pub evaluated: usize,
    /// Whether the customers were a seeded subsample.
    pub subsampled: bool,
    /// The seed.
    pub seed: u64,
    /// ALS with the library defaults, on the tuning split.
    pub als_untuned_hit_rate: f64,
    /// HR@10 on the customers' second-to-last purchases of each blended method the data
    /// supports (ALS tuned) and of the tuned blend (`hybrid`).
    pub inner_hit_rates: std::collections::BTreeMap<RecMethod, f64>,
}

impl Tuning {
    /// A method's hit rate on the tuning split.
    pub fn inner_hit_rate(&self, method: RecMethod) -> Option<f64> {
        self.inner_hit_rates.get(&method).copied()
    }
}

/// Hits and NDCG summed over the scored customers; compared hits first.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Score {
    hits: usize,
    ndcg: f64,
}

impl Score {
    fn better_than(&self, other: &Score) -> bool {
        self.hits > other.hits || (self.hits == other.hits && self.ndcg > other.ndcg + 1e-9)
    }

    fn add(mut self, rank: Option<usize>) -> Score {
        if let Some(r) = rank.filter(|r| *r < TUNE_K) {
            self.hits += 1;
            self.ndcg += 1.0 / ((r + 2) as f64).log2();
        }
        self
    }

    /// The score of customers' ranks of their held-out product, added in order (so the sum is
    /// the same however the threads ran).
    fn of(ranks: &[Option<usize>]) -> Score {
        ranks.iter().fold(Score::default(), |s, r| s.add(*r))
    }
}

/// Tunes ALS and the hybrid's weights for `all` interactions (built from `data`) under
/// `options` (protected columns, item-CF neighbours; ALS starts from `options.als`).
pub fn tune(
    data: &Dataset,
    all: &Interactions,
    options: &RecOptions,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Tuning> {
    progress.report(
        0.0,
        "Tuning: hiding each customer's second-to-last purchase",
    );
    let outer = split(all);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (train, customers, subsampled) = subsample(&outer.train, TUNE_CUSTOMERS, &mut rng);
    let inner = split(&train);
    let mut test = inner.test.clone();
    if test.len() > TUNE_EVALUATED {
        test.shuffle(&mut rng);
        test.truncate(TUNE_EVALUATED);
        test.sort_unstable();
    }
    let setup = Step::new(progress, 0.0, 0.05, Some("Tuning: counting purchases"));
    let mut models = Models::fit(data, &inner.train, options, &[RecMethod::Popular], &setup)?;
    let score_als = |models: &Models| -> Result<Score> {
        score_method(models, &inner.train, &test, RecMethod::Als, progress)
    };
    let trials = als_trials();
    let mut best = options.als;
    let first = Step::new(progress, 0.05, 0.1, Some("Tuning ALS"));
    models.als = Als::fit(&inner.train, &best, &first)?;
    models.als_params = best;
    let untuned = score_als(&models)?;
    let mut best_score = untuned;
    let mut best_als = models.als.clone();
    for (i, change) in trials.iter().enumerate() {
        progress.check()?;
        let params = change(best);
        if params == best {
            continue;
        }
        let message = format!("Tuning ALS ({} of {})", i + 1, trials.len());
        let at = |i: usize| 0.1 + 0.7 * i as f32 / trials.len() as f32;
        let step = Step::new(progress, at(i), at(i + 1), Some(&message));
        models.als = Als::fit(&inner.train, &params, &step)?;
        let s = score_als(&models)?;
        let worth = params.factors <= best.factors
            || s.hits as f64 >= best_score.hits as f64 * (1.0 + MORE_FACTORS_GAIN);
        if worth && s.better_than(&best_score) {
            best = params;
            best_score = s;
            best_als = models.als.clone();
        }
    }
    models.als = best_als;
    models.als_params = best;
    progress.report(0.8, "Tuning the blend");
    models.knn = ItemKnn::fit(&inner.train, options.neighbours);
    let lists = shortlists(&models, &inner.train, &test, progress)?;
    let available: Vec<usize> = RecMethod::BLENDED
        .iter()
        .enumerate()
        .filter(|(_, m)| models.unavailable(**m).is_none())
        .map(|(i, _)| i)
        .collect();
    let (units, singles, blended) = climb(&lists, &available, progress)?;
    let n = test.len().max(1) as f64;
    let mut inner_hit_rates: std::collections::BTreeMap<RecMethod, f64> = RecMethod::BLENDED
        .iter()
        .zip(&singles)
        .filter_map(|(&method, s)| s.map(|s| (method, s.hits as f64 / n)))
        .collect();
    inner_hit_rates.insert(RecMethod::Hybrid, blended.hits as f64 / n);
    Ok(Tuning {
        weights: weights_of(&units),
        als: best,
        customers,
        evaluated: test.len(),
        subsampled,
        seed,
        als_untuned_hit_rate: untuned.hits as f64 / n,
        inner_hit_rates,
    })
}

/// The ALS settings tried, each a change of the best so far, in order.
fn als_trials() -> Vec<Box<dyn Fn(AlsParams) -> AlsParams>> {
    let mut out: Vec<Box<dyn Fn(AlsParams) -> AlsParams>> = Vec::new();
    let alphas = [3.0f32, 10.0, 30.0, 1.0];
    for a in alphas {
        out.push(Box::new(move |p| AlsParams { alpha: a, ..p }));
    }
    for r in [0.1f32, 1.0, 10.0, 100.0, 1000.0, 0.01] {
        out.push(Box::new(move |p| AlsParams {
            regularization: r,
            ..p
        }));
    }
    for f in [16usize, 32, 128, 64] {
        out.push(Box::new(move |p| AlsParams { factors: f, ..p }));
    }
    out
}

/// `train` with every customer outside a seeded subsample of at most `limit` customers (of those
/// with purchases) emptied; the number of customers kept and whether any were left out.
fn subsample(
    train: &Interactions,
    limit: usize,
    rng: &mut ChaCha8Rng,
) -> (Interactions, usize, bool) {
    let mut active: Vec<usize> = (0..train.n_customers())
        .filter(|&c| !train.of(c).is_empty())
        .collect();
    if active.len() <= limit {
        return (train.clone(), active.len(), false);
    }
    active.shuffle(rng);
    let mut keep = vec![false; train.n_customers()];
    for &c in active.iter().take(limit) {
        if let Some(k) = keep.get_mut(c) {
            *k = true;
        }
    }
    let mut indptr = vec![0usize];
    let mut pairs = Vec::new();
    for (c, kept) in keep.iter().enumerate() {
        if *kept {
            pairs.extend_from_slice(train.of(c));
        }
        indptr.push(pairs.len());
    }
    let out = Interactions {
        indptr,
        pairs,
        n_products: train.n_products,
    };
    (out, limit, true)
}

/// One method's score on the scored customers.
fn score_method(
    models: &Models,
    train: &Interactions,
    test: &[(usize, u32)],
    method: RecMethod,
    progress: &dyn Progress,
) -> Result<Score> {
    let weights = HybridWeights::default();
    let customers: Vec<usize> = test.iter().map(|&(c, _)| c).collect();
    let tops = models.each_customer(
        train,
        &customers,
        method.uses_als(),
        &Silent(progress),
        |who| models.rank(who, method, &weights, TUNE_K, false),
    )?;
    let ranks: Vec<Option<usize>> = tops
        .iter()
        .zip(test)
        .map(|(top, &(_, held))| top.iter().position(|(p, _)| *p == held))
        .collect();
    Ok(Score::of(&ranks))
}

/// One scored customer's candidates that can reach the top K under some weights: each method's
/// best [`SHORTLIST`] and the held-out product, with their popularity order and normalized
/// scores.
struct Shortlist {
    /// Position of the held-out product in `items`; `None` when it is not a candidate.
    held: Option<usize>,
    /// (popularity rank, each blended method's normalized score).
    items: Vec<(u32, [f32; 6])>,
}

fn shortlists(
    models: &Models,
    train: &Interactions,
    test: &[(usize, u32)],
    progress: &dyn Progress,
) -> Result<Vec<Shortlist>> {
    let customers: Vec<usize> = test.iter().map(|&(c, _)| c).collect();
    let held_out: std::collections::HashMap<usize, u32> = test.iter().copied().collect();
    models.each_customer(train, &customers, true, &Silent(progress), |who| {
        let held = held_out.get(&who.customer).copied().unwrap_or(u32::MAX);
        let candidates = models.candidates(who, false);
        let parts = models.normalized(who, &candidates, |_| true);
        let mut keep: Vec<usize> = Vec::new();
        for part in &parts {
            let mut order: Vec<usize> = (0..candidates.len()).collect();
            let by = |a: &usize, b: &usize| part[*b].total_cmp(&part[*a]).then(a.cmp(b));
            if order.len() > SHORTLIST {
                order.select_nth_unstable_by(SHORTLIST, by);
                order.truncate(SHORTLIST);
            }
            keep.extend(order.into_iter().filter(|&i| part[i] > 0.0));
        }
        let held_at = candidates.binary_search(&held).ok();
        keep.extend(held_at);
        keep.sort_unstable();
        keep.dedup();
        let items = keep
            .iter()
            .map(|&i| {
                let mut s = [0f32; 6];
                for (x, part) in s.iter_mut().zip(&parts) {
                    *x = part.get(i).copied().unwrap_or(0.0);
                }
                let p = candidates.get(i).copied().unwrap_or(0);
                (models.pop_rank_of(p), s)
            })
            .collect();
        Shortlist {
            held: held_at.and_then(|h| keep.binary_search(&h).ok()),
            items,
        }
    })
}

/// The blend's score with `units` per method over the shortlists.
fn score_units(lists: &[Shortlist], units: &[u32; 6]) -> Score {
    let w: Vec<f32> = units.iter().map(|u| *u as f32).collect();
    let blend = |s: &[f32; 6]| -> f32 { s.iter().zip(&w).map(|(a, b)| a * b).sum() };
    let ranks: Vec<Option<usize>> = lists
        .par_iter()
        .map(|l| {
            let (held_pop, held_s) = l.held.and_then(|h| l.items.get(h))?;
            let target = blend(held_s);
            let mut ahead = 0;
            for (i, (pop, s)) in l.items.iter().enumerate() {
                if Some(i) == l.held {
                    continue;
                }
                let x = blend(s);
                if x > target || (x == target && pop < held_pop) {
                    ahead += 1;
                    if ahead >= TUNE_K {
                        break;
                    }
                }
            }
            Some(ahead)
        })
        .collect();
    Score::of(&ranks)
}

/// The hill climb over the weights: the best units, each available method alone (by index in
/// [`RecMethod::BLENDED`]; `None` for one that cannot be used), and the best score.
fn climb(
    lists: &[Shortlist],
    available: &[usize],
    progress: &dyn Progress,
) -> Result<([u32; 6], Vec<Option<Score>>, Score)> {
    let mut singles = vec![None; 6];
    let mut starts: Vec<[u32; 6]> = Vec::new();
    for &m in available {
        let mut u = [0u32; 6];
        u[m] = UNITS;
        singles[m] = Some(score_units(lists, &u));
        starts.push(u);
    }
    let mut even = [0u32; 6];
    let default = HybridWeights::default();
    let mut from_default = [0u32; 6];
    for &m in available {
        even[m] = UNITS / available.len().max(1) as u32;
        if let Some(method) = RecMethod::BLENDED.get(m) {
            from_default[m] = (default.get(*method) * UNITS as f32).round() as u32;
        }
    }
    starts.push(from_default);
    starts.push(even);
    let mut best = [0u32; 6];
    let mut best_score: Option<Score> = None;
    for u in starts {
        if u.iter().all(|x| *x == 0) {
            continue;
        }
        let s = score_units(lists, &u);
        if best_score.is_none_or(|b| s.better_than(&b)) {
            best = u;
            best_score = Some(s);
        }
    }
    let mut best_score = best_score.unwrap_or_default();
    for _ in 0..40 {
        progress.check()?;
        let mut step: Option<([u32; 6], Score)> = None;
        for &from in available {
            for &to in available {
                for k in [1u32, 2, 5, 10] {
                    if from == to || best[from] < k {
                        continue;
                    }
                    let mut u = best;
                    u[from] -= k;
                    u[to] += k;
                    let s = score_units(lists, &u);
                    let bar = step.map_or(best_score, |(_, b)| b);
                    if s.better_than(&bar) {
                        step = Some((u, s));
                    }
                }
            }
        }
        match step {
            Some((u, s)) => {
                best = u;
                best_score = s;
            }
            None => break,
        }
    }
    Ok((best, singles, best_score))
}

/// Weights from units (summing to 1).
fn weights_of(units: &[u32; 6]) -> HybridWeights {
    let total = units.iter().sum::<u32>().max(1) as f32;
    let mut w = HybridWeights::ZERO;
    for (m, u) in RecMethod::BLENDED.iter().zip(units) {
        if let Some(x) = w.get_mut(*m) {
            *x = *u as f32 / total;
        }
    }
    w
}

/// Bumped whenever tuning changes, so a stored tuning made the old way is made again.
pub const TUNING_VERSION: u32 = 1;

/// What a tuning depends on, as the parameters it is stored under: a digest of the
/// interactions, the products (names, categories, non-merchandise marks) and the customer
/// attributes the demographic method may group by, with the options and the seed. The same data
/// gives the same key; any change to them gives another.
pub fn tuning_key(data: &Dataset, all: &Interactions, options: &RecOptions, seed: u64) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = Digest::default();
    all.indptr.hash(&mut h);
    for p in &all.pairs {
        (p.product, p.count, p.last_ts, p.last_row).hash(&mut h);
    }
    let products = &data.products;
    (&products.ids, &products.names, &products.category).hash(&mut h);
    (&products.categories, &products.non_merchandise).hash(&mut h);
    for a in &data.attributes {
        (&a.name, a.role).hash(&mut h);
        match &a.values {
            crate::data::dataset::AttrValues::Numeric(v) => {
                for x in v {
                    x.map(f64::to_bits).hash(&mut h);
                }
            }
            crate::data::dataset::AttrValues::Categorical { levels, codes } => {
                (levels, codes).hash(&mut h);
            }
        }
    }
    serde_json::json!({
        "version": TUNING_VERSION,
        "data": format!("{:016x}", h.finish()),
        "use_protected": options.use_protected,
        "neighbours": options.neighbours,
        "seed": seed,
    })
    .to_string()
}

/// FNV-1a over bytes, a multiply-xor step per whole word: a change detector, not a
/// cryptographic hash.
struct Digest(u64);

impl Default for Digest {
    fn default() -> Self {
        Digest(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Digest {
    fn finish(&self) -> u64 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^ (x >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0 ^ x).wrapping_mul(0x0100_0000_01b3);
    }

    fn write_u32(&mut self, x: u32) {
        self.write_u64(u64::from(x));
    }

    fn write_i64(&mut self, x: i64) {
        self.write_u64(x as u64);
    }

    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
}

impl Tuning {
    /// What tuning did, in one sentence: "Weights and ALS settings were tuned on 4,927
    /// customers, each one's second-to-last purchase hidden (…): the blend found it for 22.2% of
    /// them, Similar customers (ALS) alone for 21.0%."
    pub fn describe(&self) -> String {
        use crate::format::{percent, thousands};
        let best = self
            .inner_hit_rates
            .iter()
            .filter(|(m, _)| **m != RecMethod::Hybrid)
            .max_by(|a, b| a.1.total_cmp(b.1));
        let blend = self.inner_hit_rate(RecMethod::Hybrid).unwrap_or(0.0);
        let mut text = format!(
            "Weights and ALS settings were tuned on {}{} customers, each one's second-to-last \
             purchase hidden (tuning never sees the last purchase, which the evaluation hides): \
             the blend found it for {} of them",
            if self.subsampled { "a sample of " } else { "" },
            thousands(self.evaluated as u64),
            percent(blend)
        );
        if let Some((method, hit_rate)) = best {
            text.push_str(&format!(
                ", {} alone for {}",
                method.label(),
                percent(*hit_rate)
            ));
        }
        text.push('.');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::db::Database;
    use crate::progress::NoProgress;

    fn sample(customers: usize) -> (tempfile::TempDir, Dataset) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let options = crate::data::sample::SampleOptions {
            customers,
            seed: 11,
        };
        crate::data::sample::generate(&path, &options, None, &NoProgress).unwrap();
        let db = Database::open(&path).unwrap();
        let data = Dataset::load(&db, &NoProgress).unwrap();
        (dir, data)
    }

    #[test]
    fn tuning_never_sees_the_purchase_the_evaluation_hides_and_is_seeded() {
        let (_dir, data) = sample(300);
        let all = Interactions::from_dataset(&data);
        let options = RecOptions::default();
        let tuned = tune(&data, &all, &options, 5, &NoProgress).unwrap();
        assert_eq!(tuned, tune(&data, &all, &options, 5, &NoProgress).unwrap());
        // Every held-out purchase moved to another product: what tuning sees is unchanged, so
        // is what it chooses.
        let held = split(&all).test;
        let mut moved = all.clone();
        for (c, product) in &held {
            let own = moved.indptr[*c]..moved.indptr[*c + 1];
            let taken: Vec<u32> = moved.pairs[own.clone()].iter().map(|p| p.product).collect();
            let other = (0..all.n_products as u32)
                .find(|p| !taken.contains(p))
                .unwrap();
            for p in &mut moved.pairs[own] {
                if p.product == *product {
                    p.product = other;
                }
            }
        }
        assert_ne!(moved, all);
        assert_eq!(
            tune(&data, &moved, &options, 5, &NoProgress).unwrap(),
            tuned
        );
        assert!(tuned.evaluated > 200 && !tuned.subsampled, "{tuned:?}");
    }

    #[test]
    fn above_the_limit_tuning_fits_on_a_seeded_subsample() {
        let (_dir, data) = sample(300);
        let all = Interactions::from_dataset(&data);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let (sub, kept, subsampled) = subsample(&all, 100, &mut rng);
        assert!(subsampled);
        assert_eq!(kept, 100);
        let with_rows = (0..sub.n_customers())
            .filter(|&c| !sub.of(c).is_empty())
            .count();
        assert_eq!(with_rows, 100);
        for c in (0..sub.n_customers()).filter(|&c| !sub.of(c).is_empty()) {
            assert_eq!(sub.of(c), all.of(c), "a kept customer keeps every purchase");
        }
        let mut again = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(subsample(&all, 100, &mut again).0, sub, "seeded");
    }

    #[test]
    fn the_key_changes_with_the_data_and_the_options() {
        let (_dir, data) = sample(120);
        let all = Interactions::from_dataset(&data);
        let options = RecOptions::default();
        let key = tuning_key(&data, &all, &options, 42);
        assert_eq!(key, tuning_key(&data, &all, &options, 42));
        let mut fewer = all.clone();
        fewer.pairs[0].count += 1;
        assert_ne!(key, tuning_key(&data, &fewer, &options, 42));
        let protected = RecOptions {
            use_protected: true,
            ..options
        };
        assert_ne!(key, tuning_key(&data, &all, &protected, 42));
        let mut marked = data.clone();
        marked.products.non_merchandise[0] = !marked.products.non_merchandise[0];
        assert_ne!(key, tuning_key(&marked, &all, &options, 42));
    }
}
