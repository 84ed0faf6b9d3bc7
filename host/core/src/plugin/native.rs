//! Trusted native rule plugins: shared libraries loaded with the native
//! ABI, outside the sandbox.
//!
//! A native plugin runs with every right the host has, so it loads only
//! after the user enables it by name, which records consent for the
//! library file's SHA-256, and loading it logs a warning. Events and
//! actions cross the boundary as JSON of the same records that the WIT
//! `rule` interface defines. This module converts between the WIT bindings
//! and the native ABI's records.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use kefu_native_abi as abi;

use super::PluginError;
use super::bindings::types as api;
use super::rule_api as rule;

/// File name extension of shared libraries on this platform.
pub const LIBRARY_EXTENSION: &str = std::env::consts::DLL_EXTENSION;

/// Warning shown when a native plugin is enabled or loaded.
pub const NOT_SANDBOXED: &str = "native plugins are NOT sandboxed: they run with all of Kefu's \
     rights, can read and change any file Kefu can, and can crash it. Enable only plugins you \
     trust as much as Kefu itself.";

/// Maximum size of a native library file, in bytes. A debug build of the
/// example plugin, `libnative_vip_rule.so` on Linux, is about 7 MiB.
pub const MAX_LIBRARY_BYTES: u64 = 256 * 1024 * 1024;

/// A native library file read into memory, with its SHA-256. The user's
/// consent is pinned to this hash, and [`NativeRule::load`] loads these
/// bytes, so a file replaced after the hash was taken is never loaded.
pub struct LibraryFile {
    path: PathBuf,
    bytes: Vec<u8>,
    sha256: String,
}

impl LibraryFile {
    /// Reads the regular file at `path`, rejecting one over
    /// [`MAX_LIBRARY_BYTES`].
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let bytes = super::folder::read_plugin_file(path, MAX_LIBRARY_BYTES)?;
        let sha256 = {
            use sha2::{Digest, Sha256};
            hex::encode(Sha256::digest(&bytes))
        };
        Ok(Self {
            path: path.to_path_buf(),
            bytes,
            sha256,
        })
    }

    /// Returns the path the library was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Returns the hex SHA-256 of the library's bytes.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
}

/// Derives the plugin id from a native library's file name. The id is the
/// name without the `lib` prefix and the extension, with each `_` replaced
/// by `-`, so `libnative_vip_rule.so` becomes `native-vip-rule`.
pub fn id_from_file(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    let stem = stem.strip_prefix("lib").unwrap_or(stem);
    Some(stem.replace('_', "-"))
}

/// A loaded native rule plugin.
pub struct NativeRule {
    plugin: abi::NativeRulePlugin,
}

impl NativeRule {
    /// Loads the bytes of `library` and logs a warning that they are not
    /// sandboxed. The library must declare the id `id`. The bytes are
    /// written to a private copy that is opened, so the code that runs is
    /// the code whose hash the caller checked, even when the file in the
    /// plugins folder is replaced meanwhile.
    pub fn load(library: &LibraryFile, id: &str) -> Result<Self, PluginError> {
        tracing::warn!(
            plugin = id,
            path = %library.path.display(),
            sha256 = library.sha256,
            "loading native plugin: {NOT_SANDBOXED}"
        );
        let load_error = |message: String| PluginError::Load {
            plugin: id.to_string(),
            message,
        };
        let copy = PrivateCopy::write(library).map_err(|error| {
            load_error(format!("{} not loaded: {error:#}", library.path.display()))
        })?;
        let plugin = abi::NativeRulePlugin::load(&copy.path, id).map_err(|error| {
            // The ABI's message names the private copy, so name the original.
            let message = error.to_string().replace(
                &copy.path.display().to_string(),
                &library.path.display().to_string(),
            );
            load_error(message)
        })?;
        Ok(Self { plugin })
    }

    /// Returns the plugin's id.
    pub fn id(&self) -> &str {
        self.plugin.id()
    }

