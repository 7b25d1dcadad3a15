//! Features per customer for segmentation: behaviour from transactions plus attribute columns.
//!
//! Behaviour (when the database has transactions), measured at the reference date (the day
//! after the last transaction):
//! - `recency_days`: days since the last purchase (customers who never bought get the largest
//!   recency seen, plus one);
//! - `frequency`: purchase occasions — distinct order ids, or distinct days for rows without one;
//! - `monetary`: money spent, net of returns and cancellations;
//! - `tenure_days`: days since the first purchase;
//! - `avg_basket`: money spent per purchase occasion;
//! - `share_<category>`: share of the customer's spend in each of the top categories.
//!
//! Attributes: every customers column whose role is `feature` (protected columns only when the
//! caller opts in; personal data never); numbers as they are (blanks get the mean), categories one-hot
//! (the 12 most common values, the rest as `other`).
//!
//! The model sees the standardized matrix: `frequency`, `monetary` and `avg_basket` are first
//! put on a signed log scale (`sign(x)·ln(1+|x|)`), since spend is heavy-tailed; then every
//! column is centred and scaled to unit variance (constant columns become 0). The one-hot
//! columns of a categorical attribute with L values are then scaled by 1/√L, so the attribute
//! as a whole weighs as much as one numeric feature (otherwise an 8-value region would outweigh
//! the behaviour and segments would split by region).

use std::collections::HashSet;

use crate::data::dataset::{AttrValues, Dataset, RevenueKind};
use crate::data::roles::Role;

const DAY_SECS: i64 = 86_400;
const MAX_LEVELS: usize = 12;

/// The behaviour columns, in matrix order (before the category shares).
pub const BEHAVIOUR_COLUMNS: [&str; 5] = [
    "recency_days",
    "frequency",
    "monetary",
    "tenure_days",
    "avg_basket",
];

/// Which columns go in.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureOptions {
    /// Include protected columns (gender, age…) as features.
    pub include_protected: bool,
    /// Number of top categories whose spend share is a feature.
    pub top_categories: usize,
    /// Use behaviour from transactions (when there are any).
    pub behaviour: bool,
}

impl Default for FeatureOptions {
    fn default() -> Self {
        Self {
            include_protected: false,
            top_categories: 5,
            behaviour: true,
        }
    }
}

/// A column left out, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LeftOut {
    /// The customers column.
    pub column: String,
    /// Why ("protected", "personal data", "ignored", …).
    pub reason: String,
}

/// The feature matrix of every customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// Feature names, one per column.
    pub names: Vec<String>,
    /// Number of customers (rows), in the dataset's customer order.
    pub n: usize,
    /// Raw values, row-major `n × names.len()` (what profiles report).
    pub raw: Vec<f64>,
    /// Standardized values the models see, row-major `n × names.len()`.
    pub standardized: Vec<f64>,
    /// Customers columns used.
    pub used_columns: Vec<String>,
    /// Customers columns left out, with the reason.
    pub left_out: Vec<LeftOut>,
    /// Per customer: money spent, net; without transactions, the revenue column's value (0
    /// where blank or where there is none).
    pub revenue: Vec<f64>,
    /// Where `revenue` comes from.
    pub revenue_of: RevenueOf,
    /// Reference time (seconds since 1970) of the behaviour features, if any.
    pub reference_ts: Option<i64>,
}

/// Where a segment's revenue comes from.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RevenueOf {
    /// Nowhere: no transactions and no revenue column.
    #[default]
    Nothing,
    /// Transactions, net of returns.
    Transactions,
    /// A customers column (role `revenue` or `recurring`).
    Column {
        /// The column.
        name: String,
        /// A total, or an amount per month.
        kind: RevenueKind,
    },
}

impl RevenueOf {
    /// How a share of it reads: `of revenue`, `of monthly charges`; `None` without revenue.
    pub fn share_of(&self) -> Option<String> {
        match self {
            RevenueOf::Nothing => None,
            RevenueOf::Transactions => Some("of revenue".into()),
            RevenueOf::Column { name, kind } => Some(match kind {
                RevenueKind::Total => format!("of revenue ({name})"),
                RevenueKind::Monthly => format!("of monthly revenue ({name})"),
            }),
        }
    }
}

