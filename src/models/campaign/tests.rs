use super::*;
use crate::data::dataset::Attribute;
use crate::data::roles::Role;

/// Six customers: region, birth year, consent text, a protected gender; two transactions.
fn data() -> Dataset {
    let cat = |name: &str, role: Role, levels: &[&str], codes: &[Option<u32>]| Attribute {
        name: name.to_string(),
        role,
        values: AttrValues::Categorical {
            levels: levels.iter().map(|s| s.to_string()).collect(),
            codes: codes.to_vec(),
        },
    };
    let mut d = Dataset {
        customer_ids: ["a", "b", "c", "d", "e", "f"].map(String::from).to_vec(),
        attributes: vec![
            cat(
                "region",
                Role::Feature,
                &["London", "North", "london"],
                &[Some(0), Some(1), Some(0), Some(2), None, Some(1)],
            ),
            Attribute {
                name: "birth_year".to_string(),
                role: Role::Feature,
                values: AttrValues::Numeric(vec![
                    Some(1980.0),
                    Some(1990.0),
                    Some(1980.0),
                    None,
                    Some(1975.0),
                    Some(1990.0),
                ]),
            },
            cat(
                "opt_in",
                Role::Feature,
                &["No", "Yes"],
                &[Some(1), Some(0), Some(1), Some(1), None, Some(1)],
            ),
            cat(
                "gender",
                Role::Protected,
                &["F", "M"],
                &[Some(0), Some(1), Some(0), Some(1), Some(0), Some(1)],
            ),
        ],
        pii_columns: vec!["email".to_string()],
        ..Dataset::default()
    };
    d.transactions.customer = vec![0, 0, 3];
    d.transactions.amount = vec![10.0, 5.0, 7.5];
    d
}

fn inputs() -> AudienceInputs {
    AudienceInputs {
        segment_of: Some(vec![Some(0), Some(1), Some(2), Some(0), None, Some(1)]),
        segment_names: [(0, "Loyal".to_string()), (1, "New".to_string())]
            .into_iter()
            .collect(),
        churn: Some(vec![
            Some(0.2),
            Some(0.5),
            Some(0.8),
            None,
            Some(0.5),
            Some(0.9),
        ]),
        clv: None,
        consent: Some("opt_in".to_string()),
    }
}

fn ids(d: &Dataset, s: &Selection) -> Vec<String> {
    s.members
        .iter()
        .map(|&i| d.customer_ids[i].clone())
        .collect()
}

#[test]
fn filters_intersect_segments_are_a_union_and_the_risk_range_is_inclusive() {
    let (d, inp) = (data(), inputs());
    let all = select(&d, &inp, &AudienceFilters::default());
    assert_eq!(all.members, vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(all.description, "every customer");
    assert_eq!(all.value_source, ValueSource::PastSpend);
    assert_eq!(all.expected_value(), 22.5);

    let f = AudienceFilters {
        segments: vec![0, 1],
        ..AudienceFilters::default()
    };
    assert_eq!(ids(&d, &select(&d, &inp, &f)), ["a", "b", "d", "f"]);
    let f = AudienceFilters {
        risk: Some((0.5, 0.8)),
        ..AudienceFilters::default()
    };
    assert_eq!(ids(&d, &select(&d, &inp, &f)), ["b", "c", "e"]);
    let f = AudienceFilters {
        segments: vec![0, 1],
        risk: Some((0.5, 0.9)),
        consent_only: true,
        ..AudienceFilters::default()
    };
    let s = select(&d, &inp, &f);
    assert_eq!(ids(&d, &s), ["f"]);
    assert_eq!(
        s.description,
        "segments: Loyal, New; churn risk 0.50–0.90; consent (opt_in)"
    );
    assert!(s.notes.is_empty());
    assert_eq!(by_segment(&inp, &s), vec![("New".to_string(), 1, 1)]);
    assert_eq!(
        without_consent(&d, &inp, &all),
        Some(("opt_in".to_string(), 2))
    );

    // Without stored results the filters are ignored and said so.
    let none = AudienceInputs::default();
    let s = select(&d, &none, &f);
    assert_eq!(s.members.len(), 6);
    assert_eq!(s.notes.len(), 3, "{:?}", s.notes);
}

#[test]
fn attribute_filters_and_where_pairs() {
    let (d, inp) = (data(), inputs());
    let pair = |c: &str, v: &str| (c.to_string(), v.to_string());
    let more = where_filters(
        &d,
        &[
            pair("region", "London"),
            pair("birth_year", "1980"),
            pair("region", "North"),
        ],
    )
    .unwrap();
    assert_eq!(more.len(), 2);
    let f = AudienceFilters {
        more_attributes: more,
        ..AudienceFilters::default()
    };
    let s = select(&d, &inp, &f);
    assert_eq!(ids(&d, &s), ["a", "c"]);
    assert_eq!(s.description, "region in London, North; birth_year in 1980");
    // The panel's one filter intersects with the others; case is as stored.
    let f = AudienceFilters {
        attribute: Some(AttributeFilter::Range {
            column: "birth_year".into(),
            min: 1985.0,
            max: 1995.0,
        }),
        more_attributes: where_filters(&d, &[pair("region", "london")]).unwrap(),
        ..AudienceFilters::default()
    };
    assert!(select(&d, &inp, &f).members.is_empty());
    let f = AudienceFilters {
        more_attributes: where_filters(&d, &[pair("Region", "North")]).unwrap(),
        ..AudienceFilters::default()
    };
    assert_eq!(ids(&d, &select(&d, &inp, &f)), ["b", "f"]);

    let err = |pairs: &[(String, String)]| where_filters(&d, pairs).unwrap_err().to_string();
    assert!(err(&[pair("email", "x@y")]).contains("email"));
    assert!(err(&[pair("email", "x@y")]).contains("personal data"));
    assert!(err(&[pair("shoe_size", "9")]).contains("shoe_size"));
    assert!(err(&[pair("birth_year", "old")]).contains("not a number"));
}

#[test]
fn values_from_a_clv_run_and_the_preview() {
    let d = data();
    let mut inp = inputs();
    inp.clv = Some(vec![Some(100.0), None, Some(50.0), Some(1.0), None, None]);
    let f = AudienceFilters {
        segments: vec![0],
        ..AudienceFilters::default()
    };
    let s = select(&d, &inp, &f);
    assert_eq!(s.value_source, ValueSource::Clv);
    let offers = vec![Offer {
        offer: Some("Tea".into()),
        reason: Some("Popular".into()),
    }];
    let r = audience_result(&d, &inp, &f, s.clone(), offers);
    assert_eq!((r.size, r.customers, r.value), (2, 6, 101.0));
    assert_eq!(r.preview.len(), 2);
    assert_eq!(r.preview[0].offer.as_deref(), Some("Tea"));
    assert_eq!(r.preview[1].offer, None);
    assert_eq!(r.preview[1].segment.as_deref(), Some("Loyal"));
    assert_eq!(r.fairness.len(), 1);
    assert_eq!(r.fairness[0].attribute, "gender");

    let a = columns::audience_columns(&d, &inp, s, None);
    assert_eq!(a.customer_ids, ["a", "d"]);
    let names: Vec<&str> = a.extra.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["segment", "churn_risk", "clv"]);
}

