//! The worker thread that owns the database and runs jobs one at a time.

use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};

use crate::error::Error;
use crate::jobs::{Event, Job, JobId, JobProgress};
use crate::progress::CancelToken;
use crate::workspace::Workspace;

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

impl JobHandle {
    /// A handle for job `id` with a fresh token (tests of the panels' job tracking).
    pub fn new(id: JobId) -> JobHandle {
        JobHandle {
            id,
            token: CancelToken::new(),
        }
    }
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
                    workspace: Workspace::new(),
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
    /// The session: the open database and what is derived from it.
    workspace: Workspace,
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
        let event = match job.run(&mut self.workspace, &progress) {
            Ok(done) => Event::Done { job_id: id, done },
            Err(Error::Cancelled) => Event::Cancelled { job_id: id },
            Err(e) => Event::Failed {
                job_id: id,
                message: e.to_string(),
            },
        };
        self.send(event);
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use std::path::Path;

    use super::*;
    use crate::data::TableKind;
    use crate::jobs::{DataDone, DataJob, Done};

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
        let open = w.submit(Job::Data(DataJob::Open(path.clone())));
        let events = until_final(&w, open.id);
        let Some(Event::Done {
            done: Done::Data(DataDone::Opened { info, .. }),
            ..
        }) = events.last()
        else {
            panic!("{events:?}");
        };
        assert_eq!(info.tables.len(), 1);
        assert_eq!(info.tables[0].rows, 250);
        let rows = w.submit(Job::Data(DataJob::LoadRows {
            table: TableKind::Customers,
            offset: 200,
            limit: 100,
        }));
        let events = until_final(&w, rows.id);
        let Some(Event::Done {
            done: Done::Data(DataDone::Rows { page, offset, .. }),
            ..
        }) = events.last()
        else {
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
        let open = w.submit(Job::Data(DataJob::Open(path)));
        until_final(&w, open.id);
        let bad = w.submit(Job::Data(DataJob::Open(dir.path().join("missing.sqlite"))));
        let events = until_final(&w, bad.id);
        let Some(Event::Failed { message, .. }) = events.last() else {
            panic!("{events:?}");
        };
        assert!(message.starts_with("file not found: "), "{message}");
        let check = w.submit(Job::Data(DataJob::Check));
        let events = until_final(&w, check.id);
        assert!(
            matches!(
                events.last(),
                Some(Event::Done {
                    done: Done::Data(DataDone::Checked(_)),
                    ..
                })
            ),
            "{events:?}"
        );
    }

    #[test]
    fn cancelling_a_long_read_stops_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_db(dir.path(), 300_000);
        let mut w = worker();
        let open = w.submit(Job::Data(DataJob::Open(path)));
        until_final(&w, open.id);
        // A queued job cancelled before it starts, and a long one cancelled while it runs.
        let long = w.submit(Job::Data(DataJob::LoadRows {
            table: TableKind::Customers,
            offset: 0,
            limit: 300_000,
        }));
        let queued = w.submit(Job::Data(DataJob::Check));
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
        let job = w.submit(Job::Data(DataJob::OpenDefault {
            bundled: bundled.clone(),
            working_copy: copy.clone(),
        }));
        let events = until_final(&w, job.id);
        assert!(
            matches!(
                events.last(),
                Some(Event::Done {
                    done: Done::Data(DataDone::Opened { .. }),
                    ..
                })
            ),
            "{events:?}"
        );
        assert!(copy.exists());
        let none = w.submit(Job::Data(DataJob::OpenDefault {
            bundled: dir.path().join("nope.sqlite"),
            working_copy: dir.path().join("other/demo.sqlite"),
        }));
        let events = until_final(&w, none.id);
        assert_eq!(
            events.last(),
            Some(&Event::Done {
                job_id: none.id,
                done: Done::Data(DataDone::NoDatabase)
            })
        );
    }
}
