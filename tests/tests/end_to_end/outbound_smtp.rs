//! Replies queued in the outbox and delivered to a real SMTP server
//! (aiosmtpd) on loopback: the bytes on the wire, threading the customer's
//! reply back, retries while the server is down, automatic replies, and
//! STARTTLS and implicit TLS with a certificate of a CA the test generates.

use chrono::{Duration, Utc};
use kefu_core::outbound::{
    AutomaticReply, ReplyRequest, deliver_due, queue_phrase_reply, queue_reply,
};
use kefu_core::plugin::{AdapterInput, PluginSet};
use kefu_core::store::OutboxState;
use kefu_tests::TestDb;
use kefu_tests::certificates::TestCertificates;
use kefu_tests::mail::{
    SmtpServer, SmtpTls, TEAM_ADDRESS, customer_mail, free_port, rewrite_headers, with_outgoing,
    with_smtp_security, with_team_address,
};

const CUSTOMER: &str = "customer.a@example.cn";
const FIRST_ID: &str = "1699CE87DE933F49876AD744B5DC140F231335A0@dggemm526-mbx.china.huawei.com";

/// Imports the customer's mail and returns the ticket it opened.
fn customer_ticket(db: &mut TestDb) -> i64 {
    let path = db.folder.path().join("first.eml");
    std::fs::write(&path, customer_mail()).unwrap();
    let summary = db.ingest(&[path]);
    assert_eq!(summary.tickets_opened, 1, "{summary:?}");
    db.store.tickets().unwrap()[0].id
}

fn agent_reply(db: &mut TestDb, ticket: i64, text: &str) -> kefu_core::outbound::QueuedReply {
    let writer = db.store.writer().unwrap();
    let queued = queue_reply(
        &writer,
        &ReplyRequest {
            ticket_id: ticket,
            text,
            actor: "agent:lin",
            automatic: false,
        },
        Utc::now(),
    )
    .unwrap();
    writer.commit().unwrap();
    queued
}

/// Returns the unfolded value of the first header `name` in a mail.
fn header(mail: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(mail);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_string())
    })
}

/// Parses a mail with the real email adapter and returns its subject.
fn decoded_subject(plugins: &mut PluginSet, mail: &[u8]) -> Option<String> {
    let adapter = plugins.adapter("email").unwrap();
    let parsed = adapter
        .plugin
        .parse(&AdapterInput {
            name: "sent.eml".to_string(),
            content_type: None,
            bytes: mail.to_vec(),
        })
        .unwrap()
        .result
        .unwrap();
    parsed.messages[0].subject.clone()
}

