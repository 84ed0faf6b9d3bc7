//! Threading of customer replies on ingest: signed conversation tokens in
//! Message-IDs and ticket references in subjects, with real fixture mail
//! rewritten into replies.

use std::path::PathBuf;

use chrono::Utc;
use kefu_core::outbound::{ReplyRequest, TOKEN_KEY_NAME, queue_reply, token};
use kefu_tests::TestDb;
use kefu_tests::mail::{customer_mail, rewrite_headers, with_team_address};
use rusqlite::{Connection, params};

/// The address of the customer in the fixture mail.
const CUSTOMER: &str = "customer.a@example.cn";

/// Imports `bytes` as one file named `name`.
fn ingest(db: &mut TestDb, name: &str, bytes: &[u8]) {
    let path: PathBuf = db.folder.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let summary = db.ingest(&[path]);
    assert_eq!(summary.messages_stored, 1, "{summary:?}");
}

/// Returns the conversation of the message with this Message-ID.
fn conversation_of(db: &TestDb, external_id: &str) -> i64 {
    Connection::open(db.path())
        .unwrap()
        .query_row(
            "SELECT conversation_id FROM messages WHERE external_id = ?1",
            params![external_id],
            |row| row.get(0),
        )
        .unwrap()
}

fn message_count(db: &TestDb, conversation: i64) -> i64 {
    Connection::open(db.path())
        .unwrap()
        .query_row(
            "SELECT count(*) FROM messages WHERE conversation_id = ?1",
            params![conversation],
            |row| row.get(0),
        )
        .unwrap()
}

fn ticket_count(db: &TestDb) -> usize {
    db.store.tickets().unwrap().len()
}

/// Imports the customer's first mail and returns its ticket and
/// conversation.
fn first_mail(db: &mut TestDb) -> (i64, i64) {
    ingest(db, "first.eml", &customer_mail());
    let tickets = db.store.tickets().unwrap();
    assert_eq!(tickets.len(), 1, "the customer's mail opens a ticket");
    let conversation = conversation_of(
        db,
        "1699CE87DE933F49876AD744B5DC140F231335A0@dggemm526-mbx.china.huawei.com",
    );
    (tickets[0].id, conversation)
}

/// Returns a token Message-ID for `conversation`, signed with the
/// database's key, as a reply of the team would carry it.
fn token_for(db: &mut TestDb, conversation: i64) -> String {
    let writer = db.store.writer().unwrap();
    let key = writer
        .installation_secret(
            TOKEN_KEY_NAME,
            || Ok(token::new_key()?.to_vec()),
            Utc::now(),
        )
        .unwrap();
    writer.commit().unwrap();
    token::message_id(&key, conversation, "kefu.example").unwrap()
}

/// Rewrites the fixture mail into a reply with a new Message-ID and the
/// given threading headers; every other threading header is dropped.
fn reply(from: Option<&str>, message_id: &str, threading: &[(&str, &str)]) -> Vec<u8> {
    let mut set = vec![("Message-ID", format!("<{message_id}>"))];
    set.extend(
        threading
            .iter()
            .map(|(name, value)| (*name, value.to_string())),
    );
    if let Some(from) = from {
        set.push(("From", from.to_string()));
    }
    let set: Vec<(&str, &str)> = set
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    let mut drop = vec!["Message-ID", "In-Reply-To", "References"];
    if from.is_some() {
        drop.push("From");
    }
    rewrite_headers(&customer_mail(), &drop, &set)
}

#[test]
fn token_alone_threads_reply() {
    let mut db = TestDb::new();
    let (_, conversation) = first_mail(&mut db);
    // A token whose message is not stored: only the signature can thread it.
    let token = token_for(&mut db, conversation);
    let mail = reply(
        None,
        "r1@example.cn",
        &[("In-Reply-To", &format!("<{token}>"))],
    );
    ingest(&mut db, "reply.eml", &mail);
    assert_eq!(conversation_of(&db, "r1@example.cn"), conversation);
    assert_eq!(ticket_count(&db), 1);
}

