//! The synthetic sample database (`tailor sample`).
