//! Personal data by content: a column whose values look like email addresses, phone numbers,
//! IBANs, payment card numbers (Luhn) or dates of birth is personal data whatever its name or
//! role. The privacy guard and the `Dataset` use this beside the roles, so `--role
//! email=feature` or a column called `contact` cannot carry personal data into a model or a file.

/// What a column's values look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalKind {
    /// `someone@example.org`.
    Email,
    /// `+44 20 7946 0958`, `(020) 7946-0958`.
    Phone,
    /// `GB82 WEST 1234 5698 7654 32` (checked by its mod-97 digits).
    Iban,
    /// 13 to 19 digits passing the Luhn check.
    Card,
    /// Dates at least 16 years back, spread over decades.
    DateOfBirth,
}

impl PersonalKind {
    /// What the column holds, for the export's note ("holds email addresses").
    pub fn describe(self) -> &'static str {
        match self {
            PersonalKind::Email => "email addresses",
            PersonalKind::Phone => "phone numbers",
            PersonalKind::Iban => "bank account numbers (IBAN)",
            PersonalKind::Card => "payment card numbers",
            PersonalKind::DateOfBirth => "dates of birth",
        }
    }
}

/// Values looked at per column (the first non-blank ones).
pub const SAMPLE: usize = 1000;

/// Share of the non-blank values that must look personal.
const SHARE: f64 = 0.8;

