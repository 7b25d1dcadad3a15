//! Segment memberships: `customer_id,segment_id,segment_name` (plus `r,f,m` for RFM).
//!
//! `tailor segment --out` writes every customer's membership as a run output
//! ([`write_memberships`]: ids and segments only, what `audit` reads back). The window's
//! "Export segment…" is a campaign export: [`membership_audience`] goes through
//! [`export_audience`](crate::export::audience::export_audience) and its privacy guard.

use crate::error::{Error, Result};
use crate::export::audience::{Audience, Cell};
use crate::files::csv::{self, Field};
use crate::files::write_atomically;
use crate::models::segment::run::SegmentRun;

/// The customers of segment `segment` of `run` (customers in `customer_ids` order) as an
/// audience with `segment_id`, `segment_name` (and `r`, `f`, `m` for RFM) as extra columns.
pub fn membership_audience(
    customer_ids: &[String],
    run: &SegmentRun,
    segment: usize,
    run_id: Option<i64>,
) -> Audience {
    let name = run
        .segment(segment)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let members: Vec<usize> = (0..customer_ids.len())
        .filter(|&i| run.labels.get(i).copied() == Some(segment))
        .collect();
    let n = members.len();
    let mut extra = vec![
        (
            "segment_id".to_string(),
            vec![Cell::Number(segment as f64); n],
        ),
        (
            "segment_name".to_string(),
            vec![Cell::Text(name.clone()); n],
        ),
    ];
    if let Some(rfm) = &run.rfm {
        type Score = fn(&crate::models::segment::rfm::RfmScore) -> u8;
        let parts: [(&str, Score); 3] = [("r", |s| s.r), ("f", |s| s.f), ("m", |s| s.m)];
        for (column, score) in parts {
            let values = members
                .iter()
                .map(|&i| {
                    rfm.get(i)
                        .map_or(Cell::Empty, |s| Cell::Number(f64::from(score(s))))
                })
                .collect();
            extra.push((column.to_string(), values));
        }
    }
    let run_text = run_id.map_or_else(
        || "an unstored segmentation run".to_string(),
        |id| format!("segmentation run {id}"),
    );
    Audience {
        customer_ids: members
            .iter()
            .filter_map(|&i| customer_ids.get(i).cloned())
            .collect(),
        extra,
        filters: format!("segment {segment} ({name}) of {run_text}"),
        not_personal: Vec::new(),
    }
}

/// Writes the memberships of `run` (customers in `customer_ids` order) to `path`, atomically.
/// With `only`, just the customers of that segment id. Returns the number of customers written.
pub fn write_memberships(
    path: &std::path::Path,
    customer_ids: &[String],
    run: &SegmentRun,
    only: Option<usize>,
) -> Result<usize> {
    let mut written = 0;
    write_atomically(path, |w| {
        let mut header = vec!["customer_id", "segment_id", "segment_name"];
        if run.rfm.is_some() {
            header.extend(["r", "f", "m"]);
        }
        csv::write_header(w, &header).map_err(Error::io(path))?;
        for (i, id) in customer_ids.iter().enumerate() {
            let seg = run.labels.get(i).copied().unwrap_or(0);
            if only.is_some_and(|s| s != seg) {
                continue;
            }
            let name = run.segment(seg).map(|s| s.name.as_str()).unwrap_or("");
            let mut rec = vec![
                Field::Text(id),
                Field::Number(seg as f64),
                Field::Text(name),
            ];
            if let Some(rfm) = &run.rfm {
                rec.extend(match rfm.get(i) {
                    Some(s) => [s.r, s.f, s.m].map(|x| Field::Number(f64::from(x))),
                    None => [Field::Empty; 3],
                });
            }
            csv::write_row(w, rec).map_err(Error::io(path))?;
            written += 1;
        }
        Ok(())
    })?;
    Ok(written)
}
