//! View rebuild benchmark: `cargo bench --workspace --bench view_rebuild`.
//!
//! Times what one redraw of a screen costs the UI thread when its data
//! changed: the read from SQLite and the `view` function that builds the
//! widget tree. Each large screen is compared with the same screen over a
//! small data set, measured alternately in the same loop so both share
//! the machine's load:
//! - the to-do screen (`TodoPanel::reload` and `TodoPanel::view`) with
//!   100,000 unfinished tickets against 100, at the top of the list,
//!   scrolled to its end and to its middle;
//! - a conversation's message list (`Store::latest_messages` and the pane's
//!   view) with 10,000 messages against 100;
//! - for reference, the message list read and built whole
//!   (`Store::messages` and every message), as panes did before the window.
//!
//! The data is written through the store's `Writer`, so the tickets' queue
//! rank and deadlines come out as the app computes them.
//! `KEFU_BENCH_TICKETS` and `KEFU_BENCH_MESSAGES` shrink the large sets for
//! a quick run.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::model::{Channel, Direction, IncomingMessage, Party};
use kefu_core::store::{NewTicket, Writer};
use sha2::{Digest, Sha256};

const LARGE_TICKETS: usize = 100_000;
const SMALL_TICKETS: usize = 100;
const LARGE_MESSAGES: usize = 10_000;
const SMALL_MESSAGES: usize = 100;
/// Customers the generated tickets are spread over.
const CUSTOMERS: usize = 2_000;
/// Tickets written per transaction.
const BATCH: usize = 5_000;

/// Timed repetitions per case, after [`WARMUP`] untimed ones.
const REPETITIONS: usize = 200;
const WARMUP: usize = 5;
/// A case stops repeating after this long, once it has
/// [`MIN_REPETITIONS`] samples.
const CASE_BUDGET: Duration = Duration::from_secs(30);
const MIN_REPETITIONS: usize = 20;

/// Height of the list's view in the benchmark, in logical pixels: the
/// list's share of the default 1280 x 800 window.
const VIEWPORT_HEIGHT: f32 = 480.0;

const PRIORITIES: &[&str] = &["normal", "normal", "normal", "high", "urgent"];
const TYPES: &[&str] = &["pre-sales", "after-sales", "technical-support", "complaint"];
const SUBJECTS: &[&str] = &[
    "申请退款：订单",
    "物流一直没有更新",
    "Invoice request for order",
    "耳机左边没有声音",
    "Cannot log in to my account",
];

/// Returns the fixed start of the generated data.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 1, 0, 0).unwrap()
}

fn count_from_env(name: &str, default: usize) -> anyhow::Result<usize> {
    match std::env::var(name) {
        Ok(text) => text.parse().map_err(|error| {
            anyhow::anyhow!("invalid {name} {text:?}: {error}; give a whole number")
        }),
        Err(_) => Ok(default),
    }
}

/// Opens tickets, each on a conversation of its own, spread over
/// [`CUSTOMERS`] customers, one every minute from [`start`].
fn add_tickets(store: &mut Store, count: usize) -> anyhow::Result<()> {
    let mut written = 0;
    while written < count {
        let writer = store.writer()?;
        for number in written..(written + BATCH).min(count) {
            let at = start() + chrono::Duration::minutes(number as i64);
            let address = format!("customer{}@example.cn", number % CUSTOMERS);
            let (customer, _) =
                writer.find_or_create_customer(Channel::Email, &address, None, at)?;
            let subject = format!("{} {}", SUBJECTS[number % SUBJECTS.len()], 10_000 + number);
            let conversation = writer.create_conversation(
                Channel::Email,
                customer.id,
                None,
                Some(&subject),
                at,
            )?;
            writer.open_ticket(
                &NewTicket {
                    conversation_id: conversation,
                    subject: Some(&subject),
                    ticket_type: TYPES[number % TYPES.len()],
                    priority: PRIORITIES[number % PRIORITIES.len()],
                    source: Channel::Email,
                    actor: "system",
                    reason: "benchmark data",
                },
                at,
            )?;
        }
        writer.commit()?;
        written = (written + BATCH).min(count);
    }
    Ok(())
}

