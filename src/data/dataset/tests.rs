use super::*;
use crate::progress::NoProgress;
use chrono::Datelike;

#[test]
fn loads_a_small_database() {
    let db = Database::in_memory().unwrap();
    db.conn()
        .execute_batch(
            "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, gender TEXT, age INTEGER);
             INSERT INTO customers VALUES ('b', 'F', 30), ('a', 'M', NULL);
             CREATE TABLE products (product_id TEXT PRIMARY KEY, name TEXT, category TEXT, price REAL);
             INSERT INTO products VALUES ('p1', 'Mug', 'Kitchen', 3.0);
             CREATE TABLE transactions (customer_id TEXT, ts TEXT, order_id TEXT,
                 product_id TEXT, quantity REAL, unit_price REAL);
             INSERT INTO transactions VALUES
                 ('b', '2011-01-02T10:00:00', 'o1', 'p1', 2, 3.0),
                 ('c', '2011-01-03', 'C2', 'p2', -1, 4.0),
                 ('a', 'bad', 'o3', 'p1', 1, 3.0);",
        )
        .unwrap();
    let d = Dataset::load(&db, &NoProgress).unwrap();
    assert_eq!(d.customer_ids, vec!["a", "b", "c"]);
    assert_eq!(d.customer_index("c"), Some(2));
    let gender = d.attribute("gender").unwrap();
    assert_eq!(gender.role, Role::Protected);
    assert_eq!(
        gender.values,
        AttrValues::Categorical {
            levels: vec!["F".into(), "M".into()],
            codes: vec![Some(1), Some(0), None]
        }
    );
    assert_eq!(
        d.attribute("age").unwrap().values,
        AttrValues::Numeric(vec![None, Some(30.0), None])
    );
    assert_eq!(
        d.products.ids,
        vec!["p1"],
        "p2 is not in the products table"
    );
    assert_eq!(d.products.categories, vec!["Kitchen"]);
    let t = &d.transactions;
    assert_eq!(t.len(), 2, "the row with a bad date is not loaded");
    assert_eq!(t.customer, vec![1, 2]);
    assert_eq!(t.amount, vec![6.0, -4.0]);
    assert_eq!(t.cancelled, vec![false, true]);
    assert_eq!(t.ts[0] - t.ts[1], -86_400 + 10 * 3600);
    assert_eq!(t.product, vec![0, NONE]);
    assert_eq!(t.order, vec![0, 1]);
    assert_eq!(t.n_orders, 2);
}

#[test]
fn transactions_only_database_gets_its_customers() {
    let db = Database::in_memory().unwrap();
    db.conn()
        .execute_batch(
            "CREATE TABLE transactions (customer_id TEXT, ts TEXT, amount REAL);
             INSERT INTO transactions VALUES ('z', '2020-01-01', 1), ('a', '2020-01-02', 2),
                 ('z', '2020-01-03', 3), ('m', 'bad', 4);",
        )
        .unwrap();
    let d = Dataset::load(&db, &NoProgress).unwrap();
    // m is a customer though its only row has no readable date (it is not loaded).
    assert_eq!(d.customer_ids, vec!["a", "m", "z"]);
    assert_eq!(d.transactions.customer, vec![2, 0, 2]);
    assert_eq!(d.customer_index("z"), Some(2));
}

#[test]
fn iso_dates_become_epoch_seconds() {
    assert_eq!(iso_to_epoch_secs("1970-01-02"), Some(86_400));
    assert_eq!(iso_to_epoch_secs("1970-01-01T01:00:30"), Some(3630));
    assert_eq!(iso_to_epoch_secs("1970-01-01 00:01"), Some(60));
    assert_eq!(iso_to_epoch_secs("12/01/2010"), None);
    assert_eq!(iso_to_epoch_secs("2011-02-29"), None);
    assert_eq!(iso_to_epoch_secs("2012-02-29"), Some(1_330_473_600));
    assert_eq!(
        iso_to_epoch_secs("2011-12-09T08:26:00Z"),
        Some(1_323_419_160)
    );
    assert_eq!(iso_to_epoch_secs("2011-12-09T25:00"), None);
    assert_eq!(iso_to_epoch_secs("1969-12-31"), Some(-86_400));
    // Agrees with chrono on every day of several years.
    let mut day = chrono::NaiveDate::from_ymd_opt(1999, 1, 1).unwrap();
    while day.year() < 2031 {
        let text = day.format("%Y-%m-%d").to_string();
        let expected = day.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
        assert_eq!(iso_to_epoch_secs(&text), Some(expected), "{text}");
        day = day.succ_opt().unwrap();
    }
}
