//! The window's side of the worker: submitting jobs, the jobs still awaited, the job shown in
//! the status bar, and the status bar's notice and the error banner; and [`FeatureState`], the
//! one pattern every panel's state follows.

use std::collections::HashMap;

use crate::jobs::{Job, JobHandle, JobId, Worker};
use crate::progress::CancelToken;

/// The job shown in the status bar.
#[derive(Debug, Clone)]
pub struct Running {
    /// The job.
    pub id: JobId,
    /// What it does, for people.
    pub label: String,
    /// 0..=1, or negative when unknown.
    pub fraction: f32,
    /// Its latest progress message.
    pub message: String,
    /// Cancels it.
    pub token: CancelToken,
}

/// Submits jobs and keeps what the window awaits; lent to the panels' states.
pub struct Desk {
    worker: Option<Worker>,
    /// Jobs awaited, with the job (to route its events and say what failed).
    pending: HashMap<JobId, Job>,
    /// The job shown in the status bar.
    pub running: Option<Running>,
    /// The status bar's last notice.
    pub notice: Option<String>,
    /// The error banner's text.
    pub error: Option<String>,
}

impl Desk {
    /// A desk on `worker` (`None`: it could not start; `error` says why).
    pub fn new(worker: Option<Worker>, error: Option<String>) -> Desk {
        Desk {
            worker,
            pending: HashMap::new(),
            running: None,
            notice: None,
            error,
        }
    }

    /// Submits a job. A job the status bar shows supersedes the one shown before (it is
    /// cancelled and its result dropped). `None` when the worker is not running.
    pub fn submit(&mut self, job: Job) -> Option<JobId> {
        let shown = job.is_shown();
        let label = job.label();
        let handle = self.submit_quietly(job)?;
        if shown {
            if let Some(old) = self.running.take() {
                old.token.cancel();
                self.pending.remove(&old.id);
            }
            self.running = Some(Running {
                id: handle.id,
                label,
                fraction: -1.0,
                message: String::new(),
                token: handle.token.clone(),
            });
        }
        Some(handle.id)
    }

    /// Submits a job without showing it in the status bar; its handle cancels it.
    pub fn submit_quietly(&mut self, job: Job) -> Option<JobHandle> {
        let Some(worker) = self.worker.as_mut() else {
            self.error = Some("the worker thread is not running: restart Tailor".to_string());
            return None;
        };
        let kept = job.clone();
        let handle = worker.submit(job);
        self.pending.insert(handle.id, kept);
        Some(handle)
    }

    /// Stops waiting for a job (and cancels it when it is the one shown).
    pub fn forget(&mut self, id: JobId) {
        if let Some(running) = self.running.take_if(|r| r.id == id) {
            running.token.cancel();
        }
        self.pending.remove(&id);
    }

    /// Stops waiting for every job `drop` picks.
    pub fn forget_where(&mut self, drop: impl Fn(JobId, &Job) -> bool) {
        self.pending.retain(|id, job| !drop(*id, job));
    }

    /// Whether job `id` is still awaited.
    pub fn is_pending(&self, id: JobId) -> bool {
        self.pending.contains_key(&id)
    }

    /// Whether a job is shown as running.
    pub fn is_busy(&self) -> bool {
        self.running.is_some()
    }

    /// Cancels the job shown in the status bar.
    pub fn cancel_running(&mut self) {
        if let Some(r) = &self.running {
            r.token.cancel();
            self.notice = Some("Cancelling…".to_string());
        }
    }

    /// The next event, if one is waiting.
    pub(super) fn try_recv(&self) -> Option<crate::jobs::Event> {
        self.worker.as_ref().and_then(Worker::try_recv)
    }

    /// The job an event is about, if it is still awaited; forgotten when the event is final.
    pub(super) fn job_of(&mut self, id: JobId, last: bool) -> Option<Job> {
        let job = if last {
            if self.running.as_ref().is_some_and(|r| r.id == id) {
                self.running = None;
            }
            self.pending.remove(&id)?
        } else {
            self.pending.get(&id)?.clone()
        };
        Some(job)
    }
}

/// A change every panel hears about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Another database was opened: everything read or computed is stale.
    Opened,
    /// The open database's data or a column's role changed: models are fitted again.
    Data,
    /// A segmentation run was stored.
    SegmentsStored,
}

/// The one pattern of every panel's state: it applies the panel's commands (usually by
/// submitting a job on the desk), takes its jobs' results and ends, and hears of changes;
/// each panel decides its own refresh. `Command` is what the panel asks for, `Job` the feature's
/// jobs and `Done` their results.
pub trait FeatureState<Command, Job, Done> {
    /// Applies a command from the panel.
    fn apply(&mut self, command: Command, desk: &mut Desk);
    /// Takes the result of job `id`.
    fn take(&mut self, id: JobId, done: Done, desk: &mut Desk);
    /// Job `id` failed (`Some(message)`) or was cancelled (`None`): the panel stops waiting for
    /// it. Returns whether the panel shows the failure itself (the banner then does not).
    fn ended(&mut self, id: JobId, job: &Job, failure: Option<&str>) -> bool;
    /// Something changed under every panel.
    fn changed(&mut self, change: Change);
    /// Forgets the job ids the desk no longer awaits (superseded in the status bar), so the
    /// panel can ask again.
    fn forget_lost_jobs(&mut self, _desk: &Desk) {}
}
