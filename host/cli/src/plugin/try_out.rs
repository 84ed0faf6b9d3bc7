//! `kefu plugin test`: run one plugin file alone on sample inputs and print
//! what it returns. Nothing is stored: the plugin gets empty key-value
//! storage and only the capabilities granted with `--grant`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::DateTime;
use kefu_core::ingest::{MAX_INPUT_BYTES, PROBE_HEAD_BYTES};
use kefu_core::plugin::api::{AutomationKind, Channel, Direction, Message, Party};
use kefu_core::plugin::builtin::BUILTIN_PLUGINS;
use kefu_core::plugin::capability::{CapabilityContext, HTTP_HOST, READ_FOLDER};
use kefu_core::plugin::folder::read_plugin_file;
use kefu_core::plugin::kv::KvSpace;
use kefu_core::plugin::manifest::Capabilities;
use kefu_core::plugin::rule_api::{Action, Event, EventKind};
use kefu_core::plugin::widget_api::ParameterKind;
use kefu_core::plugin::{
    AdapterInput, AdapterParseError, AdapterParsed, AdapterPlugin, LoadedPlugin, Manifest,
    PluginContext, PluginEngine, PluginKind, ReportedIdentity, RulePlugin, WidgetPlugin,
};

use super::TestArgs;
use super::dataset::read_dataset;
use super::event::{EVENT_KEY, is_event_file, message_event, parse_event_file};
use crate::output::printable;

/// Maximum characters of a message's first line that are printed.
const MAX_LINE_CHARS: usize = 100;

