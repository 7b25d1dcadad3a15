//! Files Tailor writes, on the ground floor (it depends only on [`crate::error`]): always to a
//! temporary name in the same folder, then renamed, so a crash never leaves half a file
//! ([`write_atomically`], [`copy_atomically`]); CSV rows with their cells quoted and
//! neutralised against spreadsheet formulas ([`csv`]).

pub mod csv;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The temporary path a file is written to before it is renamed to `path`.
pub fn temp_path_for(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tailor-output".to_string());
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Writes a file atomically: `write` fills a temporary file, which is then renamed to `path`.
/// On error the temporary file is removed and `path` is left as it was.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<()>,
) -> Result<()> {
    let tmp = temp_path_for(path);
    let result = (|| {
        let file = std::fs::File::create(&tmp).map_err(Error::io(path))?;
        let mut out = std::io::BufWriter::new(file);
        write(&mut out)?;
        out.flush().map_err(Error::io(path))?;
        let file = out
            .into_inner()
            .map_err(|e| Error::io(path)(e.into_error()))?;
        file.sync_all().map_err(Error::io(path))?;
        pause_for_tests();
        std::fs::rename(&tmp, path).map_err(Error::io(path))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Copies `from` to `to` through a temporary file in `to`'s folder, creating the folder.
/// On error the temporary file is removed and `to` is left as it was.
pub fn copy_atomically(from: &Path, to: &Path) -> Result<()> {
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
    }
    let tmp = temp_path_for(to);
    let result = std::fs::copy(from, &tmp)
        .map_err(Error::io(from))
        .and_then(|_| std::fs::rename(&tmp, to).map_err(Error::io(to)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Test hook: with `TAILOR_TEST_PAUSE_BEFORE_RENAME_MS` set, waits that long between writing the
/// temporary file and renaming it, so a test can kill the process at that moment and check that
/// nothing appears at the target path.
fn pause_for_tests() {
    if let Some(ms) = std::env::var("TAILOR_TEST_PAUSE_BEFORE_RENAME_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old").unwrap();
        let r = write_atomically(&path, |w| {
            w.write_all(b"half").map_err(Error::io(Path::new("x")))?;
            Err(Error::Invalid("boom".into()))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write_atomically(&path, |w| {
            w.write_all(b"new").map_err(Error::io(Path::new("x")))
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    #[test]
    fn copy_creates_the_folder_and_a_failed_copy_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("a.sqlite");
        std::fs::write(&from, "data").unwrap();
        let to = dir.path().join("sub").join("b.sqlite");
        copy_atomically(&from, &to).unwrap();
        assert_eq!(std::fs::read_to_string(&to).unwrap(), "data");
        let missing = dir.path().join("missing.sqlite");
        assert!(copy_atomically(&missing, &to).is_err());
        assert_eq!(std::fs::read_to_string(&to).unwrap(), "data");
        assert_eq!(
            std::fs::read_dir(dir.path().join("sub")).unwrap().count(),
            1
        );
    }
}
