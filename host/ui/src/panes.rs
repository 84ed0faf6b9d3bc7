//! The open conversations, tiled with iced's pane grid.
//!
//! Each pane shows one conversation (or a hint when empty) with its own
//! scroll position, reply composer and customer card. The conversation
//! list opens a conversation in the focused pane, or focuses the pane that
//! already shows it. Drafts belong to conversations, so a draft stays with
//! its conversation when a pane switches to another one and back.
//!
//! A pane can pop out of the grid into a window of its own, where it keeps
//! its conversation, scroll position, composer and card. Closing that
//! window closes the pane; the draft stays with the conversation.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use iced::widget::pane_grid::{self, Axis, Configuration, Pane, PaneGrid};
use iced::widget::text_editor::{Action, Edit, Motion};
use iced::widget::{Id, button, container, row, text, text_editor};
use iced::{Alignment, Element, Fill, window};
use kefu_core::Store;
use kefu_core::lifecycle::Lifecycle;
use kefu_core::model::{ConversationSummary, StoredMessage, Ticket};
use kefu_core::store::OutboxEntry;
use kefu_core::todo::TodoRow;

use crate::composer::Outcome;
use crate::conversation_view::MESSAGE_WINDOW;
use crate::customer_card::CustomerCard;
use crate::saved_state::{SavedAxis, SavedLayout, SavedState};
use crate::{composer, conversation_view, labels, style};

/// Smallest share of a split either side keeps when a saved layout is
/// restored, so a damaged ratio cannot hide a pane.
const MIN_RATIO: f32 = 0.05;

/// Widget ids of a pane's controls. `key` is the pane's number from
/// [`PaneSummary::key`].
pub mod ids {
    use iced::widget::Id;

    /// Returns the id of the scrollable that contains the pane's messages.
    pub fn messages(key: u64) -> Id {
        Id::from(format!("pane-{key}-messages"))
    }

    /// Returns the id of the container around the "Split right" button.
    pub fn split_right(key: u64) -> Id {
        Id::from(format!("pane-{key}-split-right"))
    }

    /// Returns the id of the container around the "Split down" button.
    pub fn split_down(key: u64) -> Id {
        Id::from(format!("pane-{key}-split-down"))
    }

    /// Returns the id of the container around the "Maximise" or "Restore"
    /// button.
    pub fn maximize(key: u64) -> Id {
        Id::from(format!("pane-{key}-maximize"))
    }

    /// Returns the id of the container around the "Pop out" button.
    pub fn pop_out(key: u64) -> Id {
        Id::from(format!("pane-{key}-pop-out"))
    }

    /// Returns the id of the container around the "Close" button.
    pub fn close(key: u64) -> Id {
        Id::from(format!("pane-{key}-close"))
    }

    /// Returns the id of the composer's reply editor.
    pub fn draft_editor(key: u64) -> Id {
        Id::from(format!("pane-{key}-draft"))
    }

    /// Returns the id of the container around the composer's send button.
    pub fn send_button(key: u64) -> Id {
        Id::from(format!("pane-{key}-send"))
    }

    /// Returns the id of the container around the composer's button that
    /// opens the phrase picker.
    pub fn phrases_button(key: u64) -> Id {
        Id::from(format!("pane-{key}-phrases"))
    }
}

/// The pane grid, its focus and the drafts of every conversation.
pub struct Panes {
    grid: pane_grid::State<ConversationPane>,
    focus: Pane,
    /// Key of the next pane, for widget ids that stay put when panes
    /// split and close.
    next_key: u64,
    /// Unsent reply text by conversation id, including conversations no
    /// pane shows. An empty draft is not saved.
    drafts: BTreeMap<i64, text_editor::Content>,
    /// Conversations whose draft cursor the agent placed, by typing or
    /// clicking, since the draft was restored or emptied. A phrase goes in
    /// at that cursor, and after the end of any other draft.
    cursor_placed: HashSet<i64>,
    /// Shown by a pane whose conversation has no draft entry yet.
    empty_draft: text_editor::Content,
    /// Panes popped out of the grid, by the window that shows each.
    windows: BTreeMap<window::Id, ConversationPane>,
    /// The ticket of each shown conversation that has one, for the ticket
    /// card above its messages.
    tickets: HashMap<i64, TodoRow>,
}

/// Where a pane is shown: a tile of the main window's grid, or a window of
/// its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneId {
    Tile(Pane),
    Window(window::Id),
}

