//! `tailor clv DB [--calibration-end DATE] [--time-unit day|week] [--horizon N]
//! [--discount RATE] [--out FILE] [--json]`.

use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;

use crate::cli::{StderrProgress, check_outputs, choice, print_json, print_text};
use crate::error::Error;
use crate::files::csv::{self, Field};
use crate::files::write_atomically;
use crate::format::thousands;
use crate::models::clv::run::{ClvParams, ClvResult};
use crate::models::clv::summary::TimeUnit;
use crate::progress::NoProgress;
use crate::workspace::Workspace;
use crate::workspace::churn::ClvOutcome;

/// Arguments of `tailor clv`.
#[derive(Debug, clap::Args)]
pub struct ClvArgs {
    /// The database.
    pub db: PathBuf,
    /// Last day of the calibration period (YYYY-MM-DD); later purchases form the holdout.
    /// Default: the last purchase day (no holdout).
    #[arg(long)]
    pub calibration_end: Option<String>,
    /// Unit of recency, T and the horizon: day or week.
    #[arg(long, default_value = "week")]
    pub time_unit: String,
    /// Horizon of expected purchases and CLV, in the time unit (default: one year).
    #[arg(long)]
    pub horizon: Option<f64>,
    /// Monthly discount rate of the CLV (0.01 = 1% a month); 0 for none.
    #[arg(long, default_value_t = 0.0)]
    pub discount: f64,
    /// Write customer_id,frequency,recency,T,p_alive,expected_purchases,clv,expected_spend to
    /// this CSV: every customer with a purchase, valued as of the last purchase day.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs `tailor clv`.
pub fn run(args: ClvArgs) -> anyhow::Result<()> {
    let unit = choice(
        "--time-unit",
        &args.time_unit,
        TimeUnit::parse,
        "day or week",
    )?;
    let mut params = ClvParams::new(unit);
    if let Some(text) = &args.calibration_end {
        let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
            Error::Invalid(format!(
                "--calibration-end {text} is not a date: use YYYY-MM-DD"
            ))
        })?;
        params.calibration_end = Some(date);
    }
    if let Some(h) = args.horizon {
        params.horizon = h;
    }
    params.discount_monthly = args.discount;
    check_outputs(&args.db, &[("--out", args.out.as_deref())])?;
    let mut ws = Workspace::open(&args.db)?;
    let outcome = ws.clv(&params, &StderrProgress::default())?;
    if outcome.run_id.is_none() {
        crate::cli::note_read_only(&ws);
    }
    if let Some(path) = &args.out {
        let ids = &ws.dataset(&NoProgress)?.customer_ids;
        write_values(path, &outcome, ids).with_context(|| format!("writing {}", path.display()))?;
    }
    if args.json {
        print_json(&outcome.result.summary())
    } else {
        print_text(&describe(&outcome.result, ws.money()?))
    }
}

/// The `--out` file's header.
pub const VALUES_HEADER: &str =
    "customer_id,frequency,recency,T,p_alive,expected_purchases,clv,expected_spend";

fn write_values(path: &std::path::Path, o: &ClvOutcome, ids: &[String]) -> crate::Result<()> {
    // A value that is missing or not a finite number is written blank, never "NaN".
    let num = |v: Option<f64>| v.map_or(Field::Empty, Field::Number);
    write_atomically(path, |w| {
        let header: Vec<&str> = VALUES_HEADER.split(',').collect();
        csv::write_header(w, &header).map_err(Error::io(path))?;
        for c in &o.result.customers {
            let Some(id) = ids.get(c.customer as usize) else {
                continue;
            };
            let row = [
                Field::Text(id),
                Field::Number(f64::from(c.frequency)),
                Field::Number(c.recency),
                Field::Number(c.t),
                Field::Number(c.p_alive),
                Field::Number(c.expected_purchases),
                num(c.clv),
                num(c.expected_spend),
            ];
            csv::write_row(w, row).map_err(Error::io(path))?;
        }
        Ok(())
    })
}

fn describe(r: &ClvResult, money: crate::money::Money) -> String {
    let unit = r.params.time_unit.plural();
    let bg = &r.bgnbd;
    let mut out = format!(
        "Lifetime value of {} customers, calibration {} to {} ({unit})\n",
        thousands(r.calibration_customers as u64),
        r.first_purchase,
        r.calibration_end
    );
    if r.left_out > 0 {
        out.push_str(&format!(
            "  {} customers left out of the calibration fit: their first purchase is after the \
             calibration end\n",
            thousands(r.left_out as u64)
        ));
    }
    out.push_str(&format!(
        "BG/NBD: r {:.4}, alpha {:.4}, a {:.4}, b {:.4}, log-likelihood {:.2}{}\n",
        bg.params.r,
        bg.params.alpha,
        bg.params.a,
        bg.params.b,
        bg.log_likelihood,
        if bg.converged { "" } else { " (not converged)" }
    ));
    match &r.gamma_gamma {
        Some(g) => out.push_str(&format!(
            "Gamma-Gamma on {} repeat customers: p {:.4}, q {:.4}, v {:.4}\n",
            thousands(g.customers as u64),
            g.params.p,
            g.params.q,
            g.params.v
        )),
        None => out.push_str("Gamma-Gamma: no repeat customers, so no spend model and no CLV\n"),
    }
    if let Some(v) = &r.values_fit {
        let b = &v.bgnbd.params;
        out.push_str(&format!(
            "Values per customer as of {} ({} customers), refitted on the whole period: \
             BG/NBD r {:.4}, alpha {:.4}, a {:.4}, b {:.4}\n",
            r.values_as_of,
            thousands(r.customers.len() as u64),
            b.r,
            b.alpha,
            b.a,
            b.b
        ));
    }
    let n = r.customers.len().max(1) as f64;
    let purchases: f64 = r.customers.iter().map(|c| c.expected_purchases).sum();
    let alive: f64 = r.customers.iter().map(|c| c.p_alive).sum();
    out.push_str(&format!(
        "Next {} {unit}: {:.0} expected purchases; mean P(alive) {:.2}\n",
        r.params.horizon,
        purchases,
        alive / n
    ));
    if r.values_gamma_gamma().is_some() {
        let total: f64 = r.customers.iter().filter_map(|c| c.clv).sum();
        let discount = if r.params.discount_monthly > 0.0 {
            format!(
                ", discounted {:.1}% a month",
                r.params.discount_monthly * 100.0
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "Lifetime value over the horizon: {} in total, {} per customer{discount}\n",
            money.whole(total),
            money.cents(total / n)
        ));
    }
    if let Some(h) = &r.holdout {
        out.push_str(&format!(
            "Holdout ({:.1} {unit}): {:.0} purchases, {:.0} predicted\n  frequency  customers  actual  predicted\n",
            h.length, h.actual_total, h.predicted_total
        ));
        let last = h.bins.len().saturating_sub(1);
        for (i, b) in h.bins.iter().enumerate() {
            let label = if i == last {
                format!("{}+", b.frequency)
            } else {
                b.frequency.to_string()
            };
            out.push_str(&format!(
                "  {label:>9}  {:>9}  {:>6.2}  {:>9.2}\n",
                b.customers, b.actual, b.predicted
            ));
        }
    }
    out
}
