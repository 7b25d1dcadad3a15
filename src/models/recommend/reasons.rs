//! The reasons for a recommended item: one function per method, each citing the number its
//! text says ([`Evidence`]), which tests recompute by SQL.

use crate::data::dataset::Dataset;
use crate::format::{count, thousands};
use crate::models::recommend::methods::{RECENT_DAYS, RecMethod};
use crate::models::recommend::recommender::Recommender;

/// A kind of reason, as named in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonKind {
    /// Bought together with one of the customer's products (item-CF).
    BoughtTogether,
    /// Customers who bought one of the customer's products also bought it (ALS).
    AlsoBought,
    /// Customers with similar baskets buy it (ALS, no single product explains it).
    SimilarCustomers,
    /// Bought by many customers.
    Popular,
    /// Bought by many customers recently.
    Trending,
    /// Popular in the customer's group (region…).
    Demographic,
    /// Same category as one of the customer's products.
    SameCategory,
    /// Its name shares words with one of the customer's products.
    SimilarName,
    /// The customer has no history; chosen from what others buy.
    ColdStart,
    /// The customer has bought it before (repeat purchases).
    BoughtBefore,
}

/// The fact a reason cites; every number in its text is here, for tests to recompute.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Evidence {
    /// `customers` customers have both `product_id` and the recommended product.
    CoBuyers {
        /// The customer's product it is linked to.
        product_id: String,
        /// Customers who have both.
        customers: u32,
    },
    /// `customers` customers have the product.
    Buyers {
        /// Distinct customers.
        customers: u32,
    },
    /// `customers` customers bought it after `after` (the last `days` days of the data).
    RecentBuyers {
        /// Distinct customers.
        customers: u32,
        /// Start of the window (exclusive), `YYYY-MM-DDTHH:MM:SS`.
        after: String,
        /// Window length.
        days: i64,
    },
    /// `customers` of the `group_size` customers sharing these column values have it.
    GroupBuyers {
        /// (column, value) pairs.
        group: Vec<(String, String)>,
        /// Customers of the group who have it.
        customers: u32,
        /// Customers in the group.
        group_size: u32,
    },
    /// The product is in `category`, as is the customer's `product_id`.
    SameCategory {
        /// The customer's product.
        product_id: String,
        /// The shared category.
        category: String,
    },
    /// The product's name shares `words` with the customer's `product_id`.
    SharedWords {
        /// The customer's product.
        product_id: String,
        /// The shared words.
        words: Vec<String>,
    },
    /// The customer has `rows` transaction rows for it.
    OwnRows {
        /// Rows.
        rows: u32,
    },
}

/// One reason for a recommended item.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reason {
    /// Its kind.
    pub kind: ReasonKind,
    /// The sentence for a marketer.
    pub text: String,
    /// Its share of the item's score (0–1; 0 for context that does not drive the score).
    pub weight: f64,
    /// The method it comes from.
    pub method: RecMethod,
    /// The cited fact.
    pub evidence: Evidence,
}

/// How every reason for a customer with no purchases begins.
pub const COLD_START: &str = "No purchases yet";

/// Reasons shown per item at most.
pub const MAX_REASONS: usize = 5;

/// Folds reasons citing the same fact (item-CF and ALS both naming the same product bought
/// together) into the first, summing their weights.
pub(super) fn merge_same_evidence(reasons: Vec<Reason>) -> Vec<Reason> {
    let mut out: Vec<Reason> = Vec::with_capacity(reasons.len());
    for r in reasons {
        match out.iter_mut().find(|o| o.evidence == r.evidence) {
            Some(o) => o.weight += r.weight,
            None => out.push(r),
        }
    }
    out
}

pub(super) fn product_id(data: &Dataset, p: u32) -> String {
    data.products
        .ids
        .get(p as usize)
        .cloned()
        .unwrap_or_default()
}

pub(super) fn product_name(data: &Dataset, p: u32) -> Option<String> {
    data.products.names.get(p as usize).cloned().flatten()
}

pub(super) fn iso(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string())
        .unwrap_or_default()
}

fn quoted(s: &str) -> String {
    format!("“{s}”")
}

/// What a method's reasons are about: one recommended product for one customer.
pub(super) struct Subject<'a> {
    /// The fitted models and who bought what.
    pub rec: &'a Recommender,
    /// The data the models were fitted on.
    pub data: &'a Dataset,
    /// Customer index.
    pub customer: usize,
    /// The recommended product.
    pub product: u32,
    /// The customer's (product, rows) pairs.
    pub own: &'a [(u32, f32)],
    /// Each of `own`'s part of the product's ALS score (empty unless ALS explains it).
    pub als_parts: &'a [f64],
    /// The customer has no purchases.
    pub cold: bool,
}

