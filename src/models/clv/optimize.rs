//! A small quasi-Newton minimizer for smooth functions of a few variables: BFGS with a dense
//! inverse-Hessian approximation and a line search satisfying the strong Wolfe conditions
//! (Nocedal & Wright, algorithms 3.5–3.6, cubic interpolation in the zoom).

/// Settings of [`minimize`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Stop when the largest gradient component is below this.
    pub grad_tol: f64,
    /// Stop when an iteration lowers the value by less than this, relative to |f| + 1.
    pub f_tol: f64,
    /// The most iterations.
    pub max_iter: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            grad_tol: 1e-9,
            f_tol: 1e-15,
            max_iter: 500,
        }
    }
}

/// The result of [`minimize`].
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// The minimizer found.
    pub x: Vec<f64>,
    /// The function value there.
    pub f: f64,
    /// The gradient there.
    pub grad: Vec<f64>,
    /// Iterations made.
    pub iterations: usize,
    /// Function (and gradient) evaluations made.
    pub evaluations: usize,
    /// True when a tolerance was met, or the line search failed with the largest gradient
    /// component below √`grad_tol` (rounding noise at the optimum).
    pub converged: bool,
}

/// Minimizes `f`, which returns the value and the gradient at a point, from `x0`. A non-finite
/// value counts as +∞ (the line search backs off).
pub fn minimize<F>(f: F, x0: &[f64], opts: &Options) -> Minimum
where
    F: FnMut(&[f64]) -> (f64, Vec<f64>),
{
    minimize_until(f, x0, opts, &|| false)
}

/// [`minimize`], giving up (not converged) at the first iteration where `stop` says so: a
/// cancelled job does not wait for the optimum.
pub fn minimize_until<F>(mut f: F, x0: &[f64], opts: &Options, stop: &dyn Fn() -> bool) -> Minimum
where
    F: FnMut(&[f64]) -> (f64, Vec<f64>),
{
    let n = x0.len();
    let mut evaluations = 0usize;
    let mut eval = |x: &[f64]| {
        evaluations += 1;
        let (v, g) = f(x);
        if v.is_finite() && g.iter().all(|g| g.is_finite()) {
            (v, g)
        } else {
            (f64::INFINITY, vec![0.0; n])
        }
    };
    let mut x = x0.to_vec();
    let (mut fx, mut g) = eval(&x);
    // Inverse Hessian approximation, row-major.
    let mut h = identity(n);
    let mut first = true;
    let mut iterations = 0;
    let mut converged = false;
    while iterations < opts.max_iter {
        if stop() {
            return Minimum {
                x,
                f: fx,
                grad: g,
                iterations,
                evaluations,
                converged: false,
            };
        }
        if max_abs(&g) < opts.grad_tol {
            converged = true;
            break;
        }
        iterations += 1;
        let mut d = mat_vec(&h, &g);
        d.iter_mut().for_each(|v| *v = -*v);
        let mut slope = dot(&d, &g);
        if slope.is_nan() || slope >= 0.0 {
            // Not a descent direction: restart from steepest descent.
            h = identity(n);
            d = g.iter().map(|v| -v).collect();
            slope = dot(&d, &g);
        }
        // A cautious first step before any curvature is known.
        let alpha0 = if first {
            (1.0 / max_abs(&d)).min(1.0)
        } else {
            1.0
        };
        let Some((alpha, fnew, gnew)) = line_search(&mut eval, &x, fx, slope, &d, alpha0) else {
            if first {
                break;
            }
            // Retry once from steepest descent with a fresh approximation.
            h = identity(n);
            first = true;
            continue;
        };
        first = false;
        let s: Vec<f64> = d.iter().map(|v| alpha * v).collect();
        let y: Vec<f64> = gnew.iter().zip(&g).map(|(a, b)| a - b).collect();
        let xnew: Vec<f64> = x.iter().zip(&s).map(|(a, b)| a + b).collect();
        let decrease = fx - fnew;
        x = xnew;
        fx = fnew;
        g = gnew;
        let sy = dot(&s, &y);
        if sy > 1e-300 {
            if iterations == 1 {
                // Scale the initial approximation (Nocedal & Wright 6.20).
                let scale = sy / dot(&y, &y);
                h = identity(n).into_iter().map(|v| v * scale).collect();
            }
            bfgs_update(&mut h, &s, &y, sy);
        }
        if decrease.abs() <= opts.f_tol * (fx.abs() + 1.0) && max_abs(&g) < opts.grad_tol.sqrt() {
            converged = true;
            break;
        }
    }
    // A line search that fails this close to a stationary point has hit rounding noise.
    if max_abs(&g) < opts.grad_tol.sqrt() {
        converged = true;
    }
    Minimum {
        x,
        f: fx,
        grad: g,
        iterations,
        evaluations,
        converged,
    }
}

