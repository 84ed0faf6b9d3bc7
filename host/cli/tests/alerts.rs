//! The desktop app's alerts through real outputs: the `kefu` app runs
//! under Xvfb with its own D-Bus session bus, the dunst notification server
//! and an ALSA configuration whose default device is the `file` plugin. The
//! test stores messages from another connection, as an import would, and
//! reads what dunst shows, what crossed the bus (dbus-monitor) and what the
//! ALSA device wrote.
//!
//! Without Xvfb, dbus-daemon, dbus-monitor or dunst the test is skipped,
//! or fails when KEFU_REQUIRE_SERVERS=1, as CI sets.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use kefu_core::Store;
use kefu_core::model::{Channel, Direction, IncomingMessage, Party};
use kefu_tests::desktop::{
    Desktop, Running, binaries_installed, nonzero_bytes, wait_for, write_asoundrc,
};

/// Group window of the test's alerts.toml, in seconds.
const GROUP_WINDOW_SECONDS: u64 = 3;

const VIP_NAME: &str = "王总";
const VIP_ADDRESS: &str = "wx_wang_vip";

/// Stores a chat message from `name` in the conversation with
/// `thread_key`, creating the conversation when missing, and returns its id.
fn store_chat(store: &mut Store, name: &str, address: &str, thread_key: &str, body: &str) -> i64 {
    let now = Utc::now();
    let writer = store.writer().expect("start a write transaction");
    let (customer, _) = writer
        .find_or_create_customer(Channel::Chat, address, Some(name), now)
        .expect("store the customer");
    let conversation = match writer
        .conversation_by_thread_key(Channel::Chat, thread_key)
        .expect("look up the conversation")
    {
        Some((id, _customer)) => id,
        None => writer
            .create_conversation(Channel::Chat, customer.id, Some(thread_key), None, now)
            .expect("store the conversation"),
    };
    let party = Party {
        name: Some(name.to_string()),
        address: address.to_string(),
    };
    let message = IncomingMessage {
        channel: Channel::Chat,
        direction: Direction::Inbound,
        sender: party.clone(),
        customer: party,
        sent_at: Some(now),
        subject: None,
        body_text: body.to_string(),
        external_id: None,
        thread_key: Some(thread_key.to_string()),
        replies_to: Vec::new(),
        automation: None,
        call: None,
        attachments: Vec::new(),
        raw_span: None,
        notes: Vec::new(),
    };
    let key = format!(
        "alert-test:{thread_key}:{body}:{}",
        now.timestamp_nanos_opt().unwrap_or(0)
    );
    let raw = writer
        .insert_raw_input(
            &key,
            "alerts-test",
            None,
            Some("chat"),
            body.as_bytes(),
            now,
        )
        .expect("store the raw input");
    writer
        .insert_message(conversation, &message, &format!("chat:{key}"), raw, now)
        .expect("store the message");
    writer.commit().expect("commit");
    conversation
}

/// True when the workbench state file shows `conversation` in a pane.
fn pane_shows(state_file: &Path, conversation: i64) -> bool {
    let Ok(text) = std::fs::read_to_string(state_file) else {
        return false;
    };
    text.contains(&format!("\"conversation\": {conversation}"))
}

