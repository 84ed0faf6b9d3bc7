//! `outgoing.toml`: the team's sender address, the SMTP server and the cap
//! on automatic mail.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

/// Name of the outgoing-mail file in the configuration folder.
pub const FILE_NAME: &str = "outgoing.toml";

/// Automatic mails (rule replies) one address gets per 24 hours when the
/// file sets no cap.
pub const DEFAULT_MAX_AUTOMATIC_PER_DAY: u32 = 3;

/// Protection of the SMTP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain SMTP without TLS, for a relay on the same machine or network.
    None,
    /// Plain connection upgraded with STARTTLS; fails when the server does
    /// not offer it.
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
}

impl Security {
    /// Returns the usual port for this kind of connection.
    pub fn default_port(self) -> u16 {
        match self {
            Self::None => 25,
            Self::Starttls => 587,
            Self::Tls => 465,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Starttls => "starttls",
            Self::Tls => "tls",
        }
    }
}

/// Source of the SMTP password. The file never contains the password
/// itself, so it can be shared and kept in version control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    /// An environment variable, by name.
    Env(String),
    /// A file whose content, without the trailing line break, is the password.
    File(PathBuf),
}

/// The SMTP server mail is sent through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<PasswordSource>,
    pub timeout: std::time::Duration,
    /// PEM file of a CA to trust besides the Mozilla roots, for a server
    /// whose certificate is self-signed or signed by a private CA.
    pub ca_file: Option<PathBuf>,
}

impl SmtpConfig {
    /// Reads the password from its environment variable or file.
    pub fn read_password(&self) -> anyhow::Result<Option<String>> {
        match &self.password {
            None => Ok(None),
            Some(PasswordSource::Env(name)) => match std::env::var(name) {
                Ok(value) => Ok(Some(value)),
                Err(_) => anyhow::bail!(
                    "the SMTP password variable {name} is not set; set it, or change \
                     smtp.password-env in {FILE_NAME}"
                ),
            },
            Some(PasswordSource::File(path)) => {
                let text = std::fs::read_to_string(path).map_err(|error| {
                    anyhow::anyhow!(
                        "reading the SMTP password file {} failed: {error}; fix the file or \
                         smtp.password-file in {FILE_NAME}",
                        path.display()
                    )
                })?;
                Ok(Some(text.trim_end_matches(['\r', '\n']).to_string()))
            }
        }
    }
}

/// The team's address that mail leaves from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamAddress {
    pub address: String,
    pub name: Option<String>,
}

impl TeamAddress {
    /// Returns the part after the `@`, used as the domain of Message-IDs.
    pub fn domain(&self) -> &str {
        self.address
            .rsplit_once('@')
            .map_or("", |(_, domain)| domain)
    }
}

/// The outgoing-mail configuration in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingConfig {
    /// `None` until the file names the team's address; no mail is queued
    /// without it.
    pub from: Option<TeamAddress>,
    /// `None` until the file names a server; mail stays queued without it.
    pub smtp: Option<SmtpConfig>,
    /// Automatic mails one address gets per 24 hours.
    pub max_automatic_per_address_per_day: u32,
}

