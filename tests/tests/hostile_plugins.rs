//! Plugins that loop forever or trap must not stop an import.

use std::time::{Duration, Instant};

use kefu_core::plugin::{Limits, PluginKind, PluginSet};
use kefu_tests::{TestDb, builtin_plus, fixtures, test_plugin};

fn limits(call_timeout: Duration) -> Limits {
    Limits {
        call_timeout,
        ..Limits::default()
    }
}

#[test]
fn looping_rule_is_stopped_and_import_goes_on() {
    let mut db = TestDb::new();
    let mut plugins = builtin_plus(
        "looping-rule",
        PluginKind::Rule,
        limits(Duration::from_millis(300)),
    );
    let started = Instant::now();
    let summary = db.ingest_with(&mut plugins, &[fixtures().join("email")]);
    let elapsed = started.elapsed();

    assert_eq!(summary.messages_stored, 59, "every mail is stored");
    assert!(
        summary.tickets_opened > 0,
        "default-rules still opens tickets"
    );
    assert!(!summary.rule_failures.is_empty());
    for failure in &summary.rule_failures {
        assert!(failure.contains("plugin looping-rule"), "{failure}");
        assert!(failure.contains("time limit"), "{failure}");
    }
    // Three timeouts in a row suspend the rule for the rest of the import.
    assert_eq!(
        summary.rule_failures.len(),
        3,
        "{:#?}",
        summary.rule_failures
    );
    assert!(summary.rule_failures[2].contains("skipping looping-rule"));
    // Three stopped calls of 300 ms each, plus the import itself; a rule
    // that was never stopped would hang here instead.
    assert!(elapsed < Duration::from_secs(60), "import took {elapsed:?}");
}

#[test]
fn memory_hog_rule_is_stopped_at_cap() {
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
    assert_eq!(
        summary.rule_failures.len(),
        1,
        "{:?}",
        summary.rule_failures
    );
    let failure = &summary.rule_failures[0];
    assert!(failure.contains("plugin memory-hog-rule"), "{failure}");
    assert!(failure.contains("memory"), "{failure}");
}

#[test]
fn trapping_adapter_input_is_quarantined() {
    let mut db = TestDb::new();
    let mut plugins = builtin_plus("trapping-adapter", PluginKind::Adapter, Limits::default());
    let trap = db.folder.path().join("order.trap");
    std::fs::write(&trap, b"anything").unwrap();
    let mail = fixtures().join("email/23-html-only-empty-in-reply-to.eml");

    let summary = db.ingest_with(&mut plugins, &[trap.clone(), mail]);

    assert_eq!(
        summary.messages_stored, 1,
        "the mail after the trap is stored"
    );
    assert_eq!(summary.quarantined.len(), 1);
    let reason = &summary.quarantined[0].reason;
    assert!(reason.contains("plugin trapping-adapter"), "{reason}");
    assert!(
        reason.contains("parse failed: the plugin panicked"),
        "{reason}"
    );
    let stored = db.store.quarantine().unwrap();
    assert_eq!(stored[0].source_name, trap.display().to_string());
    assert_eq!(stored[0].adapter.as_deref(), Some("trapping-adapter"));
}

#[test]
fn trapped_adapter_gets_fresh_instance() {
    let mut db = TestDb::new();
    let mut plugins = builtin_plus("trapping-adapter", PluginKind::Adapter, Limits::default());
    let first = db.folder.path().join("first.trap");
    let second = db.folder.path().join("second.trap");
    std::fs::write(&first, b"one").unwrap();
    std::fs::write(&second, b"two").unwrap();

    let summary = db.ingest_with(&mut plugins, &[first, second]);

    // Both calls reach the plugin and fail on their own input; the second
    // is not refused because the first left a broken instance behind.
    assert_eq!(summary.quarantined.len(), 2);
    for entry in &summary.quarantined {
        assert!(
            entry.reason.contains("the plugin panicked"),
            "{}",
            entry.reason
        );
    }
}

#[test]
fn invalid_component_is_rejected_with_plugin_name() {
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
