//! Offers: each customer's top hybrid recommendation (the product's name, else its id) with its
//! strongest reason; on request, a customer left without one gets the most popular product they
//! have not bought, so no offer is blank.

use crate::data::dataset::Dataset;
use crate::error::Result;
use crate::format::count;
use crate::models::recommend::methods::RecMethod;
use crate::models::recommend::{RecRequest, Recommender};
use crate::progress::Progress;

/// One customer's offer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Offer {
    /// The product's name (or id); `None` when nothing was recommended.
    pub offer: Option<String>,
    /// Its strongest reason.
    pub reason: Option<String>,
}

/// A product's name, else its id.
fn display(data: &Dataset, product: u32) -> Option<String> {
    let p = product as usize;
    data.products
        .names
        .get(p)
        .cloned()
        .flatten()
        .or_else(|| data.products.ids.get(p).cloned())
}

/// Products by popularity (distinct buyers, most first; ties by catalogue order).
fn by_popularity(rec: &Recommender) -> Vec<u32> {
    let buyers = &rec.models.buyers;
    let mut order: Vec<u32> = (0..buyers.len() as u32).collect();
    order.sort_by_key(|&p| std::cmp::Reverse(buyers.get(p as usize).copied().unwrap_or(0)));
    order
}

/// The most popular product customer `c` has not bought (the most popular of all when they
/// have bought every one), with its reason.
fn popular_offer(data: &Dataset, rec: &Recommender, order: &[u32], c: usize) -> Offer {
    let own = rec.interactions.of(c);
    let bought = |p: u32| own.binary_search_by_key(&p, |x| x.product).is_ok();
    let Some(&product) = order
        .iter()
        .find(|&&p| !bought(p))
        .or_else(|| order.first())
    else {
        return Offer::default();
    };
    let n = rec
        .models
        .buyers
        .get(product as usize)
        .copied()
        .unwrap_or(0);
    Offer {
        offer: display(data, product),
        reason: Some(format!(
            "Popular: bought by {}",
            count(u64::from(n), "customer", "customers")
        )),
    }
}

/// Each customer's top hybrid recommendation and its strongest reason, in the order of
/// `customers`; without fitted models, no offers. With `never_blank`, a customer the models
/// recommend nothing to gets the most popular product they have not bought.
pub fn offers(
    data: &Dataset,
    models: Option<&Recommender>,
    customers: &[usize],
    never_blank: bool,
    progress: &dyn Progress,
) -> Result<Vec<Offer>> {
    let Some(rec) = models else {
        return Ok(vec![Offer::default(); customers.len()]);
    };
    if customers.is_empty() {
        return Ok(Vec::new());
    }
    let request = RecRequest {
        method: RecMethod::Hybrid,
        top: 1,
        ..RecRequest::default()
    };
    // Only the top item's name and first reason are kept of each list.
    let all = rec.recommend_each(data, customers, &request, progress, |r| {
        r.items.into_iter().next().map(|item| Offer {
            offer: Some(item.name.unwrap_or(item.product_id)),
            reason: item.reasons.into_iter().next().map(|x| x.text),
        })
    })?;
    let order = if never_blank {
        by_popularity(rec)
    } else {
        Vec::new()
    };
    Ok(all
        .into_iter()
        .zip(customers)
        .map(|(offer, &c)| match offer {
            Some(offer) => offer,
            None if never_blank => popular_offer(data, rec, &order, c),
            None => Offer::default(),
        })
        .collect())
}
