//! The recommenders' tuning for the open data: kept for the session, stored with the database
//! (a `rec_tuning` run keyed by a digest of what it depends on) and found again while the data is
//! the same, made on first use otherwise; and the options and blend it resolves a request to.

use crate::data::dataset::Dataset;
use crate::data::db::Database;
use crate::data::{TableKind, runs};
use crate::error::Result;
use crate::models::recommend::RecOptions;
use crate::models::recommend::interactions::Interactions;
use crate::models::recommend::methods::{Blend, WeightsSource};
use crate::models::recommend::tune::{Tuning, tune, tuning_key};
use crate::progress::Progress;
use crate::workspace::Workspace;

/// The seed tuning runs with.
pub const TUNE_SEED: u64 = 42;
/// The kind of the stored runs that keep a tuning.
pub(crate) const TUNING_KIND: &str = "rec_tuning";

impl Workspace {
    /// The tuning for the open data under `options` (protected columns, item-CF neighbours):
    /// kept for the session, stored with the database and found again while the data is the
    /// same, made on first use otherwise (seconds; see [`tune`]).
    pub fn rec_tuning(&mut self, options: &RecOptions, progress: &dyn Progress) -> Result<Tuning> {
        let same = |o: &RecOptions| {
            o.use_protected == options.use_protected && o.neighbours == options.neighbours
        };
        if let Some((_, t)) = self.tuning.as_ref().filter(|(o, _)| same(o)) {
            return Ok(t.clone());
        }
        self.db()?
            .require(TableKind::Transactions, "recommendations")?;
        let parts = self.parts(progress)?;
        let built;
        let all = match parts.recommender {
            Some(rec) => &rec.interactions,
            None => {
                built = Interactions::from_dataset(parts.data);
                &built
            }
        };
        let tuning = find_or_tune(parts.db, parts.data, all, options, progress)?;
        self.tuning = Some((*options, tuning.clone()));
        Ok(tuning)
    }

    /// The options the models are fitted with and the blend a request without weights gets:
    /// the tuned ALS settings and weights, unless `options` turns tuning off.
    pub(super) fn resolve(
        &mut self,
        options: &RecOptions,
        progress: &dyn Progress,
    ) -> Result<(RecOptions, Blend, Option<Tuning>)> {
        if !options.tuned {
            return Ok((*options, Blend::default(), None));
        }
        let tuning = self.rec_tuning(options, progress)?;
        let resolved = RecOptions {
            als: tuning.als,
            ..*options
        };
        let blend = Blend {
            weights: tuning.weights,
            source: WeightsSource::Tuned,
        };
        Ok((resolved, blend, Some(tuning)))
    }
}

/// The tuning stored for this data and these options, or a new one (stored unless the database
/// is read-only).
fn find_or_tune(
    db: &mut Database,
    data: &Dataset,
    all: &Interactions,
    options: &RecOptions,
    progress: &dyn Progress,
) -> Result<Tuning> {
    let key = tuning_key(data, all, options, TUNE_SEED);
    let stored = runs::summary_for(db, TUNING_KIND, &key)?
        .and_then(|summary| serde_json::from_str::<Tuning>(&summary).ok());
    if let Some(tuning) = stored {
        return Ok(tuning);
    }
    let tuning = tune(data, all, options, TUNE_SEED, progress)?;
    if !db.is_read_only() {
        let summary = crate::workspace::to_json("tuning", &tuning)?;
        runs::save_summary_run(db, TUNING_KIND, TUNE_SEED, &key, &summary)?;
    }
    Ok(tuning)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::models::recommend::RecRequest;
    use crate::progress::NoProgress;

    fn plain() -> RecOptions {
        RecOptions::default()
    }

    fn sample_ws(dir: &std::path::Path) -> Workspace {
        crate::workspace::sample_workspace(dir, 400, 7)
    }

    /// Tuning runs in `db`.
    pub(crate) fn tuning_runs(ws: &Workspace) -> i64 {
        ws.db()
            .unwrap()
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM tailor_runs WHERE kind = 'rec_tuning'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    }

    #[test]
    fn the_tuning_is_found_again_until_the_data_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = {
            let mut ws = sample_ws(dir.path());
            let info = ws.fit_recommender(&plain(), &NoProgress).unwrap();
            let tuning = info.tuning.clone().unwrap();
            assert_eq!(info.blend.weights, tuning.weights);
            assert_eq!(info.blend.source, WeightsSource::Tuned);
            assert_eq!(info.options.als, tuning.als, "fitted with the tuned ALS");
            // A request without weights blends the tuned ones.
            let id = ws.dataset.as_ref().unwrap().customer_ids[3].clone();
            let out = ws
                .recommend_customer(&id, &RecRequest::default(), &plain(), &NoProgress)
                .unwrap();
            assert_eq!(out.recommendations.unwrap().blend, Some(info.blend));
            ws.db().unwrap().path().to_path_buf()
        };
        // Another session on the same data finds it instead of tuning again.
        let mut ws = Workspace::open(&path).unwrap();
        let first = ws.rec_tuning(&plain(), &NoProgress).unwrap();
        assert_eq!(tuning_runs(&ws), 1);
        // Protected columns change what the demographic method sees: tuned for them apart.
        let protected = RecOptions {
            use_protected: true,
            ..RecOptions::default()
        };
        ws.rec_tuning(&protected, &NoProgress).unwrap();
        assert_eq!(tuning_runs(&ws), 2);
        // Another program adds a purchase: the next session tunes again.
        drop(ws);
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "INSERT INTO transactions (customer_id, ts, order_id, product_id, quantity)
             SELECT customer_id, '2030-01-01', 'NEW-1', product_id, 1 FROM transactions LIMIT 1",
        )
        .unwrap();
        drop(conn);
        let mut ws = Workspace::open(&path).unwrap();
        let again = ws.rec_tuning(&plain(), &NoProgress).unwrap();
        assert_eq!(tuning_runs(&ws), 3);
        assert_eq!(again.seed, first.seed);
    }
}
