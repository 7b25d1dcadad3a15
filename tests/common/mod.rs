//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The folder of real data sets (`TAILOR_DATA_DIR`), or `None` to skip. Under CI the variable
/// must be set: the real-data tests must run there, not skip.
pub fn data_dir() -> Option<PathBuf> {
    match std::env::var_os("TAILOR_DATA_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            assert!(
                dir.is_dir(),
                "TAILOR_DATA_DIR is not a folder: {}",
                dir.display()
            );
            Some(dir)
        }
        None => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but TAILOR_DATA_DIR is not: the real-data tests must run in CI"
            );
            eprintln!("TAILOR_DATA_DIR is not set: skipping a real-data test");
            None
        }
    }
}

/// A copy of the bundled sample database in `dir` (`demo.sqlite`), as a path string.
pub fn sample_copy(dir: &std::path::Path) -> String {
    let path = dir.join("demo.sqlite");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_db/demo.sqlite"),
        &path,
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

/// The header and the rows of a CSV file.
pub fn read_csv(path: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// Runs the `tailor` binary with arguments.
pub fn tailor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args(args)
        .output()
        .expect("run tailor")
}

/// Asserts that a run failed cleanly: non-zero exit, exactly one stderr line starting
/// `error:` that contains `needle`, and no panic. Returns that line.
pub fn assert_clean_error(out: &Output, needle: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "expected failure, stderr: {stderr}");
    assert!(
        matches!(out.status.code(), Some(1 | 2)),
        "exit code {:?}",
        out.status.code()
    );
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "one error line expected, stderr: {stderr}");
    assert_eq!(
        stderr.lines().last(),
        errors.first().copied(),
        "the error line ends stderr: {stderr}"
    );
    let line = errors[0].to_string();
    assert!(line.contains(needle), "{line:?} should contain {needle:?}");
    line
}

/// Online Retail (`online_retail/online_retail.csv.gz` in `data_dir`) imported into a new
/// database in `dir`, opened and loaded.
pub fn online_retail(
    data_dir: &std::path::Path,
    dir: &std::path::Path,
) -> (tailor::data::Database, tailor::data::dataset::Dataset) {
    use tailor::progress::NoProgress;
    let db_path = dir.join("retail.sqlite");
    tailor::data::import::import_to_path(
        &db_path,
        &[data_dir.join("online_retail/online_retail.csv.gz")],
        &tailor::data::import::ImportOptions::default(),
        &NoProgress,
    )
    .unwrap();
    let db = tailor::data::Database::open(&db_path).unwrap();
    let data = tailor::data::dataset::Dataset::load(&db, &NoProgress).unwrap();
    (db, data)
}
