//! The inputs of another population, or the same one at another time, laid out exactly as a
//! fitted model's: the same columns in the same order, blanks filled with the training medians,
//! levels the model never saw counted as `other` (or as no level).

use std::collections::HashMap;

use super::{Column, FeatureKind, FeatureMatrix, GroupKind, Source, behaviour, date_values, fill};
use crate::data::dataset::{AttrValues, Dataset};

/// The inputs of `rows` (dataset customer indices) with behaviour measured from transactions
/// strictly before `reference` (seconds since 1970), in the layout of `template`.
pub fn build_like(
    template: &FeatureMatrix,
    data: &Dataset,
    rows: &[usize],
    reference: i64,
) -> FeatureMatrix {
    let m = rows.len();
    let has_behaviour = template
        .groups
        .iter()
        .any(|g| g.source == Source::Behaviour);
    let measured = if has_behaviour {
        behaviour::behaviour(data, rows, reference)
    } else {
        Vec::new()
    };
    let attribute = |name: &str| data.attributes.iter().find(|a| a.name == name);
    let columns: Vec<Column> = template
        .groups
        .iter()
        .map(|group| match (&group.kind, group.source) {
            (GroupKind::Numeric { .. }, Source::Behaviour) => Column::Numeric(
                measured
                    .iter()
                    .find(|p| p.column == group.column)
                    .map_or_else(|| vec![None; m], |p| p.values.clone()),
            ),
            (GroupKind::Numeric { .. }, Source::Attribute) => {
                let dated = group.column.strip_suffix("_days_ago").and_then(&attribute);
                match (attribute(&group.column).map(|a| &a.values), dated) {
                    (Some(AttrValues::Numeric(values)), _) => Column::Numeric(
                        rows.iter()
                            .map(|&i| values.get(i).copied().flatten())
                            .collect(),
                    ),
                    (_, Some(a)) => match &a.values {
                        AttrValues::Categorical { levels, codes } => {
                            Column::Numeric(date_values(levels, codes, rows, Some(reference)))
                        }
                        AttrValues::Numeric(_) => Column::Numeric(vec![None; m]),
                    },
                    _ => Column::Numeric(vec![None; m]),
                }
            }
            (GroupKind::Categorical, _) => {
                let position = |kind: &FeatureKind| {
                    group
                        .features
                        .iter()
                        .position(|&j| template.features.get(j).is_some_and(|f| &f.kind == kind))
                };
                let (other, blank) = (position(&FeatureKind::Other), position(&FeatureKind::Blank));
                match attribute(&group.column).map(|a| &a.values) {
                    Some(AttrValues::Categorical { levels, codes }) => {
                        let seen: HashMap<&str, usize> = group
                            .features
                            .iter()
                            .enumerate()
                            .filter_map(|(pos, &j)| match &template.features.get(j)?.kind {
                                FeatureKind::Level(l) => Some((l.as_str(), pos)),
                                _ => None,
                            })
                            .collect();
                        let slot_of: Vec<Option<usize>> = levels
                            .iter()
                            .map(|l| seen.get(l.as_str()).copied().or(other))
                            .collect();
                        Column::Hot(
                            rows.iter()
                                .map(|&i| match codes.get(i).copied().flatten() {
                                    Some(c) => slot_of.get(c as usize).copied().flatten(),
                                    None => blank,
                                })
                                .collect(),
                        )
                    }
                    _ => Column::Hot(vec![blank; m]),
                }
            }
        })
        .collect();
    let (x, blank) = fill(&template.features, &template.groups, &columns, m);
    FeatureMatrix {
        features: template.features.clone(),
        groups: template.groups.clone(),
        n: m,
        x,
        blank,
        used_columns: template.used_columns.clone(),
        left_out: template.left_out.clone(),
        imputed: template.imputed.clone(),
        reference_ts: has_behaviour.then_some(reference),
        reference_is_cutoff: false,
        quantiles: template.quantiles.clone(),
        family: template.family.clone(),
        association: template.association.clone(),
        money: template.money,
    }
}
