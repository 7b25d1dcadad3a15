//! Special functions for the lifetime-value models: ln Γ, digamma and the Gaussian
//! hypergeometric function ₂F₁, all in plain `f64`.

use std::f64::consts::PI;

const LANCZOS_G: f64 = 7.0;
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// ln |Γ(x)| (Lanczos, g = 7; reflection below 0.5). About 15 significant digits.
pub fn ln_gamma(x: f64) -> f64 {
    if x < 0.5 {
        // Γ(x) Γ(1 − x) = π / sin(πx)
        let s = (PI * x).sin().abs();
        return PI.ln() - s.ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = LANCZOS[0];
    for (i, c) in LANCZOS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + LANCZOS_G + 0.5;
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The sign of Γ(x): +1 for x > 0, alternating between the poles for x < 0.
pub fn gamma_sign(x: f64) -> f64 {
    if x > 0.0 || (x.floor() as i64).rem_euclid(2) == 0 {
        1.0
    } else {
        -1.0
    }
}

/// The digamma function ψ(x) = d ln Γ(x) / dx, for x > 0 (recurrence up to 10, then the
/// asymptotic series). Reflection for x ≤ 0.
pub fn digamma(x: f64) -> f64 {
    if x <= 0.0 {
        // ψ(1 − x) − ψ(x) = π cot(πx)
        return digamma(1.0 - x) - PI / (PI * x).tan();
    }
    let mut x = x;
    let mut acc = 0.0;
    while x < 10.0 {
        acc -= 1.0 / x;
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    acc + x.ln()
        - 0.5 * inv
        - inv2
            * (1.0 / 12.0
                - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 / 132.0))))
}

/// The most terms a ₂F₁ series sums before giving up.
const MAX_TERMS: usize = 2_000_000;

/// The power series Σ (a)ₙ(b)ₙ / ((c)ₙ n!) zⁿ for |z| < 1, summed until a term no longer changes
/// the sum (and the terms shrink).
fn series(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut comp = 0.0; // Kahan compensation
    for n in 0..MAX_TERMS {
        let nf = n as f64;
        term *= (a + nf) * (b + nf) / ((c + nf) * (nf + 1.0)) * z;
        let y = term - comp;
        let t = sum + y;
        comp = (t - sum) - y;
        sum = t;
        if term == 0.0 || !sum.is_finite() {
            break;
        }
        // The ratio of successive terms tends to z; stop once the terms are negligible and
        // shrinking.
        let ratio = ((a + nf + 1.0) * (b + nf + 1.0) / ((c + nf + 1.0) * (nf + 2.0)) * z).abs();
        if ratio < 1.0 && term.abs() < 1e-17 * sum.abs() * (1.0 - ratio) {
            break;
        }
    }
    sum
}

/// The Gaussian hypergeometric function ₂F₁(a, b; c; z) for real z < 1 and c not a
/// non-positive integer.
///
/// - z < 0: Pfaff's transformation ₂F₁(a, b; c; z) = (1 − z)^(−a) ₂F₁(a, c − b; c; z/(z − 1)),
///   which moves the argument into [0, 1).
/// - 0 ≤ z ≤ 0.9: the power series.
/// - z > 0.9: the 1 − z transformation (Abramowitz & Stegun 15.3.6), whose two series converge
///   fast there, unless c − a − b is within 10⁻⁴ of an integer (its gamma factors have poles);
///   then the power series, which still converges for z < 1, only with more terms.
///
/// Returns NaN for z ≥ 1.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    if z.is_nan() || z >= 1.0 || !a.is_finite() || !b.is_finite() || !c.is_finite() {
        return f64::NAN;
    }
    if z == 0.0 || a == 0.0 || b == 0.0 {
        return 1.0;
    }
    if z < 0.0 {
        let w = z / (z - 1.0);
        return (1.0 - z).powf(-a) * hyp2f1(a, c - b, c, w);
    }
    let s = c - a - b;
    if z <= 0.9 || (s - s.round()).abs() < 1e-4 {
        return series(a, b, c, z);
    }
    let w = 1.0 - z;
    // Γ(c)Γ(s)/(Γ(c−a)Γ(c−b)) F(a, b; 1 − s; w) + w^s Γ(c)Γ(−s)/(Γ(a)Γ(b)) F(c−a, c−b; 1 + s; w)
    let g1 = gamma_ratio(&[c, s], &[c - a, c - b]);
    let g2 = gamma_ratio(&[c, -s], &[a, b]);
    g1 * series(a, b, 1.0 - s, w) + w.powf(s) * g2 * series(c - a, c - b, 1.0 + s, w)
}

