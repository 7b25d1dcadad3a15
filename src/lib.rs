//! Tailor: an offline desktop workbench for personalized marketing.
//!
//! Data flows one way: files (CSV, CSV.gz, XLSX) are imported into a SQLite database
//! ([`data`]), loaded into memory, run through models ([`models`]) and shown in the window
//! ([`app`]), printed by the command line ([`cli`]) or written to files ([`export`]). Both
//! faces call one layer, the [`workspace`]: the command line opens a workspace and calls one
//! method; the window's worker thread ([`jobs`]) keeps one for the session so it never blocks.

pub mod app;
pub mod cli;
pub mod data;
pub mod error;
pub mod export;
pub mod files;
pub mod format;
pub mod jobs;
pub mod models;
pub mod money;
pub mod progress;
pub mod workspace;

pub use error::{Error, Result};
