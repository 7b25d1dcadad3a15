//! `tailor export DB (--segment ID | --audience FILE) --out FILE.csv|FILE.xlsx [--include-pii]
//! [--include-no-consent] [--k-anonymity K] [--json]`: a campaign audience with the privacy
//! guard. `--segment ID` is a segment of the latest segmentation run; `--audience FILE` is a CSV
//! with a `customer_id` column (its other columns are carried into the export, except personal
//! data — an `email`, `name` or `phone` column — unless `--include-pii`).

use std::path::PathBuf;

use crate::cli::{print_json, print_text};
use crate::error::Error;
use crate::export::audience::{DEFAULT_K, ExportOptions};
use crate::format::thousands;
use crate::progress::NoProgress;
use crate::workspace::Workspace;
use crate::workspace::export::{ExportRequest, ExportSpec};

/// Arguments of `tailor export`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("who").required(true).args(["segment", "audience"])))]
pub struct ExportArgs {
    /// The database.
    pub db: PathBuf,
    /// A segment id of the latest segmentation run.
    #[arg(long)]
    pub segment: Option<usize>,
    /// A CSV file with a customer_id column.
    #[arg(long)]
    pub audience: Option<PathBuf>,
    /// The file to write (.csv or .xlsx).
    #[arg(long)]
    pub out: PathBuf,
    /// Write personal-data columns (name, email, phone…) too.
    #[arg(long)]
    pub include_pii: bool,
    /// Keep customers who have not given consent.
    #[arg(long)]
    pub include_no_consent: bool,
    /// Warn when fewer than K customers share a combination of quasi-identifiers.
    #[arg(long, default_value_t = DEFAULT_K)]
    pub k_anonymity: usize,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs `tailor export`.
pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let spec = match (&args.segment, &args.audience) {
        (Some(s), _) => ExportSpec::Segment { segment: *s },
        (None, Some(file)) => ExportSpec::AudienceFile(file.clone()),
        (None, None) => {
            return Err(Error::Invalid("give --segment ID or --audience FILE".into()).into());
        }
    };
    let request = ExportRequest {
        spec,
        path: args.out.clone(),
        options: ExportOptions {
            include_pii: args.include_pii,
            include_no_consent: args.include_no_consent,
            k_anonymity: args.k_anonymity.max(1),
        },
    };
    let summary = Workspace::open(&args.db)?.export(&request, &NoProgress)?;
    if args.json {
        return print_json(&summary);
    }
    let mut t = format!(
        "Wrote {} customers × {} columns to {}\n",
        thousands(summary.rows),
        summary.columns.len(),
        summary.file
    );
    for n in &summary.notes {
        t.push_str(&format!("  {n}\n"));
    }
    print_text(&t)
}
