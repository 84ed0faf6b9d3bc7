//! The words the workbench shows, in the language of the UI.
//!
//! Every user-visible word comes from the Fluent files in `host/ui/locales`
//! (`en.ftl` and `zh-CN.ftl`), through the functions here, so views never
//! spell out text. A label without values returns `&'static str`, and one
//! with values formats its message. Ticket types, priorities and statuses
//! come with English and Chinese labels from the lifecycle, and
//! `lifecycle_label` picks one.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use fluent_bundle::FluentValue;
use kefu_core::alerts::{Alert, AlertSettings, Tier};
use kefu_core::lifecycle::Lifecycle;
use kefu_core::model::{AutomationKind, Call, Channel, Direction};
use kefu_core::plugin::manifest::Capabilities;
use kefu_core::plugin::{PluginKind, PluginStatus};
use kefu_core::store::{Address, CustomerSummary, Moved};

use crate::format;
use crate::language::{self, Language};
use catalog::{fill, fill_in, text};

pub mod catalog;
pub mod report_widgets;
pub mod saved_views;
pub mod settings;
pub mod todo;

/// A line formatted each time it is read, so a line that stays on screen,
/// such as the result of a save or an error, follows a language switch
/// made after it was set. Values in it (paths, core errors) are kept as
/// they were given.
#[derive(Clone)]
pub struct Label(Arc<dyn Fn() -> String + Send + Sync>);

impl Label {
    /// Wraps the call of a label function, e.g.
    /// `Label::new(move || labels::save_failed(&error))`.
    pub fn new<S: ToString>(format: impl Fn() -> S + Send + Sync + 'static) -> Self {
        Self(Arc::new(move || format().to_string()))
    }

    /// Wraps a line that has no translation, such as an error the core
    /// wrote, which is in English.
    pub fn fixed(line: String) -> Self {
        Self::new(move || line.clone())
    }

    /// Formats the line in the language of the UI now.
    pub fn text(&self) -> String {
        (self.0)()
    }
}

impl fmt::Debug for Label {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_tuple("Label").field(&self.text()).finish()
    }
}

impl fmt::Display for Label {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text())
    }
}

/// Two labels are equal when they read the same now.
impl PartialEq for Label {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

/// The outcome of the last action of a form or a bulk change, shown under
/// it until the next one.
#[derive(Debug, Clone, PartialEq)]
pub enum ResultLine {
    Done(Label),
    Failed(Label),
}

impl ResultLine {
    /// Returns the line's text in the language of the UI now, and whether
    /// it reports a failure.
    pub fn text(&self) -> (String, bool) {
        match self {
            ResultLine::Done(label) => (label.text(), false),
            ResultLine::Failed(label) => (label.text(), true),
        }
    }
}

/// Returns a value for a placeholder that shows as written, for ids,
/// paths and names, where a number would get commas between thousands.
fn verbatim(value: impl std::fmt::Display) -> FluentValue<'static> {
    FluentValue::from(value.to_string())
}

/// Joins the items of a list with the language's separator.
fn join_list<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    items.join(text("list-separator"))
}

pub fn window_title() -> &'static str {
    text("window-title")
}

pub fn refresh() -> &'static str {
    text("refresh")
}

/// The button that switches to the Plugins screen, and its heading.
pub fn plugins() -> &'static str {
    text("plugins")
}

/// The button that switches back from the Plugins screen.
pub fn workbench() -> &'static str {
    text("workbench")
}

pub fn conversations() -> &'static str {
    text("conversations")
}

pub fn tickets() -> &'static str {
    text("tickets")
}

pub fn unanswered() -> &'static str {
    text("unanswered")
}

/// Formats a view's button above the conversation list, with its count.
pub fn view(view: &crate::views::View, count: u64) -> String {
    use crate::views::View;
    let id = match view {
        View::All => "view-all",
        View::Unanswered => "view-unanswered",
        View::Mine => "view-mine",
        View::Vip => "view-vip",
        View::DueSoon => "view-due-soon",
        View::Saved(name) => {
            return fill(
                "view-saved",
                &[("name", verbatim(name)), ("count", count.into())],
            );
        }
    };
    fill(id, &[("count", count.into())])
}

pub fn view_failed(error: &str) -> String {
    fill("view-failed", &[("error", error.into())])
}

pub fn view_truncated(limit: usize) -> String {
    fill("view-truncated", &[("limit", limit.into())])
}

pub fn no_subject() -> &'static str {
    text("no-subject")
}

pub fn attachments() -> &'static str {
    text("attachments")
}

pub fn empty_database() -> &'static str {
    text("empty-database")
}

pub fn no_selection() -> &'static str {
    text("no-selection")
}

pub fn no_messages() -> &'static str {
    text("no-messages")
}

pub fn no_tickets() -> &'static str {
    text("no-tickets")
}

// Headers of the ticket list, in column order.

pub fn ticket_id() -> &'static str {
    text("ticket-id")
}

pub fn ticket_type_header() -> &'static str {
    text("ticket-type")
}

pub fn ticket_priority() -> &'static str {
    text("ticket-priority")
}

pub fn ticket_source() -> &'static str {
    text("ticket-source")
}

