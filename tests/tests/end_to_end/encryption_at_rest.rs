//! Encrypted databases through the core API: the store, conversion,
//! backups and restores, on real files holding a real sample mail.

use std::path::{Path, PathBuf};

use chrono::Utc;
use kefu_core::Store;
use kefu_core::backup;
use kefu_core::encryption::{
    Passphrase, decrypt, encrypt, forget, is_encrypted, passphrase_for, unlock,
};
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};

/// A real sample mail; its subject must never appear in an encrypted file.
const SAMPLE_MAIL: &str = "03-cn-gb18030-base64-format-flowed-list-reply.eml";
const SAMPLE_SUBJECT: &[u8] = b"Problems encountered during development";

fn sample_mail() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/email")
        .join(SAMPLE_MAIL);
    std::fs::read(&path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
}

fn passphrase(text: &str) -> Passphrase {
    Passphrase::new(text).unwrap()
}

/// Stores the sample mail as a raw input in the database `store` has open.
fn store_sample(store: &mut Store) {
    let bytes = sample_mail();
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let writer = store.writer().unwrap();
    writer
        .insert_raw_input(&sha256, SAMPLE_MAIL, None, None, &bytes, Utc::now())
        .unwrap();
    writer.commit().unwrap();
}

/// Creates a database at `folder/name` holding the sample mail, encrypted
/// with `key` when given.
fn database_with_sample(folder: &Path, name: &str, key: Option<&Passphrase>) -> PathBuf {
    let path = folder.join(name);
    let mut store = Store::open_with_passphrase(&path, key).unwrap();
    store_sample(&mut store);
    path
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Returns whether `path` or its -wal file contains the sample's subject.
fn file_has_subject(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    [path.to_path_buf(), PathBuf::from(wal)]
        .iter()
        .filter_map(|path| std::fs::read(path).ok())
        .any(|bytes| contains(&bytes, SAMPLE_SUBJECT))
}

fn raw_input_count(path: &Path, key: Option<&Passphrase>) -> i64 {
    let connection = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    if let Some(key) = key {
        connection.pragma_update(None, "key", key.expose()).unwrap();
    }
    connection
        .query_row("SELECT count(*) FROM raw_inputs", [], |row| row.get(0))
        .unwrap()
}

fn sha256_of(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

#[test]
fn plain_database_shows_subject() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("kefu.db");
    let mut store = Store::open(&db).unwrap();
    store_sample(&mut store);
    let wal = folder.path().join("kefu.db-wal");
    assert!(
        contains(&std::fs::read(&wal).unwrap(), SAMPLE_SUBJECT),
        "the check must see plaintext in the -wal file"
    );
    drop(store);
    assert!(file_has_subject(&db), "the check must see plaintext");
    assert!(!is_encrypted(&db).unwrap());
}

#[test]
fn encrypted_database_hides_subject() {
    let folder = tempfile::tempdir().unwrap();
    let key = passphrase("correct horse battery staple");
    let db = folder.path().join("kefu.db");
    let mut store = Store::open_with_passphrase(&db, Some(&key)).unwrap();
    store_sample(&mut store);
    // While the store is open, the commit is in the -wal file.
    let wal = folder.path().join("kefu.db-wal");
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);
    assert!(!file_has_subject(&db));
    drop(store);

    assert!(is_encrypted(&db).unwrap());
    assert!(!file_has_subject(&db));
    assert_eq!(raw_input_count(&db, Some(&key)), 1);
}

#[test]
fn wrong_passphrase_rejected_unchanged() {
    let folder = tempfile::tempdir().unwrap();
    let key = passphrase("right");
    let db = database_with_sample(folder.path(), "kefu.db", Some(&key));
    let before = sha256_of(&db);

    let error = Store::open_with_passphrase(&db, Some(&passphrase("wrong")))
        .err()
        .expect("a wrong passphrase fails");
    let message = format!("{error:#}");
    assert!(message.contains("wrong passphrase"), "{message}");
    assert!(message.contains(&db.display().to_string()), "{message}");
    assert_eq!(sha256_of(&db), before);
}

#[test]
fn missing_passphrase_names_options() {
    let folder = tempfile::tempdir().unwrap();
    let key = passphrase("right");
    let db = database_with_sample(folder.path(), "kefu.db", Some(&key));
    let before = sha256_of(&db);

    let error = Store::open(&db).err().expect("no passphrase fails");
    let message = format!("{error:#}");
    assert!(message.contains("is encrypted"), "{message}");
    assert!(message.contains("--passphrase-file"), "{message}");
    assert_eq!(sha256_of(&db), before);
}

#[test]
fn passphrase_for_plain_database_rejected() {
    let folder = tempfile::tempdir().unwrap();
    let db = database_with_sample(folder.path(), "kefu.db", None);
    let error = Store::open_with_passphrase(&db, Some(&passphrase("any")))
        .err()
        .expect("a passphrase for a plain database fails");
    assert!(format!("{error:#}").contains("is not encrypted"));
    assert_eq!(raw_input_count(&db, None), 1);
}

