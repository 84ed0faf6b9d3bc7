//! The ticket lifecycle, the to-do list and bulk work on a real database,
//! with tickets opened by the built-in rules from real imports.

use chrono::Utc;
use kefu_core::Store;
use kefu_core::todo::{self, AssigneeFilter, BulkChange, ChangeBy, Sort, TodoQuery};
use kefu_tests::{TestDb, fixtures};

/// Imports one mail per sender and returns the ticket ids in import order.
fn tickets_for(db: &mut TestDb, senders: &[&str]) -> Vec<i64> {
    let mut ids = Vec::new();
    for (index, sender) in senders.iter().enumerate() {
        let mail = db.write_mail(
            &format!("m{index}"),
            sender,
            "订单问题",
            "我的订单还没到，请帮我查一下。",
        );
        let summary = db.ingest(&[mail]);
        assert_eq!(summary.tickets_opened, 1, "{summary:?}");
        ids.push(latest_ticket(&db.store));
    }
    ids
}

fn latest_ticket(store: &Store) -> i64 {
    store
        .todo(&TodoQuery {
            include_finished: true,
            sort: Sort::Updated,
            ..TodoQuery::default()
        })
        .unwrap()
        .iter()
        .map(|row| row.id)
        .max()
        .unwrap()
}

fn agent() -> ChangeBy<'static> {
    ChangeBy {
        actor: "agent:lin",
        reason: "test",
        at: Utc::now(),
    }
}

fn apply(db: &mut TestDb, ids: &[i64], change: BulkChange) -> anyhow::Result<usize> {
    let writer = db.store.writer().unwrap();
    let changed = todo::apply_bulk(&writer, ids, &change, &agent())?;
    writer.commit().unwrap();
    Ok(changed)
}

fn row(db: &TestDb, id: i64) -> todo::TodoRow {
    db.store.todo_row(id).unwrap().unwrap()
}

fn event_kinds(db: &TestDb, id: i64) -> Vec<String> {
    db.store
        .ticket_events(id)
        .unwrap()
        .into_iter()
        .map(|event| event.kind)
        .collect()
}

/// Imports a second mail from the same sender, replying to the first.
fn reply(db: &mut TestDb, name: &str, sender: &str, to: &str) {
    reply_with(db, name, sender, to, "还是没有收到。");
}

