//! `kefu plugin` run as a plugin author or a user would, on real plugin
//! files, a real database and a temporary plugins folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn builtin(id: &str) -> PathBuf {
    repository().join(format!("plugins/dist/{id}.wasm"))
}

fn test_plugin(name: &str) -> PathBuf {
    repository().join(format!("tests/plugins/dist/{name}.wasm"))
}

fn fixture(path: &str) -> PathBuf {
    repository().join("tests/fixtures").join(path)
}

fn template_sample(kind: &str, name: &str) -> PathBuf {
    repository().join(format!("plugin-api/templates/{kind}/samples/{name}"))
}

/// A temporary home for one test: database, plugins folder and compile cache.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn plugins(&self) -> PathBuf {
        self.path().join("plugins")
    }

    /// Runs `kefu` with this home's database and plugins folder.
    fn kefu<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Output {
        self.kefu_in(self.path(), args)
    }

    /// Runs `kefu` in the folder `current_dir`.
    fn kefu_in<S: AsRef<std::ffi::OsStr>>(&self, current_dir: &Path, args: &[S]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kefu"))
            .arg("--db")
            .arg(self.path().join("kefu.db"))
            .arg("--plugins")
            .arg(self.plugins())
            .args(args)
            .current_dir(current_dir)
            .env_remove("KEFU_DB")
            .env_remove("KEFU_PLUGINS")
            // Keep the compiled-plugin cache inside the test's own folder.
            .env("XDG_CACHE_HOME", self.path().join("cache"))
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .output()
            .expect("running kefu")
    }
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "kefu failed: {}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// Standard output and error of a run that must fail with status 1.
fn failure(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(1),
        "expected status 1: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(output)).expect("JSON output")
}

fn listed<'a>(list: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|plugin| plugin["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not listed: {list}"))
}

#[test]
fn list_shows_builtins_running() {
    let home = Home::new();
    let list = json(&home.kefu(&["plugin", "list", "--json"]));
    for id in [
        "email",
        "phone-log",
        "chat",
        "default-rules",
        "messages-per-day",
    ] {
        let plugin = listed(&list, id);
        assert_eq!(plugin["status"], "running", "{plugin}");
        assert_eq!(plugin["origin"], "built-in", "{plugin}");
    }
    assert_eq!(listed(&list, "default-rules")["kind"], "rule");
    assert_eq!(listed(&list, "email")["kind"], "adapter");
}

#[test]
fn list_table_names_plugins_folder() {
    let home = Home::new();
    let text = stdout(&home.kefu(&["plugin", "list"]));
    assert!(text.contains("default-rules"), "{text}");
    assert!(text.contains("running"), "{text}");
    assert!(
        text.contains(&home.plugins().display().to_string()),
        "{text}"
    );
}

#[test]
fn disable_and_enable_change_status() {
    let home = Home::new();
    let disabled = stdout(&home.kefu(&[
        "plugin",
        "disable",
        "default-rules",
        "--reason",
        "trying a new rule",
    ]));
    assert!(
        disabled.contains("Disabled default-rules: trying a new rule"),
        "{disabled}"
    );
    let list = json(&home.kefu(&["plugin", "list", "--json"]));
    assert_eq!(listed(&list, "default-rules")["status"], "disabled");
    assert_eq!(
        listed(&list, "default-rules")["reason"],
        "trying a new rule"
    );

    let again = stdout(&home.kefu(&["plugin", "disable", "default-rules"]));
    assert!(again.contains("already disabled"), "{again}");

    let enabled = stdout(&home.kefu(&["plugin", "enable", "default-rules"]));
    assert!(
        enabled.contains("Enabled default-rules; it was disabled: trying a new rule"),
        "{enabled}"
    );
    let list = json(&home.kefu(&["plugin", "list", "--json"]));
    assert_eq!(listed(&list, "default-rules")["status"], "running");
}

#[test]
fn unknown_id_lists_known_ids() {
    let home = Home::new();
    let text = failure(&home.kefu(&["plugin", "enable", "no-such-plugin"]));
    assert!(
        text.contains("unknown plugin id \"no-such-plugin\""),
        "{text}"
    );
    assert!(text.contains("default-rules"), "{text}");
}

#[test]
fn grant_rejects_undeclared_capability() {
    let home = Home::new();
    let text = failure(&home.kefu(&[
        "plugin",
        "grant",
        "default-rules",
        "read-folder",
        "/srv/exports",
    ]));
    assert!(
        text.contains("does not declare read-folder /srv/exports"),
        "{text}"
    );
    assert!(text.contains("declares none"), "{text}");
}

