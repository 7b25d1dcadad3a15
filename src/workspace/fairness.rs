//! Fairness audits: what can be audited, one audit (the same for `tailor audit` and the panel),
//! the threshold moved, and the what-if that retrains the churn model without one proxy feature.
//!
//! The workspace keeps a [`FairnessCache`] beside the loaded [`Dataset`]: the protected column's
//! groups and proxies, the latest churn run's scores, the latest segmentation and every
//! customer's recommended items. Moving the threshold then only reselects and recounts, in
//! milliseconds. The cache is dropped with the dataset; the stored runs are checked (one small
//! query) on every audit, so a churn run stored meanwhile is picked up.

use crate::data::dataset::Dataset;
use crate::data::db::Database;
use crate::data::roles::Role;
use crate::data::runs::latest_run;
use crate::data::runs::{ChurnScores, latest_churn_scores, latest_segments};
use crate::error::{Error, Result};
use crate::models::churn::run::ChurnParams;
use crate::models::fairness::audit::{AuditOptions, rates};
use crate::models::fairness::decision::{Decision, label_column, top_fraction};
use crate::models::fairness::groups::{Groups, groups_named};
use crate::models::fairness::proxy::{Proxy, proxies};
use crate::models::fairness::report::{AuditReport, build_with_proxies, exposure};
use crate::models::recommend::{RecOptions, RecRequest};
use crate::progress::Progress;
use crate::workspace::{Workspace, no_database};

/// Items per customer that count as "shown" for a recommendation decision (as `tailor audit`).
pub const RECS_SHOWN: usize = 5;

/// A column the audit can group by.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeChoice {
    /// The customers column.
    pub name: String,
    /// Whether its role is `protected`.
    pub protected: bool,
}

/// A segment of the latest segmentation run.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentChoice {
    /// Segment id.
    pub id: usize,
    /// Its name.
    pub name: String,
    /// Customers in it.
    pub size: usize,
}

/// What the open database lets the Fairness panel audit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FairnessChoices {
    /// Columns to group by: protected ones first, then the other customers columns.
    pub attributes: Vec<AttributeChoice>,
    /// The latest stored churn run, if any.
    pub churn_run: Option<i64>,
    /// Its mean cross-validated ROC AUC, when stored.
    pub churn_auc: Option<f64>,
    /// The latest segmentation run, if any.
    pub segment_run: Option<i64>,
    /// Its segments, largest first.
    pub segments: Vec<SegmentChoice>,
    /// Product categories (recommendation decisions), when products have them.
    pub categories: Vec<String>,
    /// Customers in the data.
    pub customers: usize,
}

/// The what-if: the churn model retrained without one feature.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIf {
    /// The feature left out.
    pub feature: String,
    /// The protected column.
    pub attribute: String,
    /// The decision audited.
    pub decision: Decision,
    /// Mean cross-validated ROC AUC of the stored run.
    pub auc_before: f64,
    /// The same without the feature.
    pub auc_after: f64,
    /// Disparate impact of the decision on the stored run's scores (over the compared groups,
    /// as the panel's headline).
    pub di_before: f64,
    /// The same on the retrained scores.
    pub di_after: f64,
    /// Per group: name, selection rate before, after.
    pub groups: Vec<(String, f64, f64)>,
}

/// What the worker keeps between audits (dropped with the dataset).
#[derive(Debug, Default)]
pub struct FairnessCache {
    /// The column grouped by, its groups and its proxies.
    column: Option<(Groups, Vec<Proxy>)>,
    /// The latest churn run's scores.
    churn: Option<ChurnScores>,
    /// The latest segmentation: run id and segment per customer.
    segments: Option<(i64, Vec<Option<usize>>)>,
    /// Every customer's recommended products.
    shown: Option<Vec<Vec<u32>>>,
    /// The label column (role `label`), read once.
    label: Option<Option<(String, Vec<Option<bool>>)>>,
}

fn summary_auc(summary: Option<&str>) -> Option<f64> {
    let v: serde_json::Value = serde_json::from_str(summary?).ok()?;
    v.get("auc")?.as_f64()
}

/// One audit: a decision by a column, with the bootstrap's resamples and seed.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditParams {
    /// The column grouped by.
    pub attribute: String,
    /// The decision.
    pub decision: Decision,
    /// Bootstrap resamples and seed.
    pub options: AuditOptions,
}

