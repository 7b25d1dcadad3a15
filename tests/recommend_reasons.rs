//! Every number a recommendation's reasons cite, recomputed by SQL on the database: 20 random
//! recommendations (seeded customers and methods, top 10 each) on the imported Online Retail
//! data, and the same on the bundled sample (which has categories and regions).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Connection, params};
use tailor::data::Database;
use tailor::data::dataset::Dataset;
use tailor::data::import::{ImportOptions, import_to_path};
use tailor::format::thousands;
use tailor::models::recommend::content::words_of;
use tailor::models::recommend::methods::RecMethod;
use tailor::models::recommend::{Evidence, RecOptions, RecRequest, Recommender};
use tailor::progress::NoProgress;

/// Rows that count as a purchase: not cancelled, positive quantity.
const BOUGHT: &str = "quantity > 0 AND COALESCE(cancelled, 0) = 0 \
                      AND substr(COALESCE(order_id, ''), 1, 1) <> 'C'";

fn buyers(conn: &Connection, product: &str) -> String {
    let _ = conn;
    format!(
        "SELECT DISTINCT customer_id FROM transactions WHERE product_id = '{}' AND {BOUGHT}",
        product.replace('\'', "''")
    )
}

fn count(conn: &Connection, sql: &str) -> u32 {
    conn.query_row(sql, [], |r| r.get::<_, i64>(0))
        .map(|n| n as u32)
        .unwrap_or_else(|e| panic!("{e}: {sql}"))
}

fn has(conn: &Connection, customer: &str, product: &str) -> bool {
    conn.query_row(
        &format!(
            "SELECT COUNT(*) FROM transactions WHERE customer_id = ?1 AND product_id = ?2 AND {BOUGHT}"
        ),
        params![customer, product],
        |r| r.get::<_, i64>(0),
    )
    .unwrap()
        > 0
}

