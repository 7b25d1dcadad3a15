//! The window, driven without a display by egui_kittest: open, navigate, errors, cancel.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable;
use tailor::app::{Command, DbView};
use tailor::data::sample::SampleOptions;

mod ui_common;
use ui_common::*;

fn write_db(dir: &Path, name: &str, customers: usize) -> PathBuf {
    let path = dir.join(name);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, name TEXT, email TEXT, gender TEXT, region TEXT);
         CREATE TABLE products (product_id TEXT PRIMARY KEY, name TEXT, category TEXT, price REAL);
         CREATE TABLE transactions (customer_id TEXT, ts TEXT, product_id TEXT, amount REAL);
         INSERT INTO products VALUES ('P1', 'Tea', 'Drinks', 3.5), ('P2', 'Cake', 'Food', 4.25);",
    )
    .unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    for i in 0..customers {
        tx.execute(
            "INSERT INTO customers VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![
                format!("C{i:05}"),
                format!("Person {i}"),
                format!("p{i}@example.com"),
                if i % 2 == 0 { "F" } else { "M" },
                ["North", "South", "East"][i % 3]
            ],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO transactions VALUES (?1, '2024-01-02', 'P1', 3.5)",
            [format!("C{i:05}")],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    path
}

#[test]
fn opens_a_database_and_shows_tables_with_row_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_db(dir.path(), "shop.sqlite", 1234);
    let mut h = data_harness(Some(path));
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| has_label(
            h,
            "1,234 rows"
        )),
        "row count never appeared"
    );
    // The panel's headline says what the database holds.
    assert!(
        has_label(
            &h,
            "1,234 customers, 2 products and 1,234 transaction lines."
        ),
        "{}",
        dump(&h)
    );
    for label in [
        "customers",
        "products",
        "transactions",
        "2 rows",
        "shop.sqlite",
    ] {
        assert!(has_label(&h, label), "missing {label}");
    }
    // The first rows stream into the grid, personal data masked until revealed.
    assert!(step_until(&mut h, Duration::from_secs(10), |h| has_label(
        h, "C00000"
    )));
    assert!(!has_label(&h, "p0@example.com"));
    click(&mut h, "Show personal data");
    assert!(step_until(&mut h, Duration::from_secs(10), |h| has_label(
        h,
        "p0@example.com"
    )));

    // Presentation mode masks personal data.
    click(&mut h, "Presentation mode");
    assert!(step_until(&mut h, Duration::from_secs(5), |h| has_label(
        h,
        "•••"
    )));
    assert!(!has_label(&h, "p0@example.com"));
    click(&mut h, "Presentation mode");

    // Another table.
    click(&mut h, "products");
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| has_label(h, "Cake")),
        "{}",
        dump(&h)
    );

    // Columns and roles: guessed roles are shown.
    click(&mut h, "customers");
    click(&mut h, "Columns and roles");
    assert!(
        step_until(&mut h, Duration::from_secs(5), |h| has_label(
            h,
            "Guessed from the name"
        )),
        "{}",
        dump(&h)
    );
    let DbView::Open(info) = h.state().db() else {
        panic!("no database open");
    };
    let roles: Vec<&str> = info.tables[0]
        .columns
        .iter()
        .map(|c| c.role.as_str())
        .collect();
    assert_eq!(roles, ["key", "pii", "pii", "protected", "feature"]);
    // Change the role of region (the fifth column) to Ignored: it is stored on the worker.
    h.query_all_by_role(egui::accesskit::Role::ComboBox)
        .nth(4)
        .expect("a role box per column")
        .click();
    h.step();
    h.step();
    click(&mut h, "Ignored");
    assert!(
        step_until(&mut h, Duration::from_secs(5), |h| has_label(
            h,
            "Set by you"
        )),
        "{}",
        dump(&h)
    );
    assert!(has_label(&h, "Role saved"));

    // The quality check runs on the worker.
    click(&mut h, "Data quality");
    click(&mut h, "Run check");
    assert!(step_until(&mut h, Duration::from_secs(10), |h| has_label(
        h,
        "Data quality checked"
    )));

    // Segments is built; the panels still to come say what they will do.
    click(&mut h, "Segments");
    assert!(step_until(&mut h, Duration::from_secs(10), |h| has_label(
        h,
        "Run segmentation"
    )));
    // Recommendations is built: it shows its tabs, or asks for a transactions table.
    click(&mut h, "Recommendations");
    assert!(step_until(&mut h, Duration::from_secs(2), |h| has_label(
        h,
        tailor::app::panels::recommendations::NO_TRANSACTIONS
    )
        || has_label(h, "Evaluation")));
    // Fairness is built: it shows its decision picker.
    click(&mut h, "Fairness");
    assert!(step_until(&mut h, Duration::from_secs(10), |h| has_label(
        h, "Decision"
    )));
    // Churn & value is built: it shows its controls and the lifetime value section.
    click(&mut h, "Churn & value");
    assert!(step_until(&mut h, Duration::from_secs(2), |h| has_label(
        h,
        "Lifetime value"
    )
        && has_label(h, "Run")));
    // Campaigns is built: it shows the audience builder.
    click(&mut h, "Campaigns");
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| has_label_containing(
            h,
            "Build an audience"
        )),
        "Campaigns panel does not show its audience builder"
    );
    click(&mut h, "Data");
    assert!(step_until(&mut h, Duration::from_secs(2), |h| has_label(
        h,
        "1,234 rows"
    )));
}

