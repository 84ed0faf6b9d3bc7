//! Chatwoot webhook payloads.
//!
//! Chatwoot posts one JSON object per event and names the event in its
//! `event` field. Only `message_created` carries a new message; the other
//! events (`conversation_status_changed`, `conversation_created`, …) give
//! an empty message list, which is not an error.
//!
//! Field meanings are from Chatwoot's webhook documentation
//! (chatwoot/docs, `docs/product/others/webhook-events.md`).
//!
//! Every Chatwoot id the adapter passes on (thread key, external id, party
//! address) starts with `chatwoot:`, so it differs from every Twitter id and
//! from every chat JSON Lines id that does not itself start with `chatwoot:`.
//!
//! The contact's `email` and `phone_number` are reported as identities of
//! the message's customer. Chatwoot (chatwoot/chatwoot at f771df85,
//! `app/models/contact.rb`) puts them in the contact record of `sender`
//! (an incoming message's contact) and of `conversation.meta.sender`, and
//! stores the email lower-cased and the phone number in E.164.

use kefu_plugin_sdk::adapter::exports::kefu::plugin::adapter::{ParseError, Parsed};
use kefu_plugin_sdk::adapter::kefu::plugin::types::{
    Attachment, Channel, Direction, Message, Party,
};
use kefu_plugin_sdk::identities::Identity;
use serde_json::{Map, Value};

use crate::{ReadInput, json};

/// Prefix of every id taken from a Chatwoot payload.
const ID_PREFIX: &str = "chatwoot:";

/// Returns a Chatwoot id with the `chatwoot:` prefix.
fn prefixed(id: &str) -> String {
    format!("{ID_PREFIX}{id}")
}

/// Returns whether text, possibly cut off, looks like a Chatwoot webhook payload.
pub fn looks_like_webhook(text: &str) -> bool {
    text.contains("\"event\"")
        && [
            "\"message_created\"",
            "\"message_updated\"",
            "\"conversation_",
            "\"contact_",
            "\"webwidget_triggered\"",
        ]
        .iter()
        .any(|marker| text.contains(marker))
}

/// Parses a webhook payload.
pub fn parse(payload: &Map<String, Value>) -> Result<ReadInput, ParseError> {
    let event = match payload.get("event") {
        Some(Value::String(event)) => event.as_str(),
        Some(other) => {
            return Err(malformed(format!(
                "\"event\" must be a string, not {}",
                json::kind(other)
            )));
        }
        None => return Err(malformed("\"event\" is missing".to_string())),
    };
    let mut read = ReadInput::new(Parsed {
        messages: Vec::new(),
        rejected: Vec::new(),
    });
    if event == "message_created"
        && let Some((message, identities)) = message_created(payload).map_err(malformed)?
    {
        read.add_identities(&message.customer.address, identities);
        read.parsed.messages.push(message);
    }
    Ok(read)
}

fn malformed(reason: String) -> ParseError {
    ParseError::Malformed(format!(
        "The Chatwoot webhook payload is invalid: {reason}."
    ))
}

/// Kind of a Chatwoot message: the string form of the top-level payload or
/// the number form of nested messages (0 incoming, 1 outgoing, 2 activity,
/// 3 template).
enum MessageType {
    Incoming,
    Outgoing,
    /// A system line such as "Conversation was resolved by John".
    Activity,
    /// A bot or canned message sent to the customer by Chatwoot.
    Template,
}

fn message_type(payload: &Map<String, Value>) -> Result<MessageType, String> {
    match payload.get("message_type") {
        Some(Value::String(kind)) => match kind.as_str() {
            "incoming" => Ok(MessageType::Incoming),
            "outgoing" => Ok(MessageType::Outgoing),
            "activity" => Ok(MessageType::Activity),
            "template" => Ok(MessageType::Template),
            other => Err(format!("\"message_type\" {other:?} is unknown")),
        },
        Some(Value::Number(number)) => match number.as_u64() {
            Some(0) => Ok(MessageType::Incoming),
            Some(1) => Ok(MessageType::Outgoing),
            Some(2) => Ok(MessageType::Activity),
            Some(3) => Ok(MessageType::Template),
            _ => Err(format!("\"message_type\" {number} is unknown")),
        },
        Some(other) => Err(format!(
            "\"message_type\" must be a string, not {}",
            json::kind(other)
        )),
        None => Err("\"message_type\" is missing".to_string()),
    }
}

/// Returns the message of a `message_created` payload with the identities
/// its customer's contact records list, or `None` for an activity line or
/// a private note, which are not messages to or from the customer.
fn message_created(
    payload: &Map<String, Value>,
) -> Result<Option<(Message, Vec<Identity>)>, String> {
    let direction = match message_type(payload)? {
        MessageType::Incoming => Direction::Inbound,
        MessageType::Outgoing | MessageType::Template => Direction::Outbound,
        MessageType::Activity => return Ok(None),
    };
    if payload.get("private") == Some(&Value::Bool(true)) {
        // NOTE: the adapter API has no place for an agent's internal note,
        // so a private note is left out.
        return Ok(None);
    }
    let conversation =
        json::optional_object(payload, "conversation")?.ok_or("\"conversation\" is missing")?;
    let conversation_id = match json::id(conversation, "id")? {
        Some(id) => id,
        None => json::id(conversation, "display_id")?
            .ok_or("\"conversation\" has no \"id\" or \"display_id\"")?,
    };
    let sender = match json::optional_object(payload, "sender")? {
        Some(sender) => party(sender).map_err(|reason| format!("in \"sender\": {reason}"))?,
        None => Party {
            name: None,
            address: String::new(),
        },
    };
    let customer = match direction {
        Direction::Inbound if !sender.address.is_empty() => sender.clone(),
        Direction::Inbound => {
            return Err("\"sender\" is missing for an incoming message".to_string());
        }
        Direction::Outbound => conversation_contact(conversation)?,
    };
    let sent_at = match payload.get("created_at") {
        Some(value) => Some(json::time(value, "created_at")?),
        None => None,
    };
    let mut notes = Vec::new();
    if sent_at.is_none() {
        notes.push("The payload has no created_at, so the send time is unknown.".to_string());
    }
    let identities = contact_identities(payload, conversation, &direction, &customer, &mut notes);
    let message = Message {
        channel: Channel::Chat,
        direction,
        sender,
        customer,
        sent_at,
        subject: None,
        body_text: json::optional_string(payload, "content")?.unwrap_or_default(),
        external_id: json::id(payload, "id")?.as_deref().map(prefixed),
        thread_key: Some(prefixed(&conversation_id)),
        replies_to: Vec::new(),
        automation: None,
        call: None,
        attachments: attachments(payload),
        raw_span: None,
        notes,
    };
    Ok(Some((message, identities)))
}

