//! `tailor audit` end to end on a copy of the bundled sample: segment and recommendation
//! decisions, a churn decision on a stored churn run, and the one-line errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_clean_error, sample_copy, tailor};

fn json(args: &[&str]) -> serde_json::Value {
    let out = tailor(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn audits_a_segment_and_a_recommended_category() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_copy(dir.path());
    assert!(
        tailor(&["segment", &db, "--method", "kmeans", "--k", "4"])
            .status
            .success()
    );
    let args = [
        "audit",
        &db,
        "--attribute",
        "gender",
        "--decision",
        "segment:1",
        "--json",
    ];
    let v = json(&args);
    assert_eq!(
        String::from_utf8(tailor(&args).stdout).unwrap(),
        String::from_utf8(tailor(&args).stdout).unwrap(),
        "byte-identical for the same seed"
    );
    assert_eq!(v["attribute"], "gender");
    assert_eq!(v["decision"], "segment:1");
    let groups = v["groups"].as_array().unwrap();
    let names: Vec<&str> = groups
        .iter()
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["F", "M", "X"]);
    let n: u64 = groups.iter().map(|g| g["n"].as_u64().unwrap()).sum();
    assert_eq!(n, 5_000);
    for g in groups {
        let r = g["selection_rate"].as_f64().unwrap();
        assert!(g["ci_low"].as_f64().unwrap() <= r && r <= g["ci_high"].as_f64().unwrap());
        assert!(g["tpr"].is_null(), "the sample has no label column");
    }
    let rates: Vec<f64> = groups
        .iter()
        .map(|g| g["selection_rate"].as_f64().unwrap())
        .collect();
    let (lo, hi) = (
        rates.iter().copied().fold(f64::INFINITY, f64::min),
        rates.iter().copied().fold(0.0, f64::max),
    );
    assert!((v["disparate_impact"].as_f64().unwrap() - lo / hi).abs() < 1e-12);
    assert!((v["demographic_parity_difference"].as_f64().unwrap() - (hi - lo)).abs() < 1e-12);
    assert!(v["flags"].is_array());
    let proxies = v["proxies"].as_array().unwrap();
    assert!(proxies.iter().any(|p| p["feature"] == "region"));
    assert!(
        proxies
            .iter()
            .all(|p| p["feature"] != "email" && p["feature"] != "gender")
    );

    let recs = json(&[
        "audit",
        &db,
        "--attribute",
        "birth_year",
        "--decision",
        "recs:Home & Kitchen",
        "--json",
    ]);
    let bands: Vec<&str> = recs["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    assert_eq!(bands[0], "under 25");
    let exposure = recs["exposure"].as_array().unwrap();
    assert!(!exposure.is_empty());
    let share: f64 = exposure
        .iter()
        .filter(|e| e["group"] == "under 25")
        .map(|e| e["shown_share"].as_f64().unwrap())
        .sum();
    assert!(
        (share - 1.0).abs() < 1e-9,
        "shown shares sum to 1 per group: {share}"
    );

    assert_clean_error(
        &tailor(&[
            "audit",
            &db,
            "--attribute",
            "gender",
            "--decision",
            "segment:99",
        ]),
        "has no segment 99",
    );
    assert_clean_error(
        &tailor(&[
            "audit",
            &db,
            "--attribute",
            "shoe_size",
            "--decision",
            "segment:1",
        ]),
        "customers has no column shoe_size",
    );
    assert_clean_error(
        &tailor(&[
            "audit",
            &db,
            "--attribute",
            "email",
            "--decision",
            "segment:1",
        ]),
        "personal data",
    );
    assert_clean_error(
        &tailor(&[
            "audit",
            &db,
            "--attribute",
            "gender",
            "--decision",
            "churn-top:0.2",
        ]),
        "no churn run is stored",
    );
    assert_clean_error(
        &tailor(&[
            "audit",
            &db,
            "--attribute",
            "gender",
            "--decision",
            "recs:Spaceships",
        ]),
        "no product category Spaceships",
    );
    assert_clean_error(
        &tailor(&[
            "audit",
            &db,
            "--attribute",
            "gender",
            "--decision",
            "churn-top:7",
        ]),
        "--decision churn-top:7",
    );
}

#[test]
fn churn_top_fraction_audits_exactly_the_stored_scores() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_copy(dir.path());
    // Opening it writable once adds Tailor's own tables.
    assert!(tailor(&["check", &db]).status.success());
    // A stored churn run: scores and labels made up here, so the expected figures are known.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "INSERT INTO tailor_runs (kind, seed, params_json, created_at)
             VALUES ('churn', 1, '{}', '2026-01-01T00:00:00');",
    )
    .unwrap();
    let run = conn.last_insert_rowid();
    let ids: Vec<(String, String)> = conn
        .prepare("SELECT customer_id, gender FROM customers ORDER BY customer_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (i, (id, _)) in ids.iter().enumerate() {
        let p = (i % 100) as f64 / 100.0;
        conn.execute(
            "INSERT INTO tailor_churn_scores (run_id, customer_id, probability, label)
                 VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![run, id, p, i64::from(i % 3 == 0)],
        )
        .unwrap();
    }
    drop(conn);
    let v = json(&[
        "audit",
        &db,
        "--attribute",
        "gender",
        "--decision",
        "churn-top:0.2",
        "--json",
    ]);
    // ceil(0.2 × 5000) = 1000: the scores 0.80–0.99 (50 customers each).
    assert_eq!(v["selected"], 1000);
    let want_selected: std::collections::BTreeMap<&str, u64> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 100 >= 80)
        .fold(Default::default(), |mut m, (_, (_, g))| {
            *m.entry(g.as_str()).or_default() += 1;
            m
        });
    for g in v["groups"].as_array().unwrap() {
        let name = g["group"].as_str().unwrap();
        let n = g["n"].as_f64().unwrap();
        let rate = g["selection_rate"].as_f64().unwrap();
        assert!(
            (rate * n - want_selected[name] as f64).abs() < 1e-6,
            "{name}"
        );
        assert!(g["tpr"].is_number() && g["fpr"].is_number() && g["precision"].is_number());
    }
    assert!(v["equalized_odds_difference"].is_number());
    assert!(v["label"].as_str().unwrap().starts_with("churn run"));

    // A real run with an inactivity label stores scores as of today: no outcome is known yet,
    // and the audit says why it has no error rates.
    assert!(
        tailor(&["churn", &db, "--model", "logistic"])
            .status
            .success()
    );
    let out = tailor(&[
        "audit",
        &db,
        "--attribute",
        "gender",
        "--decision",
        "churn-top:0.2",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("No TPR, FPR or precision"),
        "{text}"
    );
}