/// Imports a customer's reply to mail `to` with `body`, checks that it was
/// stored and opened no ticket, and returns the import summary.
fn reply_with(
    db: &mut TestDb,
    name: &str,
    sender: &str,
    to: &str,
    body: &str,
) -> kefu_core::ingest::IngestSummary {
    let path = db.folder.path().join(name);
    let mail = format!(
        "From: {sender}\r\nTo: support@kefu.invalid\r\nSubject: Re: 订单问题\r\n\
         Date: Fri, 04 Dec 2026 11:00:00 +0800\r\nMessage-ID: <{name}@kefu.invalid>\r\n\
         In-Reply-To: <{to}@kefu.invalid>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    );
    std::fs::write(&path, mail).unwrap();
    let summary = db.ingest(&[path]);
    assert_eq!(summary.messages_stored, 1, "{summary:?}");
    assert_eq!(
        summary.tickets_opened, 0,
        "a reply opens no ticket: {summary:?}"
    );
    summary
}

/// Returns every stored rating as (ticket, score, source, whether it
/// names its message).
fn ratings(db: &TestDb) -> Vec<(i64, i64, String, bool)> {
    let connection = rusqlite::Connection::open(db.path()).unwrap();
    let mut statement = connection
        .prepare("SELECT ticket_id, score, source, message_id IS NOT NULL FROM ratings ORDER BY id")
        .unwrap();
    statement
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn reply_resumes_waiting_ticket() {
    let mut db = TestDb::new();
    let ids = tickets_for(&mut db, &["li.lei@example.cn"]);
    apply(
        &mut db,
        &ids,
        BulkChange::Status("waiting-on-customer".into()),
    )
    .unwrap();
    assert!(row(&db, ids[0]).sla_paused);

    reply(&mut db, "r1", "li.lei@example.cn", "m0");

    let ticket = row(&db, ids[0]);
    assert_eq!(ticket.status, "in-progress");
    assert_eq!(ticket.reopen_count, 0);
    assert!(!ticket.sla_paused);
    let last = db.store.ticket_events(ids[0]).unwrap().pop().unwrap();
    assert_eq!(last.actor, "customer");
    assert_eq!(last.reason.as_deref(), Some("the customer replied"));
}

#[test]
fn reply_reopens_resolved_ticket() {
    let mut db = TestDb::new();
    let ids = tickets_for(&mut db, &["li.lei@example.cn"]);
    apply(&mut db, &ids, BulkChange::Status("resolved".into())).unwrap();
    let resolved = row(&db, ids[0]);
    assert!(db.store.todo(&TodoQuery::default()).unwrap().is_empty());
    assert_eq!(resolved.status, "resolved");

    reply(&mut db, "r1", "li.lei@example.cn", "m0");

    let ticket = row(&db, ids[0]);
    assert_eq!(ticket.status, "open");
    assert_eq!(ticket.reopen_count, 1);
    let last = db.store.ticket_events(ids[0]).unwrap().pop().unwrap();
    assert_eq!(last.detail["reopen"], true);
    assert_eq!(db.store.todo(&TodoQuery::default()).unwrap().len(), 1);
}

#[test]
fn score_reply_rates_resolved_ticket_without_reopening() {
    let mut db = TestDb::new();
    let ids = tickets_for(&mut db, &["li.lei@example.cn"]);
    apply(&mut db, &ids, BulkChange::Status("resolved".into())).unwrap();

    let summary = reply_with(&mut db, "r1", "li.lei@example.cn", "m0", "评分：5分");

    assert_eq!(summary.ratings_stored, 1, "{summary:?}");
    assert_eq!(ratings(&db), [(ids[0], 5, "message".to_string(), true)]);
    let ticket = row(&db, ids[0]);
    assert_eq!(ticket.status, "resolved");
    assert_eq!(ticket.reopen_count, 0);
}

#[test]
fn score_reply_on_open_ticket_is_an_answer() {
    let mut db = TestDb::new();
    let ids = tickets_for(&mut db, &["li.lei@example.cn"]);
    apply(
        &mut db,
        &ids,
        BulkChange::Status("waiting-on-customer".into()),
    )
    .unwrap();

    // "4" answers a question such as "how many parcels?", not a rating.
    let summary = reply_with(&mut db, "r1", "li.lei@example.cn", "m0", "4");

    assert_eq!(summary.ratings_stored, 0, "{summary:?}");
    assert!(ratings(&db).is_empty());
    assert_eq!(row(&db, ids[0]).status, "in-progress");
}

#[test]
fn bulk_invalid_transition_changes_nothing() {
    let mut db = TestDb::new();
    let ids = tickets_for(&mut db, &["a@example.cn", "b@example.cn", "c@example.cn"]);
    apply(&mut db, &ids[1..2], BulkChange::Status("closed".into())).unwrap();
    let before: Vec<_> = ids.iter().map(|id| event_kinds(&db, *id)).collect();

    let error = apply(
        &mut db,
        &ids,
        BulkChange::Status("waiting-on-customer".into()),
    )
    .unwrap_err();

    let message = format!("{error:#}");
    assert!(
        message.contains(&format!("ticket {}", ids[1]))
            && message.contains("\"closed\"")
            && message.contains("\"waiting-on-customer\""),
        "{message}"
    );
    let after: Vec<_> = ids.iter().map(|id| event_kinds(&db, *id)).collect();
    assert_eq!(before, after, "no ticket changed");
    assert_eq!(row(&db, ids[0]).status, "open");
}

#[test]
fn bulk_skipping_names_each_skipped_ticket() {
    let mut db = TestDb::new();
    let ids = tickets_for(
        &mut db,
        &[
            "a@example.cn",
            "b@example.cn",
            "c@example.cn",
            "d@example.cn",
        ],
    );
    apply(
        &mut db,
        &ids[1..2],
        BulkChange::Status("waiting-on-customer".into()),
    )
    .unwrap();
    apply(
        &mut db,
        &ids[2..3],
        BulkChange::Status("in-progress".into()),
    )
    .unwrap();
    let writer = db.store.writer().unwrap();
    writer
        .merge_tickets(&ids[3..4], ids[0], "agent:lin", "same order", Utc::now())
        .unwrap();
    writer.commit().unwrap();

    let writer = db.store.writer().unwrap();
    let outcome = todo::apply_bulk_skipping(
        &writer,
        &[ids[0], ids[1], ids[2], ids[3], 999, ids[0]],
        &BulkChange::Status("in-progress".into()),
        &agent(),
    )
    .unwrap();
    writer.commit().unwrap();

    assert_eq!(outcome.changed_tickets(), 2);
    let changed: Vec<i64> = outcome.applied.iter().map(|c| c.ticket_id).collect();
    assert_eq!(changed, vec![ids[0], ids[1]]);
    assert_eq!(outcome.unchanged, vec![ids[2]]);
    let skipped: Vec<i64> = outcome.skipped.iter().map(|(id, _)| *id).collect();
    assert_eq!(skipped, vec![ids[3], 999]);
    assert!(
        outcome.skipped[0].1.contains("was merged into ticket"),
        "{:?}",
        outcome.skipped
    );
    assert!(
        outcome.skipped[1].1.contains("ticket 999 does not exist"),
        "{:?}",
        outcome.skipped
    );
    assert_eq!(row(&db, ids[0]).status, "in-progress");
    assert_eq!(row(&db, ids[1]).status, "in-progress");
    assert_eq!(row(&db, ids[3]).status, "closed");
}

#[test]
fn bulk_skipping_reports_disallowed_transition() {
    let mut db = TestDb::new();
    let ids = tickets_for(&mut db, &["a@example.cn", "b@example.cn"]);
    apply(
        &mut db,
        &ids[1..2],
        BulkChange::Status("waiting-on-customer".into()),
    )
    .unwrap();

    let writer = db.store.writer().unwrap();
    let outcome =
        todo::apply_bulk_skipping(&writer, &ids, &BulkChange::Status("open".into()), &agent())
            .unwrap();
    writer.commit().unwrap();

    assert!(outcome.applied.is_empty(), "{outcome:?}");
    assert_eq!(outcome.unchanged, vec![ids[0]]);
    assert_eq!(outcome.skipped.len(), 1);
    assert_eq!(outcome.skipped[0].0, ids[1]);
    let reason = &outcome.skipped[0].1;
    assert!(
        reason.contains("\"waiting-on-customer\"") && reason.contains("\"open\""),
        "{reason}"
    );
    assert_eq!(row(&db, ids[1]).status, "waiting-on-customer");
}

#[test]
fn todo_ids_follow_sort_and_range() {
    let mut db = TestDb::new();
    let ids = tickets_for(&mut db, &["a@example.cn", "b@example.cn", "c@example.cn"]);
    let query = TodoQuery {
        sort: Sort::Age,
        ..TodoQuery::default()
    };

    assert_eq!(db.store.todo_ids(&query, 0, None).unwrap(), ids);
    assert_eq!(db.store.todo_ids(&query, 1, Some(1)).unwrap(), &ids[1..2]);
    assert_eq!(
        db.store.todo_ids(&query, 3, None).unwrap(),
        Vec::<i64>::new()
    );
}

#[test]
fn bulk_assign_writes_one_event_per_ticket() {
    let mut db = TestDb::new();
    let ids = tickets_for(&mut db, &["a@example.cn", "b@example.cn", "c@example.cn"]);
    let changed = apply(&mut db, &ids, BulkChange::Assign("wang".into())).unwrap();
    assert_eq!(changed, 3);
    for id in &ids {
        let events = db.store.ticket_events(*id).unwrap();
        let assignments: Vec<_> = events.iter().filter(|e| e.kind == "assignee").collect();
        assert_eq!(assignments.len(), 1);
        assert_eq!(assignments[0].actor, "agent:lin");
        assert_eq!(assignments[0].detail["to"], "wang");
    }
    let mine = db
        .store
        .todo(&TodoQuery {
            assignee: Some(AssigneeFilter::Agent("wang".into())),
            ..TodoQuery::default()
        })
        .unwrap();
    assert_eq!(mine.len(), 3);
    // Assigning again changes nothing and writes nothing.
    assert_eq!(
        apply(&mut db, &ids, BulkChange::Assign("wang".into())).unwrap(),
        0
    );
}

#[test]
fn bulk_unknown_ticket_named() {
    let mut db = TestDb::new();
    let ids = tickets_for(&mut db, &["a@example.cn"]);
    let error = apply(&mut db, &[ids[0], 999], BulkChange::Tag("later".into())).unwrap_err();
    assert!(format!("{error:#}").contains("ticket 999 does not exist"));
    assert!(
        row(&db, ids[0]).tags.is_empty(),
        "the first ticket kept no tag"
    );
}

#[test]
fn merge_closes_source_and_redirects_replies() {
    let mut db = TestDb::new();
    let ids = tickets_for(&mut db, &["li.lei@example.cn", "li.lei@example.cn.invalid"]);
    apply(&mut db, &ids[..1], BulkChange::Tag("refund".into())).unwrap();
    apply(
        &mut db,
        &ids[1..],
        BulkChange::Status("waiting-on-customer".into()),
    )
    .unwrap();

    let writer = db.store.writer().unwrap();
    writer
        .merge_tickets(&ids[..1], ids[1], "agent:lin", "same order", Utc::now())
        .unwrap();
    writer.commit().unwrap();

    let source = row(&db, ids[0]);
    assert_eq!(source.merged_into, Some(ids[1]));
    assert_eq!(source.status, "closed");
    let target = row(&db, ids[1]);
    assert_eq!(target.tags, vec!["refund".to_string()]);
    assert_eq!(event_kinds(&db, ids[0]).last().unwrap(), "merged-into");
    assert_eq!(event_kinds(&db, ids[1]).last().unwrap(), "merged");

    // A reply in the merged ticket's conversation wakes the target.
    reply(&mut db, "r1", "li.lei@example.cn", "m0");
    assert_eq!(row(&db, ids[1]).status, "in-progress");
    assert_eq!(row(&db, ids[0]).status, "closed");

    let writer = db.store.writer().unwrap();
    let error = writer
        .merge_tickets(&ids[..1], ids[1], "agent:lin", "again", Utc::now())
        .unwrap_err();
    assert!(error.to_string().contains("already merged"), "{error}");
}

#[test]
fn queue_puts_vip_first() {
    let mut db = TestDb::new();
    let ids = tickets_for(
        &mut db,
        &["regular@example.cn", "urgent@example.cn", "vip@example.cn"],
    );
    apply(&mut db, &ids[1..2], BulkChange::Priority("urgent".into())).unwrap();
    let vip = row(&db, ids[2]).customer_id;
    db.store.set_customer_tier(vip, "vip").unwrap();

    let order: Vec<i64> = db
        .store
        .todo(&TodoQuery::default())
        .unwrap()
        .iter()
        .map(|row| row.id)
        .collect();
    assert_eq!(order, vec![ids[2], ids[1], ids[0]]);

    let oldest_first: Vec<i64> = db
        .store
        .todo(&TodoQuery {
            sort: Sort::Age,
            ..TodoQuery::default()
        })
        .unwrap()
        .iter()
        .map(|row| row.id)
        .collect();
    assert_eq!(oldest_first, ids);
}

#[test]
fn saved_view_keeps_its_filters() {
    let mut db = TestDb::new();
    let ids = tickets_for(&mut db, &["a@example.cn", "b@example.cn"]);
    apply(&mut db, &ids[..1], BulkChange::Priority("high".into())).unwrap();
    let query = TodoQuery {
        priorities: vec!["high".into()],
        ..TodoQuery::default()
    };
    db.store.save_view("high", &query).unwrap();

    let mut reopened = Store::open(&db.path()).unwrap();
    let view = reopened.view("high").unwrap();
    assert_eq!(view, query);
    let rows = reopened.todo(&view).unwrap();
    assert_eq!(
        rows.iter().map(|row| row.id).collect::<Vec<_>>(),
        vec![ids[0]]
    );
    let error = reopened.view("low").unwrap_err().to_string();
    assert_eq!(
        error,
        "no saved view is called \"low\"; the saved views are high"
    );
    assert!(reopened.remove_view("high").unwrap());
}

#[test]
fn missed_calls_one_callback_per_caller() {
    let mut db = TestDb::new();
    let calls = fixtures().join("phone/asterisk-Master-pseudonymized-218rows.csv");
    let summary = db.ingest(std::slice::from_ref(&calls));
    let tasks = db.store.tasks(false).unwrap();
    assert_eq!(summary.callback_tasks, tasks.len());
    assert!(!tasks.is_empty());
    let mut callers: Vec<_> = tasks.iter().map(|task| task.customer_id).collect();
    callers.sort();
    callers.dedup();
    assert_eq!(callers.len(), tasks.len(), "one open callback per caller");
    assert!(
        tasks
            .iter()
            .all(|task| task.kind == "callback" && task.due_at.is_some())
    );

    // Importing the same file again adds no task.
    let again = db.ingest(&[calls]);
    assert_eq!(again.callback_tasks, 0);
    assert_eq!(db.store.tasks(false).unwrap().len(), tasks.len());

    let writer = db.store.writer().unwrap();
    writer.finish_task(tasks[0].id, "lin", Utc::now()).unwrap();
    writer.commit().unwrap();
    assert_eq!(db.store.tasks(false).unwrap().len(), tasks.len() - 1);
    let writer = db.store.writer().unwrap();
    let error = writer
        .finish_task(tasks[0].id, "lin", Utc::now())
        .unwrap_err();
    assert!(error.to_string().contains("already done"), "{error}");
}

#[test]
fn work_log_and_notes_in_history() {
    let mut db = TestDb::new();
    let ids = tickets_for(&mut db, &["a@example.cn"]);
    let writer = db.store.writer().unwrap();
    writer
        .log_work(
            ids[0],
            "lin",
            25,
            "checked the courier's tracking",
            Utc::now(),
        )
        .unwrap();
    assert!(
        writer
            .log_work(ids[0], "lin", 0, "nothing", Utc::now())
            .is_err()
    );
    writer.commit().unwrap();
    apply(
        &mut db,
        &ids,
        BulkChange::Note("交接：等快递公司回电".into()),
    )
    .unwrap();

    let log = db.store.work_log(ids[0]).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].minutes, 25);
    let kinds = event_kinds(&db, ids[0]);
    assert!(
        kinds.ends_with(&["work".to_string(), "note".to_string()]),
        "{kinds:?}"
    );
}

