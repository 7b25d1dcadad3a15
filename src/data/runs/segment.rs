//! Segmentation runs: memberships in `tailor_segments`, the user's names for segments in
//! `tailor_segment_names`, and the latest segmentation with its names decoded once.

use rusqlite::params;

use super::{NewRun, has_table, latest_run, query_rows, save_run};
use crate::data::dataset::Dataset;
use crate::data::db::Database;
use crate::error::{Error, Result};

/// Stores a segmentation run: the run row plus one membership row per customer.
/// Returns the new run id.
pub fn save_segment_run(
    db: &mut Database,
    seed: u64,
    params_json: &str,
    summary_json: &str,
    memberships: &[(&str, usize)],
) -> Result<i64> {
    save_run(
        db,
        NewRun::seeded("segment", seed, params_json, summary_json),
        "INSERT INTO tailor_segments (run_id, customer_id, segment_id) VALUES (?1, ?2, ?3)",
        memberships,
        |stmt, run_id, (customer, segment)| {
            stmt.execute(params![run_id, customer, *segment as i64])
        },
    )
}

/// The memberships of a stored segmentation run, as (customer id, segment id).
pub fn segment_memberships(db: &Database, run_id: i64) -> Result<Vec<(String, usize)>> {
    query_rows(
        db,
        "SELECT customer_id, segment_id FROM tailor_segments WHERE run_id = ?1
         ORDER BY customer_id",
        [run_id],
        |r| {
            let segment = r.get::<_, i64>(1)?;
            Ok((
                r.get::<_, String>(0)?,
                usize::try_from(segment).unwrap_or(0),
            ))
        },
    )
}

/// The user's names for segments, as (automatic name, user's name).
pub fn segment_names(db: &Database) -> Result<Vec<(String, String)>> {
    if !has_table(db, "tailor_segment_names")? {
        return Ok(Vec::new());
    }
    query_rows(
        db,
        "SELECT auto_name, name FROM tailor_segment_names ORDER BY auto_name",
        [],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
    )
}

/// Keeps the user's name for the segment the rule calls `auto_name` (an empty name removes it).
pub fn rename_segment(db: &mut Database, auto_name: &str, name: &str) -> Result<()> {
    let path = db.path().to_path_buf();
    let conn = db.conn_mut()?;
    let name = name.trim();
    let result = if name.is_empty() || name == auto_name {
        conn.execute(
            "DELETE FROM tailor_segment_names WHERE auto_name = ?1",
            [auto_name],
        )
    } else {
        conn.execute(
            "INSERT INTO tailor_segment_names (auto_name, name) VALUES (?1, ?2)
             ON CONFLICT (auto_name) DO UPDATE SET name = excluded.name",
            [auto_name, name],
        )
    };
    result.map(|_| ()).map_err(Error::sqlite(&path))
}

/// The latest segmentation's segment per customer index, with its run id; `None` without one.
pub fn latest_segments(db: &Database, data: &Dataset) -> Result<Option<(i64, Vec<Option<usize>>)>> {
    let Some(run) = latest_run(db, "segment")? else {
        return Ok(None);
    };
    let mut of = vec![None; data.n_customers()];
    for (id, s) in segment_memberships(db, run.run_id)? {
        if let Some(slot) = data.customer_index(&id).and_then(|i| of.get_mut(i)) {
            *slot = Some(s);
        }
    }
    Ok(Some((run.run_id, of)))
}

/// The latest segmentation run with its segments named and counted.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSegmentation {
    /// `tailor_runs.run_id`.
    pub run_id: i64,
    /// When it ran (UTC, ISO-8601).
    pub created_at: String,
    /// Its non-empty segments, largest first (ties by id).
    pub segments: Vec<StoredSegment>,
    /// The memberships, as (customer id, segment id), by customer id.
    pub members: Vec<(String, usize)>,
}

/// One segment of a stored segmentation.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSegment {
    /// Segment id.
    pub id: usize,
    /// Its name, the user's rename applied (`Segment N` when the run's summary has none).
    pub name: String,
    /// Its customers.
    pub size: usize,
}

/// The latest segmentation run, if any: its segments with their names (from the run's summary,
/// the user's renames applied) and sizes (counted from the memberships), and the memberships.
pub fn latest_segmentation(db: &Database) -> Result<Option<StoredSegmentation>> {
    let Some(run) = latest_run(db, "segment")? else {
        return Ok(None);
    };
    let members = segment_memberships(db, run.run_id)?;
    let renamed = segment_names(db)?;
    let segments = name_segments(run.summary_json.as_deref(), &renamed, &members);
    Ok(Some(StoredSegmentation {
        run_id: run.run_id,
        created_at: run.created_at,
        segments,
        members,
    }))
}

