//! One Asterisk call-detail record (CDR) row and the message it becomes.
//!
//! Column order, from `build_csv_record()` in Asterisk's `cdr/cdr_csv.c`:
//!
//! | # | field | # | field |
//! |---|-------|---|-------|
//! | 1 | accountcode | 9 | lastdata |
//! | 2 | src (caller number) | 10 | start |
//! | 3 | dst (dialled number) | 11 | answer (empty when unanswered) |
//! | 4 | dcontext | 12 | end |
//! | 5 | clid (`"Name" <number>`) | 13 | duration (s) |
//! | 6 | channel | 14 | billsec (s) |
//! | 7 | dstchannel | 15 | disposition |
//! | 8 | lastapp | 16 | amaflags |
//!
//! Optional columns follow in this order: uniqueid (`loguniqueid=yes`),
//! userfield (`loguserfield=yes`), then peeraccount, linkedid and sequence
//! (`newcdrcolumns=yes`). So a row has 16 to 21 columns.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use kefu_plugin_sdk::adapter::kefu::plugin::types::{Call, Channel, Direction, Message, Party};

/// Minimum number of columns of a call-detail record.
pub const MIN_COLUMNS: usize = 16;
/// Maximum number of columns of a call-detail record.
pub const MAX_COLUMNS: usize = 21;

const SOURCE: usize = 1;
const DESTINATION: usize = 2;
const CALLER_ID: usize = 4;
const START: usize = 9;
const ANSWER: usize = 10;
const END: usize = 11;
const DURATION: usize = 12;
const BILLED: usize = 13;
const DISPOSITION: usize = 14;

/// Time format of the start, answer and end columns.
const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Note on every message, because cdr_csv writes local time without a zone
/// unless `usegmtime=yes`, and the file does not say which.
const TIME_ZONE_NOTE: &str =
    "The call-detail record has no time zone, so the PBX time was read as UTC.";

/// Returns whether a record has the column count and time columns of a CDR.
pub fn looks_like_cdr(record: &[String]) -> bool {
    let field = |index: usize| record.get(index);
    (MIN_COLUMNS..=MAX_COLUMNS).contains(&record.len())
        && field(START).is_some_and(|start| parse_time(start).is_some())
        && field(END).is_some_and(|end| parse_time(end).is_some())
        && field(ANSWER)
            .is_some_and(|answer| answer.trim().is_empty() || parse_time(answer).is_some())
}

/// Hands out external ids and numbers repeats: the rows of one call share a
/// uniqueid, and two legs can even share the destination and start.
#[derive(Default)]
pub struct ExternalIds {
    seen: HashMap<String, u32>,
}

impl ExternalIds {
    /// Returns `base` the first time, then `base#2`, `base#3`, … Because the
    /// count runs in file order, importing the same file again gives every
    /// row the same id.
    fn next(&mut self, base: String) -> (String, Option<u32>) {
        let count = self.seen.entry(base.clone()).or_insert(0);
        *count += 1;
        if *count == 1 {
            (base, None)
        } else {
            (format!("{base}#{count}"), Some(*count))
        }
    }
}

/// One call as any supported layout gives it, before it becomes a message.
#[derive(Debug, Clone, Default)]
pub struct CallRow {
    /// Caller number from its own column; may be empty.
    pub source: String,
    /// Caller name, when the layout has one.
    pub caller_name: Option<String>,
    /// Caller id such as `"Name" <number>`, read when `source` is empty.
    pub caller_id: String,
    pub destination: String,
    /// Start time in seconds since 1970, UTC.
    pub start: i64,
    /// Start time as written, part of the external id.
    pub start_text: String,
    pub duration: u32,
    pub billed: u32,
    pub disposition: String,
    pub answered: bool,
    pub unique_id: Option<String>,
    /// Whether the times were written without a zone and read as UTC.
    pub zone_unknown: bool,
}

/// Reads one Asterisk Master.csv row (also FreeSWITCH's `asterisk`
/// template, which writes a hangup cause where Asterisk writes the
/// disposition).
pub fn asterisk_row(fields: &[String]) -> Result<CallRow, String> {
    let columns = fields.len();
    if !(MIN_COLUMNS..=MAX_COLUMNS).contains(&columns) {
        return Err(format!(
            "the row has {columns} columns; an Asterisk Master.csv row has {MIN_COLUMNS} \
             (standard), 17 or 18 (with uniqueid and userfield) or up to {MAX_COLUMNS} \
             (with newcdrcolumns)."
        ));
    }
    let field = |index: usize| fields[index].trim();

    let start = required_time(field(START), "start")?;
    let answer = field(ANSWER);
    if !answer.is_empty() {
        required_time(answer, "answer")?;
    }
    required_time(field(END), "end")?;
    let duration = seconds(field(DURATION), "duration")?;
    let billed = seconds(field(BILLED), "billsec")?;
    let disposition = field(DISPOSITION).to_string();
    Ok(CallRow {
        source: field(SOURCE).to_string(),
        caller_name: None,
        caller_id: field(CALLER_ID).to_string(),
        destination: field(DESTINATION).to_string(),
        start: start.and_utc().timestamp(),
        start_text: field(START).to_string(),
        duration,
        billed,
        answered: is_answered(&disposition, !answer.is_empty()),
        disposition,
        unique_id: unique_id(fields).map(str::to_string),
        zone_unknown: true,
    })
}

