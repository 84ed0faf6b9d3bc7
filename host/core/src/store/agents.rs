//! Agents, the routing queue and the small state routing keeps between
//! runs. The types live in [`crate::routing`], beside the code that uses
//! them.

use anyhow::Context;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::write::Writer;
use super::{Store, format_time, parse_time};
use crate::routing::{
    Agent, AgentChanges, NewAgent, QueuedTicket, check_agent_name, check_max_open,
    normalize_display_name, normalize_skills,
};

/// Columns of an agent with its open load, in the order [`agent_from_row`]
/// reads them. The load comes from `assignee_open_counts`, which triggers
/// keep equal to a count of the agent's open tickets.
const AGENT_SQL: &str = "SELECT a.name, a.display_name, a.skills, a.available, a.max_open,
        coalesce(o.open_count, 0), a.created_at, a.updated_at
   FROM agents a
   LEFT JOIN assignee_open_counts o ON o.assignee = a.name";

/// The open load of every agent, by name, in the order of
/// [`list_agents`].
const LOADS_SQL: &str = "SELECT a.name, coalesce(o.open_count, 0)
   FROM agents a
   LEFT JOIN assignee_open_counts o ON o.assignee = a.name
  ORDER BY a.name";

/// Open, unassigned tickets in routing order: queue rank (VIP customers and
/// higher priorities first), then the earliest running deadline with
/// tickets that have none last, then the oldest. `?1` is the row limit,
/// -1 for none.
const QUEUE_SQL: &str = "SELECT t.id, t.ticket_type, t.priority, cu.tier, t.queue_rank, t.due_at,
        t.created_at, t.subject
   FROM tickets t
   JOIN conversations c ON c.id = t.conversation_id
   JOIN customers cu ON cu.id = c.customer_id
  WHERE t.is_open = 1 AND t.merged_into IS NULL AND coalesce(t.assignee, '') = ''
  ORDER BY t.queue_rank DESC, t.due_at IS NULL, t.due_at, t.created_at, t.id
  LIMIT ?1";

/// The fields of a ticket that routing reads before assigning it.
#[derive(Debug, Clone)]
pub(crate) struct RoutingTicket {
    pub ticket: QueuedTicket,
    pub assignee: Option<String>,
    pub is_open: bool,
}

impl Store {
    /// Lists agents by name, with their open load.
    pub fn agents(&self) -> anyhow::Result<Vec<Agent>> {
        list_agents(&self.connection)
    }

    /// Returns the agent named `name`, if any.
    pub fn agent(&self, name: &str) -> anyhow::Result<Option<Agent>> {
        find_agent(&self.connection, name)
    }

    /// Lists open, unassigned tickets in routing order, at most `limit`.
    pub fn routing_queue(&self, limit: Option<usize>) -> anyhow::Result<Vec<QueuedTicket>> {
        queue(&self.connection, limit)
    }
}

