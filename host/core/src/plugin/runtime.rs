//! Compiling, instantiating and calling plugin components under limits.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};

use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder, Trap};

use super::bindings::adapter::exports::kefu::plugin::adapter::{Input, ParseError, Parsed};
use super::bindings::adapter::kefu::plugin::host;
use super::bindings::adapter::{ChannelAdapter, ChannelAdapterPre};
use super::bindings::rule::exports::kefu::plugin::rule::{Action, MessageEvent};
use super::bindings::rule::{TicketRule, TicketRulePre};
use super::{Limits, PluginError, PluginKind};

/// Interval at which a background thread advances the engine's epoch. Time
/// limits are counted in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Maximum length of a plugin log line in bytes; longer lines are cut.
const MAX_LOG_LINE: usize = 4096;

/// The wasmtime engine and linker shared by every plugin.
#[derive(Clone)]
pub struct PluginEngine {
    engine: Engine,
    linker: Arc<Linker<HostState>>,
    /// Folder of compiled components, when compiling once per machine is wanted.
    cache: Option<PathBuf>,
}

/// Per-instance state the host functions see.
pub struct HostState {
    plugin_id: String,
    limits: StoreLimits,
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
}

impl super::bindings::types::Host for HostState {}

impl PluginEngine {
    /// Creates the engine and starts the thread that advances its epoch.
    pub fn new() -> anyhow::Result<Self> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.epoch_interruption(true);
        let engine = Engine::new(&config)?;
        let mut linker = Linker::new(&engine);
        host::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |state| state)?;
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

    /// Compiles a channel-adapter component.
    pub fn load_adapter(
        &self,
        id: &str,
        component_bytes: &[u8],
        limits: Limits,
    ) -> Result<AdapterPlugin, PluginError> {
        let component = self.compile(id, component_bytes, PluginKind::Adapter)?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .and_then(ChannelAdapterPre::new)
            .map_err(|error| load_error(id, PluginKind::Adapter, error))?;
        let instantiate = move |store: &mut Store<HostState>| pre.instantiate(store);
        Ok(AdapterPlugin {
            sandbox: Sandbox::new(self, id, limits, Box::new(instantiate)),
        })
    }

    /// Compiles a ticket-rule component.
    pub fn load_rule(
        &self,
        id: &str,
        component_bytes: &[u8],
        limits: Limits,
    ) -> Result<RulePlugin, PluginError> {
        let component = self.compile(id, component_bytes, PluginKind::Rule)?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .and_then(TicketRulePre::new)
            .map_err(|error| load_error(id, PluginKind::Rule, error))?;
        let instantiate = move |store: &mut Store<HostState>| pre.instantiate(store);
        Ok(RulePlugin {
            sandbox: Sandbox::new(self, id, limits, Box::new(instantiate)),
        })
    }

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
    instantiate: Instantiate<B>,
    live: Option<(Store<HostState>, B)>,
}

impl<B> Sandbox<B> {
    fn new(engine: &PluginEngine, id: &str, limits: Limits, instantiate: Instantiate<B>) -> Self {
        Self {
            id: id.to_string(),
            engine: engine.engine.clone(),
            limits,
            instantiate,
            live: None,
        }
    }

    /// Runs `call` on the live instance, creating one first when there is
    /// none. A failed call drops the instance, because a trap can leave its
    /// memory in any state.
    fn call<R>(
        &mut self,
        name: &str,
        call: impl FnOnce(&B, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        let deadline = self.deadline_ticks();
        let (store, bindings) = match &mut self.live {
            Some(live) => live,
            live @ None => {
                let state = HostState {
                    plugin_id: self.id.clone(),
                    limits: StoreLimitsBuilder::new()
                        .memory_size(self.limits.memory_bytes)
                        .trap_on_grow_failure(true)
                        .build(),
                };
                let mut store = Store::new(&self.engine, state);
                store.limiter(|state| &mut state.limits);
                store.set_epoch_deadline(deadline);
                let bindings =
                    (self.instantiate)(&mut store).map_err(|error| PluginError::Load {
                        plugin: self.id.clone(),
                        message: format!("instantiating failed: {error:#}"),
                    })?;
                live.insert((store, bindings))
            }
        };
        store.set_epoch_deadline(deadline);
        match call(bindings, store) {
            Ok(result) => Ok(result),
            Err(error) => {
                self.live = None;
                let error = self.classify(name, error);
                tracing::warn!(plugin = %self.id, call = name, "{error}");
                Err(error)
            }
        }
    }

    fn deadline_ticks(&self) -> u64 {
        let ticks = self.limits.call_timeout.as_millis() / EPOCH_TICK.as_millis();
        (ticks as u64).max(1)
    }

    fn classify(&self, name: &str, error: wasmtime::Error) -> PluginError {
        if matches!(error.downcast_ref::<Trap>(), Some(Trap::Interrupt)) {
            return PluginError::Timeout {
                plugin: self.id.clone(),
                call: name.to_string(),
                limit: self.limits.call_timeout,
            };
        }
        // The full error carries a wasm backtrace, which helps the plugin's
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

    /// Asks the adapter how likely it is to read an input, from 0 to 100.
    pub fn probe(&mut self, name: &str, head: &[u8]) -> Result<u8, PluginError> {
        self.sandbox.call("probe", |bindings, store| {
            bindings.kefu_plugin_adapter().call_probe(store, name, head)
        })
    }

    /// Parses an input into messages.
    pub fn parse(&mut self, input: &Input) -> Result<Result<Parsed, ParseError>, PluginError> {
        self.sandbox.call("parse", |bindings, store| {
            bindings.kefu_plugin_adapter().call_parse(store, input)
        })
    }
}

/// A loaded ticket rule.
pub struct RulePlugin {
    sandbox: Sandbox<TicketRule>,
}

impl RulePlugin {
    /// Returns the plugin's id.
    pub fn id(&self) -> &str {
        &self.sandbox.id
    }

    /// Asks the rule what to do about a new message.
    pub fn on_message(&mut self, event: &MessageEvent) -> Result<Vec<Action>, PluginError> {
        self.sandbox.call("on-message", |bindings, store| {
            bindings.kefu_plugin_rule().call_on_message(store, event)
        })
    }
}
