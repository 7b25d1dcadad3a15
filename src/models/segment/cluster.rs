//! Clustering on the standardized feature matrix: k-means (Lloyd with greedy k-means++, as
//! scikit-learn), Gaussian mixtures (linfa), the silhouette score on a seeded sample, and automatic k.

use linfa::prelude::*;
use linfa_clustering::GaussianMixtureModel;
use ndarray::{Array2, ArrayView2, Axis};
use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::progress::Progress;

/// Largest sample the silhouette score is computed on (it is quadratic in the sample).
pub const SILHOUETTE_SAMPLE: usize = 10_000;

/// A fitted clustering.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    /// Cluster of each row, `0..k`.
    pub labels: Vec<usize>,
    /// Cluster centres, `k × p`, in standardized units.
    pub centroids: Array2<f64>,
    /// Sum of squared distances from each row to its centre (scikit-learn's `inertia_`).
    pub inertia: f64,
}

/// Squared distance between two rows.
fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Assigns each row to its nearest centre; returns labels and the inertia.
pub fn assign(x: ArrayView2<f64>, centroids: &Array2<f64>) -> (Vec<usize>, f64) {
    let centres: Vec<Vec<f64>> = centroids.rows().into_iter().map(|r| r.to_vec()).collect();
    let (labels, dists): (Vec<usize>, Vec<f64>) = x
        .axis_iter(Axis(0))
        .into_par_iter()
        .map(|row| {
            let row = row.to_vec();
            let mut best = (0, f64::INFINITY);
            for (c, centre) in centres.iter().enumerate() {
                let d = sq_dist(&row, centre);
                if d < best.1 {
                    best = (c, d);
                }
            }
            best
        })
        .unzip();
    (labels, dists.iter().sum())
}

/// Rows per block in the parallel loops. Blocks are fixed, and their partial sums are added in
/// block order, so results do not depend on the number of threads.
const BLOCK: usize = 4096;

/// Maximum Lloyd iterations per restart.
const MAX_ITER: usize = 300;

/// Above this many rows, restarts (and the candidates of automatic k) run on a seeded
/// subsample of this size; the chosen model is then refined on every row.
pub const RESTART_ROWS: usize = 100_000;

/// `m` distinct row indices of `0..n`, seeded and sorted (all rows when `n <= m`).
fn seeded_rows(n: usize, m: usize, seed: u64) -> Vec<usize> {
    if n <= m {
        return (0..n).collect();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7e57_a11c);
    let mut idx = sample(&mut rng, n, m).into_vec();
    idx.sort_unstable();
    idx
}

/// Relative tolerance: a restart stops when the centres moved (sum of squared shifts) by at
/// most this times the mean per-feature variance (scikit-learn's `tol`).
const TOL: f64 = 1e-4;

/// k-means (Lloyd) with greedy k-means++ starts, as scikit-learn's `KMeans`: the best inertia of
/// `restarts` seeded runs. Each run seeds its centres with k-means++ trying `2 + ln k`
/// candidates per centre and keeping the one that lowers the potential most, then iterates
/// until the centres move by less than 1e-4 of the mean feature variance (at most 300 times).
/// An emptied cluster is moved to the point farthest from its centre. The loops run in
/// parallel on fixed blocks of rows, summed in order, so a seed gives the same result on any
/// machine.
pub fn kmeans(x: ArrayView2<f64>, k: usize, restarts: usize, seed: u64) -> Result<Clustering> {
    check_k(x, k)?;
    let p = x.ncols();
    let data = x.as_standard_layout();
    let flat = data
        .as_slice()
        .ok_or_else(|| Error::Invalid("feature matrix is not contiguous".into()))?;
    let tol = TOL * mean_variance(flat, p);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = flat.len() / p;
    // Large inputs: the restarts compete on a seeded subsample, and the winner is refined on
    // every row — the same optimum at a fraction of the passes over the data.
    let subsample: Option<Vec<f64>> = (restarts > 1 && n > RESTART_ROWS).then(|| {
        let rows = seeded_rows(n, RESTART_ROWS, seed);
        let mut sub = Vec::with_capacity(rows.len() * p);
        for i in rows {
            sub.extend_from_slice(flat.get(i * p..(i + 1) * p).unwrap_or(&[]));
        }
        sub
    });
    let search: &[f64] = subsample.as_deref().unwrap_or(flat);
    let search_tol = TOL * mean_variance(search, p);
    let mut best: Option<(Vec<f64>, f64)> = None;
    for _ in 0..restarts.max(1) {
        let mut centres = kmeans_plus_plus(search, p, k, &mut rng);
        lloyd(search, p, k, &mut centres, search_tol);
        let (_, inertia) = nearest_all(search, p, &centres);
        if best.as_ref().is_none_or(|(_, b)| inertia < *b) {
            best = Some((centres, inertia));
        }
    }
    let (mut centres, _) = best.ok_or_else(|| Error::Invalid("k-means found no centres".into()))?;
    if subsample.is_some() {
        lloyd(flat, p, k, &mut centres, tol);
    }
    let centroids = Array2::from_shape_vec((k, p), centres)
        .map_err(|e| Error::Invalid(format!("k-means centres: {e}")))?;
    let (labels, inertia) = assign(x, &centroids);
    Ok(Clustering {
        labels,
        centroids,
        inertia,
    })
}

