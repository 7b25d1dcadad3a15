//! Reason codes: the features that push a customer's churn risk up most, in a marketer's words.
//!
//! Contributions come per model column (logistic: coefficient × standardized value; forest:
//! path contributions) and are summed per source column, so the one-hot columns of `Contract`
//! speak as one: "Contract: Month-to-month". Numbers read with the column's name and value,
//! with "low"/"high" against the median where that helps ("Monthly charges 95.70 (high)"),
//! and with the unit where the name tells it ("Tenure 2 months (low)": a column named
//! `tenure`, as in the Telco data, or with a word `months`, `days`, `weeks` or `years`);
//! behaviour reads as a sentence, measured at the reference time ("Last purchase 120 days
//! before the cutoff" with an inactivity label, "… days ago" otherwise). The top
//! three columns with a positive push are kept; a customer with none (a low-risk customer)
//! gets the single column that pushes the risk up most (lowers it least), so every customer
//! has at least one reason.

use crate::models::churn::features::{FeatureKind, FeatureMatrix, GroupKind};

/// One reason.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reason {
    /// The source column or behaviour measure.
    pub column: String,
    /// The phrase shown to the marketer.
    pub text: String,
    /// Its push on the risk (log-odds for logistic, probability for the forest).
    pub weight: f64,
}

