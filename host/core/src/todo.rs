//! The to-do list: queries over unfinished tickets with filters, sort
//! orders and saved views, and bulk changes that apply to every selected
//! ticket or to none.

use std::ops::Range;

use chrono::{DateTime, Utc};
use rusqlite::params_from_iter;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::model::Channel;
use crate::store::write::TicketField;
use crate::store::{Store, Writer, parse_time};

/// Most rows one query returns.
pub const MAX_LIMIT: usize = 10_000;

/// Default page size.
pub const DEFAULT_LIMIT: usize = 50;

/// Sort order of the to-do list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sort {
    /// Queue order: VIP customers and higher priorities first, then the
    /// earliest deadline.
    #[default]
    Priority,
    /// Earliest deadline first; tickets without a running deadline last.
    Due,
    /// Oldest ticket first.
    Age,
    /// Most recently changed first.
    Updated,
}

impl Sort {
    pub const NAMES: &[&str] = &["priority", "due", "age", "updated"];

    pub fn parse(text: &str) -> anyhow::Result<Self> {
        match text {
            "priority" => Ok(Self::Priority),
            "due" => Ok(Self::Due),
            "age" => Ok(Self::Age),
            "updated" => Ok(Self::Updated),
            other => anyhow::bail!(
                "unknown sort {other:?}; expected one of {}",
                Self::NAMES.join(", ")
            ),
        }
    }

    fn order_by(self) -> &'static str {
        match self {
            Self::Priority => "t.queue_rank DESC, t.due_at IS NULL, t.due_at, t.id",
            Self::Due => "t.due_at IS NULL, t.due_at, t.queue_rank DESC, t.id",
            Self::Age => "t.created_at, t.id",
            Self::Updated => "t.updated_at DESC, t.id",
        }
    }

    /// Returns the exact reverse of [`Self::order_by`], so that SQLite reads
    /// the same index backwards to page from the end of the list.
    fn reverse_order_by(self) -> &'static str {
        match self {
            Self::Priority => "t.queue_rank, t.due_at IS NULL DESC, t.due_at DESC, t.id DESC",
            Self::Due => "t.due_at IS NULL DESC, t.due_at DESC, t.queue_rank, t.id DESC",
            Self::Age => "t.created_at DESC, t.id DESC",
            Self::Updated => "t.updated_at, t.id DESC",
        }
    }
}

/// Assignee filter of a to-do query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssigneeFilter {
    Unassigned,
    Agent(String),
}

/// A to-do query. Empty lists mean no filter. Saved views store this as
/// JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct TodoQuery {
    /// Include finished tickets too.
    pub include_finished: bool,
    pub statuses: Vec<String>,
    pub priorities: Vec<String>,
    pub types: Vec<String>,
    pub channels: Vec<Channel>,
    pub tiers: Vec<String>,
    /// Tickets that have every one of these tags.
    pub tags: Vec<String>,
    pub assignee: Option<AssigneeFilter>,
    /// Tickets whose running deadline is before this time.
    pub due_before: Option<DateTime<Utc>>,
    /// Text in the subject or the customer's name.
    pub text: Option<String>,
    pub sort: Sort,
    #[serde(skip)]
    pub limit: usize,
    #[serde(skip)]
    pub offset: usize,
}

/// One row of the to-do list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TodoRow {
    pub id: i64,
    pub conversation_id: i64,
    pub subject: Option<String>,
    pub ticket_type: String,
    pub priority: String,
    pub status: String,
    pub source: Channel,
    pub assignee: Option<String>,
    pub customer_id: i64,
    pub customer_name: Option<String>,
    pub tier: String,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub first_response_due: Option<DateTime<Utc>>,
    pub resolution_due: Option<DateTime<Utc>>,
    pub first_response_at: Option<DateTime<Utc>>,
    /// True while the ticket's status stops the SLA clock.
    pub sla_paused: bool,
    pub reopen_count: u32,
    pub merged_into: Option<i64>,
}

impl TodoRow {
    /// Returns the customer's name, else `customer #ID`.
    pub fn customer_label(&self) -> String {
        self.customer_name
            .clone()
            .unwrap_or_else(|| format!("customer #{}", self.customer_id))
    }
}

