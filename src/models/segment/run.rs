//! One segmentation run: features → method → labels → profiles, names and projection.

use crate::data::dataset::Dataset;
use crate::error::{Error, Result};
use crate::models::segment::cluster::{self, KScore, Method};
use crate::models::segment::features::{self, FeatureOptions, Features, LeftOut};
use crate::models::segment::profile::{self, SegmentProfile};
use crate::models::segment::projection::{self, Projection};
use crate::models::segment::rfm::{self, RfmScore};
use crate::progress::Progress;

/// How customers are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SegmentMethod {
    /// RFM quintile scores and the classic named segments.
    Rfm,
    /// k-means on the standardized features.
    Kmeans,
    /// Gaussian mixture on the standardized features.
    Gmm,
}

impl SegmentMethod {
    /// Every method, in the order the UI lists them.
    pub const ALL: [SegmentMethod; 3] = [
        SegmentMethod::Rfm,
        SegmentMethod::Kmeans,
        SegmentMethod::Gmm,
    ];

    /// The name used in flags and JSON (`rfm`, `kmeans`, `gmm`).
    pub fn as_str(self) -> &'static str {
        match self {
            SegmentMethod::Rfm => "rfm",
            SegmentMethod::Kmeans => "kmeans",
            SegmentMethod::Gmm => "gmm",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            SegmentMethod::Rfm => "RFM",
            SegmentMethod::Kmeans => "k-means",
            SegmentMethod::Gmm => "Gaussian mixture",
        }
    }

    /// Parses `rfm`, `kmeans` (or `k-means`), `gmm`.
    pub fn parse(s: &str) -> Option<SegmentMethod> {
        match s.trim().to_ascii_lowercase().as_str() {
            "rfm" => Some(SegmentMethod::Rfm),
            "kmeans" | "k-means" => Some(SegmentMethod::Kmeans),
            "gmm" => Some(SegmentMethod::Gmm),
            _ => None,
        }
    }
}

/// The number of segments: fixed, or chosen by silhouette among 2..=10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KChoice {
    /// Exactly this many.
    Fixed(usize),
    /// The best silhouette among k = 2..=10.
    Auto,
}

impl KChoice {
    /// Parses `auto` or a number.
    pub fn parse(s: &str) -> Option<KChoice> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("auto") {
            return Some(KChoice::Auto);
        }
        s.parse().ok().filter(|k| *k >= 1).map(KChoice::Fixed)
    }
}

/// Everything that decides a run's result.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SegmentParams {
    /// The method.
    pub method: SegmentMethod,
    /// The number of segments (ignored by RFM).
    pub k: KChoice,
    /// k-means restarts (best inertia kept).
    pub restarts: usize,
    /// Random seed.
    pub seed: u64,
    /// Use protected columns as features.
    pub include_protected: bool,
}

impl Default for SegmentParams {
    fn default() -> Self {
        Self {
            method: SegmentMethod::Kmeans,
            k: KChoice::Auto,
            restarts: 10,
            seed: 42,
            include_protected: false,
        }
    }
}

/// A finished run.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentRun {
    /// What was asked for.
    pub params: SegmentParams,
    /// The number of segments found (RFM: 11 possible).
    pub k: usize,
    /// The feature matrix the model saw.
    pub features: Features,
    /// Segment of every customer, in the dataset's customer order.
    pub labels: Vec<usize>,
    /// RFM scores, for the RFM method.
    pub rfm: Option<Vec<RfmScore>>,
    /// Mean silhouette on the seeded sample (none with a single segment).
    pub silhouette: Option<f64>,
    /// k-means inertia (sum of squared distances), for k-means.
    pub inertia: Option<f64>,
    /// Scores of every k tried.
    pub k_scores: Vec<KScore>,
    /// Profiles of the non-empty segments, by id.
    pub segments: Vec<SegmentProfile>,
    /// 2-D projection for the scatter.
    pub projection: Projection,
}

/// The columns left out of the features.
/// A segment as a headline sees it: its name, size, share of customers and share of revenue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentShare<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its customers.
    pub size: usize,
    /// Its share of customers.
    pub customer_share: f64,
    /// Its share of revenue (negative: returns exceed purchases).
    pub revenue_share: f64,
}

