//! `intake.toml`: the drop folders to watch and the IMAP accounts to fetch.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;

/// Name of the intake file in the configuration folder.
pub const FILE_NAME: &str = "intake.toml";

/// Poll interval of an IMAP account that sets none.
pub const DEFAULT_POLL_SECONDS: u64 = 300;

/// Shortest poll interval accepted, so a typo cannot hammer a mail server.
pub const MIN_POLL_SECONDS: u64 = 10;

/// The drop folders and IMAP accounts of `intake.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct IntakeConfig {
    #[serde(default, rename = "drop-folder")]
    pub drop_folders: Vec<DropFolderConfig>,
    #[serde(default, rename = "imap")]
    pub imap_accounts: Vec<ImapAccount>,
}

/// One `[[drop-folder]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DropFolderConfig {
    /// The folder: a Maildir (with `new/` or `cur/`) or a folder of files.
    pub path: PathBuf,
}

/// Protection of the connection to an IMAP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Security {
    /// Plain TCP. The password crosses the network readable, so use it only
    /// with a server on the same machine.
    None,
    /// Plain TCP upgraded with the STARTTLS command, usually on port 143.
    Starttls,
    /// TLS from the first byte, usually on port 993.
    Tls,
}

/// Source of an IMAP account's password. The password itself is never
/// written in `intake.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    /// An environment variable, by name.
    Env(String),
    /// A file whose first line is the password.
    File(PathBuf),
}

/// One `[[imap]]` account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImapAccount {
    /// Name in logs, summaries and `kefu fetch --account`; defaults to
    /// `user@host`.
    pub name: String,
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: String,
    pub password: PasswordSource,
    /// Mailbox to fetch from, `INBOX` by default.
    pub folder: String,
    /// Time between two fetches with `kefu fetch --watch` and in the app.
    pub poll_interval: Duration,
    /// Mailbox that fetched mail is moved to after it is stored. Without
    /// it, fetched mail stays in `folder`, flagged `\Seen`.
    pub move_to: Option<String>,
    /// PEM file of a CA to trust besides the Mozilla roots, for a server
    /// whose certificate is self-signed or signed by a private CA.
    pub ca_file: Option<PathBuf>,
}

/// An `[[imap]]` table as written, before the password keys are checked.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawImapAccount {
    name: Option<String>,
    host: String,
    port: Option<u16>,
    security: Security,
    user: String,
    password_env: Option<String>,
    password_file: Option<PathBuf>,
    #[serde(default = "default_folder")]
    folder: String,
    #[serde(default = "default_poll_seconds")]
    poll_interval_seconds: u64,
    move_to: Option<String>,
    ca_file: Option<PathBuf>,
}

fn default_folder() -> String {
    "INBOX".to_string()
}

fn default_poll_seconds() -> u64 {
    DEFAULT_POLL_SECONDS
}

impl<'de> Deserialize<'de> for ImapAccount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let raw = RawImapAccount::deserialize(deserializer)?;
        let password = match (raw.password_env, raw.password_file) {
            (Some(name), None) => PasswordSource::Env(name),
            (None, Some(path)) => PasswordSource::File(path),
            (Some(_), Some(_)) => {
                return Err(D::Error::custom(format!(
                    "account {}@{} sets both password-env and password-file; keep one",
                    raw.user, raw.host
                )));
            }
            (None, None) => {
                return Err(D::Error::custom(format!(
                    "account {}@{} has no password source; set password-env to the name of an \
                     environment variable or password-file to a file holding the password",
                    raw.user, raw.host
                )));
            }
        };
        if raw.poll_interval_seconds < MIN_POLL_SECONDS {
            return Err(D::Error::custom(format!(
                "account {}@{}: poll-interval-seconds = {} is below the minimum of {}",
                raw.user, raw.host, raw.poll_interval_seconds, MIN_POLL_SECONDS
            )));
        }
        if raw.host.trim().is_empty() {
            return Err(D::Error::custom(
                "host is empty; set the IMAP server's name",
            ));
        }
        if raw.move_to.as_deref() == Some(raw.folder.as_str()) {
            return Err(D::Error::custom(format!(
                "account {}@{}: move-to = {:?} is the folder fetched from; name another \
                 mailbox or remove move-to",
                raw.user, raw.host, raw.folder
            )));
        }
        if raw.ca_file.is_some() && raw.security == Security::None {
            return Err(D::Error::custom(format!(
                "account {}@{}: ca-file is set but security = \"none\" uses no TLS; set \
                 security to \"tls\" or \"starttls\", or remove ca-file",
                raw.user, raw.host
            )));
        }
        let port = raw.port.unwrap_or(match raw.security {
            Security::Tls => 993,
            Security::None | Security::Starttls => 143,
        });
        Ok(ImapAccount {
            name: raw
                .name
                .unwrap_or_else(|| format!("{}@{}", raw.user, raw.host)),
            host: raw.host,
            port,
            security: raw.security,
            user: raw.user,
            password,
            folder: raw.folder,
            poll_interval: Duration::from_secs(raw.poll_interval_seconds),
            move_to: raw.move_to,
            ca_file: raw.ca_file,
        })
    }
}

