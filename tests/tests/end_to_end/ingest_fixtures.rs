//! Importing every real sample under tests/fixtures through the built-in
//! plugins into a real database file.

use kefu_tests::{TestDb, all_sample_folders, fixtures};
use rusqlite::{Connection, OptionalExtension, params};

/// A stored message read back by the file it came from.
#[derive(Debug)]
struct Row {
    subject: Option<String>,
    body: String,
    automation: Option<String>,
    conversation_tickets: i64,
}

fn message_from(connection: &Connection, file_name: &str) -> Row {
    connection
        .query_row(
            "SELECT m.subject, m.body_text, m.automation_kind,
                    (SELECT count(*) FROM tickets t WHERE t.conversation_id = m.conversation_id)
               FROM messages m JOIN raw_inputs r ON r.id = m.raw_input_id
              WHERE r.source_name LIKE '%/' || ?1
              ORDER BY m.id LIMIT 1",
            params![file_name],
            |row| {
                Ok(Row {
                    subject: row.get(0)?,
                    body: row.get(1)?,
                    automation: row.get(2)?,
                    conversation_tickets: row.get(3)?,
                })
            },
        )
        .optional()
        .unwrap()
        .unwrap_or_else(|| panic!("no message stored from {file_name}"))
}

fn imported() -> (TestDb, kefu_core::ingest::IngestSummary, Connection) {
    let mut db = TestDb::new();
    let summary = db.ingest(&all_sample_folders());
    let connection = Connection::open(db.path()).unwrap();
    (db, summary, connection)
}

#[test]
fn every_sample_is_stored_or_quarantined() {
    let (db, summary, _connection) = imported();
    let counts = db.store.counts().unwrap();
    assert_eq!(summary.inputs, 31);
    assert_eq!(counts.raw_inputs, 31, "every input is kept as raw bytes");
    assert_eq!(summary.messages_stored as u64, counts.messages);
    assert_eq!(summary.messages_stored, 350, "{summary:#?}");
    // chatwoot-webhook-message_created-contact.json repeats message 118 of
    // chatwoot-webhook-message_created.json with the contact's details.
    assert_eq!(summary.duplicate_messages, 1);
    assert_eq!(summary.messages_by_adapter.get("email"), Some(&59));
    assert_eq!(summary.messages_by_adapter.get("phone-log"), Some(&226));
    assert_eq!(summary.messages_by_adapter.get("chat"), Some(&65));
    assert!(
        summary.rule_failures.is_empty(),
        "{:?}",
        summary.rule_failures
    );
}

#[test]
fn invalid_json_sample_is_quarantined_with_position() {
    let (db, summary, _connection) = imported();
    assert_eq!(summary.quarantined.len(), 1, "{:?}", summary.quarantined);
    let entry = &summary.quarantined[0];
    assert!(
        entry
            .source
            .ends_with("chatwoot-doc-sample-NOT-valid-json.jsonc")
    );
    assert!(
        entry.reason.starts_with("chat: malformed input"),
        "{}",
        entry.reason
    );
    assert!(entry.reason.contains("line 3"), "{}", entry.reason);
    let stored = db.store.quarantine().unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].reason, entry.reason);
    assert!(stored[0].size > 0, "the raw bytes are kept");
}

#[test]
fn chinese_mail_decodes_to_chinese_text() {
    let (_db, _summary, connection) = imported();

    let gb2312 = message_from(&connection, "01-cn-gb2312-reply-chain-outlook-quote.eml");
    let subject = gb2312.subject.unwrap();
    assert!(
        subject.starts_with("答复: 答复: 答复: [PATCH]"),
        "{subject}"
    );
    assert!(gb2312.body.contains("发件人"), "{}", gb2312.body);

    let big5 = message_from(&connection, "02-tw-big5-folded-empty-subject-line.eml");
    let subject = big5.subject.unwrap();
    assert!(subject.starts_with("回覆: [net]"), "{subject}");

    let gb18030 = message_from(
        &connection,
        "03-cn-gb18030-base64-format-flowed-list-reply.eml",
    );
    assert!(gb18030.body.contains("客户甲"), "{}", gb18030.body);

    let raw_big5 = message_from(
        &connection,
        "05-tw-big5-raw-8bit-headers-no-encoded-word.eml",
    );
    assert_eq!(raw_big5.subject.as_deref(), Some("養樂多線上訂購"));

    let gbk_ndr = message_from(
        &connection,
        "09-dsn-gb2312-label-needs-gbk-japanese-ndr.eml",
    );
    assert!(
        gbk_ndr
            .body
            .contains("次の受信者またはグループへの配信に失敗しました"),
        "{}",
        gbk_ndr.body
    );
}

