//! Issue 11, finding 8: a full disk during an append left SQLite's journal behind ("hot"), and
//! readers that cannot write failed until some writer rolled it back.
//!
//! The disk fills for real where the test may mount a small tmpfs (root with the right to
//! mount); elsewhere the process gets a file-size limit (`prlimit --fsize`, SIGXFSZ ignored), a
//! write failure that takes SQLite down the same path. Either way the append must fail with one
//! `error:` line and leave the database as it was, with no journal beside it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{assert_clean_error, sample_copy, tailor};

/// A small tmpfs, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// A tmpfs of `bytes`, or `None` where this process may not mount one.
    fn mount(bytes: u64) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then_some(SmallDisk { dir })
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).output();
    }
}

/// The sample's transactions again, under new order ids: several times what the disk can take.
fn append_file(db: &str, dir: &Path) -> PathBuf {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT customer_id, ts, order_id, product_id, quantity, unit_price FROM transactions",
        )
        .unwrap();
    let rows: Vec<[String; 6]> = stmt
        .query_map([], |r| {
            Ok([
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get::<_, f64>(4)?.to_string(),
                r.get::<_, f64>(5)?.to_string(),
            ])
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let mut text = String::from("customer_id,ts,order_id,product_id,quantity,unit_price\n");
    for copy in 0..3 {
        for [c, ts, o, p, q, u] in &rows {
            text.push_str(&format!("{c},{ts},{o}-again{copy},{p},{q},{u}\n"));
        }
    }
    let path = dir.join("more.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn count(db: &str, sql: &str) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn journal(db: &str) -> PathBuf {
    PathBuf::from(format!("{db}-journal"))
}

/// `tailor import --db DB FILE` with writes beyond `limit` bytes per file failing.
fn import_with_file_limit(db: &str, file: &Path, limit: u64) -> Output {
    let script =
        format!("trap '' XFSZ; exec prlimit --fsize={limit} -- \"$0\" import --db \"$1\" \"$2\"",);
    Command::new("sh")
        .args(["-c", &script, env!("CARGO_BIN_EXE_tailor"), db])
        .arg(file)
        .output()
        .unwrap()
}

#[test]
fn disk_full_during_an_append_leaves_no_hot_journal() {
    let scratch = tempfile::tempdir().unwrap();
    let original = sample_copy(scratch.path());
    let more = append_file(&original, scratch.path());
    let size = std::fs::metadata(&original).unwrap().len();
    let before = count(&original, "SELECT COUNT(*) FROM transactions");

    let disk = SmallDisk::mount(size + 256 * 1024);
    let (db, out) = match &disk {
        Some(disk) => {
            let db = disk.dir.path().join("full.sqlite");
            std::fs::copy(&original, &db).unwrap();
            let db = db.to_str().unwrap().to_string();
            eprintln!("a tmpfs of {} bytes fills up", size + 256 * 1024);
            let out = tailor(&["import", "--db", &db, more.to_str().unwrap()]);
            (db, out)
        }
        None => {
            eprintln!("cannot mount a tmpfs here: a file-size limit makes the write fail");
            let out = import_with_file_limit(&original, &more, size + 64 * 1024);
            (original.clone(), out)
        }
    };
    let line = assert_clean_error(&out, "");
    assert!(
        line.contains("disk is full") || line.contains("disk I/O error"),
        "{line}"
    );
    assert!(!line.contains("Error code"), "{line}");
    assert!(!journal(&db).exists(), "a hot journal was left: {line}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM transactions"), before);
    assert_eq!(
        std::fs::metadata(&db).unwrap().len(),
        size,
        "the database is back to its size"
    );

    // A reader that cannot write reads it at once.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let check = tailor(&["check", &db, "--json"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

/// A database as a program killed in the middle of a write leaves it: changed pages in the file
/// and the journal that undoes them beside it.
fn interrupted_write(from: &str, to: &Path) {
    let conn = rusqlite::Connection::open(from).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = DELETE; PRAGMA cache_size = 1;
         BEGIN; UPDATE customers SET name = 'overwritten'; DELETE FROM transactions;",
    )
    .unwrap();
    // The write spilled to the file; copy both while it is in flight, as a kill would leave them.
    assert!(journal(from).exists());
    std::fs::copy(from, to).unwrap();
    std::fs::copy(journal(from), journal(to.to_str().unwrap())).unwrap();
    conn.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn an_unfinished_write_is_undone_by_the_next_run_and_named_to_a_reader_that_cannot() {
    let scratch = tempfile::tempdir().unwrap();
    let original = sample_copy(scratch.path());
    let names = "SELECT COUNT(*) FROM customers WHERE name = 'overwritten'";
    let customers = count(&original, "SELECT COUNT(*) FROM customers");
    let transactions = count(&original, "SELECT COUNT(*) FROM transactions");
    let db = scratch.path().join("crashed.sqlite");
    interrupted_write(&original, &db);
    let db = db.to_str().unwrap().to_string();

    // A reader that cannot write cannot undo it: one line says what and where.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = tailor(&["check", &db]);
    let line = assert_clean_error(&out, "left half-written");
    assert!(
        line.contains("crashed.sqlite-journal") && line.contains("not writable"),
        "{line}"
    );
    assert!(
        journal(&db).exists(),
        "a reader must not remove the journal"
    );

    // The next run that can write undoes it before reading.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = tailor(&["check", &db, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!journal(&db).exists());
    assert_eq!(count(&db, names), 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM customers"), customers);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM transactions"),
        transactions
    );
    assert_eq!(
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
            .unwrap(),
        "ok"
    );
}