#[test]
fn install_grant_and_revoke() {
    let home = Home::new();
    let plugin = test_plugin("capability-rule");
    let installed = stdout(&home.kefu(&["plugin", "install", plugin.to_str().unwrap()]));
    assert!(
        installed.contains("Installed rule capability-rule"),
        "{installed}"
    );
    assert!(
        installed.contains("kefu plugin grant capability-rule read-folder /tmp/kefu-granted"),
        "{installed}"
    );
    assert!(home.plugins().join("capability-rule.wasm").is_file());

    let list = json(&home.kefu(&["plugin", "list", "--json"]));
    let listed_plugin = listed(&list, "capability-rule");
    assert_eq!(listed_plugin["status"], "running");
    assert_eq!(
        listed_plugin["capabilities"]["read_folders"][0],
        "/tmp/kefu-granted"
    );
    assert_eq!(
        listed_plugin["granted"]["read_folders"],
        serde_json::json!([])
    );

    let granted = stdout(&home.kefu(&[
        "plugin",
        "grant",
        "capability-rule",
        "read-folder",
        "/tmp/kefu-granted",
    ]));
    assert!(
        granted.contains("Granted capability-rule read-folder /tmp/kefu-granted"),
        "{granted}"
    );
    let list = json(&home.kefu(&["plugin", "list", "--json"]));
    assert_eq!(
        listed(&list, "capability-rule")["granted"]["read_folders"][0],
        "/tmp/kefu-granted"
    );

    let wrong_host = failure(&home.kefu(&[
        "plugin",
        "grant",
        "capability-rule",
        "http-host",
        "example.com",
    ]));
    assert!(wrong_host.contains("http-host 127.0.0.1"), "{wrong_host}");

    let revoked = stdout(&home.kefu(&[
        "plugin",
        "revoke",
        "capability-rule",
        "read-folder",
        "/tmp/kefu-granted",
    ]));
    assert!(
        revoked.contains("Revoked capability-rule read-folder /tmp/kefu-granted"),
        "{revoked}"
    );
    let list = json(&home.kefu(&["plugin", "list", "--json"]));
    assert_eq!(
        listed(&list, "capability-rule")["granted"]["read_folders"],
        serde_json::json!([])
    );
    let again = failure(&home.kefu(&[
        "plugin",
        "revoke",
        "capability-rule",
        "read-folder",
        "/tmp/kefu-granted",
    ]));
    assert!(again.contains("has no grant"), "{again}");
}

#[test]
fn install_rejects_file_with_problems() {
    let home = Home::new();
    let plugin = test_plugin("not-wasm");
    let text = failure(&home.kefu(&["plugin", "install", plugin.to_str().unwrap()]));
    assert!(text.contains("was not installed"), "{text}");
    assert!(text.contains("not a WebAssembly file"), "{text}");
    let installed = std::fs::read_dir(home.plugins()).map_or(0, |entries| entries.count());
    assert_eq!(installed, 0);
}

#[test]
fn check_default_rules_has_no_problems() {
    let home = Home::new();
    let plugin = builtin("default-rules");
    let text = stdout(&home.kefu(&["plugin", "check", plugin.to_str().unwrap()]));
    assert!(text.contains("Id:            default-rules"), "{text}");
    assert!(
        text.contains("Kind:          rule (world: ticket-rule)"),
        "{text}"
    );
    assert!(text.contains("kefu:plugin/rule@1.2.0"), "{text}");
    assert!(text.contains("default -> 256 MiB"), "{text}");
    assert!(text.contains("Problems:      none"), "{text}");

    let report = json(&home.kefu(&["plugin", "check", "--json", plugin.to_str().unwrap()]));
    assert_eq!(report["id"], "default-rules");
    assert_eq!(report["kind"], "rule");
    assert_eq!(report["world"], "rule");
    assert_eq!(report["api"], "1.2.0");
    assert_eq!(report["problems"], serde_json::json!([]));
    assert_eq!(report["limits"]["call_timeout_ms"]["effective"], 5000);
    assert_eq!(
        report["limits"]["memory_mib"]["requested"],
        serde_json::Value::Null
    );
}

