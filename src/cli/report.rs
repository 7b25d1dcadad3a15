//! `tailor report DB --out FILE.html`: the report to leave behind, one self-contained HTML file
//! from the latest stored runs, without personal data.

use std::path::PathBuf;

use crate::cli::{StderrProgress, print_text};
use crate::workspace::Workspace;

/// Arguments of `tailor report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The database to report on.
    pub db: PathBuf,
    /// The HTML file to write.
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs `tailor report`.
pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let mut ws = Workspace::open(&args.db)?;
    ws.write_report(&args.out, &StderrProgress::default())?;
    print_text(&format!("Report written to {}\n", args.out.display()))
}
