//! Every rule event and action through a real import, driven by the
//! scripted-rule test plugin. The script for each event is stored in the
//! plugin's key-value storage, and the plugin records each event it
//! receives under the key `seen`.

use kefu_core::ingest::{IngestSummary, Ingestor};
use kefu_core::plugin::kv::KvSpace;
use kefu_core::plugin::{Manifest, PluginContext, PluginSet};
use kefu_tests::{TestDb, test_plugin};

/// Loads the built-in plugins plus scripted-rule under each `(id, script)`,
/// where a script is a list of `(key, actions)` pairs.
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

/// The starter phrase library shipped in docs/examples.
fn starter_phrases() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/phrases.toml")
}

/// Returns the events that the rule with `id` recorded, one line per event.
fn received_events(plugins: &PluginSet, id: &str) -> Vec<String> {
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

/// Imports one mail named `name` and checks that no rule failed.
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

/// Returns the kind and JSON detail of each history event of a ticket.
fn events_with_details(db: &TestDb, ticket_id: i64) -> Vec<(String, String)> {
    db.store
        .ticket_events(ticket_id)
        .unwrap()
        .into_iter()
        .map(|event| (event.kind, event.detail.to_string()))
        .collect()
}

#[test]
fn every_action_applied_with_rule_as_actor() {
    let mut db = TestDb::new();
    // The phrases the script names come from the starter phrase library.
    db.store
        .import_phrases(&starter_phrases(), chrono::Utc::now())
        .unwrap();
    let mut plugins = with_scripted(&[(
        "scripted",
        &[(
            "on:message-received",
            "set-type after-sales\nset-status in-progress\nassign 李雷\nadd-tag scripted\n\
             add-note 已核对订单\nschedule-timer follow-up 3600\nsuggest-phrase greeting\n\
             send-phrase order-status",
        )],
    )]);
    // send-phrase queues a real reply, which needs the team's address, and
    // the phrase greets the customer by name.
    kefu_tests::mail::with_team_address(&mut db.store, None);
    let mail = db.write_mail(
        "a.eml",
        "李雷 <li.lei@example.cn>",
        "订单问题",
        "我的订单还没到。",
    );
    let summary = db.ingest_with(&mut plugins, &[mail]);
    assert!(
        summary.rule_failures.is_empty(),
        "{:?}",
        summary.rule_failures
    );

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
            "phrase-send",
            "reply-queued"
        ]
    );
    let outbox = db.store.outbox(false).unwrap();
    assert_eq!(outbox.len(), 1);
    assert!(outbox[0].automatic);
    assert_eq!(outbox[0].recipient, "li.lei@example.cn");
    let events = events_with_details(&db, ticket.id);
    assert!(
        events
            .iter()
            .any(|(kind, detail)| kind == "assignee" && detail.contains("李雷")),
        "{events:?}"
    );
}

#[test]
fn ticket_events_reach_other_rules() {
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
    let first = received_events(&plugins, "first");
    assert!(first[0].starts_with("message-received"), "{first:?}");
    assert!(first[1].starts_with("ticket-created"), "{first:?}");
    // The rule's own change is not sent back to it.
    assert!(
        first
            .iter()
            .all(|line| !line.starts_with("ticket-updated:priority")),
        "{first:?}"
    );
    let second = received_events(&plugins, "second");
    assert!(
        second
            .iter()
            .any(|line| line.starts_with("ticket-updated:priority")
                && line.contains("priority=urgent")),
        "{second:?}"
    );
}

