//! Campaign audiences: what can be filtered on, an audience from filters (size,
//! expected value, a preview with each customer's offer) and its export with the privacy guard.
//!
//! The audience is segments of the latest segmentation ∩ a churn-risk range of the latest churn
//! run ∩ consent ∩ one attribute filter. The offer is each customer's top hybrid recommendation
//! and its strongest reason. Uses the worker's cached [`Dataset`] and fitted [`Recommender`].

use std::collections::HashMap;

use crate::data::TableKind;
use crate::data::dataset::{AttrValues, Dataset};
use crate::data::db::Database;
use crate::data::runs::clv_values;
use crate::data::runs::latest_run;
use crate::data::runs::{latest_churn_scores, latest_segments};
use crate::error::{Error, Result};
use crate::export::audience::{Audience, Cell, consent_column};
use crate::models::recommend::engine::{RecOptions, RecRequest, Recommender};
use crate::models::recommend::methods::RecMethod;
use crate::progress::Progress;
use crate::workspace::Workspace;
use crate::workspace::recommend::segment_list;

/// Rows in the panel's preview.
pub const PREVIEW_ROWS: usize = 100;
/// Most values of a categorical column offered as choices.
pub const MAX_LEVELS: usize = 200;

/// A segment that can be chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentChoice {
    /// Segment id in the latest run.
    pub id: usize,
    /// Its name (the user's when renamed).
    pub name: String,
    /// Its customers.
    pub size: usize,
}

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

/// What the filter builder can offer for the open database.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CampaignChoices {
    /// Customers in the data.
    pub customers: usize,
    /// The latest segmentation's segments (`None`: no stored run).
    pub segments: Option<Vec<SegmentChoice>>,
    /// The latest churn run's id, when one is stored.
    pub churn_run: Option<i64>,
    /// The latest lifetime-value run's id, when one is stored.
    pub clv_run: Option<i64>,
    /// The consent column, when the customers table has one.
    pub consent_column: Option<String>,
    /// Columns to filter on (personal data never offered).
    pub attributes: Vec<AttributeChoice>,
    /// Whether offers can be attached (the database has transactions).
    pub has_offers: bool,
}

/// One attribute filter.
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AudienceFilters {
    /// Segment ids of the latest segmentation (empty: every customer).
    pub segments: Vec<usize>,
    /// Churn probability range (ignored when no churn run is stored).
    pub risk: Option<(f64, f64)>,
    /// Only customers who gave consent (ignored without a consent column).
    pub consent_only: bool,
    /// An attribute filter.
    pub attribute: Option<AttributeFilter>,
}

/// Where the expected value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueSource {
    /// The latest lifetime-value run.
    Clv,
    /// The sum of past spend (no lifetime-value run stored).
    PastSpend,
}

impl ValueSource {
    /// How the panel labels it.
    pub fn label(self) -> &'static str {
        match self {
            ValueSource::Clv => "expected lifetime value (latest CLV run)",
            ValueSource::PastSpend => "past spend (no CLV run stored)",
        }
    }
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

/// Membership of the audience audited by one protected column.
#[derive(Debug, Clone, PartialEq)]
pub struct AudienceAudit {
    /// The column ("age" for a birth-year column's bands).
    pub attribute: String,
    /// Per-group rates of being in the audience, disparate impact and intervals.
    pub rates: crate::models::fairness::audit::Rates,
    /// Findings in words.
    pub flags: Vec<String>,
}

/// At most this many protected columns are audited with each audience.
pub const AUDITED_COLUMNS: usize = 3;

/// Audits membership of the audience by each protected column (at most [`AUDITED_COLUMNS`]).
pub fn audit_audience(data: &Dataset, members: &[usize]) -> Vec<AudienceAudit> {
    use crate::models::fairness::audit::{AuditOptions, flags, rates};
    use crate::models::fairness::groups::groups_of;
    let mut selected = vec![false; data.n_customers()];
    for &i in members {
        if let Some(x) = selected.get_mut(i) {
            *x = true;
        }
    }
    data.attributes
        .iter()
        .filter(|a| a.role == crate::data::roles::Role::Protected)
        .take(AUDITED_COLUMNS)
        .map(|a| {
            let g = groups_of(data, a);
            let r = rates(&selected, None, &g.of, &g.names, &AuditOptions::default());
            AudienceAudit {
                flags: flags(&g.display, &r),
                attribute: g.display,
                rates: r,
            }
        })
        .collect()
}

fn no_database() -> Error {
    Error::Invalid("no database is open: open or import one first".to_string())
}

fn load<'c>(
    db: &Database,
    cache: &'c mut Option<Dataset>,
    progress: &dyn Progress,
) -> Result<&'c Dataset> {
    if cache.is_none() {
        *cache = Some(Dataset::load(db, progress)?);
    }
    cache.as_ref().ok_or_else(no_database)
}

