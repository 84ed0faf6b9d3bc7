//! The webhook server on 127.0.0.1, port 0, with the built-in plugins and a
//! real database, driven over real sockets. Requests are written by hand so
//! the tests can send what ordinary clients never do: no length, a lying
//! Content-Length, a chunked body over the limit, a stalled body.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use kefu_core::desk::Desk;
use kefu_core::plugin::PluginEngine;
use kefu_core::webhook::{IntakeSetup, WebhookConfig, WebhookServer};
use kefu_tests::fixtures;
use rusqlite::Connection;
use tempfile::TempDir;

const TOKEN: &str = "test-token-0123456789abcdef";
const MESSAGE_CREATED: &str = "chat/chatwoot-webhook-message_created.json";
const STATUS_CHANGED: &str = "chat/chatwoot-webhook-conversation_status_changed.json";

/// A running server on a fresh database.
struct Running {
    folder: TempDir,
    server: WebhookServer,
}

impl Running {
    /// Starts a server whose webhook.toml is `settings` plus the test token.
    fn start(settings: &str) -> Self {
        let folder = tempfile::tempdir().expect("creating a temporary folder");
        let text = format!("listen = \"127.0.0.1:0\"\ntoken = \"{TOKEN}\"\n{settings}");
        std::fs::write(folder.path().join("webhook.toml"), text).expect("writing webhook.toml");
        let server = start_server(folder.path());
        Self { folder, server }
    }

    fn db(&self) -> PathBuf {
        self.folder.path().join("kefu.db")
    }

    fn address(&self) -> SocketAddr {
        self.server.address()
    }

    fn post(&self, path: &str, content_type: &str, body: &[u8]) -> Answer {
        post(self.address(), path, Some(TOKEN), Some(content_type), body)
    }

    fn count(&self, sql: &str) -> i64 {
        let connection = Connection::open(self.db()).expect("opening the database");
        connection
            .query_row(sql, [], |row| row.get(0))
            .unwrap_or_else(|error| panic!("{sql}: {error}"))
    }
}

fn start_server(config_dir: &Path) -> WebhookServer {
    let config = WebhookConfig::load(config_dir).expect("reading webhook.toml");
    let token = config.read_token().expect("reading the token");
    let setup = IntakeSetup {
        db: config_dir.join("kefu.db"),
        engine: PluginEngine::new().expect("starting the plugin engine"),
        plugin_dir: None,
        desk: Desk::builtin(),
        rules: Vec::new(),
    };
    WebhookServer::start(&config, &token, setup).expect("starting the webhook server")
}

/// Status, headers and JSON body of a response.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: serde_json::Value,
}

impl Answer {
    fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or("")
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).expect("reading a fixture")
}

/// Sends `head` then `body` on a new connection and reads the response
/// until the server closes it. Write errors are ignored, because the
/// server may answer and close before a rejected body is sent.
fn exchange(address: SocketAddr, head: &str, body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(address).expect("connecting to the server");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    read_answer(&mut stream)
}

fn read_answer(stream: &mut TcpStream) -> Answer {
    let mut raw = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(count) => raw.extend_from_slice(&buffer[..count]),
            // A reset after the response was read still leaves the response.
            Err(_) if !raw.is_empty() => break,
            Err(error) => panic!("reading the response: {error}"),
        }
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    Answer {
        status,
        head: head.to_string(),
        body: serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    }
}

