//! The ingest pipeline: raw input in, conversations and tickets out.
//!
//! For each input the pipeline picks the adapter that scores the input
//! highest, parses it inside the plugin sandbox, and then stores the raw
//! bytes, the messages, the quarantined parts and the tickets opened by
//! rules in one transaction. An input no adapter can read is stored and
//! quarantined with the reason, and the import goes on with the next one.

pub mod cdr_mapping;
mod identities;
mod message;
pub(crate) use message::dedupe_key;
mod rules;
pub mod walk;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::plugin::{AdapterInput, AdapterParseError, ParseOutput, PluginSet};
use crate::store::{Store, Writer};

/// Bytes of an input that adapters see when they score it.
pub const PROBE_HEAD_BYTES: usize = 4096;

/// Largest input read in one piece. An adapter parses a whole input inside
/// its memory cap, so larger files are reported and left where they are.
/// NOTE: splitting large mbox files into entries before parsing would lift
/// this limit for mail.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Maximum number of files [`Ingestor::ingest_paths`] stores in one
/// transaction.
pub const BATCH_MAX_INPUTS: usize = 500;

/// Time after which [`Ingestor::ingest_paths`] commits the files read so
/// far, so another process waiting for the write lock (the app, a second
/// import) waits at most about this long plus one file.
pub const BATCH_MAX_OPEN: Duration = Duration::from_millis(500);

/// Counts and problems of one import.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IngestSummary {
    /// Inputs read (files, or requests).
    pub inputs: usize,
    /// Inputs skipped because the same bytes were imported before.
    pub duplicate_inputs: usize,
    /// Messages stored.
    pub messages_stored: usize,
    /// Messages skipped because a message with the same id or bytes is stored.
    pub duplicate_messages: usize,
    /// Messages stored per adapter id.
    pub messages_by_adapter: BTreeMap<String, usize>,
    pub conversations_created: usize,
    pub customers_created: usize,
    pub tickets_opened: usize,
    /// Callback tasks created for missed or abandoned calls.
    pub callback_tasks: usize,
    /// Customer messages stored as the satisfaction rating of a finished
    /// ticket.
    pub ratings_stored: usize,
    /// Time rules that fired on a ticket.
    pub time_rules_fired: usize,
    /// Inputs an adapter read without finding a message or a problem, such
    /// as a chat status-change event. Their raw bytes are stored.
    pub without_messages: Vec<String>,
    /// Inputs or parts of inputs that could not be read, with the reason.
    /// Their bytes are stored, so they can be retried.
    pub quarantined: Vec<Quarantined>,
    /// Files and folders that were not read at all (unreadable, too large),
    /// with the reason. Nothing of them is stored; they stay where they are.
    pub not_read: Vec<Quarantined>,
    /// Failed rule calls; the messages they were called for are stored.
    pub rule_failures: Vec<String>,
}

/// A quarantined input or part of one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quarantined {
    pub source: String,
    pub reason: String,
}

impl IngestSummary {
    /// Adds the counts and lists of `other` to this summary.
    pub fn absorb(&mut self, other: IngestSummary) {
        self.inputs += other.inputs;
        self.duplicate_inputs += other.duplicate_inputs;
        self.messages_stored += other.messages_stored;
        self.duplicate_messages += other.duplicate_messages;
        for (adapter, count) in other.messages_by_adapter {
            *self.messages_by_adapter.entry(adapter).or_default() += count;
        }
        self.conversations_created += other.conversations_created;
        self.customers_created += other.customers_created;
        self.tickets_opened += other.tickets_opened;
        self.callback_tasks += other.callback_tasks;
        self.ratings_stored += other.ratings_stored;
        self.time_rules_fired += other.time_rules_fired;
        self.without_messages.extend(other.without_messages);
        self.quarantined.extend(other.quarantined);
        self.not_read.extend(other.not_read);
        self.rule_failures.extend(other.rule_failures);
    }
}

/// Receives progress of a long import.
pub trait Progress {
    /// Called once, with the number of inputs about to be read.
    fn begin(&mut self, _inputs: usize) {}
    /// Called after each input.
    fn input_done(&mut self, _source: &str) {}
    /// Called once at the end.
    fn finish(&mut self) {}
}

/// A [`Progress`] that reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {}

/// Imports inputs into a store through a set of plugins.
pub struct Ingestor<'a> {
    store: &'a mut Store,
    plugins: &'a mut PluginSet,
}

