//! The words the workbench shows, in English.
//!
//! Every user-visible word lives here so that adding the Simplified Chinese
//! UI changes one module.
// TODO: add Simplified Chinese and pick the language from the system locale
// or a setting. Ticket types, priorities and statuses come with English and
// Chinese labels from the lifecycle, and `lifecycle_label` picks one.

use std::path::Path;

use kefu_core::alerts::{Alert, AlertSettings, Tier};
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
pub const REPORT_EMPTY: &str = "Nothing to show in this period.";
pub const REPORT_NO_WIDGETS: &str =
    "No report widget is running. The Plugins screen shows each widget's state.";
pub const REPORT_DRILL_DOWN_HINT: &str =
    "Click a bar, point, slice or cell to list the tickets it counts.";

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
        Dimension::Ticket => "Ticket",
        Dimension::Time(_) => "Time",
    }
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

pub const EXPORT: &str = "Export:";
pub const EXPORT_PATH_HINT: &str =
    "File to write, for example ~/Documents/kefu-report-2026-11.xlsx";
pub const EXPORT_BUTTON: &str = "Export";
pub const EXPORT_REPLACE: &str = "Replace";
pub const EXPORT_NO_REPORT: &str =
    "Nothing to export yet: wait until the report is shown, then press Export again.";
pub const EXPORT_PATH_MISSING: &str =
    "The file path is empty: enter the file to write, for example ~/kefu-report.xlsx.";

/// Returns the name of an export format on its button.
pub fn export_format(format: kefu_core::export::ExportFormat) -> &'static str {
    use kefu_core::export::ExportFormat;
    match format {
        ExportFormat::Xlsx => "Excel",
        ExportFormat::Pdf => "PDF",
        ExportFormat::Csv => "CSV",
    }
}

pub fn export_extension_mismatch(path: &Path, format: &str) -> String {
    format!(
        "{} does not end in the extension of {format}; change the file name or choose the \
         format its extension names.",
        path.display()
    )
}

/// Asks whether to replace the files an export would overwrite.
pub fn export_replace_question(existing: &[std::path::PathBuf]) -> String {
    let names: Vec<String> = existing
        .iter()
        .map(|path| path.display().to_string())
        .collect();
    match names.len() {
        1 => format!("{} exists. Replace it?", names[0]),
        _ => format!("{} exist. Replace them?", names.join(", ")),
    }
}

/// Describes a running export: the file and how far it got.
pub fn export_progress(path: &Path, progress: Option<kefu_core::export::ExportProgress>) -> String {
    use kefu_core::export::ExportStage;
    let path = path.display();
    let Some(progress) = progress else {
        return format!("Exporting {path}: computing the report…");
    };
    let (done, total) = (
        format::thousands(progress.done),
        format::thousands(progress.total),
    );
    match progress.stage {
        ExportStage::WritingRows => format!("Exporting {path}: {done} of {total} rows written"),
        ExportStage::LayingOut => {
            format!("Exporting {path}: {done} of {total} table rows laid out")
        }
        ExportStage::DrawingPages => format!("Exporting {path}: {done} of {total} pages drawn"),
        ExportStage::Saving => format!("Exporting {path}: saving the file…"),
    }
}

pub fn export_saved(paths: &[std::path::PathBuf], rows: usize, pages: Option<usize>) -> String {
    let names: Vec<String> = paths
        .iter()
        .map(|path| path.display().to_string())
        .collect();
    let rows = format::thousands(rows as u64);
    match pages {
        Some(pages) => format!("Saved {} ({rows} rows, {pages} pages)", names.join(", ")),
        None => format!("Saved {} ({rows} rows)", names.join(", ")),
    }
}

pub fn export_failed(error: &str) -> String {
    format!("Could not export the report: {error}")
}

/// Heading of the offer of demo data on an empty database.
pub const DEMO_OFFER: &str = "Try Kefu with demo data?";
pub const DEMO_OFFER_DETAILS: &str = "Kefu can fill this database with generated customers, \
     conversations on every channel and tickets through their whole lifecycle, so the lists and \
     reports have something to show. Or start empty and import your own data.";
pub const DEMO_CUSTOMERS: &str = "Customers";
pub const DEMO_DAYS: &str = "Days of history";
pub const LOAD_DEMO_DATA: &str = "Load demo data";
pub const START_EMPTY: &str = "Start empty";

pub fn demo_invalid_number(field: &str, value: &str) -> String {
    format!("{field}: {value:?} is not a whole number above 0; enter one, for example 200.")
}

pub fn demo_progress(done: u64, total: u64) -> String {
    format!(
        "Generating demo data: {} of {} tickets written…",
        format::thousands(done),
        format::thousands(total)
    )
}

pub fn demo_failed(error: &str) -> String {
    format!("Could not load the demo data: {error}")
}

