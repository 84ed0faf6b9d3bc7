//! Alerts in the app: the toasts stacked over the window, the window
//! attention request, desktop notifications and the alert sound.
//!
//! The policy in [`kefu_core::alerts`] decides which alerts to raise; this
//! module shows them. Each alert stacks a toast whose click opens the
//! conversation. Its effects then ask the window manager for attention,
//! show a desktop notification whose click also opens the conversation
//! ([`notify`]), and play the sound ([`sound`]). Without a notification
//! server or an audio device the app logs that once and carries on.

pub mod notify;
pub mod sound;

use chrono::Utc;
use iced::widget::{button, column, container, row, space, text};
use iced::window::UserAttention;
use iced::{Alignment, Element, Fill, Subscription, Task};
use kefu_core::Store;
use kefu_core::alerts::{Alert, AlertMonitor, AlertSettings, Tier};

use crate::{labels, style};

/// Most toasts shown at once; a new one beyond this drops the oldest.
pub const MAX_TOASTS: usize = 5;

/// The desktop outputs: notifications and sound. The window has them, and
/// a workbench driven by tests without a window has none.
pub struct Outputs {
    notifier: notify::Notifier,
    player: sound::Player,
}

impl Outputs {
    /// Starts the sound thread and prepares the notifier. Nothing touches
    /// D-Bus or the audio device until the first alert that needs it.
    pub fn start() -> Self {
        Self {
            notifier: notify::Notifier::new(),
            player: sound::Player::start(),
        }
    }
}

/// An alert shown as a toast.
#[derive(Debug, Clone)]
pub struct Toast {
    /// Number of the toast, unique while the window is open.
    pub key: u64,
    /// The alert the toast shows; an update of that alert replaces it.
    pub alert_id: u64,
    pub tier: Tier,
    pub summary: String,
    pub body: String,
    /// The conversation that opening the toast shows.
    pub conversation_id: Option<i64>,
}

/// State of the alerts: the monitor that decides them and the toasts on
/// screen.
pub struct Alerts {
    settings: AlertSettings,
    /// Started after the first successful read of the store, so messages
    /// stored before the window opened raise nothing.
    monitor: Option<AlertMonitor>,
    toasts: Vec<Toast>,
    next_key: u64,
    outputs: Option<Outputs>,
    /// The last poll error, so a database that keeps failing is logged once.
    last_error: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    /// The toast with this key was clicked.
    ToastPressed(u64),
    /// The toast's close button was pressed.
    DismissPressed(u64),
    /// A desktop notification about this conversation was clicked.
    NotificationClicked(i64),
}

/// Request to the rest of the window after an alert message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Show this conversation.
    OpenConversation(i64),
}

impl Alerts {
    /// Alerts with `settings`, showing desktop notifications and playing
    /// sound through `outputs` when given.
    pub fn new(settings: AlertSettings, outputs: Option<Outputs>) -> Self {
        Self {
            settings,
            monitor: None,
            toasts: Vec::new(),
            next_key: 0,
            outputs,
            last_error: None,
        }
    }

    /// Replaces the settings of the alerts that follow. The monitor keeps
    /// what it has seen and alerted, so no alert repeats.
    pub fn set_settings(&mut self, settings: AlertSettings) {
        if let Some(monitor) = &mut self.monitor {
            monitor.set_settings(settings.clone());
        }
        tracing::info!(agent = ?settings.agent, "alert settings changed");
        self.settings = settings;
    }

    /// Returns the settings the alerts follow.
    pub fn settings(&self) -> &AlertSettings {
        &self.settings
    }

    /// Returns the toasts on screen, the newest last.
    pub fn toasts(&self) -> &[Toast] {
        &self.toasts
    }

    /// Starts the monitor on `store` unless it runs already. The messages
    /// and deadlines the store contains now raise no alert.
    pub fn start(&mut self, store: &Store) {
        if self.monitor.is_some() {
            return;
        }
        match AlertMonitor::start(store, self.settings.clone(), Utc::now()) {
            Ok(monitor) => {
                tracing::info!(agent = ?self.settings.agent, "alerts started");
                self.monitor = Some(monitor);
            }
            Err(error) => self.log_error(&format!("{error:#}")),
        }
    }

