//! Issue 11, "Done when": a kill -9 at any point of any command leaves the database intact and
//! no temporary file behind after the next run.
//!
//! Every command is killed at several points: at once, a third and two thirds into its usual
//! run time, and at the two moments that matter most, found through Tailor's test hooks (a
//! database write done but not committed; a file's temporary complete but not renamed). After
//! each kill the customer tables are exactly as before (or, for an import, exactly as a complete
//! import leaves them) and SQLite finds the file sound; then the same command runs to the end,
//! writes what an uninterrupted run writes, and leaves no temporary or journal behind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::hash::{Hash, Hasher};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The customer tables' content, as one number, or `None` when there is no database.
fn fingerprint(db: &Path) -> Option<u64> {
    if !db.exists() {
        return None;
    }
    let conn = rusqlite::Connection::open(db).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok", "{}", db.display());
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for table in ["customers", "products", "transactions", "feedback"] {
        let exists: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        if exists == 0 {
            continue;
        }
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
            .unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..n {
                format!("{:?}", row.get_ref(i).unwrap()).hash(&mut h);
            }
        }
        table.hash(&mut h);
    }
    Some(h.finish())
}

/// One command as the test runs it: `{db}` and `{dir}` in its arguments name the database and
/// its folder; `prepare` runs first (the runs an export needs); `outputs` are the files it writes.
struct Case {
    args: &'static [&'static str],
    prepare: &'static [&'static [&'static str]],
    outputs: &'static [&'static str],
}

fn fill(args: &[&str], dir: &Path) -> Vec<String> {
    let db = dir.join("d.sqlite");
    args.iter()
        .map(|a| {
            a.replace("{db}", db.to_str().unwrap())
                .replace("{dir}", dir.to_str().unwrap())
        })
        .collect()
}

/// A folder with the sample as `d.sqlite`, `more.csv` (new orders and customers to import) and
/// whatever `prepare` runs.
fn scene(case: &Case) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::rename(common::sample_copy(dir.path()), dir.path().join("d.sqlite")).unwrap();
    let mut more = String::from("customer_id,ts,order_id,product_id,quantity,unit_price\n");
    for i in 0..40_000 {
        more.push_str(&format!(
            "N{},2024-12-{:02}T10:00:00,K{i},P{:04},1,{}.5\n",
            i % 3_000,
            1 + i % 28,
            1 + i % 400,
            1 + i % 90
        ));
    }
    std::fs::write(dir.path().join("more.csv"), more).unwrap();
    for step in case.prepare {
        let out = common::tailor(
            &fill(step, dir.path())
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    dir
}

fn command(case: &Case, dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tailor"));
    cmd.args(fill(case.args, dir))
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    cmd
}

/// The database the case reads or writes (`import --db {dir}/new.sqlite` writes a new one).
fn target(case: &Case, dir: &Path) -> PathBuf {
    let named = fill(case.args, dir)
        .into_iter()
        .find(|a| a.ends_with(".sqlite"))
        .unwrap();
    PathBuf::from(named)
}

/// Files Tailor must not leave behind once a run has finished.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tailor-tmp") || n.contains(".tmp-") || n.ends_with("-journal"))
        .collect()
}

