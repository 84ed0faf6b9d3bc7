//! One customer across channels: listing customers with their addresses,
//! and linking, merging and splitting them. Each change is one
//! transaction and is recorded in `customer_changes` with who made it.

use std::collections::BTreeSet;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

use super::{Store, Writer, format_time, parse_time};
use crate::identity::IdentityConfig;
use crate::model::{Channel, StoredMessage};

/// A customer's address on one channel, normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Address {
    pub channel: Channel,
    pub value: String,
}

impl std::fmt::Display for Address {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}:{}", self.channel, self.value)
    }
}

/// Parses an address as agents type it: `email:…`, `phone:…` or `chat:…`,
/// or without a prefix an email address (contains `@`) or a phone number
/// (digits, spaces and `+-()`). The value is normalised as stored.
pub fn parse_address(text: &str, identity: &IdentityConfig) -> anyhow::Result<Address> {
    let text = text.trim();
    let (channel, value) = match text.split_once(':') {
        Some((prefix, value)) if ["email", "phone", "chat"].contains(&prefix) => {
            (prefix.parse::<Channel>()?, value.trim())
        }
        _ if text.contains('@') => (Channel::Email, text),
        _ if text.chars().any(|c| c.is_ascii_digit())
            && text
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c)) =>
        {
            (Channel::Phone, text)
        }
        _ => bail!(
            "cannot tell the channel of the address {text:?}; write it as email:ADDRESS, \
             phone:NUMBER or chat:ID, for example chat:chatwoot:42"
        ),
    };
    if value.is_empty() {
        bail!("the address {text:?} is empty after its channel prefix");
    }
    Ok(Address {
        channel,
        value: identity.normalize(channel, value),
    })
}

/// A customer as `kefu customers list` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerSummary {
    pub id: i64,
    pub name: Option<String>,
    pub tier: String,
    pub addresses: Vec<Address>,
    pub conversations: u32,
    pub last_contact: Option<DateTime<Utc>>,
}

/// A recorded merge, split or link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerChange {
    pub id: i64,
    pub kind: String,
    pub from_customer: Option<i64>,
    pub into_customer: i64,
    pub addresses: Vec<String>,
    pub conversations: Vec<i64>,
    pub actor: String,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

/// Everything `kefu customers show` prints about one customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerDetail {
    pub summary: CustomerSummary,
    /// The customer this one was merged into, when it was.
    pub merged_into: Option<i64>,
    /// Merges, splits and links this customer took part in, oldest first.
    pub changes: Vec<CustomerChange>,
    /// Messages of every conversation on every channel, oldest first.
    pub history: Vec<StoredMessage>,
}

/// Addresses and conversations that a merge, split or link moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moved {
    pub addresses: Vec<String>,
    pub conversations: Vec<i64>,
}

/// Author, reason and time of a change to customers.
#[derive(Debug, Clone, Copy)]
pub struct ChangeBy<'a> {
    /// `agent:<name>`, `plugin:<id>` (an adapter's reported identity) or `system`.
    pub actor: &'a str,
    pub reason: Option<&'a str>,
    pub at: DateTime<Utc>,
}

impl Store {
    /// Lists the customers that were not merged into another, by id.
    pub fn customers(&self) -> anyhow::Result<Vec<CustomerSummary>> {
        let ids: Vec<i64> = self
            .connection
            .prepare("SELECT id FROM customers WHERE merged_into IS NULL ORDER BY id")?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        ids.into_iter()
            .map(|id| customer_summary(&self.connection, id))
            .collect()
    }

