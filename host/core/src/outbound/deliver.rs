//! Delivering due outbox entries: mail over SMTP here, chat replies over
//! HTTP in [`super::chat`].

use chrono::{DateTime, Duration, Utc};
use lettre::SmtpTransport;
use lettre::Transport;
use lettre::address::{Address, Envelope};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::config::{FILE_NAME, Security, SmtpConfig};
use crate::model::Channel;
use crate::plugin::PluginSet;
use crate::plugin::adapter_api::{Formatted, Reply};
use crate::plugin::api::Party;
use crate::store::{PendingDelivery, Store};

/// Id of the adapter that formats mail.
pub const EMAIL_ADAPTER: &str = "email";

/// Entries of one channel that one run claims at most; the rest wait for
/// the next run.
pub(super) const MAX_PER_RUN: usize = 100;

/// Failed attempts after which an entry is given up as failed.
pub const MAX_ATTEMPTS: u32 = 12;

/// Wait before the first retry; it doubles with each failed attempt.
const FIRST_RETRY: Duration = Duration::minutes(1);

/// Maximum wait between two attempts.
const MAX_RETRY: Duration = Duration::hours(1);

/// Time after which an attempt that never recorded its result counts as
/// interrupted. It is longer than the largest SMTP timeout the
/// configuration allows (600 s), so a slow attempt is not sent twice.
const INTERRUPTED_AFTER: Duration = Duration::minutes(15);

/// Outcome of one delivery run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeliveryReport {
    /// Outbox ids the server accepted.
    pub sent: Vec<i64>,
    /// Outbox ids that failed and wait for a retry, with the error.
    pub retrying: Vec<(i64, String)>,
    /// Outbox ids given up as failed, with the error.
    pub failed: Vec<(i64, String)>,
    /// Outbox ids put back in the queue after an interrupted attempt.
    pub interrupted: Vec<i64>,
    /// Set when no mail was tried because `outgoing.toml` has no `[smtp]`.
    pub not_configured: Option<String>,
    /// Set when no chat reply was tried because `chat-out.toml` names no
    /// endpoint.
    pub chat_not_configured: Option<String>,
}

/// Sends the entries of the outbox that are due at `now`: mail through the
/// SMTP server in the store's `outgoing.toml` configuration, chat replies
/// to the endpoints in `chat-out.toml`. Each result is committed before
/// the next entry is tried, so an entry the server accepted is never sent
/// again.
///
/// NOTE: a process that ends after the server accepted a message, but
/// before the result was committed, leaves the entry `sending`. After
/// [`INTERRUPTED_AFTER`] it is queued again, so that message goes out twice.
pub fn deliver_due(
    store: &mut Store,
    plugins: &mut PluginSet,
    now: DateTime<Utc>,
) -> anyhow::Result<DeliveryReport> {
    let mut report = DeliveryReport::default();
    let writer = store.writer()?;
    report.interrupted = writer.requeue_interrupted(now - INTERRUPTED_AFTER)?;
    writer.commit()?;
    deliver_mail(store, plugins, now, &mut report)?;
    super::chat::deliver_chat(store, plugins, now, &mut report)?;
    Ok(report)
}

/// Sends the due email entries over SMTP.
fn deliver_mail(
    store: &mut Store,
    plugins: &mut PluginSet,
    now: DateTime<Utc>,
    report: &mut DeliveryReport,
) -> anyhow::Result<()> {
    let outgoing = store.desk().outgoing.clone();
    let Some(smtp) = outgoing.smtp else {
        report.not_configured = Some(format!(
            "no [smtp] server in {FILE_NAME}; queued mail waits until one is set"
        ));
        return Ok(());
    };
    let writer = store.writer()?;
    let claimed = writer.claim_due_outbound(Channel::Email, now, MAX_PER_RUN)?;
    writer.commit()?;
    if claimed.is_empty() {
        return Ok(());
    }

    let transport = match transport(&smtp) {
        Ok(transport) => Some(transport),
        Err(error) => {
            // Every claimed entry records the error below and retries.
            tracing::warn!(host = %smtp.host, "SMTP transport not ready: {error:#}");
            report.not_configured = Some(format!("{error:#}"));
            None
        }
    };

    for delivery in claimed {
        let result = match &transport {
            Some(transport) => attempt(store, plugins, transport, &smtp.host, &delivery, now),
            None => Err(Failure::Transient(
                report.not_configured.clone().unwrap_or_default(),
            )),
        };
        record_outcome(store, &delivery, result, now, report)?;
    }
    Ok(())
}

