//! The worker thread: closed `Job` and `Event` enums, progress and cancellation.