/// Returns the email address and phone number that the customer's own
/// contact records list: the `sender` of an incoming message, and
/// `conversation.meta.sender` when its id is the customer's. A record of an
/// agent or bot (`type` `user` or `agent_bot`) is never read, and neither
/// is a record of another contact. A field of the wrong type is skipped
/// with a note.
fn contact_identities(
    payload: &Map<String, Value>,
    conversation: &Map<String, Value>,
    direction: &Direction,
    customer: &Party,
    notes: &mut Vec<String>,
) -> Vec<Identity> {
    let mut records: Vec<(&str, &Map<String, Value>)> = Vec::new();
    if matches!(direction, Direction::Inbound)
        && let Some(Value::Object(sender)) = payload.get("sender")
    {
        records.push(("sender", sender));
    }
    if let Some(Value::Object(meta)) = conversation.get("meta")
        && let Some(Value::Object(sender)) = meta.get("sender")
    {
        records.push(("conversation.meta.sender", sender));
    }

    let mut identities = Vec::new();
    for (path, record) in records {
        let is_agent = matches!(
            record.get("type").and_then(Value::as_str),
            Some("user" | "agent_bot")
        );
        let id = json::id(record, "id")
            .ok()
            .flatten()
            .map(|id| prefixed(&id));
        if is_agent || id.as_deref() != Some(customer.address.as_str()) {
            continue;
        }
        for (key, identity) in [
            ("email", Identity::Email as fn(String) -> Identity),
            ("phone_number", Identity::Phone),
        ] {
            match json::optional_string(record, key) {
                Ok(Some(value)) if !value.trim().is_empty() => {
                    let identity = identity(value.trim().to_string());
                    if !identities.contains(&identity) {
                        identities.push(identity);
                    }
                }
                Ok(_) => {}
                Err(reason) => notes.push(format!(
                    "In \"{path}\": {reason}, so the contact's {key} was not read."
                )),
            }
        }
    }
    identities
}

/// Reads a Chatwoot contact or agent: its prefixed id is the address, or
/// the address is empty when the object has no id.
fn party(object: &Map<String, Value>) -> Result<Party, String> {
    Ok(Party {
        name: json::optional_string(object, "name")?.filter(|name| !name.trim().is_empty()),
        address: json::id(object, "id")?
            .as_deref()
            .map(prefixed)
            .unwrap_or_default(),
    })
}

/// Returns the conversation's contact: `meta.sender`, else the contact id of
/// `contact_inbox`.
fn conversation_contact(conversation: &Map<String, Value>) -> Result<Party, String> {
    let meta_sender = json::optional_object(conversation, "meta")?
        .map(|meta| json::optional_object(meta, "sender"))
        .transpose()?
        .flatten();
    if let Some(sender) = meta_sender {
        let contact =
            party(sender).map_err(|reason| format!("in \"conversation.meta.sender\": {reason}"))?;
        if !contact.address.is_empty() {
            return Ok(contact);
        }
    }
    let contact_id = json::optional_object(conversation, "contact_inbox")?
        .map(|inbox| json::id(inbox, "contact_id"))
        .transpose()?
        .flatten();
    match contact_id {
        Some(contact_id) => Ok(Party {
            name: None,
            address: prefixed(&contact_id),
        }),
        None => Err(
            "the outgoing message's conversation names no contact (no \"meta.sender\" and no \
             \"contact_inbox.contact_id\")"
                .to_string(),
        ),
    }
}

/// Lists the message's attachments. Chatwoot gives a kind (`image`, `file`,
/// …) rather than a MIME type, and a size only in newer versions, so the
/// type falls back to `application/octet-stream` and the size to 0.
fn attachments(payload: &Map<String, Value>) -> Vec<Attachment> {
    let Some(Value::Array(items)) = payload.get("attachments") else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(Value::as_object)
        .map(|item| {
            let url = item.get("data_url").and_then(Value::as_str).unwrap_or("");
            let file_name = url
                .split(['?', '#'])
                .next()
                .and_then(|path| path.rsplit('/').next())
                .unwrap_or("")
                .to_string();
            let content_type = item
                .get("content_type")
                .and_then(Value::as_str)
                .filter(|content_type| content_type.contains('/'))
                .unwrap_or("application/octet-stream")
                .to_string();
            let size = item.get("file_size").and_then(Value::as_u64).unwrap_or(0);
            Attachment {
                file_name,
                content_type,
                size,
            }
        })
        .collect()
}
