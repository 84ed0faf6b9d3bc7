//! The plugins a process runs, with their origin, state and fault guard.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::builtin::BUILTIN_PLUGINS;
use super::capability::CapabilityContext;
use super::kv::KvSpace;
use super::manifest::{Capabilities, Manifest};
use super::runtime::PluginContext;
use super::{
    AdapterPlugin, Limits, LoadedPlugin, PluginEngine, PluginError, PluginKind, RulePlugin,
    WidgetPlugin,
};
use crate::store::{PluginFault, Store};

/// Number of failed calls within [`FAULT_WINDOW`] that disables a plugin.
/// Successful calls in between do not reset the count, because an adapter
/// whose probe works and whose parse traps is as broken as one that always
/// traps.
pub const MAX_FAULTS_IN_WINDOW: usize = 3;

/// Time window in which [`MAX_FAULTS_IN_WINDOW`] failed calls disable a
/// plugin.
pub const FAULT_WINDOW: Duration = Duration::from_secs(10 * 60);

/// A failed call, kept until the owner of the set logs it.
pub type FaultRecord = PluginFault;

/// A plugin with its fault guard: recent failures, the disabled state and
/// the faults not yet logged.
pub struct Guarded<P> {
    pub plugin: P,
    /// Times of the failed calls within the fault window.
    recent_faults: VecDeque<Instant>,
    /// Reason the fault guard disabled the plugin during this run, if it did.
    disabled: Option<String>,
    /// Faults not yet handed to [`PluginSet::take_faults`].
    unlogged: Vec<FaultRecord>,
}

impl<P> Guarded<P> {
    fn new(plugin: P) -> Self {
        Self {
            plugin,
            recent_faults: VecDeque::new(),
            disabled: None,
            unlogged: Vec::new(),
        }
    }

    /// Counts faults an earlier process logged, so the fault window spans
    /// processes: three short `kefu` runs that each fail once disable a
    /// plugin as one long run would. Faults older than the window are ignored.
    fn seed_faults(&mut self, logged: &[DateTime<Utc>]) {
        let now_instant = Instant::now();
        let now = Utc::now();
        let mut times: Vec<Instant> = logged
            .iter()
            .filter_map(|at| (now - *at).to_std().ok())
            .filter(|age| *age <= FAULT_WINDOW)
            .filter_map(|age| now_instant.checked_sub(age))
            .collect();
        times.sort();
        self.recent_faults = times.into();
    }

    /// Returns whether the plugin failed too often to be called again.
    pub fn is_suspended(&self) -> bool {
        self.disabled.is_some()
    }

    /// Returns the reason the fault guard disabled the plugin, if it did.
    pub fn disabled_reason(&self) -> Option<&str> {
        self.disabled.as_deref()
    }

    /// Records a failed call for the fault log and disables the plugin after
    /// [`MAX_FAULTS_IN_WINDOW`] failures within [`FAULT_WINDOW`]. A successful
    /// result changes nothing. `plugin_id` and `input` identify the call in
    /// the fault log.
    pub fn record<T>(&mut self, plugin_id: &str, input: &str, result: &Result<T, PluginError>) {
        let Err(error) = result else {
            return;
        };

        let now = Instant::now();
        self.recent_faults.push_back(now);
        while self
            .recent_faults
            .front()
            .is_some_and(|first| now.duration_since(*first) > FAULT_WINDOW)
        {
            self.recent_faults.pop_front();
        }

        let message = format!("{error} (input: {input})");
        self.unlogged.push(PluginFault {
            plugin_id: plugin_id.to_string(),
            at: Utc::now(),
            call: call_name(error),
            message: message.clone(),
        });

        if self.disabled.is_none() && self.recent_faults.len() >= MAX_FAULTS_IN_WINDOW {
            self.disabled = Some(format!(
                "{MAX_FAULTS_IN_WINDOW} failed calls within {} minutes; last: {message}",
                FAULT_WINDOW.as_secs() / 60
            ));
        }
    }
}

