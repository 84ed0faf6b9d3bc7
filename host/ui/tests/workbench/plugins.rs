//! The Plugins screen in a running app. iced_test's `Emulator` runs the
//! workbench's tasks and subscriptions as the window does, so these tests
//! go through the background load, the real plugins folder watcher and the
//! `PluginSet::sync_folder` calls its notices trigger.

use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use iced::futures::channel::mpsc::{self, TryRecvError};
use iced::widget::Id;
use iced::{Element, Rectangle, Size, Subscription, Task, Theme};
use iced_test::emulator::{self, Emulator, Mode};
use iced_test::selector::{self, Candidate};
use iced_test::{Simulator, program};
use kefu_core::Store;
use kefu_core::plugin::PluginOrigin;
use kefu_core::plugin::builtin::BUILTIN_PLUGINS;
use kefu_ui::{Message, Workbench};
use tempfile::TempDir;

/// Window size of the app: taller than the other tests' window, so that
/// the cards of the nine built-in plugins and of two folder plugins all
/// fit without scrolling.
const WINDOW_SIZE: (f32, f32) = (1280.0, 1200.0);

/// Time allowed for loading the plugins or picking up a folder change.
/// Compiling the built-ins takes seconds in a debug build when the compile
/// cache is cold.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Built-in plugins and the kind the screen shows for each.
const BUILTINS: &[(&str, &str)] = &[
    ("email", "Channel adapter"),
    ("phone-log", "Channel adapter"),
    ("chat", "Channel adapter"),
    ("default-rules", "Ticket rule"),
    ("ticket-volume", "Report widget"),
    ("backlog", "Report widget"),
    ("channel-share", "Report widget"),
    ("hour-of-week", "Report widget"),
    ("messages-per-day", "Report widget"),
];

/// The workbench as the window runs it: `Workbench::start` on a database,
/// a plugins folder and a configuration folder, with its update, view and
/// subscription.
struct App {
    db_path: PathBuf,
    plugin_folder: PathBuf,
    config_folder: Option<PathBuf>,
}

impl program::Program for App {
    type State = Workbench;
    type Message = Message;
    type Theme = Theme;
    type Renderer = iced::Renderer;
    type Executor = iced::executor::Default;

    fn name() -> &'static str {
        "kefu-plugins-test"
    }

    fn settings(&self) -> iced::Settings {
        kefu_ui::settings()
    }

    fn window(&self) -> Option<iced::window::Settings> {
        None
    }

    fn boot(&self) -> (Workbench, Task<Message>) {
        Workbench::start(
            &self.db_path,
            Some(self.plugin_folder.clone()),
            self.config_folder.as_deref(),
        )
    }

    fn update(&self, workbench: &mut Workbench, message: Message) -> Task<Message> {
        workbench.update(message)
    }

    fn view<'a>(
        &self,
        workbench: &'a Workbench,
        _window: iced::window::Id,
    ) -> Element<'a, Message, Theme, iced::Renderer> {
        workbench.view()
    }

    fn subscription(&self, workbench: &Workbench) -> Subscription<Message> {
        workbench.subscription()
    }
}

/// A running app on a temporary database and plugins folder.
pub struct Running {
    _folder: TempDir,
    pub db_path: PathBuf,
    plugin_folder: PathBuf,
    app: App,
    emulator: Emulator<App>,
    events: mpsc::Receiver<emulator::Event<App>>,
}

impl Running {
    /// Creates the database and the plugins folder, lets `prepare` change
    /// them, then starts the app and shows the Plugins screen once the
    /// plugins are loaded.
    fn start(prepare: impl FnOnce(&mut Store, &Path)) -> Self {
        Self::start_configured(None, prepare)
    }

    /// Starts the app like [`Running::start`], with the desk configuration
    /// in `config_folder`.
    pub fn start_configured(
        config_folder: Option<PathBuf>,
        prepare: impl FnOnce(&mut Store, &Path),
    ) -> Self {
        let folder = tempfile::tempdir().expect("create a temporary folder");
        let db_path = folder.path().join("kefu.db");
        let plugin_folder = folder.path().join("plugins");
        std::fs::create_dir(&plugin_folder).expect("create the plugins folder");
        let mut store = Store::open(&db_path).expect("open the test database");
        prepare(&mut store, &plugin_folder);
        drop(store);

        let app = App {
            db_path: db_path.clone(),
            plugin_folder: plugin_folder.clone(),
            config_folder,
        };
        let (sender, events) = mpsc::channel(64);
        let size = Size::new(WINDOW_SIZE.0, WINDOW_SIZE.1);
        let emulator = Emulator::new(sender, &app, Mode::Zen, size);
        let mut running = Self {
            _folder: folder,
            db_path,
            plugin_folder,
            app,
            emulator,
            events,
        };
        running.click("Plugins");
        running.run_until("the built-in plugins to load", |running| {
            running.row_shows(&builtin_row("email"), "Running")
        });
        running
    }

