//! The built-in ticket rule.
//!
//! Opens a ticket for every new inbound conversation, unless the message is
//! an auto-reply, a bounce or bulk mail. The ticket type is guessed from
//! keywords in the subject and body, and VIP customers get high priority.

use kefu_plugin_sdk::rule::exports::kefu::plugin::rule::{Action, Guest, MessageEvent, NewTicket};
use kefu_plugin_sdk::rule::kefu::plugin::types::Direction;

/// Keywords per ticket type, checked in this order; the first type with a
/// keyword in the subject or body wins. English keywords match lower case.
const TYPE_KEYWORDS: &[(&str, &[&str])] = &[
    (
        "complaint",
        &[
            "投诉",
            "举报",
            "差评",
            "complaint",
            "complain",
            "unacceptable",
        ],
    ),
    (
        "after-sales",
        &[
            "退款", "退货", "换货", "退钱", "售后", "维修", "保修", "refund", "return", "exchange",
            "warranty", "repair",
        ],
    ),
    (
        "technical-support",
        &[
            "报错",
            "错误",
            "故障",
            "无法",
            "不能",
            "崩溃",
            "bug",
            "error",
            "crash",
            "fail",
            "broken",
            "not working",
        ],
    ),
    (
        "pre-sales",
        &[
            "价格",
            "报价",
            "多少钱",
            "优惠",
            "购买",
            "price",
            "quote",
            "discount",
            "buy",
            "purchase",
        ],
    ),
];

/// Type of a ticket whose message matches no keyword.
const DEFAULT_TYPE: &str = "pre-sales";

/// Guesses the ticket type from the message text.
pub fn guess_type(subject: &str, body: &str) -> (&'static str, Option<&'static str>) {
    let text = format!("{subject}\n{body}").to_lowercase();
    for (ticket_type, keywords) in TYPE_KEYWORDS {
        if let Some(keyword) = keywords.iter().find(|keyword| text.contains(*keyword)) {
            return (ticket_type, Some(keyword));
        }
    }
    (DEFAULT_TYPE, None)
}

/// Decides the actions for a new message: the rule itself, callable
/// natively as well as through the wasm export.
pub fn decide(event: &MessageEvent) -> Vec<Action> {
    let message = &event.message;
    if message.direction != Direction::Inbound
        || message.automation.is_some()
        || event.conversation.ticket.is_some()
    {
        return Vec::new();
    }
    let subject = message.subject.as_deref().unwrap_or("");
    let (ticket_type, keyword) = guess_type(subject, &message.body_text);
    let vip = event.customer.tier.eq_ignore_ascii_case("vip");
    let priority = if vip { "high" } else { "normal" };
    let mut reason = match keyword {
        Some(keyword) => format!("new inbound conversation; keyword \"{keyword}\""),
        None => "new inbound conversation; no type keyword".to_string(),
    };
    if vip {
        reason.push_str("; VIP customer");
    }
    vec![Action::OpenTicket(NewTicket {
        ticket_type: ticket_type.to_string(),
        priority: priority.to_string(),
        reason,
    })]
}

// Only the wasm32 export constructs it.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct DefaultRules;

impl Guest for DefaultRules {
    fn on_message(event: MessageEvent) -> Vec<Action> {
        decide(&event)
    }
}

// The export's symbol names contain `:`, which only a wasm32 link accepts.
#[cfg(target_arch = "wasm32")]
kefu_plugin_sdk::export_rule!(DefaultRules);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_pick_type() {
        assert_eq!(guess_type("申请退款", ""), ("after-sales", Some("退款")));
        assert_eq!(
            guess_type("", "What is the PRICE?"),
            ("pre-sales", Some("price"))
        );
        assert_eq!(guess_type("投诉", "退款"), ("complaint", Some("投诉")));
        assert_eq!(
            guess_type("登录报错", ""),
            ("technical-support", Some("报错"))
        );
    }

    #[test]
    fn no_keyword_gives_default_type() {
        assert_eq!(guess_type("你好", "在吗"), (DEFAULT_TYPE, None));
    }
}
