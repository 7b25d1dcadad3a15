//! `tailor export` end to end: no personal data unless asked, no customer without consent in a
//! campaign export, typed XLSX, the export log, and a kill before the rename leaves nothing at
//! the target path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{assert_clean_error, tailor};

fn segmented_sample(dir: &Path) -> String {
    let path = dir.join("demo.sqlite");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_db/demo.sqlite"),
        &path,
    )
    .unwrap();
    let db = path.to_str().unwrap().to_string();
    assert!(
        tailor(&["segment", &db, "--method", "kmeans", "--k", "4"])
            .status
            .success()
    );
    db
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn segment_export_leaves_out_pii_and_non_consenting_customers() {
    let dir = tempfile::tempdir().unwrap();
    let db = segmented_sample(dir.path());
    let out = dir.path().join("seg.csv");
    let run = tailor(&[
        "export",
        &db,
        "--segment",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let (header, rows) = read_csv(&out);
    for pii in ["name", "email", "phone"] {
        assert!(!header.iter().any(|h| h == pii), "{pii} in {header:?}");
    }
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        !text.contains('@'),
        "an email address leaked into the export"
    );

    let conn = rusqlite::Connection::open(&db).unwrap();
    let consent = |id: &str| -> Option<i64> {
        conn.query_row(
            "SELECT consent_email FROM customers WHERE customer_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
    };
    let id_col = header.iter().position(|h| h == "customer_id").unwrap();
    for row in &rows {
        assert_eq!(
            consent(&row[id_col]),
            Some(1),
            "{} has no consent",
            row[id_col]
        );
    }
    let members: Vec<String> = conn
        .prepare(
            "SELECT customer_id FROM tailor_segments WHERE segment_id = 1 AND run_id =
                 (SELECT MAX(run_id) FROM tailor_runs WHERE kind = 'segment')",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let without: usize = members.iter().filter(|id| consent(id) != Some(1)).count();
    assert!(without > 0, "the sample has customers without consent");
    assert_eq!(rows.len() + without, members.len());
    assert_eq!(summary["left_out_no_consent"], without as u64);
    assert_eq!(summary["rows"], rows.len() as u64);
    assert_eq!(summary["consent_column"], "consent_email");
    assert!(summary["k_anonymity"]["smallest_group"].as_u64().is_some());

    let (included_pii, logged_rows): (i64, i64) = conn
        .query_row(
            "SELECT included_pii, rows FROM tailor_exports ORDER BY export_id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((included_pii, logged_rows), (0, rows.len() as i64));

    // Asked for: personal data and everyone.
    let all = dir.path().join("all.csv");
    let run = tailor(&[
        "export",
        &db,
        "--segment",
        "1",
        "--out",
        all.to_str().unwrap(),
        "--include-pii",
        "--include-no-consent",
    ]);
    assert!(run.status.success());
    let (header, rows) = read_csv(&all);
    assert!(header.iter().any(|h| h == "email"));
    assert_eq!(rows.len(), members.len());
}

#[test]
fn xlsx_has_a_header_and_typed_cells_and_audience_files_keep_their_columns() {
    let dir = tempfile::tempdir().unwrap();
    let db = segmented_sample(dir.path());
    let out = dir.path().join("seg.xlsx");
    assert!(
        tailor(&[
            "export",
            &db,
            "--segment",
            "0",
            "--out",
            out.to_str().unwrap()
        ])
        .status
        .success()
    );
    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    let sheet = book.worksheet_range("Audience").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[0], "customer_id");
    let by = header.iter().position(|h| h == "birth_year").unwrap();
    let first = sheet.rows().nth(1).unwrap();
    assert!(matches!(first[by], Data::Float(_)), "{:?}", first[by]);
    assert!(matches!(first[0], Data::String(_)));

    // An audience file: one customer with consent, one without, and an offer column.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let yes: String = conn
        .query_row(
            "SELECT customer_id FROM customers WHERE consent_email = 1 LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let no: String = conn
        .query_row(
            "SELECT customer_id FROM customers WHERE COALESCE(consent_email, 0) = 0 LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let list = dir.path().join("audience.csv");
    std::fs::write(
        &list,
        format!("customer_id,offer\n{yes},P0001\n{no},P0002\n"),
    )
    .unwrap();
    let out = dir.path().join("campaign.csv");
    let run = tailor(&[
        "export",
        &db,
        "--audience",
        list.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (header, rows) = read_csv(&out);
    assert_eq!(header.last().unwrap(), "offer");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], yes);
    assert_eq!(rows[0].last().unwrap(), "P0001");
    let stdout = String::from_utf8(run.stdout).unwrap();
    assert!(stdout.contains("1 customer(s) without consent"), "{stdout}");

    assert_clean_error(
        &tailor(&["export", &db, "--segment", "0", "--out", "x.txt"]),
        "must end in .csv or .xlsx",
    );
    assert_clean_error(
        &tailor(&["export", &db, "--segment", "42", "--out", "x.csv"]),
        "has no segment 42",
    );
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "id,offer\n1,2\n").unwrap();
    assert_clean_error(
        &tailor(&[
            "export",
            &db,
            "--audience",
            bad.to_str().unwrap(),
            "--out",
            "x.csv",
        ]),
        "no customer_id column",
    );
}

#[test]
fn a_kill_before_the_rename_leaves_no_file_at_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let db = segmented_sample(dir.path());
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let target = out_dir.join("campaign.csv");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args([
            "export",
            &db,
            "--segment",
            "1",
            "--out",
            target.to_str().unwrap(),
        ])
        .env("TAILOR_TEST_PAUSE_BEFORE_RENAME_MS", "30000")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let temp_exists = || {
        std::fs::read_dir(&out_dir)
            .unwrap()
            .any(|e| e.unwrap().file_name().to_string_lossy().contains(".tmp-"))
    };
    while !temp_exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "no temporary file appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    assert!(
        !target.exists(),
        "a killed export left a file at the target path"
    );
}
