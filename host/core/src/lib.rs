//! Kefu's core: the domain model, the SQLite store, the ingest pipeline and
//! the plugin runtime. Front ends (the iced app, the command line) sit on
//! top of this crate; it has no user-interface dependency.

pub mod identity;
pub mod ingest;
pub mod model;
pub mod paths;
pub mod plugin;
pub mod report;
pub mod store;
pub mod ticket;

pub use store::Store;
