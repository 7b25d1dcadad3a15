//! Writing one planned file's rows (see [`plan`](super::plan)) and the customer and product
//! attributes it carries.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Transaction};

use super::plan::{Target, parse_date, plan_file};
use super::source::{Separator, Source};
use super::{FileSummary, ImportOptions, SkipReason};
use crate::data::db::{table_columns, table_exists};
use crate::data::schema::{TableKind, ValueKind, create_table_sql, quote_ident};
use crate::data::values;
use crate::error::{Error, Result};
use crate::format::thousands;
use crate::progress::Progress;

/// A column written by an import, for `--role`.
#[derive(Debug, Clone)]
pub(super) struct ColumnSeen {
    pub source: String,
    pub table: TableKind,
    pub column: String,
}

/// A converted value: missing (blank), a value, or text that is not of the column's kind.
enum Conv {
    Blank,
    Val(Value),
    Bad,
}

fn convert(raw: &str, t: &Target) -> Conv {
    let s = raw.trim();
    if s.is_empty() {
        return Conv::Blank;
    }
    let v = match t.kind {
        ValueKind::Id => values::parse_id(s).map(Value::Text),
        ValueKind::Text => Some(Value::Text(s.to_string())),
        ValueKind::Integer => values::parse_int(s)
            .map(Value::Integer)
            .or_else(|| values::parse_real(s).map(Value::Real)),
        ValueKind::Real => values::parse_real(s).map(Value::Real),
        ValueKind::Bool => values::parse_bool(s).map(|b| Value::Integer(i64::from(b))),
        ValueKind::Date => parse_date(s, &t.date).map(Value::Text),
    };
    match v {
        Some(v) => Conv::Val(v),
        None => Conv::Bad,
    }
}

fn ensure_table(
    tx: &Transaction,
    db_path: &Path,
    kind: TableKind,
    cols: &[(String, &'static str)],
) -> Result<()> {
    let sql = |e| Error::sqlite(db_path)(e);
    if !table_exists(tx, kind.name()).map_err(sql)? {
        tx.execute_batch(&create_table_sql(kind, cols))
            .map_err(sql)?;
        return Ok(());
    }
    let existing = table_columns(tx, kind.name()).map_err(sql)?;
    for (name, ty) in cols {
        if existing.iter().any(|(c, _)| c.eq_ignore_ascii_case(name)) {
            continue;
        }
        tx.execute_batch(&format!(
            "ALTER TABLE {} ADD COLUMN {} {ty}",
            quote_ident(kind.name()),
            quote_ident(name)
        ))
        .map_err(sql)?;
    }
    Ok(())
}

#[derive(Default)]
struct Skips {
    list: Vec<SkipReason>,
}

impl Skips {
    fn add(&mut self, reason: &str, line: u64, example: impl FnOnce() -> String) {
        if let Some(s) = self.list.iter_mut().find(|s| s.reason == reason) {
            s.count += 1;
            return;
        }
        self.list.push(SkipReason {
            reason: reason.to_string(),
            count: 1,
            example_line: line,
            example: example(),
        });
    }
}

/// Rows of a keyed table (customers or products) gathered from a transactions file, written
/// once at the end: the last non-blank value of each attribute wins; a customer or product
/// already in the database is left as it was.
struct Side {
    kind: TableKind,
    targets: Vec<Target>,
    order: Vec<String>,
    index: HashMap<String, usize>,
    values: Vec<Vec<Value>>,
}

impl Side {
    fn new(kind: TableKind, targets: Vec<Target>) -> Side {
        Side {
            kind,
            targets,
            order: Vec::new(),
            index: HashMap::new(),
            values: Vec::new(),
        }
    }

    fn add(&mut self, id: &str, row: &[String]) {
        let i = match self.index.get(id) {
            Some(i) => *i,
            None => {
                self.order.push(id.to_string());
                self.values.push(vec![Value::Null; self.targets.len()]);
                self.index.insert(id.to_string(), self.order.len() - 1);
                self.order.len() - 1
            }
        };
        let Some(vals) = self.values.get_mut(i) else {
            return;
        };
        for (t, slot) in self.targets.iter().zip(vals.iter_mut()) {
            if let Conv::Val(v) = convert(row.get(t.src).map(String::as_str).unwrap_or(""), t) {
                *slot = v;
            }
        }
    }
}

/// What a keyed row written by an import turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    /// A new key.
    Added,
    /// A key this file wrote already: the later row replaces it.
    Repeated,
    /// A key already in the database, left as it was.
    Kept,
    /// A key already in the database, updated (`--update`).
    Updated,
}

/// Writes the rows of a keyed table (customers or products). A key already in the database is
/// left as it was unless `update`; then only non-blank values replace, and the changes are
/// counted per column. A key repeated within the file: the later row replaces the earlier.
struct Upsert<'t> {
    update: bool,
    cols: Vec<String>,
    /// Keys this file inserted.
    created: HashSet<String>,
    replace: Option<rusqlite::CachedStatement<'t>>,
    fill: Option<rusqlite::CachedStatement<'t>>,
    current: rusqlite::CachedStatement<'t>,
    insert: rusqlite::CachedStatement<'t>,
    /// Per column: existing rows whose value `--update` changed.
    changed: Vec<u64>,
}

