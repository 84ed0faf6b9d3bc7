//! Storing and queueing a reply on a ticket.

use chrono::{DateTime, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{TOKEN_KEY_NAME, token};
use crate::model::{Channel, Direction, IncomingMessage, Party};
use crate::store::{NewOutboxEntry, ReplyTarget, Writer};

/// Content type of the raw input stored for a reply: the request as the
/// agent or rule made it, before any channel formatting.
pub const REPLY_CONTENT_TYPE: &str = "application/vnd.kefu.reply+json";

/// Earlier message ids a reply names in In-Reply-To and References.
const MAX_REFERENCES: usize = 20;

/// Longest reply text, in characters.
pub const MAX_TEXT_CHARS: usize = 100_000;

/// A reply to queue on a ticket.
#[derive(Debug, Clone)]
pub struct ReplyRequest<'a> {
    pub ticket_id: i64,
    pub text: &'a str,
    /// The author, as ticket history names actors: `agent:<name>` or
    /// `rule:<name>`.
    pub actor: &'a str,
    /// True for a reply a rule sent without an agent. Automatic replies
    /// count against the daily cap per address and are not the team's
    /// first response.
    pub automatic: bool,
}

/// Sender, channel id, subject and thread key of a reply, which differ by
/// channel.
struct Envelope {
    sender: Party,
    external_id: String,
    subject: Option<String>,
    /// The platform's conversation id a chat reply goes to; `None` for mail,
    /// which threads by Message-ID.
    thread_key: Option<String>,
}

/// Returns the envelope of a mail reply: the team's address from
/// `outgoing.toml`, a Message-ID carrying the signed conversation token,
/// and the subject with the ticket reference.
fn mail_envelope(
    writer: &Writer<'_>,
    target: &ReplyTarget,
    ticket_id: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<Envelope> {
    let from = writer.desk().outgoing.from.clone().ok_or_else(|| {
        anyhow::anyhow!(
            "no team address to send from; set `from = \"support@example.cn\"` in {} in the \
             configuration folder",
            super::config::FILE_NAME
        )
    })?;
    let key = writer.installation_secret(TOKEN_KEY_NAME, || Ok(token::new_key()?.to_vec()), now)?;
    let external_id = token::message_id(&key, target.conversation_id, from.domain())?;
    Ok(Envelope {
        sender: Party {
            name: from.name.clone(),
            address: from.address.clone(),
        },
        external_id,
        subject: Some(reply_subject(target.subject.as_deref(), ticket_id)),
        thread_key: None,
    })
}

/// Returns the envelope of a chat reply: the author as sender, a random
/// `kefu-reply-` id and no subject. Fails when the conversation has no
/// platform conversation id, because the reply would have nowhere to go.
fn chat_envelope(target: &ReplyTarget, ticket_id: i64, actor: &str) -> anyhow::Result<Envelope> {
    let Some(thread_key) = target
        .thread_key
        .clone()
        .filter(|key| !key.trim().is_empty())
    else {
        anyhow::bail!(
            "ticket {ticket_id}: its chat conversation has no conversation id from the chat \
             platform, so a reply cannot be sent to it"
        );
    };
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut nonce)
        .map_err(|error| anyhow::anyhow!("reading random bytes for a reply id failed: {error}"))?;
    let name = actor.split_once(':').map_or(actor, |(_, name)| name);
    Ok(Envelope {
        sender: Party {
            name: Some(name.to_string()).filter(|name| !name.trim().is_empty()),
            address: actor.to_string(),
        },
        external_id: format!("kefu-reply-{}", hex::encode(nonce)),
        subject: None,
        thread_key: Some(thread_key),
    })
}

/// A stored and queued reply.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QueuedReply {
    pub outbox_id: i64,
    pub message_id: i64,
    /// The channel's id of the reply: the Message-ID without angle
    /// brackets for mail, `kefu-reply-…` for chat.
    pub external_id: String,
    pub recipient: String,
    /// Empty for channels without subjects, such as chat.
    pub subject: String,
}

