//! The report to leave behind: one self-contained HTML file (styles and charts inline, no
//! script, nothing fetched) with the overview, the segments and their profiles, the
//! recommendations' quality, churn with its backtest and reasons, lifetime value, the fairness
//! audit with its flags and the latest campaign audience, from the latest stored runs. It holds
//! no personal data: no customer id, name or contact, only counts, shares and group names.

mod html;

use std::path::Path;

use serde_json::Value;

use super::Workspace;
use crate::data::runs;
use crate::error::{Error, Result};
use crate::format::{count, percent, thousands};
use crate::models::fairness::audit::AuditOptions;
use crate::models::fairness::decision::Decision;
use crate::models::recommend::methods::RecMethod;
use crate::models::segment::run::{SegmentShare, segments_headline};
use crate::money::Money;
use crate::progress::Progress;
use crate::workspace::fairness::AuditParams;
use crate::workspace::overview::Overview;

pub use html::render;

/// Protected columns audited in the report.
pub const AUDITED_COLUMNS: usize = 3;

/// The share of churn scores the report's audit selects: the riskiest fifth.
pub const AUDIT_TOP: f64 = 0.2;

/// A table: column titles and rows of cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Column titles.
    pub titles: Vec<String>,
    /// Rows, as many cells as titles.
    pub rows: Vec<Vec<String>>,
}

/// A bar chart: (label, value) with how values are written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bars {
    /// The chart's title.
    pub title: String,
    /// Labels and values, in order.
    pub bars: Vec<(String, f64)>,
    /// The values as written on the bars.
    pub shown: Vec<String>,
}

/// One section: its heading, headline, sentences, charts and tables (`None` headline: not run
/// yet, said in `lines`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Section {
    /// The heading.
    pub heading: String,
    /// One sentence a stakeholder reads first.
    pub headline: Option<String>,
    /// Further sentences.
    pub lines: Vec<String>,
    /// Charts.
    pub charts: Vec<Bars>,
    /// Tables.
    pub tables: Vec<Table>,
}

/// Everything the report says.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The database's file name (never its folder).
    pub database: String,
    /// When the report was made (UTC).
    pub made: String,
    /// The figures at the top.
    pub overview: Overview,
    /// How amounts are written.
    pub money: Money,
    /// The sections, in the path's order.
    pub sections: Vec<Section>,
}

fn not_run(heading: &str, what: &str) -> Section {
    Section {
        heading: heading.to_string(),
        lines: vec![format!("Not run yet: {what}")],
        ..Section::default()
    }
}

/// A stored summary as JSON, or why it could not be read.
fn summary_of(run: &runs::StoredRun) -> Result<Value> {
    let text = run.summary_json.as_deref().unwrap_or("{}");
    serde_json::from_str(text).map_err(|e| {
        Error::Invalid(format!(
            "the stored {} run {} could not be read: {e}",
            run.kind, run.run_id
        ))
    })
}

/// The latest run of `kind` with its summary, or `Err(())` when there is none.
fn latest(
    db: &crate::data::Database,
    kind: &str,
) -> Result<std::result::Result<(runs::StoredRun, Value), ()>> {
    let Some(run) = runs::latest_run(db, kind)? else {
        return Ok(Err(()));
    };
    let summary = summary_of(&run)?;
    Ok(Ok((run, summary)))
}

fn num(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64)
}

impl Workspace {
    /// The report of the open database, from its latest stored runs.
    pub fn report(&mut self, progress: &dyn Progress) -> Result<Report> {
        let overview = self.overview(progress)?;
        let money = self.money()?;
        let database = crate::workspace::data::file_name(self.db()?.path());
        let mut sections = vec![
            self.segments_section(money)?,
            self.recommendations_section()?,
            self.churn_section()?,
            self.clv_section(money)?,
        ];
        progress.check()?;
        sections.push(self.fairness_section(progress)?);
        sections.push(self.campaign_section()?);
        Ok(Report {
            database,
            made: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            overview,
            money,
            sections,
        })
    }

    /// Writes the report to `path` (temporary name, then renamed); never over the database.
    pub fn write_report(&mut self, path: &Path, progress: &dyn Progress) -> Result<()> {
        let db_path = self.db()?.path().to_path_buf();
        crate::files::check_output("The report", path, Some(&db_path), &[])?;
        let report = self.report(progress)?;
        let html = render(&report);
        progress.check()?;
        crate::files::write_atomically(path, |w| {
            use std::io::Write;
            w.write_all(html.as_bytes()).map_err(Error::io(path))
        })
    }

