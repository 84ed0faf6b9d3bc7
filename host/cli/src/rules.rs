//! `kefu rules`: list the rules in the order they run, check a rules file,
//! and dry-run one rule over stored history.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use kefu_core::Store;
use kefu_core::automation::declarative::Trigger;
use kefu_core::automation::dry_run::{DryRunOptions, DryRunReport, dry_run, unreplayed_events};
use kefu_core::automation::{self, RULES_FILE};
use kefu_core::desk::Desk;
use kefu_core::lifecycle::Lifecycle;
use kefu_core::plugin::{PluginSet, PluginStatus};
use serde::Serialize;

use crate::output::printable;

#[derive(Debug, Args)]
pub struct RulesCommand {
    #[command(subcommand)]
    command: RulesSubcommand,
}

#[derive(Debug, Subcommand)]
enum RulesSubcommand {
    /// List the rule plugins and the declarative rules in the order they run.
    List {
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Check a rules file and describe each rule in words.
    Check {
        /// Rules file [default: rules.toml in the configuration folder].
        file: Option<PathBuf>,
    },
    /// Replay stored messages and tickets through one rule and report what
    /// it would have done. Writes nothing.
    DryRun(DryRunCommand),
    /// Run the scheduler now: fire due rule timers and the time rules
    /// (unanswered, SLA warning and breach, waiting). Run it from cron, or
    /// with --every to keep it running.
    Tick {
        /// Keep running, ticking every SECONDS.
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
        every: Option<u64>,
        /// Print each tick's result as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
struct DryRunCommand {
    /// Name of a declarative rule, or id of a rule plugin.
    rule: String,
    /// Replay messages received and tickets opened since this time: an age
    /// such as 30d, 12h or 90m, or a day as YYYY-MM-DD (UTC).
    #[arg(long, default_value = "30d", value_name = "AGE|DAY")]
    since: String,
    /// Maximum number of example tickets to show.
    #[arg(long, default_value_t = 12, value_name = "N")]
    examples: usize,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(
    db: &Path,
    plugin_dir: &Path,
    config_dir: &Path,
    command: RulesCommand,
) -> anyhow::Result<ExitCode> {
    match command.command {
        RulesSubcommand::List { json } => list(db, plugin_dir, config_dir, json),
        RulesSubcommand::Check { file } => {
            let file = file.unwrap_or_else(|| config_dir.join(RULES_FILE));
            check(&file, &Desk::load(config_dir)?.lifecycle)
        }
        RulesSubcommand::DryRun(command) => run_dry(db, plugin_dir, config_dir, &command),
        RulesSubcommand::Tick { every, json } => tick(db, plugin_dir, config_dir, every, json),
    }
}

/// What one scheduler tick did.
#[derive(Debug, Serialize)]
struct TickOutput {
    at: DateTime<Utc>,
    time_rules_fired: usize,
    tickets_opened: usize,
    rule_failures: Vec<String>,
}

fn tick(
    db: &Path,
    plugin_dir: &Path,
    config_dir: &Path,
    every: Option<u64>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let desk = Desk::load(config_dir)?;
    let declarative = automation::load_rules(config_dir, &desk.lifecycle)?;
    let mut store = Store::open_existing(db)?;
    store.set_desk(desk);
    let mut plugins = PluginSet::load(crate::ingest::engine()?, &store, Some(plugin_dir))?;
    plugins.set_declarative_rules(declarative)?;
    loop {
        let at = Utc::now();
        let mut summary = kefu_core::ingest::IngestSummary::default();
        kefu_core::ingest::Ingestor::new(&mut store, &mut plugins)
            .fire_due_timers(at, &mut summary)?;
        let output = TickOutput {
            at,
            time_rules_fired: summary.time_rules_fired,
            tickets_opened: summary.tickets_opened,
            rule_failures: summary.rule_failures,
        };
        if json {
            crate::output::print_json(&output)?;
        } else {
            let mut text = format!(
                "{}: {}, {}\n",
                at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S"),
                count(
                    output.time_rules_fired,
                    "time rule firing",
                    "time rule firings"
                ),
                count(output.tickets_opened, "ticket opened", "tickets opened"),
            );
            for failure in &output.rule_failures {
                text.push_str(&format!("  failed: {}\n", printable(failure)));
            }
            crate::output::print(&text)?;
        }
        match every {
            Some(seconds) => std::thread::sleep(std::time::Duration::from_secs(seconds)),
            None => return Ok(ExitCode::SUCCESS),
        }
    }
}

/// One row of `kefu rules list`.
#[derive(Debug, Serialize)]
struct RuleRow {
    /// Position in the cascade, from 1; `None` for a rule that does not run.
    order: Option<usize>,
    kind: &'static str,
    name: String,
    state: String,
}

fn list(db: &Path, plugin_dir: &Path, config_dir: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let declarative = automation::load_rules(config_dir, &Desk::load(config_dir)?.lifecycle)?;
    let store = Store::open(db)?;
    let plugins = PluginSet::load(crate::ingest::engine()?, &store, Some(plugin_dir))?;

    let mut rows = Vec::new();
    for rule in &plugins.rules {
        if rule.plugin.as_declarative().is_some() {
            continue;
        }
        let kind = if rule.plugin.is_native() {
            "native plugin"
        } else {
            "plugin"
        };
        rows.push(RuleRow {
            order: Some(rows.len() + 1),
            kind,
            name: rule.plugin.id().to_string(),
            state: "running".to_string(),
        });
    }
    for entry in &plugins.entries {
        let is_rule = entry
            .manifest
            .as_ref()
            .is_some_and(|manifest| manifest.kind == kefu_core::plugin::PluginKind::Rule);
        let state = match &entry.status {
            PluginStatus::Disabled(reason) => format!("disabled: {reason}"),
            PluginStatus::Broken(reason) => format!("broken: {reason}"),
            PluginStatus::Running | PluginStatus::Replaced => continue,
        };
        if is_rule {
            rows.push(RuleRow {
                order: None,
                kind: "plugin",
                name: entry.id.clone(),
                state,
            });
        }
    }
    let mut order = rows.iter().filter(|row| row.order.is_some()).count();
    for rule in &declarative {
        let (position, state) = if rule.enabled {
            order += 1;
            (Some(order), "running".to_string())
        } else {
            (None, "disabled in rules.toml".to_string())
        };
        rows.push(RuleRow {
            order: position,
            kind: "declarative",
            name: rule.name.clone(),
            state,
        });
    }

    if json {
        crate::output::print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut lines = vec![format!("{:<3} {:<14} {:<24} STATE", "#", "KIND", "NAME")];
    for row in &rows {
        let order = row.order.map(|order| order.to_string()).unwrap_or_default();
        lines.push(format!(
            "{order:<3} {:<14} {:<24} {}",
            row.kind,
            printable(&row.name),
            printable(&row.state)
        ));
    }
    lines.push(String::new());
    crate::output::print(&lines.join("\n"))?;
    Ok(ExitCode::SUCCESS)
}

fn check(file: &Path, lifecycle: &Lifecycle) -> anyhow::Result<ExitCode> {
    let rules = automation::read_rules(file, lifecycle)?;
    let mut lines = vec![format!(
        "{}: {}, all valid",
        file.display(),
        count(rules.len(), "rule", "rules")
    )];
    for rule in &rules {
        let state = if rule.enabled { "" } else { " (disabled)" };
        lines.push(String::new());
        lines.push(format!(
            "rule {} (line {}){state}",
            printable(&rule.name),
            rule.line
        ));
        for line in rule.describe() {
            lines.push(format!("  {}", printable(&line)));
        }
    }
    lines.push(String::new());
    crate::output::print(&lines.join("\n"))?;
    Ok(ExitCode::SUCCESS)
}

/// Report of `kefu rules dry-run --json`.
#[derive(Debug, Serialize)]
struct DryRunOutput<'r> {
    rule: &'r str,
    kind: &'static str,
    since: DateTime<Utc>,
    /// Events the rule may react to that the dry run did not replay.
    not_replayed: Vec<&'static str>,
    #[serde(flatten)]
    report: &'r DryRunReport,
}

/// Events a rule plugin may react to that a dry run does not replay.
const PLUGIN_NOT_REPLAYED: [&str; 2] = ["ticket-updated", "timer-fired"];

fn run_dry(
    db: &Path,
    plugin_dir: &Path,
    config_dir: &Path,
    command: &DryRunCommand,
) -> anyhow::Result<ExitCode> {
    let since = parse_since(&command.since, Utc::now())?;
    let options = DryRunOptions {
        since,
        examples: command.examples,
    };
    let desk = Desk::load(config_dir)?;
    let lifecycle = &desk.lifecycle;
    let declarative = automation::load_rules(config_dir, lifecycle)?;
    let (kind, not_replayed, report) =
        match declarative.iter().find(|rule| rule.name == command.rule) {
            Some(rule) => {
                let not_replayed: Vec<&str> = unreplayed_events(rule)?
                    .into_iter()
                    .map(Trigger::name)
                    .collect();
                let report = dry_run(
                    db,
                    &mut |event, at| Ok(rule.evaluate(event, at)),
                    &options,
                    lifecycle,
                )?;
                ("declarative", not_replayed, report)
            }
            None => (
                "plugin",
                PLUGIN_NOT_REPLAYED.to_vec(),
                dry_run_plugin(db, plugin_dir, command, &options, lifecycle)?,
            ),
        };

    let output = DryRunOutput {
        rule: &command.rule,
        kind,
        since,
        not_replayed,
        report: &report,
    };
    if command.json {
        crate::output::print_json(&output)?;
        return Ok(ExitCode::SUCCESS);
    }
    crate::output::print(&format_report(&output))?;
    Ok(ExitCode::SUCCESS)
}

/// Dry-runs a rule plugin. Its storage starts as saved, and its changes
/// during the replay are dropped.
fn dry_run_plugin(
    db: &Path,
    plugin_dir: &Path,
    command: &DryRunCommand,
    options: &DryRunOptions,
    lifecycle: &Lifecycle,
) -> anyhow::Result<DryRunReport> {
    let store = Store::open_existing(db)?;
    let mut plugins = PluginSet::load(crate::ingest::engine()?, &store, Some(plugin_dir))?;
    drop(store);
    let Some(index) = plugins
        .rules
        .iter()
        .position(|rule| rule.plugin.id() == command.rule)
    else {
        let known: Vec<String> = plugins
            .rules
            .iter()
            .map(|rule| rule.plugin.id().to_string())
            .collect();
        anyhow::bail!(
            "no rule in rules.toml and no running rule plugin is named {:?}; `kefu rules \
             list` shows every rule (running rule plugins: {})",
            command.rule,
            known.join(", ")
        );
    };
    let rule = &mut plugins.rules[index].plugin;
    dry_run(
        db,
        &mut |event, _| Ok(rule.on_event(event)?),
        options,
        lifecycle,
    )
}

fn format_report(output: &DryRunOutput<'_>) -> String {
    let report = output.report;
    let mut lines = vec![
        format!(
            "Dry run of {} rule {} since {} (nothing was written)",
            output.kind,
            printable(output.rule),
            output.since.format("%Y-%m-%d %H:%M UTC")
        ),
        format!(
            "Examined {} on {}.",
            count(report.events_examined, "event", "events"),
            count(report.tickets_examined, "ticket", "tickets")
        ),
    ];
    if !output.not_replayed.is_empty() {
        let subject = if output.kind == "plugin" {
            "the plugin"
        } else {
            "the rule"
        };
        lines.push(format!(
            "Not replayed: {} events. Changes {subject} would make on them are not counted.",
            output.not_replayed.join(" and ")
        ));
    }
    if report.actions.is_empty() {
        lines.push("The rule would have changed nothing.".to_string());
    }
    for action in &report.actions {
        lines.push(format!(
            "Would {} on {} ({})",
            printable(&action.action),
            count(action.tickets, "ticket", "tickets"),
            count(action.times, "time", "times")
        ));
    }
    if !report.examples.is_empty() {
        lines.push(String::new());
        lines.push("Examples:".to_string());
    }
    for example in &report.examples {
        let ticket = match example.ticket_id {
            Some(id) => format!("ticket {id}"),
            None => format!("conversation {}", example.conversation_id),
        };
        let subject = example.subject.as_deref().unwrap_or("(no subject)");
        let subject: String = subject.chars().take(60).collect();
        lines.push(format!(
            "  {ticket}  {}  {}  {}",
            example.at.format("%Y-%m-%d %H:%M"),
            example.event,
            printable(&subject)
        ));
        lines.push(format!("    {}", printable(&example.actions.join("; "))));
    }
    lines.push(String::new());
    lines.join("\n")
}

/// Writes `number` with the singular or plural noun it takes, such as
/// "1 rule" or "2 rules".
fn count(number: usize, singular: &str, plural: &str) -> String {
    let noun = if number == 1 { singular } else { plural };
    format!("{number} {noun}")
}

/// Parses `--since`: an age such as `30d`, `12h` or `90m` before `now`, or
/// a day as `YYYY-MM-DD`, meaning its start in UTC.
fn parse_since(text: &str, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
    }
    let invalid = || {
        anyhow::anyhow!(
            "invalid --since {text:?}; expected an age such as 30d, 12h or 90m, or a day such \
             as 2025-01-31"
        )
    };
    let unit = text.chars().last().ok_or_else(invalid)?;
    let number: i64 = text[..text.len() - unit.len_utf8()]
        .parse()
        .map_err(|_| invalid())?;
    let age = match unit {
        'm' => chrono::Duration::try_minutes(number),
        'h' => chrono::Duration::try_hours(number),
        'd' => chrono::Duration::try_days(number),
        _ => None,
    }
    .filter(|age| *age >= chrono::Duration::zero())
    .ok_or_else(invalid)?;
    now.checked_sub_signed(age).ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_accepts_ages_and_days() {
        let now = DateTime::parse_from_rfc3339("2025-03-31T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            parse_since("30d", now).unwrap().to_rfc3339(),
            "2025-03-01T12:00:00+00:00"
        );
        assert_eq!(
            parse_since("2h", now).unwrap().to_rfc3339(),
            "2025-03-31T10:00:00+00:00"
        );
        assert_eq!(
            parse_since("2025-01-02", now).unwrap().to_rfc3339(),
            "2025-01-02T00:00:00+00:00"
        );
        assert!(parse_since("30 days", now).is_err());
        assert!(parse_since("-3d", now).is_err());
        assert!(parse_since("", now).is_err());
    }
}
