//! Data-quality checks (`tailor check` and the Data panel's quality report).
//!
//! Every finding names its table (and column), has a severity, a count and an example row, so
//! the marketer can find the problem in the source file. The checks only read the database.

use std::fmt::Write as _;

use rusqlite::{Connection, OptionalExtension};

use crate::data::db::Database;
use crate::data::schema::{TableKind, ValueKind, quote_ident};
use crate::error::{Error, Result};
use crate::format::thousands;
use crate::progress::Progress;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is wrong.
    Info,
    /// Results may be skewed; the marketer should look.
    Warning,
    /// Rows that analysis cannot use as they are.
    Error,
}

impl Severity {
    /// The word shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One problem found in the data.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Finding {
    /// How serious it is.
    pub severity: Severity,
    /// The table.
    pub table: String,
    /// The column, where the finding is about one.
    pub column: Option<String>,
    /// A stable identifier of the check (`missing`, `duplicate_id`, `future_date`, …).
    pub check: String,
    /// A plain-language description.
    pub message: String,
    /// How many rows (or values) it concerns.
    pub count: u64,
    /// An example row, as `column=value` pairs.
    pub example: Option<String>,
}

/// Rows per table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TableCount {
    /// The table.
    pub table: String,
    /// Its number of rows.
    pub rows: u64,
}

/// Missing values in one column.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MissingCount {
    /// The table.
    pub table: String,
    /// The column.
    pub column: String,
    /// Blank or NULL values.
    pub missing: u64,
    /// Rows in the table.
    pub rows: u64,
}

/// The whole report.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct QualityReport {
    /// Rows per customer table.
    pub tables: Vec<TableCount>,
    /// Missing values per column (every column, zero included).
    pub missing: Vec<MissingCount>,
    /// Problems, most serious first.
    pub findings: Vec<Finding>,
}

/// Checks every customer table of `db`, with today's date for the future-date check.
pub fn check(db: &Database, progress: &dyn Progress) -> Result<QualityReport> {
    let today = chrono::Local::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    check_as_of(db, &today, progress)
}

/// Checks every customer table of `db`; dates after `today` (`YYYY-MM-DD`) count as future.
pub fn check_as_of(db: &Database, today: &str, progress: &dyn Progress) -> Result<QualityReport> {
    let mut checker = Checker {
        conn: db.conn(),
        today,
        report: QualityReport::default(),
    };
    let present: Vec<TableKind> = TableKind::ALL
        .into_iter()
        .filter(|k| db.has_table(*k))
        .collect();
    let steps = present.len().max(1) as f32;
    for (i, kind) in present.iter().enumerate() {
        progress.check()?;
        progress.report(i as f32 / steps, &format!("Checking {kind}"));
        checker
            .table(*kind, db, progress)
            .map_err(Error::sqlite(db.path()))?;
    }
    // A table's checks stop early when cancelled: that report is not complete.
    progress.check()?;
    let products = crate::data::dataset::load_products(db)?;
    let non_merchandise: Vec<(String, Option<String>)> = (0..products.ids.len())
        .filter(|&i| products.non_merchandise.get(i).copied().unwrap_or(false))
        .filter_map(|i| Some((products.ids.get(i)?.clone(), products.names.get(i)?.clone())))
        .collect();
    if let Some(f) = crate::data::merchandise::finding(db, &non_merchandise)? {
        checker.report.findings.push(f);
    }
    progress.check()?;
    progress.report(1.0, "Check done");
    let mut report = checker.report;
    report.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| b.count.cmp(&a.count))
    });
    Ok(report)
}

struct Checker<'a> {
    conn: &'a Connection,
    today: &'a str,
    report: QualityReport,
}

/// A condition (SQL expression over one table) whose matching rows are a finding.
struct Rule<'a> {
    severity: Severity,
    column: Option<&'a str>,
    check: &'a str,
    condition: String,
    message: String,
}

/// A rule on `column`: rows where `condition` holds are counted as `check`, said as `message`.
fn rule<'a>(
    severity: Severity,
    column: &'a str,
    check: &'a str,
    condition: impl Into<String>,
    message: impl Into<String>,
) -> Rule<'a> {
    Rule {
        severity,
        column: Some(column),
        check,
        condition: condition.into(),
        message: message.into(),
    }
}

