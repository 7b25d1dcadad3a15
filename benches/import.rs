//! Import speed on Online Retail (541,909 rows): Tailor's `import_files` against the sqlite3
//! shell's `.import --csv`, three runs each, interleaved; prints the medians and their ratio.
//!
//! `TAILOR_DATA_DIR=/work/shared/data cargo bench --bench import`

// A benchmark, like a test, may stop at the first failure.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use tailor::data::Database;
use tailor::data::import::{ImportOptions, import_files};
use tailor::progress::NoProgress;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn decompress(gz: &Path, out: &Path) {
    let mut input = flate2::read::MultiGzDecoder::new(std::fs::File::open(gz).unwrap());
    let mut output = std::io::BufWriter::new(std::fs::File::create(out).unwrap());
    std::io::copy(&mut input, &mut output).unwrap();
    output.flush().unwrap();
}

fn tailor_run(csv: &Path, db: &Path) -> f64 {
    let _ = std::fs::remove_file(db);
    let start = Instant::now();
    let mut database = Database::open_or_create(db).unwrap();
    let summary = import_files(
        &mut database,
        &[csv.to_path_buf()],
        &ImportOptions::default(),
        &NoProgress,
    )
    .unwrap();
    drop(database);
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(summary.files[0].rows_read, 541_909);
    secs
}

fn sqlite_run(csv: &Path, db: &Path) -> f64 {
    let _ = std::fs::remove_file(db);
    let start = Instant::now();
    let status = std::process::Command::new("/usr/bin/sqlite3")
        .arg(db)
        .arg(format!(".import --csv {} t", csv.display()))
        .status()
        .unwrap();
    let secs = start.elapsed().as_secs_f64();
    assert!(status.success());
    secs
}

fn main() {
    let Some(dir) = std::env::var_os("TAILOR_DATA_DIR").map(PathBuf::from) else {
        eprintln!("note: TAILOR_DATA_DIR is not set; skipping the import benchmark");
        return;
    };
    if !Path::new("/usr/bin/sqlite3").exists() {
        eprintln!("note: /usr/bin/sqlite3 not found; skipping the import benchmark");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("online_retail.csv");
    decompress(&dir.join("online_retail/online_retail.csv.gz"), &csv);
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for run in 1..=3 {
        let t = tailor_run(&csv, &tmp.path().join("tailor.sqlite"));
        let s = sqlite_run(&csv, &tmp.path().join("sqlite.sqlite"));
        println!("run {run}: tailor {t:.3} s, sqlite3 .import {s:.3} s");
        ours.push(t);
        theirs.push(s);
    }
    let (t, s) = (median(ours), median(theirs));
    println!(
        "median: tailor {t:.3} s, sqlite3 .import {s:.3} s, ratio {:.2}x (goal: within 2x)",
        t / s
    );
}
