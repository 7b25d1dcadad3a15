//! Lifetime value on the CDNOW sample against the published figures: BG/NBD (Fader, Hardie &
//! Lee 2005) and Gamma-Gamma (lifetimes documentation), and the per-customer summary against
//! the shipped `cdnow_customers_summary.csv`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;

use chrono::NaiveDate;
use tailor::data::Database;
use tailor::data::dataset::Dataset;
use tailor::data::import::{ImportOptions, import_to_path};
use tailor::models::clv::run::{ClvParams, run};
use tailor::models::clv::summary::{TimeUnit, summarize};
use tailor::progress::NoProgress;

fn within(value: f64, published: f64, rel: f64) -> bool {
    (value - published).abs() <= rel * published.abs()
}

#[test]
fn cdnow_reproduces_the_published_bgnbd_and_gamma_gamma_figures() {
    let Some(data_dir) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("cdnow.sqlite");
    let raw = data_dir.join("cdnow/CDNOW_sample.txt");
    import_to_path(
        &db_path,
        std::slice::from_ref(&raw),
        &ImportOptions::default(),
        &NoProgress,
    )
    .unwrap();
    let db = Database::open(&db_path).unwrap();
    let data = Dataset::load(&db, &NoProgress).unwrap();
    let mut params = ClvParams::new(TimeUnit::Week);
    params.calibration_end = NaiveDate::from_ymd_opt(1997, 9, 30);
    params.horizon = 39.0;
    let r = run(&data, &params, &NoProgress).unwrap();

    let bg = &r.bgnbd;
    eprintln!("BG/NBD on CDNOW: {bg:?}");
    assert!(bg.converged);
    for (name, value, published) in [
        ("r", bg.params.r, 0.243),
        ("alpha", bg.params.alpha, 4.414),
        ("a", bg.params.a, 0.793),
        ("b", bg.params.b, 2.426),
    ] {
        assert!(
            within(value, published, 0.005),
            "{name} = {value}, published {published}"
        );
    }
    assert!(
        (bg.log_likelihood - (-9582.4)).abs() <= 0.5,
        "log-likelihood {}",
        bg.log_likelihood
    );

    let gg = r.gamma_gamma.as_ref().unwrap();
    eprintln!("Gamma-Gamma on CDNOW: {gg:?}");
    assert_eq!(gg.customers, 946);
    for (name, value, published) in [
        ("p", gg.params.p, 6.25),
        ("q", gg.params.q, 3.74),
        ("v", gg.params.v, 15.45),
    ] {
        assert!(
            within(value, published, 0.01),
            "{name} = {value}, published {published}"
        );
    }

    // Every customer bought in the first quarter of 1997: none left out.
    assert_eq!((r.calibration_customers, r.left_out), (2_357, 0));
    // The values per customer are as of the last purchase day, from a refit on the whole
    // period (the published figures above stay the calibration fit's).
    assert_eq!(r.customers.len(), 2_357);
    assert_eq!(r.values_as_of, r.last_purchase);
    assert_eq!(r.last_purchase, "1998-06-30");
    let refit = r.values_fit.as_ref().unwrap();
    assert!(refit.bgnbd.converged && refit.bgnbd.params != bg.params);
    let full_t = (NaiveDate::from_ymd_opt(1998, 6, 30).unwrap()
        - NaiveDate::from_ymd_opt(1997, 1, 1).unwrap())
    .num_days() as f64
        / 7.0;
    assert!(
        r.customers
            .iter()
            .all(|c| c.t <= full_t + 1e-9 && c.t >= full_t - 90.0 / 7.0 - 1e-9)
    );
    // The holdout comparison: 39 weeks, and the predicted total within 15% of the actual
    // (the paper's Figure 4 shows the model tracking the holdout closely).
    let h = r.holdout.as_ref().unwrap();
    assert!((h.length - 39.0).abs() < 1e-9, "{h:?}");
    assert_eq!(h.bins.len(), 8);
    assert_eq!(h.bins.iter().map(|b| b.customers).sum::<usize>(), 2_357);
    assert!(
        (h.predicted_total - h.actual_total).abs() < 0.15 * h.actual_total,
        "{h:?}"
    );
    for c in &r.customers {
        assert!(c.p_alive > 0.0 && c.p_alive <= 1.0);
        assert!(c.expected_purchases >= 0.0 && c.clv.unwrap() >= 0.0);
    }

    // The per-customer summary against the shipped file (IDs are the file's second column).
    let mut new_id: HashMap<String, String> = HashMap::new();
    for line in std::fs::read_to_string(&raw).unwrap().lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        new_id.insert(f[0].to_string(), f[1].trim_start_matches('0').to_string());
    }
    let read = |name: &str| -> HashMap<String, Vec<f64>> {
        let text = std::fs::read_to_string(data_dir.join("cdnow").join(name)).unwrap();
        text.lines()
            .skip(1)
            .map(|line| {
                let mut f = line.split(',');
                let id = f.next().unwrap().to_string();
                (id, f.map(|v| v.parse().unwrap()).collect())
            })
            .collect()
    };
    // ID,frequency,recency,T and ID,x,t_x,T,zbar.
    let published = read("cdnow_customers_summary.csv");
    let spend = read("cdnow_customers_summary_with_transactions.csv");
    assert_eq!((published.len(), spend.len()), (2_357, 2_357));
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let end = (params.calibration_end.unwrap() - epoch).num_days();
    let calibration = summarize(&data.transactions, end, TimeUnit::Week).unwrap();
    assert_eq!(calibration.rows.len(), 2_357);
    for c in &calibration.rows {
        let id = &data.customer_ids[c.customer as usize];
        let p = &published[&new_id[id]];
        let (x, t_x, t, zbar) = (p[0], p[1], p[2], spend[&new_id[id]][3]);
        assert_eq!(f64::from(c.frequency), x, "frequency of {id}");
        assert!((c.recency - t_x).abs() <= 0.005 + 1e-9, "recency of {id}");
        assert!((c.t - t).abs() <= 0.005 + 1e-9, "T of {id}");
        assert!(
            (c.monetary - zbar).abs() <= 0.005 + 1e-9,
            "mean spend of {id}"
        );
    }
}
