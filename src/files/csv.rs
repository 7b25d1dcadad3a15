//! The one CSV writer: every CSV Tailor writes (exports, run outputs, feature dumps, the
//! sample's types file) renders its rows here, so every file quotes and neutralises alike.
//!
//! - Quoting follows RFC 4180: a field holding a comma, a double quote, CR or LF is put in double
//!   quotes, its double quotes doubled; rows end in LF.
//! - Text that a spreadsheet would run as a formula is neutralised the way OWASP recommends: a
//!   text field starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`
//!   (and is then quoted if it needs to be). Numbers are written as numbers and never prefixed,
//!   so `-3.5` stays `-3.5`: the caller says which fields are numbers ([`Field::Number`]).

use std::borrow::Cow;
use std::io::Write;

/// One field of a CSV row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Field<'a> {
    /// Text (ids, names, labels, headers): neutralised and quoted as needed.
    Text(&'a str),
    /// A number, in Rust's shortest form that reads back the same (`-3.5`, `2`); never
    /// prefixed or quoted. A value that is not finite is written blank, never `NaN`.
    Number(f64),
    /// A blank field.
    Empty,
}

/// The characters that make a spreadsheet read a text cell as a formula when they come first.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `s` as a CSV text field: a leading `'` when it starts like a formula, then in double quotes
/// (inner quotes doubled) when it holds a comma, a double quote, CR or LF.
pub fn text(s: &str) -> Cow<'_, str> {
    let neutral: Cow<'_, str> = if s.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    };
    if neutral.contains([',', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", neutral.replace('"', "\"\"")))
    } else {
        neutral
    }
}

/// Appends `field` as written in a CSV file to `out`.
fn push_field(out: &mut String, field: Field<'_>) {
    match field {
        Field::Text(s) => out.push_str(&text(s)),
        Field::Number(x) if x.is_finite() => out.push_str(&x.to_string()),
        Field::Number(_) | Field::Empty => {}
    }
}

/// `fields` as one CSV line, separated by commas and ended by LF.
pub fn row<'a>(fields: impl IntoIterator<Item = Field<'a>>) -> String {
    let mut line = String::new();
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_field(&mut line, field);
    }
    line.push('\n');
    line
}

/// Writes `fields` as one CSV line (see [`row`]).
pub fn write_row<'a>(
    w: &mut impl Write,
    fields: impl IntoIterator<Item = Field<'a>>,
) -> std::io::Result<()> {
    w.write_all(row(fields).as_bytes())
}

/// Writes a header line: every name as a text field.
pub fn write_header<S: AsRef<str>>(w: &mut impl Write, names: &[S]) -> std::io::Result<()> {
    write_row(w, names.iter().map(|n| Field::Text(n.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_are_neutralised_then_quoted() {
        let cases = [
            // Formulas get a leading quote, then RFC 4180 quoting where needed.
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("=1+2", "'=1+2"),
            ("+1", "'+1"),
            ("-x", "'-x"),
            ("-1.5", "'-1.5"),
            ("@a", "'@a"),
            ("\tA", "'\tA"),
            ("\rA", "\"'\rA\""),
            ("=a,b", "\"'=a,b\""),
            // Plain text is unchanged; separators, quotes and line breaks are quoted.
            ("Mug 1", "Mug 1"),
            ("a=b", "a=b"),
            (" =x", " =x"),
            ("", ""),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("cr\rhere", "\"cr\rhere\""),
        ];
        for (raw, written) in cases {
            assert_eq!(text(raw), written, "{raw:?}");
        }
    }

    #[test]
    fn numbers_are_never_prefixed_and_rows_join_with_commas() {
        assert_eq!(row([Field::Number(-1.5)]), "-1.5\n");
        assert_eq!(
            row([
                Field::Number(-3.0),
                Field::Number(0.25),
                Field::Number(12.0)
            ]),
            "-3,0.25,12\n"
        );
        assert_eq!(
            row([Field::Number(f64::NAN), Field::Number(f64::NEG_INFINITY)]),
            ",\n"
        );
        let line = row([
            Field::Text("C1"),
            Field::Number(2.0),
            Field::Empty,
            Field::Text("-risky"),
            Field::Text("a,b"),
        ]);
        assert_eq!(line, "C1,2,,'-risky,\"a,b\"\n");
        let mut out = Vec::new();
        write_header(&mut out, &["customer_id", "type"]).unwrap();
        write_row(&mut out, [Field::Text("C2"), Field::Text("loyal")]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "customer_id,type\nC2,loyal\n"
        );
    }
}
