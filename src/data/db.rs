//! Opening a Tailor database: validation, read-only fallback, table summaries and column roles.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::data::personal::{self, PersonalKind};
use crate::data::roles::{Role, guess_role};
use crate::data::schema::{self, SCHEMA_VERSION, TableKind, quote_ident};
use crate::error::{Error, Result};

/// An open Tailor database.
pub struct Database {
    conn: Connection,
    path: PathBuf,
    read_only: Option<String>,
}

/// A column of a table as the database has it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ColumnInfo {
    /// Column name.
    pub name: String,
    /// Declared SQL type (`TEXT`, `INTEGER`, `REAL`, or empty).
    pub sql_type: String,
    /// Its role: stored in `tailor_columns`, or guessed from the name.
    pub role: Role,
    /// Whether the role was set by the user (stored) rather than guessed.
    pub role_stored: bool,
    /// What its values look like when they are personal data (a customers column only): its
    /// role is then personal data whatever was stored or guessed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal: Option<PersonalKind>,
}

/// A customer table's shape and size.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TableSummary {
    /// Which table.
    pub kind: TableKind,
    /// Number of rows.
    pub rows: u64,
    /// Its columns, in table order.
    pub columns: Vec<ColumnInfo>,
}

fn is_read_only_error(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
    )
}

fn is_not_a_database(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase)
    )
}

fn permissions_read_only(path: &Path) -> Option<String> {
    // A file marked read-only is respected, whoever runs Tailor.
    if std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
        return Some("the file is not writable".to_string());
    }
    // Then asked of the system: ownership and mounts count too.
    let denied = |e: &std::io::Error| {
        matches!(
            e.kind(),
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
        )
    };
    if let Err(e) = std::fs::OpenOptions::new().write(true).open(path)
        && denied(&e)
    {
        return Some("the file is not writable".to_string());
    }
    // SQLite writes its journal beside the database: the folder must take a new file.
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let probe = dir
        .unwrap_or(Path::new("."))
        .join(format!(".tailor-probe-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            None
        }
        Err(e) if denied(&e) => Some("its folder is not writable".to_string()),
        Err(_) => None,
    }
}

impl Database {
    /// Opens an existing Tailor database, checking its tables and columns.
    ///
    /// A database that cannot be written opens read-only; [`Database::read_only_reason`] says why.
    pub fn open(path: &Path) -> Result<Database> {
        if !path.exists() {
            return Err(Error::NotFound(path.to_path_buf()));
        }
        if path.is_dir() {
            return Err(Error::Invalid(format!(
                "a folder, not a database file: {}",
                path.display()
            )));
        }
        let mut read_only = permissions_read_only(path);
        let mut conn = open_conn(path, read_only.is_some())?;
        check_is_sqlite(&conn, path, read_only.as_deref())?;
        validate(&conn, path)?;
        if read_only.is_none()
            && let Err(e) = schema::ensure_tailor_tables(&conn)
        {
            if is_read_only_error(&e) {
                read_only = Some("SQLite could not write to it".to_string());
                conn = open_conn(path, true)?;
            } else {
                return Err(Error::sqlite(path)(e));
            }
        }
        check_version(&conn, path)?;
        Ok(Database {
            conn,
            path: path.to_path_buf(),
            read_only,
        })
    }

    /// Opens a database for writing, creating an empty Tailor database if the file does not
    /// exist (used by import and sample). Fails if the file exists but is not a Tailor database.
    pub fn open_or_create(path: &Path) -> Result<Database> {
        if path.exists() {
            let db = Database::open(path)?;
            if db.read_only.is_some() {
                return Err(Error::ReadOnly(path.to_path_buf()));
            }
            return Ok(db);
        }
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && !dir.is_dir()
        {
            return Err(Error::NotFound(dir.to_path_buf()));
        }
        let conn = Connection::open(path).map_err(Error::sqlite(path))?;
        schema::ensure_tailor_tables(&conn).map_err(Error::sqlite(path))?;
        Ok(Database {
            conn,
            path: path.to_path_buf(),
            read_only: None,
        })
    }

