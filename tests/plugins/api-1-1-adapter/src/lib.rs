//! A channel adapter built with wit-bindgen directly against the frozen
//! plugin API 1.1.0 (`plugin-api/wit-1.1.0`), not the SDK, so a test can
//! check that a host speaking a newer 1.x version still loads it. The
//! 1.1.0 `channel-adapter` world has no `identities` import.
//!
//! It reads files named `*.api11`: each non-empty line `CUSTOMER<TAB>TEXT`
//! becomes an inbound chat message from `api11:CUSTOMER` in the
//! conversation `api11:CUSTOMER`. It logs one line per parse through the
//! host interface, so the 1.1.0 `host` import is used too.

wit_bindgen::generate!({
    path: "../../../plugin-api/wit-1.1.0",
    world: "channel-adapter",
});

use exports::kefu::plugin::adapter::{
    Formatted, Guest, Input, ParseError, Parsed, Recognition, Rejected, Reply,
};
use kefu::plugin::host::{self, Level};
use kefu::plugin::types::{Channel, Direction, Message, Party, Span};

struct Api11Adapter;

impl Guest for Api11Adapter {
    fn recognises() -> Recognition {
        Recognition {
            extensions: vec!["api11".to_string()],
            content_types: Vec::new(),
            webhook_path: None,
        }
    }

    fn probe(name: String, _head: Vec<u8>) -> u8 {
        if name.ends_with(".api11") { 100 } else { 0 }
    }

    fn parse(input: Input) -> Result<Parsed, ParseError> {
        let text = String::from_utf8(input.bytes)
            .map_err(|_| ParseError::Malformed("the input is not UTF-8".to_string()))?;
        let mut parsed = Parsed {
            messages: Vec::new(),
            rejected: Vec::new(),
        };
        let mut offset = 0u64;
        for line in text.split_inclusive('\n') {
            let span = Span {
                offset,
                length: line.trim_end().len() as u64,
            };
            offset += line.len() as u64;
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            let Some((customer, body)) = line.split_once('\t') else {
                parsed.rejected.push(Rejected {
                    span: Some(span),
                    reason: "the line has no tab between customer and text".to_string(),
                });
                continue;
            };
            let party = Party {
                name: None,
                address: format!("api11:{customer}"),
            };
            parsed.messages.push(Message {
                channel: Channel::Chat,
                direction: Direction::Inbound,
                sender: party.clone(),
                customer: party.clone(),
                sent_at: Some(1_764_900_000),
                subject: None,
                body_text: body.to_string(),
                external_id: None,
                thread_key: Some(party.address),
                replies_to: Vec::new(),
                automation: None,
                call: None,
                attachments: Vec::new(),
                raw_span: Some(span),
                notes: Vec::new(),
            });
        }
        host::log(
            Level::Info,
            &format!("read {} messages", parsed.messages.len()),
        );
        Ok(parsed)
    }

    fn format_reply(_reply: Reply) -> Result<Formatted, String> {
        Err("this test adapter sends no replies".to_string())
    }
}

export!(Api11Adapter);
