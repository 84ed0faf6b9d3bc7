//! Queries behind the lists in the app and the CLI.

use anyhow::Context;
use rusqlite::{OptionalExtension, Row, params};

use super::{Store, parse_time};
use crate::model::{
    Automation, Channel, ConversationSummary, Customer, Party, QuarantineEntry, StoredMessage,
    Ticket, TicketEvent,
};

/// The columns of a [`Ticket`] as [`ticket_from_row`] reads them, before
/// the `WHERE` and `ORDER BY` clauses.
const TICKET_SELECT: &str = "SELECT t.id, t.conversation_id, t.subject, t.ticket_type, t.priority,
        t.source, t.status, t.assignee, cu.name,
        (SELECT value FROM customer_identities i
          WHERE i.customer_id = c.customer_id AND i.kind = t.source
          ORDER BY i.id LIMIT 1),
        (SELECT json_group_array(tag) FROM
           (SELECT tag FROM ticket_tags g WHERE g.ticket_id = t.id ORDER BY tag)),
        t.created_at, t.updated_at
   FROM tickets t
   JOIN conversations c ON c.id = t.conversation_id
   JOIN customers cu ON cu.id = c.customer_id";

fn ticket_from_row(row: &Row<'_>) -> rusqlite::Result<Ticket> {
    Ok(Ticket {
        id: row.get(0)?,
        conversation_id: row.get(1)?,
        subject: row.get(2)?,
        ticket_type: row.get(3)?,
        priority: row.get(4)?,
        source: parse_column(row, 5)?,
        status: row.get(6)?,
        assignee: row.get(7)?,
        customer_name: row.get(8)?,
        customer_address: row.get(9)?,
        tags: json_column(row, 10)?,
        created_at: parse_time(&row.get::<_, String>(11)?)?,
        updated_at: parse_time(&row.get::<_, String>(12)?)?,
    })
}

/// Counts of stored rows, for summaries and health checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub customers: u64,
    pub conversations: u64,
    pub messages: u64,
    pub tickets: u64,
    pub quarantined: u64,
    pub raw_inputs: u64,
}

