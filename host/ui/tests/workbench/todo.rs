//! The to-do screen on a real database: queue order, filters, selection,
//! bulk changes stored in the database and shown, a ticket's history, and
//! the virtualised list that builds only the rows in view.

use chrono::{DateTime, Utc};
use iced::keyboard::Modifiers;
use iced_test::selector;
use kefu_core::Store;
use kefu_core::model::Channel;
use kefu_core::store::NewTicket;
use kefu_ui::{Message, Screen, TodoMessage, Workbench, todo_ids};

use super::{Fixture, click, has_text, row_shows, seed, simulator};

/// Opens the to-do screen with the top bar's button.
fn open_todo(workbench: &mut Workbench) {
    click(workbench, "To-do (Ctrl+T)");
    assert_eq!(workbench.screen(), Screen::Todo);
    assert_eq!(workbench.error(), None);
}

/// Stores `count` email tickets of normal priority, one conversation and
/// customer each, created at `at`, and returns their ids.
fn add_tickets(path: &std::path::Path, count: usize, at: DateTime<Utc>) -> Vec<i64> {
    let mut store = Store::open(path).expect("open a second connection");
    let writer = store.writer().expect("start a write transaction");
    let mut ids = Vec::new();
    for number in 0..count {
        let address = format!("bulk{number}@example.cn");
        let (customer, _) = writer
            .find_or_create_customer(Channel::Email, &address, None, at)
            .expect("store the customer");
        let subject = format!("批量工单 {number}");
        let conversation = writer
            .create_conversation(Channel::Email, customer.id, None, Some(&subject), at)
            .expect("store the conversation");
        let ticket = NewTicket {
            conversation_id: conversation,
            subject: Some(&subject),
            ticket_type: "after-sales",
            priority: "normal",
            source: Channel::Email,
            actor: "agent:sample",
            reason: "test data",
        };
        ids.push(writer.open_ticket(&ticket, at).expect("open the ticket"));
    }
    writer.commit().expect("commit");
    ids
}

fn stored_status(fixture: &Fixture, ticket: i64) -> String {
    fixture
        .other_connection()
        .todo_row(ticket)
        .expect("read the ticket")
        .expect("the ticket exists")
        .status
}

/// True when the view contains the widget with `id`, built but perhaps
/// scrolled out of sight.
fn is_built(workbench: &Workbench, id: iced::widget::Id) -> bool {
    simulator(workbench).find(selector::id(id)).is_ok()
}

/// Clicks the text field `field` and types `content` into it.
fn type_into(workbench: &mut Workbench, field: iced::widget::Id, content: &str) {
    let messages: Vec<Message> = {
        let mut ui = simulator(workbench);
        if let Err(error) = ui.click(selector::id(field.clone())) {
            panic!("clicking the field {field:?} failed: {error}");
        }
        let _status = ui.typewrite(content);
        ui.into_messages().collect()
    };
    assert!(
        !messages.is_empty(),
        "typing into {field:?} produced no message"
    );
    for message in messages {
        let _task = workbench.update(message);
    }
}

/// Clicks the checkbox of a ticket's row.
fn tick(workbench: &mut Workbench, ticket: i64) {
    click(workbench, selector::id(todo_ids::checkbox(ticket)));
}

#[test]
fn ctrl_t_opens_todo_from_every_screen() {
    let (_fixture, mut workbench) = Fixture::new();

    super::shortcuts::press_command(&mut workbench, "t");
    assert_eq!(workbench.screen(), Screen::Todo);

    super::shortcuts::press_command(&mut workbench, ",");
    assert_eq!(workbench.screen(), Screen::Settings);
    super::shortcuts::press_command(&mut workbench, "t");
    assert_eq!(workbench.screen(), Screen::Todo);
}

