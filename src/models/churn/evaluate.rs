//! Evaluation: stratified folds, ranking and probability metrics, calibration, the charts'
//! points, leakage flags and the cost/benefit of a retention offer.
//!
//! Definitions follow scikit-learn: ROC AUC is the Mann–Whitney statistic with ties counted
//! half (`roc_auc_score`); PR AUC is average precision, `Σ (Rₖ − Rₖ₋₁)·Pₖ` over distinct
//! thresholds (`average_precision_score`); Brier is the mean squared error of the probability;
//! log loss clips probabilities to `[1e-15, 1 − 1e-15]`.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Most points kept in a curve for the UI.
pub const MAX_CURVE_POINTS: usize = 200;

/// Assigns each row a fold `0..k`: the rows of each class are shuffled (seeded) and dealt out
/// in turn, so every fold has the class balance of the whole (within one row).
pub fn stratified_folds(y: &[u8], k: usize, seed: u64) -> Vec<usize> {
    let mut fold = vec![0; y.len()];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut next = 0;
    for class in [1u8, 0u8] {
        let mut idx: Vec<usize> = (0..y.len()).filter(|&i| y[i] == class).collect();
        idx.shuffle(&mut rng);
        for i in idx {
            if let Some(f) = fold.get_mut(i) {
                *f = next % k.max(1);
            }
            next += 1;
        }
    }
    fold
}

/// Indices sorted by score, descending (ties by index, for reproducibility).
fn by_score_desc(scores: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    order
}

/// Whether two scores tie: equal, or both NaN (so a loop over ties always advances).
fn same_score(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// ROC AUC with ties counted half; `None` when one class is absent.
pub fn roc_auc(scores: &[f64], y: &[u8]) -> Option<f64> {
    let n = scores.len().min(y.len());
    let pos = y.iter().take(n).filter(|v| **v == 1).count();
    let neg = n - pos;
    if pos == 0 || neg == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Sum of the positives' mid-ranks.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && same_score(scores[order[j + 1]], scores[order[i]]) {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            if y[o] == 1 {
                rank_sum += mid;
            }
        }
        i = j + 1;
    }
    let (p, q) = (pos as f64, neg as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * q))
}

/// Average precision (scikit-learn's PR AUC); `None` without positives.
pub fn average_precision(scores: &[f64], y: &[u8]) -> Option<f64> {
    let pos = y.iter().filter(|v| **v == 1).count();
    if pos == 0 {
        return None;
    }
    let mut ap = 0.0;
    let mut last_recall = 0.0;
    for (_, tp, fp) in counts_by_threshold(scores, y) {
        let recall = tp / pos as f64;
        let precision = tp / (tp + fp);
        ap += (recall - last_recall) * precision;
        last_recall = recall;
    }
    Some(ap)
}

/// Mean squared error of the probabilities.
pub fn brier(p: &[f64], y: &[u8]) -> f64 {
    let n = p.len().min(y.len()).max(1) as f64;
    p.iter()
        .zip(y)
        .map(|(p, y)| (p - f64::from(*y)).powi(2))
        .sum::<f64>()
        / n
}