pub fn ticket_status_header() -> &'static str {
    text("ticket-status")
}

pub fn ticket_customer() -> &'static str {
    text("ticket-customer")
}

pub fn ticket_subject() -> &'static str {
    text("ticket-subject")
}

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

/// Picks the lifecycle's label in the language of the UI, or the English
/// one when the lifecycle gives no Chinese label.
fn lifecycle_label(en: &str, zh: &str) -> String {
    match language::current() {
        Language::SimplifiedChinese if !zh.trim().is_empty() => zh.to_string(),
        _ => en.to_string(),
    }
}

pub fn channel(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => text("channel-email"),
        Channel::Chat => text("channel-chat"),
        Channel::Phone => text("channel-phone"),
    }
}

pub fn direction(direction: Direction) -> &'static str {
    match direction {
        Direction::Inbound => text("direction-inbound"),
        Direction::Outbound => text("direction-outbound"),
    }
}

pub fn automation(kind: AutomationKind) -> &'static str {
    match kind {
        AutomationKind::AutoReply => text("automation-auto-reply"),
        AutomationKind::Bounce => text("automation-bounce"),
        AutomationKind::Bulk => text("automation-bulk"),
    }
}

/// Formats the marker on a machine-generated message, with the header or
/// pattern that identified it.
pub fn automation_marker(kind: AutomationKind, evidence: &str) -> String {
    let kind = automation(kind);
    if evidence.trim().is_empty() {
        kind.to_string()
    } else {
        fill(
            "automation-marker",
            &[("kind", kind.into()), ("evidence", evidence.into())],
        )
    }
}

/// Formats the details of a phone call as one line.
pub fn call(call: &Call) -> String {
    let answered = if call.answered { "yes" } else { "no" };
    fill(
        "call",
        &[
            ("destination", call.destination.as_str().into()),
            ("answered", answered.into()),
            ("disposition", call.disposition.as_str().into()),
            ("duration", format::duration(call.duration_seconds).into()),
            ("billed", format::duration(call.billed_seconds).into()),
        ],
    )
}

/// Formats a note written while reading the message's input.
pub fn note(note: &str) -> String {
    fill("note", &[("note", note.into())])
}

pub fn attachment_failed(error: &str) -> String {
    fill("attachment-failed", &[("error", error.into())])
}

pub fn attachment(file_name: &str, size: u64) -> String {
    fill(
        "attachment",
        &[
            ("name", file_name.into()),
            ("size", format::file_size(size).into()),
        ],
    )
}

/// Labels the button above a conversation's messages that shows up to
/// `window` more of the `earlier` messages not shown yet.
pub fn earlier_messages(earlier: usize, window: usize) -> String {
    let shown = earlier.min(window);
    if earlier == shown {
        fill("earlier-messages", &[("earlier", earlier.into())])
    } else {
        fill(
            "earlier-messages-window",
            &[("earlier", earlier.into()), ("shown", shown.into())],
        )
    }
}

pub fn message_count(count: u32) -> String {
    fill("message-count", &[("count", count.into())])
}

/// Formats the header summary, for example "4 conversations, 1 unanswered,
/// 3 tickets".
pub fn summary(conversations: usize, unanswered: usize, tickets: usize) -> String {
    fill(
        "summary",
        &[
            ("conversations", conversations.into()),
            ("unanswered", unanswered.into()),
            ("tickets", tickets.into()),
        ],
    )
}

pub fn loaded_at(time: &str) -> String {
    fill("loaded-at", &[("time", time.into())])
}

/// Formats the error line for a database that could not be opened. `error`
/// is the full chain of causes.
pub fn open_failed(path: &Path, error: &str) -> String {
    fill(
        "open-failed",
        &[("path", verbatim(path.display())), ("error", error.into())],
    )
}

/// Formats the error line for a failed read. `error` is the full chain of
/// causes.
pub fn read_failed(error: &str) -> String {
    fill("read-failed", &[("error", error.into())])
}

pub fn loading_plugins() -> &'static str {
    text("loading-plugins")
}

pub fn plugins_not_loaded() -> &'static str {
    text("plugins-not-loaded")
}

pub fn builtin() -> &'static str {
    text("builtin")
}

/// Origin of a plugin that the program handed to the plugin set itself.
pub fn direct_plugin() -> &'static str {
    text("direct-plugin")
}

/// Name shown for a plugin file whose manifest could not be read.
pub fn no_manifest() -> &'static str {
    text("no-manifest")
}

pub fn grant_hint() -> &'static str {
    text("grant-hint")
}

pub fn plugin_sync_panicked() -> &'static str {
    text("plugin-sync-panicked")
}

pub fn plugin_kind(kind: PluginKind) -> &'static str {
    match kind {
        PluginKind::Adapter => text("plugin-kind-adapter"),
        PluginKind::Rule => text("plugin-kind-rule"),
        PluginKind::Widget => text("plugin-kind-widget"),
    }
}

pub fn plugin_status(status: &PluginStatus) -> &'static str {
    match status {
        PluginStatus::Running => text("plugin-status-running"),
        PluginStatus::Disabled(_) => text("plugin-status-disabled"),
        PluginStatus::Broken(_) => text("plugin-status-broken"),
        PluginStatus::Replaced => text("plugin-status-replaced"),
    }
}