    /// An in-memory database with Tailor's tables (tests and scratch work).
    pub fn in_memory() -> Result<Database> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(Error::sqlite(&path))?;
        schema::ensure_tailor_tables(&conn).map_err(Error::sqlite(&path))?;
        Ok(Database {
            conn,
            path,
            read_only: None,
        })
    }

    /// The connection, for reading.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The connection, for writing; fails on a read-only database.
    pub fn conn_mut(&mut self) -> Result<&mut Connection> {
        if self.read_only.is_some() {
            return Err(Error::ReadOnly(self.path.clone()));
        }
        Ok(&mut self.conn)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Why the database was opened read-only, if it was.
    pub fn read_only_reason(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    /// True when results cannot be saved.
    pub fn is_read_only(&self) -> bool {
        self.read_only.is_some()
    }

    /// The schema version recorded in `tailor_meta` (1 when not recorded).
    pub fn schema_version(&self) -> i64 {
        stored_version(&self.conn)
            .ok()
            .flatten()
            .unwrap_or(SCHEMA_VERSION)
    }

    /// Whether the database has the given customer table.
    pub fn has_table(&self, kind: TableKind) -> bool {
        table_exists(&self.conn, kind.name()).unwrap_or(false)
    }

    /// Fails with a message saying what to import when a command needs a table that is absent.
    pub fn require(&self, kind: TableKind, needed_for: &str) -> Result<()> {
        if self.has_table(kind) {
            return Ok(());
        }
        Err(Error::MissingTable {
            what: format!(
                "no {kind} table: import a {kind} file to see {needed_for}",
                kind = kind.name()
            ),
            path: self.path.clone(),
        })
    }

    /// The columns of any table, in table order, as (name, declared type).
    pub fn raw_columns(&self, table: &str) -> Result<Vec<(String, String)>> {
        table_columns(&self.conn, table).map_err(Error::sqlite(&self.path))
    }

    /// Number of rows in a table.
    pub fn row_count(&self, table: &str) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row(
                &format!("SELECT COUNT(*) FROM {}", quote_ident(table)),
                [],
                |r| r.get(0),
            )
            .map_err(Error::sqlite(&self.path))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Roles of a table's columns: stored ones, else guessed; a customers column whose values
    /// look like personal data (emails, phones, IBANs, card numbers, dates of birth) is personal
    /// data whatever its role.
    pub fn columns(&self, kind: TableKind) -> Result<Vec<ColumnInfo>> {
        let stored = self.stored_roles(kind)?;
        let mut columns = Vec::new();
        for (name, sql_type) in self.raw_columns(kind.name())? {
            let stored_role = stored.iter().find(|(c, _)| *c == name).map(|(_, r)| *r);
            let role = stored_role.unwrap_or_else(|| guess_role(kind, &name));
            let personal = if kind == TableKind::Customers && role != Role::Key {
                self.personal_kind(kind, &name)?
            } else {
                None
            };
            columns.push(ColumnInfo {
                role: if personal.is_some() { Role::Pii } else { role },
                role_stored: stored_role.is_some(),
                personal,
                name,
                sql_type,
            });
        }
        Ok(columns)
    }

    /// What the first non-blank values of a column look like, when they are personal data.
    fn personal_kind(&self, kind: TableKind, column: &str) -> Result<Option<PersonalKind>> {
        let col = quote_ident(column);
        let sql = format!(
            "SELECT CAST({col} AS TEXT) FROM {} WHERE {col} IS NOT NULL AND TRIM({col}) <> '' \
             LIMIT {}",
            quote_ident(kind.name()),
            personal::SAMPLE
        );
        let read = || -> rusqlite::Result<Vec<String>> {
            let mut stmt = self.conn.prepare(&sql)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.collect()
        };
        let values = read().map_err(Error::sqlite(&self.path))?;
        let year = chrono::Datelike::year(&chrono::Local::now().date_naive());
        Ok(personal::classify(values.iter().map(String::as_str), year))
    }

    fn stored_roles(&self, kind: TableKind) -> Result<Vec<(String, Role)>> {
        if !table_exists(&self.conn, "tailor_columns").map_err(Error::sqlite(&self.path))? {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare("SELECT column_name, role FROM tailor_columns WHERE table_name = ?1")
            .map_err(Error::sqlite(&self.path))?;
        let rows = stmt
            .query_map([kind.name()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(Error::sqlite(&self.path))?;
        let mut out = Vec::new();
        for row in rows {
            let (col, role) = row.map_err(Error::sqlite(&self.path))?;
            if let Some(role) = Role::parse(&role) {
                out.push((col, role));
            }
        }
        Ok(out)
    }

    /// Sets a column's role; the column must exist.
    pub fn set_role(&mut self, kind: TableKind, column: &str, role: Role) -> Result<()> {
        let cols = self.raw_columns(kind.name())?;
        if !cols.iter().any(|(c, _)| c == column) {
            return Err(Error::Invalid(format!(
                "no column {column} in table {}: {}",
                kind.name(),
                self.path.display()
            )));
        }
        let path = self.path.clone();
        self.conn_mut()?
            .execute(
                "INSERT INTO tailor_columns (table_name, column_name, role) VALUES (?1, ?2, ?3)
                 ON CONFLICT (table_name, column_name) DO UPDATE SET role = excluded.role",
                [kind.name(), column, role.as_str()],
            )
            .map_err(Error::sqlite(&path))?;
        Ok(())
    }

    /// Shape and size of every customer table present.
    pub fn summaries(&self) -> Result<Vec<TableSummary>> {
        let mut out = Vec::new();
        for kind in TableKind::ALL {
            if !self.has_table(kind) {
                continue;
            }
            out.push(TableSummary {
                kind,
                rows: self.row_count(kind.name())?,
                columns: self.columns(kind)?,
            });
        }
        Ok(out)
    }

    /// Size of the database file in bytes (0 for in-memory databases).
    pub fn file_size(&self) -> u64 {
        std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0)
    }
}

/// How long a write waits for another writer of the same database before failing.
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

fn open_conn(path: &Path, read_only: bool) -> Result<Connection> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    match Connection::open_with_flags(path, flags) {
        Ok(c) => {
            // Another Tailor writing the same database (an import, a stored run) is waited for.
            c.busy_timeout(BUSY_WAIT).map_err(Error::sqlite(path))?;
            // Functions with side effects are not run from a schema the user did not write.
            c.pragma_update(None, "trusted_schema", false)
                .map_err(Error::sqlite(path))?;
            Ok(c)
        }
        Err(e) if !read_only && is_read_only_error(&e) => open_conn(path, true),
        Err(e) => Err(Error::sqlite(path)(e)),
    }
}

/// Checks that the file is a SQLite database SQLite can read; `read_only` says why it was opened
/// read-only, if it was.
fn check_is_sqlite(conn: &Connection, path: &Path, read_only: Option<&str>) -> Result<()> {
    match conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(e) if is_not_a_database(&e) => Err(Error::NotSqlite(path.to_path_buf())),
        Err(e) if is_unfinished_write(&e) => Err(Error::Invalid(format!(
            "the database was left half-written by a program that stopped ({} undoes it) and \
             cannot be repaired here because {}: open it once where it can be written: {}",
            journal_path(path)
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            read_only.unwrap_or("it is opened read-only"),
            path.display()
        ))),
        Err(e) => Err(Error::sqlite(path)(e)),
    }
}

/// SQLite's "hot journal that a read-only connection cannot roll back".
fn is_unfinished_write(e: &rusqlite::Error) -> bool {
    e.sqlite_error()
        .is_some_and(|f| f.extended_code == rusqlite::ffi::SQLITE_READONLY_ROLLBACK)
}

/// The rollback journal SQLite keeps beside the database during a write.
fn journal_path(path: &Path) -> PathBuf {
    crate::files::companion(path, "-journal")
}

impl Drop for Database {
    /// A write that failed part-way (a full disk, an I/O error) leaves SQLite's journal behind
    /// for the next connection to undo; readers that cannot write would fail until then. So the
    /// write is undone here, at once: a fresh connection's first read rolls the journal back.
    fn drop(&mut self) {
        if self.read_only.is_some() || !journal_path(&self.path).exists() {
            return;
        }
        let Ok(scratch) = Connection::open_in_memory() else {
            return;
        };
        drop(std::mem::replace(&mut self.conn, scratch));
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if let Ok(conn) = Connection::open_with_flags(&self.path, flags) {
            // Another writer holding the database owns its journal: do not wait for it.
            let _ = conn.busy_timeout(std::time::Duration::from_millis(200));
            let _ = conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            });
        }
    }
}