#[test]
fn an_invalid_path_shows_a_dismissable_banner() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_db(dir.path(), "ok.sqlite", 3);
    let mut h = data_harness(Some(path));
    assert!(step_until(&mut h, Duration::from_secs(10), |h| has_label(
        h, "3 rows"
    )));

    let missing = dir.path().join("missing.sqlite");
    h.state_mut().command(Command::Open(missing.clone()));
    let expected = format!(
        "Could not open the database: file not found: {}",
        missing.display()
    );
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| has_label(h, &expected)),
        "banner never appeared: {:?}",
        h.state().error()
    );
    // The open database stays open.
    assert!(has_label(&h, "3 rows"));
    click(&mut h, "Dismiss");
    assert!(step_until(&mut h, Duration::from_secs(2), |h| !has_label(
        h, &expected
    )));

    // A text file is not a database.
    let text = dir.path().join("notes.sqlite");
    std::fs::write(&text, "hello\n".repeat(200)).unwrap();
    h.state_mut().command(Command::Open(text));
    assert!(step_until(&mut h, Duration::from_secs(10), |h| {
        has_label_containing(h, "not a SQLite database")
    }));
}

#[test]
fn the_open_dialog_takes_a_typed_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_db(dir.path(), "typed.sqlite", 7);
    let mut h = data_harness(None);
    assert!(step_until(&mut h, Duration::from_secs(2), |h| has_label(
        h,
        "No database open"
    )));
    click(&mut h, "Open…");
    assert!(
        step_until(&mut h, Duration::from_secs(2), |h| has_label(
            h,
            "Open a database"
        )),
        "{}",
        dump(&h)
    );
    // Esc closes it, as Cancel does.
    h.key_press(egui::Key::Escape);
    assert!(
        step_until(&mut h, Duration::from_secs(2), |h| !has_label(
            h,
            "Open a database"
        )),
        "{}",
        dump(&h)
    );
    click(&mut h, "Open…");
    assert!(step_until(&mut h, Duration::from_secs(2), |h| has_label(
        h,
        "Open a database"
    )));
    h.query_all_by_role(egui::accesskit::Role::TextInput)
        .next()
        .unwrap()
        .focus();
    h.step();
    h.query_all_by_role(egui::accesskit::Role::TextInput)
        .next()
        .unwrap()
        .type_text(&path.display().to_string());
    h.step();
    click(&mut h, "Open");
    assert!(step_until(&mut h, Duration::from_secs(10), |h| has_label(
        h, "7 rows"
    )));
    assert!(!has_label(&h, "Open a database"));
}

