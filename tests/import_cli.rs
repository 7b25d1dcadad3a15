//! `tailor import` end to end: bad input ends with one `error:` line and a non-zero exit.

// Test helpers may unwrap: a failure is the test's result.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

fn tailor(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args(args)
        .output()
        .unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Asserts a failure whose stderr has exactly one line starting `error:` (the last one; progress
/// lines may come before it) containing `what`.
fn assert_error(out: &Output, what: &str) {
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert_eq!(stderr.lines().last(), errors.first().copied(), "{stderr}");
    assert!(errors[0].contains(what), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout on error");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn imports_and_prints_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "orders.csv",
        "Member;Order;Date;Qty;Price\n7;A1;2011-01-02;1;2,50\n;A2;2011-01-03;1;3\n",
    );
    let db = dir.path().join("out.sqlite");
    let out = tailor(&["import", s(&f), "--db", s(&db), "--role", "Price=ignore"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("orders.csv into transactions (guessed from its columns)"),
        "{stdout}"
    );
    assert!(stdout.contains("customer_id ← Member"), "{stdout}");
    assert!(
        stdout.contains("1 skipped: no customer id (first at line 3: ;A2;2011-01-03;1;3)"),
        "{stdout}"
    );
    assert!(db.exists());
    // Importing again adds rows; the one customer is not duplicated.
    let out = tailor(&["import", s(&f), "--db", s(&db), "--json"]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["files"][0]["rows_kept"], 1);
    assert!(
        json["files"][0]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("0 added, 1 already there"))
    );
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("out.sqlite");
    let out = tailor(&["import", "/no/such/file.csv", "--db", s(&db)]);
    assert_error(&out, "file not found: /no/such/file.csv");
    assert!(!db.exists(), "a failed import leaves no database");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn empty_csv() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "empty.csv", "");
    let db = dir.path().join("out.sqlite");
    assert_error(
        &tailor(&["import", s(&f), "--db", s(&db)]),
        "the file is empty",
    );
    let f = write(dir.path(), "header.csv", "a,b\n");
    assert_error(&tailor(&["import", s(&f), "--db", s(&db)]), "no data rows");
}

#[test]
fn mapping_to_a_missing_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "c.csv", "id,name\n1,Ann\n");
    let db = dir.path().join("out.sqlite");
    let out = tailor(&[
        "import",
        s(&f),
        "--db",
        s(&db),
        "--map",
        "customer_id=custID",
    ]);
    assert_error(
        &out,
        "column custID in --map customer_id=custID is not in the file",
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .trim_end()
            .ends_with("c.csv")
    );
    let out = tailor(&["import", s(&f), "--db", s(&db), "--map", "customer_id"]);
    assert_error(&out, "--map");
}

#[test]
fn unreadable_dates() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "t.csv", "customer,date\na,next week\nb,soon\n");
    let db = dir.path().join("out.sqlite");
    let out = tailor(&["import", s(&f), "--db", s(&db)]);
    assert_error(&out, "column date has no date that can be read (line 2");
}

#[test]
fn unknown_table() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "c.csv", "id,name\n1,Ann\n");
    let db = dir.path().join("out.sqlite");
    assert_error(
        &tailor(&["import", s(&f), "--db", s(&db), "--table", "orders"]),
        "unknown table \"orders\" in --table",
    );
}

#[test]
fn bad_role() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "c.csv", "id,name\n1,Ann\n");
    let db = dir.path().join("out.sqlite");
    assert_error(
        &tailor(&["import", s(&f), "--db", s(&db), "--role", "name=secret"]),
        "unknown role \"secret\"",
    );
    assert_error(
        &tailor(&["import", s(&f), "--db", s(&db), "--role", "nothere=pii"]),
        "column nothere in --role",
    );
    assert!(!db.exists());
}

#[test]
fn bad_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "c.csv", "id,name\n1,Ann\n");
    let db = dir.path().join("out.sqlite");
    assert_error(
        &tailor(&["import", s(&f), "--db", s(&db), "--delimiter", ";;"]),
        "--delimiter",
    );
}

#[test]
fn imports_the_first_sheet_of_an_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("out.sqlite");
    let xlsx = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/customers.xlsx");
    let out = tailor(&["import", xlsx, "--db", s(&db)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("customers.xlsx into customers"), "{stdout}");
    assert!(stdout.contains("churned ← Churn"), "{stdout}");
    assert!(
        stdout.contains("Rows read 2, kept 2, skipped 0"),
        "{stdout}"
    );
}
