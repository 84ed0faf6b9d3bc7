//! `kefu ingest`: import files and folders with a progress bar and a summary.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use kefu_core::Store;
use kefu_core::ingest::{IngestSummary, Ingestor, Progress};
use kefu_core::plugin::PluginSet;

use crate::args::IngestCommand;

pub fn run(db: &Path, command: IngestCommand) -> anyhow::Result<ExitCode> {
    let summary = ingest(db, &command.paths)?;
    if command.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_summary(&summary);
    }
    Ok(ExitCode::SUCCESS)
}

/// Imports `paths` into the database at `db` through the built-in plugins.
pub fn ingest(db: &Path, paths: &[PathBuf]) -> anyhow::Result<IngestSummary> {
    let mut store = Store::open(db)?;
    let mut plugins = PluginSet::builtin()?;
    let mut progress = BarProgress::default();
    Ingestor::new(&mut store, &mut plugins).ingest_paths(paths, &mut progress)
}

/// Prints an import summary for people.
pub fn print_summary(summary: &IngestSummary) {
    println!("Inputs read:          {}", summary.inputs);
    println!("  already imported:   {}", summary.duplicate_inputs);
    println!("Messages stored:      {}", summary.messages_stored);
    for (adapter, count) in &summary.messages_by_adapter {
        println!("  by {adapter:<17} {count}");
    }
    println!("Duplicates skipped:   {}", summary.duplicate_messages);
    println!("New conversations:    {}", summary.conversations_created);
    println!("New customers:        {}", summary.customers_created);
    println!("Tickets opened:       {}", summary.tickets_opened);
    println!("Quarantined:          {}", summary.quarantined.len());
    for entry in &summary.quarantined {
        println!("  {}: {}", entry.source, entry.reason);
    }
    if !summary.rule_failures.is_empty() {
        println!("Rule failures:        {}", summary.rule_failures.len());
        for failure in &summary.rule_failures {
            println!("  {failure}");
        }
    }
}

/// Progress bar on standard error, shown only for imports of more than a
/// few inputs and only on a terminal.
#[derive(Default)]
struct BarProgress {
    bar: Option<ProgressBar>,
}

impl Progress for BarProgress {
    fn begin(&mut self, inputs: usize) {
        if inputs < 10 {
            return;
        }
        let bar = ProgressBar::new(inputs as u64);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} inputs {wide_msg}") {
            bar.set_style(style);
        }
        self.bar = Some(bar);
    }

    fn input_done(&mut self, source: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(source.to_string());
            bar.inc(1);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
