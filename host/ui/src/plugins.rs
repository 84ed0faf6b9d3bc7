//! The Plugins screen: every plugin the app found, built in or in the
//! plugins folder, with its state and capabilities.
//!
//! The plugins load on a background thread when the window opens, because
//! compiling a component can take seconds when the compile cache is cold.
//! While the window is open, a watcher thread reports each burst of changes
//! in the plugins folder, and [`PluginSet::sync_folder`] then brings the
//! loaded set in line with the folder, again on a background thread.
//!
//! The loaded set also contains the desk's declarative rules, and the
//! scheduler fires due timers and time rules through it, so rule plugins
//! and declarative rules see time pass in the same cascade as at import.

mod view;
mod watch;

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread;

use anyhow::Context;
use chrono::{DateTime, Local, Utc};
use iced::futures::channel::oneshot;
use iced::{Element, Subscription, Task};
use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::ingest::{IngestSummary, Ingestor};
use kefu_core::outbound::DeliveryReport;
use kefu_core::plugin::{
    PluginEngine, PluginEntry, PluginOrigin, PluginSet, PluginStatus, SyncReport,
};

use crate::config::DeskConfig;
use crate::labels::{self, Label};

pub use view::row_id;

/// State of the Plugins screen.
pub struct Plugins {
    db_path: PathBuf,
    /// The desk and the declarative rules that each load applies.
    config: DeskConfig,
    /// The watched plugins folder, or `None` when only built-ins load.
    folder: Option<PathBuf>,
    phase: Phase,
    /// The plugins as of the last load or sync. The view reads this copy,
    /// so it never waits for the lock that a running sync holds.
    entries: Vec<PluginEntry>,
    /// Notice of the last sync that changed the set, shown until the next one.
    notice: Option<Notice>,
    /// Error line of the last failed load or sync, cleared when one succeeds.
    error: Option<Label>,
    /// Error line of a folder watcher that could not start.
    watch_error: Option<Label>,
    /// Error line of declarative rules that the loaded set rejected.
    rules_error: Option<Label>,
    /// True while a sync runs on the background thread.
    syncing: bool,
    /// True when the folder changed while a load or sync was running, so
    /// another sync must follow it.
    sync_again: bool,
    /// Number of loads and syncs that changed the loaded set, so other
    /// screens can tell when to read it again.
    generation: u64,
}

enum Phase {
    /// Loading was never started, as in windows built by tests.
    Idle,
    Loading,
    Ready(SharedPlugins),
    /// The last load or sync failed. The set is dropped, because a failed
    /// sync may have left it half updated, and the next load starts afresh.
    Failed,
}

/// The loaded plugins and the database connection their syncs read, shared
/// between the screen and the background thread that syncs them.
#[derive(Clone)]
pub struct SharedPlugins(Arc<Mutex<LoadedPlugins>>);

struct LoadedPlugins {
    set: PluginSet,
    store: Store,
}

impl fmt::Debug for SharedPlugins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedPlugins")
    }
}

/// Description of the last sync that changed the set, with its local time.
struct Notice {
    at: DateTime<Local>,
    text: Label,
}

/// Events of the Plugins screen.
#[derive(Debug, Clone)]
pub enum Message {
    /// The background load finished, with the error chain on failure.
    Loaded(Result<Loaded, String>),
    /// The watcher reported a finished burst of changes in the folder.
    FolderChanged,
    /// The watcher could not start. The text is the error chain.
    WatchFailed(String),
    /// A background sync finished, with the error chain on failure.
    Synced(Result<Synced, String>),
}

/// Result of a successful load.
#[derive(Debug, Clone)]
pub struct Loaded {
    plugins: SharedPlugins,
    entries: Vec<PluginEntry>,
    /// Error line for the declarative rules, when the set rejected them.
    rules_error: Option<Label>,
}

/// Result of a successful sync.
#[derive(Debug, Clone)]
pub struct Synced {
    report: SyncReport,
    entries: Vec<PluginEntry>,
}

impl Plugins {
    /// Creates the screen for the database at `db_path`, with nothing
    /// loaded. Each load applies the desk and the declarative rules of
    /// `config`.
    pub fn new(db_path: PathBuf, config: DeskConfig) -> Self {
        Self {
            db_path,
            config,
            folder: None,
            phase: Phase::Idle,
            entries: Vec::new(),
            notice: None,
            error: None,
            watch_error: None,
            rules_error: None,
            syncing: false,
            sync_again: false,
            generation: 0,
        }
    }