/// Mean over features of the per-feature variance of row-major `flat` with `p` columns.
fn mean_variance(flat: &[f64], p: usize) -> f64 {
    let n = flat.len() / p.max(1);
    if n == 0 || p == 0 {
        return 0.0;
    }
    let mut sum = vec![0.0; p];
    for row in flat.chunks_exact(p) {
        for (s, v) in sum.iter_mut().zip(row) {
            *s += v;
        }
    }
    let mean: Vec<f64> = sum.iter().map(|s| s / n as f64).collect();
    let mut ss = 0.0;
    for row in flat.chunks_exact(p) {
        for (m, v) in mean.iter().zip(row) {
            ss += (v - m) * (v - m);
        }
    }
    ss / (n * p) as f64
}

/// The nearest centre of a row and its squared distance.
fn nearest(row: &[f64], centres: &[f64], p: usize) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (c, centre) in centres.chunks_exact(p).enumerate() {
        let d = sq_dist(row, centre);
        if d < best.1 {
            best = (c, d);
        }
    }
    best
}

/// Nearest centre of every row and the total squared distance (summed in block order).
fn nearest_all(flat: &[f64], p: usize, centres: &[f64]) -> (Vec<usize>, f64) {
    let blocks: Vec<(Vec<usize>, f64)> = flat
        .par_chunks(BLOCK * p)
        .map(|block| {
            let mut labels = Vec::with_capacity(block.len() / p);
            let mut total = 0.0;
            for row in block.chunks_exact(p) {
                let (c, d) = nearest(row, centres, p);
                labels.push(c);
                total += d;
            }
            (labels, total)
        })
        .collect();
    let mut labels = Vec::with_capacity(flat.len() / p);
    let mut total = 0.0;
    for (l, t) in blocks {
        labels.extend(l);
        total += t;
    }
    (labels, total)
}

/// Squared distance of every row to `centre`, in parallel.
fn distances_to(flat: &[f64], p: usize, centre: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; flat.len() / p];
    out.par_chunks_mut(BLOCK)
        .zip(flat.par_chunks(BLOCK * p))
        .for_each(|(o, block)| {
            for (d, row) in o.iter_mut().zip(block.chunks_exact(p)) {
                *d = sq_dist(row, centre);
            }
        });
    out
}

/// Sum of a vector in block order (deterministic).
fn block_sum(v: &[f64]) -> f64 {
    let parts: Vec<f64> = v.par_chunks(BLOCK).map(|b| b.iter().sum()).collect();
    parts.iter().sum()
}

/// Index of the first cumulative weight above `target` (the last index on rounding).
fn pick_by_weight(weights: &[f64], target: f64) -> usize {
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        if acc > target {
            return i;
        }
    }
    weights.len().saturating_sub(1)
}

