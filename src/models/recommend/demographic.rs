//! Demographic recommendations: what is popular among customers who share a region (a column
//! named region, country, state, province, city…), and, only where the marketer allows
//! protected columns, an age band and gender. A group smaller than [`MIN_GROUP`] falls back to
//! the region alone.

use std::collections::HashMap;

use crate::data::dataset::{AttrValues, Attribute, Dataset};
use crate::data::roles::Role;
use crate::models::recommend::interactions::Interactions;

/// Groups smaller than this fall back to the region alone.
pub const MIN_GROUP: u32 = 20;

const REGION_NAMES: [&str; 9] = [
    "region",
    "country",
    "state",
    "province",
    "city",
    "county",
    "area",
    "territory",
    "location",
];
const GENDER_NAMES: [&str; 2] = ["gender", "sex"];
const AGE_NAMES: [&str; 4] = ["age", "birth_year", "birthyear", "year_of_birth"];

/// One group of customers.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// (column, value) pairs that define it.
    pub labels: Vec<(String, String)>,
    /// Customers in it.
    pub size: u32,
}

/// Popularity within demographic groups.
#[derive(Debug, Clone, PartialEq)]
pub struct Demographic {
    /// The columns used, in order.
    pub columns: Vec<String>,
    /// Each customer's group, if their values are known.
    pub group_of: Vec<Option<u32>>,
    /// The groups.
    pub groups: Vec<Group>,
    /// `counts[g * n_products + p]`: customers of group `g` who have product `p`.
    counts: Vec<u32>,
    n_products: usize,
}

fn normalized(name: &str) -> String {
    name.trim().to_lowercase().replace([' ', '-'], "_")
}

/// A column's per-customer labels (None where blank), or `None` if the column can't be used.
fn labels_of(attr: &Attribute, age_reference_year: Option<i32>) -> Option<Vec<Option<String>>> {
    let name = normalized(&attr.name);
    match &attr.values {
        AttrValues::Categorical { levels, codes } => Some(
            codes
                .iter()
                .map(|c| c.and_then(|c| levels.get(c as usize).cloned()))
                .collect(),
        ),
        AttrValues::Numeric(values) if AGE_NAMES.contains(&name.as_str()) => {
            let is_birth_year = name != "age";
            if is_birth_year && age_reference_year.is_none() {
                return None;
            }
            Some(age_bands(
                values,
                age_reference_year.filter(|_| is_birth_year),
            ))
        }
        AttrValues::Numeric(values) if GENDER_NAMES.contains(&name.as_str()) => {
            Some(values.iter().map(|v| v.map(|x| format!("{x}"))).collect())
        }
        AttrValues::Numeric(_) => None,
    }
}

/// The age bands, youngest first.
pub const AGE_BANDS: [&str; 6] = [
    "under 25",
    "25–34",
    "35–44",
    "45–54",
    "55–64",
    "65 and over",
];

/// The age band of an age in years.
pub fn age_band(age: f64) -> Option<String> {
    if !(0.0..130.0).contains(&age) {
        return None;
    }
    let band = match age as u32 {
        0..=24 => 0,
        25..=34 => 1,
        35..=44 => 2,
        45..=54 => 3,
        55..=64 => 4,
        _ => 5,
    };
    AGE_BANDS.get(band).map(|b| b.to_string())
}

/// Each value's age band: `values` are ages, or birth years when `birth_years_in` gives the
/// year to measure them against.
pub fn age_bands(values: &[Option<f64>], birth_years_in: Option<i32>) -> Vec<Option<String>> {
    values
        .iter()
        .map(|v| {
            let v = (*v)?;
            let age = match birth_years_in {
                Some(year) => f64::from(year) - v,
                None => v,
            };
            age_band(age)
        })
        .collect()
}

/// The calendar year of `data`'s latest transaction, which birth years are measured against.
pub fn age_reference_year(data: &Dataset) -> Option<i32> {
    data.transactions
        .ts
        .iter()
        .max()
        .and_then(|t| chrono::DateTime::from_timestamp(*t, 0))
        .map(|d| chrono::Datelike::year(&d))
}

