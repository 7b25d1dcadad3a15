//! Decisions an audit can look at, and who each one selects.

use std::fmt;

use crate::data::dataset::{AttrValues, Dataset};
use crate::data::roles::Role;
use crate::error::{Error, Result};

/// A decision about customers.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(into = "String")]
pub enum Decision {
    /// The `ceil(f × n)` highest churn scores of the latest churn run (ties by customer id).
    ChurnTop(f64),
    /// Churn score at or above a threshold.
    ChurnAbove(f64),
    /// Member of a segment of the latest segmentation run.
    Segment(usize),
    /// Shown a product of this category among their top recommendations.
    RecsCategory(String),
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::ChurnTop(x) => write!(f, "churn-top:{x}"),
            Decision::ChurnAbove(x) => write!(f, "churn-above:{x}"),
            Decision::Segment(s) => write!(f, "segment:{s}"),
            Decision::RecsCategory(c) => write!(f, "recs:{c}"),
        }
    }
}

impl From<Decision> for String {
    fn from(d: Decision) -> String {
        d.to_string()
    }
}

/// What being selected means for a customer, for sentences: "are flagged for a retention
/// offer", and whether it is good for them (an offer) or not (a burden).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Selection {
    /// The verb phrase: customers … "are flagged for a retention offer".
    pub phrase: String,
    /// Whether being selected is favourable to the customer.
    pub favourable: bool,
}

impl Selection {
    /// Being in a campaign's audience: an offer.
    pub fn audience() -> Selection {
        Selection {
            phrase: "are in the audience".to_string(),
            favourable: true,
        }
    }

    /// Whether it is good for the customer, in a sentence.
    pub fn favour_note(&self) -> &'static str {
        if self.favourable {
            "Being selected is favourable to the customer (an offer): a group selected less \
             often misses out."
        } else {
            "Being selected is unfavourable to the customer: a group selected more often bears \
             more of it."
        }
    }
}

impl Decision {
    /// The decision in words, never in flag syntax: "the top 20% by churn risk".
    pub fn describe(&self) -> String {
        match self {
            Decision::ChurnTop(f) => format!("the top {} by churn risk", whole_percent(*f)),
            Decision::ChurnAbove(t) => format!("a churn risk of {} or more", whole_percent(*t)),
            Decision::Segment(s) => format!("segment {s}"),
            Decision::RecsCategory(c) => format!("shown {c} among their recommendations"),
        }
    }

    /// What being selected means for the customer.
    pub fn selection(&self) -> Selection {
        let phrase = match self {
            Decision::ChurnTop(_) | Decision::ChurnAbove(_) => {
                "are flagged for a retention offer".to_string()
            }
            Decision::Segment(s) => format!("are in segment {s} (and its campaigns)"),
            Decision::RecsCategory(c) => format!("are shown {c}"),
        };
        Selection {
            phrase,
            favourable: true,
        }
    }

    /// Parses `churn-top:FRACTION`, `churn-above:THRESHOLD`, `segment:ID` or `recs:CATEGORY`.
    pub fn parse(text: &str) -> Result<Decision> {
        let bad = |why: &str| {
            Error::Invalid(format!(
                "--decision {text}: {why} (use churn-top:FRACTION, churn-above:THRESHOLD, segment:ID or recs:CATEGORY)"
            ))
        };
        let (kind, value) = text.split_once(':').ok_or_else(|| bad("no ':'"))?;
        let fraction = |v: &str| {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| *x > 0.0 && *x <= 1.0)
                .ok_or_else(|| bad("the number must be above 0 and at most 1"))
        };
        match kind.trim() {
            "churn-top" => Ok(Decision::ChurnTop(fraction(value)?)),
            "churn-above" => Ok(Decision::ChurnAbove(fraction(value)?)),
            "segment" => value
                .trim()
                .parse()
                .map(Decision::Segment)
                .map_err(|_| bad("the segment id must be a whole number")),
            "recs" if !value.trim().is_empty() => Ok(Decision::RecsCategory(value.trim().into())),
            _ => Err(bad("unknown decision")),
        }
    }
}