/// Returns whether a call was answered. Asterisk's dispositions say so
/// directly. Other systems write a hangup cause (FreeSWITCH's
/// `NORMAL_CLEARING`, `NO_ANSWER`, `ORIGINATOR_CANCEL`, ...) that does not,
/// so there the answer time decides.
pub fn is_answered(disposition: &str, has_answer_time: bool) -> bool {
    match disposition.trim() {
        "ANSWERED" => true,
        "NO ANSWER" | "BUSY" | "FAILED" | "CONGESTION" => false,
        _ => has_answer_time,
    }
}

/// Builds the message for one row.
pub fn message_from_row(row: CallRow, line: u64, ids: &mut ExternalIds) -> Message {
    let CallRow {
        source,
        caller_name: named,
        caller_id,
        destination,
        start,
        start_text,
        duration,
        billed,
        disposition,
        answered,
        unique_id,
        zone_unknown,
    } = row;
    let (caller_name, caller_number) = parse_caller_id(&caller_id);
    let caller_name = named.filter(|name| !name.trim().is_empty()).or(caller_name);
    let caller = if source.is_empty() {
        caller_number.as_str()
    } else {
        source.as_str()
    };

    let mut notes = Vec::new();
    if zone_unknown {
        notes.push(TIME_ZONE_NOTE.to_string());
    }
    let is_outbound = is_extension(&source) && digit_count(&destination) > source.len();
    let sender = Party {
        name: caller_name,
        address: caller.to_string(),
    };
    let (direction, customer) = if is_outbound {
        let customer = Party {
            name: None,
            address: destination.clone(),
        };
        (Direction::Outbound, customer)
    } else {
        (Direction::Inbound, sender.clone())
    };
    if caller.is_empty() {
        notes.push("The record has no caller number.".to_string());
    }

    let external_id = unique_id.filter(|id| !id.is_empty()).map(|unique_id| {
        let (id, repeat) = ids.next(format!("{unique_id}/{destination}/{start_text}"));
        if let Some(repeat) = repeat {
            notes.push(format!(
                "Line {line} repeats the uniqueid, destination and start of an earlier row, \
                 so its external id ends in #{repeat}."
            ));
        }
        id
    });

    let from = if caller.is_empty() {
        "an unknown number"
    } else {
        caller
    };
    let body_text = format!(
        "Call from {from} to {destination}: {disposition}, {} (billed {})",
        format_seconds(duration),
        format_seconds(billed)
    );

    Message {
        channel: Channel::Phone,
        direction,
        sender,
        customer,
        sent_at: Some(start),
        subject: None,
        body_text,
        external_id,
        thread_key: None,
        replies_to: Vec::new(),
        automation: None,
        call: Some(Call {
            destination,
            duration_seconds: duration,
            billed_seconds: billed,
            disposition,
            answered,
        }),
        attachments: Vec::new(),
        raw_span: None,
        notes,
    }
}

/// Reads a field as UTF-8, or byte by byte as Latin-1 when it is not valid
/// UTF-8, because cdr_csv writes caller names as the phone sent them.
pub fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => bytes.iter().map(|&byte| char::from(byte)).collect(),
    }
}

pub fn parse_time(value: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(value.trim(), TIME_FORMAT).ok()
}

pub fn required_time(value: &str, column: &str) -> Result<NaiveDateTime, String> {
    parse_time(value).ok_or_else(|| {
        format!("the {column} time {value:?} is not a date and time like \"2017-06-20 09:49:22\".")
    })
}

pub fn seconds(value: &str, column: &str) -> Result<u32, String> {
    value
        .parse::<u32>()
        .map_err(|_| format!("the {column} {value:?} is not a whole number of seconds."))
}

