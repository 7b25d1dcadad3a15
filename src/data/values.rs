//! Parsing of raw cell values: ids, numbers, booleans and dates.
//!
//! Every parser takes the raw text of one cell and returns `None` when the text is not a value
//! of that kind; blank text is handled by the caller (it is a missing value, not a bad one).

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

/// An id as stored: trimmed text; an integer written as a float (`17850.0`) loses its `.0`;
/// leading zeros are kept. `None` for blank text or text holding a control character.
pub fn parse_id(raw: &str) -> Option<String> {
    let t = raw.trim();
    // An id with a NUL or another control character is not an id (it would not match itself
    // in another file, and it can drive a terminal).
    if t.is_empty() || t.chars().any(char::is_control) {
        return None;
    }
    if let Some((int, frac)) = t.split_once('.') {
        let int_digits = int.strip_prefix('-').unwrap_or(int);
        if !int_digits.is_empty()
            && int_digits.bytes().all(|b| b.is_ascii_digit())
            && !frac.is_empty()
            && frac.bytes().all(|b| b == b'0')
        {
            return Some(int.to_string());
        }
    }
    Some(t.to_string())
}

/// A boolean, the one reading of yes/no text in Tailor: `1`, `yes`, `y`, `true`, `t`, `on`
/// are true and `0`, `no`, `n`, `false`, `f`, `off` false, in any case and trimmed, as is any
/// number equal to 1 or 0 (`1.0`, `01`, `0.00`, `1e0`). `None` for anything else.
pub fn parse_bool(raw: &str) -> Option<bool> {
    const TRUE: [&str; 6] = ["1", "yes", "y", "true", "t", "on"];
    const FALSE: [&str; 6] = ["0", "no", "n", "false", "f", "off"];
    let t = raw.trim();
    if TRUE.iter().any(|w| t.eq_ignore_ascii_case(w)) {
        return Some(true);
    }
    if FALSE.iter().any(|w| t.eq_ignore_ascii_case(w)) {
        return Some(false);
    }
    match t.parse::<f64>() {
        Ok(1.0) => Some(true),
        Ok(0.0) => Some(false),
        _ => None,
    }
}

/// Whether `raw` reads as true ([`parse_bool`]); blank and unknown text are not.
pub fn truthy(raw: &str) -> bool {
    parse_bool(raw) == Some(true)
}

/// The largest magnitude Tailor accepts for a number in the data (an amount, a price, a
/// quantity, a customer attribute): beyond it a value is absurd, and products of such values
/// overflow. Import skips rows holding one (with a count and an example line); a database
/// written by another tool has those transaction rows left out when loaded.
pub const NUMBER_BOUND: f64 = 1e12;

/// Whether `x` is a number Tailor works with: finite and within [`NUMBER_BOUND`].
pub fn within_bound(x: f64) -> bool {
    x.is_finite() && x.abs() <= NUMBER_BOUND
}

/// A whole number. `17.0` counts as 17; `17.5` does not parse.
pub fn parse_int(raw: &str) -> Option<i64> {
    let t = raw.trim();
    if let Ok(v) = t.parse::<i64>() {
        return Some(v);
    }
    let f = parse_real(t)?;
    (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

/// A decimal number: `3.5`, `-2`, `1e3`, `$4.20`, `1,234.5`, or `29,85` (decimal comma).
pub fn parse_real(raw: &str) -> Option<f64> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(v) = t.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    let t = t
        .strip_prefix(['$', '€', '£'])
        .map(str::trim_start)
        .unwrap_or(t);
    let commas = t.matches(',').count();
    let cleaned = if commas == 1 && !t.contains('.') && !t.ends_with(',') {
        // A decimal comma, unless it looks like a thousands group (`1,234`).
        let after = t.rsplit(',').next().unwrap_or("");
        if after.len() == 3 {
            t.replace(',', "")
        } else {
            t.replace(',', ".")
        }
    } else if commas > 0 {
        t.replace(',', "")
    } else {
        t.to_string()
    };
    let v = cleaned.parse::<f64>().ok()?;
    // Reject words like "inf" and "NaN".
    (v.is_finite() && cleaned.bytes().any(|b| b.is_ascii_digit())).then_some(v)
}

/// Whether the text is a number (integer or decimal, plain form only).
pub fn looks_numeric(raw: &str) -> bool {
    let t = raw.trim();
    !t.is_empty()
        && t.bytes().any(|b| b.is_ascii_digit())
        && t.parse::<f64>().is_ok_and(f64::is_finite)
}

/// How to read day/month dates such as `03/04/2011`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// `03/04/2011` is 3 April.
    #[default]
    DayFirst,
    /// `03/04/2011` is 4 March.
    MonthFirst,
}

