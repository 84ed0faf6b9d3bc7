//! Plugin manifests (`plugin.toml`) and the API version check.
//!
//! A plugin's manifest travels inside its component, in a custom section
//! named [`MANIFEST_SECTION`], so one `.wasm` file is the whole plugin.

use std::fmt;
use std::time::Duration;

use semver::Version;
use serde::Deserialize;

use super::{Limits, PluginKind};

/// Name of the component custom section that contains the manifest text.
pub const MANIFEST_SECTION: &str = "kefu-manifest";

/// The plugin API version this host implements.
pub const API_VERSION: Version = Version::new(1, 2, 0);

/// WIT package name of the plugin API.
pub const API_PACKAGE: &str = "kefu:plugin";

/// Maximum limits a manifest may request. Larger values are clamped to these.
pub const MAX_LIMITS: Limits = Limits {
    memory_bytes: 1024 * 1024 * 1024,
    call_timeout: Duration::from_secs(60),
    output_bytes: 64 * 1024 * 1024,
    kv_bytes: 64 * 1024 * 1024,
};

/// A parsed and checked `plugin.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    pub id: String,
    pub name: String,
    pub version: Version,
    pub kind: PluginKind,
    /// API version the plugin was built against.
    pub api: Version,
    pub description: Option<String>,
    pub capabilities: Capabilities,
    /// Limits the manifest requests, before the host clamps them.
    pub limits: RequestedLimits,
}

/// Capabilities a manifest requests. Each one also needs the user's grant.
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

/// Limits as written in the manifest. Unset limits take the host's defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RequestedLimits {
    pub memory_mib: Option<u64>,
    pub call_timeout_ms: Option<u64>,
    pub output_kib: Option<u64>,
    pub kv_kib: Option<u64>,
}

/// A manifest that cannot be used. The message names the field and the fix.
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

impl Manifest {
    /// Parses and checks the text of a `plugin.toml`.
    pub fn parse(text: &str) -> Result<Self, ManifestError> {
        let raw: RawManifest = toml::from_str(text)
            .map_err(|error| ManifestError(format!("plugin.toml is not valid: {error}")))?;

        check_id(&raw.id)?;
        if raw.name.trim().is_empty() {
            return Err(ManifestError(
                "plugin.toml: `name` is empty; give the plugin a name people can read".into(),
            ));
        }

        let version = Version::parse(&raw.version).map_err(|error| {
            ManifestError(format!(
                "plugin.toml: version {:?} is not a semantic version such as 0.1.0: {error}",
                raw.version
            ))
        })?;
        let kind = PluginKind::from_manifest(&raw.kind).ok_or_else(|| {
            ManifestError(format!(
                "plugin.toml: kind {:?} is unknown; use adapter, rule or widget",
                raw.kind
            ))
        })?;
        let api = Version::parse(&raw.api).map_err(|error| {
            ManifestError(format!(
                "plugin.toml: api {:?} is not a version such as {API_VERSION}: {error}",
                raw.api
            ))
        })?;

        for folder in &raw.capabilities.read_folders {
            if !std::path::Path::new(folder).is_absolute() {
                return Err(ManifestError(format!(
                    "plugin.toml: read-folders entry {folder:?} is not an absolute path"
                )));
            }
        }

        for host in &raw.capabilities.http_hosts {
            if host.is_empty() || host.contains(['/', '@', ' ']) {
                return Err(ManifestError(format!(
                    "plugin.toml: http-hosts entry {host:?} is not a host name; write `example.com` or `example.com:8443`"
                )));
            }
        }

        let limits = raw.limits;
        for (name, value) in [
            ("memory-mib", limits.memory_mib),
            ("call-timeout-ms", limits.call_timeout_ms),
            ("output-kib", limits.output_kib),
            ("kv-kib", limits.kv_kib),
        ] {
            if value == Some(0) {
                return Err(ManifestError(format!(
                    "plugin.toml: limits.{name} is 0; remove it to use the default, or give a \
                     value above 0"
                )));
            }
        }

        Ok(Self {
            id: raw.id,
            name: raw.name,
            version,
            kind,
            api,
            description: raw.description,
            capabilities: raw.capabilities,
            limits: raw.limits,
        })
    }

