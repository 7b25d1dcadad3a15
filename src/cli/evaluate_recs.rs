//! `tailor evaluate-recs DB [--method M|all] [--k 10] [--json]`: leave-last-out evaluation.

use std::path::PathBuf;

use crate::cli::{StderrProgress, print_json, print_text};
use crate::data::dataset::Dataset;
use crate::data::{Database, TableKind};
use crate::error::Error;
use crate::format::{percent, thousands};
use crate::models::recommend::engine::RecOptions;
use crate::models::recommend::evaluate::evaluate_methods;
use crate::models::recommend::interactions::Interactions;
use crate::models::recommend::methods::RecMethod;

/// Arguments of `tailor evaluate-recs`.
#[derive(Debug, clap::Args)]
pub struct EvaluateRecsArgs {
    /// The database.
    pub db: PathBuf,
    /// A method (popular, popular-recent, item-cf, als, content, demographic, hybrid) or `all`.
    #[arg(long, default_value = "all")]
    pub method: String,
    /// The cut-off k.
    #[arg(long, default_value_t = 10)]
    pub k: usize,
    /// Let the demographic method use protected columns (age band, gender).
    #[arg(long)]
    pub use_protected: bool,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs `tailor evaluate-recs`.
pub fn run(args: EvaluateRecsArgs) -> anyhow::Result<()> {
    let methods: Vec<RecMethod> = if args.method.eq_ignore_ascii_case("all") {
        RecMethod::ALL.to_vec()
    } else {
        vec![RecMethod::parse(&args.method).ok_or_else(|| {
            Error::Invalid(format!(
                "unknown --method {}: use popular, popular-recent, item-cf, als, content, demographic, hybrid or all",
                args.method
            ))
        })?]
    };
    if args.k == 0 {
        return Err(Error::Invalid("--k must be at least 1".into()).into());
    }
    let db = Database::open(&args.db)?;
    db.require(TableKind::Transactions, "recommendations")?;
    let progress = StderrProgress::default();
    let data = Dataset::load(&db, &progress)?;
    let options = RecOptions {
        use_protected: args.use_protected,
        ..RecOptions::default()
    };
    let report = evaluate_methods(
        &data,
        &Interactions::from_dataset(&data),
        &methods,
        args.k,
        &options,
        &progress,
    )?;
    if args.json {
        return print_json(&report);
    }
    let mut text = format!(
        "Leave-last-out at k = {} over {} customers with at least two products\n\n",
        report.k,
        thousands(report.users as u64)
    );
    text.push_str(&format!(
        "  {:<16} {:>9} {:>10} {:>9} {:>9} {:>9}\n",
        "method", "hit rate", "precision", "recall", "NDCG", "coverage"
    ));
    for m in &report.methods {
        let x = &m.metrics;
        text.push_str(&format!(
            "  {:<16} {:>9.4} {:>10.4} {:>9.4} {:>9.4} {:>9}\n",
            m.method.as_str(),
            x.hit_rate,
            x.precision,
            x.recall,
            x.ndcg,
            percent(x.coverage)
        ));
    }
    print_text(&text)
}
