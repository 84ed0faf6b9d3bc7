//! The words the workbench shows, in English.
//!
//! Every user-visible word lives here so that adding the Simplified Chinese
//! UI changes one module.
// TODO: add Simplified Chinese and pick the language from the system locale
// or a setting. Ticket types, priorities and statuses come with English and
// Chinese labels from the lifecycle, and `lifecycle_label` picks one.

use std::path::Path;

use kefu_core::lifecycle::Lifecycle;
use kefu_core::model::{AutomationKind, Call, Channel, Direction};
use kefu_core::plugin::manifest::Capabilities;
use kefu_core::plugin::{PluginKind, PluginStatus};
use kefu_core::store::{Address, CustomerSummary, Moved};

use crate::format;

pub mod todo;

pub const WINDOW_TITLE: &str = "Kefu 客服";
pub const REFRESH: &str = "Refresh";
/// The button that switches to the Plugins screen, and its heading.
pub const PLUGINS: &str = "Plugins";
/// The button that switches back from the Plugins screen.
pub const WORKBENCH: &str = "Workbench";
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

/// Returns the lifecycle's label for a ticket type, or `id` itself when the
/// lifecycle does not list it, as for a ticket stored under an older one.
pub fn ticket_type(lifecycle: &Lifecycle, id: &str) -> String {
    lifecycle
        .types()
        .iter()
        .find(|term| term.id == id)
        .map_or_else(
            || id.to_string(),
            |term| lifecycle_label(&term.en, &term.zh),
        )
}

/// Returns the lifecycle's label for a priority, or `id` itself when the
/// lifecycle does not list it.
pub fn priority(lifecycle: &Lifecycle, id: &str) -> String {
    lifecycle.priority(id).map_or_else(
        || id.to_string(),
        |priority| lifecycle_label(&priority.en, &priority.zh),
    )
}

/// Returns the lifecycle's label for a status, or `id` itself when the
/// lifecycle does not list it.
pub fn ticket_status(lifecycle: &Lifecycle, id: &str) -> String {
    lifecycle.status(id).map_or_else(
        || id.to_string(),
        |status| lifecycle_label(&status.en, &status.zh),
    )
}

/// Picks the label in the language of the UI, which is English for now.
fn lifecycle_label(en: &str, _zh: &str) -> String {
    en.to_string()
}

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

pub fn attachment_failed(error: &str) -> String {
    format!("Could not open the attachment: {error}")
}

pub fn attachment(file_name: &str, size: u64) -> String {
    format!("{file_name} ({})", format::file_size(size))
}

/// Labels the button above a conversation's messages that shows up to
/// `window` more of the `earlier` messages not shown yet.
pub fn earlier_messages(earlier: usize, window: usize) -> String {
    let shown = earlier.min(window);
    match earlier {
        1 => "Show 1 earlier message".to_string(),
        _ if earlier == shown => format!("Show {earlier} earlier messages"),
        _ => format!("Show {shown} earlier messages ({earlier} not shown)"),
    }
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

pub const LOADING_PLUGINS: &str = "Loading plugins…";
pub const PLUGINS_NOT_LOADED: &str = "Plugins are not loaded in this window.";
pub const BUILTIN: &str = "Built-in";
/// Origin of a plugin that the program handed to the plugin set itself.
pub const DIRECT_PLUGIN: &str = "Loaded by the program";
/// Name shown for a plugin file whose manifest could not be read.
pub const NO_MANIFEST: &str = "(no manifest)";
pub const GRANT_HINT: &str = "A plugin uses a capability its manifest declares only after you grant \
     it, for example: kefu plugin grant ID read-folder DIR. A grant applies the next time Kefu \
     loads the plugin.";
pub const PLUGIN_SYNC_PANICKED: &str = "an earlier update of the plugins stopped part way through";

pub fn plugin_kind(kind: PluginKind) -> &'static str {
    match kind {
        PluginKind::Adapter => "Channel adapter",
        PluginKind::Rule => "Ticket rule",
        PluginKind::Widget => "Report widget",
    }
}

