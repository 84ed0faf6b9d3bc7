//! The trusted native tier end to end: the example library in
//! plugins/native-vip-rule, dropped into a plugins folder, stays off until
//! the user enables it by name, then runs beside the sandboxed rules.

use std::path::{Path, PathBuf};
use std::process::Command;

use kefu_core::plugin::PluginStatus;
use kefu_tests::TestDb;

/// Builds the example native plugin with Cargo and returns the path of its
/// shared library.
fn build_example() -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = Command::new(&cargo)
        .current_dir(&workspace)
        .args(["build", "-p", "native-vip-rule", "--message-format=json"])
        .output()
        .expect("running cargo build");
    assert!(
        output.status.success(),
        "building native-vip-rule failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == "native_vip_rule")
        .flat_map(|message| message["filenames"].as_array().cloned().unwrap_or_default())
        .filter_map(|name| name.as_str().map(PathBuf::from))
        .find(|path| path.extension() == Some(std::env::consts::DLL_EXTENSION.as_ref()))
        .expect("cargo's JSON output names the library it built")
}

#[test]
fn native_plugin_loads_only_when_enabled() {
    let library = build_example();
    let folder = tempfile::tempdir().unwrap();
    let file_name = library.file_name().unwrap();
    std::fs::copy(&library, folder.path().join(file_name)).unwrap();
    let mut db = TestDb::new();
    let vip_mail = db.write_mail("vip.eml", "boss@example.com", "你好", "在吗？");
    let (customer, _) = {
        let writer = db.store.writer().unwrap();
        let found = writer
            .find_or_create_customer(
                kefu_core::model::Channel::Email,
                "boss@example.com",
                None,
                chrono::Utc::now(),
            )
            .unwrap();
        writer.commit().unwrap();
        found
    };
    db.store.set_customer_tier(customer.id, "vip").unwrap();

    let plugins = db.load_plugins(folder.path());
    let entry = plugins
        .entries
        .iter()
        .find(|entry| entry.id == "native-vip-rule")
        .expect("the library is listed");
    assert!(
        matches!(&entry.status, PluginStatus::Disabled(reason) if reason.contains("kefu plugin enable native-vip-rule")),
        "{:?}",
        entry.status
    );
    assert!(
        plugins.rules.iter().all(|rule| !rule.plugin.is_native()),
        "the native rule is not loaded before it is enabled"
    );

    db.store
        .set_plugin_enabled("native-vip-rule", true, None)
        .unwrap();
    let mut plugins = db.load_plugins(folder.path());
    assert!(
        plugins.rules.iter().any(|rule| rule.plugin.is_native()),
        "the native rule is loaded once enabled"
    );
    let summary = db.ingest_with(&mut plugins, &[vip_mail]);

    assert!(
        summary.rule_failures.is_empty(),
        "{:?}",
        summary.rule_failures
    );
    let tickets = db.store.tickets().unwrap();
    assert_eq!(tickets.len(), 1);
    assert!(
        tickets[0].tags.contains(&"vip".to_string()),
        "{:?}",
        tickets[0]
    );
    assert_eq!(tickets[0].priority, "high");
}