/// Segments in one sentence: how many, and the segment whose share of revenue is furthest
/// from its share of customers ("4 segments; Bargain hunters are 47% of customers but 32% of
/// revenue"); the largest when there is no revenue (`of` is `None`) or that segment's returns
/// exceed its purchases. On ties the first in `shares` wins. The panel and the report say it
/// alike.
pub fn segments_headline(shares: &[SegmentShare<'_>], of: Option<&str>) -> String {
    use crate::format::{count, percent};
    let n = count(shares.len() as u64, "segment", "segments");
    let first_max = |key: &dyn Fn(&SegmentShare<'_>) -> f64| {
        shares
            .iter()
            .fold(None::<&SegmentShare<'_>>, |best, s| match best {
                Some(b) if key(b) >= key(s) => Some(b),
                _ => Some(s),
            })
    };
    let telling = first_max(&|s| (s.revenue_share - s.customer_share).abs());
    let largest = first_max(&|s| s.size as f64);
    match (of, telling, largest) {
        (Some(of), Some(s), _) if s.revenue_share >= 0.0 => {
            let but = if s.revenue_share > s.customer_share {
                "but bring"
            } else {
                "but only"
            };
            format!(
                "{n}; {} are {} of customers {but} {} {of}.",
                s.name,
                percent(s.customer_share),
                percent(s.revenue_share)
            )
        }
        (_, _, Some(s)) => format!(
            "{n}; the largest, {}, holds {} of customers.",
            s.name,
            percent(s.customer_share)
        ),
        _ => format!("{n}."),
    }
}

impl SegmentRun {
    /// The run in one sentence a stakeholder reads: how many segments, and the segment whose
    /// share of revenue is furthest from its share of customers ("4 segments; Bargain hunters
    /// are 47% of customers but 32% of revenue"); the largest segment without revenue.
    pub fn headline(&self) -> String {
        let shares: Vec<SegmentShare<'_>> = self
            .segments
            .iter()
            .map(|s| SegmentShare {
                name: &s.name,
                size: s.size,
                customer_share: s.customer_share,
                revenue_share: s.revenue_share,
            })
            .collect();
        segments_headline(&shares, self.features.revenue_of.share_of().as_deref())
    }

    /// Columns used and left out, for the UI's "which columns were used".
    pub fn columns(&self) -> (&[String], &[LeftOut]) {
        (&self.features.used_columns, &self.features.left_out)
    }

    /// The profile of a segment id.
    pub fn segment(&self, id: usize) -> Option<&SegmentProfile> {
        self.segments.iter().find(|s| s.id == id)
    }

    /// Names every segment the naming rule calls `auto_name` `name` (empty: back to the
    /// automatic name).
    pub fn rename(&mut self, auto_name: &str, name: &str) {
        for s in &mut self.segments {
            if s.auto_name == auto_name {
                s.name = if name.is_empty() { auto_name } else { name }.to_string();
            }
        }
    }
}

