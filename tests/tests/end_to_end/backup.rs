//! `kefu backup` and `kefu restore` run as a user would: the built `kefu`
//! binary as a child process, on real database files filled from the real
//! sample inputs by the real plugins.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use kefu_core::backup::{self, BackupConfig, ScheduledBackup};
use kefu_core::store::SCHEMA_VERSION;
use kefu_tests::fixtures;
use kefu_tests::traffic::{self, KefuBinary};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

/// Sample mails the generated import copies, one of them with a PDF
/// attachment.
const TEMPLATES: &[&str] = &[
    "01-cn-gb2312-reply-chain-outlook-quote.eml",
    "06-utf8-char-split-across-encoded-words.eml",
    "29-boundary-dash-only-pdf-attachment.eml",
    "22-references-with-non-addr-spec-id.eml",
];

/// Mails in the generated import.
const GENERATED_MAILS: usize = 3000;

/// Returns the `kefu` binary under test, built once per test run and kept
/// apart from later builds in a shared target folder.
fn kefu_binary() -> &'static Path {
    static BINARY: OnceLock<KefuBinary> = OnceLock::new();
    &BINARY.get_or_init(traffic::kefu_binary).path
}

fn kefu_command(folder: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(kefu_binary());
    command
        .arg("--db")
        .arg(folder.join("kefu.db"))
        .arg("--config")
        .arg(folder.join("config"))
        .arg("--plugins")
        .arg(folder.join("plugins"))
        .args(args)
        .env_remove("KEFU_DB")
        .env("XDG_CACHE_HOME", folder.join("cache"));
    command
}

fn kefu(folder: &Path, args: &[&str]) -> Output {
    kefu_command(folder, args).output().expect("running kefu")
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

/// Writes `count` mails into `folder`, copies of the real sample mails in
/// [`TEMPLATES`], each with a Message-ID of its own so none is a duplicate.
fn write_generated_mails(folder: &Path, count: usize) {
    std::fs::create_dir_all(folder).unwrap();
    let templates: Vec<Vec<u8>> = TEMPLATES
        .iter()
        .map(|name| std::fs::read(fixtures().join("email").join(name)).unwrap())
        .collect();
    for index in 0..count {
        let template = &templates[index % templates.len()];
        let mut mail = format!("Message-ID: <generated-{index}@kefu.invalid>\r\n").into_bytes();
        for line in template.split_inclusive(|byte| *byte == b'\n') {
            if !line.to_ascii_lowercase().starts_with(b"message-id:") {
                mail.extend_from_slice(line);
            }
        }
        std::fs::write(folder.join(format!("{index:05}.eml")), mail).unwrap();
    }
}

fn count(connection: &Connection, table: &str) -> i64 {
    connection
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
            row.get(0)
        })
        .unwrap()
}

