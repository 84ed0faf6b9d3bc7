//! The customer card: the selected conversation's customer with name,
//! tier, tags, every address and the history on every channel, and the
//! merge and split actions that `kefu customers merge|split` also run.
//!
//! The card calls the same store functions as the CLI
//! (`Store::customer_detail`, `Store::merge_customers`,
//! `Store::split_customer`). So each change is one transaction, recorded in
//! `customer_changes` with the agent, the reason and the time, and a change
//! the core rejects leaves the database as it was.

use std::collections::BTreeSet;

use chrono::Utc;
use iced::widget::{Id, button, column, container, row, rule, scrollable, space, text, text_input};
use iced::{Alignment, Element, Fill};
use kefu_core::Store;
use kefu_core::model::{ConversationSummary, Direction, StoredMessage, Ticket};
use kefu_core::store::{Address, ChangeBy, CustomerDetail, CustomerSummary};

use crate::labels::{self, Label};
use crate::{format, style};

/// Width of the card in logical pixels.
const WIDTH: f32 = 380.0;

/// Maximum number of search results listed under the search field.
const MAX_RESULTS: usize = 6;

/// Minimum number of digits in a search for it to also match phone numbers
/// by their digits alone, so that "138 0013" finds "+8613800138000".
const MIN_PHONE_DIGITS: usize = 3;

/// Widget id of the card's outer container.
pub fn card_id() -> Id {
    Id::new("customer-card")
}

/// Widget id of the field that searches for a customer to merge.
pub fn search_id() -> Id {
    Id::new("customer-search")
}

/// Widget id of the field for the reason of a merge or split.
pub fn reason_id() -> Id {
    Id::new("customer-change-reason")
}

/// Widget id of the row of one message in the history.
pub fn history_row_id(message_id: i64) -> Id {
    Id::from(format!("customer-history-{message_id}"))
}

/// Widget id of a search result, the customer `customer_id`.
pub fn search_result_id(customer_id: i64) -> Id {
    Id::from(format!("customer-search-result-{customer_id}"))
}

/// Widget id of the Split button beside an address.
pub fn split_button_id(address: &Address) -> Id {
    Id::from(format!("customer-split-{address}"))
}

#[derive(Debug, Clone)]
pub enum Message {
    /// The search field for a customer to merge changed.
    SearchChanged(String),
    /// A search result was pressed: merge that customer into this one.
    MergePicked(i64),
    /// The Split button beside an address was pressed.
    SplitPressed(Address),
    ReasonChanged(String),
    /// The confirmation's button was pressed.
    ConfirmPressed,
    CancelPressed,
    /// A history row was pressed: open its conversation.
    HistoryPressed(i64),
}

/// Action the workbench takes after a card message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Select the conversation with this id.
    OpenConversation(i64),
    /// A merge or split changed customers and conversations, so every
    /// pane reads again.
    CustomersChanged,
}

/// A change waiting for the agent's confirmation.
#[derive(Debug, Clone)]
enum Pending {
    /// Merge this customer into the card's customer.
    Merge(CustomerSummary),
    /// Move this address of the card's customer to a new customer.
    Split(Address),
}

/// State of the card.
#[derive(Debug, Default)]
pub struct CustomerCard {
    /// The customer shown, read with its history on every channel.
    detail: Option<CustomerDetail>,
    /// Tags of the customer's tickets, sorted.
    tags: Vec<String>,
    /// The other customers that were not merged, for the search.
    others: Vec<CustomerSummary>,
    search: String,
    pending: Option<Pending>,
    reason: String,
    /// Result of the last merge or split, shown until the next action.
    notice: Option<Label>,
    /// Reason the last read or change failed.
    error: Option<Label>,
}

