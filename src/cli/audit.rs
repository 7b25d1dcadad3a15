//! `tailor audit DB --attribute COL --decision churn-top:F|churn-above:T|segment:ID|recs:CATEGORY
//! [--bootstrap N] [--seed S] [--json]`: a decision's fairness across a protected column.

use std::path::PathBuf;

use crate::cli::{StderrProgress, print_json, print_text};
use crate::format::{percent, thousands};
use crate::models::fairness::audit::AuditOptions;
use crate::models::fairness::decision::Decision;
use crate::workspace::Workspace;
use crate::workspace::fairness::AuditParams;

/// Arguments of `tailor audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// The database.
    pub db: PathBuf,
    /// The protected column (gender, age, birth_year, region, SeniorCitizen…).
    #[arg(long)]
    pub attribute: String,
    /// churn-top:FRACTION, churn-above:THRESHOLD, segment:ID or recs:CATEGORY.
    #[arg(long)]
    pub decision: String,
    /// Bootstrap resamples for the 95% intervals.
    #[arg(long, default_value_t = 200)]
    pub bootstrap: usize,
    /// Seed of the resampling.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

fn rate(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), percent)
}

/// Runs `tailor audit`.
pub fn run(args: AuditArgs) -> anyhow::Result<()> {
    let decision = Decision::parse(&args.decision)?;
    let mut ws = Workspace::open(&args.db)?;
    let params = AuditParams {
        attribute: args.attribute.clone(),
        decision,
        options: AuditOptions {
            bootstrap: args.bootstrap,
            seed: args.seed,
        },
    };
    let report = ws.audit(&params, &StderrProgress::default())?;
    if args.json {
        return print_json(&report);
    }
    let mut t = format!(
        "Audit of {} by {}: {} of {} customers selected{}\n\n",
        report.decision,
        report.attribute,
        thousands(report.selected),
        thousands(report.customers),
        report
            .label
            .as_ref()
            .map(|l| format!(" (outcome from {l})"))
            .unwrap_or_default()
    );
    t.push_str(&format!(
        "  {:<22} {:>9} {:>10} {:>17} {:>8} {:>8} {:>10}\n",
        "group", "customers", "selected", "95% interval", "TPR", "FPR", "precision"
    ));
    for g in &report.groups {
        t.push_str(&format!(
            "  {:<22} {:>9} {:>10} {:>17} {:>8} {:>8} {:>10}\n",
            g.group,
            thousands(g.n),
            percent(g.selection_rate),
            format!("{}–{}", percent(g.ci_low), percent(g.ci_high)),
            rate(g.tpr),
            rate(g.fpr),
            rate(g.precision)
        ));
    }
    if let Some(note) = report.outcome_note() {
        t.push_str(&format!("  {note}\n"));
    }
    t.push_str(&format!(
        "\nDisparate impact {:.3} (95% interval {:.3}–{:.3}; guideline ≥ 0.8)\n",
        report.compared_disparate_impact,
        report.compared_disparate_impact_ci.0,
        report.compared_disparate_impact_ci.1,
    ));
    if !report.not_compared.is_empty() {
        t.push_str(&format!(
            "  groups under 30 customers not compared ({}); over every group {:.3}\n",
            report.not_compared.join(", "),
            report.disparate_impact
        ));
    }
    t.push_str(&format!(
        "Demographic-parity difference {:.3}\n",
        report.demographic_parity_difference
    ));
    if let Some(eo) = report.equalized_odds_difference {
        t.push_str(&format!("Equalized-odds difference {eo:.3}\n"));
    }
    if report.flags.is_empty() {
        t.push_str("\nNo flags.\n");
    } else {
        t.push('\n');
        for f in &report.flags {
            t.push_str(&format!("! {f}\n"));
        }
    }
    let top: Vec<String> = report
        .proxies
        .iter()
        .take(5)
        .map(|p| format!("{} {:.2}", p.feature, p.score))
        .collect();
    if !top.is_empty() {
        t.push_str(&format!(
            "\nStrongest links to {} (Cramér's V): {}\n",
            report.attribute,
            top.join(", ")
        ));
    }
    print_text(&t)
}
