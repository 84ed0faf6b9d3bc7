//! `kefu rules` and declarative rules in `kefu ingest`, run as a user would
//! on real database files and the sample inputs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::support::{kefu_with_config as kefu, repository, stdout};

use kefu_core::Store;

fn fixture(path: &str) -> PathBuf {
    repository().join("tests/fixtures").join(path)
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
    assert!(text.contains("7 rules, all valid"), "{text}");
    assert!(text.contains("rule vip-refund (line 9)"), "{text}");
    assert!(text.contains("then set priority urgent"), "{text}");
    assert!(text.contains("when the channel is email or chat"), "{text}");
    assert!(text.contains("the ticket is older than 2 h"), "{text}");
    for trigger in [
        "when the customer's message is unanswered for 30 min",
        "when 80% of the running SLA deadline's business time is used",
        "when the running SLA deadline passes",
        "when waiting on the customer for 3 d",
    ] {
        assert!(text.contains(trigger), "missing {trigger:?}:\n{text}");
    }
}

#[test]
fn example_rules_can_act() {
    let lifecycle = kefu_core::lifecycle::Lifecycle::builtin();
    let rules = kefu_core::automation::read_rules(
        &repository().join("docs/examples/rules.toml"),
        &lifecycle,
    )
    .unwrap();
    let phrases = std::fs::read_to_string(repository().join("docs/examples/phrases.toml")).unwrap();
    let phrase_ids: Vec<&str> = phrases
        .lines()
        .filter_map(|line| line.strip_prefix("id = \""))
        .filter_map(|rest| rest.strip_suffix('"'))
        .collect();
    assert!(phrase_ids.contains(&"refund-policy"), "{phrase_ids:?}");

    for rule in &rules {
        // open-ticket acts only when the conversation has no ticket.
        assert!(
            rule.then.open_ticket.is_none() || rule.when.has_ticket != Some(true),
            "rule {} opens a ticket but requires one",
            rule.name
        );
        for phrase in [&rule.then.suggest_phrase, &rule.then.send_phrase]
            .into_iter()
            .flatten()
        {
            assert!(
                phrase_ids.contains(&phrase.as_str()),
                "rule {} names phrase {phrase:?}, which phrases.toml does not define",
                rule.name
            );
        }
    }
}

#[test]
fn check_shows_time_rules_as_written() {
    let (_folder, db, config) = setup(None);
    let file = fixture("rules/time-rules.toml");
    let text = stdout(&kefu(
        &db,
        &config,
        &["rules", "check", file.to_str().unwrap()],
    ));
    assert!(text.contains("5 rules, all valid"), "{text}");
    assert!(text.contains("unanswered for 1 h 30 min\n"), "{text}");
    assert!(text.contains("  and the channel is chat\n"), "{text}");
    assert!(
        text.contains("  and the customer's tier is vip\n"),
        "{text}"
    );
    assert!(text.contains("when 80.5% of the running SLA"), "{text}");
    assert!(text.contains("when 0.5% of the running SLA"), "{text}");
    assert!(text.contains("with no other conditions"), "{text}");
    assert!(!text.contains("  when the channel"), "{text}");
    assert!(!text.contains("always"), "{text}");
}

