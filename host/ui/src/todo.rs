//! The to-do screen: unfinished tickets in queue order (priority, then due
//! time) with filters, multi-select and bulk changes, the open tasks, and
//! the history, work log and notes of one ticket.
//!
//! The list is virtualised. Rows have a fixed height, so the scroll offset
//! gives the range of rows in view, and only that range (with a margin of
//! [`OVERSCAN`] rows each side) is read from SQLite, counted from the
//! nearer end of the list, and built as widgets. The rest of the list is two empty spaces of the
//! right height, which keep the scroll bar true to the full count.

mod view;

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use iced::Element;
use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::model::TicketEvent;
use kefu_core::todo::{
    self, AssigneeFilter, BulkChange, ChangeBy, Sort, Task, TodoQuery, TodoRow, WorkEntry,
};

use crate::labels::todo as labels;
pub use crate::labels::{Label, ResultLine};
use crate::list_scroll::INITIAL_VIEWPORT_HEIGHT;

/// Height of one row of the list in logical pixels. Every row has it, so a
/// scroll offset maps to a row number by division.
pub const ROW_HEIGHT: f32 = 30.0;

/// Rows read and built beyond each edge of the view, so that a short
/// scroll shows rows that are ready.
pub const OVERSCAN: usize = 20;

/// Most open tasks listed above the tickets.
const MAX_TASKS_SHOWN: usize = 5;

/// Choice of the assignee filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AssigneeChoice {
    #[default]
    Everyone,
    /// Tickets assigned to the agent running the app.
    Mine,
    Unassigned,
}

/// Events of the to-do screen.
#[derive(Debug, Clone)]
pub enum Message {
    /// The list scrolled: the offset of its top edge and the height of its
    /// view, in logical pixels.
    Scrolled {
        offset: f32,
        height: f32,
    },
    /// A row's checkbox was toggled: the ticket and its position in the
    /// list. With Shift held, the range from the last toggled row is
    /// selected.
    CheckboxToggled(i64, usize),
    /// A row was pressed: show that ticket's history, work log and notes.
    RowPressed(i64),
    CloseDetail,
    /// Open the conversation of the ticket in the detail column.
    OpenConversation(i64),
    SelectVisible,
    SelectAllMatching,
    ClearSelection,
    AssigneeFilter(AssigneeChoice),
    StatusFilterToggled(String),
    PriorityFilterToggled(String),
    OverdueToggled,
    TagFilterEdited(String),
    TagFilterSubmitted,
    ClearFilters,
    BulkAgentEdited(String),
    BulkAssign,
    BulkUnassign,
    BulkStatus(String),
    BulkPriority(String),
    BulkTagEdited(String),
    BulkTag,
    /// Merge the selected tickets into the one in the detail column.
    BulkMerge,
    /// Open the form that saves the current filters as a view.
    SaveAsView,
}

/// Follow-up action for the workbench after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Tickets changed, so other screens must read them again.
    TicketsChanged,
    /// Show this conversation on the workbench screen.
    OpenConversation(i64),
    /// Open the form that saves the current filters as a view.
    SaveAsView,
}

/// The filters the agent set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub assignee: AssigneeChoice,
    pub statuses: Vec<String>,
    pub priorities: Vec<String>,
    /// Tag filter as typed. Enter applies it as `tag`.
    pub tag_input: String,
    pub tag: Option<String>,
    /// Only tickets whose running deadline has passed.
    pub overdue: bool,
}

/// The ticket shown in the detail column.
#[derive(Debug, Clone)]
pub struct Detail {
    pub row: TodoRow,
    /// Every event, oldest first. Notes are events of kind `note`.
    pub events: Vec<TicketEvent>,
    pub work: Vec<WorkEntry>,
}