    fn segments_section(&self, money: Money) -> Result<Section> {
        const HEADING: &str = "Segments";
        let db = self.db()?;
        let Some(stored) = runs::latest_segmentation(db)? else {
            return Ok(not_run(
                HEADING,
                "run a segmentation in the Segments panel.",
            ));
        };
        let run = runs::latest_run(db, "segment")?;
        let summary = match &run {
            Some(r) => summary_of(r)?,
            None => Value::Null,
        };
        let total: usize = stored.segments.iter().map(|s| s.size).sum();
        let of_summary = |id: usize| {
            summary
                .get("segments")
                .and_then(Value::as_array)
                .and_then(|a| {
                    a.iter()
                        .find(|s| s.get("id").and_then(Value::as_u64) == Some(id as u64))
                })
        };
        let mut rows = Vec::new();
        let mut bars = Vec::new();
        let mut shares = Vec::new();
        let mut has_revenue = false;
        for s in &stored.segments {
            let share = s.size as f64 / total.max(1) as f64;
            let entry = of_summary(s.id);
            let revenue = entry.and_then(|e| num(e, "revenue_share"));
            let profile = entry.and_then(|e| e.get("profile"));
            let figure = |key: &str, digits: usize| {
                profile
                    .and_then(|p| num(p, key))
                    .map_or_else(|| "–".to_string(), |v| format!("{v:.digits$}"))
            };
            rows.push(vec![
                s.name.clone(),
                thousands(s.size as u64),
                percent(share),
                revenue.map_or_else(|| "–".to_string(), crate::format::revenue_share),
                figure("recency_days", 0),
                figure("frequency", 1),
                profile
                    .and_then(|p| num(p, "monetary"))
                    .map_or_else(|| "–".to_string(), |v| money.cents(v)),
            ]);
            bars.push((s.name.clone(), s.size as f64));
            has_revenue |= revenue.is_some();
            shares.push(SegmentShare {
                name: &s.name,
                size: s.size,
                customer_share: share,
                revenue_share: revenue.unwrap_or(0.0),
            });
        }
        // Without revenue shares in the run's summary, the headline names the largest segment.
        let of = has_revenue.then_some("of revenue");
        let headline = segments_headline(&shares, of);
        let shown = bars.iter().map(|(_, v)| thousands(*v as u64)).collect();
        Ok(Section {
            heading: HEADING.to_string(),
            headline: Some(headline),
            lines: vec![format!(
                "The latest segmentation, made {}. Profiles are each segment's averages.",
                stored.created_at.get(..10).unwrap_or_default()
            )],
            charts: vec![Bars {
                title: "Customers by segment".to_string(),
                bars,
                shown,
            }],
            tables: vec![Table {
                titles: [
                    "Segment",
                    "Customers",
                    "Share of customers",
                    "Share of revenue",
                    "Days since last purchase",
                    "Purchases",
                    "Spend per customer",
                ]
                .map(str::to_string)
                .to_vec(),
                rows,
            }],
        })
    }

    fn recommendations_section(&self) -> Result<Section> {
        const HEADING: &str = "Recommendations";
        let Some(run) = runs::latest_run(self.db()?, "rec_tuning")? else {
            return Ok(not_run(
                HEADING,
                "open the Recommendations panel to fit and check them.",
            ));
        };
        let tuning: crate::models::recommend::tune::Tuning =
            serde_json::from_str(run.summary_json.as_deref().unwrap_or("{}")).map_err(|e| {
                Error::Invalid(format!(
                    "the stored recommendation tuning could not be read: {e}"
                ))
            })?;
        let k = crate::models::recommend::tune::TUNE_K;
        let mut rows: Vec<(RecMethod, f64)> = tuning
            .inner_hit_rates
            .iter()
            .map(|(m, hr)| (*m, *hr))
            .collect();
        rows.sort_by(|a, b| b.1.total_cmp(&a.1));
        let blend = tuning.inner_hit_rate(RecMethod::Hybrid).unwrap_or(0.0);
        let popular = tuning.inner_hit_rate(RecMethod::Popular);
        let mut headline = format!(
            "With one past purchase hidden from {} customers, Tailor's {k} suggestions held it \
             for {} of them",
            thousands(tuning.evaluated as u64),
            percent(blend)
        );
        if let Some(p) = popular {
            headline.push_str(&format!(", against {} for the best-sellers", percent(p)));
        }
        headline.push('.');
        Ok(Section {
            heading: HEADING.to_string(),
            headline: Some(headline),
            lines: vec![
                "Every suggestion comes with its reasons: what the customer bought that it goes \
                 with, or what similar customers bought."
                    .to_string(),
            ],
            charts: vec![Bars {
                title: format!("Customers whose hidden purchase is in the top {k}"),
                bars: rows
                    .iter()
                    .map(|(m, hr)| (m.label().to_string(), *hr))
                    .collect(),
                shown: rows.iter().map(|(_, hr)| percent(*hr)).collect(),
            }],
            tables: Vec::new(),
        })
    }

