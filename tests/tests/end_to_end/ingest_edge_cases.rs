//! Imports of awkward inputs: retries, oversized and unreadable files,
//! symbolic-link loops and two imports at once.

use std::path::PathBuf;

use kefu_core::Store;
use kefu_core::ingest::{BATCH_MAX_INPUTS, Ingestor, MAX_INPUT_BYTES, NoProgress};
use kefu_core::plugin::PluginSet;
use kefu_tests::{TestDb, all_sample_folders, fixtures};

#[test]
fn quarantined_input_is_retried() {
    let mut db = TestDb::new();
    let junk = db.folder.path().join("notes.bin");
    std::fs::write(&junk, [0u8, 159, 146, 150]).unwrap();

    let first = db.ingest(std::slice::from_ref(&junk));
    let second = db.ingest(std::slice::from_ref(&junk));

    assert_eq!(first.quarantined.len(), 1);
    assert_eq!(
        second.duplicate_inputs, 0,
        "a quarantined input is not skipped"
    );
    assert_eq!(
        second.quarantined.len(),
        1,
        "it is tried and quarantined again"
    );
    let counts = db.store.counts().unwrap();
    assert_eq!(counts.raw_inputs, 1, "its bytes are stored once");
    assert_eq!(counts.quarantined, 1, "the old entry is replaced");
}

#[test]
fn import_across_batches_stores_every_file() {
    let mut db = TestDb::new();
    let mails = db.folder.path().join("mails");
    std::fs::create_dir(&mails).unwrap();
    let count = BATCH_MAX_INPUTS + 20;
    for number in 0..count {
        let name = format!("{number:04}.eml");
        let mail = db.write_mail(
            &name,
            &format!("customer{number}@example.cn"),
            &format!("订单 {number} 退款"),
            "你好，耳机左边没有声音。",
        );
        std::fs::rename(mail, mails.join(name)).unwrap();
    }
    // The same bytes again, right after the original and at the end of the
    // import, in another transaction, are each skipped as stored before.
    std::fs::copy(mails.join("0001.eml"), mails.join("0002-copy.eml")).unwrap();
    std::fs::copy(mails.join("0000.eml"), mails.join("9999-copy.eml")).unwrap();

    let summary = db.ingest(&[mails]);

    assert_eq!(summary.inputs, count + 2);
    assert_eq!(summary.messages_stored, count);
    assert_eq!(summary.duplicate_inputs, 2);
    assert_eq!(summary.tickets_opened, count);
    assert!(summary.quarantined.is_empty(), "{:?}", summary.quarantined);
    let counts = db.store.counts().unwrap();
    assert_eq!(counts.raw_inputs, count as u64);
    assert_eq!(counts.messages, count as u64);
}

#[test]
fn oversized_file_is_reported_not_read() {
    let mut db = TestDb::new();
    let big = db.folder.path().join("export.mbox");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(MAX_INPUT_BYTES + 1).unwrap();
    let mail = fixtures().join("email/20-empty-date-header.eml");

    let summary = db.ingest(&[big.clone(), mail]);

    assert_eq!(summary.messages_stored, 1, "the next input is imported");
    assert_eq!(summary.not_read.len(), 1);
    assert_eq!(summary.not_read[0].source, big.display().to_string());
    assert!(
        summary.not_read[0].reason.contains("split it"),
        "{:?}",
        summary.not_read
    );
    assert_eq!(db.store.counts().unwrap().raw_inputs, 1);
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_imported_once() {
    let mut db = TestDb::new();
    let inner = db.folder.path().join("loop/inner");
    std::fs::create_dir_all(&inner).unwrap();
    std::fs::copy(
        fixtures().join("email/23-html-only-empty-in-reply-to.eml"),
        inner.join("a.eml"),
    )
    .unwrap();
    std::os::unix::fs::symlink("..", inner.join("up")).unwrap();
    std::os::unix::fs::symlink("../loop", db.folder.path().join("loop/self")).unwrap();

    let summary = db.ingest(&[db.folder.path().join("loop")]);

    assert_eq!(summary.inputs, 1);
    assert_eq!(summary.messages_stored, 1);
}

#[test]
fn concurrent_imports_store_everything_once() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("kefu.db");
    Store::open(&path).unwrap();
    let import = |path: PathBuf| {
        std::thread::spawn(move || {
            let mut store = Store::open(&path).unwrap();
            let mut plugins = PluginSet::builtin().unwrap();
            Ingestor::new(&mut store, &mut plugins)
                .ingest_paths(&all_sample_folders(), &mut NoProgress)
                .unwrap()
        })
    };
    let first = import(path.clone());
    let second = import(path.clone());
    let first = first.join().expect("first import");
    let second = second.join().expect("second import");

    assert_eq!(first.messages_stored + second.messages_stored, 350);
    assert_eq!(first.inputs, 31);
    assert_eq!(second.inputs, 31);
    let counts = Store::open(&path).unwrap().counts().unwrap();
    assert_eq!(counts.messages, 350);
    assert_eq!(counts.raw_inputs, 31);
}

