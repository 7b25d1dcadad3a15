//! The Fairness panel, driven without a display by egui_kittest, on a copy of the bundled
//! sample database with a stored churn run and a stored segmentation.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use egui_kittest::kittest::Queryable;
use tailor::app::fairness::DecisionKind;
use tailor::app::panels::fairness::{
    NOT_COMPARED_NOTE, RETRY_BUTTON, RUN_CHURN_BUTTON, WHAT_IF_BUTTON,
};
use tailor::app::{Command, Panel};
use tailor::models::churn::label::Label;
use tailor::models::churn::run::ChurnParams;
use tailor::models::fairness::audit::FOUR_FIFTHS;
use tailor::models::fairness::decision::Decision;
use tailor::models::segment::run::{KChoice, SegmentMethod, SegmentParams};
use tailor::progress::NoProgress;

mod ui_common;
use ui_common::*;

fn store_churn_run(path: &std::path::Path) {
    let mut ws = tailor::workspace::Workspace::open(path).unwrap();
    let params = ChurnParams {
        label: Label::Inactive {
            days: 90,
            cutoff: None,
        },
        ..ChurnParams::default()
    };
    let outcome = ws.churn(&params, &NoProgress).unwrap();
    assert!(outcome.run_id.is_some());
}

#[test]
fn audit_move_threshold_segment_and_what_if() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_copy(dir.path());
    store_churn_run(&path);
    {
        let mut ws = tailor::workspace::Workspace::open(&path).unwrap();
        let params = SegmentParams {
            method: SegmentMethod::Kmeans,
            k: KChoice::Fixed(4),
            ..SegmentParams::default()
        };
        ws.segment(&params, &NoProgress).unwrap();
    }
    let mut h = harness(Some(path));
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| has_label_containing(
            h, "Opened"
        )),
        "{}",
        dump(&h)
    );
    h.state_mut().command(Command::ShowPanel(Panel::Fairness));

    // Churn top 20% by gender: the default.
    let shown = |h: &egui_kittest::Harness<'_, tailor::app::TailorApp>, d: &Decision| {
        h.state()
            .fairness()
            .shown
            .as_ref()
            .is_some_and(|r| r.decision == *d && r.attribute == "gender")
    };
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| shown(
            h,
            &Decision::ChurnTop(0.2)
        ) && has_label(
            h,
            "Lowest rate ÷ highest"
        )),
        "{}",
        dump(&h)
    );
    h.step();
    for group in ["F", "M", "X"] {
        assert!(has_label(&h, group), "group {group}: {}", dump(&h));
    }
    assert!(has_label(&h, "Per group (3)"));
    let before = h.state().fairness().shown.clone().unwrap();
    assert_eq!(before.groups.len(), 3);
    // Every group has 30 customers or more: the headline is fairlearn's ratio over all of them.
    assert!(before.not_compared.is_empty());
    assert_eq!(before.compared_disparate_impact, before.disparate_impact);
    let di_text = format!("{:.2}", before.compared_disparate_impact);
    assert!(has_label(&h, &di_text), "{di_text}: {}", dump(&h));

    // Move the fraction: the numbers change at once.
    h.state_mut().fairness_mut().fraction = 0.5;
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| shown(
            h,
            &Decision::ChurnTop(0.5)
        )),
        "{}",
        dump(&h)
    );
    let after = h.state().fairness().shown.clone().unwrap();
    assert!(after.selected > before.selected * 2, "{after:?}");
    assert_ne!(
        after.groups[0].selection_rate,
        before.groups[0].selection_rate
    );
    h.step();
    assert!(has_label_containing(
        &h,
        &format!("{} of", tailor::format::thousands(after.selected))
    ));

    // A segment of the stored segmentation.
    h.state_mut().fairness_mut().kind = DecisionKind::Segment;
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| h
            .state()
            .fairness()
            .shown
            .as_ref()
            .is_some_and(|r| matches!(r.decision, Decision::Segment(_)))),
        "{}",
        dump(&h)
    );
    h.step();
    assert!(has_label(&h, "Lowest rate ÷ highest"));

    // Back to churn; the what-if on the first proxy shows before and after.
    h.state_mut().fairness_mut().kind = DecisionKind::ChurnTop;
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| shown(
            h,
            &Decision::ChurnTop(0.5)
        ) && !h
            .state()
            .fairness()
            .is_stale()),
        "{}",
        dump(&h)
    );
    let feature = h.state().fairness().shown.as_ref().unwrap().proxies[0]
        .feature
        .clone();
    h.step();
    h.query_all_by_label(WHAT_IF_BUTTON).next().unwrap().click();
    h.step();
    assert!(
        step_until(&mut h, Duration::from_secs(120), |h| h
            .state()
            .fairness()
            .what_if
            .is_some()),
        "{}",
        dump(&h)
    );
    let w = h.state().fairness().what_if.clone().unwrap();
    assert_eq!(w.feature, feature);
    assert!(w.auc_before > 0.5 && w.auc_after > 0.4, "{w:?}");
    h.step();
    assert!(has_label(&h, "Before") && has_label(&h, "After"));
    assert!(
        has_label(&h, &format!("{:.4}", w.auc_after)),
        "{}",
        dump(&h)
    );
}

