//! {{name}}: a Kefu ticket rule.
//!
//! When an inbound message arrives, tags the conversation's ticket `refund`
//! if the subject or text mentions a refund, and sets the ticket's priority
//! to high if the customer is a VIP. Kefu ignores both actions while the
//! conversation has no ticket; the built-in rule `default-rules` opens one
//! for each new inbound conversation before this rule runs.

use kefu_plugin_sdk::rule::exports::kefu::plugin::rule::{Action, Event, EventKind, Guest};
use kefu_plugin_sdk::types::Direction;

/// Words that mark a refund request. They are matched against the lower-cased
/// subject and text, so English words must be written in lower case here.
const REFUND_WORDS: &[&str] = &["refund", "退款"];

/// Tag added to the ticket of a refund request.
pub const REFUND_TAG: &str = "refund";

/// Returns the actions for an event. The export below only calls this
/// function, so unit tests run the rule natively with `cargo test`.
pub fn decide(event: &Event) -> Vec<Action> {
    let EventKind::MessageReceived(received) = &event.kind else {
        return Vec::new();
    };
    let message = &received.message;
    if message.direction != Direction::Inbound {
        return Vec::new();
    }
    let mut actions = Vec::new();
    let subject = message.subject.as_deref().unwrap_or("");
    let text = format!("{subject}\n{}", message.body_text).to_lowercase();
    if REFUND_WORDS.iter().any(|word| text.contains(word)) {
        actions.push(Action::AddTag(REFUND_TAG.to_string()));
    }
    if event.customer.tier.eq_ignore_ascii_case("vip") {
        actions.push(Action::SetPriority("high".to_string()));
    }
    actions
}

// Only the wasm32 export uses it.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Rule;

impl Guest for Rule {
    fn on_event(event: Event) -> Vec<Action> {
        decide(&event)
    }
}

// The exported symbol names contain `:`, which only a wasm32 link accepts.
#[cfg(target_arch = "wasm32")]
kefu_plugin_sdk::export_rule!(Rule);

#[cfg(test)]
mod tests {
    use kefu_plugin_sdk::rule::exports::kefu::plugin::rule::{
        Conversation, Customer, History, MessageEvent,
    };
    use kefu_plugin_sdk::types::{Channel, Message, Party};

    use super::*;

    /// Returns a message-received event for an inbound mail with `body`
    /// from a customer of `tier`.
    fn event(body: &str, tier: &str) -> Event {
        let customer = Party {
            name: Some("王芳".to_string()),
            address: "wang.fang@example.cn".to_string(),
        };
        let message = Message {
            channel: Channel::Email,
            direction: Direction::Inbound,
            sender: customer.clone(),
            customer,
            sent_at: Some(1_733_300_000),
            subject: Some("订单 12345".to_string()),
            body_text: body.to_string(),
            external_id: None,
            thread_key: None,
            replies_to: Vec::new(),
            automation: None,
            call: None,
            attachments: Vec::new(),
            raw_span: None,
            notes: Vec::new(),
        };
        Event {
            kind: EventKind::MessageReceived(MessageEvent {
                message_id: 1,
                message,
            }),
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

    #[test]
    fn refund_in_chinese_is_tagged() {
        let actions = decide(&event("我想申请退款", "regular"));
        assert_eq!(actions, vec![Action::AddTag("refund".to_string())]);
    }

    #[test]
    fn refund_in_any_case_is_tagged() {
        let actions = decide(&event("Please REFUND my order", "regular"));
        assert_eq!(actions, vec![Action::AddTag("refund".to_string())]);
    }

    #[test]
    fn vip_gets_high_priority() {
        let actions = decide(&event("你好", "vip"));
        assert_eq!(actions, vec![Action::SetPriority("high".to_string())]);
    }

    #[test]
    fn vip_refund_gets_both_actions() {
        let actions = decide(&event("退款", "VIP"));
        assert_eq!(
            actions,
            vec![
                Action::AddTag("refund".to_string()),
                Action::SetPriority("high".to_string()),
            ]
        );
    }

    #[test]
    fn other_messages_get_no_actions() {
        assert_eq!(decide(&event("你好", "regular")), Vec::new());
    }

    #[test]
    fn outbound_message_ignored() {
        let mut outbound = event("退款已处理", "vip");
        if let EventKind::MessageReceived(received) = &mut outbound.kind {
            received.message.direction = Direction::Outbound;
        }
        assert_eq!(decide(&outbound), Vec::new());
    }
}
