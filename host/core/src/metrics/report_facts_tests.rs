//! The `report_ticket_facts` and `report_message_times` tables that
//! triggers maintain, checked against the tickets and messages tables on
//! generated data with reopens, merges, imported tickets, automatic
//! messages and messages changed or deleted afterwards. The report's
//! message counts are checked against counts taken from the messages
//! themselves.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::Store;
use crate::demo::{DemoOptions, generate};
use crate::model::{Automation, AutomationKind, Channel, Direction, IncomingMessage, Party};

/// Midnight of 2026-12-01 in Shanghai, the built-in SLA time zone.
fn end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 16, 0, 0).unwrap()
}

/// Inbound and outbound send times by conversation, each list sorted.
type Times = BTreeMap<i64, (Vec<String>, Vec<String>)>;

/// Reads the maintained lists of every chunk of each conversation, with
/// their Unix seconds written back as stored times so they compare with
/// the messages table.
fn maintained(store: &Store) -> Times {
    let mut statement = store
        .connection()
        .prepare("SELECT conversation_id, inbound, outbound FROM report_message_times")
        .unwrap();
    let rows = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })
        .unwrap();
    let mut times = Times::new();
    for row in rows {
        let (conversation_id, inbound, outbound) = row.unwrap();
        let read = |list: &str| -> Vec<String> {
            let mut list: Vec<String> = compute::message_times(list.as_bytes())
                .map(|seconds| {
                    let time = DateTime::from_timestamp(seconds.unwrap(), 0).unwrap();
                    crate::store::format_time(time)
                })
                .collect();
            list.sort();
            list
        };
        let (inbound, outbound) = (read(&inbound), read(&outbound));
        if inbound.is_empty() && outbound.is_empty() {
            continue;
        }
        let entry: &mut (Vec<String>, Vec<String>) = times.entry(conversation_id).or_default();
        entry.0.extend(inbound);
        entry.1.extend(outbound);
    }
    for (inbound, outbound) in times.values_mut() {
        inbound.sort();
        outbound.sort();
    }
    times
}

/// Recomputes the lists from every message that is not automatic.
fn from_messages(store: &Store) -> Times {
    let mut statement = store
        .connection()
        .prepare(
            "SELECT conversation_id, direction, coalesce(sent_at, received_at) FROM messages
              WHERE automation_kind IS NULL",
        )
        .unwrap();
    let rows = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })
        .unwrap();
    let mut times = Times::new();
    for row in rows {
        let (conversation_id, direction, at) = row.unwrap();
        let entry = times.entry(conversation_id).or_default();
        if direction == "inbound" {
            entry.0.push(at);
        } else {
            entry.1.push(at);
        }
    }
    for (inbound, outbound) in times.values_mut() {
        inbound.sort();
        outbound.sort();
    }
    times
}

fn message(
    direction: Direction,
    at: DateTime<Utc>,
    automation: Option<AutomationKind>,
) -> IncomingMessage {
    let party = Party {
        name: None,
        address: "customer@example.com".to_string(),
    };
    IncomingMessage {
        channel: Channel::Email,
        direction,
        sender: party.clone(),
        customer: party,
        sent_at: Some(at),
        subject: None,
        body_text: "text".to_string(),
        external_id: None,
        thread_key: None,
        replies_to: Vec::new(),
        automation: automation.map(|kind| Automation {
            kind,
            evidence: "test".to_string(),
        }),
        call: None,
        attachments: Vec::new(),
        raw_span: None,
        notes: Vec::new(),
    }
}

/// Generates 60 days of demo data, then moves a ticket's SLA start back as
/// an import does, merges tickets, adds automatic and ordinary messages,
/// and changes and deletes messages with plain SQL, which no writer method
/// does.
fn generated_store(folder: &std::path::Path) -> Store {
    let mut store = Store::open(&folder.join("kefu.db")).unwrap();
    let summary = generate(
        &mut store,
        &DemoOptions::new(200, 60, 3, end()),
        &mut |_, _| {},
    )
    .unwrap();
    assert!(summary.reopened > 0, "{summary:?}");

    let at = end() - chrono::Duration::days(3);
    change_with_writer(&mut store, at);
    change_with_sql(&store);
    store
}

