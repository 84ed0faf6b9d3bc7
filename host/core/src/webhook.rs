//! The webhook server: chat platforms post events to it, and each request
//! body is stored like an imported file.
//!
//! Every request needs `Authorization: Bearer TOKEN`. Each adapter's
//! declared webhook path (for example `/chat`) parses its requests with that
//! adapter, and [`GENERIC_PATH`] picks the adapter by content as `kefu ingest`
//! does. The raw body and its messages are committed before the 200 is
//! sent. A body delivered again gets a 200 and is stored once.
//!
//! The server runs on its own threads: a tokio runtime that reads requests,
//! and an intake thread that owns the store and the plugins and stores one
//! request at a time.

pub mod config;
mod http;
mod intake;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Context;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::{Semaphore, oneshot};

pub use config::{WebhookConfig, WebhookConfigError};
pub use intake::{GENERIC_PATH, IntakeSetup, Route};

/// Connections served at once; further clients wait to be accepted.
pub const MAX_CONNECTIONS: usize = 256;

/// Maximum number of accepted requests waiting for the intake thread. A
/// request beyond this gets a 503.
const QUEUE_LENGTH: usize = 64;

/// A running webhook server. Dropping it stops the server.
pub struct WebhookServer {
    address: SocketAddr,
    routes: Vec<Route>,
    shutdown: Option<oneshot::Sender<()>>,
    server_thread: Option<JoinHandle<()>>,
    intake_thread: Option<JoinHandle<()>>,
}

impl WebhookServer {
    /// Binds `config.listen`, loads the plugins and starts serving. Returns
    /// once the server accepts requests. A listen address other than
    /// loopback is logged as a warning.
    pub fn start(config: &WebhookConfig, token: &str, setup: IntakeSetup) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.listen).with_context(|| {
            format!(
                "listening on {}; pick another listen address in {}",
                config.listen,
                config::FILE_NAME
            )
        })?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        if !address.ip().is_loopback() {
            tracing::warn!(
                %address,
                "the webhook server listens beyond this machine, as {} says; \
                 anyone who can reach it and has the token can add messages",
                config::FILE_NAME
            );
        }

        let (routes_sender, routes_receiver) = std::sync::mpsc::channel();
        let (jobs, job_receiver) = std::sync::mpsc::sync_channel(QUEUE_LENGTH);
        let intake_thread = std::thread::Builder::new()
            .name("kefu-webhook-intake".into())
            .spawn(move || intake::run(setup, routes_sender, job_receiver))
            .context("starting the webhook intake thread")?;
        let routes = routes_receiver
            .recv()
            .context("the webhook intake thread stopped while loading plugins")??;

        let shared = Arc::new(http::Shared::new(config, token, routes.clone(), jobs));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the webhook server's runtime")?;
        let (shutdown, shutdown_receiver) = oneshot::channel();
        let header_timeout = config.request_timeout;
        let server_thread = std::thread::Builder::new()
            .name("kefu-webhook".into())
            .spawn(move || {
                runtime.block_on(serve(listener, shared, header_timeout, shutdown_receiver));
            })
            .context("starting the webhook server thread")?;

        let paths: Vec<&str> = routes.iter().map(|route| route.path.as_str()).collect();
        tracing::info!(%address, paths = paths.join(" "), "webhook server started");
        Ok(Self {
            address,
            routes,
            shutdown: Some(shutdown),
            server_thread: Some(server_thread),
            intake_thread: Some(intake_thread),
        })
    }

    /// Returns the address the server listens on, with the port the system
    /// chose when the configuration sets port 0.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Paths the server accepts, with their adapters.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Blocks until the server stops, which happens only when accepting
    /// connections fails.
    pub fn wait(mut self) {
        if let Some(thread) = self.server_thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for WebhookServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.server_thread.take() {
            let _ = thread.join();
        }
        // The intake thread ends once the server's request senders are
        // dropped, after the request in progress is committed.
        if let Some(thread) = self.intake_thread.take() {
            let _ = thread.join();
        }
        tracing::info!(address = %self.address, "webhook server stopped");
    }
}

async fn serve(
    listener: TcpListener,
    shared: Arc<http::Shared>,
    header_timeout: Duration,
    mut shutdown: oneshot::Receiver<()>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!("webhook server cannot use its socket: {error}");
            return;
        }
    };
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut cleanup = tokio::time::interval(Duration::from_secs(60));
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            permit = connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let (stream, client) = tokio::select! {
            _ = &mut shutdown => break,
            _ = cleanup.tick() => {
                shared.forget_quiet_clients();
                continue;
            }
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Running out of file descriptors passes; wait a little.
                    tracing::warn!("accepting a webhook connection failed: {error}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let service =
                service_fn(move |request| http::handle(request, shared.clone(), client.ip()));
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), service);
            if let Err(error) = connection.await {
                tracing::debug!(%client, "webhook connection ended: {error}");
            }
            drop(permit);
        });
    }
}
