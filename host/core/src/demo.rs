//! Demo data generator: customers, agents, conversations on every channel
//! and tickets through their whole lifecycle, written through the store's
//! write API so the ticket history, SLA deadlines and metrics come out
//! exactly as they would for imported data.
//!
//! The same options and seed give the same data: every random choice comes
//! from one ChaCha8 stream seeded with `seed`, and no choice reads the
//! clock. Tickets are planned one at a time in order of their first
//! message. Anything planned after `end` is left out, so the tickets of the
//! last days are still open, waiting or unanswered.

mod plan;
mod text;

use anyhow::{Context, bail};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::OptionalExtension;
use sha2::{Digest, Sha256};

use crate::model::{Call, Channel, Direction, IncomingMessage, Party};
use crate::routing::NewAgent;
use crate::store::write::TicketField;
use crate::store::{Address, ChangeBy, NewRating, NewTicket, RatingSource, Store, Writer};
pub use plan::{AgentProfile, Shift};
use plan::{CustomerProfile, Step, StepKind, TicketPlan};

/// Source name of the raw inputs the generator stores, one per ticket. A
/// database that holds one already was generated into before.
pub const SOURCE_PREFIX: &str = "kefu demo generator";

/// Tickets written per transaction.
const TICKETS_PER_TRANSACTION: usize = 5_000;

/// Tickets written between two progress reports within a transaction.
const PROGRESS_STEP: usize = 100;

/// Customers generated when only the length of the history is given.
pub const DEFAULT_CUSTOMERS: u32 = 200;

/// Length of the history in days when only the customer count is given.
pub const DEFAULT_DAYS: u32 = 90;

/// Seed of the generated data when none is given.
pub const DEFAULT_SEED: u64 = 1;

/// Returns local midnight at the start of `day` in `time_zone`, the end of
/// a history that runs up to `day`.
pub fn start_of_day(day: NaiveDate, time_zone: Tz) -> anyhow::Result<DateTime<Utc>> {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    let start = time_zone
        .from_local_datetime(&midnight)
        .earliest()
        .with_context(|| format!("midnight of {day} does not exist in {time_zone}"))?;
    Ok(start.with_timezone(&Utc))
}

/// Options of the demo data generator.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoOptions {
    pub customers: u32,
    /// Length of the history in days, ending at `end`.
    pub days: u32,
    /// Tickets in the history.
    pub tickets: u32,
    pub agents: u32,
    pub seed: u64,
    /// The end of the history: the generated "now".
    pub end: DateTime<Utc>,
}

impl DemoOptions {
    /// Options with the default ticket and agent counts for `customers`
    /// and `days`: one ticket per customer per 30 days on average (at
    /// least one ticket), and one agent per 40 tickets a day, between 3
    /// and 40 agents.
    pub fn new(customers: u32, days: u32, seed: u64, end: DateTime<Utc>) -> Self {
        let tickets = (u64::from(customers) * u64::from(days) / 30).clamp(1, u64::from(u32::MAX));
        let mut options = Self {
            customers,
            days,
            tickets: tickets as u32,
            agents: 3,
            seed,
            end,
        };
        options.agents = options.default_agents();
        options
    }

    /// One agent per 40 tickets a day, between 3 and 40.
    pub fn default_agents(&self) -> u32 {
        let per_day = u64::from(self.tickets) / u64::from(self.days.max(1));
        (per_day / 40).clamp(3, 40) as u32
    }

    fn check(&self) -> anyhow::Result<()> {
        if self.customers == 0 {
            bail!("--customers 0 generates nothing; give at least 1");
        }
        if !(1..=3650).contains(&self.days) {
            bail!(
                "--days {} is outside 1-3650; give the length of the history in days",
                self.days
            );
        }
        if self.tickets == 0 {
            bail!("the ticket count is 0; give at least 1");
        }
        if !(1..=plan::MAX_AGENTS as u32).contains(&self.agents) {
            bail!(
                "the agent count {} is outside 1-{}",
                self.agents,
                plan::MAX_AGENTS
            );
        }
        Ok(())
    }
}

