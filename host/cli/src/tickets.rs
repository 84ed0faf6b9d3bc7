//! `kefu tickets` and `kefu tasks`: the to-do list, one ticket's record,
//! changes to one or many tickets, merges, work logs and saved views.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, Local, Utc};
use clap::{Args, Subcommand};
use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::ingest::Ingestor;
use kefu_core::model::Channel;
use kefu_core::plugin::PluginSet;
use kefu_core::todo::{self, AssigneeFilter, BulkChange, ChangeBy, Sort, TodoQuery};

use crate::list::{cut, new_table};
use crate::output::printable;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct TicketsCommand {
    #[command(subcommand)]
    action: Option<TicketsAction>,
    #[command(flatten)]
    list: ListArgs,
}

// Parsed once per process; a large variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum TicketsAction {
    /// List unfinished tickets in queue order (the default command).
    List(ListArgs),
    /// Show one ticket: fields, SLA deadlines, history, work log.
    Show {
        ticket: i64,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Change one or more tickets; every change applies to all of them or,
    /// when one ticket cannot take it, to none.
    Update(UpdateArgs),
    /// Assign tickets to an agent, or take their assignee away.
    Assign(AssignArgs),
    /// Merge tickets into another: they close, pointing to it.
    Merge {
        /// Tickets to merge.
        #[arg(required = true)]
        tickets: Vec<i64>,
        /// The ticket they merge into.
        #[arg(long)]
        into: i64,
        #[command(flatten)]
        by: ByArgs,
    },
    /// Log time spent on a ticket and what was done.
    Log {
        ticket: i64,
        /// Minutes spent.
        #[arg(long)]
        minutes: u32,
        /// Summary of the work done.
        #[arg(long)]
        summary: String,
        #[command(flatten)]
        by: ByArgs,
    },
    /// Save, list and remove named to-do queries.
    #[command(subcommand)]
    Views(ViewsAction),
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum ViewsAction {
    /// List saved views with their ticket counts.
    List,
    /// Save the filters given as a view.
    Save {
        name: String,
        /// Replace a view of the same name.
        #[arg(long)]
        replace: bool,
        #[command(flatten)]
        filters: FilterArgs,
    },
    /// Remove a saved view.
    Remove { name: String },
}

#[derive(Debug, Args)]
struct ListArgs {
    #[command(flatten)]
    filters: FilterArgs,
    /// Start from a saved view; other filters given narrow it further.
    #[arg(long, value_name = "NAME")]
    view: Option<String>,
    /// Rows per page.
    #[arg(long, default_value_t = todo::DEFAULT_LIMIT)]
    limit: usize,
    /// Rows to skip, for the next pages.
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Default, Args)]
struct FilterArgs {
    /// Include finished tickets.
    #[arg(long)]
    all: bool,
    /// Only these statuses (repeat or separate with commas).
    #[arg(long, value_delimiter = ',')]
    status: Vec<String>,
    /// Only these priorities.
    #[arg(long, value_delimiter = ',')]
    priority: Vec<String>,
    /// Only these ticket types.
    #[arg(long = "type", value_delimiter = ',')]
    ticket_type: Vec<String>,
    /// Only these channels: email, chat, phone.
    #[arg(long, value_delimiter = ',')]
    channel: Vec<Channel>,
    /// Only customers of these tiers.
    #[arg(long, value_delimiter = ',')]
    tier: Vec<String>,
    /// Only tickets with every one of these tags.
    #[arg(long, value_delimiter = ',')]
    tag: Vec<String>,
    /// Only tickets assigned to this agent.
    #[arg(long, conflicts_with = "unassigned")]
    assignee: Option<String>,
    /// Only tickets without an assignee.
    #[arg(long)]
    unassigned: bool,
    /// Only tickets whose deadline falls within this time, such as 2h or
    /// 30m; 0m lists overdue tickets.
    #[arg(long, value_name = "DURATION")]
    due_within: Option<String>,
    /// Only tickets with this text in the subject or customer name.
    #[arg(long)]
    text: Option<String>,
    /// Order: priority (queue order), due, age, updated.
    #[arg(long, value_parser = Sort::parse)]
    sort: Option<Sort>,
}

