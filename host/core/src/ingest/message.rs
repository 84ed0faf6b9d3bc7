//! Storing one parsed message: customer, conversation, message, rules.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::IngestSummary;
use crate::model::{Channel, Direction, IncomingMessage};
use crate::outbound;
use crate::plugin::{Guarded, RulePlugin};
use crate::store::{NewRating, RatingSource, Writer, rating_in_reply};

/// Everything needed to store the messages of one input.
pub(super) struct StoreContext<'w, 'a> {
    pub writer: &'w Writer<'a>,
    pub rules: &'w mut Vec<Guarded<RulePlugin>>,
    pub raw_input_id: i64,
    pub received_at: DateTime<Utc>,
    /// Modification time of the input file, the send time of last resort
    /// for mail with no usable date.
    pub file_time: Option<DateTime<Utc>>,
    /// Id of the adapter that read the input.
    pub adapter_id: &'w str,
    /// Identities the adapter reported for the customers of the input.
    pub reported: &'w super::identities::ReportedByCustomer,
    pub summary: &'w mut IngestSummary,
}

impl StoreContext<'_, '_> {
    /// Stores a message unless an equal one is stored, then runs the rules
    /// on it. Returns whether it was stored.
    pub fn store_message(&mut self, mut message: IncomingMessage) -> anyhow::Result<bool> {
        let dedupe_key = dedupe_key(&message);
        if self.writer.message_exists(&dedupe_key)? {
            self.summary.duplicate_messages += 1;
            return Ok(false);
        }
        // After the dedupe key, which must not depend on when a copy of the
        // same mail was saved.
        if message.channel == Channel::Email
            && message.sent_at.is_none()
            && let Some(file_time) = self.file_time
        {
            message.sent_at = Some(file_time);
            message.notes.push(format!(
                "The mail has no usable date, so the send time is the file's \
                 modification time, {}.",
                file_time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ));
        }
        // Looked up by the address as the adapter wrote it, before an empty
        // one is replaced below.
        let reported = self.reported.for_customer(&message.customer.address);
        if message.customer.address.trim().is_empty() {
            // Without an address the customer cannot be recognised again, so
            // the message gets a customer of its own rather than joining
            // every other message that lacks one.
            let hash = dedupe_key.rsplit(':').next().unwrap_or_default();
            message.customer.address = format!("unknown-{}", &hash[..hash.len().min(12)]);
            if message.customer.name.is_none() {
                message.customer.name = Some(match message.channel {
                    Channel::Phone => "Unknown caller".to_string(),
                    _ => "Unknown sender".to_string(),
                });
            }
            message
                .notes
                .push("The input names no customer address.".to_string());
        }

        let (customer, customer_created) = super::identities::resolve_customer(
            self.writer,
            &mut message,
            reported,
            self.adapter_id,
            self.received_at,
        )?;
        if customer_created {
            self.summary.customers_created += 1;
        }
        let conversation_id = self.conversation_for(&message, customer.id)?;
        let message_id = self.writer.insert_message(
            conversation_id,
            &message,
            &dedupe_key,
            self.raw_input_id,
            self.received_at,
        )?;
        self.writer
            .insert_attachments(message_id, &message, self.raw_input_id)?;
        self.summary.messages_stored += 1;

        let ticket_id = self.writer.open_ticket_of(conversation_id)?;
        match message.direction {
            Direction::Inbound => {
                // A customer's reply to a ticket that waits on them, or to a
                // finished one, moves it as the lifecycle sets, unless it is
                // only a rating of the finished ticket. Automatic mail
                // (auto-replies, bounces) is not a customer reply.
                if let Some(ticket_id) = ticket_id.filter(|_| message.automation.is_none())
                    && !self.store_rating(ticket_id, &message, message_id)?
                {
                    self.writer.customer_replied(ticket_id, self.received_at)?;
                }
                super::rules::on_message(self, &message, message_id, conversation_id)?;
                if let Some(call) = message.call.as_ref().filter(|call| !call.answered) {
                    // After the rules, so the task links the ticket they opened.
                    let ticket_id = self.writer.open_ticket_of(conversation_id)?;
                    let caller = message
                        .customer
                        .name
                        .clone()
                        .unwrap_or_else(|| message.customer.address.clone());
                    let title = format!("Call back {caller} ({})", call.disposition);
                    if self.writer.add_callback_task(
                        customer.id,
                        ticket_id,
                        message_id,
                        &title,
                        self.received_at,
                    )? {
                        self.summary.callback_tasks += 1;
                    }
                }
            }
            Direction::Outbound => {
                if let Some(ticket_id) = ticket_id {
                    let actor = format!("agent:{}", message.sender.address);
                    let at = message.sent_at.unwrap_or(self.received_at);
                    self.writer.record_first_response(ticket_id, &actor, at)?;
                }
            }
        }
        Ok(true)
    }

