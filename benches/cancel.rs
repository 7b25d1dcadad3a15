//! Cancel latency of every long operation a user can start.
//!
//! A user's Cancel is only seen when the running operation asks `progress.is_cancelled()`
//! (directly or through `progress.check()`). For each operation this benchmark runs it once
//! with a `Progress` that never cancels but records the time of every ask, and reports the
//! longest stretch of wall time without one: from the start of the call to the first ask,
//! between consecutive asks (from any thread), and from the last ask to the return. That
//! stretch is how long a Cancel can go unanswered.
//!
//! Every operation runs on a fresh `Workspace::open` of one sample database (`CANCEL_CUSTOMERS`
//! customers, default 200,000, seed 1), generated once into target/bench-data/ and reused while
//! present; the runs are stored in a working copy, so the cached file stays as generated.
//! Prerequisites (a stored churn run for an audit, a stored segmentation for a campaign or an
//! export, the fitted models for `recommend_everyone`) are made with `NoProgress` before the
//! measurement starts. Parameters are the command line's defaults.
//!
//! The table is sorted by the longest gap, longest first; "at" is where the gap sits in the run
//! (start–end as fractions of its total time) and "during" the progress messages reported in
//! it (first … last), or the last one reported before it when none was. Gaps over
//! `CANCEL_SHOW_GAPS` seconds (default 0.3) are listed below it, the eight longest per
//! operation. `CANCEL_ONLY=word,word` runs only the operations whose name contains one of the
//! words; the operations that need stored runs make them first when they are missing.
//!
//! `cargo bench --bench cancel`

// A benchmark, like a test, may stop at the first failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use tailor::data::import::ImportOptions;
use tailor::data::sample::{SampleOptions, generate};
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

const SEED: u64 = 1;
const DEFAULT_CUSTOMERS: usize = 200_000;

/// One stretch without an ask, in seconds from the start of the call.
#[derive(Debug, Clone)]
struct Gap {
    start: f64,
    end: f64,
    /// What was running: the progress messages reported during the stretch (the first and
    /// the last), else the last one reported before it.
    during: String,
}

impl Gap {
    fn secs(&self) -> f64 {
        self.end - self.start
    }
}

/// What the recorder keeps while the operation runs.
struct State {
    asks: u64,
    last: Instant,
    message: String,
    /// The first message reported since the last ask.
    first_in_gap: Option<String>,
    longest: Option<Gap>,
    /// Every gap of at least `KEEP_GAPS` seconds, in order.
    gaps: Vec<Gap>,
}

/// Gaps at least this long are kept for the detailed list.
const KEEP_GAPS: f64 = 0.05;

/// Gaps listed per operation below the table, at most.
const SHOW_AT_MOST: usize = 8;

/// Closes the stretch from `state.last` to `now` (times from `start`).
fn close(start: Instant, state: &mut State, now: Instant) {
    let gap = Gap {
        start: (state.last - start).as_secs_f64(),
        end: (now - start).as_secs_f64(),
        during: match state.first_in_gap.take() {
            Some(first) if first != state.message => format!("{first} … {}", state.message),
            _ => state.message.clone(),
        },
    };
    if gap.secs() >= KEEP_GAPS {
        state.gaps.push(gap.clone());
    }
    if state.longest.as_ref().is_none_or(|l| gap.secs() > l.secs()) {
        state.longest = Some(gap);
    }
    state.last = now;
}

/// A `Progress` that never cancels and records when it is asked.
struct Recorder {
    start: Instant,
    state: Mutex<State>,
}

impl Recorder {
    fn new() -> Recorder {
        let start = Instant::now();
        Recorder {
            start,
            state: Mutex::new(State {
                asks: 0,
                last: start,
                message: "(none)".to_string(),
                first_in_gap: None,
                longest: None,
                gaps: Vec::new(),
            }),
        }
    }

    /// Ends the run at its return.
    fn finish(self, name: &str) -> Timeline {
        let now = Instant::now();
        let mut state = self.state.into_inner().unwrap();
        let start = self.start;
        close(start, &mut state, now);
        Timeline {
            name: name.to_string(),
            total: (now - start).as_secs_f64(),
            asks: state.asks,
            longest: state.longest.unwrap(),
            gaps: state.gaps,
        }
    }
}

