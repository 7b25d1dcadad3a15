//! Tailor's recommendations against the `implicit` library's figures on Online Retail
//! (`bench/reference/implicit_reference.json`, made by `bench/reference/implicit_reference.py`
//! with the same interactions and the same leave-last-out protocol).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use tailor::models::recommend::RecOptions;
use tailor::models::recommend::evaluate::evaluate_methods;
use tailor::models::recommend::interactions::Interactions;
use tailor::models::recommend::methods::{Blend, RecMethod};
use tailor::progress::NoProgress;

fn reference() -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("bench/reference/implicit_reference.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn f(v: &serde_json::Value, path: &str) -> f64 {
    v.pointer(path)
        .and_then(serde_json::Value::as_f64)
        .unwrap_or_else(|| panic!("{path} missing in implicit_reference.json"))
}

#[test]
fn popular_item_cf_and_als_match_implicit_on_online_retail() {
    let Some(data_dir) = common::data_dir() else {
        return;
    };
    let r = reference();
    let dir = tempfile::tempdir().unwrap();
    let (_, data) = common::online_retail(&data_dir, dir.path());
    let all = Interactions::from_dataset(&data);
    let report = evaluate_methods(
        &data,
        &all,
        &[
            RecMethod::Popular,
            RecMethod::ItemCf,
            RecMethod::Als,
            RecMethod::Content,
            RecMethod::Demographic,
            RecMethod::Hybrid,
        ],
        10,
        &RecOptions::default(),
        &Blend::default(),
        &NoProgress,
    )
    .unwrap();
    let hr = |m: RecMethod| {
        report
            .methods
            .iter()
            .find(|x| x.method == m)
            .unwrap()
            .metrics
            .hit_rate
    };
    let (popular, item_cf, als) = (
        hr(RecMethod::Popular),
        hr(RecMethod::ItemCf),
        hr(RecMethod::Als),
    );
    eprintln!(
        "Tailor on Online Retail, {} users: popular {popular:.4}, item-cf {item_cf:.4}, als {als:.4}",
        report.users
    );

    assert_eq!(
        report.users as f64,
        f(&r, "/users"),
        "evaluated users differ from implicit_reference.py's: interactions or split changed"
    );

    let peer_popular = f(&r, "/popular/hit_rate");
    assert!(
        (popular - peer_popular).abs() <= 0.003,
        "popular HR@10 {popular} vs implicit's most-popular {peer_popular}"
    );

    let (lo, hi) = (f(&r, "/als/hit_rate_min"), f(&r, "/als/hit_rate_max"));
    assert!(
        als >= lo - 0.01 && als <= hi + 0.01 && als >= 0.16,
        "ALS HR@10 {als} vs implicit's {lo}..{hi} over seeds 0..4"
    );

    // Content, demographic and the hybrid against the same split: every method beats popularity
    // on HR@10 and NDCG@10, and the hybrid is at least as good as ALS alone (within noise).
    let ndcg = |m: RecMethod| {
        report
            .methods
            .iter()
            .find(|x| x.method == m)
            .unwrap()
            .metrics
            .ndcg
    };
    for m in [
        RecMethod::ItemCf,
        RecMethod::Als,
        RecMethod::Content,
        RecMethod::Demographic,
        RecMethod::Hybrid,
    ] {
        assert!(
            hr(m) > popular && ndcg(m) > ndcg(RecMethod::Popular),
            "{m:?}: HR {} NDCG {} vs popular {popular} {}",
            hr(m),
            ndcg(m),
            ndcg(RecMethod::Popular)
        );
    }
    assert!(
        hr(RecMethod::Hybrid) >= als - 0.005,
        "hybrid {}",
        hr(RecMethod::Hybrid)
    );

    let peer_cosine = f(&r, "/cosine_knn/hit_rate");
    assert!(
        item_cf >= peer_cosine - 0.01,
        "item-cf HR@10 {item_cf} vs implicit's cosine item-kNN {peer_cosine}"
    );
}