/// One pane's state.
#[derive(Debug)]
pub struct ConversationPane {
    key: u64,
    conversation: Option<i64>,
    /// The conversation's latest messages, oldest first: at most `window`
    /// of them.
    messages: Vec<StoredMessage>,
    /// Messages the pane reads and builds, from the latest back.
    window: usize,
    /// Outbox entries of the conversation's outbound messages.
    outbox: Vec<OutboxEntry>,
    card: CustomerCard,
    /// Result of the last send from this pane.
    outcome: Option<Outcome>,
}

impl Default for ConversationPane {
    fn default() -> Self {
        Self {
            key: 0,
            conversation: None,
            messages: Vec::new(),
            window: MESSAGE_WINDOW,
            outbox: Vec::new(),
            card: CustomerCard::default(),
            outcome: None,
        }
    }
}

/// A pane as tests and the window title see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaneSummary {
    /// The pane's number, stable while it is open, for [`ids`].
    pub key: u64,
    pub conversation: Option<i64>,
    pub focused: bool,
    pub maximized: bool,
}

/// Events of the pane grid.
#[derive(Debug, Clone)]
pub enum Message {
    /// A pane was clicked, which gives it the focus.
    Clicked(Pane),
    /// A pane's "Pop out" button was pressed: show it in a window of its
    /// own.
    PopOut(Pane),
    Dragged(pane_grid::DragEvent),
    Resized(pane_grid::ResizeEvent),
    /// A pane's split button was pressed: open an empty pane beside it
    /// (`Axis::Vertical`) or below it (`Axis::Horizontal`).
    Split(Pane, Axis),
    /// A pane's Maximise button was pressed.
    Maximize(Pane),
    /// The maximised pane's Restore button was pressed.
    Restore,
    Close(Pane),
    /// The draft of a conversation was edited.
    DraftEdited(i64, text_editor::Action),
    /// A pane's send button was pressed.
    SendPressed(PaneId),
    /// A pane's button for the phrase picker was pressed.
    PhrasesPressed(PaneId),
    /// An attachment was pressed: the message id and the attachment's
    /// position in the message's list.
    AttachmentPressed(i64, usize),
    /// A pane's "earlier messages" button was pressed.
    ShowEarlier(PaneId),
}

impl Panes {
    /// Rebuilds the panes from a saved state: the layout, each pane's
    /// conversation, the focus, the maximised pane and the drafts. The
    /// messages are read by the next [`Panes::refresh`].
    pub fn restore(saved: &SavedState) -> Self {
        let mut next_key = 0;
        let configuration = configuration(&saved.layout, &mut next_key);
        let grid = pane_grid::State::with_configuration(configuration);
        let order = layout_order(grid.layout());
        let focus = order
            .get(saved.focused)
            .or(order.first())
            .copied()
            .expect("a pane grid has at least one pane");
        let mut panes = Self {
            grid,
            focus,
            next_key,
            drafts: saved
                .drafts
                .iter()
                .map(|(id, draft)| (*id, text_editor::Content::with_text(draft)))
                .collect(),
            cursor_placed: HashSet::new(),
            empty_draft: text_editor::Content::new(),
            windows: BTreeMap::new(),
            tickets: HashMap::new(),
        };
        if let Some(pane) = saved.maximized.and_then(|index| order.get(index)) {
            panes.grid.maximize(*pane);
        }
        panes
    }

    /// Returns the state to save: the layout, focus, maximised pane and
    /// every draft that is not blank.
    pub fn saved(&self) -> SavedState {
        let order = layout_order(self.grid.layout());
        let position = |pane: Pane| order.iter().position(|candidate| *candidate == pane);
        SavedState {
            layout: saved_layout(self.grid.layout(), &self.grid),
            focused: position(self.focus).unwrap_or(0),
            maximized: self.grid.maximized().and_then(position),
            drafts: self
                .drafts
                .iter()
                .map(|(id, content)| (*id, content.text()))
                .filter(|(_, draft)| !draft.trim().is_empty())
                .collect(),
            popped_out: self
                .windows
                .values()
                .filter_map(|state| state.conversation)
                .collect(),
            ..SavedState::default()
        }
    }

