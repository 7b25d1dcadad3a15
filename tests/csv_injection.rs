//! Spreadsheet formula injection (issue 11, finding 4): customer values that start with `=`,
//! `+`, `-` or `@` are written with a leading `'` by `export --audience`, `export --segment` and
//! `segment --out`, so a spreadsheet shows them as text instead of running them; numbers are
//! written as numbers, without the `'`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::tailor;

/// Customers whose ids, names and regions start like formulas (and some that do not).
const CUSTOMERS: &str = "customer_id,name,region,gender,balance,consent_email
=C1,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"open\"\")\",+North,F,-3.5,1
@C2,@SUM(A1:A9),-South,M,2,1
-C3,-2+3,=East,F,-1,1
+C4,+cmd|' /C calc'!A0,@West,M,0.25,1
C5,Plain Name,North,F,1,1
C6,\"Smith, Jo\",South,M,-7,1
C7,Ann,East,F,3,1
C8,Bob,West,M,4,1
";

/// The customers' ids in file order.
const IDS: [&str; 8] = ["=C1", "@C2", "-C3", "+C4", "C5", "C6", "C7", "C8"];

fn ok(args: &[&str]) {
    let run = tailor(args);
    assert!(
        run.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// A database of the customers above, with a few purchases each.
fn database(dir: &Path) -> String {
    let customers = dir.join("customers.csv");
    std::fs::write(&customers, CUSTOMERS).unwrap();
    let mut tx = String::from("customer_id,date,product_id,quantity,price\n");
    for (i, id) in IDS.iter().enumerate() {
        for k in 0..=i {
            let id = format!("\"{}\"", id.replace('"', "\"\""));
            tx.push_str(&format!(
                "{id},2024-{:02}-{:02},P{},1,{}\n",
                k % 12 + 1,
                i + 1,
                k % 3,
                (i + 1) * 10
            ));
        }
    }
    let transactions = dir.join("transactions.csv");
    std::fs::write(&transactions, tx).unwrap();
    let db = dir.join("shop.sqlite");
    let db = db.to_str().unwrap().to_string();
    ok(&[
        "import",
        customers.to_str().unwrap(),
        transactions.to_str().unwrap(),
        "--db",
        &db,
    ]);
    db
}

/// The header and the rows of a CSV file, as a spreadsheet would read the cells.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    let mut lines = reader
        .into_records()
        .map(|r| r.unwrap().iter().map(String::from).collect::<Vec<_>>());
    let header = lines.next().unwrap();
    (header, lines.collect())
}

/// What a text value must look like in the file: a leading `'` when it starts like a formula.
fn neutralised(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

/// The customers file's values by id, column by column.
fn source() -> HashMap<String, HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(CUSTOMERS.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let cells: HashMap<String, String> = header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect();
            (cells["customer_id"].clone(), cells)
        })
        .collect()
}

/// Checks an export: every text cell from the customers file neutralised, numbers untouched.
fn assert_neutralised(path: &Path, expect_rows: usize) {
    let (header, rows) = read_csv(path);
    assert_eq!(rows.len(), expect_rows, "{header:?} {rows:?}");
    for h in ["customer_id", "name", "region", "balance"] {
        assert!(header.iter().any(|c| c == h), "{h} missing from {header:?}");
    }
    let source = source();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let by_written_id: HashMap<String, &HashMap<String, String>> = source
        .values()
        .map(|cells| (neutralised(&cells["customer_id"]), cells))
        .collect();
    for row in &rows {
        let cells = by_written_id
            .get(&row[col("customer_id")])
            .unwrap_or_else(|| panic!("unexpected id {:?}", row[col("customer_id")]));
        for name in ["name", "region"] {
            assert_eq!(row[col(name)], neutralised(&cells[name]), "{name}");
        }
        // A number is written as a number: -3.5, never '-3.5.
        assert_eq!(row[col("balance")], cells["balance"], "balance");
    }
    let raw = std::fs::read_to_string(path).unwrap();
    assert!(raw.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"open\"\")\""));
    assert!(raw.contains(",-3.5,") || raw.contains(",-3.5\n"), "{raw}");
}

#[test]
fn formula_like_cells_are_neutralised_in_every_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());

    // segment --out: the ids.
    let seg = dir.path().join("seg.csv");
    ok(&[
        "segment",
        &db,
        "--method",
        "kmeans",
        "--k",
        "2",
        "--seed",
        "7",
        "--out",
        seg.to_str().unwrap(),
    ]);
    let (header, rows) = read_csv(&seg);
    assert_eq!(header[..2], ["customer_id", "segment_id"]);
    let mut ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    ids.sort_unstable();
    let mut expected: Vec<String> = IDS.iter().map(|id| neutralised(id)).collect();
    expected.sort_unstable();
    assert_eq!(ids, expected);
    assert!(
        rows.iter().all(|r| r[1].parse::<usize>().is_ok()),
        "{rows:?}"
    );

    // export --audience, personal data asked for so names are written too.
    let list = dir.path().join("audience.csv");
    let mut audience = String::from("customer_id,note\n");
    for id in IDS {
        audience.push_str(&format!("{id},-call back\n"));
    }
    std::fs::write(&list, audience).unwrap();
    let out = dir.path().join("audience_out.csv");
    ok(&[
        "export",
        &db,
        "--audience",
        list.to_str().unwrap(),
        "--include-pii",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_neutralised(&out, IDS.len());
    let (header, rows) = read_csv(&out);
    let note = header.iter().position(|h| h == "note").unwrap();
    assert!(rows.iter().all(|r| r[note] == "'-call back"), "{rows:?}");

    // export --segment: the segment of the first customer.
    let segment = rows_segment(&seg, "'=C1");
    let members = read_csv(&seg).1.iter().filter(|r| r[1] == segment).count();
    let out = dir.path().join("segment_out.csv");
    ok(&[
        "export",
        &db,
        "--segment",
        &segment,
        "--include-pii",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_neutralised(&out, members);
}

/// The segment id written for `id` in a `segment --out` file.
fn rows_segment(path: &Path, id: &str) -> String {
    read_csv(path)
        .1
        .into_iter()
        .find(|r| r[0] == id)
        .map(|r| r[1].clone())
        .unwrap()
}
