//! Segmentation: run (or rerun the last stored run) and store it, and precompute what the
//! Segments panel draws so that no frame sorts or samples a million customers.

use std::sync::Arc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::data::dataset::Dataset;
use crate::data::db::Database;
use crate::data::runs;
use crate::error::Result;
use crate::models::segment::run::{SegmentParams, SegmentRun};
use crate::money::Money;
use crate::progress::Progress;
use crate::workspace::{Workspace, to_json};

/// Most points drawn in the scatter; larger runs draw a seeded sample of this many.
pub const MAX_SCATTER_POINTS: usize = 20_000;

/// Behaviour features shown in the customer table, with their column titles, in order.
pub const TABLE_FEATURES: [(&str, &str); 4] = [
    ("recency_days", "Days since last purchase"),
    ("frequency", "Purchases"),
    ("monetary", "Spend"),
    ("tenure_days", "Days as a customer"),
];

/// A behaviour measure's name for people (`recency_days` → "Days since last purchase"), the
/// same in every panel; `None` for other columns.
pub fn behaviour_label(name: &str) -> Option<String> {
    let label = match name {
        "recency_days" => "Days since last purchase",
        "frequency" => "Purchases",
        "monetary" => "Spend",
        "tenure_days" => "Days as a customer",
        "avg_basket" => "Average basket",
        _ => return name.strip_prefix("share_").map(|c| format!("{c} share")),
    };
    Some(label.to_string())
}

/// A feature name for people: `recency_days` → "Days since last purchase", `MonthlyCharges`
/// → "Monthly charges", a one-hot `InternetService=No` → "Internet service: No".
pub fn feature_label(name: &str) -> String {
    if let Some(label) = behaviour_label(name) {
        return label;
    }
    let pretty = crate::models::churn::reasons::pretty_name;
    match name.split_once('=') {
        Some((column, value)) => format!("{}: {}", pretty(column.trim()), value.trim()),
        None => pretty(name),
    }
}

/// Where a customer table column's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerColumn {
    /// The customer id.
    Id,
    /// A raw feature, by index in `features.names`.
    Feature(usize),
    /// The RFM recency score (1–5).
    R,
    /// The RFM frequency score.
    F,
    /// The RFM monetary score.
    M,
}

/// A column of the customer table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableColumn {
    /// Its title, in sentence case.
    pub title: String,
    /// Where its values come from.
    pub source: CustomerColumn,
}

/// A finished segmentation and what the panel needs to draw it.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentResult {
    /// The run (labels, profiles, projection…).
    pub run: SegmentRun,
    /// Customer ids, in label order (sorted).
    pub customer_ids: Vec<String>,
    /// The stored run's id (`None` when not stored: read-only database).
    pub run_id: Option<i64>,
    /// Whether this is the last stored run shown again (not a new run).
    pub reshown: bool,
    /// The scatter's customers, per segment id: (segment id, customer indices), a seeded sample
    /// of at most [`MAX_SCATTER_POINTS`] in all.
    pub scatter: Vec<(usize, Vec<u32>)>,
    /// Points in the scatter.
    pub scatter_points: usize,
    /// The customer table's columns.
    pub columns: Vec<TableColumn>,
    /// Per column, every customer index in ascending order of that column (ties by index).
    pub orders: Vec<Vec<u32>>,
    /// Feature indices of recency, frequency and monetary, for the scatter's hover.
    pub rfm_features: [Option<usize>; 3],
}

impl SegmentResult {
    /// A customer's value in a table column, as a number (ids: their position).
    pub fn value(&self, customer: usize, column: CustomerColumn) -> f64 {
        let rfm = |f: fn(&crate::models::segment::rfm::RfmScore) -> u8| {
            self.run
                .rfm
                .as_ref()
                .and_then(|r| r.get(customer))
                .map_or(0.0, |s| f64::from(f(s)))
        };
        match column {
            CustomerColumn::Id => customer as f64,
            CustomerColumn::Feature(j) => self
                .run
                .features
                .raw_row(customer)
                .get(j)
                .copied()
                .unwrap_or(0.0),
            CustomerColumn::R => rfm(|s| s.r),
            CustomerColumn::F => rfm(|s| s.f),
            CustomerColumn::M => rfm(|s| s.m),
        }
    }