    /// Returns every pane in layout order, left to right and top to bottom.
    pub fn summaries(&self) -> Vec<PaneSummary> {
        layout_order(self.grid.layout())
            .into_iter()
            .filter_map(|pane| {
                let state = self.grid.get(pane)?;
                Some(PaneSummary {
                    key: state.key,
                    conversation: state.conversation,
                    focused: pane == self.focus,
                    maximized: self.grid.maximized() == Some(pane),
                })
            })
            .collect()
    }

    /// Conversation shown in the focused pane.
    pub fn focused_conversation(&self) -> Option<i64> {
        self.grid.get(self.focus)?.conversation
    }

    /// Ids of the conversations the panes show, without repeats.
    pub fn conversations(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.all().filter_map(|state| state.conversation).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Returns the text of a conversation's draft, empty when it has none.
    pub fn draft(&self, conversation_id: i64) -> String {
        self.drafts
            .get(&conversation_id)
            .map(text_editor::Content::text)
            .unwrap_or_default()
    }

    /// Returns the pane that shows `conversation_id`, preferring the
    /// focused one.
    fn pane_showing(&self, conversation_id: i64) -> Option<Pane> {
        if self.focused_conversation() == Some(conversation_id) {
            return Some(self.focus);
        }
        self.grid
            .iter()
            .find(|(_, state)| state.conversation == Some(conversation_id))
            .map(|(pane, _)| *pane)
    }

    /// Returns how many of a conversation's latest messages to read: the
    /// window of the pane that shows it, else [`MESSAGE_WINDOW`].
    pub fn window_for(&self, conversation_id: i64) -> usize {
        self.all()
            .filter(|state| state.conversation == Some(conversation_id))
            .map(|state| state.window)
            .max()
            .unwrap_or(MESSAGE_WINDOW)
    }

    /// Widens the window of `pane` by [`MESSAGE_WINDOW`] messages and
    /// returns its conversation, whose messages must be read again.
    pub fn show_earlier(&mut self, pane: PaneId) -> Option<i64> {
        let state = self.get_mut(pane)?;
        state.window = state.window.saturating_add(MESSAGE_WINDOW);
        state.conversation
    }

    /// Shows a conversation: focuses the pane that shows it, or opens it
    /// in the focused pane, with its messages and outbox entries. Returns
    /// the pane's key.
    pub fn open(
        &mut self,
        conversation_id: i64,
        messages: Vec<StoredMessage>,
        outbox: Vec<OutboxEntry>,
    ) -> u64 {
        let pane = match self.pane_showing(conversation_id) {
            Some(pane) => pane,
            None => self.focus,
        };
        self.focus = pane;
        self.drafts.entry(conversation_id).or_default();
        let state = self
            .grid
            .get_mut(pane)
            .expect("the focused pane is in the grid");
        if state.conversation != Some(conversation_id) {
            state.conversation = Some(conversation_id);
            state.outcome = None;
            state.window = MESSAGE_WINDOW;
        }
        state.messages = messages;
        state.outbox = outbox;
        state.key
    }

    /// Applies a reload: each pane's messages and outbox entries from
    /// `read`, keyed by conversation. A pane whose conversation is gone
    /// becomes empty.
    pub fn refresh(&mut self, read: &HashMap<i64, (Vec<StoredMessage>, Vec<OutboxEntry>)>) {
        for state in self.all_mut() {
            let Some(id) = state.conversation else {
                continue;
            };
            match read.get(&id) {
                Some((messages, outbox)) => {
                    state.messages = messages.clone();
                    state.outbox = outbox.clone();
                }
                None => {
                    state.conversation = None;
                    state.messages.clear();
                    state.outbox.clear();
                    state.outcome = None;
                }
            }
        }
    }

    /// Replaces the tickets of the shown conversations, by conversation id.
    pub fn set_tickets(&mut self, tickets: HashMap<i64, TodoRow>) {
        self.tickets = tickets;
    }

    /// Sets or clears the ticket of one conversation.
    pub fn set_ticket(&mut self, conversation_id: i64, ticket: Option<TodoRow>) {
        match ticket {
            Some(ticket) => self.tickets.insert(conversation_id, ticket),
            None => self.tickets.remove(&conversation_id),
        };
    }

    /// Reads each pane's customer into its card.
    pub fn show_customers<'a>(
        &mut self,
        store: &Store,
        conversations: &[ConversationSummary],
        tickets: impl Iterator<Item = &'a Ticket> + Clone,
    ) {
        for state in self.all_mut() {
            let customer_id = state.conversation.and_then(|id| {
                conversations
                    .iter()
                    .find(|conversation| conversation.id == id)
                    .map(|conversation| conversation.customer_id)
            });
            state
                .card
                .show(store, customer_id, conversations, tickets.clone());
        }
    }

