//! The baseline side of the ingest benchmark: the rows the real path writes,
//! computed natively and stored with plain batched INSERTs.
//!
//! For each file it stores what `Ingestor::ingest_paths` stores for the
//! generated mail: the raw input, the customer and its email identity, the
//! conversation (joined by In-Reply-To), the message, its attachment links
//! and their content in `attachment_blobs`, and for inbound mail from a
//! person in a conversation without a ticket, the ticket that default-rules
//! opens with its `created` event and the routing assignment with its
//! `assignee` event. Routing picks least load the way `kefu_core::routing`
//! does, from counts kept in memory, and the routing state is written once
//! per transaction. It skips what the real path needs only for inputs the
//! generated mail does not contain: duplicate checks (the UNIQUE indexes
//! would reject a duplicate), quarantine, rules other than default-rules
//! and customer-reply status changes.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use kefu_core::desk::Desk;
use kefu_core::model::Channel;
use kefu_plugin_sdk::types::{AutomationKind, Direction, Message};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{AGENTS, Stopwatch, Timing, format_time};

/// Messages the baseline stores per transaction.
pub const BATCH: usize = 1_000;

/// Maximum length of a ticket subject taken from a message, in characters,
/// as the real path cuts it.
const MAX_SUBJECT_CHARS: usize = 200;

/// Routing state keys the real path writes (`kefu_core::routing`).
const SEQUENCE_KEY: &str = "routed-count";
const LAST_AGENT_KEY: &str = "round-robin.last-agent";

/// Least-load routing state, kept in memory because the baseline is the
/// only writer of its database.
#[derive(Default)]
struct Routing {
    open_load: HashMap<&'static str, u64>,
    last_routed: HashMap<&'static str, u64>,
    sequence: u64,
    last_agent: Option<&'static str>,
}

impl Routing {
    /// Picks the agent with the skills `required` and the fewest open
    /// tickets. Ties go to the agent routed longest ago (never counts as
    /// oldest), then to the first name, as `kefu_core::routing` picks.
    /// Returns the agent and the reason stored with the event.
    fn assign(&mut self, required: &[String]) -> Option<(&'static str, String)> {
        let candidates: Vec<&'static str> = AGENTS
            .iter()
            .filter(|(_, skills)| {
                required
                    .iter()
                    .all(|skill| skills.contains(&skill.as_str()))
            })
            .map(|(name, _)| *name)
            .collect();
        let fewest = candidates
            .iter()
            .map(|name| self.open_load.get(name).copied().unwrap_or(0))
            .min()?;
        let picked = candidates
            .iter()
            .copied()
            .filter(|name| self.open_load.get(name).copied().unwrap_or(0) == fewest)
            .min_by_key(|name| (self.last_routed.get(name).copied(), *name))?;
        self.sequence += 1;
        *self.open_load.entry(picked).or_default() += 1;
        self.last_routed.insert(picked, self.sequence);
        self.last_agent = Some(picked);
        let plural = if fewest == 1 { "" } else { "s" };
        let reason = format!(
            "least-load: {fewest} open ticket{plural}, fewest among {}",
            candidates.join(", ")
        );
        Some((picked, reason))
    }

    /// Writes the routing state rows for the tickets routed so far.
    fn save(&self, tx: &Transaction<'_>) -> anyhow::Result<()> {
        let mut upsert = tx.prepare_cached(
            "INSERT INTO routing_state (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )?;
        if self.sequence == 0 {
            return Ok(());
        }
        upsert.execute(params![SEQUENCE_KEY, self.sequence.to_string()])?;
        for (agent, sequence) in &self.last_routed {
            upsert.execute(params![
                format!("last-routed.{agent}"),
                sequence.to_string()
            ])?;
        }
        if let Some(agent) = self.last_agent {
            upsert.execute(params![LAST_AGENT_KEY, agent])?;
        }
        Ok(())
    }
}

/// Imports the Maildir with the native parser and plain batched INSERTs
/// into `database`, which contains the schema and agents the real path starts
/// from. Uses the same SQLite settings as `Store::open`.
pub fn run(maildir: &Path, database: &Path, desk: &Desk) -> anyhow::Result<Timing> {
    let mut connection = Connection::open(database)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.pragma_update(None, "cache_size", -65_536)?;
    connection.set_prepared_statement_cache_capacity(64);

    let stopwatch = Stopwatch::start();
    let files = super::maildir_files(maildir)?;
    let mut routing = Routing::default();
    for batch in files.chunks(BATCH) {
        let tx = connection.transaction()?;
        for file in batch {
            store_file(&tx, desk, &mut routing, file)?;
        }
        routing.save(&tx)?;
        tx.commit()?;
    }
    Ok(stopwatch.stop())
}

/// Reads, parses and stores one file.
fn store_file(
    tx: &Transaction<'_>,
    desk: &Desk,
    routing: &mut Routing,
    file: &Path,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(file)?;
    let file_time = std::fs::metadata(file)?
        .modified()
        .ok()
        .map(DateTime::<Utc>::from);
    let name = file
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parsed = email::parse_input(&name, &bytes)
        .map_err(|error| anyhow::anyhow!("{}: {error:?}", file.display()))?;

    let now = Utc::now();
    let now_text = format_time(now);
    let sha256 = hex::encode(Sha256::digest(&bytes));
    tx.prepare_cached(
        "INSERT INTO raw_inputs (sha256, source_name, adapter, bytes, received_at)
         VALUES (?1, ?2, 'email', ?3, ?4)",
    )?
    .execute(params![sha256, file.display().to_string(), bytes, now_text])?;
    let raw_input_id = tx.last_insert_rowid();

    for message in parsed.messages {
        let stored = StoredInput {
            tx,
            desk,
            bytes: &bytes,
            sha256: &sha256,
            raw_input_id,
            now,
            file_time,
        };
        stored.store_message(message, routing)?;
    }
    Ok(())
}

/// One input being stored.
struct StoredInput<'a> {
    tx: &'a Transaction<'a>,
    desk: &'a Desk,
    bytes: &'a [u8],
    sha256: &'a str,
    raw_input_id: i64,
    now: DateTime<Utc>,
    file_time: Option<DateTime<Utc>>,
}

