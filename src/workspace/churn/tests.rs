//! Churn and lifetime value through the workspace: the target list, its join and export.

use std::path::Path;

use super::*;
use crate::export::audience::{Cell, ExportOptions};
use crate::models::churn::evaluate::{OfferInputs, offer_outcome};
use crate::models::churn::label::Label;
use crate::models::clv::run::CustomerValue;
use crate::models::clv::summary::TimeUnit;
use crate::progress::NoProgress;
use crate::workspace::export::{ExportRequest, ExportSpec};

fn sample_ws(dir: &Path) -> Workspace {
    crate::workspace::sample_workspace(dir, 400, 7)
}

#[test]
fn threshold_table_matches_offer_outcome() {
    let p = [0.9, 0.1, 0.5, 0.5, 0.7, 0.2, 0.05, 0.95];
    let y = [1, 0, 1, 0, 0, 1, 0, 1];
    let table = ThresholdTable::new(&p, &y);
    let inputs = OfferInputs {
        offer_cost: 3.0,
        acceptance_rate: 0.4,
        value_saved: 50.0,
    };
    for t in [0.0, 0.05, 0.1, 0.3, 0.5, 0.51, 0.9, 0.96, 1.0] {
        assert_eq!(
            table.outcome(t, &inputs),
            offer_outcome(&p, &y, t, &inputs),
            "{t}"
        );
    }
}

#[test]
fn gains_share_interpolates() {
    let g = [[0.0, 0.0], [0.2, 0.5], [1.0, 1.0]];
    assert!((share_at(&g, 0.1) - 0.25).abs() < 1e-12);
    assert!((share_at(&g, 0.2) - 0.5).abs() < 1e-12);
    assert!((share_at(&g, 2.0) - 1.0).abs() < 1e-12);
}

#[test]
fn churn_then_clv_joins_value_at_risk_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = sample_ws(dir.path());
    let params = ChurnParams {
        label: Label::Inactive {
            days: 90,
            cutoff: None,
        },
        folds: 3,
        ..ChurnParams::default()
    };
    let outcome = ws.churn(&params, &NoProgress).unwrap();
    let view = churn_view(&outcome.result, outcome.run_id);
    let targets = ws.churn_targets().unwrap();
    assert!(view.run_id.is_some());
    assert!(view.metrics.auc > 0.5, "{:?}", view.metrics);
    assert!(!view.roc.is_empty() && !view.gains.is_empty());
    assert!(view.importance.len() <= IMPORTANCE_BARS);
    assert!(view.top_decile_share >= 0.1 - 1e-9);
    assert_eq!(view.thresholds.sorted.len(), outcome.result.customers.len());
    assert_eq!(targets.rows.len(), view.scored);
    assert!(
        view.scored > outcome.result.customers.len(),
        "everyone with a purchase, today"
    );
    assert_eq!(
        view.as_of,
        Some(ws.purchase_span(&NoProgress).unwrap().unwrap().last)
    );
    assert!(targets.rows.iter().all(|r| r.label.is_none()));
    assert!(!targets.has_clv);
    assert!(
        targets
            .rows
            .windows(2)
            .all(|w| w[0].probability >= w[1].probability)
    );
    assert!(targets.rows.iter().all(|r| !r.reasons.is_empty()));
    let first = &targets.rows[5];
    assert_eq!(
        targets.find(&format!(" {} ", first.customer_id)),
        Some(first)
    );
    assert_eq!(targets.find("NOPE"), None);

    let clv = ws
        .clv(&ClvParams::new(TimeUnit::Week), &NoProgress)
        .unwrap()
        .view();
    assert!(clv.run_id.is_some() && clv.result.bgnbd.params.r > 0.0);
    assert!(clv.valued_customers > 0 && clv.result.customers.is_empty());
    let joined = ws.churn_targets().unwrap();
    assert!(joined.has_clv);
    assert_eq!(joined.rows.len(), targets.rows.len());
    let var: Vec<f64> = joined.rows.iter().map_while(|r| r.value_at_risk).collect();
    assert!(var.len() > joined.rows.len() / 2);
    assert!(var.windows(2).all(|w| w[0] >= w[1]));
    let r = &joined.rows[0];
    assert!((r.value_at_risk.unwrap() - r.probability * r.valued(|v| v.clv).unwrap()).abs() < 1e-9);

    assert!(
        joined
            .rows
            .iter()
            .any(|r| r.valued(|v| v.expected_spend).is_some())
    );

    // The export goes through the privacy guard, in the list's order.
    let path = dir.path().join("targets.csv");
    let above = joined.above(0.5);
    let export = |threshold: f64| ExportRequest {
        spec: ExportSpec::ChurnTargets { threshold },
        path: path.clone(),
        options: ExportOptions::default(),
    };
    let summary = ws.export(&export(0.5), &NoProgress).unwrap();
    assert!(summary.recorded, "{summary:?}");
    assert_eq!(
        summary.rows + summary.left_out_no_consent,
        above.len() as u64,
        "{summary:?}"
    );
    assert!(summary.columns.ends_with(&TARGET_COLUMNS.map(String::from)));
    assert!(!summary.included_pii && !summary.notes.is_empty());
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), summary.columns.join(","));
    let ids: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(ids.len() as u64, summary.rows);
    let order: Vec<&str> = above
        .iter()
        .map(|&i| joined.rows[i as usize].customer_id.as_str())
        .filter(|id| ids.contains(id))
        .collect();
    assert_eq!(ids, order, "the list's order");
    let exports: i64 = ws
        .db()
        .unwrap()
        .conn()
        .query_row("SELECT COUNT(*) FROM tailor_exports", [], |r| r.get(0))
        .unwrap();
    assert_eq!(exports, 1);
    assert!(Workspace::new().export(&export(0.5), &NoProgress).is_err());
}

