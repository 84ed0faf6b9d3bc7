//! `kefu watch` and `kefu fetch` run as a user would: a drop folder with
//! real sample files, and a real Dovecot on 127.0.0.1 started by the test.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use kefu_tests::dovecot::{self, Dovecot};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn kefu_command(folder: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kefu"));
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

fn write_config(folder: &Path, intake: &str) {
    std::fs::create_dir_all(folder.join("config")).unwrap();
    std::fs::write(folder.join("config/intake.toml"), intake).unwrap();
}

/// Writes intake.toml with the IMAP account `desk` on the test's Dovecot at
/// `port`, plus the TOML lines `extra`, and the account's password file.
fn write_imap_account(folder: &Path, port: u16, extra: &str) {
    write_config(
        folder,
        &format!(
            "[[imap]]\nname = \"desk\"\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\n\
             user = \"{}\"\npassword-file = \"imap-password\"\n{extra}",
            dovecot::USER
        ),
    );
    std::fs::write(
        folder.join("config/imap-password"),
        format!("{}\n", dovecot::PASSWORD),
    )
    .unwrap();
}

#[test]
fn watch_stores_files_and_stops_on_ctrl_c() {
    let folder = tempfile::tempdir().unwrap();
    let drop = folder.path().join("drop");
    std::fs::create_dir(&drop).unwrap();
    // One folder from intake.toml, present before the start.
    write_config(folder.path(), "[[drop-folder]]\npath = \"../drop\"\n");
    std::fs::copy(
        fixtures().join("email/20-empty-date-header.eml"),
        drop.join("20.eml"),
    )
    .unwrap();
    let mut child = kefu_command(folder.path(), &["watch"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting kefu watch");

    let done = drop.join("done/20.eml");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done.exists() {
        if Instant::now() > deadline || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "the file was not moved to done/: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = stop_with(&mut child, "INT", "kefu watch");
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();

    assert!(status.success(), "{status}: {stderr}");
    assert!(stdout.contains("1 message(s) stored"), "{stdout}");
    assert!(stderr.contains("Stopped."), "{stderr}");
    let listed = kefu(folder.path(), &["conversations", "--json"]);
    let conversations: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(conversations.as_array().unwrap().len(), 1);
}

#[test]
fn watch_without_folders_says_what_to_do() {
    let folder = tempfile::tempdir().unwrap();
    let output = kefu(folder.path(), &["watch"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no drop folder to watch"), "{stderr}");
    assert!(stderr.contains("intake.toml"), "{stderr}");
}

#[test]
fn broken_intake_file_names_line_and_value() {
    let folder = tempfile::tempdir().unwrap();
    write_config(
        folder.path(),
        "[[imap]]\nhost = \"h\"\nsecurity = \"ssl\"\nuser = \"u\"\npassword-env = \"P\"\n",
    );
    let output = kefu(folder.path(), &["fetch"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("intake.toml"), "{stderr}");
    assert!(stderr.contains("line 3"), "{stderr}");
    assert!(stderr.contains("\"ssl\""), "{stderr}");
}

#[test]
fn fetch_stores_mail_once_from_intake_file() {
    let Some(server) = Dovecot::start() else {
        return;
    };
    let folder = tempfile::tempdir().unwrap();
    for (index, name) in [
        "01-cn-gb2312-reply-chain-outlook-quote.eml",
        "20-empty-date-header.eml",
    ]
    .iter()
    .enumerate()
    {
        server.deliver(
            &format!("1700000000.M{index}P1.test"),
            &std::fs::read(fixtures().join("email").join(name)).unwrap(),
        );
    }
    write_imap_account(folder.path(), server.port, "");

    let first = kefu(folder.path(), &["fetch", "--json"]);
    let second = kefu(folder.path(), &["fetch", "--account", "desk", "--json"]);

    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{stderr}\n{}", server.log());
    let report: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(report["account"], "desk");
    assert_eq!(report["unseen"], 2);
    assert_eq!(report["flagged"], 2);
    assert_eq!(report["summary"]["messages_stored"], 2);
    assert!(second.status.success());
    let report: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(report["unseen"], 0, "the second fetch finds nothing unseen");
    let unknown = kefu(folder.path(), &["fetch", "--account", "other"]);
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("the accounts are: desk"),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );
}

/// A line a running `kefu` wrote, marked with the stream it came from.
#[derive(Debug)]
enum Line {
    Stdout(String),
    Stderr(String),
}

/// Forwards the child's stdout and stderr lines to one channel, so a test
/// can wait for a line on either stream without blocking on the other.
fn forward_lines(child: &mut Child) -> Receiver<Line> {
    let (sender, receiver) = mpsc::channel();
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let stdout_sender = sender.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = stdout_sender.send(Line::Stdout(line));
        }
    });
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = sender.send(Line::Stderr(line));
        }
    });
    receiver
}

