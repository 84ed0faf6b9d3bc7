//! `webhook.toml`: where the webhook server listens, its token and its
//! limits.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// Name of the webhook file in the configuration folder.
pub const FILE_NAME: &str = "webhook.toml";

/// Token file used when `webhook.toml` names none, in the configuration
/// folder.
pub const DEFAULT_TOKEN_FILE: &str = "webhook-token";

/// Address the server listens on by default: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8610";

/// Default maximum request body, in bytes.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 1024 * 1024;

/// Shortest token accepted, in characters.
pub const MIN_TOKEN_CHARS: usize = 16;

/// The file as written; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct WebhookFile {
    enabled: Option<bool>,
    listen: Option<String>,
    token: Option<String>,
    token_file: Option<PathBuf>,
    max_body_bytes: Option<u64>,
    requests_per_minute: Option<u32>,
    burst: Option<u32>,
    request_timeout_seconds: Option<u64>,
}

/// Where the bearer token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// `token` in `webhook.toml`.
    Inline(String),
    /// A file whose first line is the token.
    File(PathBuf),
}

/// The webhook configuration in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// When true, the desktop app starts the server in the background.
    pub enabled: bool,
    /// Address and port to listen on. Port 0 picks a free port.
    pub listen: SocketAddr,
    pub token: TokenSource,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: u64,
    /// Requests one client address may send per minute, on average.
    pub requests_per_minute: NonZeroU32,
    /// Requests one client address may send at once before the per-minute
    /// rate applies.
    pub burst: NonZeroU32,
    /// Time a client has to send its request headers, and again its body.
    pub request_timeout: Duration,
}

/// A webhook file that cannot be used, or a token that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum WebhookConfigError {
    #[error("reading {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error(
        "no webhook token is configured: {path} does not exist. Run `kefu serve --new-token` \
         to create it, or set token-file or token in {FILE_NAME}"
    )]
    NoToken { path: String },
}

