//! Presentation mode hides personal data everywhere: with it on, every panel is visited (the
//! Data grid showing customers, Segments, Recommendations with a customer found, Campaigns with
//! a preview) and all text in the accessibility tree is checked against every name, email and
//! phone value of the sample database's customers table.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable, by};
use tailor::app::{Command, Panel, TailorApp};
use tailor::data::Database;
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

fn replace_text(h: &mut Harness<'_, TailorApp>, field: usize, text: &str) {
    h.query_all_by_role(Role::TextInput)
        .nth(field)
        .unwrap()
        .focus();
    h.step();
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.step();
    h.query_all_by_role(Role::TextInput)
        .nth(field)
        .unwrap()
        .type_text(text);
    h.step();
}

#[test]
fn presentation_mode_shows_no_personal_data_on_any_panel() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_copy(dir.path());
    let (pii, first_id) = {
        let mut db = Database::open(&path).unwrap();
        let params = SegmentParams {
            method: SegmentMethod::Kmeans,
            k: KChoice::Fixed(4),
            ..SegmentParams::default()
        };
        tailor::pipeline::segment(&mut db, &params, &NoProgress).unwrap();
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

    let mut h = harness(Some(path));
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| has_label_containing(
            h, "Opened"
        )),
        "{}",
        dump(&h)
    );
    // The scan works: without presentation mode the grid shows personal data.
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| has_label(h, &first_id)),
        "{}",
        dump(&h)
    );
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

    assert!(found.is_empty(), "personal data on screen: {found:?}");
}
