//! One file per panel: each draws from borrowed state and pushes [`Command`](crate::app::Command)s.

pub mod banner;
pub mod campaigns;
pub mod churn_value;
pub mod data;
pub mod dialogs;
pub mod export_outcome;
pub mod fairness;
pub mod rail;
pub mod recommendations;
pub mod segments;
pub mod status_bar;
pub mod top_bar;
