//! Plugin state the user controls: enabled or not, consent to native
//! libraries, granted capabilities, the fault log and each plugin's
//! key-value storage.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Store, Writer, format_time, parse_time};
use crate::plugin::capability::{HTTP_HOST, READ_FOLDER};
use crate::plugin::kv::KvChange;
use crate::plugin::manifest::Capabilities;
use crate::plugin::native::LibraryFile;

/// Stored state of a plugin. A component plugin without a stored state
/// runs, but a native plugin runs only while a consent recorded with
/// [`Store::consent_native`] matches its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginState {
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    /// Time the user or the fault guard last changed the state.
    pub changed_at: DateTime<Utc>,
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
                "SELECT enabled, disabled_reason, updated_at FROM plugins WHERE id = ?1",
                params![plugin_id],
                |row| {
                    Ok(PluginState {
                        enabled: row.get::<_, i64>(0)? != 0,
                        disabled_reason: row.get(1)?,
                        changed_at: parse_time(&row.get::<_, String>(2)?)?,
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

    /// Records the user's consent to load the native library at `path` as
    /// plugin `plugin_id`, pinned to the file's current SHA-256, and enables
    /// the plugin. The consent replaces one given for another file. Returns
    /// the hash.
    pub fn consent_native(&self, plugin_id: &str, path: &Path) -> anyhow::Result<String> {
        let library = LibraryFile::read(path)?;
        let now = format_time(Utc::now());
        let tx = self.connection.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO native_consents (plugin_id, sha256, consented_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (plugin_id) DO UPDATE SET sha256 = ?2, consented_at = ?3",
            params![plugin_id, library.sha256(), now],
        )?;
        tx.execute(
            "INSERT INTO plugins (id, enabled, disabled_reason, updated_at) VALUES (?1, 1, NULL, ?2)
             ON CONFLICT (id) DO UPDATE SET enabled = 1, disabled_reason = NULL, updated_at = ?2",
            params![plugin_id, now],
        )?;
        tx.commit()?;
        Ok(library.sha256().to_string())
    }

    /// Returns the SHA-256 of the native library file the user consented to
    /// load as `plugin_id`, if any.
    pub fn native_consent(&self, plugin_id: &str) -> anyhow::Result<Option<String>> {
        Ok(self
            .connection
            .query_row(
                "SELECT sha256 FROM native_consents WHERE plugin_id = ?1",
                params![plugin_id],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Removes the consent to load a native library as `plugin_id`. Returns
    /// false when there was none.
    pub fn withdraw_native_consent(&self, plugin_id: &str) -> anyhow::Result<bool> {
        let removed = self.connection.execute(
            "DELETE FROM native_consents WHERE plugin_id = ?1",
            params![plugin_id],
        )?;
        Ok(removed > 0)
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
                Some(value) => self.execute_cached(
                    "INSERT INTO plugin_kv (plugin_id, key, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT (plugin_id, key) DO UPDATE SET value = ?3",
                    params![plugin_id, key, value],
                )?,
                None => self.execute_cached(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let folder = tempfile::tempdir().unwrap();
        let store = Store::open(&folder.path().join("kefu.db")).unwrap();
        (folder, store)
    }

    #[test]
    fn consent_native_pins_file_hash() {
        let (folder, store) = store();
        let library = folder.path().join("libvip_rule.so");
        std::fs::write(&library, b"first build").unwrap();
        store
            .set_plugin_enabled("vip-rule", false, Some("fault guard"))
            .unwrap();

        let first = store.consent_native("vip-rule", &library).unwrap();
        assert_eq!(first.len(), 64);
        assert_eq!(
            store.native_consent("vip-rule").unwrap().as_deref(),
            Some(first.as_str())
        );
        let state = store.plugin_state("vip-rule").unwrap().unwrap();
        assert!(state.enabled);
        assert_eq!(state.disabled_reason, None);

        std::fs::write(&library, b"second build").unwrap();
        let second = store.consent_native("vip-rule", &library).unwrap();
        assert_ne!(first, second);
        assert_eq!(
            store.native_consent("vip-rule").unwrap().as_deref(),
            Some(second.as_str())
        );
    }

    #[test]
    fn withdraw_native_consent_removes_it() {
        let (folder, store) = store();
        let library = folder.path().join("libvip_rule.so");
        std::fs::write(&library, b"build").unwrap();
        store.consent_native("vip-rule", &library).unwrap();
        assert!(store.withdraw_native_consent("vip-rule").unwrap());
        assert_eq!(store.native_consent("vip-rule").unwrap(), None);
        assert!(!store.withdraw_native_consent("vip-rule").unwrap());
    }

    #[test]
    fn consent_native_rejects_directory() {
        let (folder, store) = store();
        let error = format!(
            "{:#}",
            store.consent_native("vip-rule", folder.path()).unwrap_err()
        );
        assert!(error.contains("is a directory"), "{error}");
        assert_eq!(store.native_consent("vip-rule").unwrap(), None);
    }
}
