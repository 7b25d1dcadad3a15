//! Tailor: an offline desktop workbench for personalized marketing.
//!
//! Data flows one way: files (CSV, CSV.gz, XLSX) are imported into a SQLite database
//! ([`data`]), loaded into memory, run through models ([`models`]) and shown in the window
//! ([`app`]), printed by the command line ([`cli`]) or written to files ([`export`]).
//! Long work runs on a named worker thread ([`jobs`]) so the window never blocks.

pub mod app;
pub mod cli;
pub mod data;
pub mod error;
pub mod export;
pub mod files;
pub mod format;
pub mod jobs;
pub mod models;
pub mod pipeline;
pub mod progress;

pub use error::{Error, Result};