#[test]
fn todo_rows_in_queue_order() {
    let (fixture, mut workbench) = Fixture::new();
    let sample = fixture.sample;
    open_todo(&mut workbench);

    assert!(has_text(&workbench, "3 unfinished tickets"));
    // Urgent first, then high, then normal.
    let expected = [
        sample.refund_ticket,
        sample.call_ticket,
        sample.pricing_ticket,
    ];
    let shown: Vec<i64> = workbench
        .todo()
        .built_rows()
        .iter()
        .map(|row| row.id)
        .collect();
    assert_eq!(shown, expected);
    let tops: Vec<f32> = expected
        .iter()
        .map(|ticket| super::row_bounds(&workbench, todo_ids::row(*ticket)).y)
        .collect();
    assert!(
        tops.windows(2).all(|pair| pair[0] < pair[1]),
        "rows out of order on screen: {tops:?}"
    );
    let refund = todo_ids::row(sample.refund_ticket);
    assert!(row_shows(&workbench, refund.clone(), "Urgent"));
    assert!(row_shows(&workbench, refund.clone(), "Open"));
    assert!(row_shows(&workbench, refund.clone(), seed::REFUND_SUBJECT));
    // The sample's deadlines passed long ago.
    assert!(row_shows(&workbench, refund, "Overdue"));
}

#[test]
fn bulk_status_stored_and_shown() {
    let (fixture, mut workbench) = Fixture::new();
    let sample = fixture.sample;
    open_todo(&mut workbench);

    tick(&mut workbench, sample.refund_ticket);
    tick(&mut workbench, sample.call_ticket);
    let mut ticked = vec![sample.refund_ticket, sample.call_ticket];
    ticked.sort_unstable();
    assert_eq!(workbench.todo().selected(), ticked);
    assert!(has_text(&workbench, "2 selected"));
    click(
        &mut workbench,
        selector::id(todo_ids::bulk_status("in-progress")),
    );

    assert_eq!(stored_status(&fixture, sample.refund_ticket), "in-progress");
    assert_eq!(stored_status(&fixture, sample.call_ticket), "in-progress");
    assert_eq!(stored_status(&fixture, sample.pricing_ticket), "open");
    assert!(
        row_shows(
            &workbench,
            todo_ids::result_line(),
            "Status In progress: 2 tickets changed"
        ),
        "result line missing"
    );
    assert!(row_shows(
        &workbench,
        todo_ids::row(sample.refund_ticket),
        "In progress"
    ));
    assert!(row_shows(
        &workbench,
        todo_ids::row(sample.call_ticket),
        "In progress"
    ));
    assert!(row_shows(
        &workbench,
        todo_ids::row(sample.pricing_ticket),
        "Open"
    ));
    // Each change is in the ticket's history, by the agent of the app.
    let events = fixture
        .other_connection()
        .ticket_events(sample.refund_ticket)
        .expect("read the history");
    let last = events.last().expect("a history");
    assert_eq!(last.kind, "status");
    assert_eq!(last.detail["to"], "in-progress");
    assert!(last.actor.starts_with("agent:"), "{}", last.actor);
}

#[test]
fn bulk_status_names_skipped_tickets() {
    let (fixture, mut workbench) = Fixture::new();
    let sample = fixture.sample;
    open_todo(&mut workbench);
    tick(&mut workbench, sample.pricing_ticket);
    click(
        &mut workbench,
        selector::id(todo_ids::bulk_status("waiting-on-customer")),
    );
    assert_eq!(
        stored_status(&fixture, sample.pricing_ticket),
        "waiting-on-customer"
    );

    // Waiting on customer may not go back to open in the built-in
    // lifecycle, so that ticket is skipped and the others stay as they are.
    tick(&mut workbench, sample.refund_ticket);
    click(&mut workbench, selector::id(todo_ids::bulk_status("open")));

    let expected = format!(
        "Status Open: 0 tickets changed, 1 ticket unchanged, 1 ticket skipped (#{}: a ticket \
         cannot go from \"waiting-on-customer\" to \"open\"",
        sample.pricing_ticket
    );
    let result = match workbench.todo().result() {
        Some(kefu_ui::ResultLine::Done(line)) => line.text(),
        other => panic!("unexpected result {other:?}"),
    };
    assert!(result.starts_with(&expected), "{result}");
    assert!(has_text(&workbench, &result));
    assert_eq!(
        stored_status(&fixture, sample.pricing_ticket),
        "waiting-on-customer"
    );
    assert_eq!(stored_status(&fixture, sample.refund_ticket), "open");
}

#[test]
fn shift_click_selects_range() {
    let (fixture, mut workbench) = Fixture::new();
    let sample = fixture.sample;
    open_todo(&mut workbench);

    tick(&mut workbench, sample.refund_ticket);
    let _task = workbench.update(Message::ModifiersChanged(Modifiers::SHIFT));
    tick(&mut workbench, sample.pricing_ticket);
    let _task = workbench.update(Message::ModifiersChanged(Modifiers::empty()));

    let mut all = vec![
        sample.refund_ticket,
        sample.call_ticket,
        sample.pricing_ticket,
    ];
    all.sort_unstable();
    assert_eq!(workbench.todo().selected(), all);

    // Without Shift a second press clears one box.
    tick(&mut workbench, sample.call_ticket);
    assert!(!workbench.todo().selected().contains(&sample.call_ticket));
}

