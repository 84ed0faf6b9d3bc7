//! The workbench on a real SQLite database, driven headlessly with
//! `iced_test`. `ICED_TEST_BACKEND=tiny-skia` selects the software renderer
//! at once; without it `iced_test` tries wgpu first. `iced_test` does not
//! run the `Task`s that `update` returns, so these tests check state and
//! view, not scrolling.

mod alerts;
mod customers;
mod desk;
mod export;
mod first_run;
mod imported;
mod live;
mod long_lists;
mod panes;
mod phrases;
mod plugins;
mod reports;
mod seed;
mod settings;
mod shortcuts;
mod todo;
mod unlock;
mod views;

use std::path::{Path, PathBuf};

use chrono::{Local, Utc};
use iced::Rectangle;
use iced::widget::Id;
use iced_test::selector::{self, Candidate};
use iced_test::{Selector, Simulator};
use kefu_core::Store;
use kefu_core::model::{Channel, Direction, Party};
use kefu_ui::{Message, Workbench};
use tempfile::TempDir;

use seed::Sample;

/// Size of the simulated window, the default size of the real one.
const WINDOW_SIZE: (f32, f32) = (1280.0, 800.0);

const EMPTY_DATABASE: &str =
    "No conversations yet. Import mail, chat or call logs with: kefu ingest PATH";
const NO_SELECTION: &str = "Select a conversation to read its messages.";

/// A database in a temporary folder, filled with the sample.
struct Fixture {
    _folder: TempDir,
    path: PathBuf,
    sample: Sample,
}

impl Fixture {
    fn new() -> (Self, Workbench) {
        let folder = tempfile::tempdir().expect("create a temporary folder");
        let path = folder.path().join("kefu.db");
        let mut store = Store::open(&path).expect("open the test database");
        let sample = seed::seed_sample(&mut store).expect("store the sample");
        let workbench = Workbench::load(store);
        assert_eq!(workbench.error(), None);
        let fixture = Self {
            _folder: folder,
            path,
            sample,
        };
        (fixture, workbench)
    }

    /// Opens a second connection, as `kefu ingest` does while the window is open.
    fn other_connection(&self) -> Store {
        Store::open(&self.path).expect("open a second connection")
    }
}

fn simulator(workbench: &Workbench) -> Simulator<'_, Message> {
    Simulator::with_size(kefu_ui::settings(), WINDOW_SIZE, workbench.view())
}

/// Clicks the widget that `target` selects and feeds the resulting
/// messages to `update`, as the runtime does.
fn click<S>(workbench: &mut Workbench, target: S)
where
    S: Selector + Send,
    S::Output: iced_test::selector::Bounded + Clone + Send + Sync + 'static,
{
    let description = target.description();
    let messages: Vec<Message> = {
        let mut ui = simulator(workbench);
        if let Err(error) = ui.click(target) {
            panic!("clicking {description} failed: {error}");
        }
        ui.into_messages().collect()
    };
    assert!(
        !messages.is_empty(),
        "clicking {description} produced no message"
    );
    for message in messages {
        let _task = workbench.update(message);
    }
}

fn has_text(workbench: &Workbench, content: &str) -> bool {
    simulator(workbench).find(content).is_ok()
}

/// Visible bounds of every text widget whose content is `content`.
fn text_bounds(workbench: &Workbench, content: &str) -> Vec<Rectangle> {
    let mut found = Vec::new();
    // The selector never reports a match, so `find` visits every widget and
    // returns "not found" while the bounds collect in `found`.
    let _ = simulator(workbench).find(|candidate: Candidate<'_>| {
        if let Candidate::Text {
            content: text,
            visible_bounds: Some(bounds),
            ..
        } = candidate
            && text == content
        {
            found.push(bounds);
        }
        None::<()>
    });
    found
}

/// Visible bounds of the container with widget id `id`.
fn row_bounds(workbench: &Workbench, id: Id) -> Rectangle {
    let target = simulator(workbench)
        .find(selector::id(id.clone()))
        .unwrap_or_else(|error| panic!("row {id:?} not found: {error}"));
    target
        .visible_bounds()
        .unwrap_or_else(|| panic!("row {id:?} is not visible"))
}

/// True when a text widget reading `content` lies inside the row `id`.
fn row_shows(workbench: &Workbench, id: Id, content: &str) -> bool {
    let row = row_bounds(workbench, id);
    text_bounds(workbench, content)
        .iter()
        .any(|bounds| row.contains(bounds.center()))
}

