//! The conversation and ticket lists on a desk of thousands of
//! conversations and tickets: only the rows in view and a margin are
//! built, and moving the selection to a conversation far down brings its
//! row into view.

use std::collections::HashSet;

use chrono::{Duration, SecondsFormat};
use iced::widget::Id;
use iced_test::selector::{self, Candidate};
use kefu_core::Store;
use kefu_core::model::{Channel, Direction, Party};
use kefu_core::store::NewTicket;
use kefu_ui::{
    CONVERSATION_OVERSCAN, CONVERSATION_ROW_HEIGHT, Message, TICKET_OVERSCAN, TICKET_ROW_HEIGHT,
    Workbench,
};
use tempfile::TempDir;

use super::shortcuts::press_command;
use super::{row_bounds, row_shows, seed, simulator};

/// Conversations added below the sample.
const ADDED: usize = 3_000;

/// Position among the added conversations of the only one waiting for a
/// reply.
const WAITING: usize = 2_500;

/// A database with the sample and [`ADDED`] older chat conversations, each
/// with a ticket.
struct LongDesk {
    _folder: TempDir,
    /// Ids of the added conversations, newest first as the list shows them.
    added: Vec<i64>,
    /// Ids of the added tickets, highest id first as the list shows them.
    added_tickets: Vec<i64>,
    /// Ids of every conversation in list order, as the store reads them.
    listed: Vec<i64>,
}

impl LongDesk {
    fn new() -> (Self, Workbench) {
        let folder = tempfile::tempdir().expect("create a temporary folder");
        let path = folder.path().join("kefu.db");
        let mut store = Store::open(&path).expect("open the test database");
        seed::seed_sample(&mut store).expect("store the sample");
        let (added, mut added_tickets) = add_conversations(&mut store);
        added_tickets.reverse();
        let listed = store
            .conversations()
            .expect("read the conversations")
            .iter()
            .map(|conversation| conversation.id)
            .collect();
        let mut workbench = Workbench::load(store);
        assert_eq!(workbench.error(), None);
        redraw(&mut workbench);
        let desk = Self {
            _folder: folder,
            added,
            added_tickets,
            listed,
        };
        (desk, workbench)
    }

    /// Returns the widget ids of every conversation's row.
    fn conversation_rows(&self) -> Vec<Id> {
        self.listed
            .iter()
            .map(|&id| kefu_ui::conversation_row_id(id))
            .collect()
    }

    /// Returns the position of a conversation in the list.
    fn position(&self, conversation_id: i64) -> usize {
        self.listed
            .iter()
            .position(|&id| id == conversation_id)
            .expect("the conversation is listed")
    }
}

/// Stores [`ADDED`] chat conversations with a ticket each, each a minute
/// older than the one before and all older than the sample. Only the one
/// at [`WAITING`] has a message, an inbound one, so it is the only added
/// one waiting for a reply. Returns the ids of the conversations and of
/// the tickets.
fn add_conversations(store: &mut Store) -> (Vec<i64>, Vec<i64>) {
    let start = seed::time("2024-01-01T00:00:00Z");
    let writer = store.writer().expect("start a write transaction");
    let mut ids = Vec::new();
    let mut tickets = Vec::new();
    for number in 0..ADDED {
        let at = start - Duration::minutes(number as i64);
        let customer = Party {
            name: Some(format!("客户 {number}")),
            address: format!("chat-{number}"),
        };
        let (stored, _) = writer
            .find_or_create_customer(
                Channel::Chat,
                &customer.address,
                customer.name.as_deref(),
                at,
            )
            .expect("store the customer");
        let subject = format!("咨询 {number}");
        let conversation = writer
            .create_conversation(Channel::Chat, stored.id, None, Some(&subject), at)
            .expect("store the conversation");
        if number == WAITING {
            let sent_at = at.to_rfc3339_opts(SecondsFormat::Secs, true);
            let message = seed::message(
                Channel::Chat,
                Direction::Inbound,
                &customer,
                &customer,
                &sent_at,
                "还在吗？",
            );
            seed::store_message(&writer, conversation, &message).expect("store the message");
        }
        let ticket = NewTicket {
            conversation_id: conversation,
            subject: Some(&subject),
            ticket_type: "pre-sales",
            priority: "normal",
            source: Channel::Chat,
            actor: "agent:sample",
            reason: "test data",
        };
        tickets.push(writer.open_ticket(&ticket, at).expect("open the ticket"));
        ids.push(conversation);
    }
    writer.commit().expect("commit");
    (ids, tickets)
}