/// Stores a chat conversation of `count` messages, alternating between the
/// customer and an agent, and returns its id.
fn add_conversation(store: &mut Store, label: &str, count: usize) -> anyhow::Result<i64> {
    let customer = Party {
        name: Some(format!("客户 {label}")),
        address: format!("wx_{label}"),
    };
    let agent = Party {
        name: Some("客服小李".to_string()),
        address: "support@kefu.example".to_string(),
    };
    let writer = store.writer()?;
    let (stored, _) = writer.find_or_create_customer(
        Channel::Chat,
        &customer.address,
        customer.name.as_deref(),
        start(),
    )?;
    let conversation = writer.create_conversation(
        Channel::Chat,
        stored.id,
        Some(&format!("chat-{label}")),
        Some("长对话"),
        start(),
    )?;
    for number in 0..count {
        let inbound = number % 2 == 0;
        let body = if inbound {
            format!(
                "第 {number} 条：我的订单什么时候发货？订单号 {}。",
                50_000 + number
            )
        } else {
            format!("第 {number} 条：您好，已为您查询，预计明天发出。")
        };
        let message = IncomingMessage {
            channel: Channel::Chat,
            direction: if inbound {
                Direction::Inbound
            } else {
                Direction::Outbound
            },
            sender: if inbound {
                customer.clone()
            } else {
                agent.clone()
            },
            customer: customer.clone(),
            sent_at: Some(start() + chrono::Duration::seconds(number as i64 * 30)),
            subject: None,
            body_text: body,
            external_id: None,
            thread_key: Some(format!("chat-{label}")),
            replies_to: Vec::new(),
            automation: None,
            call: None,
            attachments: Vec::new(),
            raw_span: None,
            notes: Vec::new(),
        };
        store_message(&writer, conversation, &message)?;
    }
    writer.commit()?;
    Ok(conversation)
}

/// Stores `message` with a raw input of its text, keyed by its hash as
/// ingest keys messages without an external id.
fn store_message(
    writer: &Writer<'_>,
    conversation: i64,
    message: &IncomingMessage,
) -> anyhow::Result<()> {
    let received_at = message.sent_at.unwrap_or_else(start);
    let raw = format!(
        "{}\n{}\n{}",
        message.sender.address,
        received_at.to_rfc3339(),
        message.body_text
    );
    let sha256 = hex::encode(Sha256::digest(raw.as_bytes()));
    let raw_input = writer.insert_raw_input(
        &sha256,
        "benchmark",
        Some("text/plain"),
        Some("chat"),
        raw.as_bytes(),
        received_at,
    )?;
    writer.insert_message(
        conversation,
        message,
        &format!("chat:sha256:{sha256}"),
        raw_input,
        received_at,
    )?;
    Ok(())
}

/// Median and 95th percentile of `samples`, in microseconds.
fn summarize(samples: &mut [Duration]) -> (f64, f64) {
    samples.sort();
    let at = |fraction: f64| {
        let index = ((samples.len() - 1) as f64 * fraction).round() as usize;
        samples[index].as_secs_f64() * 1e6
    };
    (at(0.5), at(0.95))
}

/// Times `small` and `large` alternately and prints one result block.
fn measure(
    name: &str,
    mut small: impl FnMut() -> anyhow::Result<()>,
    mut large: impl FnMut() -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    for _ in 0..WARMUP {
        small()?;
        large()?;
    }
    let mut small_samples = Vec::with_capacity(REPETITIONS);
    let mut large_samples = Vec::with_capacity(REPETITIONS);
    let started = Instant::now();
    for repetition in 0..REPETITIONS {
        if repetition >= MIN_REPETITIONS && started.elapsed() > CASE_BUDGET {
            break;
        }
        // Alternate which side runs first, so neither always finds the
        // caches the other just warmed.
        let small_first = repetition % 2 == 0;
        for small_turn in [small_first, !small_first] {
            let side_started = Instant::now();
            if small_turn {
                small()?;
                small_samples.push(side_started.elapsed());
            } else {
                large()?;
                large_samples.push(side_started.elapsed());
            }
        }
    }
    let repetitions = small_samples.len();
    let (small_median, small_p95) = summarize(&mut small_samples);
    let (large_median, large_p95) = summarize(&mut large_samples);
    println!("{name} ({repetitions} repetitions)");
    println!("  small (baseline): median {small_median:>10.1} us, p95 {small_p95:>10.1} us");
    println!("  large:            median {large_median:>10.1} us, p95 {large_p95:>10.1} us");
    println!(
        "  ratio large / small: median {:>6.2}x, p95 {:>6.2}x",
        large_median / small_median,
        large_p95 / small_p95
    );
    Ok(())
}