impl Default for OutgoingConfig {
    fn default() -> Self {
        Self {
            from: None,
            smtp: None,
            max_automatic_per_address_per_day: DEFAULT_MAX_AUTOMATIC_PER_DAY,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawConfig {
    from: Option<Spanned<String>>,
    from_name: Option<String>,
    max_automatic_per_address_per_day: Option<Spanned<i64>>,
    smtp: Option<RawSmtp>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawSmtp {
    host: Spanned<String>,
    port: Option<Spanned<i64>>,
    security: Option<Security>,
    username: Option<String>,
    password_env: Option<Spanned<String>>,
    password_file: Option<Spanned<PathBuf>>,
    timeout_seconds: Option<Spanned<i64>>,
    ca_file: Option<Spanned<PathBuf>>,
}

/// An outgoing-mail file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum OutgoingConfigError {
    #[error("reading {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{source_name}: {message}")]
    Invalid {
        source_name: String,
        message: String,
    },
}

impl OutgoingConfig {
    /// Reads `outgoing.toml` from `config_dir`, or returns the defaults
    /// (nothing is sent) when the file does not exist. A relative
    /// `smtp.ca-file` is taken from `config_dir`, and a ca-file that cannot
    /// be read or contains no certificate is an error.
    pub fn load(config_dir: &Path) -> Result<Self, OutgoingConfigError> {
        let path = config_dir.join(FILE_NAME);
        let source_name = path.display().to_string();
        let mut config = match crate::desk::read_config(&path) {
            Ok(text) => Self::parse(&text, &source_name)?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::default());
            }
            Err(source) => {
                return Err(OutgoingConfigError::Read {
                    path: source_name,
                    source,
                });
            }
        };
        if let Some(ca_file) = config.smtp.as_mut().and_then(|smtp| smtp.ca_file.as_mut()) {
            *ca_file = config_dir.join(&*ca_file);
            crate::tls::read_ca_file(ca_file, &source_name).map_err(|error| {
                OutgoingConfigError::Invalid {
                    source_name: source_name.clone(),
                    message: format!("{error:#}"),
                }
            })?;
        }
        Ok(config)
    }

    /// Parses and checks an outgoing-mail file. `source_name` names the
    /// text in errors, which give the line, key and value.
    pub fn parse(text: &str, source_name: &str) -> Result<Self, OutgoingConfigError> {
        let invalid = |message: String| OutgoingConfigError::Invalid {
            source_name: source_name.to_string(),
            message,
        };
        let at = |span: std::ops::Range<usize>, key: &str, value: &str, fix: &str| {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            invalid(format!("line {line}: {key} = {value} is invalid; {fix}"))
        };
        let raw: RawConfig =
            toml::from_str(text).map_err(|error| invalid(error.to_string().trim_end().into()))?;

        let from = match raw.from {
            None => None,
            Some(from) => {
                let address = from.get_ref().trim();
                if !looks_like_address(address) {
                    return Err(at(
                        from.span(),
                        "from",
                        &format!("{:?}", from.get_ref()),
                        "write the team's address, for example \"support@example.cn\"",
                    ));
                }
                Some(TeamAddress {
                    address: address.to_string(),
                    name: raw
                        .from_name
                        .map(|name| name.trim().to_string())
                        .filter(|name| !name.is_empty()),
                })
            }
        };

        let max_automatic_per_address_per_day = match raw.max_automatic_per_address_per_day {
            None => DEFAULT_MAX_AUTOMATIC_PER_DAY,
            Some(value) => u32::try_from(*value.get_ref())
                .ok()
                .filter(|count| *count <= 1000)
                .ok_or_else(|| {
                    at(
                        value.span(),
                        "max-automatic-per-address-per-day",
                        &value.get_ref().to_string(),
                        "use a count from 0 (no automatic mail) to 1000",
                    )
                })?,
        };

        let smtp = match raw.smtp {
            None => None,
            Some(smtp) => Some(parse_smtp(smtp, &at)?),
        };
        Ok(Self {
            from,
            smtp,
            max_automatic_per_address_per_day,
        })
    }
}

/// Builds the error for a value at a byte span: span, key, value, fix.
type ValueError<'a> = dyn Fn(std::ops::Range<usize>, &str, &str, &str) -> OutgoingConfigError + 'a;

fn parse_smtp(smtp: RawSmtp, at: &ValueError<'_>) -> Result<SmtpConfig, OutgoingConfigError> {
    let host = smtp.host.get_ref().trim();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(at(
            smtp.host.span(),
            "smtp.host",
            &format!("{:?}", smtp.host.get_ref()),
            "write the server's name or IP address, for example \"smtp.example.cn\"",
        ));
    }
    let security = smtp.security.unwrap_or(Security::Starttls);
    let port = match smtp.port {
        None => security.default_port(),
        Some(port) => u16::try_from(*port.get_ref())
            .ok()
            .filter(|port| *port > 0)
            .ok_or_else(|| {
                at(
                    port.span(),
                    "smtp.port",
                    &port.get_ref().to_string(),
                    "use a port from 1 to 65535",
                )
            })?,
    };
    let timeout_seconds = match smtp.timeout_seconds {
        None => 30,
        Some(value) => u64::try_from(*value.get_ref())
            .ok()
            .filter(|seconds| (1..=600).contains(seconds))
            .ok_or_else(|| {
                at(
                    value.span(),
                    "smtp.timeout-seconds",
                    &value.get_ref().to_string(),
                    "use 1 to 600 seconds",
                )
            })?,
    };
    let password = match (smtp.password_env, smtp.password_file) {
        (Some(env), Some(_)) => {
            return Err(at(
                env.span(),
                "smtp.password-env",
                &format!("{:?}", env.get_ref()),
                "set either password-env or password-file, not both",
            ));
        }
        (Some(env), None) => {
            let name = env.get_ref().trim();
            if name.is_empty() || name.contains(['=', '\0']) {
                return Err(at(
                    env.span(),
                    "smtp.password-env",
                    &format!("{:?}", env.get_ref()),
                    "write the name of an environment variable, for example \"KEFU_SMTP_PASSWORD\"",
                ));
            }
            Some(PasswordSource::Env(name.to_string()))
        }
        (None, Some(file)) => Some(PasswordSource::File(file.into_inner())),
        (None, None) => None,
    };
    let ca_file = match smtp.ca_file {
        Some(file) if security == Security::None => {
            return Err(at(
                file.span(),
                "smtp.ca-file",
                &format!("{:?}", file.get_ref().display().to_string()),
                "security = \"none\" uses no TLS; set security to \"starttls\" or \"tls\", \
                 or remove ca-file",
            ));
        }
        Some(file) => Some(file.into_inner()),
        None => None,
    };
    Ok(SmtpConfig {
        host: host.to_string(),
        port,
        security,
        username: smtp
            .username
            .map(|name| name.trim().to_string())
            .filter(|name| !name.is_empty()),
        password,
        timeout: std::time::Duration::from_secs(timeout_seconds),
        ca_file,
    })
}