/// 0.2 → `20%` (one decimal when not whole: `12.5%`).
fn whole_percent(x: f64) -> String {
    let p = x * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// The `ceil(f × n)` highest scores among the `n` scored customers, ties broken by customer id
/// (the lower id first); unscored customers are never selected.
pub fn top_fraction(scores: &[Option<f64>], ids: &[String], f: f64) -> Vec<bool> {
    let mut scored: Vec<usize> = (0..scores.len())
        .filter(|i| scores.get(*i).copied().flatten().is_some())
        .collect();
    let k = ((f * scored.len() as f64) - 1e-9).ceil().max(0.0) as usize;
    let score = |i: usize| {
        scores
            .get(i)
            .copied()
            .flatten()
            .unwrap_or(f64::NEG_INFINITY)
    };
    scored.sort_by(|&a, &b| {
        score(b)
            .total_cmp(&score(a))
            .then_with(|| ids.get(a).cmp(&ids.get(b)))
    });
    let mut out = vec![false; scores.len()];
    for &i in scored.iter().take(k) {
        if let Some(x) = out.get_mut(i) {
            *x = true;
        }
    }
    out
}

/// The customers' true outcome from the column with role `label` (1/0, yes/no, true/false),
/// when the customers table has one.
pub fn label_column(data: &Dataset) -> Option<(String, Vec<Option<bool>>)> {
    let attr = data.attributes.iter().find(|a| a.role == Role::Label)?;
    let values = match &attr.values {
        AttrValues::Numeric(v) => v.iter().map(|x| x.map(|x| x != 0.0)).collect(),
        AttrValues::Categorical { levels, codes } => {
            let truth: Vec<Option<bool>> = levels
                .iter()
                .map(|l| match l.trim().to_lowercase().as_str() {
                    "1" | "yes" | "y" | "true" | "t" => Some(true),
                    "0" | "no" | "n" | "false" | "f" => Some(false),
                    _ => None,
                })
                .collect();
            codes
                .iter()
                .map(|c| c.and_then(|c| truth.get(c as usize).copied().flatten()))
                .collect()
        }
    };
    Some((attr.name.clone(), values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        assert_eq!(
            Decision::parse("churn-top:0.2").unwrap(),
            Decision::ChurnTop(0.2)
        );
        assert_eq!(Decision::parse("segment:3").unwrap(), Decision::Segment(3));
        assert_eq!(
            Decision::parse("recs:Home & Kitchen").unwrap(),
            Decision::RecsCategory("Home & Kitchen".into())
        );
        assert_eq!(Decision::ChurnTop(0.2).to_string(), "churn-top:0.2");
        for bad in [
            "churn-top:0",
            "churn-top:2",
            "segment:x",
            "nope:1",
            "recs:",
            "churn-top",
        ] {
            let e = Decision::parse(bad).unwrap_err().to_string();
            assert!(e.contains("--decision"), "{e}");
        }
    }

    #[test]
    fn top_fraction_takes_the_ceiling_and_breaks_ties_by_id() {
        let ids: Vec<String> = ["d", "c", "b", "a", "e"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let scores = [Some(0.5), Some(0.9), Some(0.5), Some(0.5), None];
        // n = 4 scored; ceil(0.5 × 4) = 2: c (0.9), then the lowest id among the 0.5 ties: a.
        assert_eq!(
            top_fraction(&scores, &ids, 0.5),
            [false, true, false, true, false]
        );
        // ceil(0.3 × 4) = 2 as well.
        assert_eq!(
            top_fraction(&scores, &ids, 0.3),
            [false, true, false, true, false]
        );
        assert_eq!(
            top_fraction(&scores, &ids, 1.0)
                .iter()
                .filter(|x| **x)
                .count(),
            4
        );
    }
}
