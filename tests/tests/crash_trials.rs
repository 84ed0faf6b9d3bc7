//! Crash trials: the real `kefu` binary is killed with SIGKILL at a random
//! moment while it imports a few thousand real-shaped messages, then
//! restarted, and the database is checked.
//!
//! Each trial runs one intake, in turn:
//! - `kefu ingest` of a folder of mails. Nothing is acknowledged before a
//!   clean finish, so after the kill no message may be stored twice, and a
//!   second run must store every message once.
//! - `kefu watch` on a drop folder of mails. A file moved to `done/` is
//!   acknowledged, so its message must be stored once.
//! - `kefu serve` with clients posting Chatwoot webhooks. A 2xx response is
//!   acknowledged, so its message must be stored once.
//!
//! A second test kills `kefu fetch` while it reads a real Dovecot on
//! 127.0.0.1. A mail flagged `\Seen` on the server is acknowledged, so its
//! message must be stored once.
//!
//! After every kill `PRAGMA integrity_check` must return ok, and a clean
//! restart must finish the rest with no duplicate message.
//!
//! `KEFU_CRASH_TRIALS` sets the number of trials (3 by default, one per
//! intake), `KEFU_CRASH_MESSAGES` the inputs per trial (2000 by default) and
//! `KEFU_CRASH_SEED` the seed that picks the kill delays. The IMAP test
//! takes `KEFU_CRASH_IMAP_TRIALS` (3 by default) and
//! `KEFU_CRASH_IMAP_MESSAGES` (300 by default) instead of the first two. The
//! seed is printed, so a failing run can be repeated; the moment the kill
//! lands still depends on the machine's speed.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kefu_tests::dovecot::{self, Dovecot};
use kefu_tests::traffic::{self, Contents, Input, KefuHome};

const DEFAULT_TRIALS: usize = 3;
const DEFAULT_MESSAGES: usize = 2000;

/// Trials and mails per trial of the IMAP test. Each mail costs IMAP round
/// trips and a commit, so the IMAP test uses fewer mails than the others.
const DEFAULT_IMAP_TRIALS: usize = 3;
const DEFAULT_IMAP_MESSAGES: usize = 300;

/// Webhook clients posting at once during a `serve` trial.
const WEBHOOK_CLIENTS: usize = 4;

/// Time the drop folder waits for a file to stop changing before it reads
/// it (`SETTLE_TIME` in the drop folder module), plus a margin.
const DROP_SETTLE: Duration = Duration::from_millis(2500);

/// Maximum wait for a restarted intake to finish the rest.
const FINISH_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, Copy)]
enum Intake {
    Ingest,
    Watch,
    Serve,
}

const INTAKES: [Intake; 3] = [Intake::Ingest, Intake::Watch, Intake::Serve];

/// Result of one trial, for the closing summary.
#[derive(Debug)]
struct TrialResult {
    acknowledged: usize,
    kill_after: Duration,
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a whole number")),
        Err(_) => default,
    }
}

/// Returns `KEFU_CRASH_SEED`, or a seed taken from the clock.
fn seed_from_env() -> u64 {
    env_number(
        "KEFU_CRASH_SEED",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos() as u64)
            .unwrap_or(1),
    )
}