impl Checker<'_> {
    fn table(
        &mut self,
        kind: TableKind,
        db: &Database,
        progress: &dyn Progress,
    ) -> rusqlite::Result<()> {
        let table = kind.name();
        let qt = quote_ident(table);
        let rows: i64 = self
            .conn
            .query_row(&format!("SELECT COUNT(*) FROM {qt}"), [], |r| r.get(0))?;
        let rows = u64::try_from(rows).unwrap_or(0);
        self.report.tables.push(TableCount {
            table: table.to_string(),
            rows,
        });
        let columns = crate::data::db::table_columns(self.conn, table)?;
        let has = |c: &str| columns.iter().any(|(n, _)| n == c);
        self.missing(kind, &columns, rows)?;
        if progress.is_cancelled() {
            return Ok(());
        }

        let mut rules: Vec<Rule> = Vec::new();
        if let Some(key) = kind.key_column() {
            self.duplicates(table, key)?;
        }
        let columns_where = |wanted: fn(ValueKind) -> bool| -> Vec<&str> {
            kind.columns()
                .iter()
                .filter(|c| wanted(c.kind) && has(c.name))
                .map(|c| c.name)
                .collect()
        };
        for col in columns_where(|k| k == ValueKind::Date) {
            let q = quote_ident(col);
            rules.push(rule(
                Severity::Error,
                col,
                "unparseable_date",
                format!("{q} IS NOT NULL AND TRIM({q}) <> '' AND date({q}) IS NULL"),
                format!("{col} is not a date Tailor can read"),
            ));
            rules.push(rule(
                Severity::Warning,
                col,
                "future_date",
                format!("date({q}) > '{}'", self.today.replace('\'', "")),
                format!("{col} is in the future (after {})", self.today),
            ));
        }
        for col in columns_where(|k| matches!(k, ValueKind::Real | ValueKind::Integer)) {
            let q = quote_ident(col);
            rules.push(rule(
                Severity::Warning,
                col,
                "text_in_number",
                format!("typeof({q}) = 'text' AND TRIM({q}) <> ''"),
                format!("{col} holds text where a number belongs"),
            ));
            rules.push(rule(
                Severity::Error,
                col,
                "absurd_number",
                format!(
                    "typeof({q}) IN ('real', 'integer') AND NOT (ABS({q}) <= {:e})",
                    crate::data::values::NUMBER_BOUND
                ),
                format!(
                    "{col} is beyond ±{:e}: those rows are left out of every model",
                    crate::data::values::NUMBER_BOUND
                ),
            ));
        }
        let cancelled = if has("cancelled") {
            "COALESCE(cancelled, 0) = 0"
        } else if has("order_id") {
            "COALESCE(order_id, '') NOT LIKE 'C%'"
        } else {
            "1"
        };
        if kind == TableKind::Transactions {
            if has("quantity") {
                rules.push(rule(
                    Severity::Warning,
                    "quantity",
                    "zero_quantity",
                    "quantity = 0",
                    "quantity is zero",
                ));
                rules.push(rule(
                    Severity::Warning,
                    "quantity",
                    "negative_quantity",
                    format!("quantity < 0 AND {cancelled}"),
                    "quantity is negative on a row that is not a cancellation",
                ));
            }
            if has("quantity") && has("cancelled") {
                let n = self.count(table, "cancelled = 1")?;
                if n > 0 {
                    let example = self.example(table, "cancelled = 1")?;
                    self.push(Finding {
                        severity: Severity::Info,
                        table: table.into(),
                        column: Some("cancelled".into()),
                        check: "cancellations".into(),
                        message: "cancellation or return rows (left out of purchases)".into(),
                        count: n,
                        example,
                    });
                }
            }
            for col in ["unit_price", "amount"] {
                if has(col) {
                    let q = quote_ident(col);
                    rules.push(rule(
                        Severity::Warning,
                        col,
                        "non_positive_price",
                        format!("{q} <= 0 AND {cancelled}"),
                        format!("{col} is zero or negative"),
                    ));
                }
            }
        }
        let by_customer = matches!(kind, TableKind::Transactions | TableKind::Feedback);
        if by_customer && db.has_table(TableKind::Customers) {
            rules.push(rule(
                Severity::Warning,
                "customer_id",
                "unknown_customer",
                "customer_id NOT IN (SELECT customer_id FROM customers)",
                "customer is not in the customers table",
            ));
        }
        if kind == TableKind::Transactions && has("product_id") && db.has_table(TableKind::Products)
        {
            rules.push(rule(
                Severity::Warning,
                "product_id",
                "unknown_product",
                "product_id IS NOT NULL AND product_id NOT IN (SELECT product_id FROM products)",
                "product is not in the products table",
            ));
        }
        if kind == TableKind::Products && has("price") {
            rules.push(rule(
                Severity::Warning,
                "price",
                "non_positive_price",
                "price <= 0",
                "price is zero or negative",
            ));
        }
        for rule in rules {
            if progress.is_cancelled() {
                return Ok(());
            }
            self.rule(table, rule)?;
        }
        for (col, decl) in &columns {
            if progress.is_cancelled() {
                return Ok(());
            }
            let numeric = decl.eq_ignore_ascii_case("REAL") || decl.eq_ignore_ascii_case("INTEGER");
            let skip = kind
                .column(col)
                .is_some_and(|c| matches!(c.kind, ValueKind::Bool | ValueKind::Id));
            if numeric && !skip {
                self.outliers(table, col, rows)?;
            }
        }
        Ok(())
    }

    fn push(&mut self, finding: Finding) {
        self.report.findings.push(finding);
    }

    fn count(&self, table: &str, condition: &str) -> rusqlite::Result<u64> {
        let n: i64 = self.conn.query_row(
            &format!(
                "SELECT COUNT(*) FROM {} WHERE {condition}",
                quote_ident(table)
            ),
            [],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The first matching row, as `column=value` pairs (at most 8 columns).
    fn example(&self, table: &str, condition: &str) -> rusqlite::Result<Option<String>> {
        let sql = format!(
            "SELECT rowid, * FROM {} WHERE {condition} LIMIT 1",
            quote_ident(table)
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
        stmt.query_row([], |r| {
            let mut parts = Vec::new();
            for (i, name) in names.iter().enumerate().take(9) {
                let v = value_text(r.get_ref(i)?);
                if i == 0 {
                    parts.push(format!("row {v}"));
                } else {
                    parts.push(format!("{name}={v}"));
                }
            }
            Ok(parts.join(", "))
        })
        .optional()
    }

    fn rule(&mut self, table: &str, rule: Rule) -> rusqlite::Result<()> {
        let n = self.count(table, &rule.condition)?;
        if n == 0 {
            return Ok(());
        }
        let example = self.example(table, &rule.condition)?;
        self.push(Finding {
            severity: rule.severity,
            table: table.into(),
            column: rule.column.map(String::from),
            check: rule.check.into(),
            message: rule.message,
            count: n,
            example,
        });
        Ok(())
    }

    fn missing(
        &mut self,
        kind: TableKind,
        columns: &[(String, String)],
        rows: u64,
    ) -> rusqlite::Result<()> {
        if columns.is_empty() {
            return Ok(());
        }
        let exprs: Vec<String> = columns
            .iter()
            .map(|(c, _)| {
                let q = quote_ident(c);
                format!("SUM(CASE WHEN {q} IS NULL OR TRIM({q}) = '' THEN 1 ELSE 0 END)")
            })
            .collect();
        let sql = format!(
            "SELECT {} FROM {}",
            exprs.join(", "),
            quote_ident(kind.name())
        );
        let counts: Vec<u64> = self.conn.query_row(&sql, [], |r| {
            (0..columns.len())
                .map(|i| {
                    r.get::<_, Option<i64>>(i)
                        .map(|v| u64::try_from(v.unwrap_or(0)).unwrap_or(0))
                })
                .collect()
        })?;
        for ((col, _), missing) in columns.iter().zip(counts) {
            self.report.missing.push(MissingCount {
                table: kind.name().into(),
                column: col.clone(),
                missing,
                rows,
            });
            if missing == 0 {
                continue;
            }
            let required = kind.column(col).is_some_and(|c| c.required);
            let (severity, message) = if required {
                (
                    Severity::Error,
                    format!("{col} is blank (required: these rows cannot be used)"),
                )
            } else if missing == rows {
                (Severity::Info, format!("{col} is blank in every row"))
            } else {
                (Severity::Info, format!("{col} is blank"))
            };
            let q = quote_ident(col);
            let example = self.example(kind.name(), &format!("{q} IS NULL OR TRIM({q}) = ''"))?;
            self.push(Finding {
                severity,
                table: kind.name().into(),
                column: Some(col.clone()),
                check: "missing".into(),
                message,
                count: missing,
                example,
            });
        }
        Ok(())
    }

    fn duplicates(&mut self, table: &str, key: &str) -> rusqlite::Result<()> {
        let q = quote_ident(key);
        let qt = quote_ident(table);
        let n: i64 = self.conn.query_row(
            &format!(
                "SELECT COALESCE(SUM(n - 1), 0) FROM \
                 (SELECT COUNT(*) AS n FROM {qt} WHERE {q} IS NOT NULL GROUP BY {q} HAVING n > 1)"
            ),
            [],
            |r| r.get(0),
        )?;
        if n > 0 {
            let dup: Option<String> = self
                .conn
                .query_row(
                    &format!(
                        "SELECT CAST({q} AS TEXT) FROM {qt} WHERE {q} IS NOT NULL \
                         GROUP BY {q} HAVING COUNT(*) > 1 LIMIT 1"
                    ),
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            self.push(Finding {
                severity: Severity::Error,
                table: table.into(),
                column: Some(key.into()),
                check: "duplicate_id".into(),
                message: format!("{key} appears more than once"),
                count: u64::try_from(n).unwrap_or(0),
                example: dup.map(|d| format!("{key}={d}")),
            });
        }
        Ok(())
    }

    /// Tukey's far-out values: beyond 3 interquartile ranges from the quartiles.
    fn outliers(&mut self, table: &str, col: &str, rows: u64) -> rusqlite::Result<()> {
        let q = quote_ident(col);
        let qt = quote_ident(table);
        // Quartiles from at most ~200,000 evenly spaced rows.
        let step = (rows / 200_000).max(1);
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {q} FROM {qt} WHERE rowid % ?1 = 0 AND typeof({q}) IN ('integer', 'real')"
        ))?;
        let mut values: Vec<f64> = stmt
            .query_map([i64::try_from(step).unwrap_or(1)], |r| r.get::<_, f64>(0))?
            .filter_map(|v| v.ok())
            .filter(|v| v.is_finite())
            .collect();
        if values.len() < 20 {
            return Ok(());
        }
        values.sort_by(f64::total_cmp);
        let quantile = |p: f64| {
            let idx = ((values.len() - 1) as f64 * p).round() as usize;
            values.get(idx).copied().unwrap_or(0.0)
        };
        let (q1, q3) = (quantile(0.25), quantile(0.75));
        let iqr = q3 - q1;
        if iqr <= 0.0 {
            return Ok(());
        }
        let (lo, hi) = (q1 - 3.0 * iqr, q3 + 3.0 * iqr);
        let (min, max) = (
            values.first().copied().unwrap_or(lo),
            values.last().copied().unwrap_or(hi),
        );
        let condition =
            format!("typeof({q}) IN ('integer', 'real') AND ({q} < {lo} OR {q} > {hi})");
        // Name only the side(s) the data reaches: a lower fence below every value means nothing.
        let range = match (lo > min, hi < max) {
            (true, true) | (false, false) => {
                format!("outside {} to {}", short_number(lo), short_number(hi))
            }
            (false, true) => format!("above {}", short_number(hi)),
            (true, false) => format!("below {}", short_number(lo)),
        };
        let n = self.count(table, &condition)?;
        if n == 0 {
            return Ok(());
        }
        let example = self.example(table, &condition)?;
        self.push(Finding {
            severity: Severity::Info,
            table: table.into(),
            column: Some(col.into()),
            check: "outlier".into(),
            message: format!("{col} is far from its usual values ({range})"),
            count: n,
            example,
        });
        Ok(())
    }
}

fn short_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// A cell as text for examples and tables; NULL as an empty string.
pub fn value_text(v: rusqlite::types::ValueRef<'_>) -> String {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => String::new(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(t) => {
            let s = String::from_utf8_lossy(t);
            if s.chars().count() > 60 {
                let cut: String = s.chars().take(57).collect();
                format!("{cut}…")
            } else {
                s.into_owned()
            }
        }
        ValueRef::Blob(b) => format!("<{} bytes>", b.len()),
    }
}

