//! The webhook server inside the app: started in the background when
//! `webhook.toml` sets `enabled = true`, and stopped when the window closes.
//! Messages it stores reach the panes through the database change watch.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use iced::Task;
use kefu_core::automation::DeclarativeRule;
use kefu_core::desk::Desk;
use kefu_core::plugin::PluginEngine;
use kefu_core::webhook::{IntakeSetup, WebhookConfig, WebhookServer};

use crate::labels::{self, Label};
use crate::plugins::in_background;

/// The server, once started.
#[derive(Clone)]
pub struct Running(Arc<WebhookServer>);

impl fmt::Debug for Running {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "webhook server on {}", self.0.address())
    }
}

/// Events of the webhook server.
#[derive(Debug, Clone)]
pub enum Message {
    /// The background start finished, with the error chain on failure.
    Started(Result<Running, String>),
}

/// State of the app's webhook server.
#[derive(Default)]
pub struct Webhook {
    server: Option<Running>,
    /// Reason the server is not running although enabled, shown across the top.
    error: Option<Label>,
}

impl Webhook {
    /// Starts the server when `webhook.toml` in `config_folder` enables it.
    /// Reading the configuration and the token happens here, so their
    /// errors show at once; loading the plugins and binding the port run in
    /// the background.
    pub fn start(
        &mut self,
        db_path: &Path,
        plugin_folder: Option<PathBuf>,
        config_folder: Option<&Path>,
        desk: Arc<Desk>,
        rules: Vec<DeclarativeRule>,
    ) -> Task<Message> {
        let Some(config_folder) = config_folder else {
            return Task::none();
        };
        let prepared = WebhookConfig::load(config_folder).and_then(|config| {
            let token = if config.enabled {
                Some(config.read_token()?)
            } else {
                None
            };
            Ok((config, token))
        });
        let (config, token) = match prepared {
            Ok((config, Some(token))) => (config, token),
            Ok((_, None)) => return Task::none(),
            Err(error) => {
                let error = error.to_string();
                tracing::error!(%error, "webhook server not started");
                self.error = Some(Label::new(move || labels::webhook_failed(&error)));
                return Task::none();
            }
        };
        let db_path = db_path.to_path_buf();
        let work = in_background("kefu-webhook-start", move || {
            let engine = PluginEngine::new().map_err(|error| format!("{error:#}"))?;
            let setup = IntakeSetup {
                db: db_path,
                engine,
                plugin_dir: plugin_folder,
                desk,
                rules,
            };
            WebhookServer::start(&config, &token, setup)
                .map(|server| Running(Arc::new(server)))
                .map_err(|error| format!("{error:#}"))
        });
        Task::perform(work, Message::Started)
    }

    pub fn update(&mut self, message: Message) {
        let Message::Started(result) = message;
        match result {
            Ok(server) => {
                tracing::info!(address = %server.0.address(), "webhook server running in the app");
                self.server = Some(server);
                self.error = None;
            }
            Err(error) => {
                tracing::error!(%error, "webhook server not started");
                self.error = Some(Label::new(move || labels::webhook_failed(&error)));
            }
        }
    }

    /// Address of the running server.
    pub fn address(&self) -> Option<std::net::SocketAddr> {
        self.server.as_ref().map(|server| server.0.address())
    }

    /// Error line for a server that is enabled but not running.
    pub fn error(&self) -> Option<&Label> {
        self.error.as_ref()
    }
}
