//! Saved views made in the app on a real database. The to-do screen's
//! filters are saved under a name and shown above the conversation list
//! with their count, then renamed, given the current filters and deleted.
//! The form rejects some names and filters without writing.

use iced_test::selector;
use kefu_core::todo::{Sort, TodoQuery};
use kefu_ui::{Message, SavedViewMessage, Screen, View, Workbench, saved_view_ids, todo_ids};

use super::{Fixture, click, has_text, row_shows, simulator};

/// Opens the to-do screen and turns on the filter of each priority id.
fn filter_priorities(workbench: &mut Workbench, priorities: &[&str]) {
    if workbench.screen() != Screen::Todo {
        click(workbench, "To-do (Ctrl+T)");
    }
    click(workbench, "Clear filters");
    for priority in priorities {
        click(workbench, selector::id(todo_ids::priority_filter(priority)));
    }
}

/// Shows the workbench screen with the conversation list.
fn open_workbench(workbench: &mut Workbench) {
    if workbench.screen() != Screen::Workbench {
        click(workbench, "Workbench");
    }
    assert_eq!(workbench.screen(), Screen::Workbench);
}

fn is_built(workbench: &Workbench, id: iced::widget::Id) -> bool {
    simulator(workbench).find(selector::id(id)).is_ok()
}

fn type_name(workbench: &mut Workbench, name: &str) {
    let _task = workbench.update(Message::SavedView(SavedViewMessage::NameEdited(
        name.to_string(),
    )));
}

/// Saved views as the database stores them, by name.
fn stored_views(fixture: &Fixture) -> Vec<(String, TodoQuery)> {
    fixture
        .other_connection()
        .views()
        .expect("read the saved views")
}

/// Returns the query the to-do screen builds for these priority filters.
fn priority_query(priorities: &[&str]) -> TodoQuery {
    TodoQuery {
        priorities: priorities.iter().map(|id| id.to_string()).collect(),
        sort: Sort::Priority,
        ..TodoQuery::default()
    }
}

/// Stores a view through a second connection, as `kefu tickets views save`
/// does, and has the workbench read it.
fn store_view(fixture: &Fixture, workbench: &mut Workbench, name: &str, priorities: &[&str]) {
    fixture
        .other_connection()
        .save_view(name, &priority_query(priorities))
        .expect("store the view");
    let _task = workbench.update(Message::RefreshPressed);
}

#[test]
fn save_filters_as_view() {
    let (fixture, mut workbench) = Fixture::new();
    let sample = fixture.sample;
    filter_priorities(&mut workbench, &["urgent", "high"]);
    assert!(has_text(&workbench, "2 unfinished tickets"));

    click(&mut workbench, selector::id(todo_ids::save_as_view()));
    assert!(workbench.view_form_open());
    assert!(has_text(&workbench, "Save the current filters as a view"));
    type_name(&mut workbench, "  加急  ");
    click(&mut workbench, selector::id(saved_view_ids::submit()));

    assert!(!workbench.view_form_open());
    assert_eq!(workbench.view_form_error(), None);
    let stored = stored_views(&fixture);
    assert_eq!(
        stored,
        vec![("加急".to_string(), priority_query(&["urgent", "high"]))]
    );
    assert!(has_text(&workbench, "Saved view 加急."));

    open_workbench(&mut workbench);
    assert!(has_text(&workbench, "加急 2"));
    let count = workbench
        .views()
        .iter()
        .find(|count| count.view == View::Saved("加急".to_string()))
        .expect("the saved view is listed")
        .count;
    assert_eq!(count, 2);

    let position = workbench
        .views()
        .iter()
        .position(|count| count.view == View::Saved("加急".to_string()))
        .expect("the saved view is listed");
    click(
        &mut workbench,
        selector::id(kefu_ui::conversation_view_id(position)),
    );
    assert_eq!(workbench.list_view(), &View::Saved("加急".to_string()));
    let refund = kefu_ui::conversation_row_id(sample.refund);
    assert!(row_shows(&workbench, refund, super::seed::REFUND_SUBJECT));
    assert!(is_built(
        &workbench,
        kefu_ui::conversation_row_id(sample.call)
    ));
    assert!(!is_built(
        &workbench,
        kefu_ui::conversation_row_id(sample.pricing)
    ));
}

