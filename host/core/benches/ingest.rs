//! Mail ingest benchmark: `cargo bench -p kefu-core --bench ingest`.
//!
//! Builds a Maildir of distinct messages from the real samples in
//! `tests/fixtures/email`, then imports it into two fresh database files
//! and prints messages per second for each:
//! - the baseline (module [`baseline`]): the email adapter's source compiled
//!   natively parses each file, and plain prepared INSERTs store the same
//!   rows as the real path, [`baseline::BATCH`] messages per transaction;
//! - the real path: `Ingestor::ingest_paths` with the built-in plugins (the
//!   email adapter is `plugins/dist/email.wasm`, as the host loads it), the
//!   rules, SLA and routing of `docs/examples` and five agents.
//!
//! Both start from a copy of one database with the agents and plugin
//! records, and the benchmark fails unless both wrote the same number of
//! rows to every table. Each side is timed by the wall clock and by the CPU time of the process
//! (user and system), which other processes on a busy machine inflate less.
//! `KEFU_BENCH_MESSAGES` sets the number of messages (100,000 by default),
//! for example 5000 for a quick run.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, TimeZone, Utc};
use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::ingest::{Ingestor, NoProgress};
use kefu_core::plugin::{PluginEngine, PluginSet};
use kefu_core::routing::NewAgent;
use mail_parser::{Encoding, MessageParser, PartType};
use rusqlite::Connection;

// A bench root resolves `mod` paths from `benches/`, and a file there would
// become a bench target of its own. So the baseline lives in `ingest/`.
#[path = "ingest/baseline.rs"]
mod baseline;

const DEFAULT_MESSAGES: usize = 100_000;
/// Distinct customers per message: a third, so most customers write more
/// than once.
const CUSTOMERS_PER_MESSAGE: usize = 3;
/// Chance, in percent, that a message replies to its sender's previous one.
const REPLY_PERCENT: u64 = 25;

/// How often each sample is used, per 1,000 messages. Samples not listed
/// get [`DEFAULT_WEIGHT`]. Bounces and auto-replies are rare, and the
/// 209 KB subject comes about once in 1,000 messages.
const WEIGHTS: &[(&str, u64)] = &[
    ("01-cn-gb2312-reply-chain-outlook-quote.eml", 100),
    ("02-tw-big5-folded-empty-subject-line.eml", 60),
    ("03-cn-gb18030-base64-format-flowed-list-reply.eml", 80),
    ("05-tw-big5-raw-8bit-headers-no-encoded-word.eml", 60),
    ("06-utf8-char-split-across-encoded-words.eml", 160),
    ("08-big5-mojibake-8bit-subject-empty-cte-no-date.eml", 30),
    ("09-dsn-gb2312-label-needs-gbk-japanese-ndr.eml", 10),
    ("11-garbage-charset-name-windows-1252http-equiv.eml", 30),
    ("13-koi8r-raw-8bit-subject-no-content-type.eml", 20),
    ("14-bounce-gmail-dsn-nested-related.eml", 10),
    ("15-bounce-office365-ndr-in-reply-to.eml", 5),
    ("16-bounce-sendmail-dsn-bad-date-in-original.eml", 10),
    ("17-autoreply-outlook-ooo-no-auto-submitted.eml", 20),
    ("19-autoreply-arabic-base64-duplicate-in-reply-to.eml", 10),
    ("20-empty-date-header.eml", 30),
    ("22-references-with-non-addr-spec-id.eml", 60),
    ("23-html-only-empty-in-reply-to.eml", 80),
    ("24-html-only-multipart-alternative-no-charset-meta.eml", 80),
    ("25-very-long-subject-209kb.eml", 1),
    ("27-rfc2231-filename-continuations-iso2022jp.eml", 50),
    ("29-boundary-dash-only-pdf-attachment.eml", 50),
    ("30-rfc2231-on-boundary-param-pgp-signed.eml", 44),
];
const DEFAULT_WEIGHT: u64 = 30;

/// Agents routing can pick, with their skills, so the example routing's
/// required skills can be met.
const AGENTS: &[(&str, &[&str])] = &[
    ("chen", &[]),
    ("lin", &["senior"]),
    ("senior-desk", &["senior", "tech"]),
    ("wu", &[]),
    ("zhao", &["tech"]),
];

/// SplitMix64: a small seeded generator, so every run builds the same mail.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

