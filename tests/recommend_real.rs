//! Recommendation evaluation on the real Online Retail data, against the published protocol's
//! peer figure for the popularity baseline (DESIGN.md: most popular HR@10 = 0.050).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use tailor::models::recommend::als::{Als, AlsParams};
use tailor::models::recommend::evaluate::{evaluate, popularity, split, top_unseen};
use tailor::models::recommend::interactions::Interactions;
use tailor::models::recommend::item_cf::{self, DEFAULT_NEIGHBOURS, ItemKnn};
use tailor::progress::NoProgress;

#[test]
fn popularity_matches_the_peer_figure_and_item_cf_beats_it_on_online_retail() {
    let Some(data_dir) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (_, data) = common::online_retail(&data_dir, dir.path());
    let s = split(&Interactions::from_dataset(&data));
    let (_, ranked) = popularity(&s.train);
    let m = evaluate(&s, 10, |c, k| top_unseen(&ranked, &s.train, c, k));
    eprintln!("popular on Online Retail: {} users, {m:?}", s.test.len());
    assert!(
        (m.hit_rate - 0.050).abs() < 0.005,
        "popular HR@10 {} (peer figure 0.050)",
        m.hit_rate
    );
    assert!(m.ndcg > 0.0 && m.ndcg < m.hit_rate);

    // Item-item CF beats popularity (peer: implicit's cosine item-kNN HR@10 0.088).
    let knn = ItemKnn::fit(&s.train, DEFAULT_NEIGHBOURS);
    let cf = evaluate(&s, 10, |c, k| {
        item_cf::top_k(&knn, &s.train, &s.in_train, &ranked, c, k)
    });
    eprintln!("item-cf on Online Retail: {cf:?}");
    assert!(
        cf.hit_rate > m.hit_rate && cf.ndcg > m.ndcg,
        "{cf:?} vs {m:?}"
    );

    // Implicit ALS, 64 factors, 15 iterations, regularization 0.01 (peer: implicit's ALS
    // HR@10 0.177–0.185 depending on its seed; the issue asks for at least 0.16).
    let als = Als::fit(&s.train, &AlsParams::default(), &NoProgress).unwrap();
    let a = evaluate(&s, 10, |c, k| als.top_k(&s.train, &s.in_train, c, k));
    eprintln!("als on Online Retail: {a:?}");
    assert!(a.hit_rate >= 0.16, "ALS HR@10 {}", a.hit_rate);
    assert!(a.ndcg > m.ndcg);
}

/// Postage, fees and adjustments are found from the import on, reported apart from sales by the
/// check, and never recommended or cited as a reason (for every method, even with repeats).
#[test]
fn postage_and_fees_are_never_recommended_or_given_as_a_reason_on_online_retail() {
    use tailor::data::quality::check_as_of;
    use tailor::models::recommend::methods::RecMethod;
    use tailor::models::recommend::recommender::{RecRequest, Recommender};
    let Some(data_dir) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (db, data) = common::online_retail(&data_dir, dir.path());
    let p = &data.products;
    let flagged: Vec<&str> = (0..p.ids.len())
        .filter(|&i| p.non_merchandise[i])
        .map(|i| p.ids[i].as_str())
        .collect();
    eprintln!("non-merchandise on Online Retail: {flagged:?}");
    for id in [
        "POST",
        "DOT",
        "M",
        "D",
        "CRUK",
        "BANK CHARGES",
        "C2",
        "PADS",
        "23444",
    ] {
        assert!(flagged.contains(&id), "{id} not flagged: {flagged:?}");
    }
    assert_eq!(
        flagged.len(),
        9,
        "only postage, fees and adjustments: {flagged:?}"
    );
    let report = check_as_of(&db, "2026-01-01", &NoProgress).unwrap();
    let f = report
        .findings
        .iter()
        .find(|f| f.check == "non_merchandise")
        .unwrap();
    assert!(f.count > 1000 && f.message.contains("POST"), "{f:?}");
    // Apart from sales: the lines' money (quantity × unit price here) is stated.
    assert!(!f.message.contains("worth 0.00"), "{}", f.message);

    let rec = Recommender::fit(&data, &Default::default(), &NoProgress).unwrap();
    let post = p.ids.iter().position(|id| id == "POST").unwrap() as u32;
    let buyers: Vec<usize> = (0..data.n_customers())
        .filter(|&c| rec.interactions.of(c).iter().any(|x| x.product == post))
        .take(150)
        .collect();
    assert!(buyers.len() >= 100);
    for method in RecMethod::ALL {
        for repeat in [false, true] {
            let request = RecRequest {
                method,
                repeat,
                ..RecRequest::default()
            };
            for recs in rec
                .recommend_many(&data, &buyers, &request, &NoProgress)
                .unwrap()
            {
                for item in &recs.items {
                    assert!(
                        !p.non_merchandise[item.product as usize],
                        "{method:?}: {item:?}"
                    );
                    for reason in &item.reasons {
                        let text = reason.text.to_uppercase();
                        assert!(
                            !text.contains("POSTAGE") && !text.contains("CARRIAGE"),
                            "{method:?}: {}",
                            reason.text
                        );
                    }
                }
            }
        }
    }
}

/// The blend and ALS tuned per database (on each customer's second-to-last purchase) win on the
/// last one: the default hybrid is within 0.005 of the best single method or better, and tuned
/// ALS is at least as good as popularity, on the bundled sample and on Online Retail.
#[test]
fn the_tuned_blend_wins_on_the_sample_and_online_retail() {
    use tailor::models::recommend::methods::{RecMethod, WeightsSource};
    use tailor::workspace::Workspace;
    use tailor::workspace::recommend::EvaluateParams;
    let Some(data_dir) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sample = common::sample_copy(dir.path());
    common::online_retail(&data_dir, dir.path());
    let retail = dir.path().join("retail.sqlite");
    for path in [std::path::PathBuf::from(sample), retail] {
        let mut ws = Workspace::open(&path).unwrap();
        let report = ws
            .evaluate_recommenders(&EvaluateParams::default(), &NoProgress)
            .unwrap();
        assert_eq!(report.weights_source, WeightsSource::Tuned);
        let hr = |m: RecMethod| {
            report
                .methods
                .iter()
                .find(|x| x.method == m)
                .unwrap()
                .metrics
                .hit_rate
        };
        let best = report
            .methods
            .iter()
            .filter(|m| m.available && m.method != RecMethod::Hybrid)
            .map(|m| m.metrics.hit_rate)
            .fold(0.0, f64::max);
        eprintln!(
            "{}: hybrid {:.4}, best single {best:.4}, als {:.4}, popular {:.4}; {:?}",
            path.display(),
            hr(RecMethod::Hybrid),
            hr(RecMethod::Als),
            hr(RecMethod::Popular),
            report.tuning
        );
        assert!(
            hr(RecMethod::Hybrid) >= best - 0.005,
            "{}: hybrid {} against the best single method's {best}",
            path.display(),
            hr(RecMethod::Hybrid)
        );
        assert!(
            hr(RecMethod::Als) >= hr(RecMethod::Popular),
            "{}: tuned ALS {} against popularity {}",
            path.display(),
            hr(RecMethod::Als),
            hr(RecMethod::Popular)
        );
    }
}
