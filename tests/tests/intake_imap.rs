//! `kefu fetch` against a real Dovecot on 127.0.0.1: the real sample mail
//! is delivered into its Maildir, fetched through the built-in plugins
//! into a real database file, and the flags are read back from the server.
//! Over TLS the server presents a certificate signed by a CA that the test
//! generates.

use std::path::PathBuf;
use std::time::Duration;

use kefu_core::ingest::Ingestor;
use kefu_core::intake::config::{ImapAccount, PasswordSource, Security};
use kefu_core::intake::{FetchReport, fetch_account};
use kefu_core::plugin::PluginSet;
use kefu_tests::certificates::TestCertificates;
use kefu_tests::dovecot::{self, Dovecot};
use kefu_tests::{TestDb, fixtures};

/// Text that is not a mail message; the email adapter rejects it.
const NOT_MAIL: &[u8] = b"just some words\nand more words\n";

/// Returns the real sample .eml files, sorted.
fn sample_mails() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures().join("email"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect();
    files.sort();
    files
}

/// Delivers every sample mail and one text that is not mail, and returns
/// how many were delivered.
fn deliver_samples(server: &Dovecot) -> usize {
    let mails = sample_mails();
    for (index, mail) in mails.iter().enumerate() {
        server.deliver(
            &format!("1700000000.M{index}P1.test"),
            &std::fs::read(mail).unwrap(),
        );
    }
    server.deliver("1700000000.M999P1.test", NOT_MAIL);
    mails.len() + 1
}

fn account(server: &Dovecot, password_env: &str) -> ImapAccount {
    // SAFETY: each test sets a variable of its own name, read only by the
    // fetch in the same test.
    unsafe { std::env::set_var(password_env, dovecot::PASSWORD) };
    ImapAccount {
        name: "test".to_string(),
        host: "127.0.0.1".to_string(),
        port: server.port,
        security: Security::None,
        user: dovecot::USER.to_string(),
        password: PasswordSource::Env(password_env.to_string()),
        folder: "INBOX".to_string(),
        poll_interval: Duration::from_secs(60),
        move_to: None,
        ca_file: None,
    }
}

fn fetch(db: &mut TestDb, account: &ImapAccount) -> FetchReport {
    let mut plugins = PluginSet::builtin().expect("loading the built-in plugins");
    fetch_account(account, &mut Ingestor::new(&mut db.store, &mut plugins))
        .expect("fetching the account")
}

/// Returns how many messages in `folder` match the IMAP search `query`.
fn count_on_server(server: &Dovecot, folder: &str, query: &str) -> usize {
    let mut client = server.client();
    client.select(folder).unwrap();
    let found = client.uid_search(query).unwrap().len();
    client.logout().unwrap();
    found
}

#[test]
fn fetch_stores_once_and_flags_seen() {
    let Some(server) = Dovecot::start() else {
        return;
    };
    let delivered = deliver_samples(&server);
    let mut db = TestDb::new();
    let account = account(&server, "KEFU_TEST_IMAP_PASSWORD_ONCE");

    let report = fetch(&mut db, &account);

    assert_eq!(report.unseen, delivered, "{}", server.log());
    assert_eq!(report.flagged, delivered, "{report:#?}");
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(
        report.summary.messages_by_adapter.get("email"),
        Some(&(delivered - 1))
    );
    assert_eq!(report.summary.quarantined.len(), 1, "{report:#?}");
    let quarantined = &report.summary.quarantined[0];
    assert!(
        quarantined.reason.contains("not a mail message"),
        "{quarantined:?}"
    );
    assert!(quarantined.source.starts_with("imap://kefu@127.0.0.1:"));
    let counts = db.store.counts().unwrap();
    assert_eq!(
        counts.raw_inputs, delivered as u64,
        "every mail's bytes are stored"
    );
    assert_eq!(counts.messages, (delivered - 1) as u64);
    assert_eq!(counts.quarantined, 1);
    assert_eq!(count_on_server(&server, "INBOX", "UNSEEN"), 0);
    assert_eq!(count_on_server(&server, "INBOX", "SEEN"), delivered);

    let second = fetch(&mut db, &account);
    assert_eq!(second.unseen, 0);
    assert_eq!(second.summary.inputs, 0, "a second fetch reads nothing");
    assert_eq!(db.store.counts().unwrap(), counts, "and stores nothing");
}

