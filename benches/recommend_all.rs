//! Every customer's recommendations at scale (issue 14, deliverables 1 and 2), on the
//! `tailor sample` of 1,000,000 customers (seed 1: about 18 million transaction rows, 500
//! products), made once into `target/bench-data/sample_1m.sqlite`.
//!
//! Times, each once: loading the `Dataset`; tuning ALS and the blend (on the seeded subsample
//! the workspace uses); fitting all seven methods with the tuned settings; every customer's top
//! 10 hybrid with reasons (goal: under 60 s); every customer's ALS top 10, ranking only. It then
//! writes the purchases and the fitted factors to `target/bench-data/` and, when the Python has
//! `implicit` (`$TAILOR_PYTHON`, else python3), times implicit's batch `recommend` for every
//! user with the same factors (`bench/reference/implicit_recommend_time.py`; goal: Tailor's ALS
//! ranking no slower) and implicit's ALS fit on the same confidences
//! (`bench/reference/implicit_als_time.py`) against `Als::fit` with the same shape.
//!
//! `cargo bench --bench recommend_all [-- CUSTOMERS]`

// A benchmark, like a test, may stop at the first failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Instant;

use tailor::data::dataset::Dataset;
use tailor::data::db::Database;
use tailor::data::sample::{SampleOptions, generate};
use tailor::models::recommend::als::{Als, AlsParams};
use tailor::models::recommend::interactions::Interactions;
use tailor::models::recommend::methods::{Blend, RecMethod, WeightsSource};
use tailor::models::recommend::tune::tune;
use tailor::models::recommend::{RecOptions, RecRequest, Recommender};
use tailor::progress::NoProgress;

/// Runs `f`, prints its wall clock and CPU time under `name`, returns its value and seconds.
fn timed<T>(name: &str, f: impl FnOnce() -> T) -> (T, f64) {
    let before = common::load();
    let (t0, c0) = (Instant::now(), common::cpu_seconds());
    let out = f();
    let (t, cpu) = (t0.elapsed().as_secs_f64(), common::cpu_seconds() - c0);
    println!("    {name:<44} {t:7.2} s  (CPU {cpu:.1} s, load before {before})");
    (out, t)
}

fn main() {
    let customers: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = common::bench_dir();
    let db_path = dir.join(format!("sample_{customers}.sqlite"));
    if !db_path.exists() {
        let options = SampleOptions { customers, seed: 1 };
        timed("tailor sample (made once)", || {
            generate(&db_path, &options, None, &NoProgress).unwrap()
        });
    }
    println!("recommend_all: {} on {threads} threads", db_path.display());
    let db = Database::open(&db_path).unwrap();
    let (data, _) = timed("load the Dataset", || {
        Dataset::load(&db, &NoProgress).unwrap()
    });
    let all = Interactions::from_dataset(&data);
    println!(
        "    {} customers, {} products, {} customer-product pairs",
        data.n_customers(),
        all.n_products,
        all.pairs.len()
    );
    let (tuning, t_tune) = timed("tune ALS and the blend (subsample)", || {
        tune(&data, &all, &RecOptions::default(), 42, &NoProgress).unwrap()
    });
    let options = RecOptions {
        als: tuning.als,
        ..RecOptions::default()
    };
    println!("    tuned ALS: {:?}", tuning.als);
    let (mut rec, t_fit) = timed("fit all seven methods (tuned settings)", || {
        Recommender::fit(&data, &options, &NoProgress).unwrap()
    });
    rec.set_blend(Blend {
        weights: tuning.weights,
        source: WeightsSource::Tuned,
    });
    println!(
        "    tuning + fitting: {:.1} s (goal: under 60 s)",
        t_tune + t_fit
    );
    let everyone: Vec<usize> = (0..data.n_customers()).collect();
    let hybrid = RecRequest {
        method: RecMethod::Hybrid,
        top: 10,
        ..RecRequest::default()
    };
    let ((items, reasons), t_all) = timed("every customer's top 10 hybrid, with reasons", || {
        let counts = rec
            .recommend_each(&data, &everyone, &hybrid, &NoProgress, |r| {
                (
                    r.items.len(),
                    r.items.iter().map(|i| i.reasons.len()).sum::<usize>(),
                )
            })
            .unwrap();
        counts.iter().fold((0, 0), |(a, b), (x, y)| (a + x, b + y))
    });
    println!(
        "    {items} items with {reasons} reasons; {:.0} customers a second (goal: all in under 60 s)",
        everyone.len() as f64 / t_all
    );
    let als_top = RecRequest {
        method: RecMethod::Als,
        top: 10,
        ..RecRequest::default()
    };
    let (ranked, t_als) = timed("every customer's ALS top 10, ranking only", || {
        rec.rank_many(&everyone, &als_top, &NoProgress).unwrap()
    });
    let first: Vec<u32> = ranked
        .first()
        .map_or(Vec::new(), |t| t.iter().map(|x| x.0).collect());
    drop(ranked);

    let purchases = dir.join(format!("purchases_{customers}.csr"));
    let (users, items_f) = (
        dir.join(format!("als_users_{customers}.f32")),
        dir.join(format!("als_items_{customers}.f32")),
    );
    let als = rec.models.als();
    common::write_csr(&rec.interactions, tuning.als.alpha, &purchases);
    common::write_matrix(&als.users, als.factors, &users);
    common::write_matrix(&als.items, als.factors, &items_f);
    // `-- --tailor-only` skips implicit.
    let python = !std::env::args().any(|a| a == "--tailor-only")
        && common::python_has("implicit, scipy, numpy");
    if python {
        let (v, line) = common::python_json(
            "implicit_recommend_time.py",
            &[&purchases, &users, &items_f],
        );
        let peer = v["seconds"].as_f64().unwrap();
        println!("    implicit recommend, every user, top 10: {peer:.2} s  {line}");
        println!("    tailor's first customer's ALS top 10: {first:?}");
        println!(
            "    ALS ranking: tailor {t_als:.2} s, implicit {peer:.2} s, ratio {:.2} (goal <= 1.0)",
            t_als / peer
        );
    } else {
        println!(
            "    implicit not run (--tailor-only, or {} lacks implicit)",
            common::python()
        );
    }
    // ALS fitting on this shape: the same confidences and settings as implicit_als_time.py.
    let plain = AlsParams {
        alpha: tuning.als.alpha,
        ..AlsParams::default()
    };
    let (_, ours) = timed("Als::fit, 64 factors, 15 iterations", || {
        std::hint::black_box(Als::fit(&rec.interactions, &plain, &NoProgress).unwrap())
    });
    if !python {
        return;
    }
    let (v, line) = common::python_json("implicit_als_time.py", &[&purchases]);
    let peer = v["seconds"].as_f64().unwrap();
    println!("    implicit ALS fit: {peer:.2} s  {line}");
    println!(
        "    ALS fit: tailor {ours:.2} s, implicit {peer:.2} s, ratio {:.2} (goal <= 1.0)",
        ours / peer
    );
}