impl<'t> Upsert<'t> {
    fn new(
        tx: &'t Transaction,
        kind: TableKind,
        cols: &[String],
        update: bool,
    ) -> rusqlite::Result<Self> {
        let key = quote_ident(kind.key_column().unwrap_or("customer_id"));
        let table = quote_ident(kind.name());
        let sets = |fill: bool| -> Vec<String> {
            cols.iter()
                .enumerate()
                .map(|(i, c)| {
                    let c = quote_ident(c);
                    if fill {
                        format!("{c} = COALESCE(?{}, {c})", i + 2)
                    } else {
                        format!("{c} = ?{}", i + 2)
                    }
                })
                .collect()
        };
        let statement = |fill: bool| -> rusqlite::Result<Option<rusqlite::CachedStatement<'t>>> {
            if cols.is_empty() {
                return Ok(None);
            }
            let sql = format!(
                "UPDATE {table} SET {} WHERE {key} = ?1",
                sets(fill).join(", ")
            );
            tx.prepare_cached(&sql).map(Some)
        };
        let mut selected = vec!["1".to_string()];
        selected.extend(cols.iter().map(|c| quote_ident(c)));
        let current = tx.prepare_cached(&format!(
            "SELECT {} FROM {table} WHERE {key} = ?1",
            selected.join(", ")
        ))?;
        let mut names = vec![key.clone()];
        names.extend(cols.iter().map(|c| quote_ident(c)));
        let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
        let insert = tx.prepare_cached(&format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            marks.join(", ")
        ))?;
        Ok(Upsert {
            update,
            cols: cols.to_vec(),
            created: HashSet::new(),
            replace: statement(false)?,
            fill: statement(true)?,
            current,
            insert,
            changed: vec![0; cols.len()],
        })
    }

    /// Writes one row (`vals[0]` is the key).
    fn write(&mut self, vals: &[Value]) -> rusqlite::Result<Written> {
        let key = match vals.first() {
            Some(Value::Text(k)) => k.clone(),
            _ => String::new(),
        };
        if self.created.contains(&key) {
            if let Some(u) = &mut self.replace {
                u.execute(rusqlite::params_from_iter(vals.iter()))?;
            }
            return Ok(Written::Repeated);
        }
        let width = self.cols.len() + 1;
        let old: Option<Vec<Value>> = self
            .current
            .query_row([&key], |r| {
                (1..width).map(|i| r.get::<_, Value>(i)).collect()
            })
            .optional()?;
        let Some(old) = old else {
            self.insert
                .execute(rusqlite::params_from_iter(vals.iter()))?;
            self.created.insert(key);
            return Ok(Written::Added);
        };
        if !self.update {
            return Ok(Written::Kept);
        }
        for ((new, old), n) in vals.iter().skip(1).zip(&old).zip(&mut self.changed) {
            if *new != Value::Null && !same_value(new, old) {
                *n += 1;
            }
        }
        if let Some(u) = &mut self.fill {
            u.execute(rusqlite::params_from_iter(vals.iter()))?;
        }
        Ok(Written::Updated)
    }

    /// The columns `--update` changed, with how many rows each: "region 10, email 2".
    fn changes(&self) -> String {
        let list: Vec<String> = self
            .cols
            .iter()
            .zip(&self.changed)
            .filter(|(_, n)| **n > 0)
            .map(|(c, n)| format!("{c} {}", thousands(*n)))
            .collect();
        if list.is_empty() {
            "no value changed".to_string()
        } else {
            list.join(", ")
        }
    }
}

