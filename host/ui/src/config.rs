//! The team's desk configuration as the app runs it: the lifecycle and SLA
//! from `lifecycle.toml` and `sla.toml`, and the declarative rules from
//! `rules.toml`, read once when the window opens.
//!
//! A file that cannot be used never keeps the window from opening. The
//! app shows the error and runs on the built-in defaults instead.

use std::path::Path;
use std::sync::Arc;

use kefu_core::automation::{self, DeclarativeRule};
use kefu_core::desk::Desk;

use crate::labels::{self, Label};

/// The configuration in force, with the error lines of the files that
/// could not be used.
#[derive(Debug, Clone)]
pub struct DeskConfig {
    /// The lifecycle and SLA that ticket writes and labels follow.
    pub desk: Arc<Desk>,
    /// The enabled and disabled declarative rules, in file order.
    pub rules: Vec<DeclarativeRule>,
    /// One line per file that could not be used, naming the file and the
    /// problem.
    pub errors: Vec<Label>,
}

impl DeskConfig {
    /// Returns the built-in lifecycle and SLA with no declarative rules.
    pub fn builtin() -> Self {
        Self {
            desk: Desk::builtin(),
            rules: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Reads the configuration files in `folder`, or returns the built-in
    /// configuration when `folder` is `None`. A missing file means its
    /// built-in default. When the lifecycle or SLA cannot be used, the
    /// built-in lifecycle and SLA apply and no declarative rules run,
    /// because rules name the lifecycle's values. When only the rules
    /// cannot be used, the configured lifecycle and SLA apply without them.
    /// Each error is logged here, once.
    pub fn load(folder: Option<&Path>) -> Self {
        let Some(folder) = folder else {
            return Self::builtin();
        };
        let desk = match Desk::load(folder) {
            Ok(desk) => desk,
            Err(error) => {
                let error = format!("{error:#}");
                tracing::error!(
                    folder = %folder.display(),
                    %error,
                    "desk configuration invalid, running on the built-in lifecycle and SLA"
                );
                return Self {
                    errors: vec![Label::new(move || labels::desk_config_invalid(&error))],
                    ..Self::builtin()
                };
            }
        };
        match automation::load_rules(folder, &desk.lifecycle) {
            Ok(rules) => {
                tracing::info!(
                    folder = %folder.display(),
                    rules = rules.len(),
                    "read the desk configuration"
                );
                Self {
                    desk,
                    rules,
                    errors: Vec::new(),
                }
            }
            Err(error) => {
                let error = error.to_string();
                tracing::error!(
                    folder = %folder.display(),
                    %error,
                    "rules file invalid, running without declarative rules"
                );
                Self {
                    desk,
                    rules: Vec::new(),
                    errors: vec![Label::new(move || labels::rules_config_invalid(&error))],
                }
            }
        }
    }
}