#[test]
fn sent_mail_has_headers_and_threads_back() {
    let mut db = TestDb::new();
    let ticket = customer_ticket(&mut db);
    let port = free_port();
    let Some(server) = SmtpServer::start(port, &db.folder.path().join("Maildir")) else {
        return;
    };
    with_team_address(&mut db.store, Some(port));
    // The conversation's subject, as the adapter read it from GB2312.
    let subject = db.store.tickets().unwrap()[0].subject.clone().unwrap();
    let queued = agent_reply(&mut db, ticket, "您好，退款已经处理，三个工作日内到账。");

    let mut plugins = PluginSet::builtin().unwrap();
    let report = deliver_due(&mut db.store, &mut plugins, Utc::now()).unwrap();
    assert_eq!(report.sent, vec![queued.outbox_id], "{report:?}");

    let mails = server.mails();
    assert_eq!(mails.len(), 1);
    let sent = &mails[0];
    let from = header(sent, "From").unwrap();
    assert!(from.ends_with(&format!("<{TEAM_ADDRESS}>")), "{from}");
    assert!(
        from.starts_with("=?UTF-8?B?"),
        "the Chinese team name is encoded: {from}"
    );
    assert_eq!(
        header(sent, "To").unwrap(),
        format!("\"Customer A (CM)\" <{CUSTOMER}>")
    );
    let message_id = header(sent, "Message-ID").unwrap();
    assert_eq!(message_id, format!("<{}>", queued.external_id));
    assert!(message_id.starts_with("<kefu."), "{message_id}");
    assert!(message_id.ends_with("@kefu.example>"), "{message_id}");
    assert_eq!(
        header(sent, "In-Reply-To").unwrap(),
        format!("<{FIRST_ID}>")
    );
    let references = header(sent, "References").unwrap();
    assert!(
        references.ends_with(&format!("<{FIRST_ID}>")),
        "{references}"
    );
    let raw_subject = header(sent, "Subject").unwrap();
    assert!(raw_subject.starts_with("=?UTF-8?B?"), "{raw_subject}");
    assert_eq!(
        decoded_subject(&mut plugins, sent).unwrap(),
        format!("Re: {subject} [#{ticket}]")
    );
    assert!(
        subject
            .chars()
            .any(|character| ('\u{4e00}'..='\u{9fff}').contains(&character))
    );
    let entry = db.store.outbox_entry(queued.outbox_id).unwrap().unwrap();
    assert_eq!(entry.state, OutboxState::Sent);
    assert_eq!(entry.attempts, 1);

    // The customer replies from a client that drops References.
    let answer = rewrite_headers(
        &customer_mail(),
        &["Message-ID", "In-Reply-To", "References", "Subject"],
        &[
            ("Message-ID", "<answer-1@example.cn>"),
            ("In-Reply-To", &message_id),
            ("Subject", &raw_subject),
        ],
    );
    let path = db.folder.path().join("answer.eml");
    std::fs::write(&path, answer).unwrap();
    let summary = db.ingest(&[path]);
    assert_eq!(summary.messages_stored, 1, "{summary:?}");
    assert_eq!(summary.conversations_created, 0, "{summary:?}");
    assert_eq!(summary.tickets_opened, 0, "{summary:?}");
    assert_eq!(db.store.tickets().unwrap().len(), 1);
}

#[test]
fn server_down_stays_queued_then_sent_once() {
    let mut db = TestDb::new();
    let ticket = customer_ticket(&mut db);
    let port = free_port();
    with_team_address(&mut db.store, Some(port));
    let queued = agent_reply(&mut db, ticket, "稍后回复您。");
    let mut plugins = PluginSet::builtin().unwrap();
    let start = Utc::now();

    // Nothing listens on the port yet.
    let report = deliver_due(&mut db.store, &mut plugins, start).unwrap();
    assert!(report.sent.is_empty(), "{report:?}");
    assert_eq!(report.retrying.len(), 1, "{report:?}");
    let entry = db.store.outbox_entry(queued.outbox_id).unwrap().unwrap();
    assert_eq!(entry.state, OutboxState::Queued);
    assert_eq!(entry.attempts, 1);
    let error = entry.last_error.unwrap();
    assert!(error.to_lowercase().contains("refused"), "{error}");
    assert!(entry.next_attempt_at > start, "the retry backs off");

    let Some(server) = SmtpServer::start(port, &db.folder.path().join("Maildir")) else {
        return;
    };
    // Not due yet: the backoff is not over.
    let report = deliver_due(&mut db.store, &mut plugins, start).unwrap();
    assert!(report.sent.is_empty(), "{report:?}");
    assert!(server.mails().is_empty());

    let later = start + Duration::minutes(2);
    let report = deliver_due(&mut db.store, &mut plugins, later).unwrap();
    assert_eq!(report.sent, vec![queued.outbox_id], "{report:?}");
    let report = deliver_due(&mut db.store, &mut plugins, later + Duration::hours(2)).unwrap();
    assert!(report.sent.is_empty(), "{report:?}");
    assert_eq!(server.mails().len(), 1, "sent once, never twice");
    let entry = db.store.outbox_entry(queued.outbox_id).unwrap().unwrap();
    assert_eq!(entry.state, OutboxState::Sent);
    assert_eq!(entry.attempts, 2);
    assert_eq!(entry.last_error, None);
    let body = String::from_utf8_lossy(&server.mails()[0]).to_string();
    assert!(body.contains(&queued.external_id), "{body}");
}

