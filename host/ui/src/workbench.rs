//! The workbench window: its state, messages, update and view.
//!
//! The lists are view functions over this state. A list reports clicks with
//! its own message type, which [`Workbench::update`] handles, because a
//! click in one list (a ticket) changes what another part shows (the
//! messages). The open conversations are tiled panes in [`crate::panes`],
//! saved with the drafts to the state file of [`crate::saved_state`] after
//! every change and restored on start.
//! The Plugins, Reports and To-do screens, switched to from the top bar,
//! own their state, update and view in [`crate::plugins`],
//! [`crate::reports`] and [`crate::todo`], and
//! the scheduler that fires time rules in the background owns its state in
//! [`crate::scheduler`]. The keyboard shortcuts run in [`keys`], and the
//! phrase picker, a dialog over the panes, in [`phrases`].

mod keys;
mod phrases;

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Local, Utc};
use iced::widget::scrollable::AbsoluteOffset;
use iced::widget::{button, center, column, container, operation, row, rule, space, stack, text};
use iced::{Alignment, Element, Fill, FillPortion, Size, Subscription, Task};
use kefu_core::Store;
use kefu_core::alerts::AlertSettings;
use kefu_core::desk::Desk;
use kefu_core::model::{ConversationSummary, StoredMessage, Ticket};
use kefu_core::outbound::DeliveryReport;
use kefu_core::store::{ChangeWatch, OutboxEntry};
use kefu_core::todo::TodoRow;

use crate::alerts::{self, Alerts, Outputs, Toast};
use crate::composer::{self, Outcome};
use crate::config::DeskConfig;
use crate::customer_card;
use crate::demo_offer::{self, DemoOffer};
use crate::intake::{self, INTAKE_INTERVAL, IntakeRunner};
use crate::labels::{self, Label};
use crate::list_scroll::ListScroll;
use crate::panes::{self, PaneId, PaneSummary, Panes};
use crate::phrase_picker::{self, PhrasePicker};
use crate::plugins::{self, Plugins};
use crate::reports::{self, Reports};
use crate::saved_state::{self, DemoOfferChoice, WindowSize};
use crate::saved_views::{self, CurrentFilters, ViewForm};
use crate::scheduler::{self, SCHEDULER_INTERVAL, Scheduler};
use crate::settings::{self, SettingsScreen};
use crate::ticket_list::TicketRow;
use crate::todo::{self, TodoPanel};
use crate::views::{self, View, ViewCount, ViewRead};
use crate::webhook::{self, Webhook};
use crate::{conversation_list, dialog, format, shortcuts, style, ticket_list};

/// Time between two reloads from the database while the window is open.
pub const RELOAD_INTERVAL: Duration = Duration::from_secs(5);

/// Time between two checks whether another connection changed the
/// database, such as the webhook server, `kefu ingest` or the scheduler.
pub const CHANGE_POLL_INTERVAL: Duration = Duration::from_millis(500);

/// State of the workbench window.
pub struct Workbench {
    db_path: PathBuf,
    /// The open database, or `None` when opening it failed. The next reload
    /// tries again.
    store: Option<Store>,
    /// Conversations, latest activity first.
    conversations: Vec<ConversationSummary>,
    /// Tickets, newest first.
    tickets: Vec<TicketRow>,
    /// The open conversations, each with its customer card, and the drafts.
    panes: Panes,
    /// The file that keeps the panes, drafts and window size across
    /// restarts.
    state_path: PathBuf,
    /// The state as last written to `state_path`, so an unchanged state
    /// is not written again.
    saved_json: Option<Vec<u8>>,
    /// Inner size of the window, once it was resized.
    window: Option<WindowSize>,
    /// Last store error, shown across the top until a read succeeds.
    error: Option<Label>,
    /// Local time of the last successful read.
    loaded_at: Option<DateTime<Local>>,
    /// The screen below the top bar.
    screen: Screen,
    plugins: Plugins,
    reports: Reports,
    todo: TodoPanel,
    settings: SettingsScreen,
    /// The theme of every window; `None` follows the system's light or
    /// dark mode.
    theme: Option<iced::Theme>,
    /// True when the conversations and tickets were last read before a
    /// change, because the to-do screen was shown. Showing the workbench
    /// screen reads them again.
    lists_stale: bool,
    /// The lifecycle and SLA in force, from the configuration folder or
    /// built in.
    desk: Arc<Desk>,
    /// Lines for configuration files that could not be used, shown across
    /// the top for as long as the window is open.
    config_errors: Vec<Label>,
    scheduler: Scheduler,
    /// Drop folders and IMAP accounts from intake.toml, run in the
    /// background.
    intake: IntakeRunner,
    /// Connection that notices commits by other connections, opened with
    /// the store.
    change_watch: Option<ChangeWatch>,
    webhook: Webhook,
    /// The offer of demo data, shown in place of the lists while the
    /// database is empty and the user made no choice on it yet.
    demo_offer: Option<DemoOffer>,
    /// The user's choice on the offer, kept in the state file.
    demo_offer_choice: Option<DemoOfferChoice>,
    /// Toasts, desktop notifications and sound for new messages, waiting
    /// conversations and SLA deadlines.
    alerts: Alerts,
    /// Task that opens the windows of the popped-out panes restored from
    /// the saved state. [`Workbench::start`] hands it to the runtime.
    pending_windows: Task<Message>,
    /// The open phrase picker, over the panes.
    picker: Option<PhrasePicker>,
    /// True while the shortcut list is shown over the workbench.
    shortcuts_shown: bool,
    /// Text of the conversation list's search field.
    conversation_search: String,
    /// Scroll offset and view height of the conversation list.
    conversation_scroll: ListScroll,
    /// Scroll offset and view height of the ticket list.
    ticket_scroll: ListScroll,
    /// The conversation list's selected view.
    list_view: View,
    /// The views' counts and the selected view's conversations, from the
    /// last reload.
    views: ViewRead,
    /// A line in the top bar about the last shortcut, such as that no
    /// conversation is waiting for a reply, or about the last change to a
    /// saved view. The next shortcut clears it.
    notice: Option<Label>,
    /// The open form that saves, renames or deletes a saved view, over the
    /// screen.
    view_form: Option<ViewForm>,
}

/// The screens the top bar switches between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Conversations, messages and tickets.
    Workbench,
    /// Every plugin with its state and capabilities.
    Plugins,
    /// Charts of the report metrics, with the tickets behind each value.
    Reports,
    /// Unfinished tickets in queue order, with filters and bulk changes.
    Todo,
    /// The theme, language, alert settings and the agent's profile.
    Settings,
}

