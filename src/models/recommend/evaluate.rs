//! Offline evaluation, leave-last-out, with exactly the protocol other libraries' figures use:
//!
//! - for every customer with at least two distinct products, the pair whose latest transaction
//!   is most recent is the test pair (ties in time go to the later row in source order); all
//!   other pairs are training;
//! - candidates are the products seen in training that the customer does not have in training;
//!   a test product never seen in training counts as a miss;
//! - hit rate, precision, recall and NDCG at k (NDCG: 1/log2(rank + 1) for a hit, 0 otherwise),
//!   and catalogue coverage (distinct products recommended over products seen in training).

use crate::models::recommend::interactions::{Interactions, Pair};
use crate::models::recommend::methods::RecMethod;

/// The leave-last-out split.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Training interactions (every customer; test pairs removed).
    pub train: Interactions,
    /// (customer, held-out product) for every evaluated customer, by customer.
    pub test: Vec<(usize, u32)>,
    /// Products that appear in training.
    pub in_train: Vec<bool>,
}

/// Splits interactions leave-last-out.
pub fn split(all: &Interactions) -> Split {
    let n = all.n_customers();
    let mut indptr = vec![0usize; n + 1];
    let mut pairs: Vec<Pair> = Vec::with_capacity(all.pairs.len());
    let mut test = Vec::new();
    for c in 0..n {
        let own = all.of(c);
        let held = (own.len() >= 2)
            .then(|| {
                own.iter()
                    .enumerate()
                    .max_by_key(|(_, p)| (p.last_ts, p.last_row))
                    .map(|(i, _)| i)
            })
            .flatten();
        for (i, p) in own.iter().enumerate() {
            if Some(i) == held {
                test.push((c, p.product));
            } else {
                pairs.push(*p);
            }
        }
        indptr[c + 1] = pairs.len();
    }
    let mut in_train = vec![false; all.n_products];
    for p in &pairs {
        if let Some(s) = in_train.get_mut(p.product as usize) {
            *s = true;
        }
    }
    Split {
        train: Interactions {
            indptr,
            pairs,
            n_products: all.n_products,
        },
        test,
        in_train,
    }
}

/// Metrics at k.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Metrics {
    /// Share of evaluated customers whose held-out product is in their top k.
    pub hit_rate: f64,
    /// Mean of hits / k.
    pub precision: f64,
    /// Mean of hits / 1 (one held-out product): equals the hit rate under this protocol.
    pub recall: f64,
    /// Mean NDCG at k.
    pub ndcg: f64,
    /// Distinct products recommended over products seen in training.
    pub coverage: f64,
}

/// Scores `recommend(customer, k)` (the top-k candidate products, best first) under the split.
pub fn evaluate(split: &Split, k: usize, recommend: impl Fn(usize, usize) -> Vec<u32>) -> Metrics {
    let mut hits = 0.0;
    let mut ndcg = 0.0;
    let mut shown = vec![false; split.in_train.len()];
    for &(c, held) in &split.test {
        let top = recommend(c, k);
        for p in &top {
            if let Some(s) = shown.get_mut(*p as usize) {
                *s = true;
            }
        }
        if let Some(rank) = top.iter().take(k).position(|p| *p == held) {
            hits += 1.0;
            ndcg += 1.0 / ((rank + 2) as f64).log2();
        }
    }
    let users = split.test.len().max(1) as f64;
    let catalogue = split.in_train.iter().filter(|s| **s).count().max(1) as f64;
    Metrics {
        hit_rate: hits / users,
        precision: hits / users / k.max(1) as f64,
        recall: hits / users,
        ndcg: ndcg / users,
        coverage: shown.iter().filter(|s| **s).count() as f64 / catalogue,
    }
}

/// Popularity by training: the number of distinct training customers who have each product,
/// and the products ranked by it (ties by product index).
pub fn popularity(train: &Interactions) -> (Vec<u32>, Vec<u32>) {
    let mut count = vec![0u32; train.n_products];
    for p in &train.pairs {
        if let Some(c) = count.get_mut(p.product as usize) {
            *c += 1;
        }
    }
    let mut ranked: Vec<u32> = (0..train.n_products as u32)
        .filter(|&p| count.get(p as usize).is_some_and(|c| *c > 0))
        .collect();
    ranked.sort_by(|&a, &b| count[b as usize].cmp(&count[a as usize]).then(a.cmp(&b)));
    (count, ranked)
}

/// Recent popularity: distinct training customers whose pair with the product was last active
/// in the last `days` days before the latest training time; products ranked by it (ties by
/// overall popularity, then product index).
pub fn recent_popularity(train: &Interactions, days: i64) -> Vec<u32> {
    let latest = train.pairs.iter().map(|p| p.last_ts).max().unwrap_or(0);
    let since = latest - days * 86_400;
    let mut recent = vec![0u32; train.n_products];
    for p in train.pairs.iter().filter(|p| p.last_ts > since) {
        if let Some(c) = recent.get_mut(p.product as usize) {
            *c += 1;
        }
    }
    let (count, mut ranked) = popularity(train);
    ranked.sort_by(|&a, &b| {
        recent[b as usize]
            .cmp(&recent[a as usize])
            .then(count[b as usize].cmp(&count[a as usize]))
            .then(a.cmp(&b))
    });
    ranked
}

