//! `kefu conversations`, `kefu quarantine`, `kefu set-tier`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::{DateTime, Local, Utc};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use kefu_core::Store;
use kefu_core::model::Channel;

use crate::args::{ListOptions, SetTierCommand};
use crate::output::printable;

/// Tiers the built-in rules act on.
const KNOWN_TIERS: &[&str] = &["vip", "regular"];

/// Maximum length of a customer tier, in characters.
const MAX_TIER_CHARS: usize = 32;

/// Maximum length of a table cell, in characters.
const MAX_CELL_CHARS: usize = 60;

pub fn conversations(db: &Path, options: &ListOptions) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let conversations = store.conversations()?;
    if options.json {
        crate::output::print_json(&conversations)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = new_table(&[
        "#",
        "Customer",
        "Channel",
        "Subject",
        "Last message",
        "Msgs",
        "Unanswered",
        "Ticket",
    ]);
    for conversation in &conversations {
        table.add_row(vec![
            conversation.id.to_string(),
            cut(&conversation.customer_label()),
            conversation.channel.to_string(),
            cut(conversation.title()),
            local_time(conversation.last_message_at),
            conversation.message_count.to_string(),
            if conversation.unanswered { "yes" } else { "" }.to_string(),
            conversation
                .ticket_id
                .map(|id| format!("#{id}"))
                .unwrap_or_default(),
        ]);
    }
    crate::output::print(&format!("{table}\n{} conversations\n", conversations.len()))?;
    Ok(ExitCode::SUCCESS)
}

pub fn quarantine(db: &Path, options: &ListOptions) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let entries = store.quarantine()?;
    if options.json {
        crate::output::print_json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = new_table(&["#", "Source", "Adapter", "Bytes", "Reason"]);
    for entry in &entries {
        table.add_row(vec![
            entry.id.to_string(),
            printable(&entry.source_name),
            entry.adapter.clone().unwrap_or_default(),
            entry.size.to_string(),
            printable(&entry.reason),
        ]);
    }
    crate::output::print(&format!("{table}\n{} quarantined\n", entries.len()))?;
    Ok(ExitCode::SUCCESS)
}

pub fn set_tier(
    db: &Path,
    config_dir: &Path,
    command: &SetTierCommand,
) -> anyhow::Result<ExitCode> {
    let channel = match command.channel.as_deref() {
        Some(channel) => channel.parse::<Channel>()?,
        None => guess_channel(&command.address),
    };
    let tier = command.tier.trim().to_lowercase();
    let valid = tier
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if tier.is_empty() || tier.len() > MAX_TIER_CHARS || !valid {
        bail!(
            "invalid tier {:?}; a tier is 1 to {MAX_TIER_CHARS} letters, digits, '-' or '_', \
             for example vip or regular",
            printable(&command.tier)
        );
    }
    let mut store = Store::open_existing(db)?;
    // The lifecycle names the VIP tiers that rank tickets in the queue.
    store.set_desk(kefu_core::desk::Desk::load(config_dir)?);
    let customer = store
        .customer_by_address(channel, &command.address)?
        .with_context(|| {
            format!(
                "no customer has the {channel} address {:?}; import their messages first \
                 or pass --channel",
                command.address
            )
        })?;
    store.set_customer_tier(customer.id, &tier)?;
    let mut text = format!(
        "customer {} ({}) is now {tier}\n",
        customer.id,
        printable(customer.name.as_deref().unwrap_or(&command.address))
    );
    if !KNOWN_TIERS.contains(&tier.as_str()) {
        text.push_str(&format!(
            "note: the built-in rules only know the tiers {}\n",
            KNOWN_TIERS.join(" and ")
        ));
    }
    crate::output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn guess_channel(address: &str) -> Channel {
    let is_number = address
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()".contains(c));
    if address.contains('@') {
        Channel::Email
    } else if is_number && address.chars().any(|c| c.is_ascii_digit()) {
        Channel::Phone
    } else {
        Channel::Chat
    }
}

pub(crate) fn new_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    table
}

/// Returns the first line of `text`, cut to [`MAX_CELL_CHARS`] and made printable.
pub(crate) fn cut(text: &str) -> String {
    let line = printable(text.lines().next().unwrap_or("").trim());
    if line.chars().count() > MAX_CELL_CHARS {
        let mut cut: String = line.chars().take(MAX_CELL_CHARS - 1).collect();
        cut.push('…');
        cut
    } else {
        line
    }
}

fn local_time(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}