    /// Customer card of the focused pane, shown beside the grid.
    pub fn focused_card(&self) -> &CustomerCard {
        &self.grid.get(self.focus).expect("focused pane").card
    }

    pub fn focused_card_mut(&mut self) -> &mut CustomerCard {
        &mut self.grid.get_mut(self.focus).expect("focused pane").card
    }

    /// Returns the conversation of `pane`, if it is open and shows one.
    pub fn conversation_of(&self, pane: PaneId) -> Option<i64> {
        self.get(pane)?.conversation
    }

    /// Records the outcome of a send from `pane`. After a stored send the
    /// draft of the pane's conversation is emptied; after a failed one it
    /// is kept.
    pub fn finish_send(&mut self, pane: PaneId, outcome: Outcome) {
        let Some(state) = self.get(pane) else {
            return;
        };
        if let (Outcome::Stored(_), Some(conversation_id)) = (&outcome, state.conversation) {
            self.drafts
                .insert(conversation_id, text_editor::Content::new());
            self.cursor_placed.remove(&conversation_id);
        }
        if let Some(state) = self.get_mut(pane) {
            state.outcome = Some(outcome);
        }
    }

    /// Handles a pane grid message that needs no database. Returns the
    /// message back when the workbench must handle it.
    pub fn update(&mut self, message: Message) -> Option<Message> {
        match message {
            Message::Clicked(pane) => self.focus = pane,
            Message::Dragged(pane_grid::DragEvent::Dropped { pane, target }) => {
                self.grid.drop(pane, target);
            }
            Message::Dragged(_) => {}
            Message::Resized(pane_grid::ResizeEvent { split, ratio }) => {
                self.grid.resize(split, ratio);
            }
            Message::Split(pane, axis) => {
                let key = self.take_key();
                let empty = ConversationPane {
                    key,
                    ..ConversationPane::default()
                };
                if let Some((new_pane, _)) = self.grid.split(axis, pane, empty) {
                    self.focus = new_pane;
                }
            }
            Message::Maximize(pane) => {
                self.grid.maximize(pane);
                self.focus = pane;
            }
            Message::Restore => self.grid.restore(),
            Message::Close(pane) => {
                if let Some((_, sibling)) = self.grid.close(pane)
                    && self.focus == pane
                {
                    self.focus = sibling;
                }
            }
            Message::DraftEdited(conversation_id, action) => {
                // Scrolling the editor leaves the cursor where it was.
                if !matches!(action, Action::Scroll { .. }) {
                    self.cursor_placed.insert(conversation_id);
                }
                self.drafts
                    .entry(conversation_id)
                    .or_default()
                    .perform(action);
            }
            Message::SendPressed(_)
            | Message::PopOut(_)
            | Message::PhrasesPressed(_)
            | Message::AttachmentPressed(..)
            | Message::ShowEarlier(_) => {
                return Some(message);
            }
        }
        None
    }

    /// Inserts `text` into a conversation's draft at the cursor the agent
    /// placed, or else after the end of the draft, on a new line when the
    /// draft has text. The cursor ends after the inserted text.
    pub fn insert_into_draft(&mut self, conversation_id: i64, text: &str) {
        let draft = self.drafts.entry(conversation_id).or_default();
        let mut text = text.to_string();
        if !self.cursor_placed.contains(&conversation_id) {
            draft.perform(Action::Move(Motion::DocumentEnd));
            let current = draft.text();
            if !current.is_empty() && !current.ends_with('\n') {
                text.insert(0, '\n');
            }
        }
        draft.perform(Action::Edit(Edit::Paste(Arc::new(text))));
        self.cursor_placed.insert(conversation_id);
    }

    /// Returns the focused pane of the grid.
    pub fn focused(&self) -> PaneId {
        PaneId::Tile(self.focus)
    }

    /// Returns the key of `pane`, if it is open.
    pub fn key_of(&self, pane: PaneId) -> Option<u64> {
        Some(self.get(pane)?.key)
    }

    /// Returns the messages `pane` shows, oldest first.
    pub fn messages_of(&self, pane: PaneId) -> &[StoredMessage] {
        self.get(pane)
            .map_or(&[], |state| state.messages.as_slice())
    }

