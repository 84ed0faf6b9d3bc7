//! Live intake while the window is open: the drop folders and IMAP
//! accounts of `intake.toml` run every [`INTAKE_INTERVAL`] on a background
//! thread, through the loaded plugin set, so the window never waits for a
//! mail server or a large file.
//!
//! At most one pass runs at a time; a tick that arrives while one runs is
//! skipped. Each drop folder is scanned every pass, and each IMAP account
//! is fetched when its IMAP IDLE connection announced new mail or, while
//! IDLE is not running, when its poll interval has passed.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use iced::Task;
use kefu_core::intake::{Intake, IntakeConfig, IntakePass};

use crate::plugins::{self, SharedPlugins};

/// Time between two intake passes while the window is open.
pub const INTAKE_INTERVAL: Duration = Duration::from_secs(5);

/// State of the background intake.
pub struct IntakeRunner {
    /// The folders and accounts, or `None` when intake.toml configures none.
    /// A pass borrows them on its thread.
    intake: Option<Arc<Mutex<Intake>>>,
    running: bool,
    /// Problems of the last pass, logged when they change.
    last_problems: Vec<String>,
}

/// Events of the background intake.
#[derive(Debug, Clone)]
pub enum Message {
    /// A pass finished, with the error chain when it could not run.
    Finished(Result<IntakePass, String>),
}

/// Notice of a finished pass for the rest of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The pass stored input, so the panes should read the database again.
    Stored,
}

impl IntakeRunner {
    /// Reads `intake.toml` in `config_folder` (nothing runs when `None` or
    /// when the file is missing) and returns the runner with one error line
    /// per problem found: a broken file or a drop folder that cannot be
    /// opened.
    pub fn load(config_folder: Option<&Path>) -> (Self, Vec<String>) {
        let mut runner = Self {
            intake: None,
            running: false,
            last_problems: Vec::new(),
        };
        let Some(folder) = config_folder else {
            return (runner, Vec::new());
        };
        let config = match IntakeConfig::load(folder) {
            Ok(config) => config,
            Err(error) => {
                let error = format!("{error:#}");
                tracing::error!(%error, "intake configuration invalid, live intake is off");
                return (runner, vec![error]);
            }
        };
        let (intake, errors) = Intake::new(config);
        for error in &errors {
            tracing::error!(%error, "drop folder left out of live intake");
        }
        if !intake.is_empty() {
            tracing::info!("live intake configured");
            runner.intake = Some(Arc::new(Mutex::new(intake)));
        }
        (runner, errors)
    }

    /// Starts a pass on `plugins`, unless nothing is configured, a pass is
    /// in progress or the plugins are not loaded yet.
    pub fn tick(&mut self, plugins: Option<SharedPlugins>) -> Task<Message> {
        let Some(intake) = self.intake.clone() else {
            return Task::none();
        };
        if self.running {
            return Task::none();
        }
        let Some(plugins) = plugins else {
            return Task::none();
        };
        self.running = true;
        let work = plugins::in_background("kefu-intake", move || {
            let mut intake = intake
                .lock()
                .map_err(|_| "a previous intake pass panicked".to_string())?;
            plugins.with_ingestor(|ingestor| intake.run_due(ingestor, Instant::now()))
        });
        Task::perform(work, Message::Finished)
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        let Message::Finished(result) = message;
        self.running = false;
        let pass = match result {
            Ok(pass) => pass,
            Err(error) => IntakePass {
                problems: vec![error],
                ..IntakePass::default()
            },
        };
        if pass.files > 0 || pass.messages_stored > 0 {
            tracing::info!(
                files = pass.files,
                messages = pass.messages_stored,
                "live intake stored input"
            );
        }
        // A server that stays down fails every pass the same way, so only
        // a change is logged.
        if pass.problems != self.last_problems {
            for problem in &pass.problems {
                tracing::error!(%problem, "live intake problem");
            }
            self.last_problems = pass.problems;
        }
        (pass.files > 0 || pass.messages_stored > 0).then_some(Event::Stored)
    }

    /// True while a pass is in progress.
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// True when intake.toml configures a drop folder or an IMAP account.
    pub fn is_configured(&self) -> bool {
        self.intake.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_runs_nothing() {
        let config = tempfile::tempdir().unwrap();
        let (runner, errors) = IntakeRunner::load(Some(config.path()));
        assert!(!runner.is_configured());
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn configured_folder_turns_intake_on() {
        let config = tempfile::tempdir().unwrap();
        std::fs::create_dir(config.path().join("drop")).unwrap();
        std::fs::write(
            config.path().join("intake.toml"),
            "[[drop-folder]]\npath = \"drop\"\n",
        )
        .unwrap();
        let (runner, errors) = IntakeRunner::load(Some(config.path()));
        assert!(runner.is_configured());
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn broken_file_is_an_error_line() {
        let config = tempfile::tempdir().unwrap();
        std::fs::write(
            config.path().join("intake.toml"),
            "[[drop-folder]]\npth = \"drop\"\n",
        )
        .unwrap();
        let (runner, errors) = IntakeRunner::load(Some(config.path()));
        assert!(!runner.is_configured());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("intake.toml"), "{errors:?}");
        assert!(errors[0].contains("pth"), "{errors:?}");
    }

    #[test]
    fn missing_drop_folder_is_an_error_line() {
        let config = tempfile::tempdir().unwrap();
        std::fs::write(
            config.path().join("intake.toml"),
            "[[drop-folder]]\npath = \"no-such-folder\"\n",
        )
        .unwrap();
        let (runner, errors) = IntakeRunner::load(Some(config.path()));
        assert!(!runner.is_configured());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("no-such-folder"), "{errors:?}");
    }
}
