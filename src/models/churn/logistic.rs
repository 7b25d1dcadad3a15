//! L2-regularized logistic regression on standardized inputs.
//!
//! The objective is scikit-learn's (`LogisticRegression(C, penalty="l2")`, lbfgs):
//! the mean log loss plus `‖β‖² / (2·C·n)`, intercept unpenalized, inputs standardized here
//! (mean 0, unit variance; constant columns get weight 0). It is minimized by Newton's method
//! with a backtracking (Armijo) line search. Each step needs one pass over the rows for the
//! loss and gradient, in parallel over fixed chunks of rows (summed in chunk order, so the
//! result does not depend on the number of threads), and the Hessian `X'WX/n + λI`; above
//! 100,000 rows the Hessian is estimated from an evenly spaced subsample of about 100,000 rows
//! (the gradient is always exact, so the optimum is the same; only the step is approximate).
//! The `(p+1)²` system is solved by Cholesky. It stops, like scikit-learn's lbfgs with
//! `tol = 1e-4` (scipy's `gtol`), when the largest absolute gradient component of that
//! objective is at most `tol`. 4–8 steps are typical.

use rayon::prelude::*;

use crate::error::{Error, Result};

/// Rows per parallel chunk (fixed, so sums are reproducible).
const CHUNK: usize = 4096;
/// Rows the Hessian is estimated from on large inputs.
const HESSIAN_ROWS: usize = 100_000;

/// Fitting options.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LogisticParams {
    /// Inverse regularization strength, as scikit-learn's `C` (default 1).
    pub c: f64,
    /// Stop when max |gradient| ≤ `tol` (scikit-learn's lbfgs `tol`, default 1e-4).
    pub tol: f64,
    /// At most this many Newton steps.
    pub max_iter: usize,
}

impl Default for LogisticParams {
    fn default() -> Self {
        Self {
            c: 1.0,
            tol: 1e-4,
            max_iter: 100,
        }
    }
}

/// A fitted model.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Logistic {
    /// Column means used to standardize.
    pub mean: Vec<f64>,
    /// Column standard deviations (1 for constant columns, whose coefficient is 0).
    pub scale: Vec<f64>,
    /// Coefficients on the standardized scale.
    pub coef: Vec<f64>,
    /// Intercept on the standardized scale.
    pub intercept: f64,
    /// Newton steps taken.
    pub iterations: usize,
    /// Whether the gradient tolerance was reached.
    pub converged: bool,
    /// Final max |gradient|.
    pub gradient_norm: f64,
}

