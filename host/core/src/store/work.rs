//! Work beside the tickets themselves: tasks such as calling back a missed
//! call, the time agents log on a ticket, and internal notes.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde_json::json;

use super::format_time;
use super::write::Writer;

/// Time after a missed call by which the customer should be called back.
const CALLBACK_WITHIN_MINUTES: i64 = 60;

impl Writer<'_> {
    /// Adds a task to call a customer back after a missed or abandoned call.
    /// When the customer already has an open callback task, counts the call
    /// as one more attempt on it instead and returns false.
    pub fn add_callback_task(
        &self,
        customer_id: i64,
        ticket_id: Option<i64>,
        message_id: i64,
        title: &str,
        at: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let retried = self.tx.execute(
            "UPDATE tasks SET attempts = attempts + 1, ticket_id = coalesce(ticket_id, ?2)
              WHERE kind = 'callback' AND customer_id = ?1 AND done_at IS NULL",
            params![customer_id, ticket_id],
        )?;
        if retried > 0 {
            return Ok(false);
        }
        let due = at + chrono::Duration::minutes(CALLBACK_WITHIN_MINUTES);
        let added = self.tx.execute(
            "INSERT OR IGNORE INTO tasks (kind, title, customer_id, ticket_id, message_id, due_at,
                                          created_at)
             VALUES ('callback', ?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                title,
                customer_id,
                ticket_id,
                message_id,
                format_time(due),
                format_time(at)
            ],
        )?;
        Ok(added == 1)
    }

    /// Marks a task done. Fails when there is no such task or it is done.
    pub fn finish_task(&self, task_id: i64, agent: &str, at: DateTime<Utc>) -> anyhow::Result<()> {
        let updated = self.tx.execute(
            "UPDATE tasks SET done_at = ?2, done_by = ?3 WHERE id = ?1 AND done_at IS NULL",
            params![task_id, format_time(at), agent],
        )?;
        if updated == 0 {
            anyhow::bail!(
                "task {task_id} does not exist or is already done; `kefu tasks list --all` shows \
                 every task"
            );
        }
        Ok(())
    }

    /// Logs time an agent spent on a ticket, and records it in the ticket's
    /// history.
    pub fn log_work(
        &self,
        ticket_id: i64,
        agent: &str,
        minutes: u32,
        summary: &str,
        at: DateTime<Utc>,
    ) -> anyhow::Result<i64> {
        if minutes == 0 {
            anyhow::bail!("work of 0 minutes on ticket {ticket_id}; log at least 1 minute");
        }
        if summary.trim().is_empty() {
            anyhow::bail!(
                "the work log entry for ticket {ticket_id} is empty; write what was done"
            );
        }
        self.tx.execute(
            "INSERT INTO work_log (ticket_id, agent, minutes, summary, at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![ticket_id, agent, minutes, summary, format_time(at)],
        )?;
        let id = self.tx.last_insert_rowid();
        self.append_event(
            ticket_id,
            at,
            &format!("agent:{agent}"),
            "work",
            &json!({ "minutes": minutes, "summary": summary }),
            "",
        )?;
        Ok(id)
    }
}
