//! Keyboard shortcuts and the shortcut list, on the Chinese chat sample
//! imported through the built-in chat plugin.

use iced::keyboard::key::{Named, NativeCode, Physical};
use iced::keyboard::{self, Key, Location, Modifiers};
use iced_test::selector;
use kefu_ui::{Message, Workbench, pane_ids};

use super::panes::{focused_pane, open_conversation, split_right, type_draft};
use super::phrases::PhraseDesk;
use super::{click, has_text, simulator};

/// Returns the event of pressing `key` with `modifiers` held.
pub(super) fn key_event(key: Key, modifiers: Modifiers) -> iced::Event {
    iced::Event::Keyboard(keyboard::Event::KeyPressed {
        key: key.clone(),
        modified_key: key,
        physical_key: Physical::Unidentified(NativeCode::Unidentified),
        location: Location::Standard,
        modifiers,
        text: None,
        repeat: false,
    })
}

/// Presses `key` with `modifiers` in a simulated window, as the running
/// window does: the widgets see the key first, then the keyboard
/// subscription gets it with the widgets' verdict.
pub(super) fn press(workbench: &mut Workbench, key: Key, modifiers: Modifiers) {
    let event = key_event(key, modifiers);
    let (status, messages): (_, Vec<Message>) = {
        let mut ui = simulator(workbench);
        let statuses = ui.simulate([event.clone()]);
        (statuses[0], ui.into_messages().collect())
    };
    for message in messages {
        let _task = workbench.update(message);
    }
    if let Some(message) = kefu_ui::shortcut_message(&event, status) {
        let _task = workbench.update(message);
    }
}

/// Presses Ctrl (Cmd on macOS) and `letter`.
pub(super) fn press_command(workbench: &mut Workbench, letter: &str) {
    press(workbench, Key::Character(letter.into()), Modifiers::COMMAND);
}

/// Clicks the draft editor of the pane `key`, types `text` and presses
/// each of `presses`, in one simulated window so the editor keeps the
/// keyboard focus, as it does while the agent types. The editor's messages
/// are applied first, then the shortcuts among the presses, in order.
pub(super) fn type_then_press(
    workbench: &mut Workbench,
    key: u64,
    text: &str,
    presses: &[(Key, Modifiers)],
) {
    let events: Vec<iced::Event> = presses
        .iter()
        .map(|(key, modifiers)| key_event(key.clone(), *modifiers))
        .collect();
    let (statuses, messages): (Vec<_>, Vec<Message>) = {
        let mut ui = simulator(workbench);
        if let Err(error) = ui.click(selector::id(pane_ids::draft_editor(key))) {
            panic!("clicking the draft editor of pane {key} failed: {error}");
        }
        let _ = ui.typewrite(text);
        let statuses = ui.simulate(events.clone());
        (statuses, ui.into_messages().collect())
    };
    for message in messages {
        let _task = workbench.update(message);
    }
    for (event, status) in events.iter().zip(statuses) {
        if let Some(message) = kefu_ui::shortcut_message(event, status) {
            let _task = workbench.update(message);
        }
    }
}

/// Ctrl+Enter, or Cmd+Enter on macOS: the key that sends.
pub(super) fn send_keys() -> [(Key, Modifiers); 1] {
    [(Key::Named(Named::Enter), Modifiers::COMMAND)]
}

#[test]
fn f1_and_button_show_shortcut_list() {
    let desk = PhraseDesk::new(None);
    let mut workbench = desk.open();
    assert!(!workbench.shortcuts_shown());

    press(&mut workbench, Key::Named(Named::F1), Modifiers::empty());

    assert!(workbench.shortcuts_shown());
    assert!(has_text(&workbench, "Keyboard shortcuts"));
    let ctrl = if cfg!(target_os = "macos") {
        "Cmd"
    } else {
        "Ctrl"
    };
    for (keys, description) in [
        (
            format!("{ctrl}+N"),
            "Open the next conversation waiting for a reply",
        ),
        (format!("{ctrl}+Tab"), "Focus the next pane"),
        (
            format!("{ctrl}+P"),
            "Open the phrases for the focused pane's draft",
        ),
        (format!("{ctrl}+Enter"), "Send the focused pane's draft"),
        (format!("{ctrl}+W"), "Close the focused pane"),
        (format!("{ctrl}+F"), "Search the conversations"),
        (
            "Enter".to_string(),
            "Insert the selected phrase into the draft",
        ),
    ] {
        assert!(has_text(&workbench, &keys), "{keys:?} missing");
        assert!(has_text(&workbench, description), "{description:?} missing");
    }

    press(
        &mut workbench,
        Key::Named(Named::Escape),
        Modifiers::empty(),
    );
    assert!(!workbench.shortcuts_shown());
    assert!(!has_text(&workbench, "Keyboard shortcuts"));

    click(&mut workbench, "Shortcuts (F1)");
    assert!(workbench.shortcuts_shown());
    click(&mut workbench, "Close (Esc)");
    assert!(!workbench.shortcuts_shown());
}

#[test]
fn next_unanswered_skips_answered_conversation() {
    let desk = PhraseDesk::new(None);
    let mut workbench = desk.open();
    let wang = desk.conversation_with(PhraseDesk::WANG_MESSAGE);
    let li = desk.conversation_with(PhraseDesk::LI_MESSAGE);
    let nameless = desk.conversation_with(PhraseDesk::NAMELESS_MESSAGE);

    // A reply to 李雷 moves that conversation to the top of the list and
    // takes it out of the unanswered ones.
    open_conversation(&mut workbench, li.id);
    let pane = focused_pane(&workbench);
    type_then_press(&mut workbench, pane.key, "您好，退款已受理。", &send_keys());
    assert_eq!(desk.store().outbox(false).unwrap().len(), 1);
    let order: Vec<(i64, bool)> = desk
        .store()
        .conversations()
        .unwrap()
        .iter()
        .map(|conversation| (conversation.id, conversation.unanswered))
        .collect();
    assert_eq!(
        order,
        vec![(li.id, false), (nameless.id, true), (wang.id, true)]
    );

    let mut visited = Vec::new();
    for _ in 0..3 {
        press_command(&mut workbench, "n");
        visited.push(workbench.selected_conversation().unwrap());
    }

    assert_eq!(visited, vec![nameless.id, wang.id, nameless.id]);
    assert_eq!(workbench.notice(), None);
}

