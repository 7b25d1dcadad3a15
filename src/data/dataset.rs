//! The in-memory, columnar view of a database that models read.
//!
//! Loaded once on the worker thread; models never touch SQL. Customers are indexed `0..n` in
//! `customer_id` order (text order), products likewise; transactions keep their source order.

use std::collections::HashMap;

use rusqlite::types::ValueRef;

use crate::data::db::Database;
use crate::data::merchandise;
pub use crate::data::revenue::RevenueKind;
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

/// Marks a missing index in [`Transactions`]' `product` and `order` columns.
pub const NONE: u32 = u32::MAX;

/// Transaction rows, columnar, in source (rowid) order. Compact: about 41 bytes a row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transactions {
    /// Customer index of each row.
    pub customer: Vec<u32>,
    /// Product index of each row, or [`NONE`].
    pub product: Vec<u32>,
    /// Time of each row, seconds since 1970-01-01 (dates at midnight).
    pub ts: Vec<i64>,
    /// Order of each row (dense index, first seen first), or [`NONE`] without an order id.
    pub order: Vec<u32>,
    /// Number of distinct orders.
    pub n_orders: u32,
    /// Quantity (1 where the table has none).
    pub quantity: Vec<f64>,
    /// Money of the row: `amount`, else quantity × unit price, else 0. Negative for returns.
    pub amount: Vec<f64>,
    /// Cancellation or return rows (`cancelled` = 1, or an order id starting with `C`).
    pub cancelled: Vec<bool>,
    /// Rating, or NaN where the row has none.
    pub rating: Vec<f32>,
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
    /// The product index of row `r`, if it names a known product.
    pub fn product_of(&self, r: usize) -> Option<u32> {
        self.product.get(r).copied().filter(|p| *p != NONE)
    }
    /// The order index of row `r`, if it has an order id.
    pub fn order_of(&self, r: usize) -> Option<u32> {
        self.order.get(r).copied().filter(|o| *o != NONE)
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
    /// Postage, fees, adjustments and the like: never recommended or cited as a reason
    /// (see [`crate::data::merchandise`]).
    pub non_merchandise: Vec<bool>,
    /// Who decided each product's `non_merchandise`.
    pub marked_by: Vec<merchandise::MarkSource>,
}