/// Mean log loss, probabilities clipped to `[1e-15, 1 − 1e-15]`.
pub fn log_loss(p: &[f64], y: &[u8]) -> f64 {
    let n = p.len().min(y.len()).max(1) as f64;
    p.iter()
        .zip(y)
        .map(|(p, y)| {
            let p = p.clamp(1e-15, 1.0 - 1e-15);
            if *y == 1 { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum::<f64>()
        / n
}

/// Keeps at most [`MAX_CURVE_POINTS`] evenly spaced points, always the first and last.
fn downsample<T: Clone>(points: Vec<T>) -> Vec<T> {
    let n = points.len();
    if n <= MAX_CURVE_POINTS {
        return points;
    }
    let m = MAX_CURVE_POINTS - 1;
    (0..=m)
        .filter_map(|k| points.get(k * (n - 1) / m).cloned())
        .collect()
}

/// A point of the ROC curve.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct RocPoint {
    /// False positive rate.
    pub fpr: f64,
    /// True positive rate.
    pub tpr: f64,
    /// Scores ≥ this are positive (∞ for the first point).
    pub threshold: f64,
}

/// The ROC curve at every distinct threshold (downsampled).
pub fn roc_curve(scores: &[f64], y: &[u8]) -> Vec<RocPoint> {
    let pos = y.iter().filter(|v| **v == 1).count().max(1) as f64;
    let neg = y.iter().filter(|v| **v == 0).count().max(1) as f64;
    let mut points = vec![RocPoint {
        fpr: 0.0,
        tpr: 0.0,
        threshold: f64::INFINITY,
    }];
    points.extend(
        counts_by_threshold(scores, y)
            .into_iter()
            .map(|(s, tp, fp)| RocPoint {
                fpr: fp / neg,
                tpr: tp / pos,
                threshold: s,
            }),
    );
    downsample(points)
}

/// (threshold, true positives, false positives) when scores ≥ the threshold are positive, at
/// every distinct score, highest first.
fn counts_by_threshold(scores: &[f64], y: &[u8]) -> Vec<(f64, f64, f64)> {
    let order = by_score_desc(scores);
    let mut out = Vec::new();
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut i = 0;
    while i < order.len() {
        let s = scores[order[i]];
        while i < order.len() && same_score(scores[order[i]], s) {
            if y[order[i]] == 1 {
                tp += 1.0;
            } else {
                fp += 1.0;
            }
            i += 1;
        }
        out.push((s, tp, fp));
    }
    out
}

/// A point of the precision-recall curve.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PrPoint {
    /// Recall.
    pub recall: f64,
    /// Precision.
    pub precision: f64,
    /// Scores ≥ this are positive.
    pub threshold: f64,
}

/// The precision-recall curve at every distinct threshold (downsampled).
pub fn pr_curve(scores: &[f64], y: &[u8]) -> Vec<PrPoint> {
    let pos = y.iter().filter(|v| **v == 1).count().max(1) as f64;
    let points = counts_by_threshold(scores, y)
        .into_iter()
        .map(|(s, tp, fp)| PrPoint {
            recall: tp / pos,
            precision: tp / (tp + fp),
            threshold: s,
        })
        .collect();
    downsample(points)
}

/// A point of the cumulative gains curve.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct GainsPoint {
    /// Share of customers targeted, riskiest first.
    pub targeted: f64,
    /// Share of all churners among them.
    pub churners: f64,
}

/// Cumulative gains at every percent of customers targeted (0 %, 1 %, …, 100 %).
pub fn gains(scores: &[f64], y: &[u8]) -> Vec<GainsPoint> {
    let order = by_score_desc(scores);
    let n = order.len();
    let pos = y.iter().filter(|v| **v == 1).count().max(1) as f64;
    let mut cum = vec![0usize; n + 1];
    for (k, &i) in order.iter().enumerate() {
        cum[k + 1] = cum[k] + usize::from(y[i] == 1);
    }
    (0..=100)
        .map(|pct| {
            let k = (pct * n).div_ceil(100).min(n);
            GainsPoint {
                targeted: pct as f64 / 100.0,
                churners: cum[k] as f64 / pos,
            }
        })
        .collect()
}

/// One bin of the reliability (calibration) curve.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ReliabilityBin {
    /// Lower edge of the predicted probability.
    pub lower: f64,
    /// Upper edge.
    pub upper: f64,
    /// Mean predicted probability in the bin.
    pub predicted: f64,
    /// Observed churn rate in the bin.
    pub observed: f64,
    /// Customers in the bin.
    pub count: usize,
}

/// Ten equal-width bins of predicted probability (empty bins left out).
pub fn reliability(p: &[f64], y: &[u8]) -> Vec<ReliabilityBin> {
    const BINS: usize = 10;
    let mut sum = [0.0; BINS];
    let mut obs = [0.0; BINS];
    let mut count = [0usize; BINS];
    for (pi, yi) in p.iter().zip(y) {
        let b = ((pi * BINS as f64) as usize).min(BINS - 1);
        sum[b] += pi;
        obs[b] += f64::from(*yi);
        count[b] += 1;
    }
    (0..BINS)
        .filter(|&b| count[b] > 0)
        .map(|b| ReliabilityBin {
            lower: b as f64 / BINS as f64,
            upper: (b + 1) as f64 / BINS as f64,
            predicted: sum[b] / count[b] as f64,
            observed: obs[b] / count[b] as f64,
            count: count[b],
        })
        .collect()
}

/// How scores become calibrated probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Calibration {
    /// Scores used as they are.
    None,
    /// Platt scaling: a logistic curve on the score's log-odds.
    #[default]
    Platt,
    /// Isotonic regression (pool adjacent violators).
    Isotonic,
}

impl Calibration {
    /// Parses `none`, `platt` or `isotonic`.
    pub fn parse(s: &str) -> Option<Calibration> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Some(Calibration::None),
            "platt" | "sigmoid" => Some(Calibration::Platt),
            "isotonic" => Some(Calibration::Isotonic),
            _ => None,
        }
    }
}

