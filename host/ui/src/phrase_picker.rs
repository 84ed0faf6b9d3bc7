//! The phrase picker: a dialog over the workbench that lists the phrase
//! library for one pane's conversation, suggested phrases first. It has a
//! search field, a category filter and a preview with the placeholders
//! filled from the conversation's ticket and customer.
//!
//! The picker only reads. The workbench inserts the chosen phrase into the
//! pane's draft, counts its use and, for insert-and-send, sends the draft.

mod list;

use anyhow::Context;
use chrono::NaiveDate;
use iced::widget::{
    button, column, container, rich_text, row, scrollable, space, span, text, text_input,
};
use iced::{Alignment, Color, Element, Fill, FillPortion, Theme};
use kefu_core::Store;
use kefu_core::model::{ConversationSummary, Direction, StoredMessage};
use kefu_core::phrases::{RenderContext, Rendered, render, unfilled};
use kefu_core::store::PhraseFilter;

use crate::panes::PaneId;
use crate::shortcuts::{Action, Scope};
use crate::{labels, style};
use list::{Entry, Suggested};

/// Maximum number of phrases the matcher suggests for the customer's
/// latest message.
const MATCHER_LIMIT: usize = 5;

/// Background of an unfilled placeholder in the preview. A fixed yellow
/// with black text reads on both the light and the dark theme.
const UNFILLED_BACKGROUND: Color = Color::from_rgb(1.0, 0.85, 0.3);

/// Widget ids of the picker's controls.
pub mod ids {
    use iced::widget::Id;

    /// Returns the id of the search field.
    pub fn search() -> Id {
        Id::new("phrase-search")
    }

    /// Returns the id of the container around a phrase's row.
    pub fn row(phrase_id: &str) -> Id {
        Id::from(format!("phrase-{phrase_id}"))
    }

    /// Returns the id of the container around a category's filter button;
    /// `None` is the button for every category.
    pub fn category(category: Option<&str>) -> Id {
        match category {
            Some(category) => Id::from(format!("phrase-category-{category}")),
            None => Id::new("phrase-category-all"),
        }
    }

    /// Returns the id of the container around the Insert button.
    pub fn insert() -> Id {
        Id::new("phrase-insert")
    }

    /// Returns the id of the container around the Insert and send button.
    pub fn insert_and_send() -> Id {
        Id::new("phrase-insert-and-send")
    }
}

/// State of the open picker.
#[derive(Debug)]
pub struct PhrasePicker {
    /// The pane whose draft receives the phrase.
    pane: PaneId,
    conversation_id: i64,
    /// The customer and the conversation's title, shown in the heading.
    heading: String,
    /// Every phrase, suggested ones first.
    entries: Vec<Entry>,
    categories: Vec<String>,
    query: String,
    /// The category filter, or `None` for every category.
    category: Option<String>,
    /// Id of the phrase the agent selected. When it is filtered out, the
    /// first visible phrase counts as selected.
    selected: Option<String>,
    /// The values the placeholders are filled with.
    context: RenderContext,
}

/// Events of the picker.
#[derive(Debug, Clone)]
pub enum Message {
    SearchChanged(String),
    /// A category button was pressed; `None` is the button for all.
    CategorySelected(Option<String>),
    /// A phrase's row was pressed.
    PhraseClicked(String),
    InsertPressed,
    InsertAndSendPressed,
    ClosePressed,
}

/// The workbench's next step after a picker message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Insert the selected phrase into the draft, then send the draft when
    /// `send` is true.
    Insert {
        send: bool,
    },
    Close,
}

/// A phrase filled for the conversation, ready for the draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub phrase_id: String,
    pub rendered: Rendered,
}

impl PhrasePicker {
    /// Reads the phrase library and the values for its placeholders for
    /// `conversation`, shown in `pane`. `messages` are the conversation's
    /// messages, oldest first: the customer's latest one ranks the
    /// suggestions. `agent_name` fills `{{agent.name}}` and `today` fills
    /// `{{today}}`.
    pub fn open(
        store: &Store,
        pane: PaneId,
        conversation: &ConversationSummary,
        messages: &[StoredMessage],
        agent_name: Option<String>,
        today: NaiveDate,
    ) -> anyhow::Result<Self> {
        let phrases = store
            .phrases(&PhraseFilter::default())
            .context("reading the phrase library")?;
        let ticket_id = store.open_ticket_of(conversation.id)?;
        let rule_ids = match ticket_id {
            Some(ticket_id) => rule_suggestions(store, ticket_id)?,
            None => Vec::new(),
        };
        let customer_text = customer_text(conversation, messages);
        let matched = kefu_core::phrases::suggest(&phrases, &customer_text, MATCHER_LIMIT);
        let context = match ticket_id {
            Some(ticket_id) => {
                store.render_context(ticket_id, agent_name.as_deref(), Some(today))?
            }
            // Without a ticket, the conversation still names the customer
            // and the channel.
            None => RenderContext {
                customer_name: conversation.customer_name.clone(),
                conversation_channel: Some(conversation.channel.as_str().to_string()),
                agent_name,
                today: Some(today),
                ..RenderContext::default()
            },
        };
        let entries = list::entries(phrases, &rule_ids, &matched);
        Ok(Self {
            pane,
            conversation_id: conversation.id,
            heading: format!(
                "{} · {}",
                conversation.customer_label(),
                conversation.title()
            ),
            categories: list::categories(&entries),
            entries,
            query: String::new(),
            category: None,
            selected: None,
            context,
        })
    }

