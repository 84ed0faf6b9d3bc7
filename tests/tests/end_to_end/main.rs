//! End-to-end tests of Kefu against real sample inputs, real plugins built
//! from this repository and real SQLite files. They form one test binary,
//! so the suite links the core, wasmtime and SQLite once.
//!
//! To run one area, filter by its module name:
//! `cargo test -p kefu-tests --test end_to_end intake_imap::`.

mod attachments;
mod automatic_mail;
mod backup;
mod chat_identities;
mod chat_replies;
mod customers;
mod default_rules;
mod encryption_at_rest;
mod engine;
mod hostile_plugins;
mod hot_reload;
mod ingest_edge_cases;
mod ingest_fixtures;
mod intake_drop_folder;
mod intake_imap;
mod mail_threading;
mod migrations;
mod native_plugins;
mod outbound_smtp;
mod plugin_cache;
mod plugin_capabilities;
mod rule_events;
mod webhook;
