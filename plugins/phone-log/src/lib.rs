//! The built-in phone-log channel adapter.
//!
//! Reads Asterisk call-detail records in the `Master.csv` layout that
//! `cdr_csv` writes: no header row, columns by position. Each row becomes
//! one message on the phone channel.

mod cdr;

use kefu_plugin_sdk::adapter::exports::kefu::plugin::adapter::{
    Formatted, Guest, Input, ParseError, Parsed, Recognition, Rejected, Reply,
};
use kefu_plugin_sdk::types::Span;

pub use cdr::{MAX_COLUMNS, MIN_COLUMNS};

/// The phone-log channel adapter, exported to the host as a component.
pub struct PhoneLogAdapter;

impl Guest for PhoneLogAdapter {
    fn recognises() -> Recognition {
        recognition()
    }

    fn probe(name: String, head: Vec<u8>) -> u8 {
        probe(&name, &head)
    }

    fn parse(input: Input) -> Result<Parsed, ParseError> {
        parse_input(&input.bytes)
    }

    fn format_reply(_reply: Reply) -> Result<Formatted, String> {
        Err(REPLY_UNSUPPORTED.to_string())
    }
}

#[cfg(target_arch = "wasm32")]
kefu_plugin_sdk::export_adapter!(PhoneLogAdapter);

/// Why the adapter formats no replies: a call-detail record describes a
/// call that already happened, and there is nothing to send it through.
pub const REPLY_UNSUPPORTED: &str = "Phone call logs cannot carry replies: Kefu cannot place a call. \
     Call the customer back and add a note about the call to the ticket instead.";

/// Returns what the adapter reads: `.csv` files and `text/csv` inputs. It
/// has no webhook.
pub fn recognition() -> Recognition {
    Recognition {
        extensions: vec!["csv".to_string()],
        content_types: vec!["text/csv".to_string()],
        webhook_path: None,
    }
}

/// Scores an input from 0 to 100: high for a file named `Master.csv` and
/// for CSV whose first row looks like a call-detail record.
pub fn probe(name: &str, head: &[u8]) -> u8 {
    let lower_name = name.to_ascii_lowercase();
    let is_master_name = lower_name.ends_with("master.csv");
    let trimmed = head.trim_ascii_start();
    let is_other_format = [".eml", ".mbox", ".json", ".jsonl", ".jsonc", ".ndjson"]
        .iter()
        .any(|extension| lower_name.ends_with(extension))
        || trimmed.starts_with(b"{")
        || trimmed.starts_with(b"[");
    if is_other_format {
        return 0;
    }
    let looks_like_cdr = first_record(head).is_some_and(|record| cdr::looks_like_cdr(&record));
    match (is_master_name, looks_like_cdr) {
        (true, true) => 100,
        (false, true) => 90,
        (true, false) => 50,
        (false, false) => 0,
    }
}

fn first_record(head: &[u8]) -> Option<csv::ByteRecord> {
    let mut reader = reader(head);
    let mut record = csv::ByteRecord::new();
    reader.read_byte_record(&mut record).ok()?.then_some(record)
}

fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

/// Parses every row. A row that is not a readable call-detail record is
/// rejected with its line number; the others are still read.
///
/// Returns `unsupported` when no row has the column count of a
/// call-detail record, because then the input is some other CSV file.
pub fn parse_input(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let mut parsed = Parsed {
        messages: Vec::new(),
        rejected: Vec::new(),
    };
    let mut reader = reader(bytes);
    let mut record = csv::ByteRecord::new();
    let mut ids = cdr::ExternalIds::default();
    let mut saw_cdr_shape = false;
    let mut column_counts = Vec::new();
    loop {
        let start = reader.position().clone();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                // csv 1.x reports no error for byte records with flexible
                // rows read from a slice. Should a later version report one,
                // the rest of the input is rejected rather than lost.
                let line = error
                    .position()
                    .map_or(start.line(), |position| position.line());
                parsed.rejected.push(Rejected {
                    span: Some(span_between(bytes, start.byte(), bytes.len() as u64)),
                    reason: format!("Line {line}: the CSV cannot be read from here on: {error}."),
                });
                break;
            }
        }
        let record_start = record
            .position()
            .map_or(start.byte(), |position| position.byte());
        let line = record
            .position()
            .map_or(start.line(), |position| position.line());
        let span = span_between(bytes, record_start, reader.position().byte());
        saw_cdr_shape |= (MIN_COLUMNS..=MAX_COLUMNS).contains(&record.len());
        column_counts.push(record.len());
        match cdr::message_from_record(&record, line, &mut ids) {
            Ok(mut message) => {
                message.raw_span = Some(span);
                parsed.messages.push(message);
            }
            Err(reason) => parsed.rejected.push(Rejected {
                span: Some(span),
                reason: format!("Line {line}: {reason}"),
            }),
        }
    }
    if !column_counts.is_empty() && !saw_cdr_shape {
        column_counts.sort_unstable();
        column_counts.dedup();
        return Err(ParseError::Unsupported(format!(
            "No row has the {MIN_COLUMNS} to {MAX_COLUMNS} columns of an Asterisk Master.csv \
             call-detail record (rows have {column_counts:?} columns)."
        )));
    }
    Ok(parsed)
}

/// Returns the span from `start` to `end`, without the line break at its end.
fn span_between(bytes: &[u8], start: u64, end: u64) -> Span {
    let start = (start as usize).min(bytes.len());
    let end = (end as usize).clamp(start, bytes.len());
    let row = &bytes[start..end];
    let trimmed = row.len()
        - row
            .iter()
            .rev()
            .take_while(|&&byte| byte == b'\n' || byte == b'\r')
            .count();
    Span {
        offset: start as u64,
        length: trimmed as u64,
    }
}

#[cfg(test)]
mod tests;
