//! Segment memberships as CSV: `customer_id,segment_id,segment_name` (plus `r,f,m` for RFM),
//! for every customer or for one segment. Shared by `tailor segment --out` and the window's
//! "Export segment…".

use crate::error::{Error, Result};
use crate::export::write_atomically;
use crate::models::segment::run::SegmentRun;

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
        let mut out = csv::Writer::from_writer(w);
        let ce = |e: csv::Error| Error::Invalid(format!("{e}: {}", path.display()));
        let mut header = vec!["customer_id", "segment_id", "segment_name"];
        if run.rfm.is_some() {
            header.extend(["r", "f", "m"]);
        }
        out.write_record(&header).map_err(ce)?;
        for (i, id) in customer_ids.iter().enumerate() {
            let seg = run.labels.get(i).copied().unwrap_or(0);
            if only.is_some_and(|s| s != seg) {
                continue;
            }
            let name = run.segment(seg).map(|s| s.name.as_str()).unwrap_or("");
            let mut rec = vec![id.clone(), seg.to_string(), name.to_string()];
            if let Some(s) = run.rfm.as_ref().and_then(|r| r.get(i)) {
                rec.extend([s.r.to_string(), s.f.to_string(), s.m.to_string()]);
            }
            out.write_record(&rec).map_err(ce)?;
            written += 1;
        }
        out.flush().map_err(Error::io(path))
    })?;
    Ok(written)
}
