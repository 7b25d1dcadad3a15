//! Pieces more than one panel draws: the preamble every panel starts with, the typed path field
//! and save dialog, summary cards, chart and table presets, the selection-rate chart and the
//! number formats. They draw from what they are given and return what the user did; none holds
//! state of its own.

pub mod cards;
pub mod export;
pub mod layout;
pub mod numbers;
pub mod path;
pub mod plot;
pub mod preamble;
pub mod rate_chart;
pub mod story;
pub mod table;