impl Subject<'_> {
    /// A product's trimmed name, or its id.
    fn display(&self, p: u32) -> String {
        product_name(self.data, p)
            .map(|n| n.trim().to_string())
            .unwrap_or_else(|| product_id(self.data, p))
    }

    /// Distinct customers who have the recommended product.
    fn buyers(&self) -> u32 {
        let buyers = &self.rec.models.buyers;
        buyers.get(self.product as usize).copied().unwrap_or(0)
    }

    /// The customer's products linked to the recommended one by co-buyers, from their
    /// contributions to its score: positive ones only, largest first, at most two, as
    /// (own product, co-buyers, share of the positive total).
    fn anchors(&self, contribs: Vec<(u32, f64)>) -> Vec<(u32, u32, f64)> {
        let total: f64 = contribs.iter().map(|c| c.1).filter(|x| *x > 0.0).sum();
        let mut v: Vec<(u32, f64)> = contribs.into_iter().filter(|c| c.1 > 0.0).collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter()
            .filter_map(|(j, x)| {
                let n = self.rec.co_buyers(j, self.product);
                (n > 0).then_some((j, n, x / total))
            })
            .take(2)
            .collect()
    }

    /// One reason per anchor, citing its co-buyers; `text` gets the anchor's display name and
    /// the co-buyers counted in words.
    fn co_buyer_reasons(
        &self,
        anchors: Vec<(u32, u32, f64)>,
        kind: ReasonKind,
        method: RecMethod,
        text: impl Fn(&str, &str) -> String,
    ) -> Vec<Reason> {
        anchors
            .into_iter()
            .map(|(j, n, share)| Reason {
                kind,
                text: text(
                    &self.display(j),
                    &count(u64::from(n), "customer", "customers"),
                ),
                weight: share,
                method,
                evidence: Evidence::CoBuyers {
                    product_id: product_id(self.data, j),
                    customers: n,
                },
            })
            .collect()
    }
}

/// The reasons one method gives for the subject's product, weights summing to at most 1. For
/// a customer with no purchases, every reason says so. A method with nothing to cite falls
/// back on the product's popularity.
pub(super) fn reasons_for(s: &Subject<'_>, method: RecMethod) -> Vec<Reason> {
    let reasons = match method {
        RecMethod::Popular | RecMethod::Hybrid => None,
        RecMethod::PopularRecent => trending(s, method),
        RecMethod::ItemCf => bought_together(s, method),
        RecMethod::Als => also_bought(s, method),
        RecMethod::Content => similar_content(s, method),
        RecMethod::Demographic => popular_in_group(s, method),
    };
    reasons.unwrap_or_else(|| vec![popular(s, method)])
}

/// Popular: bought by many customers (a cold-start pick for a customer with no purchases).
fn popular(s: &Subject<'_>, method: RecMethod) -> Reason {
    let n = s.buyers();
    let customers = count(u64::from(n), "customer", "customers");
    let (kind, text) = if s.cold {
        (
            ReasonKind::ColdStart,
            format!("{COLD_START}, so a popular pick: bought by {customers}"),
        )
    } else {
        (
            ReasonKind::Popular,
            format!("Popular: bought by {customers}"),
        )
    };
    Reason {
        kind,
        text,
        weight: 1.0,
        method,
        evidence: Evidence::Buyers { customers: n },
    }
}

/// Popular-recent: bought by many customers in the last [`RECENT_DAYS`] days.
fn trending(s: &Subject<'_>, method: RecMethod) -> Option<Vec<Reason>> {
    let models = &s.rec.models;
    let n = models
        .recent_buyers
        .get(s.product as usize)
        .copied()
        .unwrap_or(0);
    if n == 0 {
        return None;
    }
    let customers = count(u64::from(n), "customer", "customers");
    let text = if s.cold {
        format!(
            "{COLD_START}, so a recent favourite: bought by {customers} in the last \
             {RECENT_DAYS} days"
        )
    } else {
        format!("Trending in the last {RECENT_DAYS} days: bought by {customers}")
    };
    Some(vec![Reason {
        kind: ReasonKind::Trending,
        text,
        weight: 1.0,
        method,
        evidence: Evidence::RecentBuyers {
            customers: n,
            after: iso(models.recent_after),
            days: RECENT_DAYS,
        },
    }])
}

