//! The workbench on a database filled by a real import of the sample
//! inputs in tests/fixtures through the built-in plugins.

use std::path::Path;

use kefu_core::Store;
use kefu_core::ingest::{Ingestor, NoProgress};
use kefu_core::lifecycle::Lifecycle;
use kefu_core::plugin::PluginSet;
use kefu_ui::{Message, View, Workbench};

use super::{click, has_text, row_shows};

fn imported_workbench() -> (tempfile::TempDir, Workbench) {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    let mut store = Store::open(&folder.path().join("kefu.db")).expect("open the database");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let paths: Vec<_> = ["email", "chat", "phone"]
        .iter()
        .map(|folder| fixtures.join(folder))
        .collect();
    let mut plugins = PluginSet::builtin().expect("load the built-in plugins");
    let summary = Ingestor::new(&mut store, &mut plugins)
        .ingest_paths(&paths, &mut NoProgress)
        .expect("import the samples");
    assert!(summary.tickets_opened > 0);
    (folder, Workbench::load(store))
}

#[test]
fn imported_chinese_conversation_is_listed() {
    let (folder, workbench) = imported_workbench();
    let store = Store::open(&folder.path().join("kefu.db")).unwrap();
    let conversation = store
        .conversations()
        .unwrap()
        .into_iter()
        .find(|conversation| conversation.subject.as_deref() == Some("養樂多線上訂購"))
        .expect("the Big5 sample is stored");
    let row = kefu_ui::conversation_row_id(conversation.id);
    assert!(row_shows(&workbench, row.clone(), "養樂多線上訂購"));
    assert!(row_shows(&workbench, row, "養樂多"));
}

#[test]
fn imported_tickets_are_listed() {
    let (folder, workbench) = imported_workbench();
    let store = Store::open(&folder.path().join("kefu.db")).unwrap();
    let newest = store.tickets().unwrap().into_iter().next().unwrap();
    let row = kefu_ui::ticket_row_id(newest.id);
    assert!(row_shows(
        &workbench,
        row.clone(),
        &format!("#{}", newest.id)
    ));
    // The row shows the built-in lifecycle's English labels for the ids.
    let lifecycle = Lifecycle::builtin();
    let ticket_type = lifecycle
        .types()
        .iter()
        .find(|term| term.id == newest.ticket_type)
        .expect("the ticket type is in the built-in lifecycle");
    let priority = lifecycle
        .priority(&newest.priority)
        .expect("the priority is in the built-in lifecycle");
    assert!(row_shows(&workbench, row.clone(), &ticket_type.en));
    assert!(row_shows(&workbench, row, &priority.en));
}

#[test]
fn clicking_imported_conversation_shows_its_message() {
    let (folder, mut workbench) = imported_workbench();
    let store = Store::open(&folder.path().join("kefu.db")).unwrap();
    // The newest conversation is the top row, visible without scrolling.
    let conversation = store.conversations().unwrap().into_iter().next().unwrap();
    let message = store.messages(conversation.id).unwrap().pop().unwrap();
    assert!(!has_text(&workbench, &message.body_text));
    click(
        &mut workbench,
        iced_test::selector::id(kefu_ui::conversation_row_id(conversation.id)),
    );
    assert_eq!(workbench.selected_conversation(), Some(conversation.id));
    assert!(
        has_text(&workbench, &message.body_text),
        "{}",
        message.body_text
    );
}

/// True when the conversation list shows the row of `conversation_id`.
fn lists(workbench: &Workbench, conversation_id: i64) -> bool {
    super::simulator(workbench)
        .find(iced_test::selector::id(kefu_ui::conversation_row_id(
            conversation_id,
        )))
        .is_ok()
}

#[test]
fn views_count_and_filter_conversations() {
    let (folder, mut workbench) = imported_workbench();
    workbench.set_agent("lin");
    let mut store = Store::open(&folder.path().join("kefu.db")).unwrap();
    let conversations = store.conversations().unwrap();
    let tickets = store.tickets().unwrap();
    let customer_of = |conversation_id: i64| {
        conversations
            .iter()
            .find(|conversation| conversation.id == conversation_id)
            .map(|conversation| conversation.customer_id)
            .unwrap()
    };
    let mine = [&tickets[0], &tickets[1]];
    let writer = store.writer().unwrap();
    let by = kefu_core::todo::ChangeBy {
        actor: "agent:lin",
        reason: "test",
        at: chrono::Utc::now(),
    };
    kefu_core::todo::apply_bulk_changes(
        &writer,
        &[mine[0].id, mine[1].id],
        &kefu_core::todo::BulkChange::Assign("lin".to_string()),
        &by,
    )
    .unwrap();
    writer.commit().unwrap();
    let vip_customer = customer_of(tickets[2].conversation_id);
    store.set_customer_tier(vip_customer, "vip").unwrap();
    let vip_tickets = tickets
        .iter()
        .filter(|ticket| customer_of(ticket.conversation_id) == vip_customer)
        .count() as u64;
    let unanswered = conversations
        .iter()
        .filter(|conversation| conversation.unanswered)
        .count() as u64;

    let _task = workbench.update(Message::RefreshPressed);

    let count = |view: View| {
        workbench
            .views()
            .iter()
            .find(|count| count.view == view)
            .map(|count| count.count)
    };
    assert_eq!(count(View::All), Some(conversations.len() as u64));
    assert_eq!(count(View::Unanswered), Some(unanswered));
    assert_eq!(count(View::Mine), Some(2));
    assert_eq!(count(View::Vip), Some(vip_tickets));
    assert!(count(View::DueSoon).is_some());

    let mine_position = workbench
        .views()
        .iter()
        .position(|count| count.view == View::Mine)
        .unwrap();
    click(
        &mut workbench,
        iced_test::selector::id(kefu_ui::conversation_view_id(mine_position)),
    );
    assert_eq!(workbench.list_view(), &View::Mine);
    assert!(lists(&workbench, mine[0].conversation_id));
    assert!(lists(&workbench, mine[1].conversation_id));
    let other = conversations
        .iter()
        .find(|conversation| {
            conversation.id != mine[0].conversation_id && conversation.id != mine[1].conversation_id
        })
        .unwrap();
    assert!(!lists(&workbench, other.id));
}