fn sha256_of(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// Imports every sample input into `folder`/kefu.db with `kefu ingest`.
fn ingest_samples(folder: &Path) {
    let samples: Vec<PathBuf> = kefu_tests::all_sample_folders();
    let mut args = vec!["ingest"];
    args.extend(samples.iter().map(|path| path_arg(path)));
    let output = kefu(folder, &args);
    // Some samples are malformed on purpose and end in quarantine, which
    // is not a failure of the import.
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Checks that the backup at `path` is a whole database holding a
/// consistent prefix of an import of `total` messages, and returns its
/// message count.
fn check_consistent_backup(path: &Path, total: i64) -> i64 {
    let connection = Connection::open(path).unwrap();
    let integrity: String = connection
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok", "{}", path.display());
    let messages = count(&connection, "messages");
    assert!((0..=total).contains(&messages), "{messages} of {total}");
    let orphans: i64 = connection
        .query_row(
            "SELECT count(*) FROM messages m
              WHERE NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = m.conversation_id)
                 OR NOT EXISTS (SELECT 1 FROM raw_inputs r WHERE r.id = m.raw_input_id)",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "messages without conversation or raw input");
    let missing_blobs: i64 = connection
        .query_row(
            "SELECT count(*) FROM message_attachments a
              WHERE a.sha256 IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM attachment_blobs b WHERE b.sha256 = a.sha256)",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(missing_blobs, 0, "attachments whose content is missing");
    let foreign_key_errors: i64 = connection
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(foreign_key_errors, 0);
    messages
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn backup_during_ingest_is_consistent() {
    let folder = tempfile::tempdir().unwrap();
    let mails = folder.path().join("mails");
    write_generated_mails(&mails, GENERATED_MAILS);
    let db = folder.path().join("kefu.db");

    let mut ingest = kefu_command(folder.path(), &["ingest", path_arg(&mails)])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting kefu ingest");

    // Back up again and again while the import runs, starting once its
    // first transaction is committed.
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut during = Vec::new();
    let mut index = 0;
    loop {
        assert!(Instant::now() < deadline, "the import took over 10 minutes");
        let running = ingest.try_wait().unwrap().is_none();
        if !running {
            break;
        }
        let committed = db.exists()
            && Connection::open(&db)
                .and_then(|connection| {
                    connection.query_row("SELECT count(*) FROM messages", [], |row| {
                        row.get::<_, i64>(0)
                    })
                })
                .unwrap_or(0)
                > 0;
        if !committed {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        }
        let target = folder.path().join(format!("during-{index}.db"));
        index += 1;
        let output = kefu(folder.path(), &["backup", path_arg(&target)]);
        let stdout = succeeded(&output);
        assert!(stdout.contains("backed up to"), "{stdout}");
        // Only a backup that finished before the import did was made
        // during it.
        if ingest.try_wait().unwrap().is_none() {
            during.push(target);
        }
    }
    let status = ingest.wait().unwrap();
    assert!(status.success(), "kefu ingest failed");
    assert!(
        !during.is_empty(),
        "no backup finished while the import ran"
    );

    let complete = Connection::open(&db).unwrap();
    let total = count(&complete, "messages");
    assert_eq!(total, GENERATED_MAILS as i64);
    let mut partial = 0;
    for path in &during {
        let journal: String = Connection::open(path)
            .unwrap()
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .unwrap();
        assert_eq!(journal, "delete", "a backup is one self-contained file");
        let messages = check_consistent_backup(path, total);
        if messages < total {
            partial += 1;
        }
    }
    assert!(partial > 0, "every backup held the complete import");

    // The first backup restores into a new place, and the restored
    // database opens with the current Kefu and lists its conversations.
    let restored = tempfile::tempdir().unwrap();
    let stdout = succeeded(&kefu(restored.path(), &["restore", path_arg(&during[0])]));
    assert!(stdout.contains("restored"), "{stdout}");
    let expected = count(&Connection::open(&during[0]).unwrap(), "messages");
    let store = kefu_core::Store::open(&restored.path().join("kefu.db")).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    drop(store);
    let restored_messages = check_consistent_backup(&restored.path().join("kefu.db"), total);
    assert_eq!(restored_messages, expected);
}

#[test]
fn backup_carries_attachment_content() {
    let folder = tempfile::tempdir().unwrap();
    ingest_samples(folder.path());
    let copy_folder = tempfile::tempdir().unwrap();
    let target = copy_folder.path().join("kefu.db");
    succeeded(&kefu(folder.path(), &["backup", path_arg(&target)]));

    let live = Connection::open(folder.path().join("kefu.db")).unwrap();
    let copy = Connection::open(&target).unwrap();
    let blob_sum = |connection: &Connection| -> (i64, i64) {
        connection
            .query_row(
                "SELECT count(*), coalesce(sum(length(content)), 0) FROM attachment_blobs",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap()
    };
    let (blobs, bytes) = blob_sum(&live);
    assert!(blobs > 0, "the samples include a mail with an attachment");
    assert_eq!(blob_sum(&copy), (blobs, bytes));
    for table in [
        "messages",
        "conversations",
        "customers",
        "tickets",
        "raw_inputs",
    ] {
        assert_eq!(count(&copy, table), count(&live, table), "{table}");
    }
    drop(copy);

    // The copy's attachment saves byte for byte like the original.
    let listed: serde_json::Value = serde_json::from_str(&succeeded(&kefu(
        copy_folder.path(),
        &["attachments", "--json"],
    )))
    .unwrap();
    let id = listed[0]["id"].as_i64().unwrap().to_string();
    let from_copy = copy_folder.path().join("saved.bin");
    let from_live = folder.path().join("saved.bin");
    for (home, saved) in [
        (copy_folder.path(), &from_copy),
        (folder.path(), &from_live),
    ] {
        succeeded(&kefu(
            home,
            &["attachments", "save", &id, "-o", path_arg(saved)],
        ));
    }
    assert_eq!(
        std::fs::metadata(&from_copy).unwrap().len(),
        listed[0]["size"].as_u64().unwrap()
    );
    assert_eq!(sha256_of(&from_copy), sha256_of(&from_live));
}

#[test]
fn backup_refuses_existing_file() {
    let folder = tempfile::tempdir().unwrap();
    ingest_samples(folder.path());
    let target = folder.path().join("notes.txt");
    std::fs::write(&target, "keep me").unwrap();
    let stderr = failed(&kefu(folder.path(), &["backup", path_arg(&target)]));
    assert!(stderr.contains("notes.txt already exists"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
}

#[test]
fn rotation_keeps_exactly_n() {
    let folder = tempfile::tempdir().unwrap();
    ingest_samples(folder.path());
    let db = folder.path().join("kefu.db");
    let config_dir = folder.path().join("config");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("backup.toml"),
        "folder = \"copies\"\nevery-hours = 6\nkeep = 3\n",
    )
    .unwrap();
    let config = BackupConfig::load(&config_dir, &db).unwrap();
    let copies = folder.path().join("copies");
    // Files that are not automatic backups of this database stay.
    std::fs::create_dir_all(&copies).unwrap();
    std::fs::write(copies.join("notes.txt"), "mine").unwrap();
    std::fs::write(copies.join("other-20200101T000000Z.db"), "other database").unwrap();

    let start = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
    for run in 0..5 {
        let now = start + chrono::Duration::hours(6 * run);
        let outcome = backup::run_scheduled(&db, &config, now, false).unwrap();
        assert!(
            matches!(outcome, ScheduledBackup::Made { .. }),
            "run {run}: {outcome:?}"
        );
        let not_due =
            backup::run_scheduled(&db, &config, now + chrono::Duration::hours(5), false).unwrap();
        assert!(
            matches!(not_due, ScheduledBackup::NotDue { .. }),
            "{not_due:?}"
        );
    }
    let kept = backup::automatic_backups(&copies, "kefu").unwrap();
    assert_eq!(kept.len(), 3);
    let names: Vec<String> = kept
        .iter()
        .map(|(_, path)| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "kefu-20261201T120000Z.db",
            "kefu-20261201T180000Z.db",
            "kefu-20261202T000000Z.db"
        ]
    );
    assert!(copies.join("notes.txt").exists());
    assert!(copies.join("other-20200101T000000Z.db").exists());

    // The cron command makes one more, then keeps three again.
    let stdout = succeeded(&kefu(folder.path(), &["backup", "--scheduled"]));
    assert!(stdout.contains("backed up to"), "{stdout}");
    assert!(stdout.contains("deleted old backup"), "{stdout}");
    assert_eq!(backup::automatic_backups(&copies, "kefu").unwrap().len(), 3);
    let stdout = succeeded(&kefu(folder.path(), &["backup", "--scheduled"]));
    assert!(stdout.contains("no backup due"), "{stdout}");
    assert_eq!(backup::automatic_backups(&copies, "kefu").unwrap().len(), 3);
}

#[test]
fn scheduled_backup_rejects_invalid_config() {
    let folder = tempfile::tempdir().unwrap();
    ingest_samples(folder.path());
    let config_dir = folder.path().join("config");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("backup.toml"), "keep = 0\n").unwrap();
    let stderr = failed(&kefu(folder.path(), &["backup", "--scheduled"]));
    assert!(stderr.contains("backup.toml"), "{stderr}");
    assert!(stderr.contains("keep = 0 is out of range"), "{stderr}");
}

/// Creates a live database from the samples and a backup of it, then
/// imports into the live database a few more mails that the backup lacks.
fn live_and_backup() -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().unwrap();
    ingest_samples(folder.path());
    let target = folder.path().join("backup.db");
    succeeded(&kefu(folder.path(), &["backup", path_arg(&target)]));
    let mails = folder.path().join("later");
    write_generated_mails(&mails, 4);
    succeeded(&kefu(folder.path(), &["ingest", path_arg(&mails)]));
    (folder, target)
}

#[test]
fn restore_keeps_replaced_database() {
    let (folder, target) = live_and_backup();
    let db = folder.path().join("kefu.db");
    let live_messages = count(&Connection::open(&db).unwrap(), "messages");
    let backup_messages = count(&Connection::open(&target).unwrap(), "messages");
    assert_eq!(live_messages, backup_messages + 4);

    let stdout = succeeded(&kefu(folder.path(), &["restore", path_arg(&target)]));
    assert!(stdout.contains("restored"), "{stdout}");
    assert!(stdout.contains("kept as"), "{stdout}");
    assert_eq!(
        count(&Connection::open(&db).unwrap(), "messages"),
        backup_messages
    );

    let aside: Vec<PathBuf> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("kefu.db.before-restore-")
        })
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert!(stdout.contains(path_arg(&aside[0])), "{stdout}");
    assert_eq!(
        count(&Connection::open(&aside[0]).unwrap(), "messages"),
        live_messages
    );
    let restored = check_consistent_backup(&aside[0], live_messages);
    assert_eq!(restored, live_messages);
    // The restored database is usable: another import adds to it.
    let mails = folder.path().join("after");
    write_generated_mails(&mails, 2);
    succeeded(&kefu(folder.path(), &["ingest", path_arg(&mails)]));
}

