//! Issue 11, "Import stores bad data with exit 0": a UTF-16 CSV (Excel's "Unicode Text") imported
//! as garbage ids; NUL bytes were kept in ids; an unterminated quote swallowed the rows after it
//! with no warning; Excel's 1900-01-01 became 1899-12-31; a column named `rowid` shadowed
//! SQLite's; a 1 MB `.csv.gz` holding one huge field took 3 GB before failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::path::Path;

use common::{assert_clean_error, tailor};

fn import(file: &Path, db: &Path) -> std::process::Output {
    tailor(&[
        "import",
        file.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--table",
        "customers",
    ])
}

fn ids(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT customer_id FROM customers ORDER BY customer_id")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_utf16_file_from_excel_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unicode.txt");
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "customer_id\tregion\r\nc1\tZürich\r\nc2\tMálaga\r\n".encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    std::fs::write(&file, bytes).unwrap();
    let db = dir.path().join("x.sqlite");
    let run = import(&file, &db);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(String::from_utf8_lossy(&run.stdout).contains("UTF-16"));
    assert_eq!(ids(&db), ["c1", "c2"]);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let region: String = conn
        .query_row(
            "SELECT region FROM customers WHERE customer_id = 'c1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(region, "Zürich");
}

#[test]
fn ids_with_control_characters_are_skipped_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nul.csv");
    std::fs::write(
        &file,
        b"customer_id,region\nc1,North\nc\x002,South\nc3,East\n",
    )
    .unwrap();
    let db = dir.path().join("x.sqlite");
    let run = import(&file, &db);
    assert!(run.status.success());
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(
        text.contains("1 skipped: id holds a control character (NUL, escape…) (first at line 3"),
        "{text}"
    );
    assert_eq!(ids(&db), ["c1", "c3"]);
}

#[test]
fn an_unterminated_quote_is_an_error_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("quote.csv");
    std::fs::write(
        &file,
        "customer_id,region,note\nc1,North,fine\nc2,South,\"oops\nc3,East,x\nc4,West,y\n",
    )
    .unwrap();
    let db = dir.path().join("x.sqlite");
    assert_clean_error(
        &import(&file, &db),
        "line 3: a quote opened there is never closed",
    );
    assert!(!db.exists(), "a failed import left a database");
    // A quoted field that spans lines legitimately is kept.
    std::fs::write(
        &file,
        "customer_id,region,address\nc1,North,\"12 High Street\nLeeds\"\nc2,South,x\n",
    )
    .unwrap();
    let run = import(&file, &db);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(ids(&db), ["c1", "c2"]);
}

#[test]
fn excel_dates_of_early_1900_are_right() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dates.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_string(0, 0, "customer_id").unwrap();
    sheet.write_string(0, 1, "signup_date").unwrap();
    for (row, (id, y, m, d)) in [("c1", 1900, 1, 1), ("c2", 1900, 3, 1), ("c3", 2011, 12, 9)]
        .into_iter()
        .enumerate()
    {
        let row = row as u32 + 1;
        sheet.write_string(row, 0, id).unwrap();
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(y, m, d).unwrap();
        sheet
            .write_datetime_with_format(row, 1, &date, &format)
            .unwrap();
    }
    book.save(&file).unwrap();
    let db = dir.path().join("x.sqlite");
    let run = import(&file, &db);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let dates: Vec<String> = conn
        .prepare("SELECT signup_date FROM customers ORDER BY customer_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(dates, ["1900-01-01", "1900-03-01", "2011-12-09"]);
}

#[test]
fn a_rowid_column_is_renamed_and_a_huge_field_fails_early() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rowid.csv");
    std::fs::write(&file, "customer_id,rowid,region\nc1,7,North\nc2,8,South\n").unwrap();
    let db = dir.path().join("x.sqlite");
    let run = import(&file, &db);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        String::from_utf8_lossy(&run.stdout).contains("column rowid renamed rowid_"),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let kept: i64 = conn
        .query_row("SELECT SUM(rowid_) FROM customers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 15);

    // 40 MB of one field, compressed to a few kilobytes.
    let gz = dir.path().join("bomb.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::best(),
    );
    enc.write_all(b"customer_id,region\nc1,").unwrap();
    let block = vec![b'A'; 1 << 20];
    for _ in 0..40 {
        enc.write_all(&block).unwrap();
    }
    enc.finish().unwrap();
    let other = dir.path().join("y.sqlite");
    assert_clean_error(&import(&gz, &other), "longer than 16 MB");
}
