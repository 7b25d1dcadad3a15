//! Presentation mode hides personal data everywhere: with it on, every panel is visited (the
//! Data grid showing customers, its columns and data-quality tabs, Segments, Recommendations with
//! a customer found, Churn & value with a model, lifetime values, the target list and a
//! customer's drill-down, Fairness with an audit, Campaigns with a preview and the export dialog)
//! and all text in the accessibility tree is checked against every name, email and phone value
//! of the sample database's customers table.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable, by};
use tailor::app::{Command, Panel, TailorApp};
use tailor::models::segment::run::{KChoice, SegmentMethod, SegmentParams};
use tailor::progress::NoProgress;

mod ui_common;
use ui_common::*;

/// Every label, value, description and placeholder in the accessibility tree.
fn all_text(h: &Harness<'_, TailorApp>) -> Vec<String> {
    let mut out = Vec::new();
    for node in h.query_all(by()) {
        let n = node.accesskit_node();
        out.extend(n.label());
        out.extend(n.value());
        out.extend(n.description());
        out.extend(n.placeholder().map(str::to_string));
    }
    out
}

fn leaks(texts: &[String], pii: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for t in texts {
        for p in pii {
            if t.contains(p.as_str()) {
                found.push(format!("{p:?} in {t:?}"));
            }
        }
    }
    found
}

#[test]
fn presentation_mode_shows_no_personal_data_on_any_panel() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_copy(dir.path());
    let (pii, first_id) = {
        let mut ws = tailor::workspace::Workspace::open(&path).unwrap();
        let params = SegmentParams {
            method: SegmentMethod::Kmeans,
            k: KChoice::Fixed(4),
            ..SegmentParams::default()
        };
        ws.segment(&params, &NoProgress).unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mut stmt = conn
            .prepare("SELECT name, email, phone FROM customers ORDER BY rowid")
            .unwrap();
        let mut pii: Vec<String> = Vec::new();
        let rows = stmt
            .query_map([], |r| {
                Ok([
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ])
            })
            .unwrap();
        for row in rows {
            pii.extend(row.unwrap().into_iter().flatten().filter(|s| s.len() >= 4));
        }
        let first: String = conn
            .query_row(
                "SELECT customer_id FROM customers ORDER BY rowid LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        (pii, first)
    };
    assert!(pii.len() > 10_000, "{} values", pii.len());

    let mut h = data_harness(Some(path));
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| has_label_containing(
            h, "Opened"
        )),
        "{}",
        dump(&h)
    );
    // The scan works: without presentation mode, once revealed, the grid shows personal data.
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| has_label(h, &first_id)),
        "{}",
        dump(&h)
    );
    assert!(
        leaks(&all_text(&h), &pii).is_empty(),
        "masked until revealed: {}",
        dump(&h)
    );
    click(&mut h, "Show personal data");
    h.step();
    assert!(!leaks(&all_text(&h), &pii).is_empty(), "{}", dump(&h));
    h.state_mut().command(Command::SetPresentation(true));
    for _ in 0..3 {
        h.step();
    }

    // Data: the customers grid with its first rows loaded.
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| has_label(h, &first_id)),
        "{}",
        dump(&h)
    );
    for _ in 0..3 {
        h.step();
    }
    let data_text = all_text(&h);
    assert!(data_text.iter().any(|t| t == tailor::app::theme::MASK));
    let mut found = leaks(&data_text, &pii);

    // Segments: the stored run shown again.
    h.state_mut().command(Command::ShowPanel(Panel::Segments));
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| h
            .state()
            .segments()
            .shown
            .is_some()),
        "{}",
        dump(&h)
    );
    h.step();
    h.step();
    found.extend(leaks(&all_text(&h), &pii));

    // Recommendations: one customer found.
    h.state_mut()
        .command(Command::ShowPanel(Panel::Recommendations));
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| h
            .state()
            .recommendations()
            .ready()
            .is_some()),
        "{}",
        dump(&h)
    );
    replace_text(&mut h, 0, &first_id);
    click(&mut h, "Find");
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| h
            .state()
            .recommendations()
            .shown
            .as_ref()
            .is_some_and(|s| s.recommendations.is_some())),
        "{}",
        dump(&h)
    );
    h.step();
    h.step();
    found.extend(leaks(&all_text(&h), &pii));

    // Churn & value: a model run, lifetime values, the target list and one customer's drill-down.
    h.state_mut().command(Command::ShowPanel(Panel::ChurnValue));
    h.step();
    h.step();
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
    h.step();
    found.extend(leaks(&all_text(&h), &pii));
    h.query_all_by_label("Run lifetime value")
        .next()
        .unwrap()
        .scroll_to_me();
    h.step();
    click(&mut h, "Run lifetime value");
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
    h.step();
    found.extend(leaks(&all_text(&h), &pii));
    let riskiest = {
        let view = h.state().churn_panel();
        let targets = view.targets.as_ref().unwrap();
        let above = targets.above(view.threshold);
        targets.rows[above[0] as usize].customer_id.clone()
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
    replace_text(&mut h, field, &riskiest);
    h.key_press(egui::Key::Enter);
    h.step();
    h.step();
    assert_eq!(
        h.state().churn_panel().selected.as_deref(),
        Some(riskiest.as_str()),
        "{}",
        dump(&h)
    );
    assert!(has_label(&h, "P(alive)"), "{}", dump(&h));
    found.extend(leaks(&all_text(&h), &pii));

    // Fairness: the stored churn run audited by the default column, with its proxies.
    h.state_mut().command(Command::ShowPanel(Panel::Fairness));
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| h
            .state()
            .fairness()
            .shown
            .is_some()
            && has_label(h, "Lowest rate ÷ highest")
            && has_label_containing(h, "Per group")),
        "{}",
        dump(&h)
    );
    h.step();
    h.step();
    found.extend(leaks(&all_text(&h), &pii));

    // Campaigns: an audience with its preview, and the export dialog open.
    h.state_mut().command(Command::ShowPanel(Panel::Campaigns));
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| h
            .state()
            .campaigns()
            .result
            .as_ref()
            .is_some_and(|r| !r.preview.is_empty())
            && has_label(h, "Audience by segment")),
        "{}",
        dump(&h)
    );
    h.step();
    h.step();
    let campaign_text = all_text(&h);
    assert!(
        campaign_text.iter().any(|t| t.starts_with("Preview")),
        "{}",
        dump(&h)
    );
    found.extend(leaks(&campaign_text, &pii));
    click(&mut h, "Export CSV…");
    assert!(has_label(&h, "Export the audience"), "{}", dump(&h));
    found.extend(leaks(&all_text(&h), &pii));

    // Data again: the columns and roles, then the data-quality report (its examples are raw
    // values, which may be personal data).
    h.state_mut().command(Command::ShowPanel(Panel::Data));
    h.step();
    click(&mut h, "Columns and roles");
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| has_label(h, "email")),
        "{}",
        dump(&h)
    );
    h.step();
    found.extend(leaks(&all_text(&h), &pii));
    click(&mut h, "Data quality");
    click(&mut h, "Run check");
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| has_label(
            h, "Severity"
        )
            || has_label_containing(h, "No problems found")),
        "{}",
        dump(&h)
    );
    h.step();
    h.step();
    let quality_text = all_text(&h);
    assert!(quality_text.iter().any(|t| t == "Example"), "{}", dump(&h));
    found.extend(leaks(&quality_text, &pii));

    assert!(found.is_empty(), "personal data on screen: {found:?}");
}
