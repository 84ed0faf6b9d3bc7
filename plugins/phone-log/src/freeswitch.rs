//! FreeSWITCH `mod_cdr_csv` records in the `example` template, the default
//! `default-template` of the `cdr_csv.conf.xml` shipped with FreeSWITCH:
//!
//! ```text
//! "${caller_id_name}","${caller_id_number}","${destination_number}","${context}",
//! "${start_stamp}","${answer_stamp}","${end_stamp}","${duration}","${billsec}",
//! "${hangup_cause}","${uuid}","${bleg_uuid}","${accountcode}","${read_codec}",
//! "${write_codec}"
//! ```
//!
//! No header row, 15 columns, local time without a zone, and an empty
//! answer stamp for a call nobody answered. The `asterisk` template writes
//! Asterisk's column order and is read as Asterisk Master.csv.

use crate::cdr::{CallRow, is_answered, parse_time, required_time, seconds};

/// Number of columns of the `example` template.
pub const COLUMNS: usize = 15;

const CALLER_NAME: usize = 0;
const CALLER_NUMBER: usize = 1;
const DESTINATION: usize = 2;
const START: usize = 4;
const ANSWER: usize = 5;
const END: usize = 6;
const DURATION: usize = 7;
const BILLED: usize = 8;
const HANGUP_CAUSE: usize = 9;
const UUID: usize = 10;

/// Returns whether a row has the shape of the `example` template.
pub fn looks_like_example(fields: &[String]) -> bool {
    let time = |index: usize| parse_time(&fields[index]).is_some();
    fields.len() == COLUMNS
        && time(START)
        && time(END)
        && (fields[ANSWER].trim().is_empty() || time(ANSWER))
}

/// Reads one row of the `example` template.
pub fn example_row(fields: &[String]) -> Result<CallRow, String> {
    let columns = fields.len();
    if columns != COLUMNS {
        return Err(format!(
            "the row has {columns} columns; a FreeSWITCH cdr_csv row in the example template \
             has {COLUMNS}. A double quote inside the caller name breaks the row, because \
             mod_cdr_csv does not escape it."
        ));
    }
    let field = |index: usize| fields[index].trim();
    let start = required_time(field(START), "start_stamp")?;
    let answer = field(ANSWER);
    if !answer.is_empty() {
        required_time(answer, "answer_stamp")?;
    }
    required_time(field(END), "end_stamp")?;
    let disposition = field(HANGUP_CAUSE).to_string();
    Ok(CallRow {
        source: field(CALLER_NUMBER).to_string(),
        caller_name: Some(field(CALLER_NAME).to_string()),
        caller_id: String::new(),
        destination: field(DESTINATION).to_string(),
        start: start.and_utc().timestamp(),
        start_text: field(START).to_string(),
        duration: seconds(field(DURATION), "duration")?,
        billed: seconds(field(BILLED), "billsec")?,
        answered: is_answered(&disposition, !answer.is_empty()),
        disposition,
        unique_id: Some(field(UUID).to_string()),
        zone_unknown: true,
    })
}