#[test]
fn chat_sources_never_share_conversations() {
    let mut db = TestDb::new();
    db.ingest(&[fixtures().join("chat/twcs-sample-64rows.csv")]);
    let stranger = db.folder.path().join("web-chat.jsonl");
    // Conversation 8 and customer 115712 exist in the Twitter sample; the
    // user's own chat export uses the same numbers for other people.
    std::fs::write(
        &stranger,
        r#"{"conversation": 8, "customer": {"id": "115712"}, "direction": "in", "text": "hello from my own web chat", "at": "2024-05-01T09:30:00+08:00", "id": "w-1"}"#,
    )
    .unwrap();

    let summary = db.ingest(&[stranger]);

    assert_eq!(summary.messages_stored, 1);
    assert_eq!(summary.conversations_created, 1);
    assert_eq!(summary.customers_created, 1);
}

#[test]
fn undated_mail_takes_file_time_with_note() {
    let mut db = TestDb::new();
    // The sample has an empty Date header and no Received header.
    let mail = db.folder.path().join("undated.eml");
    std::fs::copy(fixtures().join("email/20-empty-date-header.eml"), &mail).unwrap();
    let file_time = chrono::DateTime::parse_from_rfc3339("2026-03-02T08:30:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    std::fs::File::options()
        .write(true)
        .open(&mail)
        .unwrap()
        .set_modified(file_time.into())
        .unwrap();

    let summary = db.ingest(&[mail]);

    assert_eq!(summary.messages_stored, 1);
    let conversation = db.store.conversations().unwrap()[0].id;
    let message = db.store.messages(conversation).unwrap().remove(0);
    assert_eq!(message.sent_at, Some(file_time));
    assert!(
        message.notes.iter().any(|note| note
            == "The mail has no usable date, so the send time is the file's modification \
                time, 2026-03-02T08:30:00Z."),
        "{:?}",
        message.notes
    );
}

#[test]
fn large_mbox_is_stored_whole() {
    // 400 copies of a real GB2312 mail, each with its own Message-ID, make
    // an mbox of about 3.5 MiB whose parsed messages are well over the
    // default 1 MiB a plugin call may return.
    let sample =
        std::fs::read(fixtures().join("email/01-cn-gb2312-reply-chain-outlook-quote.eml")).unwrap();
    let marker = b"Message-ID: <";
    let at = sample
        .windows(marker.len())
        .position(|window| window == marker)
        .expect("Message-ID header missing from the sample")
        + marker.len();
    let copies = 400;
    let mut mbox = Vec::new();
    for number in 0..copies {
        mbox.extend_from_slice(b"From customer@example.cn Mon Jan  1 00:00:00 2024\n");
        mbox.extend_from_slice(&sample[..at]);
        mbox.extend_from_slice(format!("copy{number}.").as_bytes());
        mbox.extend_from_slice(&sample[at..]);
        mbox.extend_from_slice(b"\n");
    }
    let mut db = TestDb::new();
    let path = db.folder.path().join("archive.mbox");
    std::fs::write(&path, &mbox).unwrap();

    let summary = db.ingest(std::slice::from_ref(&path));

    assert!(summary.quarantined.is_empty(), "{:?}", summary.quarantined);
    assert_eq!(summary.messages_stored, copies);
    assert_eq!(db.store.counts().unwrap().quarantined, 0);
}
