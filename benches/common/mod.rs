//! What the benchmarks share: where they keep their data, the CSR file the Python peers read,
//! the machine's load and the process's CPU time, and running a peer's timing script.

// Each benchmark uses its own part of this module.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use tailor::models::recommend::interactions::Interactions;

/// `target/bench-data`, made if missing.
pub fn bench_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes the interactions as CSR, little-endian: u64 rows, u64 cols, u64 nnz, then i64 indptr
/// (rows + 1), i32 column indices (nnz), f32 values (nnz): each pair's count times `alpha`, the
/// confidence ALS fits on.
pub fn write_csr(data: &Interactions, alpha: f32, path: &Path) {
    let tmp = path.with_extension("tmp");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp).unwrap());
    for v in [data.n_customers(), data.n_products, data.pairs.len()] {
        w.write_all(&(v as u64).to_le_bytes()).unwrap();
    }
    for &i in &data.indptr {
        w.write_all(&(i as i64).to_le_bytes()).unwrap();
    }
    for p in &data.pairs {
        w.write_all(&(p.product as i32).to_le_bytes()).unwrap();
    }
    for p in &data.pairs {
        w.write_all(&(p.count as f32 * alpha).to_le_bytes())
            .unwrap();
    }
    w.into_inner().unwrap().sync_all().unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// Writes a row-major f32 matrix, little-endian: u64 rows, u64 cols, then the values.
pub fn write_matrix(values: &[f32], cols: usize, path: &Path) {
    let tmp = path.with_extension("tmp");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp).unwrap());
    for v in [values.len() / cols.max(1), cols] {
        w.write_all(&(v as u64).to_le_bytes()).unwrap();
    }
    for x in values {
        w.write_all(&x.to_le_bytes()).unwrap();
    }
    w.into_inner().unwrap().sync_all().unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// The 1-, 5- and 15-minute load averages.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// CPU time of this process so far (user + system, all threads), in seconds.
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    f.iter().sum::<f64>() / 100.0
}

/// The Python the peers run under: `$TAILOR_PYTHON`, else python3.
pub fn python() -> String {
    std::env::var("TAILOR_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Whether that Python can import `modules` (comma-separated).
pub fn python_has(modules: &str) -> bool {
    Command::new(python())
        .args(["-c", &format!("import {modules}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs `bench/reference/SCRIPT ARGS…` and parses the one JSON line it prints.
pub fn python_json<A: AsRef<OsStr>>(script: &str, args: &[A]) -> (serde_json::Value, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("bench/reference")
        .join(script);
    let out = Command::new(python())
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (serde_json::from_str(&line).unwrap(), line)
}
