//! The Overview, the first screen: what is in the database (customers, active customers,
//! orders, revenue, period, products), month by month revenue and active customers, and each
//! step of the path through Tailor with its latest stored result in one sentence.

use std::collections::BTreeMap;

use crate::data::dataset::Dataset;
use crate::data::db::Database;
use crate::data::revenue::RevenueKind;
use crate::data::runs;
use crate::error::Result;
use crate::format::{percent, thousands};
use crate::models::recommend::methods::RecMethod;
use crate::progress::Progress;
use crate::workspace::Workspace;

/// Days before the last purchase in which a customer who bought counts as active.
pub const ACTIVE_DAYS: i64 = 90;

/// One month of the charts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    /// Money of the month's rows, net of returns.
    pub revenue: f64,
    /// Customers with a purchase in the month.
    pub active: u64,
}

/// A step of the path through Tailor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// Segments.
    Segments,
    /// Recommendations.
    Recommendations,
    /// Churn and lifetime value.
    Churn,
    /// Fairness audits.
    Fairness,
    /// Campaign audiences.
    Campaigns,
}

/// A step and its latest result in one sentence (`None`: not run yet).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StepStatus {
    /// The step.
    pub step: Step,
    /// Its latest result.
    pub latest: Option<String>,
}

/// The first screen.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Overview {
    /// Customers.
    pub customers: u64,
    /// Customers with a purchase in the last [`ACTIVE_DAYS`] days of the data (`None` without
    /// transactions).
    pub active_customers: Option<u64>,
    /// Distinct orders (transaction rows where there are no order ids).
    pub orders: Option<u64>,
    /// Revenue, net of returns, and what it is: "net of returns", or the customers column it
    /// comes from without transactions.
    pub revenue: Option<(f64, String)>,
    /// First and last transaction dates, `YYYY-MM-DD`.
    pub period: Option<(String, String)>,
    /// Products.
    pub products: u64,
    /// Month by month, in order.
    pub months: Vec<Month>,
    /// The path through Tailor.
    pub steps: Vec<StepStatus>,
}

impl Workspace {
    /// The Overview of the open database, from the data and the latest stored runs.
    pub fn overview(&mut self, progress: &dyn Progress) -> Result<Overview> {
        let audit = self.latest_audit.clone();
        let (db, data) = self.loaded(progress)?;
        progress.report(0.5, "Counting customers, orders and revenue");
        let mut overview = figures(data);
        overview.steps = steps(db, data, audit);
        Ok(overview)
    }
}