#[test]
fn rename_replace_and_delete_view() {
    let (fixture, mut workbench) = Fixture::new();
    store_view(&fixture, &mut workbench, "urgent only", &["urgent"]);
    assert!(has_text(&workbench, "urgent only 1"));

    // Rename, with the list showing the view so the selection follows.
    let position = workbench
        .views()
        .iter()
        .position(|count| count.view == View::Saved("urgent only".to_string()))
        .expect("the stored view is listed");
    click(
        &mut workbench,
        selector::id(kefu_ui::conversation_view_id(position)),
    );
    click(
        &mut workbench,
        selector::id(kefu_ui::saved_view_edit_id("urgent only")),
    );
    assert!(has_text(&workbench, "Saved view urgent only"));
    type_name(&mut workbench, "紧急");
    click(&mut workbench, selector::id(saved_view_ids::submit()));

    assert!(!workbench.view_form_open());
    assert_eq!(
        stored_views(&fixture),
        vec![("紧急".to_string(), priority_query(&["urgent"]))]
    );
    assert_eq!(workbench.list_view(), &View::Saved("紧急".to_string()));
    assert!(has_text(&workbench, "紧急 1"));
    assert!(!has_text(&workbench, "urgent only 1"));

    // Replace the filters with those of the to-do screen.
    filter_priorities(&mut workbench, &["high", "normal"]);
    open_workbench(&mut workbench);
    click(
        &mut workbench,
        selector::id(kefu_ui::saved_view_edit_id("紧急")),
    );
    click(
        &mut workbench,
        selector::id(saved_view_ids::replace_filter()),
    );

    assert!(!workbench.view_form_open());
    assert_eq!(
        stored_views(&fixture),
        vec![("紧急".to_string(), priority_query(&["high", "normal"]))]
    );
    assert!(has_text(&workbench, "紧急 2"));
    assert!(has_text(&workbench, "Replaced the filters of view 紧急."));

    // Delete opens a confirmation first, and Cancel keeps the view.
    click(
        &mut workbench,
        selector::id(kefu_ui::saved_view_edit_id("紧急")),
    );
    click(&mut workbench, selector::id(saved_view_ids::delete()));
    assert!(has_text(
        &workbench,
        "Delete the saved view 紧急? Its tickets stay as they are."
    ));
    assert_eq!(stored_views(&fixture).len(), 1);
    click(&mut workbench, "Cancel");
    assert!(workbench.view_form_open());
    assert_eq!(stored_views(&fixture).len(), 1);

    click(&mut workbench, selector::id(saved_view_ids::delete()));
    click(
        &mut workbench,
        selector::id(saved_view_ids::confirm_delete()),
    );

    assert!(!workbench.view_form_open());
    assert_eq!(stored_views(&fixture), Vec::new());
    assert!(!has_text(&workbench, "紧急 2"));
    assert_eq!(workbench.list_view(), &View::All);
    assert!(has_text(&workbench, "Deleted view 紧急."));
}

#[test]
fn duplicate_view_name_rejected() {
    let (fixture, mut workbench) = Fixture::new();
    store_view(&fixture, &mut workbench, "Urgent", &["urgent"]);
    store_view(&fixture, &mut workbench, "High", &["high"]);
    let before = stored_views(&fixture);
    filter_priorities(&mut workbench, &["normal"]);

    click(&mut workbench, selector::id(todo_ids::save_as_view()));
    type_name(&mut workbench, "Urgent");
    click(&mut workbench, selector::id(saved_view_ids::submit()));

    let taken = "A view named Urgent exists already. Enter another name, or press Replace that \
                 view to overwrite its filters.";
    assert_eq!(workbench.view_form_error(), Some(taken.to_string()));
    assert!(has_text(&workbench, taken));
    assert_eq!(stored_views(&fixture), before);

    // Renaming onto another view's name is rejected the same way.
    let _task = workbench.update(Message::SavedView(SavedViewMessage::CancelPressed));
    open_workbench(&mut workbench);
    click(
        &mut workbench,
        selector::id(kefu_ui::saved_view_edit_id("High")),
    );
    type_name(&mut workbench, "Urgent");
    click(&mut workbench, selector::id(saved_view_ids::submit()));
    let taken = "A view named Urgent exists already. Enter another name.";
    assert_eq!(workbench.view_form_error(), Some(taken.to_string()));
    assert!(has_text(&workbench, taken));
    assert_eq!(stored_views(&fixture), before);
    let _task = workbench.update(Message::SavedView(SavedViewMessage::CancelPressed));

    // Saving over the taken name is what the offered button does.
    click(&mut workbench, "To-do (Ctrl+T)");
    click(&mut workbench, selector::id(todo_ids::save_as_view()));
    type_name(&mut workbench, "Urgent");
    click(&mut workbench, selector::id(saved_view_ids::submit()));
    click(&mut workbench, selector::id(saved_view_ids::overwrite()));
    assert!(!workbench.view_form_open());
    assert_eq!(
        stored_views(&fixture),
        vec![
            ("High".to_string(), priority_query(&["high"])),
            ("Urgent".to_string(), priority_query(&["normal"])),
        ]
    );
}

#[test]
fn empty_or_long_view_name_rejected() {
    let (fixture, mut workbench) = Fixture::new();
    filter_priorities(&mut workbench, &["urgent"]);
    click(&mut workbench, selector::id(todo_ids::save_as_view()));

    let long = "视".repeat(61);
    let cases = [
        ("", "Enter a name for the view.".to_string()),
        ("   ", "Enter a name for the view.".to_string()),
        (
            long.as_str(),
            "The name has 61 characters; use at most 60.".to_string(),
        ),
    ];
    for (name, expected) in cases {
        type_name(&mut workbench, name);
        click(&mut workbench, selector::id(saved_view_ids::submit()));
        assert_eq!(
            workbench.view_form_error(),
            Some(expected.clone()),
            "name {name:?}"
        );
        assert!(has_text(&workbench, &expected), "name {name:?}");
        assert_eq!(stored_views(&fixture), Vec::new(), "name {name:?}");
    }

    // Sixty characters fit.
    type_name(&mut workbench, &"视".repeat(60));
    click(&mut workbench, selector::id(saved_view_ids::submit()));
    assert!(!workbench.view_form_open());
    assert_eq!(stored_views(&fixture).len(), 1);
}

#[test]
fn overdue_filter_not_saved() {
    let (fixture, mut workbench) = Fixture::new();
    filter_priorities(&mut workbench, &[]);
    click(&mut workbench, selector::id(todo_ids::overdue_filter()));

    click(&mut workbench, selector::id(todo_ids::save_as_view()));
    let line = "The Overdue filter compares with the current time, so a saved view cannot keep \
                it. Turn it off on the To-do screen, then save.";
    assert!(has_text(&workbench, line));
    type_name(&mut workbench, "Late");
    click(&mut workbench, selector::id(saved_view_ids::submit()));

    assert_eq!(workbench.view_form_error(), Some(line.to_string()));
    assert_eq!(stored_views(&fixture), Vec::new());
}
