//! Implicit alternating least squares (Hu, Koren & Volinsky 2008) with conjugate-gradient
//! updates, as the `implicit` library does it: the pair's value (its number of rows, times the
//! confidence scale `alpha`) is the confidence, preferences are 1 for every pair, factors start
//! at small seeded random values, and each half-step runs three CG steps per row warm-started
//! from the previous factors. A row with no pairs has the exact solution 0.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::models::recommend::interactions::Interactions;
use crate::progress::Progress;

/// ALS settings.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AlsParams {
    /// Latent factors.
    pub factors: usize,
    /// Sweeps over customers and products.
    pub iterations: usize,
    /// L2 regularization.
    pub regularization: f32,
    /// Confidence per transaction row (`implicit`'s users multiply their counts by it; 1 leaves
    /// the counts as they are).
    pub alpha: f32,
    /// Seed of the initial factors.
    pub seed: u64,
}

impl Default for AlsParams {
    fn default() -> Self {
        Self {
            factors: 64,
            iterations: 15,
            regularization: 0.01,
            alpha: 1.0,
            seed: 42,
        }
    }
}

/// Fitted factors: `users` is `n_customers × factors`, `items` is `n_products × factors`.
#[derive(Debug, Clone, PartialEq)]
pub struct Als {
    /// Factors per row.
    pub factors: usize,
    /// Customer factors, row-major.
    pub users: Vec<f32>,
    /// Product factors, row-major.
    pub items: Vec<f32>,
}

/// Lanes of the unrolled loops: independent partial sums the compiler turns into SIMD.
const LANES: usize = 8;

