//! Behaviour measures of a population at a reference time, from transactions strictly before it.

use std::collections::HashSet;

use super::{Pending, Source};
use crate::data::dataset::Dataset;
use crate::models::churn::DAY_SECS;

/// Behaviour columns for the population `rows`, from transactions before `reference`.
pub(super) fn behaviour(data: &Dataset, rows: &[usize], reference: i64) -> Vec<Pending> {
    let t = &data.transactions;
    let n = data.n_customers();
    let mut pos = vec![usize::MAX; n];
    for (k, &i) in rows.iter().enumerate() {
        if let Some(p) = pos.get_mut(i) {
            *p = k;
        }
    }
    let m = rows.len();
    let mut first = vec![i64::MAX; m];
    let mut last = vec![i64::MIN; m];
    let mut money = vec![0.0; m];
    let mut freq = vec![0.0; m];
    let mut recent = vec![0.0; m];
    let mut lines = vec![0.0; m];
    let mut returns = vec![0.0; m];
    let mut products = vec![0.0; m];
    let mut occasions: HashSet<(u32, u64)> = HashSet::new();
    let mut recent_occasions: HashSet<(u32, u64)> = HashSet::new();
    let mut bought: HashSet<(u32, u32)> = HashSet::new();
    let recent_from = reference - 90 * DAY_SECS;
    for r in 0..t.len() {
        let (Some(&c), Some(&ts)) = (t.customer.get(r), t.ts.get(r)) else {
            continue;
        };
        if ts >= reference {
            continue;
        }
        let Some(&k) = pos.get(c as usize) else {
            continue;
        };
        if k == usize::MAX {
            continue;
        }
        let cancelled = t.cancelled.get(r).copied().unwrap_or(false);
        money[k] += t.amount.get(r).copied().unwrap_or(0.0);
        lines[k] += 1.0;
        if cancelled {
            returns[k] += 1.0;
            continue;
        }
        first[k] = first[k].min(ts);
        last[k] = last[k].max(ts);
        let occasion = match t.order_of(r) {
            Some(o) => u64::from(o),
            None => (1 << 63) | ts.div_euclid(DAY_SECS) as u64,
        };
        if occasions.insert((k as u32, occasion)) {
            freq[k] += 1.0;
        }
        if ts >= recent_from && recent_occasions.insert((k as u32, occasion)) {
            recent[k] += 1.0;
        }
        if let Some(p) = t.product_of(r)
            && bought.insert((k as u32, p))
        {
            products[k] += 1.0;
        }
    }
    let days = |a: i64, b: i64| (a - b) as f64 / DAY_SECS as f64;
    let known = |k: usize| first[k] != i64::MAX;
    let col = |name: &str, log_scale: bool, f: &dyn Fn(usize) -> Option<f64>| Pending {
        column: name.to_string(),
        source: Source::Behaviour,
        values: (0..m).map(f).collect(),
        log_scale,
    };
    vec![
        col("recency_days", false, &|k| {
            known(k).then(|| days(reference, last[k]))
        }),
        col("frequency", true, &|k| Some(freq[k])),
        col("monetary", true, &|k| Some(money[k])),
        col("tenure_days", false, &|k| {
            known(k).then(|| days(reference, first[k]))
        }),
        col("avg_basket", true, &|k| {
            (freq[k] > 0.0).then(|| money[k] / freq[k])
        }),
        col("distinct_products", true, &|k| Some(products[k])),
        col("days_between_orders", false, &|k| {
            (freq[k] >= 2.0).then(|| days(last[k], first[k]) / (freq[k] - 1.0))
        }),
        col("orders_last_90_days", true, &|k| Some(recent[k])),
        col("returns_share", false, &|k| {
            (lines[k] > 0.0).then(|| returns[k] / lines[k])
        }),
    ]
}
