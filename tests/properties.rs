//! Issue 11, property tests (a fixed number of cases, so CI time is bounded): random bytes and
//! random CSV shapes given to import never panic, and what an import that succeeds stores opens
//! again; random purchase values given to every model entry point end within a bound, write no
//! NaN or infinity, and change nothing in the customer tables.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use tailor::data::Database;
use tailor::data::import::{ImportOptions, import_to_path};
use tailor::progress::NoProgress;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // The same cases on every run: CI is reproducible, a failure is one to fix.
        rng_seed: proptest::test_runner::RngSeed::Fixed(20_261_203),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Imports `bytes` as `name` into a new database: an error is fine, a panic is not; what an
/// import that succeeds stores opens again.
fn import_bytes(name: &str, bytes: &[u8], options: &ImportOptions) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, bytes).unwrap();
    let db = dir.path().join("x.sqlite");
    if import_to_path(&db, &[file], options, &NoProgress).is_ok() {
        Database::open(&db).unwrap();
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "temporaries left: {left:?}");
}

/// A cell as a messy export might hold it.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z ]{0,8}",
        (-1e6f64..1e6).prop_map(|x| x.to_string()),
        Just("1e308".to_string()),
        Just("NaN".to_string()),
        Just("-0".to_string()),
        Just("\"quoted, with comma\"".to_string()),
        Just("\"open".to_string()),
        Just("2011-12-09 08:26".to_string()),
        Just("13/31/2011".to_string()),
        Just("x\u{0}y".to_string()),
        Just("=HYPERLINK(\"x\")".to_string()),
    ]
}

/// A CSV: a header of known and unknown column names, rows of cells, a separator.
fn csv_text() -> impl Strategy<Value = String> {
    let header = prop::collection::vec(
        prop_oneof![
            Just("customer_id"),
            Just("InvoiceNo"),
            Just("StockCode"),
            Just("Quantity"),
            Just("InvoiceDate"),
            Just("UnitPrice"),
            Just("region"),
            Just("rowid"),
            Just("email"),
        ],
        1..7,
    );
    (
        header,
        prop::collection::vec(prop::collection::vec(cell(), 0..8), 0..30),
        prop_oneof![Just(","), Just(";"), Just("\t")],
    )
        .prop_map(|(header, rows, sep)| {
            let mut text = header.join(sep);
            text.push('\n');
            for row in rows {
                text.push_str(&row.join(sep));
                text.push('\n');
            }
            text
        })
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn random_bytes_never_break_the_import(bytes in prop::collection::vec(any::<u8>(), 0..3000)) {
        import_bytes("random.csv", &bytes, &ImportOptions::default());
        import_bytes("random.csv.gz", &bytes, &ImportOptions::default());
    }

    #[test]
    fn random_csv_shapes_never_break_the_import(text in csv_text(), no_header in any::<bool>()) {
        let options = ImportOptions { no_header, ..ImportOptions::default() };
        import_bytes("shape.csv", text.as_bytes(), &options);
    }
}

/// Runs `tailor` with `args`, killed after `limit`; whether it ended by itself.
fn ends_within(args: &[&str], limit: Duration) -> bool {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return true;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The customer tables' content, to compare before and after.
fn customer_tables(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    let read = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap();
    let customers = read(
        "SELECT COUNT(*) || ':' || COALESCE(group_concat(quote(customer_id)), '') FROM customers",
    );
    let transactions = read(
        "SELECT COUNT(*) || ':' || COALESCE(group_concat(quote(customer_id) || quote(quantity) \
         || quote(unit_price) || quote(ts)), '') FROM transactions",
    );
    format!("{customers} {transactions}")
}

/// A purchase value as another tool might have written it.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => 0.01f64..500.0,
        1 => Just(0.0),
        1 => Just(-25.0),
        1 => Just(1e308),
        1 => Just(-1e300),
        1 => Just(f64::MAX),
        1 => Just(1e12),
    ]
}

proptest! {
    #![proptest_config(config(12))]

    #[test]
    fn random_purchase_values_end_finite_and_change_no_customer(
        values in prop::collection::vec((value(), value(), 0u32..700), 5..60),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.sqlite");
        // Twelve customers, some with a few purchases of random quantity and price.
        let mut csv = String::from("customer_id,order_id,product_id,ts,quantity,unit_price\n");
        for (k, (q, p, day)) in values.iter().enumerate() {
            let date = chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap()
                + chrono::Duration::days(i64::from(*day));
            csv.push_str(&format!("c{},o{k},p{},{date},{q},{p}\n", k % 12, k % 5));
        }
        let file = dir.path().join("tx.csv");
        std::fs::write(&file, csv).unwrap();
        import_to_path(&db, &[file], &ImportOptions::default(), &NoProgress).unwrap();
        // Values beyond the bound that another tool could write.
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute("UPDATE transactions SET unit_price = 1e308 WHERE rowid = 1", []).unwrap();
        drop(conn);
        let before = customer_tables(&db);
        let d = db.to_str().unwrap();
        let limit = Duration::from_secs(60);
        for args in [
            vec!["churn", d, "--label", "inactive:90"],
            vec!["segment", d, "--method", "kmeans", "--k", "2"],
            vec!["clv", d],
            vec!["recommend", d, "--customer", "c1"],
            vec!["audit", d, "--attribute", "customer_id", "--decision", "churn-top:0.5"],
        ] {
            prop_assert!(ends_within(&args, limit), "{args:?} did not end within {limit:?}");
        }
        prop_assert_eq!(customer_tables(&db), before);
        // Every stored number is finite.
        let conn = rusqlite::Connection::open(&db).unwrap();
        for (table, column) in [
            ("tailor_churn_scores", "probability"),
            ("tailor_clv_values", "clv"),
            ("tailor_clv_values", "p_alive"),
        ] {
            let bad: i64 = conn
                .query_row(
                    &format!(
                        "SELECT COUNT(*) FROM {table} WHERE {column} IS NOT NULL
                         AND (ABS({column}) > 1e15 OR {column} != {column})"
                    ),
                    [],
                    |r| r.get(0),
                )
                .unwrap_or(0);
            prop_assert_eq!(bad, 0, "{}.{} holds a non-finite number", table, column);
        }
    }
}