#[test]
fn without_a_churn_run_it_offers_to_run_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_copy(dir.path());
    let mut h = harness(Some(path));
    assert!(step_until(&mut h, Duration::from_secs(10), |h| {
        has_label_containing(h, "Opened")
    }));
    h.state_mut().command(Command::ShowPanel(Panel::Fairness));
    assert!(
        step_until(&mut h, Duration::from_secs(30), |h| has_label(
            h,
            RUN_CHURN_BUTTON
        )),
        "{}",
        dump(&h)
    );
    assert!(has_label_containing(&h, "No churn model"));
    click(&mut h, RUN_CHURN_BUTTON);
    assert!(
        step_until(&mut h, Duration::from_secs(120), |h| h
            .state()
            .fairness()
            .shown
            .is_some()),
        "{}",
        dump(&h)
    );
    assert!(
        h.state()
            .fairness()
            .choices
            .as_ref()
            .unwrap()
            .churn_run
            .is_some()
    );
}

/// Makes the Fairness panel's choices fail: a segmentation run whose memberships table is gone.
fn break_segments(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "INSERT INTO tailor_runs (kind, seed, params_json, created_at)
             VALUES ('segment', 1, '{}', '2026-01-01T00:00:00');
         ALTER TABLE tailor_segments RENAME TO tailor_segments_away;",
    )
    .unwrap();
}

fn mend_segments(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "ALTER TABLE tailor_segments_away RENAME TO tailor_segments;
         DELETE FROM tailor_runs WHERE kind = 'segment';",
    )
    .unwrap();
}

#[test]
fn retry_small_groups_not_compared_png_and_what_if_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_copy(dir.path());
    store_churn_run(&path);
    {
        // The ten riskiest customers get a gender of their own: a group of 10, all selected.
        // Its rate (100%) would make the all-group ratio red with no flag behind it.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "UPDATE customers SET gender = 'U' WHERE customer_id IN (
                 SELECT customer_id FROM tailor_churn_scores ORDER BY probability DESC LIMIT 10);
             UPDATE tailor_runs SET params_json = '{\"model\": \"quantum\"}' WHERE kind = 'churn';",
        )
        .unwrap();
    }
    let mut h = harness(Some(path.clone()));
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| has_label_containing(
            h, "Opened"
        )),
        "{}",
        dump(&h)
    );
    // Reading what can be audited fails: one line and Retry, no endless spinner, no banner.
    break_segments(&path);
    h.state_mut().command(Command::ShowPanel(Panel::Fairness));
    assert!(
        step_until(&mut h, Duration::from_secs(30), |h| has_label(
            h,
            RETRY_BUTTON
        )),
        "{}",
        dump(&h)
    );
    assert!(
        has_label_containing(&h, "could not be read"),
        "{}",
        dump(&h)
    );
    assert!(!has_label(&h, "Reading what can be audited…"));
    assert_eq!(h.state().error(), None);
    mend_segments(&path);
    click(&mut h, RETRY_BUTTON);

    let shown = |h: &egui_kittest::Harness<'_, tailor::app::TailorApp>| {
        h.state()
            .fairness()
            .shown
            .as_ref()
            .is_some_and(|r| r.decision == Decision::ChurnTop(0.2) && r.attribute == "gender")
    };
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| shown(h)
            && has_label(h, "Lowest rate ÷ highest")),
        "{}",
        dump(&h)
    );
    assert!(!has_label(&h, RETRY_BUTTON));
    h.step();
    let r = h.state().fairness().shown.clone().unwrap();
    assert_eq!(r.not_compared, ["U"]);
    assert_eq!(
        r.groups
            .iter()
            .find(|g| g.group == "U")
            .unwrap()
            .selection_rate,
        1.0
    );
    // fairlearn's ratio over every group is kept; the headline compares the groups judged.
    assert!(r.compared_disparate_impact > r.disparate_impact, "{r:?}");
    assert!(
        has_label(&h, &format!("{:.2}", r.compared_disparate_impact)),
        "{}",
        dump(&h)
    );
    assert!(has_label_containing(&h, NOT_COMPARED_NOTE), "{}", dump(&h));
    assert_eq!(
        r.compared_disparate_impact < FOUR_FIFTHS,
        r.flags.iter().any(|f| f.contains("below the")),
        "a red headline has a flag, and a flag a red headline: {r:?}"
    );

    // The rate chart saved as a PNG next to the database.
    click(&mut h, "Save as PNG…");
    assert!(has_label(&h, "Save chart as PNG"), "{}", dump(&h));
    click(&mut h, "Save");
    let png = dir.path().join("fairness-gender-selection-rates.png");
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| has_label_containing(
            h, "Saved"
        )),
        "{}",
        dump(&h)
    );
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let info = decoder.read_info().unwrap();
    let (w, hgt) = (info.info().width, info.info().height);
    // Twice the chart's size on screen, title and legend included.
    assert!(w > 400 && hgt > 300 && w < 2560 && hgt < 1600, "{w}×{hgt}");
    assert!(w.is_multiple_of(2) && hgt.is_multiple_of(2), "{w}×{hgt}");

    // The stored run's settings do not parse: the what-if says so in the panel.
    h.query_all_by_label(WHAT_IF_BUTTON).next().unwrap().click();
    h.step();
    assert!(
        step_until(&mut h, Duration::from_secs(30), |h| h
            .state()
            .fairness()
            .what_if_error
            .is_some()),
        "{}",
        dump(&h)
    );
    h.step();
    assert!(
        has_label_containing(&h, "settings of churn run"),
        "{}",
        dump(&h)
    );
    assert!(h.state().fairness().what_if.is_none());
    assert_eq!(h.state().error(), None);
}