impl WebhookConfig {
    /// Reads `webhook.toml` from `config_dir`, or returns the defaults when
    /// the file does not exist. A relative `token-file` is taken from
    /// `config_dir`.
    pub fn load(config_dir: &Path) -> Result<Self, WebhookConfigError> {
        let path = config_dir.join(FILE_NAME);
        match crate::desk::read_config(&path) {
            Ok(text) => Self::parse(&text, &path, config_dir),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                Self::parse("", &path, config_dir)
            }
            Err(source) => Err(WebhookConfigError::Read {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Parses and checks a webhook file read from `path`.
    pub fn parse(text: &str, path: &Path, config_dir: &Path) -> Result<Self, WebhookConfigError> {
        let invalid = |message: String| WebhookConfigError::Invalid {
            path: path.display().to_string(),
            message,
        };
        let file: WebhookFile =
            toml::from_str(text).map_err(|error| invalid(error.to_string().trim_end().into()))?;

        let listen_text = file.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            invalid(format!(
                "listen = {listen_text:?} is not an address and port; write it like \
                 {DEFAULT_LISTEN:?}"
            ))
        })?;

        let token = match (file.token, file.token_file) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "token and token-file are both set; keep one of them".to_string(),
                ));
            }
            (Some(token), None) => {
                check_token(&token).map_err(|reason| invalid(format!("token: {reason}")))?;
                TokenSource::Inline(token)
            }
            (None, Some(file)) => TokenSource::File(config_dir.join(file)),
            (None, None) => TokenSource::File(config_dir.join(DEFAULT_TOKEN_FILE)),
        };

        let max_body_bytes = file.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES);
        if max_body_bytes == 0 || max_body_bytes > crate::ingest::MAX_INPUT_BYTES {
            return Err(invalid(format!(
                "max-body-bytes = {max_body_bytes} is out of range; expected 1 to {}",
                crate::ingest::MAX_INPUT_BYTES
            )));
        }
        let positive = |key: &str, value: Option<u32>, default: u32| {
            NonZeroU32::new(value.unwrap_or(default))
                .ok_or_else(|| invalid(format!("{key} = 0 is out of range; expected 1 or more")))
        };
        let requests_per_minute = positive("requests-per-minute", file.requests_per_minute, 120)?;
        let burst = positive("burst", file.burst, 20)?;
        let timeout_seconds = file.request_timeout_seconds.unwrap_or(30);
        if !(1..=3600).contains(&timeout_seconds) {
            return Err(invalid(format!(
                "request-timeout-seconds = {timeout_seconds} is out of range; expected 1 to 3600"
            )));
        }

        Ok(Self {
            enabled: file.enabled.unwrap_or(false),
            listen,
            token,
            max_body_bytes,
            requests_per_minute,
            burst,
            request_timeout: Duration::from_secs(timeout_seconds),
        })
    }

    /// Reads the bearer token from its source.
    pub fn read_token(&self) -> Result<String, WebhookConfigError> {
        let path = match &self.token {
            TokenSource::Inline(token) => return Ok(token.clone()),
            TokenSource::File(path) => path,
        };
        let text = match crate::desk::read_config(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(WebhookConfigError::NoToken {
                    path: path.display().to_string(),
                });
            }
            Err(source) => {
                return Err(WebhookConfigError::Read {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        let token = text.lines().next().unwrap_or("").trim().to_string();
        check_token(&token).map_err(|reason| WebhookConfigError::Invalid {
            path: path.display().to_string(),
            message: format!("{reason}; run `kefu serve --new-token` to replace it"),
        })?;
        Ok(token)
    }

    /// Writes a new random token to the token file, replacing the old one,
    /// readable by the owner only, and returns it. Fails when the token is
    /// set inline in `webhook.toml`.
    pub fn write_new_token(&self) -> anyhow::Result<String> {
        let TokenSource::File(path) = &self.token else {
            anyhow::bail!(
                "the token is set with token = \"...\" in {FILE_NAME}; remove that line to \
                 keep the token in a file, or edit it there"
            );
        };
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|error| anyhow::anyhow!("reading random bytes for the token: {error}"))?;
        let token = hex::encode(bytes);
        write_private(path, &format!("{token}\n"))?;
        Ok(token)
    }
}

/// Checks that a token is long enough and fits in an HTTP header.
fn check_token(token: &str) -> Result<(), String> {
    if token.chars().count() < MIN_TOKEN_CHARS {
        return Err(format!(
            "the token is shorter than {MIN_TOKEN_CHARS} characters"
        ));
    }
    if !token.chars().all(|c| c.is_ascii_graphic()) {
        return Err("the token contains spaces or characters other than printable ASCII".into());
    }
    Ok(())
}

/// Writes `text` to `path`, creating its folder, with mode 0600 on Unix.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;

    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating folder {}", parent.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("writing the token file {}", path.display()))?;
    #[cfg(unix)]
    {
        // The mode above applies only when the file is created.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("making {} private", path.display()))?;
    }
    file.write_all(text.as_bytes())
        .with_context(|| format!("writing the token file {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<WebhookConfig, WebhookConfigError> {
        WebhookConfig::parse(text, Path::new("/cfg/webhook.toml"), Path::new("/cfg"))
    }

    #[test]
    fn empty_file_gives_defaults() {
        let config = parse("").unwrap();
        assert!(!config.enabled);
        assert_eq!(config.listen, DEFAULT_LISTEN.parse().unwrap());
        assert_eq!(
            config.token,
            TokenSource::File(PathBuf::from("/cfg/webhook-token"))
        );
        assert_eq!(config.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
    }

    #[test]
    fn unknown_key_names_line_and_key() {
        let error = parse("enabled = true\nport = 80\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("/cfg/webhook.toml"), "{error}");
        assert!(error.contains("line 2"), "{error}");
        assert!(error.contains("port"), "{error}");
    }

    #[test]
    fn bad_listen_names_value() {
        let error = parse("listen = \"localhost\"\n").unwrap_err().to_string();
        assert!(error.contains("\"localhost\""), "{error}");
        assert!(error.contains("127.0.0.1:8610"), "{error}");
    }

    #[test]
    fn short_inline_token_rejected() {
        let error = parse("token = \"abc\"\n").unwrap_err().to_string();
        assert!(error.contains("shorter than 16"), "{error}");
    }

    #[test]
    fn both_token_keys_rejected() {
        let text = "token = \"0123456789abcdef0\"\ntoken-file = \"t\"\n";
        let error = parse(text).unwrap_err().to_string();
        assert!(error.contains("both set"), "{error}");
    }

    #[test]
    fn zero_body_limit_rejected() {
        let error = parse("max-body-bytes = 0\n").unwrap_err().to_string();
        assert!(error.contains("max-body-bytes = 0"), "{error}");
    }

    #[test]
    fn missing_token_file_says_how_to_create() {
        let folder = tempfile::tempdir().unwrap();
        let config = WebhookConfig::load(folder.path()).unwrap();
        let error = config.read_token().unwrap_err().to_string();
        assert!(error.contains("kefu serve --new-token"), "{error}");
    }

    #[test]
    fn new_token_is_kept_and_private() {
        let folder = tempfile::tempdir().unwrap();
        let config = WebhookConfig::load(folder.path()).unwrap();
        let token = config.write_new_token().unwrap();
        assert_eq!(token.len(), 64);
        let reloaded = WebhookConfig::load(folder.path()).unwrap();
        assert_eq!(reloaded.read_token().unwrap(), token);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(folder.path().join(DEFAULT_TOKEN_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