fn call_name(error: &PluginError) -> String {
    match error {
        PluginError::Timeout { call, .. }
        | PluginError::Trap { call, .. }
        | PluginError::OutputTooLarge { call, .. } => call.clone(),
        PluginError::Load { .. } => "load".to_string(),
        PluginError::Disabled { .. } => "none".to_string(),
    }
}

/// Source a plugin was loaded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginOrigin {
    /// Built into the host binary.
    Builtin,
    /// A component file in the plugins folder.
    Folder(PathBuf),
    /// Handed to the set by its caller, as `kefu plugin test` does.
    Direct,
    /// A native library in the plugins folder.
    Native(PathBuf),
}

/// Run state of a plugin, with the reason when it does not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginStatus {
    /// Loaded and called.
    Running,
    /// Disabled by the user or by the fault guard, with the reason.
    Disabled(String),
    /// Failed to load, with the error message.
    Broken(String),
    /// A built-in replaced by a folder plugin with the same id.
    Replaced,
}

/// Listing entry of one plugin the set found, running or not.
#[derive(Debug, Clone)]
pub struct PluginEntry {
    pub id: String,
    pub origin: PluginOrigin,
    pub manifest: Option<Manifest>,
    /// Hex SHA-256 of the component or library file, used to detect a
    /// replaced file. Empty when the file could not be read.
    pub sha256: String,
    pub status: PluginStatus,
    /// Capabilities the user granted, among those the manifest declares.
    pub granted: Capabilities,
}

/// Loaded adapters, rules and widgets, in the order they are called, and a
/// listing entry for every plugin found.
pub struct PluginSet {
    engine: PluginEngine,
    pub adapters: Vec<Guarded<AdapterPlugin>>,
    pub rules: Vec<Guarded<RulePlugin>>,
    pub widgets: Vec<Guarded<WidgetPlugin>>,
    pub entries: Vec<PluginEntry>,
}

/// Ids of the plugins that [`PluginSet::sync_folder`] loaded, unloaded or
/// reloaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub loaded: Vec<String>,
    pub unloaded: Vec<String>,
    pub reloaded: Vec<String>,
}

impl SyncReport {
    /// Returns whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.loaded.is_empty() && self.unloaded.is_empty() && self.reloaded.is_empty()
    }
}

/// A plugin component to load, with its origin.
struct Candidate {
    origin: PluginOrigin,
    bytes: Vec<u8>,
}

impl PluginSet {
    /// Creates an empty set on `engine`.
    pub fn new(engine: PluginEngine) -> Self {
        Self {
            engine,
            adapters: Vec::new(),
            rules: Vec::new(),
            widgets: Vec::new(),
            entries: Vec::new(),
        }
    }

    /// Loads every built-in plugin with its manifest's limits and no
    /// granted capabilities, compiling each in this process.
    pub fn builtin() -> anyhow::Result<Self> {
        Self::builtin_on(PluginEngine::new()?)
    }

    /// Loads every built-in plugin on `engine`, for example one with a
    /// compile cache. A built-in that fails to load is an error, because it
    /// ships with the host.
    pub fn builtin_on(engine: PluginEngine) -> anyhow::Result<Self> {
        let mut set = Self::new(engine);
        for builtin in BUILTIN_PLUGINS {
            let manifest = Manifest::from_component(builtin.component)
                .map_err(|error| anyhow::anyhow!("built-in plugin {}: {error}", builtin.id))?;
            let context = PluginContext::for_plugin(&manifest.id);
            let loaded = set.engine.load(&manifest, builtin.component, context)?;
            set.push(loaded);
            set.entries.push(PluginEntry {
                id: manifest.id.clone(),
                origin: PluginOrigin::Builtin,
                sha256: sha256(builtin.component),
                manifest: Some(manifest),
                status: PluginStatus::Running,
                granted: Capabilities::default(),
            });
        }
        Ok(set)
    }

