//! Customer segmentation: features, RFM scores, k-means and Gaussian mixtures, profiles, names.

pub mod cluster;
pub mod features;
pub mod profile;
pub mod projection;
pub mod rfm;
pub mod run;