/// Events of the workbench window.
#[derive(Debug, Clone)]
pub enum Message {
    ConversationList(conversation_list::Message),
    TicketList(ticket_list::Message),
    /// The Refresh button was pressed.
    RefreshPressed,
    /// The periodic reload timer fired.
    ReloadTimer,
    /// The change poll timer fired: reload when another connection
    /// committed since the last poll.
    ChangePoll,
    Webhook(webhook::Message),
    /// The scheduler's timer fired: fire due timers and time rules.
    SchedulerTimer,
    Scheduler(scheduler::Message),
    /// The intake timer fired: scan the drop folders and fetch the IMAP
    /// accounts that are due.
    IntakeTimer,
    Intake(intake::Message),
    /// The top bar's screen button was pressed.
    ScreenSelected(Screen),
    Plugins(plugins::Message),
    Reports(reports::Message),
    Todo(todo::Message),
    Settings(settings::Message),
    /// The keyboard modifiers changed, such as Shift for selecting a range
    /// of to-do rows.
    ModifiersChanged(iced::keyboard::Modifiers),
    Panes(panes::Message),
    /// A delivery run started by a send finished.
    Delivered(Result<DeliveryReport, String>),
    /// A window was resized to this inner size.
    WindowResized(iced::window::Id, Size),
    /// A window other than the main one closed.
    WindowClosed(iced::window::Id),
    CustomerCard(customer_card::Message),
    DemoOffer(demo_offer::Message),
    Alerts(alerts::Message),
    /// A key of the shortcut table was pressed.
    KeyPressed(shortcuts::Keys),
    PhrasePicker(phrase_picker::Message),
    /// The top bar's button for the shortcut list was pressed.
    ShortcutsPressed,
    ShortcutList(shortcuts::Message),
    SavedView(saved_views::Message),
}

/// Everything one reload reads, applied only when every query succeeded so
/// that a failure never leaves the panes half updated.
struct Snapshot {
    conversations: Vec<ConversationSummary>,
    tickets: Vec<Ticket>,
    /// Messages and outbox entries of each conversation a pane shows. A
    /// conversation that is gone has no entry.
    panes: PaneContents,
    /// The ticket of each conversation a pane shows, when it has one.
    pane_tickets: HashMap<i64, TodoRow>,
}

/// Messages and outbox entries by conversation id.
type PaneContents = HashMap<i64, (Vec<StoredMessage>, Vec<OutboxEntry>)>;

impl Workbench {
    /// Opens the database at `path`, creating it when missing, and reads it.
    /// When opening fails, the workbench shows the error and the next
    /// reload tries again.
    /// The built-in lifecycle labels the tickets.
    pub fn open(path: &Path) -> Self {
        Self::open_with(path, DeskConfig::builtin())
    }

    /// Opens the database at `path` like [`Workbench::open`], with the desk
    /// configuration in `config_folder` (built in when `None`). A
    /// configuration file that cannot be used shows as an error line, and
    /// the built-in defaults apply in its place.
    pub fn open_configured(path: &Path, config_folder: Option<&Path>) -> Self {
        let mut workbench = Self::open_with(path, DeskConfig::load(config_folder));
        workbench.configure_settings(config_folder);
        workbench
    }

    /// Opens the database at `db_path` like [`Workbench::open_configured`],
    /// and returns the task that loads the built-in plugins and those in
    /// `plugin_folder` with the declarative rules. While the window is
    /// open, the folder is watched and its changes load and unload plugins,
    /// and the scheduler fires time rules every [`SCHEDULER_INTERVAL`]. The
    /// drop folders and IMAP accounts of intake.toml in `config_folder` run
    /// every [`INTAKE_INTERVAL`]; problems with that file, `backup.toml`,
    /// `alerts.toml` and `ui.toml` show as error lines.
    pub fn start(
        db_path: &Path,
        plugin_folder: Option<PathBuf>,
        config_folder: Option<&Path>,
    ) -> (Self, Task<Message>) {
        let config = DeskConfig::load(config_folder);
        let (desk, rules) = (config.desk.clone(), config.rules.clone());
        let mut workbench = Self::open_with(db_path, config);
        let (intake, intake_errors) = IntakeRunner::load(config_folder);
        workbench.intake = intake;
        workbench
            .config_errors
            .extend(intake_errors.into_iter().map(Label::fixed));
        if let Some(folder) = config_folder {
            match kefu_core::backup::BackupConfig::load(folder, db_path) {
                Ok(backup) => workbench
                    .scheduler
                    .set_backup(db_path.to_path_buf(), backup),
                Err(error) => {
                    let error = format!("{error:#}");
                    workbench
                        .config_errors
                        .push(Label::new(move || labels::backup_config_invalid(&error)))
                }
            }
            // The language itself is chosen before the window opens.
            // The line is in English, as the app then runs.
            workbench
                .config_errors
                .extend(crate::language::setting_error(folder).map(Label::fixed));
        }
        workbench.configure_settings(config_folder);
        workbench.alerts = Alerts::new(
            alert_settings(
                config_folder,
                &desk,
                workbench.todo.agent(),
                &mut workbench.config_errors,
            ),
            Some(Outputs::start()),
        );
        if let Some(store) = &workbench.store {
            workbench.alerts.start(store);
        }
        let webhook =
            workbench
                .webhook
                .start(db_path, plugin_folder.clone(), config_folder, desk, rules);
        let plugins = workbench.plugins.start(plugin_folder);
        let windows = std::mem::replace(&mut workbench.pending_windows, Task::none());
        let task = Task::batch([
            plugins.map(Message::Plugins),
            webhook.map(Message::Webhook),
            windows,
        ]);
        (workbench, task)
    }

    /// Reads an open store. The built-in lifecycle labels the tickets.
    pub fn load(store: Store) -> Self {
        let mut workbench = Self::new(
            store.path().to_path_buf(),
            Some(store),
            DeskConfig::builtin(),
        );
        workbench.reload();
        workbench.offer_demo_data();
        workbench
    }

    /// Points the settings screen at `config_folder` and applies the theme
    /// of its `ui.toml`. A theme that cannot be used adds an error line,
    /// unless the language check reported the file already.
    fn configure_settings(&mut self, config_folder: Option<&Path>) {
        self.settings = SettingsScreen::new(
            config_folder.map(Path::to_path_buf),
            self.todo.agent().to_string(),
            self.desk.clone(),
        );
        let Some(folder) = config_folder else {
            return;
        };
        match settings::files::read_ui_settings(folder) {
            Ok(ui) => self.theme = ui.theme.theme(),
            Err(error) => {
                if crate::language::setting_error(folder).is_none() {
                    tracing::error!(%error, "theme setting invalid, following the system's theme");
                    let error = error.to_string();
                    self.config_errors
                        .push(Label::new(move || labels::settings::theme_invalid(&error)));
                }
            }
        }
    }

    fn open_with(path: &Path, config: DeskConfig) -> Self {
        let mut workbench = Self::new(path.to_path_buf(), None, config);
        workbench.reload();
        workbench.offer_demo_data();
        workbench
    }

