//! `kefu customers`: one customer across channels. Lists customers with
//! their addresses, shows one customer's history on every channel, and
//! links, merges and splits customers.

use std::path::Path;
use std::process::ExitCode;

use chrono::{DateTime, Local, Utc};
use clap::{Args, Subcommand};
use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::store::{ChangeBy, CustomerChange, CustomerDetail};

use crate::list::{cut, new_table};
use crate::output::printable;
use crate::tickets::ByArgs;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CustomersCommand {
    #[command(subcommand)]
    action: Option<CustomersAction>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum CustomersAction {
    /// List customers with their addresses on every channel (the default
    /// command).
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show a customer: addresses, merges and splits, and every message on
    /// every channel in time order.
    Show {
        id: i64,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Add an address to a customer, so later mail, chats or calls from it
    /// reach that customer.
    Link {
        id: i64,
        /// email:ADDRESS, phone:NUMBER or chat:ID; the prefix may be left
        /// out for an email address or a phone number.
        address: String,
        #[command(flatten)]
        by: ByArgs,
    },
    /// Merge customer FROM into INTO: addresses, conversations, tickets
    /// and tasks move to INTO, and FROM records where they went.
    Merge {
        from: i64,
        into: i64,
        #[command(flatten)]
        by: ByArgs,
    },
    /// Move one address of a customer, with the conversations it started,
    /// to a new customer.
    Split {
        id: i64,
        /// The address to move, as for `link`.
        address: String,
        #[command(flatten)]
        by: ByArgs,
    },
}

pub fn run(db: &Path, config_dir: &Path, command: CustomersCommand) -> anyhow::Result<ExitCode> {
    let mut store = Store::open_existing(db)?;
    // customers.toml sets the default country for phone numbers.
    store.set_desk(Desk::load(config_dir)?);
    let action = command
        .action
        .unwrap_or(CustomersAction::List { json: command.json });
    match action {
        CustomersAction::List { json } => list(&store, json)?,
        CustomersAction::Show { id, json } => {
            let detail = store.customer_detail(id)?;
            if json {
                crate::output::print_json(&detail)?;
            } else {
                crate::output::print(&show(&detail))?;
            }
        }
        CustomersAction::Link { id, address, by } => {
            let actor = format!("agent:{}", by.agent());
            let address = store.link_address(id, &address, change_by(&actor, &by))?;
            crate::output::print(&format!("customer {id} now has the address {address}\n"))?;
        }
        CustomersAction::Merge { from, into, by } => {
            let actor = format!("agent:{}", by.agent());
            let moved = store.merge_customers(from, into, change_by(&actor, &by))?;
            crate::output::print(&format!(
                "customer {from} merged into {into}: moved {} address(es) and {} \
                 conversation(s)\n",
                moved.addresses.len(),
                moved.conversations.len()
            ))?;
        }
        CustomersAction::Split { id, address, by } => {
            let actor = format!("agent:{}", by.agent());
            let (new_id, moved) = store.split_customer(id, &address, change_by(&actor, &by))?;
            crate::output::print(&format!(
                "{} split from customer {id} into new customer {new_id}, with {} \
                 conversation(s)\n",
                moved.addresses.join(", "),
                moved.conversations.len()
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn change_by<'a>(actor: &'a str, by: &'a ByArgs) -> ChangeBy<'a> {
    ChangeBy {
        actor,
        reason: by.reason.as_deref(),
        at: Utc::now(),
    }
}

fn list(store: &Store, json: bool) -> anyhow::Result<()> {
    let customers = store.customers()?;
    if json {
        return crate::output::print_json(&customers);
    }
    let mut table = new_table(&[
        "#",
        "Name",
        "Tier",
        "Addresses",
        "Conversations",
        "Last contact",
    ]);
    for customer in &customers {
        let addresses: Vec<String> = customer
            .addresses
            .iter()
            .map(|address| address.to_string())
            .collect();
        table.add_row(vec![
            customer.id.to_string(),
            cut(customer.name.as_deref().unwrap_or("")),
            printable(&customer.tier),
            printable(&addresses.join(", ")),
            customer.conversations.to_string(),
            customer.last_contact.map(local).unwrap_or_default(),
        ]);
    }
    crate::output::print(&format!("{table}\n{} customers\n", customers.len()))
}

fn show(detail: &CustomerDetail) -> String {
    let summary = &detail.summary;
    let mut text = format!(
        "Customer {} {}\nTier: {}\n",
        summary.id,
        printable(summary.name.as_deref().unwrap_or("(no name)")),
        printable(&summary.tier)
    );
    if let Some(into) = detail.merged_into {
        text.push_str(&format!(
            "Merged into customer {into}; its addresses and conversations are there now.\n"
        ));
    }
    text.push_str("Addresses:\n");
    for address in &summary.addresses {
        text.push_str(&format!("  {}\n", printable(&address.to_string())));
    }
    if !detail.changes.is_empty() {
        text.push_str("Changes:\n");
        for change in &detail.changes {
            text.push_str(&format!("  {}\n", describe_change(change)));
        }
    }
    text.push_str(&format!(
        "History ({} messages on every channel, oldest first):\n",
        detail.history.len()
    ));
    for message in &detail.history {
        let first_line = message.body_text.lines().next().unwrap_or("");
        let arrow = match message.direction {
            kefu_core::model::Direction::Inbound => "<-",
            kefu_core::model::Direction::Outbound => "->",
        };
        text.push_str(&format!(
            "  {}  {:<5} conversation {:<4} {arrow} {}: {}\n",
            local(message.time()),
            message.channel.as_str(),
            message.conversation_id,
            printable(&message.sender.address),
            cut(first_line)
        ));
    }
    text
}

/// Describes a recorded change in one line, with who made it and when.
fn describe_change(change: &CustomerChange) -> String {
    let addresses = change.addresses.join(", ");
    let what = match (change.kind.as_str(), change.from_customer) {
        ("merge", Some(from)) => format!(
            "customer {from} merged into {} ({addresses}; {} conversation(s))",
            change.into_customer,
            change.conversations.len()
        ),
        ("split", Some(from)) => format!(
            "{addresses} split from customer {from} into {} ({} conversation(s))",
            change.into_customer,
            change.conversations.len()
        ),
        _ => format!("{addresses} linked to customer {}", change.into_customer),
    };
    let reason = change
        .reason
        .as_deref()
        .map(|reason| format!(": {reason}"))
        .unwrap_or_default();
    printable(&format!(
        "{} by {}: {what}{reason}",
        local(change.at),
        change.actor
    ))
}

fn local(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}
