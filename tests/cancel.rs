//! Issue 11, "every long loop checks the cancel token": every operation a user can start stops
//! with `Cancelled` whenever its token is set — at its first ask, halfway through its asks, and
//! at its very last — never returns a partial result as if it were complete, and stores nothing
//! when cancelled. (How often each operation asks, in time, is measured by `cargo bench --bench
//! cancel`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use tailor::data::import::ImportOptions;
use tailor::data::sample::{SampleOptions, generate};
use tailor::error::Error;
use tailor::export::audience::ExportOptions;
use tailor::models::churn::run::{ChurnParams, ModelKind};
use tailor::models::clv::run::ClvParams;
use tailor::models::clv::summary::TimeUnit;
use tailor::models::fairness::audit::AuditOptions;
use tailor::models::fairness::decision::Decision;
use tailor::models::recommend::{RecOptions, RecRequest};
use tailor::models::segment::run::{KChoice, SegmentMethod, SegmentParams};
use tailor::progress::{NoProgress, Progress};
use tailor::workspace::Workspace;
use tailor::workspace::campaigns::AudienceRequest;
use tailor::workspace::export::{ExportRequest, ExportSpec};
use tailor::workspace::fairness::AuditParams;
use tailor::workspace::recommend::EvaluateParams;

/// Says "cancel" from its `at`-th ask on (never when `at` is 0), counting every ask.
struct CancelAt {
    at: usize,
    asks: AtomicUsize,
}

impl CancelAt {
    fn new(at: usize) -> CancelAt {
        CancelAt {
            at,
            asks: AtomicUsize::new(0),
        }
    }
}

impl Progress for CancelAt {
    fn report(&self, _fraction: f32, _message: &str) {}
    fn is_cancelled(&self) -> bool {
        let n = self.asks.fetch_add(1, Ordering::Relaxed) + 1;
        self.at > 0 && n >= self.at
    }
}

/// What a cancelled operation must leave as it was: the stored runs and the customer tables.
fn stored(db: &Path) -> Vec<i64> {
    let conn = rusqlite::Connection::open(db).unwrap();
    [
        "tailor_runs",
        "tailor_exports",
        "customers",
        "products",
        "transactions",
    ]
    .iter()
    .map(|t| {
        conn.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
            .unwrap()
    })
    .collect()
}

/// A sample database with a segmentation, a churn run and a lifetime-value run stored.
fn prepared(dir: &Path) -> PathBuf {
    let db = dir.join("s.sqlite");
    let options = SampleOptions {
        customers: 400,
        seed: 7,
    };
    generate(&db, &options, None, &NoProgress).unwrap();
    let mut ws = Workspace::open(&db).unwrap();
    ws.segment(&kmeans(), &NoProgress).unwrap();
    ws.churn(&ChurnParams::default(), &NoProgress).unwrap();
    ws.clv(&ClvParams::new(TimeUnit::Week), &NoProgress)
        .unwrap();
    db
}

fn kmeans() -> SegmentParams {
    SegmentParams {
        method: SegmentMethod::Kmeans,
        k: KChoice::Auto,
        restarts: 10,
        seed: 42,
        include_protected: false,
    }
}

type Operation = Box<dyn Fn(&mut Workspace, &dyn Progress) -> Result<(), Error>>;

/// Segmentation by `method` with the command line's defaults.
fn segment_by(method: SegmentMethod) -> Operation {
    Box::new(move |ws, p| {
        let params = SegmentParams { method, ..kmeans() };
        ws.segment(&params, p).map(|_| ())
    })
}

/// Runs `op` on a fresh workspace of `db` once to count its asks, then cancels it at its
/// first, middle and last ask: each time it must end with `Cancelled` and store nothing.
fn cancels_everywhere(name: &str, db: &Path, op: &Operation) {
    let count = CancelAt::new(0);
    op(&mut Workspace::open(db).unwrap(), &count).unwrap_or_else(|e| panic!("{name}: {e}"));
    let asks = count.asks.load(Ordering::Relaxed);
    assert!(asks > 0, "{name} never asks whether it is cancelled");
    for at in [1, asks.div_ceil(2), asks] {
        let before = stored(db);
        let cancel = CancelAt::new(at);
        let result = op(&mut Workspace::open(db).unwrap(), &cancel);
        // A watcher that polls while SQLite works (the sample's ANALYZE) asks as often as the
        // work takes: a faster run may end before its last ask, and then it was never told.
        let asked = cancel.asks.load(Ordering::Relaxed);
        assert!(
            matches!(result, Err(Error::Cancelled)) || (result.is_ok() && asked < at),
            "{name} cancelled at ask {at} of {asks} (asked {asked}) returned {:?}",
            result.map(|()| "a result")
        );
        assert_eq!(
            stored(db),
            before,
            "{name} cancelled at ask {at} stored something"
        );
    }
}

