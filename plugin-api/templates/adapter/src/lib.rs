//! {{name}}: a Kefu channel adapter.
//!
//! Reads plain-text mail: header lines up to the first empty line, then the
//! text of the message. It decodes no MIME parts, encoded words or dates, so
//! its probe scores low and Kefu's built-in `email` adapter keeps reading
//! real mail. Replace `probe`, `parse_mail` and `format_reply` with the
//! format of your channel.

use kefu_plugin_sdk::adapter::exports::kefu::plugin::adapter::{
    Formatted, Guest, Input, ParseError, Parsed, Recognition, Reply,
};
use kefu_plugin_sdk::types::{Channel, Direction, Message, Party};

/// Score returned for an input that starts with a header line. The built-in
/// `email` adapter scores `.eml` files 40 or more, so it wins them.
const PROBE_SCORE: u8 = 20;

/// Returns the file extensions and content types the adapter reads.
pub fn recognition() -> Recognition {
    Recognition {
        extensions: vec!["eml".to_string()],
        content_types: vec!["message/rfc822".to_string()],
        webhook_path: None,
    }
}

/// Scores an input from its first bytes: [`PROBE_SCORE`] when the first
/// line is a header such as `From: …`, else 0.
pub fn probe(head: &[u8]) -> u8 {
    let text = String::from_utf8_lossy(head);
    let first_line = text.lines().next().unwrap_or("");
    match first_line.split_once(':') {
        Some((name, _)) if is_header_name(name) => PROBE_SCORE,
        _ => 0,
    }
}

/// Parses one plain-text mail into a message.
pub fn parse_mail(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|error| ParseError::Malformed(format!("the mail is not UTF-8 text: {error}")))?
        .replace("\r\n", "\n");
    let (header_block, body) = text.split_once("\n\n").unwrap_or((text.as_str(), ""));
    let headers = unfold_headers(header_block);
    let header = |name: &str| {
        headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.clone())
    };
    let Some(from) = header("From") else {
        return Err(ParseError::Unsupported(
            "no From header in the header block; this adapter reads plain-text mail".to_string(),
        ));
    };
    let sender = party(&from);
    let message = Message {
        channel: Channel::Email,
        direction: Direction::Inbound,
        customer: sender.clone(),
        sender,
        sent_at: None,
        subject: header("Subject"),
        body_text: body.trim_end().to_string(),
        external_id: header("Message-ID").map(|id| strip_brackets(&id)),
        thread_key: None,
        replies_to: header("In-Reply-To")
            .map(|id| vec![strip_brackets(&id)])
            .unwrap_or_default(),
        automation: None,
        call: None,
        attachments: Vec::new(),
        raw_span: None,
        notes: vec!["the Date header is not read, so the send time is unknown".to_string()],
    };
    Ok(Parsed {
        messages: vec![message],
        rejected: Vec::new(),
    })
}

/// Formats a reply as a plain-text mail in reply to the customer's message.
pub fn format_reply(reply: &Reply) -> Formatted {
    let subject = reply.subject.as_ref().map(|subject| {
        if subject.to_ascii_lowercase().starts_with("re:") {
            subject.clone()
        } else {
            format!("Re: {subject}")
        }
    });
    let mut headers = Vec::new();
    if let Some(nearest) = reply.replies_to.first() {
        headers.push(("In-Reply-To".to_string(), format!("<{nearest}>")));
        let references: Vec<String> = reply
            .replies_to
            .iter()
            .rev()
            .map(|id| format!("<{id}>"))
            .collect();
        headers.push(("References".to_string(), references.join(" ")));
    }
    let mut mail = format!(
        "From: {}\nTo: {}\nMessage-ID: <{}>\n",
        address_line(&reply.sender),
        address_line(&reply.recipient),
        reply.external_id
    );
    if let Some(subject) = &subject {
        mail.push_str(&format!("Subject: {subject}\n"));
    }
    for (name, value) in &headers {
        mail.push_str(&format!("{name}: {value}\n"));
    }
    mail.push_str("Content-Type: text/plain; charset=UTF-8\n\n");
    mail.push_str(&reply.body_text);
    mail.push('\n');
    Formatted {
        subject,
        headers,
        content_type: "message/rfc822".to_string(),
        body: mail.into_bytes(),
    }
}