    /// Stores a customer message that is only a score, such as `5` or
    /// `评分：4分`, as the rating of the conversation's ticket when that
    /// ticket is resolved or closed, and returns whether it did. A rating
    /// does not reopen the ticket. On an open ticket the same text is an
    /// ordinary reply.
    fn store_rating(
        &mut self,
        ticket_id: i64,
        message: &IncomingMessage,
        message_id: i64,
    ) -> anyhow::Result<bool> {
        let Some(score) = rating_in_reply(&message.body_text) else {
            return Ok(false);
        };
        let status = self.writer.ticket_status(ticket_id)?;
        if self.writer.desk().lifecycle.is_open(&status) {
            return Ok(false);
        }
        let rating = NewRating {
            ticket_id,
            score,
            comment: None,
            rated_at: message.sent_at.unwrap_or(self.received_at),
            source: RatingSource::Message,
            message_id: Some(message_id),
        };
        if self.writer.insert_rating(&rating, self.received_at)? {
            self.summary.ratings_stored += 1;
        }
        Ok(true)
    }

    /// Finds the conversation a message belongs to, or creates it.
    ///
    /// Chat messages join the conversation with their channel conversation
    /// id, and calls join the caller's phone conversation. Mail joins the
    /// conversation of the message it replies to, else the one a signed
    /// token or a ticket reference names (see
    /// [`Self::conversation_by_reference`]), but only when that
    /// conversation is the same customer's.
    fn conversation_for(
        &mut self,
        message: &IncomingMessage,
        customer_id: i64,
    ) -> anyhow::Result<i64> {
        let thread_key = match (message.channel, &message.thread_key) {
            (_, Some(key)) if !key.trim().is_empty() => Some(key.trim().to_string()),
            (Channel::Phone, _) => Some(
                self.writer
                    .desk()
                    .identity
                    .normalize(Channel::Phone, &message.customer.address),
            ),
            _ => None,
        };
        let existing = match &thread_key {
            Some(key) => self
                .writer
                .conversation_by_thread_key(message.channel, key)?
                .map(|(id, _)| id),
            None => match self.writer.conversation_by_reply(
                message.channel,
                &message.replies_to,
                customer_id,
            )? {
                Some(id) => Some(id),
                None => self.conversation_by_reference(message, customer_id)?,
            },
        };
        if let Some(id) = existing {
            return Ok(id);
        }
        self.summary.conversations_created += 1;
        let subject = message
            .subject
            .as_deref()
            .map(str::trim)
            .filter(|subject| !subject.is_empty());
        self.writer.create_conversation(
            message.channel,
            customer_id,
            thread_key.as_deref(),
            subject,
            message.sent_at.unwrap_or(self.received_at),
        )
    }

    /// Finds the conversation a mail names by a signed token (see
    /// [`crate::outbound::token`]) in In-Reply-To or References, else by a
    /// ticket reference such as `[#42]` in its subject. Either counts only
    /// when that conversation belongs to the mail's customer, so a
    /// stranger who copies a reference never joins someone else's ticket.
    /// A forged or altered token is ignored.
    fn conversation_by_reference(
        &self,
        message: &IncomingMessage,
        customer_id: i64,
    ) -> anyhow::Result<Option<i64>> {
        if message.channel != Channel::Email {
            return Ok(None);
        }
        if let Some(key) = self
            .writer
            .existing_installation_secret(outbound::TOKEN_KEY_NAME)?
        {
            for id in &message.replies_to {
                let Some(conversation_id) = outbound::token::verify(&key, id) else {
                    continue;
                };
                let owner = self.writer.conversation_owner(conversation_id)?;
                if owner == Some((customer_id, message.channel)) {
                    return Ok(Some(conversation_id));
                }
                tracing::info!(
                    conversation = conversation_id,
                    "mail names a conversation of another customer; not joined"
                );
            }
        }
        let subject = message.subject.as_deref().unwrap_or_default();
        for ticket_id in outbound::reply::subject_ticket_references(subject) {
            let Some((conversation_id, owner)) =
                self.writer.ticket_conversation_customer(ticket_id)?
            else {
                continue;
            };
            let channel = self.writer.conversation_owner(conversation_id)?;
            if owner == customer_id && channel.map(|(_, channel)| channel) == Some(Channel::Email) {
                return Ok(Some(conversation_id));
            }
            tracing::info!(
                ticket = ticket_id,
                "subject names a ticket of another customer; not joined"
            );
        }
        Ok(None)
    }
}

/// Key that identifies a message across imports: the channel's own id
/// together with a hash of the parsed content.
///
/// The id alone is not enough, because real senders reuse ids: one
/// sendmail run writes a separate bounce per failed recipient under
/// one Message-ID. The hash covers what the adapter read (parties,
/// time, subject, text), not the raw bytes, so the same mail saved
/// twice with different line endings or mbox framing is still found.
pub(crate) fn dedupe_key(message: &IncomingMessage) -> String {
    let channel = message.channel;
    let external_id = message
        .external_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .unwrap_or("-");
    let mut hasher = Sha256::new();
    for field in [
        message.direction.as_str(),
        &message.sender.address,
        &message.customer.address,
        message.thread_key.as_deref().unwrap_or(""),
        &message
            .sent_at
            .map(|time| time.timestamp().to_string())
            .unwrap_or_default(),
        message.subject.as_deref().unwrap_or("").trim(),
        message.body_text.trim(),
    ] {
        hasher.update(field.as_bytes());
        hasher.update([0u8]);
    }
    format!("{channel}:{external_id}:{}", hex::encode(hasher.finalize()))
}