#[derive(Debug, Args)]
struct UpdateArgs {
    /// Tickets to change.
    #[arg(required = true)]
    tickets: Vec<i64>,
    #[arg(long)]
    status: Option<String>,
    #[arg(long)]
    priority: Option<String>,
    #[arg(long = "type")]
    ticket_type: Option<String>,
    /// Add a tag (repeat for several).
    #[arg(long)]
    tag: Vec<String>,
    /// Add an internal note, for example for the next shift.
    #[arg(long)]
    note: Option<String>,
    #[command(flatten)]
    by: ByArgs,
}

#[derive(Debug, Args)]
struct AssignArgs {
    /// Tickets to assign.
    #[arg(required = true)]
    tickets: Vec<i64>,
    /// Agent to assign them to.
    #[arg(long, required_unless_present_any = ["none", "auto"], conflicts_with_all = ["none", "auto"])]
    to: Option<String>,
    /// Take the assignee away.
    #[arg(long, conflicts_with = "auto")]
    none: bool,
    /// Let routing pick the agent (routing.toml: round-robin or least
    /// open load among available agents with the needed skills).
    #[arg(long)]
    auto: bool,
    #[command(flatten)]
    by: ByArgs,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct ByArgs {
    /// Agent making the change [default: KEFU_AGENT, else the login name].
    #[arg(long = "as", value_name = "AGENT")]
    agent: Option<String>,
    /// Why, for the ticket's or the customer's history.
    #[arg(long)]
    pub(crate) reason: Option<String>,
}

impl ByArgs {
    pub(crate) fn agent(&self) -> String {
        self.agent
            .clone()
            .or_else(|| std::env::var("KEFU_AGENT").ok())
            .or_else(|| std::env::var("USER").ok())
            .filter(|name| !name.trim().is_empty())
            .unwrap_or_else(|| "cli".to_string())
    }
}

pub fn run(
    db: &Path,
    plugin_dir: &Path,
    config_dir: &Path,
    command: TicketsCommand,
) -> anyhow::Result<ExitCode> {
    let mut store = Store::open_existing(db)?;
    store.set_desk(Desk::load(config_dir)?);
    let rules = RuleContext {
        plugin_dir,
        config_dir,
    };
    match command.action {
        None => list(&store, &command.list),
        Some(TicketsAction::List(args)) => list(&store, &args),
        Some(TicketsAction::Show { ticket, json }) => show(&store, ticket, json),
        Some(TicketsAction::Update(args)) => update(&mut store, &rules, &args),
        Some(TicketsAction::Assign(args)) => assign(&mut store, &rules, &args),
        Some(TicketsAction::Merge { tickets, into, by }) => {
            let agent = by.agent();
            let writer = store.writer()?;
            writer.merge_tickets(
                &tickets,
                into,
                &format!("agent:{agent}"),
                by.reason.as_deref().unwrap_or("merged by an agent"),
                Utc::now(),
            )?;
            writer.commit()?;
            crate::output::print(&format!(
                "merged {} into ticket {into}\n",
                join_ids(&tickets)
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(TicketsAction::Log {
            ticket,
            minutes,
            summary,
            by,
        }) => {
            let writer = store.writer()?;
            if !writer.ticket_exists(ticket)? {
                anyhow::bail!("ticket {ticket} does not exist; `kefu tickets --all` lists them");
            }
            if minutes > MAX_LOG_MINUTES {
                anyhow::bail!(
                    "invalid --minutes {minutes}: one entry is at most {MAX_LOG_MINUTES} minutes \
                     (24 h); log longer work as several entries"
                );
            }
            writer.log_work(ticket, &by.agent(), minutes, &summary, Utc::now())?;
            writer.commit()?;
            crate::output::print(&format!("logged {minutes} min on ticket {ticket}\n"))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(TicketsAction::Views(action)) => views(&mut store, action),
    }
}

/// Most minutes one work log entry may hold: one day.
const MAX_LOG_MINUTES: u32 = 24 * 60;

/// Longest time `--due-within` accepts, in days.
const MAX_DUE_WITHIN_DAYS: i64 = 3650;

/// Where the rules that react to agents' changes come from.
struct RuleContext<'a> {
    plugin_dir: &'a Path,
    config_dir: &'a Path,
}

/// Prints every ticket, finished or not, in queue order.
pub fn print_all(db: &Path) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let mut args = ListArgs {
        filters: FilterArgs::default(),
        view: None,
        limit: todo::MAX_LIMIT,
        offset: 0,
        json: false,
    };
    args.filters.all = true;
    list(&store, &args)
}

impl FilterArgs {
    /// Narrows `query` by the filters given.
    fn apply(&self, query: &mut TodoQuery) -> anyhow::Result<()> {
        query.include_finished |= self.all;
        extend(&mut query.statuses, &self.status);
        extend(&mut query.priorities, &self.priority);
        extend(&mut query.types, &self.ticket_type);
        for channel in &self.channel {
            if !query.channels.contains(channel) {
                query.channels.push(*channel);
            }
        }
        extend(&mut query.tiers, &self.tier);
        extend(&mut query.tags, &self.tag);
        if self.unassigned {
            query.assignee = Some(AssigneeFilter::Unassigned);
        } else if let Some(agent) = &self.assignee {
            query.assignee = Some(AssigneeFilter::Agent(agent.clone()));
        }
        if let Some(within) = &self.due_within {
            let duration = parse_duration(within)?;
            if duration > chrono::Duration::days(MAX_DUE_WITHIN_DAYS) {
                anyhow::bail!(
                    "invalid --due-within {within:?}: the maximum is {MAX_DUE_WITHIN_DAYS}d; \
                     write for example 2h or 3d"
                );
            }
            query.due_before = Some(Utc::now() + duration);
        }
        if let Some(text) = &self.text {
            query.text = Some(text.clone());
        }
        if let Some(sort) = self.sort {
            query.sort = sort;
        }
        Ok(())
    }
}

fn extend(list: &mut Vec<String>, more: &[String]) {
    for item in more {
        let item = item.trim().to_string();
        if !item.is_empty() && !list.contains(&item) {
            list.push(item);
        }
    }
}

/// Reads a duration such as `30m`, `2h` or `3d`.
fn parse_duration(text: &str) -> anyhow::Result<chrono::Duration> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let value: i64 = number
        .parse()
        .ok()
        .filter(|n| (0..=MAX_DUE_WITHIN_DAYS * 24 * 60).contains(n))
        .with_context(|| {
            format!(
                "invalid duration {text:?}: write a whole number from 0 up to \
                 {MAX_DUE_WITHIN_DAYS}d with a unit, for example 30m, 2h or 3d"
            )
        })?;
    match unit {
        "m" => Ok(chrono::Duration::minutes(value)),
        "h" => Ok(chrono::Duration::hours(value)),
        "d" => Ok(chrono::Duration::days(value)),
        _ => anyhow::bail!(
            "duration {text:?} has no unit m, h or d; write for example 30m, 2h or 3d"
        ),
    }
}

fn list(store: &Store, args: &ListArgs) -> anyhow::Result<ExitCode> {
    let mut query = match &args.view {
        Some(name) => store.view(name)?,
        None => TodoQuery::default(),
    };
    args.filters.apply(&mut query)?;
    if args.limit == 0 || args.limit > todo::MAX_LIMIT {
        anyhow::bail!(
            "invalid --limit {}: give 1 to {}",
            args.limit,
            todo::MAX_LIMIT
        );
    }
    query.limit = args.limit;
    query.offset = args.offset;
    query.check(&store.desk().lifecycle)?;
    let rows = store.todo(&query)?;
    if args.json {
        crate::output::print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    let total = store.todo_count(&query)?;
    let now = Utc::now();
    let mut table = new_table(&[
        "#", "Priority", "Status", "Type", "Customer", "Tier", "Assignee", "Due", "Tags", "Subject",
    ]);
    for row in &rows {
        table.add_row(vec![
            row.id.to_string(),
            printable(&row.priority),
            printable(&row.status),
            printable(&row.ticket_type),
            cut(&row.customer_label()),
            printable(&row.tier),
            printable(row.assignee.as_deref().unwrap_or("")),
            due_text(row, now),
            cut(&row.tags.join(", ")),
            cut(row.subject.as_deref().unwrap_or("")),
        ]);
    }
    let shown = if rows.is_empty() {
        String::new()
    } else {
        format!(", showing {}–{}", args.offset + 1, args.offset + rows.len())
    };
    crate::output::print(&format!("{table}\n{total} tickets{shown}\n"))?;
    Ok(ExitCode::SUCCESS)
}

/// Formats the running deadline for the list: `in 2h 10m`, `late 35m`,
/// `paused`, or blank.
fn due_text(row: &todo::TodoRow, now: DateTime<Utc>) -> String {
    if row.sla_paused {
        return "paused".to_string();
    }
    let Some(due) = row.due_at else {
        return String::new();
    };
    let left = due - now;
    if left < chrono::Duration::zero() {
        format!("late {}", span(-left))
    } else {
        format!("in {}", span(left))
    }
}

fn span(duration: chrono::Duration) -> String {
    let minutes = duration.num_minutes();
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{minutes}m"),
        (0, _) => format!("{hours}h {minutes}m"),
        _ => format!("{days}d {hours}h"),
    }
}

fn local(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M %:z")
        .to_string()
}

fn show(store: &Store, ticket: i64, json: bool) -> anyhow::Result<ExitCode> {
    let row = store.todo_row(ticket)?.with_context(|| {
        format!("ticket {ticket} does not exist; `kefu tickets --all` lists the tickets")
    })?;
    let events = store.ticket_events(ticket)?;
    let work = store.work_log(ticket)?;
    if json {
        crate::output::print_json(&serde_json::json!({
            "ticket": row,
            "history": events,
            "work_log": work,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let now = Utc::now();
    let mut text = format!(
        "Ticket #{} {}\n",
        row.id,
        printable(row.subject.as_deref().unwrap_or(""))
    );
    let optional = |time: Option<DateTime<Utc>>| time.map(local).unwrap_or_else(|| "-".into());
    let fields = [
        (
            "Customer",
            format!("{} ({})", row.customer_label(), row.tier),
        ),
        ("Channel", row.source.to_string()),
        ("Type", row.ticket_type.clone()),
        ("Priority", row.priority.clone()),
        ("Status", row.status.clone()),
        (
            "Assignee",
            row.assignee.clone().unwrap_or_else(|| "-".into()),
        ),
        ("Tags", row.tags.join(", ")),
        ("Created", local(row.created_at)),
        ("First response", optional(row.first_response_at)),
        ("First response due", optional(row.first_response_due)),
        ("Resolution due", optional(row.resolution_due)),
        ("Next deadline", {
            let due = due_text(&row, now);
            if due.is_empty() { "-".to_string() } else { due }
        }),
        ("Reopened", row.reopen_count.to_string()),
    ];
    for (name, value) in fields {
        text.push_str(&format!("  {name:<19} {}\n", printable(&value)));
    }
    if let Some(into) = row.merged_into {
        text.push_str(&format!("  Merged into ticket #{into}\n"));
    }
    text.push_str("\nHistory\n");
    for event in &events {
        let reason = event
            .reason
            .as_deref()
            .filter(|reason| !reason.is_empty())
            .map(|reason| format!(" ({reason})"))
            .unwrap_or_default();
        text.push_str(&format!(
            "  {}  {:<24} {:<14} {}{}\n",
            local(event.at),
            printable(&event.actor),
            printable(&event.kind),
            printable(&event.detail.to_string()),
            printable(&reason)
        ));
    }
    if !work.is_empty() {
        let total: u32 = work.iter().map(|entry| entry.minutes).sum();
        text.push_str(&format!("\nWork log ({total} min)\n"));
        for entry in &work {
            text.push_str(&format!(
                "  {}  {:<12} {:>4} min  {}\n",
                local(entry.at),
                printable(&entry.agent),
                entry.minutes,
                printable(&entry.summary)
            ));
        }
    }
    crate::output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn update(
    store: &mut Store,
    rules: &RuleContext<'_>,
    args: &UpdateArgs,
) -> anyhow::Result<ExitCode> {
    let mut changes = Vec::new();
    if let Some(status) = &args.status {
        changes.push(BulkChange::Status(status.clone()));
    }
    if let Some(priority) = &args.priority {
        changes.push(BulkChange::Priority(priority.clone()));
    }
    if let Some(ticket_type) = &args.ticket_type {
        changes.push(BulkChange::Type(ticket_type.clone()));
    }
    changes.extend(args.tag.iter().cloned().map(BulkChange::Tag));
    if let Some(note) = &args.note {
        changes.push(BulkChange::Note(note.clone()));
    }
    if changes.is_empty() {
        anyhow::bail!("nothing to change; give --status, --priority, --type, --tag or --note");
    }
    apply(store, rules, &args.tickets, &changes, &args.by)
}

fn assign(
    store: &mut Store,
    rules: &RuleContext<'_>,
    args: &AssignArgs,
) -> anyhow::Result<ExitCode> {
    if args.auto {
        let desk = store.desk().clone();
        let writer = store.writer()?;
        let mut text = String::new();
        let mut unassigned = 0;
        for ticket in &args.tickets {
            let outcome =
                kefu_core::routing::route_ticket(&writer, *ticket, &desk.routing, Utc::now())?;
            let line = match outcome.assignment() {
                Some(assignment) => format!(
                    "ticket {ticket}: assigned to {} ({})",
                    assignment.agent, assignment.reason
                ),
                None => {
                    unassigned += 1;
                    format!("ticket {ticket}: not assigned ({})", outcome.reason())
                }
            };
            text.push_str(&printable(&line));
            text.push('\n');
        }
        writer.commit()?;
        crate::output::print(&text)?;
        // Scripts learn from the exit code that some tickets still wait.
        return Ok(if unassigned == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let change = match &args.to {
        Some(agent) => {
            let agent = agent.trim();
            if agent.is_empty() || agent.chars().count() > 100 {
                anyhow::bail!("agent name {agent:?} is empty or longer than 100 characters");
            }
            BulkChange::Assign(agent.to_string())
        }
        None => BulkChange::Unassign,
    };
    apply(store, rules, &args.tickets, &[change], &args.by)
}

/// Applies every change to every ticket in one transaction, then lets the
/// rules react to the changes.
fn apply(
    store: &mut Store,
    rules: &RuleContext<'_>,
    tickets: &[i64],
    changes: &[BulkChange],
    by: &ByArgs,
) -> anyhow::Result<ExitCode> {
    let declarative = kefu_core::automation::load_rules(rules.config_dir, &store.desk().lifecycle)?;
    let mut plugins = PluginSet::load(crate::ingest::engine()?, store, Some(rules.plugin_dir))?;
    plugins.set_declarative_rules(declarative)?;
    let actor = format!("agent:{}", by.agent());
    let by = ChangeBy {
        actor: &actor,
        reason: by.reason.as_deref().unwrap_or(""),
        at: Utc::now(),
    };
    let mut failures = Vec::new();
    let applied =
        Ingestor::new(store, &mut plugins).apply_changes(tickets, changes, &by, &mut failures)?;
    let mut text = format!(
        "{} on {} {}\n",
        plural(applied.len(), "change", "changes"),
        if tickets.len() == 1 {
            "ticket"
        } else {
            "tickets"
        },
        join_ids(tickets)
    );
    for failure in &failures {
        text.push_str(&format!("rule failed: {}\n", printable(failure)));
    }
    crate::output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Formats a count with the singular or plural noun.
fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

fn join_ids(ids: &[i64]) -> String {
    ids.iter()
        .map(|id| id.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn views(store: &mut Store, action: ViewsAction) -> anyhow::Result<ExitCode> {
    match action {
        ViewsAction::List => {
            let mut table = new_table(&["View", "Tickets", "Query"]);
            for (name, query) in store.views()? {
                table.add_row(vec![
                    printable(&name),
                    store.todo_count(&query)?.to_string(),
                    cut(&serde_json::to_string(&query)?),
                ]);
            }
            crate::output::print(&format!("{table}\n"))?;
        }
        ViewsAction::Save {
            name,
            replace,
            filters,
        } => {
            if !replace && store.views()?.iter().any(|(view, _)| *view == name) {
                anyhow::bail!(
                    "view {name:?} exists already; pass --replace to overwrite it or choose \
                     another name"
                );
            }
            let mut query = TodoQuery::default();
            filters.apply(&mut query)?;
            if filters.due_within.is_some() {
                anyhow::bail!(
                    "--due-within is relative to now, so a saved view would freeze it; save the \
                     view without it and add it when listing"
                );
            }
            query.check(&store.desk().lifecycle)?;
            store.save_view(&name, &query)?;
            crate::output::print(&format!(
                "saved view {name:?}: {} tickets now\n",
                store.todo_count(&query)?
            ))?;
        }
        ViewsAction::Remove { name } => {
            if !store.remove_view(&name)? {
                anyhow::bail!(
                    "no saved view is called {name:?}; `kefu tickets views list` lists them"
                );
            }
            crate::output::print(&format!("removed view {name:?}\n"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct TasksCommand {
    #[command(subcommand)]
    action: Option<TasksAction>,
    /// Include finished tasks.
    #[arg(long)]
    all: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum TasksAction {
    /// List open tasks, such as calling back missed calls.
    List {
        /// Include finished tasks.
        #[arg(long)]
        all: bool,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Mark a task done.
    Done {
        task: i64,
        #[command(flatten)]
        by: ByArgs,
    },
}

pub fn run_tasks(db: &Path, command: TasksCommand) -> anyhow::Result<ExitCode> {
    let mut store = Store::open_existing(db)?;
    match command.action.unwrap_or(TasksAction::List {
        all: command.all,
        json: command.json,
    }) {
        TasksAction::List { all, json } => {
            let tasks = store.tasks(all)?;
            if json {
                crate::output::print_json(&tasks)?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut table = new_table(&[
                "#", "Kind", "Task", "Reach at", "Calls", "Ticket", "Due", "Done",
            ]);
            for task in &tasks {
                table.add_row(vec![
                    task.id.to_string(),
                    task.kind.clone(),
                    cut(&task.title),
                    printable(task.customer_address.as_deref().unwrap_or("")),
                    task.attempts.to_string(),
                    task.ticket_id
                        .map(|id| format!("#{id}"))
                        .unwrap_or_default(),
                    task.due_at.map(local).unwrap_or_default(),
                    task.done_at.map(local).unwrap_or_default(),
                ]);
            }
            crate::output::print(&format!("{table}\n{} tasks\n", tasks.len()))?;
        }
        TasksAction::Done { task, by } => {
            let writer = store.writer()?;
            writer.finish_task(task, &by.agent(), Utc::now())?;
            writer.commit()?;
            crate::output::print(&format!("task {task} done\n"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
