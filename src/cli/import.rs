//! `tailor import FILE... --db OUT [--table T] [--map target=Column]... [--role Column=ROLE]...
//! [--delimiter D] [--no-header] [--date-format F] [--update]`.

use std::path::PathBuf;

use crate::cli::{StderrProgress, print_json, print_text};
use crate::data::import::{ImportOptions, import_to_path};
use crate::data::roles::Role;
use crate::data::schema::TableKind;

/// Arguments of `tailor import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Files to import: CSV (any delimiter), CSV.gz or XLSX.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The database to import into; created if it does not exist, added to if it does.
    #[arg(long)]
    pub db: PathBuf,
    /// The target table: customers, products, transactions or feedback (guessed when absent).
    #[arg(long)]
    pub table: Option<String>,
    /// Map a schema column to a source column: `--map customer_id=customerID`.
    #[arg(long = "map", value_name = "TARGET=COLUMN")]
    pub mappings: Vec<String>,
    /// Set a column's role: `--role gender=protected` (pii, protected, feature, revenue, recurring, label, ignore).
    #[arg(long = "role", value_name = "COLUMN=ROLE")]
    pub roles: Vec<String>,
    /// The field separator: one character, `tab`, or `space` for runs of whitespace
    /// (sniffed when absent).
    #[arg(long)]
    pub delimiter: Option<String>,
    /// The first line is data, not a header; columns are named col1..colN.
    #[arg(long)]
    pub no_header: bool,
    /// The form of dates, in strftime syntax (`%d/%m/%Y`), when it cannot be guessed.
    #[arg(long)]
    pub date_format: Option<String>,
    /// Customers and products already in the database take the file's non-blank values (blanks
    /// never erase); without it they are left as they were.
    #[arg(long)]
    pub update: bool,
    /// Print the summary as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

fn split_pair<'a>(flag: &str, text: &'a str, form: &str) -> anyhow::Result<(&'a str, &'a str)> {
    match text.split_once('=') {
        Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() => Ok((a.trim(), b.trim())),
        _ => anyhow::bail!("{flag} {text:?} is not of the form {form}"),
    }
}

/// Parses `--delimiter`: one character, `tab`/`\t`, or `space`/`whitespace` (runs of blanks).
pub fn parse_delimiter(text: &str) -> anyhow::Result<u8> {
    let lower = text.to_ascii_lowercase();
    let b = match lower.as_str() {
        "tab" | "\\t" | "\t" => b'\t',
        "space" | "whitespace" | " " => b' ',
        "comma" => b',',
        "semicolon" => b';',
        "pipe" => b'|',
        _ => match text.as_bytes() {
            [b] if b.is_ascii() && *b != b'"' && *b != b'\n' && *b != b'\r' => *b,
            _ => anyhow::bail!(
                "--delimiter {text:?} must be one character, tab or space (runs of whitespace)"
            ),
        },
    };
    Ok(b)
}

/// Turns the flags into import options, checking each.
pub fn options(args: &ImportArgs) -> anyhow::Result<ImportOptions> {
    let table = match &args.table {
        Some(t) => Some(TableKind::from_name(t).ok_or_else(|| {
            anyhow::anyhow!(
                "unknown table {t:?} in --table (use customers, products, transactions or feedback)"
            )
        })?),
        None => None,
    };
    let mut mappings = Vec::new();
    for m in &args.mappings {
        let (target, source) = split_pair("--map", m, "target=SourceColumn")?;
        mappings.push((target.to_string(), source.to_string()));
    }
    let mut roles = Vec::new();
    for r in &args.roles {
        let (column, role) = split_pair(
            "--role",
            r,
            "Column=pii|protected|feature|revenue|recurring|label|ignore",
        )?;
        let role = Role::parse(role).ok_or_else(|| {
            anyhow::anyhow!(
                "unknown role {role:?} in --role {r} (use key, pii, protected, feature, revenue, recurring, label or ignore)"
            )
        })?;
        roles.push((column.to_string(), role));
    }
    let delimiter = args.delimiter.as_deref().map(parse_delimiter).transpose()?;
    Ok(ImportOptions {
        table,
        mappings,
        roles,
        delimiter,
        no_header: args.no_header,
        date_format: args.date_format.clone(),
        update: args.update,
    })
}

/// Runs `tailor import`.
pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    let options = options(&args)?;
    let progress = StderrProgress::default();
    let summary = import_to_path(&args.db, &args.files, &options, &progress)?;
    if args.json {
        print_json(&summary)
    } else {
        print_text(&summary.to_text())
    }
}