#[test]
fn event_carries_customer_history_and_ticket() {
    let mut db = TestDb::new();
    let mut plugins = with_scripted(&[("watcher", &[])]);
    import_one(&mut db, &mut plugins, "c1.eml");
    let mail = db.write_mail("c2.eml", "li.lei@example.cn", "又一个问题", "发票怎么开？");
    db.ingest_with(&mut plugins, &[mail]);

    let lines = received_events(&plugins, "watcher");
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
fn due_timer_fires_once_and_applies() {
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
    let fired: Vec<String> = received_events(&plugins, "timers")
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
    let received = received_events(&plugins, "timers");
    assert!(
        received.iter().all(|line| !line.starts_with("timer-fired")),
        "{received:?}"
    );
}

#[test]
fn opposing_rules_each_act_once_per_cascade() {
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

    // `raise` sets urgent and `lower` responds with normal. `raise` already
    // changed the ticket in this cascade, so `lower`'s change does not
    // reach it, and the cascade ends there.
    let ticket = &db.store.tickets().unwrap()[0];
    assert_eq!(ticket.priority, "normal");
    let changes = db
        .store
        .ticket_events(ticket.id)
        .unwrap()
        .into_iter()
        .filter(|event| event.kind == "priority")
        .count();
    assert_eq!(changes, 2);
}

#[test]
fn invalid_action_rejected_rest_applied() {
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
    let failures = &summary.rule_failures;
    assert!(
        failures[0].contains("unknown status \"done\""),
        "{}",
        failures[0]
    );
    assert!(
        failures[0].contains("waiting-on-customer"),
        "{}",
        failures[0]
    );
    assert!(
        failures[1].contains("unknown priority \"紧急\""),
        "{}",
        failures[1]
    );
    let ticket = &db.store.tickets().unwrap()[0];
    assert_eq!(ticket.status, "open");
    assert_eq!(ticket.tags, vec!["ok".to_string()]);
}

#[test]
fn kv_changes_saved_with_import() {
    let mut db = TestDb::new();
    let mut plugins = with_scripted(&[("keeper", &[])]);
    import_one(&mut db, &mut plugins, "h.eml");
    let stored = db.store.plugin_kv("keeper").unwrap();
    let record = stored
        .iter()
        .find(|(key, _)| key == "seen")
        .map(|(_, value)| String::from_utf8_lossy(value).into_owned())
        .expect("the event record is stored");
    assert!(record.starts_with("message-received"), "{record}");
}

#[test]
fn timer_of_absent_rule_waits_for_it() {
    let mut db = TestDb::new();
    let script: &[(&str, &str)] = &[
        ("on:message-received", "schedule-timer chase 60"),
        ("on:timer-fired:chase", "add-tag chased"),
    ];
    let mut plugins = with_scripted(&[("timers", script)]);
    import_one(&mut db, &mut plugins, "i.eml");
    let later = chrono::Utc::now() + chrono::Duration::seconds(120);

    // Without the rule loaded, the due timer is kept.
    let mut without_rule = PluginSet::builtin().unwrap();
    let mut summary = IngestSummary::default();
    Ingestor::new(&mut db.store, &mut without_rule)
        .fire_due_timers(later, &mut summary)
        .unwrap();
    assert!(db.store.tickets().unwrap()[0].tags.is_empty());

    // With the rule back, it fires.
    Ingestor::new(&mut db.store, &mut plugins)
        .fire_due_timers(later, &mut summary)
        .unwrap();
    assert_eq!(
        db.store.tickets().unwrap()[0].tags,
        vec!["chased".to_string()]
    );
}

#[test]
fn too_many_actions_apply_none() {
    let mut db = TestDb::new();
    let flood: String = (0..101).map(|n| format!("add-tag t{n}\n")).collect();
    let script: &[(&str, &str)] = &[("on:message-received", flood.as_str())];
    let mut plugins = with_scripted(&[("flood", script)]);
    let mail = db.write_mail("j.eml", "li.lei@example.cn", "订单问题", "我的订单还没到。");

    let summary = db.ingest_with(&mut plugins, &[mail]);

    assert_eq!(
        summary.rule_failures.len(),
        1,
        "{:?}",
        summary.rule_failures
    );
    assert!(
        summary.rule_failures[0].contains("101 actions"),
        "{}",
        summary.rule_failures[0]
    );
    assert!(db.store.tickets().unwrap()[0].tags.is_empty());
}

#[test]
fn unknown_phrase_in_an_action_is_rejected_by_name() {
    let mut db = TestDb::new();
    let mut plugins = with_scripted(&[(
        "scripted",
        &[("on:message-received", "suggest-phrase no-such-reply")],
    )]);
    let mail = db.write_mail("a.eml", "li.lei@example.cn", "订单问题", "我的订单还没到。");
    let summary = db.ingest_with(&mut plugins, &[mail]);
    assert_eq!(
        summary.rule_failures.len(),
        1,
        "{:?}",
        summary.rule_failures
    );
    assert!(
        summary.rule_failures[0].contains("unknown phrase id \"no-such-reply\""),
        "{:?}",
        summary.rule_failures
    );
}

/// Turns on routing of new tickets with `routing_toml` and adds `agents`,
/// each with its skills.
fn route_new_tickets(db: &mut TestDb, routing_toml: &str, agents: &[(&str, &[&str])]) {
    use kefu_core::desk::Desk;
    use kefu_core::routing::NewAgent;

    let config = tempfile::tempdir().unwrap();
    std::fs::write(
        config.path().join("routing.toml"),
        format!("assign-new-tickets = true\n{routing_toml}"),
    )
    .unwrap();
    db.store.set_desk(Desk::load(config.path()).unwrap());
    let writer = db.store.writer().unwrap();
    for (name, skills) in agents {
        let agent = NewAgent {
            name: name.to_string(),
            display_name: None,
            skills: skills.iter().map(|skill| skill.to_string()).collect(),
            max_open: None,
        };
        writer.add_agent(&agent, chrono::Utc::now()).unwrap();
    }
    writer.commit().unwrap();
}

/// Returns each agent's name and open load.
fn agent_loads(db: &TestDb) -> Vec<(String, u32)> {
    db.store
        .agents()
        .unwrap()
        .into_iter()
        .map(|agent| (agent.name, agent.open_load))
        .collect()
}

/// Returns the kind and actor of each history event of a ticket.
fn kinds_and_actors(db: &TestDb, ticket_id: i64) -> Vec<(String, String)> {
    db.store
        .ticket_events(ticket_id)
        .unwrap()
        .into_iter()
        .map(|event| (event.kind, event.actor))
        .collect()
}

#[test]
fn routed_ticket_unassigned_during_cascade() {
    let mut db = TestDb::new();
    route_new_tickets(&mut db, "", &[("lin", &[]), ("wang", &[])]);
    let mut plugins = with_scripted(&[("watcher", &[])]);
    import_one(&mut db, &mut plugins, "r1.eml");

    // The rules run before routing, so they see the ticket unassigned.
    let lines = received_events(&plugins, "watcher");
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("message-received"), "{lines:?}");
    assert!(lines[1].starts_with("ticket-created"), "{lines:?}");
    for line in &lines {
        assert!(line.contains("status=open"), "{line}");
        assert!(line.contains("assignee=-"), "{line}");
    }

    let ticket = &db.store.tickets().unwrap()[0];
    assert_eq!(ticket.assignee.as_deref(), Some("lin"));
    assert_eq!(
        kinds_and_actors(&db, ticket.id),
        [
            ("created".to_string(), "plugin:default-rules".to_string()),
            ("assignee".to_string(), "system".to_string()),
        ]
    );
    let assignment = db
        .store
        .ticket_events(ticket.id)
        .unwrap()
        .into_iter()
        .find(|event| event.kind == "assignee")
        .unwrap();
    assert_eq!(assignment.detail["from"], serde_json::Value::Null);
    assert_eq!(assignment.detail["to"], "lin");
    assert!(
        assignment.reason.unwrap().starts_with("least-load"),
        "the assignment says why"
    );
    assert_eq!(
        agent_loads(&db),
        [("lin".to_string(), 1), ("wang".to_string(), 0)]
    );

    // The next ticket goes to the agent with fewer open tickets.
    let mail = db.write_mail("r2.eml", "han.mei@example.cn", "发票", "请开发票。");
    db.ingest_with(&mut plugins, &[mail]);
    let tickets = db.store.tickets().unwrap();
    let second = tickets.iter().find(|other| other.id != ticket.id);
    assert_eq!(
        second.and_then(|second| second.assignee.as_deref()),
        Some("wang")
    );
    assert_eq!(
        agent_loads(&db),
        [("lin".to_string(), 1), ("wang".to_string(), 1)]
    );
}

