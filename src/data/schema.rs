//! Schema v1: the customer tables Tailor reads and the `tailor_*` tables it writes.
//!
//! Customer tables (`customers`, `products`, `transactions`, `feedback`) hold the user's data.
//! They are created by import or `tailor sample` with their required columns plus the columns the
//! source file has; analysis never modifies them. Tailor's own tables are created on first open
//! of a writable database.

use rusqlite::Connection;

/// The schema version this build writes and reads, stored in `tailor_meta`.
pub const SCHEMA_VERSION: i64 = 1;

/// The four customer tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TableKind {
    /// One row per customer.
    Customers,
    /// One row per product.
    Products,
    /// One row per purchase line (or rating, or return).
    Transactions,
    /// Review texts and ratings.
    Feedback,
}

/// How a column's values are stored and parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// An identifier: text, `17850.0` becomes `17850`, leading zeros kept.
    Id,
    /// Free text.
    Text,
    /// A whole number (`INTEGER`).
    Integer,
    /// A decimal number (`REAL`).
    Real,
    /// A date or date-time, stored as ISO-8601 text.
    Date,
    /// Yes/No, True/False, 1/0 in any case, stored as 0/1.
    Bool,
}

impl ValueKind {
    /// The SQLite column type for this kind.
    pub fn sql_type(self) -> &'static str {
        match self {
            ValueKind::Id | ValueKind::Text | ValueKind::Date => "TEXT",
            ValueKind::Integer | ValueKind::Bool => "INTEGER",
            ValueKind::Real => "REAL",
        }
    }
}

/// A column the schema knows by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Column name in the database.
    pub name: &'static str,
    /// How values are parsed and stored.
    pub kind: ValueKind,
    /// Whether every row of the table must have it.
    pub required: bool,
}

const fn col(name: &'static str, kind: ValueKind, required: bool) -> ColumnSpec {
    ColumnSpec {
        name,
        kind,
        required,
    }
}

const CUSTOMERS: &[ColumnSpec] = &[
    col("customer_id", ValueKind::Id, true),
    col("name", ValueKind::Text, false),
    col("email", ValueKind::Text, false),
    col("phone", ValueKind::Text, false),
    col("gender", ValueKind::Text, false),
    col("birth_year", ValueKind::Integer, false),
    col("age", ValueKind::Integer, false),
    col("region", ValueKind::Text, false),
    col("country", ValueKind::Text, false),
    col("signup_date", ValueKind::Date, false),
    col("consent_email", ValueKind::Bool, false),
    col("churned", ValueKind::Bool, false),
];

const PRODUCTS: &[ColumnSpec] = &[
    col("product_id", ValueKind::Id, true),
    col("name", ValueKind::Text, false),
    col("category", ValueKind::Text, false),
    col("price", ValueKind::Real, false),
];

const TRANSACTIONS: &[ColumnSpec] = &[
    col("customer_id", ValueKind::Id, true),
    col("ts", ValueKind::Date, true),
    col("order_id", ValueKind::Id, false),
    col("product_id", ValueKind::Id, false),
    col("quantity", ValueKind::Real, false),
    col("unit_price", ValueKind::Real, false),
    col("amount", ValueKind::Real, false),
    col("rating", ValueKind::Real, false),
    col("cancelled", ValueKind::Bool, false),
];

const FEEDBACK: &[ColumnSpec] = &[
    col("customer_id", ValueKind::Id, true),
    col("text", ValueKind::Text, true),
    col("ts", ValueKind::Date, false),
    col("rating", ValueKind::Real, false),
    col("product_id", ValueKind::Id, false),
];

impl TableKind {
    /// All customer tables, in dependency order.
    pub const ALL: [TableKind; 4] = [
        TableKind::Customers,
        TableKind::Products,
        TableKind::Transactions,
        TableKind::Feedback,
    ];

