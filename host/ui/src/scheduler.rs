//! The scheduler: while the window is open, time passes for the ticket
//! engine. Every [`SCHEDULER_INTERVAL`] it fires the rule timers that are
//! due and the time rules (unanswered, SLA warning and breach, waiting)
//! through the loaded plugin set, then sends the outbox entries that are
//! due, and makes the automatic backup of `backup.toml` when one is due, on
//! a background thread.
//!
//! At most one run is in progress at a time: a timer tick that arrives
//! while a run is in progress is skipped. Each time rule fires once per
//! ticket state, however often the scheduler runs, so a skipped or late
//! tick loses nothing.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Local, Utc};
use iced::widget::{container, text, tooltip};
use iced::{Element, Task};
use kefu_core::backup::{BackupConfig, ScheduledBackup};

use crate::plugins::{self, SharedPlugins};
use crate::{format, labels, style};

/// Time between two scheduler runs while the window is open.
pub const SCHEDULER_INTERVAL: Duration = Duration::from_secs(60);

/// State of the scheduler: whether a run is in progress and how the last
/// one ended.
#[derive(Default)]
pub struct Scheduler {
    running: bool,
    last: Option<LastRun>,
    /// The database and its automatic backup settings, or `None` when the
    /// app runs without a configuration folder.
    backup: Option<(PathBuf, BackupConfig)>,
}

/// Outcome of the last run, with its local start time.
enum LastRun {
    Finished {
        at: DateTime<Local>,
        fired: usize,
        failures: Vec<String>,
    },
    Failed {
        at: DateTime<Local>,
        error: String,
    },
}

/// Events of the scheduler.
#[derive(Debug, Clone)]
pub enum Message {
    /// A background run finished, with the error chain on failure.
    Finished(Result<Run, String>),
}

/// Result of a run that completed.
#[derive(Debug, Clone)]
pub struct Run {
    at: DateTime<Utc>,
    /// Time rules that fired on a ticket.
    fired: usize,
    /// Tickets that rules opened.
    tickets_opened: usize,
    /// Failed rule calls and outbox entries not sent. The rest of the run
    /// was stored.
    failures: Vec<String>,
}

/// Notice of a finished run for the rest of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Time rules fired or rules opened tickets, so the panes should read
    /// the tickets again.
    TicketsChanged,
}

impl Scheduler {
    /// Makes every run back up the database at `db` as `config` sets,
    /// when a backup is due.
    pub fn set_backup(&mut self, db: PathBuf, config: BackupConfig) {
        self.backup = Some((db, config));
    }

    /// Starts a run on `plugins`, unless one is in progress or the plugins
    /// are not loaded yet, in which case the tick is skipped.
    pub fn tick(&mut self, plugins: Option<SharedPlugins>) -> Task<Message> {
        if self.running {
            tracing::debug!("scheduler tick skipped, the previous run is in progress");
            return Task::none();
        }
        let Some(plugins) = plugins else {
            tracing::debug!("scheduler tick skipped, the plugins are not loaded");
            return Task::none();
        };
        self.running = true;
        let backup = self.backup.clone();
        let work = plugins::in_background("kefu-scheduler", move || {
            let at = Utc::now();
            let summary = plugins.fire_due_timers(at)?;
            let delivery = plugins.deliver_outbox(at)?;
            let mut failures = summary.rule_failures;
            failures.extend(
                delivery
                    .retrying
                    .iter()
                    .chain(&delivery.failed)
                    .map(|(id, error)| format!("outbox entry {id} not sent: {error}")),
            );
            if let Some((db, config)) = backup {
                // A failed backup is retried on the next run, because the
                // newest backup stays as old as it was.
                match kefu_core::backup::run_scheduled(&db, &config, at, false) {
                    Ok(ScheduledBackup::Made { report, .. }) => {
                        tracing::info!(path = %report.path.display(), "scheduler made a backup");
                    }
                    Ok(ScheduledBackup::Disabled | ScheduledBackup::NotDue { .. }) => {}
                    Err(error) => failures.push(format!("automatic backup failed: {error:#}")),
                }
            }
            Ok(Run {
                at,
                fired: summary.time_rules_fired,
                tickets_opened: summary.tickets_opened,
                failures,
            })
        });
        Task::perform(work, Message::Finished)
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        let Message::Finished(result) = message;
        self.running = false;
        match result {
            Ok(run) => {
                if run.fired > 0 || run.tickets_opened > 0 {
                    tracing::info!(
                        fired = run.fired,
                        tickets_opened = run.tickets_opened,
                        "scheduler fired time rules"
                    );
                }
                for failure in &run.failures {
                    tracing::warn!(%failure, "rule call failed in a scheduler run");
                }
                let changed = run.fired > 0 || run.tickets_opened > 0;
                self.last = Some(LastRun::Finished {
                    at: run.at.with_timezone(&Local),
                    fired: run.fired,
                    failures: run.failures,
                });
                changed.then_some(Event::TicketsChanged)
            }
            Err(error) => {
                // A database that stays locked or broken fails every run the
                // same way, so only a new error is logged.
                let repeated = matches!(&self.last, Some(LastRun::Failed { error: last, .. }) if *last == error);
                if !repeated {
                    tracing::error!(%error, "scheduler run failed");
                }
                self.last = Some(LastRun::Failed {
                    at: Local::now(),
                    error,
                });
                None
            }
        }
    }

    /// True while a run is in progress.
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Builds the status of the last run for the top bar, or `None` before
    /// the first run ends. Hovering shows the failures, if any.
    pub fn status<'a, M: 'a>(&'a self) -> Option<Element<'a, M>> {
        let (line, details) = match self.last.as_ref()? {
            LastRun::Finished {
                at,
                fired,
                failures,
            } => {
                let line =
                    labels::scheduler_finished(&format::clock_time(*at), *fired, failures.len());
                (line, failures.join("\n"))
            }
            LastRun::Failed { at, error } => (
                labels::scheduler_failed(&format::clock_time(*at)),
                error.clone(),
            ),
        };
        let line = text(line).size(12).style(text::secondary);
        if details.is_empty() {
            return Some(line.into());
        }
        let details = container(text(details).size(12))
            .padding(8)
            .max_width(600)
            .style(style::warning_line);
        Some(tooltip(line, details, tooltip::Position::Bottom).into())
    }
}
