//! Which products are merchandise: the list the Data panel shows (postage, fees and
//! adjustments, and every product the user marked either way) and the user's marks, kept in
//! Tailor's own `tailor_product_marks`, never in the user's products table.

use std::collections::HashMap;

use crate::data::merchandise::{MarkSource, lines_and_money, set_user_mark};
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::workspace::Workspace;

/// One product in the list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MerchandiseRow {
    /// The product.
    pub product_id: String,
    /// Its name, where known.
    pub name: Option<String>,
    /// Not merchandise: never recommended or given as a reason.
    pub non_merchandise: bool,
    /// Who decided.
    pub by: MarkSource,
    /// Its transaction lines.
    pub lines: u64,
    /// Their money (`amount`, else quantity × unit price).
    pub money: f64,
}

/// The products that are not merchandise, then those the user marked as merchandise.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct MerchandiseList {
    /// The rows, not merchandise first, most lines first.
    pub rows: Vec<MerchandiseRow>,
    /// Products in the catalogue.
    pub products: usize,
}

impl Workspace {
    /// The products that are not merchandise, and every product the user marked.
    pub fn merchandise(&mut self, progress: &dyn Progress) -> Result<MerchandiseList> {
        let (db, data) = self.loaded(progress)?;
        let p = &data.products;
        let picked: Vec<usize> = (0..p.ids.len())
            .filter(|&i| {
                p.non_merchandise.get(i) == Some(&true)
                    || p.marked_by.get(i) == Some(&MarkSource::You)
            })
            .collect();
        let ids: Vec<&str> = picked.iter().map(|&i| p.ids[i].as_str()).collect();
        let lines: HashMap<String, (u64, f64)> = lines_and_money(db, &ids)?
            .into_iter()
            .map(|(id, n, money)| (id, (n, money)))
            .collect();
        let mut rows: Vec<MerchandiseRow> = picked
            .iter()
            .map(|&i| {
                let id = p.ids[i].clone();
                let (lines, money) = lines.get(&id).copied().unwrap_or((0, 0.0));
                MerchandiseRow {
                    name: p.names.get(i).cloned().flatten(),
                    non_merchandise: p.non_merchandise.get(i) == Some(&true),
                    by: p.marked_by.get(i).copied().unwrap_or_default(),
                    product_id: id,
                    lines,
                    money,
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            b.non_merchandise
                .cmp(&a.non_merchandise)
                .then(b.lines.cmp(&a.lines))
                .then(a.product_id.cmp(&b.product_id))
        });
        Ok(MerchandiseList {
            rows,
            products: p.ids.len(),
        })
    }

    /// Marks a product as not merchandise (`Some(true)`), as merchandise (`Some(false)`), or
    /// forgets the user's mark (`None`: back to the products column or the guess); everything
    /// derived from the data is dropped, and the new list returned.
    pub fn mark_product(
        &mut self,
        product_id: &str,
        non_merchandise: Option<bool>,
        progress: &dyn Progress,
    ) -> Result<MerchandiseList> {
        let id = product_id.trim();
        if id.is_empty() {
            return Err(Error::Invalid("type a product id to mark".into()));
        }
        let known = self
            .dataset(progress)?
            .products
            .ids
            .binary_search_by(|x| x.as_str().cmp(id))
            .is_ok();
        if !known {
            return Err(Error::Invalid(format!(
                "product {id} is not in this database"
            )));
        }
        set_user_mark(self.db_mut()?, id, non_merchandise)?;
        self.invalidate();
        self.merchandise(progress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::recommend::{RecOptions, RecRequest};
    use crate::progress::NoProgress;

    #[test]
    fn a_mark_decides_over_the_guess_until_it_is_forgotten() {
        let (_dir, mut ws) = crate::workspace::sample_session(300, 3);
        assert_eq!(ws.merchandise(&NoProgress).unwrap().rows, Vec::new());
        // The most bought product, marked as not merchandise, is never recommended again.
        let rec = ws
            .fit_recommender(&RecOptions::default(), &NoProgress)
            .unwrap();
        let first = ws
            .recommend_everyone(&RecRequest::default(), &RecOptions::default(), &NoProgress)
            .unwrap();
        let top = first[0].items[0].product_id.clone();
        let list = ws.mark_product(&top, Some(true), &NoProgress).unwrap();
        assert_eq!(list.rows.len(), 1);
        let row = &list.rows[0];
        assert!(
            row.non_merchandise && row.by == MarkSource::You && row.lines > 0,
            "{row:?}"
        );
        let again = ws
            .recommend_everyone(&RecRequest::default(), &RecOptions::default(), &NoProgress)
            .unwrap();
        assert!(
            again
                .iter()
                .all(|r| r.items.iter().all(|i| i.product_id != top)),
            "never recommended once marked"
        );
        // Kept in Tailor's own table: a new session sees it.
        let path = ws.db().unwrap().path().to_path_buf();
        let mut ws = crate::workspace::Workspace::open(&path).unwrap();
        assert_eq!(ws.merchandise(&NoProgress).unwrap().rows.len(), 1);
        // Marked as merchandise, it is listed as the user's choice; forgotten, it is gone.
        let list = ws.mark_product(&top, Some(false), &NoProgress).unwrap();
        assert!(!list.rows[0].non_merchandise && list.rows[0].by == MarkSource::You);
        let list = ws.mark_product(&top, None, &NoProgress).unwrap();
        assert!(list.rows.is_empty());
        let e = ws
            .mark_product("NO-SUCH", Some(true), &NoProgress)
            .unwrap_err();
        assert_eq!(e.to_string(), "product NO-SUCH is not in this database");
        assert!(ws.mark_product("  ", Some(true), &NoProgress).is_err());
        assert!(rec.products > 0);
    }
}
