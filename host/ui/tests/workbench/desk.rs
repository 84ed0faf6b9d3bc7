//! The workbench following a team's configuration folder: lifecycle labels
//! in the ticket list, files that cannot be used, and the scheduler firing
//! a time rule from `rules.toml` through the message its timer sends.

use std::path::{Path, PathBuf};

use kefu_core::Store;
use kefu_core::lifecycle::BUILTIN;
use kefu_ui::{Message, Workbench};
use tempfile::TempDir;

use super::plugins::Running;
use super::seed::{self, Sample};
use super::{has_text, row_shows};

/// Returns the built-in lifecycle with the team's own name for `open` and an
/// extra status.
fn custom_lifecycle() -> String {
    let renamed = BUILTIN.replacen("en = \"Open\"", "en = \"Needs triage\"", 1);
    assert_ne!(
        renamed, BUILTIN,
        "the built-in lifecycle has no status Open"
    );
    format!(
        "{renamed}\n\
         [[status]]\n\
         id = \"escalated\"\n\
         en = \"Escalated to tier 2\"\n\
         zh = \"已升级\"\n\
         category = \"active\"\n\
         sla-clock = true\n"
    )
}

/// Creates a configuration folder holding `files`, given as name and
/// content.
fn config_folder(files: &[(&str, &str)]) -> TempDir {
    let folder = tempfile::tempdir().expect("create the configuration folder");
    for (name, content) in files {
        std::fs::write(folder.path().join(name), content)
            .unwrap_or_else(|error| panic!("write {name}: {error}"));
    }
    folder
}

/// Creates a database in a temporary folder and stores the sample in it.
fn seeded_database() -> (TempDir, PathBuf, Sample) {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    let path = folder.path().join("kefu.db");
    let mut store = Store::open(&path).expect("open the test database");
    let sample = seed::seed_sample(&mut store).expect("store the sample");
    (folder, path, sample)
}

/// Writes `status` into a ticket, bypassing the core, as a ticket stored
/// under an older or another lifecycle would read.
fn set_ticket_status(path: &Path, ticket_id: i64, status: &str) {
    let connection = rusqlite::Connection::open(path).expect("open the database directly");
    let changed = connection
        .execute(
            "UPDATE tickets SET status = ?2 WHERE id = ?1",
            rusqlite::params![ticket_id, status],
        )
        .expect("update the ticket");
    assert_eq!(changed, 1);
}

/// Returns the number of the first line of `text` that contains `needle`,
/// counted from 1.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in the text"))
        + 1
}

#[test]
fn ticket_list_shows_lifecycle_labels() {
    let (_folder, path, sample) = seeded_database();
    set_ticket_status(&path, sample.pricing_ticket, "escalated");
    set_ticket_status(&path, sample.call_ticket, "on-hold-legacy");
    let config = config_folder(&[("lifecycle.toml", &custom_lifecycle())]);

    let workbench = Workbench::open_configured(&path, Some(config.path()));

    assert_eq!(workbench.config_errors(), Vec::<&str>::new());
    assert_eq!(workbench.error(), None);
    let refund = kefu_ui::ticket_row_id(sample.refund_ticket);
    assert!(row_shows(&workbench, refund.clone(), "Needs triage"));
    assert!(!row_shows(&workbench, refund.clone(), "open"));
    assert!(row_shows(&workbench, refund.clone(), "After-sales"));
    assert!(row_shows(&workbench, refund, "Urgent"));
    let pricing = kefu_ui::ticket_row_id(sample.pricing_ticket);
    assert!(row_shows(
        &workbench,
        pricing.clone(),
        "Escalated to tier 2"
    ));
    assert!(row_shows(&workbench, pricing, "Pre-sales"));
    // A status the lifecycle does not list shows its stored id.
    let call = kefu_ui::ticket_row_id(sample.call_ticket);
    assert!(row_shows(&workbench, call.clone(), "on-hold-legacy"));
    assert!(row_shows(&workbench, call, "Complaint"));
}