#[test]
fn acknowledged_messages_survive_sigkill() {
    let trials = env_number("KEFU_CRASH_TRIALS", DEFAULT_TRIALS as u64) as usize;
    let messages = env_number("KEFU_CRASH_MESSAGES", DEFAULT_MESSAGES as u64) as usize;
    let seed = seed_from_env();
    println!(
        "crash trials: {trials} trials of {messages} inputs, seed {seed} \
         (repeat with KEFU_CRASH_SEED={seed})"
    );
    let binary = traffic::kefu_binary();
    let mut random = fastrand::Rng::with_seed(seed);
    let mails = traffic::mails("crash", messages);
    let chats = traffic::chats(5_000_000, messages);

    // A clean import first: it checks that every generated input yields
    // exactly one message under its marker, and its length bounds the kill
    // delays.
    let reference = tempfile::tempdir().expect("creating a temporary folder");
    let clean_time = clean_import(&binary.path, reference.path(), &mails);
    println!("clean import of {messages} mails: {clean_time:?}");

    let started = Instant::now();
    let mut results = Vec::new();
    for trial in 0..trials {
        let intake = INTAKES[trial % INTAKES.len()];
        let folder = tempfile::tempdir().expect("creating a temporary folder");
        let home = KefuHome::new(&binary.path, folder.path());
        let result = match intake {
            Intake::Ingest => ingest_trial(&home, folder.path(), &mails, clean_time, &mut random),
            Intake::Watch => watch_trial(&home, folder.path(), &mails, clean_time, &mut random),
            Intake::Serve => serve_trial(&home, folder.path(), &chats, clean_time, &mut random),
        };
        println!(
            "trial {trial} ({intake:?}): killed after {:?}, {} acknowledged, \
             no loss, no duplicate",
            result.kill_after, result.acknowledged
        );
        results.push(result);
    }
    let acknowledged: usize = results.iter().map(|result| result.acknowledged).sum();
    println!(
        "crash trials: {trials} trials, seed {seed}, {acknowledged} acknowledged inputs \
         checked, 0 lost, 0 duplicated, {:?}",
        started.elapsed()
    );
}

/// A service manager stops `kefu watch` with SIGTERM; it must finish the
/// file in hand and exit with success, as on Ctrl-C.
#[test]
fn watch_exits_cleanly_on_sigterm() {
    let binary = traffic::kefu_binary();
    let folder = tempfile::tempdir().expect("creating a temporary folder");
    let home = KefuHome::new(&binary.path, folder.path());
    let drop = folder.path().join("drop");
    std::fs::create_dir_all(&drop).expect("creating the drop folder");
    let mails = traffic::mails("sigterm", 3);
    for mail in &mails {
        traffic::drop_into(&drop, mail);
    }
    let log = folder.path().join("kefu.log");
    let kefu = home.start(&["watch", path_text(&drop)], &log);
    let ready = wait_until(Duration::from_secs(60), || watch_started(&log, 0));
    assert!(ready, "kefu watch did not start; see {}", log.display());
    let moved = wait_until(Duration::from_secs(60), || {
        moved_names(&drop).len() == mails.len()
    });
    let status = kefu.terminate();
    assert!(
        moved,
        "kefu watch did not take the files; see {}",
        log.display()
    );
    assert!(
        status.success(),
        "kefu watch ended with {status} on SIGTERM; see {}",
        log.display()
    );
    let contents = Contents::read(&home.db);
    assert_each_once(&contents, &mails, "after SIGTERM");
}

/// Kills `kefu fetch` at a random moment while it reads a real Dovecot on
/// 127.0.0.1. Every mail flagged `\Seen` on the server must be stored once,
/// and a second `kefu fetch` must store the rest and flag every mail.
#[test]
fn seen_mails_survive_sigkill_during_fetch() {
    let trials = env_number("KEFU_CRASH_IMAP_TRIALS", DEFAULT_IMAP_TRIALS as u64) as usize;
    let messages = env_number("KEFU_CRASH_IMAP_MESSAGES", DEFAULT_IMAP_MESSAGES as u64) as usize;
    let seed = seed_from_env();
    println!(
        "IMAP crash trials: {trials} trials of {messages} mails, seed {seed} \
         (repeat with KEFU_CRASH_SEED={seed})"
    );
    let binary = traffic::kefu_binary();
    let mut random = fastrand::Rng::with_seed(seed);
    let mails = traffic::mails("imap", messages);

    // A clean fetch first: it checks that every delivered mail is stored
    // once and flagged seen, and its length bounds the kill delays.
    let Some(server) = Dovecot::start() else {
        return;
    };
    let reference = tempfile::tempdir().expect("creating a temporary folder");
    let home = imap_home(&binary.path, reference.path(), &server, &mails);
    let log = reference.path().join("kefu.log");
    let started = Instant::now();
    home.run(&["fetch"], &log);
    let clean_time = started.elapsed();
    let contents = Contents::read(&home.db);
    assert_integrity(&contents, "after a clean kefu fetch");
    assert_each_once(&contents, &mails, "after a clean kefu fetch");
    assert_eq!(
        seen_markers(&server).len(),
        mails.len(),
        "mails flagged seen after a clean kefu fetch"
    );
    drop(server);
    println!("clean fetch of {messages} mails: {clean_time:?}");

    let started = Instant::now();
    let mut acknowledged_total = 0;
    for trial in 0..trials {
        let server = Dovecot::start().expect("starting dovecot, which started for the clean fetch");
        let folder = tempfile::tempdir().expect("creating a temporary folder");
        let home = imap_home(&binary.path, folder.path(), &server, &mails);
        let result = fetch_trial(
            &home,
            folder.path(),
            &server,
            &mails,
            clean_time,
            &mut random,
        );
        println!(
            "trial {trial} (Fetch): killed after {:?}, {} acknowledged, no loss, no duplicate",
            result.kill_after, result.acknowledged
        );
        acknowledged_total += result.acknowledged;
    }
    println!(
        "IMAP crash trials: {trials} trials, seed {seed}, {acknowledged_total} acknowledged \
         mails checked, 0 lost, 0 duplicated, {:?}",
        started.elapsed()
    );
}

