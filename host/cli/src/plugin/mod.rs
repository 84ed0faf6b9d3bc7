//! `kefu plugin`: create, build, check, try out, install and manage plugins.

mod build;
mod check;
mod dataset;
mod event;
mod manage;
mod new;
mod try_out;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use kefu_core::plugin::PluginKind;

/// Arguments of `kefu plugin`.
#[derive(Debug, Args)]
pub struct PluginCommand {
    #[command(subcommand)]
    pub action: PluginAction,
}

#[derive(Debug, Subcommand)]
pub enum PluginAction {
    /// Create a plugin project from a template: sources, plugin.toml, a unit
    /// test and samples.
    New(NewArgs),
    /// Build a plugin project into a component with plugin.toml embedded,
    /// written to DIR/target/kefu/ID.wasm.
    Build(BuildArgs),
    /// Check a plugin file and print its manifest, interfaces, capabilities
    /// and limits. Exits with status 1 when it finds problems.
    Check(CheckArgs),
    /// Run a plugin file alone on sample inputs and print what it returns.
    /// Exits with status 1 when a call fails.
    Test(TestArgs),
    /// List the built-in and installed plugins with their state.
    List(ListArgs),
    /// Enable a plugin the user or the fault guard disabled.
    Enable(EnableArgs),
    /// Disable a plugin; it stays unloaded until enabled again.
    Disable(DisableArgs),
    /// Grant a capability the plugin's manifest declares.
    Grant(GrantArgs),
    /// Withdraw a granted capability.
    Revoke(GrantArgs),
    /// Check a plugin file and copy it into the plugins folder as ID.wasm.
    Install(InstallArgs),
}

/// Kind of plugin, as written on the command line and in plugin.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// A channel adapter: reads a channel's input into messages.
    Adapter,
    /// A ticket rule: acts on tickets when events happen.
    Rule,
    /// A report widget: turns datasets into a table or a chart.
    Widget,
}

impl From<KindArg> for PluginKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Adapter => PluginKind::Adapter,
            KindArg::Rule => PluginKind::Rule,
            KindArg::Widget => PluginKind::Widget,
        }
    }
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Plugin id, also the project's folder and Cargo package name: 1 to 64
    /// lower-case letters, digits and dashes, for example refund-tagger.
    pub name: String,
    /// Kind of plugin to create.
    #[arg(long, value_enum)]
    pub kind: KindArg,
    /// Folder to create the project in.
    #[arg(long, value_name = "PARENT", default_value = ".")]
    pub dir: PathBuf,
    /// Folder of the kefu-plugin-sdk crate the project depends on [default:
    /// plugin-api in the Kefu source this kefu was built from].
    #[arg(long, value_name = "PATH")]
    pub sdk: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Plugin project folder, with Cargo.toml and plugin.toml.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Plugin component file (.wasm).
    pub file: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Plugin component file (.wasm).
    pub file: PathBuf,
    /// Inputs. Adapter: files to parse. Rule: event files (JSON with a
    /// "kefu-event" key) or mail, chat and call-log files, read by the
    /// built-in adapters. Widget: dataset files (.csv or .json) named after
    /// the dataset, for example tickets-by-status.csv.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Grant a capability the manifest declares, for this run only:
    /// read-folder=DIR or http-host=HOST. Repeat for several.
    #[arg(long = "grant", value_name = "CAP=VALUE")]
    pub grants: Vec<String>,
    /// Rules: tier of the customer in events made from mail, chat and call
    /// files, for example vip.
    #[arg(long, default_value = "regular")]
    pub tier: String,
    /// Widgets: a parameter value as NAME=VALUE; unset parameters take their
    /// defaults. Repeat for several.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Widgets: save the view to FILE: .svg or .png for a chart, .csv for a
    /// table or a chart's data.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Widgets: chart size in pixels for --out, as WIDTHxHEIGHT.
    #[arg(long, default_value = "900x500", value_name = "WxH")]
    pub size: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EnableArgs {
    /// Plugin id, as `kefu plugin list` shows it.
    pub id: String,
}

#[derive(Debug, Args)]
pub struct DisableArgs {
    /// Plugin id, as `kefu plugin list` shows it.
    pub id: String,
    /// Reason for disabling the plugin, shown by `kefu plugin list`.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct GrantArgs {
    /// Plugin id, as `kefu plugin list` shows it.
    pub id: String,
    /// Capability: read-folder (a folder the plugin may read files under) or
    /// http-host (a host it may send HTTP requests to).
    #[arg(value_parser = [kefu_core::plugin::capability::READ_FOLDER, kefu_core::plugin::capability::HTTP_HOST])]
    pub capability: String,
    /// The folder or host, exactly as the plugin's manifest declares it.
    pub value: String,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Plugin component file (.wasm) to install.
    pub file: PathBuf,
}

/// Runs a `kefu plugin` subcommand on the database `db` and the plugins
/// folder `plugin_dir`.
pub fn run(db: &Path, plugin_dir: &Path, command: PluginCommand) -> anyhow::Result<ExitCode> {
    match command.action {
        PluginAction::New(args) => new::run(&args),
        PluginAction::Build(args) => build::run(&args),
        PluginAction::Check(args) => check::run(&args),
        PluginAction::Test(args) => try_out::run(&args),
        PluginAction::List(args) => manage::list(db, plugin_dir, &args),
        PluginAction::Enable(args) => manage::enable(db, plugin_dir, &args),
        PluginAction::Disable(args) => manage::disable(db, plugin_dir, &args),
        PluginAction::Grant(args) => manage::grant(db, plugin_dir, &args),
        PluginAction::Revoke(args) => manage::revoke(db, plugin_dir, &args),
        PluginAction::Install(args) => manage::install(db, plugin_dir, &args),
    }
}

/// Formats a size in bytes for people, for example `45591 bytes (44.5 KiB)`.
fn format_size(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if bytes < 1024 * 1024 {
        format!("{bytes} bytes ({:.1} KiB)", bytes as f64 / 1024.0)
    } else {
        format!(
            "{bytes} bytes ({:.1} MiB)",
            bytes as f64 / (1024.0 * 1024.0)
        )
    }
}
