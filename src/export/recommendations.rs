//! A segment's recommendations as CSV: `customer_id,rank,product_id,name,score,top_reason`,
//! one row per (customer, item). Written by the window's Recommendations panel.

use crate::error::{Error, Result};
use crate::export::write_atomically;
use crate::jobs::recommend::SegmentRecs;

/// The CSV header.
pub const HEADER: [&str; 6] = [
    "customer_id",
    "rank",
    "product_id",
    "name",
    "score",
    "top_reason",
];

/// Writes `recs` to `path`, atomically. Returns the number of rows written (header excluded).
pub fn write_segment_recs(path: &std::path::Path, recs: &SegmentRecs) -> Result<usize> {
    write_atomically(path, |w| {
        let mut out = csv::Writer::from_writer(w);
        let ce = |e: csv::Error| Error::Invalid(format!("{e}: {}", path.display()));
        out.write_record(HEADER).map_err(ce)?;
        for r in &recs.rows {
            out.write_record([
                r.customer_id.as_str(),
                &r.rank.to_string(),
                &r.product_id,
                &r.name,
                &format!("{:.6}", r.score),
                &r.reason,
            ])
            .map_err(ce)?;
        }
        out.flush().map_err(Error::io(path))
    })?;
    Ok(recs.rows.len())
}