/// Returns the header lines as name and value, with continuation lines
/// (starting with a space or a tab) joined to the header they continue.
fn unfold_headers(block: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    headers
}

fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
}

/// Reads `Name <address>` or a bare address.
fn party(value: &str) -> Party {
    match value.rsplit_once('<') {
        Some((name, rest)) => {
            let name = name.trim().trim_matches('"').trim();
            Party {
                name: (!name.is_empty()).then(|| name.to_string()),
                address: rest.trim_end_matches('>').trim().to_string(),
            }
        }
        None => Party {
            name: None,
            address: value.trim().to_string(),
        },
    }
}

fn address_line(party: &Party) -> String {
    match &party.name {
        Some(name) => format!("{name} <{}>", party.address),
        None => party.address.clone(),
    }
}

fn strip_brackets(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string()
}

// Only the wasm32 export uses it.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Adapter;

impl Guest for Adapter {
    fn recognises() -> Recognition {
        recognition()
    }

    fn probe(_name: String, head: Vec<u8>) -> u8 {
        probe(&head)
    }

    fn parse(input: Input) -> Result<Parsed, ParseError> {
        parse_mail(&input.bytes)
    }

    fn format_reply(reply: Reply) -> Result<Formatted, String> {
        Ok(format_reply(&reply))
    }
}

// The exported symbol names contain `:`, which only a wasm32 link accepts.
#[cfg(target_arch = "wasm32")]
kefu_plugin_sdk::export_adapter!(Adapter);

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = include_bytes!("../samples/refund.eml");

    #[test]
    fn sample_parses_into_one_message() {
        let parsed = parse_mail(SAMPLE).unwrap();
        assert_eq!(parsed.messages.len(), 1);
        let message = &parsed.messages[0];
        assert_eq!(message.sender.address, "wang.fang@example.cn");
        assert_eq!(message.sender.name.as_deref(), Some("Wang Fang"));
        assert_eq!(message.subject.as_deref(), Some("Refund for order 12345"));
        assert_eq!(
            message.external_id.as_deref(),
            Some("refund-12345@example.cn")
        );
        assert!(
            message.body_text.contains("申请退款"),
            "{}",
            message.body_text
        );
    }

    #[test]
    fn mail_without_from_is_unsupported() {
        let result = parse_mail(b"Subject: hello\n\ntext\n");
        assert!(
            matches!(result, Err(ParseError::Unsupported(_))),
            "{result:?}"
        );
    }

    #[test]
    fn probe_scores_header_line_only() {
        assert_eq!(probe(SAMPLE), PROBE_SCORE);
        assert_eq!(probe(b"date,channel,messages\n"), 0);
    }

    #[test]
    fn reply_answers_the_customer_message() {
        let reply = Reply {
            sender: Party {
                name: Some("Support".to_string()),
                address: "support@example.com".to_string(),
            },
            recipient: Party {
                name: None,
                address: "wang.fang@example.cn".to_string(),
            },
            subject: Some("Refund for order 12345".to_string()),
            body_text: "您好，退款已办理。".to_string(),
            external_id: "reply-1@example.com".to_string(),
            replies_to: vec!["refund-12345@example.cn".to_string()],
            thread_key: None,
            sent_at: 1_733_300_000,
        };
        let formatted = format_reply(&reply);
        let mail = String::from_utf8(formatted.body).unwrap();
        assert!(
            mail.contains("Subject: Re: Refund for order 12345\n"),
            "{mail}"
        );
        assert!(
            mail.contains("In-Reply-To: <refund-12345@example.cn>\n"),
            "{mail}"
        );
        assert!(mail.ends_with("您好，退款已办理。\n"), "{mail}");
    }
}
