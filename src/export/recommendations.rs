//! A segment's recommendations as CSV or XLSX, one row per (customer, item): `customer_id`, the
//! customer's non-personal columns, then `rank,product_id,name,score,top_reason`. Written by the
//! window's Recommendations panel through
//! [`export_audience`](crate::export::audience::export_audience), so it gets the privacy guard
//! (customers without consent left out, no personal data, k-anonymity counted over customers)
//! and a row in `tailor_exports`.

use std::path::Path;

use crate::data::db::Database;
use crate::error::Result;
use crate::export::audience::{Audience, Cell, ExportOptions, ExportSummary, export_audience};
use crate::workspace::recommend::SegmentRecs;

/// The extra columns, after the customer's own.
pub const COLUMNS: [&str; 5] = ["rank", "product_id", "name", "score", "top_reason"];

/// `recs` as an audience: one entry per row (a customer once per item), the recommendation
/// columns as extra columns. `name` is the product's name, so it is not personal data.
pub fn recs_audience(recs: &SegmentRecs) -> Audience {
    let rows = &recs.rows;
    let text = |f: fn(&crate::workspace::recommend::SegmentRecRow) -> &str| -> Vec<Cell> {
        rows.iter().map(|r| Cell::Text(f(r).to_string())).collect()
    };
    let extra = vec![
        (
            "rank".to_string(),
            rows.iter().map(|r| Cell::Number(r.rank as f64)).collect(),
        ),
        ("product_id".to_string(), text(|r| &r.product_id)),
        ("name".to_string(), text(|r| &r.name)),
        (
            "score".to_string(),
            rows.iter()
                .map(|r| Cell::Number((r.score * 1e6).round() / 1e6))
                .collect(),
        ),
        ("top_reason".to_string(), text(|r| &r.reason)),
    ];
    Audience {
        customer_ids: rows.iter().map(|r| r.customer_id.clone()).collect(),
        extra,
        filters: format!(
            "top {} recommendations by {} for segment {} ({})",
            recs.request.top,
            recs.request.method.label(),
            recs.segment,
            recs.segment_name
        ),
        not_personal: vec!["name".to_string()],
    }
}

/// Writes `recs` to `path` (`.csv` or `.xlsx`) with the privacy guard, and records it.
pub fn export_segment_recs(
    db: &mut Database,
    recs: &SegmentRecs,
    path: &Path,
    options: &ExportOptions,
) -> Result<ExportSummary> {
    export_audience(db, &recs_audience(recs), path, options)
}
