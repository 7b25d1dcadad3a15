//! `tailor check` end to end, and the bad databases every command must refuse cleanly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_clean_error, tailor};

fn db_with(sql: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(sql).unwrap();
    (dir, path.to_string_lossy().into_owned())
}

#[test]
fn check_reports_problems_as_json() {
    let (_d, db) = db_with(
        "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, email TEXT);
         INSERT INTO customers VALUES ('1', NULL), ('2', 'b@example.com');
         CREATE TABLE transactions (customer_id TEXT, ts TEXT, quantity REAL);
         INSERT INTO transactions VALUES ('1', '2011-01-01', 0), ('7', 'not a date', 2);",
    );
    let out = tailor(&["check", &db, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    for expected in [
        "unparseable_date",
        "zero_quantity",
        "unknown_customer",
        "missing",
    ] {
        assert!(checks.contains(&expected), "{expected} not in {checks:?}");
    }
    assert_eq!(v["tables"][0]["rows"], 2);
    // Same input, same bytes.
    assert_eq!(out.stdout, tailor(&["check", &db, "--json"]).stdout);
    let text = tailor(&["check", &db]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("transactions.ts: ts is not a date Tailor can read (1 row)"),
        "{text}"
    );
}

#[test]
fn missing_file_is_a_clean_error() {
    let out = tailor(&["check", "/no/such/dir/customers.sqlite"]);
    assert_clean_error(&out, "file not found: /no/such/dir/customers.sqlite");
}

#[test]
fn a_text_file_is_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite");
    std::fs::write(&path, "customer_id,name\n1,Ann\n".repeat(100)).unwrap();
    let out = tailor(&["check", path.to_str().unwrap()]);
    assert_clean_error(&out, "not a SQLite database");
}

#[test]
fn sqlite_without_tailor_tables_is_refused() {
    let (_d, db) = db_with("CREATE TABLE orders (id INTEGER); INSERT INTO orders VALUES (1);");
    let out = tailor(&["check", &db]);
    let line = assert_clean_error(&out, "not a Tailor database");
    assert!(line.ends_with(&db), "{line}");
}

#[test]
fn missing_required_column_is_named() {
    let (_d, db) = db_with("CREATE TABLE transactions (customer_id TEXT, amount REAL);");
    let out = tailor(&["check", &db]);
    assert_clean_error(&out, "table transactions is missing required column(s) ts");
}

#[test]
fn unknown_flag_is_one_line() {
    let out = tailor(&["check", "--no-such-flag"]);
    assert_clean_error(&out, "--no-such-flag");
}