/// A fitted calibration map.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum Calibrator {
    /// Identity.
    Identity,
    /// `σ(a·logit(s) + b)`.
    Platt {
        /// Slope.
        a: f64,
        /// Intercept.
        b: f64,
    },
    /// Step function: scores ≤ `x[k]` (and above `x[k-1]`) map to `y[k]`.
    Isotonic {
        /// Upper score of each block, ascending.
        x: Vec<f64>,
        /// Calibrated probability of each block, non-decreasing.
        y: Vec<f64>,
    },
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

impl Calibrator {
    /// Fits the calibration `kind` on held-out scores and labels.
    pub fn fit(kind: Calibration, scores: &[f64], y: &[u8]) -> Calibrator {
        match kind {
            Calibration::None => Calibrator::Identity,
            Calibration::Platt => platt(scores, y),
            Calibration::Isotonic => isotonic(scores, y),
        }
    }

    /// The calibrated probability of a score.
    pub fn apply(&self, s: f64) -> f64 {
        match self {
            Calibrator::Identity => s,
            Calibrator::Platt { a, b } => {
                let t = a * logit(s) + b;
                1.0 / (1.0 + (-t).exp())
            }
            Calibrator::Isotonic { x, y } => {
                let k = x.partition_point(|v| *v < s).min(y.len().saturating_sub(1));
                y.get(k).copied().unwrap_or(s)
            }
        }
    }
}

/// Platt's method with his target smoothing, fitted by Newton's method on (a, b).
fn platt(scores: &[f64], y: &[u8]) -> Calibrator {
    let pos = y.iter().filter(|v| **v == 1).count() as f64;
    let neg = y.len() as f64 - pos;
    let hi = (pos + 1.0) / (pos + 2.0);
    let lo = 1.0 / (neg + 2.0);
    let f: Vec<f64> = scores.iter().map(|s| logit(*s)).collect();
    let t: Vec<f64> = y.iter().map(|v| if *v == 1 { hi } else { lo }).collect();
    let (mut a, mut b) = (1.0, 0.0);
    for _ in 0..50 {
        let (mut g0, mut g1, mut h00, mut h01, mut h11) = (0.0, 0.0, 1e-12, 0.0, 1e-12);
        for (fi, ti) in f.iter().zip(&t) {
            let p = 1.0 / (1.0 + (-(a * fi + b)).exp());
            let r = p - ti;
            let w = p * (1.0 - p);
            g0 += r * fi;
            g1 += r;
            h00 += w * fi * fi;
            h01 += w * fi;
            h11 += w;
        }
        let det = h00 * h11 - h01 * h01;
        if det.abs() < 1e-18 {
            break;
        }
        let da = (h11 * g0 - h01 * g1) / det;
        let db = (h00 * g1 - h01 * g0) / det;
        a -= da;
        b -= db;
        if da.abs().max(db.abs()) < 1e-10 {
            break;
        }
    }
    Calibrator::Platt { a, b }
}

/// Isotonic regression by pool-adjacent-violators.
fn isotonic(scores: &[f64], y: &[u8]) -> Calibrator {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Blocks: (upper score, sum of y, count).
    let mut blocks: Vec<(f64, f64, f64)> = Vec::new();
    for i in order {
        blocks.push((scores[i], f64::from(y[i]), 1.0));
        while blocks.len() >= 2 {
            let l = blocks.len();
            let (x2, s2, c2) = blocks[l - 1];
            let (_, s1, c1) = blocks[l - 2];
            if s1 / c1 >= s2 / c2 {
                blocks.pop();
                if let Some(last) = blocks.last_mut() {
                    *last = (x2, s1 + s2, c1 + c2);
                }
            } else {
                break;
            }
        }
    }
    Calibrator::Isotonic {
        x: blocks.iter().map(|b| b.0).collect(),
        y: blocks.iter().map(|b| b.1 / b.2).collect(),
    }
}

/// A feature that alone separates the classes suspiciously well.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LeakageFlag {
    /// The model column.
    pub feature: String,
    /// Its ROC AUC alone (as is, or reversed when it predicts staying).
    pub auc: f64,
}

