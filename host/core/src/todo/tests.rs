//! Paging and counting of the to-do list against a full read of the same
//! list, on real database files.

use std::ops::Range;
use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rusqlite::params;

use super::{AssigneeFilter, BulkChange, ChangeBy, Sort, TodoQuery, apply_bulk};
use crate::Store;
use crate::model::Channel;
use crate::store::{NewTicket, Writer};

const PRIORITIES: [&str; 3] = ["normal", "high", "urgent"];

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap()
}

fn by() -> ChangeBy<'static> {
    ChangeBy {
        actor: "agent:lin",
        reason: "test change",
        at: start() + Duration::hours(2),
    }
}

/// Opens `count` tickets numbered from `first`, each on its own customer's
/// conversation, with the priorities in turn, and returns their ids.
fn open_tickets(writer: &Writer<'_>, first: usize, count: usize) -> Vec<i64> {
    (first..first + count)
        .map(|number| {
            let at = start() + Duration::minutes(number as i64);
            let address = format!("c{number}@example.cn");
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
                priority: PRIORITIES[number % PRIORITIES.len()],
                source: Channel::Email,
                actor: "system",
                reason: "test ticket",
            };
            writer.open_ticket(&ticket, at).unwrap()
        })
        .collect()
}

/// Builds a desk of `count` open tickets. Every fourth is assigned to lin, every
/// fifth tagged `refund`, every seventh in progress, every eleventh
/// resolved, and every thirteenth has no running deadline because it
/// waits on the customer.
fn build_desk(folder: &Path, count: usize) -> (Store, Vec<i64>) {
    let mut store = Store::open(&folder.join("kefu.db")).unwrap();
    let writer = store.writer().unwrap();
    let ids = open_tickets(&writer, 0, count);
    let every = |step: usize| -> Vec<i64> { ids.iter().copied().step_by(step).collect() };
    let changes = [
        (4, BulkChange::Assign("lin".to_string())),
        (5, BulkChange::Tag("refund".to_string())),
        (7, BulkChange::Status("in-progress".to_string())),
        (11, BulkChange::Status("resolved".to_string())),
        (13, BulkChange::Status("waiting-on-customer".to_string())),
    ];
    for (step, change) in changes {
        // A ticket resolved already cannot wait on the customer, so the
        // later changes leave it out.
        let open: Vec<i64> = every(step)
            .into_iter()
            .filter(|id| writer.ticket_status(*id).unwrap() != "resolved")
            .collect();
        apply_bulk(&writer, &open, &change, &by()).unwrap();
    }
    writer.commit().unwrap();
    (store, ids)
}

/// Reads every matching ticket in the list's order in one query.
fn full_list(store: &Store, query: &TodoQuery) -> Vec<i64> {
    store.todo_ids(query, 0, None).unwrap()
}

/// Ids of the rows that `todo_window` returns for `range`.
fn window_ids(store: &Store, query: &TodoQuery, range: Range<usize>) -> Vec<i64> {
    let total = store.todo_count(query).unwrap();
    store
        .todo_window(query, range, total)
        .unwrap()
        .iter()
        .map(|row| row.id)
        .collect()
}

/// Checks the first, a middle and the last page of `query` and the count
/// against the full list.
fn assert_pages_match(store: &Store, query: &TodoQuery, case: &str) {
    let full = full_list(store, query);
    let total = full.len();
    assert_eq!(
        store.todo_count(query).unwrap(),
        total as u64,
        "count of {case}"
    );
    let page = 17.min(total);
    let ranges = [
        0..page,
        total / 3..(total / 3 + page).min(total),
        total - page..total,
        total.saturating_sub(1)..total,
    ];
    for range in ranges {
        assert_eq!(
            window_ids(store, query, range.clone()),
            full[range.clone()],
            "rows {range:?} of {case}"
        );
    }
}

#[test]
fn window_first_and_last_page() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build_desk(folder.path(), 120);
    for sort in [Sort::Priority, Sort::Due, Sort::Age, Sort::Updated] {
        let query = TodoQuery {
            sort,
            ..TodoQuery::default()
        };
        assert_pages_match(&store, &query, &format!("{sort:?}"));
    }
}

#[test]
fn window_clips_range_past_end() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build_desk(folder.path(), 40);
    let query = TodoQuery::default();
    let full = full_list(&store, &query);
    let total = full.len();
    assert_eq!(
        window_ids(&store, &query, total - 5..total + 20),
        full[total - 5..]
    );
    assert!(window_ids(&store, &query, total..total + 20).is_empty());
    assert!(window_ids(&store, &query, 3..3).is_empty());
}

