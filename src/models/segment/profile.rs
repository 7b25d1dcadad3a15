//! Segment profiles and their plain-language names.
//!
//! # The naming rule
//!
//! A segment's name comes from the mean z-scores (standardized units) of its behaviour:
//! 1. a prefix: **Lapsed** when recency is 0.75 or more above average; otherwise **New** when
//!    tenure is 0.75 or more below average;
//! 2. without a prefix, a value word: **High-value** when money spent is 0.5 or more above
//!    average, **Low-value** when 0.5 or more below;
//! 3. a noun: **bargain hunters** when the average basket is 0.5 or more below average; else
//!    **loyal** when frequency is 0.5 or more above average; else **big spenders** when the
//!    average basket is 0.5 or more above; else **occasional buyers**.
//!
//! So "High-value loyal", "Lapsed bargain hunters", "New occasional buyers".
//!
//! Without transactions the name is made of the two most distinctive attributes (largest mean
//! |z|, at least 0.25, each column once; a category only when the segment has more of it than
//! average), phrased around "customers":
//! - a category's value goes before it, in lower case but acronyms ("Month-to-month fiber optic
//!   customers");
//! - a yes/no value goes after it as "with"/"without" the column ("customers without internet
//!   service", "with paperless billing"), and so does a value that starts with "No" ("No
//!   internet service": "without internet service"); a phrase already said is not repeated;
//! - a number goes after it as "with high"/"with low" the column ("customers with high monthly
//!   charges").
//!
//! Names are unique within a run: a repeat gets the next most distinctive trait, then a number.

use crate::data::dataset::{AttrValues, Dataset};
use crate::data::roles::Role;
use crate::models::segment::features::Features;

/// One segment's profile.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SegmentProfile {
    /// Segment id (`0..k`, or the RFM segment's number).
    pub id: usize,
    /// The name shown: the user's, or the automatic one.
    pub name: String,
    /// The name the rule gives.
    pub auto_name: String,
    /// Customers in it.
    pub size: usize,
    /// Share of all customers.
    pub customer_share: f64,
    /// Money spent by its customers, net.
    pub revenue: f64,
    /// Share of all money spent.
    pub revenue_share: f64,
    /// Mean of each feature, in its own units (same order as the feature names).
    pub means: Vec<f64>,
    /// Mean z-score of each feature.
    pub z: Vec<f64>,
    /// Its top categories with their share of its spend.
    pub top_categories: Vec<(String, f64)>,
    /// Share of churned customers, where the data has a label.
    pub churn_share: Option<f64>,
}

/// Builds the profile of every non-empty segment, ordered by id.
pub fn profiles(
    data: &Dataset,
    features: &Features,
    labels: &[usize],
    k: usize,
) -> Vec<SegmentProfile> {
    let p = features.p();
    let n = labels.len();
    let mut size = vec![0usize; k];
    let mut revenue = vec![0.0; k];
    let mut sum_raw = vec![vec![0.0; p]; k];
    let mut sum_z = vec![vec![0.0; p]; k];
    for (i, &l) in labels.iter().enumerate() {
        let (Some(s), Some(r), Some(sr), Some(sz)) = (
            size.get_mut(l),
            revenue.get_mut(l),
            sum_raw.get_mut(l),
            sum_z.get_mut(l),
        ) else {
            continue;
        };
        *s += 1;
        *r += features.revenue.get(i).copied().unwrap_or(0.0);
        for (acc, v) in sr.iter_mut().zip(features.raw_row(i)) {
            *acc += v;
        }
        for (acc, v) in sz.iter_mut().zip(features.row(i)) {
            *acc += v;
        }
    }
    let total_revenue: f64 = revenue.iter().sum();
    let categories = category_spend(data, labels, k);
    let churn = churn_labels(data);
    (0..k)
        .filter(|&s| size[s] > 0)
        .map(|s| {
            let m = size[s] as f64;
            let churn_share = churn.as_ref().map(|c| {
                let (yes, known) = labels
                    .iter()
                    .zip(c)
                    .filter(|(l, v)| **l == s && v.is_some())
                    .fold((0.0, 0.0), |(y, k), (_, v)| {
                        (y + f64::from(u8::from(v.unwrap_or(false))), k + 1.0)
                    });
                if known > 0.0 { yes / known } else { 0.0 }
            });
            SegmentProfile {
                id: s,
                name: String::new(),
                auto_name: String::new(),
                size: size[s],
                customer_share: m / n.max(1) as f64,
                revenue: revenue[s],
                revenue_share: if total_revenue.abs() > 0.0 {
                    revenue[s] / total_revenue
                } else {
                    0.0
                },
                means: sum_raw[s].iter().map(|v| v / m).collect(),
                z: sum_z[s].iter().map(|v| v / m).collect(),
                top_categories: categories.get(s).cloned().unwrap_or_default(),
                churn_share,
            }
        })
        .collect()
}

