//! One export flow: every "Export…" of the window and `tailor export` name what to write with an
//! [`ExportSpec`]; the audience is built from where the result lives (the workspace keeps the
//! latest segmentation, segment recommendations and target list) and written through the one
//! privacy guard, [`export_audience`].

use std::path::{Path, PathBuf};

use crate::data::runs::latest_segmentation;
use crate::data::runs::latest_segments;
use crate::error::{Error, Result};
use crate::export::audience::{
    Audience, Cell, ExportOptions, ExportSummary, check_export_path, export_audience,
};
use crate::progress::Progress;
use crate::workspace::Workspace;
use crate::workspace::campaigns::AudienceRequest;

/// What an export writes.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportSpec {
    /// A segment's members: of the segmentation on screen (with R, F, M scores for RFM), else of
    /// the latest stored run.
    Segment {
        /// The segment id.
        segment: usize,
    },
    /// The latest segment recommendations table, one row per (customer, item).
    SegmentRecs,
    /// The churn target list's customers at or above a risk threshold, by value at risk.
    ChurnTargets {
        /// The threshold, 0..=1.
        threshold: f64,
    },
    /// A file of customer ids (a `customer_id` column) and columns to carry along.
    AudienceFile(PathBuf),
    /// A campaign audience with its segment, churn risk, value and (when asked) offer columns.
    Campaign(AudienceRequest),
}

/// An export: what, where, and the privacy switches.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRequest {
    /// What to write.
    pub spec: ExportSpec,
    /// The file (`.csv` or `.xlsx`).
    pub path: PathBuf,
    /// Personal data, consent, k-anonymity.
    pub options: ExportOptions,
}

impl Workspace {
    /// Builds the audience `request.spec` names and writes it with the privacy guard (personal
    /// data left out unless asked, customers without consent left out and counted, the
    /// k-anonymity check, a row in `tailor_exports`).
    pub fn export(
        &mut self,
        request: &ExportRequest,
        progress: &dyn Progress,
    ) -> Result<ExportSummary> {
        let input = match &request.spec {
            ExportSpec::AudienceFile(file) => Some(file.as_path()),
            _ => None,
        };
        crate::files::check_output(
            "the export file",
            &request.path,
            Some(self.db()?.path()),
            input.as_slice(),
        )?;
        check_export_path(&request.path)?;
        let audience = self.audience(&request.spec, progress)?;
        progress.report(0.9, "Writing the file");
        export_audience(self.db_mut()?, &audience, &request.path, &request.options)
    }

    /// The audience `spec` names, with its extra columns.
    pub fn audience(&mut self, spec: &ExportSpec, progress: &dyn Progress) -> Result<Audience> {
        match spec {
            ExportSpec::Segment { segment } => match &self.segmentation {
                Some(result) => Ok(crate::export::segments::membership_audience(
                    &result.customer_ids,
                    &result.run,
                    *segment,
                    result.run_id,
                )),
                None => self.stored_segment_audience(*segment, progress),
            },
            ExportSpec::SegmentRecs => {
                let recs = self.segment_recs.as_ref().ok_or_else(|| {
                    Error::Invalid(
                        "no segment recommendations to export: recommend for a segment first"
                            .to_string(),
                    )
                })?;
                Ok(crate::export::recommendations::recs_audience(recs))
            }
            ExportSpec::ChurnTargets { threshold } => {
                let targets = self.churn_targets().ok_or_else(|| {
                    Error::Invalid("no churn scores to export: run the churn model first".into())
                })?;
                Ok(crate::workspace::churn::target_audience(
                    &targets, *threshold,
                ))
            }
            ExportSpec::AudienceFile(path) => read_audience(path),
            ExportSpec::Campaign(request) => self.campaign_audience(request, progress),
        }
    }

    /// Segment `s` of the latest stored segmentation run as an audience (`segment_id`,
    /// `segment_name`).
    fn stored_segment_audience(&mut self, s: usize, progress: &dyn Progress) -> Result<Audience> {
        let (db, data) = self.loaded(progress)?;
        let (run_id, of) = latest_segments(db, data)?.ok_or_else(|| {
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
        let name = latest_segmentation(db)?
            .and_then(|stored| stored.segments.into_iter().find(|x| x.id == s))
            .map(|x| x.name)
            .unwrap_or_default();
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
}

/// Reads an audience file: a CSV with a `customer_id` column; its other columns are carried
/// into the export (numbers as numbers), the guard leaving out those that are personal data.
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
        let cells = (0..header.len()).filter(|&i| i != id_col).map(|i| {
            let v = record.get(i).unwrap_or("").trim();
            if v.is_empty() {
                Cell::Empty
            } else if let Ok(x) = v.parse::<f64>() {
                Cell::Number(x)
            } else {
                Cell::Text(v.to_string())
            }
        });
        for ((_, col), cell) in audience.extra.iter_mut().zip(cells) {
            col.push(cell);
        }
    }
    Ok(audience)
}