impl Features {
    /// Number of features.
    pub fn p(&self) -> usize {
        self.names.len()
    }

    /// A customer's standardized row.
    pub fn row(&self, i: usize) -> &[f64] {
        let p = self.p();
        self.standardized.get(i * p..(i + 1) * p).unwrap_or(&[])
    }

    /// A customer's raw row.
    pub fn raw_row(&self, i: usize) -> &[f64] {
        let p = self.p();
        self.raw.get(i * p..(i + 1) * p).unwrap_or(&[])
    }
}

fn signed_log(x: f64) -> f64 {
    x.signum() * x.abs().ln_1p()
}

/// Per-customer behaviour columns.
struct Behaviour {
    names: Vec<String>,
    /// Column-major: one Vec per feature.
    columns: Vec<Vec<f64>>,
    revenue: Vec<f64>,
    reference_ts: i64,
}

fn behaviour(data: &Dataset, top_categories: usize) -> Option<Behaviour> {
    let t = &data.transactions;
    if t.is_empty() {
        return None;
    }
    let n = data.n_customers();
    let reference_ts = (t.ts.iter().copied().max()? / DAY_SECS + 1) * DAY_SECS;
    let mut first = vec![i64::MAX; n];
    let mut last = vec![i64::MIN; n];
    let mut money = vec![0.0; n];
    // Purchase occasions: distinct orders (an order counts for the customer first seen with
    // it), or distinct days for rows without an order id.
    let mut frequency = vec![0.0; n];
    let mut order_seen = vec![false; t.n_orders as usize];
    let mut days: HashSet<(u32, i64)> = HashSet::new();
    // Spend per (customer, category), for the top categories.
    let n_cat = data.products.categories.len();
    let mut cat_total = vec![0.0; n_cat];
    for r in 0..t.len() {
        let (Some(&c), Some(&amount), Some(&cancelled)) =
            (t.customer.get(r), t.amount.get(r), t.cancelled.get(r))
        else {
            continue;
        };
        let ci = c as usize;
        if let Some(m) = money.get_mut(ci) {
            *m += amount;
        }
        let purchase = !cancelled && t.quantity.get(r).is_some_and(|q| *q > 0.0);
        if !purchase {
            continue;
        }
        let ts = t.ts.get(r).copied().unwrap_or(0);
        if let (Some(f), Some(l)) = (first.get_mut(ci), last.get_mut(ci)) {
            *f = (*f).min(ts);
            *l = (*l).max(ts);
        }
        let new_occasion = match t.order_of(r) {
            Some(o) => order_seen
                .get_mut(o as usize)
                .is_some_and(|seen| !std::mem::replace(seen, true)),
            None => days.insert((c, ts.div_euclid(DAY_SECS))),
        };
        if new_occasion && let Some(f) = frequency.get_mut(ci) {
            *f += 1.0;
        }
        if let Some(cat) = data.category_of_row(r)
            && let Some(total) = cat_total.get_mut(cat as usize)
        {
            *total += amount.max(0.0);
        }
    }
    let max_recency = (0..n)
        .filter(|&i| last.get(i).is_some_and(|l| *l != i64::MIN))
        .map(|i| (reference_ts - last.get(i).copied().unwrap_or(0)) as f64 / DAY_SECS as f64)
        .fold(0.0_f64, f64::max);
    let mut recency = Vec::with_capacity(n);
    let mut tenure = Vec::with_capacity(n);
    let mut basket = Vec::with_capacity(n);
    for i in 0..n {
        let l = last.get(i).copied().unwrap_or(i64::MIN);
        if l == i64::MIN {
            recency.push(max_recency + 1.0);
            tenure.push(0.0);
        } else {
            recency.push((reference_ts - l) as f64 / DAY_SECS as f64);
            let f = first.get(i).copied().unwrap_or(l);
            tenure.push((reference_ts - f) as f64 / DAY_SECS as f64);
        }
        let freq = frequency.get(i).copied().unwrap_or(0.0);
        let m = money.get(i).copied().unwrap_or(0.0);
        basket.push(if freq > 0.0 { m / freq } else { 0.0 });
    }
    let mut names: Vec<String> = BEHAVIOUR_COLUMNS.iter().map(|s| s.to_string()).collect();
    let mut columns = vec![recency, frequency, money.clone(), tenure, basket];

    // Top categories by spend (ties by name), then each customer's share of spend in them.
    let mut order: Vec<usize> = (0..n_cat).filter(|&c| cat_total[c] > 0.0).collect();
    order.sort_by(|&a, &b| cat_total[b].total_cmp(&cat_total[a]).then(a.cmp(&b)));
    order.truncate(top_categories);
    if !order.is_empty() {
        let mut spend = vec![vec![0.0; n]; order.len()];
        let mut positive = vec![0.0; n];
        for (c, amount, cat) in data.positive_spend() {
            let ci = c as usize;
            if let Some(p) = positive.get_mut(ci) {
                *p += amount;
            }
            if let Some(cat) = cat
                && let Some(k) = order.iter().position(|&o| o == cat as usize)
                && let Some(s) = spend.get_mut(k).and_then(|v| v.get_mut(ci))
            {
                *s += amount;
            }
        }
        for (k, &cat) in order.iter().enumerate() {
            let name = data
                .products
                .categories
                .get(cat)
                .cloned()
                .unwrap_or_default();
            names.push(format!("share_{name}"));
            let col: Vec<f64> = (0..n)
                .map(|i| {
                    let p = positive.get(i).copied().unwrap_or(0.0);
                    let s = spend.get(k).and_then(|v| v.get(i)).copied().unwrap_or(0.0);
                    if p > 0.0 { s / p } else { 0.0 }
                })
                .collect();
            columns.push(col);
        }
    }
    Some(Behaviour {
        names,
        columns,
        revenue: money,
        reference_ts,
    })
}