#[test]
fn legacy_charsets_decode() {
    let (_db, _summary, connection) = imported();
    let koi8 = message_from(&connection, "13-koi8r-raw-8bit-subject-no-content-type.eml");
    assert_eq!(koi8.subject.as_deref(), Some("тест тест"));
    let split = message_from(&connection, "06-utf8-char-split-across-encoded-words.eml");
    assert!(split.subject.unwrap().contains('☺'));
}

#[test]
fn html_only_mail_yields_text() {
    let (_db, _summary, connection) = imported();
    for file in [
        "23-html-only-empty-in-reply-to.eml",
        "24-html-only-multipart-alternative-no-charset-meta.eml",
    ] {
        let row = message_from(&connection, file);
        assert!(!row.body.trim().is_empty(), "{file}: empty body");
        assert!(!row.body.contains("<html"), "{file}: {}", row.body);
        assert!(!row.body.contains("</"), "{file}: {}", row.body);
    }
}

#[test]
fn auto_replies_and_bounces_open_no_ticket() {
    let (_db, _summary, connection) = imported();
    for (file, kind) in [
        ("09-dsn-gb2312-label-needs-gbk-japanese-ndr.eml", "bounce"),
        ("14-bounce-gmail-dsn-nested-related.eml", "bounce"),
        ("15-bounce-office365-ndr-in-reply-to.eml", "bounce"),
        ("16-bounce-sendmail-dsn-bad-date-in-original.eml", "bounce"),
        (
            "17-autoreply-outlook-ooo-no-auto-submitted.eml",
            "auto-reply",
        ),
        (
            "19-autoreply-arabic-base64-duplicate-in-reply-to.eml",
            "auto-reply",
        ),
    ] {
        let row = message_from(&connection, file);
        assert_eq!(row.automation.as_deref(), Some(kind), "{file}");
        assert_eq!(row.conversation_tickets, 0, "{file} opened a ticket");
    }
}