/// Returns the uniqueid column, when the row has one. The number of
/// optional columns determines the layout, except that a single optional
/// column (17 or 20 columns) is either uniqueid or userfield. The shape of
/// an Asterisk uniqueid (`1497952162.0`) distinguishes the two.
fn unique_id(fields: &[String]) -> Option<&str> {
    let optional = fields.get(MIN_COLUMNS..)?;
    let candidate = optional.first()?.trim();
    let is_unique_id = match optional.len() {
        // uniqueid and userfield, without or with the three newcdrcolumns.
        2 | 5 => true,
        // uniqueid or userfield alone, without or with the newcdrcolumns.
        1 | 4 => looks_like_unique_id(candidate),
        // Only the newcdrcolumns.
        _ => false,
    };
    (is_unique_id && !candidate.is_empty()).then_some(candidate)
}

/// Returns whether a value has the shape of an Asterisk uniqueid: the
/// channel's creation time in seconds, a dot and a sequence number.
fn looks_like_unique_id(value: &str) -> bool {
    let Some((seconds, sequence)) = value.split_once('.') else {
        return false;
    };
    let is_digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    is_digits(seconds) && is_digits(sequence)
}

/// Splits a caller id such as `"Caller 01" <555-0102>` into name and number.
fn parse_caller_id(value: &str) -> (Option<String>, String) {
    let Some((name, rest)) = value.rsplit_once('<') else {
        return (None, value.trim().to_string());
    };
    let number = rest.trim_end().trim_end_matches('>').trim().to_string();
    let name = name.trim().trim_matches('"').trim();
    let name = (!name.is_empty()).then(|| name.to_string());
    (name, number)
}

/// Returns whether a number looks like an internal extension: 2 to 5 digits.
fn is_extension(value: &str) -> bool {
    (2..=5).contains(&value.len()) && value.bytes().all(|byte| byte.is_ascii_digit())
}

fn digit_count(value: &str) -> usize {
    value.bytes().filter(u8::is_ascii_digit).count()
}

/// Formats seconds as `45 s`, `2 min 15 s` or `1 h 0 min 5 s`.
pub fn format_seconds(total: u32) -> String {
    let hours = total / 3600;
    let minutes = total % 3600 / 60;
    let seconds = total % 60;
    if hours > 0 {
        format!("{hours} h {minutes} min {seconds} s")
    } else if minutes > 0 {
        format!("{minutes} min {seconds} s")
    } else {
        format!("{seconds} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_id_splits_name_and_number() {
        assert_eq!(
            parse_caller_id("\"Caller 01\" <555-0102>"),
            (Some("Caller 01".to_string()), "555-0102".to_string())
        );
        assert_eq!(
            parse_caller_id("\"\" <555-0100>"),
            (None, "555-0100".to_string())
        );
        assert_eq!(parse_caller_id("555-0100"), (None, "555-0100".to_string()));
        assert_eq!(parse_caller_id(""), (None, String::new()));
    }

    #[test]
    fn seconds_format_readably() {
        assert_eq!(format_seconds(0), "0 s");
        assert_eq!(format_seconds(45), "45 s");
        assert_eq!(format_seconds(135), "2 min 15 s");
        assert_eq!(format_seconds(3605), "1 h 0 min 5 s");
    }

    #[test]
    fn unique_id_found_by_layout() {
        let row = |extra: &[&str]| -> Vec<String> {
            let mut fields = vec![String::new(); MIN_COLUMNS];
            fields.extend(extra.iter().map(|value| value.to_string()));
            fields
        };
        assert_eq!(unique_id(&row(&[])), None);
        assert_eq!(unique_id(&row(&["1497952162.0"])), Some("1497952162.0"));
        assert_eq!(unique_id(&row(&["vip caller"])), None);
        assert_eq!(unique_id(&row(&["1497952162.0", ""])), Some("1497952162.0"));
        assert_eq!(unique_id(&row(&["", "1497952162.0", "7"])), None);
        assert_eq!(
            unique_id(&row(&["1497952162.0", "", "1497952162.0", "7"])),
            Some("1497952162.0")
        );
        assert_eq!(unique_id(&row(&["note", "", "1497952162.0", "7"])), None);
        assert_eq!(
            unique_id(&row(&["1497952162.0", "note", "", "1497952162.0", "7"])),
            Some("1497952162.0")
        );
    }

    #[test]
    fn extensions_are_short_digit_strings() {
        assert!(is_extension("200"));
        assert!(is_extension("12"));
        assert!(!is_extension("1"));
        assert!(!is_extension("555-0101"));
        assert!(!is_extension("123456"));
    }

    #[test]
    fn repeated_ids_are_numbered() {
        let mut ids = ExternalIds::default();
        assert_eq!(ids.next("a".to_string()), ("a".to_string(), None));
        assert_eq!(ids.next("b".to_string()), ("b".to_string(), None));
        assert_eq!(ids.next("a".to_string()), ("a#2".to_string(), Some(2)));
    }
}