#[test]
fn desktop_alerts_reach_real_outputs() {
    if !binaries_installed("the desktop alert test") {
        return;
    }
    let desktop = Desktop::start();
    let home = desktop.home();
    let sound_file = desktop.folder.path().join("alsa-out.raw");
    write_asoundrc(&home, &sound_file);

    let data = tempfile::tempdir().expect("create a temporary folder");
    let db = data.path().join("kefu.db");
    let config = data.path().join("config");
    let plugins = data.path().join("plugins");
    std::fs::create_dir_all(&config).expect("create the configuration folder");
    std::fs::create_dir_all(&plugins).expect("create the plugins folder");
    std::fs::write(
        config.join("alerts.toml"),
        format!("group-window-seconds = {GROUP_WINDOW_SECONDS}\n"),
    )
    .expect("write alerts.toml");

    // The VIP customer exists before the app opens, so the app's first
    // alert is about a new message, not about what it found.
    let mut store = Store::open(&db).expect("open the database");
    let first = store_chat(&mut store, VIP_NAME, VIP_ADDRESS, "vip-1", "你好");
    let customer = {
        let writer = store.writer().expect("start a write transaction");
        let customer = writer
            .conversation_customer(first)
            .expect("read the customer");
        writer.commit().expect("commit");
        customer
    };
    store
        .set_customer_tier(customer.id, "vip")
        .expect("set the tier");

    let app_log = data.path().join("app.log");
    let app = desktop
        .enter(&mut Command::new(env!("CARGO_BIN_EXE_kefu")))
        .arg("--db")
        .arg(&db)
        .arg("--config")
        .arg(&config)
        .arg("--plugins")
        .arg(&plugins)
        .env("KEFU_AGENT", "tester")
        .env("KEFU_LOG", "info,kefu_ui=debug")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&app_log).expect("create app.log"))
        .spawn()
        .expect("start kefu");
    let app = Running(app);
    let log = || std::fs::read_to_string(&app_log).unwrap_or_default();
    let started = wait_for(Duration::from_secs(180), || {
        log().contains("alerts started").then_some(())
    });
    assert!(
        started.is_some(),
        "the app did not start its alerts:\n{}",
        log()
    );

    // A VIP customer writes: one desktop notification with the customer's
    // name and message, and the alert sound.
    store_chat(
        &mut store,
        VIP_NAME,
        VIP_ADDRESS,
        "vip-1",
        "我要退款，订单 8812",
    );
    // The app compiles its plugins meanwhile, which on a loaded two-core
    // machine takes 20 seconds or more and delays the first poll.
    let shown = wait_for(Duration::from_secs(90), || {
        (desktop.counts() == (1, 0)).then_some(())
    });
    assert!(
        shown.is_some(),
        "no notification shown; counts {:?}\n{}",
        desktop.counts(),
        log()
    );
    let sound = wait_for(Duration::from_secs(20), || {
        (nonzero_bytes(&sound_file) > 1000).then_some(())
    });
    assert!(
        sound.is_some(),
        "the ALSA file device recorded no sound ({} non-zero bytes)\n{}",
        nonzero_bytes(&sound_file),
        log()
    );
    desktop
        .dunstctl(&["close-all"])
        .expect("close the notification");
    let history = desktop.history();
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0].0, format!("Important message from {VIP_NAME}"));
    assert_eq!(history[0].1, format!("{VIP_NAME}: 我要退款，订单 8812"));
    let monitor = std::fs::read_to_string(desktop.monitor_log()).expect("read monitor.log");
    assert!(monitor.contains("string \"Kefu\""), "{monitor}");
    assert!(
        monitor.contains(&format!("string \"Important message from {VIP_NAME}\"")),
        "{monitor}"
    );

    // A burst of 50 messages, each in its own commit over about a second,
    // after the VIP alert's group window: one more notification, updated
    // in place to count the whole burst.
    std::thread::sleep(Duration::from_secs(GROUP_WINDOW_SECONDS + 1));
    let calls_before = desktop.notify_calls().len();
    let mut burst = 0;
    for n in 1..=50 {
        burst = store_chat(
            &mut store,
            VIP_NAME,
            VIP_ADDRESS,
            "vip-2",
            &format!("第 {n} 条"),
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let expected_summary = "50 important messages from 1 customer".to_string();
    let settled = wait_for(Duration::from_secs(30), || {
        log()
            .contains(&format!("alert: {expected_summary}"))
            .then_some(())
    });
    assert!(
        settled.is_some(),
        "the burst was not counted as one alert:\n{}",
        log()
    );
    // Let the notification thread deliver the update.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(desktop.counts(), (1, 1), "the burst shows one notification");
    let calls = desktop.notify_calls();
    let burst_calls = &calls[calls_before..];
    assert!(!burst_calls.is_empty(), "no Notify call for the burst");
    assert!(
        burst_calls[0].contains("uint32 0\n"),
        "the burst's first notification replaces none: {}",
        burst_calls[0]
    );
    for update in &burst_calls[1..] {
        assert!(
            !update.contains("uint32 0\n"),
            "an update must replace the burst's notification: {update}"
        );
    }
    let last = burst_calls.last().expect("a Notify call");
    assert!(
        last.contains(&format!("string \"{expected_summary}\"")),
        "{last}"
    );
    assert!(
        last.contains(&format!("string \"{VIP_NAME} (50): 第 50 条")),
        "{last}"
    );

    // Clicking the notification opens its conversation in the app, which
    // saves its panes to the state file.
    desktop
        .dunstctl(&["action", "0"])
        .expect("click the notification");
    let state_file = data.path().join("kefu.db.workbench.json");
    let opened = wait_for(Duration::from_secs(20), || {
        pane_shows(&state_file, burst).then_some(())
    });
    assert!(
        opened.is_some(),
        "the click did not open conversation {burst}: {}\n{}",
        std::fs::read_to_string(&state_file).unwrap_or_default(),
        log()
    );
    let monitor = std::fs::read_to_string(desktop.monitor_log()).expect("read monitor.log");
    assert!(monitor.contains("member=ActionInvoked"), "{monitor}");
    drop(app);
}
