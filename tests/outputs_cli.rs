//! Issue 11, "Outputs": an output path that is the database (or its journal), or an input of the
//! same command, is refused with one `error:` line and the database stays intact; files are
//! written under a unique temporary name, and temporaries left by a process that is gone are
//! removed on the next write there; two imports into one new path never leave a database with
//! another's rows or no customers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{assert_clean_error, sample_copy, tailor};

/// A copy of the bundled sample in `dir`, named `x.sqlite`.
fn sample(dir: &Path) -> PathBuf {
    let path = dir.join("x.sqlite");
    std::fs::rename(sample_copy(dir), &path).unwrap();
    path
}

/// The database still opens and holds all its customers.
fn intact(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 5_000, "the database lost customers");
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn an_output_over_the_database_is_refused_and_the_database_is_intact() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample(dir.path());
    let d = db.to_str().unwrap();
    let wal = format!("{d}-wal");
    let journal = format!("{d}-journal");
    let cases: Vec<Vec<&str>> = vec![
        vec!["churn", d, "--out", d],
        vec!["churn", d, "--dump-features", d],
        vec!["churn", d, "--out", &wal],
        vec!["segment", d, "--out", d],
        vec!["segment", d, "--dump-features", &journal],
        vec!["clv", d, "--out", d],
        vec!["export", d, "--segment", "1", "--out", d],
        vec!["campaign", d, "--out", d],
    ];
    for args in cases {
        let out = tailor(&args);
        let line = assert_clean_error(&out, "database");
        assert!(line.contains("x.sqlite"), "{args:?}: {line}");
        intact(&db);
    }
    // Through another spelling of the same path.
    let other = format!("{}/./x.sqlite", dir.path().display());
    assert_clean_error(&tailor(&["clv", d, "--out", &other]), "database");
    intact(&db);
    assert!(!Path::new(&wal).exists() || std::fs::metadata(&wal).unwrap().len() == 0);
}

#[test]
fn an_output_over_an_input_of_the_same_command_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample(dir.path());
    let d = db.to_str().unwrap();
    let ids = dir.path().join("ids.csv");
    std::fs::write(&ids, "customer_id\n100003\n100006\n").unwrap();
    let i = ids.to_str().unwrap();
    let out = tailor(&["export", d, "--audience", i, "--out", i]);
    assert_clean_error(&out, "ids.csv");
    assert_eq!(
        std::fs::read_to_string(&ids).unwrap(),
        "customer_id\n100003\n100006\n"
    );
    // The database of an import is not one of the files it reads.
    let csv = dir.path().join("customers.csv");
    std::fs::write(&csv, "customer_id,region\nc1,North\n").unwrap();
    let c = csv.to_str().unwrap();
    let out = tailor(&["import", c, "--db", c, "--table", "customers"]);
    assert_clean_error(&out, "customers.csv");
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "customer_id,region\nc1,North\n"
    );
    // Both outputs of one run in the same file.
    let both = dir.path().join("both.csv");
    let b = both.to_str().unwrap();
    assert_clean_error(
        &tailor(&["segment", d, "--out", b, "--dump-features", b]),
        "both.csv",
    );
    intact(&db);
}

#[test]
fn stale_temporaries_of_a_dead_process_are_removed_by_the_next_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample(dir.path());
    let d = db.to_str().unwrap();
    let run = tailor(&["segment", d, "--method", "rfm"]);
    assert!(run.status.success());
    // What a kill -9 during an export leaves: a hidden temporary of a process that is gone.
    let dead = spawn_and_reap();
    let stale = dir.path().join(format!(".seg.csv.tailor-tmp-{dead}-0"));
    let older = dir.path().join(format!(".seg.xlsx.tmp-{dead}"));
    std::fs::write(&older, "x").unwrap();
    std::fs::write(&stale, "customer_id,email\n1,a@b.c\n").unwrap();
    // One of a live process (this one) is left alone.
    let live = dir
        .path()
        .join(format!(".other.csv.tailor-tmp-{}-0", std::process::id()));
    std::fs::write(&live, "x").unwrap();
    let out = dir.path().join("seg.csv");
    let run = tailor(&[
        "export",
        d,
        "--segment",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.exists());
    assert!(!stale.exists(), "a dead process's temporary is left behind");
    assert!(
        !older.exists(),
        "an earlier version's temporary is left behind"
    );
    assert!(live.exists(), "a live process's temporary was removed");
}