fn post(
    address: SocketAddr,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Answer {
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if let Some(content_type) = content_type {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    head.push_str("\r\n");
    exchange(address, &head, body)
}

/// A head with the token and a JSON content type, and `extra` header lines.
fn head_with(address: SocketAddr, extra: &str) -> String {
    format!(
        "POST /chat HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
         Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n{extra}\r\n"
    )
}

fn chat_event(id: &str, text: &str) -> Vec<u8> {
    format!(
        r#"{{"conversation": "web-{id}", "customer": {{"id": "u-{id}", "name": "王芳"}}, "direction": "in", "text": "{text}", "at": "2026-12-04T09:30:00+08:00", "id": "e-{id}"}}"#
    )
    .into_bytes()
}

#[test]
fn chatwoot_message_is_stored() {
    let server = Running::start("");
    let answer = server.post("/chat", "application/json", &fixture(MESSAGE_CREATED));
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["status"], "stored");
    assert_eq!(answer.body["messages_stored"], 1);
    assert_eq!(
        server.count("SELECT COUNT(*) FROM conversations WHERE thread_key = 'chatwoot:10'"),
        1
    );
    assert_eq!(
        server.count(
            "SELECT COUNT(*) FROM messages WHERE external_id = 'chatwoot:118' AND body_text = 'hi'"
        ),
        1
    );
    assert_eq!(server.count("SELECT COUNT(*) FROM raw_inputs"), 1);
    let tickets = server.count(
        "SELECT COUNT(*) FROM tickets t JOIN conversations c ON c.id = t.conversation_id
         WHERE c.thread_key = 'chatwoot:10'",
    );
    assert_eq!(answer.body["tickets_opened"], tickets);
}

#[test]
fn status_change_is_stored_raw() {
    let server = Running::start("");
    let answer = server.post("/chat", "application/json", &fixture(STATUS_CHANGED));
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["messages_stored"], 0);
    assert_eq!(server.count("SELECT COUNT(*) FROM raw_inputs"), 1);
    assert_eq!(server.count("SELECT COUNT(*) FROM quarantine"), 0);
}

#[test]
fn generic_json_on_both_paths() {
    let server = Running::start("");
    let on_chat = server.post(
        "/chat",
        "application/json; charset=utf-8",
        &chat_event("1", "订单还没到"),
    );
    assert_eq!(on_chat.status, 200, "{on_chat:?}");
    let on_ingest = server.post("/ingest", "application/json", &chat_event("2", "能退货吗"));
    assert_eq!(on_ingest.status, 200, "{on_ingest:?}");
    assert_eq!(on_ingest.body["messages_stored"], 1);
    assert_eq!(
        server.count("SELECT COUNT(*) FROM messages WHERE body_text IN ('订单还没到', '能退货吗')"),
        2
    );
    let adapters = server.count("SELECT COUNT(*) FROM raw_inputs WHERE adapter = 'chat'");
    assert_eq!(adapters, 2);
}

#[test]
fn duplicate_delivery_stored_once() {
    let server = Running::start("");
    let body = fixture(MESSAGE_CREATED);
    let first = server.post("/chat", "application/json", &body);
    let second = server.post("/chat", "application/json", &body);
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!(second.status, 200, "{second:?}");
    assert_eq!(second.body["status"], "duplicate");
    assert_eq!(server.count("SELECT COUNT(*) FROM raw_inputs"), 1);
    assert_eq!(server.count("SELECT COUNT(*) FROM messages"), 1);
}

#[test]
fn unreadable_body_is_quarantined() {
    let server = Running::start("");
    let body = br#"{"event": "message_created", "id": 7}"#;
    let answer = server.post("/chat", "application/json", body);
    assert_eq!(answer.status, 422, "{answer:?}");
    assert!(answer.error().contains("quarantined"), "{answer:?}");
    assert!(answer.error().contains("chat:"), "{answer:?}");
    assert_eq!(server.count("SELECT COUNT(*) FROM messages"), 0);
    let stored = server.count(&format!(
        "SELECT COUNT(*) FROM raw_inputs r JOIN quarantine q ON q.raw_input_id = r.id
         WHERE length(r.bytes) = {}",
        body.len()
    ));
    assert_eq!(stored, 1);
}

#[test]
fn invalid_json_is_quarantined() {
    let server = Running::start("");
    let answer = server.post("/chat", "application/json", b"{\"event\": ");
    assert_eq!(answer.status, 422, "{answer:?}");
    assert!(answer.error().contains("quarantined"), "{answer:?}");
    assert_eq!(server.count("SELECT COUNT(*) FROM quarantine"), 1);
}

#[test]
fn missing_or_wrong_token_is_401() {
    let server = Running::start("");
    let body = fixture(MESSAGE_CREATED);
    let missing = post(
        server.address(),
        "/chat",
        None,
        Some("application/json"),
        &body,
    );
    assert_eq!(missing.status, 401, "{missing:?}");
    assert!(missing.error().contains("Authorization"), "{missing:?}");
    assert!(
        missing
            .head
            .to_ascii_lowercase()
            .contains("www-authenticate: bearer")
    );
    let wrong = post(
        server.address(),
        "/chat",
        Some("test-token-0123456789abcdeX"),
        Some("application/json"),
        &body,
    );
    assert_eq!(wrong.status, 401, "{wrong:?}");
    assert!(wrong.error().contains("not valid"), "{wrong:?}");
    assert_eq!(server.count("SELECT COUNT(*) FROM raw_inputs"), 0);
}