/// Counts of what [`generate`] stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DemoSummary {
    pub customers: u64,
    pub vip_customers: u64,
    pub agents: u64,
    pub tickets: u64,
    pub messages: u64,
    /// Tickets that are resolved or closed at the end.
    pub finished: u64,
    /// Tickets reopened at least once.
    pub reopened: u64,
    pub ratings: u64,
}

/// Generates demo data into `store` in transactions of 5,000 tickets and
/// calls `progress` with the tickets written so far and the total: at the
/// start, every 100 tickets and after each transaction's commit. Fails, before writing, when the database already holds generated
/// data, because the new data would reuse its addresses and message keys.
/// A failure later leaves the transactions committed before it.
pub fn generate(
    store: &mut Store,
    options: &DemoOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> anyhow::Result<DemoSummary> {
    options.check()?;
    let generated_before: Option<i64> = store
        .connection()
        .query_row(
            "SELECT id FROM raw_inputs WHERE source_name LIKE ?1 LIMIT 1",
            [format!("{SOURCE_PREFIX}%")],
            |row| row.get(0),
        )
        .optional()?;
    if generated_before.is_some() {
        bail!(
            "{} holds generated demo data already; generate into a new file with --db PATH",
            store.path().display()
        );
    }
    let time_zone = store.desk().sla.calendar().time_zone();
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let start = options.end - Duration::days(i64::from(options.days));
    let mut summary = DemoSummary::default();

    let writer = store.writer()?;
    let agents = plan::agents(&mut rng, options.agents);
    add_agents(&writer, &agents, start)?;
    summary.agents = agents.len() as u64;
    let customers = plan::customers(&mut rng, options.customers);
    let customer_ids = add_customers(&writer, &customers, start, &mut summary)?;
    writer.commit()?;

    let starts = plan::ticket_starts(&mut rng, options, time_zone);
    let total = starts.len() as u64;
    progress(0, total);
    for (batch_index, batch) in starts.chunks(TICKETS_PER_TRANSACTION).enumerate() {
        let writer = store.writer()?;
        for (offset, &opened) in batch.iter().enumerate() {
            let number = batch_index * TICKETS_PER_TRANSACTION + offset;
            let ticket = plan::ticket(&mut rng, number, opened, &customers, &agents, time_zone);
            let customer_id = customer_ids[ticket.customer];
            write_ticket(
                &writer,
                options,
                &ticket,
                &customers[ticket.customer],
                customer_id,
            )
            .with_context(|| format!("writing generated ticket {number}"))?;
            add_to_summary(&ticket, options.end, &mut summary);
            if (offset + 1) % PROGRESS_STEP == 0 {
                progress((number + 1) as u64, total);
            }
        }
        writer.commit()?;
        progress(
            (batch_index * TICKETS_PER_TRANSACTION + batch.len()) as u64,
            total,
        );
    }
    Ok(summary)
}

fn add_agents(
    writer: &Writer<'_>,
    agents: &[AgentProfile],
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    for agent in agents {
        if writer.agent(&agent.name)?.is_some() {
            continue;
        }
        writer.add_agent(
            &NewAgent {
                name: agent.name.clone(),
                display_name: Some(agent.display_name.clone()),
                skills: agent.skills.clone(),
                max_open: None,
            },
            at,
        )?;
    }
    Ok(())
}

/// Stores the customers with their addresses and tiers and returns their
/// ids in the order of `customers`.
fn add_customers(
    writer: &Writer<'_>,
    customers: &[CustomerProfile],
    at: DateTime<Utc>,
    summary: &mut DemoSummary,
) -> anyhow::Result<Vec<i64>> {
    let identity = &writer.desk().identity;
    let mut ids = Vec::with_capacity(customers.len());
    for profile in customers {
        let (channel, address) = &profile.addresses[0];
        let (customer, created) =
            writer.find_or_create_customer(*channel, address, Some(&profile.name), at)?;
        if !created {
            bail!(
                "the generated address {address} belongs to customer {} already; generate into \
                 a new file with --db PATH",
                customer.id
            );
        }
        for (channel, address) in &profile.addresses[1..] {
            let address = Address {
                channel: *channel,
                value: identity.normalize(*channel, address),
            };
            let by = ChangeBy {
                actor: "system",
                reason: Some("demo customer with several channels"),
                at,
            };
            writer.link_address(customer.id, &address, by)?;
        }
        if profile.vip {
            writer.set_customer_tier(customer.id, "vip")?;
            summary.vip_customers += 1;
        }
        ids.push(customer.id);
    }
    summary.customers = ids.len() as u64;
    Ok(ids)
}

fn add_to_summary(ticket: &TicketPlan, end: DateTime<Utc>, summary: &mut DemoSummary) {
    summary.tickets += 1;
    let mut finished = false;
    let mut reopened = false;
    for step in ticket.steps.iter().take_while(|step| step.at <= end) {
        match &step.kind {
            StepKind::Message { .. } => summary.messages += 1,
            StepKind::Rating { .. } => {
                summary.messages += 1;
                summary.ratings += 1;
            }
            StepKind::Status { status, .. } => {
                finished = matches!(status.as_str(), "resolved" | "closed");
            }
            StepKind::Reopen { .. } => {
                summary.messages += 1;
                finished = false;
                reopened = true;
            }
            StepKind::Assign { .. } => {}
        }
    }
    summary.finished += u64::from(finished);
    summary.reopened += u64::from(reopened);
}

/// Writes one planned ticket: its raw input, conversation, messages and
/// every ticket event up to `options.end`.
fn write_ticket(
    writer: &Writer<'_>,
    options: &DemoOptions,
    ticket: &TicketPlan,
    customer: &CustomerProfile,
    customer_id: i64,
) -> anyhow::Result<()> {
    let steps: Vec<&Step> = ticket
        .steps
        .iter()
        .take_while(|step| step.at <= options.end)
        .collect();
    let opened = ticket.opened;
    let customer_party = Party {
        name: Some(customer.name.clone()),
        address: ticket.address.clone(),
    };

    // The raw input is the ticket's transcript, one message after another;
    // each message points at its bytes.
    let mut transcript = Vec::new();
    let mut spans = Vec::with_capacity(steps.len());
    for step in &steps {
        let start = transcript.len() as u64;
        if let Some(text) = step.kind.text() {
            transcript.extend_from_slice(
                format!(
                    "{} {}\n",
                    crate::store::format_time(step.at),
                    step.kind.sender()
                )
                .as_bytes(),
            );
            transcript.extend_from_slice(text.as_bytes());
            transcript.extend_from_slice(b"\n\n");
        }
        spans.push((start, transcript.len() as u64 - start));
    }
    let sha256 = hex::encode(Sha256::digest(&transcript));
    let raw_input = writer.insert_raw_input(
        &sha256,
        &format!(
            "{SOURCE_PREFIX} seed {} ticket {}",
            options.seed, ticket.number
        ),
        Some("text/plain; charset=utf-8"),
        None,
        &transcript,
        opened,
    )?;
    let thread_key = (ticket.channel == Channel::Chat).then(|| format!("demo-{}", ticket.number));
    let conversation = writer.create_conversation(
        ticket.channel,
        customer_id,
        thread_key.as_deref(),
        Some(&ticket.subject),
        opened,
    )?;

    let mut ticket_id = None;
    let mut previous_external_id: Option<String> = None;
    for (index, step) in steps.iter().enumerate() {
        let at = step.at;
        let replies_to: Vec<String> = previous_external_id.iter().cloned().collect();
        let message = |direction: Direction, sender: Party, body: &str, call: Option<&Call>| {
            let external_id = (ticket.channel != Channel::Phone).then(|| {
                format!(
                    "<demo-{}-{}-{index}@kefu.example>",
                    options.seed, ticket.number
                )
            });
            IncomingMessage {
                channel: ticket.channel,
                direction,
                sender,
                customer: customer_party.clone(),
                sent_at: Some(at),
                subject: (ticket.channel == Channel::Email).then(|| match index {
                    0 => ticket.subject.clone(),
                    _ => format!("Re: {}", ticket.subject),
                }),
                body_text: body.to_string(),
                external_id,
                thread_key: thread_key.clone(),
                replies_to: replies_to.clone(),
                automation: None,
                call: call.cloned(),
                attachments: Vec::new(),
                raw_span: Some(spans[index]),
                notes: Vec::new(),
            }
        };
        let dedupe_key = format!("demo:{}:{}:{index}", options.seed, ticket.number);
        let mut store_message = |incoming: IncomingMessage| -> anyhow::Result<i64> {
            let id = writer.insert_message(conversation, &incoming, &dedupe_key, raw_input, at)?;
            previous_external_id = incoming.external_id;
            Ok(id)
        };
        match &step.kind {
            StepKind::Message {
                direction: Direction::Inbound,
                text,
                call,
                ..
            } => {
                store_message(message(
                    Direction::Inbound,
                    customer_party.clone(),
                    text,
                    call.as_ref(),
                ))?;
                match ticket_id {
                    None => {
                        let id = writer.open_ticket(
                            &NewTicket {
                                conversation_id: conversation,
                                subject: Some(&ticket.subject),
                                ticket_type: &ticket.ticket_type,
                                priority: &ticket.priority,
                                source: ticket.channel,
                                actor: "system",
                                reason: "a customer's first message",
                            },
                            at,
                        )?;
                        ticket_id = Some(id);
                    }
                    Some(id) => {
                        writer.customer_replied(id, at)?;
                    }
                }
            }
            StepKind::Message {
                direction: Direction::Outbound,
                text,
                call,
                ..
            } => {
                let agent = step.kind.sender();
                let sender = Party {
                    name: None,
                    address: agent.to_string(),
                };
                store_message(message(Direction::Outbound, sender, text, call.as_ref()))?;
                let id = ticket_id.context("a reply before the ticket opened")?;
                writer.record_first_response(id, &format!("agent:{agent}"), at)?;
            }
            StepKind::Reopen { text } => {
                store_message(message(
                    Direction::Inbound,
                    customer_party.clone(),
                    text,
                    None,
                ))?;
                let id = ticket_id.context("a reopen before the ticket opened")?;
                writer.customer_replied(id, at)?;
            }
            StepKind::Rating { score, text } => {
                let message_id = store_message(message(
                    Direction::Inbound,
                    customer_party.clone(),
                    text,
                    None,
                ))?;
                let rating = NewRating {
                    ticket_id: ticket_id.context("a rating before the ticket opened")?,
                    score: *score,
                    comment: None,
                    rated_at: at,
                    source: RatingSource::Message,
                    message_id: Some(message_id),
                };
                writer.insert_rating(&rating, at)?;
            }
            StepKind::Assign { agent } => {
                let id = ticket_id.context("an assignment before the ticket opened")?;
                writer.set_ticket_field(
                    id,
                    TicketField::Assignee,
                    agent,
                    "system",
                    "routed by skill",
                    at,
                )?;
            }
            StepKind::Status { status, actor } => {
                let id = ticket_id.context("a status change before the ticket opened")?;
                writer.set_ticket_field(id, TicketField::Status, status, actor, "", at)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;

/// Draws `true` with probability `share`.
fn chance(rng: &mut impl Rng, share: f64) -> bool {
    rng.random_bool(share.clamp(0.0, 1.0))
}
