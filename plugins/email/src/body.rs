//! The readable text of a message and the text of its parts.
//!
//! mail-parser finds the parts, but this module decodes their bytes itself:
//! mail-parser falls back to lossy UTF-8 for charset labels it does not know
//! and gives up on quoted-printable after a missing closing boundary.

use mail_parser::{MessagePart, MimeHeaders, PartType};

use crate::html::html_to_text;
use kefu_charset::{self as charset, Charset};

/// Bytes of an HTML part searched for a `<meta charset>` declaration.
const META_CHARSET_SEARCH_LENGTH: usize = 1024;

/// Returns the readable text of a message: its text/plain parts, else its
/// HTML parts converted to text, joined by empty lines. `hint` is the
/// charset of raw 8-bit header text, used for parts that declare none.
pub fn body_text(
    message: &mail_parser::Message,
    hint: Option<Charset>,
    notes: &mut Vec<String>,
) -> String {
    let ids = if message.text_body.is_empty() {
        &message.html_body
    } else {
        &message.text_body
    };
    let mut sections = Vec::new();
    for part in ids.iter().filter_map(|&id| message.parts.get(id as usize)) {
        let text = match &part.body {
            PartType::Text(_) => {
                let text = part_text(message, part, hint, notes);
                if is_format_flowed(part) {
                    unflow(&text)
                } else {
                    text
                }
            }
            PartType::Html(_) => html_to_text(&part_text(message, part, hint, notes)),
            _ => continue,
        };
        let text = normalise_text(&text);
        if !text.is_empty() {
            sections.push(text);
        }
    }
    if sections.is_empty() {
        notes.push("The message has no text or HTML body.".to_string());
    }
    sections.join("\n\n")
}

/// Decodes a text part's bytes: transfer encoding first, then the charset
/// declared on the part (or, for HTML, in a `<meta charset>` tag), else the
/// detected one.
pub fn part_text(
    message: &mail_parser::Message,
    part: &MessagePart,
    hint: Option<Charset>,
    notes: &mut Vec<String>,
) -> String {
    let start = part.offset_body as usize;
    let end = part.offset_end as usize;
    let Some(raw) = message.raw_message.get(start..end.max(start)) else {
        // Offsets outside the message would be a mail-parser bug; its own
        // decoding is the best text left.
        return part.text_contents().unwrap_or_default().to_string();
    };
    let bytes = match part.content_transfer_encoding().map(str::trim) {
        Some(encoding) if encoding.eq_ignore_ascii_case("base64") => decode_base64(raw),
        Some(encoding) if encoding.eq_ignore_ascii_case("quoted-printable") => {
            decode_quoted_printable(raw)
        }
        _ => raw.to_vec(),
    };
    let mut label = part
        .content_type()
        .and_then(|content_type| content_type.attribute("charset"))
        .map(str::to_string);
    if label.is_none() && matches!(part.body, PartType::Html(_)) {
        label = meta_charset(&bytes);
    }
    let decoded = charset::decode_labelled(&bytes, label.as_deref(), hint);
    if let Some(note) = decoded.note
        && !notes.contains(&note)
    {
        notes.push(note);
    }
    decoded.text
}

/// Decodes base64, skipping characters outside the alphabet and tolerating
/// missing padding.
pub fn decode_base64(raw: &[u8]) -> Vec<u8> {
    let mut cleaned: Vec<u8> = raw
        .iter()
        .copied()
        .filter(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/'))
        .collect();
    // A single character left over encodes no byte.
    if cleaned.len() % 4 == 1 {
        cleaned.pop();
    }
    while !cleaned.len().is_multiple_of(4) {
        cleaned.push(b'=');
    }
    mail_parser::decoders::base64::base64_decode(&cleaned).unwrap_or_default()
}

/// Decodes quoted-printable. A malformed escape is kept as it is, and line
/// breaks become LF.
pub fn decode_quoted_printable(raw: &[u8]) -> Vec<u8> {
    let mut output = Vec::with_capacity(raw.len());
    let mut lines = raw.split(|&byte| byte == b'\n').peekable();
    while let Some(line) = lines.next() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // Trailing white space is padding added in transport (RFC 2045).
        let line = line.trim_ascii_end();
        let (line, soft_break) = match line.strip_suffix(b"=") {
            Some(stripped) => (stripped, true),
            None => (line, false),
        };
        let mut index = 0;
        while index < line.len() {
            let escaped = (line[index] == b'=')
                .then(|| line.get(index + 1..index + 3))
                .flatten()
                .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok());
            match escaped {
                Some(byte) => {
                    output.push(byte);
                    index += 3;
                }
                None => {
                    output.push(line[index]);
                    index += 1;
                }
            }
        }
        if !soft_break && lines.peek().is_some() {
            output.push(b'\n');
        }
    }
    output
}

