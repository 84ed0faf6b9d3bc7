//! Sample events for `kefu plugin test`: a JSON file holding one event of the
//! rule API, and events made from messages that adapters read.
//!
//! An event file is a JSON object with a `"kefu-event"` key naming the event
//! kind. Keys are the WIT field names of `plugin-api/wit/kefu.wit` in
//! kebab-case, and every key except the ones marked required may be left
//! out:
//!
//! ```json
//! {
//!   "kefu-event": "message-received",
//!   "message": {
//!     "sender": { "name": "王芳", "address": "wang.fang@example.cn" },
//!     "subject": "订单 12345",
//!     "body-text": "我想申请退款。"
//!   },
//!   "conversation": { "ticket": { "ticket-type": "after-sales" } },
//!   "customer": { "tier": "vip" }
//! }
//! ```
//!
//! - `kefu-event` (required): `message-received`, `ticket-created`,
//!   `ticket-updated` or `timer-fired`.
//! - `message` (required for `message-received`, else not allowed): a
//!   `message` record. `sender` with its `address` is required; `channel`
//!   defaults to `email`, `direction` to `inbound`, `customer` to the sender
//!   and `body-text` to empty. `message-id` (default 1) sits beside it.
//! - `change` (required for `ticket-updated`): a `ticket-change` record with
//!   `field` required and `actor` defaulting to `system`.
//! - `timer` (required for `timer-fired`): a `timer-event` record with `name`
//!   required and `due-at` defaulting to now.
//! - `conversation`: `id` 1, the message's `channel`, `message-count` 1 and
//!   no `ticket` by default. A `ticket` defaults to id 1, type `pre-sales`,
//!   priority `normal`, status `open`, no assignee or tags, opened now.
//! - `customer`: `id` 1, no `name`, `tier` `regular` and an empty `history`
//!   by default.

use anyhow::{Context, bail};
use chrono::Utc;
use kefu_core::plugin::api::{
    Attachment, Automation, AutomationKind, Call, Channel, Direction, Message, Party,
};
use kefu_core::plugin::rule_api::{
    Conversation, Customer, Event, EventKind, History, MessageEvent, Ticket, TicketChange,
    TimerEvent,
};
use serde::Deserialize;

/// Key that marks a JSON file as an event file.
pub const EVENT_KEY: &str = "kefu-event";

/// True when `bytes` are a JSON object with a [`EVENT_KEY`] key.
pub fn is_event_file(bytes: &[u8]) -> bool {
    let trimmed = bytes.trim_ascii_start();
    if !trimmed.starts_with(b"{") {
        return false;
    }
    serde_json::from_slice::<serde_json::Value>(bytes)
        .is_ok_and(|value| value.get(EVENT_KEY).is_some())
}

/// Parses an event file.
pub fn parse_event_file(bytes: &[u8]) -> anyhow::Result<Event> {
    let file: EventFile = serde_json::from_slice(bytes).context("not a valid event file")?;
    file.into_event()
}

/// Wraps a message an adapter read in a `message-received` event on a new
/// conversation with no ticket, from a customer of `tier` with no history.
pub fn message_event(message: Message, tier: &str) -> Event {
    let channel = message.channel;
    let name = message.customer.name.clone();
    Event {
        kind: EventKind::MessageReceived(MessageEvent {
            message_id: 1,
            message,
        }),
        conversation: Conversation {
            id: 1,
            channel,
            message_count: 1,
            ticket: None,
        },
        customer: Customer {
            id: 1,
            name,
            tier: tier.to_string(),
            history: empty_history(),
        },
    }
}

