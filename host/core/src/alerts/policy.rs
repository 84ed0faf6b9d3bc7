//! The alert policy: from new messages, unanswered conversations, SLA
//! deadlines and the clock, decides which alerts to raise. It reads no
//! database and shows nothing, so every throttling rule is tested on plain
//! values.
//!
//! The rules:
//! - Each message alerts once: messages at or below the last id seen are
//!   ignored, so reading the same messages again raises nothing.
//! - A new inbound message is important when its customer is in a VIP tier
//!   or its ticket has one of the important priorities. Other messages are
//!   ordinary, and so are important ones while the important tier is off.
//! - A conversation whose latest inbound message is unanswered after the
//!   reminder delay gets one reminder per such message.
//! - A running SLA deadline within the warning lead gets one warning, and
//!   one breach alert once it has passed. A changed deadline counts as a
//!   new one.
//! - Grouping: the first alert of a tier shows at once. What the same tier
//!   raises within the group window after it is held until the window ends
//!   and then shown as an update of that alert: its counts add up, the
//!   front end replaces its desktop notification and toast in place, and
//!   the update plays no sound and asks for no attention. The update starts
//!   the next window, so a burst of any length and pace is one alert that
//!   updates at most once per window. A window that passes with nothing
//!   new ends the chain, and the next alert is a new one. A message counts
//!   as arriving within the window by the time it was stored, not by when
//!   a poll read it, so a slow poll does not split a burst.
//! - Within one alert, several messages of one conversation are one entry
//!   with a count.
//! - During quiet hours every alert keeps its toast, loses its sound and
//!   window attention, and keeps its desktop notification only for SLA
//!   warnings and breaches (see [`Effects::quiet`]).

use std::collections::HashMap;

use chrono::{DateTime, Local, Utc};

use super::config::{AlertSettings, Effects, Tier};

/// An inbound message stored since the last poll.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    pub id: i64,
    pub conversation_id: i64,
    pub ticket_id: Option<i64>,
    /// The customer's name, else their address.
    pub customer: String,
    /// True when the customer's tier is a VIP tier of the lifecycle.
    pub vip: bool,
    /// Priority of the conversation's ticket, if it has one.
    pub priority: Option<String>,
    /// First line of the message, or its subject.
    pub text: String,
    /// When the customer wrote it.
    pub at: DateTime<Utc>,
    /// When it was stored, which decides whether it arrived within a
    /// group window.
    pub stored_at: DateTime<Utc>,
}

/// A conversation whose latest message is an unanswered inbound one.
#[derive(Debug, Clone, PartialEq)]
pub struct Unanswered {
    pub conversation_id: i64,
    pub ticket_id: Option<i64>,
    /// Id of the unanswered message.
    pub message_id: i64,
    pub customer: String,
    pub text: String,
    /// When the customer wrote it.
    pub since: DateTime<Utc>,
}

/// Kind of a ticket's running SLA deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeadlineKind {
    FirstResponse,
    Resolution,
}

/// The running SLA deadline of an open ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Deadline {
    pub ticket_id: i64,
    pub conversation_id: i64,
    pub customer: String,
    /// The ticket's subject, else its conversation's.
    pub text: String,
    pub kind: DeadlineKind,
    pub due: DateTime<Utc>,
}

/// Everything one poll read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertInput {
    /// New inbound messages, oldest first.
    pub messages: Vec<NewMessage>,
    /// New inbound messages that were not read into `messages` because a
    /// poll reads at most a fixed number. They count in the alert.
    pub more_messages: usize,
    /// Id of the newest message the poll covered, listed or not; the next
    /// poll starts after it. 0 when there was none.
    pub newest_message_id: i64,
    pub unanswered: Vec<Unanswered>,
    pub deadlines: Vec<Deadline>,
}

