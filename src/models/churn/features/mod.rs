//! The churn model's inputs, one row per labelled customer.
//!
//! Behaviour (when there are transactions), measured at the reference time — the cutoff for an
//! inactivity label, else the start of the day after the last transaction — from transactions
//! strictly before it, so nothing after the cutoff can leak into the inputs:
//! `recency_days`, `frequency` (distinct orders, or purchase days for rows without an order
//! id; returns not counted), `monetary` (net of returns and cancellations), `tenure_days`,
//! `avg_basket`, `distinct_products`, `days_between_orders`, `orders_last_90_days`,
//! `returns_share`.
//!
//! Attributes: every customers column whose role is `feature` (protected ones only on request;
//! personal data never). Numbers are kept; blanks get the column's median and a
//! `Column = blank` indicator column, and are counted in [`FeatureMatrix::imputed`]. A column
//! of dates becomes days before the reference time (dates after it are treated as blank).
//! Categories are one-hot encoded with every level (`Contract = Month-to-month`); a column with
//! more than 50 levels keeps the 30 most common plus `other`, and one whose values are nearly
//! all distinct (an id) is left out; blanks get their own `Column = blank` column. Every
//! column left out is listed with the reason. No customer is ever dropped for a blank.

mod behaviour;
mod families;
mod like;

pub use like::build_like;

use crate::data::dataset::{AttrValues, Dataset, iso_to_epoch_secs};
use crate::data::roles::Role;
use crate::models::churn::DAY_SECS;

const MAX_LEVELS: usize = 50;
const KEPT_LEVELS: usize = 30;

/// Where a feature group comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Computed from transactions.
    Behaviour,
    /// A customers column.
    Attribute,
}

/// How a group's columns encode it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// One numeric column (plus a blank indicator when it has blanks).
    Numeric {
        /// The median of the known values (what blanks get).
        median: f64,
        /// Only 0 and 1 occur: phrased yes/no.
        binary: bool,
    },
    /// One-hot columns, one per level (plus `blank`/`other` where needed).
    Categorical,
}

/// A source column (or behaviour measure) and the model columns that encode it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Group {
    /// The customers column or behaviour measure (`recency_days`, `Contract`).
    pub column: String,
    /// Where it comes from.
    pub source: Source,
    /// How it is encoded.
    pub kind: GroupKind,
    /// Indices of its model columns.
    pub features: Vec<usize>,
}

/// What one model column holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    /// The value of a numeric group (blanks imputed).
    Value,
    /// 1 where the group's value is blank.
    Blank,
    /// 1 where the group's value is this level.
    Level(String),
    /// 1 where the value is one of the less common levels folded together.
    Other,
}

/// One model column.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Feature {
    /// Display name: `tenure`, `Contract = Month-to-month`, `TotalCharges = blank`.
    pub name: String,
    /// Index into [`FeatureMatrix::groups`].
    pub group: usize,
    /// What it holds.
    pub kind: FeatureKind,
    /// Heavy-tailed money or count: the logistic model sees `sign(x)·ln(1+|x|)`.
    pub log_scale: bool,
}

/// A column left out of the inputs, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LeftOut {
    /// The customers column.
    pub column: String,
    /// Why (`protected`, `personal data`, `label`, `7043 distinct values`…).
    pub reason: String,
}

/// Blanks filled in a column.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Imputed {
    /// The column.
    pub column: String,
    /// Customers whose value was blank.
    pub blanks: usize,
    /// What they got (the median; `None` for categories, which get a `blank` column).
    pub value: Option<f64>,
}

