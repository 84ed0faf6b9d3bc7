//! `kefu backup FILE`, `kefu backup --scheduled` and `kefu restore FILE`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use kefu_core::backup::{self, BackupConfig, BackupReport, ScheduledBackup};

use crate::output::print;

#[derive(Debug, Args)]
pub struct BackupCommand {
    /// File to write the backup to; it must not exist yet.
    #[arg(value_name = "FILE", required_unless_present = "scheduled")]
    pub file: Option<PathBuf>,

    /// Make an automatic backup as set in backup.toml (folder, every-hours,
    /// keep) when one is due, and delete the oldest beyond keep. For cron:
    /// run it hourly and it backs up only as often as every-hours sets.
    #[arg(long, conflicts_with = "file")]
    pub scheduled: bool,

    /// With --scheduled, make a backup now even when none is due or
    /// enabled = false.
    #[arg(long, requires = "scheduled")]
    pub now: bool,
}

#[derive(Debug, Args)]
pub struct RestoreCommand {
    /// Backup file to restore, made by `kefu backup`.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

pub fn run_backup(
    db: &Path,
    config_dir: &Path,
    command: BackupCommand,
) -> anyhow::Result<ExitCode> {
    if let Some(file) = command.file {
        let report = backup::backup(db, &file)?;
        print(&format!("{}\n", describe(&report)))?;
        return Ok(ExitCode::SUCCESS);
    }
    let config = BackupConfig::load(config_dir, db)?;
    match backup::run_scheduled(db, &config, chrono::Utc::now(), command.now)? {
        ScheduledBackup::Disabled => print(&format!(
            "automatic backups are off (enabled = false in {}); add --now to make one anyway\n",
            config_dir.join(backup::FILE_NAME).display()
        ))?,
        ScheduledBackup::NotDue { newest, due_at } => print(&format!(
            "no backup due: the newest is {}; the next is due at {}\n",
            newest.display(),
            due_at
                .with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
        ))?,
        ScheduledBackup::Made { report, deleted } => {
            let mut text = format!("{}\n", describe(&report));
            for path in deleted {
                text.push_str(&format!("deleted old backup {}\n", path.display()));
            }
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_restore(db: &Path, command: RestoreCommand) -> anyhow::Result<ExitCode> {
    let report = backup::restore(db, &command.file)?;
    let mut text = format!(
        "restored {} into {} (schema version {}",
        command.file.display(),
        db.display(),
        report.backup_schema_version
    );
    if report.schema_version != report.backup_schema_version {
        text.push_str(&format!(", upgraded to {}", report.schema_version));
    }
    text.push_str(")\n");
    if let Some(replaced) = &report.replaced {
        text.push_str(&format!(
            "the database it replaced is kept as {}\n",
            replaced.display()
        ));
    }
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn describe(report: &BackupReport) -> String {
    format!(
        "backed up to {} ({}{} bytes, schema version {}, {:.2} s)",
        report.path.display(),
        if report.encrypted { "encrypted, " } else { "" },
        report.bytes,
        report.schema_version,
        report.elapsed.as_secs_f64()
    )
}
