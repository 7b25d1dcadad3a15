//! Groups of a protected column: categories by their stored values; ages (`age`, or
//! `birth_year` against the year of the latest transaction) in the bands the demographic
//! recommender uses; other numbers with at most [`MAX_LEVELS`] distinct values (0/1 flags such
//! as SeniorCitizen) by value; continuous numbers in quartile bands.

use crate::data::dataset::{AttrValues, Attribute, Dataset};
use crate::error::{Error, Result};
use crate::models::recommend::demographic::{AGE_BANDS, age_bands, age_reference_year};

/// Numeric columns with at most this many distinct values are grouped by value.
pub const MAX_LEVELS: usize = 12;

/// Each customer's group (`None` when blank) and the group names.
#[derive(Debug, Clone, PartialEq)]
pub struct Groups {
    /// The column.
    pub attribute: String,
    /// How sentences name it ("age" for a birth-year column's bands).
    pub display: String,
    /// Group index per customer.
    pub of: Vec<Option<u32>>,
    /// Group names.
    pub names: Vec<String>,
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}

fn from_labels(attribute: &str, labels: Vec<Option<String>>, order: Option<&[&str]>) -> Groups {
    let mut names: Vec<String> = labels.iter().flatten().cloned().collect();
    names.sort();
    names.dedup();
    if let Some(order) = order {
        names.sort_by_key(|n| order.iter().position(|o| o == n).unwrap_or(usize::MAX));
    }
    let of = labels
        .iter()
        .map(|l| {
            l.as_ref()
                .and_then(|l| names.iter().position(|n| n == l))
                .map(|i| i as u32)
        })
        .collect();
    Groups {
        attribute: attribute.to_string(),
        display: attribute.to_string(),
        of,
        names,
    }
}

/// A yes/no flag's value as a word (`1`, `true`, `Y` → "yes"), or `None` for other values.
fn yes_no(value: &str) -> Option<&'static str> {
    match value.trim().to_lowercase().as_str() {
        "1" | "true" | "t" | "y" | "yes" => Some("yes"),
        "0" | "false" | "f" | "n" | "no" => Some("no"),
        _ => None,
    }
}

/// Names the groups of a yes/no column with the column ("Senior citizen: yes"), so that "0"
/// and "1" never stand alone; other columns keep their values.
fn named_by_column(mut g: Groups) -> Groups {
    let words: Option<Vec<&str>> = g.names.iter().map(|n| yes_no(n)).collect();
    if let Some(words) = words.filter(|w| !w.is_empty()) {
        let column = crate::models::churn::reasons::pretty_name(&g.attribute);
        g.names = words.iter().map(|w| format!("{column}: {w}")).collect();
    }
    g
}

/// Groups of one attribute column.
pub fn groups_of(data: &Dataset, attr: &Attribute) -> Groups {
    named_by_column(groups_of_values(data, attr))
}

fn groups_of_values(data: &Dataset, attr: &Attribute) -> Groups {
    let name = attr.name.trim().to_lowercase();
    match &attr.values {
        AttrValues::Categorical { levels, codes } => Groups {
            attribute: attr.name.clone(),
            display: attr.name.clone(),
            of: codes.clone(),
            names: levels.clone(),
        },
        AttrValues::Numeric(values) => {
            let reference_year = age_reference_year(data);
            if name == "age" || (name.contains("birth") && reference_year.is_some()) {
                let birth_years_in = reference_year.filter(|_| name != "age");
                let labels = age_bands(values, birth_years_in);
                let mut g = from_labels(&attr.name, labels, Some(&AGE_BANDS));
                g.display = "age".into();
                return g;
            }
            let mut distinct: Vec<f64> = values.iter().flatten().copied().collect();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            if distinct.len() <= MAX_LEVELS {
                let labels = values.iter().map(|v| v.map(number)).collect();
                let mut g = from_labels(&attr.name, labels, None);
                // Numeric order, not text order.
                let order: Vec<String> = distinct.iter().map(|v| number(*v)).collect();
                let refs: Vec<&str> = order.iter().map(String::as_str).collect();
                let labels: Vec<Option<String>> =
                    g.of.iter()
                        .map(|i| i.and_then(|i| g.names.get(i as usize).cloned()))
                        .collect();
                g = from_labels(&attr.name, labels, Some(&refs));
                return g;
            }
            // Quartile bands.
            let mut sorted: Vec<f64> = values.iter().flatten().copied().collect();
            sorted.sort_by(f64::total_cmp);
            let q = |p: f64| {
                sorted
                    .get(((sorted.len() - 1) as f64 * p).round() as usize)
                    .copied()
                    .unwrap_or(0.0)
            };
            let cuts = [q(0.25), q(0.5), q(0.75)];
            let names = vec![
                format!("up to {}", number(cuts[0])),
                format!("{}–{}", number(cuts[0]), number(cuts[1])),
                format!("{}–{}", number(cuts[1]), number(cuts[2])),
                format!("over {}", number(cuts[2])),
            ];
            let of = values
                .iter()
                .map(|v| v.map(|x| cuts.iter().filter(|c| x > **c).count() as u32))
                .collect();
            Groups {
                attribute: attr.name.clone(),
                display: attr.name.clone(),
                of,
                names,
            }
        }
    }
}

/// Groups of the column named `attribute` (case-insensitive).
pub fn groups_named(data: &Dataset, attribute: &str) -> Result<Groups> {
    let attr = data
        .attributes
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(attribute.trim()))
        .ok_or_else(|| {
            let known: Vec<&str> = data.attributes.iter().map(|a| a.name.as_str()).collect();
            if data.pii_columns.iter().any(|p| p.eq_ignore_ascii_case(attribute.trim())) {
                Error::Invalid(format!(
                    "column {attribute} holds personal data and is never loaded; audit a protected column instead"
                ))
            } else {
                Error::Invalid(format!(
                    "customers has no column {attribute} (columns: {})",
                    known.join(", ")
                ))
            }
        })?;
    Ok(groups_of(data, attr))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::roles::Role;

    fn attr(name: &str, values: Vec<Option<f64>>) -> Attribute {
        Attribute {
            name: name.into(),
            role: Role::Protected,
            values: AttrValues::Numeric(values),
        }
    }

    #[test]
    fn flags_by_value_ages_by_band_money_by_quartile() {
        let d = Dataset::default();
        let g = groups_of(&d, &attr("SeniorCitizen", vec![Some(0.0), Some(1.0), None]));
        assert_eq!(g.names, ["Senior citizen: no", "Senior citizen: yes"]);
        assert_eq!(g.of, [Some(0), Some(1), None]);
        let g = groups_of(
            &d,
            &Attribute {
                name: "Partner".into(),
                role: Role::Protected,
                values: AttrValues::Categorical {
                    levels: vec!["No".into(), "Yes".into()],
                    codes: vec![Some(1), Some(0)],
                },
            },
        );
        assert_eq!(g.names, ["Partner: no", "Partner: yes"]);

        let g = groups_of(&d, &attr("age", vec![Some(70.0), Some(20.0), Some(30.0)]));
        assert_eq!(g.names, ["under 25", "25–34", "65 and over"]);
        assert_eq!(g.of, [Some(2), Some(0), Some(1)]);
        let g = groups_of(
            &d,
            &attr("balance", (0..100).map(|i| Some(f64::from(i))).collect()),
        );
        assert_eq!(g.names.len(), 4);
        assert_eq!(g.of[0], Some(0));
        assert_eq!(g.of[99], Some(3));
    }
}