#[test]
fn broken_config_file_shows_error() {
    let broken_lifecycle = BUILTIN.replacen("category = \"waiting\"", "category = \"paused\"", 1);
    let broken_sla = "[business-hours]\ntime-zone = \"Asia/Shanghai\"\nmonday = \"nine to six\"\n";
    let broken_rules = "[[rule]]\nname = \"late\"\non = [\"unanswered\"]\nafter = \"soon\"\n\
                        [rule.then]\nadd-note = \"late\"\n";
    let cases = [
        (
            "lifecycle.toml",
            broken_lifecycle.as_str(),
            line_of(&broken_lifecycle, "\"paused\""),
            "paused",
        ),
        ("sla.toml", broken_sla, 3, "nine to six"),
        ("rules.toml", broken_rules, 4, "soon"),
    ];
    let (_folder, path, sample) = seeded_database();

    for (file, content, line, value) in cases {
        let config = config_folder(&[(file, content)]);

        let workbench = Workbench::open_configured(&path, Some(config.path()));

        let errors = workbench.config_errors();
        assert_eq!(errors.len(), 1, "{file}: errors {errors:?}");
        let error = &errors[0];
        let file_path = config.path().join(file).display().to_string();
        assert!(
            error.contains(&file_path),
            "{file}: {error:?} lacks the path"
        );
        assert!(
            error.contains(&format!("line {line}")),
            "{file}: {error:?} lacks line {line}"
        );
        assert!(error.contains(value), "{file}: {error:?} lacks {value:?}");
        assert!(has_text(&workbench, error), "{file}: error line not shown");
        // The tickets still show, with the built-in labels.
        let refund = kefu_ui::ticket_row_id(sample.refund_ticket);
        assert!(row_shows(&workbench, refund, "Open"), "{file}: no ticket");
        assert_eq!(workbench.error(), None, "{file}: database error");
    }
}

const UNANSWERED_RULE: &str = r#"
[[rule]]
name = "remind-unanswered"
on = ["unanswered"]
after = "30m"
[rule.then]
add-note = "30 minutes without an answer"
"#;

/// Ids of the ticket's history entries written by `actor`.
fn events_by(db_path: &Path, ticket_id: i64, actor: &str) -> Vec<String> {
    Store::open(db_path)
        .expect("open the database")
        .ticket_events(ticket_id)
        .expect("read the ticket history")
        .into_iter()
        .filter(|event| event.actor == actor)
        .map(|event| event.kind)
        .collect()
}

/// Sends the scheduler's timer message and waits for the status of the
/// run, which ends with `outcome`.
fn run_scheduler(running: &mut Running, outcome: &str) {
    running.send(Message::SchedulerTimer);
    running.run_until("the scheduler run to finish", |running| {
        !running
            .text_bounds(|text| text.starts_with("Rules run ") && text.ends_with(outcome))
            .is_empty()
    });
}

#[test]
fn scheduler_fires_unanswered_rule_once() {
    let config = config_folder(&[("rules.toml", UNANSWERED_RULE)]);
    let mut sample = None;
    let mut running = Running::start_configured(Some(config.path().to_path_buf()), |store, _| {
        sample = Some(seed::seed_sample(store).expect("store the sample"));
    });
    let sample = sample.expect("the sample is stored");
    running.click("Workbench");
    let actor = "rule:remind-unanswered";

    run_scheduler(&mut running, ": 2 fired, 0 failed");

    // The refund mail and the phone call have no outbound message after
    // them.
    assert_eq!(
        events_by(&running.db_path, sample.refund_ticket, actor),
        ["note"]
    );
    assert_eq!(
        events_by(&running.db_path, sample.call_ticket, actor),
        ["note"]
    );
    assert!(events_by(&running.db_path, sample.pricing_ticket, actor).is_empty());

    run_scheduler(&mut running, ": 0 fired, 0 failed");

    assert_eq!(
        events_by(&running.db_path, sample.refund_ticket, actor),
        ["note"]
    );
    assert_eq!(
        events_by(&running.db_path, sample.call_ticket, actor),
        ["note"]
    );
}

#[test]
fn broken_lifecycle_app_still_runs() {
    let broken = "[[type]]\nid = \"pre-sales\"\nen = \n";
    let config = config_folder(&[("lifecycle.toml", broken), ("rules.toml", UNANSWERED_RULE)]);
    let mut running = Running::start_configured(Some(config.path().to_path_buf()), |store, _| {
        seed::seed_sample(store).expect("store the sample");
    });
    running.click("Workbench");

    let lifecycle = config.path().join("lifecycle.toml").display().to_string();
    let error_lines = running.text_bounds(|text| {
        text.starts_with("Invalid desk configuration: ")
            && text.contains(&lifecycle)
            && text.contains("line 3")
    });
    assert_eq!(
        error_lines.len(),
        1,
        "the lifecycle error is not shown once"
    );
    assert!(running.has_text("4 conversations, 1 unanswered, 3 tickets"));
    assert!(running.has_text("Open"));
    // The built-in defaults run without the rules, which name the
    // lifecycle's values, so the scheduler fires nothing.
    run_scheduler(&mut running, ": 0 fired, 0 failed");
}