impl Demographic {
    /// Builds the groups from `data`'s customer columns and their popularity from
    /// `interactions`; `None` when no usable column exists.
    pub fn fit(
        data: &Dataset,
        interactions: &Interactions,
        use_protected: bool,
    ) -> Option<Demographic> {
        let usable = |a: &&Attribute| match a.role {
            Role::Feature | Role::Revenue | Role::Recurring | Role::Label => true,
            Role::Protected => use_protected,
            _ => false,
        };
        let reference_year = age_reference_year(data);
        let mut chosen: Vec<(String, Vec<Option<String>>)> = Vec::new();
        let region = data.attributes.iter().filter(usable).find(|a| {
            REGION_NAMES.contains(&normalized(&a.name).as_str())
                && matches!(a.values, AttrValues::Categorical { .. })
        });
        if let Some(a) = region
            && let Some(l) = labels_of(a, reference_year)
        {
            chosen.push((a.name.clone(), l));
        }
        if use_protected {
            for names in [&AGE_NAMES[..], &GENDER_NAMES[..]] {
                let found = data
                    .attributes
                    .iter()
                    .filter(usable)
                    .find(|a| names.contains(&normalized(&a.name).as_str()));
                if let Some(a) = found
                    && let Some(l) = labels_of(a, reference_year)
                {
                    chosen.push((a.name.clone(), l));
                }
            }
        }
        if chosen.is_empty() {
            return None;
        }
        let n = data.n_customers();
        let key_of = |c: usize, depth: usize| -> Option<Vec<(String, String)>> {
            chosen
                .iter()
                .take(depth)
                .map(|(name, labels)| Some((name.clone(), labels.get(c)?.clone()?)))
                .collect()
        };
        let mut size_full: HashMap<Vec<(String, String)>, u32> = HashMap::new();
        for c in 0..n {
            if let Some(k) = key_of(c, chosen.len()) {
                *size_full.entry(k).or_insert(0) += 1;
            }
        }
        let mut ids: HashMap<Vec<(String, String)>, u32> = HashMap::new();
        let mut groups: Vec<Group> = Vec::new();
        let mut group_of = vec![None; n];
        for (c, slot) in group_of.iter_mut().enumerate() {
            let full = key_of(c, chosen.len());
            let key = match full {
                Some(k) if size_full.get(&k).copied().unwrap_or(0) >= MIN_GROUP => Some(k),
                _ => key_of(c, 1),
            };
            let Some(key) = key else { continue };
            let next = groups.len() as u32;
            let g = *ids.entry(key.clone()).or_insert_with(|| {
                groups.push(Group {
                    labels: key,
                    size: 0,
                });
                next
            });
            if let Some(group) = groups.get_mut(g as usize) {
                group.size += 1;
            }
            *slot = Some(g);
        }
        let n_products = interactions.n_products;
        let mut counts = vec![0u32; groups.len() * n_products];
        for (c, g) in group_of.iter().enumerate() {
            let Some(g) = g else { continue };
            for p in interactions.of(c) {
                if let Some(x) = counts.get_mut(*g as usize * n_products + p.product as usize) {
                    *x += 1;
                }
            }
        }
        Some(Demographic {
            columns: chosen.into_iter().map(|(n, _)| n).collect(),
            group_of,
            groups,
            counts,
            n_products,
        })
    }

    /// A customer's group.
    pub fn group(&self, customer: usize) -> Option<&Group> {
        let g = self.group_of.get(customer).copied().flatten()?;
        self.groups.get(g as usize)
    }

    /// Customers of `customer`'s group who have `product` (0 without a group).
    pub fn count(&self, customer: usize, product: u32) -> u32 {
        let Some(g) = self.group_of.get(customer).copied().flatten() else {
            return 0;
        };
        self.counts
            .get(g as usize * self.n_products + product as usize)
            .copied()
            .unwrap_or(0)
    }

    /// A customer's score for every product: the share of their group who have it.
    pub fn scores(&self, customer: usize) -> Vec<f32> {
        let Some(g) = self.group_of.get(customer).copied().flatten() else {
            return vec![0.0; self.n_products];
        };
        let size = self.groups.get(g as usize).map_or(1, |x| x.size.max(1)) as f32;
        let start = g as usize * self.n_products;
        self.counts
            .get(start..start + self.n_products)
            .map(|s| s.iter().map(|&c| c as f32 / size).collect())
            .unwrap_or_else(|| vec![0.0; self.n_products])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands() {
        assert_eq!(age_band(24.9).as_deref(), Some("under 25"));
        assert_eq!(age_band(25.0).as_deref(), Some("25–34"));
        assert_eq!(age_band(70.0).as_deref(), Some("65 and over"));
        assert_eq!(age_band(-1.0), None);
    }
}
