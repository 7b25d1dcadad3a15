//! The Segments panel, driven without a display by egui_kittest, and its worker jobs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use tailor::app::panels::segments::NO_TRANSACTIONS;
use tailor::app::segments::SegmentCommand;
use tailor::app::{Command, Panel, TailorApp};
use tailor::jobs::{Done, Event, Job, JobId, SegmentDone, SegmentJob, Worker};
use tailor::models::segment::run::{KChoice, SegmentMethod, SegmentParams};
use tailor::workspace::export::{ExportRequest, ExportSpec};

mod ui_common;
use ui_common::*;

/// Shows the Segments panel once the database is open.
fn show_segments(h: &mut Harness<'_, TailorApp>) {
    assert!(
        step_until(h, Duration::from_secs(10), |h| has_label_containing(
            h, "Opened"
        )),
        "{}",
        dump(h)
    );
    h.state_mut().command(Command::ShowPanel(Panel::Segments));
    h.step();
}

fn segments_ready(h: &Harness<'_, TailorApp>) -> bool {
    let s = h.state().segments();
    s.shown.is_some() && !s.running
}

#[test]
fn kmeans_run_rename_export_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(dir.path());
    let mut h = harness(Some(db.clone()));
    show_segments(&mut h);
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| !h
            .state()
            .segments()
            .running
            && has_label_containing(
                h,
                "Choose a method and press Run segmentation"
            )),
        "{}",
        dump(&h)
    );

    // k-means with k = 5.
    click(&mut h, "Auto");
    h.query_all_by_role(Role::Slider)
        .next()
        .unwrap()
        .set_value_accesskit(5.0);
    h.step();
    h.step();
    assert!(!h.state().segments().controls.k_auto);
    assert_eq!(h.state().segments().controls.k, 5);
    assert_eq!(h.state().segments().controls.method, SegmentMethod::Kmeans);
    click(&mut h, "Run segmentation");
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| segments_ready(h)
            && has_label_containing(h, "loyal")),
        "{}",
        dump(&h)
    );
    // The headline says it in a sentence; the technical figures wait under Model details.
    assert!(has_label_containing(&h, "5 segments; "), "{}", dump(&h));
    assert!(!has_label(&h, "Columns used"));
    click(&mut h, "Model details");
    assert!(has_label(&h, "Columns used"), "{}", dump(&h));
    assert!(has_label(&h, "Silhouette"), "{}", dump(&h));
    assert_eq!(h.state().error(), None);
    let (before, selected) = {
        let s = h.state().segments();
        let shown = s.shown.as_ref().unwrap();
        assert_eq!(shown.result.run.segments.len(), 5);
        assert_eq!(shown.result.run.k_scores.len(), 1, "fixed k: no k charts");
        let selected = s.selected.unwrap();
        let size = shown.result.run.segment(selected).unwrap().size;
        assert_eq!(s.rows.len(), size, "the table lists the selected segment");
        (shown.result.run.labels.clone(), selected)
    };

    // Rename the first card's segment in place.
    let first_name = {
        let s = h.state().segments();
        let shown = s.shown.as_ref().unwrap();
        let mut segs: Vec<_> = shown.result.run.segments.iter().collect();
        segs.sort_by(|a, b| b.size.cmp(&a.size).then(a.id.cmp(&b.id)));
        segs[0].name.clone()
    };
    h.query_all_by_label("Rename…").next().unwrap().click();
    h.step();
    h.step();
    h.query_all_by_role(Role::TextInput)
        .next()
        .unwrap()
        .type_text("Best friends");
    h.step();
    click(&mut h, "Save");
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| has_label(
            h,
            "Best friends"
        ) && has_label(
            h,
            "Segment renamed"
        )),
        "{}",
        dump(&h)
    );
    assert!(!has_label(&h, &first_name));

    // Sorting by a column keeps the same customers, in order of that column.
    click(&mut h, "Spend");
    {
        let s = h.state().segments();
        let shown = s.shown.as_ref().unwrap();
        let col = s.sort.0;
        let values: Vec<f64> = s
            .rows
            .iter()
            .map(|&i| {
                shown
                    .result
                    .value(i as usize, shown.result.columns[col].source)
            })
            .collect();
        assert!(values.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(
            s.rows.len(),
            shown.result.run.segment(selected).unwrap().size
        );
        // Amounts are in the database's currency (the sample's pounds), to the penny.
        let spend = shown
            .result
            .value(s.rows[0] as usize, shown.result.columns[col].source);
        let pounds = tailor::money::Money {
            currency: tailor::money::Currency::from_code("GBP"),
        };
        let cell = pounds.cents(spend);
        assert!(cell.contains('£'), "{cell}");
        assert!(has_label(&h, &cell), "{cell}: {}", dump(&h));
    }

    // Export the selected segment.
    let out = dir.path().join("segment.csv");
    click(&mut h, "Export segment…");
    assert!(has_label(&h, "Export segment"), "{}", dump(&h));
    // The open database is refused in the dialog, which stays open.
    let database = db.display().to_string();
    replace_text(&mut h, 0, &database);
    click(&mut h, "Export");
    assert!(
        has_label_containing(&h, "would overwrite the database"),
        "{}",
        dump(&h)
    );
    assert!(h.state().segments().export.dialog.is_some());
    replace_text(&mut h, 0, &out.display().to_string());
    click(&mut h, "Export");
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| has_label_containing(
            h,
            "Exported "
        )),
        "{}",
        dump(&h)
    );
    let (size, name) = {
        let s = h.state().segments();
        let seg = s
            .shown
            .as_ref()
            .unwrap()
            .result
            .run
            .segment(selected)
            .unwrap();
        (seg.size, seg.name.clone())
    };
    let exported = h.state().segments().export.exported.clone().unwrap();
    assert_eq!(
        exported.spec,
        tailor::workspace::export::ExportSpec::Segment { segment: selected }
    );
    let summary = &exported.summary;
    assert_eq!(summary.rows + summary.left_out_no_consent, size as u64);
    assert!(summary.left_out_no_consent > 0, "{:?}", summary.notes);
    let notice = h.state().notice().unwrap().to_string();
    assert!(
        notice.starts_with(&format!(
            "Exported {} customers to ",
            tailor::format::thousands(summary.rows)
        )),
        "{notice}"
    );
    // The panel shows what was left out where the export was started.
    for note in &summary.notes {
        assert!(has_label(&h, note), "{note}: {}", dump(&h));
    }
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[0], "customer_id");
    let at = |c: &str| header.iter().position(|h| h == c).unwrap();
    assert!(!header.iter().any(|h| h == "email"), "{header:?}");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len() as u64, summary.rows);
    for row in &rows {
        assert_eq!(&row[at("segment_id")], selected.to_string());
        assert_eq!(&row[at("segment_name")], name);
        assert_eq!(&row[at("consent_email")], "1");
    }

    // Reopening shows the last run again: same segments, the user's name kept.
    h.state_mut().command(Command::Open(db));
    assert!(
        step_until(&mut h, Duration::from_secs(60), |h| {
            segments_ready(h)
                && h.state()
                    .segments()
                    .shown
                    .as_ref()
                    .is_some_and(|s| s.result.reshown)
                && has_label(h, "Best friends")
        }),
        "{}",
        dump(&h)
    );
    let s = h.state().segments();
    let shown = s.shown.as_ref().unwrap();
    assert_eq!(shown.result.run.labels, before);
    assert_eq!(shown.result.run.params.k, KChoice::Fixed(5));
    assert!(has_label(&h, "5"));
    assert!(has_label_containing(&h, "Showing the last segmentation"));
}

