//! Rewrites a message's header block into a form mail-parser reads right.
//!
//! mail-parser reads raw 8-bit header bytes as UTF-8 and decodes encoded
//! words only in the charsets of its own table, which cannot be extended.
//! So before parsing, this module
//!
//! - transcodes header lines that are not valid UTF-8 from the charset
//!   declared on the body, or else from the charset detected in the header
//!   bytes, and
//! - renames encoded-word charset labels that mail-parser does not know to
//!   the charset that [`kefu_charset::resolve`] reads them as.
//!
//! Only the top-level header block changes; the body stays byte for byte.

use std::borrow::Cow;

use encoding_rs::UTF_8;
use mail_parser::MessageParser;

use kefu_charset::{self as charset, Charset};

/// A message ready for mail-parser.
pub struct Prepared<'a> {
    /// The message with its header block rewritten.
    pub bytes: Cow<'a, [u8]>,
    /// The charset that raw 8-bit header bytes were read as, if there were any.
    pub header_charset: Option<Charset>,
    /// Remark on where that charset came from.
    pub note: Option<String>,
}

/// Returns the message with its header block rewritten as described in the
/// module documentation.
pub fn normalise_header_block(raw: &[u8]) -> Prepared<'_> {
    let header_end = header_block_end(raw);
    let header = &raw[..header_end];
    let is_utf8 = std::str::from_utf8(header).is_ok();
    if is_utf8 && !contains(header, b"=?") {
        return Prepared {
            bytes: Cow::Borrowed(raw),
            header_charset: None,
            note: None,
        };
    }

    let mut header_charset = None;
    let mut note = None;
    let text = match std::str::from_utf8(header) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            let (charset, source) = header_fallback_charset(raw, header);
            header_charset = Some(charset);
            note = Some(format!(
                "Raw 8-bit header text was read as {}, {source}.",
                charset::name(charset)
            ));
            Cow::Owned(transcode_lines(header, charset))
        }
    };
    let text = rename_encoded_word_labels(&text);

    let mut rewritten = Vec::with_capacity(raw.len() + 16);
    rewritten.extend_from_slice(text.as_bytes());
    rewritten.extend_from_slice(&raw[header_end..]);
    Prepared {
        bytes: Cow::Owned(rewritten),
        header_charset,
        note,
    }
}

/// Returns the offset where the header block ends: at the empty line that
/// separates it from the body (the empty line is left to the body), or at
/// the end of the input.
pub fn header_block_end(raw: &[u8]) -> usize {
    let mut offset = 0;
    while offset < raw.len() {
        let line_end = raw[offset..]
            .iter()
            .position(|&byte| byte == b'\n')
            .map_or(raw.len(), |position| offset + position + 1);
        let line = &raw[offset..line_end];
        if line == b"\n" || line == b"\r\n" {
            return offset;
        }
        offset = line_end;
    }
    raw.len()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Picks the charset for raw 8-bit header bytes: the charset declared on
/// the first text part of the body, unless it is ASCII or UTF-8 (which the
/// bytes are not), else the charset detected from the header bytes. Returns
/// the charset and where it came from, for the note.
fn header_fallback_charset(raw: &[u8], header: &[u8]) -> (Charset, &'static str) {
    if let Some(declared) = declared_body_charset(raw)
        && !matches!(
            declared,
            Charset::Standard(encoding) if encoding == UTF_8 || encoding == encoding_rs::WINDOWS_1252
        )
    {
        return (declared, "the charset declared on the body");
    }
    let eight_bit_lines: Vec<u8> = header
        .split(|&byte| byte == b'\n')
        .filter(|line| !line.is_ascii())
        .flat_map(|line| line.iter().copied().chain([b'\n']))
        .collect();
    (
        Charset::Standard(charset::detect(&eight_bit_lines)),
        "detected from the header bytes because the body declares no usable charset",
    )
}

/// Returns the charset declared on the first text part of a message.
fn declared_body_charset(raw: &[u8]) -> Option<Charset> {
    let message = MessageParser::default().parse(raw)?;
    message
        .text_body
        .iter()
        .chain(message.html_body.iter())
        .filter_map(|&id| message.parts.get(id as usize))
        .find_map(|part| {
            let content_type = mail_parser::MimeHeaders::content_type(part)?;
            charset::resolve(content_type.attribute("charset")?)
        })
}

/// Decodes each header line that is not valid UTF-8 with `charset`; valid
/// lines stay as they are.
fn transcode_lines(header: &[u8], charset: Charset) -> String {
    let mut text = String::with_capacity(header.len() * 2);
    for line in header.split_inclusive(|&byte| byte == b'\n') {
        match std::str::from_utf8(line) {
            Ok(valid) => text.push_str(valid),
            Err(_) => text.push_str(&charset::decode(line, charset).0),
        }
    }
    text
}

/// Renames the charset label of every encoded word that mail-parser does
/// not know but this adapter resolves, so that mail-parser decodes display
/// names and other headers with the same table.
fn rename_encoded_word_labels(text: &str) -> Cow<'_, str> {
    let mut output = String::new();
    let mut copied_up_to = 0;
    let mut search_from = 0;
    while let Some(offset) = text[search_from..].find("=?") {
        let label_start = search_from + offset + 2;
        search_from = label_start;
        let Some(label_length) = text[label_start..].find('?') else {
            break;
        };
        let label = &text[label_start..label_start + label_length];
        if label.is_empty() || label.len() > 80 || label.contains(char::is_whitespace) {
            continue;
        }
        let Some(replacement) = replacement_label(label) else {
            continue;
        };
        output.push_str(&text[copied_up_to..label_start]);
        output.push_str(replacement);
        copied_up_to = label_start + label_length;
        search_from = copied_up_to;
    }
    if copied_up_to == 0 {
        return Cow::Borrowed(text);
    }
    output.push_str(&text[copied_up_to..]);
    Cow::Owned(output)
}

