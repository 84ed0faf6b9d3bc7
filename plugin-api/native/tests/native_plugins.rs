//! Loads real plugin libraries: the example `native-vip-rule` and the test
//! fixtures in `tests/fixtures`, built with `cargo build` on first use.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use kefu_native_abi::{
    ABI_VERSION, Action, Channel, Conversation, Customer, Direction, Event, EventKind, History,
    Message, MessageEvent, NativeError, NativeRulePlugin, Party,
};

/// Packages whose libraries the tests load, by Cargo package name.
const PACKAGES: [&str; 4] = [
    "native-vip-rule",
    "kefu-native-fixture-no-symbol",
    "kefu-native-fixture-panicking",
    "kefu-native-fixture-wrong-abi",
];

/// Returns the path of the shared library built from `package`, building
/// every package in [`PACKAGES`] on the first call.
fn library(package: &str) -> PathBuf {
    static LIBRARIES: OnceLock<HashMap<String, PathBuf>> = OnceLock::new();
    let libraries = LIBRARIES.get_or_init(build_libraries);
    match libraries.get(package) {
        Some(path) => path.clone(),
        None => panic!("cargo built no shared library for {package}; built: {libraries:?}"),
    }
}

/// Runs `cargo build` on [`PACKAGES`] in this workspace and returns each
/// package's shared library, as Cargo's JSON messages name it. The build
/// uses the same target folder as the test run unless the run was given
/// `--target-dir`.
fn build_libraries() -> HashMap<String, PathBuf> {
    let cargo = std::env::var_os("CARGO")
        .or_else(|| option_env!("CARGO").map(Into::into))
        .unwrap_or_else(|| "cargo".into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut command = Command::new(&cargo);
    command
        .current_dir(&workspace)
        .args(["build", "--message-format=json-render-diagnostics"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for package in PACKAGES {
        command.args(["-p", package]);
    }
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("failed to run {cargo:?} build: {error}"));
    assert!(
        output.status.success(),
        "cargo build of the plugin libraries failed with {}",
        output.status
    );

    let stdout = String::from_utf8(output.stdout).expect("cargo's JSON output is UTF-8");
    let mut libraries = HashMap::new();
    for line in stdout.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        let is_cdylib = message["target"]["crate_types"]
            .as_array()
            .is_some_and(|types| types.iter().any(|kind| kind == "cdylib"));
        if !is_cdylib {
            continue;
        }
        // Cargo names a library target after its package, with `_` for `-`.
        let Some(package) = PACKAGES
            .iter()
            .find(|package| message["target"]["name"] == package.replace('-', "_"))
        else {
            continue;
        };
        let filenames = message["filenames"].as_array().cloned().unwrap_or_default();
        let library = filenames
            .iter()
            .filter_map(|name| name.as_str())
            .map(PathBuf::from)
            .find(|path| path.extension() == Some(std::env::consts::DLL_EXTENSION.as_ref()));
        if let Some(library) = library {
            libraries.insert((*package).to_owned(), library);
        }
    }
    libraries
}

fn customer(tier: &str) -> Customer {
    Customer {
        id: 5,
        name: Some("王芳".to_owned()),
        tier: tier.to_owned(),
        history: History {
            earlier_conversations: 3,
            tickets: 1,
            open_tickets: 1,
            first_contact: Some(1_690_000_000),
        },
    }
}

fn message_event(tier: &str) -> Event {
    let customer_party = Party {
        name: Some("王芳".to_owned()),
        address: "wang.fang@example.cn".to_owned(),
    };
    Event {
        kind: EventKind::MessageReceived(MessageEvent {
            message_id: 12,
            message: Message {
                channel: Channel::Email,
                direction: Direction::Inbound,
                sender: customer_party.clone(),
                customer: customer_party,
                sent_at: Some(1_700_000_000),
                subject: Some("订单 1024 还没发货".to_owned()),
                body_text: "请问什么时候发货？".to_owned(),
                external_id: Some("<order-1024@example.cn>".to_owned()),
                thread_key: None,
                replies_to: Vec::new(),
                automation: None,
                call: None,
                attachments: Vec::new(),
                raw_span: None,
                notes: Vec::new(),
            },
        }),
        conversation: Conversation {
            id: 8,
            channel: Channel::Email,
            message_count: 1,
            ticket: None,
        },
        customer: customer(tier),
    }
}

fn load_vip_rule() -> NativeRulePlugin {
    NativeRulePlugin::load(library("native-vip-rule"), "native-vip-rule")
        .expect("native-vip-rule loads")
}

#[test]
fn vip_message_gets_tag_and_priority() {
    let plugin = load_vip_rule();
    let actions = plugin.on_event(&message_event("vip")).unwrap();
    assert_eq!(
        actions,
        [
            Action::AddTag("vip".to_owned()),
            Action::SetPriority("high".to_owned()),
        ]
    );
}

#[test]
fn regular_message_gets_nothing() {
    let plugin = load_vip_rule();
    let actions = plugin.on_event(&message_event("regular")).unwrap();
    assert_eq!(actions, []);
}

#[test]
fn vip_ticket_created_gets_nothing() {
    let plugin = load_vip_rule();
    let mut event = message_event("vip");
    event.kind = EventKind::TicketCreated;
    let actions = plugin.on_event(&event).unwrap();
    assert_eq!(actions, []);
}

#[test]
fn load_reads_manifest() {
    let plugin = load_vip_rule();
    assert_eq!(plugin.id(), "native-vip-rule");
    assert_eq!(plugin.manifest().api.to_string(), "1.1.0");
    assert_eq!(plugin.manifest().version.to_string(), "0.1.0");
    assert!(plugin.manifest_text().contains("kind = \"rule\""));
    assert_eq!(plugin.path(), library("native-vip-rule"));
}

#[test]
fn load_rejects_other_id() {
    let path = library("native-vip-rule");
    let error = NativeRulePlugin::load(&path, "vip-escalation").unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(&error, NativeError::IdMismatch { expected, found, .. }
            if expected == "vip-escalation" && found == "native-vip-rule"),
        "error: {error:?}"
    );
    assert!(message.contains("\"vip-escalation\""), "message: {message}");
    assert!(
        message.contains("\"native-vip-rule\""),
        "message: {message}"
    );
    assert!(
        message.contains(&path.display().to_string()),
        "message: {message}"
    );
}

