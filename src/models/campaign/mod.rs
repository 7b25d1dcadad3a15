//! Campaign rules: who is in an audience and what it is worth, as pure functions of the loaded
//! [`Dataset`] and the decisions already read from the database ([`AudienceInputs`]: the latest
//! segmentation, churn scores and lifetime values, the consent column).
//!
//! The audience is segments ∩ a churn-risk range ∩ consent ∩ attribute filters (one from the
//! panel, several from the command line's `--where`). Its value is the latest lifetime-value run
//! where one is stored, else past spend. [`fairness`] audits membership by protected column,
//! [`offers`] attaches each customer's top hybrid recommendation and [`columns`] builds what an
//! export writes.

pub mod columns;
pub mod fairness;
pub mod offers;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use crate::data::dataset::{AttrValues, Dataset, RevenueKind};
use crate::data::values::truthy;
use crate::error::{Error, Result};

pub use fairness::{AUDITED_COLUMNS, AudienceAudit, audit_audience};
pub use offers::Offer;

/// Rows in the panel's preview.
pub const PREVIEW_ROWS: usize = 100;
/// Most values of a categorical column offered as choices.
pub const MAX_LEVELS: usize = 200;

/// A customers column that can be filtered on.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeChoice {
    /// A categorical column and its values.
    Values {
        /// The column.
        column: String,
        /// Its distinct values (at most [`MAX_LEVELS`]).
        levels: Vec<String>,
    },
    /// A numeric column and its range.
    Range {
        /// The column.
        column: String,
        /// Its smallest value.
        min: f64,
        /// Its largest value.
        max: f64,
    },
}

impl AttributeChoice {
    /// The column's name.
    pub fn column(&self) -> &str {
        match self {
            AttributeChoice::Values { column, .. } | AttributeChoice::Range { column, .. } => {
                column
            }
        }
    }
}

/// The columns an audience can be filtered on: every loaded customers column (personal data is
/// never loaded), categorical ones with their values, numeric ones with their range.
pub fn attribute_choices(data: &Dataset) -> Vec<AttributeChoice> {
    data.attributes
        .iter()
        .filter_map(|a| match &a.values {
            AttrValues::Categorical { levels, .. } => Some(AttributeChoice::Values {
                column: a.name.clone(),
                levels: levels.iter().take(MAX_LEVELS).cloned().collect(),
            }),
            AttrValues::Numeric(v) => {
                let (min, max) = v
                    .iter()
                    .flatten()
                    .fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
                (min <= max).then(|| AttributeChoice::Range {
                    column: a.name.clone(),
                    min,
                    max,
                })
            }
        })
        .collect()
}

/// One attribute filter.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum AttributeFilter {
    /// The column's value is one of these.
    Values {
        /// The column.
        column: String,
        /// The values kept.
        values: Vec<String>,
    },
    /// The column's value is within `min..=max`.
    Range {
        /// The column.
        column: String,
        /// Lowest kept.
        min: f64,
        /// Highest kept.
        max: f64,
    },
}

/// How an audience is chosen.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct AudienceFilters {
    /// Segment ids of the latest segmentation (empty: every customer).
    pub segments: Vec<usize>,
    /// Churn probability range (ignored when no churn run is stored).
    pub risk: Option<(f64, f64)>,
    /// Only customers who gave consent (ignored without a consent column).
    pub consent_only: bool,
    /// An attribute filter (the panel's).
    pub attribute: Option<AttributeFilter>,
    /// More attribute filters (the command line's `--where`), each on its own column; a
    /// customer must pass every one.
    pub more_attributes: Vec<AttributeFilter>,
}

impl AudienceFilters {
    /// Every attribute filter: the panel's, then the others.
    pub fn attribute_filters(&self) -> impl Iterator<Item = &AttributeFilter> {
        self.attribute.iter().chain(&self.more_attributes)
    }
}

/// Where the expected value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueSource {
    /// The latest lifetime-value run.
    Clv,
    /// The sum of past spend (no lifetime-value run stored).
    PastSpend,
    /// A customers column with role `revenue` (no transactions).
    RevenueColumn,
    /// A customers column with role `recurring`: value per month (no transactions).
    MonthlyColumn,
}

