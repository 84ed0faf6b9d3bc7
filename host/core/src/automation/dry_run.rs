//! Dry runs: replaying stored history through one rule to report what it
//! would have done, without writing anything.
//!
//! The replay walks the ticket history (`ticket_events`) in time order and
//! rebuilds each ticket's type, priority, status, assignee and tags as they
//! were. At each inbound message received since the cutoff it delivers a
//! `message-received` event, and at each ticket opened since the cutoff a
//! `ticket-created` event, with the conversation and ticket as rebuilt. The
//! rule's changes are kept in the replay, so a rule that would already have
//! set a value is not counted twice, exactly as the host skips a change to
//! the value a field already has.
//!
//! NOTE: the replay is an estimate in three places. Ticket events and
//! messages stored by one import share one time, so every change an import
//! made counts as made before its first message. The customer's tier is
//! today's tier, because tier changes have no history. `ticket-updated`
//! events and timers are not replayed (see [`unreplayed_events`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, params};
use serde::Serialize;

use super::declarative::{DeclarativeRule, Trigger, describe_action};
use crate::lifecycle::Lifecycle;
use crate::model::{Automation, Channel, Direction, IncomingMessage, Party};
use crate::plugin::api::Channel as ApiChannel;
use crate::plugin::incoming_to_api;
use crate::plugin::rule_api::{
    Action, Conversation, Customer, Event, EventKind, History, MessageEvent, Ticket,
};
use crate::store::parse_time;

/// Events a dry run replays. It does not replay `ticket-updated` or timers,
/// so time rules cannot be dry-run.
pub const REPLAYED_EVENTS: [Trigger; 2] = [Trigger::MessageReceived, Trigger::TicketCreated];

/// Returns the events in `rule`'s `on` list that a dry run does not replay,
/// for the report to name. Fails for a time rule and for a rule that reacts
/// to no replayed event, because their dry run would deliver nothing and
/// wrongly report that the rule changes nothing. The error suggests how to try
/// such a rule instead.
pub fn unreplayed_events(rule: &DeclarativeRule) -> anyhow::Result<Vec<Trigger>> {
    let replayed = || {
        REPLAYED_EVENTS
            .iter()
            .map(|trigger| trigger.name())
            .collect::<Vec<_>>()
            .join(" and ")
    };
    if let Some(time) = rule.time {
        anyhow::bail!(
            "rule {:?} is a time rule (on = [\"{}\"]), and a dry run replays only {} events. \
             To try it, copy the database and run `kefu --db COPY rules tick` on the copy: the \
             tick fires every due time rule for real, on the copy only",
            rule.name,
            time.name(),
            replayed()
        );
    }
    let unreplayed: Vec<Trigger> = rule
        .on
        .iter()
        .copied()
        .filter(|trigger| !REPLAYED_EVENTS.contains(trigger))
        .collect();
    if unreplayed.len() == rule.on.len() {
        let names: Vec<&str> = unreplayed.iter().map(|trigger| trigger.name()).collect();
        anyhow::bail!(
            "rule {:?} reacts only to {}, and a dry run replays only {} events. To try it, copy \
             the database and run `kefu --db COPY ingest FILE` on the copy: the changes other \
             rules make during the import cause ticket-updated events",
            rule.name,
            names.join(" and "),
            replayed()
        );
    }
    Ok(unreplayed)
}

/// The rule under test: called with an event and the time it happened,
/// returns the rule's actions.
pub type RuleCall<'r> = dyn FnMut(&Event, DateTime<Utc>) -> anyhow::Result<Vec<Action>> + 'r;

/// A stored message's id, time of storing, and send time (or time of
/// storing when it has none).
type MessageTimes = (i64, DateTime<Utc>, DateTime<Utc>);

/// Options of a dry run: the cutoff and the number of examples.
#[derive(Debug, Clone, Copy)]
pub struct DryRunOptions {
    /// Messages received and tickets opened at or after this time are replayed.
    pub since: DateTime<Utc>,
    /// Maximum number of examples in the report.
    pub examples: usize,
}

/// Result of a dry run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DryRunReport {
    /// Events delivered to the rule.
    pub events_examined: usize,
    /// Distinct tickets those events were about.
    pub tickets_examined: usize,
    /// Changes the rule would have made, per action, in order of first use.
    pub actions: Vec<ActionCount>,
    /// Events on which the rule would have acted, oldest first.
    pub examples: Vec<Example>,
}

