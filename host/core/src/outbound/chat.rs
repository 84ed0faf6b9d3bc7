//! Delivering due chat replies over HTTP.
//!
//! The chat adapter's `format-reply` makes the request body for the
//! conversation's platform and names the platform in a transport header.
//! This module picks the endpoint for that platform from `chat-out.toml`,
//! checks the URL against the file's `allowed-urls` and posts the body
//! with the HTTP client of the plugins' `http` capability, which follows
//! no redirects.

use chrono::{DateTime, Utc};

use super::chat_config::{ChatOutConfig, FILE_NAME, read_token};
use super::deliver::{DeliveryReport, Failure, MAX_PER_RUN, format_reply, record_outcome};
use crate::model::Channel;
use crate::plugin::PluginSet;
use crate::plugin::adapter_api::Formatted;
use crate::plugin::api::CapabilityError;
use crate::plugin::capability::{CapabilityContext, HttpRequest};
use crate::plugin::manifest::Capabilities;
use crate::store::{PendingDelivery, Store};

/// Id of the adapter that formats chat replies.
pub const CHAT_ADAPTER: &str = "chat";

/// Transport header in which the chat adapter names the reply's platform.
const PLATFORM_HEADER: &str = "kefu-chat-platform";

/// Transport header with the platform's conversation id (Chatwoot only).
const CONVERSATION_HEADER: &str = "kefu-chat-conversation";

/// Bytes of a response body kept for the error message of a rejected
/// request.
const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// Characters of a response body quoted in an error message.
const MAX_QUOTED_CHARS: usize = 300;

/// Sends the due chat entries to the endpoints in `chat-out.toml`. When the
/// file names no endpoint, nothing is claimed and the entries stay queued.
pub(super) fn deliver_chat(
    store: &mut Store,
    plugins: &mut PluginSet,
    now: DateTime<Utc>,
    report: &mut DeliveryReport,
) -> anyhow::Result<()> {
    let config = store.desk().chat_out.clone();
    if config.generic.is_none() && config.chatwoot.is_none() {
        report.chat_not_configured = Some(format!(
            "no chat endpoint ([generic] or [chatwoot]) in {FILE_NAME}; queued chat replies \
             wait until one is set"
        ));
        return Ok(());
    }
    let writer = store.writer()?;
    let claimed = writer.claim_due_outbound(Channel::Chat, now, MAX_PER_RUN)?;
    writer.commit()?;
    for delivery in claimed {
        let result = attempt(plugins, &config, &delivery);
        record_outcome(store, &delivery, result, now, report)?;
    }
    Ok(())
}

/// Formats one entry with the chat adapter and posts it.
fn attempt(
    plugins: &mut PluginSet,
    config: &ChatOutConfig,
    delivery: &PendingDelivery,
) -> Result<(), Failure> {
    let formatted = format(plugins, delivery)?;
    let request = request(config, formatted)?;
    if !config.allows(&request.url) {
        return Err(Failure::Permanent(format!(
            "{} is not in allowed-urls of {FILE_NAME}, so the reply was not sent; add the URL \
             there if replies may go to it, then run `kefu outbox retry {}`",
            request.url, delivery.outbox_id
        )));
    }
    post(config, request)
}

/// Formats an entry with the chat adapter's `format-reply`. The result is
/// not stored: it depends only on the stored message, so every attempt
/// sends the same body.
fn format(plugins: &mut PluginSet, delivery: &PendingDelivery) -> Result<Formatted, Failure> {
    format_reply(
        plugins,
        CHAT_ADAPTER,
        delivery,
        None,
        delivery.thread_key.clone(),
    )
}

