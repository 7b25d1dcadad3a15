//! The Recommendations panel, driven without a display by egui_kittest, on a copy of the
//! bundled sample database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use tailor::app::{Command, Panel};
use tailor::models::recommend::methods::{RecMethod, WeightsSource};
use tailor::models::segment::run::{KChoice, SegmentMethod, SegmentParams};
use tailor::progress::NoProgress;

mod ui_common;
use ui_common::*;

#[test]
fn customer_evaluation_and_segment_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_copy(dir.path());
    // A stored segmentation for the Segment tab and "Pick from segment".
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
    h.state_mut()
        .command(Command::ShowPanel(Panel::Recommendations));
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| h
            .state()
            .recommendations()
            .ready()
            .is_some()
            && has_label_containing(h, "Models ready")),
        "{}",
        dump(&h)
    );
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| h
            .state()
            .recommendations()
            .segments
            .is_some()),
        "{}",
        dump(&h)
    );

    // The hybrid's sliders start at the weights tuned on this database, and say so.
    {
        let view = h.state().recommendations();
        let info = view.ready().unwrap();
        assert_eq!(info.blend.source, WeightsSource::Tuned);
        assert_eq!(view.controls.weights, info.blend.weights);
        assert!(!view.controls.own_weights);
    }
    assert!(
        has_label_containing(&h, "Weights tuned on this database"),
        "{}",
        dump(&h)
    );

    // Find a customer by id: their recommendations and reasons appear.
    let id = {
        let list = h.state().recommendations().segments.clone().unwrap();
        list.segments[0].first_customers[0].clone()
    };
    replace_text(&mut h, 0, &id);
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
    let (reason, n_items) = {
        let shown = h.state().recommendations().shown.clone().unwrap();
        assert_eq!(shown.customer_id, id);
        let recs = shown.recommendations.as_ref().unwrap();
        assert_eq!(recs.method, RecMethod::Hybrid);
        (recs.items[0].reasons[0].text.clone(), recs.items.len())
    };
    assert_eq!(n_items, 10);
    h.step();
    assert!(
        has_label(&h, &reason),
        "{reason:?} not on screen: {}",
        dump(&h)
    );
    assert!(has_label(&h, "Recent purchases"));
    assert!(has_label_containing(
        &h,
        &format!("Top 10 for customer {id}")
    ));

    // Switch the method: the list is asked again and shown at once.
    // The combo boxes: pick a segment, then the method.
    h.query_all_by_role(Role::ComboBox).nth(1).unwrap().click();
    h.step();
    h.step();
    click(&mut h, RecMethod::ItemCf.label());
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| h
            .state()
            .recommendations()
            .shown
            .as_ref()
            .is_some_and(|s| s.request.method == RecMethod::ItemCf)
            && has_label_containing(h, "by Bought together (item-CF)")),
        "{}",
        dump(&h)
    );
    assert!(has_label_containing(&h, "Share of the score by reason"));

    // An unknown id says so in one line.
    replace_text(&mut h, 0, "NO-SUCH-CUSTOMER");
    click(&mut h, "Find");
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| has_label(
            h,
            "No customer with id “NO-SUCH-CUSTOMER” in this database."
        )),
        "{}",
        dump(&h)
    );
    assert_eq!(h.state().error(), None);

    // The evaluation: a row per method, popularity as the baseline.
    click(&mut h, "Evaluation");
    click(&mut h, "Run evaluation");
    assert!(
        step_until(&mut h, Duration::from_secs(120), |h| h
            .state()
            .recommendations()
            .report
            .is_some()
            && has_label(h, "Hit rate")),
        "{}",
        dump(&h)
    );
    {
        let report = h.state().recommendations().report.clone().unwrap();
        assert_eq!(report.k, 10);
        assert_eq!(report.methods.len(), RecMethod::ALL.len());
    }
    assert!(has_label(&h, "Popular (baseline)"), "{}", dump(&h));
    assert!(has_label(&h, RecMethod::Als.label()));
    assert!(
        has_label(&h, "Hybrid blend (tuned weights)"),
        "{}",
        dump(&h)
    );
    assert!(
        has_label_containing(&h, "second-to-last purchase hidden"),
        "how the weights were tuned: {}",
        dump(&h)
    );
    {
        let report = h.state().recommendations().report.clone().unwrap();
        assert!(
            report.methods.iter().all(|m| m.available),
            "the sample has it all"
        );
        assert_eq!(
            report.hybrid_weights,
            h.state().recommendations().controls.weights
        );
    }

    // Repeat purchases, chosen on the Customer tab, apply to the segment's table too.
    click(&mut h, "Customer");
    click(&mut h, "Include products they already have");
    assert!(h.state().recommendations().controls.repeat);

    // The segment tab: every customer of the first segment, three items each, exported.
    click(&mut h, "Segment");
    click(&mut h, "Recommend for segment");
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| h
            .state()
            .recommendations()
            .segment_tab
            .recs
            .is_some()),
        "{}",
        dump(&h)
    );
    let (rows, customers) = {
        let recs = h
            .state()
            .recommendations()
            .segment_tab
            .recs
            .clone()
            .unwrap();
        let list = h.state().recommendations().segments.clone().unwrap();
        let seg = list.segments.iter().find(|s| s.id == recs.segment).unwrap();
        assert_eq!(recs.customers, seg.size);
        (recs.rows.len(), recs.customers)
    };
    assert!(customers > 0);
    assert_eq!(rows, customers * 3);
    {
        let view = h.state().recommendations();
        let recs = view.segment_tab.recs.clone().unwrap();
        assert!(recs.request.repeat, "the repeat-purchase choice is passed");
        assert_eq!(recs.request.weights, None, "the tuned blend");
    }
    assert!(has_label(&h, "Top reason"), "{}", dump(&h));

    let out = dir.path().join("recs.csv");
    click(&mut h, "Export CSV…");
    assert!(has_label(&h, "Export recommendations"), "{}", dump(&h));
    replace_text(&mut h, 0, &out.display().to_string());
    click(&mut h, "Export");
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| h
            .state()
            .notice()
            .is_some_and(|n| n.starts_with("Exported "))),
        "{}",
        dump(&h)
    );
    // Through the privacy guard: customers without consent left out (counted once, not per
    // item), personal data left out, the product's name kept.
    let summary = h
        .state()
        .recommendations()
        .export
        .exported
        .clone()
        .unwrap()
        .summary
        .clone();
    assert_eq!(summary.rows, summary.customers * 3);
    assert_eq!(
        summary.customers + summary.left_out_no_consent,
        customers as u64
    );
    assert!(summary.left_out_no_consent > 0, "{:?}", summary.notes);
    for note in &summary.notes {
        assert!(has_label(&h, note), "{note}: {}", dump(&h));
    }
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[0], "customer_id");
    assert!(
        header.ends_with(&["rank", "product_id", "name", "score", "top_reason"].map(String::from)),
        "{header:?}"
    );
    assert!(!header.iter().any(|h| h == "email"), "{header:?}");
    let rank = header.iter().position(|h| h == "rank").unwrap();
    let consent = header.iter().position(|h| h == "consent_email").unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len() as u64, summary.rows);
    assert!(records.len() < rows);
    assert_eq!(&records[0][rank], "1");
    assert_eq!(&records[2][rank], "3");
    assert!(records.iter().all(|r| &r[consent] == "1"));
    assert_eq!(h.state().error(), None);

    // Protected columns: the models are fitted again with them, the old evaluation is gone.
    let protected = tailor::app::panels::recommendations::USE_PROTECTED;
    assert!(
        !h.state()
            .recommendations()
            .ready()
            .unwrap()
            .options
            .use_protected
    );
    click(&mut h, protected);
    assert!(h.state().recommendations().use_protected);
    assert!(h.state().recommendations().report.is_none());
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| h
            .state()
            .recommendations()
            .ready()
            .is_some_and(|info| info.options.use_protected)),
        "{}",
        dump(&h)
    );
    assert_eq!(h.state().error(), None);
}

#[test]
fn database_without_transactions_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, region TEXT);
         INSERT INTO customers VALUES ('a', 'north'), ('b', 'south');",
    )
    .unwrap();
    drop(conn);
    let mut h = harness(Some(path));
    assert!(step_until(&mut h, Duration::from_secs(10), |h| {
        has_label_containing(h, "Opened")
    }));
    h.state_mut()
        .command(Command::ShowPanel(Panel::Recommendations));
    h.step();
    h.step();
    assert!(
        has_label(&h, tailor::app::panels::recommendations::NO_TRANSACTIONS),
        "{}",
        dump(&h)
    );
    assert_eq!(h.state().error(), None);
}