/// Builds the feature matrix of every customer in `data`.
pub fn build(data: &Dataset, options: &FeatureOptions) -> Features {
    let n = data.n_customers();
    let mut names: Vec<String> = Vec::new();
    let mut columns: Vec<Vec<f64>> = Vec::new();
    let mut log_scaled: Vec<bool> = Vec::new();
    // Per column: its weight after standardizing (one-hot columns share one unit of variance).
    let mut weights: Vec<f64> = Vec::new();
    let mut revenue = vec![0.0; n];
    let mut revenue_of = RevenueOf::Nothing;
    let mut reference_ts = None;
    if options.behaviour
        && let Some(b) = behaviour(data, options.top_categories)
    {
        for (name, col) in b.names.into_iter().zip(b.columns) {
            log_scaled.push(matches!(
                name.as_str(),
                "frequency" | "monetary" | "avg_basket"
            ));
            weights.push(1.0);
            names.push(name);
            columns.push(col);
        }
        revenue = b.revenue;
        revenue_of = RevenueOf::Transactions;
        reference_ts = Some(b.reference_ts);
    } else if let Some((name, kind, values)) = data.revenue_column() {
        revenue = (0..n)
            .map(|i| values.get(i).copied().flatten().unwrap_or(0.0))
            .collect();
        revenue_of = RevenueOf::Column {
            name: name.to_string(),
            kind,
        };
    }
    let mut used_columns = Vec::new();
    let mut left_out = Vec::new();
    for attr in &data.attributes {
        let allowed = match attr.role {
            Role::Feature | Role::Revenue | Role::Recurring => Ok(()),
            Role::Protected if options.include_protected => Ok(()),
            Role::Protected => Err("protected"),
            Role::Pii => Err("personal data"),
            Role::Label => Err("label"),
            Role::Key => Err("key"),
            Role::Ignore => Err("ignored"),
        };
        if let Err(reason) = allowed {
            left_out.push(LeftOut {
                column: attr.name.clone(),
                reason: reason.to_string(),
            });
            continue;
        }
        match &attr.values {
            AttrValues::Numeric(values) => {
                let known: Vec<f64> = values.iter().flatten().copied().collect();
                if known.is_empty() {
                    left_out.push(LeftOut {
                        column: attr.name.clone(),
                        reason: "blank everywhere".into(),
                    });
                    continue;
                }
                let mean = known.iter().sum::<f64>() / known.len() as f64;
                names.push(attr.name.clone());
                columns.push(values.iter().map(|v| v.unwrap_or(mean)).collect());
                log_scaled.push(false);
                weights.push(1.0);
            }
            AttrValues::Categorical { levels, codes }
                if levels.len() >= 2
                    && levels
                        .iter()
                        .all(|l| crate::data::dataset::iso_to_epoch_secs(l).is_some()) =>
            {
                // A date column (signup date…): days before the reference date.
                let secs: Vec<Option<i64>> = levels
                    .iter()
                    .map(|l| crate::data::dataset::iso_to_epoch_secs(l))
                    .collect();
                let latest = secs.iter().flatten().copied().max().unwrap_or(0);
                let reference = reference_ts.unwrap_or(latest);
                let days: Vec<Option<f64>> = codes
                    .iter()
                    .map(|c| {
                        c.and_then(|c| secs.get(c as usize).copied().flatten())
                            .map(|s| (reference - s) as f64 / DAY_SECS as f64)
                    })
                    .collect();
                let known: Vec<f64> = days.iter().flatten().copied().collect();
                let mean = known.iter().sum::<f64>() / known.len().max(1) as f64;
                names.push(format!("{}_days_ago", attr.name));
                columns.push(days.iter().map(|d| d.unwrap_or(mean)).collect());
                log_scaled.push(false);
                weights.push(1.0);
            }
            AttrValues::Categorical { levels, codes } => {
                if levels.len() > 200 || levels.len() < 2 {
                    left_out.push(LeftOut {
                        column: attr.name.clone(),
                        reason: if levels.len() < 2 {
                            "a single value".into()
                        } else {
                            format!("{} distinct values, too many to one-hot", levels.len())
                        },
                    });
                    continue;
                }
                let mut counts = vec![0usize; levels.len()];
                for c in codes.iter().flatten() {
                    if let Some(k) = counts.get_mut(*c as usize) {
                        *k += 1;
                    }
                }
                let mut top: Vec<usize> = (0..levels.len()).collect();
                top.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
                top.truncate(MAX_LEVELS);
                top.sort_unstable();
                let has_other = levels.len() > top.len();
                let group = (top.len() + usize::from(has_other)) as f64;
                let group_weight = 1.0 / group.sqrt();
                for &level in &top {
                    names.push(format!(
                        "{}={}",
                        attr.name,
                        levels.get(level).map(String::as_str).unwrap_or("")
                    ));
                    columns.push(
                        codes
                            .iter()
                            .map(|c| f64::from(u8::from(*c == Some(level as u32))))
                            .collect(),
                    );
                    log_scaled.push(false);
                    weights.push(group_weight);
                }
                if has_other {
                    names.push(format!("{}=other", attr.name));
                    columns.push(
                        codes
                            .iter()
                            .map(|c| {
                                f64::from(u8::from(c.is_some_and(|c| !top.contains(&(c as usize)))))
                            })
                            .collect(),
                    );
                    log_scaled.push(false);
                    weights.push(group_weight);
                }
            }
        }
        used_columns.push(attr.name.clone());
    }
    for column in &data.pii_columns {
        left_out.push(LeftOut {
            column: column.clone(),
            reason: "personal data".into(),
        });
    }
    let p = names.len();
    let mut raw = vec![0.0; n * p];
    let mut standardized = vec![0.0; n * p];
    for (j, col) in columns.iter().enumerate() {
        let transformed: Vec<f64> = if log_scaled.get(j).copied().unwrap_or(false) {
            col.iter().map(|&x| signed_log(x)).collect()
        } else {
            col.clone()
        };
        let mean = transformed.iter().sum::<f64>() / n.max(1) as f64;
        let var = transformed.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n.max(1) as f64;
        let sd = var.sqrt();
        for i in 0..n {
            let idx = i * p + j;
            if let (Some(r), Some(s), Some(&x), Some(&tx)) = (
                raw.get_mut(idx),
                standardized.get_mut(idx),
                col.get(i),
                transformed.get(i),
            ) {
                *r = x;
                let w = weights.get(j).copied().unwrap_or(1.0);
                *s = if sd > 1e-12 {
                    w * (tx - mean) / sd
                } else {
                    0.0
                };
            }
        }
    }
    Features {
        names,
        n,
        raw,
        standardized,
        used_columns,
        left_out,
        revenue,
        revenue_of,
        reference_ts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::db::Database;
    use crate::progress::NoProgress;

    fn dataset() -> Dataset {
        let db = Database::in_memory().unwrap();
        db.conn()
            .execute_batch(
                "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, gender TEXT, region TEXT, email TEXT);
                 INSERT INTO customers VALUES ('a', 'F', 'North', 'a@x'), ('b', 'M', 'South', 'b@x'),
                     ('c', 'F', 'North', 'c@x');
                 CREATE TABLE products (product_id TEXT PRIMARY KEY, category TEXT);
                 INSERT INTO products VALUES ('p1', 'Toys'), ('p2', 'Books');
                 CREATE TABLE transactions (customer_id TEXT, ts TEXT, order_id TEXT,
                     product_id TEXT, quantity REAL, unit_price REAL);
                 INSERT INTO transactions VALUES
                     ('a', '2020-01-01', 'o1', 'p1', 2, 5.0),
                     ('a', '2020-01-01', 'o1', 'p2', 1, 10.0),
                     ('a', '2020-01-11', 'o2', 'p2', 1, 10.0),
                     ('a', '2020-01-12', 'C3', 'p2', -1, 10.0),
                     ('b', '2020-01-21', 'o4', 'p1', 1, 5.0);",
            )
            .unwrap();
        Dataset::load(&db, &NoProgress).unwrap()
    }

    #[test]
    fn behaviour_features_by_hand() {
        let f = build(&dataset(), &FeatureOptions::default());
        assert_eq!(
            f.names,
            vec![
                "recency_days",
                "frequency",
                "monetary",
                "tenure_days",
                "avg_basket",
                "share_Books",
                "share_Toys",
                "region=North",
                "region=South"
            ]
        );
        // Reference: 2020-01-22. a: last purchase 01-11 (11 days), first 01-01 (21 days),
        // 2 orders, 10 + 10 + 10 - 10 = 20 net, 30 positive of which 20 in Books.
        let a = f.raw_row(0);
        assert_eq!(&a[..5], &[11.0, 2.0, 20.0, 21.0, 10.0]);
        assert!((a[5] - 20.0 / 30.0).abs() < 1e-12);
        // c never bought: the largest recency plus one.
        let c = f.raw_row(2);
        assert_eq!(&c[..5], &[12.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(f.revenue, vec![20.0, 5.0, 0.0]);
        assert_eq!(f.used_columns, vec!["region"]);
        let reasons: Vec<(&str, &str)> = f
            .left_out
            .iter()
            .map(|l| (l.column.as_str(), l.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            vec![("gender", "protected"), ("email", "personal data")]
        );
        // Standardized columns have mean 0.
        for j in 0..f.p() {
            let mean: f64 = (0..f.n).map(|i| f.row(i)[j]).sum::<f64>() / f.n as f64;
            assert!(mean.abs() < 1e-9, "{}", f.names[j]);
        }
    }

    #[test]
    fn protected_columns_only_on_request() {
        let options = FeatureOptions {
            include_protected: true,
            behaviour: false,
            ..FeatureOptions::default()
        };
        let f = build(&dataset(), &options);
        assert_eq!(
            f.names,
            vec!["gender=F", "gender=M", "region=North", "region=South"]
        );
        assert_eq!(f.raw_row(1), &[0.0, 1.0, 0.0, 1.0]);
    }
}
