//! Recommendations: interactions, the methods (popular, popular-recent, item-cf, als, content,
//! demographic, hybrid) behind one interface ([`models`]), the reasons for each item
//! ([`reasons`]), the recommender that answers for customers ([`recommender`]), and the leave-last-out
//! evaluation. The types callers name are re-exported here.

pub mod als;
pub mod als_explain;
pub mod co_buyers;
pub mod content;
pub mod demographic;
pub mod evaluate;
pub mod interactions;
pub mod item_cf;
pub mod methods;
pub mod models;
pub mod reasons;
pub mod recommender;
pub mod tune;

pub use models::{Models, RecOptions};
pub use reasons::{COLD_START, Evidence, MAX_REASONS, Reason, ReasonKind};
pub use recommender::{
    Contribution, HistoryItem, RecItem, RecRequest, Recommendations, Recommender,
};