fn sigmoid(t: f64) -> f64 {
    if t >= 0.0 {
        1.0 / (1.0 + (-t).exp())
    } else {
        let e = t.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + e^t)`, stable.
fn softplus(t: f64) -> f64 {
    if t > 0.0 {
        t + (-t).exp().ln_1p()
    } else {
        t.exp().ln_1p()
    }
}

/// Loss and gradient (index 0 = intercept) of the summed log loss over standardized rows `z`
/// at `w = [b, β]`.
fn gradient(z: &[f64], y: &[f64], p: usize, w: &[f64]) -> (f64, Vec<f64>) {
    let q = p + 1;
    let (b, beta) = w.split_first().unwrap_or((&0.0, &[]));
    let parts: Vec<(f64, Vec<f64>)> = z
        .par_chunks(CHUNK * p.max(1))
        .zip(y.par_chunks(CHUNK))
        .map(|(zc, yc)| {
            let mut loss = 0.0;
            let mut g = vec![0.0; q];
            for (zi, &yi) in zc.chunks_exact(p.max(1)).zip(yc) {
                let t = b + zi.iter().zip(beta).map(|(a, c)| a * c).sum::<f64>();
                loss += softplus(t) - yi * t;
                let r = sigmoid(t) - yi;
                if let Some((g0, gr)) = g.split_first_mut() {
                    *g0 += r;
                    for (gj, xj) in gr.iter_mut().zip(zi) {
                        *gj += r * xj;
                    }
                }
            }
            (loss, g)
        })
        .collect();
    let mut loss = 0.0;
    let mut g = vec![0.0; q];
    for (l, gc) in parts {
        loss += l;
        for (a, b) in g.iter_mut().zip(&gc) {
            *a += b;
        }
    }
    (loss, g)
}

/// The Hessian of the mean log loss (upper triangle, `(p+1)²`, index 0 = intercept) from every
/// `stride`-th row of `z` at `w`.
fn hessian(z: &[f64], p: usize, w: &[f64], stride: usize) -> Vec<f64> {
    let q = p + 1;
    let (b, beta) = w.split_first().unwrap_or((&0.0, &[]));
    let stride = stride.max(1);
    let parts: Vec<(f64, Vec<f64>)> = z
        .par_chunks(CHUNK * p.max(1) * stride)
        .map(|zc| {
            let mut h = vec![0.0; q * q];
            let mut row = vec![1.0; q];
            let mut count = 0.0;
            for zi in zc.chunks_exact(p.max(1)).step_by(stride) {
                count += 1.0;
                if let Some(r) = row.get_mut(1..) {
                    r.copy_from_slice(zi);
                }
                let t = b + zi.iter().zip(beta).map(|(a, c)| a * c).sum::<f64>();
                let mu = sigmoid(t);
                let wt = mu * (1.0 - mu);
                for a in 0..q {
                    let wa = wt * row[a];
                    let (Some(hr), Some(rr)) = (h.get_mut(a * q + a..a * q + q), row.get(a..))
                    else {
                        continue;
                    };
                    for (hv, xb) in hr.iter_mut().zip(rr) {
                        *hv += wa * xb;
                    }
                }
            }
            (count, h)
        })
        .collect();
    let mut count = 0.0;
    let mut h = vec![0.0; q * q];
    for (c, hc) in parts {
        count += c;
        for (a, b) in h.iter_mut().zip(&hc) {
            *a += b;
        }
    }
    for v in &mut h {
        *v /= f64::max(count, 1.0);
    }
    h
}

/// Solves `A x = b` for symmetric positive definite `A` (`q × q`, full) by Cholesky.
fn cholesky_solve(a: &[f64], b: &[f64], q: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; q * q];
    for i in 0..q {
        for j in 0..=i {
            let mut s = *a.get(i * q + j)?;
            for k in 0..j {
                s -= l.get(i * q + k)? * l.get(j * q + k)?;
            }
            if i == j {
                if s <= 0.0 || !s.is_finite() {
                    return None;
                }
                *l.get_mut(i * q + i)? = s.sqrt();
            } else {
                *l.get_mut(i * q + j)? = s / l.get(j * q + j)?;
            }
        }
    }
    let mut x = b.to_vec();
    for i in 0..q {
        let mut s = *x.get(i)?;
        for k in 0..i {
            s -= l.get(i * q + k)? * x.get(k)?;
        }
        *x.get_mut(i)? = s / l.get(i * q + i)?;
    }
    for i in (0..q).rev() {
        let mut s = *x.get(i)?;
        for k in i + 1..q {
            s -= l.get(k * q + i)? * x.get(k)?;
        }
        *x.get_mut(i)? = s / l.get(i * q + i)?;
    }
    Some(x)
}

/// Column means and standard deviations of row-major `x` (`n × p`).
pub fn column_stats(x: &[f64], p: usize) -> (Vec<f64>, Vec<f64>) {
    let n = x.len().checked_div(p).unwrap_or(0);
    let mut mean = vec![0.0; p];
    for row in x.chunks_exact(p.max(1)) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v;
        }
    }
    for m in &mut mean {
        *m /= n.max(1) as f64;
    }
    let mut var = vec![0.0; p];
    for row in x.chunks_exact(p.max(1)) {
        for ((s, v), m) in var.iter_mut().zip(row).zip(&mean) {
            *s += (v - m) * (v - m);
        }
    }
    let scale = var
        .iter()
        .map(|s| {
            let sd = (s / n.max(1) as f64).sqrt();
            if sd > 1e-12 { sd } else { 1.0 }
        })
        .collect();
    (mean, scale)
}

impl Logistic {
    /// Fits on the rows `rows` of row-major `x` (`p` columns) with 0/1 labels `y` (one per
    /// entry of `rows`).
    pub fn fit_rows(
        x: &[f64],
        p: usize,
        rows: &[usize],
        y: &[u8],
        params: &LogisticParams,
    ) -> Result<Logistic> {
        let mut sub = Vec::with_capacity(rows.len() * p);
        for &r in rows {
            sub.extend_from_slice(x.get(r * p..(r + 1) * p).unwrap_or(&[]));
        }
        Self::fit(&sub, p, y, params)
    }

    /// Fits on every row of row-major `x` (`n × p`) with 0/1 labels `y`.
    pub fn fit(x: &[f64], p: usize, y: &[u8], params: &LogisticParams) -> Result<Logistic> {
        let n = y.len();
        if n == 0 || x.len() != n * p {
            return Err(Error::Invalid(format!(
                "logistic regression: {} values for {n} rows × {p} columns",
                x.len()
            )));
        }
        let (mean, scale) = column_stats(x, p);
        let mut z = x.to_vec();
        z.par_chunks_mut(CHUNK * p.max(1)).for_each(|c| {
            for row in c.chunks_exact_mut(p.max(1)) {
                for ((v, m), s) in row.iter_mut().zip(&mean).zip(&scale) {
                    *v = (*v - m) / s;
                }
            }
        });
        let yf: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
        let nf = n as f64;
        let lambda = 1.0 / (params.c.max(1e-12) * nf);
        let q = p + 1;
        // Start at the intercept of the base rate.
        let rate = (yf.iter().sum::<f64>() / nf).clamp(1e-6, 1.0 - 1e-6);
        let mut w = vec![0.0; q];
        if let Some(b) = w.first_mut() {
            *b = (rate / (1.0 - rate)).ln();
        }
        let objective = |loss: f64, w: &[f64]| {
            loss / nf + 0.5 * lambda * w.iter().skip(1).map(|v| v * v).sum::<f64>()
        };
        let mut iterations = 0;
        let mut converged = false;
        let mut gnorm;
        // Above HESSIAN_ROWS rows the Hessian is estimated from an even subsample of about
        // that many rows; the gradient always uses every row, so the optimum is the same.
        let stride = n.div_ceil(HESSIAN_ROWS).max(1);
        let scaled = |loss: f64, g: &mut Vec<f64>, w: &[f64]| {
            for gj in g.iter_mut() {
                *gj /= nf;
            }
            for (j, gj) in g.iter_mut().enumerate().skip(1) {
                *gj += lambda * w.get(j).copied().unwrap_or(0.0);
            }
            objective(loss, w)
        };
        let (loss, mut g) = gradient(&z, &yf, p, &w);
        let mut f0 = scaled(loss, &mut g, &w);
        loop {
            gnorm = g.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            if gnorm <= params.tol {
                converged = true;
                break;
            }
            if iterations >= params.max_iter {
                break;
            }
            let h = hessian(&z, p, &w, stride);
            let mut full = vec![0.0; q * q];
            for a in 0..q {
                for b in a..q {
                    let v = h.get(a * q + b).copied().unwrap_or(0.0)
                        + if a == b && a > 0 { lambda } else { 0.0 };
                    full[a * q + b] = v;
                    full[b * q + a] = v;
                }
            }
            // A tiny ridge keeps the system solvable when columns are collinear.
            for a in 0..q {
                full[a * q + a] += 1e-12;
            }
            let neg: Vec<f64> = g.iter().map(|v| -v).collect();
            let Some(step) = cholesky_solve(&full, &neg, q) else {
                break;
            };
            let slope: f64 = g.iter().zip(&step).map(|(a, b)| a * b).sum();
            let mut t = 1.0;
            let mut next = w.clone();
            let mut accepted = None;
            for _ in 0..30 {
                for ((nv, wv), sv) in next.iter_mut().zip(&w).zip(&step) {
                    *nv = wv + t * sv;
                }
                let (loss1, mut g1) = gradient(&z, &yf, p, &next);
                let f1 = scaled(loss1, &mut g1, &next);
                if f1 <= f0 + 1e-4 * t * slope || (f1 - f0).abs() <= 1e-15 * f0.abs() {
                    accepted = Some((f1, g1));
                    break;
                }
                t *= 0.5;
            }
            iterations += 1;
            let Some((f1, g1)) = accepted else {
                break;
            };
            w = next;
            f0 = f1;
            g = g1;
        }
        let (intercept, coef) = w
            .split_first()
            .map_or((0.0, Vec::new()), |(b, c)| (*b, c.to_vec()));
        let coef = coef
            .iter()
            .zip(&mean)
            .zip(&scale)
            .map(|((c, _), s)| if *s == 1.0 && *c == 0.0 { 0.0 } else { *c })
            .collect();
        Ok(Logistic {
            mean,
            scale,
            coef,
            intercept,
            iterations,
            converged,
            gradient_norm: gnorm,
        })
    }

    /// The standardized value of column `j` of a raw row.
    pub fn standardized(&self, row: &[f64], j: usize) -> f64 {
        match (row.get(j), self.mean.get(j), self.scale.get(j)) {
            (Some(v), Some(m), Some(s)) => (v - m) / s,
            _ => 0.0,
        }
    }

    /// The linear score (log-odds) of a raw row.
    pub fn decision(&self, row: &[f64]) -> f64 {
        self.intercept
            + self
                .coef
                .iter()
                .enumerate()
                .map(|(j, c)| c * self.standardized(row, j))
                .sum::<f64>()
    }

    /// The probability of class 1 for a raw row.
    pub fn predict(&self, row: &[f64]) -> f64 {
        sigmoid(self.decision(row))
    }

    /// Per column: coefficient × standardized value (what pushes this row's log-odds up).
    pub fn contributions(&self, row: &[f64]) -> Vec<f64> {
        self.coef
            .iter()
            .enumerate()
            .map(|(j, c)| c * self.standardized(row, j))
            .collect()
    }

    /// Coefficients in the columns' original units (per unit of the raw input) and the
    /// matching intercept.
    pub fn original_units(&self) -> (f64, Vec<f64>) {
        let coef: Vec<f64> = self
            .coef
            .iter()
            .zip(&self.scale)
            .map(|(c, s)| c / s)
            .collect();
        let intercept =
            self.intercept - coef.iter().zip(&self.mean).map(|(c, m)| c * m).sum::<f64>();
        (intercept, coef)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fit with regularization `c`, run to a gradient of 1e-10.
    fn tight_fit(x: &[f64], k: usize, y: &[u8], c: f64) -> Logistic {
        let params = LogisticParams {
            c,
            tol: 1e-10,
            max_iter: 100,
        };
        Logistic::fit(x, k, y, &params).unwrap()
    }

    #[test]
    fn unregularized_fit_matches_the_closed_form() {
        // One binary input: with a huge C the MLE reproduces the group rates exactly.
        // x=0: 1 of 4 positive; x=1: 3 of 4 positive.
        let x = [0., 0., 0., 0., 1., 1., 1., 1.];
        let y = [1, 0, 0, 0, 1, 1, 1, 0];
        let m = tight_fit(&x, 1, &y, 1e10);
        assert!(m.converged);
        let (b, c) = m.original_units();
        approx::assert_abs_diff_eq!(b, (1.0f64 / 3.0).ln(), epsilon = 1e-6);
        approx::assert_abs_diff_eq!(c[0], 3.0f64.ln() - (1.0f64 / 3.0).ln(), epsilon = 1e-6);
        approx::assert_abs_diff_eq!(m.predict(&[1.0]), 0.75, epsilon = 1e-6);
    }

    #[test]
    fn regularized_fit_matches_scikit_learn() {
        // scikit-learn 1.9.1: LogisticRegression(C=1.0, tol=1e-10)
        // .fit(StandardScaler().fit_transform(x), y) gives coef [[0.275678, 1.22043331]] and
        // intercept [0.07799838].
        let x = [
            1.0, 2.0, 2.0, 1.0, 3.0, 4.0, 4.0, 2.0, 5.0, 5.0, 6.0, 3.0, 7.0, 8.0, 8.0, 6.0,
        ];
        let y = [0, 0, 1, 0, 1, 0, 1, 1];
        let m = tight_fit(&x, 2, &y, 1.0);
        // Optimality: mean-loss gradient + coef / (C n) = 0, checked directly.
        let n = 8.0;
        let mut g = [0.0; 3];
        for i in 0..8 {
            let row = &x[i * 2..i * 2 + 2];
            let r = m.predict(row) - f64::from(y[i]);
            g[0] += r / n;
            g[1] += r * m.standardized(row, 0) / n;
            g[2] += r * m.standardized(row, 1) / n;
        }
        g[1] += m.coef[0] / n;
        g[2] += m.coef[1] / n;
        for v in g {
            assert!(v.abs() < 1e-9, "{g:?}");
        }
        approx::assert_abs_diff_eq!(m.coef[0], 0.275678, epsilon = 1e-5);
        approx::assert_abs_diff_eq!(m.coef[1], 1.22043331, epsilon = 1e-5);
        approx::assert_abs_diff_eq!(m.intercept, 0.07799838, epsilon = 1e-5);
    }
}
