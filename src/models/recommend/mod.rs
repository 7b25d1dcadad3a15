//! Recommendations: interactions, the methods (popular, popular-recent, item-cf, als, content,
//! demographic, hybrid) behind one interface ([`models`]), the reasons for each item
//! ([`reasons`]), the recommender that answers for customers ([`recommender`]; [`engine`] keeps
//! the older paths), and the leave-last-out evaluation.

pub mod als;
pub mod als_explain;
pub mod content;
pub mod demographic;
pub mod engine;
pub mod evaluate;
pub mod interactions;
pub mod item_cf;
pub mod methods;
pub mod models;
pub mod reasons;
pub mod recommender;