impl Store {
    /// True when an input with this SHA-256 hash is stored and was not
    /// quarantined whole.
    pub fn input_imported(&self, sha256: &str) -> anyhow::Result<bool> {
        Ok(self
            .connection
            .prepare_cached(super::INPUT_IMPORTED_SQL)?
            .query_row(params![sha256], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Lists conversations, latest activity first.
    pub fn conversations(&self) -> anyhow::Result<Vec<ConversationSummary>> {
        let mut statement = self.connection.prepare(
            "SELECT c.id, c.channel, c.customer_id, cu.name,
                    (SELECT value FROM customer_identities i
                      WHERE i.customer_id = c.customer_id AND i.kind = c.channel
                      ORDER BY i.id LIMIT 1),
                    c.subject,
                    (SELECT body_text FROM messages m WHERE m.conversation_id = c.id
                      ORDER BY m.id DESC LIMIT 1),
                    (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id),
                    c.last_message_at,
                    (SELECT direction = 'inbound' AND automation_kind IS NULL
                            AND coalesce(json_extract(call, '$.answered'), 0) = 0
                       FROM messages m WHERE m.conversation_id = c.id
                      ORDER BY coalesce(m.sent_at, m.received_at) DESC, m.id DESC LIMIT 1),
                    (SELECT t.id FROM tickets t WHERE t.conversation_id = c.id
                      ORDER BY t.id LIMIT 1)
               FROM conversations c JOIN customers cu ON cu.id = c.customer_id
              ORDER BY c.last_message_at DESC, c.id DESC",
        )?;
        let rows = statement.query_map([], |row| {
            let body: Option<String> = row.get(6)?;
            Ok(ConversationSummary {
                id: row.get(0)?,
                channel: parse_column(row, 1)?,
                customer_id: row.get(2)?,
                customer_name: row.get(3)?,
                customer_address: row.get(4)?,
                subject: row.get(5)?,
                preview: first_line(body.as_deref().unwrap_or("")),
                message_count: row.get(7)?,
                last_message_at: parse_time(&row.get::<_, String>(8)?)?,
                unanswered: row.get::<_, Option<bool>>(9)?.unwrap_or(false),
                ticket_id: row.get(10)?,
            })
        })?;
        rows.collect::<Result<_, _>>()
            .context("reading conversations")
    }

    /// Lists the messages of one conversation, oldest first.
    pub fn messages(&self, conversation_id: i64) -> anyhow::Result<Vec<StoredMessage>> {
        let mut statement = self.connection.prepare(
            "SELECT id, conversation_id, channel, direction, sender_name, sender_address,
                    sent_at, received_at, subject, body_text, external_id,
                    automation_kind, automation_evidence, call, attachments, notes
               FROM messages WHERE conversation_id = ?1
              ORDER BY coalesce(sent_at, received_at), id",
        )?;
        let rows = statement.query_map(params![conversation_id], message_from_row)?;
        rows.collect::<Result<_, _>>()
            .with_context(|| format!("reading messages of conversation {conversation_id}"))
    }

    /// Lists the latest `limit` messages of one conversation, oldest
    /// first, for views that show a long conversation a window at a time.
    /// SQLite walks the end of the index `messages_conversation_time`, so
    /// the older messages are not read.
    pub fn latest_messages(
        &self,
        conversation_id: i64,
        limit: usize,
    ) -> anyhow::Result<Vec<StoredMessage>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT id, conversation_id, channel, direction, sender_name, sender_address,
                    sent_at, received_at, subject, body_text, external_id,
                    automation_kind, automation_evidence, call, attachments, notes
               FROM messages
              WHERE id IN (SELECT id FROM messages WHERE conversation_id = ?1
                            ORDER BY coalesce(sent_at, received_at) DESC, id DESC
                            LIMIT ?2)
              ORDER BY coalesce(sent_at, received_at), id",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = statement.query_map(params![conversation_id, limit], message_from_row)?;
        rows.collect::<Result<_, _>>()
            .with_context(|| format!("reading messages of conversation {conversation_id}"))
    }

    /// Lists tickets, newest first.
    pub fn tickets(&self) -> anyhow::Result<Vec<Ticket>> {
        let mut statement = self
            .connection
            .prepare(&format!("{TICKET_SELECT} ORDER BY t.id DESC"))?;
        let rows = statement.query_map([], ticket_from_row)?;
        rows.collect::<Result<_, _>>().context("reading tickets")
    }

    /// Lists the tickets with the given ids in ascending id order. Ids of
    /// no ticket are left out.
    pub fn tickets_with_ids(&self, ids: &[i64]) -> anyhow::Result<Vec<Ticket>> {
        let mut statement = self.connection.prepare(&format!(
            "{TICKET_SELECT} WHERE t.id IN (SELECT value FROM json_each(?1)) ORDER BY t.id"
        ))?;
        let ids = serde_json::to_string(ids)?;
        let rows = statement.query_map(params![ids], ticket_from_row)?;
        rows.collect::<Result<_, _>>()
            .context("reading tickets by id")
    }

    /// Lists the history of one ticket, oldest first.
    pub fn ticket_events(&self, ticket_id: i64) -> anyhow::Result<Vec<TicketEvent>> {
        let mut statement = self.connection.prepare(
            "SELECT id, ticket_id, at, actor, kind, detail, reason
               FROM ticket_events WHERE ticket_id = ?1 ORDER BY id",
        )?;
        let rows = statement.query_map(params![ticket_id], |row| {
            Ok(TicketEvent {
                id: row.get(0)?,
                ticket_id: row.get(1)?,
                at: parse_time(&row.get::<_, String>(2)?)?,
                actor: row.get(3)?,
                kind: row.get(4)?,
                detail: json_column(row, 5)?,
                reason: row.get(6)?,
            })
        })?;
        rows.collect::<Result<_, _>>()
            .with_context(|| format!("reading the history of ticket {ticket_id}"))
    }

    /// Lists quarantined inputs, newest first.
    pub fn quarantine(&self) -> anyhow::Result<Vec<QuarantineEntry>> {
        let mut statement = self.connection.prepare(
            "SELECT q.id, r.source_name, q.adapter, q.reason,
                    coalesce(q.span_length, length(r.bytes)), q.quarantined_at
               FROM quarantine q JOIN raw_inputs r ON r.id = q.raw_input_id
              ORDER BY q.id DESC",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(QuarantineEntry {
                id: row.get(0)?,
                source_name: row.get(1)?,
                adapter: row.get(2)?,
                reason: row.get(3)?,
                size: row.get(4)?,
                quarantined_at: parse_time(&row.get::<_, String>(5)?)?,
            })
        })?;
        rows.collect::<Result<_, _>>().context("reading quarantine")
    }

    /// Returns the raw bytes a message was read from.
    pub fn message_source(&self, message_id: i64) -> anyhow::Result<Option<Vec<u8>>> {
        let found = self
            .connection
            .query_row(
                "SELECT r.bytes, m.raw_offset, m.raw_length
                   FROM messages m JOIN raw_inputs r ON r.id = m.raw_input_id
                  WHERE m.id = ?1",
                params![message_id],
                |row| {
                    Ok((
                        row.get::<_, Vec<u8>>(0)?,
                        row.get::<_, Option<u64>>(1)?,
                        row.get::<_, Option<u64>>(2)?,
                    ))
                },
            )
            .optional()?;
        Ok(found.map(|(bytes, offset, length)| match (offset, length) {
            (Some(offset), Some(length)) => {
                let start = (offset as usize).min(bytes.len());
                let end = start.saturating_add(length as usize).min(bytes.len());
                bytes[start..end].to_vec()
            }
            _ => bytes,
        }))
    }

    /// Finds the customer who owns an address on a channel.
    pub fn customer_by_address(
        &self,
        channel: Channel,
        address: &str,
    ) -> anyhow::Result<Option<Customer>> {
        Ok(self
            .connection
            .query_row(
                "SELECT c.id, c.name, c.tier FROM customers c
                   JOIN customer_identities i ON i.customer_id = c.id
                  WHERE i.kind = ?1 AND i.value = ?2",
                params![
                    channel.as_str(),
                    self.desk.identity.normalize(channel, address)
                ],
                |row| {
                    Ok(Customer {
                        id: row.get(0)?,
                        name: row.get(1)?,
                        tier: row.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Sets a customer's tier, for example `vip`, and moves the customer's
    /// tickets in the queue to match.
    pub fn set_customer_tier(&mut self, customer_id: i64, tier: &str) -> anyhow::Result<()> {
        let writer = self.writer()?;
        writer.set_customer_tier(customer_id, tier)?;
        writer.commit()
    }

    /// Counts the stored rows of each kind.
    pub fn counts(&self) -> anyhow::Result<Counts> {
        Ok(self.connection.query_row(
            "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM conversations),
                    (SELECT count(*) FROM messages), (SELECT count(*) FROM tickets),
                    (SELECT count(*) FROM quarantine), (SELECT count(*) FROM raw_inputs)",
            [],
            |row| {
                Ok(Counts {
                    customers: row.get(0)?,
                    conversations: row.get(1)?,
                    messages: row.get(2)?,
                    tickets: row.get(3)?,
                    quarantined: row.get(4)?,
                    raw_inputs: row.get(5)?,
                })
            },
        )?)
    }
}

pub(super) fn message_from_row(row: &Row<'_>) -> rusqlite::Result<StoredMessage> {
    let automation = match row.get::<_, Option<String>>(11)? {
        Some(kind) => Some(Automation {
            kind: kind.parse().map_err(conversion_error)?,
            evidence: row.get::<_, Option<String>>(12)?.unwrap_or_default(),
        }),
        None => None,
    };
    let call = match row.get::<_, Option<String>>(13)? {
        Some(json) => Some(serde_json::from_str(&json).map_err(conversion_error)?),
        None => None,
    };
    Ok(StoredMessage {
        id: row.get(0)?,
        conversation_id: row.get(1)?,
        channel: parse_column(row, 2)?,
        direction: parse_column(row, 3)?,
        sender: Party {
            name: row.get(4)?,
            address: row.get(5)?,
        },
        sent_at: row
            .get::<_, Option<String>>(6)?
            .map(|text| parse_time(&text))
            .transpose()?,
        received_at: parse_time(&row.get::<_, String>(7)?)?,
        subject: row.get(8)?,
        body_text: row.get(9)?,
        external_id: row.get(10)?,
        automation,
        call,
        attachments: json_column(row, 14)?,
        notes: json_column(row, 15)?,
    })
}

/// Reads a text column through the type's `FromStr`.
pub(super) fn parse_column<T>(row: &Row<'_>, index: usize) -> rusqlite::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    row.get::<_, String>(index)?
        .parse()
        .map_err(conversion_error)
}

/// Reads a column that stores JSON.
fn json_column<T: serde::de::DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    serde_json::from_str(&row.get::<_, String>(index)?).map_err(conversion_error)
}

fn conversion_error(error: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(error))
}

fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("");
    const MAX_CHARS: usize = 120;
    if line.chars().count() > MAX_CHARS {
        let mut cut: String = line.chars().take(MAX_CHARS).collect();
        cut.push('…');
        cut
    } else {
        line.to_string()
    }
}