pub fn plugin_status(status: &PluginStatus) -> &'static str {
    match status {
        PluginStatus::Running => "Running",
        PluginStatus::Disabled(_) => "Disabled",
        PluginStatus::Broken(_) => "Broken",
        PluginStatus::Replaced => "Replaced",
    }
}

pub fn plugin_version(version: &impl std::fmt::Display) -> String {
    format!("version {version}")
}

pub fn plugin_id(id: &str) -> String {
    format!("ID: {id}")
}

pub fn plugin_file(path: &Path) -> String {
    format!("File: {}", path.display())
}

pub fn native_plugin_file(path: &Path) -> String {
    format!("Native library: {}", path.display())
}

pub fn plugin_disabled(id: &str, reason: &str) -> String {
    format!("Disabled: {reason}. Run kefu plugin enable {id} and restart Kefu to run it again.")
}

/// Formats why a plugin could not be loaded on one line. Errors from the
/// WebAssembly parser can span lines, for example a list of bytes.
pub fn plugin_broken(reason: &str) -> String {
    let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("Could not load: {reason}")
}

/// Formats the line of a built-in replaced by the folder plugin at
/// `replacement`, when that file is known.
pub fn plugin_replaced(replacement: Option<&Path>) -> String {
    match replacement {
        Some(path) => format!("Replaced by the plugin file {}", path.display()),
        None => "Replaced by a plugin file with the same id".to_string(),
    }
}

pub fn declared_capabilities(capabilities: &Capabilities) -> String {
    format!("Declared capabilities: {capabilities}")
}

pub fn granted_capabilities(capabilities: &Capabilities) -> String {
    format!("Granted: {capabilities}")
}

/// Formats the command that grants one declared capability.
pub fn grant_command(id: &str, capability: &str, value: &str) -> String {
    format!("To grant: kefu plugin grant {id} {capability} {value}")
}

/// Formats the line naming the plugins folder, or saying there is none.
pub fn plugin_folder(folder: Option<&Path>) -> String {
    match folder {
        Some(folder) => format!(
            "Plugins folder: {}. Files added, replaced or removed there load or unload at once.",
            folder.display()
        ),
        None => "No plugins folder is set, so only the built-in plugins load. Start Kefu with \
                 --plugins DIR to add your own."
            .to_string(),
    }
}

pub fn plugin_loaded(id: &str) -> String {
    format!("Loaded plugin {id}.")
}

pub fn plugin_not_loaded(id: &str) -> String {
    format!("Could not load plugin {id}. Its card shows the reason.")
}

pub fn plugin_found_disabled(id: &str) -> String {
    format!("Found plugin {id}, which is disabled.")
}

pub fn plugin_reloaded(id: &str) -> String {
    format!("Reloaded plugin {id}.")
}

pub fn plugin_removed(id: &str) -> String {
    format!("Removed plugin {id}.")
}

/// Formats the header summary of the Plugins screen, for example
/// "6 plugins: 5 running, 1 broken".
pub fn plugin_summary(statuses: &[&PluginStatus]) -> String {
    let count =
        |wanted: fn(&PluginStatus) -> bool| statuses.iter().filter(|status| wanted(status)).count();
    let total = match statuses.len() {
        1 => "1 plugin".to_string(),
        total => format!("{total} plugins"),
    };
    let parts = [
        (count(|status| *status == PluginStatus::Running), "running"),
        (
            count(|status| matches!(status, PluginStatus::Disabled(_))),
            "disabled",
        ),
        (
            count(|status| matches!(status, PluginStatus::Broken(_))),
            "broken",
        ),
        (
            count(|status| *status == PluginStatus::Replaced),
            "replaced",
        ),
    ];
    let parts: Vec<String> = parts
        .iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, word)| format!("{count} {word}"))
        .collect();
    if parts.is_empty() {
        total
    } else {
        format!("{total}: {}", parts.join(", "))
    }
}

/// Formats the error line for a failed plugin load. `error` is the full
/// chain of causes.
pub fn plugins_load_failed(error: &str) -> String {
    format!("Could not load the plugins: {error}. Press {REFRESH} to try again.")
}

