//! `kefu demo`: generate a history of demo data on request, import the
//! sample inputs into a demo database and show them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use kefu_core::Store;
use kefu_core::demo::{self, DemoOptions, DemoSummary};

use crate::args::{DemoCommand, ListOptions};

/// Sample folders imported by the demo, relative to the samples folder.
const SAMPLE_FOLDERS: &[&str] = &["email", "chat", "phone"];

pub fn run(db: Option<PathBuf>, command: DemoCommand) -> anyhow::Result<ExitCode> {
    let samples = match command.samples.clone() {
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
    let generated = match generate_options(&command, &db)? {
        Some(options) => Some(generate(&db, &options)?),
        None => None,
    };
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
    if generated.is_some() {
        // Tables of a generated history would run to thousands of lines.
        crate::output::print(&format!(
            "`kefu --db {} tickets` lists the tickets; `kefu --db {} report --period YYYY-MM` \
             reports on them.\n",
            db.display(),
            db.display()
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    crate::output::print("\n")?;
    crate::list::conversations(&db, &ListOptions { json: false })?;
    crate::output::print("\n")?;
    crate::tickets::print_all(&db)
}

/// Returns what to generate, or `None` when neither --customers nor --days
/// is given.
fn generate_options(command: &DemoCommand, db: &Path) -> anyhow::Result<Option<DemoOptions>> {
    if command.customers.is_none() && command.days.is_none() {
        if command.tickets.is_some() || command.end.is_some() {
            bail!("--tickets and --end apply to generated data; add --customers N or --days D");
        }
        return Ok(None);
    }
    let customers = command.customers.unwrap_or(demo::DEFAULT_CUSTOMERS);
    let days = command.days.unwrap_or(demo::DEFAULT_DAYS);
    let time_zone = kefu_core::desk::Desk::builtin().sla.calendar().time_zone();
    let end_day = match command.end {
        Some(day) => day,
        None => Utc::now().with_timezone(&time_zone).date_naive(),
    };
    let end = demo::start_of_day(end_day, time_zone).context("--end")?;
    let mut options = DemoOptions::new(customers, days, command.seed, end);
    if let Some(tickets) = command.tickets {
        options.tickets = tickets;
        options.agents = options.default_agents();
    }
    crate::output::print(&format!(
        "Generating {} customers and {} tickets over the {days} days before {end_day} \
         (seed {}) into {}\n",
        options.customers,
        options.tickets,
        options.seed,
        db.display()
    ))?;
    Ok(Some(options))
}

/// Generates the demo history into `db` with a progress bar on standard
/// error, and prints what it stored.
fn generate(db: &Path, options: &DemoOptions) -> anyhow::Result<DemoSummary> {
    let mut store = Store::open(db)?;
    let bar = ProgressBar::new(u64::from(options.tickets));
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} tickets {elapsed}") {
        bar.set_style(style);
    }
    let summary = kefu_core::demo::generate(&mut store, options, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    });
    bar.finish_and_clear();
    let summary = summary.with_context(|| format!("generating demo data into {}", db.display()))?;
    crate::output::print(&format!(
        "Customers:  {} ({} VIP)\nAgents:     {}\nTickets:    {} ({} resolved or closed, {} \
         reopened)\nMessages:   {}\nRatings:    {}\n\n",
        summary.customers,
        summary.vip_customers,
        summary.agents,
        summary.tickets,
        summary.finished,
        summary.reopened,
        summary.messages,
        summary.ratings,
    ))?;
    Ok(summary)
}
