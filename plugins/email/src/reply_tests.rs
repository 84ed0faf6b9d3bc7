//! Tests of reply formatting. Each formatted message is read back with
//! mail-parser, the parser the adapter itself uses.

use kefu_plugin_sdk::adapter::exports::kefu::plugin::adapter::{Formatted, Guest, Reply};
use kefu_plugin_sdk::types::Party;
use mail_parser::{HeaderValue, MessageParser};

use crate::EmailAdapter;
use crate::reply::reply_subject;

/// 2024-12-04 08:13:20 UTC.
const SENT_AT: i64 = 1_733_300_000;

fn reply(subject: Option<&str>, body: &str) -> Reply {
    Reply {
        sender: Party {
            name: Some("Support Team".to_string()),
            address: "support@example.com".to_string(),
        },
        recipient: Party {
            name: Some("王芳".to_string()),
            address: "wang.fang@example.cn".to_string(),
        },
        subject: subject.map(str::to_string),
        body_text: body.to_string(),
        external_id: "kefu-reply-42@example.com".to_string(),
        replies_to: vec![
            "order-12345-2@example.cn".to_string(),
            "<order-12345-1@example.cn>".to_string(),
        ],
        thread_key: None,
        sent_at: SENT_AT,
    }
}

fn format(reply: Reply) -> Formatted {
    EmailAdapter::format_reply(reply).unwrap()
}

fn text(formatted: &Formatted) -> &str {
    std::str::from_utf8(&formatted.body).unwrap()
}

/// Returns the header section, unfolded, one header per line.
fn header_lines(formatted: &Formatted) -> Vec<String> {
    let message = text(formatted);
    let (headers, _) = message.split_once("\r\n\r\n").unwrap();
    headers
        .replace("\r\n ", " ")
        .split("\r\n")
        .map(str::to_string)
        .collect()
}

fn ids(value: &HeaderValue) -> Vec<String> {
    value
        .as_text_list()
        .unwrap_or_default()
        .iter()
        .map(|id| id.to_string())
        .collect()
}

#[test]
fn ascii_reply_headers() {
    let formatted = format(reply(
        Some("Order 12345"),
        "Hello,\nyour refund is on its way.\n",
    ));
    assert_eq!(
        header_lines(&formatted),
        [
            "From: Support Team <support@example.com>",
            "To: =?UTF-8?B?546L6Iqz?= <wang.fang@example.cn>",
            "Subject: Re: Order 12345",
            "Date: Wed, 4 Dec 2024 08:13:20 +0000",
            "Message-ID: <kefu-reply-42@example.com>",
            "In-Reply-To: <order-12345-2@example.cn>",
            "References: <order-12345-1@example.cn> <order-12345-2@example.cn>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ]
    );
    assert!(
        text(&formatted).ends_with("\r\n\r\nHello,\r\nyour refund is on its way.\r\n"),
        "{}",
        text(&formatted)
    );
}

#[test]
fn formatted_fields_besides_body() {
    let formatted = format(reply(Some("Order 12345"), "Hi"));
    assert_eq!(formatted.content_type, "message/rfc822");
    assert_eq!(formatted.subject.as_deref(), Some("Re: Order 12345"));
    assert_eq!(
        formatted.headers,
        [
            (
                "In-Reply-To".to_string(),
                "<order-12345-2@example.cn>".to_string()
            ),
            (
                "References".to_string(),
                "<order-12345-1@example.cn> <order-12345-2@example.cn>".to_string()
            ),
        ]
    );
}

#[test]
fn chinese_reply_reads_back() {
    let subject = "关于订单 12345 的退款申请，请尽快处理，谢谢您的耐心等待和理解与支持";
    let body = "王女士您好：\n\n退款已经处理，预计三个工作日内到账。\n如有疑问请回复本邮件。\n";
    let formatted = format(reply(Some(subject), body));
    assert!(
        header_lines(&formatted).contains(&"Content-Transfer-Encoding: base64".to_string()),
        "{}",
        text(&formatted)
    );

    let parsed = MessageParser::default().parse(&formatted.body).unwrap();
    assert_eq!(parsed.subject(), Some(format!("Re: {subject}").as_str()));
    let to = parsed.to().and_then(|to| to.first()).unwrap();
    assert_eq!(to.name(), Some("王芳"));
    assert_eq!(to.address(), Some("wang.fang@example.cn"));
    let from = parsed.from().and_then(|from| from.first()).unwrap();
    assert_eq!(from.name(), Some("Support Team"));
    assert_eq!(from.address(), Some("support@example.com"));
    assert_eq!(parsed.message_id(), Some("kefu-reply-42@example.com"));
    assert_eq!(ids(parsed.in_reply_to()), ["order-12345-2@example.cn"]);
    assert_eq!(
        ids(parsed.references()),
        ["order-12345-1@example.cn", "order-12345-2@example.cn"]
    );
    assert_eq!(parsed.date().map(|date| date.to_timestamp()), Some(SENT_AT));
    assert_eq!(parsed.body_text(0).unwrap().replace("\r\n", "\n"), body);
}

#[test]
fn long_lines_stay_within_limits() {
    let subject = "退款".repeat(40);
    let body = format!("{}\n{}\n", "a".repeat(200), "x = y ".repeat(40));
    let formatted = format(reply(Some(&subject), &body));
    for line in text(&formatted).split("\r\n") {
        assert!(
            line.len() <= 76,
            "line of {} characters: {line}",
            line.len()
        );
    }
    let parsed = MessageParser::default().parse(&formatted.body).unwrap();
    assert_eq!(parsed.subject(), Some(format!("Re: {subject}").as_str()));
    assert_eq!(parsed.body_text(0).unwrap().replace("\r\n", "\n"), body);
}

#[test]
fn quoted_printable_keeps_trailing_spaces() {
    let body = "Price: 5 = 5 \nMerci à vous\t\n";
    let formatted = format(reply(Some("Quote"), body));
    let message = text(&formatted);
    assert!(message.contains("Price: 5 =3D 5=20\r\n"), "{message}");
    assert!(message.contains("Merci =C3=A0 vous=09\r\n"), "{message}");
    let parsed = MessageParser::default().parse(&formatted.body).unwrap();
    assert_eq!(parsed.body_text(0).unwrap().replace("\r\n", "\n"), body);
}

#[test]
fn subject_prefix_added_once() {
    assert_eq!(reply_subject("Order 12345"), "Re: Order 12345");
    assert_eq!(reply_subject("Re: Order 12345"), "Re: Order 12345");
    assert_eq!(reply_subject("RE: Order 12345"), "RE: Order 12345");
    assert_eq!(reply_subject("re:Order"), "re:Order");
    assert_eq!(reply_subject("Regarding order"), "Re: Regarding order");
    assert_eq!(reply_subject("退款"), "Re: 退款");
}

#[test]
fn missing_subject_gives_no_subject_header() {
    let formatted = format(reply(None, "Hi"));
    assert_eq!(formatted.subject, None);
    assert!(
        !header_lines(&formatted)
            .iter()
            .any(|line| line.starts_with("Subject:"))
    );
}

#[test]
fn line_breaks_in_subject_start_no_header() {
    let formatted = format(reply(Some("Hi\r\nBcc: everyone@example.com"), "Hi"));
    let lines = header_lines(&formatted);
    assert!(
        lines.contains(&"Subject: Re: Hi  Bcc: everyone@example.com".to_string()),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|line| line.starts_with("Bcc:")),
        "{lines:?}"
    );
}

