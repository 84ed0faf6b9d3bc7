//! The to-do screen's widgets: filter bar, bulk bar, task lines, the
//! virtualised ticket list and the detail column.

use chrono::{DateTime, Utc};
use iced::widget::{
    Space, button, checkbox, column, container, row, rule, scrollable, text, text_input,
};
use iced::{Alignment, Element, Fill, Length, Theme};
use kefu_core::lifecycle::{Category, Lifecycle};
use kefu_core::model::TicketEvent;
use kefu_core::todo::TodoRow;

use super::{AssigneeChoice, Detail, Message, ROW_HEIGHT, TodoPanel, ids};
use crate::labels::todo as labels;
use crate::{format, style};

/// Column widths in logical pixels. The subject takes the rest of the row.
const ID_WIDTH: f32 = 64.0;
const STATUS_WIDTH: f32 = 210.0;
const PRIORITY_WIDTH: f32 = 70.0;
const DUE_WIDTH: f32 = 140.0;
const ASSIGNEE_WIDTH: f32 = 100.0;
const CUSTOMER_WIDTH: f32 = 140.0;
/// Width of the checkbox column.
const CHECK_WIDTH: f32 = 30.0;
/// Width of the detail column beside the list.
const DETAIL_WIDTH: f32 = 380.0;

pub fn view(panel: &TodoPanel) -> Element<'_, Message> {
    let lifecycle = &panel.desk.lifecycle;
    let mut page = column![filter_bar(panel, lifecycle), bulk_bar(panel, lifecycle),].spacing(6);
    if let Some(result) = &panel.result {
        let (line, failed) = result.text();
        let line_style: fn(&Theme) -> container::Style = if failed {
            style::error_line
        } else {
            style::notice_line
        };
        page = page.push(
            container(text(line).size(13))
                .id(ids::result_line())
                .padding([4, 8])
                .width(Fill)
                .style(line_style),
        );
    }
    if !panel.tasks.is_empty() {
        page = page.push(tasks(panel));
    }
    page = page.push(text(labels::matching(panel.total)).size(14));
    if panel.total == 0 {
        page = page.push(text(labels::no_todo()).size(13).style(text::secondary));
    } else {
        page = page.push(header()).push(list(panel, lifecycle));
    }
    let page = container(page.padding(8)).width(Fill).height(Fill);

    match &panel.detail {
        Some(detail) => row![
            page,
            rule::vertical(1),
            detail_column(detail, lifecycle, panel.now)
        ]
        .into(),
        None => page.into(),
    }
}

/// Builds a button styled as on (primary) or off (secondary), in a
/// container with `id` when one is given.
fn toggle_button<'a>(
    label: String,
    on: bool,
    message: Message,
    id: Option<iced::widget::Id>,
) -> Element<'a, Message> {
    let button = button(text(label).size(12))
        .padding([2, 8])
        .style(if on {
            button::primary
        } else {
            button::secondary
        })
        .on_press(message);
    match id {
        Some(id) => container(button).id(id).into(),
        None => button.into(),
    }
}