/// Formats the error line for a failed sync with the plugins folder.
pub fn plugin_sync_failed(error: &str) -> String {
    format!(
        "Could not update the plugins from their folder: {error}. Press {REFRESH} to load them again."
    )
}

/// Formats the error line for a lifecycle or SLA file that cannot be used.
/// `error` names the file and the problem.
pub fn desk_config_invalid(error: &str) -> String {
    format!(
        "Invalid desk configuration: {error}. Kefu runs on the built-in lifecycle and SLA, \
         without declarative rules, until the file is fixed and Kefu restarted."
    )
}

/// Formats the error line for declarative rules that cannot be used.
/// `error` names the file, the line and the problem.
pub fn rules_config_invalid(error: &str) -> String {
    format!(
        "Invalid rules: {error}. Kefu runs without declarative rules until the file is fixed \
         and Kefu restarted."
    )
}

/// Formats the line for a `backup.toml` that cannot be used.
pub fn backup_config_invalid(error: &str) -> String {
    format!(
        "Invalid backup settings: {error}. Kefu makes no automatic backups until the file \
         is fixed and Kefu restarted."
    )
}

/// Formats the status of the last scheduler run, for example "Rules run
/// 14:03:05: 2 fired, 0 failed".
pub fn scheduler_finished(time: &str, fired: usize, failed: usize) -> String {
    format!("Rules run {time}: {fired} fired, {failed} failed")
}

/// Formats the status of a scheduler run that failed. The tooltip shows why.
pub fn scheduler_failed(time: &str) -> String {
    format!("Rules run {time} failed")
}

/// Formats the error of a background thread that ended without a result.
pub fn thread_panicked(name: &str) -> String {
    format!("the thread {name} panicked, and standard error shows the panic message")
}

/// Formats the error line for a plugins folder that is not watched.
pub fn plugin_watch_failed(folder: &Path, error: &str) -> String {
    format!(
        "Not watching the plugins folder {}: {error}. Press {REFRESH} to pick up changes there.",
        folder.display()
    )
}

/// Formats the error line for a webhook server that `webhook.toml` enables
/// but that could not start.
pub fn webhook_failed(error: &str) -> String {
    format!("Webhook server not started: {error}")
}

/// Formats the top bar's note on the running webhook server.
pub fn webhook_listening(address: &str) -> String {
    format!("Webhook on {address}")
}

// The customer card.

/// Name shown for a customer whose name no input gave.
pub const NO_NAME: &str = "(no name)";
pub const NO_TAGS: &str = "Tags: none";
pub const ADDRESSES: &str = "Addresses";
pub const SPLIT: &str = "Split";
pub const MERGE: &str = "Merge";
pub const CANCEL: &str = "Cancel";
pub const MERGE_HEADING: &str = "Merge another customer into this one";
pub const MERGE_SEARCH_HINT: &str = "Search by name, email address, phone number or chat id";
pub const NO_CUSTOMER_FOUND: &str = "No other customer matches.";
pub const REASON_HINT: &str = "Reason, recorded with the change (optional)";

pub fn customer_number(id: i64) -> String {
    format!("Customer #{id}")
}

pub fn customer_tier(tier: &str) -> String {
    format!("Tier: {tier}")
}

/// Formats the tags of a customer's tickets.
pub fn customer_tags(tags: &[String]) -> String {
    format!("Tags: {}", tags.join(", "))
}

/// Formats a search result: the customer's number and name.
pub fn customer_choice(id: i64, name: Option<&str>) -> String {
    format!("#{id} {}", name.unwrap_or(NO_NAME))
}

pub fn more_customers(count: usize) -> String {
    format!("{count} more; type more of the name or address to narrow the list.")
}

/// Formats the history heading with the number of messages and calls.
pub fn history_heading(count: usize) -> String {
    match count {
        1 => "History: 1 message on every channel".to_string(),
        _ => format!("History: {count} messages on every channel"),
    }
}

