//! The synthetic sample database: reproducible, realistic, and with planted customer types
//! that k-means recovers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::Connection;
use rusqlite::types::Value;
use tailor::Error;
use tailor::data::Database;
use tailor::data::sample::{CUSTOMER_TYPES, SampleOptions, SampleSummary, generate};
use tailor::progress::{NoProgress, Progress};

fn committed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_db/demo.sqlite")
}

fn make(dir: &Path, name: &str, customers: usize, seed: u64) -> (PathBuf, PathBuf, SampleSummary) {
    let out = dir.join(name);
    let types = dir.join(format!("{name}.types.csv"));
    let opts = SampleOptions { customers, seed };
    let summary = generate(&out, &opts, Some(&types), &NoProgress).unwrap();
    (out, types, summary)
}

/// Every table (from sqlite_master) and all its rows in rowid order.
fn dump(path: &Path) -> BTreeMap<String, Vec<Vec<Value>>> {
    let conn =
        Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    names.sort();
    let mut out = BTreeMap::new();
    for name in names {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{name}\" ORDER BY rowid"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| r.get::<_, Value>(i))
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        out.insert(name, rows);
    }
    out
}

fn types_of(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("customer_id,type"));
    lines
        .map(|l| {
            let (id, t) = l.split_once(',').unwrap();
            (id.to_string(), t.to_string())
        })
        .collect()
}

fn scalar<T: rusqlite::types::FromSql>(conn: &Connection, sql: &str) -> T {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn committed_demo_matches_a_fresh_run() {
    let dir = tempfile::tempdir().unwrap();
    let (fresh, _, _) = make(dir.path(), "demo.sqlite", 5000, 42);
    let a = dump(&committed());
    let b = dump(&fresh);
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "tables differ; regenerate sample_db/demo.sqlite (see sample_db/README.md)"
    );
    for (table, rows) in &a {
        let other = &b[table];
        assert_eq!(rows.len(), other.len(), "row count of {table}");
        for (i, (x, y)) in rows.iter().zip(other).enumerate() {
            assert_eq!(
                x, y,
                "{table} row {i} differs; regenerate sample_db/demo.sqlite"
            );
        }
    }
    assert!(a.contains_key("tailor_meta"));
    let size = std::fs::metadata(committed()).unwrap().len();
    assert!(size < 10 * 1024 * 1024, "demo.sqlite is {size} bytes");
}

#[test]
fn same_seed_same_database_other_seed_differs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, ta, sa) = make(dir.path(), "a.sqlite", 800, 7);
    let (b, tb, sb) = make(dir.path(), "b.sqlite", 800, 7);
    let (c, tc, _) = make(dir.path(), "c.sqlite", 800, 8);
    assert_eq!(sa, sb);
    assert_eq!(dump(&a), dump(&b));
    assert_eq!(std::fs::read(&ta).unwrap(), std::fs::read(&tb).unwrap());
    let (da, dc) = (dump(&a), dump(&c));
    assert_ne!(da["customers"], dc["customers"]);
    assert_ne!(da["transactions"], dc["transactions"]);
    assert_ne!(std::fs::read(&ta).unwrap(), std::fs::read(&tc).unwrap());
    // Only the two databases and the two types files per run: no temp files left.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 6);
}

