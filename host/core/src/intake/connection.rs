//! Opening an IMAP connection: TCP with timeouts, then TLS from the first
//! byte, TLS after STARTTLS, or neither, as the account's `security` sets,
//! and the login.
//!
//! The imap crate's own connection builder trusts only the system's
//! certificates and takes no extra CA, so the TLS handshake runs here and
//! the finished stream is handed to [`imap::Client::new`].

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use super::config::{FILE_NAME, ImapAccount, Security};
use crate::tls::{self, TlsStream};

/// Time allowed to open the TCP connection to each address of the host.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Time allowed for each read and write outside IDLE, which sets its own.
const IO_TIMEOUT: Duration = Duration::from_secs(120);

/// Maximum length of a line before TLS starts (greeting and STARTTLS reply).
const MAX_PLAIN_LINE: usize = 8192;

/// A logged-in IMAP session.
pub type Session = imap::Session<imap::Connection>;

/// IDLE sets a read timeout on the stream while it waits.
impl imap::extensions::idle::SetReadTimeout for TlsStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> imap::error::Result<()> {
        self.socket()
            .set_read_timeout(timeout)
            .map_err(imap::Error::Io)
    }
}

/// Connects to the account's server, logs in and returns the session with
/// a second handle on its TCP socket, which can shut the connection down
/// from another thread.
pub fn open_session(account: &ImapAccount) -> anyhow::Result<(Session, TcpStream)> {
    let password = account.read_password()?;
    let tcp = connect_tcp(account)?;
    let socket = tcp
        .try_clone()
        .context("duplicating the IMAP socket handle")?;
    let client = match account.security {
        Security::None => {
            let mut client = imap::Client::new(Box::new(tcp) as imap::Connection);
            client
                .read_greeting()
                .map_err(|error| lost(account, error))?;
            client
        }
        Security::Tls => {
            let stream = start_tls(account, tcp)?;
            let mut client = imap::Client::new(Box::new(stream) as imap::Connection);
            client
                .read_greeting()
                .map_err(|error| lost(account, error))?;
            client
        }
        Security::Starttls => {
            let mut tcp = tcp;
            request_starttls(account, &mut tcp)?;
            let stream = start_tls(account, tcp)?;
            let mut client = imap::Client::new(Box::new(stream) as imap::Connection);
            // The greeting came before STARTTLS, in plain text.
            client.greeting_read = true;
            client
        }
    };
    let session = client
        .login(&account.user, &password)
        .map_err(|(error, _)| error)
        .with_context(|| {
            format!(
                "IMAP account {}: login as {} failed; check user and the password source",
                account.name, account.user
            )
        })?;
    tracing::info!(
        account = account.name,
        host = account.host,
        security = ?account.security,
        "logged in to the IMAP server"
    );
    Ok((session, socket))
}

fn lost(account: &ImapAccount, error: imap::Error) -> anyhow::Error {
    anyhow::Error::from(error).context(format!(
        "IMAP account {}: reading the greeting of {}:{} failed; check port and security in \
         {FILE_NAME}",
        account.name, account.host, account.port
    ))
}

/// Opens the TCP connection, trying each address of the host in turn.
fn connect_tcp(account: &ImapAccount) -> anyhow::Result<TcpStream> {
    let failed = || {
        format!(
            "IMAP account {}: connecting to {}:{} failed; check host and port in {FILE_NAME}",
            account.name, account.host, account.port
        )
    };
    let addresses = (account.host.as_str(), account.port)
        .to_socket_addrs()
        .with_context(failed)?;
    let mut last_error = None;
    for address in addresses {
        match TcpStream::connect_timeout(&address, CONNECT_TIMEOUT) {
            Ok(tcp) => {
                tcp.set_read_timeout(Some(IO_TIMEOUT))?;
                tcp.set_write_timeout(Some(IO_TIMEOUT))?;
                return Ok(tcp);
            }
            Err(error) => last_error = Some(error),
        }
    }
    let error = last_error.unwrap_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::NotFound, "the host has no address")
    });
    Err(anyhow::Error::from(error).context(failed()))
}

/// Runs the TLS handshake, trusting the account's `ca-file` besides the
/// Mozilla roots.
fn start_tls(account: &ImapAccount, tcp: TcpStream) -> anyhow::Result<TlsStream> {
    let extra_roots = match &account.ca_file {
        Some(path) => tls::read_ca_file(path, FILE_NAME)?,
        None => Vec::new(),
    };
    let config = Arc::new(tls::client_config(&extra_roots)?);
    TlsStream::connect(config, &account.host, tcp, FILE_NAME)
        .with_context(|| format!("IMAP account {}", account.name))
}

/// Reads the greeting and sends STARTTLS over plain TCP. Reads one byte
/// at a time, so that no byte sent before the handshake is taken as part
/// of the encrypted session.
fn request_starttls(account: &ImapAccount, tcp: &mut TcpStream) -> anyhow::Result<()> {
    let context = || {
        format!(
            "IMAP account {}: starting TLS with {}:{}",
            account.name, account.host, account.port
        )
    };
    let greeting = read_plain_line(tcp).with_context(context)?;
    if !greeting.starts_with("* OK") && !greeting.starts_with("* PREAUTH") {
        anyhow::bail!(
            "IMAP account {}: {}:{} did not greet as an IMAP server ({:?}); check port and \
             security in {FILE_NAME}",
            account.name,
            account.host,
            account.port,
            greeting.trim_end()
        );
    }
    tcp.write_all(b"K1 STARTTLS\r\n").with_context(context)?;
    loop {
        let line = read_plain_line(tcp).with_context(context)?;
        if line.starts_with("* ") {
            continue;
        }
        if line.starts_with("K1 OK") {
            return Ok(());
        }
        anyhow::bail!(
            "IMAP account {}: {} does not offer STARTTLS (it replied {:?}); set security = \
             \"tls\" with the server's TLS port, or ask its administrator to enable STARTTLS",
            account.name,
            account.host,
            line.trim_end()
        );
    }
}

fn read_plain_line(tcp: &mut TcpStream) -> anyhow::Result<String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\r\n") {
        if line.len() >= MAX_PLAIN_LINE {
            anyhow::bail!("the server sent a line longer than {MAX_PLAIN_LINE} bytes");
        }
        if tcp.read(&mut byte)? == 0 {
            anyhow::bail!("the server closed the connection");
        }
        line.push(byte[0]);
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}