#[test]
fn a_superseded_open_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_db(dir.path(), "a.sqlite", 11);
    let b = write_db(dir.path(), "b.sqlite", 22);
    let mut h = data_harness(None);
    h.step();
    h.state_mut().command(Command::Open(a));
    h.state_mut().command(Command::Open(b.clone()));
    assert!(step_until(&mut h, Duration::from_secs(10), |h| has_label(
        h, "22 rows"
    )));
    // Give a late answer for a.sqlite every chance to arrive: it must not replace b.sqlite.
    for _ in 0..20 {
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    let DbView::Open(info) = h.state().db() else {
        panic!("no database open");
    };
    assert_eq!(info.path, b);
    assert!(!has_label(&h, "11 rows"));
}

#[test]
fn cancel_stops_a_long_job_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_db(dir.path(), "base.sqlite", 3);
    let mut h = data_harness(Some(path));
    assert!(step_until(&mut h, Duration::from_secs(10), |h| has_label(
        h, "3 rows"
    )));
    h.state_mut().command(Command::NewSample {
        out: dir.path().join("big.sqlite"),
        options: SampleOptions {
            customers: 3_000_000,
            seed: 1,
        },
    });
    assert!(step_until(&mut h, Duration::from_secs(10), |h| has_label(
        h, "Cancel"
    ) || h
        .state()
        .error()
        .is_some()));
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    // Let it get going, then cancel.
    std::thread::sleep(Duration::from_millis(200));
    h.step();
    let pressed = Instant::now();
    click(&mut h, "Cancel");
    assert!(
        step_until(&mut h, Duration::from_secs(1), |h| has_label(
            h,
            "Cancelled"
        )),
        "no Cancelled notice within a second"
    );
    assert!(pressed.elapsed() < Duration::from_secs(1));
    assert!(!h.state().is_busy());
    assert!(h.state().error().is_none());
}

#[test]
fn opens_the_bundled_sample_database() {
    // A copy, so the committed file is never touched.
    let dir = tempfile::tempdir().unwrap();
    let path = demo_copy(dir.path());
    let mut h = data_harness(Some(path));
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| has_label(
            h,
            "5,000 rows"
        )),
        "{}",
        dump(&h)
    );
    for label in [
        "customers",
        "products",
        "transactions",
        "feedback",
        "500 rows",
        "90,165 rows",
        "demo.sqlite",
    ] {
        assert!(has_label(&h, label), "missing {label}: {}", dump(&h));
    }
    click(&mut h, "feedback");
    click(&mut h, "Segments");
    assert!(has_label_containing(&h, "RFM"));
    click(&mut h, "Data");
    assert!(has_label(&h, "5,000 rows"));
}

/// The products table's Merchandise tab lists what Tailor guessed is postage, and marks any
/// product either way; the marks are the user's, kept in Tailor's own table.
#[test]
fn postage_is_listed_and_any_product_can_be_marked_either_way() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_db(dir.path(), "m.sqlite", 40);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "INSERT INTO products VALUES ('POST', 'POSTAGE', NULL, 18.0);
         INSERT INTO transactions VALUES ('C00001', '2024-01-03', 'POST', 18.0);",
    )
    .unwrap();
    drop(conn);
    let mut h = data_harness(Some(path.clone()));
    assert!(step_until(&mut h, Duration::from_secs(10), |h| has_label(
        h, "products"
    )));
    click(&mut h, "products");
    click(&mut h, "Merchandise");
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| has_label(h, "POSTAGE")
            && has_label(h, "Guessed from the name or the id")),
        "{}",
        dump(&h)
    );
    // Cake, marked as not merchandise by its id.
    replace_text(&mut h, 0, "P2");
    click(&mut h, "Mark as not merchandise");
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| has_label(h, "Cake")
            && has_label(h, "Marked by you")),
        "{}",
        dump(&h)
    );
    let stored: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT merchandise FROM tailor_product_marks WHERE product_id = 'P2'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 0, "kept as not merchandise in Tailor's table");
    // Forgotten: back to the guess, and off the list.
    click(&mut h, "Forget my mark");
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| !has_label(h, "Cake")
            && has_label(h, "POSTAGE")),
        "{}",
        dump(&h)
    );
    // An unknown id says so in the banner.
    replace_text(&mut h, 0, "NOPE");
    click(&mut h, "Mark as not merchandise");
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| {
            h.state()
                .error()
                .is_some_and(|e| e.contains("product NOPE is not in this database"))
        }),
        "{}",
        dump(&h)
    );
}