    /// Starts loading the built-in plugins and those in `folder`, and
    /// watching `folder` for changes.
    pub fn start(&mut self, folder: Option<PathBuf>) -> Task<Message> {
        self.folder = folder;
        self.load()
    }

    /// Loads the plugins again after a failure, or syncs the folder when
    /// they are loaded. Does nothing before [`Plugins::start`].
    pub fn refresh(&mut self) -> Task<Message> {
        match self.phase {
            Phase::Idle | Phase::Loading => Task::none(),
            Phase::Failed => self.load(),
            Phase::Ready(_) => self.request_sync(),
        }
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Loaded(Ok(loaded)) => {
                tracing::info!(plugins = loaded.entries.len(), "loaded the plugins");
                self.entries = loaded.entries;
                self.phase = Phase::Ready(loaded.plugins);
                self.generation += 1;
                self.error = None;
                self.set_rules_error(loaded.rules_error);
                if std::mem::take(&mut self.sync_again) {
                    return self.request_sync();
                }
                Task::none()
            }
            Message::Loaded(Err(error)) => {
                tracing::error!(%error, "could not load the plugins");
                self.phase = Phase::Failed;
                self.error = Some(Label::new(move || labels::plugins_load_failed(&error)));
                Task::none()
            }
            Message::FolderChanged => self.request_sync(),
            Message::WatchFailed(error) => {
                let folder = self.folder.clone().unwrap_or_default();
                let line = Label::new(move || labels::plugin_watch_failed(&folder, &error));
                self.watch_error = Some(line);
                Task::none()
            }
            Message::Synced(result) => {
                self.syncing = false;
                match result {
                    Ok(synced) => self.apply_sync(synced),
                    Err(error) => {
                        tracing::error!(%error, "could not sync the plugins folder");
                        self.phase = Phase::Failed;
                        self.error = Some(Label::new(move || labels::plugin_sync_failed(&error)));
                    }
                }
                if std::mem::take(&mut self.sync_again) {
                    return self.request_sync();
                }
                Task::none()
            }
        }
    }

    /// Watches the plugins folder while one is set and loading has started.
    pub fn subscription(&self) -> Subscription<Message> {
        match (&self.folder, &self.phase) {
            (None, _) | (_, Phase::Idle) => Subscription::none(),
            (Some(folder), _) => {
                Subscription::run_with(folder.clone(), watch::changes).map(Message::from)
            }
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        view::view(self)
    }

    /// Returns every plugin as of the last load or sync.
    pub fn entries(&self) -> &[PluginEntry] {
        &self.entries
    }

    /// Returns a number that grows each time a load or sync changes the
    /// loaded set.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Returns the loaded set, or `None` while it loads or after a failure.
    pub fn loaded(&self) -> Option<SharedPlugins> {
        match &self.phase {
            Phase::Ready(plugins) => Some(plugins.clone()),
            Phase::Idle | Phase::Loading | Phase::Failed => None,
        }
    }

    /// Returns the error line of declarative rules that the loaded set
    /// rejected, if any.
    pub fn rules_error(&self) -> Option<&Label> {
        self.rules_error.as_ref()
    }

    /// Stores the rules error of a load, logging it when it changed, so a
    /// load after a failure does not log the same error again.
    fn set_rules_error(&mut self, error: Option<Label>) {
        if let Some(error) = &error
            && self.rules_error.as_ref() != Some(error)
        {
            tracing::error!(%error, "declarative rules not added to the plugins");
        }
        self.rules_error = error;
    }

    fn load(&mut self) -> Task<Message> {
        self.phase = Phase::Loading;
        let db_path = self.db_path.clone();
        let folder = self.folder.clone();
        let config = self.config.clone();
        tracing::info!(folder = ?folder, "loading the plugins");
        let work = in_background("kefu-plugin-load", move || {
            load(&db_path, folder.as_deref(), config).map_err(|error| format!("{error:#}"))
        });
        Task::perform(work, Message::Loaded)
    }

    /// Starts a sync, or queues one when a load or sync is running. After a
    /// failure it loads everything again instead.
    fn request_sync(&mut self) -> Task<Message> {
        let Some(folder) = self.folder.clone() else {
            return Task::none();
        };
        let plugins = match &self.phase {
            Phase::Ready(plugins) if !self.syncing => plugins.clone(),
            Phase::Ready(_) | Phase::Loading => {
                self.sync_again = true;
                return Task::none();
            }
            Phase::Failed => return self.load(),
            Phase::Idle => return Task::none(),
        };
        self.syncing = true;
        let work = in_background("kefu-plugin-sync", move || sync(&plugins, &folder));
        Task::perform(work, Message::Synced)
    }

    fn apply_sync(&mut self, synced: Synced) {
        let report = synced.report;
        self.entries = synced.entries;
        self.error = None;
        if report.is_empty() {
            return;
        }
        self.generation += 1;
        tracing::info!(
            loaded = ?report.loaded,
            reloaded = ?report.reloaded,
            removed = ?report.unloaded,
            "synced the plugins folder"
        );
        self.notice = Some(Notice {
            at: Local::now(),
            text: self.describe(&report),
        });
    }

    /// Describes a sync in one line, for example "Loaded plugin vip-rule.
    /// Removed plugin old-rule."
    fn describe(&self, report: &SyncReport) -> Label {
        type Line = fn(&str) -> String;
        let loaded = report.loaded.iter().map(|id| {
            let line: Line = match self.folder_status(id) {
                Some(PluginStatus::Broken(_)) => labels::plugin_not_loaded,
                Some(PluginStatus::Disabled(_)) => labels::plugin_found_disabled,
                _ => labels::plugin_loaded,
            };
            (line, id.clone())
        });
        let reloaded = report
            .reloaded
            .iter()
            .map(|id| (labels::plugin_reloaded as Line, id.clone()));
        let removed = report
            .unloaded
            .iter()
            .map(|id| (labels::plugin_removed as Line, id.clone()));
        let lines: Vec<(Line, String)> = loaded.chain(reloaded).chain(removed).collect();
        Label::new(move || {
            lines
                .iter()
                .map(|(line, id)| line(id))
                .collect::<Vec<_>>()
                .join(" ")
        })
    }

    /// Status of the plugin file with `id` in the plugins folder, if one is
    /// listed.
    fn folder_status(&self, id: &str) -> Option<&PluginStatus> {
        self.entries
            .iter()
            .find(|entry| {
                entry.id == id
                    && matches!(
                        entry.origin,
                        PluginOrigin::Folder(_) | PluginOrigin::Native(_)
                    )
            })
            .map(|entry| &entry.status)
    }
}

