//! Upgrades of databases from earlier schema versions, and the refusal of
//! a database from a newer Kefu.
//!
//! `tests/goldens/schema-vN.db` is a database at schema version N filled
//! from the real sample inputs. `rebuild_goldens` (ignored by default)
//! writes the missing ones; tests/goldens/README.md describes how and when.

use std::path::{Path, PathBuf};

use kefu_core::Store;
use kefu_core::store::SCHEMA_VERSION;
use kefu_tests::TestDb;
use rusqlite::Connection;
use sha2::{Digest, Sha256};

/// Schema versions of released Kefu versions, each with a golden file.
const RELEASED_VERSIONS: &[i64] = &[1, 2, 3, 4, 8, 10];

/// Tables whose rows every upgrade keeps.
const KEPT_TABLES: &[&str] = &[
    "customers",
    "customer_identities",
    "raw_inputs",
    "conversations",
    "messages",
    "tickets",
    "ticket_events",
    "quarantine",
];

fn goldens() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("goldens")
}

fn golden(version: i64) -> PathBuf {
    goldens().join(format!("schema-v{version}.db"))
}

/// Copies the golden of `version` into a new temporary folder.
fn copy_golden(version: i64) -> (tempfile::TempDir, PathBuf) {
    let source = golden(version);
    assert!(
        source.exists(),
        "{} is missing; run `cargo test -p kefu-tests --test end_to_end -- --ignored \
         rebuild_goldens`",
        source.display()
    );
    let folder = tempfile::tempdir().unwrap();
    let copy = folder.path().join("kefu.db");
    std::fs::copy(&source, &copy).unwrap();
    (folder, copy)
}

fn count(connection: &Connection, table: &str) -> i64 {
    connection
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
            row.get(0)
        })
        .unwrap()
}