impl FairnessCache {
    /// The groups and proxies of `attribute` (computed once per column).
    fn column(&mut self, data: &Dataset, attribute: &str) -> Result<(&Groups, &[Proxy])> {
        if self
            .column
            .as_ref()
            .is_none_or(|(g, _)| !g.attribute.eq_ignore_ascii_case(attribute.trim()))
        {
            let groups = groups_named(data, attribute)?;
            let p = proxies(data, &groups);
            self.column = Some((groups, p));
        }
        let (g, p) = self.column.as_ref().ok_or_else(no_database)?;
        Ok((g, p))
    }

    /// The column [`FairnessCache::column`] filled.
    fn cached_column(&self) -> Result<(&Groups, &[Proxy])> {
        let (g, p) = self.column.as_ref().ok_or_else(no_database)?;
        Ok((g, p))
    }

    /// The latest churn run's scores, read again only when a newer run is stored.
    fn churn(&mut self, db: &Database, data: &Dataset) -> Result<&ChurnScores> {
        let latest = latest_run(db, "churn")?.map(|r| r.run_id);
        if latest.is_none() {
            self.churn = None;
            return Err(no_churn_run(db));
        }
        if self.churn.as_ref().map(|c| c.run_id) != latest {
            self.churn = latest_churn_scores(db, data)?;
        }
        self.churn.as_ref().ok_or_else(|| no_churn_run(db))
    }

    /// The latest segmentation's memberships, read again only when a newer run is stored.
    fn segments(&mut self, db: &Database, data: &Dataset) -> Result<&(i64, Vec<Option<usize>>)> {
        let latest = latest_run(db, "segment")?.map(|r| r.run_id);
        if latest.is_none() || self.segments.as_ref().map(|x| x.0) != latest {
            self.segments = latest_segments(db, data)?;
        }
        self.segments.as_ref().ok_or_else(|| {
            Error::Invalid(format!(
                "no segmentation is stored in {}: run `tailor segment` (or Segments in the window) first",
                db.path().display()
            ))
        })
    }
}

fn no_churn_run(db: &Database) -> Error {
    Error::Invalid(format!(
        "no churn run is stored in {}: run `tailor churn` (or Churn & value in the window) first",
        db.path().display()
    ))
}

/// Who a churn decision selects, on `probability`.
fn churn_selection(decision: &Decision, probability: &[Option<f64>], ids: &[String]) -> Vec<bool> {
    match decision {
        Decision::ChurnTop(f) => top_fraction(probability, ids, *f),
        Decision::ChurnAbove(t) => probability
            .iter()
            .map(|p| p.is_some_and(|p| p >= *t))
            .collect(),
        _ => vec![false; probability.len()],
    }
}

/// The index of product category `name` (any case), or an error listing the categories.
fn category_of(data: &Dataset, name: &str) -> Result<u32> {
    let cats = &data.products.categories;
    match cats.iter().position(|c| c.eq_ignore_ascii_case(name)) {
        Some(cat) => Ok(cat as u32),
        None => Err(Error::Invalid(if cats.is_empty() {
            "products have no categories: a recs: decision needs a category column".to_string()
        } else {
            format!(
                "no product category {name} (categories: {})",
                cats.join(", ")
            )
        })),
    }
}

/// Whether each customer was shown a product of category `cat`.
fn shown_category(data: &Dataset, shown: &[Vec<u32>], cat: u32) -> Vec<bool> {
    shown
        .iter()
        .map(|items| {
            items
                .iter()
                .any(|p| data.products.category.get(*p as usize).copied().flatten() == Some(cat))
        })
        .collect()
}

