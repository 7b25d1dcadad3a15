//! Numbers and names as the panels show them: money, a name with its size, a file-name slug.

use crate::format::{thousands, thousands_i};

/// Whole money units with thousands separators, `-1,234`; beyond 10¹⁵ in scientific notation.
pub fn money(v: f64) -> String {
    let whole = v.round();
    if whole.abs() < 1e15 {
        thousands_i(whole as i64)
    } else {
        format!("{v:.3e}")
    }
}

/// Money with cents: `1234.5` → `1,234.50`.
pub fn money_cents(v: f64) -> String {
    let sign = if v < 0.0 { "-" } else { "" };
    let cents = (v.abs() * 100.0).round() as u64;
    format!("{sign}{}.{:02}", thousands(cents / 100), cents % 100)
}

/// A name with its size: `Champions (1,204)`.
pub fn sized(name: &str, size: usize) -> String {
    format!("{name} ({})", thousands(size as u64))
}

/// A file-name part from a name, `prefix` before it: "High-value loyal" → "high-value-loyal";
/// "segment" when the name has no letter or digit.
pub fn slug(prefix: &str, name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if s.is_empty() {
        "segment".to_string()
    } else {
        format!("{prefix}{s}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_slugs_read_as_before() {
        assert_eq!(money(1234.4), "1,234");
        assert_eq!(money(-1234.6), "-1,235");
        assert_eq!(money(2e15), "2.000e15");
        assert_eq!(money_cents(1234.5), "1,234.50");
        assert_eq!(money_cents(-0.125), "-0.13");
        assert_eq!(sized("Champions", 1204), "Champions (1,204)");
        assert_eq!(slug("", "High-value loyal"), "high-value-loyal");
        assert_eq!(slug("segment-", "At risk!"), "segment-at-risk");
        assert_eq!(slug("segment-", "—"), "segment");
    }
}
