//! Checks one webhook request and sends its response.
//!
//! Each check rejects a request with its 4xx and a JSON `{"error": REASON}`.
//! The order is: request rate (429), bearer token (401), path (404), method
//! (405), declared length (411, 413), content type (415), body read while
//! counting its bytes (413, 408). Last comes whether the adapter could read
//! the body (422, after the body is stored and quarantined).

use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::oneshot;

use super::config::WebhookConfig;
use super::intake::{Job, Route, media_type};
use crate::ingest::IngestSummary;

/// State shared by every connection.
pub struct Shared {
    /// SHA-256 of the token, so comparing takes the same time whatever the
    /// length of the presented token.
    token_digest: Vec<u8>,
    routes: Vec<Route>,
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    max_body_bytes: u64,
    request_timeout: Duration,
    jobs: SyncSender<Job>,
    requests: AtomicU64,
}

impl Shared {
    pub fn new(
        config: &WebhookConfig,
        token: &str,
        routes: Vec<Route>,
        jobs: SyncSender<Job>,
    ) -> Self {
        let quota = Quota::per_minute(config.requests_per_minute).allow_burst(config.burst);
        Self {
            token_digest: Sha256::digest(token.as_bytes()).to_vec(),
            routes,
            limiter: RateLimiter::keyed(quota),
            max_body_bytes: config.max_body_bytes,
            request_timeout: config.request_timeout,
            jobs,
            requests: AtomicU64::new(0),
        }
    }

    /// Forgets the rate state of clients that have been quiet long enough
    /// to be back at their full burst.
    pub fn forget_quiet_clients(&self) {
        self.limiter.retain_recent();
    }
}

type Answer = Response<Full<Bytes>>;

/// Handles one request from `client` and builds its response.
pub async fn handle(
    request: Request<Incoming>,
    shared: Arc<Shared>,
    client: IpAddr,
) -> Result<Answer, Infallible> {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let answer = match check_and_store(request, &shared, client).await {
        Ok(answer) => answer,
        Err(rejection) => {
            // A client over its rate is already limited; logging each of its
            // requests would let it fill the log instead.
            if rejection.status == StatusCode::TOO_MANY_REQUESTS {
                tracing::debug!(%client, %method, %path, reason = %rejection.reason, "webhook request rejected");
            } else {
                tracing::warn!(%client, %method, %path, status = rejection.status.as_u16(), reason = %rejection.reason, "webhook request rejected");
            }
            rejection.into_response()
        }
    };
    Ok(answer)
}

/// A 4xx or 5xx response with its reason.
struct Rejection {
    status: StatusCode,
    reason: String,
    headers: Vec<(header::HeaderName, String)>,
}

impl Rejection {
    fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.into(),
            headers: Vec::new(),
        }
    }

    fn with_header(mut self, name: header::HeaderName, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    fn into_response(self) -> Answer {
        let mut response = json_response(self.status, &json!({ "error": self.reason }));
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

async fn check_and_store(
    request: Request<Incoming>,
    shared: &Shared,
    client: IpAddr,
) -> Result<Answer, Rejection> {
    check_rate(shared, client)?;
    check_token(shared, request.headers())?;
    let route = find_route(shared, request.uri().path())?;
    if request.method() != Method::POST {
        return Err(Rejection::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "method {} is not allowed on {}; send POST",
                request.method(),
                route.path
            ),
        )
        .with_header(header::ALLOW, "POST".to_string()));
    }
    check_length(shared, request.headers())?;
    let content_type = check_content_type(route, request.headers())?;
    let body = read_body(shared, request.into_body()).await?;
    if body.is_empty() {
        return Err(Rejection::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the request body is empty; send the event as the body",
        ));
    }

    let number = shared.requests.fetch_add(1, Ordering::Relaxed) + 1;
    let source = format!(
        "webhook POST {} from {client} at {} (request {number})",
        route.path,
        crate::store::format_time(chrono::Utc::now())
    );
    let summary = store(shared, route, &source, content_type, body).await?;
    answer_stored(&source, &summary)
}

fn check_rate(shared: &Shared, client: IpAddr) -> Result<(), Rejection> {
    let Err(not_until) = shared.limiter.check_key(&client) else {
        return Ok(());
    };
    let wait = not_until.wait_time_from(DefaultClock::default().now());
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    Err(Rejection::new(
        StatusCode::TOO_MANY_REQUESTS,
        format!("too many requests from {client}; retry after {seconds} s"),
    )
    .with_header(header::RETRY_AFTER, seconds.to_string()))
}

fn check_token(shared: &Shared, headers: &hyper::HeaderMap) -> Result<(), Rejection> {
    let unauthorized = |reason: &str| {
        Rejection::new(StatusCode::UNAUTHORIZED, reason)
            .with_header(header::WWW_AUTHENTICATE, "Bearer".to_string())
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized(
            "the Authorization header is missing; send Authorization: Bearer TOKEN with the \
             token from kefu serve --new-token",
        ));
    };
    let value = value.as_bytes();
    let token = match value.split_at_checked(7) {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case(b"bearer ") => token,
        _ => {
            return Err(unauthorized(
                "the Authorization header is not a bearer token; send Authorization: Bearer TOKEN",
            ));
        }
    };
    let digest = Sha256::digest(token);
    if bool::from(digest.as_slice().ct_eq(shared.token_digest.as_slice())) {
        Ok(())
    } else {
        Err(unauthorized("the bearer token is not valid"))
    }
}