    /// Returns the pane whose draft receives the phrase.
    pub fn pane(&self) -> PaneId {
        self.pane
    }

    pub fn conversation_id(&self) -> i64 {
        self.conversation_id
    }

    /// Handles a message. Returns what the workbench must do, if anything.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::SearchChanged(query) => {
                self.query = query;
                self.selected = None;
            }
            Message::CategorySelected(category) => {
                self.category = category;
                self.selected = None;
            }
            Message::PhraseClicked(id) => self.selected = Some(id),
            Message::InsertPressed => return Some(Event::Insert { send: false }),
            Message::InsertAndSendPressed => return Some(Event::Insert { send: true }),
            Message::ClosePressed => return Some(Event::Close),
        }
        None
    }

    /// Moves the selection `step` rows down the visible list, or up when
    /// negative, stopping at either end.
    pub fn move_selection(&mut self, step: isize) {
        let visible = self.visible();
        let Some(current) = self.current_index(&visible) else {
            return;
        };
        let last = visible.len() - 1;
        let next = current.saturating_add_signed(step).min(last);
        let id = visible[next].phrase.id.clone();
        self.selected = Some(id);
    }

    /// Returns the selected phrase filled for the conversation, or `None`
    /// when no phrase is visible.
    pub fn choice(&self) -> Option<Choice> {
        let entry = self.current()?;
        Some(Choice {
            phrase_id: entry.phrase.id.clone(),
            rendered: render(&entry.phrase.body, &self.context),
        })
    }

    /// Returns the ids of the visible phrases in list order.
    pub fn visible_ids(&self) -> Vec<&str> {
        self.visible()
            .into_iter()
            .map(|entry| entry.phrase.id.as_str())
            .collect()
    }

    fn visible(&self) -> Vec<&Entry> {
        list::visible(&self.entries, &self.query, self.category.as_deref())
    }

    fn current_index(&self, visible: &[&Entry]) -> Option<usize> {
        if visible.is_empty() {
            return None;
        }
        let selected = self
            .selected
            .as_deref()
            .and_then(|selected| visible.iter().position(|entry| entry.phrase.id == selected));
        Some(selected.unwrap_or(0))
    }

    fn current(&self) -> Option<&Entry> {
        let visible = self.visible();
        let index = self.current_index(&visible)?;
        Some(visible[index])
    }

    /// Builds the dialog.
    pub fn view(&self) -> Element<'_, Message> {
        let heading = row![
            text(labels::phrases_heading()).size(18),
            container(text(&self.heading).size(13).style(text::secondary))
                .width(Fill)
                .clip(true),
            button(
                text(labels::with_keys(
                    labels::close_dialog(),
                    Action::CloseDialog,
                    Scope::PhrasePicker
                ))
                .size(13)
            )
            .on_press(Message::ClosePressed)
            .style(button::secondary),
        ]
        .spacing(12)
        .align_y(Alignment::Center);

        let search = text_input(labels::phrase_search_hint(), &self.query)
            .id(ids::search())
            .on_input(Message::SearchChanged)
            .padding(6)
            .size(14);

        let body = row![
            container(self.list()).width(FillPortion(2)).height(Fill),
            container(self.preview()).width(FillPortion(3)).height(Fill),
        ]
        .spacing(12)
        .height(Fill);

        let ready = self.current().is_some();
        let buttons = row![
            space::horizontal(),
            container(
                button(
                    text(labels::with_keys(
                        labels::insert_phrase(),
                        Action::InsertPhrase,
                        Scope::PhrasePicker,
                    ))
                    .size(14)
                )
                .on_press_maybe(ready.then_some(Message::InsertPressed))
                .style(button::secondary),
            )
            .id(ids::insert()),
            container(
                button(
                    text(labels::with_keys(
                        labels::insert_and_send_phrase(),
                        Action::InsertPhraseAndSend,
                        Scope::PhrasePicker,
                    ))
                    .size(14)
                )
                .on_press_maybe(ready.then_some(Message::InsertAndSendPressed)),
            )
            .id(ids::insert_and_send()),
        ]
        .spacing(8);

        column![heading, search, self.category_filter(), body, buttons]
            .spacing(10)
            .padding(16)
            .width(880)
            .height(600)
            .into()
    }

    fn category_filter(&self) -> Element<'_, Message> {
        let all = std::iter::once(None).chain(self.categories.iter().map(|c| Some(c.as_str())));
        let buttons = all.map(|category| {
            let label = category.unwrap_or(labels::all_categories());
            let chosen = self.category.as_deref() == category;
            let style: fn(&Theme, button::Status) -> button::Style = if chosen {
                button::primary
            } else {
                button::secondary
            };
            let filter: Element<'_, Message> = container(
                button(text(label).size(12))
                    .padding([2, 8])
                    .style(style)
                    .on_press(Message::CategorySelected(category.map(str::to_string))),
            )
            .id(ids::category(category))
            .into();
            filter
        });
        row(buttons).spacing(4).wrap().into()
    }

    fn list(&self) -> Element<'_, Message> {
        let visible = self.visible();
        if visible.is_empty() {
            let hint = if self.entries.is_empty() {
                labels::no_phrases()
            } else {
                labels::no_phrases_found()
            };
            return text(hint).size(13).into();
        }
        let current = self
            .current_index(&visible)
            .map(|index| visible[index].phrase.id.clone());
        let rows = visible
            .into_iter()
            .map(|entry| phrase_row(entry, current.as_ref() == Some(&entry.phrase.id)));
        scrollable(column(rows).spacing(2)).height(Fill).into()
    }

    fn preview(&self) -> Element<'_, Message> {
        let Some(choice) = self.choice() else {
            return space().into();
        };
        let spans = marked_spans(&choice.rendered.text);
        let mut preview = column![
            container(rich_text(spans).size(14))
                .padding(8)
                .width(Fill)
                .style(style::quiet_line),
        ]
        .spacing(8);
        if !choice.rendered.missing.is_empty() {
            preview = preview.push(
                container(text(labels::phrase_missing_values(&choice.rendered.missing)).size(12))
                    .padding([4, 8])
                    .width(Fill)
                    .style(style::warning_line),
            );
        }
        scrollable(preview).height(Fill).into()
    }
}