    /// The table's name in SQLite.
    pub fn name(self) -> &'static str {
        match self {
            TableKind::Customers => "customers",
            TableKind::Products => "products",
            TableKind::Transactions => "transactions",
            TableKind::Feedback => "feedback",
        }
    }

    /// Parses a table name (`customers`, `products`, `transactions`, `feedback`).
    pub fn from_name(name: &str) -> Option<TableKind> {
        TableKind::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The columns the schema knows for this table, required ones first.
    pub fn columns(self) -> &'static [ColumnSpec] {
        match self {
            TableKind::Customers => CUSTOMERS,
            TableKind::Products => PRODUCTS,
            TableKind::Transactions => TRANSACTIONS,
            TableKind::Feedback => FEEDBACK,
        }
    }

    /// The columns every table of this kind must have.
    pub fn required_columns(self) -> impl Iterator<Item = &'static str> {
        self.columns().iter().filter(|c| c.required).map(|c| c.name)
    }

    /// The schema's spec for a column of this table, if it is a known column.
    pub fn column(self, name: &str) -> Option<&'static ColumnSpec> {
        self.columns().iter().find(|c| c.name == name)
    }

    /// The primary-key column for tables keyed by id (customers, products).
    pub fn key_column(self) -> Option<&'static str> {
        match self {
            TableKind::Customers => Some("customer_id"),
            TableKind::Products => Some("product_id"),
            TableKind::Transactions | TableKind::Feedback => None,
        }
    }
}

impl std::fmt::Display for TableKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Quotes an identifier for SQL (`"name"`, with inner quotes doubled).
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `CREATE TABLE IF NOT EXISTS` for a customer table with its required columns plus `extra`
/// columns (name, SQL type). Keyed tables get their id as `PRIMARY KEY`.
pub fn create_table_sql(kind: TableKind, extra: &[(String, &'static str)]) -> String {
    let mut cols: Vec<String> = Vec::new();
    for spec in kind.columns().iter().filter(|c| c.required) {
        let mut def = format!("{} {}", quote_ident(spec.name), spec.kind.sql_type());
        if Some(spec.name) == kind.key_column() {
            def.push_str(" PRIMARY KEY NOT NULL");
        } else {
            def.push_str(" NOT NULL");
        }
        cols.push(def);
    }
    for (name, ty) in extra {
        if kind.column(name).is_some_and(|c| c.required) {
            continue;
        }
        cols.push(format!("{} {}", quote_ident(name), ty));
    }
    format!(
        "CREATE TABLE IF NOT EXISTS {} ({})",
        quote_ident(kind.name()),
        cols.join(", ")
    )
}

/// The columns of `tailor_columns`, with every role a column may take.
macro_rules! columns_table {
    () => {
        "(
    table_name TEXT NOT NULL,
    column_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('key', 'pii', 'protected', 'feature', 'label', 'ignore',
        'revenue', 'recurring')),
    PRIMARY KEY (table_name, column_name)
)"
    };
}

