//! Live intake: drop folders watched for new files and IMAP accounts
//! fetched for unseen mail, both feeding the ingest pipeline.
//!
//! Both follow one order: the raw input is stored and ingested in one
//! transaction, and only after that commit is it acknowledged at its
//! source (moved out of the drop folder, flagged `\Seen` on the server).
//! A crash in between leaves the input unacknowledged, and the next run
//! finds its bytes already imported, so it is never stored twice.

use std::time::Instant;

use crate::ingest::Ingestor;

pub mod config;
mod connection;
pub mod drop_folder;
pub mod idle;
pub mod imap;

pub use config::{ImapAccount, IntakeConfig};
pub use drop_folder::{DropFolder, ScanReport};
pub use idle::{IdleStatus, IdleWatch, WatchedAccount};
pub use imap::{FetchReport, fetch_account};

/// The drop folders and IMAP accounts of `intake.toml`, run together by a
/// background loop such as the desktop app's. Each call to
/// [`Intake::run_due`] scans every drop folder and fetches the accounts
/// that are due: announced new mail over IMAP IDLE, or a passed poll
/// interval while no IDLE connection runs.
#[derive(Debug, Default)]
pub struct Intake {
    folders: Vec<DropFolder>,
    accounts: Vec<WatchedAccount>,
}

/// Counts and problems of one [`Intake::run_due`].
#[derive(Debug, Clone, Default)]
pub struct IntakePass {
    /// Files taken out of the drop folders.
    pub files: usize,
    /// IMAP accounts fetched.
    pub fetched_accounts: usize,
    /// Messages stored from files and mail.
    pub messages_stored: usize,
    /// One line per file or mail left in place and per failed fetch.
    pub problems: Vec<String>,
}

impl Intake {
    /// Prepares the drop folders and accounts of `config` and starts one
    /// IMAP IDLE watcher thread per account. A drop folder that cannot be
    /// opened is left out, with one error line each.
    pub fn new(config: IntakeConfig) -> (Self, Vec<String>) {
        let mut errors = Vec::new();
        let mut folders = Vec::new();
        for entry in config.drop_folders {
            match DropFolder::open(&entry.path) {
                Ok(folder) => folders.push(folder),
                Err(error) => errors.push(format!("{error:#}")),
            }
        }
        let now = Instant::now();
        let accounts = config
            .imap_accounts
            .into_iter()
            .map(|account| WatchedAccount::new(account, true, now))
            .collect();
        (Self { folders, accounts }, errors)
    }

    /// Returns the IMAP accounts with their schedules and IDLE watchers.
    pub fn accounts(&self) -> &[WatchedAccount] {
        &self.accounts
    }

    /// True when there is no drop folder and no account to run.
    pub fn is_empty(&self) -> bool {
        self.folders.is_empty() && self.accounts.is_empty()
    }

    /// Scans every drop folder and fetches each account that is due at
    /// `now`. Problems are collected, never raised, so one broken folder or
    /// server does not stop the others.
    pub fn run_due(&mut self, ingestor: &mut Ingestor<'_>, now: Instant) -> IntakePass {
        let mut pass = IntakePass::default();
        for folder in &mut self.folders {
            match folder.scan(ingestor) {
                Ok(report) => {
                    pass.files += report.processed.len();
                    for processed in &report.processed {
                        pass.messages_stored += processed.summary.messages_stored;
                    }
                    for left in report.left {
                        pass.problems
                            .push(format!("{}: {}", left.source, left.reason));
                    }
                }
                Err(error) => pass.problems.push(format!("{error:#}")),
            }
        }
        for watched in &mut self.accounts {
            if !watched.take_due(now) {
                continue;
            }
            pass.fetched_accounts += 1;
            match fetch_account(&watched.account, ingestor) {
                Ok(report) => {
                    pass.messages_stored += report.summary.messages_stored;
                    for failed in report.failed {
                        pass.problems
                            .push(format!("{}: {}", failed.source, failed.reason));
                    }
                }
                Err(error) => pass.problems.push(format!("{error:#}")),
            }
        }
        pass
    }
}
