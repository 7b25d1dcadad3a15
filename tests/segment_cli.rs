//! `tailor segment` end to end on a generated sample: JSON shape and reproducibility, automatic
//! k, the membership and feature files, the stored run, and clean errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{assert_clean_error, tailor};
use serde_json::Value;

const CUSTOMERS: usize = 2000;

/// A 2,000-customer sample database in a fresh temp dir.
fn sample_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite");
    let out = tailor(&[
        "sample",
        "--customers",
        &CUSTOMERS.to_string(),
        "--out",
        db.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, db)
}

fn ok(args: &[&str]) -> Vec<u8> {
    let out = tailor(args);
    assert!(
        out.status.success(),
        "tailor {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

fn csv_records(path: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    (header, r.records().map(|r| r.unwrap()).collect())
}

#[test]
fn fixed_k_json_is_reproducible_and_complete() {
    let (_dir, db) = sample_db();
    let db = db.to_str().unwrap();
    let args = [
        "segment", db, "--method", "kmeans", "--k", "5", "--seed", "1", "--json",
    ];
    let first = ok(&args);
    let second = ok(&args);
    assert_eq!(
        first, second,
        "the same seed must give byte-identical output"
    );
    let v: Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(
        keys(&v),
        vec![
            "inertia",
            "k",
            "k_scores",
            "method",
            "seed",
            "segments",
            "silhouette"
        ]
    );
    assert_eq!(v["method"], "kmeans");
    assert_eq!(v["k"], 5);
    assert_eq!(v["seed"], 1);
    assert!(v["inertia"].as_f64().unwrap() > 0.0);
    let s = v["silhouette"].as_f64().unwrap();
    assert!((-1.0..=1.0).contains(&s));
    let segments = v["segments"].as_array().unwrap();
    assert_eq!(segments.len(), 5);
    let mut size = 0;
    let mut share = 0.0;
    for seg in segments {
        assert_eq!(
            keys(seg),
            vec!["id", "name", "profile", "revenue_share", "size"]
        );
        assert!(!seg["name"].as_str().unwrap().is_empty());
        assert!(seg["profile"].as_object().unwrap().contains_key("monetary"));
        size += seg["size"].as_u64().unwrap();
        share += seg["revenue_share"].as_f64().unwrap();
    }
    assert_eq!(size, CUSTOMERS as u64);
    assert!((share - 1.0).abs() < 1e-9, "{share}");
    let scores = v["k_scores"].as_array().unwrap();
    assert_eq!(scores.len(), 1, "a fixed k lists that k alone");
    assert_eq!(keys(&scores[0]), vec!["inertia", "k", "silhouette"]);
    assert_eq!(scores[0]["k"], 5);
    assert_eq!(scores[0]["inertia"], v["inertia"]);

    // Another seed is a different run (same JSON shape).
    let other: Value =
        serde_json::from_slice(&ok(&["segment", db, "--k", "5", "--seed", "2", "--json"])).unwrap();
    assert_eq!(other["seed"], 2);
}

#[test]
fn auto_k_tries_two_to_ten_and_keeps_the_best_silhouette() {
    let (_dir, db) = sample_db();
    let v: Value = serde_json::from_slice(&ok(&[
        "segment",
        db.to_str().unwrap(),
        "--method",
        "kmeans",
        "--k",
        "auto",
        "--json",
    ]))
    .unwrap();
    let scores = v["k_scores"].as_array().unwrap();
    let ks: Vec<u64> = scores.iter().map(|s| s["k"].as_u64().unwrap()).collect();
    assert_eq!(ks, (2..=10).collect::<Vec<u64>>());
    let best = scores
        .iter()
        .max_by(|a, b| {
            a["silhouette"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["silhouette"].as_f64().unwrap())
        })
        .unwrap();
    assert_eq!(v["k"], best["k"], "{scores:?}");
    assert_eq!(
        v["segments"].as_array().unwrap().len() as u64,
        v["k"].as_u64().unwrap()
    );
}

#[test]
fn out_and_dump_features_cover_every_customer_and_the_run_is_stored() {
    let (dir, db) = sample_db();
    let db_s = db.to_str().unwrap();
    let out = dir.path().join("segments.csv");
    let feats = dir.path().join("features.csv");
    let v: Value = serde_json::from_slice(&ok(&[
        "segment",
        db_s,
        "--k",
        "4",
        "--seed",
        "7",
        "--out",
        out.to_str().unwrap(),
        "--dump-features",
        feats.to_str().unwrap(),
        "--json",
    ]))
    .unwrap();

    let (header, rows) = csv_records(&out);
    assert_eq!(header, vec!["customer_id", "segment_id", "segment_name"]);
    assert_eq!(rows.len(), CUSTOMERS);
    let names: std::collections::HashMap<u64, String> = v["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_u64().unwrap(),
                s["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let ids: std::collections::HashSet<String> = rows.iter().map(|r| r[0].to_string()).collect();
    assert_eq!(ids.len(), CUSTOMERS, "one row per customer");
    for r in &rows {
        let seg: u64 = r[1].parse().unwrap();
        assert_eq!(names[&seg], &r[2]);
    }

    let (fheader, frows) = csv_records(&feats);
    assert_eq!(fheader[0], "customer_id");
    assert!(fheader.iter().any(|h| h == "recency_days"));
    assert!(fheader.iter().any(|h| h == "monetary"));
    assert_eq!(frows.len(), CUSTOMERS);
    for r in &frows {
        assert_eq!(r.len(), fheader.len());
        assert!(
            r.iter()
                .skip(1)
                .all(|x| x.parse::<f64>().unwrap().is_finite())
        );
    }
    let fids: std::collections::HashSet<String> = frows.iter().map(|r| r[0].to_string()).collect();
    assert_eq!(fids, ids);

    // The run is stored: one run row of kind segment with the seed, one membership per customer.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (run_id, kind, seed): (i64, String, i64) = conn
        .query_row(
            "SELECT run_id, kind, seed FROM tailor_runs ORDER BY run_id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(kind, "segment");
    assert_eq!(seed, 7);
    let members: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM tailor_segments WHERE run_id = ?1",
            [run_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(members, CUSTOMERS as i64);
    let agree: i64 = conn
        .query_row(
            "SELECT COUNT(DISTINCT customer_id) FROM tailor_segments WHERE run_id = ?1",
            [run_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(agree, CUSTOMERS as i64);
}

#[test]
fn rfm_out_has_scores() {
    let (dir, db) = sample_db();
    let out = dir.path().join("rfm.csv");
    let v: Value = serde_json::from_slice(&ok(&[
        "segment",
        db.to_str().unwrap(),
        "--method",
        "rfm",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]))
    .unwrap();
    assert_eq!(v["method"], "rfm");
    let (header, rows) = csv_records(&out);
    assert_eq!(
        header,
        vec!["customer_id", "segment_id", "segment_name", "r", "f", "m"]
    );
    assert_eq!(rows.len(), CUSTOMERS);
    for r in &rows {
        for j in 3..6 {
            let score: u32 = r[j].parse().unwrap();
            assert!((1..=5).contains(&score), "{r:?}");
        }
    }
}

#[test]
fn bad_input_is_one_clean_error_line() {
    let (dir, db) = sample_db();
    let db_s = db.to_str().unwrap();
    assert_clean_error(&tailor(&["segment", db_s, "--method", "dbscan"]), "dbscan");
    assert_clean_error(&tailor(&["segment", db_s, "--k", "0"]), "--k");
    assert_clean_error(&tailor(&["segment", db_s, "--k", "abc"]), "abc");
    let missing = dir.path().join("nope.sqlite");
    assert_clean_error(
        &tailor(&["segment", missing.to_str().unwrap()]),
        "nope.sqlite",
    );
    assert!(!missing.exists(), "a missing database is not created");

    // Customers only: RFM says to import transactions.
    let only = dir.path().join("customers.sqlite");
    let conn = rusqlite::Connection::open(&only).unwrap();
    conn.execute_batch(
        "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, tenure REAL);
         INSERT INTO customers VALUES ('a', 1), ('b', 2), ('c', 30), ('d', 31);",
    )
    .unwrap();
    drop(conn);
    let line = assert_clean_error(
        &tailor(&["segment", only.to_str().unwrap(), "--method", "rfm"]),
        "transactions",
    );
    assert!(line.contains("import"), "{line}");
}
