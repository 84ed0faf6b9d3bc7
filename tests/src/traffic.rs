//! Real-shaped traffic for the crash trials and the soak test, the `kefu`
//! binary those tests start, and the checks they run on its database.
//!
//! Every generated input carries a marker that the adapters store as the
//! message's external id: a Message-ID for mail, a Chatwoot message id for
//! chat and an Asterisk unique id for calls. The checks count messages by
//! that marker, so a lost or duplicated message shows up by name.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use rusqlite::Connection;

use crate::fixtures;

/// Bearer token written into webhook.toml for the servers these tests start.
pub const WEBHOOK_TOKEN: &str = "crash-trial-token-0123456789abcdef";

/// Environment variable naming a prebuilt `kefu` binary to run instead of
/// building one with Cargo.
pub const KEFU_BIN_ENV: &str = "KEFU_BIN";

/// One generated input: its bytes and the external id its message gets.
#[derive(Debug, Clone)]
pub struct Input {
    /// File name in a drop folder or import folder.
    pub name: String,
    pub bytes: Vec<u8>,
    /// External id of the one message in this input.
    pub marker: String,
}

/// The `kefu` binary a test starts.
pub struct KefuBinary {
    pub path: PathBuf,
    /// Folder of the private hard link, removed when dropped.
    _folder: Option<tempfile::TempDir>,
}

