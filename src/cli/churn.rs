//! `tailor churn DB [--label churned|inactive:DAYS] [--model logistic|forest] [--folds 5]
//! [--seed S] [--calibration platt|isotonic|none] [--out FILE] [--dump-features FILE] [--json]`.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::{ModelRunFlags, StderrProgress, choice, print_json, print_text};
use crate::error::Error;
use crate::files::csv::{self, Field};
use crate::files::write_atomically;
use crate::format::{percent, thousands};
use crate::models::churn::evaluate::Calibration;
use crate::models::churn::label::Label;
use crate::models::churn::run::{ChurnParams, ChurnResult, ModelKind};

/// Arguments of `tailor churn`.
#[derive(Debug, clap::Args)]
pub struct ChurnArgs {
    /// The database.
    pub db: PathBuf,
    /// `churned` (the label column), another column's name, `inactive:DAYS`, or `auto` (a
    /// label column if there is one, else inactive:90).
    #[arg(long, default_value = "auto")]
    pub label: String,
    /// auto (the model that wins the backtest; logistic with a label column), logistic or
    /// forest.
    #[arg(long, default_value = "auto")]
    pub model: String,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Random seed (folds, forest).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Calibration fitted within folds: platt, isotonic or none.
    #[arg(long, default_value = "platt")]
    pub calibration: String,
    /// Trees in the forest.
    #[arg(long, default_value_t = 200)]
    pub trees: usize,
    /// Write customer_id,churn_probability,as_of,reason_1,reason_2,reason_3 to this CSV: the
    /// risk as of the last transaction's date (inactivity label), else out-of-fold.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Protected columns, the feature dump, JSON.
    #[command(flatten)]
    pub run: ModelRunFlags,
}