/// A to-do screen over one database, scrolled to `offset`.
struct TodoCase {
    store: Store,
    panel: kefu_ui::TodoPanel,
}

impl TodoCase {
    fn open(path: &Path) -> anyhow::Result<Self> {
        let store = Store::open(path)?;
        let mut panel = kefu_ui::TodoPanel::new(Desk::builtin(), "bench".to_string());
        panel.reload(&store)?;
        Ok(Self { store, panel })
    }

    fn scroll_to_end(&mut self) -> anyhow::Result<()> {
        let rows = self.panel.total() as f32;
        let offset = (rows * kefu_ui::ROW_HEIGHT - VIEWPORT_HEIGHT).max(0.0);
        self.scroll_to(offset)
    }

    /// Scrolls so that the middle row of the list is at the top.
    fn scroll_to_middle(&mut self) -> anyhow::Result<()> {
        let middle = (self.panel.total() / 2) as f32;
        self.scroll_to(middle * kefu_ui::ROW_HEIGHT)
    }

    fn scroll_to(&mut self, offset: f32) -> anyhow::Result<()> {
        self.panel.update(
            Some(&mut self.store),
            kefu_ui::TodoMessage::Scrolled {
                offset,
                height: VIEWPORT_HEIGHT,
            },
        )?;
        Ok(())
    }

    fn scroll_to_top(&mut self) -> anyhow::Result<()> {
        self.scroll_to(0.0)
    }

    /// Reads the count and the rows in view again and builds the view.
    fn rebuild(&mut self) -> anyhow::Result<()> {
        self.panel.reload(&self.store)?;
        std::hint::black_box(self.panel.view());
        Ok(())
    }

    fn view_only(&self) {
        std::hint::black_box(self.panel.view());
    }
}

/// One conversation's message list. The summary is read once, as the
/// workbench keeps the conversation list in memory.
struct ConversationCase {
    store: Store,
    summary: kefu_core::model::ConversationSummary,
}

impl ConversationCase {
    fn open(path: &Path, id: i64) -> anyhow::Result<Self> {
        let store = Store::open(path)?;
        let summary = store
            .conversations()?
            .into_iter()
            .find(|conversation| conversation.id == id)
            .ok_or_else(|| anyhow::anyhow!("conversation {id} is missing"))?;
        Ok(Self { store, summary })
    }

    /// Reads the latest window of messages and builds the list.
    fn rebuild_window(&self) -> anyhow::Result<()> {
        let messages = self
            .store
            .latest_messages(self.summary.id, kefu_ui::MESSAGE_WINDOW)?;
        std::hint::black_box(kefu_ui::conversation_messages_view(
            &self.summary,
            &messages,
        ));
        Ok(())
    }

    /// Reads every message and builds them all.
    fn rebuild_whole(&self) -> anyhow::Result<()> {
        let messages = self.store.messages(self.summary.id)?;
        std::hint::black_box(kefu_ui::conversation_messages_view(
            &self.summary,
            &messages,
        ));
        Ok(())
    }
}