    /// Returns the manifest text embedded in the library.
    pub fn manifest_text(&self) -> &str {
        self.plugin.manifest_text()
    }

    /// Calls the rule's `on-event` and returns the actions it requests.
    pub fn on_event(&self, event: &rule::Event) -> Result<Vec<rule::Action>, PluginError> {
        let actions = self
            .plugin
            .on_event(&event_to_abi(event))
            .map_err(|error| PluginError::Trap {
                plugin: self.id().to_string(),
                call: "on-event".to_string(),
                message: error.to_string(),
            })?;
        Ok(actions.into_iter().map(action_from_abi).collect())
    }
}

/// A copy of a library's checked bytes in a folder only this user can
/// write, under a name used once. So the dynamic loader neither reuses an
/// earlier library of the same name nor reads a file another user can
/// change. Dropping it deletes the copy, and on Unix the loaded library
/// stays mapped.
struct PrivateCopy {
    path: PathBuf,
}

impl PrivateCopy {
    fn write(library: &LibraryFile) -> anyhow::Result<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let folder = private_folder()?;
        loop {
            let name = format!(
                "{}-{}-{}.{LIBRARY_EXTENSION}",
                &library.sha256[..16],
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            );
            let path = folder.join(name);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = match options.open(&path) {
                Ok(file) => file,
                // A process that was killed left this copy, so take the next name.
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(error) => {
                    return Err(error).with_context(|| format!("creating {}", path.display()));
                }
            };
            let copy = Self { path };
            file.write_all(&library.bytes)
                .with_context(|| format!("writing {}", copy.path.display()))?;
            return Ok(copy);
        }
    }
}

