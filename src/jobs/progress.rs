//! [`Progress`] over a job's cancel token and the event channel, throttled.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;

use crate::jobs::{Event, JobId};
use crate::progress::{CancelToken, Progress};

/// Shortest time between two progress events of one job.
const MIN_INTERVAL: Duration = Duration::from_millis(50);

/// Reports a job's progress to the window and tells the library when the user cancelled.
pub struct JobProgress<'a> {
    job_id: JobId,
    token: CancelToken,
    events: Sender<Event>,
    repaint: &'a (dyn Fn() + Send + Sync),
    last_sent: Mutex<Option<Instant>>,
}

impl<'a> JobProgress<'a> {
    /// Progress for job `job_id`, sending on `events` and calling `repaint` after each send.
    pub fn new(
        job_id: JobId,
        token: CancelToken,
        events: Sender<Event>,
        repaint: &'a (dyn Fn() + Send + Sync),
    ) -> Self {
        Self {
            job_id,
            token,
            events,
            repaint,
            last_sent: Mutex::new(None),
        }
    }
}

impl Progress for JobProgress<'_> {
    fn report(&self, fraction: f32, message: &str) {
        let now = Instant::now();
        {
            let Ok(mut last) = self.last_sent.lock() else {
                return;
            };
            let due = last.is_none_or(|t| now.duration_since(t) >= MIN_INTERVAL);
            if !due && fraction < 1.0 {
                return;
            }
            *last = Some(now);
        }
        let sent = self.events.send(Event::Progress {
            job_id: self.job_id,
            fraction,
            message: message.to_string(),
        });
        if sent.is_ok() {
            (self.repaint)();
        }
    }

    fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_throttled_and_cancel_is_seen() {
        let (tx, rx) = crossbeam_channel::unbounded();
        let token = CancelToken::new();
        let repaint = || {};
        let p = JobProgress::new(7, token.clone(), tx, &repaint);
        for i in 0..1000 {
            p.report(i as f32 / 1000.0, "working");
        }
        p.report(1.0, "done");
        let n = rx.try_iter().count();
        assert!((2..=10).contains(&n), "{n} events");
        assert!(p.check().is_ok());
        token.cancel();
        assert!(p.check().is_err());
    }
}