    /// Reads one customer with its changes and its history on every
    /// channel.
    pub fn customer_detail(&self, id: i64) -> anyhow::Result<CustomerDetail> {
        let merged_into = customer_exists(&self.connection, id)?;
        let summary = customer_summary(&self.connection, id)?;
        let changes = customer_changes(&self.connection, id)?;
        let mut statement = self.connection.prepare(
            "SELECT m.id, m.conversation_id, m.channel, m.direction, m.sender_name,
                    m.sender_address, m.sent_at, m.received_at, m.subject, m.body_text,
                    m.external_id, m.automation_kind, m.automation_evidence, m.call,
                    m.attachments, m.notes
               FROM messages m JOIN conversations c ON c.id = m.conversation_id
              WHERE c.customer_id = ?1
              ORDER BY coalesce(m.sent_at, m.received_at), m.id",
        )?;
        let history = statement
            .query_map(params![id], super::read::message_from_row)?
            .collect::<Result<_, _>>()
            .context("reading the customer's messages")?;
        Ok(CustomerDetail {
            summary,
            merged_into,
            changes,
            history,
        })
    }

    /// Adds an address to a customer, so later messages from it reach
    /// that customer. Fails, changing nothing, when another customer owns
    /// the address.
    pub fn link_address(
        &mut self,
        id: i64,
        address: &str,
        by: ChangeBy,
    ) -> anyhow::Result<Address> {
        let address = parse_address(address, &self.desk.identity)?;
        let writer = self.writer()?;
        writer.link_address(id, &address, by)?;
        writer.commit()?;
        Ok(address)
    }

    /// Merges customer `from` into `into`: its addresses, conversations
    /// (with their tickets) and tasks move, and `from` stays behind as a
    /// record that points at `into`.
    pub fn merge_customers(&mut self, from: i64, into: i64, by: ChangeBy) -> anyhow::Result<Moved> {
        let writer = self.writer()?;
        let moved = merge(&writer.tx, from, into, by)?;
        // The tickets that moved now rank by the tier of `into`.
        writer.refresh_customer_tickets(into)?;
        writer.commit()?;
        Ok(moved)
    }