/// One sample message and the byte ranges that each generated copy
/// replaces.
struct Template {
    name: String,
    bytes: Vec<u8>,
    weight: u64,
    /// Line ending of the sample: `\r\n` or `\n`.
    newline: &'static [u8],
    /// Value ranges of the top-level headers, without the final line break.
    message_id: Option<std::ops::Range<usize>>,
    from: Option<std::ops::Range<usize>>,
    date: Option<std::ops::Range<usize>>,
    subject: Option<std::ops::Range<usize>>,
    in_reply_to: Option<std::ops::Range<usize>>,
    /// Offset for an added line of text: the start of the first text part
    /// that is not base64, so the line is readable in any charset. `None`
    /// when every text part is base64.
    body_line_at: Option<usize>,
}

impl Template {
    fn load(path: &Path) -> anyhow::Result<Self> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let weight = WEIGHTS
            .iter()
            .find(|(file, _)| *file == name)
            .map_or(DEFAULT_WEIGHT, |(_, weight)| *weight);
        let newline: &'static [u8] = if bytes.windows(2).any(|pair| pair == b"\r\n") {
            b"\r\n"
        } else {
            b"\n"
        };
        let headers = top_level_headers(&bytes);
        let find = |wanted: &str| {
            headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
                .map(|(_, range)| range.clone())
        };
        Ok(Self {
            message_id: find("Message-ID"),
            from: find("From"),
            date: find("Date"),
            subject: find("Subject"),
            in_reply_to: find("In-Reply-To"),
            body_line_at: body_line_offset(&bytes),
            name,
            bytes,
            weight,
            newline,
        })
    }

    /// Builds message `number`: a new Message-ID, sender address, Date,
    /// subject suffix and body line, and an In-Reply-To when `replies_to`
    /// is given. Blank subjects and missing or empty Date headers stay as
    /// they are, because those are what the sample tests.
    fn instantiate(
        &self,
        number: usize,
        sender: &str,
        sent_at: DateTime<Utc>,
        replies_to: Option<&str>,
    ) -> Vec<u8> {
        let mut edits: Vec<(std::ops::Range<usize>, Vec<u8>)> = Vec::new();
        let mut added_headers = Vec::new();
        let message_id = format!(" {}", message_id(number));
        match &self.message_id {
            Some(range) => edits.push((range.clone(), message_id.into_bytes())),
            None => {
                added_headers.extend_from_slice(format!("Message-ID:{message_id}").as_bytes());
                added_headers.extend_from_slice(self.newline);
            }
        }
        if let Some(reply) = replies_to {
            let value = format!(" {reply}");
            match &self.in_reply_to {
                Some(range) => edits.push((range.clone(), value.into_bytes())),
                None => {
                    added_headers.extend_from_slice(format!("In-Reply-To:{value}").as_bytes());
                    added_headers.extend_from_slice(self.newline);
                }
            }
        }
        if let Some(range) = &self.from {
            edits.push(replace_address(&self.bytes, range.clone(), sender));
        }
        if let Some(range) = &self.date
            && !self.bytes[range.clone()].trim_ascii().is_empty()
        {
            edits.push((
                range.clone(),
                format!(" {}", sent_at.to_rfc2822()).into_bytes(),
            ));
        }
        if let Some(range) = &self.subject
            && !self.bytes[range.clone()].trim_ascii().is_empty()
        {
            edits.push((range.end..range.end, format!(" [{number}]").into_bytes()));
        }
        if let Some(at) = self.body_line_at {
            let mut line = format!("Order reference KF-{number:07}").into_bytes();
            line.extend_from_slice(self.newline);
            edits.push((at..at, line));
        }
        edits.sort_by_key(|(range, _)| range.start);

        let mut message = Vec::with_capacity(self.bytes.len() + 256);
        message.extend_from_slice(&added_headers);
        let mut copied = 0;
        for (range, replacement) in edits {
            message.extend_from_slice(&self.bytes[copied..range.start]);
            message.extend_from_slice(&replacement);
            copied = range.end;
        }
        message.extend_from_slice(&self.bytes[copied..]);
        message
    }
}

fn message_id(number: usize) -> String {
    format!("<bench-{number}@mail.kefu.example>")
}

