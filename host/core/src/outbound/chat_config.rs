//! `chat-out.toml`: the HTTP endpoints chat replies are sent to, their
//! tokens and the allow-list of URLs Kefu may send them to.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::config::PasswordSource;

/// Name of the chat-reply file in the configuration folder.
pub const FILE_NAME: &str = "chat-out.toml";

/// Time limit of one HTTP request when the file sets none, in seconds.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 30;

/// The endpoint for replies in conversations that did not come from
/// Chatwoot: the reply is posted there as a Kefu chat event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenericEndpoint {
    pub url: String,
    /// Sent as `Authorization: Bearer TOKEN` when set.
    pub token: Option<PasswordSource>,
}

/// A Chatwoot installation and the account replies are posted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatwootEndpoint {
    /// Base URL without a trailing slash, for example `https://chat.example.cn`.
    pub base_url: String,
    pub account: u64,
    /// Sent in the `api_access_token` header.
    pub token: PasswordSource,
}

impl ChatwootEndpoint {
    /// Returns the URL of Chatwoot's "create a new message" request for a
    /// conversation.
    pub fn messages_url(&self, conversation: &str) -> String {
        format!(
            "{}/api/v1/accounts/{}/conversations/{conversation}/messages",
            self.base_url, self.account
        )
    }
}

/// The chat-reply configuration in force. The default sends nothing: chat
/// replies stay queued until the file names an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatOutConfig {
    /// URL prefixes a reply may be sent to. A request to any other URL is
    /// rejected before a connection is made.
    pub allowed_urls: Vec<String>,
    pub generic: Option<GenericEndpoint>,
    pub chatwoot: Option<ChatwootEndpoint>,
    pub timeout: std::time::Duration,
}