/// Opens a ticket for a new customer at `at` through the store, as an
/// agent filing a phone ticket would.
fn ticket_at(db: &mut TestDb, address: &str, at: chrono::DateTime<Utc>) -> i64 {
    use kefu_core::model::Channel;
    use kefu_core::store::NewTicket;
    let writer = db.store.writer().unwrap();
    let (customer, _) = writer
        .find_or_create_customer(Channel::Email, address, None, at)
        .unwrap();
    let conversation = writer
        .create_conversation(Channel::Email, customer.id, None, Some("发票"), at)
        .unwrap();
    let id = writer
        .open_ticket(
            &NewTicket {
                conversation_id: conversation,
                subject: Some("发票"),
                ticket_type: "after-sales",
                priority: "normal",
                source: Channel::Email,
                actor: "agent:lin",
                reason: "phoned in",
            },
            at,
        )
        .unwrap();
    writer.commit().unwrap();
    id
}

/// Returns a time in Shanghai, the built-in SLA's zone.
fn shanghai(day: u32, hour: u32) -> chrono::DateTime<Utc> {
    use chrono::TimeZone;
    chrono_tz_offset()
        .with_ymd_and_hms(2026, 12, day, hour, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn chrono_tz_offset() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap()
}

fn set_status_at(db: &mut TestDb, id: i64, status: &str, at: chrono::DateTime<Utc>) {
    let writer = db.store.writer().unwrap();
    let by = ChangeBy {
        actor: "agent:lin",
        reason: "test",
        at,
    };
    todo::apply_bulk(&writer, &[id], &BulkChange::Status(status.into()), &by).unwrap();
    writer.commit().unwrap();
}

#[test]
fn sla_deadlines_skip_weekend_and_pause() {
    let mut db = TestDb::new();
    // Friday 2026-12-04 17:00. The built-in SLA gives a normal ticket of a
    // regular customer 4 business hours to a first response and 24 to a
    // resolution, Monday to Friday 09:00–12:00 and 13:00–18:00.
    let id = ticket_at(&mut db, "fapiao@example.cn", shanghai(4, 17));
    let ticket = row(&db, id);
    // 1 h on Friday, then 3 h on Monday morning.
    assert_eq!(ticket.first_response_due, Some(shanghai(7, 12)));
    // 1 h Friday + 8 h Monday + 8 h Tuesday + 7 h Wednesday to 17:00.
    assert_eq!(ticket.resolution_due, Some(shanghai(9, 17)));
    assert_eq!(ticket.due_at, ticket.first_response_due);

    // Waiting on the customer from Monday 10:00 to Tuesday 09:00 stops the
    // clock for the 7 business hours in between, so the 2 h left of the
    // first-response target run from Tuesday 09:00.
    set_status_at(&mut db, id, "waiting-on-customer", shanghai(7, 10));
    let waiting = row(&db, id);
    assert!(waiting.sla_paused);
    assert_eq!(waiting.due_at, None);
    set_status_at(&mut db, id, "in-progress", shanghai(8, 9));
    let resumed = row(&db, id);
    assert!(!resumed.sla_paused);
    assert_eq!(resumed.first_response_due, Some(shanghai(8, 11)));
    assert_eq!(resumed.due_at, Some(shanghai(8, 11)));

    let writer = db.store.writer().unwrap();
    assert!(
        writer
            .record_first_response(id, "agent:lin", shanghai(8, 10))
            .unwrap()
    );
    writer.commit().unwrap();
    let answered = row(&db, id);
    assert_eq!(answered.first_response_at, Some(shanghai(8, 10)));
    // The next deadline is the resolution, moved out by the same 7 h:
    // 1 h on Wednesday after 17:00, then 6 h on Thursday from 09:00 with
    // the lunch hour, ending at 16:00.
    assert_eq!(answered.due_at, Some(shanghai(10, 16)));
}

#[test]
fn import_routes_new_tickets() {
    use kefu_core::desk::Desk;
    use kefu_core::routing::NewAgent;

    let mut db = TestDb::new();
    let config = tempfile::tempdir().unwrap();
    std::fs::write(
        config.path().join("routing.toml"),
        "strategy = \"round-robin\"\nassign-new-tickets = true\n",
    )
    .unwrap();
    db.store.set_desk(Desk::load(config.path()).unwrap());
    let writer = db.store.writer().unwrap();
    for name in ["lin", "wang"] {
        let agent = NewAgent {
            name: name.to_string(),
            display_name: None,
            skills: Vec::new(),
            max_open: None,
        };
        writer.add_agent(&agent, Utc::now()).unwrap();
    }
    writer.commit().unwrap();

    let ids = tickets_for(&mut db, &["a@example.cn", "b@example.cn", "c@example.cn"]);
    let assignees: Vec<_> = ids.iter().map(|id| row(&db, *id).assignee).collect();
    assert_eq!(
        assignees,
        [Some("lin".into()), Some("wang".into()), Some("lin".into())]
    );
    let assignment = db
        .store
        .ticket_events(ids[1])
        .unwrap()
        .into_iter()
        .find(|event| event.kind == "assignee")
        .unwrap();
    assert!(
        assignment.reason.unwrap().starts_with("round-robin"),
        "every assignment says why"
    );
}

/// Folds every ticket's history, in the order it was written, into the
/// fields the ticket row holds.
fn fold_history(db: &TestDb, ids: &[i64]) -> std::collections::BTreeMap<i64, FoldedTicket> {
    let mut events: Vec<_> = ids
        .iter()
        .flat_map(|id| db.store.ticket_events(*id).unwrap())
        .collect();
    events.sort_by_key(|event| event.id);
    let mut tickets = std::collections::BTreeMap::<i64, FoldedTicket>::new();
    for event in events {
        let text = |name: &str| event.detail[name].as_str().map(str::to_string);
        if event.kind == "created" {
            tickets.insert(
                event.ticket_id,
                FoldedTicket {
                    ticket_type: text("type").unwrap(),
                    priority: text("priority").unwrap(),
                    status: text("status").unwrap(),
                    assignee: None,
                    tags: Vec::new(),
                },
            );
            continue;
        }
        let merged_tags: Vec<String> = match event.kind.as_str() {
            "merged" => event.detail["from"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|id| tickets[&id.as_i64().unwrap()].tags.clone())
                .collect(),
            _ => Vec::new(),
        };
        let ticket = tickets.get_mut(&event.ticket_id).unwrap();
        match event.kind.as_str() {
            "type" => ticket.ticket_type = text("to").unwrap(),
            "priority" => ticket.priority = text("to").unwrap(),
            "status" => ticket.status = text("to").unwrap(),
            "assignee" => ticket.assignee = text("to"),
            "tag" => ticket.tags.push(text("added").unwrap()),
            "merged-into" => ticket.status = text("status").unwrap(),
            "merged" => ticket.tags.extend(merged_tags),
            _ => {}
        }
        ticket.tags.sort();
        ticket.tags.dedup();
    }
    tickets
}

#[derive(Debug, PartialEq)]
struct FoldedTicket {
    ticket_type: String,
    priority: String,
    status: String,
    assignee: Option<String>,
    tags: Vec<String>,
}

#[test]
fn rows_match_folded_history() {
    let mut db = TestDb::new();
    let senders: Vec<String> = (0..6).map(|n| format!("c{n}@example.cn")).collect();
    let senders: Vec<&str> = senders.iter().map(String::as_str).collect();
    let ids = tickets_for(&mut db, &senders);

    // A fixed mix of changes, some of which the lifecycle rejects.
    let statuses = [
        "in-progress",
        "waiting-on-customer",
        "resolved",
        "closed",
        "open",
    ];
    let changes = [
        BulkChange::Priority("urgent".into()),
        BulkChange::Assign("lin".into()),
        BulkChange::Tag("refund".into()),
        BulkChange::Type("complaint".into()),
        BulkChange::Unassign,
        BulkChange::Tag("vip".into()),
        BulkChange::Assign("wang".into()),
    ];
    for step in 0..40usize {
        let ticket = ids[step * 7 % ids.len()];
        let change = if step % 3 == 0 {
            BulkChange::Status(statuses[step % statuses.len()].into())
        } else {
            changes[step % changes.len()].clone()
        };
        let _ = apply(&mut db, &[ticket], change);
    }
    let writer = db.store.writer().unwrap();
    writer
        .merge_tickets(&ids[4..], ids[0], "agent:lin", "duplicates", Utc::now())
        .unwrap();
    writer.commit().unwrap();
    reply(&mut db, "r1", "c1@example.cn", "m1");

    let folded = fold_history(&db, &ids);
    for id in &ids {
        let ticket = row(&db, *id);
        let expected = FoldedTicket {
            ticket_type: ticket.ticket_type.clone(),
            priority: ticket.priority.clone(),
            status: ticket.status.clone(),
            assignee: ticket.assignee.clone(),
            tags: ticket.tags.clone(),
        };
        assert_eq!(folded[id], expected, "ticket {id}");
        assert_eq!(
            ticket.reopen_count as usize,
            db.store
                .ticket_events(*id)
                .unwrap()
                .iter()
                .filter(|event| event.detail["reopen"] == true)
                .count(),
            "ticket {id}"
        );
    }
}

#[test]
fn reply_reopens_closed_ticket() {
    let mut db = TestDb::new();
    let ids = tickets_for(&mut db, &["li.lei@example.cn"]);
    apply(&mut db, &ids, BulkChange::Status("closed".into())).unwrap();
    reply(&mut db, "r1", "li.lei@example.cn", "m0");
    let ticket = row(&db, ids[0]);
    assert_eq!(ticket.status, "open");
    assert_eq!(ticket.reopen_count, 1);
}

#[test]
fn merged_ticket_rejects_changes() {
    let mut db = TestDb::new();
    let ids = tickets_for(&mut db, &["a@example.cn", "b@example.cn"]);
    let writer = db.store.writer().unwrap();
    writer
        .merge_tickets(&ids[..1], ids[1], "agent:lin", "same order", Utc::now())
        .unwrap();
    writer.commit().unwrap();

    for change in [
        BulkChange::Status("open".into()),
        BulkChange::Tag("later".into()),
        BulkChange::Note("还在等".into()),
    ] {
        let error = format!("{:#}", apply(&mut db, &ids[..1], change).unwrap_err());
        assert!(
            error.contains(&format!(
                "ticket {} was merged into ticket {}; work on ticket {} instead",
                ids[0], ids[1], ids[1]
            )),
            "{error}"
        );
    }
    assert_eq!(row(&db, ids[0]).status, "closed");
}

#[test]
fn bulk_rejects_bad_names_and_notes() {
    let mut db = TestDb::new();
    let ids = tickets_for(&mut db, &["a@example.cn"]);
    let cases = [
        (BulkChange::Tag("a,b".into()), "cannot contain a comma"),
        (BulkChange::Tag("x\ty".into()), "control characters"),
        (
            BulkChange::Assign("x\u{1b}[31mred".into()),
            "control characters",
        ),
        (
            BulkChange::Assign("l".repeat(101)),
            "longer than 100 characters",
        ),
        (
            BulkChange::Note("n".repeat(10_001)),
            "more than the 10000 allowed",
        ),
    ];
    for (change, expected) in cases {
        let error = format!("{:#}", apply(&mut db, &ids, change.clone()).unwrap_err());
        assert!(error.contains(expected), "{change:?}: {error}");
    }
    assert!(row(&db, ids[0]).tags.is_empty());
    assert_eq!(row(&db, ids[0]).assignee, None);
}

#[test]
fn sla_clock_starts_when_customer_wrote() {
    let mut db = TestDb::new();
    // The mail was written on Friday 2026-12-04 at 10:00 in Shanghai and
    // imported later; the built-in 4 business hours run from 10:00 with
    // the lunch hour, so the first response is due at 15:00 (07:00 UTC).
    let ids = tickets_for(&mut db, &["li.lei@example.cn"]);
    let ticket = row(&db, ids[0]);
    assert_eq!(
        ticket.first_response_due,
        Some(shanghai(4, 15)),
        "created {}",
        ticket.created_at
    );
}

#[test]
fn many_quiet_rules_do_not_stop_the_cascade() {
    use kefu_core::automation::parse_rules;
    use kefu_core::lifecycle::Lifecycle;
    use kefu_core::plugin::PluginSet;

    let mut text = String::new();
    for n in 0..40 {
        text.push_str(&format!(
            "[[rule]]\nname = \"quiet-{n}\"\non = [\"message-received\", \"ticket-updated\"]\n\
             [rule.when]\nkeywords = [\"never-{n}\"]\n[rule.then]\nadd-tag = [\"q{n}\"]\n\n"
        ));
    }
    text.push_str(
        "[[rule]]\nname = \"last\"\non = [\"message-received\"]\n[rule.when]\n\
         has-ticket = true\n[rule.then]\nadd-tag = [\"last-fired\"]\n",
    );
    let rules = parse_rules("rules.toml", &text, &Lifecycle::builtin()).unwrap();
    let mut plugins = PluginSet::builtin().unwrap();
    plugins.set_declarative_rules(rules).unwrap();
    let mut db = TestDb::new();
    let mail = db.write_mail("m0", "li.lei@example.cn", "订单问题", "我的订单还没到。");
    let summary = db.ingest_with(&mut plugins, &[mail]);
    assert!(
        summary.rule_failures.is_empty(),
        "{:?}",
        summary.rule_failures
    );
    let ticket = db.store.tickets().unwrap()[0].id;
    assert_eq!(row(&db, ticket).tags, vec!["last-fired".to_string()]);
}

#[test]
fn agent_change_reaches_ticket_updated_rules() {
    use kefu_core::automation::parse_rules;
    use kefu_core::ingest::Ingestor;
    use kefu_core::lifecycle::Lifecycle;
    use kefu_core::plugin::PluginSet;

    let mut db = TestDb::new();
    let ids = tickets_for(&mut db, &["li.lei@example.cn"]);
    let text = "[[rule]]\nname = \"urgent-to-senior\"\non = [\"ticket-updated\"]\n\
                [rule.when]\npriority = [\"urgent\"]\n[rule.then]\nassign = \"wang\"\n\
                add-tag = [\"escalated\"]\n";
    let rules = parse_rules("rules.toml", text, &Lifecycle::builtin()).unwrap();
    let mut plugins = PluginSet::builtin().unwrap();
    plugins.set_declarative_rules(rules).unwrap();

    let mut failures = Vec::new();
    let applied = Ingestor::new(&mut db.store, &mut plugins)
        .apply_changes(
            &ids,
            &[BulkChange::Priority("urgent".into())],
            &agent(),
            &mut failures,
        )
        .unwrap();
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(applied.len(), 1);
    let ticket = row(&db, ids[0]);
    assert_eq!(ticket.assignee.as_deref(), Some("wang"));
    assert_eq!(ticket.tags, vec!["escalated".to_string()]);
    let actors: Vec<String> = db
        .store
        .ticket_events(ids[0])
        .unwrap()
        .into_iter()
        .map(|event| event.actor)
        .collect();
    assert!(actors.ends_with(&[
        "agent:lin".to_string(),
        "rule:urgent-to-senior".to_string(),
        "rule:urgent-to-senior".to_string()
    ]));
}

#[test]
fn rules_by_tier_and_channel() {
    use kefu_core::automation::parse_rules;
    use kefu_core::lifecycle::Lifecycle;
    use kefu_core::plugin::PluginSet;

    let text = "[[rule]]\nname = \"vip-created\"\non = [\"ticket-created\"]\n\
                [rule.when]\ntier = [\"VIP\"]\n[rule.then]\nadd-tag = [\"vip-created\"]\n\n\
                [[rule]]\nname = \"vip-mail\"\non = [\"message-received\"]\n\
                [rule.when]\nchannel = [\"email\"]\ntier = [\"vip\"]\nhas-ticket = true\n\
                [rule.then]\nadd-tag = [\"vip-mail\"]\n\n\
                [[rule]]\nname = \"chat-only\"\non = [\"message-received\", \"ticket-created\"]\n\
                [rule.when]\nchannel = [\"chat\"]\n[rule.then]\nadd-tag = [\"chat\"]\n";
    let rules = parse_rules("rules.toml", text, &Lifecycle::builtin()).unwrap();
    let mut plugins = PluginSet::builtin().unwrap();
    plugins.set_declarative_rules(rules).unwrap();
    let mut db = TestDb::new();

    let first = db.write_mail("t1", "li.lei@example.cn", "订单问题", "我的订单还没到。");
    db.ingest_with(&mut plugins, &[first]);
    let regular = latest_ticket(&db.store);
    assert!(row(&db, regular).tags.is_empty());

    let customer = row(&db, regular).customer_id;
    db.store.set_customer_tier(customer, "VIP").unwrap();
    let second = db.write_mail("t2", "li.lei@example.cn", "发票", "请开发票。");
    let summary = db.ingest_with(&mut plugins, &[second]);
    assert!(
        summary.rule_failures.is_empty(),
        "{:?}",
        summary.rule_failures
    );
    let vip = latest_ticket(&db.store);
    assert_ne!(vip, regular);
    assert_eq!(
        row(&db, vip).tags,
        vec!["vip-created".to_string(), "vip-mail".to_string()]
    );
    assert!(row(&db, regular).tags.is_empty());
}