/// State of the to-do screen.
pub struct TodoPanel {
    desk: Arc<Desk>,
    /// Name of the agent running the app, for the Mine filter and the
    /// actor of changes.
    agent: String,
    filters: Filters,
    /// Tickets the filters match.
    total: u64,
    /// Position in the list of the first row in `rows`.
    window_start: usize,
    /// The rows read around the view.
    rows: Vec<TodoRow>,
    scroll_offset: f32,
    viewport_height: f32,
    selected: BTreeSet<i64>,
    /// Position of the last toggled row, where a Shift range starts.
    anchor: Option<usize>,
    /// True while a Shift key is held.
    shift: bool,
    detail: Option<Detail>,
    /// Open tasks, earliest due first.
    tasks: Vec<Task>,
    bulk_agent: String,
    bulk_tag: String,
    result: Option<ResultLine>,
    /// Time the list was read, for the due times and the overdue filter.
    now: DateTime<Utc>,
}

impl TodoPanel {
    /// Creates the screen with no filter. `agent` is the name the Mine
    /// filter looks for and the changes record.
    pub fn new(desk: Arc<Desk>, agent: String) -> Self {
        Self {
            desk,
            agent,
            filters: Filters::default(),
            total: 0,
            window_start: 0,
            rows: Vec::new(),
            scroll_offset: 0.0,
            viewport_height: INITIAL_VIEWPORT_HEIGHT,
            selected: BTreeSet::new(),
            anchor: None,
            shift: false,
            detail: None,
            tasks: Vec::new(),
            bulk_agent: String::new(),
            bulk_tag: String::new(),
            result: None,
            now: Utc::now(),
        }
    }

    /// Name of the agent the Mine filter looks for.
    pub fn agent(&self) -> &str {
        &self.agent
    }

    pub fn set_agent(&mut self, agent: String) {
        self.agent = agent;
    }

    /// Records whether a Shift key is held, for range selection.
    pub fn set_shift(&mut self, held: bool) {
        self.shift = held;
    }

    /// Tickets the filters match.
    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn selected_count(&self) -> usize {
        self.selected.len()
    }

    /// Ids of the selected tickets, in ascending order.
    pub fn selected(&self) -> Vec<i64> {
        self.selected.iter().copied().collect()
    }

    /// Returns the positions of the rows in view.
    pub fn visible_range(&self) -> Range<usize> {
        visible_range(self.scroll_offset, self.viewport_height, self.total)
    }

    /// Returns the rows built for the view: the visible range and the
    /// margin of [`OVERSCAN`] rows each side, as far as they were read.
    pub fn built_rows(&self) -> &[TodoRow] {
        let range = self.built_range();
        let start = range
            .start
            .saturating_sub(self.window_start)
            .min(self.rows.len());
        let end = range
            .end
            .saturating_sub(self.window_start)
            .min(self.rows.len());
        &self.rows[start..end]
    }

    /// Returns the ticket shown in the detail column.
    pub fn detail(&self) -> Option<&Detail> {
        self.detail.as_ref()
    }

    /// Returns the line of the last bulk change.
    pub fn result(&self) -> Option<&ResultLine> {
        self.result.as_ref()
    }

    pub fn filters(&self) -> &Filters {
        &self.filters
    }

    /// Builds the query of the current filters at `now`.
    pub fn query(&self) -> TodoQuery {
        let assignee = match self.filters.assignee {
            AssigneeChoice::Everyone => None,
            AssigneeChoice::Mine => Some(AssigneeFilter::Agent(self.agent.clone())),
            AssigneeChoice::Unassigned => Some(AssigneeFilter::Unassigned),
        };
        TodoQuery {
            statuses: self.filters.statuses.clone(),
            priorities: self.filters.priorities.clone(),
            tags: self.filters.tag.iter().cloned().collect(),
            assignee,
            due_before: self.filters.overdue.then_some(self.now),
            sort: Sort::Priority,
            ..TodoQuery::default()
        }
    }

    /// Reads the count, the rows around the view, the open tasks and the
    /// ticket in the detail column again.
    pub fn reload(&mut self, store: &Store) -> anyhow::Result<()> {
        self.now = Utc::now();
        let query = self.query();
        self.total = store.todo_count(&query)?;
        // The list may have shrunk below the scroll offset.
        let last_offset = (self.total as f32 * ROW_HEIGHT - self.viewport_height).max(0.0);
        self.scroll_offset = self.scroll_offset.min(last_offset);
        self.read_window(store, &query)?;
        self.tasks = store.tasks(false)?;
        if let Some(detail) = &self.detail {
            self.detail = read_detail(store, detail.row.id)?;
        }
        Ok(())
    }