/// Each segment's top three categories by share of its positive spend.
fn category_spend(data: &Dataset, labels: &[usize], k: usize) -> Vec<Vec<(String, f64)>> {
    let t = &data.transactions;
    let n_cat = data.products.categories.len();
    if n_cat == 0 || t.is_empty() {
        return vec![Vec::new(); k];
    }
    let mut spend = vec![vec![0.0; n_cat]; k];
    for (c, amount, cat) in data.positive_spend() {
        if let (Some(cat), Some(&seg)) = (cat, labels.get(c as usize))
            && let Some(v) = spend.get_mut(seg).and_then(|row| row.get_mut(cat as usize))
        {
            *v += amount;
        }
    }
    spend
        .into_iter()
        .map(|row| {
            let total: f64 = row.iter().sum();
            let mut order: Vec<usize> = (0..n_cat).filter(|&c| row[c] > 0.0).collect();
            order.sort_by(|&a, &b| row[b].total_cmp(&row[a]).then(a.cmp(&b)));
            order
                .into_iter()
                .take(3)
                .map(|c| {
                    (
                        data.products.categories.get(c).cloned().unwrap_or_default(),
                        row[c] / total,
                    )
                })
                .collect()
        })
        .collect()
}

/// The churn label per customer, when the customers table has a numeric label column.
fn churn_labels(data: &Dataset) -> Option<Vec<Option<bool>>> {
    let attr = data
        .attributes
        .iter()
        .find(|a| a.role == Role::Label && a.name == "churned")
        .or_else(|| data.attributes.iter().find(|a| a.role == Role::Label))?;
    match &attr.values {
        AttrValues::Numeric(v) => Some(v.iter().map(|x| x.map(|x| x != 0.0)).collect()),
        AttrValues::Categorical { .. } => None,
    }
}

fn z_of(names: &[String], z: &[f64], feature: &str) -> Option<f64> {
    names
        .iter()
        .position(|n| n == feature)
        .and_then(|i| z.get(i).copied())
}

/// The most distinctive traits of a segment, most distinctive first, as short phrases: each
/// source column once; for a one-hot column only a value the segment has more of than average.
fn traits(names: &[String], z: &[f64]) -> Vec<String> {
    let mut order: Vec<usize> = (0..names.len().min(z.len())).collect();
    order.sort_by(|&a, &b| z[b].abs().total_cmp(&z[a].abs()).then(a.cmp(&b)));
    let mut columns_used: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for i in order {
        if z[i].abs() < 0.25 {
            break;
        }
        let name = names[i].as_str();
        let (column, phrase) = match name.split_once('=') {
            Some((_, _)) if z[i] < 0.0 => continue,
            Some((col, level)) => (col, format!("{col} {level}")),
            None => {
                let pretty = name
                    .strip_prefix("share_")
                    .map(|c| format!("{c} share"))
                    .unwrap_or_else(|| name.replace('_', " "));
                let side = if z[i] > 0.0 { "high" } else { "low" };
                (name, format!("{side} {pretty}"))
            }
        };
        if columns_used.contains(&column) {
            continue;
        }
        columns_used.push(column);
        out.push(phrase);
    }
    out
}

/// A trait of a segment without transactions, placed before "customers" or after it.
enum Phrase {
    Before(String),
    After(String),
}