#[test]
fn mbox_bounces_open_no_ticket() {
    let (_db, _summary, connection) = imported();
    let (messages, automated, tickets): (i64, i64, i64) = connection
        .query_row(
            "SELECT count(*), count(m.automation_kind),
                    (SELECT count(*) FROM tickets t WHERE t.conversation_id IN
                       (SELECT conversation_id FROM messages m2
                          JOIN raw_inputs r2 ON r2.id = m2.raw_input_id
                         WHERE r2.source_name LIKE '%.mbox'))
               FROM messages m JOIN raw_inputs r ON r.id = m.raw_input_id
              WHERE r.source_name LIKE '%.mbox'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .unwrap();
    assert_eq!(messages, 37, "one message per mbox entry");
    // Entry 36 is a bounce that a person forwarded ("Fwd: Returned mail"),
    // written by a person and so a customer message.
    assert_eq!(automated, 36, "every other entry is a bounce");
    assert_eq!(tickets, 1, "only the forwarded bounce opens a ticket");
}

#[test]
fn mails_sharing_message_id_are_both_stored() {
    // The mbox contains two pairs of sendmail bounces, one per failed
    // recipient, that share a Message-ID.
    let mut db = TestDb::new();
    let summary = db.ingest(&[fixtures().join("email/mbox")]);
    assert_eq!(summary.messages_stored, 37);
    assert_eq!(summary.duplicate_messages, 0);
}

#[test]
fn person_written_mail_opens_ticket() {
    let (_db, _summary, connection) = imported();
    let row = message_from(
        &connection,
        "05-tw-big5-raw-8bit-headers-no-encoded-word.eml",
    );
    assert_eq!(row.automation, None);
    assert_eq!(row.conversation_tickets, 1);
}

#[test]
fn calls_join_caller_conversation() {
    let (_db, _summary, connection) = imported();
    let (conversations, calls): (i64, i64) = connection
        .query_row(
            "SELECT count(DISTINCT conversation_id), count(*) FROM messages WHERE channel = 'phone'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(calls, 226);
    assert!(
        conversations < calls,
        "calls from one number share a conversation"
    );
    let tickets_per_conversation: i64 = connection
        .query_row(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM tickets GROUP BY conversation_id)",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(
        tickets_per_conversation, 1,
        "a repeat caller gets no second ticket"
    );
}

#[test]
fn reimporting_stores_nothing_new() {
    let mut db = TestDb::new();
    let first = db.ingest(&all_sample_folders());
    let before = db.store.counts().unwrap();
    let second = db.ingest(&all_sample_folders());
    let after = db.store.counts().unwrap();
    assert_eq!(before, after);
    // The one quarantined input is tried again; every other is skipped.
    assert_eq!(second.duplicate_inputs, first.inputs - 1);
    assert_eq!(second.quarantined.len(), 1);
    assert_eq!(second.messages_stored, 0);
    assert_eq!(second.tickets_opened, 0);
}

#[test]
fn copied_mail_is_stored_once() {
    let mut db = TestDb::new();
    let source = fixtures().join("email/05-tw-big5-raw-8bit-headers-no-encoded-word.eml");
    let mut bytes = std::fs::read(&source).unwrap();
    // The same mail saved again with a trailing blank line: a different file
    // with the same message.
    bytes.extend_from_slice(b"\n");
    let copy = db.folder.path().join("copy.eml");
    std::fs::write(&copy, &bytes).unwrap();
    let first = db.ingest(&[source]);
    let second = db.ingest(&[copy]);
    assert_eq!(first.messages_stored, 1);
    assert_eq!(second.duplicate_inputs, 0);
    assert_eq!(second.messages_stored + second.duplicate_messages, 1);
    assert_eq!(db.store.counts().unwrap().messages, 1, "{second:#?}");
}

#[test]
fn unreadable_input_does_not_stop_import() {
    let mut db = TestDb::new();
    let junk = db.folder.path().join("notes.bin");
    std::fs::write(&junk, [0u8, 159, 146, 150, 1, 2, 3]).unwrap();
    let mail = fixtures().join("email/20-empty-date-header.eml");
    let summary = db.ingest(&[junk.clone(), mail]);
    assert_eq!(summary.messages_stored, 1);
    assert_eq!(summary.quarantined.len(), 1);
    assert!(
        summary.quarantined[0]
            .reason
            .contains("no adapter recognised")
    );
    let stored = db.store.quarantine().unwrap();
    assert_eq!(stored[0].source_name, junk.display().to_string());
    assert_eq!(stored[0].size, 7);
}

#[test]
fn missing_date_is_noted() {
    let (_db, _summary, connection) = imported();
    let notes: String = connection
        .query_row(
            "SELECT m.notes FROM messages m JOIN raw_inputs r ON r.id = m.raw_input_id
              WHERE r.source_name LIKE '%/20-empty-date-header.eml'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(notes.to_lowercase().contains("date"), "{notes}");
}

#[test]
fn maildir_messages_are_read_by_content() {
    let mut db = TestDb::new();
    let maildir = db.folder.path().join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    // Maildir file names carry no extension, so the adapter must know mail
    // by its content.
    let copies = [
        (
            "cur",
            "1700000000.M1P2.desk:2,S",
            "01-cn-gb2312-reply-chain-outlook-quote.eml",
        ),
        (
            "new",
            "1700000001.M3P4.desk",
            "05-tw-big5-raw-8bit-headers-no-encoded-word.eml",
        ),
        ("tmp", "1700000002.M5P6.desk", "20-empty-date-header.eml"),
    ];
    for (sub, name, fixture) in copies {
        std::fs::copy(
            fixtures().join("email").join(fixture),
            maildir.join(sub).join(name),
        )
        .unwrap();
    }

    let summary = db.ingest(&[maildir]);

    assert_eq!(summary.inputs, 2, "tmp/ is skipped");
    assert_eq!(summary.messages_by_adapter.get("email"), Some(&2));
    assert!(summary.quarantined.is_empty(), "{:?}", summary.quarantined);
    let subjects: Vec<String> = db
        .store
        .conversations()
        .unwrap()
        .into_iter()
        .filter_map(|conversation| conversation.subject)
        .collect();
    assert!(
        subjects.contains(&"養樂多線上訂購".to_string()),
        "{subjects:?}"
    );
}
