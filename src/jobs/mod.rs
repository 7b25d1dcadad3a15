//! The worker thread: closed `Job` and `Event` enums, progress and cancellation.
//!
//! The window never runs SQL: it submits a [`Job`] to the [`Worker`], which owns the open
//! [`Database`](crate::data::Database) on a named thread and answers with [`Event`]s. Every job
//! carries an id and a [`CancelToken`]; every job ends with exactly one final event (a result,
//! [`Event::Failed`] or [`Event::Cancelled`]). The worker calls the repaint callback after every
//! send so the window wakes up and drains the events with [`Worker::try_recv`].

pub mod campaigns;
pub mod churn;
pub mod fairness;
mod progress;
pub mod recommend;
pub mod segments;
mod summary;
mod worker;

use std::path::PathBuf;
use std::sync::Arc;

use crate::data::browse::RowPage;
use crate::data::import::ImportOptions;
use crate::data::quality::QualityReport;
use crate::data::roles::Role;
use crate::data::sample::SampleOptions;
use crate::data::{TableKind, TableSummary};
use crate::models::recommend::engine::{RecOptions, RecRequest};
use crate::models::recommend::evaluate::Report;
use crate::models::segment::run::SegmentParams;
pub use recommend::{CustomerRecs, ModelsInfo, SegmentList, SegmentRecs};
pub use segments::SegmentResult;

pub use progress::JobProgress;
pub use summary::{import_summary_text, sample_summary_text};
pub use worker::{JobHandle, Worker};

/// Identifies a submitted job; ids increase with each submission.
pub type JobId = u64;

/// Work for the worker thread.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    /// Opens a database file, replacing the open one.
    Open(PathBuf),
    /// Opens the working copy of the bundled sample database, copying it there first if needed.
    OpenDefault {
        /// The bundled (tracked) sample database, never modified.
        bundled: PathBuf,
        /// Where the working copy lives.
        working_copy: PathBuf,
    },
    /// Imports files into the open database, or into `into` (created if absent) which is then
    /// opened.
    Import {
        /// The files to import.
        files: Vec<PathBuf>,
        /// Table, mappings, delimiter and so on.
        options: ImportOptions,
        /// A database to import into instead of the open one.
        into: Option<PathBuf>,
    },
    /// Runs the data-quality checks on the open database.
    Check,
    /// Reads rows `offset..offset + limit` of a table (in rowid order).
    LoadRows {
        /// The table.
        table: TableKind,
        /// 0-based position of the first row.
        offset: u64,
        /// How many rows at most.
        limit: usize,
    },
    /// Stores a column's role.
    SetRole {
        /// The table.
        table: TableKind,
        /// The column.
        column: String,
        /// Its new role.
        role: Role,
    },
    /// Generates a sample database at `out` and opens it.
    NewSample {
        /// Where to write it.
        out: PathBuf,
        /// How many customers, which seed.
        options: SampleOptions,
    },
    /// Segments the open database's customers and stores the run.
    Segment(SegmentParams),
    /// Reruns the last stored segmentation (same seed, same segments) to show it again.
    SegmentLatest,
    /// Keeps the user's name for the segment the naming rule calls `auto_name`.
    RenameSegment {
        /// The automatic name.
        auto_name: String,
        /// The user's name (empty: back to the automatic one).
        name: String,
    },
    /// Writes one segment's customers to a CSV or XLSX file with the privacy guard.
    ExportSegment {
        /// The file.
        path: PathBuf,
        /// The segmentation (with the names as shown).
        result: Arc<SegmentResult>,
        /// The segment id.
        segment: usize,
    },
    /// Fits the recommendation models for the open database (once; kept until it or the options
    /// change).
    FitRecommender {
        /// Whether protected columns may be used, and the model settings.
        options: RecOptions,
    },
    /// Recommends for one customer and reads their recent history.
    Recommend {
        /// The customer id as typed.
        customer_id: String,
        /// Method, top N, repeats, hybrid weights.
        request: RecRequest,
        /// The models' options (fitted again when they differ from the kept models').
        options: RecOptions,
    },
    /// Evaluates every recommendation method (leave-last-out).
    EvaluateRecs {
        /// Whether protected columns may be used, and the model settings.
        options: RecOptions,
        /// The hybrid's weights.
        weights: crate::models::recommend::methods::HybridWeights,
    },
    /// Lists the latest stored segmentation's segments for the Recommendations panel.
    RecSegments,
    /// Recommends for every customer of a segment of the latest stored segmentation.
    RecommendSegment {
        /// The segment id.
        segment: usize,
        /// Method, items per customer, repeats, hybrid weights.
        request: RecRequest,
        /// The models' options.
        options: RecOptions,
    },
    /// Writes a segment's recommendations to a CSV or XLSX file with the privacy guard.
    ExportRecs {
        /// The file.
        path: PathBuf,
        /// The table.
        recs: Arc<SegmentRecs>,
    },
    /// Lists what the Fairness panel can audit.
    FairnessChoices,
    /// Audits a decision by a column (fast once cached: the panel asks on every threshold move).
    Audit {
        /// The column.
        attribute: String,
        /// The decision.
        decision: crate::models::fairness::decision::Decision,
    },
    /// Retrains the churn model without `feature` and audits before and after.
    FairnessWhatIf {
        /// The column.
        attribute: String,
        /// A churn decision.
        decision: crate::models::fairness::decision::Decision,
        /// The feature left out.
        feature: String,
    },
    /// Runs the churn model with the defaults and stores the run (then lists the choices).
    FairnessRunChurn,
    /// Runs the churn model on the open database and stores the run.
    Churn(crate::models::churn::run::ChurnParams),
    /// Fits lifetime value (BG/NBD + Gamma-Gamma) on the open database and stores the run.
    Clv(crate::models::clv::run::ClvParams),
    /// Reads the first and last purchase days, for the suggested calibration end.
    ClvSpan,
    /// Writes the customers above a churn threshold, by value at risk, to a CSV or XLSX file
    /// through the privacy guard.
    ExportChurnTargets {
        /// The file.
        path: PathBuf,
        /// The target list.
        targets: Arc<churn::TargetList>,
        /// Customers with a probability at least this are written.
        threshold: f64,
    },
    /// Reads what the Campaigns panel's filter builder can offer.
    CampaignChoices,
    /// Builds a campaign audience (size, value, preview with offers).
    BuildAudience(campaigns::AudienceFilters),
    /// Builds a campaign audience and exports it (CSV or XLSX) with the privacy guard.
    ExportCampaign {
        /// The file (`.csv` or `.xlsx`).
        path: PathBuf,
        /// Who.
        filters: campaigns::AudienceFilters,
        /// Personal data, consent, k.
        options: crate::export::audience::ExportOptions,
    },
}

