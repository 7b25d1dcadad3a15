//! The audit of one decision across the groups of one protected column.
//!
//! Per group: size, selection rate and, where a label exists, true- and false-positive rates and
//! precision (fairlearn's `MetricFrame` definitions: TPR = TP / positives, FPR = FP / negatives,
//! precision = TP / selected, 0 when the denominator is 0 as scikit-learn's
//! `zero_division=0`; a group with no positives or no negatives has no TPR or FPR). Across groups:
//! the disparate-impact ratio (lowest selection rate over highest, fairlearn's
//! `demographic_parity_ratio`), the demographic-parity difference (highest minus lowest) and the
//! equalized-odds difference (the larger of the TPR and FPR ranges).
//!
//! Confidence intervals are a seeded stratified bootstrap: each group's customers are resampled
//! with replacement, which for a count of selected customers is exactly a binomial draw with the
//! group's size and rate, so 200 resamples of a million customers cost microseconds. The
//! interval is the 2.5th–97.5th percentile of the resampled rates (and ratios).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};
use rayon::prelude::*;

use crate::models::fairness::decision::Selection;

/// The four-fifths guideline for the disparate-impact ratio.
pub const FOUR_FIFTHS: f64 = 0.8;

/// Groups smaller than this are reported but not judged.
pub const MIN_GROUP: u64 = 30;

/// How to audit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AuditOptions {
    /// Bootstrap resamples (0: no intervals).
    pub bootstrap: usize,
    /// Seed of the resampling.
    pub seed: u64,
}

impl Default for AuditOptions {
    fn default() -> Self {
        Self {
            bootstrap: 200,
            seed: 42,
        }
    }
}

/// One group's figures.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GroupRates {
    /// The group, by its stored value (or band).
    pub group: String,
    /// Customers in it.
    pub n: u64,
    /// Customers selected.
    pub selected: u64,
    /// Selected / n.
    pub selection_rate: f64,
    /// True-positive rate, where a label exists and the group has positives.
    pub tpr: Option<f64>,
    /// False-positive rate, where a label exists and the group has negatives.
    pub fpr: Option<f64>,
    /// Precision (TP / selected; 0 when none is selected), where a label exists.
    pub precision: Option<f64>,
    /// Bootstrap 95% interval of the selection rate, low end.
    pub ci_low: f64,
    /// High end.
    pub ci_high: f64,
}

/// The audit's figures across groups.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Rates {
    /// Every group with at least one customer, in group order.
    pub groups: Vec<GroupRates>,
    /// Customers whose value is blank (not in any group).
    pub unknown: u64,
    /// Lowest selection rate over highest across every group (1 when all are 0): fairlearn's
    /// `demographic_parity_ratio`.
    pub disparate_impact: f64,
    /// Bootstrap 95% interval of the ratio.
    pub disparate_impact_ci: (f64, f64),
    /// Groups under [`MIN_GROUP`] customers left out of the compared ratio (only when at least
    /// two groups have [`MIN_GROUP`] or more).
    pub not_compared: Vec<String>,
    /// Lowest selection rate over highest across the compared groups: the headline, and the
    /// ratio the flags judge.
    pub compared_disparate_impact: f64,
    /// Bootstrap 95% interval of the compared ratio.
    pub compared_disparate_impact_ci: (f64, f64),
    /// Highest selection rate minus lowest.
    pub demographic_parity_difference: f64,
    /// The larger of the TPR range and the FPR range, where a label exists.
    pub equalized_odds_difference: Option<f64>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    n: u64,
    selected: u64,
    positives: u64,
    tp: u64,
    fp: u64,
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let (a, b) = (
        sorted.get(lo).copied().unwrap_or(f64::NAN),
        sorted.get(hi).copied().unwrap_or(f64::NAN),
    );
    a + (b - a) * (pos - lo as f64)
}

