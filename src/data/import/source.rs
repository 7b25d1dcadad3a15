//! Reading a file as rows of text fields: CSV with any delimiter (sniffed), whitespace-separated
//! text, gzip-compressed text, and spreadsheets (first sheet). Text files are streamed; only the
//! first rows are buffered to sniff the header and the column types.

use std::cell::Cell;
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::rc::Rc;

use super::guard;
use crate::data::values;
use crate::error::{Error, Result};

/// How many bytes of a text file are used to sniff its delimiter.
const SNIFF_BYTES: usize = 64 * 1024;
/// How many rows are buffered for guessing the columns' meaning and types.
const SAMPLE_ROWS: usize = 2000;

/// The field separator of a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separator {
    /// One byte: `,`, `;`, tab, `|` or any other.
    Byte(u8),
    /// Runs of spaces and tabs.
    Whitespace,
}

impl Separator {
    /// A short description for the summary.
    pub fn describe(self) -> String {
        match self {
            Separator::Byte(b',') => "comma-separated".into(),
            Separator::Byte(b';') => "semicolon-separated".into(),
            Separator::Byte(b'\t') => "tab-separated".into(),
            Separator::Byte(b'|') => "pipe-separated".into(),
            Separator::Byte(b) => format!("separated by '{}'", b as char),
            Separator::Whitespace => "whitespace-separated".into(),
        }
    }

    fn join(self) -> &'static str {
        match self {
            Separator::Byte(b';') => ";",
            Separator::Byte(b'\t') => "\t",
            Separator::Byte(b'|') => "|",
            Separator::Whitespace => " ",
            Separator::Byte(_) => ",",
        }
    }
}

/// Decodes one field: UTF-8, or Windows-1252 when it is not valid UTF-8.
pub fn decode_into(bytes: &[u8], out: &mut String) {
    out.clear();
    match std::str::from_utf8(bytes) {
        Ok(s) => out.push_str(s),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            out.push_str(&text);
        }
    }
}

fn set_fields<'a>(out: &mut Vec<String>, fields: impl Iterator<Item = &'a [u8]>) {
    let mut n = 0;
    for f in fields {
        if let Some(slot) = out.get_mut(n) {
            decode_into(f, slot);
        } else {
            let mut s = String::new();
            decode_into(f, &mut s);
            out.push(s);
        }
        n += 1;
    }
    out.truncate(n);
}

/// A reader that counts the bytes read from the file (for progress).
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

enum Inner {
    Csv(Box<csv::Reader<Box<dyn Read>>>, csv::ByteRecord, u8),
    Lines {
        reader: BufReader<Box<dyn Read>>,
        buf: Vec<u8>,
        line: u64,
    },
    Sheet {
        rows: std::vec::IntoIter<Vec<String>>,
        row: u64,
    },
}

/// Rows of a file, read one at a time.
pub struct Source {
    /// Column names: the header's (a typed header `user_id:token` gives `user_id`), or
    /// `col1..colN` when the file has none.
    pub columns: Vec<String>,
    /// Whether the first row was a header.
    pub has_header: bool,
    /// The first data rows, as (line, fields).
    pub sample: Vec<(u64, Vec<String>)>,
    /// How the file was read ("comma-separated", "spreadsheet", ...).
    pub format: String,
    /// The separator used to show a row as text.
    separator: Separator,
    inner: Inner,
    sample_pos: usize,
    bytes_read: Rc<Cell<u64>>,
    /// Size of the file on disk.
    pub file_size: u64,
    /// What reading changed (a reserved column name renamed).
    pub notes: Vec<String>,
}

fn is_spreadsheet(path: &Path, magic: &[u8]) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods")
        || magic.starts_with(b"PK\x03\x04")
        || magic.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

fn read_head(reader: &mut dyn Read, limit: usize) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(limit.min(1 << 20));
    reader.take(limit as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Counts fields of a line split by `delim`, ignoring delimiters inside double quotes.
fn count_fields(line: &str, delim: u8) -> usize {
    let mut in_quotes = false;
    let mut n = 1;
    for b in line.bytes() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == delim && !in_quotes {
            n += 1;
        }
    }
    n
}