#[test]
fn check_garbage_file_fails() {
    let home = Home::new();
    let garbage = home.path().join("garbage.wasm");
    std::fs::write(&garbage, "these bytes are not a plugin\n").unwrap();
    let text = failure(&home.kefu(&["plugin", "check", garbage.to_str().unwrap()]));
    assert!(text.contains("not a WebAssembly file"), "{text}");
    let report = serde_json::from_slice::<serde_json::Value>(
        &home
            .kefu(&["plugin", "check", "--json", garbage.to_str().unwrap()])
            .stdout,
    )
    .unwrap();
    assert_eq!(report["problems"].as_array().unwrap().len(), 1);
}

#[test]
fn check_core_module_fails() {
    let home = Home::new();
    let module = test_plugin("not-a-component");
    let text = failure(&home.kefu(&["plugin", "check", module.to_str().unwrap()]));
    assert!(
        text.contains("core WebAssembly module, not a component"),
        "{text}"
    );
}

#[test]
fn check_other_major_api_fails() {
    let home = Home::new();
    let plugin = test_plugin("api-2-rule");
    let text = failure(&home.kefu(&["plugin", "check", plugin.to_str().unwrap()]));
    assert!(text.contains("incompatible API version"), "{text}");
    assert!(text.contains("2.0.0"), "{text}");
}

#[test]
fn check_lists_declared_capabilities() {
    let home = Home::new();
    let plugin = test_plugin("capability-rule");
    let text = stdout(&home.kefu(&["plugin", "check", plugin.to_str().unwrap()]));
    assert!(
        text.contains("Capabilities:  read-folder /tmp/kefu-granted, http-host 127.0.0.1"),
        "{text}"
    );
    assert!(text.contains("kefu:plugin/files@1.2.0"), "{text}");
}

#[test]
fn test_email_adapter_on_fixtures() {
    let home = Home::new();
    let plugin = builtin("email");
    let big5 = fixture("email/05-tw-big5-raw-8bit-headers-no-encoded-word.eml");
    let no_date = fixture("email/20-empty-date-header.eml");
    let text = stdout(&home.kefu(&[
        "plugin",
        "test",
        plugin.to_str().unwrap(),
        big5.to_str().unwrap(),
        no_date.to_str().unwrap(),
    ]));
    assert!(text.contains("Plugin email"), "{text}");
    assert!(text.contains("Recognises: extensions eml, mbox"), "{text}");
    assert!(text.contains("probe score: 100 of 100"), "{text}");
    assert!(text.contains("1. email inbound from"), "{text}");
    assert!(text.contains("養樂多線上訂購"), "{text}");
    assert!(!text.contains("FAILED"), "{text}");
}

#[test]
fn test_default_rules_on_mail_and_event() {
    let home = Home::new();
    let plugin = builtin("default-rules");
    let mail = template_sample("rule", "refund.eml");
    let text = stdout(&home.kefu(&[
        "plugin",
        "test",
        plugin.to_str().unwrap(),
        mail.to_str().unwrap(),
        "--tier",
        "vip",
    ]));
    assert!(text.contains("customer tier vip; no ticket"), "{text}");
    assert!(
        text.contains("open-ticket type=after-sales priority=high"),
        "{text}"
    );

    // The sample event's conversation already has a ticket, so the rule
    // opens none.
    let event = template_sample("rule", "refund-vip.json");
    let text = stdout(&home.kefu(&[
        "plugin",
        "test",
        plugin.to_str().unwrap(),
        event.to_str().unwrap(),
    ]));
    assert!(text.contains("event: message-received"), "{text}");
    assert!(
        text.contains("ticket 1 (after-sales, normal, open)"),
        "{text}"
    );
    assert!(text.contains("actions: none"), "{text}");
}

#[test]
fn test_unreadable_input_fails() {
    let home = Home::new();
    let plugin = builtin("default-rules");
    let notes = home.path().join("notes.bin");
    std::fs::write(&notes, [0u8, 159, 146, 150]).unwrap();
    let text = failure(&home.kefu(&[
        "plugin",
        "test",
        plugin.to_str().unwrap(),
        notes.to_str().unwrap(),
    ]));
    assert!(text.contains("no built-in adapter reads"), "{text}");
}

#[test]
fn test_trapping_adapter_fails_with_plugin_error() {
    let home = Home::new();
    let plugin = test_plugin("trapping-adapter");
    let input = home.path().join("input.trap");
    std::fs::write(&input, "anything").unwrap();
    let text = failure(&home.kefu(&[
        "plugin",
        "test",
        plugin.to_str().unwrap(),
        input.to_str().unwrap(),
    ]));
    assert!(
        text.contains("FAILED: plugin trapping-adapter: parse failed"),
        "{text}"
    );
    assert!(text.contains("panicked"), "{text}");
}

