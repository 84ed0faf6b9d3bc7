//! What `kefu -v` logs. Ingest, the webhook server, the outbox and IMAP
//! fetch run as a user would, with a real Dovecot and a real SMTP server on
//! 127.0.0.1. Their standard error is searched for the message bodies and
//! the secrets they handled. Each body and secret is a unique string, so
//! finding it in the log can only mean the log printed it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use kefu_tests::dovecot::{self, Dovecot};
use kefu_tests::mail::{SmtpServer, TEAM_ADDRESS, free_port};

const MAIL_BODY: &str = "body-marker-mail-5d1c9e 我要退款";
const CHAT_BODY: &str = "body-marker-chat-83b2f4 请尽快回复";
const REPLY_BODY: &str = "body-marker-reply-0e7a61 退款已处理";
const FETCHED_BODY: &str = "body-marker-fetch-c47d20 发票在哪里";
const WEBHOOK_TOKEN: &str = "webhook-token-secret-6f0b2a91c3";
const WRONG_TOKEN: &str = "presented-token-secret-19ad7e4b";
const SMTP_PASSWORD: &str = "smtp-password-secret-7e51c0d8";

fn kefu_command(folder: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kefu"));
    command
        .arg("--db")
        .arg(folder.join("kefu.db"))
        .arg("--config")
        .arg(folder.join("config"))
        .arg("--plugins")
        .arg(folder.join("plugins"))
        .args(args)
        .env_remove("KEFU_DB")
        .env_remove("KEFU_LOG")
        .env("XDG_CACHE_HOME", folder.join("cache"))
        // Plain text, so the level names can be searched for.
        .env("NO_COLOR", "1")
        .env("KEFU_TEST_SMTP_PASSWORD", SMTP_PASSWORD);
    command
}

fn kefu(folder: &Path, args: &[&str]) -> Output {
    kefu_command(folder, args).output().expect("running kefu")
}

fn write_config(folder: &Path, name: &str, text: &str) {
    std::fs::create_dir_all(folder.join("config")).unwrap();
    std::fs::write(folder.join("config").join(name), text).unwrap();
}

fn customer_mail(body: &str) -> String {
    format!(
        "From: 王芳 <wang.fang@example.cn>\r\nTo: {TEAM_ADDRESS}\r\nSubject: 退款\r\n\
         Date: Fri, 04 Dec 2026 09:30:00 +0800\r\nMessage-ID: <{}@example.cn>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        body.split(' ').next().unwrap()
    )
}

/// Imports one customer mail with [`MAIL_BODY`], passing `args` before `ingest`.
fn ingest_mail(folder: &Path, args: &[&str]) -> Output {
    let mail = folder.join("customer.eml");
    std::fs::write(&mail, customer_mail(MAIL_BODY)).unwrap();
    let mut all = args.to_vec();
    all.extend(["ingest", mail.to_str().unwrap()]);
    kefu(folder, &all)
}

/// Asserts that the log has lines at the info level and none of `secrets`.
fn assert_log_clean(command: &str, log: &str, secrets: &[&str]) {
    assert!(
        log.contains("INFO"),
        "{command} logged nothing at the info level:\n{log}"
    );
    for secret in secrets {
        assert!(!log.contains(secret), "{command} logged {secret:?}:\n{log}");
    }
}

#[test]
fn ingest_log_has_no_body() {
    let folder = tempfile::tempdir().unwrap();
    let output = ingest_mail(folder.path(), &["-v"]);
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert_log_clean("kefu -v ingest", &log, &[MAIL_BODY, "body-marker"]);

    // KEFU_LOG=info is the same level set through the environment.
    let again = tempfile::tempdir().unwrap();
    let mail = again.path().join("customer.eml");
    std::fs::write(&mail, customer_mail(MAIL_BODY)).unwrap();
    let output = kefu_command(again.path(), &["ingest", mail.to_str().unwrap()])
        .env("KEFU_LOG", "info")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert_log_clean("KEFU_LOG=info kefu ingest", &log, &["body-marker"]);
}

/// Sends one request and returns the status code of the response.
fn post_chat(port: u16, token: &str, body: &str) -> u16 {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let request = format!(
        "POST /chat HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {response:?}"))
}