impl<'a> Ingestor<'a> {
    pub fn new(store: &'a mut Store, plugins: &'a mut PluginSet) -> Self {
        Self { store, plugins }
    }

    /// Imports every input file under `paths` (files, folders, Maildir
    /// folders). A file that cannot be read, or is larger than
    /// [`MAX_INPUT_BYTES`], is listed in [`IngestSummary::not_read`] and the
    /// import goes on with the next.
    pub fn ingest_paths(
        &mut self,
        paths: &[PathBuf],
        progress: &mut dyn Progress,
    ) -> anyhow::Result<IngestSummary> {
        let found = walk::input_files(paths)?;
        let mut summary = IngestSummary::default();
        for (folder, reason) in found.unlisted {
            tracing::warn!(folder = %folder.display(), reason, "folder not read");
            summary.not_read.push(Quarantined {
                source: folder.display().to_string(),
                reason,
            });
        }
        self.fire_due_timers(Utc::now(), &mut summary)?;
        progress.begin(found.files.len());
        let mut files = found.files.iter().peekable();
        while files.peek().is_some() {
            summary.absorb(self.ingest_batch(&mut files, progress)?);
        }
        progress.finish();
        Ok(summary)
    }

    /// Imports the next files of `files` in one transaction, which ends
    /// after [`BATCH_MAX_INPUTS`] files or once it has been open for
    /// [`BATCH_MAX_OPEN`]. Committing once per batch instead of once per
    /// file saves rewriting the same index pages for every message.
    fn ingest_batch<'f>(
        &mut self,
        files: &mut impl Iterator<Item = &'f PathBuf>,
        progress: &mut dyn Progress,
    ) -> anyhow::Result<IngestSummary> {
        let mut summary = IngestSummary::default();
        let writer = self.store.writer()?;
        let opened = Instant::now();
        let mut inputs = 0;
        let mut last_source = String::new();
        while inputs < BATCH_MAX_INPUTS && opened.elapsed() < BATCH_MAX_OPEN {
            let Some(file) = files.next() else {
                break;
            };
            inputs += 1;
            let source = file.display().to_string();
            match read_input(file).and_then(|bytes| cdr_mapping::wrap(file, bytes)) {
                Ok(bytes) => {
                    let name = file
                        .file_name()
                        .map(|name| name.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let file_time = std::fs::metadata(file)
                        .and_then(|metadata| metadata.modified())
                        .ok()
                        .map(DateTime::<Utc>::from);
                    let input = Input {
                        source: &source,
                        name: &name,
                        content_type: None,
                        bytes: &bytes,
                        adapter_id: None,
                        file_time,
                    };
                    summary.absorb(store_input(&writer, self.plugins, &input)?);
                }
                Err(reason) => {
                    tracing::warn!(source, reason, "input not read");
                    summary.inputs += 1;
                    summary.not_read.push(Quarantined {
                        source: source.clone(),
                        reason,
                    });
                }
            }
            progress.input_done(&source);
            last_source = source;
        }
        save_plugin_kv(&writer, self.plugins)?;
        writer
            .commit()
            .with_context(|| format!("storing the {inputs} inputs up to {last_source}"))?;
        self.plugins.save_faults(self.store)?;
        Ok(summary)
    }

    /// Imports one input in a transaction of its own. `source` names it in
    /// the store and in messages (a path or a request id); `name` is the
    /// file name adapters see.
    pub fn ingest_bytes(
        &mut self,
        source: &str,
        name: &str,
        content_type: Option<&str>,
        bytes: &[u8],
    ) -> anyhow::Result<IngestSummary> {
        self.ingest_input(&Input {
            source,
            name,
            content_type,
            bytes,
            adapter_id: None,
            file_time: None,
        })
    }

    /// Imports one input like [`Ingestor::ingest_bytes`], parsed by the
    /// adapter with id `adapter_id` without probing, as for a request to
    /// that adapter's webhook path. An input that adapter cannot read is
    /// quarantined, also when the adapter is not loaded or is disabled.
    pub fn ingest_with_adapter(
        &mut self,
        source: &str,
        name: &str,
        content_type: Option<&str>,
        bytes: &[u8],
        adapter_id: &str,
    ) -> anyhow::Result<IngestSummary> {
        self.ingest_input(&Input {
            source,
            name,
            content_type,
            bytes,
            adapter_id: Some(adapter_id),
            file_time: None,
        })
    }

    fn ingest_input(&mut self, input: &Input<'_>) -> anyhow::Result<IngestSummary> {
        let source = input.source;
        let writer = self.store.writer()?;
        let summary = store_input(&writer, self.plugins, input)?;
        save_plugin_kv(&writer, self.plugins)?;
        writer
            .commit()
            .with_context(|| format!("storing the messages of {source}"))?;
        self.plugins.save_faults(self.store)?;
        Ok(summary)
    }

    /// Applies agents' changes to tickets in one transaction, then lets
    /// the rules react to each change that took effect as a
    /// `ticket-updated` event. Every change applies to every ticket or, when
    /// one ticket cannot take it, nothing is written. Returns the changes
    /// that took effect; failed rule calls go to `failures`.
    pub fn apply_changes(
        &mut self,
        ticket_ids: &[i64],
        changes: &[crate::todo::BulkChange],
        by: &crate::todo::ChangeBy<'_>,
        failures: &mut Vec<String>,
    ) -> anyhow::Result<Vec<crate::todo::AppliedChange>> {
        let writer = self.store.writer()?;
        let mut applied = Vec::new();
        for change in changes {
            applied.extend(crate::todo::apply_bulk_changes(
                &writer, ticket_ids, change, by,
            )?);
        }
        for change in &applied {
            let conversation_id = writer.ticket_conversation(change.ticket_id)?;
            rules::on_agent_change(
                &writer,
                &mut self.plugins.rules,
                conversation_id,
                crate::plugin::rule_api::TicketChange {
                    field: change.field.to_string(),
                    old_value: change.old_value.clone(),
                    new_value: change.new_value.clone(),
                    actor: by.actor.to_string(),
                },
                by.at,
                failures,
            )?;
        }
        for (plugin_id, kv) in self.plugins.kv_spaces() {
            writer.save_plugin_kv(&plugin_id, &kv.take_changes())?;
        }
        writer.commit().context("saving ticket changes")?;
        self.plugins.save_faults(self.store)?;
        Ok(applied)
    }

    /// Lets time pass up to `now`, in one transaction: delivers every timer
    /// due to the rule that scheduled it, each once, then runs the time
    /// rules (unanswered, SLA warning and breach, waiting) on the tickets
    /// whose state matches.
    pub fn fire_due_timers(
        &mut self,
        now: DateTime<Utc>,
        summary: &mut IngestSummary,
    ) -> anyhow::Result<()> {
        let writer = self.store.writer()?;
        for timer in writer.due_timers(now)? {
            rules::fire_timer(
                &writer,
                &mut self.plugins.rules,
                &timer,
                now,
                &mut summary.rule_failures,
            )?;
        }
        summary.time_rules_fired += rules::fire_time_rules(
            &writer,
            &mut self.plugins.rules,
            now,
            &mut summary.rule_failures,
        )?;
        for (plugin_id, kv) in self.plugins.kv_spaces() {
            writer.save_plugin_kv(&plugin_id, &kv.take_changes())?;
        }
        writer.commit().context("firing due rule timers")?;
        self.plugins.save_faults(self.store)?;
        Ok(())
    }
}