#[test]
fn restore_rejects_bad_files() {
    let (folder, target) = live_and_backup();
    let db = folder.path().join("kefu.db");

    let newer = folder.path().join("newer.db");
    std::fs::copy(&target, &newer).unwrap();
    Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let text = folder.path().join("notes.txt");
    std::fs::write(&text, "not a database\n").unwrap();
    let truncated = folder.path().join("truncated.db");
    let bytes = std::fs::read(&target).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let plain_sqlite = folder.path().join("plain.db");
    Connection::open(&plain_sqlite)
        .unwrap()
        .execute_batch("CREATE TABLE notes (text TEXT); PRAGMA user_version = 3;")
        .unwrap();

    let cases = [
        (&newer, "made by a newer Kefu"),
        (&text, "not an SQLite database"),
        (&truncated, "damaged or truncated"),
        (
            &plain_sqlite,
            "not a Kefu database (it has no customers table)",
        ),
    ];
    let before = sha256_of(&db);
    for (file, expected) in cases {
        let file_before = sha256_of(file);
        let stderr = failed(&kefu(folder.path(), &["restore", path_arg(file)]));
        assert!(stderr.contains(path_arg(file)), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(
            stderr.contains("The live database was not changed"),
            "{stderr}"
        );
        assert_eq!(sha256_of(&db), before, "live database changed");
        assert_eq!(sha256_of(file), file_before, "the rejected file changed");
    }
    let leftovers: Vec<String> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("before-restore") || name.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn restore_rejects_database_in_use() {
    let (folder, target) = live_and_backup();
    let db = folder.path().join("kefu.db");
    let drop_folder = folder.path().join("drop");
    std::fs::create_dir_all(&drop_folder).unwrap();
    std::fs::copy(
        fixtures().join("email/20-empty-date-header.eml"),
        drop_folder.join("20.eml"),
    )
    .unwrap();
    let watch = kefu_command(folder.path(), &["watch", path_arg(&drop_folder)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting kefu watch");
    // Once the file moved to done/, the watcher has the database open.
    let deadline = Instant::now() + Duration::from_secs(120);
    while !drop_folder.join("done/20.eml").exists() {
        if Instant::now() > deadline {
            stop(watch);
            panic!("kefu watch did not import the dropped file");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let before = sha256_of(&db);
    let output = kefu(folder.path(), &["restore", path_arg(&target)]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    stop(watch);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("is open in another Kefu process"),
        "{stderr}"
    );
    assert!(
        stderr.contains("close it and run the restore again"),
        "{stderr}"
    );
    assert_eq!(sha256_of(&db), before);

    // With the watcher stopped, the same restore goes through.
    let stdout = succeeded(&kefu(folder.path(), &["restore", path_arg(&target)]));
    assert!(stdout.contains("restored"), "{stdout}");
}
