//! Chat replies queued in the outbox, formatted by the built-in chat adapter
//! and posted to a real HTTP server on loopback. The tests check the
//! Chatwoot and generic requests on the wire, retries while the endpoint is
//! down, the URL allow-list of `chat-out.toml`, and rejected requests.

use std::path::PathBuf;

use chrono::{Duration, Utc};
use kefu_core::desk::Desk;
use kefu_core::outbound::{ReplyRequest, deliver_due, queue_reply};
use kefu_core::plugin::PluginSet;
use kefu_core::store::OutboxState;
use kefu_tests::TestDb;
use kefu_tests::http::HttpServer;
use kefu_tests::mail::free_port;

/// Chinese text with a line break, quotes and an emoji, which must arrive
/// unchanged.
const REPLY_TEXT: &str = "您好，退款已处理。\n请查收\"到账\"通知 🙂";

/// Conversation id in the Chatwoot sample payload.
const CHATWOOT_CONVERSATION: &str = "10";

/// Token the tests write to the token file.
const TOKEN: &str = "test-token-1a2b3c";

/// Imports the Chatwoot `message_created` sample and returns the ticket it
/// opened.
fn chatwoot_ticket(db: &mut TestDb) -> i64 {
    let path = kefu_tests::fixtures().join("chat/chatwoot-webhook-message_created.json");
    let summary = db.ingest(&[path]);
    assert_eq!(summary.tickets_opened, 1, "{summary:?}");
    db.store.tickets().unwrap()[0].id
}

/// Writes `chat-out.toml` (and a token file) into a configuration folder in
/// the test's folder and loads the desk configuration from it.
fn configure(db: &mut TestDb, chat_out: &str) {
    let folder = db.folder.path().join("config");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(token_file(db), format!("{TOKEN}\n")).unwrap();
    std::fs::write(folder.join("chat-out.toml"), chat_out).unwrap();
    let desk = Desk::load(&folder).expect("loading the configuration");
    db.store.set_desk(desk);
}

fn token_file(db: &TestDb) -> PathBuf {
    db.folder.path().join("chat-token")
}

/// Returns a `chat-out.toml` that allows `allowed` and sends Chatwoot
/// replies to account 1 at `base_url`.
fn chatwoot_config(db: &TestDb, allowed: &str, base_url: &str) -> String {
    format!(
        "allowed-urls = [{allowed:?}]\ntimeout-seconds = 5\n\n[chatwoot]\nbase-url = \
         {base_url:?}\naccount = 1\ntoken-file = {:?}\n",
        token_file(db).display().to_string()
    )
}

fn agent_reply(db: &mut TestDb, ticket: i64) -> kefu_core::outbound::QueuedReply {
    let writer = db.store.writer().unwrap();
    let queued = queue_reply(
        &writer,
        &ReplyRequest {
            ticket_id: ticket,
            text: REPLY_TEXT,
            actor: "agent:lin",
            automatic: false,
        },
        Utc::now(),
    )
    .unwrap();
    writer.commit().unwrap();
    queued
}

fn messages_path() -> String {
    format!("/api/v1/accounts/1/conversations/{CHATWOOT_CONVERSATION}/messages")
}

#[test]
fn chatwoot_reply_arrives_intact() {
    let mut db = TestDb::new();
    let ticket = chatwoot_ticket(&mut db);
    let server = HttpServer::start(200);
    let config = chatwoot_config(&db, &server.url("/api/v1/accounts/1/"), &server.url(""));
    configure(&mut db, &config);
    let queued = agent_reply(&mut db, ticket);
    assert_eq!(queued.recipient, "chatwoot:14");
    assert!(queued.external_id.starts_with("kefu-reply-"), "{queued:?}");

    let mut plugins = PluginSet::builtin().unwrap();
    let report = deliver_due(&mut db.store, &mut plugins, Utc::now()).unwrap();
    assert_eq!(report.sent, vec![queued.outbox_id], "{report:?}");

    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.target, messages_path());
    assert_eq!(request.header("api_access_token"), Some(TOKEN));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("authorization"), None);
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body["content"], REPLY_TEXT);
    assert_eq!(body["message_type"], "outgoing");
    assert_eq!(body["private"], false);

    let entry = db.store.outbox_entry(queued.outbox_id).unwrap().unwrap();
    assert_eq!(entry.state, OutboxState::Sent);
    assert_eq!(entry.channel, "chat");
    assert_eq!(entry.last_error, None);
}