#[test]
fn test_grant_reaches_the_plugin() {
    let home = Home::new();
    let plugin = test_plugin("capability-rule");
    let event = home.path().join("read.json");
    std::fs::write(
        &event,
        r#"{
            "kefu-event": "message-received",
            "message": {
                "sender": { "address": "wang.fang@example.cn" },
                "body-text": "read /tmp/kefu-granted/kefu-cli-test-missing.txt\nkv colour blue"
            }
        }"#,
    )
    .unwrap();
    let without = stdout(&home.kefu(&[
        "plugin",
        "test",
        plugin.to_str().unwrap(),
        event.to_str().unwrap(),
    ]));
    assert!(without.contains("files: not-granted"), "{without}");
    assert!(without.contains("kv: ok 4"), "{without}");

    let with = stdout(&home.kefu(&[
        "plugin",
        "test",
        plugin.to_str().unwrap(),
        event.to_str().unwrap(),
        "--grant",
        "read-folder=/tmp/kefu-granted",
    ]));
    assert!(
        with.contains("granted: read-folder /tmp/kefu-granted"),
        "{with}"
    );
    assert!(!with.contains("not-granted"), "{with}");

    let undeclared = failure(&home.kefu(&[
        "plugin",
        "test",
        plugin.to_str().unwrap(),
        event.to_str().unwrap(),
        "--grant",
        "read-folder=/etc",
    ]));
    assert!(
        undeclared.contains("does not declare read-folder /etc"),
        "{undeclared}"
    );
}

#[test]
fn test_widget_renders_dataset() {
    let home = Home::new();
    let plugin = builtin("messages-per-day");
    let dataset = home.path().join("messages-per-day.csv");
    let today = chrono::Utc::now().date_naive();
    std::fs::write(
        &dataset,
        format!("day,channel,messages\n{today},email,3\n{today},chat,2\n"),
    )
    .unwrap();
    let svg = home.path().join("chart.svg");
    let text = stdout(&home.kefu(&[
        "plugin",
        "test",
        plugin.to_str().unwrap(),
        dataset.to_str().unwrap(),
        "--param",
        "days=7",
        "--out",
        svg.to_str().unwrap(),
    ]));
    assert!(text.contains("Title: Messages per day"), "{text}");
    assert!(text.contains("Chart: Bar"), "{text}");
    assert!(text.contains(&today.to_string()), "{text}");
    let drawn = std::fs::read_to_string(&svg).unwrap();
    assert!(drawn.contains("<svg"), "{drawn}");

    let wrong = failure(&home.kefu(&[
        "plugin",
        "test",
        plugin.to_str().unwrap(),
        dataset.to_str().unwrap(),
        "--param",
        "days=many",
    ]));
    assert!(wrong.contains("days"), "{wrong}");
}

#[test]
fn new_creates_projects_that_parse() {
    let home = Home::new();
    let projects = home.path().join("projects");
    for kind in ["adapter", "rule", "widget"] {
        let id = format!("my-{kind}");
        let text = stdout(&home.kefu(&[
            "plugin",
            "new",
            &id,
            "--kind",
            kind,
            "--dir",
            projects.to_str().unwrap(),
        ]));
        assert!(
            text.contains(&format!("Created {kind} plugin {id}")),
            "{text}"
        );
        let project = projects.join(&id);

        let manifest_text = std::fs::read_to_string(project.join("plugin.toml")).unwrap();
        let manifest = kefu_core::plugin::Manifest::parse(&manifest_text).unwrap();
        assert_eq!(manifest.id, id);
        assert_eq!(manifest.kind.manifest_name(), kind);
        assert_eq!(manifest.api, kefu_core::plugin::API_VERSION);

        let cargo: toml::Table = std::fs::read_to_string(project.join("Cargo.toml"))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(cargo["package"]["name"].as_str(), Some(id.as_str()));
        assert!(cargo.contains_key("workspace"), "{cargo}");
        let sdk = Path::new(
            cargo["dependencies"]["kefu-plugin-sdk"]["path"]
                .as_str()
                .unwrap(),
        );
        assert!(sdk.is_absolute(), "{}", sdk.display());
        assert!(sdk.join("wit/kefu.wit").is_file(), "{}", sdk.display());

        let source = std::fs::read_to_string(project.join("src/lib.rs")).unwrap();
        assert!(source.contains("#[cfg(target_arch = \"wasm32\")]"));
        assert!(source.contains("#[cfg(test)]"));
        assert!(!source.contains("{{"), "unfilled placeholder in {kind}");
        let readme = std::fs::read_to_string(project.join("README.md")).unwrap();
        assert_eq!(readme.lines().count(), 10, "{readme}");
        let samples = std::fs::read_dir(project.join("samples")).unwrap().count();
        assert!(samples >= 1, "{kind} has no samples");
    }

    let again = failure(&home.kefu(&[
        "plugin",
        "new",
        "my-rule",
        "--kind",
        "rule",
        "--dir",
        projects.to_str().unwrap(),
    ]));
    assert!(again.contains("already exists"), "{again}");
}

