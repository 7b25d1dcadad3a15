//! A random forest of classification trees with probability outputs.
//!
//! As scikit-learn's `RandomForestClassifier`: each tree grows on a bootstrap sample (rows
//! drawn with replacement, as many as there are rows), each split looks at `⌊√p⌋` randomly
//! chosen columns (more when the chosen ones are constant in the node) and takes the threshold
//! with the largest Gini decrease; trees grow until leaves are pure or hold fewer than
//! `2 × min_samples_leaf` rows. A prediction is the mean over trees of the leaf's share of
//! class 1. Splits are searched on histograms: each column is cut once, from the training
//! rows, into at most 255 bins (one per distinct value when there are that few), so a node
//! costs one pass over its rows per column tried.
//!
//! Besides predictions: out-of-bag predictions (for calibration without refitting), Saabas
//! path contributions (the change in the node's class-1 share along the prediction's path,
//! credited to the split's column; they sum to the prediction minus the root's share) and
//! impurity-based importance (each tree's Gini decrease per column, normalized to sum 1, then
//! averaged). Trees are grown in parallel with rayon, each with its own seeded ChaCha8 stream,
//! so the forest is the same for a seed whatever the number of threads.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::Result;
use crate::progress::Progress;

/// Forest options.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ForestParams {
    /// Number of trees (default 200).
    pub trees: usize,
    /// Minimum bootstrap weight in a leaf (default 1, as scikit-learn).
    pub min_samples_leaf: usize,
    /// Columns tried per split; `None`: `⌊√p⌋`.
    pub max_features: Option<usize>,
    /// Maximum depth; `None`: unlimited.
    pub max_depth: Option<usize>,
    /// Random seed.
    pub seed: u64,
}

impl Default for ForestParams {
    fn default() -> Self {
        Self {
            trees: 200,
            min_samples_leaf: 1,
            max_features: None,
            max_depth: None,
            seed: 42,
        }
    }
}

const LEAF: u32 = u32::MAX;
const MAX_BINS: usize = 255;

/// One node of a tree.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Node {
    /// Split column, or [`LEAF`].
    feature: u32,
    /// Rows with value ≤ threshold go left.
    threshold: f64,
    left: u32,
    right: u32,
    /// Weighted share of class 1 in the node.
    value: f64,
}

/// One tree.
#[derive(Debug, Clone, PartialEq)]
struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    /// The path from the root to the leaf of `row`, as node indices.
    fn leaf(&self, row: &[f64]) -> usize {
        let mut i = 0;
        while let Some(n) = self.nodes.get(i) {
            if n.feature == LEAF {
                return i;
            }
            let v = row.get(n.feature as usize).copied().unwrap_or(0.0);
            i = if v <= n.threshold { n.left } else { n.right } as usize;
        }
        0
    }

    fn predict(&self, row: &[f64]) -> f64 {
        self.nodes.get(self.leaf(row)).map_or(0.0, |n| n.value)
    }
}

/// A fitted forest.
#[derive(Debug, Clone, PartialEq)]
pub struct Forest {
    trees: Vec<Tree>,
    p: usize,
    /// Impurity-based importance per column (sums to 1 unless no tree split).
    pub importance: Vec<f64>,
    /// Out-of-bag prediction per training row (in the order of the `rows` passed to
    /// [`Forest::fit`]); `None` for a row in every tree's sample.
    pub oob: Vec<Option<f64>>,
}

/// Cut points per column: a value `v` falls in bin `edges.partition_point(|e| *e < v)`.
fn column_edges(values: &mut [f64]) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    let mut distinct: Vec<f64> = Vec::new();
    for &v in values.iter() {
        if distinct.last() != Some(&v) {
            distinct.push(v);
        }
    }
    if distinct.len() <= MAX_BINS {
        // A cut halfway between consecutive distinct values (as scikit-learn's thresholds).
        return distinct.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect();
    }
    let n = values.len();
    let mut edges: Vec<f64> = Vec::new();
    for k in 1..MAX_BINS {
        let Some(&v) = values.get(k * n / MAX_BINS) else {
            continue;
        };
        // Halfway to the next distinct value above v.
        let next = distinct.partition_point(|d| *d <= v);
        let Some(&above) = distinct.get(next) else {
            continue;
        };
        let cut = (v + above) / 2.0;
        if edges.last().is_none_or(|l| *l < cut) {
            edges.push(cut);
        }
    }
    edges
}

