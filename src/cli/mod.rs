//! The command line: one file per subcommand, each printing human text or `--json`.
//!
//! Progress and notices go to stderr; `--json` output is the only thing on stdout.

pub mod audit;
pub mod campaign;
pub mod check;
pub mod churn;
pub mod clv;
pub mod evaluate_recs;
pub mod export;
pub mod import;
pub mod recommend;
pub mod report;
pub mod sample;
pub mod segment;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use clap::{Parser, Subcommand};

use crate::progress::Progress;

/// `tailor [DB]` opens the window; `tailor COMMAND …` runs a command.
#[derive(Debug, Parser)]
#[command(
    name = "tailor",
    version,
    about = "Offline workbench for personalized marketing",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// The command to run; without one, the window opens.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Database to open in the window (default: a working copy of the bundled sample).
    pub db: Option<PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import CSV, CSV.gz or XLSX files into a database (created if missing).
    Import(import::ImportArgs),
    /// Report data-quality problems in a database.
    Check(check::CheckArgs),
    /// Generate a synthetic retail database.
    Sample(sample::SampleArgs),
    /// Segment customers (RFM, k-means, Gaussian mixture) and store the run.
    Segment(segment::SegmentArgs),
    /// Recommend products to one customer, with the reasons.
    Recommend(recommend::RecommendArgs),
    /// Evaluate recommendation methods offline (leave-last-out).
    EvaluateRecs(evaluate_recs::EvaluateRecsArgs),
    /// Audit a decision (churn targeting, a segment, a recommended category) for fairness.
    Audit(audit::AuditArgs),
    /// Export a campaign audience (a segment or a customer list) with the privacy guard.
    Export(export::ExportArgs),
    /// Build a campaign audience (segments, churn risk, consent, attributes): size, value,
    /// fairness; export it with offers.
    Campaign(campaign::CampaignArgs),
    /// Predict churn with cross-validation, reasons per customer; store the run.
    Churn(churn::ChurnArgs),
    /// Customer lifetime value: BG/NBD purchases and P(alive), Gamma-Gamma spend.
    Clv(clv::ClvArgs),
    /// Write the report to leave behind: one self-contained HTML file, no personal data.
    Report(report::ReportArgs),
}

/// Runs a subcommand.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Import(args) => import::run(args),
        Command::Check(args) => check::run(args),
        Command::Sample(args) => sample::run(args),
        Command::Segment(args) => segment::run(args),
        Command::Recommend(args) => recommend::run(args),
        Command::EvaluateRecs(args) => evaluate_recs::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Export(args) => export::run(args),
        Command::Campaign(args) => campaign::run(args),
        Command::Churn(args) => churn::run(args),
        Command::Clv(args) => clv::run(args),
        Command::Report(args) => report::run(args),
    }
}

/// The flags `segment` and `churn` share: protected columns as features, the feature dump and
/// JSON.
#[derive(Debug, clap::Args)]
pub struct ModelRunFlags {
    /// Use protected columns (gender, age…) as features.
    #[arg(long)]
    pub include_protected: bool,
    /// Write the feature matrix the model saw to this CSV (churn adds each customer's fold and
    /// label).
    #[arg(long)]
    pub dump_features: Option<std::path::PathBuf>,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

impl ModelRunFlags {
    /// Refuses `--out` and `--dump-features` paths that would overwrite the database or each
    /// other, then opens the database.
    pub fn open(
        &self,
        db: &std::path::Path,
        out: Option<&std::path::Path>,
    ) -> anyhow::Result<crate::workspace::Workspace> {
        let outputs = [
            ("--out", out),
            ("--dump-features", self.dump_features.as_deref()),
        ];
        check_outputs(db, &outputs)?;
        Ok(crate::workspace::Workspace::open(db)?)
    }
}

/// Refuses, before any work, run outputs (flag, path) that would overwrite the database `db`
/// or each other.
pub fn check_outputs(
    db: &std::path::Path,
    outputs: &[(&str, Option<&std::path::Path>)],
) -> Result<(), crate::error::Error> {
    let given: Vec<(&str, &std::path::Path)> = outputs
        .iter()
        .filter_map(|(flag, path)| path.map(|p| (*flag, p)))
        .collect();
    for (i, (flag, path)) in given.iter().enumerate() {
        crate::files::check_output(flag, path, Some(db), &[])?;
        if let Some((other, _)) = given[..i]
            .iter()
            .find(|(_, p)| crate::files::same_file(p, path))
        {
            return Err(crate::error::Error::Invalid(format!(
                "{flag} {} is also the {other} file: give each output its own file",
                path.display()
            )));
        }
    }
    Ok(())
}

/// `text` with every control character but newline and tab written as `\u{1b}`: text from the
/// data (a product name with a terminal escape sequence) cannot drive the terminal.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                format!("\\u{{{:x}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Parses a flag's value with `parse`; an error names the flag, the value and what it accepts
/// (`unknown --model tree: use logistic or forest`).
pub fn choice<T>(
    flag: &str,
    value: &str,
    parse: impl FnOnce(&str) -> Option<T>,
    accepted: &str,
) -> Result<T, crate::error::Error> {
    parse(value).ok_or_else(|| {
        crate::error::Error::Invalid(format!("unknown {flag} {value}: use {accepted}"))
    })
}

/// Progress on stderr: quiet for quick work; after a second, a line when the message changes
/// or every few seconds.
#[derive(Debug)]
pub struct StderrProgress {
    started: Instant,
    last: Mutex<(String, Instant)>,
}

impl Default for StderrProgress {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            last: Mutex::new((String::new(), Instant::now())),
        }
    }
}

impl Progress for StderrProgress {
    fn report(&self, fraction: f32, message: &str) {
        if self.started.elapsed().as_secs_f32() < 1.0 {
            return;
        }
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        if last.0 == message && last.1.elapsed().as_secs_f32() < 3.0 {
            return;
        }
        *last = (message.to_string(), Instant::now());
        let mut err = std::io::stderr().lock();
        if fraction >= 0.0 {
            let _ = writeln!(err, "{message} ({:.0}%)", fraction * 100.0);
        } else {
            let _ = writeln!(err, "{message}");
        }
    }

    fn is_cancelled(&self) -> bool {
        false
    }
}

/// Says on stderr that a run was not stored because the database is read-only.
pub fn note_read_only(ws: &crate::workspace::Workspace) {
    let why = ws
        .db()
        .ok()
        .and_then(|db| db.read_only_reason())
        .unwrap_or("not writable");
    eprintln!("note: the database is read-only ({why}): the run was not saved");
}

/// Prints a JSON value as the only thing on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    print_text(&text)
}

/// Prints human text on stdout. A closed pipe (`tailor check DB | head`) is not an error.
pub fn print_text(text: &str) -> anyhow::Result<()> {
    let text = &printable(text);
    let mut out = std::io::stdout().lock();
    let result = out.write_all(text.as_bytes()).and_then(|()| {
        if text.ends_with('\n') {
            Ok(())
        } else {
            writeln!(out)
        }
    });
    match result.and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