/// One conversation in an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertEntry {
    pub conversation_id: i64,
    pub ticket_id: Option<i64>,
    pub customer: String,
    /// The latest message's first line, or the ticket's subject.
    pub text: String,
    /// Messages, reminders or deadlines of this conversation in the alert.
    pub count: usize,
    /// The SLA deadline, for SLA tiers.
    pub due: Option<DateTime<Utc>>,
    /// Time of the latest event, for ordering.
    pub at: DateTime<Utc>,
}

/// An alert to raise: its tier, what it does, and the conversations it is
/// about, the most recent first.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Number of the alert, unique within one policy.
    pub id: u64,
    /// The alert this one updates: the last one of the same tier, raised
    /// within the group window before this one's events arrived.
    pub updates: Option<u64>,
    pub tier: Tier,
    pub effects: Effects,
    pub at: DateTime<Utc>,
    pub entries: Vec<AlertEntry>,
    /// Messages, reminders or deadlines the alert stands for, across all
    /// entries, counting messages a poll did not read.
    pub count: usize,
}

impl Alert {
    /// The conversation that opening the alert shows: the most recent one.
    pub fn conversation_id(&self) -> Option<i64> {
        self.entries.first().map(|entry| entry.conversation_id)
    }
}

/// Stage of an SLA deadline an alert was raised for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Warning,
    Breach,
}

/// Alerts of one tier waiting for the group window to end.
#[derive(Debug, Default)]
struct TierState {
    /// When the last alert of this tier was raised.
    last_raised: Option<DateTime<Utc>>,
    /// The last alert of this tier, which held events update.
    last_alert: Option<Alert>,
    pending: Vec<AlertEntry>,
    /// Messages in `pending` that no entry lists.
    pending_unlisted: usize,
    /// True when events arrived while the group window was open, so the
    /// next alert updates the last one.
    held: bool,
}

/// State of the alert policy between polls.
#[derive(Debug)]
pub struct AlertPolicy {
    settings: AlertSettings,
    /// Highest message id already considered.
    last_message_id: i64,
    /// Per conversation, the unanswered message that was reminded of.
    reminded: HashMap<i64, i64>,
    /// Per ticket and deadline kind, the deadline and the stage alerted.
    sla_alerted: HashMap<(i64, DeadlineKind), (DateTime<Utc>, Stage)>,
    tiers: [TierState; 5],
    next_alert_id: u64,
}

impl AlertPolicy {
    /// Starts a policy that ignores messages up to `last_message_id`, the
    /// newest message when the app started.
    pub fn new(settings: AlertSettings, last_message_id: i64) -> Self {
        Self {
            settings,
            last_message_id,
            reminded: HashMap::new(),
            sla_alerted: HashMap::new(),
            tiers: Default::default(),
            next_alert_id: 0,
        }
    }

    pub fn settings(&self) -> &AlertSettings {
        &self.settings
    }

    /// Replaces the settings, keeping the messages seen, the reminders and
    /// SLA alerts raised and the alerts held for grouping. The next
    /// observation follows the new settings.
    pub fn set_settings(&mut self, settings: AlertSettings) {
        self.settings = settings;
    }

    /// Highest message id considered so far; the next poll reads messages
    /// after it.
    pub fn last_message_id(&self) -> i64 {
        self.last_message_id
    }

    /// Records deadlines that had passed when the app started as alerted,
    /// so opening the app does not raise a breach alert for every ticket
    /// that breached while it was closed. Deadlines still ahead are not
    /// recorded, so a near one warns on the first poll.
    pub fn skip_passed_deadlines(&mut self, deadlines: &[Deadline], now: DateTime<Utc>) {
        for deadline in deadlines.iter().filter(|deadline| deadline.due <= now) {
            self.sla_alerted.insert(
                (deadline.ticket_id, deadline.kind),
                (deadline.due, Stage::Breach),
            );
        }
    }

