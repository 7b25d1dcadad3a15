//! The Campaigns panel, driven without a display by egui_kittest, on a copy of the bundled
//! sample database: failed reads and builds say so with Retry (never an endless spinner), the
//! audience's fairness charts save as PNG, and the export dialog's privacy switches start off.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use egui_kittest::kittest::Queryable;
use tailor::app::panels::campaigns::RETRY_BUTTON;
use tailor::app::{Command, Panel};

mod common;
mod ui_common;
use ui_common::*;

fn sql(path: &std::path::Path, batch: &str) {
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(batch)
        .unwrap();
}

/// The open export dialog's privacy switches.
fn switches(
    h: &egui_kittest::Harness<'_, tailor::app::TailorApp>,
) -> Option<tailor::export::audience::ExportOptions> {
    let dialog = h.state().campaigns().export.dialog.as_ref();
    dialog.map(|d| d.options)
}

#[test]
fn retry_after_failures_fairness_charts_and_export_switches() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_copy(dir.path());
    let mut h = harness(Some(path.clone()));
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| has_label_containing(
            h, "Opened"
        )),
        "{}",
        dump(&h)
    );

    // The stored segments cannot be read: one line and Retry, no banner.
    sql(
        &path,
        "INSERT INTO tailor_runs (kind, seed, params_json, created_at)
             VALUES ('segment', 1, '{}', '2026-01-01T00:00:00');
         ALTER TABLE tailor_segments RENAME TO tailor_segments_away;",
    );
    h.state_mut().command(Command::ShowPanel(Panel::Campaigns));
    assert!(
        step_until(&mut h, Duration::from_secs(30), |h| has_label(
            h,
            RETRY_BUTTON
        )),
        "{}",
        dump(&h)
    );
    assert!(
        has_label_containing(&h, "The stored segments and runs could not be read"),
        "{}",
        dump(&h)
    );
    assert!(!has_label(&h, "Reading the stored segments and runs…"));
    assert_eq!(h.state().error(), None);
    // Not asked again on its own.
    for _ in 0..5 {
        h.step();
    }
    assert!(h.state().campaigns().choices_error.is_some());

    // Mended, but the lifetime values cannot be read: the build fails and says so.
    sql(
        &path,
        "ALTER TABLE tailor_segments_away RENAME TO tailor_segments;
         DELETE FROM tailor_runs WHERE kind = 'segment';
         INSERT INTO tailor_runs (kind, seed, params_json, created_at)
             VALUES ('clv', 1, '{}', '2026-01-01T00:00:00');
         ALTER TABLE tailor_clv_values RENAME TO tailor_clv_values_away;",
    );
    click(&mut h, RETRY_BUTTON);
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| has_label_containing(
            h,
            "The audience could not be built"
        )),
        "{}",
        dump(&h)
    );
    assert!(has_label(&h, RETRY_BUTTON));
    assert!(!has_label(&h, "Building the audience…"), "{}", dump(&h));
    assert_eq!(h.state().campaigns().requested, None);
    assert_eq!(h.state().error(), None);

    // Mended: Retry builds it.
    sql(
        &path,
        "ALTER TABLE tailor_clv_values_away RENAME TO tailor_clv_values;
         DELETE FROM tailor_runs WHERE kind = 'clv';",
    );
    click(&mut h, RETRY_BUTTON);
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| h
            .state()
            .campaigns()
            .result
            .is_some()
            && has_label(h, "Fairness of this audience")),
        "{}",
        dump(&h)
    );
    assert!(!has_label(&h, RETRY_BUTTON));

    // The audience's fairness: one chart per protected column, drawn with its band.
    assert!(has_label(&h, "By gender"), "{}", dump(&h));
    assert!(has_label_containing(&h, "Shaded: from 0.8"), "{}", dump(&h));
    click(&mut h, "Save as PNG…");
    assert!(
        has_label(&h, "Save the fairness chart as PNG"),
        "{}",
        dump(&h)
    );
    click(&mut h, "Save");
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| has_label_containing(
            h, "Saved"
        )),
        "{}",
        dump(&h)
    );
    let saved: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("campaign-audience-fairness-") && n.ends_with(".png"))
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let bytes = std::fs::read(dir.path().join(&saved[0])).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");

    // Everyone, consent or not: the dialog says who the export leaves out.
    h.state_mut().campaigns_mut().filters.consent_only = false;
    assert!(
        step_until(&mut h, Duration::from_secs(30), |h| h
            .state()
            .campaigns()
            .result
            .as_ref()
            .is_some_and(|r| !r.filters.consent_only)
            && h.state().campaigns().build_job.is_none()),
        "{}",
        dump(&h)
    );
    let (column, without) = h
        .state()
        .campaigns()
        .result
        .as_ref()
        .unwrap()
        .without_consent
        .clone()
        .unwrap();
    assert_eq!(column, "consent_email");
    assert_eq!(without, 1_510);
    click(&mut h, "Export CSV…");
    assert!(has_label(&h, "Export the audience"), "{}", dump(&h));
    assert!(
        has_label_containing(&h, "Writes 3,490 customers"),
        "{}",
        dump(&h)
    );
    assert!(
        has_label_containing(
            &h,
            "Customers without consent (consent_email) will be left out: 1,510 of the 5,000"
        ),
        "{}",
        dump(&h)
    );
    // Tick both switches, close, open again: both are off.
    h.query_all_by_label_contains("Include personal data")
        .next()
        .unwrap()
        .click();
    h.query_all_by_label_contains("Include customers without consent")
        .next()
        .unwrap()
        .click();
    h.step();
    h.step();
    assert!(switches(&h).is_some_and(|o| o.include_pii && o.include_no_consent));
    assert!(
        has_label_containing(&h, "Writes 5,000 customers"),
        "{}",
        dump(&h)
    );
    click(&mut h, "Cancel");
    assert!(!has_label(&h, "Export the audience"));
    click(&mut h, "Export XLSX…");
    assert!(has_label(&h, "Export the audience"), "{}", dump(&h));
    assert!(switches(&h).is_some_and(|o| !o.include_pii && !o.include_no_consent));
    assert!(
        has_label_containing(&h, "Writes 3,490 customers"),
        "{}",
        dump(&h)
    );
}