impl From<watch::Event> for Message {
    fn from(event: watch::Event) -> Self {
        match event {
            watch::Event::Changed => Message::FolderChanged,
            watch::Event::Failed(error) => Message::WatchFailed(error),
        }
    }
}

/// Loads the built-in plugins and those in `folder` with what the database
/// records about them, on a compile-cached engine when the cache folder is
/// known, and adds the declarative rules of `config`. Rules the set rejects
/// are left out and reported in [`Loaded::rules_error`].
fn load(db_path: &Path, folder: Option<&Path>, config: DeskConfig) -> anyhow::Result<Loaded> {
    let mut store = Store::open(db_path)
        .with_context(|| format!("opening the database {}", db_path.display()))?;
    store.set_desk(config.desk);
    let mut set = PluginSet::load(cached_engine()?, &store, folder)?;
    let rules_error = set.set_declarative_rules(config.rules).err().map(|error| {
        let error = format!("{error:#}");
        Label::new(move || labels::rules_config_invalid(&error))
    });
    let entries = set.entries.clone();
    Ok(Loaded {
        plugins: SharedPlugins(Arc::new(Mutex::new(LoadedPlugins { set, store }))),
        entries,
        rules_error,
    })
}

/// Starts a plugin engine with the compile cache, or without it when the
/// cache folder is unknown.
fn cached_engine() -> anyhow::Result<PluginEngine> {
    let engine = PluginEngine::new().context("starting the plugin engine")?;
    Ok(match kefu_core::paths::plugin_cache_dir() {
        Ok(cache) => engine.with_cache(cache),
        Err(error) => {
            tracing::warn!("compiling plugins without a cache: {error:#}");
            engine
        }
    })
}

