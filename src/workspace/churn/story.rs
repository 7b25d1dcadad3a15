//! Churn and lifetime value in sentences a stakeholder reads: who is at risk now and how well
//! the model picked such customers out before; what the customers are expected to be worth.

use super::view::{ChurnView, ClvView, TargetList, threshold_percent};
use crate::format::{count, percent, thousands};
use crate::money::Money;

impl ChurnView {
    /// Who is at risk at `threshold` (from the target list's scores), and how well the model
    /// ranks: the backtest's top decile with an inactivity label, else the cross-validated AUC
    /// in words.
    pub fn headline(&self, targets: Option<&TargetList>, threshold: f64) -> String {
        let rows = targets.map_or(&[][..], |t| t.rows.as_slice());
        let at_risk = rows.iter().filter(|r| r.probability >= threshold).count();
        let of = rows.len().max(1);
        let risk = match self.label.days {
            Some(days) if self.as_of.is_some() => {
                format!("at risk of buying nothing in the next {days} days")
            }
            _ => "likely to churn".to_string(),
        };
        let mut text = format!(
            "{} of {} ({}) are {risk} (a risk of {} or more).",
            count(at_risk as u64, "customer", "customers"),
            thousands(rows.len() as u64),
            percent(at_risk as f64 / of as f64),
            threshold_percent(threshold)
        );
        match &self.backtest {
            Some(b) => text.push_str(&format!(
                " Tested on {}: of the 10% it would have flagged, {} bought nothing in the next \
                 {} days, against {} of everyone.",
                b.as_of,
                percent(b.top_decile_rate),
                b.horizon_days,
                percent(b.base_rate)
            )),
            None if self.metrics.auc.is_finite() => text.push_str(&format!(
                " It ranks a customer who churned above one who stayed {} of the time.",
                percent(self.metrics.auc)
            )),
            None => {}
        }
        text
    }
}

/// Lifetime value in one sentence: `n` customers, their expected purchases and value (`None`
/// without a spend model) over `horizon` ("the next 52 weeks"), and how many are likely still
/// active. The panel and the report say it alike.
pub fn clv_sentence(
    n: usize,
    purchases: f64,
    value: Option<f64>,
    alive: usize,
    horizon: &str,
    money: Money,
) -> String {
    let who = count(n as u64, "customer", "customers");
    let purchases = thousands(purchases.round().max(0.0) as u64);
    let mut text = match value {
        Some(v) => format!(
            "{who} are expected to make {purchases} purchases worth {} over {horizon} ({} per \
             customer).",
            money.whole(v),
            money.cents(v / n.max(1) as f64)
        ),
        None => format!("{who} are expected to make {purchases} purchases over {horizon}."),
    };
    text.push_str(&format!(
        " {} ({}) are likely still active.",
        thousands(alive as u64),
        percent(alive as f64 / n.max(1) as f64)
    ));
    text
}

impl ClvView {
    /// What the customers are expected to buy and be worth over the horizon, and how many are
    /// likely still active.
    pub fn headline(&self, money: Money) -> String {
        let r = &self.result;
        let purchases: f64 = r.customers.iter().map(|c| c.expected_purchases).sum();
        let alive = r.customers.iter().filter(|c| c.p_alive >= 0.5).count();
        let horizon = format!(
            "the next {} {}",
            r.params.horizon,
            r.params.time_unit.plural()
        );
        let value = r
            .customers
            .iter()
            .any(|c| c.clv.is_some())
            .then(|| r.customers.iter().filter_map(|c| c.clv).sum());
        clv_sentence(r.customers.len(), purchases, value, alive, &horizon, money)
    }
}