/// `MonthlyCharges` → `Monthly charges`, `days_since_visit` → `Days since visit`; a one-hot
/// column `region = South East` keeps its value as stored (`Region = South East`).
pub fn pretty_name(column: &str) -> String {
    if let Some((name, value)) = column.split_once(" = ") {
        return format!("{} = {value}", pretty_name(name));
    }
    let mut words = String::new();
    let mut prev_lower = false;
    for c in column.chars() {
        if c == '_' || c == '-' {
            words.push(' ');
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            words.push(' ');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        words.push(c);
    }
    // Lower-case each word but acronyms (`TV`, `ID`); capitalize the first.
    let text: Vec<String> = words
        .split_whitespace()
        .map(|w| {
            if w.chars().count() >= 2 && w.chars().all(|c| c.is_uppercase()) {
                w.to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect();
    let text = text.join(" ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn plural(v: f64, one: &str, many: &str) -> String {
    format!("{v:.0} {}", if v.round() == 1.0 { one } else { many })
}

/// The unit of a numeric column when its name tells it: a word `month(s)`, `day(s)`,
/// `week(s)` or `year(s)`, or the Telco convention `tenure` (months). (`MonthlyCharges` is not
/// in months: whole words only.)
pub fn unit_of(column: &str) -> Option<(&'static str, &'static str)> {
    let name = pretty_name(column).to_lowercase();
    if name == "tenure" {
        return Some(("month", "months"));
    }
    name.split_whitespace().find_map(|w| match w {
        "month" | "months" => Some(("month", "months")),
        "day" | "days" => Some(("day", "days")),
        "week" | "weeks" => Some(("week", "weeks")),
        "year" | "years" => Some(("year", "years")),
        _ => None,
    })
}

/// `2` → `2 months`, `1` → `1 month`, `2.5` → `2.50 months`.
fn with_unit(v: f64, one: &str, many: &str) -> String {
    format!("{} {}", number(v), if v == 1.0 { one } else { many })
}

/// The phrase for group `g` of row `k`.
pub fn describe(fm: &FeatureMatrix, k: usize, g: usize) -> String {
    let Some(group) = fm.groups.get(g) else {
        return String::new();
    };
    let row = fm.row(k);
    let name = pretty_name(&group.column);
    match &group.kind {
        GroupKind::Categorical => {
            let hot = group
                .features
                .iter()
                .find(|&&j| row.get(j).is_some_and(|v| *v == 1.0))
                .and_then(|&j| fm.features.get(j));
            match hot.map(|f| &f.kind) {
                Some(FeatureKind::Level(l)) => format!("{name}: {l}"),
                Some(FeatureKind::Other) => format!("{name}: a less common value"),
                Some(FeatureKind::Blank) | None => format!("{name}: blank"),
                Some(FeatureKind::Value) => name,
            }
        }
        GroupKind::Numeric { median, binary } => {
            if fm.is_blank(k, g) {
                return format!("{name}: blank");
            }
            let v = group
                .features
                .first()
                .and_then(|&j| row.get(j))
                .copied()
                .unwrap_or(0.0);
            let level = if v < *median {
                " (low)"
            } else if v > *median {
                " (high)"
            } else {
                ""
            };
            let days = v.round();
            // Behaviour is measured at the reference time: the cutoff, or the end of the data.
            let ago = if fm.reference_is_cutoff {
                "before the cutoff"
            } else {
                "ago"
            };
            match group.column.as_str() {
                "recency_days" => format!("Last purchase {} {ago}", plural(days, "day", "days")),
                "tenure_days" => format!("Customer for {}", plural(days, "day", "days")),
                "frequency" => format!("{}{level}", plural(v, "order", "orders")),
                // Returns beyond purchases are said as such, never as a negative spend.
                "monetary" | "avg_basket" if v < 0.0 => {
                    format!("Returned more than bought (net refund {:.2})", -v)
                }
                "monetary" => format!("Spend {v:.2}{level}"),
                "avg_basket" => format!("Average basket {v:.2}{level}"),
                "distinct_products" => {
                    format!(
                        "{}{level}",
                        plural(v, "product bought", "different products bought")
                    )
                }
                "days_between_orders" => {
                    format!("{} between orders{level}", plural(days, "day", "days"))
                }
                "orders_last_90_days" => format!(
                    "{} in the last 90 days{level}",
                    plural(v, "order", "orders")
                ),
                "returns_share" => format!("Returned {:.0}% of items{level}", v * 100.0),
                c if c.ends_with("_days_ago") => format!(
                    "{} {} {ago}",
                    pretty_name(c.trim_end_matches("_days_ago")),
                    plural(days, "day", "days")
                ),
                _ if *binary => format!("{name}: {}", if v == 1.0 { "yes" } else { "no" }),
                c if let Some((one, many)) = unit_of(c) => {
                    format!("{name} {}{level}", with_unit(v, one, many))
                }
                _ => format!("{name} {}{level}", number(v)),
            }
        }
    }
}

/// Sums per-column contributions into per-group contributions.
pub fn group_contributions(fm: &FeatureMatrix, contrib: &[f64]) -> Vec<f64> {
    fm.groups
        .iter()
        .map(|g| g.features.iter().filter_map(|&j| contrib.get(j)).sum())
        .collect()
}

/// The top `max` reasons of row `k` given its per-column contributions (at least one).
pub fn top_reasons(fm: &FeatureMatrix, k: usize, contrib: &[f64], max: usize) -> Vec<Reason> {
    let by_group = group_contributions(fm, contrib);
    let mut order: Vec<usize> = (0..by_group.len()).collect();
    order.sort_by(|&a, &b| by_group[b].total_cmp(&by_group[a]).then(a.cmp(&b)));
    let mut out: Vec<Reason> = order
        .iter()
        .filter(|&&g| by_group[g] > 0.0)
        .take(max)
        .map(|&g| reason(fm, k, g, by_group[g]))
        .collect();
    if out.is_empty()
        && let Some(&g) = order.first()
    {
        out.push(reason(fm, k, g, by_group[g]));
    }
    out
}

fn reason(fm: &FeatureMatrix, k: usize, g: usize, weight: f64) -> Reason {
    Reason {
        column: fm
            .groups
            .get(g)
            .map(|g| g.column.clone())
            .unwrap_or_default(),
        text: describe(fm, k, g),
        weight,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::churn::features::{Feature, Group, Source};

    #[test]
    fn names_read_like_words() {
        assert_eq!(pretty_name("MonthlyCharges"), "Monthly charges");
        assert_eq!(pretty_name("tenure"), "Tenure");
        assert_eq!(pretty_name("signup_date"), "Signup date");
        assert_eq!(pretty_name("PaymentMethod"), "Payment method");
        assert_eq!(pretty_name("StreamingTV"), "Streaming TV");
        assert_eq!(pretty_name("region = South East"), "Region = South East");
    }

    fn matrix() -> FeatureMatrix {
        let f = |name: &str, group, kind| Feature {
            name: name.into(),
            group,
            kind,
            log_scale: false,
        };
        FeatureMatrix {
            features: vec![
                f("tenure", 0, FeatureKind::Value),
                f(
                    "Contract = Month-to-month",
                    1,
                    FeatureKind::Level("Month-to-month".into()),
                ),
                f(
                    "Contract = Two year",
                    1,
                    FeatureKind::Level("Two year".into()),
                ),
                f("recency_days", 2, FeatureKind::Value),
            ],
            groups: vec![
                Group {
                    column: "tenure".into(),
                    source: Source::Attribute,
                    kind: GroupKind::Numeric {
                        median: 29.0,
                        binary: false,
                    },
                    features: vec![0],
                },
                Group {
                    column: "Contract".into(),
                    source: Source::Attribute,
                    kind: GroupKind::Categorical,
                    features: vec![1, 2],
                },
                Group {
                    column: "recency_days".into(),
                    source: Source::Behaviour,
                    kind: GroupKind::Numeric {
                        median: 30.0,
                        binary: false,
                    },
                    features: vec![3],
                },
            ],
            n: 2,
            x: vec![2.0, 1.0, 0.0, 120.0, 60.0, 0.0, 1.0, 3.0],
            blank: vec![false; 6],
            used_columns: vec![],
            left_out: vec![],
            imputed: vec![],
            reference_ts: None,
            reference_is_cutoff: false,
        }
    }

    #[test]
    fn reasons_are_phrased_and_never_empty() {
        let fm = matrix();
        let r = top_reasons(&fm, 0, &[0.8, 0.5, 0.1, 0.3], 3);
        let texts: Vec<&str> = r.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Tenure 2 months (low)",
                "Contract: Month-to-month",
                "Last purchase 120 days ago"
            ]
        );
        // Nothing pushes up: the least negative still gives a reason.
        let r = top_reasons(&fm, 1, &[-0.8, 0.0, -0.4, -0.1], 3);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].text, "Last purchase 3 days ago");
        assert_eq!(describe(&fm, 1, 1), "Contract: Two year");
        // With an inactivity label behaviour is measured at the cutoff.
        let cut = FeatureMatrix {
            reference_is_cutoff: true,
            ..matrix()
        };
        assert_eq!(
            describe(&cut, 0, 2),
            "Last purchase 120 days before the cutoff"
        );
        assert_eq!(describe(&cut, 1, 0), "Tenure 60 months (high)");
        // Returns beyond purchases are not a negative spend.
        let mut fm = matrix();
        fm.groups[0].column = "monetary".into();
        fm.x[0] = -1192.2;
        assert_eq!(
            describe(&fm, 0, 0),
            "Returned more than bought (net refund 1192.20)"
        );
        assert_eq!(describe(&fm, 1, 0), "Spend 60.00 (high)");
    }

    #[test]
    fn units_come_from_whole_words_of_the_name() {
        assert_eq!(unit_of("tenure"), Some(("month", "months")));
        assert_eq!(unit_of("Tenure"), Some(("month", "months")));
        assert_eq!(unit_of("tenure_months"), Some(("month", "months")));
        assert_eq!(unit_of("days_since_visit"), Some(("day", "days")));
        assert_eq!(unit_of("YearsActive"), Some(("year", "years")));
        assert_eq!(unit_of("MonthlyCharges"), None);
        assert_eq!(unit_of("TotalCharges"), None);
        assert_eq!(unit_of("tenure_score"), None);
        assert_eq!(with_unit(1.0, "month", "months"), "1 month");
        assert_eq!(with_unit(2.5, "month", "months"), "2.50 months");
    }
}