    /// Loads the built-in plugins and, if `folder` is given, its components
    /// and the native libraries the user enabled. Plugins that `store`
    /// records as disabled stay unloaded, and every other plugin gets its
    /// granted capabilities and stored key-value entries. A folder plugin
    /// with a built-in's id replaces the built-in. A plugin that fails to
    /// load is listed as broken, and the others still load.
    pub fn load(
        engine: PluginEngine,
        store: &Store,
        folder: Option<&Path>,
    ) -> anyhow::Result<Self> {
        let mut set = Self::new(engine);
        let mut candidates: Vec<Candidate> = BUILTIN_PLUGINS
            .iter()
            .map(|builtin| Candidate {
                origin: PluginOrigin::Builtin,
                bytes: builtin.component.to_vec(),
            })
            .collect();

        if let Some(folder) = folder {
            for file in super::folder::component_files(folder)? {
                match super::folder::read_plugin_file(&file, super::folder::MAX_COMPONENT_BYTES) {
                    Ok(bytes) => candidates.push(Candidate {
                        origin: PluginOrigin::Folder(file),
                        bytes,
                    }),
                    Err(error) => set.entries.push(PluginEntry {
                        id: file_stem(&file),
                        status: PluginStatus::Broken(format!("{error:#}")),
                        origin: PluginOrigin::Folder(file),
                        manifest: None,
                        sha256: String::new(),
                        granted: Capabilities::default(),
                    }),
                }
            }
        }

        // Folder plugins replace built-ins with the same id and kind.
        let folder_ids: Vec<String> = candidates
            .iter()
            .filter(|candidate| candidate.origin != PluginOrigin::Builtin)
            .filter_map(|candidate| Manifest::from_component(&candidate.bytes).ok())
            .filter(replaces_builtin)
            .map(|manifest| manifest.id)
            .collect();
        for candidate in candidates {
            set.load_candidate(store, candidate, &folder_ids)?;
        }

        if let Some(folder) = folder {
            for file in super::folder::native_files(folder)? {
                set.load_native(store, file)?;
            }
        }
        Ok(set)
    }

    /// Lists a native library, and loads it when the user's consent matches
    /// the file's current SHA-256. A library whose file name gives no valid
    /// id, whose id another plugin has, or that cannot be read is listed as
    /// broken and never loaded.
    fn load_native(&mut self, store: &Store, file: PathBuf) -> anyhow::Result<()> {
        let id = super::native::id_from_file(&file).unwrap_or_else(|| file_stem(&file));
        let mut entry = PluginEntry {
            id: id.clone(),
            origin: PluginOrigin::Native(file.clone()),
            manifest: None,
            sha256: String::new(),
            status: PluginStatus::Running,
            granted: Capabilities::default(),
        };
        let library = match super::native::LibraryFile::read(&file) {
            Ok(library) => library,
            Err(error) => {
                entry.status = PluginStatus::Broken(format!("{error:#}"));
                self.entries.push(entry);
                return Ok(());
            }
        };
        entry.sha256 = library.sha256().to_string();
        if let Some(reason) = self.native_id_problem(&file, &id) {
            tracing::warn!(plugin = id, path = %file.display(), "native plugin not loaded: {reason}");
            entry.status = PluginStatus::Broken(reason);
            self.entries.push(entry);
            return Ok(());
        }

        let state = store.plugin_state(&id)?;
        let consent = store.native_consent(&id)?;
        let disabled_reason = match (state, consent) {
            (Some(state), _) if !state.enabled => Some(
                state
                    .disabled_reason
                    .unwrap_or_else(|| "disabled by the user".to_string()),
            ),
            (_, Some(consented)) if consented == library.sha256() => None,
            (_, Some(_)) => Some(format!(
                "native plugin, not sandboxed: the library file changed since the user enabled \
                 it, so it is not loaded. If you trust the new file, enable it with \
                 `kefu plugin enable {id}`"
            )),
            (_, None) => Some(format!(
                "native plugin, not sandboxed: it loads only after the user enables it by name \
                 with `kefu plugin enable {id}`"
            )),
        };
        if let Some(reason) = disabled_reason {
            entry.status = PluginStatus::Disabled(reason);
            self.entries.push(entry);
            return Ok(());
        }

        match super::native::NativeRule::load(&library, &id) {
            Ok(plugin) => {
                entry.manifest = Manifest::parse(plugin.manifest_text()).ok();
                self.push_rule(Guarded::new(RulePlugin::native(plugin)));
            }
            Err(error) => entry.status = PluginStatus::Broken(error.to_string()),
        }
        self.entries.push(entry);
        Ok(())
    }

