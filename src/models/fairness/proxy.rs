//! Proxy detection: how well each model input predicts the protected column, as Cramér's V of
//! their contingency table (numbers banded as for the audit's groups). 0 is no association, 1
//! is a feature that gives the protected value away; above [`PROXY_V`] it is listed as a proxy
//! the marketer may want to leave out.

use serde::Serialize;

use crate::data::dataset::Dataset;
use crate::data::roles::Role;
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
    let used_r = rows.iter().filter(|x| **x > 0.0).count();
    let used_c = cols.iter().filter(|x| **x > 0.0).count();
    let k = used_r.min(used_c);
    if k < 2 {
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
    (chi2 / (n * (k - 1) as f64)).sqrt().min(1.0)
}

/// Every model input (customers columns with role `feature`) by its association with
/// `protected`, strongest first.
pub fn proxies(data: &Dataset, protected: &Groups) -> Vec<Proxy> {
    let mut out: Vec<Proxy> = data
        .attributes
        .iter()
        .filter(|a| a.role == Role::Feature && a.name != protected.attribute)
        .map(|a| Proxy {
            feature: a.name.clone(),
            score: cramers_v(&groups_of(data, a), protected),
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
        // 2×2 with counts [[30, 10], [10, 30]]: chi² = 20, V = sqrt(20 / 80) = 0.5.
        let mut a = Vec::new();
        let mut b = Vec::new();
        for (i, j, n) in [(0, 0, 30), (0, 1, 10), (1, 0, 10), (1, 1, 30)] {
            for _ in 0..n {
                a.push(i);
                b.push(j);
            }
        }
        assert!((cramers_v(&g(a, 2), &g(b, 2)) - 0.5).abs() < 1e-12);
    }
}
