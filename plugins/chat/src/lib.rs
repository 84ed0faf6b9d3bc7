//! The built-in chat channel adapter.
//!
//! Reads three inputs:
//!
//! - Kefu chat JSON Lines, one chat event per line (see the crate's
//!   README.md for the format);
//! - a Chatwoot webhook payload (`message_created` and the events that
//!   carry no new message);
//! - the "Customer Support on Twitter" CSV (`twcs.csv`).
//!
//! An input may list the customer's email address or phone number: a
//! Chatwoot contact record does, and so do the optional `customer.email`
//! and `customer.phone` of a chat event. `parse` reports them to the host
//! through the `identities` interface, so the host can link the chat
//! contact to the customer who owns them.
//!
//! It formats an agent's reply as one chat event in the JSON Lines format
//! (see [`reply`]).

mod charset;
mod chatwoot;
mod json;
mod jsonl;
pub mod reply;
mod threads;
mod twcs;

use kefu_plugin_sdk::adapter::exports::kefu::plugin::adapter::{
    Formatted, Guest, Input, ParseError, Parsed, Recognition, Reply,
};
use kefu_plugin_sdk::identities::{self, Identity};
use kefu_plugin_sdk::types::Span;

/// The chat channel adapter, exported to the host as a component.
pub struct ChatAdapter;

impl Guest for ChatAdapter {
    fn recognises() -> Recognition {
        recognition()
    }

    fn probe(name: String, head: Vec<u8>) -> u8 {
        probe(&name, &head)
    }

    fn parse(input: Input) -> Result<Parsed, ParseError> {
        let read = read_input(&input.name, &input.bytes)?;
        for contact in &read.identities {
            identities::report(&contact.customer, &contact.identity);
        }
        Ok(read.parsed)
    }

    fn format_reply(reply: Reply) -> Result<Formatted, String> {
        reply::format_reply(&reply)
    }
}

#[cfg(target_arch = "wasm32")]
kefu_plugin_sdk::export_adapter!(ChatAdapter);

/// An email address or phone number that an input lists for the customer
/// of some of its messages.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactIdentity {
    /// The `customer.address` of the messages it belongs to.
    pub customer: String,
    pub identity: Identity,
}

/// The messages read from an input, and the identities it lists for
/// their customers, without duplicates.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadInput {
    pub parsed: Parsed,
    pub identities: Vec<ContactIdentity>,
}

impl ReadInput {
    fn new(parsed: Parsed) -> Self {
        Self {
            parsed,
            identities: Vec::new(),
        }
    }

    /// Adds identities for `customer`, skipping those already listed.
    fn add_identities(&mut self, customer: &str, identities: Vec<Identity>) {
        for identity in identities {
            let contact = ContactIdentity {
                customer: customer.to_string(),
                identity,
            };
            if !self.identities.contains(&contact) {
                self.identities.push(contact);
            }
        }
    }
}

/// Path under the host's webhook server that delivers chat events.
pub const WEBHOOK_PATH: &str = "/chat";

/// Returns what the adapter reads: JSON and JSON Lines files and
/// `application/json` inputs, and webhook requests to [`WEBHOOK_PATH`].
/// `csv` is left to the phone-log adapter, so a Twitter CSV is found only
/// when the host probes the input's content.
pub fn recognition() -> Recognition {
    Recognition {
        extensions: ["json", "jsonl", "ndjson"].map(String::from).to_vec(),
        content_types: vec!["application/json".to_string()],
        webhook_path: Some(WEBHOOK_PATH.to_string()),
    }
}