#[test]
fn near_miss_tokens_are_401() {
    // The server compares SHA-256 digests of the tokens, so a prefix, an
    // extension or a case change of the token matches nothing.
    let server = Running::start("");
    let body = fixture(MESSAGE_CREATED);
    let upper = TOKEN.to_ascii_uppercase();
    let longer = format!("{TOKEN}0");
    let spaced = format!(" {TOKEN}");
    let candidates = [&TOKEN[..TOKEN.len() - 1], &longer, &upper, &spaced, ""];
    for token in candidates {
        let answer = post(
            server.address(),
            "/chat",
            Some(token),
            Some("application/json"),
            &body,
        );
        assert_eq!(answer.status, 401, "token {token:?}: {answer:?}");
    }
    let basic = exchange(
        server.address(),
        &format!(
            "POST /chat HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
             Authorization: Basic {TOKEN}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n",
            body.len()
        ),
        &body,
    );
    assert_eq!(basic.status, 401, "{basic:?}");
    assert!(basic.error().contains("not a bearer token"), "{basic:?}");
    assert_eq!(server.count("SELECT COUNT(*) FROM raw_inputs"), 0);
}

#[test]
fn unknown_path_is_404() {
    let server = Running::start("");
    let answer = server.post("/chatwoot", "application/json", b"{}");
    assert_eq!(answer.status, 404, "{answer:?}");
    assert!(answer.error().contains("/chat, /ingest"), "{answer:?}");
}

#[test]
fn get_is_405() {
    let server = Running::start("");
    let head = format!(
        "GET /chat HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
    );
    let answer = exchange(server.address(), &head, b"");
    assert_eq!(answer.status, 405, "{answer:?}");
    assert!(answer.error().contains("send POST"), "{answer:?}");
    assert!(answer.head.to_ascii_lowercase().contains("allow: post"));
}

#[test]
fn no_length_is_411() {
    let server = Running::start("");
    let answer = exchange(server.address(), &head_with(server.address(), ""), b"");
    assert_eq!(answer.status, 411, "{answer:?}");
    assert!(answer.error().contains("Content-Length"), "{answer:?}");
}

#[test]
fn wrong_content_type_is_415() {
    let server = Running::start("");
    let body = fixture(MESSAGE_CREATED);
    let plain = server.post("/chat", "text/plain", &body);
    assert_eq!(plain.status, 415, "{plain:?}");
    assert!(plain.error().contains("application/json"), "{plain:?}");
    let missing = post(server.address(), "/chat", Some(TOKEN), None, &body);
    assert_eq!(missing.status, 415, "{missing:?}");
    assert!(missing.error().contains("missing"), "{missing:?}");
    assert_eq!(server.count("SELECT COUNT(*) FROM raw_inputs"), 0);
}

#[test]
fn body_one_byte_over_limit_is_413() {
    let server = Running::start("max-body-bytes = 4096\n");
    let mut body = chat_event("1", "x");
    body.resize(4097, b' ');
    let over = server.post("/chat", "application/json", &body);
    assert_eq!(over.status, 413, "{over:?}");
    assert!(over.error().contains("4096-byte limit"), "{over:?}");
    body.truncate(4096);
    let at_limit = server.post("/chat", "application/json", &body);
    assert_eq!(at_limit.status, 200, "{at_limit:?}");
    assert_eq!(server.count("SELECT COUNT(*) FROM raw_inputs"), 1);
}

