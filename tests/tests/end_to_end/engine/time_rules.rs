//! Time rules from a real rules file, run by the scheduler on tickets the
//! built-in rules opened from real imports: each fires once per state of a
//! ticket, however often the scheduler ticks.

use chrono::{DateTime, Duration, Utc};
use kefu_core::automation::parse_rules;
use kefu_core::ingest::{IngestSummary, Ingestor};
use kefu_core::lifecycle::Lifecycle;
use kefu_core::plugin::PluginSet;
use kefu_core::todo::{self, BulkChange, ChangeBy};
use kefu_tests::TestDb;

const RULES: &str = r#"
[[rule]]
name = "remind-unanswered"
on = ["unanswered"]
after = "30m"
[rule.then]
add-note = "30 minutes without an answer"

[[rule]]
name = "warn-before-breach"
on = ["sla-warning"]
at = "75%"
[rule.then]
add-tag = ["sla-warning"]

[[rule]]
name = "escalate-breach"
on = ["sla-breach"]
[rule.when]
priority = ["normal"]
[rule.then]
set-priority = "urgent"

[[rule]]
name = "auto-close"
on = ["waiting"]
after = "7d"
[rule.then]
set-status = "closed"
add-note = "closed after a week without the customer's answer"
"#;

fn plugins() -> PluginSet {
    let mut plugins = PluginSet::builtin().unwrap();
    let rules = parse_rules("rules.toml", RULES, &Lifecycle::builtin()).unwrap();
    plugins.set_declarative_rules(rules).unwrap();
    plugins
}

/// Runs the scheduler at `now`.
fn tick(db: &mut TestDb, plugins: &mut PluginSet, now: DateTime<Utc>) -> IngestSummary {
    let mut summary = IngestSummary::default();
    Ingestor::new(&mut db.store, plugins)
        .fire_due_timers(now, &mut summary)
        .unwrap();
    assert!(
        summary.rule_failures.is_empty(),
        "{:?}",
        summary.rule_failures
    );
    summary
}

/// History entries of the ticket written by `actor`, as `kind`.
fn changes_by(db: &TestDb, ticket: i64, actor: &str) -> Vec<String> {
    db.store
        .ticket_events(ticket)
        .unwrap()
        .into_iter()
        .filter(|event| event.actor == actor)
        .map(|event| event.kind)
        .collect()
}

fn import(db: &mut TestDb, plugins: &mut PluginSet, name: &str, reply_to: Option<&str>) -> i64 {
    let path = db.folder.path().join(name);
    let in_reply_to = reply_to
        .map(|id| format!("In-Reply-To: <{id}@kefu.invalid>\r\n"))
        .unwrap_or_default();
    let mail = format!(
        "From: li.lei@example.cn\r\nTo: support@kefu.invalid\r\nSubject: 订单问题\r\n\
         Date: Fri, 04 Dec 2026 10:00:00 +0800\r\nMessage-ID: <{name}@kefu.invalid>\r\n\
         {in_reply_to}Content-Type: text/plain; charset=utf-8\r\n\r\n我的订单还没到。{name}\r\n"
    );
    std::fs::write(&path, mail).unwrap();
    let summary = db.ingest_with(plugins, &[path]);
    assert_eq!(summary.messages_stored, 1, "{summary:?}");
    db.store.tickets().unwrap()[0].id
}

#[test]
fn unanswered_fires_once_per_message() {
    let mut db = TestDb::new();
    let mut plugins = plugins();
    let ticket = import(&mut db, &mut plugins, "m1", None);
    let now = Utc::now();

    tick(&mut db, &mut plugins, now + Duration::minutes(10));
    assert!(changes_by(&db, ticket, "rule:remind-unanswered").is_empty());
    tick(&mut db, &mut plugins, now + Duration::minutes(31));
    assert_eq!(changes_by(&db, ticket, "rule:remind-unanswered"), ["note"]);
    // Later ticks find the same unanswered message and do not fire again.
    for minutes in [32, 45, 90] {
        tick(&mut db, &mut plugins, now + Duration::minutes(minutes));
    }
    assert_eq!(changes_by(&db, ticket, "rule:remind-unanswered"), ["note"]);

    // A new message from the customer is a new unanswered state.
    import(&mut db, &mut plugins, "m2", Some("m1"));
    tick(&mut db, &mut plugins, Utc::now() + Duration::minutes(31));
    tick(&mut db, &mut plugins, Utc::now() + Duration::minutes(60));
    assert_eq!(
        changes_by(&db, ticket, "rule:remind-unanswered"),
        ["note", "note"]
    );
}