/// What the filter builder can offer.
fn campaign_choices(
    db: Option<&Database>,
    data: &mut Option<Dataset>,
    progress: &dyn Progress,
) -> Result<CampaignChoices> {
    let db = db.ok_or_else(no_database)?;
    db.require(TableKind::Customers, "campaigns")?;
    let data = load(db, data, progress)?;
    let segments = segment_list(db)?.map(|list| {
        list.segments
            .into_iter()
            .map(|s| SegmentChoice {
                id: s.id,
                name: s.name,
                size: s.size,
            })
            .collect()
    });
    let names: Vec<String> = data.attributes.iter().map(|a| a.name.clone()).collect();
    let attributes = data
        .attributes
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
        .collect();
    let churn_run = latest_churn_scores(db, data)?.map(|c| c.run_id);
    Ok(CampaignChoices {
        customers: data.n_customers(),
        segments,
        churn_run,
        clv_run: latest_run(db, "clv")?.map(|r| r.run_id),
        consent_column: consent_column(&names),
        attributes,
        has_offers: data.has_transactions && !data.transactions.is_empty(),
    })
}

/// Whether customer `i` gave consent in `column` (as the export's privacy guard reads it).
fn consented(data: &Dataset, column: &str, i: usize) -> bool {
    match data.attribute(column).map(|a| &a.values) {
        Some(AttrValues::Numeric(v)) => v.get(i).copied().flatten() == Some(1.0),
        Some(AttrValues::Categorical { levels, codes }) => codes
            .get(i)
            .copied()
            .flatten()
            .and_then(|c| levels.get(c as usize))
            .is_some_and(|t| crate::data::values::truthy(t)),
        None => false,
    }
}

