//! Desktop notifications through notify-rust: on Linux and the BSDs a
//! `Notify` call to the session bus's `org.freedesktop.Notifications`
//! server.
//!
//! Each notification is shown on a thread of its own, which then waits for
//! the server to report a click or the close (notify-rust's
//! `wait_for_action` blocks). A click on the notification or on its "Open"
//! action sends the alert's conversation id into the channel that
//! [`Notifier::clicks`] streams to the window. An alert that updates an
//! earlier one replaces that notification in place (the `replaces_id` of
//! the `Notify` call), so a burst stays one notification on screen. Without a session bus or a
//! notification server the first failure is logged as a warning and later
//! ones at debug level, and the app carries on.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use iced::Subscription;
use iced::futures::Stream;
use iced::futures::channel::mpsc;
use kefu_core::alerts::{Alert, Tier};

/// Name the notification server shows as the sender.
pub const APP_NAME: &str = "Kefu";

/// Action identifier that the freedesktop specification gives a click on
/// the notification itself.
const DEFAULT_ACTION: &str = "default";

/// Most notification threads waiting for a click at once. Past it, a new
/// notification is still shown but its click is not followed; servers
/// that never close notifications would otherwise keep a thread each.
const MAX_WAITING: usize = 32;

/// Most notification ids remembered for later updates; the oldest are
/// forgotten first.
const MAX_REMEMBERED: usize = 64;

/// Shows desktop notifications and routes their clicks to the window.
#[derive(Clone)]
pub struct Notifier {
    /// Sender of the click channel, set once the window's subscription
    /// listens.
    clicks: Arc<Mutex<Option<mpsc::UnboundedSender<i64>>>>,
    /// True once a failure to show a notification has been logged.
    failure_logged: Arc<AtomicBool>,
    /// Threads waiting for a click or close.
    waiting: Arc<AtomicUsize>,
    /// The server's notification id of each alert shown, by alert id, so
    /// an update replaces it.
    shown: Arc<Mutex<HashMap<u64, u32>>>,
    /// The conversation a click on each notification opens, by the
    /// server's id. A replaced notification has two waiting threads; the
    /// first to take the entry sends the click, so it is sent once.
    targets: Arc<Mutex<HashMap<u32, i64>>>,
}

