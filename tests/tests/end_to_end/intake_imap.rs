//! `kefu fetch` against a real Dovecot on 127.0.0.1: the real sample mail
//! is delivered into its Maildir, fetched through the built-in plugins
//! into a real database file, and the flags are read back from the server.
//! Over TLS the server presents a certificate signed by a CA that the test
//! generates, and over IDLE mail appended on the server is stored without
//! waiting for a poll.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use kefu_core::ingest::Ingestor;
use kefu_core::intake::config::{ImapAccount, PasswordSource, Security};
use kefu_core::intake::{FetchReport, IdleStatus, Intake, IntakeConfig, fetch_account};
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

/// Starts Dovecot with TLS on the self-signed certificate and key in
/// `pair`.
fn start_self_signed_server(pair: (PathBuf, PathBuf)) -> Option<Dovecot> {
    Dovecot::start_with(dovecot::Options {
        tls: Some(pair),
        ..dovecot::Options::default()
    })
}

#[test]
fn self_signed_certificate_as_ca_file() {
    let Some(certificates) = TestCertificates::generate() else {
        return;
    };
    let Some(server) = start_self_signed_server(certificates.self_signed()) else {
        return;
    };
    let delivered = deliver_samples(&server);
    let mut db = TestDb::new();
    let mut account = account(&server, "KEFU_TEST_IMAP_PASSWORD_SELF_SIGNED");
    account.security = Security::Tls;
    account.port = server.tls_port;

    let mut plugins = PluginSet::builtin().unwrap();
    let error = fetch_account(&account, &mut Ingestor::new(&mut db.store, &mut plugins))
        .expect_err("a self-signed certificate is not trusted without ca-file");
    let message = format!("{error:#}");
    assert!(message.contains("UnknownIssuer"), "{message}");
    assert!(message.contains("self-signed certificate"), "{message}");
    assert!(message.contains("ca-file in intake.toml"), "{message}");

    // The server's own certificate, CA:FALSE, named directly as ca-file.
    account.ca_file = Some(certificates.self_signed().0);
    let report = fetch(&mut db, &account);
    assert_eq!(report.unseen, delivered, "{}", server.log());
    assert_eq!(report.flagged, delivered, "{report:#?}");
}

