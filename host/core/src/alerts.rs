//! Alerts for new messages, unanswered conversations and SLA deadlines:
//! the per-agent settings of `alerts.toml` ([`config`]), the policy that
//! decides, groups and de-duplicates alerts ([`policy`]), and the monitor
//! that feeds the policy from the store ([`feed`]). Showing the alerts
//! (toasts, desktop notifications, sound) is the front end's part.

pub mod config;
pub mod feed;
pub mod policy;

#[cfg(test)]
mod tests;

pub use config::{AlertConfigError, AlertSettings, Effects, QuietHours, Sound, Tier, TierSettings};
pub use feed::AlertMonitor;
pub use policy::{
    Alert, AlertEntry, AlertInput, AlertPolicy, Deadline, DeadlineKind, NewMessage, Unanswered,
};

/// Returns the agent whose `[agent.NAME]` table of `alerts.toml` applies:
/// `KEFU_AGENT`, else the login name in `USER`, else `None`.
pub fn agent_name() -> Option<String> {
    ["KEFU_AGENT", "USER"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|name| !name.trim().is_empty())
}