/// Sends the view a redraw, as the runtime does for each frame, and feeds
/// the messages to `update`. On the first redraw each list's scrollable
/// reports the real height of its view.
fn redraw(workbench: &mut Workbench) {
    let messages: Vec<Message> = {
        let mut ui = simulator(workbench);
        let _ = ui.simulate([iced::Event::Window(iced::window::Event::RedrawRequested(
            iced::time::Instant::now(),
        ))]);
        ui.into_messages().collect()
    };
    assert!(!messages.is_empty(), "the redraw produced no message");
    for message in messages {
        let _task = workbench.update(message);
    }
}

/// Counts the containers in the view, in sight or not, whose widget id is
/// one of `ids`.
fn built_rows(workbench: &Workbench, ids: impl IntoIterator<Item = Id>) -> usize {
    let ids: HashSet<Id> = ids.into_iter().collect();
    let mut count = 0;
    // The selector never reports a match, so `find` visits every widget.
    let _ = simulator(workbench).find(|candidate: Candidate<'_>| {
        if let Candidate::Container { id: Some(id), .. } = candidate
            && ids.contains(id)
        {
            count += 1;
        }
        None::<()>
    });
    count
}

fn is_built(workbench: &Workbench, id: Id) -> bool {
    simulator(workbench).find(selector::id(id)).is_ok()
}

#[test]
fn conversation_list_builds_screenful() {
    let (desk, workbench) = LongDesk::new();
    let first = desk.added[0];
    let last = *desk.added.last().expect("added conversations");

    let visible = workbench.conversation_list_visible_range();
    assert_eq!(visible.start, 0);
    let built = built_rows(&workbench, desk.conversation_rows());
    assert!(built >= visible.len(), "{built} rows built for {visible:?}");
    assert!(
        built <= visible.len() + CONVERSATION_OVERSCAN,
        "{built} rows built for {visible:?}"
    );
    assert!(!is_built(&workbench, kefu_ui::conversation_row_id(last)));

    // The visible range is the list's real height, the rows in sight.
    let list = row_bounds(&workbench, kefu_ui::conversation_list_id());
    assert!(
        list.height <= visible.len() as f32 * CONVERSATION_ROW_HEIGHT,
        "a list of {} pixels shows more than {visible:?}",
        list.height
    );
    assert!(
        visible.len() as f32 <= list.height / CONVERSATION_ROW_HEIGHT + 2.0,
        "a list of {} pixels shows less than {visible:?}",
        list.height
    );

    // Every row has the fixed height, so the empty spaces stay true.
    let top = row_bounds(&workbench, kefu_ui::conversation_row_id(desk.added[0]));
    let next = row_bounds(&workbench, kefu_ui::conversation_row_id(desk.added[1]));
    assert_eq!(top.height, CONVERSATION_ROW_HEIGHT);
    assert_eq!(next.y - top.y, CONVERSATION_ROW_HEIGHT);
    assert!(row_shows(
        &workbench,
        kefu_ui::conversation_row_id(first),
        "客户 0"
    ));
    assert!(row_shows(
        &workbench,
        kefu_ui::conversation_row_id(first),
        "咨询 0"
    ));
}

#[test]
fn scroll_wheel_builds_rows_further_down() {
    let (desk, mut workbench) = LongDesk::new();
    let beyond = desk.added[100];
    assert!(!is_built(&workbench, kefu_ui::conversation_row_id(beyond)));

    scroll_down(
        &mut workbench,
        kefu_ui::conversation_list_id(),
        100.0 * CONVERSATION_ROW_HEIGHT,
    );

    assert!(workbench.conversation_list_visible_range().start >= 100);
    assert!(is_built(&workbench, kefu_ui::conversation_row_id(beyond)));
    assert!(!is_built(
        &workbench,
        kefu_ui::conversation_row_id(desk.added[0])
    ));
    let built = built_rows(&workbench, desk.conversation_rows());
    let visible = workbench.conversation_list_visible_range();
    assert!(
        built <= visible.len() + 2 * CONVERSATION_OVERSCAN,
        "{built} rows built for {visible:?}"
    );
}