/// Greedy k-means++ (scikit-learn's `_kmeans_plusplus`): row-major `k × p` centres.
fn kmeans_plus_plus(flat: &[f64], p: usize, k: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
    use rand::Rng;
    let n = flat.len() / p;
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centres = Vec::with_capacity(k * p);
    let first = rng.gen_range(0..n);
    let row = |i: usize| flat.get(i * p..(i + 1) * p).unwrap_or(&[]);
    centres.extend_from_slice(row(first));
    let mut closest = distances_to(flat, p, row(first));
    let mut potential = block_sum(&closest);
    for _ in 1..k {
        let mut best: Option<(usize, Vec<f64>, f64)> = None;
        for _ in 0..trials {
            let candidate = if potential > 0.0 {
                pick_by_weight(&closest, rng.r#gen::<f64>() * potential)
            } else {
                rng.gen_range(0..n)
            };
            let mut d = distances_to(flat, p, row(candidate));
            d.par_iter_mut()
                .zip(closest.par_iter())
                .for_each(|(d, c)| *d = d.min(*c));
            let pot = block_sum(&d);
            if best.as_ref().is_none_or(|(_, _, b)| pot < *b) {
                best = Some((candidate, d, pot));
            }
        }
        if let Some((candidate, d, pot)) = best {
            centres.extend_from_slice(row(candidate));
            closest = d;
            potential = pot;
        }
    }
    centres
}

/// Lloyd iterations from `centres` (updated in place).
fn lloyd(flat: &[f64], p: usize, k: usize, centres: &mut [f64], tol: f64) {
    for _ in 0..MAX_ITER {
        // Per block: sums and counts per cluster.
        let c_ref: &[f64] = centres;
        let blocks: Vec<(Vec<f64>, Vec<usize>)> = flat
            .par_chunks(BLOCK * p)
            .map(|block| {
                let mut sums = vec![0.0; k * p];
                let mut counts = vec![0usize; k];
                for row in block.chunks_exact(p) {
                    let (c, _) = nearest(row, c_ref, p);
                    if let Some(n) = counts.get_mut(c) {
                        *n += 1;
                    }
                    if let Some(s) = sums.get_mut(c * p..(c + 1) * p) {
                        for (s, v) in s.iter_mut().zip(row) {
                            *s += v;
                        }
                    }
                }
                (sums, counts)
            })
            .collect();
        let mut sums = vec![0.0; k * p];
        let mut counts = vec![0usize; k];
        for (s, c) in blocks {
            for (a, b) in sums.iter_mut().zip(&s) {
                *a += b;
            }
            for (a, b) in counts.iter_mut().zip(&c) {
                *a += b;
            }
        }
        // Emptied clusters restart at the points farthest from their centres.
        let mut far = if counts.contains(&0) {
            let (labels, _) = nearest_all(flat, p, c_ref);
            let mut d: Vec<(usize, f64)> = flat
                .chunks_exact(p)
                .zip(&labels)
                .enumerate()
                .map(|(i, (row, &l))| {
                    let centre = c_ref.get(l * p..(l + 1) * p).unwrap_or(&[]);
                    (i, sq_dist(row, centre))
                })
                .collect();
            d.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            d.truncate(k);
            d.into_iter()
        } else {
            Vec::new().into_iter()
        };
        let mut shift = 0.0;
        for (c, centre) in centres.chunks_exact_mut(p).enumerate() {
            let count = counts.get(c).copied().unwrap_or(0);
            let new: Vec<f64> = if count > 0 {
                sums.get(c * p..(c + 1) * p)
                    .unwrap_or(&[])
                    .iter()
                    .map(|s| s / count as f64)
                    .collect()
            } else if let Some((i, _)) = far.next() {
                // An emptied cluster restarts at the farthest remaining point.
                flat.get(i * p..(i + 1) * p).unwrap_or(&[]).to_vec()
            } else {
                centre.to_vec()
            };
            if new.len() == p {
                shift += sq_dist(centre, &new);
                centre.copy_from_slice(&new);
            }
        }
        if shift <= tol {
            break;
        }
    }
}

/// A Gaussian mixture with `k` components (full covariances), seeded. Fails, saying so, when
/// the mixture does not converge: the caller must not fall back to k-means silently.
pub fn gmm(x: ArrayView2<f64>, k: usize, seed: u64) -> Result<Clustering> {
    check_k(x, k)?;
    let data = DatasetBase::from(x.to_owned());
    let rng = ChaCha8Rng::seed_from_u64(seed);
    let model = GaussianMixtureModel::params_with_rng(k, rng)
        .n_runs(3)
        .max_n_iterations(200)
        .tolerance(1e-3)
        .reg_covariance(1e-4)
        .fit(&data)
        .map_err(|e| {
            Error::Invalid(format!(
                "the Gaussian mixture did not converge with k = {k} ({e}): try another k, or k-means"
            ))
        })?;
    let labels: Vec<usize> = model.predict(&x.to_owned()).to_vec();
    let centroids = model.means().clone();
    let inertia = labels
        .iter()
        .zip(x.axis_iter(Axis(0)))
        .map(|(&l, row)| {
            let row = row.to_vec();
            centroids
                .rows()
                .into_iter()
                .nth(l)
                .map(|c| sq_dist(&row, &c.to_vec()))
                .unwrap_or(0.0)
        })
        .sum();
    Ok(Clustering {
        labels,
        centroids,
        inertia,
    })
}

fn check_k(x: ArrayView2<f64>, k: usize) -> Result<()> {
    if k < 1 {
        return Err(Error::Invalid(
            "the number of segments must be at least 1".into(),
        ));
    }
    if x.nrows() < k {
        return Err(Error::Invalid(format!(
            "{} customers cannot form {k} segments",
            x.nrows()
        )));
    }
    if x.ncols() == 0 {
        return Err(Error::Invalid(
            "no features to segment on: import transactions or mark customer columns as features"
                .into(),
        ));
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(Error::Invalid(
            "the feature matrix has non-finite values".into(),
        ));
    }
    Ok(())
}

/// The seeded sample of row indices the silhouette uses: every row when there are at most
/// `SILHOUETTE_SAMPLE`, sorted.
pub fn silhouette_sample(n: usize, seed: u64) -> Vec<usize> {
    if n <= SILHOUETTE_SAMPLE {
        return (0..n).collect();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5113_0e77);
    let mut idx = sample(&mut rng, n, SILHOUETTE_SAMPLE).into_vec();
    idx.sort_unstable();
    idx
}

/// Mean silhouette (Euclidean) of the sampled rows, computed among the sampled rows only (as
/// scikit-learn's `silhouette_score(..., sample_size=…)`). Rows alone in their cluster score 0.
/// `None` when the sample has fewer than two clusters.
pub fn silhouette(x: ArrayView2<f64>, labels: &[usize], sample_rows: &[usize]) -> Option<f64> {
    let k = labels.iter().copied().max()? + 1;
    let rows: Vec<Vec<f64>> = sample_rows
        .iter()
        .filter(|&&i| i < x.nrows())
        .map(|&i| x.row(i).to_vec())
        .collect();
    let lab: Vec<usize> = sample_rows
        .iter()
        .filter_map(|&i| labels.get(i).copied())
        .collect();
    let mut sizes = vec![0usize; k];
    for &l in &lab {
        if let Some(s) = sizes.get_mut(l) {
            *s += 1;
        }
    }
    if sizes.iter().filter(|&&s| s > 0).count() < 2 {
        return None;
    }
    let scores: Vec<f64> = (0..rows.len())
        .into_par_iter()
        .map(|i| {
            let mut sums = vec![0.0; k];
            let (Some(ri), Some(&li)) = (rows.get(i), lab.get(i)) else {
                return 0.0;
            };
            for (j, rj) in rows.iter().enumerate() {
                if j != i
                    && let Some(s) = lab.get(j).and_then(|&lj| sums.get_mut(lj))
                {
                    *s += sq_dist(ri, rj).sqrt();
                }
            }
            let own = sizes.get(li).copied().unwrap_or(0);
            if own <= 1 {
                return 0.0;
            }
            let a = sums.get(li).copied().unwrap_or(0.0) / (own - 1) as f64;
            let b = (0..k)
                .filter(|&c| c != li && sizes.get(c).copied().unwrap_or(0) > 0)
                .map(|c| sums[c] / sizes[c] as f64)
                .fold(f64::INFINITY, f64::min);
            let m = a.max(b);
            if m > 0.0 { (b - a) / m } else { 0.0 }
        })
        .collect();
    Some(scores.iter().sum::<f64>() / scores.len().max(1) as f64)
}

/// One candidate k's scores.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct KScore {
    /// Number of segments.
    pub k: usize,
    /// Mean silhouette on the sample.
    pub silhouette: f64,
    /// k-means inertia (sum of squares) of the candidate model.
    pub inertia: f64,
}