/// The input matrix, row-major `n × p`, rows in the order of [`crate::models::churn::label::Labelled::rows`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FeatureMatrix {
    /// The model columns.
    pub features: Vec<Feature>,
    /// Source columns and behaviour measures, each with its model columns.
    pub groups: Vec<Group>,
    /// Rows.
    pub n: usize,
    /// Values (blanks imputed), row-major.
    #[serde(skip)]
    pub x: Vec<f64>,
    /// Per row and group: the value is blank (read for phrasing reasons).
    #[serde(skip)]
    pub blank: Vec<bool>,
    /// Customers columns used.
    pub used_columns: Vec<String>,
    /// Customers columns left out, with the reason.
    pub left_out: Vec<LeftOut>,
    /// Blanks filled, per column that had any.
    pub imputed: Vec<Imputed>,
    /// Reference time of the behaviour features (seconds since 1970), if any.
    pub reference_ts: Option<i64>,
    /// Whether the reference time is the label's cutoff (an inactivity label), rather than the
    /// day after the last transaction: reasons then say "before the cutoff", not "ago".
    #[serde(default)]
    pub reference_is_cutoff: bool,
    /// Per numeric group: sorted points of its known values over the training rows (empty for
    /// categories), to say where a customer stands ("fewer than 80% of customers").
    #[serde(skip)]
    pub quantiles: Vec<Vec<f64>>,
    /// Per group: its family; groups of one family give one reason (see `families.rs`).
    #[serde(skip)]
    pub family: Vec<usize>,
    /// Per model column: its correlation with the label over the training rows (empty until
    /// [`FeatureMatrix::learn_association`]).
    #[serde(skip)]
    pub association: Vec<f64>,
    /// How reasons write amounts.
    #[serde(skip)]
    pub money: crate::money::Money,
}

impl FeatureMatrix {
    /// Number of model columns.
    pub fn p(&self) -> usize {
        self.features.len()
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        let p = self.p();
        self.x.get(i * p..(i + 1) * p).unwrap_or(&[])
    }

    /// Whether group `g` is blank in row `i`.
    pub fn is_blank(&self, i: usize, g: usize) -> bool {
        self.blank
            .get(i * self.groups.len() + g)
            .copied()
            .unwrap_or(false)
    }

    /// The model column names.
    pub fn names(&self) -> Vec<String> {
        self.features.iter().map(|f| f.name.clone()).collect()
    }

    /// The matrix the logistic model sees: log-scaled columns transformed.
    pub fn logistic_input(&self) -> Vec<f64> {
        let p = self.p();
        let logs: Vec<bool> = self.features.iter().map(|f| f.log_scale).collect();
        self.x
            .iter()
            .enumerate()
            .map(|(k, &v)| {
                if logs.get(k % p.max(1)).copied().unwrap_or(false) {
                    v.signum() * v.abs().ln_1p()
                } else {
                    v
                }
            })
            .collect()
    }
}

/// Which columns go in.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FeatureOptions {
    /// Include protected columns (gender, age…).
    pub include_protected: bool,
    /// Customers columns left out by name (case-insensitive), for example a proxy of a
    /// protected column in the Fairness panel's what-if.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// How reasons write amounts (spend, basket): the database's currency.
    #[serde(skip)]
    pub money: crate::money::Money,
}

/// A column under construction: values per row (`None` = blank).
pub(super) struct Pending {
    column: String,
    source: Source,
    values: Vec<Option<f64>>,
    log_scale: bool,
}

/// One group's values for every row, before they are laid out as model columns.
enum Column {
    /// A numeric group's value (`None` = blank).
    Numeric(Vec<Option<f64>>),
    /// The position, within the group's model columns, of the one set to 1 (`None`: none).
    Hot(Vec<Option<usize>>),
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let m = values.len() / 2;
    if values.len() % 2 == 1 {
        values[m]
    } else {
        (values[m - 1] + values[m]) / 2.0
    }
}

