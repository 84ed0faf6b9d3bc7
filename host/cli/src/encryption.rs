//! `kefu encrypt` and `kefu decrypt`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use kefu_core::encryption::{self, ConvertReport, PASSPHRASE_ENV, PASSPHRASE_FILE_ENV, Passphrase};

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
