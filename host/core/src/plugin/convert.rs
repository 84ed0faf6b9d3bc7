//! Conversions between the plugin API's records and the domain model.

use chrono::{DateTime, Utc};

use super::bindings::types as api;
use crate::model::{
    Attachment, Automation, AutomationKind, Call, Channel, Direction, IncomingMessage, Party,
};

/// Earliest and latest send times kept: the years 1 to 9999, which the
/// database's RFC 3339 text can hold and read back.
const FIRST_TIME: i64 = -62_135_596_800;
const LAST_TIME: i64 = 253_402_300_799;

/// Converts a message from an adapter into the domain model. A send time
/// outside the years 1 to 9999 is dropped with a note, so a plugin's
/// mistake (milliseconds for seconds, say) cannot store a time the database
/// cannot read back.
pub fn incoming_from_api(message: api::Message) -> IncomingMessage {
    let mut notes = message.notes;
    let sent_at = message.sent_at.and_then(|seconds| {
        let time = (FIRST_TIME..=LAST_TIME)
            .contains(&seconds)
            .then(|| DateTime::<Utc>::from_timestamp(seconds, 0))
            .flatten();
        if time.is_none() {
            notes.push(format!(
                "send time {seconds} (seconds since 1970) is outside the years 1 to 9999 and \
                 was ignored"
            ));
        }
        time
    });
    IncomingMessage {
        channel: channel_from_api(message.channel),
        direction: match message.direction {
            api::Direction::Inbound => Direction::Inbound,
            api::Direction::Outbound => Direction::Outbound,
        },
        sender: party_from_api(message.sender),
        customer: party_from_api(message.customer),
        sent_at,
        subject: message.subject,
        body_text: message.body_text,
        external_id: message.external_id,
        thread_key: message.thread_key,
        replies_to: message.replies_to,
        automation: message.automation.map(|automation| Automation {
            kind: match automation.kind {
                api::AutomationKind::AutoReply => AutomationKind::AutoReply,
                api::AutomationKind::Bounce => AutomationKind::Bounce,
                api::AutomationKind::Bulk => AutomationKind::Bulk,
            },
            evidence: automation.evidence,
        }),
        call: message.call.map(|call| Call {
            destination: call.destination,
            duration_seconds: call.duration_seconds,
            billed_seconds: call.billed_seconds,
            disposition: call.disposition,
            answered: call.answered,
        }),
        attachments: message
            .attachments
            .into_iter()
            .map(|attachment| Attachment {
                file_name: attachment.file_name,
                content_type: attachment.content_type,
                size: attachment.size,
            })
            .collect(),
        raw_span: message.raw_span.map(|span| (span.offset, span.length)),
        notes,
    }
}

/// Converts a domain message into the plugin API's record, for rules.
pub fn incoming_to_api(message: &IncomingMessage) -> api::Message {
    api::Message {
        channel: channel_to_api(message.channel),
        direction: match message.direction {
            Direction::Inbound => api::Direction::Inbound,
            Direction::Outbound => api::Direction::Outbound,
        },
        sender: party_to_api(&message.sender),
        customer: party_to_api(&message.customer),
        sent_at: message.sent_at.map(|time| time.timestamp()),
        subject: message.subject.clone(),
        body_text: message.body_text.clone(),
        external_id: message.external_id.clone(),
        thread_key: message.thread_key.clone(),
        replies_to: message.replies_to.clone(),
        automation: message
            .automation
            .as_ref()
            .map(|automation| api::Automation {
                kind: match automation.kind {
                    AutomationKind::AutoReply => api::AutomationKind::AutoReply,
                    AutomationKind::Bounce => api::AutomationKind::Bounce,
                    AutomationKind::Bulk => api::AutomationKind::Bulk,
                },
                evidence: automation.evidence.clone(),
            }),
        call: message.call.as_ref().map(|call| api::Call {
            destination: call.destination.clone(),
            duration_seconds: call.duration_seconds,
            billed_seconds: call.billed_seconds,
            disposition: call.disposition.clone(),
            answered: call.answered,
        }),
        attachments: message
            .attachments
            .iter()
            .map(|attachment| api::Attachment {
                file_name: attachment.file_name.clone(),
                content_type: attachment.content_type.clone(),
                size: attachment.size,
            })
            .collect(),
        raw_span: message
            .raw_span
            .map(|(offset, length)| api::Span { offset, length }),
        notes: message.notes.clone(),
    }
}

impl From<Channel> for api::Channel {
    fn from(channel: Channel) -> Self {
        channel_to_api(channel)
    }
}

pub(crate) fn channel_from_api(channel: api::Channel) -> Channel {
    match channel {
        api::Channel::Email => Channel::Email,
        api::Channel::Chat => Channel::Chat,
        api::Channel::Phone => Channel::Phone,
    }
}

pub(crate) fn channel_to_api(channel: Channel) -> api::Channel {
    match channel {
        Channel::Email => api::Channel::Email,
        Channel::Chat => api::Channel::Chat,
        Channel::Phone => api::Channel::Phone,
    }
}

fn party_from_api(party: api::Party) -> Party {
    Party {
        name: party.name.filter(|name| !name.trim().is_empty()),
        address: party.address,
    }
}

fn party_to_api(party: &Party) -> api::Party {
    api::Party {
        name: party.name.clone(),
        address: party.address.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(sent_at: Option<i64>) -> api::Message {
        let party = api::Party {
            name: None,
            address: "li.lei@example.cn".to_string(),
        };
        api::Message {
            channel: api::Channel::Chat,
            direction: api::Direction::Inbound,
            sender: party.clone(),
            customer: party,
            sent_at,
            subject: None,
            body_text: "你好".to_string(),
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

    #[test]
    fn out_of_range_send_time_dropped() {
        // Milliseconds given as seconds, the year 12017 and the year -50.
        for seconds in [1_627_063_369_000, 316_700_000_000, -63_700_000_000] {
            let incoming = incoming_from_api(message(Some(seconds)));
            assert_eq!(incoming.sent_at, None, "{seconds}");
            assert!(
                incoming.notes[0].contains(&seconds.to_string()),
                "{:?}",
                incoming.notes
            );
        }
    }

    #[test]
    fn in_range_send_time_kept() {
        let incoming = incoming_from_api(message(Some(1_627_063_369)));
        assert_eq!(incoming.sent_at.unwrap().timestamp(), 1_627_063_369);
        assert!(incoming.notes.is_empty());
    }
}