impl Drop for PrivateCopy {
    fn drop(&mut self) {
        // NOTE: Windows keeps a loaded library's file open, so there the
        // copy stays in the folder until it is deleted by hand.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Returns the folder for private copies of native libraries, for example
/// `~/.cache/kefu/native` on Linux, creating it readable and writable only
/// by this user.
fn private_folder() -> anyhow::Result<PathBuf> {
    let folder = directories::ProjectDirs::from("", "", "kefu")
        .context("finding the user's cache folder for a copy of the native library")?
        .cache_dir()
        .join("native");
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("creating folder {}", folder.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("making folder {} private", folder.display()))?;
    }
    Ok(folder)
}

fn channel(channel: api::Channel) -> abi::Channel {
    match channel {
        api::Channel::Email => abi::Channel::Email,
        api::Channel::Chat => abi::Channel::Chat,
        api::Channel::Phone => abi::Channel::Phone,
    }
}

fn party(party: &api::Party) -> abi::Party {
    abi::Party {
        name: party.name.clone(),
        address: party.address.clone(),
    }
}

fn message(message: &api::Message) -> abi::Message {
    abi::Message {
        channel: channel(message.channel),
        direction: match message.direction {
            api::Direction::Inbound => abi::Direction::Inbound,
            api::Direction::Outbound => abi::Direction::Outbound,
        },
        sender: party(&message.sender),
        customer: party(&message.customer),
        sent_at: message.sent_at,
        subject: message.subject.clone(),
        body_text: message.body_text.clone(),
        external_id: message.external_id.clone(),
        thread_key: message.thread_key.clone(),
        replies_to: message.replies_to.clone(),
        automation: message
            .automation
            .as_ref()
            .map(|automation| abi::Automation {
                kind: match automation.kind {
                    api::AutomationKind::AutoReply => abi::AutomationKind::AutoReply,
                    api::AutomationKind::Bounce => abi::AutomationKind::Bounce,
                    api::AutomationKind::Bulk => abi::AutomationKind::Bulk,
                },
                evidence: automation.evidence.clone(),
            }),
        call: message.call.as_ref().map(|call| abi::Call {
            destination: call.destination.clone(),
            duration_seconds: call.duration_seconds,
            billed_seconds: call.billed_seconds,
            disposition: call.disposition.clone(),
            answered: call.answered,
        }),
        attachments: message
            .attachments
            .iter()
            .map(|attachment| abi::Attachment {
                file_name: attachment.file_name.clone(),
                content_type: attachment.content_type.clone(),
                size: attachment.size,
            })
            .collect(),
        raw_span: message.raw_span.map(|span| abi::Span {
            offset: span.offset,
            length: span.length,
        }),
        notes: message.notes.clone(),
    }
}

/// Converts a host event into the native ABI's records.
pub fn event_to_abi(event: &rule::Event) -> abi::Event {
    let kind = match &event.kind {
        rule::EventKind::MessageReceived(received) => {
            abi::EventKind::MessageReceived(abi::MessageEvent {
                message_id: received.message_id,
                message: message(&received.message),
            })
        }
        rule::EventKind::TicketCreated => abi::EventKind::TicketCreated,
        rule::EventKind::TicketUpdated(change) => {
            abi::EventKind::TicketUpdated(abi::TicketChange {
                field: change.field.clone(),
                old_value: change.old_value.clone(),
                new_value: change.new_value.clone(),
                actor: change.actor.clone(),
            })
        }
        rule::EventKind::TimerFired(timer) => abi::EventKind::TimerFired(abi::TimerEvent {
            name: timer.name.clone(),
            due_at: timer.due_at,
        }),
    };
    let conversation = &event.conversation;
    let customer = &event.customer;
    abi::Event {
        kind,
        conversation: abi::Conversation {
            id: conversation.id,
            channel: channel(conversation.channel),
            message_count: conversation.message_count,
            ticket: conversation.ticket.as_ref().map(|ticket| abi::Ticket {
                id: ticket.id,
                ticket_type: ticket.ticket_type.clone(),
                priority: ticket.priority.clone(),
                status: ticket.status.clone(),
                assignee: ticket.assignee.clone(),
                tags: ticket.tags.clone(),
                opened_at: ticket.opened_at,
            }),
        },
        customer: abi::Customer {
            id: customer.id,
            name: customer.name.clone(),
            tier: customer.tier.clone(),
            history: abi::History {
                earlier_conversations: customer.history.earlier_conversations,
                tickets: customer.history.tickets,
                open_tickets: customer.history.open_tickets,
                first_contact: customer.history.first_contact,
            },
        },
    }
}

/// Converts an action from the native ABI's records.
pub fn action_from_abi(action: abi::Action) -> rule::Action {
    match action {
        abi::Action::OpenTicket(ticket) => rule::Action::OpenTicket(rule::NewTicket {
            ticket_type: ticket.ticket_type,
            priority: ticket.priority,
            reason: ticket.reason,
        }),
        abi::Action::SetType(value) => rule::Action::SetType(value),
        abi::Action::SetPriority(value) => rule::Action::SetPriority(value),
        abi::Action::SetStatus(value) => rule::Action::SetStatus(value),
        abi::Action::Assign(value) => rule::Action::Assign(value),
        abi::Action::AddTag(value) => rule::Action::AddTag(value),
        abi::Action::AddNote(value) => rule::Action::AddNote(value),
        abi::Action::ScheduleTimer(timer) => rule::Action::ScheduleTimer(rule::Timer {
            name: timer.name,
            after_seconds: timer.after_seconds,
        }),
        abi::Action::SuggestPhrase(value) => rule::Action::SuggestPhrase(value),
        abi::Action::SendPhrase(value) => rule::Action::SendPhrase(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_from_library_file_name() {
        assert_eq!(
            id_from_file(Path::new("/p/libnative_vip_rule.so")).as_deref(),
            Some("native-vip-rule")
        );
        assert_eq!(
            id_from_file(Path::new("vip_rule.dll")).as_deref(),
            Some("vip-rule")
        );
    }
}
