//! Example native rule plugin.
//!
//! When a message arrives from a customer whose tier is `vip`, it tags the
//! conversation's ticket `vip` and sets the ticket's priority to `high`. It
//! ignores every other event.
//!
//! `cargo build -p native-vip-rule` writes the plugin library to
//! `target/debug/libnative_vip_rule.so` (`.dylib` on macOS,
//! `native_vip_rule.dll` on Windows). Like every native plugin it is not
//! sandboxed: the host loads it only when the user enables the id
//! `native-vip-rule`.

use kefu_native_abi::{Action, Event, EventKind, NativeRule};

/// The rule, exported below as the library's plugin table.
pub struct VipRule;

impl NativeRule for VipRule {
    fn manifest() -> &'static str {
        include_str!("../plugin.toml")
    }

    fn on_event(event: Event) -> Vec<Action> {
        let is_message = matches!(event.kind, EventKind::MessageReceived(_));
        if is_message && event.customer.tier == "vip" {
            vec![
                Action::AddTag("vip".to_owned()),
                Action::SetPriority("high".to_owned()),
            ]
        } else {
            Vec::new()
        }
    }
}

kefu_native_abi::export_native_rule!(VipRule);

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_native_abi::{
        Channel, Conversation, Customer, Direction, History, Message, MessageEvent, NativeManifest,
        Party, TimerEvent,
    };

    fn message_event(tier: &str) -> Event {
        let party = Party {
            name: None,
            address: "li.lei@example.cn".to_owned(),
        };
        Event {
            kind: EventKind::MessageReceived(MessageEvent {
                message_id: 1,
                message: Message {
                    channel: Channel::Chat,
                    direction: Direction::Inbound,
                    sender: party.clone(),
                    customer: party,
                    sent_at: None,
                    subject: None,
                    body_text: "你好".to_owned(),
                    external_id: None,
                    thread_key: None,
                    replies_to: Vec::new(),
                    automation: None,
                    call: None,
                    attachments: Vec::new(),
                    raw_span: None,
                    notes: Vec::new(),
                },
            }),
            conversation: Conversation {
                id: 1,
                channel: Channel::Chat,
                message_count: 1,
                ticket: None,
            },
            customer: Customer {
                id: 1,
                name: None,
                tier: tier.to_owned(),
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
    fn vip_message_gets_tag_and_priority() {
        let actions = VipRule::on_event(message_event("vip"));
        assert_eq!(
            actions,
            [
                Action::AddTag("vip".to_owned()),
                Action::SetPriority("high".to_owned()),
            ]
        );
    }

    #[test]
    fn regular_message_gets_nothing() {
        assert!(VipRule::on_event(message_event("regular")).is_empty());
    }

    #[test]
    fn vip_timer_gets_nothing() {
        let mut event = message_event("vip");
        event.kind = EventKind::TimerFired(TimerEvent {
            name: "follow-up".to_owned(),
            due_at: 0,
        });
        assert!(VipRule::on_event(event).is_empty());
    }

    #[test]
    fn manifest_is_valid_rule() {
        let manifest = NativeManifest::parse(VipRule::manifest()).unwrap();
        assert_eq!(manifest.id, "native-vip-rule");
        assert_eq!(manifest.api.to_string(), "1.1.0");
    }
}
