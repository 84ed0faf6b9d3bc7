//! `kefu encrypt`, `kefu decrypt` and an encrypted database in daily use,
//! with the `kefu` binary run as a user would on the real sample inputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// A subject from the sample mail, which must never appear in the bytes of
/// an encrypted database or backup.
const SAMPLE_SUBJECT: &[u8] = b"Problems encountered during development";

const PASSPHRASE: &str = "门口的猫 sleeps at 9";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn kefu_command(db: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kefu"));
    command
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("KEFU_DB")
        .env_remove("KEFU_PASSPHRASE")
        .env_remove("KEFU_PASSPHRASE_FILE")
        // Keep the compiled-plugin cache inside the test's own folder.
        .env("XDG_CACHE_HOME", db.with_file_name("cache"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
    command
}

fn kefu(db: &Path, args: &[&str]) -> Output {
    kefu_command(db, args).output().expect("running kefu")
}

/// Runs kefu with the passphrase in the file beside `db`.
fn kefu_unlocked(db: &Path, args: &[&str]) -> Output {
    kefu_with_passphrase(db, &passphrase_file(db, PASSPHRASE), args)
}

/// Runs `kefu change-passphrase` with the passphrase beside `db` as the
/// current one and the first line of `new` as the new one.
fn change_passphrase(db: &Path, new: &Path) -> Output {
    kefu_unlocked(
        db,
        &["change-passphrase", "--new-passphrase-file", path_arg(new)],
    )
}

/// Runs kefu with `--passphrase-file file`.
fn kefu_with_passphrase(db: &Path, file: &Path, args: &[&str]) -> Output {
    let mut command = kefu_command(db, &["--passphrase-file", path_arg(file)]);
    command.args(args).output().expect("running kefu")
}

fn passphrase_file(db: &Path, passphrase: &str) -> PathBuf {
    let file = db.with_file_name(format!("passphrase-{}", passphrase.len()));
    std::fs::write(&file, format!("{passphrase}\n")).unwrap();
    file
}

fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "kefu failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn failed(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(1),
        "an error, not a panic or success"
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temporary path")
}

fn has_subject(path: &Path) -> bool {
    let bytes = std::fs::read(path).unwrap();
    bytes
        .windows(SAMPLE_SUBJECT.len())
        .any(|window| window == SAMPLE_SUBJECT)
}

fn file_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

/// Returns a plain database with the sample mail and call records
/// imported, made once per test run; tests work on copies of it.
fn template_database() -> &'static Path {
    static TEMPLATE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, db) = TEMPLATE.get_or_init(|| {
        let folder = tempfile::tempdir().unwrap();
        let db = folder.path().join("kefu.db");
        let email = fixtures().join("email");
        let phone = fixtures().join("phone");
        succeeded(&kefu(&db, &["ingest", path_arg(&email), path_arg(&phone)]));
        (folder, db)
    });
    db
}

/// Copies the imported sample database into a new folder and returns the
/// folder, the copy and its conversations as JSON.
fn imported_database() -> (tempfile::TempDir, PathBuf, serde_json::Value) {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("kefu.db");
    std::fs::copy(template_database(), &db).unwrap();
    let conversations = conversations(&kefu(&db, &["conversations", "--json"]));
    (folder, db, conversations)
}

fn conversations(output: &Output) -> serde_json::Value {
    serde_json::from_str(&succeeded(output)).expect("JSON output")
}

#[test]
fn encrypt_hides_ingested_mail() {
    let (_folder, db, before) = imported_database();
    assert!(has_subject(&db), "the plain database contains the subject");

    let output = succeeded(&kefu_unlocked(&db, &["encrypt"]));
    assert!(output.contains("encrypted"), "{output}");
    assert!(!has_subject(&db));
    assert!(
        !std::fs::read(&db)
            .unwrap()
            .starts_with(b"SQLite format 3\0")
    );

    let after = conversations(&kefu_unlocked(&db, &["conversations", "--json"]));
    assert_eq!(after, before);
}

#[test]
fn encrypted_database_needs_passphrase() {
    let (_folder, db, _) = imported_database();
    succeeded(&kefu_unlocked(&db, &["encrypt"]));
    let bytes = file_bytes(&db);

    let missing = failed(&kefu(&db, &["conversations"]));
    assert!(missing.contains("is encrypted"), "{missing}");
    assert!(missing.contains(path_arg(&db)), "{missing}");
    assert!(missing.contains("--passphrase-file"), "{missing}");

    let wrong = passphrase_file(&db, "not the passphrase");
    let output = kefu_with_passphrase(&db, &wrong, &["tickets"]);
    let message = failed(&output);
    assert!(message.contains("wrong passphrase"), "{message}");
    assert!(message.contains(path_arg(&db)), "{message}");
    assert!(!message.contains("hmac check failed"), "{message}");
    assert_eq!(file_bytes(&db), bytes, "a wrong passphrase changes nothing");
}

