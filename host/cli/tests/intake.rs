//! `kefu watch` and `kefu fetch` run as a user would: a drop folder with
//! real sample files, and a real Dovecot on 127.0.0.1 started by the test.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
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
    let interrupted = Command::new("kill")
        .arg("-INT")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(interrupted.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "kefu watch did not stop on SIGINT"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
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
    write_config(
        folder.path(),
        &format!(
            "[[imap]]\nname = \"desk\"\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n\
             user = \"{}\"\npassword-file = \"imap-password\"\n",
            server.port,
            dovecot::USER
        ),
    );
    std::fs::write(
        folder.path().join("config/imap-password"),
        format!("{}\n", dovecot::PASSWORD),
    )
    .unwrap();

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
