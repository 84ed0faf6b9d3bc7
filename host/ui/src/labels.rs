//! The words the workbench shows, in English.
//!
//! Every user-visible word lives here so that adding the Simplified Chinese
//! UI changes one module.
// TODO: add Simplified Chinese and pick the language from the system locale
// or a setting.

use std::path::Path;

use kefu_core::model::{AutomationKind, Call, Channel, Direction};

use crate::format;

pub const WINDOW_TITLE: &str = "Kefu 客服";
pub const REFRESH: &str = "Refresh";
pub const CONVERSATIONS: &str = "Conversations";
pub const TICKETS: &str = "Tickets";
pub const UNANSWERED: &str = "Unanswered";
pub const NO_SUBJECT: &str = "(no subject)";
pub const ATTACHMENTS: &str = "Attachments:";

pub const EMPTY_DATABASE: &str =
    "No conversations yet. Import mail, chat or call logs with: kefu ingest PATH";
pub const NO_SELECTION: &str = "Select a conversation to read its messages.";
pub const NO_MESSAGES: &str = "This conversation has no messages.";
pub const NO_TICKETS: &str = "No tickets yet.";

/// Headers of the ticket list, in column order.
pub const TICKET_ID: &str = "ID";
pub const TICKET_TYPE: &str = "Type";
pub const TICKET_PRIORITY: &str = "Priority";
pub const TICKET_SOURCE: &str = "Source";
pub const TICKET_STATUS: &str = "Status";
pub const TICKET_CUSTOMER: &str = "Customer";
pub const TICKET_SUBJECT: &str = "Subject";

pub fn channel(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "Email",
        Channel::Chat => "Chat",
        Channel::Phone => "Phone",
    }
}

pub fn direction(direction: Direction) -> &'static str {
    match direction {
        Direction::Inbound => "Inbound",
        Direction::Outbound => "Outbound",
    }
}

pub fn automation(kind: AutomationKind) -> &'static str {
    match kind {
        AutomationKind::AutoReply => "Auto-reply",
        AutomationKind::Bounce => "Bounce",
        AutomationKind::Bulk => "Bulk mail",
    }
}

/// Formats the marker on a machine-generated message, with the header or
/// pattern that identified it.
pub fn automation_marker(kind: AutomationKind, evidence: &str) -> String {
    let kind = automation(kind);
    if evidence.trim().is_empty() {
        kind.to_string()
    } else {
        format!("{kind} (detected by: {evidence})")
    }
}

/// Formats the details of a phone call as one line.
pub fn call(call: &Call) -> String {
    let outcome = if call.answered {
        "answered"
    } else {
        "not answered"
    };
    format!(
        "Call to {}, {outcome}, disposition {}, duration {}, billed {}",
        call.destination,
        call.disposition,
        format::duration(call.duration_seconds),
        format::duration(call.billed_seconds),
    )
}

/// Formats a note written while reading the message's input.
pub fn note(note: &str) -> String {
    format!("Note: {note}")
}

pub fn attachment(file_name: &str, size: u64) -> String {
    format!("{file_name} ({})", format::file_size(size))
}

pub fn message_count(count: u32) -> String {
    match count {
        1 => "1 message".to_string(),
        _ => format!("{count} messages"),
    }
}

/// Formats the header summary, for example "4 conversations, 1 unanswered,
/// 3 tickets".
pub fn summary(conversations: usize, unanswered: usize, tickets: usize) -> String {
    let conversations = match conversations {
        1 => "1 conversation".to_string(),
        _ => format!("{conversations} conversations"),
    };
    let tickets = match tickets {
        1 => "1 ticket".to_string(),
        _ => format!("{tickets} tickets"),
    };
    format!("{conversations}, {unanswered} unanswered, {tickets}")
}

pub fn loaded_at(time: &str) -> String {
    format!("Updated {time}")
}

/// Formats the error line for a database that could not be opened. `error`
/// is the full chain of causes.
pub fn open_failed(path: &Path, error: &str) -> String {
    format!(
        "Could not open the database {}: {error}. Check the path and its permissions, then press {REFRESH}.",
        path.display()
    )
}

/// Formats the error line for a failed read. `error` is the full chain of
/// causes.
pub fn read_failed(error: &str) -> String {
    format!("Could not read the database: {error}. Press {REFRESH} to try again.")
}
