//! One audit, end to end on loaded inputs: the decision's rates across the protected column's
//! groups, the flags, the proxies and, for recommendation decisions, each category's exposure.

use crate::data::dataset::Dataset;
use crate::models::fairness::audit::{AuditOptions, GroupRates, flags, rates};
use crate::models::fairness::decision::Decision;
use crate::models::fairness::groups::Groups;
use crate::models::fairness::proxy::{PROXY_V, Proxy};
use crate::models::recommend::interactions::Interactions;

/// A category's share of what a group is shown against its share of what the group bought.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Exposure {
    /// The group.
    pub group: String,
    /// The category.
    pub category: String,
    /// Share of the group's recommended items in this category.
    pub shown_share: f64,
    /// Share of the group's purchases (customer–product pairs) in this category.
    pub purchase_share: f64,
}

/// The audit of one decision by one column.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditReport {
    /// The protected column.
    pub attribute: String,
    /// How sentences name it ("age" for a birth-year column's bands).
    pub display: String,
    /// The decision.
    pub decision: Decision,
    /// Customers in the audit (those the decision covers, with a known group).
    pub customers: u64,
    /// Customers selected.
    pub selected: u64,
    /// Where the true outcome comes from (`None`: no TPR, FPR or precision).
    pub label: Option<String>,
    /// Per group.
    pub groups: Vec<GroupRates>,
    /// Lowest selection rate over highest across every group (fairlearn's
    /// `demographic_parity_ratio`).
    pub disparate_impact: f64,
    /// Its bootstrap 95% interval.
    pub disparate_impact_ci: (f64, f64),
    /// Groups under 30 customers left out of the compared ratio.
    pub not_compared: Vec<String>,
    /// Lowest selection rate over highest across the compared groups (those with 30 customers
    /// or more when at least two have that many): the headline, and what the flags judge.
    pub compared_disparate_impact: f64,
    /// Its bootstrap 95% interval.
    pub compared_disparate_impact_ci: (f64, f64),
    /// Highest selection rate minus lowest.
    pub demographic_parity_difference: f64,
    /// The larger of the TPR and FPR ranges, where a label exists.
    pub equalized_odds_difference: Option<f64>,
    /// Findings in plain words.
    pub flags: Vec<String>,
    /// Features by how well they predict the column, strongest first.
    pub proxies: Vec<Proxy>,
    /// For `recs:` decisions: each category's exposure per group.
    pub exposure: Vec<Exposure>,
}

impl AuditReport {
    /// The audit in one sentence: whether the groups compared are selected within the
    /// four-fifths guideline, worded by what being selected means for the customer.
    pub fn headline(&self) -> String {
        use crate::models::fairness::audit::{FOUR_FIFTHS, who};
        let selection = self.decision.selection();
        let compared = self
            .groups
            .iter()
            .filter(|g| !self.not_compared.contains(&g.group));
        let x = self.compared_disparate_impact;
        match crate::models::fairness::audit::extremes(compared) {
            Some((lo, hi)) if x < FOUR_FIFTHS && lo.group != hi.group => format!(
                "Customers with {} {} at {x:.2}× the rate of those with {}: below the \
                 four-fifths guideline.",
                who(&self.display, &lo.group),
                selection.phrase,
                who(&self.display, &hi.group)
            ),
            _ => {
                let (ci_lo, _) = self.compared_disparate_impact_ci;
                let caveat = if ci_lo.is_finite() && ci_lo < FOUR_FIFTHS {
                    format!(
                        " With these numbers of customers the true ratio could be as low as \
                         {ci_lo:.2}× (95% interval), so keep an eye on it."
                    )
                } else {
                    String::new()
                };
                format!(
                    "By {}, customers of every group {} at similar rates: the lowest rate is \
                     {x:.2}× the highest, within the four-fifths guideline.{caveat}",
                    self.display, selection.phrase
                )
            }
        }
    }

    /// Why a churn decision has no error rates: its scores are as of today (an inactivity
    /// label), so what each customer does next is not known yet.
    pub fn outcome_note(&self) -> Option<&'static str> {
        let churn = matches!(
            self.decision,
            Decision::ChurnTop(_) | Decision::ChurnAbove(_)
        );
        (churn && self.label.is_none()).then_some(
            "No TPR, FPR or precision: the churn scores are as of the last day in the data, so \
             whether each customer buys in the coming days is not known yet (the churn panel's \
             backtest measures how well the ranking did before).",
        )
    }
}