#[test]
fn passphrase_from_environment() {
    let (_folder, db, before) = imported_database();
    succeeded(&kefu_unlocked(&db, &["encrypt"]));
    let output = kefu_command(&db, &["conversations", "--json"])
        .env("KEFU_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    assert_eq!(conversations(&output), before);
}

#[test]
fn ingest_into_encrypted_database() {
    let (_folder, db, before) = imported_database();
    succeeded(&kefu_unlocked(&db, &["encrypt"]));
    let chat = fixtures().join("chat");
    succeeded(&kefu_unlocked(&db, &["ingest", path_arg(&chat)]));
    let after = conversations(&kefu_unlocked(&db, &["conversations", "--json"]));
    assert!(
        after.as_array().unwrap().len() > before.as_array().unwrap().len(),
        "the chat conversations were added"
    );
    assert!(!has_subject(&db));
}

#[test]
fn decrypt_round_trip() {
    let (folder, db, before) = imported_database();
    succeeded(&kefu_unlocked(&db, &["encrypt"]));
    let output = succeeded(&kefu_unlocked(&db, &["decrypt"]));
    assert!(output.contains("decrypted"), "{output}");
    assert!(has_subject(&db));
    assert_eq!(
        conversations(&kefu(&db, &["conversations", "--json"])),
        before
    );

    let leftovers: Vec<String> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("converting"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn encrypt_without_passphrase_fails() {
    let (_folder, db, before) = imported_database();
    let message = failed(&kefu(&db, &["encrypt"]));
    assert!(message.contains("no passphrase given"), "{message}");
    assert!(has_subject(&db));
    assert_eq!(
        conversations(&kefu(&db, &["conversations", "--json"])),
        before
    );
}

#[test]
fn backup_stays_encrypted_and_restores() {
    let (folder, db, before) = imported_database();
    succeeded(&kefu_unlocked(&db, &["encrypt"]));

    let backup = folder.path().join("backup.db");
    let output = succeeded(&kefu_unlocked(&db, &["backup", path_arg(&backup)]));
    assert!(output.contains("encrypted"), "{output}");
    assert!(!has_subject(&backup));

    let restored = folder.path().join("restored.db");
    let message = failed(&kefu(&restored, &["restore", path_arg(&backup)]));
    assert!(message.contains("no passphrase was given"), "{message}");
    assert!(!restored.exists());

    let file = passphrase_file(&db, PASSPHRASE);
    let restore = kefu_with_passphrase(&restored, &file, &["restore", path_arg(&backup)]);
    succeeded(&restore);
    assert!(!has_subject(&restored));
    let listed = kefu_with_passphrase(&restored, &file, &["conversations", "--json"]);
    assert_eq!(conversations(&listed), before);
}

#[test]
fn change_passphrase_rekeys_database() {
    let (_folder, db, before) = imported_database();
    succeeded(&kefu_unlocked(&db, &["encrypt"]));
    let new = passphrase_file(&db, "一个新的口令 for the night shift");

    let output = succeeded(&change_passphrase(&db, &new));
    assert!(output.contains("changed the passphrase"), "{output}");
    assert!(!has_subject(&db));

    let old = failed(&kefu_unlocked(&db, &["conversations"]));
    assert!(old.contains("wrong passphrase"), "{old}");
    let listed = kefu_with_passphrase(&db, &new, &["conversations", "--json"]);
    assert_eq!(conversations(&listed), before);
}

#[test]
fn change_passphrase_refusals_leave_database_unchanged() {
    let (_folder, db, before) = imported_database();
    let new = passphrase_file(&db, "another passphrase, longer");

    let plain = failed(&change_passphrase(&db, &new));
    assert!(plain.contains("is not encrypted"), "{plain}");
    assert!(plain.contains("kefu encrypt"), "{plain}");
    assert!(has_subject(&db));

    succeeded(&kefu_unlocked(&db, &["encrypt"]));
    let bytes = file_bytes(&db);

    let same = passphrase_file(&db, PASSPHRASE);
    let message = failed(&change_passphrase(&db, &same));
    assert!(message.contains("same as the current one"), "{message}");

    let wrong = passphrase_file(&db, "not the passphrase");
    let output = kefu_with_passphrase(
        &db,
        &wrong,
        &["change-passphrase", "--new-passphrase-file", path_arg(&new)],
    );
    let message = failed(&output);
    assert!(message.contains("wrong passphrase"), "{message}");

    let missing = db.with_file_name("no-such-file");
    let message = failed(&change_passphrase(&db, &missing));
    assert!(message.contains(path_arg(&missing)), "{message}");

    let empty = db.with_file_name("empty-passphrase");
    std::fs::write(&empty, "\n").unwrap();
    let message = failed(&change_passphrase(&db, &empty));
    assert!(message.contains("empty first line"), "{message}");

    assert_eq!(file_bytes(&db), bytes, "every refusal changes nothing");
    assert_eq!(
        conversations(&kefu_unlocked(&db, &["conversations", "--json"])),
        before
    );
}
