//! Files Tailor writes, on the ground floor (it depends only on [`crate::error`]): always to a
//! unique temporary name in the same folder, then renamed, so a crash never leaves half a file
//! ([`write_atomically`], [`copy_atomically`]), and what a killed process left there is removed
//! on the next write ([`remove_stale_temporaries`]); never over the database or a file the
//! command reads ([`check_output`]); CSV rows with their cells quoted and
//! neutralised against spreadsheet formulas ([`csv`]).

pub mod csv;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// Temporaries made by this process so far (each gets its own number).
static TEMPORARIES: AtomicU64 = AtomicU64::new(0);

/// A unique temporary path for a file that is renamed to `path` when complete:
/// `.NAME.tailor-tmp-PID-N` in `path`'s folder (this process's id, then a number of its own).
pub fn temp_path_for(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tailor-output".to_string());
    let n = TEMPORARIES.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.tailor-tmp-{}-{n}", std::process::id()))
}

/// The process id a temporary of Tailor's carries in its name: `.NAME.tailor-tmp-PID-N`, or
/// `.NAME.tmp-PID` as earlier versions named them.
fn temporary_owner(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix('.')?;
    // SQLite's companions of a temporary database belong to the same process.
    let rest = ["-journal", "-wal", "-shm"]
        .iter()
        .find_map(|suffix| rest.strip_suffix(suffix))
        .unwrap_or(rest);
    let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    if let Some((_, tail)) = rest.rsplit_once(".tailor-tmp-") {
        let (pid, n) = tail.split_once('-')?;
        return (digits(pid) && digits(n))
            .then(|| pid.parse().ok())
            .flatten();
    }
    let (_, pid) = rest.rsplit_once(".tmp-")?;
    digits(pid).then(|| pid.parse().ok()).flatten()
}

/// Whether process `pid` is running. Where that cannot be told (no `/proc`), it counts as
/// running, so nothing of it is removed.
fn process_running(pid: u32) -> bool {
    let proc_root = Path::new("/proc");
    !proc_root.join("self").exists() || proc_root.join(pid.to_string()).exists()
}

