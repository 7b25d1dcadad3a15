//! Column roles: what each column may be used for.
//!
//! Roles are guessed from column names and stored, once edited, in `tailor_columns`.
//! PII is masked in presentation mode and left out of exports; protected columns are left out
//! of model inputs and are what the fairness audit groups by.

use crate::data::schema::TableKind;

/// What a column may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// An identifier (`customer_id`, `product_id`, `order_id`): joins rows, never a feature.
    Key,
    /// Personal data: name, email, phone, address.
    Pii,
    /// A protected attribute (gender, age, race…): out of models by default, used by audits.
    Protected,
    /// An input to models.
    Feature,
    /// A target to predict (`churned`).
    Label,
    /// Not used.
    Ignore,
    /// What the customer has paid in all (`TotalCharges`): a model input, and their revenue
    /// where there are no transactions.
    Revenue,
    /// What the customer pays per month (`MonthlyCharges`): a model input, and their monthly
    /// revenue where there are no transactions and no total.
    Recurring,
}

impl Role {
    /// Every role, in the order the UI lists them.
    pub const ALL: [Role; 8] = [
        Role::Key,
        Role::Pii,
        Role::Protected,
        Role::Feature,
        Role::Revenue,
        Role::Recurring,
        Role::Label,
        Role::Ignore,
    ];

    /// Whether models may read the column (features and the revenue columns).
    pub fn is_model_input(self) -> bool {
        matches!(self, Role::Feature | Role::Revenue | Role::Recurring)
    }

    /// The role's name as stored and typed (`pii`, `protected`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Key => "key",
            Role::Pii => "pii",
            Role::Protected => "protected",
            Role::Feature => "feature",
            Role::Label => "label",
            Role::Ignore => "ignore",
            Role::Revenue => "revenue",
            Role::Recurring => "recurring",
        }
    }

    /// Parses a role name, in any case.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// A label for the UI, in sentence case.
    pub fn label(self) -> &'static str {
        match self {
            Role::Key => "Key",
            Role::Pii => "Personal data",
            Role::Protected => "Protected",
            Role::Feature => "Feature",
            Role::Label => "Label",
            Role::Ignore => "Ignored",
            Role::Revenue => "Revenue (total)",
            Role::Recurring => "Revenue per month",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lower-case letters and digits only: `Senior Citizen` and `senior_citizen` compare equal.
pub fn normalize_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

const PII: &[&str] = &[
    "name",
    "firstname",
    "lastname",
    "surname",
    "fullname",
    "customername",
    "email",
    "emailaddress",
    "mail",
    "phone",
    "phonenumber",
    "mobile",
    "telephone",
    "tel",
    "address",
    "street",
    "streetaddress",
    "postcode",
    "postalcode",
    "zip",
    "zipcode",
    "ssn",
    "ipaddress",
];

const PROTECTED: &[&str] = &[
    "gender",
    "sex",
    "age",
    "birthyear",
    "yearofbirth",
    "dob",
    "dateofbirth",
    "birthdate",
    "race",
    "ethnicity",
    "religion",
    "marital",
    "maritalstatus",
    "seniorcitizen",
    "senior",
    "disability",
    "nationality",
];

const LABELS: &[&str] = &["churned", "churn", "exited", "attrition"];

/// Customers columns guessed to hold what a customer has paid in all (normalized names).
const REVENUE_TOTALS: [&str; 7] = [
    "totalcharges",
    "totalspend",
    "totalspent",
    "revenue",
    "totalrevenue",
    "totalamount",
    "lifetimespend",
];
/// Customers columns guessed to hold what a customer pays per month (normalized names).
const REVENUE_MONTHLY: [&str; 6] = [
    "monthlycharges",
    "monthlycharge",
    "monthlyspend",
    "monthlyfee",
    "monthlyrevenue",
    "mrr",
];

/// Guesses a column's role from its table and name.
pub fn guess_role(table: TableKind, column: &str) -> Role {
    let n = normalize_name(column);
    let key = match table {
        TableKind::Customers => n == "customerid",
        TableKind::Products => n == "productid",
        TableKind::Transactions | TableKind::Feedback => {
            matches!(n.as_str(), "customerid" | "productid" | "orderid")
        }
    };
    if key {
        Role::Key
    } else if n.contains("consent") || n.contains("optin") || n.contains("unsubscribe") {
        // Marketing permission: decides who may be contacted, never a model input.
        Role::Ignore
    } else if table == TableKind::Products && n == "name" {
        // A product's name is not personal data.
        Role::Feature
    } else if PII.contains(&n.as_str()) || n.ends_with("email") || n.ends_with("phone") {
        Role::Pii
    } else if PROTECTED.contains(&n.as_str()) {
        Role::Protected
    } else if table == TableKind::Customers && LABELS.contains(&n.as_str()) {
        Role::Label
    } else if table == TableKind::Customers && REVENUE_TOTALS.contains(&n.as_str()) {
        Role::Revenue
    } else if table == TableKind::Customers && REVENUE_MONTHLY.contains(&n.as_str()) {
        Role::Recurring
    } else {
        Role::Feature
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_follow_the_design() {
        let c = TableKind::Customers;
        for (table, column, role) in [
            (c, "customer_id", Role::Key),
            (c, "email", Role::Pii),
            (c, "Phone", Role::Pii),
            (c, "name", Role::Pii),
            (c, "gender", Role::Protected),
            (c, "SeniorCitizen", Role::Protected),
            (c, "birth_year", Role::Protected),
            (c, "marital", Role::Protected),
            (c, "churned", Role::Label),
            (c, "consent_email", Role::Ignore),
            (c, "region", Role::Feature),
            (c, "country", Role::Feature),
            (c, "TotalCharges", Role::Revenue),
            (c, "total_spend", Role::Revenue),
            (c, "MonthlyCharges", Role::Recurring),
            (TableKind::Products, "revenue", Role::Feature),
            (TableKind::Products, "name", Role::Feature),
            (TableKind::Transactions, "order_id", Role::Key),
        ] {
            assert_eq!(guess_role(table, column), role, "{column}");
        }
    }

    #[test]
    fn roles_round_trip_through_text() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("PII"), Some(Role::Pii));
        assert_eq!(Role::parse("secret"), None);
    }
}