/// Builds the inputs of the labelled population `rows` (dataset customer indices). `reference`
/// is the cutoff (behaviour from transactions strictly before it; `None`: all transactions);
/// `label_column` is left out.
pub fn build(
    data: &Dataset,
    rows: &[usize],
    cutoff: Option<i64>,
    label_column: Option<&str>,
    options: &FeatureOptions,
) -> FeatureMatrix {
    let m = rows.len();
    let last_ts = data.transactions.ts.iter().copied().max();
    let reference = cutoff.or_else(|| last_ts.map(|l| (l.div_euclid(DAY_SECS) + 1) * DAY_SECS));
    // Each group: pending numeric columns, or a categorical encoding.
    enum Enc {
        Numeric(Pending),
        Categorical {
            column: String,
            /// Per row: the column index within `names` it sets, or `None`.
            hot: Vec<Option<usize>>,
            names: Vec<(String, FeatureKind)>,
            blanks: usize,
        },
    }
    let mut encs: Vec<Enc> = Vec::new();
    if let Some(reference) = reference
        && !data.transactions.is_empty()
    {
        encs.extend(
            behaviour::behaviour(data, rows, reference)
                .into_iter()
                .map(Enc::Numeric),
        );
    }
    let mut used_columns = Vec::new();
    let mut left_out = Vec::new();
    for attr in &data.attributes {
        let allowed = if Some(attr.name.as_str()) == label_column {
            Err("label".to_string())
        } else if options
            .exclude
            .iter()
            .any(|x| x.trim().eq_ignore_ascii_case(&attr.name))
        {
            Err("left out on request".to_string())
        } else {
            match attr.role {
                Role::Feature | Role::Revenue | Role::Recurring => Ok(()),
                Role::Protected if options.include_protected => Ok(()),
                Role::Protected => Err("protected".into()),
                Role::Pii => Err("personal data".into()),
                Role::Label => Err("label".into()),
                Role::Key => Err("key".into()),
                Role::Ignore => Err("ignored".into()),
            }
        };
        if let Err(reason) = allowed {
            left_out.push(LeftOut {
                column: attr.name.clone(),
                reason,
            });
            continue;
        }
        match &attr.values {
            AttrValues::Numeric(values) => {
                let v: Vec<Option<f64>> = rows
                    .iter()
                    .map(|&i| values.get(i).copied().flatten())
                    .collect();
                if v.iter().all(Option::is_none) {
                    left_out.push(LeftOut {
                        column: attr.name.clone(),
                        reason: "blank everywhere".into(),
                    });
                    continue;
                }
                encs.push(Enc::Numeric(Pending {
                    column: attr.name.clone(),
                    source: Source::Attribute,
                    values: v,
                    log_scale: false,
                }));
            }
            AttrValues::Categorical { levels, codes }
                if levels.iter().all(|l| iso_to_epoch_secs(l).is_some()) =>
            {
                let v = date_values(levels, codes, rows, reference);
                if v.iter().all(Option::is_none) {
                    left_out.push(LeftOut {
                        column: attr.name.clone(),
                        reason: "no date before the cutoff".into(),
                    });
                    continue;
                }
                encs.push(Enc::Numeric(Pending {
                    column: format!("{}_days_ago", attr.name),
                    source: Source::Attribute,
                    values: v,
                    log_scale: false,
                }));
            }
            AttrValues::Categorical { levels, codes } => {
                let row_codes: Vec<Option<u32>> = rows
                    .iter()
                    .map(|&i| codes.get(i).copied().flatten())
                    .collect();
                let mut counts = vec![0usize; levels.len()];
                for c in row_codes.iter().flatten() {
                    if let Some(k) = counts.get_mut(*c as usize) {
                        *k += 1;
                    }
                }
                let present = counts.iter().filter(|c| **c > 0).count();
                let blanks = row_codes.iter().filter(|c| c.is_none()).count();
                if present > MAX_LEVELS && present * 2 > m {
                    left_out.push(LeftOut {
                        column: attr.name.clone(),
                        reason: format!("{present} distinct values, nearly one per customer"),
                    });
                    continue;
                }
                if present == 0 || (present == 1 && blanks == 0) {
                    left_out.push(LeftOut {
                        column: attr.name.clone(),
                        reason: if present == 0 {
                            "blank everywhere".into()
                        } else {
                            "a single value".into()
                        },
                    });
                    continue;
                }
                let mut order: Vec<usize> = (0..levels.len()).filter(|&l| counts[l] > 0).collect();
                let folded = order.len() > MAX_LEVELS;
                if folded {
                    order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
                    order.truncate(KEPT_LEVELS);
                    order.sort_unstable();
                }
                let mut slot = vec![None; levels.len()];
                let mut names = Vec::new();
                for &l in &order {
                    slot[l] = Some(names.len());
                    let level = levels.get(l).cloned().unwrap_or_default();
                    names.push((
                        format!("{} = {level}", attr.name),
                        FeatureKind::Level(level),
                    ));
                }
                let other = folded.then(|| {
                    names.push((format!("{} = other", attr.name), FeatureKind::Other));
                    names.len() - 1
                });
                let blank = (blanks > 0).then(|| {
                    names.push((format!("{} = blank", attr.name), FeatureKind::Blank));
                    names.len() - 1
                });
                let hot = row_codes
                    .iter()
                    .map(|c| match c {
                        Some(c) => slot.get(*c as usize).copied().flatten().or(other),
                        None => blank,
                    })
                    .collect();
                encs.push(Enc::Categorical {
                    column: attr.name.clone(),
                    hot,
                    names,
                    blanks,
                });
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

    // Lay out the columns.
    let mut features = Vec::new();
    let mut groups = Vec::new();
    let mut imputed = Vec::new();
    let mut columns = Vec::with_capacity(encs.len());
    let mut quantiles = Vec::with_capacity(encs.len());
    for enc in encs {
        let g = groups.len();
        match enc {
            Enc::Numeric(p) => {
                let mut known: Vec<f64> = p.values.iter().flatten().copied().collect();
                let binary = !known.is_empty() && known.iter().all(|v| *v == 0.0 || *v == 1.0);
                let med = median(&mut known);
                quantiles.push(families::quantiles(&known));
                let blanks = m - known.len();
                let mut idx = vec![features.len()];
                features.push(Feature {
                    name: p.column.clone(),
                    group: g,
                    kind: FeatureKind::Value,
                    log_scale: p.log_scale,
                });
                if blanks > 0 {
                    imputed.push(Imputed {
                        column: p.column.clone(),
                        blanks,
                        value: Some(med),
                    });
                    idx.push(features.len());
                    features.push(Feature {
                        name: format!("{} = blank", p.column),
                        group: g,
                        kind: FeatureKind::Blank,
                        log_scale: false,
                    });
                }
                groups.push(Group {
                    column: p.column,
                    source: p.source,
                    kind: GroupKind::Numeric {
                        median: med,
                        binary,
                    },
                    features: idx,
                });
                columns.push(Column::Numeric(p.values));
            }
            Enc::Categorical {
                column,
                hot,
                names,
                blanks,
            } => {
                if blanks > 0 {
                    imputed.push(Imputed {
                        column: column.clone(),
                        blanks,
                        value: None,
                    });
                }
                quantiles.push(Vec::new());
                let mut idx = Vec::new();
                for (name, kind) in names {
                    idx.push(features.len());
                    features.push(Feature {
                        name,
                        group: g,
                        kind,
                        log_scale: false,
                    });
                }
                groups.push(Group {
                    column,
                    source: Source::Attribute,
                    kind: GroupKind::Categorical,
                    features: idx,
                });
                columns.push(Column::Hot(hot));
            }
        }
    }
    let (x, blank) = fill(&features, &groups, &columns, m);
    let mut fm = FeatureMatrix {
        features,
        groups,
        n: m,
        x,
        blank,
        used_columns,
        left_out,
        imputed,
        reference_ts: reference.filter(|_| !data.transactions.is_empty()),
        reference_is_cutoff: cutoff.is_some(),
        quantiles,
        family: Vec::new(),
        association: Vec::new(),
        money: options.money,
    };
    fm.find_families();
    fm
}

/// A date column's values: days before `reference` (the day after the latest date when `None`);
/// dates on or after it are blank.
fn date_values(
    levels: &[String],
    codes: &[Option<u32>],
    rows: &[usize],
    reference: Option<i64>,
) -> Vec<Option<f64>> {
    let secs: Vec<Option<i64>> = levels.iter().map(|l| iso_to_epoch_secs(l)).collect();
    let latest = secs.iter().flatten().copied().max().unwrap_or(0);
    let at = reference.unwrap_or(latest + DAY_SECS);
    rows.iter()
        .map(|&i| {
            codes
                .get(i)
                .copied()
                .flatten()
                .and_then(|c| secs.get(c as usize).copied().flatten())
                .filter(|s| *s < at)
                .map(|s| (at - s) as f64 / DAY_SECS as f64)
        })
        .collect()
}

/// Lays out the groups' values as the row-major model matrix (blanks get the group's median)
/// and the per-row, per-group blank flags.
fn fill(
    features: &[Feature],
    groups: &[Group],
    columns: &[Column],
    m: usize,
) -> (Vec<f64>, Vec<bool>) {
    let p = features.len();
    let ng = groups.len();
    let mut x = vec![0.0; m * p];
    let mut blank = vec![false; m * ng];
    for (g, (group, column)) in groups.iter().zip(columns).enumerate() {
        for k in 0..m {
            let row = k * p;
            let is_blank = match column {
                Column::Numeric(values) => {
                    let v = values.get(k).copied().flatten();
                    let median = match group.kind {
                        GroupKind::Numeric { median, .. } => median,
                        GroupKind::Categorical => 0.0,
                    };
                    if let Some(cell) = group.features.first().and_then(|&j| x.get_mut(row + j)) {
                        *cell = v.unwrap_or(median);
                    }
                    if let Some(cell) = group.features.get(1).and_then(|&j| x.get_mut(row + j)) {
                        *cell = f64::from(u8::from(v.is_none()));
                    }
                    v.is_none()
                }
                Column::Hot(slots) => {
                    let slot = slots.get(k).copied().flatten();
                    if let Some(cell) = slot
                        .and_then(|s| group.features.get(s))
                        .and_then(|&j| x.get_mut(row + j))
                    {
                        *cell = 1.0;
                    }
                    slot.and_then(|s| group.features.get(s))
                        .and_then(|&j| features.get(j))
                        .is_some_and(|f| f.kind == FeatureKind::Blank)
                }
            };
            if let Some(b) = blank.get_mut(k * ng + g) {
                *b = is_blank;
            }
        }
    }
    (x, blank)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::db::Database;
    use crate::models::churn::label::{Label, resolve};
    use crate::progress::NoProgress;

    fn dataset(extra_sql: &str) -> Dataset {
        let db = Database::in_memory().unwrap();
        db.conn()
            .execute_batch(&format!(
                "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, gender TEXT, plan TEXT,
                     score REAL, email TEXT);
                 INSERT INTO customers VALUES ('a', 'F', 'gold', 1.5, 'a@x'),
                     ('b', 'M', NULL, NULL, 'b@x'), ('c', 'F', 'basic', 3.0, 'c@x'),
                     ('d', 'M', 'basic', 2.0, 'd@x');
                 CREATE TABLE transactions (customer_id TEXT, ts TEXT, order_id TEXT,
                     product_id TEXT, amount REAL);
                 INSERT INTO transactions VALUES
                     ('a', '2024-01-05', 'o1', 'p1', 10), ('a', '2024-03-01', 'o2', 'p2', 20),
                     ('b', '2024-02-01', 'o3', 'p1', 5), ('c', '2024-01-20', 'o4', 'p3', 7),
                     ('c', '2024-06-01', 'o5', 'p3', 9), ('d', '2024-05-30', 'o6', 'p1', 4);
                 {extra_sql}"
            ))
            .unwrap();
        Dataset::load(&db, &NoProgress).unwrap()
    }

    fn matrix(data: &Dataset, cutoff: i64) -> (Vec<u8>, FeatureMatrix) {
        let l = resolve(
            data,
            &Label::Inactive {
                days: 30,
                cutoff: Some(cutoff),
            },
        )
        .unwrap();
        let f = build(data, &l.rows, l.cutoff, None, &FeatureOptions::default());
        (l.y, f)
    }

    #[test]
    fn post_cutoff_transactions_cannot_leak_into_features() {
        let cutoff = iso_to_epoch_secs("2024-04-01").unwrap();
        let base = dataset("");
        let (y0, f0) = matrix(&base, cutoff);
        // Changed, added and returned rows after the cutoff, for every customer.
        let changed = dataset(
            "UPDATE transactions SET amount = 999, product_id = 'p9' WHERE ts >= '2024-04-01';
             INSERT INTO transactions VALUES ('a', '2024-04-02', 'o7', 'p4', 500),
                 ('b', '2024-05-02', 'o8', 'p5', 50), ('b', '2024-05-03', 'C9', 'p5', -50),
                 ('d', '2024-04-01', 'o10', 'p6', 1), ('c', '2025-01-01', 'o11', 'p1', 3);",
        );
        let (y1, f1) = matrix(&changed, cutoff);
        assert_eq!(f0.names(), f1.names());
        assert_eq!(f0.x, f1.x, "features must not see post-cutoff rows");
        assert_eq!(
            f0.n, 3,
            "d bought only after the cutoff: not in the population"
        );
        // Labels do change: a and b bought in the window after the cutoff.
        assert_ne!(y0, y1);
        assert!(f0.names().contains(&"recency_days".to_string()));
    }

    #[test]
    fn categories_are_one_hot_and_blanks_imputed_and_counted() {
        let data = dataset("");
        let rows = vec![0, 1, 2, 3];
        let f = build(&data, &rows, None, None, &FeatureOptions::default());
        let names = f.names();
        for n in [
            "plan = basic",
            "plan = gold",
            "plan = blank",
            "score",
            "score = blank",
        ] {
            assert!(names.contains(&n.to_string()), "{n} in {names:?}");
        }
        assert!(
            !names.iter().any(|n| n.starts_with("gender")),
            "protected left out"
        );
        assert!(
            f.left_out
                .iter()
                .any(|l| l.column == "gender" && l.reason == "protected")
        );
        assert!(f.left_out.iter().any(|l| l.column == "email"));
        let score = names.iter().position(|n| n == "score").unwrap();
        // b's blank score gets the median of 1.5, 3.0, 2.0.
        assert_eq!(f.row(1)[score], 2.0);
        assert!(f.is_blank(1, f.features[score].group));
        assert_eq!(
            f.imputed
                .iter()
                .find(|i| i.column == "score")
                .map(|i| i.blanks),
            Some(1)
        );
        assert_eq!(f.n, 4);
    }

    #[test]
    fn a_layout_reapplied_gives_the_same_matrix_and_later_rows_fit_it() {
        let cutoff = iso_to_epoch_secs("2024-04-01").unwrap();
        let data = dataset("");
        let (_, f) = matrix(&data, cutoff);
        let same = build_like(&f, &data, &[0, 1, 2], cutoff);
        assert_eq!(
            (same.names(), same.x.clone(), same.blank.clone()),
            (f.names(), f.x.clone(), f.blank.clone())
        );
        // Everyone as of a later day: d (first bought after the cutoff) gets a row in the same
        // layout, and a's recency is measured from the later day.
        let today = iso_to_epoch_secs("2024-06-02").unwrap();
        let later = build_like(&f, &data, &[0, 1, 2, 3], today);
        assert_eq!((later.names(), later.n), (f.names(), 4));
        let recency = f.names().iter().position(|n| n == "recency_days").unwrap();
        assert_eq!(later.row(0)[recency], 93.0);
        assert_eq!(later.row(3)[recency], 3.0);
        assert!(!later.reference_is_cutoff);
        let plan_blank = f.names().iter().position(|n| n == "plan = blank").unwrap();
        assert_eq!(later.row(1)[plan_blank], 1.0);
    }

    #[test]
    fn excluded_columns_are_left_out_with_the_reason() {
        let data = dataset("");
        let options = FeatureOptions {
            exclude: vec!["PLAN".into()],
            ..FeatureOptions::default()
        };
        let f = build(&data, &[0, 1, 2, 3], None, None, &options);
        assert!(!f.names().iter().any(|n| n.starts_with("plan")));
        assert!(f.names().contains(&"score".to_string()));
        assert!(
            f.left_out
                .iter()
                .any(|l| l.column == "plan" && l.reason == "left out on request")
        );
    }
}
