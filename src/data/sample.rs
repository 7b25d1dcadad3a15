//! The synthetic sample database (`tailor sample`).
//!
//! (Interface fixed here; implementation in progress.)

use std::path::Path;

use crate::error::{Error, Result};
use crate::progress::Progress;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleOptions {
    /// Number of customers.
    pub customers: usize,
    /// Random seed: the same seed gives the same database.
    pub seed: u64,
}

/// What was generated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SampleSummary {
    /// Customers written.
    pub customers: u64,
    /// Products written.
    pub products: u64,
    /// Transaction rows written.
    pub transactions: u64,
    /// Feedback rows written.
    pub feedback: u64,
}

/// Writes a new sample database to `out` (via a temporary file, then renamed) and, when
/// `types_out` is given, each customer's planted type to that CSV.
pub fn generate(
    out: &Path,
    options: &SampleOptions,
    types_out: Option<&Path>,
    progress: &dyn Progress,
) -> Result<SampleSummary> {
    let _ = (out, options, types_out, progress);
    Err(Error::Invalid("sample is not built yet".into()))
}
