//! Reading and checking a plugin's `plugin.toml`.
//!
//! The checks are the ones the host makes when it loads a plugin
//! (`host/core/src/plugin/manifest.rs`), so a manifest the host would
//! reject fails the build instead of the first load.

use std::path::Path;

use semver::Version;
use serde::Deserialize;

/// Plugin kinds a manifest may name. Each is also the name of the WIT
/// interface that a plugin of that kind exports.
pub const KINDS: &[&str] = &["adapter", "rule", "widget"];

/// Returns the `kefu:plugin` interfaces the world of a plugin kind lets it
/// import, as of API 1.2.0.
pub fn importable_interfaces(kind: &str) -> &'static [&'static str] {
    match kind {
        "widget" => &["types", "host", "kv"],
        "adapter" => &["types", "host", "kv", "files", "http", "identities"],
        _ => &["types", "host", "kv", "files", "http"],
    }
}

/// A checked `plugin.toml`. Only the fields the build checks against the
/// module are kept; the text itself is embedded unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub id: String,
    /// `adapter`, `rule` or `widget`.
    pub kind: String,
    /// Plugin API version the plugin was built against.
    pub api: Version,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    id: String,
    name: String,
    version: String,
    kind: String,
    api: String,
    #[expect(dead_code, reason = "read only so that deny_unknown_fields accepts it")]
    description: Option<String>,
    #[serde(default)]
    capabilities: Capabilities,
    #[serde(default)]
    limits: Limits,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Capabilities {
    #[serde(default)]
    read_folders: Vec<String>,
    #[serde(default)]
    http_hosts: Vec<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Limits {
    memory_mib: Option<u64>,
    call_timeout_ms: Option<u64>,
    output_kib: Option<u64>,
    kv_kib: Option<u64>,
}

/// Parses and checks the text of a `plugin.toml`. Error messages start with
/// `path`, so the user knows which file to fix.
pub fn parse(path: &Path, text: &str) -> Result<Manifest, String> {
    let file = path.display();
    let raw: RawManifest = toml::from_str(text)
        .map_err(|error| format!("{file} is not a valid plugin manifest: {error}"))?;

    check_id(&raw.id).map_err(|reason| format!("{file}: {reason}"))?;
    if raw.name.trim().is_empty() {
        return Err(format!(
            "{file}: `name` is empty; give the plugin a name people can read"
        ));
    }
    Version::parse(&raw.version).map_err(|error| {
        format!(
            "{file}: version {:?} is not a semantic version such as 0.1.0: {error}",
            raw.version
        )
    })?;
    if !KINDS.contains(&raw.kind.as_str()) {
        return Err(format!(
            "{file}: kind {:?} is unknown; use adapter, rule or widget",
            raw.kind
        ));
    }
    let api = Version::parse(&raw.api).map_err(|error| {
        format!(
            "{file}: api {:?} is not a version such as 1.1.0: {error}",
            raw.api
        )
    })?;

    check_capabilities(&raw.capabilities).map_err(|reason| format!("{file}: {reason}"))?;
    check_limits(&raw.limits).map_err(|reason| format!("{file}: {reason}"))?;
    Ok(Manifest {
        id: raw.id,
        kind: raw.kind,
        api,
    })
}

/// Checks that read folders are absolute paths and HTTP hosts are host
/// names with an optional port.
fn check_capabilities(capabilities: &Capabilities) -> Result<(), String> {
    for folder in &capabilities.read_folders {
        if !Path::new(folder).is_absolute() {
            return Err(format!(
                "read-folders entry {folder:?} is not an absolute path"
            ));
        }
    }
    for host in &capabilities.http_hosts {
        if host.is_empty() || host.contains(['/', '@', ' ']) {
            return Err(format!(
                "http-hosts entry {host:?} is not a host name; write `example.com` or `example.com:8443`"
            ));
        }
    }
    Ok(())
}

/// Checks that no limit is 0, which would leave the plugin unable to run.
fn check_limits(limits: &Limits) -> Result<(), String> {
    let values = [
        ("memory-mib", limits.memory_mib),
        ("call-timeout-ms", limits.call_timeout_ms),
        ("output-kib", limits.output_kib),
        ("kv-kib", limits.kv_kib),
    ];
    for (name, value) in values {
        if value == Some(0) {
            return Err(format!(
                "limits.{name} is 0; give at least 1, or leave it out for the host's default"
            ));
        }
    }
    Ok(())
}

/// Checks a plugin id: 1 to 64 lower-case letters, digits and dashes, not
/// starting with a dash.
fn check_id(id: &str) -> Result<(), String> {
    let valid = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
        && !id.starts_with('-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "id {id:?} is not valid; use 1 to 64 lower-case letters, digits and dashes, \
             for example `vip-escalation`"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
id = "default-rules"
name = "Default ticket rules"
version = "0.1.0"
kind = "rule"
api = "1.1.0"
"#;

    fn parse_text(text: &str) -> Result<Manifest, String> {
        parse(Path::new("plugins/x/plugin.toml"), text)
    }

    #[test]
    fn minimal_manifest_parses() {
        let manifest = parse_text(MINIMAL).unwrap();
        assert_eq!(manifest.id, "default-rules");
        assert_eq!(manifest.kind, "rule");
        assert_eq!(manifest.api, Version::new(1, 1, 0));
    }

    #[test]
    fn full_manifest_parses() {
        let text = format!(
            "{MINIMAL}description = \"One line.\"\n\
             [capabilities]\nread-folders = [\"/tmp/kefu\"]\nhttp-hosts = [\"127.0.0.1:8080\"]\n\
             [limits]\nmemory-mib = 64\ncall-timeout-ms = 2000\noutput-kib = 1024\nkv-kib = 256\n"
        );
        assert!(parse_text(&text).is_ok());
    }

    #[test]
    fn missing_field_names_file_and_field() {
        let error = parse_text("id = \"x\"\nname = \"X\"\nversion = \"0.1.0\"\napi = \"1.1.0\"\n")
            .unwrap_err();
        assert!(error.starts_with("plugins/x/plugin.toml"), "{error}");
        assert!(error.contains("kind"), "{error}");
    }

    #[test]
    fn invalid_toml_names_file() {
        let error = parse_text("id = ").unwrap_err();
        assert!(
            error.starts_with("plugins/x/plugin.toml is not a valid"),
            "{error}"
        );
    }

    #[test]
    fn unknown_key_rejected() {
        let error =
            parse_text(&format!("{MINIMAL}[capabilities]\nread-folder = []\n")).unwrap_err();
        assert!(error.contains("read-folder"), "{error}");
    }

    #[test]
    fn bad_values_rejected() {
        let cases = [
            ("id = \"default-rules\"", "id = \"Default_Rules\"", "id"),
            ("kind = \"rule\"", "kind = \"rules\"", "kind"),
            ("api = \"1.1.0\"", "api = \"1.1\"", "api"),
            ("version = \"0.1.0\"", "version = \"one\"", "version"),
            ("name = \"Default ticket rules\"", "name = \" \"", "name"),
        ];
        for (original, replacement, field) in cases {
            let text = MINIMAL.replace(original, replacement);
            let error = parse_text(&text).unwrap_err();
            assert!(error.contains(field), "{replacement}: {error}");
        }
    }

    #[test]
    fn relative_folder_rejected() {
        let text = format!("{MINIMAL}[capabilities]\nread-folders = [\"data\"]\n");
        assert!(parse_text(&text).unwrap_err().contains("absolute"));
    }

    #[test]
    fn url_as_host_rejected() {
        let text = format!("{MINIMAL}[capabilities]\nhttp-hosts = [\"http://example.com\"]\n");
        assert!(parse_text(&text).unwrap_err().contains("http-hosts"));
    }

    #[test]
    fn zero_limit_rejected() {
        let text = format!("{MINIMAL}[limits]\nmemory-mib = 0\n");
        assert!(parse_text(&text).unwrap_err().contains("memory-mib"));
    }
}
