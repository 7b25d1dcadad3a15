//! The Segments panel's state, its commands and the worker events it takes.
//!
//! Everything heavy (the run, the scatter sample, the table's sort orders) is computed on the
//! worker; here the points are converted once when a result arrives, and the selected segment's
//! rows are picked from a precomputed order when the selection or sort changes.

use std::sync::Arc;

use egui_plot::PlotPoint;

use crate::app::Command;
use crate::app::desk::{Change, Desk, FeatureState};
use crate::app::export::ExportFlow;
use crate::jobs::{Job, JobId, SegmentDone, SegmentJob};
use crate::models::segment::run::{KChoice, SegmentMethod, SegmentParams};
use crate::workspace::segments::SegmentResult;

/// What the Segments panel asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum SegmentCommand {
    /// Run a segmentation.
    Run(SegmentParams),
    /// Show the last stored run again (rerun with its parameters), if there is one.
    ShowLast,
    /// Keep the user's name for a segment.
    Rename {
        /// The automatic name.
        auto_name: String,
        /// The new name.
        name: String,
    },
}

/// The controls above the results.
#[derive(Debug, Clone, PartialEq)]
pub struct Controls {
    /// The method.
    pub method: SegmentMethod,
    /// Choose k by silhouette.
    pub k_auto: bool,
    /// k when not automatic.
    pub k: usize,
    /// k-means restarts.
    pub restarts: usize,
    /// Random seed.
    pub seed: u64,
    /// Use protected columns as features.
    pub include_protected: bool,
}

impl Default for Controls {
    fn default() -> Self {
        Controls::from_params(&SegmentParams::default())
    }
}

impl Controls {
    /// The controls showing `params`.
    pub fn from_params(params: &SegmentParams) -> Controls {
        let (k_auto, k) = match params.k {
            KChoice::Auto => (true, 5),
            KChoice::Fixed(k) => (false, k.clamp(2, 10)),
        };
        Controls {
            method: params.method,
            k_auto,
            k,
            restarts: params.restarts.max(1),
            seed: params.seed,
            include_protected: params.include_protected,
        }
    }

    /// The parameters of a run with these controls.
    pub fn params(&self) -> SegmentParams {
        SegmentParams {
            method: self.method,
            k: if self.k_auto {
                KChoice::Auto
            } else {
                KChoice::Fixed(self.k)
            },
            restarts: self.restarts.max(1),
            seed: self.seed,
            include_protected: self.include_protected,
        }
    }
}

/// One segment's points in the scatter (converted once, when the result arrives).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The segment id.
    pub segment: usize,
    /// Projected positions of its sampled customers.
    pub points: Vec<PlotPoint>,
    /// The customer index of each point.
    pub customers: Vec<u32>,
}

/// A result on screen.
#[derive(Debug, Clone)]
pub struct Shown {
    /// The result (names updated in place when a segment is renamed).
    pub result: Arc<SegmentResult>,
    /// The scatter's series, one per segment.
    pub series: Arc<Vec<Series>>,
}

/// The Segments panel's state.
#[derive(Debug, Default)]
pub struct SegmentsView {
    /// The controls.
    pub controls: Controls,
    /// Whether the last stored run was asked for, for the open database.
    pub requested_last: bool,
    /// Whether a segmentation is running.
    pub running: bool,
    /// The result on screen.
    pub shown: Option<Shown>,
    /// The segment whose customers are listed.
    pub selected: Option<usize>,
    /// The table's sort: column index and descending.
    pub sort: (usize, bool),
    /// The selected segment's customers, in sort order.
    pub rows: Vec<u32>,
    /// The segment being renamed and the text typed.
    pub renaming: Option<(usize, String)>,
    /// Focus the rename field (with its text selected) on the next frame.
    pub rename_focus: bool,
    /// Export segment…: the dialog, the running export, the last outcome (of this result).
    pub export: ExportFlow,
    /// The scatter's "Save as PNG…".
    pub scatter_png: crate::app::chart_png::PngSaver,
    /// Each segment card's profile chart's "Save as PNG…", by segment id.
    pub profile_png: std::collections::BTreeMap<usize, crate::app::chart_png::PngSaver>,
    /// The k-selection charts' "Save as PNG…" (both charts in one image).
    pub k_png: crate::app::chart_png::PngSaver,
}

impl SegmentsView {
    /// Forgets the result: another database was opened (or the open one changed).
    pub fn reset(&mut self) {
        let controls = self.controls.clone();
        *self = SegmentsView {
            controls,
            ..SegmentsView::default()
        };
    }