/// Records the outcome of one attempt and commits it: sent, queued for a
/// retry with backoff, or failed for good.
pub(super) fn record_outcome(
    store: &mut Store,
    delivery: &PendingDelivery,
    result: Result<(), Failure>,
    now: DateTime<Utc>,
    report: &mut DeliveryReport,
) -> anyhow::Result<()> {
    let outbox_id = delivery.outbox_id;
    let channel = delivery.channel;
    let writer = store.writer()?;
    match result {
        Ok(()) => {
            writer.mark_outbound_sent(outbox_id, now)?;
            tracing::info!(outbox = outbox_id, %channel, to = %delivery.recipient, "reply sent");
            report.sent.push(outbox_id);
        }
        Err(failure) => {
            let attempts = delivery.attempts + 1;
            let (message, retry_at) = match failure {
                Failure::Permanent(message) => (message, None),
                Failure::Transient(message) if attempts >= MAX_ATTEMPTS => (
                    format!("{message} (gave up after {attempts} attempts)"),
                    None,
                ),
                Failure::Transient(message) => (message, Some(now + retry_delay(attempts))),
            };
            writer.mark_outbound_attempt_failed(outbox_id, &message, retry_at, now)?;
            tracing::warn!(
                outbox = outbox_id,
                %channel,
                attempts,
                to = %delivery.recipient,
                "reply not sent: {message}"
            );
            match retry_at {
                Some(_) => report.retrying.push((outbox_id, message)),
                None => report.failed.push((outbox_id, message)),
            }
        }
    }
    writer.commit()?;
    Ok(())
}

/// Reason an attempt failed, and whether trying again can help.
pub(super) enum Failure {
    Transient(String),
    Permanent(String),
}

/// Returns the wait after `attempts` failed attempts: one minute, doubling
/// up to an hour.
fn retry_delay(attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(10);
    (FIRST_RETRY * 2i32.pow(doublings)).min(MAX_RETRY)
}

/// Formats an entry, when it was not formatted before, and sends it.
fn attempt(
    store: &mut Store,
    plugins: &mut PluginSet,
    transport: &SmtpTransport,
    smtp_host: &str,
    delivery: &PendingDelivery,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    let bytes = match &delivery.formatted {
        Some(bytes) => bytes.clone(),
        None => format_and_store(store, plugins, delivery, now)?,
    };
    let envelope = envelope(delivery).map_err(Failure::Permanent)?;
    match transport.send_raw(&envelope, &bytes) {
        Ok(_) => Ok(()),
        Err(error) => {
            let message = match crate::tls::certificate_problem(&error) {
                Some(problem) => problem.describe(
                    &format!("the SMTP server {smtp_host}"),
                    &format!("smtp.ca-file in {FILE_NAME}"),
                ),
                None => smtp_error_message(&error),
            };
            if error.is_permanent() {
                Err(Failure::Permanent(message))
            } else {
                Err(Failure::Transient(message))
            }
        }
    }
}

