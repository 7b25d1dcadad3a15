//! Issue 11, "Privacy by content": `--role email=feature` at import made every later export
//! write emails and phones; an `--audience` file's columns were judged by name only (`contact`
//! holding emails, `iban`, `credit_card`, `dob` passed); ids that are not in the database counted
//! as "without consent", and with `--include-no-consent` became blank rows. Now a column whose
//! values look like personal data is personal data whatever its name or role, the export says
//! why it left it out, and unknown ids are reported, never written.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{read_csv, tailor};

fn json(args: &[&str]) -> serde_json::Value {
    let run = tailor(args);
    assert!(
        run.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).unwrap()
}

fn notes(v: &serde_json::Value) -> Vec<String> {
    v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_role_cannot_turn_emails_and_phones_into_features() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("customers.csv");
    let mut text = String::from("customer_id,email,mobile,region\n");
    for i in 0..40 {
        text.push_str(&format!(
            "c{i},person{i}@example.org,+44 7700 900{i:03},{}\n",
            if i % 2 == 0 { "North" } else { "South" }
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let db = dir.path().join("x.sqlite");
    let d = db.to_str().unwrap();
    let run = tailor(&[
        "import",
        csv.to_str().unwrap(),
        "--db",
        d,
        "--table",
        "customers",
        "--role",
        "email=feature",
        "--role",
        "phone=feature",
    ]);
    assert!(run.status.success());
    let ids = dir.path().join("ids.csv");
    std::fs::write(&ids, "customer_id\nc1\nc2\n").unwrap();
    let out = dir.path().join("out.csv");
    let v = json(&[
        "export",
        d,
        "--audience",
        ids.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    let (header, rows) = read_csv(&out);
    assert_eq!(rows.len(), 2);
    assert!(
        !header.iter().any(|h| h == "email" || h == "mobile"),
        "{header:?}"
    );
    assert!(header.iter().any(|h| h == "region"), "{header:?}");
    let said = notes(&v).join(" | ");
    assert!(said.contains("email (holds email addresses)"), "{said}");
    // A `mobile` column is imported as `phone`.
    assert!(said.contains("phone (holds phone numbers)"), "{said}");
    // Asked for, they are written.
    let v = json(&[
        "export",
        d,
        "--audience",
        ids.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--include-pii",
        "--json",
    ]);
    assert_eq!(v["included_pii"], true);
    let (header, _) = read_csv(&out);
    assert!(header.iter().any(|h| h == "email"), "{header:?}");
}

#[test]
fn audience_columns_are_judged_by_their_values_and_unknown_ids_are_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::sample_copy(dir.path());
    let file = dir.path().join("audience.csv");
    let mut text = String::from("customer_id,contact,iban,credit_card,dob,offer\n");
    let ibans = ["GB82 WEST 1234 5698 7654 32", "DE89370400440532013000"];
    let cards = ["4111 1111 1111 1111", "5555555555554444"];
    for (k, id) in ["100001", "100003", "100004", "100006"].iter().enumerate() {
        text.push_str(&format!(
            "{id},someone{k}@mail.example,{},{},19{}-0{}-1{},Tea\n",
            ibans[k % 2],
            cards[k % 2],
            60 + 7 * k,
            k + 1,
            k
        ));
    }
    // Two ids that are not customers.
    text.push_str("999999998,x@y.org,,,,Tea\nghost,z@y.org,,,,Tea\n");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out.csv");
    let v = json(&[
        "export",
        &db,
        "--audience",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--include-no-consent",
        "--json",
    ]);
    let (header, rows) = read_csv(&out);
    for personal in ["contact", "iban", "credit_card", "dob"] {
        assert!(
            !header.iter().any(|h| h == personal),
            "{personal} in {header:?}"
        );
    }
    assert!(header.iter().any(|h| h == "offer"), "{header:?}");
    assert_eq!(rows.len(), 4, "unknown ids became rows");
    assert_eq!(v["unknown_ids"], 2);
    let said = notes(&v).join(" | ");
    assert!(said.contains("contact (holds email addresses)"), "{said}");
    assert!(
        said.contains("iban (holds bank account numbers (IBAN))"),
        "{said}"
    );
    assert!(
        said.contains("credit_card (holds payment card numbers)"),
        "{said}"
    );
    assert!(said.contains("dob (holds dates of birth)"), "{said}");
    assert!(
        said.contains("2 ids not in the customers table left out (first: 999999998)"),
        "{said}"
    );
    // Without --include-no-consent, unknown ids are not counted as "without consent" either.
    let v = json(&[
        "export",
        &db,
        "--audience",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let no_consent: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM customers WHERE customer_id IN ('100001', '100003', '100004', '100006')
             AND NOT consent_email = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(v["left_out_no_consent"], no_consent);
    assert_eq!(v["unknown_ids"], 2);
}