fn ratio(rates: &[f64]) -> f64 {
    let max = rates.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = rates.iter().copied().fold(f64::INFINITY, f64::min);
    if rates.is_empty() || max <= 0.0 {
        1.0
    } else {
        min / max
    }
}

/// Which groups the headline ratio and the flags compare: those with at least [`MIN_GROUP`]
/// customers when two or more have that many, else every group.
pub fn compared_groups(groups: &[GroupRates]) -> Vec<bool> {
    let large: Vec<bool> = groups.iter().map(|g| g.n >= MIN_GROUP).collect();
    if large.iter().filter(|x| **x).count() >= 2 {
        large
    } else {
        vec![true; groups.len()]
    }
}

fn masked(values: &[f64], mask: &[bool]) -> Vec<f64> {
    values
        .iter()
        .zip(mask)
        .filter(|(_, m)| **m)
        .map(|(v, _)| *v)
        .collect()
}

fn range(values: impl Iterator<Item = f64>) -> Option<f64> {
    let v: Vec<f64> = values.collect();
    if v.is_empty() {
        return None;
    }
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    Some(max - min)
}

/// Audits a decision: `selected[i]` for customer `i`, their `group[i]` (index into `names`,
/// `None` when blank) and, where one exists, their true `label[i]`.
pub fn rates(
    selected: &[bool],
    label: Option<&[bool]>,
    group: &[Option<u32>],
    names: &[String],
    options: &AuditOptions,
) -> Rates {
    let k = names.len();
    // One pass, in parallel chunks: a bincount of n, selected, positives, TP and FP per group.
    let (counts, unknown) = (0..selected.len())
        .into_par_iter()
        .with_min_len(65_536)
        .fold(
            || (vec![Counts::default(); k], 0u64),
            |(mut acc, mut unknown), i| {
                match group
                    .get(i)
                    .copied()
                    .flatten()
                    .and_then(|g| acc.get_mut(g as usize))
                {
                    Some(c) => {
                        let s = selected.get(i).copied().unwrap_or(false);
                        let y = label.and_then(|l| l.get(i).copied()).unwrap_or(false);
                        c.n += 1;
                        c.selected += u64::from(s);
                        c.positives += u64::from(y);
                        c.tp += u64::from(s && y);
                        c.fp += u64::from(s && !y);
                    }
                    None => unknown += 1,
                }
                (acc, unknown)
            },
        )
        .reduce(
            || (vec![Counts::default(); k], 0u64),
            |(mut a, ua), (b, ub)| {
                for (x, y) in a.iter_mut().zip(&b) {
                    x.n += y.n;
                    x.selected += y.selected;
                    x.positives += y.positives;
                    x.tp += y.tp;
                    x.fp += y.fp;
                }
                (a, ua + ub)
            },
        );
    let present: Vec<(usize, Counts)> = counts
        .into_iter()
        .enumerate()
        .filter(|(_, c)| c.n > 0)
        .collect();
    let has_label = label.is_some();
    let mut groups: Vec<GroupRates> = present
        .iter()
        .map(|(g, c)| {
            let negatives = c.n - c.positives;
            let div = |a: u64, b: u64| a as f64 / b as f64;
            GroupRates {
                group: names.get(*g).cloned().unwrap_or_default(),
                n: c.n,
                selected: c.selected,
                selection_rate: div(c.selected, c.n),
                tpr: (has_label && c.positives > 0).then(|| div(c.tp, c.positives)),
                fpr: (has_label && negatives > 0).then(|| div(c.fp, negatives)),
                precision: has_label.then(|| {
                    if c.selected > 0 {
                        div(c.tp, c.selected)
                    } else {
                        0.0
                    }
                }),
                ci_low: f64::NAN,
                ci_high: f64::NAN,
            }
        })
        .collect();
    let observed: Vec<f64> = groups.iter().map(|g| g.selection_rate).collect();
    let compared = compared_groups(&groups);
    let mut di_ci = (f64::NAN, f64::NAN);
    let mut compared_ci = (f64::NAN, f64::NAN);
    if options.bootstrap > 0 && !groups.is_empty() {
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
        let draws: Vec<Binomial> = groups
            .iter()
            .filter_map(|g| Binomial::new(g.n, g.selection_rate.clamp(0.0, 1.0)).ok())
            .collect();
        if draws.len() == groups.len() {
            let mut per_group: Vec<Vec<f64>> =
                vec![Vec::with_capacity(options.bootstrap); groups.len()];
            let mut ratios = Vec::with_capacity(options.bootstrap);
            let mut compared_ratios = Vec::with_capacity(options.bootstrap);
            for _ in 0..options.bootstrap {
                let rates: Vec<f64> = draws
                    .iter()
                    .zip(&groups)
                    .map(|(d, g)| d.sample(&mut rng) as f64 / g.n as f64)
                    .collect();
                for (v, r) in per_group.iter_mut().zip(&rates) {
                    v.push(*r);
                }
                ratios.push(ratio(&rates));
                compared_ratios.push(ratio(&masked(&rates, &compared)));
            }
            for (g, mut v) in groups.iter_mut().zip(per_group) {
                v.sort_by(f64::total_cmp);
                g.ci_low = percentile(&v, 0.025);
                g.ci_high = percentile(&v, 0.975);
            }
            ratios.sort_by(f64::total_cmp);
            di_ci = (percentile(&ratios, 0.025), percentile(&ratios, 0.975));
            compared_ratios.sort_by(f64::total_cmp);
            compared_ci = (
                percentile(&compared_ratios, 0.025),
                percentile(&compared_ratios, 0.975),
            );
        }
    }
    let eo = if has_label {
        match (
            range(groups.iter().filter_map(|g| g.tpr)),
            range(groups.iter().filter_map(|g| g.fpr)),
        ) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    } else {
        None
    };
    let not_compared = groups
        .iter()
        .zip(&compared)
        .filter(|(_, c)| !**c)
        .map(|(g, _)| g.group.clone())
        .collect();
    Rates {
        disparate_impact: ratio(&observed),
        disparate_impact_ci: di_ci,
        not_compared,
        compared_disparate_impact: ratio(&masked(&observed, &compared)),
        compared_disparate_impact_ci: compared_ci,
        demographic_parity_difference: range(observed.iter().copied()).unwrap_or(0.0),
        equalized_odds_difference: eo,
        groups,
        unknown,
    }
}

