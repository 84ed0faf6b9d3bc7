//! Attachment content stored once per SHA-256 hash, listed per message and
//! saved under safe file names, imported from real sample mail through
//! the built-in email adapter.

use kefu_core::Store;
use kefu_core::attachments::safe_file_name;
use kefu_tests::{TestDb, fixtures};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

/// A real mail with one PDF attachment, `file.pdf`, 10,915 bytes.
const PDF_MAIL: &str = "29-boundary-dash-only-pdf-attachment.eml";

/// Size of the PDF in the mail after base64 decoding.
const PDF_SIZE: u64 = 10_915;

fn fixture(name: &str) -> String {
    let bytes = std::fs::read(fixtures().join("email").join(name)).unwrap();
    String::from_utf8(bytes).unwrap()
}

/// Returns the PDF mail with its subject replaced, so it is a different message.
fn pdf_mail_with_subject(subject: &str) -> String {
    fixture(PDF_MAIL).replace("Subject: Test bad boundary", &format!("Subject: {subject}"))
}

/// Returns the PDF mail with the attachment's disposition and type parameters
/// replaced by `disposition`.
fn pdf_mail_with_disposition(subject: &str, disposition: &str) -> String {
    pdf_mail_with_subject(subject)
        .replace(
            "Content-Type: application/pdf; name=\"file.pdf\"",
            "Content-Type: application/pdf",
        )
        .replace(
            "Content-Disposition: inline; filename=\"file.pdf\"",
            &format!("Content-Disposition: {disposition}"),
        )
}

/// Writes the mails into the test's folder and imports them.
fn import(db: &mut TestDb, mails: &[(&str, String)]) {
    let paths: Vec<_> = mails
        .iter()
        .map(|(name, mail)| {
            let path = db.path().with_file_name(name);
            std::fs::write(&path, mail).unwrap();
            path
        })
        .collect();
    let summary = db.ingest(&paths);
    assert_eq!(summary.messages_stored, mails.len(), "{summary:?}");
}

fn count(connection: &Connection, sql: &str) -> i64 {
    connection.query_row(sql, [], |row| row.get(0)).unwrap()
}

/// Returns the attachments of the message whose subject is `subject`.
fn attachments_of(store: &Store, subject: &str) -> Vec<kefu_core::store::StoredAttachment> {
    let connection = Connection::open(store.path()).unwrap();
    let message_id: i64 = connection
        .query_row(
            "SELECT id FROM messages WHERE subject = ?1",
            [subject],
            |row| row.get(0),
        )
        .unwrap();
    store.message_attachments(message_id).unwrap()
}

#[test]
fn same_pdf_in_two_mails_stored_once() {
    let mut db = TestDb::new();
    import(
        &mut db,
        &[
            ("first.eml", fixture(PDF_MAIL)),
            (
                "second.eml",
                pdf_mail_with_subject("The same invoice again"),
            ),
        ],
    );
    let connection = Connection::open(db.path()).unwrap();
    assert_eq!(
        count(&connection, "SELECT count(*) FROM message_attachments"),
        2
    );
    assert_eq!(
        count(&connection, "SELECT count(*) FROM attachment_blobs"),
        1
    );

    let first = attachments_of(&db.store, "Test bad boundary");
    let second = attachments_of(&db.store, "The same invoice again");
    assert_eq!(first.len(), 1);
    assert_eq!(second.len(), 1);
    assert_eq!(first[0].file_name, "file.pdf");
    assert_eq!(first[0].content_type, "application/pdf");
    assert_eq!(first[0].size, PDF_SIZE);
    assert!(first[0].sha256.is_some());
    assert_eq!(first[0].sha256, second[0].sha256);

    let content = db.store.attachment_content(first[0].id).unwrap();
    assert!(content.starts_with(b"%PDF-1.4"), "{:?}", &content[..16]);
    assert_eq!(content.len() as u64, PDF_SIZE);
    assert_eq!(Some(hex::encode(Sha256::digest(&content))), first[0].sha256);
}

#[test]
fn chinese_rfc2231_name_is_decoded() {
    let mut db = TestDb::new();
    let disposition =
        "attachment;\r\n filename*=UTF-8''%E5%8F%91%E7%A5%A8%20%E4%B8%89%E6%9C%88.pdf";
    import(
        &mut db,
        &[(
            "chinese.eml",
            pdf_mail_with_disposition("发票", disposition),
        )],
    );
    let attachments = attachments_of(&db.store, "发票");
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0].file_name, "发票 三月.pdf");
    assert_eq!(
        safe_file_name(&attachments[0].file_name, attachments[0].id),
        "发票 三月.pdf"
    );
    let content = db.store.attachment_content(attachments[0].id).unwrap();
    assert_eq!(content.len() as u64, PDF_SIZE);
}

#[test]
fn japanese_rfc2231_continuations_are_decoded() {
    let mut db = TestDb::new();
    let name = "27-rfc2231-filename-continuations-iso2022jp.eml";
    import(&mut db, &[(name, fixture(name))]);
    let store = &db.store;
    let all = store.all_attachments().unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].file_name, "新しいテキスト ドキュメント.txt");
    assert_eq!(all[0].content_type, "text/plain");
    let content = db.store.attachment_content(all[0].id).unwrap();
    assert_eq!(content.len() as u64, all[0].size);
}