/// Lifetime values with P(alive) `p_alive`, `frequency` repeat purchases, recency and T.
fn lifetime(p_alive: f64, frequency: u32, recency: f64, t: f64) -> CustomerValue {
    CustomerValue {
        customer: 0,
        frequency,
        recency,
        t,
        monetary: 10.0,
        p_alive,
        expected_purchases: 1.0,
        expected_spend: Some(10.0),
        clv: Some(50.0),
        holdout_purchases: 0,
    }
}

fn row(id: &str, probability: f64) -> TargetRow {
    TargetRow {
        customer_id: id.into(),
        probability,
        label: Some(0),
        reasons: vec!["Tenure 2 months (low)".into()],
        top_weight: 0.4,
        value: None,
        value_at_risk: None,
    }
}

#[test]
fn non_finite_values_are_none_and_sort_last() {
    let value = |id: &str, clv: Option<f64>, spend: Option<f64>| {
        let v = CustomerValue {
            expected_spend: spend,
            clv,
            ..lifetime(0.5, 2, 30.0, 10.0)
        };
        (id.to_string(), v)
    };
    let values = [
        value("a", Some(f64::NAN), Some(f64::NAN)),
        value("b", Some(100.0), Some(50.0)),
        value("c", Some(f64::INFINITY), None),
        value("d", None, None),
    ];
    let rows = vec![row("a", 0.9), row("b", 0.6), row("c", 0.8), row("d", 0.7)];
    let t = join_targets(rows, Some((&values, 1.0)), RiskPeriod::default());
    let ids: Vec<&str> = t.rows.iter().map(|r| r.customer_id.as_str()).collect();
    assert_eq!(
        ids,
        ["b", "a", "c", "d"],
        "valued first, then by probability"
    );
    let a = t.find("a").unwrap();
    assert_eq!(
        (
            a.valued(|v| v.clv),
            a.value_at_risk,
            a.valued(|v| v.expected_spend)
        ),
        (None, None, None)
    );
    assert_eq!(t.find("c").unwrap().valued(|v| v.clv), None);
    assert_eq!(t.find("b").unwrap().value_at_risk, Some(60.0));
    // The export's cells: blank where there is no value, numbers elsewhere.
    let audience = target_audience(&t, 0.0);
    assert_eq!(audience.customer_ids, ["b", "a", "c", "d"]);
    let column = |name: &str| &audience.extra.iter().find(|(n, _)| n == name).unwrap().1;
    assert_eq!(column("clv")[0], Cell::Number(100.0));
    assert_eq!(column("clv")[1], Cell::Empty);
    assert_eq!(column("value_at_risk")[2], Cell::Empty);
    assert_eq!(column("churn_probability")[1], Cell::Number(0.9));
    assert_eq!(
        column("reason_1")[0],
        Cell::Text("Tenure 2 months (low)".into())
    );
    assert_eq!(column("reason_2")[0], Cell::Empty);
    // Without lifetime value the value columns are left out.
    let plain = join_targets(vec![row("x", 0.3)], None, RiskPeriod::default());
    let plain_audience = target_audience(&plain, 0.0);
    let names: Vec<&str> = plain_audience
        .extra
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(
        names,
        ["churn_probability", "reason_1", "reason_2", "reason_3"]
    );
    assert!(target_audience(&plain, 0.5).customer_ids.is_empty());
    assert_eq!(threshold_percent(0.85), "85%");
}