    /// A customer's value in a table column, as text for people (amounts with `money`).
    pub fn text(&self, customer: usize, column: CustomerColumn, money: Money) -> String {
        match column {
            CustomerColumn::Id => self.customer_ids.get(customer).cloned().unwrap_or_default(),
            CustomerColumn::R | CustomerColumn::F | CustomerColumn::M => {
                format!("{}", self.value(customer, column))
            }
            CustomerColumn::Feature(j) => {
                let v = self.value(customer, column);
                match self.run.features.names.get(j).map(String::as_str) {
                    Some("monetary" | "avg_basket") => money.cents(v),
                    Some(n) if n.ends_with("_days") => number(v.round()),
                    _ => number(v),
                }
            }
        }
    }
}

/// A number for people: thousands separators, two decimals when it has a fraction.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    if (a - a.round()).abs() < 1e-9 || a >= 10_000.0 {
        format!("{sign}{}", crate::format::thousands(a.round() as u64))
    } else {
        let cents = (a * 100.0).round() as u64;
        format!(
            "{sign}{}.{:02}",
            crate::format::thousands(cents / 100),
            cents % 100
        )
    }
}

impl Workspace {
    /// Segments the open database's customers and stores the run (unless the database is
    /// read-only); the result is kept for export.
    pub fn segment(
        &mut self,
        params: &SegmentParams,
        progress: &dyn Progress,
    ) -> Result<Arc<SegmentResult>> {
        let (db, data) = self.loaded(progress)?;
        let run = segment_loaded(db, data, params, progress)?;
        let mut result = build(run, data, None, false, progress)?;
        // Stored last: once it is, the run is done and a Cancel comes too late.
        result.run_id = store_run(db, data, params, &result.run)?;
        let result = Arc::new(result);
        self.segmentation = Some(Arc::clone(&result));
        Ok(result)
    }

    /// Reruns the last stored segmentation (same parameters and seed, so the same segments)
    /// without storing it again; `None` when the database has no stored run.
    pub fn rerun_latest_segmentation(
        &mut self,
        progress: &dyn Progress,
    ) -> Result<Option<Arc<SegmentResult>>> {
        let db = self.db()?;
        let Some(latest) = runs::latest_run(db, "segment")? else {
            return Ok(None);
        };
        let Ok(params) = serde_json::from_str::<SegmentParams>(&latest.params_json) else {
            return Ok(None);
        };
        let (db, data) = self.loaded(progress)?;
        let run = segment_loaded(db, data, &params, progress)?;
        let result = Arc::new(build(run, data, Some(latest.run_id), true, progress)?);
        self.segmentation = Some(Arc::clone(&result));
        Ok(Some(result))
    }

    /// Keeps the user's name for the segment the naming rule calls `auto_name` (empty: back to
    /// the automatic name); returns the name kept, trimmed.
    pub fn rename_segment(&mut self, auto_name: &str, name: &str) -> Result<String> {
        runs::rename_segment(self.db_mut()?, auto_name, name)?;
        let name = name.trim().to_string();
        if let Some(result) = self.segmentation.as_mut() {
            Arc::make_mut(result).run.rename(auto_name, &name);
        }
        Ok(name)
    }
}

/// Segments a loaded dataset with the user's segment names (storing is [`store_run`]'s, done
/// last).
fn segment_loaded(
    db: &Database,
    dataset: &Dataset,
    params: &SegmentParams,
    progress: &dyn Progress,
) -> Result<SegmentRun> {
    let renamed = runs::segment_names(db)?;
    let run = crate::models::segment::run::run(dataset, params, &renamed, progress)?;
    progress.check()?;
    Ok(run)
}

/// Stores the run and its memberships (not in a read-only database): its id.
fn store_run(
    db: &mut Database,
    dataset: &Dataset,
    params: &SegmentParams,
    run: &SegmentRun,
) -> Result<Option<i64>> {
    if db.is_read_only() {
        return Ok(None);
    }
    let memberships: Vec<(&str, usize)> = dataset
        .customer_ids
        .iter()
        .map(String::as_str)
        .zip(run.labels.iter().copied())
        .collect();
    let run_id = runs::save_segment_run(
        db,
        params.seed,
        &to_json("parameters", params)?,
        &to_json("summary", &run.summary())?,
        &memberships,
    )?;
    Ok(Some(run_id))
}

