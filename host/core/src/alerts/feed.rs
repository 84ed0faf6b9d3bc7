//! Reads what the alert policy needs from the store, and runs the policy
//! on it: [`AlertMonitor`] is what the app calls on every poll.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::AlertSettings;
use super::policy::{
    Alert, AlertInput, AlertPolicy, Deadline, DeadlineKind, NewMessage, Unanswered,
};
use crate::store::{Store, format_time, parse_time};

/// Most new messages one poll reads. Messages past it still count in the
/// alert, so an import of a whole mailbox raises one alert without reading
/// every message.
pub const MAX_MESSAGES_PER_POLL: usize = 200;

/// Whether a message is a person's inbound message that alerts: not sent
/// by the team, not an auto-reply or bounce, not a call someone answered.
const ALERTING_MESSAGE: &str = "m.direction = 'inbound' AND m.automation_kind IS NULL
     AND coalesce(json_extract(m.call, '$.answered'), 0) = 0";

/// The customer's name, else their address on the message's channel.
const CUSTOMER_LABEL: &str = "coalesce(cu.name,
     (SELECT value FROM customer_identities i
       WHERE i.customer_id = cu.id AND i.kind = c.channel ORDER BY i.id LIMIT 1),
     m.sender_address)";

impl Store {
    /// Returns the id of the newest stored message, 0 when there is none.
    pub fn last_message_id(&self) -> anyhow::Result<i64> {
        Ok(self
            .connection()
            .query_row("SELECT coalesce(max(id), 0) FROM messages", [], |row| {
                row.get(0)
            })?)
    }

