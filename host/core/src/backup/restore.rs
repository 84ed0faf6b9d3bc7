//! Restoring a backup over the live database, after checking that the
//! backup is a whole Kefu database this version can read.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::Utc;
use rusqlite::types::Value;
use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::{copy_pages, parent_folder, quick_check, sync_file};
use crate::encryption::{
    PASSPHRASE_ENV, PASSPHRASE_FILE_ENV, Passphrase, SQLITE_HEADER, apply_key, open_connection,
    passphrase_for,
};
use crate::store::{SCHEMA_VERSION, Store};

/// Tables every Kefu database has had since schema version 1.
const KEFU_TABLES: &[&str] = &[
    "customers",
    "customer_identities",
    "raw_inputs",
    "conversations",
    "messages",
    "tickets",
    "quarantine",
];

/// A finished restore.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    /// New path of the replaced database, or `None` when no database
    /// existed at the path.
    pub replaced: Option<PathBuf>,
    /// Schema version of the backup file.
    pub backup_schema_version: i64,
    /// Schema version of the restored database, after the upgrade.
    pub schema_version: i64,
}

/// Replaces the database at `db` with the backup `file`.
///
/// The backup is checked first (an SQLite file with the Kefu tables, a
/// schema version this Kefu reads, and a clean `PRAGMA integrity_check`),
/// then copied and upgraded to the current schema beside the database.
/// Only then is the live database locked. Restore fails without changing
/// anything when another process has the database open. The live
/// database is copied to `DB.before-restore-TIMESTAMP` and then
/// overwritten in one SQLite transaction, so a crash midway leaves either
/// the old or the restored content.
///
/// When a passphrase is recorded for `db` with
/// [`crate::encryption::unlock`], the backup must be encrypted with it and
/// the live database, when it exists, too. Without one, both must be plain.
pub fn restore(db: &Path, file: &Path) -> anyhow::Result<RestoreReport> {
    let passphrase = passphrase_for(db);
    let backup_schema_version = check_backup_file(file, db, passphrase.as_ref())?;

    let staged = Staged::copy(file, db)?;
    let schema_version = {
        let store =
            Store::open_with_passphrase(&staged.path, passphrase.as_ref()).with_context(|| {
                format!(
                    "upgrading a copy of {} to schema version {SCHEMA_VERSION}",
                    file.display()
                )
            })?;
        store.schema_version()?
    };
    let source = open_connection(&staged.path, OpenFlags::default(), passphrase.as_ref())?;
    source.pragma_update(None, "journal_mode", "DELETE")?;

    if !db.exists() {
        drop(source);
        let folder = parent_folder(db);
        std::fs::create_dir_all(folder)
            .with_context(|| format!("creating database folder {}", folder.display()))?;
        staged.install_at(db)?;
        return Ok(RestoreReport {
            replaced: None,
            backup_schema_version,
            schema_version,
        });
    }

    let mut live = lock_live_database(db, passphrase.as_ref())?;
    let aside = aside_path(db);
    super::copy_database(&live, &aside, passphrase.as_ref()).with_context(|| {
        format!(
            "keeping a copy of {} before the restore; nothing was changed",
            db.display()
        )
    })?;
    sync_file(&aside)?;
    match_page_size(&source, &live, &staged.path)?;
    copy_pages(&source, &mut live).with_context(|| {
        format!(
            "writing the backup into {}; the database before the restore is kept as {}",
            db.display(),
            aside.display()
        )
    })?;
    quick_check(&live, db)?;
    drop(live);
    tracing::info!(
        database = %db.display(),
        backup = %file.display(),
        replaced = %aside.display(),
        "restored a backup"
    );
    Ok(RestoreReport {
        replaced: Some(aside),
        backup_schema_version,
        schema_version,
    })
}