pub fn plugin_version(version: &impl std::fmt::Display) -> String {
    fill("plugin-version", &[("version", verbatim(version))])
}

pub fn plugin_id(id: &str) -> String {
    fill("plugin-id", &[("id", id.into())])
}

pub fn plugin_file(path: &Path) -> String {
    fill("plugin-file", &[("path", verbatim(path.display()))])
}

pub fn native_plugin_file(path: &Path) -> String {
    fill("native-plugin-file", &[("path", verbatim(path.display()))])
}

pub fn plugin_disabled(id: &str, reason: &str) -> String {
    fill(
        "plugin-disabled",
        &[("id", id.into()), ("reason", reason.into())],
    )
}

/// Formats why a plugin could not be loaded on one line. Errors from the
/// WebAssembly parser can span lines, for example a list of bytes.
pub fn plugin_broken(reason: &str) -> String {
    let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    fill("plugin-broken", &[("reason", reason.into())])
}

/// Formats the line of a built-in replaced by the folder plugin at
/// `replacement`, when that file is known.
pub fn plugin_replaced(replacement: Option<&Path>) -> String {
    match replacement {
        Some(path) => fill(
            "plugin-replaced-by-file",
            &[("path", verbatim(path.display()))],
        ),
        None => text("plugin-replaced").to_string(),
    }
}

pub fn declared_capabilities(capabilities: &Capabilities) -> String {
    fill(
        "declared-capabilities",
        &[("capabilities", verbatim(capabilities))],
    )
}

pub fn granted_capabilities(capabilities: &Capabilities) -> String {
    fill(
        "granted-capabilities",
        &[("capabilities", verbatim(capabilities))],
    )
}

/// Formats the command that grants one declared capability.
pub fn grant_command(id: &str, capability: &str, value: &str) -> String {
    fill(
        "grant-command",
        &[
            ("id", id.into()),
            ("capability", capability.into()),
            ("value", value.into()),
        ],
    )
}

/// Formats the line naming the plugins folder, or saying there is none.
pub fn plugin_folder(folder: Option<&Path>) -> String {
    match folder {
        Some(folder) => fill("plugin-folder", &[("path", verbatim(folder.display()))]),
        None => text("no-plugin-folder").to_string(),
    }
}

pub fn plugin_loaded(id: &str) -> String {
    fill("plugin-loaded", &[("id", id.into())])
}

pub fn plugin_not_loaded(id: &str) -> String {
    fill("plugin-not-loaded", &[("id", id.into())])
}

pub fn plugin_found_disabled(id: &str) -> String {
    fill("plugin-found-disabled", &[("id", id.into())])
}

pub fn plugin_reloaded(id: &str) -> String {
    fill("plugin-reloaded", &[("id", id.into())])
}

pub fn plugin_removed(id: &str) -> String {
    fill("plugin-removed", &[("id", id.into())])
}

/// Formats the header summary of the Plugins screen, for example
/// "6 plugins: 5 running, 1 broken".
pub fn plugin_summary(statuses: &[&PluginStatus]) -> String {
    let count =
        |wanted: fn(&PluginStatus) -> bool| statuses.iter().filter(|status| wanted(status)).count();
    let total = fill("plugin-total", &[("count", statuses.len().into())]);
    let parts = [
        (
            count(|status| *status == PluginStatus::Running),
            "plugin-count-running",
        ),
        (
            count(|status| matches!(status, PluginStatus::Disabled(_))),
            "plugin-count-disabled",
        ),
        (
            count(|status| matches!(status, PluginStatus::Broken(_))),
            "plugin-count-broken",
        ),
        (
            count(|status| *status == PluginStatus::Replaced),
            "plugin-count-replaced",
        ),
    ];
    let parts: Vec<String> = parts
        .iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, id)| fill(id, &[("count", (*count).into())]))
        .collect();
    if parts.is_empty() {
        total
    } else {
        fill(
            "plugin-summary",
            &[
                ("total", total.into()),
                ("parts", parts.join(text("summary-separator")).into()),
            ],
        )
    }
}

/// Formats the error line for a failed plugin load. `error` is the full
/// chain of causes.
pub fn plugins_load_failed(error: &str) -> String {
    fill("plugins-load-failed", &[("error", error.into())])
}

/// Formats the error line for a failed sync with the plugins folder.
pub fn plugin_sync_failed(error: &str) -> String {
    fill("plugin-sync-failed", &[("error", error.into())])
}

/// Formats the error line for a lifecycle or SLA file that cannot be used.
/// `error` names the file and the problem.
pub fn desk_config_invalid(error: &str) -> String {
    fill("desk-config-invalid", &[("error", error.into())])
}

/// Formats the error line for declarative rules that cannot be used.
/// `error` names the file, the line and the problem.
pub fn rules_config_invalid(error: &str) -> String {
    fill("rules-config-invalid", &[("error", error.into())])
}

/// Formats the line for a `backup.toml` that cannot be used.
pub fn backup_config_invalid(error: &str) -> String {
    fill("backup-config-invalid", &[("error", error.into())])
}