/// Whether a new value equals the stored one (a number stored as text or as a number alike).
fn same_value(new: &Value, old: &Value) -> bool {
    let number = |v: &Value| match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Real(x) => Some(*x),
        Value::Text(t) => t.trim().parse::<f64>().ok(),
        _ => None,
    };
    new == old || matches!((number(new), number(old)), (Some(a), Some(b)) if a == b)
}

/// Counts of what an [`Upsert`] wrote.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    added: u64,
    repeated: u64,
    kept: u64,
    updated: u64,
}

impl Tally {
    fn count(&mut self, w: Written) {
        match w {
            Written::Added => self.added += 1,
            Written::Repeated => self.repeated += 1,
            Written::Kept => self.kept += 1,
            Written::Updated => self.updated += 1,
        }
    }

    /// "3 customers added, 2 already there left as they were (--update changes them)".
    fn describe(&self, what: &str, up: &Upsert<'_>) -> String {
        let mut t = format!("{} {what} added", thousands(self.added));
        if self.kept > 0 || !up.update {
            t.push_str(&format!(
                ", {} already there left as they were",
                thousands(self.kept)
            ));
            if self.kept > 0 {
                t.push_str(" (--update changes them; blanks never erase)");
            }
        }
        if up.update {
            t.push_str(&format!(
                ", {} already there updated ({}; blanks never erase)",
                thousands(self.updated),
                up.changes()
            ));
        }
        if self.repeated > 0 {
            t.push_str(&format!(
                ", {} repeated in the file (the later row kept)",
                thousands(self.repeated)
            ));
        }
        t
    }
}

