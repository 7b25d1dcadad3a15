//! The worker thread that owns the database and runs jobs one at a time.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};

use crate::data::browse::{self, PageStart, RowidRange};
use crate::data::dataset::Dataset;
use crate::data::db::Database;
use crate::data::{TableKind, import, quality, runs, sample};
use crate::error::{Error, Result};
use crate::jobs::{
    DbInfo, Event, Job, JobId, JobProgress, campaigns, churn, fairness, import_summary_text,
    recommend, sample_summary_text, segments,
};
use crate::models::recommend::engine::Recommender;
use crate::progress::CancelToken;

/// Called by the worker after every event it sends (the window passes `request_repaint`).
pub type Repaint = Arc<dyn Fn() + Send + Sync>;

/// A submitted job: its id and the token that cancels it.
#[derive(Debug, Clone)]
pub struct JobHandle {
    /// The job's id; its events carry it.
    pub id: JobId,
    /// Cancels the job (before it starts or while it runs).
    pub token: CancelToken,
}

struct Envelope {
    id: JobId,
    token: CancelToken,
    job: Job,
}

/// The window's side of the worker thread.
pub struct Worker {
    jobs: Option<Sender<Envelope>>,
    events: Receiver<Event>,
    next_id: JobId,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the worker thread ("tailor-worker"); `repaint` is called after every event.
    pub fn spawn(repaint: Repaint) -> std::io::Result<Worker> {
        let (job_tx, job_rx) = crossbeam_channel::unbounded::<Envelope>();
        let (event_tx, event_rx) = crossbeam_channel::unbounded::<Event>();
        let thread = std::thread::Builder::new()
            .name("tailor-worker".to_string())
            .spawn(move || {
                let mut state = WorkerState {
                    db: None,
                    dataset: None,
                    recommender: None,
                    fairness: fairness::FairnessCache::default(),
                    churn: churn::ChurnCache::default(),
                    ranges: HashMap::new(),
                    anchors: HashMap::new(),
                    events: event_tx,
                    repaint,
                };
                while let Ok(envelope) = job_rx.recv() {
                    state.run(envelope);
                }
            })?;
        Ok(Worker {
            jobs: Some(job_tx),
            events: event_rx,
            next_id: 1,
            thread: Some(thread),
        })
    }

    /// Queues a job; its events will carry the returned id.
    pub fn submit(&mut self, job: Job) -> JobHandle {
        let handle = JobHandle {
            id: self.next_id,
            token: CancelToken::new(),
        };
        self.next_id += 1;
        let envelope = Envelope {
            id: handle.id,
            token: handle.token.clone(),
            job,
        };
        if let Some(jobs) = &self.jobs {
            // The thread only stops when this sender is dropped; a failed send means it died,
            // and the job then simply never answers.
            let _ = jobs.send(envelope);
        }
        handle
    }

    /// The next event, if one is waiting. Never blocks.
    pub fn try_recv(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// Waits up to `timeout` for the next event (tests and benchmarks; the window never waits).
    pub fn recv_timeout(&self, timeout: std::time::Duration) -> Option<Event> {
        self.events.recv_timeout(timeout).ok()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the job channel ends the thread after its current job; it is not joined so
        // that closing the window never waits for a long job.
        self.jobs = None;
        drop(self.thread.take());
    }
}

struct WorkerState {
    db: Option<Database>,
    /// The open database loaded for the models (dropped when the data or roles change).
    dataset: Option<Dataset>,
    /// The recommendation models fitted on `dataset` (dropped with it).
    recommender: Option<Recommender>,
    /// What the fairness audits keep between threshold moves (dropped with `dataset`).
    fairness: fairness::FairnessCache,
    /// The latest churn and CLV results on `dataset` (dropped with it).
    churn: churn::ChurnCache,
    /// Rowid range per table, for direct rowid access to any page.
    ranges: HashMap<TableKind, RowidRange>,
    /// For tables with gaps in their rowids: row position → rowid of the row before it.
    anchors: HashMap<(TableKind, u64), i64>,
    events: Sender<Event>,
    repaint: Repaint,
}

impl WorkerState {
    fn send(&self, event: Event) {
        if self.events.send(event).is_ok() {
            (self.repaint)();
        }
    }

