//! `kefu plugin check`: what a plugin file declares, and what keeps it from
//! loading.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kefu_core::plugin::folder::{MAX_COMPONENT_BYTES, read_plugin_file};
use kefu_core::plugin::manifest::{API_PACKAGE, check_api_version};
use kefu_core::plugin::{Limits, Manifest, PluginContext, PluginEngine, PluginKind};
use semver::Version;
use serde_json::json;

use super::CheckArgs;
use crate::output::printable;

pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let bytes = read_component(&args.file)?;
    let engine = crate::ingest::engine()?;
    let inspection = inspect(&args.file, &bytes, Some(&engine));
    if args.json {
        crate::output::print_json(&inspection.to_json())?;
    } else {
        crate::output::print(&inspection.to_text())?;
    }
    Ok(if inspection.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Reads a plugin file, rejecting anything but a regular file of at most
/// [`MAX_COMPONENT_BYTES`].
pub fn read_component(path: &Path) -> anyhow::Result<Vec<u8>> {
    read_plugin_file(path, MAX_COMPONENT_BYTES)
}

/// Result of inspecting a plugin file: its manifest, interfaces and problems.
pub struct Inspection {
    pub file: PathBuf,
    pub size: u64,
    pub manifest: Option<Manifest>,
    /// Kind of the `kefu:plugin` interface the component exports, when it
    /// exports exactly one.
    pub world: Option<PluginKind>,
    /// Versions of the `kefu:plugin` package in the component's interface names.
    pub interface_versions: Vec<Version>,
    /// Names of the component's top-level imports and exports.
    pub imports: Vec<String>,
    pub exports: Vec<String>,
    /// Reasons the host would reject the plugin or its calls would fail.
    pub problems: Vec<String>,
}

/// Inspects the plugin file `bytes` read from `file`. With an engine, a
/// file without other problems is also compiled and linked the way Kefu
/// loads it.
pub fn inspect(file: &Path, bytes: &[u8], engine: Option<&PluginEngine>) -> Inspection {
    let mut inspection = Inspection {
        file: file.to_path_buf(),
        size: bytes.len() as u64,
        manifest: None,
        world: None,
        interface_versions: Vec::new(),
        imports: Vec::new(),
        exports: Vec::new(),
        problems: Vec::new(),
    };
    if !bytes.starts_with(b"\0asm") {
        inspection.problems.push(
            "not a WebAssembly file: it does not start with the bytes \\0asm; build the plugin \
             with `kefu plugin build`"
                .to_string(),
        );
        return inspection;
    }
    if wasmparser::Parser::is_core_wasm(bytes) {
        inspection.problems.push(
            "a core WebAssembly module, not a component; `kefu plugin build` turns the module \
             into a component and embeds plugin.toml"
                .to_string(),
        );
        return inspection;
    }
    match kefu_componentize::top_level_names(bytes) {
        Ok((imports, exports)) => {
            inspection.imports = imports;
            inspection.exports = exports;
        }
        Err(error) => {
            inspection
                .problems
                .push(format!("not a valid WebAssembly component: {error:#}"));
            return inspection;
        }
    }
    match Manifest::from_component(bytes) {
        Ok(manifest) => inspection.manifest = Some(manifest),
        Err(error) => inspection.problems.push(error.to_string()),
    }
    inspection.check_world();
    inspection.check_api();
    inspection.check_imports();
    if inspection.problems.is_empty()
        && let (Some(engine), Some(manifest)) = (engine, &inspection.manifest)
        && let Err(error) = engine.load(manifest, bytes, PluginContext::for_plugin(&manifest.id))
    {
        inspection
            .problems
            .push(format!("Kefu cannot load it: {error}"));
    }
    inspection
}

impl Inspection {
    /// Returns the `kefu:plugin` interfaces among `names`, as (interface, version).
    fn api_interfaces(names: &[String]) -> Vec<(&str, Version)> {
        names
            .iter()
            .filter_map(|name| kefu_componentize::api_interface(name))
            .collect()
    }

    /// Finds the world from the exported interface and compares it with the
    /// manifest's kind.
    fn check_world(&mut self) {
        let exported = Self::api_interfaces(&self.exports);
        let kinds: Vec<PluginKind> = exported
            .iter()
            .filter_map(|(interface, _)| PluginKind::from_manifest(interface))
            .collect();
        match kinds.as_slice() {
            [] => self.problems.push(format!(
                "exports no {API_PACKAGE} adapter, rule or widget interface, so it is no Kefu \
                 plugin; export one with export_adapter!, export_rule! or export_widget!"
            )),
            [kind] => self.world = Some(*kind),
            _ => self.problems.push(format!(
                "exports {} plugin interfaces ({}); a plugin exports exactly one",
                kinds.len(),
                self.exports.join(", ")
            )),
        }
        if let (Some(world), Some(manifest)) = (self.world, &self.manifest)
            && world != manifest.kind
        {
            self.problems.push(format!(
                "plugin.toml says kind = {:?}, but the component implements the {world} world \
                 (kind {:?}); fix `kind` or the export macro and build again",
                manifest.kind.manifest_name(),
                world.manifest_name()
            ));
        }
    }

    /// Compares the API versions of the interface names with the manifest's
    /// `api` and with what this host loads.
    fn check_api(&mut self) {
        let mut versions: Vec<Version> = Self::api_interfaces(&self.imports)
            .into_iter()
            .chain(Self::api_interfaces(&self.exports))
            .map(|(_, version)| version)
            .collect();
        versions.sort();
        versions.dedup();
        self.interface_versions = versions;
        if self.interface_versions.len() > 1 {
            self.problems.push(format!(
                "the component mixes {API_PACKAGE} versions {}; build it against one SDK",
                join_versions(&self.interface_versions)
            ));
        }
        if let Some(manifest) = &self.manifest
            && !self.interface_versions.is_empty()
            && self.interface_versions != [manifest.api.clone()]
        {
            self.problems.push(format!(
                "plugin.toml sets api = \"{}\", but the component was built against \
                 {API_PACKAGE}@{}; set api to the SDK's version and build again",
                manifest.api,
                join_versions(&self.interface_versions)
            ));
        }
        let mut checked: Vec<Version> = self.interface_versions.clone();
        if let Some(manifest) = &self.manifest
            && !checked.contains(&manifest.api)
        {
            checked.push(manifest.api.clone());
        }
        for version in checked {
            if let Err(error) = check_api_version(&version) {
                self.problems
                    .push(format!("incompatible API version: {error}"));
            }
        }
    }

    /// Flags imports the host does not provide, imports outside the kind's
    /// world and capability interfaces without a declared capability.
    fn check_imports(&mut self) {
        let prefix = format!("{API_PACKAGE}/");
        for name in &self.imports {
            if !name.starts_with(&prefix) {
                self.problems.push(format!(
                    "imports {name}, which Kefu does not provide; plugins reach the host only \
                     through {API_PACKAGE} interfaces"
                ));
            }
        }
        let imported: Vec<&str> = Self::api_interfaces(&self.imports)
            .into_iter()
            .map(|(interface, _)| interface)
            .collect();
        if self.world == Some(PluginKind::Widget) {
            for interface in ["files", "http"] {
                if imported.contains(&interface) {
                    self.problems.push(format!(
                        "imports {API_PACKAGE}/{interface}, which the report-widget world does \
                         not offer"
                    ));
                }
            }
        }
        if self.world.is_some_and(|world| world != PluginKind::Adapter)
            && imported.contains(&"identities")
        {
            self.problems.push(format!(
                "imports {API_PACKAGE}/identities, which only the channel-adapter world offers"
            ));
        }
        let Some(manifest) = &self.manifest else {
            return;
        };
        if imported.contains(&"files") && manifest.capabilities.read_folders.is_empty() {
            self.problems.push(format!(
                "imports {API_PACKAGE}/files, but plugin.toml declares no read-folders, so \
                 every file read fails as undeclared; add [capabilities] read-folders"
            ));
        }
        if imported.contains(&"http") && manifest.capabilities.http_hosts.is_empty() {
            self.problems.push(format!(
                "imports {API_PACKAGE}/http, but plugin.toml declares no http-hosts, so every \
                 request fails as undeclared; add [capabilities] http-hosts"
            ));
        }
    }

    fn plugin_imports(&self) -> Vec<&str> {
        let prefix = format!("{API_PACKAGE}/");
        self.imports
            .iter()
            .filter(|name| name.starts_with(&prefix))
            .map(String::as_str)
            .collect()
    }

    fn plugin_exports(&self) -> Vec<&str> {
        let prefix = format!("{API_PACKAGE}/");
        self.exports
            .iter()
            .filter(|name| name.starts_with(&prefix))
            .map(String::as_str)
            .collect()
    }

    /// Formats the inspection for people.
    pub fn to_text(&self) -> String {
        let mut lines = vec![format!(
            "File:          {}, {}",
            self.file.display(),
            super::format_size(self.size)
        )];
        if let Some(manifest) = &self.manifest {
            lines.push(format!("Id:            {}", manifest.id));
            lines.push(format!("Name:          {}", printable(&manifest.name)));
            lines.push(format!("Version:       {}", manifest.version));
            if let Some(description) = &manifest.description {
                lines.push(format!("Description:   {}", printable(description)));
            }
            lines.push(format!(
                "Kind:          {} (world: {})",
                manifest.kind.manifest_name(),
                self.world
                    .map_or("none found".to_string(), |world| world.to_string())
            ));
            lines.push(format!(
                "API version:   {} in plugin.toml, {} in interface names",
                manifest.api,
                if self.interface_versions.is_empty() {
                    "none".to_string()
                } else {
                    join_versions(&self.interface_versions)
                }
            ));
        } else if let Some(world) = self.world {
            lines.push(format!(
                "Kind:          none in a manifest (world: {world})"
            ));
        }
        if !self.imports.is_empty() || !self.exports.is_empty() {
            lines.push(format!(
                "Exports:       {}",
                list_or_none(&self.plugin_exports())
            ));
            lines.push(format!(
                "Imports:       {}",
                list_or_none(&self.plugin_imports())
            ));
        }
        if let Some(manifest) = &self.manifest {
            lines.push(format!(
                "Capabilities:  {}",
                printable(&manifest.capabilities.to_string())
            ));
            lines.push("Limits (requested -> effective):".to_string());
            for row in limit_rows(manifest) {
                let requested = row.requested.map_or("default".to_string(), |value| {
                    format!("{value} {}", row.unit)
                });
                lines.push(format!(
                    "  {:<14} {requested} -> {} {}",
                    row.label, row.effective, row.unit
                ));
            }
        }
        if self.problems.is_empty() {
            lines.push("Problems:      none".to_string());
        } else {
            lines.push(format!("Problems:      {}", self.problems.len()));
            for problem in &self.problems {
                lines.push(format!("  - {}", printable(problem)));
            }
        }
        lines.push(String::new());
        lines.join("\n")
    }

    /// Formats the inspection as JSON for scripts.
    pub fn to_json(&self) -> serde_json::Value {
        let manifest = self.manifest.as_ref();
        let limits = manifest.map(|manifest| {
            limit_rows(manifest)
                .into_iter()
                .map(|row| {
                    (
                        row.key.replace('-', "_"),
                        json!({ "requested": row.requested, "effective": row.effective }),
                    )
                })
                .collect::<serde_json::Map<_, _>>()
        });
        json!({
            "file": self.file.display().to_string(),
            "size": self.size,
            "id": manifest.map(|manifest| manifest.id.clone()),
            "name": manifest.map(|manifest| manifest.name.clone()),
            "version": manifest.map(|manifest| manifest.version.to_string()),
            "description": manifest.and_then(|manifest| manifest.description.clone()),
            "kind": manifest.map(|manifest| manifest.kind.manifest_name()),
            "world": self.world.map(|world| world.manifest_name()),
            "api": manifest.map(|manifest| manifest.api.to_string()),
            "interface_api_versions": self
                .interface_versions
                .iter()
                .map(Version::to_string)
                .collect::<Vec<_>>(),
            "exports": self.plugin_exports(),
            "imports": self.plugin_imports(),
            "capabilities": manifest.map(|manifest| json!({
                "read_folders": manifest.capabilities.read_folders,
                "http_hosts": manifest.capabilities.http_hosts,
            })),
            "limits": limits,
            "problems": self.problems,
        })
    }
}

/// One limit of a manifest, in the unit plugin.toml uses.
struct LimitRow {
    /// Key in plugin.toml's `[limits]` table, for example `memory-mib`.
    key: &'static str,
    label: &'static str,
    unit: &'static str,
    requested: Option<u64>,
    effective: u64,
}

/// Returns the manifest's limits as requested and as the host applies them.
fn limit_rows(manifest: &Manifest) -> Vec<LimitRow> {
    let requested = &manifest.limits;
    let effective: Limits = manifest.limits();
    let to_u64 = |value: usize| u64::try_from(value).unwrap_or(u64::MAX);
    vec![
        LimitRow {
            key: "memory-mib",
            label: "memory",
            unit: "MiB",
            requested: requested.memory_mib,
            effective: to_u64(effective.memory_bytes / (1024 * 1024)),
        },
        LimitRow {
            key: "call-timeout-ms",
            label: "call timeout",
            unit: "ms",
            requested: requested.call_timeout_ms,
            effective: u64::try_from(effective.call_timeout.as_millis()).unwrap_or(u64::MAX),
        },
        LimitRow {
            key: "output-kib",
            label: "output",
            unit: "KiB",
            requested: requested.output_kib,
            effective: to_u64(effective.output_bytes / 1024),
        },
        LimitRow {
            key: "kv-kib",
            label: "kv storage",
            unit: "KiB",
            requested: requested.kv_kib,
            effective: to_u64(effective.kv_bytes / 1024),
        },
    ]
}

fn join_versions(versions: &[Version]) -> String {
    versions
        .iter()
        .map(Version::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn list_or_none(items: &[&str]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_file_is_not_webassembly() {
        let inspection = inspect(Path::new("notes.wasm"), b"hello", None);
        assert_eq!(inspection.problems.len(), 1);
        assert!(inspection.problems[0].contains("not a WebAssembly file"));
    }

    #[test]
    fn core_module_is_not_a_component() {
        let module = b"\0asm\x01\0\0\0";
        let inspection = inspect(Path::new("module.wasm"), module, None);
        assert_eq!(inspection.problems.len(), 1);
        assert!(inspection.problems[0].contains("core WebAssembly module"));
    }

    #[test]
    fn component_without_manifest_or_exports_lists_both() {
        let component = b"\0asm\x0d\0\x01\0";
        let inspection = inspect(Path::new("empty.wasm"), component, None);
        let problems = inspection.problems.join("\n");
        assert!(problems.contains("kefu-manifest"), "{problems}");
        assert!(problems.contains("exports no kefu:plugin"), "{problems}");
    }
}
