//! Compiling, instantiating and calling plugin components under limits.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Engine, ResourceLimiter, Store, Trap};

use super::bindings::adapter::exports::kefu::plugin::adapter::{
    Formatted, Input, ParseError, Parsed, Recognition, Reply,
};
use super::bindings::adapter::{ChannelAdapter, ChannelAdapterPre};
use super::bindings::rule::exports::kefu::plugin::rule::{Action, Event};
use super::bindings::rule::{TicketRule, TicketRulePre};
use super::bindings::types::CapabilityError;
use super::bindings::widget::exports::kefu::plugin::widget::{
    Dataset, Description, ParameterValue, View,
};
use super::bindings::widget::{ReportWidget, ReportWidgetPre};
use super::bindings::{files, host, http, identities, kv};
use super::capability::{CapabilityContext, HttpRequest};
use super::kv::KvSpace;
use super::manifest::{self, Manifest};
use super::output::OutputSize;
use super::{Limits, PluginError, PluginKind};
use crate::model::Channel;

/// Interval at which a background thread advances the engine's epoch. Time
/// limits are counted in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Maximum length of a plugin log line in bytes. Longer lines are truncated
/// at a character boundary and end with `…`.
const MAX_LOG_LINE: usize = 4096;

/// The wasmtime engine and linker shared by every plugin.
#[derive(Clone)]
pub struct PluginEngine {
    engine: Engine,
    linker: Arc<Linker<HostState>>,
    /// Folder of compiled components, if [`PluginEngine::with_cache`] set one.
    cache: Option<PathBuf>,
}

/// Per-instance state that the host functions read and update.
pub struct HostState {
    plugin_id: String,
    memory: MemoryBudget,
    /// End of the call in progress, for host calls that wait (HTTP).
    call_deadline: Option<Instant>,
    limits: Limits,
    context: PluginContext,
    /// Identities the adapter reported during the `parse` call in progress.
    reported: ReportedIdentities,
}

/// Identities reported during one call, and their size in bytes.
#[derive(Default)]
struct ReportedIdentities {
    list: Vec<ReportedIdentity>,
    /// Bytes of every report, also those dropped past the output limit.
    bytes: usize,
}

/// An address of a message's customer on another channel, as an adapter
/// reported it through the `identities` interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedIdentity {
    /// The `customer.address` of the messages it belongs to, as the adapter wrote it.
    pub customer: String,
    /// [`Channel::Email`] or [`Channel::Phone`].
    pub channel: Channel,
    /// The address as written in the input, not normalised.
    pub value: String,
}

/// Result of one `parse` call: the adapter's own result and the identities
/// it reported while parsing.
#[derive(Debug)]
pub struct ParseOutput {
    pub result: Result<Parsed, ParseError>,
    /// Reported identities, in the order of the calls.
    pub identities: Vec<ReportedIdentity>,
    reported_bytes: usize,
}

impl OutputSize for ParseOutput {
    fn output_size(&self) -> usize {
        self.result
            .output_size()
            .saturating_add(self.reported_bytes)
    }
}

/// Granted capabilities and key-value storage, the resources a plugin may
/// use beyond its own memory.
#[derive(Debug, Clone, Default)]
pub struct PluginContext {
    pub capabilities: CapabilityContext,
    pub kv: KvSpace,
}

impl host::Host for HostState {
    fn log(&mut self, level: host::Level, message: String) {
        let mut message = message;
        if message.len() > MAX_LOG_LINE {
            let mut cut = MAX_LOG_LINE;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
            message.push('…');
        }
        let plugin = self.plugin_id.as_str();
        match level {
            host::Level::Debug => tracing::debug!(plugin, "{message}"),
            host::Level::Info => tracing::info!(plugin, "{message}"),
            host::Level::Warn => tracing::warn!(plugin, "{message}"),
            host::Level::Error => tracing::error!(plugin, "{message}"),
        }
    }

    fn now_millis(&mut self) -> i64 {
        chrono::Utc::now().timestamp_millis()
    }
}

