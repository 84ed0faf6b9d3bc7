//! `kefu rules` and declarative rules in `kefu ingest`, run as a user would
//! on real database files and the sample inputs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kefu_core::Store;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(path: &str) -> PathBuf {
    repository().join("tests/fixtures").join(path)
}

/// Runs `kefu` on `db` with the configuration folder `config`.
fn kefu(db: &Path, config: &Path, args: &[&str]) -> Output {
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
        .env("XDG_CACHE_HOME", db.with_file_name("cache"))
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

/// Creates a folder with a database path and a configuration folder that
/// holds the fixture `rules` as rules.toml, when given.
fn setup(rules: Option<&str>) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("kefu.db");
    let config = folder.path().join("config");
    std::fs::create_dir(&config).unwrap();
    if let Some(rules) = rules {
        std::fs::copy(fixture(rules), config.join("rules.toml")).unwrap();
    }
    (folder, db, config)
}

/// Counts ticket history entries by actor and kind, over all tickets.
fn history_counts(db: &Path) -> BTreeMap<(String, String), usize> {
    let store = Store::open(db).unwrap();
    let mut counts = BTreeMap::new();
    for ticket in store.tickets().unwrap() {
        for event in store.ticket_events(ticket.id).unwrap() {
            *counts.entry((event.actor, event.kind)).or_default() += 1;
        }
    }
    counts
}

/// Returns the database file and its write-ahead log, byte for byte. A
/// missing log reads as an empty one, because opening the database may
/// create an empty log without writing anything.
fn database_bytes(db: &Path) -> (Vec<u8>, Vec<u8>) {
    let wal = db.with_file_name("kefu.db-wal");
    (
        std::fs::read(db).unwrap(),
        std::fs::read(wal).unwrap_or_default(),
    )
}

