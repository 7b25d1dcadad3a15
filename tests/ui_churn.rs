//! The Churn & value panel, driven without a display by egui_kittest, on a copy of the bundled
//! sample database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};

use tailor::app::churn::LabelChoice;
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
    // The sample has no churned column: the label defaults to inactivity over 90 days, shown
    // as a choice and a number of days, never as flag syntax.
    assert_eq!(h.state().churn_panel().label, Some(LabelChoice::Inactive));
    assert_eq!(h.state().churn_panel().inactive_days, 90);
    assert!(has_label(&h, "days"), "{}", dump(&h));
    assert!(!has_label_containing(&h, "inactive:"), "{}", dump(&h));
    assert!(has_label(&h, "Lifetime value"), "{}", dump(&h));

    click(&mut h, "Run");
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| h
            .state()
            .churn_panel()
            .churn
            .is_some()
            && has_label(h, "Model details")),
        "{}",
        dump(&h)
    );
    let auc = h.state().churn_panel().churn.as_ref().unwrap().metrics.auc;
    assert!(has_label_containing(
        &h,
        "are at risk of buying nothing in the next 90 days"
    ));
    click(&mut h, "Model details");
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
            "are expected to make"
        ) && h
            .state()
            .churn_panel()
            .targets
            .as_ref()
            .is_some_and(|t| t.has_clv)),
        "{}",
        dump(&h)
    );
    // The fitted parameters wait under the lifetime value's Model details (the second).
    assert!(!has_label(&h, "Spend model (Gamma-Gamma)"));
    h.query_all_by_label("Model details")
        .nth(1)
        .unwrap()
        .click();
    h.step();
    h.step();
    assert!(has_label(&h, "Spend model (Gamma-Gamma)"), "{}", dump(&h));
    assert!(has_label_containing(&h, "p = "), "{}", dump(&h));

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
    // Through the privacy guard: its notes show in the panel.
    assert!(
        has_label_containing(&h, "consent") || has_label_containing(&h, "no consent column"),
        "{}",
        dump(&h)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("customer_id,"), "{header}");
    assert!(
        header.ends_with(",churn_probability,reason_1,reason_2,reason_3,p_alive,clv,value_at_risk"),
        "{header}"
    );
    assert!(
        !header
            .split(',')
            .any(|c| ["name", "email", "phone"].contains(&c)),
        "personal data left out: {header}"
    );
    let ids: Vec<String> = lines
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    assert!(!ids.is_empty() && ids.len() <= expected_rows);
    // The file keeps the list's order (customers without consent left out).
    let view = h.state().churn_panel();
    let targets = view.targets.as_ref().unwrap();
    let order: Vec<&String> = targets
        .above(view.threshold)
        .iter()
        .map(|&i| &targets.rows[i as usize].customer_id)
        .filter(|id| ids.contains(id))
        .collect();
    assert_eq!(order.len(), ids.len());
    assert!(order.iter().zip(&ids).all(|(a, b)| *a == b));
}

/// A customers-only database with a `churned` column (Telco-like): 240 customers whose churn
/// follows tenure and contract, with a few blank TotalCharges.
fn telco_like(dir: &std::path::Path) -> std::path::PathBuf {
    let mut csv = String::from("customer_id,tenure,Contract,MonthlyCharges,TotalCharges,churned\n");
    let mut seed: u64 = 7;
    let mut next = || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as f64 / f64::from(1u32 << 31)
    };
    for i in 0..240 {
        let tenure = (next() * 72.0).floor() + 1.0;
        let contract = ["Month-to-month", "One year", "Two year"][(next() * 3.0) as usize % 3];
        let monthly = 20.0 + (next() * 90.0 * 100.0).round() / 100.0;
        let total = if i % 40 == 3 {
            String::new()
        } else {
            format!("{:.2}", monthly * tenure)
        };
        let risk = 0.7
            - tenure / 110.0
            - if contract == "Month-to-month" {
                0.0
            } else {
                0.35
            };
        let churned = u8::from(next() < risk.clamp(0.03, 0.95));
        csv.push_str(&format!(
            "C{i:04},{tenure},{contract},{monthly:.2},{total},{churned}\n"
        ));
    }
    let file = dir.join("telco.csv");
    std::fs::write(&file, csv).unwrap();
    let db = dir.join("telco.sqlite");
    tailor::data::import::import_to_path(
        &db,
        &[file],
        &tailor::data::import::ImportOptions {
            table: Some(tailor::data::TableKind::Customers),
            ..Default::default()
        },
        &tailor::progress::NoProgress,
    )
    .unwrap();
    db
}

#[test]
fn churn_on_a_customers_only_database_shows_auc_folds_and_the_target_list() {
    let dir = tempfile::tempdir().unwrap();
    let path = telco_like(dir.path());
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
    assert_eq!(
        h.state().churn_panel().label,
        Some(LabelChoice::Column("churned".into()))
    );
    assert!(
        !has_label(&h, "days"),
        "no days field for a label column: {}",
        dump(&h)
    );
    // No transactions: lifetime value says why, and no purchase dates are asked for.
    assert!(has_label_containing(
        &h,
        "Lifetime value needs a transactions table"
    ));
    assert!(!h.state().churn_panel().span_requested);

    click(&mut h, "Run");
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| h
            .state()
            .churn_panel()
            .churn
            .is_some()
            && has_label(h, "Model details")
            && has_label(h, "Target list")),
        "{}",
        dump(&h)
    );
    let (auc, folds, top) = {
        let view = h.state().churn_panel();
        let churn = view.churn.as_ref().unwrap();
        let targets = view.targets.as_ref().unwrap();
        (
            churn.metrics.auc,
            churn.folds.clone(),
            targets.rows[targets.above(view.threshold)[0] as usize].clone(),
        )
    };
    assert!(auc > 0.6, "AUC {auc}");
    // The technical figures wait under Model details.
    assert!(!has_label(&h, "Metrics per fold"));
    click(&mut h, "Model details");
    assert!(
        has_label_containing(&h, &format!("{auc:.3} ±")),
        "{}",
        dump(&h)
    );
    // The per-fold table.
    assert!(has_label(&h, "Metrics per fold"), "{}", dump(&h));
    assert_eq!(folds.len(), 5);
    assert!(
        has_label(&h, &format!("{:.3}", folds[4].log_loss)),
        "{}",
        dump(&h)
    );
    // What happened to the inputs.
    assert!(
        has_label_containing(&h, "Blanks filled TotalCharges 6 (median)"),
        "{}",
        dump(&h)
    );
    // Feature importance keeps the sign, with a legend.
    assert!(has_label(&h, "raises churn risk") && has_label(&h, "lowers churn risk"));
    // The target list: riskiest first, with its top reason; tenure in months.
    assert!(has_label(&h, &top.customer_id), "{}", dump(&h));
    let tenure: Vec<String> = {
        let targets = h.state().churn_panel().targets.clone().unwrap();
        targets
            .rows
            .iter()
            .flat_map(|r| r.reasons.iter())
            .filter(|r| r.starts_with("Tenure"))
            .cloned()
            .collect()
    };
    assert!(!tenure.is_empty());
    assert!(
        tenure.iter().all(|r| r.contains(" month")),
        "tenure reads in months: {tenure:?}"
    );

    // Everyone below the threshold: the table says so.
    h.state_mut().churn_panel_mut().threshold = 1.0;
    assert!(
        step_until(&mut h, Duration::from_secs(5), |h| has_label(
            h,
            "No customer at or above 100% risk: lower the threshold"
        )),
        "{}",
        dump(&h)
    );
    assert!(!has_label(&h, &top.customer_id));
}