fn identity(n: usize) -> Vec<f64> {
    let mut h = vec![0.0; n * n];
    for i in 0..n {
        if let Some(v) = h.get_mut(i * n + i) {
            *v = 1.0;
        }
    }
    h
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

fn mat_vec(h: &[f64], v: &[f64]) -> Vec<f64> {
    let n = v.len();
    h.chunks(n.max(1)).map(|row| dot(row, v)).collect()
}

/// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1 / yᵀs.
fn bfgs_update(h: &mut [f64], s: &[f64], y: &[f64], sy: f64) {
    let n = s.len();
    let rho = 1.0 / sy;
    let hy = mat_vec(h, y);
    let yhy = dot(y, &hy);
    for (i, row) in h.chunks_mut(n).enumerate() {
        let (Some(si), Some(hyi)) = (s.get(i), hy.get(i)) else {
            continue;
        };
        for (j, v) in row.iter_mut().enumerate() {
            let (Some(sj), Some(hyj)) = (s.get(j), hy.get(j)) else {
                continue;
            };
            *v += -rho * (hyi * sj + si * hyj) + (rho * rho * yhy + rho) * si * sj;
        }
    }
}

const C1: f64 = 1e-4;
const C2: f64 = 0.9;

/// A step length along `d` satisfying the strong Wolfe conditions, with the value and gradient
/// there; `None` when none is found.
fn line_search<E>(
    eval: &mut E,
    x: &[f64],
    f0: f64,
    slope0: f64,
    d: &[f64],
    alpha0: f64,
) -> Option<(f64, f64, Vec<f64>)>
where
    E: FnMut(&[f64]) -> (f64, Vec<f64>),
{
    let mut at = |alpha: f64| {
        let xa: Vec<f64> = x.iter().zip(d).map(|(a, b)| a + alpha * b).collect();
        let (fa, ga) = eval(&xa);
        let slope = dot(&ga, d);
        (fa, ga, slope)
    };
    let mut prev = (0.0, f0, slope0);
    let mut alpha = alpha0;
    for i in 0..40 {
        let (fa, ga, sa) = at(alpha);
        if !fa.is_finite() {
            // Overshot into a region where the function is undefined: shrink.
            alpha = 0.5 * (prev.0 + alpha);
            continue;
        }
        if fa > f0 + C1 * alpha * slope0 || (i > 0 && fa >= prev.1) {
            return zoom(&mut at, f0, slope0, prev, (alpha, fa, sa));
        }
        if sa.abs() <= -C2 * slope0 {
            return Some((alpha, fa, ga));
        }
        if sa >= 0.0 {
            return zoom(&mut at, f0, slope0, (alpha, fa, sa), prev);
        }
        prev = (alpha, fa, sa);
        alpha *= 2.0;
    }
    None
}

fn zoom<A>(
    at: &mut A,
    f0: f64,
    slope0: f64,
    mut lo: (f64, f64, f64),
    mut hi: (f64, f64, f64),
) -> Option<(f64, f64, Vec<f64>)>
where
    A: FnMut(f64) -> (f64, Vec<f64>, f64),
{
    let mut best: Option<(f64, f64, Vec<f64>)> = None;
    for _ in 0..60 {
        let alpha = cubic_min(lo, hi);
        let (fa, ga, sa) = at(alpha);
        if fa.is_finite() && fa < f0 && best.as_ref().is_none_or(|b| fa < b.1) {
            best = Some((alpha, fa, ga.clone()));
        }
        if !fa.is_finite() || fa > f0 + C1 * alpha * slope0 || fa >= lo.1 {
            hi = (alpha, fa, sa);
        } else {
            if sa.abs() <= -C2 * slope0 {
                return Some((alpha, fa, ga));
            }
            if sa * (hi.0 - lo.0) >= 0.0 {
                hi = lo;
            }
            lo = (alpha, fa, sa);
        }
        if (hi.0 - lo.0).abs() < 1e-16 * lo.0.abs().max(1e-300) {
            break;
        }
    }
    // Accept the best sufficient decrease seen, if any (flat functions near the optimum).
    best
}

/// The minimizer of the cubic through two points with slopes, kept inside the interval (away
/// from its ends); bisection when the cubic is unusable.
fn cubic_min(a: (f64, f64, f64), b: (f64, f64, f64)) -> f64 {
    let (lo, hi) = if a.0 < b.0 { (a, b) } else { (b, a) };
    let mid = 0.5 * (lo.0 + hi.0);
    if !lo.1.is_finite() || !hi.1.is_finite() {
        return mid;
    }
    let h = hi.0 - lo.0;
    let d1 = lo.2 + hi.2 - 3.0 * (lo.1 - hi.1) / (lo.0 - hi.0);
    let disc = d1 * d1 - lo.2 * hi.2;
    if disc.is_nan() || disc < 0.0 {
        return mid;
    }
    let d2 = disc.sqrt();
    let t = hi.0 - h * (hi.2 + d2 - d1) / (hi.2 - lo.2 + 2.0 * d2);
    let margin = 0.1 * h;
    if t.is_finite() && t > lo.0 + margin && t < hi.0 - margin {
        t
    } else {
        mid
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn minimizes_the_rosenbrock_function() {
        let rosen = |x: &[f64]| {
            let (a, b) = (x[0], x[1]);
            let f = (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2);
            let g = vec![
                -2.0 * (1.0 - a) - 400.0 * a * (b - a * a),
                200.0 * (b - a * a),
            ];
            (f, g)
        };
        let m = minimize(rosen, &[-1.2, 1.0], &Options::default());
        assert!(m.converged, "{m:?}");
        assert_abs_diff_eq!(m.x[0], 1.0, epsilon = 1e-7);
        assert_abs_diff_eq!(m.x[1], 1.0, epsilon = 1e-7);
        assert!(m.iterations < 100, "{m:?}");
    }

    #[test]
    fn minimizes_a_quadratic_and_backs_off_from_undefined_regions() {
        // f(x) = Σ i (x_i − i)², undefined (NaN) for x_0 > 5.
        let f = |x: &[f64]| {
            if x[0] > 5.0 {
                return (f64::NAN, vec![0.0; x.len()]);
            }
            let f = x
                .iter()
                .enumerate()
                .map(|(i, v)| (i as f64 + 1.0) * (v - i as f64).powi(2))
                .sum();
            let g = x
                .iter()
                .enumerate()
                .map(|(i, v)| 2.0 * (i as f64 + 1.0) * (v - i as f64))
                .collect();
            (f, g)
        };
        let m = minimize(f, &[4.9, 10.0, -10.0, 3.0], &Options::default());
        assert!(m.converged, "{m:?}");
        for (i, v) in m.x.iter().enumerate() {
            assert_abs_diff_eq!(*v, i as f64, epsilon = 1e-8);
        }
    }
}
