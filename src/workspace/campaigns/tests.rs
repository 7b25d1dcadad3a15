//! Campaign audiences through the workspace: filters, value, preview, export.

use std::path::Path;

use super::*;
use crate::data::dataset::AttrValues;
use crate::export::audience::{ExportOptions, ExportSummary};
use crate::models::segment::run::{KChoice, SegmentMethod, SegmentParams};
use crate::progress::NoProgress;
use crate::workspace::export::{ExportRequest, ExportSpec};

fn sample_ws(dir: &std::path::Path) -> Workspace {
    crate::workspace::sample_workspace(dir, 300, 11)
}

fn with_offers(filters: &AudienceFilters) -> AudienceRequest {
    AudienceRequest {
        filters: filters.clone(),
        offers: true,
    }
}

fn build(ws: &mut Workspace, filters: &AudienceFilters) -> AudienceResult {
    ws.build_audience(&with_offers(filters), &NoProgress)
        .unwrap()
}

fn export(ws: &mut Workspace, filters: &AudienceFilters, path: &Path) -> ExportSummary {
    let request = ExportRequest {
        spec: ExportSpec::Campaign(with_offers(filters)),
        path: path.to_path_buf(),
        options: ExportOptions::default(),
    };
    ws.export(&request, &NoProgress).unwrap()
}

#[test]
fn filters_value_preview_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = sample_ws(dir.path());
    let params = SegmentParams {
        method: SegmentMethod::Kmeans,
        k: KChoice::Fixed(3),
        ..SegmentParams::default()
    };
    ws.segment(&params, &NoProgress).unwrap();
    let choices = ws.campaign_choices(&NoProgress).unwrap();
    assert_eq!(choices.segments.as_ref().unwrap().len(), 3);
    assert_eq!(choices.consent_column.as_deref(), Some("consent_email"));
    assert!(choices.has_offers);
    assert!(
        choices
            .attributes
            .iter()
            .all(|a| !["name", "email", "phone"].contains(&a.column()))
    );

    let all = build(&mut ws, &AudienceFilters::default());
    assert_eq!(all.size, all.customers);
    assert_eq!(all.value_source, ValueSource::PastSpend);
    assert_eq!(all.preview.len(), PREVIEW_ROWS.min(all.size));
    assert!(all.preview.iter().any(|r| r.offer.is_some()));
    assert_eq!(all.by_segment.iter().map(|s| s.2).sum::<usize>(), all.size);
    // Everyone is in it: every protected column's groups are selected at rate 1, ratio 1.
    let names: Vec<&str> = all.fairness.iter().map(|a| a.attribute.as_str()).collect();
    assert!(
        names.contains(&"gender") && names.contains(&"age"),
        "{names:?}"
    );
    for a in &all.fairness {
        assert_eq!(a.rates.disparate_impact, 1.0);
        assert_eq!(a.rates.compared_disparate_impact, 1.0);
        assert!(a.rates.groups.iter().all(|g| g.selection_rate == 1.0));
    }

    let seg = choices.segments.as_ref().unwrap()[0].id;
    let filters = AudienceFilters {
        segments: vec![seg],
        consent_only: true,
        risk: Some((0.2, 0.8)),
        ..AudienceFilters::default()
    };
    let some = build(&mut ws, &filters);
    assert!(some.size > 0 && some.size < all.size, "{}", some.size);
    assert_eq!(some.by_segment.len(), 1);
    assert!(
        some.notes.iter().any(|n| n.contains("churn")),
        "{:?}",
        some.notes
    );
    assert!(some.value <= all.value + 1e-9);

    let out = dir.path().join("campaign.csv");
    let summary = export(&mut ws, &filters, &out);
    assert_eq!(summary.rows as usize, some.size);
    let text = std::fs::read_to_string(&out).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.contains("offer") && header.contains("segment"),
        "{header}"
    );
    assert!(
        !header
            .split(',')
            .any(|c| ["name", "email", "phone"].contains(&c)),
        "{header}"
    );
    assert!(summary.recorded);

    // The panel's count of customers without consent is what the export leaves out.
    let (column, without) = all.without_consent.clone().unwrap();
    assert_eq!(column, "consent_email");
    assert!(without > 0 && without < all.size, "{without}");
    assert_eq!(some.without_consent.as_ref().map(|w| w.1), Some(0));
    let out = dir.path().join("everyone.csv");
    let summary = export(&mut ws, &AudienceFilters::default(), &out);
    assert_eq!(summary.rows as usize, all.size - without);
    assert_eq!(summary.left_out_no_consent as usize, without);
}

#[test]
fn attribute_filters() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = sample_ws(dir.path());
    let f = AudienceFilters {
        attribute: Some(AttributeFilter::Values {
            column: "region".to_string(),
            values: vec!["London".to_string()],
        }),
        ..AudienceFilters::default()
    };
    let r = build(&mut ws, &f);
    let d = ws.dataset(&NoProgress).unwrap();
    let expect = match &d.attribute("region").unwrap().values {
        AttrValues::Categorical { levels, codes } => codes
            .iter()
            .filter(|c| {
                c.and_then(|c| levels.get(c as usize)).map(String::as_str) == Some("London")
            })
            .count(),
        _ => panic!("region is not categorical"),
    };
    assert_eq!(r.size, expect);
    let f = AudienceFilters {
        attribute: Some(AttributeFilter::Range {
            column: "birth_year".to_string(),
            min: 1980.0,
            max: 1989.0,
        }),
        ..AudienceFilters::default()
    };
    let r = build(&mut ws, &f);
    assert!(r.size > 0 && r.size < r.customers);
}