/// Runs `tailor churn`.
pub fn run(args: ChurnArgs) -> anyhow::Result<()> {
    let model = choice(
        "--model",
        &args.model,
        ModelKind::parse,
        "auto, logistic or forest",
    )?;
    let label_help = "churned, a column name, inactive:DAYS (DAYS ≥ 1) or auto";
    let label = choice("--label", &args.label, Label::parse, label_help)?;
    let calibrations = "platt, isotonic or none";
    let calibration = choice(
        "--calibration",
        &args.calibration,
        Calibration::parse,
        calibrations,
    )?;
    if args.folds < 2 {
        return Err(
            Error::Invalid(format!("--folds must be at least 2, not {}", args.folds)).into(),
        );
    }
    if args.trees == 0 {
        return Err(Error::Invalid("--trees must be at least 1".into()).into());
    }
    let mut params = ChurnParams {
        label,
        model,
        folds: args.folds,
        seed: args.seed,
        calibration,
        ..ChurnParams::default()
    };
    params.features.include_protected = args.run.include_protected;
    params.forest.trees = args.trees;
    let mut ws = args.run.open(&args.db, args.out.as_deref())?;
    let outcome = ws.churn(&params, &StderrProgress::default())?;
    let (result, run_id) = (outcome.result, outcome.run_id);
    if run_id.is_none() {
        crate::cli::note_read_only(&ws);
    }
    if let Some(path) = &args.out {
        write_scores(path, &result).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.run.dump_features {
        write_features(path, &result).with_context(|| format!("writing {}", path.display()))?;
    }
    if args.run.json {
        print_json(&result.summary())
    } else {
        print_text(&describe(&result, run_id))
    }
}

/// Writes `customer_id,churn_probability,as_of,reason_1,reason_2,reason_3` (`as_of` empty
/// for out-of-fold scores).
pub fn write_scores(path: &Path, result: &ChurnResult) -> crate::Result<()> {
    let as_of = result.as_of.as_deref();
    write_atomically(path, |w| {
        let header = [
            "customer_id",
            "churn_probability",
            "as_of",
            "reason_1",
            "reason_2",
            "reason_3",
        ];
        csv::write_header(w, &header).map_err(Error::io(path))?;
        for c in result.scored() {
            let reason = |k: usize| {
                c.reasons
                    .get(k)
                    .map_or(Field::Empty, |r| Field::Text(&r.text))
            };
            let row = [
                Field::Text(c.customer_id),
                Field::Number(c.probability),
                as_of.map_or(Field::Empty, Field::Text),
                reason(0),
                reason(1),
                reason(2),
            ];
            csv::write_row(w, row).map_err(Error::io(path))?;
        }
        Ok(())
    })
}

/// Writes `customer_id,fold,label,<model columns…>` (the raw inputs, blanks imputed).
pub fn write_features(path: &Path, result: &ChurnResult) -> crate::Result<()> {
    write_atomically(path, |w| {
        let f = &result.features;
        let mut header = vec!["customer_id".to_string(), "fold".into(), "label".into()];
        header.extend(f.names());
        csv::write_header(w, &header).map_err(Error::io(path))?;
        for (k, c) in result.customers.iter().enumerate() {
            let row = [
                Field::Text(&c.customer_id),
                Field::Number(c.fold as f64),
                Field::Number(f64::from(c.label)),
            ];
            let values = f.row(k).iter().map(|v| Field::Number(*v));
            csv::write_row(w, row.into_iter().chain(values)).map_err(Error::io(path))?;
        }
        Ok(())
    })
}

fn describe(r: &ChurnResult, run_id: Option<i64>) -> String {
    let m = &r.metrics;
    let mut out = format!(
        "Churn by {} on {} customers ({} churned, {}), {} folds\n",
        r.params.model.as_str(),
        thousands(r.label.customers as u64),
        thousands(r.label.churned as u64),
        percent(m.base_rate),
        r.params.folds
    );
    match (&r.label.column, r.label.days, &r.label.cutoff) {
        (Some(c), _, _) => out.push_str(&format!("Label: column {c}\n")),
        (None, Some(d), Some(cut)) => out.push_str(&format!(
            "Label: no purchase in the {d} days after {cut}; features from before {cut}\n"
        )),
        _ => {}
    }
    if let (Some(as_of), Some(days)) = (&r.as_of, r.label.days) {
        out.push_str(&format!(
            "Scores as of {as_of}: the risk of no purchase in the next {days} days, for {} \
             customers\n",
            thousands(r.today.len() as u64)
        ));
    }
    if let Some(b) = &r.backtest {
        for line in b.story(r.model_chosen_by_backtest) {
            out.push_str(&line);
            out.push('\n');
        }
    } else if r.as_of.is_some() {
        out.push_str("Backtest: the history is too short to test one horizon earlier\n");
    }
    let everyone = r.label.customers + r.label.unlabelled;
    match &r.as_of {
        Some(_) if r.today.len() < everyone => out.push_str(&format!(
            "Not scored: {} customers without a purchase\n",
            thousands((everyone - r.today.len()) as u64)
        )),
        None if r.label.unlabelled > 0 => out.push_str(&format!(
            "Not scored: {} customers without a label\n",
            thousands(r.label.unlabelled as u64)
        )),
        _ => {}
    }
    out.push_str(&format!(
        "ROC AUC {:.3} ± {:.3}, PR AUC {:.3}, Brier {:.4} (calibrated {:.4}), log loss {:.4}\n",
        m.auc, m.auc_std, m.pr_auc, m.brier, m.brier_calibrated, m.log_loss
    ));
    let fold_auc: Vec<String> = r.folds.iter().map(|f| format!("{:.3}", f.auc)).collect();
    out.push_str(&format!("Fold AUC: {}\n", fold_auc.join(", ")));
    if let Some(g) = r.curves.gains.get(10) {
        out.push_str(&format!(
            "The riskiest 10% hold {} of churners\n",
            percent(g.churners)
        ));
    }
    for flag in &r.leakage {
        out.push_str(&format!(
            "Possible leakage: {} alone predicts the label with AUC {:.3}\n",
            flag.feature, flag.auc
        ));
    }
    if !r.features.left_out.is_empty() {
        let parts: Vec<String> = r
            .features
            .left_out
            .iter()
            .map(|l| format!("{} ({})", l.column, l.reason))
            .collect();
        out.push_str(&format!("Left out: {}\n", parts.join(", ")));
    }
    for i in &r.features.imputed {
        out.push_str(&format!(
            "Blanks: {} in {}{}\n",
            thousands(i.blanks as u64),
            i.column,
            i.value
                .map(|v| format!(", filled with the median {v}"))
                .unwrap_or_default()
        ));
    }
    out.push_str("\nTop features:\n");
    for f in r.importance.iter().take(10) {
        out.push_str(&format!("  {:<44} {:>8.4}\n", f.name, f.weight));
    }
    if let Some(id) = run_id {
        out.push_str(&format!("Stored as run {id}.\n"));
    }
    out
}
