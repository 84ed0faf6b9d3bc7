//! Recognising machine-generated mail: bounces, auto-replies and bulk mail.
//!
//! The support desk must never open a ticket for, or auto-reply to, such
//! a message, or two robots can mail each other forever.

use kefu_plugin_sdk::adapter::kefu::plugin::types::{Automation, AutomationKind};

/// Header values that automation detection checks.
#[derive(Default)]
pub struct Signals<'a> {
    /// Raw values of every `Auto-Submitted` header.
    pub auto_submitted: Vec<&'a str>,
    /// Raw values of every `Precedence` header.
    pub precedence: Vec<&'a str>,
    /// Names of the `X-Autoreply`, `X-Autorespond` and
    /// `X-Auto-Response-Suppress` headers present, with their values.
    pub autoreply_headers: Vec<(&'a str, &'a str)>,
    /// Raw value of `Return-Path`, when present.
    pub return_path: Option<&'a str>,
    /// Top-level content type, lower case, for example `multipart/report`.
    pub content_type: Option<String>,
    /// `report-type` parameter of a `multipart/report`, lower case.
    pub report_type: Option<String>,
    /// Sender address from `From`.
    pub from_address: Option<&'a str>,
    /// Decoded subject.
    pub subject: Option<&'a str>,
}

/// Subject prefixes of out-of-office and other automatic replies, lower
/// case, from Outlook, Exchange, Gmail and Chinese and Japanese clients.
const AUTO_REPLY_SUBJECT_PREFIXES: &[&str] = &[
    "automatic reply:",
    "auto reply:",
    "auto-reply:",
    "autoreply:",
    "auto response:",
    "auto-response:",
    "out of office",
    "out of the office",
    "自动回复",
    "自動回覆",
    "自動回复",
    "自動応答",
    "自動返信",
    "不在通知",
    "abwesenheitsnotiz",
    "réponse automatique",
];

/// Subject prefixes of delivery failure reports from common mail servers,
/// lower case. A forwarded report ("Fwd: Returned mail: …") does not match,
/// because a person sent it.
const BOUNCE_SUBJECT_PREFIXES: &[&str] = &[
    "undeliverable:",
    "undelivered mail returned to sender",
    "undeliverable mail",
    "delivery status notification (failure)",
    "delivery status notification (delay)",
    "delivery failure",
    "delivery notification: delivery has failed",
    "returned mail:",
    "mail delivery failed",
    "mail delivery failure",
    "failure notice",
    "mail system error",
    "message delivery failure",
    "nondeliverable mail",
    "non-delivery report",
    "メール送信エラー",
    "未送達",
    "退信",
    "系统退信",
];

/// Local parts of addresses that only mail servers send from.
const SYSTEM_SENDERS: &[&str] = &["mailer-daemon", "postmaster"];

/// Decides whether a message is machine-generated, and of which kind.
///
/// Checks run from the strongest evidence to the weakest, so a bounce that
/// also carries `Precedence: bulk` is reported as a bounce.
pub fn detect(signals: &Signals) -> Option<Automation> {
    let found = |kind: AutomationKind, evidence: String| Some(Automation { kind, evidence });

    if signals.content_type.as_deref() == Some("multipart/report") {
        let report_type = signals.report_type.as_deref().unwrap_or("");
        let kind = if report_type == "disposition-notification" {
            AutomationKind::AutoReply
        } else {
            AutomationKind::Bounce
        };
        let evidence = if report_type.is_empty() {
            "Content-Type: multipart/report".to_string()
        } else {
            format!("Content-Type: multipart/report; report-type={report_type}")
        };
        return found(kind, evidence);
    }
    if let Some(address) = signals.from_address {
        let local_part = address
            .split('@')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if SYSTEM_SENDERS.contains(&local_part.as_str()) {
            return found(AutomationKind::Bounce, format!("From: {address}"));
        }
    }
    let subject = signals.subject.map(str::to_lowercase).unwrap_or_default();
    if let Some(prefix) = BOUNCE_SUBJECT_PREFIXES
        .iter()
        .find(|prefix| subject.starts_with(*prefix))
    {
        return found(
            AutomationKind::Bounce,
            format!("Subject starts with {prefix:?}"),
        );
    }
    for value in &signals.auto_submitted {
        let keyword = auto_submitted_keyword(value);
        if keyword.is_empty() || keyword == "no" {
            continue;
        }
        // A comment such as "auto-generated (failure)" marks a bounce.
        let kind = if value.to_ascii_lowercase().contains("failure") {
            AutomationKind::Bounce
        } else {
            AutomationKind::AutoReply
        };
        return found(kind, format!("Auto-Submitted: {}", value.trim()));
    }
    if let Some((name, value)) = signals.autoreply_headers.first() {
        return found(
            AutomationKind::AutoReply,
            format!("{name}: {}", value.trim()),
        );
    }
    if let Some(prefix) = AUTO_REPLY_SUBJECT_PREFIXES
        .iter()
        .find(|prefix| subject.starts_with(*prefix))
    {
        return found(
            AutomationKind::AutoReply,
            format!("Subject starts with {prefix:?}"),
        );
    }
    for value in &signals.precedence {
        let precedence = value.trim().to_ascii_lowercase();
        if ["bulk", "junk", "list"].contains(&precedence.as_str()) {
            return found(AutomationKind::Bulk, format!("Precedence: {precedence}"));
        }
    }
    if signals.return_path.is_some_and(|path| path.trim() == "<>") {
        // Mail servers send delivery notifications with an empty envelope
        // sender (RFC 2821, section 3.7), and automatic responders usually
        // do the same, so that nothing replies to them.
        return found(AutomationKind::AutoReply, "Return-Path: <>".to_string());
    }
    None
}