/// Makes ticket 6 an imported one whose customer wrote a day earlier,
/// merges tickets 2 and 3 into 1 and 5 into 4, and adds five messages of
/// both directions, two of them automatic, to ticket 2's conversation.
fn change_with_writer(store: &mut Store, at: DateTime<Utc>) {
    let created: String = store
        .connection()
        .query_row("SELECT created_at FROM tickets WHERE id = 6", [], |row| {
            row.get(0)
        })
        .unwrap();
    let created = crate::store::parse_time(&created).unwrap();
    let writer = store.writer().unwrap();
    writer
        .set_sla_start(6, created - chrono::Duration::days(1))
        .unwrap();

    writer
        .merge_tickets(&[2, 3], 1, "agent:test", "duplicate", at)
        .unwrap();
    writer
        .merge_tickets(&[5], 4, "agent:test", "duplicate", at)
        .unwrap();

    let conversation = writer.ticket_conversation(2).unwrap();
    let raw = writer
        .store_raw_input("extra", "test", None, None, b"extra", at)
        .unwrap();
    let cases = [
        (Direction::Outbound, None),
        (Direction::Inbound, None),
        (Direction::Outbound, Some(AutomationKind::AutoReply)),
        (Direction::Inbound, Some(AutomationKind::Bounce)),
        (Direction::Outbound, None),
    ];
    for (number, (direction, automation)) in cases.into_iter().enumerate() {
        let incoming = message(direction, at, automation);
        writer
            .insert_message(conversation, &incoming, &format!("extra-{number}"), raw, at)
            .unwrap();
    }
    writer.commit().unwrap();
}

/// Changes the messages [`change_with_writer`] added with plain SQL: moves
/// one to ticket 4's conversation, changes the automation of two, clears
/// one's send time and deletes the last.
fn change_with_sql(store: &Store) {
    let connection = store.connection();
    connection
        .execute(
            "UPDATE messages SET conversation_id = ?1 WHERE dedupe_key = 'extra-0'",
            [conversation_of(store, 4)],
        )
        .unwrap();
    connection
        .execute(
            "UPDATE messages SET automation_kind = 'bulk' WHERE dedupe_key = 'extra-1'",
            [],
        )
        .unwrap();
    connection
        .execute(
            "UPDATE messages SET automation_kind = NULL WHERE dedupe_key = 'extra-2'",
            [],
        )
        .unwrap();
    connection
        .execute(
            "UPDATE messages SET sent_at = NULL, received_at = '2026-11-20T01:02:03Z'
              WHERE dedupe_key = 'extra-3'",
            [],
        )
        .unwrap();

    let deleted = connection
        .execute("DELETE FROM messages WHERE dedupe_key = 'extra-4'", [])
        .unwrap();
    assert_eq!(deleted, 1);
}

fn conversation_of(store: &Store, ticket: i64) -> i64 {
    store
        .connection()
        .query_row(
            "SELECT conversation_id FROM tickets WHERE id = ?1",
            [ticket],
            |row| row.get(0),
        )
        .unwrap()
}

/// Returns the statement of the latest migration that fills `table`: the
/// last `INSERT INTO table` of the file, up to its semicolon.
fn backfill(table: &str) -> &'static str {
    let migration = if table == "report_message_times" {
        include_str!("../store/migrations/0016_message_time_chunks.sql")
    } else {
        include_str!("../store/migrations/0015_report_facts.sql")
    };
    let start = migration.rfind(&format!("INSERT INTO {table}")).unwrap();
    let length = migration[start..].find(";\n").unwrap() + 1;
    &migration[start..start + length]
}