#[test]
fn new_rejects_invalid_names() {
    let home = Home::new();
    for name in ["Refund_Tagger", "9lives", "fn"] {
        let text = failure(&home.kefu(&["plugin", "new", name, "--kind", "rule"]));
        assert!(text.contains(name), "{text}");
        assert!(!home.path().join(name).exists());
    }
}

/// Why no WebAssembly toolchain can build a plugin here, or `None` when one can.
fn missing_wasm_toolchain() -> Option<String> {
    let rustup_target = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_ok_and(|output| {
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .any(|line| line.trim() == "wasm32-unknown-unknown")
        });
    let debian = Path::new("/usr/bin/cargo").is_file()
        && Path::new("/usr/lib/rustlib/src/rust/library").is_dir();
    if rustup_target || debian {
        None
    } else {
        Some(
            "neither the rustup target wasm32-unknown-unknown nor Debian's rustc-web, \
             cargo-web and rust-web-src are installed"
                .to_string(),
        )
    }
}

/// Builds a fresh rule project with the real toolchain, then checks and runs
/// the component. Compiling the SDK and, on Debian's toolchain, the standard
/// library takes a minute or two.
#[test]
fn build_template_rule_and_run_it() {
    if let Some(reason) = missing_wasm_toolchain() {
        eprintln!("skipping build_template_rule_and_run_it: {reason}");
        return;
    }
    let home = Home::new();
    stdout(&home.kefu(&["plugin", "new", "refund-tagger", "--kind", "rule"]));
    let project = home.path().join("refund-tagger");

    // The template's own unit tests pass with no edits.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let own_tests = Command::new(&cargo)
        .arg("test")
        .current_dir(&project)
        .env("CARGO_TARGET_DIR", project.join("target"))
        .output()
        .expect("running cargo test in the template project");
    assert!(
        own_tests.status.success(),
        "the template's own tests failed:\n{}",
        String::from_utf8_lossy(&own_tests.stderr)
    );

    let started = Instant::now();
    let built = stdout(&home.kefu_in(&project, &["plugin", "build"]));
    eprintln!("kefu plugin build took {:.0?}", started.elapsed());
    assert!(built.contains("Built rule refund-tagger 0.1.0"), "{built}");
    let component = project.join("target/kefu/refund-tagger.wasm");
    assert!(component.is_file());

    let checked = stdout(&home.kefu(&["plugin", "check", component.to_str().unwrap()]));
    assert!(checked.contains("Problems:      none"), "{checked}");

    let ran = stdout(&home.kefu_in(
        &project,
        &[
            "plugin",
            "test",
            "target/kefu/refund-tagger.wasm",
            "samples/refund-vip.json",
            "samples/refund.eml",
        ],
    ));
    assert!(ran.contains("add-tag \"refund\""), "{ran}");
    assert!(ran.contains("set-priority high"), "{ran}");

    let installed = stdout(&home.kefu(&["plugin", "install", component.to_str().unwrap()]));
    assert!(
        installed.contains("Installed rule refund-tagger"),
        "{installed}"
    );
    let list = json(&home.kefu(&["plugin", "list", "--json"]));
    assert_eq!(listed(&list, "refund-tagger")["status"], "running");

    // The next import runs the rule.
    stdout(&home.kefu_in(&project, &["ingest", "samples/refund.eml"]));
    let tickets = json(&home.kefu(&["tickets", "--json"]));
    let tags = &tickets[0]["tags"];
    assert!(
        tags.as_array()
            .is_some_and(|tags| tags.iter().any(|tag| tag == "refund")),
        "{tickets}"
    );
}

