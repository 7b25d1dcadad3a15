//! `tailor sample --customers N --out FILE [--seed S] [--types FILE]`.

use std::path::PathBuf;

use crate::cli::{StderrProgress, print_text};
use crate::data::sample::{SampleOptions, generate};
use crate::format::{bytes, thousands};

/// Arguments of `tailor sample`.
#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    /// Number of customers.
    #[arg(long, default_value_t = 5000)]
    pub customers: usize,
    /// Random seed: the same seed gives the same database.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The database file to write (a sample made there before is replaced; any other file is refused).
    #[arg(long)]
    pub out: PathBuf,
    /// Also write each customer's planted type to this CSV (for tests).
    #[arg(long)]
    pub types: Option<PathBuf>,
}

/// Runs `tailor sample`.
pub fn run(args: SampleArgs) -> anyhow::Result<()> {
    let options = SampleOptions {
        customers: args.customers,
        seed: args.seed,
    };
    let progress = StderrProgress::default();
    let summary = generate(&args.out, &options, args.types.as_deref(), &progress)?;
    let size = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    let mut text = format!(
        "Wrote {} ({})\n  customers     {:>12}\n  products      {:>12}\n  transactions  {:>12}\n  feedback      {:>12}\n",
        args.out.display(),
        bytes(size),
        thousands(summary.customers),
        thousands(summary.products),
        thousands(summary.transactions),
        thousands(summary.feedback),
    );
    if let Some(types) = &args.types {
        text.push_str(&format!("Customer types written to {}\n", types.display()));
    }
    print_text(&text)
}
