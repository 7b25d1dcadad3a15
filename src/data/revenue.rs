//! What a customer is worth where there are no transactions: a customers column with role
//! `revenue` (what they have paid in all) or `recurring` (what they pay per month).

use crate::data::dataset::{AttrValues, Dataset};
use crate::data::roles::Role;

/// What a revenue column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RevenueKind {
    /// What each customer has paid in all.
    Total,
    /// What each customer pays per month.
    Monthly,
}

impl Dataset {
    /// What each customer is worth where there are no transactions: the first numeric
    /// customers column with role `revenue` (a total), else one with role `recurring` (per
    /// month), as (name, kind, values).
    pub fn revenue_column(&self) -> Option<(&str, RevenueKind, &[Option<f64>])> {
        [
            (Role::Revenue, RevenueKind::Total),
            (Role::Recurring, RevenueKind::Monthly),
        ]
        .into_iter()
        .find_map(|(role, kind)| {
            self.attributes.iter().find_map(|a| match &a.values {
                AttrValues::Numeric(v) if a.role == role => {
                    Some((a.name.as_str(), kind, v.as_slice()))
                }
                _ => None,
            })
        })
    }
}
