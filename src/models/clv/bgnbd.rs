//! The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting your customers
//! the easy way", Marketing Science 24(2)): purchases follow a Poisson process with a
//! gamma(r, α) distributed rate while the customer is alive; after each purchase the customer
//! drops out with a beta(a, b) distributed probability.
//!
//! Fitted by maximum likelihood over the logs of (r, α, a, b) with BFGS and the analytic
//! gradient. The likelihood is computed in log space (ln Γ, log-sum-exp); terms that depend
//! only on a customer's frequency are summed once per distinct frequency, and the per-customer
//! terms run in parallel (rayon) in fixed chunks added in order, so results do not depend on
//! the thread count.

use rayon::prelude::*;
use serde::Serialize;

use crate::models::clv::optimize::{self, Minimum, Options};
use crate::models::clv::special::{digamma, hyp2f1, ln_gamma};

/// BG/NBD parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BgNbd {
    /// Shape of the gamma distribution of purchase rates.
    pub r: f64,
    /// Scale (in the time unit) of the gamma distribution of purchase rates.
    pub alpha: f64,
    /// First shape of the beta distribution of drop-out probabilities.
    pub a: f64,
    /// Second shape of the beta distribution of drop-out probabilities.
    pub b: f64,
}

/// Customers' calibration summaries as columns: frequency x, recency t_x and age T.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RfData {
    /// Repeat purchases.
    pub x: Vec<u32>,
    /// Recency: time of the last purchase since the first.
    pub t_x: Vec<f64>,
    /// Age: calibration end − first purchase.
    pub t: Vec<f64>,
}

impl RfData {
    /// Number of customers.
    pub fn len(&self) -> usize {
        self.x.len()
    }
    /// True without customers.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }
}

/// A fitted BG/NBD model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BgNbdFit {
    /// The maximum-likelihood parameters.
    pub params: BgNbd,
    /// The log-likelihood there (summed over customers).
    pub log_likelihood: f64,
    /// Optimizer iterations.
    pub iterations: usize,
    /// Likelihood (and gradient) evaluations.
    pub evaluations: usize,
    /// True when the optimizer met its tolerance.
    pub converged: bool,
}

/// Customers per parallel chunk (fixed, so sums are the same whatever the thread count).
const CHUNK: usize = 8_192;

/// Distinct frequencies and their counts.
fn frequency_counts(x: &[u32]) -> Vec<u64> {
    let max = x.iter().copied().max().unwrap_or(0) as usize;
    let mut counts = vec![0u64; max + 1];
    for &v in x {
        if let Some(c) = counts.get_mut(v as usize) {
            *c += 1;
        }
    }
    counts
}

/// The log-likelihood and its gradient with respect to (r, α, a, b).
pub fn log_likelihood_grad(p: &BgNbd, d: &RfData) -> (f64, [f64; 4]) {
    let counts = frequency_counts(&d.x);
    log_likelihood_grad_with(p, d, &counts)
}

/// The log-likelihood alone.
pub fn log_likelihood(p: &BgNbd, d: &RfData) -> f64 {
    log_likelihood_grad(p, d).0
}

