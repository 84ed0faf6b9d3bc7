//! Backups of the database: a copy made while the app and imports keep
//! writing, automatic backups with rotation set in `backup.toml`, and
//! restoring a backup over the live database.
//!
//! The database file contains everything Kefu stores, including
//! attachment content (`attachment_blobs`) and the key that signs
//! conversation tokens, so a backup is that one file. The configuration
//! folder and the plugins folder are not part of it. The backup of an
//! encrypted database is encrypted with the same passphrase.

mod config;
mod restore;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::encryption::{Passphrase, open_connection, passphrase_for};

pub use config::{BackupConfig, FILE_NAME};
pub use restore::{RestoreReport, restore};
pub(crate) use restore::{check_kefu_database, lock_exclusively};

/// Time a backup waits for the database while another connection holds a
/// lock that stops it from reading.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Timestamp in the names of automatic backups, in UTC, so names sort in
/// time order.
const STAMP_FORMAT: &str = "%Y%m%dT%H%M%SZ";

/// A finished backup.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub path: PathBuf,
    /// Size of the backup file, in bytes.
    pub bytes: u64,
    pub elapsed: Duration,
    /// Schema version of the copied database.
    pub schema_version: i64,
    /// Whether the backup is encrypted, as the database is.
    pub encrypted: bool,
}

/// Copies the database at `db` to the new file `target` with SQLite's
/// online backup API, while other connections and processes keep reading
/// and writing it.
///
/// The copy is one snapshot: all pages are copied in a single step inside
/// one read transaction, which in WAL mode blocks no writer, so it holds
/// every transaction committed before the step and none after. The copy
/// is written under a temporary name, switched to rollback-journal mode so
/// it is one self-contained file, checked with `PRAGMA quick_check`,
/// synced, and only then renamed to `target`. An existing `target` is an
/// error and is left as it is. When `db` is encrypted, the passphrase
/// recorded for it with [`crate::encryption::unlock`] opens it and
/// encrypts the copy.
pub fn backup(db: &Path, target: &Path) -> anyhow::Result<BackupReport> {
    let started = Instant::now();
    if !db.is_file() {
        anyhow::bail!(
            "database {} not found; pass the database to back up with --db or KEFU_DB",
            db.display()
        );
    }
    if target.exists() {
        anyhow::bail!(
            "{} already exists; pass a new file name, or delete that file first",
            target.display()
        );
    }
    let folder = parent_folder(target);
    std::fs::create_dir_all(folder)
        .with_context(|| format!("creating backup folder {}", folder.display()))?;

    let passphrase = passphrase_for(db);
    let source = open_connection(db, OpenFlags::SQLITE_OPEN_READ_WRITE, passphrase.as_ref())?;
    source.busy_timeout(BUSY_TIMEOUT)?;
    let schema_version = restore::check_kefu_database(&source, db)?;

    let partial = partial_path(target);
    let result = copy_database(&source, &partial, passphrase.as_ref()).and_then(|()| {
        sync_file(&partial)?;
        std::fs::rename(&partial, target)
            .with_context(|| format!("renaming {} to {}", partial.display(), target.display()))?;
        sync_folder(folder);
        Ok(())
    });
    if let Err(error) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(error.context(format!(
            "backing up {} to {}",
            db.display(),
            target.display()
        )));
    }
    let bytes = std::fs::metadata(target)?.len();
    Ok(BackupReport {
        path: target.to_path_buf(),
        bytes,
        elapsed: started.elapsed(),
        schema_version,
        encrypted: passphrase.is_some(),
    })
}

/// Outcome of [`run_scheduled`].
#[derive(Debug)]
pub enum ScheduledBackup {
    /// `enabled = false` in `backup.toml`.
    Disabled,
    /// The newest backup in the folder is younger than `every-hours`.
    NotDue {
        newest: PathBuf,
        due_at: DateTime<Utc>,
    },
    /// A backup was made, and the oldest ones beyond `keep` were deleted.
    Made {
        report: BackupReport,
        deleted: Vec<PathBuf>,
    },
}

/// Makes an automatic backup of `db` into the configured folder when the
/// newest one there is at least `every-hours` old (or when `force` is
/// set), then deletes the oldest automatic backups beyond `keep`. Only
/// files named like automatic backups of this database
/// (`STEM-YYYYMMDDTHHMMSSZ.db`) are counted or deleted.
pub fn run_scheduled(
    db: &Path,
    config: &BackupConfig,
    now: DateTime<Utc>,
    force: bool,
) -> anyhow::Result<ScheduledBackup> {
    if !config.enabled && !force {
        return Ok(ScheduledBackup::Disabled);
    }
    let stem = database_stem(db);
    let existing = automatic_backups(&config.folder, &stem)?;
    if !force && let Some((taken_at, newest)) = existing.last() {
        let due_at = *taken_at + config.every;
        if now < due_at {
            return Ok(ScheduledBackup::NotDue {
                newest: newest.clone(),
                due_at,
            });
        }
    }
    let name = format!("{stem}-{}.db", now.format(STAMP_FORMAT));
    let report = backup(db, &config.folder.join(name))?;
    tracing::info!(
        path = %report.path.display(),
        bytes = report.bytes,
        "automatic backup made"
    );
    let deleted = rotate(&config.folder, &stem, config.keep)?;
    Ok(ScheduledBackup::Made { report, deleted })
}

