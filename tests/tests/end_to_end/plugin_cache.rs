//! Compiled plugins cached on disk and loaded from the cache.

use std::path::Path;

use kefu_core::plugin::builtin::BUILTIN_PLUGINS;
use kefu_core::plugin::{Limits, PluginEngine, PluginKind, PluginSet};
use kefu_tests::{TestDb, fixtures};

fn cached_files(folder: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(folder)
        .map(|listing| {
            listing
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn builtin_plugins_are_cached_once() {
    let cache = tempfile::tempdir().unwrap();
    let engine = PluginEngine::new()
        .unwrap()
        .with_cache(cache.path().to_path_buf());
    PluginSet::builtin_on(engine).unwrap();
    let files = cached_files(cache.path());
    assert_eq!(files.len(), BUILTIN_PLUGINS.len(), "{files:?}");
    let first: Vec<_> = files
        .iter()
        .map(|file| std::fs::metadata(file).unwrap().modified().unwrap())
        .collect();

    let engine = PluginEngine::new()
        .unwrap()
        .with_cache(cache.path().to_path_buf());
    PluginSet::builtin_on(engine).unwrap();
    let second: Vec<_> = cached_files(cache.path())
        .iter()
        .map(|file| std::fs::metadata(file).unwrap().modified().unwrap())
        .collect();
    assert_eq!(
        first, second,
        "the second load reads the cache and writes nothing"
    );
}

#[test]
fn plugins_loaded_from_cache_work() {
    let cache = tempfile::tempdir().unwrap();
    let engine = PluginEngine::new()
        .unwrap()
        .with_cache(cache.path().to_path_buf());
    PluginSet::builtin_on(engine).unwrap();

    let engine = PluginEngine::new()
        .unwrap()
        .with_cache(cache.path().to_path_buf());
    let mut plugins = PluginSet::builtin_on(engine).unwrap();
    let mut db = TestDb::new();
    let summary = db.ingest_with(&mut plugins, &[fixtures().join("email")]);
    assert_eq!(summary.messages_stored, 59);
    assert!(summary.tickets_opened > 0);
}

#[test]
fn damaged_cache_entry_is_compiled_again() {
    let cache = tempfile::tempdir().unwrap();
    let rules = BUILTIN_PLUGINS
        .iter()
        .find(|plugin| plugin.kind == PluginKind::Rule)
        .unwrap();
    let engine = PluginEngine::new()
        .unwrap()
        .with_cache(cache.path().to_path_buf());
    engine
        .load_rule(rules.id, rules.component, Limits::default())
        .unwrap();
    let files = cached_files(cache.path());
    assert_eq!(files.len(), 1);
    std::fs::write(&files[0], b"not compiled code").unwrap();

    let engine = PluginEngine::new()
        .unwrap()
        .with_cache(cache.path().to_path_buf());
    let loaded = engine.load_rule(rules.id, rules.component, Limits::default());

    assert!(loaded.is_ok(), "{:?}", loaded.err());
    let repaired = std::fs::read(&files[0]).unwrap();
    assert_ne!(repaired, b"not compiled code", "the entry is rewritten");
}