/// Opened on the sample, Tailor starts on the Overview: the database in large numbers, the
/// charts, the data-health line and the path, where Run runs a step and the Overview then tells
/// its result.
#[test]
fn starts_on_the_overview_and_runs_a_step_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(Some(demo_copy(dir.path())));
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| has_label(
            h,
            "Active customers"
        ) && has_label(
            h, "5,000"
        ) && has_label(
            h,
            "Revenue by month (£)"
        ) && has_label(
            h,
            "The path through Tailor"
        )),
        "{}",
        dump(&h)
    );
    assert!(has_label(&h, "24 months"), "{}", dump(&h));
    assert_eq!(
        h.query_all_by_label("Not run yet").count(),
        5,
        "{}",
        dump(&h)
    );
    // The health check runs quietly after opening.
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| has_label_containing(
            h,
            "to look at."
        )
            || has_label_containing(h, "no problems found")),
        "{}",
        dump(&h)
    );
    // Run the first step (segments): the Segments panel shows it; back on the Overview, its line
    // tells the result.
    h.query_all_by_label("Run").next().unwrap().click();
    h.step();
    assert!(
        step_until(&mut h, Duration::from_secs(30), |h| has_label_containing(
            h,
            "segments of"
        )
            || has_label_containing(h, "Segmented")),
        "{}",
        dump(&h)
    );
    click(&mut h, "Overview");
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| has_label_containing(
            h,
            "segments; the largest, "
        )),
        "{}",
        dump(&h)
    );
    assert_eq!(h.query_all_by_label("Not run yet").count(), 4);
}

/// The window's choices stored in `db` (`tailor_settings`, key `window`), if any.
fn stored_window(db: &Path) -> Option<serde_json::Value> {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT value FROM tailor_settings WHERE key = 'window'",
        [],
        |r| r.get::<_, String>(0),
    )
    .ok()
    .map(|t| serde_json::from_str(&t).unwrap())
}

fn open_and_wait(h: &mut egui_kittest::Harness<'_, tailor::app::TailorApp>, db: &Path) {
    h.state_mut().command(Command::Open(db.to_path_buf()));
    assert!(
        step_until(h, Duration::from_secs(20), |h| matches!(
            h.state().db(), DbView::Open(info) if info.path == db
        ) && !h.state().is_busy()),
        "{}",
        dump(h)
    );
    h.step();
}

#[test]
fn choices_and_currency_are_stored_with_each_database_and_nothing_carries_over() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_copy(dir.path());
    let other = write_db(dir.path(), "other.sqlite", 30);
    let mut h = harness(Some(demo.clone()));
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| matches!(
            h.state().db(),
            DbView::Open(_)
        )),
        "{}",
        dump(&h)
    );
    // The sample is a British shop: amounts in pounds, stored with it.
    let DbView::Open(info) = h.state().db() else {
        unreachable!()
    };
    assert_eq!(info.currency.money.code(), Some("GBP"));
    assert!(info.currency.chosen);

    // Choices made on the sample are stored with it once the user pauses (the campaign's
    // filters once its panel has read what they can be).
    h.state_mut()
        .command(Command::ShowPanel(tailor::app::Panel::Campaigns));
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| h
            .state()
            .campaigns()
            .choices
            .is_some()),
        "{}",
        dump(&h)
    );
    assert!(h.state().campaigns().filters.consent_only);
    h.state_mut().churn_panel_mut().threshold = 0.73;
    h.state_mut().churn_panel_mut().inactive_days = 120;
    h.state_mut().campaigns_mut().filters.consent_only = false;
    assert!(
        // The worker may still be fitting the campaign's offers: the save waits its turn.
        step_until(&mut h, Duration::from_secs(120), |_| stored_window(&demo)
            .is_some_and(|w| w["churn"]["threshold"] == 0.73)),
        "the choices were not stored"
    );
    let stored = stored_window(&demo).unwrap();
    assert_eq!(stored["churn"]["inactive_days"], 120);
    assert_eq!(stored["campaign"]["consent_only"], false);

    // Another database starts from its own (here: the defaults) and its guessed currency.
    open_and_wait(&mut h, &other);
    assert_eq!(h.state().churn_panel().threshold, 0.5);
    assert_eq!(h.state().churn_panel().inactive_days, 90);
    let DbView::Open(info) = h.state().db() else {
        unreachable!()
    };
    assert_eq!(info.currency.money.code(), None);
    assert!(
        info.currency.note.contains("does not say its currency"),
        "{}",
        info.currency.note
    );
    h.state_mut()
        .command(Command::RunData(tailor::jobs::DataJob::SetCurrency(
            tailor::money::Currency::from_code("EUR"),
        )));
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| matches!(
            h.state().db(), DbView::Open(info) if info.currency.money.code() == Some("EUR")
        )),
        "{}",
        dump(&h)
    );
    // Changed here, then another database opens at once: stored with the one it was made on.
    h.state_mut().churn_panel_mut().threshold = 0.31;
    h.step();
    open_and_wait(&mut h, &demo);
    assert_eq!(h.state().churn_panel().threshold, 0.73);
    assert_eq!(h.state().churn_panel().inactive_days, 120);
    assert!(!h.state().campaigns().filters.consent_only);
    open_and_wait(&mut h, &other);
    assert_eq!(h.state().churn_panel().threshold, 0.31);
    let DbView::Open(info) = h.state().db() else {
        unreachable!()
    };
    assert_eq!(info.currency.money.code(), Some("EUR"));
}