/// Lists the top-level header fields as (name, value range). A value range
/// covers the folded continuation lines and stops before the last line
/// break.
fn top_level_headers(bytes: &[u8]) -> Vec<(String, std::ops::Range<usize>)> {
    let mut headers: Vec<(String, std::ops::Range<usize>)> = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let end = bytes[start..]
            .iter()
            .position(|&byte| byte == b'\n')
            .map_or(bytes.len(), |position| start + position + 1);
        let line = &bytes[start..end];
        let content_end = start + line.trim_ascii_end().len();
        if line.trim_ascii().is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if let Some((_, range)) = headers.last_mut() {
                range.end = content_end;
            }
        } else if let Some(colon) = line.iter().position(|&byte| byte == b':') {
            let name = String::from_utf8_lossy(&line[..colon]).trim().to_string();
            headers.push((name, start + colon + 1..content_end));
        }
        start = end;
    }
    headers
}

/// Returns the edit that puts `address` in place of the address in the
/// From value at `range`: inside the angle brackets when there are any,
/// else the whole value. The display name keeps its charset and encoding.
fn replace_address(
    bytes: &[u8],
    range: std::ops::Range<usize>,
    address: &str,
) -> (std::ops::Range<usize>, Vec<u8>) {
    let value = &bytes[range.clone()];
    let open = value.iter().rposition(|&byte| byte == b'<');
    let close = value.iter().rposition(|&byte| byte == b'>');
    match (open, close) {
        (Some(open), Some(close)) if open < close => (
            range.start + open + 1..range.start + close,
            address.as_bytes().to_vec(),
        ),
        _ => (range, format!(" {address}").into_bytes()),
    }
}

/// Finds the start of the body of the first text part that is not base64,
/// using mail-parser's part offsets.
fn body_line_offset(bytes: &[u8]) -> Option<usize> {
    let message = MessageParser::default().parse(bytes)?;
    message
        .parts
        .iter()
        .find(|part| {
            matches!(part.body, PartType::Text(_) | PartType::Html(_))
                && part.encoding != Encoding::Base64
        })
        .map(|part| part.offset_body as usize)
        .filter(|&offset| offset > 0 && offset <= bytes.len())
}

/// Picks templates in proportion to their weights.
fn pick<'t>(templates: &'t [Template], random: &mut Random) -> &'t Template {
    let total: u64 = templates.iter().map(|template| template.weight).sum();
    let mut choice = random.below(total);
    for template in templates {
        if choice < template.weight {
            return template;
        }
        choice -= template.weight;
    }
    &templates[templates.len() - 1]
}

fn customer_address(customer: usize) -> String {
    const DOMAINS: &[&str] = &["example.cn", "example.com.tw", "example.com", "example.ru"];
    format!("customer{customer}@{}", DOMAINS[customer % DOMAINS.len()])
}

/// Counts of the generated mail set.
struct MailSet {
    messages: usize,
    bytes: u64,
    replies: usize,
    by_template: Vec<(String, usize)>,
}

/// Writes `count` messages into `maildir/cur`, one file each, named in
/// generation order so a reply's file comes after the message it replies to.
fn write_maildir(templates: &[Template], maildir: &Path, count: usize) -> anyhow::Result<MailSet> {
    let cur = maildir.join("cur");
    std::fs::create_dir_all(&cur)?;
    std::fs::create_dir_all(maildir.join("new"))?;
    std::fs::create_dir_all(maildir.join("tmp"))?;
    let mut random = Random(0x6b65_6675_6d61_696c);
    let customers = (count / CUSTOMERS_PER_MESSAGE).max(1);
    let mut last_message_of: HashMap<usize, usize> = HashMap::new();
    let mut by_template: HashMap<&str, usize> = HashMap::new();
    let start = Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).unwrap();
    let mut set = MailSet {
        messages: count,
        bytes: 0,
        replies: 0,
        by_template: Vec::new(),
    };
    for number in 0..count {
        let template = pick(templates, &mut random);
        let customer = random.below(customers as u64) as usize;
        let replies_to = last_message_of
            .get(&customer)
            .filter(|_| random.below(100) < REPLY_PERCENT)
            .map(|&earlier| message_id(earlier));
        if replies_to.is_some() {
            set.replies += 1;
        }
        let sent_at = start + chrono::Duration::seconds(number as i64 * 17);
        let message = template.instantiate(
            number,
            &customer_address(customer),
            sent_at,
            replies_to.as_deref(),
        );
        let file = cur.join(format!("{number:08}.bench.kefu:2,S"));
        std::fs::write(&file, &message).with_context(|| format!("writing {}", file.display()))?;
        set.bytes += message.len() as u64;
        last_message_of.insert(customer, number);
        *by_template.entry(&template.name).or_default() += 1;
    }
    let mut by_template: Vec<(String, usize)> = by_template
        .into_iter()
        .map(|(name, count)| (name.to_string(), count))
        .collect();
    by_template.sort();
    set.by_template = by_template;
    Ok(set)
}

