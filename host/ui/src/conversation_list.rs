//! The left column: one row per conversation, latest activity first.

use chrono::{DateTime, Local};
use iced::widget::{Id, button, column, container, row, scrollable, text};
use iced::{Alignment, Element, Fill};
use kefu_core::model::ConversationSummary;

use crate::{format, labels, style};

/// Width of the column in logical pixels.
const WIDTH: f32 = 340.0;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// The row of the conversation with this id was clicked.
    Selected(i64),
}

/// Widget id of the container around a conversation's row.
pub fn row_id(conversation_id: i64) -> Id {
    Id::from(format!("conversation-{conversation_id}"))
}

/// Builds the column. `now` decides how much of each time is shown.
pub fn view<'a>(
    conversations: &'a [ConversationSummary],
    selected: Option<i64>,
    now: &DateTime<Local>,
) -> Element<'a, Message> {
    let rows = conversations
        .iter()
        .map(|conversation| conversation_row(conversation, selected == Some(conversation.id), now));
    let list = scrollable(column(rows).spacing(2)).spacing(4).height(Fill);

    column![text(labels::CONVERSATIONS).size(16), list]
        .spacing(8)
        .padding(8)
        .width(WIDTH)
        .into()
}

/// Builds one row: customer and time on top, then channel, subject and
/// the unanswered mark.
fn conversation_row<'a>(
    conversation: &'a ConversationSummary,
    selected: bool,
    now: &DateTime<Local>,
) -> Element<'a, Message> {
    let title = match conversation.title() {
        title if title.trim().is_empty() => labels::NO_SUBJECT,
        title => title,
    };

    let top = row![
        clipped(
            text(conversation.customer_label())
                .size(15)
                .wrapping(text::Wrapping::None)
        ),
        text(format::list_time(conversation.last_message_at, now)).size(12),
    ]
    .spacing(8)
    .align_y(Alignment::Center);

    let mut bottom = row![
        style::badge(labels::channel(conversation.channel), style::channel_badge),
        clipped(text(title).size(13).wrapping(text::Wrapping::None)),
    ]
    .spacing(6)
    .align_y(Alignment::Center);
    if conversation.unanswered {
        bottom = bottom.push(style::badge(labels::UNANSWERED, style::unanswered_badge));
    }

    let content = column![top, bottom].spacing(4);
    let row_button = button(content)
        .on_press(Message::Selected(conversation.id))
        .style(style::list_row(selected))
        .padding(8)
        .width(Fill)
        .clip(true);
    container(row_button).id(row_id(conversation.id)).into()
}

/// Gives a one-line text the rest of its row and cuts it at that width, so
/// a long name or subject does not run under the time or the badges beside
/// it.
fn clipped<'a>(line: text::Text<'a>) -> Element<'a, Message> {
    container(line).width(Fill).clip(true).into()
}
