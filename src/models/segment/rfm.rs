//! RFM scores and the classic named RFM segments.
//!
//! Scores are quintiles by rank: customers are sorted by the measure (ties by customer order)
//! and cut into five equal-size groups, so each score holds a fifth of the customers. Recent
//! customers get R = 5; frequent and high-spending ones F = 5 and M = 5. Customers who never
//! bought have the largest recency and zero frequency and money, so they score lowest.
//!
//! Segments come from R and F, the usual grid:
//!
//! | R \ F | 1 | 2 | 3 | 4 | 5 |
//! |---|---|---|---|---|---|
//! | 5 | New | Potential loyalist | Potential loyalist | Champions | Champions |
//! | 4 | Promising | Potential loyalist | Potential loyalist | Loyal | Loyal |
//! | 3 | About to sleep | About to sleep | Need attention | Loyal | Loyal |
//! | 2 | Hibernating | Hibernating | At risk | At risk | Can't lose them |
//! | 1 | Lost | Hibernating | At risk | At risk | Can't lose them |

/// The named RFM segments, in the order they are numbered (segment id = position).
pub const SEGMENTS: [&str; 11] = [
    "Champions",
    "Loyal",
    "Potential loyalist",
    "New",
    "Promising",
    "Need attention",
    "About to sleep",
    "At risk",
    "Can't lose them",
    "Hibernating",
    "Lost",
];

/// One customer's scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RfmScore {
    /// Recency score, 5 = most recent.
    pub r: u8,
    /// Frequency score, 5 = most frequent.
    pub f: u8,
    /// Monetary score, 5 = highest spend.
    pub m: u8,
}

/// Quintile scores 1..=5 by rank; `higher_is_better` decides the direction. Ties keep the
/// input order, so the result is deterministic.
pub fn quintiles(values: &[f64], higher_is_better: bool) -> Vec<u8> {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (values[a], values[b]);
        let c = if higher_is_better {
            x.total_cmp(&y)
        } else {
            y.total_cmp(&x)
        };
        c.then(a.cmp(&b))
    });
    let mut scores = vec![1u8; n];
    for (rank, &i) in order.iter().enumerate() {
        let q = (rank * 5 / n.max(1)).min(4) as u8;
        if let Some(s) = scores.get_mut(i) {
            *s = q + 1;
        }
    }
    scores
}

/// Scores every customer from recency (days), frequency and money.
pub fn scores(recency_days: &[f64], frequency: &[f64], monetary: &[f64]) -> Vec<RfmScore> {
    let r = quintiles(recency_days, false);
    let f = quintiles(frequency, true);
    let m = quintiles(monetary, true);
    r.into_iter()
        .zip(f)
        .zip(m)
        .map(|((r, f), m)| RfmScore { r, f, m })
        .collect()
}

/// The segment (index into [`SEGMENTS`]) of a score.
pub fn segment_of(score: RfmScore) -> usize {
    let name = match (score.r.clamp(1, 5), score.f.clamp(1, 5)) {
        (5, 4 | 5) => "Champions",
        (3 | 4, 4 | 5) => "Loyal",
        (4 | 5, 2 | 3) => "Potential loyalist",
        (5, _) => "New",
        (4, _) => "Promising",
        (3, 3) => "Need attention",
        (3, _) => "About to sleep",
        (_, 5) => "Can't lose them",
        (_, 3 | 4) => "At risk",
        (1, 1) => "Lost",
        _ => "Hibernating",
    };
    SEGMENTS.iter().position(|s| *s == name).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_split_into_fifths() {
        let v: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(quintiles(&v, true), vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert_eq!(quintiles(&v, false), vec![5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
        // Ties keep input order.
        assert_eq!(quintiles(&[1.0; 5], true), vec![1, 2, 3, 4, 5]);
    }

    /// Five customers scored by hand: with n = 5 each rank is its own quintile.
    #[test]
    fn five_customers_by_hand() {
        let recency = [3.0, 40.0, 200.0, 10.0, 90.0];
        let frequency = [12.0, 1.0, 2.0, 6.0, 4.0];
        let monetary = [900.0, 20.0, 35.5, 400.0, 80.0];
        let s = scores(&recency, &frequency, &monetary);
        let triples: Vec<(u8, u8, u8)> = s.iter().map(|x| (x.r, x.f, x.m)).collect();
        // Recency ranks (most recent best): 3 → 5, 10 → 4, 40 → 3, 90 → 2, 200 → 1.
        assert_eq!(
            triples,
            vec![(5, 5, 5), (3, 1, 1), (1, 2, 2), (4, 4, 4), (2, 3, 3)]
        );
        let names: Vec<&str> = s.iter().map(|x| SEGMENTS[segment_of(*x)]).collect();
        assert_eq!(
            names,
            vec![
                "Champions",
                "About to sleep",
                "Hibernating",
                "Loyal",
                "At risk"
            ]
        );
    }

    #[test]
    fn grid_covers_every_score_and_every_name() {
        let mut used = [false; 11];
        for r in 1..=5 {
            for f in 1..=5 {
                used[segment_of(RfmScore { r, f, m: 3 })] = true;
            }
        }
        assert!(used.iter().all(|u| *u), "{used:?}");
        assert_eq!(SEGMENTS[segment_of(RfmScore { r: 1, f: 1, m: 1 })], "Lost");
        assert_eq!(
            SEGMENTS[segment_of(RfmScore { r: 2, f: 5, m: 5 })],
            "Can't lose them"
        );
        assert_eq!(SEGMENTS[segment_of(RfmScore { r: 5, f: 1, m: 1 })], "New");
        assert_eq!(
            SEGMENTS[segment_of(RfmScore { r: 4, f: 1, m: 2 })],
            "Promising"
        );
    }
}