fn open_method_box(h: &mut Harness<'_, TailorApp>) {
    h.query_all_by_role(Role::ComboBox).next().unwrap().click();
    h.step();
    h.step();
}

#[test]
fn rfm_without_transactions_says_to_import_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut sql =
        String::from("CREATE TABLE customers (customer_id TEXT PRIMARY KEY, tenure REAL);");
    for i in 0..40 {
        sql.push_str(&format!(
            "INSERT INTO customers VALUES ('c{i:02}', {});",
            (i % 4) * 10
        ));
    }
    conn.execute_batch(&sql).unwrap();
    drop(conn);
    let mut h = harness(Some(path));
    show_segments(&mut h);
    assert!(step_until(&mut h, Duration::from_secs(10), |h| {
        h.query_all_by_role(Role::ComboBox).next().is_some()
    }));
    open_method_box(&mut h);
    click(&mut h, "RFM");
    assert!(
        step_until(&mut h, Duration::from_secs(5), |h| has_label(
            h,
            NO_TRANSACTIONS
        )),
        "{}",
        dump(&h)
    );
    assert!(
        h.query_all_by_label("Run segmentation")
            .next()
            .unwrap()
            .accesskit_node()
            .is_disabled(),
        "Run is disabled for RFM without transactions"
    );
    // Attributes alone still segment.
    open_method_box(&mut h);
    click(&mut h, "k-means");
    click(&mut h, "Run segmentation");
    assert!(
        step_until(&mut h, Duration::from_secs(30), segments_ready),
        "{}",
        dump(&h)
    );
    assert_eq!(h.state().error(), None);
    assert!(has_label_containing(&h, "segments; "), "{}", dump(&h));
}