impl Writer<'_> {
    /// Lists agents by name, with their open load. The agents are read in
    /// full once per transaction, and after that only their loads.
    pub fn agents(&self) -> anyhow::Result<Vec<Agent>> {
        let mut cached = self.agents.borrow_mut();
        if let Some(agents) = cached.as_mut()
            && read_loads(&self.tx, agents)?
        {
            return Ok(agents.clone());
        }
        let agents = list_agents(&self.tx)?;
        *cached = Some(agents.clone());
        Ok(agents)
    }

    /// Clears the agents [`Writer::agents`] keeps, after a change to one.
    fn forget_agents(&self) {
        self.agents.replace(None);
    }

    /// Returns the agent named `name`, if any.
    pub fn agent(&self, name: &str) -> anyhow::Result<Option<Agent>> {
        find_agent(&self.tx, name)
    }

    /// Lists open, unassigned tickets in routing order, at most `limit`.
    pub fn routing_queue(&self, limit: Option<usize>) -> anyhow::Result<Vec<QueuedTicket>> {
        queue(&self.tx, limit)
    }

    /// Adds an agent after checking the name, skills, display name and
    /// limit. Fails when an agent with the name exists.
    pub fn add_agent(&self, agent: &NewAgent, at: DateTime<Utc>) -> anyhow::Result<Agent> {
        check_agent_name(&agent.name)?;
        let skills = normalize_skills(&agent.skills)?;
        let display_name = agent
            .display_name
            .as_deref()
            .map(normalize_display_name)
            .transpose()?
            .flatten();
        check_max_open(agent.max_open)?;
        self.forget_agents();
        if find_agent(&self.tx, &agent.name)?.is_some() {
            anyhow::bail!(
                "agent {} exists already; change it with `kefu agents set {}`",
                agent.name,
                agent.name
            );
        }
        self.tx
            .execute(
                "INSERT INTO agents (name, display_name, skills, available, max_open, created_at,
                                     updated_at)
                 VALUES (?1, ?2, ?3, 1, ?4, ?5, ?5)",
                params![
                    agent.name,
                    display_name,
                    serde_json::to_string(&skills)?,
                    agent.max_open,
                    format_time(at)
                ],
            )
            .with_context(|| format!("adding agent {}", agent.name))?;
        self.existing_agent(&agent.name)
    }

    /// Changes an agent. Fails when there is no such agent or a new value
    /// is invalid, and then writes nothing.
    pub fn update_agent(
        &self,
        name: &str,
        changes: &AgentChanges,
        at: DateTime<Utc>,
    ) -> anyhow::Result<Agent> {
        let agent = self.existing_agent(name)?;
        let display_name = match &changes.display_name {
            Some(Some(display_name)) => normalize_display_name(display_name)?,
            Some(None) => None,
            None => agent.display_name,
        };
        let skills = match &changes.skills {
            Some(skills) => normalize_skills(skills)?,
            None => agent.skills,
        };
        let max_open = changes.max_open.unwrap_or(agent.max_open);
        check_max_open(max_open)?;
        let available = changes.available.unwrap_or(agent.available);
        self.forget_agents();
        self.tx.execute(
            "UPDATE agents SET display_name = ?2, skills = ?3, available = ?4, max_open = ?5,
                               updated_at = ?6
              WHERE name = ?1",
            params![
                name,
                display_name,
                serde_json::to_string(&skills)?,
                available,
                max_open,
                format_time(at)
            ],
        )?;
        self.existing_agent(name)
    }

    /// Removes an agent and the routing state kept for them. Fails when
    /// the agent does not exist or open tickets are still assigned to them.
    pub fn remove_agent(&self, name: &str) -> anyhow::Result<()> {
        let agent = self.existing_agent(name)?;
        if agent.open_load > 0 {
            anyhow::bail!(
                "agent {name} has {} open ticket{} assigned, so it cannot be removed; route them \
                 to other agents with `kefu agents remove {name} --reassign`, or move them with \
                 `kefu tickets assign TICKET... --to AGENT` first",
                agent.open_load,
                if agent.open_load == 1 { "" } else { "s" }
            );
        }
        self.forget_agents();
        self.tx
            .execute("DELETE FROM agents WHERE name = ?1", params![name])?;
        self.tx.execute(
            "DELETE FROM routing_state WHERE key = ?1",
            params![crate::routing::last_routed_key(name)],
        )?;
        Ok(())
    }

    /// Ids of the open tickets assigned to `name`, in routing order.
    pub fn open_tickets_of_agent(&self, name: &str) -> anyhow::Result<Vec<i64>> {
        let mut statement = self.tx.prepare(
            "SELECT id FROM tickets WHERE assignee = ?1 AND is_open = 1
              ORDER BY queue_rank DESC, due_at IS NULL, due_at, created_at, id",
        )?;
        let ids = statement
            .query_map(params![name], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// Reads a value routing stored under `key`.
    pub fn routing_state(&self, key: &str) -> anyhow::Result<Option<String>> {
        Ok(self
            .query_row_cached(
                "SELECT value FROM routing_state WHERE key = ?1",
                params![key],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Stores `value` under `key`, replacing what was there.
    pub fn set_routing_state(&self, key: &str, value: &str) -> anyhow::Result<()> {
        self.execute_cached(
            "INSERT INTO routing_state (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Reads what routing needs to know about one ticket; `None` when there
    /// is no such ticket.
    pub(crate) fn routing_ticket(&self, ticket_id: i64) -> anyhow::Result<Option<RoutingTicket>> {
        Ok(self
            .query_row_cached(
                "SELECT t.id, t.ticket_type, t.priority, cu.tier, t.queue_rank, t.due_at,
                        t.created_at, t.subject, t.assignee, t.is_open
                   FROM tickets t
                   JOIN conversations c ON c.id = t.conversation_id
                   JOIN customers cu ON cu.id = c.customer_id
                  WHERE t.id = ?1",
                params![ticket_id],
                |row| {
                    Ok(RoutingTicket {
                        ticket: queued_ticket_from_row(row)?,
                        assignee: row
                            .get::<_, Option<String>>(8)?
                            .filter(|name| !name.is_empty()),
                        is_open: row.get(9)?,
                    })
                },
            )
            .optional()?)
    }

    fn existing_agent(&self, name: &str) -> anyhow::Result<Agent> {
        find_agent(&self.tx, name)?.ok_or_else(|| {
            anyhow::anyhow!("agent {name:?} not found; `kefu agents list` shows every agent")
        })
    }
}

fn list_agents(connection: &Connection) -> anyhow::Result<Vec<Agent>> {
    let mut statement = connection.prepare_cached(&format!("{AGENT_SQL} ORDER BY a.name"))?;
    let agents = statement
        .query_map([], agent_from_row)?
        .collect::<Result<_, _>>()
        .context("reading agents")?;
    Ok(agents)
}

/// Sets the open load of each of `agents`, which [`list_agents`] read.
/// Returns false, and leaves the loads partly set, when the agents are
/// not the ones listed now.
fn read_loads(connection: &Connection, agents: &mut [Agent]) -> anyhow::Result<bool> {
    let mut statement = connection.prepare_cached(LOADS_SQL)?;
    let mut rows = statement.query([])?;
    for agent in agents.iter_mut() {
        let Some(row) = rows.next()? else {
            return Ok(false);
        };
        if row.get_ref(0)?.as_str()? != agent.name {
            return Ok(false);
        }
        agent.open_load = row.get(1)?;
    }
    Ok(rows.next()?.is_none())
}

fn find_agent(connection: &Connection, name: &str) -> anyhow::Result<Option<Agent>> {
    connection
        .query_row(
            &format!("{AGENT_SQL} WHERE a.name = ?1"),
            params![name],
            agent_from_row,
        )
        .optional()
        .with_context(|| format!("reading agent {name}"))
}

fn queue(connection: &Connection, limit: Option<usize>) -> anyhow::Result<Vec<QueuedTicket>> {
    let limit = limit.map_or(-1, |limit| i64::try_from(limit).unwrap_or(i64::MAX));
    let mut statement = connection.prepare(QUEUE_SQL)?;
    let tickets = statement
        .query_map(params![limit], queued_ticket_from_row)?
        .collect::<Result<_, _>>()
        .context("reading the routing queue")?;
    Ok(tickets)
}

fn agent_from_row(row: &Row<'_>) -> rusqlite::Result<Agent> {
    let skills: String = row.get(2)?;
    Ok(Agent {
        name: row.get(0)?,
        display_name: row.get(1)?,
        skills: serde_json::from_str(&skills).map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, error.into())
        })?,
        available: row.get(3)?,
        max_open: row.get(4)?,
        open_load: row.get(5)?,
        created_at: parse_time(&row.get::<_, String>(6)?)?,
        updated_at: parse_time(&row.get::<_, String>(7)?)?,
    })
}

fn queued_ticket_from_row(row: &Row<'_>) -> rusqlite::Result<QueuedTicket> {
    Ok(QueuedTicket {
        id: row.get(0)?,
        ticket_type: row.get(1)?,
        priority: row.get(2)?,
        customer_tier: row.get(3)?,
        queue_rank: row.get(4)?,
        due_at: row
            .get::<_, Option<String>>(5)?
            .map(|text| parse_time(&text))
            .transpose()?,
        created_at: parse_time(&row.get::<_, String>(6)?)?,
        subject: row.get(7)?,
    })
}

#[cfg(test)]
mod tests;