/// Runs a segmentation. `renamed` maps automatic names to the user's names (kept across runs).
pub fn run(
    data: &Dataset,
    params: &SegmentParams,
    renamed: &[(String, String)],
    progress: &dyn Progress,
) -> Result<SegmentRun> {
    if data.n_customers() == 0 {
        return Err(Error::Invalid("no customers to segment".into()));
    }
    progress.report(0.05, "Computing features");
    let options = FeatureOptions {
        include_protected: params.include_protected,
        ..FeatureOptions::default()
    };
    let features = features::build(data, &options);
    progress.check()?;
    let (n, p) = (features.n, features.p());
    let x = ndarray::ArrayView2::from_shape((n, p), &features.standardized)
        .map_err(|e| Error::Invalid(format!("feature matrix: {e}")))?;
    let sample_rows = cluster::silhouette_sample(n, params.seed);

    let (labels, k, rfm_scores, inertia, k_scores, silhouette) = match params.method {
        SegmentMethod::Rfm => {
            if features.reference_ts.is_none() {
                return Err(Error::Invalid(
                    "RFM needs purchases: import a transactions file to see RFM segments".into(),
                ));
            }
            let col = |name: &str| -> Vec<f64> {
                let j = features.names.iter().position(|f| f == name).unwrap_or(0);
                (0..n)
                    .map(|i| features.raw_row(i).get(j).copied().unwrap_or(0.0))
                    .collect()
            };
            let scores = rfm::scores(&col("recency_days"), &col("frequency"), &col("monetary"));
            let labels: Vec<usize> = scores.iter().map(|s| rfm::segment_of(*s)).collect();
            let silhouette = cluster::silhouette(x.view(), &labels, &sample_rows);
            (
                labels,
                rfm::SEGMENTS.len(),
                Some(scores),
                None,
                Vec::new(),
                silhouette,
            )
        }
        SegmentMethod::Kmeans | SegmentMethod::Gmm => {
            let method = if params.method == SegmentMethod::Gmm {
                Method::Gmm
            } else {
                Method::KMeans
            };
            let (k, mut k_scores) = match params.k {
                KChoice::Fixed(k) => (k, Vec::new()),
                KChoice::Auto => {
                    let (scores, best) =
                        cluster::choose_k(x.view(), method, 2..=10, params.seed, progress)?;
                    (best, scores)
                }
            };
            progress.check()?;
            progress.report(0.7, &format!("Fitting {k} segments"));
            let fitted = cluster::fit(x.view(), method, k, params.restarts, params.seed)?;
            let silhouette = cluster::silhouette(x.view(), &fitted.labels, &sample_rows);
            // The chosen k's entry describes the final model.
            let entry = KScore {
                k,
                silhouette: silhouette.unwrap_or(0.0),
                inertia: fitted.inertia,
            };
            match k_scores.iter_mut().find(|s| s.k == k) {
                Some(s) => *s = entry,
                None => k_scores.push(entry),
            }
            let inertia = (method == Method::KMeans).then_some(fitted.inertia);
            (fitted.labels, k, None, inertia, k_scores, silhouette)
        }
    };
    progress.check()?;
    progress.report(0.85, "Profiling segments");
    let mut segments = profile::profiles(data, &features, &labels, k);
    if params.method == SegmentMethod::Rfm {
        for s in &mut segments {
            let name = rfm::SEGMENTS.get(s.id).copied().unwrap_or("");
            s.auto_name = name.to_string();
            s.name = renamed
                .iter()
                .find(|(a, _)| a == name)
                .map(|(_, u)| u.clone())
                .unwrap_or_else(|| name.to_string());
        }
    } else {
        profile::name_segments(&mut segments, &features.names, renamed);
    }
    progress.report(0.95, "Projecting for the scatter");
    let projection = projection::project(x.view(), &features.names)?;
    progress.report(1.0, "Segments ready");
    Ok(SegmentRun {
        params: params.clone(),
        k,
        features,
        labels,
        rfm: rfm_scores,
        silhouette,
        inertia,
        k_scores,
        segments,
        projection,
    })
}

/// The `--json` summary of a run (byte-identical for the same inputs and seed).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RunSummary {
    /// `rfm`, `kmeans` or `gmm`.
    pub method: SegmentMethod,
    /// Number of segments.
    pub k: usize,
    /// The seed.
    pub seed: u64,
    /// Mean silhouette on the sample.
    pub silhouette: Option<f64>,
    /// The chosen k-means model's inertia.
    pub inertia: Option<f64>,
    /// The segments.
    pub segments: Vec<SegmentSummary>,
    /// Every k tried.
    pub k_scores: Vec<KScore>,
}

/// One segment in the JSON summary.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SegmentSummary {
    /// Segment id.
    pub id: usize,
    /// Its name.
    pub name: String,
    /// Customers in it.
    pub size: usize,
    /// Share of money spent.
    pub revenue_share: f64,
    /// Mean of each feature, by name.
    pub profile: std::collections::BTreeMap<String, f64>,
}