/// Collects events until job `id` has its final event.
fn until_final(w: &Worker, id: JobId) -> Vec<Event> {
    let mut out = Vec::new();
    while let Some(e) = w.recv_timeout(Duration::from_secs(60)) {
        let done = e.job_id() == id && e.is_final();
        out.push(e);
        if done {
            return out;
        }
    }
    panic!("no final event for job {id}");
}

#[test]
fn worker_reruns_the_last_run_and_exports_a_segment() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(dir.path());
    let mut w = Worker::spawn(Arc::new(|| {})).unwrap();
    let open = w.submit(Job::Data(tailor::jobs::DataJob::Open(db.clone())));
    until_final(&w, open.id);
    let none = w.submit(Job::Segments(SegmentJob::ShowLatest));
    let events = until_final(&w, none.id);
    assert!(
        matches!(
            events.last(),
            Some(Event::Done {
                done: Done::Segments(SegmentDone::Segmented(None)),
                ..
            })
        ),
        "no stored run yet"
    );

    let params = SegmentParams {
        method: SegmentMethod::Rfm,
        ..SegmentParams::default()
    };
    let run = w.submit(Job::Segments(SegmentJob::Run(params.clone())));
    let events = until_final(&w, run.id);
    let Some(Event::Done {
        done: Done::Segments(SegmentDone::Segmented(Some(first))),
        ..
    }) = events.last()
    else {
        panic!("{:?}", events.last().map(|e| e.job_id()));
    };
    assert!(first.run_id.is_some() && !first.reshown);
    assert!(first.columns.iter().any(|c| c.title == "R score"));
    assert_eq!(first.orders.len(), first.columns.len());
    assert!(first.scatter_points <= tailor::workspace::segments::MAX_SCATTER_POINTS);
    let in_scatter: usize = first.scatter.iter().map(|(_, c)| c.len()).sum();
    assert_eq!(in_scatter, first.scatter_points);

    let again = w.submit(Job::Segments(SegmentJob::ShowLatest));
    let events = until_final(&w, again.id);
    let Some(Event::Done {
        done: Done::Segments(SegmentDone::Segmented(Some(second))),
        ..
    }) = events.last()
    else {
        panic!("no rerun");
    };
    assert!(second.reshown);
    assert_eq!(second.run_id, first.run_id);
    assert_eq!(second.run.labels, first.run.labels);

    let segment = first.run.segments[0].id;
    let out = dir.path().join("rfm.csv");
    let export = w.submit(Job::Export(ExportRequest {
        spec: ExportSpec::Segment { segment },
        path: out.clone(),
        options: Default::default(),
    }));
    let events = until_final(&w, export.id);
    let Some(Event::Done {
        done: Done::Exported(exported),
        ..
    }) = events.last()
    else {
        panic!("export failed");
    };
    assert_eq!(exported.spec, ExportSpec::Segment { segment });
    let summary = &exported.summary;
    let customers = &(summary.rows as usize);
    let size = first.run.segments[0].size;
    // The privacy guard: customers without consent are left out, and counted.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let consent = |id: &str| -> Option<i64> {
        conn.query_row(
            "SELECT consent_email FROM customers WHERE customer_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
    };
    let members: Vec<&String> = first
        .customer_ids
        .iter()
        .zip(&first.run.labels)
        .filter(|(_, l)| **l == segment)
        .map(|(id, _)| id)
        .collect();
    assert_eq!(members.len(), size);
    let without = members.iter().filter(|id| consent(id) != Some(1)).count();
    assert!(without > 0, "the segment has customers without consent");
    assert_eq!(summary.left_out_no_consent, without as u64);
    assert_eq!(*customers, size - without);
    assert!(
        summary.notes.contains(&format!(
            "{} without consent (consent_email) left out",
            tailor::format::count(without as u64, "customer", "customers")
        )),
        "{:?}",
        summary.notes
    );
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[0], "customer_id");
    assert!(header.ends_with(&[
        "segment_id".to_string(),
        "segment_name".to_string(),
        "r".to_string(),
        "f".to_string(),
        "m".to_string()
    ]));
    for pii in ["name", "email", "phone"] {
        assert!(!header.iter().any(|h| h == pii), "{pii} in {header:?}");
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), *customers);
    for row in &rows {
        assert_eq!(consent(&row[0]), Some(1), "{} has no consent", &row[0]);
    }
    let logged: (i64, i64) = conn
        .query_row(
            "SELECT rows, included_pii FROM tailor_exports ORDER BY export_id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(logged, (*customers as i64, 0));
}