/// Columns whose values alone predict the label with AUC above 0.95, either direction.
pub fn leakage(x: &[f64], p: usize, y: &[u8], names: &[String]) -> Vec<LeakageFlag> {
    let mut flags = Vec::new();
    for (j, name) in names.iter().enumerate().take(p) {
        let col: Vec<f64> = (0..y.len())
            .map(|i| x.get(i * p + j).copied().unwrap_or(0.0))
            .collect();
        if let Some(auc) = roc_auc(&col, y) {
            let auc = auc.max(1.0 - auc);
            if auc > 0.95 {
                flags.push(LeakageFlag {
                    feature: name.clone(),
                    auc,
                });
            }
        }
    }
    flags
}

/// Counts at a threshold: customers with probability ≥ threshold are targeted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Confusion {
    /// Targeted churners.
    pub true_positives: usize,
    /// Targeted customers who stayed.
    pub false_positives: usize,
    /// Not targeted, stayed.
    pub true_negatives: usize,
    /// Not targeted, churned.
    pub false_negatives: usize,
}

/// The confusion matrix at `threshold`.
pub fn confusion(p: &[f64], y: &[u8], threshold: f64) -> Confusion {
    let mut c = Confusion::default();
    for (pi, yi) in p.iter().zip(y) {
        match (*pi >= threshold, *yi == 1) {
            (true, true) => c.true_positives += 1,
            (true, false) => c.false_positives += 1,
            (false, false) => c.true_negatives += 1,
            (false, true) => c.false_negatives += 1,
        }
    }
    c
}

/// What a retention offer costs and brings (the user edits these).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OfferInputs {
    /// Cost of making the offer to one customer.
    pub offer_cost: f64,
    /// Share of churners offered it who accept and stay (0..1).
    pub acceptance_rate: f64,
    /// Value kept when a churner stays (lifetime value saved).
    pub value_saved: f64,
}

/// The outcome of targeting customers at a threshold.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct OfferOutcome {
    /// The threshold.
    pub threshold: f64,
    /// The confusion matrix.
    pub confusion: Confusion,
    /// Customers targeted.
    pub targeted: usize,
    /// Offers × cost.
    pub cost: f64,
    /// Churners targeted × acceptance × value saved.
    pub benefit: f64,
    /// Benefit − cost.
    pub net: f64,
    /// Precision among the targeted (0 when none).
    pub precision: f64,
    /// Share of churners targeted.
    pub recall: f64,
}