impl kv::Host for HostState {
    fn get(&mut self, key: String) -> Option<Vec<u8>> {
        self.context.kv.get(&key)
    }

    fn set(&mut self, key: String, value: Vec<u8>) -> Result<(), CapabilityError> {
        self.context
            .kv
            .set(&key, value, self.limits.kv_bytes)
            .map_err(CapabilityError::Limit)
    }

    fn delete(&mut self, key: String) {
        self.context.kv.delete(&key);
    }

    fn keys(&mut self, prefix: String) -> Vec<String> {
        self.context.kv.keys(&prefix)
    }
}

impl files::Host for HostState {
    fn read_file(&mut self, path: String) -> Result<Vec<u8>, CapabilityError> {
        self.context
            .capabilities
            .read_file(&path, self.limits.output_bytes)
    }

    fn list_folder(&mut self, path: String) -> Result<Vec<String>, CapabilityError> {
        self.context.capabilities.list_folder(&path)
    }
}

impl http::Host for HostState {
    fn fetch(&mut self, request: http::Request) -> Result<http::Response, CapabilityError> {
        let response = self.context.capabilities.fetch(
            HttpRequest {
                method: request.method,
                url: request.url,
                headers: request.headers,
                body: request.body,
            },
            self.time_left()?,
            self.limits.output_bytes,
        )?;
        Ok(http::Response {
            status: response.status,
            headers: response.headers,
            body: response.body,
        })
    }
}

impl identities::Host for HostState {
    fn report(&mut self, customer: String, identity: identities::Identity) {
        let (channel, value) = match identity {
            identities::Identity::Email(value) => (Channel::Email, value),
            identities::Identity::Phone(value) => (Channel::Phone, value),
        };
        let reported = &mut self.reported;
        reported.bytes = reported
            .bytes
            .saturating_add(customer.len())
            .saturating_add(value.len());
        // Past the output limit the report is dropped, and the call fails
        // with `OutputTooLarge` once it returns, because `bytes` counts on.
        if reported.bytes <= self.limits.output_bytes {
            reported.list.push(ReportedIdentity {
                customer,
                channel,
                value,
            });
        }
    }
}

impl super::bindings::types::Host for HostState {}

impl HostState {
    /// Returns the time left in the call in progress, or a `limit` error
    /// when none is left, so a host call cannot run past the call's limit.
    fn time_left(&self) -> Result<Duration, CapabilityError> {
        let left = self
            .call_deadline
            .map_or(self.limits.call_timeout, |deadline| {
                deadline.saturating_duration_since(Instant::now())
            });
        if left.is_zero() {
            return Err(CapabilityError::Limit(format!(
                "the call's {:?} time limit is used up",
                self.limits.call_timeout
            )));
        }
        Ok(left)
    }
}

/// The memory cap of one instance, counted over all its linear memories
/// and tables together. wasmtime's own `StoreLimits` caps each memory on
/// its own, so a component with many core modules could use many times
/// the cap.
struct MemoryBudget {
    cap: usize,
    used: usize,
}

/// Maximum table elements of one instance.
const MAX_TABLE_ELEMENTS: usize = 1_000_000;

impl ResourceLimiter for MemoryBudget {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let used = self.used - current.min(self.used) + desired;
        if used > self.cap {
            // An error traps the plugin, which then fails the call with this
            // message instead of seeing a failed memory.grow.
            return Err(wasmtime::format_err!(
                "memory limit reached: growing to {} MiB in all would pass the plugin's {} MiB cap",
                used.div_ceil(1024 * 1024),
                self.cap / (1024 * 1024)
            ));
        }
        self.used = used;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}

/// A plugin loaded from its component, of whichever kind its manifest names.
pub enum LoadedPlugin {
    Adapter(AdapterPlugin),
    Rule(RulePlugin),
    Widget(WidgetPlugin),
}