    /// Range of rows to build: the visible ones and the margin.
    fn built_range(&self) -> Range<usize> {
        let visible = self.visible_range();
        let end = (visible.end + OVERSCAN).min(self.total as usize);
        visible.start.saturating_sub(OVERSCAN)..end
    }

    /// Reads the rows of [`Self::built_range`] in one query.
    fn read_window(&mut self, store: &Store, query: &TodoQuery) -> anyhow::Result<()> {
        let range = self.built_range();
        self.rows = store.todo_window(query, range.clone(), self.total)?;
        self.window_start = range.start;
        Ok(())
    }

    /// True when the rows read cover every row to build.
    fn window_covers(&self, range: &Range<usize>) -> bool {
        range.start >= self.window_start && range.end <= self.window_start + self.rows.len()
    }

    /// Handles a message. Reads and writes go to `store`. Without one, only
    /// the text fields and the detail column's Close button work. Returns
    /// the workbench's follow-up action, or the error of a failed read.
    pub fn update(
        &mut self,
        store: Option<&mut Store>,
        message: Message,
    ) -> anyhow::Result<Option<Event>> {
        match message {
            Message::TagFilterEdited(text) => self.filters.tag_input = text,
            Message::BulkAgentEdited(text) => self.bulk_agent = text,
            Message::BulkTagEdited(text) => self.bulk_tag = text,
            Message::CloseDetail => self.detail = None,
            Message::SaveAsView => return Ok(Some(Event::SaveAsView)),
            message => {
                if let Some(store) = store {
                    return self.handle_with_store(store, message);
                }
            }
        }
        Ok(None)
    }

    fn handle_with_store(
        &mut self,
        store: &mut Store,
        message: Message,
    ) -> anyhow::Result<Option<Event>> {
        match message {
            Message::Scrolled { offset, height } => {
                self.scroll_offset = offset.max(0.0);
                if height > 0.0 {
                    self.viewport_height = height;
                }
                if !self.window_covers(&self.built_range()) {
                    let query = self.query();
                    self.read_window(store, &query)?;
                }
            }
            Message::CheckboxToggled(ticket_id, position) => {
                self.toggle(store, ticket_id, position)?;
            }
            Message::RowPressed(ticket_id) => self.detail = read_detail(store, ticket_id)?,
            Message::OpenConversation(conversation_id) => {
                return Ok(Some(Event::OpenConversation(conversation_id)));
            }
            Message::SelectVisible => {
                let range = self.visible_range();
                let visible: Vec<i64> = self.rows_in(&range).iter().map(|row| row.id).collect();
                self.selected.extend(visible);
            }
            Message::SelectAllMatching => {
                let ids = store.todo_ids(&self.query(), 0, None)?;
                self.selected.extend(ids);
            }
            Message::ClearSelection => {
                self.selected.clear();
                self.anchor = None;
            }
            Message::AssigneeFilter(choice) => {
                self.filters.assignee = choice;
                self.filters_changed(store)?;
            }
            Message::StatusFilterToggled(status) => {
                toggle_item(&mut self.filters.statuses, status);
                self.filters_changed(store)?;
            }
            Message::PriorityFilterToggled(priority) => {
                toggle_item(&mut self.filters.priorities, priority);
                self.filters_changed(store)?;
            }
            Message::OverdueToggled => {
                self.filters.overdue = !self.filters.overdue;
                self.filters_changed(store)?;
            }
            Message::TagFilterSubmitted => {
                let tag = self.filters.tag_input.trim();
                self.filters.tag = (!tag.is_empty()).then(|| tag.to_string());
                self.filters_changed(store)?;
            }
            Message::ClearFilters => {
                self.filters = Filters::default();
                self.filters_changed(store)?;
            }
            Message::BulkAssign => {
                let agent = self.bulk_agent.trim().to_string();
                let action = labels::action_assign(&agent);
                return self.apply(store, &action, BulkChange::Assign(agent));
            }
            Message::BulkUnassign => {
                return self.apply(store, labels::action_unassign(), BulkChange::Unassign);
            }
            Message::BulkStatus(status) => {
                let label = crate::labels::ticket_status(&self.desk.lifecycle, &status);
                let action = labels::action_status(&label);
                return self.apply(store, &action, BulkChange::Status(status));
            }
            Message::BulkPriority(priority) => {
                let label = crate::labels::priority(&self.desk.lifecycle, &priority);
                let action = labels::action_priority(&label);
                return self.apply(store, &action, BulkChange::Priority(priority));
            }
            Message::BulkTag => {
                let tag = self.bulk_tag.trim().to_string();
                let action = labels::action_tag(&tag);
                return self.apply(store, &action, BulkChange::Tag(tag));
            }
            Message::BulkMerge => return self.merge(store),
            // Handled without the database in `update`.
            Message::TagFilterEdited(_)
            | Message::BulkAgentEdited(_)
            | Message::BulkTagEdited(_)
            | Message::CloseDetail
            | Message::SaveAsView => {}
        }
        Ok(None)
    }

