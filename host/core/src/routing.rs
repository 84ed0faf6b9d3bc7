//! Routing: which open ticket comes next, and which agent gets it.
//!
//! The queue is every open, unassigned ticket, VIP customers first, then by
//! priority, the earliest running SLA deadline and age (see
//! [`Store::routing_queue`](crate::Store::routing_queue)). Routing assigns
//! a ticket to one of the agents who are available, have the skills its
//! type requires in `routing.toml`, and are under their `max_open` limit,
//! picked by the configured [`Strategy`]. Every assignment writes an
//! `assignee` event, so the ticket's history stores which strategy picked
//! the agent and why. An import routes the tickets its rules open with
//! [`pick_for_new_ticket`], which lets the ticket's INSERT carry the
//! assignee; everything else assigns with [`Writer::set_ticket_field`].

mod agent;
mod config;

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::store::Writer;
use crate::store::write::TicketField;

pub use agent::{
    Agent, AgentChanges, MAX_DISPLAY_NAME_CHARS, MAX_NAME_CHARS, NewAgent, QueuedTicket,
    check_agent_name, check_max_open, check_skill, normalize_display_name, normalize_skills,
};
pub use config::{FILE_NAME, RoutingConfig, RoutingConfigError, Strategy};

/// Actor recorded on the ticket events routing writes.
pub const ACTOR: &str = "system";

/// Routing state key of the agent the last routed ticket went to, where
/// round-robin continues.
const LAST_AGENT_KEY: &str = "round-robin.last-agent";

/// Routing state key of the number of tickets routed so far, which orders
/// the agents' last-routed marks.
const SEQUENCE_KEY: &str = "routed-count";

/// Agent names listed in a reason before the rest are counted.
const NAMES_IN_REASON: usize = 5;

/// Routing state key of the sequence number of the last ticket routed to
/// `agent`, which breaks least-load ties.
pub(crate) fn last_routed_key(agent: &str) -> String {
    format!("last-routed.{agent}")
}

/// A ticket assigned by routing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub ticket_id: i64,
    pub agent: String,
    pub strategy: Strategy,
    /// Why this agent: the text stored with the ticket event.
    pub reason: String,
}

/// Result of routing one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum RouteOutcome {
    Assigned(Assignment),
    /// No agent could take the ticket, or it needs no routing; nothing was
    /// written.
    Unassigned {
        ticket_id: i64,
        reason: String,
    },
}

impl RouteOutcome {
    pub fn ticket_id(&self) -> i64 {
        match self {
            Self::Assigned(assignment) => assignment.ticket_id,
            Self::Unassigned { ticket_id, .. } => *ticket_id,
        }
    }

    /// Returns the assignment, or `None` when routing assigned nothing.
    pub fn assignment(&self) -> Option<&Assignment> {
        match self {
            Self::Assigned(assignment) => Some(assignment),
            Self::Unassigned { .. } => None,
        }
    }

    pub fn reason(&self) -> &str {
        match self {
            Self::Assigned(assignment) => &assignment.reason,
            Self::Unassigned { reason, .. } => reason,
        }
    }
}

/// Assigns one open, unassigned ticket to an agent and records the reason
/// in the ticket's history. An assigned or finished ticket is left as it
/// is, with the reason in the outcome. Fails when the ticket does not
/// exist.
pub fn route_ticket(
    writer: &Writer<'_>,
    ticket_id: i64,
    config: &RoutingConfig,
    at: DateTime<Utc>,
) -> anyhow::Result<RouteOutcome> {
    let Some(found) = writer.routing_ticket(ticket_id)? else {
        anyhow::bail!("ticket {ticket_id} not found; `kefu tickets` lists every ticket");
    };
    if let Some(assignee) = found.assignee {
        return Ok(RouteOutcome::Unassigned {
            ticket_id,
            reason: format!("ticket {ticket_id} is assigned to {assignee} already"),
        });
    }
    if !found.is_open {
        return Ok(RouteOutcome::Unassigned {
            ticket_id,
            reason: format!("ticket {ticket_id} is finished"),
        });
    }
    assign(writer, &found.ticket, config, None, "", at)
}