pub fn run(args: &TestArgs) -> anyhow::Result<ExitCode> {
    let bytes = super::check::read_component(&args.file)?;
    let manifest = Manifest::from_component(&bytes)
        .with_context(|| format!("reading the manifest of {}", args.file.display()))?;
    check_options(args, manifest.kind)?;
    let granted = parse_grants(&args.grants, &manifest)?;
    let context = PluginContext {
        capabilities: CapabilityContext {
            plugin_id: manifest.id.clone(),
            declared: manifest.capabilities.clone(),
            granted: granted.clone(),
        },
        kv: KvSpace::default(),
    };
    let engine = crate::ingest::engine()?;
    let loaded = engine.load(&manifest, &bytes, context)?;
    crate::output::print(&format!(
        "Plugin {} {} ({}), granted: {}\n",
        manifest.id,
        manifest.version,
        manifest.kind.manifest_name(),
        granted
    ))?;
    let succeeded = match loaded {
        LoadedPlugin::Adapter(mut plugin) => run_adapter(&mut plugin, args)?,
        LoadedPlugin::Rule(mut plugin) => run_rule(&engine, &mut plugin, args)?,
        LoadedPlugin::Widget(mut plugin) => run_widget(&mut plugin, args)?,
    };
    Ok(if succeeded {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Rejects options that do not apply to the plugin's kind, and a missing input.
fn check_options(args: &TestArgs, kind: PluginKind) -> anyhow::Result<()> {
    if kind != PluginKind::Widget {
        if !args.params.is_empty() || args.out.is_some() {
            bail!(
                "--param and --out apply to widgets; this plugin is a {}",
                kind.manifest_name()
            );
        }
        if args.inputs.is_empty() {
            bail!(
                "give at least one input file to run the {} on",
                kind.manifest_name()
            );
        }
    }
    if kind != PluginKind::Rule && args.tier != "regular" {
        bail!(
            "--tier applies to rules; this plugin is a {}",
            kind.manifest_name()
        );
    }
    Ok(())
}

/// Reads `--grant CAP=VALUE` options into capabilities, each of which the
/// manifest must declare.
fn parse_grants(grants: &[String], manifest: &Manifest) -> anyhow::Result<Capabilities> {
    let mut granted = Capabilities::default();
    for grant in grants {
        let Some((capability, value)) = grant.split_once('=') else {
            bail!("--grant {grant:?} is not CAP=VALUE, for example {READ_FOLDER}=/srv/exports");
        };
        let (declared, list) = match capability {
            READ_FOLDER => (
                &manifest.capabilities.read_folders,
                &mut granted.read_folders,
            ),
            HTTP_HOST => (&manifest.capabilities.http_hosts, &mut granted.http_hosts),
            _ => bail!(
                "--grant {grant:?}: unknown capability {capability:?}; use {READ_FOLDER} or {HTTP_HOST}"
            ),
        };
        if !declared.iter().any(|entry| entry == value) {
            bail!(
                "--grant {grant:?}: plugin.toml of {} does not declare {capability} {value}; it declares {}",
                manifest.id,
                manifest.capabilities
            );
        }
        list.push(value.to_string());
    }
    Ok(granted)
}

/// Reads an input file, rejecting anything but a regular file of at most
/// the size Kefu imports.
pub(super) fn read_input(path: &Path) -> anyhow::Result<Vec<u8>> {
    read_plugin_file(path, MAX_INPUT_BYTES)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Prints a failed call or rejected input and returns false, for `succeeded &=`.
fn failure(text: String) -> anyhow::Result<bool> {
    crate::output::print(&format!("  FAILED: {}\n", printable(&text)))?;
    Ok(false)
}

fn run_adapter(plugin: &mut AdapterPlugin, args: &TestArgs) -> anyhow::Result<bool> {
    let mut succeeded = true;
    match plugin.recognises() {
        Ok(recognition) => crate::output::print(&format!(
            "Recognises: extensions {}; content types {}; webhook {}\n",
            list_or_none(&recognition.extensions),
            list_or_none(&recognition.content_types),
            recognition.webhook_path.as_deref().unwrap_or("none")
        ))?,
        Err(error) => succeeded &= failure(format!("recognises: {error}"))?,
    }
    for path in &args.inputs {
        let bytes = read_input(path)?;
        let name = file_name(path);
        crate::output::print(&format!("\n{}\n", path.display()))?;
        let head = &bytes[..bytes.len().min(PROBE_HEAD_BYTES)];
        match plugin.probe(&name, head) {
            Ok(score) => crate::output::print(&format!("  probe score: {score} of 100\n"))?,
            Err(error) => succeeded &= failure(format!("probe: {error}"))?,
        }
        let input = AdapterInput {
            name,
            content_type: None,
            bytes,
        };
        match plugin.parse(&input) {
            Ok(output) => match &output.result {
                Ok(parsed) => print_parsed(parsed, &output.identities)?,
                Err(error) => succeeded &= failure(parse_error_text(error))?,
            },
            Err(error) => succeeded &= failure(error.to_string())?,
        }
    }
    Ok(succeeded)
}

fn parse_error_text(error: &AdapterParseError) -> String {
    match error {
        AdapterParseError::Unsupported(reason) => format!("unsupported input: {reason}"),
        AdapterParseError::Malformed(reason) => format!("malformed input: {reason}"),
    }
}

fn print_parsed(parsed: &AdapterParsed, identities: &[ReportedIdentity]) -> anyhow::Result<()> {
    let mut lines = vec![format!(
        "  messages: {}, rejected parts: {}",
        parsed.messages.len(),
        parsed.rejected.len()
    )];
    for (index, message) in parsed.messages.iter().enumerate() {
        lines.push(format!("  {}. {}", index + 1, message_summary(message)));
        lines.extend(message_details(message));
    }
    for rejected in &parsed.rejected {
        let location = match &rejected.span {
            Some(span) => format!("bytes {}..{}", span.offset, span.offset + span.length),
            None => "whole input".to_string(),
        };
        lines.push(format!(
            "  rejected ({location}): {}",
            printable(&rejected.reason)
        ));
    }
    for identity in identities {
        lines.push(format!(
            "  identity: {} also has {}:{}",
            printable(&identity.customer),
            identity.channel,
            printable(&identity.value)
        ));
    }
    lines.push(String::new());
    crate::output::print(&lines.join("\n"))
}

/// Formats a message's channel, direction and sender on one line.
fn message_summary(message: &Message) -> String {
    format!(
        "{} {} from {}",
        channel_name(message.channel),
        match message.direction {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        },
        party_text(&message.sender)
    )
}

/// Indented lines with the subject, send time, first line of text and
/// automation mark of a message.
fn message_details(message: &Message) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(subject) = &message.subject {
        lines.push(format!("       subject:    {}", cut(subject)));
    }
    let sent = message
        .sent_at
        .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
        .map_or("unknown".to_string(), |time| {
            time.format("%Y-%m-%d %H:%M:%S UTC").to_string()
        });
    lines.push(format!("       sent:       {sent}"));
    let first_line = message
        .body_text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("");
    lines.push(format!("       first line: {}", cut(first_line)));
    if let Some(automation) = &message.automation {
        let kind = match automation.kind {
            AutomationKind::AutoReply => "auto-reply",
            AutomationKind::Bounce => "bounce",
            AutomationKind::Bulk => "bulk",
        };
        lines.push(format!(
            "       automatic:  {kind} ({})",
            cut(&automation.evidence)
        ));
    }
    lines
}

fn run_rule(
    engine: &PluginEngine,
    plugin: &mut RulePlugin,
    args: &TestArgs,
) -> anyhow::Result<bool> {
    let mut succeeded = true;
    let mut adapters: Option<Vec<AdapterPlugin>> = None;
    for path in &args.inputs {
        let bytes = read_input(path)?;
        crate::output::print(&format!("\n{}\n", path.display()))?;
        let events = if is_event_file(&bytes) {
            match parse_event_file(&bytes) {
                Ok(event) => vec![event],
                Err(error) => {
                    succeeded &= failure(format!("{error:#}"))?;
                    continue;
                }
            }
        } else {
            let adapters = match &mut adapters {
                Some(adapters) => adapters,
                None => adapters.insert(builtin_adapters(engine)?),
            };
            match read_messages(adapters, path, bytes) {
                Ok(messages) => messages
                    .into_iter()
                    .map(|message| message_event(message, &args.tier))
                    .collect(),
                Err(reason) => {
                    succeeded &= failure(reason)?;
                    continue;
                }
            }
        };
        for event in events {
            crate::output::print(&format!("  event: {}\n", event_summary(&event)))?;
            match plugin.on_event(&event) {
                Ok(actions) => print_actions(&event, &actions)?,
                Err(error) => succeeded &= failure(error.to_string())?,
            }
        }
    }
    Ok(succeeded)
}

/// Loads the built-in adapters, which read mail, chat and call-log files
/// into messages for rules.
fn builtin_adapters(engine: &PluginEngine) -> anyhow::Result<Vec<AdapterPlugin>> {
    let mut adapters = Vec::new();
    for builtin in BUILTIN_PLUGINS
        .iter()
        .filter(|builtin| builtin.kind == PluginKind::Adapter)
    {
        let manifest = Manifest::from_component(builtin.component)
            .with_context(|| format!("built-in plugin {}", builtin.id))?;
        adapters.push(engine.load_adapter(builtin.id, builtin.component, manifest.limits())?);
    }
    Ok(adapters)
}

/// Reads an input with the built-in adapter that scores it highest, as
/// `kefu ingest` does. Returns the reason when none reads it.
fn read_messages(
    adapters: &mut [AdapterPlugin],
    path: &Path,
    bytes: Vec<u8>,
) -> Result<Vec<Message>, String> {
    let name = file_name(path);
    let head = &bytes[..bytes.len().min(PROBE_HEAD_BYTES)];
    let mut best: Option<(usize, u8)> = None;
    for (index, adapter) in adapters.iter_mut().enumerate() {
        let score = adapter.probe(&name, head).unwrap_or(0);
        if score > 0 && best.is_none_or(|(_, best_score)| score > best_score) {
            best = Some((index, score));
        }
    }
    let Some((index, _)) = best else {
        return Err(format!(
            "no built-in adapter reads {}; give an event file (a JSON object with a \
             {EVENT_KEY:?} key) or a mail, chat or call-log file",
            path.display()
        ));
    };
    let adapter = &mut adapters[index];
    let adapter_id = adapter.id().to_string();
    let input = AdapterInput {
        name,
        content_type: None,
        bytes,
    };
    match adapter.parse(&input).map(|output| output.result) {
        Ok(Ok(parsed)) => {
            if parsed.messages.is_empty() {
                return Err(format!(
                    "adapter {adapter_id} read no messages from the input"
                ));
            }
            Ok(parsed.messages)
        }
        Ok(Err(error)) => Err(format!(
            "adapter {adapter_id}: {}",
            parse_error_text(&error)
        )),
        Err(error) => Err(error.to_string()),
    }
}

fn event_summary(event: &Event) -> String {
    let kind = match &event.kind {
        EventKind::MessageReceived(received) => {
            format!("message-received, {}", message_summary(&received.message))
        }
        EventKind::TicketCreated => "ticket-created".to_string(),
        EventKind::TicketUpdated(change) => format!(
            "ticket-updated, {} {} -> {} by {}",
            change.field,
            change.old_value.as_deref().unwrap_or("none"),
            change.new_value.as_deref().unwrap_or("none"),
            change.actor
        ),
        EventKind::TimerFired(timer) => format!("timer-fired, {}", timer.name),
    };
    let ticket = match &event.conversation.ticket {
        Some(ticket) => format!(
            "ticket {} ({}, {}, {})",
            ticket.id, ticket.ticket_type, ticket.priority, ticket.status
        ),
        None => "no ticket".to_string(),
    };
    printable(&format!(
        "{kind}; customer tier {}; {ticket}",
        event.customer.tier
    ))
}

fn print_actions(event: &Event, actions: &[Action]) -> anyhow::Result<()> {
    if actions.is_empty() {
        return crate::output::print("  actions: none\n");
    }
    let mut lines = vec![format!("  actions: {}", actions.len())];
    for action in actions {
        lines.push(format!("    {}", printable(&action_text(action))));
    }
    let acts_on_ticket = actions
        .iter()
        .any(|action| !matches!(action, Action::OpenTicket(_)));
    if event.conversation.ticket.is_none() && acts_on_ticket {
        lines.push(
            "  note: this event's conversation has no ticket, so here Kefu would ignore every \
             action but open-ticket. On a real import default-rules opens the ticket first, \
             and these actions then apply to it"
                .to_string(),
        );
    }
    lines.push(String::new());
    crate::output::print(&lines.join("\n"))
}

/// Formats an action in the words of the WIT `action` variant.
fn action_text(action: &Action) -> String {
    match action {
        Action::OpenTicket(ticket) => format!(
            "open-ticket type={} priority={} reason={:?}",
            ticket.ticket_type, ticket.priority, ticket.reason
        ),
        Action::SetType(value) => format!("set-type {value}"),
        Action::SetPriority(value) => format!("set-priority {value}"),
        Action::SetStatus(value) => format!("set-status {value}"),
        Action::Assign(agent) => format!("assign {agent:?}"),
        Action::AddTag(tag) => format!("add-tag {tag:?}"),
        Action::AddNote(text) => format!("add-note {:?}", cut(text)),
        Action::ScheduleTimer(timer) => {
            format!(
                "schedule-timer {:?} after {} s",
                timer.name, timer.after_seconds
            )
        }
        Action::SuggestPhrase(phrase) => format!("suggest-phrase {phrase}"),
        Action::SendPhrase(phrase) => format!("send-phrase {phrase}"),
    }
}

fn run_widget(plugin: &mut WidgetPlugin, args: &TestArgs) -> anyhow::Result<bool> {
    let id = plugin.id().to_string();
    let description = match plugin.describe() {
        Ok(description) => description,
        Err(error) => return failure(format!("describe: {error}")),
    };
    let mut lines = vec![format!("Title: {}", printable(&description.title))];
    lines.push("Parameters:".to_string());
    for parameter in &description.parameters {
        lines.push(printable(&format!(
            "  {} ({}, default {:?}): {}",
            parameter.name,
            parameter_kind_text(&parameter.kind),
            parameter.default_value,
            parameter.label
        )));
    }
    if description.parameters.is_empty() {
        lines.push("  none".to_string());
    }
    lines.push(printable(&format!(
        "Datasets: {}",
        list_or_none(&description.datasets)
    )));
    lines.push(String::new());
    crate::output::print(&lines.join("\n"))?;

    let parameter_values = crate::report::parse_params(&args.params)?;
    let parameters =
        match kefu_core::report::resolve_parameters(&id, &description, &parameter_values) {
            Ok(parameters) => parameters,
            Err(error) => return failure(error.to_string()),
        };
    let mut datasets = Vec::new();
    for path in &args.inputs {
        datasets.push(read_dataset(path)?);
    }
    if let ([expected], [dataset]) = (description.datasets.as_slice(), datasets.as_mut_slice())
        && dataset.name != *expected
    {
        crate::output::print(&format!(
            "note: passing {} as dataset {expected}, the one dataset the widget requests\n",
            dataset.name
        ))?;
        dataset.name = expected.clone();
    }
    for expected in &description.datasets {
        if !datasets.iter().any(|dataset| dataset.name == *expected) {
            crate::output::print(&format!(
                "note: no file for dataset {expected}, so the widget does not get it; name a \
                 file {expected}.csv or {expected}.json\n"
            ))?;
        }
    }
    let view = match plugin.render(&parameters, &datasets) {
        Ok(Ok(view)) => view,
        Ok(Err(message)) => return failure(format!("render failed: {message}")),
        Err(error) => return failure(error.to_string()),
    };
    let view = match kefu_core::report::to_report_view(&id, view) {
        Ok(view) => view,
        Err(error) => return failure(error.to_string()),
    };
    crate::output::print(&view_text(&view))?;
    if let Some(out) = &args.out {
        let (width, height) = crate::report::parse_size(&args.size)?;
        crate::report::save(&view, out, width, height)?;
        crate::output::print(&format!("Saved {}\n", out.display()))?;
    }
    Ok(true)
}

/// Formats a table as aligned text, and a chart as its kind, title and
/// labels over a table of its values with one row per category.
fn view_text(view: &kefu_report::View) -> String {
    match view {
        kefu_report::View::Table(table) => {
            format!("Table:\n{}", kefu_report::table_text(table))
        }
        kefu_report::View::Chart(chart) => {
            let mut columns = vec![if chart.x_label.is_empty() {
                "category".to_string()
            } else {
                chart.x_label.clone()
            }];
            columns.extend(chart.series.iter().map(|series| series.name.clone()));
            let rows = chart
                .categories
                .iter()
                .enumerate()
                .map(|(index, category)| {
                    let mut row = vec![kefu_report::Cell::Text(category.clone())];
                    row.extend(chart.series.iter().map(|series| {
                        series
                            .values
                            .get(index)
                            .map_or(kefu_report::Cell::Empty, |value| {
                                kefu_report::Cell::Number(*value)
                            })
                    }));
                    row
                })
                .collect();
            let table = kefu_report::Table { columns, rows };
            format!(
                "Chart: {:?}, title \"{}\", x axis \"{}\", y axis \"{}\"\n{}",
                chart.kind,
                printable(&chart.title),
                printable(&chart.x_label),
                printable(&chart.y_label),
                kefu_report::table_text(&table)
            )
        }
    }
}

fn parameter_kind_text(kind: &ParameterKind) -> String {
    match kind {
        ParameterKind::Text => "text".to_string(),
        ParameterKind::Integer => "integer".to_string(),
        ParameterKind::Date => "date YYYY-MM-DD".to_string(),
        ParameterKind::Choice(choices) => format!("one of {}", choices.join(", ")),
    }
}

fn channel_name(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "email",
        Channel::Chat => "chat",
        Channel::Phone => "phone",
    }
}

fn party_text(party: &Party) -> String {
    let address = if party.address.is_empty() {
        "no address"
    } else {
        party.address.as_str()
    };
    let text = match &party.name {
        Some(name) => format!("{name} <{address}>"),
        None => format!("<{address}>"),
    };
    printable(&text)
}

/// Returns `text` made printable and cut to [`MAX_LINE_CHARS`].
fn cut(text: &str) -> String {
    let line = printable(text.trim());
    if line.chars().count() > MAX_LINE_CHARS {
        let mut cut: String = line.chars().take(MAX_LINE_CHARS - 1).collect();
        cut.push('…');
        cut
    } else {
        line
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}
