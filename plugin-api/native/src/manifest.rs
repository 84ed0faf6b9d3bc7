//! The manifest of a native rule plugin: `plugin.toml` text that the
//! library's `manifest` function returns.

use semver::Version;
use serde::Deserialize;

/// Version of the plugin API whose `rule` interface the types in
/// [`crate::types`] mirror. A plugin built for an older 1.x version loads;
/// one built for a newer minor version or another major version does not.
pub const API_VERSION: Version = Version::new(1, 1, 0);

/// A parsed and checked manifest of a native rule plugin.
///
/// The format is that of a WebAssembly plugin's `plugin.toml`. The
/// capabilities and limits are parsed so that the format stays the same,
/// but nothing enforces them on native code, which runs with the host's
/// full rights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeManifest {
    /// Plugin id; the user enables a native plugin by this id.
    pub id: String,
    /// Name shown to people.
    pub name: String,
    /// Version of the plugin.
    pub version: Version,
    /// API version the plugin was built against.
    pub api: Version,
    /// One-line description, when the manifest has one.
    pub description: Option<String>,
    /// Capabilities the manifest declares.
    pub capabilities: Capabilities,
    /// Limits the manifest requests.
    pub limits: RequestedLimits,
}

/// The `[capabilities]` table of a manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Capabilities {
    /// Absolute folders the plugin may read files under.
    #[serde(default)]
    pub read_folders: Vec<String>,
    /// Hosts (`host` or `host:port`) the plugin may send HTTP requests to.
    #[serde(default)]
    pub http_hosts: Vec<String>,
}

/// The `[limits]` table of a manifest; unset entries are `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RequestedLimits {
    /// Memory in MiB.
    pub memory_mib: Option<u64>,
    /// Time for one call in milliseconds.
    pub call_timeout_ms: Option<u64>,
    /// Output of one call in KiB.
    pub output_kib: Option<u64>,
    /// Key-value storage in KiB.
    pub kv_kib: Option<u64>,
}

/// A manifest that cannot be used; the message names the field and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ManifestError(String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    id: String,
    name: String,
    version: String,
    kind: String,
    api: String,
    description: Option<String>,
    #[serde(default)]
    capabilities: Capabilities,
    #[serde(default)]
    limits: RequestedLimits,
}

impl NativeManifest {
    /// Parses manifest text and checks that it describes a rule plugin for
    /// an API version this crate implements.
    pub fn parse(text: &str) -> Result<Self, ManifestError> {
        let raw: RawManifest = toml::from_str(text)
            .map_err(|error| ManifestError(format!("the manifest is not valid: {error}")))?;
        if raw.id.trim().is_empty() {
            return Err(ManifestError("the manifest's `id` is empty".into()));
        }
        if raw.kind != "rule" {
            return Err(ManifestError(format!(
                "the manifest's kind is {:?}, but a native plugin must be a rule; set kind = \"rule\"",
                raw.kind
            )));
        }
        let version = Version::parse(&raw.version).map_err(|error| {
            ManifestError(format!(
                "the manifest's version {:?} is not a semantic version such as 0.1.0: {error}",
                raw.version
            ))
        })?;
        let api = Version::parse(&raw.api).map_err(|error| {
            ManifestError(format!(
                "the manifest's api {:?} is not a version such as {API_VERSION}: {error}",
                raw.api
            ))
        })?;
        check_api(&api)?;
        Ok(Self {
            id: raw.id,
            name: raw.name,
            version,
            api,
            description: raw.description,
            capabilities: raw.capabilities,
            limits: raw.limits,
        })
    }
}

/// Accepts an API version with this crate's major version that is not newer
/// than [`API_VERSION`].
fn check_api(api: &Version) -> Result<(), ManifestError> {
    if api.major != API_VERSION.major {
        return Err(ManifestError(format!(
            "the plugin was built for API {api}, but this host implements API {API_VERSION}, \
             and major versions are not compatible; rebuild it against API {API_VERSION}"
        )));
    }
    if (api.minor, api.patch) > (API_VERSION.minor, API_VERSION.patch) {
        return Err(ManifestError(format!(
            "the plugin was built for API {api}, which is newer than the API {API_VERSION} \
             this host implements; update Kefu or rebuild the plugin against API {API_VERSION}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"
        id = "vip-rule"
        name = "VIP rule"
        version = "0.2.0"
        kind = "rule"
        api = "1.1.0"
        description = "Tags VIP customers"

        [capabilities]
        read-folders = ["/srv/kefu"]
        http-hosts = ["example.com:8443"]

        [limits]
        memory-mib = 64
        call-timeout-ms = 500
        output-kib = 128
        kv-kib = 256
    "#;

    fn error_of(text: &str) -> String {
        NativeManifest::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn parse_reads_every_field() {
        let manifest = NativeManifest::parse(VALID).unwrap();
        assert_eq!(manifest.id, "vip-rule");
        assert_eq!(manifest.name, "VIP rule");
        assert_eq!(manifest.version, Version::new(0, 2, 0));
        assert_eq!(manifest.api, Version::new(1, 1, 0));
        assert_eq!(manifest.description.as_deref(), Some("Tags VIP customers"));
        assert_eq!(manifest.capabilities.read_folders, ["/srv/kefu"]);
        assert_eq!(manifest.capabilities.http_hosts, ["example.com:8443"]);
        assert_eq!(manifest.limits.memory_mib, Some(64));
        assert_eq!(manifest.limits.call_timeout_ms, Some(500));
        assert_eq!(manifest.limits.output_kib, Some(128));
        assert_eq!(manifest.limits.kv_kib, Some(256));
    }

    #[test]
    fn parse_accepts_older_minor_api() {
        let text = VALID.replace("api = \"1.1.0\"", "api = \"1.0.0\"");
        let manifest = NativeManifest::parse(&text).unwrap();
        assert_eq!(manifest.api, Version::new(1, 0, 0));
    }

    #[test]
    fn parse_rejects_newer_minor_api() {
        let text = VALID.replace("api = \"1.1.0\"", "api = \"1.2.0\"");
        let message = error_of(&text);
        assert!(message.contains("API 1.2.0"), "message: {message}");
        assert!(message.contains("newer"), "message: {message}");
    }

    #[test]
    fn parse_rejects_other_major_api() {
        let text = VALID.replace("api = \"1.1.0\"", "api = \"2.0.0\"");
        let message = error_of(&text);
        assert!(message.contains("API 2.0.0"), "message: {message}");
        assert!(message.contains("major"), "message: {message}");
    }

    #[test]
    fn parse_rejects_adapter_kind() {
        let text = VALID.replace("kind = \"rule\"", "kind = \"adapter\"");
        let message = error_of(&text);
        assert!(message.contains("\"adapter\""), "message: {message}");
    }

    #[test]
    fn parse_rejects_unknown_field() {
        let text = format!("{VALID}\n[extra]\nkey = 1\n");
        let message = error_of(&text);
        assert!(message.contains("extra"), "message: {message}");
    }

    #[test]
    fn parse_rejects_missing_id() {
        let text = VALID.replace("id = \"vip-rule\"", "");
        let message = error_of(&text);
        assert!(message.contains("id"), "message: {message}");
    }

    #[test]
    fn parse_rejects_bad_version() {
        let text = VALID.replace("version = \"0.2.0\"", "version = \"two\"");
        let message = error_of(&text);
        assert!(message.contains("\"two\""), "message: {message}");
    }
}