impl PluginEngine {
    /// Creates the engine and starts the thread that advances its epoch.
    pub fn new() -> anyhow::Result<Self> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.epoch_interruption(true);
        let engine = Engine::new(&config)?;
        let mut linker = Linker::new(&engine);
        host::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |state| state)?;
        kv::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |state| state)?;
        files::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |state| state)?;
        http::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |state| state)?;
        identities::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |state| state)?;
        start_epoch_ticker(&engine);
        Ok(Self {
            engine,
            linker: Arc::new(linker),
            cache: None,
        })
    }

    /// Keeps compiled components in `folder`, keyed by the component's hash
    /// and the engine's compatibility hash, so a later process loads them
    /// without compiling. The folder is created when missing.
    pub fn with_cache(mut self, folder: PathBuf) -> Self {
        self.cache = Some(folder);
        self
    }

    /// Compiles a channel-adapter component with no capabilities granted.
    pub fn load_adapter(
        &self,
        id: &str,
        component_bytes: &[u8],
        limits: Limits,
    ) -> Result<AdapterPlugin, PluginError> {
        let context = PluginContext::for_plugin(id);
        match self.load_kind(id, PluginKind::Adapter, component_bytes, limits, context)? {
            LoadedPlugin::Adapter(plugin) => Ok(plugin),
            _ => unreachable!("load_kind returns the requested kind"),
        }
    }

    /// Compiles a ticket-rule component with no capabilities granted.
    pub fn load_rule(
        &self,
        id: &str,
        component_bytes: &[u8],
        limits: Limits,
    ) -> Result<RulePlugin, PluginError> {
        let context = PluginContext::for_plugin(id);
        match self.load_kind(id, PluginKind::Rule, component_bytes, limits, context)? {
            LoadedPlugin::Rule(plugin) => Ok(plugin),
            _ => unreachable!("load_kind returns the requested kind"),
        }
    }

    /// Compiles a component as the plugin kind its manifest names, under the
    /// manifest's limits, with the given capabilities and storage.
    pub fn load(
        &self,
        manifest: &Manifest,
        component_bytes: &[u8],
        context: PluginContext,
    ) -> Result<LoadedPlugin, PluginError> {
        self.load_kind(
            &manifest.id,
            manifest.kind,
            component_bytes,
            manifest.limits(),
            context,
        )
    }

    /// Compiles a component, checks its API version and prepares the
    /// instantiation of `kind`. The instance itself is created on the first
    /// call.
    fn load_kind(
        &self,
        id: &str,
        kind: PluginKind,
        component_bytes: &[u8],
        limits: Limits,
        context: PluginContext,
    ) -> Result<LoadedPlugin, PluginError> {
        let component = self.compile(id, component_bytes, kind)?;
        self.check_api_version(id, &component)?;

        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|error| load_error(id, kind, error))?;
        Ok(match kind {
            PluginKind::Adapter => {
                let pre =
                    ChannelAdapterPre::new(pre).map_err(|error| load_error(id, kind, error))?;
                LoadedPlugin::Adapter(AdapterPlugin {
                    sandbox: Sandbox::new(
                        self,
                        id,
                        limits,
                        context,
                        Box::new(move |store: &mut Store<HostState>| pre.instantiate(store)),
                    ),
                })
            }
            PluginKind::Rule => {
                let pre = TicketRulePre::new(pre).map_err(|error| load_error(id, kind, error))?;
                LoadedPlugin::Rule(RulePlugin {
                    backend: RuleBackend::Wasm(Sandbox::new(
                        self,
                        id,
                        limits,
                        context,
                        Box::new(move |store: &mut Store<HostState>| pre.instantiate(store)),
                    )),
                })
            }
            PluginKind::Widget => {
                let pre = ReportWidgetPre::new(pre).map_err(|error| load_error(id, kind, error))?;
                LoadedPlugin::Widget(WidgetPlugin {
                    sandbox: Sandbox::new(
                        self,
                        id,
                        limits,
                        context,
                        Box::new(move |store: &mut Store<HostState>| pre.instantiate(store)),
                    ),
                })
            }
        })
    }

    /// Rejects a component built against an API version this host does not
    /// implement, naming both versions, before linking fails with a less
    /// helpful message.
    fn check_api_version(&self, id: &str, component: &Component) -> Result<(), PluginError> {
        let component_type = component.component_type();
        let names: Vec<String> = component_type
            .imports(&self.engine)
            .map(|(name, _)| name.to_string())
            .chain(
                component_type
                    .exports(&self.engine)
                    .map(|(name, _)| name.to_string()),
            )
            .collect();

        let versions = manifest::api_versions(names.iter().map(String::as_str));
        if versions.is_empty() {
            return Err(PluginError::Load {
                plugin: id.to_string(),
                message: format!(
                    "the component uses no {} interface; build it with kefu-plugin-sdk",
                    manifest::API_PACKAGE
                ),
            });
        }
        for version in &versions {
            manifest::check_api_version(version).map_err(|error| PluginError::Load {
                plugin: id.to_string(),
                message: error.to_string(),
            })?;
        }
        Ok(())
    }

    /// Compiles a component, or loads it from the cache folder when one is
    /// set and contains it.
    fn compile(
        &self,
        id: &str,
        component_bytes: &[u8],
        kind: PluginKind,
    ) -> Result<Component, PluginError> {
        let Some(folder) = &self.cache else {
            return Component::new(&self.engine, component_bytes)
                .map_err(|error| load_error(id, kind, error));
        };

        let path = folder.join(format!("{}.cwasm", self.cache_key(component_bytes)));
        if path.is_file() {
            // SAFETY: wasmtime runs deserialized machine code as it is. The
            // file is in the user's own cache folder, written by
            // `store_compiled` from this engine's `serialize`. Its name
            // carries the engine's compatibility hash, and wasmtime also
            // checks the version header and rejects a file from another build.
            match unsafe { Component::deserialize_file(&self.engine, &path) } {
                Ok(component) => return Ok(component),
                Err(error) => {
                    tracing::warn!(plugin = id, path = %path.display(), "compiled plugin cache entry unusable, compiling again: {error:#}");
                }
            }
        }

        let component = Component::new(&self.engine, component_bytes)
            .map_err(|error| load_error(id, kind, error))?;
        store_compiled(&component, &path, id);
        Ok(component)
    }

    fn cache_key(&self, component_bytes: &[u8]) -> String {
        let mut hasher = DefaultHasher::new();
        self.engine
            .precompile_compatibility_hash()
            .hash(&mut hasher);
        format!(
            "{}-{:016x}",
            hex::encode(Sha256::digest(component_bytes)),
            hasher.finish()
        )
    }
}

