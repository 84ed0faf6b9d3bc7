//! `kefu phrases`: the phrase library of canned replies.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::{FixedOffset, Local, NaiveDate, Utc};
use clap::{Args, Subcommand};
use kefu_core::Store;
use kefu_core::phrases::render::today_in;
use kefu_core::phrases::{Phrase, PhraseDraft, UpsertOutcome, render};
use kefu_core::store::PhraseFilter;

use crate::list::{cut, new_table};
use crate::output::{print, print_json, printable, printable_lines};

#[derive(Debug, Args)]
pub struct PhrasesCommand {
    #[command(subcommand)]
    pub action: PhrasesAction,
}

#[derive(Debug, Subcommand)]
pub enum PhrasesAction {
    /// List phrases by category and title.
    List(ListArgs),
    /// Print one phrase with its body and keywords.
    Show(ShowArgs),
    /// Add a phrase, or replace the phrase with the same id.
    Add(AddArgs),
    /// Import phrases from a .toml file of [[phrase]] tables, or from a .csv
    /// file with the header id,category,title,body,keywords and keywords
    /// separated by ';'.
    /// Nothing is stored when any record is invalid. Phrases whose id is
    /// stored already are updated.
    Import(ImportArgs),
    /// Delete a phrase.
    Remove(RemoveArgs),
    /// Print a phrase with its placeholders filled for a ticket. Values
    /// that are missing stay visible as [name?] and are listed on standard
    /// error.
    Render(RenderArgs),
    /// Rank phrases for a ticket's latest customer message, or for a text.
    Suggest(SuggestArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only phrases in this category.
    #[arg(long)]
    pub category: Option<String>,
    /// Only phrases whose title, body or a keyword contains this text,
    /// ignoring case.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Print a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Phrase id, for example refund-policy.
    pub id: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Phrase id.
    pub id: String,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Phrase id: lowercase letters, digits, '-' or '_'. Rules name it in
    /// suggest-phrase and send-phrase.
    pub id: String,
    /// Category, for example pre-sales, after-sales or logistics.
    #[arg(long)]
    pub category: String,
    /// One-line title shown in lists.
    #[arg(long)]
    pub title: String,
    /// Reply text, with placeholders such as {{customer.name}}.
    #[arg(long)]
    pub body: String,
    /// A word that makes the phrase a suggestion. Repeat for several.
    #[arg(long = "keyword", value_name = "KEYWORD")]
    pub keywords: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A .toml or .csv phrase file, in UTF-8.
    pub file: PathBuf,
    /// Print the counts as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Phrase id.
    pub id: String,
    /// Ticket whose customer, fields and channel fill the placeholders.
    #[arg(long, value_name = "N")]
    pub ticket: i64,
    /// Agent name for {{agent.name}}.
    #[arg(long, value_name = "NAME")]
    pub agent: Option<String>,
    /// UTC offset that sets the date of {{today}}, for example +08:00
    /// [default: the system's local time zone].
    #[arg(long, value_name = "+HH:MM", allow_hyphen_values = true)]
    pub utc_offset: Option<String>,
    /// Count this as one use of the phrase: its usage count goes up by one
    /// and its last use is set to now.
    #[arg(long)]
    pub mark_used: bool,
    /// Print the text and the missing placeholders as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("message").required(true).args(["ticket", "text"])))]
pub struct SuggestArgs {
    /// Ticket whose subject and latest customer message to match.
    #[arg(long, value_name = "N")]
    pub ticket: Option<i64>,
    /// Message text to match.
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
    /// Maximum number of phrases to print.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub limit: usize,
    /// Print a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(db: &Path, command: PhrasesCommand) -> anyhow::Result<ExitCode> {
    match command.action {
        PhrasesAction::List(args) => list(db, &args),
        PhrasesAction::Show(args) => show(db, &args),
        PhrasesAction::Add(args) => add(db, args),
        PhrasesAction::Import(args) => import(db, &args),
        PhrasesAction::Remove(args) => remove(db, &args.id),
        PhrasesAction::Render(args) => render_phrase(db, &args),
        PhrasesAction::Suggest(args) => suggest(db, &args),
    }
}

fn list(db: &Path, args: &ListArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let phrases = store.phrases(&PhraseFilter {
        category: args.category.clone(),
        search: args.search.clone(),
    })?;
    if args.json {
        print_json(&phrases)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = new_table(&["Id", "Category", "Title", "Keywords", "Uses"]);
    for phrase in &phrases {
        table.add_row(vec![
            printable(&phrase.id),
            cut(&phrase.category),
            cut(&phrase.title),
            cut(&phrase.keywords.join(", ")),
            phrase.usage_count.to_string(),
        ]);
    }
    print(&format!("{table}\n{} phrases\n", phrases.len()))?;
    Ok(ExitCode::SUCCESS)
}

fn show(db: &Path, args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let phrase = find(&store, &args.id)?;
    if args.json {
        print_json(&phrase)?;
        return Ok(ExitCode::SUCCESS);
    }
    let last_used = phrase
        .last_used_at
        .map(|time| {
            time.with_timezone(&Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|| "never".to_string());
    let text = format!(
        "Id:        {}\nCategory:  {}\nTitle:     {}\nKeywords:  {}\nUses:      {} (last {})\n\n{}\n",
        printable(&phrase.id),
        printable(&phrase.category),
        printable(&phrase.title),
        printable(&phrase.keywords.join(", ")),
        phrase.usage_count,
        last_used,
        printable_lines(&phrase.body),
    );
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn add(db: &Path, args: AddArgs) -> anyhow::Result<ExitCode> {
    let draft = PhraseDraft {
        id: args.id,
        category: args.category,
        title: args.title,
        body: args.body,
        keywords: args.keywords,
    };
    let mut store = Store::open(db)?;
    let outcome = store
        .save_phrase(&draft, Utc::now())
        .with_context(|| format!("phrase {:?} not saved", printable(&draft.id)))?;
    let id = draft.normalized().id;
    let verb = match outcome {
        UpsertOutcome::Added => "added",
        UpsertOutcome::Updated => "updated",
        UpsertOutcome::Unchanged => "unchanged",
    };
    print(&format!("phrase {} {verb}\n", printable(&id)))?;
    Ok(ExitCode::SUCCESS)
}

fn import(db: &Path, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let mut store = Store::open(db)?;
    let summary = store.import_phrases(&args.file, Utc::now())?;
    if args.json {
        print_json(&summary)?;
        return Ok(ExitCode::SUCCESS);
    }
    print(&format!(
        "Imported {}\nAdded:      {}\nUpdated:    {}\nUnchanged:  {}\n",
        args.file.display(),
        summary.added,
        summary.updated,
        summary.unchanged
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn remove(db: &Path, id: &str) -> anyhow::Result<ExitCode> {
    let mut store = Store::open_existing(db)?;
    if !store.remove_phrase(id)? {
        bail!(
            "phrase {:?} not found; `kefu phrases list` shows the known ones",
            printable(id)
        );
    }
    print(&format!("phrase {} removed\n", printable(id)))?;
    Ok(ExitCode::SUCCESS)
}

fn render_phrase(db: &Path, args: &RenderArgs) -> anyhow::Result<ExitCode> {
    let today = today(args.utc_offset.as_deref())?;
    let mut store = Store::open_existing(db)?;
    let phrase = find(&store, &args.id)?;
    let context = store.render_context(args.ticket, args.agent.as_deref(), Some(today))?;
    let rendered = render(&phrase.body, &context);

    if args.mark_used {
        let writer = store.writer()?;
        writer.record_phrase_use(&phrase.id, Utc::now())?;
        writer.commit()?;
    }
    if args.json {
        print_json(&rendered)?;
    } else {
        print(&format!("{}\n", rendered.text))?;
    }
    if !rendered.missing.is_empty() {
        let markers: Vec<String> = rendered
            .missing
            .iter()
            .map(|name| format!("[{name}?]"))
            .collect();
        let hint = if rendered.missing.iter().any(|name| name == "agent.name") {
            "; pass --agent NAME for the agent's name"
        } else {
            ""
        };
        eprintln!(
            "warning: ticket {} has no value for {}, so the text shows {} there; \
             fill them in before sending{hint}",
            args.ticket,
            rendered.missing.join(", "),
            markers.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn suggest(db: &Path, args: &SuggestArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let text = match (&args.text, args.ticket) {
        (Some(text), _) => text.clone(),
        (None, Some(ticket)) => store.ticket_customer_text(ticket)?,
        (None, None) => unreachable!("clap requires --ticket or --text"),
    };
    let suggestions = store.suggest_phrases(&text, args.limit)?;
    if args.json {
        print_json(&suggestions)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = new_table(&["Id", "Score", "Title", "Matched keywords", "Uses"]);
    for suggestion in &suggestions {
        table.add_row(vec![
            printable(&suggestion.id),
            format!("{:.2}", suggestion.score),
            cut(&suggestion.title),
            cut(&suggestion.matched_keywords.join(", ")),
            suggestion.usage_count.to_string(),
        ]);
    }
    print(&format!("{table}\n{} suggestions\n", suggestions.len()))?;
    Ok(ExitCode::SUCCESS)
}

fn find(store: &Store, id: &str) -> anyhow::Result<Phrase> {
    store.phrase(id)?.with_context(|| {
        format!(
            "phrase {:?} not found; `kefu phrases list` shows the known ones",
            printable(id)
        )
    })
}

/// Returns today's date at the UTC offset `utc_offset`, or in the system's
/// local time zone when it is `None`.
fn today(utc_offset: Option<&str>) -> anyhow::Result<NaiveDate> {
    let now = Utc::now();
    match utc_offset {
        None => Ok(today_in(&Local, now)),
        Some(text) => {
            let offset: FixedOffset = text.parse().map_err(|_| {
                anyhow::anyhow!(
                    "invalid UTC offset {:?}; write it as +HH:MM or -HH:MM, for example +08:00",
                    printable(text)
                )
            })?;
            Ok(today_in(&offset, now))
        }
    }
}
