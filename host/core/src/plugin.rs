//! The plugin runtime: loads WebAssembly components and calls them under
//! memory and time limits.
//!
//! A plugin that traps, runs past its time limit or exceeds its memory cap
//! fails only the call in progress. The broken instance is dropped and the
//! next call gets a fresh one, so the host and the other plugins go on.

mod bindings;
pub mod builtin;
pub mod capability;
mod convert;
pub mod folder;
pub mod kv;
pub mod manifest;
pub mod native;
mod output;
mod runtime;
mod set;

use std::fmt;
use std::time::Duration;

pub use bindings::adapter::exports::kefu::plugin::adapter as adapter_api;
pub use bindings::adapter::exports::kefu::plugin::adapter::{
    Input as AdapterInput, ParseError as AdapterParseError, Parsed as AdapterParsed,
};
pub use bindings::rule::exports::kefu::plugin::rule as rule_api;
pub use bindings::types as api;
pub use bindings::widget::exports::kefu::plugin::widget as widget_api;
pub use convert::{incoming_from_api, incoming_to_api};
pub use manifest::{API_VERSION, Manifest, ManifestError};
pub use runtime::{
    AdapterPlugin, EPOCH_TICK, LoadedPlugin, ParseOutput, PluginContext, PluginEngine,
    ReportedIdentity, RulePlugin, WidgetPlugin,
};
pub use set::{
    FAULT_WINDOW, FaultRecord, Guarded, MAX_FAULTS_IN_WINDOW, PluginEntry, PluginOrigin, PluginSet,
    PluginStatus, SyncReport,
};

/// Kind of plugin, named after the WIT world it implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluginKind {
    /// Implements `channel-adapter`.
    Adapter,
    /// Implements `ticket-rule`.
    Rule,
    /// Implements `report-widget`.
    Widget,
}

impl fmt::Display for PluginKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PluginKind::Adapter => "channel-adapter",
            PluginKind::Rule => "ticket-rule",
            PluginKind::Widget => "report-widget",
        })
    }
}

/// Resource limits for each call into a plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum linear memory of an instance, in bytes.
    pub memory_bytes: usize,
    /// Maximum wall-clock time of one call. The runtime checks it every
    /// [`EPOCH_TICK`], so a call may overrun by up to one tick.
    pub call_timeout: Duration,
    /// Maximum size of what one call returns, in bytes, counting the text and
    /// bytes inside it.
    pub output_bytes: usize,
    /// Maximum size of the plugin's key-value storage, keys and values, in bytes.
    pub kv_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_bytes: 256 * 1024 * 1024,
            call_timeout: Duration::from_secs(5),
            output_bytes: 1024 * 1024,
            kv_bytes: 1024 * 1024,
        }
    }
}

/// A failed call into a plugin. The message names the plugin and the call.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The component could not be compiled or instantiated.
    #[error("plugin {plugin}: cannot load: {message}")]
    Load { plugin: String, message: String },
    /// The plugin is disabled, by the user or after repeated faults.
    #[error("plugin {plugin} is disabled: {reason}")]
    Disabled { plugin: String, reason: String },
    /// The call returned more than the plugin's output limit.
    #[error(
        "plugin {plugin}: {call} returned {size} bytes, more than its {limit}-byte output limit"
    )]
    OutputTooLarge {
        plugin: String,
        call: String,
        size: usize,
        limit: usize,
    },
    /// The call ran past the plugin's time limit and was stopped.
    #[error("plugin {plugin}: {call} stopped after the {limit:?} time limit")]
    Timeout {
        plugin: String,
        call: String,
        limit: Duration,
    },
    /// The plugin trapped: a panic, an out-of-bounds access, or memory
    /// growth past its cap.
    #[error("plugin {plugin}: {call} failed: {message}")]
    Trap {
        plugin: String,
        call: String,
        message: String,
    },
}
