//! Issue 11, "Untrusted databases" and bounds: a trigger on a `tailor_*` table deleted half the
//! customers when `churn` stored its run; product names with terminal escape sequences were
//! printed raw; `clv --horizon 1e308` gave every CLV as 0 and a `--calibration-end` after the
//! last purchase was accepted silently.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_clean_error, sample_copy, tailor};

fn customers(db: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_database_whose_triggers_tailor_would_fire_is_refused_and_nothing_is_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_copy(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER wipe AFTER INSERT ON tailor_runs
         BEGIN DELETE FROM customers WHERE rowid % 2 = 0; END;",
    )
    .unwrap();
    drop(conn);
    for args in [vec!["churn", db.as_str()], vec!["check", db.as_str()]] {
        let line = assert_clean_error(&tailor(&args), "trigger `wipe`");
        assert!(line.contains("tailor_runs"), "{line}");
    }
    assert_eq!(customers(&db), 5_000);
    // A trigger on a customer table fires on import: refused too.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER wipe;
         CREATE TRIGGER spy AFTER INSERT ON customers BEGIN SELECT 1; END;",
    )
    .unwrap();
    drop(conn);
    let csv = dir.path().join("more.csv");
    std::fs::write(&csv, "customer_id,region\nz1,North\n").unwrap();
    assert_clean_error(
        &tailor(&["import", csv.to_str().unwrap(), "--db", &db]),
        "trigger `spy`",
    );
    assert_eq!(customers(&db), 5_000);
}

#[test]
fn text_from_the_data_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_copy(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    // The most bought product gets a name that would clear the screen and retitle the window.
    conn.execute(
        "UPDATE products SET name = ?1 WHERE product_id =
           (SELECT product_id FROM transactions GROUP BY product_id ORDER BY COUNT(*) DESC LIMIT 1)",
        ["Mug\u{1b}[2J\u{1b}]0;pwned\u{7}"],
    )
    .unwrap();
    let customer: String = conn
        .query_row(
            "SELECT customer_id FROM transactions GROUP BY customer_id ORDER BY COUNT(*) LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    let run = tailor(&[
        "recommend",
        &db,
        "--customer",
        &customer,
        "--method",
        "popular",
        "--top",
        "20",
    ]);
    assert!(run.status.success());
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(out.contains("Mug\\u{1b}[2J"), "{out}");
}

#[test]
fn lifetime_value_refuses_an_absurd_horizon_and_a_calibration_end_after_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_copy(dir.path());
    assert_clean_error(&tailor(&["clv", &db, "--horizon", "1e308"]), "100 years");
    assert_clean_error(
        &tailor(&["clv", &db, "--calibration-end", "2099-01-01"]),
        "after the last purchase",
    );
    let run = tailor(&["clv", &db, "--horizon", "5200"]);
    assert!(run.status.success());
}

#[test]
fn check_reports_text_in_a_number_column_and_absurd_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_copy(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "UPDATE transactions SET quantity = 'two' WHERE rowid = 1;
         UPDATE transactions SET unit_price = 1e308 WHERE rowid IN (2, 3);",
    )
    .unwrap();
    drop(conn);
    let run = tailor(&["check", &db, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let find = |check: &str| {
        findings
            .iter()
            .find(|f| f["check"] == check)
            .unwrap_or_else(|| panic!("no {check} in {findings:?}"))
    };
    assert_eq!(find("text_in_number")["column"], "quantity");
    assert_eq!(find("absurd_number")["column"], "unit_price");
    assert_eq!(find("absurd_number")["count"], 2);
}