impl Workspace {
    /// Lists what can be audited in the open database.
    pub fn fairness_choices(&mut self, progress: &dyn Progress) -> Result<FairnessChoices> {
        let (db, data) = self.loaded(progress)?;
        let mut attributes: Vec<AttributeChoice> = data
            .attributes
            .iter()
            .filter(|a| !matches!(a.role, Role::Key | Role::Pii))
            .map(|a| AttributeChoice {
                name: a.name.clone(),
                protected: a.role == Role::Protected,
            })
            .collect();
        attributes.sort_by_key(|a| !a.protected);
        let churn = latest_run(db, "churn")?;
        let segments = self.stored_segments()?;
        let data = self.dataset.as_ref().ok_or_else(no_database)?;
        Ok(FairnessChoices {
            attributes,
            churn_run: churn.as_ref().map(|r| r.run_id),
            churn_auc: churn.and_then(|r| summary_auc(r.summary_json.as_deref())),
            segment_run: segments.as_ref().map(|s| s.run_id),
            segments: segments
                .map(|s| {
                    s.segments
                        .into_iter()
                        .map(|e| SegmentChoice {
                            id: e.id,
                            name: e.name,
                            size: e.size,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            categories: data.products.categories.clone(),
            customers: data.n_customers(),
        })
    }

    /// Audits a decision by a column: reads the latest stored churn or segmentation run as the
    /// decision needs, or every customer's top [`RECS_SHOWN`] hybrid recommendations from
    /// models fitted with the defaults (what campaigns send) for a recommended category. What
    /// does not depend on the decision is cached, so a threshold move only recounts.
    pub fn audit(&mut self, params: &AuditParams, progress: &dyn Progress) -> Result<AuditReport> {
        let report = self.audit_report(params, progress)?;
        let flags = match report.flags.len() {
            0 => "no flags".to_string(),
            n => crate::format::count(n as u64, "flag", "flags"),
        };
        self.latest_audit = Some(format!(
            "By {}: the least-selected group's rate is {} of the most-selected group's ({flags})",
            report.attribute,
            crate::format::percent(report.compared_disparate_impact)
        ));
        Ok(report)
    }

    fn audit_report(
        &mut self,
        params: &AuditParams,
        progress: &dyn Progress,
    ) -> Result<AuditReport> {
        let AuditParams {
            attribute,
            decision,
            options,
        } = params;
        let category = if let Decision::RecsCategory(name) = decision {
            let category = category_of(self.dataset(progress)?, name)?;
            if self.fairness.shown.is_none() {
                let request = RecRequest {
                    top: RECS_SHOWN,
                    ..RecRequest::default()
                };
                self.fairness.shown =
                    Some(self.top_products_everyone(&request, &RecOptions::default(), progress)?);
            }
            category
        } else {
            0
        };
        let parts = self.parts(progress)?;
        let (db, data, cache) = (parts.db, parts.data, parts.fairness);
        cache.column(data, attribute)?;
        if cache.label.is_none() {
            cache.label = Some(label_column(data));
        }
        let label = cache.label.clone().flatten();
        let outcome = label.as_ref().map(|(n, v)| (n.as_str(), v.as_slice()));
        let n = data.n_customers();
        let (selected, in_scope, churn_label) = match decision {
            Decision::ChurnTop(_) | Decision::ChurnAbove(_) => {
                let scores = cache.churn(db, data)?;
                let selected = churn_selection(decision, &scores.probability, &data.customer_ids);
                let in_scope: Vec<bool> = scores.probability.iter().map(Option::is_some).collect();
                let name = format!("churn run {}", scores.run_id);
                (selected, in_scope, Some((name, scores.label.clone())))
            }
            Decision::Segment(s) => {
                let (run_id, of) = cache.segments(db, data)?;
                if !of.contains(&Some(*s)) {
                    let mut ids: Vec<usize> = of.iter().flatten().copied().collect();
                    ids.sort_unstable();
                    ids.dedup();
                    return Err(Error::Invalid(format!(
                        "segmentation run {run_id} has no segment {s} (segments: {})",
                        ids.iter()
                            .map(usize::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
                let selected: Vec<bool> = of.iter().map(|x| *x == Some(*s)).collect();
                let in_scope: Vec<bool> = of.iter().map(Option::is_some).collect();
                (selected, in_scope, None)
            }
            Decision::RecsCategory(_) => {
                let shown = cache.shown.as_deref().unwrap_or(&[]);
                (shown_category(data, shown, category), vec![true; n], None)
            }
        };
        let outcome = match &churn_label {
            Some((name, truth)) => Some((name.as_str(), truth.as_slice())),
            None => outcome,
        };
        let cache = &*cache;
        let (groups, proxies) = cache.cached_column()?;
        let mut report = build_with_proxies(
            groups,
            decision.clone(),
            &selected,
            &in_scope,
            outcome,
            options,
            proxies.to_vec(),
        );
        if let (Decision::RecsCategory(_), Some(rec), Some(shown)) =
            (decision, parts.recommender, cache.shown.as_deref())
        {
            report.exposure = exposure(data, groups, shown, &rec.interactions);
        }
        Ok(report)
    }

    /// Retrains the churn model of the latest stored run without `feature` (nothing is stored)
    /// and audits `decision` by `attribute` on both sets of scores.
    pub fn what_if(
        &mut self,
        attribute: &str,
        decision: &Decision,
        feature: &str,
        progress: &dyn Progress,
    ) -> Result<WhatIf> {
        if !matches!(decision, Decision::ChurnTop(_) | Decision::ChurnAbove(_)) {
            return Err(Error::Invalid(
                "the what-if retrains the churn model: pick a churn decision first".to_string(),
            ));
        }
        let parts = self.parts(progress)?;
        let (db, data, cache) = (parts.db, parts.data, parts.fairness);
        let (params, stored_auc) = stored_params(db)?;
        let before = cache.churn(db, data)?.clone();
        let auc_before = match stored_auc {
            Some(a) => a,
            None => {
                crate::models::churn::run::run(data, &params, progress)?
                    .metrics
                    .auc
            }
        };
        let mut without = params.clone();
        without.features.exclude.push(feature.trim().to_string());
        let after = crate::models::churn::run::run(data, &without, progress)?;
        let mut probability = vec![None; data.n_customers()];
        for c in after.scored() {
            if let Some(slot) = data
                .customer_index(c.customer_id)
                .and_then(|i| probability.get_mut(i))
            {
                *slot = Some(c.probability);
            }
        }
        let (groups, _) = cache.column(data, attribute)?;
        let options = AuditOptions {
            bootstrap: 0,
            ..AuditOptions::default()
        };
        let audit_of = |p: &[Option<f64>]| {
            let selected = churn_selection(decision, p, &data.customer_ids);
            let of: Vec<Option<u32>> = groups
                .of
                .iter()
                .zip(p)
                .map(|(g, p)| if p.is_some() { *g } else { None })
                .collect();
            rates(&selected, None, &of, &groups.names, &options)
        };
        let r0 = audit_of(&before.probability);
        let r1 = audit_of(&probability);
        let groups = r0
            .groups
            .iter()
            .map(|g| {
                let after = r1
                    .groups
                    .iter()
                    .find(|h| h.group == g.group)
                    .map_or(f64::NAN, |h| h.selection_rate);
                (g.group.clone(), g.selection_rate, after)
            })
            .collect();
        Ok(WhatIf {
            feature: feature.trim().to_string(),
            attribute: attribute.to_string(),
            decision: decision.clone(),
            auc_before,
            auc_after: after.metrics.auc,
            di_before: r0.compared_disparate_impact,
            di_after: r1.compared_disparate_impact,
            groups,
        })
    }

    /// Runs the churn model with the default parameters and stores the run; its id.
    pub fn churn_with_defaults(&mut self, progress: &dyn Progress) -> Result<i64> {
        let db = self.db()?;
        if db.is_read_only() {
            return Err(Error::Invalid(format!(
                "{} is read-only: the churn run could not be stored",
                db.path().display()
            )));
        }
        let outcome = self.store_churn_run(&ChurnParams::default(), progress)?;
        match outcome.run_id {
            Some(id) => Ok(id),
            None => Err(no_churn_run(self.db()?)),
        }
    }
}

/// The parameters of the latest stored churn run; an error when they cannot be read (the
/// what-if would otherwise compare against a different model).
fn stored_params(db: &Database) -> Result<(ChurnParams, Option<f64>)> {
    let run = latest_run(db, "churn")?.ok_or_else(|| no_churn_run(db))?;
    let params = serde_json::from_str(&run.params_json).map_err(|e| {
        Error::Invalid(format!(
            "the settings of churn run {} could not be read ({e}): run the churn model again in Churn & value: {}",
            run.run_id,
            db.path().display()
        ))
    })?;
    Ok((params, summary_auc(run.summary_json.as_deref())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::churn::label::Label;
    use crate::progress::NoProgress;

    /// A copy of the bundled sample with a stored churn run (inactive for 90 days).
    fn sample_with_churn(dir: &std::path::Path) -> Workspace {
        let bundled =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_db/demo.sqlite");
        let path = dir.join("demo.sqlite");
        std::fs::copy(bundled, &path).unwrap();
        let mut ws = Workspace::open(&path).unwrap();
        let params = ChurnParams {
            label: Label::Inactive {
                days: 90,
                cutoff: None,
            },
            ..ChurnParams::default()
        };
        ws.churn(&params, &NoProgress).unwrap();
        ws
    }

    fn audit_of(attribute: &str, decision: Decision) -> AuditParams {
        AuditParams {
            attribute: attribute.to_string(),
            decision,
            options: AuditOptions::default(),
        }
    }

    #[test]
    fn choices_list_protected_columns_first_and_the_churn_run() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = sample_with_churn(dir.path());
        let c = ws.fairness_choices(&NoProgress).unwrap();
        assert!(c.churn_run.is_some());
        assert!(c.churn_auc.is_some_and(|a| a > 0.5), "{c:?}");
        assert!(c.attributes.first().is_some_and(|a| a.protected), "{c:?}");
        assert!(c.attributes.iter().any(|a| a.name == "gender"));
        assert!(
            !c.attributes.iter().any(|a| a.name == "email"),
            "PII left out"
        );
        assert!(c.segments.is_empty());
        assert_eq!(c.customers, 5000);
    }

    #[test]
    fn threshold_moves_match_a_fresh_audit_and_are_fast() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = sample_with_churn(dir.path());
        let first = ws
            .audit(&audit_of("gender", Decision::ChurnTop(0.2)), &NoProgress)
            .unwrap();
        // The same audit in a new workspace (nothing cached) is the same report.
        let mut fresh = Workspace::open(ws.db().unwrap().path()).unwrap();
        let want = fresh
            .audit(&audit_of("gender", Decision::ChurnTop(0.2)), &NoProgress)
            .unwrap();
        assert_eq!(first, want);
        // Moving the threshold reuses the cache: a few milliseconds.
        let started = std::time::Instant::now();
        for k in 1..=20 {
            let f = f64::from(k) / 20.0;
            let r = ws
                .audit(&audit_of("gender", Decision::ChurnAbove(f)), &NoProgress)
                .unwrap();
            assert_eq!(r.decision, Decision::ChurnAbove(f));
        }
        let per = started.elapsed() / 20;
        assert!(per < std::time::Duration::from_millis(50), "{per:?}");
        // A column that does not exist fails with its name.
        let e = ws
            .audit(&audit_of("shoe_size", Decision::ChurnTop(0.2)), &NoProgress)
            .unwrap_err();
        assert!(e.to_string().contains("shoe_size"), "{e}");
    }

    #[test]
    fn what_if_retrains_without_the_feature() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = sample_with_churn(dir.path());
        let report = ws
            .audit(&audit_of("gender", Decision::ChurnTop(0.2)), &NoProgress)
            .unwrap();
        let feature = report.proxies[0].feature.clone();
        let w = ws
            .what_if("gender", &Decision::ChurnTop(0.2), &feature, &NoProgress)
            .unwrap();
        assert!(
            (w.di_before - report.compared_disparate_impact).abs() < 1e-12,
            "{w:?}"
        );
        assert!(w.auc_after > 0.4 && w.auc_after < 1.0, "{w:?}");
        assert_eq!(w.groups.len(), report.groups.len());
        // Not for a segment decision.
        let e = ws
            .what_if("gender", &Decision::Segment(0), &feature, &NoProgress)
            .unwrap_err();
        assert!(e.to_string().contains("churn decision"), "{e}");
    }

    #[test]
    fn what_if_with_unreadable_stored_settings_fails_instead_of_using_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = sample_with_churn(dir.path());
        let conn = rusqlite::Connection::open(ws.db().unwrap().path()).unwrap();
        conn.execute(
            "UPDATE tailor_runs SET params_json = '{\"model\": \"quantum\"}' WHERE kind = 'churn'",
            [],
        )
        .unwrap();
        drop(conn);
        let e = ws
            .what_if("gender", &Decision::ChurnTop(0.2), "region", &NoProgress)
            .unwrap_err()
            .to_string();
        assert!(e.contains("settings of churn run"), "{e}");
        assert!(e.contains("demo.sqlite") && !e.contains('\n'), "{e}");
    }

    #[test]
    fn no_churn_run_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let bundled =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_db/demo.sqlite");
        let path = dir.path().join("demo.sqlite");
        std::fs::copy(bundled, &path).unwrap();
        let mut ws = Workspace::open(&path).unwrap();
        let c = ws.fairness_choices(&NoProgress).unwrap();
        assert_eq!(c.churn_run, None);
        let e = ws
            .audit(&audit_of("gender", Decision::ChurnTop(0.2)), &NoProgress)
            .unwrap_err();
        assert!(e.to_string().contains("no churn run"), "{e}");
        let run = ws.churn_with_defaults(&NoProgress).unwrap();
        let c = ws.fairness_choices(&NoProgress).unwrap();
        assert_eq!(c.churn_run, Some(run));
    }
}