/// Returns the row count of every table in the database at `path`, by
/// table name.
fn rows_per_table(path: &Path) -> anyhow::Result<BTreeMap<String, usize>> {
    let connection = Connection::open(path)?;
    let mut statement = connection.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )?;
    let tables: Vec<String> = statement
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut counts = BTreeMap::new();
    for table in tables {
        let count: i64 =
            connection.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |row| {
                row.get(0)
            })?;
        counts.insert(table, count as usize);
    }
    Ok(counts)
}

/// Prints the row count of every table that either side wrote to.
fn print_rows_per_table(baseline: &Path, real: &Path) -> anyhow::Result<()> {
    let baseline = rows_per_table(baseline)?;
    let real = rows_per_table(real)?;
    println!();
    println!("rows per table                 baseline  real path");
    for (table, &real_rows) in &real {
        let baseline_rows = baseline.get(table).copied().unwrap_or(0);
        if baseline_rows > 0 || real_rows > 0 {
            println!("  {table:<28} {baseline_rows:>9} {real_rows:>10}");
        }
    }
    Ok(())
}

fn maildir_files(maildir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(maildir.join("cur"))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()?;
    files.sort();
    Ok(files)
}

/// Wall-clock and CPU time of one timed section.
#[derive(Debug, Clone, Copy)]
struct Timing {
    wall: Duration,
    cpu: Duration,
}

/// Starts timing a section; [`Stopwatch::stop`] returns its [`Timing`].
struct Stopwatch {
    wall: Instant,
    cpu: Duration,
}

impl Stopwatch {
    fn start() -> Self {
        Self {
            wall: Instant::now(),
            cpu: process_cpu_time(),
        }
    }

    fn stop(&self) -> Timing {
        Timing {
            wall: self.wall.elapsed(),
            cpu: process_cpu_time().saturating_sub(self.cpu),
        }
    }
}