impl QualityReport {
    /// Findings of at least the given severity.
    pub fn count_at_least(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity >= severity)
            .count()
    }

    /// The report as text for people (the CLI's output).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Tables");
        for t in &self.tables {
            let _ = writeln!(
                out,
                "  {:<14} {:>12}",
                t.table,
                crate::format::count(t.rows, "row", "rows")
            );
        }
        let blanks: Vec<&MissingCount> = self.missing.iter().filter(|m| m.missing > 0).collect();
        if !blanks.is_empty() {
            let _ = writeln!(out, "\nMissing values");
            for m in blanks {
                let share = if m.rows > 0 {
                    m.missing as f64 / m.rows as f64
                } else {
                    0.0
                };
                let _ = writeln!(
                    out,
                    "  {}.{:<24} {:>12}  ({})",
                    m.table,
                    m.column,
                    thousands(m.missing),
                    crate::format::percent(share)
                );
            }
        }
        let _ = writeln!(out, "\nFindings");
        if self.findings.is_empty() {
            let _ = writeln!(out, "  none: the data looks clean");
        }
        for f in &self.findings {
            let place = match &f.column {
                Some(c) => format!("{}.{c}", f.table),
                None => f.table.clone(),
            };
            let _ = writeln!(
                out,
                "  {:<7} {place}: {} ({})",
                f.severity.label(),
                f.message,
                crate::format::count(f.count, "row", "rows")
            );
            if let Some(e) = &f.example {
                let _ = writeln!(out, "          e.g. {e}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;

    fn db(sql: &str) -> Database {
        let db = Database::in_memory().unwrap();
        db.conn().execute_batch(sql).unwrap();
        db
    }

    fn finding<'a>(r: &'a QualityReport, check: &str, table: &str) -> Option<&'a Finding> {
        r.findings
            .iter()
            .find(|f| f.check == check && f.table == table)
    }

    #[test]
    fn finds_each_kind_of_problem() {
        let mut sql = String::from(
            "CREATE TABLE customers (customer_id TEXT, email TEXT, age INTEGER);
             INSERT INTO customers VALUES ('1', 'a@x', 30), ('1', NULL, 31), ('2', '', NULL);
             CREATE TABLE products (product_id TEXT PRIMARY KEY, price REAL);
             INSERT INTO products VALUES ('p1', 2.5), ('p2', 0);
             CREATE TABLE transactions (customer_id TEXT, ts TEXT, order_id TEXT,
                 product_id TEXT, quantity REAL, unit_price REAL, cancelled INTEGER);
             INSERT INTO transactions VALUES
                 ('1', '2011-01-02', 'o1', 'p1', 0, 2.5, 0),
                 ('1', 'yesterday', 'o2', 'p1', 1, 2.5, 0),
                 ('9', '2031-01-01', 'o3', 'p9', -2, 2.5, 0),
                 ('1', '2011-01-03', 'C4', 'p1', -1, 2.5, 1);",
        );
        for i in 0..40 {
            sql.push_str(&format!(
                "INSERT INTO transactions VALUES ('2', '2011-02-01', 'o{i}x', 'p1', {}, 2.5, 0);",
                1 + i % 4
            ));
        }
        sql.push_str(
            "INSERT INTO transactions VALUES ('2', '2011-02-01', 'big', 'p1', 5000, 2.5, 0);",
        );
        let r = check_as_of(&db(&sql), "2026-01-01", &NoProgress).unwrap();
        assert_eq!(r.tables.len(), 3);
        assert_eq!(r.tables[2].rows, 45);
        let dup = finding(&r, "duplicate_id", "customers").unwrap();
        assert_eq!((dup.count, dup.severity), (1, Severity::Error));
        assert_eq!(dup.example.as_deref(), Some("customer_id=1"));
        let email = r.missing.iter().find(|m| m.column == "email").unwrap();
        assert_eq!(email.missing, 2);
        let future = finding(&r, "future_date", "transactions").unwrap();
        assert_eq!(future.count, 1);
        assert!(future.example.as_deref().unwrap().contains("ts=2031-01-01"));
        for (code, table) in [
            ("unparseable_date", "transactions"),
            ("zero_quantity", "transactions"),
            ("negative_quantity", "transactions"),
            ("cancellations", "transactions"),
            ("unknown_customer", "transactions"),
            ("unknown_product", "transactions"),
            ("non_positive_price", "products"),
        ] {
            assert_eq!(finding(&r, code, table).unwrap().count, 1, "{code}");
        }
        let out = finding(&r, "outlier", "transactions").unwrap();
        assert_eq!(out.column.as_deref(), Some("quantity"));
        assert_eq!(out.count, 1);
        // Most serious first.
        assert!(
            r.findings
                .windows(2)
                .all(|w| w[0].severity >= w[1].severity)
        );
        let text = r.to_text();
        assert!(text.contains("customers.customer_id: customer_id appears more than once (1 row)"));
    }

    #[test]
    fn clean_data_has_no_warnings() {
        let r = check_as_of(
            &db(
                "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, region TEXT);
                 INSERT INTO customers VALUES ('1', 'North'), ('2', 'South');",
            ),
            "2026-01-01",
            &NoProgress,
        )
        .unwrap();
        assert_eq!(r.count_at_least(Severity::Warning), 0);
        assert!(r.to_text().contains("none: the data looks clean"));
    }
}
