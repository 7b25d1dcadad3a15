//! The in-memory, columnar view of a database that models read.
//!
//! Loaded once on the worker thread; models never touch SQL. Customers are indexed `0..n` in
//! `customer_id` order (text order), products likewise; transactions keep their source order.

use std::collections::HashMap;

use rusqlite::types::ValueRef;

use crate::data::db::Database;
use crate::data::roles::Role;
use crate::data::schema::{TableKind, quote_ident};
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Values of one customer attribute column.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValues {
    /// Numbers; `None` where blank.
    Numeric(Vec<Option<f64>>),
    /// Categories: `codes[i]` indexes `levels` (sorted), `None` where blank.
    Categorical {
        /// The distinct values, sorted.
        levels: Vec<String>,
        /// One code per customer.
        codes: Vec<Option<u32>>,
    },
}

/// One attribute column of the customers table.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Column name.
    pub name: String,
    /// Its role (stored or guessed).
    pub role: Role,
    /// One value per customer, in customer index order.
    pub values: AttrValues,
}

/// Transaction rows, columnar, in source (rowid) order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transactions {
    /// Customer index of each row.
    pub customer: Vec<u32>,
    /// Product index of each row, where the row names a product.
    pub product: Vec<Option<u32>>,
    /// Time of each row, seconds since 1970-01-01 (dates at midnight).
    pub ts: Vec<i64>,
    /// Order index (into `order_ids`) of each row, where the row has an order id.
    pub order: Vec<Option<u32>>,
    /// Distinct order ids.
    pub order_ids: Vec<String>,
    /// Quantity (1 where the table has none).
    pub quantity: Vec<f64>,
    /// Money of the row: `amount`, else quantity × unit price, else 0. Negative for returns.
    pub amount: Vec<f64>,
    /// Cancellation or return rows (`cancelled` = 1, or an order id starting with `C`).
    pub cancelled: Vec<bool>,
    /// Rating, where the row has one.
    pub rating: Vec<Option<f64>>,
}

impl Transactions {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.customer.len()
    }
    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.customer.is_empty()
    }
}

/// Products, in `product_id` order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Products {
    /// Product ids.
    pub ids: Vec<String>,
    /// Names, where known.
    pub names: Vec<Option<String>>,
    /// Category index (into `categories`), where known.
    pub category: Vec<Option<u32>>,
    /// Distinct categories, sorted.
    pub categories: Vec<String>,
    /// Prices, where known.
    pub price: Vec<Option<f64>>,
}

/// Everything the models read, in memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    /// Customer ids, sorted; a customer's index is its position here.
    pub customer_ids: Vec<String>,
    /// Customer attribute columns (every customers column but the id).
    pub attributes: Vec<Attribute>,
    /// Products.
    pub products: Products,
    /// Transactions (empty when the database has none).
    pub transactions: Transactions,
    /// Whether the database has a transactions table.
    pub has_transactions: bool,
}

impl Dataset {
    /// Number of customers.
    pub fn n_customers(&self) -> usize {
        self.customer_ids.len()
    }

    /// The index of a customer id.
    pub fn customer_index(&self, id: &str) -> Option<usize> {
        self.customer_ids
            .binary_search_by(|c| c.as_str().cmp(id))
            .ok()
    }