impl CustomerCard {
    /// Reads the customer `customer_id` again, or empties the card when
    /// `None`. Switching to another customer drops the search and any
    /// change waiting for confirmation. The tags are those of `tickets`
    /// on the customer's `conversations`.
    pub fn show<'a>(
        &mut self,
        store: &Store,
        customer_id: Option<i64>,
        conversations: &[ConversationSummary],
        tickets: impl Iterator<Item = &'a Ticket>,
    ) {
        let Some(customer_id) = customer_id else {
            *self = Self::default();
            return;
        };
        if self.customer_id() != Some(customer_id) {
            self.search.clear();
            self.pending = None;
            self.reason.clear();
            self.error = None;
        }
        // NOTE: this reads every customer on each reload (every few seconds)
        // for the merge search, on the UI thread. With many thousands of
        // customers the search should query the store as the agent types.
        let read = store.customer_detail(customer_id).and_then(|detail| {
            let others = store
                .customers()?
                .into_iter()
                .filter(|customer| customer.id != customer_id)
                .collect();
            Ok((detail, others))
        });
        match read {
            Ok((detail, others)) => {
                let own: BTreeSet<i64> = conversations
                    .iter()
                    .filter(|conversation| conversation.customer_id == customer_id)
                    .map(|conversation| conversation.id)
                    .collect();
                self.tags = tickets
                    .filter(|ticket| own.contains(&ticket.conversation_id))
                    .flat_map(|ticket| ticket.tags.iter().cloned())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                self.detail = Some(detail);
                self.others = others;
            }
            Err(error) => {
                let error = format!("{error:#}");
                tracing::error!(customer = customer_id, %error, "reading the customer failed");
                self.error = Some(Label::new(move || {
                    labels::customer_read_failed(customer_id, &error)
                }));
            }
        }
    }

    /// Id of the customer shown.
    pub fn customer_id(&self) -> Option<i64> {
        self.detail.as_ref().map(|detail| detail.summary.id)
    }

    /// Handles a card message. Merges and splits write through `store`,
    /// which is `None` while the database is not open.
    pub fn update(&mut self, store: Option<&mut Store>, message: Message) -> Option<Event> {
        match message {
            Message::SearchChanged(search) => {
                self.notice = None;
                self.search = search;
                None
            }
            Message::MergePicked(id) => {
                self.notice = None;
                self.error = None;
                let picked = self.others.iter().find(|customer| customer.id == id)?;
                self.pending = Some(Pending::Merge(picked.clone()));
                None
            }
            Message::SplitPressed(address) => {
                self.notice = None;
                self.error = None;
                self.pending = Some(Pending::Split(address));
                None
            }
            Message::ReasonChanged(reason) => {
                self.reason = reason;
                None
            }
            Message::CancelPressed => {
                self.pending = None;
                None
            }
            Message::ConfirmPressed => self.confirm(store),
            Message::HistoryPressed(conversation_id) => {
                Some(Event::OpenConversation(conversation_id))
            }
        }
    }

    /// Runs the change waiting for confirmation. On failure the error shows
    /// in the card and the core has changed nothing.
    fn confirm(&mut self, store: Option<&mut Store>) -> Option<Event> {
        let pending = self.pending.take()?;
        let into = self.customer_id()?;
        let Some(store) = store else {
            self.error = Some(Label::new(|| {
                labels::customer_change_failed(labels::database_not_open())
            }));
            return None;
        };
        let actor = agent_actor();
        let reason = Some(self.reason.trim()).filter(|reason| !reason.is_empty());
        let by = ChangeBy {
            actor: &actor,
            reason,
            at: Utc::now(),
        };
        let result = match &pending {
            Pending::Merge(from) => {
                let from = from.id;
                store
                    .merge_customers(from, into, by)
                    .map(|moved| Label::new(move || labels::merged(from, into, &moved)))
            }
            Pending::Split(address) => store
                .split_customer(into, &address.to_string(), by)
                .map(|(new_id, moved)| Label::new(move || labels::split_off(into, new_id, &moved))),
        };
        match result {
            Ok(notice) => {
                tracing::info!(customer = into, %actor, "{}", notice.text());
                self.notice = Some(notice);
                self.error = None;
                self.search.clear();
                self.reason.clear();
                Some(Event::CustomersChanged)
            }
            Err(error) => {
                let error = format!("{error:#}");
                tracing::error!(customer = into, %actor, %error, "customer change rejected");
                self.error = Some(Label::new(move || labels::customer_change_failed(&error)));
                None
            }
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let mut card = column![].spacing(10);
        if let Some(error) = &self.error {
            card = card.push(
                container(text(error.text()).size(12))
                    .padding([4, 8])
                    .width(Fill)
                    .style(style::error_line),
            );
        }
        if let Some(notice) = &self.notice {
            card = card.push(
                container(text(notice.text()).size(12))
                    .padding([4, 8])
                    .width(Fill)
                    .style(style::notice_line),
            );
        }
        if let Some(detail) = &self.detail {
            card = card
                .push(self.heading(detail))
                .push(self.addresses(detail))
                .push(rule::horizontal(1))
                .push(self.merge_section())
                .push(rule::horizontal(1))
                .push(history(&detail.history));
        }
        container(card)
            .id(card_id())
            .padding(8)
            .width(WIDTH)
            .height(Fill)
            .into()
    }

    fn heading<'a>(&'a self, detail: &'a CustomerDetail) -> Element<'a, Message> {
        let summary = &detail.summary;
        let name = summary.name.as_deref().unwrap_or(labels::no_name());
        let mut heading = column![
            row![
                text(name).size(18).width(Fill),
                text(labels::customer_number(summary.id))
                    .size(12)
                    .style(text::secondary),
            ]
            .align_y(Alignment::Center),
            text(labels::customer_tier(&summary.tier)).size(13),
        ]
        .spacing(4);
        let tags = if self.tags.is_empty() {
            labels::no_tags().to_string()
        } else {
            labels::customer_tags(&self.tags)
        };
        heading = heading.push(text(tags).size(13));
        heading.into()
    }

    /// Lists the addresses, each with a Split button when the customer has
    /// more than one, because the core keeps a customer's last address.
    fn addresses<'a>(&'a self, detail: &'a CustomerDetail) -> Element<'a, Message> {
        let addresses = &detail.summary.addresses;
        let can_split = addresses.len() > 1 && self.pending.is_none();
        let rows = addresses.iter().map(|address| {
            let mut line = row![
                style::badge(labels::channel(address.channel), style::channel_badge),
                text(&address.value).size(13).width(Fill),
            ]
            .spacing(6)
            .align_y(Alignment::Center);
            if can_split {
                line = line.push(
                    container(
                        button(text(labels::split()).size(12))
                            .padding([1, 6])
                            .style(button::secondary)
                            .on_press(Message::SplitPressed(address.clone())),
                    )
                    .id(split_button_id(address)),
                );
            }
            line.into()
        });
        column![text(labels::addresses()).size(14)]
            .extend(rows)
            .spacing(4)
            .into()
    }

    /// Builds the search for a customer to merge, or the confirmation of
    /// the change that waits for one.
    fn merge_section(&self) -> Element<'_, Message> {
        if let Some(pending) = &self.pending {
            return self.confirmation(pending);
        }
        let field = text_input(labels::merge_search_hint(), &self.search)
            .id(search_id())
            .on_input(Message::SearchChanged)
            .size(13)
            .padding(4);
        let mut section = column![text(labels::merge_heading()).size(14), field].spacing(4);
        if self.search.trim().is_empty() {
            return section.into();
        }
        let matches: Vec<&CustomerSummary> = self
            .others
            .iter()
            .filter(|customer| matches_search(customer, &self.search))
            .collect();
        if matches.is_empty() {
            section = section.push(
                text(labels::no_customer_found())
                    .size(12)
                    .style(text::secondary),
            );
        }
        for customer in matches.iter().take(MAX_RESULTS) {
            let addresses: Vec<String> =
                customer.addresses.iter().map(Address::to_string).collect();
            let content = column![
                text(labels::customer_choice(
                    customer.id,
                    customer.name.as_deref()
                ))
                .size(13),
                text(addresses.join(", "))
                    .size(11)
                    .style(text::secondary)
                    .wrapping(text::Wrapping::None),
            ];
            section = section.push(
                container(
                    button(content)
                        .on_press(Message::MergePicked(customer.id))
                        .style(style::list_row(false))
                        .padding(4)
                        .width(Fill)
                        .clip(true),
                )
                .id(search_result_id(customer.id)),
            );
        }
        if matches.len() > MAX_RESULTS {
            section = section.push(
                text(labels::more_customers(matches.len() - MAX_RESULTS))
                    .size(12)
                    .style(text::secondary),
            );
        }
        section.into()
    }

    fn confirmation<'a>(&'a self, pending: &'a Pending) -> Element<'a, Message> {
        let into = self.customer_id().unwrap_or_default();
        let (question, action) = match pending {
            Pending::Merge(from) => (labels::confirm_merge(from, into), labels::merge()),
            Pending::Split(address) => (labels::confirm_split(address, into), labels::split()),
        };
        let reason = text_input(labels::reason_hint(), &self.reason)
            .id(reason_id())
            .on_input(Message::ReasonChanged)
            .size(13)
            .padding(4);
        let buttons = row![
            button(text(action).size(13)).on_press(Message::ConfirmPressed),
            button(text(labels::cancel()).size(13))
                .style(button::secondary)
                .on_press(Message::CancelPressed),
            text(labels::acting_agent(&agent_actor()))
                .size(11)
                .style(text::secondary),
        ]
        .spacing(8)
        .align_y(Alignment::Center);
        container(column![text(question).size(13), reason, buttons].spacing(6))
            .padding(6)
            .style(style::warning_line)
            .into()
    }
}

