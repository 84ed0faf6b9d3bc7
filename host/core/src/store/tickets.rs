//! Ticket state that follows from the lifecycle and the SLA: open or
//! finished, queue rank, deadlines, reopens and the stopped SLA clock.
//!
//! Every function here writes in the caller's transaction, beside the
//! ticket event that explains the change, so the ticket row always agrees
//! with its history.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;

use super::write::{TicketField, Writer};
use super::{Store, format_time, parse_time};

/// Columns of a ticket that follow from its fields, its customer's tier
/// and the desk configuration.
pub(super) struct DerivedColumns {
    pub is_open: bool,
    pub queue_rank: i64,
    pub first_response_due: Option<DateTime<Utc>>,
    pub resolution_due: Option<DateTime<Utc>>,
    /// The next deadline while the SLA clock runs on an open ticket.
    pub due_at: Option<DateTime<Utc>>,
}

/// Ticket fields the SLA reads.
struct SlaRow {
    created_at: DateTime<Utc>,
    priority: String,
    status: String,
    tier: String,
    first_response_at: Option<DateTime<Utc>>,
    sla_paused_at: Option<DateTime<Utc>>,
    sla_paused_seconds: i64,
}

impl Writer<'_> {
    /// Recomputes the columns derived from a ticket's fields, its customer's
    /// tier and the desk configuration: open or not, queue rank, SLA
    /// deadlines and the next due time.
    pub fn refresh_ticket(&self, ticket_id: i64) -> anyhow::Result<()> {
        let derived = self.derived_columns(&self.sla_row(ticket_id)?);
        self.execute_cached(
            "UPDATE tickets SET is_open = ?2, queue_rank = ?3, first_response_due = ?4,
                                resolution_due = ?5, due_at = ?6
              WHERE id = ?1",
            params![
                ticket_id,
                derived.is_open,
                derived.queue_rank,
                derived.first_response_due.map(format_time),
                derived.resolution_due.map(format_time),
                derived.due_at.map(format_time)
            ],
        )?;
        Ok(())
    }

    /// Computes the derived columns of a new ticket, which has no first
    /// response and no paused SLA time yet, for its INSERT. `sla_start` is
    /// the time its SLA clock starts. [`Writer::refresh_ticket`] computes
    /// the same values for an existing ticket.
    pub(super) fn new_ticket_columns(
        &self,
        conversation_id: i64,
        sla_start: DateTime<Utc>,
        priority: &str,
        status: &str,
    ) -> anyhow::Result<DerivedColumns> {
        let tier: String = self.query_row_cached(
            "SELECT cu.tier FROM conversations c JOIN customers cu ON cu.id = c.customer_id
              WHERE c.id = ?1",
            params![conversation_id],
            |row| row.get(0),
        )?;
        Ok(self.derived_columns(&SlaRow {
            created_at: sla_start,
            priority: priority.to_string(),
            status: status.to_string(),
            tier,
            first_response_at: None,
            sla_paused_at: None,
            sla_paused_seconds: 0,
        }))
    }

    fn derived_columns(&self, row: &SlaRow) -> DerivedColumns {
        let lifecycle = &self.desk.lifecycle;
        let is_open = lifecycle.is_open(&row.status);
        let (first_response_due, resolution_due) = self.desk.deadlines(
            row.created_at,
            &row.priority,
            &row.tier,
            row.sla_paused_seconds,
        );
        let due_at = if !is_open || row.sla_paused_at.is_some() {
            None
        } else if row.first_response_at.is_none() {
            [first_response_due, resolution_due]
                .into_iter()
                .flatten()
                .min()
        } else {
            resolution_due
        };
        DerivedColumns {
            is_open,
            queue_rank: lifecycle.queue_rank(&row.priority, &row.tier),
            first_response_due,
            resolution_due,
            due_at,
        }
    }

    /// Recomputes the derived columns of every ticket.
    pub fn refresh_all_tickets(&self) -> anyhow::Result<usize> {
        let ids: Vec<i64> = self
            .tx
            .prepare("SELECT id FROM tickets")?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        for id in &ids {
            self.refresh_ticket(*id)?;
        }
        Ok(ids.len())
    }

    /// Recomputes the derived columns of a customer's tickets, after the
    /// customer's tier changed.
    pub fn refresh_customer_tickets(&self, customer_id: i64) -> anyhow::Result<usize> {
        let ids: Vec<i64> = self
            .tx
            .prepare(
                "SELECT t.id FROM tickets t JOIN conversations c ON c.id = t.conversation_id
                  WHERE c.customer_id = ?1",
            )?
            .query_map(params![customer_id], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        for id in &ids {
            self.refresh_ticket(*id)?;
        }
        Ok(ids.len())
    }

    /// Sets a customer's tier, for example `vip`, in this transaction and
    /// moves the customer's tickets in the queue to match.
    pub fn set_customer_tier(&self, customer_id: i64, tier: &str) -> anyhow::Result<()> {
        let changed = self.execute_cached(
            "UPDATE customers SET tier = ?2 WHERE id = ?1",
            params![customer_id, tier],
        )?;
        anyhow::ensure!(changed == 1, "customer {customer_id} not found");
        self.refresh_customer_tickets(customer_id)?;
        Ok(())
    }

    /// Applies what a status change means beyond the status itself: the
    /// finish time, the reopen count and the SLA clock. Called by
    /// [`Writer::set_ticket_field`] after it stored the new status.
    pub(super) fn after_status_change(
        &self,
        ticket_id: i64,
        from: &str,
        to: &str,
        at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let lifecycle = &self.desk.lifecycle;
        let now = format_time(at);
        if lifecycle.is_open(from) && !lifecycle.is_open(to) {
            self.execute_cached(
                "UPDATE tickets SET resolved_at = ?2 WHERE id = ?1",
                params![ticket_id, now],
            )?;
        }
        if lifecycle.is_reopen(from, to) {
            self.execute_cached(
                "UPDATE tickets SET resolved_at = NULL, reopen_count = reopen_count + 1
                  WHERE id = ?1",
                params![ticket_id],
            )?;
        }
        let row = self.sla_row(ticket_id)?;
        match (lifecycle.clock_runs(from), lifecycle.clock_runs(to)) {
            (true, false) if row.sla_paused_at.is_none() => {
                self.execute_cached(
                    "UPDATE tickets SET sla_paused_at = ?2 WHERE id = ?1",
                    params![ticket_id, now],
                )?;
            }
            (false, true) => {
                if let Some(paused_at) = row.sla_paused_at {
                    let paused = self.desk.business_seconds(paused_at, at);
                    self.execute_cached(
                        "UPDATE tickets SET sla_paused_at = NULL,
                                            sla_paused_seconds = sla_paused_seconds + ?2
                          WHERE id = ?1",
                        params![ticket_id, paused],
                    )?;
                }
            }
            _ => {}
        }
        self.refresh_ticket(ticket_id)
    }

    /// Returns the status of a ticket.
    pub fn ticket_status(&self, ticket_id: i64) -> anyhow::Result<String> {
        Ok(self.query_row_cached(
            "SELECT status FROM tickets WHERE id = ?1",
            params![ticket_id],
            |row| row.get(0),
        )?)
    }

    /// Moves a ticket as the lifecycle's customer-reply table sets, for
    /// example from waiting-on-customer back to in-progress, and records the
    /// change. Returns the old and new status when it moved.
    pub fn customer_replied(
        &self,
        ticket_id: i64,
        at: DateTime<Utc>,
    ) -> anyhow::Result<Option<(String, String)>> {
        let status = self.ticket_status(ticket_id)?;
        let Some(to) = self.desk.lifecycle.on_customer_reply(&status) else {
            return Ok(None);
        };
        let to = to.to_string();
        self.set_ticket_field(
            ticket_id,
            TicketField::Status,
            &to,
            "customer",
            "the customer replied",
            at,
        )?;
        Ok(Some((status, to)))
    }

    /// Starts a ticket's SLA clock when the customer wrote the message that
    /// opened it, when that is earlier than the ticket, and recomputes the
    /// deadlines.
    pub fn set_sla_start(&self, ticket_id: i64, written_at: DateTime<Utc>) -> anyhow::Result<()> {
        self.execute_cached(
            "UPDATE tickets SET sla_start_at = ?2 WHERE id = ?1 AND ?2 < created_at",
            params![ticket_id, format_time(written_at)],
        )?;
        self.refresh_ticket(ticket_id)
    }

    /// Records the team's first response on a ticket, which stops the
    /// first-response clock. Does nothing when the ticket already has one.
    pub fn record_first_response(
        &self,
        ticket_id: i64,
        actor: &str,
        at: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        // An imported reply can carry a send time older than the start of
        // the ticket's SLA clock; such a reply counts from that start.
        let updated = self.execute_cached(
            "UPDATE tickets SET first_response_at = max(?2, coalesce(sla_start_at, created_at))
              WHERE id = ?1 AND first_response_at IS NULL",
            params![ticket_id, format_time(at)],
        )?;
        let at: String = self.query_row_cached(
            "SELECT coalesce(first_response_at, ?2) FROM tickets WHERE id = ?1",
            params![ticket_id, format_time(at)],
            |row| row.get(0),
        )?;
        let at = parse_time(&at)?;
        if updated == 0 {
            return Ok(false);
        }
        self.append_event(
            ticket_id,
            at,
            actor,
            "first-response",
            &json!({}),
            "the team answered",
        )?;
        self.refresh_ticket(ticket_id)?;
        Ok(true)
    }

    /// Returns the ticket of a conversation, if any. When the conversation's ticket
    /// was merged into another, the ticket it was merged into.
    pub fn open_ticket_of(&self, conversation_id: i64) -> anyhow::Result<Option<i64>> {
        read_open_ticket(&self.tx, conversation_id)
    }

    /// Fails when the ticket was merged into another, naming the ticket to
    /// work on instead. A merged ticket stays closed.
    pub fn check_not_merged(&self, ticket_id: i64) -> anyhow::Result<()> {
        let into: Option<i64> = self
            .query_row_cached(
                "SELECT merged_into FROM tickets WHERE id = ?1",
                params![ticket_id],
                |row| row.get(0),
            )
            .optional()?
            .flatten();
        if let Some(into) = into {
            anyhow::bail!(
                "ticket {ticket_id} was merged into ticket {into}; work on ticket {into} instead"
            );
        }
        Ok(())
    }

    /// Returns the conversation a ticket belongs to.
    pub fn ticket_conversation(&self, ticket_id: i64) -> anyhow::Result<i64> {
        Ok(self.query_row_cached(
            "SELECT conversation_id FROM tickets WHERE id = ?1",
            params![ticket_id],
            |row| row.get(0),
        )?)
    }

    /// True when a ticket with this id exists.
    pub fn ticket_exists(&self, ticket_id: i64) -> anyhow::Result<bool> {
        Ok(self
            .query_row_cached(
                "SELECT 1 FROM tickets WHERE id = ?1",
                params![ticket_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Removes a ticket's assignee and records it. Returns false when the
    /// ticket had none.
    pub fn clear_assignee(
        &self,
        ticket_id: i64,
        actor: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let old: Option<String> = self.query_row_cached(
            "SELECT assignee FROM tickets WHERE id = ?1",
            params![ticket_id],
            |row| row.get(0),
        )?;
        let Some(old) = old else {
            return Ok(false);
        };
        self.execute_cached(
            "UPDATE tickets SET assignee = NULL, updated_at = ?2 WHERE id = ?1",
            params![ticket_id, format_time(at)],
        )?;
        self.append_event(
            ticket_id,
            at,
            actor,
            "assignee",
            &json!({ "from": old, "to": null }),
            reason,
        )?;
        Ok(true)
    }

    /// Merges tickets into `target`: each merged ticket is closed with a
    /// link to the target, its tags move to the target, and later messages
    /// on its conversation count for the target. Each ticket gets one
    /// event. Fails, naming the ticket, when a ticket does not exist, is
    /// the target, or is already merged.
    pub fn merge_tickets(
        &self,
        sources: &[i64],
        target: i64,
        actor: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let merged_into = |id: i64| -> anyhow::Result<Option<Option<i64>>> {
            Ok(self
                .query_row_cached(
                    "SELECT merged_into FROM tickets WHERE id = ?1",
                    params![id],
                    |row| row.get(0),
                )
                .optional()?)
        };
        match merged_into(target)? {
            None => anyhow::bail!("ticket {target} does not exist; nothing was merged"),
            Some(Some(into)) => anyhow::bail!(
                "ticket {target} was merged into ticket {into}; merge into ticket {into} instead"
            ),
            Some(None) => {}
        }
        if sources.is_empty() {
            anyhow::bail!("no ticket to merge into ticket {target}; name at least one");
        }
        let done = self
            .desk
            .lifecycle
            .statuses()
            .iter()
            .rev()
            .find(|status| status.category == crate::lifecycle::Category::Done)
            .map(|status| status.id.clone())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "the lifecycle has no status of category done to close merged tickets in;                      add one to lifecycle.toml"
                )
            })?;
        let now = format_time(at);
        let mut merged = Vec::new();
        for &source in sources {
            if source == target {
                anyhow::bail!("ticket {source} cannot be merged into itself; nothing was merged");
            }
            if merged.contains(&source) {
                continue;
            }
            match merged_into(source)? {
                None => anyhow::bail!("ticket {source} does not exist; nothing was merged"),
                Some(Some(into)) => anyhow::bail!(
                    "ticket {source} is already merged into ticket {into}; nothing was merged"
                ),
                Some(None) => {}
            }
            let status: String = self.query_row_cached(
                "SELECT status FROM tickets WHERE id = ?1",
                params![source],
                |row| row.get(0),
            )?;
            self.execute_cached(
                "INSERT OR IGNORE INTO ticket_tags (ticket_id, tag)
                 SELECT ?2, tag FROM ticket_tags WHERE ticket_id = ?1",
                params![source, target],
            )?;
            self.execute_cached(
                "UPDATE tickets SET merged_into = ?2, status = ?3, updated_at = ?4 WHERE id = ?1",
                params![source, target, done, now],
            )?;
            self.append_event(
                source,
                at,
                actor,
                "merged-into",
                &json!({ "into": target, "from_status": status, "status": done }),
                reason,
            )?;
            self.after_status_change(source, &status, &done, at)?;
            merged.push(source);
        }
        self.execute_cached(
            "UPDATE tickets SET updated_at = ?2 WHERE id = ?1",
            params![target, now],
        )?;
        self.append_event(
            target,
            at,
            actor,
            "merged",
            &json!({ "from": merged }),
            reason,
        )?;
        Ok(())
    }

    fn sla_row(&self, ticket_id: i64) -> anyhow::Result<SlaRow> {
        let row = self.query_row_cached(
            "SELECT coalesce(t.sla_start_at, t.created_at), t.priority, t.status, cu.tier,
                    t.first_response_at,
                    t.sla_paused_at, t.sla_paused_seconds
               FROM tickets t
               JOIN conversations c ON c.id = t.conversation_id
               JOIN customers cu ON cu.id = c.customer_id
              WHERE t.id = ?1",
            params![ticket_id],
            |row| {
                Ok(SlaRow {
                    created_at: parse_time(&row.get::<_, String>(0)?)?,
                    priority: row.get(1)?,
                    status: row.get(2)?,
                    tier: row.get(3)?,
                    first_response_at: row
                        .get::<_, Option<String>>(4)?
                        .map(|text| parse_time(&text))
                        .transpose()?,
                    sla_paused_at: row
                        .get::<_, Option<String>>(5)?
                        .map(|text| parse_time(&text))
                        .transpose()?,
                    sla_paused_seconds: row.get(6)?,
                })
            },
        )?;
        Ok(row)
    }
}

impl Store {
    /// Returns the ticket of a conversation, if any, following merges like
    /// [`Writer::open_ticket_of`] but without a write transaction.
    pub fn open_ticket_of(&self, conversation_id: i64) -> anyhow::Result<Option<i64>> {
        read_open_ticket(&self.connection, conversation_id)
    }
}

/// Returns the latest ticket of a conversation, or the ticket it was merged
/// into, following the chain of merges.
fn read_open_ticket(connection: &Connection, conversation_id: i64) -> anyhow::Result<Option<i64>> {
    let latest: Option<(i64, Option<i64>)> = connection
        .prepare_cached(
            "SELECT id, merged_into FROM tickets WHERE conversation_id = ?1
              ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![conversation_id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    let Some((mut ticket, mut into)) = latest else {
        return Ok(None);
    };
    // Merges form a chain at most as long as the number of tickets;
    // the bound only guards against a damaged database.
    let mut merged_into =
        connection.prepare_cached("SELECT merged_into FROM tickets WHERE id = ?1")?;
    for _ in 0..1000 {
        let Some(next) = into else { break };
        ticket = next;
        into = merged_into.query_row(params![ticket], |row| row.get(0))?;
    }
    Ok(Some(ticket))
}