#[test]
fn check_error_prints_values_as_toml() {
    let (folder, db, config) = setup(None);
    let file = folder.path().join("keywords.toml");
    std::fs::write(
        &file,
        "[[rule]]\nname = \"r\"\non = [\"ticket-created\"]\n[rule.when]\nkeywords = [\"x\"]\n\
         [rule.then]\nadd-tag = [\"t\"]\n",
    )
    .unwrap();
    let output = kefu(&db, &config, &["rules", "check", file.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 5"), "{stderr}");
    assert!(stderr.contains(r#"when.keywords = ["x"]"#), "{stderr}");
    assert!(!stderr.contains("Spanned"), "{stderr}");
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

#[test]
fn dry_run_of_time_rule_fails() {
    let (_folder, db, config) = setup(Some("rules/time-rules.toml"));
    let mail = fixture("email/20-empty-date-header.eml");
    stdout(&kefu(&db, &config, &["ingest", mail.to_str().unwrap()]));
    for (rule, trigger) in [
        ("unanswered-chat", "unanswered"),
        ("early-warning", "sla-warning"),
        ("breach", "sla-breach"),
        ("waiting-long", "waiting"),
    ] {
        let output = kefu(&db, &config, &["rules", "dry-run", rule]);
        assert_eq!(output.status.code(), Some(1), "{rule}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("on = [\"{trigger}\"]")),
            "{rule}: {stderr}"
        );
        assert!(stderr.contains("rules tick"), "{rule}: {stderr}");
        assert!(stderr.contains("copy the database"), "{rule}: {stderr}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(!text.contains("changed nothing"), "{rule}: {text}");
    }
}

#[test]
fn dry_run_names_events_not_replayed() {
    let (_folder, db, config) = setup(Some("rules/ping-pong.toml"));
    let mail = fixture("email/20-empty-date-header.eml");
    stdout(&kefu(&db, &config, &["ingest", mail.to_str().unwrap()]));

    // escalate reacts to message-received and ticket-updated.
    let text = stdout(&kefu(&db, &config, &["rules", "dry-run", "escalate"]));
    assert!(
        text.contains("Not replayed: ticket-updated events."),
        "{text}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&kefu(
        &db,
        &config,
        &["rules", "dry-run", "escalate", "--json"],
    )))
    .unwrap();
    assert_eq!(
        report["not_replayed"],
        serde_json::json!(["ticket-updated"])
    );

    // calm-down reacts only to ticket-updated, so nothing would be replayed.
    let output = kefu(&db, &config, &["rules", "dry-run", "calm-down"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("reacts only to ticket-updated"), "{stderr}");
    assert!(stderr.contains("ingest"), "{stderr}");
}

#[test]
fn dry_run_examples_use_ticket_subject() {
    let chats = fixture("chat/twcs-sample-64rows.csv");
    let (_folder, db, config) = setup(Some("rules/chat-tag.toml"));
    std::fs::rename(config.join("rules.toml"), config.join("later.toml")).unwrap();
    stdout(&kefu(&db, &config, &["ingest", chats.to_str().unwrap()]));
    std::fs::rename(config.join("later.toml"), config.join("rules.toml")).unwrap();

    let report: serde_json::Value = serde_json::from_str(&stdout(&kefu(
        &db,
        &config,
        &["rules", "dry-run", "chat-tag", "--json"],
    )))
    .unwrap();
    let examples = report["examples"].as_array().unwrap();
    assert!(!examples.is_empty());
    let store = Store::open(&db).unwrap();
    let tickets = store.tickets().unwrap();
    for example in examples {
        assert_eq!(example["event"], "message-received");
        let id = example["ticket_id"].as_i64().unwrap();
        let ticket = tickets.iter().find(|ticket| ticket.id == id).unwrap();
        assert_eq!(
            example["subject"].as_str(),
            ticket.subject.as_deref(),
            "ticket {id}"
        );
    }

    let text = stdout(&kefu(&db, &config, &["rules", "dry-run", "chat-tag"]));
    assert!(!text.contains("(no subject)"), "{text}");
}

#[test]
fn tick_counts_firings_in_words() {
    let (_folder, db, config) = setup(Some("rules/sla-breach.toml"));
    // The message is from 2020, so its ticket's deadline has passed.
    let mail = fixture("email/22-references-with-non-addr-spec-id.eml");
    stdout(&kefu(&db, &config, &["ingest", mail.to_str().unwrap()]));

    let first = stdout(&kefu(&db, &config, &["rules", "tick"]));
    assert!(
        first.contains(": 1 time rule firing, 0 tickets opened\n"),
        "{first}"
    );
    // A rule fires once per deadline, however often the scheduler runs.
    let second = stdout(&kefu(&db, &config, &["rules", "tick"]));
    assert!(
        second.contains(": 0 time rule firings, 0 tickets opened\n"),
        "{second}"
    );
}