impl SharedPlugins {
    /// Loads the built-in plugins only, with the database at `db_path`
    /// read through `desk`, for a screen that needs the built-in widgets
    /// when the app's own set is not loaded. Call it off the UI thread.
    pub fn builtin(db_path: &Path, desk: Arc<Desk>) -> anyhow::Result<Self> {
        let mut store = Store::open(db_path)
            .with_context(|| format!("opening the database {}", db_path.display()))?;
        store.set_desk(desk);
        let set = PluginSet::builtin_on(cached_engine()?)?;
        Ok(Self(Arc::new(Mutex::new(LoadedPlugins { set, store }))))
    }

    /// Runs `work` on the loaded set and its database connection, waiting
    /// for a running sync or scheduler run to finish first. Call it off
    /// the UI thread.
    pub fn with_set<T>(
        &self,
        work: impl FnOnce(&mut PluginSet, &mut Store) -> T,
    ) -> Result<T, String> {
        let mut loaded = self
            .0
            .lock()
            .map_err(|_| labels::plugin_sync_panicked().to_string())?;
        let LoadedPlugins { set, store } = &mut *loaded;
        Ok(work(set, store))
    }

    /// Fires the rule timers due at `now` and the time rules whose state
    /// holds, waiting for a running folder sync to finish first. Call it
    /// off the UI thread.
    pub fn fire_due_timers(&self, now: DateTime<Utc>) -> Result<IngestSummary, String> {
        let mut loaded = self
            .0
            .lock()
            .map_err(|_| labels::plugin_sync_panicked().to_string())?;
        let LoadedPlugins { set, store } = &mut *loaded;
        let mut summary = IngestSummary::default();
        Ingestor::new(store, set)
            .fire_due_timers(now, &mut summary)
            .map_err(|error| format!("{error:#}"))?;
        Ok(summary)
    }

    /// Sends the outbox entries due at `now` over the configured SMTP
    /// server. Call it off the UI thread: each attempt waits for the server
    /// up to the timeout in outgoing.toml.
    pub fn deliver_outbox(&self, now: DateTime<Utc>) -> Result<DeliveryReport, String> {
        let mut loaded = self
            .0
            .lock()
            .map_err(|_| labels::plugin_sync_panicked().to_string())?;
        let LoadedPlugins { set, store } = &mut *loaded;
        kefu_core::outbound::deliver_due(store, set, now).map_err(|error| format!("{error:#}"))
    }
}

impl SharedPlugins {
    /// Runs `work` with an ingestor over the loaded plugins and their
    /// database, waiting for a running sync or scheduler run to finish
    /// first. Call it off the UI thread.
    pub fn with_ingestor<T>(&self, work: impl FnOnce(&mut Ingestor<'_>) -> T) -> Result<T, String> {
        let mut loaded = self
            .0
            .lock()
            .map_err(|_| labels::plugin_sync_panicked().to_string())?;
        let LoadedPlugins { set, store } = &mut *loaded;
        Ok(work(&mut Ingestor::new(store, set)))
    }
}

fn sync(plugins: &SharedPlugins, folder: &Path) -> Result<Synced, String> {
    let mut loaded = plugins
        .0
        .lock()
        .map_err(|_| labels::plugin_sync_panicked().to_string())?;
    let LoadedPlugins { set, store } = &mut *loaded;
    let report = set
        .sync_folder(store, folder)
        .map_err(|error| format!("{error:#}"))?;
    Ok(Synced {
        report,
        entries: set.entries.clone(),
    })
}

/// Runs `work` on a new thread named `name` and resolves to its result, so
/// that compiling components or writing to the database never blocks the
/// executor iced runs tasks on.
pub fn in_background<T>(
    name: &'static str,
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> impl Future<Output = Result<T, String>>
where
    T: Send + 'static,
{
    let (sender, receiver) = oneshot::channel();
    let spawned = thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            let _ = sender.send(work());
        })
        .map(drop)
        .map_err(|error| format!("could not start the thread {name}: {error}"));
    async move {
        spawned?;
        // The sender is dropped without a value only when `work` panicked.
        receiver
            .await
            .unwrap_or_else(|_| Err(labels::thread_panicked(name)))
    }
}
