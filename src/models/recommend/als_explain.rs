//! Why ALS recommends a product, as Hu, Koren & Volinsky (2008, section 5) explain it: a
//! customer's factors solve `(YᵀY + Σⱼ (cⱼ − 1) yⱼyⱼᵀ + λI) x = Σⱼ cⱼ yⱼ`, so the score of
//! product i is `Σⱼ cⱼ · yᵢᵀ W yⱼ` with `W` the inverse of that matrix: a sum over the products the
//! customer has, and each term is that product's contribution.
//!
//! `W` differs from `B⁻¹ = (YᵀY + λI)⁻¹`, the same for everyone, only by the customer's few
//! products, so it is never formed: with `gⱼ = B⁻¹ yⱼ` kept for every product, the Woodbury
//! identity gives `yⱼᵀ W yᵢ` from an `r × r` system over the `r` products whose confidence is
//! not 1 — a few thousand operations per customer instead of a `factors³` factorization.

use crate::models::recommend::als::Als;

/// `B⁻¹ yᵢ` for every product (`B = YᵀY + λI`), computed once per fit.
#[derive(Debug, Clone, PartialEq)]
pub struct AlsExplainer {
    factors: usize,
    /// `YᵀY + λI`, row-major.
    b: Vec<f64>,
    /// `B⁻¹ yᵢ` of product i in row i; empty when `B` cannot be factored.
    g: Vec<f64>,
}

impl AlsExplainer {
    /// Precomputes `B` and `B⁻¹ yᵢ` for the factors fitted with `regularization`.
    pub fn new(als: &Als, regularization: f32) -> AlsExplainer {
        let f = als.factors;
        let mut b = vec![0f64; f * f];
        for y in als.items.chunks_exact(f) {
            for a in 0..f {
                let ya = f64::from(y[a]);
                if ya == 0.0 {
                    continue;
                }
                for c in a..f {
                    b[a * f + c] += ya * f64::from(y[c]);
                }
            }
        }
        for a in 0..f {
            for c in 0..a {
                b[a * f + c] = b[c * f + a];
            }
            b[a * f + a] += f64::from(regularization);
        }
        let g = match cholesky(&b, f) {
            Some(l) => als
                .items
                .chunks_exact(f)
                .flat_map(|y| solve(&l, f, &y.iter().map(|v| f64::from(*v)).collect::<Vec<_>>()))
                .collect(),
            None => Vec::new(),
        };
        AlsExplainer { factors: f, b, g }
    }

    /// Each owned product's contribution to each target product's score: `out[t][j]` for
    /// `targets[t]` and `own[j]` = (product, confidence). Empty rows when the system can't be
    /// solved.
    pub fn contributions(&self, als: &Als, own: &[(u32, f32)], targets: &[u32]) -> Vec<Vec<f64>> {
        let f = self.factors;
        let item = |p: u32| als.items.get(p as usize * f..(p as usize + 1) * f);
        let g = |p: u32| self.g.get(p as usize * f..(p as usize + 1) * f);
        if self.g.is_empty() || own.iter().any(|&(_, c)| c < 1.0) {
            // A confidence under 1 takes away from `B`; solve the customer's own system.
            return self.direct(als, own, targets);
        }
        let dot =
            |a: &[f64], y: &[f32]| -> f64 { a.iter().zip(y).map(|(x, v)| x * f64::from(*v)).sum() };
        // The products whose confidence changes the customer's matrix (weight c − 1 > 0).
        let updated: Vec<(u32, f64)> = own
            .iter()
            .filter(|&&(p, c)| c > 1.0 && item(p).is_some())
            .map(|&(p, c)| (p, f64::from(c) - 1.0))
            .collect();
        let r = updated.len();
        // m[j][k] = yⱼᵀ B⁻¹ y_k for own j and updated k.
        let m: Vec<Vec<f64>> = own
            .iter()
            .map(|&(p, _)| {
                updated
                    .iter()
                    .map(|&(q, _)| match (g(p), item(q)) {
                        (Some(gp), Some(yq)) => dot(gp, yq),
                        _ => 0.0,
                    })
                    .collect()
            })
            .collect();
        // K = diag(1 / w) + Y_U B⁻¹ Y_Uᵀ, positive definite.
        let mut k = vec![0f64; r * r];
        for (a, &(p, w)) in updated.iter().enumerate() {
            let row = own.iter().position(|x| x.0 == p).and_then(|j| m.get(j));
            for c in 0..r {
                k[a * r + c] = row.and_then(|x| x.get(c)).copied().unwrap_or(0.0);
            }
            k[a * r + a] += 1.0 / w;
        }
        per_target(cholesky(&k, r), targets, own.len(), |lk, t| {
            let gt = g(t)?;
            // v_j = yⱼᵀ B⁻¹ y_t, then W y_t seen from yⱼ: v_j − m_j · K⁻¹ v_U.
            let v: Vec<f64> = own
                .iter()
                .map(|&(p, _)| item(p).map_or(0.0, |y| dot(gt, y)))
                .collect();
            let v_u: Vec<f64> = updated
                .iter()
                .map(|&(q, _)| item(q).map_or(0.0, |y| dot(gt, y)))
                .collect();
            let u = solve(lk, r, &v_u);
            Some(
                own.iter()
                    .zip(&v)
                    .zip(&m)
                    .map(|((&(p, c), &vj), mj)| {
                        if item(p).is_none() {
                            return 0.0;
                        }
                        let back: f64 = mj.iter().zip(&u).map(|(a, b)| a * b).sum();
                        f64::from(c) * (vj - back)
                    })
                    .collect(),
            )
        })
    }