    fn get(&self, pane: PaneId) -> Option<&ConversationPane> {
        match pane {
            PaneId::Tile(pane) => self.grid.get(pane),
            PaneId::Window(window) => self.windows.get(&window),
        }
    }

    fn get_mut(&mut self, pane: PaneId) -> Option<&mut ConversationPane> {
        match pane {
            PaneId::Tile(pane) => self.grid.get_mut(pane),
            PaneId::Window(window) => self.windows.get_mut(&window),
        }
    }

    /// Every pane, the grid's first, then the popped-out ones.
    fn all(&self) -> impl Iterator<Item = &ConversationPane> {
        self.grid
            .iter()
            .map(|(_, state)| state)
            .chain(self.windows.values())
    }

    fn all_mut(&mut self) -> impl Iterator<Item = &mut ConversationPane> {
        self.grid
            .iter_mut()
            .map(|(_, state)| state)
            .chain(self.windows.values_mut())
    }

    /// Moves `pane` out of the grid into the window `window`. The last pane
    /// of the grid leaves an empty pane behind, so the grid keeps one.
    /// Returns the popped-out pane's conversation, or `None` when `pane` is
    /// not in the grid or shows no conversation, and then nothing moves.
    pub fn pop_out(&mut self, pane: Pane, window: window::Id) -> Option<i64> {
        let conversation = self.grid.get(pane)?.conversation?;
        let state = if self.grid.len() > 1 {
            let state = std::mem::take(self.grid.get_mut(pane)?);
            if let Some((_, sibling)) = self.grid.close(pane)
                && self.focus == pane
            {
                self.focus = sibling;
            }
            state
        } else {
            let key = self.take_key();
            let empty = ConversationPane {
                key,
                ..ConversationPane::default()
            };
            std::mem::replace(self.grid.get_mut(pane)?, empty)
        };
        self.windows.insert(window, state);
        Some(conversation)
    }

    /// Shows `conversation_id` in a new pane in the window `window`, as
    /// when a saved popped-out pane is restored. Its messages are read by
    /// the next [`Panes::refresh`].
    pub fn open_in_window(&mut self, window: window::Id, conversation_id: i64) {
        let key = self.take_key();
        self.drafts.entry(conversation_id).or_default();
        self.windows.insert(
            window,
            ConversationPane {
                key,
                conversation: Some(conversation_id),
                ..ConversationPane::default()
            },
        );
    }

    /// Returns whether `window` shows a popped-out pane.
    pub fn is_window(&self, window: window::Id) -> bool {
        self.windows.contains_key(&window)
    }

    /// Forgets the pane of a window that was closed. Returns whether the
    /// window showed a pane.
    pub fn window_closed(&mut self, window: window::Id) -> bool {
        self.windows.remove(&window).is_some()
    }

    /// Returns the windows of popped-out panes with their conversations.
    pub fn popped_out(&self) -> Vec<(window::Id, Option<i64>)> {
        self.windows
            .iter()
            .map(|(window, state)| (*window, state.conversation))
            .collect()
    }

    /// Moves the focus to the next pane in layout order, or to the
    /// previous one when `forward` is false, wrapping around at the ends.
    /// When a pane is maximised, the newly focused pane is maximised in its
    /// place, so the focused pane stays visible.
    pub fn cycle_focus(&mut self, forward: bool) {
        let order = layout_order(self.grid.layout());
        let Some(position) = order.iter().position(|pane| *pane == self.focus) else {
            return;
        };
        let next = if forward {
            (position + 1) % order.len()
        } else {
            (position + order.len() - 1) % order.len()
        };
        self.focus = order[next];
        if self.grid.maximized().is_some() {
            self.grid.maximize(self.focus);
        }
    }

    /// Closes the focused pane. The only pane cannot close, so it is
    /// emptied instead and shows the hint to select a conversation. Drafts
    /// stay with their conversations either way.
    pub fn close_focused(&mut self) {
        if self.grid.len() > 1 {
            self.update(Message::Close(self.focus));
            return;
        }
        if let Some(state) = self.grid.get_mut(self.focus) {
            state.conversation = None;
            state.messages.clear();
            state.outbox.clear();
            state.outcome = None;
        }
    }

    fn take_key(&mut self) -> u64 {
        let key = self.next_key;
        self.next_key += 1;
        key
    }