impl Job {
    /// A short label for the status bar, in sentence case.
    pub fn label(&self) -> String {
        match self {
            Job::Open(path) => format!("Opening {}", file_name(path)),
            Job::OpenDefault { .. } => "Opening the sample database".to_string(),
            Job::Import { files, .. } => match files.as_slice() {
                [one] => format!("Importing {}", file_name(one)),
                many => format!("Importing {} files", many.len()),
            },
            Job::Check => "Checking data quality".to_string(),
            Job::LoadRows { table, .. } => format!("Reading {}", table.name()),
            Job::SetRole { column, .. } => format!("Saving the role of {column}"),
            Job::NewSample { options, .. } => format!(
                "Generating a sample of {} customers",
                crate::format::thousands(options.customers as u64)
            ),
            Job::Segment(params) => format!("Segmenting customers ({})", params.method.label()),
            Job::SegmentLatest => "Showing the last segmentation".to_string(),
            Job::RenameSegment { .. } => "Renaming a segment".to_string(),
            Job::ExportSegment { path, .. } | Job::ExportRecs { path, .. } => {
                format!("Exporting to {}", file_name(path))
            }
            Job::FitRecommender { .. } => "Fitting the recommendation models".to_string(),
            Job::Recommend { customer_id, .. } => format!("Recommending for {customer_id}"),
            Job::EvaluateRecs { .. } => "Evaluating the recommendation methods".to_string(),
            Job::RecSegments => "Reading the stored segments".to_string(),
            Job::RecommendSegment { request, .. } => {
                format!("Recommending for a segment ({})", request.method.label())
            }
            Job::CampaignChoices => "Reading the campaign filters".to_string(),
            Job::BuildAudience(_) => "Building the audience".to_string(),
            Job::ExportCampaign { path, .. } => format!("Exporting to {}", file_name(path)),
            Job::FairnessChoices => "Reading what can be audited".to_string(),
            Job::Audit { attribute, .. } => format!("Auditing by {attribute}"),
            Job::FairnessWhatIf { feature, .. } => {
                format!("Retraining the churn model without {feature}")
            }
            Job::FairnessRunChurn => "Running the churn model".to_string(),
            Job::Churn(params) => format!("Predicting churn ({})", params.model.as_str()),
            Job::Clv(_) => "Fitting lifetime value".to_string(),
            Job::ClvSpan => "Reading the purchase dates".to_string(),
            Job::ExportChurnTargets { path, .. } => format!("Exporting to {}", file_name(path)),
        }
    }

