//! `tailor import FILE... --db OUT`.

use std::path::PathBuf;

/// Arguments of `tailor import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Files to import: CSV (any delimiter), CSV.gz or XLSX.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The database to import into; created if it does not exist, added to if it does.
    #[arg(long)]
    pub db: PathBuf,
}

/// Runs `tailor import`.
pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    let _ = args;
    anyhow::bail!("import is not built yet")
}
