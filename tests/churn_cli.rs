//! `tailor churn` end to end on a small sample database: the inactivity label finds the
//! planted lapsed customers, the JSON has the documented shape and is byte-identical for a
//! seed, `--out` writes the documented CSV, the run is stored, and bad input fails cleanly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::{assert_clean_error, tailor};

fn sample(dir: &Path) -> (String, HashMap<String, String>) {
    let db = dir.join("s.sqlite");
    let types = dir.join("types.csv");
    let out = tailor(&[
        "sample",
        "--customers",
        "1500",
        "--seed",
        "7",
        "--out",
        db.to_str().unwrap(),
        "--types",
        types.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&types).unwrap();
    let map = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    (db.to_str().unwrap().to_string(), map)
}

#[test]
fn churn_cli_on_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let (db, types) = sample(dir.path());
    let csv = dir.path().join("scores.csv");
    let args = [
        "churn",
        db.as_str(),
        "--label",
        "inactive:90",
        "--model",
        "forest",
        "--trees",
        "60",
        "--seed",
        "3",
        "--json",
        "--out",
        csv.to_str().unwrap(),
    ];
    let a = tailor(&args);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let b = tailor(&args);
    assert_eq!(a.stdout, b.stdout, "same seed, same JSON");
    let json: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    for key in [
        "model",
        "folds",
        "auc",
        "auc_std",
        "pr_auc",
        "brier",
        "fold_auc",
        "top_features",
    ] {
        assert!(json.get(key).is_some(), "{key} missing: {json}");
    }
    assert_eq!(json["model"], "forest");
    assert_eq!(json["fold_auc"].as_array().unwrap().len(), 5);
    assert_eq!(json["folds"], 5, "the number of folds keeps its key");
    // Per-fold metrics: every fold with its own AUC, PR AUC, Brier and log loss.
    let folds = json["fold_metrics"].as_array().unwrap();
    assert_eq!(folds.len(), 5, "{json}");
    for (k, f) in folds.iter().enumerate() {
        assert_eq!(f["fold"], k as u64);
        assert_eq!(f["auc"], json["fold_auc"][k], "{f}");
        for key in ["pr_auc", "brier", "log_loss"] {
            let v = f[key].as_f64().unwrap_or(f64::NAN);
            assert!(v.is_finite() && v >= 0.0, "{key}: {f}");
        }
        assert!(f["pr_auc"].as_f64().unwrap() <= 1.0 && f["brier"].as_f64().unwrap() <= 1.0);
    }
    let scored: u64 = folds.iter().map(|f| f["customers"].as_u64().unwrap()).sum();
    assert_eq!(scored, json["label"]["customers"].as_u64().unwrap());
    assert!(json["top_features"][0]["name"].is_string());
    assert!(json["top_features"][0]["weight"].is_number());
    assert_eq!(json["label"]["kind"], "inactive");
    // Scored as of the last day in the data; the backtest one horizon earlier, against recency
    // and P(alive) on the same customers.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (last_day, buyers): (String, i64) = conn
        .query_row(
            "SELECT substr(MAX(ts), 1, 10), COUNT(DISTINCT customer_id) FROM transactions",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(json["as_of"], last_day.as_str());
    assert_eq!(json["horizon_days"], 90);
    assert_eq!(json["scored_customers"], buyers);
    assert!(
        json["label"]["customers"].as_i64().unwrap() < buyers,
        "{json}"
    );
    let b = &json["backtest"];
    for key in ["auc", "top_decile_rate", "base_rate"] {
        let v = b[key].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&v), "{key}: {b}");
    }
    assert_eq!(b["horizon_days"], 90);
    assert!(b["as_of"].as_str().unwrap() < last_day.as_str());
    assert!(b["baselines"]["recency"].as_f64().unwrap() > 0.5, "{b}");
    assert!(b["baselines"]["p_alive"].as_f64().is_some(), "{b}");
    assert_eq!(
        b["models"].as_array().unwrap().len(),
        1,
        "forest was asked for"
    );
    assert_eq!(json["model_chosen_by_backtest"], false);
    let auc = json["auc"].as_f64().unwrap();
    assert!(auc > 0.7, "AUC {auc}");

    // The planted lapsed customers (no purchase since 2023) score high.
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("customer_id,churn_probability,as_of,reason_1,reason_2,reason_3")
    );
    let mut lapsed = Vec::new();
    let mut others = Vec::new();
    for line in lines {
        let mut fields = line.split(',');
        let id = fields.next().unwrap();
        let p: f64 = fields.next().unwrap().parse().unwrap();
        assert!((0.0..=1.0).contains(&p));
        assert_eq!(fields.next(), Some(last_day.as_str()), "as_of: {line}");
        assert!(
            !fields.next().unwrap().is_empty(),
            "every customer has a reason: {line}"
        );
        match types.get(id).map(String::as_str) {
            Some("lapsed") => lapsed.push(p),
            Some(_) => others.push(p),
            None => panic!("unknown customer {id}"),
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(lapsed.len() > 50, "{} lapsed scored", lapsed.len());
    let high = lapsed.iter().filter(|p| **p > 0.8).count();
    assert!(
        mean(&lapsed) > 0.85 && mean(&lapsed) > mean(&others) + 0.3,
        "lapsed {} vs others {}",
        mean(&lapsed),
        mean(&others)
    );
    assert!(
        high * 10 >= lapsed.len() * 9,
        "{high} of {} lapsed above 0.8",
        lapsed.len()
    );

    // The run is stored with its scores, as of today: no outcome is known yet.
    let unlabelled: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM tailor_churn_scores WHERE label IS NULL AND run_id =
                 (SELECT MAX(run_id) FROM tailor_runs WHERE kind = 'churn')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unlabelled, buyers);
    let stored: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM tailor_churn_scores WHERE run_id =
                 (SELECT MAX(run_id) FROM tailor_runs WHERE kind = 'churn')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored as usize, lapsed.len() + others.len());

    // The default model, human output: both models backtested, the better one run.
    let out = tailor(&["churn", db.as_str(), "--label", "inactive:90"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ROC AUC"), "{text}");
    assert!(
        text.contains(&format!(
            "Scores as of {last_day}: the risk of no purchase in the next 90 days"
        )),
        "{text}"
    );
    assert!(
        text.contains("Backtest: of the 10% we would have flagged on "),
        "{text}"
    );
    assert!(
        text.contains("the better of the two in the backtest"),
        "{text}"
    );
}

#[test]
fn churn_cli_errors_are_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = sample(dir.path());
    assert_clean_error(
        &tailor(&["churn", &db, "--model", "tree"]),
        "unknown --model tree",
    );
    assert_clean_error(
        &tailor(&["churn", &db, "--folds", "1"]),
        "--folds must be at least 2",
    );
    assert_clean_error(&tailor(&["churn", &db, "--label", "inactive:x"]), "--label");
    // The sample has no churned column: a named label column is reported missing.
    assert_clean_error(
        &tailor(&["churn", &db, "--label", "churned"]),
        "no label column",
    );
    // No label column and no transactions.
    let bare = dir.path().join("bare.sqlite");
    let conn = rusqlite::Connection::open(&bare).unwrap();
    conn.execute_batch(
        "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, plan TEXT);
         INSERT INTO customers VALUES ('a', 'x'), ('b', 'y');",
    )
    .unwrap();
    drop(conn);
    assert_clean_error(
        &tailor(&["churn", bare.to_str().unwrap()]),
        "no churn label",
    );
    // A class with fewer customers than folds.
    let tiny = dir.path().join("tiny.sqlite");
    let conn = rusqlite::Connection::open(&tiny).unwrap();
    conn.execute_batch(
        "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, plan TEXT, churned INTEGER);
         INSERT INTO customers VALUES ('a', 'x', 1), ('b', 'y', 0), ('c', 'x', 0),
             ('d', 'y', 0), ('e', 'x', 0), ('f', 'y', 1);",
    )
    .unwrap();
    drop(conn);
    assert_clean_error(
        &tailor(&["churn", tiny.to_str().unwrap()]),
        "at least as many",
    );
    assert_clean_error(&tailor(&["churn", "/nonexistent/x.sqlite"]), "x.sqlite");
}
