//! IMAP IDLE: a background connection per account that waits for the
//! server to announce new mail, so the account is fetched within seconds
//! instead of at its next poll.
//!
//! The watcher only signals. The fetch itself runs on the caller's thread
//! with [`super::fetch_account`], which owns the database. A server that
//! does not offer IDLE, or a watcher that lost its connection, leaves the
//! account to its poll interval until the watcher is connected again.

use std::net::{Shutdown, TcpStream};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use imap::types::UnsolicitedResponse;

use super::config::ImapAccount;
use super::connection::open_session;

/// Time after which a waiting IDLE command is ended and sent again. RFC
/// 2177 advises renewing IDLE at least every 29 minutes, and a shorter time
/// also finds a dead connection sooner.
const IDLE_RENEW: Duration = Duration::from_secs(10 * 60);

/// Wait before the first reconnection after an error. It doubles with each
/// failure up to [`MAX_RETRY`].
const FIRST_RETRY: Duration = Duration::from_secs(5);
const MAX_RETRY: Duration = Duration::from_secs(5 * 60);

/// State of an account's IDLE connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdleStatus {
    /// Connecting or reconnecting.
    Connecting,
    /// Waiting in IDLE, so the server announces new mail at once.
    Idling,
    /// The server does not offer IDLE, so the account is polled.
    Unsupported,
    /// The last connection failed with this error. A retry follows.
    Failed(String),
}

#[derive(Debug)]
struct State {
    status: IdleStatus,
    new_mail: bool,
    stop: bool,
    /// Handle on the current connection's socket, to end a blocked read
    /// when the watcher stops.
    socket: Option<TcpStream>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked, because
        // every update is a single field assignment.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn update(&self, change: impl FnOnce(&mut State)) {
        change(&mut self.lock());
        self.changed.notify_all();
    }

    fn stopped(&self) -> bool {
        self.lock().stop
    }
}

/// A background IDLE connection to one account. Dropping it shuts the
/// connection down and signals its thread to end.
#[derive(Debug)]
pub struct IdleWatch {
    shared: Arc<Shared>,
}

