//! Campaign audiences: the glue between the database and the campaign rules of
//! [`crate::models::campaign`]. It reads what the rules need (the latest stored segmentation,
//! churn and lifetime-value runs, the consent column), fits the recommendation models for offers
//! once (cached in the workspace), and hands the audience to the one privacy guard.
//!
//! The Campaigns panel and `tailor campaign` both call [`Workspace::build_audience`] and export
//! through [`ExportSpec::Campaign`](crate::workspace::export::ExportSpec), so the same filters
//! give the same audience in the window and on the command line.

use crate::data::TableKind;
use crate::data::dataset::Dataset;
use crate::data::db::Database;
use crate::data::runs::{clv_values, latest_churn_scores, latest_run, latest_segments};
use crate::error::{Error, Result};
use crate::export::audience::{Audience, consent_column};
use crate::models::campaign::columns::audience_columns;
use crate::models::campaign::offers::offers;
use crate::models::campaign::{
    AudienceInputs, Selection, attribute_choices, audience_result, select, where_filters,
};
use crate::models::recommend::RecOptions;
use crate::progress::Progress;
use crate::workspace::fairness::SegmentChoice;
use crate::workspace::recommend::segment_list;
use crate::workspace::{Parts, Workspace};

pub use crate::models::campaign::{
    AttributeChoice, AttributeFilter, AudienceAudit, AudienceFilters, AudienceResult, MAX_LEVELS,
    PREVIEW_ROWS, PreviewRow, ValueSource,
};

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

/// An audience asked for: who, and whether each member gets an offer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AudienceRequest {
    /// Who is in it.
    pub filters: AudienceFilters,
    /// Attach each member's offer (their top hybrid recommendation, never blank).
    pub offers: bool,
}

/// Filters as the command line gives them, before they are checked against the database.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FilterArgs {
    /// Segment ids of the latest segmentation (any of them).
    pub segments: Vec<usize>,
    /// Lowest churn probability kept (0–1, inclusive).
    pub churn_min: Option<f64>,
    /// Highest churn probability kept (0–1, inclusive).
    pub churn_max: Option<f64>,
    /// Only customers who gave consent.
    pub consent_only: bool,
    /// `COLUMN=VALUE` pairs.
    pub wheres: Vec<(String, String)>,
}

/// The churn-risk range asked for, checked: probabilities in 0–1, min ≤ max.
fn risk_range(min: Option<f64>, max: Option<f64>) -> Result<Option<(f64, f64)>> {
    if min.is_none() && max.is_none() {
        return Ok(None);
    }
    for (flag, p) in [("--churn-min", min), ("--churn-max", max)] {
        if let Some(p) = p
            && !(0.0..=1.0).contains(&p)
        {
            return Err(Error::Invalid(format!(
                "{flag} must be a probability between 0 and 1, got {p}"
            )));
        }
    }
    let (lo, hi) = (min.unwrap_or(0.0), max.unwrap_or(1.0));
    if lo > hi {
        return Err(Error::Invalid(format!(
            "--churn-min {lo} is above --churn-max {hi}"
        )));
    }
    Ok(Some((lo, hi)))
}

/// The customers table's consent column among the loaded attributes.
fn consent_of(data: &Dataset) -> Option<String> {
    let names: Vec<String> = data.attributes.iter().map(|a| a.name.clone()).collect();
    consent_column(&names)
}

/// Whether offers can be made: the database has transactions.
fn has_offers(data: &Dataset) -> bool {
    data.has_transactions && !data.transactions.is_empty()
}

/// Reads what the campaign rules need from the database, aligned with `data`: the latest
/// segmentation and its segment names, the latest churn run's probabilities, the latest
/// lifetime-value run's values, and the consent column.
fn audience_inputs(db: &Database, data: &Dataset) -> Result<AudienceInputs> {
    let segment_names = segment_list(db)?
        .map(|l| l.segments.into_iter().map(|s| (s.id, s.name)).collect())
        .unwrap_or_default();
    let clv = match latest_run(db, "clv")? {
        Some(run) => {
            let mut value = vec![None; data.n_customers()];
            for row in clv_values(db, run.run_id)? {
                if let (Some(i), Some(v)) = (data.customer_index(&row.customer_id), row.clv)
                    && let Some(slot) = value.get_mut(i)
                {
                    *slot = Some(v);
                }
            }
            Some(value)
        }
        None => None,
    };
    Ok(AudienceInputs {
        segment_of: latest_segments(db, data)?.map(|(_, of)| of),
        segment_names,
        churn: latest_churn_scores(db, data)?.map(|c| c.probability),
        clv,
        consent: consent_of(data),
    })
}

/// The stored decisions and the audience they select for `filters`.
fn selected(
    parts: &Parts<'_>,
    filters: &AudienceFilters,
    progress: &dyn Progress,
) -> Result<(AudienceInputs, Selection)> {
    progress.report(0.1, "Reading the stored segments, churn scores and values");
    let inputs = audience_inputs(parts.db, parts.data)?;
    progress.check()?;
    let selection = select(parts.data, &inputs, filters);
    Ok((inputs, selection))
}