    fn run(&mut self, envelope: Envelope) {
        let Envelope { id, token, job } = envelope;
        if token.is_cancelled() {
            self.send(Event::Cancelled { job_id: id });
            return;
        }
        let events = self.events.clone();
        let repaint = Arc::clone(&self.repaint);
        let progress = JobProgress::new(id, token, events, &*repaint);
        match self.execute(id, job, &progress) {
            Ok(()) => {}
            Err(Error::Cancelled) => self.send(Event::Cancelled { job_id: id }),
            Err(e) => self.send(Event::Failed {
                job_id: id,
                message: e.to_string(),
            }),
        }
    }

    fn execute(&mut self, id: JobId, job: Job, progress: &JobProgress<'_>) -> Result<()> {
        match job {
            Job::Open(path) => {
                let db = Database::open(&path)?;
                self.replace_db(db);
                let info = self.info()?;
                self.send(Event::Opened { job_id: id, info });
            }
            Job::OpenDefault {
                bundled,
                working_copy,
            } => {
                if !working_copy.exists() {
                    if !bundled.exists() {
                        self.send(Event::NoDatabase { job_id: id });
                        return Ok(());
                    }
                    copy_atomically(&bundled, &working_copy)?;
                }
                let db = Database::open(&working_copy)?;
                self.replace_db(db);
                let info = self.info()?;
                self.send(Event::Opened { job_id: id, info });
            }
            Job::Import {
                files,
                options,
                into,
            } => {
                if let Some(path) = into {
                    let mut db = Database::open_or_create(&path)?;
                    let summary = import::import_files(&mut db, &files, &options, progress)?;
                    self.replace_db(db);
                    let info = self.info()?;
                    self.send(Event::Imported {
                        job_id: id,
                        summary: import_summary_text(&summary),
                        info,
                    });
                } else {
                    self.drop_models();
                    let db = self.db.as_mut().ok_or_else(no_database)?;
                    let summary = import::import_files(db, &files, &options, progress)?;
                    self.ranges.clear();
                    self.anchors.clear();
                    let info = self.info()?;
                    self.send(Event::Imported {
                        job_id: id,
                        summary: import_summary_text(&summary),
                        info,
                    });
                }
            }
            Job::Check => {
                let db = self.db.as_ref().ok_or_else(no_database)?;
                let report = quality::check(db, progress)?;
                self.send(Event::Checked { job_id: id, report });
            }
            Job::LoadRows {
                table,
                offset,
                limit,
            } => {
                let page = self.load_rows(table, offset, limit, progress)?;
                self.send(Event::Rows {
                    job_id: id,
                    table,
                    offset,
                    page,
                });
            }
            Job::SetRole {
                table,
                column,
                role,
            } => {
                self.drop_models();
                let db = self.db.as_mut().ok_or_else(no_database)?;
                db.set_role(table, &column, role)?;
                let info = self.info()?;
                self.send(Event::RoleSet { job_id: id, info });
            }
            Job::NewSample { out, options } => {
                if self.db.as_ref().is_some_and(|db| db.path() == out) {
                    // The file is about to be replaced: let go of it first.
                    self.db = None;
                    self.drop_models();
                }
                let summary = sample::generate(&out, &options, None, progress)?;
                self.send(Event::SampleCreated {
                    job_id: id,
                    summary: sample_summary_text(&summary),
                });
                let db = Database::open(&out)?;
                self.replace_db(db);
                let info = self.info()?;
                self.send(Event::Opened { job_id: id, info });
            }
            Job::Segment(params) => {
                let result = segments::run_segmentation(
                    self.db.as_mut(),
                    &mut self.dataset,
                    &params,
                    progress,
                )?;
                self.send(Event::Segmented {
                    job_id: id,
                    result: Some(Arc::new(result)),
                });
            }
            Job::SegmentLatest => {
                let result = segments::rerun_latest(self.db.as_mut(), &mut self.dataset, progress)?;
                self.send(Event::Segmented {
                    job_id: id,
                    result: result.map(Arc::new),
                });
            }
            Job::RenameSegment { auto_name, name } => {
                let db = self.db.as_mut().ok_or_else(no_database)?;
                runs::rename_segment(db, &auto_name, &name)?;
                self.send(Event::SegmentRenamed {
                    job_id: id,
                    auto_name,
                    name: name.trim().to_string(),
                });
            }
            Job::ExportSegment {
                path,
                result,
                segment,
            } => {
                let db = self.db.as_mut().ok_or_else(no_database)?;
                let audience = crate::export::segments::membership_audience(
                    &result.customer_ids,
                    &result.run,
                    segment,
                    result.run_id,
                );
                let summary = crate::export::audience::export_audience(
                    db,
                    &audience,
                    &path,
                    &crate::export::audience::ExportOptions::default(),
                )?;
                self.send(Event::SegmentExported {
                    job_id: id,
                    path,
                    segment,
                    customers: summary.rows as usize,
                    summary: Arc::new(summary),
                });
            }
            Job::FitRecommender { options } => {
                let info = recommend::fit_models(
                    self.db.as_ref(),
                    &mut self.dataset,
                    &mut self.recommender,
                    &options,
                    progress,
                )?;
                self.send(Event::RecModelsReady { job_id: id, info });
            }
            Job::Recommend {
                customer_id,
                request,
                options,
            } => {
                let result = recommend::recommend_customer(
                    self.db.as_ref(),
                    &mut self.dataset,
                    &mut self.recommender,
                    &customer_id,
                    &request,
                    &options,
                    progress,
                )?;
                self.send(Event::Recommended {
                    job_id: id,
                    result: Arc::new(result),
                });
            }
            Job::EvaluateRecs { options, weights } => {
                let report = recommend::evaluate_all(
                    self.db.as_ref(),
                    &mut self.dataset,
                    &self.recommender,
                    &options,
                    &weights,
                    progress,
                )?;
                self.send(Event::RecsEvaluated { job_id: id, report });
            }
            Job::RecSegments => {
                let list = recommend::segment_list(self.db.as_ref())?;
                self.send(Event::RecSegmentsListed {
                    job_id: id,
                    list: list.map(Arc::new),
                });
            }
            Job::RecommendSegment {
                segment,
                request,
                options,
            } => {
                let recs = recommend::recommend_segment(
                    self.db.as_ref(),
                    &mut self.dataset,
                    &mut self.recommender,
                    segment,
                    &request,
                    &options,
                    progress,
                )?;
                self.send(Event::SegmentRecommended {
                    job_id: id,
                    recs: Arc::new(recs),
                });
            }
            Job::ExportRecs { path, recs } => {
                let db = self.db.as_mut().ok_or_else(no_database)?;
                let summary = crate::export::recommendations::export_segment_recs(
                    db,
                    &recs,
                    &path,
                    &crate::export::audience::ExportOptions::default(),
                )?;
                self.send(Event::RecsExported {
                    job_id: id,
                    path,
                    rows: summary.rows as usize,
                    summary: Arc::new(summary),
                });
            }
            Job::FairnessChoices | Job::FairnessRunChurn => {
                let stored_churn_run = if matches!(job, Job::FairnessRunChurn) {
                    Some(fairness::run_churn(
                        self.db.as_mut(),
                        &mut self.dataset,
                        progress,
                    )?)
                } else {
                    None
                };
                let choices = fairness::choices(self.db.as_ref(), &mut self.dataset, progress)?;
                self.send(Event::FairnessChoicesListed {
                    job_id: id,
                    choices: Arc::new(choices),
                    stored_churn_run,
                });
            }
            Job::Audit {
                attribute,
                decision,
            } => {
                let report = fairness::audit(
                    self.db.as_ref(),
                    &mut self.dataset,
                    &mut self.recommender,
                    &mut self.fairness,
                    &attribute,
                    &decision,
                    progress,
                )?;
                self.send(Event::Audited {
                    job_id: id,
                    report: Arc::new(report),
                });
            }
            Job::FairnessWhatIf {
                attribute,
                decision,
                feature,
            } => {
                let result = fairness::what_if(
                    self.db.as_ref(),
                    &mut self.dataset,
                    &mut self.fairness,
                    &attribute,
                    &decision,
                    &feature,
                    progress,
                )?;
                self.send(Event::WhatIfDone {
                    job_id: id,
                    result: Arc::new(result),
                });
            }
            Job::Churn(params) => {
                let (churn, targets) = churn::run_churn(
                    self.db.as_mut(),
                    &mut self.dataset,
                    &mut self.churn,
                    &params,
                    progress,
                )?;
                self.send(Event::ChurnReady {
                    job_id: id,
                    churn,
                    targets,
                });
            }
            Job::Clv(params) => {
                let (clv, targets) = churn::run_clv(
                    self.db.as_mut(),
                    &mut self.dataset,
                    &mut self.churn,
                    &params,
                    progress,
                )?;
                self.send(Event::ClvReady {
                    job_id: id,
                    clv,
                    targets,
                });
            }
            Job::ClvSpan => {
                let span = churn::purchase_span(self.db.as_ref(), &mut self.dataset, progress)?;
                self.send(Event::ClvSpanRead {
                    job_id: id,
                    span: span.map(Arc::new),
                });
            }
            Job::ExportChurnTargets {
                path,
                targets,
                threshold,
            } => {
                let summary = churn::export_targets(self.db.as_mut(), &path, &targets, threshold)?;
                self.send(Event::ChurnTargetsExported {
                    job_id: id,
                    path,
                    rows: summary.rows as usize,
                    notes: summary.notes,
                });
            }
            Job::CampaignChoices | Job::BuildAudience(_) | Job::ExportCampaign { .. } => {
                self.run_campaign_job(id, job, progress)?;
            }
        }
        Ok(())
    }