impl Progress for Recorder {
    fn report(&self, _fraction: f32, message: &str) {
        let mut state = self.state.lock().unwrap();
        if state.message != message {
            state.message = message.to_string();
        }
        if state.first_in_gap.is_none() {
            state.first_in_gap = Some(message.to_string());
        }
    }

    fn is_cancelled(&self) -> bool {
        let mut state = self.state.lock().unwrap();
        let now = Instant::now();
        state.asks += 1;
        close(self.start, &mut state, now);
        false
    }
}

/// One operation's record.
struct Timeline {
    name: String,
    total: f64,
    asks: u64,
    longest: Gap,
    gaps: Vec<Gap>,
}

/// Runs `op` with a recorder and returns its timeline; the operation must succeed.
fn measure<T>(name: &str, op: impl FnOnce(&dyn Progress) -> tailor::Result<T>) -> Timeline {
    eprintln!("  {name} …");
    let recorder = Recorder::new();
    let out = op(&recorder);
    let timeline = recorder.finish(name);
    if let Err(e) = out {
        panic!("{name}: {e}");
    }
    drop(std::hint::black_box(out));
    eprintln!(
        "  {name}: {:.2} s, {} asks, longest gap {:.3} s",
        timeline.total,
        timeline.asks,
        timeline.longest.secs()
    );
    timeline
}

fn bench_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `table` of the database at `db` to a CSV file (NULL as an empty cell).
fn table_to_csv(db: &Path, table: &str, out: &Path) {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
    let names: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let mut w = csv::Writer::from_path(out).unwrap();
    w.write_record(&names).unwrap();
    let mut rows = stmt.query([]).unwrap();
    let mut record: Vec<String> = Vec::with_capacity(names.len());
    while let Some(row) = rows.next().unwrap() {
        record.clear();
        for i in 0..names.len() {
            use rusqlite::types::ValueRef;
            record.push(match row.get_ref(i).unwrap() {
                ValueRef::Null => String::new(),
                ValueRef::Integer(v) => v.to_string(),
                ValueRef::Real(v) => v.to_string(),
                ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).into_owned(),
            });
        }
        w.write_record(&record).unwrap();
    }
    w.flush().unwrap();
}

/// The operations whose names contain one of `CANCEL_ONLY`'s words (all without it).
struct Filter(Option<Vec<String>>);

impl Filter {
    fn from_env() -> Filter {
        Filter(std::env::var("CANCEL_ONLY").ok().map(|v| {
            v.split(',')
                .map(|w| w.trim().to_string())
                .filter(|w| !w.is_empty())
                .collect()
        }))
    }

    fn wants(&self, name: &str) -> bool {
        self.0
            .as_ref()
            .is_none_or(|words| words.iter().any(|w| name.contains(w.as_str())))
    }
}

/// The command line's segmentation defaults (`tailor segment --method M`).
fn segment_params(method: SegmentMethod) -> SegmentParams {
    SegmentParams {
        method,
        k: KChoice::Auto,
        restarts: 10,
        seed: 42,
        include_protected: false,
    }
}

/// Stores a segmentation, a churn run and a lifetime-value run when the database lacks one.
fn ensure_stored_runs(db: &Path) {
    let mut ws = Workspace::open(db).unwrap();
    let choices = ws.campaign_choices(&NoProgress).unwrap();
    if choices.segments.is_none() {
        eprintln!("  (prerequisite: k-means segmentation, not measured)");
        ws.segment(&segment_params(SegmentMethod::Kmeans), &NoProgress)
            .unwrap();
    }
    if choices.churn_run.is_none() {
        eprintln!("  (prerequisite: churn run, not measured)");
        ws.churn(&ChurnParams::default(), &NoProgress).unwrap();
    }
    if choices.clv_run.is_none() {
        eprintln!("  (prerequisite: lifetime-value run, not measured)");
        ws.clv(&ClvParams::new(TimeUnit::Week), &NoProgress)
            .unwrap();
    }
}

