//! Encryption at rest: databases encrypted with SQLCipher, the passphrases
//! that unlock them, and converting a database between plain SQLite and
//! SQLCipher.
//!
//! SQLCipher 4 (bundled by rusqlite's `bundled-sqlcipher` feature) encrypts
//! every page of the database file with AES-256 in CBC mode, with a key
//! derived from the passphrase by PBKDF2-HMAC-SHA512 and a per-database
//! salt, and authenticates each page with HMAC-SHA512. The file header is
//! encrypted too, so an encrypted file does not start with SQLite's magic
//! string. A database opened without a key is plain SQLite.
//!
//! A process unlocks a database once with [`unlock`]. Every connection this
//! crate opens to that path afterwards (the store, backups, the change
//! watch, the webhook and intake threads) applies the passphrase, so callers
//! pass paths as before.

mod convert;

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use anyhow::Context;
use rusqlite::{Connection, ErrorCode, OpenFlags};

pub use convert::{ConvertReport, change_passphrase, decrypt, encrypt};

/// Environment variable with the passphrase of an encrypted database.
pub const PASSPHRASE_ENV: &str = "KEFU_PASSPHRASE";

/// Environment variable with the path of a file whose first line is the
/// passphrase.
pub const PASSPHRASE_FILE_ENV: &str = "KEFU_PASSPHRASE_FILE";

/// The first 16 bytes of every plain SQLite database file.
pub(crate) const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Passphrases given to [`unlock`], by database path (see [`key_path`]).
static PASSPHRASES: LazyLock<Mutex<HashMap<PathBuf, Passphrase>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The passphrase of an encrypted database. Its `Debug` output hides the
/// text, so it never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Passphrase(String);

impl Passphrase {
    /// Wraps `text`, rejecting an empty passphrase, because SQLCipher
    /// treats an empty key as "no encryption".
    pub fn new(text: impl Into<String>) -> anyhow::Result<Self> {
        let text = text.into();
        if text.is_empty() {
            anyhow::bail!("the passphrase is empty; give a passphrase of at least one character");
        }
        Ok(Self(text))
    }

    /// Reads the passphrase from the first line of `path`. The line ending
    /// is not part of it; other whitespace is.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading passphrase file {}", path.display()))?;
        let line = text.lines().next().unwrap_or("");
        Self::new(line).with_context(|| {
            format!(
                "passphrase file {} has an empty first line; write the passphrase on it",
                path.display()
            )
        })
    }

    /// Returns the passphrase from `file` when given, else from the file
    /// named by `KEFU_PASSPHRASE_FILE`, else from `KEFU_PASSPHRASE`, or
    /// `None` when none of them is set.
    pub fn from_file_or_env(file: Option<&Path>) -> anyhow::Result<Option<Self>> {
        if let Some(file) = file {
            return Self::from_file(file).map(Some);
        }
        if let Some(file) = std::env::var_os(PASSPHRASE_FILE_ENV).filter(|file| !file.is_empty()) {
            return Self::from_file(Path::new(&file)).map(Some);
        }
        match std::env::var(PASSPHRASE_ENV) {
            Ok(text) => Self::new(text)
                .with_context(|| format!("{PASSPHRASE_ENV} is set but empty"))
                .map(Some),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => {
                anyhow::bail!("{PASSPHRASE_ENV} is not valid UTF-8; set it to a UTF-8 passphrase")
            }
        }
    }

    /// Returns the passphrase's text, for keying a connection opened
    /// outside Kefu (`PRAGMA key`). Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Passphrase(hidden)")
    }
}

/// Records `passphrase` for the database at `db`, so every connection this
/// process opens to it afterwards is keyed with it. It is not checked here:
/// opening the database with a wrong passphrase fails.
pub fn unlock(db: &Path, passphrase: Passphrase) {
    lock_passphrases().insert(key_path(db), passphrase);
}

/// Forgets the passphrase recorded for `db`, if any.
pub fn forget(db: &Path) {
    lock_passphrases().remove(&key_path(db));
}

/// Returns the passphrase recorded for `db` with [`unlock`].
pub fn passphrase_for(db: &Path) -> Option<Passphrase> {
    lock_passphrases().get(&key_path(db)).cloned()
}

fn lock_passphrases() -> std::sync::MutexGuard<'static, HashMap<PathBuf, Passphrase>> {
    // The map is only read and replaced whole per entry, so a panic while it
    // was locked cannot have left it half-written.
    PASSPHRASES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Normalises `db` so `kefu.db`, `./kefu.db` and its absolute path find
/// the same passphrase. The folder is resolved through symbolic links when
/// it exists; the file itself need not exist yet.
fn key_path(db: &Path) -> PathBuf {
    let absolute = std::path::absolute(db).unwrap_or_else(|_| db.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(folder), Some(name)) => folder
            .canonicalize()
            .map(|folder| folder.join(name))
            .unwrap_or(absolute),
        _ => absolute,
    }
}

