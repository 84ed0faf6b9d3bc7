//! Host-side bindings generated from the plugin API's WIT package.

/// Bindings for the `channel-adapter` world. The shared interfaces (`types`,
/// `host`, `kv`, `files`, `http`) are generated here once and reused by the
/// other worlds. `identities` is imported by this world only.
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
            "kefu:plugin/kv": super::adapter::kefu::plugin::kv,
            "kefu:plugin/files": super::adapter::kefu::plugin::files,
            "kefu:plugin/http": super::adapter::kefu::plugin::http,
        },
    });
}

/// Bindings for the `report-widget` world.
pub mod widget {
    wasmtime::component::bindgen!({
        path: "../../plugin-api/wit",
        world: "report-widget",
        with: {
            "kefu:plugin/types": super::adapter::kefu::plugin::types,
            "kefu:plugin/host": super::adapter::kefu::plugin::host,
            "kefu:plugin/kv": super::adapter::kefu::plugin::kv,
        },
    });
}

pub use adapter::kefu::plugin::{files, host, http, identities, kv, types};
