//! `tailor evaluate-recs DB [--method M|all] [--k 10] [--weights …] [--json]`: leave-last-out
//! evaluation. Methods the data cannot support are marked `"available": false` with a note.

use std::path::PathBuf;

use crate::cli::recommend::ModelFlags;
use crate::cli::{StderrProgress, choice, print_json, print_text};
use crate::error::Error;
use crate::format::{percent, thousands};
use crate::models::recommend::methods::RecMethod;
use crate::workspace::Workspace;
use crate::workspace::recommend::EvaluateParams;

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
    /// Hybrid weights and protected columns.
    #[command(flatten)]
    pub models: ModelFlags,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs `tailor evaluate-recs`.
pub fn run(args: EvaluateRecsArgs) -> anyhow::Result<()> {
    let methods: Vec<RecMethod> = if args.method.eq_ignore_ascii_case("all") {
        RecMethod::ALL.to_vec()
    } else {
        let methods = "popular, popular-recent, item-cf, als, content, demographic, hybrid or all";
        vec![choice("--method", &args.method, RecMethod::parse, methods)?]
    };
    if args.k == 0 {
        return Err(Error::Invalid("--k must be at least 1".into()).into());
    }
    let (options, weights) = args.models.read()?;
    let params = EvaluateParams {
        methods,
        k: args.k,
        options,
        weights,
    };
    let report =
        Workspace::open(&args.db)?.evaluate_recommenders(&params, &StderrProgress::default())?;
    if args.json {
        return print_json(&report);
    }
    let mut text = format!(
        "Leave-last-out at k = {} over {} customers with at least two products\n",
        report.k,
        thousands(report.users as u64)
    );
    for line in [
        report.headline(),
        report.tuning.as_ref().map(|t| t.describe()),
    ]
    .into_iter()
    .flatten()
    {
        text.push_str(&line);
        text.push('\n');
    }
    text.push('\n');
    text.push_str(&format!(
        "  {:<16} {:>9} {:>10} {:>9} {:>9} {:>9}\n",
        "method", "hit rate", "precision", "recall", "NDCG", "coverage"
    ));
    for m in &report.methods {
        let x = &m.metrics;
        if !m.available {
            text.push_str(&format!(
                "  {:<16} {}\n",
                m.method.as_str(),
                m.note.as_deref().unwrap_or("not available")
            ));
            continue;
        }
        text.push_str(&format!(
            "  {:<16} {:>9.4} {:>10.4} {:>9.4} {:>9.4} {:>9}",
            m.method.as_str(),
            x.hit_rate,
            x.precision,
            x.recall,
            x.ndcg,
            percent(x.coverage)
        ));
        if let Some(note) = &m.note {
            text.push_str(&format!("  ({note})"));
        }
        text.push('\n');
    }
    print_text(&text)
}
