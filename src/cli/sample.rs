//! `tailor sample --customers N --out FILE [--seed S] [--types FILE]`.

use std::path::PathBuf;

/// Arguments of `tailor sample`.
#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    /// Number of customers.
    #[arg(long, default_value_t = 5000)]
    pub customers: usize,
    /// Random seed: the same seed gives the same database.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The database file to write (replaced if it exists).
    #[arg(long)]
    pub out: PathBuf,
    /// Also write each customer's planted type to this CSV (for tests).
    #[arg(long)]
    pub types: Option<PathBuf>,
}

/// Runs `tailor sample`.
pub fn run(args: SampleArgs) -> anyhow::Result<()> {
    let _ = args;
    anyhow::bail!("sample is not built yet")
}