/// Routes the unassigned queue in queue order, at most `limit` tickets,
/// and returns what happened to each. A ticket no agent can take stays in
/// the queue, and routing goes on with the next one.
pub fn route_queue(
    writer: &Writer<'_>,
    config: &RoutingConfig,
    at: DateTime<Utc>,
    limit: Option<usize>,
) -> anyhow::Result<Vec<RouteOutcome>> {
    let queue = writer.routing_queue(limit)?;
    let mut outcomes = Vec::with_capacity(queue.len());
    for ticket in &queue {
        outcomes.push(assign(writer, ticket, config, None, "", at)?);
    }
    Ok(outcomes)
}

/// Moves the open tickets of `agent` to other agents, as routing would
/// assign them, before the agent is removed. Tickets no other agent can
/// take keep their assignee and are returned as unassigned.
pub fn reassign_agent_tickets(
    writer: &Writer<'_>,
    agent: &str,
    config: &RoutingConfig,
    at: DateTime<Utc>,
) -> anyhow::Result<Vec<RouteOutcome>> {
    let prefix = format!("reassigned from {agent}, who is being removed; ");
    let mut outcomes = Vec::new();
    for ticket_id in writer.open_tickets_of_agent(agent)? {
        let Some(found) = writer.routing_ticket(ticket_id)? else {
            continue;
        };
        outcomes.push(assign(
            writer,
            &found.ticket,
            config,
            Some(agent),
            &prefix,
            at,
        )?);
    }
    Ok(outcomes)
}

/// Picks an agent for `ticket`, ignoring `excluded`, and writes the
/// assignment with `reason_prefix` before the routing reason.
fn assign(
    writer: &Writer<'_>,
    ticket: &QueuedTicket,
    config: &RoutingConfig,
    excluded: Option<&str>,
    reason_prefix: &str,
    at: DateTime<Utc>,
) -> anyhow::Result<RouteOutcome> {
    let agents: Vec<Agent> = writer
        .agents()?
        .into_iter()
        .filter(|agent| Some(agent.name.as_str()) != excluded)
        .collect();
    let (agent, reason) = match choose_agent(writer, &ticket.ticket_type, config, &agents)? {
        Ok(choice) => choice,
        Err(reason) => {
            tracing::info!(ticket_id = ticket.id, reason, "left ticket unassigned");
            return Ok(RouteOutcome::Unassigned {
                ticket_id: ticket.id,
                reason: format!("{reason_prefix}{reason}"),
            });
        }
    };
    let reason = format!("{reason_prefix}{reason}");
    writer.set_ticket_field(ticket.id, TicketField::Assignee, &agent, ACTOR, &reason, at)?;
    record_routed(writer, ticket.id, &agent, &reason)?;

    Ok(RouteOutcome::Assigned(Assignment {
        ticket_id: ticket.id,
        agent,
        strategy: config.strategy,
        reason,
    }))
}

/// An agent picked for a ticket before the ticket is inserted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PickedAgent {
    pub agent: String,
    /// Why this agent: the text stored with the `assignee` event.
    pub reason: String,
}

/// Picks the agent for an open ticket of `ticket_type` that is about to be
/// inserted, as [`route_ticket`] would pick one for it once inserted, so
/// the INSERT can carry the assignee. Writes nothing. Returns `None` when
/// no agent can take the ticket.
///
/// The caller then writes the `assignee` event and calls
/// [`record_routed`], unless the ticket changes first: routing depends on
/// its type and on it being open and unassigned.
pub(crate) fn pick_for_new_ticket(
    writer: &Writer<'_>,
    ticket_type: &str,
    config: &RoutingConfig,
) -> anyhow::Result<Option<PickedAgent>> {
    let agents = writer.agents()?;
    Ok(choose_agent(writer, ticket_type, config, &agents)?
        .ok()
        .map(|(agent, reason)| PickedAgent { agent, reason }))
}

