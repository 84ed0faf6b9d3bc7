//! Agents as stored records, and the checks on their names and skills.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Maximum length of an agent name or a skill, in characters.
pub const MAX_NAME_CHARS: usize = 32;

/// Maximum length of an agent's display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 80;

/// A person who handles customers' tickets, with the open tickets assigned to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agent {
    /// Login-style name, stored as a ticket's assignee.
    pub name: String,
    pub display_name: Option<String>,
    /// Skill names, sorted and without duplicates.
    pub skills: Vec<String>,
    /// True when the agent takes new tickets now.
    pub available: bool,
    /// Maximum number of open tickets routing assigns to the agent; `None`
    /// for no limit.
    pub max_open: Option<u32>,
    /// Open tickets assigned to the agent.
    pub open_load: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Agent {
    /// True when the agent has `max_open` open tickets or more.
    pub fn is_full(&self) -> bool {
        self.max_open.is_some_and(|max| self.open_load >= max)
    }

    /// True when the agent has every skill in `required`.
    pub fn has_skills(&self, required: &[String]) -> bool {
        required.iter().all(|skill| self.skills.contains(skill))
    }
}

/// An agent to add.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewAgent {
    pub name: String,
    pub display_name: Option<String>,
    pub skills: Vec<String>,
    pub max_open: Option<u32>,
}

/// Changes to an agent; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentChanges {
    /// `Some(None)` clears the display name.
    pub display_name: Option<Option<String>>,
    /// Replaces the whole skill list.
    pub skills: Option<Vec<String>>,
    pub available: Option<bool>,
    /// `Some(None)` removes the limit.
    pub max_open: Option<Option<u32>>,
}

/// An open, unassigned ticket in routing order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueuedTicket {
    pub id: i64,
    pub ticket_type: String,
    pub priority: String,
    /// Tier of the ticket's customer, for example `vip`.
    pub customer_tier: String,
    pub queue_rank: i64,
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub subject: Option<String>,
}

/// Checks an agent name: 1 to 32 lowercase ASCII letters, digits, `.`, `_`
/// or `-`, starting with a letter, like a login name.
pub fn check_agent_name(name: &str) -> anyhow::Result<()> {
    if is_login_style(name) {
        Ok(())
    } else {
        anyhow::bail!(
            "invalid agent name {name:?}: use 1 to {MAX_NAME_CHARS} lowercase letters, digits, \
             '.', '_' or '-', starting with a letter, for example li.wei"
        )
    }
}

/// Checks a skill name, which follows the same pattern as an agent name.
pub fn check_skill(skill: &str) -> anyhow::Result<()> {
    if is_login_style(skill) {
        Ok(())
    } else {
        anyhow::bail!(
            "invalid skill {skill:?}: use 1 to {MAX_NAME_CHARS} lowercase letters, digits, \
             '.', '_' or '-', starting with a letter, for example tech or zh"
        )
    }
}

/// Checks every skill and returns them sorted without duplicates.
pub fn normalize_skills(skills: &[String]) -> anyhow::Result<Vec<String>> {
    for skill in skills {
        check_skill(skill)?;
    }
    let mut sorted = skills.to_vec();
    sorted.sort();
    sorted.dedup();
    Ok(sorted)
}

/// Trims a display name and checks it. An empty name becomes `None`.
pub fn normalize_display_name(display_name: &str) -> anyhow::Result<Option<String>> {
    let trimmed = display_name.trim();
    if trimmed.chars().any(char::is_control) {
        anyhow::bail!("invalid display name {display_name:?}: it contains a control character");
    }
    if trimmed.chars().count() > MAX_DISPLAY_NAME_CHARS {
        anyhow::bail!(
            "display name {trimmed:?} is too long: the maximum is {MAX_DISPLAY_NAME_CHARS} \
             characters"
        );
    }
    Ok((!trimmed.is_empty()).then(|| trimmed.to_string()))
}

/// Checks a limit of open tickets, which must be at least 1.
pub fn check_max_open(max_open: Option<u32>) -> anyhow::Result<()> {
    if max_open == Some(0) {
        anyhow::bail!(
            "invalid max open 0: an agent must be able to hold at least 1 open ticket; \
             to stop new assignments, set the agent unavailable instead"
        );
    }
    Ok(())
}

fn is_login_style(text: &str) -> bool {
    let mut chars = text.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    starts_with_letter
        && text.len() <= MAX_NAME_CHARS
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_names_are_login_style() {
        for name in ["lin", "li.wei", "wang_fang", "agent-7", "a"] {
            assert!(check_agent_name(name).is_ok(), "{name}");
        }
        for name in [
            "",
            "Lin",
            "li wei",
            "7agent",
            "-lin",
            "王芳",
            &"a".repeat(33),
        ] {
            assert!(check_agent_name(name).is_err(), "{name}");
        }
    }

    #[test]
    fn skills_are_sorted_and_deduplicated() {
        let skills = ["zh", "tech", "zh"].map(String::from);
        assert_eq!(normalize_skills(&skills).unwrap(), ["tech", "zh"]);
        assert!(normalize_skills(&["Tech".to_string()]).is_err());
    }

    #[test]
    fn display_name_rejects_controls() {
        assert_eq!(
            normalize_display_name(" 林 ").unwrap().as_deref(),
            Some("林")
        );
        assert_eq!(normalize_display_name("  ").unwrap(), None);
        assert!(normalize_display_name("a\u{1b}[2J").is_err());
    }
}
