//! The window's choices for one database, stored with it (`tailor_settings`, key `window`): the
//! churn label and thresholds, the customers looked at, the fairness and campaign choices and
//! the folder last exported to. Another database starts from its own (or from the defaults);
//! nothing carries over. The command line keeps its explicit flags and reads none of this.
//!
//! The app captures the choices every frame; when they differ from what was stored, it stores
//! them once the user has paused (a quiet job), and at once before another database opens.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::app::churn::{ChurnPanelView, LabelChoice};
use crate::app::fairness::{DecisionKind, FairnessView};
use crate::app::{DbView, TailorApp};
use crate::jobs::{DataJob, Job};
use crate::models::campaign::AudienceFilters;
use crate::models::churn::evaluate::OfferInputs;
use crate::models::churn::run::ModelKind;
use crate::models::clv::summary::TimeUnit;

/// The key the window's choices are stored under.
pub const WINDOW_KEY: &str = "window";

/// How long the choices stay unchanged before they are stored.
const PAUSE: Duration = Duration::from_millis(600);

/// The Churn & value panel's choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChurnChoices {
    /// The label column, or `None` for inactivity; absent: not chosen (the data's default).
    label: Option<Option<String>>,
    inactive_days: u32,
    model: ModelKind,
    folds: usize,
    threshold: f64,
    offer: OfferInputs,
    time_unit: TimeUnit,
    horizon: f64,
    /// The customer drilled into.
    customer: Option<String>,
}

/// The Fairness panel's choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessChoices {
    kind: DecisionKind,
    fraction: f64,
    threshold: f64,
    segment: Option<usize>,
    category: Option<String>,
    attribute: Option<String>,
}

/// Everything the window remembers for a database.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WindowChoices {
    /// The folder last exported to.
    pub export_folder: Option<PathBuf>,
    /// The customer whose recommendations were looked at.
    pub recs_customer: Option<String>,
    /// The Churn & value panel's.
    pub churn: Option<ChurnChoices>,
    /// The Fairness panel's.
    pub fairness: Option<FairnessChoices>,
    /// The Campaigns panel's filters.
    pub campaign: Option<AudienceFilters>,
}

/// The stored choices and whether newer ones wait to be stored.
#[derive(Debug, Default)]
pub struct ChoicesKeeper {
    /// What is stored for the open database (`None`: not read yet, nothing is stored).
    stored: Option<WindowChoices>,
    /// Since when the window's choices differ from `stored`.
    changed_since: Option<Instant>,
}

impl ChoicesKeeper {
    /// Whether the open database's choices were read (and are kept from now on).
    pub fn is_kept(&self) -> bool {
        self.stored.is_some()
    }
}

/// One section of stored JSON, or `None` when absent or unreadable (only that section is lost).
fn section<T: DeserializeOwned>(value: &serde_json::Value, key: &str) -> Option<T> {
    serde_json::from_value(value.get(key)?.clone()).ok()
}

impl WindowChoices {
    /// Reads the stored JSON; unreadable parts are left at their defaults.
    pub fn parse(text: Option<&str>) -> WindowChoices {
        let value = text
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
            .unwrap_or_default();
        WindowChoices {
            export_folder: section(&value, "export_folder"),
            recs_customer: section(&value, "recs_customer"),
            churn: section(&value, "churn"),
            fairness: section(&value, "fairness"),
            campaign: section(&value, "campaign"),
        }
    }
}

impl ChurnChoices {
    fn of(v: &ChurnPanelView) -> ChurnChoices {
        ChurnChoices {
            label: v.label.as_ref().map(|l| match l {
                LabelChoice::Column(c) => Some(c.clone()),
                LabelChoice::Inactive => None,
            }),
            inactive_days: v.inactive_days,
            model: v.model,
            folds: v.folds,
            threshold: v.threshold,
            offer: v.offer,
            time_unit: v.time_unit,
            horizon: v.horizon,
            customer: v.selected.clone(),
        }
    }