#[test]
fn next_unanswered_scrolls_row_into_view() {
    let (desk, mut workbench) = LongDesk::new();
    let waiting = desk.added[WAITING];
    let row = kefu_ui::conversation_row_id(waiting);
    assert!(!is_built(&workbench, row.clone()));

    // The sample's waiting conversations come first in the list, so a few
    // presses reach the one far down.
    for _ in 0..10 {
        press_command(&mut workbench, "n");
        if workbench.selected_conversation() == Some(waiting) {
            break;
        }
    }
    assert_eq!(workbench.selected_conversation(), Some(waiting));

    let position = desk.position(waiting);
    let visible = workbench.conversation_list_visible_range();
    assert!(
        visible.contains(&position),
        "row {position} is outside {visible:?}"
    );
    assert!(is_built(&workbench, row));
    assert!(!is_built(
        &workbench,
        kefu_ui::conversation_row_id(desk.added[0])
    ));
}

#[test]
fn ticket_list_builds_rows_in_view() {
    let (desk, mut workbench) = LongDesk::new();
    let first = desk.added_tickets[0];
    let beyond = desk.added_tickets[200];
    let rows = || {
        desk.added_tickets
            .iter()
            .map(|&id| kefu_ui::ticket_row_id(id))
    };

    let visible = workbench.ticket_list_visible_range();
    assert_eq!(visible.start, 0);
    assert!(is_built(&workbench, kefu_ui::ticket_row_id(first)));
    assert!(!is_built(&workbench, kefu_ui::ticket_row_id(beyond)));
    let built = built_rows(&workbench, rows());
    assert!(
        built <= visible.len() + TICKET_OVERSCAN,
        "{built} rows built for {visible:?}"
    );
    let list = row_bounds(&workbench, kefu_ui::ticket_list_id());
    assert!(
        list.height <= visible.len() as f32 * TICKET_ROW_HEIGHT,
        "a list of {} pixels shows more than {visible:?}",
        list.height
    );
    assert!(
        visible.len() as f32 <= list.height / TICKET_ROW_HEIGHT + 2.0,
        "a list of {} pixels shows less than {visible:?}",
        list.height
    );
    let top = row_bounds(&workbench, kefu_ui::ticket_row_id(first));
    assert_eq!(top.height, TICKET_ROW_HEIGHT);
    // The newest ticket is that of the last conversation added.
    assert!(row_shows(
        &workbench,
        kefu_ui::ticket_row_id(first),
        &format!("咨询 {}", ADDED - 1)
    ));

    scroll_down(
        &mut workbench,
        kefu_ui::ticket_list_id(),
        200.0 * TICKET_ROW_HEIGHT,
    );

    assert!(workbench.ticket_list_visible_range().start >= 200);
    assert!(is_built(&workbench, kefu_ui::ticket_row_id(beyond)));
    assert!(!is_built(&workbench, kefu_ui::ticket_row_id(first)));
    let built = built_rows(&workbench, rows());
    let visible = workbench.ticket_list_visible_range();
    assert!(
        built <= visible.len() + 2 * TICKET_OVERSCAN,
        "{built} rows built for {visible:?}"
    );
}

/// Turns the mouse wheel over the list with id `list` by `pixels` down and
/// feeds the resulting messages to `update`.
fn scroll_down(workbench: &mut Workbench, list: Id, pixels: f32) {
    let messages: Vec<Message> = {
        let mut ui = simulator(workbench);
        let found = ui.find(selector::id(list)).expect("the list");
        let bounds = found.visible_bounds().expect("the list is in view");
        ui.point_at(bounds.center());
        let _ = ui.simulate([iced::Event::Mouse(iced::mouse::Event::WheelScrolled {
            delta: iced::mouse::ScrollDelta::Pixels { x: 0.0, y: -pixels },
        })]);
        ui.into_messages().collect()
    };
    assert!(!messages.is_empty(), "the wheel produced no message");
    for message in messages {
        let _task = workbench.update(message);
    }
}
