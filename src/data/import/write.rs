//! Writing one planned file's rows (see [`plan`](super::plan)) and the customer and product
//! attributes it carries.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rusqlite::Transaction;
use rusqlite::types::Value;

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
/// once at the end: the last non-blank value of each attribute wins.
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

/// Upsert statements for a keyed table: update by key (overwriting, or only filling with
/// non-null values), insert when nothing was updated.
struct Upsert<'t> {
    update: Option<rusqlite::CachedStatement<'t>>,
    exists: rusqlite::CachedStatement<'t>,
    insert: rusqlite::CachedStatement<'t>,
}

impl<'t> Upsert<'t> {
    fn new(
        tx: &'t Transaction,
        kind: TableKind,
        cols: &[String],
        keep_old: bool,
    ) -> rusqlite::Result<Self> {
        let key = kind.key_column().unwrap_or("customer_id");
        let table = quote_ident(kind.name());
        let sets: Vec<String> = cols
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let c = quote_ident(c);
                if keep_old {
                    format!("{c} = COALESCE(?{}, {c})", i + 2)
                } else {
                    format!("{c} = ?{}", i + 2)
                }
            })
            .collect();
        let update = if sets.is_empty() {
            None
        } else {
            Some(tx.prepare_cached(&format!(
                "UPDATE {table} SET {} WHERE {} = ?1",
                sets.join(", "),
                quote_ident(key)
            ))?)
        };
        let exists = tx.prepare_cached(&format!(
            "SELECT COUNT(*) FROM {table} WHERE {} = ?1",
            quote_ident(key)
        ))?;
        let mut names = vec![quote_ident(key)];
        names.extend(cols.iter().map(|c| quote_ident(c)));
        let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
        let insert = tx.prepare_cached(&format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            marks.join(", ")
        ))?;
        Ok(Upsert {
            update,
            exists,
            insert,
        })
    }

    /// Writes one row (`vals[0]` is the key); returns true when it was new.
    fn write(&mut self, vals: &[Value]) -> rusqlite::Result<bool> {
        let changed = match &mut self.update {
            Some(u) => u.execute(rusqlite::params_from_iter(vals.iter()))? > 0,
            None => {
                let key = vals.first().cloned().unwrap_or(Value::Null);
                self.exists.query_row([key], |r| r.get::<_, i64>(0))? > 0
            }
        };
        if changed {
            return Ok(false);
        }
        self.insert
            .execute(rusqlite::params_from_iter(vals.iter()))?;
        Ok(true)
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
    let mut up = Upsert::new(tx, side.kind, &names, true).map_err(sql)?;
    let (mut added, mut updated) = (0u64, 0u64);
    let mut row: Vec<Value> = Vec::with_capacity(names.len() + 1);
    for (id, vals) in side.order.iter().zip(&side.values) {
        row.clear();
        row.push(Value::Text(id.clone()));
        row.extend(vals.iter().cloned());
        if up.write(&row).map_err(sql)? {
            added += 1;
        } else {
            updated += 1;
        }
    }
    Ok((added, updated))
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
        Some(Upsert::new(tx, table, &non_key, false).map_err(sql)?)
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
    let (mut rows_read, mut rows_kept, mut added, mut updated) = (0u64, 0u64, 0u64, 0u64);
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
            skips.add(key_name, line, || src.row_text(&row));
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
            if up.write(&vals).map_err(sql)? {
                added += 1;
            } else {
                updated += 1;
            }
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
    if keyed {
        let what = table.name();
        notes.push(format!(
            "{} {what} added, {} updated (already there or repeated in the file)",
            thousands(added),
            thousands(updated)
        ));
    }
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
