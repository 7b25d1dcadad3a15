//! The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV:
//! using iso-value curves", and Fader & Hardie's note "The Gamma-Gamma model of monetary
//! value"): a customer's purchase amounts are gamma(p, ν) with ν ~ gamma(q, v) across
//! customers. Fitted on repeat customers (frequency > 0) by maximum likelihood over the logs of
//! (p, q, v) with BFGS and the analytic gradient.

use serde::Serialize;

use crate::models::clv::optimize::{self, Options};
use crate::models::clv::special::{digamma, ln_gamma};

/// Gamma-Gamma parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GammaGamma {
    /// Shape of each purchase amount's gamma distribution.
    pub p: f64,
    /// Shape of the gamma distribution of the scale ν across customers.
    pub q: f64,
    /// Rate of the gamma distribution of ν across customers.
    pub v: f64,
}

/// A fitted Gamma-Gamma model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GammaGammaFit {
    /// The maximum-likelihood parameters.
    pub params: GammaGamma,
    /// The log-likelihood there.
    pub log_likelihood: f64,
    /// Repeat customers the model was fitted on.
    pub customers: usize,
    /// True when the optimizer met its tolerance.
    pub converged: bool,
}

/// Log-likelihood of repeat customers with `x` purchases of mean `m` (pairs with x = 0 or
/// m ≤ 0 are skipped), and its gradient with respect to (p, q, v).
pub fn log_likelihood_grad(g: &GammaGamma, data: &[(u32, f64)]) -> (f64, [f64; 3]) {
    let GammaGamma { p, q, v } = *g;
    let (lg_q, dg_q, ln_v) = (ln_gamma(q), digamma(q), v.ln());
    let mut ll = 0.0;
    let mut grad = [0.0; 3];
    for &(x, m) in data {
        if x == 0 || m.is_nan() || m <= 0.0 {
            continue;
        }
        let x = f64::from(x);
        let px = p * x;
        let s = x * m + v;
        let ln_s = s.ln();
        let ln_m = m.ln();
        ll += ln_gamma(px + q) - ln_gamma(px) - lg_q + q * ln_v + (px - 1.0) * ln_m + px * x.ln()
            - (px + q) * ln_s;
        let dg = digamma(px + q);
        grad[0] += x * (dg - digamma(px) + ln_m + x.ln() - ln_s);
        grad[1] += dg - dg_q + ln_v - ln_s;
        grad[2] += q / v - (px + q) / s;
    }
    (ll, grad)
}

/// Fits the model on (frequency, mean spend) pairs; customers with frequency 0 or no positive
/// spend are ignored. `None` without any repeat customer.
pub fn fit(data: &[(u32, f64)]) -> Option<GammaGammaFit> {
    fit_until(data, &|| false)
}

/// [`fit`], giving up unconverged as soon as `stop` says so.
pub fn fit_until(data: &[(u32, f64)], stop: &dyn Fn() -> bool) -> Option<GammaGammaFit> {
    let used: Vec<(u32, f64)> = data
        .iter()
        .copied()
        .filter(|(x, m)| *x > 0 && *m > 0.0 && m.is_finite())
        .collect();
    if used.is_empty() {
        return None;
    }
    let n = used.len() as f64;
    let mean_m = used.iter().map(|(_, m)| m).sum::<f64>() / n;
    // Start: p = 1, q = 2, v = the mean spend (so that the prior mean spend p v /(q − 1) fits).
    let x0 = [0.0, 2f64.ln(), mean_m.ln()];
    let objective = |theta: &[f64]| {
        let g = from_theta(theta);
        let (ll, d) = log_likelihood_grad(&g, &used);
        let scale = [g.p, g.q, g.v];
        let grad = d.iter().zip(scale).map(|(d, s)| -d * s / n).collect();
        (-ll / n, grad)
    };
    let opts = Options {
        grad_tol: 1e-10,
        ..Options::default()
    };
    let m = optimize::minimize_until(objective, &x0, &opts, stop);
    Some(GammaGammaFit {
        params: from_theta(&m.x),
        log_likelihood: -m.f * n,
        customers: used.len(),
        converged: m.converged,
    })
}

