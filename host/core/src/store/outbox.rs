//! The outbox and the installation's secrets: the SQL behind
//! `crate::outbound`.

use anyhow::Context;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::read::parse_column;
use super::{Store, Writer, format_time, parse_time};
use crate::model::Channel;

/// Delivery state of an outbox entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutboxState {
    /// Waiting for its next attempt.
    Queued,
    /// An attempt is under way.
    Sending,
    /// The server accepted it.
    Sent,
    /// Given up: the server rejected it for good, it could not be
    /// formatted, or it failed too many times. `kefu outbox retry` queues it
    /// again.
    Failed,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> rusqlite::Result<Self> {
        match text {
            "queued" => Ok(Self::Queued),
            "sending" => Ok(Self::Sending),
            "sent" => Ok(Self::Sent),
            "failed" => Ok(Self::Failed),
            other => Err(rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                format!("invalid outbox state {other:?}").into(),
            )),
        }
    }
}

/// An outbox entry as `kefu outbox` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub channel: String,
    /// The stored outbound message.
    pub message_id: i64,
    pub ticket_id: Option<i64>,
    pub recipient: String,
    pub subject: Option<String>,
    /// The channel's id of the message (the Message-ID for mail).
    pub external_id: Option<String>,
    pub automatic: bool,
    pub state: OutboxState,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub queued_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// An outbox entry claimed for delivery: the message, its conversation's
/// earlier ids and the formatted bytes, when they were made before.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingDelivery {
    pub outbox_id: i64,
    pub channel: Channel,
    pub recipient: String,
    pub recipient_name: Option<String>,
    pub sender_address: String,
    pub sender_name: Option<String>,
    pub subject: Option<String>,
    pub body_text: String,
    pub external_id: String,
    pub replies_to: Vec<String>,
    /// The conversation's id on its channel (a chat platform's
    /// conversation id), when it has one.
    pub thread_key: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub attempts: u32,
    pub formatted: Option<Vec<u8>>,
}

/// A new outbox entry.
#[derive(Debug, Clone)]
pub struct NewOutboxEntry<'a> {
    pub channel: Channel,
    pub message_id: i64,
    pub ticket_id: Option<i64>,
    pub recipient: &'a str,
    pub automatic: bool,
}

const ENTRY_COLUMNS: &str = "o.id, o.channel, o.message_id, o.ticket_id, o.recipient, m.subject,
     m.external_id, o.automatic, o.state, o.attempts, o.next_attempt_at, o.last_error,
     o.queued_at, o.sent_at";

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<OutboxEntry> {
    let state: String = row.get(8)?;
    let next: String = row.get(10)?;
    let queued: String = row.get(12)?;
    let sent: Option<String> = row.get(13)?;
    Ok(OutboxEntry {
        id: row.get(0)?,
        channel: row.get(1)?,
        message_id: row.get(2)?,
        ticket_id: row.get(3)?,
        recipient: row.get(4)?,
        subject: row.get(5)?,
        external_id: row.get(6)?,
        automatic: row.get(7)?,
        state: OutboxState::parse(&state)?,
        attempts: row.get(9)?,
        next_attempt_at: parse_time(&next)?,
        last_error: row.get(11)?,
        queued_at: parse_time(&queued)?,
        sent_at: sent.as_deref().map(parse_time).transpose()?,
    })
}

impl Store {
    /// Lists outbox entries, newest first. With `only_unsent`, leaves out
    /// the sent ones.
    pub fn outbox(&self, only_unsent: bool) -> anyhow::Result<Vec<OutboxEntry>> {
        let mut statement = self.connection.prepare(&format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox o JOIN messages m ON m.id = o.message_id
              WHERE NOT ?1 OR o.state <> 'sent'
              ORDER BY o.id DESC"
        ))?;
        let entries = statement
            .query_map(params![only_unsent], entry_from_row)?
            .collect::<Result<Vec<_>, _>>()
            .context("reading the outbox")?;
        Ok(entries)
    }

    /// Lists the outbox entries of a conversation's outbound messages,
    /// oldest first.
    pub fn conversation_outbox(&self, conversation_id: i64) -> anyhow::Result<Vec<OutboxEntry>> {
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox o JOIN messages m ON m.id = o.message_id
              WHERE m.conversation_id = ?1
              ORDER BY o.id"
        ))?;
        let entries = statement
            .query_map(params![conversation_id], entry_from_row)?
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("reading the outbox of conversation {conversation_id}"))?;
        Ok(entries)
    }

    /// Returns one outbox entry.
    pub fn outbox_entry(&self, id: i64) -> anyhow::Result<Option<OutboxEntry>> {
        self.connection
            .query_row(
                &format!(
                    "SELECT {ENTRY_COLUMNS} FROM outbox o JOIN messages m ON m.id = o.message_id
                      WHERE o.id = ?1"
                ),
                params![id],
                entry_from_row,
            )
            .optional()
            .with_context(|| format!("reading outbox entry {id}"))
    }
}

