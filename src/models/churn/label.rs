//! The churn label: a column of the customers table, or inactivity after a cutoff date.
//!
//! A label column is one named on the command line, else the first customers column whose role
//! is `label`, else one named `churned`, `churn`, `exited` or `attrition`. Its values may be
//! 0/1, Yes/No, True/False or Y/N in any case; customers with a blank label are not scored (and
//! counted). With [`Label::Inactive`], a customer churned when they made no purchase in the
//! `days` after the cutoff (default: the last transaction's day minus `days`); only customers
//! who bought before the cutoff are in the population, and every behavioural feature is
//! computed from transactions before the cutoff.

use crate::data::dataset::{AttrValues, Dataset};
use crate::data::roles::{Role, normalize_name};
use crate::error::{Error, Result};
use crate::models::churn::DAY_SECS;

/// Default inactivity window, in days.
pub const DEFAULT_INACTIVE_DAYS: u32 = 90;

/// Where the label comes from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// A label column if there is one, else inactivity over [`DEFAULT_INACTIVE_DAYS`] days.
    Auto,
    /// A named customers column (`churned` also finds a column with role `label`).
    Column(String),
    /// No purchase in the `days` after the cutoff.
    Inactive {
        /// Length of the window after the cutoff.
        days: u32,
        /// The cutoff, seconds since 1970; `None`: the last transaction's day minus `days`.
        cutoff: Option<i64>,
    },
}

impl Label {
    /// Parses `auto`, `inactive`, `inactive:DAYS` or a column name (`churned`).
    pub fn parse(text: &str) -> Option<Label> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        if t.eq_ignore_ascii_case("auto") {
            return Some(Label::Auto);
        }
        let lower = t.to_ascii_lowercase();
        if lower == "inactive" {
            return Some(Label::Inactive {
                days: DEFAULT_INACTIVE_DAYS,
                cutoff: None,
            });
        }
        if let Some(days) = lower.strip_prefix("inactive:") {
            let days: u32 = days.trim().parse().ok().filter(|d| *d > 0)?;
            return Some(Label::Inactive { days, cutoff: None });
        }
        Some(Label::Column(t.to_string()))
    }
}

/// What the label turned out to be, for the report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LabelInfo {
    /// `column` or `inactive`.
    pub kind: String,
    /// The label column, when there is one.
    pub column: Option<String>,
    /// The inactivity window in days, when the label is inactivity.
    pub days: Option<u32>,
    /// The cutoff date (`YYYY-MM-DD`), when the label is inactivity.
    pub cutoff: Option<String>,
    /// Customers with a label (the modelled population).
    pub customers: usize,
    /// Of those, how many churned.
    pub churned: usize,
    /// Customers without a label: blank label value, or no purchase before the cutoff.
    pub unlabelled: usize,
}

/// The labelled population.
#[derive(Debug, Clone, PartialEq)]
pub struct Labelled {
    /// Dataset customer indices of the population, ascending.
    pub rows: Vec<usize>,
    /// 1 = churned, one per entry of `rows`.
    pub y: Vec<u8>,
    /// Behaviour is measured from transactions strictly before this time (seconds since 1970);
    /// `None`: every transaction (a label column).
    pub cutoff: Option<i64>,
    /// The column the label came from (left out of the features).
    pub column: Option<String>,
    /// Description for the report.
    pub info: LabelInfo,
}

/// Reads a label value: 1 churned, 0 stayed, `None` when blank.
fn parse_flag(text: &str) -> Option<Option<u8>> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" => Some(None),
        "1" | "yes" | "y" | "true" | "t" | "churned" | "1.0" => Some(Some(1)),
        "0" | "no" | "n" | "false" | "f" | "0.0" => Some(Some(0)),
        _ => None,
    }
}

/// Finds the label column for `Label::Auto` / `Label::Column`.
fn find_column<'a>(
    data: &'a Dataset,
    wanted: Option<&str>,
) -> Option<&'a crate::data::dataset::Attribute> {
    if let Some(w) = wanted {
        let nw = normalize_name(w);
        if let Some(a) = data
            .attributes
            .iter()
            .find(|a| normalize_name(&a.name) == nw)
        {
            return Some(a);
        }
        if nw != "churned" {
            return None;
        }
    }
    data.attributes
        .iter()
        .find(|a| a.role == Role::Label)
        .or_else(|| {
            data.attributes.iter().find(|a| {
                matches!(
                    normalize_name(&a.name).as_str(),
                    "churned" | "churn" | "exited" | "attrition"
                )
            })
        })
}

