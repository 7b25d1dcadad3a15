//! `tailor export` end to end: no personal data unless asked, no customer without consent in a
//! campaign export, typed XLSX, the export log, and a kill before the rename leaves nothing at
//! the target path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{assert_clean_error, read_csv, sample_copy, tailor};

fn segmented_sample(dir: &Path) -> String {
    let db = sample_copy(dir);
    assert!(
        tailor(&["segment", &db, "--method", "kmeans", "--k", "4"])
            .status
            .success()
    );
    db
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
    assert!(stdout.contains("1 customer without consent"), "{stdout}");

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
            .any(|e| e.unwrap().file_name().to_string_lossy().contains("tmp-"))
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
    // The next export there writes the file and removes what the killed one left.
    let run = tailor(&[
        "export",
        &db,
        "--segment",
        "1",
        "--out",
        target.to_str().unwrap(),
    ]);
    assert!(run.status.success());
    assert!(target.exists());
    assert!(!temp_exists(), "a temporary is left behind");
}

fn export_json(args: &[&str]) -> serde_json::Value {
    let run = tailor(args);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).unwrap()
}

#[test]
fn an_audience_files_personal_columns_are_left_out_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_copy(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    let ids: Vec<(String, String)> = conn
        .prepare(
            "SELECT customer_id, email FROM customers WHERE consent_email = 1 AND email LIKE '%@%'
             ORDER BY customer_id LIMIT 2",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ids.len(), 2);
    // `region` is a feature of the customers table; the user marks it personal data.
    conn.execute(
        "INSERT INTO tailor_columns (table_name, column_name, role) VALUES ('customers', 'region', 'pii')",
        [],
    )
    .unwrap();
    drop(conn);
    let list = dir.path().join("audience.csv");
    let mut text = String::from("customer_id,contact_email,Full Name,Region,offer\n");
    for (id, email) in &ids {
        text.push_str(&format!("{id},{email},Ann Example,North,P0001\n"));
    }
    std::fs::write(&list, text).unwrap();

    let out = dir.path().join("campaign.csv");
    let summary = export_json(&[
        "export",
        &db,
        "--audience",
        list.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    let (header, rows) = read_csv(&out);
    for pii in [
        "contact_email",
        "Full Name",
        "Region",
        "region",
        "email",
        "name",
    ] {
        assert!(!header.iter().any(|h| h == pii), "{pii} in {header:?}");
    }
    assert_eq!(header.last().unwrap(), "offer");
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.last().unwrap() == "P0001"));
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(!written.contains('@'), "an email address leaked: {written}");
    assert!(!written.contains("Ann Example"), "a name leaked: {written}");
    assert_eq!(
        summary["pii_left_out"],
        serde_json::json!([
            "name",
            "email",
            "phone",
            "region",
            "contact_email",
            "Full Name"
        ])
    );
    assert_eq!(summary["columns"], serde_json::json!(header));
    assert_eq!(summary["customers"], 2);

    // Asked for: the audience's own personal columns are written too, values untouched.
    let all = dir.path().join("all.csv");
    let summary = export_json(&[
        "export",
        &db,
        "--audience",
        list.to_str().unwrap(),
        "--out",
        all.to_str().unwrap(),
        "--include-pii",
        "--json",
    ]);
    let (header, rows) = read_csv(&all);
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(rows[0][at("contact_email")], ids[0].1);
    assert_eq!(rows[0][at("Full Name")], "Ann Example");
    assert_eq!(rows[0][at("Region")], "North");
    assert_eq!(summary["pii_left_out"], serde_json::json!([]));
    assert_eq!(summary["included_pii"], true);
}

/// A customers table without a consent column: 6 women married in Leeds, 4 single men in York,
/// 2 married men in York; `loyalty_code` is personal data by a stored role.
fn small_db(dir: &Path) -> String {
    let path = dir.join("small.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE customers (customer_id TEXT NOT NULL, gender TEXT, marital_status TEXT,
             home_city TEXT, email TEXT, loyalty_code TEXT, spend REAL);
         CREATE TABLE tailor_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
             role TEXT NOT NULL, PRIMARY KEY (table_name, column_name));
         INSERT INTO tailor_columns VALUES ('customers', 'loyalty_code', 'pii');",
    )
    .unwrap();
    let groups = [
        ("F", "married", "Leeds", 6),
        ("M", "single", "York", 4),
        ("M", "married", "York", 2),
    ];
    let mut n = 0;
    for (gender, marital, city, count) in groups {
        for _ in 0..count {
            n += 1;
            conn.execute(
                "INSERT INTO customers VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                rusqlite::params![
                    format!("C{n:02}"),
                    gender,
                    marital,
                    city,
                    format!("c{n}@example.com"),
                    format!("L-{n}"),
                    f64::from(n) * 10.0
                ],
            )
            .unwrap();
        }
    }
    path.to_str().unwrap().to_string()
}