/// Everything the models read, in memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    /// Customer ids, sorted; a customer's index is its position here.
    pub customer_ids: Vec<String>,
    /// Customer attribute columns (every customers column but the id and personal data).
    pub attributes: Vec<Attribute>,
    /// Customers columns holding personal data: never loaded, never a model input.
    pub pii_columns: Vec<String>,
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

    /// The category index of transaction row `r`'s product, where known.
    pub fn category_of_row(&self, r: usize) -> Option<u32> {
        self.transactions
            .product_of(r)
            .and_then(|p| self.products.category.get(p as usize).copied().flatten())
    }

    /// The spend rows, in row order: those with a positive amount that are not cancellations,
    /// as (customer index, amount, the product's category index where known).
    pub fn positive_spend(&self) -> impl Iterator<Item = (u32, f64, Option<u32>)> + '_ {
        let t = &self.transactions;
        (0..t.len()).filter_map(move |r| {
            let (Some(&c), Some(&amount), Some(&cancelled)) =
                (t.customer.get(r), t.amount.get(r), t.cancelled.get(r))
            else {
                return None;
            };
            if cancelled || amount <= 0.0 {
                return None;
            }
            Some((c, amount, self.category_of_row(r)))
        })
    }

    /// An attribute column by name.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// Loads the database into memory. Customers come from the customers table and from any
    /// transaction or feedback rows whose customer is not in it.
    pub fn load(db: &Database, progress: &dyn Progress) -> Result<Dataset> {
        progress.report(0.0, "Loading customers");
        // Customers of the customers and feedback tables; those known only from transactions
        // are added while transactions load (a DISTINCT scan of a large table is slow).
        let mut ids: Vec<String> = Vec::new();
        for (kind, sql) in [
            (
                TableKind::Customers,
                "SELECT CAST(customer_id AS TEXT) FROM customers WHERE customer_id IS NOT NULL",
            ),
            (
                TableKind::Feedback,
                "SELECT DISTINCT CAST(customer_id AS TEXT) FROM feedback WHERE customer_id IS NOT NULL",
            ),
        ] {
            if db.has_table(kind) {
                ids.extend(query_ids(db, sql)?);
            }
            progress.check()?;
        }
        let has_transactions = db.has_table(TableKind::Transactions);
        ids.sort_unstable();
        ids.dedup();
        let index: HashMap<&str, u32> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i as u32))
            .collect();
        let (attributes, pii_columns) = if db.has_table(TableKind::Customers) {
            let pii = db
                .columns(TableKind::Customers)?
                .into_iter()
                .filter(|c| c.role == Role::Pii)
                .map(|c| c.name)
                .collect();
            (load_attributes(db, &index, ids.len())?, pii)
        } else {
            (Vec::new(), Vec::new())
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
        let (transactions, extra_customers) = if has_transactions {
            load_transactions(db, &index, &product_index, progress)?
        } else {
            (Transactions::default(), Vec::new())
        };
        drop(index);
        let mut transactions = transactions;
        let mut attributes = attributes;
        if !extra_customers.is_empty() {
            // Customers found only in transactions: merge them into the sorted id list and
            // renumber (rare: imports create customers from transactions).
            let old_n = ids.len();
            // (id, provisional index): customers-table ids keep theirs, extras follow.
            let mut all: Vec<(String, usize)> = ids
                .into_iter()
                .enumerate()
                .map(|(i, id)| (id, i))
                .chain(
                    extra_customers
                        .into_iter()
                        .enumerate()
                        .map(|(j, id)| (id, old_n + j)),
                )
                .collect();
            all.sort_by(|a, b| a.0.cmp(&b.0));
            let n = all.len();
            let mut remap = vec![0u32; n];
            let mut order: Vec<Option<usize>> = vec![None; n];
            for (new, (_, provisional)) in all.iter().enumerate() {
                if let Some(r) = remap.get_mut(*provisional) {
                    *r = new as u32;
                }
                if *provisional < old_n
                    && let Some(o) = order.get_mut(new)
                {
                    *o = Some(*provisional);
                }
            }
            for c in &mut transactions.customer {
                *c = remap.get(*c as usize).copied().unwrap_or(*c);
            }
            ids = all.into_iter().map(|(id, _)| id).collect();
            for attr in &mut attributes {
                attr.values = match &attr.values {
                    AttrValues::Numeric(v) => AttrValues::Numeric(
                        order
                            .iter()
                            .map(|o| o.and_then(|o| v.get(o).copied().flatten()))
                            .collect(),
                    ),
                    AttrValues::Categorical { levels, codes } => AttrValues::Categorical {
                        levels: levels.clone(),
                        codes: order
                            .iter()
                            .map(|o| o.and_then(|o| codes.get(o).copied().flatten()))
                            .collect(),
                    },
                };
            }
        }
        progress.report(1.0, "Loaded");
        Ok(Dataset {
            customer_ids: ids,
            attributes,
            pii_columns,
            products,
            transactions,
            has_transactions,
        })
    }
}

/// The first column of a query's rows, as trimmed text.
fn query_ids(db: &Database, sql: &str) -> Result<Vec<String>> {
    let sq = |e| Error::sqlite(db.path())(e);
    let mut stmt = db.conn().prepare(sql).map_err(sq)?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(sq)?;
    rows.map(|r| r.map(|id| id.trim().to_string()).map_err(sq))
        .collect()
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

/// Builds one attribute column while rows stream in: numbers as they come, other text interned.
#[derive(Default)]
struct ColumnBuilder {
    numeric: Vec<Option<f64>>,
    codes: Vec<Option<u32>>,
    intern: HashMap<String, u32>,
    levels: Vec<String>,
    any_text: bool,
}

impl ColumnBuilder {
    fn new(n: usize) -> Self {
        Self {
            numeric: vec![None; n],
            codes: vec![None; n],
            ..Self::default()
        }
    }

    fn code(&mut self, text: &str) -> u32 {
        if let Some(&c) = self.intern.get(text) {
            return c;
        }
        let c = self.levels.len() as u32;
        self.levels.push(text.to_string());
        self.intern.insert(text.to_string(), c);
        c
    }

    fn push(&mut self, i: usize, v: ValueRef<'_>) {
        if let Some(x) = number_of(v) {
            // An absurd number (beyond the bound) counts as blank.
            if let Some(slot) = self.numeric.get_mut(i)
                && crate::data::values::within_bound(x)
            {
                *slot = Some(x);
            }
            return;
        }
        let text = match v {
            ValueRef::Text(t) => String::from_utf8_lossy(t),
            _ => return,
        };
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        self.any_text = true;
        let c = self.code(text);
        if let Some(slot) = self.codes.get_mut(i) {
            *slot = Some(c);
        }
    }

    fn finish(mut self) -> AttrValues {
        if !self.any_text {
            return AttrValues::Numeric(self.numeric);
        }
        // Mixed or text: every value is a category; numbers as they print.
        let numeric = std::mem::take(&mut self.numeric);
        for (i, x) in numeric.iter().enumerate() {
            if let Some(x) = x {
                let c = self.code(&x.to_string());
                if let Some(slot) = self.codes.get_mut(i) {
                    *slot = Some(c);
                }
            }
        }
        let mut order: Vec<usize> = (0..self.levels.len()).collect();
        order.sort_by(|&a, &b| self.levels[a].cmp(&self.levels[b]));
        let mut rank = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            rank[old] = new as u32;
        }
        let codes = self
            .codes
            .iter()
            .map(|c| c.and_then(|c| rank.get(c as usize).copied()))
            .collect();
        let levels = order.iter().map(|&o| self.levels[o].clone()).collect();
        AttrValues::Categorical { levels, codes }
    }
}