/// Deletes the oldest automatic backups of the database named `stem` in
/// `folder` until `keep` remain, and returns the deleted paths.
pub fn rotate(folder: &Path, stem: &str, keep: usize) -> anyhow::Result<Vec<PathBuf>> {
    let existing = automatic_backups(folder, stem)?;
    let excess = existing.len().saturating_sub(keep);
    let mut deleted = Vec::new();
    for (_, path) in existing.into_iter().take(excess) {
        match std::fs::remove_file(&path) {
            Ok(()) => {
                tracing::info!(path = %path.display(), "deleted an old automatic backup");
                deleted.push(path);
            }
            // Another process (the app or a cron job) rotated the same
            // folder at the same time.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                return Err(error)
                    .with_context(|| format!("deleting old automatic backup {}", path.display()));
            }
        }
    }
    Ok(deleted)
}

/// Lists the automatic backups of the database named `stem` in `folder`,
/// oldest first, with the time in each name. A missing folder has none.
pub fn automatic_backups(
    folder: &Path,
    stem: &str,
) -> anyhow::Result<Vec<(DateTime<Utc>, PathBuf)>> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(error)
                .with_context(|| format!("listing backup folder {}", folder.display()));
        }
    };
    let prefix = format!("{stem}-");
    let mut backups = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("listing backup folder {}", folder.display()))?;
        let name = entry.file_name();
        let Some(stamp) = name
            .to_str()
            .and_then(|name| name.strip_prefix(&prefix))
            .and_then(|rest| rest.strip_suffix(".db"))
        else {
            continue;
        };
        if let Ok(taken_at) = NaiveDateTime::parse_from_str(stamp, STAMP_FORMAT) {
            backups.push((taken_at.and_utc(), entry.path()));
        }
    }
    backups.sort();
    Ok(backups)
}

/// File name of `db` without its extension, the prefix of its automatic
/// backups: `kefu` for `kefu.db`.
pub fn database_stem(db: &Path) -> String {
    db.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "kefu".to_string())
}

/// Copies every page of `source` into a new database file at `target` in
/// one backup step, then makes the copy a rollback-journal database and
/// checks it. `passphrase` must be the one `source` is keyed with, or
/// `None` for a plain database, because SQLCipher's backup API copies only
/// between two encrypted or two plain databases.
fn copy_database(
    source: &Connection,
    target: &Path,
    passphrase: Option<&Passphrase>,
) -> anyhow::Result<()> {
    let mut copy = open_connection(target, OpenFlags::default(), passphrase)
        .with_context(|| format!("creating backup file {}", target.display()))?;
    copy_pages(source, &mut copy)?;
    copy.pragma_update(None, "journal_mode", "DELETE")?;
    quick_check(&copy, target)?;
    copy.close()
        .map_err(|(_, error)| error)
        .with_context(|| format!("closing backup file {}", target.display()))
}

/// Copies all pages of `source` into `target` in one step, retrying while
/// either database is busy for up to [`BUSY_TIMEOUT`].
fn copy_pages(source: &Connection, target: &mut Connection) -> anyhow::Result<()> {
    let started = Instant::now();
    let backup = Backup::new(source, target)?;
    loop {
        // -1 copies every remaining page in this step, inside one read
        // transaction on the source, so the copy is a single snapshot.
        // Copying in smaller steps would restart whenever another process
        // commits between two steps.
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            StepResult::Busy | StepResult::Locked => {
                if started.elapsed() > BUSY_TIMEOUT {
                    anyhow::bail!(
                        "timed out after {} seconds waiting for the database lock; try again when \
                         the import or the app is idle",
                        BUSY_TIMEOUT.as_secs()
                    );
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            // StepResult is non-exhaustive; no other value exists in
            // rusqlite 0.37.
            _ => anyhow::bail!("unexpected result from the SQLite backup step"),
        }
    }
}

/// Fails unless `PRAGMA quick_check` on `connection` returns `ok`.
fn quick_check(connection: &Connection, path: &Path) -> anyhow::Result<()> {
    let result: String = connection
        .query_row("PRAGMA quick_check", [], |row| row.get(0))
        .with_context(|| format!("checking {}", path.display()))?;
    if result != "ok" {
        anyhow::bail!("{} failed PRAGMA quick_check: {result}", path.display());
    }
    Ok(())
}

/// Temporary name of a backup while it is written: hidden, in the same
/// folder, so the rename to the final name is atomic.
fn partial_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

pub(crate) fn parent_folder(path: &Path) -> &Path {
    path.parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

pub(crate) fn sync_file(path: &Path) -> anyhow::Result<()> {
    std::fs::File::open(path)
        .and_then(|file| file.sync_all())
        .with_context(|| format!("syncing {} to disk", path.display()))
}

/// Syncs a folder so a rename in it survives a power cut. Some file systems
/// cannot sync a folder, which only weakens that guarantee, so a failure is
/// logged.
pub(crate) fn sync_folder(folder: &Path) {
    if let Err(error) = std::fs::File::open(folder).and_then(|folder| folder.sync_all()) {
        tracing::debug!(folder = %folder.display(), "syncing the folder failed: {error}");
    }
}