/// Imports `mails` with one uninterrupted `kefu ingest`, checks that each
/// is stored once, and returns the time it took.
fn clean_import(binary: &Path, root: &Path, mails: &[Input]) -> Duration {
    let home = KefuHome::new(binary, root);
    let inbox = write_all(root, "inbox", mails);
    let started = Instant::now();
    home.run(&["ingest", path_text(&inbox)], &root.join("kefu.log"));
    let elapsed = started.elapsed();
    let contents = Contents::read(&home.db);
    assert_integrity(&contents, "after a clean import");
    for mail in mails {
        assert_eq!(
            contents.count(&mail.marker),
            1,
            "a clean import stored {} {} times",
            mail.marker,
            contents.count(&mail.marker)
        );
    }
    elapsed
}

/// Kills `kefu ingest` once at a random moment, checks the database, then
/// imports again to the end: every mail must be stored exactly once.
fn ingest_trial(
    home: &KefuHome,
    root: &Path,
    mails: &[Input],
    clean_time: Duration,
    random: &mut fastrand::Rng,
) -> TrialResult {
    let inbox = write_all(root, "inbox", mails);
    let log = root.join("kefu.log");
    let kill_after = random_delay(random, clean_time);
    let kefu = home.start(&["ingest", path_text(&inbox)], &log);
    std::thread::sleep(kill_after);
    kefu.kill();
    let contents = Contents::read(&home.db);
    assert_integrity(&contents, "after killing kefu ingest");
    assert_no_duplicates(&contents, "after killing kefu ingest");

    home.run(&["ingest", path_text(&inbox)], &log);
    let contents = Contents::read(&home.db);
    assert_integrity(&contents, "after a second kefu ingest");
    assert_each_once(&contents, mails, "after a second kefu ingest");
    TrialResult {
        acknowledged: mails.len(),
        kill_after,
    }
}

