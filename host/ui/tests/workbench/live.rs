//! The workbench notices commits by other connections through
//! `PRAGMA data_version`, polled by `Message::ChangePoll`.

use std::io::{Read, Write};
use std::net::TcpStream;

use chrono::Utc;
use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::model::Channel;
use kefu_core::plugin::PluginEngine;
use kefu_core::webhook::{IntakeSetup, WebhookConfig, WebhookServer};
use kefu_ui::{Message, Workbench};

use super::{Fixture, has_text};

#[test]
fn change_poll_shows_other_connection_write() {
    let (fixture, mut workbench) = Fixture::new();
    let mut store = fixture.other_connection();
    let writer = store.writer().expect("start a write transaction");
    let (customer, _) = writer
        .find_or_create_customer(Channel::Chat, "wx_poll", Some("赵敏"), Utc::now())
        .expect("store the customer");
    writer
        .create_conversation(
            Channel::Chat,
            customer.id,
            None,
            Some("发票抬头"),
            Utc::now(),
        )
        .expect("store the conversation");
    writer.commit().expect("commit");
    assert!(!has_text(&workbench, "发票抬头"));

    let _task = workbench.update(Message::ChangePoll);

    assert!(has_text(&workbench, "发票抬头"));
}

#[test]
fn change_poll_shows_webhook_message() {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    let db = folder.path().join("kefu.db");
    let mut workbench = Workbench::load(Store::open(&db).expect("open the database"));
    let token = "ui-test-token-0123456789";
    std::fs::write(
        folder.path().join("webhook.toml"),
        format!("listen = \"127.0.0.1:0\"\ntoken = \"{token}\"\n"),
    )
    .expect("write webhook.toml");
    let config = WebhookConfig::load(folder.path()).expect("read webhook.toml");
    let setup = IntakeSetup {
        db: db.clone(),
        engine: PluginEngine::new().expect("start the plugin engine"),
        plugin_dir: None,
        desk: Desk::builtin(),
        rules: Vec::new(),
    };
    let server = WebhookServer::start(&config, token, setup).expect("start the server");

    let body = r#"{"conversation": "c-ui", "customer": {"id": "u-ui", "name": "钱多多"}, "direction": "in", "text": "网页上的新消息", "at": "2026-12-04T09:30:00+08:00", "id": "e-ui"}"#;
    let mut stream = TcpStream::connect(server.address()).expect("connect to the server");
    write!(
        stream,
        "POST /chat HTTP/1.1\r\nHost: kefu\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("send the request");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("read the response");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(!has_text(&workbench, "钱多多"));

    let _task = workbench.update(Message::ChangePoll);

    assert!(has_text(&workbench, "钱多多"));
}