/// Reads one input with the adapter that scores it highest and stores
/// it through `writer`: the raw bytes, then its messages and the rules'
/// tickets, or a quarantine entry with the reason. An input stored before
/// is skipped before it is parsed.
fn store_input(
    writer: &Writer<'_>,
    plugins: &mut PluginSet,
    input: &Input<'_>,
) -> anyhow::Result<IngestSummary> {
    let Input {
        source,
        name,
        content_type,
        bytes,
        ..
    } = *input;
    let mut summary = IngestSummary {
        inputs: 1,
        ..IngestSummary::default()
    };
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        summary.not_read.push(Quarantined {
            source: source.to_string(),
            reason: too_large(bytes.len() as u64),
        });
        return Ok(summary);
    }
    let sha256 = hex::encode(Sha256::digest(bytes));
    if writer.input_imported(&sha256)? {
        tracing::debug!(source, "skipping input imported before");
        summary.duplicate_inputs = 1;
        return Ok(summary);
    }
    let raw = RawInput {
        source,
        content_type,
        bytes,
        sha256: &sha256,
        received_at: Utc::now(),
    };
    let adapter_index = match input.adapter_id {
        Some(id) => match find_adapter(plugins, id) {
            Ok(index) => Some(index),
            Err(reason) => {
                quarantine_input(writer, &raw, Some(id), reason, &mut summary)?;
                return Ok(summary);
            }
        },
        None => pick_adapter(plugins, name, bytes),
    };
    let Some(adapter_index) = adapter_index else {
        let reason = format!(
            "no adapter recognised the input (tried {}); supported inputs are .eml files, \
             mbox files, Maildir folders, Asterisk Master.csv call records and chat JSON Lines",
            plugins.adapter_ids().join(", ")
        );
        quarantine_input(writer, &raw, None, reason, &mut summary)?;
        return Ok(summary);
    };

    let adapter = &mut plugins.adapters[adapter_index];
    let adapter_id = adapter.plugin.id().to_string();
    let adapter_input = AdapterInput {
        name: name.to_string(),
        content_type: content_type.map(str::to_string),
        bytes: bytes.to_vec(),
    };
    let result = adapter.plugin.parse(&adapter_input);
    adapter.record(&adapter_id, source, &result);
    let (parsed, reported) = match result {
        Ok(ParseOutput {
            result: Ok(parsed),
            identities,
            ..
        }) => (parsed, identities),
        Ok(ParseOutput {
            result: Err(AdapterParseError::Unsupported(reason)),
            ..
        }) => {
            let reason = format!("{adapter_id}: unsupported input: {reason}");
            quarantine_input(writer, &raw, Some(&adapter_id), reason, &mut summary)?;
            return Ok(summary);
        }
        Ok(ParseOutput {
            result: Err(AdapterParseError::Malformed(reason)),
            ..
        }) => {
            let reason = format!("{adapter_id}: malformed input: {reason}");
            quarantine_input(writer, &raw, Some(&adapter_id), reason, &mut summary)?;
            return Ok(summary);
        }
        Err(error) => {
            quarantine_input(
                writer,
                &raw,
                Some(&adapter_id),
                error.to_string(),
                &mut summary,
            )?;
            return Ok(summary);
        }
    };
    if parsed.messages.is_empty() && parsed.rejected.is_empty() {
        // For example a status-change webhook. The raw input is stored
        // below, and the summary lists it, so an empty result is visible.
        summary.without_messages.push(source.to_string());
    }
    let now = raw.received_at;
    let raw_input_id =
        writer.store_raw_input(&sha256, source, content_type, Some(&adapter_id), bytes, now)?;
    for rejected in &parsed.rejected {
        let span = rejected
            .span
            .map(|span| (span.offset, span.length))
            .filter(|span| span_fits(*span, bytes.len()));
        writer.quarantine(raw_input_id, span, Some(&adapter_id), &rejected.reason, now)?;
        let location = match span {
            Some((offset, length)) => format!("{source} (bytes {offset}..{})", offset + length),
            None => source.to_string(),
        };
        summary.quarantined.push(Quarantined {
            source: location,
            reason: format!("{adapter_id}: {}", rejected.reason),
        });
    }
    let reported = identities::ReportedByCustomer::new(
        reported,
        parsed
            .messages
            .iter()
            .map(|message| message.customer.address.as_str()),
        &adapter_id,
        source,
    );
    let mut context = message::StoreContext {
        writer,
        rules: &mut plugins.rules,
        raw_input_id,
        received_at: now,
        file_time: input.file_time,
        adapter_id: &adapter_id,
        reported: &reported,
        summary: &mut summary,
    };
    for message in parsed.messages {
        let mut incoming = crate::plugin::incoming_from_api(message);
        if let Some(span) = incoming.raw_span
            && !span_fits(span, bytes.len())
        {
            incoming.raw_span = None;
            incoming.notes.push(format!(
                "{adapter_id} gave bytes {}..{} as this message's place in the input, \
                     outside its {} bytes; the whole input is linked instead",
                span.0,
                span.0.saturating_add(span.1),
                bytes.len()
            ));
        }
        let stored = context.store_message(incoming)?;
        if stored {
            *context
                .summary
                .messages_by_adapter
                .entry(adapter_id.clone())
                .or_default() += 1;
        }
    }
    Ok(summary)
}

