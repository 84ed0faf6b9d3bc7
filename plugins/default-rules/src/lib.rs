//! The built-in ticket rule.
//!
//! When a message is received, opens a ticket for the conversation if it
//! is inbound and the conversation has none yet, unless the message is an
//! auto-reply, a bounce or bulk mail. The ticket type is guessed from
//! keywords in the subject and body, and VIP customers get high priority.
//! Other events are ignored.

use kefu_plugin_sdk::rule::exports::kefu::plugin::rule::{
    Action, Event, EventKind, Guest, NewTicket,
};
use kefu_plugin_sdk::types::Direction;

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

/// Decides the actions for an event: the rule itself, callable natively as
/// well as through the wasm export. Returns no actions for events other
/// than `message-received`.
pub fn decide(event: &Event) -> Vec<Action> {
    let EventKind::MessageReceived(received) = &event.kind else {
        return Vec::new();
    };
    let message = &received.message;
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
    fn on_event(event: Event) -> Vec<Action> {
        decide(&event)
    }
}

// The export's symbol names contain `:`, which only a wasm32 link accepts.
#[cfg(target_arch = "wasm32")]
kefu_plugin_sdk::export_rule!(DefaultRules);

#[cfg(test)]
mod tests {
    use kefu_plugin_sdk::rule::exports::kefu::plugin::rule::{
        Conversation, Customer, History, MessageEvent, TicketChange,
    };
    use kefu_plugin_sdk::types::{Automation, AutomationKind, Channel, Message, Party};

    use super::*;

    fn message(direction: Direction, subject: &str) -> Message {
        let party = Party {
            name: Some("王芳".to_string()),
            address: "wang.fang@example.cn".to_string(),
        };
        Message {
            channel: Channel::Email,
            direction,
            sender: party.clone(),
            customer: party,
            sent_at: Some(1_733_300_000),
            subject: Some(subject.to_string()),
            body_text: "你好".to_string(),
            external_id: Some("order-12345@example.cn".to_string()),
            thread_key: None,
            replies_to: Vec::new(),
            automation: None,
            call: None,
            attachments: Vec::new(),
            raw_span: None,
            notes: Vec::new(),
        }
    }

    fn event(kind: EventKind, tier: &str) -> Event {
        Event {
            kind,
            conversation: Conversation {
                id: 1,
                channel: Channel::Email,
                message_count: 1,
                ticket: None,
            },
            customer: Customer {
                id: 1,
                name: Some("王芳".to_string()),
                tier: tier.to_string(),
                history: History {
                    earlier_conversations: 0,
                    tickets: 0,
                    open_tickets: 0,
                    first_contact: None,
                },
            },
        }
    }

    fn received(message: Message) -> EventKind {
        EventKind::MessageReceived(MessageEvent {
            message_id: 1,
            message,
        })
    }

    #[test]
    fn inbound_message_opens_ticket() {
        let actions = decide(&event(
            received(message(Direction::Inbound, "申请退款")),
            "regular",
        ));
        assert_eq!(
            actions,
            vec![Action::OpenTicket(NewTicket {
                ticket_type: "after-sales".to_string(),
                priority: "normal".to_string(),
                reason: "new inbound conversation; keyword \"退款\"".to_string(),
            })]
        );
    }

    #[test]
    fn vip_customer_gets_high_priority() {
        let actions = decide(&event(received(message(Direction::Inbound, "你好")), "VIP"));
        let [Action::OpenTicket(ticket)] = actions.as_slice() else {
            panic!("expected one open-ticket action, got {actions:?}");
        };
        assert_eq!(ticket.priority, "high");
        assert!(
            ticket.reason.ends_with("; VIP customer"),
            "{}",
            ticket.reason
        );
    }

    #[test]
    fn outbound_message_ignored() {
        let actions = decide(&event(
            received(message(Direction::Outbound, "退款")),
            "regular",
        ));
        assert_eq!(actions, Vec::new());
    }

    #[test]
    fn automatic_message_ignored() {
        let mut auto_reply = message(Direction::Inbound, "Out of office");
        auto_reply.automation = Some(Automation {
            kind: AutomationKind::AutoReply,
            evidence: "Auto-Submitted: auto-replied".to_string(),
        });
        assert_eq!(decide(&event(received(auto_reply), "regular")), Vec::new());
    }

    #[test]
    fn other_events_ignored() {
        let change = TicketChange {
            field: "status".to_string(),
            old_value: Some("open".to_string()),
            new_value: Some("resolved".to_string()),
            actor: "system".to_string(),
        };
        for kind in [EventKind::TicketCreated, EventKind::TicketUpdated(change)] {
            assert_eq!(decide(&event(kind, "vip")), Vec::new());
        }
    }

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