#[test]
fn no_smtp_server_keeps_mail_queued() {
    let mut db = TestDb::new();
    let ticket = customer_ticket(&mut db);
    with_team_address(&mut db.store, None);
    let queued = agent_reply(&mut db, ticket, "您好");
    let mut plugins = PluginSet::builtin().unwrap();
    let report = deliver_due(&mut db.store, &mut plugins, Utc::now()).unwrap();
    assert!(report.not_configured.unwrap().contains("[smtp]"));
    let entry = db.store.outbox_entry(queued.outbox_id).unwrap().unwrap();
    assert_eq!(entry.state, OutboxState::Queued);
    assert_eq!(entry.attempts, 0);
}

#[test]
fn reply_without_team_address_stores_nothing() {
    let mut db = TestDb::new();
    let ticket = customer_ticket(&mut db);
    let writer = db.store.writer().unwrap();
    let error = queue_reply(
        &writer,
        &ReplyRequest {
            ticket_id: ticket,
            text: "您好",
            actor: "agent:lin",
            automatic: false,
        },
        Utc::now(),
    )
    .unwrap_err()
    .to_string();
    drop(writer);
    assert!(error.contains("outgoing.toml"), "{error}");
    assert!(db.store.outbox(false).unwrap().is_empty());
}

#[test]
fn automatic_replies_capped_per_address() {
    let mut db = TestDb::new();
    let ticket = customer_ticket(&mut db);
    db.store
        .import_phrases(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/phrases.toml"),
            Utc::now(),
        )
        .unwrap();
    with_outgoing(&mut db.store, None, "max-automatic-per-address-per-day = 2");
    let now = Utc::now();
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        let writer = db.store.writer().unwrap();
        outcomes.push(
            queue_phrase_reply(&writer, ticket, "order-status", "rule:auto", None, now).unwrap(),
        );
        writer.commit().unwrap();
    }
    assert!(
        matches!(outcomes[0], AutomaticReply::Queued(_)),
        "{outcomes:?}"
    );
    assert!(
        matches!(outcomes[1], AutomaticReply::Queued(_)),
        "{outcomes:?}"
    );
    let AutomaticReply::Withheld(reason) = &outcomes[2] else {
        panic!("the third reply is over the cap: {outcomes:?}");
    };
    assert!(
        reason.contains("max-automatic-per-address-per-day"),
        "{reason}"
    );
    assert_eq!(db.store.outbox(false).unwrap().len(), 2);
    let history = db.store.ticket_events(ticket).unwrap();
    let withheld: Vec<_> = history
        .iter()
        .filter(|event| event.kind == "reply-withheld")
        .collect();
    assert_eq!(withheld.len(), 1, "{history:?}");
    assert!(
        withheld[0]
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("24 hours")
    );

    // A day later the address may get automatic mail again.
    let writer = db.store.writer().unwrap();
    let outcome = queue_phrase_reply(
        &writer,
        ticket,
        "order-status",
        "rule:auto",
        None,
        now + Duration::hours(25),
    )
    .unwrap();
    writer.commit().unwrap();
    assert!(matches!(outcome, AutomaticReply::Queued(_)), "{outcome:?}");
}

#[test]
fn automatic_mail_gets_no_automatic_reply() {
    let mut db = TestDb::new();
    let ticket = customer_ticket(&mut db);
    db.store
        .import_phrases(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/phrases.toml"),
            Utc::now(),
        )
        .unwrap();
    with_team_address(&mut db.store, None);
    let writer = db.store.writer().unwrap();
    let outcome = queue_phrase_reply(
        &writer,
        ticket,
        "order-status",
        "rule:auto",
        Some("auto-reply"),
        Utc::now(),
    )
    .unwrap();
    writer.commit().unwrap();
    let AutomaticReply::Withheld(reason) = outcome else {
        panic!("an auto-reply gets no automatic reply: {outcome:?}");
    };
    assert!(reason.contains("auto-reply"), "{reason}");
    assert!(db.store.outbox(false).unwrap().is_empty());
}

