//! Segmentation speed and memory on 1,000,000 customers.
//!
//! (a) One k-means++ fit (k = 8) on a 1,000,000 × 8 standardized matrix of Gaussian blobs:
//!     Tailor's `cluster::kmeans(x, 8, 1, seed)` against scikit-learn `KMeans(n_clusters=8,
//!     n_init=1)` (via `bench/reference/kmeans_time.py`, when python3 has scikit-learn), five
//!     runs each, interleaved; medians and their ratio (goal ≤ 1.25).
//! (b) `k auto` (silhouette over k = 2..10, then the final fit with 10 restarts) through
//!     `models::segment::run::run` on a 1,000,000-customer sample database (built once with
//!     seed 42 and cached as target/bench-data/sample_1m.sqlite): goal < 30 s.
//! (c) Peak memory (VmHWM) after each stage: goal < 1.5 GB.
//!
//! `cargo bench --bench segment`

// A benchmark, like a test, may stop at the first failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Uniform};
use tailor::data::Database;
use tailor::data::dataset::Dataset;
use tailor::data::sample::{SampleOptions, generate};
use tailor::models::segment::cluster;
use tailor::models::segment::run::{SegmentParams, run};
use tailor::progress::{NoProgress, Progress};

/// Prints each stage with the time since the start, to see where the time goes.
struct Timed(Instant, std::sync::Mutex<String>);

impl Progress for Timed {
    fn report(&self, _fraction: f32, msg: &str) {
        let mut last = self.1.lock().unwrap();
        if *last != msg {
            println!("      {:7.1} s  {msg}", self.0.elapsed().as_secs_f64());
            *last = msg.to_string();
        }
    }

    fn is_cancelled(&self) -> bool {
        false
    }
}

const ROWS: usize = 1_000_000;
const COLS: usize = 8;
const K: usize = 8;
const RUNS: usize = 5;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Peak resident memory of this process so far (VmHWM), in MB.
fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Eight Gaussian blobs (centres uniform in [-5, 5]⁸, unit noise), columns standardized.
fn blobs() -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let u = Uniform::new(-5.0, 5.0);
    let centres: Vec<f64> = (0..K * COLS).map(|_| u.sample(&mut rng)).collect();
    let noise = Normal::new(0.0, 1.0).unwrap();
    let mut x = Array2::zeros((ROWS, COLS));
    for (i, mut row) in x.rows_mut().into_iter().enumerate() {
        let c = i % K;
        for (j, v) in row.iter_mut().enumerate() {
            *v = centres[c * COLS + j] + noise.sample(&mut rng);
        }
    }
    for mut col in x.columns_mut() {
        let mean = col.mean().unwrap();
        let sd = col.std(0.0);
        col.mapv_inplace(|v| (v - mean) / sd);
    }
    x
}

fn sklearn_available() -> bool {
    common::python_has("sklearn, numpy")
}

/// One scikit-learn fit: (seconds, inertia, iterations, version).
fn sklearn_run(matrix: &Path, seed: usize) -> (f64, f64, u64, String) {
    let args = [
        matrix.as_os_str().to_owned(),
        ROWS.to_string().into(),
        COLS.to_string().into(),
        K.to_string().into(),
        seed.to_string().into(),
    ];
    let (v, _) = common::python_json("kmeans_time.py", &args);
    (
        v["seconds"].as_f64().unwrap(),
        v["inertia"].as_f64().unwrap(),
        v["n_iter"].as_u64().unwrap(),
        v["sklearn"].as_str().unwrap().to_string(),
    )
}

fn bench_kmeans() {
    println!("(a) one k-means++ fit, {ROWS} x {COLS}, k = {K}, median of {RUNS}");
    let x = blobs();
    let matrix = common::bench_dir().join("blobs_1m_8.f64");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&matrix).unwrap());
        for v in x.iter() {
            w.write_all(&v.to_le_bytes()).unwrap();
        }
        w.flush().unwrap();
    }
    let python = sklearn_available();
    if !python {
        println!("    python3 with scikit-learn not found: the comparison is skipped");
    }
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for i in 0..RUNS {
        let start = Instant::now();
        let c = cluster::kmeans(x.view(), K, 1, i as u64).unwrap();
        let t = start.elapsed().as_secs_f64();
        println!("    tailor  run {i}: {t:.3} s, inertia {:.0}", c.inertia);
        ours.push(t);
        if python {
            let (t, inertia, iters, version) = sklearn_run(&matrix, i);
            println!(
                "    sklearn run {i}: {t:.3} s, inertia {inertia:.0}, {iters} iterations (scikit-learn {version})"
            );
            theirs.push(t);
        }
    }
    let m = median(ours);
    println!("    tailor median:  {m:.3} s");
    if python {
        let s = median(theirs);
        println!("    sklearn median: {s:.3} s");
        println!("    ratio tailor / sklearn: {:.2} (goal <= 1.25)", m / s);
    }
    println!("    peak memory so far: {:.0} MB", peak_mb());
}

fn bench_auto() {
    let db_path = common::bench_dir().join("sample_1m.sqlite");
    if !db_path.exists() {
        println!(
            "(b) building the 1,000,000-customer sample (once): {}",
            db_path.display()
        );
        let start = Instant::now();
        let options = SampleOptions {
            customers: ROWS,
            seed: 42,
        };
        generate(&db_path, &options, None, &NoProgress).unwrap();
        println!("    built in {:.1} s", start.elapsed().as_secs_f64());
    }
    let start = Instant::now();
    let db = Database::open(&db_path).unwrap();
    let data = Dataset::load(&db, &NoProgress).unwrap();
    drop(db);
    println!(
        "(b) loaded {} customers, {} transactions in {:.1} s; peak memory {:.0} MB",
        data.n_customers(),
        data.transactions.len(),
        start.elapsed().as_secs_f64(),
        peak_mb()
    );
    let params = SegmentParams::default();
    let start = Instant::now();
    let result = run(&data, &params, &[], &Timed(start, Default::default())).unwrap();
    let t = start.elapsed().as_secs_f64();
    let scores: Vec<String> = result
        .k_scores
        .iter()
        .map(|s| format!("{}: {:.3}", s.k, s.silhouette))
        .collect();
    println!(
        "    k auto on {} customers x {} features: {t:.1} s (goal < 30 s), picked k = {}",
        result.labels.len(),
        result.features.p(),
        result.k
    );
    println!("    silhouettes {}", scores.join(", "));
    println!(
        "(c) peak memory (VmHWM): {:.0} MB (goal < 1536 MB)",
        peak_mb()
    );
}

fn main() {
    // `cargo bench` passes --bench; a filter argument selects one part.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let want = |name: &str| args.is_empty() || args.iter().any(|a| name.contains(a.as_str()));
    if want("kmeans") {
        bench_kmeans();
    }
    if want("auto") {
        bench_auto();
    }
}