    fn apply(self, v: &mut ChurnPanelView) {
        v.label = self.label.map(|l| match l {
            Some(c) => LabelChoice::Column(c),
            None => LabelChoice::Inactive,
        });
        v.inactive_days = self.inactive_days.max(1);
        v.model = self.model;
        v.folds = self.folds.clamp(
            *crate::app::churn::FOLD_RANGE.start(),
            *crate::app::churn::FOLD_RANGE.end(),
        );
        v.threshold = finite_in(self.threshold, 0.0, 1.0, 0.5);
        v.offer = self.offer;
        v.time_unit = self.time_unit;
        v.horizon = finite_in(self.horizon, 1.0, 1000.0, 52.0);
        v.id_text = self.customer.clone().unwrap_or_default();
        v.selected = self.customer;
    }
}

impl FairnessChoices {
    fn of(v: &FairnessView) -> FairnessChoices {
        FairnessChoices {
            kind: v.kind,
            fraction: v.fraction,
            threshold: v.threshold,
            segment: v.segment,
            category: v.category.clone(),
            attribute: v.attribute.clone(),
        }
    }

    fn apply(self, v: &mut FairnessView) {
        v.kind = self.kind;
        v.fraction = finite_in(self.fraction, 0.01, 1.0, 0.2);
        v.threshold = finite_in(self.threshold, 0.01, 1.0, 0.5);
        v.segment = self.segment;
        v.category = self.category;
        v.attribute = self.attribute;
    }
}

/// `x` within `lo..=hi`, or `fallback` when it is not a number (a hand-edited database).
fn finite_in(x: f64, lo: f64, hi: f64, fallback: f64) -> f64 {
    if x.is_finite() {
        x.clamp(lo, hi)
    } else {
        fallback
    }
}

/// Where an export is suggested: the folder last exported to while it exists, else
/// `fallback` (the user's Documents or home folder; never the application's hidden folder).
pub fn export_folder(last: Option<&Path>, fallback: Option<&Path>) -> Option<PathBuf> {
    last.filter(|d| d.is_dir())
        .or(fallback)
        .map(Path::to_path_buf)
}

impl TailorApp {
    /// The window's choices as they are now.
    pub(super) fn choices_now(&self) -> WindowChoices {
        WindowChoices {
            export_folder: self.export_folder.clone(),
            recs_customer: self.recs.active.clone(),
            churn: Some(ChurnChoices::of(&self.churn)),
            fairness: Some(FairnessChoices::of(&self.fairness)),
            // The filters count once the panel read what they can be (its defaults are
            // filled in then); until then, what is stored stays.
            campaign: if self.campaigns.choices.is_some() {
                Some(self.campaigns.filters.clone())
            } else {
                self.choices
                    .stored
                    .as_ref()
                    .and_then(|s| s.campaign.clone())
            },
        }
    }

    /// The choices the open database stores (defaults where it stores nothing).
    pub(super) fn stored_choices(&self) -> Option<WindowChoices> {
        let DbView::Open(info) = &self.data.db else {
            return None;
        };
        let stored = WindowChoices::parse(info.settings.get(WINDOW_KEY).map(String::as_str));
        Some(WindowChoices {
            churn: stored
                .churn
                .or_else(|| Some(ChurnChoices::of(&ChurnPanelView::default()))),
            fairness: stored
                .fairness
                .or_else(|| Some(FairnessChoices::of(&FairnessView::default()))),
            ..stored
        })
    }

    /// Sets the panels' choices (after they forgot their results); `None`: no database is open.
    /// What is set counts as stored.
    pub(super) fn apply_choices(&mut self, choices: Option<WindowChoices>) {
        let Some(s) = choices else {
            self.choices.stored = None;
            return;
        };
        self.export_folder = s.export_folder;
        self.recs.id_text = s.recs_customer.clone().unwrap_or_default();
        self.recs.active = s.recs_customer;
        if let Some(c) = s.churn {
            c.apply(&mut self.churn);
        }
        if let Some(f) = s.fairness {
            f.apply(&mut self.fairness);
        }
        self.campaigns.restore_filters(s.campaign);
        self.choices.stored = Some(self.choices_now());
        self.choices.changed_since = None;
    }

