//! Guest-side SDK for Kefu plugins.
//!
//! A plugin crate is a `cdylib` built for `wasm32-unknown-unknown` and turned
//! into a WebAssembly component. It implements the `Guest` trait of one world
//! and registers the implementation with that world's export macro:
//!
//! ```ignore
//! use kefu_plugin_sdk::rule::exports::kefu::plugin::rule::{Action, Guest, MessageEvent};
//!
//! struct MyRule;
//!
//! impl Guest for MyRule {
//!     fn on_message(event: MessageEvent) -> Vec<Action> {
//!         Vec::new()
//!     }
//! }
//!
//! kefu_plugin_sdk::export_rule!(MyRule);
//! ```
//!
//! The API itself is defined in WIT, in `wit/kefu.wit` beside this crate.

/// Bindings for the `channel-adapter` world: parse raw input into messages.
pub mod adapter {
    wit_bindgen::generate!({
        path: "wit",
        world: "channel-adapter",
        pub_export_macro: true,
        export_macro_name: "export_adapter",
        default_bindings_module: "kefu_plugin_sdk::adapter",
    });
}

/// Bindings for the `ticket-rule` world: act on tickets when messages arrive.
pub mod rule {
    wit_bindgen::generate!({
        path: "wit",
        world: "ticket-rule",
        pub_export_macro: true,
        export_macro_name: "export_rule",
        default_bindings_module: "kefu_plugin_sdk::rule",
    });
}

/// Writes a line to the host's log from an adapter.
pub fn adapter_log(level: adapter::kefu::plugin::host::Level, message: &str) {
    adapter::kefu::plugin::host::log(level, message);
}

/// Writes a line to the host's log from a rule.
pub fn rule_log(level: rule::kefu::plugin::host::Level, message: &str) {
    rule::kefu::plugin::host::log(level, message);
}

pub use adapter::export_adapter;
pub use rule::export_rule;