fn filter_bar<'a>(panel: &'a TodoPanel, lifecycle: &'a Lifecycle) -> Element<'a, Message> {
    let filters = &panel.filters;
    let mut bar = row![text(labels::filters()).size(13)];
    for (choice, label) in [
        (AssigneeChoice::Everyone, labels::everyone()),
        (AssigneeChoice::Mine, labels::mine()),
        (AssigneeChoice::Unassigned, labels::unassigned()),
    ] {
        bar = bar.push(toggle_button(
            label.to_string(),
            filters.assignee == choice,
            Message::AssigneeFilter(choice),
            None,
        ));
    }
    // Finished statuses are off the to-do list, so only the others filter.
    for status in lifecycle
        .statuses()
        .iter()
        .filter(|status| status.category != Category::Done)
    {
        bar = bar.push(toggle_button(
            crate::labels::ticket_status(lifecycle, &status.id),
            filters.statuses.contains(&status.id),
            Message::StatusFilterToggled(status.id.clone()),
            Some(ids::status_filter(&status.id)),
        ));
    }
    for priority in lifecycle.priorities() {
        bar = bar.push(toggle_button(
            crate::labels::priority(lifecycle, &priority.id),
            filters.priorities.contains(&priority.id),
            Message::PriorityFilterToggled(priority.id.clone()),
            Some(ids::priority_filter(&priority.id)),
        ));
    }
    bar = bar
        .push(toggle_button(
            labels::overdue().to_string(),
            filters.overdue,
            Message::OverdueToggled,
            Some(ids::overdue_filter()),
        ))
        .push(
            text_input(labels::tag_filter_placeholder(), &filters.tag_input)
                .id(ids::tag_filter())
                .on_input(Message::TagFilterEdited)
                .on_submit(Message::TagFilterSubmitted)
                .size(12)
                .padding([2, 6])
                .width(140),
        )
        .push(
            button(text(labels::clear_filters()).size(12))
                .padding([2, 8])
                .style(button::text)
                .on_press(Message::ClearFilters),
        )
        .push(
            container(
                button(text(crate::labels::saved_views::save_as_view()).size(12))
                    .padding([2, 8])
                    .style(button::secondary)
                    .on_press(Message::SaveAsView),
            )
            .id(ids::save_as_view()),
        );
    bar.spacing(6).align_y(Alignment::Center).wrap().into()
}

fn bulk_bar<'a>(panel: &'a TodoPanel, lifecycle: &'a Lifecycle) -> Element<'a, Message> {
    let any = !panel.selected.is_empty();
    let action = |label: String, message: Message, id: Option<iced::widget::Id>| {
        let button = button(text(label).size(12))
            .padding([2, 8])
            .style(button::secondary)
            .on_press_maybe(any.then_some(message));
        match id {
            Some(id) => Element::from(container(button).id(id)),
            None => button.into(),
        }
    };

    let mut bar = row![
        text(labels::selected(panel.selected.len())).size(13),
        button(text(labels::select_visible()).size(12))
            .padding([2, 8])
            .style(button::text)
            .on_press(Message::SelectVisible),
        button(text(labels::select_matching(panel.total)).size(12))
            .padding([2, 8])
            .style(button::text)
            .on_press(Message::SelectAllMatching),
        button(text(labels::clear_selection()).size(12))
            .padding([2, 8])
            .style(button::text)
            .on_press_maybe(any.then_some(Message::ClearSelection)),
        text(labels::set_status()).size(12),
    ];
    for status in lifecycle.statuses() {
        bar = bar.push(action(
            crate::labels::ticket_status(lifecycle, &status.id),
            Message::BulkStatus(status.id.clone()),
            Some(ids::bulk_status(&status.id)),
        ));
    }
    bar = bar.push(text(labels::set_priority()).size(12));
    for priority in lifecycle.priorities() {
        bar = bar.push(action(
            crate::labels::priority(lifecycle, &priority.id),
            Message::BulkPriority(priority.id.clone()),
            Some(ids::bulk_priority(&priority.id)),
        ));
    }
    bar = bar
        .push(
            text_input(labels::agent_placeholder(), &panel.bulk_agent)
                .id(ids::bulk_agent())
                .on_input(Message::BulkAgentEdited)
                .on_submit_maybe(any.then_some(Message::BulkAssign))
                .size(12)
                .padding([2, 6])
                .width(120),
        )
        .push(action(
            labels::assign().to_string(),
            Message::BulkAssign,
            None,
        ))
        .push(action(
            labels::unassign().to_string(),
            Message::BulkUnassign,
            None,
        ))
        .push(
            text_input(labels::tag_placeholder(), &panel.bulk_tag)
                .id(ids::bulk_tag())
                .on_input(Message::BulkTagEdited)
                .on_submit_maybe(any.then_some(Message::BulkTag))
                .size(12)
                .padding([2, 6])
                .width(100),
        )
        .push(action(
            labels::add_tag().to_string(),
            Message::BulkTag,
            None,
        ));
    match &panel.detail {
        Some(detail) => {
            bar = bar.push(action(
                labels::merge_into(detail.row.id),
                Message::BulkMerge,
                None,
            ));
        }
        None => bar = bar.push(text(labels::merge_hint()).size(11).style(text::secondary)),
    }
    bar.spacing(6).align_y(Alignment::Center).wrap().into()
}

