//! Every recommendation method behind one interface, the hybrid blend, and the reasons: the
//! old home of what now lives in [`models`](super::models) (the fitted methods, ranking, the
//! blend), [`reasons`](super::reasons) (one function per method) and
//! [`recommender`](super::recommender) (recommendations for customers, their history). These
//! paths stay valid.

pub use crate::models::recommend::models::{Models, RecOptions};
pub use crate::models::recommend::reasons::{
    COLD_START, Evidence, MAX_REASONS, Reason, ReasonKind,
};
pub use crate::models::recommend::recommender::{
    Contribution, HistoryItem, RecItem, RecRequest, Recommendations, Recommender,
};