#[test]
fn crash_before_seen_stores_nothing_twice() {
    let Some(server) = Dovecot::start() else {
        return;
    };
    let delivered = deliver_samples(&server);
    let mut db = TestDb::new();
    let account = account(&server, "KEFU_TEST_IMAP_PASSWORD_CRASH");
    fetch(&mut db, &account);
    let counts = db.store.counts().unwrap();
    // A crash after the commit and before STORE leaves the mail stored
    // here and unseen on the server: the state this recreates.
    let mut client = server.client();
    client.select("INBOX").unwrap();
    client.uid_store("1:*", "-FLAGS.SILENT (\\Seen)").unwrap();
    client.logout().unwrap();
    assert_eq!(count_on_server(&server, "INBOX", "UNSEEN"), delivered);

    let again = fetch(&mut db, &account);

    assert_eq!(again.unseen, delivered);
    assert_eq!(
        again.summary.duplicate_inputs,
        delivered - 1,
        "every stored mail is recognised by its bytes: {again:#?}"
    );
    assert_eq!(again.summary.messages_stored, 0);
    assert_eq!(
        again.summary.quarantined.len(),
        1,
        "the quarantined mail is tried again, as a re-import does"
    );
    assert_eq!(
        db.store.counts().unwrap(),
        counts,
        "nothing is stored twice"
    );
    assert_eq!(again.flagged, delivered);
    assert_eq!(count_on_server(&server, "INBOX", "UNSEEN"), 0);
}

#[test]
fn mail_stays_unseen_when_storing_fails() {
    let Some(server) = Dovecot::start() else {
        return;
    };
    let delivered = deliver_samples(&server);
    let mut db = TestDb::new();
    let account = account(&server, "KEFU_TEST_IMAP_PASSWORD_FAIL");
    // Every insert of raw input fails, as on a full or read-only disk.
    let connection = rusqlite::Connection::open(db.path()).unwrap();
    connection
        .execute_batch(
            "CREATE TRIGGER fail_raw_inputs BEFORE INSERT ON raw_inputs
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
        )
        .unwrap();

    let report = fetch(&mut db, &account);

    assert_eq!(report.unseen, delivered);
    assert_eq!(report.flagged, 0, "{report:#?}");
    assert_eq!(
        report.failed.len(),
        delivered,
        "the fetch carries on past each failure"
    );
    assert!(
        report.failed[0].reason.contains("database or disk is full"),
        "{:?}",
        report.failed[0]
    );
    assert_eq!(count_on_server(&server, "INBOX", "UNSEEN"), delivered);
    assert_eq!(db.store.counts().unwrap().raw_inputs, 0);

    connection
        .execute_batch("DROP TRIGGER fail_raw_inputs;")
        .unwrap();
    let retry = fetch(&mut db, &account);
    assert_eq!(
        retry.flagged, delivered,
        "the next fetch stores them: {retry:#?}"
    );
    assert_eq!(db.store.counts().unwrap().raw_inputs, delivered as u64);
    assert_eq!(count_on_server(&server, "INBOX", "UNSEEN"), 0);
}

#[test]
fn fetched_mail_moves_to_the_configured_folder() {
    let Some(server) = Dovecot::start() else {
        return;
    };
    let delivered = deliver_samples(&server);
    let mut client = server.client();
    client.create("Stored").unwrap();
    client.logout().unwrap();
    let mut db = TestDb::new();
    let mut account = account(&server, "KEFU_TEST_IMAP_PASSWORD_MOVE");
    account.move_to = Some("Stored".to_string());

    let report = fetch(&mut db, &account);

    assert_eq!(report.flagged, delivered, "{report:#?}");
    assert_eq!(count_on_server(&server, "INBOX", "ALL"), 0);
    assert_eq!(count_on_server(&server, "Stored", "SEEN"), delivered);
}

