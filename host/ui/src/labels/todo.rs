//! The words of the to-do screen.

use chrono::{DateTime, Utc};

/// The top bar button that opens the to-do screen, and its heading.
pub const TODO: &str = "To-do";

pub const FILTERS: &str = "Filters:";
pub const EVERYONE: &str = "Everyone";
pub const MINE: &str = "Mine";
pub const UNASSIGNED: &str = "Unassigned";
pub const OVERDUE: &str = "Overdue";
pub const CLEAR_FILTERS: &str = "Clear filters";
pub const TAG_FILTER_PLACEHOLDER: &str = "Tag, then Enter";

pub const SELECT_VISIBLE: &str = "Select visible";
pub const CLEAR_SELECTION: &str = "Clear selection";
pub const SET_STATUS: &str = "Status:";
pub const SET_PRIORITY: &str = "Priority:";
pub const AGENT_PLACEHOLDER: &str = "Agent name";
pub const ASSIGN: &str = "Assign";
pub const UNASSIGN: &str = "Unassign";
pub const TAG_PLACEHOLDER: &str = "Tag";
pub const ADD_TAG: &str = "Add tag";

pub const NO_TODO: &str = "Nothing to do: no unfinished ticket matches the filters.";
pub const TASKS: &str = "Tasks";

/// Column headers of the list, in column order after the checkbox.
pub const COLUMN_ID: &str = "ID";
pub const COLUMN_STATUS: &str = "Status";
pub const COLUMN_PRIORITY: &str = "Priority";
pub const COLUMN_DUE: &str = "Due";
pub const COLUMN_ASSIGNEE: &str = "Assignee";
pub const COLUMN_CUSTOMER: &str = "Customer";
pub const COLUMN_SUBJECT: &str = "Subject";
pub const TAGS: &str = "Tags";

pub const NO_DUE: &str = "-";
pub const NOBODY: &str = "-";
pub const PAUSED: &str = "Paused";
pub const MERGED: &str = "Merged";

pub const DETAIL_CLOSE: &str = "Close";
pub const OPEN_CONVERSATION: &str = "Open conversation";
pub const HISTORY: &str = "History";
pub const WORK_LOG: &str = "Work log";
pub const NOTES: &str = "Notes";
pub const NO_WORK: &str = "No work logged.";
pub const NO_NOTES: &str = "No notes.";

/// Formats the count above the list, for example "1,204 unfinished tickets".
pub fn matching(count: u64) -> String {
    match count {
        1 => "1 unfinished ticket".to_string(),
        _ => format!("{} unfinished tickets", thousands(count)),
    }
}

/// Formats the selection count of the bulk bar.
pub fn selected(count: usize) -> String {
    format!("{} selected", thousands(count as u64))
}

/// Labels the button that selects every ticket the filters match.
pub fn select_matching(count: u64) -> String {
    format!("Select all {}", thousands(count))
}

/// Labels the merge button: the selected tickets merge into `target`.
pub fn merge_into(target: i64) -> String {
    format!("Merge into #{target}")
}

/// Explains why the merge button is disabled.
pub const MERGE_HINT: &str = "To merge, open the ticket to keep and select the others.";

/// Formats the result line of a bulk change: how many tickets changed,
/// how many had the value already, and each skipped ticket with its reason.
pub fn bulk_result(
    action: &str,
    changed: usize,
    unchanged: usize,
    skipped: &[(i64, String)],
) -> String {
    let mut line = format!("{action}: {} changed", tickets(changed));
    if unchanged > 0 {
        line.push_str(&format!(", {} unchanged", tickets(unchanged)));
    }
    if !skipped.is_empty() {
        line.push_str(&format!(", {} skipped", tickets(skipped.len())));
        let reasons: Vec<String> = skipped
            .iter()
            .map(|(id, reason)| format!("#{id}: {reason}"))
            .collect();
        line.push_str(&format!(" ({})", reasons.join("; ")));
    }
    line
}

/// Names a bulk action in the result line.
pub fn action_status(status: &str) -> String {
    format!("Status {status}")
}

