//! The kept open-ticket counts against fresh counts, on real database files.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rusqlite::{Connection, params};

use crate::Store;
use crate::model::Channel;
use crate::routing::{self, NewAgent, RoutingConfig, Strategy};
use crate::store::write::TicketField;
use crate::store::{MIGRATIONS, NewTicket, Writer};
use crate::todo::{self, BulkChange, ChangeBy};

const AGENTS: [&str; 3] = ["chen", "lin", "wu"];

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap()
}

fn open_store(folder: &Path) -> Store {
    let mut store = Store::open(&folder.join("kefu.db")).unwrap();
    let writer = store.writer().unwrap();
    for name in AGENTS {
        let agent = NewAgent {
            name: name.to_string(),
            ..NewAgent::default()
        };
        writer.add_agent(&agent, start()).unwrap();
    }
    writer.commit().unwrap();
    store
}

/// Opens `count` unassigned tickets, each on its own customer's
/// conversation, and returns their ids.
fn open_tickets(writer: &Writer<'_>, first: usize, count: usize) -> Vec<i64> {
    (first..first + count)
        .map(|n| {
            let at = start() + Duration::minutes(n as i64);
            let address = format!("c{n}@example.cn");
            let (customer, _) = writer
                .find_or_create_customer(Channel::Email, &address, None, at)
                .unwrap();
            let conversation = writer
                .create_conversation(Channel::Email, customer.id, None, Some("help"), at)
                .unwrap();
            let ticket = NewTicket {
                conversation_id: conversation,
                subject: Some("help"),
                ticket_type: "pre-sales",
                priority: "normal",
                source: Channel::Email,
                actor: "system",
                reason: "test ticket",
            };
            writer.open_ticket(&ticket, at).unwrap()
        })
        .collect()
}

fn least_load() -> RoutingConfig {
    RoutingConfig {
        strategy: Strategy::LeastLoad,
        ..RoutingConfig::default()
    }
}

fn by() -> ChangeBy<'static> {
    ChangeBy {
        actor: "agent:lin",
        reason: "test change",
        at: start() + Duration::hours(2),
    }
}