#[test]
fn token_in_references_threads_reply() {
    let mut db = TestDb::new();
    let (_, conversation) = first_mail(&mut db);
    let token = token_for(&mut db, conversation);
    let references = format!("<unknown-1@example.org> <{token}> <unknown-2@example.org>");
    let mail = reply(None, "r2@example.cn", &[("References", &references)]);
    ingest(&mut db, "reply.eml", &mail);
    assert_eq!(conversation_of(&db, "r2@example.cn"), conversation);
    assert_eq!(ticket_count(&db), 1);
}

#[test]
fn altered_token_is_ignored() {
    let mut db = TestDb::new();
    let (_, conversation) = first_mail(&mut db);
    let token = token_for(&mut db, conversation);
    // Names the conversation the signature was not made for.
    let altered = token.replacen(
        &format!("kefu.{conversation}."),
        &format!("kefu.{}.", conversation + 1),
        1,
    );
    assert_ne!(altered, token);
    let mail = reply(
        None,
        "r3@example.cn",
        &[("In-Reply-To", &format!("<{altered}>"))],
    );
    ingest(&mut db, "reply.eml", &mail);
    assert_ne!(conversation_of(&db, "r3@example.cn"), conversation);
}

#[test]
fn subject_reference_threads_customer_reply() {
    let mut db = TestDb::new();
    let (ticket, conversation) = first_mail(&mut db);
    let mail = rewrite_headers(
        &reply(None, "r4@example.cn", &[]),
        &["Subject"],
        &[("Subject", &format!("Re: 退款 [#{ticket}]"))],
    );
    ingest(&mut db, "reply.eml", &mail);
    assert_eq!(conversation_of(&db, "r4@example.cn"), conversation);
    assert_eq!(ticket_count(&db), 1, "a reply never opens a second ticket");
}

#[test]
fn stranger_with_stolen_references_not_joined() {
    let mut db = TestDb::new();
    let (ticket, conversation) = first_mail(&mut db);
    let token = token_for(&mut db, conversation);
    let mail = rewrite_headers(
        &reply(
            Some("Stranger <stranger@example.net>"),
            "r5@example.net",
            &[
                ("In-Reply-To", &format!("<{token}>")),
                (
                    "References",
                    "<1699CE87DE933F49876AD744B5DC140F231335A0@dggemm526-mbx.china.huawei.com>",
                ),
            ],
        ),
        &["Subject"],
        &[("Subject", &format!("Re: 退款 [#{ticket}]"))],
    );
    ingest(&mut db, "stranger.eml", &mail);
    assert_ne!(conversation_of(&db, "r5@example.net"), conversation);
    assert_eq!(message_count(&db, conversation), 1);
}

#[test]
fn sent_reply_id_threads_customer_reply() {
    let mut db = TestDb::new();
    let (ticket, conversation) = first_mail(&mut db);
    with_team_address(&mut db.store, None);
    let writer = db.store.writer().unwrap();
    let queued = queue_reply(
        &writer,
        &ReplyRequest {
            ticket_id: ticket,
            text: "您好，退款已处理。",
            actor: "agent:lin",
            automatic: false,
        },
        Utc::now(),
    )
    .unwrap();
    writer.commit().unwrap();
    assert!(
        queued
            .external_id
            .starts_with(&format!("kefu.{conversation}."))
    );
    assert_eq!(queued.recipient, CUSTOMER);

    let mail = reply(
        None,
        "r6@example.cn",
        &[("In-Reply-To", &format!("<{}>", queued.external_id))],
    );
    ingest(&mut db, "answer.eml", &mail);
    assert_eq!(conversation_of(&db, "r6@example.cn"), conversation);
    assert_eq!(ticket_count(&db), 1);
    assert_eq!(message_count(&db, conversation), 3);
    let first_response: Option<String> = Connection::open(db.path())
        .unwrap()
        .query_row(
            "SELECT first_response_at FROM tickets WHERE id = ?1",
            params![ticket],
            |row| row.get(0),
        )
        .unwrap();
    assert!(
        first_response.is_some(),
        "the agent's reply is the first response"
    );
}