/// Reads every row of `report_ticket_facts`, each value as text.
fn ticket_facts(store: &Store) -> Vec<Vec<String>> {
    let mut statement = store
        .connection()
        .prepare("SELECT * FROM report_ticket_facts ORDER BY ticket_id")
        .unwrap();
    let columns = statement.column_count();
    statement
        .query_map([], |row| {
            (0..columns)
                .map(|index| {
                    Ok(format!(
                        "{:?}",
                        row.get::<_, rusqlite::types::Value>(index)?
                    ))
                })
                .collect()
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Recomputes the facts of every ticket from the tickets table, with the
/// times converted by chrono rather than by SQLite.
fn facts_from_tickets(store: &Store) -> Vec<Vec<String>> {
    use rusqlite::types::Value;
    let mut statement = store
        .connection()
        .prepare(
            "SELECT id, conversation_id, coalesce(sla_start_at, created_at), resolved_at,
                    first_response_at, first_response_due, resolution_due, reopen_count,
                    merged_into, assignee, ticket_type, source, subject
               FROM tickets ORDER BY id",
        )
        .unwrap();
    statement
        .query_map([], |row| {
            let mut values: Vec<Value> = (0..13)
                .map(|index| row.get::<_, Value>(index))
                .collect::<Result<_, _>>()?;
            for value in &mut values[2..7] {
                if let Value::Text(text) = value {
                    *value = Value::Integer(crate::store::parse_time(text)?.timestamp());
                }
            }
            values[7] = Value::Integer(i64::from(row.get::<_, i64>(7)? > 0));
            Ok(values.iter().map(|value| format!("{value:?}")).collect())
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn ticket_facts_match_tickets() {
    let folder = tempfile::tempdir().unwrap();
    let store = generated_store(folder.path());
    let expected = facts_from_tickets(&store);
    let maintained = ticket_facts(&store);
    assert_eq!(maintained.len(), expected.len(), "tickets");
    for (maintained, expected) in maintained.iter().zip(&expected) {
        assert_eq!(maintained, expected);
    }
    let count = |sql: &str| -> i64 {
        store
            .connection()
            .query_row(sql, [], |row| row.get(0))
            .unwrap()
    };
    // The generated data covers what the facts derive from.
    assert!(count("SELECT count(*) FROM tickets WHERE reopen_count > 0") > 0);
    assert!(count("SELECT count(*) FROM tickets WHERE merged_into IS NOT NULL") == 3);
    assert!(count("SELECT count(*) FROM tickets WHERE sla_start_at IS NOT NULL") > 0);
    assert!(count("SELECT count(*) FROM tickets WHERE resolved_at IS NOT NULL") > 0);

    // The backfill computes the same rows from the tickets.
    store
        .connection()
        .execute_batch(&format!(
            "DELETE FROM report_ticket_facts; {}",
            backfill("report_ticket_facts")
        ))
        .unwrap();
    assert_eq!(ticket_facts(&store), expected);
}

#[test]
fn message_times_match_messages() {
    let folder = tempfile::tempdir().unwrap();
    let store = generated_store(folder.path());
    let maintained = maintained(&store);
    let expected = from_messages(&store);
    assert!(expected.len() > 100, "{} conversations", expected.len());
    assert_eq!(
        maintained.len(),
        expected.len(),
        "conversations with messages"
    );
    for (conversation_id, times) in &expected {
        assert_eq!(
            maintained.get(conversation_id),
            Some(times),
            "conversation {conversation_id}"
        );
    }
}

#[test]
fn message_times_backfill_matches_triggers() {
    let folder = tempfile::tempdir().unwrap();
    let store = generated_store(folder.path());
    let before = maintained(&store);
    let connection = store.connection();
    // Runs the migration's backfill again on the data the triggers wrote.
    connection
        .execute_batch(&format!(
            "DELETE FROM report_message_times; {}",
            backfill("report_message_times")
        ))
        .unwrap();
    assert_eq!(maintained(&store), before);
    check_chunks(&store);
}

/// Checks each row of `report_message_times` against its own lists: at
/// most 64 times, `messages` their number, and `first_at` and `last_at`
/// their earliest and latest.
fn check_chunks(store: &Store) {
    let mut statement = store
        .connection()
        .prepare(
            "SELECT conversation_id, chunk, messages, inbound, outbound, first_at, last_at
               FROM report_message_times",
        )
        .unwrap();
    let mut rows = statement.query([]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        let conversation_id: i64 = row.get(0).unwrap();
        let chunk: i64 = row.get(1).unwrap();
        let messages: i64 = row.get(2).unwrap();
        let inbound: String = row.get(3).unwrap();
        let outbound: String = row.get(4).unwrap();
        let first_at: Option<i64> = row.get(5).unwrap();
        let last_at: Option<i64> = row.get(6).unwrap();
        let seconds: Vec<i64> = compute::message_times(inbound.as_bytes())
            .chain(compute::message_times(outbound.as_bytes()))
            .map(Result::unwrap)
            .collect();
        let row = format!("conversation {conversation_id}, chunk {chunk}");
        assert_eq!(messages, seconds.len() as i64, "messages of {row}");
        assert!(messages <= 64, "{row} has {messages} messages");
        assert_eq!(first_at, seconds.iter().min().copied(), "first_at of {row}");
        assert_eq!(last_at, seconds.iter().max().copied(), "last_at of {row}");
    }
}

/// A conversation of 150 messages spans three chunks, and deleting and
/// moving messages rebuilds them from the messages.
#[test]
fn long_conversation_chunks_match_messages() {
    let folder = tempfile::tempdir().unwrap();
    let mut store = Store::open(&folder.path().join("kefu.db")).unwrap();
    let start = end() - chrono::Duration::days(10);
    let writer = store.writer().unwrap();
    let (customer, _) = writer
        .find_or_create_customer(Channel::Email, "customer@example.com", None, start)
        .unwrap();
    let conversation = writer
        .create_conversation(Channel::Email, customer.id, None, Some("Long"), start)
        .unwrap();
    let other = writer
        .create_conversation(Channel::Email, customer.id, None, Some("Other"), start)
        .unwrap();
    let raw = writer
        .store_raw_input("long", "test", None, None, b"long", start)
        .unwrap();
    for number in 0..150 {
        let direction = if number % 3 == 0 {
            Direction::Outbound
        } else {
            Direction::Inbound
        };
        let at = start + chrono::Duration::minutes(number);
        writer
            .insert_message(
                conversation,
                &message(direction, at, None),
                &format!("long-{number}"),
                raw,
                at,
            )
            .unwrap();
    }
    writer.commit().unwrap();
    let chunks = |store: &Store| -> Vec<(i64, i64)> {
        store
            .connection()
            .prepare(
                "SELECT chunk, messages FROM report_message_times
                  WHERE conversation_id = ?1 ORDER BY chunk",
            )
            .unwrap()
            .query_map([conversation], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(chunks(&store), [(0, 64), (1, 64), (2, 22)]);
    assert_eq!(maintained(&store), from_messages(&store));
    check_chunks(&store);

    let connection = store.connection();
    connection
        .execute("DELETE FROM messages WHERE dedupe_key = 'long-5'", [])
        .unwrap();
    connection
        .execute(
            "UPDATE messages SET conversation_id = ?1 WHERE dedupe_key = 'long-100'",
            [other],
        )
        .unwrap();
    assert_eq!(chunks(&store), [(0, 64), (1, 64), (2, 20)]);
    assert_eq!(maintained(&store), from_messages(&store));
    check_chunks(&store);
}

#[test]
fn report_message_counts_match_messages() {
    let folder = tempfile::tempdir().unwrap();
    let store = generated_store(folder.path());
    let time_zone = store.desk().sla.calendar().time_zone();
    let period = parse_period("2026-10-01..2026-11-30", time_zone).unwrap();
    let query = MetricsQuery {
        period: period.clone(),
        by: vec![Dimension::Agent, Dimension::Time(Granularity::Month)],
        filters: Filters::default(),
        now: end(),
        recurring_limit: 0,
    };
    let report = compute(&store, &query).unwrap();
    let connection = store.connection();
    let from = crate::store::format_time(period.from);
    let to = crate::store::format_time(period.to);
    // Shanghai is UTC+8 all year, so the local hour is the UTC hour plus 8.
    let mut inbound = vec![0_u64; 24];
    let mut statement = connection
        .prepare(
            "SELECT CAST(strftime('%H', coalesce(sent_at, received_at), '+8 hours') AS INTEGER),
                    count(*)
               FROM messages
              WHERE automation_kind IS NULL AND direction = 'inbound'
                AND coalesce(sent_at, received_at) >= ?1 AND coalesce(sent_at, received_at) < ?2
              GROUP BY 1",
        )
        .unwrap();
    for row in statement
        .query_map([&from, &to], |row| {
            Ok((row.get::<_, usize>(0)?, row.get(1)?))
        })
        .unwrap()
    {
        let (hour, count) = row.unwrap();
        inbound[hour] = count;
    }
    let reported: Vec<u64> = report
        .peak_hours
        .iter()
        .map(|hour| hour.inbound_messages)
        .collect();
    assert_eq!(reported, inbound);
    assert!(inbound.iter().sum::<u64>() > 100);

    // Every conversation of the generated data has one ticket, so a team
    // message counts when that ticket is not merged and was opened before
    // the period's end, or was merged into such a ticket.
    let handled: u64 = connection
        .query_row(
            "SELECT count(*) FROM messages m
              WHERE m.automation_kind IS NULL AND m.direction = 'outbound'
                AND coalesce(m.sent_at, m.received_at) >= ?1
                AND coalesce(m.sent_at, m.received_at) < ?2
                AND (EXISTS (SELECT 1 FROM tickets t
                              WHERE t.conversation_id = m.conversation_id
                                AND t.merged_into IS NULL
                                AND coalesce(t.sla_start_at, t.created_at) < ?2)
                     OR EXISTS (SELECT 1 FROM tickets t
                                  JOIN tickets target ON target.id = t.merged_into
                                 WHERE t.conversation_id = m.conversation_id
                                   AND target.merged_into IS NULL
                                   AND coalesce(target.sla_start_at, target.created_at) < ?2))",
            [&from, &to],
            |row| row.get(0),
        )
        .unwrap();
    let reported: u64 = report.rows.iter().map(|row| row.messages_handled).sum();
    assert_eq!(reported, handled);
    assert!(handled > 100);
}
