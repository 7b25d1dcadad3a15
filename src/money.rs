//! Amounts for people: a database's currency (ISO 4217 code and the symbol amounts are written
//! with) and [`Money`], which writes amounts in it, or as plain numbers when none is known.

use crate::format::{thousands, thousands_i};

/// A currency Tailor can write amounts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    /// ISO 4217 code: `GBP`.
    pub code: &'static str,
    /// What an amount starts with: `£`, or the code and a space where no symbol is common.
    pub symbol: &'static str,
    /// Its name for people: `pound sterling`.
    pub name: &'static str,
    /// Digits after the decimal point in a price (0 for the yen).
    pub decimals: u8,
}

const fn currency(code: &'static str, symbol: &'static str, name: &'static str) -> Currency {
    Currency {
        code,
        symbol,
        name,
        decimals: 2,
    }
}

/// The currencies offered, most used first.
pub static CURRENCIES: [Currency; 20] = [
    currency("GBP", "£", "pound sterling"),
    currency("EUR", "€", "euro"),
    currency("USD", "$", "US dollar"),
    Currency {
        decimals: 0,
        ..currency("JPY", "¥", "Japanese yen")
    },
    currency("CAD", "CA$", "Canadian dollar"),
    currency("AUD", "A$", "Australian dollar"),
    currency("NZD", "NZ$", "New Zealand dollar"),
    currency("CHF", "CHF ", "Swiss franc"),
    currency("SEK", "SEK ", "Swedish krona"),
    currency("NOK", "NOK ", "Norwegian krone"),
    currency("DKK", "DKK ", "Danish krone"),
    currency("PLN", "PLN ", "Polish złoty"),
    currency("CZK", "CZK ", "Czech koruna"),
    currency("INR", "INR ", "Indian rupee"),
    currency("CNY", "CN¥", "Chinese yuan"),
    currency("HKD", "HK$", "Hong Kong dollar"),
    currency("SGD", "S$", "Singapore dollar"),
    currency("BRL", "R$", "Brazilian real"),
    currency("MXN", "MX$", "Mexican peso"),
    currency("ZAR", "ZAR ", "South African rand"),
];

/// Countries (as data sets write them) and their currency's code.
const COUNTRIES: [(&str, &str); 48] = [
    ("united kingdom", "GBP"),
    ("uk", "GBP"),
    ("great britain", "GBP"),
    ("england", "GBP"),
    ("scotland", "GBP"),
    ("wales", "GBP"),
    ("northern ireland", "GBP"),
    ("channel islands", "GBP"),
    ("united states", "USD"),
    ("united states of america", "USD"),
    ("usa", "USD"),
    ("us", "USD"),
    ("germany", "EUR"),
    ("france", "EUR"),
    ("spain", "EUR"),
    ("italy", "EUR"),
    ("netherlands", "EUR"),
    ("belgium", "EUR"),
    ("austria", "EUR"),
    ("portugal", "EUR"),
    ("ireland", "EUR"),
    ("eire", "EUR"),
    ("finland", "EUR"),
    ("greece", "EUR"),
    ("luxembourg", "EUR"),
    ("japan", "JPY"),
    ("canada", "CAD"),
    ("australia", "AUD"),
    ("new zealand", "NZD"),
    ("switzerland", "CHF"),
    ("sweden", "SEK"),
    ("norway", "NOK"),
    ("denmark", "DKK"),
    ("poland", "PLN"),
    ("czech republic", "CZK"),
    ("czechia", "CZK"),
    ("india", "INR"),
    ("china", "CNY"),
    ("hong kong", "HKD"),
    ("singapore", "SGD"),
    ("brazil", "BRL"),
    ("mexico", "MXN"),
    ("south africa", "ZAR"),
    ("rsa", "ZAR"),
    ("estonia", "EUR"),
    ("latvia", "EUR"),
    ("lithuania", "EUR"),
    ("slovakia", "EUR"),
];

impl Currency {
    /// The currency with `code` (any case, surrounding spaces ignored).
    pub fn from_code(code: &str) -> Option<&'static Currency> {
        let code = code.trim();
        CURRENCIES
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code))
    }

    /// The currency of a country as data sets name it ("United Kingdom", "USA", "EIRE").
    pub fn of_country(country: &str) -> Option<&'static Currency> {
        let country = country.trim().to_lowercase();
        COUNTRIES
            .iter()
            .find(|(name, _)| *name == country)
            .and_then(|(_, code)| Currency::from_code(code))
    }

    /// How a picker shows it: `£ GBP, pound sterling`.
    pub fn label(&self) -> String {
        let symbol = self.symbol.trim();
        if symbol == self.code {
            format!("{}, {}", self.code, self.name)
        } else {
            format!("{symbol} {}, {}", self.code, self.name)
        }
    }
}

/// How amounts are written: in a currency, or as plain numbers when none is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Money {
    /// The currency (`None`: plain numbers).
    pub currency: Option<&'static Currency>,
}