/// Returns the index of the running adapter with id `id`, or the reason
/// it cannot be called.
fn find_adapter(plugins: &PluginSet, id: &str) -> Result<usize, String> {
    let index = plugins
        .adapters
        .iter()
        .position(|adapter| adapter.plugin.id() == id)
        .ok_or_else(|| format!("adapter {id} is not loaded; see `kefu plugin list`"))?;
    match plugins.adapters[index].disabled_reason() {
        Some(reason) => Err(format!("adapter {id} is disabled: {reason}")),
        None => Ok(index),
    }
}

/// Highest probe score: the adapter is certain it reads the input. A
/// larger score counts as this one.
const CERTAIN_SCORE: u8 = 100;

/// Returns the index of the adapter with the highest non-zero probe score;
/// the first adapter wins a tie. An adapter that is certain
/// ([`CERTAIN_SCORE`]) ends the probing, because a later adapter can at
/// most tie with it, so the later ones are not called for this input.
fn pick_adapter(plugins: &mut PluginSet, name: &str, bytes: &[u8]) -> Option<usize> {
    let head = &bytes[..bytes.len().min(PROBE_HEAD_BYTES)];
    let mut best: Option<(usize, u8)> = None;
    for (index, adapter) in plugins.adapters.iter_mut().enumerate() {
        if adapter.is_suspended() {
            continue;
        }
        let result = adapter.plugin.probe(name, head);
        let id = adapter.plugin.id().to_string();
        adapter.record(&id, name, &result);
        let score = result.unwrap_or(0).min(CERTAIN_SCORE);
        if score > 0 && best.is_none_or(|(_, best_score)| score > best_score) {
            best = Some((index, score));
        }
        if score == CERTAIN_SCORE {
            break;
        }
    }
    best.map(|(index, _)| index)
}