#[test]
fn native_library_loads_only_once_enabled() {
    let home = Home::new();
    std::fs::create_dir_all(home.plugins()).unwrap();
    // Not a real library: the test covers the enable step and the report of
    // a library that fails to load, without running foreign code.
    let library = home
        .plugins()
        .join(format!("libfake_rule.{}", std::env::consts::DLL_EXTENSION));
    std::fs::write(&library, "not a shared library").unwrap();

    let list = json(&home.kefu(&["plugin", "list", "--json"]));
    let listed_plugin = listed(&list, "fake-rule");
    assert_eq!(listed_plugin["status"], "disabled", "{listed_plugin}");

    let granted = failure(&home.kefu(&["plugin", "grant", "fake-rule", "http-host", "x"]));
    assert!(granted.contains("native plugin"), "{granted}");

    let enabled = stdout(&home.kefu(&["plugin", "enable", "fake-rule"]));
    assert!(
        enabled.contains("Enabled native plugin fake-rule"),
        "{enabled}"
    );
    assert!(enabled.contains("NOT sandboxed"), "{enabled}");
    assert!(enabled.contains("SHA-256"), "{enabled}");
    // Broken, not disabled: Kefu tried to open the file, which is no library.
    let list = json(&home.kefu(&["plugin", "list", "--json"]));
    let listed_plugin = listed(&list, "fake-rule");
    assert_eq!(listed_plugin["status"], "broken", "{listed_plugin}");
    let reason = listed_plugin["reason"].as_str().unwrap();
    assert!(reason.contains("libfake_rule"), "{reason}");
}

/// Writes a file that stands for a native library into the plugins folder.
/// It is no real library, so a `broken` status shows that Kefu tried to
/// open it and a `disabled` one that Kefu did not.
fn write_fake_library(home: &Home, stem: &str, content: &str) -> PathBuf {
    std::fs::create_dir_all(home.plugins()).unwrap();
    let library = home
        .plugins()
        .join(format!("{stem}.{}", std::env::consts::DLL_EXTENSION));
    std::fs::write(&library, content).unwrap();
    library
}

/// Finds the listing entry of the native library `file_name`.
fn listed_native<'a>(list: &'a serde_json::Value, file_name: &str) -> &'a serde_json::Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|plugin| {
            plugin["origin"].as_str().is_some_and(|origin| {
                origin.starts_with("native library") && origin.ends_with(file_name)
            })
        })
        .unwrap_or_else(|| panic!("{file_name} is not listed: {list}"))
}

#[test]
fn native_consent_is_pinned_to_file() {
    let home = Home::new();
    let library = write_fake_library(&home, "libfake_rule", "first build");
    stdout(&home.kefu(&["plugin", "enable", "fake-rule"]));
    let list = json(&home.kefu(&["plugin", "list", "--json"]));
    assert_eq!(listed(&list, "fake-rule")["status"], "broken");

    std::fs::write(&library, "second build").unwrap();
    let list = json(&home.kefu(&["plugin", "list", "--json"]));
    let listed_plugin = listed(&list, "fake-rule");
    assert_eq!(listed_plugin["status"], "disabled", "{listed_plugin}");
    let reason = listed_plugin["reason"].as_str().unwrap();
    assert!(reason.contains("changed since"), "{reason}");
    assert!(reason.contains("kefu plugin enable fake-rule"), "{reason}");

    let enabled = stdout(&home.kefu(&["plugin", "enable", "fake-rule"]));
    assert!(
        enabled.contains("it was disabled: the library file changed"),
        "{enabled}"
    );
    let list = json(&home.kefu(&["plugin", "list", "--json"]));
    assert_eq!(listed(&list, "fake-rule")["status"], "broken");
}

#[test]
fn native_disable_withdraws_consent() {
    let home = Home::new();
    write_fake_library(&home, "libfake_rule", "build");
    stdout(&home.kefu(&["plugin", "enable", "fake-rule"]));
    let disabled = stdout(&home.kefu(&["plugin", "disable", "fake-rule"]));
    assert!(disabled.contains("Disabled fake-rule"), "{disabled}");
    let list = json(&home.kefu(&["plugin", "list", "--json"]));
    assert_eq!(listed(&list, "fake-rule")["status"], "disabled");

    // Enabling again records consent again and prints the warning.
    let enabled = stdout(&home.kefu(&["plugin", "enable", "fake-rule"]));
    assert!(enabled.contains("NOT sandboxed"), "{enabled}");
    assert!(
        enabled.contains("Enabled native plugin fake-rule"),
        "{enabled}"
    );

    // The consent for a removed file can still be withdrawn by id.
    std::fs::remove_file(
        home.plugins()
            .join(format!("libfake_rule.{}", std::env::consts::DLL_EXTENSION)),
    )
    .unwrap();
    let withdrawn = stdout(&home.kefu(&["plugin", "disable", "fake-rule"]));
    assert!(withdrawn.contains("Withdrew the consent"), "{withdrawn}");
    write_fake_library(&home, "libfake_rule", "build");
    let list = json(&home.kefu(&["plugin", "list", "--json"]));
    assert_eq!(listed(&list, "fake-rule")["status"], "disabled");
}

