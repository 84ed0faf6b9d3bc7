//! The SQLite store.
//!
//! One database file holds everything. Reads go through [`Store`]; writes go
//! through a [`Writer`], which wraps one transaction, so an input is stored
//! whole or not at all.
//!
//! NOTE: callers use these SQLite types directly. A PostgreSQL store would
//! sit beside this module and share the same method set through a trait
//! extracted at that point.

mod read;
mod write;

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

pub use write::{NewTicket, Writer};

/// Numbered schema migrations, oldest first. Never edit a released one: add
/// the next number instead.
const MIGRATIONS: &[&str] = &[include_str!("store/migrations/0001_initial.sql")];

/// Handle on a Kefu database.
pub struct Store {
    connection: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the database at `path`, creating it and its folder when missing,
    /// and brings its schema up to date.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        if let Some(parent) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating database folder {}", parent.display()))?;
        }
        let mut connection = Connection::open(path)
            .with_context(|| format!("opening database {}", path.display()))?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .context("switching the database to WAL mode")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations().to_latest(&mut connection).with_context(|| {
            format!(
                "upgrading the schema of {}; restore a backup if the file is damaged",
                path.display()
            )
        })?;
        Ok(Self {
            connection,
            path: path.to_path_buf(),
        })
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts a write transaction.
    pub fn writer(&mut self) -> anyhow::Result<Writer<'_>> {
        Writer::begin(&mut self.connection)
    }

    /// Schema version: the number of migrations applied.
    pub fn schema_version(&self) -> anyhow::Result<i64> {
        Ok(self
            .connection
            .pragma_query_value(None, "user_version", |row| row.get(0))?)
    }
}

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

/// Formats a time the way the database stores it: RFC 3339 in UTC.
pub(crate) fn format_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Reads a time stored by [`format_time`].
pub(crate) fn parse_time(text: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, error.into())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations()
            .validate()
            .expect("migrations apply to an empty database");
    }

    #[test]
    fn open_creates_file_in_wal_mode() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("nested/kefu.db");
        let store = Store::open(&path).unwrap();
        assert!(path.exists());
        let mode: String = store
            .connection
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    }

    #[test]
    fn reopen_keeps_schema_version() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("kefu.db");
        drop(Store::open(&path).unwrap());
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    }
}