/// A parsed date or date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParsedDate {
    /// A calendar date without time.
    Date(NaiveDate),
    /// A date with a time of day.
    DateTime(NaiveDateTime),
}

impl ParsedDate {
    /// The ISO-8601 text stored in the database: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`.
    pub fn to_iso(self) -> String {
        match self {
            ParsedDate::Date(d) => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
            ParsedDate::DateTime(dt) => format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                dt.year(),
                dt.month(),
                dt.day(),
                dt.hour(),
                dt.minute(),
                dt.second()
            ),
        }
    }
}

/// Evidence from one value about the day/month order of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEvidence {
    /// Not a day/month form, or both readings are possible (`03/04/2011`).
    None,
    /// Only day-first works (`13/04/2011`).
    DayFirst,
    /// Only month-first works (`04/13/2011`).
    MonthFirst,
}

/// What a day/month value says about the order of its column.
pub fn order_evidence(raw: &str) -> OrderEvidence {
    let Some((a, b, _, _)) = split_day_month(raw.trim()) else {
        return OrderEvidence::None;
    };
    match (a > 12 && a <= 31 && b <= 12, b > 12 && b <= 31 && a <= 12) {
        (true, false) => OrderEvidence::DayFirst,
        (false, true) => OrderEvidence::MonthFirst,
        _ => OrderEvidence::None,
    }
}

/// Splits `A/B/YYYY[ time]` (separators `/`, `.` or `-`) into (A, B, year, rest).
fn split_day_month(t: &str) -> Option<(u32, u32, i32, &str)> {
    let (date, rest) = match t.find([' ', 'T']) {
        Some(i) => (t.get(..i)?, t.get(i + 1..)?.trim()),
        None => (t, ""),
    };
    let sep = date.bytes().find(|b| matches!(b, b'/' | b'.' | b'-'))?;
    let mut parts = date.split(sep as char);
    let a = parts.next()?;
    let b = parts.next()?;
    let y = parts.next()?;
    if parts.next().is_some() || a.len() > 2 || b.len() > 2 || !matches!(y.len(), 2 | 4) {
        return None;
    }
    let a: u32 = a.parse().ok()?;
    let b: u32 = b.parse().ok()?;
    let mut year: i32 = y.parse().ok()?;
    if y.len() == 2 {
        year += if year >= 70 { 1900 } else { 2000 };
    }
    Some((a, b, year, rest))
}

/// Parses a time of day: `HH:MM`, `HH:MM:SS`, `HH:MM:SS.fff`, optionally with AM/PM, a
/// trailing `Z` or a UTC offset (dropped).
fn parse_time(t: &str) -> Option<(u32, u32, u32)> {
    let t = t.trim();
    let lower = t.to_ascii_lowercase();
    let (t, pm) = if let Some(s) = lower.strip_suffix("pm") {
        (s.trim().to_string(), Some(true))
    } else if let Some(s) = lower.strip_suffix("am") {
        (s.trim().to_string(), Some(false))
    } else {
        (lower, None)
    };
    let t = t.trim_end_matches('z');
    // Drop a UTC offset like +01:00 or -0500.
    let t = match t.find(['+', '-']) {
        Some(i) => t.get(..i)?,
        None => t,
    };
    let mut parts = t.split(':');
    let mut h: u32 = parts.next()?.trim().parse().ok()?;
    let m: u32 = parts.next()?.trim().parse().ok()?;
    let s: u32 = match parts.next() {
        Some(s) => {
            let whole = s.split('.').next()?;
            whole.parse().ok()?
        }
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    match pm {
        Some(true) if h < 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    (h < 24 && m < 60 && s < 61).then_some((h, m, s.min(59)))
}

fn with_time(d: NaiveDate, rest: &str) -> Option<ParsedDate> {
    if rest.is_empty() {
        return Some(ParsedDate::Date(d));
    }
    let (h, m, s) = parse_time(rest)?;
    Some(ParsedDate::DateTime(d.and_hms_opt(h, m, s)?))
}

fn parse_iso(t: &str) -> Option<ParsedDate> {
    let b = t.as_bytes();
    if b.len() < 10 {
        return None;
    }
    let sep = *b.get(4)?;
    if !matches!(sep, b'-' | b'/') || *b.get(7)? != sep {
        return None;
    }
    let y: i32 = t.get(0..4)?.parse().ok()?;
    let m: u32 = t.get(5..7)?.parse().ok()?;
    let d: u32 = t.get(8..10)?.parse().ok()?;
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    let rest = t.get(10..)?;
    let rest = rest.strip_prefix(['T', ' ']).unwrap_or(rest);
    if rest.is_empty() || rest.eq_ignore_ascii_case("z") {
        return Some(ParsedDate::Date(date));
    }
    with_time(date, rest)
}

fn parse_compact(t: &str) -> Option<ParsedDate> {
    if t.len() != 8 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = t.get(0..4)?.parse().ok()?;
    if !(1900..=2100).contains(&y) {
        return None;
    }
    let m: u32 = t.get(4..6)?.parse().ok()?;
    let d: u32 = t.get(6..8)?.parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d).map(ParsedDate::Date)
}

/// Unix epoch seconds between 1973 and 2096 (9 or 10 digits, an optional fraction).
fn parse_epoch(t: &str) -> Option<ParsedDate> {
    let int = t.split('.').next()?;
    if !(9..=10).contains(&int.len()) || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: f64 = t.parse().ok()?;
    let dt = chrono::DateTime::from_timestamp(secs.floor() as i64, 0)?;
    Some(ParsedDate::DateTime(dt.naive_utc()))
}

/// Parses a date in any supported form: ISO-8601 (`2011-12-09`, `2011-12-09 08:26:00`,
/// `2011-12-09T08:26:00Z`), day/month (`09/12/2011 8:26`, read with `order`), compact
/// `YYYYMMDD`, or Unix epoch seconds.
pub fn parse_date(raw: &str, order: DateOrder) -> Option<ParsedDate> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(d) = parse_iso(t) {
        return Some(d);
    }
    if let Some(d) = parse_compact(t) {
        return Some(d);
    }
    if let Some(d) = parse_epoch(t) {
        return Some(d);
    }
    let (a, b, y, rest) = split_day_month(t)?;
    let (d, m) = match order {
        DateOrder::DayFirst => (a, b),
        DateOrder::MonthFirst => (b, a),
    };
    with_time(NaiveDate::from_ymd_opt(y, m, d)?, rest)
}