impl StoredInput<'_> {
    fn store_message(&self, mut message: Message, routing: &mut Routing) -> anyhow::Result<()> {
        let tx = self.tx;
        let now = format_time(self.now);
        let mut notes = std::mem::take(&mut message.notes);
        let sent_at = match message
            .sent_at
            .and_then(|seconds| Utc.timestamp_opt(seconds, 0).single())
        {
            Some(time) => Some(time),
            None => self.file_time.inspect(|time| {
                notes.push(format!(
                    "The mail has no usable date, so the send time is the file's \
                     modification time, {}.",
                    format_time(*time)
                ))
            }),
        };
        let sent_text = sent_at.map(format_time);
        let time = sent_text.clone().unwrap_or_else(|| now.clone());

        let (customer_id, tier) = self.customer(&message)?;

        let mut conversation_id: Option<i64> = None;
        for reply in &message.replies_to {
            conversation_id = tx
                .prepare_cached(
                    "SELECT m.conversation_id FROM messages m
                       JOIN conversations c ON c.id = m.conversation_id
                      WHERE m.channel = 'email' AND m.external_id = ?1 AND c.customer_id = ?2
                      LIMIT 1",
                )?
                .query_row(params![reply, customer_id], |row| row.get(0))
                .optional()?;
            if conversation_id.is_some() {
                break;
            }
        }
        let new_conversation = conversation_id.is_none();
        let conversation_id = match conversation_id {
            Some(id) => {
                tx.prepare_cached(
                    "UPDATE conversations SET last_message_at = max(last_message_at, ?2)
                      WHERE id = ?1",
                )?
                .execute(params![id, time])?;
                id
            }
            None => {
                let subject = message
                    .subject
                    .as_deref()
                    .map(str::trim)
                    .filter(|subject| !subject.is_empty());
                tx.prepare_cached(
                    "INSERT INTO conversations (channel, customer_id, subject, created_at,
                                                last_message_at)
                     VALUES ('email', ?1, ?2, ?3, ?3)",
                )?
                .execute(params![customer_id, subject, time])?;
                tx.last_insert_rowid()
            }
        };

        let message_id = self.insert_message(&message, conversation_id, &sent_text, &notes)?;
        self.insert_attachments(&message, message_id)?;

        let person_inbound =
            matches!(message.direction, Direction::Inbound) && message.automation.is_none();
        let has_ticket = !new_conversation
            && tx
                .prepare_cached("SELECT 1 FROM tickets WHERE conversation_id = ?1")?
                .query_row(params![conversation_id], |_| Ok(()))
                .optional()?
                .is_some();
        if person_inbound && !has_ticket {
            self.open_ticket(&message, conversation_id, &tier, sent_at, routing)?;
        }
        Ok(())
    }

    /// Finds the customer by email identity or creates both. Returns the
    /// customer's id and tier.
    fn customer(&self, message: &Message) -> anyhow::Result<(i64, String)> {
        let tx = self.tx;
        let mut address = message.customer.address.clone();
        if address.trim().is_empty() {
            address = format!("unknown-{}", &self.sha256[..12]);
        }
        let address = self.desk.identity.normalize(Channel::Email, &address);
        let found: Option<(i64, String)> = tx
            .prepare_cached(
                "SELECT c.id, c.tier FROM customers c
                   JOIN customer_identities i ON i.customer_id = c.id
                  WHERE i.kind = 'email' AND i.value = ?1",
            )?
            .query_row(params![address], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        if let Some(found) = found {
            return Ok(found);
        }
        tx.prepare_cached("INSERT INTO customers (name, created_at) VALUES (?1, ?2)")?
            .execute(params![message.customer.name, format_time(self.now)])?;
        let id = tx.last_insert_rowid();
        tx.prepare_cached(
            "INSERT INTO customer_identities (customer_id, kind, value) VALUES (?1, 'email', ?2)",
        )?
        .execute(params![id, address])?;
        Ok((id, "regular".to_string()))
    }

    fn insert_message(
        &self,
        message: &Message,
        conversation_id: i64,
        sent_at: &Option<String>,
        notes: &[String],
    ) -> anyhow::Result<i64> {
        let attachments: Vec<serde_json::Value> = message
            .attachments
            .iter()
            .map(|attachment| {
                json!({
                    "file_name": attachment.file_name,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                })
            })
            .collect();
        let automation_kind = message
            .automation
            .as_ref()
            .map(|automation| match automation.kind {
                AutomationKind::AutoReply => "auto-reply",
                AutomationKind::Bounce => "bounce",
                AutomationKind::Bulk => "bulk",
            });
        let direction = match message.direction {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        };
        let external_id = message.external_id.as_deref().unwrap_or("-");
        let dedupe_key = format!("email:{external_id}:{}", self.sha256);
        self.tx
            .prepare_cached(
                "INSERT INTO messages (conversation_id, channel, direction, sender_name,
                                       sender_address, sent_at, received_at, subject, body_text,
                                       external_id, dedupe_key, replies_to, automation_kind,
                                       automation_evidence, attachments, notes, raw_input_id,
                                       raw_offset, raw_length)
                 VALUES (?1, 'email', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,
                         ?15, ?16, ?17, ?18)",
            )?
            .execute(params![
                conversation_id,
                direction,
                message.sender.name,
                message.sender.address,
                sent_at,
                format_time(self.now),
                message.subject,
                message.body_text,
                message.external_id,
                dedupe_key,
                serde_json::to_string(&message.replies_to)?,
                automation_kind,
                message
                    .automation
                    .as_ref()
                    .map(|automation| automation.evidence.as_str()),
                serde_json::to_string(&attachments)?,
                serde_json::to_string(notes)?,
                self.raw_input_id,
                message.raw_span.as_ref().map(|span| span.offset as i64),
                message.raw_span.as_ref().map(|span| span.length as i64),
            ])?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Stores each listed attachment's link row and its content, which
    /// mail-parser extracts from the message's bytes as the real path does.
    fn insert_attachments(&self, message: &Message, message_id: i64) -> anyhow::Result<()> {
        if message.attachments.is_empty() {
            return Ok(());
        }
        let raw = match &message.raw_span {
            Some(span) => &self.bytes[span.offset as usize..(span.offset + span.length) as usize],
            None => self.bytes,
        };
        let contents = kefu_core::attachments::extract_mail_attachments(raw);
        anyhow::ensure!(
            contents.len() == message.attachments.len(),
            "message {message_id}: the adapter listed {} attachments, mail-parser found {}",
            message.attachments.len(),
            contents.len()
        );
        for (position, (attachment, content)) in
            message.attachments.iter().zip(contents).enumerate()
        {
            let sha256 = hex::encode(Sha256::digest(&content));
            self.tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO attachment_blobs (sha256, size, content)
                     VALUES (?1, ?2, ?3)",
                )?
                .execute(params![sha256, content.len() as i64, content])?;
            self.tx
                .prepare_cached(
                    "INSERT INTO message_attachments
                         (message_id, position, file_name, content_type, size, sha256)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    message_id,
                    position as i64,
                    attachment.file_name,
                    attachment.content_type,
                    attachment.size as i64,
                    sha256,
                ])?;
        }
        Ok(())
    }

    /// Opens the ticket default-rules opens, with its derived columns, and
    /// assigns it as least-load routing does, in one INSERT and two events.
    fn open_ticket(
        &self,
        message: &Message,
        conversation_id: i64,
        tier: &str,
        sent_at: Option<DateTime<Utc>>,
        routing: &mut Routing,
    ) -> anyhow::Result<()> {
        let tx = self.tx;
        let lifecycle = &self.desk.lifecycle;
        let subject = message.subject.as_deref().unwrap_or("");
        let (ticket_type, keyword) = default_rules::guess_type(subject, &message.body_text);
        let priority = if tier.eq_ignore_ascii_case("vip") {
            "high"
        } else {
            "normal"
        };
        let sla_start = sent_at.filter(|&sent_at| sent_at < self.now);
        let (first_due, resolution_due) =
            self.desk
                .deadlines(sla_start.unwrap_or(self.now), priority, tier, 0);
        let status = lifecycle.initial_status();
        let is_open = lifecycle.is_open(status);
        let due = if is_open {
            [first_due, resolution_due].into_iter().flatten().min()
        } else {
            None
        };
        let assignment = routing.assign(self.desk.routing.skills_for(ticket_type));
        let now = format_time(self.now);
        tx.prepare_cached(
            "INSERT INTO tickets (conversation_id, subject, ticket_type, priority, source, status,
                                  created_at, updated_at, sla_start_at, assignee, is_open,
                                  queue_rank, first_response_due, resolution_due, due_at)
             VALUES (?1, ?2, ?3, ?4, 'email', ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?
        .execute(params![
            conversation_id,
            ticket_subject(message),
            ticket_type,
            priority,
            status,
            now,
            sla_start.map(format_time),
            assignment.as_ref().map(|(agent, _)| *agent),
            is_open,
            lifecycle.queue_rank(priority, tier),
            first_due.map(format_time),
            resolution_due.map(format_time),
            due.map(format_time),
        ])?;
        let ticket_id = tx.last_insert_rowid();

        let reason = match keyword {
            Some(keyword) => format!("new inbound conversation; keyword \"{keyword}\""),
            None => "new inbound conversation; no type keyword".to_string(),
        };
        let mut event = tx.prepare_cached(
            "INSERT INTO ticket_events (ticket_id, at, actor, kind, detail, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        let created = json!({
            "type": ticket_type,
            "priority": priority,
            "source": "email",
            "status": status,
        });
        event.execute(params![
            ticket_id,
            now,
            "plugin:default-rules",
            "created",
            created.to_string(),
            reason
        ])?;
        if let Some((agent, reason)) = assignment {
            let detail = json!({ "from": null, "to": agent });
            event.execute(params![
                ticket_id,
                now,
                "system",
                "assignee",
                detail.to_string(),
                reason
            ])?;
        }
        Ok(())
    }
}