/// Stores a reply as an outbound message on the ticket's conversation and
/// queues it in the outbox, in the writer's transaction. An agent's reply
/// counts as the ticket's first response. Fails, storing nothing, when the
/// text is empty, the ticket is not found, its channel is neither email nor
/// chat, a mail reply has no team address in `outgoing.toml`, or a chat
/// conversation has no platform conversation id.
pub fn queue_reply(
    writer: &Writer<'_>,
    request: &ReplyRequest<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<QueuedReply> {
    let text = request.text.trim_end();
    if text.trim().is_empty() {
        anyhow::bail!("the reply text is empty; pass the text with --text or --file");
    }
    let length = text.chars().count();
    if length > MAX_TEXT_CHARS {
        anyhow::bail!(
            "the reply text has {length} characters, more than the {MAX_TEXT_CHARS} allowed; \
             shorten it"
        );
    }
    let ticket_id = request.ticket_id;
    let target = writer.reply_target(ticket_id)?.ok_or_else(|| {
        anyhow::anyhow!("ticket {ticket_id} not found; `kefu tickets` lists the tickets")
    })?;
    let envelope = match target.channel {
        Channel::Email => mail_envelope(writer, &target, ticket_id, now)?,
        Channel::Chat => chat_envelope(&target, ticket_id, request.actor)?,
        other => anyhow::bail!(
            "ticket {ticket_id} is a {other} conversation, and only email and chat replies can \
             be sent"
        ),
    };
    let Envelope {
        sender,
        external_id,
        subject,
        thread_key,
    } = envelope;
    let recipient = writer
        .reply_address(target.conversation_id, target.customer_id, target.channel)?
        .ok_or_else(|| {
            anyhow::anyhow!(
                "ticket {ticket_id}: the customer has no {} address to reply to",
                target.channel
            )
        })?;
    let replies_to = writer.conversation_external_ids(target.conversation_id, MAX_REFERENCES)?;

    let message = IncomingMessage {
        channel: target.channel,
        direction: Direction::Outbound,
        sender,
        customer: Party {
            name: target.customer_name.clone(),
            address: recipient.clone(),
        },
        sent_at: Some(now),
        subject: subject.clone(),
        body_text: text.to_string(),
        external_id: Some(external_id.clone()),
        thread_key,
        replies_to,
        automation: None,
        call: None,
        attachments: Vec::new(),
        raw_span: None,
        notes: Vec::new(),
    };
    let subject = subject.unwrap_or_default();

    // The request itself is the raw input of an outbound message, so the
    // text is kept exactly as written even before any adapter formats it.
    let raw = serde_json::to_vec(&json!({
        "ticket": ticket_id,
        "actor": request.actor,
        "automatic": request.automatic,
        "message-id": external_id,
        "to": recipient,
        "subject": subject,
        "text": text,
        "at": crate::store::format_time(now),
    }))?;
    let raw_input_id = writer.insert_raw_input(
        &hex::encode(Sha256::digest(&raw)),
        &format!("reply to ticket {ticket_id}"),
        Some(REPLY_CONTENT_TYPE),
        None,
        &raw,
        now,
    )?;
    let dedupe_key = crate::ingest::dedupe_key(&message);
    let message_id = writer.insert_message(
        target.conversation_id,
        &message,
        &dedupe_key,
        raw_input_id,
        now,
    )?;
    let outbox_id = writer.queue_outbound(
        &NewOutboxEntry {
            channel: target.channel,
            message_id,
            ticket_id: Some(ticket_id),
            recipient: &recipient,
            automatic: request.automatic,
        },
        now,
    )?;
    writer.record_outbound_event(
        ticket_id,
        now,
        request.actor,
        "reply-queued",
        &json!({ "outbox": outbox_id, "message": message_id, "to": recipient }),
        if request.automatic {
            "automatic reply"
        } else {
            "agent reply"
        },
    )?;
    if !request.automatic {
        writer.record_first_response(ticket_id, request.actor, now)?;
    }
    tracing::info!(
        ticket = ticket_id,
        outbox = outbox_id,
        message = message_id,
        "reply queued"
    );
    Ok(QueuedReply {
        outbox_id,
        message_id,
        external_id,
        recipient,
        subject,
    })
}

/// Outcome of a rule's request to send a phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutomaticReply {
    Queued(QueuedReply),
    /// Not sent on purpose: the customer's message was automatic mail, or
    /// the recipient had the day's cap. The reason is in the ticket history.
    Withheld(String),
    /// Not sent because it could not be: no team address, a channel with no
    /// sender, a missing phrase or placeholder value. The reason is in the
    /// ticket history.
    Failed(String),
}