/// Builds the history: every message and call on every channel, oldest
/// first, each row opening its conversation.
fn history(messages: &[StoredMessage]) -> Element<'_, Message> {
    let rows = messages.iter().map(|message| {
        let arrow = match message.direction {
            Direction::Inbound => "←",
            Direction::Outbound => "→",
        };
        let summary = match &message.call {
            Some(call) => labels::call(call),
            None => first_line(message),
        };
        let top = row![
            style::badge(labels::channel(message.channel), style::channel_badge),
            text(arrow).size(12),
            text(format::message_time(message.time())).size(11),
        ]
        .spacing(6)
        .align_y(Alignment::Center);
        let content =
            column![top, text(summary).size(12).wrapping(text::Wrapping::None),].spacing(2);
        container(
            button(content)
                .on_press(Message::HistoryPressed(message.conversation_id))
                .style(style::list_row(false))
                .padding(4)
                .width(Fill)
                .clip(true),
        )
        .id(history_row_id(message.id))
        .into()
    });
    let list = scrollable(column(rows).spacing(2)).spacing(4).height(Fill);
    column![
        text(labels::history_heading(messages.len())).size(14),
        list,
        space().height(0),
    ]
    .spacing(4)
    .into()
}

/// Returns the first non-empty line of the body, else the subject, else an
/// empty string.
fn first_line(message: &StoredMessage) -> String {
    let body = message
        .body_text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty());
    let subject = message
        .subject
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    body.or(subject).unwrap_or_default().to_string()
}