impl Workspace {
    /// Fits the recommendation models for offers (with the defaults: offers never use protected
    /// columns, so models fitted with them are fitted again). An error when the database has no
    /// transactions to recommend from.
    fn fit_for_offers(&mut self, progress: &dyn Progress) -> Result<()> {
        let db = self.db()?;
        let path = db.path().display().to_string();
        if !db.has_table(TableKind::Transactions) || !has_offers(self.dataset(progress)?) {
            return Err(Error::Invalid(format!(
                "offers need transactions to recommend from, and the database has none: {path}"
            )));
        }
        self.fitted(&RecOptions::default(), progress).map(|_| ())
    }

    /// What the Campaigns panel's filter builder can offer.
    pub fn campaign_choices(&mut self, progress: &dyn Progress) -> Result<CampaignChoices> {
        self.db()?.require(TableKind::Customers, "campaigns")?;
        let (db, data) = self.loaded(progress)?;
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
        Ok(CampaignChoices {
            customers: data.n_customers(),
            segments,
            churn_run: latest_churn_scores(db, data)?.map(|c| c.run_id),
            clv_run: latest_run(db, "clv")?.map(|r| r.run_id),
            consent_column: consent_of(data),
            attributes: attribute_choices(data),
            has_offers: has_offers(data),
        })
    }

    /// Filters from the command line, checked against what the database holds: a churn range
    /// in 0–1, a stored segmentation with those segments, a stored churn run, a consent column,
    /// attribute columns that exist and hold no personal data. Each failure is an error naming
    /// what is missing (the panel only offers what exists, so it never needs this).
    pub fn campaign_filters(
        &mut self,
        args: &FilterArgs,
        progress: &dyn Progress,
    ) -> Result<AudienceFilters> {
        let risk = risk_range(args.churn_min, args.churn_max)?;
        self.db()?.require(TableKind::Customers, "campaigns")?;
        let (db, data) = self.loaded(progress)?;
        let inputs = audience_inputs(db, data)?;
        let path = db.path().display();
        if !args.segments.is_empty() {
            let Some(of) = &inputs.segment_of else {
                return Err(Error::Invalid(format!(
                    "no segmentation is stored in {path}: run `tailor segment` (or Segments in the window) first"
                )));
            };
            for s in &args.segments {
                if !inputs.segment_names.contains_key(s) && !of.contains(&Some(*s)) {
                    let mut ids: Vec<usize> = inputs.segment_names.keys().copied().collect();
                    ids.sort_unstable();
                    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
                    return Err(Error::Invalid(format!(
                        "the latest segmentation has no segment {s} (segments: {})",
                        ids.join(", ")
                    )));
                }
            }
        }
        if risk.is_some() && inputs.churn.is_none() {
            return Err(Error::Invalid(format!(
                "no churn run is stored in {path}: run `tailor churn` (or Churn & value in the window) first"
            )));
        }
        if args.consent_only && inputs.consent.is_none() {
            return Err(Error::Invalid(format!(
                "the customers table has no consent column (consent, opt_in…), so --consent-only cannot apply: {path}"
            )));
        }
        let mut segments: Vec<usize> = Vec::new();
        for s in &args.segments {
            if !segments.contains(s) {
                segments.push(*s);
            }
        }
        Ok(AudienceFilters {
            segments,
            risk,
            consent_only: args.consent_only,
            attribute: None,
            more_attributes: where_filters(data, &args.wheres)?,
        })
    }

    /// A campaign audience: size, value, members per segment, fairness, consent and a preview
    /// of its first members, with their offers when asked. When the models for the offers cannot
    /// be fitted, the preview goes without them and a note says why.
    pub fn build_audience(
        &mut self,
        request: &AudienceRequest,
        progress: &dyn Progress,
    ) -> Result<AudienceResult> {
        let unfitted = match request.offers.then(|| self.fit_for_offers(progress)) {
            Some(Err(Error::Cancelled)) => return Err(Error::Cancelled),
            Some(Err(e)) => Some(format!("No offers are shown: {e}")),
            _ => None,
        };
        let parts = self.parts(progress)?;
        let (inputs, selection) = selected(&parts, &request.filters, progress)?;
        let head: Vec<usize> = selection
            .members
            .iter()
            .take(PREVIEW_ROWS)
            .copied()
            .collect();
        let offers = match parts.recommender {
            Some(rec) if request.offers && unfitted.is_none() => {
                progress.report(0.5, "Attaching offers");
                offers(parts.data, Some(rec), &head, true, progress)?
            }
            _ => Vec::new(),
        };
        let mut result = audience_result(parts.data, &inputs, &request.filters, selection, offers);
        result.notes.extend(unfitted);
        Ok(result)
    }

    /// The whole audience with its extra columns (segment, churn_risk, clv or past_spend, and
    /// offer and offer_reason when asked), ready for the privacy guard.
    pub fn campaign_audience(
        &mut self,
        request: &AudienceRequest,
        progress: &dyn Progress,
    ) -> Result<Audience> {
        if request.offers {
            self.fit_for_offers(progress)?;
        }
        let parts = self.parts(progress)?;
        let (inputs, selection) = selected(&parts, &request.filters, progress)?;
        let offers = match parts.recommender {
            Some(rec) if request.offers => {
                progress.report(0.3, "Attaching offers");
                Some(offers(
                    parts.data,
                    Some(rec),
                    &selection.members,
                    true,
                    progress,
                )?)
            }
            _ => None,
        };
        Ok(audience_columns(parts.data, &inputs, selection, offers))
    }
}

#[cfg(test)]
mod tests;
