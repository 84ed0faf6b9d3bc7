//! Checks shared by the fuzz targets: what every adapter result must
//! satisfy besides not panicking.

use kefu_plugin_sdk::adapter::exports::kefu::plugin::adapter::{ParseError, Parsed};
use kefu_plugin_sdk::types::Span;

/// Separates the column mapping from the CSV in a `phone_log_mapped` input.
pub const MAPPING_SEPARATOR: &[u8] = b"\n\0\0\n";

/// Asserts that every span an adapter returned lies inside the input, so
/// the raw bytes stored for a message or a rejected part are its own.
pub fn check_parsed(result: &Result<Parsed, ParseError>, input_length: usize) {
    let Ok(parsed) = result else {
        return;
    };
    for message in &parsed.messages {
        if let Some(span) = &message.raw_span {
            check_span(span, input_length);
        }
    }
    for rejected in &parsed.rejected {
        assert!(!rejected.reason.is_empty(), "a rejected part has no reason");
        if let Some(span) = &rejected.span {
            check_span(span, input_length);
        }
    }
}

fn check_span(span: &Span, input_length: usize) {
    let end = span.offset.checked_add(span.length);
    assert!(
        end.is_some_and(|end| end <= input_length as u64),
        "span {}+{} is outside the {input_length}-byte input",
        span.offset,
        span.length
    );
}
