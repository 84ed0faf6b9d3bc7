//! `kefu encrypt` and `kefu decrypt`: rewriting a database as SQLCipher or
//! as plain SQLite with `sqlcipher_export`, then replacing it atomically.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use rusqlite::{Connection, OpenFlags};

use super::{Passphrase, attach_key, is_encrypted, open_connection};
use crate::backup::{check_kefu_database, lock_exclusively, parent_folder, sync_file, sync_folder};

/// A finished conversion.
#[derive(Debug, Clone)]
pub struct ConvertReport {
    pub path: PathBuf,
    /// Size of the converted database file, in bytes.
    pub bytes: u64,
    pub elapsed: Duration,
    pub schema_version: i64,
    /// Number of rows copied, over all tables.
    pub rows: u64,
}

/// Encrypts the plain database at `db` with `passphrase`.
///
/// The database is written encrypted into a new file beside it, checked
/// (`PRAGMA integrity_check` and the row count of every table), and only
/// then renamed over `db`, so the original stays in place until the new
/// file is verified. Fails without changing anything when `db` is already
/// encrypted or another process has it open.
pub fn encrypt(db: &Path, passphrase: &Passphrase) -> anyhow::Result<ConvertReport> {
    if is_encrypted(db)? {
        anyhow::bail!(
            "database {} is already encrypted; to change its passphrase, run \
             `kefu change-passphrase --new-passphrase-file FILE` with the current one",
            db.display()
        );
    }
    convert(db, None, Some(passphrase))
}

/// Decrypts the database at `db`, encrypted with `passphrase`, into a
/// plain SQLite database, with the same steps and checks as [`encrypt`].
pub fn decrypt(db: &Path, passphrase: &Passphrase) -> anyhow::Result<ConvertReport> {
    if db.is_file() && !is_encrypted(db)? {
        anyhow::bail!("database {} is not encrypted; nothing to do", db.display());
    }
    convert(db, Some(passphrase), None)
}

/// Re-encrypts the database at `db` from the passphrase `current` to `new`.
///
/// The steps and checks are those of [`encrypt`]. The copy keyed with `new`
/// is checked before it replaces `db`, so after a failure or a crash the
/// file still opens with `current`. Older backups keep `current`.
pub fn change_passphrase(
    db: &Path,
    current: &Passphrase,
    new: &Passphrase,
) -> anyhow::Result<ConvertReport> {
    if db.is_file() && !is_encrypted(db)? {
        anyhow::bail!(
            "database {} is not encrypted, so it has no passphrase to change. \
             Encrypt it with `kefu encrypt`",
            db.display()
        );
    }
    if current == new {
        anyhow::bail!(
            "the new passphrase is the same as the current one. \
             Write a different one in the new passphrase file"
        );
    }
    let report = convert(db, Some(current), Some(new))?;
    // Connections this process opens to `db` from now on need the new one.
    if super::passphrase_for(db).is_some() {
        super::unlock(db, new.clone());
    }
    Ok(report)
}

fn convert(
    db: &Path,
    from: Option<&Passphrase>,
    to: Option<&Passphrase>,
) -> anyhow::Result<ConvertReport> {
    let started = Instant::now();
    if !db.is_file() {
        anyhow::bail!(
            "database {} not found; pass the database to convert with --db or KEFU_DB",
            db.display()
        );
    }
    // The attached target inherits these flags, and it is a new file, so
    // they include SQLITE_OPEN_CREATE.
    let source = open_connection(db, OpenFlags::default(), from)?;
    let schema_version = check_kefu_database(&source, db)?;
    lock_exclusively(&source, db, "the conversion")?;
    // The exported file replaces `db`, so no -wal file of the old one may
    // remain beside it. Leaving WAL mode checkpoints the WAL into the
    // database and deletes it. Store::open turns WAL mode on again.
    source
        .pragma_update(None, "journal_mode", "DELETE")
        .with_context(|| format!("checkpointing {}", db.display()))?;

    let partial = converting_path(db);
    let result = export(&source, &partial, to)
        .and_then(|()| verify(&source, &partial, to))
        .and_then(|rows| {
            sync_file(&partial)?;
            // `source` keeps its exclusive lock until after the rename, so no
            // other process writes to the old file in between.
            std::fs::rename(&partial, db).with_context(|| {
                format!("replacing {} with {}", db.display(), partial.display())
            })?;
            sync_folder(parent_folder(db));
            Ok(rows)
        });
    let rows = match result {
        Ok(rows) => rows,
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error.context(format!(
                "converting {}; the database was not changed",
                db.display()
            )));
        }
    };
    drop(source);
    let bytes = std::fs::metadata(db)?.len();
    tracing::info!(database = %db.display(), encrypted = to.is_some(), "converted the database");
    Ok(ConvertReport {
        path: db.to_path_buf(),
        bytes,
        elapsed: started.elapsed(),
        schema_version,
        rows,
    })
}