    /// Whether the status bar should show this job (quick page reads are not shown).
    pub fn is_shown(&self) -> bool {
        // Renames and exports are quick and must not supersede a running segmentation.
        // One customer's recommendations are instant once the models are fitted.
        !matches!(
            self,
            Job::LoadRows { .. }
                | Job::RenameSegment { .. }
                | Job::ExportSegment { .. }
                | Job::Recommend { .. }
                | Job::RecSegments
                | Job::ExportRecs { .. }
                | Job::FairnessChoices
                | Job::Audit { .. }
                | Job::ExportChurnTargets { .. }
                | Job::ClvSpan
                | Job::CampaignChoices
        )
    }
}

/// A file's name for labels ("demo.sqlite"), or the whole path when it has none.
pub fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// What the window shows about the open database.
#[derive(Debug, Clone, PartialEq)]
pub struct DbInfo {
    /// The database file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size_bytes: u64,
    /// Why it is read-only, when it is.
    pub read_only_reason: Option<String>,
    /// The customer tables present, with row counts and column roles.
    pub tables: Vec<TableSummary>,
}

/// What the worker tells the window.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Progress of a running job.
    Progress {
        /// The job.
        job_id: JobId,
        /// 0..=1, or negative when unknown.
        fraction: f32,
        /// What it is doing.
        message: String,
    },
    /// A database was opened (by Open, OpenDefault, Import into a new file or NewSample).
    Opened {
        /// The job.
        job_id: JobId,
        /// The database.
        info: DbInfo,
    },
    /// There is no bundled sample to open: the window shows its empty state.
    NoDatabase {
        /// The job.
        job_id: JobId,
    },
    /// Rows of a table.
    Rows {
        /// The job.
        job_id: JobId,
        /// The table.
        table: TableKind,
        /// Position of the first row.
        offset: u64,
        /// The rows.
        page: RowPage,
    },
    /// An import finished; the database info is refreshed.
    Imported {
        /// The job.
        job_id: JobId,
        /// What happened, file by file, as text for people.
        summary: String,
        /// The database imported into, after the import.
        info: DbInfo,
    },
    /// A sample database was generated (and opened: an [`Event::Opened`] follows).
    SampleCreated {
        /// The job.
        job_id: JobId,
        /// What was generated, as text for people.
        summary: String,
    },
    /// The quality report.
    Checked {
        /// The job.
        job_id: JobId,
        /// The report.
        report: QualityReport,
    },
    /// A role was stored; the tables' columns are refreshed.
    RoleSet {
        /// The job.
        job_id: JobId,
        /// The database after the change.
        info: DbInfo,
    },
    /// A segmentation finished; `None` when the database has no stored run to show again.
    Segmented {
        /// The job.
        job_id: JobId,
        /// The result.
        result: Option<Arc<SegmentResult>>,
    },
    /// A segment's name was stored.
    SegmentRenamed {
        /// The job.
        job_id: JobId,
        /// The automatic name.
        auto_name: String,
        /// The user's name (empty: back to the automatic one).
        name: String,
    },
    /// A segment was exported.
    SegmentExported {
        /// The job.
        job_id: JobId,
        /// The file written.
        path: PathBuf,
        /// The segment id.
        segment: usize,
        /// Customers written.
        customers: usize,
        /// What was written and left out (consent, personal data, k-anonymity).
        summary: Arc<crate::export::audience::ExportSummary>,
    },
    /// The recommendation models are fitted.
    RecModelsReady {
        /// The job.
        job_id: JobId,
        /// What the panel needs to know about them.
        info: ModelsInfo,
    },
    /// One customer's recommendations (or that the id is unknown).
    Recommended {
        /// The job.
        job_id: JobId,
        /// The answer.
        result: Arc<CustomerRecs>,
    },
    /// Every method's evaluation.
    RecsEvaluated {
        /// The job.
        job_id: JobId,
        /// The report.
        report: Report,
    },
    /// The latest stored segmentation's segments (`None`: no stored run).
    RecSegmentsListed {
        /// The job.
        job_id: JobId,
        /// The segments.
        list: Option<Arc<SegmentList>>,
    },
    /// A segment's recommendations.
    SegmentRecommended {
        /// The job.
        job_id: JobId,
        /// The table.
        recs: Arc<SegmentRecs>,
    },
    /// A segment's recommendations were exported.
    RecsExported {
        /// The job.
        job_id: JobId,
        /// The file written.
        path: PathBuf,
        /// Rows written.
        rows: usize,
        /// What was written and left out (consent, personal data, k-anonymity).
        summary: Arc<crate::export::audience::ExportSummary>,
    },
    /// What the Fairness panel can audit.
    FairnessChoicesListed {
        /// The job.
        job_id: JobId,
        /// The choices.
        choices: Arc<fairness::FairnessChoices>,
        /// The churn run just stored, for [`Job::FairnessRunChurn`].
        stored_churn_run: Option<i64>,
    },
    /// An audit.
    Audited {
        /// The job.
        job_id: JobId,
        /// The report.
        report: Arc<crate::models::fairness::report::AuditReport>,
    },
    /// The what-if's before and after.
    WhatIfDone {
        /// The job.
        job_id: JobId,
        /// The comparison.
        result: Arc<fairness::WhatIf>,
    },
    /// A churn run finished.
    ChurnReady {
        /// The job.
        job_id: JobId,
        /// What the panel draws.
        churn: Arc<churn::ChurnView>,
        /// Every scored customer by value at risk.
        targets: Arc<churn::TargetList>,
    },
    /// A lifetime-value run finished.
    ClvReady {
        /// The job.
        job_id: JobId,
        /// What the panel draws.
        clv: Arc<churn::ClvView>,
        /// The target list with values joined in (when churn has run).
        targets: Option<Arc<churn::TargetList>>,
    },
    /// The purchase history's dates were read (`None`: no purchases).
    ClvSpanRead {
        /// The job.
        job_id: JobId,
        /// The dates and the suggested calibration end.
        span: Option<Arc<churn::PurchaseSpan>>,
    },
    /// The churn target list was exported.
    ChurnTargetsExported {
        /// The job.
        job_id: JobId,
        /// The file written.
        path: PathBuf,
        /// Customers written.
        rows: usize,
        /// The privacy guard's sentences: consent, personal data, k-anonymity, recording.
        notes: Vec<String>,
    },
    /// What the Campaigns panel can filter on.
    CampaignChoicesRead {
        /// The job.
        job_id: JobId,
        /// The choices.
        choices: Arc<campaigns::CampaignChoices>,
    },
    /// A campaign audience.
    AudienceBuilt {
        /// The job.
        job_id: JobId,
        /// The audience.
        result: Arc<campaigns::AudienceResult>,
    },
    /// A campaign audience was exported.
    CampaignExported {
        /// The job.
        job_id: JobId,
        /// The file and what was written.
        exported: Arc<campaigns::CampaignExported>,
    },
    /// The job failed; the message is one line for people.
    Failed {
        /// The job.
        job_id: JobId,
        /// What went wrong.
        message: String,
    },
    /// The job stopped because it was cancelled.
    Cancelled {
        /// The job.
        job_id: JobId,
    },
}