fn from_theta(theta: &[f64]) -> GammaGamma {
    let v = |i: usize| theta.get(i).copied().unwrap_or(0.0).exp();
    GammaGamma {
        p: v(0),
        q: v(1),
        v: v(2),
    }
}

impl GammaGamma {
    /// E[spend per purchase | x purchases of mean m]: a weighted mean of the population mean
    /// p v / (q − 1) and the customer's own mean, (p (v + x m)) / (p x + q − 1). Customers
    /// without repeat purchases get the population mean. `None` when the value is not a finite
    /// number: q ≤ 1 with x = 0 (the population mean does not exist), or parameters out of range.
    pub fn expected_spend(&self, x: u32, m: f64) -> Option<f64> {
        let GammaGamma { p, q, v } = *self;
        let value = if x == 0 || m.is_nan() || m <= 0.0 {
            if q > 1.0 { p * v / (q - 1.0) } else { f64::NAN }
        } else {
            let x = f64::from(x);
            p * (v + x * m) / (p * x + q - 1.0)
        };
        value.is_finite().then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, Gamma};

    #[test]
    fn gradient_matches_finite_differences_and_fit_recovers_parameters() {
        let truth = GammaGamma {
            p: 6.0,
            q: 4.0,
            v: 15.0,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let nu_dist = Gamma::new(truth.q, 1.0 / truth.v).unwrap();
        let data: Vec<(u32, f64)> = (0..20_000)
            .map(|i| {
                let x = 1 + (i % 6) as u32;
                let nu: f64 = nu_dist.sample(&mut rng);
                let z = Gamma::new(truth.p, 1.0 / nu).unwrap();
                let total: f64 = (0..x).map(|_| z.sample(&mut rng)).sum();
                (x, total / f64::from(x))
            })
            .collect();
        let (_, g) = log_likelihood_grad(&truth, &data[..50]);
        let h = 1e-6;
        for k in 0..3 {
            let mut up = [truth.p, truth.q, truth.v];
            let mut down = up;
            up[k] += h;
            down[k] -= h;
            let mk = |v: [f64; 3]| GammaGamma {
                p: v[0],
                q: v[1],
                v: v[2],
            };
            let num = (log_likelihood_grad(&mk(up), &data[..50]).0
                - log_likelihood_grad(&mk(down), &data[..50]).0)
                / (2.0 * h);
            assert_relative_eq!(g[k], num, max_relative = 1e-6, epsilon = 1e-8);
        }
        let f = fit(&data).unwrap();
        assert!(f.converged, "{f:?}");
        assert!((f.params.p - truth.p).abs() / truth.p < 0.1, "{f:?}");
        assert!((f.params.q - truth.q).abs() / truth.q < 0.1, "{f:?}");
        assert!((f.params.v - truth.v).abs() / truth.v < 0.15, "{f:?}");
        // Expected spend lies between the population mean and the customer's own mean.
        let pop = f.params.expected_spend(0, 0.0).unwrap();
        let e = f.params.expected_spend(3, 40.0).unwrap();
        assert!(e > pop.min(40.0) && e < pop.max(40.0));
        assert!(fit(&[(0, 10.0)]).is_none());
    }

    #[test]
    fn expected_spend_is_none_when_not_finite() {
        // q ≤ 1: the population mean p v / (q − 1) does not exist.
        let g = GammaGamma {
            p: 2.0,
            q: 0.8,
            v: 10.0,
        };
        assert_eq!(g.expected_spend(0, 0.0), None);
        assert_eq!(g.expected_spend(0, f64::NAN), None);
        let own = g.expected_spend(4, 25.0).unwrap();
        assert!(own.is_finite() && own > 0.0);
        // q = 1 exactly: a division by zero, still None.
        let one = GammaGamma { q: 1.0, ..g };
        assert_eq!(one.expected_spend(0, 0.0), None);
        // Overflowing parameters: None rather than infinity.
        let huge = GammaGamma {
            p: 1e300,
            q: 2.0,
            v: 1e300,
        };
        assert_eq!(huge.expected_spend(0, 0.0), None);
        let fine = GammaGamma { q: 3.0, ..g };
        assert_eq!(fine.expected_spend(0, 0.0), Some(10.0));
    }
}