/// The top k of a ranked list that the customer does not have in training.
pub fn top_unseen(ranked: &[u32], train: &Interactions, customer: usize, k: usize) -> Vec<u32> {
    let own = train.of(customer);
    ranked
        .iter()
        .copied()
        .filter(|p| own.binary_search_by_key(p, |x| x.product).is_err())
        .take(k)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::dataset::Dataset;
    use crate::data::db::Database;
    use crate::progress::NoProgress;

    fn data() -> Dataset {
        let db = Database::in_memory().unwrap();
        db.conn()
            .execute_batch(
                "CREATE TABLE products (product_id TEXT PRIMARY KEY);
                 INSERT INTO products VALUES ('a'), ('b'), ('c'), ('d');
                 CREATE TABLE transactions (customer_id TEXT, ts TEXT, order_id TEXT,
                     product_id TEXT, quantity REAL);
                 INSERT INTO transactions VALUES
                     ('1', '2020-01-01', 'o1', 'a', 1), ('1', '2020-01-02', 'o2', 'b', 1),
                     ('1', '2020-01-02', 'o2', 'c', 1),
                     ('2', '2020-01-01', 'o3', 'a', 2), ('2', '2020-01-05', 'o4', 'a', 1),
                     ('2', '2020-01-03', 'o5', 'b', 1), ('2', '2020-01-09', 'C6', 'd', 1),
                     ('3', '2020-01-01', 'o7', 'd', 1), ('3', '2020-01-01', 'o7', 'd', 0);",
            )
            .unwrap();
        Dataset::load(&db, &NoProgress).unwrap()
    }

    #[test]
    fn interactions_count_rows_and_skip_cancellations() {
        let i = Interactions::from_dataset(&data());
        let c2: Vec<(u32, u32)> = i.of(1).iter().map(|p| (p.product, p.count)).collect();
        assert_eq!(
            c2,
            vec![(0, 2), (1, 1)],
            "two rows for a; the cancelled d is left out"
        );
        assert_eq!(i.of(2).len(), 1, "quantity 0 is left out");
    }

    #[test]
    fn leave_last_out_by_hand() {
        let s = split(&Interactions::from_dataset(&data()));
        // Customer 1: b and c tie on 2020-01-02; c is the later row. Customer 2: a's latest
        // row (01-05) is after b's (01-03). Customer 3 has one product: not evaluated.
        assert_eq!(s.test, vec![(0, 2), (1, 0)]);
        assert_eq!(s.in_train, vec![true, true, false, true]);
        let (count, ranked) = popularity(&s.train);
        assert_eq!(count, vec![1, 2, 0, 1]);
        assert_eq!(ranked, vec![1, 0, 3]);
        // Customer 1 trains on a, b: popular offers d; customer 2 trains on b: offers a, d.
        assert_eq!(top_unseen(&ranked, &s.train, 0, 10), vec![3]);
        let m = evaluate(&s, 10, |c, k| top_unseen(&ranked, &s.train, c, k));
        assert_eq!(
            m.hit_rate, 0.5,
            "c was never in training: a miss; a is a hit"
        );
        assert!((m.ndcg - 0.5).abs() < 1e-12, "a ranks first for customer 2");
        assert!((m.precision - 0.05).abs() < 1e-12);
        assert!((m.coverage - 2.0 / 3.0).abs() < 1e-12);
        // Training pairs last active within a day of the latest (01-03): only customer 2's b.
        assert_eq!(recent_popularity(&s.train, 1), vec![1, 0, 3]);
        assert_eq!(recent_popularity(&s.train, 0), vec![1, 0, 3]);
    }
}

/// One method's figures in an evaluation report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MethodMetrics {
    /// The method.
    pub method: crate::models::recommend::methods::RecMethod,
    /// Its metrics at k (for a method that is not available, popularity order's figures).
    #[serde(flatten)]
    pub metrics: Metrics,
    /// Whether the method could use the data; when not, it ranked in popularity order.
    pub available: bool,
    /// Why it is not available, or, for the hybrid, the weights it blended; `None` otherwise.
    pub note: Option<String>,
}

/// The evaluation of several methods under one split.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    /// The cut-off.
    pub k: usize,
    /// Customers evaluated (those with at least two distinct products).
    pub users: usize,
    /// Every method, in the order asked.
    pub methods: Vec<MethodMetrics>,
    /// The weights the hybrid was evaluated with.
    pub hybrid_weights: crate::models::recommend::methods::HybridWeights,
    /// Where they came from: `tuned`, `given` or `default`.
    pub weights_source: crate::models::recommend::methods::WeightsSource,
    /// The ALS settings evaluated.
    pub als: crate::models::recommend::als::AlsParams,
    /// What tuning chose and on what, when the weights or ALS settings are tuned.
    pub tuning: Option<crate::models::recommend::tune::Tuning>,
}

