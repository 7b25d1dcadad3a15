//! What keeps a hostile or broken text file from hurting the import: a bound on a line's length
//! (a compressed file holding one huge field), UTF-16 files (Excel's "Unicode Text") decoded,
//! an unterminated quote found instead of swallowing the rows after it, reserved column names.

use std::io::Read;

use crate::error::{Error, Result};

/// The longest line (or field) read, in bytes.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// The largest UTF-16 file decoded (it is decoded in memory).
pub const MAX_UTF16_BYTES: u64 = 1 << 30;

/// A reader that fails when a line runs longer than [`MAX_LINE_BYTES`], naming the line.
pub struct LineBound<R> {
    inner: R,
    run: usize,
    line: u64,
}

impl<R: Read> LineBound<R> {
    /// Bounds `inner`'s lines.
    pub fn new(inner: R) -> Self {
        LineBound {
            inner,
            run: 0,
            line: 1,
        }
    }
}

impl<R: Read> Read for LineBound<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in buf.iter().take(n) {
            if b == b'\n' {
                self.run = 0;
                self.line += 1;
            } else {
                self.run += 1;
                if self.run > MAX_LINE_BYTES {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!(
                            "line {} is longer than {} MB: not a table Tailor can read",
                            self.line,
                            MAX_LINE_BYTES >> 20
                        ),
                    ));
                }
            }
        }
        Ok(n)
    }
}

/// The UTF-16 encoding of a text file's first bytes: by its byte-order mark, else when most of
/// its even (big-endian) or odd (little-endian) bytes are NUL.
pub fn utf16_of(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    if head.starts_with(&[0xFF, 0xFE]) {
        return Some(encoding_rs::UTF_16LE);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Some(encoding_rs::UTF_16BE);
    }
    let pairs = head.len() / 2;
    if pairs < 4 {
        return None;
    }
    let zeros = |offset: usize| {
        head.iter()
            .skip(offset)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (zeros(0), zeros(1));
    if odd * 10 >= pairs * 9 && even * 10 < pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even * 10 >= pairs * 9 && odd * 10 < pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Decodes a whole UTF-16 file (`head`, then the rest of `rest`) to UTF-8 bytes.
pub fn decode_utf16(
    encoding: &'static encoding_rs::Encoding,
    head: Vec<u8>,
    rest: &mut dyn Read,
    path: &std::path::Path,
) -> Result<Vec<u8>> {
    let mut all = head;
    rest.take(MAX_UTF16_BYTES)
        .read_to_end(&mut all)
        .map_err(Error::io(path))?;
    if all.len() as u64 >= MAX_UTF16_BYTES {
        return Err(Error::Invalid(format!(
            "a UTF-16 file over 1 GB: save it as UTF-8 CSV and import that: {}",
            path.display()
        )));
    }
    let (text, _, _) = encoding.decode(&all);
    Ok(text.into_owned().into_bytes())
}

/// Whether a field holds rows an unterminated quote swallowed: a line inside it (after its
/// first) with as many separators as a row of `columns` columns has.
pub fn swallows_rows(field: &[u8], separator: u8, columns: usize) -> bool {
    let needed = columns.max(2) - 1;
    field
        .split(|&b| b == b'\n')
        .skip(1)
        .any(|line| line.iter().filter(|&&b| b == separator).count() >= needed)
}

/// SQLite's names for a row's id: a column called so would shadow it.
const RESERVED: [&str; 3] = ["rowid", "oid", "_rowid_"];

/// `name`, renamed (`rowid_`) when SQLite reserves it, with a note saying so.
pub fn unreserved(name: String) -> (String, Option<String>) {
    if RESERVED.iter().any(|r| name.eq_ignore_ascii_case(r)) {
        let renamed = format!("{name}_");
        let note = format!("column {name} renamed {renamed}: SQLite reserves the name");
        (renamed, Some(note))
    } else {
        (name, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fail_with_their_number() {
        let mut text = b"a,b\n1,2\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 1));
        let mut out = Vec::new();
        let e = LineBound::new(&text[..]).read_to_end(&mut out).unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
    }

    #[test]
    fn utf16_is_recognised_with_or_without_a_mark() {
        let le: Vec<u8> = "id,name\n1,Zoë\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(utf16_of(&le), Some(encoding_rs::UTF_16LE));
        let mut marked = vec![0xFF, 0xFE];
        marked.extend(&le);
        assert_eq!(utf16_of(&marked), Some(encoding_rs::UTF_16LE));
        let be: Vec<u8> = "id,name\n1,Zoë\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(utf16_of(&be), Some(encoding_rs::UTF_16BE));
        assert_eq!(utf16_of(b"id,name\n1,Zoe\n"), None);
        let bytes = decode_utf16(
            encoding_rs::UTF_16LE,
            marked,
            &mut std::io::empty(),
            std::path::Path::new("x"),
        )
        .unwrap();
        assert_eq!(String::from_utf8(bytes).unwrap(), "id,name\n1,Zoë\n");
    }

    #[test]
    fn swallowed_rows_and_reserved_names() {
        assert!(swallows_rows(b"oops\n2,b,c\n3,d,e", b',', 3));
        assert!(!swallows_rows(b"12 High Street\nLeeds", b',', 3));
        assert_eq!(unreserved("ROWID".into()).0, "ROWID_");
        assert!(unreserved("region".into()).1.is_none());
    }
}
