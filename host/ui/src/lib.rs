//! Kefu's desktop workbench, built with iced: the conversation list, the
//! selected conversation's messages and the ticket list, read from the
//! SQLite store, a Plugins screen that lists every plugin and follows
//! the plugins folder as files come and go, and a Reports screen of charts
//! whose bars, points, slices and cells list the tickets they count. The team's desk configuration
//! labels the tickets, and a scheduler fires time rules in the background.
//! New messages, waiting conversations and SLA deadlines raise alerts:
//! toasts in the window, window attention requests, desktop notifications
//! and a sound, as `alerts.toml` sets.
//! A phrase picker fills canned replies into a pane's draft, and the
//! keyboard shortcuts of one table drive the workbench.
//! A To-do screen lists the unfinished tickets in queue order, with
//! filters and bulk changes, and builds only the rows in view.
//!
//! [`run`] opens the window. [`Workbench`] contains the state and runs without
//! a window too, which is how the tests drive it. The workbench logs
//! through `tracing`, and the caller installs the subscriber.

mod alerts;
mod background;
mod composer;
mod config;
mod conversation_list;
mod conversation_view;
mod customer_card;
mod demo_offer;
mod dialog;
mod font;
mod format;
mod intake;
mod labels;
pub mod language;
mod list_scroll;
mod panes;
mod phrase_picker;
mod plugins;
mod reports;
mod saved_state;
mod saved_views;
mod scheduler;
mod settings;
mod shortcuts;
mod style;
mod ticket_list;
mod todo;
mod unlock;
mod views;
mod webhook;
mod workbench;

use std::path::PathBuf;

use anyhow::Context;
use iced::widget::Id;
use iced::{Element, Subscription, Task};
use kefu_core::plugin::PluginOrigin;

pub use alerts::{Toast, toast_id};
pub use conversation_view::MESSAGE_WINDOW;
pub use panes::{PaneId, PaneSummary};
pub use reports::{ExportPanel, PeriodKind, ReportChart, Reports, Tile, TileContent};
pub use saved_views::Message as SavedViewMessage;
pub use scheduler::SCHEDULER_INTERVAL;
pub use todo::{
    AssigneeChoice, Detail as TodoDetail, Event as TodoEvent, Filters as TodoFilters,
    Message as TodoMessage, OVERSCAN, ROW_HEIGHT, ResultLine, TodoPanel,
};
pub use unlock::{UnlockMessage, UnlockScreen, passphrase_field_id, unlock_button_id};
pub use views::{DUE_SOON, View, ViewCount};
pub use workbench::{CHANGE_POLL_INTERVAL, Message, RELOAD_INTERVAL, Screen, Workbench};

/// Default size of the window in logical pixels.
const WINDOW_SIZE: (f32, f32) = (1280.0, 800.0);

/// Opens the workbench window on the database at `db_path` and returns when
/// the window is closed. The built-in plugins and those in `plugin_folder`
/// load in the background, and the folder is watched while the window is
/// open. The panes, drafts and window size of the last session are
/// restored from the state file beside the database. The lifecycle, SLA and declarative rules come from the files in
/// `config_folder`, or are built in when it is `None`, and the scheduler
/// fires time rules every [`SCHEDULER_INTERVAL`]. A database that cannot be
/// opened or read, plugins that cannot be loaded, or configuration files
/// that cannot be used show as error lines in the window, not as an error
/// here. An encrypted database with no passphrase recorded by
/// [`kefu_core::encryption::unlock`] opens on the unlock screen first.
///
/// # Errors
///
/// Returns an error when the window or its renderer cannot be created, for
/// example when no display is available.
pub fn run(
    db_path: PathBuf,
    plugin_folder: Option<PathBuf>,
    config_folder: Option<PathBuf>,
) -> anyhow::Result<()> {
    // The size the window had when it was last resized, kept in the
    // workbench state file beside the database.
    let window_size =
        saved_state::window_size(&db_path).map_or(WINDOW_SIZE, |size| (size.width, size.height));
    // The language is set before the window opens, so its title and first
    // view are in it. A `ui.toml` that cannot be used shows as an error
    // line once the workbench starts.
    let choice = language::choose(config_folder.as_deref(), |name| std::env::var(name).ok());
    language::set(choice.language);
    // A daemon rather than an application, because popped-out panes are
    // windows of their own. The app ends when the main window closes.
    iced::daemon(
        move || {
            App::boot(
                db_path.clone(),
                plugin_folder.clone(),
                config_folder.clone(),
                window_size,
            )
        },
        App::update,
        App::view,
    )
    .title(App::title)
    .theme(App::theme)
    .subscription(App::subscription)
    .settings(settings())
    .run()
    .context("running the workbench window")
}

/// The main window's content and its id. Other windows show popped-out
/// panes of the workbench.
struct App {
    main: iced::window::Id,
    content: Window,
}

