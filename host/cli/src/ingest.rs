//! `kefu ingest`: import files and folders with a progress bar and a summary.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};
use kefu_core::Store;
use kefu_core::automation::DeclarativeRule;
use kefu_core::desk::Desk;
use kefu_core::ingest::{IngestSummary, Ingestor, Progress};
use kefu_core::plugin::{PluginEngine, PluginSet};

use crate::args::IngestCommand;
use crate::output::printable;

pub fn run(
    db: &Path,
    plugin_dir: &Path,
    config_dir: &Path,
    command: IngestCommand,
) -> anyhow::Result<ExitCode> {
    // A broken configuration file stops the import before anything is
    // stored.
    let desk = Desk::load(config_dir)?;
    let rules = kefu_core::automation::load_rules(config_dir, &desk.lifecycle)?;
    let summary = ingest_with_rules(db, Some(plugin_dir), desk, rules, &command.paths)?;
    if command.json {
        crate::output::print_json(&summary)?;
    } else {
        crate::output::print(&format_summary(&summary))?;
    }
    // Quarantined input is stored and can be retried; input not read at
    // all is not, so scripts learn about it from the exit code.
    if summary.not_read.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

/// Imports `paths` into the database at `db` through the built-in plugins
/// and those in `plugin_dir`.
pub fn ingest(
    db: &Path,
    plugin_dir: Option<&Path>,
    paths: &[PathBuf],
) -> anyhow::Result<IngestSummary> {
    ingest_with_rules(db, plugin_dir, Desk::builtin(), Vec::new(), paths)
}

/// Imports `paths` like [`ingest`], with tickets following `desk` and the
/// declarative `rules` running after the rule plugins.
pub fn ingest_with_rules(
    db: &Path,
    plugin_dir: Option<&Path>,
    desk: Arc<Desk>,
    rules: Vec<DeclarativeRule>,
    paths: &[PathBuf],
) -> anyhow::Result<IngestSummary> {
    let (mut store, mut plugins) = open_for_ingest(db, plugin_dir, desk, rules)?;
    let mut progress = BarProgress::default();
    Ingestor::new(&mut store, &mut plugins).ingest_paths(paths, &mut progress)
}

/// Opens the database at `db` with `desk`, and loads the built-in plugins,
/// those in `plugin_dir` and the declarative `rules`, warning on standard
/// error about plugins that did not load.
pub fn open_for_ingest(
    db: &Path,
    plugin_dir: Option<&Path>,
    desk: Arc<Desk>,
    rules: Vec<DeclarativeRule>,
) -> anyhow::Result<(Store, PluginSet)> {
    let mut store = Store::open(db)?;
    store.set_desk(desk);
    let mut plugins = PluginSet::load(engine()?, &store, plugin_dir)?;
    plugins.set_declarative_rules(rules)?;
    for entry in &plugins.entries {
        if let kefu_core::plugin::PluginStatus::Broken(reason) = &entry.status {
            eprintln!(
                "warning: plugin {} not loaded: {}",
                printable(&entry.id),
                printable(reason)
            );
        }
    }
    Ok((store, plugins))
}

/// Creates the plugin engine, with the user's compile cache when there is one.
pub fn engine() -> anyhow::Result<PluginEngine> {
    let engine = PluginEngine::new()?;
    Ok(match kefu_core::paths::plugin_cache_dir() {
        Ok(folder) => engine.with_cache(folder),
        Err(error) => {
            tracing::warn!("compiling plugins without a cache: {error:#}");
            engine
        }
    })
}

/// Formats an import summary for people.
pub fn format_summary(summary: &IngestSummary) -> String {
    let mut lines = vec![
        format!("Inputs read:          {}", summary.inputs),
        format!("  already imported:   {}", summary.duplicate_inputs),
        format!("Messages stored:      {}", summary.messages_stored),
    ];
    for (adapter, count) in &summary.messages_by_adapter {
        lines.push(format!("  by {adapter:<17} {count}"));
    }
    lines.extend([
        format!("Duplicates skipped:   {}", summary.duplicate_messages),
        format!("New conversations:    {}", summary.conversations_created),
        format!("New customers:        {}", summary.customers_created),
        format!("Tickets opened:       {}", summary.tickets_opened),
        format!("Callback tasks:       {}", summary.callback_tasks),
    ]);
    if summary.ratings_stored > 0 {
        lines.push(format!("Ratings stored:       {}", summary.ratings_stored));
    }
    lines.push(format!(
        "Quarantined:          {}",
        summary.quarantined.len()
    ));
    for entry in &summary.quarantined {
        lines.push(format!(
            "  {}: {}",
            printable(&entry.source),
            printable(&entry.reason)
        ));
    }
    if !summary.without_messages.is_empty() {
        lines.push(format!(
            "Read, no messages:    {} (stored; for example status-change events)",
            summary.without_messages.len()
        ));
        for source in &summary.without_messages {
            lines.push(format!("  {}", printable(source)));
        }
    }
    if !summary.not_read.is_empty() {
        lines.push(format!("Not read:             {}", summary.not_read.len()));
        for entry in &summary.not_read {
            lines.push(format!(
                "  {}: {}",
                printable(&entry.source),
                printable(&entry.reason)
            ));
        }
    }
    if !summary.rule_failures.is_empty() {
        lines.push(format!(
            "Rule failures:        {}",
            summary.rule_failures.len()
        ));
        for failure in &summary.rule_failures {
            lines.push(format!("  {}", printable(failure)));
        }
    }
    lines.push(String::new());
    lines.join("\n")
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
