//! `kefu agents`: the agents who take tickets, the unassigned queue and
//! routing it to them.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, Local, Utc};
use clap::{Args, Subcommand};
use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::routing::{self, Agent, AgentChanges, NewAgent, RouteOutcome, RoutingConfig};

use crate::list::{cut, new_table};
use crate::output::printable;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AgentsCommand {
    #[command(subcommand)]
    action: Option<AgentsAction>,
    #[command(flatten)]
    list: JsonArgs,
}

#[derive(Debug, Subcommand)]
enum AgentsAction {
    /// List agents with their open load and availability (the default
    /// command).
    List(JsonArgs),
    /// Show one agent.
    Show {
        name: String,
        #[command(flatten)]
        output: JsonArgs,
    },
    /// Add an agent, available for routing at once.
    Add(AddArgs),
    /// Change an agent's display name, skills, availability or limit.
    Set(SetArgs),
    /// Remove an agent who has no open tickets assigned.
    Remove {
        name: String,
        /// First route the agent's open tickets to other agents, as
        /// `kefu agents route` would; fails, changing nothing, when any
        /// ticket has no other agent to go to.
        #[arg(long)]
        reassign: bool,
    },
    /// List open, unassigned tickets in routing order: VIP customers first,
    /// then priority, the earliest SLA deadline and age.
    Queue(QueueArgs),
    /// Assign the unassigned queue to agents, in queue order, following
    /// routing.toml in the configuration folder.
    Route(RouteArgs),
}

#[derive(Debug, Args)]
struct JsonArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct AddArgs {
    /// Login-style name stored as a ticket's assignee: lowercase letters,
    /// digits, '.', '_' or '-', starting with a letter.
    name: String,
    /// Name shown to people, for example "林伟".
    #[arg(long, value_name = "TEXT")]
    display_name: Option<String>,
    /// A skill routing can require, such as tech or senior; repeat for
    /// several.
    #[arg(long = "skill", value_name = "SKILL")]
    skills: Vec<String>,
    /// Maximum number of open tickets routing assigns to the agent
    /// [default: no limit].
    #[arg(long, value_name = "N")]
    max_open: Option<u32>,
}

#[derive(Debug, Args)]
struct SetArgs {
    name: String,
    /// Name shown to people; an empty text clears it.
    #[arg(long, value_name = "TEXT")]
    display_name: Option<String>,
    /// Whether routing assigns new tickets to the agent.
    #[arg(long, value_name = "yes|no", value_parser = ["yes", "no"])]
    available: Option<String>,
    /// Replace the skills with these; repeat for several.
    #[arg(long = "skill", value_name = "SKILL", conflicts_with = "no_skills")]
    skills: Vec<String>,
    /// Remove every skill.
    #[arg(long)]
    no_skills: bool,
    /// Maximum number of open tickets routing assigns to the agent, or
    /// `none` for no limit.
    #[arg(long, value_name = "N|none", value_parser = parse_max_open)]
    max_open: Option<MaxOpen>,
}

