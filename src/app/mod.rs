//! The window: eframe app state, panels and theme.

use std::path::PathBuf;

/// Opens the window on `db` (default: a working copy of the bundled sample database).
pub fn run_window(db: Option<PathBuf>) -> anyhow::Result<()> {
    let _ = db;
    anyhow::bail!("the window is not built yet")
}