/// A grown tree, its importance and its bootstrap weights.
type Grown = (Tree, Vec<f64>, Vec<f64>);

struct Grower<'a> {
    /// Bin of each (column, training row), column-major.
    bins: &'a [Vec<u8>],
    edges: &'a [Vec<f64>],
    y: &'a [u8],
    params: &'a ForestParams,
    mtry: usize,
}

struct Split {
    feature: usize,
    bin: usize,
    score: f64,
}

impl Grower<'_> {
    /// Grows one tree on bootstrap weights `w` (per training row). Returns the tree and its
    /// importance per column.
    fn grow(&self, w: &[f64], rng: &mut ChaCha8Rng) -> (Tree, Vec<f64>) {
        let p = self.bins.len();
        let mut idx: Vec<u32> = (0..w.len() as u32)
            .filter(|&i| w.get(i as usize).is_some_and(|v| *v > 0.0))
            .collect();
        let mut nodes: Vec<Node> = Vec::new();
        let mut importance = vec![0.0; p];
        let mut hist = vec![(0.0f64, 0.0f64); MAX_BINS + 1];
        let mut features: Vec<usize> = (0..p).collect();
        // (node index, start, end, depth)
        let mut stack: Vec<(usize, usize, usize, usize)> = Vec::new();
        let totals = |idx: &[u32]| {
            idx.iter().fold((0.0, 0.0), |(tw, tp), &i| {
                let wi = w.get(i as usize).copied().unwrap_or(0.0);
                let yi = f64::from(self.y.get(i as usize).copied().unwrap_or(0));
                (tw + wi, tp + wi * yi)
            })
        };
        let (tw, tp) = totals(&idx);
        nodes.push(Node {
            feature: LEAF,
            threshold: 0.0,
            left: 0,
            right: 0,
            value: if tw > 0.0 { tp / tw } else { 0.0 },
        });
        stack.push((0, 0, idx.len(), 0));
        let min_leaf = self.params.min_samples_leaf.max(1) as f64;
        while let Some((node, start, end, depth)) = stack.pop() {
            let Some(slice) = idx.get(start..end) else {
                continue;
            };
            let (nw, np) = totals(slice);
            if np <= 0.0
                || np >= nw
                || nw < 2.0 * min_leaf
                || self.params.max_depth.is_some_and(|d| depth >= d)
            {
                continue;
            }
            let parent = np * np / nw + (nw - np) * (nw - np) / nw;
            let mut best: Option<Split> = None;
            let mut tried = 0;
            let mut k = 0;
            while k < p && (tried < self.mtry || best.is_none()) {
                let pick = rng.gen_range(k..p);
                features.swap(k, pick);
                let f = features[k];
                k += 1;
                let Some(col) = self.bins.get(f) else {
                    continue;
                };
                let (mut lo, mut hi) = (usize::MAX, 0usize);
                for &i in slice {
                    let b = col.get(i as usize).copied().unwrap_or(0) as usize;
                    let wi = w.get(i as usize).copied().unwrap_or(0.0);
                    let yi = f64::from(self.y.get(i as usize).copied().unwrap_or(0));
                    if let Some(h) = hist.get_mut(b) {
                        h.0 += wi;
                        h.1 += wi * yi;
                    }
                    lo = lo.min(b);
                    hi = hi.max(b);
                }
                if lo >= hi {
                    // Constant in this node: does not count as tried.
                    if let Some(h) = hist.get_mut(lo) {
                        *h = (0.0, 0.0);
                    }
                    continue;
                }
                tried += 1;
                let (mut lw, mut lp) = (0.0, 0.0);
                for b in lo..hi {
                    let Some(h) = hist.get_mut(b) else {
                        continue;
                    };
                    lw += h.0;
                    lp += h.1;
                    *h = (0.0, 0.0);
                    let (rw, rp) = (nw - lw, np - lp);
                    if lw < min_leaf || rw < min_leaf {
                        continue;
                    }
                    let score = lp * lp / lw
                        + (lw - lp) * (lw - lp) / lw
                        + rp * rp / rw
                        + (rw - rp) * (rw - rp) / rw;
                    if best.as_ref().is_none_or(|s| score > s.score + 1e-12) {
                        best = Some(Split {
                            feature: f,
                            bin: b,
                            score,
                        });
                    }
                }
                if let Some(h) = hist.get_mut(hi) {
                    *h = (0.0, 0.0);
                }
            }
            let Some(split) = best else {
                continue;
            };
            if split.score <= parent + 1e-12 {
                continue;
            }
            let Some(col) = self.bins.get(split.feature) else {
                continue;
            };
            // Partition: rows with bin ≤ split.bin first.
            let Some(range) = idx.get_mut(start..end) else {
                continue;
            };
            let mut mid = 0;
            for j in 0..range.len() {
                let b = col.get(range[j] as usize).copied().unwrap_or(0) as usize;
                if b <= split.bin {
                    range.swap(mid, j);
                    mid += 1;
                }
            }
            if let Some(imp) = importance.get_mut(split.feature) {
                // Weighted Gini decrease: (children's Σ share² terms) − parent's.
                *imp += split.score - parent;
            }
            let threshold = self
                .edges
                .get(split.feature)
                .and_then(|e| e.get(split.bin))
                .copied()
                .unwrap_or(f64::INFINITY);
            let (lw, lp) = totals(range.get(..mid).unwrap_or(&[]));
            let (rw, rp) = (nw - lw, np - lp);
            let left = nodes.len();
            for (cw, cp) in [(lw, lp), (rw, rp)] {
                nodes.push(Node {
                    feature: LEAF,
                    threshold: 0.0,
                    left: 0,
                    right: 0,
                    value: if cw > 0.0 { cp / cw } else { 0.0 },
                });
            }
            if let Some(n) = nodes.get_mut(node) {
                n.feature = split.feature as u32;
                n.threshold = threshold;
                n.left = left as u32;
                n.right = left as u32 + 1;
            }
            stack.push((left + 1, start + mid, end, depth + 1));
            stack.push((left, start, start + mid, depth + 1));
        }
        let total: f64 = importance.iter().sum();
        if total > 0.0 {
            for v in &mut importance {
                *v /= total;
            }
        }
        (Tree { nodes }, importance)
    }
}

