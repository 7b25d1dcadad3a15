//! `tailor check DB [--json]`: the data-quality report.

use std::path::PathBuf;

use crate::cli::{StderrProgress, print_json, print_text};
use crate::workspace::Workspace;

/// Arguments of `tailor check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The database to check.
    pub db: PathBuf,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs `tailor check`. Findings are a report, not a failure: the exit code is 0.
pub fn run(args: CheckArgs) -> anyhow::Result<()> {
    let report = Workspace::open(&args.db)?.check(&StderrProgress::default())?;
    if args.json {
        print_json(&report)
    } else {
        print_text(&report.to_text())
    }
}