#[test]
fn priority_and_overdue_filters() {
    let (fixture, mut workbench) = Fixture::new();
    let sample = fixture.sample;
    let fresh = add_tickets(&fixture.path, 1, Utc::now())[0];
    open_todo(&mut workbench);
    assert!(has_text(&workbench, "4 unfinished tickets"));

    click(
        &mut workbench,
        selector::id(todo_ids::priority_filter("urgent")),
    );
    let shown: Vec<i64> = workbench
        .todo()
        .built_rows()
        .iter()
        .map(|row| row.id)
        .collect();
    assert_eq!(shown, vec![sample.refund_ticket]);
    assert!(has_text(&workbench, "1 unfinished ticket"));
    assert!(!is_built(&workbench, todo_ids::row(sample.pricing_ticket)));

    click(&mut workbench, "Clear filters");
    assert!(has_text(&workbench, "4 unfinished tickets"));

    // The sample's deadlines passed; the ticket opened now has time left.
    click(&mut workbench, selector::id(todo_ids::overdue_filter()));
    assert!(has_text(&workbench, "3 unfinished tickets"));
    assert!(!is_built(&workbench, todo_ids::row(fresh)));
    assert!(is_built(&workbench, todo_ids::row(sample.call_ticket)));
}

#[test]
fn assign_then_filter_mine() {
    let (fixture, mut workbench) = Fixture::new();
    let sample = fixture.sample;
    workbench.set_agent("lin");
    open_todo(&mut workbench);

    tick(&mut workbench, sample.call_ticket);
    type_into(&mut workbench, todo_ids::bulk_agent(), "lin");
    click(&mut workbench, "Assign");

    let row = fixture
        .other_connection()
        .todo_row(sample.call_ticket)
        .expect("read the ticket")
        .expect("the ticket exists");
    assert_eq!(row.assignee.as_deref(), Some("lin"));
    assert!(has_text(&workbench, "Assign to lin: 1 ticket changed"));

    click(&mut workbench, "Mine");
    let shown: Vec<i64> = workbench
        .todo()
        .built_rows()
        .iter()
        .map(|row| row.id)
        .collect();
    assert_eq!(shown, vec![sample.call_ticket]);
    assert!(row_shows(
        &workbench,
        todo_ids::row(sample.call_ticket),
        "lin"
    ));
}

#[test]
fn row_shows_history_work_log_and_notes() {
    let (fixture, mut workbench) = Fixture::new();
    let ticket = fixture.sample.refund_ticket;
    let mut store = fixture.other_connection();
    let writer = store.writer().expect("start a write transaction");
    let at = seed::time("2024-03-12T08:00:00Z");
    writer
        .add_note(ticket, "客户要求先换货再退款", "agent:lin", at)
        .expect("add a note");
    writer
        .log_work(ticket, "lin", 25, "联系仓库确认库存", at)
        .expect("log work");
    writer.commit().expect("commit");
    open_todo(&mut workbench);

    click(&mut workbench, selector::id(todo_ids::row(ticket)));

    let detail = workbench.todo().detail().expect("the detail column");
    assert_eq!(detail.row.id, ticket);
    let card = todo_ids::detail();
    assert!(row_shows(
        &workbench,
        card.clone(),
        &format!("#{ticket} {}", seed::REFUND_SUBJECT)
    ));
    assert!(row_shows(&workbench, card.clone(), "Work log (25 min)"));
    assert!(row_shows(
        &workbench,
        card.clone(),
        "lin, 25 min: 联系仓库确认库存"
    ));
    let note_time = super::local_minute("2024-03-12T08:00:00Z");
    assert!(row_shows(
        &workbench,
        card.clone(),
        &format!("{note_time}  agent:lin: 客户要求先换货再退款")
    ));
    let created_time = super::local_minute("2024-03-12T07:00:00Z");
    assert!(
        has_history_line(
            &workbench,
            &format!("{created_time}  agent:sample  created")
        ),
        "creation missing from the history"
    );
    assert!(has_history_line(&workbench, "note: 客户要求先换货再退款"));
    assert!(has_history_line(
        &workbench,
        "work logged: 25 min, 联系仓库确认库存"
    ));

    click(&mut workbench, "Open conversation");
    assert_eq!(workbench.screen(), Screen::Workbench);
    assert_eq!(
        workbench.selected_conversation(),
        Some(fixture.sample.refund)
    );
}

