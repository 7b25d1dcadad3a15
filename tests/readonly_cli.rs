//! Issue 11: a writable database in a folder that cannot be written failed with "attempt to
//! write a readonly database" instead of opening read-only. The condition needs a user who
//! cannot write the folder: the test runs `tailor` as `nobody` through `setpriv`, which needs
//! root (CI runs as root; elsewhere the test says why it cannot run).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

fn can_drop_to_nobody() -> bool {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let setpriv = Command::new("setpriv").arg("--version").output().is_ok();
    root && setpriv
}

#[test]
fn a_database_in_a_folder_that_cannot_be_written_opens_read_only() {
    if !can_drop_to_nobody() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run as root with setpriv for this test"
        );
        eprintln!("not root or no setpriv: cannot make an unwritable folder; skipping");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let db = dir.path().join("d.sqlite");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_db/demo.sqlite"),
        &db,
    )
    .unwrap();
    // The file can be written by anyone; the folder only by root.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o666)).unwrap();
    let run = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_tailor"))
        .args(["segment", db.to_str().unwrap(), "--method", "rfm", "--json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("read-only"), "{stderr}");
    assert!(!stderr.contains("attempt to write"), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert!(v["segments"].as_array().is_some_and(|s| !s.is_empty()));
}