    /// Reads the alerting inbound messages after `after_id`, oldest first
    /// and at most [`MAX_MESSAGES_PER_POLL`], with the count of the rest and
    /// the id of the newest one (0 when there are none).
    pub fn alert_messages(&self, after_id: i64) -> anyhow::Result<(Vec<NewMessage>, usize, i64)> {
        let lifecycle = &self.desk().lifecycle;
        let sql = format!(
            "SELECT m.id, m.conversation_id,
                    (SELECT t.id FROM tickets t WHERE t.conversation_id = c.id
                      ORDER BY t.is_open DESC, t.id DESC LIMIT 1),
                    {CUSTOMER_LABEL}, cu.tier,
                    (SELECT t.priority FROM tickets t WHERE t.conversation_id = c.id
                      ORDER BY t.is_open DESC, t.id DESC LIMIT 1),
                    m.subject, m.body_text, coalesce(m.sent_at, m.received_at), m.received_at
               FROM messages m
               JOIN conversations c ON c.id = m.conversation_id
               JOIN customers cu ON cu.id = c.customer_id
              WHERE m.id > ?1 AND {ALERTING_MESSAGE}
              ORDER BY m.id LIMIT ?2"
        );
        let mut statement = self.connection().prepare_cached(&sql)?;
        let rows = statement.query_map(params![after_id, MAX_MESSAGES_PER_POLL as i64], |row| {
            let tier: String = row.get(4)?;
            let subject: Option<String> = row.get(6)?;
            let body: String = row.get(7)?;
            Ok(NewMessage {
                id: row.get(0)?,
                conversation_id: row.get(1)?,
                ticket_id: row.get(2)?,
                customer: row.get(3)?,
                vip: lifecycle.is_vip(&tier),
                priority: row.get(5)?,
                text: message_line(subject.as_deref(), &body),
                at: parse_time(&row.get::<_, String>(8)?)?,
                stored_at: parse_time(&row.get::<_, String>(9)?)?,
            })
        })?;
        let messages: Vec<NewMessage> = rows.collect::<Result<_, _>>()?;
        let newest = messages.last().map_or(0, |message| message.id);
        if messages.len() < MAX_MESSAGES_PER_POLL {
            return Ok((messages, 0, newest));
        }
        let (more, rest_newest): (i64, Option<i64>) = self.connection().query_row(
            &format!(
                "SELECT count(*), max(m.id) FROM messages m WHERE m.id > ?1 AND {ALERTING_MESSAGE}"
            ),
            params![newest],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok((messages, more as usize, rest_newest.unwrap_or(newest)))
    }

    /// Reads the conversations whose latest message is an alerting inbound
    /// message with an id after `after_id`, written at or before `before`.
    pub fn alert_unanswered(
        &self,
        after_id: i64,
        before: DateTime<Utc>,
    ) -> anyhow::Result<Vec<Unanswered>> {
        let sql = format!(
            "SELECT c.id,
                    (SELECT t.id FROM tickets t WHERE t.conversation_id = c.id
                      ORDER BY t.is_open DESC, t.id DESC LIMIT 1),
                    m.id, {CUSTOMER_LABEL}, m.subject, m.body_text,
                    coalesce(m.sent_at, m.received_at)
               FROM conversations c
               JOIN customers cu ON cu.id = c.customer_id
               JOIN messages m ON m.id = (
                    SELECT l.id FROM messages l WHERE l.conversation_id = c.id
                     ORDER BY coalesce(l.sent_at, l.received_at) DESC, l.id DESC LIMIT 1)
              WHERE m.id > ?1 AND {ALERTING_MESSAGE}
                AND coalesce(m.sent_at, m.received_at) <= ?2
              ORDER BY m.id"
        );
        let mut statement = self.connection().prepare_cached(&sql)?;
        let rows = statement.query_map(params![after_id, format_time(before)], |row| {
            let subject: Option<String> = row.get(4)?;
            let body: String = row.get(5)?;
            Ok(Unanswered {
                conversation_id: row.get(0)?,
                ticket_id: row.get(1)?,
                message_id: row.get(2)?,
                customer: row.get(3)?,
                text: message_line(subject.as_deref(), &body),
                since: parse_time(&row.get::<_, String>(6)?)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Reads the running SLA deadlines of open tickets that fall at or
    /// before `before`, earliest first.
    pub fn alert_deadlines(&self, before: DateTime<Utc>) -> anyhow::Result<Vec<Deadline>> {
        let sql = "SELECT t.id, t.conversation_id,
                    coalesce(cu.name, t.subject, 'customer ' || cu.id),
                    coalesce(t.subject, c.subject, ''),
                    t.first_response_at IS NULL AND t.first_response_due = t.due_at,
                    t.due_at
               FROM tickets t
               JOIN conversations c ON c.id = t.conversation_id
               JOIN customers cu ON cu.id = c.customer_id
              WHERE t.is_open = 1 AND t.sla_paused_at IS NULL
                AND t.due_at IS NOT NULL AND t.due_at <= ?1
              ORDER BY t.due_at, t.id";
        let mut statement = self.connection().prepare_cached(sql)?;
        let rows = statement.query_map(params![format_time(before)], |row| {
            let first_response: bool = row.get(4)?;
            Ok(Deadline {
                ticket_id: row.get(0)?,
                conversation_id: row.get(1)?,
                customer: row.get(2)?,
                text: row.get(3)?,
                kind: if first_response {
                    DeadlineKind::FirstResponse
                } else {
                    DeadlineKind::Resolution
                },
                due: parse_time(&row.get::<_, String>(5)?)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The subject when the body is empty, else the body's first non-empty
/// line, at most 120 characters.
fn message_line(subject: Option<&str>, body: &str) -> String {
    let line = body
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .or(subject.map(str::trim))
        .unwrap_or("");
    let mut short: String = line.chars().take(120).collect();
    if line.chars().count() > 120 {
        short.push('…');
    }
    short
}

/// The alert policy fed from a store.
#[derive(Debug)]
pub struct AlertMonitor {
    policy: AlertPolicy,
    /// The newest message when the monitor started. Reminders cover only
    /// messages after it.
    first_message_id: i64,
}

impl AlertMonitor {
    /// Starts watching `store` at `now`: messages stored before count as
    /// seen, and SLA deadlines that had passed raise no alert.
    pub fn start(
        store: &Store,
        settings: AlertSettings,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Self> {
        let first_message_id = store.last_message_id()?;
        let mut policy = AlertPolicy::new(settings, first_message_id);
        policy.skip_passed_deadlines(&store.alert_deadlines(now)?, now);
        Ok(Self {
            policy,
            first_message_id,
        })
    }

    pub fn settings(&self) -> &super::AlertSettings {
        self.policy.settings()
    }

    /// Replaces the settings without forgetting what was seen and alerted.
    pub fn set_settings(&mut self, settings: super::AlertSettings) {
        self.policy.set_settings(settings);
    }

    /// Reads new messages, unanswered conversations and near deadlines,
    /// and returns the alerts to raise now.
    pub fn poll(&mut self, store: &Store, now: DateTime<Utc>) -> anyhow::Result<Vec<Alert>> {
        let settings = self.policy.settings();
        let (messages, more_messages, newest_message_id) =
            store.alert_messages(self.policy.last_message_id())?;
        let unanswered =
            store.alert_unanswered(self.first_message_id, now - settings.reminder_after)?;
        let deadlines = store.alert_deadlines(now + settings.sla_warning_before)?;
        let input = AlertInput {
            messages,
            more_messages,
            newest_message_id,
            unanswered,
            deadlines,
        };
        Ok(self.policy.observe(input, now))
    }

    /// Returns the held alerts whose group window has ended, without
    /// reading the store.
    pub fn flush(&mut self, now: DateTime<Utc>) -> Vec<Alert> {
        self.policy.flush(now)
    }
}