/// True when a text in the detail column contains `part`.
fn has_history_line(workbench: &Workbench, part: &str) -> bool {
    let mut found = false;
    let _ = simulator(workbench).find(|candidate: iced_test::selector::Candidate<'_>| {
        if let iced_test::selector::Candidate::Text { content, .. } = candidate
            && content.contains(part)
        {
            found = true;
        }
        None::<()>
    });
    found
}

#[test]
fn merge_into_open_ticket() {
    let (fixture, mut workbench) = Fixture::new();
    let sample = fixture.sample;
    open_todo(&mut workbench);

    click(
        &mut workbench,
        selector::id(todo_ids::row(sample.refund_ticket)),
    );
    tick(&mut workbench, sample.pricing_ticket);
    click(
        &mut workbench,
        format!("Merge into #{}", sample.refund_ticket).as_str(),
    );

    let merged = fixture
        .other_connection()
        .todo_row(sample.pricing_ticket)
        .expect("read the ticket")
        .expect("the ticket exists");
    assert_eq!(merged.merged_into, Some(sample.refund_ticket));
    assert!(has_text(
        &workbench,
        &format!("Merge into #{}: 1 ticket changed", sample.refund_ticket)
    ));
    // Merged tickets are finished, so they leave the list.
    assert!(has_text(&workbench, "2 unfinished tickets"));
}

#[test]
fn long_list_builds_rows_in_view() {
    let (fixture, mut workbench) = Fixture::new();
    let added = add_tickets(&fixture.path, 300, seed::time("2024-03-13T00:00:00Z"));
    open_todo(&mut workbench);
    assert!(has_text(&workbench, "303 unfinished tickets"));

    let built = workbench.todo().built_rows().len();
    let visible = workbench.todo().visible_range();
    assert_eq!(visible.start, 0);
    assert!(
        built <= visible.len() + kefu_ui::OVERSCAN,
        "{built} rows built for {visible:?}"
    );
    let last = *added.last().expect("added tickets");
    assert!(!is_built(&workbench, todo_ids::row(last)));

    // Scroll to the end: the last rows are read and built, the first not.
    let offset = 303.0 * kefu_ui::ROW_HEIGHT - 480.0;
    let _task = workbench.update(Message::Todo(TodoMessage::Scrolled {
        offset,
        height: 480.0,
    }));
    let visible = workbench.todo().visible_range();
    assert_eq!(visible.end, 303);
    assert!(is_built(&workbench, todo_ids::row(last)));
    assert!(!is_built(
        &workbench,
        todo_ids::row(fixture.sample.refund_ticket)
    ));
    assert!(workbench.todo().built_rows().len() <= visible.len() + kefu_ui::OVERSCAN);

    click(&mut workbench, "Select all 303");
    assert_eq!(workbench.todo().selected().len(), 303);
}

#[test]
fn scroll_wheel_reads_next_rows() {
    let (fixture, mut workbench) = Fixture::new();
    let added = add_tickets(&fixture.path, 200, seed::time("2024-03-13T00:00:00Z"));
    open_todo(&mut workbench);
    let beyond = added[120];
    assert!(!is_built(&workbench, todo_ids::row(beyond)));

    let messages: Vec<Message> = {
        let mut ui = simulator(&workbench);
        let list = ui.find(selector::id(todo_ids::list())).expect("the list");
        let bounds = list.visible_bounds().expect("the list is in view");
        ui.point_at(bounds.center());
        let _ = ui.simulate([iced::Event::Mouse(iced::mouse::Event::WheelScrolled {
            delta: iced::mouse::ScrollDelta::Pixels {
                x: 0.0,
                y: -120.0 * kefu_ui::ROW_HEIGHT,
            },
        })]);
        ui.into_messages().collect()
    };
    assert!(!messages.is_empty(), "the wheel produced no message");
    for message in messages {
        let _task = workbench.update(message);
    }

    assert!(workbench.todo().visible_range().start > 100);
    assert!(is_built(&workbench, todo_ids::row(beyond)));
}