#[derive(Debug, Args)]
struct QueueArgs {
    /// List at most this many tickets.
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct RouteArgs {
    /// Route at most this many tickets from the front of the queue.
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Print what routing would do and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the outcome of each ticket as JSON.
    #[arg(long)]
    json: bool,
}

/// A `--max-open` value: a limit, or none.
#[derive(Debug, Clone, Copy)]
struct MaxOpen(Option<u32>);

fn parse_max_open(text: &str) -> Result<MaxOpen, String> {
    if text == "none" {
        return Ok(MaxOpen(None));
    }
    text.parse::<u32>()
        .map(|max| MaxOpen(Some(max)))
        .map_err(|_| format!("invalid max open {text:?}: expected a whole number or none"))
}

pub fn run(db: &Path, config_dir: &Path, command: AgentsCommand) -> anyhow::Result<ExitCode> {
    match command.action {
        None => list(db, &command.list),
        Some(AgentsAction::List(args)) => list(db, &args),
        Some(AgentsAction::Show { name, output }) => show(db, &name, &output),
        Some(AgentsAction::Add(args)) => add(db, &args),
        Some(AgentsAction::Set(args)) => set(db, &args),
        Some(AgentsAction::Remove { name, reassign }) => remove(db, config_dir, &name, reassign),
        Some(AgentsAction::Queue(args)) => queue(db, &args),
        Some(AgentsAction::Route(args)) => route(db, config_dir, &args),
    }
}

fn list(db: &Path, args: &JsonArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let agents = store.agents()?;
    if args.json {
        crate::output::print_json(&agents)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = new_table(&[
        "Name",
        "Display name",
        "Skills",
        "Available",
        "Open",
        "Max open",
    ]);
    for agent in &agents {
        table.add_row(agent_row(agent));
    }
    crate::output::print(&format!("{table}\n{} agents\n", agents.len()))?;
    Ok(ExitCode::SUCCESS)
}

fn show(db: &Path, name: &str, args: &JsonArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let Some(agent) = store.agent(name)? else {
        anyhow::bail!(
            "agent {:?} not found; `kefu agents list` shows every agent",
            printable(name)
        );
    };
    if args.json {
        crate::output::print_json(&agent)?;
    } else {
        crate::output::print(&describe(&agent))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn add(db: &Path, args: &AddArgs) -> anyhow::Result<ExitCode> {
    let mut store = Store::open(db)?;
    let writer = store.writer()?;
    let agent = writer.add_agent(
        &NewAgent {
            name: args.name.clone(),
            display_name: args.display_name.clone(),
            skills: args.skills.clone(),
            max_open: args.max_open,
        },
        Utc::now(),
    )?;
    writer.commit()?;
    crate::output::print(&format!("added agent {}\n{}", agent.name, describe(&agent)))?;
    Ok(ExitCode::SUCCESS)
}

fn set(db: &Path, args: &SetArgs) -> anyhow::Result<ExitCode> {
    let skills = if args.no_skills {
        Some(Vec::new())
    } else if args.skills.is_empty() {
        None
    } else {
        Some(args.skills.clone())
    };
    let changes = AgentChanges {
        display_name: args
            .display_name
            .as_ref()
            .map(|text| (!text.trim().is_empty()).then(|| text.clone())),
        skills,
        available: args.available.as_deref().map(|value| value == "yes"),
        max_open: args.max_open.map(|MaxOpen(max)| max),
    };
    if changes == AgentChanges::default() {
        anyhow::bail!(
            "nothing to change; pass --display-name, --available, --skill, --no-skills or \
             --max-open"
        );
    }
    let mut store = Store::open_existing(db)?;
    let writer = store.writer()?;
    let agent = writer.update_agent(&args.name, &changes, Utc::now())?;
    writer.commit()?;
    crate::output::print(&format!(
        "updated agent {}\n{}",
        agent.name,
        describe(&agent)
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn remove(db: &Path, config_dir: &Path, name: &str, reassign: bool) -> anyhow::Result<ExitCode> {
    let mut store = Store::open_existing(db)?;
    let desk = Desk::load(config_dir)?;
    let config = RoutingConfig::load(config_dir, &desk.lifecycle)?;
    store.set_desk(desk);

    let writer = store.writer()?;
    let mut text = String::new();
    if reassign {
        let outcomes = routing::reassign_agent_tickets(&writer, name, &config, Utc::now())?;
        let stuck: Vec<&RouteOutcome> = outcomes
            .iter()
            .filter(|outcome| outcome.assignment().is_none())
            .collect();
        if !stuck.is_empty() {
            let lines: Vec<String> = stuck
                .iter()
                .map(|outcome| format!("#{}: {}", outcome.ticket_id(), outcome.reason()))
                .collect();
            anyhow::bail!(
                "{} of {name}'s open tickets have no other agent to go to, so nothing was \
                 changed:\n{}",
                stuck.len(),
                lines.join("\n")
            );
        }
        for outcome in &outcomes {
            text.push_str(&outcome_line(outcome));
        }
    }

    writer.remove_agent(name)?;
    writer.commit()?;
    text.push_str(&format!("removed agent {name}\n"));
    crate::output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn queue(db: &Path, args: &QueueArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let tickets = store.routing_queue(args.limit)?;
    if args.json {
        crate::output::print_json(&tickets)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = new_table(&[
        "#", "Type", "Priority", "Tier", "Rank", "Due", "Created", "Subject",
    ]);
    for ticket in &tickets {
        table.add_row(vec![
            ticket.id.to_string(),
            printable(&ticket.ticket_type),
            printable(&ticket.priority),
            printable(&ticket.customer_tier),
            ticket.queue_rank.to_string(),
            ticket.due_at.map(local_time).unwrap_or_default(),
            local_time(ticket.created_at),
            cut(ticket.subject.as_deref().unwrap_or("")),
        ]);
    }
    crate::output::print(&format!(
        "{table}\n{} unassigned open tickets\n",
        tickets.len()
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn route(db: &Path, config_dir: &Path, args: &RouteArgs) -> anyhow::Result<ExitCode> {
    let mut store = Store::open_existing(db)?;
    let desk = Desk::load(config_dir)?;
    let config = RoutingConfig::load(config_dir, &desk.lifecycle)
        .context("reading the routing configuration")?;
    store.set_desk(desk);
    let writer = store.writer()?;
    let outcomes = routing::route_queue(&writer, &config, Utc::now(), args.limit)?;
    if args.dry_run {
        // Routing ran inside the transaction so later tickets see the
        // loads earlier ones add; dropping it writes nothing.
        drop(writer);
    } else {
        writer.commit()?;
    }

    if args.json {
        crate::output::print_json(&outcomes)?;
        return Ok(ExitCode::SUCCESS);
    }
    let assigned = outcomes
        .iter()
        .filter(|outcome| outcome.assignment().is_some())
        .count();
    let mut text = String::new();
    if args.dry_run {
        text.push_str("Dry run: nothing is written.\n");
    }
    for outcome in &outcomes {
        text.push_str(&outcome_line(outcome));
    }
    let verb = if args.dry_run {
        "Would assign"
    } else {
        "Assigned"
    };
    text.push_str(&format!(
        "{verb} {assigned} of {} tickets ({}).\n",
        outcomes.len(),
        config.strategy
    ));
    crate::output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn outcome_line(outcome: &RouteOutcome) -> String {
    match outcome {
        RouteOutcome::Assigned(assignment) => format!(
            "#{} -> {}: {}\n",
            assignment.ticket_id, assignment.agent, assignment.reason
        ),
        RouteOutcome::Unassigned { ticket_id, reason } => {
            format!("#{ticket_id} not assigned: {reason}\n")
        }
    }
}

fn agent_row(agent: &Agent) -> Vec<String> {
    vec![
        agent.name.clone(),
        cut(agent.display_name.as_deref().unwrap_or("")),
        agent.skills.join(", "),
        yes_no(agent.available).to_string(),
        agent.open_load.to_string(),
        agent
            .max_open
            .map_or_else(String::new, |max| max.to_string()),
    ]
}

fn describe(agent: &Agent) -> String {
    let max_open = agent
        .max_open
        .map_or_else(|| "no limit".to_string(), |max| max.to_string());
    format!(
        "Name:          {}\nDisplay name:  {}\nSkills:        {}\nAvailable:     {}\n\
         Open tickets:  {}\nMax open:      {max_open}\n",
        agent.name,
        agent.display_name.as_deref().unwrap_or(""),
        agent.skills.join(", "),
        yes_no(agent.available),
        agent.open_load,
    )
}

fn local_time(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}
