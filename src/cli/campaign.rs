//! `tailor campaign DB [--segment ID]... [--churn-min P] [--churn-max P] [--consent-only]
//! [--where COLUMN=VALUE]... [--offers] [--include-pii] [--include-no-consent]
//! [--out FILE.csv|FILE.xlsx] [--json]`: the Campaigns panel's audience on the command line.
//!
//! Filters of different kinds intersect: segments of the latest segmentation (repeated: any of
//! them), a churn-risk range of the latest churn run (inclusive), consent, and attribute values
//! (`--where`: different columns intersect, one column repeated keeps any of its values). `--out`
//! writes the audience through the same privacy guard as the window's Export; `--offers` adds
//! each customer's top hybrid recommendation, never blank.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::{StderrProgress, print_json, print_text};
use crate::error::Error;
use crate::export::audience::{DEFAULT_K, ExportOptions, ExportSummary};
use crate::format::thousands;
use crate::workspace::Workspace;
use crate::workspace::campaigns::{AudienceAudit, AudienceRequest, AudienceResult, FilterArgs};
use crate::workspace::export::{ExportRequest, ExportSpec};

/// Arguments of `tailor campaign`.
#[derive(Debug, clap::Args)]
pub struct CampaignArgs {
    /// The database.
    pub db: PathBuf,
    /// A segment id of the latest segmentation run (repeat: customers in any of them).
    #[arg(long = "segment", value_name = "ID")]
    pub segments: Vec<usize>,
    /// Lowest churn probability kept (0–1, inclusive), from the latest churn run.
    #[arg(long, value_name = "P", allow_negative_numbers = true)]
    pub churn_min: Option<f64>,
    /// Highest churn probability kept (0–1, inclusive), from the latest churn run.
    #[arg(long, value_name = "P", allow_negative_numbers = true)]
    pub churn_max: Option<f64>,
    /// Only customers who gave consent.
    #[arg(long)]
    pub consent_only: bool,
    /// A customer attribute's value (repeat: different columns intersect, the same column
    /// keeps any of its values).
    #[arg(long = "where", value_name = "COLUMN=VALUE", value_parser = parse_where)]
    pub wheres: Vec<(String, String)>,
    /// Add each customer's offer (top hybrid recommendation) to the exported file.
    #[arg(long)]
    pub offers: bool,
    /// Write personal-data columns (name, email, phone…) too.
    #[arg(long)]
    pub include_pii: bool,
    /// Keep customers who have not given consent in the exported file.
    #[arg(long)]
    pub include_no_consent: bool,
    /// Export the audience to this file (.csv or .xlsx).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

fn parse_where(text: &str) -> std::result::Result<(String, String), String> {
    match text.split_once('=') {
        Some((column, value)) if !column.trim().is_empty() => {
            Ok((column.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("want COLUMN=VALUE, got {text:?}")),
    }
}

/// One segment's members in the audience.
#[derive(Debug, serde::Serialize)]
struct SegmentCount {
    segment: String,
    id: usize,
    n: usize,
}

/// One group's membership.
#[derive(Debug, serde::Serialize)]
struct GroupJson {
    group: String,
    n: u64,
    selected: u64,
    selection_rate: f64,
}

/// Membership by one protected column.
#[derive(Debug, serde::Serialize)]
struct FairnessJson {
    attribute: String,
    groups: Vec<GroupJson>,
    unknown: u64,
    disparate_impact: f64,
    compared_disparate_impact: f64,
    not_compared: Vec<String>,
    flags: Vec<String>,
}

impl From<AudienceAudit> for FairnessJson {
    fn from(a: AudienceAudit) -> Self {
        FairnessJson {
            attribute: a.attribute,
            groups: a
                .rates
                .groups
                .into_iter()
                .map(|g| GroupJson {
                    group: g.group,
                    n: g.n,
                    selected: g.selected,
                    selection_rate: g.selection_rate,
                })
                .collect(),
            unknown: a.rates.unknown,
            disparate_impact: a.rates.disparate_impact,
            compared_disparate_impact: a.rates.compared_disparate_impact,
            not_compared: a.rates.not_compared,
            flags: a.flags,
        }
    }
}

/// Customers of the audience without consent.
#[derive(Debug, serde::Serialize)]
struct WithoutConsent {
    column: String,
    n: usize,
}

/// What `--json` prints.
#[derive(Debug, serde::Serialize)]
struct CampaignReport {
    size: usize,
    of_customers: usize,
    expected_value: f64,
    /// The currency of amounts (ISO 4217), when the database has one.
    currency: Option<&'static str>,
    value_source: &'static str,
    #[serde(skip)]
    money: crate::money::Money,
    #[serde(skip)]
    value_label: &'static str,
    filters: String,
    by_segment: Vec<SegmentCount>,
    fairness: Vec<FairnessJson>,
    without_consent: Option<WithoutConsent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    export: Option<ExportSummary>,
}

fn report(r: &AudienceResult, money: crate::money::Money) -> CampaignReport {
    CampaignReport {
        size: r.size,
        of_customers: r.customers,
        expected_value: (r.value * 100.0).round() / 100.0,
        currency: money.code(),
        money,
        value_source: r.value_source.column(),
        value_label: r.value_source.label(),
        filters: r.description.clone(),
        by_segment: r
            .by_segment
            .iter()
            .map(|(segment, id, n)| SegmentCount {
                segment: segment.clone(),
                id: *id,
                n: *n,
            })
            .collect(),
        fairness: r.fairness.iter().cloned().map(FairnessJson::from).collect(),
        without_consent: r
            .without_consent
            .clone()
            .map(|(column, n)| WithoutConsent { column, n }),
        export: None,
    }
}

fn human(r: &CampaignReport) -> String {
    let mut t = format!(
        "Audience: {} of {} customers ({})\n",
        thousands(r.size as u64),
        thousands(r.of_customers as u64),
        r.filters
    );
    t.push_str(&format!(
        "Expected value: {} ({})\n",
        r.money.whole(r.expected_value),
        r.value_label
    ));
    if !r.by_segment.is_empty() {
        t.push_str("By segment:\n");
        for s in &r.by_segment {
            t.push_str(&format!(
                "  {:<28} {:>9}\n",
                s.segment,
                thousands(s.n as u64)
            ));
        }
    }
    for f in &r.fairness {
        t.push_str(&format!(
            "By {}: disparate impact {:.3}\n",
            f.attribute, f.compared_disparate_impact
        ));
        for flag in &f.flags {
            t.push_str(&format!("  ! {flag}\n"));
        }
    }
    if let Some(w) = &r.without_consent {
        t.push_str(&format!(
            "Without consent ({}): {}\n",
            w.column,
            thousands(w.n as u64)
        ));
    }
    if let Some(e) = &r.export {
        t.push_str(&format!(
            "Wrote {} customers × {} columns to {}\n",
            thousands(e.rows),
            e.columns.len(),
            e.file
        ));
    }
    t
}

/// Runs `tailor campaign`.
pub fn run(args: CampaignArgs) -> anyhow::Result<()> {
    if args.out.is_none() {
        for (flag, on) in [
            ("--offers", args.offers),
            ("--include-pii", args.include_pii),
            ("--include-no-consent", args.include_no_consent),
        ] {
            if on {
                return Err(Error::Invalid(format!(
                    "{flag} is about the exported file: give --out FILE.csv|FILE.xlsx too"
                ))
                .into());
            }
        }
    }
    let progress = StderrProgress::default();
    let mut ws = Workspace::open(&args.db)?;
    let asked = FilterArgs {
        segments: args.segments.clone(),
        churn_min: args.churn_min,
        churn_max: args.churn_max,
        consent_only: args.consent_only,
        wheres: args.wheres.clone(),
    };
    let filters = ws.campaign_filters(&asked, &progress)?;
    let mut request = AudienceRequest {
        filters,
        offers: false,
    };
    let money = ws.money()?;
    let mut report = report(&ws.build_audience(&request, &progress)?, money);
    if let Some(out) = &args.out {
        request.offers = args.offers;
        let export = ExportRequest {
            spec: ExportSpec::Campaign(request),
            path: out.clone(),
            options: ExportOptions {
                include_pii: args.include_pii,
                include_no_consent: args.include_no_consent,
                k_anonymity: DEFAULT_K,
            },
        };
        let summary = ws.export(&export, &progress)?;
        if !args.json {
            let mut err = std::io::stderr().lock();
            for n in &summary.notes {
                let _ = writeln!(err, "{}", crate::cli::printable(n));
            }
        }
        report.export = Some(summary);
    }
    if args.json {
        return print_json(&report);
    }
    print_text(&human(&report))
}
