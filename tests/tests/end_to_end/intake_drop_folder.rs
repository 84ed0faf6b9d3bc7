//! `kefu watch` drop folders with the real sample inputs: files present at
//! the start and files that arrive while watching are each stored once in
//! a real database file and then moved out of the folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kefu_core::Store;
use kefu_core::ingest::Ingestor;
use kefu_core::intake::drop_folder::{self, DONE_FOLDER, Layout, SETTLE_TIME};
use kefu_core::intake::{DropFolder, ScanReport};
use kefu_core::plugin::PluginSet;
use kefu_tests::{TestDb, fixtures};

/// Text that is not a mail message, chat log or call record.
const NOT_AN_INPUT: &[u8] = &[0, 159, 146, 150];

/// A watch running on its own thread, with its own database connection.
struct Watch {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<ScanReport>>,
}

impl Watch {
    fn start(db: &Path, folder: &Path) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = Arc::clone(&stop);
        let db = db.to_path_buf();
        let folder = folder.to_path_buf();
        let thread = std::thread::spawn(move || {
            let mut store = Store::open(&db).unwrap();
            let mut plugins = PluginSet::builtin().unwrap();
            let mut folders = vec![DropFolder::open(&folder).unwrap()];
            let mut reports = Vec::new();
            drop_folder::watch(
                &mut folders,
                &mut Ingestor::new(&mut store, &mut plugins),
                &thread_stop,
                |_, report| reports.push(report.clone()),
            )
            .unwrap();
            reports
        });
        Self { stop, thread }
    }

    /// Stops the watch and returns the reports of its scans.
    fn stop(self) -> Vec<ScanReport> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().expect("the watch thread panicked")
    }
}

/// Waits until `done` returns true, for at most 30 s.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn files_in(folder: &Path) -> Vec<String> {
    let Ok(listing) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut names: Vec<String> = listing
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().unwrap().is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn sample(path: &str) -> PathBuf {
    fixtures().join(path)
}

#[test]
fn arriving_files_stored_once_and_moved() {
    let db = TestDb::new();
    let drop = tempfile::tempdir().unwrap();
    // Present before the watch starts.
    std::fs::copy(
        sample("email/01-cn-gb2312-reply-chain-outlook-quote.eml"),
        drop.path().join("01.eml"),
    )
    .unwrap();
    let watch = Watch::start(&db.path(), drop.path());

    // Arrive while watching: written in place, and renamed from a name the
    // watch ignores.
    std::fs::copy(
        sample("email/20-empty-date-header.eml"),
        drop.path().join("20.eml"),
    )
    .unwrap();
    std::fs::copy(
        sample("phone/asterisk-testsuite-Master.csv"),
        drop.path().join("calls.csv.part"),
    )
    .unwrap();
    std::fs::rename(
        drop.path().join("calls.csv.part"),
        drop.path().join("calls.csv"),
    )
    .unwrap();
    std::fs::write(drop.path().join("notes.bin"), NOT_AN_INPUT).unwrap();
    let done = drop.path().join(DONE_FOLDER);
    wait_for("four files are in done/", || files_in(&done).len() == 4);
    let reports = watch.stop();

    assert_eq!(
        files_in(drop.path()),
        Vec::<String>::new(),
        "the folder is emptied"
    );
    assert_eq!(
        files_in(&done),
        ["01.eml", "20.eml", "calls.csv", "notes.bin"]
    );
    let processed: Vec<_> = reports
        .iter()
        .flat_map(|report| &report.processed)
        .collect();
    assert_eq!(
        processed.len(),
        4,
        "each file is processed once: {processed:#?}"
    );
    let left: Vec<_> = reports.iter().flat_map(|report| &report.left).collect();
    assert!(left.is_empty(), "{left:?}");
    let counts = db.store.counts().unwrap();
    assert_eq!(counts.raw_inputs, 4, "every file's bytes are stored once");
    assert_eq!(
        counts.quarantined, 1,
        "the file no adapter reads is quarantined"
    );
    let junk = processed
        .iter()
        .find(|entry| entry.file.ends_with("notes.bin"))
        .unwrap();
    assert!(
        junk.summary.quarantined[0]
            .reason
            .contains("no adapter recognised"),
        "{:?}",
        junk.summary.quarantined
    );
    assert_eq!(
        junk.summary.messages_stored, 0,
        "the quarantined file stores no message"
    );
    assert!(counts.messages > 2, "{counts:?}");
}

