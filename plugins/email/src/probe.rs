//! Scoring how likely an input is mail, from its name and first bytes.

use crate::mbox::starts_with_postmark;

/// Header names that only mail starts with, lower case.
const MAIL_HEADER_NAMES: &[&str] = &[
    "received",
    "return-path",
    "from",
    "message-id",
    "date",
    "mime-version",
    "delivered-to",
    "subject",
    "to",
    "x-original-to",
    "sender",
    "reply-to",
    "content-type",
];

/// Number of leading lines looked at for header fields.
const HEADER_LINES_CHECKED: usize = 20;

/// Shape of the first bytes of an input.
#[derive(Debug, PartialEq, Eq)]
enum Content {
    /// An mbox postmark line (`From sender date`).
    Mbox,
    /// Header fields, at least one of them a well-known mail header.
    MailHeaders,
    /// Header-shaped lines, but none of the well-known names.
    HeaderShaped,
    /// Anything else.
    Other,
}

/// Scores an input from 0 to 100.
pub fn probe(name: &str, head: &[u8]) -> u8 {
    let lower_name = name.to_ascii_lowercase();
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let trimmed = head.trim_ascii_start();
    let is_data_name = [".csv", ".json", ".jsonl", ".ndjson", ".jsonc", ".tsv"]
        .iter()
        .any(|extension| lower_name.ends_with(extension));
    if is_data_name || trimmed.starts_with(b"{") || trimmed.starts_with(b"[") {
        return 0;
    }

    let content = classify(head);
    let is_eml = lower_name.ends_with(".eml");
    let is_mbox = lower_name.ends_with(".mbox") || lower_name == "mbox";
    let is_maildir = is_maildir_name(&lower_name);
    match content {
        Content::Mbox if is_mbox => 100,
        Content::Mbox => 90,
        Content::MailHeaders if is_eml || is_maildir => 100,
        Content::MailHeaders => 85,
        Content::HeaderShaped if is_eml || is_maildir => 70,
        Content::HeaderShaped => 30,
        Content::Other if is_eml || is_mbox => 40,
        Content::Other => 0,
    }
}

fn classify(head: &[u8]) -> Content {
    if starts_with_postmark(head) {
        return Content::Mbox;
    }
    let text = String::from_utf8_lossy(head);
    let mut lines = text.lines().take(HEADER_LINES_CHECKED);
    let Some(first) = lines.next() else {
        return Content::Other;
    };
    let Some(first_name) = header_name(first) else {
        return Content::Other;
    };
    let mut names = vec![first_name];
    for line in lines {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        match header_name(line) {
            Some(name) => names.push(name),
            // A line that is neither a header nor a continuation; mail
            // with a broken line among its headers still counts.
            None => continue,
        }
    }
    if names
        .iter()
        .any(|name| MAIL_HEADER_NAMES.contains(&name.to_ascii_lowercase().as_str()))
    {
        Content::MailHeaders
    } else {
        Content::HeaderShaped
    }
}

/// Returns the field name of a header line: printable ASCII without
/// spaces, followed by a colon (RFC 5322 section 2.2).
fn header_name(line: &str) -> Option<&str> {
    let (name, _) = line.split_once(':')?;
    let is_field_name = !name.is_empty()
        && name.len() <= 76
        && name.bytes().all(|byte| {
            (b'!'..=b'~').contains(&byte) && byte != b':' && byte != b',' && byte != b'"'
        });
    is_field_name.then_some(name)
}

/// Returns whether a file name has the shape of a Maildir message name, for
/// example `1234.M5P6.host:2,S` (the part after `:2,` contains flags).
fn is_maildir_name(name: &str) -> bool {
    if name.contains(":2,") || name.contains("!2,") {
        return true;
    }
    let mut parts = name.split('.');
    let starts_with_time = parts
        .next()
        .is_some_and(|time| !time.is_empty() && time.bytes().all(|byte| byte.is_ascii_digit()));
    starts_with_time && name.split('.').count() >= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eml_with_headers_is_certain() {
        assert_eq!(probe("a.eml", b"Return-Path: <a@b>\r\nFrom: a@b\r\n"), 100);
    }

    #[test]
    fn maildir_message_without_extension_is_accepted() {
        let head = b"Delivered-To: support@example.com\nReceived: from x\n";
        assert_eq!(probe("1234.M5P6.host:2,S", head), 100);
        assert_eq!(probe("1700000000.M1P2.desk", head), 100);
        assert_eq!(probe("", head), 85);
    }

    #[test]
    fn mbox_postmark_is_accepted() {
        let head = b"From MAILER-DAEMON  Wed Sep 17 22:25:40 2008\r\nReturn-Path: <>\r\n";
        assert_eq!(probe("bounces.mbox", head), 100);
        assert_eq!(probe("Inbox", head), 90);
    }

    #[test]
    fn misspelled_first_header_still_counts() {
        let head = b"Recieved: from x\r\n\t by y\r\nReceived: from z\r\nSubject: hi\r\n";
        assert_eq!(probe("", head), 85);
    }

    #[test]
    fn csv_and_json_are_not_mail() {
        assert_eq!(
            probe("Master.csv", b"\"\",\"555-0100\",\"555-0101\",\"hq\""),
            0
        );
        assert_eq!(
            probe("twcs.csv", b"tweet_id,author_id,inbound,created_at,text\n"),
            0
        );
        assert_eq!(
            probe("x", b"tweet_id,author_id,inbound,created_at,text\n"),
            0
        );
        assert_eq!(
            probe(
                "x",
                b"\"\",\"555-0100\",\"555-0101\",\"hq\",\"\"\"\"\" <555-0100>\""
            ),
            0
        );
        assert_eq!(probe("hook", b"{\"event\": \"message_created\"}"), 0);
        assert_eq!(probe("chat.jsonl", b"{\"conversation\": \"c1\"}\n"), 0);
        assert_eq!(
            probe("a.jsonc", b"{\n\n  \"event\": \"message_created\", // x\n"),
            0
        );
    }

    #[test]
    fn unknown_text_is_not_mail() {
        assert_eq!(probe("notes.txt", b"Hello there.\nSecond line."), 0);
        assert_eq!(probe("notes.txt", b""), 0);
        assert_eq!(probe("broken.eml", b"Hello there."), 40);
    }
}