/// How often one action would have changed something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionCount {
    /// The action in words, for example `set priority urgent`.
    pub action: String,
    /// Times it would have been applied, one ticket history entry each.
    pub times: usize,
    /// Distinct tickets it would have been applied to.
    pub tickets: usize,
}

/// One event on which the rule would have acted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Example {
    /// The ticket, or `None` when the rule would have opened it.
    pub ticket_id: Option<i64>,
    pub conversation_id: i64,
    /// When the event happened: the message's or the ticket's time of storing.
    pub at: DateTime<Utc>,
    pub event: String,
    /// The message's subject, or the ticket's when the message has none.
    pub subject: Option<String>,
    /// The actions that would have changed something, in words.
    pub actions: Vec<String>,
}

/// A ticket as the replay has rebuilt it. `id` is `None` for a ticket the
/// rule would have opened.
#[derive(Debug, Clone)]
struct ReplayTicket {
    id: Option<i64>,
    ticket_type: String,
    priority: String,
    status: String,
    assignee: Option<String>,
    tags: Vec<String>,
    opened_at: DateTime<Utc>,
}

struct StoredTicket {
    id: i64,
    conversation_id: i64,
    subject: Option<String>,
    created_at: DateTime<Utc>,
}

struct HistoryEntry {
    ticket_id: i64,
    at: DateTime<Utc>,
    kind: String,
    detail: serde_json::Value,
}

struct InboundMessage {
    id: i64,
    conversation_id: i64,
    received_at: DateTime<Utc>,
    message: IncomingMessage,
}

/// A point of the replay, in time order.
enum Step {
    History(usize),
    Message(usize),
    TicketCreated(usize),
}

impl Step {
    /// Order among steps at the same time: history first, then messages,
    /// then opened tickets, as the host's cascade delivers them.
    fn rank(&self) -> u8 {
        match self {
            Step::History(_) => 0,
            Step::Message(_) => 1,
            Step::TicketCreated(_) => 2,
        }
    }
}

/// Replays the history in the database at `db` through `rule` and reports
/// what it would have done. The database is opened read-only. `rule` gets
/// each event with the time it happened and returns the rule's actions.
pub fn dry_run(
    db: &Path,
    rule: &mut RuleCall<'_>,
    options: &DryRunOptions,
    lifecycle: &Lifecycle,
) -> anyhow::Result<DryRunReport> {
    if !db.exists() {
        anyhow::bail!(
            "database {} not found; pass the right path with --db or KEFU_DB",
            db.display()
        );
    }
    let connection = crate::encryption::open_database(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("opening database {} read-only", db.display()))?;
    let history = StoredHistory::read(&connection, options.since)?;
    let mut replay = Replay {
        history: &history,
        lifecycle,
        tickets: HashMap::new(),
        conversation_ticket: HashMap::new(),
        acted_at: HashMap::new(),
        report: DryRunReport::default(),
        counts: BTreeMap::new(),
        count_order: Vec::new(),
        tickets_seen: HashSet::new(),
        examples: options.examples,
    };
    replay.run(rule)?;
    Ok(replay.finish())
}

/// Everything the replay reads from the database.
struct StoredHistory {
    conversations: HashMap<i64, (Channel, i64, Option<String>)>,
    customers: HashMap<i64, (Option<String>, String)>,
    /// Conversations of each customer.
    customer_conversations: HashMap<i64, Vec<i64>>,
    /// `(message id, received at, sent or received at)` of every message,
    /// per conversation, in id order.
    conversation_messages: HashMap<i64, Vec<MessageTimes>>,
    tickets: Vec<StoredTicket>,
    entries: Vec<HistoryEntry>,
    messages: Vec<InboundMessage>,
    since: DateTime<Utc>,
}

impl StoredHistory {
    fn read(connection: &Connection, since: DateTime<Utc>) -> anyhow::Result<Self> {
        let mut history = StoredHistory {
            conversations: HashMap::new(),
            customers: HashMap::new(),
            customer_conversations: HashMap::new(),
            conversation_messages: HashMap::new(),
            tickets: Vec::new(),
            entries: Vec::new(),
            messages: Vec::new(),
            since,
        };
        let mut statement =
            connection.prepare("SELECT id, channel, customer_id, thread_key FROM conversations")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let channel: Channel = parse_channel(&row.get::<_, String>(1)?)?;
            let customer_id: i64 = row.get(2)?;
            history
                .conversations
                .insert(id, (channel, customer_id, row.get(3)?));
            history
                .customer_conversations
                .entry(customer_id)
                .or_default()
                .push(id);
        }