impl IntakeConfig {
    /// Reads `intake.toml` from `config_dir`. A missing file means no drop
    /// folders and no IMAP accounts. Relative drop-folder, password-file and
    /// ca-file paths are taken from `config_dir`. Errors when a ca-file
    /// cannot be read or contains no certificate.
    pub fn load(config_dir: &Path) -> anyhow::Result<Self> {
        let path = config_dir.join(FILE_NAME);
        let text = match crate::desk::read_config(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::default());
            }
            Err(error) => anyhow::bail!("reading {}: {error}", path.display()),
        };
        let mut config = Self::parse(&text, &path.display().to_string())?;
        for folder in &mut config.drop_folders {
            folder.path = config_dir.join(&folder.path);
        }
        for account in &mut config.imap_accounts {
            if let PasswordSource::File(file) = &mut account.password {
                *file = config_dir.join(&*file);
            }
            if let Some(ca_file) = &mut account.ca_file {
                *ca_file = config_dir.join(&*ca_file);
                crate::tls::read_ca_file(ca_file, &path.display().to_string())
                    .with_context(|| format!("IMAP account {}", account.name))?;
            }
        }
        Ok(config)
    }

    /// Parses an intake file. `source_name` names the text in errors, which
    /// give the line, the key and the value that are wrong.
    pub fn parse(text: &str, source_name: &str) -> anyhow::Result<Self> {
        let config: Self = toml::from_str(text)
            .map_err(|error| anyhow::anyhow!("{source_name}: {}", error.to_string().trim_end()))?;
        let mut names = std::collections::HashSet::new();
        for account in &config.imap_accounts {
            if !names.insert(account.name.as_str()) {
                anyhow::bail!(
                    "{source_name}: two [[imap]] accounts are named {:?}; give each a distinct \
                     name",
                    account.name
                );
            }
        }
        Ok(config)
    }

    /// True when nothing is configured.
    pub fn is_empty(&self) -> bool {
        self.drop_folders.is_empty() && self.imap_accounts.is_empty()
    }
}