#[test]
fn cancel_stops_a_segmentation_and_keeps_the_window_responsive() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(dir.path());
    let mut h = harness(Some(db));
    show_segments(&mut h);
    assert!(step_until(&mut h, Duration::from_secs(10), |h| !h
        .state()
        .segments()
        .running
        && has_label(h, "Run segmentation")));
    // Automatic k tries nine models: long enough to cancel.
    click(&mut h, "Run segmentation");
    assert!(h.state().segments().running);
    let started = Instant::now();
    click(&mut h, "Cancel");
    assert!(
        step_until(&mut h, Duration::from_secs(10), |h| !h
            .state()
            .segments()
            .running),
        "{}",
        dump(&h)
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(h.state().notice(), Some("Cancelled"));
    assert!(h.state().segments().shown.is_none());
    assert_eq!(h.state().error(), None);
}

#[test]
fn a_gaussian_mixture_failure_shows_the_library_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, tenure REAL);
         INSERT INTO customers VALUES ('a', 1), ('b', 1), ('c', 1), ('d', 2);",
    )
    .unwrap();
    drop(conn);
    let mut h = harness(Some(path));
    show_segments(&mut h);
    assert!(step_until(&mut h, Duration::from_secs(10), |h| !h
        .state()
        .segments()
        .running
        && has_label(h, "Run segmentation")));
    h.state_mut()
        .command(Command::Segments(SegmentCommand::Run(SegmentParams {
            method: SegmentMethod::Gmm,
            k: KChoice::Fixed(3),
            ..SegmentParams::default()
        })));
    assert!(
        step_until(&mut h, Duration::from_secs(20), |h| h
            .state()
            .error()
            .is_some()),
        "{}",
        dump(&h)
    );
    let error = h.state().error().unwrap();
    assert!(
        error.starts_with("Segmentation failed: the Gaussian mixture did not converge"),
        "{error}"
    );
    assert!(has_label_containing(&h, "Segmentation failed"));
    // Never silently k-means.
    assert!(h.state().segments().shown.is_none());
    assert!(!h.state().segments().running);
}
