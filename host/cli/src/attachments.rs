//! `kefu attachments [MESSAGE]` and `kefu attachments save ID -o FILE`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use kefu_core::Store;

use crate::output::printable;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AttachmentsCommand {
    #[command(subcommand)]
    pub action: Option<AttachmentsAction>,
    /// Id of the message whose attachments to list; without it, every
    /// stored attachment is listed, newest message first.
    #[arg(value_name = "MESSAGE")]
    pub message: Option<i64>,
    /// Print a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AttachmentsAction {
    /// Write an attachment's content to a file.
    Save {
        /// Id of the attachment, from `kefu attachments MESSAGE`.
        id: i64,
        /// File to write; `-` writes to standard output. An existing file
        /// is replaced.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
}

pub fn run(db: &Path, command: AttachmentsCommand) -> anyhow::Result<ExitCode> {
    match (command.action, command.message) {
        (Some(AttachmentsAction::Save { id, output }), _) => save(db, id, &output),
        (None, message) => list(db, message, command.json),
    }
}

fn list(db: &Path, message_id: Option<i64>, json: bool) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let attachments = match message_id {
        Some(message_id) => store.message_attachments(message_id)?,
        None => store.all_attachments()?,
    };
    if json {
        crate::output::print_json(&attachments)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table =
        crate::list::new_table(&["#", "Message", "File name", "Type", "Bytes", "SHA-256"]);
    for attachment in &attachments {
        table.add_row(vec![
            attachment.id.to_string(),
            attachment.message_id.to_string(),
            printable(&attachment.file_name),
            printable(&attachment.content_type),
            attachment.size.to_string(),
            attachment.sha256.as_deref().map_or_else(
                || "not stored yet".to_string(),
                |hash| hash[..12].to_string(),
            ),
        ]);
    }
    let scope = match message_id {
        Some(message_id) => format!(" on message {message_id}"),
        None => String::new(),
    };
    crate::output::print(&format!(
        "{table}\n{} attachments{scope}\n",
        attachments.len()
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn save(db: &Path, id: i64, output: &Path) -> anyhow::Result<ExitCode> {
    let mut store = Store::open_existing(db)?;
    let content = store.attachment_content(id)?;
    if output == Path::new("-") {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(&content)?;
        stdout.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    std::fs::write(output, &content)
        .with_context(|| format!("writing attachment {id} to {}", output.display()))?;
    eprintln!(
        "saved attachment {id} ({} bytes) to {}",
        content.len(),
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}