#[test]
fn unlock_keys_every_store_open() {
    let folder = tempfile::tempdir().unwrap();
    let key = passphrase("recorded");
    let db = database_with_sample(folder.path(), "kefu.db", Some(&key));
    unlock(&folder.path().join(".").join("kefu.db"), key.clone());
    assert_eq!(passphrase_for(&db), Some(key));
    let store = Store::open(&db).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        kefu_core::store::SCHEMA_VERSION
    );
    forget(&db);
    assert_eq!(passphrase_for(&db), None);
}

#[test]
fn encrypt_decrypt_round_trip() {
    let folder = tempfile::tempdir().unwrap();
    let db = database_with_sample(folder.path(), "kefu.db", None);
    let key = passphrase("round trip");

    let encrypted = encrypt(&db, &key).unwrap();
    assert!(encrypted.rows > 0);
    assert!(is_encrypted(&db).unwrap());
    assert!(!file_has_subject(&db));
    assert_eq!(raw_input_count(&db, Some(&key)), 1);
    let store = Store::open_with_passphrase(&db, Some(&key)).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        kefu_core::store::SCHEMA_VERSION
    );
    drop(store);

    let decrypted = decrypt(&db, &key).unwrap();
    assert_eq!(decrypted.rows, encrypted.rows);
    assert!(!is_encrypted(&db).unwrap());
    assert!(file_has_subject(&db));
    assert_eq!(raw_input_count(&db, None), 1);

    let mut names: Vec<String> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["kefu.db"], "no temporary file is left behind");
}

#[test]
fn decrypt_with_wrong_passphrase_unchanged() {
    let folder = tempfile::tempdir().unwrap();
    let key = passphrase("right");
    let db = database_with_sample(folder.path(), "kefu.db", Some(&key));
    let before = sha256_of(&db);
    let error = decrypt(&db, &passphrase("wrong")).unwrap_err();
    assert!(format!("{error:#}").contains("wrong passphrase"));
    assert_eq!(sha256_of(&db), before);
}

#[test]
fn encrypt_rejects_database_in_use() {
    let folder = tempfile::tempdir().unwrap();
    let db = database_with_sample(folder.path(), "kefu.db", None);
    let _app = Store::open(&db).unwrap();
    let error = encrypt(&db, &passphrase("busy")).unwrap_err();
    assert!(
        format!("{error:#}").contains("open in another Kefu process"),
        "{error:#}"
    );
    assert!(!is_encrypted(&db).unwrap());
    assert_eq!(raw_input_count(&db, None), 1);
}

#[test]
fn encrypt_twice_rejected() {
    let folder = tempfile::tempdir().unwrap();
    let key = passphrase("once");
    let db = database_with_sample(folder.path(), "kefu.db", Some(&key));
    let error = encrypt(&db, &key).unwrap_err();
    assert!(format!("{error:#}").contains("already encrypted"));
}

#[test]
fn backup_of_encrypted_database_is_encrypted() {
    let folder = tempfile::tempdir().unwrap();
    let key = passphrase("backups too");
    let db = database_with_sample(folder.path(), "kefu.db", Some(&key));
    unlock(&db, key.clone());

    let target = folder.path().join("backup.db");
    let report = backup::backup(&db, &target).unwrap();
    assert!(report.encrypted);
    assert!(is_encrypted(&target).unwrap());
    assert!(!file_has_subject(&target));
    assert_eq!(raw_input_count(&target, Some(&key)), 1);

    // Restored into a new database with the same passphrase.
    let restored = folder.path().join("restored.db");
    unlock(&restored, key.clone());
    backup::restore(&restored, &target).unwrap();
    assert!(is_encrypted(&restored).unwrap());
    assert_eq!(raw_input_count(&restored, Some(&key)), 1);

    // Restored over the live encrypted database.
    let report = backup::restore(&db, &target).unwrap();
    let aside = report.replaced.expect("the replaced database is kept");
    assert!(is_encrypted(&aside).unwrap());
    assert!(!file_has_subject(&aside));
    assert_eq!(raw_input_count(&db, Some(&key)), 1);
}

#[test]
fn restore_of_encrypted_backup_needs_passphrase() {
    let folder = tempfile::tempdir().unwrap();
    let key = passphrase("kept secret");
    let encrypted = database_with_sample(folder.path(), "encrypted.db", Some(&key));
    let live = database_with_sample(folder.path(), "kefu.db", None);
    let before = sha256_of(&live);

    let error = backup::restore(&live, &encrypted).unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("no passphrase was given"), "{message}");
    assert_eq!(sha256_of(&live), before);
}

#[test]
fn passphrase_file_first_line() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("passphrase");
    std::fs::write(&file, " two words \r\nsecond line\n").unwrap();
    assert_eq!(
        Passphrase::from_file(&file).unwrap(),
        passphrase(" two words ")
    );

    std::fs::write(&file, "\n").unwrap();
    let error = Passphrase::from_file(&file).unwrap_err();
    assert!(format!("{error:#}").contains("empty first line"));
    assert_eq!(format!("{:?}", passphrase("secret")), "Passphrase(hidden)");
}