    /// Rows of `range` among those read.
    fn rows_in(&self, range: &Range<usize>) -> &[TodoRow] {
        let start = range
            .start
            .saturating_sub(self.window_start)
            .min(self.rows.len());
        let end = range
            .end
            .saturating_sub(self.window_start)
            .min(self.rows.len());
        &self.rows[start..end]
    }

    /// Toggles one row, or with Shift held selects every row from the
    /// anchor to `position`.
    fn toggle(&mut self, store: &Store, ticket_id: i64, position: usize) -> anyhow::Result<()> {
        match self.anchor.filter(|_| self.shift) {
            Some(anchor) => {
                let (first, last) = (anchor.min(position), anchor.max(position));
                let ids = store.todo_ids(&self.query(), first, Some(last - first + 1))?;
                self.selected.extend(ids);
            }
            None => {
                if !self.selected.remove(&ticket_id) {
                    self.selected.insert(ticket_id);
                }
            }
        }
        self.anchor = Some(position);
        Ok(())
    }

    /// Reads the list again from the top after a filter changed. The
    /// selection is cleared, because it was made on the old list.
    fn filters_changed(&mut self, store: &Store) -> anyhow::Result<()> {
        self.selected.clear();
        self.anchor = None;
        self.scroll_offset = 0.0;
        self.reload(store)
    }