impl Writer<'_> {
    /// Returns the secret stored under `name`, making and storing a random
    /// one of `make`'s choosing when there is none.
    pub fn installation_secret(
        &self,
        name: &str,
        make: impl FnOnce() -> anyhow::Result<Vec<u8>>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<u8>> {
        if let Some(secret) = self.existing_installation_secret(name)? {
            return Ok(secret);
        }
        self.tx.execute(
            "INSERT INTO installation_secrets (name, value, created_at) VALUES (?1, ?2, ?3)",
            params![name, make()?, format_time(now)],
        )?;
        self.existing_installation_secret(name)?
            .with_context(|| format!("reading back the installation secret {name}"))
    }

    /// Returns the secret stored under `name`, if one was made.
    pub fn existing_installation_secret(&self, name: &str) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self
            .query_row_cached(
                "SELECT value FROM installation_secrets WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Adds an entry to the outbox, due at once.
    pub fn queue_outbound(
        &self,
        entry: &NewOutboxEntry<'_>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<i64> {
        self.tx.execute(
            "INSERT INTO outbox (channel, message_id, ticket_id, recipient, automatic,
                                 next_attempt_at, queued_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![
                entry.channel.as_str(),
                entry.message_id,
                entry.ticket_id,
                entry.recipient,
                entry.automatic,
                format_time(now)
            ],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Counts the automatic messages queued to `recipient` since `since`,
    /// whatever became of them. Addresses are compared without letter case.
    pub fn automatic_outbound_since(
        &self,
        recipient: &str,
        since: DateTime<Utc>,
    ) -> anyhow::Result<u32> {
        Ok(self.tx.query_row(
            "SELECT count(*) FROM outbox
              WHERE automatic = 1 AND lower(recipient) = lower(?1) AND queued_at >= ?2",
            params![recipient, format_time(since)],
            |row| row.get(0),
        )?)
    }

    /// Puts entries whose attempt started before `stale_before` back in the
    /// queue: the process sending them ended without recording the result.
    /// Returns their ids.
    pub fn requeue_interrupted(&self, stale_before: DateTime<Utc>) -> anyhow::Result<Vec<i64>> {
        let mut statement = self.tx.prepare(
            "UPDATE outbox SET state = 'queued', sending_since = NULL,
                    last_error = 'an attempt was interrupted before the server answered; \
                                  the message may have been delivered once already'
              WHERE state = 'sending' AND sending_since < ?1
              RETURNING id",
        )?;
        let ids = statement
            .query_map(params![format_time(stale_before)], |row| row.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(ids)
    }

    /// Marks the entries of `channel` that are due at `now` as being sent
    /// and returns them, at most `limit`, oldest first. Another process
    /// that claims at the same time gets none of them.
    pub fn claim_due_outbound(
        &self,
        channel: Channel,
        now: DateTime<Utc>,
        limit: usize,
    ) -> anyhow::Result<Vec<PendingDelivery>> {
        let ids: Vec<i64> = {
            let mut statement = self.tx.prepare(
                "SELECT id FROM outbox
                  WHERE state = 'queued' AND channel = ?1 AND next_attempt_at <= ?2
                  ORDER BY next_attempt_at, id LIMIT ?3",
            )?;
            statement
                .query_map(
                    params![channel.as_str(), format_time(now), limit as i64],
                    |row| row.get(0),
                )?
                .collect::<Result<_, _>>()?
        };
        let mut claimed = Vec::with_capacity(ids.len());
        for id in ids {
            self.tx.execute(
                "UPDATE outbox SET state = 'sending', sending_since = ?2 WHERE id = ?1",
                params![id, format_time(now)],
            )?;
            claimed.push(self.pending_delivery(id)?);
        }
        Ok(claimed)
    }

    fn pending_delivery(&self, outbox_id: i64) -> anyhow::Result<PendingDelivery> {
        let delivery = self.tx.query_row(
            "SELECT o.channel, o.recipient, cu.name, m.sender_address, m.sender_name, m.subject,
                    m.body_text, m.external_id, m.replies_to, coalesce(m.sent_at, m.received_at),
                    o.attempts, r.bytes, c.thread_key
               FROM outbox o
               JOIN messages m ON m.id = o.message_id
               JOIN conversations c ON c.id = m.conversation_id
               JOIN customers cu ON cu.id = c.customer_id
               LEFT JOIN raw_inputs r ON r.id = o.formatted_input_id
              WHERE o.id = ?1",
            params![outbox_id],
            |row| {
                let replies_to: String = row.get(8)?;
                let sent_at: String = row.get(9)?;
                Ok(PendingDelivery {
                    outbox_id,
                    channel: parse_column(row, 0)?,
                    recipient: row.get(1)?,
                    recipient_name: row.get(2)?,
                    sender_address: row.get(3)?,
                    sender_name: row.get(4)?,
                    subject: row.get(5)?,
                    body_text: row.get(6)?,
                    external_id: row.get::<_, Option<String>>(7)?.unwrap_or_default(),
                    replies_to: serde_json::from_str(&replies_to).unwrap_or_default(),
                    thread_key: row.get(12)?,
                    sent_at: parse_time(&sent_at)?,
                    attempts: row.get(10)?,
                    formatted: row.get(11)?,
                })
            },
        )?;
        Ok(delivery)
    }

    /// Links the bytes the channel adapter made for an entry, so every
    /// attempt sends the same bytes.
    pub fn set_outbound_formatted(&self, outbox_id: i64, raw_input_id: i64) -> anyhow::Result<()> {
        self.tx.execute(
            "UPDATE outbox SET formatted_input_id = ?2 WHERE id = ?1",
            params![outbox_id, raw_input_id],
        )?;
        Ok(())
    }

    /// Records a delivered entry.
    pub fn mark_outbound_sent(&self, outbox_id: i64, at: DateTime<Utc>) -> anyhow::Result<()> {
        self.tx.execute(
            "UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?2,
                    sending_since = NULL, last_error = NULL
              WHERE id = ?1",
            params![outbox_id, format_time(at)],
        )?;
        Ok(())
    }

    /// Records a failed attempt: the entry waits until `retry_at`, or, when
    /// `retry_at` is `None`, is given up as failed.
    pub fn mark_outbound_attempt_failed(
        &self,
        outbox_id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let (state, next) = match retry_at {
            Some(at) => ("queued", at),
            None => ("failed", now),
        };
        self.tx.execute(
            "UPDATE outbox SET state = ?2, attempts = attempts + 1, last_error = ?3,
                    next_attempt_at = ?4, sending_since = NULL
              WHERE id = ?1",
            params![outbox_id, state, error, format_time(next)],
        )?;
        Ok(())
    }

    /// Queues a failed entry again, due at once. Returns false when the
    /// entry does not exist or is not failed.
    pub fn retry_outbound(&self, outbox_id: i64, now: DateTime<Utc>) -> anyhow::Result<bool> {
        let changed = self.tx.execute(
            "UPDATE outbox SET state = 'queued', next_attempt_at = ?2 WHERE id = ?1 AND state = 'failed'",
            params![outbox_id, format_time(now)],
        )?;
        Ok(changed == 1)
    }

    /// Returns the ticket's conversation, its channel, customer and subject
    /// (the ticket's, else the conversation's).
    pub fn reply_target(&self, ticket_id: i64) -> anyhow::Result<Option<ReplyTarget>> {
        Ok(self
            .tx
            .query_row(
                "SELECT c.id, c.channel, cu.id, cu.name, coalesce(t.subject, c.subject),
                        c.thread_key
                   FROM tickets t
                   JOIN conversations c ON c.id = t.conversation_id
                   JOIN customers cu ON cu.id = c.customer_id
                  WHERE t.id = ?1",
                params![ticket_id],
                |row| {
                    Ok(ReplyTarget {
                        conversation_id: row.get(0)?,
                        channel: parse_column(row, 1)?,
                        customer_id: row.get(2)?,
                        customer_name: row.get(3)?,
                        subject: row.get(4)?,
                        thread_key: row.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    /// Returns the address a reply in a conversation goes to: the sender of
    /// the latest inbound message, else the customer's first address on
    /// the channel.
    pub fn reply_address(
        &self,
        conversation_id: i64,
        customer_id: i64,
        channel: Channel,
    ) -> anyhow::Result<Option<String>> {
        let latest: Option<String> = self
            .tx
            .query_row(
                "SELECT sender_address FROM messages
                  WHERE conversation_id = ?1 AND direction = 'inbound'
                  ORDER BY coalesce(sent_at, received_at) DESC, id DESC LIMIT 1",
                params![conversation_id],
                |row| row.get(0),
            )
            .optional()?;
        if latest.is_some() {
            return Ok(latest);
        }
        Ok(self
            .tx
            .query_row(
                "SELECT value FROM customer_identities
                  WHERE customer_id = ?1 AND kind = ?2 ORDER BY id LIMIT 1",
                params![customer_id, channel.as_str()],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Returns the channel ids of a conversation's messages, newest first,
    /// at most `limit`.
    pub fn conversation_external_ids(
        &self,
        conversation_id: i64,
        limit: usize,
    ) -> anyhow::Result<Vec<String>> {
        let mut statement = self.tx.prepare(
            "SELECT external_id FROM messages
              WHERE conversation_id = ?1 AND external_id IS NOT NULL AND trim(external_id) <> ''
              ORDER BY coalesce(sent_at, received_at) DESC, id DESC LIMIT ?2",
        )?;
        let ids = statement
            .query_map(params![conversation_id, limit as i64], |row| row.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(ids)
    }

    /// Returns the automation kind of the latest inbound message of a
    /// conversation, when a machine wrote it.
    pub fn latest_inbound_automation(
        &self,
        conversation_id: i64,
    ) -> anyhow::Result<Option<String>> {
        Ok(self
            .tx
            .query_row(
                "SELECT automation_kind FROM messages
                  WHERE conversation_id = ?1 AND direction = 'inbound'
                  ORDER BY coalesce(sent_at, received_at) DESC, id DESC LIMIT 1",
                params![conversation_id],
                |row| row.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Returns the conversation of a ticket and its customer. A merged
    /// ticket keeps its conversation, whose messages reach the ticket it
    /// was merged into.
    pub fn ticket_conversation_customer(
        &self,
        ticket_id: i64,
    ) -> anyhow::Result<Option<(i64, i64)>> {
        Ok(self
            .tx
            .query_row(
                "SELECT c.id, c.customer_id FROM tickets t
                   JOIN conversations c ON c.id = t.conversation_id
                  WHERE t.id = ?1",
                params![ticket_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?)
    }

    /// Returns the customer and channel of a conversation.
    pub fn conversation_owner(
        &self,
        conversation_id: i64,
    ) -> anyhow::Result<Option<(i64, Channel)>> {
        let found: Option<(i64, String)> = self
            .tx
            .query_row(
                "SELECT customer_id, channel FROM conversations WHERE id = ?1",
                params![conversation_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        match found {
            None => Ok(None),
            Some((customer, channel)) => Ok(Some((customer, channel.parse()?))),
        }
    }

    /// Appends an outbound-mail event to a ticket's history.
    pub fn record_outbound_event(
        &self,
        ticket_id: i64,
        at: DateTime<Utc>,
        actor: &str,
        kind: &str,
        detail: &serde_json::Value,
        reason: &str,
    ) -> anyhow::Result<()> {
        self.append_event(ticket_id, at, actor, kind, detail, reason)
    }
}

/// The destination of a reply on a ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyTarget {
    pub conversation_id: i64,
    pub channel: Channel,
    pub customer_id: i64,
    pub customer_name: Option<String>,
    pub subject: Option<String>,
    /// The conversation's id on its channel, for example `chatwoot:7`.
    pub thread_key: Option<String>,
}
