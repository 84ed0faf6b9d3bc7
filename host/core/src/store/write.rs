//! Writes, each inside the transaction of a [`Writer`].

use std::cell::RefCell;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, SubsecRound, Utc};
use rusqlite::{Connection, OptionalExtension, Params, Transaction, params};
use serde_json::json;

use super::format_time;
use crate::desk::Desk;
use crate::model::{Channel, Customer, IncomingMessage};
use crate::routing::Agent;

/// One write transaction. Dropping it without [`Writer::commit`] rolls back
/// everything written through it.
pub struct Writer<'a> {
    pub(super) tx: Transaction<'a>,
    pub(super) desk: Arc<Desk>,
    /// The agents as [`Writer::agents`] last read them, so routing every
    /// new ticket of an import reads only their loads again. The agent
    /// changes of this writer clear it, and no other connection can change
    /// an agent while the transaction holds the write lock.
    pub(super) agents: RefCell<Option<Vec<Agent>>>,
}

/// A ticket to open on a conversation.
#[derive(Debug, Clone)]
pub struct NewTicket<'a> {
    pub conversation_id: i64,
    pub subject: Option<&'a str>,
    pub ticket_type: &'a str,
    pub priority: &'a str,
    pub source: Channel,
    /// Author of the ticket: `plugin:<id>`, `agent:<name>` or `system`.
    pub actor: &'a str,
    pub reason: &'a str,
}

/// Context of a conversation that rules look at.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationState {
    pub message_count: u32,
    pub ticket: Option<TicketState>,
}

/// The fields of a ticket that rules look at.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketState {
    pub id: i64,
    pub ticket_type: String,
    pub priority: String,
    pub status: String,
    pub assignee: Option<String>,
    pub tags: Vec<String>,
    pub opened_at: DateTime<Utc>,
}

/// A customer's earlier contact, for rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerHistory {
    pub earlier_conversations: u32,
    pub tickets: u32,
    pub open_tickets: u32,
    pub first_contact: Option<DateTime<Utc>>,
}

/// A ticket field a rule or an agent can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketField {
    Type,
    Priority,
    Status,
    Assignee,
}

impl TicketField {
    fn column(self) -> &'static str {
        match self {
            Self::Type => "ticket_type",
            Self::Priority => "priority",
            Self::Status => "status",
            Self::Assignee => "assignee",
        }
    }

    /// Name used in ticket events and in the rule API's `ticket-change`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Type => "type",
            Self::Priority => "priority",
            Self::Status => "status",
            Self::Assignee => "assignee",
        }
    }
}

/// A timer that is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueTimer {
    pub id: i64,
    pub ticket_id: i64,
    pub conversation_id: i64,
    pub plugin_id: String,
    pub name: String,
    pub due_at: DateTime<Utc>,
}

impl<'a> Writer<'a> {
    pub(super) fn begin(connection: &'a mut Connection, desk: Arc<Desk>) -> anyhow::Result<Self> {
        let tx = connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .context("starting a write transaction")?;
        Ok(Self {
            tx,
            desk,
            agents: RefCell::new(None),
        })
    }

    /// Executes `sql` through the connection's statement cache, so a
    /// statement run for every message is compiled once per connection.
    pub(super) fn execute_cached<P: Params>(
        &self,
        sql: &str,
        params: P,
    ) -> rusqlite::Result<usize> {
        self.tx.prepare_cached(sql)?.execute(params)
    }

