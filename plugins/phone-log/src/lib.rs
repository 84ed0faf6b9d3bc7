//! The built-in phone-log channel adapter.
//!
//! Reads Asterisk call-detail records in the `Master.csv` layout that
//! `cdr_csv` writes: no header row, columns by position. Each row becomes
//! one message on the phone channel.

mod cdr;
mod charset;
mod freeswitch;
pub mod mapping;

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
    if head.starts_with(mapping::ENVELOPE_MAGIC) {
        return 100;
    }
    let looks_like_cdr = first_record(head).is_some_and(|fields| {
        cdr::looks_like_cdr(&fields) || freeswitch::looks_like_example(&fields)
    });
    match (is_master_name, looks_like_cdr) {
        (true, true) => 100,
        (false, true) => 90,
        (true, false) => 50,
        (false, false) => 0,
    }
}

fn first_record(head: &[u8]) -> Option<Vec<String>> {
    let head = head.strip_prefix(UTF8_BOM).unwrap_or(head);
    // Only a row with a call record's column count can be one. Setting up
    // a CSV reader costs far more than counting commas, so a plain first
    // line (most mail) is counted, and only other inputs are read as CSV.
    if plain_first_line_columns(head).is_some_and(|columns| !is_record_width(columns)) {
        return None;
    }
    let mut reader = reader(head, b',');
    let mut record = csv::ByteRecord::new();
    reader.read_byte_record(&mut record).ok()?.then_some(())?;
    if !is_record_width(record.len()) {
        return None;
    }
    let charset = charset::detect(head);
    Some(record.iter().map(|field| charset.decode(field)).collect())
}

/// Returns whether a row with `columns` fields can be an Asterisk or a
/// FreeSWITCH call record.
fn is_record_width(columns: usize) -> bool {
    (cdr::MIN_COLUMNS..=cdr::MAX_COLUMNS).contains(&columns) || columns == freeswitch::COLUMNS
}

/// Counts the fields of the first line as the CSV reader splits them, when
/// the line is plain: it has no double quote and is not empty. `None` when
/// only the CSV reader can tell, because quotes can hold commas and line
/// breaks, and the reader skips empty lines.
fn plain_first_line_columns(head: &[u8]) -> Option<usize> {
    let end = head
        .iter()
        .position(|&byte| byte == b'\r' || byte == b'\n')
        .unwrap_or(head.len());
    let line = &head[..end];
    if line.is_empty() || line.contains(&b'"') {
        return None;
    }
    Some(line.iter().filter(|&&byte| byte == b',').count() + 1)
}

