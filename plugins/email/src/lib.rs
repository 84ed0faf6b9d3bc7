//! The built-in email channel adapter.
//!
//! Reads one message from an `.eml` file or a Maildir message file, and
//! every message of an mbox file. Headers and bodies are decoded to UTF-8
//! in any charset that encoding_rs or mail-parser decodes, with the aliases
//! in the shared `kefu_charset` crate. Bounces, auto-replies and bulk mail are marked, so the
//! desk opens no ticket for them.
//!
//! Replies are formatted as RFC 5322 messages (see [`reply`]).

mod attachments;
mod automation;
mod body;
mod convert;
mod encoded_word;
mod html;
mod mbox;
mod mime_params;
mod prepare;
mod probe;
pub mod reply;

#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod reply_tests;

use kefu_plugin_sdk::adapter::exports::kefu::plugin::adapter::{
    Formatted, Guest, Input, ParseError, Parsed, Recognition, Rejected, Reply,
};
use kefu_plugin_sdk::types::Span;

/// The email channel adapter, exported to the host as a component.
pub struct EmailAdapter;

impl Guest for EmailAdapter {
    fn recognises() -> Recognition {
        recognition()
    }

    fn probe(name: String, head: Vec<u8>) -> u8 {
        probe::probe(&name, &head)
    }

    fn parse(input: Input) -> Result<Parsed, ParseError> {
        parse_input(&input.name, &input.bytes)
    }

    fn format_reply(reply: Reply) -> Result<Formatted, String> {
        reply::format_reply(&reply)
    }
}

#[cfg(target_arch = "wasm32")]
kefu_plugin_sdk::export_adapter!(EmailAdapter);

/// Returns what the adapter reads: `.eml` and `.mbox` files and
/// `message/rfc822` and `application/mbox` inputs. Maildir message files
/// have no extension and are found by probing. It has no webhook.
pub fn recognition() -> Recognition {
    Recognition {
        extensions: vec!["eml".to_string(), "mbox".to_string()],
        content_types: vec!["message/rfc822".to_string(), "application/mbox".to_string()],
        webhook_path: None,
    }
}

/// Parses an input as an mbox file or as a single message. An input is an
/// mbox file when it starts with a `From ` postmark line, or when its name
/// ends in `.mbox` and such a line comes further down.
pub fn parse_input(name: &str, bytes: &[u8]) -> Result<Parsed, ParseError> {
    let is_mbox_name = name.to_ascii_lowercase().ends_with(".mbox");
    if mbox::starts_with_postmark(bytes) || (is_mbox_name && mbox::has_postmark(bytes)) {
        return Ok(parse_mbox(bytes));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Malformed("The input is empty.".to_string()));
    }
    match convert::convert(bytes) {
        Ok(message) => Ok(Parsed {
            messages: vec![message],
            rejected: Vec::new(),
        }),
        Err(reason) => Err(ParseError::Malformed(format!(
            "The input is not a mail message: {reason}."
        ))),
    }
}

/// Parses every entry of an mbox file. An entry that is not a message is
/// rejected with its span; the others are still read.
fn parse_mbox(bytes: &[u8]) -> Parsed {
    let mailbox = mbox::split(bytes);
    let mut parsed = Parsed {
        messages: Vec::with_capacity(mailbox.entries.len()),
        rejected: Vec::new(),
    };
    if let Some(preamble) = mailbox.preamble {
        parsed.rejected.push(Rejected {
            span: Some(span(&preamble)),
            reason: format!(
                "The {} bytes before the first \"From \" line belong to no message.",
                preamble.len()
            ),
        });
    }
    for (index, entry) in mailbox.entries.iter().enumerate() {
        match convert::convert(&bytes[entry.message.clone()]) {
            Ok(mut message) => {
                message.raw_span = Some(span(&entry.span));
                parsed.messages.push(message);
            }
            Err(reason) => parsed.rejected.push(Rejected {
                span: Some(span(&entry.span)),
                reason: format!(
                    "mbox entry {} (the \"From \" line on line {}): {reason}.",
                    index + 1,
                    entry.line
                ),
            }),
        }
    }
    parsed
}

fn span(range: &std::ops::Range<usize>) -> Span {
    Span {
        offset: range.start as u64,
        length: range.len() as u64,
    }
}