/// The clustering method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// k-means, best of several k-means++ restarts.
    KMeans,
    /// Gaussian mixture.
    Gmm,
}

/// Fits the method for one k.
pub fn fit(
    x: ArrayView2<f64>,
    method: Method,
    k: usize,
    restarts: usize,
    seed: u64,
) -> Result<Clustering> {
    match method {
        Method::KMeans => kmeans(x, k, restarts, seed),
        Method::Gmm => gmm(x, k, seed),
    }
}

/// Tries k = `ks`, scores each by silhouette on the seeded sample, and returns the scores and
/// the best k (highest silhouette; ties to the smaller k). Candidates are fitted with at most
/// three restarts; the caller refits the chosen k with its full restarts.
pub fn choose_k(
    x: ArrayView2<f64>,
    method: Method,
    ks: std::ops::RangeInclusive<usize>,
    seed: u64,
    progress: &dyn Progress,
) -> Result<(Vec<KScore>, usize)> {
    let sample_rows = silhouette_sample(x.nrows(), seed);
    let ks: Vec<usize> = ks.filter(|&k| k <= x.nrows().max(1)).collect();
    // Candidates are fitted on a seeded subsample of large inputs; inertia and silhouette are
    // measured with every row assigned to the candidate's centres.
    let fit_rows = seeded_rows(x.nrows(), RESTART_ROWS, seed);
    let subsample = (fit_rows.len() < x.nrows()).then(|| x.select(Axis(0), &fit_rows));
    let fit_on: ArrayView2<f64> = match &subsample {
        Some(s) => s.view(),
        None => x.view(),
    };
    let mut scores = Vec::new();
    for (step, &k) in ks.iter().enumerate() {
        progress.check()?;
        progress.report(
            0.05 + 0.65 * step as f32 / ks.len().max(1) as f32,
            &format!("Trying {k} segments"),
        );
        let c = fit(fit_on, method, k, 3, seed)?;
        let (labels, inertia) = if subsample.is_some() {
            assign(x, &c.centroids)
        } else {
            (c.labels, c.inertia)
        };
        let s = silhouette(x, &labels, &sample_rows).unwrap_or(-1.0);
        scores.push(KScore {
            k,
            silhouette: s,
            inertia,
        });
    }
    let best = scores
        .iter()
        .fold(None::<KScore>, |best, s| match best {
            Some(b) if b.silhouette >= s.silhouette => Some(b),
            _ => Some(*s),
        })
        .map(|s| s.k)
        .ok_or_else(|| Error::Invalid("too few customers to choose a number of segments".into()))?;
    Ok((scores, best))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;
    use rand_distr::{Distribution, Normal};

    /// Three well-separated blobs in 2-D.
    fn blobs(n_per: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let noise = Normal::new(0.0, 0.5).unwrap();
        let centres = [(0.0, 0.0), (6.0, 0.0), (0.0, 6.0)];
        let mut data = Vec::new();
        let mut truth = Vec::new();
        for (c, (cx, cy)) in centres.iter().enumerate() {
            for _ in 0..n_per {
                data.push(cx + noise.sample(&mut rng));
                data.push(cy + noise.sample(&mut rng));
                truth.push(c);
            }
        }
        (Array2::from_shape_vec((3 * n_per, 2), data).unwrap(), truth)
    }

    fn same_partition(a: &[usize], b: &[usize]) -> bool {
        let mut map = std::collections::HashMap::new();
        a.iter()
            .zip(b)
            .all(|(x, y)| *map.entry(*x).or_insert(*y) == *y)
    }

    #[test]
    fn kmeans_finds_blobs_and_is_seeded() {
        let (x, truth) = blobs(100, 1);
        let c = kmeans(x.view(), 3, 10, 7).unwrap();
        assert!(same_partition(&c.labels, &truth));
        let again = kmeans(x.view(), 3, 10, 7).unwrap();
        assert_eq!(c, again);
        // Inertia is the sum of squared distances to the centres.
        let (labels, inertia) = assign(x.view(), &c.centroids);
        assert_eq!(labels, c.labels);
        assert!((inertia - c.inertia).abs() < 1e-9);
        assert!(inertia / 300.0 < 2.0 * 0.25 * 1.2, "{inertia}");
    }

    #[test]
    fn kmeans_does_not_depend_on_the_thread_count() {
        // More rows than a block, so the parallel loops split.
        let (x, _) = blobs(3 * BLOCK, 5);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| kmeans(x.view(), 4, 2, 9).unwrap());
        let three = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap()
            .install(|| kmeans(x.view(), 4, 2, 9).unwrap());
        assert_eq!(one, three);
    }

    #[test]
    fn duplicate_points_leave_no_cluster_empty() {
        // Five distinct points, many copies: k = 5 must use every point.
        let mut data = Vec::new();
        for i in 0..100 {
            data.push((i % 5) as f64);
        }
        let x = Array2::from_shape_vec((100, 1), data).unwrap();
        let c = kmeans(x.view(), 5, 3, 1).unwrap();
        assert!(c.inertia < 1e-12, "{}", c.inertia);
        let used: std::collections::HashSet<usize> = c.labels.iter().copied().collect();
        assert_eq!(used.len(), 5);
    }

    #[test]
    fn gmm_finds_blobs() {
        let (x, truth) = blobs(100, 2);
        let c = gmm(x.view(), 3, 3).unwrap();
        assert!(same_partition(&c.labels, &truth));
    }

    #[test]
    fn silhouette_matches_a_hand_computation() {
        // Points 0, 1 in cluster 0 and 4, 6 in cluster 1 on a line.
        let x = Array2::from_shape_vec((4, 1), vec![0.0, 1.0, 4.0, 6.0]).unwrap();
        let s = silhouette(x.view(), &[0, 0, 1, 1], &[0, 1, 2, 3]).unwrap();
        // a/b per point: 0: a=1, b=5 → 0.8; 1: a=1, b=4 → 0.75; 4: a=2, b=3.5 → 3/7;
        // 6: a=2, b=5.5 → 7/11.
        let expected = (0.8 + 0.75 + 1.5 / 3.5 + 3.5 / 5.5) / 4.0;
        assert!((s - expected).abs() < 1e-12, "{s} vs {expected}");
        assert_eq!(silhouette(x.view(), &[0, 0, 0, 0], &[0, 1, 2, 3]), None);
    }

    #[test]
    fn auto_k_picks_three_blobs() {
        let (x, _) = blobs(80, 3);
        let (scores, best) = choose_k(x.view(), Method::KMeans, 2..=6, 1, &NoProgress).unwrap();
        assert_eq!(best, 3);
        assert_eq!(scores.len(), 5);
        assert!(scores.windows(2).all(|w| w[0].inertia >= w[1].inertia));
    }

    #[test]
    fn bad_inputs_are_errors() {
        let (x, _) = blobs(2, 4);
        assert!(kmeans(x.view(), 10, 1, 0).is_err());
        assert!(kmeans(x.view(), 0, 1, 0).is_err());
        let empty = Array2::<f64>::zeros((5, 0));
        assert!(kmeans(empty.view(), 2, 1, 0).is_err());
    }

    #[test]
    fn sample_is_bounded_and_seeded() {
        assert_eq!(silhouette_sample(5, 1), vec![0, 1, 2, 3, 4]);
        let s = silhouette_sample(50_000, 1);
        assert_eq!(s.len(), SILHOUETTE_SAMPLE);
        assert_eq!(s, silhouette_sample(50_000, 1));
        assert_ne!(s, silhouette_sample(50_000, 2));
    }
}
