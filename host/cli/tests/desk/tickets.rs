//! `kefu tickets` and `kefu tasks` run as a user would, on a real database
//! file with the sample mail and calls imported.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// Runs kefu on the database in `folder`, with that folder's own
/// configuration, plugins and cache.
fn kefu(folder: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("--db")
        .arg(folder.join("kefu.db"))
        .arg("--config")
        .arg(folder.join("config"))
        .arg("--plugins")
        .arg(folder.join("plugins"))
        .args(args)
        .env("XDG_CACHE_HOME", folder.join("cache"))
        .env("KEFU_AGENT", "lin")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("running kefu")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "kefu failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn stderr(output: &Output) -> String {
    assert!(!output.status.success(), "kefu succeeded unexpectedly");
    String::from_utf8_lossy(&output.stderr).to_string()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(output)).expect("JSON output")
}

/// A database with the sample mail and call records imported.
fn desk() -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    std::fs::create_dir(folder.path().join("config")).unwrap();
    let email = fixtures().join("email");
    let phone = fixtures().join("phone");
    stdout(&kefu(
        folder.path(),
        &["ingest", email.to_str().unwrap(), phone.to_str().unwrap()],
    ));
    folder
}

/// Ids of the first `count` open tickets in queue order.
fn first_tickets(folder: &Path, count: usize) -> Vec<String> {
    let rows = json(&kefu(folder, &["tickets", "--json"]));
    rows.as_array().unwrap()[..count]
        .iter()
        .map(|row| row["id"].to_string())
        .collect()
}

#[test]
fn update_applies_to_all_or_none() {
    let folder = desk();
    let ids = first_tickets(folder.path(), 2);
    stdout(&kefu(
        folder.path(),
        &["tickets", "update", &ids[0], "--status", "closed"],
    ));

    let error = stderr(&kefu(
        folder.path(),
        &[
            "tickets",
            "update",
            &ids[1],
            &ids[0],
            "--status",
            "waiting-on-customer",
        ],
    ));
    assert!(
        error.contains("cannot go from \"closed\" to \"waiting-on-customer\""),
        "{error}"
    );
    let shown = json(&kefu(
        folder.path(),
        &["tickets", "show", &ids[1], "--json"],
    ));
    assert_eq!(shown["ticket"]["status"], "open");
}

#[test]
fn show_lists_history_with_agent() {
    let folder = desk();
    let ids = first_tickets(folder.path(), 1);
    let output = stdout(&kefu(
        folder.path(),
        &[
            "tickets",
            "update",
            &ids[0],
            "--priority",
            "high",
            "--reason",
            "VIP order",
        ],
    ));
    assert_eq!(output, format!("1 change on ticket {}\n", ids[0]));
    let text = stdout(&kefu(folder.path(), &["tickets", "show", &ids[0]]));
    assert!(text.contains("agent:lin"), "{text}");
    assert!(text.contains("(VIP order)"), "{text}");
}

#[test]
fn bad_list_options_are_named() {
    let folder = desk();
    let cases: [(&[&str], &str); 4] = [
        (
            &["tickets", "--due-within", "99999999999d"],
            "invalid duration",
        ),
        (
            &["tickets", "--due-within", "5000d"],
            "the maximum is 3650d",
        ),
        (&["tickets", "--limit", "0"], "invalid --limit 0"),
        (&["tickets", "--status", "done"], "unknown status \"done\""),
    ];
    for (args, expected) in cases {
        let error = stderr(&kefu(folder.path(), args));
        assert!(error.contains(expected), "{args:?}: {error}");
    }
}

#[test]
fn saved_view_needs_replace_to_overwrite() {
    let folder = desk();
    let save = |extra: &[&str]| {
        let mut args = vec!["tickets", "views", "save", "mine", "--priority", "high"];
        args.extend_from_slice(extra);
        kefu(folder.path(), &args)
    };
    stdout(&save(&[]));
    let error = stderr(&save(&[]));
    assert!(error.contains("pass --replace"), "{error}");
    stdout(&save(&["--replace"]));
}

#[test]
fn tasks_list_callbacks_as_json() {
    let folder = desk();
    let tasks = json(&kefu(folder.path(), &["tasks", "--json"]));
    let tasks = tasks.as_array().unwrap();
    assert!(!tasks.is_empty());
    assert!(tasks.iter().all(|task| task["kind"] == "callback"));
    let id = tasks[0]["id"].to_string();
    stdout(&kefu(folder.path(), &["tasks", "done", &id]));
    let left = json(&kefu(folder.path(), &["tasks", "--json"]));
    assert_eq!(left.as_array().unwrap().len(), tasks.len() - 1);
}