#[test]
fn maildir_drop_folder_marks_stored_mail_seen() {
    let db = TestDb::new();
    let maildir = tempfile::tempdir().unwrap();
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir(maildir.path().join(sub)).unwrap();
    }
    let mail = |name: &str| std::fs::read(sample(&format!("email/{name}"))).unwrap();
    // Read before, by a mail client: left alone.
    std::fs::write(
        maildir.path().join("cur/1.M1.host:2,S"),
        mail("06-utf8-char-split-across-encoded-words.eml"),
    )
    .unwrap();
    // Unread in cur/, flagged: read, and its flag kept.
    std::fs::write(
        maildir.path().join("cur/2.M2.host:2,F"),
        mail("13-koi8r-raw-8bit-subject-no-content-type.eml"),
    )
    .unwrap();
    let watch = Watch::start(&db.path(), maildir.path());
    // Delivered while watching, through tmp/ as a mail server does.
    std::fs::write(
        maildir.path().join("tmp/3.M3.host"),
        mail("23-html-only-empty-in-reply-to.eml"),
    )
    .unwrap();
    std::fs::rename(
        maildir.path().join("tmp/3.M3.host"),
        maildir.path().join("new/3.M3.host"),
    )
    .unwrap();
    wait_for("new/ is empty and three mails are in cur/", || {
        files_in(&maildir.path().join("new")).is_empty()
            && files_in(&maildir.path().join("cur")).len() == 3
    });
    std::thread::sleep(Duration::from_millis(500));
    watch.stop();

    assert_eq!(
        files_in(&maildir.path().join("cur")),
        ["1.M1.host:2,S", "2.M2.host:2,FS", "3.M3.host:2,S"]
    );
    let counts = db.store.counts().unwrap();
    assert_eq!(counts.raw_inputs, 2, "the mail read before is not imported");
    assert_eq!(counts.messages, 2);
}

#[test]
fn file_imported_before_a_crash_is_only_moved() {
    let mut db = TestDb::new();
    let drop = tempfile::tempdir().unwrap();
    let file = drop.path().join("01.eml");
    std::fs::copy(
        sample("email/01-cn-gb2312-reply-chain-outlook-quote.eml"),
        &file,
    )
    .unwrap();
    // The state a crash after the commit and before the move leaves.
    db.ingest(std::slice::from_ref(&file));
    let counts = db.store.counts().unwrap();

    let report = scan_until_settled(&mut db, drop.path());

    assert_eq!(report.processed.len(), 1);
    assert_eq!(report.processed[0].summary.duplicate_inputs, 1);
    assert_eq!(
        report.processed[0].moved_to,
        drop.path().join("done/01.eml")
    );
    assert_eq!(
        db.store.counts().unwrap(),
        counts,
        "nothing is stored twice"
    );
}

#[test]
fn file_stays_when_storing_fails() {
    let mut db = TestDb::new();
    let drop = tempfile::tempdir().unwrap();
    let file = drop.path().join("20.eml");
    std::fs::copy(sample("email/20-empty-date-header.eml"), &file).unwrap();
    let connection = rusqlite::Connection::open(db.path()).unwrap();
    connection
        .execute_batch(
            "CREATE TRIGGER fail_raw_inputs BEFORE INSERT ON raw_inputs
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
        )
        .unwrap();

    let report = scan_until_settled(&mut db, drop.path());

    assert!(report.processed.is_empty(), "{report:#?}");
    assert_eq!(report.left.len(), 1);
    assert!(
        report.left[0].reason.contains("database or disk is full"),
        "{:?}",
        report.left[0]
    );
    assert!(file.exists(), "the file stays in the drop folder");
}

#[test]
fn growing_file_waits_until_it_settles() {
    let mut db = TestDb::new();
    let drop = tempfile::tempdir().unwrap();
    let file = drop.path().join("tweets.csv");
    let chat = std::fs::read(sample("chat/twcs-sample-64rows.csv")).unwrap();
    std::fs::write(&file, &chat[..chat.len() / 2]).unwrap();
    let mut plugins = PluginSet::builtin().unwrap();
    let mut folder = DropFolder::open(drop.path()).unwrap();
    assert_eq!(folder.layout(), Layout::Files);

    let first = folder
        .scan(&mut Ingestor::new(&mut db.store, &mut plugins))
        .unwrap();
    std::fs::write(&file, &chat).unwrap();
    std::thread::sleep(SETTLE_TIME);
    let second = folder
        .scan(&mut Ingestor::new(&mut db.store, &mut plugins))
        .unwrap();

    assert_eq!(first.settling, 1, "a new file is not read at once");
    assert!(first.processed.is_empty());
    assert_eq!(second.settling, 1, "a file that changed settles again");
    assert!(second.processed.is_empty());
    let third = scan_until_settled(&mut db, drop.path());
    assert_eq!(third.processed.len(), 1);
    let stored = std::fs::read(&third.processed[0].moved_to).unwrap();
    assert_eq!(stored, chat, "the whole file was read");
}

/// Scans a new [`DropFolder`] for `folder` until no file is settling, and
/// returns the last scan.
fn scan_until_settled(db: &mut TestDb, folder: &Path) -> ScanReport {
    let mut plugins = PluginSet::builtin().unwrap();
    let mut drop = DropFolder::open(folder).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let report = drop
            .scan(&mut Ingestor::new(&mut db.store, &mut plugins))
            .unwrap();
        if report.settling == 0 {
            return report;
        }
        assert!(Instant::now() < deadline, "files never settled");
        std::thread::sleep(Duration::from_millis(200));
    }
}
