//! Helpers shared by the end-to-end tests in `tests/tests/`.

use std::path::{Path, PathBuf};

use kefu_core::Store;
use kefu_core::ingest::{IngestSummary, Ingestor, NoProgress};
use kefu_core::plugin::{Limits, PluginKind, PluginSet};
use tempfile::TempDir;

/// Returns the folder of real sample inputs, tests/fixtures.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Reads a component built from tests/plugins by plugins/build.
pub fn test_plugin(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("plugins/dist")
        .join(format!("{name}.wasm"));
    std::fs::read(&path)
        .unwrap_or_else(|error| panic!("reading {}: {error}; run plugins/build", path.display()))
}

/// Loads the built-in plugins plus one test plugin from tests/plugins,
/// the test plugin under `limits`.
pub fn builtin_plus(name: &str, kind: PluginKind, limits: Limits) -> PluginSet {
    let mut plugins = PluginSet::builtin().expect("loading the built-in plugins");
    plugins
        .add(name, kind, &test_plugin(name), limits)
        .unwrap_or_else(|error| panic!("loading {name}: {error}"));
    plugins
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
    pub fn new() -> Self {
        let folder = tempfile::tempdir().expect("creating a temporary folder");
        let store = Store::open(&folder.path().join("kefu.db")).expect("opening the database");
        Self { folder, store }
    }

    pub fn path(&self) -> PathBuf {
        self.folder.path().join("kefu.db")
    }

    /// Imports `paths` through `plugins`.
    pub fn ingest_with(&mut self, plugins: &mut PluginSet, paths: &[PathBuf]) -> IngestSummary {
        Ingestor::new(&mut self.store, plugins)
            .ingest_paths(paths, &mut NoProgress)
            .expect("importing inputs")
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