/// Scores an input from 0 to 100 from its name and first bytes.
pub fn probe(name: &str, head: &[u8]) -> u8 {
    let lower_name = name.to_ascii_lowercase();
    if [".eml", ".mbox", "master.csv"]
        .iter()
        .any(|suffix| lower_name.ends_with(suffix))
    {
        return 0;
    }
    let head = strip_bom(head).trim_ascii_start();
    if twcs::has_header(head) {
        return 100;
    }
    if !head.starts_with(b"{") {
        return 0;
    }
    let text = String::from_utf8_lossy(head);
    let first_line = text.lines().next().unwrap_or("");
    if jsonl::looks_like_event(first_line) {
        return 95;
    }
    if chatwoot::looks_like_webhook(&text) {
        return 90;
    }
    if lower_name.ends_with(".jsonl") || lower_name.ends_with(".ndjson") {
        return 90;
    }
    // Some other JSON document; a more specific adapter should win.
    20
}

/// Parses an input like [`read_input`] and returns only the messages and
/// rejected parts.
pub fn parse_input(name: &str, bytes: &[u8]) -> Result<Parsed, ParseError> {
    read_input(name, bytes).map(|read| read.parsed)
}

/// Parses an input as Twitter CSV, a single JSON document (a Chatwoot
/// webhook or one chat event) or chat JSON Lines, in that order, and
/// collects the identities it lists for the messages' customers.
pub fn read_input(name: &str, bytes: &[u8]) -> Result<ReadInput, ParseError> {
    let bom_length = bytes.len() - strip_bom(bytes).len();
    let content = &bytes[bom_length..];
    if twcs::has_header(content.trim_ascii_start()) {
        return twcs::parse(bytes, bom_length).map(ReadInput::new);
    }
    if content.trim_ascii().is_empty() {
        return Ok(ReadInput::new(Parsed {
            messages: Vec::new(),
            rejected: Vec::new(),
        }));
    }
    let document_error = match serde_json::from_slice::<serde_json::Value>(content) {
        Ok(document) => return parse_document(&document),
        Err(error) => error,
    };
    let lower_name = name.to_ascii_lowercase();
    let is_jsonl_name = lower_name.ends_with(".jsonl") || lower_name.ends_with(".ndjson");
    if is_jsonl_name || jsonl::has_object_line(content) {
        return Ok(jsonl::parse(bytes, bom_length));
    }
    Err(ParseError::Malformed(format!(
        "The input is not valid JSON: line {}, column {}: {}.",
        document_error.line(),
        document_error.column(),
        json::error_message(&document_error)
    )))
}

/// Parses a whole-input JSON document: a Chatwoot webhook or a single chat
/// event in the JSON Lines format.
fn parse_document(document: &serde_json::Value) -> Result<ReadInput, ParseError> {
    let Some(object) = document.as_object() else {
        return Err(ParseError::Unsupported(
            "The JSON document is not an object, so it is neither a Chatwoot webhook nor a chat event."
                .to_string(),
        ));
    };
    if object.contains_key("event") {
        return chatwoot::parse(object);
    }
    if jsonl::is_event(object) {
        return match jsonl::message_from_object(object) {
            Ok((message, identities)) => {
                let customer = message.customer.address.clone();
                let mut read = ReadInput::new(Parsed {
                    messages: vec![message],
                    rejected: Vec::new(),
                });
                read.add_identities(&customer, identities);
                Ok(read)
            }
            Err(reason) => Err(ParseError::Malformed(format!(
                "The chat event is invalid: {reason}."
            ))),
        };
    }
    Err(ParseError::Unsupported(
        "The JSON document has no \"event\" field (Chatwoot webhook) and no \"conversation\", \
         \"customer\" and \"direction\" fields (chat event)."
            .to_string(),
    ))
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

/// Returns the span from `start` to `end`, without the line break at its end.
fn span_between(bytes: &[u8], start: usize, end: usize) -> Span {
    let start = start.min(bytes.len());
    let end = end.clamp(start, bytes.len());
    let row = &bytes[start..end];
    let line_break = row
        .iter()
        .rev()
        .take_while(|&&byte| byte == b'\n' || byte == b'\r')
        .count();
    Span {
        offset: start as u64,
        length: (row.len() - line_break) as u64,
    }
}

#[cfg(test)]
mod tests;