/// Returns the keyword of an `Auto-Submitted` value, lower case, without
/// comments and parameters: `auto-generated (failure)` gives `auto-generated`.
fn auto_submitted_keyword(value: &str) -> String {
    value
        .split(['(', ';'])
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_and_evidence(signals: &Signals) -> Option<(AutomationKind, String)> {
        detect(signals).map(|automation| (automation.kind, automation.evidence))
    }

    #[test]
    fn plain_mail_is_not_automated() {
        let signals = Signals {
            auto_submitted: vec!["no"],
            return_path: Some("<customer@example.com>"),
            from_address: Some("customer@example.com"),
            subject: Some("Re: my order"),
            ..Signals::default()
        };
        assert!(detect(&signals).is_none());
    }

    #[test]
    fn delivery_report_is_bounce() {
        let signals = Signals {
            content_type: Some("multipart/report".to_string()),
            report_type: Some("delivery-status".to_string()),
            precedence: vec!["bulk"],
            ..Signals::default()
        };
        let (kind, evidence) = kind_and_evidence(&signals).unwrap();
        assert_eq!(kind, AutomationKind::Bounce);
        assert_eq!(
            evidence,
            "Content-Type: multipart/report; report-type=delivery-status"
        );
    }

    #[test]
    fn read_receipt_is_auto_reply() {
        let signals = Signals {
            content_type: Some("multipart/report".to_string()),
            report_type: Some("disposition-notification".to_string()),
            ..Signals::default()
        };
        assert_eq!(detect(&signals).unwrap().kind, AutomationKind::AutoReply);
    }

    #[test]
    fn auto_submitted_comment_is_ignored() {
        let signals = Signals {
            auto_submitted: vec!["auto-generated (failure)"],
            ..Signals::default()
        };
        let (kind, evidence) = kind_and_evidence(&signals).unwrap();
        assert_eq!(kind, AutomationKind::Bounce);
        assert_eq!(evidence, "Auto-Submitted: auto-generated (failure)");

        let signals = Signals {
            auto_submitted: vec!["auto-replied"],
            ..Signals::default()
        };
        assert_eq!(detect(&signals).unwrap().kind, AutomationKind::AutoReply);

        let signals = Signals {
            auto_submitted: vec!["No (a person wrote this)"],
            ..Signals::default()
        };
        assert!(detect(&signals).is_none());
    }

    #[test]
    fn system_sender_is_bounce() {
        for address in [
            "MAILER-DAEMON@example.com",
            "postmaster@example.no",
            "MAILER-DAEMON",
        ] {
            let signals = Signals {
                from_address: Some(address),
                ..Signals::default()
            };
            let (kind, evidence) = kind_and_evidence(&signals).unwrap();
            assert_eq!(kind, AutomationKind::Bounce, "{address}");
            assert_eq!(evidence, format!("From: {address}"));
        }
    }

    #[test]
    fn outlook_subject_is_auto_reply() {
        for subject in [
            "Automatic reply: Nyaan",
            "自动回复: 关于订单",
            "Out of Office: back Monday",
        ] {
            let signals = Signals {
                subject: Some(subject),
                ..Signals::default()
            };
            assert_eq!(
                detect(&signals).unwrap().kind,
                AutomationKind::AutoReply,
                "{subject}"
            );
        }
    }

    #[test]
    fn forwarded_bounce_is_not_automated() {
        let signals = Signals {
            subject: Some("Fwd: Returned mail: see transcript for details"),
            ..Signals::default()
        };
        assert!(detect(&signals).is_none());
    }

    #[test]
    fn autoreply_headers_are_auto_reply() {
        let signals = Signals {
            autoreply_headers: vec![("X-Autoreply", "yes")],
            ..Signals::default()
        };
        let (kind, evidence) = kind_and_evidence(&signals).unwrap();
        assert_eq!(kind, AutomationKind::AutoReply);
        assert_eq!(evidence, "X-Autoreply: yes");
    }

    #[test]
    fn precedence_list_is_bulk() {
        for value in ["bulk", "List", " junk "] {
            let signals = Signals {
                precedence: vec![value],
                ..Signals::default()
            };
            assert_eq!(
                detect(&signals).unwrap().kind,
                AutomationKind::Bulk,
                "{value}"
            );
        }
        let signals = Signals {
            precedence: vec!["first-class"],
            ..Signals::default()
        };
        assert!(detect(&signals).is_none());
    }

    #[test]
    fn empty_return_path_is_auto_reply() {
        let signals = Signals {
            return_path: Some(" <> "),
            ..Signals::default()
        };
        let (kind, evidence) = kind_and_evidence(&signals).unwrap();
        assert_eq!(kind, AutomationKind::AutoReply);
        assert_eq!(evidence, "Return-Path: <>");
    }
}