/// The least and the most selected of `groups` (`None` when there is none).
pub fn extremes<'a>(
    groups: impl Iterator<Item = &'a GroupRates> + Clone,
) -> Option<(&'a GroupRates, &'a GroupRates)> {
    let rate = |a: &&GroupRates, b: &&GroupRates| a.selection_rate.total_cmp(&b.selection_rate);
    Some((groups.clone().min_by(rate)?, groups.max_by(rate)?))
}

/// Who a group is in a sentence: a group named with its column ("Senior citizen: yes") as it
/// is, else the column and the group ("gender F").
pub fn who(attribute: &str, group: &str) -> String {
    if group.contains(": ") {
        group.to_string()
    } else {
        format!("{attribute} {group}")
    }
}

/// Plain-language findings: the four-fifths guideline (worded by what being selected means
/// for the customer), whether the gap could be chance, small groups, and unequal error rates.
/// `attribute` names the column ("gender"). The guideline is judged on the compared groups
/// ([`compared_groups`]), as the headline ratio is, so a ratio below it always comes with a flag.
pub fn flags(attribute: &str, r: &Rates, selection: &Selection) -> Vec<String> {
    let mut out = Vec::new();
    let compared = compared_groups(&r.groups);
    let judged: Vec<&GroupRates> = r
        .groups
        .iter()
        .zip(&compared)
        .filter(|(_, c)| **c)
        .map(|(g, _)| g)
        .collect();
    let small: Vec<(&GroupRates, bool)> = r
        .groups
        .iter()
        .zip(compared.iter().copied())
        .filter(|(g, _)| g.n < MIN_GROUP)
        .collect();
    if let Some((lo, hi)) = extremes(judged.iter().copied())
        && hi.selection_rate > 0.0
        && lo.group != hi.group
    {
        let x = lo.selection_rate / hi.selection_rate;
        let (ci_lo, ci_hi) = r.compared_disparate_impact_ci;
        if x < FOUR_FIFTHS {
            // Two decimals, unless that would print the guideline itself.
            let shown = if (x - FOUR_FIFTHS).abs() < 0.005 {
                format!("{x:.3}")
            } else {
                format!("{x:.2}")
            };
            let consequence = if selection.favourable {
                format!(
                    "customers with {} miss out on it",
                    who(attribute, &lo.group)
                )
            } else {
                format!(
                    "customers with {} bear more of it",
                    who(attribute, &hi.group)
                )
            };
            out.push(format!(
                "Customers with {} {} at {shown}× the rate of those with {} — below the \
                 {FOUR_FIFTHS} guideline: {consequence}",
                who(attribute, &lo.group),
                selection.phrase,
                who(attribute, &hi.group)
            ));
            if ci_hi.is_finite() && ci_hi >= FOUR_FIFTHS {
                out.push(format!(
                    "The gap could be chance: the 95% interval of the ratio ({ci_lo:.2}–{ci_hi:.2}) reaches {FOUR_FIFTHS}"
                ));
            }
        } else if ci_lo.is_finite() && ci_lo < FOUR_FIFTHS {
            out.push(format!(
                "Within the {FOUR_FIFTHS} guideline ({x:.2}×), but the 95% interval ({ci_lo:.2}–{ci_hi:.2}) dips below it"
            ));
        }
    }
    if let Some(eo) = r.equalized_odds_difference
        && eo > 0.1
    {
        out.push(format!(
            "Error rates differ across {attribute}: true- or false-positive rates are {:.0} points apart (equalized-odds difference {eo:.2})",
            eo * 100.0
        ));
    }
    // Small groups last, after what is found about the others; many are said in one line.
    let judged_anyway = |c: bool| {
        if c {
            "too few to judge reliably"
        } else {
            "too few to judge (not compared)"
        }
    };
    if small.len() > MAX_SMALL_GROUPS_LISTED {
        let names: Vec<&str> = small.iter().map(|(g, _)| g.group.as_str()).collect();
        let all_compared = small.iter().all(|(_, c)| *c);
        out.push(format!(
            "{} groups of {attribute} have under {MIN_GROUP} customers each ({}, and {} more): \
             too few to judge{}",
            small.len(),
            names[..MAX_SMALL_GROUPS_LISTED].join(", "),
            names.len() - MAX_SMALL_GROUPS_LISTED,
            if all_compared {
                " reliably"
            } else {
                ", not compared"
            }
        ));
    } else {
        for (g, c) in small {
            out.push(format!(
                "{}: only {} customers, {}",
                who(attribute, &g.group),
                g.n,
                judged_anyway(c)
            ));
        }
    }
    out
}

