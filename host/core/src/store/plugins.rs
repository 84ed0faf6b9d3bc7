//! Plugin state the user controls: enabled or not, granted capabilities,
//! the fault log and each plugin's key-value storage.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Store, Writer, format_time, parse_time};
use crate::plugin::capability::{HTTP_HOST, READ_FOLDER};
use crate::plugin::kv::KvChange;
use crate::plugin::manifest::Capabilities;

/// Stored state of a plugin. A component plugin without a stored state
/// runs, but a native plugin runs only once the user enables it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginState {
    pub enabled: bool,
    pub disabled_reason: Option<String>,
}

/// A failed plugin call, as stored in the fault log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginFault {
    pub plugin_id: String,
    pub at: DateTime<Utc>,
    /// Name of the plugin export that was called, or `load` when creating
    /// the instance failed.
    pub call: String,
    pub message: String,
}

impl Store {
    /// Returns the stored state of a plugin, if the user or the fault guard
    /// ever changed it.
    pub fn plugin_state(&self, plugin_id: &str) -> anyhow::Result<Option<PluginState>> {
        Ok(self
            .connection
            .query_row(
                "SELECT enabled, disabled_reason FROM plugins WHERE id = ?1",
                params![plugin_id],
                |row| {
                    Ok(PluginState {
                        enabled: row.get::<_, i64>(0)? != 0,
                        disabled_reason: row.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Enables a plugin, or disables it with the reason shown to the user.
    pub fn set_plugin_enabled(
        &self,
        plugin_id: &str,
        enabled: bool,
        reason: Option<&str>,
    ) -> anyhow::Result<()> {
        self.connection.execute(
            "INSERT INTO plugins (id, enabled, disabled_reason, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET enabled = ?2, disabled_reason = ?3, updated_at = ?4",
            params![
                plugin_id,
                enabled as i64,
                if enabled { None } else { reason },
                format_time(Utc::now())
            ],
        )?;
        Ok(())
    }

    /// Returns the capabilities granted to a plugin.
    pub fn plugin_grants(&self, plugin_id: &str) -> anyhow::Result<Capabilities> {
        let mut statement = self.connection.prepare(
            "SELECT capability, value FROM plugin_grants WHERE plugin_id = ?1 ORDER BY value",
        )?;
        let mut grants = Capabilities::default();
        for row in statement.query_map(params![plugin_id], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })? {
            let (capability, value) = row?;
            match capability.as_str() {
                READ_FOLDER => grants.read_folders.push(value),
                HTTP_HOST => grants.http_hosts.push(value),
                _ => {}
            }
        }
        Ok(grants)
    }

    /// Grants a capability, `read-folder` with a folder or `http-host` with
    /// a host. Granting the same value twice stores it once.
    pub fn grant(&self, plugin_id: &str, capability: &str, value: &str) -> anyhow::Result<()> {
        check_capability(capability)?;
        self.connection.execute(
            "INSERT OR IGNORE INTO plugin_grants (plugin_id, capability, value, granted_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![plugin_id, capability, value, format_time(Utc::now())],
        )?;
        Ok(())
    }

    /// Revokes a grant. Returns false when there was none.
    pub fn revoke(&self, plugin_id: &str, capability: &str, value: &str) -> anyhow::Result<bool> {
        check_capability(capability)?;
        let removed = self.connection.execute(
            "DELETE FROM plugin_grants WHERE plugin_id = ?1 AND capability = ?2 AND value = ?3",
            params![plugin_id, capability, value],
        )?;
        Ok(removed > 0)
    }

    /// Appends failed calls to the fault log.
    pub fn record_plugin_faults(&self, faults: &[PluginFault]) -> anyhow::Result<()> {
        let mut statement = self.connection.prepare(
            "INSERT INTO plugin_faults (plugin_id, at, call, message) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for fault in faults {
            statement.execute(params![
                fault.plugin_id,
                format_time(fault.at),
                fault.call,
                fault.message
            ])?;
        }
        Ok(())
    }

    /// Returns a plugin's latest `limit` faults, newest first.
    pub fn plugin_faults(&self, plugin_id: &str, limit: u32) -> anyhow::Result<Vec<PluginFault>> {
        let mut statement = self.connection.prepare(
            "SELECT plugin_id, at, call, message FROM plugin_faults WHERE plugin_id = ?1
             ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = statement.query_map(params![plugin_id, limit], |row| {
            Ok(PluginFault {
                plugin_id: row.get(0)?,
                at: parse_time(&row.get::<_, String>(1)?)?,
                call: row.get(2)?,
                message: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns a plugin's stored key-value entries.
    pub fn plugin_kv(&self, plugin_id: &str) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
        let mut statement = self
            .connection
            .prepare("SELECT key, value FROM plugin_kv WHERE plugin_id = ?1")?;
        let rows = statement.query_map(params![plugin_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Writer<'_> {
    /// Saves a plugin's key-value changes in this transaction.
    pub fn save_plugin_kv(&self, plugin_id: &str, changes: &[KvChange]) -> anyhow::Result<()> {
        for (key, value) in changes {
            match value {
                Some(value) => self.tx.execute(
                    "INSERT INTO plugin_kv (plugin_id, key, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT (plugin_id, key) DO UPDATE SET value = ?3",
                    params![plugin_id, key, value],
                )?,
                None => self.tx.execute(
                    "DELETE FROM plugin_kv WHERE plugin_id = ?1 AND key = ?2",
                    params![plugin_id, key],
                )?,
            };
        }
        Ok(())
    }
}

/// Checks that `capability` is `read-folder` or `http-host`.
fn check_capability(capability: &str) -> anyhow::Result<()> {
    if capability == READ_FOLDER || capability == HTTP_HOST {
        Ok(())
    } else {
        anyhow::bail!(
            "unknown capability {capability:?}; use `{READ_FOLDER} FOLDER` or `{HTTP_HOST} HOST`"
        )
    }
}