fn log_likelihood_grad_with(p: &BgNbd, d: &RfData, counts: &[u64]) -> (f64, [f64; 4]) {
    let BgNbd { r, alpha, a, b } = *p;
    // Terms depending on x only:
    // A1 = lnΓ(r+x) − lnΓ(r) + r ln α, A2 = lnΓ(a+b) + lnΓ(b+x) − lnΓ(b) − lnΓ(a+b+x).
    let (lg_r, lg_b, lg_ab) = (ln_gamma(r), ln_gamma(b), ln_gamma(a + b));
    let (dg_r, dg_b, dg_ab) = (digamma(r), digamma(b), digamma(a + b));
    let ln_alpha = alpha.ln();
    let mut ll = 0.0;
    let mut g = [0.0f64; 4];
    // ln(b + x − 1) and 1 / (b + x − 1) for x ≥ 1, indexed by x.
    let mut ln_bx = vec![0.0; counts.len()];
    let mut inv_bx = vec![0.0; counts.len()];
    for (x, &n) in counts.iter().enumerate() {
        let xf = x as f64;
        if x > 0 {
            let bx = b + xf - 1.0;
            if let (Some(l), Some(i)) = (ln_bx.get_mut(x), inv_bx.get_mut(x)) {
                *l = bx.ln();
                *i = 1.0 / bx;
            }
        }
        if n == 0 {
            continue;
        }
        let n = n as f64;
        ll += n
            * (ln_gamma(r + xf) - lg_r + r * ln_alpha + lg_ab + ln_gamma(b + xf)
                - lg_b
                - ln_gamma(a + b + xf));
        g[0] += n * (digamma(r + xf) - dg_r + ln_alpha);
        g[1] += n * r / alpha;
        let dg_abx = digamma(a + b + xf);
        g[2] += n * (dg_ab - dg_abx);
        g[3] += n * (dg_ab + digamma(b + xf) - dg_b - dg_abx);
    }
    let ln_a = a.ln();
    // Per customer: ln(e^A3 + [x>0] e^A4), A3 = −(r+x) ln(α+T),
    // A4 = ln a − ln(b+x−1) − (r+x) ln(α+t_x).
    let parts: Vec<[f64; 5]> =
        d.x.par_chunks(CHUNK)
            .zip(d.t_x.par_chunks(CHUNK))
            .zip(d.t.par_chunks(CHUNK))
            .map(|((xs, txs), ts)| {
                let mut s = [0.0f64; 5]; // ll, d/dr, d/dα, Σ w4, Σ w4/(b+x−1)
                for ((&x, &tx), &t) in xs.iter().zip(txs).zip(ts) {
                    let rx = r + f64::from(x);
                    let at = alpha + t;
                    let lt = at.ln();
                    let a3 = -rx * lt;
                    if x == 0 {
                        s[0] += a3;
                        s[1] -= lt;
                        s[2] -= rx / at;
                        continue;
                    }
                    let xi = x as usize;
                    let atx = alpha + tx;
                    let ltx = atx.ln();
                    let a4 = ln_a - ln_bx.get(xi).copied().unwrap_or(f64::NAN) - rx * ltx;
                    let diff = a4 - a3;
                    let e = (-diff.abs()).exp();
                    // w4 = e^A4 / (e^A3 + e^A4)
                    let w4 = if diff > 0.0 {
                        1.0 / (1.0 + e)
                    } else {
                        e / (1.0 + e)
                    };
                    let w3 = 1.0 - w4;
                    s[0] += a3.max(a4) + e.ln_1p();
                    s[1] -= w3 * lt + w4 * ltx;
                    s[2] -= rx * (w3 / at + w4 / atx);
                    s[3] += w4;
                    s[4] += w4 * inv_bx.get(xi).copied().unwrap_or(f64::NAN);
                }
                s
            })
            .collect();
    for s in parts {
        ll += s[0];
        g[0] += s[1];
        g[1] += s[2];
        g[2] += s[3] / a;
        g[3] -= s[4];
    }
    (ll, g)
}

/// Fits the model by maximum likelihood. Starts from r = α = a = b = 1 (and α scaled to the
/// data: the mean age over the mean frequency + 1).
pub fn fit(d: &RfData) -> BgNbdFit {
    fit_until(d, &|| false)
}

/// [`fit`], giving up unconverged as soon as `stop` says so.
pub fn fit_until(d: &RfData, stop: &dyn Fn() -> bool) -> BgNbdFit {
    let counts = frequency_counts(&d.x);
    let n = d.len().max(1) as f64;
    let mean_t = d.t.iter().sum::<f64>() / n;
    let mean_x = d.x.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
    let alpha0 = (mean_t / (mean_x + 1.0)).max(1e-3);
    let x0 = [0.0, alpha0.ln(), 0.0, 0.0];
    // Minimize the mean negative log-likelihood over θ = ln(params).
    let objective = |theta: &[f64]| {
        let p = from_theta(theta);
        let (ll, g) = log_likelihood_grad_with(&p, d, &counts);
        let scale = [p.r, p.alpha, p.a, p.b];
        let grad = g.iter().zip(scale).map(|(g, s)| -g * s / n).collect();
        (-ll / n, grad)
    };
    let opts = Options {
        grad_tol: 1e-10,
        ..Options::default()
    };
    let m: Minimum = optimize::minimize_until(objective, &x0, &opts, stop);
    let params = from_theta(&m.x);
    BgNbdFit {
        params,
        log_likelihood: -m.f * n,
        iterations: m.iterations,
        evaluations: m.evaluations,
        converged: m.converged,
    }
}

