//! Formats an agent's reply as an RFC 5322 message.
//!
//! The message is a single `text/plain; charset=utf-8` part whose body is
//! quoted-printable or base64, whichever is shorter (RFC 2045). Display
//! names and a subject that are not plain ASCII become RFC 2047 encoded
//! words. Header lines are folded at 76 characters where the header has
//! spaces to fold at, and every line ends in CRLF.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Datelike};
use kefu_plugin_sdk::adapter::exports::kefu::plugin::adapter::{Formatted, Reply};
use kefu_plugin_sdk::types::Party;

/// MIME type of a formatted reply.
pub const CONTENT_TYPE: &str = "message/rfc822";

/// Maximum length of a header line, without the CRLF: RFC 2047 allows 76
/// characters on a line with encoded words, and RFC 5322 recommends 78 for
/// every line.
const HEADER_LINE_LENGTH: usize = 76;

/// Line length RFC 2045 allows for quoted-printable and base64 bodies,
/// without the CRLF.
const BODY_LINE_LENGTH: usize = 76;

/// Input bytes per RFC 2047 encoded word: 39 bytes give 52 base64
/// characters, so with `=?UTF-8?B?` and `?=` a word has 64 characters and
/// fits on a line after `Subject: ` or a folding space.
const ENCODED_WORD_BYTES: usize = 39;

/// Formats a reply as a mail message. Fails when an address, the reply's
/// external id or its send time cannot be written into the message.
pub fn format_reply(reply: &Reply) -> Result<Formatted, String> {
    let message_id = msg_id(&reply.external_id).ok_or_else(|| {
        format!(
            "The reply's external id {:?} cannot be used as a Message-ID: it must be non-empty \
             printable ASCII without spaces or angle brackets, for example `reply-1@example.com`.",
            reply.external_id
        )
    })?;
    let from = mailbox(&reply.sender, "sender")?;
    let to = mailbox(&reply.recipient, "recipient")?;
    // RFC 5322 dates have a year of four digits, and chrono panics on others.
    let date = DateTime::from_timestamp(reply.sent_at, 0)
        .filter(|date| (0..=9999).contains(&date.year()))
        .ok_or_else(|| {
            format!(
                "The reply's send time {} is out of range for a mail date (years 0 to 9999).",
                reply.sent_at
            )
        })?
        .to_rfc2822();
    let subject = reply.subject.as_deref().map(reply_subject);

    // Ids that cannot be written as a msg-id are left out: a thread
    // reference is a hint for mail clients, and one odd stored id must not
    // stop the reply.
    let mut referenced: Vec<String> = Vec::new();
    for id in reply.replies_to.iter().filter_map(|id| msg_id(id)) {
        if !referenced.contains(&id) {
            referenced.push(id);
        }
    }
    let in_reply_to = referenced.first().cloned();
    // `replies-to` lists the nearest message first, but References lists
    // the oldest first and ends with the parent's id (RFC 5322, 3.6.4).
    let references = (!referenced.is_empty()).then(|| {
        referenced
            .iter()
            .rev()
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    });

    let mut headers = String::new();
    push_header(&mut headers, "From", &from);
    push_header(&mut headers, "To", &to);
    if let Some(subject) = &subject {
        push_header(&mut headers, "Subject", &unstructured(subject));
    }
    push_header(&mut headers, "Date", &date);
    push_header(&mut headers, "Message-ID", &message_id);
    if let Some(in_reply_to) = &in_reply_to {
        push_header(&mut headers, "In-Reply-To", in_reply_to);
    }
    if let Some(references) = &references {
        push_header(&mut headers, "References", references);
    }
    push_header(&mut headers, "MIME-Version", "1.0");
    push_header(&mut headers, "Content-Type", "text/plain; charset=utf-8");
    let (encoding, body) = encode_body(&reply.body_text);
    push_header(&mut headers, "Content-Transfer-Encoding", encoding);

    let mut message = headers;
    message.push_str("\r\n");
    message.push_str(&body);

    let transport_headers = [("In-Reply-To", in_reply_to), ("References", references)]
        .into_iter()
        .filter_map(|(name, value)| Some((name.to_string(), value?)))
        .collect();
    Ok(Formatted {
        subject,
        headers: transport_headers,
        content_type: CONTENT_TYPE.to_string(),
        body: message.into_bytes(),
    })
}

/// Returns the subject of a reply: the conversation's subject with `Re: `
/// in front, unless it already starts with `Re:` in any letter case.
pub fn reply_subject(subject: &str) -> String {
    let subject = single_line(subject);
    let subject = subject.trim();
    let has_prefix = subject
        .get(..3)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("re:"));
    if has_prefix {
        subject.to_string()
    } else {
        format!("Re: {subject}")
    }
}

/// Returns `<id>` for an id that is valid inside a msg-id: printable ASCII
/// without spaces or angle brackets. Surrounding angle brackets and spaces
/// are removed first, as stored ids may carry them.
fn msg_id(id: &str) -> Option<String> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    let valid = !id.is_empty()
        && id
            .bytes()
            .all(|byte| byte.is_ascii_graphic() && byte != b'<' && byte != b'>');
    valid.then(|| format!("<{id}>"))
}