/// Describes an SMTP error with its causes, which hold the server's reply
/// or the socket error.
fn smtp_error_message(error: &lettre::transport::smtp::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// Formats an entry with the email adapter's `format-reply` and stores the
/// bytes, so later attempts send exactly these.
fn format_and_store(
    store: &mut Store,
    plugins: &mut PluginSet,
    delivery: &PendingDelivery,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, Failure> {
    let transient = |error: anyhow::Error| Failure::Transient(format!("{error:#}"));
    let formatted = format_reply(
        plugins,
        EMAIL_ADAPTER,
        delivery,
        delivery.subject.clone(),
        None,
    )?;

    let writer = store.writer().map_err(transient)?;
    let raw_input_id = writer
        .insert_raw_input(
            &hex::encode(Sha256::digest(&formatted.body)),
            &format!("outbox entry {}", delivery.outbox_id),
            Some(&formatted.content_type),
            Some(EMAIL_ADAPTER),
            &formatted.body,
            now,
        )
        .map_err(transient)?;
    writer
        .set_outbound_formatted(delivery.outbox_id, raw_input_id)
        .map_err(transient)?;
    writer.commit().map_err(transient)?;
    Ok(formatted.body)
}

/// Formats an outbox entry with adapter `adapter_id`'s `format-reply`.
/// A missing or disabled adapter is a transient failure. A reply the adapter
/// rejects is a permanent failure, because a retry would be rejected too.
pub(super) fn format_reply(
    plugins: &mut PluginSet,
    adapter_id: &str,
    delivery: &PendingDelivery,
    subject: Option<String>,
    thread_key: Option<String>,
) -> Result<Formatted, Failure> {
    let Some(adapter) = plugins.adapter(adapter_id) else {
        return Err(Failure::Transient(format!(
            "the {adapter_id} adapter is not loaded; `kefu plugin list` shows the plugins"
        )));
    };
    if let Some(reason) = adapter.disabled_reason() {
        return Err(Failure::Transient(format!(
            "the {adapter_id} adapter is disabled ({reason}); `kefu plugin enable \
             {adapter_id}` turns it on again"
        )));
    }
    let reply = Reply {
        sender: Party {
            name: delivery.sender_name.clone(),
            address: delivery.sender_address.clone(),
        },
        recipient: Party {
            name: delivery.recipient_name.clone(),
            address: delivery.recipient.clone(),
        },
        subject,
        body_text: delivery.body_text.clone(),
        external_id: delivery.external_id.clone(),
        replies_to: delivery.replies_to.clone(),
        thread_key,
        sent_at: delivery.sent_at.timestamp(),
    };
    let result = adapter.plugin.format_reply(&reply);
    let input = format!("outbox entry {}", delivery.outbox_id);
    adapter.record(adapter_id, &input, &result);
    match result {
        Ok(Ok(formatted)) => Ok(formatted),
        Ok(Err(message)) => Err(Failure::Permanent(format!(
            "the {adapter_id} adapter cannot format the reply: {message}"
        ))),
        Err(error) => Err(Failure::Transient(error.to_string())),
    }
}

fn envelope(delivery: &PendingDelivery) -> Result<Envelope, String> {
    let from: Address = delivery.sender_address.parse().map_err(|error| {
        format!(
            "the sender address {:?} is invalid: {error}; fix `from` in {FILE_NAME}",
            delivery.sender_address
        )
    })?;
    let to: Address = delivery.recipient.parse().map_err(|error| {
        format!(
            "the recipient address {:?} is invalid: {error}",
            delivery.recipient
        )
    })?;
    Envelope::new(Some(from), vec![to]).map_err(|error| error.to_string())
}

/// Builds the blocking SMTP transport for the configured server. The
/// server's certificate must chain to a Mozilla root (lettre's
/// `webpki-roots`) or to the CA in `smtp.ca-file`.
fn transport(smtp: &SmtpConfig) -> anyhow::Result<SmtpTransport> {
    let tls = match smtp.security {
        Security::None => Tls::None,
        Security::Starttls => Tls::Required(tls_parameters(smtp)?),
        Security::Tls => Tls::Wrapper(tls_parameters(smtp)?),
    };
    let mut builder = SmtpTransport::builder_dangerous(&smtp.host)
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(smtp.timeout));
    if let Some(username) = &smtp.username {
        let password = smtp.read_password()?.unwrap_or_default();
        builder = builder.credentials(Credentials::new(username.clone(), password));
    }
    Ok(builder.build())
}

fn tls_parameters(smtp: &SmtpConfig) -> anyhow::Result<TlsParameters> {
    let mut builder = TlsParameters::builder(smtp.host.clone());
    if let Some(path) = &smtp.ca_file {
        for der in crate::tls::read_ca_file(path, FILE_NAME)? {
            builder = builder.add_root_certificate(Certificate::from_der(der.to_vec())?);
        }
    }
    Ok(builder.build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delay_doubles_up_to_an_hour() {
        assert_eq!(retry_delay(1), Duration::minutes(1));
        assert_eq!(retry_delay(2), Duration::minutes(2));
        assert_eq!(retry_delay(4), Duration::minutes(8));
        assert_eq!(retry_delay(7), Duration::hours(1));
        assert_eq!(retry_delay(40), Duration::hours(1));
    }
}