#[test]
fn window_with_filters() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build_desk(folder.path(), 150);
    let now = start() + Duration::days(3);
    let queries = [
        (
            "status in progress",
            TodoQuery {
                statuses: vec!["in-progress".to_string()],
                ..TodoQuery::default()
            },
        ),
        (
            "two priorities",
            TodoQuery {
                priorities: vec!["high".to_string(), "urgent".to_string()],
                ..TodoQuery::default()
            },
        ),
        (
            "assigned to lin",
            TodoQuery {
                assignee: Some(AssigneeFilter::Agent("lin".to_string())),
                ..TodoQuery::default()
            },
        ),
        (
            "unassigned",
            TodoQuery {
                assignee: Some(AssigneeFilter::Unassigned),
                ..TodoQuery::default()
            },
        ),
        (
            "tag refund",
            TodoQuery {
                tags: vec!["refund".to_string()],
                ..TodoQuery::default()
            },
        ),
        (
            "overdue",
            TodoQuery {
                due_before: Some(now),
                ..TodoQuery::default()
            },
        ),
        (
            "finished too",
            TodoQuery {
                include_finished: true,
                ..TodoQuery::default()
            },
        ),
        (
            "resolved, by due time",
            TodoQuery {
                include_finished: true,
                statuses: vec!["resolved".to_string()],
                sort: Sort::Due,
                ..TodoQuery::default()
            },
        ),
        (
            "lin's high priority, tagged",
            TodoQuery {
                priorities: vec!["high".to_string()],
                assignee: Some(AssigneeFilter::Agent("lin".to_string())),
                tags: vec!["refund".to_string()],
                ..TodoQuery::default()
            },
        ),
    ];
    for (case, query) in &queries {
        assert!(
            !full_list(&store, query).is_empty(),
            "{case} matches no ticket, so it tests nothing"
        );
        assert_pages_match(&store, query, case);
    }
    let nobody = TodoQuery {
        assignee: Some(AssigneeFilter::Agent("nobody".to_string())),
        ..TodoQuery::default()
    };
    assert_eq!(store.todo_count(&nobody).unwrap(), 0);
    assert!(window_ids(&store, &nobody, 0..17).is_empty());
}

#[test]
fn window_after_rows_added_and_removed() {
    let folder = tempfile::tempdir().unwrap();
    let (mut store, ids) = build_desk(folder.path(), 80);
    let query = TodoQuery::default();
    assert_pages_match(&store, &query, "the first desk");

    let writer = store.writer().unwrap();
    open_tickets(&writer, 80, 25);
    writer.commit().unwrap();
    assert_pages_match(&store, &query, "25 tickets added");

    // Closing tickets takes them off the list, and a plain DELETE takes a
    // row out of the table.
    let writer = store.writer().unwrap();
    let closed: Vec<i64> = ids.iter().copied().skip(1).step_by(3).collect();
    apply_bulk(
        &writer,
        &closed,
        &BulkChange::Status("closed".to_string()),
        &by(),
    )
    .unwrap();
    writer.commit().unwrap();
    assert_pages_match(&store, &query, "tickets closed");
    let inserted = insert_plain_ticket(&store, ids[0], "urgent", Some("wu"));
    assert_pages_match(&store, &query, "a plain INSERT");
    assert!(full_list(&store, &query).contains(&inserted));
    delete_plain_ticket(&store, inserted);
    assert_pages_match(&store, &query, "a plain DELETE");
    assert!(!full_list(&store, &query).contains(&inserted));
}

/// Inserts an open ticket row with plain SQL, as a tool outside the store
/// may, on the conversation of `beside`, and returns its id.
fn insert_plain_ticket(store: &Store, beside: i64, priority: &str, assignee: Option<&str>) -> i64 {
    store
        .connection()
        .execute(
            "INSERT INTO tickets (conversation_id, ticket_type, priority, source, status,
                                  assignee, created_at, updated_at)
             SELECT conversation_id, 'pre-sales', ?2, 'email', 'open', ?3, ?4, ?4
               FROM tickets WHERE id = ?1",
            params![beside, priority, assignee, "2026-03-02T03:00:00Z"],
        )
        .unwrap();
    store.connection().last_insert_rowid()
}

/// Deletes a ticket row that has no events, with plain SQL.
fn delete_plain_ticket(store: &Store, ticket_id: i64) {
    store
        .connection()
        .execute("DELETE FROM tickets WHERE id = ?1", params![ticket_id])
        .unwrap();
}

