//! Models: pure functions on in-memory data, no egui and no SQL.
//!
//! Segmentation, recommendations, churn, lifetime value and the fairness audit land here, one
//! module each, as their issues are built.

pub mod campaign;
pub mod churn;
pub mod clv;
pub mod fairness;
pub mod recommend;
pub mod segment;