/// Writes every table, index, trigger and row of `source` into the new
/// file `target`, keyed with `passphrase` or plain when it is `None`.
/// `sqlcipher_export` does not copy `user_version`, Kefu's schema version,
/// so that is set afterwards.
fn export(
    source: &Connection,
    target: &Path,
    passphrase: Option<&Passphrase>,
) -> anyhow::Result<()> {
    let target_name = target
        .to_str()
        .with_context(|| format!("{} is not valid UTF-8", target.display()))?;
    source
        .execute(
            "ATTACH DATABASE ?1 AS converted KEY ?2",
            [target_name, attach_key(passphrase)],
        )
        .with_context(|| format!("creating {}", target.display()))?;
    let exported = source
        .query_row("SELECT sqlcipher_export('converted')", [], |_| Ok(()))
        .with_context(|| format!("copying the database into {}", target.display()))
        .and_then(|()| {
            let version: i64 = source.pragma_query_value(None, "user_version", |row| row.get(0))?;
            source.pragma_update(Some("converted"), "user_version", version)?;
            Ok(())
        });
    let detached = source.execute_batch("DETACH DATABASE converted");
    exported?;
    detached.with_context(|| format!("closing {}", target.display()))
}

/// Opens `target` with `passphrase`, runs `PRAGMA integrity_check` and
/// compares the row count of every table with `source`. Returns the total
/// number of rows.
fn verify(
    source: &Connection,
    target: &Path,
    passphrase: Option<&Passphrase>,
) -> anyhow::Result<u64> {
    let converted = open_connection(target, OpenFlags::SQLITE_OPEN_READ_ONLY, passphrase)?;
    let integrity: String = converted
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .with_context(|| format!("checking {}", target.display()))?;
    if integrity != "ok" {
        anyhow::bail!(
            "{} failed PRAGMA integrity_check: {integrity}",
            target.display()
        );
    }
    let source_version = check_kefu_database(source, Path::new("the original"))?;
    let converted_version = check_kefu_database(&converted, target)?;
    if source_version != converted_version {
        anyhow::bail!(
            "{} has schema version {converted_version}, the original {source_version}",
            target.display()
        );
    }
    let mut total = 0;
    for table in table_names(source)? {
        let expected = count_rows(source, &table)?;
        let copied = count_rows(&converted, &table)?;
        if expected != copied {
            anyhow::bail!(
                "{} has {copied} rows in table {table}, the original {expected}",
                target.display()
            );
        }
        total += expected;
    }
    Ok(total)
}

fn table_names(connection: &Connection) -> anyhow::Result<Vec<String>> {
    let mut statement = connection.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         ORDER BY name",
    )?;
    let names = statement
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(names)
}

fn count_rows(connection: &Connection, table: &str) -> anyhow::Result<u64> {
    let quoted = table.replace('"', "\"\"");
    let count: i64 = connection
        .query_row(&format!("SELECT count(*) FROM \"{quoted}\""), [], |row| {
            row.get(0)
        })
        .with_context(|| format!("counting the rows of table {table}"))?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Temporary name of the converted database while it is written and
/// checked: hidden, in the same folder, so the rename over `db` is atomic.
fn converting_path(db: &Path) -> PathBuf {
    let name = db
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    db.with_file_name(format!(".{name}.converting-{}", std::process::id()))
}