impl Money {
    /// Amounts in `currency` (`None`: plain numbers).
    pub fn new(currency: Option<&'static Currency>) -> Money {
        Money { currency }
    }

    fn with_symbol(&self, negative: bool, digits: String) -> String {
        let sign = if negative { "-" } else { "" };
        let symbol = self.currency.map_or("", |c| c.symbol);
        format!("{sign}{symbol}{digits}")
    }

    /// A whole amount: `£1,235`, `-£12`; beyond 10¹⁵ in scientific notation.
    pub fn whole(&self, v: f64) -> String {
        let whole = v.round();
        if !whole.is_finite() || whole.abs() >= 1e15 {
            return self.with_symbol(v < 0.0, format!("{:.3e}", v.abs()));
        }
        let digits = thousands_i(whole.abs() as i64);
        self.with_symbol(whole < 0.0, digits)
    }

    /// An amount with its cents (none for a currency without them): `£1,234.50`.
    pub fn cents(&self, v: f64) -> String {
        if self.currency.is_some_and(|c| c.decimals == 0) {
            return self.whole(v);
        }
        if !v.is_finite() || v.abs() >= 1e13 {
            return self.whole(v);
        }
        let cents = (v.abs() * 100.0).round() as u64;
        let negative = v < 0.0 && cents > 0;
        self.with_symbol(
            negative,
            format!("{}.{:02}", thousands(cents / 100), cents % 100),
        )
    }

    /// A short amount for a card: `£2.70M`, `£845K`, `£9,120`.
    pub fn compact(&self, v: f64) -> String {
        let a = v.abs();
        let (scaled, suffix) = if a >= 1e9 {
            (v / 1e9, "B")
        } else if a >= 1e6 {
            (v / 1e6, "M")
        } else if a >= 1e5 {
            (v / 1e3, "K")
        } else {
            return self.whole(v);
        };
        if !scaled.is_finite() || scaled.abs() >= 1e6 {
            return self.whole(v);
        }
        let digits = if scaled.abs() >= 100.0 {
            format!("{:.0}{suffix}", scaled.abs())
        } else {
            format!("{:.2}{suffix}", scaled.abs())
        };
        self.with_symbol(v < 0.0, digits)
    }

    /// A column or axis title with the unit: `Revenue (£)`; just `Revenue` without a currency.
    pub fn titled(&self, what: &str) -> String {
        match self.currency {
            Some(c) => format!("{what} ({})", c.symbol.trim()),
            None => what.to_string(),
        }
    }

    /// The currency's code, for files and reports (`None`: plain numbers).
    pub fn code(&self) -> Option<&'static str> {
        self.currency.map(|c| c.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_carry_the_currency_or_none() {
        let gbp = Money::new(Currency::from_code("gbp"));
        assert_eq!(gbp.whole(1234.4), "£1,234");
        assert_eq!(gbp.whole(-1234.6), "-£1,235");
        assert_eq!(gbp.cents(1234.5), "£1,234.50");
        assert_eq!(gbp.cents(-0.125), "-£0.13");
        assert_eq!(gbp.cents(-0.001), "£0.00");
        assert_eq!(gbp.whole(2e15), "£2.000e15");
        assert_eq!(gbp.titled("Revenue"), "Revenue (£)");
        assert_eq!(gbp.compact(2_696_411.0), "£2.70M");
        assert_eq!(gbp.compact(845_200.0), "£845K");
        assert_eq!(gbp.compact(-9120.4), "-£9,120");
        assert_eq!(gbp.compact(3.2e9), "£3.20B");
        let chf = Money::new(Currency::from_code("CHF"));
        assert_eq!(chf.whole(1500.0), "CHF 1,500");
        assert_eq!(chf.titled("Value"), "Value (CHF)");
        let yen = Money::new(Currency::from_code("JPY"));
        assert_eq!(yen.cents(1234.5), "¥1,235");
        let plain = Money::default();
        assert_eq!(plain.whole(1234.4), "1,234");
        assert_eq!(plain.cents(1234.5), "1,234.50");
        assert_eq!(plain.titled("Revenue"), "Revenue");
        assert_eq!(plain.whole(f64::NAN), "NaN");
    }

    #[test]
    fn countries_and_codes_name_currencies() {
        assert_eq!(Currency::of_country("United Kingdom").unwrap().code, "GBP");
        assert_eq!(Currency::of_country(" EIRE ").unwrap().code, "EUR");
        assert_eq!(Currency::of_country("USA").unwrap().code, "USD");
        assert!(Currency::of_country("Unspecified").is_none());
        assert!(Currency::from_code("XYZ").is_none());
        assert_eq!(
            Currency::from_code("usd").unwrap().label(),
            "$ USD, US dollar"
        );
        assert_eq!(
            Currency::from_code("SEK").unwrap().label(),
            "SEK, Swedish krona"
        );
        for c in &CURRENCIES {
            assert_eq!(Currency::from_code(c.code), Some(c));
        }
        for (_, code) in COUNTRIES {
            assert!(Currency::from_code(code).is_some(), "{code}");
        }
    }
}