#[test]
fn chunked_body_over_limit_is_413() {
    let server = Running::start("max-body-bytes = 4096\n");
    let head = head_with(server.address(), "Transfer-Encoding: chunked\r\n");
    let mut body = Vec::new();
    for _ in 0..5 {
        body.extend_from_slice(b"400\r\n");
        body.extend_from_slice(&[b' '; 0x400]);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let answer = exchange(server.address(), &head, &body);
    assert_eq!(answer.status, 413, "{answer:?}");
    assert!(
        answer.error().contains("over the 4096-byte limit"),
        "{answer:?}"
    );
    assert_eq!(server.count("SELECT COUNT(*) FROM raw_inputs"), 0);
}

#[test]
fn chunked_body_under_limit_is_stored() {
    let server = Running::start("");
    let head = head_with(server.address(), "Transfer-Encoding: chunked\r\n");
    let event = chat_event("1", "分块");
    let (first, second) = event.split_at(10);
    let mut body = Vec::new();
    for part in [first, second] {
        body.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        body.extend_from_slice(part);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let answer = exchange(server.address(), &head, &body);
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(server.count("SELECT COUNT(*) FROM messages"), 1);
}

#[test]
fn short_content_length_reads_only_that() {
    // The client claims 12 bytes and sends a body far over the limit: the
    // server reads 12 bytes, which the adapter cannot read.
    let server = Running::start("max-body-bytes = 4096\n");
    let head = head_with(server.address(), "Content-Length: 12\r\n");
    let mut body = chat_event("1", "x");
    body.resize(6000, b' ');
    let answer = exchange(server.address(), &head, &body);
    assert_eq!(answer.status, 422, "{answer:?}");
    assert_eq!(
        server.count("SELECT MAX(length(bytes)) FROM raw_inputs"),
        12
    );
}

#[test]
fn stalled_body_times_out() {
    let server = Running::start("request-timeout-seconds = 1\n");
    let head = head_with(server.address(), "Content-Length: 100\r\n");
    let mut stream = TcpStream::connect(server.address()).expect("connecting");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(b"{\"conversation\"").unwrap();
    let answer = read_answer(&mut stream);
    assert_eq!(answer.status, 408, "{answer:?}");
    assert_eq!(server.count("SELECT COUNT(*) FROM raw_inputs"), 0);
}

#[test]
fn stalled_headers_are_closed() {
    let server = Running::start("request-timeout-seconds = 1\n");
    let mut stream = TcpStream::connect(server.address()).expect("connecting");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
        .write_all(b"POST /chat HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    // The server closed the connection instead of the 20 s read timeout.
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[test]
fn rate_limit_is_429() {
    let server = Running::start("requests-per-minute = 1\nburst = 2\n");
    let statuses: Vec<u16> = (0..3)
        .map(|index| {
            server
                .post(
                    "/chat",
                    "application/json",
                    &chat_event(&index.to_string(), "hi"),
                )
                .status
        })
        .collect();
    assert_eq!(statuses, [200, 200, 429]);
    let limited = server.post("/chat", "application/json", &chat_event("9", "hi"));
    assert_eq!(limited.status, 429);
    assert!(limited.error().contains("too many requests"), "{limited:?}");
    assert!(limited.head.to_ascii_lowercase().contains("retry-after:"));
    assert_eq!(server.count("SELECT COUNT(*) FROM messages"), 2);
}

#[test]
fn parallel_clients_all_stored() {
    let server = Running::start("");
    let address = server.address();
    let threads: Vec<_> = (0..16)
        .map(|index| {
            std::thread::spawn(move || {
                let body = chat_event(&format!("p{index}"), "并发");
                post(
                    address,
                    "/chat",
                    Some(TOKEN),
                    Some("application/json"),
                    &body,
                )
                .status
            })
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap(), 200);
    }
    assert_eq!(server.count("SELECT COUNT(*) FROM messages"), 16);
    assert_eq!(server.count("SELECT COUNT(*) FROM conversations"), 16);
}

#[test]
fn restart_keeps_file_token() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("webhook.toml"),
        "listen = \"127.0.0.1:0\"\n",
    )
    .unwrap();
    let config = WebhookConfig::load(folder.path()).unwrap();
    let token = config.write_new_token().unwrap();
    let first = start_server(folder.path());
    let answer = post(
        first.address(),
        "/chat",
        Some(&token),
        Some("application/json"),
        &chat_event("1", "hi"),
    );
    assert_eq!(answer.status, 200, "{answer:?}");
    drop(first);

    let second = start_server(folder.path());
    let answer = post(
        second.address(),
        "/chat",
        Some(&token),
        Some("application/json"),
        &chat_event("2", "hi"),
    );
    assert_eq!(answer.status, 200, "{answer:?}");
}

#[test]
fn missing_token_refuses_start() {
    let folder = tempfile::tempdir().unwrap();
    let config = WebhookConfig::load(folder.path()).unwrap();
    let error = config.read_token().unwrap_err().to_string();
    assert!(error.contains("kefu serve --new-token"), "{error}");
}