/// Builds one row of the list: the title with the category and, for a
/// suggested phrase, the reason, and the start of the body below.
fn phrase_row(entry: &Entry, selected: bool) -> Element<'_, Message> {
    let phrase = &entry.phrase;
    let mut top = row![
        container(text(&phrase.title).size(14).wrapping(text::Wrapping::None))
            .width(Fill)
            .clip(true),
        style::badge(&phrase.category, style::channel_badge),
    ]
    .spacing(6)
    .align_y(Alignment::Center);
    if let Some(reason) = &entry.suggested {
        let label = match reason {
            Suggested::ByRule => labels::suggested_by_rule(),
            Suggested::ByMessage { .. } => labels::suggested_for_message(),
        };
        top = top.push(style::badge(label, style::unanswered_badge));
    }
    let first_line = phrase.body.lines().next().unwrap_or_default();
    let content = column![
        top,
        text(first_line)
            .size(12)
            .style(text::secondary)
            .wrapping(text::Wrapping::None),
    ]
    .spacing(2);
    container(
        button(content)
            .on_press(Message::PhraseClicked(phrase.id.clone()))
            .style(style::list_row(selected))
            .padding(6)
            .width(Fill)
            .clip(true),
    )
    .id(ids::row(&phrase.id))
    .into()
}

/// Splits `text` into spans with every unfilled placeholder highlighted.
fn marked_spans(text: &str) -> Vec<iced::widget::text::Span<'static, (), iced::Font>> {
    let mut spans = Vec::new();
    let mut position = 0;
    for marker in unfilled(text) {
        if marker.range.start > position {
            spans.push(span(text[position..marker.range.start].to_string()));
        }
        spans.push(
            span(text[marker.range.clone()].to_string())
                .color(Color::BLACK)
                .background(UNFILLED_BACKGROUND),
        );
        position = marker.range.end;
    }
    if position < text.len() {
        spans.push(span(text[position..].to_string()));
    }
    spans
}

/// Returns the ids of the phrases rules suggested on a ticket, latest
/// suggestion first, each once.
fn rule_suggestions(store: &Store, ticket_id: i64) -> anyhow::Result<Vec<String>> {
    let mut ids: Vec<String> = Vec::new();
    for event in store.ticket_events(ticket_id)?.iter().rev() {
        if event.kind != "phrase-suggested" {
            continue;
        }
        let Some(id) = event.detail["phrase"].as_str() else {
            continue;
        };
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_string());
        }
    }
    Ok(ids)
}

/// Returns what the customer wrote, to rank phrases against: the
/// conversation's subject and its latest inbound message that has text,
/// as `kefu phrases suggest --ticket` does.
fn customer_text(conversation: &ConversationSummary, messages: &[StoredMessage]) -> String {
    let latest = messages
        .iter()
        .rev()
        .find(|message| {
            message.direction == Direction::Inbound && !message.body_text.trim().is_empty()
        })
        .map(|message| message.body_text.as_str());
    [conversation.subject.as_deref(), latest]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n")
}