/// Returns whether the file at `path` is an encrypted database: it exists,
/// is not empty, does not start with SQLite's header and is a whole number
/// of pages. A missing or
/// empty file is a new database and is not encrypted.
///
/// An encrypted database is a whole number of pages, and SQLCipher pages
/// are 512 bytes or a larger power of two, so a file of another length is
/// not one.
///
/// NOTE: any other file that is a whole number of 512-byte pages and is not
/// an SQLite database counts as encrypted too, because SQLCipher's header
/// is indistinguishable from random bytes. Opening it with a passphrase
/// then fails as a wrong passphrase would.
pub fn is_encrypted(path: &Path) -> anyhow::Result<bool> {
    let mut header = Vec::with_capacity(SQLITE_HEADER.len());
    match std::fs::File::open(path) {
        Ok(file) => {
            file.take(SQLITE_HEADER.len() as u64)
                .read_to_end(&mut header)
                .with_context(|| format!("reading the header of {}", path.display()))?;
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(error) => {
            return Err(error).with_context(|| format!("opening {}", path.display()));
        }
    }
    let whole_pages = std::fs::metadata(path)
        .with_context(|| format!("reading the size of {}", path.display()))?
        .len()
        % MIN_PAGE_SIZE
        == 0;
    Ok(!header.is_empty() && header.as_slice() != SQLITE_HEADER && whole_pages)
}

/// Smallest page size SQLite and SQLCipher use, in bytes.
const MIN_PAGE_SIZE: u64 = 512;

/// Opens the database at `path` with `flags`, keyed with the passphrase
/// recorded for it by [`unlock`], if any. See [`open_connection`].
pub(crate) fn open_database(path: &Path, flags: OpenFlags) -> anyhow::Result<Connection> {
    open_connection(path, flags, passphrase_for(path).as_ref())
}

/// Opens the database at `path` with `flags`, keyed with `passphrase`.
///
/// Fails before anything is written when the file is encrypted and no
/// passphrase is given, or when the passphrase is wrong. A passphrase for
/// an existing plain database fails too, so a user who believes the
/// database is encrypted learns that it is not. A missing or empty file
/// opened with a passphrase becomes an encrypted database.
pub(crate) fn open_connection(
    path: &Path,
    flags: OpenFlags,
    passphrase: Option<&Passphrase>,
) -> anyhow::Result<Connection> {
    check_key_matches(path, passphrase)?;
    let connection = Connection::open_with_flags(path, flags)
        .with_context(|| format!("opening database {}", path.display()))?;
    if let Some(passphrase) = passphrase {
        apply_key(&connection, path, passphrase)?;
    }
    Ok(connection)
}

/// Fails when the file at `path` is encrypted and `passphrase` is `None`,
/// or is a plain database and `passphrase` is set.
pub(crate) fn check_key_matches(
    path: &Path,
    passphrase: Option<&Passphrase>,
) -> anyhow::Result<()> {
    let encrypted = is_encrypted(path)?;
    if encrypted && passphrase.is_none() {
        return Err(locked_error(path));
    }
    if !encrypted && passphrase.is_some() && has_content(path) {
        anyhow::bail!(
            "database {} is not encrypted, but a passphrase was given; encrypt it with \
             `kefu encrypt`, or open it without --passphrase-file, {PASSPHRASE_FILE_ENV} \
             and {PASSPHRASE_ENV}. Nothing was changed",
            path.display()
        );
    }
    Ok(())
}

/// Returns the error for an encrypted database opened without a passphrase.
pub fn locked_error(path: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "database {} is encrypted; give its passphrase with --passphrase-file FILE, \
         {PASSPHRASE_FILE_ENV} or {PASSPHRASE_ENV}",
        path.display()
    )
}

fn has_content(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|metadata| metadata.len() > 0)
}

/// Keys `connection` with `passphrase` and reads the schema once, so a
/// wrong passphrase fails here, before anything is written.
pub(crate) fn apply_key(
    connection: &Connection,
    path: &Path,
    passphrase: &Passphrase,
) -> anyhow::Result<()> {
    connection
        .pragma_update(None, "key", passphrase.expose())
        .with_context(|| format!("setting the key of database {}", path.display()))?;
    // SQLCipher's first key in a process turns on its log to standard error,
    // which prints a failed HMAC check for each page a wrong passphrase
    // cannot decrypt. Kefu reports those failures in its own errors, so the
    // log (a process-wide setting) is turned off after the key is set.
    connection
        .query_row("PRAGMA cipher_log_level = NONE", [], |_| Ok(()))
        .context("turning off SQLCipher's log")?;
    let readable = connection.query_row("SELECT count(*) FROM sqlite_schema", [], |row| {
        row.get::<_, i64>(0)
    });
    match readable {
        Ok(_) => Ok(()),
        Err(error) if error.sqlite_error_code() == Some(ErrorCode::NotADatabase) => {
            Err(wrong_passphrase_error(path))
        }
        Err(error) => {
            Err(error).with_context(|| format!("reading encrypted database {}", path.display()))
        }
    }
}

/// Returns the error for a passphrase that does not decrypt the database
/// at `path`.
pub fn wrong_passphrase_error(path: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "wrong passphrase for database {} (or the file is damaged or not a Kefu \
         database); check the passphrase given with --passphrase-file, \
         {PASSPHRASE_FILE_ENV} or {PASSPHRASE_ENV}. Nothing was changed",
        path.display()
    )
}

/// Returns the key an `ATTACH … KEY` statement takes: the passphrase, or
/// the empty string for a plain database.
fn attach_key(passphrase: Option<&Passphrase>) -> &str {
    passphrase.map_or("", Passphrase::expose)
}
