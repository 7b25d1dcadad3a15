//! Churn on the real IBM Telco data: logistic regression reproduces the published 5-fold AUC
//! (0.841 ± 0.008), and the random forest reaches scikit-learn's RandomForestClassifier
//! (200 trees) on the same inputs and folds, minus 0.01 (figure committed in
//! bench/reference/telco_forest_reference.json, made by telco_forest_reference.py).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use tailor::data::Database;
use tailor::data::dataset::Dataset;
use tailor::data::import::{ImportOptions, import_to_path};
use tailor::models::churn::run::{ChurnParams, ModelKind, run};
use tailor::progress::NoProgress;

fn telco(data_dir: &Path, dir: &Path) -> Dataset {
    let db_path = dir.join("telco.sqlite");
    import_to_path(
        &db_path,
        &[data_dir.join("telco_churn/Telco-Customer-Churn.csv")],
        &ImportOptions::default(),
        &NoProgress,
    )
    .unwrap();
    let db = Database::open(&db_path).unwrap();
    Dataset::load(&db, &NoProgress).unwrap()
}

#[test]
fn telco_logistic_reproduces_the_published_auc() {
    let Some(data_dir) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = telco(&data_dir, dir.path());
    let r = run(&data, &ChurnParams::default(), &NoProgress).unwrap();
    let m = &r.metrics;
    eprintln!(
        "Telco logistic: AUC {:.4} ± {:.4}, PR AUC {:.4}, Brier {:.4} → {:.4}, folds {:?}",
        m.auc,
        m.auc_std,
        m.pr_auc,
        m.brier,
        m.brier_calibrated,
        r.folds.iter().map(|f| f.auc).collect::<Vec<_>>()
    );
    assert_eq!((r.label.customers, r.label.churned), (7043, 1869));
    assert!(m.auc >= 0.83, "AUC {} (published 0.841 ± 0.008)", m.auc);
    assert!(m.auc_std < 0.03);
    assert!(r.leakage.is_empty(), "{:?}", r.leakage);
    // The 11 blank TotalCharges are imputed and counted, no customer dropped.
    let imputed = r
        .features
        .imputed
        .iter()
        .find(|i| i.column == "TotalCharges");
    assert_eq!(imputed.map(|i| i.blanks), Some(11));
    assert_eq!(r.customers.len(), 7043);
    assert!(r.customers.iter().all(|c| !c.reasons.is_empty()));
    // Month-to-month contracts are the classic churn driver: it is among the reasons of most
    // high-risk customers.
    let risky: Vec<_> = r.customers.iter().filter(|c| c.probability > 0.6).collect();
    let m2m = risky
        .iter()
        .filter(|c| {
            c.reasons
                .iter()
                .any(|x| x.text == "Contract: Month-to-month")
        })
        .count();
    assert!(m2m * 2 > risky.len(), "{m2m} of {}", risky.len());
    assert!(r.logistic.as_ref().unwrap().converged);
}

#[test]
fn telco_forest_reaches_scikit_learn() {
    let Some(data_dir) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = telco(&data_dir, dir.path());
    let params = ChurnParams {
        model: ModelKind::Forest,
        ..ChurnParams::default()
    };
    let r = run(&data, &params, &NoProgress).unwrap();
    let reference: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("bench/reference/telco_forest_reference.json"),
        )
        .unwrap(),
    )
    .unwrap();
    // Same inputs and folds as the reference, or the figure is stale.
    let f = &r.features;
    assert_eq!(reference["rows"].as_u64(), Some(f.n as u64));
    let names: Vec<String> = reference["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        f.names(),
        "the inputs changed: rerun telco_forest_reference.py"
    );
    let p = f.p();
    for (j, s) in reference["column_sums"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let ours: f64 = (0..f.n).map(|i| f.x[i * p + j]).sum();
        let theirs = s.as_f64().unwrap();
        assert!(
            (ours - theirs).abs() <= 1e-6 * theirs.abs().max(1.0),
            "column {j}"
        );
    }
    let sizes: Vec<u64> = r.folds.iter().map(|f| f.customers as u64).collect();
    let ref_sizes: Vec<u64> = reference["fold_sizes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(sizes, ref_sizes);
    let sklearn = reference["auc"].as_f64().unwrap();
    eprintln!(
        "Telco forest: AUC {:.4} ± {:.4} vs scikit-learn {sklearn:.4}; Brier {:.4} → {:.4}",
        r.metrics.auc, r.metrics.auc_std, r.metrics.brier, r.metrics.brier_calibrated
    );
    assert!(
        r.metrics.auc >= sklearn - 0.01,
        "forest AUC {} vs scikit-learn {sklearn}",
        r.metrics.auc
    );
    assert!(r.customers.iter().all(|c| !c.reasons.is_empty()));
    let top = &r.importance[0].name;
    assert!(
        [
            "tenure",
            "TotalCharges",
            "MonthlyCharges",
            "Contract = Month-to-month"
        ]
        .contains(&top.as_str()),
        "{top}"
    );
}
