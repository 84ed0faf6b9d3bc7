//! `kefu demo`: import the sample inputs into a demo database and show them.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};

use crate::args::{DemoCommand, ListOptions};

/// Sample folders imported by the demo, relative to the samples folder.
const SAMPLE_FOLDERS: &[&str] = &["email", "chat", "phone"];

pub fn run(db: Option<PathBuf>, command: DemoCommand) -> anyhow::Result<ExitCode> {
    let samples = match command.samples {
        Some(folder) => folder,
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures")),
    };
    if !samples.is_dir() {
        bail!(
            "sample folder {} not found; pass --samples DIR with email/, chat/ and phone/ inside",
            samples.display()
        );
    }
    let db = match db {
        Some(path) => path,
        None => kefu_core::paths::default_db_path()?.with_file_name("demo.db"),
    };
    let paths: Vec<PathBuf> = SAMPLE_FOLDERS
        .iter()
        .map(|folder| samples.join(folder))
        .filter(|folder| folder.is_dir())
        .collect();
    crate::output::print(&format!(
        "Importing {} into {}\n",
        samples.display(),
        db.display()
    ))?;
    let summary = crate::ingest::ingest(&db, None, &paths)
        .with_context(|| format!("importing the samples in {}", samples.display()))?;
    crate::output::print(&crate::ingest::format_summary(&summary))?;

    if !command.no_app && crate::has_display() {
        // The samples were imported with the built-in plugins, lifecycle
        // and SLA alone, so the app runs on those, with no plugins folder
        // and no declarative rules from the user's configuration folder.
        crate::open_app(db, None, None)?;
        return Ok(ExitCode::SUCCESS);
    }
    if !command.no_app {
        crate::output::print(
            "\nNo display found (DISPLAY and WAYLAND_DISPLAY are unset); showing tables.\n",
        )?;
    }
    crate::output::print("\n")?;
    crate::list::conversations(&db, &ListOptions { json: false })?;
    crate::output::print("\n")?;
    crate::tickets::print_all(&db)
}
