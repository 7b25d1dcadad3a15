//! Import of the real data sets in `TAILOR_DATA_DIR` (skipped with a note when it is unset).

// Test helpers may unwrap: a failure is the test's result.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use tailor::data::Database;
use tailor::data::import::{ImportOptions, ImportSummary, import_files};
use tailor::progress::NoProgress;

fn data_dir() -> Option<PathBuf> {
    match std::env::var_os("TAILOR_DATA_DIR") {
        Some(d) => Some(PathBuf::from(d)),
        None => {
            eprintln!("note: TAILOR_DATA_DIR is not set; skipping real-data import test");
            None
        }
    }
}

fn import(file: PathBuf, options: &ImportOptions) -> (Database, ImportSummary) {
    let mut db = Database::in_memory().unwrap();
    let summary = import_files(&mut db, &[file], options, &NoProgress).unwrap();
    println!("{summary}");
    (db, summary)
}

fn count(db: &Database, sql: &str) -> i64 {
    db.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn online_retail() {
    let Some(dir) = data_dir() else { return };
    let (db, s) = import(
        dir.join("online_retail/online_retail.csv.gz"),
        &ImportOptions::default(),
    );
    let f = &s.files[0];
    assert_eq!(f.table.name(), "transactions");
    assert_eq!(f.rows_read, 541_909);
    assert_eq!(f.rows_kept + f.rows_skipped(), f.rows_read);
    let no_customer = f
        .skipped
        .iter()
        .find(|r| r.reason == "no customer id")
        .unwrap();
    assert_eq!(no_customer.count, 135_080);
    assert_eq!(f.rows_kept, 541_909 - 135_080);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM customers"), 4_372);
    // 25,900 invoices counting every row (with or without a customer id); 22,190 of them
    // have a customer id and so are in the transactions table.
    assert!(
        f.notes
            .iter()
            .any(|n| n.starts_with("25,900 distinct orders")
                && n.contains("9,288 cancellation rows")),
        "{:?}",
        f.notes
    );
    assert_eq!(
        count(&db, "SELECT COUNT(DISTINCT order_id) FROM transactions"),
        22_190
    );
    assert_eq!(count(&db, "SELECT SUM(cancelled) FROM transactions"), 8_905);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM transactions WHERE order_id LIKE 'C%' AND cancelled = 1"
        ),
        8_905
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(DISTINCT country) FROM customers WHERE country IS NOT NULL"
        ),
        37
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM products WHERE name IS NOT NULL AND price IS NOT NULL"
        ),
        3_684
    );
    let first: (String, String, String) = db
        .conn()
        .query_row(
            "SELECT customer_id, ts, product_id FROM transactions ORDER BY rowid LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        first,
        (
            "17850".into(),
            "2010-12-01T08:26:00".into(),
            "85123A".into()
        )
    );
}

#[test]
fn telco_churn_as_customers() {
    let Some(dir) = data_dir() else { return };
    let options = ImportOptions {
        table: Some(tailor::data::TableKind::Customers),
        ..ImportOptions::default()
    };
    let (db, s) = import(dir.join("telco_churn/Telco-Customer-Churn.csv"), &options);
    let f = &s.files[0];
    assert_eq!((f.rows_read, f.rows_kept), (7_043, 7_043));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM customers"), 7_043);
    assert_eq!(count(&db, "SELECT SUM(churned) FROM customers"), 1_869);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM customers WHERE TotalCharges IS NULL"
        ),
        11
    );
    assert!(
        f.notes
            .iter()
            .any(|n| n == "TotalCharges: 11 blank values stored as missing"),
        "{:?}",
        f.notes
    );
}

#[test]
fn bank_marketing_gets_row_number_ids() {
    let Some(dir) = data_dir() else { return };
    let (db, s) = import(
        dir.join("bank_marketing/bank-full.csv"),
        &ImportOptions::default(),
    );
    let f = &s.files[0];
    assert_eq!(f.table.name(), "customers");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM customers"), 45_211);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM customers WHERE y = 'yes'"),
        5_289
    );
    assert!(
        f.notes.iter().any(|n| n.contains("row numbers")),
        "{:?}",
        f.notes
    );
}

#[test]
fn cdnow_headerless_with_no_options() {
    let Some(dir) = data_dir() else { return };
    let (db, s) = import(
        dir.join("cdnow/CDNOW_sample.txt"),
        &ImportOptions::default(),
    );
    assert_eq!(s.files[0].table.name(), "transactions");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM transactions"), 6_919);
    assert_eq!(
        count(&db, "SELECT COUNT(DISTINCT customer_id) FROM transactions"),
        2_357
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM customers"), 2_357);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM transactions WHERE ts BETWEEN '1997-01-01' AND '1998-06-30'"
        ),
        6_919
    );
}

#[test]
fn binary_imports_into_a_file() {
    let Some(dir) = data_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("cd.sqlite");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tailor"))
        .arg("import")
        .arg(dir.join("cdnow/CDNOW_sample.txt"))
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Rows read 6,919, kept 6,919, skipped 0"),
        "{stdout}"
    );
    let db = Database::open(&db).unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM transactions"), 6_919);
}