/// Returns the schema version of the Kefu database `connection` has open
/// at `path`, or fails with a message that names the file and what to do
/// when it is not one, or is one from a newer Kefu.
pub(crate) fn check_kefu_database(connection: &Connection, path: &Path) -> anyhow::Result<i64> {
    let not_kefu = |detail: &str| {
        anyhow::anyhow!(
            "{} is not a Kefu database ({detail}); pass a database file made by Kefu, \
             such as one written by `kefu backup`",
            path.display()
        )
    };
    let unreadable = |error: rusqlite::Error| match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt) => damaged(path, &error.to_string()),
        _ => not_kefu(&error.to_string()),
    };
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(unreadable)?;
    crate::store::check_not_newer(path, version)?;
    let mut statement = connection
        .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1")
        .map_err(unreadable)?;
    for table in KEFU_TABLES {
        let found = statement.exists([table]).map_err(unreadable)?;
        if !found {
            return Err(not_kefu(&format!("it has no {table} table")));
        }
    }
    if version < 1 {
        return Err(not_kefu("its schema version is 0"));
    }
    Ok(version)
}

/// Checks, without writing to it, that `file` is a whole Kefu database of
/// a schema version this Kefu reads, encrypted with `passphrase` or plain
/// when that is `None`, and returns that version. `db` is the database it
/// is to replace, named in the errors.
fn check_backup_file(
    file: &Path,
    db: &Path,
    passphrase: Option<&Passphrase>,
) -> anyhow::Result<i64> {
    let bytes = read_header(file)?;
    let plain = bytes.as_slice() == SQLITE_HEADER;
    if !plain && (passphrase.is_none() || bytes.len() < SQLITE_HEADER.len()) {
        anyhow::bail!(
            "{} is not a Kefu backup: it is not an SQLite database, or it is encrypted and \
             no passphrase was given. Pass a file made by `kefu backup`, with the passphrase \
             of an encrypted one in --passphrase-file, {PASSPHRASE_FILE_ENV} or \
             {PASSPHRASE_ENV}. The live database was not changed",
            file.display()
        );
    }
    if plain && passphrase.is_some() {
        anyhow::bail!(
            "{} is a plain backup, but a passphrase was given, so {} is to be encrypted; \
             encrypt a copy of the backup with `kefu --db COPY encrypt` and restore that \
             copy, or restore without a passphrase. The live database was not changed",
            file.display(),
            db.display()
        );
    }
    // Read-only and immutable, so checking the file creates no -wal or -shm
    // file beside it and never changes it.
    // NOTE: a -wal file beside the backup is not read, here or by the copy
    // restored. Files written by `kefu backup` never have one.
    let uri = format!(
        "file:{}?immutable=1",
        file.display()
            .to_string()
            .replace('%', "%25")
            .replace('?', "%3f")
            .replace('#', "%23")
    );
    let connection = Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    )
    .with_context(|| format!("opening {}", file.display()))?;
    if let Some(passphrase) = passphrase {
        apply_key(&connection, file, passphrase)?;
    }

    let unchanged =
        |error: anyhow::Error| anyhow::anyhow!("{error:#}. The live database was not changed");
    let version = check_kefu_database(&connection, file).map_err(unchanged)?;

    let mut statement = connection
        .prepare("PRAGMA integrity_check(5)")
        .map_err(|error| unchanged(damaged(file, &error.to_string())))?;
    let problems: Vec<String> = statement
        .query_map([], |row| row.get::<_, String>(0))
        .and_then(|rows| rows.collect())
        .map_err(|error| unchanged(damaged(file, &error.to_string())))?;
    if problems != ["ok"] {
        let detail = format!("integrity check: {}", problems.join("; "));
        return Err(unchanged(damaged(file, &detail)));
    }
    Ok(version)
}

fn damaged(path: &Path, detail: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{} is damaged or truncated ({detail}); pick another backup",
        path.display()
    )
}

/// Reads the first 16 bytes of `file`, fewer when it is shorter.
fn read_header(file: &Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;

    if file.is_dir() {
        anyhow::bail!(
            "{} is a folder; pass a backup file made by `kefu backup`",
            file.display()
        );
    }
    let mut header = Vec::with_capacity(SQLITE_HEADER.len());
    std::fs::File::open(file)
        .with_context(|| format!("opening backup {}", file.display()))?
        .take(SQLITE_HEADER.len() as u64)
        .read_to_end(&mut header)
        .with_context(|| format!("reading backup {}", file.display()))?;
    Ok(header)
}