#[test]
fn webhook_log_has_no_body_or_token() {
    let folder = tempfile::tempdir().unwrap();
    let port = free_port();
    write_config(
        folder.path(),
        "webhook.toml",
        &format!("listen = \"127.0.0.1:{port}\"\ntoken = \"{WEBHOOK_TOKEN}\"\n"),
    );
    let mut child = kefu_command(folder.path(), &["-v", "serve"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting kefu serve");
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "kefu serve did not listen on {port}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }

    let event = format!(
        r#"{{"conversation": "web-1", "customer": {{"id": "u-1", "name": "王芳"}}, "direction": "in", "text": "{CHAT_BODY}", "at": "2026-12-04T09:30:00+08:00", "id": "e-1"}}"#
    );
    let stored = post_chat(port, WEBHOOK_TOKEN, &event);
    let rejected = post_chat(port, WRONG_TOKEN, &event);
    let unreadable = post_chat(port, WEBHOOK_TOKEN, &format!("{{\"text\": \"{CHAT_BODY}\""));
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&output.stderr);

    assert_eq!(stored, 200, "{log}");
    assert_eq!(rejected, 401, "{log}");
    assert_eq!(unreadable, 422, "{log}");
    assert!(log.contains("stored a webhook request"), "{log}");
    assert!(log.contains("webhook request rejected"), "{log}");
    assert_log_clean(
        "kefu -v serve",
        &log,
        &[CHAT_BODY, "body-marker", WEBHOOK_TOKEN, WRONG_TOKEN],
    );
}

/// Returns the id of the only ticket in the database.
fn only_ticket(folder: &Path) -> String {
    let output = kefu(folder, &["tickets", "--json"]);
    let tickets: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let tickets = tickets.as_array().expect("a JSON array of tickets");
    assert_eq!(tickets.len(), 1, "{tickets:?}");
    tickets[0]["id"].to_string()
}

/// Returns the installation's key for signing Message-IDs, in hex.
fn signing_key_hex(folder: &Path) -> String {
    let path = folder.join("kefu.db");
    let mut store = kefu_core::Store::open(&path)
        .unwrap_or_else(|error| panic!("opening {}: {error:#}", path.display()));
    let writer = store.writer().unwrap();
    let key = writer
        .existing_installation_secret(kefu_core::outbound::TOKEN_KEY_NAME)
        .unwrap()
        .expect("the reply made a signing key");
    key.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[test]
fn outbox_log_has_no_body_or_secrets() {
    let folder = tempfile::tempdir().unwrap();
    let maildir = folder.path().join("sent");
    let port = free_port();
    let Some(server) = SmtpServer::start(port, &maildir) else {
        return;
    };
    write_config(
        folder.path(),
        "outgoing.toml",
        &format!(
            "from = \"{TEAM_ADDRESS}\"\n[smtp]\nhost = \"127.0.0.1\"\nport = {port}\n\
             security = \"none\"\nusername = \"desk\"\npassword-env = \"KEFU_TEST_SMTP_PASSWORD\"\n\
             timeout-seconds = 10\n"
        ),
    );
    let ingested = ingest_mail(folder.path(), &[]);
    assert!(ingested.status.success());
    let ticket = only_ticket(folder.path());

    let reply = kefu(
        folder.path(),
        &[
            "-v", "reply", &ticket, "--text", REPLY_BODY, "--agent", "lin",
        ],
    );
    let send = kefu(folder.path(), &["-v", "outbox", "send"]);
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&reply.stderr),
        String::from_utf8_lossy(&send.stderr)
    );
    let key = signing_key_hex(folder.path());

    assert_log_clean(
        "kefu -v reply and outbox send",
        &log,
        &[REPLY_BODY, MAIL_BODY, "body-marker", SMTP_PASSWORD, &key],
    );
    drop(server);
}

/// Fetches one mail with [`FETCHED_BODY`] from a Dovecot started for the
/// test, with `verbosity` (`-v` or `-vv`), and returns the log, or `None`
/// when Dovecot is not installed.
fn fetch_log(verbosity: &str) -> Option<String> {
    let server = Dovecot::start()?;
    let folder = tempfile::tempdir().unwrap();
    server.deliver(
        "1700000000.M1P1.test",
        customer_mail(FETCHED_BODY).as_bytes(),
    );
    write_config(
        folder.path(),
        "intake.toml",
        &format!(
            "[[imap]]\nname = \"desk\"\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n\
             user = \"{}\"\npassword-file = \"imap-password\"\n",
            server.port,
            dovecot::USER
        ),
    );
    write_config(
        folder.path(),
        "imap-password",
        &format!("{}\n", dovecot::PASSWORD),
    );

    let output = kefu(folder.path(), &[verbosity, "fetch"]);
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{log}\n{}", server.log());
    Some(log)
}

#[test]
fn fetch_log_has_no_body_or_password() {
    let Some(log) = fetch_log("-v") else {
        return;
    };
    assert_log_clean(
        "kefu -v fetch",
        &log,
        &[FETCHED_BODY, "body-marker", dovecot::PASSWORD],
    );
}

#[test]
fn debug_fetch_log_has_no_password() {
    // At the debug level the log may show more of the mail, but never the
    // account's password.
    let Some(log) = fetch_log("-vv") else {
        return;
    };
    assert!(log.contains("DEBUG"), "{log}");
    assert!(!log.contains(dovecot::PASSWORD), "{log}");
}
