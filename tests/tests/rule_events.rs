//! Every rule event and action through a real import, driven by the
//! scripted-rule test plugin: the script for each event sits in the
//! plugin's key-value storage, and the plugin records what it was given.

use kefu_core::ingest::{IngestSummary, Ingestor};
use kefu_core::plugin::kv::KvSpace;
use kefu_core::plugin::{Manifest, PluginContext, PluginSet};
use kefu_tests::{TestDb, test_plugin};

/// Loads the built-in plugins plus scripted-rule under each `(id, script)`,
/// where a script is `(key, actions)` pairs.
fn with_scripted(rules: &[(&str, &[(&str, &str)])]) -> PluginSet {
    let mut plugins = PluginSet::builtin().unwrap();
    let component = test_plugin("scripted-rule");
    for (id, script) in rules {
        let manifest = Manifest::parse(&format!(
            "id = \"{id}\"\nname = \"{id}\"\nversion = \"0.1.0\"\nkind = \"rule\"\napi = \"1.1.0\"\n"
        ))
        .unwrap();
        let mut context = PluginContext::for_plugin(id);
        context.kv = KvSpace::with_entries(
            script
                .iter()
                .map(|(key, actions)| (key.to_string(), actions.as_bytes().to_vec())),
        );
        plugins.add_loaded(&manifest, &component, context).unwrap();
    }
    plugins
}

