//! Sample conversations and tickets, stored through the core's `Writer` the
//! way ingest stores them: raw input first, then the message that points
//! at it. The example `seeded` uses the same data.

use anyhow::Context;
use chrono::{DateTime, Utc};
use kefu_core::Store;
use kefu_core::model::{
    Attachment, Automation, AutomationKind, Call, Channel, Direction, IncomingMessage, Party,
};
use kefu_core::store::{NewTicket, Writer};
use sha2::{Digest, Sha256};

pub const REFUND_SUBJECT: &str = "退款申请：订单 12345";
pub const REFUND_CUSTOMER: &str = "张伟";
pub const REFUND_ADDRESS: &str = "zhang.wei@example.cn";
pub const REFUND_FIRST_BODY: &str = "您好，我购买的蓝牙耳机右耳没有声音，申请退款。订单号 12345。";
pub const REFUND_FIRST_AT: &str = "2024-03-11T01:15:00Z";
pub const REFUND_REPLY_BODY: &str = "您好，已收到您的退款申请，我们会在 24 小时内处理。";
pub const REFUND_LAST_BODY: &str = "请尽快处理，谢谢！";
pub const REFUND_ATTACHMENT: &str = "发票.pdf";
pub const REFUND_ATTACHMENT_SIZE: u64 = 48_213;
pub const REFUND_NOTE: &str = "declared charset gb2312 was read as GBK";

pub const PRICING_SUBJECT: &str = "价格咨询";
pub const PRICING_CUSTOMER: &str = "李娜";
pub const PRICING_BODY: &str = "请问企业版一年多少钱？有没有团购优惠？";

pub const SHIPPING_SUBJECT: &str = "Order 67890 shipping";
pub const SHIPPING_CUSTOMER: &str = "John Smith";
pub const BOUNCE_EVIDENCE: &str = "Content-Type: multipart/report; report-type=delivery-status";

/// The caller has no name, so lists show the normalised number.
pub const CALLER_NUMBER: &str = "+86 138 0013 8000";
pub const CALLER_LABEL: &str = "+8613800138000";
pub const CALL_BODY: &str = "来电咨询发票抬头修改";
pub const CALL_DESTINATION: &str = "+86 10 8888 6666";

const TEAM: &str = "support@kefu.example";

/// Ids of the stored sample.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub refund: i64,
    pub pricing: i64,
    pub shipping: i64,
    pub call: i64,
    pub refund_ticket: i64,
    pub pricing_ticket: i64,
    pub call_ticket: i64,
}

/// Stores four conversations (two with Chinese subjects, one in English,
/// one phone call) and three tickets.
pub fn seed_sample(store: &mut Store) -> anyhow::Result<Sample> {
    let writer = store.writer()?;

    let refund = refund_conversation(&writer)?;
    let pricing = pricing_conversation(&writer)?;
    let shipping = shipping_conversation(&writer)?;
    let call = call_conversation(&writer)?;

    let refund_ticket = open_ticket(
        &writer,
        refund,
        Some(REFUND_SUBJECT),
        "after-sales",
        "urgent",
        Channel::Email,
    )?;
    let pricing_ticket = open_ticket(
        &writer,
        pricing,
        Some(PRICING_SUBJECT),
        "pre-sales",
        "normal",
        Channel::Chat,
    )?;
    let call_ticket = open_ticket(&writer, call, None, "complaint", "high", Channel::Phone)?;

    writer.commit()?;
    Ok(Sample {
        refund,
        pricing,
        shipping,
        call,
        refund_ticket,
        pricing_ticket,
        call_ticket,
    })
}

