//! `kefu reply` and `kefu outbox`: queueing replies and delivering them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, Local, Utc};
use clap::{Args, Subcommand};
use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::outbound::{DeliveryReport, ReplyRequest, deliver_due, queue_reply};
use kefu_core::plugin::PluginSet;

use crate::list::{cut, new_table};
use crate::output::{print, print_json, printable};

/// Largest reply file read, in bytes.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("body").required(true).args(["text", "file"])))]
pub struct ReplyCommand {
    /// Ticket to reply on.
    pub ticket: i64,
    /// Text of the reply.
    #[arg(long)]
    pub text: Option<String>,
    /// File with the text of the reply, in UTF-8.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Agent who writes the reply, recorded in the ticket history.
    #[arg(long, value_name = "NAME")]
    pub agent: Option<String>,
    /// Only queue the reply; `kefu outbox send` delivers it later.
    #[arg(long)]
    pub queue_only: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct OutboxCommand {
    #[command(subcommand)]
    pub action: Option<OutboxAction>,
    /// Also list the messages that were sent.
    #[arg(long)]
    pub all: bool,
    /// Print a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum OutboxAction {
    /// Deliver the queued messages that are due, over the SMTP server in
    /// outgoing.toml. Exits with status 1 when a delivery failed.
    Send {
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Queue a failed message again, due at once.
    Retry {
        /// Outbox entry, as `kefu outbox` lists it.
        id: i64,
    },
}

#[derive(serde::Serialize)]
struct ReplyOutput {
    queued: kefu_core::outbound::QueuedReply,
    delivery: Option<DeliveryReport>,
}

pub fn reply(
    db: &Path,
    plugin_dir: &Path,
    config_dir: &Path,
    command: ReplyCommand,
) -> anyhow::Result<ExitCode> {
    let text = match (&command.text, &command.file) {
        (Some(text), _) => text.clone(),
        (None, Some(path)) => read_text_file(path)?,
        (None, None) => unreachable!("clap requires --text or --file"),
    };
    let agent = command
        .agent
        .as_deref()
        .map(str::trim)
        .filter(|name| !name.is_empty());
    let actor = agent.map_or_else(|| "agent".to_string(), |name| format!("agent:{name}"));

    let desk = Desk::load(config_dir)?;
    let mut store = Store::open_existing(db)?;
    store.set_desk(desk);
    let now = Utc::now();
    let writer = store.writer()?;
    let queued = queue_reply(
        &writer,
        &ReplyRequest {
            ticket_id: command.ticket,
            text: &text,
            actor: &actor,
            automatic: false,
        },
        now,
    )?;
    writer.commit()?;

    let delivery = if command.queue_only {
        None
    } else {
        let mut plugins = PluginSet::load(crate::ingest::engine()?, &store, Some(plugin_dir))?;
        let report = deliver_due(&mut store, &mut plugins, Utc::now())?;
        plugins.save_faults(&store)?;
        Some(report)
    };

    if command.json {
        print_json(&ReplyOutput { queued, delivery })?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = format!(
        "reply queued as outbox entry {} to {}\n",
        queued.outbox_id,
        printable(&queued.recipient)
    );
    // Chat replies have no subject, and their id is not a Message-ID.
    if queued.subject.is_empty() {
        text.push_str(&format!("id: {}\n", printable(&queued.external_id)));
    } else {
        text.push_str(&format!(
            "subject: {}\nmessage-id: <{}>\n",
            printable(&queued.subject),
            printable(&queued.external_id)
        ));
    }
    if let Some(report) = &delivery {
        text.push_str(&entry_outcome(report, queued.outbox_id));
    }
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Describes what a delivery run did with one entry.
fn entry_outcome(report: &DeliveryReport, id: i64) -> String {
    if report.sent.contains(&id) {
        return "sent\n".to_string();
    }
    let find = |list: &[(i64, String)]| {
        list.iter()
            .find(|(entry, _)| *entry == id)
            .map(|(_, error)| printable(error))
    };
    if let Some(error) = find(&report.retrying) {
        return format!("not sent yet: {error}\nit stays queued; `kefu outbox send` retries it\n");
    }
    if let Some(error) = find(&report.failed) {
        return format!("failed: {error}\n`kefu outbox retry {id}` queues it again\n");
    }
    let reasons: Vec<String> = [&report.not_configured, &report.chat_not_configured]
        .into_iter()
        .flatten()
        .map(|reason| printable(reason))
        .collect();
    if reasons.is_empty() {
        "not sent yet; `kefu outbox` shows its state\n".to_string()
    } else {
        format!("not sent yet: {}\n", reasons.join("; "))
    }
}

fn read_text_file(path: &Path) -> anyhow::Result<String> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("reading reply file {}", path.display()))?
        .len();
    if size > MAX_FILE_BYTES {
        anyhow::bail!(
            "reply file {} has {size} bytes, more than the {MAX_FILE_BYTES} allowed",
            path.display()
        );
    }
    let bytes =
        std::fs::read(path).with_context(|| format!("reading reply file {}", path.display()))?;
    String::from_utf8(bytes).map_err(|error| {
        anyhow::anyhow!(
            "reply file {} is not valid UTF-8 at byte {}; save it as UTF-8",
            path.display(),
            error.utf8_error().valid_up_to()
        )
    })
}

pub fn run(
    db: &Path,
    plugin_dir: &Path,
    config_dir: &Path,
    command: OutboxCommand,
) -> anyhow::Result<ExitCode> {
    match command.action {
        None => list(db, command.all, command.json),
        Some(OutboxAction::Send { json }) => send(db, plugin_dir, config_dir, json),
        Some(OutboxAction::Retry { id }) => retry(db, id),
    }
}

fn list(db: &Path, all: bool, json: bool) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let entries = store.outbox(!all)?;
    if json {
        print_json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    if entries.is_empty() {
        print(if all {
            "the outbox is empty\n"
        } else {
            "nothing waits to be sent; --all lists the sent messages too\n"
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = new_table(&[
        "#",
        "Ticket",
        "To",
        "Subject",
        "State",
        "Attempts",
        "Next attempt",
        "Last error",
    ]);
    for entry in &entries {
        table.add_row(vec![
            entry.id.to_string(),
            entry.ticket_id.map(|id| id.to_string()).unwrap_or_default(),
            cut(&entry.recipient),
            cut(entry.subject.as_deref().unwrap_or("")),
            entry.state.as_str().to_string(),
            entry.attempts.to_string(),
            match entry.state {
                kefu_core::store::OutboxState::Queued => local_time(entry.next_attempt_at),
                _ => String::new(),
            },
            cut(entry.last_error.as_deref().unwrap_or("")),
        ]);
    }
    print(&format!("{table}\n"))?;
    Ok(ExitCode::SUCCESS)
}

fn send(db: &Path, plugin_dir: &Path, config_dir: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let desk = Desk::load(config_dir)?;
    let mut store = Store::open_existing(db)?;
    store.set_desk(desk);
    let mut plugins = PluginSet::load(crate::ingest::engine()?, &store, Some(plugin_dir))?;
    let report = deliver_due(&mut store, &mut plugins, Utc::now())?;
    plugins.save_faults(&store)?;
    let status = if report.retrying.is_empty() && report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    };
    if json {
        print_json(&report)?;
        return Ok(status);
    }
    let mut text = format!(
        "{} sent, {} to retry, {} failed\n",
        report.sent.len(),
        report.retrying.len(),
        report.failed.len()
    );
    for id in &report.interrupted {
        text.push_str(&format!(
            "entry {id}: an earlier attempt was interrupted; queued again\n"
        ));
    }
    for (id, error) in &report.retrying {
        text.push_str(&format!(
            "entry {id}: not sent, retried later: {}\n",
            printable(error)
        ));
    }
    for (id, error) in &report.failed {
        text.push_str(&format!(
            "entry {id}: failed: {}; `kefu outbox retry {id}` queues it again\n",
            printable(error)
        ));
    }
    for reason in [&report.not_configured, &report.chat_not_configured]
        .into_iter()
        .flatten()
    {
        text.push_str(&format!("{}\n", printable(reason)));
    }
    print(&text)?;
    Ok(status)
}

fn retry(db: &Path, id: i64) -> anyhow::Result<ExitCode> {
    let mut store = Store::open_existing(db)?;
    let writer = store.writer()?;
    if !writer.retry_outbound(id, Utc::now())? {
        anyhow::bail!(
            "outbox entry {id} is not a failed message; `kefu outbox --all` lists the entries"
        );
    }
    writer.commit()?;
    print(&format!("outbox entry {id} queued again\n"))?;
    Ok(ExitCode::SUCCESS)
}

fn local_time(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}
