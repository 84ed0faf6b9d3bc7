//! Formats an agent's reply as one chat event in the Kefu chat JSON Lines
//! format, with direction `out`. The shape is described in the crate's
//! README.md, under "Replies".

use chrono::{DateTime, SecondsFormat};
use kefu_plugin_sdk::adapter::exports::kefu::plugin::adapter::{Formatted, Reply};
use serde::Serialize;

/// MIME type of a formatted reply.
pub const CONTENT_TYPE: &str = "application/json";

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

/// Formats a reply as a chat event. Fails when the reply has no
/// conversation to go to or its send time is out of range.
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
        headers: Vec::new(),
        content_type: CONTENT_TYPE.to_string(),
        body,
    })
}
