//! TLS for the mail connections: which certificates are trusted, and
//! errors that name the server whose certificate failed and how to trust it.
//!
//! A server's certificate must chain to one of the Mozilla root
//! certificates that `webpki-roots` carries (the same set lettre and ureq
//! use here), or to the certificate that the configuration names with
//! `ca-file`. That is the CA that signed it, or the server's own
//! self-signed certificate when it has basicConstraints CA:FALSE and names
//! the host. Nothing turns verification off.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

/// Reads the PEM certificates in `path`, as named by a `ca-file` key of
/// `file_name`. Errors when the file cannot be read or contains no
/// certificate.
pub fn read_ca_file(path: &Path, file_name: &str) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let bytes = std::fs::read(path).map_err(|error| {
        anyhow::anyhow!(
            "reading the ca-file {} named in {file_name} failed: {error}; point ca-file at the \
             PEM file of the CA that signed the server's certificate",
            path.display()
        )
    })?;
    let certificates = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| {
            anyhow::anyhow!(
                "the ca-file {} named in {file_name} is not valid PEM: {error}",
                path.display()
            )
        })?;
    if certificates.is_empty() {
        anyhow::bail!(
            "the ca-file {} named in {file_name} contains no certificate; it must contain \
             \"-----BEGIN CERTIFICATE-----\" blocks",
            path.display()
        );
    }
    Ok(certificates)
}

/// Builds a client configuration that trusts the Mozilla roots plus
/// `extra_roots`.
pub fn client_config(extra_roots: &[CertificateDer<'static>]) -> anyhow::Result<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for certificate in extra_roots {
        roots
            .add(certificate.clone())
            .map_err(|error| anyhow::anyhow!("the ca-file certificate is unusable: {error}"))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// A TLS connection over TCP whose handshake has completed.
pub struct TlsStream(StreamOwned<ClientConnection, TcpStream>);

impl std::fmt::Debug for TlsStream {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("TlsStream")
            .field("peer", &self.0.sock.peer_addr().ok())
            .finish()
    }
}

impl TlsStream {
    /// Runs the TLS handshake with `host` over `tcp` and verifies its
    /// certificate. The error names `host` and, for a certificate that does
    /// not verify, asks the user to set `ca-file` in `file_name`.
    pub fn connect(
        config: Arc<ClientConfig>,
        host: &str,
        mut tcp: TcpStream,
        file_name: &str,
    ) -> anyhow::Result<Self> {
        let server_name = ServerName::try_from(host.to_string()).map_err(|error| {
            anyhow::anyhow!("{host:?} is not a valid server name for TLS: {error}")
        })?;
        let mut connection = ClientConnection::new(config, server_name)?;
        while connection.is_handshaking() {
            if let Err(error) = connection.complete_io(&mut tcp) {
                return Err(handshake_error(host, &error, file_name));
            }
        }
        Ok(Self(StreamOwned::new(connection, tcp)))
    }

    /// Returns the TCP socket under the TLS layer.
    pub fn socket(&self) -> &TcpStream {
        &self.0.sock
    }
}

impl Read for TlsStream {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buffer)
    }
}

impl Write for TlsStream {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        self.0.write(buffer)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Describes a failed handshake with `host`.
fn handshake_error(host: &str, error: &std::io::Error, file_name: &str) -> anyhow::Error {
    match certificate_problem(error) {
        Some(problem) => anyhow::anyhow!(
            "{}",
            problem.describe(host, &format!("ca-file in {file_name}"))
        ),
        None => anyhow::anyhow!("the TLS handshake with {host} failed: {error}"),
    }
}

/// Reason a server certificate was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateProblem {
    /// The server presented a CA certificate (basicConstraints CA:TRUE) as
    /// its own. `openssl req -x509` makes such certificates by default.
    /// rustls rejects them even when `ca-file` names the same certificate.
    CaCertificateAsServer,
    /// Any other reason, such as an unknown issuer or a name the
    /// certificate does not cover, as rustls describes it.
    Other(String),
}

impl CertificateProblem {
    /// Describes the problem with the certificate of `server` and what to
    /// change. `setting` names the key and file that set the trusted
    /// certificate, such as "ca-file in intake.toml".
    pub fn describe(&self, server: &str, setting: &str) -> String {
        match self {
            Self::CaCertificateAsServer => format!(
                "the TLS certificate of {server} did not verify: it is a CA certificate \
                 (basicConstraints CA:TRUE), which a TLS server may not present as its own. \
                 Give the server a certificate with basicConstraints CA:FALSE and a \
                 subjectAltName for its host name, either self-signed or signed by this CA, \
                 and set {setting} to the PEM file of that self-signed certificate or of the CA"
            ),
            Self::Other(reason) => format!(
                "the TLS certificate of {server} did not verify ({reason}); if the server uses \
                 a self-signed certificate or a private CA, set {setting} to the PEM file of \
                 that certificate or CA"
            ),
        }
    }
}

/// Finds a rejected server certificate in an error chain and returns why
/// it was rejected.
pub fn certificate_problem(
    error: &(dyn std::error::Error + 'static),
) -> Option<CertificateProblem> {
    let mut cause = Some(error);
    while let Some(current) = cause {
        // An io::Error's source() skips the error it wraps, so look inside.
        let inner = current
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|inner| inner as &(dyn std::error::Error + 'static));
        for candidate in [Some(current), inner].into_iter().flatten() {
            if let Some(rustls::Error::InvalidCertificate(reason)) =
                candidate.downcast_ref::<rustls::Error>()
            {
                return Some(classify(reason));
            }
        }
        cause = current.source();
    }
    None
}

fn classify(reason: &rustls::CertificateError) -> CertificateProblem {
    // rustls passes the errors of webpki that it has no variant for, this
    // one among them, as `Other`.
    if let rustls::CertificateError::Other(other) = reason
        && let Some(webpki::Error::CaUsedAsEndEntity) = other.0.downcast_ref::<webpki::Error>()
    {
        return CertificateProblem::CaCertificateAsServer;
    }
    CertificateProblem::Other(reason.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_file_without_certificate_is_rejected() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("ca.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let error = read_ca_file(&path, "intake.toml").unwrap_err().to_string();
        assert!(error.contains(&path.display().to_string()), "{error}");
        assert!(error.contains("no certificate"), "{error}");
    }

    #[test]
    fn missing_ca_file_is_named() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("missing.pem");
        let error = read_ca_file(&path, "outgoing.toml")
            .unwrap_err()
            .to_string();
        assert!(error.contains("missing.pem"), "{error}");
        assert!(error.contains("outgoing.toml"), "{error}");
    }
}