    /// Offers demo data when the database was read, is empty (no
    /// conversations, no tickets), is not encrypted, and the user made no
    /// choice on the offer for it before.
    fn offer_demo_data(&mut self) {
        if self.demo_offer_choice.is_some() || self.store.is_none() || self.error.is_some() {
            return;
        }
        if !self.conversations.is_empty() || !self.tickets.is_empty() {
            return;
        }
        // An unreadable header counts as encrypted, so no offer is made.
        if kefu_core::encryption::is_encrypted(&self.db_path).unwrap_or(true) {
            return;
        }
        tracing::info!(path = %self.db_path.display(), "the database is empty; offering demo data");
        self.demo_offer = Some(DemoOffer::new(self.db_path.clone(), self.desk.clone()));
    }

    fn new(db_path: PathBuf, store: Option<Store>, config: DeskConfig) -> Self {
        let state_path = saved_state::path_for(&db_path);
        let loaded = saved_state::load(&state_path);
        let mut config_errors = config.errors.clone();
        config_errors.extend(loaded.error);
        let mut workbench = Self {
            desk: config.desk.clone(),
            config_errors,
            panes: Panes::restore(&loaded.state),
            window: loaded.state.window,
            state_path,
            saved_json: None,
            scheduler: Scheduler::default(),
            intake: IntakeRunner::load(None).0,
            change_watch: None,
            webhook: Webhook::default(),
            demo_offer: None,
            demo_offer_choice: loaded.state.demo_offer,
            alerts: Alerts::new(AlertSettings::builtin(&config.desk.lifecycle), None),
            picker: None,
            shortcuts_shown: false,
            conversation_search: String::new(),
            conversation_scroll: conversation_list::initial_scroll(),
            ticket_scroll: ticket_list::initial_scroll(),
            list_view: View::All,
            views: ViewRead::default(),
            notice: None,
            view_form: None,
            reports: Reports::new(db_path.clone(), config.desk.clone()),
            todo: TodoPanel::new(config.desk.clone(), todo::agent_name()),
            settings: SettingsScreen::new(None, todo::agent_name(), config.desk.clone()),
            theme: None,
            lists_stale: false,
            plugins: Plugins::new(db_path.clone(), config),
            screen: Screen::Workbench,
            db_path,
            store,
            conversations: Vec::new(),
            tickets: Vec::new(),
            error: None,
            loaded_at: None,
            pending_windows: Task::none(),
        };
        workbench.pending_windows = workbench.reopen_windows(&loaded.state.popped_out);
        workbench
    }

    /// Id of the conversation shown in the focused pane.
    pub fn selected_conversation(&self) -> Option<i64> {
        self.panes.focused_conversation()
    }

    /// Returns the positions of the conversation list's rows in view,
    /// counted among the conversations the list shows.
    pub fn conversation_list_visible_range(&self) -> Range<usize> {
        let total = self.listed_conversations().len();
        self.conversation_scroll.visible_range(total)
    }

    /// Returns the positions of the ticket list's rows in view.
    pub fn ticket_list_visible_range(&self) -> Range<usize> {
        self.ticket_scroll.visible_range(self.tickets.len())
    }

    /// Returns the open panes in layout order.
    pub fn panes(&self) -> Vec<PaneSummary> {
        self.panes.summaries()
    }

    /// Returns the draft reply of a conversation, empty when it has none.
    pub fn draft(&self, conversation_id: i64) -> String {
        self.panes.draft(conversation_id)
    }

    /// Path of the file that keeps the panes, drafts and window size.
    pub fn state_path(&self) -> &Path {
        &self.state_path
    }

    /// Returns the error line shown across the top, if any.
    pub fn error(&self) -> Option<String> {
        self.error.as_ref().map(Label::text)
    }

    /// Returns the lines for configuration files that could not be used,
    /// including declarative rules the loaded plugins rejected.
    pub fn config_errors(&self) -> Vec<String> {
        self.config_errors
            .iter()
            .chain(self.plugins.rules_error())
            .map(Label::text)
            .collect()
    }

    /// Address of the webhook server the app runs, once it listens.
    pub fn webhook_address(&self) -> Option<std::net::SocketAddr> {
        self.webhook.address()
    }

    /// Returns the error line of a webhook server that could not start.
    pub fn webhook_error(&self) -> Option<String> {
        self.webhook.error().map(Label::text)
    }

    /// Returns the state of the reports screen.
    pub fn reports(&self) -> &Reports {
        &self.reports
    }

    /// Returns the alert settings in force.
    pub fn alert_settings(&self) -> &AlertSettings {
        self.alerts.settings()
    }

    /// Returns the alert toasts on screen, the newest last.
    pub fn toasts(&self) -> &[Toast] {
        self.alerts.toasts()
    }

    /// Returns the state of the to-do screen.
    pub fn todo(&self) -> &TodoPanel {
        &self.todo
    }

    /// Sets the name of the agent running the app, which the Mine view and
    /// the to-do screen's Mine filter look for and its changes record. It
    /// starts as `KEFU_AGENT`, else `USER`.
    pub fn set_agent(&mut self, agent: &str) {
        self.todo.set_agent(agent.to_string());
        self.settings.set_agent(agent.to_string());
    }

    /// Returns the theme of the windows, or `None` to follow the system.
    pub fn theme(&self) -> Option<iced::Theme> {
        self.theme.clone()
    }

    /// Returns the state of the settings screen.
    pub fn settings(&self) -> &SettingsScreen {
        &self.settings
    }

    /// Returns the screen below the top bar.
    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// True while a scheduler run is in progress.
    pub fn scheduler_running(&self) -> bool {
        self.scheduler.is_running()
    }

    /// True while a live intake pass is in progress.
    pub fn intake_running(&self) -> bool {
        self.intake.is_running()
    }

    /// True while the offer of demo data is shown.
    pub fn demo_offer_shown(&self) -> bool {
        self.demo_offer.is_some()
    }

    /// Returns the tickets written and the total while demo data loads.
    pub fn demo_progress(&self) -> Option<(u64, u64)> {
        self.demo_offer.as_ref().and_then(DemoOffer::progress)
    }

    /// Returns the error of the last attempt to load demo data.
    pub fn demo_error(&self) -> Option<String> {
        self.demo_offer.as_ref().and_then(DemoOffer::error)
    }

    /// Returns the ids of the phrases the open phrase picker lists, in
    /// order, or `None` when the picker is closed.
    pub fn picker_phrases(&self) -> Option<Vec<&str>> {
        Some(self.picker.as_ref()?.visible_ids())
    }

    /// True while the shortcut list is shown.
    pub fn shortcuts_shown(&self) -> bool {
        self.shortcuts_shown
    }

    /// Returns the notice in the top bar, if any.
    pub fn notice(&self) -> Option<String> {
        self.notice.as_ref().map(Label::text)
    }

