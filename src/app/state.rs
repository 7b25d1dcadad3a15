//! The window's persisted settings (small) and where files live.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Most recent files kept.
pub const MAX_RECENT: usize = 8;

/// The state that is persisted between runs: kept small, every field defaulted.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Databases opened recently, most recent first.
    pub recent: Vec<PathBuf>,
    /// Whether presentation mode (larger text, personal data masked) is on.
    pub presentation: bool,
}

impl Settings {
    /// Reads settings from `path`; a missing or unreadable file gives the defaults.
    pub fn load(path: &Path) -> Settings {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Writes settings to `path` (atomically), creating its folder.
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
        }
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| Error::Invalid(format!("settings could not be written: {e}")))?;
        crate::files::write_atomically(path, |w| {
            use std::io::Write;
            w.write_all(text.as_bytes()).map_err(Error::io(path))
        })
    }

    /// Puts `path` first in the recent files.
    pub fn remember(&mut self, path: &Path) {
        self.recent.retain(|p| p != path);
        self.recent.insert(0, path.to_path_buf());
        self.recent.truncate(MAX_RECENT);
    }
}

/// Where the window keeps its files and what it opens first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppConfig {
    /// The settings file; `None` keeps settings for this session only.
    pub settings_file: Option<PathBuf>,
    /// The bundled sample database and its working copy, opened when no database is named;
    /// `None` starts with the empty state.
    pub default_db: Option<(PathBuf, PathBuf)>,
    /// The folder new databases (samples, imports) are suggested in.
    pub data_dir: Option<PathBuf>,
    /// Where exports are suggested before the first export (the user's Documents folder, else
    /// home); `None`: the database's folder.
    pub export_dir: Option<PathBuf>,
}

impl AppConfig {
    /// The configuration of the real window: XDG folders under the user's home.
    pub fn from_environment() -> AppConfig {
        let data_dir = xdg_dir("XDG_DATA_HOME", ".local/share").map(|d| d.join("tailor"));
        let config_dir = xdg_dir("XDG_CONFIG_HOME", ".config").map(|d| d.join("tailor"));
        let exe = std::env::current_exe().ok();
        let bundled = bundled_sample(exe.as_deref(), Path::is_file);
        AppConfig {
            settings_file: config_dir.map(|d| d.join("settings.json")),
            default_db: data_dir.as_ref().map(|d| (bundled, d.join("demo.sqlite"))),
            data_dir,
            export_dir: documents_or_home(),
        }
    }

    /// A configuration that reads and writes nothing outside what the caller names (tests).
    pub fn ephemeral() -> AppConfig {
        AppConfig::default()
    }
}

/// Where the bundled sample database is: where the package installs it next to the executable
/// (`PREFIX/bin/tailor` reads `PREFIX/share/tailor/demo.sqlite`) if `exists` says it is there,
/// else in the source tree the binary was built from.
fn bundled_sample(exe: Option<&Path>, exists: impl Fn(&Path) -> bool) -> PathBuf {
    exe.and_then(Path::parent)
        .and_then(Path::parent)
        .map(|prefix| prefix.join("share/tailor/demo.sqlite"))
        .filter(|installed| exists(installed))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_db/demo.sqlite"))
}

/// The user's Documents folder (`XDG_DOCUMENTS_DIR`, else `~/Documents`) when it exists, else
/// the home folder: where a marketer looks for a file, never an application's hidden folder.
fn documents_or_home() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)?;
    let documents = std::env::var_os("XDG_DOCUMENTS_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join("Documents"));
    Some(if documents.is_dir() { documents } else { home })
}

fn xdg_dir(var: &str, fallback: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(|home| PathBuf::from(home).join(fallback))
}

/// The panels of the navigation rail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Panel {
    /// What is in the database and the path through Tailor: the first screen.
    #[default]
    Overview,
    /// Tables, columns and roles, rows, data quality.
    Data,
    /// RFM, k-means and mixture segments.
    Segments,
    /// Offers per customer.
    Recommendations,
    /// Churn risk and lifetime value.
    ChurnValue,
    /// Bias audits.
    Fairness,
    /// Audiences and exports.
    Campaigns,
}

impl Panel {
    /// Every panel, in rail order.
    pub const ALL: [Panel; 7] = [
        Panel::Overview,
        Panel::Data,
        Panel::Segments,
        Panel::Recommendations,
        Panel::ChurnValue,
        Panel::Fairness,
        Panel::Campaigns,
    ];

    /// The rail label.
    pub fn label(self) -> &'static str {
        match self {
            Panel::Overview => "Overview",
            Panel::Data => "Data",
            Panel::Segments => "Segments",
            Panel::Recommendations => "Recommendations",
            Panel::ChurnValue => "Churn & value",
            Panel::Fairness => "Fairness",
            Panel::Campaigns => "Campaigns",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_tolerate_junk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cfg/settings.json");
        let mut s = Settings::default();
        for i in 0..10 {
            s.remember(Path::new(&format!("/db/{i}.sqlite")));
        }
        s.remember(Path::new("/db/3.sqlite"));
        assert_eq!(s.recent.len(), MAX_RECENT);
        assert_eq!(s.recent[0], PathBuf::from("/db/3.sqlite"));
        s.save(&path).unwrap();
        assert_eq!(Settings::load(&path), s);
        std::fs::write(&path, "{\"presentation\": true, \"unknown\": 1}").unwrap();
        assert!(Settings::load(&path).presentation);
        std::fs::write(&path, "not json").unwrap();
        assert_eq!(Settings::load(&path), Settings::default());
    }

    #[test]
    fn the_installed_sample_comes_before_the_source_tree() {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_db/demo.sqlite");
        let installed = Path::new("/usr/share/tailor/demo.sqlite");
        let exe = Path::new("/usr/bin/tailor");
        assert_eq!(bundled_sample(Some(exe), |p| p == installed), installed);
        assert_eq!(bundled_sample(Some(exe), |_| false), source);
        assert_eq!(bundled_sample(Some(Path::new("/tailor")), |_| true), source);
        assert_eq!(bundled_sample(None, |_| true), source);
    }
}
