//! Turning one mail message into a Kefu message.

use std::collections::HashSet;

use kefu_plugin_sdk::adapter::kefu::plugin::types::{Channel, Direction, Message, Party};
use mail_parser::{HeaderName, HeaderValue, MessageParser, MimeHeaders};

use crate::attachments::attachments;
use crate::automation::{self, Signals};
use crate::body::body_text;
use crate::encoded_word::{clean_header_text, decode_unstructured, unfold};
use crate::prepare::normalise_header_block;
use kefu_charset as charset;

/// Maximum subject length in characters. Longer subjects are cut, so that a
/// hostile header cannot fill the ticket list.
pub const MAX_SUBJECT_CHARS: usize = 1000;

/// Headers of which a message must have at least one to count as mail.
const MAIL_HEADERS: &[&str] = &[
    "From",
    "Sender",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Received",
    "Return-Path",
    "MIME-Version",
    "Content-Type",
    "Delivered-To",
];

/// Converts the raw bytes of one message. Returns the reason, in words for
/// the support team, when the bytes are not a mail message.
pub fn convert(raw: &[u8]) -> Result<Message, String> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err("the message is empty".to_string());
    }
    let prepared = normalise_header_block(raw);
    let Some(parsed) = MessageParser::default().parse(prepared.bytes.as_ref()) else {
        return Err("no mail header lines were found".to_string());
    };
    let has_mail_header = parsed.root_part().headers.iter().any(|header| {
        MAIL_HEADERS
            .iter()
            .any(|name| header.name.as_str().eq_ignore_ascii_case(name))
    });
    if !has_mail_header {
        return Err(
            "no mail headers were found (a message starts with headers such as From:, Date: or Subject:)"
                .to_string(),
        );
    }

    let mut notes: Vec<String> = prepared.note.into_iter().collect();
    let headers = RawHeaders { message: &parsed };
    let subject = subject(&parsed, &headers, &mut notes);
    let sender = sender(&parsed, &headers, &mut notes);
    let sent_at = sent_at(&parsed, &headers, &mut notes);
    let body_text = body_text(&parsed, prepared.header_charset, &mut notes);
    let automation = automation::detect(&signals(&parsed, &headers, &sender, subject.as_deref()));

    Ok(Message {
        channel: Channel::Email,
        direction: Direction::Inbound,
        customer: sender.clone(),
        sender,
        sent_at,
        subject,
        body_text,
        external_id: parsed
            .message_id()
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_string),
        thread_key: None,
        replies_to: replies_to(&parsed),
        automation,
        call: None,
        attachments: attachments(&parsed),
        raw_span: None,
        notes,
    })
}

/// Raw, undecoded values of the top-level headers.
struct RawHeaders<'m> {
    message: &'m mail_parser::Message<'m>,
}

impl<'m> RawHeaders<'m> {
    /// Returns the raw values of every header with this name, in order,
    /// still folded.
    fn all(&self, name: &str) -> Vec<&'m str> {
        self.message
            .root_part()
            .headers
            .iter()
            .filter(|header| header.name.as_str().eq_ignore_ascii_case(name))
            .filter_map(|header| {
                let raw = self
                    .message
                    .raw_message
                    .get(header.offset_start as usize..header.offset_end as usize)?;
                std::str::from_utf8(raw).ok()
            })
            .collect()
    }

    fn first(&self, name: &str) -> Option<&'m str> {
        self.all(name).into_iter().next()
    }
}

/// Returns the charset label declared on the first text part.
fn declared_body_label<'m>(message: &'m mail_parser::Message) -> Option<&'m str> {
    message
        .text_body
        .iter()
        .chain(message.html_body.iter())
        .filter_map(|&id| message.parts.get(id as usize))
        .find_map(|part| part.content_type()?.attribute("charset"))
}

fn subject(
    message: &mail_parser::Message,
    headers: &RawHeaders,
    notes: &mut Vec<String>,
) -> Option<String> {
    let raw = headers.first("Subject")?;
    let mut subject = decode_unstructured(raw);

    // Raw 8-bit text that is Latin-1 mojibake of the body's East Asian
    // charset is converted back.
    if !raw.contains("=?")
        && let Some(label) = declared_body_label(message)
        && let Some(charset) = charset::resolve(label)
        && let Some(repaired) = charset::repair_latin1_mojibake(&subject, charset)
    {
        subject = clean_header_text(&repaired);
        notes.push(format!(
            "The subject was {label} bytes stored as Latin-1 mojibake, so it was converted back."
        ));
    }

    let length = subject.chars().count();
    if length > MAX_SUBJECT_CHARS {
        subject = subject.chars().take(MAX_SUBJECT_CHARS).collect();
        notes.push(format!(
            "The subject had {length} characters, so only the first {MAX_SUBJECT_CHARS} were kept."
        ));
    }
    Some(subject).filter(|subject| !subject.is_empty())
}