    /// Handles a message, then saves the panes, drafts and window size
    /// when they changed.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        let task = self.handle(message);
        self.save_state();
        task
    }

    fn handle(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::ConversationList(conversation_list::Message::Selected(id)) => self.select(id),
            Message::ConversationList(conversation_list::Message::SearchChanged(search)) => {
                self.conversation_search = search;
                Task::none()
            }
            Message::ConversationList(conversation_list::Message::ViewSelected(view)) => {
                self.list_view = view;
                self.read_views();
                Task::none()
            }
            Message::ConversationList(conversation_list::Message::EditView(name)) => {
                self.view_form = Some(ViewForm::edit(name));
                Task::none()
            }
            Message::ConversationList(conversation_list::Message::Scrolled { offset, height }) => {
                self.conversation_scroll.scrolled(offset, height);
                Task::none()
            }
            Message::SavedView(message) => {
                self.saved_view_message(message);
                Task::none()
            }
            Message::KeyPressed(keys) => self.key_pressed(keys),
            Message::PhrasePicker(message) => self.picker_message(message),
            Message::ShortcutsPressed => {
                self.shortcuts_shown = true;
                Task::none()
            }
            Message::ShortcutList(shortcuts::Message::ClosePressed) => {
                self.shortcuts_shown = false;
                Task::none()
            }
            Message::TicketList(ticket_list::Message::Scrolled { offset, height }) => {
                self.ticket_scroll.scrolled(offset, height);
                Task::none()
            }
            Message::TicketList(ticket_list::Message::Selected(ticket_id)) => {
                let conversation_id = self
                    .tickets
                    .iter()
                    .find(|row| row.ticket.id == ticket_id)
                    .map(|row| row.ticket.conversation_id);
                match conversation_id {
                    Some(conversation_id) => self.select(conversation_id),
                    None => Task::none(),
                }
            }
            Message::RefreshPressed => {
                self.reload();
                let alerts = self.poll_alerts();
                Task::batch([self.plugins.refresh().map(Message::Plugins), alerts])
            }
            Message::ReloadTimer => {
                self.reload();
                self.poll_alerts()
            }
            Message::ChangePoll => {
                if self.database_changed() {
                    self.reload();
                    self.poll_alerts()
                } else {
                    self.alerts.flush()
                }
            }
            Message::Alerts(message) => match self.alerts.update(message.clone()) {
                Some(alerts::Event::OpenConversation(conversation_id)) => {
                    self.screen = Screen::Workbench;
                    let select = self.select(conversation_id);
                    if let alerts::Message::NotificationClicked(_) = message {
                        // The click came from outside the window, so
                        // bring the window to the front.
                        let focus =
                            iced::window::latest().and_then(iced::window::gain_focus::<Message>);
                        Task::batch([select, focus])
                    } else {
                        select
                    }
                }
                None => Task::none(),
            },
            Message::Webhook(message) => {
                self.webhook.update(message);
                Task::none()
            }
            Message::SchedulerTimer => self
                .scheduler
                .tick(self.plugins.loaded())
                .map(Message::Scheduler),
            Message::Scheduler(message) => {
                if let Some(scheduler::Event::TicketsChanged) = self.scheduler.update(message) {
                    self.reload();
                }
                Task::none()
            }
            Message::IntakeTimer => self.intake.tick(self.plugins.loaded()).map(Message::Intake),
            Message::Intake(message) => {
                if let Some(intake::Event::Stored) = self.intake.update(message) {
                    self.reload();
                }
                Task::none()
            }
            Message::ScreenSelected(screen) => self.show_screen(screen),
            Message::Todo(message) => self.update_todo(message),
            Message::Settings(message) => {
                self.update_settings(message);
                Task::none()
            }
            Message::ModifiersChanged(modifiers) => {
                self.todo.set_shift(modifiers.shift());
                Task::none()
            }
            Message::Plugins(message) => {
                let generation = self.plugins.generation();
                let task = self.plugins.update(message).map(Message::Plugins);
                if self.plugins.generation() == generation {
                    return task;
                }
                // A widget loaded, changed or went away.
                self.reports.set_plugins(self.plugins.loaded());
                if self.screen != Screen::Reports {
                    return task;
                }
                Task::batch([task, self.reports.reload().map(Message::Reports)])
            }
            Message::Reports(message) => {
                let (task, event) = self.reports.update(message);
                let task = task.map(Message::Reports);
                match event {
                    Some(reports::Event::OpenConversation(conversation_id)) => {
                        self.screen = Screen::Workbench;
                        Task::batch([task, self.select(conversation_id)])
                    }
                    None => task,
                }
            }
            Message::Panes(message) => match self.panes.update(message) {
                Some(panes::Message::SendPressed(pane)) => self.send_draft(pane),
                Some(panes::Message::PhrasesPressed(pane)) => self.open_picker(pane),
                Some(panes::Message::PopOut(pane)) => self.pop_out(pane),
                Some(panes::Message::ShowEarlier(pane)) => {
                    if self.panes.show_earlier(pane).is_some() {
                        self.reload();
                    }
                    Task::none()
                }
                Some(panes::Message::AttachmentPressed(message_id, position)) => {
                    match self.open_attachment(message_id, position) {
                        Ok(()) => self.clear_error(),
                        Err(error) => {
                            let error = format!("{error:#}");
                            self.show_error(Label::new(move || labels::attachment_failed(&error)))
                        }
                    }
                    Task::none()
                }
                Some(_) | None => Task::none(),
            },
            Message::Delivered(result) => {
                match result {
                    Ok(report) => {
                        for (id, error) in report.retrying.iter().chain(&report.failed) {
                            tracing::warn!(outbox = id, %error, "reply not sent");
                        }
                    }
                    Err(error) => tracing::error!(%error, "delivering the outbox failed"),
                }
                self.reload();
                Task::none()
            }
            Message::WindowClosed(window) => {
                if self.panes.window_closed(window) {
                    self.show_customer();
                }
                Task::none()
            }
            // Popped-out panes keep no size; the main window's is saved.
            Message::WindowResized(window, _) if self.panes.is_window(window) => Task::none(),
            Message::WindowResized(_, size) => {
                self.window = Some(WindowSize {
                    width: size.width,
                    height: size.height,
                });
                Task::none()
            }
            Message::DemoOffer(message) => {
                let Some(offer) = &mut self.demo_offer else {
                    return Task::none();
                };
                let (task, event) = offer.update(message);
                if let Some(demo_offer::Event::Chosen(choice)) = event {
                    self.demo_offer_choice = Some(choice);
                    self.demo_offer = None;
                    self.reload();
                }
                task.map(Message::DemoOffer)
            }
            Message::CustomerCard(message) => {
                match self
                    .panes
                    .focused_card_mut()
                    .update(self.store.as_mut(), message)
                {
                    Some(customer_card::Event::OpenConversation(id)) => self.select(id),
                    Some(customer_card::Event::CustomersChanged) => {
                        self.reload();
                        Task::none()
                    }
                    None => Task::none(),
                }
            }
        }
    }

    /// Shows `screen` below the top bar. Each visit shows the database and
    /// the settings files as they are now.
    fn show_screen(&mut self, screen: Screen) -> Task<Message> {
        self.screen = screen;
        match screen {
            Screen::Reports => {
                self.reports.set_plugins(self.plugins.loaded());
                return self.reports.reload().map(Message::Reports);
            }
            Screen::Todo => self.reload(),
            Screen::Settings => self.settings.reload(self.store.as_ref()),
            Screen::Workbench if self.lists_stale => self.reload(),
            Screen::Workbench | Screen::Plugins => {}
        }
        Task::none()
    }

    /// Passes a message to the settings screen and applies what it saved:
    /// the theme and language at once, and the alert settings to the
    /// alerts that follow.
    fn update_settings(&mut self, message: settings::Message) {
        match self.settings.update(self.store.as_mut(), message) {
            Some(settings::Event::AppearanceSaved(ui)) => {
                self.theme = ui.theme.theme();
                let language = match ui.language {
                    settings::LanguageChoice::Fixed(language) => language,
                    settings::LanguageChoice::System => {
                        crate::language::choose(None, |name| std::env::var(name).ok()).language
                    }
                };
                crate::language::set(language);
            }
            Some(settings::Event::AlertsSaved(alert_settings)) => {
                self.alerts.set_settings(*alert_settings);
            }
            None => {}
        }
    }

    /// Passes a message to the to-do screen and acts on its event: after a
    /// change the other screens' lists are read again when shown, and
    /// "Open conversation" shows the ticket's conversation on the
    /// workbench screen.
    fn update_todo(&mut self, message: todo::Message) -> Task<Message> {
        match self.todo.update(self.store.as_mut(), message) {
            Ok(Some(todo::Event::TicketsChanged)) => {
                self.lists_stale = true;
                Task::none()
            }
            Ok(Some(todo::Event::SaveAsView)) => {
                let query = self.todo.query();
                self.view_form = Some(ViewForm::save(CurrentFilters {
                    query: &query,
                    overdue: self.todo.filters().overdue,
                }));
                Task::none()
            }
            Ok(Some(todo::Event::OpenConversation(conversation_id))) => {
                self.screen = Screen::Workbench;
                self.reload();
                self.select(conversation_id)
            }
            Ok(None) => Task::none(),
            Err(error) => {
                let error = format!("{error:#}");
                self.show_error(Label::new(move || labels::read_failed(&error)));
                Task::none()
            }
        }
    }

    /// Passes a message to the saved view form. After a write the form
    /// closes, the top bar shows what changed, and the views are read
    /// again, so the list shows the view with its count at once.
    fn saved_view_message(&mut self, message: saved_views::Message) {
        let Some(form) = &mut self.view_form else {
            return;
        };
        let query = self.todo.query();
        let current = CurrentFilters {
            query: &query,
            overdue: self.todo.filters().overdue,
        };
        let Some(event) = form.update(self.store.as_mut(), current, message) else {
            return;
        };
        self.view_form = None;
        self.notice = match event {
            saved_views::Event::Closed => return,
            saved_views::Event::Saved(name) => {
                Some(Label::new(move || labels::saved_views::saved(&name)))
            }
            saved_views::Event::Renamed { from, to } => {
                if self.list_view == View::Saved(from.clone()) {
                    self.list_view = View::Saved(to.clone());
                }
                Some(Label::new(move || labels::saved_views::renamed(&from, &to)))
            }
            saved_views::Event::FilterReplaced(name) => Some(Label::new(move || {
                labels::saved_views::filter_replaced(&name)
            })),
            saved_views::Event::Deleted(name) => {
                Some(Label::new(move || labels::saved_views::deleted(&name)))
            }
        };
        self.read_views();
    }

    /// Stores the draft of `pane`'s conversation through its channel (see
    /// [`composer::send`]) and starts delivering the outbox. The draft is
    /// emptied only when the send was stored.
    /// Moves `pane` out of the grid into a new window of its own.
    fn pop_out(&mut self, pane: iced::widget::pane_grid::Pane) -> Task<Message> {
        let (window, open) = iced::window::open(popped_out_window());
        if self.panes.pop_out(pane, window).is_none() {
            return Task::none();
        }
        self.show_customer();
        open.discard()
    }

    /// Opens a window for each popped-out pane of the saved state, as they
    /// were when the app last ran.
    fn reopen_windows(&mut self, conversations: &[i64]) -> Task<Message> {
        let tasks: Vec<Task<Message>> = conversations
            .iter()
            .map(|&conversation_id| {
                let (window, open) = iced::window::open(popped_out_window());
                self.panes.open_in_window(window, conversation_id);
                open.discard()
            })
            .collect();
        Task::batch(tasks)
    }

    fn send_draft(&mut self, pane: PaneId) -> Task<Message> {
        let Some(conversation_id) = self.panes.conversation_of(pane) else {
            return Task::none();
        };
        let Some(conversation) = self
            .conversations
            .iter()
            .find(|conversation| conversation.id == conversation_id)
            .cloned()
        else {
            return Task::none();
        };
        let text = self.panes.draft(conversation_id);
        let result = match &mut self.store {
            Some(store) => composer::send(store, &conversation, &text, Utc::now()),
            None => Err(anyhow::anyhow!("{}", labels::database_not_open_send())),
        };
        match result {
            Ok(sent) => {
                self.panes.finish_send(
                    pane,
                    Outcome::Stored(Label::new(move || labels::sent(sent))),
                );
                self.reload();
                match sent {
                    composer::Sent::Queued { .. } => self.deliver_outbox(),
                    composer::Sent::Noted { .. } => Task::none(),
                }
            }
            Err(error) => {
                let error = format!("{error:#}");
                tracing::warn!(conversation = conversation_id, %error, "send from the composer failed");
                self.panes.finish_send(
                    pane,
                    Outcome::Failed(Label::new(move || labels::send_failed(&error))),
                );
                Task::none()
            }
        }
    }

    /// Delivers the due outbox entries in the background, once the plugins
    /// are loaded. Until then, or when this run fails, the scheduler's next
    /// run delivers them.
    fn deliver_outbox(&self) -> Task<Message> {
        let Some(plugins) = self.plugins.loaded() else {
            return Task::none();
        };
        let work = plugins::in_background("kefu-send", move || plugins.deliver_outbox(Utc::now()));
        Task::perform(work, Message::Delivered)
    }

    /// Writes the panes, drafts and window size to the state file when
    /// they differ from what was last written. A failed write is logged
    /// once per error, and the next change tries again.
    fn save_state(&mut self) {
        let mut state = self.panes.saved();
        state.window = self.window;
        state.demo_offer = self.demo_offer_choice;
        let json = match serde_json::to_vec_pretty(&state) {
            Ok(json) => json,
            Err(error) => {
                tracing::error!("serializing the workbench state failed: {error}");
                return;
            }
        };
        if self.saved_json.as_ref() == Some(&json) {
            return;
        }
        match saved_state::write(&self.state_path, &json) {
            Ok(()) => self.saved_json = Some(json),
            Err(error) => {
                tracing::warn!(path = %self.state_path.display(), "saving the panes and drafts failed: {error:#}");
                // Remember the failed state, so the same error is not
                // logged on every message; the next change tries again.
                self.saved_json = Some(json);
            }
        }
    }

    /// Writes an attachment into the temporary folder under a safe file
    /// name and opens it with the system's default application.
    fn open_attachment(&mut self, message_id: i64, position: usize) -> anyhow::Result<()> {
        let Some(store) = &mut self.store else {
            anyhow::bail!("{}", labels::database_not_open());
        };
        let attachment = store
            .message_attachments(message_id)?
            .into_iter()
            .nth(position)
            .with_context(|| format!("message {message_id} has no attachment {position}"))?;
        let folder = std::env::temp_dir().join("kefu-attachments");
        let path = kefu_core::attachments::write_to_folder(store, attachment.id, &folder)?;
        tracing::info!(attachment = attachment.id, "opening {}", path.display());
        open::that_detached(&path).with_context(|| format!("opening {}", path.display()))?;
        Ok(())
    }

    /// Reloads when another connection changes the database (checked every
    /// [`CHANGE_POLL_INTERVAL`]) and every few seconds, so messages that the
    /// webhook server, the live intake or `kefu ingest` store appear without
    /// a click, runs the scheduler every minute and the live intake of
    /// intake.toml every few seconds, and watches the plugins folder.
    pub fn subscription(&self) -> Subscription<Message> {
        let intake = if self.intake.is_configured() {
            iced::time::every(INTAKE_INTERVAL).map(|_| Message::IntakeTimer)
        } else {
            Subscription::none()
        };
        Subscription::batch([
            iced::time::every(CHANGE_POLL_INTERVAL).map(|_| Message::ChangePoll),
            iced::time::every(RELOAD_INTERVAL).map(|_| Message::ReloadTimer),
            iced::time::every(SCHEDULER_INTERVAL).map(|_| Message::SchedulerTimer),
            intake,
            shortcuts::subscription().map(Message::KeyPressed),
            self.plugins.subscription().map(Message::Plugins),
            self.alerts.subscription().map(Message::Alerts),
            iced::window::resize_events()
                .map(|(window, size)| Message::WindowResized(window, size)),
            iced::event::listen_with(|event, _status, _window| match event {
                iced::Event::Keyboard(iced::keyboard::Event::ModifiersChanged(modifiers)) => {
                    Some(Message::ModifiersChanged(modifiers))
                }
                _ => None,
            }),
        ])
    }

    /// Shows a conversation in the pane that shows it already, or in the
    /// focused pane, scrolled to the latest message.
    fn select(&mut self, conversation_id: i64) -> Task<Message> {
        let Some(store) = &self.store else {
            return Task::none();
        };
        let window = self.panes.window_for(conversation_id);
        let read = store
            .latest_messages(conversation_id, window)
            .and_then(|messages| {
                let outbox = store.conversation_outbox(conversation_id)?;
                let ticket = conversation_ticket(store, &self.conversations, conversation_id)?;
                Ok((messages, outbox, ticket))
            });
        match read {
            Ok((messages, outbox, ticket)) => {
                let key = self.panes.open(conversation_id, messages, outbox);
                self.panes.set_ticket(conversation_id, ticket);
                self.clear_error();
                self.show_customer();
                Task::batch([
                    operation::snap_to_end(panes::ids::messages(key)),
                    self.reveal_conversation(conversation_id),
                ])
            }
            Err(error) => {
                let error = format!("{error:#}");
                self.show_error(Label::new(move || labels::read_failed(&error)));
                Task::none()
            }
        }
    }

    /// Scrolls the conversation list so that the row of `conversation_id`
    /// is in view, when the list shows that conversation.
    fn reveal_conversation(&mut self, conversation_id: i64) -> Task<Message> {
        let listed = self.listed_conversations();
        let total = listed.len();
        let Some(position) = listed
            .iter()
            .position(|conversation| conversation.id == conversation_id)
        else {
            return Task::none();
        };
        match self.conversation_scroll.reveal(position, total) {
            Some(offset) => operation::scroll_to(
                conversation_list::list_id(),
                AbsoluteOffset { x: 0.0, y: offset },
            ),
            None => Task::none(),
        }
    }

    /// Returns the conversations the list shows, in list order.
    fn listed_conversations(&self) -> Vec<&ConversationSummary> {
        conversation_list::listed(&self.conversations, &self.conversation_search, &self.views)
    }

    /// Reads the store for alerts and raises them; returns the window
    /// attention request they ask for.
    fn poll_alerts(&mut self) -> Task<Message> {
        match &self.store {
            Some(store) => self.alerts.poll(store),
            None => Task::none(),
        }
    }

    /// Returns whether another connection committed since the last check.
    /// A failed check counts as a change, so the reload shows the error.
    fn database_changed(&mut self) -> bool {
        let Some(watch) = &mut self.change_watch else {
            return self.store.is_none();
        };
        match watch.changed() {
            Ok(changed) => changed,
            Err(error) => {
                tracing::warn!(path = %self.db_path.display(), "checking for database changes failed: {error:#}");
                self.change_watch = None;
                true
            }
        }
    }

    /// Reads everything again, opening the database first if it is not open.
    // NOTE: the queries run on the UI thread. In WAL mode a reader does not
    // wait for a writer, so this stays short, but very large databases may
    // need the reads moved into a Task.
    fn reload(&mut self) {
        if self.store.is_none() {
            match Store::open(&self.db_path) {
                Ok(mut store) => {
                    tracing::info!(path = %self.db_path.display(), "opened the database");
                    // The desk's identity settings normalise the addresses
                    // that a split names.
                    store.set_desk(self.desk.clone());
                    self.store = Some(store);
                }
                Err(error) => {
                    let (path, error) = (self.db_path.clone(), format!("{error:#}"));
                    self.show_error(Label::new(move || labels::open_failed(&path, &error)));
                    return;
                }
            }
        }
        let Some(store) = &self.store else {
            return;
        };
        if self.change_watch.is_none() {
            // Opened before the read, so a commit during the read is seen
            // by the next poll.
            match ChangeWatch::open(&self.db_path) {
                Ok(watch) => self.change_watch = Some(watch),
                Err(error) => tracing::warn!(
                    path = %self.db_path.display(),
                    "watching the database for changes failed, reloading on the timer only: {error:#}"
                ),
            }
        }
        if self.screen == Screen::Todo {
            // The to-do screen reads only its own rows, so that a large
            // desk does not read every conversation and ticket each time.
            match self.todo.reload(store) {
                Ok(()) => {
                    self.lists_stale = true;
                    self.loaded_at = Some(Local::now());
                    self.clear_error();
                }
                Err(error) => {
                    let error = format!("{error:#}");
                    self.show_error(Label::new(move || labels::read_failed(&error)))
                }
            }
            return;
        }
        let open: Vec<(i64, usize)> = self
            .panes
            .conversations()
            .into_iter()
            .map(|id| (id, self.panes.window_for(id)))
            .collect();
        match read_snapshot(store, &open) {
            Ok(snapshot) => {
                self.lists_stale = false;
                self.tickets = ticket_list::rows(snapshot.tickets, &self.desk.lifecycle);
                self.conversations = snapshot.conversations;
                self.panes.refresh(&snapshot.panes);
                self.panes.set_tickets(snapshot.pane_tickets);
                // Data that arrived another way (an import, the webhook)
                // ends the offer of demo data too.
                let has_data = !self.conversations.is_empty() || !self.tickets.is_empty();
                if has_data && self.demo_progress().is_none() {
                    self.demo_offer = None;
                }
                self.loaded_at = Some(Local::now());
                self.alerts.start(store);
                self.clear_error();
                self.read_views();
                self.show_customer();
            }
            Err(error) => {
                let error = format!("{error:#}");
                self.show_error(Label::new(move || labels::read_failed(&error)))
            }
        }
    }

    /// Reads the views' counts and the selected view's conversations. A
    /// saved view that was removed gives way to All.
    fn read_views(&mut self) {
        let Some(store) = &self.store else {
            return;
        };
        let agent = self.todo.agent().to_string();
        let read = |view: &View| {
            views::read(
                store,
                &self.conversations,
                view,
                &agent,
                &self.desk.lifecycle,
                Utc::now(),
            )
        };
        let result = read(&self.list_view).and_then(|read_views| {
            if read_views
                .counts
                .iter()
                .any(|count| count.view == self.list_view)
            {
                Ok(read_views)
            } else {
                self.list_view = View::All;
                read(&View::All)
            }
        });
        match result {
            Ok(read_views) => self.views = read_views,
            Err(error) => {
                let error = format!("{error:#}");
                self.show_error(Label::new(move || labels::view_failed(&error)))
            }
        }
    }

    /// Reads each pane's customer into its card.
    fn show_customer(&mut self) {
        let Some(store) = &self.store else {
            return;
        };
        let tickets = self.tickets.iter().map(|row| &row.ticket);
        self.panes
            .show_customers(store, &self.conversations, tickets);
    }

    /// Shows `error` across the top. Logs it once, not on every reload that
    /// fails the same way.
    fn show_error(&mut self, error: Label) {
        if self.error.as_ref() != Some(&error) {
            tracing::error!(path = %self.db_path.display(), error = %error.text(), "database error");
        }
        self.error = Some(error);
    }

    fn clear_error(&mut self) {
        if self.error.take().is_some() {
            tracing::info!(path = %self.db_path.display(), "database readable again");
        }
    }

    /// Builds the content of a popped-out pane's window; empty for a
    /// window that shows no pane.
    pub fn window_view(&self, window: iced::window::Id) -> Element<'_, Message> {
        let content =
            match self
                .panes
                .window_view(window, &self.conversations, &self.desk.lifecycle)
            {
                Some(view) => view.map(Message::Panes),
                None => return space().into(),
            };
        match &self.picker {
            Some(picker) if picker.pane() == PaneId::Window(window) => dialog::modal(
                content,
                picker.view().map(Message::PhrasePicker),
                Message::PhrasePicker(phrase_picker::Message::ClosePressed),
            ),
            _ => content,
        }
    }

    /// Returns the title of a popped-out pane's window.
    pub fn window_title(&self, window: iced::window::Id) -> String {
        let title = self
            .panes
            .window_title(window, &self.conversations)
            .unwrap_or(labels::empty_pane());
        format!("{title} - {}", labels::window_title())
    }

    /// Returns the views above the conversation list with their counts.
    pub fn views(&self) -> &[ViewCount] {
        &self.views.counts
    }

    /// Returns the error line of the open saved view form, or `None` when
    /// the form is closed or shows no error.
    pub fn view_form_error(&self) -> Option<String> {
        self.view_form.as_ref().and_then(ViewForm::error)
    }

    /// True while the form that saves, renames or deletes a saved view is
    /// open.
    pub fn view_form_open(&self) -> bool {
        self.view_form.is_some()
    }

    /// Returns the selected view of the conversation list.
    pub fn list_view(&self) -> &View {
        &self.list_view
    }

    /// Returns the windows of popped-out panes with their conversations.
    pub fn popped_out(&self) -> Vec<(iced::window::Id, Option<i64>)> {
        self.panes.popped_out()
    }

    pub fn view(&self) -> Element<'_, Message> {
        let mut page = column![self.header()];
        if let Some(error) = &self.error {
            page = page.push(
                container(text(error.text()).size(13))
                    .padding([6, 12])
                    .width(Fill)
                    .style(style::error_line),
            );
        }
        for error in self.config_errors().into_iter().chain(self.webhook_error()) {
            page = page.push(
                container(text(error).size(13))
                    .padding([6, 12])
                    .width(Fill)
                    .style(style::error_line),
            );
        }
        let page: Element<'_, Message> = page.push(rule::horizontal(1)).push(self.body()).into();
        let page = if let Some(form) = &self.view_form {
            dialog::modal(
                page,
                form.view().map(Message::SavedView),
                Message::SavedView(saved_views::Message::CancelPressed),
            )
        } else if let Some(picker) = self
            .picker
            .as_ref()
            .filter(|picker| matches!(picker.pane(), PaneId::Tile(_)))
        {
            // A popped-out pane's picker opens in that pane's window.
            dialog::modal(
                page,
                picker.view().map(Message::PhrasePicker),
                Message::PhrasePicker(phrase_picker::Message::ClosePressed),
            )
        } else if self.shortcuts_shown {
            dialog::modal(
                page,
                shortcuts::view().map(Message::ShortcutList),
                Message::ShortcutList(shortcuts::Message::ClosePressed),
            )
        } else {
            page
        };
        match self.alerts.view() {
            Some(toasts) => stack![page, toasts.map(Message::Alerts)].into(),
            None => page,
        }
    }

    fn header(&self) -> Element<'_, Message> {
        let (summary, toggle) = match self.screen {
            Screen::Workbench => {
                let unanswered = self
                    .conversations
                    .iter()
                    .filter(|conversation| conversation.unanswered)
                    .count();
                let summary =
                    labels::summary(self.conversations.len(), unanswered, self.tickets.len());
                (summary, (labels::plugins(), Screen::Plugins))
            }
            Screen::Reports | Screen::Settings => {
                (String::new(), (labels::workbench(), Screen::Workbench))
            }
            Screen::Todo => {
                let summary = labels::todo::summary(self.todo.total(), self.todo.selected_count());
                (summary, (labels::workbench(), Screen::Workbench))
            }
            Screen::Plugins => {
                let statuses: Vec<_> = self
                    .plugins
                    .entries()
                    .iter()
                    .map(|entry| &entry.status)
                    .collect();
                let summary = labels::plugin_summary(&statuses);
                (summary, (labels::workbench(), Screen::Workbench))
            }
        };
        let (toggle_label, toggle_screen) = toggle;

        // The settings button sits beside the title on every screen but
        // its own, where the toggle leads back.
        let settings_button = (self.screen != Screen::Settings).then(|| {
            button(
                text(labels::with_keys(
                    labels::settings::settings(),
                    shortcuts::Action::OpenSettings,
                    shortcuts::Scope::Workbench,
                ))
                .size(14),
            )
            .on_press(Message::ScreenSelected(Screen::Settings))
            .style(button::secondary)
        });
        let mut header = row![
            text(labels::window_title()).size(20),
            settings_button,
            space::horizontal(),
            text(summary).size(13),
        ];
        if let Some(loaded_at) = self.loaded_at {
            let loaded_at = labels::loaded_at(&format::clock_time(loaded_at));
            header = header.push(text(loaded_at).size(12).style(text::secondary));
        }
        if let Some(address) = self.webhook.address() {
            let note = labels::webhook_listening(&address.to_string());
            header = header.push(text(note).size(12).style(text::secondary));
        }
        if let Some(status) = self.scheduler.status() {
            header = header.push(status);
        }
        if let Some(notice) = &self.notice {
            header = header.push(text(notice.text()).size(12));
        }
        if self.screen == Screen::Workbench {
            header = header
                .push(
                    button(text(labels::reports()).size(14))
                        .on_press(Message::ScreenSelected(Screen::Reports))
                        .style(button::secondary),
                )
                .push(
                    button(
                        text(labels::with_keys(
                            labels::todo::todo(),
                            shortcuts::Action::OpenTodo,
                            shortcuts::Scope::Workbench,
                        ))
                        .size(14),
                    )
                    .on_press(Message::ScreenSelected(Screen::Todo))
                    .style(button::secondary),
                );
        }
        header
            .push(
                button(text(toggle_label).size(14))
                    .on_press(Message::ScreenSelected(toggle_screen))
                    .style(button::secondary),
            )
            .push(
                button(
                    text(labels::with_keys(
                        labels::shortcuts_button(),
                        shortcuts::Action::ShowShortcuts,
                        shortcuts::Scope::Workbench,
                    ))
                    .size(14),
                )
                .on_press(Message::ShortcutsPressed)
                .style(button::secondary),
            )
            .push(button(text(labels::refresh()).size(14)).on_press(Message::RefreshPressed))
            .spacing(12)
            .padding([8, 12])
            .align_y(Alignment::Center)
            .into()
    }

    fn body(&self) -> Element<'_, Message> {
        match self.screen {
            Screen::Workbench => self.workbench_body(),
            Screen::Plugins => self.plugins.view().map(Message::Plugins),
            Screen::Reports => self.reports.view().map(Message::Reports),
            Screen::Todo => self.todo.view().map(Message::Todo),
            Screen::Settings => self.settings.view().map(Message::Settings),
        }
    }

    fn workbench_body(&self) -> Element<'_, Message> {
        if let Some(offer) = &self.demo_offer {
            return center(offer.view().map(Message::DemoOffer)).into();
        }
        let Some(now) = self.loaded_at.filter(|_| !self.conversations.is_empty()) else {
            // An empty list is only news when it was read without error.
            if self.store.is_some() && self.error.is_none() {
                return center(text(labels::empty_database()).size(16)).into();
            }
            return space().into();
        };

        let selected = self.panes.focused_conversation();
        let conversations = conversation_list::view(
            &self.conversations,
            selected,
            &now,
            &self.conversation_search,
            &self.views,
            &self.list_view,
            &self.conversation_scroll,
        )
        .map(Message::ConversationList);
        let top = row![
            conversations,
            rule::vertical(1),
            self.panes
                .view(&self.conversations, &self.desk.lifecycle)
                .map(Message::Panes),
        ]
        .height(FillPortion(3));
        let tickets = container(
            ticket_list::view(&self.tickets, selected, &self.ticket_scroll)
                .map(Message::TicketList),
        )
        .height(FillPortion(2));

        let panes = column![top, rule::horizontal(1), tickets];
        if selected.is_none() {
            return panes.into();
        }
        let card = self.panes.focused_card().view().map(Message::CustomerCard);
        row![panes, rule::vertical(1), card].into()
    }
}

