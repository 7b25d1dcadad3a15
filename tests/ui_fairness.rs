//! The Fairness panel, driven without a display by egui_kittest, on a copy of the bundled
//! sample database with a stored churn run and a stored segmentation.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use egui_kittest::kittest::Queryable;
use tailor::app::fairness::DecisionKind;
use tailor::app::panels::fairness::{RUN_CHURN_BUTTON, WHAT_IF_BUTTON};
use tailor::app::{Command, Panel};
use tailor::data::Database;
use tailor::data::dataset::Dataset;
use tailor::models::churn::label::Label;
use tailor::models::churn::run::ChurnParams;
use tailor::models::fairness::decision::Decision;
use tailor::models::segment::run::{KChoice, SegmentMethod, SegmentParams};
use tailor::progress::NoProgress;

mod ui_common;
use ui_common::*;

fn store_churn_run(path: &std::path::Path) {
    let mut db = Database::open(path).unwrap();
    let data = Dataset::load(&db, &NoProgress).unwrap();
    let params = ChurnParams {
        label: Label::Inactive {
            days: 90,
            cutoff: None,
        },
        ..ChurnParams::default()
    };
    let (_, run) =
        tailor::pipeline::churn_loaded(&mut db, &data, &params, true, &NoProgress).unwrap();
    assert!(run.is_some());
}

#[test]
fn audit_move_threshold_segment_and_what_if() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_copy(dir.path());
    store_churn_run(&path);
    {
        let mut db = Database::open(&path).unwrap();
        let params = SegmentParams {
            method: SegmentMethod::Kmeans,
            k: KChoice::Fixed(4),
            ..SegmentParams::default()
        };
        tailor::pipeline::segment(&mut db, &params, &NoProgress).unwrap();
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
            "Disparate impact"
        )),
        "{}",
        dump(&h)
    );
    h.step();
    for group in ["F", "M", "X"] {
        assert!(has_label(&h, group), "group {group}: {}", dump(&h));
    }
    assert!(has_label(&h, "Per group"));
    let before = h.state().fairness().shown.clone().unwrap();
    assert_eq!(before.groups.len(), 3);
    let di_text = format!("{:.2}", before.disparate_impact);
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
    assert!(has_label(&h, "Disparate impact"));

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