/// Asks to confirm merging `from` into customer `into`, saying what moves.
pub fn confirm_merge(from: &CustomerSummary, into: i64) -> String {
    let addresses: Vec<String> = from.addresses.iter().map(Address::to_string).collect();
    format!(
        "Merge customer #{} {} into customer #{into}? {} and {}, with their tickets and \
         tasks, move to #{into}. Customer #{} stays as a record that points to #{into}.",
        from.id,
        from.name.as_deref().unwrap_or(NO_NAME),
        count_of(
            addresses.len(),
            "address",
            "addresses",
            &addresses.join(", ")
        ),
        count_of(
            from.conversations as usize,
            "conversation",
            "conversations",
            ""
        ),
        from.id,
    )
}

/// Asks to confirm splitting `address` off customer `from`.
pub fn confirm_split(address: &Address, from: i64) -> String {
    format!(
        "Split {address} off customer #{from}? The address and the conversations it \
         started move to a new customer with the same tier."
    )
}

/// Names the agent that a confirmed change is recorded under.
pub fn acting_agent(actor: &str) -> String {
    format!("recorded as {actor}")
}

/// Reports a finished merge.
pub fn merged(from: i64, into: i64, moved: &Moved) -> String {
    format!(
        "Customer #{from} merged into #{into}: moved {} and {}.",
        count_of(moved.addresses.len(), "address", "addresses", ""),
        count_of(
            moved.conversations.len(),
            "conversation",
            "conversations",
            ""
        ),
    )
}

/// Reports a finished split.
pub fn split_off(from: i64, new_id: i64, moved: &Moved) -> String {
    format!(
        "{} split off customer #{from} into new customer #{new_id}, with {}.",
        moved.addresses.join(", "),
        count_of(
            moved.conversations.len(),
            "conversation",
            "conversations",
            ""
        ),
    )
}

pub fn customer_read_failed(id: i64, error: &str) -> String {
    format!("Could not read customer #{id}: {error}")
}

pub fn customer_change_failed(error: &str) -> String {
    format!("Nothing was changed: {error}")
}

/// Formats a count with the singular or plural noun, and `list` in
/// brackets when it is not empty.
fn count_of(count: usize, one: &str, many: &str, list: &str) -> String {
    let noun = if count == 1 { one } else { many };
    if list.is_empty() {
        format!("{count} {noun}")
    } else {
        format!("{count} {noun} ({list})")
    }
}

/// Heading of the unlock screen.
pub const DATABASE_ENCRYPTED: &str = "This database is encrypted. Enter its passphrase to open it.";
pub const PASSPHRASE_HINT: &str = "Passphrase";
pub const UNLOCK: &str = "Unlock";

/// The button that switches to the reports screen.
pub const REPORTS: &str = "Reports";
pub const REPORT_PERIOD: &str = "Period:";
pub const REPORT_PERIOD_HINT: &str = "2026-11, 2026-W45 or 2026-11-01..2026-11-15";
pub const REPORT_SHOW: &str = "Show";
pub const REPORT_BY: &str = "Bars by:";
pub const REPORT_LOADING: &str = "Reading the report…";
pub const REPORT_EMPTY: &str = "No tickets to show in this period.";
pub const REPORT_DRILL_DOWN_HINT: &str =
    "Click a bar, point, slice or cell to list the tickets it counts.";
pub const CREATED: &str = "Created";
pub const RESOLVED: &str = "Resolved";
pub const OPEN_AT_END: &str = "Open at the end";
pub const BACKLOG_TITLE: &str = "Open tickets (backlog)";
pub const CHANNELS_TITLE: &str = "Tickets created by channel";
pub const HOUR_OF_DAY: &str = "Hour of the day";
/// Weekday names of the heatmap's rows, Monday first.
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

pub fn period_kind(kind: crate::reports::PeriodKind) -> &'static str {
    use crate::reports::PeriodKind;
    match kind {
        PeriodKind::Day => "Day",
        PeriodKind::Week => "Week",
        PeriodKind::Month => "Month",
        PeriodKind::Custom => "Custom",
    }
}

pub fn dimension(dimension: kefu_core::metrics::Dimension) -> &'static str {
    use kefu_core::metrics::Dimension;
    match dimension {
        Dimension::Agent => "Agent",
        Dimension::TicketType => "Type",
        Dimension::Tier => "Tier",
        Dimension::Channel => "Channel",
        Dimension::Time(_) => "Time",
    }
}

