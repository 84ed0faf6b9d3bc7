//! The ticket list along the bottom: newest first, one row per ticket.
//!
//! Type, priority and status show the lifecycle's labels for their ids, so
//! a team's own statuses read as the team named them. An id the lifecycle
//! does not list, such as one from an older lifecycle, shows as stored.
//!
//! Rows have a fixed height, so only the rows in view and [`OVERSCAN`]
//! more each side are built as widgets, between two empty spaces that give
//! the list its full height.

use iced::widget::{Id, Space, button, column, container, row, scrollable, text};
use iced::{Element, Fill, Length, Padding};
use kefu_core::lifecycle::Lifecycle;
use kefu_core::model::Ticket;

use crate::list_scroll::{INITIAL_VIEWPORT_HEIGHT, ListScroll};
use crate::{labels, style};

/// Height of one row in logical pixels, including the gap below it. A
/// line of 13-pixel text with its padding takes about 25.
pub const ROW_HEIGHT: f32 = 28.0;

/// Gap between two rows in logical pixels.
const ROW_GAP: f32 = 2.0;

/// Rows built beyond each edge of the view, so that a short scroll shows
/// rows that are ready.
pub const OVERSCAN: usize = 10;

/// Returns the scroll state of a list at its top.
pub fn initial_scroll() -> ListScroll {
    ListScroll::new(ROW_HEIGHT, INITIAL_VIEWPORT_HEIGHT)
}

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The row of the ticket with this id was clicked.
    Selected(i64),
    /// The list scrolled: the offset of its top edge and the height of its
    /// view, in logical pixels.
    Scrolled { offset: f32, height: f32 },
}

/// A ticket with the labels the list shows.
#[derive(Debug, Clone)]
pub struct TicketRow {
    pub ticket: Ticket,
    /// The customer's name, else their address on the ticket's conversation.
    pub customer: String,
    pub ticket_type: String,
    pub priority: String,
    pub status: String,
}

/// Pairs each ticket with its customer's label and the labels `lifecycle`
/// gives its type, priority and status.
pub fn rows(tickets: Vec<Ticket>, lifecycle: &Lifecycle) -> Vec<TicketRow> {
    tickets
        .into_iter()
        .map(|ticket| TicketRow {
            customer: ticket.customer_label(),
            ticket_type: labels::ticket_type(lifecycle, &ticket.ticket_type),
            priority: labels::priority(lifecycle, &ticket.priority),
            status: labels::ticket_status(lifecycle, &ticket.status),
            ticket,
        })
        .collect()
}

/// Widget id of the container around a ticket's row.
pub fn row_id(ticket_id: i64) -> Id {
    Id::from(format!("ticket-{ticket_id}"))
}

/// Widget id of the scrollable list of rows.
pub fn list_id() -> Id {
    Id::new("ticket-list")
}

/// Column widths in logical pixels. The subject column takes the remaining
/// width.
const ID_WIDTH: f32 = 60.0;
const TYPE_WIDTH: f32 = 150.0;
const PRIORITY_WIDTH: f32 = 90.0;
const SOURCE_WIDTH: f32 = 80.0;
const STATUS_WIDTH: f32 = 120.0;
const CUSTOMER_WIDTH: f32 = 180.0;

/// Builds the list. Rows of tickets on `selected_conversation` are
/// highlighted. Only the rows near the view of `scroll` are built.
pub fn view<'a>(
    rows: &'a [TicketRow],
    selected_conversation: Option<i64>,
    scroll: &ListScroll,
) -> Element<'a, Message> {
    let heading = text(labels::tickets()).size(16);
    if rows.is_empty() {
        return column![
            heading,
            text(labels::no_tickets()).size(13).style(text::secondary)
        ]
        .spacing(8)
        .padding(8)
        .into();
    }

    let header = container(cells(
        [
            labels::ticket_id().to_string(),
            labels::ticket_type_header().to_string(),
            labels::ticket_priority().to_string(),
            labels::ticket_source().to_string(),
            labels::ticket_status_header().to_string(),
            labels::ticket_customer().to_string(),
            labels::ticket_subject().to_string(),
        ],
        12,
    ))
    .padding([0, 8]);

    let range = scroll.built_range(rows.len(), OVERSCAN);
    let below = rows.len() - range.end;
    let built = rows[range.clone()].iter().map(|row| {
        ticket_row(
            row,
            selected_conversation == Some(row.ticket.conversation_id),
        )
    });
    let content = column![Space::new().height(range.start as f32 * ROW_HEIGHT)]
        .extend(built)
        .push(Space::new().height(below as f32 * ROW_HEIGHT))
        .width(Fill);
    let list = scrollable(content)
        .id(list_id())
        .on_scroll(|viewport| Message::Scrolled {
            offset: viewport.absolute_offset().y,
            height: viewport.bounds().height,
        })
        .spacing(4)
        .height(Fill);

    column![heading, header, list].spacing(6).padding(8).into()
}

fn ticket_row(row: &TicketRow, selected: bool) -> Element<'_, Message> {
    let ticket = &row.ticket;
    let values = [
        format!("#{}", ticket.id),
        row.ticket_type.clone(),
        row.priority.clone(),
        labels::channel(ticket.source).to_string(),
        row.status.clone(),
        row.customer.clone(),
        ticket
            .subject
            .clone()
            .filter(|subject| !subject.trim().is_empty())
            .unwrap_or_else(|| labels::no_subject().to_string()),
    ];
    let row_button = button(cells(values, 13))
        .on_press(Message::Selected(ticket.id))
        .style(style::list_row(selected))
        .padding([4, 8])
        .width(Fill)
        .height(Fill)
        .clip(true);
    container(row_button)
        .id(row_id(ticket.id))
        .padding(Padding::ZERO.bottom(ROW_GAP))
        .height(ROW_HEIGHT)
        .into()
}

/// Lays out seven cells in the column widths, each clipped to its width.
fn cells<'a>(values: [String; 7], size: u32) -> iced::widget::Row<'a, Message> {
    let widths = [
        Length::Fixed(ID_WIDTH),
        Length::Fixed(TYPE_WIDTH),
        Length::Fixed(PRIORITY_WIDTH),
        Length::Fixed(SOURCE_WIDTH),
        Length::Fixed(STATUS_WIDTH),
        Length::Fixed(CUSTOMER_WIDTH),
        Length::Fill,
    ];
    row(values.into_iter().zip(widths).map(|(value, width)| {
        let cell = text(value).size(size as f32).wrapping(text::Wrapping::None);
        container(cell).width(width).clip(true).into()
    }))
    .spacing(8)
}
