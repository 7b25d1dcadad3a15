//! The Churn & value panel, driven without a display by egui_kittest, on a copy of the bundled
//! sample database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};

use tailor::app::{Command, Panel};

mod ui_common;
use ui_common::*;

/// Scrolls the widget labelled `label` into view, then clicks it.
fn click_visible(h: &mut egui_kittest::Harness<'_, tailor::app::TailorApp>, label: &str) {
    h.step();
    h.query_all_by_label(label)
        .next()
        .unwrap_or_else(|| panic!("no {label:?} on screen"))
        .scroll_to_me();
    h.step();
    h.step();
    click(h, label);
}

#[test]
fn churn_threshold_clv_drill_down_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_copy(dir.path());
    let mut h = harness(Some(path));
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| has_label_containing(
            h, "Opened"
        )),
        "{}",
        dump(&h)
    );
    h.state_mut().command(Command::ShowPanel(Panel::ChurnValue));
    h.step();
    h.step();
    // The sample has no churned column: the label defaults to inactivity over 90 days.
    assert_eq!(h.state().churn_panel().label_text, "inactive:90");
    assert!(has_label(&h, "Lifetime value"), "{}", dump(&h));

    click(&mut h, "Run");
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| h
            .state()
            .churn_panel()
            .churn
            .is_some()
            && has_label(h, "ROC AUC")),
        "{}",
        dump(&h)
    );
    let auc = h.state().churn_panel().churn.as_ref().unwrap().metrics.auc;
    assert!(
        has_label_containing(&h, &format!("{auc:.3} ±")),
        "{}",
        dump(&h)
    );
    assert!(has_label_containing(&h, "The riskiest 10% hold"));

    // Move the threshold with the keyboard: the confusion matrix changes.
    let caught = |h: &egui_kittest::Harness<'_, tailor::app::TailorApp>| {
        dump(h)
            .split(" | ")
            .find(|s| s.ends_with(" caught"))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("{}", dump(h)))
    };
    let before = caught(&h);
    let t0 = h.state().churn_panel().threshold;
    h.query_all_by_role(Role::Slider).next().unwrap().focus();
    h.step();
    for _ in 0..30 {
        h.key_press(egui::Key::ArrowLeft);
        h.step();
    }
    let t1 = h.state().churn_panel().threshold;
    assert!(t1 < t0 - 0.2, "{t0} → {t1}");
    let after = caught(&h);
    assert_ne!(before, after, "confusion matrix did not change");

    // Lifetime value: the fitted parameters appear.
    click_visible(&mut h, "Run lifetime value");
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| has_label_containing(
            h,
            "BG/NBD: r ="
        ) && h
            .state()
            .churn_panel()
            .targets
            .as_ref()
            .is_some_and(|t| t.has_clv)),
        "{}",
        dump(&h)
    );
    assert!(has_label_containing(&h, "Gamma-Gamma: p ="), "{}", dump(&h));

    // Drill down into the riskiest customer by value at risk.
    let (id, reason, expected_rows) = {
        let view = h.state().churn_panel();
        let targets = view.targets.as_ref().unwrap();
        let above = targets.above(view.threshold);
        let row = &targets.rows[above[0] as usize];
        (row.customer_id.clone(), row.reasons[0].clone(), above.len())
    };
    let field = h
        .query_all_by_role(Role::TextInput)
        .enumerate()
        .filter(|(_, n)| {
            n.accesskit_node()
                .placeholder()
                .is_some_and(|p| p.contains("customer id"))
        })
        .map(|(i, _)| i)
        .next()
        .unwrap();
    h.query_all_by_role(Role::TextInput)
        .nth(field)
        .unwrap()
        .focus();
    h.step();
    h.query_all_by_role(Role::TextInput)
        .nth(field)
        .unwrap()
        .type_text(&id);
    h.step();
    assert_eq!(h.state().churn_panel().id_text, id, "{}", dump(&h));
    h.key_press(egui::Key::Enter);
    h.step();
    h.step();
    assert_eq!(
        h.state().churn_panel().selected.as_deref(),
        Some(id.as_str())
    );
    assert!(
        has_label_containing(&h, &format!("1. {reason}")),
        "{}",
        dump(&h)
    );
    assert!(has_label(&h, "P(alive)"), "{}", dump(&h));

    // Export the target list to the suggested file next to the database.
    click_visible(&mut h, "Export target list…");
    click(&mut h, "Export");
    let out = dir.path().join("churn-targets.csv");
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| has_label_containing(
            h, "Exported"
        )),
        "{}",
        dump(&h)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "customer_id,churn_probability,p_alive,expected_purchases,clv,value_at_risk,churned,reason_1,reason_2,reason_3"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), expected_rows);
    assert!(rows[0].starts_with(&format!("{id},")), "{}", rows[0]);
}
