//! Campaign audiences as CSV or XLSX, with the privacy guard:
//!
//! - personal-data columns (role `pii`: name, email, phone…) are left out unless asked for, both
//!   the customers table's and the audience's own extra columns (an `email` column of an audience
//!   file is left out like the table's: by its role in the customers table or its guessed role);
//! - where the customers table has a consent column (`consent_email`, `opt_in`…), customers
//!   without consent are left out unless asked for, and the number left out is reported; where
//!   it has none, the summary says so and no one is left out;
//! - a k-anonymity check over the quasi-identifiers in the file (every protected column, and
//!   names like age, birth year, gender, marital status, senior citizen, date of birth, region,
//!   postcode or city) reports the smallest group of customers and warns below k; a customer
//!   with several rows (one per recommended item) counts once;
//! - every export is recorded in `tailor_exports` (time, file, rows, columns, filters, whether
//!   personal data was included), unless the database is read-only;
//! - the file is written to a temporary name and renamed.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rusqlite::types::Value;

use crate::data::db::Database;
use crate::data::personal::{PersonalKind, SAMPLE, classify};
use crate::data::roles::{Role, guess_role, normalize_name};
use crate::data::schema::{TableKind, quote_ident};
use crate::data::values::truthy;
use crate::error::{Error, Result};
use crate::files::csv;

pub use super::cell::Cell;
use super::cell::{cell_of, cell_text, field, text_of};
use crate::files::write_atomically;

/// Default k for the k-anonymity check.
pub const DEFAULT_K: usize = 5;

/// Column names (lower-case letters and digits only, see [`normalize_name`]) that identify
/// people in combination.
const QUASI_IDENTIFIERS: [&str; 21] = [
    "age",
    "birthyear",
    "yearofbirth",
    "birthdate",
    "dob",
    "dateofbirth",
    "gender",
    "sex",
    "marital",
    "maritalstatus",
    "seniorcitizen",
    "region",
    "county",
    "city",
    "town",
    "postcode",
    "postalcode",
    "zip",
    "zipcode",
    "plz",
    "postal",
];

/// Words of a column name that make it a place fine enough to identify people (zip-like and
/// city-like names: `home_city`, `ZipCode`, `billing_postcode`).
const PLACE_WORDS: [&str; 7] = [
    "zip", "zipcode", "postcode", "postal", "plz", "city", "town",
];

/// The words of a column name: split at anything not a letter or digit and where a lower-case
/// letter meets an upper-case one (`HomeCity` → `home`, `city`), in lower case.
fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut after_lower = false;
    for ch in name.chars() {
        if !ch.is_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            after_lower = false;
            continue;
        }
        if ch.is_uppercase() && after_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        word.extend(ch.to_lowercase());
        after_lower = ch.is_lowercase() || ch.is_numeric();
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Whether a column with this name and role identifies people in combination with others: every
/// protected column, and names like age, birth year, gender, marital status, senior citizen,
/// date of birth, region, postcode (zip) or city.
pub fn is_quasi_identifier(name: &str, role: Role) -> bool {
    if role == Role::Protected {
        return true;
    }
    let n = normalize_name(name);
    QUASI_IDENTIFIERS.contains(&n.as_str())
        || ["zip", "postcode", "postalcode", "city"]
            .iter()
            .any(|p| n.starts_with(p))
        || name_words(name)
            .iter()
            .any(|w| PLACE_WORDS.contains(&w.as_str()))
}

/// Who to export, in order, with any extra columns (segment, churn risk, offer…).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Audience {
    /// Customer ids, in the order to write them.
    pub customer_ids: Vec<String>,
    /// Extra columns: (name, one value per customer).
    pub extra: Vec<(String, Vec<Cell>)>,
    /// How the audience was chosen, in words (recorded with the export).
    pub filters: String,
    /// Extra columns the caller knows hold no personal data although their names may look so
    /// (a product's `name`): exempt from the personal-data guard.
    pub not_personal: Vec<String>,
}

