//! The `kefu` binary run as a user would, on a real database file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn kefu(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("KEFU_DB")
        // Keep the compiled-plugin cache inside the test's own folder.
        .env("XDG_CACHE_HOME", db.with_file_name("cache"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("running kefu")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "kefu failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(output)).expect("JSON output")
}

/// Imports one mail into a new database and returns the database's folder,
/// its path and the sender's address.
fn database_with_one_customer() -> (tempfile::TempDir, PathBuf, String) {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("kefu.db");
    let mail = fixtures().join("email/20-empty-date-header.eml");
    stdout(&kefu(&db, &["ingest", mail.to_str().unwrap()]));
    let conversations = json(&kefu(&db, &["conversations", "--json"]));
    let address = conversations[0]["customer_address"]
        .as_str()
        .unwrap()
        .to_string();
    (folder, db, address)
}

#[test]
fn ingest_prints_summary_and_lists_match() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("kefu.db");
    let email = fixtures().join("email");
    let phone = fixtures().join("phone");
    let summary = json(&kefu(
        &db,
        &[
            "ingest",
            "--json",
            email.to_str().unwrap(),
            phone.to_str().unwrap(),
        ],
    ));
    assert_eq!(summary["messages_stored"], 285);
    assert_eq!(summary["quarantined"].as_array().unwrap().len(), 0);
    let tickets_opened = summary["tickets_opened"].as_u64().unwrap();
    let conversations_created = summary["conversations_created"].as_u64().unwrap();

    let tickets = json(&kefu(
        &db,
        &["tickets", "--all", "--limit", "10000", "--json"],
    ));
    assert_eq!(tickets.as_array().unwrap().len() as u64, tickets_opened);
    let conversations = json(&kefu(&db, &["conversations", "--json"]));
    assert_eq!(
        conversations.as_array().unwrap().len() as u64,
        conversations_created
    );
    let big5 = conversations
        .as_array()
        .unwrap()
        .iter()
        .find(|conversation| conversation["subject"] == "養樂多線上訂購")
        .expect("the Big5 sample is listed");
    assert_eq!(big5["channel"], "email");
}

#[test]
fn ingest_text_summary_names_counts() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("kefu.db");
    let chat = fixtures().join("chat");
    let text = stdout(&kefu(&db, &["ingest", chat.to_str().unwrap()]));
    assert!(text.contains("Messages stored:      65"), "{text}");
    assert!(text.contains("Quarantined:          1"), "{text}");
    assert!(
        text.contains("chatwoot-doc-sample-NOT-valid-json.jsonc"),
        "{text}"
    );

    let again = stdout(&kefu(&db, &["ingest", chat.to_str().unwrap()]));
    // The quarantined sample is tried again; the four others are skipped.
    assert!(again.contains("already imported:   4"), "{again}");
    assert!(again.contains("Messages stored:      0"), "{again}");
    assert!(again.contains("Quarantined:          1"), "{again}");
}

#[test]
fn tables_show_chinese_subjects() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("kefu.db");
    let mail = fixtures().join("email/05-tw-big5-raw-8bit-headers-no-encoded-word.eml");
    stdout(&kefu(&db, &["ingest", mail.to_str().unwrap()]));
    let conversations = stdout(&kefu(&db, &["conversations"]));
    assert!(conversations.contains("養樂多線上訂購"), "{conversations}");
    let tickets = stdout(&kefu(&db, &["tickets"]));
    assert!(tickets.contains("pre-sales"), "{tickets}");
    assert!(tickets.contains("1 tickets"), "{tickets}");
}

#[test]
fn missing_path_fails_and_names_it() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("kefu.db");
    let output = kefu(&db, &["ingest", "/no/such/inbox"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/no/such/inbox"), "{stderr}");
    assert!(stderr.contains("check that the path exists"), "{stderr}");
}

#[test]
fn db_path_comes_from_environment() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("from-env.db");
    let mail = fixtures().join("email/20-empty-date-header.eml");
    let output = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(["ingest", mail.to_str().unwrap()])
        .env("KEFU_DB", &db)
        .output()
        .unwrap();
    stdout(&output);
    assert!(db.exists());
}

#[test]
fn set_tier_on_unknown_customer_fails() {
    let (_folder, db, _address) = database_with_one_customer();
    let output = kefu(&db, &["set-tier", "nobody@example.cn", "vip"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("nobody@example.cn"), "{stderr}");
}

#[test]
fn set_tier_marks_customer_vip() {
    let (_folder, db, address) = database_with_one_customer();
    let text = stdout(&kefu(&db, &["set-tier", &address, "VIP"]));
    assert!(text.contains("is now vip"), "{text}");
}

#[test]
fn demo_without_display_prints_tables() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("demo.db");
    let text = stdout(&kefu(
        &db,
        &["demo", "--samples", fixtures().to_str().unwrap()],
    ));
    assert!(text.contains("Messages stored:      350"), "{text}");
    assert!(text.contains("No display found"), "{text}");
    assert!(text.contains("養樂多線上訂購"), "{text}");
    assert!(text.contains("tickets"), "{text}");
}