/// Parses a date with an explicit chrono `strftime` format (`--date-format`).
pub fn parse_date_with_format(raw: &str, format: &str) -> Option<ParsedDate> {
    let t = raw.trim();
    if let Ok(dt) = NaiveDateTime::parse_from_str(t, format) {
        return Some(ParsedDate::DateTime(dt));
    }
    NaiveDate::parse_from_str(t, format)
        .ok()
        .map(ParsedDate::Date)
}

/// Whether the text is a date in a form that is unmistakably a date (ISO or day/month; not a
/// bare number, which could be an amount).
pub fn looks_like_date(raw: &str) -> bool {
    let t = raw.trim();
    parse_iso(t).is_some()
        || (split_day_month(t).is_some()
            && parse_date(t, DateOrder::DayFirst)
                .or_else(|| parse_date(t, DateOrder::MonthFirst))
                .is_some())
}

/// Whether the text is a compact `YYYYMMDD` date.
pub fn looks_like_compact_date(raw: &str) -> bool {
    parse_compact(raw.trim()).is_some()
}

/// The SQL type a column of raw values needs: `INTEGER` when every non-blank value is a whole
/// number, `REAL` when every one is a number, else `TEXT` (also for an all-blank column).
pub fn infer_sql_type<'a>(values: impl IntoIterator<Item = &'a str>) -> &'static str {
    let mut any = false;
    let mut all_int = true;
    for v in values {
        let t = v.trim();
        if t.is_empty() {
            continue;
        }
        any = true;
        if !looks_numeric(t) {
            return "TEXT";
        }
        // Leading zeros mark an id or code, which must stay text.
        let digits = t.strip_prefix('-').unwrap_or(t);
        if digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.") {
            return "TEXT";
        }
        if t.parse::<i64>().is_err() {
            all_int = false;
        }
    }
    match (any, all_int) {
        (false, _) => "TEXT",
        (true, true) => "INTEGER",
        (true, false) => "REAL",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(raw: &str, order: DateOrder) -> Option<String> {
        parse_date(raw, order).map(ParsedDate::to_iso)
    }

    #[test]
    fn ids_keep_leading_zeros_and_drop_float_zeros() {
        assert_eq!(parse_id("17850.0").as_deref(), Some("17850"));
        assert_eq!(parse_id(" 00004 ").as_deref(), Some("00004"));
        assert_eq!(parse_id("7590-VHVEG").as_deref(), Some("7590-VHVEG"));
        assert_eq!(parse_id("12.5").as_deref(), Some("12.5"));
        assert_eq!(parse_id("C536379").as_deref(), Some("C536379"));
        assert_eq!(parse_id("  "), None);
    }

    #[test]
    fn booleans_in_any_case() {
        for t in [
            "Yes", "YES", "y", "True", "TRUE", "t", "T", "1", "1.0", " yes ", "on", "ON", "1.00",
            "01", "+1", "1e0",
        ] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
            assert!(truthy(t), "{t}");
        }
        for t in [
            "No", "no", "N", "false", "False", "f", "F", "0", "0.0", "\tno\n", "off", "Off",
            "0.00", "-0", "00",
        ] {
            assert_eq!(parse_bool(t), Some(false), "{t}");
            assert!(!truthy(t), "{t}");
        }
        for t in [
            "maybe", "", "  ", "2", "-1", "0.5", "yess", "nan", "inf", "1,0", "true!",
        ] {
            assert_eq!(parse_bool(t), None, "{t}");
            assert!(!truthy(t), "{t}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_real("2.55"), Some(2.55));
        assert_eq!(parse_real(" -3 "), Some(-3.0));
        assert_eq!(parse_real("$4.20"), Some(4.2));
        assert_eq!(parse_real("1,234.5"), Some(1234.5));
        assert_eq!(parse_real("29,85"), Some(29.85));
        assert_eq!(parse_real("1,234"), Some(1234.0));
        assert_eq!(parse_real("NaN"), None);
        assert_eq!(parse_real("abc"), None);
        assert_eq!(parse_real(" "), None);
        assert_eq!(parse_int("17"), Some(17));
        assert_eq!(parse_int("17.0"), Some(17));
        assert_eq!(parse_int("17.5"), None);
    }

    #[test]
    fn iso_dates_and_times() {
        let d = DateOrder::DayFirst;
        assert_eq!(iso("2011-12-09", d).as_deref(), Some("2011-12-09"));
        assert_eq!(
            iso("2010-12-01 08:26:00", d).as_deref(),
            Some("2010-12-01T08:26:00")
        );
        assert_eq!(
            iso("2010-12-01T08:26:00Z", d).as_deref(),
            Some("2010-12-01T08:26:00")
        );
        assert_eq!(
            iso("2010-12-01T08:26:00.123+01:00", d).as_deref(),
            Some("2010-12-01T08:26:00")
        );
        assert_eq!(
            iso("2010-12-01 8:26", d).as_deref(),
            Some("2010-12-01T08:26:00")
        );
        assert_eq!(iso("2010/12/01", d).as_deref(), Some("2010-12-01"));
        assert_eq!(iso("2010-13-01", d), None);
        assert_eq!(iso("2011-02-30", d), None);
    }

    #[test]
    fn day_month_dates_follow_the_order() {
        use DateOrder::{DayFirst, MonthFirst};
        for (text, order, expect) in [
            ("03/04/2011", DayFirst, Some("2011-04-03")),
            ("03/04/2011", MonthFirst, Some("2011-03-04")),
            ("12/1/2010 8:26", MonthFirst, Some("2010-12-01T08:26:00")),
            ("1.12.2010 08:26 PM", DayFirst, Some("2010-12-01T20:26:00")),
            ("13/04/11", DayFirst, Some("2011-04-13")),
            ("13/04/2011", MonthFirst, None),
        ] {
            assert_eq!(iso(text, order).as_deref(), expect, "{text}");
        }
        for (text, evidence) in [
            ("13/04/2011", OrderEvidence::DayFirst),
            ("04/13/2011 10:00", OrderEvidence::MonthFirst),
            ("03/04/2011", OrderEvidence::None),
            ("2011-04-13", OrderEvidence::None),
        ] {
            assert_eq!(order_evidence(text), evidence, "{text}");
        }
    }

    #[test]
    fn compact_and_epoch_dates() {
        let d = DateOrder::DayFirst;
        assert_eq!(iso("19970101", d).as_deref(), Some("1997-01-01"));
        assert_eq!(iso("19971332", d), None);
        assert_eq!(iso("1291191960", d).as_deref(), Some("2010-12-01T08:26:00"));
        assert_eq!(
            iso("1291191960.5", d).as_deref(),
            Some("2010-12-01T08:26:00")
        );
        assert_eq!(iso("42", d), None);
        assert!(looks_like_compact_date("19970101"));
        assert!(!looks_like_compact_date("29.33"));
    }

    #[test]
    fn explicit_format() {
        assert_eq!(
            parse_date_with_format("01-Dec-2010", "%d-%b-%Y").map(ParsedDate::to_iso),
            Some("2010-12-01".to_string())
        );
        assert_eq!(
            parse_date_with_format("2010.12.01 08:26", "%Y.%m.%d %H:%M").map(ParsedDate::to_iso),
            Some("2010-12-01T08:26:00".to_string())
        );
        assert_eq!(parse_date_with_format("x", "%Y"), None);
    }

    #[test]
    fn sql_types_are_inferred() {
        assert_eq!(infer_sql_type(["1", "2", ""]), "INTEGER");
        assert_eq!(infer_sql_type(["1", "2.5"]), "REAL");
        assert_eq!(infer_sql_type(["1", "x"]), "TEXT");
        assert_eq!(infer_sql_type(["007", "008"]), "TEXT");
        assert_eq!(infer_sql_type(["", " "]), "TEXT");
        assert_eq!(infer_sql_type(["0.5", "0"]), "REAL");
    }
}