/// Open tickets per assignee, counted from the tickets table.
fn fresh_counts(connection: &Connection) -> BTreeMap<String, i64> {
    let mut statement = connection
        .prepare(
            "SELECT assignee, count(*) FROM tickets
              WHERE is_open = 1 AND coalesce(assignee, '') <> ''
              GROUP BY assignee",
        )
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Open tickets per assignee as `assignee_open_counts` keeps them, without
/// the rows that fell to zero.
fn kept_counts(connection: &Connection) -> BTreeMap<String, i64> {
    let mut statement = connection
        .prepare("SELECT assignee, open_count FROM assignee_open_counts WHERE open_count <> 0")
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Checks the kept counts and every agent's `open_load` against a fresh
/// count, and returns the fresh count.
fn assert_counts_match(store: &Store, step: &str) -> BTreeMap<String, i64> {
    let fresh = fresh_counts(&store.connection);
    assert_eq!(
        kept_counts(&store.connection),
        fresh,
        "kept counts after {step}"
    );
    for agent in store.agents().unwrap() {
        let expected = fresh.get(&agent.name).copied().unwrap_or(0);
        assert_eq!(
            i64::from(agent.open_load),
            expected,
            "open load of {} after {step}",
            agent.name
        );
    }
    fresh
}

#[test]
fn open_counts_follow_every_change() {
    let folder = tempfile::tempdir().unwrap();
    let mut store = open_store(folder.path());

    let writer = store.writer().unwrap();
    let tickets = open_tickets(&writer, 0, 12);
    writer.commit().unwrap();
    let fresh = assert_counts_match(&store, "opening unassigned tickets");
    assert!(fresh.is_empty(), "{fresh:?}");

    let writer = store.writer().unwrap();
    let outcomes =
        routing::route_queue(&writer, &least_load(), start() + Duration::hours(1), None).unwrap();
    writer.commit().unwrap();
    assert_eq!(outcomes.len(), 12);
    let fresh = assert_counts_match(&store, "routing");
    assert_eq!(fresh.values().sum::<i64>(), 12);
    assert_eq!(fresh.get("lin"), Some(&4));

    // Status changes: finished statuses close a ticket, and reopening
    // counts it again.
    let at = start() + Duration::hours(2);
    let writer = store.writer().unwrap();
    for &ticket in &tickets[..3] {
        writer
            .set_ticket_field(ticket, TicketField::Status, "resolved", "agent:lin", "", at)
            .unwrap();
    }
    writer
        .set_ticket_field(
            tickets[3],
            TicketField::Status,
            "in-progress",
            "agent:lin",
            "",
            at,
        )
        .unwrap();
    writer.commit().unwrap();
    let fresh = assert_counts_match(&store, "resolving three tickets");
    assert_eq!(fresh.values().sum::<i64>(), 9);

    let writer = store.writer().unwrap();
    writer
        .set_ticket_field(tickets[0], TicketField::Status, "open", "agent:lin", "", at)
        .unwrap();
    writer
        .set_ticket_field(
            tickets[1],
            TicketField::Status,
            "closed",
            "agent:lin",
            "",
            at,
        )
        .unwrap();
    writer.commit().unwrap();
    let fresh = assert_counts_match(&store, "reopening and closing");
    assert_eq!(fresh.values().sum::<i64>(), 10);

    // Single reassignments, to an agent and to a name that is no agent,
    // and removing the assignee.
    let writer = store.writer().unwrap();
    for &ticket in &tickets[4..7] {
        writer
            .set_ticket_field(ticket, TicketField::Assignee, "wu", "agent:lin", "", at)
            .unwrap();
    }
    writer
        .set_ticket_field(
            tickets[7],
            TicketField::Assignee,
            "zhou",
            "agent:lin",
            "",
            at,
        )
        .unwrap();
    assert!(
        writer
            .clear_assignee(tickets[8], "agent:lin", "", at)
            .unwrap()
    );
    writer.commit().unwrap();
    let fresh = assert_counts_match(&store, "reassigning");
    assert_eq!(fresh.get("zhou"), Some(&1));
    assert_eq!(fresh.values().sum::<i64>(), 9);

    // Merging closes the merged tickets, including an open, assigned one
    // and one that was resolved before.
    let writer = store.writer().unwrap();
    writer
        .merge_tickets(
            &[tickets[9], tickets[2]],
            tickets[10],
            "agent:lin",
            "same order",
            at,
        )
        .unwrap();
    writer.commit().unwrap();
    let fresh = assert_counts_match(&store, "merging");
    assert_eq!(fresh.values().sum::<i64>(), 8);

    // Bulk changes over open, in-progress and unassigned tickets, through
    // a finished status and back.
    let open_ids: Vec<i64> = [0, 3, 4, 5, 8, 11].map(|index| tickets[index]).to_vec();
    let steps = [
        ("bulk assign", BulkChange::Assign("chen".to_string())),
        (
            "bulk status",
            BulkChange::Status("waiting-on-customer".to_string()),
        ),
        ("bulk resolve", BulkChange::Status("resolved".to_string())),
        ("bulk reopen", BulkChange::Status("open".to_string())),
        ("bulk unassign", BulkChange::Unassign),
        ("bulk assign again", BulkChange::Assign("lin".to_string())),
    ];
    for (step, change) in steps {
        let writer = store.writer().unwrap();
        todo::apply_bulk(&writer, &open_ids, &change, &by()).unwrap();
        writer.commit().unwrap();
        assert_counts_match(&store, step);
    }
    let fresh = assert_counts_match(&store, "bulk changes");
    assert_eq!(fresh.get("lin"), Some(&7));

    // A rolled-back transaction leaves the kept counts as they were.
    let writer = store.writer().unwrap();
    todo::apply_bulk(
        &writer,
        &open_ids,
        &BulkChange::Assign("wu".to_string()),
        &by(),
    )
    .unwrap();
    drop(writer);
    assert_eq!(assert_counts_match(&store, "a rollback"), fresh);

    // Rows written by plain SQL, as no Writer method does: inserted with
    // an assignee, and deleted.
    let conversation: i64 = store
        .connection
        .query_row(
            "SELECT conversation_id FROM tickets WHERE id = ?1",
            params![tickets[0]],
            |row| row.get(0),
        )
        .unwrap();
    store
        .connection
        .execute(
            "INSERT INTO tickets (conversation_id, ticket_type, priority, source, status,
                                  assignee, created_at, updated_at)
             VALUES (?1, 'pre-sales', 'normal', 'email', 'open', 'wu', ?2, ?2)",
            params![conversation, "2026-03-02T03:00:00Z"],
        )
        .unwrap();
    let inserted = store.connection.last_insert_rowid();
    assert_counts_match(&store, "a plain INSERT");
    store
        .connection
        .execute("DELETE FROM tickets WHERE id = ?1", params![inserted])
        .unwrap();
    assert_eq!(assert_counts_match(&store, "a plain DELETE"), fresh);
}

#[test]
fn migration_counts_existing_tickets() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("kefu.db");
    let mut store = open_store(folder.path());
    let writer = store.writer().unwrap();
    let tickets = open_tickets(&writer, 0, 7);
    routing::route_queue(&writer, &least_load(), start() + Duration::hours(1), None).unwrap();
    writer
        .set_ticket_field(
            tickets[0],
            TicketField::Status,
            "resolved",
            "agent:lin",
            "",
            start() + Duration::hours(2),
        )
        .unwrap();
    writer.commit().unwrap();
    let before = assert_counts_match(&store, "routing");
    assert_eq!(before.values().sum::<i64>(), 6);
    drop(store);

    // Take the database back to the schema before the kept counts, then run
    // that migration's text on the stored tickets. Later migrations stay in
    // place, so the test does not depend on where the migration sits.
    let connection = Connection::open(&path).unwrap();
    connection
        .execute_batch(
            "DROP TRIGGER tickets_open_count_insert;
             DROP TRIGGER tickets_open_count_delete;
             DROP TRIGGER tickets_open_count_update;
             DROP TABLE assignee_open_counts;",
        )
        .unwrap();
    let kept_counts = MIGRATIONS
        .iter()
        .find(|sql| sql.contains("CREATE TABLE assignee_open_counts"))
        .unwrap();
    connection.execute_batch(kept_counts).unwrap();
    drop(connection);

    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    assert_eq!(assert_counts_match(&store, "the migration"), before);
}