fn write_side(tx: &Transaction, db_path: &Path, side: &Side) -> Result<(u64, u64)> {
    let sql = |e| Error::sqlite(db_path)(e);
    let cols: Vec<(String, &'static str)> = side
        .targets
        .iter()
        .map(|t| (t.column.clone(), t.sql_type))
        .collect();
    ensure_table(tx, db_path, side.kind, &cols)?;
    let names: Vec<String> = cols.into_iter().map(|(c, _)| c).collect();
    // A transactions file never changes a customer or a product already there.
    let mut up = Upsert::new(tx, side.kind, &names, false).map_err(sql)?;
    let (mut added, mut kept) = (0u64, 0u64);
    let mut row: Vec<Value> = Vec::with_capacity(names.len() + 1);
    for (id, vals) in side.order.iter().zip(&side.values) {
        row.clear();
        row.push(Value::Text(id.clone()));
        row.extend(vals.iter().cloned());
        match up.write(&row).map_err(sql)? {
            Written::Added => added += 1,
            _ => kept += 1,
        }
    }
    Ok((added, kept))
}

const PROGRESS_EVERY: u64 = 8192;

/// Imports one file inside the caller's transaction.
pub(super) fn import_one(
    tx: &Transaction,
    db_path: &Path,
    file: &Path,
    options: &ImportOptions,
    progress: &dyn Progress,
    (file_index, file_count): (usize, usize),
) -> Result<(FileSummary, Vec<ColumnSeen>)> {
    let separator = options.delimiter.map(|d| {
        if d == b' ' {
            Separator::Whitespace
        } else {
            Separator::Byte(d)
        }
    });
    let mut src = Source::open(file, separator, options.no_header)?;
    let plan = plan_file(&src, file, options)?;
    let table = plan.table;
    let sql = |e| Error::sqlite(db_path)(e);
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let message = format!("Importing {file_name}");
    progress.report(file_index as f32 / file_count as f32, &message);

    let mut notes: Vec<String> = vec![format!(
        "read as {}, {}",
        src.format,
        if src.has_header {
            "with a header"
        } else {
            "without a header (columns col1..colN)"
        }
    )];
    notes.extend(src.notes.iter().cloned());
    notes.extend(plan.notes.iter().cloned());
    let mut mapping = plan.mapping.clone();

    let find = |col: &str| plan.main.iter().position(|t| t.column == col);
    let key_col = match table {
        TableKind::Customers | TableKind::Products => table.key_column(),
        TableKind::Transactions | TableKind::Feedback => Some("customer_id"),
    };
    let key_pos = key_col.and_then(find);
    let row_ids = table == TableKind::Customers && key_pos.is_none();
    if row_ids {
        let existing: i64 = if table_exists(tx, table.name()).map_err(sql)? {
            tx.query_row(
                &format!("SELECT COUNT(*) FROM {}", quote_ident(table.name())),
                [],
                |r| r.get(0),
            )
            .map_err(sql)?
        } else {
            0
        };
        if existing > 0 {
            return Err(Error::Invalid(format!(
                "{} has no customer id column (columns: {}), and the database already holds {} \
                 customers: ids from row numbers would overwrite them. Name the id column with \
                 --map customer_id=COLUMN, or check --delimiter",
                file.display(),
                src.columns.join(", "),
                thousands(existing as u64)
            )));
        }
        mapping.insert(0, ("customer_id".into(), "(row number)".into()));
    }
    let ts_pos = if table == TableKind::Transactions {
        find("ts")
    } else {
        None
    };
    let order_pos = if table == TableKind::Transactions {
        find("order_id")
    } else {
        None
    };
    let product_pos = find("product_id");

    // Tables and columns.
    let mut main_cols: Vec<(String, &'static str)> = plan
        .main
        .iter()
        .map(|t| (t.column.clone(), t.sql_type))
        .collect();
    if order_pos.is_some() {
        main_cols.push(("cancelled".into(), "INTEGER"));
    }
    ensure_table(tx, db_path, table, &main_cols)?;
    let keyed = table.key_column().is_some();
    let side_customers = (!keyed).then(|| Side::new(TableKind::Customers, plan.customers.clone()));
    let side_products = (!keyed && product_pos.is_some())
        .then(|| Side::new(TableKind::Products, plan.products.clone()));
    let (mut side_customers, mut side_products) = (side_customers, side_products);
    if !plan.products.is_empty() && side_products.is_none() {
        notes.push("product columns ignored: the file has no product id".into());
    }

    // Statements.
    let non_key: Vec<String> = plan
        .main
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != key_pos || !keyed)
        .map(|(_, t)| t.column.clone())
        .collect();
    let mut upsert = if keyed {
        Some(Upsert::new(tx, table, &non_key, options.update).map_err(sql)?)
    } else {
        None
    };
    let mut insert = if keyed {
        None
    } else {
        let names: Vec<String> = main_cols.iter().map(|(c, _)| quote_ident(c)).collect();
        let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
        Some(
            tx.prepare_cached(&format!(
                "INSERT INTO {} ({}) VALUES ({})",
                quote_ident(table.name()),
                names.join(", "),
                marks.join(", ")
            ))
            .map_err(sql)?,
        )
    };

    let n_cols = src.columns.len();
    let mut skips = Skips::default();
    let mut blanks: Vec<u64> = vec![0; plan.main.len()];
    let mut bads: Vec<(u64, u64, String)> = vec![(0, 0, String::new()); plan.main.len()];
    let mut orders: HashSet<String> = HashSet::new();
    let (mut cancel_rows, mut cancel_kept) = (0u64, 0u64);
    let (mut rows_read, mut rows_kept) = (0u64, 0u64);
    let mut tally = Tally::default();
    let mut row: Vec<String> = Vec::with_capacity(n_cols);
    let mut vals: Vec<Value> = Vec::with_capacity(main_cols.len() + 1);
    let ts_name = ts_pos
        .and_then(|i| plan.main.get(i))
        .map(|t| t.source_name.clone())
        .unwrap_or_default();
    let reason_bad_date = format!("date in column {ts_name} does not parse");
    let key_name = match table {
        TableKind::Products => "no product id",
        _ => "no customer id",
    };

    while let Some(line) = src.next_row(&mut row, file)? {
        rows_read += 1;
        if rows_read % PROGRESS_EVERY == 0 {
            progress.check()?;
            progress.report(
                (file_index as f32 + src.fraction()) / file_count as f32,
                &message,
            );
        }
        if row.len() > n_cols && row.iter().skip(n_cols).any(|f| !f.trim().is_empty()) {
            let reason = format!("more fields than the {n_cols} columns");
            skips.add(&reason, line, || src.row_text(&row));
            continue;
        }
        let cell = |pos: Option<usize>| -> &str {
            pos.and_then(|p| plan.main.get(p))
                .and_then(|t| row.get(t.src))
                .map(String::as_str)
                .unwrap_or("")
        };
        let mut cancelled = false;
        if order_pos.is_some()
            && let Some(o) = values::parse_id(cell(order_pos))
        {
            cancelled = o.starts_with(['C', 'c']);
            if cancelled {
                cancel_rows += 1;
            }
            if !orders.contains(&o) {
                orders.insert(o);
            }
        }
        // The key.
        let key: Option<String> = if row_ids {
            Some(rows_read.to_string())
        } else {
            values::parse_id(cell(key_pos))
        };
        let Some(key) = key else {
            let reason = if cell(key_pos).chars().any(char::is_control) {
                "id holds a control character (NUL, escape…)"
            } else {
                key_name
            };
            skips.add(reason, line, || src.row_text(&row));
            continue;
        };
        if ts_pos.is_some() {
            let raw = cell(ts_pos);
            if raw.trim().is_empty() {
                skips.add("no date", line, || src.row_text(&row));
                continue;
            }
        }
        vals.clear();
        if keyed {
            vals.push(Value::Text(key.clone()));
        }
        let mut bad_ts = false;
        let mut absurd: Option<&str> = None;
        for (i, t) in plan.main.iter().enumerate() {
            if keyed && Some(i) == key_pos {
                continue;
            }
            let raw = row.get(t.src).map(String::as_str).unwrap_or("");
            let v = match convert(raw, t) {
                Conv::Val(Value::Real(x)) if !values::within_bound(x) => {
                    absurd = Some(&t.column);
                    break;
                }
                Conv::Val(Value::Integer(x)) if !values::within_bound(x as f64) => {
                    absurd = Some(&t.column);
                    break;
                }
                Conv::Val(v) => v,
                Conv::Blank => {
                    if let Some(b) = blanks.get_mut(i) {
                        *b += 1;
                    }
                    Value::Null
                }
                Conv::Bad => {
                    if Some(i) == ts_pos {
                        bad_ts = true;
                        break;
                    }
                    if let Some(b) = bads.get_mut(i) {
                        if b.0 == 0 {
                            b.1 = line;
                            b.2 = raw.to_string();
                        }
                        b.0 += 1;
                    }
                    Value::Null
                }
            };
            vals.push(v);
        }
        if bad_ts {
            skips.add(&reason_bad_date, line, || src.row_text(&row));
            continue;
        }
        if let Some(column) = absurd {
            let reason = format!("{column} beyond ±{:e}", values::NUMBER_BOUND);
            skips.add(&reason, line, || src.row_text(&row));
            continue;
        }
        if order_pos.is_some() {
            vals.push(Value::Integer(i64::from(cancelled)));
            if cancelled {
                cancel_kept += 1;
            }
        }
        if let Some(up) = upsert.as_mut() {
            tally.count(up.write(&vals).map_err(sql)?);
        } else if let Some(ins) = insert.as_mut() {
            ins.execute(rusqlite::params_from_iter(vals.iter()))
                .map_err(sql)?;
        }
        rows_kept += 1;
        if let Some(side) = side_customers.as_mut() {
            side.add(&key, &row);
        }
        if let Some(side) = side_products.as_mut()
            && let Some(pid) = values::parse_id(cell(product_pos))
        {
            side.add(&pid, &row);
        }
    }
    let keyed_note = upsert.as_ref().map(|up| tally.describe(table.name(), up));
    drop(upsert);
    drop(insert);
    if rows_kept == 0
        && let Some(bad) = skips.list.iter().find(|s| s.reason == reason_bad_date)
    {
        return Err(Error::Invalid(format!(
            "column {ts_name} has no date that can be read (line {}: {}); give its form with --date-format: {}",
            bad.example_line,
            bad.example,
            file.display()
        )));
    }

    // Summary notes.
    if row_ids {
        notes.push(format!(
            "no customer id column: customers got ids from row numbers 1..{}",
            thousands(rows_read)
        ));
    }
    notes.extend(keyed_note);
    for (i, t) in plan.main.iter().enumerate() {
        let numeric = matches!(
            t.kind,
            ValueKind::Integer | ValueKind::Real | ValueKind::Bool | ValueKind::Date
        );
        let blank = blanks.get(i).copied().unwrap_or(0);
        if numeric && blank > 0 && Some(i) != ts_pos {
            notes.push(format!(
                "{}: {} blank values stored as missing",
                t.source_name,
                thousands(blank)
            ));
        }
        if let Some((count, line, example)) = bads.get(i).filter(|b| b.0 > 0) {
            let what = match t.kind {
                ValueKind::Bool => "yes/no values",
                ValueKind::Date => "dates",
                _ => "numbers",
            };
            notes.push(format!(
                "{}: {} values are not {what}, stored as missing (first at line {line}: {example:?})",
                t.source_name,
                thousands(*count)
            ));
        }
    }
    if order_pos.is_some() {
        notes.push(format!(
            "{} distinct orders ({} rows read); {} cancellation rows (order id starting with C), {} of them kept and flagged cancelled = 1",
            thousands(orders.len() as u64),
            thousands(rows_read),
            thousands(cancel_rows),
            thousands(cancel_kept)
        ));
    }
    for (side, what) in [(&side_customers, "customers"), (&side_products, "products")] {
        if let Some(side) = side {
            let (a, u) = write_side(tx, db_path, side)?;
            notes.push(format!(
                "{} {what} from this file: {} added, {} already there",
                thousands(side.order.len() as u64),
                thousands(a),
                thousands(u)
            ));
        }
    }

    let seen = plan
        .main
        .iter()
        .chain(&plan.customers)
        .chain(&plan.products)
        .map(|t| ColumnSeen {
            source: t.source_name.clone(),
            table: t.table,
            column: t.column.clone(),
        })
        .collect();
    let summary = FileSummary {
        file: file.to_path_buf(),
        table,
        table_guessed: plan.guessed,
        mapping,
        rows_read,
        rows_kept,
        skipped: skips.list,
        notes,
    };
    Ok((summary, seen))
}