/// Stores the routing state that an assignment by routing moves on: the
/// sequence number of routed tickets, the agent's last-routed mark for
/// least-load ties and the last agent for round-robin.
pub(crate) fn record_routed(
    writer: &Writer<'_>,
    ticket_id: i64,
    agent: &str,
    reason: &str,
) -> anyhow::Result<()> {
    let sequence = writer
        .routing_state(SEQUENCE_KEY)?
        .and_then(|value| value.parse::<u64>().ok())
        .unwrap_or(0)
        + 1;
    writer.set_routing_state(SEQUENCE_KEY, &sequence.to_string())?;
    writer.set_routing_state(&last_routed_key(agent), &sequence.to_string())?;
    writer.set_routing_state(LAST_AGENT_KEY, agent)?;
    tracing::info!(ticket_id, agent, reason, "routed ticket");
    Ok(())
}

/// Reason an agent cannot take a ticket.
enum Skip<'a> {
    Unavailable,
    MissingSkills(Vec<&'a str>),
    Full,
}

/// Returns the picked agent's name and the reason, or the reason no agent
/// can take the ticket.
fn choose_agent(
    writer: &Writer<'_>,
    ticket_type: &str,
    config: &RoutingConfig,
    agents: &[Agent],
) -> anyhow::Result<Result<(String, String), String>> {
    let required = config.skills_for(ticket_type);
    if agents.is_empty() {
        return Ok(Err(
            "no agents to route to; add one with `kefu agents add NAME`".to_string(),
        ));
    }

    let mut candidates: Vec<&Agent> = Vec::new();
    let mut full: Vec<&Agent> = Vec::new();
    let mut skipped: Vec<(&Agent, Skip<'_>)> = Vec::new();
    for agent in agents {
        let missing: Vec<&str> = required
            .iter()
            .filter(|skill| !agent.skills.contains(skill))
            .map(String::as_str)
            .collect();
        if !agent.available {
            skipped.push((agent, Skip::Unavailable));
        } else if !missing.is_empty() {
            skipped.push((agent, Skip::MissingSkills(missing)));
        } else if agent.is_full() {
            full.push(agent);
        } else {
            candidates.push(agent);
        }
    }
    let overflow = candidates.is_empty() && !full.is_empty() && !config.skip_full_agents;
    if overflow {
        candidates = std::mem::take(&mut full);
    }
    skipped.extend(full.into_iter().map(|agent| (agent, Skip::Full)));

    if candidates.is_empty() {
        let mut reason = format!("no agent can take this {ticket_type} ticket");
        if !required.is_empty() {
            let _ = write!(reason, ", which needs {}", skills_phrase(required));
        }
        let _ = write!(reason, ": {}", skipped_phrase(&skipped));
        return Ok(Err(reason));
    }

    let (picked, mut reason) = match config.strategy {
        Strategy::RoundRobin => pick_round_robin(writer, &candidates)?,
        Strategy::LeastLoad => pick_least_load(writer, &candidates)?,
    };
    if !required.is_empty() {
        let _ = write!(reason, "; has {}", skills_phrase(required));
    }
    if overflow {
        reason.push_str(
            "; every agent who could take it is at max open, and skip-full-agents is false",
        );
    }
    if !skipped.is_empty() && !overflow {
        let _ = write!(reason, "; skipped {}", skipped_phrase(&skipped));
    }
    Ok(Ok((picked.name.clone(), reason)))
}

/// Picks the first candidate after the last routed agent in name order,
/// wrapping around. `candidates` are sorted by name.
fn pick_round_robin<'a>(
    writer: &Writer<'_>,
    candidates: &[&'a Agent],
) -> anyhow::Result<(&'a Agent, String)> {
    let last = writer.routing_state(LAST_AGENT_KEY)?;
    let next = last.as_deref().and_then(|last| {
        candidates
            .iter()
            .find(|agent| agent.name.as_str() > last)
            .copied()
    });
    let names = names_phrase(candidates.iter().map(|agent| agent.name.as_str()));
    let (picked, reason) = match (next, last) {
        (Some(agent), Some(last)) => (
            agent,
            format!("round-robin: next after {last} in name order among {names}"),
        ),
        (None, Some(last)) => (
            candidates[0],
            format!("round-robin: first in name order after {last} wrapped around, among {names}"),
        ),
        (_, None) => (
            candidates[0],
            format!("round-robin: first turn, first in name order among {names}"),
        ),
    };
    Ok((picked, reason))
}

/// Picks the candidate with the fewest open tickets. Ties go to the agent
/// whose last routed ticket is oldest, where never routed counts as
/// oldest, then to the first name.
fn pick_least_load<'a>(
    writer: &Writer<'_>,
    candidates: &[&'a Agent],
) -> anyhow::Result<(&'a Agent, String)> {
    let fewest = candidates
        .iter()
        .map(|agent| agent.open_load)
        .min()
        .unwrap_or(0);
    let mut tied: Vec<(&Agent, Option<u64>)> = Vec::new();
    for agent in candidates.iter().filter(|agent| agent.open_load == fewest) {
        let last_routed = writer
            .routing_state(&last_routed_key(&agent.name))?
            .and_then(|value| value.parse::<u64>().ok());
        tied.push((agent, last_routed));
    }
    tied.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.name.cmp(&b.0.name)));
    let (picked, last_routed) = tied[0];

    let names = names_phrase(candidates.iter().map(|agent| agent.name.as_str()));
    let plural = if fewest == 1 { "" } else { "s" };
    let mut reason = format!("least-load: {fewest} open ticket{plural}, fewest among {names}");
    if tied.len() > 1 {
        let others = names_phrase(tied[1..].iter().map(|(agent, _)| agent.name.as_str()));
        let tie_break = match (last_routed, tied[1].1) {
            (Some(_), _) => format!("and {} was routed a ticket longest ago", picked.name),
            (None, Some(_)) => format!("and {} was never routed a ticket", picked.name),
            (None, None) => "none was routed a ticket before, so the first name wins".to_string(),
        };
        let _ = write!(reason, "; tied with {others}, {tie_break}");
    }
    Ok((picked, reason))
}