/// Formats the line for a `ui.toml` that cannot be read. The line is in
/// English, the language the app then runs in.
pub fn ui_settings_unreadable(path: &Path, error: &str) -> String {
    fill_in(
        Language::English,
        "ui-settings-unreadable",
        &[("path", verbatim(path.display())), ("error", error.into())],
    )
}

/// Formats the line for a `ui.toml` that is not valid TOML or has an
/// unknown key, in English.
pub fn ui_settings_invalid(path: &Path, error: &str) -> String {
    fill_in(
        Language::English,
        "ui-settings-invalid",
        &[("path", verbatim(path.display())), ("error", error.into())],
    )
}

/// Formats the line for a `ui.toml` that names a language without a
/// translation, in English.
pub fn ui_language_invalid(path: &Path, value: &str) -> String {
    fill_in(
        Language::English,
        "ui-language-invalid",
        &[("path", verbatim(path.display())), ("value", value.into())],
    )
}

/// Formats the status of the last scheduler run, for example "Rules run
/// 14:03:05: 2 fired, 0 failed".
pub fn scheduler_finished(time: &str, fired: usize, failed: usize) -> String {
    fill(
        "scheduler-finished",
        &[
            ("time", time.into()),
            ("fired", fired.into()),
            ("failed", failed.into()),
        ],
    )
}

/// Formats the status of a scheduler run that failed. The tooltip shows why.
pub fn scheduler_failed(time: &str) -> String {
    fill("scheduler-failed", &[("time", time.into())])
}

/// Formats the error of a background thread that ended without a result.
pub fn thread_panicked(name: &str) -> String {
    fill("thread-panicked", &[("name", name.into())])
}

/// Formats the error line for a plugins folder that is not watched.
pub fn plugin_watch_failed(folder: &Path, error: &str) -> String {
    fill(
        "plugin-watch-failed",
        &[
            ("path", verbatim(folder.display())),
            ("error", error.into()),
        ],
    )
}

/// Formats the error line for a webhook server that `webhook.toml` enables
/// but that could not start.
pub fn webhook_failed(error: &str) -> String {
    fill("webhook-failed", &[("error", error.into())])
}

/// Formats the top bar's note on the running webhook server.
pub fn webhook_listening(address: &str) -> String {
    fill("webhook-listening", &[("address", address.into())])
}

// The customer card.

/// Name shown for a customer whose name no input gave.
pub fn no_name() -> &'static str {
    text("no-name")
}

pub fn no_tags() -> &'static str {
    text("no-tags")
}

pub fn addresses() -> &'static str {
    text("addresses")
}

pub fn split() -> &'static str {
    text("split")
}

pub fn merge() -> &'static str {
    text("merge")
}

pub fn cancel() -> &'static str {
    text("cancel")
}

pub fn merge_heading() -> &'static str {
    text("merge-heading")
}

pub fn merge_search_hint() -> &'static str {
    text("merge-search-hint")
}

pub fn no_customer_found() -> &'static str {
    text("no-customer-found")
}

pub fn reason_hint() -> &'static str {
    text("reason-hint")
}

pub fn customer_number(id: i64) -> String {
    fill("customer-number", &[("id", verbatim(id))])
}

pub fn customer_tier(tier: &str) -> String {
    fill("customer-tier", &[("tier", tier.into())])
}

/// Formats the tags of a customer's tickets.
pub fn customer_tags(tags: &[String]) -> String {
    fill("customer-tags", &[("tags", join_list(tags).into())])
}

/// Formats a search result: the customer's number and name.
pub fn customer_choice(id: i64, name: Option<&str>) -> String {
    fill(
        "customer-choice",
        &[
            ("id", verbatim(id)),
            ("name", name.unwrap_or(no_name()).into()),
        ],
    )
}

pub fn more_customers(count: usize) -> String {
    fill("more-customers", &[("count", count.into())])
}

/// Formats the history heading with the number of messages and calls.
pub fn history_heading(count: usize) -> String {
    fill("history-heading", &[("count", count.into())])
}

/// Formats a number of addresses, with the addresses in brackets when
/// `addresses` is not empty.
fn address_count(count: usize, addresses: &[String]) -> String {
    if addresses.is_empty() {
        fill("address-count", &[("count", count.into())])
    } else {
        fill(
            "address-count-listed",
            &[
                ("count", count.into()),
                ("addresses", join_list(addresses).into()),
            ],
        )
    }
}

fn conversation_count(count: usize) -> String {
    fill("conversation-count", &[("count", count.into())])
}

/// Asks to confirm merging `from` into customer `into`, saying what moves.
pub fn confirm_merge(from: &CustomerSummary, into: i64) -> String {
    let addresses: Vec<String> = from.addresses.iter().map(Address::to_string).collect();
    fill(
        "confirm-merge",
        &[
            ("from", verbatim(from.id)),
            ("name", from.name.as_deref().unwrap_or(no_name()).into()),
            ("into", verbatim(into)),
            (
                "addresses",
                address_count(addresses.len(), &addresses).into(),
            ),
            (
                "conversations",
                conversation_count(from.conversations as usize).into(),
            ),
        ],
    )
}