fn tasks(panel: &TodoPanel) -> Element<'_, Message> {
    let mut lines = column![text(labels::tasks()).size(13)].spacing(2);
    for task in panel.tasks.iter().take(super::MAX_TASKS_SHOWN) {
        let due = task.due_at.map(|due| labels::due(due, panel.now));
        lines = lines.push(
            text(labels::task(
                &task.title,
                due.as_deref(),
                task.assignee.as_deref(),
            ))
            .size(12),
        );
    }
    if panel.tasks.len() > super::MAX_TASKS_SHOWN {
        let more = panel.tasks.len() - super::MAX_TASKS_SHOWN;
        lines = lines.push(
            text(labels::more_tasks(more))
                .size(11)
                .style(text::secondary),
        );
    }
    container(lines)
        .padding([4, 8])
        .style(style::quiet_line)
        .width(Fill)
        .into()
}

fn header<'a>() -> Element<'a, Message> {
    let titles = [
        (labels::column_id(), Length::Fixed(ID_WIDTH)),
        (labels::column_status(), Length::Fixed(STATUS_WIDTH)),
        (labels::column_priority(), Length::Fixed(PRIORITY_WIDTH)),
        (labels::column_due(), Length::Fixed(DUE_WIDTH)),
        (labels::column_assignee(), Length::Fixed(ASSIGNEE_WIDTH)),
        (labels::column_customer(), Length::Fixed(CUSTOMER_WIDTH)),
        (labels::column_subject(), Length::Fill),
    ];
    let cells = row(titles.into_iter().map(|(title, width)| {
        container(text(title).size(12).wrapping(text::Wrapping::None))
            .width(width)
            .clip(true)
            .into()
    }))
    .spacing(8);
    row![
        Space::new().width(CHECK_WIDTH),
        container(cells).padding([0, 8])
    ]
    .into()
}

/// Builds the list: an empty space for the rows above the built range, the
/// built rows, and an empty space for the rows below, so the content has
/// the height of every row.
fn list<'a>(panel: &'a TodoPanel, lifecycle: &'a Lifecycle) -> Element<'a, Message> {
    let range = panel.built_range();
    let rows = panel.rows_in(&range);
    let first = range.start.max(panel.window_start);
    let total = usize::try_from(panel.total).unwrap_or(usize::MAX);
    let below = total.saturating_sub(first + rows.len());
    let focused = panel.detail.as_ref().map(|detail| detail.row.id);

    let built = rows.iter().enumerate().map(|(index, row)| {
        ticket_row(
            row,
            first + index,
            panel.selected.contains(&row.id),
            focused == Some(row.id),
            lifecycle,
            panel.now,
        )
    });
    let content = column![Space::new().height(first as f32 * ROW_HEIGHT)]
        .extend(built)
        .push(Space::new().height(below as f32 * ROW_HEIGHT))
        .width(Fill);
    scrollable(content)
        .id(ids::list())
        .on_scroll(|viewport| Message::Scrolled {
            offset: viewport.absolute_offset().y,
            height: viewport.bounds().height,
        })
        .height(Fill)
        .into()
}