/// Writes a party as an RFC 5322 mailbox: `name <address>`, or the bare
/// address when the party has no name.
fn mailbox(party: &Party, role: &str) -> Result<String, String> {
    let address = party.address.trim();
    if !is_address(address) {
        return Err(format!(
            "The {role} address {:?} is not an email address; it must look like \
             `name@example.com`.",
            party.address
        ));
    }
    let name = party.name.as_deref().map(single_line);
    match name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => Ok(format!("{} <{address}>", phrase(name))),
        _ => Ok(address.to_string()),
    }
}

/// Checks the shape of an address: one `@` with text on both sides and no
/// spaces, control characters or characters that end an address in a
/// header. Quoted local parts are not accepted.
fn is_address(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let forbidden = |character: char| {
        character.is_whitespace()
            || character.is_control()
            || matches!(
                character,
                '<' | '>' | '(' | ')' | ',' | ';' | ':' | '"' | '\\' | '[' | ']' | '@'
            )
    };
    !local.is_empty()
        && !domain.is_empty()
        && !address.contains("..")
        && !local.contains(forbidden)
        && !domain.contains(forbidden)
}

/// Writes a display name: as it is when it is made of atoms, as a quoted
/// string when it is other ASCII, and as encoded words otherwise.
fn phrase(name: &str) -> String {
    if !name.is_ascii() || name.contains("=?") {
        return encoded_words(name).join(" ");
    }
    let is_atext =
        |byte: u8| byte.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&byte);
    if name
        .split(' ')
        .all(|word| !word.is_empty() && word.bytes().all(is_atext))
    {
        return name.to_string();
    }
    let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

/// Writes unstructured header text (a subject), as encoded words when it is
/// not plain ASCII or could be mistaken for encoded words.
fn unstructured(text: &str) -> String {
    if text.is_ascii() && !text.contains("=?") {
        text.to_string()
    } else {
        encoded_words(text).join(" ")
    }
}

/// Splits text into RFC 2047 `B` encoded words of at most
/// [`ENCODED_WORD_BYTES`] input bytes each, never inside a character.
fn encoded_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + ENCODED_WORD_BYTES).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        words.push(format!("=?UTF-8?B?{}?=", BASE64.encode(&text[start..end])));
        start = end;
    }
    words
}

/// Replaces line breaks, tabs and other control characters with spaces,
/// so that a value cannot start a header of its own.
fn single_line(text: &str) -> String {
    text.chars()
        .map(|character| {
            if character.is_control() {
                ' '
            } else {
                character
            }
        })
        .collect()
}

/// Appends `Name: value` and CRLF, folding before a space wherever the line
/// would pass [`HEADER_LINE_LENGTH`]. A word longer than a line stays whole.
fn push_header(headers: &mut String, name: &str, value: &str) {
    let mut line_length = name.len() + 1;
    headers.push_str(name);
    headers.push(':');
    for word in value.split(' ') {
        if line_length + 1 + word.len() > HEADER_LINE_LENGTH && line_length > name.len() + 1 {
            headers.push_str("\r\n");
            line_length = 0;
        }
        headers.push(' ');
        headers.push_str(word);
        line_length += 1 + word.len();
    }
    headers.push_str("\r\n");
}

/// Encodes the body text with CRLF line breaks, as quoted-printable or
/// base64, whichever is shorter. Returns the encoding's name and the body.
fn encode_body(text: &str) -> (&'static str, String) {
    let text = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n");
    let quoted = quoted_printable(&text);
    let base64 = base64_lines(text.as_bytes());
    if quoted.len() <= base64.len() {
        ("quoted-printable", quoted)
    } else {
        ("base64", base64)
    }
}

/// Encodes text whose lines end in CRLF as quoted-printable (RFC 2045,
/// 6.7), with soft line breaks so that no line passes [`BODY_LINE_LENGTH`].
fn quoted_printable(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len() + text.len() / 8);
    for (index, line) in text.split("\r\n").enumerate() {
        if index > 0 {
            encoded.push_str("\r\n");
        }
        let bytes = line.as_bytes();
        let mut line_length = 0;
        for (position, &byte) in bytes.iter().enumerate() {
            let is_last = position + 1 == bytes.len();
            // Transport may remove spaces and tabs at the end of a line
            // (RFC 2045, 6.7), so they are encoded there.
            let literal = matches!(byte, b'!'..=b'<' | b'>'..=b'~')
                || (matches!(byte, b' ' | b'\t') && !is_last);
            let width = if literal { 1 } else { 3 };
            // A soft line break needs room for its `=`, except after the
            // line's last character.
            let limit = if is_last {
                BODY_LINE_LENGTH
            } else {
                BODY_LINE_LENGTH - 1
            };
            if line_length + width > limit {
                encoded.push_str("=\r\n");
                line_length = 0;
            }
            if literal {
                encoded.push(char::from(byte));
            } else {
                encoded.push_str(&format!("={byte:02X}"));
            }
            line_length += width;
        }
    }
    encoded
}

/// Encodes bytes as base64 in lines of [`BODY_LINE_LENGTH`] characters.
fn base64_lines(bytes: &[u8]) -> String {
    let encoded = BASE64.encode(bytes);
    // Base64 output is ASCII, so every byte index is a character boundary.
    let lines: Vec<&str> = (0..encoded.len())
        .step_by(BODY_LINE_LENGTH)
        .map(|start| &encoded[start..(start + BODY_LINE_LENGTH).min(encoded.len())])
        .collect();
    lines.join("\r\n")
}