/// Resolves the label on a dataset.
pub fn resolve(data: &Dataset, label: &Label) -> Result<Labelled> {
    match label {
        Label::Auto => match find_column(data, None) {
            Some(_) => resolve(data, &Label::Column("churned".into())),
            None if !data.transactions.is_empty() => inactive(data, DEFAULT_INACTIVE_DAYS, None),
            None => Err(Error::Invalid(
                "no churn label: the customers table has no churned column (role label) and \
                 there are no transactions to measure inactivity"
                    .into(),
            )),
        },
        Label::Column(name) => {
            let Some(attr) = find_column(data, Some(name)) else {
                return Err(Error::Invalid(if data.transactions.is_empty() {
                    format!(
                        "no label column {name} in the customers table, and no transactions to \
                         label customers by inactivity"
                    )
                } else {
                    format!(
                        "no label column {name} in the customers table: label customers by \
                         inactivity (no purchase in a number of days) instead"
                    )
                }));
            };
            let values: Vec<Option<u8>> = match &attr.values {
                AttrValues::Numeric(v) => v
                    .iter()
                    .map(|x| match x {
                        None => Ok(None),
                        Some(x) if *x == 0.0 => Ok(Some(0)),
                        Some(x) if *x == 1.0 => Ok(Some(1)),
                        Some(x) => Err(Error::Invalid(format!(
                            "label column {} holds {x}: expected 0/1, Yes/No or True/False",
                            attr.name
                        ))),
                    })
                    .collect::<Result<_>>()?,
                AttrValues::Categorical { levels, codes } => {
                    let mut flags = Vec::with_capacity(levels.len());
                    for l in levels {
                        flags.push(parse_flag(l).ok_or_else(|| {
                            Error::Invalid(format!(
                                "label column {} holds {l:?}: expected 0/1, Yes/No or True/False",
                                attr.name
                            ))
                        })?);
                    }
                    codes
                        .iter()
                        .map(|c| c.and_then(|c| flags.get(c as usize).copied().flatten()))
                        .collect()
                }
            };
            let mut rows = Vec::new();
            let mut y = Vec::new();
            for (i, v) in values.iter().enumerate() {
                if let Some(v) = v {
                    rows.push(i);
                    y.push(*v);
                }
            }
            let churned = y.iter().filter(|v| **v == 1).count();
            Ok(Labelled {
                info: LabelInfo {
                    kind: "column".into(),
                    column: Some(attr.name.clone()),
                    days: None,
                    cutoff: None,
                    customers: rows.len(),
                    churned,
                    unlabelled: data.n_customers() - rows.len(),
                },
                rows,
                y,
                cutoff: None,
                column: Some(attr.name.clone()),
            })
        }
        Label::Inactive { days, cutoff } => inactive(data, *days, *cutoff),
    }
}

/// The date of a time, `YYYY-MM-DD`.
pub fn date_text(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn inactive(data: &Dataset, days: u32, cutoff: Option<i64>) -> Result<Labelled> {
    let t = &data.transactions;
    let Some(last) = t.ts.iter().copied().max() else {
        return Err(Error::Invalid(
            "no transactions: labelling customers by inactivity needs a transactions table with \
             rows"
                .into(),
        ));
    };
    let window = i64::from(days) * DAY_SECS;
    // Default: the start of the day after the last transaction, minus the window.
    let cutoff = cutoff.unwrap_or((last.div_euclid(DAY_SECS) + 1) * DAY_SECS - window);
    let n = data.n_customers();
    let mut before = vec![false; n];
    let mut after = vec![false; n];
    for r in 0..t.len() {
        let (Some(&c), Some(&ts), Some(&cancelled)) =
            (t.customer.get(r), t.ts.get(r), t.cancelled.get(r))
        else {
            continue;
        };
        let c = c as usize;
        if ts < cutoff {
            if let Some(b) = before.get_mut(c) {
                *b = true;
            }
        } else if ts < cutoff + window
            && !cancelled
            && let Some(a) = after.get_mut(c)
        {
            *a = true;
        }
    }
    let rows: Vec<usize> = (0..n).filter(|&i| before[i]).collect();
    let y: Vec<u8> = rows.iter().map(|&i| u8::from(!after[i])).collect();
    let churned = y.iter().filter(|v| **v == 1).count();
    Ok(Labelled {
        info: LabelInfo {
            kind: "inactive".into(),
            column: None,
            days: Some(days),
            cutoff: Some(date_text(cutoff)),
            customers: rows.len(),
            churned,
            unlabelled: n - rows.len(),
        },
        rows,
        y,
        cutoff: Some(cutoff),
        column: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_label_specs() {
        assert_eq!(Label::parse("auto"), Some(Label::Auto));
        assert_eq!(
            Label::parse("inactive:30"),
            Some(Label::Inactive {
                days: 30,
                cutoff: None
            })
        );
        assert_eq!(Label::parse("inactive:0"), None);
        assert_eq!(Label::parse("inactive:x"), None);
        assert_eq!(
            Label::parse("churned"),
            Some(Label::Column("churned".into()))
        );
    }

    #[test]
    fn flags_read_in_any_case() {
        assert_eq!(parse_flag("Yes"), Some(Some(1)));
        assert_eq!(parse_flag("FALSE"), Some(Some(0)));
        assert_eq!(parse_flag(" "), Some(None));
        assert_eq!(parse_flag("maybe"), None);
    }
}
