//! Test certificates made at run time with the `openssl` command: a CA and
//! a server certificate it signs for 127.0.0.1 and localhost, a second CA
//! that signed nothing the servers present, and two self-signed server
//! certificates for the same names, one with basicConstraints CA:FALSE
//! and one with CA:TRUE.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

/// PEM files in a temporary folder, deleted when dropped.
pub struct TestCertificates {
    folder: TempDir,
}

impl TestCertificates {
    /// Generates the CAs and the server certificate. Returns `None`, after
    /// printing why, when `openssl` is not installed, or panics when
    /// `KEFU_REQUIRE_SERVERS` is set.
    pub fn generate() -> Option<Self> {
        if Command::new("openssl")
            .arg("version")
            .stdout(Stdio::null())
            .status()
            .is_err()
        {
            let reason = "openssl is not installed (Debian package openssl)";
            if std::env::var_os(crate::dovecot::REQUIRE_SERVERS_ENV).is_some() {
                panic!(
                    "{reason}, and {} is set",
                    crate::dovecot::REQUIRE_SERVERS_ENV
                );
            }
            eprintln!("skipping: {reason}");
            return None;
        }

        let folder = tempfile::tempdir().expect("creating the certificate folder");
        let root = folder.path();
        for name in ["ca", "other-ca"] {
            openssl(
                root,
                &[
                    "req",
                    "-x509",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-nodes",
                    "-days",
                    "2",
                    "-subj",
                    &format!("/CN=Kefu test {name}"),
                    "-keyout",
                    &format!("{name}.key"),
                    "-out",
                    &format!("{name}.pem"),
                ],
            );
        }

        openssl(
            root,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-subj",
                "/CN=localhost",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
            ],
        );

        std::fs::write(
            root.join("server.ext"),
            "subjectAltName = IP:127.0.0.1, DNS:localhost\nbasicConstraints = CA:FALSE\n\
             keyUsage = digitalSignature\nextendedKeyUsage = serverAuth\n",
        )
        .expect("writing the certificate extensions");
        openssl(
            root,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "server.ext",
                "-out",
                "server.pem",
            ],
        );

        // `openssl req -x509` marks a certificate CA:TRUE when no
        // basicConstraints is given, so both set it explicitly.
        for (name, constraints) in [
            ("self-signed", "critical,CA:FALSE"),
            ("self-signed-ca", "critical,CA:TRUE"),
        ] {
            openssl(
                root,
                &[
                    "req",
                    "-x509",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-nodes",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=localhost",
                    "-addext",
                    "subjectAltName = IP:127.0.0.1, DNS:localhost",
                    "-addext",
                    &format!("basicConstraints = {constraints}"),
                    "-keyout",
                    &format!("{name}.key"),
                    "-out",
                    &format!("{name}.pem"),
                ],
            );
        }

        // Servers that drop privileges read the key as another user.
        for file in [
            "server.key",
            "server.pem",
            "ca.pem",
            "self-signed.key",
            "self-signed.pem",
            "self-signed-ca.key",
            "self-signed-ca.pem",
        ] {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(root.join(file), std::fs::Permissions::from_mode(0o644))
                .expect("opening a certificate file to other users");
        }
        Some(Self { folder })
    }

    /// Returns the CA that signed the server certificate.
    pub fn ca(&self) -> PathBuf {
        self.folder.path().join("ca.pem")
    }

    /// Returns a CA that did not sign the server certificate.
    pub fn other_ca(&self) -> PathBuf {
        self.folder.path().join("other-ca.pem")
    }

    /// Returns the server certificate, valid for 127.0.0.1 and localhost.
    pub fn server_certificate(&self) -> PathBuf {
        self.folder.path().join("server.pem")
    }

    /// Returns the server certificate's private key.
    pub fn server_key(&self) -> PathBuf {
        self.folder.path().join("server.key")
    }

    /// Returns a self-signed server certificate for 127.0.0.1 and
    /// localhost with basicConstraints CA:FALSE, and its key.
    pub fn self_signed(&self) -> (PathBuf, PathBuf) {
        let root = self.folder.path();
        (root.join("self-signed.pem"), root.join("self-signed.key"))
    }

    /// Returns a self-signed server certificate for 127.0.0.1 and
    /// localhost with basicConstraints CA:TRUE, as `openssl req -x509`
    /// makes by default, and its key.
    pub fn self_signed_ca(&self) -> (PathBuf, PathBuf) {
        let root = self.folder.path();
        (
            root.join("self-signed-ca.pem"),
            root.join("self-signed-ca.key"),
        )
    }
}

fn openssl(folder: &Path, arguments: &[&str]) {
    let output = Command::new("openssl")
        .args(arguments)
        .current_dir(folder)
        .output()
        .expect("running openssl");
    assert!(
        output.status.success(),
        "openssl {} failed: {}",
        arguments.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}