    /// Returns why the native library `file` with the id `id` derived from
    /// its file name may not load: an invalid id, or an id that a built-in,
    /// a component or an earlier native library already has.
    fn native_id_problem(&self, file: &Path, id: &str) -> Option<String> {
        if super::native::id_from_file(file).is_none() {
            return Some(format!(
                "the file name of {} is not valid UTF-8, so it gives no plugin id. Rename the \
                 file to lib<ID>.{}",
                file.display(),
                super::native::LIBRARY_EXTENSION
            ));
        }
        if let Err(error) = super::manifest::check_id(id) {
            return Some(format!(
                "{error}. A native library's id is its file name without `lib` and \
                 `.{extension}`, with `_` read as `-`; rename the file, for example to \
                 libvip_escalation.{extension}",
                extension = super::native::LIBRARY_EXTENSION
            ));
        }
        let holder = self.entries.iter().find(|other| {
            other.id == id
                && (other.manifest.is_some() || matches!(other.origin, PluginOrigin::Native(_)))
        })?;
        let other = match &holder.origin {
            PluginOrigin::Builtin => "the built-in plugin".to_string(),
            PluginOrigin::Folder(path) | PluginOrigin::Native(path) => path.display().to_string(),
            PluginOrigin::Direct => "a plugin loaded directly".to_string(),
        };
        Some(format!(
            "another plugin already has the id {id} ({other}); rename or remove the library"
        ))
    }