#[test]
fn rule_assignment_wins_over_routing() {
    let mut db = TestDb::new();
    route_new_tickets(&mut db, "", &[("lin", &[]), ("wang", &[])]);
    let mut plugins = with_scripted(&[("assigner", &[("on:ticket-created", "assign wang")])]);
    import_one(&mut db, &mut plugins, "r3.eml");

    // Routing would pick lin, the first name of two idle agents, but the
    // rule assigned the ticket first.
    let ticket = &db.store.tickets().unwrap()[0];
    assert_eq!(ticket.assignee.as_deref(), Some("wang"));
    assert_eq!(
        kinds_and_actors(&db, ticket.id),
        [
            ("created".to_string(), "plugin:default-rules".to_string()),
            ("assignee".to_string(), "plugin:assigner".to_string()),
        ]
    );
    let events = events_with_details(&db, ticket.id);
    assert_eq!(events[1].1, r#"{"from":null,"to":"wang"}"#);
    assert_eq!(
        agent_loads(&db),
        [("lin".to_string(), 0), ("wang".to_string(), 1)]
    );
}

#[test]
fn routing_follows_type_a_rule_set() {
    let mut db = TestDb::new();
    route_new_tickets(
        &mut db,
        "[required-skills]\ntechnical-support = [\"tech\"]\n",
        &[("lin", &[]), ("zhao", &["tech"])],
    );
    let mut plugins = with_scripted(&[(
        "typist",
        &[(
            "on:ticket-created",
            "set-type technical-support\nadd-tag tech",
        )],
    )]);
    import_one(&mut db, &mut plugins, "r4.eml");

    // default-rules opened a pre-sales ticket, which lin could take. The
    // rule made it technical support, which needs the tech skill.
    let ticket = &db.store.tickets().unwrap()[0];
    assert_eq!(ticket.ticket_type, "technical-support");
    assert_eq!(ticket.assignee.as_deref(), Some("zhao"));
    assert_eq!(
        kinds_and_actors(&db, ticket.id),
        [
            ("created".to_string(), "plugin:default-rules".to_string()),
            ("type".to_string(), "plugin:typist".to_string()),
            ("tag".to_string(), "plugin:typist".to_string()),
            ("assignee".to_string(), "system".to_string()),
        ]
    );
    assert_eq!(
        agent_loads(&db),
        [("lin".to_string(), 0), ("zhao".to_string(), 1)]
    );
}