pub fn volume_title(dimension: &str) -> String {
    format!("Tickets created and resolved by {dimension}")
}

pub fn hour_of_week_title(time_zone: &str) -> String {
    format!("Tickets created by weekday and hour ({time_zone})")
}

/// Formats the period shown and the time zone its dates are read in.
pub fn report_period(period: &str, time_zone: &str) -> String {
    format!("{period}, {time_zone}")
}

/// Names a clicked chart value by its series and category, such as
/// "Created, email".
pub fn report_selection(series: &str, category: &str) -> String {
    format!("{series}, {category}")
}

pub fn drill_down_heading(selection: &str, tickets: usize) -> String {
    match tickets {
        1 => format!("{selection}: 1 ticket"),
        _ => format!("{selection}: {tickets} tickets"),
    }
}

pub fn drill_down_details(customer: &str, ticket_type: &str, status: &str) -> String {
    format!("{customer} · {ticket_type} · {status}")
}

pub fn report_failed(error: &str) -> String {
    format!("Could not read the report: {error}")
}

/// Title of a pane that shows no conversation.
pub const EMPTY_PANE: &str = "Empty pane";
pub const SPLIT_RIGHT: &str = "Split right";
pub const SPLIT_DOWN: &str = "Split down";
pub const MAXIMIZE_PANE: &str = "Maximise";
/// The maximised pane's button that shows every pane again.
pub const RESTORE_PANE: &str = "Restore";
pub const CLOSE_PANE: &str = "Close";

/// Returns the hint in an empty draft editor.
pub fn draft_placeholder(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "Write an email reply…",
        Channel::Chat => "Write a chat reply…",
        Channel::Phone => "Write a note about the call…",
    }
}

/// Returns the label of the composer's send button.
pub fn send_button(channel: Channel) -> &'static str {
    match channel {
        Channel::Email | Channel::Chat => "Send",
        Channel::Phone => "Save note",
    }
}

/// Formats what a send stored.
pub fn sent(sent: crate::composer::Sent) -> String {
    match sent {
        crate::composer::Sent::Queued {
            outbox_id,
            ticket_id,
        } => format!("Reply to ticket #{ticket_id} queued as outbox entry {outbox_id}."),
        crate::composer::Sent::Noted { ticket_id } => {
            format!("Call note saved in the history of ticket #{ticket_id}.")
        }
    }
}

/// Formats the line for a send that stored nothing. `error` is the full
/// chain of causes.
pub fn send_failed(error: &str) -> String {
    format!("Not sent: {error}. The draft is kept.")
}

/// Formats the delivery state of a reply in the outbox, for example
/// "Queued, attempt 2 failed: connection refused".
pub fn outbox_state(entry: &kefu_core::store::OutboxEntry) -> String {
    use kefu_core::store::OutboxState;

    let error = entry.last_error.as_deref().unwrap_or("unknown error");
    match entry.state {
        OutboxState::Queued if entry.attempts == 0 => "Queued".to_string(),
        OutboxState::Queued => format!("Queued, attempt {} failed: {error}", entry.attempts),
        OutboxState::Sending => "Sending…".to_string(),
        OutboxState::Sent => match entry.sent_at {
            Some(at) => format!("Sent {}", format::message_time(at)),
            None => "Sent".to_string(),
        },
        OutboxState::Failed => format!(
            "Failed: {error}. `kefu outbox retry {}` queues it again.",
            entry.id
        ),
    }
}

/// Formats the error line for a workbench state file that could not be
/// used. `aside` is where it was moved, if moving it worked.
pub fn state_file_invalid(path: &Path, error: &str, aside: Option<&Path>) -> String {
    match aside {
        Some(aside) => format!(
            "The saved panes and drafts in {} could not be read ({error}). The file was moved to \
             {}, and the workbench starts with one empty pane.",
            path.display(),
            aside.display()
        ),
        None => format!(
            "The saved panes and drafts in {} could not be read ({error}), and the workbench \
             starts with one empty pane. Move the file away to keep its drafts.",
            path.display()
        ),
    }
}