#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let (ca, ra) = a.as_chunks::<LANES>();
    let (cb, rb) = b.as_chunks::<LANES>();
    let mut acc = [0f32; LANES];
    for (x, y) in ca.iter().zip(cb) {
        for ((s, xv), yv) in acc.iter_mut().zip(x).zip(y) {
            *s += xv * yv;
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

/// `y += a x`.
fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    for (yv, xv) in y.iter_mut().zip(x) {
        *yv += a * xv;
    }
}

/// Parts the Gram matrix is summed in: fixed, so the sum is the same however the threads run.
const GRAM_PARTS: usize = 64;

/// `Yᵀ Y + λ I` for row-major `y` with `f` columns: the upper triangle summed over
/// [`GRAM_PARTS`] fixed blocks of rows in parallel, the blocks added in order, then mirrored.
fn gram(y: &[f32], f: usize, reg: f32) -> Vec<f32> {
    let rows = y.len() / f.max(1);
    let block = rows.div_ceil(GRAM_PARTS).max(1) * f.max(1);
    let parts: Vec<Vec<f32>> = y
        .par_chunks(block)
        .map(|rows| {
            let mut g = vec![0f32; f * f];
            for row in rows.chunks_exact(f) {
                for (a, &ra) in row.iter().enumerate() {
                    if ra == 0.0 {
                        continue;
                    }
                    if let (Some(ga), Some(rb)) = (g.get_mut(a * f + a..(a + 1) * f), row.get(a..))
                    {
                        axpy(ga, ra, rb);
                    }
                }
            }
            g
        })
        .collect();
    let mut g = vec![0f32; f * f];
    for part in &parts {
        axpy(&mut g, 1.0, part);
    }
    for a in 0..f {
        for b in 0..a {
            g[a * f + b] = g[b * f + a];
        }
        g[a * f + a] += reg;
    }
    g
}

/// A pair's confidence: its rows times `alpha`.
pub fn confidence(rows: u32, alpha: f32) -> f32 {
    rows as f32 * alpha
}

/// A sparse matrix by row: row `u`'s columns and confidences are at `indptr[u]..indptr[u + 1]`.
struct Rows {
    indptr: Vec<usize>,
    cols: Vec<u32>,
    conf: Vec<f32>,
}

impl Rows {
    fn by_user(train: &Interactions, alpha: f32) -> Rows {
        Rows {
            indptr: train.indptr.clone(),
            cols: train.pairs.iter().map(|p| p.product).collect(),
            conf: train
                .pairs
                .iter()
                .map(|p| confidence(p.count, alpha))
                .collect(),
        }
    }

    /// The transpose, with `n` rows.
    fn transpose(&self, n: usize) -> Rows {
        let mut indptr = vec![0usize; n + 1];
        for &c in &self.cols {
            if let Some(slot) = indptr.get_mut(c as usize + 1) {
                *slot += 1;
            }
        }
        for i in 0..n {
            indptr[i + 1] += indptr[i];
        }
        let mut next = indptr.clone();
        let mut cols = vec![0u32; self.cols.len()];
        let mut conf = vec![0f32; self.conf.len()];
        for (u, w) in self.indptr.windows(2).enumerate() {
            for k in w[0]..w[1] {
                let (Some(&c), Some(&v)) = (self.cols.get(k), self.conf.get(k)) else {
                    continue;
                };
                let Some(slot) = next.get_mut(c as usize) else {
                    continue;
                };
                if let (Some(dc), Some(dv)) = (cols.get_mut(*slot), conf.get_mut(*slot)) {
                    *dc = u as u32;
                    *dv = v;
                }
                *slot += 1;
            }
        }
        Rows { indptr, cols, conf }
    }

    fn row(&self, u: usize) -> (&[u32], &[f32]) {
        match (self.indptr.get(u), self.indptr.get(u + 1)) {
            (Some(&a), Some(&b)) => (
                self.cols.get(a..b).unwrap_or(&[]),
                self.conf.get(a..b).unwrap_or(&[]),
            ),
            _ => (&[], &[]),
        }
    }
}

/// Per-thread work vectors of one block's CG solves (each `rows × f`, row by row).
#[derive(Default)]
struct Scratch {
    /// The block's rows that have pairs, gathered.
    x: Vec<f32>,
    /// Their positions in the block.
    rows: Vec<usize>,
    r: Vec<f32>,
    p: Vec<f32>,
    ap: Vec<f32>,
    /// The rows' other-side factors with confidence above 1, gathered once and contiguous,
    /// so the three CG steps stream them instead of gathering them again.
    ys: Vec<f32>,
    /// Their confidences minus 1.
    ws: Vec<f32>,
    /// Row i's gathered pairs are `ends[i]..ends[i + 1]` of `ws`.
    ends: Vec<usize>,
    /// Each row's `rᵀr`, and whether its CG is still running.
    rs: Vec<f32>,
    active: Vec<bool>,
}

/// Pairs gathered per block at most (with `f` floats each): a block's factors stay in the cache.
const BLOCK_PAIRS: usize = 16_384;

/// Rows solved together (at most 128): their `G p` is one matrix product.
fn block_rows(rows: &Rows) -> usize {
    let n = rows.indptr.len().saturating_sub(1).max(1);
    let mean = rows.cols.len().div_ceil(n).max(1);
    (BLOCK_PAIRS / mean).clamp(1, 128)
}

/// `out = x G` for the `rows × f` matrix `x` and the symmetric `f × f` matrix `g` (one sgemm).
fn times_gram(x: &[f32], g: &[f32], f: usize, out: &mut [f32]) {
    let rows = x.len() / f.max(1);
    if let (Ok(x), Ok(g), Ok(mut o)) = (
        ArrayView2::from_shape((rows, f), x),
        ArrayView2::from_shape((f, f), g),
        ndarray::ArrayViewMut2::from_shape((rows, f), out),
    ) {
        general_mat_mul(1.0, &x, &g, 0.0, &mut o);
    }
}

/// One half-step: updates every row of `x` given `y`, three CG steps per row warm-started from
/// its current value. Rows go in blocks whose `G p` products are one matrix product; each row's
/// CG is its own (its scalars, its stop). Pairs with confidence 1 add nothing to `(C − I)`, so
/// they are skipped in the CG steps and need no dot product in the residual.
fn half_step(
    x: &mut [f32],
    y: &[f32],
    f: usize,
    reg: f32,
    rows: &Rows,
    progress: &dyn Progress,
) -> crate::error::Result<()> {
    let g = gram(y, f, reg);
    progress.check()?;
    let block = block_rows(rows);
    // Asked once per block; once cancelled, the remaining blocks are skipped.
    let cancelled = std::sync::atomic::AtomicBool::new(false);
    let item = |i: u32| y.get(i as usize * f..(i as usize + 1) * f).unwrap_or(&[]);
    x.par_chunks_mut(f * block)
        .enumerate()
        .for_each_init(Scratch::default, |s, (b, xs)| {
            if progress.is_cancelled() {
                cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            if cancelled.load(std::sync::atomic::Ordering::Relaxed) {
                return;
            }
            let Scratch {
                x: xc,
                r,
                p,
                ap,
                ys,
                ws,
                ends,
                rs,
                active,
                rows: at,
            } = s;
            // Only rows with pairs are solved, gathered into `xc`; a row with none has the exact
            // solution 0 ((YᵀY + λI) x = 0).
            at.clear();
            xc.clear();
            for (i, xu) in xs.chunks_exact_mut(f).enumerate() {
                if rows.row(b * block + i).0.is_empty() {
                    xu.fill(0.0);
                } else {
                    at.push(i);
                    xc.extend_from_slice(xu);
                }
            }
            let n = at.len();
            if n == 0 {
                return;
            }
            for v in [&mut *r, &mut *p, &mut *ap] {
                v.clear();
                v.resize(n * f, 0.0);
            }
            ys.clear();
            ws.clear();
            ends.clear();
            ends.push(0);
            rs.clear();
            active.clear();
            times_gram(xc, &g, f, r);
            for (&i, (xu, ru)) in at.iter().zip(xc.chunks_exact(f).zip(r.chunks_exact_mut(f))) {
                let (cols, conf) = rows.row(b * block + i);
                for v in ru.iter_mut() {
                    *v = -*v;
                }
                for (&j, &c) in cols.iter().zip(conf) {
                    let yj = item(j);
                    if c == 1.0 {
                        axpy(ru, 1.0, yj);
                    } else if yj.len() == f {
                        ys.extend_from_slice(yj);
                        ws.push(c - 1.0);
                        axpy(ru, c - (c - 1.0) * dot(yj, xu), yj);
                    }
                }
                ends.push(ws.len());
                let rr = dot(ru, ru);
                rs.push(rr);
                active.push(rr >= 1e-20);
            }
            p.copy_from_slice(r);
            for _ in 0..3 {
                if !active.iter().any(|a| *a) {
                    break;
                }
                times_gram(p, &g, f, ap);
                for (i, ((xu, ru), (pu, apu))) in xc
                    .chunks_exact_mut(f)
                    .zip(r.chunks_exact_mut(f))
                    .zip(p.chunks_exact_mut(f).zip(ap.chunks_exact_mut(f)))
                    .enumerate()
                {
                    if !active.get(i).copied().unwrap_or(false) {
                        continue;
                    }
                    let (from, to) = (ends[i], ends[i + 1]);
                    let (own_ys, own_ws) = (&ys[from * f..to * f], &ws[from..to]);
                    for (yj, &w) in own_ys.chunks_exact(f).zip(own_ws) {
                        axpy(apu, w * dot(yj, pu), yj);
                    }
                    let pap = dot(pu, apu);
                    if pap <= 0.0 {
                        active[i] = false;
                        continue;
                    }
                    let alpha = rs[i] / pap;
                    axpy(xu, alpha, pu);
                    axpy(ru, -alpha, apu);
                    let rs_new = dot(ru, ru);
                    let beta = rs_new / rs[i];
                    for (pv, rv) in pu.iter_mut().zip(ru.iter()) {
                        *pv = rv + beta * *pv;
                    }
                    rs[i] = rs_new;
                    if rs_new < 1e-20 {
                        active[i] = false;
                    }
                }
            }
            for (&i, xu) in at.iter().zip(xc.chunks_exact(f)) {
                if let Some(out) = xs.get_mut(i * f..(i + 1) * f) {
                    out.copy_from_slice(xu);
                }
            }
        });
    progress.check()
}

impl Als {
    /// Fits the factors on (training) interactions.
    pub fn fit(
        train: &Interactions,
        params: &AlsParams,
        progress: &dyn Progress,
    ) -> crate::error::Result<Als> {
        let f = params.factors.max(1);
        let (n_users, n_items) = (train.n_customers(), train.n_products);
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
        let mut init =
            |n: usize| -> Vec<f32> { (0..n * f).map(|_| rng.r#gen::<f32>() * 0.01).collect() };
        let mut users = init(n_users);
        let mut items = init(n_items);
        let by_user = Rows::by_user(train, params.alpha);
        let by_item = by_user.transpose(n_items);
        for it in 0..params.iterations {
            progress.check()?;
            progress.report(it as f32 / params.iterations.max(1) as f32, "Fitting ALS");
            half_step(
                &mut users,
                &items,
                f,
                params.regularization,
                &by_user,
                progress,
            )?;
            half_step(
                &mut items,
                &users,
                f,
                params.regularization,
                &by_item,
                progress,
            )?;
        }
        Ok(Als {
            factors: f,
            users,
            items,
        })
    }

    /// A customer's score for every product (empty for a customer the factors do not hold).
    pub fn scores(&self, customer: usize) -> Vec<f32> {
        self.scores_block(&[customer])
    }

    /// The scores of every product for a block of customers, row by row (`customers.len() ×
    /// products`), as one matrix product `U Yᵀ` (matrixmultiply's blocked sgemm, through
    /// ndarray); empty when any customer is not in the factors. One product for the block is
    /// what makes a million customers' offers a matter of seconds: the same arithmetic as a dot
    /// product per pair, done at the pace of the cache rather than of memory.
    pub fn scores_block(&self, customers: &[usize]) -> Vec<f32> {
        let f = self.factors;
        let n_items = self.items.len() / f.max(1);
        let mut u = Vec::with_capacity(customers.len() * f);
        for &c in customers {
            match self.users.get(c * f..(c + 1) * f) {
                Some(row) => u.extend_from_slice(row),
                None => return Vec::new(),
            }
        }
        let (Ok(u), Ok(y)) = (
            ArrayView2::from_shape((customers.len(), f), &u),
            ArrayView2::from_shape((n_items, f), &self.items),
        ) else {
            return Vec::new();
        };
        let mut out = Array2::<f32>::zeros((customers.len(), n_items));
        general_mat_mul(1.0, &u, &y.t(), 0.0, &mut out);
        out.into_raw_vec_and_offset().0
    }

    /// The top k products seen in training that the customer does not have, best first.
    pub fn top_k(
        &self,
        train: &Interactions,
        in_train: &[bool],
        customer: usize,
        k: usize,
    ) -> Vec<u32> {
        let scores = self.scores(customer);
        let own = train.of(customer);
        let mut cands: Vec<u32> = (0..scores.len() as u32)
            .filter(|&p| {
                in_train.get(p as usize) == Some(&true)
                    && own.binary_search_by_key(&p, |x| x.product).is_err()
            })
            .collect();
        let by = |a: &u32, b: &u32| {
            scores[*b as usize]
                .total_cmp(&scores[*a as usize])
                .then(a.cmp(b))
        };
        if cands.len() > k {
            cands.select_nth_unstable_by(k, by);
            cands.truncate(k);
        }
        cands.sort_by(by);
        cands
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::recommend::interactions::Pair;
    use crate::progress::NoProgress;

    #[test]
    fn als_learns_two_taste_groups() {
        // Customers 0..10 buy products 0..5, customers 10..20 buy 5..10; each misses one.
        let mut indptr = vec![0];
        let mut pairs = Vec::new();
        for c in 0..20u32 {
            let base = if c < 10 { 0 } else { 5 };
            for p in base..base + 5 {
                if p != base + c % 5 {
                    pairs.push(Pair::counted(p, 1));
                }
            }
            indptr.push(pairs.len());
        }
        let train = Interactions {
            indptr,
            pairs,
            n_products: 10,
        };
        let params = AlsParams {
            factors: 4,
            iterations: 15,
            ..AlsParams::default()
        };
        let als = Als::fit(&train, &params, &NoProgress).unwrap();
        assert_eq!(
            als,
            Als::fit(&train, &params, &NoProgress).unwrap(),
            "seeded"
        );
        // Customer 3 lacks product 3: it is their top recommendation, from their own group.
        let top = als.top_k(&train, &[true; 10], 3, 2);
        assert_eq!(top[0], 3, "{top:?}");
        let top12 = als.top_k(&train, &[true; 10], 12, 1);
        assert_eq!(top12, vec![7]);
    }
}