    /// Reads the manifest embedded in a component.
    pub fn from_component(bytes: &[u8]) -> Result<Self, ManifestError> {
        let text = embedded_manifest(bytes)?.ok_or_else(|| {
            ManifestError(format!(
                "the component has no `{MANIFEST_SECTION}` section; build it with \
                 `kefu plugin build`, which embeds plugin.toml"
            ))
        })?;
        Self::parse(&text)
    }

    /// Computes the limits the plugin runs under. Each requested limit is
    /// clamped to [`MAX_LIMITS`], and unset ones take the host's defaults.
    pub fn limits(&self) -> Limits {
        let defaults = Limits::default();
        let requested = &self.limits;
        Limits {
            memory_bytes: requested
                .memory_mib
                .map_or(defaults.memory_bytes, |mib| {
                    units_to_bytes(mib, 1024 * 1024)
                })
                .min(MAX_LIMITS.memory_bytes),
            call_timeout: requested
                .call_timeout_ms
                .map_or(defaults.call_timeout, Duration::from_millis)
                .min(MAX_LIMITS.call_timeout),
            output_bytes: requested
                .output_kib
                .map_or(defaults.output_bytes, |kib| units_to_bytes(kib, 1024))
                .min(MAX_LIMITS.output_bytes),
            kv_bytes: requested
                .kv_kib
                .map_or(defaults.kv_bytes, |kib| units_to_bytes(kib, 1024))
                .min(MAX_LIMITS.kv_bytes),
        }
    }
}

/// Converts `count` units of `unit_bytes` each to bytes, saturating at `usize::MAX`.
fn units_to_bytes(count: u64, unit_bytes: u64) -> usize {
    usize::try_from(count.saturating_mul(unit_bytes)).unwrap_or(usize::MAX)
}

/// Checks that a plugin id has 1 to 64 lower-case ASCII letters, digits and
/// dashes, and does not start with a dash.
pub fn check_id(id: &str) -> Result<(), ManifestError> {
    let valid = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
        && !id.starts_with('-');
    if valid {
        Ok(())
    } else {
        Err(ManifestError(format!(
            "plugin id {id:?} is not valid; use 1 to 64 lower-case letters, digits and dashes, \
             for example `vip-escalation`"
        )))
    }
}

/// Returns the text of the component's top-level manifest section, if any.
fn embedded_manifest(bytes: &[u8]) -> Result<Option<String>, ManifestError> {
    let mut depth = 0usize;
    let mut found = None;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|error| {
            ManifestError(format!("the file is not a WebAssembly component: {error}"))
        })?;
        match payload {
            wasmparser::Payload::Version { encoding, .. } => {
                if depth == 0 && encoding != wasmparser::Encoding::Component {
                    return Err(ManifestError(
                        "the file is a core WebAssembly module, not a component; turn it into \
                         a component with `kefu plugin build`"
                            .into(),
                    ));
                }
                depth += 1;
            }
            wasmparser::Payload::End(_) => depth = depth.saturating_sub(1),
            wasmparser::Payload::CustomSection(section)
                if depth == 1 && section.name() == MANIFEST_SECTION =>
            {
                let text = std::str::from_utf8(section.data()).map_err(|_| {
                    ManifestError(format!("the `{MANIFEST_SECTION}` section is not UTF-8"))
                })?;
                found = Some(text.to_string());
            }
            _ => {}
        }
    }
    Ok(found)
}

/// Parses the plugin API versions out of the interface names a component
/// imports or exports, such as `kefu:plugin/rule@1.0.0`. Returns them sorted
/// and without duplicates. Names of other packages are skipped.
pub fn api_versions<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<Version> {
    let prefix = format!("{API_PACKAGE}/");
    let mut versions: Vec<Version> = names
        .into_iter()
        .filter_map(|name| name.strip_prefix(&prefix))
        .filter_map(|rest| rest.split_once('@'))
        .filter_map(|(_, version)| Version::parse(version).ok())
        .collect();
    versions.sort();
    versions.dedup();
    versions
}

/// Checks that this host can load a plugin built against `version`. The
/// version needs the host's major version and must be no newer than the
/// host's version. Under major version 0 the minor version must match too.
pub fn check_api_version(version: &Version) -> Result<(), ManifestError> {
    let host = API_VERSION;
    let compatible = version.major == host.major
        && (version.major != 0 || version.minor == host.minor)
        && (version.minor, version.patch) <= (host.minor, host.patch);
    if compatible {
        return Ok(());
    }
    let advice = if *version > host {
        "update Kefu, or rebuild the plugin against this API version"
    } else {
        "rebuild the plugin against this API version"
    };
    Err(ManifestError(format!(
        "built for Kefu plugin API {version}, but this Kefu implements API {host} and loads \
         plugins built for {}.0.0 up to {host}; {advice}",
        host.major
    )))
}

