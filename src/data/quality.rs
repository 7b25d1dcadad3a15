//! Data-quality checks (`tailor check`).
