//! Numbers for people: thousands separators, percentages with one decimal, byte sizes.

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1 row`, `9,288 rows`: a count with its noun, plural when it is not one.
pub fn count(n: u64, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {singular}")
    } else {
        format!("{} {plural}", thousands(n))
    }
}

/// A signed integer with thousands separators.
pub fn thousands_i(n: i64) -> String {
    if n < 0 {
        format!("-{}", thousands(n.unsigned_abs()))
    } else {
        thousands(n.unsigned_abs())
    }
}

/// `0.1234` → `12.3%`.
pub fn percent(fraction: f64) -> String {
    format!("{:.1}%", fraction * 100.0)
}

/// A group's share of revenue, `32.0%`; a group whose returns exceed its purchases has no
/// share to speak of: `net returns`, never a negative percentage.
pub fn revenue_share(fraction: f64) -> String {
    if fraction < 0.0 {
        "net returns".to_string()
    } else {
        percent(fraction)
    }
}

/// `5_300_000` → `5.1 MB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KB", "MB", "GB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} bytes")
    } else {
        format!("{v:.1} {}", UNITS.get(unit).copied().unwrap_or("GB"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_for_people() {
        // A revenue share is never negative.
        assert_eq!(revenue_share(0.32), "32.0%");
        assert_eq!(revenue_share(-0.002), "net returns");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(541_909), "541,909");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands_i(-9288), "-9,288");
        assert_eq!(count(1, "row", "rows"), "1 row");
        assert_eq!(count(9288, "row", "rows"), "9,288 rows");
        assert_eq!(percent(0.2654), "26.5%");
        assert_eq!(bytes(512), "512 bytes");
        assert_eq!(bytes(5 * 1024 * 1024 + 100), "5.0 MB");
    }
}