/// Precomputes the scatter sample and the table's sort orders.
fn build(
    run: SegmentRun,
    data: &Dataset,
    run_id: Option<i64>,
    reshown: bool,
    progress: &dyn Progress,
) -> Result<SegmentResult> {
    progress.report(0.97, "Preparing the charts");
    let n = run.labels.len();
    let mut sample: Vec<usize> = if n > MAX_SCATTER_POINTS {
        let mut rng = ChaCha8Rng::seed_from_u64(run.params.seed);
        rand::seq::index::sample(&mut rng, n, MAX_SCATTER_POINTS).into_vec()
    } else {
        (0..n).collect()
    };
    sample.sort_unstable();
    let mut scatter: Vec<(usize, Vec<u32>)> =
        run.segments.iter().map(|s| (s.id, Vec::new())).collect();
    for &i in &sample {
        let seg = run.labels.get(i).copied().unwrap_or(0);
        if let Some((_, members)) = scatter.iter_mut().find(|(id, _)| *id == seg) {
            members.push(i as u32);
        }
    }

    let names = &run.features.names;
    let feature = |name: &str| names.iter().position(|f| f == name);
    let mut columns = vec![TableColumn {
        title: "Customer id".to_string(),
        source: CustomerColumn::Id,
    }];
    for (name, title) in TABLE_FEATURES {
        if let Some(j) = feature(name) {
            columns.push(TableColumn {
                title: title.to_string(),
                source: CustomerColumn::Feature(j),
            });
        }
    }
    if columns.len() == 1 {
        // No behaviour: the first few attribute features instead, numbers before one-hot
        // columns (a 0 or 1 says little in a table).
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by_key(|&j| names[j].contains('='));
        for j in order.into_iter().take(4) {
            columns.push(TableColumn {
                title: feature_label(&names[j]),
                source: CustomerColumn::Feature(j),
            });
        }
    }
    if run.rfm.is_some() {
        for (title, source) in [
            ("R score", CustomerColumn::R),
            ("F score", CustomerColumn::F),
            ("M score", CustomerColumn::M),
        ] {
            columns.push(TableColumn {
                title: title.to_string(),
                source,
            });
        }
    }
    let mut result = SegmentResult {
        rfm_features: [
            feature("recency_days"),
            feature("frequency"),
            feature("monetary"),
        ],
        run,
        customer_ids: data.customer_ids.clone(),
        run_id,
        reshown,
        scatter_points: sample.len(),
        scatter,
        columns,
        orders: Vec::new(),
    };
    let mut orders = Vec::with_capacity(result.columns.len());
    for column in &result.columns {
        progress.check()?;
        let mut order: Vec<u32> = (0..n as u32).collect();
        if column.source != CustomerColumn::Id {
            let keys: Vec<f64> = (0..n).map(|i| result.value(i, column.source)).collect();
            order.sort_unstable_by(|&a, &b| {
                let ka = keys.get(a as usize).copied().unwrap_or(0.0);
                let kb = keys.get(b as usize).copied().unwrap_or(0.0);
                ka.total_cmp(&kb).then(a.cmp(&b))
            });
        }
        orders.push(order);
    }
    result.orders = orders;
    progress.report(1.0, "Segments ready");
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_for_people() {
        assert_eq!(number(0.0), "0");
        assert_eq!(number(12.0), "12");
        assert_eq!(number(1234.5), "1,234.50");
        assert_eq!(number(-3.25), "-3.25");
        assert_eq!(number(123_456.7), "123,457");
        assert_eq!(number(0.05), "0.05");
        assert_eq!(number(2.999), "3.00");
    }

    #[test]
    fn feature_names_for_people() {
        assert_eq!(feature_label("recency_days"), "Days since last purchase");
        assert_eq!(feature_label("MonthlyCharges"), "Monthly charges");
        assert_eq!(feature_label("InternetService=No"), "Internet service: No");
        assert_eq!(
            feature_label("OnlineSecurity=No internet service"),
            "Online security: No internet service"
        );
        assert_eq!(feature_label("share_Garden"), "Garden share");
        assert_eq!(feature_label("tenure"), "Tenure");
    }
}