/// Removes the temporaries Tailor left in `folder` when its process was killed before the
/// rename (their process is gone); a temporary of a running process is left alone.
pub fn remove_stale_temporaries(folder: &Path) {
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(pid) = temporary_owner(&name)
            && pid != std::process::id()
            && !process_running(pid)
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A companion SQLite keeps beside database `db`: `suffix` is `-journal`, `-wal` or `-shm`.
pub fn companion(db: &Path, suffix: &str) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// The files a database is made of: the file and its `-wal`, `-journal` and `-shm` companions.
pub fn database_files(db: &Path) -> Vec<PathBuf> {
    let mut files = vec![db.to_path_buf()];
    files.extend(["-wal", "-journal", "-shm"].map(|s| companion(db, s)));
    files
}

/// `path` made absolute with its folder's links resolved, whether or not the file exists.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let folder = path.parent().filter(|d| !d.as_os_str().is_empty());
    let folder = folder.map_or_else(|| std::fs::canonicalize("."), std::fs::canonicalize);
    match (folder, path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

/// Whether `a` and `b` name the same file (through links and other spellings too).
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    resolved(a) == resolved(b)
}

/// Refuses an output (`what`: the flag or field naming it) that would overwrite the database
/// (or its journal) or a file the same command reads.
pub fn check_output(
    what: &str,
    out: &Path,
    database: Option<&Path>,
    inputs: &[&Path],
) -> Result<()> {
    if out.is_dir() {
        return Err(Error::Invalid(format!(
            "{what} {} is a folder: give a file name inside it",
            out.display()
        )));
    }
    if let Some(db) = database
        && database_files(db).iter().any(|f| same_file(out, f))
    {
        return Err(Error::Invalid(format!(
            "{what} {} would overwrite the database {}: choose another file",
            out.display(),
            db.display()
        )));
    }
    if let Some(input) = inputs.iter().find(|i| same_file(out, i)) {
        return Err(Error::Invalid(format!(
            "{what} {} is a file this command reads ({}): choose another file",
            out.display(),
            input.display()
        )));
    }
    Ok(())
}

/// Renames the complete new file `tmp` to `path` unless `path` exists by then (another writer
/// made it meanwhile): a file is never renamed over another. `Ok(false)` when `path` existed;
/// `tmp` is then left for the caller.
pub fn rename_new(tmp: &Path, path: &Path) -> Result<bool> {
    pause_for_tests(Moment::BeforeRename);
    match std::fs::hard_link(tmp, path) {
        Ok(()) => {
            let _ = std::fs::remove_file(tmp);
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        // A file system without hard links: rename, checking just before.
        Err(_) if !path.exists() => std::fs::rename(tmp, path)
            .map(|()| true)
            .map_err(Error::io(path)),
        Err(_) => Ok(false),
    }
}

/// Writes a file atomically: `write` fills a temporary file, which is then renamed to `path`.
/// On error the temporary file is removed and `path` is left as it was.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<()>,
) -> Result<()> {
    remove_stale_temporaries(path.parent().unwrap_or(Path::new(".")));
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
        pause_for_tests(Moment::BeforeRename);
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
    remove_stale_temporaries(to.parent().unwrap_or(Path::new(".")));
    let tmp = temp_path_for(to);
    let result = std::fs::copy(from, &tmp)
        .map_err(Error::io(from))
        .and_then(|_| std::fs::rename(&tmp, to).map_err(Error::io(to)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A moment a test can stop Tailor at, to kill it there and check that nothing is lost.
#[derive(Debug, Clone, Copy)]
pub enum Moment {
    /// A file's temporary is complete and not yet renamed to its name.
    BeforeRename,
    /// A database write is done and not yet committed.
    BeforeCommit,
}

/// Test hook: with `TAILOR_TEST_PAUSE_BEFORE_RENAME_MS` (or `…_BEFORE_COMMIT_MS`) set, waits
/// that long at that moment, so a test can kill the process there.
pub fn pause_for_tests(moment: Moment) {
    let var = match moment {
        Moment::BeforeRename => "TAILOR_TEST_PAUSE_BEFORE_RENAME_MS",
        Moment::BeforeCommit => "TAILOR_TEST_PAUSE_BEFORE_COMMIT_MS",
    };
    if let Some(ms) = std::env::var(var).ok().and_then(|v| v.parse::<u64>().ok()) {
        // The test waits for this line, then kills.
        eprintln!("test pause: {var}");
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch folder holding one file `name` with `text`.
    fn scratch(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn temporaries_are_unique_and_known_by_their_owner() {
        let a = temp_path_for(Path::new("/x/out.csv"));
        let b = temp_path_for(Path::new("/x/out.csv"));
        assert_ne!(a, b);
        let name = a.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(temporary_owner(&name), Some(std::process::id()));
        assert_eq!(temporary_owner(".out.csv.tmp-42"), Some(42));
        assert_eq!(temporary_owner(".out.csv.tailor-tmp-42-7"), Some(42));
        assert_eq!(
            temporary_owner(".db.sqlite.tailor-tmp-42-7-journal"),
            Some(42)
        );
        for other in [
            "out.csv.tmp-42",
            ".out.csv.tmp-",
            ".out.csv.tmp-4x",
            ".out.csv.tailor-tmp-42",
            ".bashrc",
        ] {
            assert_eq!(temporary_owner(other), None, "{other}");
        }
    }

    #[test]
    fn outputs_over_the_database_or_an_input_are_refused() {
        let (dir, db) = scratch("x.sqlite", "db");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "a").unwrap();
        let mut outs = vec![
            db.clone(),
            dir.path().join("x.sqlite-wal"),
            dir.path().join("sub/../x.sqlite"),
        ];
        #[cfg(unix)]
        {
            let link = dir.path().join("link.sqlite");
            std::os::unix::fs::symlink(&db, &link).unwrap();
            outs.push(link);
        }
        for out in outs {
            let e = check_output("--out", &out, Some(&db), &[]).unwrap_err();
            assert!(
                e.to_string().contains("would overwrite the database"),
                "{e}"
            );
        }
        let e = check_output("--out", &input, Some(&db), &[&input]).unwrap_err();
        assert!(e.to_string().contains("reads"), "{e}");
        let new = dir.path().join("new.csv");
        check_output("--out", &new, Some(&db), &[&input]).unwrap();
        let e = check_output("--out", dir.path(), Some(&db), &[]).unwrap_err();
        assert!(
            e.to_string().contains("is a folder: give a file name"),
            "{e}"
        );
    }

    #[test]
    fn a_new_file_is_never_renamed_over_another() {
        let (dir, tmp) = scratch(".a.tailor-tmp-1-0", "first");
        let path = dir.path().join("a.sqlite");
        assert!(rename_new(&tmp, &path).unwrap());
        assert!(!tmp.exists());
        std::fs::write(&tmp, "second").unwrap();
        assert!(!rename_new(&tmp, &path).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first");
    }

    #[test]
    fn failed_write_leaves_the_old_file() {
        let (dir, path) = scratch("out.csv", "old");
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
        let (dir, from) = scratch("a.sqlite", "data");
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
