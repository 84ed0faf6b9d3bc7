//! Turns a core WebAssembly module built with `wit-bindgen` into a Kefu
//! plugin component and embeds the plugin's manifest in it. The
//! `kefu-componentize` binary and `kefu plugin build` both call
//! [`componentize`].
//!
//! The manifest must parse and pass the checks the host makes (see
//! `manifest.rs`). Its `kind` must match the interface the module exports
//! (`kefu:plugin/rule` for `rule`), the module may import only the
//! interfaces of that kind's world, and `api` must be the version of the
//! `kefu:plugin` package the module was built against.

pub mod manifest;

use std::borrow::Cow;
use std::path::Path;

use anyhow::{Context, bail};
use semver::Version;
use wasm_encoder::{ComponentSection, CustomSection};

use manifest::Manifest;

/// Name of the component custom section that contains the text of `plugin.toml`.
pub const MANIFEST_SECTION: &str = "kefu-manifest";

/// WIT package of the Kefu plugin API.
pub const API_PACKAGE: &str = "kefu:plugin";

/// Builds a plugin component from a core module and the text of its
/// `plugin.toml`: encodes the component, checks the manifest's `kind` and
/// `api` against it and appends the manifest section. The paths only name
/// the inputs in error messages.
pub fn componentize(
    module_path: &Path,
    module: &[u8],
    manifest_path: &Path,
    manifest_text: &str,
) -> anyhow::Result<(Manifest, Vec<u8>)> {
    let manifest = manifest::parse(manifest_path, manifest_text).map_err(anyhow::Error::msg)?;
    let component = encode_component(module_path, module)?;
    check_world(manifest_path, &manifest, &component)?;
    Ok((manifest, append_manifest(component, manifest_text)))
}

/// Encodes a core module as a component, from the WIT world that
/// `wit-bindgen` recorded in the module's custom sections.
pub fn encode_component(module_path: &Path, module: &[u8]) -> anyhow::Result<Vec<u8>> {
    wit_component::ComponentEncoder::default()
        .module(module)
        .with_context(|| {
            format!(
                "{} has no Kefu world metadata; build it with kefu-plugin-sdk",
                module_path.display()
            )
        })?
        .validate(true)
        .encode()
        .with_context(|| format!("encoding {} as a component", module_path.display()))
}

/// Checks the manifest's `kind` and `api` against the `kefu:plugin`
/// interfaces the component imports and exports. The component is checked
/// rather than the module, because wit-component drops the imports that
/// the module never calls.
pub fn check_world(
    manifest_path: &Path,
    manifest: &Manifest,
    component: &[u8],
) -> anyhow::Result<()> {
    let file = manifest_path.display();
    let (imports, exports) = top_level_names(component)?;
    let exported: Vec<(&str, Version)> = exports
        .iter()
        .filter_map(|name| api_interface(name))
        .collect();
    let Some((interface, _)) = exported.first() else {
        bail!(
            "the module exports no {API_PACKAGE} interface, so it is not a Kefu plugin; \
             register the plugin with export_adapter!, export_rule! or export_widget!"
        );
    };
    if exported.len() > 1 || *interface != manifest.kind {
        let names: Vec<&str> = exports.iter().map(String::as_str).collect();
        bail!(
            "{file} says kind = {:?}, but the module exports {}; a plugin exports exactly the \
             interface of its kind ({API_PACKAGE}/{}), so fix `kind` or the export macro",
            manifest.kind,
            names.join(", "),
            manifest.kind
        );
    }
    let importable = manifest::importable_interfaces(&manifest.kind);
    for name in &imports {
        if let Some((interface, _)) = api_interface(name)
            && !importable.contains(&interface)
        {
            bail!(
                "the module imports {name}, which a {} plugin cannot use; its world imports \
                 only {}",
                manifest.kind,
                importable.join(", ")
            );
        }
    }
    for name in imports.iter().chain(&exports) {
        if let Some((_, version)) = api_interface(name)
            && version != manifest.api
        {
            bail!(
                "{file} sets api = \"{}\", but the module was built against {API_PACKAGE}@{version} \
                 (it uses {name}); set api = \"{version}\"",
                manifest.api
            );
        }
    }
    Ok(())
}

/// Returns the names of a component's top-level imports and exports.
pub fn top_level_names(component: &[u8]) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    let mut depth = 0usize;
    for payload in wasmparser::Parser::new(0).parse_all(component) {
        match payload.context("reading the encoded component")? {
            wasmparser::Payload::Version { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth = depth.saturating_sub(1),
            wasmparser::Payload::ComponentImportSection(reader) if depth == 1 => {
                for import in reader {
                    imports.push(import?.name.name.to_string());
                }
            }
            wasmparser::Payload::ComponentExportSection(reader) if depth == 1 => {
                for export in reader {
                    exports.push(export?.name.name.to_string());
                }
            }
            _ => {}
        }
    }
    Ok((imports, exports))
}

/// Splits a name such as `kefu:plugin/rule@1.1.0` into the interface name
/// and the package version; `None` for names outside the plugin API.
pub fn api_interface(name: &str) -> Option<(&str, Version)> {
    let rest = name.strip_prefix(API_PACKAGE)?.strip_prefix('/')?;
    let (interface, version) = rest.split_once('@')?;
    Some((interface, Version::parse(version).ok()?))
}

