//! What the reasons need to agree with each other and with the data: which groups speak as one
//! reason (a family), how each model column goes with the label over the training customers,
//! and where a value stands among them.
//!
//! Families: the behaviour measures of purchase activity (orders, orders in the last 90 days,
//! days between orders, products bought) are one family and spend (total, average basket)
//! another; any other numeric groups whose values correlate at least [`COLLINEAR`] (absolute,
//! on what the logistic model sees, over a strided sample of rows) join one family too, as
//! Telco's tenure and total charges do.

use super::{FeatureMatrix, GroupKind, Source};

/// Behaviour measures that describe one thing.
const BEHAVIOUR_FAMILIES: [&[&str]; 2] = [
    &[
        "frequency",
        "orders_last_90_days",
        "days_between_orders",
        "distinct_products",
    ],
    &["monetary", "avg_basket"],
];
/// Numeric groups correlated at least this much (absolute) reason as one.
pub const COLLINEAR: f64 = 0.7;
/// Rows used for the correlations, at most.
const SAMPLE: usize = 20_000;
/// Points kept to place a value among the training customers.
const QUANTILES: usize = 1001;

/// At most [`QUANTILES`] evenly spaced points of `sorted` (all of it when shorter).
pub(super) fn quantiles(sorted: &[f64]) -> Vec<f64> {
    if sorted.len() <= QUANTILES {
        return sorted.to_vec();
    }
    let last = (sorted.len() - 1) as f64;
    (0..QUANTILES)
        .filter_map(|i| {
            let at = (i as f64 / (QUANTILES - 1) as f64 * last).round() as usize;
            sorted.get(at).copied()
        })
        .collect()
}

/// Pearson correlation of two equal-length series (0 when either is constant).
fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len()) as f64;
    if n < 2.0 {
        return 0.0;
    }
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa <= 0.0 || sbb <= 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

impl FeatureMatrix {
    /// Column `j` over every `step`-th row, as the logistic model sees it.
    fn column_sample(&self, j: usize, step: usize) -> Vec<f64> {
        let log = self.features.get(j).is_some_and(|f| f.log_scale);
        (0..self.n)
            .step_by(step.max(1))
            .map(|k| {
                let v = self.row(k).get(j).copied().unwrap_or(0.0);
                if log { v.signum() * v.abs().ln_1p() } else { v }
            })
            .collect()
    }

    /// Sets [`FeatureMatrix::family`] from the behaviour families and the correlations.
    pub(super) fn find_families(&mut self) {
        let ng = self.groups.len();
        let mut parent: Vec<usize> = (0..ng).collect();
        fn root(parent: &mut [usize], mut g: usize) -> usize {
            while parent[g] != g {
                parent[g] = parent[parent[g]];
                g = parent[g];
            }
            g
        }
        let join = |parent: &mut Vec<usize>, a: usize, b: usize| {
            let (ra, rb) = (root(parent, a), root(parent, b));
            parent[ra.max(rb)] = ra.min(rb);
        };
        for family in BEHAVIOUR_FAMILIES {
            let members: Vec<usize> = (0..ng)
                .filter(|&g| {
                    self.groups.get(g).is_some_and(|x| {
                        x.source == Source::Behaviour && family.contains(&x.column.as_str())
                    })
                })
                .collect();
            for w in members.windows(2) {
                join(&mut parent, w[0], w[1]);
            }
        }
        let step = self.n.div_ceil(SAMPLE);
        let numeric: Vec<(usize, Vec<f64>)> = (0..ng)
            .filter_map(|g| {
                let group = self.groups.get(g)?;
                match group.kind {
                    GroupKind::Numeric { binary: false, .. } => {
                        Some((g, self.column_sample(*group.features.first()?, step)))
                    }
                    _ => None,
                }
            })
            .collect();
        for (i, (a, va)) in numeric.iter().enumerate() {
            for (b, vb) in numeric.iter().skip(i + 1) {
                if correlation(va, vb).abs() >= COLLINEAR {
                    join(&mut parent, *a, *b);
                }
            }
        }
        self.family = (0..ng).map(|g| root(&mut parent, g)).collect();
    }

    /// Learns [`FeatureMatrix::association`]: each model column's correlation with the label
    /// `y` (1 churned), one per row.
    pub fn learn_association(&mut self, y: &[u8]) {
        let label: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
        self.association = (0..self.p())
            .map(|j| correlation(&self.column_sample(j, 1), &label))
            .collect();
    }

    /// The shares of training customers whose value of group `g` is below and above `v`.
    pub fn shares_around(&self, g: usize, v: f64) -> Option<(f64, f64)> {
        let q = self.quantiles.get(g).filter(|q| !q.is_empty())?;
        let n = q.len() as f64;
        let below = q.partition_point(|x| *x < v) as f64 / n;
        let above = (q.len() - q.partition_point(|x| *x <= v)) as f64 / n;
        Some((below, above))
    }
}
