//! Non-merchandise lines: postage, carriage, fees, bank charges, manual adjustments, discounts,
//! samples. They stay in the data, but are never recommended, never cited in a recommendation's
//! reason, and `tailor check` reports them apart from sales.
//!
//! A product is non-merchandise when the products table says so, in a column named
//! `merchandise` / `is_merchandise` (no, 0, false) or `non_merchandise` (yes, 1, true); else
//! when its name reads like one ([`is_non_merchandise_name`]); else, in a catalogue whose ids
//! nearly all hold a digit (at least [`DIGIT_IDS`] of them), when its id holds none — Online
//! Retail's POST, DOT, M, D, S, B, CRUK, PADS, AMAZONFEE, BANK CHARGES. A products column has
//! the say over the guess, and the user's own mark in Tailor (the Data panel, kept in
//! `tailor_product_marks`, never in the user's tables) has the last word.

use crate::data::db::Database;
use crate::data::quality::{Finding, Severity};
use crate::data::roles::normalize_name;
use crate::data::schema::TableKind;
use crate::error::{Error, Result};
use crate::format::thousands;

impl crate::data::dataset::Products {
    /// Whether product `p` is merchandise (not postage, a fee or an adjustment).
    pub fn is_merchandise(&self, p: u32) -> bool {
        !self
            .non_merchandise
            .get(p as usize)
            .copied()
            .unwrap_or(false)
    }
}

/// Who decided whether a product is merchandise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MarkSource {
    /// Tailor's guess from the name and the id.
    #[default]
    Guess,
    /// The products table's merchandise column.
    Column,
    /// The user, in Tailor.
    You,
}

impl MarkSource {
    /// In words, for the Data panel.
    pub fn describe(self) -> &'static str {
        match self {
            MarkSource::Guess => "Guessed from the name or the id",
            MarkSource::Column => "The products table's merchandise column",
            MarkSource::You => "Marked by you",
        }
    }
}

/// Whether a product is non-merchandise, and who said so: the user's mark, else the products
/// column, else the guess.
pub fn decide(guess: bool, column: Option<bool>, yours: Option<bool>) -> (bool, MarkSource) {
    match (yours, column) {
        (Some(non), _) => (non, MarkSource::You),
        (None, Some(non)) => (non, MarkSource::Column),
        (None, None) => (guess, MarkSource::Guess),
    }
}

/// The user's marks: product id → non-merchandise.
pub fn user_marks(db: &Database) -> Result<std::collections::HashMap<String, bool>> {
    let sq = |e| Error::sqlite(db.path())(e);
    if !crate::data::db::table_exists(db.conn(), "tailor_product_marks").map_err(sq)? {
        return Ok(Default::default());
    }
    let mut stmt = db
        .conn()
        .prepare("SELECT product_id, merchandise FROM tailor_product_marks")
        .map_err(sq)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? == 0))
        })
        .map_err(sq)?;
    rows.collect::<rusqlite::Result<_>>().map_err(sq)
}

/// Stores the user's mark for a product (`Some(true)`: not merchandise), or removes it
/// (`None`: back to the products column or the guess).
pub fn set_user_mark(db: &mut Database, product_id: &str, non: Option<bool>) -> Result<()> {
    let path = db.path().to_path_buf();
    let sq = |e| Error::sqlite(&path)(e);
    let conn = db.conn_mut()?;
    match non {
        Some(non) => conn.execute(
            "INSERT INTO tailor_product_marks (product_id, merchandise) VALUES (?1, ?2)
             ON CONFLICT (product_id) DO UPDATE SET merchandise = excluded.merchandise",
            rusqlite::params![product_id, i64::from(!non)],
        ),
        None => conn.execute(
            "DELETE FROM tailor_product_marks WHERE product_id = ?1",
            [product_id],
        ),
    }
    .map_err(sq)?;
    Ok(())
}