/// Rows of `query` as text, one string per row, for comparing before and
/// after an upgrade.
fn rows(connection: &Connection, query: &str) -> Vec<String> {
    let mut statement = connection.prepare(query).unwrap();
    let columns = statement.column_count();
    statement
        .query_map([], |row| {
            let values: Vec<String> = (0..columns)
                .map(|index| {
                    let value: rusqlite::types::Value = row.get(index)?;
                    Ok(format!("{value:?}"))
                })
                .collect::<rusqlite::Result<_>>()?;
            Ok(values.join(" | "))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// Row queries over the columns that schema version 1 already had, so
/// they read the same before and after an upgrade.
const ROW_QUERIES: &[&str] = &[
    "SELECT id, conversation_id, channel, direction, sender_address, sent_at, subject,
            body_text, external_id, dedupe_key, raw_input_id FROM messages ORDER BY id",
    "SELECT id, channel, customer_id, thread_key, subject, created_at, last_message_at
       FROM conversations ORDER BY id",
    "SELECT id, name, tier, created_at FROM customers ORDER BY id",
    "SELECT id, conversation_id, subject, ticket_type, priority, status, created_at
       FROM tickets ORDER BY id",
    "SELECT id, sha256, source_name, length(bytes) FROM raw_inputs ORDER BY id",
];

/// Copies the golden of `version`, upgrades it with the current Kefu and
/// checks that every row survived.
fn check_upgrade(version: i64) {
    let (_folder, path) = copy_golden(version);
    let before = Connection::open(&path).unwrap();
    let stored_version: i64 = before
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(stored_version, version, "the golden's schema version");
    let counts: Vec<i64> = KEPT_TABLES
        .iter()
        .map(|table| count(&before, table))
        .collect();
    let snapshots: Vec<Vec<String>> = ROW_QUERIES
        .iter()
        .map(|query| rows(&before, query))
        .collect();
    drop(before);
    for (table, rows) in KEPT_TABLES.iter().zip(&counts) {
        assert!(
            *rows > 0 || *table == "quarantine",
            "the golden has no {table}"
        );
    }

    let store =
        Store::open(&path).unwrap_or_else(|error| panic!("upgrading v{version}: {error:#}"));
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);

    let after = Connection::open(&path).unwrap();
    for (table, expected) in KEPT_TABLES.iter().zip(&counts) {
        assert_eq!(
            count(&after, table),
            *expected,
            "{table} rows after the upgrade"
        );
    }
    for (query, expected) in ROW_QUERIES.iter().zip(&snapshots) {
        assert_eq!(&rows(&after, query), expected, "rows of {query}");
    }
    // The report tables of schema versions 12 and 13 are filled from the
    // kept rows. Every conversation of the samples fits in one chunk of
    // report_message_times.
    assert_eq!(
        count(&after, "report_ticket_facts"),
        count(&after, "tickets"),
        "report_ticket_facts rows after the upgrade"
    );
    let conversations_with_messages: i64 = after
        .query_row(
            "SELECT count(DISTINCT conversation_id) FROM messages WHERE automation_kind IS NULL",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(
        count(&after, "report_message_times"),
        conversations_with_messages,
        "report_message_times rows after the upgrade"
    );
    let integrity: String = after
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let foreign_key_errors: i64 = after
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(foreign_key_errors, 0);

    check_known_rows(&store);
}

/// Checks rows of known sample inputs through the store's own reads.
fn check_known_rows(store: &Store) {
    let conversations = store.conversations().unwrap();
    assert!(
        conversations.len() > 10,
        "{} conversations",
        conversations.len()
    );
    let counts = store.counts().unwrap();
    assert!(counts.messages > 100, "{counts:?}");

    // The mail with a PDF attachment: its listing moved into
    // message_attachments, and its content is still readable from the
    // raw input.
    let attachments = store.all_attachments().unwrap();
    let pdf = attachments
        .iter()
        .find(|attachment| attachment.file_name == "file.pdf")
        .expect("the PDF attachment of the sample mail");
    assert_eq!(pdf.content_type, "application/pdf");
    assert_eq!(pdf.size, 10_915);
    let source = store.message_source(pdf.message_id).unwrap();
    assert!(source.is_some_and(|bytes| !bytes.is_empty()));

    // The Big5 mail from Taiwan keeps its decoded subject and its sender.
    let big5 = conversations
        .iter()
        .flat_map(|conversation| store.messages(conversation.id).unwrap())
        .find(|message| message.subject.as_deref() == Some("養樂多線上訂購"))
        .expect("the Big5 sample mail");
    assert_eq!(big5.sender.address, "c@y");
    assert_eq!(big5.body_text.trim(), "body");

    // Tickets keep their status, and the upgrade gave open ones a queue
    // rank and deadlines.
    let tickets = store.tickets().unwrap();
    assert!(!tickets.is_empty());
    assert!(tickets.iter().all(|ticket| !ticket.status.is_empty()));
}

#[test]
fn upgrade_schema_v1() {
    check_upgrade(1);
}

#[test]
fn upgrade_schema_v2() {
    check_upgrade(2);
}

#[test]
fn upgrade_schema_v3() {
    check_upgrade(3);
}

#[test]
fn upgrade_schema_v4() {
    check_upgrade(4);
}

#[test]
fn upgrade_schema_v8() {
    check_upgrade(8);
}

#[test]
fn upgrade_schema_v10() {
    check_upgrade(10);
}

/// Schema version 12 kept one `report_message_times` row per conversation,
/// which version 13 splits into chunks.
#[test]
fn upgrade_schema_v12() {
    check_upgrade(12);
}

#[test]
fn open_current_golden() {
    check_upgrade(SCHEMA_VERSION);
}

#[test]
fn newer_database_rejected_unchanged() {
    let (_folder, path) = copy_golden(SCHEMA_VERSION);
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let before = Sha256::digest(std::fs::read(&path).unwrap());
    let error = match Store::open(&path) {
        Ok(_) => panic!("a database from a newer Kefu opened"),
        Err(error) => format!("{error:#}"),
    };
    assert!(error.contains(&path.display().to_string()), "{error}");
    assert!(
        error.contains(&format!("schema version {}", SCHEMA_VERSION + 1)),
        "{error}"
    );
    assert!(error.contains("made by a newer Kefu"), "{error}");
    assert!(error.contains("upgrade Kefu"), "{error}");
    let after = Sha256::digest(std::fs::read(&path).unwrap());
    assert_eq!(before, after, "the file changed");
    let wal = path.with_file_name("kefu.db-wal");
    assert!(!wal.exists(), "opening it created {}", wal.display());
}

#[test]
fn golden_exists_for_each_version() {
    for version in RELEASED_VERSIONS.iter().copied().chain([SCHEMA_VERSION]) {
        assert!(
            golden(version).exists(),
            "{} is missing; run `cargo test -p kefu-tests --test end_to_end -- --ignored \
             rebuild_goldens` and commit it",
            golden(version).display()
        );
    }
}

/// Writes the golden of each released version and of the current version
/// that is missing from tests/goldens. Each is made by importing every
/// sample input through the built-in plugins at the current schema, then
/// copying the columns that existed at version N into a database created
/// with only the first N migrations.
#[test]
#[ignore = "writes tests/goldens; run on purpose"]
fn rebuild_goldens() {
    let mut source = TestDb::new();
    source.ingest(&kefu_tests::all_sample_folders());
    let source_path = source.path();
    // Close the database so its WAL is checkpointed, and keep its folder.
    let TestDb {
        folder: _source_folder,
        store,
    } = source;
    drop(store);

    std::fs::create_dir_all(goldens()).unwrap();
    for version in RELEASED_VERSIONS.iter().copied().chain([SCHEMA_VERSION]) {
        let path = golden(version);
        if path.exists() {
            continue;
        }
        if version == SCHEMA_VERSION {
            kefu_core::backup::backup(&source_path, &path).unwrap();
        } else {
            write_at_version(&source_path, &path, version);
        }
        eprintln!("wrote {}", path.display());
    }
}

/// Returns the first column of every row of `query`, as text.
fn strings(connection: &Connection, query: &str) -> Vec<String> {
    let mut statement = connection.prepare(query).unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// Creates `target` at schema `version` and copies into each of its
/// tables the rows of the same table in `source`, in the columns the
/// table had at that version.
fn write_at_version(source: &Path, target: &Path, version: i64) {
    let connection = kefu_core::store::create_at_schema_version(target, version).unwrap();
    connection
        .execute("ATTACH DATABASE ?1 AS source", [source.to_str().unwrap()])
        .unwrap();
    let tables = strings(
        &connection,
        "SELECT name FROM main.sqlite_schema WHERE type = 'table'
            AND name NOT LIKE 'sqlite_%' ORDER BY name",
    );
    // Tables are copied in name order, not in the order their foreign keys
    // need; the upgrade test runs the foreign key check on the result.
    connection
        .execute_batch("PRAGMA foreign_keys = OFF; BEGIN;")
        .unwrap();
    for table in tables {
        let columns = |schema: &str| -> Vec<String> {
            strings(
                &connection,
                &format!("SELECT name FROM pragma_table_info('{table}', '{schema}')"),
            )
        };
        let source_columns = columns("source");
        let shared: Vec<String> = columns("main")
            .into_iter()
            .filter(|column| source_columns.contains(column))
            .collect();
        if shared.is_empty() {
            continue;
        }
        let list = shared.join(", ");
        connection
            .execute(
                &format!(
                    "INSERT INTO main.{table} ({list}) SELECT {list} FROM source.{table} \
                     ORDER BY rowid"
                ),
                [],
            )
            .unwrap();
    }
    connection
        .execute_batch("COMMIT; DETACH DATABASE source;")
        .unwrap();
    connection
        .pragma_update(None, "journal_mode", "DELETE")
        .unwrap();
    connection.execute_batch("VACUUM").unwrap();
}