    /// Takes what one poll read and returns the alerts to raise now.
    pub fn observe(&mut self, input: AlertInput, now: DateTime<Utc>) -> Vec<Alert> {
        self.take_messages(&input.messages, input.more_messages);
        self.last_message_id = self.last_message_id.max(input.newest_message_id);
        self.take_unanswered(&input.unanswered, now);
        self.take_deadlines(&input.deadlines, now);
        self.mark_held(now);
        self.flush(now)
    }

    /// Returns the held alerts whose group window has ended, and those of
    /// tiers that raised nothing within the window. Call it between polls
    /// too, so a held alert shows soon after its window ends.
    pub fn flush(&mut self, now: DateTime<Utc>) -> Vec<Alert> {
        let quiet = self.in_quiet_hours(now);
        let mut alerts = Vec::new();
        for tier in Tier::ALL {
            let window = self.settings.group_window;
            let state = &mut self.tiers[tier.index()];
            if state.pending.is_empty() && state.pending_unlisted == 0 {
                continue;
            }
            let due = state.last_raised.is_none_or(|last| now - last >= window);
            if !due {
                continue;
            }
            let mut entries = std::mem::take(&mut state.pending);
            let mut count =
                entries.iter().map(|entry| entry.count).sum::<usize>() + state.pending_unlisted;
            state.pending_unlisted = 0;
            let mut effects = self.settings.tier(tier).effects;
            if quiet {
                effects = effects.quiet(tier);
            }
            let updated = state.last_alert.take().filter(|_| state.held);
            state.held = false;
            let updates = updated.map(|previous| {
                count += previous.count;
                // The new entries merge into the shown ones, so a message
                // stored in the same second as the shown one replaces its
                // text.
                let newer = std::mem::replace(&mut entries, previous.entries);
                for entry in newer {
                    merge_entry(&mut entries, entry);
                }
                effects.sound = false;
                effects.attention = false;
                previous.id
            });
            entries.sort_by(|a, b| {
                b.at.cmp(&a.at)
                    .then(b.conversation_id.cmp(&a.conversation_id))
            });
            let alert = Alert {
                id: self.next_alert_id,
                updates,
                tier,
                effects,
                at: now,
                entries,
                count,
            };
            self.next_alert_id += 1;
            state.last_raised = Some(now);
            state.last_alert = Some(alert.clone());
            alerts.push(alert);
        }
        alerts
    }

    /// Marks the tiers whose new events arrived while their group window
    /// was open, so their next alert updates the last one.
    fn mark_held(&mut self, now: DateTime<Utc>) {
        let window = self.settings.group_window;
        for state in &mut self.tiers {
            let waiting = !state.pending.is_empty() || state.pending_unlisted > 0;
            let open = state.last_raised.is_some_and(|last| now - last < window);
            if waiting && open {
                state.held = true;
            }
        }
    }

    /// When the next held alert is due, if any is held.
    pub fn next_flush(&self) -> Option<DateTime<Utc>> {
        self.tiers
            .iter()
            .filter(|state| !state.pending.is_empty() || state.pending_unlisted > 0)
            .filter_map(|state| state.last_raised)
            .map(|last| last + self.settings.group_window)
            .min()
    }

    /// True when `now` is inside the quiet hours, in the settings' time
    /// zone or else the computer's.
    pub fn in_quiet_hours(&self, now: DateTime<Utc>) -> bool {
        let Some(quiet) = self.settings.quiet_hours else {
            return false;
        };
        let time = match self.settings.time_zone {
            Some(zone) => now.with_timezone(&zone).time(),
            None => now.with_timezone(&Local).time(),
        };
        quiet.contains(time)
    }