    fn run_campaign_job(&mut self, id: JobId, job: Job, progress: &JobProgress<'_>) -> Result<()> {
        match job {
            Job::CampaignChoices => {
                let choices =
                    campaigns::campaign_choices(self.db.as_ref(), &mut self.dataset, progress)?;
                self.send(Event::CampaignChoicesRead {
                    job_id: id,
                    choices: Arc::new(choices),
                });
            }
            Job::BuildAudience(filters) => {
                let result = campaigns::build_audience(
                    self.db.as_ref(),
                    &mut self.dataset,
                    &mut self.recommender,
                    &filters,
                    progress,
                )?;
                self.send(Event::AudienceBuilt {
                    job_id: id,
                    result: Arc::new(result),
                });
            }
            Job::ExportCampaign {
                path,
                filters,
                options,
            } => {
                let summary = campaigns::export_campaign(
                    self.db.as_mut(),
                    &mut self.dataset,
                    &mut self.recommender,
                    &filters,
                    &path,
                    &options,
                    progress,
                )?;
                self.send(Event::CampaignExported {
                    job_id: id,
                    exported: Arc::new(campaigns::CampaignExported { path, summary }),
                });
            }
            _ => {}
        }
        Ok(())
    }

    /// Forgets the loaded data and the models fitted on it (the data or its roles changed).
    fn drop_models(&mut self) {
        self.dataset = None;
        self.recommender = None;
        self.fairness = fairness::FairnessCache::default();
        self.churn = churn::ChurnCache::default();
    }