/// Email from 张伟 with an attachment, a team reply and a follow-up that
/// is still unanswered.
fn refund_conversation(writer: &Writer<'_>) -> anyhow::Result<i64> {
    let customer = Party {
        name: Some(REFUND_CUSTOMER.to_string()),
        address: REFUND_ADDRESS.to_string(),
    };
    let conversation = start_conversation(
        writer,
        Channel::Email,
        &customer,
        Some(REFUND_SUBJECT),
        REFUND_FIRST_AT,
    )?;

    let mut first = message(
        Channel::Email,
        Direction::Inbound,
        &customer,
        &customer,
        REFUND_FIRST_AT,
        REFUND_FIRST_BODY,
    );
    first.subject = Some(REFUND_SUBJECT.to_string());
    first.attachments = vec![Attachment {
        file_name: REFUND_ATTACHMENT.to_string(),
        content_type: "application/pdf".to_string(),
        size: REFUND_ATTACHMENT_SIZE,
    }];
    first.notes = vec![REFUND_NOTE.to_string()];
    store_message(writer, conversation, &first)?;

    let mut reply = message(
        Channel::Email,
        Direction::Outbound,
        &team("客服小李"),
        &customer,
        "2024-03-11T02:02:00Z",
        REFUND_REPLY_BODY,
    );
    reply.subject = Some(format!("Re: {REFUND_SUBJECT}"));
    store_message(writer, conversation, &reply)?;

    let mut follow_up = message(
        Channel::Email,
        Direction::Inbound,
        &customer,
        &customer,
        "2024-03-11T03:40:00Z",
        REFUND_LAST_BODY,
    );
    follow_up.subject = Some(format!("Re: {REFUND_SUBJECT}"));
    store_message(writer, conversation, &follow_up)?;
    Ok(conversation)
}

/// Chat from 李娜, answered by the team.
fn pricing_conversation(writer: &Writer<'_>) -> anyhow::Result<i64> {
    let customer = Party {
        name: Some(PRICING_CUSTOMER.to_string()),
        address: "wx_lina88".to_string(),
    };
    let question_at = "2024-03-12T02:30:00Z";
    let conversation = start_conversation(
        writer,
        Channel::Chat,
        &customer,
        Some(PRICING_SUBJECT),
        question_at,
    )?;
    store_message(
        writer,
        conversation,
        &message(
            Channel::Chat,
            Direction::Inbound,
            &customer,
            &customer,
            question_at,
            PRICING_BODY,
        ),
    )?;
    let answer = "企业版每年 3,600 元，10 个以上账号可享九折。";
    store_message(
        writer,
        conversation,
        &message(
            Channel::Chat,
            Direction::Outbound,
            &team("客服小王"),
            &customer,
            "2024-03-12T02:33:00Z",
            answer,
        ),
    )?;
    Ok(conversation)
}

/// English email whose team reply bounced.
fn shipping_conversation(writer: &Writer<'_>) -> anyhow::Result<i64> {
    let customer = Party {
        name: Some(SHIPPING_CUSTOMER.to_string()),
        address: "john.smith@example.com".to_string(),
    };
    let question_at = "2024-03-10T15:00:00Z";
    let conversation = start_conversation(
        writer,
        Channel::Email,
        &customer,
        Some(SHIPPING_SUBJECT),
        question_at,
    )?;

    let mut question = message(
        Channel::Email,
        Direction::Inbound,
        &customer,
        &customer,
        question_at,
        "Hi, when will order 67890 ship?",
    );
    question.subject = Some(SHIPPING_SUBJECT.to_string());
    store_message(writer, conversation, &question)?;

    let mut reply = message(
        Channel::Email,
        Direction::Outbound,
        &team("Support"),
        &customer,
        "2024-03-10T16:00:00Z",
        "It ships tomorrow.",
    );
    reply.subject = Some(format!("Re: {SHIPPING_SUBJECT}"));
    store_message(writer, conversation, &reply)?;

    let daemon = Party {
        name: Some("Mail Delivery System".to_string()),
        address: "MAILER-DAEMON@example.com".to_string(),
    };
    let mut bounce = message(
        Channel::Email,
        Direction::Inbound,
        &daemon,
        &customer,
        "2024-03-10T16:01:00Z",
        "Delivery to john.smith@example.com failed permanently.",
    );
    bounce.subject = Some("Undelivered Mail Returned to Sender".to_string());
    bounce.automation = Some(Automation {
        kind: AutomationKind::Bounce,
        evidence: BOUNCE_EVIDENCE.to_string(),
    });
    store_message(writer, conversation, &bounce)?;
    Ok(conversation)
}