/// What the rule with `id` recorded, one line per event.
fn seen(plugins: &PluginSet, id: &str) -> Vec<String> {
    let rule = plugins
        .rules
        .iter()
        .find(|rule| rule.plugin.id() == id)
        .unwrap();
    let bytes = rule.plugin.kv().get("seen").unwrap_or_default();
    String::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn import_one(db: &mut TestDb, plugins: &mut PluginSet, name: &str) -> IngestSummary {
    let mail = db.write_mail(name, "li.lei@example.cn", "订单问题", "我的订单还没到。");
    let summary = db.ingest_with(plugins, &[mail]);
    assert!(
        summary.rule_failures.is_empty(),
        "{:?}",
        summary.rule_failures
    );
    summary
}

fn event_kinds(db: &TestDb, ticket_id: i64) -> Vec<(String, String)> {
    db.store
        .ticket_events(ticket_id)
        .unwrap()
        .into_iter()
        .map(|event| (event.kind, event.detail.to_string()))
        .collect()
}

#[test]
fn every_action_is_applied_and_recorded_with_the_rule_as_actor() {
    let mut db = TestDb::new();
    let mut plugins = with_scripted(&[(
        "scripted",
        &[(
            "on:message-received",
            "set-type after-sales\nset-status in-progress\nassign 李雷\nadd-tag scripted\n\
             add-note 已核对订单\nschedule-timer follow-up 3600\nsuggest-phrase greeting\n\
             send-phrase order-status",
        )],
    )]);
    import_one(&mut db, &mut plugins, "a.eml");

    let tickets = db.store.tickets().unwrap();
    assert_eq!(tickets.len(), 1);
    let ticket = &tickets[0];
    assert_eq!(ticket.ticket_type, "after-sales");
    assert_eq!(ticket.status, "in-progress");
    assert_eq!(ticket.tags, vec!["scripted".to_string()]);
    let events = db.store.ticket_events(ticket.id).unwrap();
    let by_rule: Vec<&str> = events
        .iter()
        .filter(|event| event.actor == "plugin:scripted")
        .map(|event| event.kind.as_str())
        .collect();
    assert_eq!(
        by_rule,
        vec![
            "type",
            "status",
            "assignee",
            "tag",
            "note",
            "phrase-suggested",
            "phrase-send"
        ]
    );
    let kinds = event_kinds(&db, ticket.id);
    assert!(
        kinds
            .iter()
            .any(|(kind, detail)| kind == "assignee" && detail.contains("李雷"))
    );
}

#[test]
fn ticket_created_and_updated_events_reach_the_other_rules() {
    let mut db = TestDb::new();
    let mut plugins = with_scripted(&[
        ("first", &[("on:ticket-created", "set-priority urgent")]),
        (
            "second",
            &[("on:ticket-updated:priority", "add-tag saw-priority")],
        ),
    ]);
    import_one(&mut db, &mut plugins, "b.eml");

    let ticket = &db.store.tickets().unwrap()[0];
    assert_eq!(ticket.priority, "urgent");
    assert_eq!(ticket.tags, vec!["saw-priority".to_string()]);
    let first = seen(&plugins, "first");
    assert!(first[0].starts_with("message-received"), "{first:?}");
    assert!(first[1].starts_with("ticket-created"), "{first:?}");
    // The rule's own change is not sent back to it.
    assert!(
        first
            .iter()
            .all(|line| !line.starts_with("ticket-updated:priority")),
        "{first:?}"
    );
    let second = seen(&plugins, "second");
    assert!(
        second
            .iter()
            .any(|line| line.starts_with("ticket-updated:priority")
                && line.contains("priority=urgent")),
        "{second:?}"
    );
}

#[test]
fn rules_see_customer_tier_history_and_ticket() {
    let mut db = TestDb::new();
    let mut plugins = with_scripted(&[("watcher", &[])]);
    import_one(&mut db, &mut plugins, "c1.eml");
    let mail = db.write_mail("c2.eml", "li.lei@example.cn", "又一个问题", "发票怎么开？");
    db.ingest_with(&mut plugins, &[mail]);

    let lines = seen(&plugins, "watcher");
    let received: Vec<&String> = lines
        .iter()
        .filter(|line| line.starts_with("message-received"))
        .collect();
    assert_eq!(received.len(), 2, "{lines:?}");
    // default-rules runs first, so the ticket exists when the watcher runs.
    assert!(
        received[0].contains("tier=regular earlier=0 tickets=1 open=1 status=open"),
        "{}",
        received[0]
    );
    assert!(
        received[1].contains("earlier=1 tickets=2 open=2"),
        "{}",
        received[1]
    );
}

#[test]
fn timer_fires_once_when_due_and_its_actions_apply() {
    let mut db = TestDb::new();
    let mut plugins = with_scripted(&[(
        "timers",
        &[
            ("on:message-received", "schedule-timer chase 60"),
            ("on:timer-fired:chase", "set-status waiting-on-customer"),
        ],
    )]);
    import_one(&mut db, &mut plugins, "d.eml");
    let later = chrono::Utc::now() + chrono::Duration::seconds(120);

    for _ in 0..3 {
        let mut summary = IngestSummary::default();
        Ingestor::new(&mut db.store, &mut plugins)
            .fire_due_timers(later, &mut summary)
            .unwrap();
        assert!(
            summary.rule_failures.is_empty(),
            "{:?}",
            summary.rule_failures
        );
    }

    let ticket = &db.store.tickets().unwrap()[0];
    assert_eq!(ticket.status, "waiting-on-customer");
    let fired: Vec<String> = seen(&plugins, "timers")
        .into_iter()
        .filter(|line| line.starts_with("timer-fired:chase"))
        .collect();
    assert_eq!(fired.len(), 1, "the timer fires once: {fired:?}");
}

#[test]
fn timer_not_yet_due_does_not_fire() {
    let mut db = TestDb::new();
    let mut plugins = with_scripted(&[(
        "timers",
        &[("on:message-received", "schedule-timer chase 3600")],
    )]);
    import_one(&mut db, &mut plugins, "e.eml");
    let mut summary = IngestSummary::default();
    Ingestor::new(&mut db.store, &mut plugins)
        .fire_due_timers(chrono::Utc::now(), &mut summary)
        .unwrap();
    assert!(
        seen(&plugins, "timers")
            .iter()
            .all(|line| !line.starts_with("timer-fired")),
    );
}

#[test]
fn two_rules_undoing_each_other_stop_after_one_answer_each() {
    let mut db = TestDb::new();
    let mut plugins = with_scripted(&[
        (
            "raise",
            &[
                ("on:message-received", "set-priority urgent"),
                ("on:ticket-updated:priority", "set-priority urgent"),
            ],
        ),
        (
            "lower",
            &[("on:ticket-updated:priority", "set-priority normal")],
        ),
    ]);
    import_one(&mut db, &mut plugins, "f.eml");

    // raise sets urgent; lower answers with normal; raise answers that once
    // with urgent, and the cascade ends there.
    let ticket = &db.store.tickets().unwrap()[0];
    assert_eq!(ticket.priority, "urgent");
    let changes = db
        .store
        .ticket_events(ticket.id)
        .unwrap()
        .into_iter()
        .filter(|event| event.kind == "priority")
        .count();
    assert_eq!(changes, 3);
}

#[test]
fn invalid_action_values_are_rejected_by_name_and_the_rest_applies() {
    let mut db = TestDb::new();
    let mut plugins = with_scripted(&[(
        "sloppy",
        &[(
            "on:message-received",
            "set-status done\nset-priority 紧急\nadd-tag ok",
        )],
    )]);
    let mail = db.write_mail("g.eml", "li.lei@example.cn", "订单问题", "我的订单还没到。");
    let summary = db.ingest_with(&mut plugins, &[mail]);

    assert_eq!(
        summary.rule_failures.len(),
        2,
        "{:?}",
        summary.rule_failures
    );
    assert!(summary.rule_failures[0].contains("unknown status \"done\""));
    assert!(summary.rule_failures[0].contains("waiting-on-customer"));
    assert!(summary.rule_failures[1].contains("unknown priority \"紧急\""));
    let ticket = &db.store.tickets().unwrap()[0];
    assert_eq!(ticket.status, "open");
    assert_eq!(ticket.tags, vec!["ok".to_string()]);
}

#[test]
fn key_value_changes_are_saved_with_the_import() {
    let mut db = TestDb::new();
    let mut plugins = with_scripted(&[("keeper", &[])]);
    import_one(&mut db, &mut plugins, "h.eml");
    let stored = db.store.plugin_kv("keeper").unwrap();
    let seen = stored
        .iter()
        .find(|(key, _)| key == "seen")
        .map(|(_, value)| String::from_utf8_lossy(value).into_owned())
        .expect("the record is stored");
    assert!(seen.starts_with("message-received"), "{seen}");
}
