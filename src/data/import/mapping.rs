//! Which table a file goes into and which schema column each source column fills: guessed from
//! names (with synonyms) or, for a headerless file, from the values; overridden by `--map`.

use crate::data::roles::normalize_name;
use crate::data::schema::{TableKind, ValueKind};
use crate::data::values;

/// What a source column means, before the target table is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Concept {
    /// The customer's id.
    CustomerId,
    /// The product's id.
    ProductId,
    /// The order or invoice id.
    OrderId,
    /// When it happened.
    Ts,
    /// How many.
    Quantity,
    /// Price of one unit.
    Price,
    /// Total paid.
    Amount,
    /// A rating or score.
    Rating,
    /// The churn label.
    Churned,
    /// A product's name or description.
    ProductName,
    /// A name (of a customer, or of a product in a products file).
    Name,
    /// A product category.
    Category,
    /// Customer email.
    Email,
    /// Customer phone.
    Phone,
    /// Customer gender.
    Gender,
    /// Customer birth year.
    BirthYear,
    /// Customer age.
    Age,
    /// Customer region.
    Region,
    /// Customer country.
    Country,
    /// When the customer signed up.
    SignupDate,
    /// Whether the customer agreed to email.
    ConsentEmail,
    /// Review text.
    Text,
}

/// The concept a (normalized) column name stands for.
pub fn concept_of(norm: &str) -> Option<Concept> {
    use Concept::*;
    Some(match norm {
        "customerid" | "customer" | "user" | "userid" | "client" | "clientid" | "member"
        | "memberid" | "cust" | "custid" | "customerno" | "customernumber" | "customercode"
        | "clientno" | "accountid" | "buyerid" | "buyer" | "visitorid" | "reviewerid"
        | "shopperid" => CustomerId,
        "productid" | "product" | "item" | "itemid" | "sku" | "stockcode" | "productcode"
        | "itemcode" | "articleid" | "article" | "asin" | "productno" | "itemno" | "movieid"
        | "bookid" => ProductId,
        "orderid" | "order" | "invoice" | "invoiceno" | "invoiceid" | "invoicenumber"
        | "ordernumber" | "orderno" | "transactionid" | "basketid" | "receiptid" => OrderId,
        "ts" | "date" | "time" | "timestamp" | "invoicedate" | "orderdate" | "datetime"
        | "purchasedate" | "transactiondate" | "eventtime" | "orderdatetime" | "purchasetime"
        | "createdat" | "reviewdate" => Ts,
        "quantity" | "qty" | "units" | "quantityordered" => Quantity,
        "price" | "unitprice" | "priceeach" | "listprice" | "priceperunit" => Price,
        "amount" | "total" | "revenue" | "sales" | "spend" | "totalamount" | "ordervalue"
        | "totalprice" | "linetotal" | "value" | "monetary" => Amount,
        "rating" | "score" | "stars" | "reviewscore" | "starrating" => Rating,
        "churned" | "churn" | "exited" | "attrition" | "churnlabel" => Churned,
        "description" | "productname" | "itemname" | "title" | "productdescription"
        | "productdesc" => ProductName,
        "name" | "customername" | "fullname" | "clientname" => Name,
        "category" | "productcategory" | "department" | "genre" | "categoryname" => Category,
        "email" | "emailaddress" | "mail" => Email,
        "phone" | "phonenumber" | "mobile" | "telephone" => Phone,
        "gender" | "sex" => Gender,
        "birthyear" | "yearofbirth" => BirthYear,
        "age" => Age,
        "region" | "state" | "province" => Region,
        "country" | "countrycode" => Country,
        "signupdate" | "joindate" | "registrationdate" | "customersince" | "signup" | "joined" => {
            SignupDate
        }
        "consentemail" | "emailconsent" | "emailoptin" | "optin" | "newsletter" => ConsentEmail,
        "text" | "review" | "reviewtext" | "comment" | "comments" | "feedback" | "body" => Text,
        _ => return None,
    })
}

/// The concept of a target given with `--map` (a schema column name such as `unit_price`, or
/// any synonym).
pub fn concept_of_target(target: &str) -> Option<Concept> {
    let t = target.trim();
    let t = t.rsplit('.').next().unwrap_or(t);
    let norm = normalize_name(t);
    if norm == "name" {
        return Some(Concept::Name);
    }
    concept_of(&norm)
}

const CUSTOMER_ATTRS: &[(Concept, &str)] = &[
    (Concept::Name, "name"),
    (Concept::Email, "email"),
    (Concept::Phone, "phone"),
    (Concept::Gender, "gender"),
    (Concept::BirthYear, "birth_year"),
    (Concept::Age, "age"),
    (Concept::Region, "region"),
    (Concept::Country, "country"),
    (Concept::SignupDate, "signup_date"),
    (Concept::ConsentEmail, "consent_email"),
    (Concept::Churned, "churned"),
];

