//! Capabilities end to end. The capability-rule test plugin, loaded from a
//! plugins folder, reads files, calls a loopback HTTP server and uses its
//! storage. Each call passes only when its manifest declares the capability
//! and the user granted it, and a rejection reaches the plugin as an error.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;

use kefu_tests::{TestDb, plugin_folder};

/// Folder that the capability-rule manifest declares.
const DECLARED_FOLDER: &str = "/tmp/kefu-granted";

/// Writes a file under the declared folder, unique to the test.
fn granted_file(name: &str, content: &str) -> PathBuf {
    std::fs::create_dir_all(DECLARED_FOLDER).unwrap();
    let path = PathBuf::from(DECLARED_FOLDER).join(format!("{}-{name}", std::process::id()));
    std::fs::write(&path, content).unwrap();
    path
}

/// Serves one HTTP request on loopback with `body`, and returns the URL.
fn serve_once(body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    format!("http://127.0.0.1:{port}/status")
}

/// Returns the text of every ticket note, oldest first.
fn notes(db: &TestDb) -> Vec<String> {
    let mut notes = Vec::new();
    for ticket in db.store.tickets().unwrap() {
        for event in db.store.ticket_events(ticket.id).unwrap() {
            if event.kind == "note" {
                notes.push(event.detail["text"].as_str().unwrap().to_string());
            }
        }
    }
    notes
}

/// Imports one mail whose body is a capability-rule script and returns the
/// notes the rule added. Fails the test when a rule call fails.
fn run_capability_rule(db: &mut TestDb, name: &str, body: &str) -> Vec<String> {
    let folder = plugin_folder(&["capability-rule"]);
    let mut plugins = db.load_plugins(folder.path());
    let mail = db.write_mail(name, &format!("{name}@example.com"), "capabilities", body);
    let summary = db.ingest_with(&mut plugins, &[mail]);
    assert!(
        summary.rule_failures.is_empty(),
        "{:?}",
        summary.rule_failures
    );
    notes(db)
}

#[test]
fn ungranted_capability_error_names_grant_command() {
    let mut db = TestDb::new();
    let file = granted_file("prices.txt", "sku,price\n");
    let body = format!("read {}\nfetch http://127.0.0.1:9/\n", file.display());

    let notes = run_capability_rule(&mut db, "ungranted", &body);

    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].starts_with("files: not-granted:"), "{}", notes[0]);
    assert!(
        notes[0].contains("kefu plugin grant capability-rule read-folder /tmp/kefu-granted"),
        "{}",
        notes[0]
    );
    assert!(notes[1].starts_with("http: not-granted:"), "{}", notes[1]);
    assert!(notes[1].contains("http-host 127.0.0.1"), "{}", notes[1]);
}

#[test]
fn undeclared_access_rejected_despite_grants() {
    let mut db = TestDb::new();
    db.store
        .grant("capability-rule", "read-folder", DECLARED_FOLDER)
        .unwrap();
    db.store
        .grant("capability-rule", "http-host", "127.0.0.1")
        .unwrap();

    let notes = run_capability_rule(
        &mut db,
        "undeclared",
        "read /etc/hostname\nfetch http://localhost.invalid/\n",
    );

    assert!(notes[0].starts_with("files: undeclared:"), "{}", notes[0]);
    assert!(notes[0].contains("/tmp/kefu-granted"), "{}", notes[0]);
    assert!(notes[1].starts_with("http: undeclared:"), "{}", notes[1]);
}

#[test]
fn granted_capabilities_work() {
    let mut db = TestDb::new();
    db.store
        .grant("capability-rule", "read-folder", DECLARED_FOLDER)
        .unwrap();
    db.store
        .grant("capability-rule", "http-host", "127.0.0.1")
        .unwrap();
    let file = granted_file("granted.txt", "0123456789");
    let url = serve_once("shipped");
    let body = format!("read {}\nfetch {url}\nkv order 12345\n", file.display());

    let notes = run_capability_rule(&mut db, "granted", &body);

    assert_eq!(
        notes,
        vec!["files: ok 10", "http: ok 7", "kv: ok 5"],
        "{notes:?}"
    );
    let stored = db.store.plugin_kv("capability-rule").unwrap();
    assert_eq!(stored, vec![("order".to_string(), b"12345".to_vec())]);
}

#[test]
fn revoked_grant_rejected_again() {
    let mut db = TestDb::new();
    db.store
        .grant("capability-rule", "read-folder", DECLARED_FOLDER)
        .unwrap();
    assert!(
        db.store
            .revoke("capability-rule", "read-folder", DECLARED_FOLDER)
            .unwrap()
    );
    let file = granted_file("revoked.txt", "x");

    let notes = run_capability_rule(&mut db, "revoked", &format!("read {}\n", file.display()));

    assert!(notes[0].starts_with("files: not-granted:"), "{}", notes[0]);
}

#[test]
fn unreachable_host_fails_call_not_host() {
    let mut db = TestDb::new();
    db.store
        .grant("capability-rule", "http-host", "127.0.0.1")
        .unwrap();
    // Bind and drop a listener to find a port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();

    let notes = run_capability_rule(
        &mut db,
        "unreachable",
        &format!("fetch http://127.0.0.1:{port}/\n"),
    );

    assert!(notes[0].starts_with("http: failed:"), "{}", notes[0]);
}
