//! The recommendation methods, by the names used in flags, JSON and the UI.

/// A recommendation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
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
}

impl RecMethod {
    /// The methods built so far, in the order they are listed.
    pub const ALL: [RecMethod; 4] = [
        RecMethod::Popular,
        RecMethod::PopularRecent,
        RecMethod::ItemCf,
        RecMethod::Als,
    ];

    /// The name in flags and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RecMethod::Popular => "popular",
            RecMethod::PopularRecent => "popular-recent",
            RecMethod::ItemCf => "item-cf",
            RecMethod::Als => "als",
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
