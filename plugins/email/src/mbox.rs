//! Splitting an mbox file into its messages.
//!
//! An mbox file is a series of messages, each introduced by a "postmark"
//! line such as `From MAILER-DAEMON  Wed Sep 17 22:25:40 2008`. Line endings
//! may be LF or CRLF.

use std::ops::Range;

/// One message of an mbox file.
#[derive(Debug, PartialEq, Eq)]
pub struct Entry {
    /// Byte range of the entry: from the start of its `From ` line to the
    /// start of the next one, or the end of the file.
    pub span: Range<usize>,
    /// Byte range of the message itself, after the `From ` line.
    pub message: Range<usize>,
    /// Line number of the `From ` line, counting from 1.
    pub line: usize,
}

/// Result of splitting an mbox file.
#[derive(Debug, PartialEq, Eq)]
pub struct Mailbox {
    /// Non-blank bytes before the first `From ` line, which belong to no message.
    pub preamble: Option<Range<usize>>,
    /// The messages, in file order.
    pub entries: Vec<Entry>,
}

/// Returns whether the input starts with an mbox postmark line, ignoring
/// blank lines before it.
pub fn starts_with_postmark(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|byte| !matches!(byte, b'\r' | b'\n'))
        .unwrap_or(bytes.len());
    let line = &bytes[start..];
    let end = line
        .iter()
        .position(|&byte| byte == b'\n')
        .unwrap_or(line.len());
    is_postmark(&line[..end])
}

/// Returns whether any line of the input is a postmark line.
pub fn has_postmark(bytes: &[u8]) -> bool {
    bytes.split(|&byte| byte == b'\n').any(is_postmark)
}

/// Splits an mbox file at its postmark lines.
pub fn split(bytes: &[u8]) -> Mailbox {
    let mut starts = Vec::new();
    let mut line_number = 1;
    let mut offset = 0;
    while offset < bytes.len() {
        let end = bytes[offset..]
            .iter()
            .position(|&byte| byte == b'\n')
            .map_or(bytes.len(), |position| offset + position + 1);
        if is_postmark(&bytes[offset..end]) {
            starts.push((offset, end, line_number));
        }
        line_number += 1;
        offset = end;
    }

    let first_start = starts.first().map_or(bytes.len(), |(start, _, _)| *start);
    let preamble = Some(0..first_start).filter(|range| {
        bytes[range.clone()]
            .iter()
            .any(|byte| !byte.is_ascii_whitespace())
    });

    let entries = starts
        .iter()
        .enumerate()
        .map(|(index, &(start, line_end, line))| {
            let end = starts
                .get(index + 1)
                .map_or(bytes.len(), |(next_start, _, _)| *next_start);
            Entry {
                span: start..end,
                message: line_end..end,
                line,
            }
        })
        .collect();
    Mailbox { preamble, entries }
}

/// Returns whether a line is a postmark: `From `, a sender, and an asctime
/// date that has a time of day and a four-digit year, as in
/// `From sender@example.com Thu Sep 18 17:54:04 2008`.
///
/// The date check keeps a body line such as "From now on …" from
/// starting a new message in an mbox that did not escape it as ">From".
fn is_postmark(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let rest = String::from_utf8_lossy(rest);
    let mut words = rest.split_whitespace();
    if words.next().is_none() {
        return false;
    }
    let date: Vec<&str> = words.collect();
    let has_time = date.iter().any(|word| is_time_of_day(word));
    let has_year = date
        .iter()
        .any(|word| word.len() == 4 && word.bytes().all(|byte| byte.is_ascii_digit()));
    has_time && has_year
}

/// Returns whether a word is `hh:mm` or `hh:mm:ss`.
fn is_time_of_day(word: &str) -> bool {
    let parts: Vec<&str> = word.split(':').collect();
    (parts.len() == 2 || parts.len() == 3)
        && parts
            .iter()
            .all(|part| part.len() == 2 && part.bytes().all(|byte| byte.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postmark_forms_are_recognised() {
        assert!(is_postmark(
            b"From MAILER-DAEMON Thu Sep 18 17:54:04 2008\r\n"
        ));
        assert!(is_postmark(
            b"From MAILER-DAEMON  Wed Sep 17 22:25:40 2008\n"
        ));
        assert!(is_postmark(b"From a@b.example Mon Dec  8 11:04:57 2008"));
        assert!(is_postmark(b"From a@b.example Mon Dec 8 11:04 +0000 2008"));
    }

    #[test]
    fn body_lines_are_not_postmarks() {
        assert!(!is_postmark(b"From now on we ship on Mondays.\n"));
        assert!(!is_postmark(b"From: someone@example.com\n"));
        assert!(!is_postmark(b">From a@b Thu Sep 18 17:54:04 2008\n"));
        assert!(!is_postmark(b"From \n"));
    }

    #[test]
    fn split_finds_entries_and_spans() {
        let mbox = b"From a@x Thu Sep 18 17:54:04 2008\r\nSubject: one\r\n\r\nbody\r\n\r\n\
                     From b@x Thu Sep 18 17:55:04 2008\r\nSubject: two\r\n\r\nFrom now on\r\n";
        let mailbox = split(mbox);
        assert_eq!(mailbox.preamble, None);
        assert_eq!(mailbox.entries.len(), 2);
        let first = &mailbox.entries[0];
        assert_eq!(first.line, 1);
        assert!(mbox[first.message.clone()].starts_with(b"Subject: one"));
        let second = &mailbox.entries[1];
        assert_eq!(second.line, 6);
        assert_eq!(second.span.start, first.span.end);
        assert_eq!(second.span.end, mbox.len());
        assert!(mbox[second.span.clone()].starts_with(b"From b@x"));
    }

    #[test]
    fn split_reports_preamble() {
        let mbox = b"garbage\nFrom a@x Thu Sep 18 17:54:04 2008\nSubject: one\n\nbody\n";
        let mailbox = split(mbox);
        assert_eq!(mailbox.preamble, Some(0..8));
        assert_eq!(mailbox.entries.len(), 1);
        assert_eq!(mailbox.entries[0].line, 2);
    }

    #[test]
    fn starts_with_postmark_skips_blank_lines() {
        assert!(starts_with_postmark(
            b"\r\nFrom a@x Thu Sep 18 17:54:04 2008\r\n"
        ));
        assert!(!starts_with_postmark(b"Received: from x\r\n"));
        assert!(!starts_with_postmark(b""));
    }
}