/// Each product's transaction lines and money (`amount`, else quantity × unit price), for the
/// ids given, most lines first.
pub fn lines_and_money(db: &Database, ids: &[&str]) -> Result<Vec<(String, u64, f64)>> {
    if ids.is_empty() || !db.has_table(TableKind::Transactions) {
        return Ok(Vec::new());
    }
    let sq = |e| Error::sqlite(db.path())(e);
    let json = serde_json::to_string(&ids).map_err(|e| Error::Invalid(e.to_string()))?;
    let columns = db.raw_columns("transactions")?;
    let has = |name: &str| columns.iter().any(|(c, _)| c == name);
    let amount = if has("amount") {
        "SUM(amount)"
    } else if has("quantity") && has("unit_price") {
        "SUM(quantity * unit_price)"
    } else {
        "0"
    };
    let sql = format!(
        "SELECT CAST(product_id AS TEXT), COUNT(*), COALESCE({amount}, 0) FROM transactions
         WHERE CAST(product_id AS TEXT) IN (SELECT value FROM json_each(?1))
         GROUP BY 1 ORDER BY 2 DESC, 1"
    );
    let mut stmt = db.conn().prepare(&sql).map_err(sq)?;
    let rows = stmt
        .query_map([json], |r| {
            Ok((
                r.get(0)?,
                r.get::<_, i64>(1)?.max(0).unsigned_abs(),
                r.get(2)?,
            ))
        })
        .map_err(sq)?;
    rows.collect::<rusqlite::Result<_>>().map_err(sq)
}

/// Share of ids holding a digit above which an id without one is an internal code.
pub const DIGIT_IDS: f64 = 0.9;
/// Words that make a name non-merchandise as its last word ("DOTCOM POSTAGE", "Next Day
/// Carriage", "AMAZON FEE"; not "CARRIAGE CLOCK").
const WORDS: [&str; 8] = [
    "postage",
    "carriage",
    "shipping",
    "fee",
    "fees",
    "commission",
    "discount",
    "surcharge",
];
/// Phrases that do.
const PHRASES: [&str; 7] = [
    "bank charges",
    "bad debt",
    "delivery charge",
    "delivery charges",
    "shipping cost",
    "shipping costs",
    "postage and packing",
];
/// Names that do when they are the whole name.
const WHOLE: [&str; 5] = ["manual", "samples", "sample", "adjustment", "adjust"];
/// Names of a products column that marks merchandise (true) or non-merchandise (false).
const COLUMNS: [(&str, bool); 3] = [
    ("merchandise", true),
    ("ismerchandise", true),
    ("nonmerchandise", false),
];

/// Whether a product name reads like postage, a fee, an adjustment or the like.
pub fn is_non_merchandise_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let spaced = format!(" {} ", words.join(" "));
    words.last().is_some_and(|w| WORDS.contains(w))
        || PHRASES.iter().any(|p| spaced.contains(&format!(" {p} ")))
        || WHOLE.contains(&words.join(" ").as_str())
}

/// The guess for every product from its id and name (no products column consulted).
pub fn guess(ids: &[String], names: &[Option<String>]) -> Vec<bool> {
    let with_digit = ids
        .iter()
        .filter(|id| id.chars().any(|c| c.is_ascii_digit()))
        .count();
    let codes = !ids.is_empty() && with_digit as f64 >= DIGIT_IDS * ids.len() as f64;
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            names
                .get(i)
                .and_then(Option::as_deref)
                .is_some_and(is_non_merchandise_name)
                || (codes && !id.chars().any(|c| c.is_ascii_digit()))
        })
        .collect()
}

/// The products column that marks (non-)merchandise, if any: its name and whether a true value
/// means merchandise.
pub fn marking_column(columns: &[(String, String)]) -> Option<(&str, bool)> {
    columns.iter().find_map(|(name, _)| {
        let n = normalize_name(name);
        COLUMNS
            .iter()
            .find(|(c, _)| *c == n)
            .map(|(_, merch)| (name.as_str(), *merch))
    })
}