#[test]
fn sla_breach_fires_once_without_warning() {
    let mut db = TestDb::new();
    let mut plugins = plugins();
    let ticket = import(&mut db, &mut plugins, "m1", None);
    let row = db.store.todo_row(ticket).unwrap().unwrap();
    let due = row
        .due_at
        .expect("a normal ticket has a first-response deadline");

    // A scheduler that first runs after the deadline reports the breach
    // alone: a warning about a deadline already missed adds nothing.
    let after = due + Duration::minutes(1);
    tick(&mut db, &mut plugins, after);
    tick(&mut db, &mut plugins, after + Duration::hours(1));
    assert_eq!(
        changes_by(&db, ticket, "rule:escalate-breach"),
        ["priority"]
    );
    assert!(changes_by(&db, ticket, "rule:warn-before-breach").is_empty());
    let row = db.store.todo_row(ticket).unwrap().unwrap();
    assert_eq!(row.priority, "urgent");
}

#[test]
fn sla_warning_fires_at_share() {
    let mut db = TestDb::new();
    let mut plugins = plugins();
    let ticket = import(&mut db, &mut plugins, "m1", None);
    let due = db.store.todo_row(ticket).unwrap().unwrap().due_at.unwrap();
    // The built-in target of a normal ticket is 4 business hours; 75% is
    // used 1 business hour before the deadline, which is always within the
    // working day of the deadline or just before it.
    tick(&mut db, &mut plugins, due - Duration::hours(3));
    tick(&mut db, &mut plugins, due - Duration::minutes(1));
    let warned = changes_by(&db, ticket, "rule:warn-before-breach");
    assert_eq!(
        warned,
        ["tag"],
        "the warning fires once before the deadline"
    );
    assert!(changes_by(&db, ticket, "rule:escalate-breach").is_empty());
}

#[test]
fn waiting_ticket_closes_after_week() {
    let mut db = TestDb::new();
    let mut plugins = plugins();
    let ticket = import(&mut db, &mut plugins, "m1", None);
    let writer = db.store.writer().unwrap();
    let by = ChangeBy {
        actor: "agent:lin",
        reason: "asked for the order number",
        at: Utc::now(),
    };
    todo::apply_bulk(
        &writer,
        &[ticket],
        &BulkChange::Status("waiting-on-customer".into()),
        &by,
    )
    .unwrap();
    writer.commit().unwrap();

    tick(&mut db, &mut plugins, Utc::now() + Duration::days(6));
    assert_eq!(
        db.store.todo_row(ticket).unwrap().unwrap().status,
        "waiting-on-customer"
    );
    tick(
        &mut db,
        &mut plugins,
        Utc::now() + Duration::days(7) + Duration::minutes(1),
    );
    tick(&mut db, &mut plugins, Utc::now() + Duration::days(8));
    let row = db.store.todo_row(ticket).unwrap().unwrap();
    assert_eq!(row.status, "closed");
    assert_eq!(
        changes_by(&db, ticket, "rule:auto-close"),
        ["status", "note"]
    );
}

#[test]
fn time_rule_errors_name_the_key() {
    let lifecycle = Lifecycle::builtin();
    let error = |text: &str| {
        parse_rules("rules.toml", text, &lifecycle)
            .unwrap_err()
            .to_string()
    };
    let missing_after =
        "[[rule]]\nname = \"r\"\non = [\"unanswered\"]\n[rule.then]\nadd-tag = [\"x\"]\n";
    assert!(
        error(missing_after).contains("needs `after`"),
        "{}",
        error(missing_after)
    );
    let bad_share = "[[rule]]\nname = \"r\"\non = [\"sla-warning\"]\nat = \"120%\"\n[rule.then]\nadd-tag = [\"x\"]\n";
    assert!(
        error(bad_share).contains("above 0% and below 100%"),
        "{}",
        error(bad_share)
    );
    let mixed = "[[rule]]\nname = \"r\"\non = [\"sla-breach\", \"ticket-created\"]\n\
                 [rule.then]\nadd-tag = [\"x\"]\n";
    assert!(error(mixed).contains("one state"), "{}", error(mixed));
}
