//! `tailor clv` end to end on the synthetic sample.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_clean_error, tailor};

#[test]
fn clv_prints_stable_json_and_writes_the_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let db = db.to_str().unwrap();
    let out = tailor(&["sample", "--customers", "400", "--seed", "3", "--out", db]);
    assert!(out.status.success());
    let csv = dir.path().join("clv.csv");
    let args = [
        "clv",
        db,
        "--json",
        "--horizon",
        "26",
        "--out",
        csv.to_str().unwrap(),
    ];
    let a = tailor(&args);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&tailor(&args).stdout),
        "the same figures on every run"
    );
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    for key in ["r", "alpha", "a", "b", "log_likelihood"] {
        assert!(v["bgnbd"][key].as_f64().unwrap().is_finite(), "{key}: {v}");
    }
    for key in ["p", "q", "v"] {
        assert!(v["gamma_gamma"][key].as_f64().unwrap() > 0.0, "{key}: {v}");
    }
    let customers = v["customers"].as_u64().unwrap();
    assert!(customers > 300, "{v}");
    assert_eq!(v["horizon"], 26.0);
    assert_eq!(v["time_unit"], "week");
    assert!(
        v["holdout"].is_null(),
        "no holdout without --calibration-end"
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("customer_id,frequency,recency,T,p_alive,expected_purchases,clv")
    );
    assert!(!text.contains("NaN"), "every value is a number");
    assert_eq!(lines.count() as u64, customers);

    // Human text.
    let h = tailor(&["clv", db, "--time-unit", "day"]);
    assert!(h.status.success());
    let h = String::from_utf8_lossy(&h.stdout);
    assert!(h.contains("BG/NBD: r ") && h.contains("(days)"), "{h}");
}

#[test]
fn clv_bad_inputs_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let db = db.to_str().unwrap();
    assert!(
        tailor(&["sample", "--customers", "200", "--seed", "1", "--out", db])
            .status
            .success()
    );
    assert_clean_error(
        &tailor(&["clv", db, "--calibration-end", "30/09/1997"]),
        "is not a date",
    );
    assert_clean_error(
        &tailor(&["clv", db, "--calibration-end", "1900-01-01"]),
        "before the first purchase",
    );
    assert_clean_error(&tailor(&["clv", db, "--time-unit", "month"]), "time-unit");
    assert_clean_error(&tailor(&["clv", db, "--horizon=-3"]), "horizon");

    // A database without transactions.
    let csv = dir.path().join("people.csv");
    std::fs::write(&csv, "customer_id,age\n1,30\n2,40\n").unwrap();
    let empty = dir.path().join("people.sqlite");
    let empty = empty.to_str().unwrap();
    let imp = tailor(&["import", "--db", empty, csv.to_str().unwrap()]);
    assert!(
        imp.status.success(),
        "{}",
        String::from_utf8_lossy(&imp.stderr)
    );
    assert_clean_error(&tailor(&["clv", empty]), "no transactions");
}
