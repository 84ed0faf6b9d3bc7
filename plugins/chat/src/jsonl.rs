//! Kefu chat JSON Lines: one chat event per line.
//!
//! ```json
//! {"conversation": "c-1", "customer": {"id": "u-7", "name": "王芳"}, "direction": "in",
//!  "text": "你好", "at": "2024-05-01T09:30:00+08:00", "id": "e-1"}
//! ```
//!
//! The full description, with every field, is in the crate's README.md.

use kefu_plugin_sdk::adapter::exports::kefu::plugin::adapter::{Parsed, Rejected};
use kefu_plugin_sdk::adapter::kefu::plugin::types::{Channel, Direction, Message, Party};
use kefu_plugin_sdk::identities::Identity;
use serde_json::{Map, Value};

use crate::json;
use crate::{ReadInput, span_between};

/// Returns whether a JSON object has the fields that make it a chat event.
pub fn is_event(object: &Map<String, Value>) -> bool {
    ["conversation", "customer", "direction"]
        .iter()
        .all(|key| object.contains_key(*key))
}

/// Returns whether a line of text looks like a chat event. It checks the
/// text only, so a line cut off at the end of a probe's head still counts.
pub fn looks_like_event(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with('{')
        && ["\"conversation\"", "\"customer\"", "\"direction\""]
            .iter()
            .all(|key| line.contains(key))
}

/// Returns whether any line of the input is a JSON object on its own.
pub fn has_object_line(bytes: &[u8]) -> bool {
    bytes.split(|&byte| byte == b'\n').any(|line| {
        let line = line.trim_ascii();
        line.starts_with(b"{") && serde_json::from_slice::<Map<String, Value>>(line).is_ok()
    })
}

/// Parses every line. Blank lines are skipped; a line that is not a valid
/// chat event is rejected with its line number and the reason.
pub fn parse(bytes: &[u8], content_start: usize) -> ReadInput {
    let mut read = ReadInput::new(Parsed {
        messages: Vec::new(),
        rejected: Vec::new(),
    });
    let mut offset = content_start;
    let mut line_number = 0;
    while offset < bytes.len() {
        line_number += 1;
        let end = bytes[offset..]
            .iter()
            .position(|&byte| byte == b'\n')
            .map_or(bytes.len(), |position| offset + position + 1);
        let line = &bytes[offset..end];
        let span = span_between(bytes, offset, end);
        offset = end;
        if line.trim_ascii().is_empty() {
            continue;
        }
        match message_from_line(line) {
            Ok((mut message, identities)) => {
                message.raw_span = Some(span);
                read.add_identities(&message.customer.address, identities);
                read.parsed.messages.push(message);
            }
            Err(reason) => read.parsed.rejected.push(Rejected {
                span: Some(span),
                reason: format!("Line {line_number}: {reason}."),
            }),
        }
    }
    read
}

fn message_from_line(line: &[u8]) -> Result<(Message, Vec<Identity>), String> {
    let value: Value = serde_json::from_slice(line).map_err(|error| {
        format!(
            "invalid JSON at column {}: {}",
            error.column(),
            json::error_message(&error)
        )
    })?;
    let Value::Object(object) = value else {
        return Err(format!(
            "the line is {}, not a chat event object",
            json::kind(&value)
        ));
    };
    message_from_object(&object)
}

/// Builds the message for one chat event object, with the email address
/// and phone number its `customer` lists, or returns what is wrong with it.
pub fn message_from_object(
    object: &Map<String, Value>,
) -> Result<(Message, Vec<Identity>), String> {
    let conversation =
        json::id(object, "conversation")?.ok_or("\"conversation\" is missing or empty")?;
    let customer_object = json::optional_object(object, "customer")?
        .ok_or("\"customer\" is missing (an object with an \"id\" is required)")?;
    let customer = Party {
        name: json::optional_string(customer_object, "name")
            .map_err(|reason| format!("in \"customer\": {reason}"))?,
        address: json::id(customer_object, "id")
            .map_err(|reason| format!("in \"customer\": {reason}"))?
            .ok_or("\"customer\".\"id\" is missing or empty")?,
    };
    let mut identities = Vec::new();
    for (key, identity) in [
        ("email", Identity::Email as fn(String) -> Identity),
        ("phone", Identity::Phone),
    ] {
        let value = json::optional_string(customer_object, key)
            .map_err(|reason| format!("in \"customer\": {reason}"))?;
        if let Some(value) = value.filter(|value| !value.trim().is_empty()) {
            identities.push(identity(value));
        }
    }
    let direction = match object.get("direction") {
        Some(Value::String(direction)) if direction == "in" => Direction::Inbound,
        Some(Value::String(direction)) if direction == "out" => Direction::Outbound,
        Some(other) => {
            return Err(format!(
                "\"direction\" must be \"in\" or \"out\", not {other}"
            ));
        }
        None => return Err("\"direction\" is missing (\"in\" or \"out\" is required)".to_string()),
    };
    let text = json::optional_string(object, "text")?.ok_or("\"text\" is missing")?;
    let sent_at = json::time(object.get("at").ok_or("\"at\" is missing")?, "at")?;
    let agent = json::optional_string(object, "agent")?.filter(|agent| !agent.trim().is_empty());

    let sender = match direction {
        Direction::Inbound => customer.clone(),
        Direction::Outbound => Party {
            address: agent.clone().unwrap_or_default(),
            name: agent,
        },
    };
    let message = Message {
        channel: Channel::Chat,
        direction,
        sender,
        customer,
        sent_at: Some(sent_at),
        subject: None,
        body_text: text,
        external_id: json::id(object, "id")?,
        thread_key: Some(conversation),
        replies_to: Vec::new(),
        automation: None,
        call: None,
        attachments: Vec::new(),
        raw_span: None,
        notes: Vec::new(),
    };
    Ok((message, identities))
}