pub fn action_priority(priority: &str) -> String {
    format!("Priority {priority}")
}

pub fn action_assign(agent: &str) -> String {
    format!("Assign to {agent}")
}

pub const ACTION_UNASSIGN: &str = "Unassign";

pub fn action_tag(tag: &str) -> String {
    format!("Tag {tag}")
}

pub fn merge_result(merged: usize, target: i64, skipped: &[(i64, String)]) -> String {
    bulk_result(&format!("Merge into #{target}"), merged, 0, skipped)
}

/// Formats the error line of a bulk change that wrote nothing.
pub fn bulk_failed(error: &str) -> String {
    format!("Nothing was changed: {error}")
}

pub const NOTHING_SELECTED: &str = "Select tickets first, with the boxes on the left.";

/// Formats a ticket's due time relative to `now`: "overdue 2h 5m" or
/// "in 3h 10m".
pub fn due(due_at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (due_at - now).num_seconds();
    if seconds < 0 {
        format!("overdue {}", span(-seconds))
    } else {
        format!("in {}", span(seconds))
    }
}

fn span(seconds: i64) -> String {
    let minutes = seconds / 60;
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{minutes}m"),
        (0, _) => format!("{hours}h {minutes}m"),
        _ => format!("{days}d {hours}h"),
    }
}

/// Formats a ticket's heading in the detail column.
pub fn ticket_heading(id: i64, subject: &str) -> String {
    format!("#{id} {subject}")
}

/// Formats one field line of the detail column.
pub fn field(name: &str, value: &str) -> String {
    format!("{name}: {value}")
}

/// Formats the work log total.
pub fn work_total(minutes: u32) -> String {
    format!("{WORK_LOG} ({minutes} min)")
}

/// Formats one work log entry.
pub fn work_entry(agent: &str, minutes: u32, summary: &str) -> String {
    format!("{agent}, {minutes} min: {summary}")
}

/// Formats a task line: its title, due time and assignee.
pub fn task(title: &str, due: Option<&str>, assignee: Option<&str>) -> String {
    let mut line = title.to_string();
    if let Some(due) = due {
        line.push_str(&format!(", due {due}"));
    }
    if let Some(assignee) = assignee {
        line.push_str(&format!(", {assignee}"));
    }
    line
}

/// Formats the line under the task list when it shows only some tasks.
pub fn more_tasks(count: usize) -> String {
    format!("and {count} more (kefu tasks lists them all)")
}

/// Formats the header summary on the to-do screen.
pub fn summary(matching: u64, selected: usize) -> String {
    format!("{}, {}", self::matching(matching), self::selected(selected))
}

fn tickets(count: usize) -> String {
    match count {
        1 => "1 ticket".to_string(),
        _ => format!("{} tickets", thousands(count as u64)),
    }
}

/// Formats a count with commas between thousands, as in 100,000.
fn thousands(count: u64) -> String {
    let digits = count.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// Formats one line of a ticket's history: time, actor, what changed and
/// the reason given.
pub fn history_line(time: &str, actor: &str, change: &str, reason: Option<&str>) -> String {
    match reason.filter(|reason| !reason.trim().is_empty()) {
        Some(reason) => format!("{time}  {actor}  {change} ({reason})"),
        None => format!("{time}  {actor}  {change}"),
    }
}

/// Formats a field change in the history, for example "status: open →
/// in-progress".
pub fn history_change(field: &str, from: &str, to: &str) -> String {
    format!("{field}: {from} → {to}")
}

/// Stands for an empty value in a history line, such as no assignee.
pub const NONE: &str = "none";

pub fn history_tag(tag: &str) -> String {
    format!("tag added: {tag}")
}

pub fn history_work(minutes: u64, summary: &str) -> String {
    format!("work logged: {minutes} min, {summary}")
}

pub fn history_note(text: &str) -> String {
    format!("note: {text}")
}

/// Formats a note in the Notes section: time, author and text.
pub fn note(time: &str, actor: &str, text: &str) -> String {
    format!("{time}  {actor}: {text}")
}