#[test]
fn next_unanswered_without_waiting_shows_notice() {
    let desk = PhraseDesk::new(None);
    let mut workbench = desk.open();
    let conversations = desk.store().conversations().unwrap();
    for conversation in &conversations {
        open_conversation(&mut workbench, conversation.id);
        let pane = focused_pane(&workbench);
        type_then_press(
            &mut workbench,
            pane.key,
            "Thanks, we are on it.",
            &send_keys(),
        );
    }
    let selected = workbench.selected_conversation();

    press_command(&mut workbench, "n");

    assert_eq!(workbench.selected_conversation(), selected);
    assert_eq!(
        workbench.notice(),
        Some("No conversation is waiting for a reply.".to_string())
    );
    assert!(has_text(
        &workbench,
        "No conversation is waiting for a reply."
    ));
}

#[test]
fn ctrl_enter_in_editor_sends_without_newline() {
    let desk = PhraseDesk::new(None);
    let mut workbench = desk.open();
    let wang = desk.conversation_with(PhraseDesk::WANG_MESSAGE);
    let reply = "您好，包裹今天发出。";

    open_conversation(&mut workbench, wang.id);
    let pane = focused_pane(&workbench);
    type_then_press(&mut workbench, pane.key, reply, &send_keys());

    let entries = desk.store().outbox(false).unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let messages = desk.store().messages(wang.id).unwrap();
    let sent = messages
        .iter()
        .find(|message| message.id == entries[0].message_id)
        .expect("the reply is a message of the conversation");
    assert_eq!(sent.body_text, reply);
    assert_eq!(workbench.draft(wang.id), "");
}

#[test]
fn enter_alone_in_editor_adds_line() {
    let desk = PhraseDesk::new(None);
    let mut workbench = desk.open();
    let wang = desk.conversation_with(PhraseDesk::WANG_MESSAGE);

    open_conversation(&mut workbench, wang.id);
    let pane = focused_pane(&workbench);
    type_then_press(
        &mut workbench,
        pane.key,
        "第一行",
        &[(Key::Named(Named::Enter), Modifiers::empty())],
    );

    assert!(desk.store().outbox(false).unwrap().is_empty());
    assert_eq!(workbench.draft(wang.id), "第一行\n");
}

#[test]
fn panes_cycle_and_close_by_key() {
    let desk = PhraseDesk::new(None);
    let mut workbench = desk.open();
    let wang = desk.conversation_with(PhraseDesk::WANG_MESSAGE);
    let li = desk.conversation_with(PhraseDesk::LI_MESSAGE);
    open_conversation(&mut workbench, wang.id);
    let first = focused_pane(&workbench);
    let second = split_right(&mut workbench);
    open_conversation(&mut workbench, li.id);
    type_draft(&mut workbench, second.key, "稍等");

    press(&mut workbench, Key::Named(Named::Tab), Modifiers::COMMAND);
    assert_eq!(focused_pane(&workbench).key, first.key);
    assert_eq!(workbench.selected_conversation(), Some(wang.id));

    press(&mut workbench, Key::Named(Named::Tab), Modifiers::COMMAND);
    assert_eq!(focused_pane(&workbench).key, second.key);

    press(
        &mut workbench,
        Key::Named(Named::Tab),
        Modifiers::COMMAND | Modifiers::SHIFT,
    );
    assert_eq!(focused_pane(&workbench).key, first.key);

    press_command(&mut workbench, "w");
    let panes = workbench.panes();
    assert_eq!(panes.len(), 1, "{panes:?}");
    assert_eq!(panes[0].key, second.key);
    assert_eq!(panes[0].conversation, Some(li.id));
    // The closed pane's conversation keeps its draft, as after a click on
    // Close.
    assert_eq!(workbench.draft(li.id), "稍等");

    // The last pane is emptied instead of closed.
    press_command(&mut workbench, "w");
    let panes = workbench.panes();
    assert_eq!(panes.len(), 1, "{panes:?}");
    assert_eq!(panes[0].conversation, None);
    assert_eq!(workbench.draft(li.id), "稍等");
}

#[test]
fn conversation_search_filters_list() {
    let desk = PhraseDesk::new(None);
    let mut workbench = desk.open();
    let wang = desk.conversation_with(PhraseDesk::WANG_MESSAGE);
    let nameless = desk.conversation_with(PhraseDesk::NAMELESS_MESSAGE);

    let messages: Vec<Message> = {
        let mut ui = simulator(&workbench);
        ui.click(selector::id(kefu_ui::conversation_search_id()))
            .expect("click the conversation search field");
        let _ = ui.typewrite("密码");
        ui.into_messages().collect()
    };
    for message in messages {
        let _task = workbench.update(message);
    }

    let visible = |workbench: &Workbench, id: i64| {
        simulator(workbench)
            .find(selector::id(kefu_ui::conversation_row_id(id)))
            .is_ok()
    };
    assert!(visible(&workbench, nameless.id));
    assert!(!visible(&workbench, wang.id));
    // The search does not change what the panes show.
    assert_eq!(workbench.selected_conversation(), None);
}