impl ValueSource {
    /// How the panel labels it.
    pub fn label(self) -> &'static str {
        match self {
            ValueSource::Clv => "expected lifetime value (latest CLV run)",
            ValueSource::PastSpend => "past spend (no CLV run stored)",
            ValueSource::RevenueColumn => "revenue to date, from the customers table",
            ValueSource::MonthlyColumn => "monthly revenue from the customers table, per month",
        }
    }

    /// The export column holding the value (`clv` or `past_spend`).
    pub fn column(self) -> &'static str {
        match self {
            ValueSource::Clv => "clv",
            ValueSource::PastSpend => "past_spend",
            ValueSource::RevenueColumn => "revenue",
            ValueSource::MonthlyColumn => "monthly_revenue",
        }
    }
}

/// The decisions an audience reads, already read from the database and aligned with the
/// [`Dataset`]'s customer order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AudienceInputs {
    /// The latest segmentation's segment per customer (`None`: no segmentation stored).
    pub segment_of: Option<Vec<Option<usize>>>,
    /// Segment names by id (the user's when renamed).
    pub segment_names: HashMap<usize, String>,
    /// The latest churn run's probability per customer (`None`: no churn run stored).
    pub churn: Option<Vec<Option<f64>>>,
    /// The latest lifetime-value run's value per customer (`None`: no run stored).
    pub clv: Option<Vec<Option<f64>>>,
    /// The customers table's consent column, if it has one.
    pub consent: Option<String>,
}

impl AudienceInputs {
    /// Customer `i`'s segment id, when segmented.
    pub fn segment(&self, i: usize) -> Option<usize> {
        self.segment_of.as_ref()?.get(i).copied().flatten()
    }

    /// Segment `s`'s name ("Segment 3" when it has none).
    pub fn segment_name(&self, s: usize) -> String {
        self.segment_names
            .get(&s)
            .cloned()
            .unwrap_or_else(|| format!("Segment {s}"))
    }

    /// Customer `i`'s churn probability, when scored.
    pub fn churn_risk(&self, i: usize) -> Option<f64> {
        self.churn.as_ref()?.get(i).copied().flatten()
    }
}

/// An audience chosen by filters.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Its customers' indices, in customer order.
    pub members: Vec<usize>,
    /// Every customer's value (lifetime value or past spend), where known.
    pub value: Vec<Option<f64>>,
    /// Where the value comes from.
    pub value_source: ValueSource,
    /// Filters that were ignored, and why.
    pub notes: Vec<String>,
    /// The filters in words (recorded with an export).
    pub description: String,
}

impl Selection {
    /// Sum of value over the audience.
    pub fn expected_value(&self) -> f64 {
        self.members
            .iter()
            .filter_map(|&i| self.value.get(i).copied().flatten())
            .sum()
    }
}

/// Every customer's value: the lifetime-value run's where one is stored, else past spend (the sum
/// of the customer's transaction amounts), else (no transactions) the customers table's revenue
/// column: a total, or an amount per month.
pub fn customer_values(
    data: &Dataset,
    clv: Option<&[Option<f64>]>,
) -> (Vec<Option<f64>>, ValueSource) {
    let n = data.n_customers();
    match clv {
        Some(clv) => {
            let mut value = clv.to_vec();
            value.resize(n, None);
            (value, ValueSource::Clv)
        }
        None if data.transactions.is_empty()
            && let Some((_, kind, values)) = data.revenue_column() =>
        {
            let mut value = values.to_vec();
            value.resize(n, None);
            let source = match kind {
                RevenueKind::Total => ValueSource::RevenueColumn,
                RevenueKind::Monthly => ValueSource::MonthlyColumn,
            };
            (value, source)
        }
        None => {
            let mut value = vec![None; n];
            let t = &data.transactions;
            for (c, a) in t.customer.iter().zip(&t.amount) {
                if let Some(slot) = value.get_mut(*c as usize) {
                    *slot = Some(slot.unwrap_or(0.0) + a);
                }
            }
            (value, ValueSource::PastSpend)
        }
    }
}