/// The privacy switches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExportOptions {
    /// Write personal-data columns too.
    pub include_pii: bool,
    /// Keep customers without consent.
    pub include_no_consent: bool,
    /// Warn when a combination of quasi-identifiers is shared by fewer than k customers.
    pub k_anonymity: usize,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            include_pii: false,
            include_no_consent: false,
            k_anonymity: DEFAULT_K,
        }
    }
}

/// The k-anonymity of an export.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KAnonymity {
    /// The quasi-identifier columns in the file.
    pub quasi_identifiers: Vec<String>,
    /// The smallest number of customers sharing one combination of their values.
    pub smallest_group: u64,
    /// The k asked for.
    pub k: usize,
    /// `smallest_group >= k`.
    pub ok: bool,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExportSummary {
    /// The file.
    pub file: String,
    /// Customers written.
    pub rows: u64,
    /// Columns written, in order.
    pub columns: Vec<String>,
    /// Whether personal-data columns were written.
    pub included_pii: bool,
    /// Personal-data columns left out.
    pub pii_left_out: Vec<String>,
    /// The consent column, if the customers table has one.
    pub consent_column: Option<String>,
    /// Customers left out for lack of consent.
    pub left_out_no_consent: u64,
    /// The k-anonymity check, when the file has quasi-identifiers.
    pub k_anonymity: Option<KAnonymity>,
    /// Whether the export was recorded in `tailor_exports`.
    pub recorded: bool,
    /// Sentences for the user: consent, k-anonymity, recording.
    pub notes: Vec<String>,
    /// Distinct customers written (fewer than `rows` when a customer has several rows).
    pub customers: u64,
    /// Distinct ids of the audience that are not customers in the database: never written.
    #[serde(skip_serializing_if = "is_zero")]
    pub unknown_ids: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn normalized(name: &str) -> String {
    name.trim().to_lowercase().replace([' ', '-'], "_")
}

/// The consent column among the customers table's columns.
pub fn consent_column(names: &[String]) -> Option<String> {
    names
        .iter()
        .find(|n| {
            let n = normalized(n);
            (n.contains("consent") || n.contains("opt_in") || n.contains("optin"))
                && !n.contains("unsubscribe")
        })
        .cloned()
}

/// Whether a consent cell says yes: the number 1, or text that [`truthy`] reads as true.
fn consents(v: &Value) -> bool {
    match v {
        Value::Integer(i) => *i == 1,
        Value::Real(x) => *x == 1.0,
        Value::Text(t) => truthy(t),
        _ => false,
    }
}

/// Checks that `path` names a file an export can write, before any work: whether it is a CSV
/// (`.csv`, else `.xlsx`).
pub fn check_export_path(path: &Path) -> Result<bool> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if ext != "csv" && ext != "xlsx" {
        return Err(Error::Invalid(format!(
            "the output must end in .csv or .xlsx: {}",
            path.display()
        )));
    }
    Ok(ext == "csv")
}