const SELECT: &str =
    "SELECT t.id, t.conversation_id, t.subject, t.ticket_type, t.priority, t.status,
            t.source, t.assignee, cu.id, cu.name, cu.tier,
            (SELECT json_group_array(tag) FROM
               (SELECT tag FROM ticket_tags g WHERE g.ticket_id = t.id ORDER BY tag)),
            t.created_at, t.updated_at, t.due_at, t.first_response_due, t.resolution_due,
            t.first_response_at, t.sla_paused_at IS NOT NULL, t.reopen_count, t.merged_into
       FROM tickets t
       JOIN conversations c ON c.id = t.conversation_id
       JOIN customers cu ON cu.id = c.customer_id";

impl TodoQuery {
    /// Builds the WHERE clause and its parameters.
    fn filter(&self) -> (String, Vec<Value>) {
        let mut clauses = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if !self.include_finished {
            clauses.push("t.is_open = 1".to_string());
        }
        let mut any_of = |column: &str, items: Vec<String>, values: &mut Vec<Value>| {
            if items.is_empty() {
                return;
            }
            let marks = vec!["?"; items.len()].join(", ");
            clauses.push(format!("{column} IN ({marks})"));
            values.extend(items.into_iter().map(Value::Text));
        };
        any_of("t.status", self.statuses.clone(), &mut values);
        any_of("t.priority", self.priorities.clone(), &mut values);
        any_of("t.ticket_type", self.types.clone(), &mut values);
        any_of(
            "t.source",
            self.channels
                .iter()
                .map(|c| c.as_str().to_string())
                .collect(),
            &mut values,
        );
        any_of("cu.tier", self.tiers.clone(), &mut values);
        // As a list of ids, SQLite can start from the tag's index and read
        // only the tagged tickets.
        for tag in &self.tags {
            clauses.push(
                "t.id IN (SELECT g.ticket_id FROM ticket_tags g WHERE g.tag = ?)".to_string(),
            );
            values.push(Value::Text(tag.clone()));
        }
        match &self.assignee {
            Some(AssigneeFilter::Unassigned) => clauses.push("t.assignee IS NULL".to_string()),
            Some(AssigneeFilter::Agent(name)) => {
                clauses.push("t.assignee = ?".to_string());
                values.push(Value::Text(name.clone()));
            }
            None => {}
        }
        if let Some(before) = self.due_before {
            // The first term names the indexed expression of
            // `tickets_open_due`, so SQLite reads only the overdue range.
            clauses.push("(t.due_at IS NULL) = 0 AND t.due_at < ?".to_string());
            values.push(Value::Text(crate::store::format_time(before)));
        }
        if let Some(text) = self.text.as_deref().filter(|text| !text.trim().is_empty()) {
            clauses.push(
                "(instr(lower(coalesce(t.subject, '')), lower(?)) > 0
                  OR instr(lower(coalesce(cu.name, '')), lower(?)) > 0)"
                    .to_string(),
            );
            values.push(Value::Text(text.trim().to_string()));
            values.push(Value::Text(text.trim().to_string()));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        (filter, values)
    }

    /// Checks the query's values against the desk's lifecycle, so a typo
    /// fails with the allowed values instead of returning nothing.
    pub fn check(&self, lifecycle: &crate::lifecycle::Lifecycle) -> anyhow::Result<()> {
        for status in &self.statuses {
            if !lifecycle.is_status(status) {
                anyhow::bail!(
                    "unknown status {status:?}; expected one of {}",
                    lifecycle.status_ids()
                );
            }
        }
        for priority in &self.priorities {
            if !lifecycle.is_priority(priority) {
                anyhow::bail!(
                    "unknown priority {priority:?}; expected one of {}",
                    lifecycle.priority_ids()
                );
            }
        }
        for ticket_type in &self.types {
            if !lifecycle.is_type(ticket_type) {
                anyhow::bail!(
                    "unknown ticket type {ticket_type:?}; expected one of {}",
                    lifecycle.type_ids()
                );
            }
        }
        if self.limit > MAX_LIMIT {
            anyhow::bail!(
                "a page of {} rows is more than the {MAX_LIMIT} allowed; page with --offset",
                self.limit
            );
        }
        Ok(())
    }
}

impl TodoQuery {
    /// True when a filter reads the customer, so the query needs the join.
    fn needs_customer(&self) -> bool {
        !self.tiers.is_empty()
            || self
                .text
                .as_deref()
                .is_some_and(|text| !text.trim().is_empty())
    }

