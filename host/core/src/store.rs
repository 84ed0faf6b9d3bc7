//! The SQLite store.
//!
//! One database file contains everything. Reads go through [`Store`]; writes go
//! through a [`Writer`], which wraps one transaction, so an input is stored
//! whole or not at all.
//!
//! NOTE: callers use these SQLite types directly. A PostgreSQL store would
//! sit beside this module and share the same method set through a trait
//! extracted at that point.

mod agents;
mod attachments;
mod customers;
mod outbox;
mod phrases;
mod plugins;
mod ratings;
mod read;
mod schedule;
mod tickets;
mod work;
pub mod write;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{HookError, M, Migrations};

use crate::desk::Desk;
use crate::encryption::{Passphrase, open_connection};

pub use attachments::StoredAttachment;
pub use customers::{
    Address, ChangeBy, CustomerChange, CustomerDetail, CustomerSummary, Moved, parse_address,
};
pub use outbox::{NewOutboxEntry, OutboxEntry, OutboxState, PendingDelivery, ReplyTarget};
pub use phrases::PhraseFilter;
pub use plugins::{PluginFault, PluginState};
pub use ratings::{NewRating, RatingSource, RatingsImport, rating_in_reply};
pub use write::{NewTicket, Writer};

/// Numbered schema migrations, oldest first. Never edit a released one: add
/// the next number instead.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("store/migrations/0001_initial.sql"),
    include_str!("store/migrations/0002_identity_customer_index.sql"),
    include_str!("store/migrations/0003_plugin_platform.sql"),
    include_str!("store/migrations/0004_native_consent.sql"),
    include_str!("store/migrations/0005_ticket_engine.sql"),
    include_str!("store/migrations/0006_outbound.sql"),
    CUSTOMER_CHANGES_SQL,
    include_str!("store/migrations/0010_attachment_blobs.sql"),
    include_str!("store/migrations/0011_assignee_open_counts.sql"),
    include_str!("store/migrations/0013_ratings.sql"),
    include_str!("store/migrations/0014_covering_report_indexes.sql"),
    include_str!("store/migrations/0015_report_facts.sql"),
    include_str!("store/migrations/0016_message_time_chunks.sql"),
    include_str!("store/migrations/0017_workbench_reads.sql"),
];

/// Prepared statements kept per connection.
const STATEMENT_CACHE_CAPACITY: usize = 256;

/// The migration that records customer merges, splits and links. Its hook
/// rewrites stored phone numbers in E.164.
const CUSTOMER_CHANGES_SQL: &str = include_str!("store/migrations/0009_customer_changes.sql");

/// Schema version that added the ticket engine's columns.
const TICKET_ENGINE_VERSION: i64 = 5;

/// Handle on a Kefu database.
pub struct Store {
    connection: Connection,
    path: PathBuf,
    desk: Arc<Desk>,
}

