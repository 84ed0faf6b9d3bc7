//! A team's desk configuration: the ticket lifecycle, the SLA and routing, read
//! from the configuration folder and shared by every write.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Utc};

use crate::identity::IdentityConfig;
use crate::lifecycle::Lifecycle;
use crate::outbound::{ChatOutConfig, OutgoingConfig};
use crate::routing::RoutingConfig;
use crate::sla::SlaConfig;

/// The configuration that ticket writes follow.
#[derive(Debug, Clone, Default)]
pub struct Desk {
    pub lifecycle: Lifecycle,
    pub sla: SlaConfig,
    pub routing: RoutingConfig,
    pub identity: IdentityConfig,
    pub outgoing: OutgoingConfig,
    pub chat_out: ChatOutConfig,
}

impl Desk {
    /// Returns the built-in configuration.
    pub fn builtin() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Reads the configuration files in `config_dir`; a missing file means
    /// its built-in default.
    pub fn load(config_dir: &Path) -> anyhow::Result<Arc<Self>> {
        let lifecycle = Lifecycle::load(config_dir)?;
        let identity = IdentityConfig::load(config_dir)?;
        let routing = RoutingConfig::load(config_dir, &lifecycle)?;
        let sla_path = config_dir.join(crate::sla::FILE_NAME);
        let sla = SlaConfig::load(&sla_path)?;
        for rule in sla.rules() {
            if let Some(priority) = rule.priority.as_deref()
                && !lifecycle.is_priority(priority)
            {
                anyhow::bail!(
                    "{}: target.priority = {priority:?} is not a priority of the lifecycle; \
                     expected one of {}",
                    sla_path.display(),
                    lifecycle.priority_ids()
                );
            }
        }
        let outgoing = OutgoingConfig::load(config_dir)?;
        let chat_out = ChatOutConfig::load(config_dir)?;
        Ok(Arc::new(Self {
            lifecycle,
            sla,
            routing,
            identity,
            outgoing,
            chat_out,
        }))
    }
}

impl Desk {
    /// First-response and resolution deadlines of a ticket opened at
    /// `created_at`, moved out by the business time its SLA clock was
    /// stopped.
    pub fn deadlines(
        &self,
        created_at: DateTime<Utc>,
        priority: &str,
        tier: &str,
        paused_seconds: i64,
    ) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let targets = self.sla.targets(priority, tier);
        let paused = chrono::Duration::seconds(paused_seconds.max(0));
        let calendar = self.sla.calendar();
        // A target the calendar's working hours cannot reach within the
        // years a timestamp can hold means no deadline.
        let deadline = |target: Option<chrono::Duration>| {
            target
                .map(|target| calendar.add(created_at, target + paused))
                .filter(|due| due.year() <= 9999)
        };
        (
            deadline(targets.first_response),
            deadline(targets.resolution),
        )
    }

    /// Business time between `from` and `to`, in seconds.
    pub fn business_seconds(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        self.sla.calendar().between(from, to).num_seconds()
    }
}

/// Reads a configuration file as text. A file that is not UTF-8, such as
/// one saved as GBK, fails with an error that says where and what to do.
pub fn read_config(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    String::from_utf8(bytes).map_err(|error| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not valid UTF-8 at byte {}; save the file as UTF-8",
                error.utf8_error().valid_up_to()
            ),
        )
    })
}