#[test]
fn clv_without_transactions_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, tenure INTEGER, churned INTEGER);
         INSERT INTO customers VALUES ('a', 1, 1), ('b', 2, 0);",
    )
    .unwrap();
    drop(conn);
    let mut ws = Workspace::open(&path).unwrap();
    let err = ws
        .clv(&ClvParams::new(TimeUnit::Week), &NoProgress)
        .unwrap_err();
    assert!(err.to_string().contains("transactions"), "{err}");
    assert!(
        Workspace::new()
            .churn(&ChurnParams::default(), &NoProgress)
            .is_err()
    );
}

#[test]
fn churn_risk_and_p_alive_disagreeing_are_marked_with_the_reason() {
    let period = RiskPeriod::AsOf {
        as_of: "2011-12-09".into(),
        days: 90,
    };
    // Weeks, as the CLV panel's default: recency and T in weeks.
    let with = |risk: f64, p_alive: f64, repeat: u32, since: f64, gap: Option<f64>| {
        let span = gap.unwrap_or(0.0) * f64::from(repeat);
        TargetRow {
            value: Some(lifetime(p_alive, repeat, span / 7.0, (span + since) / 7.0)),
            ..row("a", risk)
        }
    };
    let disagreement = |r: &TargetRow, p: &RiskPeriod| disagreement(r, p, 7.0);
    // Agreeing (risk 0.8 beside P(alive) 0.3) or without lifetime value: no mark.
    assert_eq!(
        disagreement(&with(0.8, 0.3, 3, 100.0, Some(40.0)), &period),
        None
    );
    assert_eq!(disagreement(&row("a", 0.98), &period), None);
    // 104316 on the sample: 97.9% risk beside 90.7% P(alive).
    let one = disagreement(&with(0.979, 0.907, 0, 20.0, None), &period).unwrap();
    assert!(one.starts_with("A single purchase"), "{one}");
    assert!(one.contains("in the next 90 days"), "{one}");
    let recent = disagreement(&with(0.9, 0.95, 2, 10.0, Some(200.0)), &period).unwrap();
    assert!(
        recent.starts_with("A recent purchase after long gaps (10 days ago; 200 days"),
        "{recent}"
    );
    let slow = disagreement(&with(0.9, 0.8, 2, 150.0, Some(120.0)), &period).unwrap();
    assert!(slow.starts_with("A slow pace (120 days"), "{slow}");
    // A brisk pace (every 25 days) is no reason: the plain difference is said.
    let brisk = disagreement(&with(0.98, 0.834, 2, 40.0, Some(25.0)), &period).unwrap();
    assert!(
        brisk.starts_with("By their own pace (a purchase every 25 days on average, the last 40"),
        "{brisk}"
    );
    let silent = disagreement(&with(0.1, 0.2, 5, 90.0, Some(12.0)), &period).unwrap();
    assert!(
        silent.starts_with("A long silence for their own pace (90 days"),
        "{silent}"
    );
    assert!(
        period
            .risk_line()
            .contains("no purchase in the 90 days after 2011-12-09")
    );
    assert!(period.p_alive_line().contains("on 2011-12-09"));
}
