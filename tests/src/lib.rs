//! Helpers shared by the end-to-end tests in `tests/tests/`.

pub mod certificates;
pub mod desktop;
pub mod dovecot;
pub mod http;
pub mod mail;
pub mod traffic;

use std::path::{Path, PathBuf};

use kefu_core::Store;
use kefu_core::ingest::{IngestSummary, Ingestor, NoProgress};
use kefu_core::plugin::{Limits, PluginKind, PluginSet};
use tempfile::TempDir;

/// Returns the folder of real sample inputs, tests/fixtures.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Reads a component built from tests/plugins by plugins/build. Panics with
/// a hint to run plugins/build when the file is missing.
pub fn test_plugin(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("plugins/dist")
        .join(format!("{name}.wasm"));
    std::fs::read(&path)
        .unwrap_or_else(|error| panic!("reading {}: {error}; run plugins/build", path.display()))
}

/// Loads the built-in plugins plus one test plugin from tests/plugins,
/// running the test plugin under `limits`.
pub fn builtin_plus(name: &str, kind: PluginKind, limits: Limits) -> PluginSet {
    let mut plugins = PluginSet::builtin().expect("loading the built-in plugins");
    plugins
        .add(name, kind, &test_plugin(name), limits)
        .unwrap_or_else(|error| panic!("loading {name}: {error}"));
    plugins
}

/// Creates a plugins folder containing copies of test plugins from
/// tests/plugins/dist, as a user would drop them in.
pub fn plugin_folder(names: &[&str]) -> TempDir {
    let folder = tempfile::tempdir().expect("creating a plugins folder");
    for name in names {
        std::fs::write(
            folder.path().join(format!("{name}.wasm")),
            test_plugin(name),
        )
        .expect("copying a test plugin");
    }
    folder
}

/// A fresh database file in its own temporary folder.
pub struct TestDb {
    pub folder: TempDir,
    pub store: Store,
}

impl Default for TestDb {
    fn default() -> Self {
        Self::new()
    }
}

impl TestDb {
    /// Creates an empty database in a new temporary folder.
    pub fn new() -> Self {
        let folder = tempfile::tempdir().expect("creating a temporary folder");
        let store = Store::open(&folder.path().join("kefu.db")).expect("opening the database");
        Self { folder, store }
    }

    /// Returns the path of the database file.
    pub fn path(&self) -> PathBuf {
        self.folder.path().join("kefu.db")
    }

    /// Imports `paths` through `plugins`.
    pub fn ingest_with(&mut self, plugins: &mut PluginSet, paths: &[PathBuf]) -> IngestSummary {
        Ingestor::new(&mut self.store, plugins)
            .ingest_paths(paths, &mut NoProgress)
            .expect("importing inputs")
    }

    /// Loads the built-in plugins and those in `folder` as the app does,
    /// with the plugin state stored in this database.
    pub fn load_plugins(&self, folder: &Path) -> PluginSet {
        PluginSet::load(
            kefu_core::plugin::PluginEngine::new().expect("starting the plugin engine"),
            &self.store,
            Some(folder),
        )
        .expect("loading plugins")
    }

    /// Writes a mail from `from` with `subject` and `body` into the test's
    /// folder and returns its path.
    pub fn write_mail(&self, name: &str, from: &str, subject: &str, body: &str) -> PathBuf {
        let path = self.folder.path().join(name);
        let mail = format!(
            "From: {from}\r\nTo: support@kefu.invalid\r\nSubject: {subject}\r\n\
             Date: Fri, 04 Dec 2026 10:00:00 +0800\r\nMessage-ID: <{name}@kefu.invalid>\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
        );
        std::fs::write(&path, mail).expect("writing a mail");
        path
    }

    /// Imports `paths` through the built-in plugins.
    pub fn ingest(&mut self, paths: &[PathBuf]) -> IngestSummary {
        let mut plugins = PluginSet::builtin().expect("loading the built-in plugins");
        self.ingest_with(&mut plugins, paths)
    }
}

/// Returns every sample folder: email (with the mbox), chat and phone.
pub fn all_sample_folders() -> Vec<PathBuf> {
    ["email", "chat", "phone"]
        .iter()
        .map(|folder| fixtures().join(folder))
        .collect()
}
