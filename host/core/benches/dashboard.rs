//! Report dashboard benchmark: `cargo bench -p kefu-core --bench dashboard`.
//!
//! Generates a year of demo data with `kefu_core::demo`: 200,000 tickets
//! and about a million messages, or the ticket count in
//! `KEFU_BENCH_TICKETS`. The database file stays in
//! `target/release/bench-data/`, so later runs reuse it.
//!
//! It then times, alternately in one loop so all share the machine's load:
//! - the baseline: one full scan of the tickets table, reading the columns
//!   the metrics read;
//! - the metrics dashboard: every metric, the peak hours and the recurring
//!   questions over the 12 months of the history, once by agent and month
//!   and once by ticket type and month. `kefu report --by agent,month` and
//!   `--by type,month` compute the same. Here `metrics::compute_many`
//!   computes both groupings from one read of the data;
//! - the same two groupings one at a time with `metrics::compute`, for
//!   comparison;
//! - the Reports screen's built-in widget datasets for the same 12 months
//!   (ticket volume by agent, backlog, tickets by channel, tickets by hour
//!   of week) with `report::run_widgets_datasets`.
//!
//! It prints the median wall-clock and CPU time of each and their ratios to
//! the scan's. The CPU time is the main thread's, which the load of other
//! processes on the machine does not inflate.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use kefu_core::Store;
use kefu_core::demo::{DemoOptions, generate};
use kefu_core::metrics::{self, Dimension, Filters, Granularity, MetricsQuery};
use kefu_core::plugin::widget_api::{Description, ParameterValue};
use kefu_core::report;
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

/// The dashboard a manager gets for a period: the metrics of each query
/// and the datasets of the built-in widgets.
struct Dashboard {
    queries: Vec<MetricsQuery>,
    /// Each widget's dataset names, in a description without parameters.
    widgets: Vec<Description>,
    /// The period and dimension the Reports screen passes to the widgets.
    parameters: Vec<ParameterValue>,
}

impl Dashboard {
    /// Computes the metrics of every query with one shared read and returns
    /// the number of rows.
    fn metrics_shared(&self, store: &Store) -> usize {
        metrics::compute_many(store, &self.queries)
            .unwrap()
            .iter()
            .map(|report| report.rows.len())
            .sum()
    }

    /// Computes the metrics of each query on its own and returns the number
    /// of rows.
    fn metrics_separately(&self, store: &Store) -> usize {
        self.queries
            .iter()
            .map(|query| metrics::compute(store, query).unwrap().rows.len())
            .sum()
    }

    /// Runs the widgets' datasets and returns the number of rows.
    fn widget_datasets(&self, store: &Store) -> usize {
        let widgets: Vec<(&str, &Description, &[ParameterValue])> = self
            .widgets
            .iter()
            .map(|description| ("bench", description, self.parameters.as_slice()))
            .collect();
        report::run_widgets_datasets(store, &widgets, end())
            .into_iter()
            .flat_map(Result::unwrap)
            .map(|dataset| dataset.table.rows.len())
            .sum()
    }
}

/// Wall-clock and CPU time of one run of a side.
#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    cpu: Duration,
}

/// Returns the CPU time of the calling thread, which other processes on
/// the machine do not inflate the way they inflate wall-clock time. The
/// dashboard and the scan run on this thread only.
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

/// Runs `side` once and returns how long it took.
fn time(side: impl FnOnce() -> usize) -> Sample {
    let cpu = thread_cpu_time();
    let started = Instant::now();
    std::hint::black_box(side());
    Sample {
        wall: started.elapsed(),
        cpu: thread_cpu_time() - cpu,
    }
}

/// Returns the medians of the wall-clock and of the CPU times.
fn medians(samples: &[Sample]) -> Sample {
    let mut wall: Vec<Duration> = samples.iter().map(|sample| sample.wall).collect();
    let mut cpu: Vec<Duration> = samples.iter().map(|sample| sample.cpu).collect();
    Sample {
        wall: median(&mut wall),
        cpu: median(&mut cpu),
    }
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
    let parameter = |name: &str, value: &str| ParameterValue {
        name: name.to_string(),
        value: value.to_string(),
    };
    let widget = |dataset: &str| Description {
        title: dataset.to_string(),
        parameters: Vec::new(),
        datasets: vec![dataset.to_string()],
    };
    let dashboard = Dashboard {
        queries: vec![
            query(vec![Dimension::Agent, month]),
            query(vec![Dimension::TicketType, month]),
        ],
        widgets: vec![
            widget("ticket-volume"),
            widget("backlog"),
            widget("tickets-by-channel"),
            widget("hour-of-week"),
        ],
        parameters: vec![
            parameter(report::PERIOD, &period.label),
            parameter(report::DIMENSION, "agent"),
        ],
    };

    // One untimed run of each warms SQLite's page cache.
    let baseline_connection = open_baseline(store.path());
    let checksum = scan_tickets(&baseline_connection);
    let rows = dashboard.metrics_shared(&store);
    assert_eq!(
        rows,
        dashboard.metrics_separately(&store),
        "both ways compute the same rows"
    );
    let dataset_rows = dashboard.widget_datasets(&store);
    println!("Metrics rows: {rows}, dataset rows: {dataset_rows} (scan checksum {checksum})");

    let mut baseline = Vec::new();
    let mut shared = Vec::new();
    let mut separate = Vec::new();
    let mut widgets = Vec::new();
    for _ in 0..REPETITIONS {
        baseline.push(time(|| scan_tickets(&baseline_connection)));
        shared.push(time(|| dashboard.metrics_shared(&store)));
        separate.push(time(|| dashboard.metrics_separately(&store)));
        widgets.push(time(|| dashboard.widget_datasets(&store)));
    }
    let baseline = medians(&baseline);
    println!(
        "Baseline, full scan of tickets: median {:.1?} wall, {:.1?} CPU, of {REPETITIONS}",
        baseline.wall, baseline.cpu
    );
    let sides = [
        ("Metrics by agent and by type, shared read", shared),
        ("Metrics by agent and by type, one at a time", separate),
        ("Widget datasets", widgets),
    ];
    for (name, samples) in sides {
        let measured = medians(&samples);
        println!(
            "{name}: median {:.1?} wall, {:.1?} CPU; {:.2}x the scan by wall, {:.2}x by CPU",
            measured.wall,
            measured.cpu,
            measured.wall.as_secs_f64() / baseline.wall.as_secs_f64(),
            measured.cpu.as_secs_f64() / baseline.cpu.as_secs_f64()
        );
    }
}
