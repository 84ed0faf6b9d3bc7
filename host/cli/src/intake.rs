//! `kefu watch` and `kefu fetch`: live intake from drop folders and IMAP
//! accounts, configured on the command line and in intake.toml.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use kefu_core::desk::Desk;
use kefu_core::ingest::Ingestor;
use kefu_core::intake::{self, DropFolder, FetchReport, IntakeConfig, ScanReport, WatchedAccount};

use crate::output::printable;

#[derive(Debug, Args)]
pub struct WatchCommand {
    /// Drop folders to watch: Maildir folders or folders of .eml, .json,
    /// .jsonl and .csv files. The [[drop-folder]] entries of intake.toml
    /// are watched too.
    #[arg(value_name = "DIR")]
    pub folders: Vec<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct FetchCommand {
    /// Fetch only the [[imap]] account of intake.toml with this name.
    #[arg(long, value_name = "NAME")]
    pub account: Option<String>,

    /// Keep running until Ctrl-C: fetch each account as soon as its server
    /// announces new mail over IMAP IDLE, or after its
    /// poll-interval-seconds where the server offers no IDLE.
    #[arg(long)]
    pub watch: bool,

    /// Print each account's result as one line of JSON.
    #[arg(long)]
    pub json: bool,
}

/// Returns a flag that turns true on Ctrl-C (SIGINT) or SIGTERM, so the
/// loops finish the input in hand, commit it and stop.
fn stop_flag() -> anyhow::Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    let handler_stop = Arc::clone(&stop);
    ctrlc::set_handler(move || handler_stop.store(true, Ordering::SeqCst))
        .context("installing the Ctrl-C handler")?;
    Ok(stop)
}

pub fn watch(
    db: &Path,
    plugin_dir: &Path,
    config_dir: &Path,
    command: WatchCommand,
) -> anyhow::Result<ExitCode> {
    let desk = Desk::load(config_dir)?;
    let rules = kefu_core::automation::load_rules(config_dir, &desk.lifecycle)?;
    let config = IntakeConfig::load(config_dir)?;

    let paths: Vec<_> = command
        .folders
        .into_iter()
        .chain(config.drop_folders.into_iter().map(|folder| folder.path))
        .collect();
    if paths.is_empty() {
        anyhow::bail!(
            "no drop folder to watch; pass one or more folders, or add [[drop-folder]] entries \
             with a path to {}",
            config_dir.join(intake::config::FILE_NAME).display()
        );
    }
    let mut folders = paths
        .iter()
        .map(|path| DropFolder::open(path))
        .collect::<anyhow::Result<Vec<_>>>()?;

    let stop = stop_flag()?;
    let (mut store, mut plugins) =
        crate::ingest::open_for_ingest(db, Some(plugin_dir), desk, rules)?;
    eprintln!(
        "Watching {} drop folder(s); press Ctrl-C to stop.",
        folders.len()
    );

    let mut left = 0;
    let mut ingestor = Ingestor::new(&mut store, &mut plugins);
    intake::drop_folder::watch(&mut folders, &mut ingestor, &stop, |_, report| {
        left += report.left.len();
        print_scan(report);
    })?;
    eprintln!("Stopped.");
    Ok(if left == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_scan(report: &ScanReport) {
    for processed in &report.processed {
        let summary = &processed.summary;
        let outcome = if summary.duplicate_inputs > 0 {
            "already imported".to_string()
        } else if let Some(entry) = summary.quarantined.first() {
            format!("quarantined: {}", entry.reason)
        } else {
            format!("{} message(s) stored", summary.messages_stored)
        };
        println!(
            "{} -> {}: {}",
            printable(&processed.file.display().to_string()),
            printable(&processed.moved_to.display().to_string()),
            printable(&outcome)
        );
    }
    for entry in &report.left {
        eprintln!("{}: {}", printable(&entry.source), printable(&entry.reason));
    }
}

pub fn fetch(
    db: &Path,
    plugin_dir: &Path,
    config_dir: &Path,
    command: FetchCommand,
) -> anyhow::Result<ExitCode> {
    let desk = Desk::load(config_dir)?;
    let rules = kefu_core::automation::load_rules(config_dir, &desk.lifecycle)?;
    let config = IntakeConfig::load(config_dir)?;
    let file = config_dir.join(intake::config::FILE_NAME);
    let mut accounts = config.imap_accounts;
    if let Some(name) = &command.account {
        let known: Vec<String> = accounts
            .iter()
            .map(|account| account.name.clone())
            .collect();
        accounts.retain(|account| &account.name == name);
        if accounts.is_empty() {
            anyhow::bail!(
                "no [[imap]] account named {name:?} in {}; the accounts are: {}",
                file.display(),
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            );
        }
    }
    if accounts.is_empty() {
        anyhow::bail!(
            "no IMAP account to fetch; add an [[imap]] entry to {} (see docs/intake.md)",
            file.display()
        );
    }
    let stop = if command.watch {
        Some(stop_flag()?)
    } else {
        None
    };
    let (mut store, mut plugins) =
        crate::ingest::open_for_ingest(db, Some(plugin_dir), desk, rules)?;
    let mut ingestor = Ingestor::new(&mut store, &mut plugins);

    let mut all_ok = true;
    let start = Instant::now();
    let mut accounts: Vec<WatchedAccount> = accounts
        .into_iter()
        .map(|account| WatchedAccount::new(account, command.watch, start))
        .collect();
    loop {
        for watched in &mut accounts {
            if !watched.take_due(Instant::now()) {
                continue;
            }
            match intake::fetch_account(&watched.account, &mut ingestor) {
                Ok(report) => {
                    all_ok &= report.failed.is_empty();
                    print_fetch(&report, command.json)?;
                }
                Err(error) => {
                    all_ok = false;
                    eprintln!("error: {}", printable(&format!("{error:#}")));
                }
            }
        }
        let Some(stop) = &stop else { break };
        // Sleep in short steps, so Ctrl-C stops the loop at once.
        while !stop.load(Ordering::SeqCst)
            && !accounts
                .iter()
                .any(|watched| watched.is_due(Instant::now()))
        {
            std::thread::sleep(Duration::from_millis(200));
        }
        if stop.load(Ordering::SeqCst) {
            eprintln!("Stopped.");
            break;
        }
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_fetch(report: &FetchReport, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
        return Ok(());
    }
    let mut text = format!(
        "Account {}: {} unseen, {} flagged seen\n",
        printable(&report.account),
        report.unseen,
        report.flagged
    );
    text.push_str(&crate::ingest::format_summary(&report.summary));
    if !report.failed.is_empty() {
        text.push_str(&format!("Left unseen:          {}\n", report.failed.len()));
        for entry in &report.failed {
            text.push_str(&format!(
                "  {}: {}\n",
                printable(&entry.source),
                printable(&entry.reason)
            ));
        }
    }
    crate::output::print(&text)
}
