//! Names as the panels show them: a name with its size, a file-name slug (amounts are
//! [`crate::money::Money`]'s).

use crate::format::thousands;

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
    fn names_and_slugs_read_as_before() {
        assert_eq!(sized("Champions", 1204), "Champions (1,204)");
        assert_eq!(slug("", "High-value loyal"), "high-value-loyal");
        assert_eq!(slug("segment-", "At risk!"), "segment-at-risk");
        assert_eq!(slug("segment-", "—"), "segment");
    }
}
