//! A 2-D principal-component projection of the standardized features, for the scatter plot.
//!
//! Computed from the covariance matrix with `linfa-linalg`'s symmetric eigendecomposition
//! (linfa-reduction's PCA panics on clustered input). Signs are fixed so that each axis's
//! largest loading is positive, which makes the picture the same on every run.

use linfa_linalg::eigh::Eigh;
use ndarray::{Array2, ArrayView2, Axis};

use crate::error::{Error, Result};

/// Customers projected on the first two principal components.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Projection {
    /// First component, one value per customer.
    pub x: Vec<f32>,
    /// Second component, one value per customer.
    pub y: Vec<f32>,
    /// Share of variance each axis explains.
    pub explained: [f64; 2],
    /// The feature loading most on each axis (for the axis titles).
    pub top_loading: [String; 2],
}

/// Projects the rows of `x` (standardized) onto its first two principal components.
pub fn project(x: ArrayView2<f64>, names: &[String]) -> Result<Projection> {
    let (n, p) = x.dim();
    if n == 0 || p == 0 {
        return Ok(Projection::default());
    }
    let mean = x
        .mean_axis(Axis(0))
        .ok_or_else(|| Error::Invalid("no customers to project".into()))?;
    let centred = &x - &mean;
    let cov: Array2<f64> = centred.t().dot(&centred) / (n.max(2) - 1) as f64;
    let (values, vectors) = cov
        .eigh()
        .map_err(|e| Error::Invalid(format!("the projection failed: {e}")))?;
    let mut order: Vec<usize> = (0..p).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
    let mut axes = [vec![0.0f32; n], vec![0.0f32; n]];
    let mut explained = [0.0; 2];
    let mut top_loading = [String::new(), String::new()];
    for (slot, &idx) in order.iter().take(2).enumerate() {
        let mut v = vectors.column(idx).to_owned();
        let (arg, _) = v.iter().enumerate().fold((0, 0.0f64), |best, (i, &w)| {
            if w.abs() > best.1.abs() { (i, w) } else { best }
        });
        if v[arg] < 0.0 {
            v.mapv_inplace(|w| -w);
        }
        let scores = centred.dot(&v);
        if let Some(axis) = axes.get_mut(slot) {
            *axis = scores.iter().map(|&s| s as f32).collect();
        }
        if let Some(e) = explained.get_mut(slot) {
            *e = if total > 0.0 {
                values[idx].max(0.0) / total
            } else {
                0.0
            };
        }
        if let Some(t) = top_loading.get_mut(slot) {
            *t = names.get(arg).cloned().unwrap_or_default();
        }
    }
    let [xs, ys] = axes;
    Ok(Projection {
        x: xs,
        y: ys,
        explained,
        top_loading,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_projects_onto_the_first_axis() {
        // Points on the line y = 2x: one component explains everything.
        let x =
            Array2::from_shape_vec((4, 2), vec![0.0, 0.0, 1.0, 2.0, 2.0, 4.0, 3.0, 6.0]).unwrap();
        let p = project(x.view(), &["a".into(), "b".into()]).unwrap();
        assert!((p.explained[0] - 1.0).abs() < 1e-9);
        assert!(p.explained[1].abs() < 1e-9);
        assert_eq!(p.top_loading[0], "b");
        // Distances along the line are kept: 0, √5, 2√5, 3√5 around the mean.
        let step = 5f32.sqrt();
        for (i, v) in p.x.iter().enumerate() {
            assert!((v - (i as f32 - 1.5) * step).abs() < 1e-4, "{v}");
        }
        assert!(p.y.iter().all(|v| v.abs() < 1e-4));
    }

    #[test]
    fn clustered_input_does_not_fail() {
        // Many identical rows (what makes linfa-reduction's PCA panic).
        let mut data = vec![1.0; 200 * 3];
        data[0] = 5.0;
        let x = Array2::from_shape_vec((200, 3), data).unwrap();
        let p = project(x.view(), &["a".into(), "b".into(), "c".into()]).unwrap();
        assert_eq!(p.x.len(), 200);
        assert!(p.x.iter().chain(&p.y).all(|v| v.is_finite()));
    }
}
