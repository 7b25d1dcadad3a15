//! Proxy detection: how well each model input predicts the protected column, as the
//! bias-corrected Cramér's V (Bergsma 2013) of their contingency table (numbers banded as for the
//! audit's groups; a category column with more than [`MAX_LEVELS`] values keeps its most
//! frequent ones and pools the rest, so ids and dates don't look predictive by sheer number of
//! levels). 0 is no association, 1 is a feature that gives the protected value away; from
//! [`PROXY_V`] it is flagged as a proxy the marketer may want to leave out.

use serde::Serialize;

use crate::data::dataset::Dataset;
use crate::models::fairness::groups::{Groups, groups_of};

/// Cramér's V from which a feature is called a proxy.
pub const PROXY_V: f64 = 0.3;

/// One feature's association with the protected column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proxy {
    /// The feature column.
    pub feature: String,
    /// Cramér's V.
    pub score: f64,
}

/// Cramér's V between two group assignments (customers blank in either are left out).
pub fn cramers_v(a: &Groups, b: &Groups) -> f64 {
    let (r, c) = (a.names.len(), b.names.len());
    if r < 2 || c < 2 {
        return 0.0;
    }
    let mut table = vec![0f64; r * c];
    for (x, y) in a.of.iter().zip(&b.of) {
        if let (Some(x), Some(y)) = (x, y)
            && let Some(cell) = table.get_mut(*x as usize * c + *y as usize)
        {
            *cell += 1.0;
        }
    }
    let n: f64 = table.iter().sum();
    if n <= 0.0 {
        return 0.0;
    }
    let rows: Vec<f64> = (0..r)
        .map(|i| table[i * c..(i + 1) * c].iter().sum())
        .collect();
    let cols: Vec<f64> = (0..c)
        .map(|j| (0..r).map(|i| table[i * c + j]).sum())
        .collect();
    let used_r = rows.iter().filter(|x| **x > 0.0).count() as f64;
    let used_c = cols.iter().filter(|x| **x > 0.0).count() as f64;
    if used_r < 2.0 || used_c < 2.0 || n < 2.0 {
        return 0.0;
    }
    let mut chi2 = 0.0;
    for i in 0..r {
        for j in 0..c {
            let expected = rows[i] * cols[j] / n;
            if expected > 0.0 {
                let d = table[i * c + j] - expected;
                chi2 += d * d / expected;
            }
        }
    }
    let phi2 = (chi2 / n - (used_r - 1.0) * (used_c - 1.0) / (n - 1.0)).max(0.0);
    let r_corr = used_r - (used_r - 1.0).powi(2) / (n - 1.0);
    let c_corr = used_c - (used_c - 1.0).powi(2) / (n - 1.0);
    let denom = (r_corr - 1.0).min(c_corr - 1.0);
    if denom <= 0.0 {
        return 0.0;
    }
    (phi2 / denom).sqrt().min(1.0)
}

/// Category columns keep at most this many levels for the proxy check.
pub const MAX_LEVELS: usize = 20;

/// Pools all but the `MAX_LEVELS - 1` most frequent groups into one.
fn pooled(g: Groups) -> Groups {
    if g.names.len() <= MAX_LEVELS {
        return g;
    }
    let mut count = vec![0u64; g.names.len()];
    for x in g.of.iter().flatten() {
        if let Some(c) = count.get_mut(*x as usize) {
            *c += 1;
        }
    }
    let mut order: Vec<usize> = (0..count.len()).collect();
    order.sort_by(|a, b| count[*b].cmp(&count[*a]).then(a.cmp(b)));
    let mut map = vec![(MAX_LEVELS - 1) as u32; count.len()];
    let mut names = Vec::with_capacity(MAX_LEVELS);
    for (new, old) in order.iter().take(MAX_LEVELS - 1).enumerate() {
        map[*old] = new as u32;
        names.push(g.names[*old].clone());
    }
    names.push("other".into());
    Groups {
        attribute: g.attribute,
        display: g.display,
        of: g
            .of
            .iter()
            .map(|x| x.and_then(|x| map.get(x as usize).copied()))
            .collect(),
        names,
    }
}

/// Every model input (customers columns with role `feature`) by its association with
/// `protected`, strongest first.
pub fn proxies(data: &Dataset, protected: &Groups) -> Vec<Proxy> {
    let mut out: Vec<Proxy> = data
        .attributes
        .iter()
        .filter(|a| a.role.is_model_input() && a.name != protected.attribute)
        .map(|a| Proxy {
            feature: a.name.clone(),
            score: cramers_v(&pooled(groups_of(data, a)), protected),
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.feature.cmp(&b.feature)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(of: Vec<u32>, k: usize) -> Groups {
        Groups {
            attribute: "x".into(),
            display: "x".into(),
            of: of.into_iter().map(Some).collect(),
            names: (0..k).map(|i| i.to_string()).collect(),
        }
    }

    #[test]
    fn identical_is_one_independent_is_zero() {
        let a = g(vec![0, 1, 0, 1, 2, 2], 3);
        assert!((cramers_v(&a, &a) - 1.0).abs() < 1e-12);
        let x = g(vec![0, 0, 1, 1], 2);
        let y = g(vec![0, 1, 0, 1], 2);
        assert_eq!(cramers_v(&x, &y), 0.0);
        // 2×2 with counts [[30, 10], [10, 30]]: chi² = 20, uncorrected V = sqrt(20 / 80) = 0.5.
        let mut a = Vec::new();
        let mut b = Vec::new();
        for (i, j, n) in [(0, 0, 30), (0, 1, 10), (1, 0, 10), (1, 1, 30)] {
            for _ in 0..n {
                a.push(i);
                b.push(j);
            }
        }
        // Bias-corrected: φ² = 0.25 − 1/79, divided by 1 − 1/79.
        let want = ((0.25f64 - 1.0 / 79.0) / (1.0 - 1.0 / 79.0)).sqrt();
        assert!((cramers_v(&g(a, 2), &g(b, 2)) - want).abs() < 1e-12);
        let many = g((0..100).collect(), 100);
        assert_eq!(pooled(many).names.len(), MAX_LEVELS);
    }
}
