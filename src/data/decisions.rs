//! The stored results a fairness audit or a campaign reads: now in
//! [`runs`](crate::data::runs); this shim keeps the old paths valid until every caller uses
//! `crate::data::runs`.

pub use crate::data::runs::{ChurnScores, latest_churn_scores, latest_segments};