/// Checks that the database has Tailor's tables and that each has its required columns.
/// Refuses a database with a trigger that a Tailor write would fire (on a customer table or a
/// `tailor_*` table) or whose body touches a `tailor_*` table, and a view over `tailor_*`
/// tables: an untrusted file could make a stored run delete customers.
fn refuse_hooks(conn: &Connection, path: &Path) -> Result<()> {
    let read = || -> rusqlite::Result<Vec<(String, String, String, String)>> {
        let mut stmt = conn.prepare(
            "SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master
             WHERE type IN ('trigger', 'view') ORDER BY type, name",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect()
    };
    let written = |table: &str| {
        let t = table.to_ascii_lowercase();
        t.starts_with("tailor_") || TableKind::ALL.iter().any(|k| k.name() == t)
    };
    for (kind, name, table, sql) in read().map_err(Error::sqlite(path))? {
        let touches = sql.to_ascii_lowercase().contains("tailor_");
        if (kind == "trigger" && (written(&table) || touches)) || (kind == "view" && touches) {
            return Err(Error::Invalid(format!(
                "the database has a {kind} `{name}` on `{table}` that Tailor's own writes would \
                 run or read: Tailor does not open such a database (remove it with DROP {} \
                 \"{name}\" in a copy): {}",
                kind.to_ascii_uppercase(),
                path.display()
            )));
        }
    }
    Ok(())
}

fn validate(conn: &Connection, path: &Path) -> Result<()> {
    refuse_hooks(conn, path)?;
    let mut found_any = table_exists(conn, "tailor_meta").map_err(Error::sqlite(path))?;
    for kind in TableKind::ALL {
        if !table_exists(conn, kind.name()).map_err(Error::sqlite(path))? {
            continue;
        }
        found_any = true;
        let cols = table_columns(conn, kind.name()).map_err(Error::sqlite(path))?;
        let missing: Vec<&str> = kind
            .required_columns()
            .filter(|req| !cols.iter().any(|(c, _)| c == req))
            .collect();
        if !missing.is_empty() {
            return Err(Error::MissingColumns {
                table: kind.name().to_string(),
                columns: missing.join(", "),
                path: path.to_path_buf(),
            });
        }
    }
    if found_any {
        Ok(())
    } else {
        Err(Error::NotTailor(path.to_path_buf()))
    }
}

fn check_version(conn: &Connection, path: &Path) -> Result<()> {
    match stored_version(conn).map_err(Error::sqlite(path))? {
        Some(v) if v > SCHEMA_VERSION => Err(Error::NewerSchema {
            found: v,
            supported: SCHEMA_VERSION,
            path: path.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

fn stored_version(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    if !table_exists(conn, "tailor_meta")? {
        return Ok(None);
    }
    let v: Option<String> = conn
        .query_row(
            "SELECT value FROM tailor_meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(v.and_then(|s| s.trim().parse().ok()))
}

/// Whether a table exists.
pub fn table_exists(conn: &Connection, table: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [table],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// A table's columns as (name, declared type), in table order.
pub fn table_columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({})", quote_ident(table)))?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_db(sql: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(sql).unwrap();
        (dir, path)
    }

    #[test]
    fn missing_file_is_named() {
        let err = Database::open(Path::new("/no/such/file.sqlite"))
            .err()
            .unwrap();
        assert!(matches!(err, Error::NotFound(_)));
        assert!(err.to_string().contains("/no/such/file.sqlite"));
    }

    #[test]
    fn not_sqlite_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.sqlite");
        std::fs::write(&path, "this is a text file, not a database\n".repeat(50)).unwrap();
        assert!(matches!(Database::open(&path), Err(Error::NotSqlite(_))));
    }

    #[test]
    fn foreign_sqlite_is_not_tailor() {
        let (_d, path) = temp_db("CREATE TABLE orders (id INTEGER);");
        let err = Database::open(&path).err().unwrap();
        assert!(matches!(err, Error::NotTailor(_)), "{err}");
    }

    #[test]
    fn missing_columns_are_named_exactly() {
        let (_d, path) = temp_db("CREATE TABLE transactions (customer_id TEXT, amount REAL);");
        let err = Database::open(&path).err().unwrap();
        assert_eq!(
            err.to_string(),
            format!(
                "table transactions is missing required column(s) ts: {}",
                path.display()
            )
        );
    }

    #[test]
    fn open_adds_tailor_tables_without_touching_customers() {
        let (_d, path) = temp_db(
            "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, gender TEXT, email TEXT);
             INSERT INTO customers VALUES ('1', 'F', 'a@b.c');",
        );
        let mut db = Database::open(&path).unwrap();
        assert!(!db.is_read_only());
        assert_eq!(db.schema_version(), 1);
        let s = db.summaries().unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].rows, 1);
        let roles: Vec<Role> = s[0].columns.iter().map(|c| c.role).collect();
        assert_eq!(roles, vec![Role::Key, Role::Protected, Role::Pii]);
        db.set_role(TableKind::Customers, "gender", Role::Ignore)
            .unwrap();
        assert!(
            db.set_role(TableKind::Customers, "nope", Role::Ignore)
                .is_err()
        );
        let cols = db.columns(TableKind::Customers).unwrap();
        assert_eq!(cols[1].role, Role::Ignore);
        assert!(cols[1].role_stored);
        let row: (String, String, String) = db
            .conn()
            .query_row("SELECT * FROM customers", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(row, ("1".into(), "F".into(), "a@b.c".into()));
    }

    #[test]
    fn unwritable_file_opens_read_only() {
        use std::os::unix::fs::PermissionsExt;
        let (_d, path) = temp_db("CREATE TABLE customers (customer_id TEXT PRIMARY KEY);");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let mut db = Database::open(&path).unwrap();
        assert!(db.is_read_only());
        assert!(db.read_only_reason().unwrap().contains("not writable"));
        let err = db
            .set_role(TableKind::Customers, "customer_id", Role::Key)
            .err()
            .unwrap();
        assert!(matches!(err, Error::ReadOnly(_)));
    }

    #[test]
    fn newer_schema_is_refused() {
        let (_d, path) = temp_db(
            "CREATE TABLE tailor_meta (key TEXT PRIMARY KEY, value TEXT);
             INSERT INTO tailor_meta VALUES ('schema_version', '9');",
        );
        assert!(matches!(
            Database::open(&path),
            Err(Error::NewerSchema { found: 9, .. })
        ));
    }
}