#[test]
fn starttls_and_implicit_tls_send_with_ca_file() {
    let Some(certificates) = TestCertificates::generate() else {
        return;
    };
    for (security, tls) in [("starttls", SmtpTls::Starttls), ("tls", SmtpTls::Implicit)] {
        let mut db = TestDb::new();
        let ticket = customer_ticket(&mut db);
        let port = free_port();
        let maildir = db.folder.path().join("Maildir");
        let Some(server) = SmtpServer::start_with(port, &maildir, tls, Some(&certificates)) else {
            return;
        };
        with_smtp_security(&mut db.store, port, security, Some(&certificates.ca()));
        let queued = agent_reply(&mut db, ticket, "您好，已为您加急处理。");
        let mut plugins = PluginSet::builtin().unwrap();

        let report = deliver_due(&mut db.store, &mut plugins, Utc::now()).unwrap();

        assert_eq!(
            report.sent,
            vec![queued.outbox_id],
            "{security}: {report:?}"
        );
        let mails = server.mails();
        assert_eq!(mails.len(), 1, "{security}");
        assert_eq!(
            header(&mails[0], "Message-ID").unwrap(),
            format!("<{}>", queued.external_id),
            "{security}"
        );
    }
}

#[test]
fn plain_smtp_to_starttls_only_server_fails() {
    let Some(certificates) = TestCertificates::generate() else {
        return;
    };
    let mut db = TestDb::new();
    let ticket = customer_ticket(&mut db);
    let port = free_port();
    let maildir = db.folder.path().join("Maildir");
    let Some(server) =
        SmtpServer::start_with(port, &maildir, SmtpTls::Starttls, Some(&certificates))
    else {
        return;
    };
    with_smtp_security(&mut db.store, port, "none", None);
    let queued = agent_reply(&mut db, ticket, "您好");
    let mut plugins = PluginSet::builtin().unwrap();
    let report = deliver_due(&mut db.store, &mut plugins, Utc::now()).unwrap();
    assert!(report.sent.is_empty(), "{report:?}");
    let entry = db.store.outbox_entry(queued.outbox_id).unwrap().unwrap();
    let error = entry.last_error.unwrap();
    assert!(
        error.contains("STARTTLS"),
        "the server's reply is kept: {error}"
    );
    assert!(server.mails().is_empty());
}

#[test]
fn untrusted_smtp_certificate_names_host() {
    let Some(certificates) = TestCertificates::generate() else {
        return;
    };
    let cases = [
        ("starttls", SmtpTls::Starttls, None),
        ("tls", SmtpTls::Implicit, None),
        ("tls", SmtpTls::Implicit, Some(certificates.other_ca())),
    ];
    for (security, tls, ca_file) in cases {
        let case = format!("{security}, ca-file {ca_file:?}");
        let mut db = TestDb::new();
        let ticket = customer_ticket(&mut db);
        let port = free_port();
        let maildir = db.folder.path().join("Maildir");
        let Some(server) = SmtpServer::start_with(port, &maildir, tls, Some(&certificates)) else {
            return;
        };
        with_smtp_security(&mut db.store, port, security, ca_file.as_deref());
        let queued = agent_reply(&mut db, ticket, "您好");
        let mut plugins = PluginSet::builtin().unwrap();

        let report = deliver_due(&mut db.store, &mut plugins, Utc::now()).unwrap();

        assert!(report.sent.is_empty(), "{case}: {report:?}");
        assert_eq!(report.retrying.len(), 1, "{case}: {report:?}");
        let entry = db.store.outbox_entry(queued.outbox_id).unwrap().unwrap();
        assert_eq!(entry.state, OutboxState::Queued, "{case}");
        let error = entry.last_error.unwrap();
        assert!(
            error.contains("TLS certificate of the SMTP server 127.0.0.1 did not verify"),
            "{case}: {error}"
        );
        assert!(error.contains("smtp.ca-file"), "{case}: {error}");
        assert!(server.mails().is_empty(), "{case}");
    }
}