fn replacement_label(label: &str) -> Option<&'static str> {
    let bare_label = label.split('*').next().unwrap_or(label);
    if mail_parser::decoders::charsets::map::charset_decoder(bare_label.as_bytes()).is_some() {
        return None;
    }
    match charset::resolve(bare_label)? {
        Charset::Standard(encoding) if encoding.name() != bare_label => Some(encoding.name()),
        Charset::Standard(_) | Charset::Utf7 => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_header_is_borrowed() {
        let raw = b"Subject: hello\r\n\r\nbody";
        let prepared = normalise_header_block(raw);
        assert!(matches!(prepared.bytes, Cow::Borrowed(_)));
        assert_eq!(prepared.header_charset, None);
        assert_eq!(prepared.note, None);
    }

    #[test]
    fn big5_header_uses_body_charset() {
        let raw = b"Subject: \xbe\x69\xbc\xd6\xa6\x68\nContent-Type: text/plain; charset=big5\n\nbody\xff";
        let prepared = normalise_header_block(raw);
        assert!(prepared.bytes.starts_with("Subject: 養樂多\n".as_bytes()));
        assert!(prepared.bytes.ends_with(b"\n\nbody\xff"));
        assert_eq!(
            prepared.header_charset,
            Some(Charset::Standard(encoding_rs::BIG5))
        );
        assert!(prepared.note.unwrap().contains("Big5"));
    }

    #[test]
    fn koi8_header_is_detected() {
        let raw = b"Subject: \xd4\xc5\xd3\xd4 \xd4\xc5\xd3\xd4\n\n\xd4\xc5\xd3\xd4\n";
        let prepared = normalise_header_block(raw);
        assert!(
            prepared
                .bytes
                .starts_with("Subject: тест тест\n".as_bytes())
        );
        assert!(prepared.note.unwrap().contains("detected"));
    }

    #[test]
    fn unknown_word_label_is_renamed() {
        let raw = b"From: =?x-unknown-gbk?B?abc?= <a@b>\nSubject: =?windows-1252http-equivContent-Type?Q?m=E9?=\n\n";
        let prepared = normalise_header_block(raw);
        let text = String::from_utf8(prepared.bytes.into_owned()).unwrap();
        assert!(text.contains("Subject: =?windows-1252?Q?m=E9?="));
        assert!(text.contains("=?x-unknown-gbk?B?abc?="));
    }

    #[test]
    fn header_block_end_finds_empty_line() {
        assert_eq!(header_block_end(b"A: b\r\n\r\nbody"), 6);
        assert_eq!(header_block_end(b"A: b\n\nbody"), 5);
        assert_eq!(header_block_end(b"A: b\n"), 5);
        assert_eq!(header_block_end(b""), 0);
    }
}
