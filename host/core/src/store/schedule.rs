//! Reads the scheduler needs to find tickets whose state a time rule waits
//! for, and the record of rules that fired.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::write::Writer;
use super::{format_time, parse_time};
use crate::lifecycle::Category;

/// A ticket's running SLA deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct RunningDeadline {
    pub ticket_id: i64,
    pub conversation_id: i64,
    pub due_at: DateTime<Utc>,
    /// True for the first-response deadline, false for resolution.
    pub first_response: bool,
    pub priority: String,
    pub tier: String,
}

impl RunningDeadline {
    /// Returns the ticket, its conversation and the deadline as a firing
    /// condition, so a new deadline is a new condition.
    pub fn into_candidate(self) -> (i64, i64, String) {
        let kind = if self.first_response {
            "first-response"
        } else {
            "resolution"
        };
        (
            self.ticket_id,
            self.conversation_id,
            format!("{kind} due {}", format_time(self.due_at)),
        )
    }
}

impl Writer<'_> {
    /// True when `rule` already fired on the ticket for `condition`.
    pub fn rule_fired(&self, rule: &str, ticket_id: i64, condition: &str) -> anyhow::Result<bool> {
        Ok(self
            .tx
            .query_row(
                "SELECT 1 FROM rule_firings WHERE rule = ?1 AND ticket_id = ?2 AND condition = ?3",
                params![rule, ticket_id, condition],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Records that `rule` fired on the ticket for `condition`.
    pub fn record_rule_firing(
        &self,
        rule: &str,
        ticket_id: i64,
        condition: &str,
        at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        self.tx.execute(
            "INSERT OR IGNORE INTO rule_firings (rule, ticket_id, condition, fired_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![rule, ticket_id, condition, format_time(at)],
        )?;
        Ok(())
    }

    /// Open tickets whose customer's latest message, written by a person,
    /// arrived before `cutoff` and has no response from the team after it.
    /// The condition names that message.
    pub fn unanswered_tickets(
        &self,
        cutoff: DateTime<Utc>,
    ) -> anyhow::Result<Vec<(i64, i64, String)>> {
        let mut statement = self.tx.prepare_cached(
            "SELECT t.id, t.conversation_id, m.id
               FROM tickets t
               JOIN messages m ON m.id = (
                    SELECT max(i.id) FROM messages i
                     WHERE i.conversation_id = t.conversation_id
                       AND i.direction = 'inbound' AND i.automation_kind IS NULL)
              WHERE t.is_open = 1 AND t.merged_into IS NULL
                AND m.received_at <= ?1
                AND NOT EXISTS (SELECT 1 FROM messages o
                                 WHERE o.conversation_id = t.conversation_id
                                   AND o.direction = 'outbound' AND o.id > m.id)
              ORDER BY t.id",
        )?;
        let rows = statement.query_map(params![format_time(cutoff)], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                format!("message {}", row.get::<_, i64>(2)?),
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Open tickets in a status of category waiting since before `cutoff`.
    /// The condition names the status change that started the wait.
    pub fn waiting_tickets(
        &self,
        cutoff: DateTime<Utc>,
    ) -> anyhow::Result<Vec<(i64, i64, String)>> {
        let waiting: Vec<String> = self
            .desk
            .lifecycle
            .statuses()
            .iter()
            .filter(|status| status.category == Category::Waiting)
            .map(|status| status.id.clone())
            .collect();
        let mut found = Vec::new();
        let mut statement = self.tx.prepare_cached(
            "SELECT t.id, t.conversation_id, e.id, e.at
               FROM tickets t
               JOIN ticket_events e ON e.id = (
                    SELECT max(s.id) FROM ticket_events s
                     WHERE s.ticket_id = t.id AND s.kind = 'status')
              WHERE t.merged_into IS NULL AND t.status = ?1
              ORDER BY t.id",
        )?;
        for status in &waiting {
            let rows = statement.query_map(params![status], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                    parse_time(&row.get::<_, String>(3)?)?,
                ))
            })?;
            for row in rows {
                let (ticket_id, conversation_id, event_id, since) = row?;
                if since <= cutoff {
                    found.push((
                        ticket_id,
                        conversation_id,
                        format!("status change {event_id}"),
                    ));
                }
            }
        }
        Ok(found)
    }

    /// Every open ticket's running SLA deadline: first response until the
    /// team responded, then resolution. Tickets whose clock is stopped have
    /// none.
    pub fn running_deadlines(&self) -> anyhow::Result<Vec<RunningDeadline>> {
        let mut statement = self.tx.prepare_cached(
            "SELECT t.id, t.conversation_id, t.due_at,
                    t.first_response_at IS NULL AND t.first_response_due IS NOT NULL
                        AND t.due_at = t.first_response_due,
                    t.priority, cu.tier
               FROM tickets t
               JOIN conversations c ON c.id = t.conversation_id
               JOIN customers cu ON cu.id = c.customer_id
              WHERE t.is_open = 1 AND t.due_at IS NOT NULL AND t.sla_paused_at IS NULL
              ORDER BY t.due_at, t.id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(RunningDeadline {
                ticket_id: row.get(0)?,
                conversation_id: row.get(1)?,
                due_at: parse_time(&row.get::<_, String>(2)?)?,
                first_response: row.get(3)?,
                priority: row.get(4)?,
                tier: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
