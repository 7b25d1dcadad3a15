//! `tailor check DB [--json]`.

use std::path::PathBuf;

/// Arguments of `tailor check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The database to check.
    pub db: PathBuf,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs `tailor check`.
pub fn run(args: CheckArgs) -> anyhow::Result<()> {
    let _ = args;
    anyhow::bail!("check is not built yet")
}
