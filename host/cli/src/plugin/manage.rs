//! `kefu plugin list`, `enable`, `disable`, `grant`, `revoke` and `install`:
//! the plugins Kefu finds and the state the user keeps for them in the
//! database.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use kefu_core::Store;
use kefu_core::plugin::builtin::BUILTIN_PLUGINS;
use kefu_core::plugin::capability::{HTTP_HOST, READ_FOLDER};
use kefu_core::plugin::folder::{
    MAX_COMPONENT_BYTES, component_files, native_files, read_plugin_file,
};
use kefu_core::plugin::manifest::{Capabilities, check_id};
use kefu_core::plugin::native::{self, LibraryFile};
use kefu_core::plugin::{Manifest, PluginOrigin, PluginSet, PluginStatus};
use serde_json::json;

use super::check::{inspect, read_component};
use super::{DisableArgs, EnableArgs, GrantArgs, InstallArgs, ListArgs};
use crate::output::{printable, printable_lines};

/// A plugin Kefu finds, read without compiling or loading it.
struct KnownPlugin {
    id: String,
    /// The manifest of a component. A native library's manifest is only
    /// read by loading the library, which runs its code, so it is `None`.
    manifest: Option<Manifest>,
    /// The file of a native library, which loads only while the user's
    /// consent matches the file's SHA-256. `None` for a component.
    native_library: Option<PathBuf>,
}

/// Returns the built-in plugins, the plugins-folder components with a
/// readable manifest and the native libraries in the folder whose file name
/// gives a valid id that no other plugin has. As when Kefu loads them, a
/// folder component with a built-in's id replaces the built-in. Of two
/// folder components or two libraries with one id, the first by name
/// counts.
fn known_plugins(plugin_dir: &Path) -> anyhow::Result<Vec<KnownPlugin>> {
    let mut known: Vec<KnownPlugin> = Vec::new();
    for builtin in BUILTIN_PLUGINS {
        let manifest = Manifest::from_component(builtin.component)
            .with_context(|| format!("built-in plugin {}", builtin.id))?;
        known.push(KnownPlugin {
            id: manifest.id.clone(),
            manifest: Some(manifest),
            native_library: None,
        });
    }
    let builtin_count = known.len();
    for file in component_files(plugin_dir)? {
        let Ok(bytes) = read_plugin_file(&file, MAX_COMPONENT_BYTES) else {
            continue;
        };
        let Ok(manifest) = Manifest::from_component(&bytes) else {
            continue;
        };
        let plugin = KnownPlugin {
            id: manifest.id.clone(),
            manifest: Some(manifest),
            native_library: None,
        };
        match known.iter().position(|other| other.id == plugin.id) {
            Some(index) if index < builtin_count => known[index] = plugin,
            Some(_) => {}
            None => known.push(plugin),
        }
    }
    for file in native_files(plugin_dir)? {
        if let Some(id) = native::id_from_file(&file)
            && check_id(&id).is_ok()
            && !known.iter().any(|other| other.id == id)
        {
            known.push(KnownPlugin {
                id,
                manifest: None,
                native_library: Some(file),
            });
        }
    }
    Ok(known)
}

/// Finds a known plugin by id, or fails naming the known ids.
fn find_known<'a>(known: &'a [KnownPlugin], id: &str) -> anyhow::Result<&'a KnownPlugin> {
    known
        .iter()
        .find(|plugin| plugin.id == id)
        .with_context(|| {
            format!(
                "unknown plugin id {id:?}; known plugins: {}",
                known_ids(known)
            )
        })
}