/// A categorical column's value for customer `i`.
fn level<'d>(levels: &'d [String], codes: &[Option<u32>], i: usize) -> Option<&'d String> {
    codes
        .get(i)
        .copied()
        .flatten()
        .and_then(|c| levels.get(c as usize))
}

/// Whether customer `i` gave consent in `column`, as the export's privacy guard reads it: the
/// number 1, or a text [`truthy`] reads as yes.
pub fn consented(data: &Dataset, column: &str, i: usize) -> bool {
    match data.attribute(column).map(|a| &a.values) {
        Some(AttrValues::Numeric(v)) => v.get(i).copied().flatten() == Some(1.0),
        Some(AttrValues::Categorical { levels, codes }) => {
            level(levels, codes, i).is_some_and(|t| truthy(t))
        }
        None => false,
    }
}

/// Whether customer `i` passes `filter` (a filter on a column not in the data, or with no
/// values ticked, passes everyone).
pub fn attribute_keeps(data: &Dataset, filter: &AttributeFilter, i: usize) -> bool {
    match filter {
        AttributeFilter::Values { values, .. } if values.is_empty() => true,
        AttributeFilter::Values { column, values } => {
            match data.attribute(column).map(|a| &a.values) {
                Some(AttrValues::Categorical { levels, codes }) => {
                    level(levels, codes, i).is_some_and(|t| values.contains(t))
                }
                Some(AttrValues::Numeric(v)) => v
                    .get(i)
                    .copied()
                    .flatten()
                    .is_some_and(|x| values.iter().any(|s| s.parse::<f64>().ok() == Some(x))),
                None => true,
            }
        }
        AttributeFilter::Range { column, min, max } => {
            match data.attribute(column).map(|a| &a.values) {
                Some(AttrValues::Numeric(v)) => v
                    .get(i)
                    .copied()
                    .flatten()
                    .is_some_and(|x| x >= *min && x <= *max),
                _ => true,
            }
        }
    }
}

/// The filters in words, and notes on those that are ignored for lack of stored results.
fn describe(inputs: &AudienceInputs, filters: &AudienceFilters) -> (String, Vec<String>) {
    let mut notes = Vec::new();
    let mut words = Vec::new();
    if !filters.segments.is_empty() {
        if inputs.segment_of.is_none() {
            notes.push("No segmentation is stored: the segment filter is ignored.".to_string());
        } else {
            let list: Vec<String> = filters
                .segments
                .iter()
                .map(|s| {
                    inputs
                        .segment_names
                        .get(s)
                        .cloned()
                        .unwrap_or_else(|| format!("segment {s}"))
                })
                .collect();
            words.push(format!("segments: {}", list.join(", ")));
        }
    }
    if let Some((lo, hi)) = filters.risk {
        if inputs.churn.is_none() {
            notes.push("No churn run is stored: the churn-risk range is ignored.".to_string());
        } else {
            words.push(format!("churn risk {lo:.2}–{hi:.2}"));
        }
    }
    if filters.consent_only {
        match &inputs.consent {
            Some(c) => words.push(format!("consent ({c})")),
            None => notes.push(
                "The customers table has no consent column: no one is left out for consent."
                    .to_string(),
            ),
        }
    }
    for f in filters.attribute_filters() {
        match f {
            AttributeFilter::Values { values, .. } if values.is_empty() => {}
            AttributeFilter::Values { column, values } => {
                words.push(format!("{column} in {}", values.join(", ")))
            }
            AttributeFilter::Range { column, min, max } => {
                words.push(format!("{column} {min}–{max}"))
            }
        }
    }
    let description = if words.is_empty() {
        "every customer".to_string()
    } else {
        words.join("; ")
    };
    (description, notes)
}

