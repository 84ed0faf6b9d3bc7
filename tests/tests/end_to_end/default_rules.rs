//! The built-in default-rules plugin on hand-written cases, called
//! directly and through a real import.

use kefu_core::plugin::api::{Automation, AutomationKind, Channel, Direction, Message, Party};
use kefu_core::plugin::builtin::BUILTIN_PLUGINS;
use kefu_core::plugin::rule_api::{
    Action, Conversation, Customer, Event, EventKind, History, MessageEvent, NewTicket, Ticket,
};
use kefu_core::plugin::{Limits, PluginEngine, RulePlugin};
use kefu_tests::TestDb;

fn default_rules() -> RulePlugin {
    let builtin = BUILTIN_PLUGINS
        .iter()
        .find(|plugin| plugin.id == "default-rules")
        .expect("default-rules is built in");
    PluginEngine::new()
        .unwrap()
        .load_rule(builtin.id, builtin.component, Limits::default())
        .unwrap()
}

/// Returns the message of a message-received event, for changing it in a test.
fn message_of(event: &mut Event) -> &mut Message {
    match &mut event.kind {
        EventKind::MessageReceived(received) => &mut received.message,
        other => panic!("not a message event: {other:?}"),
    }
}

fn event(subject: &str, body: &str, tier: &str) -> Event {
    let customer = Party {
        name: Some("王芳".to_string()),
        address: "wang.fang@example.cn".to_string(),
    };
    Event {
        kind: EventKind::MessageReceived(MessageEvent {
            message_id: 1,
            message: Message {
                channel: Channel::Email,
                direction: Direction::Inbound,
                sender: customer.clone(),
                customer,
                sent_at: Some(1_733_300_000),
                subject: Some(subject.to_string()),
                body_text: body.to_string(),
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

fn opened(actions: &[Action]) -> Option<(&str, &str)> {
    match actions {
        [
            Action::OpenTicket(NewTicket {
                ticket_type,
                priority,
                ..
            }),
        ] => Some((ticket_type.as_str(), priority.as_str())),
        _ => None,
    }
}

#[test]
fn ticket_type_and_priority_from_message() {
    let mut rule = default_rules();
    let cases = [
        (
            "申请退款",
            "订单 12345 的商品有破损，请退款。",
            "regular",
            "after-sales",
            "normal",
        ),
        (
            "Refund request",
            "Please refund my order.",
            "regular",
            "after-sales",
            "normal",
        ),
        (
            "价格咨询",
            "企业版多少钱？",
            "regular",
            "pre-sales",
            "normal",
        ),
        (
            "Price of the pro plan",
            "What is the price?",
            "vip",
            "pre-sales",
            "high",
        ),
        (
            "我要投诉",
            "客服态度很差。",
            "regular",
            "complaint",
            "normal",
        ),
        (
            "Complaint",
            "This is a formal complaint.",
            "vip",
            "complaint",
            "high",
        ),
        (
            "登录报错",
            "点击登录后报错 500。",
            "regular",
            "technical-support",
            "normal",
        ),
        (
            "App error",
            "The app shows an error on start.",
            "regular",
            "technical-support",
            "normal",
        ),
        ("你好", "在吗？", "regular", "pre-sales", "normal"),
        ("你好", "在吗？", "VIP", "pre-sales", "high"),
    ];
    for (subject, body, tier, expected_type, expected_priority) in cases {
        let actions = rule.on_event(&event(subject, body, tier)).unwrap();
        assert_eq!(
            opened(&actions),
            Some((expected_type, expected_priority)),
            "{subject} / {body} / {tier}: {actions:?}"
        );
    }
}

#[test]
fn complaint_wins_over_refund() {
    let mut rule = default_rules();
    let actions = rule
        .on_event(&event(
            "投诉",
            "三次申请退款都被拒绝，我要投诉。",
            "regular",
        ))
        .unwrap();
    assert_eq!(opened(&actions), Some(("complaint", "normal")));
}

#[test]
fn automated_mail_opens_no_ticket() {
    let mut rule = default_rules();
    for kind in [
        AutomationKind::AutoReply,
        AutomationKind::Bounce,
        AutomationKind::Bulk,
    ] {
        let mut event = event("Automatic reply: 退款", "I am out of office.", "vip");
        message_of(&mut event).automation = Some(Automation {
            kind,
            evidence: "Auto-Submitted: auto-replied".to_string(),
        });
        let actions = rule.on_event(&event).unwrap();
        assert!(actions.is_empty(), "{kind:?}: {actions:?}");
    }
}

#[test]
fn outbound_message_opens_no_ticket() {
    let mut rule = default_rules();
    let mut event = event("Re: 退款", "已为您办理退款。", "regular");
    message_of(&mut event).direction = Direction::Outbound;
    assert!(rule.on_event(&event).unwrap().is_empty());
}

#[test]
fn conversation_with_ticket_gets_no_second() {
    let mut rule = default_rules();
    let mut event = event("Re: 退款", "还没有收到退款。", "regular");
    event.conversation.message_count = 2;
    event.conversation.ticket = Some(Ticket {
        id: 7,
        ticket_type: "after-sales".to_string(),
        priority: "normal".to_string(),
        status: "open".to_string(),
        assignee: None,
        tags: Vec::new(),
        opened_at: 1_733_300_000,
    });
    assert!(rule.on_event(&event).unwrap().is_empty());
}

/// Writes chat JSON Lines and imports them.
fn import_chat(db: &mut TestDb, name: &str, lines: &[&str]) -> kefu_core::ingest::IngestSummary {
    let path = db.folder.path().join(name);
    std::fs::write(&path, lines.join("\n")).unwrap();
    db.ingest(&[path])
}

#[test]
fn imported_chats_get_typed_tickets() {
    let mut db = TestDb::new();
    let summary = import_chat(
        &mut db,
        "day-1.jsonl",
        &[
            r#"{"conversation":"c-1","customer":{"id":"u-1","name":"王芳"},"direction":"in","text":"我要退款，商品有破损","at":"2026-11-30T09:00:00+08:00","id":"e-1"}"#,
            r#"{"conversation":"c-1","customer":{"id":"u-1","name":"王芳"},"direction":"out","text":"您好，我来处理","at":"2026-11-30T09:01:00+08:00","id":"e-2","agent":"李客服"}"#,
            r#"{"conversation":"c-1","customer":{"id":"u-1","name":"王芳"},"direction":"in","text":"谢谢","at":"2026-11-30T09:02:00+08:00","id":"e-3"}"#,
            r#"{"conversation":"c-2","customer":{"id":"u-2","name":"陈明"},"direction":"in","text":"企业版价格是多少？","at":"2026-11-30T10:00:00+08:00","id":"e-4"}"#,
            r#"{"conversation":"c-3","customer":{"id":"u-3","name":"Sam"},"direction":"in","text":"I want to file a complaint","at":"2026-11-30T11:00:00+08:00","id":"e-5"}"#,
        ],
    );
    assert_eq!(summary.messages_stored, 5);
    assert_eq!(summary.conversations_created, 3);
    assert_eq!(summary.tickets_opened, 3, "one ticket per conversation");

    let mut tickets = db.store.tickets().unwrap();
    tickets.sort_by_key(|ticket| ticket.id);
    let types: Vec<(&str, &str, &str)> = tickets
        .iter()
        .map(|ticket| {
            (
                ticket.ticket_type.as_str(),
                ticket.priority.as_str(),
                ticket.source.as_str(),
            )
        })
        .collect();
    assert_eq!(
        types,
        [
            ("after-sales", "normal", "chat"),
            ("pre-sales", "normal", "chat"),
            ("complaint", "normal", "chat"),
        ]
    );
    let history = db.store.ticket_events(tickets[0].id).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].kind, "created");
    // The agent's reply at 09:01 is the ticket's first response: the SLA
    // clock started when the customer wrote at 09:00, not at the import.
    assert_eq!(history[1].kind, "first-response");
    assert_eq!(history[1].at.to_rfc3339(), "2026-11-30T01:01:00+00:00");
    assert_eq!(history[0].actor, "plugin:default-rules");
    assert!(history[0].reason.as_deref().unwrap_or("").contains("退款"));
}

#[test]
fn vip_customer_gets_high_priority() {
    let mut db = TestDb::new();
    import_chat(
        &mut db,
        "first.jsonl",
        &[
            r#"{"conversation":"c-10","customer":{"id":"u-10","name":"赵总"},"direction":"in","text":"你好","at":"2026-11-30T09:00:00+08:00","id":"e-10"}"#,
        ],
    );
    let customer = db
        .store
        .customer_by_address(kefu_core::model::Channel::Chat, "u-10")
        .unwrap()
        .unwrap();
    db.store.set_customer_tier(customer.id, "vip").unwrap();

    let summary = import_chat(
        &mut db,
        "second.jsonl",
        &[
            r#"{"conversation":"c-11","customer":{"id":"u-10","name":"赵总"},"direction":"in","text":"软件报错了，急","at":"2026-12-01T09:00:00+08:00","id":"e-11"}"#,
        ],
    );
    assert_eq!(summary.tickets_opened, 1);
    let ticket = db
        .store
        .tickets()
        .unwrap()
        .into_iter()
        .max_by_key(|ticket| ticket.id)
        .unwrap();
    assert_eq!(ticket.ticket_type, "technical-support");
    assert_eq!(ticket.priority, "high");
}
