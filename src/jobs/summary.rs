//! Import and sample summaries as short text for the window.

use crate::data::import::ImportSummary;
use crate::data::sample::SampleSummary;
use crate::format::thousands;
use crate::jobs::file_name;

/// "customers.csv → customers: 7,043 rows read, 7,043 kept" and a line per skip reason.
pub fn import_summary_text(summary: &ImportSummary) -> String {
    let mut lines = Vec::new();
    for f in &summary.files {
        let guessed = if f.table_guessed { " (guessed)" } else { "" };
        lines.push(format!(
            "{} → {}{guessed}: {} rows read, {} kept",
            file_name(&f.file),
            f.table.name(),
            thousands(f.rows_read),
            thousands(f.rows_kept)
        ));
        for s in &f.skipped {
            lines.push(format!(
                "  {} skipped: {} (line {}: {})",
                thousands(s.count),
                s.reason,
                thousands(s.example_line),
                s.example
            ));
        }
        for note in &f.notes {
            lines.push(format!("  {note}"));
        }
    }
    if lines.is_empty() {
        lines.push("Nothing was imported".to_string());
    }
    lines.join("\n")
}

/// "Generated 1,000 customers, 50 products, 12,345 transactions and 800 reviews".
pub fn sample_summary_text(summary: &SampleSummary) -> String {
    format!(
        "Generated {} customers, {} products, {} transactions and {} reviews",
        thousands(summary.customers),
        thousands(summary.products),
        thousands(summary.transactions),
        thousands(summary.feedback)
    )
}