fn customer_attr(c: Concept) -> Option<&'static str> {
    CUSTOMER_ATTRS
        .iter()
        .find(|(k, _)| *k == c)
        .map(|(_, n)| *n)
}

/// Where a concept goes in a file imported into `table`: (table, schema column). `None` means
/// the column is kept as an extra attribute column of `table`.
pub fn resolve(
    table: TableKind,
    concept: Concept,
    has_product: bool,
) -> Option<(TableKind, &'static str)> {
    use Concept::*;
    use TableKind as T;
    match table {
        T::Customers => match concept {
            CustomerId => Some("customer_id"),
            c => customer_attr(c),
        }
        .map(|c| (T::Customers, c)),
        T::Products => match concept {
            ProductId => Some("product_id"),
            ProductName | Name => Some("name"),
            Category => Some("category"),
            Price => Some("price"),
            _ => None,
        }
        .map(|c| (T::Products, c)),
        T::Transactions | T::Feedback => {
            let own = |c: &'static str| Some((table, c));
            match (table, concept) {
                (_, CustomerId) => own("customer_id"),
                (_, ProductId) => own("product_id"),
                (_, Ts) => own("ts"),
                (_, Rating) => own("rating"),
                (T::Feedback, Text) => own("text"),
                (T::Transactions, OrderId) => own("order_id"),
                (T::Transactions, Quantity) => own("quantity"),
                (T::Transactions, Price) => own("unit_price"),
                (T::Transactions, Amount) => own("amount"),
                (_, ProductName | Category) if has_product => Some((
                    T::Products,
                    if concept == Category {
                        "category"
                    } else {
                        "name"
                    },
                )),
                (_, Name) if has_product => Some((T::Products, "name")),
                (_, c) => customer_attr(c).map(|n| (T::Customers, n)),
            }
        }
    }
}

/// Guesses the target table from the concepts a file has.
pub fn guess_table(concepts: &[Concept]) -> TableKind {
    let has = |c: Concept| concepts.contains(&c);
    let customer = has(Concept::CustomerId);
    if customer && has(Concept::Text) {
        TableKind::Feedback
    } else if has(Concept::Ts)
        && (customer || has(Concept::OrderId) || has(Concept::Quantity) || has(Concept::Amount))
    {
        TableKind::Transactions
    } else if has(Concept::ProductId) && !customer {
        TableKind::Products
    } else {
        TableKind::Customers
    }
}

/// The kind of value a sample column holds, for guessing a headerless file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Blank,
    Date,
    Integer,
    Decimal,
    Text,
}

fn column_shape<'a>(values: impl Iterator<Item = &'a str>) -> Shape {
    let (mut n, mut dates, mut ints, mut nums) = (0usize, 0usize, 0usize, 0usize);
    for v in values {
        let t = v.trim();
        if t.is_empty() {
            continue;
        }
        n += 1;
        if values::looks_like_date(t) || values::looks_like_compact_date(t) {
            dates += 1;
        }
        if t.bytes().all(|b| b.is_ascii_digit() || b == b'-') && t.parse::<i64>().is_ok() {
            ints += 1;
        }
        if values::looks_numeric(t) {
            nums += 1;
        }
    }
    if n == 0 {
        Shape::Blank
    } else if dates * 10 >= n * 9 {
        Shape::Date
    } else if ints == n {
        Shape::Integer
    } else if nums == n {
        Shape::Decimal
    } else {
        Shape::Text
    }
}

/// Guesses the concepts of a headerless file's columns from their values: a date column makes
/// it a transactions file whose first column is the customer id, an integer after the date is
/// the quantity and a decimal the amount. Without a date column, the first column is the
/// customer id only if its values are distinct.
pub fn guess_headerless(sample: &[Vec<String>], n_cols: usize) -> Vec<Option<Concept>> {
    let shapes: Vec<Shape> = (0..n_cols)
        .map(|i| column_shape(sample.iter().filter_map(|r| r.get(i).map(String::as_str))))
        .collect();
    let mut out = vec![None; n_cols];
    let date_col = shapes.iter().position(|s| *s == Shape::Date);
    match date_col {
        Some(d) => {
            if let Some(slot) = out.get_mut(d) {
                *slot = Some(Concept::Ts);
            }
            if d > 0
                && let Some(slot) = out.get_mut(0)
            {
                *slot = Some(Concept::CustomerId);
            }
            let mut have_qty = false;
            let mut have_amount = false;
            for i in d + 1..n_cols {
                let (Some(shape), Some(slot)) = (shapes.get(i), out.get_mut(i)) else {
                    continue;
                };
                match shape {
                    Shape::Integer if !have_qty => {
                        *slot = Some(Concept::Quantity);
                        have_qty = true;
                    }
                    Shape::Decimal | Shape::Integer if !have_amount => {
                        *slot = Some(Concept::Amount);
                        have_amount = true;
                    }
                    _ => {}
                }
            }
        }
        None => {
            let first: Vec<&str> = sample
                .iter()
                .filter_map(|r| r.first().map(|s| s.trim()))
                .collect();
            let distinct: std::collections::HashSet<&str> = first.iter().copied().collect();
            let id_like = matches!(shapes.first(), Some(Shape::Integer | Shape::Text))
                && first.iter().all(|v| !v.is_empty() && !v.contains(' '));
            if id_like
                && distinct.len() == first.len()
                && first.len() > 1
                && let Some(slot) = out.get_mut(0)
            {
                *slot = Some(Concept::CustomerId);
            }
        }
    }
    out
}