fn ticket_row<'a>(
    row: &'a TodoRow,
    position: usize,
    selected: bool,
    focused: bool,
    lifecycle: &Lifecycle,
    now: DateTime<Utc>,
) -> Element<'a, Message> {
    let id = row.id;
    let check = container(
        checkbox(selected)
            .on_toggle(move |_| Message::CheckboxToggled(id, position))
            .size(14),
    )
    .id(ids::checkbox(id));

    let subject = row
        .subject
        .as_deref()
        .filter(|subject| !subject.trim().is_empty())
        .unwrap_or(crate::labels::no_subject());
    let due = row
        .due_at
        .map_or_else(|| labels::no_due().to_string(), |due| labels::due(due, now));
    let cells = row![
        cell(format!("#{id}"), ID_WIDTH),
        container(status_marks(row, lifecycle, now))
            .width(STATUS_WIDTH)
            .clip(true),
        cell(
            crate::labels::priority(lifecycle, &row.priority),
            PRIORITY_WIDTH
        ),
        cell(due, DUE_WIDTH),
        cell(
            row.assignee
                .clone()
                .unwrap_or_else(|| labels::nobody().to_string()),
            ASSIGNEE_WIDTH
        ),
        cell(row.customer_label(), CUSTOMER_WIDTH),
        container(text(subject).size(13).wrapping(text::Wrapping::None))
            .width(Fill)
            .clip(true),
    ]
    .spacing(8)
    .align_y(Alignment::Center);
    let body = button(cells)
        .on_press(Message::RowPressed(id))
        .style(style::list_row(focused || selected))
        .padding([2, 8])
        .width(Fill)
        .height(Fill)
        .clip(true);
    container(
        row![container(check).width(CHECK_WIDTH).center_y(Fill), body].align_y(Alignment::Center),
    )
    .id(ids::row(id))
    .height(ROW_HEIGHT)
    .width(Fill)
    .into()
}

fn cell<'a>(value: String, width: f32) -> Element<'a, Message> {
    container(text(value).size(13).wrapping(text::Wrapping::None))
        .width(width)
        .clip(true)
        .into()
}

/// Builds the status badge, coloured by the status's category, then a mark
/// for an overdue deadline, a stopped SLA clock and a merge.
fn status_marks<'a>(
    row: &TodoRow,
    lifecycle: &Lifecycle,
    now: DateTime<Utc>,
) -> Element<'a, Message> {
    let category = lifecycle.status(&row.status).map(|status| status.category);
    let status_style: fn(&Theme) -> container::Style = match category {
        Some(Category::New) => style::unanswered_badge,
        Some(Category::Active) => style::running_badge,
        Some(Category::Waiting) => style::channel_badge,
        Some(Category::Done) | None => style::disabled_badge,
    };
    let mut marks = row![mark(
        crate::labels::ticket_status(lifecycle, &row.status),
        status_style
    )];
    if row.due_at.is_some_and(|due| due < now) {
        marks = marks.push(mark(labels::overdue().to_string(), style::broken_badge));
    }
    if row.sla_paused {
        marks = marks.push(mark(labels::paused().to_string(), style::disabled_badge));
    }
    if row.merged_into.is_some() {
        marks = marks.push(mark(labels::merged().to_string(), style::disabled_badge));
    }
    marks.spacing(4).align_y(Alignment::Center).into()
}

fn mark<'a>(label: String, style: fn(&Theme) -> container::Style) -> Element<'a, Message> {
    container(text(label).size(11).wrapping(text::Wrapping::None))
        .padding([1, 6])
        .style(style)
        .into()
}

