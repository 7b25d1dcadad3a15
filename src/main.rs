//! The `tailor` binary: parses the command line; no subcommand opens the window.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match tailor::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // One line: clap's first line, without its own "error: " prefix.
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            eprintln!("error: {first} (see tailor --help)");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Some(command) => tailor::cli::run(command),
        None => tailor::app::run_window(cli.db),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Causes add what the message does not already say (SQLite repeats itself).
            let mut line = String::new();
            for part in e.chain().map(ToString::to_string) {
                if line.contains(&part) || part.starts_with("Error code ") {
                    continue;
                }
                if !line.is_empty() {
                    line.push_str(": ");
                }
                line.push_str(&part);
            }
            eprintln!("error: {}", tailor::cli::printable(&line));
            ExitCode::from(1)
        }
    }
}