/// Audits `selected` (customers outside the decision's population have `selected` false and
/// `in_scope` false) by `groups`, with the true outcome where `label` covers everyone in scope,
/// and the column's `proxies` (computed once per column: they do not depend on the decision,
/// so the window keeps them while the threshold moves).
pub fn build_with_proxies(
    groups: &Groups,
    decision: Decision,
    selected: &[bool],
    in_scope: &[bool],
    label: Option<(&str, &[Option<bool>])>,
    options: &AuditOptions,
    proxies: Vec<Proxy>,
) -> AuditReport {
    let of: Vec<Option<u32>> = groups
        .of
        .iter()
        .zip(in_scope)
        .map(|(g, s)| if *s { *g } else { None })
        .collect();
    let covered = label.filter(|(_, l)| {
        of.iter()
            .zip(l.iter())
            .all(|(g, y)| g.is_none() || y.is_some())
    });
    let truth: Option<Vec<bool>> =
        covered.map(|(_, l)| l.iter().map(|y| y.unwrap_or(false)).collect());
    let r = rates(selected, truth.as_deref(), &of, &groups.names, options);
    let mut flags = flags(&groups.display, &r, &decision.selection());
    let strong: Vec<String> = proxies
        .iter()
        .filter(|p| p.score >= PROXY_V)
        .map(|p| format!("{} (V = {:.2})", p.feature, p.score))
        .collect();
    if !strong.is_empty() {
        flags.push(format!(
            "{} gives {} away: consider leaving {} out of the model",
            strong.join(", "),
            groups.display,
            if strong.len() == 1 { "it" } else { "them" }
        ));
    }
    let customers = r.groups.iter().map(|g| g.n).sum();
    let selected_n = r.groups.iter().map(|g| g.selected).sum();
    AuditReport {
        attribute: groups.attribute.clone(),
        display: groups.display.clone(),
        decision,
        customers,
        selected: selected_n,
        label: covered.map(|(name, _)| name.to_string()),
        disparate_impact: r.disparate_impact,
        disparate_impact_ci: r.disparate_impact_ci,
        not_compared: r.not_compared,
        compared_disparate_impact: r.compared_disparate_impact,
        compared_disparate_impact_ci: r.compared_disparate_impact_ci,
        demographic_parity_difference: r.demographic_parity_difference,
        equalized_odds_difference: r.equalized_odds_difference,
        groups: r.groups,
        flags,
        proxies,
        exposure: Vec::new(),
    }
}

/// Each category's share of what each group is shown (`shown[c]`: products recommended to
/// customer `c`) against its share of what the group bought.
pub fn exposure(
    data: &Dataset,
    groups: &Groups,
    shown: &[Vec<u32>],
    interactions: &Interactions,
) -> Vec<Exposure> {
    let k = groups.names.len();
    let m = data.products.categories.len();
    if m == 0 {
        return Vec::new();
    }
    let mut shown_n = vec![0f64; k * m];
    let mut bought_n = vec![0f64; k * m];
    let category = |p: u32| data.products.category.get(p as usize).copied().flatten();
    for (c, g) in groups.of.iter().enumerate() {
        let Some(g) = g else { continue };
        let g = *g as usize;
        for &p in shown.get(c).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(x) = category(p).and_then(|cat| shown_n.get_mut(g * m + cat as usize)) {
                *x += 1.0;
            }
        }
        for pair in interactions.of(c) {
            if let Some(x) =
                category(pair.product).and_then(|cat| bought_n.get_mut(g * m + cat as usize))
            {
                *x += 1.0;
            }
        }
    }
    let mut out = Vec::new();
    for (g, name) in groups.names.iter().enumerate() {
        let s: f64 = shown_n[g * m..(g + 1) * m].iter().sum();
        let b: f64 = bought_n[g * m..(g + 1) * m].iter().sum();
        if s <= 0.0 && b <= 0.0 {
            continue;
        }
        for (cat, cname) in data.products.categories.iter().enumerate() {
            out.push(Exposure {
                group: name.clone(),
                category: cname.clone(),
                shown_share: if s > 0.0 {
                    shown_n[g * m + cat] / s
                } else {
                    0.0
                },
                purchase_share: if b > 0.0 {
                    bought_n[g * m + cat] / b
                } else {
                    0.0
                },
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::fairness::decision::Decision;

    /// Two groups of `n` customers, selected at `a` and `b` percent.
    fn report(n: usize, a: usize, b: usize) -> AuditReport {
        let selected: Vec<bool> = (0..2 * n)
            .map(|i| (i % n) * 100 < if i < n { a } else { b } * n)
            .collect();
        let groups = Groups {
            attribute: "gender".to_string(),
            display: "gender".to_string(),
            of: (0..2 * n).map(|i| Some(u32::from(i >= n))).collect(),
            names: vec!["M".to_string(), "F".to_string()],
        };
        build_with_proxies(
            &groups,
            Decision::ChurnTop(0.2),
            &selected,
            &vec![true; 2 * n],
            None,
            &AuditOptions::default(),
            Vec::new(),
        )
    }

    #[test]
    fn the_headline_agrees_with_the_flags() {
        // Many customers, 50% against 45%: within the guideline, and the interval is too.
        let sure = report(5000, 50, 45);
        assert!(sure.flags.is_empty(), "{:?}", sure.flags);
        assert!(
            sure.headline()
                .ends_with("within the four-fifths guideline."),
            "{}",
            sure.headline()
        );
        // 40 customers each, 50% against 45%: within, but the interval dips below; the
        // headline says so too instead of sounding sure.
        let unsure = report(40, 50, 45);
        assert!(
            unsure.flags.iter().any(|f| f.contains("dips below")),
            "{:?}",
            unsure.flags
        );
        assert!(
            unsure.headline().contains("could be as low as"),
            "{}",
            unsure.headline()
        );
        // 50% against 30%: below, in the headline and in the flags.
        let below = report(1000, 50, 30);
        assert!(below.headline().contains("below the four-fifths guideline"));
        assert!(below.flags[0].contains("below the 0.8 guideline"));
    }
}