/// Returns the `kefu` binary to start: the one [`KEFU_BIN_ENV`] names, or
/// the debug build of this workspace, built by Cargo when out of date.
///
/// A built binary is hard-linked into a folder of its own, because a
/// build from another checkout sharing the target folder replaces
/// `target/debug/kefu` while a long run is still starting it.
pub fn kefu_binary() -> KefuBinary {
    if let Some(path) = std::env::var_os(KEFU_BIN_ENV) {
        return KefuBinary {
            path: PathBuf::from(path),
            _folder: None,
        };
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = Command::new(&cargo)
        .current_dir(&workspace)
        .args([
            "build",
            "-p",
            "kefu",
            "--bin",
            "kefu",
            "--message-format=json",
        ])
        .output()
        .expect("running cargo build");
    assert!(
        output.status.success(),
        "building kefu failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let built = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == "kefu")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .expect("cargo's JSON output names the kefu executable");
    let folder = tempfile::Builder::new()
        .prefix("kefu-under-test")
        .tempdir_in(built.parent().expect("the executable has a folder"))
        .expect("creating a folder for the kefu binary");
    let path = folder.path().join("kefu");
    std::fs::hard_link(&built, &path)
        .unwrap_or_else(|error| panic!("linking {}: {error}", built.display()));
    KefuBinary {
        path,
        _folder: Some(folder),
    }
}

/// Builds `count` mails from the samples in tests/fixtures/email. Each
/// copy gets a Message-ID of its own (`<prefix>-<n>@crash.kefu.invalid`),
/// which replaces the sample's top-level Message-ID, so every copy is a
/// distinct message with a known external id.
pub fn mails(prefix: &str, count: usize) -> Vec<Input> {
    let samples = email_samples();
    (0..count)
        .map(|number| {
            let sample = &samples[number % samples.len()];
            let marker = format!("{prefix}-{number}@crash.kefu.invalid");
            Input {
                name: format!("{prefix}-{number:06}.eml"),
                bytes: with_message_id(sample, &marker),
                marker,
            }
        })
        .collect()
}

/// Reads every `.eml` sample, sorted by name.
fn email_samples() -> Vec<Vec<u8>> {
    let folder = fixtures().join("email");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("listing tests/fixtures/email")
        .map(|entry| entry.expect("listing tests/fixtures/email").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| std::fs::read(path).expect("reading an email sample"))
        .collect()
}

/// Returns `mail` with its top-level Message-ID header (and the header's
/// folded lines) removed and `Message-ID: <id>` added as the first line.
fn with_message_id(mail: &[u8], id: &str) -> Vec<u8> {
    let newline: &[u8] = if mail.windows(2).any(|pair| pair == b"\r\n") {
        b"\r\n"
    } else {
        b"\n"
    };
    let mut output = format!("Message-ID: <{id}>").into_bytes();
    output.extend_from_slice(newline);
    let mut in_headers = true;
    let mut dropping = false;
    for line in mail.split_inclusive(|&byte| byte == b'\n') {
        if in_headers {
            if line == b"\n" || line == b"\r\n" {
                in_headers = false;
            } else if line.starts_with(b" ") || line.starts_with(b"\t") {
                if dropping {
                    continue;
                }
            } else {
                dropping = line.len() >= 11 && line[..11].eq_ignore_ascii_case(b"message-id:");
                if dropping {
                    continue;
                }
            }
        }
        output.extend_from_slice(line);
    }
    output
}

/// Builds `count` Chatwoot `message_created` webhook bodies from the
/// sample, each with message id `first_id + n` and its own text.
pub fn chats(first_id: u64, count: usize) -> Vec<Input> {
    let sample = std::fs::read(fixtures().join("chat/chatwoot-webhook-message_created.json"))
        .expect("reading the Chatwoot sample");
    let sample: serde_json::Value =
        serde_json::from_slice(&sample).expect("the Chatwoot sample is JSON");
    (0..count)
        .map(|number| {
            let id = first_id + number as u64;
            let mut body = sample.clone();
            body["id"] = id.into();
            body["content"] = format!("第 {number} 条：请问我的退款到哪一步了？").into();
            Input {
                name: format!("chat-{id}.json"),
                bytes: serde_json::to_vec(&body).expect("encoding a chat body"),
                marker: format!("chatwoot:{id}"),
            }
        })
        .collect()
}

/// Builds an Asterisk `Master.csv` of `count` calls from the rows of the
/// pseudonymised sample, each with the unique id `<base>.<n>`. Returns the
/// file and the unique id of every call; a call's external id starts with
/// its unique id and `/`.
pub fn call_records(name: &str, base: u64, count: usize) -> (Input, Vec<String>) {
    let sample =
        std::fs::read_to_string(fixtures().join("phone/asterisk-Master-pseudonymized-218rows.csv"))
            .expect("reading the Asterisk sample");
    let rows: Vec<&str> = sample.lines().filter(|line| !line.is_empty()).collect();
    let mut text = String::new();
    let mut unique_ids = Vec::with_capacity(count);
    for number in 0..count {
        let row = rows[number % rows.len()];
        // The unique id is the 17th field, quoted, and no field before it
        // contains a comma inside quotes in this sample.
        let mut fields = split_csv_row(row);
        let unique_id = format!("{base}.{number}");
        fields[16] = format!("\"{unique_id}\"");
        text.push_str(&fields.join(","));
        text.push('\n');
        unique_ids.push(unique_id);
    }
    let input = Input {
        name: name.to_string(),
        bytes: text.into_bytes(),
        marker: format!("{base}."),
    };
    (input, unique_ids)
}

/// Splits one CSV row into its raw fields, quotes kept.
fn split_csv_row(row: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for character in row.chars() {
        match character {
            '"' => {
                quoted = !quoted;
                current.push(character);
            }
            ',' if !quoted => fields.push(std::mem::take(&mut current)),
            _ => current.push(character),
        }
    }
    fields.push(current);
    fields
}

/// Writes `input` into `folder` under a hidden temporary name and renames
/// it into place, as a well-behaved producer fills a drop folder.
pub fn drop_into(folder: &Path, input: &Input) {
    let temporary = folder.join(format!(".{}.part", input.name));
    std::fs::write(&temporary, &input.bytes).expect("writing a drop-folder file");
    std::fs::rename(&temporary, folder.join(&input.name)).expect("renaming a drop-folder file");
}

/// A `kefu` process with its own database, configuration and plugins
/// folder.
pub struct Kefu {
    pub child: Child,
    /// Lines of standard output. A thread reads the pipe to its end, so
    /// kefu does not block on a full pipe (64 KiB on Linux) when the test
    /// reads none of these lines.
    lines: Receiver<String>,
}

/// Folders one `kefu` run uses, all inside a test's temporary folder.
#[derive(Debug, Clone)]
pub struct KefuHome {
    pub binary: PathBuf,
    pub db: PathBuf,
    pub config: PathBuf,
    pub plugins: PathBuf,
}

impl KefuHome {
    /// Creates the configuration and plugins folders under `root`.
    pub fn new(binary: &Path, root: &Path) -> Self {
        let home = Self {
            binary: binary.to_path_buf(),
            db: root.join("kefu.db"),
            config: root.join("config"),
            plugins: root.join("plugins"),
        };
        std::fs::create_dir_all(&home.config).expect("creating the configuration folder");
        std::fs::create_dir_all(&home.plugins).expect("creating the plugins folder");
        home
    }

    /// Starts `kefu ARGS` on this home's database. Standard error goes to
    /// `log` so a failure can be read afterwards.
    pub fn start(&self, args: &[&str], log: &Path) -> Kefu {
        self.start_with(args, log, |_| {})
    }

    /// Starts `kefu ARGS` like [`KefuHome::start`], after `configure` has
    /// changed the command, for example its environment.
    pub fn start_with(
        &self,
        args: &[&str],
        log: &Path,
        configure: impl FnOnce(&mut Command),
    ) -> Kefu {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("opening the kefu log");
        let mut command = Command::new(&self.binary);
        command
            .arg("--db")
            .arg(&self.db)
            .arg("--config")
            .arg(&self.config)
            .arg("--plugins")
            .arg(&self.plugins)
            .args(args)
            .env("KEFU_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log);
        configure(&mut command);
        let mut child = command
            .spawn()
            .unwrap_or_else(|error| panic!("starting {}: {error}", self.binary.display()));
        let stdout = child.stdout.take().expect("kefu's standard output");
        let (sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else {
                    break;
                };
                // The receiver may be gone; the pipe is still read to its end.
                let _ = sender.send(line);
            }
        });
        Kefu { child, lines }
    }

    /// Runs `kefu ARGS` to the end and panics unless it succeeds.
    pub fn run(&self, args: &[&str], log: &Path) {
        let mut kefu = self.start(args, log);
        let status = kefu.child.wait().expect("waiting for kefu");
        assert!(
            status.success(),
            "kefu {args:?} failed with {status}; see {}",
            log.display()
        );
    }

    /// Writes webhook.toml for a server on 127.0.0.1:`port`. Every test
    /// request comes from one address, so the per-client rate limit is
    /// raised far above the default of 120 a minute.
    pub fn write_webhook_config(&self, port: u16) {
        let text = format!(
            "listen = \"127.0.0.1:{port}\"\ntoken = \"{WEBHOOK_TOKEN}\"\n\
             requests-per-minute = 1000000\nburst = 100000\n"
        );
        std::fs::write(self.config.join("webhook.toml"), text).expect("writing webhook.toml");
    }
}

impl Drop for Kefu {
    /// Kills a process still running, so a failed test leaves no server
    /// behind. Child::kill sends SIGKILL on Unix.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Kefu {
    /// Sends SIGKILL and reaps the process.
    pub fn kill(self) {
        drop(self);
    }

    /// Sends SIGTERM, which `kefu watch` and `kefu serve` handle as
    /// Ctrl-C, and waits for the process to end.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().expect("waiting for kefu")
    }

    /// Reads standard output until a line starting with `prefix`, and
    /// returns that line. Panics when the output ends first.
    pub fn wait_for_line(&mut self, prefix: &str) -> String {
        loop {
            let line = self
                .lines
                .recv()
                .unwrap_or_else(|_| panic!("kefu ended before printing {prefix:?}"));
            if line.starts_with(prefix) {
                return line;
            }
        }
    }

    /// Peak and current resident set size in KiB, from /proc/PID/status.
    pub fn memory_kib(&self) -> Option<(u64, u64)> {
        memory_kib(self.child.id())
    }
}

