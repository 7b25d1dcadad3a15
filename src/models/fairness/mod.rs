//! The fairness audit: a decision's rates across the groups of a protected column, the
//! four-fifths guideline, demographic-parity and equalized-odds differences with bootstrap
//! intervals, plain-language flags, and the features that act as proxies for the column.

pub mod audit;
pub mod decision;
pub mod groups;
pub mod proxy;
pub mod report;
