//! Keyboard shortcuts: the one table of keys the workbench reacts to, the
//! subscription that turns key presses into messages, and the shortcut
//! list the app shows.
//!
//! Every shortcut of the workbench uses Ctrl (Cmd on macOS) or a function
//! key, so none of them is a key that edits text. The draft
//! editor lets these keys through instead of handling them. A key that
//! another widget handled (Enter in a search field) is not a shortcut,
//! except Escape, which a text field only uses to drop its focus.

use iced::event::{self, Event};
use iced::keyboard::key::Named;
use iced::keyboard::{self, Key, Modifiers};
use iced::widget::{button, column, container, row, scrollable, space, text};
use iced::{Alignment, Element, Fill, Subscription, window};

use crate::labels;

/// The part of the window a shortcut applies in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The workbench with no dialog open.
    Workbench,
    /// The phrase picker.
    PhrasePicker,
    /// The shortcut list.
    ShortcutList,
}

/// The action a shortcut runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Opens the next conversation in the list that waits for a reply.
    NextUnanswered,
    NextPane,
    PreviousPane,
    /// Opens the phrase picker for the focused pane's draft.
    OpenPhrases,
    /// Sends the focused pane's draft.
    Send,
    /// Closes the focused pane, or empties it when it is the only one.
    ClosePane,
    /// Moves the keyboard focus to the conversation search field.
    FocusSearch,
    ShowShortcuts,
    /// Shows the settings screen.
    OpenSettings,
    /// Shows the to-do panel.
    OpenTodo,
    /// Inserts the selected phrase into the draft.
    InsertPhrase,
    /// Inserts the selected phrase and sends the draft.
    InsertPhraseAndSend,
    SelectNextPhrase,
    SelectPreviousPhrase,
    /// Closes the open dialog.
    CloseDialog,
}

/// A key, without the modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyName {
    /// A character key, lowercase.
    Character(char),
    Named(Named),
}

/// A key with the modifiers held with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Keys {
    pub key: KeyName,
    /// Ctrl, or Cmd on macOS.
    pub command: bool,
    pub shift: bool,
}

/// One row of the shortcut table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortcut {
    pub keys: Keys,
    pub scope: Scope,
    pub action: Action,
}

const fn command(key: char) -> Keys {
    Keys {
        key: KeyName::Character(key),
        command: true,
        shift: false,
    }
}

const fn named(key: Named, command: bool, shift: bool) -> Keys {
    Keys {
        key: KeyName::Named(key),
        command,
        shift,
    }
}

const fn shortcut(keys: Keys, scope: Scope, action: Action) -> Shortcut {
    Shortcut {
        keys,
        scope,
        action,
    }
}

/// Every shortcut, in the order the shortcut list shows them.
pub const SHORTCUTS: &[Shortcut] = &[
    shortcut(command('n'), Scope::Workbench, Action::NextUnanswered),
    shortcut(
        named(Named::Tab, true, false),
        Scope::Workbench,
        Action::NextPane,
    ),
    shortcut(
        named(Named::Tab, true, true),
        Scope::Workbench,
        Action::PreviousPane,
    ),
    shortcut(command('p'), Scope::Workbench, Action::OpenPhrases),
    shortcut(
        named(Named::Enter, true, false),
        Scope::Workbench,
        Action::Send,
    ),
    shortcut(command('w'), Scope::Workbench, Action::ClosePane),
    shortcut(command('f'), Scope::Workbench, Action::FocusSearch),
    shortcut(
        named(Named::F1, false, false),
        Scope::Workbench,
        Action::ShowShortcuts,
    ),
    // Ctrl+, opens the settings in most desktop apps.
    shortcut(command(','), Scope::Workbench, Action::OpenSettings),
    shortcut(command('t'), Scope::Workbench, Action::OpenTodo),
    shortcut(
        named(Named::ArrowDown, false, false),
        Scope::PhrasePicker,
        Action::SelectNextPhrase,
    ),
    shortcut(
        named(Named::ArrowUp, false, false),
        Scope::PhrasePicker,
        Action::SelectPreviousPhrase,
    ),
    shortcut(
        named(Named::Enter, false, false),
        Scope::PhrasePicker,
        Action::InsertPhrase,
    ),
    shortcut(
        named(Named::Enter, true, false),
        Scope::PhrasePicker,
        Action::InsertPhraseAndSend,
    ),
    shortcut(
        named(Named::Escape, false, false),
        Scope::PhrasePicker,
        Action::CloseDialog,
    ),
    shortcut(
        named(Named::Escape, false, false),
        Scope::ShortcutList,
        Action::CloseDialog,
    ),
    shortcut(
        named(Named::F1, false, false),
        Scope::ShortcutList,
        Action::CloseDialog,
    ),
];