/// Words in lower case, acronyms (`TV`, `DSL`) kept.
fn lower_words(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            if w.chars().count() >= 2 && w.chars().all(|c| !c.is_lowercase()) {
                w.to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The two most distinctive attributes as phrases (see the module docs).
fn attribute_phrases(names: &[String], z: &[f64]) -> Vec<Phrase> {
    let mut order: Vec<usize> = (0..names.len().min(z.len())).collect();
    order.sort_by(|&a, &b| z[b].abs().total_cmp(&z[a].abs()).then(a.cmp(&b)));
    let column_words = |c: &str| lower_words(&crate::models::churn::reasons::pretty_name(c.trim()));
    let mut columns_used: Vec<&str> = Vec::new();
    let mut said: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for i in order {
        if z[i].abs() < 0.25 || out.len() == 2 {
            break;
        }
        let name = names[i].as_str();
        let (column, phrase) = match name.split_once('=') {
            Some(_) if z[i] < 0.0 => continue,
            Some((col, level)) => {
                let level = level.trim();
                let phrase = match level.to_ascii_lowercase().as_str() {
                    "yes" | "y" | "true" | "1" => {
                        Phrase::After(format!("with {}", column_words(col)))
                    }
                    "no" | "n" | "false" | "0" => {
                        Phrase::After(format!("without {}", column_words(col)))
                    }
                    l if l.starts_with("no ") => {
                        Phrase::After(format!("without {}", lower_words(&level[3..])))
                    }
                    _ => Phrase::Before(lower_words(level)),
                };
                (col, phrase)
            }
            None => {
                let side = if z[i] > 0.0 { "high" } else { "low" };
                (
                    name,
                    Phrase::After(format!("with {side} {}", column_words(name))),
                )
            }
        };
        let text = match &phrase {
            Phrase::Before(t) | Phrase::After(t) => t.clone(),
        };
        // Columns that say the same thing ("No internet service" in several) count once.
        if columns_used.contains(&column) || said.contains(&text) {
            continue;
        }
        columns_used.push(column);
        said.push(text);
        out.push(phrase);
    }
    out
}

/// The name of a segment without transactions (see the module docs).
fn attribute_name(names: &[String], z: &[f64]) -> String {
    let phrases = attribute_phrases(names, z);
    if phrases.is_empty() {
        return "Typical customers".to_string();
    }
    let (mut before, mut after): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for phrase in &phrases {
        match phrase {
            Phrase::Before(t) => before.push(t),
            Phrase::After(t) => after.push(t),
        }
    }
    // "with high A and with low B" reads "with high A and low B".
    let after: Vec<&str> = after
        .iter()
        .enumerate()
        .map(|(i, t)| match (i, t.strip_prefix("with ")) {
            (1, Some(rest)) if after[0].starts_with("with ") => rest,
            _ => t,
        })
        .collect();
    let words: Vec<String> = [
        before.join(" "),
        "customers".to_string(),
        after.join(" and "),
    ]
    .into_iter()
    .filter(|w| !w.is_empty())
    .collect();
    capitalize(&words.join(" "))
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The rule's name for a segment with these mean z-scores (see the module docs).
pub fn auto_name(names: &[String], z: &[f64]) -> String {
    let get = |f: &str| z_of(names, z, f);
    let (Some(recency), Some(frequency), Some(monetary)) =
        (get("recency_days"), get("frequency"), get("monetary"))
    else {
        return attribute_name(names, z);
    };
    let tenure = get("tenure_days").unwrap_or(0.0);
    let basket = get("avg_basket").unwrap_or(0.0);
    let prefix = if recency >= 0.75 {
        Some("lapsed")
    } else if tenure <= -0.75 {
        Some("new")
    } else {
        None
    };
    let value = match prefix {
        Some(_) => None,
        None if monetary >= 0.5 => Some("high-value"),
        None if monetary <= -0.5 => Some("low-value"),
        None => None,
    };
    let noun = if basket <= -0.5 {
        "bargain hunters"
    } else if frequency >= 0.5 {
        "loyal"
    } else if basket >= 0.5 {
        "big spenders"
    } else {
        "occasional buyers"
    };
    let words: Vec<&str> = [prefix, value, Some(noun)].into_iter().flatten().collect();
    capitalize(&words.join(" "))
}

/// Names every profile by the rule, unique within the run; `renamed` maps an automatic name to
/// the user's name for it, which is kept.
pub fn name_segments(
    profiles: &mut [SegmentProfile],
    feature_names: &[String],
    renamed: &[(String, String)],
) {
    let mut used: Vec<String> = Vec::new();
    for p in profiles.iter_mut() {
        let base = auto_name(feature_names, &p.z);
        let mut name = base.clone();
        if used.contains(&name) {
            let extra = traits(feature_names, &p.z)
                .into_iter()
                .map(|t| format!("{base}, {t}"))
                .find(|candidate| !used.contains(candidate));
            name = extra.unwrap_or_else(|| {
                (2..)
                    .map(|i| format!("{base} {i}"))
                    .find(|c| !used.contains(c))
                    .unwrap_or_default()
            });
        }
        used.push(name.clone());
        p.name = renamed
            .iter()
            .find(|(auto, _)| *auto == name)
            .map(|(_, user)| user.clone())
            .unwrap_or_else(|| name.clone());
        p.auto_name = name;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        crate::models::segment::features::BEHAVIOUR_COLUMNS
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn the_rule_by_example() {
        let n = names();
        assert_eq!(
            auto_name(&n, &[-0.5, 1.2, 1.5, 0.8, 0.6]),
            "High-value loyal"
        );
        assert_eq!(
            auto_name(&n, &[1.4, -0.6, -0.7, 0.2, -0.9]),
            "Lapsed bargain hunters"
        );
        assert_eq!(
            auto_name(&n, &[-0.3, -0.2, -0.1, -1.1, 0.0]),
            "New occasional buyers"
        );
        assert_eq!(
            auto_name(&n, &[0.0, 0.1, 0.7, 0.0, 1.0]),
            "High-value big spenders"
        );
        assert_eq!(
            auto_name(&n, &[0.0, 0.0, -0.6, 0.0, 0.0]),
            "Low-value occasional buyers"
        );
    }

    #[test]
    fn changing_a_profile_changes_its_name() {
        let n = names();
        let mut z = vec![-0.5, 1.2, 1.5, 0.8, 0.6];
        assert_eq!(auto_name(&n, &z), "High-value loyal");
        z[0] = 1.0; // they stopped buying
        assert_eq!(auto_name(&n, &z), "Lapsed loyal");
    }

    #[test]
    fn attribute_only_names_use_the_distinctive_columns() {
        let n: Vec<String> = ["tenure", "Contract=Two year", "Contract=Month-to-month"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            auto_name(&n, &[1.1, 0.9, -0.2]),
            "Two year customers with high tenure"
        );
        assert_eq!(auto_name(&n, &[0.1, 0.0, 0.0]), "Typical customers");
        let telco: Vec<String> = [
            "Contract=Month-to-month",
            "InternetService=Fiber optic",
            "InternetService=No",
            "MonthlyCharges",
            "OnlineSecurity=No internet service",
            "PaperlessBilling=Yes",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            auto_name(&telco, &[0.9, 0.8, -0.5, 0.3, -0.4, 0.1]),
            "Month-to-month fiber optic customers"
        );
        assert_eq!(
            auto_name(&telco, &[-0.3, -0.6, 1.2, -0.9, 1.2, 0.0]),
            "Customers without internet service and with low monthly charges"
        );
        assert_eq!(
            auto_name(&telco, &[0.0, 0.0, 0.0, 0.1, 0.9, 0.4]),
            "Customers without internet service and with paperless billing"
        );
    }

    fn profile(id: usize, z: Vec<f64>) -> SegmentProfile {
        SegmentProfile {
            id,
            name: String::new(),
            auto_name: String::new(),
            size: 1,
            customer_share: 0.0,
            revenue: 0.0,
            revenue_share: 0.0,
            means: vec![],
            z,
            top_categories: vec![],
            churn_share: None,
        }
    }

    #[test]
    fn names_are_unique_and_renames_are_kept() {
        let n = names();
        let mut ps = vec![
            profile(0, vec![-0.5, 1.2, 1.5, 0.8, 0.6]),
            profile(1, vec![-0.5, 1.0, 1.9, 0.3, 0.6]),
            profile(2, vec![1.5, -1.0, -1.0, 0.0, -1.0]),
        ];
        name_segments(
            &mut ps,
            &n,
            &[("Lapsed bargain hunters".into(), "Win-back list".into())],
        );
        assert_eq!(ps[0].name, "High-value loyal");
        assert_eq!(ps[1].name, "High-value loyal, high monetary");
        assert_eq!(ps[2].auto_name, "Lapsed bargain hunters");
        assert_eq!(ps[2].name, "Win-back list");
    }
}
