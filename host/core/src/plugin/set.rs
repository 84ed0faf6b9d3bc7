//! The plugins an ingest run uses, with a fault counter per plugin.

use super::builtin::BUILTIN_PLUGINS;
use super::{AdapterPlugin, Limits, PluginEngine, PluginError, PluginKind, RulePlugin};

/// Consecutive failed calls after which a plugin is skipped for the rest of
/// the run, so one broken plugin cannot stall a large import.
pub const MAX_CONSECUTIVE_FAULTS: u32 = 3;

/// A plugin with its run of consecutive failures.
pub struct Guarded<P> {
    pub plugin: P,
    consecutive_faults: u32,
}

impl<P> Guarded<P> {
    fn new(plugin: P) -> Self {
        Self {
            plugin,
            consecutive_faults: 0,
        }
    }

    /// True when the plugin failed too often in a row to be called again.
    pub fn is_suspended(&self) -> bool {
        self.consecutive_faults >= MAX_CONSECUTIVE_FAULTS
    }

    /// Counts the outcome of a call.
    pub fn record<T>(&mut self, result: &Result<T, PluginError>) {
        match result {
            Ok(_) => self.consecutive_faults = 0,
            Err(_) => self.consecutive_faults += 1,
        }
    }
}

/// Loaded adapters and rules, in the order they are consulted.
pub struct PluginSet {
    engine: PluginEngine,
    pub adapters: Vec<Guarded<AdapterPlugin>>,
    pub rules: Vec<Guarded<RulePlugin>>,
}

impl PluginSet {
    /// Creates an empty set on `engine`.
    pub fn new(engine: PluginEngine) -> Self {
        Self {
            engine,
            adapters: Vec::new(),
            rules: Vec::new(),
        }
    }

    /// Loads every built-in plugin with default limits, compiling each in
    /// this process.
    pub fn builtin() -> anyhow::Result<Self> {
        Self::builtin_on(PluginEngine::new()?)
    }

    /// Loads every built-in plugin with default limits on `engine`, for
    /// example one with a compile cache.
    pub fn builtin_on(engine: PluginEngine) -> anyhow::Result<Self> {
        let mut set = Self::new(engine);
        for builtin in BUILTIN_PLUGINS {
            set.add(
                builtin.id,
                builtin.kind,
                builtin.component,
                Limits::default(),
            )?;
        }
        Ok(set)
    }

    /// Loads a component and appends it to the adapters or the rules.
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
                self.rules.push(Guarded::new(plugin));
            }
        }
        Ok(())
    }

    /// Ids of the loaded adapters, in probe order.
    pub fn adapter_ids(&self) -> Vec<String> {
        self.adapters
            .iter()
            .map(|adapter| adapter.plugin.id().to_string())
            .collect()
    }
}
