//! Plugins dropped into, replaced in or removed from a watched plugins
//! folder load, reload and unload without a restart.

use std::time::Duration;

use kefu_core::plugin::folder::FolderWatch;
use kefu_core::plugin::{PluginStatus, SyncReport};
use kefu_tests::{TestDb, fixtures, test_plugin};

/// Maximum time to wait for the watcher to report a change.
const WATCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Returns the ids of the loaded rules, in call order.
fn rule_ids(plugins: &kefu_core::plugin::PluginSet) -> Vec<String> {
    plugins
        .rules
        .iter()
        .map(|rule| rule.plugin.id().to_string())
        .collect()
}

#[test]
fn sync_follows_added_replaced_removed_files() {
    let mut db = TestDb::new();
    let folder = tempfile::tempdir().unwrap();
    let mut plugins = db.load_plugins(folder.path());
    let watch = FolderWatch::start(folder.path()).unwrap();
    assert_eq!(rule_ids(&plugins), vec!["default-rules"]);

    // Add a file, written under a temporary name and renamed as installers do.
    let partial = folder.path().join("custom.wasm.partial");
    std::fs::write(&partial, test_plugin("api-1-0-rule")).unwrap();
    std::fs::rename(&partial, folder.path().join("custom.wasm")).unwrap();
    assert!(
        watch.wait(WATCH_TIMEOUT),
        "the watcher reports the new file"
    );
    let report = plugins.sync_folder(&db.store, folder.path()).unwrap();
    assert_eq!(
        report,
        SyncReport {
            loaded: vec!["api-1-0-rule".to_string()],
            ..SyncReport::default()
        }
    );
    assert_eq!(rule_ids(&plugins), vec!["default-rules", "api-1-0-rule"]);
    let mail = fixtures().join("email/23-html-only-empty-in-reply-to.eml");
    db.ingest_with(&mut plugins, &[mail]);
    let tags = &db.store.tickets().unwrap()[0].tags;
    assert!(tags.contains(&"api-1.0".to_string()), "{tags:?}");

    // Replace the file's content with another plugin.
    std::fs::write(
        folder.path().join("custom.wasm"),
        test_plugin("scripted-rule"),
    )
    .unwrap();
    assert!(watch.wait(WATCH_TIMEOUT));
    let report = plugins.sync_folder(&db.store, folder.path()).unwrap();
    assert_eq!(report.reloaded, vec!["api-1-0-rule".to_string()]);
    assert_eq!(report.loaded, vec!["scripted-rule".to_string()]);
    assert_eq!(rule_ids(&plugins), vec!["default-rules", "scripted-rule"]);

    // A broken file is listed as broken and does not disturb the rest.
    std::fs::write(folder.path().join("broken.wasm"), b"not wasm").unwrap();
    assert!(watch.wait(WATCH_TIMEOUT));
    plugins.sync_folder(&db.store, folder.path()).unwrap();
    let broken = plugins
        .entries
        .iter()
        .find(|entry| entry.id == "broken")
        .unwrap();
    assert!(
        matches!(broken.status, PluginStatus::Broken(_)),
        "{:?}",
        broken.status
    );

    // Remove both files.
    std::fs::remove_file(folder.path().join("custom.wasm")).unwrap();
    std::fs::remove_file(folder.path().join("broken.wasm")).unwrap();
    assert!(watch.wait(WATCH_TIMEOUT));
    let report = plugins.sync_folder(&db.store, folder.path()).unwrap();
    assert_eq!(
        report.unloaded,
        vec!["scripted-rule".to_string(), "broken".to_string()]
    );
    assert_eq!(rule_ids(&plugins), vec!["default-rules"]);
    assert!(plugins.entries.iter().all(|entry| entry.id != "broken"));

    // A sync without changes reports nothing.
    assert!(
        plugins
            .sync_folder(&db.store, folder.path())
            .unwrap()
            .is_empty()
    );
}
