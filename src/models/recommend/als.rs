//! Implicit alternating least squares (Hu, Koren & Volinsky 2008) with conjugate-gradient
//! updates, as the `implicit` library does it: the pair's value (its number of rows) is the
//! confidence, preferences are 1 for every pair, factors start at small seeded random values,
//! and each half-step runs three CG steps per row warm-started from the previous factors.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::models::recommend::interactions::Interactions;
use crate::progress::Progress;

/// ALS settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlsParams {
    /// Latent factors.
    pub factors: usize,
    /// Sweeps over customers and products.
    pub iterations: usize,
    /// L2 regularization.
    pub regularization: f32,
    /// Seed of the initial factors.
    pub seed: u64,
}

impl Default for AlsParams {
    fn default() -> Self {
        Self {
            factors: 64,
            iterations: 15,
            regularization: 0.01,
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

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `Yᵀ Y + λ I` for row-major `y` with `f` columns.
fn gram(y: &[f32], f: usize, reg: f32) -> Vec<f32> {
    let mut g = vec![0f32; f * f];
    for row in y.chunks_exact(f) {
        for (a, &ra) in row.iter().enumerate() {
            if ra == 0.0 {
                continue;
            }
            let ga = &mut g[a * f..(a + 1) * f];
            for (gv, &rb) in ga.iter_mut().zip(row) {
                *gv += ra * rb;
            }
        }
    }
    for a in 0..f {
        g[a * f + a] += reg;
    }
    g
}

fn mat_vec(g: &[f32], v: &[f32], f: usize, out: &mut [f32]) {
    for (a, o) in out.iter_mut().enumerate() {
        *o = dot(&g[a * f..(a + 1) * f], v);
    }
}

/// One half-step: updates every row of `x` given `y`, with `rows[u]` = (column, confidence).
fn half_step(x: &mut [f32], y: &[f32], f: usize, reg: f32, rows: &[Vec<(u32, f32)>]) {
    let g = gram(y, f, reg);
    x.par_chunks_mut(f)
        .zip(rows.par_iter())
        .for_each(|(xu, nz)| {
            let mut r = vec![0f32; f];
            mat_vec(&g, xu, f, &mut r);
            for v in r.iter_mut() {
                *v = -*v;
            }
            for &(i, c) in nz {
                let yi = &y[i as usize * f..(i as usize + 1) * f];
                let w = c - (c - 1.0) * dot(yi, xu);
                for (rv, &yv) in r.iter_mut().zip(yi) {
                    *rv += w * yv;
                }
            }
            let mut p = r.clone();
            let mut rs_old = dot(&r, &r);
            let mut ap = vec![0f32; f];
            for _ in 0..3 {
                if rs_old < 1e-20 {
                    break;
                }
                mat_vec(&g, &p, f, &mut ap);
                for &(i, c) in nz {
                    let yi = &y[i as usize * f..(i as usize + 1) * f];
                    let w = (c - 1.0) * dot(yi, &p);
                    for (av, &yv) in ap.iter_mut().zip(yi) {
                        *av += w * yv;
                    }
                }
                let pap = dot(&p, &ap);
                if pap <= 0.0 {
                    break;
                }
                let alpha = rs_old / pap;
                for ((xv, pv), (rv, av)) in xu.iter_mut().zip(&p).zip(r.iter_mut().zip(&ap)) {
                    *xv += alpha * pv;
                    *rv -= alpha * av;
                }
                let rs_new = dot(&r, &r);
                for (pv, rv) in p.iter_mut().zip(&r) {
                    *pv = rv + (rs_new / rs_old) * *pv;
                }
                rs_old = rs_new;
            }
        });
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
        let by_user: Vec<Vec<(u32, f32)>> = (0..n_users)
            .map(|u| {
                train
                    .of(u)
                    .iter()
                    .map(|p| (p.product, p.count as f32))
                    .collect()
            })
            .collect();
        let mut by_item: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n_items];
        for (u, row) in by_user.iter().enumerate() {
            for &(i, c) in row {
                if let Some(list) = by_item.get_mut(i as usize) {
                    list.push((u as u32, c));
                }
            }
        }
        for it in 0..params.iterations {
            progress.check()?;
            progress.report(it as f32 / params.iterations.max(1) as f32, "Fitting ALS");
            half_step(&mut users, &items, f, params.regularization, &by_user);
            half_step(&mut items, &users, f, params.regularization, &by_item);
        }
        Ok(Als {
            factors: f,
            users,
            items,
        })
    }

    /// A customer's score for every product.
    pub fn scores(&self, customer: usize) -> Vec<f32> {
        let f = self.factors;
        let Some(u) = self.users.get(customer * f..(customer + 1) * f) else {
            return Vec::new();
        };
        self.items.chunks_exact(f).map(|y| dot(u, y)).collect()
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
                    pairs.push(Pair {
                        product: p,
                        count: 1,
                        last_ts: 0,
                        last_row: 0,
                    });
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