    /// Loads one component and adds its listing entry. A component without
    /// a valid manifest, with an id already in use or that fails to compile
    /// is listed as broken. A disabled one, or a built-in whose id is in
    /// `folder_ids`, is listed but not loaded. Fails only when `store` does.
    fn load_candidate(
        &mut self,
        store: &Store,
        candidate: Candidate,
        folder_ids: &[String],
    ) -> anyhow::Result<()> {
        let sha256 = sha256(&candidate.bytes);
        let manifest = match Manifest::from_component(&candidate.bytes) {
            Ok(manifest) => manifest,
            Err(error) => {
                let id = match &candidate.origin {
                    PluginOrigin::Folder(path) => file_stem(path),
                    PluginOrigin::Native(path) => {
                        super::native::id_from_file(path).unwrap_or_default()
                    }
                    PluginOrigin::Builtin | PluginOrigin::Direct => "built-in".to_string(),
                };
                tracing::warn!(plugin = id, "plugin not loaded: {error}");
                self.entries.push(PluginEntry {
                    id,
                    origin: candidate.origin,
                    manifest: None,
                    sha256,
                    status: PluginStatus::Broken(error.to_string()),
                    granted: Capabilities::default(),
                });
                return Ok(());
            }
        };

        let id = manifest.id.clone();
        let mut entry = PluginEntry {
            id: id.clone(),
            origin: candidate.origin.clone(),
            manifest: Some(manifest.clone()),
            sha256,
            status: PluginStatus::Running,
            granted: Capabilities::default(),
        };

        if candidate.origin == PluginOrigin::Builtin && folder_ids.contains(&id) {
            entry.status = PluginStatus::Replaced;
            self.entries.push(entry);
            return Ok(());
        }

        if let Err(error) = super::manifest::check_api_version(&manifest.api) {
            let error = PluginError::Load {
                plugin: id.clone(),
                message: format!("plugin.toml api: {error}"),
            };
            entry.status = PluginStatus::Broken(error.to_string());
            self.entries.push(entry);
            return Ok(());
        }

        let holder = self.entries.iter().find(|other| {
            other.id == id
                && matches!(
                    other.status,
                    PluginStatus::Running | PluginStatus::Disabled(_)
                )
        });
        if let Some(holder) = holder {
            let other = match &holder.origin {
                PluginOrigin::Builtin => format!(
                    "the built-in {} plugin",
                    holder
                        .manifest
                        .as_ref()
                        .map_or("", |manifest| manifest.kind.manifest_name())
                ),
                PluginOrigin::Folder(path) | PluginOrigin::Native(path) => {
                    path.display().to_string()
                }
                PluginOrigin::Direct => "a plugin loaded directly".to_string(),
            };
            entry.status = PluginStatus::Broken(format!(
                "{other} already has the id {id}; give this plugin another id (a plugin \
                 replaces a built-in only when it is of the same kind)"
            ));
            self.entries.push(entry);
            return Ok(());
        }

        entry.granted = granted_within(&manifest.capabilities, &store.plugin_grants(&id)?);
        if let Some(state) = store.plugin_state(&id)?
            && !state.enabled
        {
            entry.status = PluginStatus::Disabled(
                state
                    .disabled_reason
                    .unwrap_or_else(|| "disabled by the user".to_string()),
            );
            self.entries.push(entry);
            return Ok(());
        }

        let context = PluginContext {
            capabilities: CapabilityContext {
                plugin_id: id.clone(),
                declared: manifest.capabilities.clone(),
                granted: entry.granted.clone(),
            },
            kv: KvSpace::with_entries(store.plugin_kv(&id)?),
        };
        let component = candidate.bytes.as_slice();
        match self.engine.load(&manifest, component, context) {
            Ok(loaded) => {
                // Faults before the user last enabled the plugin are forgiven.
                let enabled_at = store.plugin_state(&id)?.map(|state| state.changed_at);
                let logged: Vec<DateTime<Utc>> = store
                    .plugin_faults(&id, MAX_FAULTS_IN_WINDOW as u32)?
                    .into_iter()
                    .map(|fault| fault.at)
                    .filter(|at| enabled_at.is_none_or(|enabled_at| *at > enabled_at))
                    .collect();
                self.push_with_faults(loaded, &logged);
            }
            Err(error) => {
                tracing::warn!(plugin = id, "plugin not loaded: {error}");
                entry.status = PluginStatus::Broken(error.to_string());
            }
        }
        self.entries.push(entry);
        Ok(())
    }

    fn push(&mut self, loaded: LoadedPlugin) {
        self.push_with_faults(loaded, &[]);
    }

    /// Adds a rule plugin after the other rule plugins and before the
    /// declarative rules, which always run last.
    fn push_rule(&mut self, guarded: Guarded<RulePlugin>) {
        let first_declarative = self
            .rules
            .iter()
            .position(|rule| rule.plugin.as_declarative().is_some())
            .unwrap_or(self.rules.len());
        self.rules.insert(first_declarative, guarded);
    }

    /// Replaces the declarative rules with the enabled ones of `rules`, in
    /// their order, after every rule plugin. Fails, changing nothing, when
    /// a rule's name is also the id of a loaded rule plugin, because rules
    /// are found by that name.
    pub fn set_declarative_rules(
        &mut self,
        rules: Vec<crate::automation::DeclarativeRule>,
    ) -> anyhow::Result<()> {
        for rule in &rules {
            let clash = self.rules.iter().any(|loaded| {
                loaded.plugin.as_declarative().is_none() && loaded.plugin.id() == rule.name
            });
            if clash {
                anyhow::bail!(
                    "declarative rule {:?} on line {} has the id of a rule plugin; rename the rule",
                    rule.name,
                    rule.line
                );
            }
        }
        self.rules
            .retain(|loaded| loaded.plugin.as_declarative().is_none());
        for rule in rules.into_iter().filter(|rule| rule.enabled) {
            self.rules.push(Guarded::new(RulePlugin::declarative(rule)));
        }
        Ok(())
    }