#[test]
fn component_enable_gives_no_native_consent() {
    let home = Home::new();
    // An enabled row in the plugins table, as `disable` then `enable` leaves.
    stdout(&home.kefu(&["plugin", "disable", "default-rules"]));
    stdout(&home.kefu(&["plugin", "enable", "default-rules"]));
    let plugin = test_plugin("capability-rule");
    stdout(&home.kefu(&["plugin", "install", plugin.to_str().unwrap()]));
    stdout(&home.kefu(&["plugin", "disable", "capability-rule"]));
    stdout(&home.kefu(&["plugin", "enable", "capability-rule"]));
    std::fs::remove_file(home.plugins().join("capability-rule.wasm")).unwrap();

    write_fake_library(&home, "libdefault_rules", "not a library");
    write_fake_library(&home, "libcapability_rule", "not a library");
    let list = json(&home.kefu(&["plugin", "list", "--json"]));

    assert_eq!(listed(&list, "default-rules")["status"], "running");
    let extension = std::env::consts::DLL_EXTENSION;
    let same_id = listed_native(&list, &format!("libdefault_rules.{extension}"));
    assert_eq!(same_id["status"], "broken", "{same_id}");
    let reason = same_id["reason"].as_str().unwrap();
    assert!(
        reason.contains("another plugin already has the id default-rules"),
        "{reason}"
    );

    let enabled_id = listed_native(&list, &format!("libcapability_rule.{extension}"));
    assert_eq!(enabled_id["status"], "disabled", "{enabled_id}");
    let reason = enabled_id["reason"].as_str().unwrap();
    assert!(
        reason.contains("kefu plugin enable capability-rule"),
        "{reason}"
    );
}

#[test]
fn native_library_with_invalid_id_is_broken() {
    let home = Home::new();
    let extension = std::env::consts::DLL_EXTENSION;
    for stem in ["lib", "lib a b", "libFOO_Bar"] {
        write_fake_library(&home, stem, "not a library");
    }
    let list = json(&home.kefu(&["plugin", "list", "--json"]));
    for stem in ["lib", "lib a b", "libFOO_Bar"] {
        let listed_plugin = listed_native(&list, &format!("/{stem}.{extension}"));
        assert_eq!(listed_plugin["status"], "broken", "{listed_plugin}");
        let reason = listed_plugin["reason"].as_str().unwrap();
        assert!(reason.contains("is not valid"), "{reason}");
        assert!(reason.contains("rename the file"), "{reason}");
    }
    let text = failure(&home.kefu(&["plugin", "enable", "FOO-Bar"]));
    assert!(text.contains("unknown plugin id"), "{text}");
}