/// Writes a compiled component to the cache. A failure only costs the next
/// process a compile, so it is logged and not returned.
fn store_compiled(component: &Component, path: &Path, id: &str) {
    let result = component
        .serialize()
        .map_err(anyhow::Error::from)
        .and_then(|bytes| {
            let folder = path.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(folder)?;
            // Write under a temporary name and rename, so another process never
            // reads a half-written file.
            let partial = path.with_extension(format!("{}.partial", std::process::id()));
            std::fs::write(&partial, bytes)?;
            std::fs::rename(&partial, path)?;
            Ok(())
        });
    if let Err(error) = result {
        tracing::warn!(plugin = id, path = %path.display(), "caching the compiled plugin failed: {error:#}");
    }
}

fn load_error(id: &str, kind: PluginKind, error: wasmtime::Error) -> PluginError {
    PluginError::Load {
        plugin: id.to_string(),
        message: format!("not a valid {kind} component: {error:#}"),
    }
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until the engine is dropped.
fn start_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("kefu-plugin-epoch".to_string())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .expect("spawning the plugin epoch thread");
}

type Instantiate<B> = Box<dyn Fn(&mut Store<HostState>) -> wasmtime::Result<B> + Send + Sync>;

/// One plugin's compiled component and its live instance, if any.
struct Sandbox<B> {
    id: String,
    engine: Engine,
    limits: Limits,
    context: PluginContext,
    instantiate: Instantiate<B>,
    live: Option<(Store<HostState>, B)>,
}