/// Returns each agent's name, availability and open load as a writer
/// lists them.
fn listed(writer: &Writer<'_>) -> Vec<(String, bool, u32)> {
    writer
        .agents()
        .unwrap()
        .into_iter()
        .map(|agent| (agent.name, agent.available, agent.open_load))
        .collect()
}

#[test]
fn writer_lists_current_agents_and_loads() {
    let folder = tempfile::tempdir().unwrap();
    let mut store = open_store(folder.path());
    let writer = store.writer().unwrap();
    let row = |name: &str, available: bool, load: u32| (name.to_string(), available, load);
    assert_eq!(
        listed(&writer),
        [
            row("chen", true, 0),
            row("lin", true, 0),
            row("wu", true, 0)
        ]
    );

    // A second listing in the same transaction returns the new loads.
    let ids = open_tickets(&writer, 0, 2);
    for id in &ids {
        writer
            .set_ticket_field(*id, TicketField::Assignee, "lin", "system", "test", start())
            .unwrap();
    }
    assert_eq!(
        listed(&writer),
        [
            row("chen", true, 0),
            row("lin", true, 2),
            row("wu", true, 0)
        ]
    );

    // And the agents as this writer changed them.
    let changes = crate::routing::AgentChanges {
        available: Some(false),
        ..Default::default()
    };
    writer.update_agent("chen", &changes, start()).unwrap();
    let agent = NewAgent {
        name: "zhao".to_string(),
        ..NewAgent::default()
    };
    writer.add_agent(&agent, start()).unwrap();
    writer.remove_agent("wu").unwrap();
    assert_eq!(
        listed(&writer),
        [
            row("chen", false, 0),
            row("lin", true, 2),
            row("zhao", true, 0)
        ]
    );
}