#[test]
fn generic_reply_posts_chat_event() {
    let mut db = TestDb::new();
    let path = kefu_tests::fixtures().join("chat/twcs-sample-64rows.csv");
    let summary = db.ingest(&[path]);
    assert!(summary.tickets_opened > 0, "{summary:?}");
    let ticket = db.store.tickets().unwrap()[0].id;
    let server = HttpServer::start(202);
    let config = format!(
        "allowed-urls = [{:?}]\n\n[generic]\nurl = {:?}\ntoken-file = {:?}\n",
        server.url("/kefu"),
        server.url("/kefu/replies"),
        token_file(&db).display().to_string()
    );
    configure(&mut db, &config);
    let queued = agent_reply(&mut db, ticket);

    let mut plugins = PluginSet::builtin().unwrap();
    let report = deliver_due(&mut db.store, &mut plugins, Utc::now()).unwrap();
    assert_eq!(report.sent, vec![queued.outbox_id], "{report:?}");

    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let request = &requests[0];
    assert_eq!(request.target, "/kefu/replies");
    let bearer = format!("Bearer {TOKEN}");
    assert_eq!(request.header("authorization"), Some(bearer.as_str()));
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body["direction"], "out");
    assert_eq!(body["text"], REPLY_TEXT);
    assert_eq!(body["id"], queued.external_id.as_str());
    assert_eq!(body["customer"]["id"], queued.recipient.as_str());
    assert_eq!(body["agent"], "lin");
    let conversation = body["conversation"].as_str().unwrap();
    assert!(conversation.starts_with("twitter:"), "{body}");
}

#[test]
fn endpoint_down_then_sent_once() {
    let mut db = TestDb::new();
    let ticket = chatwoot_ticket(&mut db);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let config = chatwoot_config(&db, &format!("{base}/"), &base);
    configure(&mut db, &config);
    let queued = agent_reply(&mut db, ticket);
    let mut plugins = PluginSet::builtin().unwrap();
    let start = Utc::now();

    // Nothing listens on the port yet.
    let report = deliver_due(&mut db.store, &mut plugins, start).unwrap();
    assert!(report.sent.is_empty(), "{report:?}");
    assert_eq!(report.retrying.len(), 1, "{report:?}");
    let entry = db.store.outbox_entry(queued.outbox_id).unwrap().unwrap();
    assert_eq!(entry.state, OutboxState::Queued);
    assert_eq!(entry.attempts, 1);
    assert!(entry.next_attempt_at > start, "the retry backs off");
    let error = entry.last_error.unwrap();
    assert!(error.contains(&base), "{error}");
    assert!(error.to_lowercase().contains("refused"), "{error}");
    assert!(!error.contains(TOKEN), "{error}");

    let server = HttpServer::start_on(port, 200);
    // Not due yet: the backoff is not over.
    let report = deliver_due(&mut db.store, &mut plugins, start).unwrap();
    assert!(report.sent.is_empty(), "{report:?}");
    assert!(server.requests().is_empty());

    let later = start + Duration::minutes(2);
    let report = deliver_due(&mut db.store, &mut plugins, later).unwrap();
    assert_eq!(report.sent, vec![queued.outbox_id], "{report:?}");
    let report = deliver_due(&mut db.store, &mut plugins, later + Duration::hours(2)).unwrap();
    assert!(report.sent.is_empty(), "{report:?}");
    assert_eq!(server.requests().len(), 1, "sent once, never twice");
    let entry = db.store.outbox_entry(queued.outbox_id).unwrap().unwrap();
    assert_eq!(entry.state, OutboxState::Sent);
    assert_eq!(entry.attempts, 2);
    assert_eq!(entry.last_error, None);
}