    /// The tickets the filters keep, joined to their customer only when a
    /// filter needs it.
    fn tables(&self) -> &'static str {
        if self.needs_customer() {
            "FROM tickets t
               JOIN conversations c ON c.id = t.conversation_id
               JOIN customers cu ON cu.id = c.customer_id"
        } else {
            "FROM tickets t"
        }
    }

    /// The SQL and parameters of one page. The page's ids come from the
    /// sort order's index first, so only the rows shown are joined to their
    /// customer and tags.
    fn page_sql(&self) -> (String, Vec<Value>) {
        let limit = if self.limit == 0 {
            DEFAULT_LIMIT
        } else {
            self.limit.min(MAX_LIMIT)
        };
        self.rows_sql(Direction::Forward, self.offset, limit)
    }

    /// Builds the SQL and parameters of the rows in `range` of the list,
    /// which has `total` rows. A range nearer the end is read from the end in the
    /// reverse sort order, so SQLite steps over the rows after the range
    /// instead of every row before it.
    fn window_sql(&self, range: &Range<usize>, total: usize) -> (String, Vec<Value>) {
        let end = range.end.min(total);
        let start = range.start.min(end);
        let limit = (end - start).min(MAX_LIMIT);
        let after = total - end;
        if after < range.start {
            self.rows_sql(Direction::Backward, after, limit)
        } else {
            self.rows_sql(Direction::Forward, start, limit)
        }
    }

    /// Builds the SQL and parameters of `limit` rows after skipping `skip`
    /// rows from the start of the list, or from its end when `direction` is
    /// `Backward`. The rows come in the sort order either way.
    fn rows_sql(&self, direction: Direction, skip: usize, limit: usize) -> (String, Vec<Value>) {
        let (filter, mut values) = self.filter();
        values.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        values.push(Value::Integer(i64::try_from(skip).unwrap_or(i64::MAX)));
        let order = self.sort.order_by();
        let inner_order = match direction {
            Direction::Forward => order,
            Direction::Backward => self.sort.reverse_order_by(),
        };
        let sql = format!(
            "{SELECT} WHERE t.id IN (SELECT t.id {}{filter} ORDER BY {inner_order} LIMIT ? OFFSET ?)
              ORDER BY {order}",
            self.tables()
        );
        (sql, values)
    }

    /// Builds the SQL and parameters that select the ids of the matching
    /// tickets in the sort order, from `offset` on and at most `limit`.
    fn ids_sql(&self, offset: usize, limit: Option<usize>) -> (String, Vec<Value>) {
        let (filter, mut values) = self.filter();
        // SQLite reads a negative LIMIT as no limit.
        let limit = limit.map_or(-1, |limit| i64::try_from(limit).unwrap_or(i64::MAX));
        values.push(Value::Integer(limit));
        values.push(Value::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
        let sql = format!(
            "SELECT t.id {}{filter} ORDER BY {} LIMIT ? OFFSET ?",
            self.tables(),
            self.sort.order_by()
        );
        (sql, values)
    }

    /// Builds the SQL and parameters of the number of matching tickets.
    /// Filters on the open state, status, priority and assignee only add
    /// up rows of `todo_counts`, which the store keeps per combination of
    /// these columns. Any other filter counts the matching tickets.
    fn count_sql(&self) -> (String, Vec<Value>) {
        if let Some(counted) = self.counts_table_sql() {
            return counted;
        }
        let (filter, values) = self.filter();
        (format!("SELECT count(*) {}{filter}", self.tables()), values)
    }

    /// Builds the count from `todo_counts`, or returns `None` when a filter
    /// reads a column that table does not have.
    fn counts_table_sql(&self) -> Option<(String, Vec<Value>)> {
        let has_text = self
            .text
            .as_deref()
            .is_some_and(|text| !text.trim().is_empty());
        if !self.types.is_empty()
            || !self.channels.is_empty()
            || !self.tiers.is_empty()
            || !self.tags.is_empty()
            || self.due_before.is_some()
            || has_text
        {
            return None;
        }
        let mut clauses = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if !self.include_finished {
            clauses.push("is_open = 1".to_string());
        }
        for (column, items) in [("status", &self.statuses), ("priority", &self.priorities)] {
            if items.is_empty() {
                continue;
            }
            let marks = vec!["?"; items.len()].join(", ");
            clauses.push(format!("{column} IN ({marks})"));
            values.extend(items.iter().cloned().map(Value::Text));
        }
        match &self.assignee {
            Some(AssigneeFilter::Unassigned) => clauses.push("assigned = 0".to_string()),
            Some(AssigneeFilter::Agent(name)) => {
                clauses.push("assigned = 1 AND assignee = ?".to_string());
                values.push(Value::Text(name.clone()));
            }
            None => {}
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        let sql = format!("SELECT coalesce(sum(ticket_count), 0) FROM todo_counts{filter}");
        Some((sql, values))
    }
}

/// End of the sorted list from which a page's skipped rows are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Forward,
    Backward,
}

