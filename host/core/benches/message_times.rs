//! Write cost of the report triggers on a long conversation:
//! `cargo bench -p kefu-core --bench message_times`.
//!
//! Stores one conversation of 10,000 messages (or `KEFU_BENCH_MESSAGES`),
//! alternately inbound and outbound, through `Writer::insert_message`
//! into two new database files: one as `Store::open` creates it, and one
//! without the triggers that keep the report tables current on message
//! writes (the baseline). Each transaction stores 100 messages, as an
//! import of a long thread does.
//!
//! Both files get the same blocks of 1,000 messages alternately, so both
//! share the machine's load. For each block it prints the CPU time per
//! message of both and their ratio. A trigger whose cost grows with the
//! conversation shows as a ratio that grows from block to block. The CPU
//! time is the main thread's: it leaves out the waits for the disk of
//! each commit (`synchronous = FULL`), which vary from run to run, and
//! the load of other processes does not inflate it as it does wall time.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use kefu_core::Store;
use kefu_core::model::{Channel, Direction, IncomingMessage, Party};
use rusqlite::Connection;

const MESSAGES: usize = 10_000;
/// Messages timed together.
const BLOCK: usize = 1_000;
/// Messages stored in one transaction.
const TRANSACTION: usize = 100;

/// The triggers on the messages table that keep the report tables current.
const REPORT_TRIGGERS_SQL: &str = "SELECT name FROM sqlite_schema
      WHERE type = 'trigger' AND tbl_name = 'messages' AND name LIKE 'messages_report_%'";

fn messages() -> usize {
    match std::env::var("KEFU_BENCH_MESSAGES") {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("KEFU_BENCH_MESSAGES={text:?} is not a message count")),
        Err(_) => MESSAGES,
    }
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

/// A database file with one customer and one empty conversation.
struct Thread {
    store: Store,
    conversation_id: i64,
    raw_input_id: i64,
}

impl Thread {
    /// Creates the file, dropping the report triggers on messages when
    /// `triggers` is false.
    fn create(path: &Path, triggers: bool) -> Self {
        let mut store = Store::open(path).expect("creating the database");
        if !triggers {
            // A second connection, because the store keeps its own private.
            let connection = Connection::open(path).expect("opening the database");
            let names: Vec<String> = connection
                .prepare(REPORT_TRIGGERS_SQL)
                .unwrap()
                .query_map([], |row| row.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(!names.is_empty(), "no report triggers on messages");
            for name in names {
                connection
                    .execute_batch(&format!("DROP TRIGGER {name}"))
                    .unwrap();
            }
        }
        let writer = store.writer().unwrap();
        let (customer, _) = writer
            .find_or_create_customer(Channel::Email, "customer@example.com", None, start())
            .unwrap();
        let conversation_id = writer
            .create_conversation(
                Channel::Email,
                customer.id,
                None,
                Some("Long thread"),
                start(),
            )
            .unwrap();
        let raw_input_id = writer
            .insert_raw_input("bench", "bench", None, None, b"bench", start())
            .unwrap();
        writer.commit().unwrap();
        Self {
            store,
            conversation_id,
            raw_input_id,
        }
    }

    /// Stores messages `first..first + count`, a minute apart, and returns
    /// the CPU time that took.
    fn store_messages(&mut self, first: usize, count: usize) -> Duration {
        let started = thread_cpu_time();
        let mut number = first;
        while number < first + count {
            let writer = self.store.writer().unwrap();
            let end = (number + TRANSACTION).min(first + count);
            for index in number..end {
                let at = start() + chrono::Duration::minutes(index as i64);
                writer
                    .insert_message(
                        self.conversation_id,
                        &message(index, at),
                        &format!("message-{index}"),
                        self.raw_input_id,
                        at,
                    )
                    .unwrap();
            }
            writer.commit().unwrap();
            number = end;
        }
        thread_cpu_time() - started
    }
}

/// Message `index` of the thread: even ones from the customer, odd ones
/// from the team.
fn message(index: usize, at: DateTime<Utc>) -> IncomingMessage {
    let party = Party {
        name: None,
        address: "customer@example.com".to_string(),
    };
    IncomingMessage {
        channel: Channel::Email,
        direction: if index.is_multiple_of(2) {
            Direction::Inbound
        } else {
            Direction::Outbound
        },
        sender: party.clone(),
        customer: party,
        sent_at: Some(at),
        subject: None,
        body_text: format!("Message {index} of the thread."),
        external_id: None,
        thread_key: None,
        replies_to: Vec::new(),
        automation: None,
        call: None,
        attachments: Vec::new(),
        raw_span: None,
        notes: Vec::new(),
    }
}

/// Returns the CPU time of the calling thread.
fn thread_cpu_time() -> Duration {
    let mut time = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `time` is a valid, writable timespec for the call.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut time) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(time.tv_sec as u64, time.tv_nsec as u32)
}

fn per_message(duration: Duration, count: usize) -> String {
    format!("{:.1} µs", duration.as_secs_f64() * 1e6 / count as f64)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument selects nothing here.
    let total = messages();
    let folder = tempfile::tempdir().expect("creating a temporary folder");
    let mut baseline = Thread::create(&folder.path().join("baseline.db"), false);
    let mut triggered = Thread::create(&folder.path().join("triggers.db"), true);

    println!(
        "One conversation of {total} messages, {TRANSACTION} per transaction, \
         CPU time per message for each block of {BLOCK}:"
    );
    println!("| messages | without report triggers | with them | ratio |");
    println!("|---|---|---|---|");

    let mut totals = (Duration::ZERO, Duration::ZERO);
    let mut first = 0;
    while first < total {
        let count = BLOCK.min(total - first);
        let without = baseline.store_messages(first, count);
        let with = triggered.store_messages(first, count);
        totals.0 += without;
        totals.1 += with;
        println!(
            "| {}-{} | {} | {} | {:.2}x |",
            first + 1,
            first + count,
            per_message(without, count),
            per_message(with, count),
            with.as_secs_f64() / without.as_secs_f64()
        );
        first += count;
    }

    println!(
        "All {total}: {:.2?} CPU without the report triggers, {:.2?} with them; {:.2}x",
        totals.0,
        totals.1,
        totals.1.as_secs_f64() / totals.0.as_secs_f64()
    );

    let size = |thread: &Thread| {
        std::fs::metadata(thread.store.path()).map_or(0, |metadata| metadata.len()) / 1024
    };
    println!(
        "Files: {} KiB without, {} KiB with the report triggers",
        size(&baseline),
        size(&triggered)
    );
}
