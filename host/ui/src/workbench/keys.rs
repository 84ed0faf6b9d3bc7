//! The workbench's handling of each keyboard shortcut of
//! [`crate::shortcuts`].

use iced::Task;
use iced::widget::operation;
use kefu_core::model::ConversationSummary;

use super::{Message, Screen, Workbench};
use crate::labels::{self, Label};
use crate::shortcuts::{self, Action, Keys, Scope};
use crate::{conversation_list, panes};

impl Workbench {
    /// Runs the action of `keys` in the scope the window is in: the open
    /// dialog, or else the workbench. The other screens only react to the
    /// keys that show the shortcut list, the settings and the to-do panel.
    pub(super) fn key_pressed(&mut self, keys: Keys) -> Task<Message> {
        let scope = self.shortcut_scope();
        let Some(action) = shortcuts::action(keys, scope) else {
            return Task::none();
        };
        if scope == Scope::Workbench
            && self.screen != Screen::Workbench
            && !matches!(
                action,
                Action::ShowShortcuts | Action::OpenSettings | Action::OpenTodo
            )
        {
            return Task::none();
        }
        self.notice = None;
        self.run_shortcut(action)
    }

    fn shortcut_scope(&self) -> Scope {
        if self.picker.is_some() {
            Scope::PhrasePicker
        } else if self.shortcuts_shown {
            Scope::ShortcutList
        } else {
            Scope::Workbench
        }
    }

    fn run_shortcut(&mut self, action: Action) -> Task<Message> {
        match action {
            Action::NextUnanswered => {
                let current = self.panes.focused_conversation();
                match next_unanswered(&self.conversations, current) {
                    Some(id) => self.select(id),
                    None => {
                        self.notice = Some(Label::new(labels::no_unanswered));
                        Task::none()
                    }
                }
            }
            Action::NextPane => {
                self.panes.cycle_focus(true);
                self.focus_draft()
            }
            Action::PreviousPane => {
                self.panes.cycle_focus(false);
                self.focus_draft()
            }
            Action::OpenPhrases => self.open_picker(self.panes.focused()),
            Action::Send => self.send_draft(self.panes.focused()),
            Action::ClosePane => {
                self.panes.close_focused();
                Task::none()
            }
            Action::FocusSearch => operation::focus(conversation_list::search_id()),
            Action::ShowShortcuts => {
                self.shortcuts_shown = true;
                Task::none()
            }
            Action::OpenSettings => self.show_screen(Screen::Settings),
            Action::OpenTodo => self.show_screen(Screen::Todo),
            Action::InsertPhrase => self.insert_phrase(false),
            Action::InsertPhraseAndSend => self.insert_phrase(true),
            Action::SelectNextPhrase | Action::SelectPreviousPhrase => {
                if let Some(picker) = &mut self.picker {
                    let step = if action == Action::SelectNextPhrase {
                        1
                    } else {
                        -1
                    };
                    picker.move_selection(step);
                }
                Task::none()
            }
            Action::CloseDialog => {
                self.shortcuts_shown = false;
                self.close_picker()
            }
        }
    }

    /// Moves the keyboard focus to the focused pane's draft editor, when
    /// the pane shows a conversation.
    pub(super) fn focus_draft(&self) -> Task<Message> {
        let pane = self.panes.focused();
        match (self.panes.conversation_of(pane), self.panes.key_of(pane)) {
            (Some(_), Some(key)) => operation::focus(panes::ids::draft_editor(key)),
            _ => Task::none(),
        }
    }
}

/// Returns the first conversation after `current` in list order that
/// waits for a reply, wrapping around to the top of the list. Without a
/// current conversation, or when it is not in the list, the search starts
/// at the top. `current` itself is returned only when it is the only one
/// waiting.
pub fn next_unanswered(conversations: &[ConversationSummary], current: Option<i64>) -> Option<i64> {
    let start = current
        .and_then(|id| {
            conversations
                .iter()
                .position(|conversation| conversation.id == id)
        })
        .map_or(0, |position| position + 1);
    let count = conversations.len();
    (0..count)
        .map(|offset| &conversations[(start + offset) % count])
        .find(|conversation| conversation.unanswered)
        .map(|conversation| conversation.id)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use kefu_core::model::Channel;

    use super::*;

    fn conversation(id: i64, unanswered: bool) -> ConversationSummary {
        ConversationSummary {
            id,
            channel: Channel::Chat,
            customer_id: id,
            customer_name: None,
            customer_address: None,
            subject: None,
            preview: String::new(),
            message_count: 1,
            last_message_at: Utc::now(),
            unanswered,
            ticket_id: None,
        }
    }

    fn list() -> Vec<ConversationSummary> {
        vec![
            conversation(10, false),
            conversation(11, true),
            conversation(12, false),
            conversation(13, true),
        ]
    }

    #[test]
    fn next_unanswered_starts_at_top() {
        assert_eq!(next_unanswered(&list(), None), Some(11));
    }

    #[test]
    fn next_unanswered_skips_current() {
        assert_eq!(next_unanswered(&list(), Some(11)), Some(13));
        assert_eq!(next_unanswered(&list(), Some(12)), Some(13));
    }

    #[test]
    fn next_unanswered_wraps_around() {
        assert_eq!(next_unanswered(&list(), Some(13)), Some(11));
    }

    #[test]
    fn only_waiting_conversation_is_returned_again() {
        let conversations = vec![conversation(10, false), conversation(11, true)];
        assert_eq!(next_unanswered(&conversations, Some(11)), Some(11));
    }

    #[test]
    fn nothing_waiting_returns_none() {
        let conversations = vec![conversation(10, false), conversation(12, false)];
        assert_eq!(next_unanswered(&conversations, Some(10)), None);
        assert_eq!(next_unanswered(&[], None), None);
    }

    #[test]
    fn unknown_current_starts_at_top() {
        assert_eq!(next_unanswered(&list(), Some(99)), Some(11));
    }
}