/// Kills `kefu watch` once at a random moment; every file already in
/// `done/` must be stored once. A restarted watch must then take every
/// other file, storing each message once.
fn watch_trial(
    home: &KefuHome,
    root: &Path,
    mails: &[Input],
    clean_time: Duration,
    random: &mut fastrand::Rng,
) -> TrialResult {
    let drop = root.join("drop");
    std::fs::create_dir_all(&drop).expect("creating the drop folder");
    for mail in mails {
        traffic::drop_into(&drop, mail);
    }
    let log = root.join("kefu.log");
    // One file per transaction makes the watch slower than `kefu ingest`,
    // so the window is wider than the clean import.
    let kill_after = random_delay(random, DROP_SETTLE + clean_time * 3);
    let kefu = home.start(&["watch", path_text(&drop)], &log);
    std::thread::sleep(kill_after);
    kefu.kill();

    let done = moved_names(&drop);
    let contents = Contents::read(&home.db);
    assert_integrity(&contents, "after killing kefu watch");
    assert_no_duplicates(&contents, "after killing kefu watch");
    let acknowledged: Vec<&Input> = mails
        .iter()
        .filter(|mail| done.contains(&mail.name))
        .collect();
    assert_each_once(
        &contents,
        acknowledged.iter().copied(),
        "for files moved to done/ before the kill",
    );

    let log_start = log_length(&log);
    let kefu = home.start(&["watch", path_text(&drop)], &log);
    // The killed watch may have moved every file already, and a SIGTERM
    // that comes before kefu installs its handler ends it with the signal.
    let ready = wait_until(FINISH_TIMEOUT, || watch_started(&log, log_start));
    assert!(ready, "kefu watch did not start; see {}", log.display());
    let finished = wait_until(FINISH_TIMEOUT, || moved_names(&drop).len() == mails.len());
    let status = kefu.terminate();
    assert!(
        finished,
        "a restarted kefu watch moved {} of {} files in {FINISH_TIMEOUT:?}; see {}",
        moved_names(&drop).len(),
        mails.len(),
        log.display()
    );
    assert!(
        status.success(),
        "kefu watch ended with {status}; see {}",
        log.display()
    );
    let contents = Contents::read(&home.db);
    assert_integrity(&contents, "after the restarted kefu watch");
    assert_each_once(&contents, mails, "after the restarted kefu watch");
    TrialResult {
        acknowledged: acknowledged.len(),
        kill_after,
    }
}

/// Kills `kefu serve` once at a random moment while clients post chats.
/// Every chat with a 2xx response must be stored once. A restarted server
/// then gets every chat again, as platforms redeliver, and must store each
/// once.
fn serve_trial(
    home: &KefuHome,
    root: &Path,
    chats: &[Input],
    clean_time: Duration,
    random: &mut fastrand::Rng,
) -> TrialResult {
    let port = traffic::free_port();
    home.write_webhook_config(port);
    let address: SocketAddr = ([127, 0, 0, 1], port).into();
    let log = root.join("kefu.log");
    // Four clients post faster than one kefu ingest imports the same number
    // of mails (300 chats took about 2 s here, 300 mails 3 s), so a window
    // as long as the clean import puts most kills among the requests.
    let kill_after = random_delay(random, clean_time);

    let mut kefu = home.start(&["serve"], &log);
    kefu.wait_for_line("Listening on");
    let acknowledged = post_all(address, chats, Some(kill_after), move || kefu.kill());

    let contents = Contents::read(&home.db);
    assert_integrity(&contents, "after killing kefu serve");
    assert_no_duplicates(&contents, "after killing kefu serve");
    let answered: Vec<&Input> = chats
        .iter()
        .enumerate()
        .filter(|(index, _)| acknowledged[*index])
        .map(|(_, chat)| chat)
        .collect();
    assert_each_once(
        &contents,
        answered.iter().copied(),
        "for chats answered 2xx before the kill",
    );

    let mut kefu = home.start(&["serve"], &log);
    kefu.wait_for_line("Listening on");
    let delivered = post_all(address, chats, None, || {});
    // kefu serve has no handler for SIGTERM, so this stops it as a kill
    // would, after every request got its response.
    kefu.terminate();
    let undelivered = delivered.iter().filter(|ok| !**ok).count();
    assert_eq!(
        undelivered,
        0,
        "the restarted kefu serve did not answer 2xx to {undelivered} chats; see {}",
        log.display()
    );
    let contents = Contents::read(&home.db);
    assert_integrity(&contents, "after the restarted kefu serve");
    assert_each_once(&contents, chats, "after the restarted kefu serve");
    TrialResult {
        acknowledged: answered.len(),
        kill_after,
    }
}

