//! Planning one file's import: which table, which database column each source column goes
//! to, of which value kind, and how its dates are read.

use std::collections::HashSet;
use std::path::Path;

use super::ImportOptions;
use super::mapping::{self, Concept};
use super::source::Source;
use crate::data::roles::normalize_name;
use crate::data::schema::{TableKind, ValueKind};
use crate::data::values::{self, DateOrder, OrderEvidence};
use crate::error::{Error, Result};

/// How dates of one column are read.
#[derive(Debug, Clone)]
pub(super) enum DateRead {
    /// Automatically, in this order when day and month are ambiguous.
    Auto(DateOrder),
    /// With this `--date-format`.
    Format(String),
}

/// One source column written to one database column.
#[derive(Debug, Clone)]
pub(super) struct Target {
    /// Its position in the file.
    pub src: usize,
    /// Its name in the file.
    pub source_name: String,
    /// The table written.
    pub table: TableKind,
    /// The column written.
    pub column: String,
    /// The kind of its values.
    pub kind: ValueKind,
    /// The column's SQL type.
    pub sql_type: &'static str,
    /// How its dates are read.
    pub date: DateRead,
}

/// How one file is imported.
#[derive(Debug)]
pub(super) struct Plan {
    /// The file's table.
    pub table: TableKind,
    /// Whether the table was guessed (no `--table`).
    pub guessed: bool,
    /// Columns of the file's own table, key and required columns included.
    pub main: Vec<Target>,
    /// Customer attributes of a transactions or feedback file.
    pub customers: Vec<Target>,
    /// Product attributes of a transactions or feedback file.
    pub products: Vec<Target>,
    /// (database column, source column) pairs, as shown to the user.
    pub mapping: Vec<(String, String)>,
    /// Notes on the planning (how dates are read).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
enum Assign {
    Concept(Concept),
    Extra(usize),
}

fn find_source(columns: &[String], wanted: &str) -> Option<usize> {
    let w = wanted.trim();
    columns
        .iter()
        .position(|c| c == w)
        .or_else(|| columns.iter().position(|c| c.eq_ignore_ascii_case(w)))
        .or_else(|| {
            let n = normalize_name(w);
            columns.iter().position(|c| normalize_name(c) == n)
        })
}

/// Plans the import of `src` (read from `file`): its table, targets and date reading.
pub(super) fn plan_file(src: &Source, file: &Path, options: &ImportOptions) -> Result<Plan> {
    let n = src.columns.len();
    let mut assign: Vec<Option<Assign>> = vec![None; n];
    let mut extra_names: Vec<String> = Vec::new();
    let mut taken: HashSet<Concept> = HashSet::new();
    for (target, source) in &options.mappings {
        let Some(i) = find_source(&src.columns, source) else {
            return Err(Error::Invalid(format!(
                "column {source} in --map {target}={source} is not in the file (its columns: {}): {}",
                src.columns.join(", "),
                file.display()
            )));
        };
        let a = match mapping::concept_of_target(target) {
            Some(c) if !taken.contains(&c) => {
                taken.insert(c);
                Assign::Concept(c)
            }
            _ => {
                extra_names.push(target.trim().to_string());
                Assign::Extra(extra_names.len() - 1)
            }
        };
        if let Some(slot) = assign.get_mut(i) {
            *slot = Some(a);
        }
    }
    let guesses: Vec<Option<Concept>> = if src.has_header {
        src.columns
            .iter()
            .map(|c| mapping::concept_of(&normalize_name(c)))
            .collect()
    } else {
        let rows: Vec<Vec<String>> = src.sample.iter().map(|(_, r)| r.clone()).collect();
        mapping::guess_headerless(&rows, n)
    };
    for (slot, guess) in assign.iter_mut().zip(guesses) {
        if slot.is_some() {
            continue;
        }
        if let Some(c) = guess
            && taken.insert(c)
        {
            *slot = Some(Assign::Concept(c));
        }
    }
    let concepts: Vec<Concept> = taken.iter().copied().collect();
    let (table, guessed) = match options.table {
        Some(t) => (t, false),
        None => (mapping::guess_table(&concepts), true),
    };
    let has_product = taken.contains(&Concept::ProductId);
    let mut plan = Plan {
        table,
        guessed,
        main: Vec::new(),
        customers: Vec::new(),
        products: Vec::new(),
        mapping: Vec::new(),
        notes: Vec::new(),
    };
    let mut used: HashSet<(TableKind, String)> = HashSet::new();
    let sample_col = |i: usize| -> Vec<&str> {
        src.sample
            .iter()
            .map(|(_, r)| r.get(i).map(String::as_str).unwrap_or(""))
            .collect()
    };
    for (i, a) in assign.iter().enumerate() {
        let source_name = src.columns.get(i).cloned().unwrap_or_default();
        let mut dests: Vec<(TableKind, String, Option<ValueKind>)> = Vec::new();
        let resolved = match a {
            Some(Assign::Concept(c)) => mapping::resolve(table, *c, has_product),
            _ => None,
        };
        match (a, resolved) {
            (_, Some((t, col))) if !used.contains(&(t, col.to_string())) => {
                let kind = t.column(col).map(|s| s.kind);
                dests.push((t, col.to_string(), kind));
                if t == TableKind::Transactions && col == "unit_price" && has_product {
                    dests.push((TableKind::Products, "price".into(), Some(ValueKind::Real)));
                }
            }
            (Some(Assign::Extra(k)), _) => {
                let name = extra_names.get(*k).cloned().unwrap_or(source_name.clone());
                dests.push((table, name, None));
            }
            _ => dests.push((table, source_name.clone(), None)),
        }
        for (t, mut col, kind) in dests {
            if kind.is_none() {
                // An extra column: avoid clashing with a column already planned.
                let base = col.clone();
                let mut k = 2;
                while used.contains(&(t, col.to_ascii_lowercase()))
                    || used.contains(&(t, col.clone()))
                    || t.column(&col.to_ascii_lowercase()).is_some()
                {
                    col = format!("{base}_{k}");
                    k += 1;
                }
            }
            used.insert((t, col.clone()));
            used.insert((t, col.to_ascii_lowercase()));
            let (kind, sql_type) = match kind {
                Some(k) => (k, k.sql_type()),
                None => {
                    let ty = values::infer_sql_type(sample_col(i));
                    (mapping::kind_for_sql(ty), ty)
                }
            };
            let shown = if t == table {
                col.clone()
            } else {
                format!("{}.{col}", t.name())
            };
            plan.mapping.push((shown, source_name.clone()));
            let target = Target {
                src: i,
                source_name: source_name.clone(),
                table: t,
                column: col,
                kind,
                sql_type,
                date: DateRead::Auto(DateOrder::DayFirst),
            };
            match t {
                _ if t == table => plan.main.push(target),
                TableKind::Customers => plan.customers.push(target),
                TableKind::Products => plan.products.push(target),
                _ => plan.main.push(target),
            }
        }
    }
    check_required(&plan, file, src)?;
    decide_dates(&mut plan, src, file, options)?;
    Ok(plan)
}

fn check_required(plan: &Plan, file: &Path, src: &Source) -> Result<()> {
    for req in plan.table.required_columns() {
        let has = plan.main.iter().any(|t| t.column == req);
        if has || (plan.table == TableKind::Customers && req == "customer_id") {
            continue;
        }
        return Err(Error::Invalid(format!(
            "no {req} column for table {} among the columns ({}); name it with --map {req}=COLUMN: {}",
            plan.table,
            src.columns.join(", "),
            file.display()
        )));
    }
    Ok(())
}

fn decide_dates(plan: &mut Plan, src: &Source, file: &Path, options: &ImportOptions) -> Result<()> {
    let table = plan.table;
    let mut notes = Vec::new();
    let all = plan
        .main
        .iter_mut()
        .chain(plan.customers.iter_mut())
        .chain(plan.products.iter_mut());
    for t in all.filter(|t| t.kind == ValueKind::Date) {
        if let Some(fmt) = &options.date_format {
            t.date = DateRead::Format(fmt.clone());
        } else {
            let (mut day, mut month, mut ambiguous) = (0u64, 0u64, 0u64);
            for (_, row) in &src.sample {
                let v = row.get(t.src).map(String::as_str).unwrap_or("");
                match values::order_evidence(v) {
                    OrderEvidence::DayFirst => day += 1,
                    OrderEvidence::MonthFirst => month += 1,
                    OrderEvidence::None => {
                        if v.contains('/') && values::looks_like_date(v) {
                            ambiguous += 1;
                        }
                    }
                }
            }
            let order = if month > day {
                DateOrder::MonthFirst
            } else {
                DateOrder::DayFirst
            };
            if ambiguous > 0 && day == 0 && month == 0 {
                notes.push(format!(
                    "dates in {} such as 03/04 read as day/month (no value decided it; use --date-format %m/%d/%Y for month/day)",
                    t.source_name
                ));
            } else if day > 0 && month > 0 {
                notes.push(format!(
                    "dates in {} are mixed day/month and month/day; read as {}",
                    t.source_name,
                    if order == DateOrder::DayFirst {
                        "day/month"
                    } else {
                        "month/day"
                    }
                ));
            }
            t.date = DateRead::Auto(order);
        }
        // A required date column in which nothing parses makes the import impossible.
        let required = t.table == table && table.column(&t.column).is_some_and(|c| c.required);
        if required {
            let mut first_bad: Option<(u64, String)> = None;
            let mut any_ok = false;
            for (line, row) in &src.sample {
                let v = row.get(t.src).map(String::as_str).unwrap_or("");
                if v.trim().is_empty() {
                    continue;
                }
                if parse_date(v, &t.date).is_some() {
                    any_ok = true;
                    break;
                }
                if first_bad.is_none() {
                    first_bad = Some((*line, v.to_string()));
                }
            }
            if let (false, Some((line, v))) = (any_ok, first_bad) {
                return Err(Error::Invalid(format!(
                    "column {} has no date that can be read (line {line}: {v:?}); give its form with --date-format: {}",
                    t.source_name,
                    file.display()
                )));
            }
        }
    }
    plan.notes.extend(notes);
    Ok(())
}

/// A date read the way `how` says, as ISO text.
pub(super) fn parse_date(raw: &str, how: &DateRead) -> Option<String> {
    let d = match how {
        DateRead::Auto(order) => values::parse_date(raw, *order),
        DateRead::Format(f) => values::parse_date_with_format(raw, f),
    }?;
    Some(d.to_iso())
}