fn skills_phrase(skills: &[String]) -> String {
    let noun = if skills.len() == 1 { "skill" } else { "skills" };
    format!("{noun} {}", skills.join(", "))
}

/// Lists up to [`NAMES_IN_REASON`] names and counts the rest.
fn names_phrase<'a>(names: impl ExactSizeIterator<Item = &'a str>) -> String {
    let total = names.len();
    let listed: Vec<&str> = names.take(NAMES_IN_REASON).collect();
    let mut phrase = listed.join(", ");
    if total > listed.len() {
        let _ = write!(phrase, " and {} more", total - listed.len());
    }
    phrase
}

fn skipped_phrase(skipped: &[(&Agent, Skip<'_>)]) -> String {
    let mut parts: Vec<String> = skipped
        .iter()
        .take(NAMES_IN_REASON)
        .map(|(agent, skip)| {
            let cause = match skip {
                Skip::Unavailable => "unavailable".to_string(),
                Skip::MissingSkills(missing) => format!("lacks {}", missing.join(", ")),
                Skip::Full => format!(
                    "full, {} of {} open",
                    agent.open_load,
                    agent.max_open.unwrap_or(0)
                ),
            };
            format!("{} ({cause})", agent.name)
        })
        .collect();
    if skipped.len() > NAMES_IN_REASON {
        parts.push(format!("{} more", skipped.len() - NAMES_IN_REASON));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests;
