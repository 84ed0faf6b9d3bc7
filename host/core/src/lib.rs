//! Kefu's core: the domain model, the SQLite store, the ingest pipeline and
//! the plugin runtime. Front ends (the iced app, the command line) sit on
//! top of this crate; it has no user-interface dependency.

pub mod alerts;
pub mod attachments;
pub mod automation;
pub mod backup;
pub mod demo;
pub mod desk;
pub mod encryption;
pub mod export;
pub mod identity;
pub mod ingest;
pub mod intake;
pub mod lifecycle;
pub mod metrics;
pub mod model;
pub mod outbound;
pub mod paths;
pub mod phrases;
pub mod plugin;
pub mod report;
pub mod routing;
pub mod sla;
pub mod store;
pub mod tls;
pub mod todo;
pub mod webhook;

pub use store::Store;
