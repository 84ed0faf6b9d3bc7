//! The words of the to-do screen.

use chrono::{DateTime, Utc};

use super::catalog::{fill, text};
use super::verbatim;

/// The top bar button that opens the to-do screen, and its heading.
pub fn todo() -> &'static str {
    text("todo")
}

pub fn filters() -> &'static str {
    text("todo-filters")
}

pub fn everyone() -> &'static str {
    text("todo-everyone")
}

pub fn mine() -> &'static str {
    text("todo-mine")
}

pub fn unassigned() -> &'static str {
    text("todo-unassigned")
}

pub fn overdue() -> &'static str {
    text("todo-overdue")
}

pub fn clear_filters() -> &'static str {
    text("todo-clear-filters")
}

pub fn tag_filter_placeholder() -> &'static str {
    text("todo-tag-filter-placeholder")
}

pub fn select_visible() -> &'static str {
    text("todo-select-visible")
}

pub fn clear_selection() -> &'static str {
    text("todo-clear-selection")
}

pub fn set_status() -> &'static str {
    text("todo-set-status")
}

pub fn set_priority() -> &'static str {
    text("todo-set-priority")
}

pub fn agent_placeholder() -> &'static str {
    text("todo-agent-placeholder")
}

pub fn assign() -> &'static str {
    text("todo-assign")
}

pub fn unassign() -> &'static str {
    text("todo-unassign")
}

pub fn tag_placeholder() -> &'static str {
    text("todo-tag-placeholder")
}

pub fn add_tag() -> &'static str {
    text("todo-add-tag")
}

pub fn no_todo() -> &'static str {
    text("todo-none-left")
}

pub fn tasks() -> &'static str {
    text("todo-tasks")
}

// Column headers of the list, in column order after the checkbox.

pub fn column_id() -> &'static str {
    text("todo-column-id")
}

pub fn column_status() -> &'static str {
    text("todo-column-status")
}

pub fn column_priority() -> &'static str {
    text("todo-column-priority")
}

pub fn column_due() -> &'static str {
    text("todo-column-due")
}

pub fn column_assignee() -> &'static str {
    text("todo-column-assignee")
}

pub fn column_customer() -> &'static str {
    text("todo-column-customer")
}

pub fn column_subject() -> &'static str {
    text("todo-column-subject")
}

pub fn tags() -> &'static str {
    text("todo-tags")
}

pub fn no_due() -> &'static str {
    text("todo-no-due")
}

pub fn nobody() -> &'static str {
    text("todo-nobody")
}

pub fn paused() -> &'static str {
    text("todo-paused")
}

pub fn merged() -> &'static str {
    text("todo-merged")
}

pub fn detail_close() -> &'static str {
    text("todo-detail-close")
}

pub fn open_conversation() -> &'static str {
    text("todo-open-conversation")
}

pub fn history() -> &'static str {
    text("todo-history")
}

pub fn notes() -> &'static str {
    text("todo-notes")
}

pub fn no_work() -> &'static str {
    text("todo-no-work")
}

pub fn no_notes() -> &'static str {
    text("todo-no-notes")
}

/// Formats the count above the list, for example "1,204 unfinished tickets".
pub fn matching(count: u64) -> String {
    fill("todo-matching", &[("count", count.into())])
}

/// Formats the selection count of the bulk bar.
pub fn selected(count: usize) -> String {
    fill("todo-selected", &[("count", count.into())])
}

/// Labels the button that selects every ticket the filters match.
pub fn select_matching(count: u64) -> String {
    fill("todo-select-matching", &[("count", count.into())])
}

/// Labels the merge button: the selected tickets merge into `target`.
pub fn merge_into(target: i64) -> String {
    fill("todo-merge-into", &[("target", verbatim(target))])
}

/// Explains why the merge button is disabled.
pub fn merge_hint() -> &'static str {
    text("todo-merge-hint")
}

/// Formats the result line of a bulk change: how many tickets changed,
/// how many had the value already, and each skipped ticket with its reason.
pub fn bulk_result(
    action: &str,
    changed: usize,
    unchanged: usize,
    skipped: &[(i64, String)],
) -> String {
    let mut line = fill(
        "todo-bulk-changed",
        &[
            ("action", action.into()),
            ("tickets", tickets(changed).into()),
        ],
    );
    if unchanged > 0 {
        line.push_str(&fill(
            "todo-bulk-unchanged",
            &[("tickets", tickets(unchanged).into())],
        ));
    }
    if !skipped.is_empty() {
        let reasons: Vec<String> = skipped
            .iter()
            .map(|(id, reason)| {
                fill(
                    "todo-skip-reason",
                    &[("ticket", verbatim(id)), ("reason", reason.as_str().into())],
                )
            })
            .collect();
        line.push_str(&fill(
            "todo-bulk-skipped",
            &[
                ("tickets", tickets(skipped.len()).into()),
                (
                    "reasons",
                    reasons.join(text("todo-reason-separator")).into(),
                ),
            ],
        ));
    }
    line
}

/// Names a bulk action in the result line.
pub fn action_status(status: &str) -> String {
    fill("todo-action-status", &[("status", status.into())])
}

pub fn action_priority(priority: &str) -> String {
    fill("todo-action-priority", &[("priority", priority.into())])
}

pub fn action_assign(agent: &str) -> String {
    fill("todo-action-assign", &[("agent", agent.into())])
}

pub fn action_unassign() -> &'static str {
    text("todo-action-unassign")
}

pub fn action_tag(tag: &str) -> String {
    fill("todo-action-tag", &[("tag", tag.into())])
}