impl PluginContext {
    /// Creates a context with no capabilities granted and empty storage.
    pub fn for_plugin(id: &str) -> Self {
        Self {
            capabilities: CapabilityContext {
                plugin_id: id.to_string(),
                ..CapabilityContext::default()
            },
            kv: KvSpace::default(),
        }
    }
}

impl<B> Sandbox<B> {
    fn new(
        engine: &PluginEngine,
        id: &str,
        limits: Limits,
        context: PluginContext,
        instantiate: Instantiate<B>,
    ) -> Self {
        Self {
            id: id.to_string(),
            engine: engine.engine.clone(),
            limits,
            context,
            instantiate,
            live: None,
        }
    }

    /// Runs `call` on the live instance, creating one first when there is
    /// none. A failed call drops the instance, because a trap can leave its
    /// memory in any state.
    fn call<R: OutputSize>(
        &mut self,
        name: &str,
        call: impl FnOnce(&B, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        let deadline = self.deadline_ticks();
        let call_deadline = Instant::now() + self.limits.call_timeout;
        // Instantiating and the first call share one time limit.
        let fresh = self.live.is_none();
        let (store, bindings) = match &mut self.live {
            Some(live) => live,
            live @ None => {
                let state = HostState {
                    plugin_id: self.id.clone(),
                    memory: MemoryBudget {
                        cap: self.limits.memory_bytes,
                        used: 0,
                    },
                    call_deadline: Some(call_deadline),
                    limits: self.limits,
                    context: self.context.clone(),
                    reported: ReportedIdentities::default(),
                };
                let mut store = Store::new(&self.engine, state);
                store.limiter(|state| &mut state.memory);
                store.set_epoch_deadline(deadline);
                let bindings =
                    (self.instantiate)(&mut store).map_err(|error| PluginError::Load {
                        plugin: self.id.clone(),
                        message: format!("instantiating failed: {error:#}"),
                    })?;
                live.insert((store, bindings))
            }
        };

        if !fresh {
            store.set_epoch_deadline(deadline);
            store.data_mut().call_deadline = Some(call_deadline);
        }
        match call(bindings, store) {
            Ok(result) => {
                let size = result.output_size();
                if size > self.limits.output_bytes {
                    // The instance is healthy, but a plugin that returns this
                    // much output is misbehaving, so drop the instance as
                    // after a trap.
                    self.live = None;
                    let error = PluginError::OutputTooLarge {
                        plugin: self.id.clone(),
                        call: name.to_string(),
                        size,
                        limit: self.limits.output_bytes,
                    };
                    tracing::warn!(plugin = %self.id, call = name, "{error}");
                    return Err(error);
                }
                Ok(result)
            }
            Err(error) => {
                self.live = None;
                let error = self.classify(name, error);
                tracing::warn!(plugin = %self.id, call = name, "{error}");
                Err(error)
            }
        }
    }

    /// Converts the call timeout to epoch ticks, at least one.
    fn deadline_ticks(&self) -> u64 {
        let ticks = self.limits.call_timeout.as_millis() / EPOCH_TICK.as_millis();
        (ticks as u64).max(1)
    }

    /// Converts a failed call's error into a timeout or a trap error.
    fn classify(&self, name: &str, error: wasmtime::Error) -> PluginError {
        if matches!(error.downcast_ref::<Trap>(), Some(Trap::Interrupt)) {
            return PluginError::Timeout {
                plugin: self.id.clone(),
                call: name.to_string(),
                limit: self.limits.call_timeout,
            };
        }
        // The full error contains a wasm backtrace, which helps the plugin's
        // author but not the support team reading the quarantine reason.
        tracing::debug!(plugin = %self.id, call = name, "plugin trap: {error:?}");
        let message = match error.downcast_ref::<Trap>() {
            Some(Trap::UnreachableCodeReached) => {
                "the plugin panicked (wasm trap: unreachable instruction executed)".to_string()
            }
            Some(trap) => format!("wasm trap: {trap}"),
            None => error.root_cause().to_string(),
        };
        PluginError::Trap {
            plugin: self.id.clone(),
            call: name.to_string(),
            message,
        }
    }
}

/// A loaded channel adapter.
pub struct AdapterPlugin {
    sandbox: Sandbox<ChannelAdapter>,
}

impl AdapterPlugin {
    /// Returns the plugin's id.
    pub fn id(&self) -> &str {
        &self.sandbox.id
    }

