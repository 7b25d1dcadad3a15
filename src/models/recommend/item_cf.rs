//! Item-item collaborative filtering: cosine similarity between products' customer vectors
//! (the pair counts), the top-K neighbours per product, and a customer's score for a product the
//! sum over their products of count × similarity (as the `implicit` library's cosine item-kNN).

use rayon::prelude::*;

use crate::models::recommend::interactions::Interactions;

/// Neighbours kept per product.
pub const DEFAULT_NEIGHBOURS: usize = 20;

/// Each product's top-K most similar products (similarity > 0), best first.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemKnn {
    /// `neighbours[i]`: (product, cosine similarity), best first, ties by product index.
    pub neighbours: Vec<Vec<(u32, f32)>>,
}

impl ItemKnn {
    /// Fits the neighbours on (training) interactions.
    pub fn fit(train: &Interactions, k: usize) -> ItemKnn {
        let n_items = train.n_products;
        // Product → (customer, count) lists.
        let mut by_item: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n_items];
        for c in 0..train.n_customers() {
            for p in train.of(c) {
                if let Some(list) = by_item.get_mut(p.product as usize) {
                    list.push((c as u32, p.count as f32));
                }
            }
        }
        let norms: Vec<f32> = by_item
            .iter()
            .map(|l| l.iter().map(|(_, v)| v * v).sum::<f32>().sqrt())
            .collect();
        let neighbours = (0..n_items)
            .into_par_iter()
            .map(|i| {
                let mut acc = vec![0f32; n_items];
                let mut touched: Vec<u32> = Vec::new();
                for &(c, vi) in by_item.get(i).map(Vec::as_slice).unwrap_or(&[]) {
                    for p in train.of(c as usize) {
                        let j = p.product as usize;
                        if j == i {
                            continue;
                        }
                        if let Some(a) = acc.get_mut(j) {
                            if *a == 0.0 {
                                touched.push(j as u32);
                            }
                            *a += vi * p.count as f32;
                        }
                    }
                }
                let ni = norms.get(i).copied().unwrap_or(0.0);
                let mut sims: Vec<(u32, f32)> = touched
                    .into_iter()
                    .filter_map(|j| {
                        let nj = norms.get(j as usize).copied().unwrap_or(0.0);
                        let dot = acc.get(j as usize).copied().unwrap_or(0.0);
                        (ni > 0.0 && nj > 0.0).then(|| (j, dot / (ni * nj)))
                    })
                    .collect();
                sims.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                sims.truncate(k);
                sims
            })
            .collect();
        ItemKnn { neighbours }
    }

    /// Scores of every product for a customer with these (product, count) pairs.
    pub fn scores(&self, own: &[(u32, f32)], n_products: usize) -> Vec<f32> {
        let mut scores = vec![0f32; n_products];
        for &(i, v) in own {
            for &(j, s) in self
                .neighbours
                .get(i as usize)
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                if let Some(x) = scores.get_mut(j as usize) {
                    *x += v * s;
                }
            }
        }
        scores
    }
}

/// The top k candidates for a customer: products seen in training that they don't have, by
/// score (ties, and products without a score, in `fallback` order — popularity).
pub fn top_k(
    knn: &ItemKnn,
    train: &Interactions,
    in_train: &[bool],
    fallback: &[u32],
    customer: usize,
    k: usize,
) -> Vec<u32> {
    let own: Vec<(u32, f32)> = train
        .of(customer)
        .iter()
        .map(|p| (p.product, p.count as f32))
        .collect();
    let scores = knn.scores(&own, train.n_products);
    let has = |p: u32| own.binary_search_by_key(&p, |x| x.0).is_ok();
    let mut rank_in_fallback = vec![u32::MAX; train.n_products];
    for (r, &p) in fallback.iter().enumerate() {
        if let Some(x) = rank_in_fallback.get_mut(p as usize) {
            *x = r as u32;
        }
    }
    let mut scored: Vec<u32> = (0..train.n_products as u32)
        .filter(|&p| scores[p as usize] > 0.0 && in_train.get(p as usize) == Some(&true) && !has(p))
        .collect();
    scored.sort_by(|&a, &b| {
        scores[b as usize]
            .total_cmp(&scores[a as usize])
            .then(rank_in_fallback[a as usize].cmp(&rank_in_fallback[b as usize]))
    });
    scored.truncate(k);
    for &p in fallback {
        if scored.len() >= k {
            break;
        }
        if !has(p) && !scored.contains(&p) {
            scored.push(p);
        }
    }
    scored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_by_hand() {
        // Customers: 0 has {0, 1}, 1 has {0, 1}, 2 has {0 (count 2), 2}.
        let train = Interactions::of_counts(
            3,
            &[&[(0, 1), (1, 1)], &[(0, 1), (1, 1)], &[(0, 2), (2, 1)]],
        );
        let knn = ItemKnn::fit(&train, 20);
        // Item 0 = (1, 1, 2), item 1 = (1, 1, 0), item 2 = (0, 0, 1).
        let s01 = 2.0 / (6f32.sqrt() * 2f32.sqrt());
        let s02 = 2.0 / 6f32.sqrt();
        assert_eq!(knn.neighbours[0].len(), 2);
        assert_eq!(
            knn.neighbours[0][0].0, 2,
            "item 2 is closer to item 0 than item 1 is"
        );
        assert!((knn.neighbours[0][0].1 - s02).abs() < 1e-6);
        assert!((knn.neighbours[0][1].1 - s01).abs() < 1e-6);
        assert!(
            knn.neighbours[1].iter().all(|(j, _)| *j != 2),
            "1 and 2 share no customer"
        );
        // Customer 0 (has 0 and 1) is offered 2.
        assert_eq!(top_k(&knn, &train, &[true; 3], &[0, 1, 2], 0, 5), vec![2]);
    }
}