/// Sniffs the separator from the first lines of a text file.
pub fn sniff_separator(head: &str, complete: bool) -> Separator {
    let mut lines: Vec<&str> = head.split('\n').collect();
    if !complete && lines.len() > 1 {
        lines.pop();
    }
    let lines: Vec<&str> = lines
        .into_iter()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty())
        .take(50)
        .collect();
    let Some(first) = lines.first() else {
        return Separator::Byte(b',');
    };
    let mut best: Option<(u8, usize)> = None;
    for delim in [b',', b';', b'\t', b'|'] {
        let n = count_fields(first, delim);
        if n < 2 {
            continue;
        }
        let same = lines.iter().filter(|l| count_fields(l, delim) == n).count();
        if same * 10 < lines.len() * 9 {
            continue;
        }
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((delim, n));
        }
    }
    if let Some((d, _)) = best {
        return Separator::Byte(d);
    }
    let n = first.split_whitespace().count();
    if n >= 2
        && lines
            .iter()
            .filter(|l| l.split_whitespace().count() == n)
            .count()
            * 10
            >= lines.len() * 9
    {
        return Separator::Whitespace;
    }
    Separator::Byte(b',')
}

/// Whether a first row is a header: it has a non-blank field and none that is a number or a
/// date.
pub fn looks_like_header(first: &[String]) -> bool {
    first.iter().any(|f| !f.trim().is_empty())
        && first.iter().all(|f| {
            let t = f.trim();
            !values::looks_numeric(t) && !values::looks_like_date(t)
        })
}

/// A header cell as a column name: trimmed, and `user_id:token` read as `user_id`.
pub fn header_name(raw: &str) -> String {
    let t = raw.trim().trim_matches('"').trim();
    match t.split_once(':') {
        Some((name, ty))
            if !name.trim().is_empty()
                && !ty.is_empty()
                && ty.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
        {
            name.trim().to_string()
        }
        _ => t.to_string(),
    }
}

fn excel_cell(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let v = dt.as_f64();
            if !dt.is_datetime() {
                return v.to_string();
            }
            let days = v.floor();
            let secs = ((v - days) * 86_400.0).round() as i64;
            // Excel counts 1900-02-29, which never was: serial 1 is 1900-01-01, serial 61 is
            // 1900-03-01.
            let epoch_day = if days < 60.0 { 31 } else { 30 };
            let base = chrono::NaiveDate::from_ymd_opt(1899, 12, epoch_day)
                .and_then(|d| d.and_hms_opt(0, 0, 0));
            let Some(base) = base else {
                return v.to_string();
            };
            let dt = base
                + chrono::Duration::days(days as i64)
                + chrono::Duration::seconds(secs.min(86_399));
            if secs == 0 {
                values::ParsedDate::Date(dt.date()).to_iso()
            } else {
                values::ParsedDate::DateTime(dt).to_iso()
            }
        }
        Data::Error(_) | Data::Empty => String::new(),
    }
}

fn open_sheet(path: &Path) -> Result<(Vec<Vec<String>>, u64)> {
    use calamine::Reader;
    let bad = |e: &dyn std::fmt::Display| {
        Error::Invalid(format!("cannot read spreadsheet ({e}): {}", path.display()))
    };
    let mut book = calamine::open_workbook_auto(path).map_err(|e| bad(&e))?;
    let range = match book.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(bad(&e)),
        None => return Err(bad(&"it has no sheets")),
    };
    let first_row = range.start().map(|(r, _)| u64::from(r)).unwrap_or(0);
    let rows = range
        .rows()
        .map(|r| r.iter().map(excel_cell).collect::<Vec<String>>())
        .collect();
    Ok((rows, first_row))
}