    /// Shows a new result: converts the scatter's points and lists the largest segment.
    pub fn show(&mut self, result: Arc<SegmentResult>) {
        let projection = &result.run.projection;
        let series = result
            .scatter
            .iter()
            .map(|(segment, customers)| Series {
                segment: *segment,
                points: customers
                    .iter()
                    .map(|&i| {
                        let x = projection.x.get(i as usize).copied().unwrap_or(0.0);
                        let y = projection.y.get(i as usize).copied().unwrap_or(0.0);
                        PlotPoint::new(f64::from(x), f64::from(y))
                    })
                    .collect(),
                customers: customers.clone(),
            })
            .collect();
        self.controls = Controls::from_params(&result.run.params);
        let keep = self.selected.filter(|id| result.run.segment(*id).is_some());
        let largest = result
            .run
            .segments
            .iter()
            .max_by_key(|s| (s.size, std::cmp::Reverse(s.id)))
            .map(|s| s.id);
        self.selected = keep.or(largest);
        if self.sort.0 >= result.columns.len() {
            self.sort = (0, false);
        }
        self.renaming = None;
        // Another run: the cards' profile charts are new (segment ids may mean other segments).
        self.profile_png.retain(|_, saver| saver.is_waiting());
        self.export.forget_outcome();
        self.shown = Some(Shown {
            result,
            series: Arc::new(series),
        });
        self.refresh_rows();
    }

    /// Lists a segment's customers.
    pub fn select(&mut self, segment: usize) {
        if self.selected != Some(segment) {
            self.selected = Some(segment);
            self.refresh_rows();
        }
    }

    /// Sorts the table by a column; the same column again flips the direction.
    pub fn sort_by(&mut self, column: usize) {
        self.sort = if self.sort.0 == column {
            (column, !self.sort.1)
        } else {
            (column, false)
        };
        self.refresh_rows();
    }

    /// Picks the selected segment's customers from the precomputed order (one pass).
    fn refresh_rows(&mut self) {
        self.rows.clear();
        let (Some(shown), Some(segment)) = (&self.shown, self.selected) else {
            return;
        };
        let result = &shown.result;
        let Some(order) = result.orders.get(self.sort.0) else {
            return;
        };
        let labels = &result.run.labels;
        let size = result.run.segment(segment).map_or(0, |s| s.size);
        self.rows.reserve(size);
        self.rows.extend(
            order
                .iter()
                .copied()
                .filter(|&i| labels.get(i as usize) == Some(&segment)),
        );
        if self.sort.1 {
            self.rows.reverse();
        }
    }

    /// Shows the new name of every segment the rule calls `auto_name`.
    pub fn renamed(&mut self, auto_name: &str, name: &str) {
        let Some(shown) = self.shown.as_mut() else {
            return;
        };
        Arc::make_mut(&mut shown.result).run.rename(auto_name, name);
    }
}

impl FeatureState<SegmentCommand, SegmentJob, SegmentDone> for SegmentsView {
    fn apply(&mut self, command: SegmentCommand, desk: &mut Desk) {
        match command {
            SegmentCommand::Run(params) => {
                desk.error = None;
                self.running = true;
                self.requested_last = true;
                desk.submit(Job::Segments(SegmentJob::Run(params)));
            }
            SegmentCommand::ShowLast => {
                self.running = true;
                self.requested_last = true;
                desk.submit(Job::Segments(SegmentJob::ShowLatest));
            }
            SegmentCommand::Rename { auto_name, name } => {
                self.renaming = None;
                desk.submit(Job::Segments(SegmentJob::Rename { auto_name, name }));
            }
        }
    }

    fn take(&mut self, _id: JobId, done: SegmentDone, desk: &mut Desk) {
        match done {
            SegmentDone::Segmented(result) => {
                self.running = false;
                match result {
                    Some(result) => {
                        let n = crate::format::thousands(result.run.labels.len() as u64);
                        let k = result.run.segments.len();
                        desk.notice = Some(if result.reshown {
                            format!("Showing the last segmentation: {k} segments of {n} customers")
                        } else {
                            format!("Segmented {n} customers into {k} segments")
                        });
                        self.show(result);
                    }
                    None => self.shown = None,
                }
            }
            SegmentDone::Renamed { auto_name, name } => {
                self.renamed(&auto_name, &name);
                desk.notice = Some("Segment renamed".to_string());
            }
        }
    }

    fn ended(&mut self, _id: JobId, job: &SegmentJob, _failure: Option<&str>) -> bool {
        if !matches!(job, SegmentJob::Rename { .. }) {
            self.running = false;
        }
        false
    }

    fn changed(&mut self, change: Change) {
        match change {
            Change::Opened => self.reset(),
            Change::Data | Change::SegmentsStored => {}
        }
    }
}

/// A command for the Segments panel.
pub fn command(c: SegmentCommand) -> Command {
    Command::Segments(c)
}