impl Keys {
    /// Returns the keys of a key press. Presses with Alt, or with the
    /// Windows or Super key on other systems than macOS, are never
    /// shortcuts and return `None`.
    pub fn of(key: &Key, modifiers: Modifiers) -> Option<Self> {
        if modifiers.alt() || (modifiers.logo() && !cfg!(target_os = "macos")) {
            return None;
        }
        let key = match key.as_ref() {
            Key::Character(character) => {
                let mut chars = character.chars().flat_map(char::to_lowercase);
                let first = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                KeyName::Character(first)
            }
            Key::Named(named) => KeyName::Named(named),
            Key::Unidentified => return None,
        };
        Some(Self {
            key,
            command: modifiers.command(),
            shift: modifiers.shift(),
        })
    }
}

/// Returns the action of `keys` in `scope`, if the table has one.
pub fn action(keys: Keys, scope: Scope) -> Option<Action> {
    SHORTCUTS
        .iter()
        .find(|shortcut| shortcut.keys == keys && shortcut.scope == scope)
        .map(|shortcut| shortcut.action)
}

/// Returns the keys of `action` in `scope`, if the table has them.
pub fn keys_for(action: Action, scope: Scope) -> Option<Keys> {
    SHORTCUTS
        .iter()
        .find(|shortcut| shortcut.action == action && shortcut.scope == scope)
        .map(|shortcut| shortcut.keys)
}

/// True when a key press is a shortcut of the workbench, which the draft
/// editor must leave alone.
pub fn is_workbench_shortcut(key: &Key, modifiers: Modifiers) -> bool {
    Keys::of(key, modifiers).is_some_and(|keys| action(keys, Scope::Workbench).is_some())
}

/// Returns the keys of a key press that is a shortcut in some scope. The
/// workbench picks the action for the scope it is in. `status` is
/// `Captured` when a widget handled the press already.
pub fn pressed(event: &Event, status: event::Status) -> Option<Keys> {
    let Event::Keyboard(keyboard::Event::KeyPressed {
        key,
        modifiers,
        repeat,
        ..
    }) = event
    else {
        return None;
    };
    let keys = Keys::of(key, *modifiers)?;
    let escape = keys.key == KeyName::Named(Named::Escape);
    if status == event::Status::Captured && !escape {
        return None;
    }
    let arrow = matches!(keys.key, KeyName::Named(Named::ArrowUp | Named::ArrowDown));
    // Holding a key down repeats it. Only the arrows act again on a
    // repeat, so holding Ctrl+Enter does not send twice.
    if *repeat && !arrow {
        return None;
    }
    SHORTCUTS
        .iter()
        .any(|shortcut| shortcut.keys == keys)
        .then_some(keys)
}

/// Listens for the key presses of [`SHORTCUTS`] in every window.
pub fn subscription() -> Subscription<Keys> {
    event::listen_with(listen)
}

fn listen(event: Event, status: event::Status, _window: window::Id) -> Option<Keys> {
    pressed(&event, status)
}

/// Events of the shortcut list.
#[derive(Debug, Clone)]
pub enum Message {
    ClosePressed,
}

/// Widget id of the shortcut list dialog.
pub fn list_id() -> iced::widget::Id {
    iced::widget::Id::new("shortcut-list")
}