/// Answered phone call from a caller with no name.
fn call_conversation(writer: &Writer<'_>) -> anyhow::Result<i64> {
    let caller = Party {
        name: None,
        address: CALLER_NUMBER.to_string(),
    };
    let called_at = "2024-03-12T06:00:00Z";
    let conversation = start_conversation(writer, Channel::Phone, &caller, None, called_at)?;
    let mut call = message(
        Channel::Phone,
        Direction::Inbound,
        &caller,
        &caller,
        called_at,
        CALL_BODY,
    );
    call.call = Some(Call {
        destination: CALL_DESTINATION.to_string(),
        duration_seconds: 185,
        billed_seconds: 180,
        disposition: "ANSWERED".to_string(),
        answered: true,
    });
    store_message(writer, conversation, &call)?;
    Ok(conversation)
}

/// Parses an RFC 3339 time written in this file.
pub fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|error| panic!("invalid sample time {text:?}: {error}"))
        .with_timezone(&Utc)
}

fn team(name: &str) -> Party {
    Party {
        name: Some(name.to_string()),
        address: TEAM.to_string(),
    }
}

fn start_conversation(
    writer: &Writer<'_>,
    channel: Channel,
    customer: &Party,
    subject: Option<&str>,
    at: &str,
) -> anyhow::Result<i64> {
    let (customer, _) = writer.find_or_create_customer(
        channel,
        &customer.address,
        customer.name.as_deref(),
        time(at),
    )?;
    writer.create_conversation(channel, customer.id, None, subject, time(at))
}

pub fn message(
    channel: Channel,
    direction: Direction,
    sender: &Party,
    customer: &Party,
    sent_at: &str,
    body: &str,
) -> IncomingMessage {
    IncomingMessage {
        channel,
        direction,
        sender: sender.clone(),
        customer: customer.clone(),
        sent_at: Some(time(sent_at)),
        subject: None,
        body_text: body.to_string(),
        external_id: None,
        thread_key: None,
        replies_to: Vec::new(),
        automation: None,
        call: None,
        attachments: Vec::new(),
        raw_span: None,
        notes: Vec::new(),
    }
}

/// Stores `message` with a raw input made of its sender, time and body, and
/// a dedupe key from that input's SHA-256 hash, as ingest does for messages
/// without an external id.
pub fn store_message(
    writer: &Writer<'_>,
    conversation_id: i64,
    message: &IncomingMessage,
) -> anyhow::Result<i64> {
    let received_at = message
        .sent_at
        .context("sample messages carry a send time")?;
    let raw = format!(
        "{}\n{}\n{}",
        message.sender.address,
        received_at.to_rfc3339(),
        message.body_text
    );
    let sha256 = hex::encode(Sha256::digest(raw.as_bytes()));
    let raw_input_id = writer.insert_raw_input(
        &sha256,
        "sample",
        Some("text/plain"),
        Some(message.channel.as_str()),
        raw.as_bytes(),
        received_at,
    )?;
    let dedupe_key = format!("{}:sha256:{sha256}", message.channel.as_str());
    writer.insert_message(
        conversation_id,
        message,
        &dedupe_key,
        raw_input_id,
        received_at,
    )
}

fn open_ticket(
    writer: &Writer<'_>,
    conversation_id: i64,
    subject: Option<&str>,
    ticket_type: &str,
    priority: &str,
    source: Channel,
) -> anyhow::Result<i64> {
    let ticket = NewTicket {
        conversation_id,
        subject,
        ticket_type,
        priority,
        source,
        actor: "agent:sample",
        reason: "sample data",
    };
    writer.open_ticket(&ticket, time("2024-03-12T07:00:00Z"))
}