impl ImapAccount {
    /// Reads the password from its source. The error names the variable or
    /// file, never the password.
    pub fn read_password(&self) -> anyhow::Result<String> {
        match &self.password {
            PasswordSource::Env(name) => std::env::var(name).map_err(|_| {
                anyhow::anyhow!(
                    "IMAP account {}: the environment variable {name} named by password-env is \
                     not set or not UTF-8; export it before starting Kefu",
                    self.name
                )
            }),
            PasswordSource::File(path) => {
                let text = std::fs::read_to_string(path).map_err(|error| {
                    anyhow::anyhow!(
                        "IMAP account {}: cannot read the password-file {}: {error}",
                        self.name,
                        path.display()
                    )
                })?;
                Ok(text.lines().next().unwrap_or_default().to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
[[drop-folder]]
path = "/srv/kefu/drop"

[[imap]]
name = "support"
host = "imap.example.com"
security = "tls"
user = "support@example.com"
password-env = "KEFU_IMAP_PASSWORD"
folder = "INBOX"
poll-interval-seconds = 60
move-to = "Kefu/Stored"
"#;

    #[test]
    fn full_file_parses() {
        let config = IntakeConfig::parse(FULL, "intake.toml").unwrap();
        assert_eq!(config.drop_folders.len(), 1);
        let account = &config.imap_accounts[0];
        assert_eq!(account.name, "support");
        assert_eq!(account.port, 993, "tls defaults to port 993");
        assert_eq!(account.security, Security::Tls);
        assert_eq!(
            account.password,
            PasswordSource::Env("KEFU_IMAP_PASSWORD".into())
        );
        assert_eq!(account.poll_interval, Duration::from_secs(60));
        assert_eq!(account.move_to.as_deref(), Some("Kefu/Stored"));
    }

    #[test]
    fn defaults_apply() {
        let text = r#"
[[imap]]
host = "127.0.0.1"
security = "starttls"
user = "kefu"
password-file = "imap-password"
"#;
        let config = IntakeConfig::parse(text, "intake.toml").unwrap();
        let account = &config.imap_accounts[0];
        assert_eq!(account.name, "kefu@127.0.0.1");
        assert_eq!(account.port, 143);
        assert_eq!(account.folder, "INBOX");
        assert_eq!(
            account.poll_interval,
            Duration::from_secs(DEFAULT_POLL_SECONDS)
        );
        assert_eq!(account.move_to, None);
    }

    #[test]
    fn unknown_security_names_line_and_value() {
        let text =
            "[[imap]]\nhost = \"h\"\nsecurity = \"ssl\"\nuser = \"u\"\npassword-env = \"P\"\n";
        let error = IntakeConfig::parse(text, "intake.toml")
            .unwrap_err()
            .to_string();
        assert!(error.contains("intake.toml"), "{error}");
        assert!(error.contains("line 3"), "{error}");
        assert!(error.contains("ssl"), "{error}");
        assert!(error.contains("starttls"), "{error}");
    }

    #[test]
    fn misspelled_key_is_rejected() {
        let text = "[[drop-folder]]\npth = \"/tmp\"\n";
        let error = IntakeConfig::parse(text, "intake.toml")
            .unwrap_err()
            .to_string();
        assert!(error.contains("line 2"), "{error}");
        assert!(error.contains("pth"), "{error}");
    }

    #[test]
    fn password_sources_are_exclusive() {
        let both = "[[imap]]\nhost = \"h\"\nsecurity = \"tls\"\nuser = \"u\"\n\
                    password-env = \"P\"\npassword-file = \"f\"\n";
        let error = IntakeConfig::parse(both, "intake.toml")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("both password-env and password-file"),
            "{error}"
        );
        let neither = "[[imap]]\nhost = \"h\"\nsecurity = \"tls\"\nuser = \"u\"\n";
        let error = IntakeConfig::parse(neither, "intake.toml")
            .unwrap_err()
            .to_string();
        assert!(error.contains("no password source"), "{error}");
    }

    #[test]
    fn short_poll_interval_is_rejected() {
        let text = "[[imap]]\nhost = \"h\"\nsecurity = \"tls\"\nuser = \"u\"\n\
                    password-env = \"P\"\npoll-interval-seconds = 1\n";
        let error = IntakeConfig::parse(text, "intake.toml")
            .unwrap_err()
            .to_string();
        assert!(error.contains("poll-interval-seconds = 1"), "{error}");
    }

    #[test]
    fn relative_paths_follow_config_folder() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(
            folder.path().join(FILE_NAME),
            "[[drop-folder]]\npath = \"drop\"\n\n[[imap]]\nhost = \"h\"\nsecurity = \"tls\"\n\
             user = \"u\"\npassword-file = \"secret\"\n",
        )
        .unwrap();
        std::fs::write(folder.path().join("secret"), "hunter2\n").unwrap();
        let config = IntakeConfig::load(folder.path()).unwrap();
        assert_eq!(config.drop_folders[0].path, folder.path().join("drop"));
        assert_eq!(config.imap_accounts[0].read_password().unwrap(), "hunter2");
    }

    #[test]
    fn ca_file_needs_tls() {
        let text = "[[imap]]\nhost = \"h\"\nsecurity = \"none\"\nuser = \"u\"\n\
                    password-env = \"P\"\nca-file = \"ca.pem\"\n";
        let error = IntakeConfig::parse(text, "intake.toml")
            .unwrap_err()
            .to_string();
        assert!(error.contains("ca-file"), "{error}");
        assert!(error.contains("security = \"none\""), "{error}");
    }

    #[test]
    fn unreadable_ca_file_is_named() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(
            folder.path().join(FILE_NAME),
            "[[imap]]\nname = \"support\"\nhost = \"h\"\nsecurity = \"tls\"\nuser = \"u\"\n\
             password-env = \"P\"\nca-file = \"no-such-ca.pem\"\n",
        )
        .unwrap();
        let error = format!("{:#}", IntakeConfig::load(folder.path()).unwrap_err());
        assert!(error.contains("IMAP account support"), "{error}");
        assert!(
            error.contains(&folder.path().join("no-such-ca.pem").display().to_string()),
            "{error}"
        );
    }

    #[test]
    fn missing_file_means_nothing_configured() {
        let folder = tempfile::tempdir().unwrap();
        assert!(IntakeConfig::load(folder.path()).unwrap().is_empty());
    }
}