/// Checks the shape of a mail address: text on both sides of one `@`, and
/// no spaces or characters that end an address in a header.
pub fn looks_like_address(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    let bad = |character: char| {
        character.is_whitespace()
            || character.is_control()
            || matches!(character, '<' | '>' | ',' | ';' | '"' | '@' | '(' | ')')
    };
    !local.is_empty() && !domain.is_empty() && !local.contains(bad) && !domain.contains(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<OutgoingConfig, OutgoingConfigError> {
        OutgoingConfig::parse(text, "outgoing.toml")
    }

    #[test]
    fn empty_file_means_defaults() {
        let config = parse("").unwrap();
        assert_eq!(config, OutgoingConfig::default());
        assert_eq!(config.max_automatic_per_address_per_day, 3);
    }

    #[test]
    fn full_file_parses() {
        let config = parse(
            r#"
            from = "support@example.cn"
            from-name = "客服团队"
            max-automatic-per-address-per-day = 1
            [smtp]
            host = "smtp.example.cn"
            security = "tls"
            username = "support@example.cn"
            password-env = "KEFU_SMTP_PASSWORD"
            "#,
        )
        .unwrap();
        let from = config.from.unwrap();
        assert_eq!(from.address, "support@example.cn");
        assert_eq!(from.name.as_deref(), Some("客服团队"));
        assert_eq!(from.domain(), "example.cn");
        assert_eq!(config.max_automatic_per_address_per_day, 1);
        let smtp = config.smtp.unwrap();
        assert_eq!(smtp.port, 465);
        assert_eq!(smtp.security, Security::Tls);
        assert_eq!(
            smtp.password,
            Some(PasswordSource::Env("KEFU_SMTP_PASSWORD".into()))
        );
    }

    #[test]
    fn invalid_values_name_line_key_and_value() {
        let cases = [
            ("from = \"support\"", "line 1: from = \"support\""),
            (
                "\n[smtp]\nhost = \"h\"\nport = 70000",
                "line 4: smtp.port = 70000",
            ),
            (
                "[smtp]\nhost = \"h\"\ntimeout-seconds = 0",
                "line 3: smtp.timeout-seconds = 0",
            ),
            (
                "max-automatic-per-address-per-day = -1",
                "line 1: max-automatic-per-address-per-day = -1",
            ),
            (
                "[smtp]\nhost = \"h\"\npassword-env = \"A\"\npassword-file = \"/p\"",
                "line 3: smtp.password-env",
            ),
        ];
        for (text, expected) in cases {
            let error = parse(text).unwrap_err().to_string();
            assert!(error.starts_with("outgoing.toml: "), "{error}");
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }

    #[test]
    fn unknown_key_and_security_are_named() {
        let error = parse("form = \"a@b.cn\"").unwrap_err().to_string();
        assert!(error.contains("form"), "{error}");
        let error = parse("[smtp]\nhost = \"h\"\nsecurity = \"ssl\"")
            .unwrap_err()
            .to_string();
        assert!(error.contains("ssl"), "{error}");
        assert!(error.contains("starttls"), "{error}");
    }

    #[test]
    fn password_comes_from_file() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("smtp-password");
        std::fs::write(&path, "s3cret\n").unwrap();
        let text = format!(
            "[smtp]\nhost = \"127.0.0.1\"\npassword-file = {:?}",
            path.display().to_string()
        );
        let smtp = parse(&text).unwrap().smtp.unwrap();
        assert_eq!(smtp.read_password().unwrap().as_deref(), Some("s3cret"));
    }

    #[test]
    fn ca_file_without_tls_is_rejected() {
        let error = parse("[smtp]\nhost = \"h\"\nsecurity = \"none\"\nca-file = \"ca.pem\"")
            .unwrap_err()
            .to_string();
        assert!(error.contains("line 4: smtp.ca-file"), "{error}");
        assert!(error.contains("starttls"), "{error}");
    }

    #[test]
    fn relative_ca_file_follows_config_folder() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(
            folder.path().join(FILE_NAME),
            "[smtp]\nhost = \"h\"\nca-file = \"ca.pem\"\n",
        )
        .unwrap();
        let error = OutgoingConfig::load(folder.path()).unwrap_err().to_string();
        assert!(
            error.contains(&folder.path().join("ca.pem").display().to_string()),
            "{error}"
        );
    }

    #[test]
    fn missing_password_variable_is_named() {
        let smtp = parse("[smtp]\nhost = \"h\"\npassword-env = \"KEFU_TEST_UNSET_VARIABLE\"")
            .unwrap()
            .smtp
            .unwrap();
        let error = smtp.read_password().unwrap_err().to_string();
        assert!(error.contains("KEFU_TEST_UNSET_VARIABLE"), "{error}");
    }
}