impl App {
    fn boot(
        db_path: PathBuf,
        plugin_folder: Option<PathBuf>,
        config_folder: Option<PathBuf>,
        (width, height): (f32, f32),
    ) -> (Self, Task<WindowMessage>) {
        let (main, open) = iced::window::open(iced::window::Settings {
            size: iced::Size::new(width, height),
            ..iced::window::Settings::default()
        });
        let (content, task) = Window::boot(db_path, plugin_folder, config_folder);
        (Self { main, content }, Task::batch([open.discard(), task]))
    }

    fn update(&mut self, message: WindowMessage) -> Task<WindowMessage> {
        match message {
            WindowMessage::Closed(window) if window == self.main => iced::exit(),
            message => self.content.update(message),
        }
    }

    fn view(&self, window: iced::window::Id) -> Element<'_, WindowMessage> {
        match &self.content {
            _ if window == self.main => self.content.view(),
            Window::Open(workbench) => workbench.window_view(window).map(WindowMessage::Workbench),
            Window::Locked { .. } => iced::widget::space().into(),
        }
    }

    fn title(&self, window: iced::window::Id) -> String {
        match &self.content {
            Window::Open(workbench) if window != self.main => workbench.window_title(window),
            _ => labels::window_title().to_string(),
        }
    }

    /// Returns the theme the settings chose for every window, or `None`
    /// to follow the system's light or dark mode.
    fn theme(&self, _window: iced::window::Id) -> Option<iced::Theme> {
        match &self.content {
            Window::Open(workbench) => workbench.theme(),
            Window::Locked { screen, .. } => screen.theme(),
        }
    }

    fn subscription(&self) -> Subscription<WindowMessage> {
        Subscription::batch([
            self.content.subscription(),
            iced::window::close_events().map(WindowMessage::Closed),
        ])
    }
}

/// Content of the window: the unlock screen until the database is
/// unlocked, then the workbench.
enum Window {
    Locked {
        screen: UnlockScreen,
        db_path: PathBuf,
        plugin_folder: Option<PathBuf>,
        config_folder: Option<PathBuf>,
    },
    Open(Box<Workbench>),
}

#[derive(Debug, Clone)]
enum WindowMessage {
    Unlock(UnlockMessage),
    Workbench(Message),
    /// A window closed.
    Closed(iced::window::Id),
}

impl Window {
    fn boot(
        db_path: PathBuf,
        plugin_folder: Option<PathBuf>,
        config_folder: Option<PathBuf>,
    ) -> (Self, Task<WindowMessage>) {
        let locked = kefu_core::encryption::passphrase_for(&db_path).is_none()
            && kefu_core::encryption::is_encrypted(&db_path).unwrap_or(false);
        if locked {
            let screen = UnlockScreen::new(&db_path, config_folder.as_deref());
            let window = Self::Locked {
                screen,
                db_path,
                plugin_folder,
                config_folder,
            };
            return (window, Task::none());
        }
        Self::open(&db_path, plugin_folder, config_folder.as_deref())
    }

    fn open(
        db_path: &std::path::Path,
        plugin_folder: Option<PathBuf>,
        config_folder: Option<&std::path::Path>,
    ) -> (Self, Task<WindowMessage>) {
        let (workbench, task) = Workbench::start(db_path, plugin_folder, config_folder);
        (
            Self::Open(Box::new(workbench)),
            task.map(WindowMessage::Workbench),
        )
    }

    fn update(&mut self, message: WindowMessage) -> Task<WindowMessage> {
        match message {
            WindowMessage::Workbench(message) => match self {
                Self::Open(workbench) => workbench.update(message).map(WindowMessage::Workbench),
                // A message of the workbench cannot arrive before it opens.
                Self::Locked { .. } => Task::none(),
            },
            WindowMessage::Unlock(message) => {
                let Self::Locked {
                    screen,
                    db_path,
                    plugin_folder,
                    config_folder,
                } = self
                else {
                    return Task::none();
                };
                if !screen.update(message) {
                    return Task::none();
                }
                let (opened, task) =
                    Self::open(db_path, plugin_folder.take(), config_folder.as_deref());
                *self = opened;
                task
            }
            WindowMessage::Closed(window) => match self {
                Self::Open(workbench) => workbench
                    .update(Message::WindowClosed(window))
                    .map(WindowMessage::Workbench),
                Self::Locked { .. } => Task::none(),
            },
        }
    }

    fn view(&self) -> Element<'_, WindowMessage> {
        match self {
            Self::Locked { screen, .. } => screen.view().map(WindowMessage::Unlock),
            Self::Open(workbench) => workbench.view().map(WindowMessage::Workbench),
        }
    }

    fn subscription(&self) -> Subscription<WindowMessage> {
        match self {
            Self::Locked { .. } => Subscription::none(),
            Self::Open(workbench) => workbench.subscription().map(WindowMessage::Workbench),
        }
    }
}

