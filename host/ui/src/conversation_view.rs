//! The middle pane: the selected conversation's messages, oldest first.
//!
//! Customer messages sit on the left and the team's replies on the right,
//! as in a chat. Each message shows what the store kept of it: sender,
//! time, subject, the automation marker with its evidence, call details,
//! body, attachments (a press opens one) and the notes written while
//! reading the input. A reply in the outbox shows its delivery state.

use iced::widget::{
    Id, button, center, center_x, column, container, row, rule, scrollable, space, text,
};
use iced::{Alignment, Element, Fill};
use kefu_core::model::{ConversationSummary, Direction, StoredMessage};
use kefu_core::store::{OutboxEntry, OutboxState};

use crate::{format, labels, style};

/// Horizontal offset of a message from the other side of the pane, which
/// sets inbound and outbound messages apart at a glance.
const SIDE_OFFSET: f32 = 48.0;

/// Messages a pane reads and builds when it opens a conversation, the
/// latest ones. Each press of the "earlier messages" button adds as many
/// again, so a conversation of thousands of messages costs a window of
/// them, not all.
pub const MESSAGE_WINDOW: usize = 50;

/// What a press in the message list produces.
pub struct Actions<Message> {
    /// Pressing an attachment: the message id and the attachment's
    /// position in the message's list.
    pub open_attachment: fn(i64, usize) -> Message,
    /// Pressing the button that shows earlier messages.
    pub show_earlier: Message,
}

/// Builds the pane for `conversation`, or a hint when none is selected.
/// `messages` are the latest messages read, oldest first; when the
/// conversation has more, a button above them produces
/// `actions.show_earlier`. `outbox` gives the delivery state of outbound
/// messages, and `messages_id` is the id of the scrollable.
pub fn view<'a, Message: Clone + 'a>(
    conversation: Option<&'a ConversationSummary>,
    messages: &'a [StoredMessage],
    outbox: &'a [OutboxEntry],
    messages_id: Id,
    actions: Actions<Message>,
) -> Element<'a, Message> {
    let open_attachment = actions.open_attachment;
    let Some(conversation) = conversation else {
        return center(text(labels::no_selection()).size(14).style(text::secondary)).into();
    };

    let title = match conversation.title() {
        title if title.trim().is_empty() => labels::no_subject(),
        title => title,
    };
    let details = row![
        style::badge(labels::channel(conversation.channel), style::channel_badge),
        text(conversation.customer_label()).size(13),
        text(labels::message_count(conversation.message_count))
            .size(13)
            .style(text::secondary),
    ]
    .spacing(8)
    .align_y(Alignment::Center);
    let header = column![text(title).size(20), details].spacing(6);

    let body: Element<'a, Message> = if messages.is_empty() {
        text(labels::no_messages())
            .size(14)
            .style(text::secondary)
            .into()
    } else {
        let cards = column(messages.iter().map(|message| {
            let entry = outbox.iter().find(|entry| entry.message_id == message.id);
            message_card(message, entry, open_attachment)
        }))
        .spacing(10);
        let earlier = (conversation.message_count as usize).saturating_sub(messages.len());
        let cards = if earlier > 0 {
            let more = button(text(labels::earlier_messages(earlier, MESSAGE_WINDOW)).size(12))
                .padding([2, 8])
                .style(button::secondary)
                .on_press(actions.show_earlier);
            column![center_x(more), cards].spacing(10)
        } else {
            cards
        };
        scrollable(cards)
            .id(messages_id)
            .spacing(4)
            .height(Fill)
            .into()
    };

    column![header, rule::horizontal(1), body]
        .spacing(10)
        .padding(8)
        .width(Fill)
        .into()
}

fn message_card<'a, Message: Clone + 'a>(
    message: &'a StoredMessage,
    outbox_entry: Option<&'a OutboxEntry>,
    open_attachment: fn(i64, usize) -> Message,
) -> Element<'a, Message> {
    // In a narrow pane the direction and time move below the sender. A
    // sender, link or word wider than the card breaks between glyphs
    // rather than run over the time or out of the card.
    let heading = row![
        text(sender_label(message))
            .size(14)
            .wrapping(text::Wrapping::WordOrGlyph),
        text(labels::direction(message.direction))
            .size(12)
            .style(text::secondary),
        text(format::message_time(message.time())).size(12),
    ]
    .spacing(8)
    .align_y(Alignment::Center)
    .wrap()
    .vertical_spacing(2);
    let mut card = column![heading].spacing(6);

    if let Some(subject) = message
        .subject
        .as_deref()
        .filter(|subject| !subject.trim().is_empty())
    {
        card = card.push(text(subject).size(15).wrapping(text::Wrapping::WordOrGlyph));
    }
    if let Some(automation) = &message.automation {
        let marker = labels::automation_marker(automation.kind, &automation.evidence);
        card = card.push(
            container(text(marker).size(12))
                .padding([2, 6])
                .style(style::warning_line),
        );
    }
    if let Some(call) = &message.call {
        card = card.push(text(labels::call(call)).size(13));
    }
    if !message.body_text.trim().is_empty() {
        card = card.push(
            text(&message.body_text)
                .size(14)
                .wrapping(text::Wrapping::WordOrGlyph),
        );
    }
    if !message.attachments.is_empty() {
        let names = message
            .attachments
            .iter()
            .enumerate()
            .map(|(position, attachment)| {
                button(text(labels::attachment(&attachment.file_name, attachment.size)).size(12))
                    .padding([1, 4])
                    .style(button::text)
                    .on_press(open_attachment(message.id, position))
                    .into()
            });
        let attachments = row![text(labels::attachments()).size(12).style(text::secondary)]
            .extend(names)
            .spacing(8)
            .wrap();
        card = card.push(attachments);
    }
    for note in &message.notes {
        card = card.push(text(labels::note(note)).size(12).style(text::secondary));
    }
    if let Some(entry) = outbox_entry {
        let line_style = match entry.state {
            OutboxState::Failed => style::error_line,
            OutboxState::Queued | OutboxState::Sending | OutboxState::Sent => style::quiet_line,
        };
        card = card.push(
            container(text(labels::outbox_state(entry)).size(12))
                .padding([2, 6])
                .style(line_style),
        );
    }

    let card = container(card).padding(10).width(Fill);
    match message.direction {
        Direction::Inbound => row![
            card.style(style::inbound_message),
            space().width(SIDE_OFFSET)
        ]
        .into(),
        Direction::Outbound => row![
            space().width(SIDE_OFFSET),
            card.style(style::outbound_message)
        ]
        .into(),
    }
}

/// Formats the sender's name and address, or the address alone.
fn sender_label(message: &StoredMessage) -> String {
    match message
        .sender
        .name
        .as_deref()
        .filter(|name| !name.trim().is_empty())
    {
        Some(name) => format!("{name} <{}>", message.sender.address),
        None => message.sender.address.clone(),
    }
}