/// Collects lines into `seen` until one matches `accept` or `limit`
/// passes, and returns the matching line.
fn wait_for_line(
    lines: &Receiver<Line>,
    seen: &mut Vec<Line>,
    accept: impl Fn(&Line) -> bool,
    limit: Duration,
) -> Option<String> {
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines.recv_timeout(left).ok()?;
        let matched = accept(&line);
        let text = match &line {
            Line::Stdout(text) | Line::Stderr(text) => text.clone(),
        };
        seen.push(line);
        if matched {
            return Some(text);
        }
    }
}

/// True for a stdout line of `kefu fetch --json` that stored `count`
/// messages.
fn stored(line: &Line, count: u64) -> bool {
    let Line::Stdout(text) = line else {
        return false;
    };
    serde_json::from_str::<serde_json::Value>(text)
        .is_ok_and(|report| report["summary"]["messages_stored"] == count)
}

fn stderr_contains(line: &Line, text: &str) -> bool {
    matches!(line, Line::Stderr(line) if line.contains(text))
}

/// Appends a short mail to the server's INBOX, as another client would.
fn append_mail(server: &Dovecot, subject: &str) {
    let mail = format!(
        "From: Li Lei <li.lei@example.cn>\r\nTo: support@kefu.invalid\r\n\
         Subject: {subject}\r\nDate: Fri, 04 Dec 2026 10:00:00 +0800\r\n\
         Message-ID: <{subject}@example.cn>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n订单还没有到。\r\n"
    );
    let mut client = server.client();
    client.append("INBOX", mail.as_bytes()).finish().unwrap();
    client.logout().unwrap();
}

#[test]
fn fetch_watch_idles_reconnects_and_stops_on_sigterm() {
    let Some(mut server) = Dovecot::start() else {
        return;
    };
    let folder = tempfile::tempdir().unwrap();
    // An hour between polls, so only IDLE can explain a fetch within
    // seconds, and nothing polls the stopped server.
    write_imap_account(folder.path(), server.port, "poll-interval-seconds = 3600\n");
    let mut child = kefu_command(folder.path(), &["-v", "fetch", "--watch", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting kefu fetch --watch");
    let lines = forward_lines(&mut child);
    let mut seen = Vec::new();
    let idling = "waiting for new mail with IMAP IDLE";

    // Loading the plugins can take seconds in a debug build.
    let started = wait_for_line(
        &lines,
        &mut seen,
        |line| stderr_contains(line, idling),
        Duration::from_secs(60),
    );
    assert!(started.is_some(), "no IDLE: {seen:#?}\n{}", server.log());
    let first = wait_for_line(
        &lines,
        &mut seen,
        |line| stored(line, 0),
        Duration::from_secs(30),
    );
    assert!(first.is_some(), "no first fetch: {seen:#?}");

    append_mail(&server, "watch-1");
    let appended = Instant::now();
    let found = wait_for_line(
        &lines,
        &mut seen,
        |line| stored(line, 1),
        Duration::from_secs(10),
    );
    assert!(found.is_some(), "not stored within 10 s: {seen:#?}");
    eprintln!(
        "kefu fetch --watch stored an appended mail {:.2} s after the append",
        appended.elapsed().as_secs_f64()
    );

    server.stop();
    let logged = wait_for_line(
        &lines,
        &mut seen,
        |line| stderr_contains(line, "IMAP IDLE connection failed"),
        Duration::from_secs(10),
    );
    assert!(
        logged.is_some(),
        "the lost connection is not logged: {seen:#?}"
    );
    let logged = logged.unwrap();
    assert!(
        logged.contains("desk"),
        "the log names the account: {logged}"
    );
    assert!(logged.contains("retry_in"), "{logged}");
    server.start_again();
    let reconnected = wait_for_line(
        &lines,
        &mut seen,
        |line| stderr_contains(line, idling),
        Duration::from_secs(20),
    );
    assert!(reconnected.is_some(), "no reconnection: {seen:#?}");
    append_mail(&server, "watch-2");
    let found = wait_for_line(
        &lines,
        &mut seen,
        |line| stored(line, 1),
        Duration::from_secs(10),
    );
    assert!(found.is_some(), "not stored after the restart: {seen:#?}");

    let status = stop_with(&mut child, "TERM", "kefu fetch --watch");
    // The reader threads end at the end of the streams.
    seen.extend(lines.iter());
    assert!(status.success(), "{status}: {seen:#?}");
    assert!(
        seen.iter().any(|line| stderr_contains(line, "Stopped.")),
        "{seen:#?}"
    );
    let stored_total: u64 = seen
        .iter()
        .filter_map(|line| match line {
            Line::Stdout(text) => serde_json::from_str::<serde_json::Value>(text).ok(),
            Line::Stderr(_) => None,
        })
        .map(|report| report["summary"]["messages_stored"].as_u64().unwrap())
        .sum();
    assert_eq!(stored_total, 2, "each mail is stored once: {seen:#?}");
    let listed = kefu(folder.path(), &["conversations", "--json"]);
    let conversations: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(conversations.as_array().unwrap().len(), 2);
}

/// Sends the signal `signal` (`INT`, `TERM`) to `child`, which runs
/// `command`, and returns its exit status, failing when it runs on for 10 s.
fn stop_with(child: &mut Child, signal: &str, command: &str) -> ExitStatus {
    let sent = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "{command} did not stop on SIG{signal}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