/// Where to kill a run.
enum When {
    After(Duration),
    /// At a test hook's pause (its environment variable).
    Paused(&'static str),
}

/// Runs the case and kills it (SIGKILL) at `when`. Returns whether the kill came before the end.
fn kill(case: &Case, dir: &Path, when: &When) -> bool {
    let mut cmd = command(case, dir);
    cmd.stderr(Stdio::piped());
    if let When::Paused(var) = when {
        cmd.env(var, "60000");
    }
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (paused_tx, paused) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("stderr".into())
        .spawn(move || {
            let lines = std::io::BufReader::new(stderr).lines();
            for line in lines.map_while(Result::ok) {
                if line.starts_with("test pause:") {
                    let _ = paused_tx.send(());
                }
            }
        })
        .unwrap();
    match when {
        When::After(d) => std::thread::sleep(*d),
        When::Paused(_) => {
            let deadline = Instant::now() + Duration::from_secs(120);
            while Instant::now() < deadline && child.try_wait().unwrap().is_none() {
                if paused.recv_timeout(Duration::from_millis(20)).is_ok() {
                    break;
                }
            }
        }
    }
    let before_end = child.try_wait().unwrap().is_none();
    child.kill().unwrap_or(());
    child.wait().unwrap();
    before_end
}

fn check_kills(case: &Case, writes_db: bool, writes_file: bool) {
    // An uninterrupted run: how long it takes, and what it leaves.
    let reference = scene(case);
    let started = Instant::now();
    let out = command(case, reference.path()).output().unwrap();
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let complete = fingerprint(&target(case, reference.path()));

    let mut points = vec![
        When::After(Duration::ZERO),
        When::After(took / 3),
        When::After(took * 2 / 3),
    ];
    if writes_db {
        points.push(When::Paused("TAILOR_TEST_PAUSE_BEFORE_COMMIT_MS"));
    }
    if writes_file {
        points.push(When::Paused("TAILOR_TEST_PAUSE_BEFORE_RENAME_MS"));
    }
    for when in &points {
        let dir = scene(case);
        let db = target(case, dir.path());
        let before = fingerprint(&db);
        let interrupted = kill(case, dir.path(), when);
        let now = fingerprint(&db);
        if let When::Paused(var) = when {
            assert!(interrupted, "{:?} never paused at {var}", case.args);
            assert!(
                now == before,
                "{:?}: killed at {var}, the data changed",
                case.args
            );
        }
        assert!(
            now == before || now == complete,
            "{:?}: a kill -9 left the customer tables half-changed",
            case.args
        );

        // The next run finishes, writes what an uninterrupted run writes, and cleans up.
        let out = command(case, dir.path()).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            leftovers(dir.path()),
            Vec::<String>::new(),
            "{:?}",
            case.args
        );
        for file in case.outputs {
            assert_eq!(
                std::fs::read(dir.path().join(file)).unwrap(),
                std::fs::read(reference.path().join(file)).unwrap(),
                "{file} of {:?}",
                case.args
            );
        }
    }
}

const SEGMENT: &[&str] = &["segment", "{db}", "--k", "4"];
const CHURN: &[&str] = &["churn", "{db}"];

#[test]
fn kill_9_during_an_append_import() {
    let case = Case {
        args: &["import", "--db", "{db}", "{dir}/more.csv"],
        prepare: &[],
        outputs: &[],
    };
    check_kills(&case, true, false);
}

#[test]
fn kill_9_during_an_import_into_a_new_database() {
    let case = Case {
        args: &["import", "--db", "{dir}/new.sqlite", "{dir}/more.csv"],
        prepare: &[],
        outputs: &[],
    };
    check_kills(&case, true, true);
}

#[test]
fn kill_9_during_sample() {
    let case = Case {
        args: &["sample", "--customers", "3000", "--out", "{dir}/new.sqlite"],
        prepare: &[],
        outputs: &[],
    };
    check_kills(&case, false, true);
}

#[test]
fn kill_9_during_segment() {
    let case = Case {
        args: &["segment", "{db}", "--k", "4", "--out", "{dir}/seg.csv"],
        prepare: &[],
        outputs: &["seg.csv"],
    };
    check_kills(&case, true, true);
}

#[test]
fn kill_9_during_churn() {
    let case = Case {
        args: &["churn", "{db}", "--out", "{dir}/churn.csv"],
        prepare: &[],
        outputs: &["churn.csv"],
    };
    check_kills(&case, true, true);
}

#[test]
fn kill_9_during_clv() {
    let case = Case {
        args: &["clv", "{db}", "--out", "{dir}/clv.csv"],
        prepare: &[],
        outputs: &["clv.csv"],
    };
    check_kills(&case, true, true);
}

#[test]
fn kill_9_during_export() {
    let case = Case {
        args: &["export", "{db}", "--segment", "1", "--out", "{dir}/e.csv"],
        prepare: &[SEGMENT],
        outputs: &["e.csv"],
    };
    check_kills(&case, false, true);
}

#[test]
fn kill_9_during_campaign() {
    let case = Case {
        args: &[
            "campaign",
            "{db}",
            "--segment",
            "1",
            "--offers",
            "--out",
            "{dir}/c.csv",
        ],
        prepare: &[SEGMENT, CHURN],
        outputs: &["c.csv"],
    };
    check_kills(&case, false, true);
}

#[test]
fn kill_9_during_the_reading_commands() {
    for args in [
        &["check", "{db}"][..],
        &["recommend", "{db}", "--customer", "100001"],
        &[
            "audit",
            "{db}",
            "--attribute",
            "gender",
            "--decision",
            "churn-top:0.2",
        ],
        &["evaluate-recs", "{db}"],
    ] {
        let case = Case {
            args,
            prepare: &[CHURN],
            outputs: &[],
        };
        check_kills(&case, false, false);
    }
}