fn known_ids(known: &[KnownPlugin]) -> String {
    known
        .iter()
        .map(|plugin| plugin.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Returns whether the plugin runs and, when it does not, the reason. A
/// component the database has no state for runs. A native library runs
/// only while the user's consent matches its file's current SHA-256.
fn enabled_state(store: &Store, plugin: &KnownPlugin) -> anyhow::Result<(bool, Option<String>)> {
    if let Some(state) = store.plugin_state(&plugin.id)?
        && !state.enabled
    {
        return Ok((false, state.disabled_reason));
    }
    let Some(library) = &plugin.native_library else {
        return Ok((true, None));
    };
    let library = match LibraryFile::read(library) {
        Ok(library) => library,
        Err(error) => return Ok((false, Some(format!("{error:#}")))),
    };
    Ok(match store.native_consent(&plugin.id)? {
        Some(consented) if consented == library.sha256() => (true, None),
        Some(_) => (
            false,
            Some("the library file changed since the plugin was enabled".to_string()),
        ),
        None => (
            false,
            Some("native plugin, loaded only once enabled by name".to_string()),
        ),
    })
}

pub fn list(db: &Path, plugin_dir: &Path, args: &ListArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open(db)?;
    let plugins = PluginSet::load(crate::ingest::engine()?, &store, Some(plugin_dir))?;
    let mut rows = Vec::new();
    for entry in &plugins.entries {
        let last_fault = store.plugin_faults(&entry.id, 1)?.into_iter().next();
        let (status, reason) = match &entry.status {
            PluginStatus::Running => ("running", None),
            PluginStatus::Disabled(reason) => ("disabled", Some(reason.clone())),
            PluginStatus::Broken(reason) => ("broken", Some(reason.clone())),
            PluginStatus::Replaced => (
                "replaced",
                Some("a plugins-folder file with the same id replaces it".to_string()),
            ),
        };
        let manifest = entry.manifest.as_ref();
        rows.push(json!({
            "id": entry.id,
            "name": manifest.map(|manifest| manifest.name.clone()),
            "kind": manifest.map(|manifest| manifest.kind.manifest_name()),
            "version": manifest.map(|manifest| manifest.version.to_string()),
            "origin": origin_text(&entry.origin),
            "status": status,
            "reason": reason,
            "capabilities": manifest.map(|manifest| capabilities_json(&manifest.capabilities)),
            "granted": capabilities_json(&entry.granted),
            "last_fault": last_fault.map(|fault| json!({
                "at": fault.at.to_rfc3339(),
                "call": fault.call,
                "message": fault.message,
            })),
        }));
    }
    if args.json {
        crate::output::print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = crate::list::new_table(&[
        "Id",
        "Kind",
        "Version",
        "Origin",
        "Status",
        "Declared",
        "Granted",
        "Last fault",
    ]);
    for (entry, row) in plugins.entries.iter().zip(&rows) {
        let manifest = entry.manifest.as_ref();
        let status = match row["reason"].as_str() {
            Some(reason) => format!("{}: {}", row["status"].as_str().unwrap_or(""), reason),
            None => row["status"].as_str().unwrap_or("").to_string(),
        };
        let last_fault = match &row["last_fault"] {
            serde_json::Value::Null => String::new(),
            fault => format!(
                "{} {}: {}",
                fault["at"].as_str().unwrap_or(""),
                fault["call"].as_str().unwrap_or(""),
                fault["message"].as_str().unwrap_or("")
            ),
        };
        // Ids of broken files, origins and capabilities can carry what a
        // plugin file supplied.
        table.add_row(vec![
            printable(&entry.id),
            manifest.map_or(String::new(), |manifest| {
                manifest.kind.manifest_name().to_string()
            }),
            manifest.map_or(String::new(), |manifest| manifest.version.to_string()),
            printable(&origin_text(&entry.origin)),
            crate::list::cut(&status),
            manifest.map_or(String::new(), |manifest| {
                printable(&manifest.capabilities.to_string())
            }),
            printable(&entry.granted.to_string()),
            crate::list::cut(&last_fault),
        ]);
    }
    crate::output::print(&format!(
        "{table}\n{} plugins; plugins folder: {}\n",
        plugins.entries.len(),
        plugin_dir.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// Describes where a plugin came from: `built-in`, or the path of its file.
fn origin_text(origin: &PluginOrigin) -> String {
    match origin {
        PluginOrigin::Builtin => "built-in".to_string(),
        PluginOrigin::Folder(path) => path.display().to_string(),
        PluginOrigin::Native(path) => format!("native library {}", path.display()),
        PluginOrigin::Direct => "given on the command line".to_string(),
    }
}

fn capabilities_json(capabilities: &Capabilities) -> serde_json::Value {
    json!({
        "read_folders": capabilities.read_folders,
        "http_hosts": capabilities.http_hosts,
    })
}

pub fn enable(db: &Path, plugin_dir: &Path, args: &EnableArgs) -> anyhow::Result<ExitCode> {
    let known = known_plugins(plugin_dir)?;
    let plugin = find_known(&known, &args.id)?;
    let id = &plugin.id;
    let store = Store::open(db)?;
    let (enabled, reason) = enabled_state(&store, plugin)?;
    if let Some(library) = &plugin.native_library {
        return enable_native(&store, id, library, enabled, reason);
    }
    let message = if enabled {
        format!("{id} is already enabled; nothing changed\n")
    } else {
        store.set_plugin_enabled(id, true, None)?;
        format!(
            "Enabled {id}; it was disabled: {}\n",
            reason.as_deref().unwrap_or("disabled by the user")
        )
    };
    crate::output::print(&printable_lines(&message))?;
    Ok(ExitCode::SUCCESS)
}

/// Enables the native library `library` as plugin `id`: prints the warning
/// that it is not sandboxed and records the user's consent for the file's
/// current SHA-256, so a later change to the file needs consent again.
fn enable_native(
    store: &Store,
    id: &str,
    library: &Path,
    enabled: bool,
    reason: Option<String>,
) -> anyhow::Result<ExitCode> {
    let mut lines = vec![format!("WARNING: {}", native::NOT_SANDBOXED)];
    if enabled {
        lines.push(format!(
            "{id} is already enabled for the library {}; nothing changed",
            library.display()
        ));
    } else {
        let sha256 = store.consent_native(id, library)?;
        lines.push(format!(
            "Enabled native plugin {id}; it was disabled: {}",
            reason.as_deref().unwrap_or("disabled by the user")
        ));
        lines.push(format!(
            "  library {}, SHA-256 {sha256}. Kefu loads this file only while it is \
             unchanged; after replacing it, run `kefu plugin enable {id}` again.",
            library.display()
        ));
    }
    lines.push(String::new());
    crate::output::print(&printable_lines(&lines.join("\n")))?;
    Ok(ExitCode::SUCCESS)
}

pub fn disable(db: &Path, plugin_dir: &Path, args: &DisableArgs) -> anyhow::Result<ExitCode> {
    let known = known_plugins(plugin_dir)?;

    // The consent for a native library whose file was removed can still be
    // withdrawn by id, so the same file put back does not load.
    if !known.iter().any(|plugin| plugin.id == args.id)
        && db.exists()
        && Store::open(db)?.withdraw_native_consent(&args.id)?
    {
        crate::output::print(&format!(
            "Withdrew the consent to load the native library {}, whose file is not in the \
             plugins folder\n",
            args.id
        ))?;
        return Ok(ExitCode::SUCCESS);
    }

    let plugin = find_known(&known, &args.id)?;
    let id = &plugin.id;
    let store = Store::open(db)?;
    let (enabled, old_reason) = enabled_state(&store, plugin)?;

    // A native library's consent goes in every case, also when the library
    // is already off because its file changed.
    let withdrew_consent = plugin.native_library.is_some() && store.withdraw_native_consent(id)?;

    let message = match &args.reason {
        None if !enabled && withdrew_consent => format!(
            "{id} is already disabled: {}; the consent to load its library is withdrawn\n",
            old_reason.as_deref().unwrap_or("disabled by the user")
        ),
        None if !enabled => format!(
            "{id} is already disabled: {}; nothing changed\n",
            old_reason.as_deref().unwrap_or("disabled by the user")
        ),
        Some(reason) if !enabled => {
            store.set_plugin_enabled(id, false, Some(reason))?;
            format!("{id} is already disabled; its reason is now: {reason}\n")
        }
        _ => {
            store.set_plugin_enabled(id, false, args.reason.as_deref())?;
            format!(
                "Disabled {id}: {}. It stays unloaded until `kefu plugin enable {id}`.\n",
                args.reason.as_deref().unwrap_or("disabled by the user")
            )
        }
    };
    crate::output::print(&printable_lines(&message))?;
    Ok(ExitCode::SUCCESS)
}

pub fn grant(db: &Path, plugin_dir: &Path, args: &GrantArgs) -> anyhow::Result<ExitCode> {
    let known = known_plugins(plugin_dir)?;
    let plugin = find_known(&known, &args.id)?;
    let id = &plugin.id;
    let Some(manifest) = &plugin.manifest else {
        bail!(
            "{id} is a native plugin, which is not sandboxed and takes no grants: it can \
             already reach everything Kefu can"
        );
    };
    let declared = &manifest.capabilities;
    let declared_values = values_of(declared, &args.capability);

    if !declared_values.contains(&args.value) {
        bail!(
            "plugin {id} does not declare {} {}, so it cannot be granted; the installed \
             plugin's manifest declares {}. Add it to [capabilities] in the project's \
             plugin.toml, then run `kefu plugin build` and `kefu plugin install` again",
            args.capability,
            args.value,
            printable(&declared.to_string())
        );
    }

    let store = Store::open(db)?;
    let granted = store.plugin_grants(id)?;
    let message = if values_of(&granted, &args.capability).contains(&args.value) {
        format!(
            "{id} already has {} {}; nothing changed\n",
            args.capability, args.value
        )
    } else {
        store.grant(id, &args.capability, &args.value)?;
        format!("Granted {id} {} {}\n", args.capability, args.value)
    };
    crate::output::print(&printable_lines(&message))?;
    Ok(ExitCode::SUCCESS)
}

pub fn revoke(db: &Path, plugin_dir: &Path, args: &GrantArgs) -> anyhow::Result<ExitCode> {
    let known = known_plugins(plugin_dir)?;
    let store = Store::open(db)?;
    let granted = store.plugin_grants(&args.id)?;
    let has_grants = !granted.read_folders.is_empty() || !granted.http_hosts.is_empty();
    // A plugin whose file was removed keeps its grants; they can still be
    // revoked by id.
    if !has_grants {
        find_known(&known, &args.id)?;
    }
    if !store.revoke(&args.id, &args.capability, &args.value)? {
        bail!(
            "plugin {} has no grant {} {}; its grants: {}",
            args.id,
            args.capability,
            args.value,
            granted
        );
    }
    crate::output::print(&printable_lines(&format!(
        "Revoked {} {} {}\n",
        args.id, args.capability, args.value
    )))?;
    Ok(ExitCode::SUCCESS)
}

/// Returns the values of one capability, named as on the command line.
fn values_of<'a>(capabilities: &'a Capabilities, capability: &str) -> &'a [String] {
    match capability {
        READ_FOLDER => &capabilities.read_folders,
        HTTP_HOST => &capabilities.http_hosts,
        _ => &[],
    }
}

pub fn install(db: &Path, plugin_dir: &Path, args: &InstallArgs) -> anyhow::Result<ExitCode> {
    let bytes = read_component(&args.file)?;
    let engine = crate::ingest::engine()?;
    let inspection = inspect(&args.file, &bytes, Some(&engine));
    let Some(manifest) = inspection
        .manifest
        .clone()
        .filter(|_| inspection.problems.is_empty())
    else {
        crate::output::print(&inspection.to_text())?;
        bail!(
            "{} was not installed: `kefu plugin check` finds {} problems, listed above",
            args.file.display(),
            inspection.problems.len()
        );
    };
    let id = &manifest.id;
    std::fs::create_dir_all(plugin_dir)
        .with_context(|| format!("creating plugins folder {}", plugin_dir.display()))?;
    let target = plugin_dir.join(format!("{id}.wasm"));
    let mut previous = None;
    for file in component_files(plugin_dir)? {
        let Ok(other) = read_plugin_file(&file, MAX_COMPONENT_BYTES)
            .map(|bytes| Manifest::from_component(&bytes))
        else {
            continue;
        };
        let Ok(other) = other else {
            continue;
        };
        if file == target {
            previous = Some(other);
        } else if other.id == *id {
            bail!(
                "{} already holds plugin {id}; remove that file first, because Kefu loads only \
                 one plugin per id",
                file.display()
            );
        }
    }
    write_atomically(&target, &bytes)?;

    let mut lines = vec![format!(
        "Installed {} {id} {} as {}, {}",
        manifest.kind.manifest_name(),
        manifest.version,
        target.display(),
        super::format_size(bytes.len() as u64)
    )];
    if let Some(previous) = previous {
        lines.push(format!("  replaced version {} of {id}", previous.version));
    }
    if BUILTIN_PLUGINS.iter().any(|builtin| builtin.id == id) {
        lines.push(format!("  it replaces the built-in plugin {id}"));
    }
    let declared = &manifest.capabilities;
    for folder in &declared.read_folders {
        lines.push(format!(
            "  it declares {READ_FOLDER} {folder}; allow it with `kefu plugin grant {id} {READ_FOLDER} {folder}`"
        ));
    }
    for host in &declared.http_hosts {
        lines.push(format!(
            "  it declares {HTTP_HOST} {host}; allow it with `kefu plugin grant {id} {HTTP_HOST} {host}`"
        ));
    }
    if db.exists() {
        let store = Store::open(db)?;
        if let Some(state) = store.plugin_state(id)?
            && !state.enabled
        {
            lines.push(format!(
                "  {id} is disabled ({}); enable it with `kefu plugin enable {id}`",
                state
                    .disabled_reason
                    .as_deref()
                    .unwrap_or("disabled by the user")
            ));
        }
    }
    lines.push(
        "Every later kefu command loads it, and a running desktop app reloads the plugins \
         folder when it changes; `kefu plugin list` shows its state."
            .to_string(),
    );
    lines.push(String::new());
    crate::output::print(&printable_lines(&lines.join("\n")))?;
    Ok(ExitCode::SUCCESS)
}

/// Writes `bytes` to `target` through a temporary file in the same folder
/// and a rename, so Kefu never loads a half-written plugin. The temporary
/// name does not end in `.wasm`, so the folder scan skips it.
fn write_atomically(target: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let partial = target.with_extension(format!("wasm.{}.partial", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&partial)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&partial, target)
    })();
    if let Err(error) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(error).with_context(|| format!("writing {}", target.display()));
    }
    Ok(())
}
