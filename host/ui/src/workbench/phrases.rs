//! The phrase picker in the workbench: opening it for a pane, inserting
//! the chosen phrase into the pane's draft and counting its use.

use chrono::{Local, Utc};
use iced::Task;
use iced::widget::operation;
use kefu_core::Store;
use kefu_core::phrases::render::today_in;

use super::{Message, Workbench};
use crate::labels::{self, Label};
use crate::panes::PaneId;
use crate::phrase_picker::{self, PhrasePicker};

impl Workbench {
    /// Opens the phrase picker for the conversation `pane` shows, and
    /// focuses it. A pane without a conversation shows a notice instead.
    pub(super) fn open_picker(&mut self, pane: PaneId) -> Task<Message> {
        let Some(conversation) = self
            .panes
            .conversation_of(pane)
            .and_then(|id| self.conversations.iter().find(|summary| summary.id == id))
        else {
            self.notice = Some(Label::new(labels::no_conversation_for_phrases));
            return Task::none();
        };
        let Some(store) = &self.store else {
            return Task::none();
        };
        let opened = PhrasePicker::open(
            store,
            pane,
            conversation,
            self.panes.messages_of(pane),
            agent_name(store),
            today_in(&Local, Utc::now()),
        );
        match opened {
            Ok(picker) => {
                self.picker = Some(picker);
                self.shortcuts_shown = false;
                if let PaneId::Tile(tile) = pane {
                    self.panes.update(crate::panes::Message::Clicked(tile));
                }
                operation::focus(phrase_picker::ids::search())
            }
            Err(error) => {
                let error = format!("{error:#}");
                self.show_error(Label::new(move || labels::phrases_failed(&error)));
                Task::none()
            }
        }
    }

    pub(super) fn picker_message(&mut self, message: phrase_picker::Message) -> Task<Message> {
        let Some(picker) = &mut self.picker else {
            return Task::none();
        };
        match picker.update(message) {
            Some(phrase_picker::Event::Insert { send }) => self.insert_phrase(send),
            Some(phrase_picker::Event::Close) => self.close_picker(),
            None => Task::none(),
        }
    }

    /// Closes the picker and gives the keyboard focus back to the draft.
    pub(super) fn close_picker(&mut self) -> Task<Message> {
        if self.picker.take().is_none() {
            return Task::none();
        }
        self.focus_draft()
    }

    /// Inserts the picker's selected phrase, filled for the conversation,
    /// into the pane's draft, counts its use as `kefu phrases render
    /// --mark-used` does, closes the picker and, when `send` is true, sends
    /// the draft. A phrase with a placeholder that has no value is inserted
    /// with the `[name?]` marker, and the send then fails and names it.
    pub(super) fn insert_phrase(&mut self, send: bool) -> Task<Message> {
        let Some(picker) = &self.picker else {
            return Task::none();
        };
        let Some(choice) = picker.choice() else {
            return Task::none();
        };
        let (pane, conversation_id) = (picker.pane(), picker.conversation_id());
        self.picker = None;

        self.panes
            .insert_into_draft(conversation_id, &choice.rendered.text);
        tracing::info!(
            phrase = %choice.phrase_id,
            conversation = conversation_id,
            missing = ?choice.rendered.missing,
            "phrase inserted into the draft"
        );
        if let Err(error) = self.record_phrase_use(&choice.phrase_id) {
            let error = format!("{error:#}");
            tracing::warn!(phrase = %choice.phrase_id, %error, "counting the phrase's use failed");
            let phrase = choice.phrase_id.clone();
            self.show_error(Label::new(move || {
                labels::phrase_use_failed(&phrase, &error)
            }));
        }

        // A send goes only to the conversation the phrase was filled for.
        if send && self.panes.conversation_of(pane) == Some(conversation_id) {
            return Task::batch([self.send_draft(pane), self.focus_draft()]);
        }
        self.focus_draft()
    }

    fn record_phrase_use(&mut self, phrase_id: &str) -> anyhow::Result<()> {
        let Some(store) = &mut self.store else {
            anyhow::bail!("{}", labels::database_not_open());
        };
        let writer = store.writer()?;
        writer.record_phrase_use(phrase_id, Utc::now())?;
        writer.commit()?;
        Ok(())
    }
}

/// Returns the name that fills `{{agent.name}}`: the display name of the
/// agent that `KEFU_AGENT` names, else the value of `KEFU_AGENT` itself.
/// Without `KEFU_AGENT` the placeholder has no value, because the login
/// name is no name to sign a reply with.
// NOTE: the app has no agent sign-in yet; KEFU_AGENT is the same variable
// the CLI reads for the acting agent.
fn agent_name(store: &Store) -> Option<String> {
    let name = std::env::var("KEFU_AGENT").ok()?;
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let display_name = match store.agent(name) {
        Ok(agent) => agent.and_then(|agent| agent.display_name),
        Err(error) => {
            tracing::warn!(
                agent = name,
                "reading the agent failed, so KEFU_AGENT itself fills {{{{agent.name}}}}: {error:#}"
            );
            None
        }
    };
    let display_name = display_name.filter(|display_name| !display_name.trim().is_empty());
    Some(display_name.unwrap_or_else(|| name.to_string()))
}