#[test]
fn sizes_span_and_types() {
    let dir = tempfile::tempdir().unwrap();
    let (out, types, summary) = make(dir.path(), "s.sqlite", 5000, 42);
    let conn = Connection::open(&out).unwrap();
    assert_eq!(summary.customers, 5000);
    assert_eq!(summary.products, 500);
    assert_eq!(scalar::<i64>(&conn, "SELECT COUNT(*) FROM products"), 500);
    assert_eq!(
        scalar::<i64>(&conn, "SELECT COUNT(DISTINCT category) FROM products"),
        20
    );
    assert_eq!(
        scalar::<i64>(&conn, "SELECT COUNT(DISTINCT region) FROM customers"),
        8
    );
    let tx: i64 = scalar(&conn, "SELECT COUNT(*) FROM transactions");
    assert_eq!(tx as u64, summary.transactions);
    assert!((60_000..=100_000).contains(&tx), "{tx} transactions");
    assert_eq!(
        scalar::<i64>(&conn, "SELECT COUNT(*) FROM feedback") as u64,
        summary.feedback
    );
    assert!(summary.feedback > 1000);
    let first: String = scalar(&conn, "SELECT MIN(ts) FROM transactions");
    let last: String = scalar(&conn, "SELECT MAX(ts) FROM transactions");
    assert!(first.starts_with("2023-01-0"), "{first}");
    assert!(last.starts_with("2024-12-3"), "{last}");
    assert_eq!(last.len(), "2024-12-31T10:00:00".len());
    // Cancellations: order ids starting with C, negative quantities, flagged.
    let bad: i64 = scalar(
        &conn,
        "SELECT COUNT(*) FROM transactions WHERE (order_id LIKE 'C%') != (cancelled = 1)
         OR (cancelled = 1) != (quantity < 0) OR (amount < 0) != (cancelled = 1)",
    );
    assert_eq!(bad, 0);
    let cancelled: i64 = scalar(&conn, "SELECT SUM(cancelled) FROM transactions");
    assert!(
        cancelled > 0 && cancelled * 20 < tx,
        "{cancelled} cancellations"
    );
    // Every customer bought something; every transaction has a known customer and product.
    assert_eq!(
        scalar::<i64>(
            &conn,
            "SELECT COUNT(DISTINCT customer_id) FROM transactions"
        ),
        5000
    );
    assert_eq!(
        scalar::<i64>(
            &conn,
            "SELECT COUNT(*) FROM transactions WHERE product_id NOT IN (SELECT product_id FROM products)
             OR customer_id NOT IN (SELECT customer_id FROM customers)"
        ),
        0
    );
    let ratings: i64 = scalar(&conn, "SELECT COUNT(DISTINCT rating) FROM feedback");
    assert_eq!(ratings, 5);
    let t = types_of(&types);
    assert_eq!(t.len(), 5000);
    for name in CUSTOMER_TYPES {
        let n = t.iter().filter(|(_, k)| k == name).count();
        assert!(n > 300, "{name}: {n}");
    }
    // The type is never stored in the database.
    let cols: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('customers')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!cols.iter().any(|c| c.contains("type")), "{cols:?}");
}

#[test]
fn seasonality_weekends_and_december() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _, _) = make(dir.path(), "s.sqlite", 3000, 3);
    let conn = Connection::open(&out).unwrap();
    let dec: f64 = scalar(
        &conn,
        "SELECT AVG(substr(ts, 6, 2) = '12') FROM transactions WHERE cancelled = 0",
    );
    let weekend: f64 = scalar(
        &conn,
        "SELECT AVG(strftime('%w', ts) IN ('0', '6')) FROM transactions WHERE cancelled = 0",
    );
    assert!(dec > 1.0 / 12.0 * 1.3, "December share {dec}");
    assert!(weekend > 2.0 / 7.0 * 1.15, "weekend share {weekend}");
}

#[test]
fn opens_as_a_valid_tailor_database() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _, _) = make(dir.path(), "s.sqlite", 300, 1);
    let db = Database::open(&out).unwrap();
    assert!(!db.is_read_only());
    let summaries = db.summaries().unwrap();
    assert_eq!(summaries.len(), 4);
    assert_eq!(db.schema_version(), 1);
    let consent: f64 = {
        let (_, _, _) = make(dir.path(), "big.sqlite", 5000, 11);
        let conn = Connection::open(dir.path().join("big.sqlite")).unwrap();
        scalar(&conn, "SELECT AVG(consent_email) FROM customers")
    };
    assert!((0.66..0.74).contains(&consent), "consent {consent}");
}

