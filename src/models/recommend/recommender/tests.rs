use super::*;
use crate::data::db::Database;
use crate::models::recommend::als::AlsParams;
use crate::models::recommend::reasons::COLD_START;
use crate::progress::NoProgress;

/// Six customers, five products; `extra` adds SQL (customers, names, categories).
fn data(extra: &str) -> Dataset {
    let db = Database::in_memory().unwrap();
    db.conn()
        .execute_batch(&format!(
            "CREATE TABLE transactions (customer_id TEXT, ts TEXT, order_id TEXT,
                 product_id TEXT, quantity REAL);
             INSERT INTO transactions VALUES
                 ('1', '2020-01-01', 'o1', 'a', 1), ('1', '2020-01-01', 'o1', 'b', 1),
                 ('2', '2020-01-02', 'o2', 'a', 1), ('2', '2020-01-02', 'o2', 'b', 1),
                 ('2', '2020-01-03', 'o3', 'c', 1),
                 ('3', '2020-01-04', 'o4', 'a', 1), ('3', '2020-01-04', 'o4', 'c', 1),
                 ('4', '2020-03-01', 'o5', 'd', 1), ('4', '2020-03-01', 'o5', 'e', 1),
                 ('5', '2020-03-02', 'o6', 'a', 1), ('5', '2020-03-02', 'o6', 'd', 1);
             {extra}"
        ))
        .unwrap();
    Dataset::load(&db, &NoProgress).unwrap()
}

fn small() -> RecOptions {
    RecOptions {
        als: AlsParams {
            factors: 4,
            ..AlsParams::default()
        },
        ..RecOptions::default()
    }
}

fn request(method: RecMethod) -> RecRequest {
    RecRequest {
        method,
        top: 3,
        ..RecRequest::default()
    }
}

#[test]
fn interactions_only_data_still_gets_full_lists_with_reasons() {
    let d = data("");
    let r = Recommender::fit(&d, &small(), &NoProgress).unwrap();
    assert!(r.models.unavailable(RecMethod::Content).is_some());
    assert!(r.models.unavailable(RecMethod::Demographic).is_some());
    for m in RecMethod::ALL {
        let out = r.recommend_id(&d, "1", &request(m)).unwrap();
        // Customer 1 has a and b: c, d and e remain.
        assert_eq!(out.items.len(), 3, "{m:?}");
        assert!(out.items.iter().all(|i| !i.reasons.is_empty()), "{m:?}");
        assert!(
            out.items
                .iter()
                .all(|i| i.product_id != "a" && i.product_id != "b")
        );
    }
    let content = r
        .recommend_id(&d, "1", &request(RecMethod::Content))
        .unwrap();
    assert_eq!(content.method, RecMethod::Popular);
    assert!(content.notes[0].contains("content is not available"));
    let hybrid = r
        .recommend_id(&d, "1", &request(RecMethod::Hybrid))
        .unwrap();
    assert!(hybrid.notes.iter().any(|n| n.contains("content left out")));
}

#[test]
fn item_cf_cites_customers_who_bought_both() {
    let d = data("");
    let r = Recommender::fit(&d, &small(), &NoProgress).unwrap();
    // Customer 1 (a, b): c was bought with a by customers 2 and 3, with b by customer 2.
    let out = r
        .recommend_id(&d, "1", &request(RecMethod::ItemCf))
        .unwrap();
    let c = out.items.iter().find(|i| i.product_id == "c").unwrap();
    assert_eq!(out.items[0].product_id, "c");
    let texts: Vec<&str> = c.reasons.iter().map(|x| x.text.as_str()).collect();
    assert!(
        texts.contains(&"Bought together with a by 2 customers"),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"Bought together with b by 1 customer"),
        "{texts:?}"
    );
    let total: f64 = c.reasons.iter().map(|x| x.weight).sum();
    assert!((total - 1.0).abs() < 1e-9);
    assert_eq!(r.co_buyers(0, 2), 2);
}

#[test]
fn cold_start_and_repeat_purchases() {
    let d = data(
        "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, region TEXT);
         INSERT INTO customers VALUES ('1', 'N'), ('2', 'N'), ('3', 'S'), ('4', 'S'),
             ('5', 'S'), ('9', 'S');",
    );
    let r = Recommender::fit(&d, &small(), &NoProgress).unwrap();
    for m in RecMethod::ALL {
        let out = r.recommend_id(&d, "9", &request(m)).unwrap();
        assert!(out.cold_start);
        assert_eq!(out.items.len(), 3);
        let first = if m == RecMethod::PopularRecent {
            "d"
        } else {
            "a"
        };
        assert_eq!(out.items[0].product_id, first, "{m:?}");
    }
    let hybrid = r
        .recommend_id(&d, "9", &request(RecMethod::Hybrid))
        .unwrap();
    let kinds: Vec<ReasonKind> = hybrid.items[0].reasons.iter().map(|x| x.kind).collect();
    assert!(kinds.contains(&ReasonKind::ColdStart), "{kinds:?}");
    assert!(kinds.contains(&ReasonKind::Demographic), "{kinds:?}");
    assert!(hybrid.items[0].reasons[0].text.len() > 10);
    let again = r
        .recommend_id(
            &d,
            "1",
            &RecRequest {
                repeat: true,
                top: 5,
                method: RecMethod::Popular,
                ..RecRequest::default()
            },
        )
        .unwrap();
    let a = &again.items[0];
    assert_eq!(a.product_id, "a");
    assert!(a.reasons.iter().any(|x| x.kind == ReasonKind::BoughtBefore));
    assert!(
        r.recommend_id(&d, "nobody", &request(RecMethod::Popular))
            .is_err()
    );
    // Region S: customers 3, 4, 5, 9; a and d have 2 buyers each there.
    let demo = r
        .recommend_id(&d, "4", &request(RecMethod::Demographic))
        .unwrap();
    assert_eq!(
        demo.items[0].reasons[0].text,
        "Popular with customers in their region (S): bought by 2 of 4"
    );
}