    /// Runs a query for one row through the connection's statement cache.
    pub(super) fn query_row_cached<T, P, F>(
        &self,
        sql: &str,
        params: P,
        row: F,
    ) -> rusqlite::Result<T>
    where
        P: Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.tx.prepare_cached(sql)?.query_row(params, row)
    }

    /// The configuration this transaction's ticket writes follow.
    pub fn desk(&self) -> &Desk {
        &self.desk
    }

    /// Makes every write of this transaction durable.
    pub fn commit(self) -> anyhow::Result<()> {
        self.tx.commit().context("committing a write transaction")
    }

    /// True when an input with this SHA-256 hash is stored and was not
    /// quarantined whole.
    pub fn input_imported(&self, sha256: &str) -> anyhow::Result<bool> {
        Ok(self
            .query_row_cached(super::INPUT_IMPORTED_SQL, params![sha256], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Stores an input exactly as received, or, when the same bytes are
    /// stored already (an input quarantined before and now retried), clears
    /// its old quarantine entries and returns its id.
    pub fn store_raw_input(
        &self,
        sha256: &str,
        source_name: &str,
        content_type: Option<&str>,
        adapter: Option<&str>,
        bytes: &[u8],
        received_at: DateTime<Utc>,
    ) -> anyhow::Result<i64> {
        let existing: Option<i64> = self
            .query_row_cached(
                "SELECT id FROM raw_inputs WHERE sha256 = ?1",
                params![sha256],
                |row| row.get(0),
            )
            .optional()?;
        match existing {
            Some(id) => {
                self.execute_cached(
                    "DELETE FROM quarantine WHERE raw_input_id = ?1",
                    params![id],
                )?;
                self.execute_cached(
                    "UPDATE raw_inputs SET adapter = ?2 WHERE id = ?1",
                    params![id, adapter],
                )?;
                Ok(id)
            }
            None => self.insert_raw_input(
                sha256,
                source_name,
                content_type,
                adapter,
                bytes,
                received_at,
            ),
        }
    }

    /// Stores an input exactly as received.
    pub fn insert_raw_input(
        &self,
        sha256: &str,
        source_name: &str,
        content_type: Option<&str>,
        adapter: Option<&str>,
        bytes: &[u8],
        received_at: DateTime<Utc>,
    ) -> anyhow::Result<i64> {
        self.execute_cached(
                "INSERT INTO raw_inputs (sha256, source_name, content_type, adapter, bytes, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![sha256, source_name, content_type, adapter, bytes, format_time(received_at)],
            )
            .with_context(|| format!("storing raw input {source_name}"))?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Records that an input, or the part of it in `span`, could not be read.
    pub fn quarantine(
        &self,
        raw_input_id: i64,
        span: Option<(u64, u64)>,
        adapter: Option<&str>,
        reason: &str,
        at: DateTime<Utc>,
    ) -> anyhow::Result<i64> {
        self.execute_cached(
            "INSERT INTO quarantine (raw_input_id, span_offset, span_length, adapter, reason, quarantined_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                raw_input_id,
                span.map(|(offset, _)| offset),
                span.map(|(_, length)| length),
                adapter,
                reason,
                format_time(at)
            ],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// True when a message with this dedupe key is stored.
    pub fn message_exists(&self, dedupe_key: &str) -> anyhow::Result<bool> {
        Ok(self
            .query_row_cached(
                "SELECT 1 FROM messages WHERE dedupe_key = ?1",
                params![dedupe_key],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Finds the customer who owns `address` on `channel`, or creates one.
    /// Returns the customer and whether it was created.
    pub fn find_or_create_customer(
        &self,
        channel: Channel,
        address: &str,
        name: Option<&str>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<(Customer, bool)> {
        let value = self.desk.identity.normalize(channel, address);
        let found = self
            .query_row_cached(
                "SELECT c.id, c.name, c.tier FROM customers c
                   JOIN customer_identities i ON i.customer_id = c.id
                  WHERE i.kind = ?1 AND i.value = ?2",
                params![channel.as_str(), value],
                |row| {
                    Ok(Customer {
                        id: row.get(0)?,
                        name: row.get(1)?,
                        tier: row.get(2)?,
                    })
                },
            )
            .optional()?;
        if let Some(mut customer) = found {
            if customer.name.is_none() && name.is_some() {
                self.execute_cached(
                    "UPDATE customers SET name = ?2 WHERE id = ?1",
                    params![customer.id, name],
                )?;
                customer.name = name.map(str::to_string);
            }
            return Ok((customer, false));
        }
        self.execute_cached(
            "INSERT INTO customers (name, created_at) VALUES (?1, ?2)",
            params![name, format_time(now)],
        )?;
        let id = self.tx.last_insert_rowid();
        self.execute_cached(
            "INSERT INTO customer_identities (customer_id, kind, value) VALUES (?1, ?2, ?3)",
            params![id, channel.as_str(), value],
        )?;
        let customer = Customer {
            id,
            name: name.map(str::to_string),
            tier: "regular".to_string(),
        };
        Ok((customer, true))
    }

    /// Counts a customer's conversations other than `except`.
    pub fn other_conversation_count(&self, customer_id: i64, except: i64) -> anyhow::Result<u32> {
        Ok(self.query_row_cached(
            "SELECT count(*) FROM conversations WHERE customer_id = ?1 AND id <> ?2",
            params![customer_id, except],
            |row| row.get(0),
        )?)
    }

    /// Finds the conversation with the channel's own conversation key.
    pub fn conversation_by_thread_key(
        &self,
        channel: Channel,
        thread_key: &str,
    ) -> anyhow::Result<Option<(i64, i64)>> {
        Ok(self
            .query_row_cached(
                "SELECT id, customer_id FROM conversations WHERE channel = ?1 AND thread_key = ?2",
                params![channel.as_str(), thread_key],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?)
    }

    /// Finds the conversation of the first stored message whose external id
    /// is in `external_ids`, trying them in order, among the conversations
    /// of `customer_id`. Another customer's conversation is never returned,
    /// so a stranger who quotes a Message-ID does not join it.
    pub fn conversation_by_reply(
        &self,
        channel: Channel,
        external_ids: &[String],
        customer_id: i64,
    ) -> anyhow::Result<Option<i64>> {
        let mut statement = self.tx.prepare_cached(
            "SELECT m.conversation_id FROM messages m
               JOIN conversations c ON c.id = m.conversation_id
              WHERE m.channel = ?1 AND m.external_id = ?2 AND c.customer_id = ?3
              LIMIT 1",
        )?;
        for external_id in external_ids {
            let found = statement
                .query_row(params![channel.as_str(), external_id, customer_id], |row| {
                    row.get(0)
                })
                .optional()?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// Creates a conversation.
    pub fn create_conversation(
        &self,
        channel: Channel,
        customer_id: i64,
        thread_key: Option<&str>,
        subject: Option<&str>,
        at: DateTime<Utc>,
    ) -> anyhow::Result<i64> {
        self.execute_cached(
            "INSERT INTO conversations (channel, customer_id, thread_key, subject, created_at, last_message_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![channel.as_str(), customer_id, thread_key, subject, format_time(at)],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Stores a message in a conversation and moves the conversation's
    /// last activity forward to the message's time.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_message(
        &self,
        conversation_id: i64,
        message: &IncomingMessage,
        dedupe_key: &str,
        raw_input_id: i64,
        received_at: DateTime<Utc>,
    ) -> anyhow::Result<i64> {
        let time = message.sent_at.unwrap_or(received_at);
        self.execute_cached(
            "INSERT INTO messages (conversation_id, channel, direction, sender_name, sender_address,
                                   sent_at, received_at, subject, body_text, external_id, dedupe_key,
                                   replies_to, automation_kind, automation_evidence, call,
                                   attachments, notes, raw_input_id, raw_offset, raw_length)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                     ?18, ?19, ?20)",
            params![
                conversation_id,
                message.channel.as_str(),
                message.direction.as_str(),
                message.sender.name,
                message.sender.address,
                message.sent_at.map(format_time),
                format_time(received_at),
                message.subject,
                message.body_text,
                message.external_id,
                dedupe_key,
                serde_json::to_string(&message.replies_to)?,
                message.automation.as_ref().map(|automation| automation.kind.as_str()),
                message.automation.as_ref().map(|automation| automation.evidence.as_str()),
                message.call.as_ref().map(serde_json::to_string).transpose()?,
                serde_json::to_string(&message.attachments)?,
                serde_json::to_string(&message.notes)?,
                raw_input_id,
                message.raw_span.map(|(offset, _)| offset),
                message.raw_span.map(|(_, length)| length),
            ],
        )?;
        let id = self.tx.last_insert_rowid();
        // Only a later time is written. The row and its last_message_at
        // index entry stay untouched when the time is not later, as for
        // the first message of a new conversation.
        self.execute_cached(
            "UPDATE conversations SET last_message_at = ?2
              WHERE id = ?1 AND last_message_at < ?2",
            params![conversation_id, format_time(time)],
        )?;
        Ok(id)
    }

    /// Reads what rules need to know about a conversation.
    pub fn conversation_state(&self, conversation_id: i64) -> anyhow::Result<ConversationState> {
        let message_count = self.query_row_cached(
            "SELECT count(*) FROM messages WHERE conversation_id = ?1",
            params![conversation_id],
            |row| row.get(0),
        )?;
        // A conversation whose ticket was merged works on the ticket it was
        // merged into.
        let ticket_id = self.open_ticket_of(conversation_id)?;
        let ticket = self
            .query_row_cached(
                "SELECT id, ticket_type, priority, status, assignee, created_at FROM tickets
                  WHERE id = ?1",
                params![ticket_id],
                |row| {
                    Ok(TicketState {
                        id: row.get(0)?,
                        ticket_type: row.get(1)?,
                        priority: row.get(2)?,
                        status: row.get(3)?,
                        assignee: row.get(4)?,
                        tags: Vec::new(),
                        opened_at: super::parse_time(&row.get::<_, String>(5)?)?,
                    })
                },
            )
            .optional()?;
        let ticket = match ticket {
            Some(mut ticket) => {
                let mut statement = self.tx.prepare_cached(
                    "SELECT tag FROM ticket_tags WHERE ticket_id = ?1 ORDER BY tag",
                )?;
                ticket.tags = statement
                    .query_map(params![ticket.id], |row| row.get(0))?
                    .collect::<Result<_, _>>()?;
                Some(ticket)
            }
            None => None,
        };
        Ok(ConversationState {
            message_count,
            ticket,
        })
    }

    /// Opens a ticket and records the `created` event.
    pub fn open_ticket(&self, ticket: &NewTicket<'_>, at: DateTime<Utc>) -> anyhow::Result<i64> {
        self.open_ticket_written_at(ticket, at, None)
    }

    /// Opens a ticket like [`Writer::open_ticket`] for a message the
    /// customer wrote at `written_at`. When that is before `at`, the SLA
    /// clock starts at `written_at`, as [`Writer::set_sla_start`] sets it,
    /// and the derived columns are computed once with that start.
    pub fn open_ticket_written_at(
        &self,
        ticket: &NewTicket<'_>,
        at: DateTime<Utc>,
        written_at: Option<DateTime<Utc>>,
    ) -> anyhow::Result<i64> {
        self.insert_ticket(ticket, at, written_at, None)
    }

    /// Opens a ticket like [`Writer::open_ticket_written_at`] with
    /// `assignee` in its INSERT, which costs less than setting it
    /// afterwards. Records only the `created` event: the caller records the
    /// assignment with [`Writer::record_inserted_assignee`], or takes it
    /// back with [`Writer::clear_inserted_assignee`].
    pub(crate) fn open_ticket_assigned(
        &self,
        ticket: &NewTicket<'_>,
        at: DateTime<Utc>,
        written_at: Option<DateTime<Utc>>,
        assignee: &str,
    ) -> anyhow::Result<i64> {
        self.insert_ticket(ticket, at, written_at, Some(assignee))
    }

    /// Records the `assignee` event of a ticket that
    /// [`Writer::open_ticket_assigned`] inserted with `assignee`. The event
    /// is the one [`Writer::set_ticket_field`] writes when it assigns an
    /// unassigned ticket.
    pub(crate) fn record_inserted_assignee(
        &self,
        ticket_id: i64,
        assignee: &str,
        actor: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let detail = json!({ "from": Option::<String>::None, "to": assignee });
        self.append_event(
            ticket_id,
            at,
            actor,
            TicketField::Assignee.name(),
            &detail,
            reason,
        )
    }

    /// Removes the assignee that [`Writer::open_ticket_assigned`] inserted
    /// before its event was recorded, so the ticket is as
    /// [`Writer::open_ticket_written_at`] would have opened it.
    pub(crate) fn clear_inserted_assignee(&self, ticket_id: i64) -> anyhow::Result<()> {
        self.execute_cached(
            "UPDATE tickets SET assignee = NULL WHERE id = ?1",
            params![ticket_id],
        )?;
        Ok(())
    }

    fn insert_ticket(
        &self,
        ticket: &NewTicket<'_>,
        at: DateTime<Utc>,
        written_at: Option<DateTime<Utc>>,
        assignee: Option<&str>,
    ) -> anyhow::Result<i64> {
        let now = format_time(at);
        let initial_status = self.desk.lifecycle.initial_status().to_string();
        // Stored times have whole seconds, so the start is compared and
        // used at that precision, as it reads back from the row.
        let at_seconds = at.trunc_subsecs(0);
        let sla_start = written_at
            .map(|written_at| written_at.trunc_subsecs(0))
            .filter(|written_at| *written_at < at_seconds);
        // The derived columns go into the INSERT, because updating them
        // afterwards rewrites the row and several of its indexes again.
        let derived = self.new_ticket_columns(
            ticket.conversation_id,
            sla_start.unwrap_or(at_seconds),
            ticket.priority,
            &initial_status,
        )?;
        self.execute_cached(
            "INSERT INTO tickets (conversation_id, subject, ticket_type, priority, source, status,
                                  created_at, updated_at, sla_start_at, is_open, queue_rank,
                                  first_response_due, resolution_due, due_at, assignee)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                ticket.conversation_id,
                ticket.subject,
                ticket.ticket_type,
                ticket.priority,
                ticket.source.as_str(),
                initial_status,
                now,
                sla_start.map(format_time),
                derived.is_open,
                derived.queue_rank,
                derived.first_response_due.map(format_time),
                derived.resolution_due.map(format_time),
                derived.due_at.map(format_time),
                assignee,
            ],
        )?;
        let id = self.tx.last_insert_rowid();
        let detail = json!({
            "type": ticket.ticket_type,
            "priority": ticket.priority,
            "source": ticket.source.as_str(),
            "status": initial_status,
        });
        self.append_event(id, at, ticket.actor, "created", &detail, ticket.reason)?;
        Ok(id)
    }

    /// Sets a ticket's priority and records the change. Does nothing when
    /// the priority is already `priority`.
    pub fn set_priority(
        &self,
        ticket_id: i64,
        priority: &str,
        actor: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        Ok(self
            .set_ticket_field(
                ticket_id,
                TicketField::Priority,
                priority,
                actor,
                reason,
                at,
            )?
            .is_some())
    }

    /// Sets a ticket field and records the change in the ticket's history.
    /// Returns the old value when the field changed, `None` when it already
    /// held `value`. Callers check `value` against the vocabulary first. A
    /// status change the lifecycle does not allow fails with a
    /// [`TransitionError`](crate::lifecycle::TransitionError) and writes
    /// nothing.
    pub fn set_ticket_field(
        &self,
        ticket_id: i64,
        field: TicketField,
        value: &str,
        actor: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> anyhow::Result<Option<Option<String>>> {
        let column = field.column();
        self.check_not_merged(ticket_id)?;
        let old: Option<String> = self.query_row_cached(
            &format!("SELECT {column} FROM tickets WHERE id = ?1"),
            params![ticket_id],
            |row| row.get(0),
        )?;
        if old.as_deref() == Some(value) {
            return Ok(None);
        }
        let mut detail = json!({ "from": old, "to": value });
        if field == TicketField::Status {
            let from = old.as_deref().unwrap_or_default();
            self.desk.lifecycle.check_transition(from, value)?;
            if self.desk.lifecycle.is_reopen(from, value) {
                detail["reopen"] = json!(true);
            }
        }
        self.execute_cached(
            &format!("UPDATE tickets SET {column} = ?2, updated_at = ?3 WHERE id = ?1"),
            params![ticket_id, value, format_time(at)],
        )?;
        self.append_event(ticket_id, at, actor, field.name(), &detail, reason)?;
        match field {
            TicketField::Status => {
                self.after_status_change(ticket_id, old.as_deref().unwrap_or_default(), value, at)?
            }
            TicketField::Priority => self.refresh_ticket(ticket_id)?,
            TicketField::Type | TicketField::Assignee => {}
        }
        Ok(Some(old))
    }

    /// Adds an internal note to a ticket's history.
    pub fn add_note(
        &self,
        ticket_id: i64,
        text: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        self.append_event(ticket_id, at, actor, "note", &json!({ "text": text }), "")?;
        Ok(())
    }

    /// Records that a rule suggested a phrase to the agent, or asked for one
    /// to be sent to the customer.
    pub fn record_phrase_request(
        &self,
        ticket_id: i64,
        phrase_id: &str,
        send: bool,
        actor: &str,
        at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let kind = if send {
            "phrase-send"
        } else {
            "phrase-suggested"
        };
        self.append_event(
            ticket_id,
            at,
            actor,
            kind,
            &json!({ "phrase": phrase_id }),
            "",
        )?;
        Ok(())
    }

    /// Schedules a timer for a plugin on a ticket, replacing a pending timer
    /// with the same name.
    pub fn schedule_timer(
        &self,
        ticket_id: i64,
        plugin_id: &str,
        name: &str,
        due_at: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        self.execute_cached(
            "DELETE FROM ticket_timers
              WHERE ticket_id = ?1 AND plugin_id = ?2 AND name = ?3 AND fired_at IS NULL",
            params![ticket_id, plugin_id, name],
        )?;
        self.execute_cached(
            "INSERT INTO ticket_timers (ticket_id, plugin_id, name, due_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                ticket_id,
                plugin_id,
                name,
                format_time(due_at),
                format_time(at)
            ],
        )?;
        Ok(())
    }

    /// Timers due at `now` that have not fired, oldest first.
    pub fn due_timers(&self, now: DateTime<Utc>) -> anyhow::Result<Vec<DueTimer>> {
        let mut statement = self.tx.prepare(
            "SELECT t.id, t.ticket_id, k.conversation_id, t.plugin_id, t.name, t.due_at
               FROM ticket_timers t JOIN tickets k ON k.id = t.ticket_id
              WHERE t.fired_at IS NULL AND t.due_at <= ?1
              ORDER BY t.due_at, t.id",
        )?;
        let rows = statement.query_map(params![format_time(now)], |row| {
            Ok(DueTimer {
                id: row.get(0)?,
                ticket_id: row.get(1)?,
                conversation_id: row.get(2)?,
                plugin_id: row.get(3)?,
                name: row.get(4)?,
                due_at: super::parse_time(&row.get::<_, String>(5)?)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks a timer as fired, so it never fires again.
    pub fn mark_timer_fired(&self, timer_id: i64, at: DateTime<Utc>) -> anyhow::Result<()> {
        self.execute_cached(
            "UPDATE ticket_timers SET fired_at = ?2 WHERE id = ?1",
            params![timer_id, format_time(at)],
        )?;
        Ok(())
    }

    /// Summarises a customer's contact outside the given conversation.
    pub fn customer_history(
        &self,
        customer_id: i64,
        conversation_id: i64,
    ) -> anyhow::Result<CustomerHistory> {
        let earlier_conversations = self.other_conversation_count(customer_id, conversation_id)?;
        let (tickets, open_tickets) = self.customer_ticket_counts(customer_id)?;
        Ok(CustomerHistory {
            earlier_conversations,
            tickets,
            open_tickets,
            first_contact: self.customer_first_contact(customer_id)?,
        })
    }

    /// Counts a customer's tickets, and those of them not resolved or
    /// closed.
    pub fn customer_ticket_counts(&self, customer_id: i64) -> anyhow::Result<(u32, u32)> {
        Ok(self.query_row_cached(
            "SELECT count(*), coalesce(sum(t.status NOT IN ('resolved', 'closed')), 0)
               FROM tickets t JOIN conversations c ON c.id = t.conversation_id
              WHERE c.customer_id = ?1",
            params![customer_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?)
    }

    /// Returns the time of a customer's earliest message, if any.
    pub fn customer_first_contact(
        &self,
        customer_id: i64,
    ) -> anyhow::Result<Option<DateTime<Utc>>> {
        let first_contact: Option<String> = self.query_row_cached(
            "SELECT min(coalesce(m.sent_at, m.received_at))
               FROM messages m JOIN conversations c ON c.id = m.conversation_id
              WHERE c.customer_id = ?1",
            params![customer_id],
            |row| row.get(0),
        )?;
        Ok(first_contact
            .map(|time| super::parse_time(&time))
            .transpose()?)
    }

    /// Returns the customer of a conversation.
    pub fn conversation_customer(&self, conversation_id: i64) -> anyhow::Result<Customer> {
        Ok(self.query_row_cached(
            "SELECT c.id, c.name, c.tier FROM customers c
               JOIN conversations v ON v.customer_id = c.id WHERE v.id = ?1",
            params![conversation_id],
            |row| {
                Ok(Customer {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    tier: row.get(2)?,
                })
            },
        )?)
    }

    /// Returns the channel of a conversation.
    pub fn conversation_channel(&self, conversation_id: i64) -> anyhow::Result<Channel> {
        let channel: String = self.query_row_cached(
            "SELECT channel FROM conversations WHERE id = ?1",
            params![conversation_id],
            |row| row.get(0),
        )?;
        channel.parse().map_err(|_| {
            anyhow::anyhow!("conversation {conversation_id} has unknown channel {channel:?}")
        })
    }

    /// Adds a tag to a ticket and records the change. Does nothing when the
    /// ticket already has the tag.
    pub fn add_tag(
        &self,
        ticket_id: i64,
        tag: &str,
        actor: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        self.check_not_merged(ticket_id)?;
        let added = self.execute_cached(
            "INSERT OR IGNORE INTO ticket_tags (ticket_id, tag) VALUES (?1, ?2)",
            params![ticket_id, tag],
        )?;
        if added == 0 {
            return Ok(false);
        }
        self.execute_cached(
            "UPDATE tickets SET updated_at = ?2 WHERE id = ?1",
            params![ticket_id, format_time(at)],
        )?;
        self.append_event(
            ticket_id,
            at,
            actor,
            "tag",
            &json!({ "added": tag }),
            reason,
        )?;
        Ok(true)
    }

    pub(super) fn append_event(
        &self,
        ticket_id: i64,
        at: DateTime<Utc>,
        actor: &str,
        kind: &str,
        detail: &serde_json::Value,
        reason: &str,
    ) -> anyhow::Result<()> {
        self.execute_cached(
            "INSERT INTO ticket_events (ticket_id, at, actor, kind, detail, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                ticket_id,
                format_time(at),
                actor,
                kind,
                detail.to_string(),
                reason
            ],
        )?;
        Ok(())
    }
}