    /// Applies `change` to the selected tickets in one transaction. Tickets
    /// that cannot take it are left out and named in the result line. A
    /// value no ticket can take, such as an empty agent name, changes
    /// nothing and shows the error.
    // NOTE: the rules that react to agents' changes run only for changes
    // made through `kefu tickets`, which loads the plugins. Changes made
    // here are recorded in each ticket's history but reach no rule. The
    // transaction runs on the UI thread, so a change to tens of thousands
    // of tickets holds the window until it commits.
    fn apply(
        &mut self,
        store: &mut Store,
        action: &str,
        change: BulkChange,
    ) -> anyhow::Result<Option<Event>> {
        if self.selected.is_empty() {
            self.result = Some(ResultLine::Failed(Label::new(labels::nothing_selected)));
            return Ok(None);
        }
        let ids = self.selected();
        let actor = format!("agent:{}", self.agent);
        let by = ChangeBy {
            actor: &actor,
            reason: "",
            at: Utc::now(),
        };
        let outcome = store.writer().and_then(|writer| {
            let outcome = todo::apply_bulk_skipping(&writer, &ids, &change, &by)?;
            writer.commit()?;
            Ok(outcome)
        });
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(error) => {
                let error = format!("{error:#}");
                tracing::warn!(action, %error, "bulk change from the to-do screen failed");
                self.result = Some(ResultLine::Failed(Label::new(move || {
                    labels::bulk_failed(&error)
                })));
                return Ok(None);
            }
        };
        let changed = outcome.changed_tickets();
        tracing::info!(
            action,
            changed,
            skipped = outcome.skipped.len(),
            "bulk change from the to-do screen"
        );
        let action = action.to_string();
        let unchanged = outcome.unchanged.len();
        let skipped = outcome.skipped.clone();
        let line = Label::new(move || labels::bulk_result(&action, changed, unchanged, &skipped));
        self.result = Some(ResultLine::Done(line));
        self.reload(store)?;
        Ok((changed > 0).then_some(Event::TicketsChanged))
    }

    /// Merges the selected tickets into the ticket in the detail column, in
    /// one transaction. Selected tickets merged already are left out and
    /// named in the result line.
    fn merge(&mut self, store: &mut Store) -> anyhow::Result<Option<Event>> {
        let Some(target) = self.detail.as_ref().map(|detail| detail.row.id) else {
            self.result = Some(ResultLine::Failed(Label::new(labels::merge_hint)));
            return Ok(None);
        };
        let actor = format!("agent:{}", self.agent);
        let candidates: Vec<i64> = self
            .selected
            .iter()
            .copied()
            .filter(|id| *id != target)
            .collect();
        let outcome = store.writer().and_then(|writer| {
            let mut sources = Vec::new();
            let mut skipped = Vec::new();
            for id in candidates {
                if !writer.ticket_exists(id)? {
                    skipped.push((id, format!("ticket {id} does not exist")));
                    continue;
                }
                match writer.check_not_merged(id) {
                    Ok(()) => sources.push(id),
                    Err(error) => skipped.push((id, error.to_string())),
                }
            }
            if !sources.is_empty() {
                writer.merge_tickets(&sources, target, &actor, "merged by an agent", Utc::now())?;
                writer.commit()?;
            }
            Ok((sources.len(), skipped))
        });
        match outcome {
            Ok((merged, skipped)) => {
                tracing::info!(target, merged, "merge from the to-do screen");
                let line = Label::new(move || labels::merge_result(merged, target, &skipped));
                self.result = Some(ResultLine::Done(line));
                self.reload(store)?;
                Ok((merged > 0).then_some(Event::TicketsChanged))
            }
            Err(error) => {
                let error = format!("{error:#}");
                tracing::warn!(target, %error, "merge from the to-do screen failed");
                self.result = Some(ResultLine::Failed(Label::new(move || {
                    labels::bulk_failed(&error)
                })));
                Ok(None)
            }
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        view::view(self)
    }
}

/// Returns the positions of the rows that a view of `height` pixels
/// scrolled to `offset` shows, out of `total` rows.
fn visible_range(offset: f32, height: f32, total: u64) -> Range<usize> {
    let total = usize::try_from(total).unwrap_or(usize::MAX);
    let first = ((offset.max(0.0) / ROW_HEIGHT).floor() as usize).min(total);
    // One more row than fits, because the first and last may be cut.
    let count = (height.max(0.0) / ROW_HEIGHT).ceil() as usize + 1;
    first..first.saturating_add(count).min(total)
}

/// Reads a ticket with its history and work log, or `None` when it is gone.
fn read_detail(store: &Store, ticket_id: i64) -> anyhow::Result<Option<Detail>> {
    let Some(row) = store.todo_row(ticket_id)? else {
        return Ok(None);
    };
    Ok(Some(Detail {
        row,
        events: store.ticket_events(ticket_id)?,
        work: store.work_log(ticket_id)?,
    }))
}

/// Adds `item` to `items`, or removes it when present.
fn toggle_item(items: &mut Vec<String>, item: String) {
    match items.iter().position(|existing| *existing == item) {
        Some(index) => {
            items.remove(index);
        }
        None => items.push(item),
    }
}

/// Returns the name of the agent running the app: `KEFU_AGENT`, else
/// `USER`, else `app`, as the changes made in the app record.
pub fn agent_name() -> String {
    std::env::var("KEFU_AGENT")
        .ok()
        .or_else(|| std::env::var("USER").ok())
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| "app".to_string())
}

