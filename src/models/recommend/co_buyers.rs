//! Customers who have both of two products, the number the "bought together" reasons cite.
//!
//! A product's row (every other product and how many of its customers have that one too) is
//! counted the first time a reason asks for it and kept: counting it walks the baskets of the
//! product's customers once, so all rows together cost one pass over the squared basket sizes,
//! however many customers are recommended to. Intersecting two customer lists per reason, as
//! before, cost a pass over both lists for every reason: hours for a million customers.

use std::sync::OnceLock;

use crate::models::recommend::interactions::Interactions;

/// Each product's customers, and the co-buyer rows counted so far.
#[derive(Debug, Clone, Default)]
pub struct CoBuyers {
    /// `indptr[p]..indptr[p + 1]` are product `p`'s customers in `customers`, ascending.
    indptr: Vec<usize>,
    customers: Vec<u32>,
    /// `rows[p]`: (other product, customers who have both), by product; counted on first use.
    rows: Vec<OnceLock<Vec<(u32, u32)>>>,
}

impl CoBuyers {
    /// Indexes each product's customers.
    pub fn new(inter: &Interactions) -> CoBuyers {
        let n_products = inter.n_products;
        let mut indptr = vec![0usize; n_products + 1];
        for p in &inter.pairs {
            if let Some(x) = indptr.get_mut(p.product as usize + 1) {
                *x += 1;
            }
        }
        for i in 0..n_products {
            indptr[i + 1] += indptr[i];
        }
        let mut fill = indptr.clone();
        let mut customers = vec![0u32; inter.pairs.len()];
        for c in 0..inter.n_customers() {
            for p in inter.of(c) {
                if let Some(slot) = fill.get_mut(p.product as usize)
                    && let Some(x) = customers.get_mut(*slot)
                {
                    *x = c as u32;
                    *slot += 1;
                }
            }
        }
        CoBuyers {
            indptr,
            customers,
            rows: (0..n_products).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The customers who have `product`, ascending.
    fn customers_of(&self, product: u32) -> &[u32] {
        let p = product as usize;
        match (self.indptr.get(p), self.indptr.get(p + 1)) {
            (Some(&a), Some(&b)) => self.customers.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Customers who have both `a` and `b` (`inter`: the interactions this was built from).
    pub fn count(&self, inter: &Interactions, a: u32, b: u32) -> u32 {
        let Some(cell) = self.rows.get(a as usize) else {
            return 0;
        };
        let row = cell.get_or_init(|| self.row(inter, a));
        row.binary_search_by_key(&b, |x| x.0)
            .map_or(0, |i| row.get(i).map_or(0, |x| x.1))
    }

    /// Counts product `a`'s row: for each of its customers, each product in their basket.
    fn row(&self, inter: &Interactions, a: u32) -> Vec<(u32, u32)> {
        let mut counts = vec![0u32; inter.n_products];
        for &c in self.customers_of(a) {
            for p in inter.of(c as usize) {
                if let Some(x) = counts.get_mut(p.product as usize) {
                    *x += 1;
                }
            }
        }
        counts
            .into_iter()
            .enumerate()
            .filter(|&(_, n)| n > 0)
            .map(|(p, n)| (p as u32, n))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The count by intersecting the two customer lists, as a reference.
    fn by_intersection(co: &CoBuyers, a: u32, b: u32) -> u32 {
        let (x, y) = (co.customers_of(a), co.customers_of(b));
        x.iter().filter(|c| y.binary_search(c).is_ok()).count() as u32
    }

    #[test]
    fn rows_count_the_same_customers_as_intersecting_the_lists() {
        let inter = Interactions::of_counts(
            5,
            &[
                &[(0, 1), (1, 3), (2, 1)],
                &[(0, 2), (2, 1)],
                &[(1, 1), (2, 1), (4, 1)],
                &[(2, 5)],
                &[],
            ],
        );
        let co = CoBuyers::new(&inter);
        for a in 0..6 {
            for b in 0..6 {
                assert_eq!(
                    co.count(&inter, a, b),
                    by_intersection(&co, a, b),
                    "{a} and {b}"
                );
            }
        }
        assert_eq!(co.count(&inter, 0, 2), 2);
        assert_eq!(
            co.count(&inter, 2, 2),
            4,
            "a product's own row holds its buyers"
        );
        assert_eq!(co.count(&inter, 3, 0), 0, "no one has product 3");
    }
}