/// Writes the audience to `path` (`.csv` or `.xlsx`) with the privacy guard, and records it.
pub fn export_audience(
    db: &mut Database,
    audience: &Audience,
    path: &Path,
    options: &ExportOptions,
) -> Result<ExportSummary> {
    let csv = check_export_path(path)?;
    let sq = |e| Error::sqlite(db.path())(e);
    let has_customers = db.has_table(TableKind::Customers);
    let all_columns = if has_customers {
        db.columns(TableKind::Customers)?
    } else {
        Vec::new()
    };
    let names: Vec<String> = all_columns.iter().map(|c| c.name.clone()).collect();
    let consent = consent_column(&names);
    // The role of an extra column: its customers-table column's (same name, any spelling), else
    // the one its name would be guessed.
    let role_of_extra = |name: &str| -> Role {
        let n = normalize_name(name);
        all_columns
            .iter()
            .find(|c| normalize_name(&c.name) == n)
            .map_or_else(|| guess_role(TableKind::Customers, name), |c| c.role)
    };
    // What each extra column's values look like, when they are personal data.
    let year = chrono::Datelike::year(&chrono::Local::now().date_naive());
    let extra_kind: HashMap<&str, PersonalKind> = audience
        .extra
        .iter()
        .filter(|(name, _)| !audience.not_personal.iter().any(|x| x == name))
        .filter_map(|(name, cells)| {
            let texts: Vec<String> = cells.iter().take(SAMPLE * 2).map(cell_text).collect();
            classify(texts.iter().map(String::as_str), year).map(|k| (name.as_str(), k))
        })
        .collect();
    // Personal data by its customers-table role, its name or its values, unless the caller
    // vouches for it.
    let extra_is_pii = |name: &str| {
        !audience.not_personal.iter().any(|x| x == name)
            && (role_of_extra(name) == Role::Pii
                || guess_role(TableKind::Customers, name) == Role::Pii
                || extra_kind.contains_key(name))
    };
    let mut pii_left_out: Vec<String> = Vec::new();
    if !options.include_pii {
        pii_left_out.extend(
            all_columns
                .iter()
                .filter(|c| c.role == Role::Pii)
                .map(|c| c.name.clone()),
        );
        for (name, _) in &audience.extra {
            let n = normalize_name(name);
            if extra_is_pii(name) && !pii_left_out.iter().any(|x| normalize_name(x) == n) {
                pii_left_out.push(name.clone());
            }
        }
    }
    // The extra columns written, by index into `audience.extra`.
    let kept_extra: Vec<usize> = audience
        .extra
        .iter()
        .enumerate()
        .filter(|(_, (name, _))| options.include_pii || !extra_is_pii(name))
        .map(|(i, _)| i)
        .collect();
    let written_cols: Vec<String> = all_columns
        .iter()
        .filter(|c| c.name != "customer_id" && c.role != Role::Key)
        .filter(|c| options.include_pii || c.role != Role::Pii)
        .map(|c| c.name.clone())
        .collect();
    // Every customers row we may need, by id.
    let mut rows: HashMap<String, Vec<Value>> = HashMap::new();
    let mut consent_of: HashMap<String, bool> = HashMap::new();
    if has_customers {
        let mut select: Vec<String> = vec![quote_ident("customer_id")];
        select.extend(written_cols.iter().map(|c| quote_ident(c)));
        if let Some(c) = &consent {
            select.push(quote_ident(c));
        }
        let sql = format!("SELECT {} FROM customers", select.join(", "));
        let mut stmt = db.conn().prepare(&sql).map_err(sq)?;
        let width = select.len();
        let mut q = stmt.query([]).map_err(sq)?;
        while let Some(r) = q.next().map_err(sq)? {
            let id = text_of(&r.get::<_, Value>(0).map_err(sq)?);
            let mut values = Vec::with_capacity(written_cols.len());
            for i in 1..=written_cols.len() {
                values.push(r.get::<_, Value>(i).map_err(sq)?);
            }
            if consent.is_some() {
                let v = r.get::<_, Value>(width - 1).map_err(sq)?;
                consent_of.insert(id.clone(), consents(&v));
            }
            rows.insert(id, values);
        }
    }
    let mut header: Vec<String> = vec!["customer_id".to_string()];
    header.extend(written_cols.iter().cloned());
    header.extend(
        kept_extra
            .iter()
            .filter_map(|&e| audience.extra.get(e))
            .map(|(n, _)| n.clone()),
    );
    // Roles of the header's columns, for the quasi-identifiers.
    let mut roles: Vec<Role> = vec![Role::Key];
    roles.extend(written_cols.iter().map(|name| {
        all_columns
            .iter()
            .find(|c| c.name == *name)
            .map_or(Role::Feature, |c| c.role)
    }));
    roles.extend(
        kept_extra
            .iter()
            .filter_map(|&e| audience.extra.get(e))
            .map(|(n, _)| role_of_extra(n)),
    );
    let mut table: Vec<Vec<Cell>> = Vec::new();
    // Customers left out and written: distinct ids (a customer may have several rows).
    let mut left_out_ids: HashSet<&str> = HashSet::new();
    let mut written_ids: HashSet<&str> = HashSet::new();
    // Per distinct customer written, the row holding their values (their first).
    let mut first_rows: Vec<usize> = Vec::new();
    let (mut unknown, mut first_unknown): (HashSet<&str>, Option<&str>) = (HashSet::new(), None);
    for (i, id) in audience.customer_ids.iter().enumerate() {
        if has_customers && !rows.contains_key(id) {
            unknown.insert(id.as_str());
            first_unknown = first_unknown.or(Some(id.as_str()));
            continue;
        }
        if consent.is_some()
            && !options.include_no_consent
            && !consent_of.get(id).copied().unwrap_or(false)
        {
            left_out_ids.insert(id.as_str());
            continue;
        }
        let mut row = vec![Cell::Text(id.clone())];
        match rows.get(id) {
            Some(values) => row.extend(values.iter().map(cell_of)),
            None => row.extend(written_cols.iter().map(|_| Cell::Empty)),
        }
        for &e in &kept_extra {
            let value = audience
                .extra
                .get(e)
                .and_then(|(_, values)| values.get(i).cloned());
            row.push(value.unwrap_or(Cell::Empty));
        }
        if written_ids.insert(id.as_str()) {
            first_rows.push(table.len());
        }
        table.push(row);
    }
    let left_out = left_out_ids.len() as u64;
    // k-anonymity over the quasi-identifiers in the file, counting customers (not rows).
    let qi: Vec<usize> = header
        .iter()
        .zip(&roles)
        .enumerate()
        .filter(|(_, (h, role))| is_quasi_identifier(h, **role))
        .map(|(i, _)| i)
        .collect();
    let k_anonymity = (!qi.is_empty() && !table.is_empty()).then(|| {
        let mut groups: HashMap<Vec<String>, u64> = HashMap::new();
        for row in first_rows.iter().filter_map(|&r| table.get(r)) {
            let key: Vec<String> = qi
                .iter()
                .map(|i| row.get(*i).map(cell_text).unwrap_or_default())
                .collect();
            *groups.entry(key).or_insert(0) += 1;
        }
        let smallest = groups.values().copied().min().unwrap_or(0);
        KAnonymity {
            quasi_identifiers: qi.iter().filter_map(|i| header.get(*i).cloned()).collect(),
            smallest_group: smallest,
            k: options.k_anonymity,
            ok: smallest >= options.k_anonymity as u64,
        }
    });
    if csv {
        write_csv(path, &header, &table)?;
    } else {
        write_xlsx(path, &header, &table)?;
    }
    let mut notes = Vec::new();
    match &consent {
        Some(c) if options.include_no_consent => notes.push(format!(
            "Customers without consent ({c}) were kept, as asked"
        )),
        Some(c) => notes.push(format!(
            "{} without consent ({c}) left out",
            crate::format::count(left_out, "customer", "customers")
        )),
        None => notes.push("The customers table has no consent column: no one was left out".into()),
    }
    if let Some(first) = first_unknown {
        notes.push(format!(
            "{} not in the customers table left out (first: {first})",
            crate::format::count(unknown.len() as u64, "id", "ids")
        ));
    }
    if !pii_left_out.is_empty() {
        // A column judged by its values says what they look like.
        let why = |name: &String| {
            let kind = all_columns
                .iter()
                .find(|c| c.name == *name)
                .and_then(|c| c.personal)
                .or_else(|| extra_kind.get(name.as_str()).copied());
            match kind {
                Some(k) => format!("{name} (holds {})", k.describe()),
                None => name.clone(),
            }
        };
        let listed: Vec<String> = pii_left_out.iter().map(why).collect();
        notes.push(format!("Personal data left out: {}", listed.join(", ")));
    } else if options.include_pii {
        notes.push("Personal data included, as asked".into());
    }
    if let Some(k) = &k_anonymity {
        if k.ok {
            notes.push(format!(
                "k-anonymity: every combination of {} is shared by at least {} customers",
                k.quasi_identifiers.join(", "),
                k.smallest_group
            ));
        } else {
            let who = if k.smallest_group == 1 {
                "1 customer has".to_string()
            } else {
                format!(
                    "{} customers share",
                    crate::format::thousands(k.smallest_group)
                )
            };
            notes.push(format!(
                "Warning: {who} the rarest combination of {} (k-anonymity {} < {}): they could be re-identified",
                k.quasi_identifiers.join(", "),
                k.smallest_group,
                k.k
            ));
        }
    }
    let file = std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string();
    let recorded = if db.is_read_only() {
        notes.push("The database is read-only: this export is not recorded in it".into());
        false
    } else {
        let filters = serde_json::json!({
            "audience": audience.filters,
            "include_no_consent": options.include_no_consent,
            "left_out_no_consent": left_out,
        })
        .to_string();
        let columns = serde_json::to_string(&header).unwrap_or_default();
        let created = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let path_owned = db.path().to_path_buf();
        db.conn_mut()?
            .execute(
                "INSERT INTO tailor_exports (created_at, file, rows, columns, filters, included_pii)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![
                    created,
                    file,
                    table.len() as i64,
                    columns,
                    filters,
                    i64::from(options.include_pii)
                ],
            )
            .map_err(Error::sqlite(&path_owned))?;
        true
    };
    Ok(ExportSummary {
        file,
        rows: table.len() as u64,
        columns: header,
        included_pii: options.include_pii,
        pii_left_out,
        consent_column: consent,
        left_out_no_consent: left_out,
        k_anonymity,
        recorded,
        notes,
        customers: first_rows.len() as u64,
        unknown_ids: unknown.len() as u64,
    })
}