impl Notifier {
    pub fn new() -> Self {
        Self {
            clicks: Arc::new(Mutex::new(None)),
            failure_logged: Arc::new(AtomicBool::new(false)),
            waiting: Arc::new(AtomicUsize::new(0)),
            shown: Arc::new(Mutex::new(HashMap::new())),
            targets: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Shows `alert` as a desktop notification with `summary` and `body`,
    /// on a background thread.
    pub fn show(&self, alert: &Alert, summary: &str, body: &str) {
        let mut notification = notify_rust::Notification::new();
        notification
            .appname(APP_NAME)
            .summary(summary)
            .body(&escape_markup(body));
        if alert.conversation_id().is_some() {
            notification.action(DEFAULT_ACTION, crate::labels::open_conversation());
        }
        configure(&mut notification, alert.tier);
        let replaced = alert.updates.and_then(|previous| {
            let mut shown = self.shown.lock().ok()?;
            shown.remove(&previous)
        });
        if let Some(id) = replaced {
            notification.id(id);
        }
        let conversation_id = alert.conversation_id();
        let alert_id = alert.id;
        let notifier = self.clone();
        let spawned = std::thread::Builder::new()
            .name("kefu-notify".to_string())
            .spawn(move || notifier.show_and_wait(&notification, alert_id, conversation_id));
        if let Err(error) = spawned {
            tracing::error!(%error, "could not start the notification thread");
        }
    }

    fn show_and_wait(
        &self,
        notification: &notify_rust::Notification,
        alert_id: u64,
        conversation: Option<i64>,
    ) {
        let handle = match notification.show() {
            Ok(handle) => handle,
            Err(error) => {
                if self.failure_logged.swap(true, Ordering::Relaxed) {
                    tracing::debug!(%error, "desktop notification not shown");
                } else {
                    tracing::warn!(
                        %error,
                        "desktop notification not shown: no notification server on the session \
                         bus; alerts still show in the app window. Later failures are logged at \
                         debug level"
                    );
                }
                return;
            }
        };
        if self.failure_logged.swap(false, Ordering::Relaxed) {
            tracing::info!("desktop notifications work again");
        }
        self.follow(handle, alert_id, conversation);
    }

    /// Remembers the server's id of a shown notification for updates, then
    /// waits for its click or close.
    #[cfg(all(unix, not(target_os = "macos")))]
    fn follow(
        &self,
        handle: notify_rust::NotificationHandle,
        alert_id: u64,
        conversation: Option<i64>,
    ) {
        let id = handle.id();
        tracing::debug!(
            notification = id,
            alert = alert_id,
            "desktop notification shown"
        );
        if let Ok(mut shown) = self.shown.lock() {
            if shown.len() >= MAX_REMEMBERED
                && let Some(oldest) = shown.keys().min().copied()
            {
                shown.remove(&oldest);
            }
            shown.insert(alert_id, id);
        }
        let Some(conversation_id) = conversation else {
            return;
        };
        if let Ok(mut targets) = self.targets.lock() {
            targets.insert(id, conversation_id);
        }
        let waiting = self.waiting.fetch_add(1, Ordering::Relaxed);
        if waiting >= MAX_WAITING {
            self.waiting.fetch_sub(1, Ordering::Relaxed);
            return;
        }
        handle.wait_for_action(|action| {
            if action != DEFAULT_ACTION {
                return;
            }
            let target = self.targets.lock().ok().and_then(|mut t| t.remove(&id));
            if let Some(conversation_id) = target {
                self.send_click(conversation_id);
            }
        });
        self.waiting.fetch_sub(1, Ordering::Relaxed);
    }

    // NOTE: notify-rust reports clicks and notification ids only through
    // the freedesktop notification server, so on macOS and Windows a click
    // does not open the conversation and an update shows a new notification.
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    fn follow(
        &self,
        _handle: notify_rust::NotificationHandle,
        _alert_id: u64,
        _conversation: Option<i64>,
    ) {
    }

    fn send_click(&self, conversation_id: i64) {
        let sender = self.clicks.lock().map(|slot| slot.clone()).ok().flatten();
        match sender {
            Some(sender) => {
                let _ = sender.unbounded_send(conversation_id);
            }
            None => tracing::debug!(
                conversation = conversation_id,
                "notification clicked, but the window does not listen"
            ),
        }
    }

    /// Streams the conversation ids of clicked notifications.
    pub fn clicks(&self) -> Subscription<i64> {
        Subscription::run_with(ClickRoute(self.clicks.clone()), listen)
    }
}

impl Default for Notifier {
    fn default() -> Self {
        Self::new()
    }
}

/// Sets urgency, timeout and category by tier: an SLA breach is critical
/// and stays until closed, the rest are normal.
fn configure(notification: &mut notify_rust::Notification, tier: Tier) {
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        use notify_rust::{Hint, Urgency};
        let urgency = if tier == Tier::SlaBreach {
            Urgency::Critical
        } else {
            Urgency::Normal
        };
        notification.urgency(urgency);
        let category = match tier {
            Tier::Ordinary | Tier::Important | Tier::Reminder => "im.received",
            Tier::SlaWarning | Tier::SlaBreach => "x-kefu.sla",
        };
        notification.hint(Hint::Category(category.to_string()));
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    let _ = (notification, tier);
}

/// Escapes the characters that servers supporting body markup read as
/// markup, so a customer's `<b>` shows as written.
fn escape_markup(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The click channel's slot, the data of the click subscription. All
/// routes hash alike, so iced keeps one subscription for the window.
struct ClickRoute(Arc<Mutex<Option<mpsc::UnboundedSender<i64>>>>);

impl Hash for ClickRoute {
    fn hash<H: Hasher>(&self, state: &mut H) {
        "kefu-notification-clicks".hash(state);
    }
}

/// Opens a new click channel, puts its sender where the notification
/// threads look, and returns its receiver as the subscription's stream.
fn listen(route: &ClickRoute) -> impl Stream<Item = i64> + use<> {
    let (sender, receiver) = mpsc::unbounded();
    match route.0.lock() {
        Ok(mut slot) => *slot = Some(sender),
        Err(_) => tracing::error!("the notification click channel is poisoned; clicks are ignored"),
    }
    receiver
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_escaped() {
        assert_eq!(
            escape_markup("<b>退款</b> & more"),
            "&lt;b&gt;退款&lt;/b&gt; &amp; more"
        );
    }
}