/// User and system CPU time of this process so far, over all its threads.
fn process_cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a complete rusage into the pointer it gets,
    // and RUSAGE_SELF is a valid `who` on every Unix.
    let usage = unsafe {
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()), 0);
        usage.assume_init()
    };
    let time = |value: libc::timeval| {
        Duration::from_secs(value.tv_sec as u64) + Duration::from_micros(value.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

fn format_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Copies the example configuration from `docs/examples` into `config`.
fn write_config(repository: &Path, config: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(config)?;
    for file in ["rules.toml", "routing.toml", "sla.toml"] {
        let from = repository.join("docs/examples").join(file);
        std::fs::copy(&from, config.join(file))
            .with_context(|| format!("copying {}", from.display()))?;
    }
    Ok(())
}

/// Creates the database both sides start from at `database`: the schema
/// of `Store::open`, the [`AGENTS`] and the built-in plugins' records.
/// Nothing of it is timed.
fn prepare_database(database: &Path, config: &Path) -> anyhow::Result<()> {
    let mut store = Store::open(database)?;
    store.set_desk(Desk::load(config)?);
    let writer = store.writer()?;
    for (name, skills) in AGENTS {
        writer.add_agent(
            &NewAgent {
                name: name.to_string(),
                display_name: None,
                skills: skills.iter().map(|skill| skill.to_string()).collect(),
                max_open: None,
            },
            Utc::now(),
        )?;
    }
    writer.commit()?;
    drop(PluginSet::load(PluginEngine::new()?, &store, None)?);
    drop(store);
    // Moves everything into the main file, so copying it copies all.
    Connection::open(database)?.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// Timings of the real path: loading the plugins and the import itself.
struct RealRun {
    load: Duration,
    import: Timing,
    summary: kefu_core::ingest::IngestSummary,
}

/// Imports the Maildir the way `kefu ingest --config CONFIG` does.
fn run_real(maildir: &Path, database: &Path, config: &Path) -> anyhow::Result<RealRun> {
    let desk: Arc<Desk> = Desk::load(config)?;
    let rules = kefu_core::automation::load_rules(config, &desk.lifecycle)?;
    let mut store = Store::open(database)?;
    store.set_desk(desk);

    let started = Instant::now();
    let mut plugins = PluginSet::load(PluginEngine::new()?, &store, None)?;
    plugins.set_declarative_rules(rules)?;
    let load = started.elapsed();

    let stopwatch = Stopwatch::start();
    let summary = Ingestor::new(&mut store, &mut plugins)
        .ingest_paths(&[maildir.to_path_buf()], &mut NoProgress)?;
    Ok(RealRun {
        load,
        import: stopwatch.stop(),
        summary,
    })
}

fn per_second(count: usize, time: Duration) -> f64 {
    count as f64 / time.as_secs_f64()
}

fn main() -> anyhow::Result<()> {
    let count = match std::env::var("KEFU_BENCH_MESSAGES") {
        Ok(value) => value
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|&count| count > 0)
            .with_context(|| {
                format!("KEFU_BENCH_MESSAGES={value:?} is not a positive whole number of messages")
            })?,
        Err(_) => DEFAULT_MESSAGES,
    };
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let fixtures = repository.join("tests/fixtures/email");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .with_context(|| format!("listing {}", fixtures.display()))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()?;
    paths.retain(|path| path.extension().is_some_and(|extension| extension == "eml"));
    paths.sort();
    let templates: Vec<Template> = paths
        .iter()
        .map(|path| Template::load(path))
        .collect::<anyhow::Result<_>>()?;

    let folder = tempfile::tempdir()?;
    let maildir = folder.path().join("Maildir");
    let started = Instant::now();
    let set = write_maildir(&templates, &maildir, count)?;
    println!(
        "generated {} messages ({:.0} MiB, {} replies to an earlier message) from {} samples \
         in {:.1} s",
        set.messages,
        set.bytes as f64 / (1024.0 * 1024.0),
        set.replies,
        templates.len(),
        started.elapsed().as_secs_f64()
    );
    for (name, used) in &set.by_template {
        println!("  {used:>7}  {name}");
    }

    let config = folder.path().join("config");
    write_config(&repository, &config)?;
    let template_db = folder.path().join("template.db");
    prepare_database(&template_db, &config)?;
    let baseline_db = folder.path().join("baseline.db");
    let real_db = folder.path().join("kefu.db");
    std::fs::copy(&template_db, &baseline_db)?;
    std::fs::copy(&template_db, &real_db)?;

    let desk = Desk::load(&config)?;
    let baseline_time = baseline::run(&maildir, &baseline_db, &desk)?;
    let real = run_real(&maildir, &real_db, &config)?;

    anyhow::ensure!(
        real.summary.quarantined.is_empty() && real.summary.not_read.is_empty(),
        "the real path quarantined or skipped inputs: {:?} {:?}",
        real.summary.quarantined.first(),
        real.summary.not_read.first()
    );
    anyhow::ensure!(
        real.summary.messages_stored == count,
        "{count} messages generated, but the real path stored {}",
        real.summary.messages_stored
    );
    print_rows_per_table(&baseline_db, &real_db)?;
    if !real.summary.rule_failures.is_empty() {
        println!(
            "  rule failures on the real path: {} (first: {})",
            real.summary.rule_failures.len(),
            real.summary.rule_failures[0]
        );
    }
    baseline::check_same_rows(&baseline_db, &real_db)?;

    println!();
    println!("ingest of {count} messages from a Maildir, one run");
    println!("                                              wall clock             CPU time");
    let sides = [
        ("native parse + batched INSERTs (baseline)", baseline_time),
        ("Ingestor, email.wasm, rules, routing", real.import),
    ];
    for (side, timing) in sides {
        println!(
            "  {side:<42} {:>7.0} msg/s {:>6.1} s {:>7.0} msg/s {:>6.1} s",
            per_second(count, timing.wall),
            timing.wall.as_secs_f64(),
            per_second(count, timing.cpu),
            timing.cpu.as_secs_f64()
        );
    }
    println!(
        "  {:<42} {:>7.2}x {:>17.2}x",
        "ratio real / baseline",
        baseline_time.wall.as_secs_f64() / real.import.wall.as_secs_f64(),
        baseline_time.cpu.as_secs_f64() / real.import.cpu.as_secs_f64()
    );
    println!(
        "  loading the plugins before the import took {:.1} s (not counted)",
        real.load.as_secs_f64()
    );
    Ok(())
}
