//! The recommendation methods, by the names used in flags, JSON and the UI.

/// A recommendation method.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum RecMethod {
    /// Most customers have it.
    #[serde(rename = "popular")]
    Popular,
    /// Most customers had it in the last 30 days of the data.
    #[serde(rename = "popular-recent")]
    PopularRecent,
    /// Item-item collaborative filtering (cosine, top-K neighbours).
    #[serde(rename = "item-cf")]
    ItemCf,
    /// Implicit alternating least squares.
    #[serde(rename = "als")]
    Als,
    /// Content-based: product category and TF-IDF over name words.
    #[serde(rename = "content")]
    Content,
    /// Popular among customers who share region (and, where allowed, age band and gender).
    #[serde(rename = "demographic")]
    Demographic,
    /// A weighted blend of the others.
    #[serde(rename = "hybrid")]
    Hybrid,
}

impl RecMethod {
    /// Whether the method reads ALS scores (worth a matrix product per block of customers).
    pub fn uses_als(self) -> bool {
        matches!(self, RecMethod::Als | RecMethod::Hybrid)
    }

    /// Every method, in the order they are listed.
    pub const ALL: [RecMethod; 7] = {
        let [a, b, c, d, e, f] = RecMethod::BLENDED;
        [a, b, c, d, e, f, RecMethod::Hybrid]
    };

    /// The methods a hybrid blends.
    pub const BLENDED: [RecMethod; 6] = [
        RecMethod::Popular,
        RecMethod::PopularRecent,
        RecMethod::ItemCf,
        RecMethod::Als,
        RecMethod::Content,
        RecMethod::Demographic,
    ];

    /// The name in flags and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RecMethod::Popular => "popular",
            RecMethod::PopularRecent => "popular-recent",
            RecMethod::ItemCf => "item-cf",
            RecMethod::Als => "als",
            RecMethod::Content => "content",
            RecMethod::Demographic => "demographic",
            RecMethod::Hybrid => "hybrid",
        }
    }

    /// The name in the window.
    pub fn label(self) -> &'static str {
        match self {
            RecMethod::Popular => "Popular",
            RecMethod::PopularRecent => "Popular recently",
            RecMethod::ItemCf => "Bought together (item-CF)",
            RecMethod::Als => "Similar customers (ALS)",
            RecMethod::Content => "Similar products (content)",
            RecMethod::Demographic => "Popular near them (demographic)",
            RecMethod::Hybrid => "Hybrid blend",
        }
    }

    /// Parses a method name.
    pub fn parse(s: &str) -> Option<RecMethod> {
        RecMethod::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// Days that count as recent for `popular-recent`.
pub const RECENT_DAYS: i64 = 30;

/// The weight of each blended method in a hybrid; they need not sum to one.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HybridWeights {
    /// `popular`.
    pub popular: f32,
    /// `popular-recent`.
    pub popular_recent: f32,
    /// `item-cf`.
    pub item_cf: f32,
    /// `als`.
    pub als: f32,
    /// `content`.
    pub content: f32,
    /// `demographic`.
    pub demographic: f32,
}

impl Default for HybridWeights {
    fn default() -> Self {
        Self {
            popular: 0.05,
            popular_recent: 0.05,
            item_cf: 0.25,
            als: 0.45,
            content: 0.1,
            demographic: 0.1,
        }
    }
}

impl HybridWeights {
    /// Every weight 0.
    pub const ZERO: HybridWeights = HybridWeights {
        popular: 0.0,
        popular_recent: 0.0,
        item_cf: 0.0,
        als: 0.0,
        content: 0.0,
        demographic: 0.0,
    };

    /// The weight of a blended method (0 for `hybrid` itself).
    pub fn get(&self, method: RecMethod) -> f32 {
        match method {
            RecMethod::Popular => self.popular,
            RecMethod::PopularRecent => self.popular_recent,
            RecMethod::ItemCf => self.item_cf,
            RecMethod::Als => self.als,
            RecMethod::Content => self.content,
            RecMethod::Demographic => self.demographic,
            RecMethod::Hybrid => 0.0,
        }
    }

    /// A mutable reference to a blended method's weight (`None` for `hybrid`).
    pub fn get_mut(&mut self, method: RecMethod) -> Option<&mut f32> {
        match method {
            RecMethod::Popular => Some(&mut self.popular),
            RecMethod::PopularRecent => Some(&mut self.popular_recent),
            RecMethod::ItemCf => Some(&mut self.item_cf),
            RecMethod::Als => Some(&mut self.als),
            RecMethod::Content => Some(&mut self.content),
            RecMethod::Demographic => Some(&mut self.demographic),
            RecMethod::Hybrid => None,
        }
    }
}

/// Where a hybrid's weights came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeightsSource {
    /// Tuned on this database.
    Tuned,
    /// Given by the user (`--weights`, the sliders).
    Given,
    /// The library's defaults (tuning turned off).
    Default,
}

/// A hybrid's weights and where they came from.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Blend {
    /// The weights.
    pub weights: HybridWeights,
    /// Where they came from.
    pub source: WeightsSource,
}

impl Default for Blend {
    fn default() -> Self {
        Blend {
            weights: HybridWeights::default(),
            source: WeightsSource::Default,
        }
    }
}

impl Blend {
    /// The weights in words, for a note: "weights tuned on this database: item-cf 0.60, als
    /// 0.40" (`left_out`: methods the data cannot support, not named).
    pub fn describe(&self, left_out: &[RecMethod]) -> String {
        let how = match self.source {
            WeightsSource::Tuned => "weights tuned on this database",
            WeightsSource::Given => "weights given",
            WeightsSource::Default => "default weights",
        };
        format!(
            "{how}: {}",
            crate::models::recommend::evaluate::weights_text(&self.weights, left_out)
        )
    }
}
