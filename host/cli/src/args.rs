//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Kefu (客服): a local-first customer-service workbench.
///
/// With no command, opens the desktop app.
#[derive(Debug, Parser)]
#[command(name = "kefu", version)]
pub struct Cli {
    /// Database file [default: kefu.db in the user's data folder].
    #[arg(long, global = true, env = kefu_core::paths::DB_ENV, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Plugins folder [default: plugins in the user's data folder]. Plugin
    /// files here load beside the built-in plugins.
    #[arg(long, global = true, env = kefu_core::paths::PLUGINS_ENV, value_name = "DIR")]
    pub plugins: Option<PathBuf>,

    /// Configuration folder with lifecycle.toml, sla.toml and rules.toml
    /// [default: kefu in the user's configuration folder]. A missing file
    /// means the built-in defaults.
    #[arg(long, global = true, env = kefu_core::paths::CONFIG_ENV, value_name = "DIR")]
    pub config: Option<PathBuf>,

    /// File whose first line is the passphrase of the encrypted database,
    /// or the new passphrase for `kefu encrypt`. KEFU_PASSPHRASE contains
    /// the passphrase itself instead.
    #[arg(
        long,
        global = true,
        env = kefu_core::encryption::PASSPHRASE_FILE_ENV,
        value_name = "FILE"
    )]
    pub passphrase_file: Option<PathBuf>,

    /// Log more to standard error: -v for warnings and progress, -vv for
    /// debugging. KEFU_LOG overrides it.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Option<Command>,
}

// The command line is parsed once per process, so a large variant costs
// nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the desktop workbench.
    App,
    /// Import mail, chat and call-log files and folders.
    Ingest(IngestCommand),
    /// Watch drop folders and import each file that arrives, then move it
    /// out of the folder. Runs until Ctrl-C.
    Watch(crate::intake::WatchCommand),
    /// Fetch unseen mail from the IMAP accounts in intake.toml and flag it
    /// seen once stored.
    Fetch(crate::intake::FetchCommand),
    /// List conversations.
    Conversations(ListOptions),
    /// The to-do list and ticket work: list, show, update, assign, merge,
    /// log time, saved views.
    Tickets(crate::tickets::TicketsCommand),
    /// Tasks beside tickets, such as calling back a missed call.
    Tasks(crate::tickets::TasksCommand),
    /// List inputs that could not be read, with the reason.
    Quarantine(ListOptions),
    /// List a message's attachments, or save one to a file.
    Attachments(crate::attachments::AttachmentsCommand),
    /// Set a customer's tier, for example vip.
    SetTier(SetTierCommand),
    /// Run a report widget and print its table or save its chart, or with
    /// --period compute the report metrics and export them as CSV or Excel.
    Report(ReportCommand),
    /// Customer satisfaction ratings: import them from a CSV file.
    Ratings(RatingsCommand),
    /// Create, build, check, test, install and manage plugins.
    Plugin(crate::plugin::PluginCommand),
    /// Manage the phrase library of canned replies: list, add, import,
    /// render for a ticket and suggest for a message.
    Phrases(crate::phrases::PhrasesCommand),
    /// List, check and dry-run ticket rules: those in rules.toml and rule plugins.
    Rules(crate::rules::RulesCommand),
    /// Manage agents and route the unassigned queue to them.
    Agents(crate::agents::AgentsCommand),
    /// Run the webhook server that chat platforms post events to, as set in
    /// webhook.toml; stops on Ctrl-C.
    Serve(ServeCommand),
    /// One customer across channels: list, show the history on every
    /// channel, link an address, merge and split customers.
    Customers(crate::customers::CustomersCommand),
    /// Reply to a ticket's customer: store the reply, queue it in the
    /// outbox and try to send it.
    Reply(crate::outbox::ReplyCommand),
    /// List the outbox (state, attempts, last error), deliver what is due,
    /// or queue a failed message again.
    Outbox(crate::outbox::OutboxCommand),
    /// Import the bundled sample inputs into a demo database and show them:
    /// in the desktop app where a display exists, else as tables. With
    /// --customers or --days, first generate a history of customers and
    /// tickets.
    Demo(DemoCommand),
    /// Copy the database to a file while the app and imports keep running,
    /// or make the automatic backup set in backup.toml (--scheduled).
    Backup(crate::backup::BackupCommand),
    /// Replace the database with a backup, after checking the backup; the
    /// replaced database is kept beside it.
    Restore(crate::backup::RestoreCommand),
    /// Encrypt the database (SQLCipher) with the passphrase from
    /// --passphrase-file, KEFU_PASSPHRASE_FILE or KEFU_PASSPHRASE. Every
    /// command and the app need that passphrase afterwards.
    Encrypt,
    /// Decrypt the database into a plain SQLite file, with its passphrase.
    Decrypt,
    /// Re-encrypt the database with a new passphrase. The current one comes
    /// from --passphrase-file, KEFU_PASSPHRASE_FILE or KEFU_PASSPHRASE.
    /// Backups made before keep the old passphrase.
    ChangePassphrase(ChangePassphraseCommand),
}

