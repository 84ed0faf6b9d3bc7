//! Mail helpers for the outbound and threading tests: a real customer mail
//! from the fixtures, header rewriting, the team's configuration and a
//! real SMTP server on loopback.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::outbound::OutgoingConfig;

/// The team's address in the tests' outgoing configuration.
pub const TEAM_ADDRESS: &str = "support@kefu.example";

/// Returns a real customer mail: the GB2312 fixture of a reply chain,
/// without the mailing-list headers that make it bulk mail, so that it
/// opens a ticket.
pub fn customer_mail() -> Vec<u8> {
    let bytes =
        std::fs::read(crate::fixtures().join("email/01-cn-gb2312-reply-chain-outlook-quote.eml"))
            .expect("reading the fixture mail");
    rewrite_headers(
        &bytes,
        &[
            "Precedence",
            "List-Id",
            "List-Unsubscribe",
            "List-Post",
            "List-Help",
            "List-Subscribe",
            "List-Archive",
            "List-Owner",
            "Mailing-List",
            "X-Mailing-List",
            "Auto-Submitted",
        ],
        &[],
    )
}

/// Removes every header named in `drop` (with its folded lines) from a
/// mail's header block and appends `set` before the blank line. Names
/// compare without letter case; the body stays byte for byte.
pub fn rewrite_headers(mail: &[u8], drop: &[&str], set: &[(&str, &str)]) -> Vec<u8> {
    let (end, separator) = header_end(mail);
    let header = &mail[..end];
    let line_ending: &[u8] = if separator.starts_with(b"\r") {
        b"\r\n"
    } else {
        b"\n"
    };

    let mut out = Vec::with_capacity(mail.len() + 256);
    let mut dropping = false;
    for line in split_lines(header) {
        let continued = line
            .first()
            .is_some_and(|byte| *byte == b' ' || *byte == b'\t');
        if !continued {
            let name = line
                .iter()
                .position(|byte| *byte == b':')
                .map(|colon| String::from_utf8_lossy(&line[..colon]).trim().to_string())
                .unwrap_or_default();
            dropping = drop
                .iter()
                .any(|dropped| dropped.eq_ignore_ascii_case(&name));
        }
        if !dropping {
            out.extend_from_slice(line);
        }
    }
    for (name, value) in set {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(line_ending);
    }
    out.extend_from_slice(separator);
    out.extend_from_slice(&mail[end + separator.len()..]);
    out
}

/// Returns where the header block ends and the blank line that ends it.
fn header_end(mail: &[u8]) -> (usize, &'static [u8]) {
    let crlf = find(mail, b"\r\n\r\n");
    let lf = find(mail, b"\n\n");
    match (crlf, lf) {
        (Some(crlf), Some(lf)) if crlf < lf => (crlf + 2, b"\r\n"),
        (_, Some(lf)) => (lf + 1, b"\n"),
        (Some(crlf), None) => (crlf + 2, b"\r\n"),
        (None, None) => panic!("the mail has no blank line after its headers"),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Splits bytes into lines that keep their line endings.
fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (index, byte) in bytes.iter().enumerate() {
        if *byte == b'\n' {
            lines.push(&bytes[start..=index]);
            start = index + 1;
        }
    }
    if start < bytes.len() {
        lines.push(&bytes[start..]);
    }
    lines
}

/// Makes the store's writes follow an outgoing configuration with the
/// team's address and, when `smtp_port` is given, a plain SMTP server on
/// loopback at that port.
pub fn with_team_address(store: &mut Store, smtp_port: Option<u16>) {
    with_outgoing(store, smtp_port, "");
}

/// Like [`with_team_address`], with `extra` settings appended to the
/// file's top level.
pub fn with_outgoing(store: &mut Store, smtp_port: Option<u16>, extra: &str) {
    let mut text = format!("from = \"{TEAM_ADDRESS}\"\nfrom-name = \"客服团队\"\n{extra}\n");
    if let Some(port) = smtp_port {
        text.push_str(&format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\ntimeout-seconds = 10\n"
        ));
    }
    let outgoing = OutgoingConfig::parse(&text, "outgoing.toml").expect("parsing outgoing.toml");
    let desk = Desk {
        outgoing,
        ..Desk::default()
    };
    store.set_desk(Arc::new(desk));
}