/// Opens the live database and takes SQLite's exclusive lock on it, kept
/// until the connection closes.
fn lock_live_database(db: &Path, passphrase: Option<&Passphrase>) -> anyhow::Result<Connection> {
    let connection = open_connection(db, OpenFlags::SQLITE_OPEN_READ_WRITE, passphrase)?;
    check_kefu_database(&connection, db).with_context(|| {
        format!(
            "the database to replace is not usable; move {} aside yourself and run \
             the restore again",
            db.display()
        )
    })?;
    lock_exclusively(&connection, db, "the restore")?;
    Ok(connection)
}

/// Takes SQLite's exclusive lock on the database `connection` has open at
/// `db`, kept until the connection closes. Every other connection to a WAL
/// database holds a shared lock on the file while it is open, even when
/// idle, so the lock fails at once while the app, `kefu watch`, `kefu
/// serve` or an import has the database open. `operation` names what waits
/// for the lock in the error.
pub(crate) fn lock_exclusively(
    connection: &Connection,
    db: &Path,
    operation: &str,
) -> anyhow::Result<()> {
    connection.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
    let locked = connection.execute_batch("BEGIN EXCLUSIVE; COMMIT;");
    match locked {
        Ok(()) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(error, _)) if error.code == ErrorCode::DatabaseBusy => {
            anyhow::bail!(
                "{} is open in another Kefu process (the desktop app, `kefu watch`, \
                 `kefu serve` or an import); close it and run {operation} again. \
                 Nothing was changed",
                db.display()
            )
        }
        Err(error) => Err(error).with_context(|| format!("locking database {}", db.display())),
    }
}

/// Makes the staged copy use the live database's page size, because the
/// backup API cannot write into a WAL database with another page size.
fn match_page_size(staged: &Connection, live: &Connection, path: &Path) -> anyhow::Result<()> {
    let page_size = |connection: &Connection| -> anyhow::Result<i64> {
        // SQLCipher returns the page size of an encrypted database as text.
        let value: Value = connection.pragma_query_value(None, "page_size", |row| row.get(0))?;
        match value {
            Value::Integer(size) => Ok(size),
            Value::Text(size) => size
                .parse()
                .with_context(|| format!("reading the page size {size:?} of {}", path.display())),
            other => anyhow::bail!("page size of {} is {other:?}", path.display()),
        }
    };
    let live_size = page_size(live)?;
    if page_size(staged)? != live_size {
        staged.pragma_update(None, "page_size", live_size)?;
        staged
            .execute_batch("VACUUM")
            .with_context(|| format!("changing the page size of {}", path.display()))?;
    }
    Ok(())
}

/// Path the live database is copied to before a restore overwrites it.
fn aside_path(db: &Path) -> PathBuf {
    let name = db
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "kefu.db".to_string());
    let stamp = Utc::now().format(super::STAMP_FORMAT);
    let mut path = db.with_file_name(format!("{name}.before-restore-{stamp}"));
    let mut counter = 1;
    while path.exists() {
        counter += 1;
        path = db.with_file_name(format!("{name}.before-restore-{stamp}-{counter}"));
    }
    path
}

/// A copy of the backup beside the live database, deleted when dropped
/// unless it was moved into place.
struct Staged {
    path: PathBuf,
}

impl Staged {
    fn copy(file: &Path, db: &Path) -> anyhow::Result<Self> {
        let folder = parent_folder(db);
        std::fs::create_dir_all(folder)
            .with_context(|| format!("creating database folder {}", folder.display()))?;
        let path = super::partial_path(&db.with_extension("restore"));
        let staged = Self { path };
        std::fs::copy(file, &staged.path)
            .with_context(|| format!("copying {} to {}", file.display(), staged.path.display()))?;
        Ok(staged)
    }

    /// Moves the staged copy to `db`, where no database exists.
    fn install_at(self, db: &Path) -> anyhow::Result<()> {
        sync_file(&self.path)?;
        std::fs::rename(&self.path, db)
            .with_context(|| format!("moving the restored database to {}", db.display()))?;
        super::sync_folder(parent_folder(db));
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut path = self.path.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(path));
        }
    }
}
