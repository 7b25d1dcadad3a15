//! One module per panel (a folder with a file per tab or part for the larger ones): each draws
//! from borrowed state and pushes [`Command`](crate::app::Command)s. What several panels draw
//! alike lives in [`widgets`](crate::app::widgets).

pub mod banner;
pub mod campaigns;
pub mod churn_value;
pub mod data;
pub mod dialogs;
pub mod fairness;
pub mod merchandise;
pub mod overview;
pub mod rail;
pub mod recommendations;
pub mod segments;
pub mod status_bar;
pub mod top_bar;