/// Loads the customers table's attribute columns (personal data is left out: models never use
/// it, and it is the bulk of a large table).
fn load_attributes(db: &Database, index: &HashMap<&str, u32>, n: usize) -> Result<Vec<Attribute>> {
    let sq = |e| Error::sqlite(db.path())(e);
    let columns: Vec<_> = db
        .columns(TableKind::Customers)?
        .into_iter()
        .filter(|c| c.name != "customer_id" && c.role != Role::Pii)
        .collect();
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    let select: Vec<String> = columns.iter().map(|c| quote_ident(&c.name)).collect();
    let sql = format!("SELECT customer_id, {} FROM customers", select.join(", "));
    let mut builders: Vec<ColumnBuilder> = columns.iter().map(|_| ColumnBuilder::new(n)).collect();
    let mut buf = String::new();
    let mut stmt = db.conn().prepare(&sql).map_err(sq)?;
    let mut rows = stmt.query([]).map_err(sq)?;
    while let Some(row) = rows.next().map_err(sq)? {
        let v = row.get_ref(0).map_err(sq)?;
        let Some(&ci) = id_text(v, &mut buf).and_then(|id| index.get(id.trim())) else {
            continue;
        };
        for (j, b) in builders.iter_mut().enumerate() {
            b.push(ci as usize, row.get_ref(j + 1).map_err(sq)?);
        }
    }
    Ok(columns
        .into_iter()
        .zip(builders)
        .map(|(info, b)| Attribute {
            name: info.name,
            role: info.role,
            values: b.finish(),
        })
        .collect())
}

/// `column` quoted for a SELECT when the table has it (`cols` from [`Database::raw_columns`]),
/// `NULL` otherwise.
fn column_or_null(cols: &[(String, String)], column: &str) -> String {
    if cols.iter().any(|(n, _)| n == column) {
        quote_ident(column)
    } else {
        "NULL".into()
    }
}

