//! Hostile plugins, built from tests/plugins and dropped into a plugins
//! folder as a user would. Each test checks that the host keeps running and
//! that the error names the plugin and the cause. It also checks that the
//! expected consequence follows (the call fails, the instance is replaced or
//! the plugin is disabled), that the other plugins keep running and that no
//! stored data is lost.

use std::time::{Duration, Instant};

use kefu_core::plugin::{Limits, PluginKind, PluginSet, PluginStatus};
use kefu_tests::{TestDb, builtin_plus, fixtures, plugin_folder, test_plugin};

/// Number of mails in tests/fixtures/email, including those in the mbox.
const FIXTURE_MAILS: usize = 59;

/// Returns the listed status of plugin `id`.
fn status_of(plugins: &PluginSet, id: &str) -> PluginStatus {
    plugins
        .entries
        .iter()
        .find(|entry| entry.id == id)
        .unwrap_or_else(|| panic!("no entry for {id}: {:?}", plugins.entries))
        .status
        .clone()
}

/// Returns the stored reason that plugin `id` is disabled, and fails the test
/// when it is enabled.
fn disabled_reason(db: &TestDb, id: &str) -> String {
    let state = db
        .store
        .plugin_state(id)
        .unwrap()
        .unwrap_or_else(|| panic!("{id} has no stored state"));
    assert!(!state.enabled, "{id} is still enabled");
    state.disabled_reason.unwrap_or_default()
}

/// Returns the tags of every ticket.
fn all_tags(db: &TestDb) -> Vec<String> {
    db.store
        .tickets()
        .unwrap()
        .into_iter()
        .flat_map(|ticket| ticket.tags)
        .collect()
}

