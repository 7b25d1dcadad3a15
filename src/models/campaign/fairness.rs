//! The audience's fairness: membership audited by each protected column, as the Fairness panel
//! audits a decision.

use crate::data::dataset::Dataset;
use crate::data::roles::Role;
use crate::models::fairness::audit::{AuditOptions, Rates, flags, rates};
use crate::models::fairness::groups::groups_of;

/// At most this many protected columns are audited with each audience.
pub const AUDITED_COLUMNS: usize = 3;

/// Membership of the audience audited by one protected column.
#[derive(Debug, Clone, PartialEq)]
pub struct AudienceAudit {
    /// The column ("age" for a birth-year column's bands).
    pub attribute: String,
    /// Per-group rates of being in the audience, disparate impact and intervals.
    pub rates: Rates,
    /// Findings in words.
    pub flags: Vec<String>,
}

/// Audits membership of the audience by each protected column (at most [`AUDITED_COLUMNS`]).
pub fn audit_audience(data: &Dataset, members: &[usize]) -> Vec<AudienceAudit> {
    let mut selected = vec![false; data.n_customers()];
    for &i in members {
        if let Some(x) = selected.get_mut(i) {
            *x = true;
        }
    }
    data.attributes
        .iter()
        .filter(|a| a.role == Role::Protected)
        .take(AUDITED_COLUMNS)
        .map(|a| {
            let g = groups_of(data, a);
            let r = rates(&selected, None, &g.of, &g.names, &AuditOptions::default());
            AudienceAudit {
                flags: flags(
                    &g.display,
                    &r,
                    &crate::models::fairness::decision::Selection::audience(),
                ),
                attribute: g.display,
                rates: r,
            }
        })
        .collect()
}
