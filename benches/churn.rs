//! Churn model speed.
//!
//! (a) Logistic regression on a synthetic 1,000,000 × 20 problem (seeded; standard normal
//!     inputs, known coefficients, labels drawn from the logistic model): Tailor's
//!     `Logistic::fit` (Newton, tol 1e-4 on the max gradient of the mean-loss objective, C = 1)
//!     against scikit-learn `LogisticRegression(C=1, solver="lbfgs", tol=1e-4)` on the same
//!     data, written to target/bench-data/ (via `bench/reference/logistic_time.py`, when
//!     python3 has scikit-learn). Five runs each, interleaved; medians and their ratio (goal:
//!     ≤ 2, and faster). The largest coefficient difference shows both reached the same optimum.
//! (b) The random forest (200 trees) on Telco-size data: 7,043 × 43 synthetic inputs (mixed
//!     binary and numeric), one fit; and, when `TAILOR_DATA_DIR` is set, the full 5-fold forest
//!     run on the real Telco data.
//!
//! `cargo bench --bench churn`

// A benchmark, like a test, may stop at the first failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use tailor::models::churn::forest::{Forest, ForestParams};
use tailor::models::churn::logistic::{Logistic, LogisticParams};
use tailor::progress::NoProgress;

const ROWS: usize = 1_000_000;
const COLS: usize = 20;
const RUNS: usize = 5;
const TOL: f64 = 1e-4;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn bench_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn problem() -> (Vec<f64>, Vec<u8>) {
    let mut rng = ChaCha8Rng::seed_from_u64(2025);
    let beta: Vec<f64> = (0..COLS).map(|j| (j as f64 - 9.5) * 0.08).collect();
    let mut x = Vec::with_capacity(ROWS * COLS);
    let mut y = Vec::with_capacity(ROWS);
    for _ in 0..ROWS {
        let mut t = -0.5;
        for b in &beta {
            let v: f64 = StandardNormal.sample(&mut rng);
            t += b * v;
            x.push(v);
        }
        let p = 1.0 / (1.0 + (-t).exp());
        y.push(u8::from(rng.r#gen::<f64>() < p));
    }
    (x, y)
}

fn sklearn_time(xp: &Path, yp: &Path) -> Option<(f64, serde_json::Value)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/reference/logistic_time.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(xp)
        .arg(yp)
        .arg(ROWS.to_string())
        .arg(COLS.to_string())
        .arg(TOL.to_string())
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!(
            "scikit-learn run failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some((v["seconds"].as_f64()?, v))
}

fn main() {
    println!("(a) logistic regression, {ROWS} × {COLS}, tol {TOL}");
    let (x, y) = problem();
    let dir = bench_dir();
    let xp = dir.join("logistic_1m_x.f64");
    let yp = dir.join("logistic_1m_y.u8");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&xp).unwrap());
        for v in &x {
            f.write_all(&v.to_le_bytes()).unwrap();
        }
        std::fs::write(&yp, &y).unwrap();
    }
    let params = LogisticParams {
        c: 1.0,
        tol: TOL,
        max_iter: 100,
    };
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut model = None;
    let mut reference = None;
    for run in 0..RUNS {
        let start = Instant::now();
        let m = Logistic::fit(&x, COLS, &y, &params).unwrap();
        let t = start.elapsed().as_secs_f64();
        println!(
            "  run {run}: Tailor {t:.3} s ({} Newton steps, max gradient {:.1e})",
            m.iterations, m.gradient_norm
        );
        ours.push(t);
        model = Some(m);
        if let Some((s, v)) = sklearn_time(&xp, &yp) {
            println!(
                "  run {run}: scikit-learn {s:.3} s ({} lbfgs iterations)",
                v["n_iter"]
            );
            theirs.push(s);
            reference = Some(v);
        }
    }
    let m = model.unwrap();
    let tailor = median(ours);
    println!("  Tailor median {tailor:.3} s");
    if let Some(v) = reference {
        let sk = median(theirs);
        // Compare in original units (the inputs are nearly standard, so the scales are close).
        let (b0, coef) = m.original_units();
        let diff = coef
            .iter()
            .zip(v["coef"].as_array().unwrap())
            .map(|(a, b)| (a - b.as_f64().unwrap()).abs())
            .fold((b0 - v["intercept"].as_f64().unwrap()).abs(), f64::max);
        println!(
            "  scikit-learn {} median {sk:.3} s; ratio Tailor / scikit-learn {:.2} (goal ≤ 2); \
             largest coefficient difference {diff:.1e}",
            v["sklearn"].as_str().unwrap_or("?"),
            tailor / sk
        );
    } else {
        println!("  (python3 with scikit-learn not found: no comparison)");
    }
    drop(x);

    println!("(b) random forest, 200 trees, 7,043 × 43 synthetic");
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (n, p) = (7043, 43);
    let mut fx = Vec::with_capacity(n * p);
    let mut fy = Vec::with_capacity(n);
    for _ in 0..n {
        let mut t = -1.0;
        for j in 0..p {
            let v = if j < 3 {
                rng.gen_range(0.0..100.0)
            } else {
                f64::from(u8::from(rng.r#gen::<f64>() < 0.4))
            };
            t += match j {
                0 => -0.03 * v,
                1 => 0.02 * v,
                3..=6 => 0.8 * v,
                _ => 0.0,
            };
            fx.push(v);
        }
        fy.push(u8::from(rng.r#gen::<f64>() < 1.0 / (1.0 + (-t).exp())));
    }
    let rows: Vec<usize> = (0..n).collect();
    let start = Instant::now();
    let f = Forest::fit(&fx, p, &rows, &fy, &ForestParams::default(), &NoProgress).unwrap();
    println!(
        "  one fit: {:.2} s ({} trees)",
        start.elapsed().as_secs_f64(),
        f.n_trees()
    );
    if let Some(dir) = std::env::var_os("TAILOR_DATA_DIR") {
        let tmp = bench_dir().join("telco_bench.sqlite");
        let _ = std::fs::remove_file(&tmp);
        tailor::data::import::import_to_path(
            &tmp,
            &[PathBuf::from(dir).join("telco_churn/Telco-Customer-Churn.csv")],
            &tailor::data::import::ImportOptions::default(),
            &NoProgress,
        )
        .unwrap();
        let db = tailor::data::Database::open(&tmp).unwrap();
        let data = tailor::data::dataset::Dataset::load(&db, &NoProgress).unwrap();
        for model in [
            tailor::models::churn::run::ModelKind::Logistic,
            tailor::models::churn::run::ModelKind::Forest,
        ] {
            let params = tailor::models::churn::run::ChurnParams {
                model,
                ..Default::default()
            };
            let start = Instant::now();
            let r = tailor::models::churn::run::run(&data, &params, &NoProgress).unwrap();
            println!(
                "  Telco 5-fold {} run (with calibration and reasons): {:.2} s, AUC {:.4}",
                model.as_str(),
                start.elapsed().as_secs_f64(),
                r.metrics.auc
            );
        }
    }
}
