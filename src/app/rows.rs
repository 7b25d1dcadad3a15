//! The Data panel's row cache: pages of rows fetched from the worker as they come into view.

use std::collections::{HashMap, HashSet};

use crate::data::TableKind;
use crate::jobs::{JobHandle, JobId};

/// Rows per page fetched from the worker.
pub const PAGE_ROWS: u64 = 200;
/// Pages kept in memory; the farthest from view are dropped beyond this.
pub const KEEP_PAGES: usize = 60;
/// Pages either side of the visible rows that are fetched ahead.
const LOOKAHEAD_PAGES: u64 = 1;
/// Requests for pages farther than this from view are cancelled.
const CANCEL_DISTANCE_PAGES: u64 = 3;

/// Cached pages of one table's rows.
#[derive(Debug, Default)]
pub struct RowCache {
    table: Option<TableKind>,
    total: u64,
    pages: HashMap<u64, Vec<Vec<String>>>,
    requested: HashMap<u64, JobHandle>,
    failed: HashSet<u64>,
    visible: Option<(u64, u64)>,
}

impl RowCache {
    /// Starts over for `table` with `total` rows, cancelling outstanding requests.
    pub fn reset(&mut self, table: Option<TableKind>, total: u64) {
        for handle in self.requested.values() {
            handle.token.cancel();
        }
        *self = RowCache {
            table,
            total,
            ..RowCache::default()
        };
    }

    /// The table shown.
    pub fn table(&self) -> Option<TableKind> {
        self.table
    }

    /// Number of rows in the table.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The text of a cell, if its page is loaded.
    pub fn cell(&self, row: u64, column: usize) -> Option<&str> {
        let page = self.pages.get(&(row / PAGE_ROWS))?;
        let cells = page.get(usize::try_from(row % PAGE_ROWS).ok()?)?;
        cells.get(column).map(String::as_str)
    }

    /// Whether a row's page is loaded.
    pub fn is_loaded(&self, row: u64) -> bool {
        self.pages.contains_key(&(row / PAGE_ROWS))
    }

    /// Forgets which rows were visible (call before drawing the grid).
    pub fn begin_frame(&mut self) {
        self.visible = None;
    }

    /// Notes that `row` was drawn this frame.
    pub fn note_visible(&mut self, row: u64) {
        self.visible = Some(match self.visible {
            None => (row, row),
            Some((a, b)) => (a.min(row), b.max(row)),
        });
    }

    /// Pages that should be requested now: those in and around view, not loaded or asked for.
    pub fn wanted_pages(&self) -> Vec<u64> {
        let Some((first, last)) = self.visible else {
            return Vec::new();
        };
        if self.table.is_none() || self.total == 0 {
            return Vec::new();
        }
        let last_page = (self.total - 1) / PAGE_ROWS;
        let from = (first / PAGE_ROWS).saturating_sub(LOOKAHEAD_PAGES);
        let to = (last / PAGE_ROWS + LOOKAHEAD_PAGES).min(last_page);
        // Visible pages first, then the ones ahead.
        let mut pages: Vec<u64> = (from..=to)
            .filter(|p| {
                !self.pages.contains_key(p)
                    && !self.requested.contains_key(p)
                    && !self.failed.contains(p)
            })
            .collect();
        let centre = (first + last) / 2 / PAGE_ROWS;
        pages.sort_by_key(|p| p.abs_diff(centre));
        pages
    }

    /// Records that `page` was requested by job `handle`.
    pub fn requested(&mut self, page: u64, handle: JobHandle) {
        self.requested.insert(page, handle);
    }

    /// Cancels requests for pages far from view, and drops far pages beyond [`KEEP_PAGES`].
    pub fn forget_far(&mut self) {
        let Some((first, last)) = self.visible else {
            return;
        };
        let (lo, hi) = (first / PAGE_ROWS, last / PAGE_ROWS);
        let distance = |p: u64| {
            if p < lo { lo - p } else { p.saturating_sub(hi) }
        };
        self.requested.retain(|page, handle| {
            let keep = distance(*page) <= CANCEL_DISTANCE_PAGES;
            if !keep {
                handle.token.cancel();
            }
            keep
        });
        if self.pages.len() > KEEP_PAGES {
            let mut loaded: Vec<u64> = self.pages.keys().copied().collect();
            loaded.sort_by_key(|p| std::cmp::Reverse(distance(*p)));
            let excess = self.pages.len() - KEEP_PAGES;
            for page in loaded.into_iter().take(excess) {
                self.pages.remove(&page);
            }
        }
    }

    /// Whether job `job_id` is one of this cache's outstanding requests.
    pub fn is_request(&self, job_id: JobId) -> bool {
        self.requested.values().any(|h| h.id == job_id)
    }

    /// Stores rows from job `job_id` if it is still wanted; returns false when superseded.
    pub fn accept(
        &mut self,
        job_id: JobId,
        table: TableKind,
        offset: u64,
        rows: Vec<Vec<String>>,
    ) -> bool {
        let page = offset / PAGE_ROWS;
        let current = self.table == Some(table)
            && offset.is_multiple_of(PAGE_ROWS)
            && self.requested.get(&page).is_some_and(|h| h.id == job_id);
        if !current {
            return false;
        }
        self.requested.remove(&page);
        self.pages.insert(page, rows);
        true
    }

    /// Notes that a request failed or was cancelled; a failed page is not asked for again.
    pub fn request_ended(&mut self, job_id: JobId, failed: bool) {
        let Some(page) = self
            .requested
            .iter()
            .find(|(_, h)| h.id == job_id)
            .map(|(p, _)| *p)
        else {
            return;
        };
        self.requested.remove(&page);
        if failed {
            self.failed.insert(page);
        }
    }

    /// Number of pages loaded (tests, benchmark).
    pub fn loaded_pages(&self) -> usize {
        self.pages.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handle(id: JobId) -> JobHandle {
        JobHandle::new(id)
    }

    #[test]
    fn superseded_pages_are_dropped() {
        let mut cache = RowCache::default();
        cache.reset(Some(TableKind::Customers), 1000);
        cache.begin_frame();
        cache.note_visible(0);
        cache.note_visible(30);
        assert_eq!(cache.wanted_pages(), vec![0, 1]);
        let old = handle(1);
        cache.requested(0, old.clone());
        // The user switches tables: the old request is cancelled, its rows are not shown.
        cache.reset(Some(TableKind::Products), 10);
        assert!(old.token.is_cancelled());
        assert!(!cache.accept(1, TableKind::Customers, 0, vec![vec!["x".into()]]));
        assert!(!cache.is_loaded(0));
        cache.requested(0, handle(2));
        assert!(!cache.accept(1, TableKind::Products, 0, vec![vec!["x".into()]]));
        assert!(cache.accept(2, TableKind::Products, 0, vec![vec!["p1".into()]]));
        assert_eq!(cache.cell(0, 0), Some("p1"));
        assert_eq!(cache.cell(1, 0), None);
    }

    #[test]
    fn far_requests_are_cancelled() {
        let mut cache = RowCache::default();
        cache.reset(Some(TableKind::Customers), 1_000_000);
        let h = handle(5);
        cache.requested(0, h.clone());
        cache.begin_frame();
        cache.note_visible(500_000);
        cache.forget_far();
        assert!(h.token.is_cancelled());
        assert!(!cache.is_request(5));
        assert_eq!(cache.wanted_pages(), vec![2500, 2499, 2501]);
    }
}
