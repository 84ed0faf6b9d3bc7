//! `kefu tickets` and `kefu tasks` run as a user would, on a real database
//! file with the sample mail and calls imported.

use std::path::Path;
use std::process::Output;

use super::support::{failure as stderr, json, repository, stdout};

/// Runs kefu on the database in `folder`, with the configuration folder
/// beside it.
fn kefu(folder: &Path, args: &[&str]) -> Output {
    super::support::kefu(&folder.join("kefu.db"), args)
}

/// Creates a database with the sample mail and call records imported.
fn desk() -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    std::fs::create_dir(folder.path().join("config")).unwrap();
    let email = repository().join("tests/fixtures/email");
    let phone = repository().join("tests/fixtures/phone");
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
            "--as",
            "lin",
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