/// Asks to confirm splitting `address` off customer `from`.
pub fn confirm_split(address: &Address, from: i64) -> String {
    fill(
        "confirm-split",
        &[("address", verbatim(address)), ("from", verbatim(from))],
    )
}

/// Names the agent that a confirmed change is recorded under.
pub fn acting_agent(actor: &str) -> String {
    fill("acting-agent", &[("actor", actor.into())])
}

/// Reports a finished merge.
pub fn merged(from: i64, into: i64, moved: &Moved) -> String {
    fill(
        "merged",
        &[
            ("from", verbatim(from)),
            ("into", verbatim(into)),
            (
                "addresses",
                address_count(moved.addresses.len(), &[]).into(),
            ),
            (
                "conversations",
                conversation_count(moved.conversations.len()).into(),
            ),
        ],
    )
}

/// Reports a finished split.
pub fn split_off(from: i64, new_id: i64, moved: &Moved) -> String {
    fill(
        "split-off",
        &[
            ("addresses", join_list(&moved.addresses).into()),
            ("from", verbatim(from)),
            ("new", verbatim(new_id)),
            (
                "conversations",
                conversation_count(moved.conversations.len()).into(),
            ),
        ],
    )
}

pub fn customer_read_failed(id: i64, error: &str) -> String {
    fill(
        "customer-read-failed",
        &[("id", verbatim(id)), ("error", error.into())],
    )
}

pub fn customer_change_failed(error: &str) -> String {
    fill("customer-change-failed", &[("error", error.into())])
}

/// Heading of the unlock screen.
pub fn database_encrypted() -> &'static str {
    text("database-encrypted")
}

pub fn passphrase_hint() -> &'static str {
    text("passphrase-hint")
}

pub fn unlock() -> &'static str {
    text("unlock")
}

/// The button that switches to the reports screen.
pub fn reports() -> &'static str {
    text("reports")
}

pub fn report_period_label() -> &'static str {
    text("report-period")
}

pub fn report_period_hint() -> &'static str {
    text("report-period-hint")
}

pub fn report_show() -> &'static str {
    text("report-show")
}

pub fn report_by() -> &'static str {
    text("report-by")
}

pub fn report_loading() -> &'static str {
    text("report-loading")
}

pub fn report_empty() -> &'static str {
    text("report-empty")
}

pub fn report_no_widgets() -> &'static str {
    text("report-no-widgets")
}

pub fn report_drill_down_hint() -> &'static str {
    text("report-drill-down-hint")
}

pub fn period_kind(kind: crate::reports::PeriodKind) -> &'static str {
    use crate::reports::PeriodKind;
    match kind {
        PeriodKind::Day => text("period-day"),
        PeriodKind::Week => text("period-week"),
        PeriodKind::Month => text("period-month"),
        PeriodKind::Custom => text("period-custom"),
    }
}

pub fn dimension(dimension: kefu_core::metrics::Dimension) -> &'static str {
    use kefu_core::metrics::Dimension;
    match dimension {
        Dimension::Agent => text("dimension-agent"),
        Dimension::TicketType => text("dimension-type"),
        Dimension::Tier => text("dimension-tier"),
        Dimension::Channel => text("dimension-channel"),
        Dimension::Ticket => text("dimension-ticket"),
        Dimension::Time(_) => text("dimension-time"),
    }
}

/// Formats the period shown and the time zone its dates are read in.
pub fn report_period(period: &str, time_zone: &str) -> String {
    fill(
        "report-period-zone",
        &[("period", period.into()), ("zone", time_zone.into())],
    )
}

/// Names a clicked chart value by its series and category, such as
/// "Created, email".
pub fn report_selection(series: &str, category: &str) -> String {
    fill(
        "report-selection",
        &[("series", series.into()), ("category", category.into())],
    )
}

pub fn drill_down_heading(selection: &str, tickets: usize) -> String {
    fill(
        "drill-down-heading",
        &[("selection", selection.into()), ("tickets", tickets.into())],
    )
}

pub fn drill_down_details(customer: &str, ticket_type: &str, status: &str) -> String {
    fill(
        "drill-down-details",
        &[
            ("customer", customer.into()),
            ("type", ticket_type.into()),
            ("status", status.into()),
        ],
    )
}

pub fn report_failed(error: &str) -> String {
    fill("report-failed", &[("error", error.into())])
}

pub fn export() -> &'static str {
    text("export")
}

pub fn export_path_hint() -> &'static str {
    text("export-path-hint")
}

pub fn export_button() -> &'static str {
    text("export-button")
}

pub fn export_replace() -> &'static str {
    text("export-replace")
}

pub fn export_no_report() -> &'static str {
    text("export-no-report")
}

pub fn export_path_missing() -> &'static str {
    text("export-path-missing")
}

/// Returns the name of an export format on its button.
pub fn export_format(format: kefu_core::export::ExportFormat) -> &'static str {
    use kefu_core::export::ExportFormat;
    match format {
        ExportFormat::Xlsx => text("export-format-xlsx"),
        ExportFormat::Pdf => text("export-format-pdf"),
        ExportFormat::Csv => text("export-format-csv"),
    }
}