#[test]
fn replaces_an_existing_sample_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.sqlite");
    std::fs::write(&out, "old").unwrap();
    let opts = SampleOptions {
        customers: 50,
        seed: 1,
    };
    let refused = generate(&out, &opts, None, &NoProgress).unwrap_err();
    assert!(
        refused.to_string().contains("not a sample database"),
        "{refused}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"old");
    std::fs::remove_file(&out).unwrap();
    generate(&out, &opts, None, &NoProgress).unwrap();
    let again = SampleOptions {
        customers: 60,
        seed: 2,
    };
    generate(&out, &again, None, &NoProgress).unwrap();
    let db = Database::open(&out).unwrap();
    assert_eq!(
        db.conn()
            .query_row("SELECT COUNT(*) FROM customers", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        60
    );
    drop(db);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// Cancels once `is_cancelled` has been asked more than the given number of times.
struct CancelAfter(usize, AtomicUsize);

impl CancelAfter {
    fn new(after: usize) -> Self {
        CancelAfter(after, AtomicUsize::new(0))
    }
}

impl Progress for CancelAfter {
    fn report(&self, _fraction: f32, _message: &str) {}
    fn is_cancelled(&self) -> bool {
        self.1.fetch_add(1, Ordering::Relaxed) >= self.0
    }
}

#[test]
fn cancel_leaves_no_file() {
    // 5,000 customers make 40 checks in the loop; later ones hit the commit and ANALYZE.
    for after in [0, 5, 39, 40, 41, 42] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("s.sqlite");
        let types = dir.path().join("t.csv");
        let progress = CancelAfter::new(after);
        let opts = SampleOptions {
            customers: 5000,
            seed: 1,
        };
        let err = generate(&out, &opts, Some(&types), &progress).unwrap_err();
        assert!(matches!(err, Error::Cancelled), "{err}");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "after {after}"
        );
    }
    // An existing file is left as it was.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.sqlite");
    std::fs::write(&out, "old").unwrap();
    let progress = CancelAfter::new(3);
    let opts = SampleOptions {
        customers: 5000,
        seed: 1,
    };
    assert!(generate(&out, &opts, None, &progress).is_err());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn zero_customers_and_missing_folder_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SampleOptions {
        customers: 0,
        seed: 1,
    };
    assert!(matches!(
        generate(&dir.path().join("x.sqlite"), &opts, None, &NoProgress),
        Err(Error::Invalid(_))
    ));
    let opts = SampleOptions {
        customers: 5,
        seed: 1,
    };
    assert!(matches!(
        generate(&dir.path().join("no/x.sqlite"), &opts, None, &NoProgress),
        Err(Error::NotFound(_))
    ));
}

// ---- Planted types are recoverable by k-means on standardized features ----

/// Per customer: recency days, frequency, monetary (net), tenure days, average basket, and the
/// share of spend in each of the five top categories.
fn features(conn: &Connection, tenure_from_signup: bool) -> (Vec<String>, Vec<Vec<f64>>) {
    let top: Vec<String> = conn
        .prepare(
            "SELECT p.category FROM transactions t JOIN products p USING (product_id)
             GROUP BY p.category ORDER BY SUM(t.amount) DESC LIMIT 5",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let shares: Vec<String> = top
        .iter()
        .map(|c| format!("SUM(CASE WHEN p.category = '{}' THEN t.amount ELSE 0 END) / MAX(SUM(t.amount), 0.01)", c.replace('\'', "''")))
        .collect();
    let tenure = if tenure_from_signup {
        "julianday('2024-12-31') - julianday(c.signup_date)"
    } else {
        "julianday('2024-12-31') - julianday(MIN(t.ts))"
    };
    let sql = format!(
        "SELECT t.customer_id,
                julianday('2024-12-31') - julianday(MAX(CASE WHEN t.cancelled = 0 THEN t.ts END)),
                COUNT(DISTINCT CASE WHEN t.cancelled = 0 THEN t.order_id END),
                SUM(t.amount),
                {tenure},
                SUM(t.amount) / COUNT(DISTINCT CASE WHEN t.cancelled = 0 THEN t.order_id END),
                {}
         FROM transactions t JOIN products p USING (product_id) JOIN customers c USING (customer_id)
         GROUP BY t.customer_id ORDER BY t.customer_id",
        shares.join(", ")
    );
    let mut stmt = conn.prepare(&sql).unwrap();
    let n = stmt.column_count();
    let mut ids = Vec::new();
    let mut rows = Vec::new();
    let mut q = stmt.query([]).unwrap();
    while let Some(r) = q.next().unwrap() {
        ids.push(r.get::<_, String>(0).unwrap());
        rows.push(
            (1..n)
                .map(|i| r.get::<_, f64>(i).unwrap())
                .collect::<Vec<f64>>(),
        );
    }
    (ids, rows)
}

fn standardize(rows: &mut [Vec<f64>]) {
    let d = rows[0].len();
    for j in 0..d {
        let n = rows.len() as f64;
        let mean = rows.iter().map(|r| r[j]).sum::<f64>() / n;
        let sd = (rows.iter().map(|r| (r[j] - mean).powi(2)).sum::<f64>() / n)
            .sqrt()
            .max(1e-12);
        for r in rows.iter_mut() {
            r[j] = (r[j] - mean) / sd;
        }
    }
}

fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum()
}