fn empty_history() -> History {
    History {
        earlier_conversations: 0,
        tickets: 0,
        open_tickets: 0,
        first_contact: None,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct EventFile {
    kefu_event: EventName,
    #[serde(default = "one")]
    message_id: i64,
    message: Option<MessageJson>,
    change: Option<ChangeJson>,
    timer: Option<TimerJson>,
    #[serde(default)]
    conversation: ConversationJson,
    #[serde(default)]
    customer: CustomerJson,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
enum EventName {
    MessageReceived,
    TicketCreated,
    TicketUpdated,
    TimerFired,
}

#[derive(Deserialize, Clone, Copy, Default)]
#[serde(rename_all = "kebab-case")]
enum ChannelJson {
    #[default]
    Email,
    Chat,
    Phone,
}

#[derive(Deserialize, Clone, Copy, Default)]
#[serde(rename_all = "kebab-case")]
enum DirectionJson {
    #[default]
    Inbound,
    Outbound,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct PartyJson {
    name: Option<String>,
    address: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct MessageJson {
    #[serde(default)]
    channel: ChannelJson,
    #[serde(default)]
    direction: DirectionJson,
    sender: PartyJson,
    customer: Option<PartyJson>,
    sent_at: Option<i64>,
    subject: Option<String>,
    #[serde(default)]
    body_text: String,
    external_id: Option<String>,
    thread_key: Option<String>,
    #[serde(default)]
    replies_to: Vec<String>,
    automation: Option<AutomationJson>,
    call: Option<CallJson>,
    #[serde(default)]
    attachments: Vec<AttachmentJson>,
    #[serde(default)]
    notes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AutomationJson {
    kind: AutomationKindJson,
    #[serde(default)]
    evidence: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum AutomationKindJson {
    AutoReply,
    Bounce,
    Bulk,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CallJson {
    #[serde(default)]
    destination: String,
    #[serde(default)]
    duration_seconds: u32,
    #[serde(default)]
    billed_seconds: u32,
    #[serde(default)]
    disposition: String,
    #[serde(default)]
    answered: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AttachmentJson {
    #[serde(default)]
    file_name: String,
    #[serde(default)]
    content_type: String,
    #[serde(default)]
    size: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ChangeJson {
    field: String,
    old_value: Option<String>,
    new_value: Option<String>,
    #[serde(default = "system")]
    actor: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TimerJson {
    name: String,
    due_at: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConversationJson {
    #[serde(default = "one")]
    id: i64,
    channel: Option<ChannelJson>,
    #[serde(default = "one_u32")]
    message_count: u32,
    ticket: Option<TicketJson>,
}

impl Default for ConversationJson {
    fn default() -> Self {
        Self {
            id: 1,
            channel: None,
            message_count: 1,
            ticket: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TicketJson {
    #[serde(default = "one")]
    id: i64,
    #[serde(default = "pre_sales")]
    ticket_type: String,
    #[serde(default = "normal")]
    priority: String,
    #[serde(default = "open")]
    status: String,
    assignee: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    opened_at: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CustomerJson {
    #[serde(default = "one")]
    id: i64,
    name: Option<String>,
    #[serde(default = "regular")]
    tier: String,
    #[serde(default)]
    history: HistoryJson,
}

impl Default for CustomerJson {
    fn default() -> Self {
        Self {
            id: 1,
            name: None,
            tier: regular(),
            history: HistoryJson::default(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct HistoryJson {
    #[serde(default)]
    earlier_conversations: u32,
    #[serde(default)]
    tickets: u32,
    #[serde(default)]
    open_tickets: u32,
    first_contact: Option<i64>,
}

fn one() -> i64 {
    1
}

fn one_u32() -> u32 {
    1
}

fn system() -> String {
    "system".to_string()
}

fn pre_sales() -> String {
    "pre-sales".to_string()
}

fn normal() -> String {
    "normal".to_string()
}

fn open() -> String {
    "open".to_string()
}

fn regular() -> String {
    "regular".to_string()
}

impl EventFile {
    fn into_event(self) -> anyhow::Result<Event> {
        let name = self.kefu_event;
        let now = Utc::now().timestamp();
        let allowed = [
            (
                "message",
                self.message.is_some(),
                EventName::MessageReceived,
            ),
            ("change", self.change.is_some(), EventName::TicketUpdated),
            ("timer", self.timer.is_some(), EventName::TimerFired),
        ];
        for (key, present, only_for) in allowed {
            if present && name != only_for {
                bail!("\"{key}\" is read only for {} events", only_for.as_str());
            }
        }
        let message_channel = self.message.as_ref().map(|message| message.channel);
        let kind = match name {
            EventName::MessageReceived => {
                let message = self
                    .message
                    .context("a message-received event needs a \"message\" object")?;
                EventKind::MessageReceived(MessageEvent {
                    message_id: self.message_id,
                    message: message.into_api(),
                })
            }
            EventName::TicketCreated => EventKind::TicketCreated,
            EventName::TicketUpdated => {
                let change = self
                    .change
                    .context("a ticket-updated event needs a \"change\" object")?;
                EventKind::TicketUpdated(TicketChange {
                    field: change.field,
                    old_value: change.old_value,
                    new_value: change.new_value,
                    actor: change.actor,
                })
            }
            EventName::TimerFired => {
                let timer = self
                    .timer
                    .context("a timer-fired event needs a \"timer\" object")?;
                EventKind::TimerFired(TimerEvent {
                    name: timer.name,
                    due_at: timer.due_at.unwrap_or(now),
                })
            }
        };
        let conversation = self.conversation;
        let channel = conversation.channel.or(message_channel).unwrap_or_default();
        let customer = self.customer;
        Ok(Event {
            kind,
            conversation: Conversation {
                id: conversation.id,
                channel: channel.into_api(),
                message_count: conversation.message_count,
                ticket: conversation.ticket.map(|ticket| Ticket {
                    id: ticket.id,
                    ticket_type: ticket.ticket_type,
                    priority: ticket.priority,
                    status: ticket.status,
                    assignee: ticket.assignee,
                    tags: ticket.tags,
                    opened_at: ticket.opened_at.unwrap_or(now),
                }),
            },
            customer: Customer {
                id: customer.id,
                name: customer.name,
                tier: customer.tier,
                history: History {
                    earlier_conversations: customer.history.earlier_conversations,
                    tickets: customer.history.tickets,
                    open_tickets: customer.history.open_tickets,
                    first_contact: customer.history.first_contact,
                },
            },
        })
    }
}

impl EventName {
    fn as_str(self) -> &'static str {
        match self {
            EventName::MessageReceived => "message-received",
            EventName::TicketCreated => "ticket-created",
            EventName::TicketUpdated => "ticket-updated",
            EventName::TimerFired => "timer-fired",
        }
    }
}

impl ChannelJson {
    fn into_api(self) -> Channel {
        match self {
            ChannelJson::Email => Channel::Email,
            ChannelJson::Chat => Channel::Chat,
            ChannelJson::Phone => Channel::Phone,
        }
    }
}

impl PartyJson {
    fn into_api(self) -> Party {
        Party {
            name: self.name,
            address: self.address,
        }
    }
}

impl MessageJson {
    fn into_api(self) -> Message {
        let customer = self.customer.unwrap_or_else(|| self.sender.clone());
        Message {
            channel: self.channel.into_api(),
            direction: match self.direction {
                DirectionJson::Inbound => Direction::Inbound,
                DirectionJson::Outbound => Direction::Outbound,
            },
            sender: self.sender.into_api(),
            customer: customer.into_api(),
            sent_at: self.sent_at,
            subject: self.subject,
            body_text: self.body_text,
            external_id: self.external_id,
            thread_key: self.thread_key,
            replies_to: self.replies_to,
            automation: self.automation.map(|automation| Automation {
                kind: match automation.kind {
                    AutomationKindJson::AutoReply => AutomationKind::AutoReply,
                    AutomationKindJson::Bounce => AutomationKind::Bounce,
                    AutomationKindJson::Bulk => AutomationKind::Bulk,
                },
                evidence: automation.evidence,
            }),
            call: self.call.map(|call| Call {
                destination: call.destination,
                duration_seconds: call.duration_seconds,
                billed_seconds: call.billed_seconds,
                disposition: call.disposition,
                answered: call.answered,
            }),
            attachments: self
                .attachments
                .into_iter()
                .map(|attachment| Attachment {
                    file_name: attachment.file_name,
                    content_type: attachment.content_type,
                    size: attachment.size,
                })
                .collect(),
            raw_span: None,
            notes: self.notes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../plugin-api/templates/rule/samples/refund-vip.json"
    ));

    #[test]
    fn template_sample_is_an_event_file() {
        assert!(is_event_file(SAMPLE.as_bytes()));
        let event = parse_event_file(SAMPLE.as_bytes()).unwrap();
        assert_eq!(event.customer.tier, "vip");
        let ticket = event.conversation.ticket.expect("the sample has a ticket");
        assert_eq!(ticket.ticket_type, "after-sales");
        assert_eq!(ticket.status, "open");
        let EventKind::MessageReceived(received) = event.kind else {
            panic!("expected message-received");
        };
        assert_eq!(received.message.direction, Direction::Inbound);
        assert_eq!(received.message.customer.address, "wang.fang@example.cn");
    }

    #[test]
    fn minimal_ticket_created_event() {
        let event = parse_event_file(br#"{"kefu-event": "ticket-created"}"#).unwrap();
        assert!(matches!(event.kind, EventKind::TicketCreated));
        assert_eq!(event.customer.tier, "regular");
        assert!(event.conversation.ticket.is_none());
    }

    #[test]
    fn chatwoot_payload_is_not_an_event_file() {
        assert!(!is_event_file(br#"{"event": "message_created", "id": 1}"#));
        assert!(!is_event_file(b"From: a@example.com\n\nhi"));
    }

    #[test]
    fn missing_message_is_named() {
        let error = parse_event_file(br#"{"kefu-event": "message-received"}"#).unwrap_err();
        assert!(format!("{error:#}").contains("\"message\""), "{error:#}");
    }

    #[test]
    fn unknown_key_is_named() {
        let error =
            parse_event_file(br#"{"kefu-event": "ticket-created", "custmer": {}}"#).unwrap_err();
        assert!(format!("{error:#}").contains("custmer"), "{error:#}");
    }

    #[test]
    fn message_on_other_event_is_rejected() {
        let text = br#"{"kefu-event": "ticket-created", "message": {"sender": {"address": "a"}}}"#;
        let error = parse_event_file(text).unwrap_err();
        assert!(
            format!("{error:#}").contains("message-received"),
            "{error:#}"
        );
    }
}