    /// Reads the store for new alerts and raises them. Returns the window
    /// attention request when an alert's effects include one.
    pub fn poll<M: Send + 'static>(&mut self, store: &Store) -> Task<M> {
        self.start(store);
        let Some(monitor) = &mut self.monitor else {
            return Task::none();
        };
        match monitor.poll(store, Utc::now()) {
            Ok(alerts) => {
                if self.last_error.take().is_some() {
                    tracing::info!("alerts read the database again");
                }
                self.raise(alerts)
            }
            Err(error) => {
                self.log_error(&format!("{error:#}"));
                Task::none()
            }
        }
    }

    /// Raises the held alerts whose group window has ended, without reading
    /// the store.
    pub fn flush<M: Send + 'static>(&mut self) -> Task<M> {
        let Some(monitor) = &mut self.monitor else {
            return Task::none();
        };
        let alerts = monitor.flush(Utc::now());
        self.raise(alerts)
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::ToastPressed(key) => {
                let position = self.toasts.iter().position(|toast| toast.key == key)?;
                let toast = self.toasts.remove(position);
                toast.conversation_id.map(Event::OpenConversation)
            }
            Message::DismissPressed(key) => {
                self.toasts.retain(|toast| toast.key != key);
                None
            }
            Message::NotificationClicked(conversation_id) => {
                tracing::info!(
                    conversation = conversation_id,
                    "desktop notification clicked"
                );
                Some(Event::OpenConversation(conversation_id))
            }
        }
    }

    /// Listens for clicks on desktop notifications, while the window shows
    /// them.
    pub fn subscription(&self) -> Subscription<Message> {
        match &self.outputs {
            Some(outputs) => outputs.notifier.clicks().map(Message::NotificationClicked),
            None => Subscription::none(),
        }
    }

    fn raise<M: Send + 'static>(&mut self, alerts: Vec<Alert>) -> Task<M> {
        let mut attention = None;
        for alert in alerts {
            let summary = labels::alert_summary(&alert, &self.settings);
            let body = labels::alert_body(&alert);
            tracing::info!(
                alert = alert.id,
                updates = ?alert.updates,
                tier = alert.tier.key(),
                count = alert.count,
                conversation = ?alert.conversation_id(),
                "alert: {summary}"
            );
            let effects = alert.effects;
            if let Some(outputs) = &self.outputs {
                if effects.desktop {
                    outputs.notifier.show(&alert, &summary, &body);
                }
                if effects.sound {
                    outputs.player.play(&self.settings.sound);
                }
            }
            if effects.attention {
                let level = match alert.tier {
                    Tier::Ordinary => UserAttention::Informational,
                    _ => UserAttention::Critical,
                };
                attention = attention.max(Some(level_rank(level)));
            }
            if effects.toast {
                self.show_toast(&alert, summary, body);
            }
        }
        match attention {
            Some(rank) => {
                let level = if rank > 0 {
                    UserAttention::Critical
                } else {
                    UserAttention::Informational
                };
                iced::window::latest()
                    .and_then(move |id| iced::window::request_user_attention(id, Some(level)))
            }
            None => Task::none(),
        }
    }

    /// Replaces the toast of the alert that `alert` updates, when it is
    /// still on screen, or stacks a new toast.
    fn show_toast(&mut self, alert: &Alert, summary: String, body: String) {
        let updated = alert.updates.and_then(|previous| {
            self.toasts
                .iter_mut()
                .find(|toast| toast.alert_id == previous)
        });
        if let Some(toast) = updated {
            toast.alert_id = alert.id;
            toast.summary = summary;
            toast.body = body;
            toast.conversation_id = alert.conversation_id();
            return;
        }
        if self.toasts.len() == MAX_TOASTS {
            self.toasts.remove(0);
        }
        self.toasts.push(Toast {
            key: self.next_key,
            alert_id: alert.id,
            tier: alert.tier,
            summary,
            body,
            conversation_id: alert.conversation_id(),
        });
        self.next_key += 1;
    }

    fn log_error(&mut self, error: &str) {
        if self.last_error.as_deref() != Some(error) {
            tracing::error!(%error, "reading the database for alerts failed");
        }
        self.last_error = Some(error.to_string());
    }

    /// Builds the toasts stacked in the bottom-right corner, the newest at
    /// the bottom, or `None` when there are none.
    pub fn view(&self) -> Option<Element<'_, Message>> {
        if self.toasts.is_empty() {
            return None;
        }
        let toasts = self.toasts.iter().map(toast_view);
        let stack = column(toasts).spacing(8).width(380);
        Some(
            container(stack)
                .align_right(Fill)
                .align_bottom(Fill)
                .padding(16)
                .into(),
        )
    }
}

/// Orders attention levels: critical above informational.
fn level_rank(level: UserAttention) -> u8 {
    match level {
        UserAttention::Critical => 1,
        UserAttention::Informational => 0,
    }
}

fn toast_view(toast: &Toast) -> Element<'_, Message> {
    let content = column![
        text(labels::alert_tier(toast.tier))
            .size(11)
            .style(text::secondary),
        text(&toast.summary).size(14),
        text(&toast.body).size(12),
    ]
    .spacing(2)
    .width(Fill);
    let open = button(content)
        .on_press(Message::ToastPressed(toast.key))
        .style(button::text)
        .padding(4)
        .width(Fill);
    let close = button(text(labels::dismiss()).size(14))
        .on_press(Message::DismissPressed(toast.key))
        .style(button::text)
        .padding([0, 6]);
    let line = row![open, space::horizontal().width(4), close].align_y(Alignment::Start);
    container(line)
        .id(toast_id(toast.key))
        .padding(8)
        .width(Fill)
        .style(move |theme| style::toast(theme, toast.tier))
        .into()
}

/// Widget id of the toast with `key`.
pub fn toast_id(key: u64) -> iced::widget::Id {
    iced::widget::Id::from(format!("toast-{key}"))
}