/// Builds the shortcut list: one line per row of [`SHORTCUTS`], grouped by
/// scope.
pub fn view<'a>() -> Element<'a, Message> {
    let mut lines = column![].spacing(4);
    let mut last_scope = None;
    for shortcut in SHORTCUTS {
        if last_scope != Some(shortcut.scope) {
            lines = lines.push(text(labels::shortcut_scope(shortcut.scope)).size(15));
            last_scope = Some(shortcut.scope);
        }
        lines = lines.push(
            row![
                container(text(labels::keys(shortcut.keys)).size(13)).width(140),
                text(labels::shortcut_action(shortcut.action)).size(13),
            ]
            .spacing(12)
            .align_y(Alignment::Center),
        );
    }
    let heading = row![
        text(labels::shortcuts_heading()).size(18),
        space::horizontal(),
        button(
            text(labels::with_keys(
                labels::close_dialog(),
                Action::CloseDialog,
                Scope::ShortcutList
            ))
            .size(13)
        )
        .on_press(Message::ClosePressed)
        .style(button::secondary),
    ]
    .align_y(Alignment::Center);
    container(column![heading, scrollable(lines).height(Fill)].spacing(12))
        .id(list_id())
        .padding(16)
        .width(520)
        .height(560)
        .into()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn press(key: Key, modifiers: Modifiers) -> Event {
        Event::Keyboard(keyboard::Event::KeyPressed {
            key: key.clone(),
            modified_key: key,
            physical_key: keyboard::key::Physical::Unidentified(
                keyboard::key::NativeCode::Unidentified,
            ),
            location: keyboard::Location::Standard,
            modifiers,
            text: None,
            repeat: false,
        })
    }

    #[test]
    fn table_has_no_duplicate_keys_in_a_scope() {
        let mut seen = HashSet::new();
        for shortcut in SHORTCUTS {
            assert!(
                seen.insert((shortcut.keys, shortcut.scope)),
                "{shortcut:?} repeats keys of its scope"
            );
        }
    }

    #[test]
    fn workbench_keys_do_not_edit_text() {
        for shortcut in SHORTCUTS {
            if shortcut.scope != Scope::Workbench {
                continue;
            }
            let function_key = matches!(shortcut.keys.key, KeyName::Named(Named::F1));
            assert!(
                shortcut.keys.command || function_key,
                "{shortcut:?} could type or edit text"
            );
            // Ctrl+A, C, V and X select, copy, paste and cut in text fields.
            for editing_key in ['a', 'c', 'v', 'x'] {
                assert_ne!(
                    shortcut.keys.key,
                    KeyName::Character(editing_key),
                    "{shortcut:?}"
                );
            }
        }
    }

    #[test]
    fn uppercase_letter_matches_lowercase_entry() {
        let keys = Keys::of(&Key::Character("P".into()), Modifiers::COMMAND).unwrap();
        assert_eq!(action(keys, Scope::Workbench), Some(Action::OpenPhrases));
    }

    #[test]
    fn same_keys_act_by_scope() {
        let keys = Keys::of(&Key::Named(Named::Enter), Modifiers::COMMAND).unwrap();
        assert_eq!(action(keys, Scope::Workbench), Some(Action::Send));
        assert_eq!(
            action(keys, Scope::PhrasePicker),
            Some(Action::InsertPhraseAndSend)
        );
        assert_eq!(action(keys, Scope::ShortcutList), None);
    }

    #[test]
    fn alt_is_never_a_shortcut() {
        let modifiers = Modifiers::COMMAND | Modifiers::ALT;
        assert_eq!(Keys::of(&Key::Character("n".into()), modifiers), None);
    }

    #[test]
    fn captured_press_is_not_a_shortcut_unless_escape() {
        let enter = press(Key::Named(Named::Enter), Modifiers::empty());
        assert!(pressed(&enter, event::Status::Ignored).is_some());
        assert_eq!(pressed(&enter, event::Status::Captured), None);
        let escape = press(Key::Named(Named::Escape), Modifiers::empty());
        assert!(pressed(&escape, event::Status::Captured).is_some());
    }

    #[test]
    fn plain_letter_is_not_a_shortcut() {
        let letter = press(Key::Character("n".into()), Modifiers::empty());
        assert_eq!(pressed(&letter, event::Status::Ignored), None);
    }
}
