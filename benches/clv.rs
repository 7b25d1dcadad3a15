//! BG/NBD fit on a 1,000,000-customer frequency / recency / T summary drawn from the model
//! itself (r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, ages uniform in 1..39 weeks, seed
//! 42), against the `lifetimes` package's `BetaGeoFitter` on the same summary (written to
//! `target/clv_bench_summary.csv`, timed by `bench/reference/lifetimes_time.py`). Three runs
//! each, interleaved; medians and their ratio (goal: Tailor at least 5× faster).
//!
//! `cargo bench --bench clv`. Python: `$TAILOR_PYTHON`, else `target/lifetimes-venv/bin/python`
//! when it exists (`python3 -m venv target/lifetimes-venv && target/lifetimes-venv/bin/pip
//! install lifetimes`), else `python3`; without `lifetimes` the comparison is skipped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use tailor::models::clv::bgnbd::{self, BgNbd, RfData};
use tailor::models::clv::simulate::simulate;

const CUSTOMERS: usize = 1_000_000;
const RUNS: usize = 3;

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("TAILOR_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/lifetimes-venv/bin/python");
    if venv.exists() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

fn lifetimes_available(py: &Path) -> bool {
    Command::new(py)
        .args(["-c", "import lifetimes"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn write_csv(d: &RfData, path: &Path) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(w, "frequency,recency,T").unwrap();
    for i in 0..d.len() {
        writeln!(w, "{},{},{}", d.x[i], d.t_x[i], d.t[i]).unwrap();
    }
}

fn lifetimes_run(py: &Path, csv: &Path) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/reference/lifetimes_time.py");
    let out = Command::new(py).arg(script).arg(csv).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let truth = BgNbd {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };
    let start = Instant::now();
    let d = simulate(&truth, CUSTOMERS, 39.0, 42);
    let repeat = d.x.iter().filter(|&&x| x > 0).count();
    println!(
        "clv: {} customers simulated from BG/NBD {truth:?} in {:.2} s ({repeat} with repeat purchases, threads {})",
        d.len(),
        start.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&target).unwrap();
    let csv = target.join("clv_bench_summary.csv");
    write_csv(&d, &csv);
    let py = python();
    let compare = lifetimes_available(&py);
    if !compare {
        println!(
            "    {} has no lifetimes package: the comparison is skipped",
            py.display()
        );
    }
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for i in 0..RUNS {
        let t = Instant::now();
        let fit = bgnbd::fit(&d);
        let secs = t.elapsed().as_secs_f64();
        println!(
            "    tailor run {i}: {secs:.3} s, r {:.4}, alpha {:.4}, a {:.4}, b {:.4}, log-likelihood {:.2}, {} iterations, {} evaluations, converged {}",
            fit.params.r,
            fit.params.alpha,
            fit.params.a,
            fit.params.b,
            fit.log_likelihood,
            fit.iterations,
            fit.evaluations,
            fit.converged
        );
        ours.push(secs);
        if compare {
            let v = lifetimes_run(&py, &csv);
            let secs = v["seconds"].as_f64().unwrap();
            let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
            let ll = bgnbd::log_likelihood(
                &BgNbd {
                    r: f("r"),
                    alpha: f("alpha"),
                    a: f("a"),
                    b: f("b"),
                },
                &d,
            );
            println!(
                "    lifetimes run {i}: {secs:.3} s, r {:.4}, alpha {:.4}, a {:.4}, b {:.4}, log-likelihood {ll:.2} (lifetimes {}, pandas {}, numpy {})",
                f("r"),
                f("alpha"),
                f("a"),
                f("b"),
                v["lifetimes"].as_str().unwrap_or("?"),
                v["pandas"].as_str().unwrap_or("?"),
                v["numpy"].as_str().unwrap_or("?")
            );
            theirs.push(secs);
        }
    }
    let m = median(ours);
    println!("    tailor median: {m:.3} s");
    if compare {
        let s = median(theirs);
        println!("    lifetimes median: {s:.3} s");
        println!("    speed-up lifetimes / tailor: {:.1}x (goal >= 5)", s / m);
    }
}