/// The expected cost and benefit of offering to every customer with probability ≥
/// `threshold` (pure and O(n): the panel calls it as the slider moves).
pub fn offer_outcome(p: &[f64], y: &[u8], threshold: f64, inputs: &OfferInputs) -> OfferOutcome {
    let c = confusion(p, y, threshold);
    let targeted = c.true_positives + c.false_positives;
    let cost = targeted as f64 * inputs.offer_cost;
    let benefit = c.true_positives as f64 * inputs.acceptance_rate * inputs.value_saved;
    let churners = c.true_positives + c.false_negatives;
    OfferOutcome {
        threshold,
        confusion: c,
        targeted,
        cost,
        benefit,
        net: benefit - cost,
        precision: if targeted > 0 {
            c.true_positives as f64 / targeted as f64
        } else {
            0.0
        },
        recall: if churners > 0 {
            c.true_positives as f64 / churners as f64
        } else {
            0.0
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn nan_scores_end_every_loop() {
        let scores = [0.9, f64::NAN, 0.2, f64::NAN, 0.5];
        let y = [1, 0, 0, 1, 1];
        assert_eq!(roc_curve(&scores, &y).len(), 5);
        assert_eq!(pr_curve(&scores, &y).len(), 4);
        assert!(roc_auc(&scores, &y).is_some());
    }

    #[test]
    fn auc_by_hand_with_ties() {
        // Positives 0.8, 0.4; negatives 0.4, 0.1. Pairs: (0.8>0.4) 1, (0.8>0.1) 1,
        // (0.4=0.4) ½, (0.4>0.1) 1 → 3.5 / 4.
        let s = [0.8, 0.4, 0.4, 0.1];
        let y = [1, 1, 0, 0];
        assert_abs_diff_eq!(roc_auc(&s, &y).unwrap(), 0.875);
        assert_abs_diff_eq!(roc_auc(&[0.5; 4], &y).unwrap(), 0.5);
        assert_eq!(roc_auc(&s, &[1, 1, 1, 1]), None);
        // Perfectly reversed.
        assert_abs_diff_eq!(roc_auc(&[0.1, 0.2, 0.3, 0.4], &y).unwrap(), 0.0);
    }

    #[test]
    fn average_precision_as_scikit_learn() {
        // sklearn.metrics.average_precision_score([0,0,1,1], [0.1,0.4,0.35,0.8]) = 0.8333…
        let ap = average_precision(&[0.1, 0.4, 0.35, 0.8], &[0, 0, 1, 1]).unwrap();
        assert_abs_diff_eq!(ap, 5.0 / 6.0, epsilon = 1e-12);
        // A tie spanning both classes counts as one threshold: [1,0] tied at 0.5, 1 at 0.9.
        let ap = average_precision(&[0.9, 0.5, 0.5], &[1, 1, 0]).unwrap();
        assert_abs_diff_eq!(ap, 0.5 * 1.0 + 0.5 * (2.0 / 3.0), epsilon = 1e-12);
    }

    #[test]
    fn folds_are_stratified_and_seeded() {
        let y: Vec<u8> = (0..103).map(|i| u8::from(i % 4 == 0)).collect();
        let f = stratified_folds(&y, 5, 7);
        assert_eq!(f, stratified_folds(&y, 5, 7));
        assert_ne!(f, stratified_folds(&y, 5, 8));
        let pos_total = y.iter().filter(|v| **v == 1).count();
        for k in 0..5 {
            let rows: Vec<usize> = (0..103).filter(|&i| f[i] == k).collect();
            let pos = rows.iter().filter(|&&i| y[i] == 1).count();
            assert!(
                rows.len().abs_diff(103 / 5) <= 1,
                "fold {k}: {}",
                rows.len()
            );
            assert!(
                pos.abs_diff(pos_total / 5) <= 1,
                "fold {k}: {pos} positives"
            );
        }
    }

    #[test]
    fn metrics_curves_and_offers() {
        let p = [0.9, 0.8, 0.3, 0.2];
        let y = [1, 0, 1, 0];
        assert_abs_diff_eq!(brier(&p, &y), (0.01 + 0.64 + 0.49 + 0.04) / 4.0);
        assert_abs_diff_eq!(
            log_loss(&p, &y),
            -(0.9f64.ln() + 0.2f64.ln() + 0.3f64.ln() + 0.8f64.ln()) / 4.0
        );
        let roc = roc_curve(&p, &y);
        assert_eq!(roc.first().map(|r| (r.fpr, r.tpr)), Some((0.0, 0.0)));
        assert_eq!(roc.last().map(|r| (r.fpr, r.tpr)), Some((1.0, 1.0)));
        let g = gains(&p, &y);
        assert_eq!(g.len(), 101);
        assert_abs_diff_eq!(g[25].churners, 0.5);
        assert_abs_diff_eq!(g[100].churners, 1.0);
        let o = offer_outcome(
            &p,
            &y,
            0.5,
            &OfferInputs {
                offer_cost: 10.0,
                acceptance_rate: 0.5,
                value_saved: 100.0,
            },
        );
        assert_eq!(o.targeted, 2);
        assert_eq!(o.confusion.true_positives, 1);
        assert_abs_diff_eq!(o.net, 50.0 - 20.0);
        let many: Vec<f64> = (0..1000).map(|i| f64::from(i) / 1000.0).collect();
        let ym: Vec<u8> = (0..1000).map(|i| u8::from(i % 3 == 0)).collect();
        assert!(roc_curve(&many, &ym).len() <= MAX_CURVE_POINTS);
        assert!(pr_curve(&many, &ym).len() <= MAX_CURVE_POINTS);
    }

    #[test]
    fn calibration_and_leakage() {
        // Scores twice too confident: Platt pulls them back; isotonic is monotone.
        let s: Vec<f64> = (0..200).map(|i| f64::from(i) / 200.0).collect();
        let y: Vec<u8> = (0..200).map(|i| u8::from((i * 7919) % 200 < i)).collect();
        let platt = Calibrator::fit(Calibration::Platt, &s, &y);
        let iso = Calibrator::fit(Calibration::Isotonic, &s, &y);
        let cal_p: Vec<f64> = s.iter().map(|v| platt.apply(*v)).collect();
        let cal_i: Vec<f64> = s.iter().map(|v| iso.apply(*v)).collect();
        assert!(cal_i.windows(2).all(|w| w[0] <= w[1]));
        assert!(brier(&cal_i, &y) <= brier(&s, &y) + 1e-12);
        assert!(cal_p.iter().all(|v| (0.0..=1.0).contains(v)));
        let x: Vec<f64> = y.iter().flat_map(|&v| [f64::from(v) * 2.0, 0.5]).collect();
        let flags = leakage(&x, 2, &y, &["copy".into(), "flat".into()]);
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].feature, "copy");
    }
}