pub fn export_extension_mismatch(path: &Path, format: &str) -> String {
    fill(
        "export-extension-mismatch",
        &[
            ("path", verbatim(path.display())),
            ("format", format.into()),
        ],
    )
}

fn file_list(paths: &[std::path::PathBuf]) -> String {
    let names: Vec<String> = paths
        .iter()
        .map(|path| path.display().to_string())
        .collect();
    join_list(&names)
}

/// Asks whether to replace the files an export would overwrite.
pub fn export_replace_question(existing: &[std::path::PathBuf]) -> String {
    fill(
        "export-replace-question",
        &[
            ("count", existing.len().into()),
            ("files", file_list(existing).into()),
        ],
    )
}

/// Describes a running export: the file and how far it got.
pub fn export_progress(path: &Path, progress: Option<kefu_core::export::ExportProgress>) -> String {
    use kefu_core::export::ExportStage;
    let path = verbatim(path.display());
    let Some(progress) = progress else {
        return fill("export-computing", &[("path", path)]);
    };
    let id = match progress.stage {
        ExportStage::WritingRows => "export-writing-rows",
        ExportStage::LayingOut => "export-laying-out",
        ExportStage::DrawingPages => "export-drawing-pages",
        ExportStage::Saving => "export-saving",
    };
    fill(
        id,
        &[
            ("path", path),
            ("done", progress.done.into()),
            ("total", progress.total.into()),
        ],
    )
}

pub fn export_saved(paths: &[std::path::PathBuf], rows: usize, pages: Option<usize>) -> String {
    let files = file_list(paths);
    match pages {
        Some(pages) => fill(
            "export-saved-pages",
            &[
                ("files", files.into()),
                ("rows", rows.into()),
                ("pages", pages.into()),
            ],
        ),
        None => fill(
            "export-saved",
            &[("files", files.into()), ("rows", rows.into())],
        ),
    }
}

pub fn export_failed(error: &str) -> String {
    fill("export-failed", &[("error", error.into())])
}

/// Heading of the offer of demo data on an empty database.
pub fn demo_offer() -> &'static str {
    text("demo-offer")
}

pub fn demo_offer_details() -> &'static str {
    text("demo-offer-details")
}

pub fn demo_customers() -> &'static str {
    text("demo-customers")
}

pub fn demo_days() -> &'static str {
    text("demo-days")
}

pub fn load_demo_data() -> &'static str {
    text("load-demo-data")
}

pub fn start_empty() -> &'static str {
    text("start-empty")
}

pub fn demo_invalid_number(field: &str, value: &str) -> String {
    fill(
        "demo-invalid-number",
        &[("field", field.into()), ("value", value.into())],
    )
}

pub fn demo_progress(done: u64, total: u64) -> String {
    fill(
        "demo-progress",
        &[("done", done.into()), ("total", total.into())],
    )
}

pub fn demo_failed(error: &str) -> String {
    fill("demo-failed", &[("error", error.into())])
}

/// Error line of a widget's tile, for a widget that failed or returned a
/// view that cannot be shown.
pub fn widget_failed(error: &str) -> String {
    fill("widget-failed", &[("error", error.into())])
}

/// Title of a pane that shows no conversation.
pub fn empty_pane() -> &'static str {
    text("empty-pane")
}

pub fn split_right() -> &'static str {
    text("split-right")
}

pub fn split_down() -> &'static str {
    text("split-down")
}

pub fn maximize_pane() -> &'static str {
    text("maximize-pane")
}

/// The maximised pane's button that shows every pane again.
pub fn restore_pane() -> &'static str {
    text("restore-pane")
}

pub fn close_pane() -> &'static str {
    text("close-pane")
}

pub fn pop_out_pane() -> &'static str {
    text("pop-out-pane")
}

/// Returns the hint in an empty draft editor.
pub fn draft_placeholder(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => text("draft-placeholder-email"),
        Channel::Chat => text("draft-placeholder-chat"),
        Channel::Phone => text("draft-placeholder-phone"),
    }
}

/// Returns the label of the composer's send button.
pub fn send_button(channel: Channel) -> &'static str {
    match channel {
        Channel::Email | Channel::Chat => text("send"),
        Channel::Phone => text("save-note"),
    }
}

/// Formats what a send stored.
pub fn sent(sent: crate::composer::Sent) -> String {
    match sent {
        crate::composer::Sent::Queued {
            outbox_id,
            ticket_id,
        } => fill(
            "sent-queued",
            &[
                ("ticket", verbatim(ticket_id)),
                ("entry", verbatim(outbox_id)),
            ],
        ),
        crate::composer::Sent::Noted { ticket_id } => {
            fill("sent-noted", &[("ticket", verbatim(ticket_id))])
        }
    }
}

/// The reason a send of a blank draft stored nothing.
pub fn draft_empty() -> &'static str {
    text("draft-empty")
}

/// Formats the reason a send of a draft with unfilled placeholders stored
/// nothing.
pub fn draft_has_placeholders(placeholders: &[String]) -> String {
    fill(
        "draft-has-placeholders",
        &[("placeholders", join_list(placeholders).into())],
    )
}

