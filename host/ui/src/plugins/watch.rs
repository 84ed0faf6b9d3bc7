//! The plugins folder watcher as a stream for an iced subscription.
//!
//! [`FolderWatch::wait`] blocks, so the watch runs on a thread of its own
//! and sends one [`Event::Changed`] per finished burst of changes into a
//! channel whose receiver is the subscription's stream. When iced drops the
//! subscription, the receiver goes with it and the thread ends at its next
//! check, at most [`POLL_INTERVAL`] later.
//!
//! The thread also sends one `Changed` as soon as the watch has started.
//! The initial load reads the folder on another thread, so a file added
//! after that read but before the watch started would otherwise go
//! unnoticed until the next change.

use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use iced::futures::Stream;
use iced::futures::channel::mpsc;
use kefu_core::plugin::folder::FolderWatch;

/// Time between two checks whether the subscription still listens.
const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// Event of the plugins folder watcher.
#[derive(Debug, Clone)]
pub enum Event {
    /// A burst of changes in the folder has finished.
    Changed,
    /// The watch could not start. The text is the error chain.
    Failed(String),
}

/// Starts watching `folder` on a new thread and returns its events.
// `Subscription::run_with` hands the builder its data, a `PathBuf`, by
// reference.
#[expect(clippy::ptr_arg)]
pub fn changes(folder: &PathBuf) -> impl Stream<Item = Event> + use<> {
    // One slot is enough, because a queued `Changed` already makes the
    // screen read the whole folder.
    let (sender, receiver) = mpsc::channel(1);
    let mut on_spawn_failure = sender.clone();
    let watched = folder.clone();
    let spawned = thread::Builder::new()
        .name("kefu-plugin-watch".to_string())
        .spawn(move || watch(&watched, sender));
    if let Err(error) = spawned {
        tracing::error!(folder = %folder.display(), %error, "could not start the plugins folder watcher");
        let _ = on_spawn_failure.try_send(Event::Failed(format!(
            "could not start the watcher thread: {error}"
        )));
    }
    receiver
}

fn watch(folder: &Path, mut sender: mpsc::Sender<Event>) {
    let watch = match FolderWatch::start(folder) {
        Ok(watch) => watch,
        Err(error) => {
            tracing::error!(folder = %folder.display(), "could not watch the plugins folder: {error:#}");
            let _ = sender.try_send(Event::Failed(format!("{error:#}")));
            return;
        }
    };
    tracing::info!(folder = %folder.display(), "watching the plugins folder");
    // The first notice covers changes made before the watch started.
    let mut listening = send_changed(&mut sender);
    while listening && !sender.is_closed() {
        if watch.wait(POLL_INTERVAL) {
            tracing::debug!(folder = %folder.display(), "the plugins folder changed");
            listening = send_changed(&mut sender);
        }
    }
    tracing::info!(folder = %folder.display(), "stopped watching the plugins folder");
}

/// Sends [`Event::Changed`] unless one is already queued. Returns false
/// when the subscription has stopped listening.
fn send_changed(sender: &mut mpsc::Sender<Event>) -> bool {
    match sender.try_send(Event::Changed) {
        Ok(()) => true,
        Err(error) => error.is_full(),
    }
}