/// Stores an input that could not be read, quarantines it with the reason
/// and adds it to the summary.
fn quarantine_input(
    writer: &Writer<'_>,
    raw: &RawInput<'_>,
    adapter: Option<&str>,
    reason: String,
    summary: &mut IngestSummary,
) -> anyhow::Result<()> {
    tracing::warn!(source = raw.source, adapter, reason, "quarantining input");
    let raw_input_id = writer.store_raw_input(
        raw.sha256,
        raw.source,
        raw.content_type,
        adapter,
        raw.bytes,
        raw.received_at,
    )?;
    writer.quarantine(raw_input_id, None, adapter, &reason, raw.received_at)?;
    summary.quarantined.push(Quarantined {
        source: raw.source.to_string(),
        reason,
    });
    Ok(())
}

/// Writes the plugins' key-value changes into the transaction.
fn save_plugin_kv(writer: &Writer<'_>, plugins: &PluginSet) -> anyhow::Result<()> {
    for (plugin_id, kv) in plugins.kv_spaces() {
        writer.save_plugin_kv(&plugin_id, &kv.take_changes())?;
    }
    Ok(())
}

/// Returns whether the byte range `(offset, length)` lies inside an input
/// of `len` bytes.
fn span_fits((offset, length): (u64, u64), len: usize) -> bool {
    offset
        .checked_add(length)
        .is_some_and(|end| end <= len as u64)
}

/// Reads an input file, refusing files over [`MAX_INPUT_BYTES`] before
/// reading them. The error is the reason, ready for the summary.
pub(crate) fn read_input(path: &std::path::Path) -> Result<Vec<u8>, String> {
    let size = std::fs::metadata(path)
        .map_err(|error| format!("cannot read the file: {error}"))?
        .len();
    if size > MAX_INPUT_BYTES {
        return Err(too_large(size));
    }
    // Also rejects named pipes and devices, which would block or never end.
    crate::plugin::folder::read_plugin_file(path, MAX_INPUT_BYTES)
        .map_err(|error| format!("cannot read the file: {error:#}"))
}

fn too_large(size: u64) -> String {
    format!(
        "the input is {} MiB, over the {} MiB limit for one input; split it into smaller \
         files (for example an mbox into several) and import those",
        size.div_ceil(1024 * 1024),
        MAX_INPUT_BYTES / (1024 * 1024)
    )
}

/// One input to import and how to read it.
struct Input<'b> {
    /// Names the input in the store and in messages (a path or a request id).
    source: &'b str,
    /// The file name adapters see.
    name: &'b str,
    content_type: Option<&'b str>,
    bytes: &'b [u8],
    /// The adapter to parse it with, without probing.
    adapter_id: Option<&'b str>,
    /// Modification time of the file, the send time of last resort for
    /// mail with no usable date.
    file_time: Option<DateTime<Utc>>,
}

/// An input as received, before anything is stored.
struct RawInput<'b> {
    source: &'b str,
    content_type: Option<&'b str>,
    bytes: &'b [u8],
    sha256: &'b str,
    received_at: DateTime<Utc>,
}
