//! Progress reporting and cancellation for long work, shared by the worker thread and the CLI.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, Result};

/// Where long-running library code reports progress and learns that it should stop.
///
/// Implementations must be cheap to call: the library calls them every few thousand rows.
pub trait Progress: Sync {
    /// Reports progress: `fraction` in 0..=1 (or negative when unknown) and a short message.
    fn report(&self, fraction: f32, message: &str);
    /// True once the user asked to cancel.
    fn is_cancelled(&self) -> bool;
    /// Returns `Err(Error::Cancelled)` once the user asked to cancel.
    fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Progress that goes nowhere and never cancels (tests, quick calls).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn report(&self, _fraction: f32, _message: &str) {}
    fn is_cancelled(&self) -> bool {
        false
    }
}

/// A cancellation flag shared between the UI and a job.
#[derive(Debug, Default, Clone)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A fresh, not-cancelled token.
    pub fn new() -> Self {
        Self::default()
    }
    /// Asks the job to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    /// True once `cancel` was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// One step of a longer task: its fractions are mapped into `start..end` of the whole, and
/// its messages are replaced by the step's own when it has one.
pub struct Step<'a> {
    whole: &'a dyn Progress,
    start: f32,
    end: f32,
    message: Option<&'a str>,
}

impl<'a> Step<'a> {
    /// The step from `start` to `end` (fractions of the whole), reported as `message` if given.
    pub fn new(whole: &'a dyn Progress, start: f32, end: f32, message: Option<&'a str>) -> Self {
        Step {
            whole,
            start,
            end,
            message,
        }
    }
}

impl Progress for Step<'_> {
    fn report(&self, fraction: f32, message: &str) {
        let at = if fraction < 0.0 {
            fraction
        } else {
            self.start + fraction.min(1.0) * (self.end - self.start)
        };
        self.whole.report(at, self.message.unwrap_or(message));
    }

    fn is_cancelled(&self) -> bool {
        self.whole.is_cancelled()
    }
}

/// Progress that passes cancel on and keeps its reports to itself: for a part whose own
/// messages would replace the caller's ("Recommending" in the middle of "Evaluating als").
pub struct Silent<'a>(pub &'a dyn Progress);

impl Progress for Silent<'_> {
    fn report(&self, _fraction: f32, _message: &str) {}

    fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}

/// Progress that also cancels once `limit` has passed since it was made.
pub struct Deadline<'a> {
    whole: &'a dyn Progress,
    until: std::time::Instant,
}

impl<'a> Deadline<'a> {
    /// `whole`, cancelled after `limit` from now.
    pub fn new(whole: &'a dyn Progress, limit: std::time::Duration) -> Self {
        Deadline {
            whole,
            until: std::time::Instant::now() + limit,
        }
    }
}

impl Progress for Deadline<'_> {
    fn report(&self, fraction: f32, message: &str) {
        self.whole.report(fraction, message);
    }

    fn is_cancelled(&self) -> bool {
        self.whole.is_cancelled() || std::time::Instant::now() >= self.until
    }
}
