//! `tailor recommend DB --customer ID [--method M] [--top N] [--json]`: one customer's
//! recommendations with their reasons.

use std::path::PathBuf;

use crate::cli::{StderrProgress, choice, print_json, print_text};
use crate::error::Error;
use crate::format::percent;
use crate::models::recommend::methods::{HybridWeights, RecMethod};
use crate::models::recommend::{RecOptions, RecRequest};
use crate::workspace::Workspace;

/// Arguments of `tailor recommend`.
#[derive(Debug, clap::Args)]
pub struct RecommendArgs {
    /// The database.
    pub db: PathBuf,
    /// The customer id.
    #[arg(long)]
    pub customer: String,
    /// popular, popular-recent, item-cf, als, content, demographic or hybrid.
    #[arg(long, default_value = "hybrid")]
    pub method: String,
    /// How many items.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Include products the customer already has.
    #[arg(long)]
    pub repeat: bool,
    /// Hybrid weights and protected columns.
    #[command(flatten)]
    pub models: ModelFlags,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// The flags `recommend` and `evaluate-recs` share: how the hybrid blends and whether the
/// demographic method may use protected columns.
#[derive(Debug, clap::Args)]
pub struct ModelFlags {
    /// Hybrid weights, for example `als=0.5,item-cf=0.3,content=0.2` (unnamed methods get 0).
    #[arg(long)]
    pub weights: Option<String>,
    /// Let the demographic method use protected columns (age band, gender).
    #[arg(long)]
    pub use_protected: bool,
    /// Use the library's default ALS settings and hybrid weights instead of those tuned on
    /// this database.
    #[arg(long)]
    pub untuned: bool,
}

impl ModelFlags {
    /// The fitting options and the hybrid weights the flags ask for (`None`: tuned, or the
    /// defaults with `--untuned`).
    pub fn read(&self) -> crate::error::Result<(RecOptions, Option<HybridWeights>)> {
        let weights = self.weights.as_deref().map(parse_weights).transpose()?;
        let options = RecOptions {
            use_protected: self.use_protected,
            tuned: !self.untuned,
            ..RecOptions::default()
        };
        Ok((options, weights))
    }
}

/// Parses `method=weight,…` into hybrid weights.
pub fn parse_weights(text: &str) -> crate::error::Result<HybridWeights> {
    let mut w = HybridWeights::ZERO;
    for part in text.split(',').filter(|p| !p.trim().is_empty()) {
        let (name, value) = part.split_once('=').ok_or_else(|| {
            Error::Invalid(format!(
                "--weights entry {part} is not METHOD=WEIGHT (for example als=0.5)"
            ))
        })?;
        let method = RecMethod::parse(name).filter(|m| *m != RecMethod::Hybrid);
        let slot = method.and_then(|m| w.get_mut(m)).ok_or_else(|| {
            Error::Invalid(format!(
                "--weights names unknown method {}: use popular, popular-recent, item-cf, als, content or demographic",
                name.trim()
            ))
        })?;
        let v: f32 = value
            .trim()
            .parse()
            .ok()
            .filter(|v: &f32| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "--weights value {} for {} is not a number ≥ 0",
                    value.trim(),
                    name.trim()
                ))
            })?;
        *slot = v;
    }
    Ok(w)
}

/// Runs `tailor recommend`.
pub fn run(args: RecommendArgs) -> anyhow::Result<()> {
    let methods = "popular, popular-recent, item-cf, als, content, demographic or hybrid";
    let method = choice("--method", &args.method, RecMethod::parse, methods)?;
    if args.top == 0 {
        return Err(Error::Invalid("--top must be at least 1".into()).into());
    }
    let (options, weights) = args.models.read()?;
    let mut ws = Workspace::open(&args.db)?;
    let request = RecRequest {
        method,
        top: args.top,
        repeat: args.repeat,
        weights,
    };
    let answer = ws.recommend_customer(
        &args.customer,
        &request,
        &options,
        &StderrProgress::default(),
    )?;
    let Some(out) = answer.recommendations else {
        return Err(Error::Invalid(format!(
            "customer {} is not in {}",
            args.customer,
            args.db.display()
        ))
        .into());
    };
    if args.json {
        return print_json(&out);
    }
    let mut text = format!(
        "Top {} for customer {} by {}{}\n",
        out.items.len(),
        out.customer_id,
        out.method.as_str(),
        if out.cold_start {
            " (no purchases yet)"
        } else {
            ""
        }
    );
    for note in &out.notes {
        text.push_str(&format!("note: {note}\n"));
    }
    if let Some(blend) = &out.blend {
        text.push_str(&format!("Blend: {}\n", blend.describe(&[])));
    }
    for (i, item) in out.items.iter().enumerate() {
        text.push_str(&format!(
            "\n{:>2}. {}  {}  (score {:.3})\n",
            i + 1,
            item.product_id,
            item.name.as_deref().unwrap_or(""),
            item.score
        ));
        if out.method == RecMethod::Hybrid {
            let shares: Vec<String> = item
                .contributions
                .iter()
                .map(|c| format!("{} {}", c.method.as_str(), percent(c.share)))
                .collect();
            text.push_str(&format!("    blend: {}\n", shares.join(", ")));
        }
        for r in &item.reasons {
            text.push_str(&format!("    {:>4}  {}\n", percent(r.weight), r.text));
        }
    }
    print_text(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_parse_and_reject_bad_entries() {
        let w = parse_weights("als=0.5, item-cf=0.3").unwrap();
        assert_eq!((w.als, w.item_cf, w.content), (0.5, 0.3, 0.0));
        for bad in ["als", "hybrid=1", "nope=1", "als=-1", "als=x"] {
            let e = parse_weights(bad).unwrap_err().to_string();
            assert!(e.contains("--weights"), "{bad}: {e}");
        }
    }
}