impl Store {
    /// Opens the database at `path`, creating it and its folder when missing,
    /// and brings its schema up to date. An encrypted database opens with
    /// the passphrase recorded for `path` by [`crate::encryption::unlock`];
    /// with one recorded, a new database is created encrypted.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        Self::open_with_passphrase(path, crate::encryption::passphrase_for(path).as_ref())
    }

    /// Opens the database at `path` as [`Store::open`] does, keyed with
    /// `passphrase`, or plain when it is `None`.
    pub fn open_with_passphrase(
        path: &Path,
        passphrase: Option<&Passphrase>,
    ) -> anyhow::Result<Self> {
        if path.is_dir() {
            anyhow::bail!(
                "{} is a folder; pass the path of a database file, for example {}",
                path.display(),
                path.join("kefu.db").display()
            );
        }

        if let Some(parent) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating database folder {}", parent.display()))?;
        }

        let mut connection = open_connection(path, OpenFlags::default(), passphrase)?;
        let not_a_database = || {
            format!(
                "{} is not a database Kefu can open; pass another --db path, \
                 or check the file's permissions",
                path.display()
            )
        };
        // The version is checked before anything is written, so a database
        // from a newer Kefu stays byte for byte as it was.
        let version_before: i64 = connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .with_context(not_a_database)?;
        check_not_newer(path, version_before)?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .with_context(not_a_database)?;

        connection.pragma_update(None, "foreign_keys", "ON")?;
        // Every intake acknowledges an input (moves it out of the drop
        // folder, returns 2xx, flags it seen) right after its commit. In WAL
        // mode, NORMAL skips the fsync at commit, so a commit survives the
        // process being killed but not a power loss or OS crash, after which
        // an acknowledged input could be missing. FULL syncs the WAL at
        // every commit; docs/reliability.md gives its measured cost.
        connection.pragma_update(None, "synchronous", "FULL")?;
        // A desk's to-do list reads its ticket indexes on every refresh; the
        // default 2 MiB page cache holds too little of them at 100,000
        // tickets. The value is in KiB when negative.
        connection.pragma_update(None, "cache_size", -65_536)?;
        // Another kefu process (the app, a second import) may hold the write
        // lock for the length of one input's transaction.
        connection.busy_timeout(std::time::Duration::from_secs(30))?;
        // An import runs more distinct statements for each message than
        // rusqlite's default cache of 16 holds, so with that cache it would
        // compile most of them anew every time.
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);

        migrations().to_latest(&mut connection).with_context(|| {
            format!(
                "upgrading the schema of {}; restore a backup if the file is damaged",
                path.display()
            )
        })?;
        let mut store = Self {
            connection,
            path: path.to_path_buf(),
            desk: Desk::builtin(),
        };
        if version_before > 0 && version_before < TICKET_ENGINE_VERSION {
            // Tickets from before the ticket engine get their queue rank and
            // SLA deadlines once, from the built-in configuration.
            let writer = store.writer()?;
            writer.refresh_all_tickets()?;
            writer.commit()?;
        }
        Ok(store)
    }

    /// Opens an existing database, failing when the file is missing, so a
    /// mistyped path does not silently create an empty database.
    pub fn open_existing(path: &Path) -> anyhow::Result<Self> {
        if !path.exists() {
            anyhow::bail!(
                "database {} not found; import something first with `kefu ingest`, \
                 or pass the right path with --db or KEFU_DB",
                path.display()
            );
        }
        Self::open(path)
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts a write transaction.
    pub fn writer(&mut self) -> anyhow::Result<Writer<'_>> {
        Writer::begin(&mut self.connection, self.desk.clone())
    }

    /// Makes ticket writes follow `desk` instead of the built-in
    /// configuration.
    pub fn set_desk(&mut self, desk: Arc<Desk>) {
        self.desk = desk;
    }

    /// The configuration ticket writes follow.
    pub fn desk(&self) -> &Arc<Desk> {
        &self.desk
    }

    /// Returns the underlying connection, for read-only queries such as report datasets.
    pub(crate) fn connection(&self) -> &Connection {
        &self.connection
    }

    /// Schema version: the number of migrations applied.
    pub fn schema_version(&self) -> anyhow::Result<i64> {
        Ok(self
            .connection
            .pragma_query_value(None, "user_version", |row| row.get(0))?)
    }
}

/// Notices commits that other connections, in this process or another,
/// make to a database, through SQLite's `PRAGMA data_version` on a
/// connection of its own.
pub struct ChangeWatch {
    connection: Connection,
    last_version: i64,
}

impl ChangeWatch {
    /// Opens a connection to the database at `path` for watching. The
    /// database must exist.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        if !path.exists() {
            anyhow::bail!("database {} not found", path.display());
        }
        // Read-write flags, because a read-only connection cannot open a WAL
        // database whose -shm file is missing. This connection only reads.
        let connection = crate::encryption::open_database(path, OpenFlags::default())
            .with_context(|| format!("opening database {} to watch it", path.display()))?;
        let last_version = data_version(&connection)?;
        Ok(Self {
            connection,
            last_version,
        })
    }

    /// Returns whether another connection committed since the last call
    /// (or since [`ChangeWatch::open`]).
    pub fn changed(&mut self) -> anyhow::Result<bool> {
        let version = data_version(&self.connection)?;
        let changed = version != self.last_version;
        self.last_version = version;
        Ok(changed)
    }
}

fn data_version(connection: &Connection) -> anyhow::Result<i64> {
    connection
        .pragma_query_value(None, "data_version", |row| row.get(0))
        .context("reading the database's data_version")
}

