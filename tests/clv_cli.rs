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
        Some("customer_id,frequency,recency,T,p_alive,expected_purchases,clv,expected_spend")
    );
    assert!(!text.contains("NaN"), "every value is a number");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len() as u64, customers);
    assert!(
        rows.iter()
            .all(|r| r.len() == 8 && r[7].parse::<f64>().is_ok_and(|v| v > 0.0)),
        "every customer has an expected spend per purchase"
    );
    assert_eq!(v["values_as_of"], v["last_purchase"]);
    assert_eq!(v["values_refit"], false);
    assert_eq!(v["values_bgnbd"], v["bgnbd"], "no calibration end: one fit");

    // With a calibration end: the reported fit and the holdout are the calibration period's,
    // the values are as of the last purchase day for every customer (refitted).
    let last = v["last_purchase"].as_str().unwrap().to_string();
    let first = v["first_purchase"].as_str().unwrap().to_string();
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let end = date(&first) + (date(&last) - date(&first)) / 2;
    let end = end.format("%Y-%m-%d").to_string();
    let split_csv = dir.path().join("clv-split.csv");
    let s = tailor(&[
        "clv",
        db,
        "--json",
        "--horizon",
        "26",
        "--calibration-end",
        &end,
        "--out",
        split_csv.to_str().unwrap(),
    ]);
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let s: serde_json::Value = serde_json::from_slice(&s.stdout).unwrap();
    assert_eq!(s["calibration_end"], end.as_str());
    assert!(!s["holdout"].is_null(), "{s}");
    assert_eq!(s["values_refit"], true);
    assert_eq!(s["values_as_of"], last.as_str());
    assert_eq!(s["customers"], v["customers"], "every customer valued");
    assert_eq!(
        s["calibration_customers"].as_u64().unwrap() + s["left_out"].as_u64().unwrap(),
        customers
    );
    assert!(s["left_out"].as_u64().unwrap() > 0, "{s}");
    assert_ne!(s["bgnbd"], s["values_bgnbd"]);
    assert_eq!(
        s["values_bgnbd"], v["bgnbd"],
        "the refit is the whole-period fit"
    );
    assert_eq!(s["total_clv"], v["total_clv"]);
    let split_text = std::fs::read_to_string(&split_csv).unwrap();
    assert_eq!(
        split_text, text,
        "the same values as of the last purchase day"
    );

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