/// Item-CF: bought together with the customer's products that point to it most.
fn bought_together(s: &Subject<'_>, method: RecMethod) -> Option<Vec<Reason>> {
    let contribs: Vec<(u32, f64)> = s
        .own
        .iter()
        .filter_map(|&(j, count)| {
            let sim = s
                .rec
                .models
                .knn
                .neighbours
                .get(j as usize)?
                .iter()
                .find(|(x, _)| *x == s.product)?
                .1;
            Some((j, f64::from(count * sim)))
        })
        .collect();
    let anchors = s.anchors(contribs);
    if anchors.is_empty() {
        return None;
    }
    Some(
        s.co_buyer_reasons(anchors, ReasonKind::BoughtTogether, method, |name, n| {
            format!("Bought together with {name} by {n}")
        }),
    )
}

/// ALS: customers who bought the customer's products that explain the score also bought it;
/// similar baskets when no single product does.
fn also_bought(s: &Subject<'_>, method: RecMethod) -> Option<Vec<Reason>> {
    if s.cold {
        // No basket to explain from: ALS scores nothing, the list is by popularity.
        return None;
    }
    let contribs: Vec<(u32, f64)> = s
        .own
        .iter()
        .zip(s.als_parts)
        .map(|(&(j, _), &x)| (j, x))
        .collect();
    let anchors = s.anchors(contribs);
    if anchors.is_empty() {
        let n = s.buyers();
        return Some(vec![Reason {
            kind: ReasonKind::SimilarCustomers,
            text: format!(
                "Similar baskets point to it: bought by {} in all",
                count(u64::from(n), "customer", "customers")
            ),
            weight: 1.0,
            method,
            evidence: Evidence::Buyers { customers: n },
        }]);
    }
    Some(
        s.co_buyer_reasons(anchors, ReasonKind::AlsoBought, method, |name, n| {
            format!("Customers who bought {name} also bought this ({n} bought both)")
        }),
    )
}

/// Content: the same category as, or a name sharing words with, the customer's most similar
/// product.
fn similar_content(s: &Subject<'_>, method: RecMethod) -> Option<Vec<Reason>> {
    let content = s.rec.models.content()?;
    let (data, product) = (s.data, s.product);
    let (j, _) = s
        .own
        .iter()
        .map(|&(j, count)| {
            (
                j,
                f64::from((1.0 + count).ln() * content.similarity(j, product)),
            )
        })
        .filter(|(_, x)| *x > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
    let mut out = Vec::new();
    let cat = |p: u32| data.products.category.get(p as usize).copied().flatten();
    if let (Some(a), Some(b)) = (cat(j), cat(product))
        && a == b
    {
        let category = data
            .products
            .categories
            .get(a as usize)
            .cloned()
            .unwrap_or_default();
        out.push(Reason {
            kind: ReasonKind::SameCategory,
            text: format!("Same category as {} they bought ({category})", s.display(j)),
            weight: 1.0,
            method,
            evidence: Evidence::SameCategory {
                product_id: product_id(data, j),
                category,
            },
        });
    }
    let words = content.shared_words(j, product);
    if !words.is_empty() {
        let list: Vec<String> = words.iter().take(3).map(|w| quoted(w)).collect();
        out.push(Reason {
            kind: ReasonKind::SimilarName,
            text: format!(
                "Like {} they bought: both are {}",
                s.display(j),
                list.join(", ")
            ),
            weight: 1.0,
            method,
            evidence: Evidence::SharedWords {
                product_id: product_id(data, j),
                words,
            },
        });
    }
    let n = out.len().max(1) as f64;
    for r in &mut out {
        r.weight /= n;
    }
    (!out.is_empty()).then_some(out)
}

/// Demographic: popular with the customers of the customer's group.
fn popular_in_group(s: &Subject<'_>, method: RecMethod) -> Option<Vec<Reason>> {
    let demo = s.rec.models.demographic()?;
    let group = demo.group(s.customer)?;
    let n = demo.count(s.customer, s.product);
    if n == 0 {
        return None;
    }
    let who = match group.labels.as_slice() {
        [(col, value)] => {
            format!(
                "in their {} ({value})",
                col.to_lowercase().replace('_', " ")
            )
        }
        many => format!(
            "like them ({})",
            many.iter()
                .map(|(c, v)| format!("{} {v}", c.to_lowercase().replace('_', " ")))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let lead = if s.cold {
        format!("{COLD_START}, so popular")
    } else {
        "Popular".to_string()
    };
    Some(vec![Reason {
        kind: ReasonKind::Demographic,
        text: format!(
            "{lead} with customers {who}: bought by {} of {}",
            thousands(u64::from(n)),
            thousands(u64::from(group.size))
        ),
        weight: 1.0,
        method,
        evidence: Evidence::GroupBuyers {
            group: group.labels.clone(),
            customers: n,
            group_size: group.size,
        },
    }])
}