#[test]
fn without_a_consent_column_the_export_says_so_and_warns_on_small_groups_and_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let db = small_db(dir.path());
    let list = dir.path().join("everyone.csv");
    let mut text = String::from("customer_id,Loyalty Code,offer\n");
    for n in 1..=12 {
        text.push_str(&format!("C{n:02},X{n},P{n}\n"));
    }
    std::fs::write(&list, text).unwrap();
    let out = dir.path().join("out.csv");
    let summary = export_json(&[
        "export",
        &db,
        "--audience",
        list.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    let notes: Vec<String> = summary["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    assert_eq!(summary["consent_column"], serde_json::Value::Null);
    assert_eq!(summary["left_out_no_consent"], 0);
    assert_eq!(summary["rows"], 12);
    assert!(
        notes.contains(
            &"The customers table has no consent column: no one was left out".to_string()
        ),
        "{notes:?}"
    );
    // gender and marital_status are protected, home_city is a place: the smallest group is
    // the 2 married men in York.
    let k = &summary["k_anonymity"];
    assert_eq!(
        k["quasi_identifiers"],
        serde_json::json!(["gender", "marital_status", "home_city"])
    );
    assert_eq!(k["smallest_group"], 2);
    assert_eq!(k["k"], 5);
    assert_eq!(k["ok"], false);
    assert!(
        notes.iter().any(|n| n.starts_with("Warning: 2 customers share the rarest combination of gender, marital_status, home_city (k-anonymity 2 < 5)")),
        "{notes:?}"
    );
    // The stored role makes loyalty_code personal data, and the audience's "Loyalty Code" too
    // (the same column by name: listed once).
    assert_eq!(
        summary["pii_left_out"],
        serde_json::json!(["email", "loyalty_code"])
    );
    let (header, rows) = read_csv(&out);
    assert_eq!(
        header,
        [
            "customer_id",
            "gender",
            "marital_status",
            "home_city",
            "spend",
            "offer"
        ]
    );
    assert_eq!(rows.len(), 12);
    assert_eq!(rows[11], ["C12", "M", "married", "York", "120", "P12"]);

    // The export log.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let last = || -> (String, i64, String, String, i64) {
        conn.query_row(
            "SELECT file, rows, columns, filters, included_pii FROM tailor_exports
             ORDER BY export_id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap()
    };
    let (file, logged_rows, columns, filters, included_pii) = last();
    assert_eq!(
        Path::new(&file),
        std::fs::canonicalize(&out).unwrap().as_path()
    );
    assert_eq!(file, summary["file"].as_str().unwrap());
    assert_eq!(logged_rows, 12);
    let columns: Vec<String> = serde_json::from_str(&columns).unwrap();
    assert_eq!(columns, header);
    let filters: serde_json::Value = serde_json::from_str(&filters).unwrap();
    assert_eq!(
        filters,
        serde_json::json!({
            "audience": format!("audience file {}", list.display()),
            "include_no_consent": false,
            "left_out_no_consent": 0,
        })
    );
    assert_eq!(included_pii, 0);

    // k = 2 is met; personal data asked for is written and logged as such.
    let out2 = dir.path().join("out2.xlsx");
    let summary = export_json(&[
        "export",
        &db,
        "--audience",
        list.to_str().unwrap(),
        "--out",
        out2.to_str().unwrap(),
        "--include-pii",
        "--k-anonymity",
        "2",
        "--json",
    ]);
    assert_eq!(summary["k_anonymity"]["ok"], true);
    assert!(
        summary["notes"].as_array().unwrap().iter().any(|n| n
            .as_str()
            .unwrap()
            .ends_with("is shared by at least 2 customers")),
        "{summary}"
    );
    let (file, logged_rows, columns, _, included_pii) = last();
    assert!(file.ends_with("out2.xlsx"), "{file}");
    assert_eq!((logged_rows, included_pii), (12, 1));
    let columns: Vec<String> = serde_json::from_str(&columns).unwrap();
    assert!(columns.iter().any(|c| c == "email"), "{columns:?}");
    assert!(columns.iter().any(|c| c == "Loyalty Code"), "{columns:?}");
}