#[test]
fn check_names_line_key_and_value() {
    let (_folder, db, config) = setup(None);
    let file = fixture("rules/broken-status.toml");
    let output = kefu(&db, &config, &["rules", "check", file.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 7"), "{stderr}");
    assert!(stderr.contains("then.set-status"), "{stderr}");
    assert!(stderr.contains("\"done\""), "{stderr}");
    assert!(stderr.contains("open, in-progress"), "{stderr}");
    assert!(!db.exists(), "checking a file must not create a database");
}

#[test]
fn check_describes_example_file() {
    let (_folder, db, config) = setup(None);
    let file = repository().join("docs/examples/rules.toml");
    let text = stdout(&kefu(
        &db,
        &config,
        &["rules", "check", file.to_str().unwrap()],
    ));
    assert!(text.contains("3 rules, all valid"), "{text}");
    assert!(text.contains("rule vip-refund (line 9)"), "{text}");
    assert!(text.contains("then set priority urgent"), "{text}");
    assert!(text.contains("when the channel is email or chat"), "{text}");
    assert!(text.contains("the ticket is older than 2 h"), "{text}");
}

#[test]
fn ingest_with_broken_rules_imports_nothing() {
    let (_folder, db, config) = setup(Some("rules/broken-status.toml"));
    let calls = fixture("phone/asterisk-testsuite-Master.csv");
    let output = kefu(&db, &config, &["ingest", calls.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 7"), "{stderr}");
    assert!(
        !db.exists(),
        "a broken rules file must stop the import first"
    );
}

#[test]
fn ingest_applies_declarative_rule() {
    let (_folder, db, config) = setup(Some("rules/phone-urgent.toml"));
    let calls = fixture("phone/asterisk-Master-pseudonymized-218rows.csv");
    stdout(&kefu(&db, &config, &["ingest", calls.to_str().unwrap()]));

    let store = Store::open(&db).unwrap();
    let tickets = store.tickets().unwrap();
    assert!(!tickets.is_empty());
    for ticket in &tickets {
        assert_eq!(ticket.priority, "urgent", "ticket {}", ticket.id);
        assert!(ticket.tags.contains(&"phone-call".to_string()));
        let events = store.ticket_events(ticket.id).unwrap();
        let by_rule: Vec<&str> = events
            .iter()
            .filter(|event| event.actor == "rule:phone-urgent")
            .map(|event| event.kind.as_str())
            .collect();
        assert_eq!(
            by_rule.iter().filter(|kind| **kind == "priority").count(),
            1
        );
        assert_eq!(by_rule.iter().filter(|kind| **kind == "tag").count(), 1);
        assert!(by_rule.contains(&"note"));
    }

    let list = stdout(&kefu(&db, &config, &["rules", "list"]));
    let plugin = list.find("default-rules").expect("plugin listed");
    let rule = list.find("phone-urgent").expect("declarative rule listed");
    assert!(
        plugin < rule,
        "plugins run before declarative rules:\n{list}"
    );
}

#[test]
fn loop_guard_stops_ping_pong() {
    let (_folder, db, config) = setup(Some("rules/ping-pong.toml"));
    let mail = fixture("email/20-empty-date-header.eml");
    let summary: serde_json::Value = serde_json::from_str(&stdout(&kefu(
        &db,
        &config,
        &["ingest", "--json", mail.to_str().unwrap()],
    )))
    .unwrap();
    assert_eq!(summary["rule_failures"].as_array().unwrap().len(), 0);

    // escalate sets urgent on the message and calm-down reverts that
    // change. escalate already changed the ticket in this cascade, so
    // calm-down's change does not reach it: each rule acts once.
    let counts = history_counts(&db);
    let escalate = counts[&("rule:escalate".to_string(), "priority".to_string())];
    let calm_down = counts[&("rule:calm-down".to_string(), "priority".to_string())];
    assert_eq!(escalate, 1);
    assert_eq!(calm_down, 1);
    let store = Store::open(&db).unwrap();
    assert_eq!(store.tickets().unwrap()[0].priority, "normal");
}

#[test]
fn dry_run_matches_real_run_and_writes_nothing() {
    let calls = fixture("phone/asterisk-Master-pseudonymized-218rows.csv");

    // History without the rule, then a dry run of it.
    let (_folder, db, config) = setup(Some("rules/phone-urgent.toml"));
    std::fs::rename(config.join("rules.toml"), config.join("later.toml")).unwrap();
    stdout(&kefu(&db, &config, &["ingest", calls.to_str().unwrap()]));
    std::fs::rename(config.join("later.toml"), config.join("rules.toml")).unwrap();
    let before = database_bytes(&db);
    let report: serde_json::Value = serde_json::from_str(&stdout(&kefu(
        &db,
        &config,
        &[
            "rules",
            "dry-run",
            "phone-urgent",
            "--since",
            "1d",
            "--json",
        ],
    )))
    .unwrap();
    assert_eq!(
        database_bytes(&db),
        before,
        "the dry run changed the database"
    );
    assert!(report["events_examined"].as_u64().unwrap() > 0);
    assert!(report["examples"].as_array().unwrap().len() <= 12);

    // The same input with the rule running.
    let (_real_folder, real_db, real_config) = setup(Some("rules/phone-urgent.toml"));
    stdout(&kefu(
        &real_db,
        &real_config,
        &["ingest", calls.to_str().unwrap()],
    ));
    let counts = history_counts(&real_db);
    let actor = "rule:phone-urgent".to_string();
    let real = |kind: &str| counts.get(&(actor.clone(), kind.to_string())).copied();

    let times = |action: &str| {
        report["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|count| count["action"].as_str().unwrap().starts_with(action))
            .map(|count| count["times"].as_u64().unwrap() as usize)
    };
    assert_eq!(times("set priority urgent"), real("priority"));
    assert_eq!(times("add tag phone-call"), real("tag"));
    assert_eq!(times("add note"), real("note"));
    assert!(real("priority").unwrap() > 0);

    let text = stdout(&kefu(&db, &config, &["rules", "dry-run", "phone-urgent"]));
    assert!(text.contains("Would set priority urgent on"), "{text}");
    assert_eq!(database_bytes(&db), before);
}

#[test]
fn dry_run_of_rule_plugin_writes_nothing() {
    let (_folder, db, config) = setup(None);
    let mail = fixture("email/20-empty-date-header.eml");
    stdout(&kefu(&db, &config, &["ingest", mail.to_str().unwrap()]));
    let before = database_bytes(&db);
    let report: serde_json::Value = serde_json::from_str(&stdout(&kefu(
        &db,
        &config,
        &["rules", "dry-run", "default-rules", "--json"],
    )))
    .unwrap();
    assert_eq!(database_bytes(&db), before);
    assert_eq!(report["kind"], "plugin");
    // The conversation already has its ticket, so the plugin would open none.
    assert_eq!(report["events_examined"], 2);
    assert_eq!(report["actions"].as_array().unwrap().len(), 0);
}

#[test]
fn dry_run_of_unknown_rule_fails() {
    let (_folder, db, config) = setup(None);
    let mail = fixture("email/20-empty-date-header.eml");
    stdout(&kefu(&db, &config, &["ingest", mail.to_str().unwrap()]));
    let output = kefu(&db, &config, &["rules", "dry-run", "no-such-rule"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("\"no-such-rule\""), "{stderr}");
}