/// Kills `kefu fetch` once at a random moment; every mail flagged `\Seen`
/// on the server must be stored once. A second fetch must then store the
/// rest, flag every mail and store no message twice.
fn fetch_trial(
    home: &KefuHome,
    root: &Path,
    server: &Dovecot,
    mails: &[Input],
    clean_time: Duration,
    random: &mut fastrand::Rng,
) -> TrialResult {
    let log = root.join("kefu.log");
    let kill_after = random_delay(random, clean_time);
    let kefu = home.start(&["fetch"], &log);
    std::thread::sleep(kill_after);
    kefu.kill();

    let seen = seen_markers(server);
    let contents = Contents::read(&home.db);
    assert_integrity(&contents, "after killing kefu fetch");
    assert_no_duplicates(&contents, "after killing kefu fetch");
    let acknowledged: Vec<&Input> = mails
        .iter()
        .filter(|mail| seen.contains(&mail.marker))
        .collect();
    assert_eq!(
        acknowledged.len(),
        seen.len(),
        "mails flagged seen that the test did not deliver: {seen:?}"
    );
    assert_each_once(
        &contents,
        acknowledged.iter().copied(),
        "for mails flagged seen before the kill",
    );

    home.run(&["fetch"], &log);
    let contents = Contents::read(&home.db);
    assert_integrity(&contents, "after a second kefu fetch");
    assert_no_duplicates(&contents, "after a second kefu fetch");
    assert_each_once(&contents, mails, "after a second kefu fetch");
    let seen_after = seen_markers(server).len();
    assert_eq!(
        seen_after,
        mails.len(),
        "mails flagged seen after a second kefu fetch; see {}",
        log.display()
    );
    TrialResult {
        acknowledged: acknowledged.len(),
        kill_after,
    }
}

/// Delivers `mails` into the server's INBOX and returns a home under
/// `root` whose intake.toml names the server's one account. The password
/// is in a file, so the `kefu` processes need no environment of their own.
fn imap_home(binary: &Path, root: &Path, server: &Dovecot, mails: &[Input]) -> KefuHome {
    for (index, mail) in mails.iter().enumerate() {
        server.deliver(&format!("1700000000.M{index}P1.crash"), &mail.bytes);
    }
    let home = KefuHome::new(binary, root);
    std::fs::write(home.config.join("imap-password"), dovecot::PASSWORD)
        .expect("writing the IMAP password file");
    let intake = format!(
        "[[imap]]\nname = \"crash\"\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n\
         user = \"{}\"\npassword-file = \"imap-password\"\n",
        server.port,
        dovecot::USER
    );
    std::fs::write(home.config.join("intake.toml"), intake).expect("writing intake.toml");
    home
}

/// Returns the Message-IDs, without angle brackets, of the INBOX mails
/// that the server has flagged `\Seen`.
fn seen_markers(server: &Dovecot) -> std::collections::HashSet<String> {
    let mut client = server.client();
    client.select("INBOX").expect("selecting INBOX");
    let fetches = client
        .uid_fetch("1:*", "(FLAGS ENVELOPE)")
        .expect("fetching flags and envelopes");
    let mut seen = std::collections::HashSet::new();
    for fetch in fetches.iter() {
        if !fetch.flags().contains(&imap::types::Flag::Seen) {
            continue;
        }
        let message_id = fetch
            .envelope()
            .and_then(|envelope| envelope.message_id.as_deref())
            .expect("every delivered mail has a Message-ID");
        let message_id = String::from_utf8_lossy(message_id);
        seen.insert(
            message_id
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string(),
        );
    }
    client.logout().expect("logging out of dovecot");
    seen
}