/// Error line of a widget's tile, for a widget that failed or returned a
/// view that cannot be shown.
pub fn widget_failed(error: &str) -> String {
    format!("This widget failed: {error}")
}

/// Title of a pane that shows no conversation.
pub const EMPTY_PANE: &str = "Empty pane";
pub const SPLIT_RIGHT: &str = "Split right";
pub const SPLIT_DOWN: &str = "Split down";
pub const MAXIMIZE_PANE: &str = "Maximise";
/// The maximised pane's button that shows every pane again.
pub const RESTORE_PANE: &str = "Restore";
pub const CLOSE_PANE: &str = "Close";
pub const POP_OUT_PANE: &str = "Pop out";

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

/// Formats the line for an `alerts.toml` that cannot be used.
pub fn alerts_config_invalid(error: &str) -> String {
    format!(
        "Invalid alert settings: {error}. Kefu raises alerts with the built-in settings until \
         the file is fixed and Kefu restarted."
    )
}

/// The action of a desktop notification that opens its conversation.
pub const OPEN_CONVERSATION: &str = "Open conversation";
/// The close button of an alert toast.
pub const DISMISS: &str = "×";

/// Names an alert tier on its toast.
pub fn alert_tier(tier: Tier) -> &'static str {
    match tier {
        Tier::Ordinary => "New message",
        Tier::Important => "Important",
        Tier::Reminder => "Reminder",
        Tier::SlaWarning => "SLA warning",
        Tier::SlaBreach => "SLA breached",
    }
}

/// Formats the one-line summary of an alert, for its toast and desktop
/// notification, for example "New message from 赵敏" or "50 new messages
/// from 3 customers".
pub fn alert_summary(alert: &Alert, settings: &AlertSettings) -> String {
    let customers = alert.entries.len();
    let first = alert
        .entries
        .first()
        .map_or("", |entry| entry.customer.as_str());
    let single = alert.count == 1 && customers == 1;
    match alert.tier {
        Tier::Ordinary if single => format!("New message from {first}"),
        Tier::Ordinary => format!(
            "{} new messages from {}",
            alert.count,
            plural(customers.max(1), "customer", "customers")
        ),
        Tier::Important if single => format!("Important message from {first}"),
        Tier::Important => format!(
            "{} important messages from {}",
            alert.count,
            plural(customers.max(1), "customer", "customers")
        ),
        Tier::Reminder => {
            let minutes = settings.reminder_after.num_minutes();
            if single {
                format!("{first} has waited {minutes} min for an answer")
            } else {
                format!(
                    "{} have waited {minutes} min for an answer",
                    plural(alert.count, "conversation", "conversations")
                )
            }
        }
        Tier::SlaWarning => {
            let due = alert.entries.iter().filter_map(|entry| entry.due).min();
            let minutes = due.map_or(0, |due| (due - alert.at).num_minutes().max(0));
            if single {
                format!("SLA deadline in {minutes} min: {first}")
            } else {
                format!(
                    "{} near their SLA deadline, the first in {minutes} min",
                    plural(alert.count, "ticket", "tickets")
                )
            }
        }
        Tier::SlaBreach if single => format!("SLA deadline passed: {first}"),
        Tier::SlaBreach => format!(
            "{} past their SLA deadline",
            plural(alert.count, "ticket", "tickets")
        ),
    }
}

/// Most conversations an alert's body lists; the rest are counted.
const ALERT_BODY_LINES: usize = 3;

/// Formats the body of an alert: one line per conversation, "customer:
/// text", with the number of its messages when more than one, and a count
/// of the conversations not listed.
pub fn alert_body(alert: &Alert) -> String {
    let mut lines: Vec<String> = alert
        .entries
        .iter()
        .take(ALERT_BODY_LINES)
        .map(|entry| {
            let ticket = entry
                .ticket_id
                .filter(|_| alert.tier.is_sla())
                .map(|id| format!("#{id} "))
                .unwrap_or_default();
            let count = if entry.count > 1 {
                format!(" ({})", entry.count)
            } else {
                String::new()
            };
            format!("{ticket}{}{count}: {}", entry.customer, entry.text)
        })
        .collect();
    let rest = alert.entries.len().saturating_sub(ALERT_BODY_LINES);
    if rest > 0 {
        lines.push(format!(
            "… and {}",
            plural(rest, "more conversation", "more conversations")
        ));
    }
    lines.join("\n")
}

/// Formats a count with the singular or plural noun.
fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

pub const PHRASES_BUTTON: &str = "Phrases";
pub const PHRASES_HEADING: &str = "Phrases";
pub const CLOSE_DIALOG: &str = "Close";
pub const PHRASE_SEARCH_HINT: &str = "Search titles, text, keywords and categories";
pub const ALL_CATEGORIES: &str = "All";
pub const NO_PHRASES: &str =
    "The phrase library is empty. Import phrases with: kefu phrases import FILE";