impl Forest {
    /// Fits on the rows `rows` of row-major `x` (`p` columns) with 0/1 labels `y` (one per
    /// entry of `rows`). Checks for cancellation between trees.
    pub fn fit(
        x: &[f64],
        p: usize,
        rows: &[usize],
        y: &[u8],
        params: &ForestParams,
        progress: &dyn Progress,
    ) -> Result<Forest> {
        let n = rows.len();
        let value = |r: usize, j: usize| x.get(r * p + j).copied().unwrap_or(0.0);
        let edges: Vec<Vec<f64>> = (0..p)
            .into_par_iter()
            .map(|j| {
                let mut v: Vec<f64> = rows.iter().map(|&r| value(r, j)).collect();
                column_edges(&mut v)
            })
            .collect();
        let bins: Vec<Vec<u8>> = edges
            .par_iter()
            .enumerate()
            .map(|(j, e)| {
                rows.iter()
                    .map(|&r| {
                        let v = value(r, j);
                        e.partition_point(|c| *c < v).min(MAX_BINS) as u8
                    })
                    .collect()
            })
            .collect();
        let mtry = params
            .max_features
            .unwrap_or_else(|| ((p as f64).sqrt() as usize).max(1))
            .clamp(1, p.max(1));
        let grower = Grower {
            bins: &bins,
            edges: &edges,
            y,
            params,
            mtry,
        };
        let grown: Vec<Result<Grown>> = (0..params.trees)
            .into_par_iter()
            .map(|t| {
                progress.check()?;
                let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
                rng.set_stream(t as u64 + 1);
                let mut w = vec![0.0; n];
                for _ in 0..n {
                    let i = rng.gen_range(0..n);
                    if let Some(v) = w.get_mut(i) {
                        *v += 1.0;
                    }
                }
                let (tree, imp) = grower.grow(&w, &mut rng);
                Ok((tree, imp, w))
            })
            .collect();
        let mut trees = Vec::with_capacity(params.trees);
        let mut importance = vec![0.0; p];
        let mut oob_sum = vec![0.0; n];
        let mut oob_count = vec![0u32; n];
        for g in grown {
            progress.check()?;
            let (tree, imp, w) = g?;
            for (a, b) in importance.iter_mut().zip(&imp) {
                *a += b / params.trees.max(1) as f64;
            }
            for (k, &r) in rows.iter().enumerate() {
                if w.get(k).is_some_and(|v| *v == 0.0) {
                    let row = x.get(r * p..(r + 1) * p).unwrap_or(&[]);
                    oob_sum[k] += tree.predict(row);
                    oob_count[k] += 1;
                }
            }
            trees.push(tree);
        }
        let oob = oob_sum
            .iter()
            .zip(&oob_count)
            .map(|(s, c)| (*c > 0).then(|| s / f64::from(*c)))
            .collect();
        Ok(Forest {
            trees,
            p,
            importance,
            oob,
        })
    }

