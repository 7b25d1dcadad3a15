//! Per-database settings, stored with the database in `tailor_settings` (each a key and a JSON
//! value): the currency and the window's choices. And the currency the data implies, for a
//! database whose currency was never set.

use std::collections::BTreeMap;

use crate::data::db::{Database, table_exists};
use crate::data::schema::TableKind;
use crate::data::schema::quote_ident;
use crate::error::{Error, Result};
use crate::money::Currency;

/// The key of the currency: a code (`"GBP"`), or `""` for plain numbers.
pub const CURRENCY: &str = "currency";

/// Rows read to guess from a column's values.
const GUESS_ROWS: usize = 10_000;

/// Every stored setting, key → JSON text (empty when the table does not exist yet, as in a
/// read-only database Tailor never wrote to).
pub fn read_all(db: &Database) -> Result<BTreeMap<String, String>> {
    let sq = |e| Error::sqlite(db.path())(e);
    if !table_exists(db.conn(), "tailor_settings").map_err(sq)? {
        return Ok(BTreeMap::new());
    }
    let mut stmt = db
        .conn()
        .prepare("SELECT key, value FROM tailor_settings")
        .map_err(sq)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(sq)?;
    rows.collect::<rusqlite::Result<_>>().map_err(sq)
}

/// Stores `value` (JSON text) under `key`, or removes the key (`None`).
pub fn write(db: &mut Database, key: &str, value: Option<&str>) -> Result<()> {
    let path = db.path().to_path_buf();
    let conn = db.conn_mut()?;
    match value {
        Some(v) => conn.execute(
            "INSERT INTO tailor_settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, v],
        ),
        None => conn.execute("DELETE FROM tailor_settings WHERE key = ?1", [key]),
    }
    .map_err(Error::sqlite(&path))?;
    Ok(())
}

/// The currency stored under [`CURRENCY`]: `Some(None)` when plain numbers were chosen, `None`
/// when none was chosen (or the stored one is not known).
pub fn stored_currency(settings: &BTreeMap<String, String>) -> Option<Option<&'static Currency>> {
    let code: String = serde_json::from_str(settings.get(CURRENCY)?).ok()?;
    if code.is_empty() {
        return Some(None);
    }
    Currency::from_code(&code).map(Some)
}

/// The JSON text [`CURRENCY`] stores for a currency (`None`: plain numbers).
pub fn currency_value(currency: Option<&Currency>) -> String {
    serde_json::Value::from(currency.map_or("", |c| c.code)).to_string()
}

/// The currency the data implies, and where it says so: a `currency` column's values, a
/// column named with a currency (`amount_gbp`, `Price (€)`), else the most common country.
pub fn guess_currency(db: &Database) -> Result<Option<(&'static Currency, String)>> {
    let tables = [
        TableKind::Transactions,
        TableKind::Customers,
        TableKind::Products,
    ];
    let mut named = None;
    for kind in tables.into_iter().filter(|k| db.has_table(*k)) {
        for (column, _) in db.raw_columns(kind.name())? {
            let lower = column.to_lowercase();
            if lower == "currency" || lower == "currency_code" {
                if let Some((value, _)) = most_common(db, kind.name(), &column)?
                    && let Some(c) = Currency::from_code(&value)
                {
                    return Ok(Some((c, format!("the {column} column says {}", c.code))));
                }
            } else if named.is_none()
                && let Some(c) = named_currency(&column)
            {
                named = Some((c, format!("the column {column} names it")));
            }
        }
    }
    if named.is_some() {
        return Ok(named);
    }
    if db.has_table(TableKind::Customers) {
        let columns = db.raw_columns("customers")?;
        if let Some((column, _)) = columns
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case("country"))
            && let Some((value, share)) = most_common(db, "customers", column)?
            && share >= 0.5
            && let Some(c) = Currency::of_country(&value)
        {
            return Ok(Some((c, format!("most customers are in {value}"))));
        }
    }
    Ok(None)
}