/// Copies capability-rule with control sequences in its declared
/// capabilities: one sets the terminal's title, one clears the screen. The
/// manifest is edited in place with strings of the same length, so the
/// component stays valid.
fn hostile_capability_rule(home: &Home) -> PathBuf {
    let mut bytes = std::fs::read(test_plugin("capability-rule")).unwrap();
    for (from, to) in [
        (r#"["/tmp/kefu-granted"]"#, r#"["/\u001b]0;X\u0007"]"#),
        (r#"["127.0.0.1"]"#, r#"["\u001b[2J"]"#),
    ] {
        assert_eq!(from.len(), to.len());
        let at = bytes
            .windows(from.len())
            .position(|window| window == from.as_bytes())
            .unwrap_or_else(|| panic!("{from} is not in the manifest"));
        bytes[at..at + from.len()].copy_from_slice(to.as_bytes());
    }
    let path = home.path().join("hostile.wasm");
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Asserts that `text` contains no control character but the line break.
fn assert_no_controls(text: &str) {
    let control = text.chars().find(|c| c.is_control() && *c != '\n');
    assert_eq!(control, None, "{text:?}");
}

#[test]
fn check_neutralises_capability_controls() {
    let home = Home::new();
    let plugin = hostile_capability_rule(&home);
    let text = stdout(&home.kefu(&["plugin", "check", plugin.to_str().unwrap()]));
    assert_no_controls(&text);
    assert!(text.contains("read-folder /\u{FFFD}]0;X\u{FFFD}"), "{text}");
    assert!(text.contains("http-host \u{FFFD}[2J"), "{text}");

    let json_text = stdout(&home.kefu(&["plugin", "check", "--json", plugin.to_str().unwrap()]));
    assert_no_controls(&json_text);
    let report: serde_json::Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(report["capabilities"]["http_hosts"][0], "\u{1b}[2J");
}

#[test]
fn list_and_grant_neutralise_capability_controls() {
    let home = Home::new();
    let plugin = hostile_capability_rule(&home);
    let installed = stdout(&home.kefu(&["plugin", "install", plugin.to_str().unwrap()]));
    assert_no_controls(&installed);

    let table = stdout(&home.kefu(&["plugin", "list"]));
    assert_no_controls(&table);
    assert!(table.contains("\u{FFFD}[2J"), "{table}");

    let output = home.kefu(&[
        "plugin",
        "grant",
        "capability-rule",
        "http-host",
        "example.com",
    ]);
    let text = failure(&output);
    assert_no_controls(&text);
    assert!(
        text.contains("declares read-folder /\u{FFFD}]0;X"),
        "{text}"
    );
}

#[cfg(unix)]
/// Runs `kefu` and fails the test when it has not ended after a minute,
/// as a read of a named pipe without a writer would not.
fn kefu_with_deadline(home: &Home, args: &[&std::ffi::OsStr]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("--db")
        .arg(home.path().join("kefu.db"))
        .arg("--plugins")
        .arg(home.plugins())
        .args(args)
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("running kefu");
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("kefu {args:?} did not end within a minute");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
fn make_fifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("running mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn check_rejects_non_regular_files() {
    let home = Home::new();
    let folder = home.path().join("folder.wasm");
    std::fs::create_dir(&folder).unwrap();
    let fifo = home.path().join("fifo.wasm");
    make_fifo(&fifo);
    for (path, kind) in [
        (folder.as_path(), "a directory"),
        (Path::new("/dev/zero"), "a device"),
        (fifo.as_path(), "a named pipe (FIFO)"),
    ] {
        let output = kefu_with_deadline(
            &home,
            &["plugin".as_ref(), "check".as_ref(), path.as_os_str()],
        );
        let text = failure(&output);
        assert!(
            text.contains(&format!("{} is {kind}, not a regular file", path.display())),
            "{text}"
        );
    }
}

#[test]
fn check_rejects_oversized_sparse_file() {
    let home = Home::new();
    let big = home.path().join("big.wasm");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(3 * 1024 * 1024 * 1024)
        .unwrap();
    let started = Instant::now();
    let text = failure(&home.kefu(&["plugin", "check", big.to_str().unwrap()]));
    assert!(
        text.contains(
            "big.wasm is 3221225472 bytes, more than the maximum of 67108864 bytes (64 MiB)"
        ),
        "{text}"
    );
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}

#[cfg(unix)]
#[test]
fn test_rejects_fifo_and_oversized_inputs() {
    let home = Home::new();
    let plugin = builtin("default-rules");
    let fifo = home.path().join("mail.eml");
    make_fifo(&fifo);
    let output = kefu_with_deadline(
        &home,
        &[
            "plugin".as_ref(),
            "test".as_ref(),
            plugin.as_os_str(),
            fifo.as_os_str(),
        ],
    );
    let text = failure(&output);
    assert!(text.contains("mail.eml is a named pipe (FIFO)"), "{text}");

    let big = home.path().join("big.eml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(65 * 1024 * 1024)
        .unwrap();
    let text = failure(&home.kefu(&[
        "plugin",
        "test",
        plugin.to_str().unwrap(),
        big.to_str().unwrap(),
    ]));
    assert!(
        text.contains(
            "big.eml is 68157440 bytes, more than the maximum of 67108864 bytes (64 MiB)"
        ),
        "{text}"
    );
}

#[test]
fn enable_skips_oversized_folder_file() {
    let home = Home::new();
    std::fs::create_dir_all(home.plugins()).unwrap();
    std::fs::File::create(home.plugins().join("big.wasm"))
        .unwrap()
        .set_len(3 * 1024 * 1024 * 1024)
        .unwrap();
    let started = Instant::now();
    let text = stdout(&home.kefu(&["plugin", "enable", "default-rules"]));
    assert!(text.contains("already enabled"), "{text}");
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}
