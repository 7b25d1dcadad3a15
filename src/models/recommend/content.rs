//! Content-based similarity: each product is a TF-IDF vector over the words of its name plus a
//! token for its category, L2-normalized; a customer's profile is the sum of their products'
//! vectors weighted by `ln(1 + rows)`, and a product's score is its cosine with the profile.

use std::collections::HashMap;

use crate::data::dataset::Products;

/// Words too common to say anything about a product.
const STOP_WORDS: [&str; 12] = [
    "and", "the", "of", "for", "with", "in", "on", "a", "an", "to", "set", "pack",
];

/// Term index of the category token (categories come after the words).
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    /// `rows[p]`: product `p`'s (term, weight) pairs, by term, L2-normalized.
    pub rows: Vec<Vec<(u32, f32)>>,
    /// Term → (product, weight) postings.
    postings: Vec<Vec<(u32, f32)>>,
    /// The words, by term index (category tokens are `None`).
    pub words: Vec<Option<String>>,
}

/// Splits a name into lower-case words of at least two letters or digits.
pub fn words_of(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 2 && !STOP_WORDS.contains(&w.as_str()))
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .collect()
}

impl Content {
    /// Builds the vectors; `None` when no product has a name or a category.
    pub fn fit(products: &Products) -> Option<Content> {
        let n = products.ids.len();
        let mut vocab: HashMap<String, u32> = HashMap::new();
        let mut words: Vec<Option<String>> = Vec::new();
        let mut term_lists: Vec<Vec<u32>> = Vec::with_capacity(n);
        for p in 0..n {
            let mut terms: Vec<u32> = Vec::new();
            if let Some(Some(name)) = products.names.get(p) {
                for w in words_of(name) {
                    let next = vocab.len() as u32;
                    let t = *vocab.entry(w.clone()).or_insert_with(|| {
                        words.push(Some(w));
                        next
                    });
                    terms.push(t);
                }
            }
            term_lists.push(terms);
        }
        let n_words = words.len() as u32;
        for (p, terms) in term_lists.iter_mut().enumerate() {
            if let Some(Some(c)) = products.category.get(p) {
                terms.push(n_words + c);
            }
        }
        let n_terms = n_words as usize + products.categories.len();
        words.resize(n_terms, None);
        if term_lists.iter().all(Vec::is_empty) {
            return None;
        }
        // Smoothed IDF, as scikit-learn's TfidfVectorizer: ln((1 + n) / (1 + df)) + 1.
        let mut df = vec![0u32; n_terms];
        for terms in &term_lists {
            let mut seen = terms.clone();
            seen.sort_unstable();
            seen.dedup();
            for t in seen {
                if let Some(d) = df.get_mut(t as usize) {
                    *d += 1;
                }
            }
        }
        let idf: Vec<f32> = df
            .iter()
            .map(|&d| ((1.0 + n as f32) / (1.0 + d as f32)).ln() + 1.0)
            .collect();
        let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n_terms];
        let rows: Vec<Vec<(u32, f32)>> = term_lists
            .into_iter()
            .enumerate()
            .map(|(p, mut terms)| {
                terms.sort_unstable();
                let mut row: Vec<(u32, f32)> = Vec::new();
                for t in terms {
                    match row.last_mut() {
                        Some(last) if last.0 == t => last.1 += 1.0,
                        _ => row.push((t, 1.0)),
                    }
                }
                for (t, w) in &mut row {
                    *w *= idf.get(*t as usize).copied().unwrap_or(1.0);
                }
                let norm = row.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
                if norm > 0.0 {
                    for (t, w) in &mut row {
                        *w /= norm;
                        if let Some(list) = postings.get_mut(*t as usize) {
                            list.push((p as u32, *w));
                        }
                    }
                }
                row
            })
            .collect();
        Some(Content {
            rows,
            postings,
            words,
        })
    }

    /// Cosine similarity of two products.
    pub fn similarity(&self, a: u32, b: u32) -> f32 {
        let (Some(x), Some(y)) = (self.rows.get(a as usize), self.rows.get(b as usize)) else {
            return 0.0;
        };
        let (mut i, mut j, mut s) = (0, 0, 0.0);
        while let (Some(&(ta, wa)), Some(&(tb, wb))) = (x.get(i), y.get(j)) {
            match ta.cmp(&tb) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    s += wa * wb;
                    i += 1;
                    j += 1;
                }
            }
        }
        s
    }

    /// The words two products' names share.
    pub fn shared_words(&self, a: u32, b: u32) -> Vec<String> {
        let (Some(x), Some(y)) = (self.rows.get(a as usize), self.rows.get(b as usize)) else {
            return Vec::new();
        };
        x.iter()
            .filter(|(t, _)| y.binary_search_by_key(t, |e| e.0).is_ok())
            .filter_map(|(t, _)| self.words.get(*t as usize).cloned().flatten())
            .collect()
    }

    /// Scores of every product for a customer with these (product, rows) pairs.
    pub fn scores(&self, own: &[(u32, f32)], n_products: usize) -> Vec<f32> {
        // Ordered, so sums (and so ties) are the same on every run.
        let mut profile: std::collections::BTreeMap<u32, f32> = std::collections::BTreeMap::new();
        for &(p, count) in own {
            let w = (1.0 + count).ln();
            for &(t, x) in self.rows.get(p as usize).map(Vec::as_slice).unwrap_or(&[]) {
                *profile.entry(t).or_insert(0.0) += w * x;
            }
        }
        let norm = profile.values().map(|w| w * w).sum::<f32>().sqrt();
        let mut scores = vec![0f32; n_products];
        if norm <= 0.0 {
            return scores;
        }
        for (t, w) in profile {
            for &(p, x) in self
                .postings
                .get(t as usize)
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                if let Some(s) = scores.get_mut(p as usize) {
                    *s += w * x / norm;
                }
            }
        }
        scores
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn products() -> Products {
        Products {
            ids: vec!["a".into(), "b".into(), "c".into(), "d".into()],
            names: vec![
                Some("Red Heart Candle".into()),
                Some("White Heart Candle Holder".into()),
                Some("Garden Hose".into()),
                None,
            ],
            category: vec![Some(0), Some(0), Some(1), Some(1)],
            categories: vec!["Home".into(), "Garden".into()],
            price: vec![None; 4],
            non_merchandise: vec![false; 4],
            ..Products::default()
        }
    }

    #[test]
    fn words_skip_digits_stop_words_and_single_letters() {
        assert_eq!(
            words_of("SET OF 3 T-LIGHT holders, and a 12pc"),
            vec!["light", "holders", "12pc"]
        );
    }

    #[test]
    fn similar_names_and_categories_score_higher() {
        let c = Content::fit(&products()).unwrap();
        assert!(c.similarity(0, 1) > c.similarity(0, 2));
        assert!((c.similarity(0, 0) - 1.0).abs() < 1e-5);
        assert_eq!(c.shared_words(0, 1), vec!["heart", "candle"]);
        assert!(c.similarity(2, 3) > 0.0, "same category, no name");
        let s = c.scores(&[(0, 2.0)], 4);
        assert!(s[1] > s[2] && s[2] == 0.0 && s[3] == 0.0);
    }

    #[test]
    fn nothing_to_go_on_gives_none() {
        let mut p = products();
        p.names = vec![None; 4];
        p.category = vec![None; 4];
        assert!(Content::fit(&p).is_none());
    }
}
