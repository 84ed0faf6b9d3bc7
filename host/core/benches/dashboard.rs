//! Report dashboard benchmark: `cargo bench -p kefu-core --bench dashboard`.
//!
//! Generates a year of demo data with `kefu_core::demo`: 200,000 tickets
//! and about a million messages, or the ticket count in
//! `KEFU_BENCH_TICKETS`. The database file stays in
//! `target/release/bench-data/`, so later runs reuse it. It then times,
//! alternately in one loop so both share the machine's load:
//! - the baseline: one full scan of the tickets table, reading the columns
//!   the metrics read;
//! - the dashboard: every metric over the 12 months of the history, once
//!   by agent and month and once by ticket type and month, with
//!   `metrics::compute` as `kefu report` runs it.
//!
//! It prints the median of each and the ratio of the medians.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use kefu_core::Store;
use kefu_core::demo::{DemoOptions, generate};
use kefu_core::metrics::{self, Dimension, Filters, Granularity, MetricsQuery};
use rusqlite::Connection;

const TICKETS: u32 = 200_000;
const CUSTOMERS: u32 = 40_000;
const DAYS: u32 = 365;
const SEED: u64 = 1;
/// Timed repetitions of each side, after one untimed run of each.
const REPETITIONS: usize = 7;

/// Returns the end of the history: 2026-12-01 00:00 in Shanghai, the
/// built-in SLA time zone, so the year is December 2025 to November 2026.
fn end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 16, 0, 0).unwrap()
}

fn tickets() -> u32 {
    match std::env::var("KEFU_BENCH_TICKETS") {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("KEFU_BENCH_TICKETS={text:?} is not a ticket count")),
        Err(_) => TICKETS,
    }
}

/// Returns the folder for cached data: `bench-data` beside the folder of
/// the benchmark executable (`target/release/deps`).
fn data_folder() -> PathBuf {
    let executable = std::env::current_exe().expect("the benchmark's own path");
    let release = executable
        .parent()
        .and_then(Path::parent)
        .expect("the benchmark runs from target/<profile>/deps");
    release.join("bench-data")
}

/// Opens the cached database for `options`, generating it first when
/// missing. Generation writes to a temporary name and renames the file at
/// the end, so an interrupted run leaves no half-written cache behind.
fn open_data(options: &DemoOptions) -> Store {
    let folder = data_folder();
    std::fs::create_dir_all(&folder).expect("creating the bench-data folder");
    let path = folder.join(format!(
        "dashboard-{}-{}-{}-{}.db",
        options.customers, options.tickets, options.days, options.seed
    ));
    if path.exists() {
        println!("Data: {} (cached)", path.display());
        return Store::open(&path).expect("opening the cached database");
    }
    let partial = path.with_extension("partial");
    for stale in [&partial, &partial.with_extension("partial-wal")] {
        let _ = std::fs::remove_file(stale);
    }
    let _ = std::fs::remove_file(partial.with_extension("partial-shm"));
    println!("Data: generating {}", path.display());
    let started = Instant::now();
    {
        let mut store = Store::open(&partial).expect("creating the database");
        let mut reported = 0;
        let summary = generate(&mut store, options, &mut |done, total| {
            if done >= reported + total / 10 || done == total {
                reported = done;
                println!("  {done}/{total} tickets, {:.0?}", started.elapsed());
            }
        })
        .expect("generating the demo data");
        println!(
            "  {} customers, {} agents, {} tickets, {} messages, {} ratings in {:.1?}",
            summary.customers,
            summary.agents,
            summary.tickets,
            summary.messages,
            summary.ratings,
            started.elapsed()
        );
    }
    // Closing the last connection checkpointed the WAL into the file.
    std::fs::rename(&partial, &path).expect("renaming the generated database");
    Store::open(&path).expect("opening the generated database")
}

/// Opens a second connection to the database for the baseline, with the
/// 64 MiB page cache `Store::open` sets.
fn open_baseline(path: &Path) -> Connection {
    let connection = Connection::open(path).expect("opening the database for the baseline");
    connection
        .execute_batch("PRAGMA cache_size = -65536;")
        .expect("setting the page cache size");
    connection
}

/// Reads every row of the tickets table with the ticket columns the metrics
/// read, and returns a checksum so the reads cannot be optimised away.
fn scan_tickets(connection: &Connection) -> usize {
    let mut statement = connection
        .prepare_cached(
            "SELECT id, conversation_id, coalesce(sla_start_at, created_at), resolved_at,
                    first_response_at, first_response_due, resolution_due, reopen_count,
                    assignee, ticket_type, source, merged_into
               FROM tickets",
        )
        .unwrap();
    let mut rows = statement.query([]).unwrap();
    let mut checksum = 0;
    while let Some(row) = rows.next().unwrap() {
        for index in 0..12 {
            checksum += match row.get_ref(index).unwrap() {
                rusqlite::types::ValueRef::Text(text) => text.len(),
                rusqlite::types::ValueRef::Integer(value) => value as usize & 0xff,
                _ => 1,
            };
        }
    }
    checksum
}

fn dashboard(store: &Store, queries: &[MetricsQuery]) -> usize {
    queries
        .iter()
        .map(|query| metrics::compute(store, query).unwrap().rows.len())
        .sum()
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument selects nothing here.
    let mut options = DemoOptions::new(CUSTOMERS, DAYS, SEED, end());
    options.tickets = tickets();
    options.agents = 20;
    let store = open_data(&options);
    let counts = store.counts().unwrap();
    println!(
        "Rows: {} tickets, {} messages, {} customers",
        counts.tickets, counts.messages, counts.customers
    );
    let size = std::fs::metadata(store.path()).map_or(0, |metadata| metadata.len());
    println!("File: {:.0} MiB", size as f64 / (1024.0 * 1024.0));

    let time_zone = store.desk().sla.calendar().time_zone();
    let period = metrics::parse_period("2025-12-01..2026-11-30", time_zone).unwrap();
    let query = |by: Vec<Dimension>| MetricsQuery {
        period: period.clone(),
        by,
        filters: Filters::default(),
        now: end(),
        recurring_limit: 20,
    };
    let month = Dimension::Time(Granularity::Month);
    let queries = [
        query(vec![Dimension::Agent, month]),
        query(vec![Dimension::TicketType, month]),
    ];

    // One untimed run of each warms SQLite's page cache.
    let baseline_connection = open_baseline(store.path());
    let checksum = scan_tickets(&baseline_connection);
    let rows = dashboard(&store, &queries);
    println!("Dashboard rows: {rows} (scan checksum {checksum})");

    let mut baseline = Vec::new();
    let mut measured = Vec::new();
    for _ in 0..REPETITIONS {
        let started = Instant::now();
        std::hint::black_box(scan_tickets(&baseline_connection));
        baseline.push(started.elapsed());
        let started = Instant::now();
        std::hint::black_box(dashboard(&store, &queries));
        measured.push(started.elapsed());
    }
    let baseline = median(&mut baseline);
    let measured = median(&mut measured);
    println!("Baseline, full scan of tickets: median {baseline:.1?} of {REPETITIONS}");
    println!("Dashboard, by agent and by type, 12 months: median {measured:.1?} of {REPETITIONS}");
    println!(
        "Ratio dashboard / scan: {:.2}x",
        measured.as_secs_f64() / baseline.as_secs_f64()
    );
}