pub fn merge_result(merged: usize, target: i64, skipped: &[(i64, String)]) -> String {
    bulk_result(&merge_into(target), merged, 0, skipped)
}

/// Formats the error line of a bulk change that wrote nothing.
pub fn bulk_failed(error: &str) -> String {
    fill("todo-bulk-failed", &[("error", error.into())])
}

pub fn nothing_selected() -> &'static str {
    text("todo-nothing-selected")
}

/// Formats a ticket's due time relative to `now`: "overdue 2h 5m" or
/// "in 3h 10m".
pub fn due(due_at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (due_at - now).num_seconds();
    if seconds < 0 {
        fill("todo-overdue-by", &[("span", span(-seconds).into())])
    } else {
        fill("todo-due-in", &[("span", span(seconds).into())])
    }
}

fn span(seconds: i64) -> String {
    let minutes = seconds / 60;
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours) {
        (0, 0) => fill("todo-span-minutes", &[("minutes", minutes.into())]),
        (0, _) => fill(
            "todo-span-hours",
            &[("hours", hours.into()), ("minutes", minutes.into())],
        ),
        _ => fill(
            "todo-span-days",
            &[("days", days.into()), ("hours", hours.into())],
        ),
    }
}

/// Formats a ticket's heading in the detail column.
pub fn ticket_heading(id: i64, subject: &str) -> String {
    fill(
        "todo-ticket-heading",
        &[("id", verbatim(id)), ("subject", subject.into())],
    )
}

/// Formats one field line of the detail column.
pub fn field(name: &str, value: &str) -> String {
    fill(
        "todo-field",
        &[("name", name.into()), ("value", value.into())],
    )
}

/// Formats the work log total.
pub fn work_total(minutes: u32) -> String {
    fill("todo-work-total", &[("minutes", minutes.into())])
}

/// Formats one work log entry.
pub fn work_entry(agent: &str, minutes: u32, summary: &str) -> String {
    fill(
        "todo-work-entry",
        &[
            ("agent", agent.into()),
            ("minutes", minutes.into()),
            ("summary", summary.into()),
        ],
    )
}

/// Formats a task line: its title, due time and assignee.
pub fn task(title: &str, due: Option<&str>, assignee: Option<&str>) -> String {
    let mut line = title.to_string();
    if let Some(due) = due {
        line.push_str(&fill("todo-task-due", &[("due", due.into())]));
    }
    if let Some(assignee) = assignee {
        line.push_str(&fill(
            "todo-task-assignee",
            &[("assignee", assignee.into())],
        ));
    }
    line
}

/// Formats the line under the task list when it shows only some tasks.
pub fn more_tasks(count: usize) -> String {
    fill("todo-more-tasks", &[("count", count.into())])
}

/// Formats the header summary on the to-do screen.
pub fn summary(matching: u64, selected: usize) -> String {
    fill(
        "todo-summary",
        &[
            ("matching", self::matching(matching).into()),
            ("selected", self::selected(selected).into()),
        ],
    )
}

fn tickets(count: usize) -> String {
    fill("todo-ticket-count", &[("count", count.into())])
}

/// Formats one line of a ticket's history: time, actor, what changed and
/// the reason given.
pub fn history_line(time: &str, actor: &str, change: &str, reason: Option<&str>) -> String {
    let mut values = vec![
        ("time", time.into()),
        ("actor", actor.into()),
        ("change", change.into()),
    ];
    match reason.filter(|reason| !reason.trim().is_empty()) {
        Some(reason) => {
            values.push(("reason", reason.into()));
            fill("todo-history-line-reason", &values)
        }
        None => fill("todo-history-line", &values),
    }
}

/// Formats a field change in the history, for example "status: open →
/// in-progress".
pub fn history_change(field: &str, from: &str, to: &str) -> String {
    fill(
        "todo-history-change",
        &[
            ("field", field.into()),
            ("from", from.into()),
            ("to", to.into()),
        ],
    )
}

/// Names a kind of event in a ticket's history. A kind without a message
/// shows as stored.
pub fn history_kind(kind: &str) -> String {
    let id = match kind {
        "created" => "todo-history-kind-created",
        "status" => "todo-history-kind-status",
        "priority" => "todo-history-kind-priority",
        "type" => "todo-history-kind-type",
        "assignee" => "todo-history-kind-assignee",
        "first-response" => "todo-history-kind-first-response",
        "merged" => "todo-history-kind-merged",
        "merged-into" => "todo-history-kind-merged-into",
        "phrase-send" => "todo-history-kind-phrase-send",
        "phrase-suggested" => "todo-history-kind-phrase-suggested",
        "reply-queued" => "todo-history-kind-reply-queued",
        "reply-withheld" => "todo-history-kind-reply-withheld",
        _ => return kind.to_string(),
    };
    text(id).to_string()
}

/// Stands for an empty value in a history line, such as no assignee.
pub fn none() -> &'static str {
    text("todo-none")
}

pub fn history_tag(tag: &str) -> String {
    fill("todo-history-tag", &[("tag", tag.into())])
}

pub fn history_work(minutes: u64, summary: &str) -> String {
    fill(
        "todo-history-work",
        &[("minutes", minutes.into()), ("summary", summary.into())],
    )
}

pub fn history_note(text_value: &str) -> String {
    fill("todo-history-note", &[("text", text_value.into())])
}

/// Formats a note in the Notes section: time, author and text.
pub fn note(time: &str, actor: &str, text_value: &str) -> String {
    fill(
        "todo-note",
        &[
            ("time", time.into()),
            ("actor", actor.into()),
            ("text", text_value.into()),
        ],
    )
}