/// Renders a phrase for a ticket and queues it as an automatic reply.
/// Nothing is queued when the customer's latest message was written by a
/// machine (`automation` is its kind), when the recipient had the daily cap
/// of automatic mail, or when the reply cannot be queued. Each outcome is
/// recorded in the ticket's history under `actor`.
pub fn queue_phrase_reply(
    writer: &Writer<'_>,
    ticket_id: i64,
    phrase_id: &str,
    actor: &str,
    automation: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<AutomaticReply> {
    let record = |reason: &str| -> anyhow::Result<()> {
        writer.record_outbound_event(
            ticket_id,
            now,
            actor,
            "reply-withheld",
            &json!({ "phrase": phrase_id }),
            reason,
        )?;
        tracing::info!(
            ticket = ticket_id,
            phrase = phrase_id,
            "automatic reply not sent: {reason}"
        );
        Ok(())
    };
    let withhold = |reason: String| -> anyhow::Result<AutomaticReply> {
        record(&reason)?;
        Ok(AutomaticReply::Withheld(reason))
    };
    let fail = |reason: String| -> anyhow::Result<AutomaticReply> {
        record(&reason)?;
        Ok(AutomaticReply::Failed(reason))
    };

    if let Some(kind) = automation {
        return withhold(format!(
            "the customer's latest message is automatic mail ({kind}); automatic replies to it \
             could start a mail loop"
        ));
    }
    let Some(target) = writer.reply_target(ticket_id)? else {
        anyhow::bail!("ticket {ticket_id} not found");
    };
    let Some(recipient) =
        writer.reply_address(target.conversation_id, target.customer_id, target.channel)?
    else {
        return fail("the customer has no address to reply to".to_string());
    };
    let cap = writer.desk().outgoing.max_automatic_per_address_per_day;
    let recent = writer.automatic_outbound_since(&recipient, now - chrono::Duration::days(1))?;
    if recent >= cap {
        return withhold(format!(
            "{recipient} had {recent} automatic replies in the last 24 hours, the cap set by \
             max-automatic-per-address-per-day in {}",
            super::config::FILE_NAME
        ));
    }
    let Some(phrase) = writer.phrase(phrase_id)? else {
        return fail(format!("phrase {phrase_id:?} not found"));
    };
    let today = crate::phrases::render::today_in(&writer.desk().sla.calendar().time_zone(), now);
    let context = writer.render_context(ticket_id, None, Some(today))?;
    let rendered = crate::phrases::render(&phrase.body, &context);
    if !rendered.missing.is_empty() {
        return fail(format!(
            "phrase {phrase_id:?} has placeholders without a value: {}",
            rendered.missing.join(", ")
        ));
    }
    let request = ReplyRequest {
        ticket_id,
        text: &rendered.text,
        actor,
        automatic: true,
    };
    match queue_reply(writer, &request, now) {
        Ok(queued) => {
            writer.record_phrase_use(phrase_id, now)?;
            Ok(AutomaticReply::Queued(queued))
        }
        Err(error) => fail(format!("{error:#}")),
    }
}

/// Returns the subject of a reply: `Re: ` and the conversation's subject,
/// with the ticket reference `[#ID]` that threads the customer's reply
/// when its headers are lost.
pub fn reply_subject(subject: Option<&str>, ticket_id: i64) -> String {
    let subject = subject.map(str::trim).unwrap_or_default();
    let reference = format!("[#{ticket_id}]");
    let with_reference = if subject.contains(&reference) {
        subject.to_string()
    } else if subject.is_empty() {
        reference
    } else {
        format!("{subject} {reference}")
    };
    let has_prefix = with_reference
        .get(..3)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("re:"));
    if has_prefix {
        with_reference
    } else {
        format!("Re: {with_reference}")
    }
}

/// Returns the ticket ids a subject names as `[#ID]`, in order.
pub fn subject_ticket_references(subject: &str) -> Vec<i64> {
    let mut found = Vec::new();
    let mut rest = subject;
    while let Some(start) = rest.find("[#") {
        rest = &rest[start + 2..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty()
            && rest[digits.len()..].starts_with(']')
            && let Ok(id) = digits.parse::<i64>()
            && id > 0
        {
            found.push(id);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_subject_adds_prefix_and_reference() {
        assert_eq!(reply_subject(Some("退款"), 7), "Re: 退款 [#7]");
        assert_eq!(reply_subject(Some("RE: 退款 [#7]"), 7), "RE: 退款 [#7]");
        assert_eq!(reply_subject(None, 7), "Re: [#7]");
    }

    #[test]
    fn subject_references_are_found() {
        assert_eq!(subject_ticket_references("Re: 退款 [#1234]"), [1234]);
        assert_eq!(subject_ticket_references("[#1] and [#22]"), [1, 22]);
        for subject in [
            "[#]",
            "[#12",
            "[# 12]",
            "#12",
            "[#0]",
            "[#99999999999999999999]",
        ] {
            assert!(subject_ticket_references(subject).is_empty(), "{subject}");
        }
    }
}