/// Peak (VmHWM) and current (VmRSS) resident set size of process `pid`
/// in KiB, from /proc, or `None` once the process is gone.
pub fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|value| value.parse().ok())
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// Returns a port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("finding a free port on 127.0.0.1")
        .port()
}

/// Posts `body` as JSON to `path` with the test token and returns the
/// response status, or the error when no complete response came back
/// (connection refused or reset, as when the server is killed).
pub fn post_json(address: SocketAddr, path: &str, body: &[u8]) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
         Authorization: Bearer {WEBHOOK_TOKEN}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response);
    text.strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("no complete status line in {} bytes", response.len()),
            )
        })
}

/// What a database holds, read once for the checks.
#[derive(Debug)]
pub struct Contents {
    /// Result of `PRAGMA integrity_check`: "ok" or the problems found.
    pub integrity: String,
    /// Messages per external id.
    pub by_external_id: HashMap<String, usize>,
    /// Messages without an external id.
    pub without_external_id: usize,
    /// Raw inputs whose SHA-256 occurs more than once.
    pub duplicate_raw_inputs: usize,
}

impl Contents {
    /// Reads `db` on a connection of its own.
    pub fn read(db: &Path) -> Self {
        let connection = Connection::open(db).expect("opening the database");
        let integrity = connection
            .prepare("PRAGMA integrity_check")
            .and_then(|mut statement| {
                statement
                    .query_map([], |row| row.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map(|lines| lines.join("; "))
            .unwrap_or_else(|error| format!("integrity_check failed: {error}"));
        let mut by_external_id = HashMap::new();
        let mut without_external_id = 0;
        // A kill before the first migration committed leaves a database
        // without tables, so it contains no message yet.
        let has_schema: bool = connection
            .query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'messages'",
                [],
                |row| row.get(0),
            )
            .expect("reading the schema");
        if !has_schema {
            return Self {
                integrity,
                by_external_id,
                without_external_id,
                duplicate_raw_inputs: 0,
            };
        }
        let mut statement = connection
            .prepare("SELECT external_id FROM messages")
            .expect("preparing the message query");
        let rows = statement
            .query_map([], |row| row.get::<_, Option<String>>(0))
            .expect("reading messages");
        for external_id in rows {
            match external_id.expect("reading a message") {
                Some(id) if !id.is_empty() => *by_external_id.entry(id).or_insert(0) += 1,
                _ => without_external_id += 1,
            }
        }
        let duplicate_raw_inputs = connection
            .query_row(
                "SELECT count(*) FROM (SELECT sha256 FROM raw_inputs GROUP BY sha256 \
                 HAVING count(*) > 1)",
                [],
                |row| row.get::<_, i64>(0),
            )
            .expect("counting raw inputs") as usize;
        Self {
            integrity,
            by_external_id,
            without_external_id,
            duplicate_raw_inputs,
        }
    }

    /// Number of messages stored with external id `marker`.
    pub fn count(&self, marker: &str) -> usize {
        self.by_external_id.get(marker).copied().unwrap_or(0)
    }

    /// External ids stored more than once.
    pub fn duplicates(&self) -> Vec<(&str, usize)> {
        let mut duplicates: Vec<(&str, usize)> = self
            .by_external_id
            .iter()
            .filter(|(_, count)| **count > 1)
            .map(|(id, count)| (id.as_str(), *count))
            .collect();
        duplicates.sort();
        duplicates
    }
}