/// Widget ids of the to-do screen, for tests.
pub mod ids {
    use iced::widget::Id;

    /// The container around a ticket's row.
    pub fn row(ticket_id: i64) -> Id {
        Id::from(format!("todo-row-{ticket_id}"))
    }

    /// The container around a row's checkbox.
    pub fn checkbox(ticket_id: i64) -> Id {
        Id::from(format!("todo-check-{ticket_id}"))
    }

    /// The scrollable list of tickets.
    pub fn list() -> Id {
        Id::from("todo-list")
    }

    /// The container around the filter button of a status id.
    pub fn status_filter(status: &str) -> Id {
        Id::from(format!("todo-filter-status-{status}"))
    }

    /// The container around the filter button of a priority id.
    pub fn priority_filter(priority: &str) -> Id {
        Id::from(format!("todo-filter-priority-{priority}"))
    }

    /// The container around the Overdue filter button.
    pub fn overdue_filter() -> Id {
        Id::from("todo-filter-overdue")
    }

    /// The text field of the tag filter.
    pub fn tag_filter() -> Id {
        Id::from("todo-filter-tag")
    }

    /// The container around the bulk bar's button of a status id.
    pub fn bulk_status(status: &str) -> Id {
        Id::from(format!("todo-bulk-status-{status}"))
    }

    /// The container around the bulk bar's button of a priority id.
    pub fn bulk_priority(priority: &str) -> Id {
        Id::from(format!("todo-bulk-priority-{priority}"))
    }

    /// The text field of the agent to assign.
    pub fn bulk_agent() -> Id {
        Id::from("todo-bulk-agent")
    }

    /// The text field of the tag to add.
    pub fn bulk_tag() -> Id {
        Id::from("todo-bulk-tag")
    }

    /// The container around the result line of the last bulk change.
    pub fn result_line() -> Id {
        Id::from("todo-result")
    }

    /// The detail column of the pressed ticket.
    pub fn detail() -> Id {
        Id::from("todo-detail")
    }

    /// Returns the id of the container around the Save as view button.
    pub fn save_as_view() -> Id {
        Id::from("todo-save-as-view")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_range_at_top() {
        // 480 px show 16 whole rows; a cut 17th may show too.
        assert_eq!(visible_range(0.0, 480.0, 100_000), 0..17);
    }

    #[test]
    fn visible_range_mid_row_offset() {
        let range = visible_range(ROW_HEIGHT * 1_000.0 + 7.0, 480.0, 100_000);
        assert_eq!(range, 1_000..1_017);
    }

    #[test]
    fn visible_range_stops_at_total() {
        assert_eq!(visible_range(0.0, 480.0, 5), 0..5);
        assert_eq!(visible_range(ROW_HEIGHT * 98.0, 480.0, 100), 98..100);
        assert_eq!(visible_range(ROW_HEIGHT * 500.0, 480.0, 100), 100..100);
        assert_eq!(visible_range(0.0, 480.0, 0), 0..0);
    }

    #[test]
    fn visible_range_ignores_negative_values() {
        assert_eq!(visible_range(-50.0, -1.0, 10), 0..1);
    }

    #[test]
    fn bulk_result_lists_skipped_reasons() {
        let line = labels::bulk_result(
            "Status Open",
            2,
            1,
            &[(7, "ticket 7 was merged into ticket 3".to_string())],
        );
        assert_eq!(
            line,
            "Status Open: 2 tickets changed, 1 ticket unchanged, 1 ticket skipped \
             (#7: ticket 7 was merged into ticket 3)"
        );
    }

    #[test]
    fn matching_count_groups_thousands() {
        assert_eq!(labels::matching(100_000), "100,000 unfinished tickets");
        assert_eq!(labels::matching(1), "1 unfinished ticket");
        assert_eq!(labels::matching(999), "999 unfinished tickets");
        assert_eq!(labels::matching(1_000), "1,000 unfinished tickets");
    }
}
