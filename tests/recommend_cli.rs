//! `tailor evaluate-recs` end to end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_clean_error, tailor};

#[test]
fn evaluate_recs_reports_every_method_as_stable_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let db = db.to_str().unwrap();
    let out = tailor(&["sample", "--customers", "400", "--seed", "3", "--out", db]);
    assert!(out.status.success());
    let a = tailor(&["evaluate-recs", db, "--json"]);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, tailor(&["evaluate-recs", db, "--json"]).stdout);
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(v["k"], 10);
    assert!(v["users"].as_u64().unwrap() > 300);
    let names: Vec<&str> = v["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["method"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["popular", "popular-recent", "item-cf", "als"]);
    for m in v["methods"].as_array().unwrap() {
        for key in ["hit_rate", "precision", "recall", "ndcg", "coverage"] {
            let x = m[key].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&x), "{key} {x}");
        }
    }
    let one = tailor(&[
        "evaluate-recs",
        db,
        "--method",
        "item-cf",
        "--k",
        "5",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(v["k"], 5);
    assert_eq!(v["methods"].as_array().unwrap().len(), 1);

    assert_clean_error(
        &tailor(&["evaluate-recs", db, "--method", "magic"]),
        "magic",
    );
    assert_clean_error(&tailor(&["evaluate-recs", db, "--k", "0"]), "--k");
}

#[test]
fn a_customers_only_database_says_what_to_import() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE customers (customer_id TEXT PRIMARY KEY);")
        .unwrap();
    let out = tailor(&["evaluate-recs", path.to_str().unwrap()]);
    assert_clean_error(&out, "import a transactions file");
}