#[test]
fn every_method_says_a_customer_without_purchases_has_none() {
    let d = data(
        "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, region TEXT);
         INSERT INTO customers VALUES ('1', 'N'), ('2', 'N'), ('3', 'S'), ('4', 'S'),
             ('5', 'S'), ('9', 'S');
         CREATE TABLE products (product_id TEXT PRIMARY KEY, name TEXT, category TEXT);
         INSERT INTO products VALUES ('a', 'Red Candle', 'Home'), ('b', 'Blue Candle', 'Home'),
             ('c', 'Red Mug', 'Home'), ('d', 'Garden Hose', 'Garden'), ('e', 'Hose Reel', 'Garden');",
    );
    let r = Recommender::fit(&d, &small(), &NoProgress).unwrap();
    assert!(r.models.unavailable(RecMethod::Content).is_none());
    assert!(r.models.unavailable(RecMethod::Demographic).is_none());
    let no_popular = HybridWeights {
        popular: 0.0,
        ..HybridWeights::default()
    };
    let only_group = HybridWeights {
        demographic: 1.0,
        ..HybridWeights::ZERO
    };
    let mut requests: Vec<RecRequest> = RecMethod::ALL.into_iter().map(request).collect();
    for weights in [no_popular, only_group] {
        requests.push(RecRequest {
            weights: Some(weights),
            ..request(RecMethod::Hybrid)
        });
    }
    for req in &requests {
        let out = r.recommend_id(&d, "9", req).unwrap();
        assert!(out.cold_start);
        assert_eq!(out.items.len(), 3, "{req:?}");
        for item in &out.items {
            assert!(
                item.reasons.iter().any(|x| x.text.starts_with(COLD_START)),
                "{:?} {}: {:?}",
                req.method,
                item.product_id,
                item.reasons
            );
            assert!(
                item.reasons
                    .iter()
                    .all(|x| x.kind != ReasonKind::SimilarCustomers),
                "no basket to compare: {:?}",
                item.reasons
            );
        }
    }
    let popular = r
        .recommend_id(&d, "9", &request(RecMethod::Popular))
        .unwrap();
    assert_eq!(
        popular.items[0].reasons[0].text,
        "No purchases yet, so a popular pick: bought by 4 customers"
    );
    assert_eq!(popular.items[0].reasons[0].kind, ReasonKind::ColdStart);
    let demo = r
        .recommend_id(&d, "9", &request(RecMethod::Demographic))
        .unwrap();
    assert_eq!(
        demo.items[0].reasons[0].text,
        "No purchases yet, so popular with customers in their region (S): bought by 2 of 4"
    );
    // A customer with purchases is not told they have none.
    let known = r
        .recommend_id(&d, "1", &request(RecMethod::Hybrid))
        .unwrap();
    assert!(known.items.iter().all(|i| {
        i.reasons
            .iter()
            .all(|x| !x.text.starts_with(COLD_START) && x.kind != ReasonKind::ColdStart)
    }));
}

#[test]
fn counts_read_singular_and_plural() {
    let d = data("");
    let r = Recommender::fit(&d, &small(), &NoProgress).unwrap();
    let out = r
        .recommend_id(
            &d,
            "1",
            &RecRequest {
                top: 3,
                method: RecMethod::Popular,
                ..RecRequest::default()
            },
        )
        .unwrap();
    let texts: Vec<&str> = out
        .items
        .iter()
        .map(|i| i.reasons[0].text.as_str())
        .collect();
    // c: customers 2 and 3; d: 4 and 5; e: 4 only.
    assert_eq!(
        texts,
        [
            "Popular: bought by 2 customers",
            "Popular: bought by 2 customers",
            "Popular: bought by 1 customer"
        ]
    );
}

#[test]
fn hybrid_shares_sum_to_one_and_follow_the_weights() {
    let d = data(
        "CREATE TABLE products (product_id TEXT PRIMARY KEY, name TEXT, category TEXT);
         INSERT INTO products VALUES ('a', 'Red Candle', 'Home'), ('b', 'Blue Candle', 'Home'),
             ('c', 'Red Mug', 'Home'), ('d', 'Garden Hose', 'Garden'), ('e', 'Hose Reel', 'Garden');",
    );
    let r = Recommender::fit(&d, &small(), &NoProgress).unwrap();
    let out = r
        .recommend_id(&d, "1", &request(RecMethod::Hybrid))
        .unwrap();
    for item in &out.items {
        let s: f64 = item.contributions.iter().map(|c| c.share).sum();
        assert!((s - 1.0).abs() < 1e-6, "{s}");
    }
    let mut only_content = request(RecMethod::Hybrid);
    only_content.weights = Some(HybridWeights {
        content: 1.0,
        ..HybridWeights::ZERO
    });
    let out = r.recommend_id(&d, "1", &only_content).unwrap();
    assert_eq!(
        out.items[0].product_id, "c",
        "Red Mug: same category, shares “red”"
    );
    assert_eq!(out.items[0].contributions.len(), 1);
    assert_eq!(out.items[0].contributions[0].method, RecMethod::Content);
    let kinds: Vec<ReasonKind> = out.items[0].reasons.iter().map(|x| x.kind).collect();
    assert_eq!(kinds, [ReasonKind::SameCategory, ReasonKind::SimilarName]);
}
