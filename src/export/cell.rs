//! A value in an audience's extra column and how it is written: text, a number (money rounded
//! to cents, probabilities to 4 decimals, float noise dropped) or blank.

use rusqlite::types::Value;

use crate::files::csv::Field;

/// A value in an extra column.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number (a typed cell in XLSX).
    Number(f64),
    /// Blank.
    Empty,
}

impl Cell {
    /// An amount, rounded to cents (audience files go to other tools, where cents are what
    /// money is); blank when absent or not a number.
    pub fn money(x: Option<f64>) -> Cell {
        Cell::rounded(x, 100.0)
    }

    /// A probability or a rate, rounded to 4 decimals; blank when absent or not a number.
    pub fn probability(x: Option<f64>) -> Cell {
        Cell::rounded(x, 1e4)
    }

    fn rounded(x: Option<f64>, scale: f64) -> Cell {
        match x.filter(|v| v.is_finite()) {
            Some(v) if v.abs() < 1e12 => Cell::Number((v * scale).round() / scale + 0.0),
            Some(v) => Cell::Number(v),
            None => Cell::Empty,
        }
    }
}

pub(super) fn text_of(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Integer(i) => i.to_string(),
        Value::Real(x) => format!("{x}"),
        Value::Text(t) => t.clone(),
        Value::Blob(_) => "(binary)".into(),
    }
}

pub(super) fn cell_of(v: &Value) -> Cell {
    match v {
        Value::Null => Cell::Empty,
        Value::Integer(i) => Cell::Number(*i as f64),
        Value::Real(x) => Cell::Number(*x),
        other => Cell::Text(text_of(other)),
    }
}

pub(super) fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Text(t) => t.clone(),
        Cell::Number(x) => tidy(*x).to_string(),
        Cell::Empty => String::new(),
    }
}

/// A number as written: a whole number without fraction (nor `-0`), a number below a billion
/// rounded to nine decimals, which drops float noise (1293.5500000000002 → 1293.55) and keeps
/// every figure a marketer or a spreadsheet needs.
fn tidy(x: f64) -> f64 {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        x + 0.0
    } else if x.abs() < 1e9 {
        (x * 1e9).round() / 1e9
    } else {
        x
    }
}

pub(super) fn field(c: &Cell) -> Field<'_> {
    match c {
        Cell::Text(t) => Field::Text(t),
        Cell::Number(x) => Field::Number(tidy(*x)),
        Cell::Empty => Field::Empty,
    }
}