/// A marking column's value read as non-merchandise (`None`: blank or unreadable).
pub fn read_mark(value: &str, true_means_merchandise: bool) -> Option<bool> {
    let yes = match value.trim().to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "t" => true,
        "0" | "no" | "n" | "false" | "f" => false,
        _ => return None,
    };
    Some(yes != true_means_merchandise)
}

/// The check's finding: the non-merchandise products with their lines and amounts, apart from
/// sales; `None` when there are none (or no transactions).
pub fn finding(
    db: &Database,
    non_merchandise: &[(String, Option<String>)],
) -> Result<Option<Finding>> {
    let ids: Vec<&str> = non_merchandise.iter().map(|(id, _)| id.as_str()).collect();
    let rows = lines_and_money(db, &ids)?;
    let lines: u64 = rows.iter().map(|r| r.1).sum();
    if lines == 0 {
        return Ok(None);
    }
    let total: f64 = rows.iter().map(|r| r.2).sum();
    let name_of = |id: &str| {
        non_merchandise
            .iter()
            .find(|(i, _)| i == id)
            .and_then(|(_, n)| n.clone())
    };
    let listed: Vec<String> = rows
        .iter()
        .take(8)
        .map(|(id, n, a)| match name_of(id) {
            Some(name) if name != *id => format!("{id} {name} ({} lines, {a:.2})", thousands(*n)),
            _ => format!("{id} ({} lines, {a:.2})", thousands(*n)),
        })
        .collect();
    let more = rows.len().saturating_sub(listed.len());
    Ok(Some(Finding {
        severity: Severity::Info,
        table: "products".into(),
        column: Some("product_id".into()),
        check: "non_merchandise".into(),
        message: format!(
            "{} products are postage, fees or adjustments, not merchandise: {}{}; {} lines \
             worth {total:.2} in all. They are never recommended or given as a reason; change \
             that in the Data panel (the products table's Merchandise tab) or with a products \
             column named merchandise (yes/no).",
            rows.len(),
            listed.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            },
            thousands(lines)
        ),
        count: lines,
        example: rows.first().map(|(id, _, _)| format!("product_id={id}")),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postage_fees_and_internal_codes_are_found() {
        for name in [
            "POSTAGE",
            "DOTCOM POSTAGE",
            "CARRIAGE",
            "Bank Charges",
            "AMAZON FEE",
            "Manual",
            "Discount",
            "SAMPLES",
            "CRUK Commission",
            "Adjust bad debt",
            "Next Day Carriage",
        ] {
            assert!(is_non_merchandise_name(name), "{name}");
        }
        for name in [
            "COFFEE MUG",
            "MANUAL COFFEE GRINDER",
            "FRENCH CARRIAGE LANTERN",
            "BLACK BAROQUE CARRIAGE CLOCK",
            "WHITE HANGING HEART",
            "SAMPLER SET",
            "Feeder",
        ] {
            assert!(!is_non_merchandise_name(name), "{name}");
        }
        let mut ids: Vec<String> = (0..30).map(|i| format!("2{i:04}")).collect();
        ids.extend(["POST", "DOT", "M", "C2"].map(String::from));
        let mut names = vec![Some("LUNCH BAG".to_string()); 30];
        names.extend([None, None, Some("Manual".into()), Some("CARRIAGE".into())]);
        let g = guess(&ids, &names);
        assert_eq!(g.iter().filter(|x| **x).count(), 4, "{g:?}");
        // Word ids (no digits anywhere): an id is no evidence.
        let words: Vec<String> = ["apple", "pear", "plum"].map(String::from).to_vec();
        assert_eq!(guess(&words, &[None, None, None]), [false, false, false]);
        assert_eq!(read_mark("No", true), Some(true));
        assert_eq!(read_mark("1", false), Some(true));
        assert_eq!(read_mark("yes", true), Some(false));
        assert_eq!(read_mark("", true), None);
        let cols = [("Merchandise".to_string(), "TEXT".to_string())];
        assert_eq!(marking_column(&cols), Some(("Merchandise", true)));
    }
}