#[test]
fn every_model_operation_stops_when_cancelled_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = prepared(dir.path());
    let segment = Workspace::open(&db)
        .unwrap()
        .stored_segments()
        .unwrap()
        .and_then(|l| l.segments.first().map(|s| s.id))
        .unwrap();
    let category = Workspace::open(&db)
        .unwrap()
        .fairness_choices(&NoProgress)
        .unwrap()
        .categories
        .first()
        .cloned()
        .unwrap();
    let out = dir.path().join("segment.csv");
    let audit = |decision: Decision| AuditParams {
        attribute: "gender".to_string(),
        decision,
        options: AuditOptions::default(),
    };
    let operations: Vec<(&str, Operation)> = vec![
        ("dataset", Box::new(|ws, p| ws.dataset(p).map(|_| ()))),
        ("check", Box::new(|ws, p| ws.check(p).map(|_| ()))),
        ("k-means", segment_by(SegmentMethod::Kmeans)),
        ("rfm", segment_by(SegmentMethod::Rfm)),
        ("gmm", segment_by(SegmentMethod::Gmm)),
        (
            "churn",
            Box::new(|ws, p| ws.churn(&ChurnParams::default(), p).map(|_| ())),
        ),
        (
            "churn forest",
            Box::new(|ws, p| {
                let mut params = ChurnParams {
                    model: ModelKind::Forest,
                    ..ChurnParams::default()
                };
                params.forest.trees = 20;
                ws.churn(&params, p).map(|_| ())
            }),
        ),
        (
            "clv",
            Box::new(|ws, p| ws.clv(&ClvParams::new(TimeUnit::Week), p).map(|_| ())),
        ),
        (
            "fit recommenders",
            Box::new(|ws, p| ws.fit_recommender(&RecOptions::default(), p).map(|_| ())),
        ),
        (
            "recommend everyone",
            Box::new(|ws, p| {
                ws.recommend_everyone(&RecRequest::default(), &RecOptions::default(), p)
                    .map(|_| ())
            }),
        ),
        (
            "evaluate recommenders",
            Box::new(|ws, p| {
                ws.evaluate_recommenders(&EvaluateParams::default(), p)
                    .map(|_| ())
            }),
        ),
        (
            "fairness choices",
            Box::new(|ws, p| ws.fairness_choices(p).map(|_| ())),
        ),
        (
            "audit churn",
            Box::new(move |ws, p| ws.audit(&audit(Decision::ChurnTop(0.2)), p).map(|_| ())),
        ),
        (
            "audit recommendations",
            Box::new(move |ws, p| {
                ws.audit(&audit(Decision::RecsCategory(category.clone())), p)
                    .map(|_| ())
            }),
        ),
        (
            "campaign choices",
            Box::new(|ws, p| ws.campaign_choices(p).map(|_| ())),
        ),
        (
            "campaign audience with offers",
            Box::new(|ws, p| {
                let request = AudienceRequest {
                    offers: true,
                    ..AudienceRequest::default()
                };
                ws.build_audience(&request, p).map(|_| ())
            }),
        ),
        (
            "export",
            Box::new(move |ws, p| {
                let request = ExportRequest {
                    spec: ExportSpec::Segment { segment },
                    path: out.clone(),
                    options: ExportOptions::default(),
                };
                ws.export(&request, p).map(|_| ())
            }),
        ),
    ];
    for (name, op) in &operations {
        cancels_everywhere(name, &db, op);
    }
}

#[test]
fn import_and_sample_stop_when_cancelled_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = prepared(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut text = String::from("customer_id,ts,order_id,product_id,quantity,unit_price\n");
    let mut stmt = conn
        .prepare(
            "SELECT customer_id, ts, order_id, product_id, quantity, unit_price FROM transactions",
        )
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        text.push_str(&format!(
            "{},{},{}-b,{},{},{}\n",
            r.get::<_, String>(0).unwrap(),
            r.get::<_, String>(1).unwrap(),
            r.get::<_, String>(2).unwrap(),
            r.get::<_, String>(3).unwrap(),
            r.get::<_, f64>(4).unwrap(),
            r.get::<_, f64>(5).unwrap()
        ));
    }
    let file = dir.path().join("more.csv");
    std::fs::write(&file, text).unwrap();
    let into = dir.path().join("new.sqlite");
    let files = vec![file];
    let sample = dir.path().join("sample.sqlite");
    let operations: Vec<(&str, Operation)> = vec![
        (
            "import (append)",
            Box::new(move |ws, p| {
                ws.import(&files, &ImportOptions::default(), None, p)
                    .map(|_| ())
            }),
        ),
        (
            "new sample",
            Box::new(move |ws, p| {
                let options = SampleOptions {
                    customers: 300,
                    seed: 3,
                };
                let result = ws.new_sample(&sample, &options, None, p).map(|_| ());
                // Each run writes a new file: the next one must not find it.
                let _ = std::fs::remove_file(&sample);
                result
            }),
        ),
    ];
    for (name, op) in &operations {
        cancels_everywhere(name, &db, op);
    }
    assert!(!into.exists());
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tailor-tmp") || n.ends_with("-journal"))
        .collect();
    assert_eq!(leftovers, Vec::<String>::new());
}