/// Whether `s` looks like an email address: one `@`, something before it, a dotted domain.
pub fn looks_email(s: &str) -> bool {
    let s = s.trim();
    let Some((user, domain)) = s.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && !domain.contains('@')
        && !s.contains(char::is_whitespace)
        && domain.split('.').filter(|p| !p.is_empty()).count() >= 2
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// Whether `s` looks like a phone number: 9 to 15 digits written with a leading `+`, a leading
/// 0, brackets or separators between groups — not a plain amount or a bare number.
pub fn looks_phone(s: &str) -> bool {
    let s = s.trim();
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    {
        return false;
    }
    let digits = s.chars().filter(char::is_ascii_digit).count();
    if !(9..=15).contains(&digits) || s.matches('+').count() > 1 {
        return false;
    }
    let grouped = s.contains([' ', '-', '(']);
    let plus = s.starts_with('+');
    let trunk = s.starts_with('0') && !s.contains('.');
    plus || trunk || grouped && !looks_decimal(s)
}

/// A number with a decimal point (an amount, not a phone).
fn looks_decimal(s: &str) -> bool {
    s.matches('.').count() == 1 && !s.contains([' ', '-', '(', '+'])
}

/// Whether `s` is an IBAN: a country code, two check digits and 11 to 30 letters or digits
/// (spaces allowed), whose mod-97 remainder is 1.
pub fn looks_iban(s: &str) -> bool {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let b = compact.as_bytes();
    if !(15..=34).contains(&b.len())
        || !b.iter().take(2).all(u8::is_ascii_alphabetic)
        || !b.iter().skip(2).take(2).all(u8::is_ascii_digit)
        || !b.iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    let moved = b.iter().skip(4).chain(b.iter().take(4));
    let mut rem: u32 = 0;
    for &c in moved {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c.to_ascii_uppercase() - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// Whether `s` is a payment card number: 13 to 19 digits (spaces or dashes between groups)
/// passing the Luhn check, not all the same digit.
pub fn looks_card(s: &str) -> bool {
    let s = s.trim();
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
    {
        return false;
    }
    let digits: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) || digits.windows(2).all(|w| w[0] == w[1]) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The year of an ISO-like date (`1984-03-07`, `1984/03/07`, `07/03/1984`), if it is one.
fn date_year(s: &str) -> Option<i32> {
    let s = s.trim();
    let head: String = s.chars().take(10).collect();
    let parts: Vec<&str> = head.split(['-', '/', '.']).collect();
    if parts.len() != 3 || !parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let year = parts
        .iter()
        .find(|p| p.len() == 4)
        .and_then(|p| p.parse().ok())?;
    (1850..=2100).contains(&year).then_some(year)
}

/// What the non-blank values of a column look like, when at least 80% of them (and at least
/// three) look like one kind of personal data. `this_year` dates the dates of birth.
pub fn classify<'a>(
    values: impl IntoIterator<Item = &'a str>,
    this_year: i32,
) -> Option<PersonalKind> {
    let mut n = 0usize;
    let mut counts = [0usize; 4];
    let mut years: Vec<i32> = Vec::new();
    for v in values
        .into_iter()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .take(SAMPLE)
    {
        n += 1;
        for (k, test) in [looks_email, looks_iban, looks_card, looks_phone]
            .iter()
            .enumerate()
        {
            if test(v) {
                if let Some(c) = counts.get_mut(k) {
                    *c += 1;
                }
                break;
            }
        }
        if let Some(y) = date_year(v) {
            years.push(y);
        }
    }
    if n < 3 {
        return None;
    }
    let enough = |c: usize| c as f64 >= SHARE * n as f64;
    let kinds = [
        PersonalKind::Email,
        PersonalKind::Iban,
        PersonalKind::Card,
        PersonalKind::Phone,
    ];
    if let Some((kind, _)) = kinds.iter().zip(counts).find(|(_, c)| enough(*c)) {
        return Some(*kind);
    }
    // Dates of birth: dates, nearly all at least 16 years back, spread over 15 years or more.
    let adult = years.iter().filter(|&&y| y <= this_year - 16).count();
    let (lo, hi) = (
        years.iter().copied().min().unwrap_or(0),
        years.iter().copied().max().unwrap_or(0),
    );
    (enough(years.len()) && enough(adult) && hi - lo >= 15).then_some(PersonalKind::DateOfBirth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_recognised() {
        for e in ["a@b.co", "Ann.Lee+news@mail.example.org"] {
            assert!(looks_email(e), "{e}");
        }
        for e in ["@b.co", "a@b", "a b@c.de", "a@@b.de", "x@.de"] {
            assert!(!looks_email(e), "{e}");
        }
        for p in [
            "+44 20 7946 0958",
            "(020) 7946-0958",
            "07700 900123",
            "0049301234567",
        ] {
            assert!(looks_phone(p), "{p}");
        }
        for p in ["123456789", "1234.56", "12", "2023-06-01", "1e9"] {
            assert!(!looks_phone(p), "{p}");
        }
        assert!(looks_iban("GB82 WEST 1234 5698 7654 32"));
        assert!(looks_iban("DE89370400440532013000"));
        assert!(!looks_iban("GB82 WEST 1234 5698 7654 33"));
        assert!(looks_card("4111 1111 1111 1111"));
        assert!(looks_card("5555-5555-5555-4444"));
        assert!(!looks_card("4111 1111 1111 1112"));
        assert!(!looks_card("0000000000000000"));
    }

    #[test]
    fn columns_are_classified_by_most_of_their_values() {
        let emails = ["a@x.org", "b@y.com", "", "c@z.net", "not given"];
        assert_eq!(classify(emails, 2026), None, "3 of 4 is under 80%");
        let emails = ["a@x.org", "b@y.com", "", "c@z.net", "d@w.io"];
        assert_eq!(classify(emails, 2026), Some(PersonalKind::Email));
        let dob = ["1961-04-02", "1984-11-30", "1990-01-05", "1975-07-19"];
        assert_eq!(classify(dob, 2026), Some(PersonalKind::DateOfBirth));
        let signup = ["2019-04-02", "2021-11-30", "2022-01-05", "2023-07-19"];
        assert_eq!(classify(signup, 2026), None);
        let regions = ["North", "South", "East", "West"];
        assert_eq!(classify(regions, 2026), None);
        let amounts = ["12.50", "1234567.89", "99.99", "5"];
        assert_eq!(classify(amounts, 2026), None);
        let cards = ["4111 1111 1111 1111", "5555555555554444", "378282246310005"];
        assert_eq!(classify(cards, 2026), Some(PersonalKind::Card));
    }
}