/// Schema version of a database this Kefu creates or upgrades: the number
/// of migrations it contains.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Fails when `version` (the `user_version` of the database at `path`) is
/// above [`SCHEMA_VERSION`], because this Kefu would misread tables a newer
/// one changed.
pub fn check_not_newer(path: &Path, version: i64) -> anyhow::Result<()> {
    if version > SCHEMA_VERSION {
        anyhow::bail!(
            "{} has schema version {version}, made by a newer Kefu; this Kefu reads \
             schema versions up to {SCHEMA_VERSION}. Open it with that newer Kefu, or \
             upgrade Kefu. The file was not changed",
            path.display()
        );
    }
    Ok(())
}

/// Creates a database at `path` with the schema as it was at `version`,
/// running only the first `version` migrations. The migration tests use it
/// to rebuild their golden files of released versions.
#[doc(hidden)]
pub fn create_at_schema_version(path: &Path, version: i64) -> anyhow::Result<Connection> {
    let target = usize::try_from(version)
        .ok()
        .filter(|target| (1..=MIGRATIONS.len()).contains(target))
        .with_context(|| format!("schema version {version} is not 1 to {SCHEMA_VERSION}"))?;
    let mut connection =
        Connection::open(path).with_context(|| format!("creating database {}", path.display()))?;
    migrations()
        .to_version(&mut connection, target)
        .with_context(|| format!("creating {} at schema version {version}", path.display()))?;
    Ok(connection)
}

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| migration(sql)).collect())
}

fn migration(sql: &'static str) -> M<'static> {
    if sql != CUSTOMER_CHANGES_SQL {
        return M::up(sql);
    }
    // Phone identities stored before E.164 become E.164, with the built-in
    // default country, because the configuration folder is not known when
    // a database opens.
    M::up_with_hook(sql, |tx: &rusqlite::Transaction| {
        let identity = crate::identity::IdentityConfig::default();
        customers::renormalize_phone_numbers(tx, &identity, Utc::now())
            .map_err(|error| HookError::Hook(format!("{error:#}")))
    })
}

/// Selects a row when an input with hash `?1` is stored and was not
/// quarantined whole, so importing it again would add nothing. An input
/// quarantined whole is imported again, which retries it.
const INPUT_IMPORTED_SQL: &str = "SELECT 1 FROM raw_inputs r WHERE r.sha256 = ?1
      AND NOT EXISTS (SELECT 1 FROM quarantine q
                       WHERE q.raw_input_id = r.id AND q.span_offset IS NULL)";

/// Formats a time the way the database stores it: RFC 3339 in UTC.
pub(crate) fn format_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Reads a time stored by [`format_time`], or any other RFC 3339 time.
pub(crate) fn parse_time(text: &str) -> rusqlite::Result<DateTime<Utc>> {
    if let Some(time) = parse_stored_time(text) {
        return Ok(time);
    }
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, error.into())
        })
}

