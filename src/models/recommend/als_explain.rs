//! Why ALS recommends a product, as Hu, Koren & Volinsky (2008, section 5) explain it: a
//! customer's factors solve `(YᵀY + Σⱼ (cⱼ − 1) yⱼyⱼᵀ + λI) x = Σⱼ cⱼ yⱼ`, so the score of
//! product i is `Σⱼ cⱼ · yᵢᵀ W yⱼ` with `W` the inverse of that matrix: a sum over the products the
//! customer has, and each term is that product's contribution.

use crate::models::recommend::als::Als;

/// `YᵀY` of the product factors, computed once per fit.
#[derive(Debug, Clone, PartialEq)]
pub struct AlsExplainer {
    factors: usize,
    yty: Vec<f64>,
}

impl AlsExplainer {
    /// Precomputes `YᵀY`.
    pub fn new(als: &Als) -> AlsExplainer {
        let f = als.factors;
        let mut yty = vec![0f64; f * f];
        for y in als.items.chunks_exact(f) {
            for a in 0..f {
                let ya = f64::from(y[a]);
                if ya == 0.0 {
                    continue;
                }
                for b in a..f {
                    yty[a * f + b] += ya * f64::from(y[b]);
                }
            }
        }
        for a in 0..f {
            for b in 0..a {
                yty[a * f + b] = yty[b * f + a];
            }
        }
        AlsExplainer { factors: f, yty }
    }

    /// Each owned product's contribution to each target product's score: `out[t][j]` for
    /// `targets[t]` and `own[j]` = (product, confidence). Empty rows when the system can't be
    /// solved.
    pub fn contributions(
        &self,
        als: &Als,
        regularization: f32,
        own: &[(u32, f32)],
        targets: &[u32],
    ) -> Vec<Vec<f64>> {
        let f = self.factors;
        let item =
            |p: u32| -> Option<&[f32]> { als.items.get(p as usize * f..(p as usize + 1) * f) };
        let mut a = self.yty.clone();
        for i in 0..f {
            a[i * f + i] += f64::from(regularization);
        }
        for &(p, c) in own {
            let Some(y) = item(p) else { continue };
            let w = f64::from(c) - 1.0;
            if w == 0.0 {
                continue;
            }
            for r in 0..f {
                let yr = w * f64::from(y[r]);
                for s in 0..f {
                    a[r * f + s] += yr * f64::from(y[s]);
                }
            }
        }
        let Some(l) = cholesky(&a, f) else {
            return vec![Vec::new(); targets.len()];
        };
        targets
            .iter()
            .map(|&t| {
                let Some(yt) = item(t) else {
                    return vec![0.0; own.len()];
                };
                let z = solve(&l, f, &yt.iter().map(|v| f64::from(*v)).collect::<Vec<_>>());
                own.iter()
                    .map(|&(p, c)| {
                        item(p).map_or(0.0, |y| {
                            f64::from(c)
                                * z.iter().zip(y).map(|(a, b)| a * f64::from(*b)).sum::<f64>()
                        })
                    })
                    .collect()
            })
            .collect()
    }
}

/// The lower Cholesky factor of a symmetric positive-definite `f × f` matrix.
fn cholesky(a: &[f64], f: usize) -> Option<Vec<f64>> {
    let mut l = vec![0f64; f * f];
    for i in 0..f {
        for j in 0..=i {
            let mut s = a[i * f + j];
            for k in 0..j {
                s -= l[i * f + k] * l[j * f + k];
            }
            if i == j {
                if s <= 0.0 {
                    return None;
                }
                l[i * f + i] = s.sqrt();
            } else {
                l[i * f + j] = s / l[j * f + j];
            }
        }
    }
    Some(l)
}

/// Solves `L Lᵀ x = b`.
fn solve(l: &[f64], f: usize, b: &[f64]) -> Vec<f64> {
    let mut y = vec![0f64; f];
    for i in 0..f {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * f + k] * y[k];
        }
        y[i] = s / l[i * f + i];
    }
    let mut x = vec![0f64; f];
    for i in (0..f).rev() {
        let mut s = y[i];
        for k in i + 1..f {
            s -= l[k * f + i] * x[k];
        }
        x[i] = s / l[i * f + i];
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::recommend::als::AlsParams;
    use crate::models::recommend::interactions::Interactions;
    use crate::progress::NoProgress;

    #[test]
    fn contributions_sum_to_the_exact_solution_score() {
        // Three customers, four products.
        let inter = Interactions::of_counts(
            4,
            &[&[(0, 2), (1, 1)], &[(1, 3), (2, 1)], &[(2, 1), (3, 2)]],
        );
        let params = AlsParams {
            factors: 3,
            ..AlsParams::default()
        };
        let als = Als::fit(&inter, &params, &NoProgress).unwrap();
        let ex = AlsExplainer::new(&als);
        let own = [(0u32, 2f32), (1, 1.0)];
        let c = ex.contributions(&als, params.regularization, &own, &[2, 3]);
        // Direct solve of the customer's factors, then the dot product with each target.
        let f = 3;
        let mut a = ex.yty.clone();
        for i in 0..f {
            a[i * f + i] += f64::from(params.regularization);
        }
        let mut b = vec![0f64; f];
        for &(p, conf) in &own {
            let y = &als.items[p as usize * f..(p as usize + 1) * f];
            for r in 0..f {
                b[r] += f64::from(conf) * f64::from(y[r]);
                for s in 0..f {
                    a[r * f + s] += (f64::from(conf) - 1.0) * f64::from(y[r]) * f64::from(y[s]);
                }
            }
        }
        let x = solve(&cholesky(&a, f).unwrap(), f, &b);
        for (t, target) in [2usize, 3].into_iter().enumerate() {
            let y = &als.items[target * f..(target + 1) * f];
            let score: f64 = x.iter().zip(y).map(|(a, b)| a * f64::from(*b)).sum();
            let sum: f64 = c[t].iter().sum();
            assert!((score - sum).abs() < 1e-6, "{score} vs {sum}");
        }
    }
}
