//! Placeholders in phrase bodies and filling them for one ticket.
//!
//! A placeholder is a known name between double braces, such as
//! `{{customer.name}}`, and spaces inside the braces are allowed. Rendering
//! is one pass over the body: a value is inserted as it is and never
//! scanned for placeholders again, so a customer named `{{agent.name}}`
//! stays literal. A placeholder without a value is kept visible as
//! `[customer.name?]` and listed in [`Rendered::missing`], so the app can
//! warn before the reply goes out, and [`unfilled`] finds such markers
//! again in a draft the agent has edited.

use std::ops::Range;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::Serialize;

/// Every placeholder a body may use.
pub const PLACEHOLDERS: &[&str] = &[
    "customer.name",
    "customer.tier",
    "ticket.id",
    "ticket.subject",
    "ticket.status",
    "ticket.priority",
    "agent.name",
    "conversation.channel",
    "today",
];

const OPEN: &str = "{{";
const CLOSE: &str = "}}";

/// The values placeholders are filled with. `None`, or a value that is
/// empty after trimming, counts as missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RenderContext {
    pub customer_name: Option<String>,
    pub customer_tier: Option<String>,
    pub ticket_id: Option<i64>,
    pub ticket_subject: Option<String>,
    pub ticket_status: Option<String>,
    pub ticket_priority: Option<String>,
    pub agent_name: Option<String>,
    pub conversation_channel: Option<String>,
    /// The date `{{today}}` stands for, in the team's time zone.
    pub today: Option<NaiveDate>,
}

impl RenderContext {
    /// Returns the value of a placeholder, or `None` when it is unknown or
    /// has no value.
    pub fn value(&self, name: &str) -> Option<String> {
        let value = match name {
            "customer.name" => self.customer_name.clone(),
            "customer.tier" => self.customer_tier.clone(),
            "ticket.id" => self.ticket_id.map(|id| id.to_string()),
            "ticket.subject" => self.ticket_subject.clone(),
            "ticket.status" => self.ticket_status.clone(),
            "ticket.priority" => self.ticket_priority.clone(),
            "agent.name" => self.agent_name.clone(),
            "conversation.channel" => self.conversation_channel.clone(),
            "today" => self.today.map(|date| date.format("%Y-%m-%d").to_string()),
            _ => None,
        };
        value.filter(|value| !value.trim().is_empty())
    }
}

/// Returns the calendar date at `now` in the time zone `zone`.
pub fn today_in<Tz: TimeZone>(zone: &Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(zone).date_naive()
}

/// A rendered phrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    /// The body with every placeholder replaced by its value, or by a
    /// `[name?]` marker where the value is missing.
    pub text: String,
    /// Names of the placeholders without a value, each once, in the order
    /// they first occur.
    pub missing: Vec<String>,
}

/// Fills the placeholders of `body` with the values of `context`.
pub fn render(body: &str, context: &RenderContext) -> Rendered {
    let mut text = String::with_capacity(body.len());
    let mut missing: Vec<String> = Vec::new();
    for piece in pieces(body) {
        match piece {
            Piece::Text(literal) => text.push_str(literal),
            Piece::Placeholder { name, .. } => match context.value(name) {
                Some(value) => text.push_str(&value),
                None => {
                    text.push_str(&format!("[{name}?]"));
                    if !missing.iter().any(|known| known == name) {
                        missing.push(name.to_string());
                    }
                }
            },
        }
    }
    Rendered { text, missing }
}

/// A placeholder left in a text: a `[name?]` marker that [`render`] wrote
/// for a missing value, or a `{{name}}` that was never filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfilled {
    /// Byte range of the marker or placeholder in the text.
    pub range: Range<usize>,
    /// The placeholder's name, such as `customer.name`.
    pub name: &'static str,
}

/// Finds the `[name?]` markers and `{{name}}` placeholders of known names
/// in `text`, in order. A reply that contains any of them still needs a
/// value from the agent. Brackets or braces around other words are text.
pub fn unfilled(text: &str) -> Vec<Unfilled> {
    let mut found = Vec::new();
    let mut position = 0;
    while let Some(offset) = text[position..].find(['[', '{']) {
        let start = position + offset;
        let rest = &text[start..];
        let hit = if rest.starts_with('[') {
            marker_at(rest)
        } else {
            placeholder_at(rest)
        };
        match hit {
            Some((name, length)) => {
                found.push(Unfilled {
                    range: start..start + length,
                    name,
                });
                position = start + length;
            }
            None => position = start + 1,
        }
    }
    found
}