        let mut statement = connection.prepare("SELECT id, name, tier FROM customers")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            history
                .customers
                .insert(row.get(0)?, (row.get(1)?, row.get(2)?));
        }

        let mut statement = connection.prepare(
            "SELECT id, conversation_id, received_at, coalesce(sent_at, received_at)
               FROM messages ORDER BY id",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let received_at = parse_time(&row.get::<_, String>(2)?)?;
            let contact_at = parse_time(&row.get::<_, String>(3)?)?;
            history
                .conversation_messages
                .entry(row.get(1)?)
                .or_default()
                .push((row.get(0)?, received_at, contact_at));
        }

        let mut statement = connection
            .prepare("SELECT id, conversation_id, subject, created_at FROM tickets ORDER BY id")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            history.tickets.push(StoredTicket {
                id: row.get(0)?,
                conversation_id: row.get(1)?,
                subject: row.get(2)?,
                created_at: parse_time(&row.get::<_, String>(3)?)?,
            });
        }

        let mut statement = connection
            .prepare("SELECT ticket_id, at, kind, detail FROM ticket_events ORDER BY id")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            history.entries.push(HistoryEntry {
                ticket_id: row.get(0)?,
                at: parse_time(&row.get::<_, String>(1)?)?,
                kind: row.get(2)?,
                detail: serde_json::from_str(&row.get::<_, String>(3)?).unwrap_or_default(),
            });
        }

        let mut statement = connection.prepare(
            "SELECT id, conversation_id, received_at, channel, sender_name, sender_address,
                    sent_at, subject, body_text, external_id, replies_to, automation_kind,
                    automation_evidence, attachments, notes
               FROM messages
              WHERE direction = 'inbound' AND received_at >= ?1
              ORDER BY id",
        )?;
        let mut rows = statement.query(params![crate::store::format_time(since)])?;
        while let Some(row) = rows.next()? {
            let conversation_id: i64 = row.get(1)?;
            let sender = Party {
                name: row.get(4)?,
                address: row.get(5)?,
            };
            let automation = match row.get::<_, Option<String>>(11)? {
                Some(kind) => Some(Automation {
                    kind: kind.parse()?,
                    evidence: row.get::<_, Option<String>>(12)?.unwrap_or_default(),
                }),
                None => None,
            };
            let thread_key = history
                .conversations
                .get(&conversation_id)
                .and_then(|(_, _, key)| key.clone());
            let message = IncomingMessage {
                channel: parse_channel(&row.get::<_, String>(3)?)?,
                direction: Direction::Inbound,
                customer: sender.clone(),
                sender,
                sent_at: row
                    .get::<_, Option<String>>(6)?
                    .map(|time| parse_time(&time))
                    .transpose()?,
                subject: row.get(7)?,
                body_text: row.get(8)?,
                external_id: row.get(9)?,
                thread_key,
                replies_to: serde_json::from_str(&row.get::<_, String>(10)?).unwrap_or_default(),
                automation,
                // NOTE: call details are not read back, because no
                // declarative condition uses them; rule plugins that read
                // them see no call in a dry run.
                call: None,
                attachments: serde_json::from_str(&row.get::<_, String>(13)?).unwrap_or_default(),
                raw_span: None,
                notes: serde_json::from_str(&row.get::<_, String>(14)?).unwrap_or_default(),
            };
            history.messages.push(InboundMessage {
                id: row.get(0)?,
                conversation_id,
                received_at: parse_time(&row.get::<_, String>(2)?)?,
                message,
            });
        }
        Ok(history)
    }

    /// Returns the replay's steps in time order.
    fn steps(&self) -> Vec<(DateTime<Utc>, Step)> {
        let mut steps: Vec<(DateTime<Utc>, Step)> = Vec::new();
        for (index, entry) in self.entries.iter().enumerate() {
            steps.push((entry.at, Step::History(index)));
        }
        for (index, message) in self.messages.iter().enumerate() {
            steps.push((message.received_at, Step::Message(index)));
        }
        for (index, ticket) in self.tickets.iter().enumerate() {
            if ticket.created_at >= self.since {
                steps.push((ticket.created_at, Step::TicketCreated(index)));
            }
        }
        // A stable sort keeps the id order within each kind.
        steps.sort_by_key(|(at, step)| (*at, step.rank()));
        steps
    }
}

