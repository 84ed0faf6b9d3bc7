//! `backup.toml`: where automatic backups go, how often they are made and
//! how many are kept.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// Name of the backup file in the configuration folder.
pub const FILE_NAME: &str = "backup.toml";

/// Hours between automatic backups when `every-hours` is not set.
const DEFAULT_EVERY_HOURS: u32 = 24;

/// Automatic backups kept when `keep` is not set.
const DEFAULT_KEEP: usize = 7;

/// Maximum interval, in hours: one leap year.
const MAX_EVERY_HOURS: u32 = 24 * 366;

/// Most automatic backups kept.
const MAX_KEEP: usize = 10_000;

/// The file as written; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct BackupFile {
    enabled: Option<bool>,
    folder: Option<PathBuf>,
    every_hours: Option<u32>,
    keep: Option<usize>,
}

/// The automatic backup settings in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupConfig {
    /// When false, neither the app nor `kefu backup --scheduled` makes
    /// automatic backups.
    pub enabled: bool,
    /// Folder of the automatic backups.
    pub folder: PathBuf,
    /// Minimum time between two automatic backups.
    pub every: chrono::Duration,
    /// Automatic backups kept; older ones are deleted.
    pub keep: usize,
}

impl BackupConfig {
    /// Reads `backup.toml` from `config_dir`, or returns the defaults when
    /// the file does not exist. The default folder is `backups` beside the
    /// database at `db`, and a relative `folder` is taken from there too.
    pub fn load(config_dir: &Path, db: &Path) -> anyhow::Result<Self> {
        let path = config_dir.join(FILE_NAME);
        let text = match crate::desk::read_config(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(error) => {
                return Err(error).with_context(|| format!("reading {}", path.display()));
            }
        };
        Self::parse(&text, &path, db)
    }

    /// Parses and checks a backup file read from `path`, for the database
    /// at `db`.
    pub fn parse(text: &str, path: &Path, db: &Path) -> anyhow::Result<Self> {
        let file: BackupFile = toml::from_str(text).map_err(|error| {
            anyhow::anyhow!("{}: {}", path.display(), error.to_string().trim_end())
        })?;

        let db_folder = db
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let folder = match file.folder {
            Some(folder) if folder.starts_with("~") => anyhow::bail!(
                "{}: folder = {:?} starts with ~, which Kefu does not expand; \
                 write the full path, for example \"/home/lin/kefu-backups\"",
                path.display(),
                folder.display().to_string()
            ),
            Some(folder) if folder.as_os_str().is_empty() => anyhow::bail!(
                "{}: folder = \"\" is empty; write a folder path or remove the line \
                 to use {}",
                path.display(),
                db_folder.join("backups").display()
            ),
            Some(folder) => db_folder.join(folder),
            None => db_folder.join("backups"),
        };

        let every_hours = file.every_hours.unwrap_or(DEFAULT_EVERY_HOURS);
        if !(1..=MAX_EVERY_HOURS).contains(&every_hours) {
            anyhow::bail!(
                "{}: every-hours = {every_hours} is out of range; expected 1 to {MAX_EVERY_HOURS}",
                path.display()
            );
        }
        let keep = file.keep.unwrap_or(DEFAULT_KEEP);
        if !(1..=MAX_KEEP).contains(&keep) {
            anyhow::bail!(
                "{}: keep = {keep} is out of range; expected 1 to {MAX_KEEP}",
                path.display()
            );
        }
        Ok(Self {
            enabled: file.enabled.unwrap_or(true),
            folder,
            every: chrono::Duration::hours(i64::from(every_hours)),
            keep,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> anyhow::Result<BackupConfig> {
        BackupConfig::parse(
            text,
            Path::new("/etc/kefu/backup.toml"),
            Path::new("/data/kefu.db"),
        )
    }

    #[test]
    fn empty_file_gives_defaults() {
        let config = parse("").unwrap();
        assert!(config.enabled);
        assert_eq!(config.folder, Path::new("/data/backups"));
        assert_eq!(config.every, chrono::Duration::hours(24));
        assert_eq!(config.keep, 7);
    }

    #[test]
    fn relative_folder_is_beside_database() {
        let config = parse("folder = \"copies\"\nevery-hours = 6\nkeep = 3\n").unwrap();
        assert_eq!(config.folder, Path::new("/data/copies"));
        assert_eq!(config.every, chrono::Duration::hours(6));
        assert_eq!(config.keep, 3);
    }

    #[test]
    fn invalid_values_name_key_and_value() {
        let cases = [
            ("keep = 0", "keep = 0 is out of range"),
            ("every-hours = 0", "every-hours = 0 is out of range"),
            ("folder = \"~/b\"", "starts with ~"),
            ("folder = \"\"", "folder = \"\" is empty"),
            ("every_hours = 2", "unknown field `every_hours`"),
            ("keep = \"three\"", "invalid type"),
        ];
        for (text, expected) in cases {
            let error = format!("{:#}", parse(text).unwrap_err());
            assert!(error.contains("/etc/kefu/backup.toml"), "{text}: {error}");
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn broken_line_is_named() {
        let error = format!("{:#}", parse("keep = 3\nevery-hours = = 2\n").unwrap_err());
        assert!(error.contains("line 2"), "{error}");
    }
}