/// Formats the reason a reply to a conversation without a ticket stored
/// nothing.
pub fn conversation_has_no_ticket(conversation_id: i64) -> String {
    fill(
        "conversation-has-no-ticket",
        &[("conversation", verbatim(conversation_id))],
    )
}

/// The reason an action that needs the database failed before it opened.
pub fn database_not_open() -> &'static str {
    text("database-not-open")
}

/// The reason a send failed before the database opened.
pub fn database_not_open_send() -> &'static str {
    text("database-not-open-send")
}

/// Formats the line for a send that stored nothing. `error` is the full
/// chain of causes.
pub fn send_failed(error: &str) -> String {
    fill("send-failed", &[("error", error.into())])
}

/// Formats the delivery state of a reply in the outbox, for example
/// "Queued, attempt 2 failed: connection refused".
pub fn outbox_state(entry: &kefu_core::store::OutboxEntry) -> String {
    use kefu_core::store::OutboxState;

    let error = entry
        .last_error
        .as_deref()
        .unwrap_or_else(|| text("unknown-error"));
    match entry.state {
        OutboxState::Queued if entry.attempts == 0 => text("outbox-queued").to_string(),
        OutboxState::Queued => fill(
            "outbox-retrying",
            &[("attempts", entry.attempts.into()), ("error", error.into())],
        ),
        OutboxState::Sending => text("outbox-sending").to_string(),
        OutboxState::Sent => match entry.sent_at {
            Some(at) => fill(
                "outbox-sent-at",
                &[("time", format::message_time(at).into())],
            ),
            None => text("outbox-sent").to_string(),
        },
        OutboxState::Failed => fill(
            "outbox-failed",
            &[("error", error.into()), ("entry", verbatim(entry.id))],
        ),
    }
}

/// Formats the error line for a workbench state file that could not be
/// used. `aside` is where it was moved, if moving it worked.
pub fn state_file_invalid(path: &Path, error: &str, aside: Option<&Path>) -> String {
    match aside {
        Some(aside) => fill(
            "state-file-moved",
            &[
                ("path", verbatim(path.display())),
                ("error", error.into()),
                ("aside", verbatim(aside.display())),
            ],
        ),
        None => fill(
            "state-file-invalid",
            &[("path", verbatim(path.display())), ("error", error.into())],
        ),
    }
}

/// Formats the line for an `alerts.toml` that cannot be used.
pub fn alerts_config_invalid(error: &str) -> String {
    fill("alerts-config-invalid", &[("error", error.into())])
}

/// The action of a desktop notification that opens its conversation.
pub fn open_conversation() -> &'static str {
    text("open-conversation")
}

/// The close button of an alert toast.
pub fn dismiss() -> &'static str {
    text("dismiss")
}

/// Names an alert tier on its toast.
pub fn alert_tier(tier: Tier) -> &'static str {
    match tier {
        Tier::Ordinary => text("alert-tier-ordinary"),
        Tier::Important => text("alert-tier-important"),
        Tier::Reminder => text("alert-tier-reminder"),
        Tier::SlaWarning => text("alert-tier-sla-warning"),
        Tier::SlaBreach => text("alert-tier-sla-breach"),
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
    let customer = || ("customer", FluentValue::from(first));
    let count = || ("count", FluentValue::from(alert.count));
    let customer_count = || ("customers", FluentValue::from(customers.max(1)));
    match alert.tier {
        Tier::Ordinary if single => fill("alert-new-message", &[customer()]),
        Tier::Ordinary => fill("alert-new-messages", &[count(), customer_count()]),
        Tier::Important if single => fill("alert-important-message", &[customer()]),
        Tier::Important => fill("alert-important-messages", &[count(), customer_count()]),
        Tier::Reminder => {
            let minutes = ("minutes", settings.reminder_after.num_minutes().into());
            if single {
                fill("alert-waiting", &[customer(), minutes])
            } else {
                fill("alert-waiting-many", &[count(), minutes])
            }
        }
        Tier::SlaWarning => {
            let due = alert.entries.iter().filter_map(|entry| entry.due).min();
            let minutes = due.map_or(0, |due| (due - alert.at).num_minutes().max(0));
            let minutes = ("minutes", minutes.into());
            if single {
                fill("alert-sla-warning", &[customer(), minutes])
            } else {
                fill("alert-sla-warning-many", &[count(), minutes])
            }
        }
        Tier::SlaBreach if single => fill("alert-sla-breach", &[customer()]),
        Tier::SlaBreach => fill("alert-sla-breach-many", &[count()]),
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
            let customer = format!("{ticket}{}", entry.customer);
            if entry.count > 1 {
                fill(
                    "alert-line-count",
                    &[
                        ("customer", customer.into()),
                        ("count", entry.count.into()),
                        ("text", entry.text.as_str().into()),
                    ],
                )
            } else {
                fill(
                    "alert-line",
                    &[
                        ("customer", customer.into()),
                        ("text", entry.text.as_str().into()),
                    ],
                )
            }
        })
        .collect();
    let rest = alert.entries.len().saturating_sub(ALERT_BODY_LINES);
    if rest > 0 {
        lines.push(fill("alert-more", &[("count", rest.into())]));
    }
    lines.join("\n")
}

pub fn phrases_button() -> &'static str {
    text("phrases-button")
}