    fn replace_db(&mut self, db: Database) {
        self.drop_models();
        self.db = Some(db);
        self.ranges.clear();
        self.anchors.clear();
    }

    fn info(&self) -> Result<DbInfo> {
        let db = self.db.as_ref().ok_or_else(no_database)?;
        Ok(DbInfo {
            path: db.path().to_path_buf(),
            size_bytes: db.file_size(),
            read_only_reason: db.read_only_reason().map(str::to_string),
            tables: db.summaries()?,
        })
    }

    fn load_rows(
        &mut self,
        table: TableKind,
        offset: u64,
        limit: usize,
        progress: &JobProgress<'_>,
    ) -> Result<browse::RowPage> {
        let db = self.db.as_ref().ok_or_else(no_database)?;
        let range = match self.ranges.get(&table) {
            Some(r) => *r,
            None => {
                let r = browse::rowid_range(db, table.name())?;
                self.ranges.insert(table, r);
                r
            }
        };
        let start = match range.start_of(offset) {
            PageStart::Offset(o) => match self.anchors.get(&(table, o)) {
                Some(rowid) => PageStart::AfterRowid(*rowid),
                None if o == 0 => PageStart::AfterRowid(i64::MIN),
                None => PageStart::Offset(o),
            },
            keyset => keyset,
        };
        let page = browse::read_page(db, table.name(), start, limit, progress)?;
        if !range.is_dense()
            && let Some(last) = page.rowids.last()
        {
            self.anchors
                .insert((table, offset + page.rowids.len() as u64), *last);
        }
        Ok(page)
    }
}

fn no_database() -> Error {
    Error::Invalid("no database is open: open or import one first".to_string())
}

/// Copies `from` to `to` through a temporary file in `to`'s folder, creating the folder.
fn copy_atomically(from: &Path, to: &Path) -> Result<()> {
    crate::files::copy_atomically(from, to)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use super::*;

    fn write_db(dir: &Path, customers: usize) -> PathBuf {
        let path = dir.join("w.sqlite");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, email TEXT, age INTEGER);",
        )
        .unwrap();
        let tx = conn.unchecked_transaction().unwrap();
        {
            let mut stmt = tx
                .prepare("INSERT INTO customers VALUES (?1, ?2, ?3)")
                .unwrap();
            for i in 0..customers {
                stmt.execute(rusqlite::params![
                    format!("C{i:07}"),
                    format!("c{i}@example.com"),
                    (i % 60) as i64 + 18
                ])
                .unwrap();
            }
        }
        tx.commit().unwrap();
        path
    }

    fn worker() -> Worker {
        Worker::spawn(Arc::new(|| {})).unwrap()
    }

    /// Collects events until job `id` has its final event.
    fn until_final(w: &Worker, id: JobId) -> Vec<Event> {
        let mut out = Vec::new();
        while let Some(e) = w.recv_timeout(Duration::from_secs(20)) {
            let done = e.job_id() == id && e.is_final();
            out.push(e);
            if done {
                return out;
            }
        }
        panic!("no final event for job {id}: {out:?}");
    }

    #[test]
    fn opens_and_pages_through_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_db(dir.path(), 250);
        let mut w = worker();
        let open = w.submit(Job::Open(path.clone()));
        let events = until_final(&w, open.id);
        let Some(Event::Opened { info, .. }) = events.last() else {
            panic!("{events:?}");
        };
        assert_eq!(info.tables.len(), 1);
        assert_eq!(info.tables[0].rows, 250);
        let rows = w.submit(Job::LoadRows {
            table: TableKind::Customers,
            offset: 200,
            limit: 100,
        });
        let events = until_final(&w, rows.id);
        let Some(Event::Rows { page, offset, .. }) = events.last() else {
            panic!("{events:?}");
        };
        assert_eq!(*offset, 200);
        assert_eq!(page.rows.len(), 50);
        assert_eq!(page.rows[0][0], "C0000200");
    }

    #[test]
    fn bad_path_fails_with_a_message_and_keeps_the_open_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_db(dir.path(), 3);
        let mut w = worker();
        let open = w.submit(Job::Open(path));
        until_final(&w, open.id);
        let bad = w.submit(Job::Open(dir.path().join("missing.sqlite")));
        let events = until_final(&w, bad.id);
        let Some(Event::Failed { message, .. }) = events.last() else {
            panic!("{events:?}");
        };
        assert!(message.starts_with("file not found: "), "{message}");
        let check = w.submit(Job::Check);
        let events = until_final(&w, check.id);
        assert!(
            matches!(events.last(), Some(Event::Checked { .. })),
            "{events:?}"
        );
    }

    #[test]
    fn cancelling_a_long_read_stops_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_db(dir.path(), 300_000);
        let mut w = worker();
        let open = w.submit(Job::Open(path));
        until_final(&w, open.id);
        // A queued job cancelled before it starts, and a long one cancelled while it runs.
        let long = w.submit(Job::LoadRows {
            table: TableKind::Customers,
            offset: 0,
            limit: 300_000,
        });
        let queued = w.submit(Job::Check);
        queued.token.cancel();
        std::thread::sleep(Duration::from_millis(5));
        let started = std::time::Instant::now();
        long.token.cancel();
        let events = until_final(&w, long.id);
        assert_eq!(events.last(), Some(&Event::Cancelled { job_id: long.id }));
        assert!(started.elapsed() < Duration::from_secs(1));
        let events = until_final(&w, queued.id);
        assert_eq!(events.last(), Some(&Event::Cancelled { job_id: queued.id }));
    }

    #[test]
    fn default_database_is_copied_once_and_missing_bundle_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let bundled = write_db(dir.path(), 5);
        let copy = dir.path().join("data/tailor/demo.sqlite");
        let mut w = worker();
        let job = w.submit(Job::OpenDefault {
            bundled: bundled.clone(),
            working_copy: copy.clone(),
        });
        let events = until_final(&w, job.id);
        assert!(
            matches!(events.last(), Some(Event::Opened { .. })),
            "{events:?}"
        );
        assert!(copy.exists());
        let none = w.submit(Job::OpenDefault {
            bundled: dir.path().join("nope.sqlite"),
            working_copy: dir.path().join("other/demo.sqlite"),
        });
        let events = until_final(&w, none.id);
        assert_eq!(events.last(), Some(&Event::NoDatabase { job_id: none.id }));
    }
}