fn find_route<'s>(shared: &'s Shared, path: &str) -> Result<&'s Route, Rejection> {
    shared
        .routes
        .iter()
        .find(|route| route.path == path)
        .ok_or_else(|| {
            let paths: Vec<&str> = shared
                .routes
                .iter()
                .map(|route| route.path.as_str())
                .collect();
            Rejection::new(
                StatusCode::NOT_FOUND,
                format!("no webhook at {path}; the paths are {}", paths.join(", ")),
            )
        })
}

fn check_length(shared: &Shared, headers: &hyper::HeaderMap) -> Result<(), Rejection> {
    let limit = shared.max_body_bytes;
    match headers.get(header::CONTENT_LENGTH) {
        Some(value) => {
            // hyper has already rejected a Content-Length that is not a number.
            let length: u64 = value
                .to_str()
                .ok()
                .and_then(|text| text.trim().parse().ok())
                .unwrap_or(u64::MAX);
            if length > limit {
                return Err(Rejection::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("the body is {length} bytes, over the {limit}-byte limit"),
                ));
            }
            Ok(())
        }
        None if headers.contains_key(header::TRANSFER_ENCODING) => Ok(()),
        None => Err(Rejection::new(
            StatusCode::LENGTH_REQUIRED,
            "the request has no Content-Length and is not chunked; send a Content-Length",
        )),
    }
}

fn check_content_type(route: &Route, headers: &hyper::HeaderMap) -> Result<String, Rejection> {
    let accepted = route.content_types.join(", ");
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err(Rejection::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "the Content-Type header is missing; {} takes {accepted}",
                route.path
            ),
        ));
    };
    let text = value.to_str().unwrap_or("");
    let media = media_type(text);
    if route.content_types.contains(&media) {
        Ok(text.to_string())
    } else {
        Err(Rejection::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Content-Type {:?} is not accepted on {}; send {accepted}",
                String::from_utf8_lossy(value.as_bytes()),
                route.path
            ),
        ))
    }
}

/// Reads the body, failing as soon as it passes the limit, so a chunked body
/// or one longer than its Content-Length is never held whole.
async fn read_body(shared: &Shared, body: Incoming) -> Result<Vec<u8>, Rejection> {
    let limit = shared.max_body_bytes;
    // The limit is at most `MAX_INPUT_BYTES`, which fits in usize.
    let limited = Limited::new(body, usize::try_from(limit).unwrap_or(usize::MAX));
    let collected = tokio::time::timeout(shared.request_timeout, limited.collect()).await;
    match collected {
        Ok(Ok(collected)) => Ok(collected.to_bytes().to_vec()),
        Ok(Err(error)) if error.downcast_ref::<LengthLimitError>().is_some() => {
            Err(Rejection::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body is over the {limit}-byte limit"),
            ))
        }
        Ok(Err(error)) => Err(Rejection::new(
            StatusCode::BAD_REQUEST,
            format!("reading the body failed: {error}"),
        )),
        Err(_) => Err(Rejection::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the body did not arrive within {} s",
                shared.request_timeout.as_secs()
            ),
        )),
    }
}

/// Hands the body to the intake thread and waits until it is committed.
async fn store(
    shared: &Shared,
    route: &Route,
    source: &str,
    content_type: String,
    body: Vec<u8>,
) -> Result<IngestSummary, Rejection> {
    let (reply, result) = oneshot::channel();
    let job = Job {
        adapter: route.adapter.clone(),
        source: source.to_string(),
        content_type: Some(content_type),
        body,
        reply,
    };
    let unavailable = |reason: &str| {
        Rejection::new(StatusCode::SERVICE_UNAVAILABLE, reason)
            .with_header(header::RETRY_AFTER, "1".to_string())
    };
    match shared.jobs.try_send(job) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) => {
            return Err(unavailable(
                "too many requests are waiting to be stored; nothing was stored, send it again",
            ));
        }
        Err(TrySendError::Disconnected(_)) => {
            return Err(unavailable(
                "the server is stopping; nothing was stored, send it again",
            ));
        }
    }
    match result.await {
        Ok(Ok(summary)) => Ok(summary),
        Ok(Err(error)) => Err(Rejection::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("storing the request failed: {error:#}; nothing was stored, send it again"),
        )),
        Err(_) => Err(unavailable(
            "the server stopped while storing; send it again",
        )),
    }
}

/// Builds the response to a committed request: 200 with counts, or 422 when
/// the adapter could read nothing of it and the body is quarantined.
fn answer_stored(source: &str, summary: &IngestSummary) -> Result<Answer, Rejection> {
    if summary.duplicate_inputs > 0 {
        tracing::info!(source, "webhook request was delivered before; stored once");
        return Ok(json_response(
            StatusCode::OK,
            &json!({ "status": "duplicate", "messages_stored": 0 }),
        ));
    }
    let nothing_read = summary.messages_stored == 0 && summary.duplicate_messages == 0;
    if nothing_read && !summary.quarantined.is_empty() {
        let reasons: Vec<&str> = summary
            .quarantined
            .iter()
            .map(|entry| entry.reason.as_str())
            .collect();
        return Err(Rejection::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "{}; the body is quarantined (see kefu quarantine)",
                reasons.join("; ")
            ),
        ));
    }
    tracing::info!(
        source,
        messages = summary.messages_stored,
        tickets_opened = summary.tickets_opened,
        "stored a webhook request"
    );
    let quarantined: Vec<_> = summary
        .quarantined
        .iter()
        .map(|entry| json!({ "source": entry.source, "reason": entry.reason }))
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "status": "stored",
            "messages_stored": summary.messages_stored,
            "duplicate_messages": summary.duplicate_messages,
            "conversations_created": summary.conversations_created,
            "tickets_opened": summary.tickets_opened,
            "quarantined": quarantined,
        }),
    ))
}

fn json_response(status: StatusCode, body: &serde_json::Value) -> Answer {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