    /// Returns the plugin's storage.
    pub fn kv(&self) -> &KvSpace {
        &self.sandbox.context.kv
    }

    /// Calls the adapter's `recognises` and returns the file extensions,
    /// content types and webhook path it reads.
    pub fn recognises(&mut self) -> Result<Recognition, PluginError> {
        self.sandbox.call("recognises", |bindings, store| {
            bindings.kefu_plugin_adapter().call_recognises(store)
        })
    }

    /// Calls the adapter's `probe` and returns how likely it is to read an
    /// input, from 0 to 100.
    pub fn probe(&mut self, name: &str, head: &[u8]) -> Result<u8, PluginError> {
        self.sandbox.call("probe", |bindings, store| {
            bindings.kefu_plugin_adapter().call_probe(store, name, head)
        })
    }

    /// Parses an input into messages, and collects the identities the
    /// adapter reports meanwhile.
    pub fn parse(&mut self, input: &Input) -> Result<ParseOutput, PluginError> {
        self.sandbox.call("parse", |bindings, store| {
            store.data_mut().reported = ReportedIdentities::default();
            let result = bindings
                .kefu_plugin_adapter()
                .call_parse(&mut *store, input)?;
            let reported = std::mem::take(&mut store.data_mut().reported);
            Ok(ParseOutput {
                result,
                identities: reported.list,
                reported_bytes: reported.bytes,
            })
        })
    }

    /// Formats an agent's reply for the channel.
    pub fn format_reply(
        &mut self,
        reply: &Reply,
    ) -> Result<Result<Formatted, String>, PluginError> {
        self.sandbox.call("format-reply", |bindings, store| {
            bindings
                .kefu_plugin_adapter()
                .call_format_reply(store, reply)
        })
    }
}

/// A loaded ticket rule: a sandboxed component, a trusted native library
/// the user enabled, or a declarative rule from `rules.toml`.
pub struct RulePlugin {
    backend: RuleBackend,
}

enum RuleBackend {
    Wasm(Sandbox<TicketRule>),
    Native {
        plugin: super::native::NativeRule,
        /// Always empty, because native plugins have no host imports.
        kv: KvSpace,
    },
    /// Evaluated in-process; it has no storage, so `kv` stays empty.
    Declarative {
        rule: Box<crate::automation::DeclarativeRule>,
        kv: KvSpace,
    },
}

impl RulePlugin {
    /// Wraps a loaded native rule.
    pub fn native(plugin: super::native::NativeRule) -> Self {
        Self {
            backend: RuleBackend::Native {
                plugin,
                kv: KvSpace::default(),
            },
        }
    }

    /// Wraps a declarative rule, which runs under its name.
    pub fn declarative(rule: crate::automation::DeclarativeRule) -> Self {
        Self {
            backend: RuleBackend::Declarative {
                rule: Box::new(rule),
                kv: KvSpace::default(),
            },
        }
    }

    /// Returns the plugin's id, or a declarative rule's name.
    pub fn id(&self) -> &str {
        match &self.backend {
            RuleBackend::Wasm(sandbox) => &sandbox.id,
            RuleBackend::Native { plugin, .. } => plugin.id(),
            RuleBackend::Declarative { rule, .. } => &rule.name,
        }
    }

    /// Returns the actor recorded in ticket history for the rule's changes:
    /// `plugin:<id>`, or `rule:<name>` for a declarative rule.
    pub fn actor(&self) -> String {
        match &self.backend {
            RuleBackend::Declarative { rule, .. } => rule.actor(),
            _ => format!("plugin:{}", self.id()),
        }
    }