/// The hybrid's weights in words: "item-cf 0.25, als 0.45" (methods with weight 0 and those
/// `left_out` are not named; all zero reads "all weights zero: popular order").
pub fn weights_text(
    weights: &crate::models::recommend::methods::HybridWeights,
    left_out: &[crate::models::recommend::methods::RecMethod],
) -> String {
    use crate::models::recommend::methods::RecMethod;
    let used: Vec<String> = RecMethod::BLENDED
        .iter()
        .filter(|m| !left_out.contains(m))
        .filter(|m| weights.get(**m) > 0.0)
        .map(|m| format!("{} {:.2}", m.as_str(), weights.get(*m)))
        .collect();
    if used.is_empty() {
        "all weights zero: popular order".to_string()
    } else {
        used.join(", ")
    }
}

/// Evaluates the given methods on `all` interactions (built from `data`), leave-last-out, at
/// `k`. Every method ranks through [`Models::rank`](crate::models::recommend::models::Models),
/// as the window and the CLI do; the hybrid blends with `blend`. A method the data cannot
/// support (content without product names or categories, demographic without group columns)
/// ranks in popularity order and is marked `available: false` with a note.
pub fn evaluate_methods(
    data: &crate::data::dataset::Dataset,
    all: &Interactions,
    methods: &[crate::models::recommend::methods::RecMethod],
    k: usize,
    options: &crate::models::recommend::models::RecOptions,
    blend: &crate::models::recommend::methods::Blend,
    progress: &dyn crate::progress::Progress,
) -> crate::error::Result<Report> {
    let weights = &blend.weights;
    use crate::models::recommend::methods::RecMethod;
    use crate::models::recommend::models::Models;
    use crate::progress::Silent;
    let s = split(all);
    let models = Models::fit(data, &s.train, options, methods, progress)?;
    let left_out: Vec<RecMethod> = RecMethod::BLENDED
        .into_iter()
        .filter(|m| models.unavailable(*m).is_some())
        .collect();
    let mut out = Vec::new();
    for (i, &method) in methods.iter().enumerate() {
        progress.check()?;
        progress.report(
            i as f32 / methods.len().max(1) as f32,
            &format!("Evaluating {}", method.as_str()),
        );
        let test: Vec<usize> = s.test.iter().map(|&(c, _)| c).collect();
        let tops: Vec<Vec<u32>> = models.each_customer(
            &s.train,
            &test,
            method.uses_als(),
            &Silent(progress),
            |who| {
                models
                    .rank(who, method, weights, k, false)
                    .into_iter()
                    .map(|(p, _)| p)
                    .collect()
            },
        )?;
        let position: std::collections::HashMap<usize, usize> = s
            .test
            .iter()
            .enumerate()
            .map(|(i, (c, _))| (*c, i))
            .collect();
        let metrics = evaluate(&s, k, |c, _| {
            position
                .get(&c)
                .and_then(|i| tops.get(*i))
                .cloned()
                .unwrap_or_default()
        });
        let why = models.unavailable(method);
        let note = match (why, method) {
            (Some(why), _) => Some(format!("not available: {why}")),
            (None, RecMethod::Hybrid) => Some(blend.describe(&left_out)),
            _ => None,
        };
        out.push(MethodMetrics {
            method,
            metrics,
            available: why.is_none(),
            note,
        });
    }
    Ok(Report {
        k,
        users: s.test.len(),
        methods: out,
        hybrid_weights: *weights,
        weights_source: blend.source,
        als: options.als,
        tuning: None,
    })
}

impl Report {
    /// The hybrid's name with where its weights came from: "Hybrid blend (tuned weights)".
    pub fn hybrid_name(&self) -> String {
        use crate::models::recommend::methods::WeightsSource;
        let how = match self.weights_source {
            WeightsSource::Tuned => "tuned weights",
            WeightsSource::Given => "your weights",
            WeightsSource::Default => "default weights",
        };
        format!("{} ({how})", RecMethod::Hybrid.label())
    }

    /// One sentence a stakeholder reads: how often the hybrid finds the hidden product, against
    /// popularity and the best single method; `None` without the hybrid and popularity.
    pub fn headline(&self) -> Option<String> {
        use crate::format::percent;
        let hr = |method: RecMethod| {
            self.methods
                .iter()
                .find(|m| m.method == method)
                .map(|m| m.metrics.hit_rate)
        };
        let hybrid = hr(RecMethod::Hybrid)?;
        let popular = hr(RecMethod::Popular)?;
        let best = self
            .methods
            .iter()
            .filter(|m| m.available && !matches!(m.method, RecMethod::Hybrid | RecMethod::Popular))
            .max_by(|a, b| a.metrics.hit_rate.total_cmp(&b.metrics.hit_rate));
        let mut text = format!(
            "The hybrid blend's {} suggestions hold the hidden product for {} of customers, \
             against {} for the most popular products",
            self.k,
            percent(hybrid),
            percent(popular)
        );
        if let Some(best) = best {
            text.push_str(&format!(
                " and {} for the best single method, {}",
                percent(best.metrics.hit_rate),
                best.method.label()
            ));
        }
        text.push('.');
        Some(text)
    }
}