/// A currency a column's name carries: a word that is a code (`amount_gbp`) or a symbol.
fn named_currency(column: &str) -> Option<&'static Currency> {
    if column.contains('£') {
        return Currency::from_code("GBP");
    }
    if column.contains('€') {
        return Currency::from_code("EUR");
    }
    column
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() == 3)
        .find_map(Currency::from_code)
}

/// The most common non-blank value of a column in its first rows, and its share of them.
fn most_common(db: &Database, table: &str, column: &str) -> Result<Option<(String, f64)>> {
    let sq = |e| Error::sqlite(db.path())(e);
    let sql = format!(
        "SELECT CAST({c} AS TEXT) FROM {t} WHERE {c} IS NOT NULL LIMIT {GUESS_ROWS}",
        c = quote_ident(column),
        t = quote_ident(table)
    );
    let mut stmt = db.conn().prepare(&sql).map_err(sq)?;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut total = 0usize;
    let mut rows = stmt.query([]).map_err(sq)?;
    while let Some(row) = rows.next().map_err(sq)? {
        let value: Option<String> = row.get(0).map_err(sq)?;
        let Some(value) = value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        *counts.entry(value).or_default() += 1;
        total += 1;
    }
    Ok(counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(value, n)| (value, n as f64 / total as f64)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_with(sql: &str) -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(sql).unwrap();
        drop(conn);
        let db = Database::open(&path).unwrap();
        (dir, db)
    }

    #[test]
    fn settings_round_trip_and_the_currency_is_guessed_from_the_data() {
        let (_dir, mut db) = db_with(
            "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, country TEXT);
             INSERT INTO customers VALUES ('1', 'United Kingdom'), ('2', 'United Kingdom'),
                                          ('3', 'France');",
        );
        assert!(read_all(&db).unwrap().is_empty());
        let (c, why) = guess_currency(&db).unwrap().unwrap();
        assert_eq!(
            (c.code, why.as_str()),
            ("GBP", "most customers are in United Kingdom")
        );

        write(
            &mut db,
            CURRENCY,
            Some(&currency_value(Currency::from_code("EUR"))),
        )
        .unwrap();
        write(&mut db, "window", Some("{\"a\":1}")).unwrap();
        let all = read_all(&db).unwrap();
        assert_eq!(all.get("window").map(String::as_str), Some("{\"a\":1}"));
        assert_eq!(stored_currency(&all), Some(Currency::from_code("EUR")));
        write(&mut db, CURRENCY, Some(&currency_value(None))).unwrap();
        assert_eq!(stored_currency(&read_all(&db).unwrap()), Some(None));
        write(&mut db, CURRENCY, None).unwrap();
        assert_eq!(stored_currency(&read_all(&db).unwrap()), None);
    }

    #[test]
    fn a_currency_column_or_a_named_column_beats_the_country() {
        let (_dir, db) = db_with(
            "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, country TEXT);
             INSERT INTO customers VALUES ('1', 'United Kingdom');
             CREATE TABLE transactions (customer_id TEXT, ts TEXT, amount_usd REAL);",
        );
        let (c, why) = guess_currency(&db).unwrap().unwrap();
        assert_eq!(
            (c.code, why.as_str()),
            ("USD", "the column amount_usd names it")
        );
        let (_dir, db) = db_with(
            "CREATE TABLE transactions (customer_id TEXT, ts TEXT, amount REAL, currency TEXT);
             INSERT INTO transactions VALUES ('1', '2024-01-01', 3, 'sek'), ('1', '2024-01-02', 3, 'SEK');",
        );
        assert_eq!(guess_currency(&db).unwrap().unwrap().0.code, "SEK");
        // No signal, or a country split with no majority: no guess.
        let (_dir, db) = db_with(
            "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, country TEXT, tenure INTEGER);
             INSERT INTO customers VALUES ('1', 'Germany', 1), ('2', 'Japan', 2), ('3', 'USA', 3);",
        );
        assert!(guess_currency(&db).unwrap().is_none());
    }
}
