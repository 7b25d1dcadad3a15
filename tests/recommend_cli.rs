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
    assert_eq!(
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&tailor(&["evaluate-recs", db, "--json"]).stdout),
        "the same figures on every run"
    );
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(v["k"], 10);
    assert!(v["users"].as_u64().unwrap() > 300);
    // Without --weights: the blend and ALS tuned on this database, tuned once and stored.
    assert_eq!(v["weights_source"], "tuned");
    let tuning = &v["tuning"];
    assert_eq!(v["hybrid_weights"], tuning["weights"]);
    assert_eq!(v["als"], tuning["als"]);
    for key in ["factors", "regularization", "alpha"] {
        assert!(tuning["als"][key].as_f64().unwrap() > 0.0, "{tuning}");
    }
    assert!(tuning["evaluated"].as_u64().unwrap() > 300, "{tuning}");
    assert_eq!(tuning["subsampled"], false);
    let stored: i64 = rusqlite::Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM tailor_runs WHERE kind = 'rec_tuning'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 1, "the second run found the first one's tuning");
    let untuned = tailor(&["evaluate-recs", db, "--untuned", "--json"]);
    let u: serde_json::Value = serde_json::from_slice(&untuned.stdout).unwrap();
    assert_eq!(u["weights_source"], "default");
    assert!(u["tuning"].is_null());
    assert_eq!(u["als"]["factors"], 64);
    assert_eq!(u["hybrid_weights"]["als"], 0.45);
    let text = String::from_utf8(tailor(&["evaluate-recs", db]).stdout).unwrap();
    assert!(
        text.contains("The hybrid blend's 10 suggestions hold the hidden product for ")
            && text.contains("second-to-last purchase hidden"),
        "{text}"
    );
    let names: Vec<&str> = v["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "popular",
            "popular-recent",
            "item-cf",
            "als",
            "content",
            "demographic",
            "hybrid"
        ]
    );
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
fn evaluate_recs_marks_methods_the_data_cannot_support() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE transactions (customer_id TEXT, ts TEXT, order_id TEXT,
             product_id TEXT, quantity REAL);",
    )
    .unwrap();
    // Sixty customers, each with three of ten products on three days: no names, no categories,
    // no customer columns.
    for c in 0..60 {
        for d in 0..3 {
            conn.execute(
                "INSERT INTO transactions VALUES (?1, ?2, ?3, ?4, 1)",
                rusqlite::params![
                    format!("c{c}"),
                    format!("2020-01-{:02}", 1 + d + c % 5),
                    format!("o{c}-{d}"),
                    format!("p{}", (c * 3 + d * 7) % 10)
                ],
            )
            .unwrap();
        }
    }
    drop(conn);
    let db = path.to_str().unwrap();
    let out = tailor(&[
        "evaluate-recs",
        db,
        "--weights",
        "item-cf=1,content=1",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let method = |name: &str| {
        v["methods"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["method"] == name)
            .unwrap()
            .clone()
    };
    for name in ["popular", "popular-recent", "item-cf", "als"] {
        let m = method(name);
        assert_eq!(m["available"], true, "{name}");
        assert!(m["note"].is_null(), "{name}: {m}");
        assert!(m["hit_rate"].is_number(), "the existing keys stay");
    }
    let content = method("content");
    assert_eq!(content["available"], false);
    assert_eq!(
        content["note"],
        "not available: no product names or categories"
    );
    assert!(content["hit_rate"].is_number(), "the existing keys stay");
    let demographic = method("demographic");
    assert_eq!(demographic["available"], false);
    assert!(
        demographic["note"]
            .as_str()
            .unwrap()
            .starts_with("not available: no region column"),
        "{demographic}"
    );
    let hybrid = method("hybrid");
    assert_eq!(hybrid["available"], true);
    assert_eq!(
        hybrid["note"], "weights given: item-cf 1.00",
        "content is left out"
    );
    assert_eq!(v["hybrid_weights"]["item_cf"], 1.0);
    // With all its weight on item-CF, the hybrid ranks as item-CF does.
    for key in ["hit_rate", "ndcg", "coverage"] {
        assert_eq!(hybrid[key], method("item-cf")[key], "{key}");
    }
    let text = String::from_utf8(tailor(&["evaluate-recs", db]).stdout).unwrap();
    assert!(
        text.contains("content          not available: no product names or categories"),
        "{text}"
    );
    assert_clean_error(
        &tailor(&["evaluate-recs", db, "--weights", "als=x"]),
        "--weights",
    );
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

#[test]
fn recommend_prints_items_with_reasons_in_the_documented_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let db = db.to_str().unwrap();
    assert!(
        tailor(&["sample", "--customers", "300", "--seed", "5", "--out", db])
            .status
            .success()
    );
    let conn = rusqlite::Connection::open(db).unwrap();
    let id: String = conn
        .query_row(
            "SELECT customer_id FROM transactions GROUP BY customer_id ORDER BY COUNT(*) DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    for method in [
        "popular",
        "popular-recent",
        "item-cf",
        "als",
        "content",
        "demographic",
        "hybrid",
    ] {
        let out = tailor(&[
            "recommend",
            db,
            "--customer",
            &id,
            "--method",
            method,
            "--top",
            "4",
            "--json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["customer_id"], id.as_str());
        assert_eq!(v["method"], method);
        if method == "hybrid" {
            // No --weights: the blend tuned on this database.
            assert_eq!(v["blend"]["source"], "tuned", "{v}");
            assert!(v["blend"]["weights"]["als"].is_number());
        } else {
            assert!(v["blend"].is_null(), "{method}");
        }
        let items = v["items"].as_array().unwrap();
        assert_eq!(items.len(), 4, "{method}");
        for item in items {
            assert!(item["product_id"].is_string());
            assert!(item["name"].is_string(), "the sample's products have names");
            assert!(item["score"].is_number());
            let reasons = item["reasons"].as_array().unwrap();
            assert!(!reasons.is_empty());
            for r in reasons {
                assert!(r["kind"].is_string() && r["text"].is_string());
                let w = r["weight"].as_f64().unwrap();
                assert!(w > 0.0 && w <= 1.0 + 1e-9, "{w}");
            }
        }
    }
    let text = tailor(&["recommend", db, "--customer", &id, "--top", "2"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("by hybrid")
            && text.contains("blend:")
            && text.contains("Blend: weights tuned on this database: "),
        "{text}"
    );
    let weighted = tailor(&[
        "recommend",
        db,
        "--customer",
        &id,
        "--weights",
        "content=1",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&weighted.stdout).unwrap();
    assert_eq!(v["blend"]["source"], "given");
    for item in v["items"].as_array().unwrap() {
        assert_eq!(item["contributions"].as_array().unwrap().len(), 1);
        assert_eq!(item["contributions"][0]["method"], "content");
    }

    assert_clean_error(
        &tailor(&["recommend", db, "--customer", "no-such-id"]),
        "customer no-such-id is not in",
    );
    assert_clean_error(
        &tailor(&["recommend", db, "--customer", &id, "--method", "magic"]),
        "unknown --method magic",
    );
    assert_clean_error(
        &tailor(&["recommend", db, "--customer", &id, "--weights", "als=x"]),
        "--weights",
    );
    assert_clean_error(
        &tailor(&["recommend", db, "--customer", &id, "--top", "0"]),
        "--top",
    );
}
