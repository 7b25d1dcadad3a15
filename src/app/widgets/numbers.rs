//! Names as the panels show them: a name with its size, a file-name slug (amounts are
//! [`crate::money::Money`]'s).

use crate::format::thousands;

/// A share from 0 to 1 as people type it: `20%`, `20` or `0.2` are all a fifth.
pub fn parse_share(text: &str) -> Option<f64> {
    let t = text.trim().trim_end_matches('%').trim();
    let v = t.parse::<f64>().ok()?;
    Some(if text.contains('%') || v > 1.0 {
        v / 100.0
    } else {
        v
    })
}

/// A slider over a share from 0 to 1 shown in whole percent (`20%`), typed as a percentage.
pub fn percent_slider(value: &mut f64, range: std::ops::RangeInclusive<f64>) -> egui::Slider<'_> {
    egui::Slider::new(value, range)
        .step_by(0.01)
        .custom_formatter(|x, _| format!("{:.0}%", x * 100.0))
        .custom_parser(parse_share)
}

/// A drag value over a share from 0 to 1 shown in whole percent.
pub fn percent_drag(value: &mut f64) -> egui::DragValue<'_> {
    egui::DragValue::new(value)
        .range(0.0..=1.0)
        .speed(0.01)
        .custom_formatter(|x, _| format!("{:.0}%", x * 100.0))
        .custom_parser(parse_share)
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
    fn shares_read_as_typed() {
        assert_eq!(parse_share("20%"), Some(0.2));
        assert_eq!(parse_share(" 35 "), Some(0.35));
        assert_eq!(parse_share("0.4"), Some(0.4));
        assert_eq!(parse_share("0.5%"), Some(0.005));
        assert_eq!(parse_share("high"), None);
    }

    #[test]
    fn names_and_slugs_read_as_before() {
        assert_eq!(sized("Champions", 1204), "Champions (1,204)");
        assert_eq!(slug("", "High-value loyal"), "high-value-loyal");
        assert_eq!(slug("segment-", "At risk!"), "segment-at-risk");
        assert_eq!(slug("segment-", "—"), "segment");
    }
}