    /// An attribute column by name.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// Loads the database into memory. Customers come from the customers table and from any
    /// transaction or feedback rows whose customer is not in it.
    pub fn load(db: &Database, progress: &dyn Progress) -> Result<Dataset> {
        let sq = |e| Error::sqlite(db.path())(e);
        let conn = db.conn();
        progress.report(0.0, "Loading customers");
        let mut ids: Vec<String> = Vec::new();
        for kind in [
            TableKind::Customers,
            TableKind::Transactions,
            TableKind::Feedback,
        ] {
            if db.has_table(kind) {
                let mut stmt = conn
                    .prepare(&format!(
                        "SELECT DISTINCT CAST(customer_id AS TEXT) FROM {} WHERE customer_id IS NOT NULL",
                        quote_ident(kind.name())
                    ))
                    .map_err(sq)?;
                let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(sq)?;
                for row in rows {
                    ids.push(row.map_err(sq)?);
                }
            }
            progress.check()?;
        }
        ids.sort_unstable();
        ids.dedup();
        let index: HashMap<&str, u32> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i as u32))
            .collect();

        let attributes = if db.has_table(TableKind::Customers) {
            load_attributes(db, &index, ids.len())?
        } else {
            Vec::new()
        };
        progress.check()?;
        progress.report(0.1, "Loading products");
        let products = load_products(db)?;
        let product_index: HashMap<&str, u32> = products
            .ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i as u32))
            .collect();
        let has_transactions = db.has_table(TableKind::Transactions);
        let transactions = if has_transactions {
            load_transactions(db, &index, &product_index, progress)?
        } else {
            Transactions::default()
        };
        drop(index);
        progress.report(1.0, "Loaded");
        Ok(Dataset {
            customer_ids: ids,
            attributes,
            products,
            transactions,
            has_transactions,
        })
    }
}

fn text_of(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) => {
            let s = String::from_utf8_lossy(t);
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_string())
        }
        ValueRef::Blob(_) => None,
    }
}

fn number_of(v: ValueRef<'_>) -> Option<f64> {
    match v {
        ValueRef::Integer(i) => Some(i as f64),
        ValueRef::Real(f) => f.is_finite().then_some(f),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|f| f.is_finite()),
        ValueRef::Null | ValueRef::Blob(_) => None,
    }
}

fn load_attributes(db: &Database, index: &HashMap<&str, u32>, n: usize) -> Result<Vec<Attribute>> {
    let sq = |e| Error::sqlite(db.path())(e);
    let columns: Vec<_> = db
        .columns(TableKind::Customers)?
        .into_iter()
        .filter(|c| c.name != "customer_id")
        .collect();
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    let select: Vec<String> = columns.iter().map(|c| quote_ident(&c.name)).collect();
    let sql = format!(
        "SELECT CAST(customer_id AS TEXT), {} FROM customers",
        select.join(", ")
    );
    // Raw cells per column: numbers where every non-blank value is a number.
    let mut raw: Vec<Vec<Option<String>>> = vec![vec![None; n]; columns.len()];
    let mut numeric = vec![true; columns.len()];
    let mut stmt = db.conn().prepare(&sql).map_err(sq)?;
    let mut rows = stmt.query([]).map_err(sq)?;
    while let Some(row) = rows.next().map_err(sq)? {
        let Some(id) = row.get::<_, Option<String>>(0).map_err(sq)? else {
            continue;
        };
        let Some(&ci) = index.get(id.as_str()) else {
            continue;
        };
        for (j, col) in raw.iter_mut().enumerate() {
            let v = row.get_ref(j + 1).map_err(sq)?;
            let text = text_of(v);
            if text.is_some()
                && number_of(v).is_none()
                && let Some(flag) = numeric.get_mut(j)
            {
                *flag = false;
            }
            if let Some(slot) = col.get_mut(ci as usize) {
                *slot = text;
            }
        }
    }
    Ok(columns
        .into_iter()
        .zip(raw)
        .zip(numeric)
        .map(|((info, cells), is_numeric)| {
            let values = if is_numeric {
                AttrValues::Numeric(
                    cells
                        .iter()
                        .map(|c| c.as_deref().and_then(|s| s.parse::<f64>().ok()))
                        .collect(),
                )
            } else {
                let mut levels: Vec<String> = cells.iter().flatten().cloned().collect();
                levels.sort_unstable();
                levels.dedup();
                let codes = cells
                    .iter()
                    .map(|c| {
                        c.as_deref().and_then(|s| {
                            levels
                                .binary_search_by(|l| l.as_str().cmp(s))
                                .ok()
                                .map(|i| i as u32)
                        })
                    })
                    .collect();
                AttrValues::Categorical { levels, codes }
            };
            Attribute {
                name: info.name,
                role: info.role,
                values,
            }
        })
        .collect())
}

