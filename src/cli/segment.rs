//! `tailor segment DB [--method rfm|kmeans|gmm] [--k N|auto] [--restarts N] [--seed S]
//! [--out FILE] [--dump-features FILE] [--json]`.

use std::path::PathBuf;

use anyhow::Context;

use crate::cli::{ModelRunFlags, StderrProgress, choice, print_json, print_text};
use crate::error::Error;
use crate::files::csv::{self, Field};
use crate::files::write_atomically;
use crate::format::{percent, thousands};
use crate::models::segment::run::{KChoice, SegmentMethod, SegmentParams};
use crate::workspace::segments::SegmentResult;

/// Arguments of `tailor segment`.
#[derive(Debug, clap::Args)]
pub struct SegmentArgs {
    /// The database.
    pub db: PathBuf,
    /// rfm, kmeans or gmm.
    #[arg(long, default_value = "kmeans")]
    pub method: String,
    /// Number of segments, or `auto` (best silhouette among 2..10).
    #[arg(long, default_value = "auto")]
    pub k: String,
    /// k-means restarts; the best is kept.
    #[arg(long, default_value_t = 10)]
    pub restarts: usize,
    /// Random seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Write customer_id,segment_id,segment_name (and r,f,m for RFM) to this CSV.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Protected columns, the feature dump, JSON.
    #[command(flatten)]
    pub run: ModelRunFlags,
}

/// Runs `tailor segment`.
pub fn run(args: SegmentArgs) -> anyhow::Result<()> {
    let method = choice(
        "--method",
        &args.method,
        SegmentMethod::parse,
        "rfm, kmeans or gmm",
    )?;
    let k = choice(
        "--k",
        &args.k,
        KChoice::parse,
        "a number of at least 1 or auto",
    )?;
    if args.restarts == 0 {
        return Err(Error::Invalid("--restarts must be at least 1".into()).into());
    }
    let params = SegmentParams {
        method,
        k,
        restarts: args.restarts,
        seed: args.seed,
        include_protected: args.run.include_protected,
    };
    let mut ws = args.run.open(&args.db, args.out.as_deref())?;
    let outcome = ws.segment(&params, &StderrProgress::default())?;
    if outcome.run_id.is_none() {
        crate::cli::note_read_only(&ws);
    }
    if let Some(path) = &args.out {
        crate::export::segments::write_memberships(path, &outcome.customer_ids, &outcome.run, None)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.run.dump_features {
        write_features(path, &outcome).with_context(|| format!("writing {}", path.display()))?;
    }
    if args.run.json {
        print_json(&outcome.run.summary())
    } else {
        print_text(&describe(&outcome))
    }
}

fn write_features(path: &std::path::Path, o: &SegmentResult) -> crate::Result<()> {
    write_atomically(path, |w| {
        let f = &o.run.features;
        let names = f.names.iter().map(|n| Field::Text(n));
        csv::write_row(w, std::iter::once(Field::Text("customer_id")).chain(names))
            .map_err(Error::io(path))?;
        for (i, id) in o.customer_ids.iter().enumerate() {
            let values = f.row(i).iter().map(|v| Field::Number(*v));
            csv::write_row(w, std::iter::once(Field::Text(id)).chain(values))
                .map_err(Error::io(path))?;
        }
        Ok(())
    })
}

fn describe(o: &SegmentResult) -> String {
    let r = &o.run;
    let mut out = format!(
        "{} segments of {} customers by {}",
        r.segments.len(),
        thousands(r.labels.len() as u64),
        r.params.method.label()
    );
    if let Some(s) = r.silhouette {
        out.push_str(&format!(", silhouette {s:.3}"));
    }
    if let Some(i) = r.inertia {
        out.push_str(&format!(", inertia {i:.1}"));
    }
    out.push('\n');
    let (used, left_out) = r.columns();
    if !used.is_empty() {
        out.push_str(&format!("Customer columns used: {}\n", used.join(", ")));
    }
    if !left_out.is_empty() {
        let parts: Vec<String> = left_out
            .iter()
            .map(|l| format!("{} ({})", l.column, l.reason))
            .collect();
        out.push_str(&format!("Left out: {}\n", parts.join(", ")));
    }
    out.push('\n');
    let width = r
        .segments
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(36);
    out.push_str(&format!(
        "  {:>3}  {:<width$} {:>10} {:>10} {:>11}\n",
        "id", "segment", "customers", "share", "revenue"
    ));
    let has_revenue = r.features.revenue_of.share_of().is_some();
    for s in &r.segments {
        out.push_str(&format!(
            "  {:>3}  {:<width$} {:>10} {:>10} {:>11}\n",
            s.id,
            s.name,
            thousands(s.size as u64),
            percent(s.customer_share),
            if has_revenue {
                crate::format::revenue_share(s.revenue_share)
            } else {
                "–".to_string()
            }
        ));
    }
    if let crate::models::segment::features::RevenueOf::Column { .. } = &r.features.revenue_of
        && let Some(of) = r.features.revenue_of.share_of()
    {
        out.push_str(&format!("Revenue: each segment's share {of}\n"));
    }
    if r.k_scores.len() > 1 {
        out.push_str("\nk tried (silhouette, inertia):");
        for s in &r.k_scores {
            out.push_str(&format!(" {}: {:.3}, {:.0};", s.k, s.silhouette, s.inertia));
        }
        out.push('\n');
    }
    if let Some(id) = o.run_id {
        out.push_str(&format!("Stored as run {id}.\n"));
    }
    out
}