    /// Moves one address of customer `id`, with the conversations it
    /// started, to a new customer. Returns the new customer's id.
    pub fn split_customer(
        &mut self,
        id: i64,
        address: &str,
        by: ChangeBy,
    ) -> anyhow::Result<(i64, Moved)> {
        let address = parse_address(address, &self.desk.identity)?;
        let identity = self.desk.identity;
        let writer = self.writer()?;
        require_active(&writer.tx, id)?;
        match owner_of(&writer.tx, &address)? {
            Some(owner) if owner == id => {}
            Some(owner) => bail!(
                "the address {address} belongs to customer {owner}, not {id}; \
                 see `kefu customers show {id}` for its addresses"
            ),
            None => bail!(
                "no customer has the address {address}; see `kefu customers show {id}` \
                 for its addresses"
            ),
        }
        let addresses = addresses_of(&writer.tx, id)?;
        if addresses.len() < 2 {
            bail!(
                "{address} is the only address of customer {id}, so there is nothing to \
                 split it from"
            );
        }
        let conversations = conversations_started_by(&writer.tx, id, &address, &identity)?;
        let (name, tier): (Option<String>, String) = writer.tx.query_row(
            "SELECT name, tier FROM customers WHERE id = ?1",
            params![id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let name = first_sender_name(&writer.tx, &conversations)?.or(name);
        writer.tx.execute(
            "INSERT INTO customers (name, tier, created_at) VALUES (?1, ?2, ?3)",
            params![name, tier, format_time(by.at)],
        )?;
        let new_id = writer.tx.last_insert_rowid();
        writer.tx.execute(
            "UPDATE customer_identities SET customer_id = ?1
              WHERE customer_id = ?2 AND kind = ?3 AND value = ?4",
            params![new_id, id, address.channel.as_str(), address.value],
        )?;
        for conversation in &conversations {
            move_conversation(&writer.tx, *conversation, new_id)?;
        }
        let moved = Moved {
            addresses: vec![address.to_string()],
            conversations,
        };
        record_change(&writer.tx, "split", Some(id), new_id, &moved, by)?;
        writer.refresh_customer_tickets(new_id)?;
        writer.commit()?;
        Ok((new_id, moved))
    }
}

impl Writer<'_> {
    /// Adds a normalised address to a customer in this transaction and
    /// records the link. Fails when another customer owns the address or
    /// the customer has it already.
    pub fn link_address(&self, id: i64, address: &Address, by: ChangeBy) -> anyhow::Result<()> {
        require_active(&self.tx, id)?;
        match owner_of(&self.tx, address)? {
            Some(owner) if owner == id => {
                bail!("customer {id} already has the address {address}")
            }
            Some(owner) => bail!(
                "the address {address} belongs to customer {owner}; to make them one \
                 customer, run `kefu customers merge {owner} {id}`"
            ),
            None => {}
        }
        self.execute_cached(
            "INSERT INTO customer_identities (customer_id, kind, value) VALUES (?1, ?2, ?3)",
            params![id, address.channel.as_str(), address.value],
        )?;
        let moved = Moved {
            addresses: vec![address.to_string()],
            conversations: Vec::new(),
        };
        record_change(&self.tx, "link", None, id, &moved, by)
    }

    /// Returns the customer who owns a normalised address, if any.
    pub fn address_owner(&self, address: &Address) -> anyhow::Result<Option<i64>> {
        owner_of(&self.tx, address)
    }
}

/// Merges customer `from` into `into` inside the caller's transaction.
pub(super) fn merge(
    connection: &Connection,
    from: i64,
    into: i64,
    by: ChangeBy,
) -> anyhow::Result<Moved> {
    if from == into {
        bail!("cannot merge customer {from} into itself; give two different customer ids");
    }
    require_active(connection, from)?;
    require_active(connection, into)?;
    let addresses = addresses_of(connection, from)?
        .iter()
        .map(Address::to_string)
        .collect();
    let conversations: Vec<i64> = connection
        .prepare("SELECT id FROM conversations WHERE customer_id = ?1 ORDER BY id")?
        .query_map(params![from], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    connection.execute(
        "UPDATE customer_identities SET customer_id = ?2 WHERE customer_id = ?1",
        params![from, into],
    )?;
    connection.execute(
        "UPDATE conversations SET customer_id = ?2 WHERE customer_id = ?1",
        params![from, into],
    )?;
    connection.execute(
        "UPDATE tasks SET customer_id = ?2 WHERE customer_id = ?1",
        params![from, into],
    )?;
    connection.execute(
        "UPDATE customers SET name = coalesce(name, (SELECT name FROM customers WHERE id = ?1))
          WHERE id = ?2",
        params![from, into],
    )?;
    connection.execute(
        "UPDATE customers SET merged_into = ?2 WHERE id = ?1",
        params![from, into],
    )?;
    let moved = Moved {
        addresses,
        conversations,
    };
    record_change(connection, "merge", Some(from), into, &moved, by)?;
    Ok(moved)
}

/// Returns the customer a customer was merged into, or fails when it does
/// not exist.
fn customer_exists(connection: &Connection, id: i64) -> anyhow::Result<Option<i64>> {
    connection
        .query_row(
            "SELECT merged_into FROM customers WHERE id = ?1",
            params![id],
            |row| row.get(0),
        )
        .optional()?
        .with_context(|| format!("customer {id} not found; `kefu customers list` shows the ids"))
}

/// Fails unless the customer exists and was not merged into another.
fn require_active(connection: &Connection, id: i64) -> anyhow::Result<()> {
    if let Some(into) = customer_exists(connection, id)? {
        bail!("customer {id} was merged into customer {into}; use {into} instead");
    }
    Ok(())
}

fn owner_of(connection: &Connection, address: &Address) -> anyhow::Result<Option<i64>> {
    Ok(connection
        .query_row(
            "SELECT customer_id FROM customer_identities WHERE kind = ?1 AND value = ?2",
            params![address.channel.as_str(), address.value],
            |row| row.get(0),
        )
        .optional()?)
}

fn addresses_of(connection: &Connection, id: i64) -> anyhow::Result<Vec<Address>> {
    let mut statement = connection.prepare(
        "SELECT kind, value FROM customer_identities WHERE customer_id = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map(params![id], |row| {
        let kind: String = row.get(0)?;
        Ok((kind, row.get::<_, String>(1)?))
    })?;
    let mut addresses = Vec::new();
    for row in rows {
        let (kind, value) = row?;
        addresses.push(Address {
            channel: kind.parse()?,
            value,
        });
    }
    Ok(addresses)
}

fn customer_summary(connection: &Connection, id: i64) -> anyhow::Result<CustomerSummary> {
    let (name, tier, conversations, last_contact): (Option<String>, String, u32, Option<String>) =
        connection.query_row(
            "SELECT name, tier,
                    (SELECT count(*) FROM conversations WHERE customer_id = c.id),
                    (SELECT max(last_message_at) FROM conversations WHERE customer_id = c.id)
               FROM customers c WHERE id = ?1",
            params![id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )?;
    Ok(CustomerSummary {
        id,
        name,
        tier,
        addresses: addresses_of(connection, id)?,
        conversations,
        last_contact: last_contact.as_deref().map(parse_time).transpose()?,
    })
}

fn customer_changes(connection: &Connection, id: i64) -> anyhow::Result<Vec<CustomerChange>> {
    let mut statement = connection.prepare(
        "SELECT id, kind, from_customer, into_customer, detail, actor, reason, at
           FROM customer_changes WHERE from_customer = ?1 OR into_customer = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map(params![id], |row| {
        let detail: String = row.get(4)?;
        let at: String = row.get(7)?;
        Ok((
            row.get(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            detail,
            row.get(5)?,
            row.get(6)?,
            at,
        ))
    })?;
    let mut changes = Vec::new();
    for row in rows {
        let (id, kind, from_customer, into_customer, detail, actor, reason, at) = row?;
        let moved: Moved = serde_json::from_str::<serde_json::Value>(&detail)
            .ok()
            .map(|value| Moved {
                addresses: serde_json::from_value(value["addresses"].clone()).unwrap_or_default(),
                conversations: serde_json::from_value(value["conversations"].clone())
                    .unwrap_or_default(),
            })
            .with_context(|| format!("customer change {id} has invalid detail {detail:?}"))?;
        changes.push(CustomerChange {
            id,
            kind,
            from_customer,
            into_customer,
            addresses: moved.addresses,
            conversations: moved.conversations,
            actor,
            reason,
            at: parse_time(&at)?,
        });
    }
    Ok(changes)
}

fn record_change(
    connection: &Connection,
    kind: &str,
    from: Option<i64>,
    into: i64,
    moved: &Moved,
    by: ChangeBy,
) -> anyhow::Result<()> {
    let detail = json!({
        "addresses": moved.addresses,
        "conversations": moved.conversations,
    });
    connection.execute(
        "INSERT INTO customer_changes (kind, from_customer, into_customer, detail, actor, reason, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            kind,
            from,
            into,
            detail.to_string(),
            by.actor,
            by.reason,
            format_time(by.at)
        ],
    )?;
    Ok(())
}

/// Conversations of customer `id` that `address` started: on a phone
/// conversation the caller's number is its key, and on other channels the
/// first inbound message came from the address.
fn conversations_started_by(
    connection: &Connection,
    id: i64,
    address: &Address,
    identity: &IdentityConfig,
) -> anyhow::Result<Vec<i64>> {
    let mut statement = connection.prepare(
        "SELECT c.id, c.thread_key,
                (SELECT m.sender_address FROM messages m
                  WHERE m.conversation_id = c.id AND m.direction = 'inbound'
                  ORDER BY coalesce(m.sent_at, m.received_at), m.id LIMIT 1)
           FROM conversations c WHERE c.customer_id = ?1 AND c.channel = ?2 ORDER BY c.id",
    )?;
    let rows = statement.query_map(params![id, address.channel.as_str()], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, Option<String>>(1)?,
            row.get::<_, Option<String>>(2)?,
        ))
    })?;
    let mut started = BTreeSet::new();
    for row in rows {
        let (conversation, thread_key, first_sender) = row?;
        let matches = |text: &Option<String>| {
            text.as_deref()
                .is_some_and(|text| identity.normalize(address.channel, text) == address.value)
        };
        let by_key = address.channel == Channel::Phone && matches(&thread_key);
        if by_key || matches(&first_sender) {
            started.insert(conversation);
        }
    }
    Ok(started.into_iter().collect())
}