    fn simulator(&self) -> Simulator<'_, Message> {
        Simulator::with_size(
            kefu_ui::settings(),
            WINDOW_SIZE,
            self.emulator.view(&self.app),
        )
    }

    /// Hands `message` to the app's update, as the runtime does with the
    /// messages of subscriptions.
    pub fn send(&mut self, message: Message) {
        self.emulator.update(&self.app, message);
    }

    /// Clicks the widget showing `content` and hands the resulting
    /// messages to the app.
    pub fn click(&mut self, content: &str) {
        let messages: Vec<Message> = {
            let mut ui = self.simulator();
            if let Err(error) = ui.click(content) {
                panic!("clicking {content:?} failed: {error}");
            }
            ui.into_messages().collect()
        };
        assert!(
            !messages.is_empty(),
            "clicking {content:?} produced no message"
        );
        for message in messages {
            self.emulator.update(&self.app, message);
        }
    }

    /// Runs the app's tasks and subscriptions until `done` holds, and
    /// fails the test after [`TIMEOUT`].
    pub fn run_until(&mut self, what: &str, done: impl Fn(&Self) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        while !done(self) {
            match self.events.try_recv() {
                Ok(emulator::Event::Action(action)) => {
                    self.emulator.perform(&self.app, action);
                }
                Ok(emulator::Event::Ready | emulator::Event::Failed(_)) => {}
                Err(TryRecvError::Closed) => panic!("the app stopped while waiting for {what}"),
                Err(TryRecvError::Empty) => {
                    assert!(
                        Instant::now() < deadline,
                        "timed out after {TIMEOUT:?} waiting for {what}"
                    );
                    thread::sleep(Duration::from_millis(20));
                }
            }
        }
    }

    pub fn has_text(&self, content: &str) -> bool {
        self.simulator().find(content).is_ok()
    }

    /// Visible bounds of every text widget whose content passes `matches`.
    pub fn text_bounds(&self, matches: impl Fn(&str) -> bool + Send + Sync) -> Vec<Rectangle> {
        let mut found = Vec::new();
        // The selector never reports a match, so `find` visits every widget
        // while the bounds collect in `found`.
        let _ = self.simulator().find(|candidate: Candidate<'_>| {
            if let Candidate::Text {
                content,
                visible_bounds: Some(bounds),
                ..
            } = candidate
                && matches(content)
            {
                found.push(bounds);
            }
            None::<()>
        });
        found
    }

    /// Visible bounds of the plugin card with widget id `id`, if shown.
    fn row_bounds(&self, id: &Id) -> Option<Rectangle> {
        self.simulator()
            .find(selector::id(id.clone()))
            .ok()
            .and_then(|target| target.visible_bounds())
    }

    /// True when a text widget reading `content` lies inside the card `id`.
    pub fn row_shows(&self, id: &Id, content: &str) -> bool {
        self.row_shows_matching(id, |text| text == content)
    }

    fn row_shows_matching(&self, id: &Id, matches: impl Fn(&str) -> bool + Send + Sync) -> bool {
        let Some(row) = self.row_bounds(id) else {
            return false;
        };
        self.text_bounds(matches)
            .iter()
            .any(|bounds| row.contains(bounds.center()))
    }

    /// Card id of the file `file_name` in the plugins folder.
    fn folder_row(&self, file_name: &str) -> Id {
        let path = self.plugin_folder.join(file_name);
        kefu_ui::plugin_row_id(&PluginOrigin::Folder(path), "")
    }
}

fn builtin_row(id: &str) -> Id {
    kefu_ui::plugin_row_id(&PluginOrigin::Builtin, id)
}

