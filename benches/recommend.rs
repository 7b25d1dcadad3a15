//! Per-customer recommendation latency once the models are fitted, at the size:
//! 100,000 customers × 20,000 products × about 5,000,000 transaction rows (power-law
//! popularity, named products in 20 categories, 12 regions), generated in memory, seeded.
//!
//! Fits every method once (`Recommender::fit`, timed), then for 200 random customers asks each
//! of the seven methods for a top 10 with reasons and reports p50 / p95 / max of the time per
//! customer for all seven together (goal < 50 ms) and per method.
//!
//! `cargo bench --bench recommend`

// A benchmark, like a test, may stop at the first failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tailor::data::dataset::{AttrValues, Attribute, Dataset, Products, Transactions};
use tailor::data::roles::Role;
use tailor::models::recommend::methods::RecMethod;
use tailor::models::recommend::{RecOptions, RecRequest, Recommender};
use tailor::progress::NoProgress;

const CUSTOMERS: usize = 100_000;
const PRODUCTS: usize = 20_000;
const ROWS: usize = 5_000_000;
const SAMPLE: usize = 200;

const WORDS: [&str; 40] = [
    "red",
    "blue",
    "green",
    "white",
    "black",
    "vintage",
    "heart",
    "star",
    "garden",
    "kitchen",
    "candle",
    "holder",
    "mug",
    "bag",
    "box",
    "tin",
    "lantern",
    "cushion",
    "cover",
    "frame",
    "set",
    "wooden",
    "metal",
    "glass",
    "paper",
    "party",
    "christmas",
    "spot",
    "stripe",
    "rose",
    "large",
    "small",
    "mini",
    "jumbo",
    "retro",
    "floral",
    "woodland",
    "regency",
    "cake",
    "jar",
];

fn dataset() -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let names: Vec<Option<String>> = (0..PRODUCTS)
        .map(|_| {
            let n = rng.gen_range(2..5);
            let words: Vec<&str> = (0..n)
                .map(|_| WORDS[rng.gen_range(0..WORDS.len())])
                .collect();
            Some(words.join(" ").to_uppercase())
        })
        .collect();
    let products = Products {
        ids: (0..PRODUCTS).map(|p| format!("P{p:05}")).collect(),
        names,
        category: (0..PRODUCTS).map(|p| Some((p % 20) as u32)).collect(),
        categories: (0..20).map(|c| format!("Category {c:02}")).collect(),
        price: vec![Some(9.99); PRODUCTS],
        non_merchandise: vec![false; PRODUCTS],
        ..Products::default()
    };
    // Power-law product popularity: product = floor(PRODUCTS * u^3).
    let mut t = Transactions::default();
    let start = 1_600_000_000i64;
    for r in 0..ROWS {
        let c = rng.gen_range(0..CUSTOMERS) as u32;
        let u: f64 = rng.r#gen();
        let p = ((PRODUCTS as f64) * u.powi(3)) as u32;
        t.customer.push(c);
        t.product.push(p.min(PRODUCTS as u32 - 1));
        t.ts.push(start + rng.gen_range(0..365 * 86_400));
        t.order.push(r as u32 / 4);
        t.quantity.push(1.0);
        t.amount.push(9.99);
        t.cancelled.push(false);
        t.rating.push(f32::NAN);
    }
    t.n_orders = (ROWS / 4) as u32;
    let regions: Vec<String> = (0..12).map(|r| format!("Region {r}")).collect();
    Dataset {
        customer_ids: (0..CUSTOMERS).map(|c| format!("C{c:06}")).collect(),
        attributes: vec![Attribute {
            name: "region".into(),
            role: Role::Feature,
            values: AttrValues::Categorical {
                levels: regions,
                codes: (0..CUSTOMERS).map(|c| Some((c % 12) as u32)).collect(),
            },
        }],
        pii_columns: Vec::new(),
        products,
        transactions: t,
        has_transactions: true,
    }
}

/// The per-customer latency goal for all seven methods together.
const GOAL_MS: f64 = 50.0;

fn percentile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    let t0 = Instant::now();
    let data = dataset();
    println!(
        "data: {} customers × {} products × {} rows, built in {:.1} s",
        CUSTOMERS,
        PRODUCTS,
        data.transactions.len(),
        t0.elapsed().as_secs_f64()
    );
    let t1 = Instant::now();
    let rec = Recommender::fit(&data, &RecOptions::default(), &NoProgress).unwrap();
    println!(
        "fit every method (item-cf, ALS 64 f × 15 it, content, demographic): {:.1} s; {} interactions",
        t1.elapsed().as_secs_f64(),
        rec.interactions.pairs.len()
    );
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let customers: Vec<usize> = (0..SAMPLE).map(|_| rng.gen_range(0..CUSTOMERS)).collect();
    let mut all = Vec::new();
    let mut per: Vec<Vec<f64>> = vec![Vec::new(); RecMethod::ALL.len()];
    for &c in &customers {
        let start = Instant::now();
        for (i, m) in RecMethod::ALL.into_iter().enumerate() {
            let s = Instant::now();
            let out = rec.recommend(
                &data,
                c,
                &RecRequest {
                    method: m,
                    ..RecRequest::default()
                },
            );
            assert_eq!(out.items.len(), 10);
            per[i].push(s.elapsed().as_secs_f64() * 1e3);
        }
        all.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let (p50, p95, max) = (
        percentile(&mut all, 0.5),
        percentile(&mut all, 0.95),
        percentile(&mut all, 1.0),
    );
    println!(
        "one customer, all 7 methods with reasons: p50 {p50:.1} ms, p95 {p95:.1} ms, max {max:.1} ms (goal < 50 ms)"
    );
    let verdict = |ms: f64| if ms < GOAL_MS { "met" } else { "NOT met" };
    println!(
        "goal < {GOAL_MS:.0} ms: p95 {} ({p95:.1} ms), max {} ({max:.1} ms)",
        verdict(p95),
        verdict(max)
    );
    for (i, m) in RecMethod::ALL.into_iter().enumerate() {
        println!(
            "  {:<15} p50 {:6.2} ms  p95 {:6.2} ms",
            m.as_str(),
            percentile(&mut per[i], 0.5),
            percentile(&mut per[i], 0.95)
        );
    }
}