#[test]
fn set_tier_rejects_invalid_tier() {
    let (_folder, db, address) = database_with_one_customer();
    let output = kefu(&db, &["set-tier", &address, "v\nip"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("invalid tier"), "{stderr}");
}

#[test]
fn list_on_missing_database_fails() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("typo/kefu.db");
    let output = kefu(&db, &["conversations"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not found"), "{stderr}");
    assert!(!db.exists(), "no empty database is created");
}

#[test]
fn app_without_display_fails_clearly() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("kefu.db");
    let output = kefu(&db, &["app"]);
    assert_eq!(output.status.code(), Some(1), "an error, not a panic");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no display found"), "{stderr}");
}

#[test]
fn closed_output_pipe_is_not_an_error() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("kefu.db");
    let phone = fixtures().join("phone");
    stdout(&kefu(&db, &["ingest", phone.to_str().unwrap()]));
    let mut child = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("--db")
        .arg(&db)
        .args(["conversations", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Closing the read end at once makes every write fail with a broken pipe.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.status.success(), "{stderr}");
}

#[test]
fn attachments_listed_and_saved() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("kefu.db");
    let mail = fixtures().join("email/29-boundary-dash-only-pdf-attachment.eml");
    stdout(&kefu(&db, &["ingest", mail.to_str().unwrap()]));

    let listed = json(&kefu(&db, &["attachments", "--json"]));
    let attachments = listed.as_array().unwrap();
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0]["file_name"], "file.pdf");
    assert_eq!(attachments[0]["content_type"], "application/pdf");
    assert_eq!(attachments[0]["size"], 10_915);
    let id = attachments[0]["id"].as_i64().unwrap().to_string();
    let message = attachments[0]["message_id"].as_i64().unwrap().to_string();

    let table = stdout(&kefu(&db, &["attachments", &message]));
    assert!(table.contains("file.pdf"), "{table}");
    assert!(
        table.contains(&format!("1 attachments on message {message}")),
        "{table}"
    );

    let saved = folder.path().join("saved.pdf");
    stdout(&kefu(
        &db,
        &["attachments", "save", &id, "-o", saved.to_str().unwrap()],
    ));
    let content = std::fs::read(&saved).unwrap();
    assert_eq!(content.len(), 10_915);
    assert!(content.starts_with(b"%PDF-"));

    let missing = kefu(
        &db,
        &["attachments", "save", "999", "-o", saved.to_str().unwrap()],
    );
    assert!(!missing.status.success());
    let error = String::from_utf8_lossy(&missing.stderr);
    assert!(error.contains("attachment 999 not found"), "{error}");
}

#[test]
fn customers_merge_and_show_history() {
    let (folder, db, address) = database_with_one_customer();
    let calls = fixtures().join("phone/freeswitch-cdr_csv-example-template.csv");
    stdout(&kefu(&db, &["ingest", calls.to_str().unwrap()]));
    let customers = json(&kefu(&db, &["customers", "--json"]));
    let id_of = |wanted: &str| {
        customers
            .as_array()
            .unwrap()
            .iter()
            .find(|customer| {
                customer["addresses"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|address| address["value"] == wanted)
            })
            .unwrap_or_else(|| panic!("no customer with {wanted}: {customers}"))["id"]
            .as_i64()
            .unwrap()
            .to_string()
    };
    let mail_customer = id_of(&address);
    let caller = id_of("+8613800138000");

    let merged = stdout(&kefu(
        &db,
        &[
            "customers",
            "merge",
            &caller,
            &mail_customer,
            "--as",
            "lin",
            "--reason",
            "same person",
        ],
    ));
    assert!(
        merged.contains(&format!("customer {caller} merged into {mail_customer}")),
        "{merged}"
    );
    let shown = stdout(&kefu(&db, &["customers", "show", &mail_customer]));
    assert!(shown.contains("phone:+8613800138000"), "{shown}");
    assert!(shown.contains("by agent:lin"), "{shown}");
    assert!(shown.contains("same person"), "{shown}");
    assert!(shown.contains("History (4 messages"), "{shown}");
    assert!(shown.contains(" email "), "{shown}");
    assert!(shown.contains(" phone "), "{shown}");
    let old = stdout(&kefu(&db, &["customers", "show", &caller]));
    assert!(
        old.contains(&format!("Merged into customer {mail_customer}")),
        "{old}"
    );

    let failed = kefu(&db, &["customers", "merge", "999", &mail_customer]);
    assert!(!failed.status.success());
    let error = String::from_utf8_lossy(&failed.stderr);
    assert!(error.contains("customer 999 not found"), "{error}");
    drop(folder);
}