fn parse_channel(text: &str) -> anyhow::Result<Channel> {
    text.parse()
        .map_err(|_| anyhow::anyhow!("unknown channel {text:?} in the database"))
}

/// Key of a ticket for counting: a stored ticket, or the one the rule would
/// have opened on a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum TicketKey {
    Stored(i64),
    Opened(i64),
}

struct Replay<'h> {
    history: &'h StoredHistory,
    lifecycle: &'h Lifecycle,
    tickets: HashMap<TicketKey, ReplayTicket>,
    /// The ticket of each conversation: its first stored ticket, or the
    /// ticket the rule would have opened.
    conversation_ticket: HashMap<i64, TicketKey>,
    /// Per conversation, when the rule last changed something on a
    /// message-received event: the time of that message's import.
    acted_at: HashMap<i64, DateTime<Utc>>,
    report: DryRunReport,
    /// Per action: times applied and the tickets it was applied to.
    counts: BTreeMap<String, (usize, HashSet<TicketKey>)>,
    count_order: Vec<String>,
    tickets_seen: HashSet<TicketKey>,
    examples: usize,
}

impl Replay<'_> {
    fn run(&mut self, rule: &mut RuleCall<'_>) -> anyhow::Result<()> {
        for (at, step) in self.history.steps() {
            match step {
                Step::History(index) => self.apply_history(index),
                Step::Message(index) => {
                    let message = &self.history.messages[index];
                    let kind = EventKind::MessageReceived(MessageEvent {
                        message_id: message.id,
                        message: incoming_to_api(&message.message),
                    });
                    let subject = message.message.subject.clone();
                    self.deliver(
                        rule,
                        kind,
                        message.conversation_id,
                        Some(message.id),
                        at,
                        subject,
                    )?;
                }
                Step::TicketCreated(index) => {
                    let ticket = &self.history.tickets[index];
                    // Only a conversation's first ticket reaches rules.
                    if self.conversation_ticket.get(&ticket.conversation_id)
                        != Some(&TicketKey::Stored(ticket.id))
                    {
                        continue;
                    }
                    // A ticket is created in the cascade of the message that
                    // opened it. When the rule already changed the ticket on
                    // that message, the cascade's loop guard keeps the
                    // ticket-created event from it.
                    if self.acted_at.get(&ticket.conversation_id) == Some(&ticket.created_at) {
                        continue;
                    }
                    let subject = ticket.subject.clone();
                    self.deliver(
                        rule,
                        EventKind::TicketCreated,
                        ticket.conversation_id,
                        None,
                        at,
                        subject,
                    )?;
                }
            }
        }
        Ok(())
    }

    /// Applies one stored ticket change to the rebuilt ticket.
    fn apply_history(&mut self, index: usize) {
        let entry = &self.history.entries[index];
        let key = TicketKey::Stored(entry.ticket_id);
        let text = |name: &str| entry.detail.get(name).and_then(|value| value.as_str());
        if entry.kind == "created" {
            let Some(stored) = self
                .history
                .tickets
                .iter()
                .find(|t| t.id == entry.ticket_id)
            else {
                return;
            };
            self.tickets.insert(
                key,
                ReplayTicket {
                    id: Some(entry.ticket_id),
                    ticket_type: text("type").unwrap_or_default().to_string(),
                    priority: text("priority").unwrap_or_default().to_string(),
                    status: text("status").unwrap_or("open").to_string(),
                    assignee: None,
                    tags: Vec::new(),
                    opened_at: stored.created_at,
                },
            );
            self.conversation_ticket
                .entry(stored.conversation_id)
                .or_insert(key);
            return;
        }
        let Some(ticket) = self.tickets.get_mut(&key) else {
            return;
        };
        match entry.kind.as_str() {
            "type" => ticket.ticket_type = text("to").unwrap_or_default().to_string(),
            "priority" => ticket.priority = text("to").unwrap_or_default().to_string(),
            "status" => ticket.status = text("to").unwrap_or_default().to_string(),
            "assignee" => ticket.assignee = text("to").map(str::to_string),
            "tag" => {
                if let Some(tag) = text("added")
                    && !ticket.tags.iter().any(|known| known == tag)
                {
                    ticket.tags.push(tag.to_string());
                }
                if let Some(tag) = text("removed") {
                    ticket.tags.retain(|known| known != tag);
                }
            }
            _ => {}
        }
    }

    fn deliver(
        &mut self,
        rule: &mut RuleCall<'_>,
        kind: EventKind,
        conversation_id: i64,
        message_id: Option<i64>,
        at: DateTime<Utc>,
        subject: Option<String>,
    ) -> anyhow::Result<()> {
        let Some(event) = self.event(kind, conversation_id, message_id, at) else {
            return Ok(());
        };
        let event_name = match &event.kind {
            EventKind::MessageReceived(_) => "message-received",
            _ => "ticket-created",
        };
        self.report.events_examined += 1;
        if let Some(key) = self.conversation_ticket.get(&conversation_id) {
            self.tickets_seen.insert(*key);
        }

        let actions = rule(&event, at)?;
        let mut applied = Vec::new();
        for action in actions {
            if let Some(key) = self.apply(conversation_id, &action, at) {
                let label = describe_action(&action);
                let count = self.counts.entry(label.clone()).or_insert_with(|| {
                    self.count_order.push(label.clone());
                    (0, HashSet::new())
                });
                count.0 += 1;
                count.1.insert(key);
                applied.push(label);
            }
        }
        if !applied.is_empty() && event_name == "message-received" {
            self.acted_at.insert(conversation_id, at);
        }
        if !applied.is_empty() && self.report.examples.len() < self.examples {
            let ticket_id = self
                .conversation_ticket
                .get(&conversation_id)
                .and_then(|key| self.tickets.get(key))
                .and_then(|ticket| ticket.id);
            // Chat and phone messages have no subject, but their ticket may.
            let subject = subject
                .filter(|subject| !subject.trim().is_empty())
                .or_else(|| self.stored_subject(ticket_id?));
            self.report.examples.push(Example {
                ticket_id,
                conversation_id,
                at,
                event: event_name.to_string(),
                subject,
                actions: applied,
            });
        }
        Ok(())
    }

    /// Returns the stored subject of ticket `ticket_id`, unless it is blank.
    fn stored_subject(&self, ticket_id: i64) -> Option<String> {
        self.history
            .tickets
            .iter()
            .find(|ticket| ticket.id == ticket_id)?
            .subject
            .clone()
            .filter(|subject| !subject.trim().is_empty())
    }

    /// Builds the event with the conversation as rebuilt at `at`.
    fn event(
        &self,
        kind: EventKind,
        conversation_id: i64,
        message_id: Option<i64>,
        at: DateTime<Utc>,
    ) -> Option<Event> {
        let (channel, customer_id, _) = *self.history.conversations.get(&conversation_id)?;
        let (name, tier) = self.history.customers.get(&customer_id)?.clone();
        let messages = self
            .history
            .conversation_messages
            .get(&conversation_id)
            .map_or(&[][..], Vec::as_slice);
        let message_count = messages
            .iter()
            .filter(|(id, received_at, _)| match message_id {
                Some(message_id) => *id <= message_id,
                None => *received_at <= at,
            })
            .count() as u32;
        let ticket = self
            .conversation_ticket
            .get(&conversation_id)
            .and_then(|key| self.tickets.get(key))
            .map(|ticket| Ticket {
                id: ticket.id.unwrap_or(0),
                ticket_type: ticket.ticket_type.clone(),
                priority: ticket.priority.clone(),
                status: ticket.status.clone(),
                assignee: ticket.assignee.clone(),
                tags: ticket.tags.clone(),
                opened_at: ticket.opened_at.timestamp(),
            });
        Some(Event {
            kind,
            conversation: Conversation {
                id: conversation_id,
                channel: ApiChannel::from(channel),
                message_count,
                ticket,
            },
            customer: Customer {
                id: customer_id,
                name,
                tier,
                history: self.customer_history(customer_id, conversation_id, at),
            },
        })
    }

    /// Rebuilds a customer's earlier contact as it was at `at`.
    fn customer_history(
        &self,
        customer_id: i64,
        conversation_id: i64,
        at: DateTime<Utc>,
    ) -> History {
        let mut history = History {
            earlier_conversations: 0,
            tickets: 0,
            open_tickets: 0,
            first_contact: None,
        };
        let conversations = self
            .history
            .customer_conversations
            .get(&customer_id)
            .map_or(&[][..], Vec::as_slice);
        for id in conversations {
            let messages = self
                .history
                .conversation_messages
                .get(id)
                .map_or(&[][..], Vec::as_slice);
            let mut seen = false;
            for (_, received_at, contact_at) in messages {
                if *received_at <= at {
                    seen = true;
                    let time = contact_at.timestamp();
                    history.first_contact =
                        Some(history.first_contact.map_or(time, |first| first.min(time)));
                }
            }
            if seen && *id != conversation_id {
                history.earlier_conversations += 1;
            }
            if let Some(ticket) = self
                .conversation_ticket
                .get(id)
                .and_then(|key| self.tickets.get(key))
            {
                history.tickets += 1;
                if !matches!(ticket.status.as_str(), "resolved" | "closed") {
                    history.open_tickets += 1;
                }
            }
        }
        history
    }

    /// Applies one action to the rebuilt state as the host would, and
    /// returns the ticket it changed, or `None` when the host would have
    /// ignored or rejected it.
    fn apply(
        &mut self,
        conversation_id: i64,
        action: &Action,
        at: DateTime<Utc>,
    ) -> Option<TicketKey> {
        if let Action::OpenTicket(new) = action {
            if self.conversation_ticket.contains_key(&conversation_id)
                || !self.lifecycle.is_type(&new.ticket_type)
                || !self.lifecycle.is_priority(&new.priority)
            {
                return None;
            }
            let key = TicketKey::Opened(conversation_id);
            self.tickets.insert(
                key,
                ReplayTicket {
                    id: None,
                    ticket_type: new.ticket_type.clone(),
                    priority: new.priority.clone(),
                    status: self.lifecycle.initial_status().to_string(),
                    assignee: None,
                    tags: Vec::new(),
                    opened_at: at,
                },
            );
            self.conversation_ticket.insert(conversation_id, key);
            return Some(key);
        }
        let key = *self.conversation_ticket.get(&conversation_id)?;
        let lifecycle = self.lifecycle;
        let ticket = self.tickets.get_mut(&key)?;
        let changed = match action {
            Action::OpenTicket(_) => false,
            Action::SetType(value) => {
                set_if_changed(&mut ticket.ticket_type, value, lifecycle.is_type(value))
            }
            Action::SetPriority(value) => {
                set_if_changed(&mut ticket.priority, value, lifecycle.is_priority(value))
            }
            Action::SetStatus(value) => {
                let allowed = lifecycle.check_transition(&ticket.status, value).is_ok();
                set_if_changed(&mut ticket.status, value, allowed)
            }
            Action::Assign(agent) => {
                let agent = agent.trim();
                let changed = !agent.is_empty() && ticket.assignee.as_deref() != Some(agent);
                if changed {
                    ticket.assignee = Some(agent.to_string());
                }
                changed
            }
            Action::AddTag(tag) => {
                let tag = tag.trim();
                let changed = !tag.is_empty() && !ticket.tags.iter().any(|known| known == tag);
                if changed {
                    ticket.tags.push(tag.to_string());
                }
                changed
            }
            Action::AddNote(text) => !text.trim().is_empty(),
            Action::ScheduleTimer(timer) => !timer.name.trim().is_empty(),
            Action::SuggestPhrase(phrase) | Action::SendPhrase(phrase) => !phrase.trim().is_empty(),
        };
        changed.then_some(key)
    }

    fn finish(mut self) -> DryRunReport {
        self.report.tickets_examined = self.tickets_seen.len();
        for label in &self.count_order {
            let (times, tickets) = &self.counts[label];
            self.report.actions.push(ActionCount {
                action: label.clone(),
                times: *times,
                tickets: tickets.len(),
            });
        }
        self.report
    }
}

fn set_if_changed(field: &mut String, value: &str, known: bool) -> bool {
    if !known || field == value {
        return false;
    }
    *field = value.to_string();
    true
}