fn write_csv(path: &Path, header: &[String], table: &[Vec<Cell>]) -> Result<()> {
    write_atomically(path, |w| {
        csv::write_header(w, header).map_err(Error::io(path))?;
        for row in table {
            csv::write_row(w, row.iter().map(field)).map_err(Error::io(path))?;
        }
        Ok(())
    })
}

/// Rows an XLSX sheet holds below its header.
pub const XLSX_MAX_ROWS: usize = 1_048_575;

fn write_xlsx(path: &Path, header: &[String], table: &[Vec<Cell>]) -> Result<()> {
    use rust_xlsxwriter::{Format, Workbook};
    if table.len() > XLSX_MAX_ROWS {
        return Err(Error::Invalid(format!(
            "{} customers do not fit in one XLSX sheet (at most {}): export as .csv instead: {}",
            crate::format::thousands(table.len() as u64),
            crate::format::thousands(XLSX_MAX_ROWS as u64),
            path.display()
        )));
    }
    let xe = |e: rust_xlsxwriter::XlsxError| Error::Invalid(format!("{e}: {}", path.display()));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Audience").map_err(xe)?;
    let bold = Format::new().set_bold();
    for (c, h) in header.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, h, &bold)
            .map_err(xe)?;
    }
    for (r, row) in table.iter().enumerate() {
        let r = (r + 1) as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(t) => {
                    sheet.write_string(r, c, t).map_err(xe)?;
                }
                Cell::Number(x) => {
                    sheet.write_number(r, c, *x).map_err(xe)?;
                }
                Cell::Empty => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(xe)?;
    sheet.autofit();
    let bytes = book.save_to_buffer().map_err(xe)?;
    write_atomically(path, |w| {
        std::io::Write::write_all(w, &bytes).map_err(Error::io(path))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quasi_identifiers_by_role_and_by_name() {
        for name in [
            "age",
            "birth_year",
            "Gender",
            "marital",
            "marital_status",
            "MaritalStatus",
            "SeniorCitizen",
            "senior_citizen",
            "dob",
            "date_of_birth",
            "zip",
            "ZipCode",
            "zip5",
            "postal_code",
            "billing_postcode",
            "city",
            "home_city",
            "HomeCity",
            "city_name",
            "region",
        ] {
            assert!(is_quasi_identifier(name, Role::Feature), "{name}");
        }
        for name in [
            "spend",
            "segment_name",
            "electricity",
            "capacity",
            "offer",
            "churn_risk",
            "country",
            "citizenship",
        ] {
            assert!(!is_quasi_identifier(name, Role::Feature), "{name}");
        }
        // Every protected column, whatever its name.
        assert!(is_quasi_identifier("religion_code", Role::Protected));
        assert!(is_quasi_identifier("Partner", Role::Protected));
        assert!(!is_quasi_identifier("Partner", Role::Feature));
    }

    /// Three customers, all women in one region: `c3` has no consent.
    fn db(dir: &Path) -> Database {
        let path = dir.join("t.sqlite");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE customers (customer_id TEXT NOT NULL, name TEXT, gender TEXT,
                 region TEXT, consent_email INTEGER);
             INSERT INTO customers VALUES ('c1', 'Ann', 'F', 'North', 1),
                 ('c2', 'Bea', 'F', 'North', 1), ('c3', 'Cat', 'F', 'North', 0);",
        )
        .unwrap();
        drop(conn);
        Database::open(&path).unwrap()
    }

    #[test]
    fn several_rows_per_customer_count_once_for_consent_and_k_anonymity() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = db(dir.path());
        // Three items each, like a segment's recommendations; `name` is a product's name.
        let ids: Vec<String> = ["c1", "c2", "c3"]
            .iter()
            .flat_map(|c| std::iter::repeat_n(c.to_string(), 3))
            .collect();
        let audience = Audience {
            extra: vec![
                (
                    "rank".into(),
                    (0..9).map(|i| Cell::Number(f64::from(i % 3 + 1))).collect(),
                ),
                (
                    "name".into(),
                    (0..9).map(|i| Cell::Text(format!("Mug {i}"))).collect(),
                ),
            ],
            customer_ids: ids,
            filters: "test".into(),
            not_personal: vec!["name".into()],
        };
        let path = dir.path().join("recs.csv");
        let options = ExportOptions {
            k_anonymity: 3,
            ..ExportOptions::default()
        };
        let s = export_audience(&mut db, &audience, &path, &options).unwrap();
        assert_eq!(s.rows, 6);
        assert_eq!(s.customers, 2);
        assert_eq!(s.left_out_no_consent, 1);
        assert!(
            s.notes
                .contains(&"1 customer without consent (consent_email) left out".to_string())
        );
        let k = s.k_anonymity.clone().unwrap();
        assert_eq!(k.quasi_identifiers, ["gender", "region"]);
        // Two customers (six rows) share F / North.
        assert_eq!(k.smallest_group, 2);
        assert!(!k.ok);
        assert!(
            s.notes
                .iter()
                .any(|n| n.starts_with("Warning: 2 customers share")),
            "{:?}",
            s.notes
        );
        assert_eq!(s.pii_left_out, ["name"]);
        assert_eq!(
            s.columns,
            [
                "customer_id",
                "gender",
                "region",
                "consent_email",
                "rank",
                "name"
            ]
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 7);
        assert_eq!(lines[1], "c1,F,North,1,1,Mug 0");
        assert_eq!(lines[6], "c2,F,North,1,3,Mug 5");
        assert!(!text.contains("Ann"));

        // Without the exemption, an extra `name` column is personal data and left out.
        let plain = Audience {
            not_personal: Vec::new(),
            ..audience
        };
        let s = export_audience(&mut db, &plain, &path, &options).unwrap();
        assert!(!s.columns.iter().any(|c| c == "name"), "{:?}", s.columns);
        assert_eq!(s.pii_left_out, ["name"]);
        let logged: i64 = db
            .conn()
            .query_row("SELECT COUNT(*) FROM tailor_exports", [], |r| r.get(0))
            .unwrap();
        assert_eq!(logged, 2);
    }
}