/// Posts every chat from [`WEBHOOK_CLIENTS`] threads and returns, per
/// chat, whether the server responded 2xx. With `kill_after`, `kill` runs
/// after that delay and the clients stop at their first failed request.
fn post_all(
    address: SocketAddr,
    chats: &[Input],
    kill_after: Option<Duration>,
    kill: impl FnOnce() + Send,
) -> Vec<bool> {
    let next = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    let answered = Mutex::new(vec![false; chats.len()]);
    let failures = Arc::new(Mutex::new(Vec::new()));
    std::thread::scope(|scope| {
        for _ in 0..WEBHOOK_CLIENTS {
            scope.spawn(|| {
                while !stopped.load(Ordering::SeqCst) {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(chat) = chats.get(index) else {
                        break;
                    };
                    match traffic::post_json(address, "/chat", &chat.bytes) {
                        Ok(status) if (200..300).contains(&status) => {
                            answered.lock().unwrap()[index] = true;
                        }
                        Ok(status) => {
                            failures
                                .lock()
                                .unwrap()
                                .push(format!("{}: status {status}", chat.marker));
                        }
                        Err(error) => {
                            failures
                                .lock()
                                .unwrap()
                                .push(format!("{}: {error}", chat.marker));
                            if kill_after.is_some() {
                                break;
                            }
                        }
                    }
                }
            });
        }
        if let Some(delay) = kill_after {
            std::thread::sleep(delay);
            kill();
            stopped.store(true, Ordering::SeqCst);
        }
    });
    if kill_after.is_none() {
        let failures = failures.lock().unwrap();
        assert!(
            failures.is_empty(),
            "{} requests failed, first: {}",
            failures.len(),
            failures[0]
        );
    }
    answered.into_inner().unwrap()
}

/// Returns a delay between zero and `window`, so kills land during start-up,
/// in the middle of the work and after it.
fn random_delay(random: &mut fastrand::Rng, window: Duration) -> Duration {
    let millis = window.as_millis().max(1) as u64;
    Duration::from_millis(random.u64(0..=millis))
}

/// Writes every input into `root/name` and returns that folder.
fn write_all(root: &Path, name: &str, inputs: &[Input]) -> PathBuf {
    let folder = root.join(name);
    std::fs::create_dir_all(&folder).expect("creating an input folder");
    for input in inputs {
        std::fs::write(folder.join(&input.name), &input.bytes).expect("writing an input");
    }
    folder
}

/// Names of the files in the drop folder's `done/` folder.
fn moved_names(drop: &Path) -> std::collections::HashSet<String> {
    match std::fs::read_dir(drop.join("done")) {
        Ok(listing) => listing
            .filter_map(|entry| entry.ok())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Default::default(),
    }
}

/// Returns whether a `kefu watch` that started writing to `log` at byte
/// `from` printed that it is watching, which it does once its SIGTERM
/// handler is installed.
fn watch_started(log: &Path, from: usize) -> bool {
    std::fs::read(log)
        .ok()
        .and_then(|text| text.get(from..).map(|tail| tail.to_vec()))
        .is_some_and(|tail| String::from_utf8_lossy(&tail).contains("Watching "))
}

fn log_length(log: &Path) -> usize {
    std::fs::metadata(log).map_or(0, |metadata| metadata.len() as usize)
}

/// Polls `condition` every 100 ms until it is true or `timeout` passes, and
/// returns whether it was true.
fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < timeout {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    condition()
}

fn path_text(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

fn assert_integrity(contents: &Contents, moment: &str) {
    assert_eq!(contents.integrity, "ok", "PRAGMA integrity_check {moment}");
}

fn assert_no_duplicates(contents: &Contents, moment: &str) {
    let duplicates = contents.duplicates();
    assert!(
        duplicates.is_empty(),
        "{} external ids stored more than once {moment}, first: {:?}",
        duplicates.len(),
        duplicates.first()
    );
    assert_eq!(
        contents.duplicate_raw_inputs, 0,
        "raw inputs stored twice {moment}"
    );
}

/// Asserts that each input's message is stored exactly once, listing the
/// first few that are missing or doubled.
fn assert_each_once<'i>(
    contents: &Contents,
    inputs: impl IntoIterator<Item = &'i Input>,
    moment: &str,
) {
    let mut lost = Vec::new();
    let mut doubled = Vec::new();
    for input in inputs {
        match contents.count(&input.marker) {
            1 => {}
            0 => lost.push(input.marker.clone()),
            count => doubled.push(format!("{} ({count} times)", input.marker)),
        }
    }
    assert!(
        lost.is_empty(),
        "{} messages missing {moment}, first: {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    assert!(
        doubled.is_empty(),
        "{} messages stored more than once {moment}, first: {:?}",
        doubled.len(),
        &doubled[..doubled.len().min(5)]
    );
}