fn from_theta(theta: &[f64]) -> BgNbd {
    let v = |i: usize| theta.get(i).copied().unwrap_or(0.0).exp();
    BgNbd {
        r: v(0),
        alpha: v(1),
        a: v(2),
        b: v(3),
    }
}

impl BgNbd {
    /// The odds term a/(b+x−1) ((α+T)/(α+t_x))^(r+x), in log space; `None` for x = 0.
    fn ln_dropout_odds(&self, x: u32, t_x: f64, t: f64) -> Option<f64> {
        if x == 0 {
            return None;
        }
        let xf = f64::from(x);
        Some(
            self.a.ln() - (self.b + xf - 1.0).ln()
                + (self.r + xf) * ((self.alpha + t).ln() - (self.alpha + t_x).ln()),
        )
    }

    /// P(alive | x, t_x, T): the probability that the customer has not dropped out.
    pub fn p_alive(&self, x: u32, t_x: f64, t: f64) -> f64 {
        match self.ln_dropout_odds(x, t_x, t) {
            None => 1.0,
            Some(l) => 1.0 / (1.0 + l.exp()),
        }
    }

    /// E[X(t) | x, t_x, T]: expected purchases in the next `horizon` time units (FHL 2005,
    /// eq. 10). The factor ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z), z = t/(α+T+t), is
    /// summed in whichever of two equal forms has the smaller series parameters: as written,
    /// or through Euler's transformation, (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; a+b+x−1; z), which
    /// converges fast for large x. (With a and b very large, the data showing no heterogeneity
    /// in drop-out, only the first form stays finite.) When the preferred form overflows, the
    /// other is used.
    pub fn expected_purchases(&self, horizon: f64, x: u32, t_x: f64, t: f64) -> f64 {
        if horizon.is_nan() || horizon <= 0.0 {
            return 0.0;
        }
        let first = near_one(self.a, |a| self.purchase_factor(a, horizon, x, t));
        first * self.p_alive(x, t_x, t)
    }

    /// (a+b+x−1)/(a−1) · (1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(…)) with `a` given, the factor of
    /// [`BgNbd::expected_purchases`] before P(alive). Both parts vanish at a = 1.
    fn purchase_factor(&self, a: f64, horizon: f64, x: u32, t: f64) -> f64 {
        let BgNbd { r, alpha, b, .. } = *self;
        let xf = f64::from(x);
        let c = a + b + xf - 1.0;
        let z = horizon / (alpha + t + horizon);
        let ln_1mz = (alpha + t).ln() - (alpha + t + horizon).ln();
        let (euler_a, euler_b) = (a + b - 1.0 - r, a - 1.0);
        let euler = || (euler_b * ln_1mz).exp() * hyp2f1(euler_a, euler_b, c, z);
        let direct = || ((r + xf) * ln_1mz).exp() * hyp2f1(r + xf, b + xf, c, z);
        let (first_try, second_try): (&dyn Fn() -> f64, &dyn Fn() -> f64) =
            if (euler_a * euler_b).abs() <= (r + xf) * (b + xf) {
                (&euler, &direct)
            } else {
                (&direct, &euler)
            };
        let mut product = first_try();
        if !product.is_finite() {
            product = second_try();
        }
        c / (a - 1.0) * (1.0 - product)
    }

    /// E[X(t)]: expected purchases of a new customer in `horizon` time units (FHL 2005, eq. 9).
    pub fn expected_purchases_new(&self, horizon: f64) -> f64 {
        if horizon.is_nan() || horizon <= 0.0 {
            return 0.0;
        }
        let BgNbd { r, alpha, b, .. } = *self;
        near_one(self.a, |a| {
            let z = horizon / (alpha + horizon);
            let f = hyp2f1(r, b, a + b - 1.0, z);
            (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + horizon)).powf(r) * f)
        })
    }
}

/// Within this distance of a = 1 the expectations' 0/0 is replaced by its limit.
const A_NEAR_ONE: f64 = 1e-4;