    /// Stores the window's choices when they changed and the user paused (`now`: store at once,
    /// before another database opens).
    pub(super) fn keep_choices(&mut self, now: bool) {
        let Some(stored) = &self.choices.stored else {
            return;
        };
        let current = self.choices_now();
        if *stored == current {
            self.choices.changed_since = None;
            return;
        }
        let since = *self.choices.changed_since.get_or_insert_with(Instant::now);
        let dragging = self.ctx.input(|i| i.pointer.any_down());
        if !now && (dragging || since.elapsed() < PAUSE) {
            self.ctx.request_repaint_after(PAUSE);
            return;
        }
        match serde_json::to_string(&current) {
            Ok(json) => {
                self.desk.submit_quietly(Job::Data(DataJob::StoreSetting {
                    key: WINDOW_KEY.to_string(),
                    value: Some(json),
                }));
            }
            Err(e) => self.desk.notice = Some(format!("The choices were not saved: {e}")),
        }
        self.choices.stored = Some(current);
        self.choices.changed_since = None;
    }

    /// Where exports are suggested now: the folder last exported to, else the configured one,
    /// else the database's folder.
    pub fn export_folder(&self) -> Option<PathBuf> {
        let db_folder = match &self.data.db {
            DbView::Open(info) => info.path.parent().map(Path::to_path_buf),
            _ => None,
        };
        let fallback = self.config.export_dir.clone().or(db_folder);
        export_folder(self.export_folder.as_deref(), fallback.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_round_trip_and_a_bad_section_loses_only_itself() {
        let churn = ChurnPanelView {
            label: Some(LabelChoice::Column("churned".into())),
            threshold: 0.7,
            selected: Some("C42".into()),
            ..ChurnPanelView::default()
        };
        let choices = WindowChoices {
            export_folder: Some(PathBuf::from("/tmp/out")),
            recs_customer: Some("17850".into()),
            churn: Some(ChurnChoices::of(&churn)),
            fairness: Some(FairnessChoices::of(&FairnessView::default())),
            campaign: Some(AudienceFilters {
                segments: vec![1, 3],
                risk: Some((0.4, 1.0)),
                ..AudienceFilters::default()
            }),
        };
        let json = serde_json::to_string(&choices).unwrap();
        assert_eq!(WindowChoices::parse(Some(&json)), choices);

        let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
        value["churn"]["threshold"] = serde_json::json!("high");
        let parsed = WindowChoices::parse(Some(&value.to_string()));
        assert_eq!(parsed.churn, None);
        assert_eq!(parsed.campaign, choices.campaign);
        assert_eq!(
            WindowChoices::parse(Some("not json")),
            WindowChoices::default()
        );
        assert_eq!(WindowChoices::parse(None), WindowChoices::default());

        let mut back = ChurnPanelView::default();
        choices.churn.clone().unwrap().apply(&mut back);
        assert_eq!(back.label, Some(LabelChoice::Column("churned".into())));
        assert_eq!(back.threshold, 0.7);
        assert_eq!(back.selected.as_deref(), Some("C42"));
        assert_eq!(back.id_text, "C42");
    }

    #[test]
    fn exports_are_suggested_in_the_last_folder_while_it_exists() {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("Documents");
        let last = Some(dir.path());
        assert_eq!(
            export_folder(last, Some(&docs)),
            Some(dir.path().to_path_buf())
        );
        let gone = dir.path().join("gone");
        assert_eq!(export_folder(Some(&gone), Some(&docs)), Some(docs));
        assert_eq!(export_folder(None, None), None);
        let config = crate::app::AppConfig::from_environment();
        if let Some(folder) = config.export_dir {
            assert!(
                !folder.to_string_lossy().contains("/."),
                "{}",
                folder.display()
            );
        }
    }
}
