//! Customer lifetime value: BG/NBD for purchase counts and P(alive), Gamma-Gamma for spend
//! per purchase, on per-customer summaries built with the convention of the published CDNOW
//! figures.
//!
//! - `summary`: frequency / recency / T / monetary per customer, calibration and holdout.
//! - `bgnbd`: the BG/NBD likelihood, fit, P(alive) and conditional expected purchases.
//! - `gamma_gamma`: the Gamma-Gamma spend model.
//! - `run`: one run end to end ([`run::run`], [`run::ClvResult`]).
//! - `special`, `optimize`: ln Γ, digamma, ₂F₁; a BFGS minimizer.
//! - `simulate`: customers drawn from the BG/NBD model (tests, benchmark).

pub mod bgnbd;
pub mod gamma_gamma;
pub mod optimize;
pub mod run;
pub mod simulate;
pub mod special;
pub mod summary;