#[derive(Debug, Args)]
pub struct ChangePassphraseCommand {
    /// File whose first line is the new passphrase.
    #[arg(long, value_name = "FILE")]
    pub new_passphrase_file: PathBuf,
}

#[derive(Debug, Args)]
pub struct IngestCommand {
    /// Files or folders: .eml, mbox, Maildir folders, Asterisk Master.csv,
    /// chat JSON Lines (.jsonl), Chatwoot webhook payloads (.json).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListOptions {
    /// Print a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReportCommand {
    /// Id of a widget plugin, for example messages-per-day. Without it and
    /// without --period, lists the widgets and the datasets they can use.
    pub widget: Option<String>,
    /// A parameter value, as NAME=VALUE; repeat for several.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Save the view to a file: .svg or .png for a chart, .csv for a table
    /// or a chart's data. For the metrics report, the CSV, Excel, PDF or text
    /// file.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Compute the metrics report for this period, in the SLA calendar's
    /// time zone: 2026 (a year), 2026-11 (a month), 2026-W45 (an ISO week),
    /// 2026-11-05 (a day) or 2026-11-01..2026-11-15 (days, both included).
    #[arg(long, value_name = "PERIOD")]
    pub period: Option<String>,
    /// Split the metrics by agent, type, tier, channel, ticket, hour, day,
    /// week or month; repeat or separate with commas for several.
    #[arg(long, value_name = "DIMENSION")]
    pub by: Vec<String>,
    /// Metrics report format: csv, xlsx, pdf or text [default: from the -o
    /// file's extension, else text].
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Count only this agent's tickets; (unassigned) for tickets without one.
    #[arg(long, value_name = "NAME")]
    pub agent: Option<String>,
    /// Count only tickets of this type, for example pre-sales.
    #[arg(long = "type", value_name = "TYPE")]
    pub ticket_type: Option<String>,
    /// Count only tickets of customers of this tier, for example vip.
    #[arg(long, value_name = "TIER")]
    pub tier: Option<String>,
    /// Count only tickets that came in on this channel: email, chat or phone.
    #[arg(long, value_name = "CHANNEL")]
    pub channel: Option<String>,
    /// Chart size in pixels, as WIDTHxHEIGHT.
    #[arg(long, default_value = "900x500", value_name = "WxH")]
    pub size: String,
}

#[derive(Debug, Args)]
pub struct SetTierCommand {
    /// The customer's email address, phone number or chat id.
    pub address: String,
    /// Tier to set, for example vip or regular.
    pub tier: String,
    /// Channel of the address [default: email when it contains @, phone when
    /// it is a number, else chat].
    #[arg(long, value_parser = ["email", "chat", "phone"])]
    pub channel: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoCommand {
    /// Folder of sample inputs [default: tests/fixtures in the source tree].
    #[arg(long, value_name = "DIR")]
    pub samples: Option<PathBuf>,

    /// Print tables instead of opening the desktop app.
    #[arg(long)]
    pub no_app: bool,

    /// Generate this many demo customers, with a history of tickets, before
    /// importing the samples [default with --days: 200].
    #[arg(long, value_name = "N")]
    pub customers: Option<u32>,

    /// Generate a history of this many days, ending at --end [default with
    /// --customers: 90].
    #[arg(long, value_name = "D")]
    pub days: Option<u32>,

    /// Tickets to generate [default: one per customer per 30 days].
    #[arg(long, value_name = "N")]
    pub tickets: Option<u32>,

    /// Seed of the generated data; the same seed and --end give the same
    /// data.
    #[arg(long, default_value_t = kefu_core::demo::DEFAULT_SEED)]
    pub seed: u64,

    /// The generated history ends at the start of this day, in the SLA
    /// time zone (Asia/Shanghai built in) [default: today].
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub end: Option<chrono::NaiveDate>,
}

#[derive(Debug, Args)]
pub struct ServeCommand {
    /// Write a new random bearer token to the token file (webhook-token in
    /// the configuration folder unless webhook.toml names another), print
    /// it, and start the server with it. The old token stops working.
    #[arg(long)]
    pub new_token: bool,

    /// Address and port to listen on, overriding listen in webhook.toml, for
    /// example 127.0.0.1:0 for any free port.
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<std::net::SocketAddr>,
}

#[derive(Debug, Args)]
pub struct RatingsCommand {
    #[command(subcommand)]
    pub action: RatingsAction,
}

#[derive(Debug, Subcommand)]
pub enum RatingsAction {
    /// Import ratings from a CSV file with the columns ticket, score (1-5),
    /// rated_at and an optional comment. A file with an invalid line
    /// imports nothing; importing a file again skips the rows stored.
    Import {
        /// The CSV file.
        file: PathBuf,
    },
}
