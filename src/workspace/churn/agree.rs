//! Churn risk and P(alive) answer different questions; the drill-down says which, and marks a
//! customer where they disagree strongly, with the likely reason.
//!
//! Churn risk is the chance of no purchase in the next DAYS days, learned from customers like
//! this one. P(alive) (BG/NBD) is the chance the customer is still a customer at all, judged by
//! their own purchase pace. They disagree strongly when churn risk and 1 − P(alive) are at
//! least [`DISAGREE`] apart; the reason is read from the customer's purchase history:
//! - a single purchase: BG/NBD counts a one-time buyer as alive until a second purchase shows
//!   a pace, while most one-time buyers never come back;
//! - a recent purchase after long gaps, or a slow pace (gaps longer than the window): alive,
//!   yet unlikely to buy within the window;
//! - a long silence for the customer's own pace: P(alive) low, while the churn model, comparing
//!   with other customers, still expects a purchase.

use crate::workspace::churn::TargetRow;

/// How far apart churn risk and 1 − P(alive) must be to be marked.
pub const DISAGREE: f64 = 0.5;

/// What the risk in the target list covers.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum RiskPeriod {
    /// No purchase in the `days` after `as_of` (`YYYY-MM-DD`), scored as of that day.
    AsOf {
        /// The last day of the data.
        as_of: String,
        /// The window, in days.
        days: u32,
    },
    /// Out-of-fold scores of a label column.
    Label(String),
    /// Not known (no churn run).
    #[default]
    Unknown,
}

impl RiskPeriod {
    /// The date the scores are as of, with an inactivity label.
    pub fn as_of(&self) -> Option<&str> {
        match self {
            RiskPeriod::AsOf { as_of, .. } => Some(as_of),
            _ => None,
        }
    }

    /// One line on what churn risk means here and the period it covers.
    pub fn risk_line(&self) -> String {
        match self {
            RiskPeriod::AsOf { as_of, days } => format!(
                "Churn risk: the chance of no purchase in the {days} days after {as_of}, \
                 learned from customers like this one."
            ),
            RiskPeriod::Label(column) => format!(
                "Churn risk: the chance this customer is one who left ({column}), from a model \
                 that never saw their own answer."
            ),
            RiskPeriod::Unknown => {
                "Churn risk: the chance this customer leaves, from customers like them.".into()
            }
        }
    }

    /// One line on what P(alive) means and the period it covers.
    pub fn p_alive_line(&self) -> String {
        format!(
            "P(alive): the chance they are still a customer at all on {}, judged by their own \
             purchase pace; it does not say when they buy next.",
            self.as_of().unwrap_or("the last purchase day")
        )
    }
}

/// Why churn risk and P(alive) disagree strongly for `row`, or `None` when they agree (or
/// lifetime value has not run).
/// `unit_days` is the number of days in the lifetime values' time unit.
pub fn disagreement(row: &TargetRow, period: &RiskPeriod, unit_days: f64) -> Option<String> {
    let value = row.value.as_ref()?;
    let p_alive = Some(value.p_alive).filter(|p| p.is_finite())?;
    let gap = row.probability - (1.0 - p_alive);
    if gap.abs() < DISAGREE {
        return None;
    }
    let (window, horizon) = match period {
        RiskPeriod::AsOf { days, .. } => (format!("in the next {days} days"), f64::from(*days)),
        _ => ("soon".to_string(), 90.0),
    };
    let since_days = (value.t - value.recency) * unit_days;
    let since = format!("{since_days:.0}");
    let pace_days =
        (value.frequency > 0).then(|| value.recency * unit_days / f64::from(value.frequency));
    let Some(pace_days) = pace_days else {
        return Some(if gap > 0.0 {
            format!(
                "A single purchase: P(alive) counts a one-time buyer as a customer until a \
                 second purchase shows their pace, while most one-time buyers like this one \
                 never buy again, so a purchase {window} is unlikely."
            )
        } else {
            format!(
                "P(alive) is low after a single purchase {since} days ago, while customers \
                 like them usually buy {window}."
            )
        });
    };
    let pace = format!("{pace_days:.0}");
    Some(match gap > 0.0 {
        true if since_days < pace_days && pace_days >= horizon / 2.0 => format!(
            "A recent purchase after long gaps ({since} days ago; {pace} days between \
             purchases on average): the recent purchase keeps P(alive) high, while at that \
             pace a purchase {window} is unlikely."
        ),
        true if pace_days >= horizon => format!(
            "A slow pace ({pace} days between purchases on average): still a customer by \
             P(alive), but unlikely to buy {window}."
        ),
        true => format!(
            "By their own pace (a purchase every {pace} days on average, the last {since} days \
             ago) P(alive) counts them as a customer; customers like them, though, mostly \
             bought nothing in the {horizon:.0} days that followed."
        ),
        false if since_days > pace_days => format!(
            "A long silence for their own pace ({since} days since the last purchase against \
             {pace} days between purchases on average) makes P(alive) low; the churn model, \
             comparing with customers like them, still expects a purchase {window}."
        ),
        false => format!(
            "P(alive) is low from their own pace ({pace} days between purchases, the last \
             {since} days ago), while customers like them usually buy {window}."
        ),
    })
}
