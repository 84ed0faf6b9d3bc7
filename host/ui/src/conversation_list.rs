//! The left column: the views with their counts, a search field and one
//! row per conversation of the selected view, latest activity first.
//!
//! Rows have a fixed height, so only the rows in view and [`OVERSCAN`]
//! more each side are built as widgets. Empty spaces above and below them
//! give the list its full height. A desk of tens of thousands of
//! conversations would otherwise lay out the text of every row.

use chrono::{DateTime, Local};
use iced::widget::{Id, Space, button, column, container, row, scrollable, text, text_input};
use iced::{Alignment, Element, Fill, Padding};
use kefu_core::model::ConversationSummary;

use crate::list_scroll::{INITIAL_VIEWPORT_HEIGHT, ListScroll};
use crate::shortcuts::{Action, Scope};
use crate::views::{View, ViewRead};
use crate::{format, labels, style};

/// Width of the column in logical pixels.
const WIDTH: f32 = 340.0;

/// Height of one row in logical pixels, including the gap below it. The
/// two lines of a row with its padding take about 56.5.
pub const ROW_HEIGHT: f32 = 60.0;

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
    /// The row of the conversation with this id was clicked.
    Selected(i64),
    /// The search field changed.
    SearchChanged(String),
    /// A view's button was pressed.
    ViewSelected(View),
    /// The Edit button beside the saved view of this name was pressed.
    EditView(String),
    /// The list scrolled: the offset of its top edge and the height of its
    /// view, in logical pixels.
    Scrolled { offset: f32, height: f32 },
}

/// Widget id of the search field.
pub fn search_id() -> Id {
    Id::new("conversation-search")
}

/// Widget id of the container around a view's button, by the view's
/// position in the row of views.
pub fn view_id(position: usize) -> Id {
    Id::from(format!("conversation-view-{position}"))
}

/// Widget id of the container around the Edit button of the saved view
/// `name`.
pub fn edit_view_id(name: &str) -> Id {
    Id::from(format!("conversation-view-edit-{name}"))
}

/// Widget id of the container around a conversation's row.
pub fn row_id(conversation_id: i64) -> Id {
    Id::from(format!("conversation-{conversation_id}"))
}

/// Widget id of the scrollable list of rows.
pub fn list_id() -> Id {
    Id::new("conversation-list")
}

/// Returns the conversations the list shows: those of the view whose
/// members are `views.members` that match `search`, in list order.
pub fn listed<'a>(
    conversations: &'a [ConversationSummary],
    search: &str,
    views: &ViewRead,
) -> Vec<&'a ConversationSummary> {
    conversations
        .iter()
        .filter(|conversation| {
            views
                .members
                .as_ref()
                .is_none_or(|members| members.contains(&conversation.id))
        })
        .filter(|conversation| matches_search(conversation, search))
        .collect()
}

/// Builds the column with the views and the conversations of
/// `current_view` that match `search`. `now` decides how much of each time
/// is shown. Only the rows near the view of `scroll` are built.
pub fn view<'a>(
    conversations: &'a [ConversationSummary],
    selected: Option<i64>,
    now: &DateTime<Local>,
    search: &'a str,
    views: &'a ViewRead,
    current_view: &View,
    scroll: &ListScroll,
) -> Element<'a, Message> {
    let buttons = views.counts.iter().enumerate().map(|(position, count)| {
        let chosen = count.view == *current_view;
        let select = container(
            button(text(labels::view(&count.view, count.count)).size(12))
                .padding([3, 8])
                .style(if chosen {
                    button::primary
                } else {
                    button::secondary
                })
                .on_press(Message::ViewSelected(count.view.clone())),
        )
        .id(view_id(position));
        let View::Saved(name) = &count.view else {
            return select.into();
        };
        let edit = container(
            button(text(labels::saved_views::edit_button()).size(11))
                .padding([3, 6])
                .style(button::text)
                .on_press(Message::EditView(name.clone())),
        )
        .id(edit_view_id(name));
        row![select, edit].align_y(Alignment::Center).into()
    });
    let view_row = row(buttons).spacing(4).wrap().vertical_spacing(4);
    let field = text_input(
        &labels::with_keys(
            labels::conversation_search_hint(),
            Action::FocusSearch,
            Scope::Workbench,
        ),
        search,
    )
    .id(search_id())
    .on_input(Message::SearchChanged)
    .padding(6)
    .size(13);
    let listed = listed(conversations, search, views);
    let list: Element<'a, Message> = if listed.is_empty() {
        text(labels::no_conversations_found()).size(13).into()
    } else {
        rows(&listed, selected, now, scroll)
    };

    let mut content = column![text(labels::conversations()).size(16), view_row, field];
    if views.truncated {
        content = content.push(text(labels::view_truncated(kefu_core::todo::MAX_LIMIT)).size(12));
    }
    content.push(list).spacing(8).padding(8).width(WIDTH).into()
}