    fn take_messages(&mut self, messages: &[NewMessage], more: usize) {
        let important_on = self.settings.tier(Tier::Important).enabled;
        let ordinary_on = self.settings.tier(Tier::Ordinary).enabled;
        let mut unlisted_tier = None;
        for message in messages {
            if message.id <= self.last_message_id {
                continue;
            }
            self.last_message_id = message.id;
            let important = message.vip
                || message
                    .priority
                    .as_ref()
                    .is_some_and(|p| self.settings.important_priorities.contains(p));
            let tier = if important && important_on {
                Tier::Important
            } else if ordinary_on {
                Tier::Ordinary
            } else {
                continue;
            };
            unlisted_tier = Some(unlisted_tier.map_or(tier, |t: Tier| t.max(tier)));
            let window = self.settings.group_window;
            let state = &mut self.tiers[tier.index()];
            if state
                .last_raised
                .is_some_and(|last| message.stored_at - last < window)
            {
                state.held = true;
            }
            let entry = AlertEntry {
                conversation_id: message.conversation_id,
                ticket_id: message.ticket_id,
                customer: message.customer.clone(),
                text: message.text.clone(),
                count: 1,
                due: None,
                at: message.at,
            };
            self.hold(tier, entry);
        }
        // Messages past the poll's limit count in the most pressing tier
        // the listed ones reached, or as ordinary ones.
        if more > 0 {
            let tier = unlisted_tier.unwrap_or(Tier::Ordinary);
            if self.settings.tier(tier).enabled {
                self.tiers[tier.index()].pending_unlisted += more;
            }
        }
    }

    fn take_unanswered(&mut self, unanswered: &[Unanswered], now: DateTime<Utc>) {
        if !self.settings.tier(Tier::Reminder).enabled {
            return;
        }
        for item in unanswered {
            if now - item.since < self.settings.reminder_after {
                continue;
            }
            if self.reminded.get(&item.conversation_id) == Some(&item.message_id) {
                continue;
            }
            self.reminded.insert(item.conversation_id, item.message_id);
            let entry = AlertEntry {
                conversation_id: item.conversation_id,
                ticket_id: item.ticket_id,
                customer: item.customer.clone(),
                text: item.text.clone(),
                count: 1,
                due: None,
                at: item.since,
            };
            self.hold(Tier::Reminder, entry);
        }
    }

    fn take_deadlines(&mut self, deadlines: &[Deadline], now: DateTime<Utc>) {
        for deadline in deadlines {
            let stage = if deadline.due <= now {
                Stage::Breach
            } else if deadline.due - now <= self.settings.sla_warning_before {
                Stage::Warning
            } else {
                continue;
            };
            let key = (deadline.ticket_id, deadline.kind);
            if let Some((due, alerted)) = self.sla_alerted.get(&key)
                && *due == deadline.due
                && *alerted >= stage
            {
                continue;
            }
            let tier = match stage {
                Stage::Warning => Tier::SlaWarning,
                Stage::Breach => Tier::SlaBreach,
            };
            self.sla_alerted.insert(key, (deadline.due, stage));
            if !self.settings.tier(tier).enabled {
                continue;
            }
            let entry = AlertEntry {
                conversation_id: deadline.conversation_id,
                ticket_id: Some(deadline.ticket_id),
                customer: deadline.customer.clone(),
                text: deadline.text.clone(),
                count: 1,
                due: Some(deadline.due),
                at: deadline.due,
            };
            self.hold(tier, entry);
        }
    }

    /// Adds an entry to a tier's pending alert.
    fn hold(&mut self, tier: Tier, entry: AlertEntry) {
        merge_entry(&mut self.tiers[tier.index()].pending, entry);
    }
}

/// Adds `entry` to `entries`, merged with the entry of the same
/// conversation: the counts add up and the later event's text stays.
fn merge_entry(entries: &mut Vec<AlertEntry>, entry: AlertEntry) {
    match entries
        .iter_mut()
        .find(|held| held.conversation_id == entry.conversation_id)
    {
        Some(held) => {
            held.count += entry.count;
            if entry.at >= held.at {
                held.text = entry.text;
                held.at = entry.at;
                held.due = entry.due.or(held.due);
                held.ticket_id = entry.ticket_id.or(held.ticket_id);
            }
        }
        None => entries.push(entry),
    }
}