    /// Appends a loaded plugin whose fault window starts with the faults
    /// an earlier process logged.
    fn push_with_faults(&mut self, loaded: LoadedPlugin, logged: &[DateTime<Utc>]) {
        match loaded {
            LoadedPlugin::Adapter(plugin) => {
                let mut guarded = Guarded::new(plugin);
                guarded.seed_faults(logged);
                self.adapters.push(guarded);
            }
            LoadedPlugin::Rule(plugin) => {
                let mut guarded = Guarded::new(plugin);
                guarded.seed_faults(logged);
                self.push_rule(guarded);
            }
            LoadedPlugin::Widget(plugin) => {
                let mut guarded = Guarded::new(plugin);
                guarded.seed_faults(logged);
                self.widgets.push(guarded);
            }
        }
    }

    /// Loads a component as `kind` and appends it to that kind's list, with
    /// no capabilities granted and no listing entry. Adapters and rules run
    /// under `limits`, but a widget runs under its manifest's limits.
    pub fn add(
        &mut self,
        id: &str,
        kind: PluginKind,
        component: &[u8],
        limits: Limits,
    ) -> Result<(), PluginError> {
        match kind {
            PluginKind::Adapter => {
                let plugin = self.engine.load_adapter(id, component, limits)?;
                self.adapters.push(Guarded::new(plugin));
            }
            PluginKind::Rule => {
                let plugin = self.engine.load_rule(id, component, limits)?;
                self.push_rule(Guarded::new(plugin));
            }
            PluginKind::Widget => {
                let manifest =
                    Manifest::from_component(component).map_err(|error| PluginError::Load {
                        plugin: id.to_string(),
                        message: error.to_string(),
                    })?;
                let loaded =
                    self.engine
                        .load(&manifest, component, PluginContext::for_plugin(id))?;
                self.push(loaded);
            }
        }
        Ok(())
    }

    /// Loads a component under the given manifest with the given
    /// capabilities and storage, and appends it to its kind's list. Used to
    /// run one plugin on its own, as `kefu plugin test` does, or the same
    /// component under several ids.
    pub fn add_loaded(
        &mut self,
        manifest: &Manifest,
        component: &[u8],
        context: PluginContext,
    ) -> Result<(), PluginError> {
        let loaded = self.engine.load(manifest, component, context)?;
        self.push(loaded);
        self.entries.push(PluginEntry {
            id: manifest.id.clone(),
            origin: PluginOrigin::Direct,
            manifest: Some(manifest.clone()),
            sha256: sha256(component),
            status: PluginStatus::Running,
            granted: Capabilities::default(),
        });
        Ok(())
    }

    /// Returns the ids of the loaded adapters, in probe order.
    pub fn adapter_ids(&self) -> Vec<String> {
        self.adapters
            .iter()
            .map(|adapter| adapter.plugin.id().to_string())
            .collect()
    }

    /// Removes and returns the failed calls recorded since the last call,
    /// for the fault log.
    pub fn take_faults(&mut self) -> Vec<FaultRecord> {
        let mut faults = Vec::new();
        for guarded in &mut self.adapters {
            faults.append(&mut guarded.unlogged);
        }
        for guarded in &mut self.rules {
            faults.append(&mut guarded.unlogged);
        }
        for guarded in &mut self.widgets {
            faults.append(&mut guarded.unlogged);
        }
        faults
    }