    fn churn_section(&self) -> Result<Section> {
        const HEADING: &str = "Churn";
        let db = self.db()?;
        let (run, s) = match latest(db, "churn")? {
            Ok(found) => found,
            Err(()) => {
                return Ok(not_run(
                    HEADING,
                    "run the churn model in the Churn & value panel.",
                ));
            }
        };
        let scores = runs::churn_scores(db, run.run_id)?;
        let at_risk = scores.iter().filter(|(_, p)| *p >= 0.5).count();
        let days = s
            .get("horizon_days")
            .and_then(Value::as_u64)
            .or_else(|| s.pointer("/label/days").and_then(Value::as_u64));
        let what = match days {
            Some(d) => format!("at risk of buying nothing in the next {d} days"),
            None => "likely to churn".to_string(),
        };
        let headline = format!(
            "{} of {} ({}) are {what} (a risk of 50% or more).",
            count(at_risk as u64, "customer", "customers"),
            thousands(scores.len() as u64),
            percent(at_risk as f64 / scores.len().max(1) as f64)
        );
        let mut lines = Vec::new();
        if let Some(b) = s.get("backtest").filter(|b| !b.is_null()) {
            lines.push(format!(
                "Backtest: of the 10% it would have flagged on {}, {} bought nothing in the next \
                 {} days, against {} of everyone.",
                b.get("as_of").and_then(Value::as_str).unwrap_or("?"),
                percent(num(b, "top_decile_rate").unwrap_or(0.0)),
                b.get("horizon_days").and_then(Value::as_u64).unwrap_or(0),
                percent(num(b, "base_rate").unwrap_or(0.0))
            ));
            if let (Some(auc), Some(recency)) = (num(b, "auc"), b.pointer("/baselines/recency")) {
                let recency = recency.as_f64().unwrap_or(0.0);
                lines.push(if auc > recency {
                    format!(
                        "It ranks customers better than recency alone (AUC {auc:.3} against \
                         {recency:.3})."
                    )
                } else {
                    format!(
                        "It ranks customers no better than recency alone (AUC {auc:.3} against \
                         {recency:.3})."
                    )
                });
            }
        } else if let Some(auc) = num(&s, "auc") {
            lines.push(format!(
                "It ranks a customer who churned above one who stayed {} of the time \
                 (cross-validated).",
                percent(auc)
            ));
        }
        let reasons = top_reasons(db, run.run_id)?;
        let tables = if reasons.is_empty() {
            Vec::new()
        } else {
            vec![Table {
                titles: vec![
                    "Most common first reason, customers at risk".to_string(),
                    "Customers".to_string(),
                ],
                rows: reasons
                    .into_iter()
                    .map(|(r, n)| vec![r, thousands(n)])
                    .collect(),
            }]
        };
        Ok(Section {
            heading: HEADING.to_string(),
            headline: Some(headline),
            lines,
            charts: Vec::new(),
            tables,
        })
    }

    fn clv_section(&self, money: Money) -> Result<Section> {
        const HEADING: &str = "Lifetime value";
        let db = self.db()?;
        let (run, s) = match latest(db, "clv")? {
            Ok(found) => found,
            Err(()) => {
                return Ok(not_run(
                    HEADING,
                    "run lifetime value in the Churn & value panel.",
                ));
            }
        };
        let values = runs::clv_values(db, run.run_id)?;
        let n = values.len();
        let alive = values.iter().filter(|v| v.p_alive >= 0.5).count();
        let purchases: f64 = values.iter().map(|v| v.expected_purchases).sum();
        let total: f64 = values.iter().filter_map(|v| v.clv).sum();
        let has_value = values.iter().any(|v| v.clv.is_some());
        let unit = match s.get("time_unit").and_then(Value::as_str) {
            Some("day") => "days",
            _ => "weeks",
        };
        let horizon = num(&s, "horizon").unwrap_or(0.0);
        let over = format!("the next {horizon} {unit}");
        let headline = crate::workspace::churn::story::clv_sentence(
            n,
            purchases,
            has_value.then_some(total),
            alive,
            &over,
            money,
        );
        let mut tiers: Vec<f64> = values.iter().filter_map(|v| v.clv).collect();
        tiers.sort_by(|a, b| b.total_cmp(a));
        let top = tiers.iter().take(tiers.len() / 10).sum::<f64>();
        let mut lines = vec![format!(
            "As of {}, from purchases between {} and {}.",
            s.get("values_as_of").and_then(Value::as_str).unwrap_or("?"),
            s.get("first_purchase")
                .and_then(Value::as_str)
                .unwrap_or("?"),
            s.get("last_purchase")
                .and_then(Value::as_str)
                .unwrap_or("?")
        )];
        if total > 0.0 && tiers.len() >= 10 {
            lines.push(format!(
                "The most valuable 10% of customers hold {} of the expected value.",
                percent(top / total)
            ));
        }
        Ok(Section {
            heading: HEADING.to_string(),
            headline: Some(headline),
            lines,
            charts: Vec::new(),
            tables: Vec::new(),
        })
    }