/// The segments of a run: named from its summary JSON (`{"segments": [{"id", "name"}]}`), with
/// the user's `renamed` (automatic name, user's name) applied and `Segment N` for ids the
/// summary does not name; sized by `members`; empty ones dropped; largest first, ties by id.
fn name_segments(
    summary_json: Option<&str>,
    renamed: &[(String, String)],
    members: &[(String, usize)],
) -> Vec<StoredSegment> {
    let summary: Option<serde_json::Value> =
        summary_json.and_then(|s| serde_json::from_str(s).ok());
    let mut segments: Vec<StoredSegment> = Vec::new();
    if let Some(list) = summary
        .as_ref()
        .and_then(|s| s.get("segments"))
        .and_then(|s| s.as_array())
    {
        for s in list {
            let Some(id) = s.get("id").and_then(|v| v.as_u64()) else {
                continue;
            };
            let name = s.get("name").and_then(|v| v.as_str()).unwrap_or_default();
            let name = renamed
                .iter()
                .find(|(auto, _)| auto == name)
                .map_or(name, |(_, user)| user.as_str());
            segments.push(StoredSegment {
                id: id as usize,
                name: name.to_string(),
                size: 0,
            });
        }
    }
    for &(_, seg) in members {
        match segments.iter_mut().find(|s| s.id == seg) {
            Some(s) => s.size += 1,
            None => segments.push(StoredSegment {
                id: seg,
                name: format!("Segment {seg}"),
                size: 1,
            }),
        }
    }
    segments.retain(|s| s.size > 0);
    segments.sort_by(|a, b| b.size.cmp(&a.size).then(a.id.cmp(&b.id)));
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_and_names_round_trip() {
        let mut db = Database::in_memory().unwrap();
        assert!(latest_run(&db, "segment").unwrap().is_none());
        let a = save_segment_run(&mut db, 7, "{\"k\":2}", "{}", &[("b", 1), ("a", 0)]).unwrap();
        let b = save_segment_run(&mut db, 8, "{\"k\":3}", "{}", &[("a", 2)]).unwrap();
        assert!(b > a);
        let last = latest_run(&db, "segment").unwrap().unwrap();
        assert_eq!((last.run_id, last.seed), (b, Some(8)));
        assert_eq!(
            segment_memberships(&db, a).unwrap(),
            vec![("a".to_string(), 0), ("b".to_string(), 1)]
        );
        rename_segment(&mut db, "High-value loyal", "VIPs").unwrap();
        rename_segment(&mut db, "Lapsed loyal", "Win back").unwrap();
        rename_segment(&mut db, "Lapsed loyal", "").unwrap();
        assert_eq!(
            segment_names(&db).unwrap(),
            vec![("High-value loyal".to_string(), "VIPs".to_string())]
        );
    }

    fn segment(id: usize, name: &str, size: usize) -> StoredSegment {
        StoredSegment {
            id,
            name: name.to_string(),
            size,
        }
    }

    #[test]
    fn the_latest_segmentation_is_named_sized_and_sorted() {
        let mut db = Database::in_memory().unwrap();
        assert_eq!(latest_segmentation(&db).unwrap(), None);
        save_segment_run(&mut db, 1, "{}", "{}", &[("a", 0)]).unwrap();
        let summary = r#"{"segments": [
            {"id": 0, "name": "High-value loyal", "size": 99},
            {"id": 1, "name": "Lapsed loyal"},
            {"id": 2, "name": "Nobody"},
            {"name": "No id"},
            {"id": 3}
        ]}"#;
        let members = [
            ("e", 7),
            ("d", 1),
            ("c", 0),
            ("b", 1),
            ("a", 3),
            ("f", 0),
            ("g", 5),
        ];
        let run = save_segment_run(&mut db, 2, "{}", summary, &members).unwrap();
        rename_segment(&mut db, "High-value loyal", "VIPs").unwrap();
        let got = latest_segmentation(&db).unwrap().unwrap();
        assert_eq!(got.run_id, run);
        assert_eq!(
            got.created_at,
            latest_run(&db, "segment").unwrap().unwrap().created_at
        );
        // Sizes from the memberships (not the summary), the empty segment 2 dropped, the ids
        // the summary does not name called "Segment N", ties by id.
        assert_eq!(
            got.segments,
            vec![
                segment(0, "VIPs", 2),
                segment(1, "Lapsed loyal", 2),
                segment(3, "", 1),
                segment(5, "Segment 5", 1),
                segment(7, "Segment 7", 1),
            ]
        );
        assert_eq!(got.members, segment_memberships(&db, run).unwrap());
        assert_eq!(got.members[0], ("a".to_string(), 3));
    }

    #[test]
    fn segments_without_a_readable_summary_are_numbered() {
        let members = vec![
            ("a".to_string(), 2),
            ("b".to_string(), 0),
            ("c".to_string(), 2),
        ];
        let expected = vec![segment(2, "Segment 2", 2), segment(0, "Segment 0", 1)];
        for summary in [
            None,
            Some("not json"),
            Some("{}"),
            Some(r#"{"segments": 3}"#),
        ] {
            assert_eq!(
                name_segments(summary, &[], &members),
                expected,
                "{summary:?}"
            );
        }
        // A rename applies to the name the summary gives, not to "Segment N".
        let renamed = [("Segment 2".to_string(), "Two".to_string())];
        assert_eq!(name_segments(None, &renamed, &members), expected);
        assert!(name_segments(Some("{}"), &[], &[]).is_empty());
    }
}