/// Reads the lists and the messages and outbox entries of `open`, the
/// conversations the panes show, each with the number of its latest
/// messages to read.
fn read_snapshot(store: &Store, open: &[(i64, usize)]) -> anyhow::Result<Snapshot> {
    let conversations = store.conversations()?;
    let tickets = store.tickets()?;
    let mut panes = PaneContents::new();
    let mut pane_tickets = HashMap::new();
    for &(id, window) in open {
        let exists = conversations
            .iter()
            .any(|conversation| conversation.id == id);
        if exists {
            let messages = store.latest_messages(id, window)?;
            panes.insert(id, (messages, store.conversation_outbox(id)?));
            if let Some(ticket) = conversation_ticket(store, &conversations, id)? {
                pane_tickets.insert(id, ticket);
            }
        }
    }
    Ok(Snapshot {
        conversations,
        tickets,
        panes,
        pane_tickets,
    })
}

/// Reads the ticket of the conversation `conversation_id`, if it has one.
fn conversation_ticket(
    store: &Store,
    conversations: &[ConversationSummary],
    conversation_id: i64,
) -> anyhow::Result<Option<TodoRow>> {
    let ticket_id = conversations
        .iter()
        .find(|conversation| conversation.id == conversation_id)
        .and_then(|conversation| conversation.ticket_id);
    match ticket_id {
        Some(ticket_id) => store.todo_row(ticket_id),
        None => Ok(None),
    }
}

/// Reads the alert settings of `agent`, the agent running the app, from
/// `alerts.toml` in `config_folder`. It is the same agent whose table the
/// settings screen edits. A file that cannot be used adds an error line to
/// `errors`, and the built-in settings apply.
fn alert_settings(
    config_folder: Option<&Path>,
    desk: &Desk,
    agent: &str,
    errors: &mut Vec<Label>,
) -> AlertSettings {
    let builtin = AlertSettings::builtin(&desk.lifecycle);
    let Some(folder) = config_folder else {
        return builtin;
    };
    match AlertSettings::load(folder, agent, &desk.lifecycle) {
        Ok(settings) => settings,
        Err(error) => {
            tracing::error!(%error, "alert settings invalid, running on the built-in settings");
            let error = error.to_string();
            errors.push(Label::new(move || labels::alerts_config_invalid(&error)));
            builtin
        }
    }
}

/// Settings of a popped-out pane's window.
fn popped_out_window() -> iced::window::Settings {
    iced::window::Settings {
        size: Size::new(640.0, 720.0),
        ..iced::window::Settings::default()
    }
}