#[test]
fn name_with_specials_is_quoted() {
    let mut with_comma = reply(Some("Hi"), "Hi");
    with_comma.sender.name = Some("Kefu \"Support\", Shanghai".to_string());
    let formatted = format(with_comma);
    assert!(
        header_lines(&formatted)
            .contains(&r#"From: "Kefu \"Support\", Shanghai" <support@example.com>"#.to_string())
    );
    let parsed = MessageParser::default().parse(&formatted.body).unwrap();
    let from = parsed.from().and_then(|from| from.first()).unwrap();
    assert_eq!(from.name(), Some("Kefu \"Support\", Shanghai"));
}

#[test]
fn party_without_name_is_bare_address() {
    let mut without_name = reply(Some("Hi"), "Hi");
    without_name.recipient.name = None;
    let formatted = format(without_name);
    assert!(header_lines(&formatted).contains(&"To: wang.fang@example.cn".to_string()));
}

#[test]
fn reply_without_references_has_none() {
    let mut first = reply(Some("Hi"), "Hi");
    first.replies_to = vec!["not an id".to_string()];
    let formatted = format(first);
    assert!(formatted.headers.is_empty());
    let lines = header_lines(&formatted);
    assert!(!lines.iter().any(|line| line.starts_with("In-Reply-To:")));
    assert!(!lines.iter().any(|line| line.starts_with("References:")));
}

#[test]
fn invalid_recipient_fails() {
    for address in ["", "wang.fang", "wang fang@example.cn", "a@b>\r\nBcc: x@y"] {
        let mut bad = reply(Some("Hi"), "Hi");
        bad.recipient.address = address.to_string();
        let error = EmailAdapter::format_reply(bad).unwrap_err();
        assert!(error.contains("recipient address"), "{address:?}: {error}");
    }
}

#[test]
fn invalid_external_id_fails() {
    for id in ["", "<>", "two words@example.com"] {
        let mut bad = reply(Some("Hi"), "Hi");
        bad.external_id = id.to_string();
        let error = EmailAdapter::format_reply(bad).unwrap_err();
        assert!(error.contains("Message-ID"), "{id:?}: {error}");
    }
}

#[test]
fn send_time_out_of_range_fails() {
    for sent_at in [i64::MAX, -70_000_000_000] {
        let mut bad = reply(Some("Hi"), "Hi");
        bad.sent_at = sent_at;
        let error = EmailAdapter::format_reply(bad).unwrap_err();
        assert!(error.contains("out of range"), "{sent_at}: {error}");
    }
}

#[test]
fn recognition_lists_mail_formats() {
    let recognition = EmailAdapter::recognises();
    assert_eq!(recognition.extensions, ["eml", "mbox"]);
    assert_eq!(
        recognition.content_types,
        ["message/rfc822", "application/mbox"]
    );
    assert_eq!(recognition.webhook_path, None);
}
