//! A ticket rule whose actions come from a script in its key-value storage,
//! so tests can drive every event and action through one component.
//!
//! For each event it reads the key named after the event:
//! `on:message-received`, `on:ticket-created`, `on:ticket-updated:FIELD`
//! (FIELD as in `ticket-change.field`) or `on:timer-fired:NAME`. The value
//! contains one action per line:
//!
//! ```text
//! open-ticket TYPE PRIORITY REASON...
//! set-type TYPE | set-priority PRIORITY | set-status STATUS
//! assign AGENT... | add-tag TAG | add-note TEXT...
//! schedule-timer NAME SECONDS
//! suggest-phrase ID | send-phrase ID
//! ```
//!
//! Every event it receives is appended as one line to the key `seen`:
//! the event name, then `tier=`, `earlier=`, `tickets=`, `open=`,
//! `status=`, `priority=`, `assignee=` and `tags=` from its context, so a
//! test can check what the host passed in.

use kefu_plugin_sdk::kv;
use kefu_plugin_sdk::rule::exports::kefu::plugin::rule::{
    Action, Event, EventKind, Guest, NewTicket, Timer,
};

struct ScriptedRule;

impl Guest for ScriptedRule {
    fn on_event(event: Event) -> Vec<Action> {
        let key = match &event.kind {
            EventKind::MessageReceived(_) => "on:message-received".to_string(),
            EventKind::TicketCreated => "on:ticket-created".to_string(),
            EventKind::TicketUpdated(change) => format!("on:ticket-updated:{}", change.field),
            EventKind::TimerFired(timer) => format!("on:timer-fired:{}", timer.name),
        };
        remember(&key, &event);
        let script = kv::get(&key)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default();
        script.lines().filter_map(action).collect()
    }
}

/// Appends a line describing the event to the key `seen`.
fn remember(key: &str, event: &Event) {
    let ticket = event.conversation.ticket.as_ref();
    let history = &event.customer.history;
    let line = format!(
        "{} tier={} earlier={} tickets={} open={} status={} priority={} assignee={} tags={}\n",
        key.trim_start_matches("on:"),
        event.customer.tier,
        history.earlier_conversations,
        history.tickets,
        history.open_tickets,
        ticket.map_or("-", |ticket| ticket.status.as_str()),
        ticket.map_or("-", |ticket| ticket.priority.as_str()),
        ticket
            .and_then(|ticket| ticket.assignee.as_deref())
            .unwrap_or("-"),
        ticket.map_or(String::from("-"), |ticket| ticket.tags.join(",")),
    );
    let mut seen = kv::get("seen").unwrap_or_default();
    seen.extend_from_slice(line.as_bytes());
    // A full store only loses the record, which the test then notices.
    let _ = kv::set("seen", &seen);
}

/// Reads one script line into an action; unknown lines are skipped.
fn action(line: &str) -> Option<Action> {
    let line = line.trim();
    let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
    let rest = rest.trim().to_string();
    Some(match verb {
        "open-ticket" => {
            let mut words = rest.splitn(3, ' ');
            Action::OpenTicket(NewTicket {
                ticket_type: words.next()?.to_string(),
                priority: words.next()?.to_string(),
                reason: words.next().unwrap_or("scripted").to_string(),
            })
        }
        "set-type" => Action::SetType(rest),
        "set-priority" => Action::SetPriority(rest),
        "set-status" => Action::SetStatus(rest),
        "assign" => Action::Assign(rest),
        "add-tag" => Action::AddTag(rest),
        "add-note" => Action::AddNote(rest),
        "schedule-timer" => {
            let (name, seconds) = rest.split_once(' ')?;
            Action::ScheduleTimer(Timer {
                name: name.to_string(),
                after_seconds: seconds.trim().parse().ok()?,
            })
        }
        "suggest-phrase" => Action::SuggestPhrase(rest),
        "send-phrase" => Action::SendPhrase(rest),
        _ => return None,
    })
}

kefu_plugin_sdk::export_rule!(ScriptedRule);