/// Π Γ(num) / Π Γ(den), through ln |Γ| and signs; 0 when a denominator is at a pole.
fn gamma_ratio(num: &[f64], den: &[f64]) -> f64 {
    let mut ln = 0.0;
    let mut sign = 1.0;
    for &x in den {
        if x <= 0.0 && x == x.round() {
            return 0.0; // 1/Γ at a pole is 0
        }
        ln -= ln_gamma(x);
        sign *= gamma_sign(x);
    }
    for &x in num {
        ln += ln_gamma(x);
        sign *= gamma_sign(x);
    }
    sign * ln.exp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn ln_gamma_and_digamma_match_known_values() {
        assert_relative_eq!(ln_gamma(1.0), 0.0, epsilon = 1e-14);
        assert_relative_eq!(ln_gamma(0.5), PI.sqrt().ln(), epsilon = 1e-14);
        assert_relative_eq!(ln_gamma(10.0), 362_880f64.ln(), max_relative = 1e-14);
        assert_relative_eq!(
            ln_gamma(0.243),
            1.318_043_584_699_67_f64,
            max_relative = 1e-12
        );
        assert_relative_eq!(ln_gamma(-0.5), (2.0 * PI.sqrt()).ln(), max_relative = 1e-13);
        assert_eq!(gamma_sign(-0.5), -1.0);
        assert_eq!(gamma_sign(-1.5), 1.0);
        let euler = 0.577_215_664_901_532_9;
        assert_relative_eq!(digamma(1.0), -euler, max_relative = 1e-13);
        assert_relative_eq!(digamma(0.5), -euler - 2.0 * 2f64.ln(), max_relative = 1e-13);
        assert_relative_eq!(digamma(100.0), 4.600_161_852_738_087, max_relative = 1e-13);
        // ψ is the derivative of ln Γ.
        for x in [0.3, 1.7, 4.2, 25.0] {
            let h = 1e-5;
            let d = (ln_gamma(x + h) - ln_gamma(x - h)) / (2.0 * h);
            assert_relative_eq!(digamma(x), d, max_relative = 1e-8);
        }
    }

    #[test]
    fn hyp2f1_matches_closed_forms() {
        // ₂F₁(1, 1; 2; z) = −ln(1 − z)/z, also near 1 and for negative z.
        for z in [0.1f64, 0.5, 0.89, 0.95, 0.99, 0.999_9, -0.5, -3.0] {
            let exact = -(1.0 - z).ln() / z;
            assert_relative_eq!(hyp2f1(1.0, 1.0, 2.0, z), exact, max_relative = 1e-12);
        }
        // ₂F₁(a, b; b; z) = (1 − z)^(−a)
        for z in [0.3f64, 0.95, 0.999] {
            assert_relative_eq!(
                hyp2f1(0.7, 2.5, 2.5, z),
                (1.0 - z).powf(-0.7),
                max_relative = 1e-11
            );
        }
        // ₂F₁(1/2, 1/2; 3/2; z²) = arcsin(z)/z
        for z in [0.5f64, 0.97, 0.9999] {
            assert_relative_eq!(
                hyp2f1(0.5, 0.5, 1.5, z * z),
                z.asin() / z,
                max_relative = 1e-11
            );
        }
        // Gauss's theorem at z → 1 (c − a − b > 0): F(a,b;c;1) = Γ(c)Γ(c−a−b)/(Γ(c−a)Γ(c−b)).
        let (a, b, c) = (0.243, 2.426, 3.9);
        let at1 = gamma_ratio(&[c, c - a - b], &[c - a, c - b]);
        assert_relative_eq!(hyp2f1(a, b, c, 1.0 - 1e-12), at1, max_relative = 1e-6);
        // mpmath: hyp2f1(1.243, 3.426, 3.219, 0.8) = 8.86349648886143
        assert_relative_eq!(
            hyp2f1(1.243, 3.426, 3.219, 0.8),
            8.863_496_488_861_43,
            max_relative = 1e-12
        );
        // The 1 − z branch (mpmath values) and the slow series it replaces.
        let (a, b, c) = (5.243, 7.426, 10.219);
        assert_relative_eq!(
            hyp2f1(a, b, c, 0.95),
            14_690.520_247_727,
            max_relative = 1e-10
        );
        assert_relative_eq!(
            hyp2f1(a, b, c, 0.95),
            series(a, b, c, 0.95),
            max_relative = 1e-9
        );
        assert_relative_eq!(
            hyp2f1(3.243, 5.426, 5.219, 0.97),
            161_785.295_092_848,
            max_relative = 1e-10
        );
        assert!(hyp2f1(1.0, 1.0, 2.0, 1.0).is_nan());
    }
}
