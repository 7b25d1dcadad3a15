//! The data layer: schema, opening and validating databases, column roles, import of CSV and
//! XLSX files, data-quality checks and the synthetic sample generator. No egui here.

pub mod browse;
pub mod dataset;
pub mod db;
pub mod import;
pub mod merchandise;
pub mod personal;
pub mod quality;
pub mod revenue;
pub mod roles;
pub mod runs;
pub mod sample;
pub mod schema;
pub mod settings;
pub mod values;

pub use db::{ColumnInfo, Database, TableSummary};
pub use roles::Role;
pub use schema::TableKind;