/// The ids in a CSV's `customer_id` column, in file order.
fn csv_ids(path: &std::path::Path) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let id = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "customer_id")
        .unwrap();
    r.records().map(|x| x.unwrap()[id].to_string()).collect()
}

#[test]
fn the_window_and_tailor_campaign_export_the_same_audience() {
    use tailor::models::campaign::AttributeFilter;
    use tailor::workspace::campaigns::AudienceRequest;
    use tailor::workspace::export::ExportSpec;
    let dir = tempfile::tempdir().unwrap();
    let path = demo_copy(dir.path());
    let db = path.to_str().unwrap().to_string();
    for args in [
        vec!["segment", db.as_str(), "--method", "kmeans", "--k", "4"],
        vec!["churn", db.as_str()],
    ] {
        let run = common::tailor(&args);
        assert!(run.status.success(), "{args:?}");
    }
    let mut h = harness(Some(path.clone()));
    h.state_mut().command(Command::ShowPanel(Panel::Campaigns));
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| h
            .state()
            .campaigns()
            .choices
            .is_some()),
        "{}",
        dump(&h)
    );
    let choices = h.state().campaigns().choices.clone().unwrap();
    let segments: Vec<usize> = choices.segments.iter().flatten().map(|s| s.id).collect();
    assert_eq!(segments.len(), 4);
    // Two segments, a churn range, two regions, consent: as a marketer sets them in the panel.
    let filters = {
        let view = h.state_mut().campaigns_mut();
        view.filters.segments = vec![segments[0], segments[2]];
        view.filters.risk = Some((0.2, 0.9));
        view.filters.consent_only = true;
        view.filters.attribute = Some(AttributeFilter::Values {
            column: "region".into(),
            values: vec!["London".into(), "South East".into()],
        });
        view.filters.clone()
    };
    assert!(
        step_until(&mut h, Duration::from_secs(120), |h| h
            .state()
            .campaigns()
            .result
            .as_ref()
            .is_some_and(|r| r.filters == filters)),
        "{}",
        dump(&h)
    );
    let size = h.state().campaigns().result.as_ref().unwrap().size;
    let window_file = dir.path().join("window.csv");
    // The panel's Export CSV… with the dialog's defaults, confirmed at this path.
    click(&mut h, "Export CSV…");
    assert!(has_label(&h, "Export the audience"), "{}", dump(&h));
    let spec = h
        .state()
        .campaigns()
        .export
        .dialog
        .as_ref()
        .unwrap()
        .spec
        .clone();
    assert_eq!(
        spec,
        ExportSpec::Campaign(AudienceRequest {
            filters: filters.clone(),
            offers: true
        })
    );
    let set_path = |h: &mut egui_kittest::Harness<'_, tailor::app::TailorApp>, path: String| {
        let dialog = h.state_mut().campaigns_mut().export.dialog.as_mut();
        dialog.unwrap().path = path;
    };
    set_path(&mut h, window_file.display().to_string());
    click(&mut h, "Export");
    assert!(
        step_until(&mut h, Duration::from_secs(120), |h| h
            .state()
            .campaigns()
            .export
            .exported
            .is_some()),
        "{}",
        dump(&h)
    );

    let cli_file = dir.path().join("cli.csv");
    let (a, b) = (segments[0].to_string(), segments[2].to_string());
    let run = common::tailor(&[
        "campaign",
        &db,
        "--segment",
        &a,
        "--segment",
        &b,
        "--churn-min",
        "0.2",
        "--churn-max",
        "0.9",
        "--consent-only",
        "--where",
        "region=London",
        "--where",
        "region=South East",
        "--offers",
        "--out",
        cli_file.to_str().unwrap(),
        "--json",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(json["size"], size as u64);
    let window = csv_ids(&window_file);
    assert!(!window.is_empty());
    assert_eq!(window.len(), size);
    assert_eq!(window, csv_ids(&cli_file));
    // Same columns, offers included, in both.
    let header = |p: &std::path::Path| {
        csv::Reader::from_path(p)
            .unwrap()
            .headers()
            .unwrap()
            .iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(header(&window_file), header(&cli_file));
    assert!(header(&cli_file).contains(&"offer".to_string()));
}