/// `f(a)`, or — within [`A_NEAR_ONE`] of 1, where `f` divides a vanishing difference by a − 1
/// and loses its digits (NaN at a = 1 itself) — the straight line between `f(1 − δ)` and
/// `f(1 + δ)`. The singularity is removable and `f` smooth in `a`, so the line is off by
/// O(δ²) relative, while each end keeps about 11 of its digits.
fn near_one(a: f64, f: impl Fn(f64) -> f64) -> f64 {
    let d = a - 1.0;
    if d.abs() >= A_NEAR_ONE {
        return f(a);
    }
    let (lo, hi) = (f(1.0 - A_NEAR_ONE), f(1.0 + A_NEAR_ONE));
    lo + (hi - lo) * (d + A_NEAR_ONE) / (2.0 * A_NEAR_ONE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// The published CDNOW parameters.
    const P: BgNbd = BgNbd {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };

    /// Straight from the paper's equation (6), without logs.
    fn direct_ll(p: &BgNbd, x: u32, tx: f64, t: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *p;
        let xf = f64::from(x);
        let beta = |u: f64, v: f64| (ln_gamma(u) + ln_gamma(v) - ln_gamma(u + v)).exp();
        let g = (ln_gamma(r + xf) - ln_gamma(r)).exp() * alpha.powf(r);
        let l1 = beta(a, b + xf) / beta(a, b) * g / (alpha + t).powf(r + xf);
        let l2 = if x > 0 {
            beta(a + 1.0, b + xf - 1.0) / beta(a, b) * g / (alpha + tx).powf(r + xf)
        } else {
            0.0
        };
        (l1 + l2).ln()
    }

    #[test]
    fn likelihood_matches_the_paper_formula_and_its_gradient() {
        let d = RfData {
            x: vec![0, 2, 1, 7, 0],
            t_x: vec![0.0, 30.43, 1.71, 35.0, 0.0],
            t: vec![38.86, 38.86, 38.86, 36.0, 20.0],
        };
        let expect: f64 = (0..5)
            .map(|i| direct_ll(&P, d.x[i], d.t_x[i], d.t[i]))
            .sum();
        let (ll, g) = log_likelihood_grad(&P, &d);
        assert_relative_eq!(ll, expect, max_relative = 1e-12);
        // Hand value for customer 1 of CDNOW (x = 2, t_x = 30.43, T = 38.86).
        assert_relative_eq!(
            direct_ll(&P, 2, 30.43, 38.86),
            log_likelihood(
                &P,
                &RfData {
                    x: vec![2],
                    t_x: vec![30.43],
                    t: vec![38.86]
                }
            ),
            max_relative = 1e-12
        );
        let h = 1e-6;
        for k in 0..4 {
            let mut up = [P.r, P.alpha, P.a, P.b];
            let mut down = up;
            up[k] += h;
            down[k] -= h;
            let mk = |v: [f64; 4]| BgNbd {
                r: v[0],
                alpha: v[1],
                a: v[2],
                b: v[3],
            };
            let num = (log_likelihood(&mk(up), &d) - log_likelihood(&mk(down), &d)) / (2.0 * h);
            assert_relative_eq!(g[k], num, max_relative = 1e-6, epsilon = 1e-8);
        }
    }

    #[test]
    fn expectations_match_lifetimes_on_the_published_parameters() {
        // lifetimes 0.11.3 BetaGeoFitter with these parameters:
        // conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86),
        // conditional_probability_alive(2, 30.43, 38.86), expected_number_of_purchases_up_to_time(39).
        let e = P.expected_purchases(39.0, 2, 30.43, 38.86);
        let pa = P.p_alive(2, 30.43, 38.86);
        assert_relative_eq!(e, 1.226_028_174_767_135, max_relative = 1e-10);
        assert_relative_eq!(pa, 0.726_578_57, max_relative = 1e-7);
        assert_relative_eq!(
            P.expected_purchases_new(39.0),
            1.196_723_193_320_798_5,
            max_relative = 1e-10
        );
        // Direct series of eq. 10, unchanged hypergeometric arguments.
        let BgNbd { r, alpha, a, b } = P;
        let (x, t) = (2.0, 38.86);
        let z = 39.0 / (alpha + t + 39.0);
        let f = hyp2f1(r + x, b + x, a + b + x - 1.0, z);
        let direct = (a + b + x - 1.0) / (a - 1.0)
            * (1.0 - ((alpha + t) / (alpha + t + 39.0)).powf(r + x) * f)
            * pa;
        assert_relative_eq!(e, direct, max_relative = 1e-10);
        assert!(pa > 0.0 && pa < 1.0);
        assert_eq!(P.p_alive(0, 0.0, 38.86), 1.0);
        // New customers: E[X(t)] grows with t; a customer's expectation at T = 0 with no
        // history equals it.
        assert_relative_eq!(
            P.expected_purchases(39.0, 0, 0.0, 0.0),
            P.expected_purchases_new(39.0),
            max_relative = 1e-10
        );
        assert!(P.expected_purchases_new(78.0) > P.expected_purchases_new(39.0));
    }

    #[test]
    fn expectations_stay_finite_when_drop_out_is_homogeneous() {
        // a and b far out (the fit of very regular data): a/(a+b) ≈ 0.07.
        let p = BgNbd {
            r: 3.08,
            alpha: 7.1,
            a: 1.46e6,
            b: 1.93e7,
        };
        for x in [0, 1, 4, 14] {
            let e = p.expected_purchases(52.0, x, 14.0, 38.4);
            assert!(e.is_finite() && e >= 0.0, "x = {x}: {e}");
        }
        // a + b − 1 < 0 (the synthetic sample's fit): the hypergeometric factor turns negative.
        let q = BgNbd {
            r: 6.5269,
            alpha: 71.5118,
            a: 0.0997,
            b: 0.7188,
        };
        for (x, tx, t) in [(0, 0.0, 13.57), (0, 0.0, 100.0), (3, 20.0, 90.0)] {
            let e = q.expected_purchases(52.0, x, tx, t);
            assert!(e.is_finite() && e >= 0.0, "x = {x}: {e}");
        }
        // Both forms agree where both are usable.
        let e = P.expected_purchases(52.0, 0, 0.0, 38.4);
        let BgNbd { r, alpha, a, b } = P;
        let z = 52.0 / (alpha + 38.4 + 52.0);
        let euler = (a + b - 1.0) / (a - 1.0)
            * (1.0 - (1.0 - z).powf(a - 1.0) * hyp2f1(a + b - 1.0 - r, a - 1.0, a + b - 1.0, z));
        assert_relative_eq!(e, euler, max_relative = 1e-10);
    }

    #[test]
    fn expectations_stay_finite_and_continuous_near_a_equal_one() {
        let at = |a: f64| BgNbd { a, ..P };
        // The expectations change with a, smoothly through a = 1: the reference is the line
        // through the values at 1 ± 1e-3, where a − 1 keeps its digits (off by O(1e-6)).
        let h = 1e-3;
        let cases: [&dyn Fn(&BgNbd) -> f64; 4] = [
            &|p| p.expected_purchases(39.0, 2, 30.43, 38.86),
            &|p| p.expected_purchases(52.0, 0, 0.0, 20.0),
            &|p| p.expected_purchases(10.0, 14, 35.0, 36.0),
            &|p| p.expected_purchases_new(39.0),
        ];
        for (k, f) in cases.iter().enumerate() {
            let (lo, hi) = (f(&at(1.0 - h)), f(&at(1.0 + h)));
            assert!(lo.is_finite() && hi.is_finite() && lo > 0.0, "case {k}");
            for a in [
                1.0,
                1.0 + 1e-12,
                1.0 - 1e-9,
                1.0 + 1e-7,
                1.0 - 5e-5,
                1.0 + 9.9e-5,
            ] {
                let v = f(&at(a));
                assert!(v.is_finite(), "case {k}, a = {a}: {v}");
                let line = lo + (hi - lo) * (a - (1.0 - h)) / (2.0 * h);
                assert_relative_eq!(v, line, max_relative = 1e-6);
            }
        }
        // Unchanged away from 1.
        assert_relative_eq!(
            P.expected_purchases(39.0, 2, 30.43, 38.86),
            1.226_028_174_767_135,
            max_relative = 1e-10
        );
    }

    #[test]
    fn fit_recovers_parameters_of_simulated_data() {
        let truth = BgNbd {
            r: 0.5,
            alpha: 6.0,
            a: 0.8,
            b: 2.5,
        };
        let d = simulate(&truth, 20_000, 7);
        let f = fit(&d);
        assert!(f.converged, "{f:?}");
        assert!((f.params.r - truth.r).abs() / truth.r < 0.1, "{f:?}");
        assert!(
            (f.params.alpha - truth.alpha).abs() / truth.alpha < 0.15,
            "{f:?}"
        );
        assert!((f.params.a - truth.a).abs() / truth.a < 0.25, "{f:?}");
        assert!((f.params.b - truth.b).abs() / truth.b < 0.35, "{f:?}");
    }

    /// Customers simulated from the model itself, with ages uniform in 1..40.
    pub fn simulate(p: &BgNbd, n: usize, seed: u64) -> RfData {
        super::super::simulate::simulate(p, n, 40.0, seed)
    }
}