/// Appends the manifest text as a top-level custom section. The component
/// model allows custom sections anywhere at a component's top level.
pub fn append_manifest(mut component: Vec<u8>, manifest_text: &str) -> Vec<u8> {
    let section = CustomSection {
        name: Cow::Borrowed(MANIFEST_SECTION),
        data: Cow::Borrowed(manifest_text.as_bytes()),
    };
    section.append_to_component(&mut component);
    component
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Returns the data of every top-level custom section named `name`.
    fn custom_sections(component: &[u8], name: &str) -> Vec<Vec<u8>> {
        let mut found = Vec::new();
        let mut depth = 0usize;
        for payload in wasmparser::Parser::new(0).parse_all(component) {
            match payload.unwrap() {
                wasmparser::Payload::Version { .. } => depth += 1,
                wasmparser::Payload::End(_) => depth -= 1,
                wasmparser::Payload::CustomSection(section)
                    if depth == 1 && section.name() == name =>
                {
                    found.push(section.data().to_vec());
                }
                _ => {}
            }
        }
        found
    }

    #[test]
    fn manifest_section_reads_back() {
        let empty_component = wasm_encoder::Component::new().finish();
        let text = "id = \"x\"\n# 中文 comment\n";
        let component = append_manifest(empty_component, text);
        wasmparser::Validator::new()
            .validate_all(&component)
            .expect("the component stays valid");
        assert_eq!(
            custom_sections(&component, MANIFEST_SECTION),
            vec![text.as_bytes().to_vec()]
        );
    }

    /// Builds a component that imports an empty instance under each name
    /// in `imports` and exports the first of them under each name in
    /// `exports`. It only parses, which is all `check_world` needs.
    fn component(imports: &[&str], exports: &[&str]) -> Vec<u8> {
        use wasm_encoder::{
            Component, ComponentExportKind, ComponentExportSection, ComponentImportSection,
            ComponentTypeRef, ComponentTypeSection, InstanceType,
        };

        let mut component = Component::new();
        let mut types = ComponentTypeSection::new();
        types.instance(&InstanceType::new());
        component.section(&types);
        let mut import_section = ComponentImportSection::new();
        for name in imports {
            import_section.import(*name, ComponentTypeRef::Instance(0));
        }
        component.section(&import_section);
        let mut export_section = ComponentExportSection::new();
        for name in exports {
            export_section.export(*name, ComponentExportKind::Instance, 0, None);
        }
        component.section(&export_section);
        component.finish()
    }

    fn manifest(kind: &str, api: &str) -> Manifest {
        Manifest {
            id: "test".to_string(),
            kind: kind.to_string(),
            api: Version::parse(api).unwrap(),
        }
    }

    fn check(manifest: &Manifest, imports: &[&str], exports: &[&str]) -> Result<(), String> {
        let component = component(imports, exports);
        check_world(Path::new("x/plugin.toml"), manifest, &component)
            .map_err(|error| error.to_string())
    }

    #[test]
    fn check_world_accepts_matching_plugin() {
        let imports = ["kefu:plugin/types@1.1.0", "kefu:plugin/http@1.1.0"];
        let exports = ["kefu:plugin/rule@1.1.0"];
        assert_eq!(
            check(&manifest("rule", "1.1.0"), &imports, &exports),
            Ok(())
        );
        let widget_imports = ["kefu:plugin/host@1.1.0", "kefu:plugin/kv@1.1.0"];
        let widget_exports = ["kefu:plugin/widget@1.1.0"];
        assert_eq!(
            check(
                &manifest("widget", "1.1.0"),
                &widget_imports,
                &widget_exports
            ),
            Ok(())
        );
    }

    #[test]
    fn check_world_rejects_other_kind() {
        let error = check(
            &manifest("adapter", "1.1.0"),
            &[],
            &["kefu:plugin/rule@1.1.0"],
        )
        .unwrap_err();
        assert!(error.contains("kind = \"adapter\""), "{error}");
    }

    #[test]
    fn check_world_rejects_no_export() {
        let error =
            check(&manifest("rule", "1.1.0"), &[], &["other:thing/rule@1.1.0"]).unwrap_err();
        assert!(
            error.contains("exports no kefu:plugin interface"),
            "{error}"
        );
    }

    #[test]
    fn check_world_rejects_other_api_version() {
        let error = check(
            &manifest("rule", "1.1.0"),
            &["kefu:plugin/types@1.0.0"],
            &["kefu:plugin/rule@1.0.0"],
        )
        .unwrap_err();
        assert!(error.contains("set api = \"1.0.0\""), "{error}");
    }

    #[test]
    fn check_world_lets_only_adapters_import_identities() {
        let imports = ["kefu:plugin/identities@1.2.0"];
        assert_eq!(
            check(
                &manifest("adapter", "1.2.0"),
                &imports,
                &["kefu:plugin/adapter@1.2.0"],
            ),
            Ok(())
        );
        let error = check(
            &manifest("rule", "1.2.0"),
            &imports,
            &["kefu:plugin/rule@1.2.0"],
        )
        .unwrap_err();
        assert!(error.contains("kefu:plugin/identities@1.2.0"), "{error}");
    }

    #[test]
    fn check_world_rejects_import_outside_world() {
        let error = check(
            &manifest("widget", "1.1.0"),
            &["kefu:plugin/files@1.1.0"],
            &["kefu:plugin/widget@1.1.0"],
        )
        .unwrap_err();
        assert!(error.contains("kefu:plugin/files@1.1.0"), "{error}");
        assert!(error.contains("types, host, kv"), "{error}");
    }

    #[test]
    fn api_interface_splits_names() {
        assert_eq!(
            api_interface("kefu:plugin/rule@1.1.0"),
            Some(("rule", Version::new(1, 1, 0)))
        );
        assert_eq!(api_interface("kefu:plugins/rule@1.1.0"), None);
        assert_eq!(api_interface("wasi:io/poll@0.2.0"), None);
        assert_eq!(api_interface("kefu:plugin/rule"), None);
    }
}
