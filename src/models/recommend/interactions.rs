//! Customer–product interactions: one value per pair, the number of transaction rows for it.
//!
//! Cancellations (order id starting with `C`, or `cancelled` = 1), rows with quantity ≤ 0 and
//! rows without a known product are left out. Each pair also keeps its latest time and the
//! source position of that latest row, for the leave-last-out split.

use crate::data::dataset::Dataset;

/// One customer–product pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    /// Product index.
    pub product: u32,
    /// Number of transaction rows for the pair.
    pub count: u32,
    /// Time of its latest row (seconds since 1970).
    pub last_ts: i64,
    /// Source position (row order) of its latest row; breaks ties in time.
    pub last_row: u32,
}

#[cfg(test)]
impl Pair {
    /// A pair of `count` rows at time 0, for tests.
    pub(crate) fn counted(product: u32, count: u32) -> Pair {
        Pair {
            product,
            count,
            last_ts: 0,
            last_row: 0,
        }
    }
}

#[cfg(test)]
impl Interactions {
    /// Interactions from each customer's (product, rows) pairs, for tests.
    pub(crate) fn of_counts(n_products: usize, customers: &[&[(u32, u32)]]) -> Interactions {
        let mut indptr = vec![0];
        let mut pairs = Vec::new();
        for own in customers {
            pairs.extend(own.iter().map(|&(p, n)| Pair::counted(p, n)));
            indptr.push(pairs.len());
        }
        Interactions {
            indptr,
            pairs,
            n_products,
        }
    }
}

/// Interactions by customer, in compressed sparse row form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Interactions {
    /// `indptr[c]..indptr[c + 1]` are customer `c`'s pairs in `pairs`, by product.
    pub indptr: Vec<usize>,
    /// The pairs.
    pub pairs: Vec<Pair>,
    /// Number of products in the catalogue.
    pub n_products: usize,
}

impl Interactions {
    /// Builds the interactions of every customer in `data`.
    pub fn from_dataset(data: &Dataset) -> Interactions {
        let t = &data.transactions;
        let mut rows: Vec<(u32, u32, i64, u32)> = (0..t.len())
            .filter(|&r| {
                !t.cancelled.get(r).copied().unwrap_or(true)
                    && t.quantity.get(r).is_some_and(|q| *q > 0.0)
            })
            .filter_map(|r| {
                Some((
                    *t.customer.get(r)?,
                    t.product_of(r)?,
                    *t.ts.get(r)?,
                    u32::try_from(r).ok()?,
                ))
            })
            .collect();
        rows.sort_unstable();
        let n = data.n_customers();
        let mut indptr = vec![0usize; n + 1];
        let mut pairs: Vec<Pair> = Vec::new();
        let mut current: Option<(u32, u32)> = None;
        for (c, p, ts, r) in rows {
            if current == Some((c, p)) {
                if let Some(last) = pairs.last_mut() {
                    last.count += 1;
                    if (ts, r) > (last.last_ts, last.last_row) {
                        last.last_ts = ts;
                        last.last_row = r;
                    }
                }
            } else {
                pairs.push(Pair {
                    product: p,
                    count: 1,
                    last_ts: ts,
                    last_row: r,
                });
                current = Some((c, p));
                if let Some(slot) = indptr.get_mut(c as usize + 1) {
                    *slot += 1;
                }
            }
        }
        for i in 0..n {
            indptr[i + 1] += indptr[i];
        }
        Interactions {
            indptr,
            pairs,
            n_products: data.products.ids.len(),
        }
    }

    /// Number of customers.
    pub fn n_customers(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// A customer's pairs, by product.
    pub fn of(&self, customer: usize) -> &[Pair] {
        match (self.indptr.get(customer), self.indptr.get(customer + 1)) {
            (Some(&a), Some(&b)) => self.pairs.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }
}