#[test]
fn server_error_retried_later() {
    let mut db = TestDb::new();
    let ticket = chatwoot_ticket(&mut db);
    let server = HttpServer::start(503);
    let config = chatwoot_config(&db, &server.url("/"), &server.url(""));
    configure(&mut db, &config);
    let queued = agent_reply(&mut db, ticket);
    let mut plugins = PluginSet::builtin().unwrap();
    let start = Utc::now();

    let report = deliver_due(&mut db.store, &mut plugins, start).unwrap();
    assert_eq!(report.retrying.len(), 1, "{report:?}");
    let entry = db.store.outbox_entry(queued.outbox_id).unwrap().unwrap();
    assert_eq!(entry.state, OutboxState::Queued);
    let error = entry.last_error.unwrap();
    assert!(error.contains("HTTP 503"), "{error}");

    server.set_status(201);
    let report = deliver_due(&mut db.store, &mut plugins, start + Duration::minutes(2)).unwrap();
    assert_eq!(report.sent, vec![queued.outbox_id], "{report:?}");
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn url_outside_allow_list_rejected() {
    let mut db = TestDb::new();
    let ticket = chatwoot_ticket(&mut db);
    let server = HttpServer::start(200);
    // Only account 2 is allowed, but replies go to account 1.
    let config = chatwoot_config(&db, &server.url("/api/v1/accounts/2/"), &server.url(""));
    configure(&mut db, &config);
    let queued = agent_reply(&mut db, ticket);
    let mut plugins = PluginSet::builtin().unwrap();

    let report = deliver_due(&mut db.store, &mut plugins, Utc::now()).unwrap();
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert!(server.requests().is_empty(), "no request leaves");
    let entry = db.store.outbox_entry(queued.outbox_id).unwrap().unwrap();
    assert_eq!(entry.state, OutboxState::Failed);
    let error = entry.last_error.unwrap();
    assert!(error.contains(&server.url(&messages_path())), "{error}");
    assert!(error.contains("allowed-urls"), "{error}");
}

#[test]
fn unauthorized_response_marks_failed() {
    let mut db = TestDb::new();
    let ticket = chatwoot_ticket(&mut db);
    let server = HttpServer::start(401);
    let config = chatwoot_config(&db, &server.url("/"), &server.url(""));
    configure(&mut db, &config);
    let queued = agent_reply(&mut db, ticket);
    let mut plugins = PluginSet::builtin().unwrap();
    let start = Utc::now();

    let report = deliver_due(&mut db.store, &mut plugins, start).unwrap();
    assert_eq!(report.failed.len(), 1, "{report:?}");
    let entry = db.store.outbox_entry(queued.outbox_id).unwrap().unwrap();
    assert_eq!(entry.state, OutboxState::Failed);
    assert_eq!(entry.attempts, 1);
    let error = entry.last_error.unwrap();
    assert!(error.contains("HTTP 401 Unauthorized"), "{error}");
    assert!(error.contains("test server responds 401"), "{error}");
    assert!(!error.contains(TOKEN), "{error}");

    // A failed entry is kept and not tried again on its own.
    let report = deliver_due(&mut db.store, &mut plugins, start + Duration::hours(3)).unwrap();
    assert!(report.sent.is_empty(), "{report:?}");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn no_chat_endpoint_keeps_reply_queued() {
    let mut db = TestDb::new();
    let ticket = chatwoot_ticket(&mut db);
    let queued = agent_reply(&mut db, ticket);
    let mut plugins = PluginSet::builtin().unwrap();

    let report = deliver_due(&mut db.store, &mut plugins, Utc::now()).unwrap();
    assert!(report.sent.is_empty(), "{report:?}");
    let reason = report.chat_not_configured.unwrap();
    assert!(reason.contains("chat-out.toml"), "{reason}");
    let entry = db.store.outbox_entry(queued.outbox_id).unwrap().unwrap();
    assert_eq!(entry.state, OutboxState::Queued);
    assert_eq!(entry.attempts, 0);
}
