//! Customer segmentation: features, RFM scores, k-means and Gaussian mixtures, profiles, names.

pub mod features;
pub mod rfm;
