//! Customers simulated from the BG/NBD model itself (tests and the benchmark).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma};

use crate::models::clv::bgnbd::{BgNbd, RfData};

/// `n` customers from the BG/NBD model with parameters `p`: each gets a purchase rate
/// λ ~ gamma(r, rate α) and a drop-out probability q ~ beta(a, b), an age T uniform in
/// [1, `max_age`], then exponential gaps between purchases until T, dropping out with
/// probability q after each repeat purchase. Seeded: the same seed gives the same data.
/// Returns empty data when a parameter is not positive.
pub fn simulate(p: &BgNbd, n: usize, max_age: f64, seed: u64) -> RfData {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (Ok(rate), Ok(dropout)) = (Gamma::new(p.r, 1.0 / p.alpha), Beta::new(p.a, p.b)) else {
        return RfData::default();
    };
    let mut d = RfData {
        x: Vec::with_capacity(n),
        t_x: Vec::with_capacity(n),
        t: Vec::with_capacity(n),
    };
    for _ in 0..n {
        let lambda: f64 = rate.sample(&mut rng);
        let q: f64 = dropout.sample(&mut rng);
        let age = rng.gen_range(1.0..max_age.max(1.0 + 1e-9));
        let mut x = 0u32;
        let mut t = 0.0;
        let mut last = 0.0;
        if let Ok(gap) = Exp::new(lambda.max(1e-12)) {
            loop {
                t += gap.sample(&mut rng);
                if t > age {
                    break;
                }
                x += 1;
                last = t;
                if rng.gen_bool(q.clamp(0.0, 1.0)) {
                    break;
                }
            }
        }
        d.x.push(x);
        d.t_x.push(last);
        d.t.push(age);
    }
    d
}