/// The audience for `filters`: customers in any of the chosen segments, within the churn-risk
/// range (inclusive), who gave consent when asked, and passing every attribute filter. A filter
/// whose stored result is missing (no segmentation, no churn run, no consent column) is ignored
/// and said so in the notes.
pub fn select(data: &Dataset, inputs: &AudienceInputs, filters: &AudienceFilters) -> Selection {
    let (description, notes) = describe(inputs, filters);
    let (value, value_source) = customer_values(data, inputs.clv.as_deref());
    let members = (0..data.n_customers())
        .filter(|&i| {
            let seg_ok = filters.segments.is_empty()
                || inputs.segment_of.is_none()
                || inputs
                    .segment(i)
                    .is_some_and(|s| filters.segments.contains(&s));
            let risk_ok = match (filters.risk, &inputs.churn) {
                (Some((lo, hi)), Some(_)) => {
                    inputs.churn_risk(i).is_some_and(|x| x >= lo && x <= hi)
                }
                _ => true,
            };
            let consent_ok = match (&inputs.consent, filters.consent_only) {
                (Some(c), true) => consented(data, c, i),
                _ => true,
            };
            seg_ok
                && risk_ok
                && consent_ok
                && filters
                    .attribute_filters()
                    .all(|f| attribute_keeps(data, f, i))
        })
        .collect();
    Selection {
        members,
        value,
        value_source,
        notes,
        description,
    }
}

/// Audience members per segment (name, segment id, count), largest first; empty when no
/// segmentation is stored.
pub fn by_segment(inputs: &AudienceInputs, selection: &Selection) -> Vec<(String, usize, usize)> {
    let mut counts: HashMap<usize, usize> = HashMap::new();
    for &i in &selection.members {
        if let Some(s) = inputs.segment(i) {
            *counts.entry(s).or_default() += 1;
        }
    }
    let mut out: Vec<(String, usize, usize)> = counts
        .into_iter()
        .map(|(s, n)| (inputs.segment_name(s), s, n))
        .collect();
    out.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)));
    out
}

/// The consent column and how many of the audience did not give consent in it (`None`: the
/// customers table has no consent column).
pub fn without_consent(
    data: &Dataset,
    inputs: &AudienceInputs,
    selection: &Selection,
) -> Option<(String, usize)> {
    inputs.consent.as_ref().map(|c| {
        let n = selection
            .members
            .iter()
            .filter(|&&i| !consented(data, c, i))
            .count();
        (c.clone(), n)
    })
}

/// Attribute filters from `COLUMN=VALUE` pairs: different columns intersect, the same column
/// repeated keeps any of its values. A categorical column matches its values as stored (case
/// included); a numeric column matches the exact number. A column that holds personal data, or
/// that is not a customer attribute, is an error naming it.
pub fn where_filters(data: &Dataset, pairs: &[(String, String)]) -> Result<Vec<AttributeFilter>> {
    let mut out: Vec<AttributeFilter> = Vec::new();
    for (column, value) in pairs {
        if data
            .pii_columns
            .iter()
            .any(|c| c.eq_ignore_ascii_case(column))
        {
            return Err(Error::Invalid(format!(
                "column {column} holds personal data: an audience cannot be filtered on it"
            )));
        }
        let attribute = data
            .attribute(column)
            .or_else(|| {
                let mut same = data
                    .attributes
                    .iter()
                    .filter(|a| a.name.eq_ignore_ascii_case(column));
                match (same.next(), same.next()) {
                    (Some(a), None) => Some(a),
                    _ => None,
                }
            })
            .ok_or_else(|| {
                let names: Vec<&str> = data.attributes.iter().map(|a| a.name.as_str()).collect();
                Error::Invalid(format!(
                    "{column} is not a customer attribute to filter on (attributes: {})",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ))
            })?;
        if matches!(attribute.values, AttrValues::Numeric(_))
            && value.trim().parse::<f64>().is_err()
        {
            return Err(Error::Invalid(format!(
                "{} is numeric: {value:?} is not a number",
                attribute.name
            )));
        }
        let value = match attribute.values {
            AttrValues::Numeric(_) => value.trim().to_string(),
            AttrValues::Categorical { .. } => value.clone(),
        };
        let existing = out.iter_mut().find_map(|f| match f {
            AttributeFilter::Values { column, values } if *column == attribute.name => Some(values),
            _ => None,
        });
        match existing {
            Some(values) => {
                if !values.contains(&value) {
                    values.push(value);
                }
            }
            None => out.push(AttributeFilter::Values {
                column: attribute.name.clone(),
                values: vec![value],
            }),
        }
    }
    Ok(out)
}