fn attribute_keeps(data: &Dataset, filter: &AttributeFilter, i: usize) -> bool {
    match filter {
        AttributeFilter::Values { values, .. } if values.is_empty() => true,
        AttributeFilter::Values { column, values } => {
            match data.attribute(column).map(|a| &a.values) {
                Some(AttrValues::Categorical { levels, codes }) => codes
                    .get(i)
                    .copied()
                    .flatten()
                    .and_then(|c| levels.get(c as usize))
                    .is_some_and(|t| values.contains(t)),
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

/// Everything needed about the members, in customer order.
struct Members {
    indices: Vec<usize>,
    segment_of: Option<Vec<Option<usize>>>,
    names: HashMap<usize, String>,
    risk: Option<Vec<Option<f64>>>,
    value: Vec<Option<f64>>,
    value_source: ValueSource,
    notes: Vec<String>,
    description: String,
    consent: Option<String>,
}

fn select(
    db: &Database,
    data: &Dataset,
    filters: &AudienceFilters,
    progress: &dyn Progress,
) -> Result<Members> {
    progress.report(0.1, "Reading the stored segments, churn scores and values");
    let mut notes = Vec::new();
    let mut words = Vec::new();
    let segments = latest_segments(db, data)?;
    let names: HashMap<usize, String> = segment_list(db)?
        .map(|l| l.segments.into_iter().map(|s| (s.id, s.name)).collect())
        .unwrap_or_default();
    let segment_of = segments.map(|(_, of)| of);
    if !filters.segments.is_empty() {
        if segment_of.is_none() {
            notes.push("No segmentation is stored: the segment filter is ignored.".to_string());
        } else {
            let list: Vec<String> = filters
                .segments
                .iter()
                .map(|s| {
                    names
                        .get(s)
                        .cloned()
                        .unwrap_or_else(|| format!("segment {s}"))
                })
                .collect();
            words.push(format!("segments: {}", list.join(", ")));
        }
    }
    let risk = latest_churn_scores(db, data)?.map(|c| c.probability);
    if let Some((lo, hi)) = filters.risk {
        if risk.is_none() {
            notes.push("No churn run is stored: the churn-risk range is ignored.".to_string());
        } else {
            words.push(format!("churn risk {lo:.2}–{hi:.2}"));
        }
    }
    let consent = consent_column(
        &data
            .attributes
            .iter()
            .map(|a| a.name.clone())
            .collect::<Vec<_>>(),
    );
    if filters.consent_only {
        match &consent {
            Some(c) => words.push(format!("consent ({c})")),
            None => notes.push(
                "The customers table has no consent column: no one is left out for consent."
                    .to_string(),
            ),
        }
    }
    match &filters.attribute {
        Some(AttributeFilter::Values { values, .. }) if values.is_empty() => {}
        Some(AttributeFilter::Values { column, values }) => {
            words.push(format!("{column} in {}", values.join(", ")))
        }
        Some(AttributeFilter::Range { column, min, max }) => {
            words.push(format!("{column} {min}–{max}"))
        }
        None => {}
    }
    // Value: the latest CLV run where stored, else past spend.
    let n = data.n_customers();
    let mut value = vec![None; n];
    let value_source = match latest_run(db, "clv")? {
        Some(run) => {
            for row in clv_values(db, run.run_id)? {
                if let (Some(i), Some(v)) = (data.customer_index(&row.customer_id), row.clv)
                    && let Some(slot) = value.get_mut(i)
                {
                    *slot = Some(v);
                }
            }
            ValueSource::Clv
        }
        None => {
            let t = &data.transactions;
            for (c, a) in t.customer.iter().zip(&t.amount) {
                if let Some(slot) = value.get_mut(*c as usize) {
                    *slot = Some(slot.unwrap_or(0.0) + a);
                }
            }
            ValueSource::PastSpend
        }
    };
    progress.check()?;
    let indices: Vec<usize> = (0..n)
        .filter(|&i| {
            let seg_ok = filters.segments.is_empty()
                || segment_of.as_ref().is_none_or(|of| {
                    of.get(i)
                        .copied()
                        .flatten()
                        .is_some_and(|s| filters.segments.contains(&s))
                });
            let risk_ok = match (filters.risk, &risk) {
                (Some((lo, hi)), Some(p)) => p
                    .get(i)
                    .copied()
                    .flatten()
                    .is_some_and(|x| x >= lo && x <= hi),
                _ => true,
            };
            let consent_ok = match (&consent, filters.consent_only) {
                (Some(c), true) => consented(data, c, i),
                _ => true,
            };
            let attr_ok = filters
                .attribute
                .as_ref()
                .is_none_or(|f| attribute_keeps(data, f, i));
            seg_ok && risk_ok && consent_ok && attr_ok
        })
        .collect();
    let description = if words.is_empty() {
        "every customer".to_string()
    } else {
        words.join("; ")
    };
    Ok(Members {
        indices,
        segment_of,
        names,
        risk,
        value,
        value_source,
        notes,
        description,
        consent,
    })
}

/// Each customer's top hybrid recommendation (name or id, strongest reason); empty without
/// fitted models.
fn offers(
    data: &Dataset,
    models: &Option<Recommender>,
    customers: &[usize],
    progress: &dyn Progress,
) -> Result<Vec<(Option<String>, Option<String>)>> {
    let Some(rec) = models.as_ref() else {
        return Ok(vec![(None, None); customers.len()]);
    };
    if customers.is_empty() {
        return Ok(Vec::new());
    }
    let request = RecRequest {
        method: RecMethod::Hybrid,
        top: 1,
        ..RecRequest::default()
    };
    let all = rec.recommend_many(data, customers, &request, progress)?;
    Ok(all
        .into_iter()
        .map(|r| match r.items.into_iter().next() {
            Some(item) => (
                Some(item.name.unwrap_or(item.product_id)),
                item.reasons.into_iter().next().map(|x| x.text),
            ),
            None => (None, None),
        })
        .collect())
}

/// Builds the audience: size, value, members per segment and a preview with offers.
fn build_audience(
    db: Option<&Database>,
    data: &mut Option<Dataset>,
    models: &mut Option<Recommender>,
    filters: &AudienceFilters,
    progress: &dyn Progress,
) -> Result<AudienceResult> {
    let db = db.ok_or_else(no_database)?;
    let data = load(db, data, progress)?;
    let m = select(db, data, filters, progress)?;
    let value: f64 = m
        .indices
        .iter()
        .filter_map(|&i| m.value.get(i).copied().flatten())
        .sum();
    let mut counts: HashMap<Option<usize>, usize> = HashMap::new();
    if let Some(of) = &m.segment_of {
        for &i in &m.indices {
            *counts.entry(of.get(i).copied().flatten()).or_default() += 1;
        }
    }
    let mut by_segment: Vec<(String, usize, usize)> = counts
        .into_iter()
        .filter_map(|(s, n)| {
            let s = s?;
            Some((
                m.names
                    .get(&s)
                    .cloned()
                    .unwrap_or_else(|| format!("Segment {s}")),
                s,
                n,
            ))
        })
        .collect();
    by_segment.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)));
    let head: Vec<usize> = m.indices.iter().take(PREVIEW_ROWS).copied().collect();
    progress.report(0.5, "Attaching offers");
    let offers = offers(data, models, &head, progress)?;
    let preview = head
        .iter()
        .zip(offers)
        .map(|(&i, (offer, reason))| PreviewRow {
            customer_id: data.customer_ids.get(i).cloned().unwrap_or_default(),
            segment: segment_name(&m, i),
            churn_risk: m.risk.as_ref().and_then(|r| r.get(i).copied().flatten()),
            value: m.value.get(i).copied().flatten(),
            offer,
            reason,
        })
        .collect();
    Ok(AudienceResult {
        filters: filters.clone(),
        size: m.indices.len(),
        customers: data.n_customers(),
        value,
        value_source: m.value_source,
        by_segment,
        preview,
        fairness: audit_audience(data, &m.indices),
        without_consent: m.consent.as_ref().map(|c| {
            let n = m
                .indices
                .iter()
                .filter(|&&i| !consented(data, c, i))
                .count();
            (c.clone(), n)
        }),
        notes: m.notes,
        description: m.description,
    })
}

fn segment_name(m: &Members, i: usize) -> Option<String> {
    let s = m.segment_of.as_ref()?.get(i).copied().flatten()?;
    Some(
        m.names
            .get(&s)
            .cloned()
            .unwrap_or_else(|| format!("Segment {s}")),
    )
}

/// The whole audience with its extra columns (segment, churn_risk, clv or past_spend, offer,
/// offer_reason), ready for [`export_audience`].
fn audience_for_export(
    db: &Database,
    data: &mut Option<Dataset>,
    models: &mut Option<Recommender>,
    filters: &AudienceFilters,
    progress: &dyn Progress,
) -> Result<Audience> {
    let data = load(db, data, progress)?;
    let m = select(db, data, filters, progress)?;
    progress.report(0.3, "Attaching offers");
    let offers = offers(data, models, &m.indices, progress)?;
    let num = |x: Option<f64>| x.map_or(Cell::Empty, Cell::Number);
    let text = |x: Option<String>| x.map_or(Cell::Empty, Cell::Text);
    let mut extra: Vec<(String, Vec<Cell>)> = Vec::new();
    if m.segment_of.is_some() {
        extra.push((
            "segment".to_string(),
            m.indices
                .iter()
                .map(|&i| text(segment_name(&m, i)))
                .collect(),
        ));
    }
    if let Some(r) = &m.risk {
        extra.push((
            "churn_risk".to_string(),
            m.indices
                .iter()
                .map(|&i| num(r.get(i).copied().flatten()))
                .collect(),
        ));
    }
    extra.push((
        match m.value_source {
            ValueSource::Clv => "clv",
            ValueSource::PastSpend => "past_spend",
        }
        .to_string(),
        m.indices
            .iter()
            .map(|&i| num(m.value.get(i).copied().flatten()))
            .collect(),
    ));
    if models.is_some() {
        let (o, r): (Vec<Cell>, Vec<Cell>) =
            offers.into_iter().map(|(o, r)| (text(o), text(r))).unzip();
        extra.push(("offer".to_string(), o));
        extra.push(("offer_reason".to_string(), r));
    }
    Ok(Audience {
        customer_ids: m
            .indices
            .iter()
            .map(|&i| data.customer_ids.get(i).cloned().unwrap_or_default())
            .collect(),
        extra,
        filters: m.description,
        not_personal: Vec::new(),
    })
}

impl Workspace {
    /// Fits the recommendation models for the offers when the database has transactions; without
    /// them, or when they cannot be fitted, no offers are attached. Offers never use protected
    /// columns: models fitted with them are fitted again with the defaults.
    fn fit_for_offers(&mut self, progress: &dyn Progress) -> Result<()> {
        if !self.db()?.has_table(TableKind::Transactions) {
            return Ok(());
        }
        match self.fitted(&RecOptions::default(), progress) {
            Err(Error::Cancelled) => Err(Error::Cancelled),
            _ => Ok(()),
        }
    }

    /// What the Campaigns panel's filter builder can offer.
    pub fn campaign_choices(&mut self, progress: &dyn Progress) -> Result<CampaignChoices> {
        campaign_choices(self.db.as_ref(), &mut self.dataset, progress)
    }

    /// A campaign audience: size, value, members per segment and a preview with offers.
    pub fn build_audience(
        &mut self,
        filters: &AudienceFilters,
        progress: &dyn Progress,
    ) -> Result<AudienceResult> {
        self.fit_for_offers(progress)?;
        build_audience(
            self.db.as_ref(),
            &mut self.dataset,
            &mut self.recommender,
            filters,
            progress,
        )
    }

    /// The whole audience with its extra columns (segment, churn_risk, clv or past_spend,
    /// offer, offer_reason), ready for the privacy guard.
    pub fn campaign_audience(
        &mut self,
        filters: &AudienceFilters,
        progress: &dyn Progress,
    ) -> Result<Audience> {
        self.fit_for_offers(progress)?;
        let db = self.db.as_ref().ok_or_else(no_database)?;
        audience_for_export(
            db,
            &mut self.dataset,
            &mut self.recommender,
            filters,
            progress,
        )
    }
}

#[cfg(test)]
mod tests;