impl Default for ChatOutConfig {
    fn default() -> Self {
        Self {
            allowed_urls: Vec::new(),
            generic: None,
            chatwoot: None,
            timeout: std::time::Duration::from_secs(DEFAULT_TIMEOUT_SECONDS),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    allowed_urls: Vec<Spanned<String>>,
    timeout_seconds: Option<Spanned<i64>>,
    generic: Option<RawGeneric>,
    chatwoot: Option<RawChatwoot>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawGeneric {
    url: Spanned<String>,
    token_env: Option<Spanned<String>>,
    token_file: Option<Spanned<PathBuf>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawChatwoot {
    base_url: Spanned<String>,
    account: Spanned<i64>,
    token_env: Option<Spanned<String>>,
    token_file: Option<Spanned<PathBuf>>,
}

/// Builds the error for a value at a byte span: span, key, value, fix.
type ValueError<'a> = dyn Fn(std::ops::Range<usize>, &str, &str, &str) -> anyhow::Error + 'a;

impl ChatOutConfig {
    /// Reads `chat-out.toml` from `config_dir`, or returns the defaults
    /// (nothing is sent) when the file does not exist.
    pub fn load(config_dir: &Path) -> anyhow::Result<Self> {
        let path = config_dir.join(FILE_NAME);
        match crate::desk::read_config(&path) {
            Ok(text) => Self::parse(&text, &path.display().to_string()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(error) => Err(anyhow::anyhow!("reading {}: {error}", path.display())),
        }
    }

    /// Parses and checks a chat-reply file. `source_name` names the text in
    /// errors, which give the line, key and value.
    pub fn parse(text: &str, source_name: &str) -> anyhow::Result<Self> {
        let at = |span: std::ops::Range<usize>, key: &str, value: &str, fix: &str| {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            anyhow::anyhow!("{source_name}: line {line}: {key} = {value} is invalid; {fix}")
        };
        let raw: RawConfig = toml::from_str(text)
            .map_err(|error| anyhow::anyhow!("{source_name}: {}", error.to_string().trim_end()))?;

        let mut allowed_urls = Vec::new();
        for url in &raw.allowed_urls {
            check_url(url, "allowed-urls", &at)?;
            allowed_urls.push(url.get_ref().trim().to_string());
        }
        let timeout_seconds = match raw.timeout_seconds {
            None => DEFAULT_TIMEOUT_SECONDS,
            Some(value) => u64::try_from(*value.get_ref())
                .ok()
                .filter(|seconds| (1..=300).contains(seconds))
                .ok_or_else(|| {
                    at(
                        value.span(),
                        "timeout-seconds",
                        &value.get_ref().to_string(),
                        "use 1 to 300 seconds",
                    )
                })?,
        };
        let generic = match raw.generic {
            None => None,
            Some(generic) => {
                check_url(&generic.url, "generic.url", &at)?;
                Some(GenericEndpoint {
                    url: generic.url.get_ref().trim().to_string(),
                    token: token_source(generic.token_env, generic.token_file, "generic", &at)?,
                })
            }
        };
        let chatwoot = match raw.chatwoot {
            None => None,
            Some(chatwoot) => Some(parse_chatwoot(chatwoot, &at)?),
        };
        Ok(Self {
            allowed_urls,
            generic,
            chatwoot,
            timeout: std::time::Duration::from_secs(timeout_seconds),
        })
    }

    /// Returns whether `url` starts with one of the allowed URLs. An allowed
    /// URL matches on whole path segments, so `https://a.cn/hooks` allows
    /// `https://a.cn/hooks/kefu` but not `https://a.cn/hooks-other`.
    pub fn allows(&self, url: &str) -> bool {
        self.allowed_urls.iter().any(|allowed| {
            let Some(rest) = url.strip_prefix(allowed.as_str()) else {
                return false;
            };
            allowed.ends_with('/') || rest.is_empty() || rest.starts_with(['/', '?'])
        })
    }
}

fn parse_chatwoot(chatwoot: RawChatwoot, at: &ValueError<'_>) -> anyhow::Result<ChatwootEndpoint> {
    check_url(&chatwoot.base_url, "chatwoot.base-url", at)?;
    let account = u64::try_from(*chatwoot.account.get_ref())
        .ok()
        .filter(|account| *account > 0)
        .ok_or_else(|| {
            at(
                chatwoot.account.span(),
                "chatwoot.account",
                &chatwoot.account.get_ref().to_string(),
                "write the Chatwoot account id, a number from 1, as in the account's URLs",
            )
        })?;
    let span = chatwoot.base_url.span();
    let token = token_source(chatwoot.token_env, chatwoot.token_file, "chatwoot", at)?.ok_or_else(
        || {
            at(
                span,
                "chatwoot.base-url",
                &format!("{:?}", chatwoot.base_url.get_ref()),
                "Chatwoot needs an access token: set chatwoot.token-env or chatwoot.token-file",
            )
        },
    )?;
    Ok(ChatwootEndpoint {
        base_url: chatwoot
            .base_url
            .get_ref()
            .trim()
            .trim_end_matches('/')
            .to_string(),
        account,
        token,
    })
}

/// Checks that a configured URL is an absolute `http` or `https` URL.
fn check_url(url: &Spanned<String>, key: &str, at: &ValueError<'_>) -> anyhow::Result<()> {
    let text = url.get_ref().trim();
    let valid = text.parse::<ureq::http::Uri>().is_ok_and(|uri| {
        matches!(uri.scheme_str(), Some("http" | "https")) && uri.host().is_some()
    });
    if valid {
        return Ok(());
    }
    Err(at(
        url.span(),
        key,
        &format!("{:?}", url.get_ref()),
        "write an absolute http or https URL, for example \"https://chat.example.cn\"",
    ))
}

/// Reads where a token comes from: an environment variable or a file, never
/// the configuration file itself, so the file can be shared.
fn token_source(
    env: Option<Spanned<String>>,
    file: Option<Spanned<PathBuf>>,
    table: &str,
    at: &ValueError<'_>,
) -> anyhow::Result<Option<PasswordSource>> {
    match (env, file) {
        (Some(env), Some(_)) => Err(at(
            env.span(),
            &format!("{table}.token-env"),
            &format!("{:?}", env.get_ref()),
            "set either token-env or token-file, not both",
        )),
        (Some(env), None) => {
            let name = env.get_ref().trim();
            if name.is_empty() || name.contains(['=', '\0']) {
                return Err(at(
                    env.span(),
                    &format!("{table}.token-env"),
                    &format!("{:?}", env.get_ref()),
                    "write the name of an environment variable, for example \"KEFU_CHAT_TOKEN\"",
                ));
            }
            Ok(Some(PasswordSource::Env(name.to_string())))
        }
        (None, Some(file)) => Ok(Some(PasswordSource::File(file.into_inner()))),
        (None, None) => Ok(None),
    }
}

/// Reads a token from its environment variable or file. `table` names the
/// token's table in errors; the token itself is never part of one. Fails
/// when the token is empty or has a character other than visible ASCII,
/// because HTTP clients reject such header values.
pub fn read_token(source: &PasswordSource, table: &str) -> anyhow::Result<String> {
    let (token, origin) = match source {
        PasswordSource::Env(name) => {
            let token = std::env::var(name).map_err(|_| {
                anyhow::anyhow!(
                    "the {table} token variable {name} is not set; set it, or change \
                     {table}.token-env in {FILE_NAME}"
                )
            })?;
            (token, format!("variable {name}"))
        }
        PasswordSource::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|error| {
                anyhow::anyhow!(
                    "reading the {table} token file {} failed: {error}; fix the file or \
                     {table}.token-file in {FILE_NAME}",
                    path.display()
                )
            })?;
            let token = text.trim_end_matches(['\r', '\n']).to_string();
            (token, format!("file {}", path.display()))
        }
    };
    if token.is_empty() || !token.bytes().all(|byte| byte.is_ascii_graphic()) {
        anyhow::bail!(
            "the {table} token in {origin} is empty or has characters other than visible ASCII, \
             which an HTTP header cannot carry; write the token exactly as the platform issued it"
        );
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
allowed-urls = ["https://chat.example.cn/api/v1/accounts/3/", "https://hooks.example.cn/kefu"]
timeout-seconds = 10

[generic]
url = "https://hooks.example.cn/kefu/replies"
token-env = "KEFU_CHAT_TOKEN"

[chatwoot]
base-url = "https://chat.example.cn/"
account = 3
token-file = "/etc/kefu/chatwoot-token"
"#;

    #[test]
    fn full_file_parses() {
        let config = ChatOutConfig::parse(FULL, FILE_NAME).unwrap();
        assert_eq!(config.allowed_urls.len(), 2);
        assert_eq!(config.timeout, std::time::Duration::from_secs(10));
        let generic = config.generic.as_ref().unwrap();
        assert_eq!(generic.url, "https://hooks.example.cn/kefu/replies");
        assert_eq!(
            generic.token,
            Some(PasswordSource::Env("KEFU_CHAT_TOKEN".to_string()))
        );
        let chatwoot = config.chatwoot.as_ref().unwrap();
        assert_eq!(
            chatwoot.messages_url("7"),
            "https://chat.example.cn/api/v1/accounts/3/conversations/7/messages"
        );
    }

    #[test]
    fn allow_list_matches_whole_segments() {
        let config = ChatOutConfig::parse(FULL, FILE_NAME).unwrap();
        assert!(config.allows("https://hooks.example.cn/kefu/replies"));
        assert!(config.allows("https://hooks.example.cn/kefu"));
        assert!(
            config.allows("https://chat.example.cn/api/v1/accounts/3/conversations/7/messages")
        );
        assert!(!config.allows("https://hooks.example.cn/kefu-other"));
        assert!(!config.allows("https://chat.example.cn/api/v1/accounts/4/conversations/7"));
        assert!(!config.allows("http://hooks.example.cn/kefu/replies"));
    }

    #[test]
    fn invalid_values_name_line_key_and_value() {
        let cases = [
            (
                "[chatwoot]\nbase-url = \"https://c.cn\"\naccount = 0\ntoken-env = \"T\"\n",
                "line 3: chatwoot.account = 0",
            ),
            (
                "[chatwoot]\nbase-url = \"https://c.cn\"\naccount = 2\n",
                "chatwoot.token-env or chatwoot.token-file",
            ),
            (
                "allowed-urls = [\"ftp://x.cn/\"]\n",
                "line 1: allowed-urls = \"ftp://x.cn/\"",
            ),
            (
                "[generic]\nurl = \"replies\"\n",
                "line 2: generic.url = \"replies\"",
            ),
            ("timeout-seconds = 0\n", "line 1: timeout-seconds = 0"),
            ("endpoint = \"x\"\n", "unknown field `endpoint`"),
        ];
        for (text, expected) in cases {
            let error = ChatOutConfig::parse(text, FILE_NAME)
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{text:?}: {error}");
            assert!(error.starts_with(FILE_NAME), "{error}");
        }
    }

    #[test]
    fn token_outside_visible_ascii_rejected() {
        let folder = tempfile::tempdir().unwrap();
        let cases = [("empty", "\n"), ("space", "a b"), ("chinese", "令牌")];
        for (name, text) in cases {
            let path = folder.path().join(name);
            std::fs::write(&path, text).unwrap();
            let error = read_token(&PasswordSource::File(path.clone()), "generic")
                .unwrap_err()
                .to_string();
            assert!(error.contains(&path.display().to_string()), "{error}");
            assert!(error.contains("visible ASCII"), "{error}");
        }
        let secret = folder.path().join("chinese");
        let error = read_token(&PasswordSource::File(secret), "generic")
            .unwrap_err()
            .to_string();
        assert!(
            !error.contains("令牌"),
            "the token stays out of errors: {error}"
        );

        let path = folder.path().join("valid");
        std::fs::write(&path, "tok-123_ABC\r\n").unwrap();
        let token = read_token(&PasswordSource::File(path), "generic").unwrap();
        assert_eq!(token, "tok-123_ABC");
    }

    #[test]
    fn missing_file_sends_nothing() {
        let folder = std::env::temp_dir().join("kefu-chat-out-missing-folder");
        let config = ChatOutConfig::load(&folder).unwrap();
        assert_eq!(config, ChatOutConfig::default());
    }
}