fn first_sender_name(
    connection: &Connection,
    conversations: &[i64],
) -> anyhow::Result<Option<String>> {
    for conversation in conversations {
        let name: Option<String> = connection
            .query_row(
                "SELECT sender_name FROM messages
                  WHERE conversation_id = ?1 AND direction = 'inbound' AND sender_name IS NOT NULL
                  ORDER BY id LIMIT 1",
                params![conversation],
                |row| row.get(0),
            )
            .optional()?;
        if name.is_some() {
            return Ok(name);
        }
    }
    Ok(None)
}

/// Moves a conversation, and the tasks that came from it or its tickets,
/// to another customer.
fn move_conversation(
    connection: &Connection,
    conversation: i64,
    customer: i64,
) -> anyhow::Result<()> {
    connection.execute(
        "UPDATE conversations SET customer_id = ?2 WHERE id = ?1",
        params![conversation, customer],
    )?;
    connection.execute(
        "UPDATE tasks SET customer_id = ?2
          WHERE message_id IN (SELECT id FROM messages WHERE conversation_id = ?1)
             OR ticket_id IN (SELECT id FROM tickets WHERE conversation_id = ?1)",
        params![conversation, customer],
    )?;
    Ok(())
}

/// Rewrites stored phone identities and phone conversation keys in the
/// current normalised form (E.164 where the number is valid), inside the
/// caller's transaction. Two customers whose numbers turn out to be the
/// same are merged into the older one, recorded as done by `system`.
///
/// A conversation whose new key another conversation has already keeps
/// its old key, so nothing is lost, and new calls join the other one.
pub(super) fn renormalize_phone_numbers(
    connection: &Connection,
    identity: &IdentityConfig,
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    let rows: Vec<(i64, String)> = connection
        .prepare("SELECT id, value FROM customer_identities WHERE kind = 'phone' ORDER BY id")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let by = ChangeBy {
        actor: "system",
        reason: Some("the two customers' phone numbers are the same number in E.164"),
        at,
    };
    for (row_id, value) in rows {
        let normalized = identity.normalize(Channel::Phone, &value);
        if normalized == value {
            continue;
        }
        let address = Address {
            channel: Channel::Phone,
            value: normalized.clone(),
        };
        match owner_of(connection, &address)? {
            None => {
                connection.execute(
                    "UPDATE customer_identities SET value = ?2 WHERE id = ?1",
                    params![row_id, normalized],
                )?;
            }
            Some(owner) => {
                // The current owner of this row: an earlier merge in this
                // loop may have moved it.
                let current: i64 = connection.query_row(
                    "SELECT customer_id FROM customer_identities WHERE id = ?1",
                    params![row_id],
                    |row| row.get(0),
                )?;
                if owner != current {
                    let (from, into) = (owner.max(current), owner.min(current));
                    merge(connection, from, into, by)?;
                }
                connection.execute(
                    "DELETE FROM customer_identities WHERE id = ?1",
                    params![row_id],
                )?;
            }
        }
    }

    let keys: Vec<(i64, String)> = connection
        .prepare(
            "SELECT id, thread_key FROM conversations
              WHERE channel = 'phone' AND thread_key IS NOT NULL ORDER BY id",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (conversation, key) in keys {
        let normalized = identity.normalize(Channel::Phone, &key);
        if normalized != key {
            connection.execute(
                "UPDATE OR IGNORE conversations SET thread_key = ?2 WHERE id = ?1",
                params![conversation, normalized],
            )?;
        }
    }
    Ok(())
}