/// Returns the iced settings of the workbench. The default font is the
/// first installed CJK family of a preference list, so Chinese text renders.
/// Tests pass these settings to `iced_test` to lay text out as the window does.
pub fn settings() -> iced::Settings {
    iced::Settings {
        default_font: font::default_font(),
        ..iced::Settings::default()
    }
}

/// Widget id of a view's button above the conversation list, by its
/// position in [`Workbench::views`].
pub fn conversation_view_id(position: usize) -> Id {
    conversation_list::view_id(position)
}

/// Widget id of the Edit button beside the saved view `name` above the
/// conversation list.
pub fn saved_view_edit_id(name: &str) -> Id {
    conversation_list::edit_view_id(name)
}

/// Widget ids of the form that saves, renames and deletes saved views.
pub mod saved_view_ids {
    pub use crate::saved_views::ids::*;
}

/// Widget id of a conversation's row in the conversation list.
pub fn conversation_row_id(conversation_id: i64) -> Id {
    conversation_list::row_id(conversation_id)
}

/// Widget id of the scrollable conversation list.
pub fn conversation_list_id() -> Id {
    conversation_list::list_id()
}

/// Row height of the conversation list in logical pixels, and the rows
/// built beyond each edge of its view.
pub use conversation_list::{
    OVERSCAN as CONVERSATION_OVERSCAN, ROW_HEIGHT as CONVERSATION_ROW_HEIGHT,
};

/// Widget id of the scrollable ticket list.
pub fn ticket_list_id() -> Id {
    ticket_list::list_id()
}

/// Row height of the ticket list in logical pixels, and the rows built
/// beyond each edge of its view.
pub use ticket_list::{OVERSCAN as TICKET_OVERSCAN, ROW_HEIGHT as TICKET_ROW_HEIGHT};

/// Widget id of a ticket's row in the ticket list.
pub fn ticket_row_id(ticket_id: i64) -> Id {
    ticket_list::row_id(ticket_id)
}

/// Widget id of a plugin's card on the Plugins screen. A built-in and a
/// folder plugin may share a plugin id, so the origin is part of the id.
pub fn plugin_row_id(origin: &PluginOrigin, plugin_id: &str) -> Id {
    plugins::row_id(origin, plugin_id)
}

/// Widget ids of the reports screen.
/// The texts of the built-in report widgets in each UI language.
pub mod report_widget_labels {
    pub use crate::labels::report_widgets::{is_builtin_widget, translate_chart_in, translate_in};
}

pub mod report_ids {
    pub use crate::reports::{
        chart_id, export_button_id, export_path_id, period_input_id, replace_button_id,
        ticket_row_id, tile_id,
    };
}

/// Widget ids of the offer of demo data on an empty database.
pub mod demo_offer_ids {
    pub use crate::demo_offer::{customers_input_id, days_input_id};
}

/// Widget ids of a pane's controls and composer, by the pane's
/// [`PaneSummary::key`].
pub mod pane_ids {
    pub use crate::panes::ids::{
        close, draft_editor, maximize, messages, phrases_button, pop_out, send_button, split_down,
        split_right,
    };
}

/// Widget ids of the phrase picker.
pub mod phrase_picker_ids {
    pub use crate::phrase_picker::ids::{category, insert, insert_and_send, row, search};
}

/// Widget id of the conversation list's search field.
pub fn conversation_search_id() -> Id {
    conversation_list::search_id()
}

/// Returns the message the workbench's keyboard subscription sends for an
/// event, or `None` when the event is no shortcut. `status` is iced's
/// report of whether a widget handled the event. Tests feed simulated key
/// presses through this to act as the running window does.
pub fn shortcut_message(event: &iced::Event, status: iced::event::Status) -> Option<Message> {
    shortcuts::pressed(event, status).map(Message::KeyPressed)
}

/// The settings screen's choices, state and widget ids.
pub mod settings_screen {
    pub use crate::settings::ids;
    pub use crate::settings::{
        Field, FileError, LanguageChoice, Message, Profile, ResultLine, Scope, SettingsScreen,
        Switch, ThemeChoice, UiSettings,
    };
}

/// Widget ids of the to-do screen.
pub mod todo_ids {
    pub use crate::todo::ids::*;
}

/// Builds the message list of one conversation as a pane shows it, with
/// `messages` its latest messages, oldest first, and no outbox entries.
/// Benchmarks time it against the same list of a short conversation.
pub fn conversation_messages_view<'a>(
    conversation: &'a kefu_core::model::ConversationSummary,
    messages: &'a [kefu_core::model::StoredMessage],
) -> Element<'a, ()> {
    conversation_view::view(
        Some(conversation),
        messages,
        &[],
        Id::from("messages"),
        conversation_view::Actions {
            open_attachment: |_, _| (),
            show_earlier: (),
        },
    )
}

/// Widget ids of the customer card beside the panes.
pub mod customer_card_ids {
    pub use crate::customer_card::{
        card_id, history_row_id, reason_id, search_id, search_result_id, split_button_id,
    };
}