impl Store {
    /// Runs a to-do query and returns one page of rows.
    pub fn todo(&self, query: &TodoQuery) -> anyhow::Result<Vec<TodoRow>> {
        let (sql, values) = query.page_sql();
        let mut statement = self.connection().prepare_cached(&sql)?;
        let rows = statement.query_map(params_from_iter(values), read_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns the rows at the positions `range` of a to-do query's list,
    /// in its sort order, given the list's length `total` from
    /// [`Store::todo_count`]. The query's own `limit` and `offset` are
    /// ignored. Positions from `total` on are left out. A range nearer the
    /// end is read from the end, so the end of a long list costs about as
    /// much as its start. At most [`MAX_LIMIT`] rows are read.
    // NOTE: a range in the middle of a long list still makes SQLite step
    // over up to half the matching rows in the sort order's index. A
    // `total` counted before the last change shifts a range read from the
    // end by the number of rows added or removed since.
    pub fn todo_window(
        &self,
        query: &TodoQuery,
        range: Range<usize>,
        total: u64,
    ) -> anyhow::Result<Vec<TodoRow>> {
        let total = usize::try_from(total).unwrap_or(usize::MAX);
        if range.start >= range.end.min(total) {
            return Ok(Vec::new());
        }
        let (sql, values) = query.window_sql(&range, total);
        let mut statement = self.connection().prepare_cached(&sql)?;
        let rows = statement.query_map(params_from_iter(values), read_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns the ids of the tickets a to-do query matches, in its sort
    /// order, from `offset` on and at most `limit` of them (all when
    /// `None`). The query's own `limit` and `offset` are ignored. Reads no
    /// row beyond the id, for selecting every matching ticket at once.
    pub fn todo_ids(
        &self,
        query: &TodoQuery,
        offset: usize,
        limit: Option<usize>,
    ) -> anyhow::Result<Vec<i64>> {
        let (sql, values) = query.ids_sql(offset, limit);
        let mut statement = self.connection().prepare_cached(&sql)?;
        let ids = statement.query_map(params_from_iter(values), |row| row.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// Counts the tickets a to-do query matches, over all pages.
    pub fn todo_count(&self, query: &TodoQuery) -> anyhow::Result<u64> {
        let (sql, values) = query.count_sql();
        Ok(self
            .connection()
            .prepare_cached(&sql)?
            .query_row(params_from_iter(values), |row| row.get(0))?)
    }

    /// Returns SQLite's plan for a to-do query's page, its last page and
    /// count, one line per step prefixed with `page: `, `last page: ` or
    /// `count: `, for benchmarks and for diagnosing a slow list.
    pub fn todo_plan(&self, query: &TodoQuery) -> anyhow::Result<Vec<String>> {
        let mut lines = Vec::new();
        // A list long enough that its last page is read from the end.
        let last_page = query.window_sql(&(usize::MAX - DEFAULT_LIMIT..usize::MAX), usize::MAX);
        let statements = [
            ("page", query.page_sql()),
            ("last page", last_page),
            ("count", query.count_sql()),
        ];
        for (name, (sql, values)) in statements {
            let mut statement = self
                .connection()
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
            let rows = statement.query_map(params_from_iter(values), |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(3)?,
                ))
            })?;
            // Each step is indented two spaces per level below the top.
            let mut levels: Vec<(i64, usize)> = Vec::new();
            for row in rows {
                let (id, parent, detail) = row?;
                let level = levels
                    .iter()
                    .find(|(step, _)| *step == parent)
                    .map_or(0, |(_, level)| level + 1);
                levels.push((id, level));
                lines.push(format!("{name}: {}{detail}", "  ".repeat(level)));
            }
        }
        Ok(lines)
    }

    /// Returns one ticket as the to-do list shows it, finished or not.
    pub fn todo_row(&self, ticket_id: i64) -> anyhow::Result<Option<TodoRow>> {
        let sql = format!("{SELECT} WHERE t.id = ?1");
        let mut statement = self.connection().prepare_cached(&sql)?;
        let mut rows = statement.query_map([ticket_id], read_row)?;
        Ok(rows.next().transpose()?)
    }
}

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<TodoRow> {
    let time = |index: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        row.get::<_, Option<String>>(index)?
            .map(|text| parse_time(&text))
            .transpose()
    };
    let source: String = row.get(6)?;
    let tags: String = row.get(11)?;
    Ok(TodoRow {
        id: row.get(0)?,
        conversation_id: row.get(1)?,
        subject: row.get(2)?,
        ticket_type: row.get(3)?,
        priority: row.get(4)?,
        status: row.get(5)?,
        source: source.parse().map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(
                6,
                rusqlite::types::Type::Text,
                Box::new(error),
            )
        })?,
        assignee: row.get(7)?,
        customer_id: row.get(8)?,
        customer_name: row.get(9)?,
        tier: row.get(10)?,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        created_at: parse_time(&row.get::<_, String>(12)?)?,
        updated_at: parse_time(&row.get::<_, String>(13)?)?,
        due_at: time(14)?,
        first_response_due: time(15)?,
        resolution_due: time(16)?,
        first_response_at: time(17)?,
        sla_paused: row.get(18)?,
        reopen_count: row.get(19)?,
        merged_into: row.get(20)?,
    })
}