/// Returns the sender from `From`, else `Sender`, else `Return-Path`.
fn sender(message: &mail_parser::Message, headers: &RawHeaders, notes: &mut Vec<String>) -> Party {
    let address_of = |address: Option<&mail_parser::Address>| {
        let addr = address?.first()?;
        let email = addr.address.as_deref().map(str::trim).unwrap_or("");
        let name = addr
            .name
            .as_deref()
            .map(clean_header_text)
            .filter(|name| !name.is_empty());
        (!email.is_empty() || name.is_some()).then(|| Party {
            name,
            address: email.to_string(),
        })
    };
    if let Some(party) = address_of(message.from()) {
        return party;
    }
    if let Some(party) = address_of(message.sender()) {
        notes.push(
            "The message has no From header, so the sender was taken from Sender.".to_string(),
        );
        return party;
    }
    let return_path = headers
        .first("Return-Path")
        .map(|raw| clean_header_text(&unfold(raw)))
        .map(|path| path.trim_matches(['<', '>']).trim().to_string())
        .filter(|path| !path.is_empty());
    if let Some(address) = return_path {
        notes.push(
            "The message has no From header, so the sender was taken from Return-Path.".to_string(),
        );
        return Party {
            name: None,
            address,
        };
    }
    notes.push(
        "The message has no From, Sender or Return-Path header, so the sender is unknown."
            .to_string(),
    );
    Party {
        name: None,
        address: String::new(),
    }
}

/// Returns the send time from `Date`, else from the newest `Received`
/// header, with a note whenever `Date` could not be used.
fn sent_at(
    message: &mail_parser::Message,
    headers: &RawHeaders,
    notes: &mut Vec<String>,
) -> Option<i64> {
    if let Some(date) = message.date()
        && date.is_valid()
    {
        return Some(date.to_timestamp());
    }
    let problem = match headers
        .first("Date")
        .map(|raw| clean_header_text(&unfold(raw)))
    {
        None => "The Date header is missing".to_string(),
        Some(value) if value.is_empty() => "The Date header is empty".to_string(),
        Some(value) => format!("The Date header {value:?} is not a valid date"),
    };
    match newest_received_time(message, headers) {
        Some(time) => {
            notes.push(format!(
                "{problem}, so the send time was taken from the newest Received header."
            ));
            Some(time)
        }
        None => {
            notes.push(format!(
                "{problem} and no Received header has a date, so the send time is unknown."
            ));
            None
        }
    }
}

/// Returns the date of the topmost `Received` header that has a valid one.
/// Each relay adds its header at the top, so the topmost is the newest.
fn newest_received_time(message: &mail_parser::Message, headers: &RawHeaders) -> Option<i64> {
    let parsed_dates = message
        .root_part()
        .headers
        .iter()
        .filter(|header| header.name == HeaderName::Received)
        .map(|header| match &header.value {
            HeaderValue::Received(received) => received.date,
            _ => None,
        });
    let raw_dates = headers.all("Received").into_iter().map(|raw| {
        // The date follows the last semicolon (RFC 5322 section 3.6.7).
        let text = clean_header_text(&unfold(raw));
        let date = text.rsplit(';').next()?.trim().to_string();
        mail_parser::DateTime::parse_rfc822(&date)
    });
    parsed_dates
        .zip(raw_dates)
        .find_map(|(parsed, raw)| {
            parsed
                .filter(|date| date.is_valid())
                .or(raw.filter(|date| date.is_valid()))
        })
        .map(|date| date.to_timestamp())
}

/// Returns the ids from `In-Reply-To`, then from `References` newest first,
/// without duplicates or empty values.
fn replies_to(message: &mail_parser::Message) -> Vec<String> {
    let ids_of = |value: &HeaderValue| -> Vec<String> {
        value
            .as_text_list()
            .unwrap_or_default()
            .iter()
            .map(|id| id.trim().trim_matches(['<', '>']).trim().to_string())
            .filter(|id| !id.is_empty())
            .collect()
    };
    let mut ids = ids_of(message.in_reply_to());
    ids.extend(ids_of(message.references()).into_iter().rev());
    let mut seen = HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    ids
}

fn signals<'m>(
    message: &'m mail_parser::Message,
    headers: &RawHeaders<'m>,
    sender: &'m Party,
    subject: Option<&'m str>,
) -> Signals<'m> {
    let content_type = message.content_type();
    let autoreply_headers = ["X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"]
        .into_iter()
        .filter_map(|name| headers.first(name).map(|value| (name, value.trim())))
        .collect();
    Signals {
        auto_submitted: headers.all("Auto-Submitted"),
        precedence: headers.all("Precedence"),
        autoreply_headers,
        return_path: headers.first("Return-Path"),
        content_type: content_type.map(|content_type| {
            format!(
                "{}/{}",
                content_type.ctype(),
                content_type.subtype().unwrap_or("")
            )
            .to_ascii_lowercase()
        }),
        report_type: content_type
            .and_then(|content_type| content_type.attribute("report-type"))
            .map(|report_type| report_type.trim().to_ascii_lowercase()),
        from_address: Some(sender.address.as_str()).filter(|address| !address.is_empty()),
        subject,
    }
}