#[test]
fn wrong_password_names_the_account() {
    let Some(server) = Dovecot::start() else {
        return;
    };
    let mut db = TestDb::new();
    let account = account(&server, "KEFU_TEST_IMAP_PASSWORD_WRONG");
    // SAFETY: this test's own variable, read only by the fetch below.
    unsafe { std::env::set_var("KEFU_TEST_IMAP_PASSWORD_WRONG", "not-the-password") };
    let mut plugins = PluginSet::builtin().unwrap();
    let error =
        fetch_account(&account, &mut Ingestor::new(&mut db.store, &mut plugins)).unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("login as kefu failed"), "{message}");
    assert!(!message.contains("not-the-password"), "{message}");
}

/// Starts Dovecot with TLS on a certificate of a freshly generated CA.
fn start_tls_server() -> Option<(Dovecot, TestCertificates)> {
    let certificates = TestCertificates::generate()?;
    let server = Dovecot::start_with(dovecot::Options {
        tls: Some((certificates.server_certificate(), certificates.server_key())),
        ..dovecot::Options::default()
    })?;
    Some((server, certificates))
}

#[test]
fn imaps_and_starttls_fetch_with_ca_file() {
    let Some((server, certificates)) = start_tls_server() else {
        return;
    };
    let delivered = deliver_samples(&server);
    let mut db = TestDb::new();
    let mut account = account(&server, "KEFU_TEST_IMAP_PASSWORD_TLS");
    account.ca_file = Some(certificates.ca());

    account.security = Security::Tls;
    account.port = server.tls_port;
    let report = fetch(&mut db, &account);
    assert_eq!(report.unseen, delivered, "{}", server.log());
    assert_eq!(report.flagged, delivered, "{report:#?}");
    assert_eq!(db.store.counts().unwrap().raw_inputs, delivered as u64);

    // The same mail again, unseen, over STARTTLS on the plain port.
    let mut client = server.client();
    client.select("INBOX").unwrap();
    client.uid_store("1:*", "-FLAGS.SILENT (\\Seen)").unwrap();
    client.logout().unwrap();
    account.security = Security::Starttls;
    account.port = server.port;
    let again = fetch(&mut db, &account);
    assert_eq!(again.unseen, delivered, "{}", server.log());
    assert_eq!(again.flagged, delivered, "{again:#?}");
    assert_eq!(again.summary.duplicate_inputs, delivered - 1, "{again:#?}");
    assert_eq!(count_on_server(&server, "INBOX", "UNSEEN"), 0);
}

#[test]
fn untrusted_certificate_is_rejected_naming_host() {
    let Some((server, certificates)) = start_tls_server() else {
        return;
    };
    deliver_samples(&server);
    let mut db = TestDb::new();
    let base = account(&server, "KEFU_TEST_IMAP_PASSWORD_UNTRUSTED");
    let cases = [
        (
            "tls, Mozilla roots only",
            Security::Tls,
            server.tls_port,
            None,
        ),
        (
            "tls, another CA",
            Security::Tls,
            server.tls_port,
            Some(certificates.other_ca()),
        ),
        (
            "starttls, Mozilla roots only",
            Security::Starttls,
            server.port,
            None,
        ),
    ];
    for (case, security, port, ca_file) in cases {
        let account = ImapAccount {
            security,
            port,
            ca_file,
            ..base.clone()
        };
        let mut plugins = PluginSet::builtin().unwrap();
        let error = fetch_account(&account, &mut Ingestor::new(&mut db.store, &mut plugins))
            .expect_err(case);
        let message = format!("{error:#}");
        assert!(
            message.contains("TLS certificate of 127.0.0.1 did not verify"),
            "{case}: {message}"
        );
        assert!(message.contains("ca-file"), "{case}: {message}");
        assert!(message.contains("intake.toml"), "{case}: {message}");
    }
    assert_eq!(db.store.counts().unwrap().raw_inputs, 0, "nothing is read");
    assert_eq!(count_on_server(&server, "INBOX", "SEEN"), 0);
}

#[test]
fn starttls_refused_by_plain_server() {
    let Some(server) = Dovecot::start() else {
        return;
    };
    let mut db = TestDb::new();
    let mut account = account(&server, "KEFU_TEST_IMAP_PASSWORD_NO_STARTTLS");
    account.security = Security::Starttls;
    let mut plugins = PluginSet::builtin().unwrap();
    let error =
        fetch_account(&account, &mut Ingestor::new(&mut db.store, &mut plugins)).unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains("127.0.0.1 does not offer STARTTLS"),
        "{message}"
    );
}