/// One preview row.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewRow {
    /// The customer.
    pub customer_id: String,
    /// Segment name, when segmented.
    pub segment: Option<String>,
    /// Churn probability, when scored.
    pub churn_risk: Option<f64>,
    /// Lifetime value (or past spend), when known.
    pub value: Option<f64>,
    /// The offer: product name (or id).
    pub offer: Option<String>,
    /// The offer's strongest reason.
    pub reason: Option<String>,
}

/// An audience built from filters.
#[derive(Debug, Clone, PartialEq)]
pub struct AudienceResult {
    /// The filters it answers.
    pub filters: AudienceFilters,
    /// Customers in it.
    pub size: usize,
    /// Customers in the data.
    pub customers: usize,
    /// Sum of value over the audience.
    pub value: f64,
    /// Where the value comes from.
    pub value_source: ValueSource,
    /// Audience members per segment (name, segment id, count), largest first.
    pub by_segment: Vec<(String, usize, usize)>,
    /// The first [`PREVIEW_ROWS`] members.
    pub preview: Vec<PreviewRow>,
    /// Filters that were ignored, and why.
    pub notes: Vec<String>,
    /// The filters in words (recorded with an export).
    pub description: String,
    /// The audience's fairness by each protected column: who is in it, per group.
    pub fairness: Vec<AudienceAudit>,
    /// The consent column and how many of the audience did not give consent in it (`None`:
    /// the customers table has no consent column). An export leaves them out unless asked.
    pub without_consent: Option<(String, usize)>,
}

impl AudienceResult {
    /// The audience in one sentence: how many, of whom, and what they are worth.
    pub fn headline(&self, money: crate::money::Money) -> String {
        use crate::format::{count, percent, thousands};
        let who = format!(
            "{} of {} ({})",
            count(self.size as u64, "customer", "customers"),
            thousands(self.customers as u64),
            percent(self.size as f64 / self.customers.max(1) as f64)
        );
        let worth = match self.value_source {
            ValueSource::Clv => "expected lifetime value",
            ValueSource::PastSpend => "past spend",
            ValueSource::RevenueColumn => "revenue to date",
            ValueSource::MonthlyColumn => "revenue a month",
        };
        let verb = if self.size == 1 { "is" } else { "are" };
        format!(
            "{who} {verb} in this audience, with {} of {worth}.",
            money.whole(self.value)
        )
    }
}

/// The audience's figures (size, value, members per segment, fairness, consent) with a preview
/// of its first [`PREVIEW_ROWS`] members, each with its offer from `preview_offers` (in member
/// order; none where it runs out).
pub fn audience_result(
    data: &Dataset,
    inputs: &AudienceInputs,
    filters: &AudienceFilters,
    selection: Selection,
    preview_offers: Vec<Offer>,
) -> AudienceResult {
    let mut offers = preview_offers.into_iter();
    let preview = selection
        .members
        .iter()
        .take(PREVIEW_ROWS)
        .map(|&i| (i, offers.next().unwrap_or_default()))
        .map(|(i, offer)| PreviewRow {
            customer_id: data.customer_ids.get(i).cloned().unwrap_or_default(),
            segment: inputs.segment(i).map(|s| inputs.segment_name(s)),
            churn_risk: inputs.churn_risk(i),
            value: selection.value.get(i).copied().flatten(),
            offer: offer.offer,
            reason: offer.reason,
        })
        .collect();
    AudienceResult {
        filters: filters.clone(),
        size: selection.members.len(),
        customers: data.n_customers(),
        value: selection.expected_value(),
        value_source: selection.value_source,
        by_segment: by_segment(inputs, &selection),
        preview,
        fairness: audit_audience(data, &selection.members),
        without_consent: without_consent(data, inputs, &selection),
        notes: selection.notes,
        description: selection.description,
    }
}
