//! What an audience export writes: the members' ids in customer order and the extra columns
//! (segment, churn_risk, clv or past_spend, offer, offer_reason), ready for
//! [`crate::export::audience::export_audience`].

use crate::data::dataset::Dataset;
use crate::export::audience::{Audience, Cell};
use crate::models::campaign::{AudienceInputs, Offer, Selection};

fn text(x: Option<String>) -> Cell {
    x.map_or(Cell::Empty, Cell::Text)
}

/// The whole audience with its extra columns: `segment` when a segmentation is stored,
/// `churn_risk` when a churn run is, the value (`clv` or `past_spend`), and `offer` and
/// `offer_reason` when `offers` are given (one per member, in member order).
pub fn audience_columns(
    data: &Dataset,
    inputs: &AudienceInputs,
    selection: Selection,
    offers: Option<Vec<Offer>>,
) -> Audience {
    let members = &selection.members;
    let mut extra: Vec<(String, Vec<Cell>)> = Vec::new();
    if inputs.segment_of.is_some() {
        extra.push((
            "segment".to_string(),
            members
                .iter()
                .map(|&i| text(inputs.segment(i).map(|s| inputs.segment_name(s))))
                .collect(),
        ));
    }
    if inputs.churn.is_some() {
        extra.push((
            "churn_risk".to_string(),
            members
                .iter()
                .map(|&i| Cell::probability(inputs.churn_risk(i)))
                .collect(),
        ));
    }
    extra.push((
        selection.value_source.column().to_string(),
        members
            .iter()
            .map(|&i| Cell::money(selection.value.get(i).copied().flatten()))
            .collect(),
    ));
    if let Some(offers) = offers {
        let (o, r): (Vec<Cell>, Vec<Cell>) = offers
            .into_iter()
            .map(|o| (text(o.offer), text(o.reason)))
            .unzip();
        extra.push(("offer".to_string(), o));
        extra.push(("offer_reason".to_string(), r));
    }
    Audience {
        customer_ids: members
            .iter()
            .map(|&i| data.customer_ids.get(i).cloned().unwrap_or_default())
            .collect(),
        extra,
        filters: selection.description,
        not_personal: Vec::new(),
    }
}