/// The value kind of an extra (non-schema) column from its SQL type.
pub fn kind_for_sql(sql_type: &str) -> ValueKind {
    match sql_type {
        "INTEGER" => ValueKind::Integer,
        "REAL" => ValueKind::Real,
        _ => ValueKind::Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concepts(names: &[&str]) -> Vec<Concept> {
        names
            .iter()
            .filter_map(|n| concept_of(&normalize_name(n)))
            .collect()
    }

    #[test]
    fn synonyms() {
        let c = |n: &str| concept_of(&normalize_name(n));
        assert_eq!(c("CustomerID"), Some(Concept::CustomerId));
        assert_eq!(c("user_id"), Some(Concept::CustomerId));
        assert_eq!(c("Member"), Some(Concept::CustomerId));
        assert_eq!(c("StockCode"), Some(Concept::ProductId));
        assert_eq!(c("SKU"), Some(Concept::ProductId));
        assert_eq!(c("InvoiceNo"), Some(Concept::OrderId));
        assert_eq!(c("InvoiceDate"), Some(Concept::Ts));
        assert_eq!(c("Qty"), Some(Concept::Quantity));
        assert_eq!(c("UnitPrice"), Some(Concept::Price));
        assert_eq!(c("Exited"), Some(Concept::Churned));
        assert_eq!(c("Attrition"), Some(Concept::Churned));
        assert_eq!(c("Description"), Some(Concept::ProductName));
        assert_eq!(c("PhoneService"), None);
        assert_eq!(concept_of_target("unit_price"), Some(Concept::Price));
        assert_eq!(
            concept_of_target("customers.country"),
            Some(Concept::Country)
        );
    }

    #[test]
    fn price_goes_to_the_right_column() {
        use TableKind::{Customers, Products, Transactions};
        for (table, concept, has_product, expect) in [
            (
                Transactions,
                Concept::Price,
                true,
                Some((Transactions, "unit_price")),
            ),
            (Products, Concept::Price, false, Some((Products, "price"))),
            (
                Transactions,
                Concept::ProductName,
                true,
                Some((Products, "name")),
            ),
            (
                Transactions,
                Concept::Country,
                true,
                Some((Customers, "country")),
            ),
            (Customers, Concept::Ts, false, None),
        ] {
            assert_eq!(resolve(table, concept, has_product), expect, "{concept:?}");
        }
    }

    #[test]
    fn tables_are_guessed() {
        let retail = concepts(&[
            "InvoiceNo",
            "StockCode",
            "Description",
            "Quantity",
            "InvoiceDate",
            "UnitPrice",
            "CustomerID",
            "Country",
        ]);
        assert_eq!(guess_table(&retail), TableKind::Transactions);
        assert_eq!(
            guess_table(&concepts(&["customerID", "gender", "Churn"])),
            TableKind::Customers
        );
        assert_eq!(
            guess_table(&concepts(&["sku", "title", "price"])),
            TableKind::Products
        );
        assert_eq!(
            guess_table(&concepts(&["user", "review", "date"])),
            TableKind::Feedback
        );
        assert_eq!(
            guess_table(&concepts(&["age", "job"])),
            TableKind::Customers
        );
    }

    #[test]
    fn headerless_columns_from_values() {
        let rows: Vec<Vec<String>> = [
            ["00004", "0001", "19970101", "2", "29.33"],
            ["00004", "0001", "19970118", "2", "29.73"],
            ["00005", "0002", "19970102", "1", "9"],
        ]
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect();
        assert_eq!(
            guess_headerless(&rows, 5),
            vec![
                Some(Concept::CustomerId),
                None,
                Some(Concept::Ts),
                Some(Concept::Quantity),
                Some(Concept::Amount)
            ]
        );
        let adult: Vec<Vec<String>> = [["39", "State-gov"], ["50", "Private"], ["39", "x"]]
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect();
        assert_eq!(guess_headerless(&adult, 2), vec![None, None]);
    }
}