    /// Builds the grid. `conversations` gives each pane's title and
    /// channel.
    pub fn view<'a>(
        &'a self,
        conversations: &'a [ConversationSummary],
        lifecycle: &'a Lifecycle,
    ) -> Element<'a, Message> {
        let closable = self.grid.len() > 1;
        PaneGrid::new(&self.grid, move |pane, state, maximized| {
            let focused = pane == self.focus;
            let conversation = find(conversations, state.conversation);
            // A long title is cut at the pane's edge, not drawn over the
            // pane beside it.
            let title = text(pane_title(conversation))
                .size(13)
                .wrapping(text::Wrapping::None);
            let title_bar = pane_grid::TitleBar::new(container(title).width(Fill).clip(true))
                .controls(pane_grid::Controls::new(controls(
                    pane,
                    state.key,
                    maximized,
                    closable,
                    state.conversation.is_some(),
                )))
                .padding([4, 8])
                .style(style::pane_title_bar(focused));
            pane_grid::Content::new(self.body(PaneId::Tile(pane), state, conversation, lifecycle))
                .title_bar(title_bar)
                .style(style::conversation_pane(focused))
        })
        .spacing(4)
        .on_click(Message::Clicked)
        .on_drag(Message::Dragged)
        .on_resize(8, Message::Resized)
        .into()
    }

    /// Builds the content of the window of a popped-out pane, or `None`
    /// when `window` shows no pane.
    pub fn window_view<'a>(
        &'a self,
        window: window::Id,
        conversations: &'a [ConversationSummary],
        lifecycle: &'a Lifecycle,
    ) -> Option<Element<'a, Message>> {
        let state = self.windows.get(&window)?;
        let conversation = find(conversations, state.conversation);
        let body = self.body(PaneId::Window(window), state, conversation, lifecycle);
        Some(
            container(body)
                .padding(8)
                .style(style::conversation_pane(true))
                .into(),
        )
    }

    /// Returns the title of a popped-out pane's window.
    pub fn window_title<'a>(
        &self,
        window: window::Id,
        conversations: &'a [ConversationSummary],
    ) -> Option<&'a str> {
        let state = self.windows.get(&window)?;
        Some(pane_title(find(conversations, state.conversation)))
    }

    /// Builds a pane's messages and, when it shows a conversation, its
    /// composer.
    fn body<'a>(
        &'a self,
        pane: PaneId,
        state: &'a ConversationPane,
        conversation: Option<&'a ConversationSummary>,
        lifecycle: &'a Lifecycle,
    ) -> Element<'a, Message> {
        let messages = conversation_view::view(
            conversation,
            &state.messages,
            &state.outbox,
            ids::messages(state.key),
            conversation_view::Actions {
                open_attachment: Message::AttachmentPressed,
                show_earlier: Message::ShowEarlier(pane),
            },
        );
        match conversation {
            Some(conversation) => {
                let draft = self
                    .drafts
                    .get(&conversation.id)
                    .unwrap_or(&self.empty_draft);
                let ticket = self
                    .tickets
                    .get(&conversation.id)
                    .map(|ticket| ticket_card(ticket, lifecycle));
                iced::widget::column![
                    ticket,
                    container(messages).height(Fill),
                    composer::view(pane, state.key, conversation, draft, state.outcome.as_ref()),
                ]
                .into()
            }
            None => messages,
        }
    }
}

/// Builds the ticket card above a conversation's messages: number, type,
/// priority, status, assignee and the running deadline, which turns red
/// once it has passed.
fn ticket_card<'a>(ticket: &TodoRow, lifecycle: &Lifecycle) -> Element<'a, Message> {
    let now = chrono::Utc::now();
    let assignee = match &ticket.assignee {
        Some(agent) => agent.clone(),
        None => labels::todo::nobody().to_string(),
    };
    let tag = |label: String| -> Element<'a, Message> {
        container(text(label).size(11))
            .padding([1, 6])
            .style(style::channel_badge)
            .into()
    };
    let mut line = row![
        text(format!("#{}", ticket.id)).size(12),
        tag(labels::ticket_type(lifecycle, &ticket.ticket_type)),
        tag(labels::priority(lifecycle, &ticket.priority)),
        tag(labels::ticket_status(lifecycle, &ticket.status)),
        text(labels::todo::field(
            labels::todo::column_assignee(),
            &assignee
        ))
        .size(12),
    ]
    .spacing(6)
    .align_y(Alignment::Center);
    if ticket.sla_paused {
        line = line.push(tag(labels::todo::paused().to_string()));
    } else if let Some(due) = ticket.due_at {
        let due_text = text(labels::todo::due(due, now)).size(12);
        line = line.push(if due < now {
            due_text.style(text::danger)
        } else {
            due_text
        });
    }
    container(line.wrap()).padding([4, 0]).into()
}

