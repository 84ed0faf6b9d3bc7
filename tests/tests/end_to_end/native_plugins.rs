//! The trusted native tier end to end. The example library in
//! plugins/native-vip-rule, dropped into a plugins folder, stays off until
//! the user consents to its file by name, then runs beside the sandboxed
//! rules. It stays off again once the file changes.

use std::path::{Path, PathBuf};
use std::process::Command;

use kefu_core::plugin::{PluginEntry, PluginOrigin, PluginSet, PluginStatus};
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
        .consent_native("native-vip-rule", &folder.path().join(file_name))
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

/// Returns the listing entry of the native library `file_name`.
fn native_entry<'a>(plugins: &'a PluginSet, file_name: &str) -> &'a PluginEntry {
    plugins
        .entries
        .iter()
        .find(|entry| {
            matches!(&entry.origin, PluginOrigin::Native(path)
                if path.file_name().is_some_and(|name| name == file_name))
        })
        .unwrap_or_else(|| panic!("{file_name} is not listed"))
}

fn native_rule_count(plugins: &PluginSet) -> usize {
    plugins
        .rules
        .iter()
        .filter(|rule| rule.plugin.is_native())
        .count()
}

#[test]
fn native_consent_is_pinned_to_file_hash() {
    let library = build_example();
    let folder = tempfile::tempdir().unwrap();
    let file_name = library.file_name().unwrap().to_str().unwrap();
    let copy = folder.path().join(file_name);
    std::fs::copy(&library, &copy).unwrap();
    let db = TestDb::new();
    db.store.consent_native("native-vip-rule", &copy).unwrap();
    assert_eq!(native_rule_count(&db.load_plugins(folder.path())), 1);

    // One byte more: still a loadable library, but not the file consented to.
    let mut bytes = std::fs::read(&copy).unwrap();
    bytes.push(0);
    std::fs::write(&copy, bytes).unwrap();
    let plugins = db.load_plugins(folder.path());
    assert_eq!(native_rule_count(&plugins), 0);
    let entry = native_entry(&plugins, file_name);
    assert!(
        matches!(&entry.status, PluginStatus::Disabled(reason)
            if reason.contains("changed since") && reason.contains("kefu plugin enable native-vip-rule")),
        "{:?}",
        entry.status
    );

    db.store.consent_native("native-vip-rule", &copy).unwrap();
    assert_eq!(native_rule_count(&db.load_plugins(folder.path())), 1);
}

#[test]
fn enabled_component_id_does_not_load_library() {
    let library = build_example();
    let folder = tempfile::tempdir().unwrap();
    let extension = std::env::consts::DLL_EXTENSION;
    let same_id = format!("libdefault_rules.{extension}");
    let enabled_id = format!("libother_rule.{extension}");
    std::fs::copy(&library, folder.path().join(&same_id)).unwrap();
    std::fs::copy(&library, folder.path().join(&enabled_id)).unwrap();
    let db = TestDb::new();
    // Rows with enabled = 1, as `kefu plugin disable` then `enable` leave.
    for id in ["default-rules", "other-rule"] {
        db.store.set_plugin_enabled(id, false, None).unwrap();
        db.store.set_plugin_enabled(id, true, None).unwrap();
    }

    let plugins = db.load_plugins(folder.path());
    assert_eq!(native_rule_count(&plugins), 0);
    let entry = native_entry(&plugins, &same_id);
    assert!(
        matches!(&entry.status, PluginStatus::Broken(reason)
            if reason.contains("another plugin already has the id default-rules")),
        "{:?}",
        entry.status
    );
    let entry = native_entry(&plugins, &enabled_id);
    assert!(
        matches!(&entry.status, PluginStatus::Disabled(reason)
            if reason.contains("kefu plugin enable other-rule")),
        "{:?}",
        entry.status
    );
}

#[test]
fn library_with_builtin_id_stays_broken_with_consent() {
    let library = build_example();
    let folder = tempfile::tempdir().unwrap();
    let file_name = format!("libdefault_rules.{}", std::env::consts::DLL_EXTENSION);
    let copy = folder.path().join(&file_name);
    std::fs::copy(&library, &copy).unwrap();
    let db = TestDb::new();
    db.store.consent_native("default-rules", &copy).unwrap();

    let plugins = db.load_plugins(folder.path());
    assert_eq!(native_rule_count(&plugins), 0);
    assert!(matches!(
        native_entry(&plugins, &file_name).status,
        PluginStatus::Broken(_)
    ));
    let builtin = plugins
        .entries
        .iter()
        .find(|entry| entry.id == "default-rules" && entry.origin == PluginOrigin::Builtin)
        .unwrap();
    assert_eq!(builtin.status, PluginStatus::Running);
}

#[test]
fn library_with_invalid_id_is_never_loaded() {
    let library = build_example();
    let folder = tempfile::tempdir().unwrap();
    let extension = std::env::consts::DLL_EXTENSION;
    let db = TestDb::new();
    for (stem, id) in [("lib", ""), ("lib a b", " a b"), ("libFOO_Bar", "FOO-Bar")] {
        let copy = folder.path().join(format!("{stem}.{extension}"));
        std::fs::copy(&library, &copy).unwrap();
        // Consent for the id does not help: the id is checked first.
        db.store.consent_native(id, &copy).unwrap();
    }

    let plugins = db.load_plugins(folder.path());
    assert_eq!(native_rule_count(&plugins), 0);
    for stem in ["lib", "lib a b", "libFOO_Bar"] {
        let entry = native_entry(&plugins, &format!("{stem}.{extension}"));
        assert!(
            matches!(&entry.status, PluginStatus::Broken(reason)
                if reason.contains("is not valid") && reason.contains("rename the file")),
            "{stem}: {:?}",
            entry.status
        );
    }
}
