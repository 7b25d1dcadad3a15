//! The open database's settings (`tailor_settings`): the currency amounts are written in and
//! the window's choices. A read-only database keeps what is set for the session.

use std::collections::BTreeMap;

use super::Workspace;
use super::data::DbInfo;
use crate::data::settings::{self, CURRENCY};
use crate::error::Result;
use crate::money::{Currency, Money};

/// The currency amounts are written in, and where it comes from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CurrencyInfo {
    /// How amounts are written.
    pub money: Money,
    /// Whether the user chose it (else it is the data's guess, or none).
    pub chosen: bool,
    /// Where it comes from, in a sentence.
    pub note: String,
}

impl Workspace {
    /// Every setting of the open database, key → JSON text (what was set this session on a
    /// read-only database included).
    pub fn settings(&self) -> Result<BTreeMap<String, String>> {
        let mut all = settings::read_all(self.db()?)?;
        for (key, value) in &self.unsaved_settings {
            match value {
                Some(v) => all.insert(key.clone(), v.clone()),
                None => all.remove(key),
            };
        }
        Ok(all)
    }

    /// Stores a setting (JSON text) with the open database, or removes it (`None`); a
    /// read-only database keeps it for the session.
    pub fn store_setting(&mut self, key: &str, value: Option<&str>) -> Result<()> {
        let db = self.db_mut()?;
        if db.is_read_only() {
            self.unsaved_settings
                .insert(key.to_string(), value.map(str::to_string));
            return Ok(());
        }
        settings::write(db, key, value)
    }

    /// The currency amounts are written in: the one chosen for this database, else the one
    /// the data implies, else plain numbers.
    pub fn currency(&self, stored: &BTreeMap<String, String>) -> Result<CurrencyInfo> {
        if let Some(chosen) = settings::stored_currency(stored) {
            let note = match chosen {
                Some(c) => format!(
                    "Amounts are in {} ({}), as chosen for this database.",
                    c.name, c.code
                ),
                None => "Amounts are plain numbers, as chosen for this database.".to_string(),
            };
            return Ok(CurrencyInfo {
                money: Money::new(chosen),
                chosen: true,
                note,
            });
        }
        Ok(match settings::guess_currency(self.db()?)? {
            Some((c, why)) => CurrencyInfo {
                money: Money::new(Some(c)),
                chosen: false,
                note: format!("Amounts are in {} ({}): {why}.", c.name, c.code),
            },
            None => CurrencyInfo {
                money: Money::default(),
                chosen: false,
                note: "The data does not say its currency: amounts are plain numbers until \
                       one is chosen."
                    .to_string(),
            },
        })
    }

    /// How amounts of the open database are written.
    pub fn money(&self) -> Result<Money> {
        Ok(self.currency(&self.settings()?)?.money)
    }

    /// Chooses the currency of the open database (`None`: plain numbers).
    pub fn set_currency(&mut self, currency: Option<&'static Currency>) -> Result<DbInfo> {
        self.store_setting(CURRENCY, Some(&settings::currency_value(currency)))?;
        self.info()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_currency_is_guessed_then_chosen_and_a_read_only_database_keeps_it_for_the_session() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, country TEXT);
             INSERT INTO customers VALUES ('1', 'Germany');",
        )
        .unwrap();
        drop(conn);
        let mut ws = Workspace::open(&path).unwrap();
        let info = ws.info().unwrap();
        assert_eq!(info.currency.money.code(), Some("EUR"));
        assert!(!info.currency.chosen);
        assert_eq!(
            info.currency.note,
            "Amounts are in euro (EUR): most customers are in Germany."
        );
        let info = ws.set_currency(Currency::from_code("CHF")).unwrap();
        assert_eq!(info.currency.money.code(), Some("CHF"));
        assert!(info.currency.chosen);
        ws.store_setting("window", Some("{}")).unwrap();
        drop(ws);

        // Stored with the database: a new session finds it.
        let mut ws = Workspace::open(&path).unwrap();
        assert_eq!(ws.info().unwrap().currency.money.code(), Some("CHF"));
        assert_eq!(
            ws.settings().unwrap().get("window").map(String::as_str),
            Some("{}")
        );
        let info = ws.set_currency(None).unwrap();
        assert_eq!(info.currency.money, Money::default());
        assert!(info.currency.chosen);
        drop(ws);

        // Read-only: set for the session, the file unchanged.
        let before = std::fs::read(&path).unwrap();
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&path, perms).unwrap();
        let mut ws = Workspace::open(&path).unwrap();
        assert!(ws.db().unwrap().is_read_only());
        let info = ws.set_currency(Currency::from_code("USD")).unwrap();
        assert_eq!(info.currency.money.code(), Some("USD"));
        ws.store_setting("window", None).unwrap();
        assert!(!ws.settings().unwrap().contains_key("window"));
        drop(ws);
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
}