fn load_products(db: &Database) -> Result<Products> {
    let sq = |e| Error::sqlite(db.path())(e);
    let mut ids: Vec<String> = Vec::new();
    for kind in [TableKind::Products, TableKind::Transactions] {
        if !db.has_table(kind) {
            continue;
        }
        let has_col = db
            .raw_columns(kind.name())?
            .iter()
            .any(|(c, _)| c == "product_id");
        if !has_col {
            continue;
        }
        let mut stmt = db
            .conn()
            .prepare(&format!(
                "SELECT DISTINCT CAST(product_id AS TEXT) FROM {} WHERE product_id IS NOT NULL",
                quote_ident(kind.name())
            ))
            .map_err(sq)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(sq)?;
        for row in rows {
            ids.push(row.map_err(sq)?);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    let n = ids.len();
    let mut products = Products {
        names: vec![None; n],
        category: vec![None; n],
        price: vec![None; n],
        ..Products::default()
    };
    if db.has_table(TableKind::Products) {
        let cols = db.raw_columns("products")?;
        let has = |c: &str| cols.iter().any(|(n, _)| n == c);
        let pick = |c: &str| {
            if has(c) {
                quote_ident(c)
            } else {
                "NULL".into()
            }
        };
        let sql = format!(
            "SELECT CAST(product_id AS TEXT), {}, {}, {} FROM products",
            pick("name"),
            pick("category"),
            pick("price")
        );
        let mut raw_categories: Vec<Option<String>> = vec![None; n];
        let mut stmt = db.conn().prepare(&sql).map_err(sq)?;
        let mut rows = stmt.query([]).map_err(sq)?;
        while let Some(row) = rows.next().map_err(sq)? {
            let Some(id) = row.get::<_, Option<String>>(0).map_err(sq)? else {
                continue;
            };
            let Ok(i) = ids.binary_search(&id) else {
                continue;
            };
            if let Some(slot) = products.names.get_mut(i) {
                *slot = text_of(row.get_ref(1).map_err(sq)?);
            }
            if let Some(slot) = raw_categories.get_mut(i) {
                *slot = text_of(row.get_ref(2).map_err(sq)?);
            }
            if let Some(slot) = products.price.get_mut(i) {
                *slot = number_of(row.get_ref(3).map_err(sq)?);
            }
        }
        let mut cats: Vec<String> = raw_categories.iter().flatten().cloned().collect();
        cats.sort_unstable();
        cats.dedup();
        products.category = raw_categories
            .iter()
            .map(|c| {
                c.as_deref()
                    .and_then(|s| cats.binary_search_by(|l| l.as_str().cmp(s)).ok())
                    .map(|i| i as u32)
            })
            .collect();
        products.categories = cats;
    }
    products.ids = ids;
    Ok(products)
}

/// Seconds since 1970-01-01 of an ISO date or date-time (`2011-12-09`, `2011-12-09T08:26:00`,
/// `2011-12-09 08:26`); `None` when it is not one.
pub fn iso_to_epoch_secs(s: &str) -> Option<i64> {
    let s = s.trim();
    let date = chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    let mut secs = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
    if let Some(rest) = s.get(11..).filter(|r| !r.is_empty()) {
        let mut parts = rest.split(':');
        let h: i64 = parts.next()?.trim().parse().ok()?;
        let m: i64 = parts.next().unwrap_or("0").trim().parse().ok()?;
        let sec: f64 = parts
            .next()
            .unwrap_or("0")
            .trim_end_matches('Z')
            .parse()
            .ok()?;
        secs += h * 3600 + m * 60 + sec as i64;
    }
    Some(secs)
}

fn load_transactions(
    db: &Database,
    index: &HashMap<&str, u32>,
    product_index: &HashMap<&str, u32>,
    progress: &dyn Progress,
) -> Result<Transactions> {
    let sq = |e| Error::sqlite(db.path())(e);
    let cols = db.raw_columns("transactions")?;
    let has = |c: &str| cols.iter().any(|(n, _)| n == c);
    let pick = |c: &str| {
        if has(c) {
            quote_ident(c)
        } else {
            "NULL".into()
        }
    };
    let total = db.row_count("transactions")?.max(1);
    let sql = format!(
        "SELECT CAST(customer_id AS TEXT), ts, CAST({} AS TEXT), CAST({} AS TEXT), {}, {}, {}, {}, {} \
         FROM transactions ORDER BY rowid",
        pick("product_id"),
        pick("order_id"),
        pick("quantity"),
        pick("unit_price"),
        pick("amount"),
        pick("cancelled"),
        pick("rating"),
    );
    let mut t = Transactions::default();
    let mut orders: HashMap<String, u32> = HashMap::new();
    let mut stmt = db.conn().prepare(&sql).map_err(sq)?;
    let mut rows = stmt.query([]).map_err(sq)?;
    let mut seen: u64 = 0;
    while let Some(row) = rows.next().map_err(sq)? {
        seen += 1;
        if seen.is_multiple_of(50_000) {
            progress.check()?;
            progress.report(
                0.1 + 0.9 * seen as f32 / total as f32,
                "Loading transactions",
            );
        }
        let Some(id) = row.get::<_, Option<String>>(0).map_err(sq)? else {
            continue;
        };
        let Some(&ci) = index.get(id.as_str()) else {
            continue;
        };
        let Some(ts) = text_of(row.get_ref(1).map_err(sq)?).and_then(|s| iso_to_epoch_secs(&s))
        else {
            continue;
        };
        let product = row
            .get::<_, Option<String>>(2)
            .map_err(sq)?
            .and_then(|p| product_index.get(p.as_str()).copied());
        let order_id = row.get::<_, Option<String>>(3).map_err(sq)?;
        let quantity = number_of(row.get_ref(4).map_err(sq)?);
        let unit_price = number_of(row.get_ref(5).map_err(sq)?);
        let amount = number_of(row.get_ref(6).map_err(sq)?);
        let cancelled_flag = number_of(row.get_ref(7).map_err(sq)?).is_some_and(|v| v != 0.0);
        let rating = number_of(row.get_ref(8).map_err(sq)?);
        let cancelled = cancelled_flag || order_id.as_deref().is_some_and(|o| o.starts_with('C'));
        let order = order_id.map(|o| {
            let next = orders.len() as u32;
            *orders.entry(o).or_insert(next)
        });
        let money = amount
            .or_else(|| Some(quantity.unwrap_or(1.0) * unit_price?))
            .unwrap_or(0.0);
        t.customer.push(ci);
        t.product.push(product);
        t.ts.push(ts);
        t.order.push(order);
        t.quantity.push(quantity.unwrap_or(1.0));
        t.amount.push(money);
        t.cancelled.push(cancelled);
        t.rating.push(rating);
    }
    let mut order_ids = vec![String::new(); orders.len()];
    for (o, i) in orders {
        if let Some(slot) = order_ids.get_mut(i as usize) {
            *slot = o;
        }
    }
    t.order_ids = order_ids;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;

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
        assert_eq!(d.products.ids, vec!["p1", "p2"]);
        assert_eq!(d.products.categories, vec!["Kitchen"]);
        let t = &d.transactions;
        assert_eq!(t.len(), 2, "the row with a bad date is not loaded");
        assert_eq!(t.customer, vec![1, 2]);
        assert_eq!(t.amount, vec![6.0, -4.0]);
        assert_eq!(t.cancelled, vec![false, true]);
        assert_eq!(t.ts[0] - t.ts[1], -86_400 + 10 * 3600);
    }

    #[test]
    fn iso_dates_become_epoch_seconds() {
        assert_eq!(iso_to_epoch_secs("1970-01-02"), Some(86_400));
        assert_eq!(iso_to_epoch_secs("1970-01-01T01:00:30"), Some(3630));
        assert_eq!(iso_to_epoch_secs("1970-01-01 00:01"), Some(60));
        assert_eq!(iso_to_epoch_secs("12/01/2010"), None);
    }
}