    /// The contributions from the customer's own `f × f` system, factored directly.
    fn direct(&self, als: &Als, own: &[(u32, f32)], targets: &[u32]) -> Vec<Vec<f64>> {
        let f = self.factors;
        let item =
            |p: u32| -> Option<&[f32]> { als.items.get(p as usize * f..(p as usize + 1) * f) };
        let mut a = self.b.clone();
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
        per_target(cholesky(&a, f), targets, own.len(), |l, t| {
            let yt = item(t)?;
            let z = solve(l, f, &yt.iter().map(|v| f64::from(*v)).collect::<Vec<_>>());
            Some(
                own.iter()
                    .map(|&(p, c)| {
                        item(p).map_or(0.0, |y| {
                            f64::from(c)
                                * z.iter().zip(y).map(|(a, b)| a * f64::from(*b)).sum::<f64>()
                        })
                    })
                    .collect(),
            )
        })
    }
}

/// `row(factor, t)` for each target (zeros for a target the factors do not hold), or empty rows
/// when the system could not be factored.
fn per_target(
    factor: Option<Vec<f64>>,
    targets: &[u32],
    own: usize,
    row: impl Fn(&[f64], u32) -> Option<Vec<f64>>,
) -> Vec<Vec<f64>> {
    let Some(l) = factor else {
        return vec![Vec::new(); targets.len()];
    };
    targets
        .iter()
        .map(|&t| row(&l, t).unwrap_or_else(|| vec![0.0; own]))
        .collect()
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

    /// The customer's exact factors by a direct solve, dotted with `target`'s factors.
    fn exact_score(als: &Als, reg: f32, own: &[(u32, f32)], target: usize) -> f64 {
        let f = als.factors;
        let mut a = vec![0f64; f * f];
        for y in als.items.chunks_exact(f) {
            for r in 0..f {
                for s in 0..f {
                    a[r * f + s] += f64::from(y[r]) * f64::from(y[s]);
                }
            }
        }
        for i in 0..f {
            a[i * f + i] += f64::from(reg);
        }
        let mut b = vec![0f64; f];
        for &(p, conf) in own {
            let y = &als.items[p as usize * f..(p as usize + 1) * f];
            for r in 0..f {
                b[r] += f64::from(conf) * f64::from(y[r]);
                for s in 0..f {
                    a[r * f + s] += (f64::from(conf) - 1.0) * f64::from(y[r]) * f64::from(y[s]);
                }
            }
        }
        let x = solve(&cholesky(&a, f).unwrap(), f, &b);
        let y = &als.items[target * f..(target + 1) * f];
        x.iter().zip(y).map(|(a, b)| a * f64::from(*b)).sum()
    }

    #[test]
    fn contributions_sum_to_the_exact_solution_score() {
        // Five customers, six products.
        let inter = Interactions::of_counts(
            6,
            &[
                &[(0, 2), (1, 1), (4, 1)],
                &[(1, 3), (2, 1)],
                &[(2, 1), (3, 2), (5, 4)],
                &[(0, 1), (5, 2)],
                &[(3, 1), (4, 6)],
            ],
        );
        let params = AlsParams {
            factors: 4,
            ..AlsParams::default()
        };
        let reg = params.regularization;
        let als = Als::fit(&inter, &params, &NoProgress).unwrap();
        let ex = AlsExplainer::new(&als, reg);
        // Woodbury (confidences of at least 1, some exactly 1) and the direct solve (one under 1).
        let baskets: [&[(u32, f32)]; 3] = [
            &[(0, 2.0), (1, 1.0)],
            &[(0, 3.0), (1, 1.0), (4, 7.5), (5, 2.0)],
            &[(0, 0.5), (1, 2.0)],
        ];
        for own in baskets {
            let targets = [2u32, 3];
            let c = ex.contributions(&als, own, &targets);
            for (t, &target) in targets.iter().enumerate() {
                let score = exact_score(&als, reg, own, target as usize);
                let sum: f64 = c[t].iter().sum();
                assert!(
                    (score - sum).abs() < 1e-6,
                    "{own:?} → {target}: {score} vs {sum}"
                );
            }
            let direct = ex.direct(&als, own, &targets);
            for (x, y) in c.iter().flatten().zip(direct.iter().flatten()) {
                assert!(
                    (x - y).abs() < 1e-9,
                    "each contribution as the direct solve's"
                );
            }
        }
    }
}
