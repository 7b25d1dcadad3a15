//! The audit of a 1,000,000-customer decision in 5 groups, against a plain numpy bincount of the
//! same rates (goal: at least as fast; it takes about 0.3 s here) and with 200 bootstrap
//! resamples (goal: under 5 s). Writes the decision to target/bench-data/fairness_1m.csv and
//! runs `bench/reference/fairness_numpy_time.py` on it when python3 has numpy.
//!
//! `cargo bench --bench fairness`

// A benchmark, like a test, may stop at the first failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::Command;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tailor::models::fairness::audit::{AuditOptions, rates};

const N: usize = 1_000_000;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let group: Vec<Option<u32>> = (0..N).map(|_| Some(rng.gen_range(0..5))).collect();
    let label: Vec<bool> = (0..N).map(|_| rng.gen_bool(0.25)).collect();
    let selected: Vec<bool> = group
        .iter()
        .zip(&label)
        .map(|(g, y)| rng.gen_bool(if *y { 0.5 } else { 0.1 } + 0.02 * f64::from(g.unwrap_or(0))))
        .collect();
    let names: Vec<String> = (0..5).map(|g| format!("group {g}")).collect();
    let mut plain = Vec::new();
    let mut boot = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let r = rates(
            &selected,
            Some(&label),
            &group,
            &names,
            &AuditOptions {
                bootstrap: 0,
                seed: 1,
            },
        );
        plain.push(t.elapsed().as_secs_f64());
        assert_eq!(r.groups.len(), 5);
        let t = Instant::now();
        let r = rates(
            &selected,
            Some(&label),
            &group,
            &names,
            &AuditOptions {
                bootstrap: 200,
                seed: 1,
            },
        );
        boot.push(t.elapsed().as_secs_f64());
        assert!(r.groups[0].ci_low.is_finite());
    }
    println!(
        "tailor audit, 1,000,000 customers × 5 groups: median {:.4} s; with 200 bootstrap resamples {:.4} s (goal < 5 s)",
        median(plain),
        median(boot)
    );
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("fairness_1m.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(f, "group,selected,label").unwrap();
    for i in 0..N {
        writeln!(
            f,
            "{},{},{}",
            group[i].unwrap_or(0),
            u8::from(selected[i]),
            u8::from(label[i])
        )
        .unwrap();
    }
    drop(f);
    match Command::new("python3")
        .arg(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("bench/reference/fairness_numpy_time.py"),
        )
        .arg(&path)
        .output()
    {
        Ok(out) if out.status.success() => print!("{}", String::from_utf8_lossy(&out.stdout)),
        _ => println!("python3 with numpy is not available: no peer timing"),
    }
}