/// Builds the scrollable list: an empty space for the rows above the built
/// range, the built rows, and an empty space for the rows below.
fn rows<'a>(
    listed: &[&'a ConversationSummary],
    selected: Option<i64>,
    now: &DateTime<Local>,
    scroll: &ListScroll,
) -> Element<'a, Message> {
    let range = scroll.built_range(listed.len(), OVERSCAN);
    let below = listed.len() - range.end;
    let built = listed[range.clone()]
        .iter()
        .map(|conversation| conversation_row(conversation, selected == Some(conversation.id), now));
    let content = column![Space::new().height(range.start as f32 * ROW_HEIGHT)]
        .extend(built)
        .push(Space::new().height(below as f32 * ROW_HEIGHT))
        .width(Fill);
    scrollable(content)
        .id(list_id())
        .on_scroll(|viewport| Message::Scrolled {
            offset: viewport.absolute_offset().y,
            height: viewport.bounds().height,
        })
        .spacing(4)
        .height(Fill)
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
        title if title.trim().is_empty() => labels::no_subject(),
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
        bottom = bottom.push(style::badge(labels::unanswered(), style::unanswered_badge));
    }

    let content = column![top, bottom].spacing(4);
    let row_button = button(content)
        .on_press(Message::Selected(conversation.id))
        .style(style::list_row(selected))
        .padding(8)
        .width(Fill)
        .height(Fill)
        .clip(true);
    container(row_button)
        .id(row_id(conversation.id))
        .padding(Padding::ZERO.bottom(ROW_GAP))
        .height(ROW_HEIGHT)
        .into()
}

/// Gives a one-line text the rest of its row and cuts it at that width, so
/// a long name or subject does not run under the time or the badges beside
/// it.
fn clipped<'a>(line: text::Text<'a>) -> Element<'a, Message> {
    container(line).width(Fill).clip(true).into()
}

/// True when every space-separated term of `search` occurs in the
/// conversation's customer name or address, subject or latest message,
/// ignoring case. An empty search matches every conversation.
pub fn matches_search(conversation: &ConversationSummary, search: &str) -> bool {
    let fields: Vec<String> = [
        conversation.customer_name.as_deref(),
        conversation.customer_address.as_deref(),
        conversation.subject.as_deref(),
        Some(conversation.preview.as_str()),
    ]
    .into_iter()
    .flatten()
    .map(str::to_lowercase)
    .collect();
    search
        .to_lowercase()
        .split_whitespace()
        .all(|term| fields.iter().any(|field| field.contains(term)))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use kefu_core::model::Channel;

    use super::*;

    fn conversation() -> ConversationSummary {
        ConversationSummary {
            id: 1,
            channel: Channel::Email,
            customer_id: 7,
            customer_name: Some("张伟".to_string()),
            customer_address: Some("Zhang.Wei@example.cn".to_string()),
            subject: Some("退款申请：订单 12345".to_string()),
            preview: "Please hurry".to_string(),
            message_count: 3,
            last_message_at: Utc::now(),
            unanswered: true,
            ticket_id: Some(4),
        }
    }

    #[test]
    fn search_matches_name_address_subject_and_preview() {
        let conversation = conversation();
        for search in [
            "张伟",
            "zhang.wei",
            "退款",
            "12345",
            "HURRY",
            "",
            "退款 hurry",
        ] {
            assert!(matches_search(&conversation, search), "{search:?}");
        }
    }

    #[test]
    fn search_needs_every_term() {
        let conversation = conversation();
        for search in ["李娜", "退款 shipping", "67890"] {
            assert!(!matches_search(&conversation, search), "{search:?}");
        }
    }
}
