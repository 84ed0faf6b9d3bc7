//! Guest-side SDK for Kefu plugins.
//!
//! A plugin crate is a `cdylib` built for `wasm32-unknown-unknown` and turned
//! into a WebAssembly component by `kefu-componentize`, which also embeds the
//! crate's `plugin.toml`. It implements the `Guest` trait of one world and
//! registers the implementation with that world's export macro:
//!
//! ```ignore
//! use kefu_plugin_sdk::rule::exports::kefu::plugin::rule::{Action, Event, EventKind, Guest};
//!
//! struct MyRule;
//!
//! impl Guest for MyRule {
//!     fn on_event(event: Event) -> Vec<Action> {
//!         match event.kind {
//!             EventKind::MessageReceived(_) => vec![Action::AddTag("seen".to_string())],
//!             _ => Vec::new(),
//!         }
//!     }
//! }
//!
//! // The exported symbol names contain `:`, which only a wasm32 link accepts.
//! #[cfg(target_arch = "wasm32")]
//! kefu_plugin_sdk::export_rule!(MyRule);
//! ```
//!
//! | world | module | export macro | trait to implement |
//! |-------|--------|--------------|--------------------|
//! | `channel-adapter` | [`adapter`] | [`export_adapter!`] | `adapter::exports::kefu::plugin::adapter::Guest` |
//! | `ticket-rule` | [`rule`] | [`export_rule!`] | `rule::exports::kefu::plugin::rule::Guest` |
//! | `report-widget` | [`widget`] | [`export_widget!`] | `widget::exports::kefu::plugin::widget::Guest` |
//!
//! The interfaces the host provides are generated once and shared by the
//! three worlds: [`types`], [`host`], [`kv`], [`files`], [`http`] and
//! [`identities`]. They are also reachable as
//! `<world>::kefu::plugin::<interface>`. A plugin may call only the imports
//! of its own world. Only the `channel-adapter` world has `identities`, and
//! the `report-widget` world has no `files` or `http`. A plugin that calls
//! an import outside its world compiles, but `kefu-componentize` rejects it.
//!
//! The imported functions exist only in wasm32 builds. Natively, as in a
//! plugin's unit tests, calling one panics, so keep host calls out of the
//! code that the tests exercise.
//!
//! The API itself is defined in WIT, in `wit/kefu.wit` beside this crate.

/// Bindings for the `channel-adapter` world: read a channel's input into
/// messages and format replies for it.
///
/// This module also contains the generated host interfaces that the worlds
/// share; see [`types`], [`host`], [`kv`], [`files`], [`http`] and
/// [`identities`].
pub mod adapter {
    wit_bindgen::generate!({
        path: "wit",
        world: "channel-adapter",
        additional_derives: [PartialEq],
        pub_export_macro: true,
        export_macro_name: "export_adapter",
        default_bindings_module: "kefu_plugin_sdk::adapter",
    });
}

pub use adapter::kefu::plugin::{files, host, http, identities, kv, types};

/// Bindings for the `ticket-rule` world: act on tickets when messages
/// arrive, tickets change or timers fire.
pub mod rule {
    wit_bindgen::generate!({
        path: "wit",
        world: "ticket-rule",
        additional_derives: [PartialEq],
        with: {
            "kefu:plugin/types@1.2.0": crate::types,
            "kefu:plugin/host@1.2.0": crate::host,
            "kefu:plugin/kv@1.2.0": crate::kv,
            "kefu:plugin/files@1.2.0": crate::files,
            "kefu:plugin/http@1.2.0": crate::http,
        },
        pub_export_macro: true,
        export_macro_name: "export_rule",
        default_bindings_module: "kefu_plugin_sdk::rule",
    });

    pub use crate::adapter::kefu;
}

/// Bindings for the `report-widget` world: turn report data into a table or
/// a chart.
pub mod widget {
    wit_bindgen::generate!({
        path: "wit",
        world: "report-widget",
        additional_derives: [PartialEq],
        with: {
            "kefu:plugin/types@1.2.0": crate::types,
            "kefu:plugin/host@1.2.0": crate::host,
            "kefu:plugin/kv@1.2.0": crate::kv,
        },
        pub_export_macro: true,
        export_macro_name: "export_widget",
        default_bindings_module: "kefu_plugin_sdk::widget",
    });

    pub use crate::adapter::kefu;
}

pub use adapter::export_adapter;
pub use rule::export_rule;
pub use widget::export_widget;

/// Writes a line to the host's log, tagged with the plugin's id.
pub fn log(level: host::Level, message: &str) {
    host::log(level, message);
}

/// Writes a debug line to the host's log.
pub fn log_debug(message: &str) {
    log(host::Level::Debug, message);
}

/// Writes an info line to the host's log.
pub fn log_info(message: &str) {
    log(host::Level::Info, message);
}

/// Writes a warning to the host's log.
pub fn log_warn(message: &str) {
    log(host::Level::Warn, message);
}

/// Writes an error to the host's log.
pub fn log_error(message: &str) {
    log(host::Level::Error, message);
}

/// Returns the kebab-case WIT name of a capability error's case, for
/// example `not-granted`, as plugins put it in messages.
pub fn capability_error_case(error: &types::CapabilityError) -> &'static str {
    match error {
        types::CapabilityError::Undeclared(_) => "undeclared",
        types::CapabilityError::NotGranted(_) => "not-granted",
        types::CapabilityError::Limit(_) => "limit",
        types::CapabilityError::Failed(_) => "failed",
    }
}

/// Returns the message a capability error carries.
pub fn capability_error_message(error: &types::CapabilityError) -> &str {
    match error {
        types::CapabilityError::Undeclared(message)
        | types::CapabilityError::NotGranted(message)
        | types::CapabilityError::Limit(message)
        | types::CapabilityError::Failed(message) => message,
    }
}