impl SegmentRun {
    /// The JSON summary.
    pub fn summary(&self) -> RunSummary {
        RunSummary {
            method: self.params.method,
            k: self.k,
            seed: self.params.seed,
            silhouette: self.silhouette,
            inertia: self.inertia,
            segments: self
                .segments
                .iter()
                .map(|s| SegmentSummary {
                    id: s.id,
                    name: s.name.clone(),
                    size: s.size,
                    revenue_share: s.revenue_share,
                    profile: self
                        .features
                        .names
                        .iter()
                        .cloned()
                        .zip(s.means.iter().copied())
                        .collect(),
                })
                .collect(),
            k_scores: self.k_scores.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::db::Database;
    use crate::progress::NoProgress;

    fn shop() -> Dataset {
        let db = Database::in_memory().unwrap();
        let mut sql = String::from(
            "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, region TEXT);
             CREATE TABLE transactions (customer_id TEXT, ts TEXT, order_id TEXT, amount REAL, quantity REAL);",
        );
        // 30 frequent big spenders, 30 lapsed one-off buyers, 10 who never bought.
        for i in 0..70 {
            sql.push_str(&format!(
                "INSERT INTO customers VALUES ('c{i:02}', '{}');",
                if i % 2 == 0 { "North" } else { "South" }
            ));
        }
        for i in 0..30 {
            for d in 0..10 {
                sql.push_str(&format!(
                    "INSERT INTO transactions VALUES ('c{i:02}', '2020-0{}-1{d}', 'o{i}-{d}', {}, 1);",
                    1 + d % 6,
                    100 + i
                ));
            }
        }
        for i in 30..60 {
            sql.push_str(&format!(
                "INSERT INTO transactions VALUES ('c{i:02}', '2019-0{}-05', 'x{i}', {}, 1);",
                1 + i % 9,
                5 + i % 3
            ));
        }
        db.conn().execute_batch(&sql).unwrap();
        Dataset::load(&db, &NoProgress).unwrap()
    }

    #[test]
    fn kmeans_run_is_reproducible_and_named() {
        let data = shop();
        let params = SegmentParams {
            k: KChoice::Fixed(3),
            ..SegmentParams::default()
        };
        let a = run(&data, &params, &[], &NoProgress).unwrap();
        let b = run(&data, &params, &[], &NoProgress).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.labels.len(), 70, "every customer gets a segment");
        assert_eq!(a.segments.len(), 3);
        let names: Vec<&str> = a.segments.iter().map(|s| s.name.as_str()).collect();
        let unique: std::collections::HashSet<&&str> = names.iter().collect();
        assert_eq!(unique.len(), 3, "{names:?}");
        let sizes: usize = a.segments.iter().map(|s| s.size).sum();
        assert_eq!(sizes, 70);
        let shares: f64 = a.segments.iter().map(|s| s.revenue_share).sum();
        assert!((shares - 1.0).abs() < 1e-9);
        assert!(a.inertia.is_some() && a.silhouette.unwrap() > 0.5);
        assert_eq!(a.k_scores.len(), 1);
        assert_eq!(a.projection.x.len(), 70);
        let json = serde_json::to_string(&a.summary()).unwrap();
        assert_eq!(json, serde_json::to_string(&b.summary()).unwrap());
    }

    #[test]
    fn auto_k_and_rfm() {
        let data = shop();
        let auto = run(&data, &SegmentParams::default(), &[], &NoProgress).unwrap();
        assert_eq!(auto.k_scores.len(), 9);
        assert!(auto.k_scores.iter().any(|s| s.k == auto.k));
        let rfm = run(
            &data,
            &SegmentParams {
                method: SegmentMethod::Rfm,
                ..SegmentParams::default()
            },
            &[("Champions".into(), "VIP".into())],
            &NoProgress,
        )
        .unwrap();
        assert!(rfm.rfm.is_some());
        assert!(rfm.inertia.is_none());
        assert!(rfm.segments.iter().any(|s| s.name == "VIP"));
    }

    #[test]
    fn rfm_without_transactions_says_what_to_do() {
        let db = Database::in_memory().unwrap();
        db.conn()
            .execute_batch(
                "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, tenure REAL);
                 INSERT INTO customers VALUES ('a', 1), ('b', 2), ('c', 30), ('d', 31);",
            )
            .unwrap();
        let data = Dataset::load(&db, &NoProgress).unwrap();
        let err = run(
            &data,
            &SegmentParams {
                method: SegmentMethod::Rfm,
                ..SegmentParams::default()
            },
            &[],
            &NoProgress,
        )
        .unwrap_err();
        assert!(err.to_string().contains("import a transactions file"));
        // Attributes alone still segment.
        let r = run(
            &data,
            &SegmentParams {
                k: KChoice::Fixed(2),
                ..SegmentParams::default()
            },
            &[],
            &NoProgress,
        )
        .unwrap();
        assert_eq!(r.labels[0], r.labels[1]);
        assert_ne!(r.labels[1], r.labels[2]);
    }
}