/// SQL for Tailor's own tables; safe to run on every writable open.
pub const TAILOR_TABLES_SQL: &str = concat!(
    "
CREATE TABLE IF NOT EXISTS tailor_meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tailor_columns ",
    columns_table!(),
    ";
CREATE TABLE IF NOT EXISTS tailor_runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    seed INTEGER,
    params_json TEXT NOT NULL,
    summary_json TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tailor_segments (
    run_id INTEGER NOT NULL REFERENCES tailor_runs(run_id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL,
    segment_id INTEGER NOT NULL,
    PRIMARY KEY (run_id, customer_id)
);
CREATE TABLE IF NOT EXISTS tailor_segment_names (
    auto_name TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tailor_churn_scores (
    run_id INTEGER NOT NULL REFERENCES tailor_runs(run_id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL,
    probability REAL NOT NULL,
    label INTEGER,
    reason_1 TEXT,
    reason_2 TEXT,
    reason_3 TEXT,
    PRIMARY KEY (run_id, customer_id)
);
CREATE TABLE IF NOT EXISTS tailor_clv_values (
    run_id INTEGER NOT NULL REFERENCES tailor_runs(run_id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL,
    frequency REAL NOT NULL,
    recency REAL NOT NULL,
    t REAL NOT NULL,
    monetary REAL,
    p_alive REAL NOT NULL,
    expected_purchases REAL NOT NULL,
    clv REAL,
    PRIMARY KEY (run_id, customer_id)
);
CREATE TABLE IF NOT EXISTS tailor_product_marks (
    product_id TEXT PRIMARY KEY NOT NULL,
    merchandise INTEGER NOT NULL CHECK (merchandise IN (0, 1))
);
CREATE TABLE IF NOT EXISTS tailor_settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tailor_exports (
    export_id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    file TEXT NOT NULL,
    rows INTEGER NOT NULL,
    columns TEXT NOT NULL,
    filters TEXT NOT NULL,
    included_pii INTEGER NOT NULL
);
"
);

/// Creates Tailor's own tables and records the schema version if it is not recorded yet. A
/// `tailor_columns` made before the revenue roles existed is rebuilt with the roles it may
/// now hold (its rows kept; it is Tailor's own table).
pub fn ensure_tailor_tables(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(TAILOR_TABLES_SQL)?;
    let made: String = conn.query_row(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tailor_columns'",
        [],
        |r| r.get(0),
    )?;
    if !made.contains("'recurring'") {
        conn.execute_batch(concat!(
            "SAVEPOINT tailor_roles;
             CREATE TABLE tailor_columns_new ",
            columns_table!(),
            ";
             INSERT INTO tailor_columns_new (table_name, column_name, role)
                 SELECT table_name, column_name, role FROM tailor_columns;
             DROP TABLE tailor_columns;
             ALTER TABLE tailor_columns_new RENAME TO tailor_columns;
             RELEASE tailor_roles;"
        ))?;
    }
    conn.execute(
        "INSERT OR IGNORE INTO tailor_meta (key, value) VALUES ('schema_version', ?1)",
        [SCHEMA_VERSION.to_string()],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_roles_table_from_before_the_revenue_roles_takes_them_and_keeps_its_rows() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE tailor_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
                 role TEXT NOT NULL CHECK (role IN ('key', 'pii', 'protected', 'feature',
                 'label', 'ignore')), PRIMARY KEY (table_name, column_name));
             INSERT INTO tailor_columns VALUES ('customers', 'email', 'pii');",
        )
        .unwrap();
        let revenue = "INSERT INTO tailor_columns VALUES ('customers', 'TotalCharges', 'revenue')";
        assert!(
            conn.execute(revenue, []).is_err(),
            "the old table refuses it"
        );
        ensure_tailor_tables(&conn).unwrap();
        ensure_tailor_tables(&conn).unwrap();
        conn.execute(revenue, []).unwrap();
        let roles: Vec<String> = conn
            .prepare("SELECT role FROM tailor_columns ORDER BY column_name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(roles, ["revenue", "pii"]);
        assert!(
            conn.execute("UPDATE tailor_columns SET role = 'boss'", [])
                .is_err()
        );
    }

    #[test]
    fn every_table_has_required_columns_first() {
        for kind in TableKind::ALL {
            let cols = kind.columns();
            let first_optional = cols.iter().position(|c| !c.required).unwrap_or(cols.len());
            assert!(cols[first_optional..].iter().all(|c| !c.required), "{kind}");
            assert!(kind.required_columns().count() >= 1);
        }
    }

    #[test]
    fn create_sql_makes_a_usable_table() {
        let conn = Connection::open_in_memory().unwrap();
        let sql = create_table_sql(
            TableKind::Customers,
            &[("gender".into(), "TEXT"), ("weird \"col\"".into(), "REAL")],
        );
        conn.execute_batch(&sql).unwrap();
        conn.execute(
            "INSERT INTO customers (customer_id, gender, \"weird \"\"col\"\"\") VALUES ('1', 'F', 2.5)",
            [],
        )
        .unwrap();
        let dup = conn.execute("INSERT INTO customers (customer_id) VALUES ('1')", []);
        assert!(dup.is_err(), "customer_id must be the primary key");
        ensure_tailor_tables(&conn).unwrap();
        ensure_tailor_tables(&conn).unwrap();
        let v: String = conn
            .query_row(
                "SELECT value FROM tailor_meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(v, "1");
    }

    #[test]
    fn table_names_round_trip() {
        for kind in TableKind::ALL {
            assert_eq!(TableKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(
            TableKind::from_name(" Customers "),
            Some(TableKind::Customers)
        );
        assert_eq!(TableKind::from_name("orders"), None);
    }
}