fn main() -> anyhow::Result<()> {
    let large_tickets = count_from_env("KEFU_BENCH_TICKETS", LARGE_TICKETS)?;
    let large_messages = count_from_env("KEFU_BENCH_MESSAGES", LARGE_MESSAGES)?;
    let folder = tempfile::tempdir()?;
    let small_path = folder.path().join("small.db");
    let large_path = folder.path().join("large.db");

    let started = Instant::now();
    let mut small = Store::open(&small_path)?;
    add_tickets(&mut small, SMALL_TICKETS)?;
    let small_conversation = add_conversation(&mut small, "short", SMALL_MESSAGES)?;
    drop(small);
    let mut large = Store::open(&large_path)?;
    add_tickets(&mut large, large_tickets)?;
    let large_conversation = add_conversation(&mut large, "long", large_messages)?;
    drop(large);
    println!(
        "built {SMALL_TICKETS} and {large_tickets} open tickets, conversations of \
         {SMALL_MESSAGES} and {large_messages} messages in {:.1} s (SQLite {})",
        started.elapsed().as_secs_f64(),
        rusqlite::version()
    );
    println!();

    let mut small_todo = TodoCase::open(&small_path)?;
    let mut large_todo = TodoCase::open(&large_path)?;
    anyhow::ensure!(
        small_todo.panel.total() == SMALL_TICKETS as u64
            && large_todo.panel.total() == large_tickets as u64,
        "the to-do screens count {} and {} tickets, expected {SMALL_TICKETS} and {large_tickets}",
        small_todo.panel.total(),
        large_todo.panel.total()
    );
    println!(
        "to-do rows built per view: {} of {SMALL_TICKETS}, {} of {large_tickets}",
        small_todo.panel.built_rows().len(),
        large_todo.panel.built_rows().len()
    );
    println!();

    measure(
        "to-do screen, top of the list: reload + view",
        || rebuild(&mut small_todo),
        || rebuild(&mut large_todo),
    )?;
    // The view alone, with the rows already read.
    let (small_ref, large_ref) = (&small_todo, &large_todo);
    measure(
        "to-do screen, top of the list: view only",
        || {
            small_ref.view_only();
            Ok(())
        },
        || {
            large_ref.view_only();
            Ok(())
        },
    )?;

    small_todo.scroll_to_end()?;
    large_todo.scroll_to_end()?;
    let end = large_todo.panel.visible_range();
    anyhow::ensure!(
        end.end == large_tickets,
        "scrolling to the end shows rows {end:?}, expected the last of {large_tickets}"
    );
    measure(
        "to-do screen, scrolled to the end: reload + view",
        || rebuild(&mut small_todo),
        || rebuild(&mut large_todo),
    )?;
    measure(
        "to-do screen, scroll from the top to the end: read + view",
        || scroll_round_trip(&mut small_todo),
        || scroll_round_trip(&mut large_todo),
    )?;

    small_todo.scroll_to_middle()?;
    large_todo.scroll_to_middle()?;
    let middle = large_todo.panel.visible_range();
    anyhow::ensure!(
        middle.start == large_tickets / 2,
        "scrolling to the middle shows rows {middle:?}, expected from row {}",
        large_tickets / 2
    );
    measure(
        "to-do screen, scrolled to the middle: reload + view",
        || rebuild(&mut small_todo),
        || rebuild(&mut large_todo),
    )?;

    let small_conversation = ConversationCase::open(&small_path, small_conversation)?;
    let large_conversation = ConversationCase::open(&large_path, large_conversation)?;
    anyhow::ensure!(
        large_conversation.summary.message_count as usize == large_messages,
        "the long conversation has {} messages, expected {large_messages}",
        large_conversation.summary.message_count
    );
    measure(
        &format!(
            "conversation, latest {} messages: read + view",
            kefu_ui::MESSAGE_WINDOW
        ),
        || small_conversation.rebuild_window(),
        || large_conversation.rebuild_window(),
    )?;
    measure(
        "conversation, every message (before the window): read + view",
        || small_conversation.rebuild_whole(),
        || large_conversation.rebuild_whole(),
    )?;
    Ok(())
}

fn rebuild(case: &mut TodoCase) -> anyhow::Result<()> {
    case.rebuild()
}

/// Scrolls to the end and back to the top, building the view at each.
fn scroll_round_trip(case: &mut TodoCase) -> anyhow::Result<()> {
    case.scroll_to_end()?;
    std::hint::black_box(case.panel.view());
    case.scroll_to_top()?;
    std::hint::black_box(case.panel.view());
    Ok(())
}