/// Small groups named one by one in the findings, at most; more are said in one line.
const MAX_SMALL_GROUPS_LISTED: usize = 3;

/// The groups a chart draws: every group when there are at most `keep + 1`, else the `keep`
/// largest and "Other (N groups)" pooling the rest (its interval is Wilson's 95% score
/// interval; its error rates are left out). The table lists every group.
pub fn chart_groups(groups: &[GroupRates], keep: usize) -> Vec<GroupRates> {
    if groups.len() <= keep + 1 {
        return groups.to_vec();
    }
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by(|&a, &b| groups[b].n.cmp(&groups[a].n).then(a.cmp(&b)));
    let (kept, rest) = order.split_at(keep);
    let mut shown: Vec<GroupRates> = kept.iter().map(|&i| groups[i].clone()).collect();
    let n: u64 = rest.iter().map(|&i| groups[i].n).sum();
    let selected: u64 = rest.iter().map(|&i| groups[i].selected).sum();
    let rate = if n > 0 {
        selected as f64 / n as f64
    } else {
        0.0
    };
    let (ci_low, ci_high) = wilson(selected, n);
    shown.push(GroupRates {
        group: format!("Other ({} groups)", rest.len()),
        n,
        selected,
        selection_rate: rate,
        tpr: None,
        fpr: None,
        precision: None,
        ci_low,
        ci_high,
    });
    shown
}