/// A change applied to several tickets at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkChange {
    Assign(String),
    Unassign,
    Status(String),
    Priority(String),
    Type(String),
    Tag(String),
    Note(String),
}

/// Author and reason of a change, for the ticket history.
#[derive(Debug, Clone)]
pub struct ChangeBy<'a> {
    /// `agent:<name>`, `rule:<name>`, `plugin:<id>` or `system`.
    pub actor: &'a str,
    pub reason: &'a str,
    pub at: DateTime<Utc>,
}

/// Longest agent name, tag or view name a change may set, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Longest internal note, in characters.
pub const MAX_NOTE_CHARS: usize = 10_000;

/// A change that took effect on one ticket, for the rules that react to
/// ticket updates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedChange {
    pub ticket_id: i64,
    /// `type`, `priority`, `status`, `assignee`, `tag` or `note`.
    pub field: &'static str,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// Checks the value a bulk change sets, so a bad value fails before any
/// ticket changes.
fn check_change(
    lifecycle: &crate::lifecycle::Lifecycle,
    change: &BulkChange,
) -> anyhow::Result<()> {
    match change {
        BulkChange::Status(value) if !lifecycle.is_status(value) => anyhow::bail!(
            "unknown status {value:?}; expected one of {}",
            lifecycle.status_ids()
        ),
        BulkChange::Priority(value) if !lifecycle.is_priority(value) => anyhow::bail!(
            "unknown priority {value:?}; expected one of {}",
            lifecycle.priority_ids()
        ),
        BulkChange::Type(value) if !lifecycle.is_type(value) => anyhow::bail!(
            "unknown ticket type {value:?}; expected one of {}",
            lifecycle.type_ids()
        ),
        BulkChange::Assign(name) => check_name("agent name", name),
        BulkChange::Tag(tag) => {
            check_name("tag", tag)?;
            if tag.contains(',') {
                anyhow::bail!(
                    "invalid tag {tag:?}: a tag cannot contain a comma, because lists of tags \
                     are separated by commas"
                );
            }
            Ok(())
        }
        BulkChange::Note(text) => {
            if text.trim().is_empty() {
                anyhow::bail!("the note is empty; write what the next agent should know");
            }
            if text.chars().count() > MAX_NOTE_CHARS {
                anyhow::bail!(
                    "the note has {} characters, more than the {MAX_NOTE_CHARS} allowed; \
                     shorten it or attach the text as a file",
                    text.chars().count()
                );
            }
            if text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t')
            {
                anyhow::bail!(
                    "the note contains control characters; remove them (line breaks and tabs \
                     are fine)"
                );
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Checks an agent name or tag: not empty, at most [`MAX_NAME_CHARS`]
/// characters, no control characters.
pub fn check_name(what: &str, value: &str) -> anyhow::Result<()> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        anyhow::bail!("the {what} is empty; give one");
    }
    if trimmed.chars().count() > MAX_NAME_CHARS {
        let start: String = trimmed.chars().take(20).collect();
        anyhow::bail!(
            "the {what} starting {start:?} is longer than {MAX_NAME_CHARS} characters; \
             shorten it"
        );
    }
    if trimmed.chars().any(char::is_control) {
        anyhow::bail!("invalid {what} {trimmed:?}: it contains control characters");
    }
    Ok(())
}

/// Applies `change` to every ticket in `ticket_ids` within the writer's
/// transaction and returns how many tickets changed. The first ticket
/// that cannot take the change fails the whole call with its id; the
/// caller then drops the writer, so no ticket changes.
pub fn apply_bulk(
    writer: &Writer<'_>,
    ticket_ids: &[i64],
    change: &BulkChange,
    by: &ChangeBy<'_>,
) -> anyhow::Result<usize> {
    Ok(apply_bulk_changes(writer, ticket_ids, change, by)?.len())
}

/// Applies `change` like [`apply_bulk`] and returns each change that took
/// effect.
pub fn apply_bulk_changes(
    writer: &Writer<'_>,
    ticket_ids: &[i64],
    change: &BulkChange,
    by: &ChangeBy<'_>,
) -> anyhow::Result<Vec<AppliedChange>> {
    check_change(&writer.desk().lifecycle, change)?;
    let mut seen = std::collections::HashSet::new();
    let mut applied = Vec::new();
    for &ticket_id in ticket_ids {
        if !seen.insert(ticket_id) {
            continue;
        }
        if !writer.ticket_exists(ticket_id)? {
            anyhow::bail!(
                "ticket {ticket_id} does not exist; nothing was changed. `kefu tickets list --all` \
                 shows the tickets"
            );
        }
        let set = |field: TicketField, value: &str| -> anyhow::Result<Option<AppliedChange>> {
            let old =
                writer.set_ticket_field(ticket_id, field, value, by.actor, by.reason, by.at)?;
            Ok(old.map(|old| AppliedChange {
                ticket_id,
                field: field.name(),
                old_value: old,
                new_value: Some(value.to_string()),
            }))
        };
        let result = match change {
            BulkChange::Assign(agent) => set(TicketField::Assignee, agent.trim()),
            BulkChange::Unassign => writer
                .clear_assignee(ticket_id, by.actor, by.reason, by.at)
                .map(|cleared| {
                    cleared.then_some(AppliedChange {
                        ticket_id,
                        field: "assignee",
                        old_value: None,
                        new_value: None,
                    })
                }),
            BulkChange::Status(status) => set(TicketField::Status, status),
            BulkChange::Priority(priority) => set(TicketField::Priority, priority),
            BulkChange::Type(ticket_type) => set(TicketField::Type, ticket_type),
            BulkChange::Tag(tag) => writer
                .add_tag(ticket_id, tag.trim(), by.actor, by.reason, by.at)
                .map(|added| {
                    added.then(|| AppliedChange {
                        ticket_id,
                        field: "tag",
                        old_value: None,
                        new_value: Some(tag.trim().to_string()),
                    })
                }),
            BulkChange::Note(text) => writer.check_not_merged(ticket_id).and_then(|()| {
                writer.add_note(ticket_id, text, by.actor, by.at)?;
                Ok(Some(AppliedChange {
                    ticket_id,
                    field: "note",
                    old_value: None,
                    new_value: Some(text.clone()),
                }))
            }),
        }
        .map_err(|error| error.context(format!("ticket {ticket_id}: nothing was changed")))?;
        applied.extend(result);
    }
    Ok(applied)
}

/// Result of [`apply_bulk_skipping`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkOutcome {
    /// Each change that took effect.
    pub applied: Vec<AppliedChange>,
    /// Tickets that had the value already, such as the status set.
    pub unchanged: Vec<i64>,
    /// Tickets that cannot take the change, each with the reason.
    pub skipped: Vec<(i64, String)>,
}

impl BulkOutcome {
    /// Counts the tickets that changed.
    pub fn changed_tickets(&self) -> usize {
        let mut ids: Vec<i64> = self.applied.iter().map(|change| change.ticket_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }
}

/// Applies `change` like [`apply_bulk_changes`] within the writer's
/// transaction, but leaves out the tickets that cannot take it and returns
/// them with the reason. A ticket is left out when it does not exist, was
/// merged into another, or the lifecycle does not allow its status change.
/// A value that is invalid for every ticket, such as an unknown status,
/// still fails the whole call before any ticket changes.
pub fn apply_bulk_skipping(
    writer: &Writer<'_>,
    ticket_ids: &[i64],
    change: &BulkChange,
    by: &ChangeBy<'_>,
) -> anyhow::Result<BulkOutcome> {
    check_change(&writer.desk().lifecycle, change)?;
    let mut seen = std::collections::HashSet::new();
    let mut outcome = BulkOutcome::default();
    let mut eligible = Vec::new();
    for &ticket_id in ticket_ids {
        if !seen.insert(ticket_id) {
            continue;
        }
        match skip_reason(writer, ticket_id, change)? {
            Some(reason) => outcome.skipped.push((ticket_id, reason)),
            None => eligible.push(ticket_id),
        }
    }
    outcome.applied = apply_bulk_changes(writer, &eligible, change, by)?;
    let changed: std::collections::HashSet<i64> = outcome
        .applied
        .iter()
        .map(|change| change.ticket_id)
        .collect();
    outcome.unchanged = eligible
        .into_iter()
        .filter(|id| !changed.contains(id))
        .collect();
    Ok(outcome)
}

/// Returns why `ticket_id` cannot take `change`, or `None` when it can.
fn skip_reason(
    writer: &Writer<'_>,
    ticket_id: i64,
    change: &BulkChange,
) -> anyhow::Result<Option<String>> {
    if !writer.ticket_exists(ticket_id)? {
        return Ok(Some(format!("ticket {ticket_id} does not exist")));
    }
    if let Err(error) = writer.check_not_merged(ticket_id) {
        return Ok(Some(error.to_string()));
    }
    if let BulkChange::Status(status) = change {
        let from = writer.ticket_status(ticket_id)?;
        if let Err(error) = writer.desk().lifecycle.check_transition(&from, status) {
            return Ok(Some(error.to_string()));
        }
    }
    Ok(None)
}

/// Longest saved view name, in characters.
pub const MAX_VIEW_NAME_CHARS: usize = 60;

/// Checks a saved view's name and returns it without surrounding spaces.
fn check_view_name(name: &str) -> anyhow::Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_VIEW_NAME_CHARS {
        anyhow::bail!(
            "view name {name:?} is empty or longer than {MAX_VIEW_NAME_CHARS} characters"
        );
    }
    Ok(name)
}

impl Store {
    /// Saves a to-do query under `name`, replacing a view of that name.
    pub fn save_view(&mut self, name: &str, query: &TodoQuery) -> anyhow::Result<()> {
        let name = check_view_name(name)?;
        let now = crate::store::format_time(Utc::now());
        self.connection().execute(
            "INSERT INTO saved_views (name, query, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (name) DO UPDATE SET query = ?2, updated_at = ?3",
            rusqlite::params![name, serde_json::to_string(query)?, now],
        )?;
        Ok(())
    }

    /// Saved views, by name.
    pub fn views(&self) -> anyhow::Result<Vec<(String, TodoQuery)>> {
        let mut statement = self
            .connection()
            .prepare("SELECT name, query FROM saved_views ORDER BY name")?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut views = Vec::new();
        for row in rows {
            let (name, json) = row?;
            let query = serde_json::from_str(&json).map_err(|error| {
                anyhow::anyhow!(
                    "saved view {name:?} cannot be read ({error}); save it again with \
                     `kefu tickets views save {name} ...`"
                )
            })?;
            views.push((name, query));
        }
        Ok(views)
    }

    /// The saved view called `name`.
    pub fn view(&self, name: &str) -> anyhow::Result<TodoQuery> {
        let views = self.views()?;
        let names: Vec<&str> = views.iter().map(|(name, _)| name.as_str()).collect();
        let known = if names.is_empty() {
            "there are none yet".to_string()
        } else {
            format!("the saved views are {}", names.join(", "))
        };
        views
            .iter()
            .find(|(view, _)| view == name)
            .map(|(_, query)| query.clone())
            .ok_or_else(|| anyhow::anyhow!("no saved view is called {name:?}; {known}"))
    }

    /// Renames the saved view `from` to `to`, keeping its query. Fails when
    /// `from` does not exist or another view is called `to`.
    pub fn rename_view(&mut self, from: &str, to: &str) -> anyhow::Result<()> {
        let to = check_view_name(to)?;
        let now = crate::store::format_time(Utc::now());
        let changed = self
            .connection()
            .execute(
                "UPDATE saved_views SET name = ?2, updated_at = ?3 WHERE name = ?1",
                rusqlite::params![from, to, now],
            )
            .map_err(|error| match error.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) => {
                    anyhow::anyhow!("a saved view is called {to:?} already; choose another name")
                }
                _ => error.into(),
            })?;
        if changed == 0 {
            anyhow::bail!("no saved view is called {from:?}");
        }
        Ok(())
    }

    /// Removes a saved view. Returns false when there was none.
    pub fn remove_view(&mut self, name: &str) -> anyhow::Result<bool> {
        Ok(self
            .connection()
            .execute("DELETE FROM saved_views WHERE name = ?1", [name])?
            == 1)
    }
}