#[test]
fn attachment_path_name_saved_safely() {
    let mut db = TestDb::new();
    import(
        &mut db,
        &[(
            "escape.eml",
            pdf_mail_with_disposition("escape", "attachment; filename=\"../../.config/evil.pdf\""),
        )],
    );
    let attachments = attachments_of(&db.store, "escape");
    assert_eq!(attachments.len(), 1);
    // The listing shows the name the mail gave.
    assert_eq!(attachments[0].file_name, "../../.config/evil.pdf");

    let folder = tempfile::tempdir().unwrap();
    let path =
        kefu_core::attachments::write_to_folder(&mut db.store, attachments[0].id, folder.path())
            .unwrap();
    assert_eq!(path.parent(), Some(folder.path()));
    let written = path.file_name().unwrap().to_str().unwrap();
    assert!(!written.contains('/'), "{written}");
    assert!(!written.contains(".."), "{written}");
    assert!(written.ends_with("evil.pdf"), "{written}");
    assert_eq!(std::fs::read(&path).unwrap().len() as u64, PDF_SIZE);
}

#[test]
fn migrated_listing_extracts_content_on_read() {
    // A database from before attachment content was stored has the
    // listing only; reading the content extracts and stores it.
    let mut db = TestDb::new();
    import(&mut db, &[("first.eml", fixture(PDF_MAIL))]);
    let connection = Connection::open(db.path()).unwrap();
    connection
        .execute_batch(
            "UPDATE message_attachments SET sha256 = NULL; DELETE FROM attachment_blobs;",
        )
        .unwrap();
    let attachment = db.store.all_attachments().unwrap().remove(0);
    assert_eq!(attachment.sha256, None);

    let content = db.store.attachment_content(attachment.id).unwrap();
    assert_eq!(content.len() as u64, PDF_SIZE);
    let stored = db.store.attachment(attachment.id).unwrap().unwrap();
    assert_eq!(stored.sha256, Some(hex::encode(Sha256::digest(&content))));
    assert_eq!(
        count(&connection, "SELECT count(*) FROM attachment_blobs"),
        1
    );
}

#[test]
fn unknown_attachment_id_names_fix() {
    let mut db = TestDb::new();
    let error = db.store.attachment_content(999).unwrap_err().to_string();
    assert!(error.contains("attachment 999 not found"), "{error}");
    assert!(error.contains("kefu attachments"), "{error}");
}

/// Lists every file and folder under `root`, relative to it.
fn tree(root: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            found.push(path.strip_prefix(root).unwrap().display().to_string());
            if path.is_dir() {
                pending.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn hostile_attachment_names_stay_in_folder() {
    let long_name = format!("{}.pdf", "a".repeat(296));
    // The Content-Disposition each mail gives, and the name the listing
    // shows for it.
    let cases = [
        (
            "attachment; filename=\"../../etc/passwd\"".to_string(),
            "../../etc/passwd".to_string(),
        ),
        (
            "attachment; filename=\"/abs/x.pdf\"".to_string(),
            "/abs/x.pdf".to_string(),
        ),
        (
            "attachment; filename*=UTF-8''C%3A%5Cx.pdf".to_string(),
            "C:\\x.pdf".to_string(),
        ),
        (
            "attachment; filename=\"CON\"".to_string(),
            "CON".to_string(),
        ),
        // The email adapter already drops the NUL when it lists the name.
        (
            "attachment; filename*=UTF-8''a%00b.pdf".to_string(),
            "ab.pdf".to_string(),
        ),
        (
            "attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe".to_string(),
            "invoice\u{202E}fdp.exe".to_string(),
        ),
        (
            format!("attachment;\r\n filename=\"{long_name}\""),
            long_name.clone(),
        ),
    ];
    let mut db = TestDb::new();
    let mails: Vec<(String, String)> = cases
        .iter()
        .enumerate()
        .map(|(index, (disposition, _))| {
            (
                format!("hostile-{index}.eml"),
                pdf_mail_with_disposition(&format!("hostile {index}"), disposition),
            )
        })
        .collect();
    let borrowed: Vec<(&str, String)> = mails
        .iter()
        .map(|(name, mail)| (name.as_str(), mail.clone()))
        .collect();
    import(&mut db, &borrowed);

    let root = tempfile::tempdir().unwrap();
    let folder = root.path().join("saved");
    let mut saved = Vec::new();
    for (index, (_, expected_name)) in cases.iter().enumerate() {
        let attachments = attachments_of(&db.store, &format!("hostile {index}"));
        assert_eq!(attachments.len(), 1, "case {index}");
        let attachment = &attachments[0];
        assert_eq!(&attachment.file_name, expected_name, "case {index}");

        let path =
            kefu_core::attachments::write_to_folder(&mut db.store, attachment.id, &folder).unwrap();
        assert_eq!(path.parent(), Some(folder.as_path()), "case {index}");
        let written = path.file_name().unwrap().to_str().unwrap().to_string();
        assert!(
            written.starts_with(&format!("{}-", attachment.id)),
            "case {index}: {written}"
        );
        assert!(
            written.len() <= 255,
            "case {index}: {} bytes",
            written.len()
        );
        assert!(
            !written.contains(['/', '\\', '\0', '\u{202E}']),
            "case {index}: {written:?}"
        );
        assert!(!written.contains(".."), "case {index}: {written:?}");
        assert_eq!(
            std::fs::read(&path).unwrap().len() as u64,
            PDF_SIZE,
            "case {index}"
        );
        saved.push(format!("saved/{written}"));
    }
    // Nothing was written beside or above the folder.
    saved.push("saved".to_string());
    saved.sort();
    assert_eq!(tree(root.path()), saved);
}