/// Reads the one form [`format_time`] writes, `YYYY-MM-DDTHH:MM:SSZ`,
/// several times faster than chrono's RFC 3339 parser, because reports
/// read a time from every ticket and message. Returns `None` for any other
/// text, including invalid dates and leap seconds, which
/// [`parse_time`] leaves to chrono.
fn parse_stored_time(text: &str) -> Option<DateTime<Utc>> {
    let bytes = text.as_bytes();
    let separators = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'Z'),
    ];
    if bytes.len() != 20
        || separators
            .iter()
            .any(|&(index, separator)| bytes[index] != separator)
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes[range].iter().try_fold(0, |value: u32, &byte| {
            byte.is_ascii_digit()
                .then(|| value * 10 + u32::from(byte - b'0'))
        })
    };
    let year = number(0..4)? as i32;
    let date = chrono::NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)?;
    let time = date.and_hms_opt(number(11..13)?, number(14..16)?, number(17..19)?)?;
    Some(time.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_time_matches_chrono() {
        use chrono::Timelike;

        let cases = [
            "2026-11-05T10:00:00Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2024-02-29T12:00:00Z",
            // Leap second, which chrono reads and the fast path leaves to it.
            "2016-12-31T23:59:60Z",
            "2026-11-05T10:00:00+08:00",
            "2026-11-05t10:00:00z",
            "2026-11-05 10:00:00Z",
            "2026-11-05T10:00:00.250Z",
            // Invalid: no February 29, hour 24, a letter, a sign.
            "2026-02-29T12:00:00Z",
            "2026-11-05T24:00:00Z",
            "2026-1a-05T10:00:00Z",
            "2026-11-05T10:00:0-Z",
            "2026-11-05T10:00:00",
            "",
        ];
        for text in cases {
            let chrono = DateTime::parse_from_rfc3339(text).map(|time| time.with_timezone(&Utc));
            let parsed = parse_time(text);
            match chrono {
                Ok(expected) => assert_eq!(parsed.ok(), Some(expected), "{text:?}"),
                Err(_) => assert!(parsed.is_err(), "{text:?} parsed as {parsed:?}"),
            }
        }
        let now = Utc::now().with_nanosecond(0).unwrap();
        assert_eq!(parse_time(&format_time(now)).unwrap(), now);
    }

    #[test]
    fn upgrade_gives_old_tickets_deadlines() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("kefu.db");
        let mut connection = Connection::open(&path).unwrap();
        let before: Vec<M> = MIGRATIONS[..4].iter().map(|sql| M::up(sql)).collect();
        Migrations::new(before).to_latest(&mut connection).unwrap();
        connection
            .execute_batch(
                "INSERT INTO customers (id, name, tier, created_at)
                 VALUES (1, 'Wang', 'vip', '2026-12-04T01:00:00Z');
                 INSERT INTO conversations (id, channel, customer_id, created_at, last_message_at)
                 VALUES (1, 'email', 1, '2026-12-04T01:00:00Z', '2026-12-04T01:00:00Z');
                 INSERT INTO tickets (id, conversation_id, ticket_type, priority, source, status,
                                      created_at, updated_at)
                 VALUES (1, 1, 'after-sales', 'urgent', 'email', 'open',
                         '2026-12-04T01:00:00Z', '2026-12-04T01:00:00Z');",
            )
            .unwrap();
        drop(connection);

        let store = Store::open(&path).unwrap();
        let (rank, first_due): (i64, Option<String>) = store
            .connection
            .query_row(
                "SELECT queue_rank, first_response_due FROM tickets WHERE id = 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        // A VIP customer's urgent ticket ranks above every priority.
        assert_eq!(rank, 5);
        // Friday 09:00 in Shanghai plus the built-in 30 minutes for an
        // urgent VIP ticket.
        assert_eq!(first_due.as_deref(), Some("2026-12-04T01:30:00Z"));
    }

    /// The latest messages are the tail of the full list in time order,
    /// also when the times do not follow the ids, and the read walks the
    /// time index instead of sorting the conversation.
    #[test]
    fn latest_messages_follow_message_time() {
        let folder = tempfile::tempdir().unwrap();
        let store = Store::open(&folder.path().join("kefu.db")).unwrap();
        store
            .connection
            .execute_batch(
                "INSERT INTO customers (id, name, created_at) VALUES (1, 'Li', '2026-01-01T00:00:00Z');
                 INSERT INTO raw_inputs (id, sha256, source_name, bytes, received_at)
                 VALUES (1, 'x', 'test', x'00', '2026-01-01T00:00:00Z');
                 INSERT INTO conversations (id, channel, customer_id, created_at, last_message_at)
                 VALUES (1, 'chat', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
                        (2, 'chat', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');",
            )
            .unwrap();
        // Sent times out of id order, some missing so the received time
        // counts, two equal, and messages of another conversation between.
        let sent = [
            Some("2026-01-01T00:05:00Z"),
            Some("2026-01-01T00:01:00Z"),
            None,
            Some("2026-01-01T00:09:00Z"),
            Some("2026-01-01T00:03:00Z"),
            Some("2026-01-01T00:03:00Z"),
            None,
        ];
        for (number, sent_at) in sent.iter().enumerate() {
            let received_at = format!("2026-01-01T00:0{number}:30Z");
            for conversation in [1, 2] {
                store
                    .connection
                    .execute(
                        "INSERT INTO messages (conversation_id, channel, direction, sender_address,
                                               sent_at, received_at, body_text, dedupe_key,
                                               raw_input_id)
                         VALUES (?1, 'chat', 'inbound', 'li', ?2, ?3, 'hello', ?4, 1)",
                        rusqlite::params![
                            conversation,
                            sent_at,
                            received_at,
                            format!("chat:{conversation}:{number}")
                        ],
                    )
                    .unwrap();
            }
        }
        let ids = |messages: Vec<crate::model::StoredMessage>| -> Vec<i64> {
            messages.iter().map(|message| message.id).collect()
        };
        let all = ids(store.messages(1).unwrap());
        assert_eq!(all.len(), sent.len());
        for limit in [1, 2, 4, sent.len(), sent.len() + 5] {
            let tail = all[all.len().saturating_sub(limit)..].to_vec();
            assert_eq!(
                ids(store.latest_messages(1, limit).unwrap()),
                tail,
                "latest {limit}"
            );
        }

        let mut statement = store
            .connection
            .prepare(
                "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE conversation_id = ?1
                  ORDER BY coalesce(sent_at, received_at) DESC, id DESC LIMIT ?2",
            )
            .unwrap();
        let plan: Vec<String> = statement
            .query_map(rusqlite::params![1, 50], |row| row.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.iter()
                .any(|line| line.contains("messages_conversation_time")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|line| line.contains("TEMP B-TREE")),
            "{plan:?}"
        );
    }

    #[test]
    fn upgrade_renormalizes_phone_numbers_and_merges() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("kefu.db");
        let mut connection = Connection::open(&path).unwrap();
        let position = MIGRATIONS
            .iter()
            .position(|sql| *sql == CUSTOMER_CHANGES_SQL)
            .unwrap();
        let before: Vec<M> = MIGRATIONS[..position]
            .iter()
            .map(|sql| M::up(sql))
            .collect();
        Migrations::new(before).to_latest(&mut connection).unwrap();
        // Two customers for one mobile number, stored before E.164 in the
        // two forms the old normalisation produced, and an extension.
        connection
            .execute_batch(
                "INSERT INTO customers (id, name, created_at) VALUES
                     (1, NULL, '2026-01-01T00:00:00Z'),
                     (2, '王芳', '2026-01-02T00:00:00Z'),
                     (3, NULL, '2026-01-03T00:00:00Z');
                 INSERT INTO customer_identities (customer_id, kind, value) VALUES
                     (1, 'phone', '13800138000'),
                     (2, 'phone', '+8613800138000'),
                     (2, 'email', 'wang.fang@example.cn'),
                     (3, 'phone', '200');
                 INSERT INTO conversations (id, channel, customer_id, thread_key, created_at,
                                            last_message_at) VALUES
                     (1, 'phone', 1, '13800138000', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
                     (2, 'phone', 2, '+8613800138000', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z'),
                     (3, 'phone', 3, '200', '2026-01-03T00:00:00Z', '2026-01-03T00:00:00Z');
                 INSERT INTO tasks (kind, title, customer_id, created_at)
                     VALUES ('callback', 'Call back', 2, '2026-01-02T00:00:00Z');",
            )
            .unwrap();
        drop(connection);

        let store = Store::open(&path).unwrap();
        let identities: Vec<(i64, String, String)> = store
            .connection
            .prepare("SELECT customer_id, kind, value FROM customer_identities ORDER BY id")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            identities,
            [
                (1, "phone".to_string(), "+8613800138000".to_string()),
                (1, "email".to_string(), "wang.fang@example.cn".to_string()),
                (3, "phone".to_string(), "200".to_string()),
            ]
        );
        let owners: Vec<(i64, Option<String>)> = store
            .connection
            .prepare("SELECT customer_id, thread_key FROM conversations ORDER BY id")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        // Conversation 1 keeps its key because conversation 2 has the
        // E.164 one; both now belong to customer 1.
        assert_eq!(
            owners,
            [
                (1, Some("13800138000".to_string())),
                (1, Some("+8613800138000".to_string())),
                (3, Some("200".to_string())),
            ]
        );
        let detail = store.customer_detail(1).unwrap();
        assert_eq!(detail.summary.name.as_deref(), Some("王芳"));
        assert_eq!(detail.changes.len(), 1);
        assert_eq!(detail.changes[0].kind, "merge");
        assert_eq!(detail.changes[0].from_customer, Some(2));
        assert_eq!(detail.changes[0].actor, "system");
        assert_eq!(store.customer_detail(2).unwrap().merged_into, Some(1));
        let task_owner: i64 = store
            .connection
            .query_row("SELECT customer_id FROM tasks", [], |row| row.get(0))
            .unwrap();
        assert_eq!(task_owner, 1);
    }

    #[test]
    fn migrations_are_valid() {
        migrations()
            .validate()
            .expect("migrations apply to an empty database");
    }

    #[test]
    fn open_creates_file_in_wal_mode() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("nested/kefu.db");
        let store = Store::open(&path).unwrap();
        assert!(path.exists());
        let mode: String = store
            .connection
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    }

    #[test]
    fn first_version_upgrades_with_data_kept() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("kefu.db");
        let mut connection = Connection::open(&path).unwrap();
        Migrations::new(vec![M::up(MIGRATIONS[0])])
            .to_latest(&mut connection)
            .unwrap();
        connection
            .execute(
                "INSERT INTO customers (name, created_at) VALUES ('王芳', '2026-01-01T00:00:00Z')",
                [],
            )
            .unwrap();
        drop(connection);

        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
        assert_eq!(store.counts().unwrap().customers, 1);
    }

    #[test]
    fn attachment_lists_migrate_to_link_rows() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("kefu.db");
        let mut connection = Connection::open(&path).unwrap();
        // Later migrations follow the attachments one, so find it by its text.
        let before_attachments = MIGRATIONS
            .iter()
            .position(|sql| *sql == include_str!("store/migrations/0010_attachment_blobs.sql"))
            .unwrap();
        Migrations::new(
            MIGRATIONS[..before_attachments]
                .iter()
                .map(|sql| M::up(sql))
                .collect(),
        )
        .to_latest(&mut connection)
        .unwrap();
        connection
            .execute_batch(
                "INSERT INTO customers (id, created_at) VALUES (1, '2026-01-01T00:00:00Z');
                 INSERT INTO conversations (id, channel, customer_id, created_at, last_message_at)
                   VALUES (1, 'email', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
                 INSERT INTO raw_inputs (id, sha256, source_name, bytes, received_at)
                   VALUES (1, 'ab', 'a.eml', x'00', '2026-01-01T00:00:00Z');
                 INSERT INTO messages (id, conversation_id, channel, direction, sender_address,
                                       received_at, body_text, dedupe_key, attachments,
                                       raw_input_id)
                   VALUES (1, 1, 'email', 'inbound', 'a@example.com', '2026-01-01T00:00:00Z',
                           'text', 'k1',
                           '[{\"file_name\":\"发票.pdf\",\"content_type\":\"application/pdf\",\"size\":10},
                             {\"file_name\":\"b.txt\",\"content_type\":\"text/plain\",\"size\":3}]',
                           1);",
            )
            .unwrap();
        drop(connection);

        let store = Store::open(&path).unwrap();
        let attachments = store.message_attachments(1).unwrap();
        let listed: Vec<(&str, &str, u64)> = attachments
            .iter()
            .map(|a| (a.file_name.as_str(), a.content_type.as_str(), a.size))
            .collect();
        assert_eq!(
            listed,
            [
                ("发票.pdf", "application/pdf", 10),
                ("b.txt", "text/plain", 3)
            ]
        );
        assert!(attachments.iter().all(|a| a.sha256.is_none()));
    }

    #[test]
    fn folder_as_database_names_the_fix() {
        let folder = tempfile::tempdir().unwrap();
        let error = Store::open(folder.path()).err().unwrap().to_string();
        assert!(error.contains("is a folder"), "{error}");
    }

    #[test]
    fn other_file_is_not_overwritten() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("notes.txt");
        let text =
            "not a database, just text that is long enough for SQLite to look at\n".repeat(20);
        std::fs::write(&path, &text).unwrap();
        let error = format!("{:#}", Store::open(&path).err().unwrap());
        assert!(error.contains("not a database Kefu can open"), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }

    #[test]
    fn open_existing_rejects_missing_file() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("typo.db");
        let error = Store::open_existing(&path).err().unwrap().to_string();
        assert!(error.contains("not found"), "{error}");
        assert!(!path.exists());
    }

    #[test]
    fn change_watch_sees_other_connection() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("kefu.db");
        let mut store = Store::open(&path).unwrap();
        let mut watch = ChangeWatch::open(&path).unwrap();
        assert!(!watch.changed().unwrap());

        let writer = store.writer().unwrap();
        writer
            .find_or_create_customer(crate::model::Channel::Chat, "wx_1", None, Utc::now())
            .unwrap();
        writer.commit().unwrap();

        assert!(watch.changed().unwrap());
        assert!(!watch.changed().unwrap());
    }

    #[test]
    fn reopen_keeps_schema_version() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("kefu.db");
        drop(Store::open(&path).unwrap());
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    }
}