/// The sample database of `customers` customers, generated once into target/bench-data/;
/// the generation is measured into `tmp` each run.
fn sample_and_generation(
    customers: usize,
    tmp: &Path,
    only: &Filter,
) -> (PathBuf, Option<Timeline>) {
    let cached = bench_dir().join(format!("cancel_{customers}_seed{SEED}.sqlite"));
    let options = SampleOptions {
        customers,
        seed: SEED,
    };
    let timeline = (only.wants("sample generate") || !cached.exists()).then(|| {
        let out = tmp.join("generated.sqlite");
        let t = measure("sample generate", |p| generate(&out, &options, None, p));
        if !cached.exists() {
            let partial = cached.with_extension("sqlite.partial");
            std::fs::copy(&out, &partial).unwrap();
            std::fs::rename(&partial, &cached).unwrap();
        }
        t
    });
    (cached, timeline)
}

fn main() {
    let customers: usize = std::env::var("CANCEL_CUSTOMERS")
        .ok()
        .map(|v| {
            v.trim()
                .replace('_', "")
                .parse()
                .expect("CANCEL_CUSTOMERS: a number")
        })
        .unwrap_or(DEFAULT_CUSTOMERS);
    let show_gaps: f64 = std::env::var("CANCEL_SHOW_GAPS")
        .ok()
        .map(|v| v.trim().parse().expect("CANCEL_SHOW_GAPS: seconds"))
        .unwrap_or(0.3);
    let only = Filter::from_env();
    let tmp = tempfile::tempdir().unwrap();
    eprintln!(
        "cancel latency: {customers} customers, seed {SEED}, {} threads",
        rayon::current_num_threads()
    );
    let mut results: Vec<Timeline> = Vec::new();

    let (cached, generated) = sample_and_generation(customers, tmp.path(), &only);
    results.extend(generated);
    // Runs are stored in a working copy; the cached database stays as generated.
    let db = tmp.path().join("work.sqlite");
    std::fs::copy(&cached, &db).unwrap();
    let open = || Workspace::open(&db).unwrap();

    if only.wants("import") {
        let files: Vec<PathBuf> = ["customers", "products", "transactions"]
            .iter()
            .map(|t| {
                let f = tmp.path().join(format!("{t}.csv"));
                table_to_csv(&db, t, &f);
                f
            })
            .collect();
        let into = tmp.path().join("imported.sqlite");
        let mut ws = Workspace::new();
        results.push(measure("import 3 CSVs", |p| {
            ws.import(&files, &ImportOptions::default(), Some(&into), p)
        }));
    }
    if only.wants("dataset load") {
        let mut ws = open();
        results.push(measure("dataset load", |p| ws.dataset(p).map(|_| ())));
    }
    if only.wants("quality check") {
        let ws = open();
        results.push(measure("quality check", |p| ws.check(p)));
    }
    // k-means last, so that it is the latest stored segmentation (campaigns, export).
    for (name, method) in [
        ("segment rfm", SegmentMethod::Rfm),
        ("segment gmm k auto", SegmentMethod::Gmm),
        ("segment kmeans k auto", SegmentMethod::Kmeans),
    ] {
        if only.wants(name) {
            let mut ws = open();
            results.push(measure(name, |p| ws.segment(&segment_params(method), p)));
        }
    }
    // Logistic (the default) last, so that it is the latest stored churn run (audits).
    if only.wants("churn forest") {
        let mut ws = open();
        let params = ChurnParams {
            model: ModelKind::Forest,
            ..ChurnParams::default()
        };
        results.push(measure("churn forest", |p| ws.churn(&params, p)));
    }
    if only.wants("churn logistic") {
        let mut ws = open();
        results.push(measure("churn logistic", |p| {
            ws.churn(&ChurnParams::default(), p)
        }));
    }
    if only.wants("clv") {
        let mut ws = open();
        let params = ClvParams::new(TimeUnit::Week);
        results.push(measure("clv bg/nbd+gamma-gamma", |p| ws.clv(&params, p)));
    }
    if only.wants("recs fit hybrid") {
        let mut ws = open();
        results.push(measure("recs fit hybrid", |p| {
            ws.fit_recommender(&RecOptions::default(), p)
        }));
    }
    if only.wants("recs everyone") {
        let mut ws = open();
        ws.fit_recommender(&RecOptions::default(), &NoProgress)
            .unwrap();
        results.push(measure("recs everyone (fitted)", |p| {
            ws.recommend_everyone(&RecRequest::default(), &RecOptions::default(), p)
        }));
    }
    if only.wants("recs evaluate") {
        let mut ws = open();
        results.push(measure("recs evaluate all", |p| {
            ws.evaluate_recommenders(&EvaluateParams::default(), p)
        }));
    }
    let needs_runs = ["fairness", "audit", "campaign", "audience", "export"];
    if needs_runs.iter().any(|w| only.wants(w)) {
        ensure_stored_runs(&db);
    }
    if only.wants("fairness choices") {
        let mut ws = open();
        results.push(measure("fairness choices", |p| ws.fairness_choices(p)));
    }
    if only.wants("audit churn") {
        let mut ws = open();
        let params = AuditParams {
            attribute: "gender".to_string(),
            decision: Decision::ChurnTop(0.2),
            options: AuditOptions::default(),
        };
        results.push(measure("audit churn-top:0.2 gender", |p| {
            ws.audit(&params, p)
        }));
    }
    if only.wants("audit recs") {
        let category = open()
            .fairness_choices(&NoProgress)
            .unwrap()
            .categories
            .first()
            .cloned()
            .expect("the sample's products have categories");
        let mut ws = open();
        let params = AuditParams {
            attribute: "gender".to_string(),
            decision: Decision::RecsCategory(category.clone()),
            options: AuditOptions::default(),
        };
        results.push(measure(&format!("audit recs:{category} gender"), |p| {
            ws.audit(&params, p)
        }));
    }
    if only.wants("campaign choices") {
        let mut ws = open();
        results.push(measure("campaign choices", |p| ws.campaign_choices(p)));
    }
    if only.wants("audience") {
        let mut ws = open();
        let request = AudienceRequest {
            offers: true,
            ..AudienceRequest::default()
        };
        results.push(measure("build audience +offers", |p| {
            ws.build_audience(&request, p)
        }));
    }
    if only.wants("export segment") {
        let segment = open()
            .stored_segments()
            .unwrap()
            .and_then(|l| l.segments.first().map(|s| s.id))
            .expect("a stored segmentation");
        let mut ws = open();
        let request = ExportRequest {
            spec: ExportSpec::Segment { segment },
            path: tmp.path().join("segment.csv"),
            options: ExportOptions::default(),
        };
        results.push(measure(&format!("export segment {segment} csv"), |p| {
            ws.export(&request, p)
        }));
    }

    results.sort_by(|a, b| b.longest.secs().total_cmp(&a.longest.secs()));
    println!(
        "\nCancel latency, {customers} customers (seed {SEED}), {} threads\n",
        rayon::current_num_threads()
    );
    println!(
        "{:<30} {:>9} {:>9} {:>11} {:>11}  during",
        "operation", "total s", "asks", "longest s", "at"
    );
    for t in &results {
        let l = &t.longest;
        let frac = |x: f64| if t.total > 0.0 { x / t.total } else { 0.0 };
        println!(
            "{:<30} {:>9.2} {:>9} {:>11.3} {:>5.2}–{:<5.2}  {}",
            t.name,
            t.total,
            t.asks,
            l.secs(),
            frac(l.start),
            frac(l.end),
            l.during
        );
    }
    println!("\nGaps over {show_gaps} s (seconds from the start of the call):");
    for t in &results {
        let mut long: Vec<&Gap> = t.gaps.iter().filter(|g| g.secs() > show_gaps).collect();
        if long.is_empty() {
            continue;
        }
        let all = long.len();
        // The longest few, in time order.
        long.sort_by(|a, b| b.secs().total_cmp(&a.secs()));
        long.truncate(SHOW_AT_MOST);
        long.sort_by(|a, b| a.start.total_cmp(&b.start));
        let more = all - long.len();
        let more = if more > 0 {
            format!(" ({all} gaps; the {SHOW_AT_MOST} longest)")
        } else {
            String::new()
        };
        println!("  {}:{more}", t.name);
        for g in long {
            println!(
                "    {:>8.3}–{:<8.3} {:>7.3} s  during {:?}",
                g.start,
                g.end,
                g.secs(),
                g.during
            );
        }
    }
}
