//! The ticket list along the bottom: newest first, one row per ticket.
//!
//! Type, priority and status are shown as stored, because they are
//! configurable identifiers such as `after-sales` or `urgent`.

use iced::widget::{Id, button, column, container, row, scrollable, text};
use iced::{Element, Fill, Length};
use kefu_core::model::Ticket;

use crate::{labels, style};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// The row of the ticket with this id was clicked.
    Selected(i64),
}

/// A ticket with the customer label the list shows.
#[derive(Debug, Clone)]
pub struct TicketRow {
    pub ticket: Ticket,
    /// The customer's name, else their address on the ticket's conversation.
    pub customer: String,
}

/// Pairs each ticket with its customer's label.
pub fn rows(tickets: Vec<Ticket>) -> Vec<TicketRow> {
    tickets
        .into_iter()
        .map(|ticket| {
            let customer = ticket.customer_label();
            TicketRow { ticket, customer }
        })
        .collect()
}

/// Widget id of the container around a ticket's row.
pub fn row_id(ticket_id: i64) -> Id {
    Id::from(format!("ticket-{ticket_id}"))
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
/// highlighted.
pub fn view(rows: &[TicketRow], selected_conversation: Option<i64>) -> Element<'_, Message> {
    let heading = text(labels::TICKETS).size(16);
    if rows.is_empty() {
        return column![
            heading,
            text(labels::NO_TICKETS).size(13).style(text::secondary)
        ]
        .spacing(8)
        .padding(8)
        .into();
    }

    let header = container(cells(
        [
            labels::TICKET_ID.to_string(),
            labels::TICKET_TYPE.to_string(),
            labels::TICKET_PRIORITY.to_string(),
            labels::TICKET_SOURCE.to_string(),
            labels::TICKET_STATUS.to_string(),
            labels::TICKET_CUSTOMER.to_string(),
            labels::TICKET_SUBJECT.to_string(),
        ],
        12,
    ))
    .padding([0, 8]);

    let list = column(rows.iter().map(|row| {
        ticket_row(
            row,
            selected_conversation == Some(row.ticket.conversation_id),
        )
    }))
    .spacing(2);

    column![heading, header, scrollable(list).spacing(4).height(Fill)]
        .spacing(6)
        .padding(8)
        .into()
}

fn ticket_row(row: &TicketRow, selected: bool) -> Element<'_, Message> {
    let ticket = &row.ticket;
    let values = [
        format!("#{}", ticket.id),
        ticket.ticket_type.clone(),
        ticket.priority.clone(),
        labels::channel(ticket.source).to_string(),
        ticket.status.clone(),
        row.customer.clone(),
        ticket
            .subject
            .clone()
            .filter(|subject| !subject.trim().is_empty())
            .unwrap_or_else(|| labels::NO_SUBJECT.to_string()),
    ];
    let row_button = button(cells(values, 13))
        .on_press(Message::Selected(ticket.id))
        .style(style::list_row(selected))
        .padding([4, 8])
        .width(Fill)
        .clip(true);
    container(row_button).id(row_id(ticket.id)).into()
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