/// Returns the name and length of the `[name?]` marker at the start of `text`.
fn marker_at(text: &str) -> Option<(&'static str, usize)> {
    PLACEHOLDERS.iter().find_map(|name| {
        let inner = text.strip_prefix('[')?.strip_prefix(name)?;
        inner.starts_with("?]").then_some((*name, name.len() + 3))
    })
}

/// Returns the name and length of the known `{{name}}` placeholder at the
/// start of `text`.
fn placeholder_at(text: &str) -> Option<(&'static str, usize)> {
    let inner = text.strip_prefix(OPEN)?;
    let close = inner.find(CLOSE)?;
    let name = inner[..close].trim();
    let known = PLACEHOLDERS.iter().find(|known| **known == name)?;
    Some((known, OPEN.len() + close + CLOSE.len()))
}

/// Checks that every `{{…}}` in `body` names a known placeholder and that
/// every `{{` is closed. The error names the placeholder and lists the
/// known ones.
pub fn check_placeholders(body: &str) -> Result<(), String> {
    for piece in pieces(body) {
        match piece {
            Piece::Placeholder { name, source } if !PLACEHOLDERS.contains(&name) => {
                return Err(format!(
                    "unknown placeholder {source}; use one of {}",
                    known_placeholders()
                ));
            }
            Piece::Text(text) if text.contains(OPEN) => {
                let start = text.find(OPEN).unwrap_or(0);
                let excerpt: String = text[start..].chars().take(30).collect();
                return Err(format!(
                    "placeholder {excerpt:?} has no closing }}}}; write it as {{{{customer.name}}}}"
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Returns the known placeholders, each in braces, separated by commas.
pub fn known_placeholders() -> String {
    PLACEHOLDERS
        .iter()
        .map(|name| format!("{OPEN}{name}{CLOSE}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Returns the names of the placeholders `body` uses, each once.
pub fn placeholders(body: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for piece in pieces(body) {
        if let Piece::Placeholder { name, .. } = piece
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names
}

/// Returns `body` with its placeholders removed, for matching a message
/// against the text an agent wrote rather than against placeholder names.
pub(crate) fn without_placeholders(body: &str) -> String {
    pieces(body)
        .filter_map(|piece| match piece {
            Piece::Text(text) => Some(text),
            Piece::Placeholder { .. } => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Placeholder {
        /// The name with the spaces inside the braces trimmed.
        name: &'a str,
        /// The placeholder as written, braces included.
        source: &'a str,
    },
}

/// Splits a body into literal text and placeholders. A `{{` with no `}}`
/// after it stays in the text.
fn pieces(body: &str) -> impl Iterator<Item = Piece<'_>> {
    let mut rest = body;
    let mut pending: Option<Piece<'_>> = None;
    std::iter::from_fn(move || {
        if let Some(piece) = pending.take() {
            return Some(piece);
        }
        if rest.is_empty() {
            return None;
        }
        let Some(open) = rest.find(OPEN) else {
            let text = rest;
            rest = "";
            return Some(Piece::Text(text));
        };
        let Some(close) = rest[open + OPEN.len()..].find(CLOSE) else {
            let text = rest;
            rest = "";
            return Some(Piece::Text(text));
        };
        let end = open + OPEN.len() + close + CLOSE.len();
        let placeholder = Piece::Placeholder {
            name: rest[open + OPEN.len()..end - CLOSE.len()].trim(),
            source: &rest[open..end],
        };
        let text = &rest[..open];
        rest = &rest[end..];
        if text.is_empty() {
            Some(placeholder)
        } else {
            pending = Some(placeholder);
            Some(Piece::Text(text))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full_context() -> RenderContext {
        RenderContext {
            customer_name: Some("王芳".to_string()),
            customer_tier: Some("vip".to_string()),
            ticket_id: Some(42),
            ticket_subject: Some("订单还没到".to_string()),
            ticket_status: Some("open".to_string()),
            ticket_priority: Some("urgent".to_string()),
            agent_name: Some("李客服".to_string()),
            conversation_channel: Some("chat".to_string()),
            today: NaiveDate::from_ymd_opt(2024, 5, 1),
        }
    }

    #[test]
    fn every_placeholder_is_filled() {
        let body = PLACEHOLDERS
            .iter()
            .map(|name| format!("{{{{{name}}}}}"))
            .collect::<Vec<_>>()
            .join("|");
        let rendered = render(&body, &full_context());
        assert_eq!(
            rendered.text,
            "王芳|vip|42|订单还没到|open|urgent|李客服|chat|2024-05-01"
        );
        assert!(rendered.missing.is_empty());
    }

    #[test]
    fn spaces_inside_braces_are_allowed() {
        let rendered = render("您好，{{ customer.name }}！", &full_context());
        assert_eq!(rendered.text, "您好，王芳！");
    }

    #[test]
    fn missing_value_stays_visible() {
        let context = RenderContext {
            customer_name: None,
            agent_name: Some("  ".to_string()),
            ..full_context()
        };
        let rendered = render(
            "{{customer.name}}您好，我是{{agent.name}}。{{customer.name}}",
            &context,
        );
        assert_eq!(
            rendered.text,
            "[customer.name?]您好，我是[agent.name?]。[customer.name?]"
        );
        assert_eq!(rendered.missing, vec!["customer.name", "agent.name"]);
    }

    #[test]
    fn value_with_braces_is_not_expanded() {
        let context = RenderContext {
            customer_name: Some("{{agent.name}} {{today}}".to_string()),
            ..full_context()
        };
        let rendered = render("Hi {{customer.name}}, I am {{agent.name}}.", &context);
        assert_eq!(rendered.text, "Hi {{agent.name}} {{today}}, I am 李客服.");
        assert!(rendered.missing.is_empty());
    }

    #[test]
    fn unfilled_finds_markers_and_placeholders() {
        let text = "[customer.name?]您好，工单 {{ ticket.id }} 已处理。[note] {x} [today?]";
        let found = unfilled(text);
        let names: Vec<&str> = found.iter().map(|unfilled| unfilled.name).collect();
        assert_eq!(names, vec!["customer.name", "ticket.id", "today"]);
        assert_eq!(&text[found[0].range.clone()], "[customer.name?]");
        assert_eq!(&text[found[1].range.clone()], "{{ ticket.id }}");
        assert_eq!(&text[found[2].range.clone()], "[today?]");
    }

    #[test]
    fn unfilled_ignores_unknown_names_and_filled_text() {
        assert!(unfilled("[order.id?] {{order.id}} [customer.name] {{today").is_empty());
        let rendered = render("{{customer.name}}您好", &full_context());
        assert!(unfilled(&rendered.text).is_empty());
    }

    #[test]
    fn unfilled_finds_what_render_left() {
        let context = RenderContext {
            customer_name: None,
            ..full_context()
        };
        let rendered = render("{{customer.name}}您好，{{agent.name}}为您服务。", &context);
        let names: Vec<&str> = unfilled(&rendered.text)
            .iter()
            .map(|unfilled| unfilled.name)
            .collect();
        assert_eq!(names, rendered.missing);
    }

    #[test]
    fn unclosed_braces_stay_literal() {
        let rendered = render("a {{ b", &full_context());
        assert_eq!(rendered.text, "a {{ b");
        let error = check_placeholders("您好 {{customer.name").unwrap_err();
        assert!(error.contains("no closing"), "{error}");
    }

    #[test]
    fn unknown_placeholder_lists_known_ones() {
        let error = check_placeholders("Dear {{customer.email}},").unwrap_err();
        assert!(error.contains("{{customer.email}}"), "{error}");
        for name in PLACEHOLDERS {
            assert!(error.contains(name), "{error} lacks {name}");
        }
    }

    #[test]
    fn placeholders_are_listed_once() {
        assert_eq!(
            placeholders("{{today}} {{ticket.id}} {{today}}"),
            vec!["today", "ticket.id"]
        );
    }

    #[test]
    fn today_follows_time_zone() {
        let now = DateTime::parse_from_rfc3339("2024-04-30T17:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let shanghai = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        assert_eq!(
            today_in(&shanghai, now),
            NaiveDate::from_ymd_opt(2024, 5, 1).unwrap()
        );
        assert_eq!(
            today_in(&Utc, now),
            NaiveDate::from_ymd_opt(2024, 4, 30).unwrap()
        );
    }
}
