//! `routing.toml`: how tickets are assigned to agents.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::agent::check_skill;
use crate::lifecycle::Lifecycle;

/// Name of the routing file in the configuration folder.
pub const FILE_NAME: &str = "routing.toml";

/// Rule routing uses to pick among the agents who can take a ticket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Agents take turns in name order. The last agent picked is stored in
    /// the database, so the turn continues across processes.
    RoundRobin,
    /// The agent with the fewest open tickets. Ties go to the agent who was
    /// routed a ticket longest ago (never counts as longest), then by name.
    #[default]
    LeastLoad,
}

impl Strategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RoundRobin => "round-robin",
            Self::LeastLoad => "least-load",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// The routing configuration in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RoutingConfig {
    #[serde(default)]
    pub strategy: Strategy,
    /// When true, an agent holding `max_open` open tickets gets no more.
    /// When false, such agents get tickets only while every other agent
    /// that could take the ticket is full too.
    #[serde(default = "default_skip_full_agents")]
    pub skip_full_agents: bool,
    /// Skills an agent needs for a ticket type, by ticket type id. A type
    /// not listed needs no skill.
    #[serde(default)]
    pub required_skills: BTreeMap<String, Vec<String>>,
    /// When true, a ticket opened by an import is routed at once.
    #[serde(default)]
    pub assign_new_tickets: bool,
}

fn default_skip_full_agents() -> bool {
    true
}

impl Default for RoutingConfig {
    fn default() -> Self {
        Self {
            strategy: Strategy::default(),
            skip_full_agents: default_skip_full_agents(),
            required_skills: BTreeMap::new(),
            assign_new_tickets: false,
        }
    }
}

/// A routing file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RoutingConfigError {
    #[error("reading {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{source_name}: {message}")]
    Invalid {
        source_name: String,
        message: String,
    },
}

impl RoutingConfig {
    /// Reads `routing.toml` from `config_dir`, or returns the defaults when
    /// the file does not exist. Ticket types in `required-skills` are
    /// checked against `lifecycle`.
    pub fn load(config_dir: &Path, lifecycle: &Lifecycle) -> Result<Self, RoutingConfigError> {
        let path = config_dir.join(FILE_NAME);
        match crate::desk::read_config(&path) {
            Ok(text) => Self::parse(&text, &path.display().to_string(), lifecycle),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(RoutingConfigError::Read {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Parses and checks a routing file. `source_name` names the text in
    /// errors. Unknown keys, strategies, ticket types and invalid skill
    /// names are rejected by name.
    pub fn parse(
        text: &str,
        source_name: &str,
        lifecycle: &Lifecycle,
    ) -> Result<Self, RoutingConfigError> {
        let invalid = |message: String| RoutingConfigError::Invalid {
            source_name: source_name.to_string(),
            message,
        };
        let mut config: Self =
            toml::from_str(text).map_err(|error| invalid(error.to_string().trim_end().into()))?;
        for (ticket_type, skills) in &mut config.required_skills {
            if !lifecycle.is_type(ticket_type) {
                return Err(invalid(format!(
                    "required-skills: unknown ticket type {ticket_type:?}; expected one of {}",
                    lifecycle.type_ids()
                )));
            }
            for skill in skills.iter() {
                check_skill(skill)
                    .map_err(|error| invalid(format!("required-skills.{ticket_type}: {error}")))?;
            }
            skills.sort();
            skills.dedup();
        }
        Ok(config)
    }

    /// Skills an agent needs for tickets of `ticket_type`.
    pub fn skills_for(&self, ticket_type: &str) -> &[String] {
        self.required_skills
            .get(ticket_type)
            .map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<RoutingConfig, RoutingConfigError> {
        RoutingConfig::parse(text, "routing.toml", &Lifecycle::builtin())
    }

    #[test]
    fn empty_file_means_defaults() {
        let config = parse("").unwrap();
        assert_eq!(config, RoutingConfig::default());
        assert_eq!(config.strategy, Strategy::LeastLoad);
        assert!(config.skip_full_agents);
    }

    #[test]
    fn full_file_parses() {
        let config = parse(
            r#"
            strategy = "round-robin"
            skip-full-agents = false
            [required-skills]
            technical-support = ["tech", "tech"]
            complaint = ["senior"]
            "#,
        )
        .unwrap();
        assert_eq!(config.strategy, Strategy::RoundRobin);
        assert!(!config.skip_full_agents);
        assert_eq!(config.skills_for("technical-support"), ["tech"]);
        assert_eq!(config.skills_for("complaint"), ["senior"]);
        assert!(config.skills_for("pre-sales").is_empty());
    }

    #[test]
    fn unknown_key_is_named() {
        let error = parse("stratgy = \"round-robin\"").unwrap_err().to_string();
        assert!(error.contains("stratgy"), "{error}");
    }

    #[test]
    fn unknown_strategy_is_named() {
        let error = parse("strategy = \"random\"").unwrap_err().to_string();
        assert!(error.contains("random"), "{error}");
        assert!(error.contains("least-load"), "{error}");
    }

    #[test]
    fn unknown_ticket_type_is_named() {
        let error = parse("[required-skills]\nbilling = [\"tech\"]")
            .unwrap_err()
            .to_string();
        assert!(error.contains("\"billing\""), "{error}");
        assert!(error.contains("technical-support"), "{error}");
    }

    #[test]
    fn invalid_skill_is_named() {
        let error = parse("[required-skills]\ncomplaint = [\"Senior Staff\"]")
            .unwrap_err()
            .to_string();
        assert!(error.contains("Senior Staff"), "{error}");
    }

    #[test]
    fn missing_file_means_defaults() {
        let folder = tempfile::tempdir().unwrap();
        let config = RoutingConfig::load(folder.path(), &Lifecycle::builtin()).unwrap();
        assert_eq!(config, RoutingConfig::default());
    }
}
