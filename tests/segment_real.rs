//! Segmentation quality: the planted customer types of the sample are found (adjusted Rand
//! index), and Tailor's k-means reaches scikit-learn's inertia on the reference matrices
//! (`bench/reference/kmeans_reference.json`, made by `bench/reference/kmeans_reference.py`).
//! The Online Retail reference needs `TAILOR_DATA_DIR`; the sample references always run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::{data_dir, tailor};
use serde_json::Value;

/// Adjusted Rand index of two labelings of the same items (Hubert and Arabie).
fn adjusted_rand_index<A: Eq + std::hash::Hash, B: Eq + std::hash::Hash>(a: &[A], b: &[B]) -> f64 {
    assert_eq!(a.len(), b.len());
    let pairs = |m: f64| m * (m - 1.0) / 2.0;
    let mut cells: HashMap<(&A, &B), f64> = HashMap::new();
    let mut rows: HashMap<&A, f64> = HashMap::new();
    let mut cols: HashMap<&B, f64> = HashMap::new();
    for (x, y) in a.iter().zip(b) {
        *cells.entry((x, y)).or_default() += 1.0;
        *rows.entry(x).or_default() += 1.0;
        *cols.entry(y).or_default() += 1.0;
    }
    let index: f64 = cells.values().map(|&m| pairs(m)).sum();
    let sum_a: f64 = rows.values().map(|&m| pairs(m)).sum();
    let sum_b: f64 = cols.values().map(|&m| pairs(m)).sum();
    let expected = sum_a * sum_b / pairs(a.len() as f64);
    let max = (sum_a + sum_b) / 2.0;
    if max == expected {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

#[test]
fn adjusted_rand_index_by_hand() {
    // Values from scikit-learn's adjusted_rand_score.
    let ari = adjusted_rand_index(&[0, 0, 0, 1, 1, 1], &[0, 0, 1, 1, 2, 2]);
    assert!((ari - 0.242_424_242_424_242_43).abs() < 1e-12, "{ari}");
    assert!((adjusted_rand_index(&[0, 0, 1, 1], &[0, 1, 0, 1]) + 0.5).abs() < 1e-12);
    let ari = adjusted_rand_index(&[0, 0, 1, 2], &[5, 5, 7, 7]);
    assert!((ari - 4.0 / 7.0).abs() < 1e-12, "{ari}");
    // Renaming the labels changes nothing.
    assert_eq!(adjusted_rand_index(&["a", "a", "b"], &[2, 2, 9]), 1.0);
}

/// A CSV file as records, the header first.
fn read_csv(path: &Path) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    let mut out = vec![header];
    out.extend(reader.records().map(|r| r.unwrap()));
    out
}

/// Column of a CSV by name, keyed by its first column.
fn column(path: &Path, name: &str) -> HashMap<String, String> {
    let records = read_csv(path);
    let j = records[0].iter().position(|h| h == name).unwrap();
    records[1..]
        .iter()
        .map(|r| (r[0].to_string(), r[j].to_string()))
        .collect()
}

fn run_json(args: &[&str]) -> Value {
    let out = tailor(args);
    assert!(
        out.status.success(),
        "tailor {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn sample(dir: &Path, customers: usize, seed: u64) -> (String, String) {
    let db = dir.join("sample.sqlite").display().to_string();
    let types = dir.join("types.csv").display().to_string();
    let out = tailor(&[
        "sample",
        "--customers",
        &customers.to_string(),
        "--seed",
        &seed.to_string(),
        "--types",
        &types,
        "--out",
        &db,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (db, types)
}

#[test]
fn kmeans_finds_the_planted_types() {
    let dir = tempfile::tempdir().unwrap();
    let (db, types) = sample(dir.path(), 5000, 42);
    let seg = dir.path().join("seg.csv");
    let summary = run_json(&[
        "segment",
        &db,
        "--method",
        "kmeans",
        "--k",
        "5",
        "--out",
        seg.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(summary["k"], 5);
    let truth = column(Path::new(&types), "type");
    let found = column(&seg, "segment_id");
    assert_eq!(truth.len(), 5000);
    assert_eq!(found.len(), 5000);
    let ids: Vec<&String> = truth.keys().collect();
    let a: Vec<&str> = ids.iter().map(|i| truth[*i].as_str()).collect();
    let b: Vec<&str> = ids.iter().map(|i| found[*i].as_str()).collect();
    let ari = adjusted_rand_index(&a, &b);
    println!("adjusted Rand index, k = 5 against the planted types: {ari:.4}");
    assert!(ari >= 0.8, "adjusted Rand index {ari}");

    // Automatic k: reported, not asserted (region one-hot columns make finer splits score well).
    let auto = run_json(&[
        "segment", &db, "--method", "kmeans", "--k", "auto", "--json",
    ]);
    let scores: Vec<String> = auto["k_scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{}: {:.3}", s["k"], s["silhouette"].as_f64().unwrap()))
        .collect();
    println!(
        "k auto picks {} (silhouettes {})",
        auto["k"],
        scores.join(", ")
    );
}

/// The reference entries, by name.
fn reference() -> HashMap<String, Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/reference/kmeans_reference.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap().to_string(), e.clone()))
        .collect()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Checks that the dumped matrix is the one the reference was computed on (as
/// kmeans_reference.py fingerprints it).
fn assert_same_matrix(dump: &Path, m: &Value) {
    let records = read_csv(dump);
    let names: Vec<&str> = records[0].iter().skip(1).collect();
    let expected_names: Vec<&str> = m["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(names, expected_names, "feature names");
    let (n, p) = (records.len() - 1, names.len());
    assert_eq!(n as u64, m["rows"].as_u64().unwrap(), "rows");
    assert_eq!(p as u64, m["cols"].as_u64().unwrap(), "columns");
    let x: Vec<Vec<f64>> = records[1..]
        .iter()
        .map(|r| r.iter().skip(1).map(|v| v.parse().unwrap()).collect())
        .collect();
    for (i, id) in m["first_ids"].as_array().unwrap().iter().enumerate() {
        assert_eq!(&records[i + 1][0], id.as_str().unwrap(), "customer {i}");
        let expected = floats(&m["first_rows"][i]);
        for (a, b) in x[i].iter().zip(&expected) {
            assert!((a - b).abs() < 1e-9, "row {i}: {a} vs {b}");
        }
    }
    let sums = floats(&m["column_sums"]);
    let squares = floats(&m["column_sums_of_squares"]);
    for j in 0..p {
        let s: f64 = x.iter().map(|r| r[j]).sum();
        let q: f64 = x.iter().map(|r| r[j] * r[j]).sum();
        assert!(
            (s - sums[j]).abs() < 1e-6,
            "column {j} sum {s} vs {}",
            sums[j]
        );
        assert!(
            (q - squares[j]).abs() < 1e-6 * n as f64,
            "column {j} squares"
        );
    }
    let weighted: f64 = x
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r.iter()
                .enumerate()
                .map(move |(j, v)| v * ((31 * i + j) % 97 + 1) as f64)
        })
        .sum();
    let expected = m["weighted_sum"].as_f64().unwrap();
    assert!(
        (weighted - expected).abs() < 1e-9 * (n * p * 100) as f64,
        "weighted sum {weighted} vs {expected}: rows or columns moved"
    );
}

/// Dumps the features of `db`, checks them against the reference `name`, and checks that
/// Tailor's k-means (default 10 restarts, default seed) is within 1% of scikit-learn's best.
fn check_reference(db: &str, name: &str, dir: &Path) {
    let refs = reference();
    let entry = &refs[name];
    let k = entry["k"].as_u64().unwrap().to_string();
    let dump = dir.join(format!("{name}.csv"));
    let summary = run_json(&[
        "segment",
        db,
        "--method",
        "kmeans",
        "--k",
        &k,
        "--dump-features",
        dump.to_str().unwrap(),
        "--json",
    ]);
    assert_same_matrix(&dump, &entry["matrix"]);
    let ours = summary["inertia"].as_f64().unwrap();
    let best = entry["best_inertia"].as_f64().unwrap();
    println!(
        "{name}: Tailor inertia {ours:.2}, scikit-learn best of ten {best:.2}, ratio {:.4}",
        ours / best
    );
    assert!(ours <= 1.01 * best, "{name}: {ours} > 1.01 × {best}");
}

#[test]
fn kmeans_matches_scikit_learn_on_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = sample(dir.path(), 5000, 42);
    check_reference(&db, "sample_5000_seed42_k5", dir.path());
}

#[test]
fn kmeans_matches_scikit_learn_on_online_retail() {
    let Some(data) = data_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("retail.sqlite").display().to_string();
    let file = data.join("online_retail/online_retail.csv.gz");
    let out = tailor(&["import", file.to_str().unwrap(), "--db", &db]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_reference(&db, "online_retail_k5", dir.path());
    check_reference(&db, "online_retail_k8", dir.path());
}
