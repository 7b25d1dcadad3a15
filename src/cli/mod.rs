//! The command line: one file per subcommand, each printing human text or `--json`.
//!
//! Progress and notices go to stderr; `--json` output is the only thing on stdout.

pub mod check;
pub mod import;
pub mod sample;

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
}

/// Runs a subcommand.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Import(args) => import::run(args),
        Command::Check(args) => check::run(args),
        Command::Sample(args) => sample::run(args),
    }
}

/// Progress on stderr: a line when the message changes or every few seconds.
#[derive(Debug)]
pub struct StderrProgress {
    last: Mutex<(String, Instant)>,
}

impl Default for StderrProgress {
    fn default() -> Self {
        Self {
            last: Mutex::new((String::new(), Instant::now())),
        }
    }
}

impl Progress for StderrProgress {
    fn report(&self, fraction: f32, message: &str) {
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

/// Prints a JSON value as the only thing on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    Ok(())
}

/// Prints human text on stdout.
pub fn print_text(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
}