fn detail_column<'a>(
    detail: &'a Detail,
    lifecycle: &'a Lifecycle,
    now: DateTime<Utc>,
) -> Element<'a, Message> {
    let row = &detail.row;
    let subject = row
        .subject
        .as_deref()
        .filter(|subject| !subject.trim().is_empty())
        .unwrap_or(crate::labels::no_subject());
    let controls = row![
        button(text(labels::open_conversation()).size(12))
            .padding([2, 8])
            .on_press(Message::OpenConversation(row.conversation_id)),
        button(text(labels::detail_close()).size(12))
            .padding([2, 8])
            .style(button::secondary)
            .on_press(Message::CloseDetail),
    ]
    .spacing(6);
    let due = row
        .due_at
        .map_or_else(|| labels::no_due().to_string(), |due| labels::due(due, now));
    let fields = [
        (labels::column_customer(), row.customer_label()),
        (
            labels::column_status(),
            crate::labels::ticket_status(lifecycle, &row.status),
        ),
        (
            labels::column_priority(),
            crate::labels::priority(lifecycle, &row.priority),
        ),
        (
            crate::labels::ticket_type_header(),
            crate::labels::ticket_type(lifecycle, &row.ticket_type),
        ),
        (
            labels::column_assignee(),
            row.assignee
                .clone()
                .unwrap_or_else(|| labels::nobody().to_string()),
        ),
        (labels::tags(), row.tags.join(", ")),
        (labels::column_due(), due),
    ];
    let mut content = column![
        text(labels::ticket_heading(row.id, subject)).size(16),
        controls,
    ]
    .spacing(4);
    for (name, value) in fields {
        content = content.push(text(labels::field(name, &value)).size(12));
    }

    content = content.push(text(labels::history()).size(14));
    for event in &detail.events {
        content = content.push(text(history_line(event, lifecycle)).size(12));
    }

    let total: u32 = detail.work.iter().map(|entry| entry.minutes).sum();
    content = content.push(text(labels::work_total(total)).size(14));
    if detail.work.is_empty() {
        content = content.push(text(labels::no_work()).size(12).style(text::secondary));
    }
    for entry in &detail.work {
        content = content.push(
            text(labels::work_entry(
                &entry.agent,
                entry.minutes,
                &entry.summary,
            ))
            .size(12),
        );
    }

    content = content.push(text(labels::notes()).size(14));
    let notes: Vec<&TicketEvent> = detail
        .events
        .iter()
        .filter(|event| event.kind == "note")
        .collect();
    if notes.is_empty() {
        content = content.push(text(labels::no_notes()).size(12).style(text::secondary));
    }
    for note in notes {
        let body = note.detail["text"].as_str().unwrap_or_default();
        content = content.push(
            text(labels::note(
                &format::message_time(note.at),
                &note.actor,
                body,
            ))
            .size(12),
        );
    }

    container(scrollable(content.padding(8)).height(Fill))
        .id(ids::detail())
        .width(DETAIL_WIDTH)
        .height(Fill)
        .into()
}

/// Formats one history event: field changes as "from → to", with the
/// lifecycle's labels for types, priorities and statuses, tags and notes
/// by their text, other kinds with their stored detail.
fn history_line(event: &TicketEvent, lifecycle: &Lifecycle) -> String {
    let detail = &event.detail;
    let value = |key: &str| match &detail[key] {
        serde_json::Value::Null => labels::none().to_string(),
        serde_json::Value::String(text) => match event.kind.as_str() {
            "status" => crate::labels::ticket_status(lifecycle, text),
            "priority" => crate::labels::priority(lifecycle, text),
            "type" => crate::labels::ticket_type(lifecycle, text),
            _ => text.clone(),
        },
        other => other.to_string(),
    };
    let kind = labels::history_kind(&event.kind);
    let change = if event.kind == "note" {
        labels::history_note(detail["text"].as_str().unwrap_or_default())
    } else if event.kind == "work" {
        let minutes = detail["minutes"].as_u64().unwrap_or_default();
        labels::history_work(minutes, detail["summary"].as_str().unwrap_or_default())
    } else if event.kind == "tag" && detail.get("added").is_some() {
        labels::history_tag(&value("added"))
    } else if detail.get("from").is_some() && detail.get("to").is_some() {
        labels::history_change(&kind, &value("from"), &value("to"))
    } else if detail.as_object().is_some_and(|object| object.is_empty()) || detail.is_null() {
        kind
    } else {
        format!("{kind} {detail}")
    };
    labels::history_line(
        &format::message_time(event.at),
        &event.actor,
        &change,
        event.reason.as_deref(),
    )
}