impl PluginKind {
    /// Parses the `kind` field of a manifest.
    pub fn from_manifest(kind: &str) -> Option<Self> {
        match kind {
            "adapter" => Some(Self::Adapter),
            "rule" => Some(Self::Rule),
            "widget" => Some(Self::Widget),
            _ => None,
        }
    }

    /// Returns the kind's name as written in manifests and on the command line.
    pub fn manifest_name(self) -> &'static str {
        match self {
            Self::Adapter => "adapter",
            Self::Rule => "rule",
            Self::Widget => "widget",
        }
    }
}

impl fmt::Display for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(
            self.read_folders
                .iter()
                .map(|folder| format!("read-folder {folder}")),
        );
        parts.extend(
            self.http_hosts
                .iter()
                .map(|host| format!("http-host {host}")),
        );
        if parts.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
id = "vip-escalation"
name = "VIP escalation"
version = "0.1.0"
kind = "rule"
api = "1.1.0"
"#;

    #[test]
    fn minimal_manifest_parses_with_default_limits() {
        let manifest = Manifest::parse(MINIMAL).unwrap();
        assert_eq!(manifest.id, "vip-escalation");
        assert_eq!(manifest.kind, PluginKind::Rule);
        assert_eq!(manifest.limits(), Limits::default());
        assert_eq!(manifest.capabilities.to_string(), "none");
    }

    #[test]
    fn requested_limits_are_clamped_to_host_maxima() {
        let text = format!("{MINIMAL}\n[limits]\nmemory-mib = 999999\ncall-timeout-ms = 100\n");
        let limits = Manifest::parse(&text).unwrap().limits();
        assert_eq!(limits.memory_bytes, MAX_LIMITS.memory_bytes);
        assert_eq!(limits.call_timeout, Duration::from_millis(100));
    }

    #[test]
    fn zero_limit_is_rejected_by_name() {
        let error = Manifest::parse(&format!("{MINIMAL}\n[limits]\noutput-kib = 0\n")).unwrap_err();
        assert!(
            error.to_string().contains("limits.output-kib is 0"),
            "{error}"
        );
    }

    #[test]
    fn unknown_field_is_named() {
        let error = Manifest::parse(&format!("{MINIMAL}\ncolour = \"red\"\n")).unwrap_err();
        assert!(error.to_string().contains("colour"), "{error}");
    }

    #[test]
    fn parse_error_quotes_invalid_value() {
        let invalid_id = MINIMAL.replace("vip-escalation", "VIP Escalation");
        let message = Manifest::parse(&invalid_id).unwrap_err().to_string();
        assert!(message.contains("\"VIP Escalation\""), "{message}");

        let unknown_kind = MINIMAL.replace("kind = \"rule\"", "kind = \"filter\"");
        let message = Manifest::parse(&unknown_kind).unwrap_err().to_string();
        assert!(message.contains("\"filter\""), "{message}");

        let relative = format!("{MINIMAL}\n[capabilities]\nread-folders = [\"exports\"]\n");
        let message = Manifest::parse(&relative).unwrap_err().to_string();
        assert!(message.contains("\"exports\""), "{message}");
    }

    #[test]
    fn api_check_accepts_same_major_older_minor() {
        assert!(check_api_version(&Version::new(1, 0, 0)).is_ok());
        assert!(check_api_version(&Version::new(1, 1, 0)).is_ok());
        assert!(check_api_version(&API_VERSION).is_ok());
        for version in [
            Version::new(2, 0, 0),
            Version::new(0, 1, 0),
            Version::new(1, 3, 0),
        ] {
            let message = check_api_version(&version).unwrap_err().to_string();
            assert!(message.contains(&version.to_string()), "{message}");
            assert!(message.contains(&API_VERSION.to_string()), "{message}");
        }
    }

    #[test]
    fn api_versions_are_read_from_interface_names() {
        let names = [
            "kefu:plugin/host@1.0.0",
            "kefu:plugin/rule@1.0.0",
            "wasi:io/streams@0.2.0",
            "kefu:plugin/kv@1.0.0",
        ];
        assert_eq!(api_versions(names), vec![Version::new(1, 0, 0)]);
    }
}
