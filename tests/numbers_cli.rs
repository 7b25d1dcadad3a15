//! Issue 11, "Numbers": one transaction with quantity 2 and unit price 1e308 made `churn` spin
//! for ever (NaN scores in the ROC/PR tie loops), `segment` print null profile values and `clv`
//! report 9e117 from a "converged" fit. Import now skips such rows with a count and an example
//! line; a database written by another tool with such a row is read without it; every command
//! ends and writes only finite numbers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{sample_copy, tailor};

/// Runs `tailor` with `args`, killing it after `limit`: its stdout, or a failure naming the hang.
fn run_bounded(args: &[&str], limit: Duration) -> String {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            assert!(status.success(), "{args:?} failed");
            return String::from_utf8(out.stdout).unwrap();
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("{args:?} did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Checks that every number in a JSON value is finite and not absurd; collects where it holds
/// null (array positions as `[]`): a NaN is written as null.
fn numbers_and_nulls(v: &serde_json::Value, path: &str, nulls: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Number(n) => {
            let x = n.as_f64().unwrap();
            assert!(x.is_finite() && x.abs() < 1e15, "{path} = {x}");
        }
        serde_json::Value::Null => {
            nulls.insert(path.to_string());
        }
        serde_json::Value::Array(a) => {
            for x in a {
                numbers_and_nulls(x, &format!("{path}[]"), nulls);
            }
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                numbers_and_nulls(x, &format!("{path}.{k}"), nulls);
            }
        }
        _ => {}
    }
}

const HUGE_ROW: &str = "customer_id,ts,order_id,product_id,quantity,unit_price\n\
                        100001,2023-06-01T10:00:00,X1,P0274,2,1e308\n\
                        100002,2023-06-02T10:00:00,X2,P0274,1,12.5\n";

#[test]
fn import_skips_a_row_with_an_absurd_number_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_copy(dir.path());
    let csv = dir.path().join("big.csv");
    std::fs::write(&csv, HUGE_ROW).unwrap();
    let run = tailor(&[
        "import",
        csv.to_str().unwrap(),
        "--db",
        &db,
        "--table",
        "transactions",
    ]);
    assert!(run.status.success());
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(
        text.contains("skipped: unit_price beyond ±1e12 (first at line 2"),
        "{text}"
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM transactions WHERE order_id IN ('X1', 'X2')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1, "the sane row is kept, the absurd one is not");
}

#[test]
fn an_absurd_row_written_by_another_tool_hangs_nothing_and_poisons_no_number() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_copy(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "INSERT INTO transactions (customer_id, ts, order_id, product_id, quantity, unit_price)
         VALUES ('100001', '2023-06-01T10:00:00', 'X1', 'P0274', 2, 1e308);
         UPDATE customers SET birth_year = 1e308 WHERE customer_id = '100002';",
    )
    .unwrap();
    drop(conn);
    let clean_dir = tempfile::tempdir().unwrap();
    let clean = sample_copy(clean_dir.path());
    let limit = Duration::from_secs(120);
    for args in [
        vec!["churn", "--json"],
        vec!["segment", "--method", "kmeans", "--k", "3", "--json"],
        vec!["clv", "--json"],
    ] {
        // The same command on the clean sample: where it says null, null is meant.
        let (mut expected, mut seen) = (BTreeSet::new(), BTreeSet::new());
        for (path, nulls) in [(&clean, &mut expected), (&db, &mut seen)] {
            let mut all = vec![args[0], path.as_str()];
            all.extend_from_slice(&args[1..]);
            let out = run_bounded(&all, limit);
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            numbers_and_nulls(&v, args[0], nulls);
        }
        let extra: Vec<&String> = seen.difference(&expected).collect();
        assert!(extra.is_empty(), "{}: null (NaN) at {extra:?}", args[0]);
    }
    assert!(Path::new(&db).exists());
}