#[test]
fn self_signed_ca_certificate_is_rejected_with_fix() {
    let Some(certificates) = TestCertificates::generate() else {
        return;
    };
    let Some(server) = start_self_signed_server(certificates.self_signed_ca()) else {
        return;
    };
    deliver_samples(&server);
    let mut db = TestDb::new();
    let base = account(&server, "KEFU_TEST_IMAP_PASSWORD_SELF_SIGNED_CA");
    for (case, ca_file) in [
        ("without ca-file", None),
        (
            "the certificate as ca-file",
            Some(certificates.self_signed_ca().0),
        ),
    ] {
        let account = ImapAccount {
            security: Security::Tls,
            port: server.tls_port,
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
        assert!(
            message.contains("it is a CA certificate (basicConstraints CA:TRUE)"),
            "{case}: {message}"
        );
        assert!(message.contains("CA:FALSE"), "{case}: {message}");
        assert!(
            message.contains("ca-file in intake.toml"),
            "{case}: {message}"
        );
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

/// Returns a short mail whose subject and Message-ID are `subject`.
fn mail_with_subject(subject: &str) -> String {
    format!(
        "From: Li Lei <li.lei@example.cn>\r\nTo: support@kefu.invalid\r\n\
         Subject: {subject}\r\nDate: Fri, 04 Dec 2026 10:00:00 +0800\r\n\
         Message-ID: <{subject}@example.cn>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n订单还没有到。\r\n"
    )
}

/// Appends a mail with a subject of its own to the server's INBOX, as
/// another client or a delivery agent would.
fn append_mail(server: &Dovecot, subject: &str) {
    let mut client = server.client();
    client
        .append("INBOX", mail_with_subject(subject).as_bytes())
        .finish()
        .unwrap();
    client.logout().unwrap();
}

/// Runs intake passes until one stores a message or `limit` passes, and
/// returns the time it took.
fn pass_until_stored(
    intake: &mut Intake,
    db: &mut TestDb,
    plugins: &mut PluginSet,
    limit: Duration,
) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        let pass = intake.run_due(&mut Ingestor::new(&mut db.store, plugins), Instant::now());
        assert!(pass.problems.is_empty(), "{:?}", pass.problems);
        if pass.messages_stored > 0 {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

#[test]
fn idle_stores_appended_mail_within_seconds() {
    let Some((server, certificates)) = start_tls_server() else {
        return;
    };
    let mut db = TestDb::new();
    let mut account = account(&server, "KEFU_TEST_IMAP_PASSWORD_IDLE");
    account.security = Security::Tls;
    account.port = server.tls_port;
    account.ca_file = Some(certificates.ca());
    // A poll an hour away cannot explain a fetch within seconds.
    account.poll_interval = Duration::from_secs(3600);
    let (mut intake, errors) = Intake::new(IntakeConfig {
        drop_folders: Vec::new(),
        imap_accounts: vec![account],
    });
    assert!(errors.is_empty(), "{errors:?}");
    let mut plugins = PluginSet::builtin().unwrap();
    let watch = intake.accounts()[0].idle().expect("an IDLE watcher runs");
    assert_eq!(
        watch.wait_while_connecting(Duration::from_secs(15)),
        IdleStatus::Idling,
        "{}",
        server.log()
    );
    // The first pass fetches the empty folder: the first poll and the
    // watcher's signal that it started.
    let first = intake.run_due(
        &mut Ingestor::new(&mut db.store, &mut plugins),
        Instant::now(),
    );
    assert_eq!(first.fetched_accounts, 1, "{first:?}");
    assert_eq!(first.messages_stored, 0, "{first:?}");
    let quiet = intake.run_due(
        &mut Ingestor::new(&mut db.store, &mut plugins),
        Instant::now(),
    );
    assert_eq!(
        quiet.fetched_accounts, 0,
        "no fetch without new mail: {quiet:?}"
    );

    append_mail(&server, "idle-1");
    let took = pass_until_stored(&mut intake, &mut db, &mut plugins, Duration::from_secs(5));
    assert!(took.is_some(), "not stored within 5 s; {}", server.log());
    assert_eq!(db.store.counts().unwrap().messages, 1);

    // The watcher idles again after the first announcement.
    append_mail(&server, "idle-2");
    let took = pass_until_stored(&mut intake, &mut db, &mut plugins, Duration::from_secs(5));
    assert!(took.is_some(), "second mail not stored within 5 s");
    assert_eq!(db.store.counts().unwrap().messages, 2);
    assert_eq!(count_on_server(&server, "INBOX", "UNSEEN"), 0);
}

#[test]
fn server_without_idle_is_polled() {
    let Some(server) = Dovecot::start_with(dovecot::Options {
        without_idle: true,
        ..dovecot::Options::default()
    }) else {
        return;
    };
    let mut db = TestDb::new();
    let account = account(&server, "KEFU_TEST_IMAP_PASSWORD_NO_IDLE");
    let poll_interval = account.poll_interval;
    let (mut intake, _) = Intake::new(IntakeConfig {
        drop_folders: Vec::new(),
        imap_accounts: vec![account],
    });
    let mut plugins = PluginSet::builtin().unwrap();
    let watch = intake.accounts()[0]
        .idle()
        .expect("an IDLE watcher was started");
    assert_eq!(
        watch.wait_while_connecting(Duration::from_secs(15)),
        IdleStatus::Unsupported,
        "{}",
        server.log()
    );
    let start = Instant::now();
    let first = intake.run_due(&mut Ingestor::new(&mut db.store, &mut plugins), start);
    assert_eq!(first.fetched_accounts, 1, "the first poll: {first:?}");

    append_mail(&server, "polled");
    let early = intake.run_due(
        &mut Ingestor::new(&mut db.store, &mut plugins),
        start + poll_interval / 2,
    );
    assert_eq!(
        early.fetched_accounts, 0,
        "not due before the poll: {early:?}"
    );
    let polled = intake.run_due(
        &mut Ingestor::new(&mut db.store, &mut plugins),
        start + poll_interval,
    );
    assert_eq!(polled.fetched_accounts, 1, "{polled:?}");
    assert_eq!(polled.messages_stored, 1, "{polled:?}");
}

/// Returns the status of the first account's IDLE watcher once `accept`
/// holds for it, or `None` when `limit` passes first.
fn wait_for_idle_status(
    intake: &Intake,
    accept: impl Fn(&IdleStatus) -> bool,
    limit: Duration,
) -> Option<IdleStatus> {
    let watch = intake.accounts()[0].idle().expect("an IDLE watcher runs");
    let start = Instant::now();
    while start.elapsed() < limit {
        let status = watch.status();
        if accept(&status) {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// Runs intake passes until the database contains `expected` messages or
/// `limit` passes, and returns the time it took.
fn pass_until_messages(
    intake: &mut Intake,
    db: &mut TestDb,
    plugins: &mut PluginSet,
    expected: u64,
    limit: Duration,
) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        let pass = intake.run_due(&mut Ingestor::new(&mut db.store, plugins), Instant::now());
        assert!(pass.problems.is_empty(), "{:?}", pass.problems);
        if db.store.counts().unwrap().messages >= expected {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

#[test]
fn idle_reconnects_after_server_restart() {
    let Some(mut server) = Dovecot::start() else {
        return;
    };
    let mut db = TestDb::new();
    let mut account = account(&server, "KEFU_TEST_IMAP_PASSWORD_RESTART");
    // A poll an hour away cannot explain a fetch within seconds, and no
    // poll runs against the stopped server.
    account.poll_interval = Duration::from_secs(3600);
    let (mut intake, errors) = Intake::new(IntakeConfig {
        drop_folders: Vec::new(),
        imap_accounts: vec![account],
    });
    assert!(errors.is_empty(), "{errors:?}");
    let mut plugins = PluginSet::builtin().unwrap();
    let idling = wait_for_idle_status(
        &intake,
        |status| *status == IdleStatus::Idling,
        Duration::from_secs(15),
    );
    assert!(idling.is_some(), "{}", server.log());
    append_mail(&server, "before-restart");
    let took = pass_until_messages(
        &mut intake,
        &mut db,
        &mut plugins,
        1,
        Duration::from_secs(5),
    );
    assert!(took.is_some(), "not stored within 5 s; {}", server.log());

    server.stop();
    let failed = wait_for_idle_status(
        &intake,
        |status| matches!(status, IdleStatus::Failed(_)),
        Duration::from_secs(10),
    );
    let Some(IdleStatus::Failed(reason)) = failed else {
        panic!("the watcher did not notice the stopped server: {failed:?}");
    };
    assert!(!reason.is_empty());
    // A delivery agent writes into the Maildir while the IMAP server is down.
    server.deliver(
        "1700000001.M1P1.test",
        mail_with_subject("while-down").as_bytes(),
    );
    let stopped_at = Instant::now();
    server.start_again();
    append_mail(&server, "after-restart");

    // The first retry comes 5 s after the failure.
    let reconnected = wait_for_idle_status(
        &intake,
        |status| *status == IdleStatus::Idling,
        Duration::from_secs(20),
    );
    assert!(reconnected.is_some(), "no reconnection; {}", server.log());
    eprintln!(
        "IDLE reconnected {:.1} s after the server was stopped",
        stopped_at.elapsed().as_secs_f64()
    );
    let took = pass_until_messages(
        &mut intake,
        &mut db,
        &mut plugins,
        3,
        Duration::from_secs(5),
    );
    assert!(
        took.is_some(),
        "mail from the outage not stored: {:?}; {}",
        db.store.counts().unwrap(),
        server.log()
    );

    // The new connection idles, so the next mail is announced at once.
    append_mail(&server, "after-reconnect");
    let took = pass_until_messages(
        &mut intake,
        &mut db,
        &mut plugins,
        4,
        Duration::from_secs(5),
    );
    assert!(took.is_some(), "not stored within 5 s of the reconnection");
    let counts = db.store.counts().unwrap();
    assert_eq!(counts.messages, 4, "nothing is stored twice: {counts:?}");
    assert_eq!(counts.raw_inputs, 4, "{counts:?}");
    assert_eq!(count_on_server(&server, "INBOX", "UNSEEN"), 0);
    assert_eq!(count_on_server(&server, "INBOX", "SEEN"), 4);
}
