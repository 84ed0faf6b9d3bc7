//! SLA business hours and targets: when a ticket's first response and
//! resolution are due, and how much business time is left.
//!
//! A support team describes its working hours, holidays and targets in
//! `sla.toml` in the configuration folder (documented key by key in
//! `docs/examples/sla.toml`). Without that file the built-in configuration
//! applies. This module computes only. It reads no database and keeps no
//! clock, so callers pass every instant in.

mod calendar;
mod config;
mod working_time;

pub use calendar::{BusinessCalendar, MAX_WALK_DAYS, Progress};
pub use config::{SlaConfig, SlaConfigError, TargetRule, Targets};
pub use working_time::WorkingTimeTable;

/// Name of the SLA file in the configuration folder.
pub const FILE_NAME: &str = "sla.toml";

impl Default for SlaConfig {
    fn default() -> Self {
        Self::builtin()
    }
}

#[cfg(test)]
mod tests;