/// Time an agent logged on a ticket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkEntry {
    pub id: i64,
    pub ticket_id: i64,
    pub agent: String,
    pub minutes: u32,
    pub summary: String,
    pub at: DateTime<Utc>,
}

/// A task on the to-do list that is not a ticket, such as a callback.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    /// The number or address to reach the customer at, for a callback.
    pub customer_address: Option<String>,
    pub ticket_id: Option<i64>,
    pub assignee: Option<String>,
    /// Missed calls while the callback was open.
    pub attempts: u32,
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<String>,
}

impl Store {
    /// A ticket's work log, oldest first.
    pub fn work_log(&self, ticket_id: i64) -> anyhow::Result<Vec<WorkEntry>> {
        let mut statement = self.connection().prepare_cached(
            "SELECT id, ticket_id, agent, minutes, summary, at FROM work_log
              WHERE ticket_id = ?1 ORDER BY id",
        )?;
        let rows = statement.query_map([ticket_id], |row| {
            Ok(WorkEntry {
                id: row.get(0)?,
                ticket_id: row.get(1)?,
                agent: row.get(2)?,
                minutes: row.get(3)?,
                summary: row.get(4)?,
                at: parse_time(&row.get::<_, String>(5)?)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Tasks, open ones first by due time; finished ones only when
    /// `include_done`.
    pub fn tasks(&self, include_done: bool) -> anyhow::Result<Vec<Task>> {
        let filter = if include_done {
            ""
        } else {
            "WHERE k.done_at IS NULL"
        };
        let sql = format!(
            "SELECT k.id, k.kind, k.title, k.customer_id, cu.name,
                    (SELECT value FROM customer_identities i WHERE i.customer_id = k.customer_id
                      ORDER BY i.kind = 'phone' DESC, i.id LIMIT 1),
                    k.ticket_id, k.assignee, k.due_at, k.created_at, k.done_at, k.done_by, k.attempts
               FROM tasks k LEFT JOIN customers cu ON cu.id = k.customer_id
               {filter}
              ORDER BY k.done_at IS NOT NULL, k.due_at IS NULL, k.due_at, k.id"
        );
        let mut statement = self.connection().prepare(&sql)?;
        let rows = statement.query_map([], |row| {
            let time = |index: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
                row.get::<_, Option<String>>(index)?
                    .map(|text| parse_time(&text))
                    .transpose()
            };
            Ok(Task {
                id: row.get(0)?,
                kind: row.get(1)?,
                title: row.get(2)?,
                customer_id: row.get(3)?,
                customer_name: row.get(4)?,
                customer_address: row.get(5)?,
                ticket_id: row.get(6)?,
                assignee: row.get(7)?,
                due_at: time(8)?,
                created_at: parse_time(&row.get::<_, String>(9)?)?,
                done_at: time(10)?,
                done_by: row.get(11)?,
                attempts: row.get(12)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests;
