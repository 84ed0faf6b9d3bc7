//! A pane's reply composer, and what its send button does on each channel.
//!
//! An email or chat reply is stored and queued in the outbox in one
//! transaction, like `kefu reply --queue-only`. A delivery task started
//! after the send, or else the scheduler, delivers the entry, and the
//! conversation shows the entry's state. A phone conversation has no reply channel, so its composer saves
//! a call note in the ticket's history. The draft is emptied only after the
//! commit, so a failure keeps the text.
//!
//! A draft that still contains a placeholder without a value, such as the
//! `[customer.name?]` a phrase left, is not sent: the editor highlights
//! the placeholder and the send fails with a message that names it.

mod highlighter;

use chrono::{DateTime, Utc};
use iced::widget::{button, column, container, row, text, text_editor};
use iced::{Alignment, Element, Fill};
use kefu_core::Store;
use kefu_core::model::{Channel, ConversationSummary};
use kefu_core::outbound::{ReplyRequest, queue_reply};
use kefu_core::phrases::unfilled;

use crate::labels::{self, Label};
use crate::panes::{Message, PaneId, ids};
use crate::{shortcuts, style};
use highlighter::UnfilledHighlighter;

/// Author recorded for replies and notes written in the app.
// NOTE: the app has no agent sign-in yet, so every reply and note is
// recorded as the plain `agent` actor, as `kefu reply` does without
// `--agent`.
pub const ACTOR: &str = "agent";

/// Height of the draft editor in logical pixels.
const EDITOR_HEIGHT: f32 = 96.0;

/// Record of a stored send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// A reply stored as an outbound message and queued in the outbox.
    Queued { outbox_id: i64, ticket_id: i64 },
    /// A call note added to the ticket's history.
    Noted { ticket_id: i64 },
}

/// Stores `text` on the ticket of `conversation`: a reply queued in the
/// outbox for email and chat, a call note for phone. Stores nothing when
/// it fails: the text is blank or too long, contains a placeholder
/// without a value, the conversation has no ticket, a mail reply has no
/// team address, or a chat conversation has no platform conversation id.
pub fn send(
    store: &mut Store,
    conversation: &ConversationSummary,
    text: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Sent> {
    if text.trim().is_empty() {
        anyhow::bail!("{}", labels::draft_empty());
    }
    let placeholders = unfilled_placeholders(text);
    if !placeholders.is_empty() {
        anyhow::bail!("{}", labels::draft_has_placeholders(&placeholders));
    }
    let writer = store.writer()?;
    let conversation_id = conversation.id;
    let ticket_id = writer.open_ticket_of(conversation_id)?.ok_or_else(|| {
        anyhow::anyhow!("{}", labels::conversation_has_no_ticket(conversation_id))
    })?;
    let sent = match conversation.channel {
        Channel::Email | Channel::Chat => {
            let request = ReplyRequest {
                ticket_id,
                text,
                actor: ACTOR,
                automatic: false,
            };
            let queued = queue_reply(&writer, &request, now)?;
            Sent::Queued {
                outbox_id: queued.outbox_id,
                ticket_id,
            }
        }
        Channel::Phone => {
            writer.add_note(ticket_id, text.trim_end(), ACTOR, now)?;
            tracing::info!(
                ticket = ticket_id,
                conversation = conversation_id,
                "call note saved"
            );
            Sent::Noted { ticket_id }
        }
    };
    writer.commit()?;
    Ok(sent)
}

/// Builds the composer of the pane `pane` (widget key `key`) for
/// `conversation`: the draft editor, the send button and the last
/// outcome.
pub fn view<'a>(
    pane: PaneId,
    key: u64,
    conversation: &'a ConversationSummary,
    draft: &'a text_editor::Content,
    outcome: Option<&'a Outcome>,
) -> Element<'a, Message> {
    let conversation_id = conversation.id;
    let editor = text_editor(draft)
        .id(ids::draft_editor(key))
        .placeholder(labels::draft_placeholder(conversation.channel))
        .on_action(move |action| Message::DraftEdited(conversation_id, action))
        .key_binding(|key_press| {
            // The workbench's shortcuts, such as Ctrl+Enter to send, pass
            // through to its keyboard subscription instead of editing.
            if shortcuts::is_workbench_shortcut(&key_press.key, key_press.modifiers) {
                return None;
            }
            text_editor::Binding::from_key_press(key_press)
        })
        .height(EDITOR_HEIGHT)
        .size(14)
        .highlight_with::<UnfilledHighlighter>((), highlighter::format);
    let draft_text = draft.text();
    let ready = !draft_text.trim().is_empty();
    let send = container(
        button(text(labels::send_button(conversation.channel)).size(14))
            .on_press_maybe(ready.then_some(Message::SendPressed(pane))),
    )
    .id(ids::send_button(key));
    let phrases = container(
        button(
            text(labels::with_keys(
                labels::phrases_button(),
                shortcuts::Action::OpenPhrases,
                shortcuts::Scope::Workbench,
            ))
            .size(14),
        )
        .on_press(Message::PhrasesPressed(pane))
        .style(button::secondary),
    )
    .id(ids::phrases_button(key));

    let buttons = column![phrases, send].spacing(4);
    let mut composer = column![row![editor, buttons].spacing(8).align_y(Alignment::End)]
        .spacing(4)
        .padding(8)
        .width(Fill);
    let placeholders = unfilled_placeholders(&draft_text);
    if !placeholders.is_empty() {
        composer = composer.push(
            container(text(labels::unfilled_placeholders(&placeholders)).size(12))
                .padding([4, 8])
                .width(Fill)
                .style(style::warning_line),
        );
    }
    if let Some(outcome) = outcome {
        let (line, line_style): (String, fn(&iced::Theme) -> container::Style) = match outcome {
            Outcome::Stored(notice) => (notice.text(), style::notice_line),
            Outcome::Failed(error) => (error.text(), style::error_line),
        };
        composer = composer.push(
            container(text(line).size(12))
                .padding([4, 8])
                .width(Fill)
                .style(line_style),
        );
    }
    composer.into()
}

/// Returns the placeholders without a value in `text`, each once, as
/// written there, such as `[customer.name?]`.
pub fn unfilled_placeholders(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for placeholder in unfilled(text) {
        let written = text[placeholder.range].to_string();
        if !found.contains(&written) {
            found.push(written);
        }
    }
    found
}

/// Result of a pane's last send, shown under its composer.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Description of what was stored, such as the reply's outbox entry.
    Stored(Label),
    /// Reason nothing was stored. The draft is kept.
    Failed(Label),
}
