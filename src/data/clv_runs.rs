//! Stored lifetime-value runs: now in [`runs`](crate::data::runs); this shim keeps the old
//! paths valid until every caller uses `crate::data::runs`.

pub use crate::data::runs::{ClvValueRow, clv_values, save_clv_run};
