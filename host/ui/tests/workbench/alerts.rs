//! Alert toasts: a message stored by another connection while the window
//! is open stacks a toast, which opens the conversation when clicked.

use chrono::{Duration, Utc};
use kefu_core::Store;
use kefu_core::model::{Channel, Direction, Party};
use kefu_ui::{Message, Workbench};

use super::{Fixture, click, has_text, seed};

/// Stores `count` chat messages from `name` in a new conversation through
/// `store`, in one transaction, and returns the conversation's id.
fn store_chat(store: &mut Store, address: &str, name: &str, bodies: &[&str]) -> i64 {
    let customer = Party {
        name: Some(name.to_string()),
        address: address.to_string(),
    };
    let writer = store.writer().expect("start a write transaction");
    let now = Utc::now();
    let (stored, _) = writer
        .find_or_create_customer(Channel::Chat, address, Some(name), now)
        .expect("store the customer");
    let conversation = writer
        .create_conversation(Channel::Chat, stored.id, Some(address), None, now)
        .expect("store the conversation");
    for (offset, body) in bodies.iter().enumerate() {
        let sent_at = (now + Duration::seconds(offset as i64)).to_rfc3339();
        let message = seed::message(
            Channel::Chat,
            Direction::Inbound,
            &customer,
            &customer,
            &sent_at,
            body,
        );
        seed::store_message(&writer, conversation, &message).expect("store the message");
    }
    writer.commit().expect("commit");
    conversation
}

#[test]
fn toast_opens_conversation() {
    let (fixture, mut workbench) = Fixture::new();
    assert!(workbench.toasts().is_empty(), "the sample raises no alert");
    let mut other = fixture.other_connection();
    let conversation = store_chat(&mut other, "wx_toast", "赵敏", &["请问发货了吗？"]);

    let _task = workbench.update(Message::ChangePoll);

    assert_eq!(workbench.toasts().len(), 1);
    assert!(has_text(&workbench, "New message from 赵敏"));
    assert!(has_text(&workbench, "赵敏: 请问发货了吗？"));
    assert_ne!(workbench.selected_conversation(), Some(conversation));

    click(&mut workbench, "New message from 赵敏");

    assert_eq!(workbench.selected_conversation(), Some(conversation));
    assert!(workbench.toasts().is_empty(), "an opened toast closes");
    assert!(!has_text(&workbench, "New message from 赵敏"));
}

#[test]
fn toast_close_button_dismisses() {
    let (fixture, mut workbench) = Fixture::new();
    let mut other = fixture.other_connection();
    store_chat(&mut other, "wx_close", "钱多多", &["在吗"]);
    let _task = workbench.update(Message::ChangePoll);
    assert_eq!(workbench.toasts().len(), 1);
    let selected = workbench.selected_conversation();

    click(&mut workbench, "×");

    assert!(workbench.toasts().is_empty());
    assert_eq!(workbench.selected_conversation(), selected);
}

#[test]
fn burst_stacks_one_toast() {
    let (fixture, mut workbench) = Fixture::new();
    let mut other = fixture.other_connection();
    let bodies: Vec<String> = (1..=50).map(|n| format!("第 {n} 条消息")).collect();
    let bodies: Vec<&str> = bodies.iter().map(String::as_str).collect();
    store_chat(&mut other, "wx_burst", "孙悟空", &bodies);

    let _task = workbench.update(Message::ChangePoll);
    let _task = workbench.update(Message::ChangePoll);
    let _task = workbench.update(Message::ReloadTimer);

    assert_eq!(workbench.toasts().len(), 1);
    assert!(has_text(&workbench, "50 new messages from 1 customer"));
    assert!(has_text(&workbench, "孙悟空 (50): 第 50 条消息"));
}

#[test]
fn message_before_window_opened_raises_nothing() {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    let path = folder.path().join("kefu.db");
    let mut store = Store::open(&path).expect("open the database");
    store_chat(&mut store, "wx_early", "周芷若", &["早上好"]);
    let mut workbench = Workbench::load(store);
    let _task = workbench.update(Message::ReloadTimer);
    assert!(workbench.toasts().is_empty());
}

#[test]
fn invalid_alerts_file_shows_line_and_runs() {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    std::fs::write(
        folder.path().join("alerts.toml"),
        "[quiet-hours]\nstart = \"22:00\"\nend = \"8 am\"\n",
    )
    .expect("write alerts.toml");
    let db = folder.path().join("kefu.db");
    let (mut workbench, _task) = Workbench::start(&db, None, Some(folder.path()));
    let errors = workbench.config_errors().join("\n");
    assert!(errors.contains("Invalid alert settings"), "{errors}");
    assert!(errors.contains("line 3"), "{errors}");
    assert!(errors.contains("quiet-hours.end = \"8 am\""), "{errors}");

    let mut other = Store::open(&db).expect("open a second connection");
    store_chat(&mut other, "wx_defaults", "黄蓉", &["你好"]);
    let _task = workbench.update(Message::ChangePoll);
    assert!(
        has_text(&workbench, "New message from 黄蓉"),
        "the built-in settings apply"
    );
}
