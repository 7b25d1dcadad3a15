//! The library's error type. Every message names what went wrong and where (file paths last),
//! fits on one line, and is shown to the marketer as it is.

use std::path::{Path, PathBuf};

/// Everything that can go wrong in Tailor's library code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file the user named does not exist.
    #[error("file not found: {}", .0.display())]
    NotFound(PathBuf),
    /// The file exists but is not a SQLite database.
    #[error("not a SQLite database: {}", .0.display())]
    NotSqlite(PathBuf),
    /// A SQLite database with none of Tailor's tables.
    #[error(
        "not a Tailor database (it has none of the tables customers, products, transactions, feedback): {}",
        .0.display()
    )]
    NotTailor(PathBuf),
    /// A table lacks required columns.
    #[error("table {table} is missing required column(s) {columns}: {}", path.display())]
    MissingColumns {
        /// The table.
        table: String,
        /// The missing columns, comma-separated.
        columns: String,
        /// The database file.
        path: PathBuf,
    },
    /// A table the command needs is not in the database.
    #[error("{what}: {}", path.display())]
    MissingTable {
        /// What is missing and what to do about it.
        what: String,
        /// The database file.
        path: PathBuf,
    },
    /// The database was written by a newer Tailor.
    #[error(
        "database schema version {found} is newer than this Tailor reads ({supported}): {}",
        path.display()
    )]
    NewerSchema {
        /// Version found in `tailor_meta`.
        found: i64,
        /// Version this build reads.
        supported: i64,
        /// The database file.
        path: PathBuf,
    },
    /// A write was attempted on a database opened read-only.
    #[error("database is read-only, nothing was saved: {}", .0.display())]
    ReadOnly(PathBuf),
    /// The disk filled up during a write: the write was undone.
    #[error("the disk is full: the change was undone and nothing was saved: {}", .0.display())]
    DiskFull(PathBuf),
    /// Bad user input: a value, a flag, a column, described in full by the message.
    #[error("{0}")]
    Invalid(String),
    /// The user cancelled the job.
    #[error("cancelled")]
    Cancelled,
    /// SQLite failed.
    #[error("SQLite: {source}: {}", path.display())]
    Sqlite {
        /// The underlying error.
        source: rusqlite::Error,
        /// The database file.
        path: PathBuf,
    },
    /// Reading or writing a file failed.
    #[error("{source}: {}", path.display())]
    Io {
        /// The underlying error.
        source: std::io::Error,
        /// The file.
        path: PathBuf,
    },
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps a SQLite error with the database path.
    pub fn sqlite(path: &Path) -> impl FnOnce(rusqlite::Error) -> Error + '_ {
        move |source| {
            if source.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) {
                return Error::DiskFull(path.to_path_buf());
            }
            Error::Sqlite {
                source,
                path: path.to_path_buf(),
            }
        }
    }

    /// Wraps an I/O error with the file path.
    pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
        move |source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                Error::NotFound(path.to_path_buf())
            } else if source.kind() == std::io::ErrorKind::StorageFull {
                Error::DiskFull(path.to_path_buf())
            } else {
                Error::Io {
                    source,
                    path: path.to_path_buf(),
                }
            }
        }
    }
}
