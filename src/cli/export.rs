//! `tailor export DB (--segment ID | --audience FILE) --out FILE.csv|FILE.xlsx [--include-pii]
//! [--include-no-consent] [--k-anonymity K] [--json]`: a campaign audience with the privacy
//! guard. `--segment ID` is a segment of the latest segmentation run; `--audience FILE` is a CSV
//! with a `customer_id` column (its other columns are carried into the export, except personal
//! data — an `email`, `name` or `phone` column — unless `--include-pii`).

use std::path::{Path, PathBuf};

use crate::cli::{print_json, print_text};
use crate::data::Database;
use crate::data::dataset::Dataset;
use crate::data::decisions::latest_segments;
use crate::data::runs::{latest_run, segment_names};
use crate::error::{Error, Result};
use crate::export::audience::{Audience, Cell, DEFAULT_K, ExportOptions, export_audience};
use crate::format::thousands;
use crate::progress::NoProgress;

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

/// Reads an audience CSV: a `customer_id` column and any others (personal-data columns among
/// them are left out by [`export_audience`] unless asked for).
pub fn read_audience(path: &Path) -> Result<Audience> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| {
            Error::Invalid(format!(
                "cannot read the audience file ({e}): {}",
                path.display()
            ))
        })?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Invalid(format!("{e}: {}", path.display())))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let id_col = header
        .iter()
        .position(|h| h.eq_ignore_ascii_case("customer_id"))
        .ok_or_else(|| {
            Error::Invalid(format!(
                "the audience file has no customer_id column (columns: {}): {}",
                header.join(", "),
                path.display()
            ))
        })?;
    let mut audience = Audience {
        filters: format!("audience file {}", path.display()),
        extra: header
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != id_col)
            .map(|(_, h)| (h.clone(), Vec::new()))
            .collect(),
        ..Audience::default()
    };
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            Error::Invalid(format!(
                "line {} of the audience file: {e}: {}",
                line + 2,
                path.display()
            ))
        })?;
        let Some(id) = record.get(id_col).map(str::trim).filter(|s| !s.is_empty()) else {
            continue;
        };
        audience.customer_ids.push(id.to_string());
        let mut e = 0;
        for (i, _) in header.iter().enumerate() {
            if i == id_col {
                continue;
            }
            let v = record.get(i).unwrap_or("").trim();
            let cell = if v.is_empty() {
                Cell::Empty
            } else if let Ok(x) = v.parse::<f64>() {
                Cell::Number(x)
            } else {
                Cell::Text(v.to_string())
            };
            if let Some((_, col)) = audience.extra.get_mut(e) {
                col.push(cell);
            }
            e += 1;
        }
    }
    Ok(audience)
}

/// The customers of segment `s` of the latest segmentation run, with its id and name.
pub fn segment_audience(db: &Database, s: usize) -> Result<Audience> {
    let data = Dataset::load(db, &NoProgress)?;
    let (run_id, of) = latest_segments(db, &data)?.ok_or_else(|| {
        Error::Invalid(format!(
            "no segmentation is stored in {}: run `tailor segment` (or Segments in the window) first",
            db.path().display()
        ))
    })?;
    let ids: Vec<String> = data
        .customer_ids
        .iter()
        .zip(&of)
        .filter(|(_, x)| **x == Some(s))
        .map(|(id, _)| id.clone())
        .collect();
    if ids.is_empty() {
        return Err(Error::Invalid(format!(
            "segmentation run {run_id} has no segment {s}"
        )));
    }
    // The segment's name as the run named it, or as the user renamed it.
    let auto = latest_run(db, "segment")?
        .and_then(|r| r.summary_json)
        .and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok())
        .and_then(|v| {
            v["segments"]
                .as_array()?
                .iter()
                .find(|x| x["id"].as_u64() == Some(s as u64))
                .and_then(|x| x["name"].as_str().map(String::from))
        })
        .unwrap_or_default();
    let name = segment_names(db)?
        .into_iter()
        .find(|(a, _)| *a == auto)
        .map(|(_, n)| n)
        .unwrap_or(auto);
    let n = ids.len();
    Ok(Audience {
        customer_ids: ids,
        extra: vec![
            ("segment_id".into(), vec![Cell::Number(s as f64); n]),
            ("segment_name".into(), vec![Cell::Text(name.clone()); n]),
        ],
        filters: format!("segment {s} ({name}) of segmentation run {run_id}"),
        not_personal: Vec::new(),
    })
}

/// Runs `tailor export`.
pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let mut db = Database::open(&args.db)?;
    let audience = match (&args.segment, &args.audience) {
        (Some(s), _) => segment_audience(&db, *s)?,
        (None, Some(file)) => read_audience(file)?,
        (None, None) => {
            return Err(Error::Invalid("give --segment ID or --audience FILE".into()).into());
        }
    };
    let options = ExportOptions {
        include_pii: args.include_pii,
        include_no_consent: args.include_no_consent,
        k_anonymity: args.k_anonymity.max(1),
    };
    let summary = export_audience(&mut db, &audience, &args.out, &options)?;
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
