//! Issue 11, "Append semantics": appending to a database never changes a customer or a product
//! already there unless `--update` asks (and then blanks never erase); ids from row numbers are
//! refused when appending (a customers file with no id column, or read with a wrong
//! `--delimiter`); a transactions line never rewrites the catalogue.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::{assert_clean_error, sample_copy, tailor};

fn one(db: &str, sql: &str) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get::<_, Option<String>>(0))
        .unwrap()
        .unwrap_or_default()
}

fn import(db: &str, file: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["import", file.to_str().unwrap(), "--db", db];
    args.extend_from_slice(extra);
    tailor(&args)
}

/// Customer 100001 and 100002 as the sample holds them.
fn first_customers(db: &str) -> String {
    one(
        db,
        "SELECT group_concat(customer_id || '|' || name || '|' || email || '|' || region, ';')
         FROM (SELECT * FROM customers WHERE customer_id IN ('100001', '100002')
               ORDER BY customer_id)",
    )
}

#[test]
fn a_customers_file_without_ids_is_refused_when_appending() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_copy(dir.path());
    let before = first_customers(&db);
    // No id column: ids 1..N from row numbers would overwrite customers 1..N.
    let file = dir.path().join("new.csv");
    std::fs::write(&file, "name,region\nAda,North\nBob,South\n").unwrap();
    assert_clean_error(
        &import(&db, &file, &["--table", "customers"]),
        "no customer id column",
    );
    // A wrong delimiter makes one column of every line: the same refusal.
    let file = dir.path().join("semi.csv");
    std::fs::write(&file, "customer_id;region\n100001;Nowhere\n").unwrap();
    assert_clean_error(
        &import(&db, &file, &["--table", "customers", "--delimiter", ","]),
        "--delimiter",
    );
    assert_eq!(first_customers(&db), before);
    let n = one(&db, "SELECT CAST(COUNT(*) AS TEXT) FROM customers");
    assert_eq!(n, "5000");
}

#[test]
fn appending_leaves_customers_as_they_were_and_update_never_erases() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_copy(dir.path());
    let before = first_customers(&db);
    let file = dir.path().join("more.csv");
    std::fs::write(
        &file,
        "customer_id,name,email,region\n100001,,,\n100002,,,Far North\n900001,Zed,z@x.org,East\n",
    )
    .unwrap();
    let run = import(&db, &file, &["--table", "customers"]);
    assert!(run.status.success());
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(
        text.contains("1 customers added, 2 already there left as they were"),
        "{text}"
    );
    assert_eq!(first_customers(&db), before, "an append changed customers");
    // --update: the non-blank region replaces; blank names, emails and regions erase nothing.
    let run = import(&db, &file, &["--table", "customers", "--update"]);
    assert!(run.status.success());
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains("updated (region 1;"), "{text}");
    let after = first_customers(&db);
    let (a, b): (Vec<&str>, Vec<&str>) = (before.split(';').collect(), after.split(';').collect());
    assert_eq!(a[0], b[0], "customer 100001 changed");
    let (old, new): (Vec<&str>, Vec<&str>) = (a[1].split('|').collect(), b[1].split('|').collect());
    assert_eq!(&old[..3], &new[..3], "a blank erased a name or an email");
    assert_eq!(new[3], "Far North");
}

#[test]
fn a_transactions_line_never_rewrites_the_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_copy(dir.path());
    let price = || {
        one(
            &db,
            "SELECT CAST(price AS TEXT) FROM products WHERE product_id = 'P0274'",
        )
    };
    let name = || one(&db, "SELECT name FROM products WHERE product_id = 'P0274'");
    let (old_price, old_name) = (price(), name());
    let file = dir.path().join("tx.csv");
    std::fs::write(
        &file,
        "customer_id,ts,order_id,product_id,description,quantity,price\n\
         100001,2023-06-01T10:00:00,Z1,P0274,A NEW NAME,1,0.01\n",
    )
    .unwrap();
    let run = import(&db, &file, &["--table", "transactions"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(price(), old_price, "the catalogue price was rewritten");
    assert_eq!(name(), old_name, "the catalogue name was rewritten");
}