/// Best of `restarts` k-means++ runs (by inertia).
fn kmeans(rows: &[Vec<f64>], k: usize, restarts: usize, seed: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut best = (f64::INFINITY, Vec::new());
    for _ in 0..restarts {
        let mut centers = vec![rows[rng.gen_range(0..rows.len())].clone()];
        while centers.len() < k {
            let d: Vec<f64> = rows
                .iter()
                .map(|r| {
                    centers
                        .iter()
                        .map(|c| dist2(r, c))
                        .fold(f64::INFINITY, f64::min)
                })
                .collect();
            let total: f64 = d.iter().sum();
            let mut u = rng.r#gen::<f64>() * total;
            let mut pick = rows.len() - 1;
            for (i, x) in d.iter().enumerate() {
                if u < *x {
                    pick = i;
                    break;
                }
                u -= x;
            }
            centers.push(rows[pick].clone());
        }
        let mut assign = vec![0; rows.len()];
        for _ in 0..100 {
            let mut changed = false;
            for (i, r) in rows.iter().enumerate() {
                let (c, _) = centers
                    .iter()
                    .enumerate()
                    .map(|(c, x)| (c, dist2(r, x)))
                    .fold((0, f64::INFINITY), |a, b| if b.1 < a.1 { b } else { a });
                if assign[i] != c {
                    assign[i] = c;
                    changed = true;
                }
            }
            for (c, center) in centers.iter_mut().enumerate() {
                let members: Vec<&Vec<f64>> = rows
                    .iter()
                    .zip(&assign)
                    .filter(|(_, a)| **a == c)
                    .map(|(r, _)| r)
                    .collect();
                if members.is_empty() {
                    continue;
                }
                for j in 0..center.len() {
                    center[j] = members.iter().map(|m| m[j]).sum::<f64>() / members.len() as f64;
                }
            }
            if !changed {
                break;
            }
        }
        let inertia: f64 = rows
            .iter()
            .zip(&assign)
            .map(|(r, a)| dist2(r, &centers[*a]))
            .sum();
        if inertia < best.0 {
            best = (inertia, assign);
        }
    }
    best.1
}

fn adjusted_rand(a: &[usize], b: &[usize]) -> f64 {
    let mut table: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    let mut ra: BTreeMap<usize, f64> = BTreeMap::new();
    let mut rb: BTreeMap<usize, f64> = BTreeMap::new();
    for (x, y) in a.iter().zip(b) {
        *table.entry((*x, *y)).or_default() += 1.0;
        *ra.entry(*x).or_default() += 1.0;
        *rb.entry(*y).or_default() += 1.0;
    }
    let c2 = |n: f64| n * (n - 1.0) / 2.0;
    let index: f64 = table.values().map(|n| c2(*n)).sum();
    let sa: f64 = ra.values().map(|n| c2(*n)).sum();
    let sb: f64 = rb.values().map(|n| c2(*n)).sum();
    let expected = sa * sb / c2(a.len() as f64);
    let max = (sa + sb) / 2.0;
    (index - expected) / (max - expected)
}

#[test]
fn kmeans_recovers_the_planted_types() {
    for data_seed in [42, 7] {
        let dir = tempfile::tempdir().unwrap();
        let (out, types, _) = make(dir.path(), "s.sqlite", 5000, data_seed);
        let conn = Connection::open(&out).unwrap();
        let truth: BTreeMap<String, usize> = types_of(&types)
            .into_iter()
            .map(|(id, t)| (id, CUSTOMER_TYPES.iter().position(|x| *x == t).unwrap()))
            .collect();
        for from_signup in [false, true] {
            let (ids, mut rows) = features(&conn, from_signup);
            assert_eq!(ids.len(), 5000);
            standardize(&mut rows);
            let planted: Vec<usize> = ids.iter().map(|id| truth[id]).collect();
            for seed in 1..4 {
                let found = kmeans(&rows, 5, 10, seed);
                let ari = adjusted_rand(&planted, &found);
                let mut m = vec![vec![0; 5]; 5];
                for (p, f) in planted.iter().zip(&found) {
                    m[*p][*f] += 1;
                }
                for (i, row) in m.iter().enumerate() {
                    println!("{:>11} {row:?}", CUSTOMER_TYPES[i]);
                }
                println!(
                    "data seed {data_seed}, tenure from signup {from_signup}, k-means seed {seed}: ARI {ari:.3}"
                );
                assert!(
                    ari >= 0.8,
                    "adjusted Rand index {ari:.3} (tenure from signup {from_signup})"
                );
            }
        }
    }
}