/// `todo_counts` contains the same numbers as a fresh count after inserts,
/// changes of every counted column, merges and deletes.
#[test]
fn kept_counts_match_fresh_counts() {
    let folder = tempfile::tempdir().unwrap();
    let (mut store, ids) = build_desk(folder.path(), 60);
    let writer = store.writer().unwrap();
    apply_bulk(&writer, &ids[..10], &BulkChange::Unassign, &by()).unwrap();
    apply_bulk(
        &writer,
        &ids[10..20],
        &BulkChange::Priority("urgent".to_string()),
        &by(),
    )
    .unwrap();
    apply_bulk(
        &writer,
        &ids[20..30],
        &BulkChange::Assign("wu".to_string()),
        &by(),
    )
    .unwrap();
    writer
        .merge_tickets(&ids[30..33], ids[33], "agent:lin", "duplicate", by().at)
        .unwrap();
    writer.commit().unwrap();
    store
        .connection()
        .execute(
            "UPDATE tickets SET assignee = '' WHERE id = ?1",
            params![ids[40]],
        )
        .unwrap();
    let closed = insert_plain_ticket(&store, ids[50], "high", None);
    let removed = insert_plain_ticket(&store, ids[51], "normal", Some("lin"));
    delete_plain_ticket(&store, removed);
    store
        .connection()
        .execute(
            "UPDATE tickets SET is_open = 0, status = 'closed' WHERE id = ?1",
            params![closed],
        )
        .unwrap();

    assert_eq!(kept_counts(&store), fresh_counts(&store));

    // An empty assignee name is neither unassigned nor any agent.
    let unassigned = TodoQuery {
        assignee: Some(AssigneeFilter::Unassigned),
        ..TodoQuery::default()
    };
    assert_eq!(
        store.todo_count(&unassigned).unwrap(),
        full_list(&store, &unassigned).len() as u64
    );
    let empty_name = TodoQuery {
        assignee: Some(AssigneeFilter::Agent(String::new())),
        ..TodoQuery::default()
    };
    assert_eq!(store.todo_count(&empty_name).unwrap(), 1);
}

/// Tickets per combination of the counted columns, as `todo_counts` keeps
/// them, without the rows that fell to zero.
fn kept_counts(store: &Store) -> Vec<CountRow> {
    read_counts(
        store,
        "SELECT is_open, status, priority, assigned, assignee, ticket_count FROM todo_counts
          WHERE ticket_count <> 0 ORDER BY 1, 2, 3, 4, 5",
    )
}

/// Tickets per combination of the counted columns, counted from the
/// tickets table.
fn fresh_counts(store: &Store) -> Vec<CountRow> {
    read_counts(
        store,
        "SELECT is_open, status, priority, assignee IS NOT NULL, coalesce(assignee, ''), count(*)
           FROM tickets GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5",
    )
}

/// Open state, status, priority, assigned, assignee and ticket count.
type CountRow = (i64, String, String, i64, String, i64);

fn read_counts(store: &Store, sql: &str) -> Vec<CountRow> {
    let mut statement = store.connection().prepare(sql).unwrap();
    statement
        .query_map([], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn migration_counts_existing_tickets() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("kefu.db");
    let (store, _) = build_desk(folder.path(), 40);
    let before = fresh_counts(&store);
    drop(store);

    // Take the database back to the schema before the kept counts, then run
    // that migration's text on the stored tickets.
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection
        .execute_batch(
            "DROP TRIGGER tickets_todo_count_insert;
             DROP TRIGGER tickets_todo_count_delete;
             DROP TRIGGER tickets_todo_count_update;
             DROP TABLE todo_counts;
             DROP INDEX messages_conversation_time;",
        )
        .unwrap();
    let migration = crate::store::MIGRATIONS
        .iter()
        .find(|sql| sql.contains("CREATE TABLE todo_counts"))
        .unwrap();
    connection.execute_batch(migration).unwrap();
    drop(connection);

    let store = Store::open(&path).unwrap();
    assert_eq!(kept_counts(&store), before);
}

/// The count reads the kept counts, and the first and last page read the
/// sort order's index in order, so neither grows with the desk.
#[test]
fn plan_reads_indexes_in_order() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build_desk(folder.path(), 30);
    let plain = TodoQuery::default();
    let mine = TodoQuery {
        assignee: Some(AssigneeFilter::Agent("lin".to_string())),
        statuses: vec!["open".to_string()],
        ..TodoQuery::default()
    };
    for (case, query, index) in [
        ("no filter", &plain, "tickets_todo"),
        ("one agent", &mine, "tickets_assignee_todo"),
    ] {
        let plan = store.todo_plan(query).unwrap();
        let steps = |prefix: &str| -> Vec<&String> {
            plan.iter()
                .filter(|line| line.starts_with(prefix))
                .collect()
        };
        let count = steps("count: ");
        assert!(
            count.iter().any(|line| line.contains("todo_counts")),
            "count of {case}: {plan:#?}"
        );
        for page in ["page: ", "last page: "] {
            let lines = steps(page);
            assert!(
                lines.iter().any(|line| line.contains(index)),
                "{page}of {case} does not read {index}: {plan:#?}"
            );
            // Only the page's own rows may be sorted, at the top level.
            assert!(
                !lines
                    .iter()
                    .any(|line| line.starts_with(&format!("{page}  "))
                        && line.contains("TEMP B-TREE")),
                "{page}of {case} sorts every matching ticket: {plan:#?}"
            );
        }
    }
}