impl IdleWatch {
    /// Starts the watcher thread for `account`.
    pub fn start(account: ImapAccount) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                status: IdleStatus::Connecting,
                new_mail: false,
                stop: false,
                socket: None,
            }),
            changed: Condvar::new(),
        });
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("kefu-imap-idle-{}", account.name))
            .spawn(move || run(&account, &thread_shared));
        if let Err(error) = thread {
            shared.update(|state| {
                state.status = IdleStatus::Failed(format!("starting the thread: {error}"))
            });
        }
        Self { shared }
    }

    /// Returns the state of the IDLE connection.
    pub fn status(&self) -> IdleStatus {
        self.shared.lock().status.clone()
    }

    /// True when the server announced new mail since the last
    /// [`IdleWatch::take_new_mail`].
    pub fn has_new_mail(&self) -> bool {
        self.shared.lock().new_mail
    }

    /// Returns whether new mail was announced, and clears the signal.
    pub fn take_new_mail(&self) -> bool {
        std::mem::take(&mut self.shared.lock().new_mail)
    }

    /// Blocks until the status is no longer [`IdleStatus::Connecting`] or
    /// `timeout` passes, and returns the status.
    pub fn wait_while_connecting(&self, timeout: Duration) -> IdleStatus {
        let deadline = Instant::now() + timeout;
        let mut state = self.shared.lock();
        while state.status == IdleStatus::Connecting {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            state = match self.shared.changed.wait_timeout(state, left) {
                Ok((state, _)) => state,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        state.status.clone()
    }
}

impl Drop for IdleWatch {
    /// Stops the watcher without joining its thread. A thread that is still
    /// connecting can block up to the connect and read timeouts, and it
    /// ends on its own once it reads the stop flag.
    fn drop(&mut self) {
        self.shared.update(|state| {
            state.stop = true;
            if let Some(socket) = state.socket.take() {
                let _ = socket.shutdown(Shutdown::Both);
            }
        });
    }
}

/// End of one connection without an error.
enum Ended {
    Stopped,
    Unsupported,
}

/// Connects, idles and reconnects after errors with a growing delay, until
/// the watcher stops. The body of the watcher thread.
fn run(account: &ImapAccount, shared: &Shared) {
    let mut delay = FIRST_RETRY;
    loop {
        // The imap crate panics when a server that lists IDLE rejects the
        // command, so a panic counts as one more failed connection.
        let result =
            std::panic::catch_unwind(AssertUnwindSafe(|| watch_once(account, shared, &mut delay)))
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the IDLE exchange panicked")));
        if shared.stopped() {
            tracing::debug!(account = account.name, "IMAP IDLE watcher stopped");
            return;
        }
        match result {
            Ok(Ended::Stopped) => return,
            Ok(Ended::Unsupported) => {
                tracing::info!(
                    account = account.name,
                    "the IMAP server does not offer IDLE; polling the account instead"
                );
                shared.update(|state| state.status = IdleStatus::Unsupported);
                return;
            }
            Err(error) => {
                let message = format!("{error:#}");
                tracing::warn!(
                    account = account.name,
                    retry_in = ?delay,
                    "IMAP IDLE connection failed, polling until it reconnects: {message}"
                );
                shared.update(|state| {
                    state.status = IdleStatus::Failed(message);
                    state.socket = None;
                });
            }
        }
        let deadline = Instant::now() + delay;
        let mut state = shared.lock();
        while !state.stop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            state = match shared.changed.wait_timeout(state, left) {
                Ok((state, _)) => state,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        if state.stop {
            return;
        }
        state.status = IdleStatus::Connecting;
        drop(state);
        delay = (delay * 2).min(MAX_RETRY);
    }
}

/// Runs one connection: logs in, selects the folder and idles until an
/// error or the stop. Resets `delay` once IDLE runs.
fn watch_once(
    account: &ImapAccount,
    shared: &Shared,
    delay: &mut Duration,
) -> anyhow::Result<Ended> {
    let (mut session, socket) = open_session(account)?;
    {
        let mut state = shared.lock();
        if state.stop {
            return Ok(Ended::Stopped);
        }
        state.socket = Some(socket);
    }
    if !session.capabilities()?.has_str("IDLE") {
        let _ = session.logout();
        return Ok(Ended::Unsupported);
    }
    session.select(&account.folder)?;
    tracing::info!(
        account = account.name,
        folder = account.folder,
        "waiting for new mail with IMAP IDLE"
    );
    // Mail that arrived while no watcher was connected is fetched now.
    shared.update(|state| {
        state.status = IdleStatus::Idling;
        state.new_mail = true;
    });
    *delay = FIRST_RETRY;
    loop {
        let outcome = session
            .idle()
            .timeout(IDLE_RENEW)
            .keepalive(false)
            .wait_while(|response| {
                !matches!(
                    response,
                    UnsolicitedResponse::Exists(_) | UnsolicitedResponse::Recent(_)
                )
            })?;
        if shared.stopped() {
            return Ok(Ended::Stopped);
        }
        if outcome == imap::extensions::idle::WaitOutcome::MailboxChanged {
            tracing::debug!(account = account.name, "the IMAP server announced new mail");
            shared.update(|state| state.new_mail = true);
        }
    }
}

/// An IMAP account with its poll schedule and, where the server offers it,
/// an IDLE watcher. The account is due when the watcher announces new mail
/// or, while no watcher is idling, when its poll interval has passed.
#[derive(Debug)]
pub struct WatchedAccount {
    pub account: ImapAccount,
    next_poll: Instant,
    idle: Option<IdleWatch>,
}

impl WatchedAccount {
    /// Schedules `account` for a first fetch at `now` and, when `use_idle`
    /// is true, starts its IDLE watcher.
    pub fn new(account: ImapAccount, use_idle: bool, now: Instant) -> Self {
        let idle = use_idle.then(|| IdleWatch::start(account.clone()));
        Self {
            account,
            next_poll: now,
            idle,
        }
    }

    /// Returns the IDLE watcher, when one was started.
    pub fn idle(&self) -> Option<&IdleWatch> {
        self.idle.as_ref()
    }

    fn idling(&self) -> bool {
        self.idle
            .as_ref()
            .is_some_and(|idle| idle.status() == IdleStatus::Idling)
    }

    /// True when the account should be fetched at `now`.
    pub fn is_due(&self, now: Instant) -> bool {
        self.idle.as_ref().is_some_and(IdleWatch::has_new_mail)
            || (!self.idling() && now >= self.next_poll)
    }

    /// Returns whether the account is due at `now` and, when it is, clears
    /// the new-mail signal and schedules the next poll.
    pub fn take_due(&mut self, now: Instant) -> bool {
        let announced = self.idle.as_ref().is_some_and(IdleWatch::take_new_mail);
        if !announced && (self.idling() || now < self.next_poll) {
            return false;
        }
        self.next_poll = now + self.account.poll_interval;
        true
    }
}