#[test]
fn load_rejects_wrong_abi_version() {
    let path = library("kefu-native-fixture-wrong-abi");
    let error = NativeRulePlugin::load(&path, "wrong-abi").unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(
            error,
            NativeError::AbiMismatch {
                found: 999,
                expected: ABI_VERSION,
                ..
            }
        ),
        "error: {error:?}"
    );
    assert!(message.contains("version 999"), "message: {message}");
    assert!(
        message.contains(&format!("version {ABI_VERSION}")),
        "message: {message}"
    );
    assert!(
        message.contains(&path.display().to_string()),
        "message: {message}"
    );
}

#[test]
fn panic_becomes_error_and_host_goes_on() {
    let plugin = NativeRulePlugin::load(library("kefu-native-fixture-panicking"), "panicking-rule")
        .expect("panicking-rule loads");
    for _ in 0..2 {
        let error = plugin.on_event(&message_event("vip")).unwrap_err();
        let message = error.to_string();
        assert!(
            matches!(error, NativeError::Panicked { .. }),
            "error: {error:?}"
        );
        assert!(message.contains("\"panicking-rule\""), "message: {message}");
        assert!(
            message.contains("panics on purpose for customer 5"),
            "message: {message}"
        );
    }

    let vip_rule = load_vip_rule();
    let actions = vip_rule.on_event(&message_event("vip")).unwrap();
    assert_eq!(actions.len(), 2);
}

#[test]
fn load_rejects_non_library_file() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join(format!(
        "libnot_a_plugin.{}",
        std::env::consts::DLL_EXTENSION
    ));
    std::fs::write(&path, "id = \"not-a-plugin\"\n").unwrap();
    let error = NativeRulePlugin::load(&path, "not-a-plugin").unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, NativeError::Open { .. }),
        "error: {error:?}"
    );
    assert!(
        message.contains("as a shared library"),
        "message: {message}"
    );
    assert!(
        message.contains(&path.display().to_string()),
        "message: {message}"
    );
}

#[test]
fn load_rejects_missing_file() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("libmissing.so");
    let error = NativeRulePlugin::load(&path, "missing").unwrap_err();
    assert!(
        matches!(error, NativeError::Open { .. }),
        "error: {error:?}"
    );
}

#[test]
fn load_rejects_empty_path() {
    let error = NativeRulePlugin::load("", "empty").unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, NativeError::InvalidPath { .. }),
        "error: {error:?}"
    );
    assert!(message.contains("\"empty\""), "message: {message}");
}

#[test]
fn load_resolves_relative_path() {
    let path = library("native-vip-rule");
    let folder = path.parent().unwrap();
    let file_name = path.file_name().unwrap();
    // A bare file name must name the file in the working folder, not one in
    // the system's library folders. Changing the working folder is safe here
    // because every other test in this file uses absolute paths.
    let relative = Path::new(file_name);
    std::env::set_current_dir(folder).unwrap();
    let plugin = NativeRulePlugin::load(relative, "native-vip-rule").unwrap();
    assert_eq!(plugin.path(), path);
}

#[test]
fn load_rejects_library_without_entry() {
    let path = library("kefu-native-fixture-no-symbol");
    let error = NativeRulePlugin::load(&path, "no-symbol").unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, NativeError::MissingEntry { .. }),
        "error: {error:?}"
    );
    assert!(
        message.contains("`kefu_native_plugin_v1`"),
        "message: {message}"
    );
    assert!(
        message.contains(&path.display().to_string()),
        "message: {message}"
    );
}

#[test]
fn plugin_runs_on_several_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<NativeRulePlugin>();

    let plugin = load_vip_rule();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| plugin.on_event(&message_event("vip")).unwrap()))
            .collect();
        for worker in workers {
            assert_eq!(worker.join().unwrap().len(), 2);
        }
    });
}

#[test]
fn plugin_reloads_after_drop() {
    let first = load_vip_rule();
    drop(first);
    let second = load_vip_rule();
    let actions = second.on_event(&message_event("vip")).unwrap();
    assert_eq!(actions.len(), 2);
}
