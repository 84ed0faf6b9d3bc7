//! The intake thread: owns the store and the plugin set, and imports each
//! accepted request body, one at a time, as `kefu ingest` imports a file.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender};

use tokio::sync::oneshot;

use crate::Store;
use crate::automation::DeclarativeRule;
use crate::desk::Desk;
use crate::ingest::{IngestSummary, Ingestor};
use crate::plugin::{PluginEngine, PluginSet};

/// Path that takes any input an adapter recognises by its content.
pub const GENERIC_PATH: &str = "/ingest";

/// Database, plugins and configuration that the intake thread stores requests with.
pub struct IntakeSetup {
    /// Database file; created when missing.
    pub db: PathBuf,
    pub engine: PluginEngine,
    /// Folder of plugins loaded beside the built-in ones.
    pub plugin_dir: Option<PathBuf>,
    /// The lifecycle, SLA and routing that new tickets follow.
    pub desk: Arc<Desk>,
    /// Declarative rules, run after the rule plugins.
    pub rules: Vec<DeclarativeRule>,
}

/// A path the server accepts, with the adapter that reads its requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub path: String,
    /// Id of the adapter that parses every request to this path, or `None`
    /// on [`GENERIC_PATH`], where adapters are probed as for files.
    pub adapter: Option<String>,
    /// Media types accepted, lowercase, without parameters.
    pub content_types: Vec<String>,
}

/// A request body to store, and where to send the result.
pub struct Job {
    pub adapter: Option<String>,
    /// Names the request in the store and in quarantine entries.
    pub source: String,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub reply: oneshot::Sender<anyhow::Result<IngestSummary>>,
}

/// Opens the store, loads the plugins, sends the routes they declare to
/// `routes`, then stores the bodies from `jobs` until every sender is gone.
pub fn run(setup: IntakeSetup, routes: Sender<anyhow::Result<Vec<Route>>>, jobs: Receiver<Job>) {
    let (mut store, mut plugins) = match open(setup) {
        Ok(opened) => opened,
        Err(error) => {
            let _ = routes.send(Err(error));
            return;
        }
    };
    let _ = routes.send(Ok(declared_routes(&mut plugins)));
    drop(routes);

    for job in jobs {
        let mut ingestor = Ingestor::new(&mut store, &mut plugins);
        let result = match &job.adapter {
            Some(adapter) => ingestor.ingest_with_adapter(
                &job.source,
                "",
                job.content_type.as_deref(),
                &job.body,
                adapter,
            ),
            None => ingestor.ingest_bytes(&job.source, "", job.content_type.as_deref(), &job.body),
        };
        if let Err(error) = &result {
            tracing::error!(
                source = %job.source,
                "storing a webhook request failed: {error:#}"
            );
        }
        // The client may have gone away; what was stored stays stored.
        let _ = job.reply.send(result);
    }
    tracing::debug!("webhook intake stopped");
}

fn open(setup: IntakeSetup) -> anyhow::Result<(Store, PluginSet)> {
    let mut store = Store::open(&setup.db)?;
    store.set_desk(setup.desk);
    let mut plugins = PluginSet::load(setup.engine, &store, setup.plugin_dir.as_deref())?;
    plugins.set_declarative_rules(setup.rules)?;
    for entry in &plugins.entries {
        if let crate::plugin::PluginStatus::Broken(reason) = &entry.status {
            tracing::warn!(plugin = %entry.id, %reason, "plugin not loaded");
        }
    }
    Ok((store, plugins))
}

/// Returns each adapter's declared webhook path, then [`GENERIC_PATH`],
/// which accepts every adapter's content types.
fn declared_routes(plugins: &mut PluginSet) -> Vec<Route> {
    let mut routes: Vec<Route> = Vec::new();
    let mut all_types: Vec<String> = Vec::new();
    for adapter in &mut plugins.adapters {
        let id = adapter.plugin.id().to_string();
        let result = adapter.plugin.recognises();
        adapter.record(&id, "recognises", &result);
        let recognition = match result {
            Ok(recognition) => recognition,
            Err(error) => {
                tracing::warn!(adapter = %id, "adapter has no webhook path: {error}");
                continue;
            }
        };
        let content_types: Vec<String> = recognition
            .content_types
            .iter()
            .map(|value| media_type(value))
            .collect();
        all_types.extend(content_types.iter().cloned());
        let Some(path) = recognition.webhook_path else {
            continue;
        };
        if !path.starts_with('/') || path == GENERIC_PATH {
            tracing::warn!(
                adapter = %id,
                %path,
                "webhook path ignored: it must start with / and differ from {GENERIC_PATH}"
            );
            continue;
        }
        if let Some(taken) = routes.iter().find(|route| route.path == path) {
            tracing::warn!(
                adapter = %id,
                %path,
                taken_by = taken.adapter.as_deref().unwrap_or(""),
                "webhook path ignored: another adapter declared it first"
            );
            continue;
        }
        routes.push(Route {
            path,
            adapter: Some(id),
            content_types,
        });
    }
    all_types.sort();
    all_types.dedup();
    routes.push(Route {
        path: GENERIC_PATH.to_string(),
        adapter: None,
        content_types: all_types,
    });
    routes
}

/// Returns the media type of a Content-Type value: lowercase, without
/// parameters such as `charset`.
pub fn media_type(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}