/// Returns the text of every note on every ticket, oldest first.
fn all_notes(db: &TestDb) -> Vec<String> {
    let mut notes = Vec::new();
    for ticket in db.store.tickets().unwrap() {
        for event in db.store.ticket_events(ticket.id).unwrap() {
            if event.kind == "note" {
                notes.push(
                    event.detail["text"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                );
            }
        }
    }
    notes
}

#[test]
fn looping_rule_timed_out_then_disabled() {
    let mut db = TestDb::new();
    let folder = plugin_folder(&["looping-rule"]);
    let mut plugins = db.load_plugins(folder.path());
    let started = Instant::now();
    let summary = db.ingest_with(&mut plugins, &[fixtures().join("email")]);
    let elapsed = started.elapsed();

    assert_eq!(
        summary.messages_stored, FIXTURE_MAILS,
        "every mail is stored"
    );
    assert!(
        summary.tickets_opened > 0,
        "default-rules still opens tickets"
    );
    assert_eq!(
        summary.rule_failures.len(),
        3,
        "{:#?}",
        summary.rule_failures
    );
    for failure in &summary.rule_failures {
        assert!(failure.contains("plugin looping-rule"), "{failure}");
        assert!(failure.contains("time limit"), "{failure}");
    }
    assert!(
        summary.rule_failures[2].contains("disabled"),
        "{}",
        summary.rule_failures[2]
    );
    // The manifest requests a 300 ms time limit, so three stopped calls and
    // the import fit well within 60 s.
    assert!(elapsed < Duration::from_secs(60), "import took {elapsed:?}");

    let reason = disabled_reason(&db, "looping-rule");
    assert!(
        reason.contains("3 failed calls within 10 minutes"),
        "{reason}"
    );
    assert!(reason.contains("time limit"), "{reason}");
    let faults = db.store.plugin_faults("looping-rule", 10).unwrap();
    assert_eq!(faults.len(), 3);
    assert_eq!(faults[0].call, "on-event");

    // The next start leaves it off, with the reason, until the user enables it.
    let plugins = db.load_plugins(folder.path());
    let status = status_of(&plugins, "looping-rule");
    assert!(
        matches!(&status, PluginStatus::Disabled(reason) if reason.contains("time limit")),
        "{status:?}"
    );
    assert!(
        plugins
            .rules
            .iter()
            .all(|rule| rule.plugin.id() != "looping-rule"),
        "the disabled rule is not loaded"
    );
    db.store
        .set_plugin_enabled("looping-rule", true, None)
        .unwrap();
    let plugins = db.load_plugins(folder.path());
    assert_eq!(status_of(&plugins, "looping-rule"), PluginStatus::Running);
}

#[test]
fn memory_hog_stopped_at_memory_limit() {
    let mut db = TestDb::new();
    let mut plugins = builtin_plus(
        "memory-hog-rule",
        PluginKind::Rule,
        Limits {
            memory_bytes: 32 * 1024 * 1024,
            ..Limits::default()
        },
    );
    let mail = fixtures().join("email/23-html-only-empty-in-reply-to.eml");

    let summary = db.ingest_with(&mut plugins, &[mail]);

    assert_eq!(summary.messages_stored, 1);
    assert_eq!(summary.tickets_opened, 1, "default-rules still runs");
    assert!(!summary.rule_failures.is_empty());
    let failure = &summary.rule_failures[0];
    assert!(failure.contains("plugin memory-hog-rule"), "{failure}");
    assert!(failure.contains("memory"), "{failure}");
}

#[test]
fn deep_recursion_traps_on_stack_overflow() {
    let mut db = TestDb::new();
    let folder = plugin_folder(&["deep-recursion-rule"]);
    let mut plugins = db.load_plugins(folder.path());
    let mail = fixtures().join("email/23-html-only-empty-in-reply-to.eml");

    let summary = db.ingest_with(&mut plugins, &[mail]);

    assert_eq!(summary.messages_stored, 1);
    assert_eq!(summary.tickets_opened, 1);
    let failure = &summary.rule_failures[0];
    assert!(failure.contains("plugin deep-recursion-rule"), "{failure}");
    assert!(failure.contains("stack"), "{failure}");
}

#[test]
fn panicking_rule_gets_fresh_instance() {
    let mut db = TestDb::new();
    let folder = plugin_folder(&["panic-second-call-rule"]);
    let mut plugins = db.load_plugins(folder.path());
    // Two mails: each gives the rule one good call and one panic, which
    // stays under the three faults that would disable it.
    let mails: Vec<_> = (1..=2)
        .map(|n| {
            db.write_mail(
                &format!("m{n}.eml"),
                &format!("customer{n}@example.com"),
                "Order question",
                "Where is my order?",
            )
        })
        .collect();

    let summary = db.ingest_with(&mut plugins, &mails);

    assert_eq!(summary.messages_stored, 2);
    // Each mail opens a ticket, so the rule receives message-received and
    // then ticket-created. The call after the panic runs on a new instance,
    // which responds again as on a first call.
    assert!(!summary.rule_failures.is_empty());
    for failure in &summary.rule_failures {
        assert!(
            failure.contains("plugin panic-second-call-rule"),
            "{failure}"
        );
        assert!(failure.contains("panicked"), "{failure}");
    }
    let tags = all_tags(&db);
    assert!(
        tags.iter().filter(|tag| *tag == "first-call-ok").count() >= 2,
        "the instance was replaced after the panic: {tags:?}"
    );
    assert_eq!(
        status_of(&plugins, "panic-second-call-rule"),
        PluginStatus::Running
    );
}

#[test]
fn huge_output_rejected_and_not_stored() {
    let mut db = TestDb::new();
    let folder = plugin_folder(&["huge-output-rule"]);
    let mut plugins = db.load_plugins(folder.path());
    let mail = fixtures().join("email/23-html-only-empty-in-reply-to.eml");

    let summary = db.ingest_with(&mut plugins, &[mail]);

    assert_eq!(summary.messages_stored, 1);
    assert_eq!(summary.tickets_opened, 1);
    let failure = &summary.rule_failures[0];
    assert!(failure.contains("plugin huge-output-rule"), "{failure}");
    assert!(failure.contains("output limit"), "{failure}");
    assert!(
        all_notes(&db).is_empty(),
        "the oversized note was not stored"
    );
}

#[test]
fn invalid_and_incompatible_plugins_listed_broken() {
    let mut db = TestDb::new();
    let folder = plugin_folder(&["api-2-rule"]);
    std::fs::write(folder.path().join("garbage.wasm"), b"\0asm not really").unwrap();
    // The smallest valid core module: magic number and version, no sections.
    std::fs::write(folder.path().join("core-module.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let mut plugins = db.load_plugins(folder.path());

    match status_of(&plugins, "api-2-rule") {
        PluginStatus::Broken(reason) => {
            assert!(reason.contains("2.0.0"), "{reason}");
            assert!(reason.contains("1.2.0"), "{reason}");
            assert!(reason.contains("plugin api-2-rule"), "{reason}");
        }
        other => panic!("api-2-rule: {other:?}"),
    }
    match status_of(&plugins, "garbage") {
        PluginStatus::Broken(reason) => {
            assert!(reason.contains("not a WebAssembly component"), "{reason}")
        }
        other => panic!("garbage: {other:?}"),
    }
    match status_of(&plugins, "core-module") {
        PluginStatus::Broken(reason) => {
            assert!(reason.contains("core WebAssembly module"), "{reason}")
        }
        other => panic!("core-module: {other:?}"),
    }
    // The built-ins load and work.
    let summary = db.ingest_with(&mut plugins, &[fixtures().join("email")]);
    assert_eq!(summary.messages_stored, FIXTURE_MAILS);
    assert!(
        summary.rule_failures.is_empty(),
        "{:?}",
        summary.rule_failures
    );
}

#[test]
fn previous_minor_api_plugin_runs() {
    let mut db = TestDb::new();
    let folder = plugin_folder(&["api-1-0-rule"]);
    let mut plugins = db.load_plugins(folder.path());
    assert_eq!(status_of(&plugins, "api-1-0-rule"), PluginStatus::Running);
    let mail = fixtures().join("email/23-html-only-empty-in-reply-to.eml");

    let summary = db.ingest_with(&mut plugins, &[mail]);

    assert!(
        summary.rule_failures.is_empty(),
        "{:?}",
        summary.rule_failures
    );
    let tags = all_tags(&db);
    assert!(tags.contains(&"api-1.0".to_string()), "{tags:?}");
}

#[test]
fn trapping_adapter_inputs_quarantined_then_disabled() {
    let mut db = TestDb::new();
    let folder = plugin_folder(&["trapping-adapter"]);
    let mut plugins = db.load_plugins(folder.path());
    let mut inputs = Vec::new();
    for name in ["one.trap", "two.trap", "three.trap", "four.trap"] {
        let path = db.folder.path().join(name);
        std::fs::write(&path, name).unwrap();
        inputs.push(path);
    }
    inputs.push(fixtures().join("email/23-html-only-empty-in-reply-to.eml"));

    let summary = db.ingest_with(&mut plugins, &inputs);

    assert_eq!(
        summary.messages_stored, 1,
        "the mail after the traps is stored"
    );
    assert_eq!(summary.quarantined.len(), 4, "{:#?}", summary.quarantined);
    for entry in &summary.quarantined[..3] {
        assert!(
            entry.reason.contains("plugin trapping-adapter"),
            "{}",
            entry.reason
        );
        assert!(
            entry.reason.contains("the plugin panicked"),
            "{}",
            entry.reason
        );
    }
    // After three faults the adapter is disabled, so the fourth input finds
    // no adapter.
    assert!(
        summary.quarantined[3]
            .reason
            .contains("no adapter recognised"),
        "{}",
        summary.quarantined[3].reason
    );
    let reason = disabled_reason(&db, "trapping-adapter");
    assert!(reason.contains("panicked"), "{reason}");
    // Every quarantined input is stored whole and will be retried.
    assert_eq!(db.store.quarantine().unwrap().len(), 4);
    let counts = db.store.counts().unwrap();
    assert_eq!(counts.raw_inputs, 5);
}

#[test]
fn invalid_component_error_names_plugin() {
    let mut plugins = PluginSet::builtin().unwrap();
    let error = plugins
        .add(
            "not-wasm",
            PluginKind::Rule,
            b"not a component",
            Limits::default(),
        )
        .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("plugin not-wasm"), "{message}");
    assert!(message.contains("ticket-rule"), "{message}");
}

#[test]
fn adapter_loaded_as_rule_is_rejected() {
    let mut plugins = PluginSet::builtin().unwrap();
    let error = plugins
        .add(
            "trapping-adapter",
            PluginKind::Rule,
            &test_plugin("trapping-adapter"),
            Limits::default(),
        )
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("not a valid ticket-rule component"),
        "{message}"
    );
}

#[test]
fn oversized_plugin_file_listed_broken_unread() {
    let db = TestDb::new();
    let folder = plugin_folder(&[]);
    // Sparse: 3 GiB long, no disk used.
    let big = std::fs::File::create(folder.path().join("big.wasm")).unwrap();
    big.set_len(3 * 1024 * 1024 * 1024).unwrap();
    let started = Instant::now();

    let plugins = db.load_plugins(folder.path());

    match status_of(&plugins, "big") {
        PluginStatus::Broken(reason) => {
            assert!(reason.contains("more than the maximum"), "{reason}");
        }
        other => panic!("big: {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the file was read: {:?}",
        started.elapsed()
    );
}

#[test]
fn faults_add_up_across_separate_runs() {
    let mut db = TestDb::new();
    let folder = plugin_folder(&["trapping-adapter"]);
    // Three short runs, as three `kefu ingest` commands, one trap each.
    for run in 0..3 {
        let mut plugins = db.load_plugins(folder.path());
        assert_eq!(
            status_of(&plugins, "trapping-adapter"),
            PluginStatus::Running,
            "run {run}"
        );
        let input = db.folder.path().join(format!("run{run}.trap"));
        std::fs::write(&input, format!("run {run}")).unwrap();
        db.ingest_with(&mut plugins, &[input]);
    }

    let reason = disabled_reason(&db, "trapping-adapter");
    assert!(
        reason.contains("3 failed calls within 10 minutes"),
        "{reason}"
    );

    // Enabling forgives the earlier faults: one more does not disable it.
    db.store
        .set_plugin_enabled("trapping-adapter", true, None)
        .unwrap();
    let mut plugins = db.load_plugins(folder.path());
    let input = db.folder.path().join("after.trap");
    std::fs::write(&input, "after").unwrap();
    db.ingest_with(&mut plugins, &[input]);
    assert!(
        db.store
            .plugin_state("trapping-adapter")
            .unwrap()
            .unwrap()
            .enabled
    );
}
