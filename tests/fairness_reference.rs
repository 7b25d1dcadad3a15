//! The audit's per-group rates and differences equal fairlearn's `MetricFrame`,
//! `demographic_parity_difference`, `demographic_parity_ratio` and `equalized_odds_difference`
//! to 1e-9 on the same predictions: Telco (top 20% churn risk, by gender and SeniorCitizen) and
//! bank-full (a response model's top 20%, by marital status and age band). Predictions and the
//! figures were made once by `bench/reference/fairlearn_reference.py`; no Python here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::Path;

use tailor::models::fairness::audit::{AuditOptions, rates};

fn fixture(name: &str) -> Vec<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fairness")
        .join(name);
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let mut rows = vec![header];
    for r in reader.records() {
        rows.push(r.unwrap().iter().map(String::from).collect());
    }
    rows
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 1e-9, "{what}: tailor {a} vs fairlearn {b}");
}

#[test]
fn audit_equals_fairlearn_on_telco_and_bank() {
    let reference: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/reference/fairlearn_reference.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let cases = reference["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    for case in cases {
        let file = match case["data"].as_str().unwrap() {
            "telco" => "telco_predictions.csv.gz",
            _ => "bank_predictions.csv.gz",
        };
        let rows = fixture(file);
        let header = &rows[0];
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let attribute = case["attribute"].as_str().unwrap();
        let (yt, yp, ga) = (col("y_true"), col("y_pred"), col(attribute));
        let mut names: Vec<String> = rows[1..].iter().map(|r| r[ga].clone()).collect();
        names.sort();
        names.dedup();
        let label: Vec<bool> = rows[1..].iter().map(|r| r[yt] == "1").collect();
        let selected: Vec<bool> = rows[1..].iter().map(|r| r[yp] == "1").collect();
        let group: Vec<Option<u32>> = rows[1..]
            .iter()
            .map(|r| names.iter().position(|n| *n == r[ga]).map(|i| i as u32))
            .collect();
        let r = rates(
            &selected,
            Some(&label),
            &group,
            &names,
            &AuditOptions::default(),
        );
        let want = case["groups"].as_array().unwrap();
        assert_eq!(r.groups.len(), want.len(), "{attribute}");
        for w in want {
            let g = r
                .groups
                .iter()
                .find(|g| g.group == w["group"].as_str().unwrap())
                .unwrap();
            let what = format!("{attribute}={}", g.group);
            assert_eq!(g.n, w["n"].as_u64().unwrap(), "{what}");
            close(
                g.selection_rate,
                w["selection_rate"].as_f64().unwrap(),
                &what,
            );
            close(g.tpr.unwrap(), w["tpr"].as_f64().unwrap(), &what);
            close(g.fpr.unwrap(), w["fpr"].as_f64().unwrap(), &what);
            close(
                g.precision.unwrap(),
                w["precision"].as_f64().unwrap(),
                &what,
            );
            assert!(g.ci_low <= g.selection_rate && g.selection_rate <= g.ci_high);
        }
        close(
            r.demographic_parity_difference,
            case["demographic_parity_difference"].as_f64().unwrap(),
            attribute,
        );
        close(
            r.disparate_impact,
            case["demographic_parity_ratio"].as_f64().unwrap(),
            attribute,
        );
        close(
            r.equalized_odds_difference.unwrap(),
            case["equalized_odds_difference"].as_f64().unwrap(),
            attribute,
        );
    }
}
