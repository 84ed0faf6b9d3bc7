//! `kefu`: the desktop app and the command line for the same database.

mod agents;
mod args;
mod attachments;
mod backup;
mod customers;
mod demo;
mod encryption;
mod ingest;
mod intake;
mod list;
mod metrics_export;
mod outbox;
mod output;
mod phrases;
mod plugin;
mod ratings;
mod report;
mod rules;
mod serve;
mod tickets;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use args::{Cli, Command};
use kefu_core::encryption::Passphrase;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            // Errors can quote what plugins and inputs supplied.
            let message = output::printable_lines(&format!("{error:#}"));
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let db = match &cli.db {
        Some(path) => path.clone(),
        None => kefu_core::paths::default_db_path()?,
    };
    let plugin_dir = match &cli.plugins {
        Some(path) => path.clone(),
        None => kefu_core::paths::default_plugin_dir()?,
    };
    let config_dir = match &cli.config {
        Some(path) => path.clone(),
        None => kefu_core::paths::default_config_dir()?,
    };
    let passphrase = Passphrase::from_file_or_env(cli.passphrase_file.as_deref())?;
    if let Some(passphrase) = &passphrase {
        kefu_core::encryption::unlock(&db, passphrase.clone());
    }
    match cli.command.unwrap_or(Command::App) {
        Command::App => {
            open_app(db, Some(plugin_dir), Some(config_dir))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Ingest(command) => ingest::run(&db, &plugin_dir, &config_dir, command),
        Command::Watch(command) => intake::watch(&db, &plugin_dir, &config_dir, command),
        Command::Fetch(command) => intake::fetch(&db, &plugin_dir, &config_dir, command),
        Command::Conversations(options) => list::conversations(&db, &options),
        Command::Tickets(command) => tickets::run(&db, &plugin_dir, &config_dir, command),
        Command::Tasks(command) => tickets::run_tasks(&db, command),
        Command::Quarantine(options) => list::quarantine(&db, &options),
        Command::Attachments(command) => attachments::run(&db, command),
        Command::SetTier(command) => list::set_tier(&db, &config_dir, &command),
        Command::Report(command) if metrics_export::is_metrics_command(&command) => {
            metrics_export::run(&db, &config_dir, &command)
        }
        Command::Report(command) => report::run(&db, &plugin_dir, &config_dir, &command),
        Command::Ratings(command) => ratings::run(&db, &config_dir, command),
        Command::Plugin(command) => plugin::run(&db, &plugin_dir, command),
        Command::Phrases(command) => phrases::run(&db, command),
        Command::Rules(command) => rules::run(&db, &plugin_dir, &config_dir, command),
        Command::Agents(command) => agents::run(&db, &config_dir, command),
        Command::Serve(command) => serve::run(&db, &plugin_dir, &config_dir, &command),
        Command::Customers(command) => customers::run(&db, &config_dir, command),
        Command::Reply(command) => outbox::reply(&db, &plugin_dir, &config_dir, command),
        Command::Outbox(command) => outbox::run(&db, &plugin_dir, &config_dir, command),
        Command::Demo(command) => demo::run(cli.db, command),
        Command::Backup(command) => backup::run_backup(&db, &config_dir, command),
        Command::Restore(command) => backup::run_restore(&db, command),
        Command::Encrypt => encryption::run_encrypt(&db, passphrase.as_ref()),
        Command::Decrypt => encryption::run_decrypt(&db, passphrase.as_ref()),
        Command::ChangePassphrase(command) => {
            encryption::run_change_passphrase(&db, passphrase.as_ref(), &command)
        }
    }
}

/// Opens the desktop workbench on `db`, creating the database when missing,
/// with the built-in plugins and those in `plugin_dir`, when given, and
/// the lifecycle, SLA and declarative rules in `config_dir`, or the
/// built-in ones when it is `None`. A configuration file that cannot be
/// used shows as an error in the app, which then runs on the built-in
/// defaults.
pub fn open_app(
    db: PathBuf,
    plugin_dir: Option<PathBuf>,
    config_dir: Option<PathBuf>,
) -> anyhow::Result<()> {
    if !has_display() {
        anyhow::bail!(
            "no display found (DISPLAY and WAYLAND_DISPLAY are unset), so the desktop app \
             cannot open; use `kefu conversations` and `kefu tickets`, or run on a desktop"
        );
    }
    // An encrypted database without a passphrase opens on the app's unlock
    // screen instead.
    let locked = kefu_core::encryption::passphrase_for(&db).is_none()
        && kefu_core::encryption::is_encrypted(&db)?;
    if !locked {
        kefu_core::Store::open(&db)?;
    }
    kefu_ui::run(db, plugin_dir, config_dir).context("running the desktop app")
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "error",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("KEFU_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a terminal, so a log file reads as text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

/// True when a desktop session is reachable through X11 or Wayland.
pub fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()))
}