/// Wilson's 95% score interval of `k` successes in `n`.
fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let z = 1.959_964;
    let n = n as f64;
    let p = k as f64 / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_by_hand() {
        // Group a: 4 customers, 2 selected (1 true positive); group b: 2, 1 selected (a false
        // positive); one customer without a group.
        let sel = [true, true, false, false, true, false, true];
        let lab = [true, false, true, false, false, true, true];
        let grp = [Some(0), Some(0), Some(0), Some(0), Some(1), Some(1), None];
        let names = vec!["a".to_string(), "b".to_string()];
        let r = rates(&sel, Some(&lab), &grp, &names, &AuditOptions::default());
        assert_eq!(r.unknown, 1);
        let a = &r.groups[0];
        assert_eq!((a.n, a.selected, a.selection_rate), (4, 2, 0.5));
        assert_eq!(
            (a.tpr, a.fpr, a.precision),
            (Some(0.5), Some(0.5), Some(0.5))
        );
        let b = &r.groups[1];
        assert_eq!(
            (b.tpr, b.fpr, b.precision),
            (Some(0.0), Some(1.0), Some(0.0))
        );
        assert_eq!(r.disparate_impact, 1.0);
        assert_eq!(r.demographic_parity_difference, 0.0);
        assert_eq!(r.equalized_odds_difference, Some(0.5));
        assert!(a.ci_low <= 0.5 && a.ci_high >= 0.5);
    }

    #[test]
    fn charts_keep_the_seven_largest_groups_and_pool_the_rest() {
        let groups: Vec<GroupRates> = (0..37u64)
            .map(|i| GroupRates {
                group: format!("country {i}"),
                n: 100 + i,
                selected: 10,
                selection_rate: 10.0 / (100 + i) as f64,
                tpr: None,
                fpr: None,
                precision: None,
                ci_low: 0.0,
                ci_high: 1.0,
            })
            .collect();
        let shown = chart_groups(&groups, 7);
        assert_eq!(shown.len(), 8);
        assert_eq!(shown[0].group, "country 36");
        let other = &shown[7];
        assert_eq!(other.group, "Other (30 groups)");
        assert_eq!(other.n, (0..30).map(|i| 100 + i).sum::<u64>());
        assert_eq!(other.selected, 300);
        assert!(other.ci_low < other.selection_rate && other.selection_rate < other.ci_high);
        assert_eq!(chart_groups(&groups[..8], 7).len(), 8);
        assert_eq!(who("gender", "F"), "gender F");
        assert_eq!(
            who("SeniorCitizen", "Senior citizen: yes"),
            "Senior citizen: yes"
        );
    }

    #[test]
    fn flags_say_it_in_words() {
        let n = 1000;
        let sel: Vec<bool> = (0..2 * n)
            .map(|i| if i < n { i % 10 < 5 } else { i % 10 < 3 })
            .collect();
        let grp: Vec<Option<u32>> = (0..2 * n).map(|i| Some(u32::from(i >= n))).collect();
        let names = vec!["Male".to_string(), "Female".to_string()];
        let r = rates(&sel, None, &grp, &names, &AuditOptions::default());
        assert!((r.disparate_impact - 0.6).abs() < 1e-12);
        let f = flags(
            "gender",
            &r,
            &crate::models::fairness::decision::Decision::ChurnTop(0.2).selection(),
        );
        assert_eq!(
            f[0],
            "Customers with gender Female are flagged for a retention offer at 0.60× the rate of \
             those with gender Male — below the 0.8 guideline: customers with gender Female miss \
             out on it"
        );
        let burden = Selection {
            phrase: "are declined".to_string(),
            favourable: false,
        };
        assert!(
            flags("gender", &r, &burden)[0].ends_with("customers with gender Male bear more of it")
        );
        assert!(r.disparate_impact_ci.1 < 0.8, "{:?}", r.disparate_impact_ci);
        // Seeded: the same intervals every time.
        assert_eq!(r, rates(&sel, None, &grp, &names, &AuditOptions::default()));
    }

    #[test]
    fn small_groups_stay_out_of_the_headline_and_the_flags_agree() {
        // a: 1000 customers at 50%, b: 1000 at 45%, c: 10 customers all selected.
        let mut sel = Vec::new();
        let mut grp = Vec::new();
        for (g, n, k) in [(0u32, 1000, 500), (1, 1000, 450), (2, 10, 10)] {
            for i in 0..n {
                sel.push(i < k);
                grp.push(Some(g));
            }
        }
        let names = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let r = rates(&sel, None, &grp, &names, &AuditOptions::default());
        // fairlearn's ratio over every group is kept as it was.
        assert!((r.disparate_impact - 0.45).abs() < 1e-12);
        assert!((r.compared_disparate_impact - 0.9).abs() < 1e-12);
        assert_eq!(r.not_compared, ["c"]);
        let (lo, hi) = r.compared_disparate_impact_ci;
        assert!(lo <= 0.9 && 0.9 <= hi, "{lo} {hi}");
        let f = flags("gender", &r, &Selection::audience());
        assert!(!f.iter().any(|x| x.contains("below the")), "{f:?}");
        assert!(f.iter().any(|x| x.contains("(not compared)")), "{f:?}");

        // Many small groups (countries) are said in one line, after the finding on the others.
        let mut sel = Vec::new();
        let mut grp = Vec::new();
        for (g, n, k) in [
            (0u32, 1000, 500),
            (1, 1000, 200),
            (2, 5, 1),
            (3, 5, 1),
            (4, 5, 1),
            (5, 5, 1),
        ] {
            for i in 0..n {
                sel.push(i < k);
                grp.push(Some(g));
            }
        }
        let names: Vec<String> = ["UK", "Germany", "Malta", "Japan", "Peru", "Chad"]
            .map(str::to_string)
            .to_vec();
        let r = rates(&sel, None, &grp, &names, &AuditOptions::default());
        let f = flags("country", &r, &Selection::audience());
        assert!(f[0].contains("below the"), "{f:?}");
        assert_eq!(
            f.last().unwrap(),
            "4 groups of country have under 30 customers each (Malta, Japan, Peru, and 1 more): \
             too few to judge, not compared"
        );

        // With fewer than two groups of 30, every group is compared, and a low ratio is flagged.
        let sel = [true, true, false, true, false, false];
        let grp = [Some(0), Some(0), Some(0), Some(1), Some(1), Some(1)];
        let r = rates(&sel, None, &grp, &names[..2], &AuditOptions::default());
        assert!(r.not_compared.is_empty());
        assert_eq!(r.compared_disparate_impact, r.disparate_impact);
        assert!((r.compared_disparate_impact - 0.5).abs() < 1e-12);
        let f = flags("gender", &r, &Selection::audience());
        assert!(f.iter().any(|x| x.contains("below the")), "{f:?}");
        assert!(
            f.iter().any(|x| x.contains("too few to judge reliably")),
            "{f:?}"
        );
    }
}
