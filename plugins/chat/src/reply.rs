//! Formats an agent's reply for the chat platform its conversation came
//! from: the body of a Chatwoot "create message" request for a Chatwoot
//! conversation, else one chat event in the Kefu chat JSON Lines format,
//! with direction `out`. Both shapes are described in the crate's
//! README.md, under "Replies".

use chrono::{DateTime, SecondsFormat};
use kefu_plugin_sdk::adapter::exports::kefu::plugin::adapter::{Formatted, Reply};
use serde::Serialize;

/// MIME type of a formatted reply.
pub const CONTENT_TYPE: &str = "application/json";

/// Transport header naming the platform the reply is for: [`GENERIC`] or
/// [`CHATWOOT`]. The host picks the endpoint from it.
pub const PLATFORM_HEADER: &str = "kefu-chat-platform";

/// Transport header with the platform's own conversation id, which a
/// Chatwoot request names in its URL path.
pub const CONVERSATION_HEADER: &str = "kefu-chat-conversation";

/// Platform value of a reply sent as a Kefu chat event to the configured URL.
pub const GENERIC: &str = "generic";

/// Platform value of a reply to a Chatwoot conversation.
pub const CHATWOOT: &str = "chatwoot";

/// Thread-key prefix of Chatwoot conversations, as the parser writes it.
const CHATWOOT_PREFIX: &str = "chatwoot:";

/// Body of Chatwoot's request that creates a message in a conversation,
/// `POST /api/v1/accounts/{account}/conversations/{id}/messages`.
#[derive(Serialize)]
struct ChatwootMessage<'a> {
    content: &'a str,
    message_type: &'static str,
    private: bool,
}

#[derive(Serialize)]
struct ReplyEvent<'a> {
    conversation: &'a str,
    customer: Customer<'a>,
    direction: &'static str,
    text: &'a str,
    at: String,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    agent: Option<&'a str>,
    replies_to: &'a [String],
}

#[derive(Serialize)]
struct Customer<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
}

/// Formats a reply for its conversation's platform. Fails when the reply
/// has no conversation to go to or its send time is out of range.
pub fn format_reply(reply: &Reply) -> Result<Formatted, String> {
    let conversation = reply
        .thread_key
        .as_deref()
        .filter(|key| !key.trim().is_empty())
        .ok_or(
            "The reply has no chat conversation id (thread key), so it cannot be sent to a \
             conversation; reply in a conversation that came from a chat input.",
        )?;
    if reply.recipient.address.trim().is_empty() {
        return Err(
            "The reply has no recipient: the customer's chat user id is empty.".to_string(),
        );
    }
    let at = DateTime::from_timestamp(reply.sent_at, 0)
        .ok_or_else(|| {
            format!(
                "The reply's send time {} is out of range for a date.",
                reply.sent_at
            )
        })?
        .to_rfc3339_opts(SecondsFormat::Secs, true);
    if let Some(conversation_id) = conversation.strip_prefix(CHATWOOT_PREFIX) {
        return format_chatwoot(reply, conversation_id);
    }
    let agent = [
        reply.sender.name.as_deref(),
        Some(reply.sender.address.as_str()),
    ]
    .into_iter()
    .flatten()
    .find(|agent| !agent.trim().is_empty());
    let event = ReplyEvent {
        conversation,
        customer: Customer {
            id: &reply.recipient.address,
            name: reply.recipient.name.as_deref(),
        },
        direction: "out",
        text: &reply.body_text,
        at,
        id: &reply.external_id,
        agent,
        replies_to: &reply.replies_to,
    };
    let body = serde_json::to_vec(&event)
        .map_err(|error| format!("The reply cannot be written as JSON: {error}."))?;
    Ok(Formatted {
        subject: None,
        headers: vec![(PLATFORM_HEADER.to_string(), GENERIC.to_string())],
        content_type: CONTENT_TYPE.to_string(),
        body,
    })
}

/// Formats a reply to a Chatwoot conversation as an outgoing, public
/// Chatwoot message.
///
/// The id is the webhook payload's `conversation.id`. Chatwoot fills it with
/// the conversation's per-account `display_id`, not its database id
/// (`Conversations::EventDataPresenter#push_data`), and the message API
/// finds the conversation in its path by `display_id` as well
/// (`Api::V1::Accounts::Conversations::BaseController`), both in
/// chatwoot/chatwoot at f771df85. NOTE: not yet tried against a running
/// Chatwoot.
fn format_chatwoot(reply: &Reply, conversation_id: &str) -> Result<Formatted, String> {
    if conversation_id.is_empty() || !conversation_id.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(format!(
            "The Chatwoot conversation id {conversation_id:?} is not a number, so the reply \
             cannot name the conversation in Chatwoot's API."
        ));
    }
    let message = ChatwootMessage {
        content: &reply.body_text,
        message_type: "outgoing",
        private: false,
    };
    let body = serde_json::to_vec(&message)
        .map_err(|error| format!("The reply cannot be written as JSON: {error}."))?;
    Ok(Formatted {
        subject: None,
        headers: vec![
            (PLATFORM_HEADER.to_string(), CHATWOOT.to_string()),
            (CONVERSATION_HEADER.to_string(), conversation_id.to_string()),
        ],
        content_type: CONTENT_TYPE.to_string(),
        body,
    })
}