    /// The probability of class 1 for a raw row (mean of the trees' leaf shares).
    pub fn predict(&self, row: &[f64]) -> f64 {
        let s: f64 = self.trees.iter().map(|t| t.predict(row)).sum();
        s / self.trees.len().max(1) as f64
    }

    /// Saabas path contributions: (bias, per-column contribution). The bias plus the sum of
    /// contributions equals [`Forest::predict`].
    pub fn contributions(&self, row: &[f64]) -> (f64, Vec<f64>) {
        let mut contrib = vec![0.0; self.p];
        let mut bias = 0.0;
        for t in &self.trees {
            let mut i = 0usize;
            let Some(root) = t.nodes.first() else {
                continue;
            };
            bias += root.value;
            while let Some(n) = t.nodes.get(i) {
                if n.feature == LEAF {
                    break;
                }
                let v = row.get(n.feature as usize).copied().unwrap_or(0.0);
                let next = if v <= n.threshold { n.left } else { n.right } as usize;
                let Some(child) = t.nodes.get(next) else {
                    break;
                };
                if let Some(c) = contrib.get_mut(n.feature as usize) {
                    *c += child.value - n.value;
                }
                i = next;
            }
        }
        let k = self.trees.len().max(1) as f64;
        for c in &mut contrib {
            *c /= k;
        }
        (bias / k, contrib)
    }

    /// Number of trees.
    pub fn n_trees(&self) -> usize {
        self.trees.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;

    /// XOR of two coordinates plus a noise column: no single split helps, trees must combine.
    fn xor(n: usize, seed: u64) -> (Vec<f64>, Vec<u8>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for _ in 0..n {
            let a: f64 = rng.r#gen();
            let b: f64 = rng.r#gen();
            let c: f64 = rng.r#gen();
            x.extend([a, b, c]);
            y.push(u8::from((a > 0.5) != (b > 0.5)));
        }
        (x, y)
    }

    #[test]
    fn forest_learns_xor() {
        let (x, y) = xor(800, 1);
        let rows: Vec<usize> = (0..800).collect();
        let params = ForestParams {
            trees: 50,
            max_features: Some(2),
            ..ForestParams::default()
        };
        let f = Forest::fit(&x, 3, &rows, &y, &params, &NoProgress).unwrap();
        let (xt, yt) = xor(400, 2);
        let correct = (0..400)
            .filter(|&i| u8::from(f.predict(&xt[i * 3..i * 3 + 3]) > 0.5) == yt[i])
            .count();
        assert!(correct > 370, "{correct} of 400");
        // The noise column matters least.
        assert!(f.importance[2] < f.importance[0] && f.importance[2] < f.importance[1]);
        approx::assert_abs_diff_eq!(f.importance.iter().sum::<f64>(), 1.0, epsilon = 1e-9);
        // Contributions add up to the prediction.
        let row = &xt[0..3];
        let (bias, c) = f.contributions(row);
        approx::assert_abs_diff_eq!(bias + c.iter().sum::<f64>(), f.predict(row), epsilon = 1e-9);
        assert!(f.oob.iter().filter(|o| o.is_some()).count() > 790);
        // Same seed, same forest.
        let g = Forest::fit(&x, 3, &rows, &y, &params, &NoProgress).unwrap();
        assert_eq!(f, g);
    }

    #[test]
    fn edges_cut_between_values() {
        assert_eq!(column_edges(&mut [3.0, 1.0, 2.0, 2.0]), vec![1.5, 2.5]);
        let mut many: Vec<f64> = (0..10_000).map(f64::from).collect();
        let e = column_edges(&mut many);
        assert!(e.len() <= MAX_BINS && e.len() > 200);
        assert!(e.windows(2).all(|w| w[0] < w[1]));
    }
}