/// Returns the charset named by `<meta charset="…">` or by
/// `<meta http-equiv="Content-Type" content="…; charset=…">` near the start
/// of an HTML document.
fn meta_charset(html: &[u8]) -> Option<String> {
    let head = &html[..html.len().min(META_CHARSET_SEARCH_LENGTH)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let position = head.find("charset=")?;
    let value = head[position + "charset=".len()..].trim_start_matches(['"', '\'', ' ']);
    let label: String = value
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    Some(label).filter(|label| !label.is_empty())
}

fn is_format_flowed(part: &MessagePart) -> bool {
    part.content_type()
        .and_then(|content_type| content_type.attribute("format"))
        .is_some_and(|format| format.eq_ignore_ascii_case("flowed"))
}

/// Joins the soft line breaks of `format=flowed` text (RFC 3676): a line
/// that ends in a space continues on the next line with the same quote
/// depth. The signature separator `-- ` is a hard break.
fn unflow(text: &str) -> String {
    let mut output = String::with_capacity(text.len());
    let mut open_depth: Option<usize> = None;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let depth = line.chars().take_while(|&c| c == '>').count();
        let content = &line[depth..];
        let content = content.strip_prefix(' ').unwrap_or(content);
        match open_depth {
            Some(open) if open == depth => output.push_str(content),
            Some(_) => {
                output.push('\n');
                push_quoted(&mut output, depth, content);
            }
            None => {
                if !output.is_empty() {
                    output.push('\n');
                }
                push_quoted(&mut output, depth, content);
            }
        }
        let is_soft = content.ends_with(' ') && content != "-- ";
        open_depth = is_soft.then_some(depth);
    }
    output
}

fn push_quoted(output: &mut String, depth: usize, content: &str) {
    if depth > 0 {
        output.push_str(&">".repeat(depth));
        output.push(' ');
    }
    output.push_str(content);
}

/// Uses LF line breaks, drops NUL and other control characters except tab,
/// trims trailing white space from lines and blank lines from both ends.
fn normalise_text(text: &str) -> String {
    let lines: Vec<String> = text
        .split('\n')
        .map(|line| {
            line.chars()
                .filter(|&c| c == '\t' || !c.is_control())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect();
    let first = lines.iter().position(|line| !line.is_empty());
    let last = lines.iter().rposition(|line| !line.is_empty());
    match (first, last) {
        (Some(first), Some(last)) => lines[first..=last].join("\n"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_soft_breaks_join() {
        let raw = b"caf=C3=A9 is =\r\nopen=\r\n\r\nnext line  \r\n";
        assert_eq!(
            decode_quoted_printable(raw),
            "café is open\nnext line\n".as_bytes()
        );
    }

    #[test]
    fn quoted_printable_keeps_bad_escapes() {
        assert_eq!(decode_quoted_printable(b"a=ZZb=4"), b"a=ZZb=4");
        assert_eq!(decode_quoted_printable(b"=A9`=A5"), b"\xa9`\xa5");
    }

    #[test]
    fn base64_tolerates_noise() {
        assert_eq!(decode_base64(b"SGVs\r\nbG8\r\n"), b"Hello");
        assert_eq!(decode_base64(b"SGk!h"), b"Hi!");
        assert_eq!(decode_base64(b""), b"");
    }

    #[test]
    fn meta_charset_is_found() {
        assert_eq!(
            meta_charset(b"<meta charset=\"utf-8\">").as_deref(),
            Some("utf-8")
        );
        let http_equiv =
            b"<META content=\"text/html; charset=windows-1252\" http-equiv=Content-Type>";
        assert_eq!(meta_charset(http_equiv).as_deref(), Some("windows-1252"));
        assert_eq!(meta_charset(b"<p>no meta</p>"), None);
    }

    #[test]
    fn flowed_lines_join() {
        let text =
            "> Dear friend:\n> I'm having some \n> problems.\n\nWhat OS \nare you on?\n-- \nSig";
        assert_eq!(
            unflow(text),
            "> Dear friend:\n> I'm having some problems.\n\nWhat OS are you on?\n-- \nSig"
        );
    }

    #[test]
    fn text_is_normalised() {
        assert_eq!(
            normalise_text("\r\n\r\nline one \r\nline\0 two\r\n\r\n"),
            "line one\nline two"
        );
        assert_eq!(normalise_text(" \n \n"), "");
    }
}