#[test]
fn an_open_is_not_superseded_by_work_a_panel_asks_for_in_the_same_frame() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_copy(dir.path());
    let other = write_db(dir.path(), "other.sqlite", 30);
    let mut h = harness(Some(demo.clone()));
    h.state_mut()
        .command(Command::ShowPanel(tailor::app::Panel::Campaigns));
    assert!(
        step_until(&mut h, Duration::from_secs(120), |h| h
            .state()
            .campaigns()
            .result
            .is_some()
            && !h.state().is_busy()),
        "{}",
        dump(&h)
    );
    // A filter changes (the panel will ask for the audience again in the next frame) and, in
    // that same frame, another database is opened: the open wins.
    let consent = h.state().campaigns().filters.consent_only;
    h.state_mut().campaigns_mut().filters.consent_only = !consent;
    open_and_wait(&mut h, &other);
}

#[test]
fn personal_data_is_masked_in_the_grid_until_revealed_for_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let db = write_db(dir.path(), "shop.sqlite", 30);
    let mut h = data_harness(Some(db.clone()));
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| has_label(h, "C00001")),
        "{}",
        dump(&h)
    );
    assert!(
        has_label_containing(&h, "Personal data (name, email) is hidden"),
        "{}",
        dump(&h)
    );
    assert!(!has_label(&h, "p1@example.com"), "{}", dump(&h));
    click(&mut h, "Show personal data");
    assert!(
        step_until(&mut h, Duration::from_secs(5), |h| has_label(
            h,
            "p1@example.com"
        )),
        "{}",
        dump(&h)
    );
    // Another database (or the same one opened again) starts masked.
    open_and_wait(&mut h, &db);
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| has_label(h, "C00001")),
        "{}",
        dump(&h)
    );
    assert!(!has_label(&h, "p1@example.com"), "{}", dump(&h));
}

#[test]
fn export_report_writes_the_html_file_from_the_overview() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(Some(demo_copy(dir.path())));
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| has_label(
            h,
            "Export report…"
        ) && !h
            .state()
            .is_busy()),
        "{}",
        dump(&h)
    );
    click(&mut h, "Export report…");
    // Suggested beside the database in tests (Documents or home in the real window).
    let out = dir.path().join("shop report");
    replace_text(&mut h, 0, out.to_str().unwrap());
    click(&mut h, "Export");
    assert!(
        step_until(&mut h, Duration::from_secs(30), |h| has_label_containing(
            h,
            "Report written to"
        )),
        "{}",
        dump(&h)
    );
    // The extension is added; the file is the report.
    let html = std::fs::read_to_string(dir.path().join("shop report.html")).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<h2>Segments</h2>") && html.contains("Not run yet"));
}