/// `YYYY-MM-DD` of a time.
fn day(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Everything but the steps.
fn figures(data: &Dataset) -> Overview {
    let t = &data.transactions;
    let mut overview = Overview {
        customers: data.n_customers() as u64,
        active_customers: None,
        orders: None,
        revenue: None,
        period: None,
        products: data.products.ids.len() as u64,
        months: Vec::new(),
        steps: Vec::new(),
    };
    if t.is_empty() {
        overview.revenue = data.revenue_column().and_then(|(name, kind, values)| {
            let total: f64 = values.iter().flatten().sum();
            let what = match kind {
                RevenueKind::Total => format!("from {name}"),
                RevenueKind::Monthly => format!("per month, from {name}"),
            };
            values.iter().any(Option::is_some).then_some((total, what))
        });
        return overview;
    }
    let (first, last) =
        t.ts.iter()
            .fold((i64::MAX, i64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    let since = last - ACTIVE_DAYS * 86_400;
    let mut active = vec![false; data.n_customers()];
    let mut months: BTreeMap<String, (f64, Vec<u32>)> = BTreeMap::new();
    for r in 0..t.len() {
        let (Some(&c), Some(&ts), Some(&amount)) =
            (t.customer.get(r), t.ts.get(r), t.amount.get(r))
        else {
            continue;
        };
        let cancelled = t.cancelled.get(r).copied().unwrap_or(false);
        if !cancelled
            && ts > since
            && let Some(a) = active.get_mut(c as usize)
        {
            *a = true;
        }
        let month = day(ts).get(..7).unwrap_or_default().to_string();
        let entry = months.entry(month).or_default();
        entry.0 += amount;
        if !cancelled {
            entry.1.push(c);
        }
    }
    overview.active_customers = Some(active.iter().filter(|a| **a).count() as u64);
    overview.orders = Some(if t.n_orders > 0 {
        u64::from(t.n_orders)
    } else {
        t.len() as u64
    });
    overview.revenue = Some((t.amount.iter().sum(), "net of returns".to_string()));
    overview.period = Some((day(first), day(last)));
    overview.months = months
        .into_iter()
        .map(|(month, (revenue, mut buyers))| {
            buyers.sort_unstable();
            buyers.dedup();
            Month {
                month,
                revenue,
                active: buyers.len() as u64,
            }
        })
        .collect();
    overview
}

/// Each step's latest stored result in one sentence.
fn steps(db: &Database, data: &Dataset, audit: Option<String>) -> Vec<StepStatus> {
    let segments = runs::latest_segmentation(db).map(|s| {
        s.map(|s| {
            let largest = s.segments.first();
            let total: usize = s.segments.iter().map(|x| x.size).sum();
            match largest {
                Some(l) => format!(
                    "{} segments; the largest, {}, holds {} of customers",
                    s.segments.len(),
                    l.name,
                    percent(l.size as f64 / total.max(1) as f64)
                ),
                None => "A segmentation with no customers".to_string(),
            }
        })
    });
    let recommendations = runs::latest_run(db, "rec_tuning").map(|run| {
        run.and_then(|run| run.summary_json)
            .and_then(|s| serde_json::from_str::<crate::models::recommend::tune::Tuning>(&s).ok())
            .and_then(|t| t.inner_hit_rate(RecMethod::Hybrid))
            .map(|hr| {
                format!(
                    "Tuned on this database: 10 suggestions hold the customer's next purchase for \
                 {} of customers",
                    percent(hr)
                )
            })
    });
    let churn = runs::latest_churn_scores(db, data).map(|s| {
        s.map(|s| {
            let scored: Vec<f64> = s.probability.iter().flatten().copied().collect();
            let risky = scored.iter().filter(|p| **p >= 0.5).count();
            format!(
                "{} of {} scored customers ({}) have a churn risk of 50% or more",
                thousands(risky as u64),
                thousands(scored.len() as u64),
                percent(risky as f64 / scored.len().max(1) as f64)
            )
        })
    });
    let campaigns = runs::latest_export(db).map(|e| {
        e.map(|(rows, file, when)| {
            format!(
                "Last export: {} rows to {file} on {}",
                thousands(rows),
                when.get(..10).unwrap_or_default()
            )
        })
    });
    // A stored run that cannot be read says so on its line; the Overview still shows.
    let said = |latest: Result<Option<String>>| {
        latest.unwrap_or_else(|e| Some(format!("The stored results could not be read: {e}")))
    };
    let (segments, recommendations) = (said(segments), said(recommendations));
    let (churn, campaigns) = (said(churn), said(campaigns));
    vec![
        StepStatus {
            step: Step::Segments,
            latest: segments,
        },
        StepStatus {
            step: Step::Recommendations,
            latest: recommendations,
        },
        StepStatus {
            step: Step::Churn,
            latest: churn,
        },
        StepStatus {
            step: Step::Fairness,
            latest: audit,
        },
        StepStatus {
            step: Step::Campaigns,
            latest: campaigns,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::churn::run::ChurnParams;
    use crate::models::segment::run::SegmentParams;
    use crate::progress::NoProgress;

    #[test]
    fn the_figures_match_the_database_and_the_steps_follow_the_stored_runs() {
        let (_dir, mut ws) = crate::workspace::sample_session(300, 5);
        let o = ws.overview(&NoProgress).unwrap();
        let sql = |q: &str| -> f64 {
            ws.db()
                .unwrap()
                .conn()
                .query_row(q, [], |r| r.get::<_, f64>(0))
                .unwrap()
        };
        assert_eq!(o.customers as f64, sql("SELECT COUNT(*) FROM customers"));
        assert_eq!(
            o.orders.unwrap() as f64,
            sql("SELECT COUNT(DISTINCT order_id) FROM transactions")
        );
        let revenue = o.revenue.clone().unwrap().0;
        assert!((revenue - sql("SELECT SUM(amount) FROM transactions")).abs() < 1e-6);
        let by_month: f64 = o.months.iter().map(|m| m.revenue).sum();
        assert!((by_month - revenue).abs() < 1e-6);
        assert_eq!(
            o.months.len() as f64,
            sql("SELECT COUNT(DISTINCT substr(ts, 1, 7)) FROM transactions")
        );
        let (first, last) = o.period.clone().unwrap();
        assert!(
            first.starts_with("2023-01") && last.starts_with("2024-12"),
            "{first} {last}"
        );
        let active = sql(
            "SELECT COUNT(DISTINCT customer_id) FROM transactions WHERE COALESCE(cancelled, 0) = 0
             AND julianday(ts) > (SELECT julianday(MAX(ts)) FROM transactions) - 90",
        );
        assert_eq!(o.active_customers.unwrap() as f64, active);
        let january = &o.months[0];
        assert_eq!(january.month, first.get(..7).unwrap());
        assert!(january.active > 0 && january.active <= o.customers);
        assert!(o.steps.iter().all(|s| s.latest.is_none()), "{:?}", o.steps);

        ws.segment(&SegmentParams::default(), &NoProgress).unwrap();
        ws.churn(&ChurnParams::default(), &NoProgress).unwrap();
        let o = ws.overview(&NoProgress).unwrap();
        let latest = |step: Step| {
            o.steps
                .iter()
                .find(|s| s.step == step)
                .unwrap()
                .latest
                .clone()
        };
        assert!(
            latest(Step::Segments)
                .unwrap()
                .contains(" segments; the largest, ")
        );
        assert!(
            latest(Step::Churn)
                .unwrap()
                .contains("have a churn risk of 50% or more")
        );
        assert_eq!(latest(Step::Fairness), None);
    }
}