pub(crate) fn load_products(db: &Database) -> Result<Products> {
    let sq = |e| Error::sqlite(db.path())(e);
    // The products table when there is one (transactions naming an unknown product keep no
    // product: `tailor check` reports them); else the products named by transactions.
    let source = [TableKind::Products, TableKind::Transactions]
        .into_iter()
        .find(|k| db.has_table(*k));
    let mut ids: Vec<String> = match source {
        Some(kind)
            if db
                .raw_columns(kind.name())?
                .iter()
                .any(|(c, _)| c == "product_id") =>
        {
            query_ids(
                db,
                &format!(
                    "SELECT DISTINCT CAST(product_id AS TEXT) FROM {} WHERE product_id IS NOT NULL",
                    quote_ident(kind.name())
                ),
            )?
        }
        _ => Vec::new(),
    };
    ids.sort_unstable();
    ids.dedup();
    let n = ids.len();
    let mut marks: Vec<Option<bool>> = Vec::new();
    let mut products = Products {
        names: vec![None; n],
        category: vec![None; n],
        price: vec![None; n],
        ..Products::default()
    };
    if db.has_table(TableKind::Products) {
        let cols = db.raw_columns("products")?;
        let pick = |c: &str| column_or_null(&cols, c);
        let marking = merchandise::marking_column(&cols);
        let sql = format!(
            "SELECT CAST(product_id AS TEXT), {}, {}, {}, {} FROM products",
            pick("name"),
            pick("category"),
            pick("price"),
            marking.map_or("NULL".to_string(), |(c, _)| quote_ident(c))
        );
        marks = vec![None; n];
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
            if let (Some(slot), Some((_, merch))) = (marks.get_mut(i), marking) {
                let text = text_of(row.get_ref(4).map_err(sq)?);
                *slot = text.and_then(|t| merchandise::read_mark(&t, merch));
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
    let yours = merchandise::user_marks(db)?;
    let decided = merchandise::guess(&ids, &products.names)
        .into_iter()
        .zip(marks.iter().chain(std::iter::repeat(&None)))
        .zip(&ids)
        .map(|((guess, column), id)| merchandise::decide(guess, *column, yours.get(id).copied()));
    (products.non_merchandise, products.marked_by) = decided.unzip();
    products.ids = ids;
    Ok(products)
}

/// Seconds since 1970-01-01 of an ISO date or date-time (`2011-12-09`, `2011-12-09T08:26:00`,
/// `2011-12-09 08:26`); `None` when it is not one.
pub fn iso_to_epoch_secs(s: &str) -> Option<i64> {
    iso_bytes_to_epoch_secs(s.trim().as_bytes())
}

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() {
        return None;
    }
    b.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

/// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// [`iso_to_epoch_secs`] on raw bytes, without allocating (the loader's hot path).
fn iso_bytes_to_epoch_secs(b: &[u8]) -> Option<i64> {
    if b.len() < 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let y = digits(b.get(0..4)?)?;
    let m = digits(b.get(5..7)?)?;
    let d = digits(b.get(8..10)?)?;
    let month_len = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    if d < 1 || d > month_len {
        return None;
    }
    let mut secs = days_from_civil(y, m, d) * 86_400;
    let rest = b.get(10..).unwrap_or(&[]);
    if rest.is_empty() {
        return Some(secs);
    }
    if !matches!(rest.first(), Some(b'T' | b' ')) {
        return None;
    }
    let time = rest.get(1..).unwrap_or(&[]);
    let time = time.strip_suffix(b"Z").unwrap_or(time);
    let mut parts = time.split(|&c| c == b':');
    let h = digits(parts.next()?)?;
    let min = parts.next().map(digits).unwrap_or(Some(0))?;
    let sec = match parts.next() {
        Some(p) => {
            let whole = p.split(|&c| c == b'.').next().unwrap_or(p);
            digits(whole)?
        }
        None => 0,
    };
    if h > 23 || min > 59 || sec > 60 || parts.next().is_some() {
        return None;
    }
    secs += h * 3600 + min * 60 + sec;
    Some(secs)
}

/// The text of an id cell, borrowed when it is stored as text.
fn id_text<'a>(v: ValueRef<'a>, buf: &'a mut String) -> Option<&'a str> {
    match v {
        ValueRef::Text(t) => std::str::from_utf8(t).ok(),
        ValueRef::Integer(i) => {
            *buf = i.to_string();
            Some(buf.as_str())
        }
        ValueRef::Real(f) => {
            *buf = if f.fract() == 0.0 {
                format!("{f:.0}")
            } else {
                f.to_string()
            };
            Some(buf.as_str())
        }
        ValueRef::Null | ValueRef::Blob(_) => None,
    }
}

/// Loads transactions; customers not in `index` get provisional indices `index.len()..` and
/// are returned, in that order, to be merged by the caller.
fn load_transactions(
    db: &Database,
    index: &HashMap<&str, u32>,
    product_index: &HashMap<&str, u32>,
    progress: &dyn Progress,
) -> Result<(Transactions, Vec<String>)> {
    let sq = |e| Error::sqlite(db.path())(e);
    let cols = db.raw_columns("transactions")?;
    let pick = |c: &str| column_or_null(&cols, c);
    let total = db.row_count("transactions")?;
    let sql = format!(
        "SELECT customer_id, ts, {}, {}, {}, {}, {}, {}, {} FROM transactions ORDER BY rowid",
        pick("product_id"),
        pick("order_id"),
        pick("quantity"),
        pick("unit_price"),
        pick("amount"),
        pick("cancelled"),
        pick("rating"),
    );
    let cap = usize::try_from(total).unwrap_or(0);
    let mut t = Transactions {
        customer: Vec::with_capacity(cap),
        product: Vec::with_capacity(cap),
        ts: Vec::with_capacity(cap),
        order: Vec::with_capacity(cap),
        n_orders: 0,
        quantity: Vec::with_capacity(cap),
        amount: Vec::with_capacity(cap),
        cancelled: Vec::with_capacity(cap),
        rating: Vec::with_capacity(cap),
    };
    // Orders get dense indices, keyed by a 64-bit hash of the id (two ids sharing a hash are
    // about one chance in 10^12 for a million orders); the map lives only while loading.
    let mut orders: HashMap<u64, u32> = HashMap::new();
    let mut last_order: (u64, u32) = (0, NONE);
    let mut buf = String::new();
    let mut extra: HashMap<String, u32> = HashMap::new();
    let mut extra_order: Vec<String> = Vec::new();
    let mut stmt = db.conn().prepare(&sql).map_err(sq)?;
    let mut rows = stmt.query([]).map_err(sq)?;
    let mut seen: u64 = 0;
    while let Some(row) = rows.next().map_err(sq)? {
        seen += 1;
        if seen.is_multiple_of(100_000) {
            progress.check()?;
            progress.report(
                0.1 + 0.9 * seen as f32 / total.max(1) as f32,
                "Loading transactions",
            );
        }
        let customer = {
            let v = row.get_ref(0).map_err(sq)?;
            let Some(id) = id_text(v, &mut buf)
                .map(str::trim)
                .filter(|id| !id.is_empty())
            else {
                continue;
            };
            match index.get(id) {
                Some(&ci) => ci,
                None => match extra.get(id) {
                    Some(&ci) => ci,
                    None => {
                        let ci = (index.len() + extra_order.len()) as u32;
                        extra.insert(id.to_string(), ci);
                        extra_order.push(id.to_string());
                        ci
                    }
                },
            }
        };
        let ts = match row.get_ref(1).map_err(sq)? {
            ValueRef::Text(b) => iso_bytes_to_epoch_secs(b.trim_ascii()),
            _ => None,
        };
        let Some(ts) = ts else {
            continue;
        };
        let product = {
            let v = row.get_ref(2).map_err(sq)?;
            id_text(v, &mut buf)
                .and_then(|p| product_index.get(p.trim()).copied())
                .unwrap_or(NONE)
        };
        let quantity = number_of(row.get_ref(4).map_err(sq)?);
        let unit_price = number_of(row.get_ref(5).map_err(sq)?);
        let amount = number_of(row.get_ref(6).map_err(sq)?);
        let cancelled_flag = number_of(row.get_ref(7).map_err(sq)?).is_some_and(|v| v != 0.0);
        let rating = number_of(row.get_ref(8).map_err(sq)?);
        let money = amount
            .or_else(|| Some(quantity.unwrap_or(1.0) * unit_price?))
            .unwrap_or(0.0);
        // A row with an absurd number (written by another tool: import refuses them) would turn
        // every sum and model it touches into infinities.
        let sane = |x: Option<f64>| x.is_none_or(crate::data::values::within_bound);
        if !(sane(quantity) && sane(unit_price) && sane(amount) && sane(Some(money))) {
            continue;
        }
        let (order, order_cancelled) = match row.get_ref(3).map_err(sq)? {
            ValueRef::Null => (NONE, false),
            v => {
                let text = id_text(v, &mut buf).map(str::trim).unwrap_or("");
                let starts_c = text.starts_with('C');
                let mut hasher = std::hash::DefaultHasher::new();
                std::hash::Hasher::write(&mut hasher, text.as_bytes());
                let key = std::hash::Hasher::finish(&hasher);
                let o = if key == last_order.0 && last_order.1 != NONE {
                    last_order.1
                } else {
                    let next = orders.len() as u32;
                    let o = *orders.entry(key).or_insert(next);
                    last_order = (key, o);
                    o
                };
                (o, starts_c)
            }
        };
        t.customer.push(customer);
        t.product.push(product);
        t.ts.push(ts);
        t.order.push(order);
        t.quantity.push(quantity.unwrap_or(1.0));
        t.amount.push(money);
        t.cancelled.push(cancelled_flag || order_cancelled);
        t.rating.push(rating.map_or(f32::NAN, |r| r as f32));
    }
    t.n_orders = u32::try_from(orders.len()).unwrap_or(NONE);
    for v in [&mut t.product, &mut t.order, &mut t.customer] {
        v.shrink_to_fit();
    }
    Ok((t, extra_order))
}

#[cfg(test)]
mod tests;