/// True when the customer's name or an address contains `search`, ignoring
/// case, or when `search` has at least [`MIN_PHONE_DIGITS`] digits and a
/// phone number contains them, ignoring spaces and punctuation.
fn matches_search(customer: &CustomerSummary, search: &str) -> bool {
    let search = search.trim().to_lowercase();
    if search.is_empty() {
        return false;
    }
    let by_name = customer
        .name
        .as_deref()
        .is_some_and(|name| name.to_lowercase().contains(&search));
    let by_address = customer
        .addresses
        .iter()
        .any(|address| address.value.to_lowercase().contains(&search));
    let digits: String = search.chars().filter(char::is_ascii_digit).collect();
    let by_digits = digits.len() >= MIN_PHONE_DIGITS
        && customer.addresses.iter().any(|address| {
            address.channel == kefu_core::model::Channel::Phone
                && address
                    .value
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
                    .contains(&digits)
        });
    by_name || by_address || by_digits
}

/// Returns the actor recorded with a change made in the app: `agent:`
/// followed by `KEFU_AGENT`, else by `USER`, else by `app`. The CLI picks
/// its agent name from the same variables.
fn agent_actor() -> String {
    let name = std::env::var("KEFU_AGENT")
        .ok()
        .or_else(|| std::env::var("USER").ok())
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| "app".to_string());
    format!("agent:{name}")
}
