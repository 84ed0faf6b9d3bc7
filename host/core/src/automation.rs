//! Built-in automation: declarative ticket rules written in TOML, and dry
//! runs of a rule over stored history.
//!
//! Declarative rules live in `rules.toml` in the configuration folder. They
//! run in the same cascade as rule plugins, after every plugin, in file
//! order (see `docs/examples/rules.toml` for every condition and action).

pub mod declarative;
pub mod dry_run;

use std::path::Path;

use crate::lifecycle::Lifecycle;

pub use declarative::{DeclarativeRule, RulesError, parse_rules, read_rules};

/// Name of the rules file in the configuration folder.
pub const RULES_FILE: &str = "rules.toml";

/// Reads `rules.toml` from `config_dir`. A missing file means no rules; a
/// file with any invalid rule is an error, and no rule of it is returned.
/// Values are checked against `lifecycle`.
pub fn load_rules(
    config_dir: &Path,
    lifecycle: &Lifecycle,
) -> Result<Vec<DeclarativeRule>, RulesError> {
    let path = config_dir.join(RULES_FILE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    read_rules(&path, lifecycle)
}