/// Recommends for 20 seeded (customer, method) draws and checks every cited number by SQL.
/// Returns how many reasons were checked.
fn verify(db_path: &Path, seed: u64) -> usize {
    let db = Database::open(db_path).unwrap();
    let data = Dataset::load(&db, &NoProgress).unwrap();
    let rec = Recommender::fit(&data, &RecOptions::default(), &NoProgress).unwrap();
    let conn = Connection::open(db_path).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut checked = 0;
    let mut kinds = std::collections::BTreeSet::new();
    for draw in 0..20 {
        let c = rng.gen_range(0..data.n_customers());
        let method = RecMethod::ALL[draw % RecMethod::ALL.len()];
        let request = RecRequest {
            method,
            top: 10,
            ..RecRequest::default()
        };
        let out = rec.recommend(&data, c, &request);
        let customer = &out.customer_id;
        assert_eq!(out.items.len(), 10, "{customer} {method:?}: a full list");
        for item in &out.items {
            let pid = &item.product_id;
            assert!(
                !has(&conn, customer, pid),
                "{customer} already has {pid}, and repeats were not asked for"
            );
            assert!(!item.reasons.is_empty(), "{customer} {pid}: no reason");
            let share: f64 = item.contributions.iter().map(|c| c.share).sum();
            assert!((share - 1.0).abs() < 1e-6, "contributions sum to {share}");
            for r in &item.reasons {
                kinds.insert(format!("{:?}", r.kind));
                assert!(r.weight > 0.0 && r.weight <= 1.0 + 1e-9, "{r:?}");
                let cites = |n: u32| {
                    assert!(
                        r.text.contains(&thousands(u64::from(n))),
                        "{:?} does not cite {n}",
                        r.text
                    );
                };
                match &r.evidence {
                    Evidence::CoBuyers {
                        product_id,
                        customers,
                    } => {
                        assert!(has(&conn, customer, product_id), "anchor not theirs");
                        let sql = format!(
                            "SELECT COUNT(*) FROM ({} INTERSECT {})",
                            buyers(&conn, product_id),
                            buyers(&conn, pid)
                        );
                        assert_eq!(count(&conn, &sql), *customers, "{}", r.text);
                        cites(*customers);
                    }
                    Evidence::Buyers { customers } => {
                        let sql = format!("SELECT COUNT(*) FROM ({})", buyers(&conn, pid));
                        assert_eq!(count(&conn, &sql), *customers, "{}", r.text);
                        cites(*customers);
                    }
                    Evidence::RecentBuyers {
                        customers,
                        after,
                        days,
                    } => {
                        let latest: f64 = conn
                            .query_row(
                                &format!(
                                    "SELECT MAX(julianday(ts)) FROM transactions WHERE {BOUGHT} \
                                     AND product_id IN (SELECT product_id FROM products)"
                                ),
                                [],
                                |r| r.get(0),
                            )
                            .unwrap();
                        let start: f64 = conn
                            .query_row("SELECT julianday(?1)", [after], |r| r.get(0))
                            .unwrap();
                        assert!((latest - start - *days as f64).abs() < 1e-6);
                        let sql = format!(
                            "SELECT COUNT(DISTINCT customer_id) FROM transactions WHERE \
                             product_id = '{}' AND {BOUGHT} AND julianday(ts) > julianday('{after}')",
                            pid.replace('\'', "''")
                        );
                        assert_eq!(count(&conn, &sql), *customers, "{}", r.text);
                        cites(*customers);
                        assert!(r.text.contains(&format!("{days} days")));
                    }
                    Evidence::GroupBuyers {
                        group,
                        customers,
                        group_size,
                    } => {
                        let [(column, value)] = group.as_slice() else {
                            panic!("protected columns were not allowed: {group:?}");
                        };
                        let col = column.replace('"', "\"\"");
                        let value = value.replace('\'', "''");
                        let in_group = format!(
                            "SELECT customer_id FROM customers WHERE CAST(\"{col}\" AS TEXT) = '{value}'"
                        );
                        assert_eq!(
                            count(&conn, &format!("SELECT COUNT(*) FROM ({in_group})")),
                            *group_size
                        );
                        let both = format!(
                            "SELECT COUNT(*) FROM ({in_group} INTERSECT {})",
                            buyers(&conn, pid)
                        );
                        assert_eq!(count(&conn, &both), *customers, "{}", r.text);
                        let mine: i64 = conn
                            .query_row(
                                &format!(
                                    "SELECT COUNT(*) FROM ({in_group}) WHERE customer_id = ?1"
                                ),
                                [customer],
                                |r| r.get(0),
                            )
                            .unwrap();
                        assert_eq!(mine, 1, "{customer} is in the group it cites");
                        cites(*customers);
                        cites(*group_size);
                    }
                    Evidence::SameCategory {
                        product_id,
                        category,
                    } => {
                        assert!(has(&conn, customer, product_id));
                        let sql = format!(
                            "SELECT COUNT(*) FROM products WHERE product_id IN ('{}', '{}') AND category = '{}'",
                            product_id.replace('\'', "''"),
                            pid.replace('\'', "''"),
                            category.replace('\'', "''")
                        );
                        assert_eq!(count(&conn, &sql), 2, "{}", r.text);
                        assert!(r.text.contains(category.as_str()));
                    }
                    Evidence::SharedWords { product_id, words } => {
                        assert!(has(&conn, customer, product_id));
                        // Whole words, split as the content method splits names ("red" is not
                        // in "bored").
                        let words_in = |p: &str| -> Vec<String> {
                            let name: String = conn
                                .query_row(
                                    "SELECT name FROM products WHERE product_id = ?1",
                                    [p],
                                    |r| r.get(0),
                                )
                                .unwrap();
                            words_of(&name)
                        };
                        let (a, b) = (words_in(product_id), words_in(pid));
                        assert!(!words.is_empty(), "{}", r.text);
                        for w in words {
                            assert!(a.contains(w) && b.contains(w), "{w}: {a:?} / {b:?}");
                        }
                        for w in words.iter().take(3) {
                            assert!(r.text.contains(&format!("“{w}”")), "{}", r.text);
                        }
                    }
                    Evidence::OwnRows { rows } => panic!("a repeat reason without repeats: {rows}"),
                }
                checked += 1;
            }
        }
    }
    eprintln!(
        "{}: {checked} reasons checked, kinds {kinds:?}",
        db_path.display()
    );
    checked
}

#[test]
fn every_cited_number_holds_on_the_bundled_sample() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_db/demo.sqlite"),
        &path,
    )
    .unwrap();
    assert!(verify(&path, 7) >= 200);
}

#[test]
fn every_cited_number_holds_on_online_retail() {
    let Some(data_dir) = common::data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("retail.sqlite");
    import_to_path(
        &path,
        &[data_dir.join("online_retail/online_retail.csv.gz")],
        &ImportOptions::default(),
        &NoProgress,
    )
    .unwrap();
    assert!(verify(&path, 11) >= 200);
}