    /// Returns whether the rule may act on events of `kind`. Plugins receive
    /// every event; a declarative rule only those its `on` list names, and
    /// a time rule none, because the scheduler runs it.
    pub fn listens_to(&self, kind: &crate::plugin::rule_api::EventKind) -> bool {
        use crate::plugin::rule_api::EventKind;
        match &self.backend {
            RuleBackend::Declarative { rule, .. } => {
                let name = match kind {
                    EventKind::MessageReceived(_) => "message-received",
                    EventKind::TicketCreated => "ticket-created",
                    EventKind::TicketUpdated(_) => "ticket-updated",
                    EventKind::TimerFired(_) => return false,
                };
                rule.on.iter().any(|trigger| trigger.name() == name)
            }
            _ => true,
        }
    }

    /// Returns the declarative rule, when this is one.
    pub fn as_declarative(&self) -> Option<&crate::automation::DeclarativeRule> {
        match &self.backend {
            RuleBackend::Declarative { rule, .. } => Some(rule),
            _ => None,
        }
    }

    /// Returns whether the plugin is a native library, which runs outside
    /// the sandbox.
    pub fn is_native(&self) -> bool {
        matches!(self.backend, RuleBackend::Native { .. })
    }

    /// Returns the plugin's storage.
    pub fn kv(&self) -> &KvSpace {
        match &self.backend {
            RuleBackend::Wasm(sandbox) => &sandbox.context.kv,
            RuleBackend::Native { kv, .. } | RuleBackend::Declarative { kv, .. } => kv,
        }
    }

    /// Calls the rule's `on-event` and returns the actions it requests. A
    /// declarative rule measures ticket ages against the current time.
    pub fn on_event(&mut self, event: &Event) -> Result<Vec<Action>, PluginError> {
        match &mut self.backend {
            RuleBackend::Wasm(sandbox) => sandbox.call("on-event", |bindings, store| {
                bindings.kefu_plugin_rule().call_on_event(store, event)
            }),
            RuleBackend::Native { plugin, .. } => plugin.on_event(event),
            RuleBackend::Declarative { rule, .. } => Ok(rule.evaluate(event, chrono::Utc::now())),
        }
    }
}

/// A loaded report widget.
pub struct WidgetPlugin {
    sandbox: Sandbox<ReportWidget>,
}

impl WidgetPlugin {
    /// Returns the plugin's id.
    pub fn id(&self) -> &str {
        &self.sandbox.id
    }

    /// Returns the plugin's storage.
    pub fn kv(&self) -> &KvSpace {
        &self.sandbox.context.kv
    }

    /// Calls the widget's `describe` and returns its title, parameters and
    /// datasets.
    pub fn describe(&mut self) -> Result<Description, PluginError> {
        self.sandbox.call("describe", |bindings, store| {
            bindings.kefu_plugin_widget().call_describe(store)
        })
    }

    /// Calls the widget's `render`, which builds its view from parameter
    /// values and datasets.
    pub fn render(
        &mut self,
        parameters: &[ParameterValue],
        datasets: &[Dataset],
    ) -> Result<Result<View, String>, PluginError> {
        self.sandbox.call("render", |bindings, store| {
            bindings
                .kefu_plugin_widget()
                .call_render(store, parameters, datasets)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_budget_counts_all_memories_together() {
        let mib = 1024 * 1024;
        let mut budget = MemoryBudget {
            cap: 64 * mib,
            used: 0,
        };
        // Three memories of 20 MiB fit; a fourth does not.
        for _ in 0..3 {
            assert!(budget.memory_growing(0, 20 * mib, None).unwrap());
        }
        let error = budget.memory_growing(0, 20 * mib, None).unwrap_err();
        assert!(error.to_string().contains("64 MiB cap"), "{error}");
        // Growing one of them by 4 MiB still fits.
        assert!(budget.memory_growing(20 * mib, 24 * mib, None).unwrap());
        assert_eq!(budget.used, 64 * mib);
    }
}