pub fn phrases_heading() -> &'static str {
    text("phrases-heading")
}

pub fn close_dialog() -> &'static str {
    text("close-dialog")
}

pub fn phrase_search_hint() -> &'static str {
    text("phrase-search-hint")
}

pub fn all_categories() -> &'static str {
    text("all-categories")
}

pub fn no_phrases() -> &'static str {
    text("no-phrases")
}

pub fn no_phrases_found() -> &'static str {
    text("no-phrases-found")
}

pub fn insert_phrase() -> &'static str {
    text("insert-phrase")
}

pub fn insert_and_send_phrase() -> &'static str {
    text("insert-and-send-phrase")
}

pub fn suggested_by_rule() -> &'static str {
    text("suggested-by-rule")
}

pub fn suggested_for_message() -> &'static str {
    text("suggested-for-message")
}

pub fn no_unanswered() -> &'static str {
    text("no-unanswered")
}

pub fn no_conversation_for_phrases() -> &'static str {
    text("no-conversation-for-phrases")
}

pub fn shortcuts_button() -> &'static str {
    text("shortcuts-button")
}

pub fn shortcuts_heading() -> &'static str {
    text("shortcuts-heading")
}

pub fn conversation_search_hint() -> &'static str {
    text("conversation-search-hint")
}

pub fn no_conversations_found() -> &'static str {
    text("no-conversations-found")
}

/// Formats the line under a phrase's preview for placeholders without a
/// value.
pub fn phrase_missing_values(missing: &[String]) -> String {
    let markers: Vec<String> = missing.iter().map(|name| format!("[{name}?]")).collect();
    let line = fill(
        "phrase-missing-values",
        &[
            ("names", join_list(missing).into()),
            ("markers", join_list(&markers).into()),
        ],
    );
    if missing.iter().any(|name| name == "agent.name") {
        format!("{line} {}", text("phrase-agent-hint"))
    } else {
        line
    }
}

/// Formats the line under a draft that contains placeholders without a
/// value, written as they appear in the draft.
pub fn unfilled_placeholders(placeholders: &[String]) -> String {
    fill(
        "unfilled-placeholders",
        &[("placeholders", join_list(placeholders).into())],
    )
}

/// Formats the error line for a phrase picker that could not open.
pub fn phrases_failed(error: &str) -> String {
    fill("phrases-failed", &[("error", error.into())])
}

/// Formats the error line for a phrase whose use could not be counted.
pub fn phrase_use_failed(phrase_id: &str, error: &str) -> String {
    fill(
        "phrase-use-failed",
        &[("phrase", phrase_id.into()), ("error", error.into())],
    )
}

/// Returns the heading of a group in the shortcut list.
pub fn shortcut_scope(scope: crate::shortcuts::Scope) -> &'static str {
    use crate::shortcuts::Scope;
    match scope {
        Scope::Workbench => text("shortcut-scope-workbench"),
        Scope::PhrasePicker => text("shortcut-scope-phrase-picker"),
        Scope::ShortcutList => text("shortcut-scope-shortcut-list"),
    }
}

/// Describes what a shortcut does, for the shortcut list.
pub fn shortcut_action(action: crate::shortcuts::Action) -> &'static str {
    use crate::shortcuts::Action;
    match action {
        Action::NextUnanswered => text("shortcut-next-unanswered"),
        Action::NextPane => text("shortcut-next-pane"),
        Action::PreviousPane => text("shortcut-previous-pane"),
        Action::OpenPhrases => text("shortcut-open-phrases"),
        Action::Send => text("shortcut-send"),
        Action::ClosePane => text("shortcut-close-pane"),
        Action::FocusSearch => text("shortcut-focus-search"),
        Action::ShowShortcuts => text("shortcut-show-shortcuts"),
        Action::OpenSettings => text("shortcut-open-settings"),
        Action::OpenTodo => text("shortcut-open-todo"),
        Action::InsertPhrase => text("shortcut-insert-phrase"),
        Action::InsertPhraseAndSend => text("shortcut-insert-phrase-and-send"),
        Action::SelectNextPhrase => text("shortcut-select-next-phrase"),
        Action::SelectPreviousPhrase => text("shortcut-select-previous-phrase"),
        Action::CloseDialog => text("shortcut-close-dialog"),
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
        Some(combination) => fill(
            "with-keys",
            &[("label", label.into()), ("keys", keys(combination).into())],
        ),
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
        let command = if cfg!(target_os = "macos") {
            "key-cmd"
        } else {
            "key-ctrl"
        };
        parts.push(text(command).to_string());
    }
    if keys.shift {
        parts.push(text("key-shift").to_string());
    }
    parts.push(match keys.key {
        KeyName::Character(character) => character.to_uppercase().to_string(),
        KeyName::Named(Named::ArrowUp) => text("key-up").to_string(),
        KeyName::Named(Named::ArrowDown) => text("key-down").to_string(),
        KeyName::Named(Named::Escape) => text("key-escape").to_string(),
        // Enter, Tab and the other named keys are printed as iced names
        // them, the way keyboards label them.
        KeyName::Named(named) => format!("{named:?}"),
    });
    parts.join("+")
}
