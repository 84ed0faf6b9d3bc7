//! Plugins that ship inside the host binary.
//!
//! The components are built from plugins/ by `plugins/build` and committed,
//! so the host builds and runs them on a machine with no wasm toolchain.

use super::PluginKind;

/// A plugin component embedded in the host.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinPlugin {
    pub id: &'static str,
    pub kind: PluginKind,
    pub component: &'static [u8],
}

macro_rules! builtin {
    ($id:literal, $kind:expr) => {
        BuiltinPlugin {
            id: $id,
            kind: $kind,
            component: include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../plugins/dist/",
                $id,
                ".wasm"
            )),
        }
    };
}

/// The built-in plugins; adapters are probed in this order, and the
/// Reports screen shows the widgets in this order.
pub const BUILTIN_PLUGINS: &[BuiltinPlugin] = &[
    builtin!("email", PluginKind::Adapter),
    builtin!("phone-log", PluginKind::Adapter),
    builtin!("chat", PluginKind::Adapter),
    builtin!("default-rules", PluginKind::Rule),
    builtin!("ticket-volume", PluginKind::Widget),
    builtin!("backlog", PluginKind::Widget),
    builtin!("channel-share", PluginKind::Widget),
    builtin!("hour-of-week", PluginKind::Widget),
    builtin!("messages-per-day", PluginKind::Widget),
];