pub const NO_PHRASES_FOUND: &str = "No phrase matches the search and category.";
pub const INSERT_PHRASE: &str = "Insert";
pub const INSERT_AND_SEND_PHRASE: &str = "Insert and send";
pub const SUGGESTED_BY_RULE: &str = "Suggested by a rule";
pub const SUGGESTED_FOR_MESSAGE: &str = "Suggested";
pub const NO_UNANSWERED: &str = "No conversation is waiting for a reply.";
pub const NO_CONVERSATION_FOR_PHRASES: &str =
    "Open a conversation in the focused pane first, so the phrases can be filled in for it.";
pub const SHORTCUTS_BUTTON: &str = "Shortcuts";
pub const SHORTCUTS_HEADING: &str = "Keyboard shortcuts";
pub const CONVERSATION_SEARCH_HINT: &str = "Search conversations";
pub const NO_CONVERSATIONS_FOUND: &str = "No conversation matches the search.";

/// Formats the line under a phrase's preview for placeholders without a
/// value.
pub fn phrase_missing_values(missing: &[String]) -> String {
    let markers: Vec<String> = missing.iter().map(|name| format!("[{name}?]")).collect();
    let agent_hint = if missing.iter().any(|name| name == "agent.name") {
        " Set KEFU_AGENT to an agent's name to fill [agent.name?]."
    } else {
        ""
    };
    format!(
        "No value for {}, so the text shows {} there. Replace it in the draft before \
         sending.{agent_hint}",
        missing.join(", "),
        markers.join(", ")
    )
}

/// Formats the line under a draft that contains placeholders without a
/// value, written as they appear in the draft.
pub fn unfilled_placeholders(placeholders: &[String]) -> String {
    format!(
        "Replace {} with the text the customer should read. The draft cannot be sent while it \
         contains a placeholder.",
        placeholders.join(", ")
    )
}

/// Formats the error line for a phrase picker that could not open.
pub fn phrases_failed(error: &str) -> String {
    format!("Could not open the phrases: {error}")
}

/// Formats the error line for a phrase whose use could not be counted.
pub fn phrase_use_failed(phrase_id: &str, error: &str) -> String {
    format!("Phrase {phrase_id} was inserted, but counting its use failed: {error}")
}

/// Returns the heading of a group in the shortcut list.
pub fn shortcut_scope(scope: crate::shortcuts::Scope) -> &'static str {
    use crate::shortcuts::Scope;
    match scope {
        Scope::Workbench => "Workbench",
        Scope::PhrasePicker => "Phrase picker",
        Scope::ShortcutList => "This list",
    }
}

/// Describes what a shortcut does, for the shortcut list.
pub fn shortcut_action(action: crate::shortcuts::Action) -> &'static str {
    use crate::shortcuts::Action;
    match action {
        Action::NextUnanswered => "Open the next conversation waiting for a reply",
        Action::NextPane => "Focus the next pane",
        Action::PreviousPane => "Focus the previous pane",
        Action::OpenPhrases => "Open the phrases for the focused pane's draft",
        Action::Send => "Send the focused pane's draft",
        Action::ClosePane => "Close the focused pane",
        Action::FocusSearch => "Search the conversations",
        Action::ShowShortcuts => "Show this list",
        Action::InsertPhrase => "Insert the selected phrase into the draft",
        Action::InsertPhraseAndSend => "Insert the selected phrase and send the draft",
        Action::SelectNextPhrase => "Select the next phrase",
        Action::SelectPreviousPhrase => "Select the previous phrase",
        Action::CloseDialog => "Close",
    }
}

/// Formats a button label or hint with the keys of the shortcut that does
/// the same, such as "Insert (Enter)".
pub fn with_keys(
    label: &str,
    action: crate::shortcuts::Action,
    scope: crate::shortcuts::Scope,
) -> String {
    match crate::shortcuts::keys_for(action, scope) {
        Some(combination) => format!("{label} ({})", keys(combination)),
        None => label.to_string(),
    }
}

/// Formats a key combination, such as "Ctrl+Shift+Tab" ("Cmd+Shift+Tab"
/// on macOS).
pub fn keys(keys: crate::shortcuts::Keys) -> String {
    use crate::shortcuts::KeyName;
    use iced::keyboard::key::Named;

    let mut parts: Vec<String> = Vec::new();
    if keys.command {
        parts.push(
            if cfg!(target_os = "macos") {
                "Cmd"
            } else {
                "Ctrl"
            }
            .to_string(),
        );
    }
    if keys.shift {
        parts.push("Shift".to_string());
    }
    parts.push(match keys.key {
        KeyName::Character(character) => character.to_uppercase().to_string(),
        KeyName::Named(Named::ArrowUp) => "Up".to_string(),
        KeyName::Named(Named::ArrowDown) => "Down".to_string(),
        KeyName::Named(Named::Escape) => "Esc".to_string(),
        KeyName::Named(named) => format!("{named:?}"),
    });
    parts.join("+")
}