    fn fairness_section(&mut self, progress: &dyn Progress) -> Result<Section> {
        const HEADING: &str = "Fairness";
        if runs::latest_run(self.db()?, "churn")?.is_none() {
            return Ok(not_run(
                HEADING,
                "the audit checks churn targeting, so run the churn model first.",
            ));
        }
        let choices = self.fairness_choices(progress)?;
        let columns: Vec<String> = choices
            .attributes
            .iter()
            .filter(|a| a.protected)
            .take(AUDITED_COLUMNS)
            .map(|a| a.name.clone())
            .collect();
        if columns.is_empty() {
            return Ok(not_run(
                HEADING,
                "no column is marked protected (set a role in the Data panel).",
            ));
        }
        let decision = Decision::ChurnTop(AUDIT_TOP);
        let mut section = Section {
            heading: HEADING.to_string(),
            lines: vec![format!(
                "Who is flagged for a retention offer ({}), by each protected column. {}",
                decision.describe(),
                decision.selection().favour_note()
            )],
            ..Section::default()
        };
        let mut headlines = Vec::new();
        for attribute in columns {
            let params = AuditParams {
                attribute,
                decision: decision.clone(),
                options: AuditOptions::default(),
            };
            let r = self.audit(&params, progress)?;
            headlines.push(r.headline());
            section.tables.push(Table {
                titles: vec![
                    format!("By {}", r.display),
                    "Customers".to_string(),
                    "Selected".to_string(),
                    "95% interval".to_string(),
                ],
                rows: r
                    .groups
                    .iter()
                    .map(|g| {
                        vec![
                            g.group.clone(),
                            thousands(g.n),
                            percent(g.selection_rate),
                            if g.ci_low.is_finite() {
                                format!("{}–{}", percent(g.ci_low), percent(g.ci_high))
                            } else {
                                "–".to_string()
                            },
                        ]
                    })
                    .collect(),
            });
            section.lines.extend(r.flags.iter().cloned());
        }
        section.headline = Some(headlines.join(" "));
        Ok(section)
    }

    fn campaign_section(&self) -> Result<Section> {
        const HEADING: &str = "Campaign audience";
        let Some((rows, file, when)) = runs::latest_export(self.db()?)? else {
            return Ok(not_run(
                HEADING,
                "build and export an audience in the Campaigns panel.",
            ));
        };
        let file = Path::new(&file)
            .file_name()
            .map_or(file.clone(), |n| n.to_string_lossy().into_owned());
        Ok(Section {
            heading: HEADING.to_string(),
            headline: Some(format!(
                "The latest audience exported: {} to {file} on {}.",
                count(rows, "row", "rows"),
                when.get(..10).unwrap_or_default()
            )),
            ..Section::default()
        })
    }
}

/// The most common first reasons among the run's customers at a risk of 50% or more.
fn top_reasons(db: &crate::data::Database, run_id: i64) -> Result<Vec<(String, u64)>> {
    let sq = |e| Error::sqlite(db.path())(e);
    let mut stmt = db
        .conn()
        .prepare(
            "SELECT reason_1, COUNT(*) FROM tailor_churn_scores
             WHERE run_id = ?1 AND probability >= 0.5 AND reason_1 IS NOT NULL
             GROUP BY reason_1 ORDER BY COUNT(*) DESC, reason_1 LIMIT 5",
        )
        .map_err(sq)?;
    let rows = stmt
        .query_map([run_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
        })
        .map_err(sq)?;
    rows.collect::<rusqlite::Result<_>>().map_err(sq)
}