impl Event {
    /// The job this event is about.
    pub fn job_id(&self) -> JobId {
        match self {
            Event::Progress { job_id, .. }
            | Event::Opened { job_id, .. }
            | Event::NoDatabase { job_id }
            | Event::Rows { job_id, .. }
            | Event::Imported { job_id, .. }
            | Event::SampleCreated { job_id, .. }
            | Event::Checked { job_id, .. }
            | Event::RoleSet { job_id, .. }
            | Event::Segmented { job_id, .. }
            | Event::SegmentRenamed { job_id, .. }
            | Event::SegmentExported { job_id, .. }
            | Event::RecModelsReady { job_id, .. }
            | Event::Recommended { job_id, .. }
            | Event::RecsEvaluated { job_id, .. }
            | Event::RecSegmentsListed { job_id, .. }
            | Event::SegmentRecommended { job_id, .. }
            | Event::RecsExported { job_id, .. }
            | Event::CampaignChoicesRead { job_id, .. }
            | Event::AudienceBuilt { job_id, .. }
            | Event::CampaignExported { job_id, .. }
            | Event::FairnessChoicesListed { job_id, .. }
            | Event::Audited { job_id, .. }
            | Event::WhatIfDone { job_id, .. }
            | Event::ChurnReady { job_id, .. }
            | Event::ClvReady { job_id, .. }
            | Event::ChurnTargetsExported { job_id, .. }
            | Event::ClvSpanRead { job_id, .. }
            | Event::Failed { job_id, .. }
            | Event::Cancelled { job_id } => *job_id,
        }
    }

    /// Whether this is the job's last event.
    pub fn is_final(&self) -> bool {
        !matches!(self, Event::Progress { .. } | Event::SampleCreated { .. })
    }
}