/// Returns the conversation with id `id` from `conversations`.
fn find(conversations: &[ConversationSummary], id: Option<i64>) -> Option<&ConversationSummary> {
    let id = id?;
    conversations
        .iter()
        .find(|conversation| conversation.id == id)
}

/// Returns a pane's title: its conversation's, or a hint when it has none.
fn pane_title(conversation: Option<&ConversationSummary>) -> &str {
    match conversation {
        Some(conversation) => match conversation.title() {
            title if title.trim().is_empty() => labels::no_subject(),
            title => title,
        },
        None => labels::empty_pane(),
    }
}

/// Builds a pane's title bar buttons, each in a container with an id from
/// [`ids`].
fn controls<'a>(
    pane: Pane,
    key: u64,
    maximized: bool,
    closable: bool,
    shows_conversation: bool,
) -> Element<'a, Message> {
    let control = |label: &'a str, id: Id, message: Option<Message>| {
        container(
            button(text(label).size(12))
                .padding([2, 6])
                .style(button::text)
                .on_press_maybe(message),
        )
        .id(id)
    };
    let size = if maximized {
        control(
            labels::restore_pane(),
            ids::maximize(key),
            Some(Message::Restore),
        )
    } else {
        control(
            labels::maximize_pane(),
            ids::maximize(key),
            Some(Message::Maximize(pane)),
        )
    };
    row![
        control(
            labels::split_right(),
            ids::split_right(key),
            (!maximized).then_some(Message::Split(pane, Axis::Vertical)),
        ),
        control(
            labels::split_down(),
            ids::split_down(key),
            (!maximized).then_some(Message::Split(pane, Axis::Horizontal)),
        ),
        size,
        control(
            labels::pop_out_pane(),
            ids::pop_out(key),
            shows_conversation.then_some(Message::PopOut(pane)),
        ),
        control(
            labels::close_pane(),
            ids::close(key),
            closable.then_some(Message::Close(pane)),
        ),
    ]
    .spacing(2)
    .align_y(Alignment::Center)
    .into()
}

/// Builds the grid configuration of a saved layout, numbering the panes
/// from `next_key`.
fn configuration(layout: &SavedLayout, next_key: &mut u64) -> Configuration<ConversationPane> {
    match layout {
        SavedLayout::Split {
            axis,
            ratio,
            first,
            second,
        } => {
            let ratio = if ratio.is_finite() {
                ratio.clamp(MIN_RATIO, 1.0 - MIN_RATIO)
            } else {
                0.5
            };
            Configuration::Split {
                axis: match axis {
                    SavedAxis::Horizontal => Axis::Horizontal,
                    SavedAxis::Vertical => Axis::Vertical,
                },
                ratio,
                a: Box::new(configuration(first, next_key)),
                b: Box::new(configuration(second, next_key)),
            }
        }
        SavedLayout::Pane { conversation } => {
            let key = *next_key;
            *next_key += 1;
            Configuration::Pane(ConversationPane {
                key,
                conversation: *conversation,
                ..ConversationPane::default()
            })
        }
    }
}

/// Returns the saved form of a grid layout node.
fn saved_layout(node: &pane_grid::Node, grid: &pane_grid::State<ConversationPane>) -> SavedLayout {
    match node {
        pane_grid::Node::Split {
            axis, ratio, a, b, ..
        } => SavedLayout::Split {
            axis: match axis {
                Axis::Horizontal => SavedAxis::Horizontal,
                Axis::Vertical => SavedAxis::Vertical,
            },
            ratio: *ratio,
            first: Box::new(saved_layout(a, grid)),
            second: Box::new(saved_layout(b, grid)),
        },
        pane_grid::Node::Pane(pane) => SavedLayout::Pane {
            conversation: grid.get(*pane).and_then(|state| state.conversation),
        },
    }
}

/// Returns the panes of a layout, first part before second part.
fn layout_order(node: &pane_grid::Node) -> Vec<Pane> {
    match node {
        pane_grid::Node::Split { a, b, .. } => {
            let mut panes = layout_order(a);
            panes.extend(layout_order(b));
            panes
        }
        pane_grid::Node::Pane(pane) => vec![*pane],
    }
}