/// The id of a process that has ended.
fn spawn_and_reap() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let id = child.id();
    child.wait().unwrap();
    id
}

#[test]
fn two_imports_into_one_new_path_never_leave_a_broken_database() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    let rows = |prefix: &str| {
        let mut t = String::from("customer_id,region\n");
        for i in 0..20_000 {
            t.push_str(&format!("{prefix}{i},North\n"));
        }
        t
    };
    std::fs::write(&a, rows("a")).unwrap();
    std::fs::write(&b, rows("b")).unwrap();
    for round in 0..3 {
        let db = dir.path().join(format!("new{round}.sqlite"));
        let spawn = |file: &Path| {
            std::process::Command::new(env!("CARGO_BIN_EXE_tailor"))
                .args([
                    "import",
                    file.to_str().unwrap(),
                    "--db",
                    db.to_str().unwrap(),
                    "--table",
                    "customers",
                ])
                .output()
        };
        let (ra, rb) = std::thread::scope(|s| {
            let ha = s.spawn(|| spawn(&a).unwrap());
            let hb = s.spawn(|| spawn(&b).unwrap());
            (ha.join().unwrap(), hb.join().unwrap())
        });
        let conn = rusqlite::Connection::open(&db).unwrap();
        let count = |prefix: &str| -> i64 {
            conn.query_row(
                "SELECT COUNT(*) FROM customers WHERE customer_id LIKE ?1",
                [format!("{prefix}%")],
                |r| r.get(0),
            )
            .unwrap()
        };
        // Every import that says it succeeded has all its rows in the final file.
        for (run, prefix) in [(&ra, "a"), (&rb, "b")] {
            if run.status.success() {
                assert_eq!(count(prefix), 20_000, "round {round}: {prefix} exited 0");
            } else {
                assert_clean_error(run, "");
            }
        }
        assert!(ra.status.success() || rb.status.success());
        let leftovers: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "temporaries left: {leftovers:?}");
    }
}

#[test]
fn sample_replaces_only_a_database_it_made() {
    let dir = tempfile::tempdir().unwrap();
    // A marketer's database (imported, not generated) and a CSV are refused.
    let customers = dir.path().join("customers.csv");
    std::fs::write(&customers, "customer_id,name\nc1,Ann\nc2,Bob\n").unwrap();
    let mine = dir.path().join("mine.sqlite");
    let import = tailor(&[
        "import",
        "--db",
        mine.to_str().unwrap(),
        customers.to_str().unwrap(),
    ]);
    assert!(import.status.success());
    let mine_before = std::fs::read(&mine).unwrap();
    for target in [&mine, &customers] {
        let before = std::fs::read(target).unwrap();
        let out = tailor(&[
            "sample",
            "--customers",
            "20",
            "--out",
            target.to_str().unwrap(),
        ]);
        assert_clean_error(&out, "is not a sample database");
        assert_eq!(std::fs::read(target).unwrap(), before);
    }
    assert_eq!(std::fs::read(&mine).unwrap(), mine_before);

    // A sample is regenerated in place; its planted types cannot go over it.
    let db = sample(dir.path());
    let d = db.to_str().unwrap();
    let out = tailor(&["sample", "--customers", "20", "--out", d, "--types", d]);
    assert_clean_error(&out, "would overwrite the database");
    intact(&db);
    let out = tailor(&["sample", "--customers", "20", "--out", d]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 20);

    // Not while another program is writing it or left it half-written.
    std::fs::write(format!("{d}-journal"), b"journal").unwrap();
    let out = tailor(&["sample", "--customers", "30", "--out", d]);
    assert_clean_error(&out, "half-written");
}