fn local_minute(time: &str) -> String {
    seed::time(time)
        .with_timezone(&Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[test]
fn conversation_list_shows_customers_and_subjects() {
    let (fixture, workbench) = Fixture::new();
    let sample = fixture.sample;
    let rows = [
        (
            sample.refund,
            seed::REFUND_CUSTOMER,
            seed::REFUND_SUBJECT,
            "Email",
        ),
        (
            sample.pricing,
            seed::PRICING_CUSTOMER,
            seed::PRICING_SUBJECT,
            "Chat",
        ),
        (
            sample.shipping,
            seed::SHIPPING_CUSTOMER,
            seed::SHIPPING_SUBJECT,
            "Email",
        ),
        // No name and no subject: the number and the first line stand in.
        (sample.call, seed::CALLER_LABEL, seed::CALL_BODY, "Phone"),
    ];

    for (conversation, customer, title, channel) in rows {
        let id = kefu_ui::conversation_row_id(conversation);
        assert!(
            row_shows(&workbench, id.clone(), customer),
            "row {conversation} lacks {customer:?}"
        );
        assert!(
            row_shows(&workbench, id.clone(), title),
            "row {conversation} lacks {title:?}"
        );
        assert!(
            row_shows(&workbench, id, channel),
            "row {conversation} lacks {channel:?}"
        );
    }
}

#[test]
fn conversation_list_shows_local_date() {
    let (fixture, workbench) = Fixture::new();
    // The sample is from 2024, so the list shows the full local date.
    let last_message = seed::time("2024-03-11T03:40:00Z").with_timezone(&Local);
    let date = last_message.format("%Y-%m-%d").to_string();

    let row = kefu_ui::conversation_row_id(fixture.sample.refund);
    assert!(
        row_shows(&workbench, row, &date),
        "refund row lacks {date:?}"
    );
}

#[test]
fn unanswered_mark_only_on_waiting_conversations() {
    let (fixture, workbench) = Fixture::new();
    let sample = fixture.sample;
    // The core counts a conversation as unanswered when its latest message
    // is an inbound one written by a person. A phone call someone took does
    // not count.
    let waiting = [sample.refund];
    let answered = [sample.pricing, sample.shipping, sample.call];

    let marks = text_bounds(&workbench, "Unanswered");
    assert_eq!(
        marks.len(),
        waiting.len(),
        "unexpected unanswered marks {marks:?}"
    );
    for conversation in waiting {
        let row = kefu_ui::conversation_row_id(conversation);
        assert!(
            row_shows(&workbench, row, "Unanswered"),
            "row {conversation} lacks the mark"
        );
    }
    for conversation in answered {
        let row = kefu_ui::conversation_row_id(conversation);
        assert!(
            !row_shows(&workbench, row, "Unanswered"),
            "row {conversation} has the mark"
        );
    }
    assert!(has_text(
        &workbench,
        "4 conversations, 1 unanswered, 3 tickets"
    ));
}

#[test]
fn no_conversation_selected_at_start() {
    let (_fixture, workbench) = Fixture::new();

    assert_eq!(workbench.selected_conversation(), None);
    assert!(has_text(&workbench, NO_SELECTION));
    assert!(!has_text(&workbench, seed::REFUND_FIRST_BODY));
}

#[test]
fn clicking_conversation_shows_its_messages() {
    let (fixture, mut workbench) = Fixture::new();

    click(
        &mut workbench,
        selector::id(kefu_ui::conversation_row_id(fixture.sample.refund)),
    );

    assert_eq!(
        workbench.selected_conversation(),
        Some(fixture.sample.refund)
    );
    assert!(!has_text(&workbench, NO_SELECTION));
    assert!(has_text(&workbench, seed::REFUND_FIRST_BODY));
    assert!(has_text(&workbench, seed::REFUND_REPLY_BODY));
    assert!(has_text(&workbench, seed::REFUND_LAST_BODY));
    assert!(has_text(&workbench, "3 messages"));
    let sender = format!("{} <{}>", seed::REFUND_CUSTOMER, seed::REFUND_ADDRESS);
    assert!(has_text(&workbench, &sender), "sender {sender:?} missing");
    assert!(has_text(&workbench, "客服小李 <support@kefu.example>"));
    assert!(has_text(&workbench, "Outbound"));
    let sent_at = local_minute(seed::REFUND_FIRST_AT);
    assert!(
        has_text(&workbench, &sent_at),
        "local time {sent_at:?} missing"
    );
    assert!(has_text(
        &workbench,
        &format!("Re: {}", seed::REFUND_SUBJECT)
    ));
    assert!(has_text(&workbench, "发票.pdf (47.1 KiB)"));
    assert!(has_text(
        &workbench,
        &format!("Note: {}", seed::REFUND_NOTE)
    ));
    // The other conversations' messages stay hidden.
    assert!(!has_text(&workbench, seed::PRICING_BODY));
}

#[test]
fn long_sender_address_wraps_in_card() {
    let (fixture, _) = Fixture::new();
    // A bounce address of the SRS kind: one word far wider than the card,
    // with no hyphen or slash where a line may break.
    let address = "SRS0=k3j4h5=2Q=example.com=customer_service_notifications_\
                   20261204T100000Z_0123456789abcdef@mail.delivery.subsystem.example.com";
    let sender = Party {
        name: None,
        address: address.to_string(),
    };
    let mut store = fixture.other_connection();
    let writer = store.writer().expect("start a write transaction");
    let message = seed::message(
        Channel::Email,
        Direction::Inbound,
        &sender,
        &sender,
        "2024-03-11T01:00:00Z",
        "Delivery report",
    );
    seed::store_message(&writer, fixture.sample.refund, &message).expect("store the message");
    writer.commit().expect("commit");
    let mut workbench = Workbench::load(store);

    click(
        &mut workbench,
        selector::id(kefu_ui::conversation_row_id(fixture.sample.refund)),
    );

    let short = format!("{} <{}>", seed::REFUND_CUSTOMER, seed::REFUND_ADDRESS);
    let one_line = text_bounds(&workbench, &short)[0].height;
    let long = text_bounds(&workbench, address);
    assert_eq!(long.len(), 1, "the long sender is shown once");
    assert!(
        long[0].height > 1.5 * one_line,
        "the long sender takes {} px, one line {one_line} px: it did not wrap",
        long[0].height
    );
    let time = text_bounds(&workbench, &local_minute("2024-03-11T01:00:00Z"));
    assert!(
        time.iter().all(|time| !time.intersects(&long[0])),
        "the sender overlaps its time"
    );
}

#[test]
fn bounce_shows_marker_with_evidence() {
    let (fixture, mut workbench) = Fixture::new();

    click(
        &mut workbench,
        selector::id(kefu_ui::conversation_row_id(fixture.sample.shipping)),
    );

    let marker = format!("Bounce (detected by: {})", seed::BOUNCE_EVIDENCE);
    assert!(has_text(&workbench, &marker), "marker {marker:?} missing");
    assert!(has_text(&workbench, "Undelivered Mail Returned to Sender"));
    assert!(has_text(&workbench, "Hi, when will order 67890 ship?"));
}

#[test]
fn phone_call_shows_call_details() {
    let (fixture, mut workbench) = Fixture::new();

    click(
        &mut workbench,
        selector::id(kefu_ui::conversation_row_id(fixture.sample.call)),
    );

    let details = format!(
        "Call to {}, answered, disposition ANSWERED, duration 3:05, billed 3:00",
        seed::CALL_DESTINATION
    );
    assert!(
        has_text(&workbench, &details),
        "call details {details:?} missing"
    );
    assert!(has_text(&workbench, seed::CALL_BODY));
    assert!(has_text(&workbench, seed::CALLER_LABEL));
}

#[test]
fn ticket_list_shows_type_and_priority() {
    let (fixture, workbench) = Fixture::new();
    let sample = fixture.sample;
    for header in [
        "ID", "Type", "Priority", "Source", "Status", "Customer", "Subject",
    ] {
        assert!(has_text(&workbench, header), "header {header:?} missing");
    }
    let rows = [
        (
            sample.refund_ticket,
            "After-sales",
            "Urgent",
            "Email",
            seed::REFUND_CUSTOMER,
            seed::REFUND_SUBJECT,
        ),
        (
            sample.pricing_ticket,
            "Pre-sales",
            "Normal",
            "Chat",
            seed::PRICING_CUSTOMER,
            seed::PRICING_SUBJECT,
        ),
        (
            sample.call_ticket,
            "Complaint",
            "High",
            "Phone",
            seed::CALLER_LABEL,
            "(no subject)",
        ),
    ];

    for (ticket, ticket_type, priority, source, customer, subject) in rows {
        let number = format!("#{ticket}");
        let expected = [
            number.as_str(),
            ticket_type,
            priority,
            source,
            "Open",
            customer,
            subject,
        ];
        for value in expected {
            let id = kefu_ui::ticket_row_id(ticket);
            assert!(
                row_shows(&workbench, id, value),
                "ticket {ticket} row lacks {value:?}"
            );
        }
    }
}

#[test]
fn clicking_ticket_selects_its_conversation() {
    let (fixture, mut workbench) = Fixture::new();

    click(
        &mut workbench,
        selector::id(kefu_ui::ticket_row_id(fixture.sample.pricing_ticket)),
    );

    assert_eq!(
        workbench.selected_conversation(),
        Some(fixture.sample.pricing)
    );
    assert!(has_text(&workbench, seed::PRICING_BODY));
    assert!(has_text(
        &workbench,
        "企业版每年 3,600 元，10 个以上账号可享九折。"
    ));
}

#[test]
fn empty_database_shows_import_hint() {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    let workbench = Workbench::open(&folder.path().join("kefu.db"));

    assert_eq!(workbench.error(), None);
    assert!(has_text(&workbench, EMPTY_DATABASE));
    assert!(has_text(
        &workbench,
        "0 conversations, 0 unanswered, 0 tickets"
    ));
    assert!(!has_text(&workbench, "Conversations"));
}

#[test]
fn refresh_shows_new_conversation() {
    let (fixture, mut workbench) = Fixture::new();
    let customer = Party {
        name: Some("王芳".to_string()),
        address: "wangfang_2024".to_string(),
    };
    let mut store = fixture.other_connection();
    let writer = store.writer().expect("start a write transaction");
    let (stored, _) = writer
        .find_or_create_customer(
            Channel::Chat,
            &customer.address,
            customer.name.as_deref(),
            Utc::now(),
        )
        .expect("store the customer");
    let conversation = writer
        .create_conversation(Channel::Chat, stored.id, None, Some("物流查询"), Utc::now())
        .expect("store the conversation");
    let question_sent_at = Utc::now().to_rfc3339();
    let question = seed::message(
        Channel::Chat,
        Direction::Inbound,
        &customer,
        &customer,
        &question_sent_at,
        "快递到哪里了？",
    );
    seed::store_message(&writer, conversation, &question).expect("store the message");
    writer.commit().expect("commit");
    assert!(!has_text(&workbench, "物流查询"));

    click(&mut workbench, "Refresh");

    assert!(row_shows(
        &workbench,
        kefu_ui::conversation_row_id(conversation),
        "物流查询"
    ));
    assert!(row_shows(
        &workbench,
        kefu_ui::conversation_row_id(conversation),
        "王芳"
    ));
    assert!(has_text(
        &workbench,
        "5 conversations, 2 unanswered, 3 tickets"
    ));
}

#[test]
fn reload_keeps_selected_conversation() {
    let (fixture, mut workbench) = Fixture::new();
    click(
        &mut workbench,
        selector::id(kefu_ui::conversation_row_id(fixture.sample.pricing)),
    );
    let customer = Party {
        name: Some(seed::PRICING_CUSTOMER.to_string()),
        address: "wx_lina88".to_string(),
    };
    let mut store = fixture.other_connection();
    let writer = store.writer().expect("start a write transaction");
    let follow_up = seed::message(
        Channel::Chat,
        Direction::Inbound,
        &customer,
        &customer,
        "2024-03-12T02:40:00Z",
        "好的，我买 12 个账号。",
    );
    seed::store_message(&writer, fixture.sample.pricing, &follow_up).expect("store the message");
    writer.commit().expect("commit");

    let _task = workbench.update(Message::ReloadTimer);

    assert_eq!(
        workbench.selected_conversation(),
        Some(fixture.sample.pricing)
    );
    assert!(has_text(&workbench, "好的，我买 12 个账号。"));
    assert!(has_text(&workbench, "3 messages"));
}

#[test]
fn unopenable_database_shows_error_line() {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    // A folder where the database file should be.
    let path = folder.path().join("kefu.db");
    std::fs::create_dir(&path).expect("create the folder");

    let workbench = Workbench::open(&path);

    let error = workbench
        .error()
        .expect("an error for a folder in place of the database");
    assert!(
        error.starts_with("Could not open the database"),
        "unexpected error {error:?}"
    );
    assert!(
        error.contains(&path.display().to_string()),
        "error {error:?} lacks the path"
    );
    assert!(has_text(&workbench, &error));
    assert!(!has_text(&workbench, EMPTY_DATABASE));
}

#[test]
fn invalid_stored_value_shows_error_line() {
    let (fixture, mut workbench) = Fixture::new();
    set_ticket_created_at(&fixture.path, fixture.sample.refund_ticket, "yesterday");

    let _task = workbench.update(Message::RefreshPressed);

    let error = workbench
        .error()
        .expect("an error for an invalid ticket time")
        .to_string();
    assert!(
        error.starts_with("Could not read the database"),
        "unexpected error {error:?}"
    );
    assert!(has_text(&workbench, &error));
    // The panes keep the last good read.
    assert!(has_text(&workbench, seed::REFUND_SUBJECT));

    set_ticket_created_at(
        &fixture.path,
        fixture.sample.refund_ticket,
        "2024-03-12T07:00:00Z",
    );
    let _task = workbench.update(Message::RefreshPressed);

    assert_eq!(workbench.error(), None);
    assert!(!has_text(&workbench, &error));
}

/// Writes `value` into a ticket's creation time, bypassing the core, to
/// stand in for a damaged or foreign-written row.
fn set_ticket_created_at(path: &Path, ticket_id: i64, value: &str) {
    let connection = rusqlite::Connection::open(path).expect("open the database directly");
    let changed = connection
        .execute(
            "UPDATE tickets SET created_at = ?2 WHERE id = ?1",
            rusqlite::params![ticket_id, value],
        )
        .expect("update the ticket");
    assert_eq!(changed, 1);
}
