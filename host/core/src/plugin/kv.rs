//! Each plugin's private key-value storage.
//!
//! A plugin reads and writes an in-memory copy during its calls. The owner
//! of the plugin set saves the changes in the same database transaction as
//! the data those calls produced ([`KvSpace::take_changes`]), so stored
//! values never run ahead of or behind the messages and tickets.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// Maximum key length in bytes.
pub const MAX_KEY_BYTES: usize = 1024;

/// One plugin's storage, shared between its instances and the host.
#[derive(Debug, Clone, Default)]
pub struct KvSpace {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: BTreeMap<String, Vec<u8>>,
    /// Keys changed since the last [`KvSpace::take_changes`], with `None` for
    /// a deleted key.
    changes: BTreeMap<String, Option<Vec<u8>>>,
    used_bytes: usize,
}

/// A change to save: a key with its new value, or `None` when it was deleted.
pub type KvChange = (String, Option<Vec<u8>>);

impl KvSpace {
    /// Creates a space containing `entries`, as loaded from the database.
    pub fn with_entries(entries: impl IntoIterator<Item = (String, Vec<u8>)>) -> Self {
        let entries: BTreeMap<String, Vec<u8>> = entries.into_iter().collect();
        let used_bytes = entries
            .iter()
            .map(|(key, value)| key.len() + value.len())
            .sum();
        Self {
            inner: Arc::new(Mutex::new(Inner {
                entries,
                changes: BTreeMap::new(),
                used_bytes,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves the map whole (every update
        // is a single insert or remove), so a poisoned lock is still usable.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Returns the value under `key`.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.lock().entries.get(key).cloned()
    }

    /// Stores `value` under `key`. Fails when the key is longer than
    /// [`MAX_KEY_BYTES`] or when all keys and values would then take more than
    /// `limit` bytes. The error names the limit and the size it would reach.
    pub fn set(&self, key: &str, value: Vec<u8>, limit: usize) -> Result<(), String> {
        if key.len() > MAX_KEY_BYTES {
            return Err(format!(
                "key of {} bytes is longer than the {MAX_KEY_BYTES}-byte maximum",
                key.len()
            ));
        }

        let mut inner = self.lock();
        let replaced_bytes = inner
            .entries
            .get(key)
            .map_or(0, |old| key.len() + old.len());
        let used = inner.used_bytes - replaced_bytes + key.len() + value.len();
        if used > limit {
            return Err(format!(
                "storing {} bytes under {key:?} would use {used} bytes, more than the plugin's \
                 {limit}-byte storage limit; delete keys or raise `kv-kib` in plugin.toml",
                value.len()
            ));
        }

        inner.used_bytes = used;
        inner.entries.insert(key.to_string(), value.clone());
        inner.changes.insert(key.to_string(), Some(value));
        Ok(())
    }

    /// Removes `key`.
    pub fn delete(&self, key: &str) {
        let mut inner = self.lock();
        if let Some(old) = inner.entries.remove(key) {
            inner.used_bytes -= key.len() + old.len();
            inner.changes.insert(key.to_string(), None);
        }
    }

    /// Returns the keys starting with `prefix`, in byte order.
    pub fn keys(&self, prefix: &str) -> Vec<String> {
        self.lock()
            .entries
            .range(prefix.to_string()..)
            .take_while(|(key, _)| key.starts_with(prefix))
            .map(|(key, _)| key.clone())
            .collect()
    }

    /// Removes and returns the changes since the last call, so the caller
    /// can save them.
    pub fn take_changes(&self) -> Vec<KvChange> {
        std::mem::take(&mut self.lock().changes)
            .into_iter()
            .collect()
    }

    /// Returns the bytes used by all keys and values.
    pub fn used_bytes(&self) -> usize {
        self.lock().used_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_delete_record_changes() {
        let space = KvSpace::with_entries([("seen".to_string(), b"1".to_vec())]);
        space.set("count", b"42".to_vec(), 1024).unwrap();
        space.delete("seen");
        space.delete("never-set");
        assert_eq!(space.get("count"), Some(b"42".to_vec()));
        assert_eq!(space.get("seen"), None);
        assert_eq!(
            space.take_changes(),
            vec![
                ("count".to_string(), Some(b"42".to_vec())),
                ("seen".to_string(), None)
            ]
        );
        assert!(space.take_changes().is_empty());
        assert_eq!(space.used_bytes(), "count".len() + 2);
    }

    #[test]
    fn storage_limit_counts_keys_and_values() {
        let space = KvSpace::default();
        space.set("a", vec![0; 6], 10).unwrap();
        // Replacing the value frees the old one first.
        space.set("a", vec![0; 9], 10).unwrap();
        let error = space.set("b", vec![0; 1], 10).unwrap_err();
        assert!(error.contains("10-byte storage limit"), "{error}");
        assert_eq!(space.get("b"), None);
    }

    #[test]
    fn keys_by_prefix_in_order() {
        let space = KvSpace::default();
        for key in ["ticket:2", "ticket:10", "other", "ticket"] {
            space.set(key, Vec::new(), 1024).unwrap();
        }
        assert_eq!(space.keys("ticket:"), vec!["ticket:10", "ticket:2"]);
        assert_eq!(space.keys("").len(), 4);
    }
}
