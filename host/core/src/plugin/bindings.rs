//! Host-side bindings generated from the plugin API's WIT package.

/// Bindings for the `channel-adapter` world. The shared `types` and `host`
/// interfaces are generated here once and reused by the other worlds.
pub mod adapter {
    wasmtime::component::bindgen!({
        path: "../../plugin-api/wit",
        world: "channel-adapter",
    });
}

/// Bindings for the `ticket-rule` world.
pub mod rule {
    wasmtime::component::bindgen!({
        path: "../../plugin-api/wit",
        world: "ticket-rule",
        with: {
            "kefu:plugin/types": super::adapter::kefu::plugin::types,
            "kefu:plugin/host": super::adapter::kefu::plugin::host,
        },
    });
}

pub use adapter::kefu::plugin::types;