    /// Returns the plugins the fault guard disabled during this run, with
    /// the reason.
    pub fn disabled_during_run(&self) -> Vec<(String, String)> {
        let adapters = self
            .adapters
            .iter()
            .filter_map(|guarded| Some((guarded.plugin.id(), guarded.disabled_reason()?)));
        let rules = self
            .rules
            .iter()
            .filter_map(|guarded| Some((guarded.plugin.id(), guarded.disabled_reason()?)));
        let widgets = self
            .widgets
            .iter()
            .filter_map(|guarded| Some((guarded.plugin.id(), guarded.disabled_reason()?)));
        adapters
            .chain(rules)
            .chain(widgets)
            .map(|(id, reason)| (id.to_string(), reason.to_string()))
            .collect()
    }

    /// Writes the fault log and the plugins the fault guard disabled to
    /// `store`, so a disabled plugin stays off until the user enables it.
    pub fn save_faults(&mut self, store: &Store) -> anyhow::Result<()> {
        let faults = self.take_faults();
        store.record_plugin_faults(&faults)?;
        for (id, reason) in self.disabled_during_run() {
            if store.plugin_state(&id)?.is_none_or(|state| state.enabled) {
                tracing::error!(plugin = id, "plugin disabled: {reason}");
                store.set_plugin_enabled(&id, false, Some(&reason))?;
                if let Some(entry) = self.entries.iter_mut().find(|entry| entry.id == id) {
                    entry.status = PluginStatus::Disabled(reason);
                }
            }
        }
        Ok(())
    }

    /// Brings the set in line with the component files in `folder` after
    /// files were added, removed or replaced. New files load, removed ones
    /// unload and replaced ones reload, while unchanged files keep their
    /// instances. A new file with a built-in's id replaces the built-in, and
    /// removing that file restores it. Native libraries are read only by
    /// [`PluginSet::load`].
    pub fn sync_folder(&mut self, store: &Store, folder: &Path) -> anyhow::Result<SyncReport> {
        let mut report = SyncReport::default();
        let mut on_disk: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        for file in super::folder::component_files(folder)? {
            // A file that vanished after listing, or that is too large or not
            // a regular file, counts as removed. `kefu plugin list` and the
            // next start show the reason.
            if let Ok(bytes) =
                super::folder::read_plugin_file(&file, super::folder::MAX_COMPONENT_BYTES)
            {
                on_disk.push((file, bytes));
            }
        }

        // Unload entries whose file is gone or changed.
        let mut index = 0;
        while index < self.entries.len() {
            let entry = &self.entries[index];
            let PluginOrigin::Folder(path) = &entry.origin else {
                index += 1;
                continue;
            };
            let current = on_disk.iter().find(|(file, _)| file == path);
            let changed = match current {
                None => true,
                Some((_, bytes)) => sha256(bytes) != entry.sha256,
            };
            if !changed {
                index += 1;
                continue;
            }
            let entry = self.entries.remove(index);
            self.unload(&entry.id, &entry.status);
            if current.is_some() {
                report.reloaded.push(entry.id);
            } else {
                report.unloaded.push(entry.id.clone());
                self.restore_builtin(store, &entry.id)?;
            }
        }

        // Load files that have no entry.
        for (file, bytes) in on_disk {
            let known = self
                .entries
                .iter()
                .any(|entry| entry.origin == PluginOrigin::Folder(file.clone()));
            if known {
                continue;
            }
            let manifest = Manifest::from_component(&bytes).ok();
            let id = manifest
                .as_ref()
                .map_or_else(|| file_stem(&file), |manifest| manifest.id.clone());
            // A folder plugin replaces a built-in with its id and kind; a
            // file whose manifest cannot be read replaces nothing.
            let replaces = manifest.as_ref().is_some_and(replaces_builtin);
            if let Some(builtin) = self.entries.iter().position(|entry| {
                replaces
                    && entry.id == id
                    && entry.origin == PluginOrigin::Builtin
                    && entry.status != PluginStatus::Replaced
            }) {
                let status = self.entries[builtin].status.clone();
                self.unload(&id, &status);
                self.entries[builtin].status = PluginStatus::Replaced;
            }
            self.load_candidate(
                store,
                Candidate {
                    origin: PluginOrigin::Folder(file),
                    bytes,
                },
                &[],
            )?;
            if !report.reloaded.contains(&id) {
                report.loaded.push(id);
            }
        }
        Ok(report)
    }