/// Path of a committed plugin component.
fn component(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn copy_component(relative: &str, destination: &Path) {
    std::fs::copy(component(relative), destination)
        .unwrap_or_else(|error| panic!("copying {relative} to {}: {error}", destination.display()));
}

#[test]
fn plugins_screen_lists_builtins() {
    let running = Running::start(|_, _| {});

    let ids: Vec<&str> = BUILTINS.iter().map(|(id, _)| *id).collect();
    for builtin in BUILTIN_PLUGINS {
        assert!(
            ids.contains(&builtin.id),
            "built-in {} is not in the test's table",
            builtin.id
        );
    }
    for (id, kind) in BUILTINS {
        let row = builtin_row(id);
        assert!(running.row_shows(&row, "Running"), "{id} is not running");
        assert!(running.row_shows(&row, "Built-in"), "{id} lacks its origin");
        assert!(
            running.row_shows(&row, &format!("ID: {id}")),
            "{id} lacks its id"
        );
        assert!(
            running.row_shows(&row, kind),
            "{id} lacks its kind {kind:?}"
        );
        assert!(
            running.row_shows(&row, "version 0.1.0"),
            "{id} lacks its version"
        );
        assert!(
            running.row_shows(&row, "Declared capabilities: none"),
            "{id} lacks its capabilities"
        );
        assert!(
            running.row_shows(&row, "Granted: none"),
            "{id} lacks its grants"
        );
    }
    assert!(running.row_shows(&builtin_row("default-rules"), "Default ticket rules"));
    assert!(running.row_shows(&builtin_row("messages-per-day"), "Messages per day"));
    let summary = format!("{} plugins: {} running", BUILTINS.len(), BUILTINS.len());
    assert!(running.has_text(&summary), "summary {summary:?} missing");
    let folder_line = format!(
        "Plugins folder: {}. Files added, replaced or removed there load or unload at once.",
        running.plugin_folder.display()
    );
    assert!(running.has_text(&folder_line), "{folder_line:?} missing");
}

#[test]
fn screen_button_switches_back_to_workbench() {
    let mut running = Running::start(|_, _| {});
    assert!(running.has_text("Workbench"));

    running.click("Workbench");

    assert!(running.has_text("0 conversations, 0 unanswered, 0 tickets"));
    assert!(running.has_text("Plugins"));
    assert!(running.row_bounds(&builtin_row("email")).is_none());
}

#[test]
fn dropped_plugin_appears_and_removal_hides_it() {
    let mut running = Running::start(|_, _| {});
    let file = running.plugin_folder.join("vip-check.wasm");
    let row = running.folder_row("vip-check.wasm");
    assert!(running.row_bounds(&row).is_none());

    copy_component("tests/plugins/dist/capability-rule.wasm", &file);
    running.run_until("the dropped plugin to load", |running| {
        running.row_shows(&row, "Running")
    });

    assert!(running.row_shows(&row, "ID: capability-rule"));
    assert!(running.row_shows(&row, &format!("File: {}", file.display())));
    assert!(running.row_shows(&row, "Ticket rule"));
    assert!(running.has_text("Loaded plugin capability-rule."));
    assert!(running.has_text("10 plugins: 10 running"));

    std::fs::remove_file(&file).expect("remove the plugin file");
    running.run_until("the removed plugin to disappear", |running| {
        running.row_bounds(&row).is_none()
    });

    assert!(running.has_text("Removed plugin capability-rule."));
    assert!(running.has_text("9 plugins: 9 running"));
}

#[test]
fn folder_plugin_replaces_builtin_until_removed() {
    let mut running = Running::start(|_, _| {});
    let file = running.plugin_folder.join("my-rules.wasm");
    let row = running.folder_row("my-rules.wasm");
    let builtin = builtin_row("default-rules");

    copy_component("plugins/dist/default-rules.wasm", &file);
    running.run_until("the folder copy to replace the built-in", |running| {
        running.row_shows(&row, "Running")
    });

    assert!(running.row_shows(&row, "ID: default-rules"));
    assert!(running.row_shows(&builtin, "Replaced"));
    assert!(running.row_shows(
        &builtin,
        &format!("Replaced by the plugin file {}", file.display())
    ));
    assert!(!running.row_shows(&builtin, "Running"));
    assert!(running.has_text("Loaded plugin default-rules."));
    assert!(running.has_text("10 plugins: 9 running, 1 replaced"));

    std::fs::remove_file(&file).expect("remove the plugin file");
    running.run_until("the built-in to run again", |running| {
        running.row_shows(&builtin, "Running")
    });

    assert!(running.row_bounds(&row).is_none());
    assert!(running.has_text("Removed plugin default-rules."));
    assert!(running.has_text("9 plugins: 9 running"));
}

#[test]
fn changed_plugin_file_reloads() {
    let mut running = Running::start(|_, folder| {
        copy_component(
            "plugins/dist/default-rules.wasm",
            &folder.join("my-rules.wasm"),
        );
    });
    let file = running.plugin_folder.join("my-rules.wasm");
    let row = running.folder_row("my-rules.wasm");
    assert!(running.row_shows(&row, "Running"));
    assert!(running.row_shows(&builtin_row("default-rules"), "Replaced"));

    // A custom section changes the file's bytes but not what it does.
    let mut bytes = std::fs::read(&file).expect("read the plugin file");
    bytes.extend_from_slice(&custom_section("note", b"rebuilt"));
    std::fs::write(&file, bytes).expect("rewrite the plugin file");
    running.run_until("the changed file to reload", |running| {
        running.has_text("Reloaded plugin default-rules.")
    });

    assert!(running.row_shows(&row, "Running"));
    assert!(running.row_shows(&builtin_row("default-rules"), "Replaced"));
    assert!(running.has_text("10 plugins: 9 running, 1 replaced"));
}

#[test]
fn broken_file_shows_reason() {
    let mut running = Running::start(|_, _| {});
    let row = running.folder_row("x.wasm");

    std::fs::write(
        running.plugin_folder.join("x.wasm"),
        b"not a component at all",
    )
    .expect("write the broken file");
    running.run_until("the broken file to be listed", |running| {
        running.row_shows(&row, "Broken")
    });

    assert!(running.row_shows(&row, "ID: x"));
    assert!(running.row_shows(&row, "(no manifest)"));
    assert!(
        running.row_shows_matching(&row, |text| {
            text.starts_with("Could not load: the file is not a WebAssembly component")
        }),
        "the broken card lacks the reason"
    );
    assert!(running.has_text("Could not load plugin x. Its card shows the reason."));
    assert!(running.has_text("10 plugins: 9 running, 1 broken"));
}

#[test]
fn disabled_plugin_shows_reason() {
    let running = Running::start(|store, _| {
        store
            .set_plugin_enabled("chat", false, Some("too many failed calls"))
            .expect("disable the chat plugin");
    });
    let row = builtin_row("chat");

    assert!(running.row_shows(&row, "Disabled"));
    assert!(running.row_shows(
        &row,
        "Disabled: too many failed calls. Run kefu plugin enable chat and restart Kefu to run it again."
    ));
    assert!(!running.row_shows(&row, "Running"));
    assert!(running.has_text("9 plugins: 8 running, 1 disabled"));
}

#[test]
fn capabilities_show_grants_and_grant_command() {
    let running = Running::start(|store, folder| {
        copy_component(
            "tests/plugins/dist/capability-rule.wasm",
            &folder.join("capability-rule.wasm"),
        );
        store
            .grant("capability-rule", "read-folder", "/tmp/kefu-granted")
            .expect("grant the folder");
    });
    let row = running.folder_row("capability-rule.wasm");

    assert!(running.row_shows(&row, "Running"));
    assert!(running.row_shows(
        &row,
        "Declared capabilities: read-folder /tmp/kefu-granted, http-host 127.0.0.1"
    ));
    assert!(running.row_shows(&row, "Granted: read-folder /tmp/kefu-granted"));
    assert!(running.row_shows(
        &row,
        "To grant: kefu plugin grant capability-rule http-host 127.0.0.1"
    ));
    assert!(!running.row_shows(
        &row,
        "To grant: kefu plugin grant capability-rule read-folder /tmp/kefu-granted"
    ));
}

/// Encodes a WebAssembly custom section. `name` and `data` must together
/// be shorter than 127 bytes, so that each length fits in one LEB128 byte.
fn custom_section(name: &str, data: &[u8]) -> Vec<u8> {
    let size = 1 + name.len() + data.len();
    assert!(size < 128, "custom section too long for a one-byte length");
    let mut section = vec![0, size as u8, name.len() as u8];
    section.extend_from_slice(name.as_bytes());
    section.extend_from_slice(data);
    section
}