impl Source {
    /// Opens a file. `separator` and `no_header` are the user's `--delimiter` and
    /// `--no-header`; both are sniffed otherwise.
    pub fn open(path: &Path, separator: Option<Separator>, no_header: bool) -> Result<Source> {
        let mut file = File::open(path).map_err(Error::io(path))?;
        if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
            return Err(Error::Invalid(format!(
                "a folder, not a file: {}",
                path.display()
            )));
        }
        let file_size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut magic = [0u8; 4];
        let got = read_head(&mut file, 4)
            .map_err(Error::io(path))?
            .into_iter()
            .enumerate();
        for (i, b) in got {
            if let Some(m) = magic.get_mut(i) {
                *m = b;
            }
        }
        let bytes_read = Rc::new(Cell::new(0));
        if is_spreadsheet(path, &magic) {
            let (rows, first_row) = open_sheet(path)?;
            let inner = Inner::Sheet {
                rows: rows.into_iter(),
                row: first_row,
            };
            return Source::finish(
                path,
                inner,
                Separator::Byte(b','),
                "spreadsheet (first sheet)".into(),
                no_header,
                bytes_read,
                file_size,
            );
        }
        let file = File::open(path).map_err(Error::io(path))?;
        let counting = Counting {
            inner: file,
            count: Rc::clone(&bytes_read),
        };
        let gz = magic.starts_with(&[0x1f, 0x8b])
            || path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
        let mut raw: Box<dyn Read> = if gz {
            Box::new(guard::LineBound::new(flate2::read::MultiGzDecoder::new(
                BufReader::with_capacity(1 << 16, counting),
            )))
        } else {
            Box::new(guard::LineBound::new(counting))
        };
        let mut head = read_head(&mut raw, SNIFF_BYTES).map_err(Error::io(path))?;
        let utf16 = guard::utf16_of(&head);
        if let Some(encoding) = utf16 {
            let text = guard::decode_utf16(encoding, head, &mut raw, path)?;
            raw = Box::new(Cursor::new(text));
            head = read_head(&mut raw, SNIFF_BYTES).map_err(Error::io(path))?;
        }
        let complete = head.len() < SNIFF_BYTES;
        if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
            head.drain(..3);
        }
        if head.iter().all(|b| b.is_ascii_whitespace()) && complete {
            return Err(Error::Invalid(format!(
                "the file is empty: {}",
                path.display()
            )));
        }
        let mut text = String::new();
        decode_into(&head, &mut text);
        let separator = separator.unwrap_or_else(|| sniff_separator(&text, complete));
        let stream: Box<dyn Read> = Box::new(Cursor::new(head).chain(raw));
        let inner = match separator {
            Separator::Byte(d) => {
                let reader = csv::ReaderBuilder::new()
                    .delimiter(d)
                    .has_headers(false)
                    .flexible(true)
                    .trim(csv::Trim::All)
                    // Records end at '\n' (a '\r' before it is trimmed): this keeps csv's
                    // line numbers right for CRLF files.
                    .terminator(csv::Terminator::Any(b'\n'))
                    .buffer_capacity(1 << 16)
                    .from_reader(stream);
                Inner::Csv(Box::new(reader), csv::ByteRecord::new(), d)
            }
            Separator::Whitespace => Inner::Lines {
                reader: BufReader::with_capacity(1 << 16, stream),
                buf: Vec::new(),
                line: 0,
            },
        };
        let mut format = separator.describe();
        if gz {
            format.push_str(", gzip-compressed");
        }
        if utf16.is_some() {
            format.push_str(", UTF-16");
        }
        Source::finish(
            path, inner, separator, format, no_header, bytes_read, file_size,
        )
    }

    fn finish(
        path: &Path,
        inner: Inner,
        separator: Separator,
        format: String,
        no_header: bool,
        bytes_read: Rc<Cell<u64>>,
        file_size: u64,
    ) -> Result<Source> {
        let mut source = Source {
            columns: Vec::new(),
            has_header: false,
            sample: Vec::new(),
            format,
            separator,
            inner,
            sample_pos: 0,
            bytes_read,
            file_size,
            notes: Vec::new(),
        };
        let mut row = Vec::new();
        let Some(first_line) = source.read_raw(&mut row, path)? else {
            return Err(Error::Invalid(format!(
                "the file is empty: {}",
                path.display()
            )));
        };
        source.has_header = !no_header && looks_like_header(&row);
        if source.has_header {
            let mut seen = std::collections::HashSet::new();
            for (i, cell) in row.iter().enumerate() {
                let mut name = header_name(cell);
                if name.is_empty() {
                    name = format!("col{}", i + 1);
                }
                let (name, note) = guard::unreserved(name);
                let mut name = name;
                source.notes.extend(note);
                let base = name.clone();
                let mut k = 2;
                while !seen.insert(name.to_ascii_lowercase()) {
                    name = format!("{base}_{k}");
                    k += 1;
                }
                source.columns.push(name);
            }
        } else {
            source.sample.push((first_line, row.clone()));
        }
        while source.sample.len() < SAMPLE_ROWS {
            match source.read_raw(&mut row, path)? {
                Some(line) => source.sample.push((line, row.clone())),
                None => break,
            }
        }
        if !source.has_header {
            let n = source
                .sample
                .iter()
                .map(|(_, r)| r.len())
                .max()
                .unwrap_or(0);
            source.columns = (1..=n).map(|i| format!("col{i}")).collect();
        }
        if source.sample.is_empty() {
            return Err(Error::Invalid(format!(
                "no data rows, only a header: {}",
                path.display()
            )));
        }
        Ok(source)
    }

    fn read_raw(&mut self, out: &mut Vec<String>, path: &Path) -> Result<Option<u64>> {
        match &mut self.inner {
            Inner::Csv(reader, record, separator) => loop {
                let more = reader.read_byte_record(record).map_err(|e| {
                    Error::Invalid(format!("cannot read CSV ({e}): {}", path.display()))
                })?;
                if !more {
                    return Ok(None);
                }
                // A line of only separators is an empty row: skip it like a blank line.
                if record.iter().all(<[u8]>::is_empty) {
                    continue;
                }
                let line = record.position().map(|p| p.line()).unwrap_or(0);
                let columns = self.columns.len().max(record.len());
                if record
                    .iter()
                    .any(|f| guard::swallows_rows(f, *separator, columns))
                {
                    return Err(Error::Invalid(format!(
                        "line {line}: a quote opened there is never closed, so the rows after \
                         it would be read as one field: {}",
                        path.display()
                    )));
                }
                set_fields(out, record.iter());
                return Ok(Some(line));
            },
            Inner::Lines { reader, buf, line } => loop {
                buf.clear();
                let n = reader.read_until(b'\n', buf).map_err(Error::io(path))?;
                if n == 0 {
                    return Ok(None);
                }
                *line += 1;
                let fields = buf
                    .split(|b| b.is_ascii_whitespace())
                    .filter(|f| !f.is_empty());
                set_fields(out, fields);
                if !out.is_empty() {
                    return Ok(Some(*line));
                }
            },
            Inner::Sheet { rows, row } => loop {
                let Some(r) = rows.next() else {
                    return Ok(None);
                };
                *row += 1;
                if r.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                *out = r;
                return Ok(Some(*row));
            },
        }
    }

    /// The next data row into `out`, with its 1-based line number; `None` at the end.
    pub fn next_row(&mut self, out: &mut Vec<String>, path: &Path) -> Result<Option<u64>> {
        if let Some((line, row)) = self.sample.get(self.sample_pos) {
            self.sample_pos += 1;
            out.clone_from(row);
            return Ok(Some(*line));
        }
        if self.sample_pos > 0 {
            // The sample has been replayed; free it.
            self.sample = Vec::new();
            self.sample_pos = 0;
        }
        self.read_raw(out, path)
    }

    /// Fraction of the file read so far (0..1), for progress.
    pub fn fraction(&self) -> f32 {
        if self.file_size == 0 {
            return 0.0;
        }
        (self.bytes_read.get() as f64 / self.file_size as f64).min(1.0) as f32
    }

    /// A row shown as text, for examples in the summary.
    pub fn row_text(&self, row: &[String]) -> String {
        let text = row.join(self.separator.join());
        if text.chars().count() > 200 {
            let cut: String = text.chars().take(200).collect();
            format!("{cut}…")
        } else {
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn all_rows(path: &Path) -> (Source, Vec<(u64, Vec<String>)>) {
        let mut s = Source::open(path, None, false).unwrap();
        let mut out = Vec::new();
        let mut row = Vec::new();
        while let Some(line) = s.next_row(&mut row, path).unwrap() {
            out.push((line, row.clone()));
        }
        (s, out)
    }

    #[test]
    fn sniffs_each_separator() {
        assert_eq!(
            sniff_separator("a,b,c\n1,2,3\n", true),
            Separator::Byte(b',')
        );
        assert_eq!(
            sniff_separator("a;b;c\n1;2,5;3\n", true),
            Separator::Byte(b';')
        );
        assert_eq!(
            sniff_separator("a\tb\n1\t2\n", true),
            Separator::Byte(b'\t')
        );
        assert_eq!(sniff_separator("a|b\n1|2\n", true), Separator::Byte(b'|'));
        assert_eq!(
            sniff_separator(
                " 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n",
                true
            ),
            Separator::Whitespace
        );
        assert_eq!(
            sniff_separator("\"a;x\",\"b\"\n\"1;2\",\"3\"\n", true),
            Separator::Byte(b',')
        );
        assert_eq!(sniff_separator("id\n1\n2\n", true), Separator::Byte(b','));
    }

    #[test]
    fn header_detection_and_typed_headers() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(looks_like_header(&s(&["InvoiceNo", "Quantity"])));
        assert!(looks_like_header(&s(&["user_id:token", "timestamp:float"])));
        assert!(!looks_like_header(&s(&["39", "State-gov"])));
        assert!(!looks_like_header(&s(&["abc", "2011-01-02"])));
        assert!(!looks_like_header(&s(&["", ""])));
        assert_eq!(header_name("user_id:token"), "user_id");
        assert_eq!(header_name(" timestamp:float "), "timestamp");
        assert_eq!(header_name("Time: local"), "Time: local");
        assert_eq!(header_name("Country"), "Country");
    }

    #[test]
    fn quoted_fields_crlf_and_bom() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "a.csv",
            b"\xEF\xBB\xBFid;\"name\";note\r\n1;\"Smith; John\";\"said \"\"hi\"\"\"\r\n2;Ann;\r\n",
        );
        let (s, rows) = all_rows(&p);
        assert!(s.has_header);
        assert_eq!(s.columns, vec!["id", "name", "note"]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].1, vec!["1", "Smith; John", "said \"hi\""]);
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[1].1, vec!["2", "Ann", ""]);
    }

    #[test]
    fn windows_1252_is_decoded() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "w.csv", b"id,city\n1,Caf\xe9\n2,K\xf6ln\n");
        let (_, rows) = all_rows(&p);
        assert_eq!(rows[0].1[1], "Café");
        assert_eq!(rows[1].1[1], "Köln");
    }

    #[test]
    fn headerless_whitespace_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "c.txt",
            b" 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n\r\n 00005 0002 19970102  1   9.50\r\n",
        );
        let (s, rows) = all_rows(&p);
        assert!(!s.has_header);
        assert_eq!(s.columns, vec!["col1", "col2", "col3", "col4", "col5"]);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].1, vec!["00004", "0001", "19970101", "2", "29.33"]);
        assert_eq!(rows[2].0, 4);
    }

    #[test]
    fn gzip_by_magic_and_forced_no_header() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("data.bin");
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&p).unwrap(),
            flate2::Compression::default(),
        );
        enc.write_all(b"a,b\nc,d\n").unwrap();
        enc.finish().unwrap();
        let (s, rows) = all_rows(&p);
        assert!(s.has_header);
        assert_eq!(rows.len(), 1);
        assert!(s.format.contains("gzip"));
        let mut s = Source::open(&p, None, true).unwrap();
        assert_eq!(s.columns, vec!["col1", "col2"]);
        let mut row = Vec::new();
        assert_eq!(s.next_row(&mut row, &p).unwrap(), Some(1));
        assert_eq!(row, vec!["a", "b"]);
    }

    #[test]
    fn empty_and_header_only_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "e.csv", b"");
        let e = Source::open(&p, None, false).err().unwrap().to_string();
        assert!(e.starts_with("the file is empty"), "{e}");
        let p = write(&dir, "h.csv", b"a,b\n");
        let e = Source::open(&p, None, false).err().unwrap().to_string();
        assert!(e.contains("no data rows"), "{e}");
        let e = Source::open(Path::new("/no/such.csv"), None, false)
            .err()
            .unwrap();
        assert!(matches!(e, Error::NotFound(_)));
    }
}