#[test]
fn offers_fall_back_to_the_most_popular_product_so_none_is_blank() {
    use crate::data::db::Database;
    use crate::models::recommend::{RecOptions, Recommender};
    use crate::progress::NoProgress;
    let db = Database::in_memory().unwrap();
    db.conn()
        .execute_batch(
            "CREATE TABLE transactions (customer_id TEXT, ts TEXT, order_id TEXT,
                 product_id TEXT, quantity REAL);
             INSERT INTO transactions VALUES
                 ('1', '2020-01-01', 'o1', 'a', 1), ('1', '2020-01-01', 'o1', 'b', 1),
                 ('1', '2020-01-01', 'o1', 'c', 1),
                 ('2', '2020-01-02', 'o2', 'a', 1), ('2', '2020-01-02', 'o2', 'b', 1),
                 ('3', '2020-01-04', 'o4', 'a', 1);
             CREATE TABLE products (product_id TEXT, name TEXT);
             INSERT INTO products VALUES ('a', 'Apple'), ('c', 'Cherry');",
        )
        .unwrap();
    let d = Dataset::load(&db, &NoProgress).unwrap();
    let rec = Recommender::fit(&d, &RecOptions::default(), &NoProgress).unwrap();
    let all: Vec<usize> = (0..d.n_customers()).collect();
    let plain = offers::offers(&d, Some(&rec), &all, false, &NoProgress).unwrap();
    // Customer 1 has every product: the models have nothing left to offer.
    assert_eq!(plain[0], Offer::default());
    assert!(plain[1..].iter().all(|o| o.offer.is_some()));
    let full = offers::offers(&d, Some(&rec), &all, true, &NoProgress).unwrap();
    assert_eq!(full[0].offer.as_deref(), Some("Apple"));
    assert_eq!(
        full[0].reason.as_deref(),
        Some("Popular: bought by 3 customers")
    );
    assert_eq!(full[1..], plain[1..]);
    assert!(full.iter().all(|o| o.offer.is_some()));
    // Without models, no offers.
    let none = offers::offers(&d, None, &all, true, &NoProgress).unwrap();
    assert!(none.iter().all(|o| o.offer.is_none()));
}

#[test]
fn without_transactions_the_revenue_column_gives_the_value() {
    let mut d = data();
    d.transactions = Default::default();
    let column = |name: &str, role: Role, v: [f64; 6]| Attribute {
        name: name.to_string(),
        role,
        values: AttrValues::Numeric(v.iter().map(|x| Some(*x)).collect()),
    };
    d.attributes.push(column(
        "MonthlyCharges",
        Role::Recurring,
        [20.0, 30.0, 40.0, 50.0, 60.0, 70.0],
    ));
    let (value, source) = customer_values(&d, None);
    assert_eq!(source, ValueSource::MonthlyColumn);
    assert_eq!(value[1], Some(30.0));
    // A total wins over a monthly amount; a lifetime-value run over both.
    d.attributes.push(column(
        "TotalCharges",
        Role::Revenue,
        [100.0, 0.0, 50.0, 10.0, 5.0, 1.0],
    ));
    let (value, source) = customer_values(&d, None);
    assert_eq!(
        (source, value[0]),
        (ValueSource::RevenueColumn, Some(100.0))
    );
    assert_eq!(source.column(), "revenue");
    assert_eq!(customer_values(&d, Some(&[Some(1.0)])).1, ValueSource::Clv);
    // Segments read the same column for their share of revenue.
    let f = crate::models::segment::features::build(&d, &Default::default());
    assert_eq!(f.revenue, vec![100.0, 0.0, 50.0, 10.0, 5.0, 1.0]);
    assert_eq!(
        f.revenue_of.share_of().as_deref(),
        Some("of revenue (TotalCharges)")
    );
    d.attributes.pop();
    let f = crate::models::segment::features::build(&d, &Default::default());
    assert_eq!(
        f.revenue_of.share_of().as_deref(),
        Some("of monthly revenue (MonthlyCharges)")
    );
    d.attributes.pop();
    let f = crate::models::segment::features::build(&d, &Default::default());
    assert_eq!(f.revenue_of.share_of(), None, "no revenue: no share shown");
}
