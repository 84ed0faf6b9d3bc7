//! `kefu encrypt`, `kefu decrypt` and `kefu change-passphrase`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use kefu_core::encryption::{self, ConvertReport, PASSPHRASE_ENV, PASSPHRASE_FILE_ENV, Passphrase};

use crate::args::ChangePassphraseCommand;
use crate::output::print;

pub fn run_encrypt(db: &Path, passphrase: Option<&Passphrase>) -> anyhow::Result<ExitCode> {
    let passphrase = passphrase.with_context(|| missing_passphrase("encrypt the database with"))?;
    let report = encryption::encrypt(db, passphrase)?;
    print(&format!(
        "encrypted {}\nfrom now on, give its passphrase with --passphrase-file, \
         {PASSPHRASE_FILE_ENV} or {PASSPHRASE_ENV}; backups made before now are not encrypted\n",
        describe(&report)
    ))?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_decrypt(db: &Path, passphrase: Option<&Passphrase>) -> anyhow::Result<ExitCode> {
    let passphrase = passphrase.with_context(|| missing_passphrase("decrypt the database with"))?;
    let report = encryption::decrypt(db, passphrase)?;
    print(&format!("decrypted {}\n", describe(&report)))?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_change_passphrase(
    db: &Path,
    current: Option<&Passphrase>,
    command: &ChangePassphraseCommand,
) -> anyhow::Result<ExitCode> {
    let current = current.with_context(|| missing_passphrase("unlock the database with"))?;
    let new = Passphrase::from_file(&command.new_passphrase_file)?;
    let report = encryption::change_passphrase(db, current, &new)?;
    print(&format!(
        "changed the passphrase of {}\nfrom now on, give the new passphrase; \
         backups made before now still need the old one\n",
        describe(&report)
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn missing_passphrase(purpose: &str) -> String {
    format!(
        "no passphrase given; pass a file whose first line is the passphrase to {purpose} \
         with --passphrase-file FILE, or set {PASSPHRASE_FILE_ENV} or {PASSPHRASE_ENV}"
    )
}

fn describe(report: &ConvertReport) -> String {
    format!(
        "{} ({} rows, {} bytes, schema version {}, {:.2} s)",
        report.path.display(),
        report.rows,
        report.bytes,
        report.schema_version,
        report.elapsed.as_secs_f64()
    )
}
