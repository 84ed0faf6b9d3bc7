//! Running the `kefu` binary the way every test in this binary does: on a
//! database file in a temporary folder, with that folder's own
//! configuration, plugins and compiled-plugin cache, so nothing of the
//! user's own setup leaks in.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Returns the root of the source tree.
pub fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs kefu on `db` with the configuration folder `config` beside it.
pub fn kefu_with_config(db: &Path, config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("--db")
        .arg(db)
        .arg("--config")
        .arg(config)
        .arg("--plugins")
        .arg(db.with_file_name("plugins"))
        .args(args)
        .env_remove("KEFU_DB")
        .env_remove("KEFU_CONFIG")
        .env_remove("KEFU_PLUGINS")
        .env_remove("KEFU_AGENT")
        .env("XDG_CACHE_HOME", db.with_file_name("cache"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("running kefu")
}

/// Runs kefu on `db` with the configuration folder `config` beside the
/// database file.
pub fn kefu(db: &Path, args: &[&str]) -> Output {
    kefu_with_config(db, &db.with_file_name("config"), args)
}

/// Returns the standard output of a run that must succeed.
pub fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "kefu failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// Returns the standard error of a run, whatever its exit status.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Returns the standard error of a run that must fail.
pub fn failure(output: &Output) -> String {
    assert!(
        !output.status.success(),
        "kefu succeeded: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    stderr(output)
}

/// Parses the standard output of a run that must succeed as JSON.
pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(output)).expect("JSON output")
}