/// Builds the HTTP request for the platform the adapter named, with the
/// endpoint's token. Fails while `chat-out.toml` has no endpoint for that
/// platform, which a later attempt may find.
fn request(config: &ChatOutConfig, formatted: Formatted) -> Result<HttpRequest, Failure> {
    let header = |name: &str| {
        formatted
            .headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.clone())
    };
    let platform = header(PLATFORM_HEADER).unwrap_or_default();
    let mut headers = vec![("content-type".to_string(), formatted.content_type.clone())];
    let url = match platform.as_str() {
        "chatwoot" => {
            let endpoint = config.chatwoot.as_ref().ok_or_else(|| {
                Failure::Transient(format!(
                    "the reply is for a Chatwoot conversation, but {FILE_NAME} has no \
                     [chatwoot] table; add one with base-url, account and a token"
                ))
            })?;
            let conversation = header(CONVERSATION_HEADER).ok_or_else(|| {
                Failure::Permanent(format!(
                    "the {CHAT_ADAPTER} adapter named no Chatwoot conversation \
                     ({CONVERSATION_HEADER} header)"
                ))
            })?;
            let token = read_token(&endpoint.token, "chatwoot")
                .map_err(|error| Failure::Transient(format!("{error:#}")))?;
            headers.push(("api_access_token".to_string(), token));
            endpoint.messages_url(&conversation)
        }
        "generic" => {
            let endpoint = config.generic.as_ref().ok_or_else(|| {
                Failure::Transient(format!(
                    "the reply is for the generic chat endpoint, but {FILE_NAME} has no \
                     [generic] table; add one with the url replies are posted to"
                ))
            })?;
            if let Some(source) = &endpoint.token {
                let token = read_token(source, "generic")
                    .map_err(|error| Failure::Transient(format!("{error:#}")))?;
                headers.push(("authorization".to_string(), format!("Bearer {token}")));
            }
            endpoint.url.clone()
        }
        other => {
            return Err(Failure::Permanent(format!(
                "the {CHAT_ADAPTER} adapter formatted the reply for platform {other:?}, which \
                 Kefu cannot send to; update the adapter"
            )));
        }
    };
    Ok(HttpRequest {
        method: "POST".to_string(),
        url,
        headers,
        body: formatted.body,
    })
}

/// Posts a request whose URL is allowed. A 2xx response is success. No
/// response, 408, 429 and 5xx are worth a retry. Any other status (a 3xx,
/// since redirects are not followed, or a 4xx such as 401) fails for good,
/// because the same request would get it again.
fn post(config: &ChatOutConfig, request: HttpRequest) -> Result<(), Failure> {
    let url = request.url.clone();
    let uri: ureq::http::Uri = url
        .parse()
        .map_err(|error| Failure::Permanent(format!("{url:?} is not a valid URL: {error}")))?;
    let scheme_port = if uri.scheme_str() == Some("https") {
        443
    } else {
        80
    };
    let host = uri.host().unwrap_or_default().to_ascii_lowercase();
    let host_entry = format!("{host}:{}", uri.port_u16().unwrap_or(scheme_port));

    // The allow-list was checked above; the capability context repeats the
    // check on host and port and brings the client settings of the
    // plugins' `http` interface.
    let capabilities = Capabilities {
        read_folders: Vec::new(),
        http_hosts: vec![host_entry],
    };
    let context = CapabilityContext {
        plugin_id: CHAT_ADAPTER.to_string(),
        declared: capabilities.clone(),
        granted: capabilities,
    };
    let response = context
        .fetch(request, config.timeout, MAX_RESPONSE_BYTES)
        .map_err(|error| Failure::Transient(capability_message(error)))?;

    let status = response.status;
    if (200..300).contains(&status) {
        return Ok(());
    }
    let reason = ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason())
        .unwrap_or("");
    let body: String = String::from_utf8_lossy(&response.body)
        .chars()
        .take(MAX_QUOTED_CHARS)
        .collect();
    let body = body.trim();

    let message = if body.is_empty() {
        format!("POST {url} responded HTTP {status} {reason}")
    } else {
        format!("POST {url} responded HTTP {status} {reason}: {body}")
    };
    if status == 408 || status == 429 || status >= 500 {
        Err(Failure::Transient(message))
    } else {
        Err(Failure::Permanent(message))
    }
}

fn capability_message(error: CapabilityError) -> String {
    match error {
        CapabilityError::Undeclared(message)
        | CapabilityError::NotGranted(message)
        | CapabilityError::Limit(message)
        | CapabilityError::Failed(message) => message,
    }
}