fn reader(bytes: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

/// How the rows of an input are laid out.
enum Layout {
    Asterisk,
    FreeSwitchExample,
    Mapped(mapping::Resolved),
}

impl Layout {
    /// Picks the layout of the first row that looks like an Asterisk or a
    /// FreeSWITCH record, else Asterisk.
    fn detect(rows: &[Vec<String>]) -> Self {
        for fields in rows {
            if freeswitch::looks_like_example(fields) {
                return Self::FreeSwitchExample;
            }
            if cdr::looks_like_cdr(fields) {
                return Self::Asterisk;
            }
        }
        Self::Asterisk
    }

    fn row(&self, fields: &[String]) -> Result<cdr::CallRow, String> {
        match self {
            Self::Asterisk => cdr::asterisk_row(fields),
            Self::FreeSwitchExample => freeswitch::example_row(fields),
            Self::Mapped(mapping) => mapping.row(fields),
        }
    }

    /// Returns whether a row has a column count this layout reads.
    fn has_shape(&self, columns: usize) -> bool {
        match self {
            Self::Asterisk => (MIN_COLUMNS..=MAX_COLUMNS).contains(&columns),
            Self::FreeSwitchExample => columns == freeswitch::COLUMNS,
            Self::Mapped(mapping) => columns > mapping.max_index(),
        }
    }
}

/// One CSV record with where it sits in the CSV text.
struct RawRecord {
    fields: Vec<String>,
    line: u64,
    start: u64,
    end: u64,
}

/// Parses every row. A row that is not a readable call-detail record is
/// rejected with its line number; the others are still read.
///
/// The input is an Asterisk Master.csv or a FreeSWITCH cdr_csv file in the
/// `example` template, or any CSV behind a column mapping (see
/// [`mapping::split_envelope`]). A UTF-8 byte order mark is skipped, and a
/// file that is not UTF-8 but valid GB18030 (a superset of GBK) is read as
/// GB18030.
///
/// Returns `unsupported` when no row has the column count of a
/// call-detail record, because then the input is some other CSV file.
pub fn parse_input(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let (mapping, mut offset) = match mapping::split_envelope(bytes) {
        None => (None, 0),
        Some(Err(reason)) => return Err(ParseError::Malformed(reason)),
        Some(Ok((text, offset))) => {
            let mapping = mapping::Mapping::parse(text).map_err(ParseError::Malformed)?;
            (Some(mapping), offset)
        }
    };
    if bytes[offset..].starts_with(UTF8_BOM) {
        offset += UTF8_BOM.len();
    }
    let csv = &bytes[offset..];
    let charset = charset::detect(csv);
    let delimiter = mapping
        .as_ref()
        .map_or(b',', |mapping| mapping.delimiter(csv));
    let mut parsed = Parsed {
        messages: Vec::new(),
        rejected: Vec::new(),
    };
    let mut records = read_records(csv, delimiter, charset, offset as u64, &mut parsed);

    let layout = match &mapping {
        None => Layout::detect(
            &records
                .iter()
                .map(|record| record.fields.clone())
                .collect::<Vec<_>>(),
        ),
        Some(mapping) => {
            let header = if mapping.has_header() && !records.is_empty() {
                Some(records.remove(0).fields)
            } else {
                None
            };
            let resolved = mapping
                .resolve(header.as_deref())
                .map_err(ParseError::Malformed)?;
            Layout::Mapped(resolved)
        }
    };

    let mut ids = cdr::ExternalIds::default();
    let mut saw_shape = false;
    let mut column_counts = Vec::new();
    for record in records {
        let span = span_between(bytes, record.start, record.end);
        saw_shape |= layout.has_shape(record.fields.len());
        column_counts.push(record.fields.len());
        match layout.row(&record.fields) {
            Ok(row) => {
                let mut message = cdr::message_from_row(row, record.line, &mut ids);
                message.raw_span = Some(span);
                if let Some(note) = charset.note() {
                    message.notes.push(note.to_string());
                }
                parsed.messages.push(message);
            }
            Err(reason) => parsed.rejected.push(Rejected {
                span: Some(span),
                reason: format!("Line {}: {reason}", record.line),
            }),
        }
    }
    if !column_counts.is_empty() && !saw_shape && mapping.is_none() {
        column_counts.sort_unstable();
        column_counts.dedup();
        return Err(ParseError::Unsupported(format!(
            "No row has the {MIN_COLUMNS} to {MAX_COLUMNS} columns of an Asterisk Master.csv \
             call-detail record or the {} of a FreeSWITCH cdr_csv record (rows have \
             {column_counts:?} columns). For another layout, put a column mapping beside the \
             file as NAME.cdr.toml.",
            freeswitch::COLUMNS
        )));
    }
    Ok(parsed)
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads every record of `csv`, whose first byte is at `base` in the
/// input. A CSV error rejects the rest of the input.
fn read_records(
    csv: &[u8],
    delimiter: u8,
    charset: charset::Charset,
    base: u64,
    parsed: &mut Parsed,
) -> Vec<RawRecord> {
    let mut reader = reader(csv, delimiter);
    let mut record = csv::ByteRecord::new();
    let mut records = Vec::new();
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
                    span: Some(Span {
                        offset: base + start.byte(),
                        length: csv.len() as u64 - start.byte(),
                    }),
                    reason: format!("Line {line}: the CSV cannot be read from here on: {error}."),
                });
                break;
            }
        }
        let mut record_start = record
            .position()
            .map_or(start.byte(), |position| position.byte());
        let mut line = record
            .position()
            .map_or(start.line(), |position| position.line());
        // After a CRLF row end, csv 1.4 puts the next record's position on
        // the LF it has not consumed yet. A record never starts with CR or
        // LF, so skipping them gives its first byte and line.
        while let Some(&byte) = csv.get(record_start as usize) {
            match byte {
                b'\n' => line += 1,
                b'\r' => {}
                _ => break,
            }
            record_start += 1;
        }
        records.push(RawRecord {
            fields: record.iter().map(|field| charset.decode(field)).collect(),
            line,
            start: base + record_start,
            end: base + reader.position().byte(),
        });
    }
    records
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