    /// Drops a running plugin's instance.
    fn unload(&mut self, id: &str, status: &PluginStatus) {
        if *status != PluginStatus::Running {
            return;
        }
        self.adapters.retain(|guarded| guarded.plugin.id() != id);
        self.rules.retain(|guarded| guarded.plugin.id() != id);
        self.widgets.retain(|guarded| guarded.plugin.id() != id);
    }

    /// Loads the built-in with `id` again after the folder plugin that
    /// replaced it was removed.
    fn restore_builtin(&mut self, store: &Store, id: &str) -> anyhow::Result<()> {
        let Some(position) = self.entries.iter().position(|entry| {
            entry.id == id
                && entry.origin == PluginOrigin::Builtin
                && entry.status == PluginStatus::Replaced
        }) else {
            return Ok(());
        };
        self.entries.remove(position);
        let Some(builtin) = BUILTIN_PLUGINS.iter().find(|builtin| builtin.id == id) else {
            return Ok(());
        };
        self.load_candidate(
            store,
            Candidate {
                origin: PluginOrigin::Builtin,
                bytes: builtin.component.to_vec(),
            },
            &[],
        )
    }

    /// Returns the key-value spaces of the loaded adapters and rules, by
    /// plugin id, so that imports can save their changes.
    ///
    pub fn kv_spaces(&self) -> Vec<(String, KvSpace)> {
        let adapters = self
            .adapters
            .iter()
            .map(|guarded| (guarded.plugin.id(), guarded.plugin.kv()));
        let rules = self
            .rules
            .iter()
            .map(|guarded| (guarded.plugin.id(), guarded.plugin.kv()));
        let widgets = self
            .widgets
            .iter()
            .map(|guarded| (guarded.plugin.id(), guarded.plugin.kv()));
        adapters
            .chain(rules)
            .chain(widgets)
            .map(|(id, kv)| (id.to_string(), kv.clone()))
            .collect()
    }

    /// Saves every plugin's key-value changes in one transaction of its own,
    /// for callers that run plugins outside an import, such as reports.
    pub fn save_kv(&self, store: &mut Store) -> anyhow::Result<()> {
        let writer = store.writer()?;
        for (plugin_id, kv) in self.kv_spaces() {
            writer.save_plugin_kv(&plugin_id, &kv.take_changes())?;
        }
        writer.commit()
    }

    /// Returns the channel adapter with this id.
    pub fn adapter(&mut self, id: &str) -> Option<&mut Guarded<AdapterPlugin>> {
        self.adapters
            .iter_mut()
            .find(|guarded| guarded.plugin.id() == id)
    }

    /// Finds a loaded widget by id.
    pub fn widget(&mut self, id: &str) -> Option<&mut Guarded<WidgetPlugin>> {
        self.widgets
            .iter_mut()
            .find(|guarded| guarded.plugin.id() == id)
    }
}

/// Returns whether a folder plugin's manifest takes the place of a
/// built-in: same id, same kind and an API version this host loads.
fn replaces_builtin(manifest: &Manifest) -> bool {
    BUILTIN_PLUGINS
        .iter()
        .any(|builtin| builtin.id == manifest.id && builtin.kind == manifest.kind)
        && super::manifest::check_api_version(&manifest.api).is_ok()
}

/// Returns the grants that the manifest still declares. A grant for a
/// capability the manifest no longer requests is ignored.
fn granted_within(declared: &Capabilities, granted: &Capabilities) -> Capabilities {
    Capabilities {
        read_folders: declared
            .read_folders
            .iter()
            .filter(|folder| granted.read_folders.contains(folder))
            .cloned()
            .collect(),
        http_hosts: declared
            .http_hosts
            .iter()
            .filter(|host| granted.http_hosts.contains(host))
            .cloned()
            .collect(),
    }
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default()
}
