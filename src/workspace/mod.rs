//! The library layer under both faces: a [`Workspace`] owns what a session holds — the open
//! database, the loaded [`Dataset`], the fitted recommenders, the fairness and churn caches, the
//! latest results that can be exported — and has one method per use case.
//!
//! The command line opens a workspace and calls one method; the window's worker thread keeps one
//! workspace for the session and calls a method per job. Methods take plain parameters, report
//! through [`Progress`](crate::progress::Progress) and return plain results. Whatever is derived
//! from the data is dropped by [`Workspace::invalidate`] when the data or a role changes.

pub mod campaigns;
pub mod churn;
pub mod data;
pub mod export;
pub mod fairness;
pub mod merchandise;
pub mod overview;
pub mod recommend;
pub mod report;
pub mod segments;
pub mod settings;
pub mod tuning;

use std::path::Path;
use std::sync::Arc;

use crate::data::dataset::Dataset;
use crate::data::db::Database;
use crate::error::{Error, Result};
use crate::models::recommend::Recommender;
use crate::progress::Progress;

/// What a session holds: the open database and everything derived from it.
#[derive(Default)]
pub struct Workspace {
    /// The open database.
    db: Option<Database>,
    /// The database loaded for the models (dropped when the data or roles change).
    dataset: Option<Dataset>,
    /// The recommendation models fitted on `dataset` (dropped with it).
    recommender: Option<Recommender>,
    /// The recommenders' tuning for `dataset` and the options it was made under (dropped
    /// with it).
    tuning: Option<(
        crate::models::recommend::RecOptions,
        crate::models::recommend::tune::Tuning,
    )>,
    /// What fairness audits keep between threshold moves (dropped with `dataset`).
    fairness: fairness::FairnessCache,
    /// The latest churn and lifetime-value results on `dataset` (dropped with it).
    churn: churn::ChurnCache,
    /// The latest segmentation shown, exported from here.
    segmentation: Option<Arc<segments::SegmentResult>>,
    /// The latest segment's recommendations, exported from here.
    segment_recs: Option<Arc<recommend::SegmentRecs>>,
    /// The latest fairness audit in one sentence (audits are not stored).
    latest_audit: Option<String>,
    /// Where pages of rows start, per table.
    rows: data::RowIndex,
    /// Settings set this session on a read-only database (`None`: removed), over its stored ones.
    unsaved_settings: std::collections::BTreeMap<String, Option<String>>,
}

impl Workspace {
    /// A workspace with no database open (the window before its first Open).
    pub fn new() -> Workspace {
        Workspace::default()
    }

    /// A workspace on the database at `path` (the command line).
    pub fn open(path: &Path) -> Result<Workspace> {
        let mut ws = Workspace::new();
        ws.replace_db(Database::open(path)?);
        Ok(ws)
    }

    /// The open database.
    pub fn db(&self) -> Result<&Database> {
        self.db.as_ref().ok_or_else(no_database)
    }

    /// The open database, to write its `tailor_*` tables.
    pub fn db_mut(&mut self) -> Result<&mut Database> {
        self.db.as_mut().ok_or_else(no_database)
    }

    /// Forgets everything derived from the data: the loaded dataset, the models, the caches and
    /// the results kept for export. Called when the data or a column's role changes.
    pub fn invalidate(&mut self) {
        self.dataset = None;
        self.recommender = None;
        self.tuning = None;
        self.fairness = fairness::FairnessCache::default();
        self.churn = churn::ChurnCache::default();
        self.segmentation = None;
        self.segment_recs = None;
        self.latest_audit = None;
        self.rows = data::RowIndex::default();
    }

    /// Opens `db` in place of the open database.
    pub fn replace_db(&mut self, db: Database) {
        self.invalidate();
        self.unsaved_settings.clear();
        self.db = Some(db);
    }

    /// The open database loaded into memory (loaded once, kept until [`Workspace::invalidate`]).
    pub fn dataset(&mut self, progress: &dyn Progress) -> Result<&Dataset> {
        Ok(self.loaded(progress)?.1)
    }

    /// The open database and its loaded data, borrowed together.
    fn loaded(&mut self, progress: &dyn Progress) -> Result<(&mut Database, &Dataset)> {
        let parts = self.parts(progress)?;
        Ok((parts.db, parts.data))
    }

    /// The session's parts borrowed apart, with the data loaded.
    fn parts(&mut self, progress: &dyn Progress) -> Result<Parts<'_>> {
        let Workspace {
            db,
            dataset,
            recommender,
            fairness,
            ..
        } = self;
        let db = db.as_mut().ok_or_else(no_database)?;
        if dataset.is_none() {
            *dataset = Some(Dataset::load(db, progress)?);
        }
        let data = dataset.as_ref().ok_or_else(no_database)?;
        Ok(Parts {
            db,
            data,
            recommender: recommender.as_ref(),
            fairness,
        })
    }
}

/// The open database, its loaded data and the caches, borrowed apart.
struct Parts<'a> {
    db: &'a mut Database,
    data: &'a Dataset,
    recommender: Option<&'a Recommender>,
    fairness: &'a mut fairness::FairnessCache,
}

/// The error of a use case that needs a database when none is open.
fn no_database() -> Error {
    Error::Invalid("no database is open: open or import one first".to_string())
}

/// Serializes run parameters or a summary for storage.
fn to_json<T: serde::Serialize>(what: &str, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Invalid(format!("{what}: {e}")))
}

/// A workspace on a generated sample of `customers` customers (tests).
#[cfg(test)]
pub(crate) fn sample_workspace(dir: &Path, customers: usize, seed: u64) -> Workspace {
    let path = dir.join("s.sqlite");
    let options = crate::data::sample::SampleOptions { customers, seed };
    crate::data::sample::generate(&path, &options, None, &crate::progress::NoProgress)
        .and_then(|_| Workspace::open(&path))
        .unwrap_or_else(|e| panic!("sample workspace: {e}"))
}

/// A workspace on a generated sample in a new temporary folder, kept as long as the folder
/// (tests).
#[cfg(test)]
pub(crate) fn sample_session(customers: usize, seed: u64) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary folder: {e}"));
    let ws = sample_workspace(dir.path(), customers, seed);
    (dir, ws)
}