/// Returns the message's subject, else the first non-empty line of its
/// text, cut to [`MAX_SUBJECT_CHARS`] characters.
fn ticket_subject(message: &Message) -> Option<String> {
    let text = message
        .subject
        .as_deref()
        .map(str::trim)
        .filter(|subject| !subject.is_empty())
        .or_else(|| {
            message
                .body_text
                .lines()
                .map(str::trim)
                .find(|line| !line.is_empty())
        })?;
    Some(text.chars().take(MAX_SUBJECT_CHARS).collect())
}

/// Checks that the two databases hold the same number of rows in every
/// table, and fails naming each table that differs.
pub fn check_same_rows(baseline: &Path, real: &Path) -> anyhow::Result<()> {
    let baseline_rows = super::rows_per_table(baseline)?;
    let real_rows = super::rows_per_table(real)?;
    let mut differences = Vec::new();
    for table in baseline_rows.keys().chain(real_rows.keys()) {
        let left = baseline_rows.get(table).copied().unwrap_or(0);
        let right = real_rows.get(table).copied().unwrap_or(0);
        if left != right && !differences.iter().any(|(name, _, _)| name == table) {
            differences.push((table.clone(), left, right));
        }
    }
    if differences.is_empty() {
        return check_same_assignments(baseline, real);
    }
    let listed: Vec<String> = differences
        .iter()
        .map(|(table, left, right)| format!("{table}: baseline {left}, real path {right}"))
        .collect();
    anyhow::bail!(
        "the baseline and the real path wrote different row counts, so the ratio would not \
         compare the same work: {}",
        listed.join("; ")
    )
}

/// Checks that both sides opened tickets of the same types and assigned
/// them to the same agents, so routing did the same work on each.
fn check_same_assignments(baseline: &Path, real: &Path) -> anyhow::Result<()> {
    let read = |path: &Path| -> anyhow::Result<Vec<(String, Option<String>, i64)>> {
        let connection = Connection::open(path)?;
        let mut statement = connection.prepare(
            "SELECT ticket_type, assignee, count(*) FROM tickets GROUP BY 1, 2 ORDER BY 1, 2",
        )?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    };
    let baseline_tickets = read(baseline)?;
    let real_tickets = read(real)?;
    anyhow::ensure!(
        baseline_tickets == real_tickets,
        "the two sides opened or assigned tickets differently (type, assignee, count): \
         baseline {baseline_tickets:?}, real path {real_tickets:?}"
    );
    Ok(())
}
