//! Parsing of raw cell values: ids, numbers, booleans and dates.
