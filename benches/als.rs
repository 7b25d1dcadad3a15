//! Implicit ALS speed on 100,000 customers × 20,000 products × 5,000,000 interactions.
//!
//! Synthetic implicit data, deterministic (seed 7): product popularity and per-customer basket
//! sizes follow power laws, pairs are distinct, each pair's count is 1..30 (geometric). Times
//! `Als::fit` with `AlsParams::default()` (64 factors, 15 iterations, regularization 0.01), best
//! of two runs (one when a run takes over a minute). The same matrix is written to
//! `target/bench-data/als_5m.csr` so `bench/reference/implicit_als_time.py` times implicit's CPU
//! ALS on it; when python3 has `implicit`, the bench runs that too and prints the ratio
//! (goal ≤ 1.5).
//!
//! `cargo bench --bench als` (`-- --tailor-only` to skip implicit)

// A benchmark, like a test, may stop at the first failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tailor::models::recommend::als::{Als, AlsParams};
use tailor::models::recommend::interactions::{Interactions, Pair};
use tailor::progress::NoProgress;

const CUSTOMERS: usize = 100_000;
const PRODUCTS: usize = 20_000;
const INTERACTIONS: usize = 5_000_000;
/// No customer has more than this many distinct products.
const MAX_BASKET: usize = 4_000;

/// Basket sizes: Pareto (shape 1.2) scaled so they sum to exactly `INTERACTIONS`, each in
/// 1..=`MAX_BASKET`.
fn basket_sizes(rng: &mut ChaCha8Rng) -> Vec<usize> {
    let raw: Vec<f64> = (0..CUSTOMERS)
        .map(|_| (1.0 - rng.r#gen::<f64>()).powf(-1.0 / 1.2))
        .collect();
    let scale = INTERACTIONS as f64 / raw.iter().sum::<f64>();
    let mut sizes: Vec<usize> = raw
        .iter()
        .map(|r| ((r * scale).round() as usize).clamp(1, MAX_BASKET))
        .collect();
    let mut total: usize = sizes.iter().sum();
    while total != INTERACTIONS {
        let c = rng.gen_range(0..CUSTOMERS);
        if total < INTERACTIONS && sizes[c] < MAX_BASKET {
            sizes[c] += 1;
            total += 1;
        } else if total > INTERACTIONS && sizes[c] > 1 {
            sizes[c] -= 1;
            total -= 1;
        }
    }
    sizes
}

/// The synthetic interactions, by customer, products sorted.
fn synthetic() -> Interactions {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    // Popularity of product rank r ∝ 1 / (r + 10)^0.9; products get ranks in a shuffled order.
    let mut order: Vec<u32> = (0..PRODUCTS as u32).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.gen_range(0..=i));
    }
    let mut cumulative = Vec::with_capacity(PRODUCTS);
    let mut acc = 0.0f64;
    for r in 0..PRODUCTS {
        acc += 1.0 / (r as f64 + 10.0).powf(0.9);
        cumulative.push(acc);
    }
    let sizes = basket_sizes(&mut rng);
    let mut indptr = Vec::with_capacity(CUSTOMERS + 1);
    indptr.push(0);
    let mut pairs = Vec::with_capacity(INTERACTIONS);
    let mut taken = vec![false; PRODUCTS];
    let mut own: Vec<u32> = Vec::new();
    for &size in &sizes {
        own.clear();
        while own.len() < size {
            let u = rng.r#gen::<f64>() * acc;
            let rank = cumulative.partition_point(|&c| c < u).min(PRODUCTS - 1);
            let p = order[rank];
            if !taken[p as usize] {
                taken[p as usize] = true;
                own.push(p);
            }
        }
        own.sort_unstable();
        for &p in &own {
            taken[p as usize] = false;
            let mut count = 1;
            while count < 30 && rng.r#gen::<f64>() < 0.4 {
                count += 1;
            }
            pairs.push(Pair {
                product: p,
                count,
                last_ts: 0,
                last_row: 0,
            });
        }
        indptr.push(pairs.len());
    }
    Interactions {
        indptr,
        pairs,
        n_products: PRODUCTS,
    }
}

/// Whether the Python (`$TAILOR_PYTHON`, else python3) has `implicit`.
fn implicit_available() -> bool {
    common::python_has("implicit, scipy, numpy")
}

/// One implicit fit on the written matrix: (seconds, CPU seconds, the script's JSON line).
fn implicit_run(matrix: &Path) -> (f64, f64, String) {
    let (v, line) = common::python_json("implicit_als_time.py", &[matrix]);
    (
        v["seconds"].as_f64().unwrap(),
        v["cpu_seconds"].as_f64().unwrap(),
        line,
    )
}

fn main() {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let start = Instant::now();
    let data = synthetic();
    let max_basket = (0..data.n_customers())
        .map(|c| data.of(c).len())
        .max()
        .unwrap_or(0);
    println!(
        "als: {} customers × {} products, {} pairs (largest basket {max_basket}), made in {:.1} s",
        data.n_customers(),
        data.n_products,
        data.pairs.len(),
        start.elapsed().as_secs_f64()
    );
    let matrix = common::bench_dir().join("als_5m.csr");
    common::write_csr(&data, 1.0, &matrix);
    println!("    matrix written to {}", matrix.display());

    // `cargo bench --bench als -- --tailor-only` skips implicit.
    let python = !std::env::args().any(|a| a == "--tailor-only") && implicit_available();
    if !python {
        println!(
            "    implicit not run (--tailor-only, or {} lacks implicit)",
            common::python()
        );
    }
    let params = AlsParams::default();
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for run in 0..2 {
        let before = common::load();
        let (t0, c0) = (Instant::now(), common::cpu_seconds());
        let als = Als::fit(&data, &params, &NoProgress).unwrap();
        let (t, cpu) = (t0.elapsed().as_secs_f64(), common::cpu_seconds() - c0);
        std::hint::black_box(&als);
        println!("    tailor run {run}: {t:.2} s, CPU {cpu:.1} s (load before {before})");
        ours.push(t);
        if python {
            let before = common::load();
            let (t, cpu, line) = implicit_run(&matrix);
            println!(
                "    implicit run {run}: {t:.2} s, CPU {cpu:.1} s (load before {before}) {line}"
            );
            theirs.push(t);
        }
        if t > 60.0 {
            break;
        }
    }
    let best = ours.iter().copied().fold(f64::INFINITY, f64::min);
    let mut summary = format!(
        "als: {} factors, {} iterations, {threads} threads: tailor best {best:.2} s",
        params.factors, params.iterations
    );
    if python {
        let peer = theirs.iter().copied().fold(f64::INFINITY, f64::min);
        summary.push_str(&format!(
            ", implicit best {peer:.2} s, ratio {:.2} (goal <= 1.5)",
            best / peer
        ));
    }
    println!("{summary}");
}
