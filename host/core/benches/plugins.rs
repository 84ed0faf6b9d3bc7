//! Plugin runtime benchmark: `cargo bench -p kefu-core --bench plugins`.
//!
//! Prints, from one run on one machine:
//! - rule evaluation per message on a warm wasm instance of default-rules
//!   against the same rule compiled as native Rust;
//! - loading the built-in plugins from a compile cache against compiling
//!   them from their components.
//!
//! The figures are ratios against a baseline measured in the same run, so
//! they compare across machines better than the absolute times.

use std::time::{Duration, Instant};

use kefu_core::plugin::api;
use kefu_core::plugin::builtin::BUILTIN_PLUGINS;
use kefu_core::plugin::rule_api as host_rule;
use kefu_core::plugin::{Limits, PluginEngine, PluginKind, PluginSet};
use kefu_plugin_sdk::rule::exports::kefu::plugin::rule as guest_rule;
use kefu_plugin_sdk::rule::kefu::plugin::types as guest;

/// Messages evaluated per timing round.
const MESSAGES: u32 = 20_000;
/// Rounds per measurement; the fastest round counts, which filters out
/// interference from other processes.
const ROUNDS: u32 = 5;
/// Plugin loads per load measurement.
const LOADS: u32 = 5;

const SUBJECT: &str = "申请退款：订单 12345";
const BODY: &str = "你好，我上周买的耳机左边没有声音，想申请退款，谢谢。";

/// Builds the benchmark event in the host's or the guest's bindings, which
/// are distinct types with the same fields.
macro_rules! event {
    ($types:path, $rule:path) => {{
        use $rule as rule;
        use $types as types;
        let party = types::Party {
            name: Some("王芳".to_string()),
            address: "wang.fang@example.cn".to_string(),
        };
        rule::Event {
            kind: rule::EventKind::MessageReceived(rule::MessageEvent {
                message_id: 1,
                message: types::Message {
                    channel: types::Channel::Email,
                    direction: types::Direction::Inbound,
                    sender: party.clone(),
                    customer: party,
                    sent_at: Some(1_733_300_000),
                    subject: Some(SUBJECT.to_string()),
                    body_text: BODY.to_string(),
                    external_id: Some("order-12345@example.cn".to_string()),
                    thread_key: None,
                    replies_to: Vec::new(),
                    automation: None,
                    call: None,
                    attachments: Vec::new(),
                    raw_span: None,
                    notes: Vec::new(),
                },
            }),
            conversation: rule::Conversation {
                id: 1,
                channel: types::Channel::Email,
                message_count: 1,
                ticket: None,
            },
            customer: rule::Customer {
                id: 1,
                name: Some("王芳".to_string()),
                tier: "vip".to_string(),
                history: rule::History {
                    earlier_conversations: 2,
                    tickets: 2,
                    open_tickets: 0,
                    first_contact: Some(1_700_000_000),
                },
            },
        }
    }};
}

fn host_event() -> host_rule::Event {
    event!(api, host_rule)
}

fn guest_event() -> guest_rule::Event {
    event!(guest, guest_rule)
}

/// Runs `round` [`ROUNDS`] times and returns the fastest.
fn fastest(mut round: impl FnMut() -> Duration) -> Duration {
    (0..ROUNDS).map(|_| round()).min().unwrap_or_default()
}

fn per_item(total: Duration, items: u32) -> f64 {
    total.as_secs_f64() * 1e9 / f64::from(items)
}

fn main() -> anyhow::Result<()> {
    let rule = BUILTIN_PLUGINS
        .iter()
        .find(|plugin| plugin.id == "default-rules")
        .expect("default-rules is built in");

    // Rule evaluation: the same message through the wasm rule and the
    // native build of the same source.
    let engine = PluginEngine::new()?;
    let mut wasm_rule = engine.load_rule(rule.id, rule.component, Limits::default())?;
    let host_event = host_event();
    let expected = wasm_rule.on_event(&host_event)?;
    assert_eq!(expected.len(), 1, "the benchmark message opens a ticket");
    let wasm = fastest(|| {
        let started = Instant::now();
        for _ in 0..MESSAGES {
            std::hint::black_box(
                wasm_rule
                    .on_event(std::hint::black_box(&host_event))
                    .unwrap(),
            );
        }
        started.elapsed()
    });
    let guest_event = guest_event();
    let native = fastest(|| {
        let started = Instant::now();
        for _ in 0..MESSAGES {
            std::hint::black_box(default_rules::decide(std::hint::black_box(&guest_event)));
        }
        started.elapsed()
    });
    let wasm_ns = per_item(wasm, MESSAGES);
    let native_ns = per_item(native, MESSAGES);
    println!("rule evaluation, default-rules, {MESSAGES} messages, fastest of {ROUNDS} rounds");
    println!("  native Rust (baseline): {native_ns:>10.0} ns/message");
    println!("  wasm, warm instance:    {wasm_ns:>10.0} ns/message");
    println!("  ratio wasm / native:    {:>10.1}x", wasm_ns / native_ns);

    // Loading: compiling every built-in component against deserializing it
    // from a filled cache.
    let cache = tempfile::tempdir()?;
    PluginSet::builtin_on(PluginEngine::new()?.with_cache(cache.path().to_path_buf()))?;
    let load = |cached: bool| -> anyhow::Result<Duration> {
        let mut best = Duration::MAX;
        for _ in 0..LOADS {
            let mut engine = PluginEngine::new()?;
            if cached {
                engine = engine.with_cache(cache.path().to_path_buf());
            }
            let started = Instant::now();
            let mut set = PluginSet::new(engine);
            for plugin in BUILTIN_PLUGINS {
                set.add(plugin.id, plugin.kind, plugin.component, Limits::default())?;
            }
            best = best.min(started.elapsed());
        }
        Ok(best)
    };
    let from_source = load(false)?;
    let from_cache = load(true)?;
    let adapters = BUILTIN_PLUGINS
        .iter()
        .filter(|plugin| plugin.kind == PluginKind::Adapter)
        .count();
    println!(
        "loading the {} built-in plugins ({adapters} adapters), fastest of {LOADS}",
        BUILTIN_PLUGINS.len()
    );
    println!(
        "  compiled from source (baseline): {:>8.1} ms",
        from_source.as_secs_f64() * 1e3
    );
    println!(
        "  loaded from cache:               {:>8.1} ms",
        from_cache.as_secs_f64() * 1e3
    );
    println!(
        "  ratio source / cache:            {:>8.1}x",
        from_source.as_secs_f64() / from_cache.as_secs_f64()
    );
    Ok(())
}