/// Like [`with_team_address`], with the SMTP server at `smtp_port` reached
/// with `security` ("none", "starttls" or "tls") and trusting `ca_file`.
pub fn with_smtp_security(
    store: &mut Store,
    smtp_port: u16,
    security: &str,
    ca_file: Option<&Path>,
) {
    let mut text = format!(
        "from = \"{TEAM_ADDRESS}\"\n[smtp]\nhost = \"127.0.0.1\"\nport = {smtp_port}\n\
         security = \"{security}\"\ntimeout-seconds = 10\n"
    );
    if let Some(path) = ca_file {
        text.push_str(&format!("ca-file = {:?}\n", path.display().to_string()));
    }
    let outgoing = OutgoingConfig::parse(&text, "outgoing.toml").expect("parsing outgoing.toml");
    let desk = Desk {
        outgoing,
        ..Desk::default()
    };
    store.set_desk(Arc::new(desk));
}

/// TLS of a test SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP.
    None,
    /// STARTTLS offered and required before any mail is accepted.
    Starttls,
    /// TLS from the first byte (SMTPS).
    Implicit,
}

/// Returns a loopback port no one listens on now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a free port");
    listener.local_addr().expect("reading the port").port()
}

/// A real SMTP server (aiosmtpd, from Debian's python3-aiosmtpd) on
/// loopback that stores each mail it accepts in a Maildir. It stops when
/// dropped.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    pub maildir: PathBuf,
}

impl SmtpServer {
    /// Starts the server on `port`, storing mail in `maildir`. Returns
    /// `None`, after printing why, when aiosmtpd is not installed and
    /// KEFU_REQUIRE_SERVERS is not 1; panics when it is 1.
    pub fn start(port: u16, maildir: &Path) -> Option<Self> {
        Self::start_with(port, maildir, SmtpTls::None, None)
    }

    /// Starts the server with `tls`, presenting the server certificate of
    /// `certificates`, as [`SmtpServer::start`] does.
    pub fn start_with(
        port: u16,
        maildir: &Path,
        tls: SmtpTls,
        certificates: Option<&crate::certificates::TestCertificates>,
    ) -> Option<Self> {
        let Some(python) = python_with_aiosmtpd() else {
            let message = "aiosmtpd is not installed (apt-get install python3-aiosmtpd)";
            if std::env::var("KEFU_REQUIRE_SERVERS").as_deref() == Ok("1") {
                panic!("{message}, and KEFU_REQUIRE_SERVERS=1 requires it");
            }
            eprintln!("skipped: {message}");
            return None;
        };
        let mut command = Command::new(python);
        command
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"));
        if tls != SmtpTls::None {
            let certificates = certificates.expect("a TLS server needs certificates");
            let (certificate_flag, key_flag) = match tls {
                SmtpTls::Implicit => ("--smtpscert", "--smtpskey"),
                _ => ("--tlscert", "--tlskey"),
            };
            command
                .arg(certificate_flag)
                .arg(certificates.server_certificate())
                .arg(key_flag)
                .arg(certificates.server_key());
        }
        let child = command
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting aiosmtpd");
        let server = Self {
            child,
            port,
            maildir: maildir.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not listen on port {port} within 20 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(server)
    }

    /// Returns the bytes of every mail the server stored, oldest first.
    pub fn mails(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = ["new", "cur"]
            .iter()
            .filter_map(|folder| std::fs::read_dir(self.maildir.join(folder)).ok())
            .flatten()
            .map(|entry| entry.expect("reading the Maildir").path())
            .map(|path| {
                let modified = std::fs::metadata(&path)
                    .and_then(|metadata| metadata.modified())
                    .expect("reading a mail's time");
                (modified, path)
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|(_, path)| std::fs::read(path).expect("reading a stored mail"))
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Returns a Python interpreter that can import aiosmtpd. Debian's package
/// installs into the system Python, which may not be the first on PATH.
fn python_with_aiosmtpd() -> Option<&'static str> {
    ["python3", "/usr/bin/python3"].into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    })
}
